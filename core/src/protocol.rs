//! What crosses the wire between the PWA and pantau-server (API v1), and how a
//! response maps onto the outbox. The HTTP client and server are elsewhere; the
//! meaning of each status lives here, once.

use crate::report::ReportId;
use crate::validation::FieldError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where reports are posted, relative to the server's origin.
pub const REPORTS_PATH: &str = "/api/v1/reports";

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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentRequest {
    /// The one-time code, e.g. `K7QX-M2PA-9RTD` (case, spaces and dashes are ignored).
    pub code: String,
}

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

impl Problem {
    pub const CONTENT_TYPE: &'static str = "application/problem+json";
}

/// What one attempt to send a report came to, from the outbox's point of view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// A 2xx with this report's receipt: the only proof of delivery.
    Delivered(Receipt),
    /// Nothing is known to be wrong with the report: try again later, no sooner
    /// than `retry_after_ms` when the server said so.
    RetryLater { reason: String, retry_after_ms: Option<u64> },
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
                Ok(receipt) if receipt.id == sent => SendOutcome::Delivered(receipt),
                // A 2xx we cannot read proves nothing about this report. Sending it
                // again is safe: the server answers a repeat with the same receipt.
                Ok(receipt) => SendOutcome::RetryLater {
                    reason: format!("receipt names report {} instead of {sent}", receipt.id),
                    retry_after_ms,
                },
                Err(e) => SendOutcome::RetryLater { reason: format!("unreadable receipt: {e}"), retry_after_ms },
            },
            401 => SendOutcome::Unauthorized,
            409 => SendOutcome::Conflict(problem_or(status, body, "conflict")),
            // Too many requests and timeouts say nothing against the report itself,
            // and a 404 means we did not reach pantau-server (a captive portal, a
            // proxy, a half-deployed server): the report may be fine.
            404 | 408 | 425 | 429 => SendOutcome::RetryLater { reason: format!("HTTP {status}"), retry_after_ms },
            400..=499 => SendOutcome::Rejected(problem_or(status, body, "rejected")),
            _ => SendOutcome::RetryLater { reason: format!("HTTP {status}"), retry_after_ms },
        }
    }
}

fn problem_or(status: u16, body: &str, kind: &str) -> Problem {
    serde_json::from_str(body).unwrap_or_else(|_| Problem {
        kind: format!("about:blank#{kind}"),
        title: format!("HTTP {status}"),
        status,
        detail: (!body.is_empty()).then(|| body.chars().take(500).collect()),
        errors: Vec::new(),
    })
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
        assert!(matches!(SendOutcome::from_response(id(1), 201, &receipt_json(1), None), SendOutcome::Delivered(r) if r.seq == 42));
        assert!(matches!(SendOutcome::from_response(id(1), 200, &receipt_json(1), None), SendOutcome::Delivered(_)));
        assert!(matches!(SendOutcome::from_response(id(1), 201, &receipt_json(2), None), SendOutcome::RetryLater { .. }));
        assert!(matches!(SendOutcome::from_response(id(1), 201, "<html>captive portal</html>", None), SendOutcome::RetryLater { .. }));
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
                assert_eq!(p.status, 422);
                assert_eq!(p.errors[0].field, "tps");
            }
            other => panic!("{other:?}"),
        }
        match SendOutcome::from_response(id(1), 409, "plain text", None) {
            SendOutcome::Conflict(p) => assert_eq!(p.detail.as_deref(), Some("plain text")),
            other => panic!("{other:?}"),
        }
        assert_eq!(SendOutcome::from_response(id(1), 401, "", None), SendOutcome::Unauthorized);
    }
}
