//! Input that once crashed or confused the server: times RFC 3339 allows but
//! UTC cannot hold, a stored row that no longer reads, and a panic while a
//! batch is being stored. Each must cost only its own request (or report),
//! never the reports filed after it.

use crate::common::{problem, report, TestServer};
use pantau_core::protocol::BatchResults;
use pantau_core::ReportBody;
use reqwest::StatusCode;
use serde_json::json;

/// A report's JSON with `created_at` replaced by a literal RFC 3339 string.
fn with_created_at(report: &pantau_core::Report, created_at: &str) -> serde_json::Value {
    let mut value = serde_json::to_value(report).unwrap();
    value["created_at"] = json!(created_at);
    value
}

#[tokio::test]
async fn a_time_with_no_utc_value_is_a_422_and_the_next_report_is_stored() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    // 23:59:59 at -00:01 on the last day of 9999 is after the last UTC instant.
    let odd = with_created_at(&report("jam ponsel aneh"), "9999-12-31T23:59:59-00:01");
    let response = server.post_raw(&token, "application/json", odd.to_string()).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = problem(response).await;
    assert_eq!(problem["errors"][0]["field"], "created_at");
    assert_eq!(problem["errors"][0]["code"], "out_of_range");

    let next = report("laporan berikutnya");
    assert_eq!(server.post_report(&token, &next).await.status(), StatusCode::CREATED);
    assert_eq!(server.store.report(next.id).await.unwrap(), Some(next));
}

#[tokio::test]
async fn an_incident_at_the_end_of_time_is_refused_alone_in_its_batch() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let mut incident = report("x");
    incident.body = ReportBody::Incident {
        category: pantau_core::IncidentCategory::VoteBuying,
        occurred_at: time::macros::datetime!(2026-02-14 09:00 +08:00),
        place: "depan TPS".into(),
        description: "amplop dibagikan".into(),
        reported_party: String::new(),
        witnesses: String::new(),
        urgent: false,
    };
    // Adding the allowed clock skew to this time overflowed and dropped the connection.
    let late = with_created_at(&incident, "9999-12-31T23:50:00Z");
    let fine = report("laporan biasa");
    let response = server.post_batch(&token, &json!({ "reports": [late, fine] })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let results = response.json::<BatchResults>().await.unwrap().results;
    assert_eq!(results.iter().map(|r| r.status).collect::<Vec<_>>(), vec![422, 201]);
    assert_eq!(results[0].problem.as_ref().unwrap().errors[0].field, "created_at");
    assert_eq!(server.store.report_count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_since_with_no_utc_value_is_a_400_naming_it() {
    let server = TestServer::start().await;
    let coordinator = server.coordinator().await;
    let response = server
        .http
        .get(server.url("/api/v1/reports?since=9999-12-31T23:59:59-01:00"))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let detail = problem(response).await["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("since") && detail.contains("out of range"), "{detail}");
}

#[tokio::test]
async fn a_rejection_by_axum_keeps_its_own_words() {
    let server = TestServer::start().await;
    let coordinator = server.coordinator().await;
    let response =
        server.http.get(server.url("/api/v1/reports?limit=1&limit=2")).bearer_auth(&coordinator).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let detail = problem(response).await["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("limit"), "{detail}");
}

#[tokio::test]
async fn a_panic_while_storing_fails_that_report_and_the_writer_goes_on() {
    let server = TestServer::start().await;
    server.volunteer("Sari").await;
    // Straight to the store, past validation: formatting this time panics.
    let mut unvalidated = report("tidak divalidasi");
    unvalidated.created_at =
        time::OffsetDateTime::parse("9999-12-31T23:59:59-00:01", &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert!(server.store.store_report(1, &unvalidated).await.is_err());
    let next = report("sesudahnya");
    let stored = server.store.store_report(1, &next).await;
    assert!(matches!(stored, Ok(pantau_server::store::Stored::Created(_))), "{stored:?}");
    assert_eq!(server.store.report(next.id).await.unwrap(), Some(next));
}

#[tokio::test]
async fn an_unreadable_stored_row_fails_only_the_reports_with_its_id() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let damaged = report("baris rusak");
    assert_eq!(server.post_report(&token, &damaged).await.status(), StatusCode::CREATED);
    // Rows are never updated by the server; a hand edit or a bug could do it.
    let sql = "UPDATE reports SET received_at = 'garbage' WHERE id = $1";
    assert_eq!(crate::common::execute_behind(&server.db_path, sql, &damaged.id.to_string()).await, 1);

    let fresh = report("laporan baru");
    let response = server.post_batch(&token, &json!({ "reports": [damaged, fresh] })).await;
    let results = response.json::<BatchResults>().await.unwrap().results;
    assert_eq!(results.iter().map(|r| r.status).collect::<Vec<_>>(), vec![500, 201]);
    assert_eq!(server.store.report(fresh.id).await.unwrap(), Some(fresh));
}

#[tokio::test]
async fn a_repeat_of_a_report_stored_under_older_rules_gets_its_original_receipt() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let volunteer = server.store.account_by_token(&pantau_server::auth::hash_secret(&token)).await.unwrap().unwrap();
    // Stored when the rules allowed it (here: straight into the store); the
    // answer was lost, and today's validation refuses it.
    let mut older = report("x");
    older.tps = "64710".into();
    let pantau_server::store::Stored::Created(original) =
        server.store.store_report(volunteer.id, &older).await.unwrap()
    else {
        panic!("stored")
    };
    let response = server.post_report(&token, &older).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<pantau_core::Receipt>().await.unwrap(), original);
    let batch = server.post_batch(&token, &json!({ "reports": [older] })).await;
    let results = batch.json::<BatchResults>().await.unwrap().results;
    assert_eq!((results[0].status, results[0].receipt.as_ref()), (200, Some(&original)));

    // Anything else that breaks today's rules is still refused.
    let mut other = report("y");
    other.tps = "64710".into();
    assert_eq!(server.post_report(&token, &other).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut changed = older.clone();
    changed.body = pantau_core::ReportBody::Note { text: "diubah".into() };
    assert_eq!(server.post_report(&token, &changed).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
