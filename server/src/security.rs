//! Security headers for every response, and the Content-Security-Policy that
//! lets the PWA run: WebAssembly may compile ('wasm-unsafe-eval'), and the one
//! inline loader script Trunk writes into each app's index.html (the
//! volunteers' and the desk's) is allowed by its hash, computed from the files
//! actually served, so no 'unsafe-inline' is needed.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// The inline `<script>` bodies in an HTML page, exactly as the browser hashes them.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after_tag = &rest[start..];
        let Some(open_end) = after_tag.find('>') else { break };
        let attributes = &after_tag[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after_tag[body_start..].find("</script>") else { break };
        if !attributes.contains(" src=") {
            scripts.push(&after_tag[body_start..body_start + close]);
        }
        rest = &after_tag[body_start + close + "</script>".len()..];
    }
    scripts
}

/// The policy allowing the inline scripts of these pages.
pub fn content_security_policy(pages: &[&str]) -> String {
    let hashes: String = pages
        .iter()
        .flat_map(|page| inline_scripts(page))
        .map(|s| {
            format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes())))
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The CSP of the `index.html` being served now. A new build copied over the
/// served folder has a new inline loader; a policy computed once at start
/// would block it, and phones would cache that blank page through their
/// service worker, restart or not. The file is looked at again at most once a
/// second, and hashed again only when its size or time changed.
#[derive(Clone)]
pub struct LiveCsp {
    pages: Vec<PathBuf>,
    seen: Arc<Mutex<Seen>>,
}

struct Seen {
    checked: Instant,
    stamp: Vec<Option<(Option<SystemTime>, u64)>>,
    header: HeaderValue,
}

impl LiveCsp {
    /// Watches these pages (a missing one counts as none).
    pub fn new(pages: Vec<PathBuf>) -> LiveCsp {
        let none = HeaderValue::from_str(&content_security_policy(&[])).expect("the CSP is ASCII");
        let csp = LiveCsp {
            pages,
            seen: Arc::new(Mutex::new(Seen { checked: Instant::now(), stamp: Vec::new(), header: none })),
        };
        csp.refresh(&mut csp.seen.lock().expect("csp lock"));
        csp
    }

    pub fn header(&self) -> HeaderValue {
        let mut seen = self.seen.lock().expect("csp lock");
        if seen.checked.elapsed() >= Duration::from_secs(1) {
            self.refresh(&mut seen);
        }
        seen.header.clone()
    }

    fn refresh(&self, seen: &mut Seen) {
        seen.checked = Instant::now();
        let stamp: Vec<_> =
            self.pages.iter().map(|p| std::fs::metadata(p).ok().map(|m| (m.modified().ok(), m.len()))).collect();
        if stamp.iter().any(Option::is_some) && stamp == seen.stamp {
            return;
        }
        let pages: Vec<String> = self.pages.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
        let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
        seen.header = HeaderValue::from_str(&content_security_policy(&pages)).expect("the CSP is ASCII");
        seen.stamp = stamp;
    }
}

/// Middleware: every response carries the current CSP.
pub async fn set_csp(State(csp): State<LiveCsp>, request: Request, next: Next) -> Response {
    let header = csp.header();
    let mut response = next.run(request).await;
    response.headers_mut().insert(axum::http::header::CONTENT_SECURITY_POLICY, header);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html =
            r#"<head><script type="module">import init from '/a.js';</script><script src="/b.js"></script></head>"#;
        assert_eq!(inline_scripts(html), ["import init from '/a.js';"]);
        let csp = content_security_policy(&[html]);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"import init from '/a.js';"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
        assert!(csp.contains("'wasm-unsafe-eval'"));
    }
}
