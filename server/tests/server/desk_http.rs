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
async fn a_kecamatan_coordinator_gets_nothing_of_another_kecamatan_in_1200_tries_only_what_a_missing_report_gets() {
    // More requests than one token's burst: the rate limit is not under test here.
    let config = pantau_server::Config { rate_burst: 10_000, ..pantau_server::Config::default() };
    let server = TestServer::start_with(config).await;
    // Two villages of two kecamatans; the coordinator sees 647101 only.
    let inside = reports_at(&server, "6471011001", 20).await;
    let outside = reports_at(&server, "6471021002", 200).await;
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
    let missing_review = answer(format!("/api/v1/reports/{}/review", uuid::Uuid::new_v4())).await;
    let missing_report = answer(format!("/api/v1/reports/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(missing_report.0, StatusCode::NOT_FOUND);
    let change = |id: String| {
        server
            .http
            .post(server.url(&format!("/api/v1/reports/{id}/review")))
            .bearer_auth(&token)
            .header("If-Match", "\"v0\"")
            .json(&json!({ "to": "verified" }))
            .send()
    };
    let missing_change = change(uuid::Uuid::new_v4().to_string()).await.unwrap();
    let missing_change = (missing_change.status(), missing_change.text().await.unwrap());
    assert_eq!(missing_change.0, StatusCode::NOT_FOUND);
    assert_eq!(missing_list, (StatusCode::OK, r#"{"reports":[]}"#.into()));

    let mut attempts = 0;
    for report in &outside {
        let id = report.id;
        assert_eq!(answer(format!("/api/v1/reports/{id}/receipt")).await, missing_receipt, "receipt of {id}");
        assert_eq!(answer(format!("/api/v1/reports?tps={}", report.tps)).await, missing_list);
        assert_eq!(answer(format!("/api/v1/reports.csv?tps={}", report.tps)).await, missing_csv);
        assert_eq!(answer(format!("/api/v1/reports/{id}/review")).await, missing_review);
        assert_eq!(answer(format!("/api/v1/reports/{id}")).await, missing_report, "report {id}");
        let changed = change(id.to_string()).await.unwrap();
        assert_eq!((changed.status(), changed.text().await.unwrap()), missing_change, "review change of {id}");
        attempts += 6;
    }
    assert_eq!(attempts, 1200);
    // Not one of the refused changes was stored (the outside reports are seq 21 to 220).
    for seq in 21..=220 {
        assert_eq!(server.store.review(seq).await.unwrap().version, 0, "seq {seq}");
    }

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
    // A receipt and a report inside the scope are there.
    assert_eq!(answer(format!("/api/v1/reports/{}/receipt", inside[0].id)).await.0, StatusCode::OK);
    let one = server.get_json(&token, &format!("/api/v1/reports/{}", inside[3].id)).await;
    assert_eq!(one["report"]["id"], inside[3].id.to_string());
    assert_eq!(one["review"], "new");
    // A coordinator of every TPS sees all 220.
    let everyone = server.coordinator().await;
    let all = server.get_json(&everyone, "/api/v1/reports?limit=1000").await;
    assert_eq!(all["reports"].as_array().unwrap().len(), 220);
}

/// A coordinator's review change of report `id`, based on `version`.
async fn change(server: &TestServer, token: &str, id: &str, version: Option<&str>, body: Value) -> reqwest::Response {
    let mut request =
        server.http.post(server.url(&format!("/api/v1/reports/{id}/review"))).bearer_auth(token).json(&body);
    if let Some(version) = version {
        request = request.header("If-Match", version);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_review_moves_by_appended_events_and_a_stale_change_gets_409_with_the_current_state() {
    let server = TestServer::start().await;
    let id = reports_at(&server, "6471011001", 1).await[0].id.to_string();
    let sari = server.coordinator_for(Some("6471")).await;
    let budi = server.coordinator_for(Some("647101")).await;

    let review =
        server.http.get(server.url(&format!("/api/v1/reports/{id}/review"))).bearer_auth(&sari).send().await.unwrap();
    assert_eq!(review.headers()["etag"], "\"v0\"");
    assert_eq!(review.json::<Value>().await.unwrap(), json!({ "state": "new", "version": 0, "history": [] }));

    // Both opened it at v0; Sari takes it up first.
    let taken = change(&server, &sari, &id, Some("\"v0\""), json!({ "to": "in_review" })).await;
    assert_eq!(taken.status(), StatusCode::CREATED);
    assert_eq!(taken.headers()["etag"], "\"v1\"");
    let stale =
        change(&server, &budi, &id, Some("\"v0\""), json!({ "to": "not_substantiated", "note": "tidak ada saksi" }))
            .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let problem = crate::common::problem(stale).await;
    assert_eq!(problem["type"], "https://pantau.id/problems/review-conflict");
    assert_eq!(problem["detail"], "the review is now in_review (version 1, \"v1\" by Koordinator)");

    let note = "=HYPERLINK(\"http://x\") dua saksi membenarkan";
    let verified = change(&server, &budi, &id, Some("\"v1\""), json!({ "to": "verified", "note": note })).await;
    assert_eq!(verified.status(), StatusCode::CREATED);
    let again = change(&server, &sari, &id, Some("\"v2\""), json!({ "to": "verified" })).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "already verified, and nothing added");
    let forwarded = change(
        &server,
        &sari,
        &id,
        Some("\"v2\""),
        json!({ "to": "forwarded", "reference": "001/PL/PP/Kota/23.04/II/2024" }),
    )
    .await;
    let review: Value = forwarded.json().await.unwrap();
    assert_eq!((review["state"].as_str(), review["version"].as_u64()), (Some("forwarded"), Some(3)));
    let history = review["history"].as_array().unwrap();
    let steps: Vec<(&str, &str)> =
        history.iter().map(|e| (e["from"].as_str().unwrap(), e["to"].as_str().unwrap())).collect();
    assert_eq!(steps, [("new", "in_review"), ("in_review", "verified"), ("verified", "forwarded")]);
    assert_eq!(history[1]["note"], note, "kept as the text it is");
    assert_eq!(history[2]["reference"], "001/PL/PP/Kota/23.04/II/2024");
}

#[tokio::test]
async fn a_review_change_without_if_match_or_with_a_bad_one_is_refused_and_naming_what_is_wrong() {
    let server = TestServer::start().await;
    let id = reports_at(&server, "6471011001", 1).await[0].id.to_string();
    let token = server.coordinator().await;
    let no_version = change(&server, &token, &id, None, json!({ "to": "verified" })).await;
    assert_eq!(
        crate::common::problem(no_version).await["detail"],
        "If-Match: required, the review's ETag this change is based on, e.g. \"v0\" for a new report"
    );
    let garbled = change(&server, &token, &id, Some("v0"), json!({ "to": "verified" })).await;
    assert_eq!(garbled.status(), StatusCode::BAD_REQUEST);
    let unreferenced = change(&server, &token, &id, Some("\"v0\""), json!({ "to": "forwarded" })).await;
    assert_eq!(crate::common::problem(unreferenced).await["detail"], "reference: required when forwarding");
    let back = change(&server, &token, &id, Some("\"v0\""), json!({ "to": "new" })).await;
    assert_eq!(back.status(), StatusCode::BAD_REQUEST);
    let unknown = change(&server, &token, &id, Some("\"v0\""), json!({ "to": "closed" })).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let volunteer = server.volunteer_at("Sari", "6471011001").await;
    assert_eq!(
        change(&server, &volunteer, &id, Some("\"v0\""), json!({ "to": "verified" })).await.status(),
        StatusCode::FORBIDDEN
    );
    // None of it was stored.
    assert_eq!(server.store.review(1).await.unwrap().version, 0);
}

#[tokio::test]
async fn of_20_coordinators_changing_a_report_at_once_one_wins_and_the_rest_get_409() {
    let server = TestServer::start().await;
    let id = reports_at(&server, "6471011001", 1).await[0].id.to_string();
    let mut tokens = Vec::new();
    for _ in 0..20 {
        tokens.push(server.coordinator().await);
    }
    let answers = futures_util::future::join_all(
        tokens.iter().map(|t| change(&server, t, &id, Some("\"v0\""), json!({ "to": "in_review" }))),
    )
    .await;
    let created = answers.iter().filter(|a| a.status() == StatusCode::CREATED).count();
    let conflicts = answers.iter().filter(|a| a.status() == StatusCode::CONFLICT).count();
    assert_eq!((created, conflicts), (1, 19));
    assert_eq!(server.store.review(1).await.unwrap().history.len(), 1);
}

/// A desk's feed, read as a browser would: `id`, `event` and `data` lines.
pub(crate) struct FeedReader {
    response: reqwest::Response,
    buffer: String,
}

impl FeedReader {
    pub(crate) async fn open(server: &TestServer, token: &str, last_event_id: Option<i64>) -> FeedReader {
        let mut request = server.http.get(server.url("/api/v1/desk/events")).bearer_auth(token);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        FeedReader { response, buffer: String::new() }
    }

    /// The next `report` event's id and report, or None after `wait`.
    pub(crate) async fn next(&mut self, wait: std::time::Duration) -> Option<(i64, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| block.lines().find_map(|l| l.strip_prefix(name)).map(str::to_owned);
                if field("event: ").as_deref() == Some("report") {
                    let id = field("id: ").unwrap().parse().unwrap();
                    return Some((id, serde_json::from_str(&field("data: ").unwrap()).unwrap()));
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await.ok()?.unwrap()?;
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// Whether the server closes the feed within `wait` before any report.
    pub(crate) async fn closes_within(&mut self, wait: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if self.buffer.contains("event: report") {
                return false;
            }
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Err(_still_open) => return false,
                Ok(Ok(None) | Err(_)) => return true,
                Ok(Ok(Some(chunk))) => self.buffer.push_str(std::str::from_utf8(&chunk).unwrap()),
            }
        }
    }
}

pub(crate) const LIVE: std::time::Duration = std::time::Duration::from_secs(2);

#[tokio::test]
async fn signing_out_ends_the_token_and_its_feeds_and_a_revoked_feed_ends_while_quiet() {
    let server = TestServer::start().await;
    let token = server.coordinator_for(Some("647101")).await;
    let mut feed = FeedReader::open(&server, &token, None).await;
    let sign_out = || server.http.delete(server.url("/api/v1/desk/session")).bearer_auth(&token).send();
    assert_eq!(sign_out().await.unwrap().status(), StatusCode::NO_CONTENT);
    // The next report in scope wakes the feed, which ends instead of sending it.
    let volunteer = server.volunteer_at("Sari", "6471011001").await;
    let mut report = crate::common::report("sesudah keluar");
    report.tps = "6471011001-002".into();
    assert_eq!(server.post_report(&volunteer, &report).await.status(), StatusCode::CREATED);
    assert!(feed.closes_within(LIVE).await, "the feed of a signed-out token ends without the report");
    for path in ["/api/v1/desk/tally", "/api/v1/reports"] {
        let answer = server.http.get(server.url(path)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(sign_out().await.unwrap().status(), StatusCode::UNAUTHORIZED, "signed out once");
    let again = server.http.get(server.url("/api/v1/desk/events")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    // A volunteer has no desk session to end.
    let volunteer_out = server.http.delete(server.url("/api/v1/desk/session")).bearer_auth(&volunteer).send();
    assert_eq!(volunteer_out.await.unwrap().status(), StatusCode::FORBIDDEN);

    // A coordinator revoked (a laptop lost) while nothing arrives: the quiet feed ends too.
    let code = new_enrolment_code();
    let id = server.store.create_coordinator("Lain", None, &hash_secret(&normalise_code(&code))).await.unwrap();
    let other = server.http.post(server.url("/api/v1/desk/sign-in")).json(&json!({ "code": code })).send();
    let other: Value = other.await.unwrap().json().await.unwrap();
    let old_token = other["token"].as_str().unwrap().to_owned();
    server.get_json(&old_token, "/api/v1/desk/tally").await; // now in the server's token cache
                                                             // A new link replaces that session; the old token, still in the server's
                                                             // short cache, signing out does not end the new one.
    let code = new_enrolment_code();
    assert!(server.store.new_sign_in_code(id, &hash_secret(&normalise_code(&code))).await.unwrap());
    let newer = server.http.post(server.url("/api/v1/desk/sign-in")).json(&json!({ "code": code })).send();
    let newer: Value = newer.await.unwrap().json().await.unwrap();
    let newer = newer["token"].as_str().unwrap();
    let old_out = server.http.delete(server.url("/api/v1/desk/session")).bearer_auth(&old_token).send().await.unwrap();
    // 204 while the cache still holds it (the usual case), 401 on a machine slower than 5 s.
    assert!([StatusCode::NO_CONTENT, StatusCode::UNAUTHORIZED].contains(&old_out.status()), "{}", old_out.status());
    let still = server.http.get(server.url("/api/v1/desk/tally")).bearer_auth(newer).send().await.unwrap();
    assert_eq!(still.status(), StatusCode::OK, "the newer session stays");
    let mut quiet = FeedReader::open(&server, newer, None).await;
    server.store.revoke(id, Role::Coordinator).await.unwrap();
    assert!(quiet.closes_within(std::time::Duration::from_secs(12)).await, "a revoked token's quiet feed ends");
}

#[tokio::test]
async fn the_feed_brings_each_report_of_the_scope_as_it_arrives_and_nothing_else() {
    let server = TestServer::start().await;
    let token = server.coordinator_for(Some("647101")).await;
    let mut feed = FeedReader::open(&server, &token, None).await;
    let inside = server.volunteer_at("Sari", "6471011001").await;
    let outside = server.volunteer_at("Budi", "6471021002").await;
    let mut filed = Vec::new();
    for i in 0..3 {
        let mut elsewhere = crate::common::report("di kecamatan lain");
        elsewhere.tps = "6471021002-001".into();
        assert_eq!(server.post_report(&outside, &elsewhere).await.status(), StatusCode::CREATED);
        let mut report = crate::common::report(&format!("laporan {i}"));
        report.tps = "6471011001-002".into();
        assert_eq!(server.post_report(&inside, &report).await.status(), StatusCode::CREATED);
        // Within 2 seconds of its receipt.
        let (id, item) = feed.next(LIVE).await.expect("the report, live");
        assert_eq!(item["report"]["id"], json!(report.id));
        assert_eq!(item["receipt"]["seq"], json!(id));
        filed.push(id);
    }
    assert!(filed.windows(2).all(|w| w[0] < w[1]), "{filed:?}");
    assert!(feed.next(std::time::Duration::from_millis(300)).await.is_none(), "nothing of the other kecamatan");
}

#[tokio::test]
async fn a_desk_that_lost_its_connection_while_100_reports_arrived_gets_all_100_once() {
    let server = TestServer::start().await;
    let token = server.coordinator_for(Some("647101")).await;
    let mut feed = FeedReader::open(&server, &token, None).await;
    reports_at(&server, "6471011001", 10).await;
    let mut last = 0;
    for _ in 0..10 {
        last = feed.next(LIVE).await.expect("a live report").0;
    }
    drop(feed); // the laptop's connection goes
    let missed = reports_at(&server, "6471011001", 100).await;
    reports_at(&server, "6471021002", 50).await; // another kecamatan's, meanwhile

    let mut feed = FeedReader::open(&server, &token, Some(last)).await;
    let mut seen = Vec::new();
    for _ in 0..100 {
        let (id, item) = feed.next(LIVE).await.expect("a missed report");
        assert!(id > last, "{id} after {last}: none twice");
        last = id;
        seen.push(item["report"]["id"].as_str().unwrap().to_owned());
    }
    let expected: Vec<String> = missed.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(seen, expected, "all 100, in arrival order");
    // And then live again.
    let next = reports_at(&server, "6471011001", 1).await;
    assert_eq!(feed.next(LIVE).await.unwrap().1["report"]["id"], json!(next[0].id));
    assert!(feed.next(std::time::Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn a_feed_resumed_from_a_bad_id_or_by_a_volunteer_is_refused() {
    let server = TestServer::start().await;
    let token = server.coordinator().await;
    let feed = |t: &str, id: &str| {
        server.http.get(server.url("/api/v1/desk/events")).bearer_auth(t).header("Last-Event-ID", id).send()
    };
    assert_eq!(feed(&token, "kemarin").await.unwrap().status(), StatusCode::BAD_REQUEST);
    let volunteer = server.volunteer("Sari").await;
    assert_eq!(feed(&volunteer, "0").await.unwrap().status(), StatusCode::FORBIDDEN);
}

/// A complete checklist of `phase` for `tps`, every item answered yes.
fn checklist(tps: &str, phase: pantau_core::checklist::Phase) -> pantau_core::Report {
    use pantau_core::checklist::Answer;
    let answers = phase
        .items()
        .map(|item| pantau_core::ChecklistAnswer { item: item.id.into(), answer: Answer::Yes, note: String::new() })
        .collect();
    let mut report = crate::common::report("x");
    report.tps = tps.into();
    report.body = pantau_core::ReportBody::Checklist { phase, answers };
    report
}

#[tokio::test]
async fn coverage_counts_each_known_tps_of_the_scope_once_and_names_the_silent_ones() {
    use pantau_core::checklist::Phase;
    let server = TestServer::start().await;
    // The TPS list: three of kelurahan 6471011001, one elsewhere in the city, with a header.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        "kode_tps,alamat\n6471011001-001,\"Jl. Mulawarman, RT 03\"\n6471011001-2,\n6471011001-003,SDN 001\n6471021001-001,\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["tps", "import", file.path().to_str().unwrap(), "--database", &server.db_path])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "4 TPS imported");

    // TPS 001 sent opening and voting checklists twice over; 004 (not listed) an incident-like note.
    let sari = server.volunteer_at("Sari", "6471011001").await;
    for report in [
        checklist("6471011001-001", Phase::Opening),
        checklist("6471011001-001", Phase::Opening),
        checklist("6471011001-001", Phase::Voting),
    ] {
        assert_eq!(server.post_report(&sari, &report).await.status(), StatusCode::CREATED);
    }
    let mut note = crate::common::report("dari TPS 004");
    note.tps = "6471011001-004".into();
    assert_eq!(server.post_report(&sari, &note).await.status(), StatusCode::CREATED);

    let token = server.coordinator_for(Some("647101")).await;
    let coverage = |level: &str| {
        let path = format!("/api/v1/desk/coverage?level={level}");
        let request = server.http.get(server.url(&path)).bearer_auth(&token).send();
        async move { request.await.unwrap().json::<Value>().await.unwrap() }
    };
    let kelurahan = coverage("kelurahan").await;
    assert_eq!(kelurahan["areas"].as_array().unwrap().len(), 1, "the other kecamatan is outside the scope");
    let area = &kelurahan["areas"][0];
    assert_eq!(area["code"], "6471011001");
    assert_eq!(
        [&area["tps"], &area["reported"], &area["opening"], &area["voting"], &area["counting"], &area["reports"]],
        [&json!(4), &json!(2), &json!(1), &json!(1), &json!(0), &json!(4)]
    );
    assert_eq!(kelurahan["silent"], json!(["6471011001-002", "6471011001-003"]));
    let by_tps = coverage("tps").await;
    assert_eq!(by_tps["areas"].as_array().unwrap().len(), 4);
    let bad =
        server.http.get(server.url("/api/v1/desk/coverage?level=provinsi")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(
        crate::common::problem(bad).await["detail"],
        "level: \"provinsi\" is not one of kecamatan, kelurahan, tps"
    );
}

#[tokio::test]
async fn a_tps_list_with_a_wrong_code_names_the_line_and_imports_nothing() {
    let server = TestServer::start().await;
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), "6471011001-001\n647101100-002\n").unwrap();
    let out = Command::new(BIN)
        .args(["tps", "import", file.path().to_str().unwrap(), "--database", &server.db_path])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2: \"647101100-002\" is not a TPS code"));
    assert!(server.store.tps_activity(None).await.unwrap().is_empty(), "not even line 1");
}

#[tokio::test]
async fn the_tally_adds_up_the_scope_and_lists_disagreeing_tps_first() {
    use pantau_core::{CandidateVotes, Contest, ReportBody};
    let server = TestServer::start().await;
    let count = |tps: &str, votes: [u32; 3], valid: u32| {
        let mut report = crate::common::report("x");
        report.tps = tps.into();
        let rows = ["1. Anies", "2. Prabowo", "3. Ganjar"].iter().zip(votes);
        report.body = ReportBody::CountResult {
            contest: Contest::President,
            votes: rows.map(|(name, votes)| CandidateVotes { name: (*name).into(), votes }).collect(),
            valid,
            invalid: 1,
            voters: valid + 1,
        };
        report
    };
    let sari = server.volunteer_at("Sari", "6471011001").await;
    let rina = server.volunteer_at("Rina", "6471011001").await;
    let elsewhere = server.volunteer_at("Budi", "6471021002").await;
    for (token, report) in [
        (&sari, count("6471011001-001", [10, 20, 30], 60)),
        (&sari, count("6471011001-002", [5, 5, 5], 15)),
        (&rina, count("6471011001-002", [5, 6, 5], 16)),
        (&sari, count("6471011001-003", [1, 1, 1], 9)),
        (&elsewhere, count("6471021002-001", [1000, 0, 0], 1000)),
    ] {
        assert_eq!(server.post_report(token, &report).await.status(), StatusCode::CREATED);
    }
    let token = server.coordinator_for(Some("647101")).await;
    let tally = server.get_json(&token, "/api/v1/desk/tally").await;
    let president = &tally["contests"][0];
    assert_eq!(president["contest"], "president");
    assert_eq!(president["tps"], 3, "the other kecamatan's TPS is outside the scope");
    assert_eq!(president["participants"][0], json!({ "name": "1. Anies", "votes": 16 }));
    assert_eq!(president["participants"][1]["votes"], 27, "002 counted once, with its latest report");
    let flagged: Vec<(&str, &Value)> =
        president["flagged"].as_array().unwrap().iter().map(|f| (f["tps"].as_str().unwrap(), &f["problems"])).collect();
    assert_eq!(flagged, [("6471011001-002", &json!(["discrepancy"])), ("6471011001-003", &json!(["does_not_add_up"]))]);

    // The tally reads the scope's count results TPS by TPS, each TPS's in
    // arrival order, a page at a time: pages of 2 still give each once, and
    // nothing of another kind or scope.
    use futures_util::TryStreamExt as _;
    let note_in_scope = {
        let mut note = crate::common::report("bukan hasil hitung");
        note.tps = "6471011001-001".into();
        note
    };
    assert_eq!(server.post_report(&sari, &note_in_scope).await.status(), StatusCode::CREATED);
    let pages: Vec<Vec<pantau_core::Report>> =
        server.store.count_results_by_tps(Some("647101".into()), 2).try_collect().await.unwrap();
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2]);
    let read: Vec<(String, u32)> = pages
        .iter()
        .flatten()
        .map(|r| match &r.body {
            ReportBody::CountResult { valid, .. } => (r.tps.clone(), *valid),
            other => panic!("not a count result: {other:?}"),
        })
        .collect();
    let expected = [("6471011001-001", 60), ("6471011001-002", 15), ("6471011001-002", 16), ("6471011001-003", 9)];
    assert_eq!(read, expected.map(|(tps, valid)| (tps.to_owned(), valid)));
    let everywhere: Vec<Vec<pantau_core::Report>> =
        server.store.count_results_by_tps(None, 3).try_collect().await.unwrap();
    assert_eq!(everywhere.concat().len(), 5, "no scope: every TPS");
}

#[tokio::test]
async fn reports_are_found_by_area_urgency_review_words_and_time_and_carry_their_review() {
    use pantau_core::{IncidentCategory, ReportBody};
    let server = TestServer::start().await;
    let incident = |tps: &str, description: &str, urgent: bool| {
        let mut report = crate::common::report("x");
        report.tps = tps.into();
        report.body = ReportBody::Incident {
            category: IncidentCategory::VoteBuying,
            occurred_at: report.created_at,
            place: "Gang Mawar".into(),
            description: description.into(),
            reported_party: String::new(),
            witnesses: String::new(),
            urgent,
        };
        report
    };
    let sari = server.volunteer_at("Sari", "6471011001").await;
    let rina = server.volunteer_at("Rina", "6471011002").await;
    let reports = [
        (&sari, incident("6471011001-001", "Amplop berisi uang dibagikan", true)),
        (&sari, incident("6471011001-002", "Spanduk calon masih terpasang", false)),
        (&rina, incident("6471011002-001", "AMPLOP di pos ronda", true)),
    ];
    for (token, report) in &reports {
        assert_eq!(server.post_report(token, report).await.status(), StatusCode::CREATED);
    }
    let token = server.coordinator_for(Some("647101")).await;
    let find = |query: &str| {
        let request = server.http.get(server.url(&format!("/api/v1/reports?{query}"))).bearer_auth(&token).send();
        async move {
            let listed: Value = request.await.unwrap().json().await.unwrap();
            listed["reports"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["report"]["tps"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find("urgent=true").await, ["6471011001-001", "6471011002-001"]);
    assert_eq!(find("area=6471011002").await, ["6471011002-001"]);
    assert_eq!(find("q=amplop").await, ["6471011001-001", "6471011002-001"], "either case");
    assert_eq!(find("q=amplop&area=6471011001").await, ["6471011001-001"]);
    assert_eq!(find("until=2000-01-01T00:00:00Z").await, Vec::<String>::new());

    // Verified, it leaves the new ones and shows its state in the list.
    let id = reports[0].1.id.to_string();
    assert_eq!(
        change(&server, &token, &id, Some("\"v0\""), json!({ "to": "verified" })).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(find("review=new&urgent=true").await, ["6471011002-001"]);
    assert_eq!(find("review=verified").await, ["6471011001-001"]);
    let listed = server.get_json(&token, "/api/v1/reports").await;
    assert_eq!(listed["reports"][0]["review"], "verified");
    assert_eq!(listed["reports"][1]["review"], "new");
    for bad in ["urgent=ya", "review=closed", "area=64710a", "until=kemarin"] {
        let answer =
            server.http.get(server.url(&format!("/api/v1/reports?{bad}"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn newest_first_pages_walk_back_by_keyset_to_the_first_report_without_repeats() {
    let server = TestServer::start().await;
    let filed = reports_at(&server, "6471011001", 25).await;
    let token = server.coordinator_for(Some("647101")).await;
    let mut seen = Vec::new();
    let mut before = "0".to_owned();
    let mut pages = 0;
    loop {
        let page = server.get_json(&token, &format!("/api/v1/reports?before={before}&limit=10")).await;
        pages += 1;
        let seqs: Vec<i64> =
            page["reports"].as_array().unwrap().iter().map(|r| r["receipt"]["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first: {seqs:?}");
        seen.extend(page["reports"].as_array().unwrap().iter().map(|r| r["report"]["id"].as_str().unwrap().to_owned()));
        match page["next_before"].as_i64() {
            Some(next) => before = next.to_string(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut expected: Vec<String> = filed.iter().rev().map(|r| r.id.to_string()).collect();
    assert_eq!(seen, expected);
    expected.sort();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 25, "no report twice");
    let both =
        server.http.get(server.url("/api/v1/reports?before=0&after=3")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(both.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_hours_chart_counts_the_scope_only_with_every_hour_present() {
    let server = TestServer::start().await;
    reports_at(&server, "6471011001", 4).await;
    reports_at(&server, "6471021001", 3).await;
    let token = server.coordinator_for(Some("647101")).await;
    let hours = server.get_json(&token, "/api/v1/desk/hours").await;
    let hours = hours["hours"].as_array().unwrap();
    assert!((24..=25).contains(&hours.len()), "{}", hours.len());
    assert_eq!(hours.last().unwrap()["reports"], 4, "this hour: the scope's 4, not the other kecamatan's 3");
    let total: i64 = hours.iter().map(|h| h["reports"].as_i64().unwrap()).sum();
    assert_eq!(total, 4);
    for bad in ["since=kemarin", "since=2000-01-01T00:00:00Z", "hari=1"] {
        let answer =
            server.http.get(server.url(&format!("/api/v1/desk/hours?{bad}"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn an_urgent_incident_stored_before_the_urgent_column_is_found_as_urgent_after_the_upgrade() {
    // A database as version 0007 of the schema left it, with an urgent incident in it.
    let old = tempfile::tempdir().unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.as_str() < "0008" {
            std::fs::copy(entry.path(), old.path().join(&name)).unwrap();
        }
    }
    let data = tempfile::tempdir().unwrap();
    let path = data.path().join("pantau.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(old.path()).await.unwrap().run(&pool).await.unwrap();
    let mut report = crate::common::report("x");
    report.tps = "6471011001-001".into();
    report.body = pantau_core::ReportBody::Incident {
        category: pantau_core::IncidentCategory::VoteBuying,
        occurred_at: report.created_at,
        place: "Gang Mawar".into(),
        description: "Amplop dibagikan".into(),
        reported_party: String::new(),
        witnesses: String::new(),
        urgent: true,
    };
    sqlx::query(
        "INSERT INTO reports (id, tps, kind, category, created_at, received_at, body)
         VALUES (?, ?, 'incident', 'vote_buying', '2026-02-14T01:00:00.000000Z', '2026-02-14T01:00:01.000000Z', ?)",
    )
    .bind(report.id.to_string())
    .bind(&report.tps)
    .bind(report.canonical_json())
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    // Opened by this version: the upgrade fills the column from the report.
    let store = pantau_server::store::Store::open(path.to_str().unwrap()).await.unwrap();
    let filter = |urgent| pantau_server::store::ReportFilter { urgent: Some(urgent), limit: 10, ..Default::default() };
    let urgent = store.reports(&filter(true)).await.unwrap();
    assert_eq!(urgent.iter().map(|r| r.report.id).collect::<Vec<_>>(), [report.id]);
    assert!(store.reports(&filter(false)).await.unwrap().is_empty());
}
