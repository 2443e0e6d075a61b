//! The built PWA as pantau-server serves it: precompressed files chosen by
//! Accept-Encoding, and cache headers by kind of file.

use crate::common::TestServer;
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
    // An old hashed name that no longer exists is a 404, never index.html (a
    // service worker would precache the page as the wasm), and not kept.
    let stale = get("/pantau-fedcba9876543210_bg.wasm", "identity").await.unwrap();
    assert_eq!(stale.status(), reqwest::StatusCode::NOT_FOUND);
    assert_eq!(stale.headers()["cache-control"], "no-cache");
    // A path without a file name is a screen of the app: index.html.
    let screen = get("/kotak-keluar", "identity").await.unwrap();
    assert_eq!(screen.status(), reqwest::StatusCode::OK);
    assert!(screen.text().await.unwrap().contains("Pantau"));
    // The API is never stored.
    let api = get("/api/v1/health", "br").await.unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
}

#[test]
fn cache_policy_recognises_trunks_hashed_names_only() {
    use pantau_server::cache_policy;
    assert_eq!(cache_policy("/style-c2c23eb608adec2f.css"), "public, max-age=31536000, immutable");
    assert_eq!(cache_policy("/pantau-a7df2924ec991512.js"), "public, max-age=31536000, immutable");
    assert_eq!(cache_policy("/desk/pantau-desk-dc573fc4f8b15c_bg.wasm"), "public, max-age=31536000, immutable");
    assert_eq!(cache_policy("/desk/index.html"), "no-cache");
    assert_eq!(cache_policy("/icons/pantau-192.png"), "no-cache");
    assert_eq!(cache_policy("/index.html"), "no-cache");
    assert_eq!(cache_policy("/api/v1/reports"), "no-store");
}

#[tokio::test]
async fn the_page_and_the_worker_are_sent_whole_so_a_rollback_to_older_files_reaches_phones() {
    let dist = dist();
    let server =
        TestServer::start_with(Config { static_dir: Some(dist.path().to_path_buf()), ..Config::default() }).await;
    for path in ["/sw.js", "/", "/manifest.webmanifest"] {
        // What a browser holding a newer build's copy asks after a rollback.
        let response = server
            .http
            .get(server.url(path))
            .header("if-modified-since", "Sun, 01 Jan 2090 00:00:00 GMT")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
        assert!(response.headers().get("last-modified").is_none(), "{path}");
        assert!(!response.bytes().await.unwrap().is_empty(), "{path}");
    }
}

#[tokio::test]
async fn the_csp_follows_a_new_build_copied_over_the_served_one() {
    let dist = dist();
    let page =
        |loader: &str| format!("<!DOCTYPE html><html><head><script type=\"module\">{loader}</script></head></html>");
    std::fs::write(dist.path().join("index.html"), page("import init from '/pantau-v1.js'; init();")).unwrap();
    let server =
        TestServer::start_with(Config { static_dir: Some(dist.path().to_path_buf()), ..Config::default() }).await;
    let csp = || async {
        let response = server.http.get(server.url("/api/v1/health")).send().await.unwrap();
        response.headers()["content-security-policy"].to_str().unwrap().to_owned()
    };
    let hash = |loader: &str| {
        pantau_server::security::content_security_policy(&[&page(loader)])
            .split_whitespace()
            .find(|part| part.starts_with("'sha256-"))
            .unwrap()
            .to_owned()
    };
    let (v1, v2) =
        (hash("import init from '/pantau-v1.js'; init();"), hash("import init from '/pantau-v2.js'; init();"));
    assert!(csp().await.contains(&v1));

    // The next build is copied in while the server runs.
    std::fs::write(dist.path().join("index.html"), page("import init from '/pantau-v2.js'; init();")).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let now = csp().await;
    assert!(now.contains(&v2) && !now.contains(&v1), "{now}");
}

#[tokio::test]
async fn the_desk_has_its_own_page_for_its_deep_links_and_its_loader_in_the_csp() {
    let dist = dist();
    std::fs::create_dir(dist.path().join("desk")).unwrap();
    let desk_page = "<!DOCTYPE html><html><head><script type=\"module\">import init from '/desk/d.js';</script></head><body>Meja</body></html>";
    std::fs::write(dist.path().join("desk/index.html"), desk_page).unwrap();
    let server =
        TestServer::start_with(Config { static_dir: Some(dist.path().to_path_buf()), ..Config::default() }).await;
    let get = |path: &'static str| server.http.get(server.url(path)).header("accept-encoding", "identity").send();
    for path in ["/desk/", "/desk/laporan/5d2c8a9e-3b1f-4c7a-9e2d-1f0a2b3c4d5e", "/desk/cakupan?level=tps"] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
        let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let loader = pantau_server::security::content_security_policy(&[desk_page]);
        let hash = loader.split_whitespace().find(|p| p.starts_with("'sha256-")).unwrap();
        assert!(csp.contains(hash), "{path}: {csp}");
        assert!(response.text().await.unwrap().contains("Meja"), "{path} is the desk's page");
    }
    // The volunteers' app keeps its own page.
    assert!(get("/kotak-keluar").await.unwrap().text().await.unwrap().contains("Pantau"));
}
