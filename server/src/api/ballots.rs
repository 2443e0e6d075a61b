//! `GET /api/v1/ballots`: the contests' participants a count result is typed
//! against. Public: ballots are printed on paper at every TPS.

use crate::api::problem::ApiProblem;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pantau_core::ballot::Catalogue;

/// The ballot catalogue: pantau-core's built-in 2024 ballots, each replaced by
/// the one imported for its contest (`pantau-server ballot import`). With the
/// ETag of what the phone holds in `If-None-Match`, 304 while it is current.
#[utoipa::path(get, path = "/api/v1/ballots", tag = "ballots",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag of the catalogue the caller holds")),
    responses(
        (status = 200, body = Catalogue, headers(("ETag" = String, description = "The catalogue's validator"))),
        (status = 304, description = "The caller's catalogue is current"),
        (status = 429, description = "Over the rate of callers without a token; see Retry-After", body = pantau_core::protocol::Problem, content_type = "application/problem+json"),
        (status = 500, body = pantau_core::protocol::Problem, content_type = "application/problem+json")
))]
pub async fn get_ballots(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiProblem> {
    let catalogue = state.store.ballots().await.map_err(ApiProblem::internal)?;
    let etag = catalogue.etag();
    let held = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    let cache = [(header::ETAG, etag.clone()), (header::CACHE_CONTROL, "no-cache".to_owned())];
    if held.is_some_and(|held| held.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*")) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, Json(catalogue)).into_response())
}
