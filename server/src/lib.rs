//! pantau-server: the endpoint volunteers' phones sync reports to, and the
//! server of the built PWA.
//!
//! - [`api`]: the HTTP API under `/api/v1`.
//! - [`store`]: the database; all SQL is there.

pub mod api;
pub mod store;

use axum::Router;
use std::path::Path;
use store::Store;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

/// The whole application: the API under `/api/v1` and, when `static_dir` is given,
/// the PWA with every unknown path answered by its `index.html` (client routing).
pub fn app(store: Store, static_dir: Option<&Path>) -> Router {
    let mut app = Router::new().nest("/api/v1", api::router(store));
    if let Some(dir) = static_dir {
        // `fallback`, not `not_found_service`: a deep link must get index.html with 200.
        let spa = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
        app = app.fallback_service(spa);
    }
    app.layer(TraceLayer::new_for_http())
}
