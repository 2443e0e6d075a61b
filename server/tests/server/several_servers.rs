//! Three servers on one PostgreSQL database behave as one server: a report
//! is stored once whichever takes it, an enrolment can be retried on another,
//! a revoked token stops everywhere, a desk hears every server's reports, and
//! photos in the shared bucket are read from any of them.

use crate::common::{postgres, report, TestServer};
use crate::desk_http::{FeedReader, LIVE};
use crate::photos_http::{get_photo, jpeg, sha};
use crate::photos_s3::{upload, S3, SECRET_KEY};
use pantau_core::protocol::Receipt;
use pantau_server::auth::{hash_secret, new_enrolment_code, normalise_code};
use pantau_server::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Three servers sharing the first one's new database.
async fn three_servers(config: Config) -> [TestServer; 3] {
    assert!(postgres().is_some(), "these tests need PANTAU_TEST_POSTGRES (cargo xtask test sets it)");
    let first = TestServer::start_with(config.clone()).await;
    let second = TestServer::start_on(&first.db_path, config.clone()).await;
    let third = TestServer::start_on(&first.db_path, config).await;
    [first, second, third]
}

#[tokio::test]
async fn a_hundred_identical_posts_over_three_servers_store_one_row_with_one_receipt() {
    let servers = three_servers(Config::default()).await;
    let token = servers[0].volunteer("Sari").await;
    let filed = report("serangan fajar di tiga pintu");
    let answers = futures::future::join_all((0..100).map(|n| {
        let server = &servers[n % 3];
        let (token, filed) = (token.clone(), filed.clone());
        async move {
            let response = server.post_report(&token, &filed).await;
            (response.status(), response.json::<Receipt>().await.unwrap())
        }
    }))
    .await;
    let created = answers.iter().filter(|(status, _)| *status == StatusCode::CREATED).count();
    assert_eq!(created, 1, "one creation: {:?}", answers.iter().map(|(s, _)| s.as_u16()).collect::<Vec<_>>());
    assert!(answers.iter().all(|(status, _)| *status == StatusCode::CREATED || *status == StatusCode::OK));
    let receipt = &answers[0].1;
    assert!(answers.iter().all(|(_, r)| r == receipt), "every answer carries the same receipt");
    for server in &servers {
        assert_eq!(server.store.report_count().await.unwrap(), 1);
        assert_eq!(server.store.report(filed.id).await.unwrap(), Some(filed.clone()));
    }
}

#[tokio::test]
async fn an_enrolment_whose_answer_was_lost_is_retried_on_another_server() {
    let [first, second, third] = three_servers(Config::default()).await;
    let code = new_enrolment_code();
    first.store.create_volunteer("Budi", "6471011001-004", &hash_secret(&normalise_code(&code))).await.unwrap();
    let enrol =
        |server: &TestServer, body: Value| server.http.post(server.url("/api/v1/enrolments")).json(&body).send();
    let attempt = "6c1d0a52-2a53-4d6e-9d0f-3c1c2f0f6a11";
    let lost = enrol(&first, json!({ "code": code, "attempt": attempt })).await.unwrap();
    assert_eq!(lost.status(), StatusCode::CREATED);

    let retry = enrol(&second, json!({ "code": code, "attempt": attempt })).await.unwrap();
    assert_eq!(retry.status(), StatusCode::OK);
    let token = retry.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    assert_eq!(third.post_report(&token, &report("dari server ketiga")).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_revoked_token_stops_working_on_every_server_within_the_token_cache_time() {
    let servers = three_servers(Config::default()).await;
    let token = servers[0].volunteer("Sari").await;
    // Each server has seen the token work, so each holds it in its cache.
    for server in &servers {
        assert_eq!(server.post_report(&token, &report("masih berlaku")).await.status(), StatusCode::CREATED);
    }
    let account = servers[0].store.account_by_token(&hash_secret(&token)).await.unwrap().unwrap();
    assert!(servers[0].store.revoke(account.id, account.role).await.unwrap());
    let revoked = std::time::Instant::now();
    let bound = pantau_server::store::TOKEN_CACHE_TTL + std::time::Duration::from_secs(1);
    for server in &servers {
        loop {
            let status = server.post_report(&token, &report("sesudah dicabut")).await.status();
            if status == StatusCode::UNAUTHORIZED {
                break;
            }
            assert_eq!(status, StatusCode::CREATED);
            assert!(revoked.elapsed() < bound, "still accepted {:?} after revocation", revoked.elapsed());
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test]
async fn a_desk_on_one_server_hears_the_reports_the_others_took() {
    let [first, second, third] = three_servers(Config::default()).await;
    let coordinator = first.coordinator_for(Some("647101")).await;
    let mut feed = FeedReader::open(&first, &coordinator, None).await;
    let volunteer = first.volunteer("Sari").await;
    for (n, server) in [&second, &third, &second].into_iter().enumerate() {
        let filed = report(&format!("lewat server lain {n}"));
        assert_eq!(server.post_report(&volunteer, &filed).await.status(), StatusCode::CREATED);
        let (_, item) = feed.next(LIVE).await.expect("the other server's report, live");
        assert_eq!(item["report"]["id"], json!(filed.id));
    }
}

#[tokio::test]
async fn a_photo_uploaded_to_one_server_is_read_from_the_others_through_the_bucket() {
    let s3 = S3::start().await;
    let bucket = pantau_server::photos::bucket("s3://pantau/foto", s3.builder(SECRET_KEY)).await.unwrap();
    let [first, second, third] = three_servers(Config { photo_bucket: Some(bucket), ..Config::default() }).await;
    let token = first.volunteer("Sari").await;
    let bytes = jpeg(150_000, 9);
    let name = sha(&bytes);
    assert_eq!(upload(&first, &token, &name, 0, bytes.len(), &bytes).await, StatusCode::CREATED);
    let mut filed = report("foto amplop");
    filed.photos = vec![pantau_core::evidence::PhotoRef {
        sha256: name.clone(),
        bytes: bytes.len() as u32,
        width: 1600,
        height: 1200,
        item: None,
        taken_at: None,
    }];
    assert_eq!(second.post_report(&token, &filed).await.status(), StatusCode::CREATED, "the photo is known to all");
    let coordinator = third.coordinator().await;
    assert_eq!(get_photo(&third, &coordinator, &name).await, (StatusCode::OK, bytes.clone()));
    assert_eq!(get_photo(&second, &token, &name).await, (StatusCode::OK, bytes));
}

#[tokio::test]
#[ignore = "stops the PostgreSQL every other test uses: cargo xtask test runs it alone, after them"]
async fn a_postgresql_stopped_under_load_makes_the_server_not_ready_then_it_recovers_losing_nothing() {
    let ctl = std::env::var("PANTAU_TEST_POSTGRES_CTL")
        .expect("PANTAU_TEST_POSTGRES_CTL: pg_ctlcluster and the test cluster (cargo xtask test sets it)");
    let cluster = |action: &'static str| {
        let command = format!("{ctl} {action}");
        tokio::task::spawn_blocking(move || {
            let status = std::process::Command::new("sh").args(["-c", &command]).status().unwrap();
            assert!(status.success(), "{command}");
        })
    };
    // Eight phones on one token: this test is not about rates.
    let config = Config { rate_per_second: 100_000, rate_burst: 100_000, ..Config::default() };
    let server = TestServer::start_with(config).await;
    let token = server.volunteer("Sari").await;
    let url = std::sync::Arc::new(std::sync::Mutex::new(server.url("")));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let phones = crate::process::phones_under_load(url, &token, 8, stop.clone());
    let ready = || async { reqwest::get(server.url("/api/v1/ready")).await.unwrap().status() };
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(ready().await, StatusCode::OK);

    cluster("stop -m fast").await.unwrap();
    assert_eq!(ready().await, StatusCode::SERVICE_UNAVAILABLE, "not ready while the database is down");
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    cluster("start").await.unwrap();

    // Recovered by itself: ready again, and reports go on being taken.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while ready().await != StatusCode::OK {
        assert!(std::time::Instant::now() < deadline, "not ready again 15 s after the database came back");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let before = server.store.report_count().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert!(server.store.report_count().await.unwrap() > before, "reports are taken again");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for phone in phones {
        acknowledged.extend(phone.await.unwrap());
    }
    crate::process::every_acknowledged_report_is_kept(&server.url(""), &token, &acknowledged).await;
}
