//! HTTP API v1: thin handlers that parse, validate with pantau-core, and hand
//! over to the [`Store`]. Errors are RFC 9457 problem documents.

use crate::store::{Store, Stored};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use pantau_core::protocol::Problem;
use pantau_core::validation::FieldError;
use pantau_core::Report;

/// Largest accepted request body. A text report is a few KB; photos will get
/// their own endpoint and limit.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

const PROBLEM_BASE: &str = "https://pantau.id/problems/";

pub fn router(store: Store) -> Router {
    Router::new()
        .route("/reports", post(post_report))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .fallback(not_found)
        .with_state(store)
}

/// A problem response with a stable `type` that clients match on.
pub struct ApiProblem(Problem);

impl ApiProblem {
    fn new(status: StatusCode, slug: &str, title: &str, detail: Option<String>) -> ApiProblem {
        ApiProblem(Problem {
            kind: format!("{PROBLEM_BASE}{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            errors: Vec::new(),
        })
    }

    fn invalid(errors: Vec<FieldError>) -> ApiProblem {
        let mut p = ApiProblem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-report",
            "The report is invalid",
            Some(format!("{} field(s) need correcting", errors.len())),
        );
        p.0.errors = errors;
        p
    }

    fn internal(e: impl std::fmt::Display) -> ApiProblem {
        tracing::error!(error = %e, "request failed");
        ApiProblem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal server error", None)
    }
}

impl IntoResponse for ApiProblem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self.0).expect("a Problem always serialises");
        (status, [(header::CONTENT_TYPE, Problem::CONTENT_TYPE)], body).into_response()
    }
}

/// `POST /api/v1/reports`: 201 with a receipt for a new report, 200 with the same
/// receipt for an identical repeat, 409 when the id holds a different report.
async fn post_report(State(store): State<Store>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiProblem> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiProblem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body must be JSON",
            Some("send Content-Type: application/json".into()),
        ));
    }
    let report: Report = serde_json::from_slice(&body).map_err(|e| {
        ApiProblem::new(StatusCode::BAD_REQUEST, "malformed-report", "The report could not be read", Some(e.to_string()))
    })?;
    report.validate().map_err(ApiProblem::invalid)?;
    match store.store_report(&report).await.map_err(ApiProblem::internal)? {
        Stored::Created(receipt) => {
            tracing::info!(report = %report.id, seq = receipt.seq, "report stored");
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

async fn health() -> &'static str {
    "ok"
}

async fn ready(State(store): State<Store>) -> Result<&'static str, ApiProblem> {
    store.ping().await.map_err(|e| {
        tracing::error!(error = %e, "readiness check failed");
        ApiProblem::new(StatusCode::SERVICE_UNAVAILABLE, "not-ready", "The database is not available", None)
    })?;
    Ok("ready")
}

async fn not_found() -> ApiProblem {
    ApiProblem::new(StatusCode::NOT_FOUND, "not-found", "No such API route", None)
}
