//! The HTTP client for pantau-server. It only moves bytes; what a response
//! means for the outbox is decided in pantau-core ([`SendOutcome::from_response`]).

use gloo_net::http::Request;
use pantau_core::protocol::REPORTS_PATH;
use pantau_core::{Report, SendOutcome};

/// Where the API is: `""` for the origin the PWA was served from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiBase(pub String);

impl ApiBase {
    pub fn reports_url(&self) -> String {
        format!("{}{}", self.0.trim_end_matches('/'), REPORTS_PATH)
    }
}

/// Posts one report. A network failure (no signal, server down, connection
/// reset) is a [`SendOutcome::RetryLater`]: only a 2xx proves delivery.
pub async fn post_report(base: &ApiBase, token: &str, report: &Report) -> SendOutcome {
    let request = Request::post(&base.reports_url()).header("Authorization", &format!("Bearer {token}"));
    let request = match request.json(report) {
        Ok(request) => request,
        Err(e) => return SendOutcome::RetryLater { reason: format!("could not encode report: {e}"), retry_after_ms: None },
    };
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => return SendOutcome::RetryLater { reason: format!("network: {e}"), retry_after_ms: None },
    };
    let retry_after = response.headers().get("retry-after");
    let body = response.text().await.unwrap_or_default();
    SendOutcome::from_response(report.id, response.status(), &body, retry_after.as_deref())
}
