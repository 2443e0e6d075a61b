//! Kotak keluar: every report with its state and receipt, newest first.

use crate::clock::{format_clock, format_day_clock, millis};
use crate::i18n::{use_i18n, I18n, Lang, Texts};
use crate::outbox::PhoneOutbox;
use crate::pages::home::SendNow;
use crate::routes::{FormKind, Route};
use leptos::prelude::*;
use pantau_core::checklist::ChecklistItem;
use pantau_core::protocol::{Problem, ProblemType};
use pantau_core::validation::ReportField;
use pantau_core::{Delivery, OutboxEntry, ReportBody, ReportId};

/// Outbox rows drawn before "show all".
const OUTBOX_PAGE: usize = 50;

#[component]
pub fn OutboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let phone_outbox = expect_context::<PhoneOutbox>();
    let outbox = phone_outbox.list();
    let shown = RwSignal::new(OUTBOX_PAGE);
    // What came of the last thing the volunteer asked for here (a removal).
    let said = RwSignal::new(None::<String>);
    let counts = move || outbox.with(|o| o.counts());
    // The only proof of sending the volunteer holds: asked first.
    let clear_sent = move |_| {
        let confirmed = window().confirm_with_message(i18n.t_now().clear_sent_confirm).unwrap_or(false);
        if confirmed {
            leptos::task::spawn_local(phone_outbox.clear_sent());
        }
    };
    let quarantined = phone_outbox.quarantined();
    view! {
        <h2>{i18n.word(|t| t.outbox_heading)}</h2>
        <p data-testid="outbox-counts" class="muted">
            {move || counts().waiting + counts().sending} " " {i18n.word(|t| t.waiting_count)} " · "
            {move || counts().sent} " " {i18n.word(|t| t.sent_count)}
        </p>
        <SendNow/>
        {move || said.get().map(|m| view! { <p class="form-message" role="status" data-testid="outbox-message">{m}</p> })}
        <Show when=move || outbox.with(|o| o.is_empty())>
            <p class="muted">{i18n.word(|t| t.outbox_empty)}</p>
        </Show>
        <ul class="outbox" data-testid="outbox">
            // The newest first, a page at a time: a cheap phone should not draw
            // 1,000 rows. Keys only: with 1,000 reports queued every batch
            // changes the outbox, and cloning every entry each time would cost
            // more than the send. Rows are rebuilt only when their state changes.
            <For
                each=move || outbox.with(|o| o.entries().rev().take(shown.get()).map(|e| (e.report.id, delivery_key(&e.delivery))).collect::<Vec<_>>())
                key=|row| *row
                children=move |(id, _)| outbox.with_untracked(|o| o.get(id).cloned()).map(|entry| view! { <OutboxItem entry said/> })
            />
        </ul>
        <Show when=move || { outbox.with(|o| o.len()) > shown.get() }>
            <button type="button" class="secondary" on:click=move |_| shown.set(usize::MAX) data-testid="show-all">
                {i18n.word(|t| t.show_all)} " (" {move || outbox.with(|o| o.len())} ")"
            </button>
        </Show>
        <Show when=move || { counts().sent > 0 }>
            <button type="button" class="secondary" on:click=clear_sent data-testid="clear-sent">
                {i18n.word(|t| t.clear_sent)}
            </button>
        </Show>
        <Show when=move || !quarantined.with(Vec::is_empty)>
            <section class="quarantine" data-testid="quarantine">
                <h2>{i18n.word(|t| t.quarantine_heading)}</h2>
                <p class="warning">{move || quarantined.with(Vec::len)} " " {i18n.word(|t| t.unreadable_records)}</p>
                <ul>
                    {move || quarantined.get().into_iter().map(|q| view! {
                        <li><code>{q.origin}</code> ": " {q.reason}</li>
                    }).collect::<Vec<_>>()}
                </ul>
            </section>
        </Show>
    }
}

#[component]
fn OutboxItem(entry: OutboxEntry, said: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = expect_context::<PhoneOutbox>();
    let delivery = entry.delivery.clone();
    let state = match &delivery {
        Delivery::Waiting { .. } => "waiting",
        Delivery::Sending { .. } => "sending",
        Delivery::Sent { .. } => "sent",
        Delivery::Rejected { .. } => "rejected",
        Delivery::Conflict { .. } => "conflict",
    };
    let label = move || {
        let t = i18n.t();
        match &delivery {
            Delivery::Waiting { last_error: Some(_), attempts } => {
                format!("{} · {} {attempts}×", t.state_waiting, t.tried)
            }
            Delivery::Waiting { .. } => t.state_waiting.to_owned(),
            Delivery::Sending { .. } => t.state_sending.to_owned(),
            Delivery::Sent { receipt } => {
                format!(
                    "{} · {} {} · {}",
                    t.state_sent,
                    t.receipt_no,
                    receipt.seq,
                    format_clock(millis(receipt.received_at))
                )
            }
            Delivery::Rejected { problem } => format!("{}: {}", t.state_rejected, refusal_reason(problem, t)),
            Delivery::Conflict { problem } => format!("{}: {}", t.state_conflict, refusal_reason(problem, t)),
        }
    };
    let last_error = match &entry.delivery {
        Delivery::Waiting { last_error: Some(e), .. } => Some(e.clone()),
        _ => None,
    };
    let field_errors = match &entry.delivery {
        Delivery::Rejected { problem } => problem.errors.clone(),
        _ => Vec::new(),
    };
    let kind = match &entry.report.body {
        ReportBody::Checklist { .. } => Some(FormKind::Checklist),
        ReportBody::Incident { .. } => Some(FormKind::Incident),
        ReportBody::CountResult { .. } => Some(FormKind::CountResult),
        // Notes come from before the forms; there is no form to correct them in.
        ReportBody::Note { .. } => None,
    };
    // A refused report is corrected; one still waiting can be changed before it goes.
    let waiting = matches!(entry.delivery, Delivery::Waiting { .. });
    let editable = kind.filter(|_| waiting || matches!(entry.delivery, Delivery::Rejected { .. }));
    let refused = matches!(entry.delivery, Delivery::Rejected { .. } | Delivery::Conflict { .. });
    let report = entry.report.clone();
    let title_report = report.clone();
    let detail_entry = entry.clone();
    let urgent = matches!(report.body, ReportBody::Incident { urgent: true, .. });
    let report_id = report.id.to_string();
    // "2 foto", and while they go up, "Mengirim foto 2 dari 3".
    let photos = report.photos.len();
    let id = report.id;
    let uploading = outbox.photo_progress();
    let photo_line = (cfg!(feature = "photos") && photos > 0).then(|| {
        view! {
            <p class="report-meta" data-testid="photo-state">
                {move || {
                    let (t, words) = (i18n.t(), i18n.t().photo());
                    match uploading.get().filter(|p| p.report == id) {
                        Some(p) => format!("{} {} {} {}", words.photo_sending, (p.done + 1).min(p.total), t.of, p.total),
                        None => format!("{photos} {}", words.photos_word),
                    }
                }}
            </p>
        }
    });
    view! {
        <li class=format!("report {state}") class:urgent=urgent data-report-id=report_id data-state=state>
            <p class="report-kind">{move || title_report.title(i18n.lang())}</p>
            <p class="report-text">{move || report.summary(i18n.lang())}</p>
            <p class="report-meta">
                "TPS " {entry.report.tps.clone()} " · " {format_clock(millis(entry.report.created_at))}
            </p>
            <p class="state">{label}</p>
            {photo_line}
            <details class="report-details" data-testid="report-details">
                <summary>{i18n.word(|t| t.show_report)}</summary>
                <dl>
                    {move || details(&detail_entry, i18n.t(), i18n.lang()).into_iter().map(|(label, value)| view! {
                        <dt>{label}</dt><dd>{value}</dd>
                    }).collect::<Vec<_>>()}
                </dl>
            </details>
            {last_error.map(|e| view! { <p class="report-meta">{move || i18n.t().wait_reason(&e)}</p> })}
            {field_errors.into_iter().map(|e| view! {
                <p class="field-error">{move || format!("{}: {}", field_label(&e.field, i18n.t(), i18n.lang()), e.message(i18n.lang()))}</p>
            }).collect::<Vec<_>>()}
            {editable.map(|kind| {
                let id = entry.report.id;
                view! {
                    <a class="button secondary" href=Route::NewReport(Some(kind)).href() data-testid="edit" on:click=move |_| outbox.start_correcting(kind, id)>
                        {move || if waiting { i18n.t().change } else { i18n.t().edit }}
                    </a>
                }
            })}
            {refused.then(|| {
                let id = entry.report.id;
                view! {
                    <button type="button" class="secondary" data-testid="discard" on:click=move |_| discard(outbox, i18n, id, said)>
                        {i18n.word(|t| t.discard)}
                    </button>
                }
            })}
        </li>
    }
}

/// Removes a refused report the volunteer does not want to correct, once they
/// confirm: storage first, so a failed removal leaves it listed.
fn discard(outbox: PhoneOutbox, i18n: I18n, id: ReportId, said: RwSignal<Option<String>>) {
    let t = crate::i18n::texts(i18n.0.get_untracked());
    let confirmed = web_sys::window().and_then(|w| w.confirm_with_message(t.discard_confirm).ok()).unwrap_or(false);
    if !confirmed {
        return;
    }
    leptos::task::spawn_local(async move {
        match outbox.discard(id).await {
            Ok(()) => said.set(None),
            Err(e) => said.set(Some(format!("{}: {}", t.not_discarded, e.message(t)))),
        }
    });
}

/// A refusal in the volunteer's language. The server's `type` is stable; its
/// title is English, for logs, and shown only for a problem we do not know.
fn refusal_reason(problem: &Problem, t: &Texts) -> String {
    match problem.problem_type() {
        Some(ProblemType::InvalidReport) => t.refused_invalid.into(),
        Some(ProblemType::PayloadTooLarge) => t.refused_too_large.into(),
        Some(ProblemType::MalformedJson) => t.refused_unreadable.into(),
        Some(ProblemType::ReportIdConflict) => t.refused_id_conflict.into(),
        Some(ProblemType::TpsOutsideScope) => t.refused_outside_scope.into(),
        _ => problem.title.clone(),
    }
}

/// A refused field by the label the form shows it under (a checklist item by
/// its question, a count row by its number from 1); a path we cannot read, as
/// it came.
fn field_label(path: &str, t: &Texts, lang: Lang) -> String {
    let Some(field) = ReportField::parse(path) else { return path.to_owned() };
    let row = |i: usize, what: &str| format!("{} {} · {what}", t.row_label, i + 1);
    match field {
        ReportField::Whole => t.whole_report.into(),
        ReportField::Tps => t.tps_label.into(),
        ReportField::Phase => t.phase_label.into(),
        ReportField::Category => t.category_label.into(),
        ReportField::Contest => t.contest_label.into(),
        ReportField::CreatedAt => t.created_at_label.into(),
        ReportField::NoteText => t.note_label.into(),
        ReportField::ChecklistAnswer(item) => item.text(lang).into(),
        ReportField::ChecklistNote(item) => format!("{} · {}", item.text(lang), t.note_label),
        ReportField::ChecklistRow(i) => format!("{} {}", t.item_label, i + 1),
        ReportField::OccurredAt => t.occurred_at_label.into(),
        ReportField::Place => t.place_label.into(),
        ReportField::Description => t.description_label.into(),
        ReportField::ReportedParty => t.reported_party_label.into(),
        ReportField::Witnesses => t.witnesses_label.into(),
        ReportField::Votes => t.votes_legend.into(),
        ReportField::CandidateName(i) => row(i, t.candidate_name),
        ReportField::CandidateVotes(i) => row(i, t.candidate_votes),
        ReportField::Valid => t.valid_label.into(),
        ReportField::Invalid => t.invalid_label.into(),
        ReportField::Voters => t.voters_label.into(),
        ReportField::Photos => t.photos_label.into(),
        ReportField::Photo(i) => format!("{} {}", t.photos_label, i + 1),
        ReportField::Position => t.location_label.into(),
    }
}

/// Changes whenever an entry's state does, so `<For>` redraws that row.
fn delivery_key(delivery: &Delivery) -> (u8, u32) {
    match delivery {
        Delivery::Waiting { attempts, .. } => (0, *attempts),
        Delivery::Sending { attempts } => (1, *attempts),
        Delivery::Sent { .. } => (2, 0),
        Delivery::Rejected { .. } => (3, 0),
        Delivery::Conflict { .. } => (4, 0),
    }
}

/// Everything a report holds, and its receipt, as label and value: any report
/// can be read again, and a sent one shows the proof of its delivery.
fn details(entry: &OutboxEntry, t: &Texts, lang: Lang) -> Vec<(String, String)> {
    let report = &entry.report;
    let mut rows: Vec<(String, String)> = vec![
        (t.tps_label.into(), report.tps.clone()),
        (t.created_at_label.into(), format_day_clock(millis(report.created_at))),
    ];
    let mut text = |label: &str, value: &str| {
        if !value.trim().is_empty() {
            rows.push((label.into(), value.into()));
        }
    };
    match &report.body {
        ReportBody::Note { text: note } => text(t.note_label, note),
        ReportBody::Checklist { phase, answers } => {
            text(t.phase_label, phase.label(lang));
            for answer in answers {
                let question = ChecklistItem::find(&answer.item).map_or(answer.item.as_str(), |i| i.text(lang));
                let mut said = answer.answer.label(lang).to_owned();
                if !answer.note.is_empty() {
                    said = format!("{said} · {}", answer.note);
                }
                text(question, &said);
            }
        }
        ReportBody::Incident { category, occurred_at, place, description, reported_party, witnesses, urgent } => {
            text(t.category_label, category.label(lang));
            text(t.occurred_at_label, &format_day_clock(millis(*occurred_at)));
            text(t.place_label, place);
            text(t.description_label, description);
            text(t.reported_party_label, reported_party);
            text(t.witnesses_label, witnesses);
            if *urgent {
                text(t.urgent_label, pantau_core::checklist::Answer::Yes.label(lang));
            }
        }
        ReportBody::CountResult { contest, votes, valid, invalid, voters } => {
            text(t.contest_label, contest.label(lang));
            for (i, row) in votes.iter().enumerate() {
                text(&format!("{} {}", t.row_label, i + 1), &format!("{} · {}", row.name, row.votes));
            }
            text(t.valid_label, &valid.to_string());
            text(t.invalid_label, &invalid.to_string());
            text(t.voters_label, &voters.to_string());
        }
    }
    if let Some(receipt) = entry.receipt() {
        text(t.receipt_no, &format!("{} · {}", receipt.seq, format_day_clock(millis(receipt.received_at))));
    }
    rows
}
