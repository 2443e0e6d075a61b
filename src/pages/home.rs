//! Beranda: what is waiting, the last sync, and the way to a new report.

use crate::clock::format_clock;
use crate::enrolment::EnrolmentState;
use crate::i18n::use_i18n;
use crate::outbox::PhoneOutbox;
use crate::profile::{self, Profile};
use crate::pwa::Pwa;
use crate::routes::{FormKind, Route};
use crate::sync::RoundOutcome;
use leptos::prelude::*;
use pantau_core::Delivery;
use std::time::Duration;

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let outbox = expect_context::<PhoneOutbox>();
    let list = outbox.list();
    let counts = move || list.with(|o| o.counts());
    let status = outbox.status();
    let progress = outbox.progress();
    let profile = expect_context::<RwSignal<Profile>>();
    let enrolment = expect_context::<EnrolmentState>();
    let enrolled = enrolment.enrolled();
    let enrolling = enrolment.busy();
    let storage_problem = outbox.problem();
    let pwa = expect_context::<Pwa>();
    let online = connection();
    // Ticks while a try is scheduled, so "dalam 40 detik" counts down.
    let now = RwSignal::new(js_sys::Date::now());
    if let Ok(tick) = set_interval_with_handle(move || now.set(js_sys::Date::now()), Duration::from_secs(1)) {
        on_cleanup(move || tick.clear());
    }
    let next_try = move || {
        let waiting = counts().waiting > 0;
        let at = status.with(|s| s.next_try_ms).filter(|_| waiting)?;
        let seconds = ((at - now.get()) / 1000.0).ceil().max(0.0) as u64;
        let t = i18n.t();
        Some(match seconds {
            0 => t.trying_now.to_owned(),
            1..=90 => format!("{} {seconds} {}", t.next_try_in, t.seconds),
            _ => format!("{} {} {}", t.next_try_in, seconds.div_ceil(60), t.minutes),
        })
    };
    view! {
        <h2 class="greeting">
            {i18n.word(|t| t.hello)} " "
            {move || { let name = profile.with(|p| p.name.clone()); if name.is_empty() { i18n.t().volunteer.to_owned() } else { name } }}
        </h2>
        <p class="muted" data-testid="home-tps">
            {move || {
                let tps = profile.with(|p| p.tps.clone());
                match profile::describe(&tps) {
                    Some(place) => place,
                    None if tps.trim().is_empty() => i18n.t().tps_not_set.to_owned(),
                    None => format!("TPS {tps}"),
                }
            }}
        </p>
        <Show when=move || enrolled.with(Option::is_none)>
            {move || if enrolling.get() {
                // Over a slow link the exchange takes a while: no red warning meanwhile.
                view! { <p class="muted" data-testid="enrolling">{i18n.word(|t| t.enrolling)}</p> }.into_any()
            } else {
                view! {
                    <p class="warning" data-testid="not-enrolled">{i18n.word(|t| t.not_enrolled)} " "
                        <a href=Route::Settings.href()>{i18n.word(|t| t.go_to_settings)}</a>
                    </p>
                }.into_any()
            }}
        </Show>
        <Show when=move || storage_problem.get().is_some()>
            <p class="warning" role="alert">{i18n.word(|t| t.storage_unavailable)} " " {move || storage_problem.get().map(|e| e.message(i18n.t()))}</p>
        </Show>

        <Show when=move || !online.get()>
            <p class="warning" data-testid="offline">{i18n.word(|t| t.phone_offline)}</p>
        </Show>
        <section class="summary" aria-live="polite">
            <p data-testid="counts">
                <strong>{move || counts().waiting + counts().sending}</strong> " " {i18n.word(|t| t.waiting_count)} " · "
                <strong>{move || counts().sent}</strong> " " {i18n.word(|t| t.sent_count)}
                {move || { let c = counts(); (c.rejected + c.conflict > 0).then(|| format!(" · {} {}", c.rejected + c.conflict, i18n.t().refused_count)) }}
            </p>
            {move || progress.get().map(|p| view! {
                <progress max=p.total value=p.delivered aria-label=i18n.word(|t| t.sending_progress)></progress>
                <p data-testid="progress">{p.delivered} " " {i18n.word(|t| t.of)} " " {p.total} " " {i18n.word(|t| t.sent_count)}</p>
            })}
            <p class="muted">
                {i18n.word(|t| t.last_sync)} ": "
                {move || status.get().last_delivery_ms.map(format_clock).unwrap_or_else(|| i18n.t().never.to_owned())}
            </p>
            <Show when=move || status.get().paused_unauthorized>
                <p class="warning" data-testid="reenrol">{i18n.word(|t| t.sync_paused_unauthorized)} " "
                    <a href=Route::Settings.href()>{i18n.word(|t| t.go_to_settings)}</a>
                </p>
            </Show>
            <Show when=move || status.get().other_tab_sending>
                <p class="muted">{i18n.word(|t| t.other_tab_sending)}</p>
            </Show>
            {move || next_try().map(|next| view! { <p class="muted" data-testid="next-try">{next}</p> })}
            <SendNow/>
        </section>

        <h2>{i18n.word(|t| t.new_report_heading)}</h2>
        <div class="kinds">
            {FormKind::ALL.into_iter().map(|kind| view! {
                <a class="kind" href=Route::NewReport(Some(kind)).href()>
                    <strong>{move || kind.title(i18n.t())}</strong>
                </a>
            }).collect::<Vec<_>>()}
        </div>
        // Last on the screen: the browser offers installation a moment after
        // load, and an offer above would push the report buttons away from
        // the thumb about to tap them.
        <Show when=move || pwa.can_install.get()>
            <section class="install">
                <button type="button" class="primary" data-testid="install" on:click=move |_| pwa.install()>{i18n.word(|t| t.install_app)}</button>
                <p class="muted">{i18n.word(|t| t.install_why)}</p>
            </section>
        </Show>
        {crate::pwa::needs_ios_instructions().then(|| view! {
            <p class="install" data-testid="ios-install">{i18n.word(|t| t.ios_install)}</p>
        })}
    }
}

/// The *Kirim sekarang* button, with a line under it that answers the tap:
/// how many went, or why not, in the volunteer's words.
#[component]
pub fn SendNow() -> impl IntoView {
    let i18n = use_i18n();
    let outbox = expect_context::<PhoneOutbox>();
    let list = outbox.list();
    let status = outbox.status();
    // When *Kirim sekarang* was last tapped here: the line under it answers
    // with the first round that ended after it.
    let asked = RwSignal::new(None::<f64>);
    let send_result = move || {
        let at = asked.get()?;
        let t = i18n.t();
        let Some((_, outcome)) = status.with(|s| s.last_round).filter(|(ended, _)| *ended >= at) else {
            return Some(t.trying_now.to_owned());
        };
        let why = || {
            list.with(|o| {
                o.entries().find_map(|e| match &e.delivery {
                    Delivery::Waiting { last_error: Some(error), .. } => Some(t.wait_reason(error)),
                    _ => None,
                })
            })
            .unwrap_or_default()
        };
        Some(match outcome {
            RoundOutcome::Drained { delivered: 0 } => t.nothing_waiting.to_owned(),
            RoundOutcome::Drained { delivered } => format!("{delivered} {}", t.sent_now),
            RoundOutcome::Stopped { delivered: 0 } => format!("{} {}", t.not_sent_yet, why()),
            RoundOutcome::Stopped { delivered } => format!("{delivered} {} {}", t.not_all_sent, why()),
            RoundOutcome::Refused => t.sync_paused_unauthorized.to_owned(),
            RoundOutcome::NotEnrolled => t.send_needs_enrolment.to_owned(),
            RoundOutcome::OtherTab => t.other_tab_sending.to_owned(),
        })
    };
    let send_now = move |_| {
        asked.set(Some(js_sys::Date::now()));
        outbox.send_now();
    };
    view! {
        <button type="button" class="secondary" on:click=send_now data-testid="send-now">
            {i18n.word(|t| t.send_now)}
        </button>
        {move || send_result().map(|said| view! { <p role="status" data-testid="send-result">{said}</p> })}
    }
}

/// Whether the browser says the phone has a network (a hint only: a report
/// counts as sent by its receipt, never by this), following its changes.
fn connection() -> RwSignal<bool> {
    let online = RwSignal::new(window().navigator().on_line());
    let up = window_event_listener(leptos::ev::online, move |_| online.set(true));
    let down = window_event_listener(leptos::ev::offline, move |_| online.set(false));
    on_cleanup(move || {
        up.remove();
        down.remove();
    });
    online
}
