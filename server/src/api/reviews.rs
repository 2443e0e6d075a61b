//! A report's review by coordinators: read it with its history, change it
//! with `If-Match` naming the version the change is based on.

use super::coordinator::seq_in_scope;
use super::extract::{Coordinator, JsonBody};
use super::problem::ApiProblem;
use crate::store::ReviewAdded;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pantau_core::protocol::{Problem, ProblemType};
use pantau_core::review::{Review, ReviewChange, ReviewError};
use pantau_core::ReportId;

fn with_etag(status: StatusCode, review: Review) -> Response {
    (status, [(header::ETAG, review.etag())], Json(review)).into_response()
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/{id}/review",
    tag = "desk",
    security(("bearer" = [])),
    params(("id" = ReportId, Path, description = "The report's id")),
    responses(
        (status = 200, body = Review, headers(("ETag" = String, description = "The review's version, for If-Match"))),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report in the coordinator's scope", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_review(
    State(state): State<AppState>,
    coordinator: Coordinator,
    Path(id): Path<String>,
) -> Result<Response, ApiProblem> {
    let seq = seq_in_scope(&state, &coordinator, &id).await?;
    Ok(with_etag(StatusCode::OK, state.store.review(seq).await.map_err(ApiProblem::internal)?))
}

#[utoipa::path(
    post,
    path = "/api/v1/reports/{id}/review",
    tag = "desk",
    security(("bearer" = [])),
    params(
        ("id" = ReportId, Path, description = "The report's id"),
        ("If-Match" = String, Header, description = "The ETag of the review this change is based on, e.g. \"v0\""),
    ),
    request_body(content = ReviewChange, example = json!({"to": "verified", "note": "Dua saksi membenarkan."})),
    responses(
        (status = 201, description = "Changed: the review as it now is", body = Review, headers(("ETag" = String))),
        (status = 400, description = "Unreadable JSON, If-Match missing or not a review's ETag, or a change that may not follow the current state (named in `detail`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report in the coordinator's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by someone else since that version (`detail` names the current state), or already in this state", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_review(
    State(state): State<AppState>,
    coordinator: Coordinator,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(change): JsonBody<ReviewChange>,
) -> Result<Response, ApiProblem> {
    let based_on = based_on(&headers)?;
    let seq = seq_in_scope(&state, &coordinator, &id).await?;
    let added = state.store.add_review(seq, &coordinator.0, based_on, &change).await.map_err(ApiProblem::internal)?;
    match added {
        ReviewAdded::Added(review) => {
            tracing::info!(coordinator = coordinator.0.id, report_seq = seq, to = change.to.slug(), "review changed");
            Ok(with_etag(StatusCode::CREATED, review))
        }
        ReviewAdded::Conflict(now) => {
            let by = now.history.last().map(|e| format!(" by {}", e.coordinator)).unwrap_or_default();
            let detail =
                format!("the review is now {} (version {}, {}{by})", now.state.slug(), now.version, now.etag());
            Err(ApiProblem::new(StatusCode::CONFLICT, ProblemType::ReviewConflict, Some(detail)))
        }
        // The same state again conflicts with where the report is now.
        ReviewAdded::Refused(why @ ReviewError::Unchanged) => {
            Err(ApiProblem::new(StatusCode::CONFLICT, ProblemType::ReviewConflict, Some(why.to_string())))
        }
        ReviewAdded::Refused(why) => {
            Err(ApiProblem::new(StatusCode::BAD_REQUEST, ProblemType::InvalidRequest, Some(why.to_string())))
        }
    }
}

/// The version `If-Match` names (`"v3"`, as [`Review::etag`] writes it);
/// without one, or with another tag, 400 naming the header.
fn based_on(headers: &HeaderMap) -> Result<u32, ApiProblem> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().trim_start_matches("W/").strip_prefix("\"v")?.strip_suffix('"')?.parse().ok())
        .ok_or_else(|| {
            ApiProblem::new(
                StatusCode::BAD_REQUEST,
                ProblemType::InvalidRequest,
                Some(
                    "If-Match: required, the review's ETag this change is based on, e.g. \"v0\" for a new report"
                        .into(),
                ),
            )
        })
}
