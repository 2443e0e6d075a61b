//! Security headers for every response, and the Content-Security-Policy that
//! lets the PWA run: WebAssembly may compile ('wasm-unsafe-eval'), and the one
//! inline loader script Trunk writes into index.html is allowed by its hash,
//! computed from the file actually served, so no 'unsafe-inline' is needed.

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

pub fn content_security_policy(index_html: Option<&str>) -> String {
    let hashes: String = index_html
        .map(inline_scripts)
        .unwrap_or_default()
        .into_iter()
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
    index_html: Option<PathBuf>,
    seen: Arc<Mutex<Seen>>,
}

struct Seen {
    checked: Instant,
    stamp: Option<(Option<SystemTime>, u64)>,
    header: HeaderValue,
}

impl LiveCsp {
    pub fn new(index_html: Option<PathBuf>) -> LiveCsp {
        let none = HeaderValue::from_str(&content_security_policy(None)).expect("the CSP is ASCII");
        let csp = LiveCsp {
            index_html,
            seen: Arc::new(Mutex::new(Seen { checked: Instant::now(), stamp: None, header: none })),
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
        let Some(path) = &self.index_html else { return };
        let stamp = std::fs::metadata(path).ok().map(|m| (m.modified().ok(), m.len()));
        if stamp.is_some() && stamp == seen.stamp {
            return;
        }
        let html = std::fs::read_to_string(path).ok();
        seen.header = HeaderValue::from_str(&content_security_policy(html.as_deref())).expect("the CSP is ASCII");
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
        let csp = content_security_policy(Some(html));
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"import init from '/a.js';"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
        assert!(csp.contains("'wasm-unsafe-eval'"));
    }
}
