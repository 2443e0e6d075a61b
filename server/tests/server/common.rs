//! A real pantau-server on a loopback port, with its own database, and the
//! accounts tests need.
//!
//! Every test runs against SQLite, and against PostgreSQL when
//! `PANTAU_TEST_POSTGRES` names a server to make databases on (`cargo xtask
//! test` runs the suite a second time so, in a throw-away cluster).

use pantau_core::{Report, ReportBody, ReportId};
use pantau_server::auth::{hash_secret, new_enrolment_code, normalise_code};
use pantau_server::store::{ReportFilter, Store, StoredReport};
use pantau_server::Config;
use reqwest::StatusCode;
use serde_json::Value;
use std::net::SocketAddr;

/// The PostgreSQL server the suite runs against, if it does (a URL such as
/// `postgres:///postgres`; libpq's variables fill in the rest).
pub fn postgres() -> Option<String> {
    std::env::var("PANTAU_TEST_POSTGRES").ok().filter(|url| !url.is_empty())
}

/// A new, empty database for one test: a SQLite file under `dir`, or a new
/// database on the PostgreSQL server of [`postgres`].
pub async fn fresh_database(dir: &std::path::Path) -> String {
    let Some(server) = postgres() else {
        return dir.join("nested/pantau.db").to_string_lossy().into_owned();
    };
    use sqlx::Connection;
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let name =
        format!("pantau_test_{}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let mut admin = sqlx::PgConnection::connect(&server).await.expect("the test PostgreSQL answers");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    admin.close().await.unwrap();
    let mut url = url::Url::parse(&server).unwrap();
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// Runs `sql` with one text parameter (`$1`) against the database at
/// `database`, behind the server's back, as a hand edit would; returns the
/// rows it changed.
pub async fn execute_behind(database: &str, sql: &str, param: &str) -> u64 {
    use sqlx::Connection;
    if database.starts_with("postgres") {
        let mut db = sqlx::PgConnection::connect(database).await.unwrap();
        sqlx::query(sql).bind(param).execute(&mut db).await.unwrap().rows_affected()
    } else {
        let mut db = sqlx::SqliteConnection::connect(&format!("sqlite:{database}")).await.unwrap();
        sqlx::query(sql).bind(param).execute(&mut db).await.unwrap().rows_affected()
    }
}

pub struct TestServer {
    /// Holds the database's folder until the server is dropped.
    _dir: tempfile::TempDir,
    pub db_path: String,
    pub photos_dir: std::path::PathBuf,
    pub store: Store,
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(Config::default()).await
    }

    pub async fn start_with_faults(faults: pantau_server::faults::Faults) -> TestServer {
        // One phone flushing 10,000 reports would meet the per-token rate limit;
        // these tests are about faults, not rates.
        let config = Config { rate_per_second: 1_000_000, rate_burst: 1_000_000, ..Config::default() };
        TestServer::start_inner(config, Some(faults)).await
    }

    pub async fn start_with(config: Config) -> TestServer {
        TestServer::start_inner(config, None).await
    }

    /// Another server on `database` (one that an earlier server made), as
    /// several processes behind a load balancer share one.
    #[cfg_attr(not(feature = "postgres-tests"), allow(dead_code))]
    pub async fn start_on(database: &str, config: Config) -> TestServer {
        TestServer::start_in(tempfile::tempdir().unwrap(), database.to_owned(), config, None).await
    }

    async fn start_inner(config: Config, faults: Option<pantau_server::faults::Faults>) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let db_path = fresh_database(dir.path()).await;
        TestServer::start_in(dir, db_path, config, faults).await
    }

    async fn start_in(
        dir: tempfile::TempDir,
        db_path: String,
        config: Config,
        faults: Option<pantau_server::faults::Faults>,
    ) -> TestServer {
        let store = Store::open(&db_path).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let photos_dir = config.photos_dir.clone().unwrap_or_else(|| dir.path().join("photos"));
        let config = Config { photos_dir: Some(photos_dir.clone()), ..config };
        let mut app = pantau_server::app(store.clone(), &config);
        if let Some(faults) = faults {
            app = pantau_server::faults::layer(app, faults);
        }
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestServer { _dir: dir, db_path, photos_dir, store, addr, http: reqwest::Client::new(), task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A volunteer enrolled through the API, as the PWA does it, for the TPS
    /// of [`report`]. Returns the token.
    pub async fn volunteer(&self, name: &str) -> String {
        self.volunteer_at(name, "6471011001-004").await
    }

    /// A volunteer enrolled for `tps` (or a scope of TPS).
    pub async fn volunteer_at(&self, name: &str, tps: &str) -> String {
        let code = new_enrolment_code();
        self.store.create_volunteer(name, tps, &hash_secret(&normalise_code(&code))).await.unwrap();
        self.exchange("/api/v1/enrolments", &code).await
    }

    /// The token a one-time code is exchanged for at `path` (enrolment or desk sign-in).
    async fn exchange(&self, path: &str, code: &str) -> String {
        let response = self.http.post(self.url(path)).json(&serde_json::json!({ "code": code })).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    /// A GET's JSON answer, with `token`.
    pub async fn get_json(&self, token: &str, path: &str) -> Value {
        self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap().json().await.unwrap()
    }

    /// A coordinator who sees every TPS, signed in to the desk.
    pub async fn coordinator(&self) -> String {
        self.coordinator_for(None).await
    }

    /// A coordinator who sees the TPS under `scope`, signed in to the desk.
    pub async fn coordinator_for(&self, scope: Option<&str>) -> String {
        let code = new_enrolment_code();
        self.store.create_coordinator("Koordinator", scope, &hash_secret(&normalise_code(&code))).await.unwrap();
        self.exchange("/api/v1/desk/sign-in", &code).await
    }

    pub async fn post_report(&self, token: &str, report: &Report) -> reqwest::Response {
        self.http.post(self.url("/api/v1/reports")).bearer_auth(token).json(report).send().await.unwrap()
    }

    pub async fn post_batch(&self, token: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http.post(self.url("/api/v1/reports/batch")).bearer_auth(token).json(body).send().await.unwrap()
    }

    pub async fn post_raw(&self, token: &str, content_type: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/reports"))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }
}

pub fn report(text: &str) -> Report {
    Report::new(
        ReportId(uuid::Uuid::new_v4()),
        "6471011001-004",
        time::macros::datetime!(2026-02-14 09:30 +08:00),
        ReportBody::Note { text: text.into() },
    )
}

/// The problem document of an error response, checking its content type.
pub async fn problem(response: reqwest::Response) -> Value {
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    response.json().await.unwrap()
}

/// Every stored report in arrival order, read page by page as exports do.
pub async fn every_report(store: &Store, page: i64) -> Vec<StoredReport> {
    use futures_util::TryStreamExt as _;
    let mut pages = std::pin::pin!(store.report_pages(ReportFilter::default(), page));
    let mut all = Vec::new();
    while let Some(page) = pages.try_next().await.unwrap() {
        all.extend(page);
    }
    all
}
