//! The desk's shell: sign-in or the desk, the header (who, where, the live
//! feed's state), the menu, and the screen the address names. Links inside
//! the desk change the screen without a page load.

use crate::feed::{use_feed, Feed};
use crate::i18n::{use_i18n, I18n};
use crate::live::LiveStatus;
use crate::pages;
use crate::routes::{self, Route};
use crate::session::{code_from_fragment, use_session, Session};
use leptos::prelude::*;
use wasm_bindgen::JsCast as _;

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::new();
    provide_context(i18n);
    let session = Session::load();
    session.follow_other_tabs();
    provide_context(session);
    let feed = Feed::new();
    provide_context(feed);
    let route = RwSignal::new(routes::current());
    provide_context(route);

    if !sign_in_from_link(session) && session.current.with_untracked(Option::is_none) {
        if let Some(code) = Session::unfinished_code() {
            session.start_sign_in(code);
        }
    }

    let _click = window_event_listener(leptos::ev::click, move |ev| follow_link(ev, route));
    let _back = window_event_listener(leptos::ev::popstate, move |_| route.set(routes::current()));
    // A sign-in link opened while the desk is already open changes only the fragment.
    let _link = window_event_listener(leptos::ev::hashchange, move |_| {
        sign_in_from_link(session);
    });

    // The live feed runs for the session's token: a new sign-in starts a new feed.
    Effect::new(move |was: Option<Option<String>>| {
        let token = session.current.with(|s| s.as_ref().map(|s| s.token.clone()));
        if was.as_ref() != Some(&token) {
            match token {
                Some(_) => feed.start(session),
                None => feed.stop(),
            }
        }
        token
    });

    view! {
        <Show when=move || session.current.with(Option::is_some) fallback=|| view! { <pages::sign_in::SignInPage/> }>
            <Header/>
            <main id="main">
                {move || match route.get() {
                    Route::Front => view! { <pages::front::FrontPage/> }.into_any(),
                    Route::Reports(filter) => view! { <pages::reports::ReportsPage filter/> }.into_any(),
                    Route::Report(id) => view! { <pages::report::ReportPage id/> }.into_any(),
                    Route::Coverage { level, area } => view! { <pages::coverage::CoveragePage level area/> }.into_any(),
                    Route::Tally => view! { <pages::tally::TallyPage/> }.into_any(),
                    Route::Photo(sha256) => view! { <pages::report::PhotoPage sha256/> }.into_any(),
                }}
            </main>
        </Show>
    }
}

/// Signs in with the code of a sign-in link (`#masuk=CODE`) in the address,
/// if there is one; the code leaves the address bar (and the history) at once.
fn sign_in_from_link(session: Session) -> bool {
    let location = window().location();
    let Some(code) = code_from_fragment(&location.hash().unwrap_or_default()) else { return false };
    let clean = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
    let _ = window().history().and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean)));
    session.start_sign_in(code);
    true
}

/// A plain click on a link within the desk changes the screen in place.
fn follow_link(ev: web_sys::MouseEvent, route: RwSignal<Route>) {
    if ev.default_prevented() || ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
        return;
    }
    let Some(target) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    let Ok(Some(link)) = target.closest("a[href]") else { return };
    if link.has_attribute("download") || link.get_attribute("target").is_some_and(|t| t != "_self") {
        return;
    }
    let href = link.get_attribute("href").unwrap_or_default();
    if !href.starts_with(routes::BASE) {
        return;
    }
    ev.prevent_default();
    let (path, query) = href.split_once('?').unwrap_or((&href, ""));
    routes::go(route, Route::parse(path, query));
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let feed = use_feed();
    let route = expect_context::<RwSignal<Route>>();
    let who = move || {
        session.current.with(|s| {
            s.as_ref().map(|s| {
                let t = i18n.t();
                let scope = match &s.coordinator.scope {
                    None => t.scope_all.to_owned(),
                    Some(prefix) => {
                        let name = pantau_core::region::place(&format!("{prefix:0<10}")).map(|p| match prefix.len() {
                            ..=4 => p.regency,
                            5..=6 => p.district,
                            _ => p.village,
                        });
                        format!("{} {prefix}{}", t.scope, name.map(|n| format!(" ({n})")).unwrap_or_default())
                    }
                };
                format!("{} · {scope}", s.coordinator.name)
            })
        })
    };
    let status = move || {
        let t = i18n.t();
        match feed.status.get() {
            LiveStatus::Live => ("live", t.live),
            LiveStatus::Connecting => ("connecting", t.connecting),
            LiveStatus::Offline => ("offline", t.offline),
        }
    };
    let link = move |target: Route, label: fn(&'static crate::i18n::Texts) -> &'static str| {
        let here = target.clone();
        let current = move || {
            let now = route.get();
            let same = std::mem::discriminant(&now) == std::mem::discriminant(&here)
                || matches!((&now, &here), (Route::Report(_) | Route::Photo(_), Route::Reports(_)));
            same.then_some("page")
        };
        view! { <a href=target.href() aria-current=current>{move || label(i18n.t())}</a> }
    };
    view! {
        <header class="bar">
            <div class="bar-top">
                <a class="brand" href=routes::BASE>"Meja Pantau"</a>
                <span class=move || format!("live-status {}", status().0) role="status" data-testid="live-status">
                    {move || status().1}
                </span>
            </div>
            <p class="who" data-testid="who">{who}</p>
            <div class="bar-tools">
                <label class="sound">
                    <input type="checkbox" prop:checked=move || feed.sound.get() on:change=move |ev| feed.set_sound(event_target_checked(&ev)) />
                    {move || i18n.t().sound}
                </label>
                <button type="button" class="link on-dark" on:click=move |_| i18n.toggle()>{move || i18n.t().other_language}</button>
                <button type="button" class="link on-dark" on:click=move |_| session.sign_out()>{move || i18n.t().sign_out}</button>
            </div>
        </header>
        <nav class="tabs" aria-label=move || i18n.t().nav_label>
            {link(Route::Front, |t| t.nav_front)}
            {link(Route::Reports(Default::default()), |t| t.nav_reports)}
            {link(Route::Coverage { level: pantau_core::coverage::AreaLevel::Kecamatan, area: None }, |t| t.nav_coverage)}
            {link(Route::Tally, |t| t.nav_tally)}
        </nav>
    }
}
