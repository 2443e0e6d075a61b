//! Extractors that refuse with a problem document: the caller in a given role,
//! and a JSON body. Handlers receive what they need already checked, in the
//! order a client fixes things: 401, 403, 413, 415, 400.

use super::problem::ApiProblem;
use crate::auth::hash_secret;
use crate::store::{Account, Role};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use pantau_core::protocol::ProblemType;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

/// The caller, authenticated by `Authorization: Bearer <token>`.
pub struct Caller(pub Account);

/// The hash (as the store keeps it) of the token sent as
/// `Authorization: Bearer <token>`, if one is sent.
pub fn bearer_token_hash(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(hash_secret)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiProblem> {
        let token_hash =
            bearer_token_hash(&parts.headers).ok_or_else(|| ApiProblem::unauthorized("missing bearer token"))?;
        match state.store.account_by_token(&token_hash).await {
            Ok(Some(account)) if account.expires_at.is_some_and(|end| end <= OffsetDateTime::now_utc()) => {
                Err(ApiProblem::new(StatusCode::UNAUTHORIZED, ProblemType::TokenExpired, Some("sign in again".into())))
            }
            Ok(Some(account)) => Ok(Caller(account)),
            Ok(None) => Err(ApiProblem::unauthorized("unknown or revoked token")),
            Err(e) => Err(ApiProblem::internal(e)),
        }
    }
}

impl Caller {
    pub fn require(self, role: Role) -> Result<Account, ApiProblem> {
        if self.0.role == role {
            Ok(self.0)
        } else {
            Err(ApiProblem::new(
                StatusCode::FORBIDDEN,
                ProblemType::Forbidden,
                Some(format!("requires a {} token", if role == Role::Volunteer { "volunteer" } else { "coordinator" })),
            ))
        }
    }
}

/// A caller holding a volunteer's token (else 401 or 403).
pub struct Volunteer(pub Account);

/// A caller holding a coordinator's token (else 401 or 403).
pub struct Coordinator(pub Account);

impl FromRequestParts<AppState> for Volunteer {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Volunteer, ApiProblem> {
        Caller::from_request_parts(parts, state).await?.require(Role::Volunteer).map(Volunteer)
    }
}

impl FromRequestParts<AppState> for Coordinator {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Coordinator, ApiProblem> {
        Caller::from_request_parts(parts, state).await?.require(Role::Coordinator).map(Coordinator)
    }
}

/// A JSON body read as `T`: 413 over the body limit, 415 when it is not
/// declared as JSON, 400 naming what does not parse.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<JsonBody<T>, Response> {
        let json = is_json(request.headers());
        // The body limit's own rejection (413) is made a problem by the router's layer.
        let body = Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        if !json {
            return Err(ApiProblem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ProblemType::UnsupportedMediaType,
                Some("send Content-Type: application/json".into()),
            )
            .into_response());
        }
        serde_json::from_slice(&body).map(JsonBody).map_err(|e| ApiProblem::malformed(e).into_response())
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).is_some_and(
        |mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json") || mime.to_ascii_lowercase().ends_with("+json")
        },
    )
}
