//! The coordinators' desk: signing in with a one-time link, sessions that end,
//! and a scope that limits everything a coordinator sees.

use crate::common::TestServer;
use pantau_server::auth::{hash_secret, new_enrolment_code, new_token, normalise_code};
use pantau_server::store::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_pantau-server");

#[tokio::test]
async fn a_sign_in_link_opens_a_session_once_and_a_lost_answer_can_be_retried() {
    let server = TestServer::start().await;
    let out = Command::new(BIN)
        .args(["coordinator", "add", "--name", "Panwascam Balikpapan Timur", "--scope", "647101"])
        .args(["--base-url", "https://pantau.example", "--database", &server.db_path])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let link = printed.lines().find_map(|l| l.strip_prefix("sign-in link: ")).unwrap();
    let code = link.strip_prefix("https://pantau.example/desk/#masuk=").expect(link);
    assert!(printed.contains("36 hours"), "{printed}");

    let sign_in = |attempt: &str| {
        server.http.post(server.url("/api/v1/desk/sign-in")).json(&json!({ "code": code, "attempt": attempt })).send()
    };
    let first = sign_in("a-secret-made-by-this-browser").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let session: Value = first.json().await.unwrap();
    assert_eq!(session["coordinator"], json!({ "name": "Panwascam Balikpapan Timur", "scope": "647101" }));
    let token = session["token"].as_str().unwrap().to_owned();
    let expires = time::OffsetDateTime::parse(
        session["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let hours = (expires - time::OffsetDateTime::now_utc()).whole_hours();
    assert!((35..=36).contains(&hours), "{hours} h");

    // The answer was lost: the same browser tries again and gets a new token.
    let retry = sign_in("a-secret-made-by-this-browser").await.unwrap();
    assert_eq!(retry.status(), StatusCode::OK);
    let retried: Value = retry.json().await.unwrap();
    assert_ne!(retried["token"], json!(token));
    let reports = |t: String| server.http.get(server.url("/api/v1/reports")).bearer_auth(t).send();
    assert_eq!(reports(retried["token"].as_str().unwrap().into()).await.unwrap().status(), StatusCode::OK);
    assert_eq!(reports(token).await.unwrap().status(), StatusCode::UNAUTHORIZED, "the replaced token");
    // Anyone else with the code: it is used.
    assert_eq!(sign_in("another-browser-secret-123").await.unwrap().status(), StatusCode::NOT_FOUND);
    // A volunteer's enrolment code does not open the desk.
    let volunteer_code = new_enrolment_code();
    server
        .store
        .create_volunteer("Sari", "6471011001-003", &hash_secret(&normalise_code(&volunteer_code)))
        .await
        .unwrap();
    let desk = server.http.post(server.url("/api/v1/desk/sign-in")).json(&json!({ "code": volunteer_code })).send();
    assert_eq!(desk.await.unwrap().status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_ended_session_is_refused_saying_so_and_a_new_link_opens_another() {
    let server = TestServer::start().await;
    let code = new_enrolment_code();
    let id = server.store.create_coordinator("Koordinator", None, &hash_secret(&normalise_code(&code))).await.unwrap();
    let token = new_token();
    let ended = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    server
        .store
        .enrol(Role::Coordinator, &hash_secret(&normalise_code(&code)), None, &hash_secret(&token), Some(ended))
        .await
        .unwrap()
        .unwrap();
    let answer = server.http.get(server.url("/api/v1/reports")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let problem: Value = answer.json().await.unwrap();
    assert_eq!(problem["type"], "https://pantau.id/problems/token-expired");

    let out = Command::new(BIN)
        .args(["coordinator", "link", &id.to_string(), "--database", &server.db_path])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let code = printed.lines().find_map(|l| l.strip_prefix("sign-in code: ")).unwrap();
    let again =
        server.http.post(server.url("/api/v1/desk/sign-in")).json(&json!({ "code": code })).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    // A revoked coordinator gets no new link.
    server.store.revoke(id, Role::Coordinator).await.unwrap();
    let out = Command::new(BIN)
        .args(["coordinator", "link", &id.to_string(), "--database", &server.db_path])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// Files `n` notes for TPS `tps` (number 1 to n) through the batch endpoint.
async fn reports_at(server: &TestServer, village: &str, n: usize) -> Vec<pantau_core::Report> {
    let token = server.volunteer_at("Relawan", &village[..10]).await;
    let reports: Vec<pantau_core::Report> = (1..=n)
        .map(|i| {
            let mut r = crate::common::report(&format!("laporan {i}"));
            r.tps = format!("{village}-{:03}", i % 999 + 1);
            r
        })
        .collect();
    for chunk in reports.chunks(50) {
        let answer = server.post_batch(&token, &json!({ "reports": chunk })).await;
        assert_eq!(answer.status(), StatusCode::OK);
    }
    reports
}

#[tokio::test]
async fn a_kecamatan_coordinator_gets_nothing_of_another_kecamatan_in_1000_tries_only_what_a_missing_report_gets() {
    let server = TestServer::start().await;
    // Two villages of two kecamatans; the coordinator sees 647101 only.
    let inside = reports_at(&server, "6471011001", 20).await;
    let outside = reports_at(&server, "6471021002", 250).await;
    let token = server.coordinator_for(Some("647101")).await;
    let get = |path: String| server.http.get(server.url(&path)).bearer_auth(&token).send();
    let answer = |path: String| async move {
        let response = get(path).await.unwrap();
        (response.status(), response.text().await.unwrap())
    };

    // What a report or TPS that does not exist gets, to compare with.
    let missing_receipt = answer(format!("/api/v1/reports/{}/receipt", uuid::Uuid::new_v4())).await;
    assert_eq!(missing_receipt.0, StatusCode::NOT_FOUND);
    let missing_list = answer("/api/v1/reports?tps=6471029999-001".into()).await;
    let missing_csv = answer("/api/v1/reports.csv?tps=6471029999-001".into()).await;
    assert_eq!(missing_list, (StatusCode::OK, r#"{"reports":[]}"#.into()));

    let mut attempts = 0;
    for report in &outside {
        let id = report.id;
        assert_eq!(answer(format!("/api/v1/reports/{id}/receipt")).await, missing_receipt, "receipt of {id}");
        assert_eq!(answer(format!("/api/v1/reports?tps={}", report.tps)).await, missing_list);
        assert_eq!(answer(format!("/api/v1/reports.csv?tps={}", report.tps)).await, missing_csv);
        assert_eq!(answer(format!("/api/v1/reports?tps={}&kind=note", report.tps)).await, missing_list);
        attempts += 4;
    }
    assert_eq!(attempts, 1000);

    // Unfiltered, the list and the export hold exactly the coordinator's scope.
    let (status, body) = answer("/api/v1/reports?limit=1000".into()).await;
    assert_eq!(status, StatusCode::OK);
    let listed: Value = serde_json::from_str(&body).unwrap();
    let ids: std::collections::BTreeSet<String> =
        listed["reports"].as_array().unwrap().iter().map(|r| r["report"]["id"].as_str().unwrap().to_owned()).collect();
    let expected: std::collections::BTreeSet<String> = inside.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(ids, expected);
    let (_, csv) = answer("/api/v1/reports.csv".into()).await;
    assert_eq!(csv.lines().count(), 1 + inside.len(), "header and the 20 inside");
    assert!(outside.iter().all(|r| !csv.contains(&r.id.to_string())));
    // A receipt inside the scope is there.
    assert_eq!(answer(format!("/api/v1/reports/{}/receipt", inside[0].id)).await.0, StatusCode::OK);
    // A coordinator of every TPS sees all 270.
    let everyone = server.coordinator().await;
    let all: Value = server
        .http
        .get(server.url("/api/v1/reports?limit=1000"))
        .bearer_auth(&everyone)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["reports"].as_array().unwrap().len(), 270);
}
