//! The three report forms and what they share: drafts kept on every change,
//! the TPS field, and saving through the outbox (validated by pantau-core,
//! stored in IndexedDB before "Tersimpan" shows).

pub mod checklist;
pub mod count;
pub mod evidence;
pub mod incident;
#[cfg(feature = "photos")]
mod photo_field;

use crate::drafts::FormInput;
use crate::enrolment::EnrolmentState;
use crate::i18n::use_i18n;
use crate::kept::{read_kept, Kept};
use crate::outbox::{PhoneOutbox, SaveOutcome};
use crate::profile::{self, Profile};
use crate::routes::{navigate, FormKind, Route};
use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use leptos::prelude::*;
use pantau_core::validation::{scope_error, FieldError, ReportField};
use pantau_core::{Delivery, Report, ReportId};
use serde::Deserialize;
use time::OffsetDateTime;
use wasm_bindgen::JsCast;

/// Notified whenever a form's draft is written or cleared (the update banner
/// waits for a form with input). Provided by the app.
#[derive(Clone, Copy)]
pub struct DraftsChanged(pub Trigger);

/// A form's input, kept with gloo-storage on every change so that a reload or
/// a killed browser does not lose a half-filled form. A draft this version
/// cannot read (an older version's) is kept aside and the form says so: see
/// [`crate::kept::read_kept`]. Reports are never drafts.
#[derive(Clone, Copy, Debug)]
pub struct Draft {
    pub fields: RwSignal<FormInput>,
    key: &'static str,
    changed: Trigger,
}

impl Draft {
    /// The stored draft, or a fresh one made by `fresh`; and whether a stored
    /// one could not be read (see [`crate::kept::read_kept`]).
    pub fn load(key: &'static str, fresh: impl FnOnce() -> FormInput) -> (Draft, bool) {
        let (stored, unreadable) = match read_kept::<FormInput>(key) {
            Kept::Read(fields) => (Some(fields), false),
            Kept::Missing => (None, false),
            Kept::Unreadable => (None, true),
        };
        let fields = stored.filter(|d| *d != FormInput::default()).unwrap_or_else(fresh);
        (Draft { fields: RwSignal::new(fields), key, changed: expect_context::<DraftsChanged>().0 }, unreadable)
    }

    /// Changes the draft and keeps it at once (not in an effect: a reload right
    /// after a keystroke must find it).
    pub fn edit(&self, f: impl FnOnce(&mut FormInput)) {
        self.fields.update(f);
        self.keep();
    }

    pub fn replace(&self, fields: FormInput) {
        self.fields.set(fields);
        self.keep();
    }

    /// After a save: the form starts again from `fresh`, and no draft is kept
    /// until the volunteer types.
    pub fn clear(&self, fresh: FormInput) {
        self.fields.set(fresh);
        GlooLocalStorage::delete(self.key);
        self.changed.notify();
    }

    fn keep(&self) {
        if let Err(e) = self.fields.with_untracked(|d| GlooLocalStorage::set(self.key, d)) {
            leptos::logging::error!("could not keep the draft {}: {e}", self.key);
        }
        self.changed.notify();
    }

    /// Reads one field (tracked).
    pub fn get<R>(&self, f: impl FnOnce(&FormInput) -> R) -> R {
        self.fields.with(f)
    }
}

/// Where a form keeps the draft of a new report, and that of a refused
/// report being corrected, kept apart so that a correction never overwrites
/// a new report's draft.
fn draft_keys(kind: FormKind) -> [&'static str; 2] {
    match kind {
        FormKind::Checklist => ["pantau.draft.checklist", "pantau.draft.checklist.correction"],
        FormKind::Incident => ["pantau.draft.incident", "pantau.draft.incident.correction"],
        FormKind::CountResult => ["pantau.draft.count", "pantau.draft.count.correction"],
    }
}

fn holds_input(kind: FormKind) -> bool {
    draft_keys(kind).iter().any(|key| GlooLocalStorage::get::<FormInput>(key).is_ok_and(|d| !d.is_blank()))
}

/// Drops corrections left by a page that was reloaded or killed mid-correction:
/// no correction is open when the app starts, and a leftover one would count
/// as unsaved input for ever, hiding every update.
pub fn forget_abandoned_corrections() {
    for kind in FormKind::ALL {
        GlooLocalStorage::delete(draft_keys(kind)[1]);
    }
}

/// Whether any form holds typed-but-unsaved input (an app update waits for it).
pub fn any_draft_dirty() -> bool {
    FormKind::ALL.into_iter().any(holds_input)
}

/// The draft a form opens with: the refused report being corrected, or the
/// new report's draft. Leaving a correction abandons it; the refused report
/// stays as it was, ready to be corrected again.
pub fn open_draft(
    kind: FormKind,
    state: FormState,
    fresh: impl FnOnce() -> FormInput,
    from_report: impl Fn(&Report) -> Option<FormInput>,
) -> Draft {
    let outbox = expect_context::<PhoneOutbox>();
    let correcting = outbox
        .correcting()
        .get_untracked()
        .filter(|(k, _)| *k == kind)
        .and_then(|(_, id)| outbox.list().with_untracked(|o| o.get(id).and_then(|e| from_report(&e.report))));
    let [key, correction_key] = draft_keys(kind);
    let draft = match correcting {
        Some(fields) => {
            let (draft, _) = Draft::load(correction_key, FormInput::default);
            draft.replace(fields);
            draft
        }
        None => {
            let (draft, unreadable) = Draft::load(key, fresh);
            if unreadable {
                state.message.set(Some(FormMessage::DraftUnreadable));
            }
            draft
        }
    };
    let changed = expect_context::<DraftsChanged>().0;
    on_cleanup(move || {
        if outbox.stop_correcting() {
            GlooLocalStorage::delete(correction_key);
            changed.notify();
        }
    });
    draft
}

/// What a form says after "Simpan".
#[derive(Clone, Debug, PartialEq)]
pub enum FormMessage {
    /// Stored on the phone: the confirmation follows this report's state.
    Saved(ReportId),
    NotSaved(String),
    Invalid(Vec<FieldError>),
    /// The same report is already in the outbox, saved at this time.
    Twin(OffsetDateTime),
    /// The stored draft was written by an older version and could not be read.
    DraftUnreadable,
}

/// A form's state beside its draft, and the app state it saves through
/// (fetched when the form is made: event handlers run outside its owner).
#[derive(Clone, Copy)]
pub struct FormState {
    pub message: RwSignal<Option<FormMessage>>,
    pub saving: RwSignal<bool>,
    /// The twin the volunteer was told of: tapping Simpan again files anyway.
    pub twin_accepted: RwSignal<Option<ReportId>>,
    /// What the form adds to the save's confirmation (the checklist: which
    /// phase was filed, and which is next).
    pub saved_note: RwSignal<Option<String>>,
    /// Photos are being reduced (one pick at a time in the whole form, so a
    /// cheap phone holds one decoded photo); Simpan waits for them.
    pub reducing: RwSignal<bool>,
    outbox: PhoneOutbox,
    profile: RwSignal<Profile>,
    enrolment: RwSignal<Option<pantau_core::protocol::Enrolment>>,
    i18n: crate::i18n::I18n,
}

impl FormState {
    pub fn new() -> FormState {
        FormState {
            message: RwSignal::new(None),
            saving: RwSignal::new(false),
            twin_accepted: RwSignal::new(None),
            saved_note: RwSignal::new(None),
            reducing: RwSignal::new(false),
            outbox: expect_context::<PhoneOutbox>(),
            profile: expect_context::<RwSignal<Profile>>(),
            enrolment: expect_context::<EnrolmentState>().enrolled(),
            i18n: use_i18n(),
        }
    }

    /// Typing into the form after a save: the next report replaces the
    /// confirmation (other messages stay until the next Simpan).
    /// What the phone may report for once enrolled: one TPS, or a prefix of
    /// TPS codes (tracked).
    fn scope(self) -> Option<String> {
        self.enrolment.with(|e| e.as_ref().and_then(|e| e.volunteer.tps.clone()))
    }

    pub fn typing(self) {
        if matches!(self.message.get_untracked(), Some(FormMessage::Saved(_))) {
            self.message.set(None);
        }
    }

    /// The message for one field (tracked), in the volunteer's language.
    pub fn error(self, field: ReportField) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        let i18n = use_i18n();
        move || match self.message.get() {
            Some(FormMessage::Invalid(errors)) => {
                errors.iter().find(|e| e.at() == Some(field)).map(|e| e.message(i18n.lang()))
            }
            _ => None,
        }
    }

    /// Messages for every field of count row `row`, as filed (tracked).
    pub fn count_row_messages(self, row: usize, lang: crate::i18n::Lang) -> Vec<String> {
        match self.message.get() {
            Some(FormMessage::Invalid(errors)) => errors
                .iter()
                .filter(|e| e.at().and_then(ReportField::count_row) == Some(row))
                .map(|e| e.message(lang))
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl Default for FormState {
    fn default() -> Self {
        FormState::new()
    }
}

/// Saves what the form built through the outbox ([`PhoneOutbox::save`]) and
/// says what came of it; `on_saved` resets the form once the report is stored.
pub fn save_report(
    kind: FormKind,
    state: FormState,
    build: impl Fn(ReportId, OffsetDateTime) -> Result<Report, Vec<FieldError>>,
    on_saved: impl FnOnce() + 'static,
) {
    if state.saving.get_untracked() {
        return;
    }
    let (outbox, profile) = (state.outbox, state.profile);
    let t = crate::i18n::texts(state.i18n.0.get_untracked());
    state.saving.set(true);
    state.saved_note.set(None);
    // The server refuses a TPS outside the volunteer's scope: say so here, before it is queued.
    let scope = state.scope();
    let build = move |id, at| {
        let report = build(id, at)?;
        match scope.as_deref().and_then(|scope| scope_error(scope, &report.tps)) {
            Some(outside) => Err(vec![outside]),
            None => Ok(report),
        }
    };
    outbox.save(kind, state.twin_accepted.get_untracked(), t, build, move |outcome| {
        state.saving.set(false);
        let message = match outcome {
            SaveOutcome::Saved { id, correction, stored_tps } => {
                // The first TPS a volunteer files for becomes theirs, so the
                // next form starts with it.
                if let Some(tps) = stored_tps {
                    profile.update(|p| {
                        if p.tps.trim().is_empty() {
                            p.tps = tps;
                            p.save();
                        }
                    });
                }
                on_saved();
                // Back to where the correction began, where the report now
                // waits: the form must not stay tied to the correction's draft,
                // or a new report typed into it would be kept there, hidden.
                if correction {
                    navigate(Route::Outbox);
                }
                FormMessage::Saved(id)
            }
            SaveOutcome::Twin { twin, saved_at } => {
                state.twin_accepted.set(Some(twin));
                FormMessage::Twin(saved_at)
            }
            SaveOutcome::Invalid(errors) => FormMessage::Invalid(errors),
            SaveOutcome::NotSaved(why) => FormMessage::NotSaved(why),
        };
        let invalid = matches!(message, FormMessage::Invalid(_));
        state.message.set(Some(message));
        // Once the screen shows the message.
        request_animation_frame(move || if invalid { focus_first_error() } else { show_message() });
    });
}

/// Brings the first field the volunteer must correct into view, clear of the
/// header and the bottom bar, and puts the cursor in it (the button keeps it
/// otherwise, and the field may be a screen above).
fn focus_first_error() {
    let errors = document().query_selector_all("main .field-error").ok();
    let first = errors.and_then(|all| {
        (0..all.length())
            .filter_map(|i| all.item(i))
            .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
            .find(|e| !e.text_content().unwrap_or_default().is_empty())
    });
    let Some(error) = first else { return };
    // The field comes before its message: in its row, in its item's fieldset,
    // or as the message's nearest previous sibling that is a field.
    let field = match error.closest(".row, fieldset.item").ok().flatten() {
        Some(scope) => scope.query_selector("input, select, textarea").ok().flatten(),
        None => {
            let mut sibling = error.previous_element_sibling();
            while let Some(e) = sibling.clone().filter(|e| !e.matches("input, select, textarea").unwrap_or(false)) {
                sibling = e.previous_element_sibling();
            }
            sibling
        }
    };
    let target = field.unwrap_or(error);
    scroll_to_middle(&target);
    if let Ok(field) = target.dyn_into::<web_sys::HtmlElement>() {
        let _ = field.focus();
    }
}

/// Scrolls what the form says after Simpan into view: it sits below the button.
fn show_message() {
    if let Ok(Some(message)) = document().query_selector("main [data-testid=form-message]") {
        scroll_to_middle(&message);
    }
}

fn scroll_to_middle(element: &web_sys::Element) {
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Center);
    element.scroll_into_view_with_scroll_into_view_options(&options);
}

/// The TPS a report is about: the profile's by default. Once it reads as a
/// TPS the volunteer may report for, one line at the top of the form (a chip);
/// a volunteer enrolled for one TPS cannot change it, one enrolled for a
/// prefix may ("Ganti"), and a TPS outside the scope is named as such.
#[component]
pub fn TpsField(value: Signal<String>, on_input: Callback<String>, state: FormState) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(state.error(ReportField::Tps));
    let scope = move || state.scope();
    // Enrolled for one TPS: the only one this phone may report for.
    let only = move || scope().filter(|s| pantau_core::TpsCode::parse(s).is_ok());
    let changing = RwSignal::new(false);
    let outside = move || {
        let lang = i18n.lang();
        scope().and_then(|s| scope_error(&s, &value.get())).map(|e| e.message(lang))
    };
    // A memo: the field is drawn again only when it turns from chip to input
    // or back, not at every keystroke in the form.
    let chip = Memo::new(move |_| {
        !changing.get()
            && pantau_core::TpsCode::parse(&value.get()).is_ok()
            && outside().is_none()
            && state.message.with(|m| !matches!(m, Some(FormMessage::Invalid(_))))
    });
    let described = move || {
        let tps = value.get();
        profile::describe(&tps).unwrap_or_else(|| format!("TPS {}", pantau_core::TpsCode::normalise(&tps)))
    };
    move || {
        if chip.get() {
            view! {
                <p class="tps-chip" data-testid="tps-chip">
                    <span>{described}</span>
                    {only().is_none().then(|| view! {
                        <button type="button" class="link" data-testid="tps-change" on:click=move |_| changing.set(true)>
                            {i18n.word(|t| t.change)}
                        </button>
                    })}
                </p>
            }
            .into_any()
        } else {
            view! {
                <label for="tps">{i18n.word(|t| t.tps_label)}</label>
                <input id="tps" name="tps" inputmode="numeric" autocomplete="off" aria-describedby="tps-hint"
                    prop:value=move || value.get()
                    on:input=move |ev| on_input.run(event_target_value(&ev)) />
                <p id="tps-hint" class="hint">
                    {move || profile::describe(&value.get()).unwrap_or_else(|| i18n.t().tps_hint.to_owned())}
                </p>
                <p class="field-error" role="alert">{move || error.get().or_else(outside)}</p>
                {move || only().filter(|own| outside().is_some() && *own != value.get()).map(|own| view! {
                    <button type="button" class="secondary" data-testid="tps-use-own" on:click=move |_| on_input.run(own.clone())>
                        {i18n.word(|t| t.use_own_tps)} " " {own.clone()}
                    </button>
                })}
            }
            .into_any()
        }
    }
}

/// "Simpan", and what came of it.
#[component]
pub fn SaveButton(state: FormState) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = expect_context::<PhoneOutbox>();
    let ready = outbox.ready();
    let editing = outbox.correcting();
    view! {
        <button type="submit" class="primary" data-testid="save" prop:disabled=move || !ready.get() || state.saving.get() || state.reducing.get()>
            {move || {
                let t = i18n.t();
                if !ready.get() { t.loading } else if state.saving.get() { t.saving } else if editing.get().is_some() { t.save_correction } else { t.save }
            }}
        </button>
        {move || match state.message.get() {
            Some(FormMessage::Saved(id)) => view! { <SavedCard id state/> }.into_any(),
            _ => view! {
                <p class="form-message" role="status" data-testid="form-message">{move || message_text(state, i18n)}</p>
            }.into_any(),
        }}
    }
}

/// What the form says after Simpan, other than a save (see [`SavedCard`]).
fn message_text(state: FormState, i18n: crate::i18n::I18n) -> String {
    let t = i18n.t();
    match state.message.get() {
        Some(FormMessage::Saved(_)) | None => String::new(),
        Some(FormMessage::NotSaved(why)) => format!("{}: {why}", t.not_saved),
        Some(FormMessage::Invalid(errors)) => format!("{} ({})", t.fix_fields, errors.len()),
        Some(FormMessage::DraftUnreadable) => format!("{}. {}", t.draft_unreadable, t.draft_check),
        Some(FormMessage::Twin(saved_at)) => {
            let at = crate::clock::format_clock(crate::clock::millis(saved_at));
            format!("{} {at}. {}", t.twin_saved_at, t.twin_advice)
        }
    }
}

/// What became of a report just saved, kept above the bottom bar until the
/// volunteer moves on: where it is now, and its state as it changes (waiting,
/// sending, sent with its receipt number).
#[component]
fn SavedCard(id: ReportId, state: FormState) -> impl IntoView {
    let i18n = use_i18n();
    let list = expect_context::<PhoneOutbox>().list();
    let delivery = move || list.with(|o| o.get(id).map(|e| e.delivery.clone()));
    let said = move || {
        let t = i18n.t();
        match delivery() {
            Some(Delivery::Waiting { .. }) => t.saved_waiting.to_owned(),
            Some(Delivery::Sending { .. }) => t.saved_sending.to_owned(),
            Some(Delivery::Sent { receipt }) => format!("{} {}", t.saved_sent, receipt.seq),
            Some(Delivery::Rejected { .. } | Delivery::Conflict { .. }) => t.saved_refused.to_owned(),
            None => String::new(),
        }
    };
    let sent = move || matches!(delivery(), Some(Delivery::Sent { .. }));
    let another = move |_| {
        state.message.set(None);
        window().scroll_to_with_x_and_y(0.0, 0.0);
    };
    view! {
        <section class="saved-card" class:sent=sent aria-labelledby="saved-title" data-testid="saved-card">
            <p id="saved-title" class="form-message" role="status" data-testid="form-message">{i18n.word(|t| t.saved_title)}</p>
            {move || state.saved_note.get().map(|note| view! { <p data-testid="saved-note">{note}</p> })}
            <p aria-live="polite" data-testid="saved-state">{said}</p>
            <div class="card-actions">
                <a class="button" href=Route::Outbox.href() data-testid="see-outbox">{i18n.word(|t| t.see_in_outbox)}</a>
                <button type="button" class="secondary" on:click=another data-testid="another-report">{i18n.word(|t| t.another_report)}</button>
            </div>
        </section>
    }
}

/// The first version's single note draft, `{tps, text}`: its text moves into the
/// incident form's description so nothing typed is lost.
#[derive(Deserialize)]
struct OldDraft {
    #[serde(default)]
    tps: String,
    #[serde(default)]
    text: String,
}

pub fn migrate_old_draft() {
    const OLD_KEY: &str = "pantau.draft";
    let Ok(old) = GlooLocalStorage::get::<OldDraft>(OLD_KEY) else { return };
    let [incident_key, _] = draft_keys(FormKind::Incident);
    if !old.text.trim().is_empty() {
        let mut draft: FormInput = GlooLocalStorage::get(incident_key).unwrap_or_default();
        if draft.description.trim().is_empty() {
            draft.description = old.text;
            if draft.tps.is_empty() {
                draft.tps = old.tps;
            }
            if GlooLocalStorage::set(incident_key, &draft).is_err() {
                return;
            }
        }
    }
    GlooLocalStorage::delete(OLD_KEY);
}

/// A fresh draft's TPS: the profile's.
pub fn profile_tps() -> String {
    expect_context::<RwSignal<Profile>>().with_untracked(|p| p.tps.clone())
}

/// Helper for form code: `Ok` when there are no errors.
pub fn errors_or<T>(errors: Vec<FieldError>, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
    if errors.is_empty() {
        Ok(value())
    } else {
        Err(errors)
    }
}
