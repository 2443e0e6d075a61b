//! One module per screen, and the pieces they share: a report's line in a
//! list, its review badge, an error line.

pub mod coverage;
pub mod front;
pub mod report;
pub mod reports;
pub mod sign_in;
pub mod tally;

use crate::api::DeskError;
use crate::i18n::use_i18n;
use crate::routes::Route;
use leptos::prelude::*;
use pantau_core::desk::ReportListItem;
use pantau_core::review::ReviewState;

/// A report's line in a list: when, where, what, and where its review stands.
#[component]
pub fn ReportRow(item: ReportListItem) -> impl IntoView {
    let i18n = use_i18n();
    let href = Route::Report(item.report.id.to_string()).href();
    let urgent = matches!(item.report.body, pantau_core::ReportBody::Incident { urgent: true, .. });
    let place = pantau_core::region::place(item.report.tps.get(..10).unwrap_or_default())
        .map(|p| format!("{} · {}", p.village, p.district))
        .unwrap_or_default();
    let volunteer = item.volunteer.as_ref().map(|v| v.name.clone()).unwrap_or_default();
    let review = item.review;
    let received = item.receipt.received_at;
    let report = item.report.clone();
    let summarised = item.report.clone();
    let tps = item.report.tps.clone();
    view! {
        <li class="report-row" class:urgent=urgent data-testid="report-row" data-seq=item.receipt.seq>
            <a href=href class="report-link">
                <span class="row-title">{move || report.title(i18n.lang())}</span>
            </a>
            <p class="row-summary">{move || summarised.summary(i18n.lang())}</p>
            <p class="row-meta">
                <span class="tps">{"TPS "}{tps}</span>
                {(!place.is_empty()).then(|| view! { <span>{place.clone()}</span> })}
                <span>{volunteer}</span>
                <time>{move || crate::clock::when(received, i18n.lang())}</time>
                <ReviewBadge state=review/>
            </p>
        </li>
    }
}

#[component]
pub fn ReviewBadge(#[prop(into)] state: Signal<ReviewState>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=move || format!("badge review-{}", state.get().slug()) data-testid="review-badge">
            {move || state.get().label(i18n.lang())}
        </span>
    }
}

/// What went wrong, in the coordinator's language, with the server's words.
#[component]
pub fn ErrorLine(error: DeskError) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        use pantau_core::protocol::ProblemType;
        let t = i18n.t();
        match &error {
            DeskError::Network(_) => t.no_connection.to_owned(),
            DeskError::Unreadable(_) => t.server_error.to_owned(),
            DeskError::SignedOut(p) | DeskError::Refused(p) => match p.problem_type() {
                Some(ProblemType::RateLimited) => t.too_many_requests.to_owned(),
                Some(ProblemType::NotFound) => t.not_found.to_owned(),
                // The server names the parameter it could not use.
                Some(ProblemType::InvalidRequest | ProblemType::BadRequest) => {
                    format!("{} ({})", t.bad_filter, p.detail.clone().unwrap_or_default())
                }
                _ if p.status >= 500 => t.server_error.to_owned(),
                _ => format!("{} {error}", t.server_refused),
            },
        }
    };
    view! { <p class="error" role="alert">{text}</p> }
}

/// Report rows, or `empty` when there are none. Rows are keyed by arrival
/// number and review state: a new arrival adds its row and leaves the others
/// (and the keyboard's focus among them) in place.
#[component]
pub fn ReportRows(#[prop(into)] items: Signal<Vec<ReportListItem>>, empty: Signal<&'static str>) -> impl IntoView {
    view! {
        <Show when=move || items.with(Vec::is_empty)>
            <p class="muted">{empty}</p>
        </Show>
        <ul class="report-list">
            <For each=move || items.get() key=|i| (i.receipt.seq, i.review) let:item>
                <ReportRow item/>
            </For>
        </ul>
    }
}
