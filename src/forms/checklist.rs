//! Checklist TPS: one phase of polling day at a time, every item answered Ya /
//! Tidak / Tidak tahu, with a note where something was wrong or unseen.

use super::{open_draft, profile_tps, save_report, FormState, SaveButton, TpsField};
use crate::drafts::FormInput;
use crate::i18n::use_i18n;
use crate::routes::FormKind;
use leptos::prelude::*;
use pantau_core::checklist::{Answer, Phase};
use pantau_core::validation::{FieldError, FieldErrorCode, ReportField};
use pantau_core::{ChecklistAnswer, Report, ReportBody};

/// A blank checklist at the phase the volunteer is at: the one after the
/// last she filed (kept across reloads), Pembukaan on her first.
fn fresh() -> FormInput {
    let phase = crate::kept::checklist_phase().and_then(|p| Phase::parse(&p)).unwrap_or(Phase::Opening);
    FormInput { tps: profile_tps(), phase: phase.as_str().into(), ..FormInput::default() }
}

/// The form as it was when `report` was filed, to correct it.
pub fn from_report(report: &Report) -> Option<FormInput> {
    match &report.body {
        ReportBody::Checklist { phase, answers } => Some(FormInput {
            tps: report.tps.clone(),
            phase: phase.as_str().to_owned(),
            answers: answers.iter().map(|a| (a.item.clone(), a.answer.as_str().to_owned())).collect(),
            notes: answers.iter().filter(|a| !a.note.is_empty()).map(|a| (a.item.clone(), a.note.clone())).collect(),
            photos: report.photos.clone(),
            ..FormInput::default()
        }),
        _ => None,
    }
}

/// The report the form holds for its phase, or why it cannot be filed.
fn build(
    input: &FormInput,
    id: pantau_core::ReportId,
    created_at: time::OffsetDateTime,
) -> Result<Report, Vec<FieldError>> {
    let Some(phase) = Phase::parse(&input.phase) else {
        return Err(vec![FieldError::new(ReportField::Phase, FieldErrorCode::Required)]);
    };
    // Only this phase's items: answers kept from another phase stay in the
    // draft but are not filed with this one.
    let answers = phase
        .items()
        .filter_map(|item| {
            let answer = Answer::parse(input.answers.get(item.id)?)?;
            let note = input.notes.get(item.id).map(|n| n.trim().to_owned()).unwrap_or_default();
            Some(ChecklistAnswer { item: item.id.to_owned(), answer, note })
        })
        .collect();
    let mut report = Report::new(id, &input.tps, created_at, ReportBody::Checklist { phase, answers });
    // Photos of items this report answers Tidak; those of another phase's
    // items, or of an answer since changed, stay in the draft only.
    let no = |item: &str| input.answers.get(item).map(String::as_str) == Some(Answer::No.as_str());
    report.photos = input
        .photos
        .iter()
        .filter(|p| p.item.as_deref().is_some_and(|i| no(i) && phase.items().any(|it| it.id == i)))
        .cloned()
        .collect();
    report.validate().map(|()| report)
}

#[component]
pub fn ChecklistForm() -> impl IntoView {
    let i18n = use_i18n();
    let state = FormState::new();
    let draft = open_draft(FormKind::Checklist, state, fresh, from_report);
    // A memo: answering an item must not redraw the whole list.
    let phase_memo = Memo::new(move |_| draft.get(|d| Phase::parse(&d.phase)).unwrap_or(Phase::Opening));
    let phase = move || phase_memo.get();
    let submit = {
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let fields = draft.fields.get_untracked();
            let filed_phase = Phase::parse(&fields.phase);
            let tps = pantau_core::TpsCode::normalise(&fields.tps);
            save_report(
                FormKind::Checklist,
                state,
                move |id, at| build(&fields, id, at),
                move || {
                    // The next phase is what comes next on polling day.
                    let next = match filed_phase {
                        Some(Phase::Opening) => Phase::Voting,
                        _ => Phase::Counting,
                    };
                    // Only the filed phase's answers go: what was already
                    // answered for another phase (or typed while saving) stays.
                    let mut rest = draft.fields.get_untracked();
                    if let Some(filed) = filed_phase {
                        for item in filed.items() {
                            rest.answers.remove(item.id);
                            rest.notes.remove(item.id);
                        }
                    }
                    let rest = FormInput { tps, phase: next.as_str().into(), ..rest };
                    if rest.is_blank() {
                        draft.clear(rest)
                    } else {
                        draft.replace(rest)
                    }
                    // Where she is: the next visit opens at the next phase too.
                    crate::kept::set_checklist_phase(next.as_str());
                    if let Some(filed) = filed_phase.filter(|f| *f != next) {
                        let t = i18n.t_now();
                        let lang = i18n.0.get_untracked();
                        state.saved_note.set(Some(format!(
                            "{} {} {} {}.",
                            t.checklist_phase_saved,
                            filed.label(lang),
                            t.checklist_now_at,
                            next.label(lang)
                        )));
                    }
                },
            );
        }
    };
    let answered = move || {
        let phase = phase();
        draft.get(|d| phase.items().filter(|i| d.answers.get(i.id).and_then(|a| Answer::parse(a)).is_some()).count())
    };
    view! {
        <form on:submit=submit on:input=move |_| state.typing() novalidate data-testid="checklist-form">
            <h2>{i18n.word(|t| t.checklist_heading)}</h2>
            <TpsField value=Signal::derive(move || draft.get(|d| d.tps.clone())) on_input=Callback::new(move |v: String| draft.edit(|d| d.tps = v)) state/>

            <fieldset class="choices phases">
                <legend>{i18n.word(|t| t.phase_label)}</legend>
                {Phase::ALL.into_iter().map(|p| view! {
                    <label class="choice">
                        <input type="radio" name="phase" value=p.as_str() prop:checked=move || phase() == p
                            on:change=move |_| draft.edit(|d| d.phase = p.as_str().into()) />
                        <span>{move || p.label(i18n.lang())}</span>
                    </label>
                }).collect::<Vec<_>>()}
            </fieldset>
            <p class="muted" aria-live="polite">
                {answered} " " {i18n.word(|t| t.of)} " " {move || phase().items().count()} " " {i18n.word(|t| t.answered)}
            </p>

            {move || phase().items().map(|item| {
                let id = item.id;
                let answer = move || draft.get(|d| d.answers.get(id).and_then(|a| Answer::parse(a)));
                let note = move || draft.get(|d| d.notes.get(id).cloned().unwrap_or_default());
                let show_note = move || matches!(answer(), Some(Answer::No | Answer::Unknown)) || !note().is_empty();
                let error = state.error(ReportField::ChecklistAnswer(item));
                let note_error = Signal::derive(state.error(ReportField::ChecklistNote(item)));
                let show_note = move || show_note() || note_error.with(Option::is_some);
                view! {
                    <fieldset class="item" data-item=id>
                        <legend>{move || item.text(i18n.lang())}</legend>
                        <div class="answers">
                            {Answer::ALL.into_iter().map(|a| view! {
                                <label class=format!("answer {}", a.as_str())>
                                    <input type="radio" name=id value=a.as_str() prop:checked=move || answer() == Some(a)
                                        on:change=move |_| draft.edit(|d| { d.answers.insert(id.to_owned(), a.as_str().to_owned()); }) />
                                    <span>{move || a.label(i18n.lang())}</span>
                                </label>
                            }).collect::<Vec<_>>()}
                        </div>
                        <Show when=show_note>
                            <label for=format!("note-{id}")>{i18n.word(|t| t.item_note_label)}</label>
                            <input id=format!("note-{id}") autocomplete="off" prop:value=note
                                on:input=move |ev| { let v = event_target_value(&ev); draft.edit(|d| { d.notes.insert(id.to_owned(), v); }) } />
                            <p class="field-error" role="alert">{move || note_error.get()}</p>
                        </Show>
                        <Show when=move || answer() == Some(Answer::No)>
                            <super::evidence::PhotosField draft item=id hint=|t| t.photo().photo_hint_item
                                state/>
                        </Show>
                        <p class="field-error" role="alert">{error}</p>
                    </fieldset>
                }
            }).collect::<Vec<_>>()}

            <SaveButton state/>
        </form>
    }
}
