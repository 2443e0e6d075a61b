//! The app's shell: the state every screen shares ([`Ctx`]), start-up (open
//! the outbox, restore the enrolment, start syncing), the hash routes and the
//! bottom navigation. The screens are in [`crate::pages`], the report forms in
//! [`crate::forms`].

use crate::api::ApiBase;
use crate::enrolment;
use crate::i18n::{use_i18n, I18n};
use crate::outbox_store::{OutboxStore, Quarantined, StorageInfo, StoreError, DATABASE};
use crate::pages;
use crate::profile::Profile;
use crate::pwa::Pwa;
use crate::sync::SyncEngine;
use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use leptos::prelude::*;
use pantau_core::protocol::Enrolment;
use pantau_core::{Outbox, OutboxEntry, ReportId};
use time::OffsetDateTime;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// How many days a sent report stays listed before the outbox forgets it.
pub const KEEP_SENT_DAYS_KEY: &str = "pantau.keep_sent_days";
pub const DEFAULT_KEEP_SENT_DAYS: i64 = 7;

/// The kinds of report the volunteer can file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormKind {
    Checklist,
    Incident,
    CountResult,
}

impl FormKind {
    pub const ALL: [FormKind; 3] = [FormKind::Checklist, FormKind::Incident, FormKind::CountResult];

    pub(crate) fn slug(self) -> &'static str {
        match self {
            FormKind::Checklist => "checklist",
            FormKind::Incident => "kejadian",
            FormKind::CountResult => "hasil",
        }
    }
}

/// The screens, addressed by the URL fragment so that the browser's back
/// button works and a reload stays on the same screen. The service worker
/// serves one index.html for every screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Home,
    NewReport(Option<FormKind>),
    Outbox,
    Settings,
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        match path {
            "baru" => Route::NewReport(None),
            "kotak-keluar" => Route::Outbox,
            "pengaturan" => Route::Settings,
            _ => match path.strip_prefix("baru/") {
                Some(slug) => Route::NewReport(FormKind::ALL.into_iter().find(|k| k.slug() == slug)),
                None => Route::Home,
            },
        }
    }

    pub fn href(self) -> String {
        match self {
            Route::Home => "#/".into(),
            Route::NewReport(None) => "#/baru".into(),
            Route::NewReport(Some(kind)) => format!("#/baru/{}", kind.slug()),
            Route::Outbox => "#/kotak-keluar".into(),
            Route::Settings => "#/pengaturan".into(),
        }
    }
}

pub fn navigate(route: Route) {
    let _ = window().location().set_hash(&route.href());
}

/// What every screen shares.
#[derive(Clone)]
pub struct Ctx {
    pub i18n: I18n,
    pub api: ApiBase,
    pub outbox: RwSignal<Outbox>,
    pub engine: SyncEngine,
    /// The outbox is loaded: saving is possible.
    pub ready: RwSignal<bool>,
    pub storage_problem: RwSignal<Option<StoreError>>,
    pub quarantined: RwSignal<Vec<Quarantined>>,
    pub storage_info: RwSignal<StorageInfo>,
    pub enrolled: RwSignal<Option<Enrolment>>,
    pub enrol_message: RwSignal<Option<String>>,
    /// An enrolment request is on its way: no second one meanwhile.
    pub enrolling: RwSignal<bool>,
    pub profile: RwSignal<Profile>,
    pub route: RwSignal<Route>,
    /// A report the server refused, being corrected in its form.
    pub editing: RwSignal<Option<(FormKind, ReportId)>>,
    /// Notified whenever a form's draft is written or cleared.
    pub drafts_changed: Trigger,
    pub pwa: Pwa,
}

pub fn use_ctx() -> Ctx {
    expect_context::<Ctx>()
}

/// The whole app. `api` defaults to the origin the PWA was served from and
/// `database` to Pantau's IndexedDB database (tests pass their own).
#[component]
pub fn App(#[prop(optional)] api: Option<ApiBase>, #[prop(optional)] database: Option<String>) -> impl IntoView {
    let i18n = I18n::new();
    provide_context(i18n);
    let api = api.unwrap_or_default();
    let outbox = RwSignal::new(Outbox::default());
    let enrolled = RwSignal::new(enrolment::load());
    let token = RwSignal::new(enrolled.get_untracked().map(|e| e.token));
    let ctx = Ctx {
        i18n,
        engine: SyncEngine::new(outbox, token, api.clone()),
        api,
        outbox,
        ready: RwSignal::new(false),
        storage_problem: RwSignal::new(None),
        quarantined: RwSignal::new(Vec::new()),
        storage_info: RwSignal::new(StorageInfo::default()),
        enrolled,
        enrol_message: RwSignal::new(None),
        enrolling: RwSignal::new(false),
        profile: RwSignal::new(Profile::load()),
        route: RwSignal::new(Route::from_hash(&window().location().hash().unwrap_or_default())),
        editing: RwSignal::new(None),
        drafts_changed: Trigger::new(),
        pwa: Pwa::start(),
    };
    provide_context(ctx.clone());
    crate::forms::migrate_old_draft();
    crate::forms::forget_abandoned_corrections();
    start(&ctx, database.unwrap_or_else(|| DATABASE.to_owned()));
    install_sync_triggers(&ctx);
    follow_hash(&ctx);
    if !enrol_from_link(&ctx) {
        resume_enrolment(&ctx);
    }

    let route = ctx.route;
    view! {
        <header class="bar">
            <h1>"Pantau"</h1>
            <p class="tagline">{move || i18n.t().app_tagline}</p>
        </header>
        <UpdateBanner/>
        <main id="main">
            {move || match route.get() {
                Route::Home => view! { <pages::home::Home/> }.into_any(),
                Route::NewReport(kind) => view! { <pages::new_report::NewReport kind/> }.into_any(),
                Route::Outbox => view! { <pages::outbox::OutboxPage/> }.into_any(),
                Route::Settings => view! { <pages::settings::Settings/> }.into_any(),
            }}
        </main>
        <Nav/>
    }
}

/// "Versi baru tersedia — Muat ulang", shown only while no form holds unsaved
/// input, so an update never lands in the middle of a report.
#[component]
fn UpdateBanner() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let pwa = ctx.pwa;
    let drafts_changed = ctx.drafts_changed;
    let show = move || {
        drafts_changed.track();
        pwa.update_waiting.get() && !crate::forms::any_draft_dirty()
    };
    view! {
        <Show when=show>
            <div class="update" role="status" data-testid="update">
                <span>{move || i18n.t().update_available}</span>
                <button type="button" class="primary-inline" on:click=move |_| pwa.accept_update()>{move || i18n.t().reload}</button>
            </div>
        </Show>
    }
}

/// The bottom bar: where the thumb is.
#[component]
fn Nav() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let route = ctx.route;
    let outbox = ctx.outbox;
    let waiting = move || outbox.with(|o| o.pending());
    let link = move |target: Route, label: fn(&'static crate::i18n::Texts) -> &'static str, test_id: &'static str| {
        let current = move || {
            let here = route.get();
            (here == target || matches!((here, target), (Route::NewReport(_), Route::NewReport(_)))).then_some("page")
        };
        view! {
            <a href=target.href() aria-current=current data-testid=test_id>
                {move || label(i18n.t())}
                {(target == Route::Outbox).then(|| view! {
                    <Show when=move || { waiting() > 0 }>
                        <span class="badge">{waiting}</span>
                    </Show>
                })}
            </a>
        }
    };
    view! {
        <nav class="tabs" aria-label=move || i18n.t().nav_label>
            {link(Route::Home, |t| t.nav_home, "nav-home")}
            {link(Route::NewReport(None), |t| t.nav_new, "nav-new")}
            {link(Route::Outbox, |t| t.nav_outbox, "nav-outbox")}
            {link(Route::Settings, |t| t.nav_settings, "nav-settings")}
        </nav>
    }
}

/// Enrols with the code of a coordinator's link (`#daftar=CODE`), if the
/// address holds one. Returns whether it did.
fn enrol_from_link(ctx: &Ctx) -> bool {
    let Some(code) = window().location().hash().ok().as_deref().and_then(enrolment::code_from_fragment) else {
        return false;
    };
    // Drop the code from the address bar so a reload or a shared screenshot
    // does not carry it.
    let _ = window().history().and_then(|h| {
        h.replace_state_with_url(&JsValue::NULL, "", Some(&window().location().pathname().unwrap_or_default()))
    });
    let _ = ctx.route.try_set(Route::Home);
    enrol(ctx, code);
    true
}

fn follow_hash(ctx: &Ctx) {
    let ctx = ctx.clone();
    let on_hash = Closure::<dyn Fn()>::new(move || {
        // The link opened again in the running app (an installed app captures
        // it): only the fragment changes, and the page does not reload.
        if ctx.route.is_disposed() || enrol_from_link(&ctx) {
            return;
        }
        // try_: in tests an app is mounted and dropped; its listener outlives it.
        let _ = ctx.route.try_set(Route::from_hash(&window().location().hash().unwrap_or_default()));
        window().scroll_to_with_x_and_y(0.0, 0.0);
    });
    let _ = window().add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    on_hash.forget();
}

/// Opens the outbox database, restores what localStorage may have lost, and
/// starts syncing.
fn start(ctx: &Ctx, database: String) {
    let ctx = ctx.clone();
    ctx.engine.listen_to_other_tabs();
    leptos::task::spawn_local(async move {
        let opened = open_outbox(&database).await;
        // The app may have been unmounted meanwhile (tests mount and drop apps).
        if ctx.ready.is_disposed() {
            return;
        }
        match opened {
            Ok((store, entries, found_quarantined)) => {
                match (ctx.enrolled.get_untracked(), store.setting::<Enrolment>(enrolment::SETTING_KEY).await) {
                    // localStorage lost it (a killed browser): the durable copy restores it.
                    (None, Ok(Some(e))) => {
                        let _ = enrolment::save(&e);
                        let _ = ctx.engine.token.try_set(Some(e.token.clone()));
                        let _ = ctx.enrolled.try_set(Some(e));
                    }
                    // IndexedDB lost it (a corrupted database is deleted whole): keep it there again.
                    (Some(e), Ok(None)) => {
                        let _ = store.set_setting(enrolment::SETTING_KEY, &e).await;
                    }
                    _ => {}
                }
                let _ = ctx.outbox.try_set(Outbox::from_entries(entries));
                let _ = ctx.quarantined.try_set(found_quarantined);
                forget_expired_sent(&store, ctx.outbox).await;
                ctx.engine.attach_store(store);
                let _ = ctx.ready.try_set(true);
                mark_ready();
                ctx.engine.trigger();
            }
            Err(e) => {
                let _ = ctx.storage_problem.try_set(Some(e));
            }
        }
        let status = crate::outbox_store::storage_status().await;
        let _ = ctx.storage_info.try_set(status);
    });
}

/// Tries again an enrolment that got no answer (no signal when the link was
/// opened or the code typed): the code is kept with its attempt until the
/// server has answered.
fn resume_enrolment(ctx: &Ctx) {
    let not_enrolled = ctx.enrolled.try_with_untracked(Option::is_none).unwrap_or(false);
    if let Some(code) = enrolment::unfinished_code().filter(|_| not_enrolled) {
        enrol(ctx, code);
    }
}

/// Exchanges a coordinator's one-time code for a token, keeps it twice, and
/// fills an empty profile from what the coordinator registered.
pub fn enrol(ctx: &Ctx, code: String) {
    if ctx.enrolling.try_get_untracked().unwrap_or(true) {
        return;
    }
    let _ = ctx.enrolling.try_set(true);
    let ctx = ctx.clone();
    let i18n = ctx.i18n;
    let _ = ctx.enrol_message.try_set(Some(i18n.t().enrolling.to_owned()));
    leptos::task::spawn_local(async move {
        let answer = enrolment::enrol(&ctx.api, &code).await;
        let _ = ctx.enrolling.try_set(false);
        match answer {
            Ok(e) => {
                if let Err(err) = enrolment::save(&e) {
                    leptos::logging::error!("could not keep the enrolment: {err}");
                }
                // The durable copy. The database may still be opening at first start.
                let mut kept = false;
                for _ in 0..50 {
                    if let Some(store) = ctx.engine.store.get_value() {
                        kept = store.set_setting(enrolment::SETTING_KEY, &e).await.is_ok();
                        break;
                    }
                    sleep_ms(100).await;
                }
                if !kept {
                    leptos::logging::error!("the enrolment is kept only in localStorage");
                }
                let _ = ctx.profile.try_update(|p| {
                    if p.name.trim().is_empty() {
                        p.name = e.volunteer.name.clone();
                    }
                    if p.tps.trim().is_empty() {
                        p.tps = e.volunteer.tps.clone().unwrap_or_default();
                    }
                    p.save();
                });
                let _ = ctx.engine.token.try_set(Some(e.token.clone()));
                let _ = ctx.engine.status.try_update(|s| s.paused_unauthorized = false);
                let _ = ctx.enrolled.try_set(Some(e));
                let _ = ctx.enrol_message.try_set(None);
                ctx.engine.trigger();
            }
            Err(err) => {
                let _ = ctx.enrol_message.try_set(Some(err.message(i18n.lang())));
            }
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

pub fn keep_sent_days() -> i64 {
    GlooLocalStorage::get::<i64>(KEEP_SENT_DAYS_KEY).unwrap_or(DEFAULT_KEEP_SENT_DAYS).clamp(1, 365)
}

/// Sent reports older than the retention period leave the outbox (storage first).
async fn forget_expired_sent(store: &OutboxStore, outbox: RwSignal<Outbox>) {
    let expired = outbox.with_untracked(|o| o.expired_sent(now(), time::Duration::days(keep_sent_days())));
    for id in expired {
        if store.remove(id).await.is_ok() {
            let _ = outbox.try_update(|o| o.clear(id));
        }
    }
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

pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// "1,5 MB", written with integers: float formatting costs kilobytes of wasm.
pub fn megabytes(bytes: f64) -> String {
    let tenths = (bytes / 100_000.0).round() as u64;
    format!("{},{} MB", tenths / 10, tenths % 10)
}

/// Now, in the phone's offset: a report from Balikpapan says +08:00 (WITA), so
/// coordinators read the time the volunteer saw.
pub fn now() -> OffsetDateTime {
    local_time(&js_sys::Date::new_0()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A JS date as a time in the phone's offset at that moment; None for an
/// invalid date.
pub fn local_time(date: &js_sys::Date) -> Option<OffsetDateTime> {
    let ms = date.get_time();
    if ms.is_nan() {
        return None;
    }
    let utc = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok()?;
    match time::UtcOffset::from_whole_seconds(-(date.get_timezone_offset() as i32) * 60) {
        Ok(offset) => Some(utc.to_offset(offset)),
        Err(_) => Some(utc),
    }
}

pub fn millis(t: OffsetDateTime) -> f64 {
    (t.unix_timestamp_nanos() / 1_000_000) as f64
}

/// "14.05" in the phone's local time, as Indonesians write the time.
pub fn format_clock(ms: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
    format!("{:02}.{:02}", date.get_hours(), date.get_minutes())
}

fn install_sync_triggers(ctx: &Ctx) {
    let on_online = ctx.clone();
    // The handle is dropped on purpose: the listener lives as long as the page.
    let _ = window_event_listener(leptos::ev::online, move |_| {
        resume_enrolment(&on_online);
        on_online.engine.trigger();
    });

    let on_visible = ctx.clone();
    let pwa = ctx.pwa;
    let listener = Closure::<dyn Fn()>::new(move || {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            resume_enrolment(&on_visible);
            on_visible.engine.trigger();
            pwa.check_for_update();
        }
    });
    let _ = document().add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
    listener.forget();
}
