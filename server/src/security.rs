//! Security headers for every response, and the Content-Security-Policy that
//! lets the PWA run: WebAssembly may compile ('wasm-unsafe-eval'), and the one
//! inline loader script Trunk writes into index.html is allowed by its hash,
//! computed from the file actually served, so no 'unsafe-inline' is needed.

use base64::Engine as _;
use sha2::{Digest, Sha256};

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
