//! What `cargo xtask build` does to Trunk's output in `dist/`: scripts and
//! styles are minified (and renamed after their new content), the service
//! worker gets its version and precache list from the files of this build, and
//! every compressible file gets `.br` and `.gz` twins for the server to send
//! as they are (no compression work per request, best compression ratio).

use crate::Fail;
use std::io::Write;
use std::path::{Path, PathBuf};

const SERVICE_WORKER: &str = "sw.js";
const COMPRESSIBLE: [&str; 7] = ["html", "js", "wasm", "css", "webmanifest", "svg", "json"];

/// Every file of the build, as paths relative to `dist`, sorted; compressed
/// twins and the service worker itself excluded.
pub fn build_files(dist: &Path) -> Result<Vec<String>, Fail> {
    let mut files = Vec::new();
    let mut dirs = vec![dist.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Fail(format!("reading {}: {e}", dir.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let relative = path.strip_prefix(dist).expect("under dist").to_string_lossy().replace('\\', "/");
            if relative == SERVICE_WORKER || relative.ends_with(".br") || relative.ends_with(".gz") {
                continue;
            }
            files.push(relative);
        }
    }
    files.sort();
    Ok(files)
}

/// FNV-1a over names and contents: a short id that changes whenever any file does.
pub fn version(dist: &Path, files: &[String]) -> Result<String, Fail> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for file in files {
        feed(file.as_bytes());
        feed(&std::fs::read(dist.join(file)).map_err(|e| Fail(format!("reading {file}: {e}")))?);
    }
    Ok(format!("{hash:016x}"))
}

/// What the service worker fetches at install: every file the app needs to
/// open and work offline. Icons are left to the browser, which fetches them
/// when it installs the app: precaching them would cost every volunteer ~25 KB
/// of prepaid data for nothing the app shows. The coordinators' desk (`desk/`)
/// is another app, which volunteers never download.
pub fn precached(files: &[String]) -> Vec<String> {
    files.iter().filter(|f| !f.starts_with("icons/") && !f.starts_with("desk/")).cloned().collect()
}

/// The service worker source with its placeholders filled.
pub fn service_worker(template: &str, version: &str, files: &[String]) -> Result<String, Fail> {
    if !template.contains("__PANTAU_VERSION__") || !template.contains("__PANTAU_PRECACHE__") {
        return Err(Fail("sw.js has no __PANTAU_VERSION__ / __PANTAU_PRECACHE__ placeholder".into()));
    }
    let list: Vec<String> = files.iter().map(|f| format!("'/{f}'")).collect();
    Ok(template
        .replace("__PANTAU_VERSION__", version)
        .replace("__PANTAU_PRECACHE__", &format!("[{}]", list.join(", "))))
}

/// The volunteers' app's files: everything but the desk, which volunteers
/// never load, so a desk-only change is no update for their phones.
fn volunteer_files(files: &[String]) -> Vec<String> {
    files.iter().filter(|f| !f.starts_with("desk/")).cloned().collect()
}

pub fn finish(dist: &Path) -> Result<(), Fail> {
    let files = build_files(dist)?;
    let version = version(dist, &volunteer_files(&files))?;
    let sw_path = dist.join(SERVICE_WORKER);
    let template =
        std::fs::read_to_string(&sw_path).map_err(|e| Fail(format!("reading {}: {e}", sw_path.display())))?;
    std::fs::write(&sw_path, service_worker(&template, &version, &precached(&files))?)
        .map_err(|e| Fail(format!("writing {}: {e}", sw_path.display())))?;
    let mut compressed = 0;
    for file in files.iter().chain(std::iter::once(&SERVICE_WORKER.to_owned())) {
        let path = dist.join(file);
        if path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e)) {
            precompress(&path)?;
            compressed += 1;
        }
    }
    eprintln!(
        "xtask: dist/ version {version}: {} files precached, {compressed} precompressed (.br, .gz)",
        precached(&files).len()
    );
    Ok(())
}

/// Minifies every script and style of the build with `esbuild`. A file Trunk
/// named after its content is renamed after its new content, and the pages
/// that load it are pointed at the new name with a new `integrity`: a phone
/// holding the old name for a year must never meet a page expecting other bytes.
pub fn minify(dist: &Path, esbuild: &Path) -> Result<(), Fail> {
    let files = build_files(dist)?;
    let scripts_and_styles = files.iter().filter(|f| f.ends_with(".js") || f.ends_with(".css"));
    let mut renamed = Vec::new();
    for file in scripts_and_styles.chain(std::iter::once(&SERVICE_WORKER.to_owned())) {
        let path = dist.join(file);
        crate::run(
            std::process::Command::new(esbuild)
                .args(["--minify", "--log-level=warning", "--allow-overwrite"])
                .arg(format!("--outfile={}", path.display()))
                .arg(&path),
        )?;
        let bytes = std::fs::read(&path).map_err(|e| Fail(format!("reading {}: {e}", path.display())))?;
        if let Some(new) = content_name(file, &bytes) {
            std::fs::rename(&path, dist.join(&new)).map_err(|e| Fail(format!("renaming {file}: {e}")))?;
            renamed.push((file.clone(), new));
        }
    }
    for page in files.iter().filter(|f| f.ends_with(".html")) {
        let path = dist.join(page);
        let html = std::fs::read_to_string(&path).map_err(|e| Fail(format!("reading {}: {e}", path.display())))?;
        let html = renamed.iter().fold(html, |html, (old, new)| html.replace(&format!("/{old}"), &format!("/{new}")));
        // A name written otherwise (relative, say) would now load a deleted file.
        let file_name = |f: &str| f.rsplit('/').next().unwrap_or_default().to_owned();
        if let Some((old, _)) = renamed.iter().find(|(old, _)| html.contains(&file_name(old))) {
            return Err(Fail(format!("{page} still names {old}, renamed after minifying: load it by its /path")));
        }
        let folder = page.rsplit_once('/').map_or(String::new(), |(folder, _)| format!("{folder}/"));
        let html = with_integrity(&html, |href| {
            let href = href.split(['?', '#']).next().unwrap_or_default();
            let file = href.strip_prefix('/').map_or_else(|| format!("{folder}{href}"), str::to_owned);
            std::fs::read(dist.join(&file)).map_err(|e| Fail(format!("reading {href} for {page}: {e}")))
        })?;
        std::fs::write(&path, html).map_err(|e| Fail(format!("writing {}: {e}", path.display())))?;
    }
    Ok(())
}

/// `name` with its content hash replaced by one of `bytes`, for a file Trunk
/// named `<stem>-<hex hash>.<ext>`; `None` for a file named otherwise.
fn content_name(name: &str, bytes: &[u8]) -> Option<String> {
    use sha2::Digest;
    let (stem, ext) = name.rsplit_once('.')?;
    let (base, hash) = stem.rsplit_once('-')?;
    if !(12..=16).contains(&hash.len()) || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digest = sha2::Sha384::digest(bytes);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    Some(format!("{base}-{hex}.{ext}"))
}

/// The page with every `integrity="sha384-…"` recomputed from the file its
/// tag's `href` names, read by `read`.
fn with_integrity(html: &str, read: impl Fn(&str) -> Result<Vec<u8>, Fail>) -> Result<String, Fail> {
    use base64::Engine;
    use sha2::Digest;
    const ATTRIBUTE: &str = "integrity=\"";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(ATTRIBUTE) {
        let value_start = at + ATTRIBUTE.len();
        let value_end = value_start
            + rest[value_start..].find('"').ok_or_else(|| Fail("an integrity attribute has no end".into()))?;
        let tag = &rest[rest[..at].rfind('<').unwrap_or(0)..];
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let href = tag
            .split_once("href=\"")
            .and_then(|(_, after)| after.split_once('"'))
            .map(|(href, _)| href)
            .ok_or_else(|| Fail(format!("a tag with integrity names no href: {tag}")))?;
        let digest = sha2::Sha384::digest(read(href)?);
        out.push_str(&rest[..value_start]);
        out.push_str("sha384-");
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(digest));
        rest = &rest[value_end..];
    }
    out.push_str(rest);
    Ok(out)
}

/// gzip and brotli at their best settings: what the server sends, and what
/// the bundle table measures.
pub fn compress(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).expect("writing to memory");
    let gz = gz.finish().expect("writing to memory");
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        w.write_all(bytes).expect("writing to memory");
    }
    (gz, br)
}

fn precompress(path: &Path) -> Result<(), Fail> {
    let bytes = std::fs::read(path).map_err(|e| Fail(format!("reading {}: {e}", path.display())))?;
    let with_suffix = |suffix: &str| -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let (gz, br) = compress(&bytes);
    for (suffix, data) in [(".gz", gz), (".br", br)] {
        let target = with_suffix(suffix);
        std::fs::write(&target, data).map_err(|e| Fail(format!("writing {}: {e}", target.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_worker_lists_every_build_file_and_its_version_follows_the_content() {
        let dir = std::env::temp_dir().join(format!("pantau-dist-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("icons")).unwrap();
        std::fs::write(dir.join("index.html"), "<html>").unwrap();
        std::fs::write(dir.join("app-0123456789abcdef.js"), "code").unwrap();
        std::fs::write(dir.join("icons/a.png"), "png").unwrap();
        std::fs::write(dir.join("sw.js"), "const V='__PANTAU_VERSION__'; const P=__PANTAU_PRECACHE__;").unwrap();
        std::fs::write(dir.join("index.html.br"), "old").unwrap();
        std::fs::create_dir_all(dir.join("desk")).unwrap();
        std::fs::write(dir.join("desk/index.html"), "<html>meja").unwrap();
        let files = build_files(&dir).unwrap();
        assert_eq!(files, ["app-0123456789abcdef.js", "desk/index.html", "icons/a.png", "index.html"]);
        let v1 = version(&dir, &volunteer_files(&files)).unwrap();
        finish(&dir).unwrap();
        let sw = std::fs::read_to_string(dir.join("sw.js")).unwrap();
        assert_eq!(sw, format!("const V='{v1}'; const P=['/app-0123456789abcdef.js', '/index.html'];"));
        assert!(dir.join("desk/index.html.br").exists(), "the desk is sent compressed too");
        std::fs::write(dir.join("desk/index.html"), "<html>meja baru").unwrap();
        assert_eq!(version(&dir, &volunteer_files(&files)).unwrap(), v1, "a desk change is no update for phones");
        assert!(dir.join("app-0123456789abcdef.js.br").exists() && dir.join("index.html.gz").exists());
        assert!(!dir.join("icons/a.png.br").exists(), "images are not compressed again");
        std::fs::write(dir.join("app-0123456789abcdef.js"), "changed").unwrap();
        assert_ne!(version(&dir, &files).unwrap(), v1, "a changed file is a new version");
        assert!(service_worker("no placeholders", &v1, &files).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_minified_file_gets_a_name_after_its_new_content_and_others_keep_theirs() {
        let a = content_name("desk/pantau-desk-29801d63da5ab312.js", b"minified").unwrap();
        let b = content_name("desk/pantau-desk-29801d63da5ab312.js", b"minified again").unwrap();
        assert!(a.starts_with("desk/pantau-desk-") && a.ends_with(".js") && a != b, "{a} {b}");
        assert_eq!(a.len(), "desk/pantau-desk-29801d63da5ab312.js".len());
        assert_eq!(content_name("style-f1a74982772e060.css", b"x").map(|n| n.len()), Some("style-".len() + 16 + 4));
        assert_eq!(content_name("photo-worker.js", b"x"), None, "not named after its content");
        assert_eq!(content_name("sw.js", b"x"), None);
    }

    #[test]
    fn every_integrity_is_recomputed_from_the_file_its_tag_names() {
        let page = concat!(
            r#"<link rel="stylesheet" href="/style-1.css" integrity="sha384-old"/>"#,
            r#"<script type="module">import init from '/app-2.js';</script>"#,
            r#"<link rel="modulepreload" href="/app-2.js" crossorigin="anonymous" integrity="sha384-stale">"#,
            r#"<link rel="icon" href="/pantau.svg">"#,
        );
        let read = |href: &str| match href {
            "/style-1.css" => Ok(b"body{}".to_vec()),
            "/app-2.js" => Ok(b"export default 1".to_vec()),
            other => Err(Fail(format!("not in the build: {other}"))),
        };
        let fixed = with_integrity(page, read).unwrap();
        // `openssl dgst -sha384 -binary | base64` of each content.
        assert!(fixed.contains(r#"href="/style-1.css" integrity="sha384-myyg/hQ74aSgjBBvVME/QXAXEkT4Y9dHbVQ5C0lIyGpldvNLJV2IWc5ElXbqLi06""#), "{fixed}");
        assert!(
            fixed.contains(r#"integrity="sha384-0DeSvYsDquR15dA3vw6sdT+tE32nJCBO6Aklkh06a82PqZy0X9FKOJD+lF0u7oz4">"#),
            "{fixed}"
        );
        assert!(fixed.ends_with(r#"<link rel="icon" href="/pantau.svg">"#));
        let missing = with_integrity(r#"<link href="/gone.js" integrity="sha384-x">"#, read);
        assert!(missing.is_err_and(|Fail(e)| e.contains("/gone.js")));
    }
}
