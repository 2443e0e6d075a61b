//! The volunteer's enrolment: the one-time code from their coordinator (in the
//! link `#daftar=CODE`, or typed) exchanged for a bearer token. The token
//! sending uses is derived from it ([`EnrolmentState::token`]), never copied.
//!
//! The token is kept twice: in IndexedDB, durably, because its code works only
//! once and a browser killed seconds after enrolling loses recent localStorage
//! writes; and with gloo-storage, so the app knows it at once on start.

use crate::api::ApiBase;
use crate::i18n::I18n;
use crate::kept::{ENROLMENT_ATTEMPT_KEY, ENROLMENT_KEY};
use crate::outbox::PhoneOutbox;
use crate::profile::Profile;
use gloo_net::http::Request;
use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use leptos::prelude::*;
use pantau_core::protocol::{Enrolment, EnrolmentRequest, Problem, ProblemType, ENROLMENTS_PATH};

/// The key of the durable copy in the outbox database's settings.
pub const SETTING_KEY: &str = "enrolment";
/// The link a coordinator shares: `https://…/#daftar=K7QX-M2PA-9RTD`.
const LINK_PREFIX: &str = "#daftar=";

pub fn load() -> Option<Enrolment> {
    GlooLocalStorage::get(ENROLMENT_KEY).ok()
}

pub fn save(enrolment: &Enrolment) -> Result<(), String> {
    GlooLocalStorage::set(ENROLMENT_KEY, enrolment).map_err(|e| e.to_string())
}

/// The code in an enrolment link's fragment, if any.
pub fn code_from_fragment(fragment: &str) -> Option<String> {
    fragment.strip_prefix(LINK_PREFIX).map(|c| c.trim().to_owned()).filter(|c| !c.is_empty())
}

/// Why enrolment failed, in words for the volunteer.
#[derive(Clone, Debug, PartialEq)]
pub enum EnrolError {
    /// The code is unknown, used or revoked (the server's answer is kept).
    Refused(Problem),
    /// No connection: the code is kept and tried again.
    Network(String),
}

impl EnrolError {
    pub fn message(&self, lang: pantau_core::Lang) -> String {
        let t = crate::i18n::texts(lang);
        match self {
            EnrolError::Refused(problem) => {
                // The server's title is English, for logs; ours for the one case we know.
                let why = match problem.problem_type() {
                    Some(ProblemType::UnknownEnrolmentCode) => t.enrol_code_unknown,
                    _ => &problem.title,
                };
                format!("{}: {why}. {}", t.enrol_refused, t.enrol_refused_advice)
            }
            EnrolError::Network(_) => t.enrol_no_connection.to_owned(),
        }
    }
}

/// The secret sent with every try of one code, kept until enrolment ends: the
/// server answers a retry of a try whose answer was lost (weak signal) with a
/// new token instead of "code already used".
#[derive(serde::Serialize, serde::Deserialize)]
struct Attempt {
    code: String,
    attempt: String,
}

fn attempt_for(code: &str) -> String {
    if let Ok(kept) = GlooLocalStorage::get::<Attempt>(ENROLMENT_ATTEMPT_KEY) {
        if kept.code == code {
            return kept.attempt;
        }
    }
    let attempt = uuid::Uuid::new_v4().to_string();
    let _ = GlooLocalStorage::set(ENROLMENT_ATTEMPT_KEY, Attempt { code: code.to_owned(), attempt: attempt.clone() });
    attempt
}

/// The code of an enrolment that has had no answer yet, to try again.
pub fn unfinished_code() -> Option<String> {
    GlooLocalStorage::get::<Attempt>(ENROLMENT_ATTEMPT_KEY).ok().map(|a| a.code)
}

pub async fn enrol(api: &ApiBase, code: &str) -> Result<Enrolment, EnrolError> {
    let url = format!("{}{}", api.0.trim_end_matches('/'), ENROLMENTS_PATH);
    let attempt = attempt_for(code);
    let request = Request::post(&url)
        .json(&EnrolmentRequest { code: code.to_owned(), attempt: Some(attempt) })
        .map_err(|e| EnrolError::Network(e.to_string()))?;
    let response = request.send().await.map_err(|e| EnrolError::Network(e.to_string()))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let outcome = match status {
        200..=299 => serde_json::from_str(&body).map_err(|e| EnrolError::Network(format!("unreadable answer: {e}"))),
        // Only our server's refusal says the code is no good. A portal's or a
        // proxy's 4xx says nothing about it: the code is kept and tried again.
        400..=499 if status != 429 => match Problem::from_body(status, &body) {
            problem if problem.is_ours() => Err(EnrolError::Refused(problem)),
            _ => Err(EnrolError::Network(format!("HTTP {status} from something other than pantau-server"))),
        },
        _ => Err(EnrolError::Network(format!("HTTP {status}"))),
    };
    // Only a lost answer is worth trying again with the same secret.
    if !matches!(outcome, Err(EnrolError::Network(_))) {
        GlooLocalStorage::delete(ENROLMENT_ATTEMPT_KEY);
    }
    outcome
}

/// The enrolment as the screens see it, shared through context. Cheap to copy;
/// its signals are for reading, changes go through its methods.
#[derive(Clone, Copy)]
pub struct EnrolmentState {
    enrolled: RwSignal<Option<Enrolment>>,
    /// What the last attempt came to, in the volunteer's language.
    message: RwSignal<Option<String>>,
    /// A request is on its way: no second one meanwhile.
    busy: RwSignal<bool>,
    /// The code being exchanged until the server answers (tried again by
    /// itself when the signal returns).
    pending: RwSignal<Option<String>>,
    api: StoredValue<ApiBase>,
    i18n: I18n,
}

impl EnrolmentState {
    /// The enrolment kept on this phone, if any.
    pub fn load(api: ApiBase, i18n: I18n) -> EnrolmentState {
        EnrolmentState {
            enrolled: RwSignal::new(load()),
            message: RwSignal::new(None),
            busy: RwSignal::new(false),
            pending: RwSignal::new(unfinished_code()),
            api: StoredValue::new(api),
            i18n,
        }
    }

    /// The enrolment, with the token sending uses (never copied elsewhere).
    pub fn enrolled(self) -> RwSignal<Option<Enrolment>> {
        self.enrolled
    }

    /// What the last attempt came to, in the volunteer's language.
    pub fn message(self) -> RwSignal<Option<String>> {
        self.message
    }

    /// A request is on its way.
    pub fn busy(self) -> RwSignal<bool> {
        self.busy
    }

    /// The code waiting for the server's answer, if one is.
    pub fn pending(self) -> RwSignal<Option<String>> {
        self.pending
    }

    /// Start-up found the enrolment only in its durable copy (localStorage lost it).
    pub fn restore(self, enrolment: Enrolment) {
        if let Err(e) = save(&enrolment) {
            leptos::logging::error!("could not keep the enrolment put back: {e}");
        }
        self.enrolled.set(Some(enrolment));
    }

    /// Tries again an enrolment that got no answer (no signal when the link
    /// was opened or the code typed): the code is kept with its attempt until
    /// the server has answered.
    pub fn resume(self, outbox: PhoneOutbox, profile: RwSignal<Profile>) {
        let not_enrolled = self.enrolled.with_untracked(Option::is_none);
        if let Some(code) = unfinished_code().filter(|_| not_enrolled) {
            self.enrol(code, outbox, profile);
        }
    }

    /// Exchanges a coordinator's one-time code for a token, keeps it twice
    /// (localStorage and the outbox database), fills an empty profile from
    /// what the coordinator registered, and lets sending resume.
    pub fn enrol(self, code: String, outbox: PhoneOutbox, profile: RwSignal<Profile>) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.pending.set(Some(code.clone()));
        let lang = self.i18n.0.get_untracked();
        self.message.set(Some(crate::i18n::texts(lang).enrolling.to_owned()));
        let api = self.api.get_value();
        leptos::task::spawn_local(async move {
            let answer = enrol(&api, &code).await;
            // The app was closed while the request was on its way (only tests drop apps).
            if self.busy.is_disposed() {
                return;
            }
            self.busy.set(false);
            if !matches!(answer, Err(EnrolError::Network(_))) {
                self.pending.set(None);
            }
            match answer {
                Ok(e) => {
                    if let Err(err) = save(&e) {
                        leptos::logging::error!("could not keep the enrolment: {err}");
                    }
                    // The durable copy. The database may still be opening at first start.
                    if !outbox.keep_setting(SETTING_KEY, &e).await {
                        leptos::logging::error!("the enrolment is kept only in localStorage");
                    }
                    if outbox.closed() {
                        return;
                    }
                    profile.update(|p| {
                        if p.name.trim().is_empty() {
                            p.name = e.volunteer.name.clone();
                        }
                        // A TPS, not a scope (a volunteer who moves between TPS types each one).
                        let tps = e.volunteer.tps.as_deref().filter(|t| pantau_core::TpsCode::parse(t).is_ok());
                        if let Some(tps) = tps.filter(|_| p.tps.trim().is_empty()) {
                            p.tps = tps.to_owned();
                        }
                        p.save();
                    });
                    self.enrolled.set(Some(e));
                    self.message.set(None);
                    outbox.token_changed();
                }
                Err(err) => self.message.set(Some(err.message(self.i18n.0.get_untracked()))),
            }
        });
    }
}
