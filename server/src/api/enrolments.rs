//! Enrolment: a volunteer exchanges the one-time code a coordinator gave them
//! (by QR code or link) for their bearer token.

use super::problem::ApiProblem;
use super::reports::json_body;
use crate::auth::{hash_secret, new_token, normalise_code};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use pantau_core::protocol::{Enrolment, EnrolmentRequest, Problem, VolunteerProfile};

#[utoipa::path(
    post,
    path = "/api/v1/enrolments",
    tag = "enrolment",
    request_body(content = EnrolmentRequest, example = json!({"code": "K7QX-M2PA-9RTD"})),
    responses(
        (status = 201, description = "Enrolled: keep the token", body = Enrolment),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, used or revoked code", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn enrol(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Enrolment>), ApiProblem> {
    let request: EnrolmentRequest = json_body(&headers, &body)?;
    let token = new_token();
    let account = state
        .store
        .enrol(&hash_secret(&normalise_code(&request.code)), &hash_secret(&token))
        .await
        .map_err(ApiProblem::internal)?
        .ok_or_else(|| {
            ApiProblem::new(
                StatusCode::NOT_FOUND,
                "unknown-enrolment-code",
                "This enrolment code is unknown, already used or revoked",
                Some("ask your coordinator for a new code".into()),
            )
        })?;
    tracing::info!(volunteer = account.id, "volunteer enrolled");
    Ok((
        StatusCode::CREATED,
        Json(Enrolment { token, volunteer: VolunteerProfile { name: account.name, tps: account.tps } }),
    ))
}
