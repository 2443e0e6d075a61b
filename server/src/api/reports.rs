//! Volunteers' endpoints: file a report, read back its receipt.

use super::extract::Caller;
use super::extract::{JsonBody, Volunteer};
use super::problem::ApiProblem;
use crate::store::{Account, Role, Stored};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use pantau_core::protocol::{BatchResult, BatchResults, Problem, ProblemType, Receipt, MAX_BATCH_REPORTS};
use pantau_core::{Report, ReportId, TpsCode};

/// A complete report that a client author can copy.
pub fn example_report() -> serde_json::Value {
    serde_json::json!({
        "id": "0b6f3c52-2a53-4d6e-9d0f-3c1c2f0f6a11",
        "tps": "6471011001-003",
        "created_at": "2026-02-14T07:05:00+08:00",
        "body": { "kind": "note", "text": "TPS dibuka pukul 07.00, KPPS lengkap dan sudah mengucapkan sumpah." }
    })
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
        (status = 400, description = "Unreadable JSON, or not a report (a field of another kind, a wrong type)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer token, or a TPS outside the volunteer's (`tps-outside-scope`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A different report is stored under this id", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid report, with per-field errors", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_report(
    State(state): State<AppState>,
    Volunteer(volunteer): Volunteer,
    JsonBody(report): JsonBody<Report>,
) -> Result<Response, ApiProblem> {
    let problem = match refusal(&volunteer, &report) {
        Some(problem) => Some(problem),
        None => photos_missing(&state, volunteer.id, &report).await?,
    };
    if let Some(problem) = problem {
        let (status, receipt) = refused_unless_repeat(&state, volunteer.id, &report, problem).await?;
        return Ok((status, Json(receipt)).into_response());
    }
    let stored = state.store.store_report(volunteer.id, &report).await.map_err(ApiProblem::internal)?;
    match answer(volunteer.id, &report, stored) {
        Ok((status, receipt)) => Ok((status, Json(receipt)).into_response()),
        Err(problem) => Err(problem),
    }
}

/// Why this volunteer may not file `report` as it is: it breaks a validation
/// rule, or it is about a TPS outside the one (or the scope) they are enrolled
/// for, which would count it for the wrong TPS.
fn refusal(volunteer: &Account, report: &Report) -> Option<ApiProblem> {
    if let Err(errors) = report.validate() {
        return Some(ApiProblem::invalid(errors));
    }
    let scope = volunteer.tps.as_deref().filter(|scope| !TpsCode::in_scope(scope, &report.tps))?;
    let detail = format!("TPS {} is outside {scope}, the TPS this volunteer is enrolled for", report.tps);
    Some(ApiProblem::new(StatusCode::FORBIDDEN, ProblemType::TpsOutsideScope, Some(detail)))
}

/// The refusal of a report naming photos this volunteer has not uploaded
/// (or of another size): the phone uploads them first, so this means one
/// was lost on the way and must be sent again.
async fn photos_missing(
    state: &AppState,
    volunteer_id: i64,
    report: &Report,
) -> Result<Option<ApiProblem>, ApiProblem> {
    let mut missing = Vec::new();
    for photo in &report.photos {
        let held = state.store.uploaded_photo(volunteer_id, &photo.sha256).await.map_err(ApiProblem::internal)?;
        if held != Some(u64::from(photo.bytes)) {
            missing.push(photo.sha256.as_str());
        }
    }
    Ok((!missing.is_empty()).then(|| {
        ApiProblem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::PhotosMissing,
            Some(format!("photos not uploaded: {}", missing.join(" "))),
        )
    }))
}

/// A refused report is refused, unless it is a repeat of one this volunteer
/// filed under older, looser rules: a repeat keeps its original receipt.
async fn refused_unless_repeat(
    state: &AppState,
    volunteer_id: i64,
    report: &Report,
    problem: ApiProblem,
) -> Result<(StatusCode, Receipt), ApiProblem> {
    match state.store.repeat_receipt(volunteer_id, report).await.map_err(ApiProblem::internal)? {
        Some(receipt) => Ok((StatusCode::OK, receipt)),
        None => Err(problem),
    }
}

async fn refusal_or_missing(
    state: &AppState,
    volunteer: &Account,
    report: &Report,
) -> Result<Option<ApiProblem>, ApiProblem> {
    match refusal(volunteer, report) {
        Some(problem) => Ok(Some(problem)),
        None => photos_missing(state, volunteer.id, report).await,
    }
}

/// One report's answer as a batch carries it.
fn batch_result(answer: Result<(StatusCode, Receipt), ApiProblem>) -> BatchResult {
    match answer {
        Ok((status, receipt)) => BatchResult { status: status.as_u16(), receipt: Some(receipt), problem: None },
        Err(problem) => BatchResult { status: problem.0.status, receipt: None, problem: Some(problem.0) },
    }
}

/// What a stored report is answered with: the same for a single report and for
/// each report of a batch.
fn answer(volunteer_id: i64, report: &Report, stored: Stored) -> Result<(StatusCode, Receipt), ApiProblem> {
    match stored {
        Stored::Created(receipt) => {
            tracing::info!(report = %report.id, seq = receipt.seq, volunteer = volunteer_id, "report stored");
            Ok((StatusCode::CREATED, receipt))
        }
        Stored::Repeat(receipt) => Ok((StatusCode::OK, receipt)),
        Stored::Conflict => Err(ApiProblem::new(
            StatusCode::CONFLICT,
            ProblemType::ReportIdConflict,
            Some(format!("report {} exists with different content", report.id)),
        )),
    }
}

/// A batch as it arrives: each report is read on its own, so one malformed
/// report is refused alone instead of taking the others with it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingBatch {
    reports: Vec<serde_json::Value>,
}

/// File up to 50 reports in one request. Each report is treated exactly as by
/// `POST /api/v1/reports` (same idempotency, validation and size limit; the
/// rate limit counts the batch as one request) and gets
/// its own result, in the order sent. The request as a whole fails only for
/// reasons that concern all of them (token, rate, size, unreadable body).
#[utoipa::path(
    post,
    path = "/api/v1/reports/batch",
    tag = "reports",
    security(("bearer" = [])),
    request_body(content = pantau_core::protocol::ReportBatch, content_type = "application/json",
        example = json!({ "reports": [example_report()] })),
    responses(
        (status = 200, description = "One result per report, in order: status 201/200 with a receipt, or a 4xx with a problem", body = BatchResults),
        (status = 400, description = "The body is not a JSON object with a `reports` array, or holds more than 50 reports", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_batch(
    State(state): State<AppState>,
    Volunteer(volunteer): Volunteer,
    JsonBody(batch): JsonBody<IncomingBatch>,
) -> Result<Json<BatchResults>, ApiProblem> {
    if batch.reports.len() > MAX_BATCH_REPORTS {
        return Err(ApiProblem::new(
            StatusCode::BAD_REQUEST,
            ProblemType::BatchTooLarge,
            Some(format!("{} reports sent, at most {MAX_BATCH_REPORTS} allowed", batch.reports.len())),
        ));
    }
    let mut results: Vec<Option<BatchResult>> = Vec::with_capacity(batch.reports.len());
    let mut valid = Vec::new();
    for value in batch.reports {
        let refused = |problem: ApiProblem| {
            Some(BatchResult { status: problem.0.status, receipt: None, problem: Some(problem.0) })
        };
        // The same per-report limit as a single POST: a batch is no way around it.
        let size = serde_json::to_vec(&value).map_or(usize::MAX, |v| v.len());
        if size > super::MAX_BODY_BYTES {
            results.push(refused(ApiProblem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ProblemType::PayloadTooLarge,
                Some(format!("the report is {size} bytes, at most {}", super::MAX_BODY_BYTES)),
            )));
            continue;
        }
        match serde_json::from_value::<Report>(value) {
            Err(e) => results.push(refused(ApiProblem::malformed(e))),
            Ok(report) => match refusal_or_missing(&state, &volunteer, &report).await? {
                Some(problem) => results
                    .push(Some(batch_result(refused_unless_repeat(&state, volunteer.id, &report, problem).await))),
                None => {
                    results.push(None);
                    valid.push(report);
                }
            },
        }
    }
    let stored = state.store.store_reports(volunteer.id, valid.clone()).await;
    let mut answers = valid.iter().zip(stored);
    let results = results
        .into_iter()
        .map(|result| {
            result.unwrap_or_else(|| {
                let (report, stored) = answers.next().expect("one stored outcome per valid report");
                batch_result(stored.map_err(ApiProblem::internal).and_then(|s| answer(volunteer.id, report, s)))
            })
        })
        .collect();
    Ok(Json(BatchResults { results }))
}

/// The receipt of one of the caller's own reports (a coordinator: of any in their scope).
#[utoipa::path(
    get,
    path = "/api/v1/reports/{id}/receipt",
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = ReportId, Path, description = "The report's id")),
    responses(
        (status = 200, body = Receipt),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report among the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_receipt(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(id): Path<String>,
) -> Result<Json<Receipt>, ApiProblem> {
    let id: ReportId = id.parse().map_err(|e| ApiProblem::malformed(format!("report id: {e}")))?;
    let owner = (account.role == Role::Volunteer).then_some(account.id);
    // A coordinator sees only their scope; a volunteer's own reports are theirs wherever they are.
    let scope = account.tps.as_deref().filter(|_| account.role == Role::Coordinator);
    match state.store.receipt(id, owner, scope).await.map_err(ApiProblem::internal)? {
        Some(receipt) => Ok(Json(receipt)),
        // The same answer whether the report does not exist or is someone
        // else's: a volunteer learns nothing about other volunteers' reports.
        None => Err(ApiProblem::not_found("no such report")),
    }
}
