//! Enrolment, tokens, and who may read what, over real HTTP on loopback.

use crate::common::{problem, report, TestServer};
use pantau_core::protocol::Receipt;
use pantau_core::Report;
use pantau_server::auth::{hash_secret, new_enrolment_code, normalise_code};
use pantau_server::store::Role;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn an_enrolment_code_works_once_whatever_its_case_and_gives_the_profile() {
    let server = TestServer::start().await;
    let code = new_enrolment_code();
    server.store.create_volunteer("Budi", "6471011001-009", &hash_secret(&normalise_code(&code))).await.unwrap();
    let enrol = |code: String| {
        server.http.post(server.url("/api/v1/enrolments")).json(&serde_json::json!({ "code": code })).send()
    };

    let typed = code.to_lowercase().replace('-', " ");
    let response = enrol(typed).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["volunteer"]["name"], "Budi");
    assert_eq!(body["volunteer"]["tps"], "6471011001-009");
    assert!(body["token"].as_str().unwrap().starts_with("pantau_"));

    let again = enrol(code).await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert!(problem(again).await["type"].as_str().unwrap().ends_with("/unknown-enrolment-code"));
}

#[tokio::test]
async fn a_phone_whose_enrolment_answer_was_lost_gets_a_new_token_by_trying_again() {
    let server = TestServer::start().await;
    let code = new_enrolment_code();
    server.store.create_volunteer("Budi", "6471011001-004", &hash_secret(&normalise_code(&code))).await.unwrap();
    let enrol = |body: Value| server.http.post(server.url("/api/v1/enrolments")).json(&body).send();
    let attempt = "0b6f3c52-2a53-4d6e-9d0f-3c1c2f0f6a11";

    // The first try uses the code; its answer never reaches the phone.
    let lost = enrol(serde_json::json!({ "code": code, "attempt": attempt })).await.unwrap();
    assert_eq!(lost.status(), StatusCode::CREATED);
    let never_received = lost.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();

    // Someone else with the code alone, or with another secret, gets nothing.
    assert_eq!(enrol(serde_json::json!({ "code": code })).await.unwrap().status(), StatusCode::NOT_FOUND);
    let other = serde_json::json!({ "code": code, "attempt": "ffffffff-2a53-4d6e-9d0f-3c1c2f0f6a11" });
    assert_eq!(enrol(other).await.unwrap().status(), StatusCode::NOT_FOUND);
    let short = enrol(serde_json::json!({ "code": code, "attempt": "123" })).await.unwrap();
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    assert!(problem(short).await["detail"].as_str().unwrap().contains("attempt"));

    // The same phone trying again (the code typed another way) gets a new token that works.
    let typed = code.to_lowercase().replace('-', " ");
    let retry = enrol(serde_json::json!({ "code": typed, "attempt": attempt })).await.unwrap();
    assert_eq!(retry.status(), StatusCode::OK);
    let body: Value = retry.json().await.unwrap();
    assert_eq!(body["volunteer"]["name"], "Budi");
    let token = body["token"].as_str().unwrap().to_owned();
    assert_ne!(token, never_received);
    assert_eq!(server.post_report(&token, &report("sesudah mendaftar ulang")).await.status(), StatusCode::CREATED);
    // The token that never arrived no longer works.
    assert_eq!(server.post_report(&never_received, &report("x")).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_revoked_token_gets_401_and_its_reports_are_kept() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let kept = report("sebelum dicabut");
    assert_eq!(server.post_report(&token, &kept).await.status(), StatusCode::CREATED);
    let account = server.store.account_by_token(&hash_secret(&token)).await.unwrap().unwrap();
    assert!(server.store.revoke(account.id, Role::Volunteer).await.unwrap());

    let response = server.post_report(&token, &report("sesudah dicabut")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(problem(response).await["detail"], "unknown or revoked token");
    assert_eq!(server.store.report(kept.id).await.unwrap(), Some(kept));
}

#[tokio::test]
async fn a_volunteer_reads_only_their_own_receipts() {
    let server = TestServer::start().await;
    let sari = server.volunteer("Sari").await;
    let budi = server.volunteer("Budi").await;
    let hers = report("laporan Sari");
    let receipt: Receipt = server.post_report(&sari, &hers).await.json().await.unwrap();

    let read = |token: &str, report: &Report| {
        server
            .http
            .get(server.url(&format!("/api/v1/reports/{}/receipt", report.id)))
            .bearer_auth(token.to_owned())
            .send()
    };
    let own = read(&sari, &hers).await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(own.json::<Receipt>().await.unwrap(), receipt);

    // Another volunteer gets the same 404 as for a report that does not exist.
    let other = read(&budi, &hers).await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let missing = read(&budi, &report("tidak ada")).await.unwrap();
    assert_eq!(other_detail(other).await, other_detail(missing).await);

    // Posting someone else's report id never returns their receipt.
    let response = server.post_report(&budi, &hers).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body = response.text().await.unwrap();
    assert!(!body.contains("received_at"), "a 409 must not carry the other volunteer's receipt: {body}");

    // Nor may a volunteer list reports.
    let list = server.http.get(server.url("/api/v1/reports")).bearer_auth(&budi).send().await.unwrap();
    assert_eq!(list.status(), StatusCode::FORBIDDEN);
}

async fn other_detail(response: reqwest::Response) -> Value {
    problem(response).await["detail"].clone()
}

#[tokio::test]
async fn coordinators_list_every_report_with_filters_and_pages() {
    let server = TestServer::start().await;
    let sari = server.volunteer("Sari").await;
    let rina = server.volunteer_at("Rina", "6471011001-010").await;
    let coordinator = server.coordinator().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let mut r = report(&format!("laporan {n}"));
        if n == 4 {
            r.tps = "6471011001-010".into();
        }
        server.post_report(if n == 4 { &rina } else { &sari }, &r).await;
        ids.push(r.id.to_string());
    }
    let list =
        |query: &str| server.http.get(server.url(&format!("/api/v1/reports{query}"))).bearer_auth(&coordinator).send();

    let page1: Value = list("?limit=2").await.unwrap().json().await.unwrap();
    assert_eq!(page1["reports"].as_array().unwrap().len(), 2);
    assert_eq!(page1["reports"][0]["volunteer"]["name"], "Sari");
    let after = page1["next_after"].as_i64().unwrap();
    let page2: Value = list(&format!("?limit=2&after={after}")).await.unwrap().json().await.unwrap();
    let page3: Value = list(&format!("?limit=2&after={}", page2["next_after"])).await.unwrap().json().await.unwrap();
    assert!(page3.get("next_after").is_none());
    let seen: Vec<String> = [&page1, &page2, &page3]
        .iter()
        .flat_map(|p| p["reports"].as_array().unwrap().iter().map(|r| r["report"]["id"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(seen, ids, "every report once, in arrival order");

    let by_tps: Value = list("?tps=6471011001-010").await.unwrap().json().await.unwrap();
    assert_eq!(by_tps["reports"].as_array().unwrap().len(), 1);
    let by_kind: Value = list("?kind=note").await.unwrap().json().await.unwrap();
    assert_eq!(by_kind["reports"].as_array().unwrap().len(), 5);
    let future: Value = list("?since=2999-01-01T00:00:00Z").await.unwrap().json().await.unwrap();
    assert_eq!(future["reports"].as_array().unwrap().len(), 0);
    let past: Value = list("?since=2000-01-01T00:00:00%2B07:00").await.unwrap().json().await.unwrap();
    assert_eq!(past["reports"].as_array().unwrap().len(), 5);

    let bad = list("?since=kemarin").await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(problem(bad).await["detail"].as_str().unwrap().contains("since"));
    assert_eq!(list("?limit=0").await.unwrap().status(), StatusCode::BAD_REQUEST);

    // A TPS typed the short way finds the same reports.
    let short: Value = list("?tps=6471011001-10").await.unwrap().json().await.unwrap();
    assert_eq!(short["reports"], by_tps["reports"]);
    // A filter no report can match, or a misspelt one, is refused by name, never ignored.
    for (query, named) in [
        ("?kind=incidents", "kind"),
        ("?category=politik_uang", "category"),
        ("?tps=64710", "tps"),
        ("?kinds=incident", "kinds"),
    ] {
        let refused = list(query).await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{query}");
        let detail = problem(refused).await["detail"].as_str().unwrap_or_default().to_owned();
        assert!(detail.contains(named), "{query}: {detail}");
    }
}

#[tokio::test]
async fn coordinators_export_csv_with_formulas_defused() {
    let server = TestServer::start().await;
    let sari = server.volunteer("Sari").await;
    let coordinator = server.coordinator().await;
    server.post_report(&sari, &report("=HYPERLINK(\"http://x\")")).await;
    server.post_report(&sari, &report("Antrean, \"panjang\"\nbaris dua")).await;

    let response = server.http.get(server.url("/api/v1/reports.csv")).bearer_auth(&coordinator).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][column("summary")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&rows[1][column("summary")], "Antrean, \"panjang\"\nbaris dua");
    assert_eq!(&rows[1][column("volunteer_name")], "Sari");
    assert_eq!(&rows[1][column("village")], "Manggar", "the TPS's place, from the shipped names");
    assert_eq!(&rows[1][column("kind")], "note");
    assert!(rows[1][column("body_json")].contains("baris dua"));

    let anonymous = server.http.get(server.url("/api/v1/reports.csv")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_its_example_is_a_valid_report() {
    let server = TestServer::start().await;
    let doc: Value = server.http.get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/reports",
        "/api/v1/reports.csv",
        "/api/v1/reports/{id}/receipt",
        "/api/v1/enrolments",
        "/api/v1/health",
        "/api/v1/ready",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    let post = &doc["paths"]["/api/v1/reports"]["post"];
    for status in ["200", "201", "400", "401", "409", "413", "415", "422", "429"] {
        assert!(post["responses"].get(status).is_some(), "POST /reports lacks {status}");
    }
    let example = post["requestBody"]["content"]["application/json"]["example"].clone();
    let report: Report = serde_json::from_value(example).expect("the example parses as a Report");
    assert_eq!(report.validate(), Ok(()));
    assert!(doc["components"]["schemas"].get("Report").is_some());
    assert!(doc["components"]["securitySchemes"].get("bearer").is_some());

    // And a client author who copies it gets a 201.
    let token = server.volunteer_at("Penulis Klien", &report.tps).await;
    assert_eq!(server.post_report(&token, &report).await.status(), StatusCode::CREATED);
}
