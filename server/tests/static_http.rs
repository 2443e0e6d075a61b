//! The built PWA as pantau-server serves it: precompressed files chosen by
//! Accept-Encoding, and cache headers by kind of file.

mod common;

use common::TestServer;
use pantau_server::Config;

/// A dist/ folder as `cargo xtask build` leaves it: hashed names, .br/.gz twins.
fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &[u8]| std::fs::write(dir.path().join(name), body).unwrap();
    write("index.html", b"<!DOCTYPE html><html><body>Pantau</body></html>");
    write("index.html.br", b"BROTLI-INDEX");
    write("index.html.gz", b"GZIP-INDEX");
    write("pantau-0123456789abcdef_bg.wasm", b"\0asm-plain");
    write("pantau-0123456789abcdef_bg.wasm.br", b"BROTLI-WASM");
    write("pantau-0123456789abcdef_bg.wasm.gz", b"GZIP-WASM");
    write("sw.js", b"// worker");
    write("manifest.webmanifest", b"{}");
    dir
}

#[tokio::test]
async fn the_build_is_sent_precompressed_as_the_browser_asks_and_hashed_files_are_kept_a_year() {
    let dist = dist();
    let server =
        TestServer::start_with(Config { static_dir: Some(dist.path().to_path_buf()), ..Config::default() }).await;
    let get = |path: &'static str, encoding: &'static str| {
        server.http.get(server.url(path)).header("accept-encoding", encoding).send()
    };
    // reqwest here decompresses nothing (no compression features): bytes as sent.
    let wasm = get("/pantau-0123456789abcdef_bg.wasm", "gzip, deflate, br").await.unwrap();
    assert_eq!(wasm.headers()["content-encoding"], "br");
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(
        wasm.headers()["vary"],
        "accept-encoding",
        "a shared cache must not hand brotli to a client that asked for gzip"
    );
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), b"BROTLI-WASM");

    let gz = get("/pantau-0123456789abcdef_bg.wasm", "gzip").await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.bytes().await.unwrap().as_ref(), b"GZIP-WASM");

    let plain = get("/pantau-0123456789abcdef_bg.wasm", "identity").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm-plain");

    // The page, the worker and the manifest are checked on every load, so a new build is seen at once.
    for path in ["/", "/sw.js", "/manifest.webmanifest"] {
        let response = get(path, "br").await.unwrap();
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
    }
    let index = get("/", "br").await.unwrap();
    assert_eq!(index.headers()["content-encoding"], "br");
    // An old hashed name that no longer exists gets index.html, never cached under that name.
    let stale = get("/pantau-fedcba9876543210_bg.wasm", "identity").await.unwrap();
    assert_eq!(stale.headers()["cache-control"], "no-cache");
    // The API is never stored.
    let api = get("/api/v1/health", "br").await.unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
}

#[test]
fn cache_policy_recognises_trunks_hashed_names_only() {
    use pantau_server::cache_policy;
    assert_eq!(cache_policy("/style-c2c23eb608adec2f.css"), "public, max-age=31536000, immutable");
    assert_eq!(cache_policy("/pantau-a7df2924ec991512.js"), "public, max-age=31536000, immutable");
    assert_eq!(cache_policy("/icons/pantau-192.png"), "no-cache");
    assert_eq!(cache_policy("/index.html"), "no-cache");
    assert_eq!(cache_policy("/api/v1/reports"), "no-store");
}
