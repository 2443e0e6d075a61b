//! `GET /api/v1/ballots`: the contests' participants a count result is typed
//! against. Public: ballots are printed on paper at every TPS.

use crate::api::problem::ApiProblem;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use pantau_core::ballot::Catalogue;

/// The ballot catalogue: pantau-core's built-in 2024 ballots, each replaced by
/// the one imported for its contest (`pantau-server ballot import`).
#[utoipa::path(get, path = "/api/v1/ballots", tag = "ballots", responses(
    (status = 200, body = Catalogue),
    (status = 429, description = "Over the rate of callers without a token; see Retry-After", body = pantau_core::protocol::Problem, content_type = "application/problem+json"),
    (status = 500, body = pantau_core::protocol::Problem, content_type = "application/problem+json")
))]
pub async fn get_ballots(State(state): State<AppState>) -> Result<Json<Catalogue>, ApiProblem> {
    Ok(Json(state.store.ballots().await.map_err(ApiProblem::internal)?))
}
