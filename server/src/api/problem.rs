//! RFC 9457 problem responses with stable `type`s that clients match on.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pantau_core::protocol::{Problem, ProblemType};
use pantau_core::validation::FieldError;

/// An error answer: a [`Problem`] sent as `application/problem+json`.
pub struct ApiProblem(pub Problem);

impl ApiProblem {
    pub fn new(status: StatusCode, problem_type: ProblemType, detail: Option<String>) -> ApiProblem {
        ApiProblem(Problem::of(problem_type, status.as_u16(), detail))
    }

    pub fn invalid(errors: Vec<FieldError>) -> ApiProblem {
        let mut p = ApiProblem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::InvalidReport,
            Some(format!("{} field(s) need correcting", errors.len())),
        );
        p.0.errors = errors;
        p
    }

    pub fn malformed(detail: impl std::fmt::Display) -> ApiProblem {
        ApiProblem::new(StatusCode::BAD_REQUEST, ProblemType::MalformedJson, Some(detail.to_string()))
    }

    pub fn unauthorized(detail: &str) -> ApiProblem {
        ApiProblem::new(StatusCode::UNAUTHORIZED, ProblemType::Unauthorized, Some(detail.into()))
    }

    pub fn not_found(detail: &str) -> ApiProblem {
        ApiProblem::new(StatusCode::NOT_FOUND, ProblemType::NotFound, Some(detail.into()))
    }

    pub fn internal(e: impl std::fmt::Display) -> ApiProblem {
        tracing::error!(error = %e, "request failed");
        ApiProblem::new(StatusCode::INTERNAL_SERVER_ERROR, ProblemType::Internal, None)
    }
}

impl IntoResponse for ApiProblem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self.0).expect("a Problem always serialises");
        let mut response = (status, [(header::CONTENT_TYPE, Problem::CONTENT_TYPE)], body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Turns the plain-text rejections of axum and tower layers (413 body limit,
/// 429 rate limit, 405, …) into problem documents, keeping their status and
/// headers (Retry-After stays).
pub async fn problem_for_plain_errors(response: Response) -> Response {
    let status = response.status();
    let is_problem_or_success = !(status.is_client_error() || status.is_server_error())
        || response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem_or_success {
        return response;
    }
    let problem_type = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ProblemType::PayloadTooLarge,
        StatusCode::TOO_MANY_REQUESTS => ProblemType::RateLimited,
        StatusCode::METHOD_NOT_ALLOWED => ProblemType::MethodNotAllowed,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemType::UnsupportedMediaType,
        StatusCode::BAD_REQUEST => ProblemType::BadRequest,
        StatusCode::NOT_FOUND => ProblemType::NotFound,
        s if s.is_server_error() => ProblemType::Internal,
        _ => ProblemType::Error,
    };
    let is_text = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    let (mut parts, body) = response.into_parts();
    // axum's own words name the problem ("Failed to deserialize query string:
    // duplicate field `limit`"); they hold nothing secret. A server error's
    // text might, so it stays in the log.
    let detail = if status.is_client_error() && is_text {
        axum::body::to_bytes(body, 2_000)
            .await
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            .filter(|d| !d.is_empty())
    } else {
        None
    };
    let mut problem = ApiProblem::new(status, problem_type, detail).into_response();
    // The limiter rounds its wait down to whole seconds; "0" would invite an
    // immediate retry that is refused again.
    if parts.headers.get(header::RETRY_AFTER).is_some_and(|v| v.as_bytes() == b"0") {
        parts.headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = parts.headers.remove(&name) {
            problem.headers_mut().insert(name, v);
        }
    }
    for (name, value) in parts.headers.iter() {
        if name.as_str().starts_with("x-ratelimit") {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    problem
}
