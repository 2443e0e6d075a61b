//! The three report forms and what they share: drafts kept on every change,
//! the TPS field, and saving through the outbox (validated by pantau-core,
//! stored in IndexedDB before "Tersimpan" shows).

pub mod checklist;
pub mod count;
pub mod incident;

use crate::app::{now, use_ctx, Ctx, FormKind};
use crate::i18n::use_i18n;
use crate::outbox_store::StoreError;
use crate::profile;
use crate::sync::announce;
use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use leptos::prelude::*;
use pantau_core::outbox::{EditError, SaveError};
use pantau_core::validation::FieldError;
use pantau_core::{Report, ReportId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// A form's fields as typed, kept with gloo-storage on every change so that a
/// reload or a killed browser does not lose a half-filled form. A draft this
/// version cannot read (an older version's) is kept aside and the form says
/// so: see [`read_kept`]. Reports are never drafts.
#[derive(Debug)]
pub struct Draft<T: Send + Sync + 'static> {
    pub fields: RwSignal<T>,
    key: &'static str,
    changed: Trigger,
}

impl<T: Send + Sync + 'static> Clone for Draft<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Draft<T> {}

impl<T> Draft<T>
where
    T: Serialize + DeserializeOwned + Default + Clone + PartialEq + Send + Sync + 'static,
{
    /// The stored draft, or a fresh one made by `fresh`; and whether a stored
    /// one could not be read (see [`read_kept`]).
    pub fn load(key: &'static str, fresh: impl FnOnce() -> T) -> (Draft<T>, bool) {
        let (stored, unreadable) = match read_kept::<T>(key) {
            Kept::Read(fields) => (Some(fields), false),
            Kept::Missing => (None, false),
            Kept::Unreadable => (None, true),
        };
        let fields = stored.filter(|d| *d != T::default()).unwrap_or_else(fresh);
        (Draft { fields: RwSignal::new(fields), key, changed: use_ctx().drafts_changed }, unreadable)
    }

    /// Changes the draft and keeps it at once (not in an effect: a reload right
    /// after a keystroke must find it).
    pub fn edit(&self, f: impl FnOnce(&mut T)) {
        self.fields.update(f);
        self.keep();
    }

    pub fn replace(&self, fields: T) {
        self.fields.set(fields);
        self.keep();
    }

    /// After a save: the form starts again from `fresh`, and no draft is kept
    /// until the volunteer types.
    pub fn clear(&self, fresh: T) {
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
    pub fn get<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.fields.with(f)
    }
}

/// What a key kept in gloo-storage holds.
#[derive(Debug, PartialEq)]
pub enum Kept<T> {
    Missing,
    Read(T),
    /// Written by an older version in a shape this one cannot read. The text
    /// is kept aside under `<key>.unreadable`, where the next keystroke cannot
    /// overwrite it and whoever helps the volunteer can read it back.
    Unreadable,
}

/// Reads a kept draft or profile. Whole or not at all: reading field by field
/// through `serde_json::Value` was measured at 6 KB brotli more for every
/// volunteer, for a case that only a change of a draft's field types makes.
pub fn read_kept<T: DeserializeOwned>(key: &str) -> Kept<T> {
    let Some(raw) = GlooLocalStorage::raw().get_item(key).ok().flatten() else { return Kept::Missing };
    match serde_json::from_str::<T>(&raw) {
        Ok(kept) => Kept::Read(kept),
        Err(e) => {
            let aside = format!("{key}.unreadable");
            if let Err(e) = GlooLocalStorage::raw().set_item(&aside, &raw) {
                leptos::logging::error!("could not keep {key} aside: {e:?}");
            }
            leptos::logging::warn!("{key} could not be read ({e}); kept as {aside}");
            Kept::Unreadable
        }
    }
}

/// A form's draft type: where it is kept, and whether it holds any input.
pub trait FormDraft: Serialize + DeserializeOwned + Default + Clone + PartialEq + Send + Sync + 'static {
    /// The draft of a new report.
    const KEY: &'static str;
    /// The draft of a refused report being corrected, kept apart so that a
    /// correction never overwrites a new report's draft.
    const CORRECTION_KEY: &'static str;
    /// Nothing typed: only what the form fills in itself (TPS, phase, time).
    fn is_blank(&self) -> bool;
}

fn holds_input<T: FormDraft>() -> bool {
    [T::KEY, T::CORRECTION_KEY].iter().any(|key| GlooLocalStorage::get::<T>(key).is_ok_and(|d| !d.is_blank()))
}

/// Drops corrections left by a page that was reloaded or killed mid-correction:
/// no correction is open when the app starts, and a leftover one would count
/// as unsaved input for ever, hiding every update.
pub fn forget_abandoned_corrections() {
    for key in [
        <checklist::ChecklistDraft as FormDraft>::CORRECTION_KEY,
        <incident::IncidentDraft as FormDraft>::CORRECTION_KEY,
        <count::CountDraft as FormDraft>::CORRECTION_KEY,
    ] {
        GlooLocalStorage::delete(key);
    }
}

/// Whether any form holds typed-but-unsaved input (an app update waits for it).
pub fn any_draft_dirty() -> bool {
    holds_input::<checklist::ChecklistDraft>()
        || holds_input::<incident::IncidentDraft>()
        || holds_input::<count::CountDraft>()
}

/// The draft a form opens with: the refused report being corrected, or the
/// new report's draft. Leaving a correction abandons it; the refused report
/// stays as it was, ready to be corrected again.
pub fn open_draft<T: FormDraft>(
    kind: FormKind,
    state: FormState,
    fresh: impl FnOnce() -> T,
    from_report: impl Fn(&Report) -> Option<T>,
) -> Draft<T> {
    let ctx = use_ctx();
    let correcting = ctx
        .editing
        .get_untracked()
        .filter(|(k, _)| *k == kind)
        .and_then(|(_, id)| ctx.outbox.with_untracked(|o| o.get(id).and_then(|e| from_report(&e.report))));
    let draft = match correcting {
        Some(fields) => {
            let (draft, _) = Draft::load(T::CORRECTION_KEY, T::default);
            draft.replace(fields);
            draft
        }
        None => {
            let (draft, unreadable) = Draft::load(T::KEY, fresh);
            if unreadable {
                state.message.set(Some(FormMessage::DraftUnreadable));
            }
            draft
        }
    };
    let editing = ctx.editing;
    let changed = ctx.drafts_changed;
    on_cleanup(move || {
        if editing.try_get_untracked().flatten().is_some() {
            let _ = editing.try_set(None);
            GlooLocalStorage::delete(T::CORRECTION_KEY);
            changed.notify();
        }
    });
    draft
}

/// What a form says after "Simpan".
#[derive(Clone, Debug, PartialEq)]
pub enum FormMessage {
    Saved,
    NotSaved(String),
    Invalid(Vec<FieldError>),
    /// The same report is already in the outbox, saved at this time.
    Twin(OffsetDateTime),
    /// The stored draft was written by an older version and could not be read.
    DraftUnreadable,
}

#[derive(Clone, Copy)]
pub struct FormState {
    pub message: RwSignal<Option<FormMessage>>,
    pub saving: RwSignal<bool>,
    /// The twin the volunteer was told of: tapping Simpan again files anyway.
    pub twin_accepted: RwSignal<Option<ReportId>>,
}

impl FormState {
    pub fn new() -> FormState {
        FormState { message: RwSignal::new(None), saving: RwSignal::new(false), twin_accepted: RwSignal::new(None) }
    }

    /// The message for one field (tracked), in the volunteer's language.
    pub fn error(self, field: impl Into<String>) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        let i18n = use_i18n();
        let field = field.into();
        move || match self.message.get() {
            Some(FormMessage::Invalid(errors)) => {
                errors.iter().find(|e| e.field == field).map(|e| e.message(i18n.lang()))
            }
            _ => None,
        }
    }

    /// Messages for every field under `prefix` (tracked).
    pub fn messages_under(self, prefix: &str, lang: crate::i18n::Lang) -> Vec<String> {
        match self.message.get() {
            Some(FormMessage::Invalid(errors)) => {
                errors.iter().filter(|e| e.field.starts_with(prefix)).map(|e| e.message(lang)).collect()
            }
            _ => Vec::new(),
        }
    }
}

impl Default for FormState {
    fn default() -> Self {
        FormState::new()
    }
}

/// A new report as built at a tap of *Simpan*, kept until the save is
/// confirmed. Why: a save whose end the page never saw (the app killed between
/// IndexedDB's commit and the screen, or a report put back from its second
/// copy after a write that failed) leaves the form filled; saving the same
/// report again under a new id would reach the server as a second report. Only
/// the same report resumes the attempt (its id and time): another tab's form,
/// or a form changed since, is a new report.
struct SaveAttempt;

impl SaveAttempt {
    fn key(kind: FormKind) -> String {
        format!("pantau.saving.{}", kind.slug())
    }

    fn kept(kind: FormKind) -> Option<Report> {
        GlooLocalStorage::get(Self::key(kind)).ok()
    }

    fn keep(kind: FormKind, report: &Report) {
        if let Err(e) = GlooLocalStorage::set(Self::key(kind), report) {
            leptos::logging::warn!("could not keep the save attempt: {e}");
        }
    }

    /// Unless another tab has started its own attempt since.
    fn forget(kind: FormKind, report: &Report) {
        if Self::kept(kind).is_some_and(|kept| kept.canonical_json() == report.canonical_json()) {
            GlooLocalStorage::delete(Self::key(kind));
        }
    }
}

/// Validates and stores a report built by `build` (given the id and time it
/// gets: the unconfirmed attempt's or new ones, or the corrected report's
/// own), then calls `on_saved`.
pub fn save_report(
    ctx: &Ctx,
    kind: FormKind,
    state: FormState,
    build: impl Fn(ReportId, OffsetDateTime) -> Result<Report, Vec<FieldError>>,
    on_saved: impl FnOnce() + 'static,
) {
    let t = crate::i18n::texts(ctx.i18n.0.get_untracked());
    if state.saving.get_untracked() {
        return;
    }
    let Some(store) = ctx.engine.store.get_value() else { return };
    let outbox = ctx.outbox;
    let editing = ctx.editing.get_untracked().filter(|(k, _)| *k == kind).map(|(_, id)| id);
    let original = editing.and_then(|id| outbox.with_untracked(|o| o.get(id).map(|e| (id, e.report.created_at))));
    // Removed in another tab while this one corrected it: filing the correction
    // as a new report would bring back what the volunteer chose to remove.
    if editing.is_some() && original.is_none() {
        return state.message.set(Some(FormMessage::NotSaved(t.correction_gone.to_owned())));
    }
    // The unconfirmed attempt of this form, if this is the report it was for.
    let resumed =
        original.is_none().then(|| SaveAttempt::kept(kind)).flatten().and_then(|kept| {
            build(kept.id, kept.created_at).ok().filter(|r| r.canonical_json() == kept.canonical_json())
        });
    let report = match resumed {
        Some(report) => report,
        None => {
            let (id, created_at) = original.unwrap_or_else(|| (ReportId(Uuid::new_v4()), now()));
            match build(id, created_at) {
                Ok(report) => report,
                Err(errors) => return state.message.set(Some(FormMessage::Invalid(errors))),
            }
        }
    };
    let attempt = original.is_none().then(|| report.clone());
    // The earlier attempt was saved after all: this is the same report.
    if let Some(attempt) = attempt.as_ref().filter(|a| outbox.with_untracked(|o| o.get(a.id).is_some())) {
        SaveAttempt::forget(kind, attempt);
        on_saved();
        return state.message.set(Some(FormMessage::Saved));
    }
    // The same words already queued or sent: most likely that report, its
    // attempt lost with a kill that left the draft. Asked, not assumed (two
    // real incidents can read alike): a second tap files it.
    if let Some(attempt) = &attempt {
        let twin = outbox.with_untracked(|o| o.twin_of(attempt).map(|e| (e.report.id, e.report.created_at)));
        if let Some((twin, saved_at)) = twin.filter(|(id, _)| state.twin_accepted.get_untracked() != Some(*id)) {
            state.twin_accepted.set(Some(twin));
            return state.message.set(Some(FormMessage::Twin(saved_at)));
        }
    }
    // Only checked here: the outbox changes once storage has the report.
    let checked = match original {
        Some(_) => outbox.with_untracked(|o| o.check_edit(report)).map_err(|e| match e {
            EditError::Invalid(errors) => FormMessage::Invalid(errors),
            EditError::NotFound(_) | EditError::NotEditable(_) => FormMessage::NotSaved(t.not_editable.to_owned()),
        }),
        None => outbox.with_untracked(|o| o.check_save(report)).map_err(|e| match e {
            SaveError::Invalid(errors) => FormMessage::Invalid(errors),
            SaveError::AlreadySaved(_) => FormMessage::NotSaved(t.already_saved.to_owned()),
        }),
    };
    let entry = match checked {
        Ok(entry) => entry,
        Err(m) => return state.message.set(Some(m)),
    };
    if let Some(attempt) = &attempt {
        SaveAttempt::keep(kind, attempt);
    }
    let correcting = original.is_some();
    state.saving.set(true);
    let engine = ctx.engine.clone();
    let editing_signal = ctx.editing;
    let profile = ctx.profile;
    leptos::task::spawn_local(async move {
        let stored = store.put(&entry).await;
        state.saving.set(false);
        match stored {
            Ok(()) => {
                if let Some(attempt) = &attempt {
                    SaveAttempt::forget(kind, attempt);
                }
                outbox.update(|o| {
                    o.absorb(entry.clone());
                });
                engine.channel.with_value(|c| announce(c.as_ref(), [entry.report.id]));
                // Only this correction is over: the volunteer may have opened
                // another one while the write was on its way to disk.
                if editing_signal.get_untracked() == Some((kind, entry.report.id)) {
                    editing_signal.set(None);
                }
                // The first TPS a volunteer files for becomes theirs, so the
                // next form starts with it.
                profile.update(|p| {
                    if p.tps.trim().is_empty() {
                        p.tps = entry.report.tps.clone();
                        p.save();
                    }
                });
                on_saved();
                state.message.set(Some(FormMessage::Saved));
                engine.trigger();
                // Back to where the correction began, where the report now
                // waits: the form must not stay tied to the correction's draft,
                // or a new report typed into it would be kept there, hidden.
                if correcting {
                    let _ = window().location().set_hash(&crate::app::Route::Outbox.href());
                }
            }
            Err(e @ StoreError::AlreadySent) => state.message.set(Some(FormMessage::NotSaved(e.message(t)))),
            Err(e @ StoreError::QuotaExceeded(_)) => {
                state.message.set(Some(FormMessage::NotSaved(format!("{}. {}", e.message(t), t.quota_advice))))
            }
            Err(e) => state.message.set(Some(FormMessage::NotSaved(format!("{}. {}", e.message(t), t.retry_advice)))),
        }
    });
}

/// The TPS a report is about: the profile's by default, changeable per report.
#[component]
pub fn TpsField(value: Signal<String>, on_input: Callback<String>, state: FormState) -> impl IntoView {
    let i18n = use_i18n();
    let error = state.error("tps");
    view! {
        <label for="tps">{move || i18n.t().tps_label}</label>
        <input id="tps" name="tps" inputmode="numeric" autocomplete="off" aria-describedby="tps-hint"
            prop:value=move || value.get()
            on:input=move |ev| on_input.run(event_target_value(&ev)) />
        <p id="tps-hint" class="hint">
            {move || profile::describe(&value.get()).unwrap_or_else(|| i18n.t().tps_hint.to_owned())}
        </p>
        <p class="field-error" role="alert">{error}</p>
    }
}

/// "Simpan", and what came of it.
#[component]
pub fn SaveButton(state: FormState) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let ready = ctx.ready;
    let editing = ctx.editing;
    view! {
        <button type="submit" class="primary" data-testid="save" prop:disabled=move || !ready.get() || state.saving.get()>
            {move || {
                let t = i18n.t();
                if !ready.get() { t.loading } else if state.saving.get() { t.saving } else if editing.get().is_some() { t.save_correction } else { t.save }
            }}
        </button>
        <p class="form-message" role="status" data-testid="form-message">
            {move || {
                let t = i18n.t();
                match state.message.get() {
                    Some(FormMessage::Saved) => t.saved.to_owned(),
                    Some(FormMessage::NotSaved(why)) => format!("{}: {why}", t.not_saved),
                    Some(FormMessage::Invalid(errors)) => format!("{} ({})", t.fix_fields, errors.len()),
                    Some(FormMessage::DraftUnreadable) => format!("{}. {}", t.draft_unreadable, t.draft_check),
                    Some(FormMessage::Twin(saved_at)) => {
                        format!("{} {}. {}", t.twin_saved_at, crate::app::format_clock(crate::app::millis(saved_at)), t.twin_advice)
                    }
                    None => String::new(),
                }
            }}
        </p>
    }
}

/// The foundation's single note draft, `{tps, text}`: its text moves into the
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
    if !old.text.trim().is_empty() {
        let mut draft: incident::IncidentDraft = GlooLocalStorage::get(incident::DRAFT_KEY).unwrap_or_default();
        if draft.description.trim().is_empty() {
            draft.description = old.text;
            if draft.tps.is_empty() {
                draft.tps = old.tps;
            }
            if GlooLocalStorage::set(incident::DRAFT_KEY, &draft).is_err() {
                return;
            }
        }
    }
    GlooLocalStorage::delete(OLD_KEY);
}

/// A fresh draft's TPS: the profile's.
pub fn profile_tps() -> String {
    use_ctx().profile.with_untracked(|p| p.tps.clone())
}

/// Helper for form code: `Ok` when there are no errors.
pub fn errors_or<T>(errors: Vec<FieldError>, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
    if errors.is_empty() {
        Ok(value())
    } else {
        Err(errors)
    }
}
