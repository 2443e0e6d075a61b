//! Enrolment: a volunteer exchanges the one-time code a coordinator gave them
//! (by QR code or link) for their bearer token.

use super::extract::JsonBody;
use super::problem::ApiProblem;
use crate::auth::{hash_secret, new_token, normalise_code};
use crate::store::{Account, Role};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use pantau_core::protocol::{Enrolment, EnrolmentRequest, Problem, ProblemType, VolunteerProfile};
use time::OffsetDateTime;

#[utoipa::path(
    post,
    path = "/api/v1/enrolments",
    tag = "enrolment",
    request_body(content = EnrolmentRequest, example = json!({"code": "K7QX-M2PA-9RTD"})),
    responses(
        (status = 201, description = "Enrolled: keep the token", body = Enrolment),
        (status = 200, description = "A retry of an enrolment whose answer was lost: a new token", body = Enrolment),
        (status = 400, description = "Unreadable JSON, or a field that breaks a rule (named in `detail`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, used or revoked code", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tries; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn enrol(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<EnrolmentRequest>,
) -> Result<(StatusCode, Json<Enrolment>), ApiProblem> {
    let (status, account, token) = exchange_code(&state, Role::Volunteer, &request, None).await?;
    if status == StatusCode::OK {
        tracing::info!(volunteer = account.id, "volunteer enrolled again after a lost answer");
    } else {
        tracing::info!(volunteer = account.id, "volunteer enrolled");
    }
    Ok((status, Json(Enrolment { token, volunteer: VolunteerProfile { name: account.name, tps: account.tps } })))
}

/// Exchanges a one-time code of an account of `role` for a new token (ending
/// at `expires_at`): 201 the first time; 200 for a retry with the same
/// `attempt` after a lost answer; 404 for an unknown, used or revoked code.
pub(crate) async fn exchange_code(
    state: &AppState,
    role: Role,
    request: &EnrolmentRequest,
    expires_at: Option<OffsetDateTime>,
) -> Result<(StatusCode, Account, String), ApiProblem> {
    let code = normalise_code(&request.code);
    let attempt_hash = match request.attempt.as_deref() {
        // Long enough that it cannot be guessed by someone who saw the code.
        Some(a) if !(16..=200).contains(&a.chars().count()) => {
            return Err(ApiProblem::new(
                StatusCode::BAD_REQUEST,
                ProblemType::InvalidRequest,
                Some("attempt: must be 16 to 200 characters".into()),
            ));
        }
        Some(a) => Some(hash_secret(&format!("{code}:{a}"))),
        None => None,
    };
    let token = new_token();
    let token_hash = hash_secret(&token);
    let first = state
        .store
        .enrol(role, &hash_secret(&code), attempt_hash.as_deref(), &token_hash, expires_at)
        .await
        .map_err(ApiProblem::internal)?;
    let (status, account) = match (first, &attempt_hash) {
        (Some(account), _) => (StatusCode::CREATED, Some(account)),
        (None, Some(attempt)) => (
            StatusCode::OK,
            state.store.re_enrol(role, attempt, &token_hash, expires_at).await.map_err(ApiProblem::internal)?,
        ),
        (None, None) => (StatusCode::NOT_FOUND, None),
    };
    let account = account.ok_or_else(|| {
        ApiProblem::new(
            StatusCode::NOT_FOUND,
            ProblemType::UnknownEnrolmentCode,
            Some("ask your coordinator for a new code".into()),
        )
    })?;
    Ok((status, account, token))
}
