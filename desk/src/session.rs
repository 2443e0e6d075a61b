//! Who is at the desk: the session from a one-time sign-in link, kept until
//! it expires, is revoked, or the coordinator signs out. Every call to the
//! server goes through [`Session::call`], which ends the session on a 401.

use crate::api::{self, DeskError};
use crate::kept::{ATTEMPT_KEY, SESSION_KEY, SIGNED_OUT_KEY};
use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use leptos::prelude::*;
use pantau_core::protocol::{DeskSession, ProblemType};
use serde::{Deserialize, Serialize};

/// Why the sign-in screen is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignedOut {
    /// Never signed in on this browser.
    Never,
    /// The session's time ran out.
    Expired,
    /// The server no longer knows the token (revoked, or a new link was used).
    Refused,
    /// The coordinator chose to sign out.
    ByChoice,
    /// The coordinator signed out in another tab of this browser.
    InAnotherTab,
}

impl SignedOut {
    /// Why a 401 ended a session.
    pub fn from_problem(problem: &pantau_core::protocol::Problem) -> SignedOut {
        match problem.problem_type() {
            Some(ProblemType::TokenExpired) => SignedOut::Expired,
            _ => SignedOut::Refused,
        }
    }
}

/// How a sign-in went, for the sign-in screen.
#[derive(Clone, Debug, PartialEq)]
pub enum SignIn {
    Idle,
    Busy,
    /// The code is unknown, used or revoked.
    BadCode,
    /// No answer: the code is kept, to try again.
    NoAnswer(String),
}

#[derive(Serialize, Deserialize)]
struct Attempt {
    code: String,
    attempt: String,
}

/// The session as the screens see it, shared through context.
#[derive(Clone, Copy)]
pub struct Session {
    pub current: RwSignal<Option<DeskSession>>,
    pub signed_out: RwSignal<SignedOut>,
    pub sign_in: RwSignal<SignIn>,
}

impl Session {
    /// The kept session, unless it has expired.
    pub fn load() -> Session {
        let kept = GlooLocalStorage::get::<DeskSession>(SESSION_KEY).ok();
        let (current, signed_out) = match kept {
            Some(s) if s.expires_at > crate::clock::now() => (Some(s), SignedOut::Never),
            Some(_) => {
                GlooLocalStorage::delete(SESSION_KEY);
                (None, SignedOut::Expired)
            }
            None => (None, SignedOut::Never),
        };
        Session {
            current: RwSignal::new(current),
            signed_out: RwSignal::new(signed_out),
            sign_in: RwSignal::new(SignIn::Idle),
        }
    }

    pub fn token(&self) -> Option<String> {
        self.current.with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    }

    /// Ends the session in this tab (on the server too only through
    /// [`Session::sign_out`]). The kept session goes only if it is this tab's:
    /// one a newer sign-in in another tab kept meanwhile stays.
    pub fn end(&self, why: SignedOut) {
        // Before the session goes, so the other tabs know why it went.
        if why == SignedOut::ByChoice {
            let _ = GlooLocalStorage::set(SIGNED_OUT_KEY, true);
        }
        match GlooLocalStorage::get::<DeskSession>(SESSION_KEY) {
            Ok(kept) if Some(&kept.token) != self.token().as_ref() => {}
            _ => GlooLocalStorage::delete(SESSION_KEY),
        }
        // An expired or revoked session keeps them: the coordinator signs in
        // again and finds what she typed.
        if matches!(why, SignedOut::ByChoice | SignedOut::InAnotherTab) {
            crate::kept::forget_review_drafts();
        }
        self.signed_out.set(why);
        self.current.set(None);
    }

    /// Signs out by choice: here at once, then on the server, so the token
    /// stops working in every tab and feed. Without an answer the token still
    /// ends here; it stays valid on the server until it expires.
    pub fn sign_out(&self) {
        let Some(token) = self.token() else { return };
        self.end(SignedOut::ByChoice);
        leptos::task::spawn_local(async move {
            if let Err(e) = api::sign_out(&token).await {
                leptos::logging::warn!("the server was not told of the sign-out: {e}");
            }
        });
    }

    /// Follows the other tabs of this browser: a sign-out there ends the
    /// session here, a sign-in there opens it here (another coordinator's
    /// reloads the page, so nothing of the first stays on screen).
    pub fn follow_other_tabs(self) {
        let listener = window_event_listener(leptos::ev::storage, move |ev: web_sys::StorageEvent| {
            // `key` is None when another tab cleared all of localStorage.
            if ev.key().is_some_and(|key| key != SESSION_KEY) {
                return;
            }
            let there = ev.new_value().and_then(|json| serde_json::from_str::<DeskSession>(&json).ok());
            match there {
                Some(session) if Some(&session.token) != self.token().as_ref() => {
                    let someone_else = self.current.with_untracked(|here| {
                        here.as_ref().is_some_and(|here| here.coordinator != session.coordinator)
                    });
                    if someone_else {
                        let _ = window().location().reload();
                        return;
                    }
                    self.sign_in.set(SignIn::Idle);
                    self.current.set(Some(session));
                }
                Some(_) => {}
                None => {
                    let Some(expires_at) = self.current.with_untracked(|s| s.as_ref().map(|s| s.expires_at)) else {
                        return;
                    };
                    let why = if GlooLocalStorage::get::<bool>(SIGNED_OUT_KEY).is_ok() {
                        SignedOut::InAnotherTab
                    } else if expires_at <= crate::clock::now() {
                        SignedOut::Expired
                    } else {
                        SignedOut::Refused
                    };
                    self.end(why);
                }
            }
        });
        // The desk is one page: the listener lives as long as it does.
        std::mem::forget(listener);
    }

    /// Ends the session only if `token` is still its token: a refusal of an
    /// older token (a request sent before a new sign-in) ends nothing.
    pub fn end_if_current(&self, token: &str, why: SignedOut) {
        if self.token().as_deref() == Some(token) {
            self.end(why);
        }
    }

    /// Calls the server with the token; a 401 ends the session with its reason.
    pub async fn call<T, F>(&self, call: impl FnOnce(String) -> F) -> Result<T, DeskError>
    where
        F: std::future::Future<Output = Result<T, DeskError>>,
    {
        let Some(token) = self.token() else {
            return Err(DeskError::SignedOut(pantau_core::protocol::Problem::of(ProblemType::Unauthorized, 401, None)));
        };
        let result = call(token.clone()).await;
        if let Err(DeskError::SignedOut(problem)) = &result {
            self.end_if_current(&token, SignedOut::from_problem(problem));
        }
        result
    }

    /// Exchanges a sign-in code. The secret sent with it is kept until the
    /// server answers, so a retry after a lost answer still works.
    pub fn start_sign_in(self, code: String) {
        let code = code.trim().to_owned();
        if code.is_empty() {
            return;
        }
        let attempt = match GlooLocalStorage::get::<Attempt>(ATTEMPT_KEY) {
            Ok(a) if same_code(&a.code, &code) => a.attempt,
            _ => {
                let attempt = format!("desk-{}", uuid::Uuid::new_v4().simple());
                let _ = GlooLocalStorage::set(ATTEMPT_KEY, Attempt { code: code.clone(), attempt: attempt.clone() });
                attempt
            }
        };
        self.sign_in.set(SignIn::Busy);
        leptos::task::spawn_local(async move {
            match api::sign_in(&code, &attempt).await {
                Ok(session) => {
                    GlooLocalStorage::delete(ATTEMPT_KEY);
                    GlooLocalStorage::delete(SIGNED_OUT_KEY);
                    let _ = GlooLocalStorage::set(SESSION_KEY, &session);
                    self.sign_in.set(SignIn::Idle);
                    self.current.set(Some(session));
                }
                Err(DeskError::Refused(p)) if p.status == 404 || p.status == 400 => {
                    GlooLocalStorage::delete(ATTEMPT_KEY);
                    self.sign_in.set(SignIn::BadCode);
                }
                Err(e) => self.sign_in.set(SignIn::NoAnswer(e.to_string())),
            }
        });
    }

    /// A code whose sign-in had no answer, to try again.
    pub fn unfinished_code() -> Option<String> {
        GlooLocalStorage::get::<Attempt>(ATTEMPT_KEY).ok().map(|a| a.code)
    }
}

/// Whether two typings are one code, as the server compares them.
fn same_code(a: &str, b: &str) -> bool {
    pantau_core::protocol::normalise_code(a) == pantau_core::protocol::normalise_code(b)
}

/// The code in a sign-in link's fragment (`#masuk=K7QX-M2PA-9RTD`).
pub fn code_from_fragment(fragment: &str) -> Option<String> {
    let code = fragment.trim_start_matches('#').strip_prefix("masuk=")?;
    let code: String = form_urlencoded::parse(format!("c={code}").as_bytes()).next()?.1.into_owned();
    (!code.trim().is_empty()).then(|| code.trim().to_owned())
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

#[cfg(test)]
mod tests {
    use super::{code_from_fragment, same_code};

    #[test]
    fn a_code_retyped_in_another_case_or_spacing_is_the_same_code() {
        assert!(same_code("K7QX-M2PA-9RTD", "k7qx m2pa 9rtd"));
        assert!(!same_code("K7QX-M2PA-9RTD", "K7QX-M2PA-9RTE"));
    }

    #[test]
    fn the_code_is_read_from_the_link_and_nothing_else_is() {
        assert_eq!(code_from_fragment("#masuk=K7QX-M2PA-9RTD").as_deref(), Some("K7QX-M2PA-9RTD"));
        assert_eq!(code_from_fragment("#masuk=k7qx%20m2pa").as_deref(), Some("k7qx m2pa"));
        assert_eq!(code_from_fragment("#masuk="), None);
        assert_eq!(code_from_fragment("#/laporan"), None);
    }
}
