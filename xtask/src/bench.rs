//! `cargo xtask bench`: figures that speed and size goals are judged by. Printed
//! as a table, never asserted in tests (these machines are shared and noisy).

use crate::{root, Fail};
use std::path::Path;

pub fn bench() -> Result<(), Fail> {
    crate::build_pwa()?;
    let rows = first_load(&root().join("dist"))?;
    println!("{}", first_load_table("the release PWA (dist/)", &rows, true));
    // The desk: coordinators' bytes, shown beside the volunteers' (which it must not change).
    let desk = first_load(&root().join("dist/desk"))?;
    println!("{}", first_load_table("the coordinators' desk (dist/desk/)", &desk, false));
    // Server ingest and the desk over a city's day: each bench starts the
    // release server itself and prints its table.
    for bench in ["ingest", "desk"] {
        crate::run(crate::cargo().args(["bench", "--locked", "-p", "pantau-server", "--bench", bench]))?;
    }

    // The outbox in Chromium: save latency and delivery time.
    crate::tools::ensure_chromium()?;
    crate::tools::ensure_npm()?;
    crate::run(crate::cargo().args([
        "build",
        "--locked",
        "--profile",
        "bench-server",
        "-p",
        "pantau-server",
        "--features",
        "fault-injection",
    ]))?;
    let e2e = root().join("tests/e2e");
    crate::run(std::process::Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&e2e))?;
    for bench in ["bench/outbox.mjs", "bench/pwa.mjs", "bench/photos.mjs"] {
        crate::run(
            std::process::Command::new("node")
                .arg(bench)
                .current_dir(&e2e)
                .env("PANTAU_SERVER_BIN", root().join("target/bench-server/pantau-server"))
                .env("PANTAU_DIST", root().join("dist"))
                .env("CHROMIUM", crate::tools::CHROMIUM)
                .env("PANTAU_FIRST_VISIT_BUDGET_KB", FIRST_VISIT_BUDGET_KB.to_string()),
        )?;
    }
    Ok(())
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, o: Sizes) {
        self.raw += o.raw;
        self.gzip += o.gzip;
        self.brotli += o.brotli;
    }
}

pub fn sizes(bytes: &[u8]) -> Sizes {
    let (gz, br) = crate::dist::compress(bytes);
    Sizes { raw: bytes.len(), gzip: gz.len(), brotli: br.len() }
}

/// A kind of file ("wasm"), its files, and their sizes together.
type FileGroup = (&'static str, Vec<String>, Sizes);

/// What a first visit downloads: the page and everything Trunk emitted for it,
/// grouped by kind.
fn first_load(dist: &Path) -> Result<Vec<FileGroup>, Fail> {
    let mut groups: Vec<FileGroup> =
        ["html", "js", "wasm", "css"].into_iter().map(|k| (k, Vec::new(), Sizes::default())).collect();
    let entries = std::fs::read_dir(dist).map_err(|e| Fail(format!("reading {}: {e}", dist.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else { continue };
        let Some(group) = groups.iter_mut().find(|(k, _, _)| *k == ext) else { continue };
        let bytes = std::fs::read(&path).map_err(|e| Fail(format!("reading {}: {e}", path.display())))?;
        group.1.push(entry.file_name().to_string_lossy().into_owned());
        group.2 += sizes(&bytes);
    }
    Ok(groups)
}

fn kb(n: usize) -> String {
    format!("{:.1}", n as f64 / 1000.0)
}

/// The most a first visit may transfer, brotli, in KB of 1000 bytes (issue 17).
pub const FIRST_VISIT_BUDGET_KB: usize = 180;

/// Whether `brotli_bytes` is within [`FIRST_VISIT_BUDGET_KB`], and by how much not.
fn budget_line(brotli_bytes: usize) -> String {
    let budget = FIRST_VISIT_BUDGET_KB * 1000;
    if brotli_bytes <= budget {
        format!("Budget: {FIRST_VISIT_BUDGET_KB} KB brotli for a first visit: met.")
    } else {
        format!(
            "Budget: {FIRST_VISIT_BUDGET_KB} KB brotli for a first visit: NOT met, {} KB over.",
            kb(brotli_bytes - budget)
        )
    }
}

/// The table of one app's first-load files; `budgeted`: with the PWA's budget line.
fn first_load_table(app: &str, rows: &[(&'static str, Vec<String>, Sizes)], budgeted: bool) -> String {
    let mut s = format!("\nFirst-load transfer of {app}, KB = 1000 bytes\n\n");
    s.push_str("| file | raw KB | gzip KB | brotli KB |\n|---|---:|---:|---:|\n");
    let mut total = Sizes::default();
    for (kind, files, sz) in rows {
        s.push_str(&format!(
            "| {kind} ({}) | {} | {} | {} |\n",
            files.join(", "),
            kb(sz.raw),
            kb(sz.gzip),
            kb(sz.brotli)
        ));
        total += *sz;
    }
    s.push_str(&format!("| **total** | {} | {} | {} |\n", kb(total.raw), kb(total.gzip), kb(total.brotli)));
    if budgeted {
        s.push_str(&format!("\n{}\n", budget_line(total.brotli)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_shrinks_repetitive_input_and_reports_raw_size() {
        let input = "Pantau ".repeat(1000);
        let s = sizes(input.as_bytes());
        assert_eq!(s.raw, 7000);
        assert!(s.gzip < s.raw / 10 && s.brotli < s.raw / 10, "{s:?}");
    }

    #[test]
    fn the_budget_line_says_whether_it_is_met_and_by_how_much_not() {
        assert!(budget_line(180_000).ends_with("met."), "{}", budget_line(180_000));
        let over = budget_line(243_500);
        assert!(over.contains("NOT met, 63.5 KB over"), "{over}");
    }
}
