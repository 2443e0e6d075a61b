//! `cargo xtask bench`: figures that speed and size goals are judged by. Printed
//! as a table, never asserted in tests (these machines are shared and noisy).

use crate::{root, Fail};
use std::path::Path;

pub fn bench() -> Result<(), Fail> {
    bytes()?;
    // Server ingest and the desk over a city's day: each bench starts the
    // release server itself and prints its table.
    // Ingest runs on SQLite and, in a throw-away cluster, on PostgreSQL.
    crate::tools::ensure_postgresql()?;
    let cargo = crate::cargo();
    crate::run(
        std::process::Command::new("pg_virtualenv")
            .arg(cargo.get_program())
            .args(["bench", "--locked", "-p", "pantau-server", "--bench", "ingest"])
            .current_dir(root())
            .envs(cargo.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .env("PANTAU_BENCH_POSTGRES", "postgres:///postgres"),
    )?;
    crate::run(crate::cargo().args(["bench", "--locked", "-p", "pantau-server", "--bench", "desk"]))?;

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

/// The bytes tables alone: what a first visit fetches and where the wasm's bytes go.
pub fn bytes() -> Result<(), Fail> {
    crate::build_pwa()?;
    let rows = first_load(&root().join("dist"))?;
    println!("{}", first_load_table("the release PWA (dist/)", &rows, true));
    println!("{}", wasm_profile()?);
    println!("{}", photo_cost(&rows)?);
    // The desk: coordinators' bytes, shown beside the volunteers' (which it must not change).
    let desk = first_load(&root().join("dist/desk"))?;
    println!("{}", first_load_table("the coordinators' desk (dist/desk/)", &desk, false));
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

/// The PWA's wasm by item and by crate: twiggy over the size build, given
/// back its names (wasm-bindgen and wasm-opt as Trunk runs them, names kept).
/// Sizes are before compression; brotli shrinks code about 3.5 times.
fn wasm_profile() -> Result<String, Fail> {
    crate::tools::ensure_twiggy()?;
    let built = root().join("target/wasm32-unknown-unknown/wasm-release/pantau.wasm");
    let dir = root().join("target/wasm-profile");
    std::fs::create_dir_all(&dir).map_err(|e| Fail(format!("creating {}: {e}", dir.display())))?;
    crate::run(
        std::process::Command::new("wasm-bindgen")
            .args(["--target", "web", "--keep-debug", "--out-dir"])
            .arg(&dir)
            .arg(&built),
    )?;
    let named = dir.join("named.wasm");
    crate::run(
        std::process::Command::new(crate::tools::wasm_opt())
            .arg("-Oz")
            .arg("--debuginfo")
            .args(["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext"])
            .args(["--enable-mutable-globals"])
            .arg(dir.join("pantau_bg.wasm"))
            .arg("-o")
            .arg(&named),
    )?;
    let table = crate::cmd_output(std::process::Command::new("twiggy").args(["top", "-n", "100000"]).arg(&named))?;
    let items: Vec<(usize, String)> = table
        .lines()
        .filter_map(|line| {
            let mut cells = line.split('┊');
            let bytes = cells.next()?.trim().parse().ok()?;
            let name = cells.nth(1)?.trim();
            let summary = name.contains("function names") || name.starts_with("...") || name.starts_with('Σ');
            (!summary).then(|| (bytes, without_hashes(name)))
        })
        .collect();
    let mut out = String::from(
        "
The PWA's wasm, largest items (twiggy; bytes before compression)

| bytes | item |
|---:|---|
",
    );
    for (bytes, name) in items.iter().take(10) {
        let short: String = name.chars().take(110).collect();
        out.push_str(&format!(
            "| {bytes} | `{}` |
",
            short.replace('|', "\\|")
        ));
    }
    let wasm = std::fs::read(&named).map_err(|e| Fail(format!("reading {}: {e}", named.display())))?;
    let crates = compressed_by_crate(&wasm).map_err(|e| Fail(format!("reading {}: {e}", named.display())))?;
    out.push_str(
        "
By crate (the first crate named in each function; data segments apart). Brotli
alone is each crate's code compressed by itself: about what leaving it out would save.

| crate | bytes | brotli alone KB |
|---|---:|---:|
",
    );
    for (name, raw, brotli) in crates.iter().take(14) {
        out.push_str(&format!("| {name} | {raw} | {} |\n", kb(*brotli)));
    }
    let (raw, brotli) = crates.iter().fold((0, 0), |(r, b), c| (r + c.1, b + c.2));
    out.push_str(&format!("| all {} crates | {raw} | {} |\n", crates.len(), kb(brotli)));
    Ok(out)
}

/// The wasm's function bodies and data grouped by [`crate_of`] their names
/// (the name section): (crate, bytes, brotli bytes of the group alone), the
/// largest compressed first.
fn compressed_by_crate(wasm: &[u8]) -> Result<Vec<(String, usize, usize)>, wasmparser::BinaryReaderError> {
    use wasmparser::{KnownCustom, Name, Payload, TypeRef};
    let mut imported = 0;
    let mut bodies = Vec::new();
    let mut data = Vec::new();
    let mut names = std::collections::HashMap::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    imported += u32::from(matches!(import?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)));
                }
            }
            Payload::CodeSectionEntry(body) => {
                let range = body.range();
                bodies.push(&wasm[range.start as usize..range.end as usize]);
            }
            Payload::DataSection(segments) => {
                for segment in segments {
                    data.extend_from_slice(segment?.data);
                }
            }
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    for subsection in reader {
                        if let Name::Function(map) = subsection? {
                            for naming in map {
                                let naming = naming?;
                                names.insert(naming.index, naming.name);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut groups: Vec<(String, Vec<u8>)> = vec![("(data)".into(), data)];
    for (i, body) in bodies.into_iter().enumerate() {
        let owner =
            names.get(&(imported + i as u32)).map_or_else(|| "(no name)".into(), |n| crate_of(&without_hashes(n)));
        match groups.iter_mut().find(|(c, _)| *c == owner) {
            Some(group) => group.1.extend_from_slice(body),
            None => groups.push((owner, body.to_vec())),
        }
    }
    let mut sized: Vec<_> = groups.into_iter().map(|(c, bytes)| (c, bytes.len(), sizes(&bytes).brotli)).collect();
    sized.sort_by_key(|c| std::cmp::Reverse(c.2));
    Ok(sized)
}

/// A symbol without rustc's `[0123456789abcdef]` crate hashes.
fn without_hashes(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find('[') {
        let hash = rest.get(at + 1..at + 17).unwrap_or_default();
        let closes = rest.get(at + 17..at + 18) == Some("]");
        out.push_str(&rest[..at]);
        if closes && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            rest = &rest[at + 18..];
        } else {
            out.push('[');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// The crate an item belongs to: the first path's first segment (`<pantau_core::…`: `pantau_core`).
fn crate_of(name: &str) -> String {
    if name.starts_with("data segment") {
        return "(data)".into();
    }
    let start = name.trim_start_matches(['<', '&', '(', ' ']).trim_start_matches("mut ").trim_start_matches("dyn ");
    let start = start.strip_prefix("_ as ").unwrap_or(start);
    start.split("::").next().unwrap_or(start).to_owned()
}

fn kb(n: usize) -> String {
    format!("{:.1}", n as f64 / 1000.0)
}

/// The most photos may add to a first visit, brotli, in KB (issue 15).
pub const PHOTO_BUDGET_KB: usize = 10;

/// What photos add to a first visit: the PWA's first load (`with_photos`)
/// against the same PWA built without its `photos` feature and photo worker.
fn photo_cost(with_photos: &[FileGroup]) -> Result<String, Fail> {
    let dist = root().join("target/pwa-without-photos");
    crate::build_pwa_without_photos(&dist)?;
    let without = first_load(&dist)?;
    let style = root().join("public/style.css");
    let css = std::fs::read_to_string(&style).map_err(|e| Fail(format!("reading {}: {e}", style.display())))?;
    let trimmed = dist.join("style-without-photo-rules.css");
    std::fs::write(&trimmed, without_photo_rules(&css))
        .map_err(|e| Fail(format!("writing {}: {e}", trimmed.display())))?;
    // Minified as the build ships the stylesheet.
    let shipped = |file: &Path| -> Result<usize, Fail> {
        let minified = crate::cmd_output(
            std::process::Command::new(crate::tools::esbuild()).args(["--minify", "--log-level=warning"]).arg(file),
        )?;
        Ok(sizes(minified.as_bytes()).brotli)
    };
    let rules_cost = shipped(&style)?.saturating_sub(shipped(&trimmed)?);
    std::fs::remove_file(&trimmed).map_err(|e| Fail(format!("removing {}: {e}", trimmed.display())))?;
    Ok(photo_cost_table(with_photos, &without, rules_cost))
}

/// The selectors of the rules only photos use.
const PHOTO_SELECTORS: [&str; 4] = [".thumbs", ".photo-buttons", ".tap-area", ".label:empty"];

/// `css` (one rule a line) without the rules only the photo field uses. Both
/// builds carry the whole stylesheet, so what those rules cost is measured
/// apart: the stylesheet minified and compressed with them and without.
fn without_photo_rules(css: &str) -> String {
    css.lines().filter(|line| !PHOTO_SELECTORS.iter().any(|s| line.starts_with(s))).collect::<Vec<_>>().join("\n")
}

/// The cost table: each kind of file with photos and without, then the photo
/// field's CSS rules (`photo_css`, brotli bytes).
fn photo_cost_table(with_photos: &[FileGroup], without: &[FileGroup], photo_css: usize) -> String {
    let mut s =
        String::from("\nWhat photos cost a first visit (the PWA without its `photos` feature and photo worker)\n\n");
    s.push_str("| file | with photos, brotli KB | without, brotli KB | photos cost, KB |\n|---|---:|---:|---:|\n");
    let (mut with_total, mut without_total) = (0, 0);
    for (kind, _, with) in with_photos {
        let without = without.iter().find(|(k, _, _)| k == kind).map_or(0, |(_, _, sz)| sz.brotli);
        s.push_str(&format!(
            "| {kind} | {} | {} | {} |\n",
            kb(with.brotli),
            kb(without),
            signed_kb(with.brotli, without)
        ));
        with_total += with.brotli;
        without_total += without;
    }
    s.push_str(&format!("| css rules of the photo field (in both builds) | | | {} |\n", kb(photo_css)));
    with_total += photo_css;
    s.push_str(&format!(
        "| **total** | {} | {} | **{}** |\n",
        kb(with_total - photo_css),
        kb(without_total),
        signed_kb(with_total, without_total)
    ));
    let cost = with_total.saturating_sub(without_total);
    let verdict = if cost <= PHOTO_BUDGET_KB * 1000 { "met" } else { "NOT met" };
    s.push_str(&format!("\nPhotos: at most {PHOTO_BUDGET_KB} KB brotli of a first visit: {verdict}.\n"));
    s
}

/// `a - b` in KB, with its sign (none on what rounds to 0.0).
fn signed_kb(a: usize, b: usize) -> String {
    match kb(a.abs_diff(b)) {
        shown if a >= b || shown == "0.0" => shown,
        shown => format!("-{shown}"),
    }
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
    fn crate_hashes_leave_names_and_items_are_told_by_their_crate() {
        let name =
            "<pantau_core[e504a14d2562c3be]::report::ReportBody as serde_core[9aa0995e90de62c1]::de::Deserialize>";
        let plain = without_hashes(name);
        assert_eq!(plain, "<pantau_core::report::ReportBody as serde_core::de::Deserialize>");
        assert_eq!(crate_of(&plain), "pantau_core");
        assert_eq!(without_hashes("a[0] [x]"), "a[0] [x]");
        assert_eq!(crate_of("data segment \".rodata.20\""), "(data)");
    }

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

    #[test]
    fn the_photo_rules_are_those_of_the_photo_field_only() {
        let css = ".thumbs li { width: 96px; }\n.label { margin: 0; }\n.photo-buttons { gap: 8px; }\n.tap-area { opacity: 0; }";
        assert_eq!(without_photo_rules(css), ".label { margin: 0; }");
        // The real stylesheet has each, one rule a line.
        let real = std::fs::read_to_string(root().join("public/style.css")).unwrap();
        for selector in PHOTO_SELECTORS {
            assert!(real.contains(selector) && !without_photo_rules(&real).contains(selector), "{selector}");
        }
    }

    #[test]
    fn the_photo_cost_is_the_first_load_with_photos_less_the_one_without() {
        let load = |wasm: usize, js: usize| -> Vec<FileGroup> {
            vec![
                ("js", vec![], Sizes { brotli: js, ..Sizes::default() }),
                ("wasm", vec![], Sizes { brotli: wasm, ..Sizes::default() }),
            ]
        };
        let table = photo_cost_table(&load(250_000, 9_000), &load(242_000, 7_500), 200);
        assert!(table.contains("| js | 9.0 | 7.5 | 1.5 |"), "{table}");
        assert!(table.contains("(in both builds) | | | 0.2 |"), "{table}");
        assert!(table.contains("| **total** | 259.0 | 249.5 | **9.7** |"), "{table}");
        assert!(table.contains("10 KB brotli of a first visit: met."), "{table}");
        // The CSS rules count: without them this would be met.
        let table = photo_cost_table(&load(251_900, 9_000), &load(242_000, 7_500), 200);
        assert!(table.contains("**11.6**") && table.contains("NOT met."), "{table}");
        // A part that shrinks with photos in (the JS glue may) counts against the cost.
        let table = photo_cost_table(&load(251_000, 7_000), &load(242_000, 7_500), 0);
        assert!(table.contains("| js | 7.0 | 7.5 | -0.5 |") && table.contains("**8.5**"), "{table}");
        assert_eq!(signed_kb(600, 620), "0.0");
    }
}
