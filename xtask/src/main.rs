//! `cargo xtask run | test | bench | build | screenshots`: the commands a
//! developer or CI needs. Each installs what is missing first (see [`tools`]).

mod api_check;
mod bench;
mod dist;
mod layers;
mod tally;
mod tools;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use tally::{Level, Tally};

/// A step failed; the message says which and what to do.
#[derive(Debug)]
pub struct Fail(pub String);

const USAGE: &str = "usage: cargo xtask <command>

  run [SERVER FLAGS]  build the PWA (release) and start pantau-server on
                      http://127.0.0.1:8080 with its SQLite database in data/pantau.db
                      (flags such as --bind and --database go to the server)
  test [LEVEL]        every test: lint, native, browser (wasm-bindgen-test),
                      end-to-end, the API document (schemathesis); or one
                      LEVEL: native | browser | e2e | api
  bench               print benchmark tables: first-load size of the release PWA,
                      server ingest (reports/s, latency, ratio to hello-world)
  bench bytes         only the first-load bytes and the wasm's largest items
  build               build the PWA (release) into dist/
  screenshots         every screen at 360×740 into docs/screenshots/ (for the README)";

/// Every screen at 360×740, taken from the release PWA against the real server.
fn screenshots() -> Result<(), Fail> {
    tools::ensure_chromium()?;
    tools::ensure_npm()?;
    build_pwa()?;
    run(cargo().args(["build", "--locked", "-p", "pantau-server"]))?;
    let e2e = root().join("tests/e2e");
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&e2e))?;
    run(Command::new("node")
        .arg("screenshots.mjs")
        .current_dir(&e2e)
        .env("PANTAU_SERVER_BIN", root().join("target/debug/pantau-server"))
        .env("PANTAU_DIST", root().join("dist"))
        .env("PANTAU_SCREENSHOTS", root().join("docs/screenshots"))
        .env("CHROMIUM", tools::CHROMIUM))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run_app(&args[1..]),
        Some("test") => match args.get(1).map(String::as_str) {
            None => test(&[Level::Native, Level::Browser, Level::EndToEnd, Level::Api]),
            Some("native") => test(&[Level::Native]),
            Some("browser") => test(&[Level::Browser]),
            Some("e2e") => test(&[Level::EndToEnd]),
            Some("api") => test(&[Level::Api]),
            Some(other) => {
                eprintln!("unknown test level `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        Some("bench") => match args.get(1).map(String::as_str) {
            None => bench::bench(),
            Some("bytes") => bench::bytes(),
            Some(other) => {
                eprintln!("unknown bench `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        Some("build") => build_pwa(),
        Some("screenshots") => screenshots(),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(message)) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_path_buf()
}

fn describe(c: &Command) -> String {
    std::iter::once(c.get_program()).chain(c.get_args()).map(|s| s.to_string_lossy()).collect::<Vec<_>>().join(" ")
}

/// Runs a command with inherited output; fails on a non-zero exit.
pub fn run(c: &mut Command) -> Result<(), Fail> {
    let status = c.status().map_err(|e| Fail(format!("could not start `{}`: {e}", describe(c))))?;
    if status.success() {
        Ok(())
    } else {
        Err(Fail(format!("`{}` failed ({status})", describe(c))))
    }
}

/// Runs a command and returns its stdout; fails on a non-zero exit.
pub fn cmd_output(c: &mut Command) -> Result<String, Fail> {
    let out = c.stderr(Stdio::null()).output().map_err(|e| Fail(format!("could not start `{}`: {e}", describe(c))))?;
    if !out.status.success() {
        return Err(Fail(format!("`{}` failed ({})", describe(c), out.status)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a test command, echoing its stdout while keeping it for the tally.
fn run_tests(c: &mut Command) -> (bool, String) {
    eprintln!("xtask: {}", describe(c));
    let mut child = match c.stdout(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(e) => return (false, format!("could not start: {e}")),
    };
    let mut kept = String::new();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines().map_while(Result::ok) {
        println!("{line}");
        kept.push_str(&line);
        kept.push('\n');
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    (ok, kept)
}

pub fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root()).env("PATH", tools::tool_path());
    // A CI clone builds once, so incremental caches (GBs under target/) only cost disk.
    if std::env::var_os("CI").is_some() {
        c.env("CARGO_INCREMENTAL", "0");
    }
    c
}

/// Builds the PWA with Trunk in release mode, offline, into dist/.
fn build_pwa() -> Result<(), Fail> {
    tools::ensure_build_tools()?;
    // Trunk passes --offline to cargo: the registry must be filled first,
    // std's own dependencies included.
    let mut fetch = Command::new("cargo");
    fetch.args(["fetch", "--locked", "--target", tools::WASM_TARGET]);
    run(size_build(&mut fetch))?;
    run(size_build(Command::new("trunk").args(["build", "--release"])))?;
    // The desk second: the volunteers' build empties dist/, desk/ included.
    run(size_build(Command::new("trunk").args(["build", "--release"])).current_dir(root().join("desk")))?;
    dist::minify(&root().join("dist"), &tools::esbuild())?;
    dist::finish(&root().join("dist"))
}

/// The PWA as [`build_pwa`] makes it, but without its `photos` feature and
/// photo worker, into `dist`: only to measure what photos cost (issue 15).
fn build_pwa_without_photos(dist: &Path) -> Result<(), Fail> {
    run(size_build(Command::new("trunk").args(["build", "--release", "--no-default-features", "--dist"]).arg(dist)))?;
    let worker = dist.join("photo-worker.js");
    std::fs::remove_file(&worker).map_err(|e| Fail(format!("removing {}: {e}", worker.display())))?;
    dist::minify(dist, &tools::esbuild())?;
    dist::finish(dist)
}

/// `c` run as the wasm size build: through rustup's proxies (not this cargo,
/// $CARGO), so the pinned toolchain applies, with its flags, from the root.
fn size_build(c: &mut Command) -> &mut Command {
    c.current_dir(root()).env("PATH", tools::tool_path()).env_remove("CARGO").env_remove("RUSTC");
    c.envs(tools::wasm_size_build_env())
}

fn run_app(server_args: &[String]) -> Result<(), Fail> {
    build_pwa()?;
    run(cargo().args(["build", "--release", "--locked", "-p", "pantau-server"]))?;
    let server = root().join("target/release/pantau-server");
    let mut c = Command::new(server);
    c.current_dir(root()).arg("serve").arg("--static-dir").arg(root().join("dist")).args(server_args);
    eprintln!("xtask: {}", describe(&c));
    // Replace this process so Ctrl-C reaches the server directly and it can
    // finish requests in flight before exiting.
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        Err(Fail(format!("could not start pantau-server: {}", c.exec())))
    }
    #[cfg(not(unix))]
    run(&mut c)
}

/// Runs the lint stage, then `levels` (all of them: every test), and fails if
/// any fails or runs no test.
fn test(levels: &[Level]) -> Result<(), Fail> {
    let shortage = tools::free_disk_bytes().and_then(|free| tools::disk_shortage(free, tools::TEST_DISK_NEED_BYTES));
    if let Some(warning) = &shortage {
        eprintln!("xtask: warning: {warning}");
    }
    let result = test_levels(levels);
    // Said again at the end, where a reader of a failed run looks first.
    match (result, shortage) {
        (Err(Fail(message)), Some(warning)) => Err(Fail(format!("{message}\nxtask: {warning}"))),
        (result, _) => result,
    }
}

fn test_levels(levels: &[Level]) -> Result<(), Fail> {
    let all = levels.len() == 4;
    if levels.iter().any(|l| matches!(l, Level::Browser | Level::EndToEnd)) {
        tools::ensure_build_tools()?;
        tools::ensure_chromium()?;
    }
    if levels.contains(&Level::EndToEnd) {
        tools::ensure_npm()?;
    }
    run(cargo().args(["fetch", "--locked"]))?;
    let mut tally = Tally::default();

    if all {
        lint(&mut tally);
    }
    if levels.contains(&Level::Native) {
        // 1. Native: pantau-core, pantau-server (photo buckets against s3s-fs), xtask.
        let s3s_fs = tools::ensure_s3s_fs()?;
        let (ok, out) =
            run_tests(cargo().args(["test", "--locked", "--workspace", "--exclude", "pantau"]).env("S3S_FS", &s3s_fs));
        tally.record(Level::Native, ok, &out);
        // The server's suite again on PostgreSQL, with the tests of three
        // servers on one database: a throw-away cluster from pg_virtualenv,
        // whose variables (PGHOST, PGUSER, …) fill in the URL.
        tools::ensure_postgresql()?;
        let on_postgres = cargo();
        let mut virtualenv = Command::new("pg_virtualenv");
        // Then, alone, the test that stops the cluster under load (ignored in
        // the first run, which it would disturb).
        let test = "test --locked -p pantau-server --features postgres-tests --test server";
        virtualenv
            .args(["sh", "-c", &format!("\"$0\" {test} && \"$0\" {test} -- --ignored")])
            .arg(on_postgres.get_program())
            .current_dir(root())
            .envs(on_postgres.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .env("PANTAU_TEST_POSTGRES", "postgres:///postgres")
            // pg_virtualenv's cluster is "regress", of version $PGVERSION.
            .env("PANTAU_TEST_POSTGRES_CTL", "pg_ctlcluster \"$PGVERSION\" regress")
            .env("S3S_FS", &s3s_fs);
        let (ok, out) = run_tests(&mut virtualenv);
        tally.record(Level::NativePostgres, ok, &out);
    }
    if levels.contains(&Level::Browser) {
        // 2. The PWA's browser tests, in headless Chromium.
        let (ok, out) = run_tests(
            cargo()
                .args(["test", "--locked", "-p", "pantau", "--target", tools::WASM_TARGET])
                .env("CHROMEDRIVER", tools::CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "180")
                .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "120"),
        );
        tally.record(Level::Browser, ok, &out);
    }
    if levels.contains(&Level::EndToEnd) {
        end_to_end(&mut tally)?;
    }
    if levels.contains(&Level::Api) {
        let schemathesis = tools::ensure_schemathesis()?;
        build_test_server()?;
        let runs = api_check::run(&root().join("target/debug/pantau-server"), &schemathesis)?;
        for (name, ok) in &runs {
            eprintln!("xtask: {name}: {}", if *ok { "no finding" } else { "FINDINGS (see above)" });
        }
        tally.record_runs(Level::Api, &runs.iter().map(|(_, ok)| *ok).collect::<Vec<_>>());
    }

    println!("{}", tally.table());
    let (passed, failed) = tally.totals();
    println!("{passed} passed, {failed} failed");
    match tally.problems() {
        problems if problems.is_empty() => Ok(()),
        problems => Err(Fail(problems.join("; "))),
    }
}

/// Stage 0, the code as the next person reads it: one format, no lint
/// warnings (the PWA and the desk are linted for the target they are built
/// for, the PWA also without photos), and the apps' modules layered (screens
/// above state above adapters, no cycles: [`layers`]).
fn lint(tally: &mut Tally) {
    tally.check("rustfmt", run(cargo().args(["fmt", "--all", "--check"])).is_ok());
    let layered = layers::check(&root());
    if let Err(problems) = &layered {
        for p in problems {
            eprintln!("xtask: layers: {p}");
        }
    }
    tally.check("layers", layered.is_ok());
    tally.check(
        "clippy",
        run(cargo().args(["clippy", "--locked", "--workspace", "--all-targets", "--", "-D", "warnings"])).is_ok()
            && run(cargo().args([
                "clippy",
                "--locked",
                "-p",
                "pantau",
                "-p",
                "pantau-desk",
                "--target",
                tools::WASM_TARGET,
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
            .is_ok()
            // The PWA without photos, which `cargo xtask bench` builds to measure them.
            && run(cargo().args([
                "clippy",
                "--locked",
                "-p",
                "pantau",
                "--no-default-features",
                "--target",
                tools::WASM_TARGET,
                "--",
                "-D",
                "warnings",
            ]))
            .is_ok(),
    );
}

/// The server the end-to-end and API tests run: `target/debug/pantau-server`,
/// with the test-only fault layer the fault tests switch on (`--inject-faults`).
fn build_test_server() -> Result<(), Fail> {
    run(cargo().args(["build", "--locked", "-p", "pantau-server", "--features", "fault-injection"]))
}

/// Level 3, end to end: the release PWA in Chromium against the real server binary.
fn end_to_end(tally: &mut Tally) -> Result<(), Fail> {
    build_pwa()?;
    build_test_server()?;
    let e2e = root().join("tests/e2e");
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&e2e))?;
    let (ok, out) = run_tests(
        Command::new("node")
            .args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
            .current_dir(&e2e)
            .env("PANTAU_SERVER_BIN", root().join("target/debug/pantau-server"))
            .env("PANTAU_DIST", root().join("dist"))
            .env("CHROMIUM", tools::CHROMIUM),
    );
    tally.record(Level::EndToEnd, ok, &out);
    Ok(())
}
