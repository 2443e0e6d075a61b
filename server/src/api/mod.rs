//! HTTP API v1, under `/api/v1`: thin handlers that parse, validate with
//! pantau-core, check the caller, and hand over to the store.

pub mod ballots;
pub mod coordinator;
pub mod desk;
pub mod enrolments;
pub mod extract;
pub mod photos;
pub mod problem;
pub mod reports;
pub mod reviews;
pub mod schemas;

use crate::AppState;
use axum::extract::State;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use pantau_core::protocol::ProblemType;
use problem::ApiProblem;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;

/// Largest accepted request body. A text report is a few KB; photos have
/// their own endpoint and limit ([`pantau_core::evidence::MAX_PHOTO_BYTES`]).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest accepted batch body: a full batch of reports at the single limit.
pub const MAX_BATCH_BODY_BYTES: usize = pantau_core::protocol::MAX_BATCH_REPORTS * MAX_BODY_BYTES;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pantau API",
        version = "1",
        description = "The endpoint Pantau's volunteers sync TPS observation reports to. Errors are RFC 9457 problem documents."
    ),
    paths(
        reports::post_report,
        reports::post_batch,
        reports::get_receipt,
        reviews::get_review,
        reviews::change_review,
        enrolments::enrol,
        desk::sign_in,
        desk::sign_out,
        desk::events,
        desk::coverage,
        desk::tally,
        desk::hours,
        ballots::get_ballots,
        coordinator::list_reports,
        coordinator::get_report,
        coordinator::reports_csv,
        coordinator::reports_xlsx,
        coordinator::reports_geojson,
        photos::upload_state,
        photos::append,
        photos::get_photo,
        health,
        ready
    ),
    components(schemas(
        pantau_core::validation::FieldErrorCode,
        pantau_core::validation::FieldError,
        pantau_core::ReportBody
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's routes. Layers (limits, rate, headers) are added in [`crate::app`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", post(reports::post_report).get(coordinator::list_reports))
        .route(
            "/reports/batch",
            post(reports::post_batch).layer(axum::extract::DefaultBodyLimit::max(MAX_BATCH_BODY_BYTES)),
        )
        .route("/reports.csv", get(coordinator::reports_csv))
        .route("/reports.xlsx", get(coordinator::reports_xlsx))
        .route("/reports.geojson", get(coordinator::reports_geojson))
        .route("/reports/{id}", get(coordinator::get_report))
        .route("/reports/{id}/receipt", get(reports::get_receipt))
        .route("/reports/{id}/review", get(reviews::get_review).post(reviews::change_review))
        .route("/enrolments", post(enrolments::enrol))
        .route("/desk/sign-in", post(desk::sign_in))
        .route("/desk/session", delete(desk::sign_out))
        .route("/desk/events", get(desk::events))
        .route("/desk/coverage", get(desk::coverage))
        .route("/desk/tally", get(desk::tally))
        .route("/desk/hours", get(desk::hours))
        .route("/ballots", get(ballots::get_ballots))
        .route("/photos/{sha256}", get(photos::get_photo))
        .route("/photos/{sha256}/upload", get(photos::upload_state).patch(photos::append))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/api/v1/health", tag = "operations", responses(
    (status = 200, body = String),
    (status = 429, description = "Over the rate of callers without a token; see Retry-After", body = pantau_core::protocol::Problem, content_type = "application/problem+json")
))]
pub async fn health() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/api/v1/ready", tag = "operations", responses(
    (status = 200, body = String),
    (status = 429, description = "Over the rate of callers without a token; see Retry-After", body = pantau_core::protocol::Problem, content_type = "application/problem+json"),
    (status = 503, body = pantau_core::protocol::Problem, content_type = "application/problem+json")
))]
pub async fn ready(State(state): State<AppState>) -> Result<&'static str, ApiProblem> {
    // A probe needs its answer now: a database that does not answer within a
    // second is down for it (the pool would otherwise wait for a connection).
    let answered = tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await;
    let failed = match answered {
        Ok(Ok(())) => return Ok("ready"),
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("the database did not answer within {READY_TIMEOUT:?}"),
    };
    tracing::error!(error = %failed, "readiness check failed");
    Err(ApiProblem::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, ProblemType::NotReady, None))
}

/// How long `/ready` waits for the database.
pub const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

async fn openapi() -> Json<serde_json::Value> {
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    Json(DOCUMENT.get_or_init(|| schemas::document(ApiDoc::openapi())).clone())
}

async fn not_found() -> ApiProblem {
    ApiProblem::not_found("no such API route")
}
