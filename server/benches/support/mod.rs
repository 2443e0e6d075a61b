//! What the server's benches share: the release binary's command line, a
//! server started on a database and waited for, and percentiles.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_pantau-server");

/// Runs a pantau-server command on `database`; its output. Panics on failure.
pub fn cli(args: &[&str], database: &str) -> String {
    let out = Command::new(BIN).args(args).args(["--database", database]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The rest of the line of `printed` that starts with `prefix`.
pub fn field<'a>(printed: &'a str, prefix: &str) -> &'a str {
    printed.lines().find_map(|l| l.strip_prefix(prefix)).unwrap_or_else(|| panic!("no {prefix:?} in {printed}"))
}

/// A release server on `database` on a free loopback port, without rate
/// limits (one token carries a bench's whole load); with its base URL.
pub fn serve(database: &str) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = Command::new(BIN)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database", database])
        .args(["--rate-per-second", "100000000", "--rate-burst", "100000000"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    (server, format!("http://127.0.0.1:{port}"))
}

/// Waits until the server at `base` answers `/ready` (at most 30 s).
pub async fn ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/api/v1/ready")).send().await.is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Exchanges a one-time code at `path` (enrolment or desk sign-in); the token.
pub async fn token(client: &reqwest::Client, base: &str, path: &str, code: &str) -> String {
    let answer: serde_json::Value = client
        .post(format!("{base}{path}"))
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["token"].as_str().unwrap().to_owned()
}

/// SIGTERM, and wait for the server to finish what it was doing.
pub fn stop(mut server: Child) {
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let _ = server.wait();
}

/// The `p` quantile (0 to 1) of `latencies`, which it sorts.
pub fn percentile(latencies: &mut [Duration], p: f64) -> Duration {
    latencies.sort();
    latencies.get(((latencies.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or_default()
}

/// Milliseconds with `decimals` places.
pub fn ms(d: Duration, decimals: usize) -> String {
    format!("{:.decimals$}", d.as_secs_f64() * 1000.0)
}
