//! Count results added up per contest over the scope, with the TPS to check
//! first: two volunteers' results that differ, sheets that do not add up.

use super::ErrorLine;
use crate::api;
use crate::i18n::use_i18n;
use crate::routes::{Filter, Route};
use crate::session::use_session;
use leptos::prelude::*;
use pantau_core::desk::Tally;
use pantau_core::tally::CountProblem;

#[component]
pub fn TallyPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let tally = LocalResource::new(move || async move {
        session.call(|token| async move { api::get::<Tally>(&token, "/api/v1/desk/tally").await }).await
    });
    view! {
        <h1>{move || i18n.t().nav_tally}</h1>
        <p class="hint">{move || i18n.t().tally_hint}</p>
        {move || tally.get().map(|t| match t {
            Err(error) => view! { <ErrorLine error/> }.into_any(),
            Ok(Tally { contests }) if contests.is_empty() => view! { <p class="muted">{i18n.t().no_counts}</p> }.into_any(),
            Ok(Tally { contests }) => {
                let lang = i18n.lang();
                let t = i18n.t();
                contests.into_iter().map(|c| {
                    let most = c.participants.iter().map(|p| p.votes).max().unwrap_or(0).max(1);
                    let sum: u64 = c.participants.iter().map(|p| p.votes).sum();
                    let contest = c.contest;
                    view! {
                        <section class="contest" data-testid="contest">
                            <h2>{contest.label(lang)}" · "{format!("{} TPS", c.tps)}</h2>
                            {(!c.flagged.is_empty()).then(|| view! {
                                <div class="check-first" data-testid="flagged">
                                    <h3>{t.check_first}</h3>
                                    <ul>
                                        {c.flagged.into_iter().map(|f| {
                                            let href = Route::Reports(Filter {
                                                kind: Some("count_result".into()),
                                                category: Some(contest.as_str().into()),
                                                tps: Some(f.tps.clone()),
                                                ..Filter::default()
                                            }).href();
                                            let why: Vec<&str> = f.problems.iter().map(|p| match p {
                                                CountProblem::Discrepancy => t.discrepancy,
                                                CountProblem::DoesNotAddUp => t.does_not_add_up,
                                            }).collect();
                                            view! {
                                                <li><a href=href>{"TPS "}{f.tps}</a>{format!(" · {} · {} {}", why.join(" · "), f.reports, t.reports_word)}</li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </div>
                            })}
                            <table class="votes">
                                <tbody>
                                    {c.participants.into_iter().map(|p| {
                                        let share = if sum == 0 { 0.0 } else { p.votes as f64 * 100.0 / sum as f64 };
                                        view! {
                                            <tr>
                                                <th scope="row">{p.name}</th>
                                                <td class="figure">{p.votes}</td>
                                                <td class="share">
                                                    <span class="meter" aria-hidden="true"><span style:width=format!("{}%", p.votes * 100 / most)></span></span>
                                                    {format!("{share:.1}%")}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                                <tfoot>
                                    <tr><th scope="row">{t.valid}</th><td class="figure">{c.valid}</td><td></td></tr>
                                    <tr><th scope="row">{t.invalid}</th><td class="figure">{c.invalid}</td><td></td></tr>
                                    <tr><th scope="row">{t.voters}</th><td class="figure">{c.voters}</td><td></td></tr>
                                </tfoot>
                            </table>
                        </section>
                    }
                }).collect_view().into_any()
            }
        })}
    }
}
