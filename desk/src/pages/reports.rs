//! Find: every report of the scope, filtered by what the URL says, newest
//! first, a page at a time by keyset; exports with the same filter.

use super::{ErrorLine, ReportRows};
use crate::api;
use crate::feed::use_feed;
use crate::i18n::use_i18n;
use crate::routes::{go, Filter, Route};
use crate::session::use_session;
use leptos::prelude::*;
use pantau_core::checklist::Phase;
use pantau_core::desk::{ReportList, ReportListItem};
use pantau_core::review::ReviewState;
use pantau_core::{Contest, IncidentCategory};

const PAGE: usize = 50;

#[component]
pub fn ReportsPage(filter: Filter) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let feed = use_feed();
    // Pages read so far, and where the next one starts.
    let pages = RwSignal::new(Vec::<ReportListItem>::new());
    let next = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<api::DeskError>);
    let loading = RwSignal::new(true);
    let exporting = RwSignal::new(None::<String>);
    // Only the answer to the latest request is shown: an older one arriving
    // late would put back what a newer one replaced.
    let latest = StoredValue::new(0u32);
    let load = {
        let filter = filter.clone();
        move |before: i64, fresh: bool| {
            let query = filter.api_query(
                crate::clock::local_input_to_rfc3339,
                &[("before", before.to_string()), ("limit", PAGE.to_string())],
            );
            loading.set(true);
            latest.update_value(|n| *n += 1);
            let this = latest.get_value();
            leptos::task::spawn_local(async move {
                let path = format!("/api/v1/reports?{query}");
                let answer = session.call(|token| async move { api::get::<ReportList>(&token, &path).await }).await;
                if latest.get_value() != this {
                    return;
                }
                match answer {
                    Ok(list) => {
                        error.set(None);
                        next.set(list.next_before);
                        pages.update(|p| {
                            if fresh {
                                p.clear();
                            }
                            p.extend(list.reports);
                        });
                    }
                    Err(e) => error.set(Some(e)),
                }
                loading.set(false);
            });
        }
    };
    // The first page follows the feed's base (and this desk's reviews).
    Effect::new({
        let load = load.clone();
        move |_| {
            feed.reviewed.track();
            if let Some(base) = feed.base.get() {
                load(base + 1, true);
            }
        }
    });
    let unfiltered = filter.is_empty();
    let shown = move || {
        let mut items: Vec<ReportListItem> = if unfiltered { feed.arrivals.get() } else { Vec::new() };
        items.extend(pages.get());
        items
    };
    let waiting_new = move || if unfiltered { 0 } else { feed.arrivals.with(Vec::len) };
    let export = {
        let filter = filter.clone();
        move |format: &'static str| {
            let query = filter.api_query(crate::clock::local_input_to_rfc3339, &[]);
            let path = format!("/api/v1/reports.{format}?{query}");
            let file_name = format!("laporan-pantau.{format}");
            exporting.set(Some(format.to_owned()));
            leptos::task::spawn_local(async move {
                let done = session.call(|token| async move { api::download(&token, &path, &file_name).await }).await;
                if let Err(e) = done {
                    error.set(Some(e));
                }
                exporting.set(None);
            });
        }
    };
    let export_xlsx = export.clone();
    view! {
        <h1>{move || i18n.t().nav_reports}</h1>
        <FilterForm filter=filter.clone()/>
        <div class="exports">
            <button type="button" class="secondary" on:click=move |_| export_xlsx("xlsx") disabled=move || exporting.get().is_some()>
                {move || i18n.t().export_xlsx}
            </button>
            <button type="button" class="secondary" on:click=move |_| export("csv") disabled=move || exporting.get().is_some()>
                {move || i18n.t().export_csv}
            </button>
        </div>
        <Show when=move || { waiting_new() > 0 }>
            <p class="new-arrivals" role="status">
                {move || format!("{} {}", waiting_new(), i18n.t().new_since_loaded)}
                " "
                <button type="button" class="secondary" on:click=move |_| feed.rebase()>{move || i18n.t().show_them}</button>
            </p>
        </Show>
        {move || error.get().map(|error| view! { <ErrorLine error/> })}
        <p class="muted" data-testid="shown-count">{move || format!("{} {}", shown().len(), i18n.t().reports_shown)}</p>
        <ReportRows items=Signal::derive(shown) empty=Signal::derive(move || i18n.t().no_reports_found) />
        <Show when=move || next.get().is_some()>
            <button type="button" class="secondary wide" disabled=move || loading.get()
                on:click={
                    let load = load.clone();
                    move |_| if let Some(before) = next.get_untracked() { load(before, false) }
                }>
                {move || i18n.t().more}
            </button>
        </Show>
    }
}

/// The filter as a form; submitting it changes the URL, which reloads the list.
#[component]
fn FilterForm(filter: Filter) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let route = expect_context::<RwSignal<Route>>();
    let draft = RwSignal::new(filter);
    let text = move |value: String| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
    let categories = move || -> Vec<(&'static str, &'static str)> {
        let lang = i18n.lang();
        match draft.with(|f| f.kind.clone()).as_deref() {
            Some("checklist") => Phase::ALL.iter().map(|p| (p.as_str(), p.label(lang))).collect(),
            Some("incident") => IncidentCategory::ALL.iter().map(|c| (c.as_str(), c.label(lang))).collect(),
            Some("count_result") => Contest::ALL.iter().map(|c| (c.as_str(), c.label(lang))).collect(),
            _ => Vec::new(),
        }
    };
    // The places of the scope the desk knows by name.
    let scope = session.current.with_untracked(|s| s.as_ref().and_then(|s| s.coordinator.scope.clone()));
    let areas = areas_within(scope.as_deref());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        go(route, Route::Reports(draft.get_untracked()));
    };
    let selected = move |value: Option<String>, option: &str| value.as_deref() == Some(option);
    view! {
        <form class="filters" on:submit=submit role="search" aria-label=move || i18n.t().filter_label>
            <div class="filter-grid">
                <div>
                    <label for="f-kind">{move || i18n.t().kind}</label>
                    <select id="f-kind" on:change=move |ev| draft.update(|f| { f.kind = text(event_target_value(&ev)); f.category = None; })>
                        <option value="">{move || i18n.t().any}</option>
                        {[("checklist", 0), ("incident", 1), ("count_result", 2)].into_iter().map(|(slug, i)| view! {
                            <option value=slug selected=move || selected(draft.with(|f| f.kind.clone()), slug)>
                                {move || i18n.t().kinds[i]}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="f-category">{move || i18n.t().category}</label>
                    <select id="f-category" on:change=move |ev| draft.update(|f| f.category = text(event_target_value(&ev)))>
                        <option value="">{move || i18n.t().any}</option>
                        {move || categories().into_iter().map(|(slug, label)| view! {
                            <option value=slug selected=move || selected(draft.with(|f| f.category.clone()), slug)>{label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="f-review">{move || i18n.t().review_state}</label>
                    <select id="f-review" on:change=move |ev| draft.update(|f| f.review = ReviewState::from_slug(&event_target_value(&ev)))>
                        <option value="">{move || i18n.t().any}</option>
                        {ReviewState::ALL.into_iter().map(|state| view! {
                            <option value=state.slug() selected=move || draft.with(|f| f.review == Some(state))>
                                {move || state.label(i18n.lang())}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="f-area">{move || i18n.t().area}</label>
                    <select id="f-area" on:change=move |ev| draft.update(|f| f.area = text(event_target_value(&ev)))>
                        <option value="">{move || i18n.t().whole_scope}</option>
                        {areas.into_iter().map(|(code, name)| {
                            let value = code.clone();
                            view! {
                                <option value=code.clone() selected=move || selected(draft.with(|f| f.area.clone()), &value)>{name}</option>
                            }
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="f-tps">{move || i18n.t().tps}</label>
                    <input id="f-tps" inputmode="numeric" placeholder="6471011001-003" prop:value=move || draft.with(|f| f.tps.clone().unwrap_or_default())
                        on:change=move |ev| draft.update(|f| f.tps = text(event_target_value(&ev))) />
                </div>
                <div>
                    <label for="f-q">{move || i18n.t().words}</label>
                    <input id="f-q" type="search" prop:value=move || draft.with(|f| f.q.clone().unwrap_or_default())
                        on:change=move |ev| draft.update(|f| f.q = text(event_target_value(&ev))) />
                </div>
                <div>
                    <label for="f-since">{move || i18n.t().since}</label>
                    <input id="f-since" type="datetime-local" prop:value=move || draft.with(|f| f.since.clone().unwrap_or_default())
                        on:change=move |ev| draft.update(|f| f.since = text(event_target_value(&ev))) />
                </div>
                <div>
                    <label for="f-until">{move || i18n.t().until}</label>
                    <input id="f-until" type="datetime-local" prop:value=move || draft.with(|f| f.until.clone().unwrap_or_default())
                        on:change=move |ev| draft.update(|f| f.until = text(event_target_value(&ev))) />
                </div>
            </div>
            <label class="check">
                <input type="checkbox" prop:checked=move || draft.with(|f| f.urgent == Some(true))
                    on:change=move |ev| draft.update(|f| f.urgent = event_target_checked(&ev).then_some(true)) />
                {move || i18n.t().urgent_only}
            </label>
            <div class="actions">
                <button type="submit" class="primary">{move || i18n.t().search}</button>
                <a class="button secondary" href=Route::Reports(Filter::default()).href()>{move || i18n.t().clear_filter}</a>
            </div>
        </form>
    }
}

/// Kecamatan and kelurahan known by name within `scope`, as (code, name).
fn areas_within(scope: Option<&str>) -> Vec<(String, String)> {
    let scope = scope.unwrap_or_default();
    let mut areas: Vec<(String, String)> = Vec::new();
    for (village, name) in pantau_core::region::VILLAGES {
        let district = &village[..6];
        let fits = |code: &str| code.starts_with(scope) || scope.starts_with(code);
        if fits(district) && !areas.iter().any(|(c, _)| c == district) && district.len() >= scope.len() {
            let district_name = pantau_core::region::district_name(village).unwrap_or(district);
            areas.push((district.to_owned(), format!("Kec. {district_name}")));
        }
        if village.starts_with(scope) {
            areas.push((village.to_string(), format!("\u{a0}\u{a0}Kel. {name}")));
        }
    }
    areas
}
