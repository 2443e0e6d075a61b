//! The front page: urgent incidents nobody has taken up (on top, live), the
//! reports per hour, coverage per kecamatan, and the latest reports.

use super::{ErrorLine, ReportRows};
use crate::api;
use crate::feed::use_feed;
use crate::i18n::use_i18n;
use crate::routes::{Filter, Route};
use crate::session::use_session;
use leptos::prelude::*;
use pantau_core::coverage::{AreaLevel, Coverage};
use pantau_core::desk::{Hours, ReportList, ReportListItem};
use pantau_core::review::ReviewState;
use std::time::Duration;

/// A signal that ticks every `every`, for screens that read again now and then.
pub fn ticker(every: Duration) -> ReadSignal<u32> {
    let (tick, set_tick) = signal(0u32);
    if let Ok(handle) = set_interval_with_handle(move || set_tick.update(|n| *n += 1), every) {
        on_cleanup(move || handle.clear());
    }
    tick
}

#[component]
pub fn FrontPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1 class="visually-hidden">{move || i18n.t().nav_front}</h1>
        <Attention/>
        <div class="panels">
            <HourChart/>
            <CoverageBars/>
        </div>
        <Latest/>
    }
}

/// Urgent incidents still *baru*: what a coordinator must see first. The
/// server's list is read again when one arrives, when this desk reviews one,
/// and every 30 s (another desk may have taken one up).
#[component]
fn Attention() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let feed = use_feed();
    let tick = ticker(Duration::from_secs(30));
    let urgent_arrivals =
        Memo::new(move |_| feed.arrivals.with(|a| a.iter().filter(|i| i.waits_for_attention()).count()));
    let listed = LocalResource::new(move || {
        tick.track();
        urgent_arrivals.track();
        feed.reviewed.track();
        async move {
            session
                .call(|token| async move {
                    api::get::<ReportList>(&token, "/api/v1/reports?urgent=true&review=new&before=0&limit=100").await
                })
                .await
        }
    });
    let waiting = move || -> Option<Result<Vec<ReportListItem>, api::DeskError>> {
        let listed = listed.get()?;
        Some(listed.map(|list| {
            let mut items: Vec<ReportListItem> =
                feed.arrivals.with(|a| a.iter().filter(|i| i.waits_for_attention()).cloned().collect());
            for item in list.reports {
                if !items.iter().any(|i| i.report.id == item.report.id) {
                    items.push(item);
                }
            }
            // Reviewed here since the list was read: no longer waiting.
            let reviewed: Vec<_> = feed
                .arrivals
                .with(|a| a.iter().filter(|i| i.review != ReviewState::New).map(|i| i.report.id).collect());
            items.retain(|i| !reviewed.contains(&i.report.id));
            items.sort_by_key(|i| std::cmp::Reverse(i.receipt.seq));
            items
        }))
    };
    let all_urgent = Route::Reports(Filter { urgent: Some(true), review: Some(ReviewState::New), ..Filter::default() });
    view! {
        <section class="attention" aria-labelledby="attention-heading" data-testid="attention">
            <h2 id="attention-heading">
                {move || i18n.t().attention}
                {move || waiting().and_then(Result::ok).map(|w| view! { <span class="count">{w.len()}</span> })}
            </h2>
            {move || match waiting() {
                None => Some(view! { <p class="muted">{i18n.t().loading}</p> }.into_any()),
                Some(Err(error)) => Some(view! { <ErrorLine error/> }.into_any()),
                Some(Ok(_)) => None,
            }}
            <Show when=move || matches!(waiting(), Some(Ok(_)))>
                <ReportRows
                    items=Signal::derive(move || waiting().and_then(Result::ok).unwrap_or_default())
                    empty=Signal::derive(move || i18n.t().attention_none) />
            </Show>
            <p><a href=all_urgent.href()>{move || i18n.t().attention_all}</a></p>
        </section>
    }
}

/// Reports per hour over the last day, as bars; read again as reports arrive.
#[component]
fn HourChart() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let feed = use_feed();
    let arrived = Memo::new(move |_| feed.arrived.get() / 5);
    let hours = LocalResource::new(move || {
        arrived.get();
        async move { session.call(|token| async move { api::get::<Hours>(&token, "/api/v1/desk/hours").await }).await }
    });
    let chart = move || {
        let hours = hours.get()?;
        Some(match hours {
            Err(error) => view! { <ErrorLine error/> }.into_any(),
            Ok(Hours { hours }) => {
                let lang = i18n.lang();
                let most = hours.iter().map(|h| h.reports).max().unwrap_or(0).max(1);
                let total: u32 = hours.iter().map(|h| h.reports).sum();
                let bars = hours
                    .into_iter()
                    .enumerate()
                    .map(|(i, h)| {
                        let label = crate::clock::hour(h.hour, lang);
                        let height = format!("{}%", (h.reports * 100 / most).max(if h.reports > 0 { 3 } else { 0 }));
                        let says = format!("{label}: {} ({} {})", h.reports, h.urgent, i18n.t().urgent_word);
                        let title = says.clone();
                        view! {
                            <li title=title>
                                <span class="hour-bar" class:has-urgent={h.urgent > 0} style:height=height></span>
                                <span class="visually-hidden">{says}</span>
                                <span class="hour-label" aria-hidden="true">{(i % 3 == 0).then_some(label)}</span>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <p class="muted">{format!("{total} {}", i18n.t().reports_last_day)}</p>
                    <ol class="hours" data-testid="hours">{bars}</ol>
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="hours-heading">
            <h2 id="hours-heading">{move || i18n.t().per_hour}</h2>
            {chart}
        </section>
    }
}

/// One bar per kecamatan: how many of its TPS have sent anything.
#[component]
fn CoverageBars() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let feed = use_feed();
    let arrived = Memo::new(move |_| feed.arrived.get() / 5);
    let coverage = LocalResource::new(move || {
        arrived.get();
        async move {
            session
                .call(
                    |token| async move { api::get::<Coverage>(&token, "/api/v1/desk/coverage?level=kecamatan").await },
                )
                .await
        }
    });
    view! {
        <section class="panel" aria-labelledby="coverage-heading">
            <h2 id="coverage-heading">{move || i18n.t().coverage_per_kecamatan}</h2>
            {move || coverage.get().map(|c| match c {
                Err(error) => view! { <ErrorLine error/> }.into_any(),
                Ok(c) if c.areas.is_empty() => view! { <p class="muted">{i18n.t().no_tps_known}</p> }.into_any(),
                Ok(c) => view! {
                    <ul class="bars">
                        {c.areas.into_iter().map(|a| {
                            let percent = super::coverage::percent(a.reported, a.tps);
                            let href = Route::Coverage { level: AreaLevel::Kelurahan, area: Some(a.code.clone()) }.href();
                            let name = a.name.clone().unwrap_or_else(|| a.code.clone());
                            view! {
                                <li>
                                    <a href=href>{name}</a>
                                    <span class="meter" aria-hidden="true"><span style:width=format!("{percent}%")></span></span>
                                    <span class="figure">{format!("{}/{} TPS · {percent}%", a.reported, a.tps)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
            <p><a href=Route::Coverage { level: AreaLevel::Kecamatan, area: None }.href()>{move || i18n.t().coverage_all}</a></p>
        </section>
    }
}

/// The newest reports: live arrivals first, then the list up to the feed's base.
#[component]
fn Latest() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let feed = use_feed();
    const SHOWN: usize = 10;
    let listed = LocalResource::new(move || {
        let base = feed.base.get();
        feed.reviewed.get();
        async move {
            let base = base?;
            let path = format!("/api/v1/reports?before={}&limit={SHOWN}", base + 1);
            Some(session.call(|token| async move { api::get::<ReportList>(&token, &path).await }).await)
        }
    });
    // Live arrivals first, then the list up to the feed's base.
    let latest = move || {
        let mut items: Vec<ReportListItem> = feed.arrivals.with(|a| a.iter().take(SHOWN).cloned().collect());
        if let Some(Ok(list)) = listed.get().flatten() {
            items.extend(list.reports.into_iter().take(SHOWN - items.len()));
        }
        items
    };
    view! {
        <section aria-labelledby="latest-heading">
            <h2 id="latest-heading">{move || i18n.t().latest}</h2>
            {move || match listed.get().flatten() {
                None => Some(view! { <p class="muted">{i18n.t().loading}</p> }.into_any()),
                Some(Err(error)) => Some(view! { <ErrorLine error/> }.into_any()),
                Some(Ok(_)) => None,
            }}
            <Show when=move || matches!(listed.get().flatten(), Some(Ok(_)))>
                <ReportRows items=Signal::derive(latest) empty=Signal::derive(move || i18n.t().no_reports) />
            </Show>
            <p><a href=Route::Reports(Filter::default()).href()>{move || i18n.t().all_reports}</a></p>
        </section>
    }
}
