//! Packs the built apps (the workspace's `dist/`, when it holds a build) into
//! the binary, so that `pantau-server serve` without `--static-dir` serves
//! them. Format, per file in name order: u32 name length, the name (relative,
//! `/`-separated), u64 size, the bytes; all little-endian.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dist = manifest.join("../dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        collect(&dist, &dist, &mut files);
    }
    files.sort();
    let mut pack = Vec::new();
    for (name, path) in files {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        pack.extend((name.len() as u32).to_le_bytes());
        pack.extend(name.as_bytes());
        pack.extend((bytes.len() as u64).to_le_bytes());
        pack.extend(bytes);
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("apps.pack");
    std::fs::write(&out, pack).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())).flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(name) = path.strip_prefix(root) {
            let name: Vec<String> = name.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            files.push((name.join("/"), path));
        }
    }
}
