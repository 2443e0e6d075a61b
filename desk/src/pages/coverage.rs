//! Coverage: per kecamatan, kelurahan or TPS, which checklist phases and
//! count results have arrived, and the TPS that have sent nothing.

use super::ErrorLine;
use crate::api;
use crate::i18n::use_i18n;
use crate::routes::{Filter, Route};
use crate::session::use_session;
use leptos::prelude::*;
use pantau_core::coverage::{AreaLevel, Coverage};

/// `part` of `whole` in whole percent (0 of nothing).
pub fn percent(part: u32, whole: u32) -> u32 {
    (part * 100).checked_div(whole).unwrap_or(0)
}

#[component]
pub fn CoveragePage(level: AreaLevel, area: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let coverage = LocalResource::new(move || {
        let path = format!("/api/v1/desk/coverage?level={}", level.slug());
        async move { session.call(|token| async move { api::get::<Coverage>(&token, &path).await }).await }
    });
    let within = area.clone().unwrap_or_default();
    let level_link = {
        let area = area.clone();
        move |target: AreaLevel| {
            let current = (target == level).then_some("page");
            // Per kecamatan, a kelurahan's code narrows to its kecamatan.
            let area =
                area.clone().map(|a| if target == AreaLevel::Kecamatan { a.chars().take(6).collect() } else { a });
            let href = Route::Coverage { level: target, area }.href();
            view! { <a href=href aria-current=current>{move || i18n.t().levels[target as usize]}</a> }
        }
    };
    view! {
        <h1>{move || i18n.t().nav_coverage}</h1>
        <nav class="segments" aria-label=move || i18n.t().level_label>
            {level_link(AreaLevel::Kecamatan)}
            {level_link(AreaLevel::Kelurahan)}
            {level_link(AreaLevel::Tps)}
        </nav>
        {area.clone().map(|a| view! {
            <p class="muted">{move || i18n.t().within}" "{a.clone()}" · "
                <a href=Route::Coverage { level, area: None }.href()>{move || i18n.t().whole_scope}</a></p>
        })}
        {move || {
            let within = within.clone();
            coverage.get().map(|c| match c {
                Err(error) => view! { <ErrorLine error/> }.into_any(),
                Ok(c) => {
                    let t = i18n.t();
                    let areas: Vec<_> = c.areas.into_iter().filter(|a| a.code.starts_with(&within)).collect();
                    let silent: Vec<String> = c.silent.into_iter().filter(|s| s.starts_with(&within)).collect();
                    let (tps, reported) = areas.iter().fold((0, 0), |(t, r), a| (t + a.tps, r + a.reported));
                    view! {
                        <p class="summary-line" data-testid="coverage-summary">
                            {format!("{reported}/{tps} TPS {} ({}%)", t.have_reported, percent(reported, tps))}
                        </p>
                        <div class="table-wrap" tabindex="0" role="region" aria-label=t.nav_coverage>
                            <table class="coverage" data-testid="coverage-table">
                                <thead><tr>
                                    <th scope="col">{t.area}</th>
                                    <th scope="col">"TPS"</th>
                                    <th scope="col">{t.reported}</th>
                                    <th scope="col">{t.phases[0]}</th>
                                    <th scope="col">{t.phases[1]}</th>
                                    <th scope="col">{t.phases[2]}</th>
                                    <th scope="col">{t.count_results}</th>
                                </tr></thead>
                                <tbody>
                                    {areas.into_iter().map(|a| {
                                        let cell = |n: u32| format!("{n} ({}%)", percent(n, a.tps));
                                        let name = a.name.clone().map(|n| format!("{n} · {}", a.code)).unwrap_or_else(|| a.code.clone());
                                        let deeper = match level {
                                            AreaLevel::Kecamatan => Some(Route::Coverage { level: AreaLevel::Kelurahan, area: Some(a.code.clone()) }),
                                            AreaLevel::Kelurahan => Some(Route::Coverage { level: AreaLevel::Tps, area: Some(a.code.clone()) }),
                                            AreaLevel::Tps => Some(Route::Reports(Filter { tps: Some(a.code.clone()), ..Filter::default() })),
                                        };
                                        let uncovered = a.reported == 0;
                                        view! {
                                            <tr class:uncovered=uncovered>
                                                <th scope="row">{match deeper {
                                                    Some(r) => view! { <a href=r.href()>{name}</a> }.into_any(),
                                                    None => name.into_any(),
                                                }}</th>
                                                <td>{a.tps}</td>
                                                <td>
                                                    <span class="meter" aria-hidden="true"><span style:width=format!("{}%", percent(a.reported, a.tps))></span></span>
                                                    {cell(a.reported)}
                                                </td>
                                                <td>{cell(a.opening)}</td>
                                                <td>{cell(a.voting)}</td>
                                                <td>{cell(a.counting)}</td>
                                                <td>{cell(a.count_results)}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <section class="silent" aria-labelledby="silent-heading" data-testid="silent">
                            <h2 id="silent-heading">{format!("{} ({})", t.silent_tps, silent.len())}</h2>
                            {if silent.is_empty() {
                                view! { <p class="muted">{t.none_silent}</p> }.into_any()
                            } else {
                                view! { <ul class="codes">{silent.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul> }.into_any()
                            }}
                        </section>
                    }.into_any()
                }
            })
        }}
    }
}
