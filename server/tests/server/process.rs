//! The real `pantau-server` binary: acknowledged reports survive `kill -9` and a
//! restart, and SIGTERM lets requests in flight finish.

use crate::common::report;
use pantau_core::protocol::Receipt;
use reqwest::StatusCode;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_pantau-server");

struct Server {
    child: Child,
    url: String,
}

/// A failing test must not leave its server running.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the binary on `port` with `database`, its log appended to `log`.
async fn start(port: u16, database: &str, log: &std::path::Path) -> Server {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database", database])
        // Phones under load here are one token; these tests are not about rates.
        .args(["--rate-per-second", "100000", "--rate-burst", "100000"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if reqwest::get(format!("{url}/api/v1/ready")).await.is_ok_and(|r| r.status().is_success()) {
            return Server { child, url };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("pantau-server did not start");
}

fn enrolment_code(database: &str) -> String {
    let out = Command::new(BIN)
        .args(["volunteer", "add", "--name", "Sari", "--tps", "6471011001-4", "--database", database])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    stdout.lines().find_map(|l| l.strip_prefix("enrolment code: ")).unwrap().to_owned()
}

async fn enrol(url: &str, code: &str) -> String {
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{url}/api/v1/enrolments"))
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// A running server with its own database and one enrolled volunteer.
struct Enrolled {
    _dir: tempfile::TempDir,
    database: String,
    port: u16,
    code: String,
    server: Server,
    token: String,
}

async fn enrolled_server() -> Enrolled {
    let dir = tempfile::tempdir().unwrap();
    let database = crate::common::fresh_database(dir.path()).await;
    let port = free_port();
    let code = enrolment_code(&database);
    let server = start(port, &database, &dir.path().join("server.log")).await;
    let token = enrol(&server.url, &code).await;
    Enrolled { _dir: dir, database, port, code, server, token }
}

#[tokio::test]
async fn acknowledged_reports_survive_kill_9_and_restart() {
    let Enrolled { _dir, database, port, code, mut server, token } = enrolled_server().await;
    let http = reqwest::Client::new();

    let mut acknowledged = Vec::new();
    for n in 0..20 {
        let r = report(&format!("sebelum mati {n}"));
        let response =
            http.post(format!("{}/api/v1/reports", server.url)).bearer_auth(&token).json(&r).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        acknowledged.push((r, response.json::<Receipt>().await.unwrap()));
    }
    server.child.kill().unwrap(); // SIGKILL: no shutdown code runs
    server.child.wait().unwrap();

    let mut restarted = start(port, &database, &_dir.path().join("server.log")).await;
    for (r, receipt) in &acknowledged {
        let response =
            http.post(format!("{}/api/v1/reports", restarted.url)).bearer_auth(&token).json(r).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "report {} was lost", r.id);
        assert_eq!(&response.json::<Receipt>().await.unwrap(), receipt, "the receipt changed across the restart");
    }
    restarted.child.kill().unwrap();
    restarted.child.wait().unwrap();

    // The logs name requests, never secrets.
    let log = std::fs::read_to_string(_dir.path().join("server.log")).unwrap();
    assert!(log.contains("/api/v1/reports"), "requests are logged: {log}");
    assert!(!log.contains(&token) && !log.contains(&token["pantau_".len()..]), "the token leaked into the log");
    assert!(!log.contains(&code), "the enrolment code leaked into the log");
}

#[tokio::test]
async fn sigterm_finishes_requests_in_flight_and_loses_no_acknowledged_report() {
    let Enrolled { _dir, database, port: _, code: _, mut server, token } = enrolled_server().await;
    let http = reqwest::Client::new();

    let reports: Vec<_> = (0..200).map(|n| report(&format!("saat berhenti {n}"))).collect();
    let sends = reports.iter().map(|r| {
        let http = http.clone();
        let url = format!("{}/api/v1/reports", server.url);
        let token = token.clone();
        let r = r.clone();
        tokio::spawn(async move {
            match http.post(url).bearer_auth(token).json(&r).send().await {
                Ok(response) if response.status().is_success() => Some(r),
                _ => None,
            }
        })
    });
    let sends: Vec<_> = sends.collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let status = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit}");

    let mut acknowledged = Vec::new();
    for send in sends {
        if let Some(r) = send.await.unwrap() {
            acknowledged.push(r);
        }
    }
    let store = pantau_server::store::Store::open(&database).await.unwrap();
    for r in &acknowledged {
        assert_eq!(store.report(r.id).await.unwrap().as_ref(), Some(r), "acknowledged report {} lost", r.id);
    }
    assert!(store.report_count().await.unwrap() as usize >= acknowledged.len());
}

#[tokio::test]
async fn revoking_with_the_command_line_locks_the_token_out() {
    let Enrolled { _dir, database, port: _, code: _, mut server, token } = enrolled_server().await;
    let http = reqwest::Client::new();
    let post =
        |text: &str| http.post(format!("{}/api/v1/reports", server.url)).bearer_auth(&token).json(&report(text)).send();
    assert_eq!(post("sebelum").await.unwrap().status(), StatusCode::CREATED);

    let out = Command::new(BIN).args(["volunteer", "revoke", "1", "--database", &database]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Another process revoked it: the server notices within its token cache's lifetime.
    tokio::time::sleep(pantau_server::store::TOKEN_CACHE_TTL + Duration::from_millis(200)).await;
    assert_eq!(post("sesudah").await.unwrap().status(), StatusCode::UNAUTHORIZED);

    let again = Command::new(BIN).args(["volunteer", "revoke", "1", "--database", &database]).output().unwrap();
    assert!(!again.status.success(), "revoking twice is an error that says so");
    assert!(String::from_utf8_lossy(&again.stderr).contains("no active volunteer with id 1"));
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[tokio::test]
async fn listing_volunteers_shows_each_id_enrolment_and_reports_filed() {
    let Enrolled { _dir, database, port: _, code: _, mut server, token } = enrolled_server().await;
    let cli = |args: &[&str]| {
        let out = Command::new(BIN).args(args).args(["--database", &database]).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    cli(&["volunteer", "add", "--name", "Budi", "--tps", "6471011001-5"]);
    cli(&["volunteer", "add", "--name", "Dewi", "--tps", "6471011001-6"]);
    cli(&["volunteer", "revoke", "3"]);
    let http = reqwest::Client::new();
    for text in ["satu", "dua"] {
        let posted = http.post(format!("{}/api/v1/reports", server.url)).bearer_auth(&token).json(&report(text)).send();
        assert_eq!(posted.await.unwrap().status(), StatusCode::CREATED);
    }

    let listing = cli(&["volunteer", "list"]);
    let rows: Vec<Vec<&str>> = listing
        .lines()
        .skip(1)
        .map(|line| line.split("  ").map(str::trim).filter(|cell| !cell.is_empty()).collect())
        .collect();
    assert_eq!(rows.len(), 3, "{listing}");
    let [sari, budi, dewi] = [&rows[0], &rows[1], &rows[2]];
    assert_eq!((sari[0], sari[2], sari[3], sari[4]), ("1", "2", "6471011001-004", "Sari"), "{listing}");
    assert!(sari[1].starts_with("enrolled 20") && sari[1].ends_with(" UTC"), "{listing}");
    assert_eq!(budi, &vec!["2", "code not yet used", "0", "6471011001-005", "Budi"], "{listing}");
    assert!(dewi[1].starts_with("revoked 20"), "{listing}");
    assert_eq!((dewi[0], dewi[4]), ("3", "Dewi"), "{listing}");
    assert!(cli(&["coordinator", "list"]).contains("(none yet"), "no coordinator was added");

    // A mistyped path is an error, not an empty list in a new database.
    let missing = format!("{database}-typo");
    let out = Command::new(BIN).args(["volunteer", "list", "--database", &missing]).output().unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    let expected = if crate::common::postgres().is_some() { "does not exist" } else { "no database at" };
    assert!(said.contains(expected), "{said}");
    assert!(!std::path::Path::new(&missing).exists());
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[tokio::test]
async fn a_volunteer_added_for_a_scope_reports_for_every_tps_in_it_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let database = crate::common::fresh_database(dir.path()).await;
    let add = |args: &[&str]| {
        Command::new(BIN)
            .args(["volunteer", "add", "--name", "Rina"])
            .args(args)
            .args(["--database", &database])
            .output()
    };
    // Not digits, or a TPS and a scope at once: refused by name.
    let refused = add(&["--scope", "6471-01"]).unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--scope"));
    assert!(!add(&["--scope", "6471011001", "--tps", "6471011001-4"]).unwrap().status.success());

    let out = add(&["--scope", "6471011001"]).unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let code = stdout.lines().find_map(|l| l.strip_prefix("enrolment code: ")).unwrap().to_owned();
    let server = start(free_port(), &database, &dir.path().join("server.log")).await;
    let token = enrol(&server.url, &code).await;
    let http = reqwest::Client::new();
    let post = |tps: &'static str| {
        let mut r = report("patroli antar-TPS");
        r.tps = tps.into();
        http.post(format!("{}/api/v1/reports", server.url)).bearer_auth(&token).json(&r).send()
    };
    assert_eq!(post("6471011001-003").await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(post("6471011001-017").await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(post("6471011002-001").await.unwrap().status(), StatusCode::FORBIDDEN, "another village");
}

#[test]
fn a_database_url_of_another_kind_is_refused_by_name_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for url in ["mysql://x/y", "redis://pantau@db.example/0"] {
        let out = Command::new(BIN)
            .current_dir(dir.path())
            .args(["serve", "--bind", "127.0.0.1:0", "--database", url])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{url}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(url) && said.contains("sqlite: or postgres:// URL"), "{url}: {said}");
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "{url}: nothing may be created");
    }
    // A PostgreSQL that does not answer is named (without its password), and
    // no SQLite file stands in for it.
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--database", "postgres://pantau:rahasia@127.0.0.1:1/pantau"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("postgres://pantau:***@127.0.0.1:1/pantau") && !said.contains("rahasia"), "{said}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing may be created");
    // The same for every command that opens the database.
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["volunteer", "add", "--name", "Sari", "--tps", "6471011001-003", "--database", "postgres://x/y"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[tokio::test]
async fn a_backup_taken_under_load_holds_every_report_acknowledged_before_it_began() {
    let Enrolled { _dir, database, server, token, .. } = enrolled_server().await;
    if crate::common::postgres().is_some() {
        // PostgreSQL has its own backup tools; the command says so and writes nothing.
        let copy = _dir.path().join("copy.db");
        let out = Command::new(BIN).args(["backup", "--to"]).arg(&copy).args(["--database", &database]).output();
        let out = out.unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(!copy.exists());
        return;
    }
    let http = reqwest::Client::new();
    // Eight phones keep filing while the backup runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(Instant, Receipt)>::new()));
    let phones: Vec<_> = (0..8)
        .map(|phone| {
            let (http, url, token) = (http.clone(), server.url.clone(), token.clone());
            let (stop, acknowledged) = (stop.clone(), acknowledged.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = report(&format!("telepon {phone} laporan {n}"));
                    let answer = http.post(format!("{url}/api/v1/reports")).bearer_auth(&token).json(&r).send().await;
                    if let Ok(answer) = answer {
                        if answer.status() == StatusCode::CREATED {
                            let receipt = answer.json::<Receipt>().await.unwrap();
                            acknowledged.lock().unwrap().push((Instant::now(), receipt));
                        }
                    }
                    n += 1;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(800)).await;

    let copy = format!("{database}.backup");
    let began = Instant::now();
    let out = tokio::task::spawn_blocking({
        let (database, copy) = (database.clone(), copy.clone());
        move || Command::new(BIN).args(["backup", "--to", &copy, "--database", &database]).output().unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("backup written to"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for phone in phones {
        phone.await.unwrap();
    }

    // Restored: a server on the copy knows every report acknowledged before the backup began.
    let before: Vec<Receipt> =
        acknowledged.lock().unwrap().iter().filter(|(at, _)| *at < began).map(|(_, r)| r.clone()).collect();
    assert!(before.len() > 50, "the load ran: {} reports before the backup", before.len());
    let restored = pantau_server::store::Store::open(&copy).await.unwrap();
    for receipt in &before {
        let kept = restored.report(receipt.id).await.unwrap();
        assert!(kept.is_some(), "report {} acknowledged before the backup is missing from it", receipt.id);
    }
    // A second backup to the same file is refused, and the first is untouched.
    let again = Command::new(BIN).args(["backup", "--to", &copy, "--database", &database]).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    drop(server);
}

#[tokio::test]
async fn metrics_are_served_on_their_own_address_in_the_prometheus_format() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("pantau.db").to_string_lossy().into_owned();
    let code = enrolment_code(&database);
    let (port, metrics_port) = (free_port(), free_port());
    let child = Command::new(BIN)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database", &database])
        .args(["--metrics-bind", &format!("127.0.0.1:{metrics_port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed on drop, also when the test fails.
    let server = Server { child, url: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !reqwest::get(format!("{}/api/v1/ready", server.url)).await.is_ok_and(|r| r.status().is_success()) {
        assert!(Instant::now() < deadline, "pantau-server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let token = enrol(&server.url, &code).await;
    let http = reqwest::Client::new();
    for n in 0..3 {
        let answer = http
            .post(format!("{}/api/v1/reports", server.url))
            .bearer_auth(&token)
            .json(&report(&format!("catatan {n}")))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::CREATED);
    }
    let refused = http.get(format!("{}/api/v1/reports", server.url)).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let answer = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics")).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = answer.text().await.unwrap();
    let value = |line_start: &str| -> f64 {
        let line =
            text.lines().find(|l| l.starts_with(line_start)).unwrap_or_else(|| panic!("no {line_start} in\n{text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(value("pantau_reports_stored_total{kind=\"note\"}"), 3.0);
    assert!(value("pantau_http_responses_total{class=\"2xx\"}") >= 4.0, "the enrolment and 3 reports");
    assert_eq!(value("pantau_http_responses_total{class=\"4xx\"}"), 1.0);
    assert!(value("pantau_ingest_batch_size_count") >= 1.0);
    assert!(value("pantau_commit_seconds_count") >= 1.0);
    assert!(text.contains("pantau_commit_seconds_bucket{le="), "a histogram:\n{text}");
    assert!(text.lines().any(|l| l.starts_with("pantau_writer_queue_depth ")));
    // Never on the API's address (there /metrics is an app route: its page, or 404 without apps).
    let on_api = reqwest::get(format!("{}/metrics", server.url)).await.unwrap();
    assert!(!on_api.text().await.unwrap().contains("pantau_reports_stored_total"));
    drop(server);
}

/// Phones filing without pause against `url`'s server until `stop`: each
/// acknowledged report with its receipt.
pub(crate) fn phones_under_load(
    url: std::sync::Arc<std::sync::Mutex<String>>,
    token: &str,
    phones: usize,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Vec<(pantau_core::Report, Receipt)>>> {
    (0..phones)
        .map(|phone| {
            let (url, token, stop) = (url.clone(), token.to_owned(), stop.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
                let mut acknowledged = Vec::new();
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = report(&format!("telepon {phone} laporan {n}"));
                    let at = url.lock().unwrap().clone();
                    let answer = http.post(format!("{at}/api/v1/reports")).bearer_auth(&token).json(&r).send().await;
                    match answer {
                        Ok(answer) if answer.status() == StatusCode::CREATED => {
                            acknowledged.push((r, answer.json::<Receipt>().await.unwrap()));
                            n += 1;
                        }
                        // Refused, cut off or not listening: the phone waits a little.
                        _ => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                }
                acknowledged
            })
        })
        .collect()
}

/// Every acknowledged report is stored as filed, and its resend is answered
/// with the receipt first given.
pub(crate) async fn every_acknowledged_report_is_kept(
    url: &str,
    token: &str,
    acknowledged: &[(pantau_core::Report, Receipt)],
) {
    let http = reqwest::Client::new();
    for (r, receipt) in acknowledged {
        let again = http.post(format!("{url}/api/v1/reports")).bearer_auth(token).json(r).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::OK, "report {} was lost", r.id);
        assert_eq!(&again.json::<Receipt>().await.unwrap(), receipt, "report {}: another receipt", r.id);
    }
}

#[tokio::test]
async fn killed_every_second_under_load_the_server_keeps_every_acknowledged_report() {
    let Enrolled { _dir, database, port, code: _, mut server, token } = enrolled_server().await;
    let url = std::sync::Arc::new(std::sync::Mutex::new(server.url.clone()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let phones = phones_under_load(url.clone(), &token, 8, stop.clone());
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(1_000)).await;
        server.child.kill().unwrap(); // SIGKILL: no shutdown code runs
        server.child.wait().unwrap();
        server = start(port, &database, &_dir.path().join("server.log")).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for phone in phones {
        acknowledged.extend(phone.await.unwrap());
    }
    assert!(acknowledged.len() > 100, "the load kept going between kills: {}", acknowledged.len());
    every_acknowledged_report_is_kept(&server.url, &token, &acknowledged).await;
}
