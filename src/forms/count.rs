//! Hasil penghitungan: the votes per candidate or party as posted on the
//! C.Hasil sheet, with valid and invalid votes and the number of voters.
//! Totals that do not add up are warned about but can be filed: a wrong sheet
//! is itself worth reporting.

use super::{open_draft, profile_tps, save_report, FormState, SaveButton, TpsField};
use crate::drafts::{CountRow, FormInput};
use crate::i18n::use_i18n;
use crate::routes::FormKind;
use leptos::prelude::*;
use pantau_core::validation::{parse_count, FieldError, FieldErrorCode, ReportField, MAX_COUNT};
use pantau_core::{CandidateVotes, Contest, Report, ReportBody, ReportId};
use time::OffsetDateTime;

/// The rows a contest starts with: its ballot's participants, or two blank
/// rows to type names into where the catalogue has no ballot.
fn rows_for(contest: &str) -> Vec<CountRow> {
    let catalogue = crate::ballots::catalogue();
    match Contest::parse(contest).and_then(|c| catalogue.ballot(c)) {
        Some(ballot) => ballot
            .participants
            .iter()
            .map(|p| CountRow { name: p.row_name(), votes: String::new(), from_ballot: true })
            .collect(),
        None => vec![CountRow::default(), CountRow::default()],
    }
}

/// A blank count form: the volunteer's TPS and two rows to type names into.
fn fresh() -> FormInput {
    FormInput { tps: profile_tps(), rows: rows_for(""), ..FormInput::default() }
}

/// The form as it was when `report` was filed, to correct it.
pub fn from_report(report: &Report) -> Option<FormInput> {
    match &report.body {
        ReportBody::CountResult { contest, votes, valid, invalid, voters } => Some(FormInput {
            tps: report.tps.clone(),
            contest: contest.as_str().to_owned(),
            rows: {
                let ballot = rows_for(contest.as_str());
                votes
                    .iter()
                    .map(|v| CountRow {
                        name: v.name.clone(),
                        votes: v.votes.to_string(),
                        from_ballot: ballot.iter().any(|r| r.from_ballot && r.name == v.name),
                    })
                    .collect()
            },
            valid: valid.to_string(),
            invalid: invalid.to_string(),
            voters: voters.to_string(),
            photos: report.photos.clone(),
            position: report.position,
            ..FormInput::default()
        }),
        _ => None,
    }
}

/// The report the form holds, or every field the volunteer must correct.
fn build(input: &FormInput, id: ReportId, created_at: OffsetDateTime) -> Result<Report, Vec<FieldError>> {
    let mut errors = Vec::new();
    let contest = Contest::parse(&input.contest);
    if contest.is_none() {
        errors.push(FieldError::new(ReportField::Contest, FieldErrorCode::Required));
    }
    let mut count = |field: ReportField, typed: &str| match parse_count(typed) {
        Ok(n) => n,
        Err(code @ FieldErrorCode::TooLarge) => {
            errors.push(FieldError::limited(field, code, MAX_COUNT as usize));
            0
        }
        Err(code) => {
            errors.push(FieldError::new(field, code));
            0
        }
    };
    // Rows left entirely empty are spare rows, not errors.
    let votes: Vec<CandidateVotes> = input
        .rows
        .iter()
        .filter(|r| !(r.name.trim().is_empty() && r.votes.trim().is_empty()))
        .enumerate()
        .map(|(i, r)| CandidateVotes {
            name: r.name.trim().to_owned(),
            votes: count(ReportField::CandidateVotes(i), &r.votes),
        })
        .collect();
    let valid = count(ReportField::Valid, &input.valid);
    let invalid = count(ReportField::Invalid, &input.invalid);
    let voters = count(ReportField::Voters, &input.voters);
    let mut report = Report::new(
        id,
        &input.tps,
        created_at,
        ReportBody::CountResult { contest: contest.unwrap_or(Contest::President), votes, valid, invalid, voters },
    );
    report.photos = input.photos.clone();
    report.position = input.position;
    if let Err(more) = report.validate() {
        let more: Vec<FieldError> =
            more.into_iter().filter(|e| !errors.iter().any(|known| known.field == e.field)).collect();
        errors.extend(more);
    }
    super::errors_or(errors, || report)
}

/// Rows as numbered in errors: empty spare rows are skipped.
fn filed_index(input: &FormInput, row: usize) -> Option<usize> {
    let filled = |r: &CountRow| !(r.name.trim().is_empty() && r.votes.trim().is_empty());
    input.rows.get(row).filter(|r| filled(r)).map(|_| input.rows[..row].iter().filter(|r| filled(r)).count())
}

#[component]
pub fn CountForm() -> impl IntoView {
    let i18n = use_i18n();
    let state = FormState::new();
    let draft = open_draft(FormKind::CountResult, state, fresh, from_report);
    // Checked as the volunteer types: the warnings never block saving.
    let warnings = move || {
        let fields = draft.fields.get();
        build(&fields, ReportId(uuid::Uuid::nil()), OffsetDateTime::UNIX_EPOCH)
            .map(|r| r.warnings().into_iter().map(|w| w.message(i18n.lang())).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    // "Jumlah 317 · Suara sah 327 · selisih 10", as the volunteer types.
    let total = move || {
        let (sum, typed, valid) = draft.get(|d| {
            let votes = d.rows.iter().filter_map(|r| parse_count(&r.votes).ok());
            (votes.clone().map(u64::from).sum::<u64>(), votes.count(), parse_count(&d.valid).ok())
        });
        let t = i18n.t();
        (typed > 0).then(|| match valid {
            Some(valid) if u64::from(valid) != sum => {
                format!(
                    "{} {sum} · {} {valid} · {} {}",
                    t.total,
                    t.valid_short,
                    t.difference,
                    sum.abs_diff(u64::from(valid))
                )
            }
            Some(valid) => format!("{} {sum} · {} {valid}", t.total, t.valid_short),
            None => format!("{} {sum}", t.total),
        })
    };
    let submit = {
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let fields = draft.fields.get_untracked();
            let tps = pantau_core::TpsCode::normalise(&fields.tps);
            save_report(
                FormKind::CountResult,
                state,
                move |id, at| build(&fields, id, at),
                move || draft.clear(FormInput { tps, rows: rows_for(""), ..FormInput::default() }),
            );
        }
    };
    // Only the number of rows, or another contest, redraws the list, not every keystroke.
    let rows = Memo::new(move |_| draft.get(|d| (d.rows.len(), d.contest.clone())));
    let ballot_rows = move || draft.get(|d| d.rows.iter().any(|r| r.from_ballot));
    let number = move |id: &'static str,
                       label: fn(&'static crate::i18n::Texts) -> &'static str,
                       field: ReportField,
                       get: fn(&FormInput) -> &String,
                       set: fn(&mut FormInput, String)| {
        view! {
            <label for=id>{move || label(i18n.t())}</label>
            <input id=id inputmode="numeric" autocomplete="off" prop:value=move || draft.get(|d| get(d).clone())
                on:input=move |ev| { let v = event_target_value(&ev); draft.edit(|d| set(d, v)) } />
            <p class="field-error" role="alert">{state.error(field)}</p>
        }
    };
    view! {
        <form on:submit=submit on:input=move |_| state.typing() novalidate data-testid="count-form">
            <h2>{i18n.word(|t| t.count_heading)}</h2>
            <TpsField value=Signal::derive(move || draft.get(|d| d.tps.clone())) on_input=Callback::new(move |v: String| draft.edit(|d| d.tps = v)) state/>

            <label for="contest">{i18n.word(|t| t.contest_label)}</label>
            <select id="contest" prop:value=move || draft.get(|d| d.contest.clone())
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    // A new contest brings its participants, unless votes are typed already.
                    draft.edit(|d| {
                        if d.rows.iter().all(|r| r.votes.trim().is_empty()) {
                            d.rows = rows_for(&v);
                        }
                        d.contest = v;
                    })
                }>
                <option value="">{i18n.word(|t| t.choose)}</option>
                {Contest::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{move || c.label(i18n.lang())}</option> }).collect::<Vec<_>>()}
            </select>
            <p class="field-error" role="alert">{state.error(ReportField::Contest)}</p>

            <fieldset class="rows">
                <legend>{i18n.word(|t| t.votes_legend)}</legend>
                <p class="field-error" role="alert">{state.error(ReportField::Votes)}</p>
                {move || (0..rows.get().0).map(|i| {
                    let n = i + 1;
                    let row = draft.fields.with_untracked(|d| d.rows.get(i).cloned()).unwrap_or_default();
                    let errors = move || {
                        // Tracked first: a row that was empty when drawn still shows its errors.
                        state.message.track();
                        let filed = draft.fields.with_untracked(|d| filed_index(d, i));
                        filed.map(|f| state.count_row_messages(f, i18n.lang())).unwrap_or_default()
                    };
                    view! {
                        <div class="row">
                            {if row.from_ballot {
                                let name = row.name.clone();
                                view! { <label class="row-name" for=format!("row-votes-{n}")>{name}</label> }.into_any()
                            } else {
                                view! {
                                    <input id=format!("row-name-{n}") autocomplete="off" aria-label=move || format!("{} {n}", i18n.t().candidate_name)
                                        placeholder=move || format!("{} {n}", i18n.t().candidate_name)
                                        prop:value=move || draft.get(|d| d.rows.get(i).map(|r| r.name.clone()).unwrap_or_default())
                                        on:input=move |ev| { let v = event_target_value(&ev); draft.edit(|d| if let Some(r) = d.rows.get_mut(i) { r.name = v }) } />
                                }.into_any()
                            }}
                            <input id=format!("row-votes-{n}") class="votes" inputmode="numeric" autocomplete="off"
                                aria-label=move || if row.from_ballot { None } else { Some(format!("{} {n}", i18n.t().candidate_votes)) }
                                placeholder=i18n.word(|t| t.votes_placeholder)
                                prop:value=move || draft.get(|d| d.rows.get(i).map(|r| r.votes.clone()).unwrap_or_default())
                                on:input=move |ev| { let v = event_target_value(&ev); draft.edit(|d| if let Some(r) = d.rows.get_mut(i) { r.votes = v }) } />
                            {(!row.from_ballot).then(|| view! {
                                <button type="button" class="secondary remove" aria-label=move || format!("{} {n}", i18n.t().remove_row)
                                    on:click=move |_| draft.edit(|d| { if d.rows.len() > 1 { d.rows.remove(i); } })>"✕"</button>
                            })}
                        </div>
                        {move || errors().into_iter().map(|e| view! { <p class="field-error">{e}</p> }).collect::<Vec<_>>()}
                    }
                }).collect::<Vec<_>>()}
                <Show when=move || !ballot_rows()>
                    <button type="button" class="secondary" data-testid="add-row" on:click=move |_| draft.edit(|d| d.rows.push(CountRow::default()))>
                        {i18n.word(|t| t.add_row)}
                    </button>
                </Show>
            </fieldset>

            {number("valid", |t| t.valid_label, ReportField::Valid, |d| &d.valid, |d, v| d.valid = v)}
            {move || total().map(|total| view! { <p class="total" data-testid="count-total">{total}</p> })}
            {number("invalid", |t| t.invalid_label, ReportField::Invalid, |d| &d.invalid, |d, v| d.invalid = v)}
            {number("voters", |t| t.voters_label, ReportField::Voters, |d| &d.voters, |d, v| d.voters = v)}
            <div role="status" data-testid="count-warnings">
                {move || warnings().into_iter().map(|w| view! { <p class="caution">{w}</p> }).collect::<Vec<_>>()}
            </div>

            <super::evidence::PhotosField draft hint=|t| t.photo().photos_hint_count
                state/>
            <super::evidence::LocationField draft/>

            <SaveButton state/>
        </form>
    }
}
