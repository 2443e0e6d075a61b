//! The volunteer's screen: the report form, what is waiting, and the outbox.

use crate::api::ApiBase;
use crate::enrolment;
use crate::outbox_store::{OutboxStore, StoreError};
use crate::strings as t;
use crate::sync::SyncEngine;
use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use leptos::prelude::*;
use pantau_core::outbox::SaveError;
use pantau_core::validation::Lang;
use pantau_core::{Delivery, Outbox, OutboxEntry, Report, ReportBody, ReportId};
use time::OffsetDateTime;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The TPS last used, so a volunteer at one station types it once.
const LAST_TPS_KEY: &str = "pantau.last_tps";

/// The form's outcome message.
#[derive(Clone, Debug, PartialEq)]
enum FormMessage {
    Saved,
    NotSaved(String),
    Invalid(Vec<(String, String)>),
}

/// The whole app. `api` defaults to the origin the PWA was served from.
#[component]
pub fn App(#[prop(optional)] api: Option<ApiBase>) -> impl IntoView {
    let store = OutboxStore::default();
    let (initial, unreadable) = match store.load() {
        Ok(loaded) => (loaded.entries, loaded.unreadable.len()),
        Err(e) => {
            leptos::logging::error!("could not read the outbox: {e}");
            (Vec::new(), 0)
        }
    };
    let api = api.unwrap_or_default();
    let outbox = RwSignal::new(Outbox::from_entries(initial));
    let enrolled = RwSignal::new(enrolment::load());
    let token = RwSignal::new(enrolled.get_untracked().map(|e| e.token));
    let engine = SyncEngine::new(outbox, token, store.clone(), api.clone());
    install_sync_triggers(&engine);
    engine.trigger();

    let last_tps = GlooLocalStorage::get::<String>(LAST_TPS_KEY)
        .ok()
        .or_else(|| enrolled.get_untracked().and_then(|e| e.volunteer.tps));
    let tps = RwSignal::new(last_tps.unwrap_or_default());

    // Enrolment: from the coordinator's link (#daftar=CODE) or a typed code.
    let enrol_code = RwSignal::new(String::new());
    let enrol_message = RwSignal::new(None::<String>);
    let start_enrolment = {
        let engine = engine.clone();
        move |code: String| {
            let engine = engine.clone();
            let api = api.clone();
            enrol_message.set(Some(t::ENROLLING.to_owned()));
            leptos::task::spawn_local(async move {
                match enrolment::enrol(&api, &code).await {
                    Ok(e) => {
                        if let Err(err) = enrolment::save(&e) {
                            leptos::logging::error!("could not keep the enrolment: {err}");
                        }
                        if tps.get_untracked().is_empty() {
                            tps.set(e.volunteer.tps.clone().unwrap_or_default());
                        }
                        engine.token.set(Some(e.token.clone()));
                        engine.status.update(|s| s.paused_unauthorized = false);
                        enrolled.set(Some(e));
                        enrol_code.set(String::new());
                        enrol_message.set(None);
                        engine.trigger();
                    }
                    Err(err) => enrol_message.set(Some(err.to_string())),
                }
            });
        }
    };
    if let Some(code) = window().location().hash().ok().as_deref().and_then(enrolment::code_from_fragment) {
        // Drop the code from the address bar so a reload or a shared screenshot
        // does not carry it.
        let _ = window().history().and_then(|h| {
            h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&window().location().pathname().unwrap_or_default()))
        });
        start_enrolment(code);
    }
    let submit_code = {
        let start_enrolment = start_enrolment.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            start_enrolment(enrol_code.get_untracked());
        }
    };
    let text = RwSignal::new(String::new());
    let message = RwSignal::new(None::<FormMessage>);

    let save = {
        let engine = engine.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let report = Report::new(
                ReportId(Uuid::new_v4()),
                &tps.get_untracked(),
                now(),
                ReportBody::Note { text: text.get_untracked() },
            );
            match save_report(&store, outbox, report) {
                Ok(saved) => {
                    let _ = GlooLocalStorage::set(LAST_TPS_KEY, &saved.report.tps);
                    tps.set(saved.report.tps.clone());
                    text.set(String::new());
                    message.set(Some(FormMessage::Saved));
                    engine.trigger();
                }
                Err(m) => message.set(Some(m)),
            }
        }
    };

    let field_error = move |field: &'static str| {
        move || match message.get() {
            Some(FormMessage::Invalid(errors)) => {
                errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone())
            }
            _ => None,
        }
    };

    let counts = move || outbox.with(|o| o.counts());
    let status = engine.status;
    let send_now = {
        let engine = engine.clone();
        move |_| engine.trigger()
    };

    view! {
        <header class="bar">
            <h1>{t::APP_TITLE}</h1>
            <p class="tagline">{t::APP_TAGLINE}</p>
        </header>
        <main>
            <section class="enrolment" data-testid="enrolment">
                {move || match enrolled.get() {
                    Some(e) => view! {
                        <p class="muted" data-testid="enrolled-as">{t::ENROLLED_AS} " " <strong>{e.volunteer.name}</strong></p>
                    }.into_any(),
                    None => view! {
                        <form on:submit=submit_code.clone()>
                            <p class="warning">{t::NOT_ENROLLED}</p>
                            <label for="enrol-code">{t::ENROL_CODE_LABEL}</label>
                            <input id="enrol-code" autocomplete="off" autocapitalize="characters"
                                prop:value=move || enrol_code.get()
                                on:input=move |ev| enrol_code.set(event_target_value(&ev)) />
                            <button type="submit" class="secondary">{t::ENROL}</button>
                        </form>
                    }.into_any(),
                }}
                <p class="form-message" role="status">{move || enrol_message.get()}</p>
            </section>
            <section class="summary" aria-live="polite">
                <p data-testid="counts">
                    <strong>{move || counts().waiting + counts().sending}</strong> " " {t::WAITING_COUNT} " · "
                    <strong>{move || counts().sent}</strong> " " {t::SENT_COUNT}
                </p>
                <p class="muted">
                    {t::LAST_SYNC} ": "
                    {move || status.get().last_delivery_ms.map(format_clock).unwrap_or_else(|| t::NEVER.to_owned())}
                </p>
                <Show when=move || status.get().paused_unauthorized>
                    <p class="warning">{t::SYNC_PAUSED_UNAUTHORIZED}</p>
                </Show>
                <Show when=move || { unreadable > 0 }>
                    <p class="warning">{unreadable} " " {t::UNREADABLE_RECORDS}</p>
                </Show>
                <button type="button" class="secondary" on:click=send_now data-testid="send-now">
                    {t::SEND_NOW}
                </button>
            </section>

            <form on:submit=save novalidate>
                <label for="tps">{t::TPS_LABEL}</label>
                <input
                    id="tps"
                    name="tps"
                    inputmode="numeric"
                    autocomplete="off"
                    aria-describedby="tps-hint"
                    prop:value=move || tps.get()
                    on:input=move |ev| tps.set(event_target_value(&ev))
                />
                <p id="tps-hint" class="hint">{t::TPS_HINT}</p>
                <p class="field-error" role="alert">{field_error("tps")}</p>

                <label for="observation">{t::OBSERVATION_LABEL}</label>
                <textarea
                    id="observation"
                    name="observation"
                    rows="4"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
                <p class="field-error" role="alert">{field_error("body.text")}</p>

                <button type="submit" class="primary" data-testid="save">{t::SAVE}</button>
                <p class="form-message" role="status" data-testid="form-message">
                    {move || match message.get() {
                        Some(FormMessage::Saved) => t::SAVED.to_owned(),
                        Some(FormMessage::NotSaved(why)) => format!("{}: {why}", t::NOT_SAVED),
                        _ => String::new(),
                    }}
                </p>
            </form>

            <section>
                <h2>{t::OUTBOX_HEADING}</h2>
                <Show when=move || outbox.with(|o| o.entries().is_empty())>
                    <p class="muted">{t::OUTBOX_EMPTY}</p>
                </Show>
                <ul class="outbox" data-testid="outbox">
                    <For
                        each=move || outbox.with(|o| o.entries().iter().rev().cloned().collect::<Vec<_>>())
                        key=|entry| (entry.report.id, delivery_key(&entry.delivery))
                        children=move |entry| view! { <OutboxItem entry/> }
                    />
                </ul>
            </section>
        </main>
    }
}

#[component]
fn OutboxItem(entry: OutboxEntry) -> impl IntoView {
    let (state, label) = match &entry.delivery {
        Delivery::Waiting { .. } => ("waiting", t::STATE_WAITING.to_owned()),
        Delivery::Sending { .. } => ("sending", t::STATE_SENDING.to_owned()),
        Delivery::Sent { receipt } => ("sent", format!("{} · {} {}", t::STATE_SENT, t::RECEIPT_NO, receipt.seq)),
        Delivery::Rejected { problem } => ("rejected", format!("{}: {}", t::STATE_REJECTED, problem.title)),
        Delivery::Conflict { problem } => ("conflict", format!("{}: {}", t::STATE_CONFLICT, problem.title)),
    };
    view! {
        <li class=format!("report {state}") data-report-id=entry.report.id.to_string() data-state=state>
            <p class="report-text">{entry.report.summary().to_owned()}</p>
            <p class="report-meta">
                "TPS " {entry.report.tps.clone()} " · " {format_clock(entry.report.created_at.unix_timestamp() as f64 * 1000.0)}
            </p>
            <p class="state">{label}</p>
        </li>
    }
}

/// Validates, queues and persists a report. The volunteer is told "saved" only
/// after storage has accepted the write; if it refuses, the outbox in memory is
/// left as it was and the form keeps what was typed.
fn save_report(store: &OutboxStore, outbox: RwSignal<Outbox>, report: Report) -> Result<OutboxEntry, FormMessage> {
    let mut next = outbox.get_untracked();
    let entry = match next.save(report) {
        Ok(entry) => entry.clone(),
        Err(SaveError::Invalid(errors)) => {
            return Err(FormMessage::Invalid(errors.iter().map(|e| (e.field.clone(), e.message(Lang::Id))).collect()))
        }
        Err(SaveError::AlreadySaved(id)) => return Err(FormMessage::NotSaved(format!("laporan {id} sudah ada"))),
    };
    match store.put(&entry) {
        Ok(()) => {
            outbox.set(next);
            Ok(entry)
        }
        Err(e @ StoreError::QuotaExceeded(_)) => Err(FormMessage::NotSaved(format!("{e}. {}", t::QUOTA_ADVICE))),
        Err(e) => Err(FormMessage::NotSaved(e.to_string())),
    }
}

/// Changes whenever an entry's state does, so `<For>` redraws that row.
fn delivery_key(delivery: &Delivery) -> u8 {
    match delivery {
        Delivery::Waiting { .. } => 0,
        Delivery::Sending { .. } => 1,
        Delivery::Sent { .. } => 2,
        Delivery::Rejected { .. } => 3,
        Delivery::Conflict { .. } => 4,
    }
}

fn now() -> OffsetDateTime {
    let ms = js_sys::Date::now() as i128;
    OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// "14.05" in the phone's local time, as Indonesians write the time.
fn format_clock(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}.{:02}", date.get_hours(), date.get_minutes())
}

fn install_sync_triggers(engine: &SyncEngine) {
    let on_online = engine.clone();
    // The handle is dropped on purpose: the listener lives as long as the page.
    let _ = window_event_listener(leptos::ev::online, move |_| on_online.trigger());

    let on_visible = engine.clone();
    let listener = Closure::<dyn Fn()>::new(move || {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            on_visible.trigger();
        }
    });
    let _ = document().add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
    listener.forget();
}
