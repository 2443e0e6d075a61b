//! The installable app: the service worker (offline opening, updates that wait
//! for the volunteer) and the install prompt. Browser APIs are reached through
//! `Reflect` where web-sys would need extra features for one call each.
//!
//! Update flow: the browser finds a new `sw.js` (it is served `no-cache`), the
//! new worker installs its precache and waits. The app then shows "Versi baru
//! tersedia — Muat ulang", but only while no form holds unsaved input; the tap
//! tells the waiting worker to activate, and the page reloads when it has.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const ACTIVATE_MESSAGE: &str = "pantau:activate";

thread_local! {
    /// When the app last asked for a new version (ms since the epoch); the page
    /// load itself counts, because the browser checks on every navigation.
    static LAST_UPDATE_CHECK: std::cell::Cell<f64> = std::cell::Cell::new(js_sys::Date::now());
}

#[derive(Clone, Copy)]
pub struct Pwa {
    /// A new version is installed and waiting.
    pub update_waiting: RwSignal<bool>,
    /// The browser offered to install (Chromium's `beforeinstallprompt`).
    pub can_install: RwSignal<bool>,
    install_event: StoredValue<Option<JsValue>, LocalStorage>,
    registration: StoredValue<Option<JsValue>, LocalStorage>,
}

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn call0(target: &JsValue, method: &str) -> Option<JsValue> {
    get(target, method)?.dyn_into::<js_sys::Function>().ok()?.call0(target).ok()
}

fn set_handler(target: &JsValue, event: &str, handler: impl FnMut(JsValue) + 'static) {
    let closure = Closure::<dyn FnMut(JsValue)>::new(handler);
    if let Ok(add) = get(target, "addEventListener").map(|f| f.unchecked_into::<js_sys::Function>()).ok_or(()) {
        let _ = add.call2(target, &JsValue::from_str(event), closure.as_ref());
    }
    // Listeners live as long as the page.
    closure.forget();
}

/// iPhones and iPads (also iPadOS presenting itself as a Mac) not yet running
/// the installed app: Safari offers no install prompt there.
pub fn needs_ios_instructions() -> bool {
    let navigator = window().navigator();
    let agent = navigator.user_agent().unwrap_or_default();
    let touch_mac = agent.contains("Macintosh") && navigator.max_touch_points() > 1;
    let ios = agent.contains("iPhone") || agent.contains("iPad") || agent.contains("iPod") || touch_mac;
    let standalone = get(&navigator, "standalone").and_then(|v| v.as_bool()).unwrap_or(false);
    ios && !standalone
}

impl Pwa {
    pub fn start() -> Pwa {
        // The page load counts as a check (the browser made one).
        LAST_UPDATE_CHECK.with(|_| ());
        let pwa = Pwa {
            update_waiting: RwSignal::new(false),
            can_install: RwSignal::new(false),
            install_event: StoredValue::new_local(None),
            registration: StoredValue::new_local(None),
        };
        pwa.listen_for_install();
        pwa.register();
        pwa
    }

    fn listen_for_install(self) {
        set_handler(&window(), "beforeinstallprompt", move |event| {
            // Keep the browser's mini-infobar away; our button offers it instead.
            if let Some(event) = event.dyn_ref::<web_sys::Event>() {
                event.prevent_default();
            }
            self.install_event.set_value(Some(event));
            self.can_install.set(true);
        });
        set_handler(&window(), "appinstalled", move |_| {
            self.install_event.set_value(None);
            self.can_install.set(false);
        });
    }

    /// Shows the browser's install dialog.
    pub fn install(self) {
        if let Some(event) = self.install_event.get_value() {
            let _ = call0(&event, "prompt");
            self.install_event.set_value(None);
            self.can_install.set(false);
        }
    }

    fn register(self) {
        let navigator = window().navigator();
        let Some(container) = get(&navigator, "serviceWorker") else { return };
        let Some(register) = get(&container, "register").and_then(|f| f.dyn_into::<js_sys::Function>().ok()) else {
            return;
        };
        let Ok(promise) = register.call1(&container, &JsValue::from_str("/sw.js")) else { return };
        // On a first visit the new worker claims the page once it has
        // installed: that change of controller is not an update.
        let controlled_at_start = get(&container, "controller").is_some();
        // A reload once the accepted version has taken over (never before).
        let reload_on_change = container.clone();
        set_handler(&reload_on_change, "controllerchange", move |_| {
            if ACCEPTED.with(|a| a.get()) {
                let _ = window().location().reload();
            } else if controlled_at_start {
                // Another tab accepted the new version: this one still runs the
                // old code, so it offers the reload too.
                self.offer_update();
            }
        });
        leptos::task::spawn_local(async move {
            let Ok(registration) =
                wasm_bindgen_futures::JsFuture::from(promise.unchecked_into::<js_sys::Promise>()).await
            else {
                leptos::logging::warn!("the service worker could not be registered: the app will not open offline");
                return;
            };
            if self.update_waiting.is_disposed() {
                return;
            }
            let controlled = get(&container, "controller").is_some();
            if controlled && get(&registration, "waiting").is_some() {
                self.update_waiting.set(true);
            }
            // A worker that was already installing when the app started fired
            // its `updatefound` before we listened.
            if let Some(installing) = get(&registration, "installing") {
                self.watch_installing(installing);
            }
            let watched = registration.clone();
            set_handler(&registration, "updatefound", move |_| {
                if let Some(installing) = get(&watched, "installing") {
                    self.watch_installing(installing);
                }
            });
            self.registration.set_value(Some(registration));
        });
    }

    /// Shows "Versi baru tersedia", unless the app was closed meanwhile (the
    /// worker's events outlive an app; only tests mount and drop apps).
    fn offer_update(self) {
        if !self.update_waiting.is_disposed() {
            self.update_waiting.set(true);
        }
    }

    fn watch_installing(self, installing: JsValue) {
        let worker = installing.clone();
        set_handler(&installing, "statechange", move |_| {
            let installed = get(&worker, "state").and_then(|s| s.as_string()).as_deref() == Some("installed");
            // With no controller this is the first install, not an update.
            if installed && get(&window().navigator(), "serviceWorker").and_then(|c| get(&c, "controller")).is_some() {
                self.offer_update();
            }
        });
    }

    /// Looks for a new version on return to the app, at most every half hour
    /// and only with signal: each check is a request for `sw.js` on prepaid
    /// data, and the browser also checks on every navigation.
    pub fn check_for_update(self) {
        const EVERY_MS: f64 = 30.0 * 60.0 * 1000.0;
        let now = js_sys::Date::now();
        if LAST_UPDATE_CHECK.with(|last| now - last.get() < EVERY_MS) || !window().navigator().on_line() {
            return;
        }
        let Some(registration) = self.registration.get_value() else { return };
        LAST_UPDATE_CHECK.with(|last| last.set(now));
        if let Some(promise) = call0(&registration, "update").and_then(|p| p.dyn_into::<js_sys::Promise>().ok()) {
            // A failed check (the signal went) is not an error: the next return tries again.
            leptos::task::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            });
        }
    }

    /// The volunteer accepted the new version: the waiting worker takes over,
    /// and the page reloads when it has.
    pub fn accept_update(self) {
        let waiting = self.registration.get_value().and_then(|r| get(&r, "waiting"));
        let Some(waiting) = waiting else {
            // Already active (another tab accepted it): only this page is old.
            let _ = window().location().reload();
            return;
        };
        ACCEPTED.with(|a| a.set(true));
        if let Some(post) = get(&waiting, "postMessage").and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
            let _ = post.call1(&waiting, &JsValue::from_str(ACTIVATE_MESSAGE));
        }
    }
}

thread_local! {
    static ACCEPTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
