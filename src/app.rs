//! The volunteer's screen: enrolment, what is waiting, the report form, and the
//! outbox with each report's state and receipt.

use crate::api::ApiBase;
use crate::enrolment;
use crate::outbox_store::{OutboxStore, Quarantined, StoreError, DATABASE};
use crate::strings as t;
use crate::sync::{announce, SyncEngine};
use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use leptos::prelude::*;
use pantau_core::outbox::{EditError, SaveError};
use pantau_core::validation::{FieldError, Lang};
use pantau_core::{Delivery, Outbox, OutboxEntry, Report, ReportBody, ReportId, TpsCode};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The form as typed so far, kept on every keystroke so that a reload or a
/// killed browser does not lose it (gloo-storage: rewriting it is harmless).
const DRAFT_KEY: &str = "pantau.draft";
/// How many days a sent report stays listed before the outbox forgets it.
const KEEP_SENT_DAYS_KEY: &str = "pantau.keep_sent_days";
const DEFAULT_KEEP_SENT_DAYS: i64 = 7;
/// Outbox rows drawn before "show all".
const OUTBOX_PAGE: usize = 50;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Draft {
    tps: String,
    text: String,
}

/// The form's outcome message.
#[derive(Clone, Debug, PartialEq)]
enum FormMessage {
    Saved,
    NotSaved(String),
    Invalid(Vec<(String, String)>),
}

/// The whole app. `api` defaults to the origin the PWA was served from and
/// `database` to Pantau's IndexedDB database (tests pass their own).
#[component]
pub fn App(#[prop(optional)] api: Option<ApiBase>, #[prop(optional)] database: Option<String>) -> impl IntoView {
    let api = api.unwrap_or_default();
    let outbox = RwSignal::new(Outbox::default());
    let enrolled = RwSignal::new(enrolment::load());
    let token = RwSignal::new(enrolled.get_untracked().map(|e| e.token));
    let engine = SyncEngine::new(outbox, token, api.clone());
    let ready = RwSignal::new(false);
    let storage_problem = RwSignal::new(None::<String>);
    let quarantined = RwSignal::new(Vec::<Quarantined>::new());
    let storage_info = RwSignal::new(crate::outbox_store::StorageInfo::default());

    let draft: Draft = GlooLocalStorage::get(DRAFT_KEY).unwrap_or_default();
    let tps = RwSignal::new(if draft.tps.is_empty() {
        enrolled.get_untracked().and_then(|e| e.volunteer.tps).unwrap_or_default()
    } else {
        draft.tps
    });
    let text = RwSignal::new(draft.text);
    let keep_draft = move || {
        let _ = GlooLocalStorage::set(DRAFT_KEY, Draft { tps: tps.get_untracked(), text: text.get_untracked() });
    };
    let message = RwSignal::new(None::<FormMessage>);
    let saving = RwSignal::new(false);
    // How many outbox rows are drawn.
    let shown = RwSignal::new(OUTBOX_PAGE);
    // Set while the form is correcting a report the server refused.
    let editing = RwSignal::new(None::<ReportId>);

    {
        let engine = engine.clone();
        let database = database.unwrap_or_else(|| DATABASE.to_owned());
        leptos::task::spawn_local(async move {
            match open_outbox(&database).await {
                Ok((store, entries, found_quarantined)) => {
                    if enrolled.get_untracked().is_none() {
                        // localStorage lost it (a killed browser): the durable copy restores it.
                        if let Ok(Some(e)) = store.setting::<pantau_core::protocol::Enrolment>(enrolment::SETTING_KEY).await {
                            let _ = enrolment::save(&e);
                            engine.token.set(Some(e.token.clone()));
                            enrolled.set(Some(e));
                        }
                    }
                    outbox.set(Outbox::from_entries(entries));
                    quarantined.set(found_quarantined);
                    forget_expired_sent(&store, outbox).await;
                    engine.store.set_value(Some(store));
                    ready.set(true);
                    engine.listen_to_other_tabs();
                    engine.trigger();
                }
                Err(e) => storage_problem.set(Some(e.to_string())),
            }
            storage_info.set(crate::outbox_store::storage_status().await);
        });
    }
    install_sync_triggers(&engine);
    let status = engine.status;

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
                        // The durable copy. The database may still be opening at first start.
                        let mut kept = false;
                        for _ in 0..50 {
                            if let Some(store) = engine.store.get_value() {
                                kept = store.set_setting(enrolment::SETTING_KEY, &e).await.is_ok();
                                break;
                            }
                            sleep_ms(100).await;
                        }
                        if !kept {
                            leptos::logging::error!("the enrolment is kept only in localStorage");
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
            h.replace_state_with_url(&JsValue::NULL, "", Some(&window().location().pathname().unwrap_or_default()))
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

    let save = {
        let engine = engine.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            let Some(store) = engine.store.get_value() else { return };
            let body = ReportBody::Note { text: text.get_untracked() };
            let candidate = match editing.get_untracked() {
                Some(id) => outbox.with_untracked(|o| {
                    o.get(id).map(|e| Report { tps: TpsCode::normalise(&tps.get_untracked()), body: body.clone(), ..e.report.clone() })
                }),
                None => None,
            };
            let report = candidate.unwrap_or_else(|| Report::new(ReportId(Uuid::new_v4()), &tps.get_untracked(), now(), body));
            // Only checked here: the outbox changes once storage has the report.
            let checked = match editing.get_untracked() {
                Some(_) => outbox.with_untracked(|o| o.check_edit(report)).map_err(|e| match e {
                    EditError::Invalid(errors) => invalid(&errors),
                    EditError::NotFound(_) | EditError::NotEditable(_) => FormMessage::NotSaved(t::NOT_EDITABLE.to_owned()),
                }),
                None => outbox.with_untracked(|o| o.check_save(report)).map_err(|e| match e {
                    SaveError::Invalid(errors) => invalid(&errors),
                    SaveError::AlreadySaved(id) => FormMessage::NotSaved(format!("laporan {id} sudah ada")),
                }),
            };
            let entry = match checked {
                Ok(entry) => entry,
                Err(m) => return message.set(Some(m)),
            };
            saving.set(true);
            let engine = engine.clone();
            leptos::task::spawn_local(async move {
                let stored = store.put(&entry).await;
                saving.set(false);
                match stored {
                    Ok(()) => {
                        outbox.update(|o| o.absorb(entry.clone()));
                        engine.channel.with_value(|c| announce(c.as_ref(), [entry.report.id]));
                        tps.set(entry.report.tps.clone());
                        text.set(String::new());
                        keep_draft();
                        editing.set(None);
                        message.set(Some(FormMessage::Saved));
                        engine.trigger();
                    }
                    Err(e @ StoreError::QuotaExceeded(_)) => {
                        message.set(Some(FormMessage::NotSaved(format!("{e}. {}", t::QUOTA_ADVICE))))
                    }
                    Err(e) => message.set(Some(FormMessage::NotSaved(format!("{e}. {}", t::RETRY_ADVICE)))),
                }
            });
        }
    };

    let field_error = move |field: &'static str| {
        move || match message.get() {
            Some(FormMessage::Invalid(errors)) => errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()),
            _ => None,
        }
    };

    let counts = move || outbox.with(|o| o.counts());
    let progress = engine.progress;
    let send_now = {
        let engine = engine.clone();
        move |_| engine.trigger()
    };
    let clear_sent = {
        let engine = engine.clone();
        move |_| {
            let Some(store) = engine.store.get_value() else { return };
            let sent: Vec<ReportId> =
                outbox.with_untracked(|o| o.entries().filter(|e| e.receipt().is_some()).map(|e| e.report.id).collect());
            let engine = engine.clone();
            leptos::task::spawn_local(async move {
                for id in sent {
                    // Storage first: if removal fails the report stays listed.
                    if store.remove(id).await.is_ok() {
                        let _ = outbox.try_update(|o| o.clear(id));
                        engine.channel.with_value(|c| announce(c.as_ref(), [id]));
                    }
                }
            });
        }
    };
    let edit = move |entry: OutboxEntry| {
        tps.set(entry.report.tps.clone());
        text.set(entry.report.summary(Lang::Id));
        editing.set(Some(entry.report.id));
        message.set(None);
        let _ = document().get_element_by_id("observation").map(|e| e.scroll_into_view());
    };

    view! {
        <header class="bar">
            <h1>{t::APP_TITLE}</h1>
            <p class="tagline">{t::APP_TAGLINE}</p>
        </header>
        <main>
            <section class="enrolment" data-testid="enrolment">
                // A refused token shows the form again: re-enrolling resumes sending.
                {move || match enrolled.get().filter(|_| !status.get().paused_unauthorized) {
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
                {move || progress.get().map(|p| view! {
                    <progress max=p.total value=p.delivered aria-label=t::SENDING_PROGRESS></progress>
                    <p data-testid="progress">{p.delivered} " " {t::OF} " " {p.total} " " {t::SENT_COUNT}</p>
                })}
                <p class="muted">
                    {t::LAST_SYNC} ": "
                    {move || status.get().last_delivery_ms.map(format_clock).unwrap_or_else(|| t::NEVER.to_owned())}
                </p>
                <Show when=move || status.get().paused_unauthorized>
                    <p class="warning" data-testid="reenrol">{t::SYNC_PAUSED_UNAUTHORIZED}</p>
                </Show>
                <Show when=move || status.get().other_tab_sending>
                    <p class="muted">{t::OTHER_TAB_SENDING}</p>
                </Show>
                <button type="button" class="secondary" on:click=send_now data-testid="send-now">
                    {t::SEND_NOW}
                </button>
            </section>

            <Show when=move || storage_problem.get().is_some()>
                <p class="warning" role="alert">{t::STORAGE_UNAVAILABLE} " " {move || storage_problem.get()}</p>
            </Show>

            <form on:submit=save novalidate>
                <h2>{move || if editing.get().is_some() { t::EDIT_HEADING } else { t::NEW_REPORT_HEADING }}</h2>
                <label for="tps">{t::TPS_LABEL}</label>
                <input
                    id="tps"
                    name="tps"
                    inputmode="numeric"
                    autocomplete="off"
                    aria-describedby="tps-hint"
                    prop:value=move || tps.get()
                    on:input=move |ev| {
                        tps.set(event_target_value(&ev));
                        keep_draft();
                    }
                />
                <p id="tps-hint" class="hint">{t::TPS_HINT}</p>
                <p class="field-error" role="alert">{field_error("tps")}</p>

                <label for="observation">{t::OBSERVATION_LABEL}</label>
                <textarea
                    id="observation"
                    name="observation"
                    rows="4"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        text.set(event_target_value(&ev));
                        keep_draft();
                    }
                ></textarea>
                <p class="field-error" role="alert">{field_error("body.text")}</p>

                <button type="submit" class="primary" data-testid="save" prop:disabled=move || !ready.get() || saving.get()>
                    {move || if !ready.get() { t::LOADING } else if saving.get() { t::SAVING } else { t::SAVE }}
                </button>
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
                <Show when=move || outbox.with(|o| o.is_empty())>
                    <p class="muted">{t::OUTBOX_EMPTY}</p>
                </Show>
                <ul class="outbox" data-testid="outbox">
                    // The newest first, a page at a time: a cheap phone should not
                    // draw 1,000 rows. Keys only: with 1,000 reports queued every send changes the
                    // outbox several times, and cloning every entry each time
                    // would cost more than the send. Rows are rebuilt only for
                    // entries whose state changed.
                    <For
                        each=move || outbox.with(|o| o.entries().rev().take(shown.get()).map(|e| (e.report.id, delivery_key(&e.delivery))).collect::<Vec<_>>())
                        key=|row| *row
                        children=move |(id, _)| {
                            outbox.with_untracked(|o| o.get(id).cloned()).map(|entry| view! { <OutboxItem entry on_edit=edit/> })
                        }
                    />
                </ul>
                <Show when=move || { outbox.with(|o| o.len()) > shown.get() }>
                    <button type="button" class="secondary" on:click=move |_| shown.set(usize::MAX) data-testid="show-all">
                        {t::SHOW_ALL} " (" {move || outbox.with(|o| o.len())} ")"
                    </button>
                </Show>
                <Show when=move || { counts().sent > 0 }>
                    <button type="button" class="secondary" on:click=clear_sent.clone() data-testid="clear-sent">
                        {t::CLEAR_SENT}
                    </button>
                </Show>
            </section>

            <Show when=move || !quarantined.with(Vec::is_empty)>
                <section class="quarantine" data-testid="quarantine">
                    <h2>{t::QUARANTINE_HEADING}</h2>
                    <p class="warning">{move || quarantined.with(Vec::len)} " " {t::UNREADABLE_RECORDS}</p>
                    <ul>
                        {move || quarantined.get().into_iter().map(|q| view! {
                            <li><code>{q.origin}</code> ": " {q.reason}</li>
                        }).collect::<Vec<_>>()}
                    </ul>
                </section>
            </Show>

            <section class="storage" data-testid="storage">
                <h2>{t::STORAGE_HEADING}</h2>
                <p>{move || match storage_info.get().persisted {
                    Some(true) => t::STORAGE_PERSISTENT,
                    Some(false) => t::STORAGE_NOT_PERSISTENT,
                    None => t::STORAGE_UNKNOWN,
                }}</p>
                <p class="muted">{move || {
                    let info = storage_info.get();
                    match (info.usage, info.quota) {
                        (Some(u), Some(q)) => format!("{} {} {} {}", t::STORAGE_USED, megabytes(u), t::OF, megabytes(q)),
                        _ => String::new(),
                    }
                }}</p>
            </section>
        </main>
    }
}

#[component]
fn OutboxItem<F>(entry: OutboxEntry, on_edit: F) -> impl IntoView
where
    F: Fn(OutboxEntry) + Copy + Send + Sync + 'static,
{
    let (state, label) = match &entry.delivery {
        Delivery::Waiting { .. } => ("waiting", t::STATE_WAITING.to_owned()),
        Delivery::Sending { .. } => ("sending", t::STATE_SENDING.to_owned()),
        Delivery::Sent { receipt } => (
            "sent",
            format!("{} · {} {} · {}", t::STATE_SENT, t::RECEIPT_NO, receipt.seq, format_clock(millis(receipt.received_at))),
        ),
        Delivery::Rejected { problem } => ("rejected", format!("{}: {}", t::STATE_REJECTED, problem.title)),
        Delivery::Conflict { problem } => ("conflict", format!("{}: {}", t::STATE_CONFLICT, problem.title)),
    };
    let field_errors: Vec<String> = match &entry.delivery {
        Delivery::Rejected { problem } => problem.errors.iter().map(|e| format!("{}: {}", e.field, e.message(Lang::Id))).collect(),
        _ => Vec::new(),
    };
    let last_error = match &entry.delivery {
        Delivery::Waiting { last_error: Some(e), attempts } => Some(format!("{} {attempts}× · {e}", t::TRIED)),
        _ => None,
    };
    let editable = matches!(entry.delivery, Delivery::Rejected { .. });
    let for_edit = entry.clone();
    view! {
        <li class=format!("report {state}") data-report-id=entry.report.id.to_string() data-state=state>
            <p class="report-text">{entry.report.summary(Lang::Id)}</p>
            <p class="report-meta">
                "TPS " {entry.report.tps.clone()} " · " {format_clock(millis(entry.report.created_at))}
            </p>
            <p class="state">{label}</p>
            {field_errors.into_iter().map(|e| view! { <p class="field-error">{e}</p> }).collect::<Vec<_>>()}
            {last_error.map(|e| view! { <p class="report-meta">{e}</p> })}
            {editable.then(|| view! {
                <button type="button" class="secondary" on:click=move |_| on_edit(for_edit.clone())>{t::EDIT}</button>
            })}
        </li>
    }
}

async fn open_outbox(database: &str) -> Result<(OutboxStore, Vec<OutboxEntry>, Vec<Quarantined>), StoreError> {
    let store = OutboxStore::open(database).await?;
    let loaded = store.load().await?;
    if loaded.migrated > 0 {
        leptos::logging::log!("moved {} reports from localStorage to IndexedDB", loaded.migrated);
    }
    Ok((store, loaded.entries, loaded.quarantined))
}

/// Sent reports older than the retention period leave the outbox (storage first).
async fn forget_expired_sent(store: &OutboxStore, outbox: RwSignal<Outbox>) {
    let days = GlooLocalStorage::get::<i64>(KEEP_SENT_DAYS_KEY).unwrap_or(DEFAULT_KEEP_SENT_DAYS).max(0);
    let expired = outbox.with_untracked(|o| o.expired_sent(now(), time::Duration::days(days)));
    for id in expired {
        if store.remove(id).await.is_ok() {
            let _ = outbox.try_update(|o| o.clear(id));
        }
    }
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn invalid(errors: &[FieldError]) -> FormMessage {
    FormMessage::Invalid(errors.iter().map(|e| (e.field.clone(), e.message(Lang::Id))).collect())
}

/// "1,5 MB", written with integers: float formatting costs kilobytes of wasm.
fn megabytes(bytes: f64) -> String {
    let tenths = (bytes / 100_000.0).round() as u64;
    format!("{},{} MB", tenths / 10, tenths % 10)
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

fn now() -> OffsetDateTime {
    let ms = js_sys::Date::now() as i128;
    OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn millis(t: OffsetDateTime) -> f64 {
    (t.unix_timestamp_nanos() / 1_000_000) as f64
}

/// "14.05" in the phone's local time, as Indonesians write the time.
fn format_clock(ms: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
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
