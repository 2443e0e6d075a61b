//! Volunteers' endpoints: file a report, read back its receipt.

use super::problem::ApiProblem;
use crate::auth::Caller;
use crate::store::{Role, Stored};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pantau_core::protocol::{Problem, Receipt};
use pantau_core::{Report, ReportId};

/// A complete report that a client author can copy.
pub fn example_report() -> serde_json::Value {
    serde_json::json!({
        "id": "0b6f3c52-2a53-4d6e-9d0f-3c1c2f0f6a11",
        "tps": "6471011001-003",
        "created_at": "2026-02-14T07:05:00+08:00",
        "body": { "kind": "note", "text": "TPS dibuka pukul 07.00, KPPS lengkap dan sudah mengucapkan sumpah." }
    })
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json") || mime.to_ascii_lowercase().ends_with("+json")
        })
}

/// Parses a JSON body, with 415 when it is not JSON and 400 naming what is wrong.
pub fn json_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiProblem> {
    if !is_json(headers) {
        return Err(ApiProblem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body must be JSON",
            Some("send Content-Type: application/json".into()),
        ));
    }
    serde_json::from_slice(body).map_err(ApiProblem::malformed)
}

/// File one report. The report's client-generated `id` is the idempotency key.
#[utoipa::path(
    post,
    path = "/api/v1/reports",
    tag = "reports",
    security(("bearer" = [])),
    request_body(content = Report, content_type = "application/json", example = json!(example_report())),
    responses(
        (status = 201, description = "New report stored", body = Receipt),
        (status = 200, description = "The identical report was already stored: the same receipt", body = Receipt),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A different report is stored under this id", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid report, with per-field errors", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_report(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiProblem> {
    let volunteer = caller.require(Role::Volunteer)?;
    let report: Report = json_body(&headers, &body)?;
    report.validate().map_err(ApiProblem::invalid)?;
    match state.store.store_report(volunteer.id, &report).await.map_err(ApiProblem::internal)? {
        Stored::Created(receipt) => {
            tracing::info!(report = %report.id, seq = receipt.seq, volunteer = volunteer.id, "report stored");
            Ok((StatusCode::CREATED, Json(receipt)).into_response())
        }
        Stored::Repeat(receipt) => Ok((StatusCode::OK, Json(receipt)).into_response()),
        Stored::Conflict => Err(ApiProblem::new(
            StatusCode::CONFLICT,
            "report-id-conflict",
            "A different report is already stored under this id",
            Some(format!("report {} exists with different content", report.id)),
        )),
    }
}

/// The receipt of one of the caller's own reports (a coordinator may read any).
#[utoipa::path(
    get,
    path = "/api/v1/reports/{id}/receipt",
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = ReportId, Path, description = "The report's id")),
    responses(
        (status = 200, body = Receipt),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report among the caller's", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_receipt(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(id): Path<String>,
) -> Result<Json<Receipt>, ApiProblem> {
    let id: ReportId = id.parse().map_err(|e| ApiProblem::malformed(format!("report id: {e}")))?;
    let owner = (account.role == Role::Volunteer).then_some(account.id);
    match state.store.receipt(id, owner).await.map_err(ApiProblem::internal)? {
        Some(receipt) => Ok(Json(receipt)),
        // The same answer whether the report does not exist or is someone
        // else's: a volunteer learns nothing about other volunteers' reports.
        None => Err(ApiProblem::not_found("no such report")),
    }
}
