//! Server ingest over loopback, run by `cargo xtask bench` (or
//! `cargo bench -p pantau-server --bench ingest`). Starts the release
//! pantau-server binary with a fresh SQLite file and prints a table:
//!
//! - reports/s at 64 connections (closed loop), with p50 and p99 latency;
//! - the same for the plain `GET /api/v1/health` route, measured in the same run,
//!   and the ratio between the two;
//! - latency at a fixed 1,000 requests/s (open loop: latency counts from the
//!   moment a request was due, so a stalled server cannot hide its queue).
//!
//! The load generator shares the machine's cores with the server, so figures
//! understate what the server alone could do. Durations: PANTAU_BENCH_SECONDS
//! (default 5) per phase.

use pantau_core::{Report, ReportBody, ReportId};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;

const CONNECTIONS: usize = 64;

fn seconds() -> Duration {
    Duration::from_secs(std::env::var("PANTAU_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5))
}

fn report_json() -> Vec<u8> {
    let report = Report::new(
        ReportId(uuid::Uuid::new_v4()),
        "6471011001-003",
        time::OffsetDateTime::now_utc(),
        ReportBody::Note { text: "Antrean pemilih panjang; KPPS membuka TPS pukul 07.10, saksi lengkap.".into() },
    );
    serde_json::to_vec(&report).unwrap()
}

struct Figures {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    fn percentile(&self, p: f64) -> Duration {
        support::percentile(&mut self.latencies.clone(), p)
    }
}

#[derive(Clone, Copy)]
enum Load {
    Ingest,
    Hello,
}

async fn send(client: &reqwest::Client, base: &str, token: &str, load: Load) -> bool {
    let result = match load {
        Load::Ingest => {
            client
                .post(format!("{base}/api/v1/reports"))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(report_json())
                .send()
                .await
        }
        Load::Hello => client.get(format!("{base}/api/v1/health")).send().await,
    };
    match result {
        Ok(response) => {
            let ok = response.status().is_success();
            let _ = response.bytes().await;
            ok
        }
        Err(_) => false,
    }
}

/// As many requests as 64 connections can make, each waiting for its answer.
async fn closed_loop(base: &str, token: &str, load: Load, duration: Duration) -> Figures {
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build().unwrap();
    // Warm up connections and caches.
    let warm_until = Instant::now() + Duration::from_millis(500);
    let start = warm_until;
    let stop = start + duration;
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let client = client.clone();
            let base = base.to_owned();
            let token = token.to_owned();
            tokio::spawn(async move {
                let (mut n, mut errors, mut latencies) = (0, 0, Vec::new());
                loop {
                    let sent = Instant::now();
                    if sent >= stop {
                        break;
                    }
                    let ok = send(&client, &base, &token, load).await;
                    if sent >= start {
                        n += 1;
                        errors += usize::from(!ok);
                        latencies.push(sent.elapsed());
                    }
                }
                (n, errors, latencies)
            })
        })
        .collect();
    let mut figures = Figures { requests: 0, errors: 0, elapsed: duration, latencies: Vec::new() };
    for task in tasks {
        let (n, errors, latencies) = task.await.unwrap();
        figures.requests += n;
        figures.errors += errors;
        figures.latencies.extend(latencies);
    }
    figures
}

/// A fixed arrival rate; latency is measured from when each request was due.
async fn open_loop(base: &str, token: &str, rate: u64, duration: Duration) -> Figures {
    let client = reqwest::Client::builder().pool_max_idle_per_host(256).build().unwrap();
    let start = Instant::now() + Duration::from_millis(200);
    let total = rate * duration.as_secs();
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = start + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let client = client.clone();
        let base = base.to_owned();
        let token = token.to_owned();
        tasks.push(tokio::spawn(async move {
            let ok = send(&client, &base, &token, Load::Ingest).await;
            (ok, due.elapsed())
        }));
    }
    let mut figures = Figures { requests: 0, errors: 0, elapsed: duration, latencies: Vec::new() };
    for task in tasks {
        let (ok, latency) = task.await.unwrap();
        figures.requests += 1;
        figures.errors += usize::from(!ok);
        figures.latencies.push(latency);
    }
    figures
}

fn ms(d: Duration) -> String {
    support::ms(d, 2)
}

fn main() {
    // `cargo bench` passes --bench; nothing else is understood.
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("bench.db").to_string_lossy().into_owned();
    let volunteer = support::cli(&["volunteer", "add", "--name", "Bench", "--tps", "6471011001-3"], &database);
    let code = support::field(&volunteer, "enrolment code: ").to_owned();
    let (server, base) = support::serve(&database);

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (ingest, hello, paced, rows) = runtime.block_on(async {
        let client = reqwest::Client::new();
        support::ready(&client, &base).await;
        let token = Arc::new(support::token(&client, &base, "/api/v1/enrolments", &code).await);
        let d = seconds();
        let hello = closed_loop(&base, &token, Load::Hello, d).await;
        let ingest = closed_loop(&base, &token, Load::Ingest, d).await;
        let paced = open_loop(&base, &token, 1_000, d).await;
        let store = pantau_server::store::Store::open(&database).await.unwrap();
        let rows = store.report_count().await.unwrap();
        (ingest, hello, paced, rows)
    });
    support::stop(server);

    println!("\nServer ingest over loopback ({CONNECTIONS} connections, {} s per phase, SQLite WAL synchronous=FULL, group commit)\n", seconds().as_secs());
    println!("| load | requests/s | p50 ms | p99 ms | errors | ratio to hello |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| GET /api/v1/health (hello-world) | {:.0} | {} | {} | {} | 1.00 |",
        hello.per_second(),
        ms(hello.percentile(0.5)),
        ms(hello.percentile(0.99)),
        hello.errors
    );
    println!(
        "| POST /api/v1/reports (closed loop) | {:.0} | {} | {} | {} | {:.2} |",
        ingest.per_second(),
        ms(ingest.percentile(0.5)),
        ms(ingest.percentile(0.99)),
        ingest.errors,
        ingest.per_second() / hello.per_second()
    );
    println!(
        "| POST /api/v1/reports at 1,000/s (open loop) | {:.0} | {} | {} | {} | |",
        paced.per_second(),
        ms(paced.percentile(0.5)),
        ms(paced.percentile(0.99)),
        paced.errors
    );
    println!("\nTargets: at least 12,000 reports/s; p99 at most 50 ms at 1,000 requests/s.");
    let expected = (ingest.requests - ingest.errors) + (paced.requests - paced.errors);
    println!("Rows stored: {rows} (acknowledged: {expected})");
    assert!(rows as usize >= expected, "acknowledged reports are missing from the database");
}
