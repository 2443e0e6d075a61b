//! The sign-in screen: a one-time link (`/desk/#masuk=CODE`) signs in by
//! itself; the code can also be typed. Says why the last session ended.

use crate::i18n::use_i18n;
use crate::session::{use_session, SignIn, SignedOut};
use leptos::prelude::*;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let code = RwSignal::new(crate::session::Session::unfinished_code().unwrap_or_default());
    let why = move || {
        let t = i18n.t();
        match session.signed_out.get() {
            SignedOut::Never => None,
            SignedOut::Expired => Some(t.session_expired),
            SignedOut::Refused => Some(t.session_refused),
            SignedOut::ByChoice => Some(t.signed_out),
            SignedOut::InAnotherTab => Some(t.signed_out_elsewhere),
        }
    };
    let state = move || {
        let t = i18n.t();
        match session.sign_in.get() {
            SignIn::Idle => None,
            SignIn::Busy => Some(("status", t.signing_in.to_owned())),
            SignIn::BadCode => Some(("error", t.bad_code.to_owned())),
            SignIn::NoAnswer(e) => Some(("error", format!("{} ({e})", t.sign_in_no_answer))),
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        session.start_sign_in(code.get_untracked());
    };
    view! {
        <main id="main" class="sign-in">
            <h1>{move || i18n.t().desk_name}</h1>
            <p>{move || i18n.t().desk_intro}</p>
            {move || why().map(|w| view! { <p class="notice" role="status" data-testid="signed-out-reason">{w}</p> })}
            <form on:submit=submit>
                <label for="code">{move || i18n.t().code_label}</label>
                <input id="code" autocomplete="off" autocapitalize="characters" prop:value=code
                    on:input=move |ev| code.set(event_target_value(&ev)) />
                <p class="hint">{move || i18n.t().code_hint}</p>
                <button type="submit" class="primary" disabled=move || session.sign_in.get() == SignIn::Busy>
                    {move || i18n.t().sign_in}
                </button>
            </form>
            {move || state().map(|(kind, text)| view! {
                <p class=kind role=if kind == "error" { "alert" } else { "status" } data-testid="sign-in-state">{text}</p>
            })}
            <p><button type="button" class="link" on:click=move |_| i18n.toggle()>{move || i18n.t().other_language}</button></p>
        </main>
    }
}
