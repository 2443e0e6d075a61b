//! The sync loop: sends waiting reports one at a time, oldest first, and records
//! each outcome in the outbox and in storage.
//!
//! Triggers (wired in [`crate::app`]): app start, the `online` event, the page
//! becoming visible, the "Kirim sekarang" button, and a backoff timer after a
//! failure. `navigator.onLine` is never trusted: only a 2xx marks a report sent.

use crate::api::{post_report, ApiBase};
use crate::outbox_store::OutboxStore;
use leptos::prelude::*;
use pantau_core::backoff::Backoff;
use pantau_core::{Outbox, SendOutcome};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the volunteer sees of syncing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncStatus {
    pub running: bool,
    /// No token yet: reports wait until the volunteer enrols.
    pub not_enrolled: bool,
    /// The last time a report was confirmed by the server (ms since the epoch).
    pub last_delivery_ms: Option<f64>,
    /// The server refused our credentials: sending waits for re-enrolment.
    pub paused_unauthorized: bool,
    pub last_error: Option<String>,
}

#[derive(Clone)]
pub struct SyncEngine {
    pub outbox: RwSignal<Outbox>,
    /// The volunteer's bearer token, once enrolled.
    pub token: RwSignal<Option<String>>,
    pub status: RwSignal<SyncStatus>,
    store: OutboxStore,
    api: ApiBase,
    backoff: Backoff,
    // Shared between the clones held by event listeners and timers. Atomics
    // rather than Cell so the engine can live inside Leptos views (which want Send).
    state: Arc<EngineState>,
}

#[derive(Default)]
struct EngineState {
    running: AtomicBool,
    /// A trigger arrived while running: go round once more when done.
    again: AtomicBool,
    failures: AtomicU32,
    timer: Mutex<Option<TimeoutHandle>>,
}

impl SyncEngine {
    pub fn new(outbox: RwSignal<Outbox>, token: RwSignal<Option<String>>, store: OutboxStore, api: ApiBase) -> SyncEngine {
        SyncEngine {
            outbox,
            token,
            status: RwSignal::new(SyncStatus::default()),
            store,
            api,
            backoff: Backoff::default(),
            state: Arc::default(),
        }
    }

    /// Starts a round unless one is running (then it runs again afterwards).
    pub fn trigger(&self) {
        if self.state.running.swap(true, Ordering::SeqCst) {
            self.state.again.store(true, Ordering::SeqCst);
            return;
        }
        if let Some(timer) = self.state.timer.lock().expect("single-threaded").take() {
            timer.clear();
        }
        self.status.update(|s| s.running = true);
        let engine = self.clone();
        leptos::task::spawn_local(async move { engine.run().await });
    }

    async fn run(self) {
        let mut retry_in = None;
        let token = self.token.get_untracked();
        self.status.update(|s| s.not_enrolled = token.is_none());
        while let Some(id) = self.outbox.with_untracked(|o| o.next_waiting()) {
            // Without a token every send would be a 401: wait for enrolment,
            // which triggers a new round.
            let Some(token) = token.as_deref() else { break };
            let Some(report) = self.outbox.try_update(|o| o.start_send(id)).flatten() else { break };
            let outcome = post_report(&self.api, token, &report).await;
            let entry = self.outbox.try_update(|o| o.finish_send(id, outcome.clone()).cloned()).flatten();
            if let Some(entry) = entry {
                // If this write fails the stored copy still says Waiting; the next
                // start resends it and the server answers with the same receipt.
                if let Err(e) = self.store.put(&entry) {
                    leptos::logging::error!("outbox write after send failed: {e}");
                }
            }
            match outcome {
                SendOutcome::Delivered(_) => {
                    self.state.failures.store(0, Ordering::SeqCst);
                    self.status.update(|s| {
                        s.last_delivery_ms = Some(js_sys::Date::now());
                        s.last_error = None;
                        s.paused_unauthorized = false;
                    });
                }
                SendOutcome::Rejected(_) | SendOutcome::Conflict(_) => {}
                SendOutcome::Unauthorized => {
                    self.status.update(|s| s.paused_unauthorized = true);
                    break;
                }
                SendOutcome::RetryLater { reason, retry_after_ms } => {
                    let failures = self.state.failures.load(Ordering::SeqCst).saturating_add(1);
                    self.state.failures.store(failures, Ordering::SeqCst);
                    self.status.update(|s| s.last_error = Some(reason));
                    retry_in = Some(self.backoff.delay_ms(failures, js_sys::Math::random(), retry_after_ms));
                    break;
                }
            }
        }
        self.state.running.store(false, Ordering::SeqCst);
        self.status.update(|s| s.running = false);
        if self.state.again.swap(false, Ordering::SeqCst) {
            self.trigger();
        } else if let Some(ms) = retry_in {
            let engine = self.clone();
            let timer = set_timeout_with_handle(move || engine.trigger(), Duration::from_millis(ms.max(250)));
            *self.state.timer.lock().expect("single-threaded") = timer.ok();
        }
    }
}
