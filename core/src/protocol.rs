//! What crosses the wire between the PWA and pantau-server (API v1), and how a
//! response maps onto the outbox. The HTTP client and server are elsewhere; the
//! meaning of each status lives here, once.

use crate::report::ReportId;
use crate::validation::FieldError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where reports are posted, relative to the server's origin.
pub const REPORTS_PATH: &str = "/api/v1/reports";

/// Where several reports are posted at once: one request, one answer per report.
/// The PWA syncs through it; a request per report costs a phone a round trip each.
pub const REPORTS_BATCH_PATH: &str = "/api/v1/reports/batch";

/// Most reports in one batch. With each report bounded by validation, this also
/// bounds the request body.
pub const MAX_BATCH_REPORTS: usize = 50;

/// The body of a batch: reports in the order the client wants their answers.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportBatch<'a> {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::Report>))]
    pub reports: &'a [crate::Report],
}

/// The answer to a batch: one result per report, in the order they were sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchResults {
    pub results: Vec<BatchResult>,
}

/// What became of one report of a batch: the status a single `POST /reports`
/// would have answered, with its receipt (2xx) or its problem (otherwise).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchResult {
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

/// The server's proof that it has stored a report. Identical for every repeat of
/// the same report, so a retried send can never produce a second receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub id: ReportId,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// The server's sequence number for the report: increasing in arrival order.
    pub seq: i64,
}

/// Where a volunteer exchanges a one-time enrolment code for a token.
pub const ENROLMENTS_PATH: &str = "/api/v1/enrolments";

/// A one-time code as the server compares it: codes are typed by people, so
/// case, spaces and dashes do not count.
pub fn normalise_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentRequest {
    /// The one-time code, e.g. `K7QX-M2PA-9RTD` (case, spaces and dashes are ignored).
    pub code: String,
    /// A secret the phone makes for this code (16 to 200 characters) and sends
    /// with every try. If the answer to a try that used the code is lost, a
    /// later try with the same code and attempt, within
    /// [`ENROLMENT_RETRY_HOURS`], gets a new token (200) instead of "already
    /// used". Optional: without it a code works exactly once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<String>,
}

/// How long after a code was used a retry of the same attempt is answered.
pub const ENROLMENT_RETRY_HOURS: i64 = 24;

/// The answer to an enrolment: the volunteer's bearer token (shown only this
/// once) and the profile their coordinator set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolment {
    pub token: String,
    pub volunteer: VolunteerProfile,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolunteerProfile {
    pub name: String,
    /// The TPS the coordinator assigned, in canonical form.
    pub tps: Option<String>,
}

/// What signing in to the coordinators' desk gives: a token that ends at `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskSession {
    pub token: String,
    pub coordinator: CoordinatorProfile,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoordinatorProfile {
    pub name: String,
    /// The prefix of the TPS codes this coordinator sees; absent: every TPS.
    pub scope: Option<String>,
}

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A stable identifier of the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Per-field errors when the report failed validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Where our problem `type`s live; what follows is the stable slug.
pub const PROBLEM_BASE: &str = "https://pantau.id/problems/";

/// The kinds of problem pantau-server answers with. The slug ends a problem's
/// `type` and never changes (clients match on it); the title is English, for logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemType {
    /// 422: the report breaks a validation rule; `errors` names each field.
    InvalidReport,
    /// 400: the body is not the JSON the operation takes.
    MalformedJson,
    /// 400: a request the server cannot read (a query parameter, a path).
    BadRequest,
    /// 400: readable, but a field breaks a rule of the operation (named in `detail`).
    InvalidRequest,
    /// 415: the body is not declared as JSON.
    UnsupportedMediaType,
    /// 413: the request body, or one report of a batch, is too large.
    PayloadTooLarge,
    /// 400: a batch holds more than [`MAX_BATCH_REPORTS`] reports.
    BatchTooLarge,
    /// 409: another report (or another volunteer's) is stored under this id.
    ReportIdConflict,
    /// 401: no valid bearer token.
    Unauthorized,
    /// 401: a desk session that has ended: sign in again.
    TokenExpired,
    /// 403: a token of the other role.
    Forbidden,
    /// 403: a report for a TPS outside the volunteer's (named in `detail`).
    TpsOutsideScope,
    /// 404: nothing here, or nothing this caller may see.
    NotFound,
    /// 404: the enrolment code is unknown, used or revoked.
    UnknownEnrolmentCode,
    /// 429: over the token's rate; `Retry-After` says when to come back.
    RateLimited,
    /// 409: the report's review changed since the version the change was based
    /// on (`If-Match`); `detail` holds the current state.
    ReviewConflict,
    /// 405.
    MethodNotAllowed,
    /// 503: the database is not available.
    NotReady,
    /// 422: the report names photos this volunteer has not uploaded (listed in `detail`).
    PhotosMissing,
    /// 422: an upload's bytes do not hash to the name it was sent under; nothing was kept.
    PhotoHashMismatch,
    /// 409: an upload's `Upload-Offset` is not what the server holds (its
    /// `Upload-Offset` header says what it holds).
    UploadOffsetMismatch,
    /// 413: a photo over its limit, or a chunk beyond the declared length.
    PhotoTooLarge,
    /// 415: the bytes are not a JPEG.
    NotAPhoto,
    /// 429: the volunteer's photo bytes for today are used up.
    PhotoQuotaExceeded,
    /// 5xx: the server failed; the log has the cause.
    Internal,
    /// Any other refusal.
    Error,
}

impl ProblemType {
    pub const ALL: [ProblemType; 26] = [
        ProblemType::InvalidReport,
        ProblemType::MalformedJson,
        ProblemType::BadRequest,
        ProblemType::InvalidRequest,
        ProblemType::UnsupportedMediaType,
        ProblemType::PayloadTooLarge,
        ProblemType::BatchTooLarge,
        ProblemType::ReportIdConflict,
        ProblemType::Unauthorized,
        ProblemType::TokenExpired,
        ProblemType::Forbidden,
        ProblemType::TpsOutsideScope,
        ProblemType::NotFound,
        ProblemType::UnknownEnrolmentCode,
        ProblemType::RateLimited,
        ProblemType::ReviewConflict,
        ProblemType::MethodNotAllowed,
        ProblemType::NotReady,
        ProblemType::PhotosMissing,
        ProblemType::PhotoHashMismatch,
        ProblemType::UploadOffsetMismatch,
        ProblemType::PhotoTooLarge,
        ProblemType::NotAPhoto,
        ProblemType::PhotoQuotaExceeded,
        ProblemType::Internal,
        ProblemType::Error,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ProblemType::InvalidReport => "invalid-report",
            ProblemType::MalformedJson => "malformed-json",
            ProblemType::BadRequest => "bad-request",
            ProblemType::InvalidRequest => "invalid-request",
            ProblemType::UnsupportedMediaType => "unsupported-media-type",
            ProblemType::PayloadTooLarge => "payload-too-large",
            ProblemType::BatchTooLarge => "batch-too-large",
            ProblemType::ReportIdConflict => "report-id-conflict",
            ProblemType::Unauthorized => "unauthorized",
            ProblemType::TokenExpired => "token-expired",
            ProblemType::Forbidden => "forbidden",
            ProblemType::TpsOutsideScope => "tps-outside-scope",
            ProblemType::NotFound => "not-found",
            ProblemType::UnknownEnrolmentCode => "unknown-enrolment-code",
            ProblemType::RateLimited => "rate-limited",
            ProblemType::ReviewConflict => "review-conflict",
            ProblemType::MethodNotAllowed => "method-not-allowed",
            ProblemType::NotReady => "not-ready",
            ProblemType::PhotosMissing => "photos-missing",
            ProblemType::PhotoHashMismatch => "photo-hash-mismatch",
            ProblemType::UploadOffsetMismatch => "upload-offset-mismatch",
            ProblemType::PhotoTooLarge => "photo-too-large",
            ProblemType::NotAPhoto => "not-a-photo",
            ProblemType::PhotoQuotaExceeded => "photo-quota-exceeded",
            ProblemType::Internal => "internal",
            ProblemType::Error => "error",
        }
    }

    pub fn from_slug(slug: &str) -> Option<ProblemType> {
        ProblemType::ALL.into_iter().find(|t| t.slug() == slug)
    }

    /// The problem's `title`, in English for logs and other tools.
    pub fn title(self) -> &'static str {
        match self {
            ProblemType::InvalidReport => "The report is invalid",
            ProblemType::MalformedJson => "The body could not be read",
            ProblemType::BadRequest => "Bad request",
            ProblemType::InvalidRequest => "A field breaks a rule of this operation",
            ProblemType::UnsupportedMediaType => "The body must be JSON",
            ProblemType::PayloadTooLarge => "The request body is too large",
            ProblemType::BatchTooLarge => "Too many reports in one batch",
            ProblemType::ReportIdConflict => "A different report is already stored under this id",
            ProblemType::Unauthorized => "A valid bearer token is required",
            ProblemType::TokenExpired => "This session has ended: sign in again",
            ProblemType::Forbidden => "This token may not do that",
            ProblemType::TpsOutsideScope => "This TPS is not one the volunteer is enrolled for",
            ProblemType::NotFound => "Not found",
            ProblemType::UnknownEnrolmentCode => "This enrolment code is unknown, already used or revoked",
            ProblemType::RateLimited => "Too many requests: try again later",
            ProblemType::ReviewConflict => "The review changed meanwhile",
            ProblemType::MethodNotAllowed => "Method not allowed",
            ProblemType::NotReady => "The database is not available",
            ProblemType::PhotosMissing => "The report names photos that were not uploaded",
            ProblemType::PhotoHashMismatch => "The photo's bytes do not match its SHA-256",
            ProblemType::UploadOffsetMismatch => "The upload offset is not where the stored part ends",
            ProblemType::PhotoTooLarge => "The photo is too large",
            ProblemType::NotAPhoto => "The bytes are not a JPEG photo",
            ProblemType::PhotoQuotaExceeded => "Today's photo allowance for this volunteer is used up",
            ProblemType::Internal => "Internal server error",
            ProblemType::Error => "Request refused",
        }
    }

    /// The problem's `type`: [`PROBLEM_BASE`] followed by the slug.
    pub fn uri(self) -> String {
        format!("{PROBLEM_BASE}{}", self.slug())
    }
}

impl Problem {
    pub const CONTENT_TYPE: &'static str = "application/problem+json";

    /// The problem document of an error response, or one made from its status
    /// and text when it has none (a proxy's or a captive portal's page).
    pub fn from_body(status: u16, body: &str) -> Problem {
        serde_json::from_str(body).unwrap_or_else(|_| Problem {
            kind: "about:blank".into(),
            title: format!("HTTP {status}"),
            status,
            detail: (!body.is_empty()).then(|| body.chars().take(500).collect()),
            errors: Vec::new(),
        })
    }

    /// A problem of `problem_type`, with its title.
    pub fn of(problem_type: ProblemType, status: u16, detail: Option<String>) -> Problem {
        Problem { kind: problem_type.uri(), title: problem_type.title().to_owned(), status, detail, errors: Vec::new() }
    }

    /// Whether pantau-server sent it (its `type` is under [`PROBLEM_BASE`]),
    /// even a kind this version does not know.
    pub fn is_ours(&self) -> bool {
        self.kind.strip_prefix(PROBLEM_BASE).is_some_and(|slug| !slug.is_empty())
    }

    /// Which of our problems this is, or `None` for a problem that did not
    /// come from pantau-server (a proxy's page) or that this version does not know.
    pub fn problem_type(&self) -> Option<ProblemType> {
        self.kind.strip_prefix(PROBLEM_BASE).and_then(ProblemType::from_slug)
    }
}

/// Why a report still waits, in the words the volunteer is given. Stored
/// beside the error text (`wait_reason`); a record from a version that kept
/// only the text is read by [`WaitReason::of`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitReason {
    /// The request failed on the way (no signal; the browser cannot say
    /// whether it arrived, and sending again is safe), or a portal answered
    /// for the server (404, 408).
    NoConnection,
    /// The request went out and no answer came back (a deadline, a cut connection).
    NoAnswer,
    /// The server asked for time (429) or failed (5xx).
    ServerBusy,
    /// The phone's token was refused: sending waits for enrolment.
    NotEnrolled,
    /// An answer that is not the server's (a portal's page answering 200, a
    /// proxy's 403) or that does not fit what was sent.
    UnexpectedAnswer,
    /// A photo of the report is not uploaded yet (or the phone lost it).
    PhotoUpload,
    Other,
}

impl WaitReason {
    pub const ALL: [WaitReason; 7] = [
        WaitReason::NoConnection,
        WaitReason::NoAnswer,
        WaitReason::ServerBusy,
        WaitReason::NotEnrolled,
        WaitReason::UnexpectedAnswer,
        WaitReason::PhotoUpload,
        WaitReason::Other,
    ];

    /// The reason's name in a stored record.
    pub fn slug(self) -> &'static str {
        match self {
            WaitReason::NoConnection => "no_connection",
            WaitReason::NoAnswer => "no_answer",
            WaitReason::ServerBusy => "server_busy",
            WaitReason::NotEnrolled => "not_enrolled",
            WaitReason::UnexpectedAnswer => "unexpected_answer",
            WaitReason::PhotoUpload => "photo_upload",
            WaitReason::Other => "other",
        }
    }

    /// `None` for a name this version does not know (a newer version's).
    pub fn from_slug(slug: &str) -> Option<WaitReason> {
        WaitReason::ALL.into_iter().find(|r| r.slug() == slug)
    }

    /// What the PWA's transport writes when the request never got through.
    pub const NO_CONNECTION: &'static str = "network: ";
    /// When the answer never came: the deadline passed, or the connection
    /// broke while it was read.
    pub const NO_ANSWER: &'static str = "no answer";
    pub const ANSWER_LOST: &'static str = "answer lost: ";
    pub const UNAUTHORIZED: &'static str = "unauthorized";
    pub const UNEXPECTED: &'static str = "unexpected answer: ";

    /// The reason an older version's error text stands for: each started
    /// with the text of the constants above, or was an HTTP status.
    pub fn of(last_error: &str) -> WaitReason {
        match last_error.strip_prefix("HTTP ").and_then(|s| s.parse::<u16>().ok()) {
            Some(status) => WaitReason::of_status(status),
            None if last_error.starts_with(Self::NO_CONNECTION) => WaitReason::NoConnection,
            None if last_error.starts_with(Self::NO_ANSWER) || last_error.starts_with(Self::ANSWER_LOST) => {
                WaitReason::NoAnswer
            }
            None if last_error == Self::UNAUTHORIZED => WaitReason::NotEnrolled,
            None if last_error.starts_with(Self::UNEXPECTED) => WaitReason::UnexpectedAnswer,
            None => WaitReason::Other,
        }
    }

    /// The reason an HTTP status that leaves a report waiting stands for.
    pub fn of_status(status: u16) -> WaitReason {
        match status {
            404 | 408 => WaitReason::NoConnection,
            429 | 500..=599 => WaitReason::ServerBusy,
            _ => WaitReason::Other,
        }
    }
}

/// Why the last attempt failed: the reason, typed, and the transport's own
/// words for whoever helps the volunteer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitError {
    pub reason: WaitReason,
    pub detail: String,
}

impl WaitError {
    pub fn new(reason: WaitReason, detail: impl Into<String>) -> WaitError {
        WaitError { reason, detail: detail.into() }
    }

    /// A status that leaves the report waiting.
    pub fn http(status: u16) -> WaitError {
        WaitError::new(WaitReason::of_status(status), format!("HTTP {status}"))
    }

    /// An answer that does not fit what was sent.
    pub fn unexpected(detail: impl std::fmt::Display) -> WaitError {
        WaitError::new(WaitReason::UnexpectedAnswer, format!("{}{detail}", WaitReason::UNEXPECTED))
    }
}

/// Text alone, as versions before the typed reason kept it: the reason is read from it.
impl From<&str> for WaitError {
    fn from(text: &str) -> WaitError {
        WaitError::new(WaitReason::of(text), text)
    }
}

impl From<String> for WaitError {
    fn from(text: String) -> WaitError {
        WaitError { reason: WaitReason::of(&text), detail: text }
    }
}

impl std::fmt::Display for WaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// What one attempt to send a report came to, from the outbox's point of view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// A 2xx with this report's receipt: the only proof of delivery.
    Delivered(Receipt),
    /// Nothing is known to be wrong with the report: try again later, no sooner
    /// than `retry_after_ms` when the server said so.
    RetryLater { reason: WaitError, retry_after_ms: Option<u64> },
    /// The volunteer's credentials were refused: pause sending, keep everything.
    Unauthorized,
    /// The server refused this report as it is (a 4xx): keep it for the volunteer
    /// to correct and resend.
    Rejected(Problem),
    /// The server holds a different report under the same id (409): keep it.
    Conflict(Problem),
}

impl SendOutcome {
    /// Interprets a response to `POST /api/v1/reports` for report `sent`.
    pub fn from_response(sent: ReportId, status: u16, body: &str, retry_after: Option<&str>) -> SendOutcome {
        let retry_after_ms = retry_after.and_then(parse_retry_after_ms);
        match status {
            200..=299 => match serde_json::from_str::<Receipt>(body) {
                Ok(receipt) => Self::from_receipt(sent, receipt, retry_after_ms),
                // A 2xx we cannot read proves nothing about this report. Sending it
                // again is safe: the server answers a repeat with the same receipt.
                Err(e) => {
                    SendOutcome::RetryLater { reason: WaitError::unexpected(format!("receipt: {e}")), retry_after_ms }
                }
            },
            _ => Self::from_refusal(status, || Problem::from_body(status, body), retry_after_ms),
        }
    }

    /// Interprets a response to `POST /api/v1/reports/batch` carrying the
    /// reports `sent`, in order: one outcome per report. A failure of the whole
    /// request (no signal, 401, 429, 5xx) is that outcome for every report.
    pub fn from_batch_response(
        sent: &[ReportId],
        status: u16,
        body: &str,
        retry_after: Option<&str>,
    ) -> Vec<SendOutcome> {
        let retry_after_ms = retry_after.and_then(parse_retry_after_ms);
        if !(200..=299).contains(&status) {
            // A refusal of the whole request says nothing about one report in
            // particular: only 401 and the retryable statuses apply to all. A
            // 400/413/415 would be our own bug, so keep the reports and retry.
            let outcome = match Self::from_refusal(status, || Problem::from_body(status, body), retry_after_ms) {
                SendOutcome::Rejected(_) | SendOutcome::Conflict(_) => SendOutcome::RetryLater {
                    reason: WaitError::unexpected(format!("batch refused with HTTP {status}")),
                    retry_after_ms,
                },
                other => other,
            };
            return vec![outcome; sent.len()];
        }
        let results = match serde_json::from_str::<BatchResults>(body) {
            Ok(r) if r.results.len() == sent.len() => r.results,
            Ok(r) => {
                let reason = WaitError::unexpected(format!("{} answers for {} reports", r.results.len(), sent.len()));
                return vec![SendOutcome::RetryLater { reason, retry_after_ms }; sent.len()];
            }
            Err(e) => {
                let reason = WaitError::unexpected(format!("batch answer: {e}"));
                return vec![SendOutcome::RetryLater { reason, retry_after_ms }; sent.len()];
            }
        };
        sent.iter()
            .zip(results)
            .map(|(&id, result)| match (result.status, result.receipt) {
                (200..=299, Some(receipt)) => Self::from_receipt(id, receipt, None),
                (200..=299, None) => {
                    SendOutcome::RetryLater { reason: WaitError::unexpected("no receipt"), retry_after_ms: None }
                }
                (status, _) => {
                    let problem = result.problem;
                    Self::from_refusal(status, || problem.unwrap_or_else(|| Problem::from_body(status, "")), None)
                }
            })
            .collect()
    }

    fn from_receipt(sent: ReportId, receipt: Receipt, retry_after_ms: Option<u64>) -> SendOutcome {
        if receipt.id == sent {
            SendOutcome::Delivered(receipt)
        } else {
            SendOutcome::RetryLater {
                reason: WaitError::unexpected(format!("receipt names report {} instead of {sent}", receipt.id)),
                retry_after_ms,
            }
        }
    }

    /// The outcome of a non-2xx status for one report.
    fn from_refusal(status: u16, problem: impl FnOnce() -> Problem, retry_after_ms: Option<u64>) -> SendOutcome {
        match status {
            401 => SendOutcome::Unauthorized,
            409 => SendOutcome::Conflict(problem()),
            // Too many requests and timeouts say nothing against the report itself,
            // and a 404 means we did not reach pantau-server (a captive portal, a
            // proxy, a half-deployed server): the report may be fine.
            404 | 408 | 425 | 429 => SendOutcome::RetryLater { reason: WaitError::http(status), retry_after_ms },
            400..=499 => {
                let problem = problem();
                // The server lost or never got a photo: upload it again, then resend.
                if problem.problem_type() == Some(ProblemType::PhotosMissing) {
                    let reason = WaitError::new(WaitReason::PhotoUpload, problem.detail.unwrap_or_default());
                    return SendOutcome::RetryLater { reason, retry_after_ms };
                }
                SendOutcome::Rejected(problem)
            }
            _ => SendOutcome::RetryLater { reason: WaitError::http(status), retry_after_ms },
        }
    }
}

/// Retry-After as delta-seconds. The HTTP-date form is not used by pantau-server
/// and is ignored (the client's own backoff applies instead).
fn parse_retry_after_ms(value: &str) -> Option<u64> {
    value.trim().parse::<u64>().ok().map(|s| s.saturating_mul(1000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn id(n: u128) -> ReportId {
        ReportId(Uuid::from_u128(n))
    }

    fn receipt_json(n: u128) -> String {
        serde_json::to_string(&Receipt {
            id: id(n),
            received_at: time::macros::datetime!(2026-02-14 08:00 UTC),
            seq: 42,
        })
        .unwrap()
    }

    #[test]
    fn only_a_2xx_with_this_reports_receipt_is_delivery() {
        assert!(
            matches!(SendOutcome::from_response(id(1), 201, &receipt_json(1), None), SendOutcome::Delivered(r) if r.seq == 42)
        );
        assert!(matches!(SendOutcome::from_response(id(1), 200, &receipt_json(1), None), SendOutcome::Delivered(_)));
        assert!(matches!(
            SendOutcome::from_response(id(1), 201, &receipt_json(2), None),
            SendOutcome::RetryLater { .. }
        ));
        assert!(matches!(
            SendOutcome::from_response(id(1), 201, "<html>captive portal</html>", None),
            SendOutcome::RetryLater { .. }
        ));
    }

    #[test]
    fn server_trouble_is_retried_and_honours_retry_after() {
        assert_eq!(
            SendOutcome::from_response(id(1), 503, "", Some("7")),
            SendOutcome::RetryLater { reason: "HTTP 503".into(), retry_after_ms: Some(7000) }
        );
        assert_eq!(
            SendOutcome::from_response(id(1), 429, "", Some("soon")),
            SendOutcome::RetryLater { reason: "HTTP 429".into(), retry_after_ms: None }
        );
        assert!(matches!(SendOutcome::from_response(id(1), 500, "boom", None), SendOutcome::RetryLater { .. }));
        assert!(matches!(SendOutcome::from_response(id(1), 404, "Not Found", None), SendOutcome::RetryLater { .. }));
    }

    #[test]
    fn refusals_keep_the_servers_reason() {
        let body = r#"{"type":"https://pantau.id/problems/invalid-report","title":"Invalid report","status":422,"errors":[{"field":"tps","code":"required"}]}"#;
        match SendOutcome::from_response(id(1), 422, body, None) {
            SendOutcome::Rejected(p) => {
                assert_eq!(p.problem_type(), Some(ProblemType::InvalidReport));
                assert_eq!(p.status, 422);
                assert_eq!(p.errors[0].field, "tps");
            }
            other => panic!("{other:?}"),
        }
        match SendOutcome::from_response(id(1), 409, "plain text", None) {
            SendOutcome::Conflict(p) => {
                assert_eq!(p.detail.as_deref(), Some("plain text"));
                assert_eq!(p.problem_type(), None, "not one of ours");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(SendOutcome::from_response(id(1), 401, "", None), SendOutcome::Unauthorized);
    }

    #[test]
    fn a_batch_answer_gives_each_report_its_own_outcome_in_order() {
        let receipt = |n| serde_json::from_str::<Receipt>(&receipt_json(n)).unwrap();
        let problem = Problem { kind: "p".into(), title: "t".into(), status: 422, detail: None, errors: vec![] };
        let body = serde_json::to_string(&BatchResults {
            results: vec![
                BatchResult { status: 201, receipt: Some(receipt(1)), problem: None },
                BatchResult { status: 422, receipt: None, problem: Some(problem.clone()) },
                BatchResult { status: 409, receipt: None, problem: Some(Problem { status: 409, ..problem.clone() }) },
                // A receipt for another report proves nothing about this one.
                BatchResult { status: 200, receipt: Some(receipt(9)), problem: None },
            ],
        })
        .unwrap();
        let outcomes = SendOutcome::from_batch_response(&[id(1), id(2), id(3), id(4)], 200, &body, None);
        assert!(matches!(&outcomes[0], SendOutcome::Delivered(r) if r.id == id(1)));
        assert_eq!(outcomes[1], SendOutcome::Rejected(problem));
        assert!(matches!(&outcomes[2], SendOutcome::Conflict(p) if p.status == 409));
        assert!(matches!(&outcomes[3], SendOutcome::RetryLater { .. }));
    }

    #[test]
    fn a_failed_or_unreadable_batch_keeps_every_report() {
        let ids = [id(1), id(2)];
        for (status, body) in
            [(200, "<html>portal</html>"), (200, r#"{"results":[]}"#), (503, ""), (413, ""), (400, "{}")]
        {
            let outcomes = SendOutcome::from_batch_response(&ids, status, body, Some("3"));
            assert_eq!(outcomes.len(), 2, "{status} {body}");
            for outcome in outcomes {
                assert!(matches!(outcome, SendOutcome::RetryLater { .. }), "{status} {body}: {outcome:?}");
            }
        }
        assert_eq!(SendOutcome::from_batch_response(&ids, 401, "", None), vec![SendOutcome::Unauthorized; 2]);
        assert!(matches!(
            &SendOutcome::from_batch_response(&ids, 429, "", Some("4"))[1],
            SendOutcome::RetryLater { retry_after_ms: Some(4000), .. }
        ));
    }

    #[test]
    fn every_reason_to_wait_reads_as_what_the_volunteer_is_told() {
        let reason = |outcome: &SendOutcome| match outcome {
            SendOutcome::RetryLater { reason, .. } => reason.clone(),
            other => panic!("{other:?}"),
        };
        let answered = |status: u16, body: &str| reason(&SendOutcome::from_response(id(1), status, body, None));
        let cases: [(WaitError, WaitReason); 16] = [
            (answered(503, ""), WaitReason::ServerBusy),
            (answered(500, "oops"), WaitReason::ServerBusy),
            (answered(429, ""), WaitReason::ServerBusy),
            (answered(404, "<html>portal</html>"), WaitReason::NoConnection),
            (answered(408, ""), WaitReason::NoConnection),
            (answered(425, ""), WaitReason::Other),
            (answered(200, "<html>portal</html>"), WaitReason::UnexpectedAnswer),
            (reason(&SendOutcome::from_batch_response(&[id(1)], 403, "", None)[0]), WaitReason::UnexpectedAnswer),
            (reason(&SendOutcome::from_batch_response(&[id(1)], 200, "<html>", None)[0]), WaitReason::UnexpectedAnswer),
            (
                reason(&SendOutcome::from_batch_response(&[id(1)], 200, r#"{"results":[]}"#, None)[0]),
                WaitReason::UnexpectedAnswer,
            ),
            (reason(&SendOutcome::from_response(id(1), 200, &receipt_json(2), None)), WaitReason::UnexpectedAnswer),
            ("network: TypeError: Failed to fetch".into(), WaitReason::NoConnection),
            (format!("{} within 90 s", WaitReason::NO_ANSWER).into(), WaitReason::NoAnswer),
            ("answer lost: TypeError: network error".into(), WaitReason::NoAnswer),
            (WaitReason::UNAUTHORIZED.into(), WaitReason::NotEnrolled),
            ("written by an older version".into(), WaitReason::Other),
        ];
        for (last_error, expected) in cases {
            assert_eq!(last_error.reason, expected, "{last_error}");
            // The text alone, as an older version reads it, says the same.
            assert_eq!(WaitReason::of(&last_error.detail), expected, "{last_error}");
            assert_eq!(WaitReason::from_slug(expected.slug()), Some(expected));
        }
    }

    #[test]
    fn every_problem_type_reads_back_from_its_slug_and_slugs_are_unique() {
        for t in ProblemType::ALL {
            assert_eq!(ProblemType::from_slug(t.slug()), Some(t));
            let problem = Problem::of(t, 400, None);
            assert_eq!(problem.problem_type(), Some(t));
            assert_eq!(problem.kind, format!("https://pantau.id/problems/{}", t.slug()));
        }
        assert_eq!(ProblemType::from_slug("needs-coffee"), None);
    }
}
