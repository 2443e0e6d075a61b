//! Start-up: builds the app's state and hands it to the screens as small
//! context pieces, opens the outbox database (putting back what localStorage
//! or IndexedDB lost), follows the address bar, and wires the events that
//! start a send.

use crate::api::ApiBase;
use crate::enrolment::{self, EnrolmentState};
use crate::i18n::I18n;
use crate::outbox::PhoneOutbox;
use crate::outbox_store::{OutboxStore, Quarantined, StoreError};
use crate::profile::Profile;
use crate::pwa::Pwa;
use crate::routes::Route;
use crate::sync::SyncEngine;
use leptos::prelude::*;
use pantau_core::protocol::Enrolment;
use pantau_core::{Outbox, OutboxEntry};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The app's state. Each piece is also provided as a context of its own type,
/// so a screen fetches only what it uses (`expect_context::<PhoneOutbox>()`).
#[derive(Clone, Copy)]
pub struct AppState {
    pub i18n: I18n,
    pub outbox: PhoneOutbox,
    pub enrolment: EnrolmentState,
    pub profile: RwSignal<Profile>,
    pub route: RwSignal<Route>,
    pub pwa: Pwa,
}

/// Builds and provides the state, then starts everything. `api` is the
/// server's origin; `database` the IndexedDB database of the outbox.
pub fn start(api: ApiBase, database: String) -> AppState {
    let i18n = I18n::new();
    let enrolment = EnrolmentState::load(api.clone(), i18n);
    let api_for_ballots = api.clone();
    // The engine reads the token from the enrolment: one copy, never two.
    let engine = SyncEngine::new(RwSignal::new(Outbox::default()), enrolment.enrolled(), api);
    // Listening before the store opens: a report another tab saves meanwhile
    // is taken in once it is open.
    engine.listen_to_other_tabs();
    let state = AppState {
        i18n,
        outbox: PhoneOutbox::new(engine),
        enrolment,
        profile: RwSignal::new(Profile::load()),
        route: RwSignal::new(Route::current()),
        pwa: Pwa::start(),
    };
    provide_context(state.i18n);
    provide_context(state.outbox);
    provide_context(state.enrolment);
    provide_context(state.profile);
    provide_context(state.route);
    provide_context(state.pwa);
    open(state, database);
    // The count form's participants, fresh for offline use once the server answers.
    leptos::task::spawn_local(async move { crate::ballots::refresh(&api_for_ballots).await });
    install_sync_triggers(state);
    follow_hash(state);
    if !enrol_from_link(state) {
        state.enrolment.resume(state.outbox, state.profile);
    }
    state
}

/// Opens the outbox database, puts back an enrolment one of its two copies
/// lost, and hands the reports to the outbox.
fn open(state: AppState, database: String) {
    leptos::task::spawn_local(async move {
        let opened = open_outbox(&database).await;
        // The app may have been closed meanwhile (only tests mount and drop apps).
        if state.outbox.closed() {
            return;
        }
        match opened {
            Ok((store, entries, quarantined)) => {
                let kept = state.enrolment.enrolled().get_untracked();
                let durable = store.setting::<Enrolment>(enrolment::SETTING_KEY).await;
                if state.outbox.closed() {
                    return;
                }
                match (kept, durable) {
                    // localStorage lost it (a killed browser): the durable copy restores it.
                    (None, Ok(Some(e))) => state.enrolment.restore(e),
                    // IndexedDB lost it (a corrupted database is deleted whole): keep it there again.
                    (Some(e), Ok(None)) => {
                        if let Err(err) = store.set_setting(enrolment::SETTING_KEY, &e).await {
                            leptos::logging::error!("could not put the enrolment back in IndexedDB: {err}");
                        }
                    }
                    _ => {}
                }
                if state.outbox.closed() {
                    return;
                }
                state.outbox.opened(store, entries, quarantined).await;
                mark_ready();
            }
            Err(e) => state.outbox.failed(e),
        }
        let info = crate::outbox_store::storage_status().await;
        if !state.outbox.closed() {
            state.outbox.set_storage_info(info);
        }
    });
}

async fn open_outbox(database: &str) -> Result<(OutboxStore, Vec<OutboxEntry>, Vec<Quarantined>), StoreError> {
    let store = OutboxStore::open(database).await?;
    let loaded = store.load().await?;
    if loaded.migrated > 0 {
        leptos::logging::log!("moved {} reports from localStorage to IndexedDB", loaded.migrated);
    }
    if loaded.restored > 0 {
        leptos::logging::warn!(
            "IndexedDB had lost {} unsent reports: put back from their second copy",
            loaded.restored
        );
    }
    Ok((store, loaded.entries, loaded.quarantined))
}

/// Enrols with the code of a coordinator's link (`#daftar=CODE`), if the
/// address holds one. Returns whether it did.
fn enrol_from_link(state: AppState) -> bool {
    let Some(code) = window().location().hash().ok().as_deref().and_then(enrolment::code_from_fragment) else {
        return false;
    };
    // Drop the code from the address bar so a reload or a shared screenshot
    // does not carry it.
    let _ = window().history().and_then(|h| {
        h.replace_state_with_url(&JsValue::NULL, "", Some(&window().location().pathname().unwrap_or_default()))
    });
    state.route.set(Route::Home);
    state.enrolment.enrol(code, state.outbox, state.profile);
    true
}

/// Shows the screen the address names whenever it changes.
fn follow_hash(state: AppState) {
    let on_hash = Closure::<dyn Fn()>::new(move || {
        // The listener lives as long as the page; tests mount and drop apps.
        if state.outbox.closed() {
            return;
        }
        // The link opened again in the running app (an installed app captures
        // it): only the fragment changes, and the page does not reload.
        if enrol_from_link(state) {
            return;
        }
        state.route.set(Route::current());
        window().scroll_to_with_x_and_y(0.0, 0.0);
    });
    let _ = window().add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    on_hash.forget();
}

/// A signal back, or the app shown again: send what waits, finish an
/// enrolment that had no answer, and look for a new version.
fn install_sync_triggers(state: AppState) {
    // The handle is dropped on purpose: the listener lives as long as the page.
    let _ = window_event_listener(leptos::ev::online, move |_| {
        if state.outbox.closed() {
            return;
        }
        state.enrolment.resume(state.outbox, state.profile);
        state.outbox.send_now();
    });
    let listener = Closure::<dyn Fn()>::new(move || {
        if state.outbox.closed() {
            return;
        }
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            state.enrolment.resume(state.outbox, state.profile);
            state.outbox.send_now();
            state.pwa.check_for_update();
        }
    });
    let _ = document().add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
    listener.forget();
}

/// `performance.mark("pantau-ready")`: the moment reports can be filed, which
/// the benchmarks read as the app's time to interactive.
fn mark_ready() {
    let performance = js_sys::Reflect::get(&window(), &"performance".into()).unwrap_or(JsValue::UNDEFINED);
    if let Ok(mark) = js_sys::Reflect::get(&performance, &"mark".into()) {
        if let Some(mark) = mark.dyn_ref::<js_sys::Function>() {
            let _ = mark.call1(&performance, &"pantau-ready".into());
        }
    }
}
