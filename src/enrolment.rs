//! The volunteer's enrolment: the one-time code from their coordinator (in the
//! link `#daftar=CODE`, or typed) exchanged for a bearer token.
//!
//! The token is kept twice: in IndexedDB, durably, because its code works only
//! once and a browser killed seconds after enrolling loses recent localStorage
//! writes; and with gloo-storage, so the app knows it at once on start.

use crate::api::ApiBase;
use gloo_net::http::Request;
use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use pantau_core::protocol::{Enrolment, EnrolmentRequest, Problem, ENROLMENTS_PATH};

const STORAGE_KEY: &str = "pantau.enrolment";
/// The key of the durable copy in the outbox database's settings.
pub const SETTING_KEY: &str = "enrolment";
/// The link a coordinator shares: `https://…/#daftar=K7QX-M2PA-9RTD`.
const LINK_PREFIX: &str = "#daftar=";

pub fn load() -> Option<Enrolment> {
    GlooLocalStorage::get(STORAGE_KEY).ok()
}

pub fn save(enrolment: &Enrolment) -> Result<(), String> {
    GlooLocalStorage::set(STORAGE_KEY, enrolment).map_err(|e| e.to_string())
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
                let why = match problem.slug() {
                    Some("unknown-enrolment-code") => t.enrol_code_unknown,
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

const ATTEMPT_KEY: &str = "pantau.enrolment-attempt";

fn attempt_for(code: &str) -> String {
    if let Ok(kept) = GlooLocalStorage::get::<Attempt>(ATTEMPT_KEY) {
        if kept.code == code {
            return kept.attempt;
        }
    }
    let attempt = uuid::Uuid::new_v4().to_string();
    let _ = GlooLocalStorage::set(ATTEMPT_KEY, Attempt { code: code.to_owned(), attempt: attempt.clone() });
    attempt
}

/// The code of an enrolment that has had no answer yet, to try again.
pub fn unfinished_code() -> Option<String> {
    GlooLocalStorage::get::<Attempt>(ATTEMPT_KEY).ok().map(|a| a.code)
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
            problem if problem.slug().is_some() => Err(EnrolError::Refused(problem)),
            _ => Err(EnrolError::Network(format!("HTTP {status} from something other than pantau-server"))),
        },
        _ => Err(EnrolError::Network(format!("HTTP {status}"))),
    };
    // Only a lost answer is worth trying again with the same secret.
    if !matches!(outcome, Err(EnrolError::Network(_))) {
        GlooLocalStorage::delete(ATTEMPT_KEY);
    }
    outcome
}
