//! The PWA's modules in layers: screens above state, state above adapters,
//! adapters above pantau-core. A module may use modules of its own layer or
//! below, and no two modules may use each other, directly or round a cycle.
//! `cargo xtask test` checks it by reading `crate::` paths in `src/`, and
//! checks `core/src/` and `server/src/` for cycles the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module of `src/`, by layer (a larger number sits above).
pub const PWA_LAYERS: &[(&str, u8)] = &[
    // Adapters: the browser's storage, network, clock and words.
    ("api", 0),
    ("ballots", 0),
    ("clock", 0),
    ("drafts", 0),
    ("i18n", 0),
    ("js", 0),
    ("kept", 0),
    ("location", 0),
    ("outbox_store", 0),
    ("photos", 0),
    ("pwa", 0),
    ("second_copy", 0),
    ("store_error", 0),
    // State: what the screens share, and how it changes.
    ("enrolment", 1),
    ("outbox", 1),
    ("profile", 1),
    ("routes", 1),
    ("startup", 1),
    ("sync", 1),
    // Screens.
    ("app", 2),
    ("forms", 2),
    ("pages", 2),
];

/// Each top-level module of the desk's `desk/src/`, by layer, as for the PWA.
pub const DESK_LAYERS: &[(&str, u8)] = &[
    // Adapters: HTTP, the live feed's connection, storage keys, time, sound, words.
    ("api", 0),
    ("clock", 0),
    ("i18n", 0),
    ("kept", 0),
    ("live", 0),
    ("sound", 0),
    // State: who is signed in, what arrived, which screen.
    ("feed", 1),
    ("routes", 1),
    ("session", 1),
    // Screens.
    ("app", 2),
    ("pages", 2),
];

/// Which top-level modules each module of `src_dir` uses (through `crate::`).
pub fn uses(src_dir: &Path) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = Vec::new();
    collect(src_dir, &mut files).map_err(|e| format!("reading {}: {e}", src_dir.display()))?;
    for file in files {
        let relative = file.strip_prefix(src_dir).expect("collected below src_dir");
        let first = relative.components().next().expect("a file has a name").as_os_str().to_string_lossy();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
        let used = uses.entry(module.clone()).or_default();
        for other in crate_paths(&text) {
            if other != module {
                used.insert(other);
            }
        }
    }
    Ok(uses)
}

/// The first segment after each `crate::` in `text`, and in `use crate::{a, b}`.
/// Doc comments count (a doc link names what a module leans on); plain `//`
/// comments do not, and neither does a file's inline test module from its
/// `#[cfg(test)]` on: tests may reach for any module to set up what they check.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let lines: Vec<&str> = text.lines().collect();
    let test_module = lines.windows(2).position(|w| {
        w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod ") && w[1].trim_end().ends_with('{')
    });
    let code: String = lines[..test_module.unwrap_or(lines.len())]
        .iter()
        .filter(|l| {
            let l = l.trim_start();
            !l.starts_with("//") || l.starts_with("///") || l.starts_with("//!")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let text = code.as_str();
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        // `pantau_core::…` and the like end in "crate::" only when preceded by a name.
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            found.extend(group.split(',').filter_map(|p| first_name(p.trim())));
        } else if let Some(name) = first_name(rest) {
            found.insert(name);
        }
    }
    found
}

fn first_name(path: &str) -> Option<String> {
    let name: String = path.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    (!name.is_empty() && name != "self").then_some(name)
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

/// Every use that points upwards, every module with no layer, and every cycle.
pub fn problems(uses: &BTreeMap<String, BTreeSet<String>>, layers: &[(&str, u8)]) -> Vec<String> {
    let layer = |m: &str| layers.iter().find(|(name, _)| *name == m).map(|(_, l)| *l);
    let mut problems = Vec::new();
    for (module, used) in uses {
        let Some(own) = layer(module) else {
            problems.push(format!("module `{module}` has no layer in xtask/src/layers.rs"));
            continue;
        };
        for other in used {
            match layer(other) {
                Some(l) if l > own => {
                    problems.push(format!("`{module}` (layer {own}) uses `{other}` (layer {l}) above it"))
                }
                _ => {}
            }
        }
    }
    problems.extend(cycles(uses).into_iter().map(|c| format!("modules use each other: {}", c.join(" -> "))));
    problems
}

/// One path round each cycle found (depth-first).
fn cycles(uses: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn visit(
        m: &str,
        uses: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        if let Some(start) = path.iter().position(|p| p == m) {
            let mut cycle = path[start..].to_vec();
            cycle.push(m.to_owned());
            found.push(cycle);
            return;
        }
        if done.contains(m) {
            return;
        }
        path.push(m.to_owned());
        for next in uses.get(m).into_iter().flatten().filter(|n| uses.contains_key(*n)) {
            visit(next, uses, path, done, found);
        }
        path.pop();
        done.insert(m.to_owned());
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for m in uses.keys() {
        visit(m, uses, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

/// Checks the PWA's `src/` against [`PWA_LAYERS`] and the desk's against
/// [`DESK_LAYERS`], and that no two modules of pantau-core (`core/src/`) or
/// pantau-server (`server/src/`) use each other.
pub fn check(root: &Path) -> Result<(), Vec<String>> {
    let pwa = uses(&root.join("src")).map_err(|e| vec![e])?;
    let mut found = problems(&pwa, PWA_LAYERS);
    let desk = uses(&root.join("desk/src")).map_err(|e| vec![e])?;
    found.extend(problems(&desk, DESK_LAYERS).into_iter().map(|p| format!("pantau-desk: {p}")));
    for (name, dir) in [("pantau-core", "core/src"), ("pantau-server", "server/src")] {
        let graph = uses(&root.join(dir)).map_err(|e| vec![e])?;
        found.extend(cycles(&graph).into_iter().map(|c| format!("{name} modules use each other: {}", c.join(" -> "))));
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
        edges.iter().map(|(m, u)| (m.to_string(), u.iter().map(|s| s.to_string()).collect())).collect()
    }

    #[test]
    fn paths_are_read_from_uses_and_expressions_but_not_from_other_crates() {
        let text = "use crate::outbox::PhoneOutbox;\nuse crate::{clock, i18n::I18n};\nlet x = crate::kept::keep();\nuse pantau_core::validation;\n/// [`crate::sync`]\n    // crate::app\nuse crate::self_test;\n#[cfg(test)]\nmod fixtures;\nuse crate::routes;\n#[cfg(test)]\nmod tests {\nuse crate::startup; }";
        let found: Vec<String> = crate_paths(text).into_iter().collect();
        assert_eq!(found, ["clock", "i18n", "kept", "outbox", "routes", "self_test", "sync"]);
    }

    #[test]
    fn an_upward_use_and_a_cycle_are_named() {
        let layers = [("a", 0), ("b", 0), ("s", 2)];
        assert!(problems(&graph(&[("a", &[]), ("b", &["a"]), ("s", &["a", "b"])]), &layers).is_empty());
        let upward = problems(&graph(&[("a", &["s"]), ("s", &[])]), &layers);
        assert_eq!(upward, ["`a` (layer 0) uses `s` (layer 2) above it"]);
        let cycle = problems(&graph(&[("a", &["b"]), ("b", &["a"])]), &layers);
        assert_eq!(cycle, ["modules use each other: a -> b -> a"]);
        let unknown = problems(&graph(&[("z", &[])]), &layers);
        assert_eq!(unknown, ["module `z` has no layer in xtask/src/layers.rs"]);
    }

    #[test]
    fn the_pwa_is_layered_and_core_and_server_have_no_cycles() {
        assert_eq!(check(&crate::root()), Ok(()));
    }
}
