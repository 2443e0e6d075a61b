//! The coordinators' desk: signing in with the one-time code of a sign-in
//! link, the same retry-safe exchange as a volunteer's enrolment.

use super::enrolments::exchange_code;
use super::extract::JsonBody;
use super::problem::ApiProblem;
use crate::auth::DESK_SESSION;
use crate::store::Role;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use pantau_core::protocol::{CoordinatorProfile, DeskSession, EnrolmentRequest, Problem};
use time::OffsetDateTime;

#[utoipa::path(
    post,
    path = "/api/v1/desk/sign-in",
    tag = "desk",
    request_body(content = EnrolmentRequest, example = json!({"code": "K7QX-M2PA-9RTD", "attempt": "a-secret-the-browser-made-for-this-code"})),
    responses(
        (status = 201, description = "Signed in: keep the token until `expires_at`", body = DeskSession),
        (status = 200, description = "A retry of a sign-in whose answer was lost: a new token", body = DeskSession),
        (status = 400, description = "Unreadable JSON, or a field that breaks a rule (named in `detail`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, used or revoked code", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tries; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<EnrolmentRequest>,
) -> Result<(StatusCode, Json<DeskSession>), ApiProblem> {
    let expires_at = OffsetDateTime::now_utc() + DESK_SESSION;
    let (status, account, token) = exchange_code(&state, Role::Coordinator, &request, Some(expires_at)).await?;
    tracing::info!(coordinator = account.id, "coordinator signed in to the desk");
    let coordinator = CoordinatorProfile { name: account.name, scope: account.tps };
    Ok((status, Json(DeskSession { token, coordinator, expires_at })))
}
