//! Installs the tools the build needs, each once and at a pinned version.
//! Checking first keeps a second run fast; pinning keeps a fresh machine's
//! build identical to ours.

use crate::{cmd_output, root, run, Fail};
use std::path::PathBuf;
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_NPM_VERSION: &str = "132";
/// Minifies the build's JS and CSS (Trunk 0.21's own JS minifier fails on
/// wasm-bindgen's `export default`): 3.0 KB brotli less on a first visit.
pub const ESBUILD_NPM_VERSION: &str = "0.24.2";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The toolchain the shipped PWA is built with, and only it: std rebuilt for
/// size with panics that abort at once (measured: 18 KB brotli less than
/// stable). Clippy, the browser tests and the server stay on stable.
pub const WASM_NIGHTLY: &str = "nightly-2026-10-29";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Tries the API as an outside tool would, against its OpenAPI document.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// The wasm size profiler the bench prints the largest items with.
pub const TWIGGY_VERSION: &str = "0.8.0";
/// The S3 server the photo-bucket tests run against (0.15 on need rustc 1.96).
pub const S3S_FS_VERSION: &str = "0.14.0";

/// The project-local, git-ignored folder for npm-installed tools.
pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

/// PATH with the project's tools first, for Trunk and the test runners.
pub fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![tools_dir().join("node_modules/.bin"), cargo_bin()];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(dirs).expect("PATH entries are valid")
}

fn version_of(program: &str, arg: &str) -> Option<String> {
    let mut c = Command::new(program);
    c.arg(arg).env("PATH", tool_path());
    cmd_output(&mut c).ok().map(|s| s.trim().to_owned())
}

/// The wasm-bindgen version Cargo.lock resolved; the CLI must equal it.
pub fn locked_wasm_bindgen_version() -> Result<String, Fail> {
    let lock =
        std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| Fail(format!("reading Cargo.lock: {e}")))?;
    parse_locked_version(&lock, "wasm-bindgen").ok_or_else(|| Fail("Cargo.lock has no wasm-bindgen package".into()))
}

pub fn parse_locked_version(lock: &str, package: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{package}\"") {
            let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(version.to_owned());
        }
    }
    None
}

pub fn ensure_build_tools() -> Result<(), Fail> {
    let installed = cmd_output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !installed.lines().any(|l| l.trim() == WASM_TARGET) {
        run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    // `cargo xtask test` checks formatting and lints; rustup's minimal profile lacks both.
    let components = cmd_output(Command::new("rustup").args(["component", "list", "--installed"]))?;
    for component in ["rustfmt", "clippy"] {
        if !components.lines().any(|l| l.starts_with(&format!("{component}-"))) {
            run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }

    if version_of("trunk", "--version").as_deref() != Some(&format!("trunk {TRUNK_VERSION}")) {
        eprintln!("xtask: installing trunk {TRUNK_VERSION} (about 20 minutes on 2 cores, once)");
        run(Command::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))?;
    }

    let bindgen = locked_wasm_bindgen_version()?;
    if version_of("wasm-bindgen", "--version").as_deref() != Some(&format!("wasm-bindgen {bindgen}")) {
        eprintln!("xtask: installing wasm-bindgen-cli {bindgen} (to match Cargo.lock)");
        // Not --locked: the CLI's own lock file pins a crate version that is no
        // longer selectable for 0.2.130.
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &bindgen, "--force"]))?;
    }

    let nightly = cmd_output(Command::new("rustup").args(["run", WASM_NIGHTLY, "rustc", "--print", "sysroot"]));
    let has_src =
        nightly.is_ok_and(|sysroot| PathBuf::from(sysroot.trim()).join("lib/rustlib/src/rust/library").is_dir());
    if !has_src {
        eprintln!("xtask: installing {WASM_NIGHTLY} with rust-src, for the PWA's size build");
        run(Command::new("rustup").args(["toolchain", "install", WASM_NIGHTLY, "--profile", "minimal"]).args([
            "--component",
            "rust-src",
            "--target",
            WASM_TARGET,
        ]))?;
    }

    let have = cmd_output(Command::new(wasm_opt()).arg("--version")).unwrap_or_default();
    if !have.contains(&format!("version {BINARYEN_NPM_VERSION}")) {
        npm_install(&format!("binaryen@{BINARYEN_NPM_VERSION}"), "wasm-opt")?;
    }
    if cmd_output(Command::new(esbuild()).arg("--version")).unwrap_or_default().trim() != ESBUILD_NPM_VERSION {
        npm_install(&format!("esbuild@{ESBUILD_NPM_VERSION}"), "the JS and CSS minifier")?;
    }
    Ok(())
}

/// Installs `package` (`name@version`) from npm into `.tools/`.
fn npm_install(package: &str, what: &str) -> Result<(), Fail> {
    ensure_npm()?;
    eprintln!("xtask: installing {what} from npm {package} into .tools/");
    std::fs::create_dir_all(tools_dir()).map_err(|e| Fail(format!("creating .tools: {e}")))?;
    run(Command::new("npm").args(["install", "--no-audit", "--no-fund", "--prefix"]).arg(tools_dir()).arg(package))
}

/// esbuild as xtask installs it, in `.tools/`.
pub fn esbuild() -> PathBuf {
    tools_dir().join("node_modules/.bin/esbuild")
}

/// What `cargo xtask test` may write under target/ from a fresh clone, with
/// margin (measured: about 4 GB with the dev profile's reduced debug info).
pub const TEST_DISK_NEED_BYTES: u64 = 6 << 30;

/// Free bytes on the file system holding the workspace, as `df` reports them.
pub fn free_disk_bytes() -> Option<u64> {
    let out = cmd_output(Command::new("df").args(["-Pk"]).arg(root())).ok()?;
    parse_df_available_kib(&out).map(|kib| kib * 1024)
}

/// The "Available" column of `df -Pk` for the one file system asked about.
pub fn parse_df_available_kib(df: &str) -> Option<u64> {
    df.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()
}

/// A warning naming the shortage, or nothing when there is room. A full disk
/// otherwise shows up as a linker's bus error deep in a build log.
pub fn disk_shortage(free: u64, need: u64) -> Option<String> {
    (free < need).then(|| {
        format!(
            "only {:.1} GB free on the disk holding {}; `cargo xtask test` may need {:.0} GB for target/. \
             Free space (for example `cargo clean`) if a build fails with \"No space left on device\".",
            free as f64 / (1u64 << 30) as f64,
            root().display(),
            need as f64 / (1u64 << 30) as f64
        )
    })
}

fn is_root() -> bool {
    cmd_output(Command::new("id").arg("-u")).map(|s| s.trim() == "0").unwrap_or(false)
}

fn apt_install(packages: &[&str], what: &str) -> Result<(), Fail> {
    let command = format!("apt-get update && apt-get install -y {}", packages.join(" "));
    if !is_root() {
        return Err(Fail(format!("{what} is missing. Install it with:\n    sudo sh -c '{command}'")));
    }
    eprintln!("xtask: installing {what}: {command}");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get").args(["install", "-y"]).args(packages).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// twiggy, for `cargo xtask bench` only (about 2 minutes to build, once).
pub fn ensure_twiggy() -> Result<(), Fail> {
    if version_of("twiggy", "--version").as_deref() != Some(&format!("twiggy {TWIGGY_VERSION}")) {
        eprintln!("xtask: installing twiggy {TWIGGY_VERSION}, the wasm size profiler");
        run(Command::new("cargo").args(["install", "twiggy", "--version", TWIGGY_VERSION, "--locked"]))?;
    }
    Ok(())
}

/// s3s-fs, an S3 server over a folder, for the photo-bucket tests (about 3
/// minutes to build, once); returns the program.
pub fn ensure_s3s_fs() -> Result<PathBuf, Fail> {
    let program = cargo_bin().join("s3s-fs");
    let have = cmd_output(Command::new(&program).arg("--version")).unwrap_or_default();
    if have.trim() != format!("s3s-fs {S3S_FS_VERSION}") {
        eprintln!("xtask: installing s3s-fs {S3S_FS_VERSION}, the S3 server the photo-bucket tests use");
        run(Command::new("cargo").args([
            "install",
            "s3s-fs",
            "--version",
            S3S_FS_VERSION,
            "--features",
            "binary",
            "--locked",
        ]))?;
    }
    Ok(program)
}

/// PostgreSQL 15 (Debian's) and `pg_virtualenv`, which runs a command
/// against a throw-away cluster, for the server's tests on PostgreSQL.
pub fn ensure_postgresql() -> Result<(), Fail> {
    let have = |program: &str| Command::new("sh").args(["-c", &format!("command -v {program}")]).output();
    let found = ["pg_virtualenv", "pg_ctlcluster"].iter().all(|p| have(p).is_ok_and(|out| out.status.success()));
    if found && std::path::Path::new("/usr/lib/postgresql").is_dir() {
        return Ok(());
    }
    apt_install(&["postgresql", "postgresql-common"], "PostgreSQL")
}

/// wasm-opt as xtask installs it, in `.tools/`.
pub fn wasm_opt() -> PathBuf {
    tools_dir().join("node_modules/.bin/wasm-opt")
}

pub fn ensure_npm() -> Result<(), Fail> {
    if cmd_output(Command::new("npm").arg("--version")).is_ok() {
        return Ok(());
    }
    apt_install(&["nodejs", "npm"], "Node.js and npm")
}

/// schemathesis in its own virtualenv under `.tools/schemathesis`; returns the
/// program to run. Needs Python 3 with venv (Debian's `python3-venv`).
pub fn ensure_schemathesis() -> Result<PathBuf, Fail> {
    let venv = tools_dir().join("schemathesis");
    let program = venv.join("bin/schemathesis");
    let have = cmd_output(Command::new(&program).arg("--version")).unwrap_or_default();
    if have.contains(&format!("version {SCHEMATHESIS_VERSION}")) {
        return Ok(program);
    }
    eprintln!("xtask: installing schemathesis {SCHEMATHESIS_VERSION} into .tools/schemathesis");
    if cmd_output(Command::new("python3").args(["-m", "venv", "--help"])).is_err()
        || cmd_output(Command::new("python3").args(["-c", "import ensurepip"])).is_err()
    {
        apt_install(&["python3", "python3-venv"], "Python 3 with venv")?;
    }
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}")))?;
    Ok(program)
}

/// Debian's Chromium and its WebDriver, for the browser and end-to-end tests.
pub fn ensure_chromium() -> Result<(), Fail> {
    if std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"], "Chromium and ChromeDriver")
}

/// The environment that builds the shipped PWA with [`WASM_NIGHTLY`]: std
/// rebuilt (`-Zbuild-std`) with its smaller implementations
/// (`optimize_for_size`: 1.5 KB brotli less) and panics that abort without
/// formatting a message (`-Cpanic=immediate-abort`), without `Debug` output or
/// panic locations (`-Zfmt-debug=none -Zlocation-detail=none`: 3.5 KB brotli
/// less; JS errors are worded by `js::text` instead). The rustflags repeat the
/// config's `erase_components`, which this variable replaces.
pub fn wasm_size_build_env() -> [(&'static str, &'static str); 4] {
    [
        ("RUSTUP_TOOLCHAIN", WASM_NIGHTLY),
        ("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort"),
        ("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size"),
        (
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_locked_version_of_exactly_that_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.1\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(parse_locked_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(parse_locked_version(lock, "trunk"), None);
    }

    #[test]
    fn the_projects_lock_pins_the_wasm_bindgen_trunk_is_told_about() {
        let trunk_toml = std::fs::read_to_string(root().join("Trunk.toml")).unwrap();
        let locked = locked_wasm_bindgen_version().unwrap();
        assert!(trunk_toml.contains(&format!("wasm_bindgen = \"{locked}\"")), "Trunk.toml and Cargo.lock disagree");
        assert!(trunk_toml.contains(&format!("wasm_opt = \"version_{BINARYEN_NPM_VERSION}\"")));
    }
    #[test]
    fn reads_the_available_column_of_df() {
        let df = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n\
                  /dev/vda        263174212 91234567   3565432      97% /\n";
        assert_eq!(parse_df_available_kib(df), Some(3_565_432));
        assert_eq!(parse_df_available_kib("Filesystem 1024-blocks\n"), None);
        assert_eq!(parse_df_available_kib("df: /nowhere: No such file or directory\n"), None);
    }

    #[test]
    fn warns_of_a_disk_too_full_for_the_tests_and_only_then() {
        let warning = disk_shortage(3 << 30, TEST_DISK_NEED_BYTES).expect("3 GB is short");
        assert!(warning.contains("3.0 GB free") && warning.contains("No space left on device"), "{warning}");
        assert_eq!(disk_shortage(TEST_DISK_NEED_BYTES, TEST_DISK_NEED_BYTES), None);
    }
}
