//! `POST /api/v1/reports/batch` over real HTTP: each report of a batch gets the
//! answer a single POST would give it, and the batch as a whole fails only for
//! reasons that concern every report.

use crate::common::{problem, report, TestServer};
use pantau_core::protocol::{BatchResults, Receipt};
use pantau_core::ReportBody;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn each_report_of_a_batch_gets_its_own_result_in_order() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let earlier = report("sudah terkirim sendiri");
    let earlier_receipt: Receipt = server.post_report(&token, &earlier).await.json().await.unwrap();
    let mut conflicting = earlier.clone();
    conflicting.body = ReportBody::Note { text: "isi lain dengan id yang sama".into() };
    let fresh = report("laporan baru");
    let mut invalid = report("x");
    invalid.tps = "64710".into();
    let unreadable = json!({ "id": "bukan-uuid", "tps": "6471011001-004" });

    let body = json!({ "reports": [fresh, earlier, invalid, unreadable, conflicting, fresh] });
    let response = server.post_batch(&token, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let results = response.json::<BatchResults>().await.unwrap().results;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![201, 200, 422, 400, 409, 200]);
    assert_eq!(results[0].receipt.as_ref().unwrap().id, fresh.id);
    assert_eq!(results[1].receipt.as_ref(), Some(&earlier_receipt), "a repeat gets the original receipt");
    assert_eq!(results[2].problem.as_ref().unwrap().errors[0].field, "tps");
    assert!(results[3].problem.as_ref().unwrap().detail.as_deref().unwrap().contains("id"), "{:?}", results[3]);
    assert_eq!(results[5].receipt, results[0].receipt, "the same report twice in one batch is stored once");
    assert_eq!(server.store.report_count().await.unwrap(), 2);
    assert_eq!(server.store.report(earlier.id).await.unwrap(), Some(earlier), "the original is kept");
}

#[tokio::test]
async fn a_full_batch_of_long_reports_is_accepted_past_the_single_report_limit() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let reports: Vec<_> = (0..50).map(|n| report(&format!("{n} {}", "panjang ".repeat(600)))).collect();
    let body = json!({ "reports": reports });
    assert!(serde_json::to_vec(&body).unwrap().len() > pantau_server::api::MAX_BODY_BYTES);
    let response = server.post_batch(&token, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let results = response.json::<BatchResults>().await.unwrap().results;
    assert!(results.iter().all(|r| r.status == 201), "{results:?}");
    assert_eq!(server.store.report_count().await.unwrap(), 50);
}

#[tokio::test]
async fn what_concerns_the_whole_batch_refuses_it_and_stores_nothing() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let reports: Vec<_> = (0..51).map(|n| report(&format!("laporan {n}"))).collect();
    let response = server.post_batch(&token, &json!({ "reports": reports })).await;
    // A rule of the operation, not the body's size (which is within its limit).
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let refused = problem(response).await;
    assert_eq!(refused["type"], "https://pantau.id/problems/batch-too-large");
    assert!(refused["detail"].as_str().unwrap().contains("51"));

    let response = server.post_batch(&token, &json!([report("bukan objek")])).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let response = server.post_batch("pantau_0000", &json!({ "reports": [report("x")] })).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let coordinator = server.coordinator().await;
    let response = server.post_batch(&coordinator, &json!({ "reports": [report("x")] })).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.store.report_count().await.unwrap(), 0);

    let response = server.post_batch(&token, &json!({ "reports": [] })).await;
    assert_eq!(response.json::<BatchResults>().await.unwrap().results.len(), 0);
}
