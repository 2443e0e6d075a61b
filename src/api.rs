//! The HTTP client for pantau-server. It only moves bytes; what a response
//! means for the outbox is decided in pantau-core ([`SendOutcome::from_batch_response`]).

use gloo_net::http::Request;
use pantau_core::protocol::{ReportBatch, REPORTS_BATCH_PATH};
use pantau_core::ReportId;
use pantau_core::{Report, SendOutcome};

/// Where the API is: `""` for the origin the PWA was served from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiBase(pub String);

impl ApiBase {
    pub fn batch_url(&self) -> String {
        format!("{}{}", self.0.trim_end_matches('/'), REPORTS_BATCH_PATH)
    }
}

/// Posts several reports in one request: one outcome per report, in order.
pub async fn post_batch(base: &ApiBase, token: &str, reports: &[Report]) -> Vec<SendOutcome> {
    let everyone = |reason: String| vec![SendOutcome::RetryLater { reason, retry_after_ms: None }; reports.len()];
    let request = Request::post(&base.batch_url()).header("Authorization", &format!("Bearer {token}"));
    let request = match request.json(&ReportBatch { reports }) {
        Ok(request) => request,
        Err(e) => return everyone(format!("could not encode reports: {e}")),
    };
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => return everyone(format!("network: {e}")),
    };
    let retry_after = response.headers().get("retry-after");
    let body = match response.text().await {
        Ok(body) => body,
        Err(e) => return everyone(format!("answer lost: {e}")),
    };
    let ids: Vec<ReportId> = reports.iter().map(|r| r.id).collect();
    SendOutcome::from_batch_response(&ids, response.status(), &body, retry_after.as_deref())
}
