//! The API tested through the router without a socket (axum's testing pattern),
//! against a real SQLite file.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use pantau_core::protocol::{Problem, Receipt};
use pantau_core::{Report, ReportBody, ReportId};
use pantau_server::store::Store;
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

struct TestServer {
    _dir: tempfile::TempDir,
    db_path: String,
    store: Store,
}

impl TestServer {
    async fn new() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("nested/pantau.db").to_string_lossy().into_owned();
        let store = Store::open(&db_path).await.unwrap();
        TestServer { _dir: dir, db_path, store }
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, String, String) {
        let response = pantau_server::app(self.store.clone(), None).oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, content_type, String::from_utf8(body.to_vec()).unwrap())
    }

    async fn post_json(&self, body: &str) -> (StatusCode, String, String) {
        self.send(
            Request::post("/api/v1/reports")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_owned()))
                .unwrap(),
        )
        .await
    }
}

fn report(text: &str) -> Report {
    Report::new(
        ReportId(Uuid::new_v4()),
        "6471011001-004",
        time::macros::datetime!(2026-02-14 09:30 +08:00),
        ReportBody::Note { text: text.into() },
    )
}

#[tokio::test]
async fn a_new_report_gets_201_and_a_repeat_gets_200_with_the_same_receipt() {
    let server = TestServer::new().await;
    let report = report("KPPS terlambat membuka TPS");
    let json = serde_json::to_string(&report).unwrap();

    let (status, _, body) = server.post_json(&json).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let first: Receipt = serde_json::from_str(&body).unwrap();
    assert_eq!(first.id, report.id);

    let (status, _, body) = server.post_json(&json).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(serde_json::from_str::<Receipt>(&body).unwrap(), first);

    assert_eq!(server.store.report_count().await.unwrap(), 1);
    assert_eq!(server.store.report(report.id).await.unwrap(), Some(report));
}

#[tokio::test]
async fn sequence_numbers_follow_arrival_order() {
    let server = TestServer::new().await;
    let mut seqs = Vec::new();
    for n in 0..3 {
        let (_, _, body) = server.post_json(&serde_json::to_string(&report(&format!("laporan {n}"))).unwrap()).await;
        seqs.push(serde_json::from_str::<Receipt>(&body).unwrap().seq);
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
}

#[tokio::test]
async fn the_same_id_with_a_different_body_is_a_409_and_the_original_is_kept() {
    let server = TestServer::new().await;
    let original = report("asli");
    server.post_json(&serde_json::to_string(&original).unwrap()).await;
    let mut altered = original.clone();
    altered.body = ReportBody::Note { text: "diubah".into() };

    let (status, content_type, body) = server.post_json(&serde_json::to_string(&altered).unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(content_type, "application/problem+json");
    let problem: Problem = serde_json::from_str(&body).unwrap();
    assert!(problem.kind.ends_with("/report-id-conflict"), "{body}");
    assert_eq!(server.store.report(original.id).await.unwrap(), Some(original));
}

#[tokio::test]
async fn an_invalid_report_is_a_422_naming_each_field() {
    let server = TestServer::new().await;
    let mut bad = report(" ");
    bad.tps = "12345".into();
    let (status, content_type, body) = server.post_json(&serde_json::to_string(&bad).unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/problem+json");
    let problem: Value = serde_json::from_str(&body).unwrap();
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["tps", "body.text"]);
    assert_eq!(server.store.report_count().await.unwrap(), 0);
}

#[tokio::test]
async fn malformed_json_is_a_400_that_says_what_is_wrong() {
    let server = TestServer::new().await;
    let (status, _, body) = server.post_json(r#"{"id": "not-a-uuid"}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let problem: Problem = serde_json::from_str(&body).unwrap();
    assert!(problem.detail.unwrap().contains("UUID"), "{body}");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415() {
    let server = TestServer::new().await;
    let (status, _, _) = server
        .send(Request::post("/api/v1/reports").header(header::CONTENT_TYPE, "text/plain").body(Body::from("hi")).unwrap())
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn an_oversized_body_is_a_413() {
    let server = TestServer::new().await;
    let huge = format!(r#"{{"pad":"{}"}}"#, "x".repeat(pantau_server::api::MAX_BODY_BYTES));
    let (status, _, _) = server.post_json(&huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn acknowledged_reports_survive_closing_and_reopening_the_database() {
    let server = TestServer::new().await;
    let report = report("tetap ada");
    let (status, _, _) = server.post_json(&serde_json::to_string(&report).unwrap()).await;
    assert_eq!(status, StatusCode::CREATED);
    server.store.close().await;

    let reopened = Store::open(&server.db_path).await.unwrap();
    assert_eq!(reopened.report(report.id).await.unwrap(), Some(report));
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let server = TestServer::new().await;
    let (status, _, body) = server.send(Request::get("/api/v1/health").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    let (status, _, _) = server.send(Request::get("/api/v1/ready").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, content_type, _) = server.send(Request::get("/api/v1/nope").body(Body::empty()).unwrap()).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::NOT_FOUND, "application/problem+json"));
}

#[tokio::test]
async fn the_pwa_is_served_and_deep_links_get_its_index_page() {
    let server = TestServer::new().await;
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!DOCTYPE html><title>Pantau</title>").unwrap();
    std::fs::write(dist.path().join("app.js"), "console.log(1)").unwrap();
    let app = || pantau_server::app(server.store.clone(), Some(dist.path()));

    for (path, expected) in [("/", "<title>Pantau</title>"), ("/kotak-keluar", "<title>Pantau</title>"), ("/app.js", "console.log")] {
        let response = app().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert!(String::from_utf8_lossy(&body).contains(expected), "{path}");
    }
    // The API keeps its own 404s rather than answering with the page.
    let response = app().oneshot(Request::get("/api/v1/nope").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
