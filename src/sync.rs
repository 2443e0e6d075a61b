//! The browser side of syncing: runs pantau-core's [`run_round`] with fetch as
//! the transport and IndexedDB as storage, decides when to run it, and keeps
//! several open tabs in step.
//!
//! Triggers (wired by start-up and the outbox door above this module): app start, the `online` event, the page
//! becoming visible, the "Kirim sekarang" button, a save, a change announced by
//! another tab, and the backoff timer after a failure. `navigator.onLine` is
//! never trusted: only a 2xx marks a report sent.
//!
//! One tab sends at a time: a round runs inside the Web Lock `pantau-sync`
//! (where the browser has no Web Locks every tab may send, which is safe because
//! the server stores each report id once). Tabs tell each other about changed
//! entries on the BroadcastChannel `pantau-outbox`, because IndexedDB fires no
//! event in other tabs.

use crate::api::{post_batch, ApiBase};
use crate::outbox_store::{OutboxStore, StoreError};
use leptos::prelude::*;
use pantau_core::outbox::OutboxEntry;
use pantau_core::protocol::{Enrolment, WaitError, WaitReason};
use pantau_core::sync::{run_round, OutboxCell, Persist, Progress, RetryClock, RoundEnd, Transport, PACE};
use pantau_core::{Outbox, Report, ReportId, SendOutcome};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const LOCK_NAME: &str = "pantau-sync";
const CHANNEL_NAME: &str = "pantau-outbox";
/// While another tab holds the lock, look again after this long (that tab may
/// be in the background, where browsers slow its timers).
const OTHER_TAB_RECHECK: Duration = Duration::from_secs(15);

/// What the volunteer sees of syncing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncStatus {
    /// The last time a report was confirmed by the server (ms since the epoch),
    /// kept across reloads.
    pub last_delivery_ms: Option<f64>,
    /// When the next try starts by itself, after a failed one (ms since the epoch).
    pub next_try_ms: Option<f64>,
    /// The server refused our credentials: sending waits for re-enrolment.
    pub paused_unauthorized: bool,
    /// Another tab is sending.
    pub other_tab_sending: bool,
    /// What the last round came to, and when it ended (ms since the epoch):
    /// the answer to a tap of *Kirim sekarang*.
    pub last_round: Option<(f64, RoundOutcome)>,
}

/// What came of one round of sending, as the volunteer is told it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundOutcome {
    /// Everything waiting went; this many reports were confirmed.
    Drained { delivered: usize },
    /// Sending stopped for now (why is on the oldest waiting report) after
    /// this many reports were confirmed.
    Stopped { delivered: usize },
    /// The server refused the phone's token.
    Refused,
    /// No token yet: nothing is sent before enrolment.
    NotEnrolled,
    /// Another tab holds the sending lock.
    OtherTab,
}

/// The outbox as the engine sees it: the reactive signal the screen renders.
/// A round that outlives its app (only tests close apps) sees an empty outbox
/// from then on, so it stops and persists nothing more.
struct SignalOutbox(RwSignal<Outbox>);

impl OutboxCell for SignalOutbox {
    fn update<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> R {
        if self.0.is_disposed() {
            return f(&mut Outbox::default());
        }
        self.0.try_update(f).expect("checked just above")
    }
    fn read<R>(&self, f: impl FnOnce(&Outbox) -> R) -> R {
        match self.0.is_disposed() {
            true => f(&Outbox::default()),
            false => self.0.with_untracked(f),
        }
    }
}

struct Http<'a> {
    api: &'a ApiBase,
    token: &'a str,
    store: &'a OutboxStore,
    photos: RwSignal<Option<PhotoProgress>>,
}

impl Transport for Http<'_> {
    async fn send(&self, reports: &[Report]) -> Vec<SendOutcome> {
        post_batch(self.api, self.token, reports).await
    }

    async fn upload_photos(&self, report: &Report) -> Result<(), SendOutcome> {
        if !cfg!(feature = "photos") {
            return Ok(());
        }
        let total = report.photos.len();
        for (done, photo) in report.photos.iter().enumerate() {
            if !self.photos.is_disposed() {
                self.photos.set(Some(PhotoProgress { report: report.id, done, total }));
            }
            let waits = |detail: String| SendOutcome::RetryLater {
                reason: WaitError::new(WaitReason::PhotoUpload, detail),
                retry_after_ms: None,
            };
            let blob = match self.store.photo(&photo.sha256).await {
                Ok(Some(blob)) => blob,
                Ok(None) => return Err(waits(format!("photo {} is not on this phone", &photo.sha256[..12]))),
                Err(e) => return Err(waits(e.to_string())),
            };
            crate::api::upload_photo(self.api, self.token, photo, &blob).await?;
        }
        Ok(())
    }
}

/// The photo being uploaded: "foto 2 dari 3" for this report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhotoProgress {
    pub report: ReportId,
    /// Photos of the report already on the server.
    pub done: usize,
    pub total: usize,
}

/// Persists through IndexedDB and tells the other tabs.
pub struct Storage<'a> {
    pub store: &'a OutboxStore,
    pub channel: Option<&'a web_sys::BroadcastChannel>,
}

impl Persist for Storage<'_> {
    type Error = StoreError;
    /// Starts the write and returns: waiting for each one would serialise the
    /// sends behind the disk. IndexedDB runs read-write transactions on the same
    /// store in the order they were created, so a later state never lands
    /// before an earlier one; and a progress write lost to a crash only means
    /// the report is sent again and answered with the same receipt.
    async fn put(&self, entries: &[OutboxEntry]) -> Result<(), StoreError> {
        let store = self.store.clone();
        let channel = self.channel.cloned();
        let entries = entries.to_vec();
        leptos::task::spawn_local(async move {
            match store.put_progress(&entries).await {
                Ok(()) => announce(channel.as_ref(), entries.iter().map(|e| e.report.id)),
                Err(e) => leptos::logging::error!("recording the progress of {} reports: {e}", entries.len()),
            }
        });
        Ok(())
    }
}

/// Tells other tabs that these reports' stored entries changed: one message,
/// the ids separated by spaces.
pub fn announce(channel: Option<&web_sys::BroadcastChannel>, ids: impl IntoIterator<Item = ReportId>) {
    if let Some(channel) = channel {
        let message: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
        if !message.is_empty() {
            let _ = channel.post_message(&JsValue::from_str(&message.join(" ")));
        }
    }
}

#[derive(Default)]
struct EngineState {
    running: AtomicBool,
    /// A trigger arrived while running: go round once more when done.
    again: AtomicBool,
    timer: Mutex<Option<TimeoutHandle>>,
    clock: Mutex<RetryClock>,
    /// Reports other tabs announced before this tab's store was ready: read
    /// once it is (they may be newer than the snapshot start-up loaded).
    announced_early: Mutex<Vec<ReportId>>,
}

/// Cheap to clone; every clone drives the same engine.
#[derive(Clone)]
pub struct SyncEngine {
    pub outbox: RwSignal<Outbox>,
    /// The volunteer's enrolment, which holds the bearer token.
    enrolment: RwSignal<Option<Enrolment>>,
    pub status: RwSignal<SyncStatus>,
    /// Set while a round is sending, for "3 dari 10 terkirim".
    pub progress: RwSignal<Option<Progress>>,
    /// Set while a report's photos are uploaded.
    pub photo_progress: RwSignal<Option<PhotoProgress>>,
    /// Set once the database is open; nothing is sent before.
    store: StoredValue<Option<OutboxStore>, LocalStorage>,
    channel: StoredValue<Option<web_sys::BroadcastChannel>, LocalStorage>,
    api: ApiBase,
    state: Arc<EngineState>,
}

impl SyncEngine {
    /// An engine for `outbox`, sending with the token of `enrolment` (none:
    /// nothing is sent) to `api`.
    pub fn new(outbox: RwSignal<Outbox>, enrolment: RwSignal<Option<Enrolment>>, api: ApiBase) -> SyncEngine {
        SyncEngine {
            outbox,
            enrolment,
            status: RwSignal::new(SyncStatus {
                last_delivery_ms: crate::kept::last_delivery_ms(),
                ..SyncStatus::default()
            }),
            progress: RwSignal::new(None),
            photo_progress: RwSignal::new(None),
            store: StoredValue::new_local(None),
            channel: StoredValue::new_local(web_sys::BroadcastChannel::new(CHANNEL_NAME).ok()),
            api,
            state: Arc::default(),
        }
    }

    /// The opened store, once [`SyncEngine::attach_store`] has given it.
    pub fn store(&self) -> Option<OutboxStore> {
        self.store.get_value()
    }

    /// Whether the app this engine belongs to has been closed (only tests
    /// mount and drop apps): a timer or a round that outlived it stops there.
    fn closed(&self) -> bool {
        self.outbox.is_disposed()
    }

    /// Tells other tabs that these reports' stored entries changed.
    pub fn announce(&self, ids: impl IntoIterator<Item = ReportId>) {
        self.channel.with_value(|c| announce(c.as_ref(), ids));
    }

    /// A new token: sending, paused for a refused one, may resume at once.
    pub fn token_changed(&self) {
        self.status.update(|s| s.paused_unauthorized = false);
        self.trigger();
    }

    /// Starts a round unless one is running (then it runs again afterwards).
    pub fn trigger(&self) {
        if self.closed() || self.store.with_value(Option::is_none) {
            return;
        }
        if self.state.running.swap(true, Ordering::SeqCst) {
            self.state.again.store(true, Ordering::SeqCst);
            return;
        }
        if let Some(timer) = self.state.timer.lock().expect("single-threaded").take() {
            timer.clear();
        }
        let engine = self.clone();
        leptos::task::spawn_local(async move { engine.run().await });
    }

    async fn run(self) {
        self.status.update(|s| s.next_try_ms = None);
        let token = self.enrolment.with_untracked(|e| e.as_ref().map(|e| e.token.clone()));
        let (next, outcome) = match token {
            // Without a token every send would be a 401: wait for enrolment,
            // which triggers a new round.
            None => (None, RoundOutcome::NotEnrolled),
            Some(token) => {
                let engine = self.clone();
                let round = with_sync_lock(move || async move { engine.round(&token).await }).await;
                if self.closed() {
                    return;
                }
                match round {
                    Some((end, delivered)) => {
                        self.status.update(|s| s.other_tab_sending = false);
                        let random = js_sys::Math::random();
                        let outcome = match end {
                            RoundEnd::Drained => RoundOutcome::Drained { delivered },
                            RoundEnd::RetryLater { .. } => RoundOutcome::Stopped { delivered },
                            RoundEnd::Unauthorized => RoundOutcome::Refused,
                        };
                        (self.state.clock.lock().expect("single-threaded").after(&end, random), outcome)
                    }
                    None => {
                        self.status.update(|s| s.other_tab_sending = true);
                        (Some(OTHER_TAB_RECHECK.as_millis() as u64), RoundOutcome::OtherTab)
                    }
                }
            }
        };
        self.status.update(|s| s.last_round = Some((js_sys::Date::now(), outcome)));
        self.progress.set(None);
        self.photo_progress.set(None);
        self.state.running.store(false, Ordering::SeqCst);
        if self.state.again.swap(false, Ordering::SeqCst) {
            self.trigger();
        } else if let Some(ms) = next {
            let engine = self.clone();
            let delay = Duration::from_millis(ms.max(250));
            self.status.update(|s| s.next_try_ms = Some(js_sys::Date::now() + delay.as_millis() as f64));
            let timer = set_timeout_with_handle(move || engine.trigger(), delay);
            *self.state.timer.lock().expect("single-threaded") = timer.ok();
        }
    }

    /// One round of sending, and how many reports it got confirmed.
    async fn round(&self, token: &str) -> (RoundEnd, usize) {
        // The lock may have been granted after the app closed.
        if self.closed() {
            return (RoundEnd::Drained, 0);
        }
        let Some(store) = self.store.get_value() else { return (RoundEnd::Drained, 0) };
        let channel = self.channel.get_value();
        let storage = Storage { store: &store, channel: channel.as_ref() };
        let transport = Http { api: &self.api, token, store: &store, photos: self.photo_progress };
        let progress = self.progress;
        let status = self.status;
        let mut delivered_before = 0;
        let end = run_round(&SignalOutbox(self.outbox), &transport, &storage, PACE, |p| {
            if status.is_disposed() {
                return;
            }
            if p.delivered > delivered_before {
                let now = js_sys::Date::now();
                status.update(|s| s.last_delivery_ms = Some(now));
                crate::kept::set_last_delivery_ms(now);
            }
            delivered_before = delivered_before.max(p.delivered);
            progress.set((p.total > 0).then_some(p));
        })
        .await;
        if self.closed() {
            return (end, delivered_before);
        }
        self.status.update(|s| s.paused_unauthorized = end == RoundEnd::Unauthorized);
        (end, delivered_before)
    }

    /// Listens for other tabs' changes and takes them into this tab's outbox.
    /// Called before the store opens: a report another tab saves while this
    /// one is loading would otherwise be missing here until a reload.
    pub fn listen_to_other_tabs(&self) {
        let Some(channel) = self.channel.get_value() else { return };
        let engine = self.clone();
        let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(message) = event.data().as_string() else { return };
            let ids: Vec<ReportId> = message.split(' ').filter_map(|s| s.parse().ok()).collect();
            if engine.closed() {
                return;
            }
            if engine.store.with_value(Option::is_none) {
                engine.state.announced_early.lock().expect("single-threaded").extend(ids);
                return;
            }
            engine.take_changes(ids);
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // The listener lives as long as the page.
        on_message.forget();
    }

    /// Hands the engine the opened store, and takes in what other tabs
    /// announced meanwhile.
    pub fn attach_store(&self, store: OutboxStore) {
        self.store.set_value(Some(store));
        let early = std::mem::take(&mut *self.state.announced_early.lock().expect("single-threaded"));
        if !early.is_empty() {
            self.take_changes(early);
        }
    }

    /// Reads these reports' stored entries and puts them in this tab's outbox.
    pub fn take_changes(&self, ids: Vec<ReportId>) {
        let engine = self.clone();
        leptos::task::spawn_local(async move {
            let Some(store) = engine.store() else { return };
            let mut changes = Vec::with_capacity(ids.len());
            for id in ids {
                match store.get(id).await {
                    Ok(entry) => changes.push((id, entry)),
                    Err(e) => leptos::logging::error!("reading a report another tab changed: {e}"),
                }
            }
            if engine.closed() {
                return;
            }
            // One update for the whole message: one redraw.
            let mut news = false;
            engine.outbox.update(|o| {
                for (id, entry) in changes {
                    match entry {
                        Some(entry) => news |= o.absorb(entry),
                        // Removed there: cleared once sent, or a refusal discarded.
                        None => {
                            if o.clear(id).is_err() {
                                let _ = o.discard(id);
                            }
                        }
                    }
                }
            });
            // Only for something new to send: another tab's failed attempts
            // must not cut this tab's backoff short.
            if news {
                engine.trigger();
            }
        });
    }
}

/// Runs `f` holding the Web Lock `pantau-sync`, or returns None at once if
/// another tab holds it. Without Web Locks, runs `f` directly.
async fn with_sync_lock<F, Fut, T>(f: F) -> Option<T>
where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = T> + 'static,
    T: 'static,
{
    let navigator = window().navigator();
    let locks = js_sys::Reflect::get(&navigator, &"locks".into()).ok().filter(|l| !l.is_undefined() && !l.is_null());
    let Some(locks) = locks else { return Some(f().await) };
    let Ok(request) = js_sys::Reflect::get(&locks, &"request".into()).map(|r| r.unchecked_into::<js_sys::Function>())
    else {
        return Some(f().await);
    };
    let slot: Rc<RefCell<Option<T>>> = Rc::default();
    let result = slot.clone();
    let callback = Closure::once_into_js(move |lock: JsValue| -> js_sys::Promise {
        if lock.is_null() {
            return js_sys::Promise::resolve(&JsValue::NULL);
        }
        wasm_bindgen_futures::future_to_promise(async move {
            *result.borrow_mut() = Some(f().await);
            Ok(JsValue::UNDEFINED)
        })
    });
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    match request.call3(&locks, &LOCK_NAME.into(), &options, &callback) {
        Ok(promise) => {
            let _ = wasm_bindgen_futures::JsFuture::from(promise.unchecked_into::<js_sys::Promise>()).await;
            slot.borrow_mut().take()
        }
        Err(_) => None,
    }
}
