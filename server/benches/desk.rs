//! The coordinators' desk under a city's election day, run by `cargo xtask
//! bench` (or `cargo bench -p pantau-server --bench desk`). Fills a fresh
//! SQLite file with 100,000 reports over 5,000 TPS, starts the release
//! pantau-server on it, and prints a table of what a desk waits for:
//!
//! - the feed's first page and pages deep in the list (filtered and not):
//!   answer time over loopback, p50 and p95 of 200 requests each;
//! - coverage of the whole city, per kecamatan and per TPS; the chart's hours;
//! - 100 desks listening to the live feed while reports arrive at 1,000/s:
//!   from when each report was due to when each desk had its event, p50 and
//!   p99 over every delivery, and how many deliveries were missing.
//!
//! The load generator shares the machine's cores with the server.

use pantau_core::checklist::{Answer, Phase};
use pantau_core::desk::EventStreamReader;
use pantau_core::{ChecklistAnswer, Contest, IncidentCategory, Report, ReportBody, ReportId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{cli, field, percentile};

mod support;

const REPORTS: usize = 100_000;
const TPS: usize = 5_000;
const DESKS: usize = 100;
const RATE: u64 = 1_000;
const ARRIVAL_SECONDS: u64 = 5;

fn tps(i: usize) -> String {
    let villages = pantau_core::region::VILLAGES;
    format!("{}-{:03}", villages[i % villages.len()].0, i / villages.len() + 1)
}

/// Report `i` of the day: six in ten checklists, two incidents (one in ten
/// of those urgent), two count results.
fn report(i: usize, created_at: time::OffsetDateTime) -> Report {
    let tps = tps(i % TPS);
    let body = match i % 10 {
        0..=5 => {
            let phase = Phase::ALL[(i / TPS) % 3];
            let answers = phase
                .items()
                .enumerate()
                .map(|(n, item)| ChecklistAnswer {
                    item: item.id.into(),
                    answer: if (i + n) % 17 == 0 { Answer::No } else { Answer::Yes },
                    note: String::new(),
                })
                .collect();
            ReportBody::Checklist { phase, answers }
        }
        6 | 7 => ReportBody::Incident {
            category: IncidentCategory::ALL[i % IncidentCategory::ALL.len()],
            occurred_at: created_at,
            place: format!("Dekat TPS {tps}"),
            description: format!("Laporan kejadian nomor {i}: amplop dibagikan kepada pemilih yang antre."),
            reported_party: String::new(),
            witnesses: String::new(),
            urgent: i % 20 == 7,
        },
        _ => ReportBody::CountResult {
            contest: Contest::President,
            votes: vec![
                pantau_core::CandidateVotes { name: "1. Pasangan satu".into(), votes: (i % 90) as u32 },
                pantau_core::CandidateVotes { name: "2. Pasangan dua".into(), votes: 100 },
                pantau_core::CandidateVotes { name: "3. Pasangan tiga".into(), votes: 30 },
            ],
            valid: (i % 90) as u32 + 130,
            invalid: 3,
            voters: (i % 90) as u32 + 133,
        },
    };
    Report::new(ReportId(uuid::Uuid::new_v4()), &tps, created_at, body)
}

fn ms(d: Duration) -> String {
    support::ms(d, 1)
}

/// p50 and p95 of `n` sequential GETs of `path`; panics on a non-200 answer.
async fn timed(client: &reqwest::Client, base: &str, token: &str, path: &str, n: usize) -> (Duration, Duration) {
    let mut latencies = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let response = client.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let _ = response.bytes().await.unwrap();
        latencies.push(start.elapsed());
    }
    (percentile(&mut latencies, 0.5), percentile(&mut latencies, 0.95))
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("desk.db").to_string_lossy().into_owned();
    let volunteer = cli(&["volunteer", "add", "--name", "Bench", "--scope", "6471"], &database);
    let volunteer_id: i64 = field(&volunteer, "volunteer ").split(':').next().unwrap().parse().unwrap();
    let enrolment_code = field(&volunteer, "enrolment code: ").to_owned();
    let coordinator = cli(&["coordinator", "add", "--name", "Panwaslu Kota", "--scope", "6471"], &database);
    let sign_in_code = field(&coordinator, "sign-in code: ").to_owned();

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let filled = Instant::now();
    runtime.block_on(async {
        let store = pantau_server::store::Store::open(&database).await.unwrap();
        let listed: Vec<(String, Option<String>)> = (0..TPS).map(|i| (tps(i), None)).collect();
        store.import_tps(&listed).await.unwrap();
        let day = time::OffsetDateTime::now_utc() - time::Duration::hours(10);
        for chunk in (0..REPORTS).collect::<Vec<_>>().chunks(1_000) {
            let reports = chunk.iter().map(|&i| report(i, day + time::Duration::seconds(i as i64 / 3))).collect();
            for stored in store.store_reports(volunteer_id, reports).await {
                stored.unwrap();
            }
        }
        store.close().await;
    });
    let filled = filled.elapsed();

    let (server, base) = support::serve(&database);

    let rows = runtime.block_on(async {
        let client = reqwest::Client::new();
        support::ready(&client, &base).await;
        let desk = support::token(&client, &base, "/api/v1/desk/sign-in", &sign_in_code).await;
        let phone = support::token(&client, &base, "/api/v1/enrolments", &enrolment_code).await;

        // A thousand reviews, so the review state read with every row is not always "new".
        let page: serde_json::Value = client
            .get(format!("{base}/api/v1/reports?kind=incident&before=0&limit=1000"))
            .bearer_auth(&desk)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for item in page["reports"].as_array().unwrap() {
            let id = item["report"]["id"].as_str().unwrap();
            let answer = client
                .post(format!("{base}/api/v1/reports/{id}/review"))
                .bearer_auth(&desk)
                .header("If-Match", "\"v0\"")
                .json(&serde_json::json!({ "to": "in_review", "note": "Dicek ke lapangan" }))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 201);
        }

        let mut rows = Vec::new();
        let newest = page["reports"][0]["receipt"]["seq"].as_i64().unwrap();
        let deep = newest / 50; // about page 980 of 50, newest first
        for (what, path) in [
            ("feed, first page (50)", "/api/v1/reports?before=0&limit=50".to_owned()),
            ("feed, a page ~98,000 reports deep", format!("/api/v1/reports?before={deep}&limit=50")),
            ("urgent and new, first page", "/api/v1/reports?urgent=true&review=new&before=0&limit=100".to_owned()),
            (
                "incidents of one kecamatan with words, deep page",
                format!("/api/v1/reports?kind=incident&area=647103&q=amplop&before={}&limit=50", newest / 5),
            ),
            ("in review, deep page", format!("/api/v1/reports?review=in_review&before={}&limit=50", newest / 2)),
            ("coverage of the city, per kecamatan", "/api/v1/desk/coverage?level=kecamatan".to_owned()),
            ("coverage of the city, per TPS", "/api/v1/desk/coverage?level=tps".to_owned()),
            ("reports per hour, last day", "/api/v1/desk/hours".to_owned()),
        ] {
            let (p50, p95) = timed(&client, &base, &desk, &path, 200).await;
            rows.push((what, path, p50, p95));
        }
        let (p50, p95) = timed(&client, &base, &desk, "/api/v1/desk/tally", 5).await;
        rows.push(("tally of the city (20,000 count results)", "/api/v1/desk/tally".to_owned(), p50, p95));

        // 100 desks listen while reports arrive at 1,000/s.
        let due: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
        let delivered: Arc<Mutex<Vec<Duration>>> = Arc::default();
        let mut listeners = Vec::new();
        for _ in 0..DESKS {
            let (client, base, desk, due, delivered) =
                (client.clone(), base.clone(), desk.clone(), due.clone(), delivered.clone());
            let mut response =
                client.get(format!("{base}/api/v1/desk/events")).bearer_auth(&desk).send().await.unwrap();
            assert_eq!(response.status(), 200);
            listeners.push(tokio::spawn(async move {
                let mut reader = EventStreamReader::default();
                let mut seen = 0usize;
                while let Ok(Some(chunk)) = response.chunk().await {
                    let now = Instant::now();
                    for event in reader.push(&chunk) {
                        let item: serde_json::Value = serde_json::from_str(&event.data).unwrap();
                        let id = item["report"]["id"].as_str().unwrap();
                        if let Some(at) = due.lock().unwrap().get(id) {
                            delivered.lock().unwrap().push(now - *at);
                            seen += 1;
                        }
                    }
                    if seen == (RATE * ARRIVAL_SECONDS) as usize {
                        break;
                    }
                }
            }));
        }
        let start = Instant::now() + Duration::from_millis(200);
        let interval = Duration::from_secs_f64(1.0 / RATE as f64);
        let mut posts = Vec::new();
        for i in 0..(RATE * ARRIVAL_SECONDS) as usize {
            let at = start + interval * i as u32;
            tokio::time::sleep_until(at.into()).await;
            let report = report(REPORTS + i, time::OffsetDateTime::now_utc());
            due.lock().unwrap().insert(report.id.to_string(), at);
            let (client, base, phone) = (client.clone(), base.clone(), phone.clone());
            posts.push(tokio::spawn(async move {
                let answer =
                    client.post(format!("{base}/api/v1/reports")).bearer_auth(&phone).json(&report).send().await;
                answer.map(|a| a.status().is_success()).unwrap_or(false)
            }));
        }
        let mut failed_posts = 0;
        for post in posts {
            failed_posts += usize::from(!post.await.unwrap());
        }
        let waited = tokio::time::timeout(Duration::from_secs(30), futures::future::join_all(listeners)).await;
        let mut latencies = std::mem::take(&mut *delivered.lock().unwrap());
        let expected = DESKS * (RATE * ARRIVAL_SECONDS) as usize;
        let p50 = percentile(&mut latencies, 0.5);
        let p99 = percentile(&mut latencies, 0.99);
        (rows, (p50, p99, latencies.len(), expected, failed_posts, waited.is_err()))
    });
    support::stop(server);

    let (rows, (p50, p99, got, expected, failed_posts, timed_out)) = rows;
    println!(
        "\nThe desk over {REPORTS} reports at {TPS} TPS (filled in {:.0} s; answer times over loopback, sequential requests)\n",
        filled.as_secs_f64()
    );
    println!("| request | p50 ms | p95 ms |\n|---|---:|---:|");
    for (what, path, p50, p95) in &rows {
        println!("| {what} (`{path}`) | {} | {} |", ms(*p50), ms(*p95));
    }
    println!("\nLive feed: {DESKS} desks listening while reports arrive at {RATE}/s for {ARRIVAL_SECONDS} s\n");
    println!("| deliveries | missing | failed posts | p50 ms | p99 ms |\n|---:|---:|---:|---:|---:|");
    println!("| {got} | {} | {failed_posts} | {} | {} |", expected - got.min(expected), ms(p50), ms(p99));
    if timed_out {
        println!("(some desks had not received every report 30 s after the last was posted)");
    }
    println!(
        "\nTargets: feed pages p95 at most 50 ms; coverage of the city at most 200 ms; event delivery p99 at most 1 s."
    );
}
