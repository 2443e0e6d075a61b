//! pantau-server: the endpoint volunteers' phones sync reports to, and the
//! server of the built PWA.
//!
//! - [`api`]: the HTTP API under `/api/v1` (and its OpenAPI document).
//! - [`auth`]: tokens and enrolment codes.
//! - [`store`]: the database; all SQL is there.
//! - [`security`]: security headers and the Content-Security-Policy.
//! - [`metrics`]: operational figures for `GET /metrics` on its own address.

pub mod api;
pub mod apps;
pub mod auth;
#[cfg(feature = "fault-injection")]
pub mod faults;
pub mod metrics;
pub mod photos;
pub mod security;
pub mod store;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::response::IntoResponse;
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use store::Store;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::GovernorLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;

/// Everything a handler may need.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub photos: Arc<photos::PhotoFiles>,
    /// Photo bytes one volunteer may upload per day (UTC).
    pub photo_bytes_per_day: u64,
}

/// How the server is set up; see `pantau-server serve --help`.
#[derive(Clone, Debug)]
pub struct Config {
    /// The built PWA, served for every path outside `/api`.
    pub static_dir: Option<PathBuf>,
    /// Requests per second each token may make on average…
    pub rate_per_second: u64,
    /// …and in a burst (a phone flushing a morning's queue).
    pub rate_burst: u32,
    /// Origins allowed to call the API from another site. Empty: CORS off.
    pub cors_origins: Vec<String>,
    /// The photo folder. None: a new folder under the system's temporary one
    /// (for tests; `pantau-server serve` always names one).
    pub photos_dir: Option<PathBuf>,
    /// Where complete photos go instead of the folder's `objects/`: a bucket
    /// every server of a deployment shares (see [`photos::bucket`]).
    pub photo_bucket: Option<Arc<dyn object_store::ObjectStore>>,
    /// Photo bytes one volunteer may upload per day (UTC).
    pub photo_bytes_per_day: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            static_dir: None,
            rate_per_second: 50,
            rate_burst: 1_000,
            cors_origins: Vec::new(),
            photos_dir: None,
            photo_bucket: None,
            photo_bytes_per_day: api::photos::PHOTO_BYTES_PER_DAY,
        }
    }
}

/// Rate limits apply per bearer token. Requests without one share a single
/// bucket, which also slows guessing of enrolment codes.
#[derive(Clone)]
struct TokenKey;

impl KeyExtractor for TokenKey {
    type Key = String;

    fn extract<T>(&self, req: &axum::http::Request<T>) -> Result<Self::Key, tower_governor::GovernorError> {
        Ok(req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(auth::hash_secret)
            .unwrap_or_default())
    }
}

/// The coordinators' desk app's page, within the static folder.
pub const DESK_PAGE: &str = "desk/index.html";

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How long browsers may keep each response. Trunk's file names carry a hash of
/// their content, so those are kept a year without asking again; everything
/// else (index.html, sw.js, the manifest, icons) is checked every time, so a
/// new build is seen at once; the API is never stored.
pub fn cache_policy(path: &str) -> &'static str {
    if path.starts_with("/api/") {
        return "no-store";
    }
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default().trim_end_matches("_bg");
    // Trunk writes a 64-bit hash in hex without leading zeros: 16 digits, or
    // fewer one time in sixteen (the desk's first build had 14).
    let fingerprinted = stem
        .rsplit_once('-')
        .is_some_and(|(_, hash)| (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()));
    if fingerprinted {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

async fn cache_control(mut request: Request, next: axum::middleware::Next) -> axum::response::Response {
    let mut policy = cache_policy(request.uri().path());
    let unhashed = policy == "no-cache";
    if unhashed {
        // index.html, sw.js and the manifest are always sent whole (about
        // 2 KB): a 304 judged by modification time would keep phones on a
        // newer build after a rollback to files with older times, and an
        // update check would never see it.
        request.headers_mut().remove(header::IF_MODIFIED_SINCE);
        request.headers_mut().remove(header::IF_NONE_MATCH);
    }
    let mut response = next.run(request).await;
    if unhashed {
        response.headers_mut().remove(header::LAST_MODIFIED);
    }
    // An error must not be kept for a year under a hashed file's name.
    let is_html = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let kept = response.status().is_success() || response.status() == axum::http::StatusCode::NOT_MODIFIED;
    if (is_html || !kept) && policy != "no-store" {
        policy = "no-cache";
    }
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    // The same URL is sent as brotli, gzip or plain: caches must key on it.
    if policy != "no-store" {
        response.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// The metrics address's only route: `GET /metrics`.
pub fn metrics_app(metrics: Arc<metrics::Metrics>) -> Router {
    Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let metrics = metrics.clone();
            async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], metrics.encode()) }
        }),
    )
}

/// How long an upload in progress may sit untouched before it is deleted: a
/// volunteer offline for days after election day still resumes where it was.
pub const PARTIAL_UPLOAD_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

/// The photo folder `config` names, or a new temporary one, and its bucket.
fn photo_files(config: &Config) -> photos::PhotoFiles {
    static TEMPORARY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let dir = config.photos_dir.clone().unwrap_or_else(|| {
        let n = TEMPORARY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::env::temp_dir().join(format!("pantau-photos-{}-{n}", std::process::id()))
    });
    let files = photos::PhotoFiles::open(&dir).unwrap_or_else(|e| panic!("photo folder {}: {e}", dir.display()));
    match &config.photo_bucket {
        Some(bucket) => files.with_bucket(bucket.clone()),
        None => files,
    }
}

/// The whole application: the API under `/api/v1` and, when configured, the PWA
/// with every unknown path answered by its `index.html` (client routing).
pub fn app(store: Store, config: &Config) -> Router {
    let governor = GovernorConfigBuilder::default()
        .per_millisecond((1_000 / config.rate_per_second.max(1)).max(1))
        .burst_size(config.rate_burst.max(1))
        .key_extractor(TokenKey)
        .use_headers()
        .finish()
        .expect("rate and burst are non-zero");
    // Forget idle tokens' buckets now and then so memory does not grow; the
    // thread ends once the app (and so its limiter) is dropped.
    let limiter = Arc::downgrade(governor.limiter());
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(60));
        match limiter.upgrade() {
            Some(limiter) => limiter.retain_recent(),
            None => break,
        }
    });

    let photos = Arc::new(photo_files(config));
    // Uploads abandoned for a week leave `partial/`; the thread ends with the app.
    let sweeping = Arc::downgrade(&photos);
    std::thread::spawn(move || loop {
        match sweeping.upgrade() {
            Some(photos) => match photos.sweep_partial(PARTIAL_UPLOAD_AGE) {
                Ok(0) => {}
                Ok(swept) => tracing::info!(swept, "abandoned photo uploads deleted"),
                Err(e) => tracing::warn!(error = %e, "sweeping abandoned photo uploads"),
            },
            None => break,
        }
        std::thread::sleep(Duration::from_secs(3600));
    });

    let metrics = store.metrics();
    let api = api::router()
        // A panic in a handler (a bug) answers 500 with a problem document
        // instead of dropping the connection, which a phone would just retry.
        .layer(CatchPanicLayer::custom(|_| {
            api::problem::ApiProblem::internal("a request handler panicked").into_response()
        }))
        .layer(DefaultBodyLimit::max(api::MAX_BODY_BYTES))
        .layer(GovernorLayer::new(Arc::new(governor)))
        .layer(axum::middleware::map_response(api::problem::problem_for_plain_errors))
        // Outermost: every answer counts, refusals by the layers included.
        .layer(axum::middleware::from_fn(move |request: Request, next: axum::middleware::Next| {
            let metrics = metrics.clone();
            async move {
                let response = next.run(request).await;
                metrics.respond(response.status().as_u16());
                response
            }
        }))
        .with_state(AppState { store, photos, photo_bytes_per_day: config.photo_bytes_per_day });

    let mut app = Router::new().nest("/api/v1", api);
    if let Some(dir) = &config.static_dir {
        // `fallback`, not `not_found_service`: a deep link must get index.html
        // with 200. `xtask build` writes .br and .gz twins: sent as they are,
        // chosen by Accept-Encoding. A missing *file* (a name with a dot: an
        // old build's wasm, say) is a 404, never index.html: the service
        // worker would otherwise precache the page as the wasm and the app
        // would not start.
        // The desk is a second app under /desk/, with its own page.
        let index = ServeFile::new(dir.join("index.html")).precompressed_br().precompressed_gzip();
        let desk = ServeFile::new(dir.join(DESK_PAGE)).precompressed_br().precompressed_gzip();
        let page_or_404 = move |request: Request| {
            let path = request.uri().path();
            let page = if path == "/desk" || path.starts_with("/desk/") { desk.clone() } else { index.clone() };
            async move {
                let name = request.uri().path().rsplit('/').next().unwrap_or_default();
                if name.contains('.') && name != "index.html" {
                    return axum::http::StatusCode::NOT_FOUND.into_response();
                }
                match tower::ServiceExt::oneshot(page, request).await {
                    Ok(response) => response.into_response(),
                    Err(never) => match never {},
                }
            }
        };
        let spa = ServeDir::new(dir)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(axum::handler::HandlerWithoutStateExt::into_service(page_or_404));
        app = app.fallback_service(spa);
    }

    app = app.layer(axum::middleware::from_fn(cache_control));
    // Inside the header layers, so a preflight it answers itself carries them too.
    if !config.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> =
            config.cors_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
        app = app.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                // Every method and header the PWA, the desk and the photo
                // uploads send, and every header they read of an answer.
                .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    header::IF_MATCH,
                    header::IF_NONE_MATCH,
                    HeaderName::from_static("last-event-id"),
                    HeaderName::from_static("upload-offset"),
                    HeaderName::from_static("upload-length"),
                ])
                .expose_headers([
                    header::ETAG,
                    header::LOCATION,
                    header::RETRY_AFTER,
                    HeaderName::from_static("upload-offset"),
                    REQUEST_ID,
                ]),
        );
    }
    let pages = config.static_dir.iter().flat_map(|dir| [dir.join("index.html"), dir.join(DESK_PAGE)]).collect();
    let csp = security::LiveCsp::new(pages);
    app = app
        .layer(axum::middleware::from_fn_with_state(csp, security::set_csp))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
    // Logs carry the request id, method, route, status and latency; never
    // headers or bodies, so tokens and enrolment codes stay out of them.
    app.layer(
        TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let request_id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", id = %request_id, method = %request.method(), route = %request.uri().path())
        })
        .on_request(())
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros)),
    )
    .layer(PropagateRequestIdLayer::new(REQUEST_ID))
    .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}
