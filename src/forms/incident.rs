//! Laporan kejadian: what a Bawaslu report needs (Perbawaslu 7/2022): the
//! category, when and where, what happened, who did it, who saw it; plus an
//! urgent flag for the coordinator.

use super::evidence::{LocationField, PhotosField};
use super::{errors_or, open_draft, profile_tps, save_report, FormState, SaveButton, TpsField};
use crate::clock::now;
use crate::drafts::FormInput;
use crate::i18n::use_i18n;
use crate::outbox::PhoneOutbox;
use crate::routes::FormKind;
use leptos::prelude::*;
use pantau_core::validation::{FieldError, FieldErrorCode, ReportField};
use pantau_core::{IncidentCategory, Report, ReportBody};
use time::OffsetDateTime;

/// A blank incident form: the volunteer's TPS.
fn fresh() -> FormInput {
    FormInput { tps: profile_tps(), ..FormInput::default() }
}

/// The form as it was when `report` was filed, to correct it.
pub fn from_report(report: &Report) -> Option<FormInput> {
    match &report.body {
        ReportBody::Incident { category, occurred_at, place, description, reported_party, witnesses, urgent } => {
            Some(FormInput {
                tps: report.tps.clone(),
                category: category.as_str().to_owned(),
                occurred_at: to_local_input(*occurred_at),
                place: place.clone(),
                description: description.clone(),
                reported_party: reported_party.clone(),
                witnesses: witnesses.clone(),
                urgent: *urgent,
                photos: report.photos.clone(),
                position: report.position,
                ..FormInput::default()
            })
        }
        _ => None,
    }
}

/// The report the form holds, or every field the volunteer must correct.
fn build(input: &FormInput, id: pantau_core::ReportId, created_at: OffsetDateTime) -> Result<Report, Vec<FieldError>> {
    let mut errors = Vec::new();
    let category = IncidentCategory::parse(&input.category);
    if category.is_none() {
        errors.push(FieldError::new(ReportField::Category, FieldErrorCode::Required));
    }
    let occurred_at = from_local_input(&input.occurred_at);
    if occurred_at.is_none() {
        errors.push(FieldError::new(ReportField::OccurredAt, FieldErrorCode::Required));
    }
    let report = |category, occurred_at| {
        let mut report = Report::new(
            id,
            &input.tps,
            created_at,
            ReportBody::Incident {
                category,
                occurred_at,
                place: input.place.trim().to_owned(),
                description: input.description.trim().to_owned(),
                reported_party: input.reported_party.trim().to_owned(),
                witnesses: input.witnesses.trim().to_owned(),
                urgent: input.urgent,
            },
        );
        report.photos = input.photos.clone();
        report.position = input.position;
        report
    };
    // Validate the rest too, so every wrong field shows at once.
    let probe = report(category.unwrap_or(IncidentCategory::Other), occurred_at.unwrap_or(created_at));
    if let Err(more) = probe.validate() {
        errors.extend(more);
    }
    errors_or(errors, || probe)
}

#[component]
pub fn IncidentForm() -> impl IntoView {
    let i18n = use_i18n();
    let outbox = expect_context::<PhoneOutbox>();
    let state = FormState::new();
    let draft = open_draft(FormKind::Incident, state, fresh, from_report);
    // A blank form has no time: the volunteer chooses it ("Baru saja", or the
    // time she types). A default filled in for her was filed unseen: a report
    // that said "pukul 09.15" was stored at 17.56. A time left from an earlier
    // visit would be worse. Shown, not kept: opening a form is not typing in it.
    if draft.fields.with_untracked(FormInput::is_blank) {
        draft.fields.update(|d| d.occurred_at.clear());
    }
    let set_time = move |minutes_ago: i64| {
        let at = now() - time::Duration::minutes(minutes_ago);
        draft.edit(|d| d.occurred_at = to_local_input(at));
    };
    let submit = {
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let fields = draft.fields.get_untracked();
            let tps = fields.tps.clone();
            save_report(
                FormKind::Incident,
                state,
                move |id, at| build(&fields, id, at),
                move || draft.clear(FormInput { tps: pantau_core::TpsCode::normalise(&tps), ..FormInput::default() }),
            );
        }
    };
    let text = move |label: fn(&'static crate::i18n::Texts) -> &'static str,
                     id: &'static str,
                     field: ReportField,
                     get: fn(&FormInput) -> &String,
                     set: fn(&mut FormInput, String),
                     long: bool| {
        let error = state.error(field);
        let value = move || draft.get(|d| get(d).clone());
        let on_input = move |ev| {
            let v = event_target_value(&ev);
            draft.edit(|d| set(d, v));
        };
        view! {
            <label for=id>{move || label(i18n.t())}</label>
            {if long {
                view! { <textarea id=id rows="5" prop:value=value on:input=on_input></textarea> }.into_any()
            } else {
                view! { <input id=id autocomplete="off" prop:value=value on:input=on_input /> }.into_any()
            }}
            <p class="field-error" role="alert">{error}</p>
        }
    };
    // A time later than the phone's clock, or past Bawaslu's 7-day window, is
    // warned about as it is typed, and saved all the same. Measured from the
    // time the report will carry: a correction keeps its original one.
    let reported_at = outbox
        .correcting()
        .get_untracked()
        .filter(|(kind, _)| *kind == FormKind::Incident)
        .and_then(|(_, id)| outbox.list().with_untracked(|o| o.get(id).map(|e| e.report.created_at)));
    let time_warning = move || {
        draft
            .get(|d| from_local_input(&d.occurred_at))
            .and_then(|at| pantau_core::validation::incident_time_warning(reported_at.unwrap_or_else(now), at))
            .map(|w| w.message(i18n.lang()))
    };
    view! {
        <form on:submit=submit on:input=move |_| state.typing() novalidate data-testid="incident-form">
            <h2>{i18n.word(|t| t.incident_heading)}</h2>
            <TpsField value=Signal::derive(move || draft.get(|d| d.tps.clone())) on_input=Callback::new(move |v: String| draft.edit(|d| d.tps = v)) state/>

            <label for="category">{i18n.word(|t| t.category_label)}</label>
            <select id="category" prop:value=move || draft.get(|d| d.category.clone())
                on:change=move |ev| { let v = event_target_value(&ev); draft.edit(|d| d.category = v) }>
                <option value="">{i18n.word(|t| t.choose)}</option>
                {IncidentCategory::ALL.into_iter().map(|c| view! {
                    <option value=c.as_str()>{move || c.label(i18n.lang())}</option>
                }).collect::<Vec<_>>()}
            </select>
            <p class="field-error" role="alert">{state.error(ReportField::Category)}</p>

            <label for="occurred-at">{i18n.word(|t| t.occurred_at_label)}</label>
            <div class="quick-times" role="group" aria-label=i18n.word(|t| t.quick_times)>
                <button type="button" class="secondary" data-testid="time-now" on:click=move |_| set_time(0)>{i18n.word(|t| t.just_now)}</button>
                <button type="button" class="secondary" data-testid="time-30" on:click=move |_| set_time(30)>{i18n.word(|t| t.half_hour_ago)}</button>
                <button type="button" class="secondary" data-testid="time-60" on:click=move |_| set_time(60)>{i18n.word(|t| t.hour_ago)}</button>
            </div>
            <input id="occurred-at" type="datetime-local" aria-describedby="occurred-at-hint" prop:value=move || draft.get(|d| d.occurred_at.clone())
                on:input=move |ev| { let v = event_target_value(&ev); draft.edit(|d| d.occurred_at = v) } />
            <p id="occurred-at-hint" class="hint">{i18n.word(|t| t.occurred_at_hint)}</p>
            <p class="field-error" role="alert">{state.error(ReportField::OccurredAt)}</p>
            <Show when=move || time_warning().is_some()>
                <p class="caution" role="status" data-testid="time-warning">{time_warning}</p>
            </Show>

            {text(|t| t.place_label, "place", ReportField::Place, |d| &d.place, |d, v| d.place = v, false)}
            {text(|t| t.description_label, "description", ReportField::Description, |d| &d.description, |d, v| d.description = v, true)}
            {text(|t| t.reported_party_label, "reported-party", ReportField::ReportedParty, |d| &d.reported_party, |d, v| d.reported_party = v, false)}
            {text(|t| t.witnesses_label, "witnesses", ReportField::Witnesses, |d| &d.witnesses, |d, v| d.witnesses = v, false)}

            <PhotosField draft hint=|t| t.photo().photos_hint_incident
                state/>
            <LocationField draft/>

            <label class="check">
                <input type="checkbox" id="urgent" prop:checked=move || draft.get(|d| d.urgent)
                    on:change=move |ev| { let v = event_target_checked(&ev); draft.edit(|d| d.urgent = v) } />
                <span>{i18n.word(|t| t.urgent_label)}</span>
            </label>

            <SaveButton state/>
        </form>
    }
}

/// "2026-02-14T09:40" in the phone's local time.
pub fn to_local_input(t: OffsetDateTime) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(crate::clock::millis(t)));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// A `datetime-local` value read as the phone's local time, keeping its offset
/// (a report from Balikpapan says +08:00).
pub fn from_local_input(value: &str) -> Option<OffsetDateTime> {
    if value.len() < 16 {
        return None;
    }
    crate::clock::local_time(&js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value)))
}
