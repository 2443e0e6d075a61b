//! The report endpoint over real HTTP on loopback: every status it promises.

use crate::common::{problem, report, TestServer};
use pantau_core::protocol::Receipt;
use pantau_core::ReportBody;
use pantau_server::Config;
use reqwest::StatusCode;

#[tokio::test]
async fn a_new_report_gets_201_and_a_repeat_gets_200_with_the_same_receipt() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let report = report("KPPS terlambat membuka TPS");

    let response = server.post_report(&token, &report).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let first: Receipt = response.json().await.unwrap();
    assert_eq!(first.id, report.id);

    let response = server.post_report(&token, &report).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Receipt>().await.unwrap(), first);
    assert_eq!(server.store.report_count().await.unwrap(), 1);
    assert_eq!(server.store.report(report.id).await.unwrap(), Some(report));
}

#[tokio::test]
async fn one_hundred_parallel_identical_posts_store_one_row_and_share_one_receipt() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let report = report("dikirim bersamaan");
    let responses = futures::future::join_all((0..100).map(|_| async {
        let response = server.post_report(&token, &report).await;
        (response.status(), response.json::<Receipt>().await.unwrap())
    }))
    .await;
    let created = responses.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    assert_eq!(created, 1, "exactly one request creates the row");
    assert!(responses.iter().all(|(s, _)| *s == StatusCode::CREATED || *s == StatusCode::OK));
    assert!(responses.iter().all(|(_, r)| *r == responses[0].1), "every response carries the same receipt");
    assert_eq!(server.store.report_count().await.unwrap(), 1);
}

#[tokio::test]
async fn sequence_numbers_follow_arrival_order() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let mut seqs = Vec::new();
    for n in 0..3 {
        let response = server.post_report(&token, &report(&format!("laporan {n}"))).await;
        seqs.push(response.json::<Receipt>().await.unwrap().seq);
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
}

#[tokio::test]
async fn the_same_id_with_a_different_body_is_a_409_and_the_original_is_kept() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let original = report("asli");
    server.post_report(&token, &original).await;
    let mut altered = original.clone();
    altered.body = ReportBody::Note { text: "diubah".into() };

    let response = server.post_report(&token, &altered).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(problem(response).await["type"].as_str().unwrap().ends_with("/report-id-conflict"));
    assert_eq!(server.store.report(original.id).await.unwrap(), Some(original));
}

#[tokio::test]
async fn an_invalid_report_is_a_422_naming_each_field() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let mut bad = report(" ");
    bad.tps = "12345".into();
    let response = server.post_report(&token, &bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = problem(response).await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["tps", "body.text"]);
    assert_eq!(problem["errors"][0]["code"], "tps_village_code");
    assert_eq!(server.store.report_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_text_over_the_limit_is_a_422_for_that_field() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let long = report(&"a".repeat(pantau_core::validation::MAX_TEXT_CHARS + 1));
    let response = server.post_report(&token, &long).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(response).await["errors"][0]["code"], "too_long");
}

#[tokio::test]
async fn malformed_json_is_a_400_that_says_what_is_wrong() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let response = server.post_raw(&token, "application/json", r#"{"id": "not-a-uuid"}"#).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(problem(response).await["detail"].as_str().unwrap().contains("UUID"));
    let response = server.post_raw(&token, "application/json", "{not json").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let response = server.post_raw(&token, "text/plain", "halo").await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(problem(response).await["type"].as_str().unwrap().ends_with("/unsupported-media-type"));
}

#[tokio::test]
async fn an_oversized_body_is_a_413_problem() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let huge = format!(r#"{{"pad":"{}"}}"#, "x".repeat(pantau_server::api::MAX_BODY_BYTES));
    let response = server.post_raw(&token, "application/json", huge).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(problem(response).await["type"].as_str().unwrap().ends_with("/payload-too-large"));
}

#[tokio::test]
async fn no_token_an_unknown_token_or_a_coordinator_token_cannot_file_reports() {
    let server = TestServer::start().await;
    let response = server.http.post(server.url("/api/v1/reports")).json(&report("x")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    problem(response).await;
    assert_eq!(server.post_report("pantau_0000", &report("x")).await.status(), StatusCode::UNAUTHORIZED);
    let coordinator = server.coordinator().await;
    assert_eq!(server.post_report(&coordinator, &report("x")).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.store.report_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_token_over_its_rate_gets_429_with_retry_after_and_others_are_unaffected() {
    let server = TestServer::start_with(Config { rate_per_second: 1, rate_burst: 3, ..Config::default() }).await;
    let busy = server.volunteer("Sibuk").await;
    let calm = server.volunteer("Tenang").await;
    let mut statuses = Vec::new();
    let mut limited = None;
    for n in 0..6 {
        let response = server.post_report(&busy, &report(&format!("banyak {n}"))).await;
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS && limited.is_none() {
            limited = Some(response);
        }
    }
    let limited = limited.unwrap_or_else(|| panic!("never limited: {statuses:?}"));
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1, "{retry_after}");
    assert!(problem(limited).await["type"].as_str().unwrap().ends_with("/rate-limited"));
    assert_eq!(server.post_report(&calm, &report("tenang")).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn acknowledged_reports_survive_closing_and_reopening_the_database() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let report = report("tetap ada");
    assert_eq!(server.post_report(&token, &report).await.status(), StatusCode::CREATED);
    server.store.close().await;
    let reopened = pantau_server::store::Store::open(&server.db_path).await.unwrap();
    assert_eq!(reopened.report(report.id).await.unwrap(), Some(report));
}

#[tokio::test]
async fn health_readiness_and_unknown_routes() {
    let server = TestServer::start().await;
    let response = server.http.get(server.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(server.http.get(server.url("/api/v1/ready")).send().await.unwrap().status(), StatusCode::OK);
    let response = server.http.get(server.url("/api/v1/nope")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    problem(response).await;
    let response = server.http.delete(server.url("/api/v1/reports")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    problem(response).await;
}

#[tokio::test]
async fn every_response_carries_security_headers_and_a_request_id() {
    let server = TestServer::start().await;
    let response = server.http.get(server.url("/api/v1/health")).send().await.unwrap();
    let h = response.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("'wasm-unsafe-eval'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-request-id"].to_str().unwrap().len(), 36);
    assert!(h.get("access-control-allow-origin").is_none(), "CORS is off by default");
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let server = TestServer::start_with(Config {
        cors_origins: vec!["https://koordinator.example".into()],
        ..Config::default()
    })
    .await;
    let preflight = |origin: &'static str| {
        server
            .http
            .request(reqwest::Method::OPTIONS, server.url("/api/v1/reports"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let allowed = preflight("https://koordinator.example").await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://koordinator.example");
    // The CORS layer answers a preflight itself: it must still carry the security headers.
    assert!(allowed.headers().contains_key("content-security-policy"), "{:?}", allowed.headers());
    assert_eq!(allowed.headers()["x-content-type-options"], "nosniff");
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());

    // A photo upload's PATCH and a desk's sign-out, with the headers they send.
    for (method, path, headers) in [
        ("PATCH", "/api/v1/photos/00/upload", "authorization,content-type,upload-offset,upload-length"),
        ("DELETE", "/api/v1/desk/session", "authorization"),
        ("POST", "/api/v1/reports/00/review", "authorization,content-type,if-match"),
        ("GET", "/api/v1/desk/events", "authorization,last-event-id"),
    ] {
        let answer = server
            .http
            .request(reqwest::Method::OPTIONS, server.url(path))
            .header("origin", "https://koordinator.example")
            .header("access-control-request-method", method)
            .header("access-control-request-headers", headers)
            .send()
            .await
            .unwrap();
        let allowed = |name: &str| answer.headers()[name].to_str().unwrap().to_ascii_lowercase();
        assert!(allowed("access-control-allow-methods").contains(method.to_ascii_lowercase().as_str()), "{method}");
        for header in headers.split(',') {
            assert!(allowed("access-control-allow-headers").contains(header), "{method} {path}: {header}");
        }
    }
    // What the apps read of an answer is exposed to them.
    let answer = server
        .http
        .get(server.url("/api/v1/health"))
        .header("origin", "https://koordinator.example")
        .send()
        .await
        .unwrap();
    let exposed = answer.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    for header in ["etag", "retry-after", "upload-offset", "location"] {
        assert!(exposed.contains(header), "{exposed}");
    }
}

#[tokio::test]
async fn parallel_posts_of_one_id_with_two_bodies_store_one_and_refuse_the_other() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let a = report("versi A");
    let mut b = a.clone();
    b.body = ReportBody::Note { text: "versi B".into() };
    let responses = futures::future::join_all((0..60).map(|n| {
        let r = if n % 2 == 0 { a.clone() } else { b.clone() };
        let server = &server;
        let token = &token;
        async move {
            let response = server.post_report(token, &r).await;
            let status = response.status();
            (r, status, response.text().await.unwrap())
        }
    }))
    .await;
    let stored = server.store.report(a.id).await.unwrap().expect("one version is stored");
    assert_eq!(server.store.report_count().await.unwrap(), 1);
    let mut receipts = Vec::new();
    for (sent, status, body) in &responses {
        if *sent == stored {
            assert!(*status == StatusCode::CREATED || *status == StatusCode::OK, "{status}");
            receipts.push(serde_json::from_str::<Receipt>(body).unwrap());
        } else {
            assert_eq!(*status, StatusCode::CONFLICT);
        }
    }
    assert_eq!(responses.iter().filter(|(_, s, _)| *s == StatusCode::CREATED).count(), 1);
    assert!(receipts.iter().all(|r| *r == receipts[0]));
}

#[tokio::test]
async fn a_report_for_another_tps_than_the_volunteers_is_refused_naming_it() {
    let server = TestServer::start().await;
    // Enrolled for 6471011001-004 (the helper's TPS).
    let token = server.volunteer("Sari").await;
    let mut elsewhere = report("Laporan untuk TPS lain");
    elsewhere.tps = "6471011001-005".into();
    let response = server.post_report(&token, &elsewhere).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let refused = problem(response).await;
    assert_eq!(refused["type"], "https://pantau.id/problems/tps-outside-scope");
    assert!(refused["detail"].as_str().unwrap().contains("6471011001-005"), "{refused}");
    assert_eq!(server.store.report_count().await.unwrap(), 0);

    // In a batch it is refused alone; its own TPS is stored.
    let batch = serde_json::json!({ "reports": [elsewhere, report("TPS sendiri")] });
    let results: pantau_core::protocol::BatchResults = server.post_batch(&token, &batch).await.json().await.unwrap();
    assert_eq!(results.results[0].status, 403);
    assert_eq!(results.results[1].status, 201);
    assert_eq!(server.store.report_count().await.unwrap(), 1);
}
