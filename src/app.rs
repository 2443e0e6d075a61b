//! The app's shell: [`App`] (start-up, the screen the address names), the
//! bottom navigation and the update banner. The state comes from
//! [`crate::startup`]; the screens are in [`crate::pages`] and [`crate::forms`].

use crate::api::ApiBase;
use crate::forms::DraftsChanged;
use crate::i18n::use_i18n;
use crate::outbox::PhoneOutbox;
use crate::outbox_store::DATABASE;
use crate::pages;
use crate::pwa::Pwa;
use crate::routes::Route;
use leptos::prelude::*;

/// The whole app. `api` defaults to the origin the PWA was served from and
/// `database` to Pantau's IndexedDB database (tests pass their own).
#[component]
pub fn App(#[prop(optional)] api: Option<ApiBase>, #[prop(optional)] database: Option<String>) -> impl IntoView {
    provide_context(DraftsChanged(Trigger::new()));
    crate::forms::migrate_old_draft();
    crate::forms::forget_abandoned_corrections();
    let state = crate::startup::start(api.unwrap_or_default(), database.unwrap_or_else(|| DATABASE.to_owned()));
    let i18n = state.i18n;
    let route = state.route;
    view! {
        <header class="bar">
            <h1>"Pantau"</h1>
            <p class="tagline">{i18n.word(|t| t.app_tagline)}</p>
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
    let pwa = expect_context::<Pwa>();
    let drafts_changed = expect_context::<DraftsChanged>().0;
    let show = move || {
        drafts_changed.track();
        pwa.update_waiting.get() && !crate::forms::any_draft_dirty()
    };
    view! {
        <Show when=show>
            <div class="update" role="status" data-testid="update">
                <span>{i18n.word(|t| t.update_available)}</span>
                <button type="button" class="primary-inline" on:click=move |_| pwa.accept_update()>{i18n.word(|t| t.reload)}</button>
            </div>
        </Show>
    }
}

/// The bottom bar: where the thumb is.
#[component]
fn Nav() -> impl IntoView {
    let i18n = use_i18n();
    let route = expect_context::<RwSignal<Route>>();
    let outbox = expect_context::<PhoneOutbox>().list();
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
        <nav class="tabs" aria-label=i18n.word(|t| t.nav_label)>
            {link(Route::Home, |t| t.nav_home, "nav-home")}
            {link(Route::NewReport(None), |t| t.nav_new, "nav-new")}
            {link(Route::Outbox, |t| t.nav_outbox, "nav-outbox")}
            {link(Route::Settings, |t| t.nav_settings, "nav-settings")}
        </nav>
    }
}
