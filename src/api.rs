//! The HTTP client for pantau-server. It only moves bytes; what a response
//! means for the outbox is decided in pantau-core ([`SendOutcome::from_batch_response`]).

use gloo_net::http::Request;
use pantau_core::protocol::{ReportBatch, WaitError, WaitReason, REPORTS_BATCH_PATH};
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

/// How long one batch may take, answer included. A captive portal or a proxy
/// that takes the connection and never answers would otherwise hold the send,
/// and with it the Web Lock of every tab, until the app is closed. Long enough
/// for 25 reports over a slow 2G link.
pub const BATCH_TIMEOUT_MS: u32 = 90_000;

/// Posts several reports in one request: one outcome per report, in order.
pub async fn post_batch(base: &ApiBase, token: &str, reports: &[Report]) -> Vec<SendOutcome> {
    post_batch_within(base, token, reports, BATCH_TIMEOUT_MS).await
}

/// [`post_batch`], given up on (as "retry later") after `timeout_ms`.
pub async fn post_batch_within(base: &ApiBase, token: &str, reports: &[Report], timeout_ms: u32) -> Vec<SendOutcome> {
    let everyone = |reason: WaitError| vec![SendOutcome::RetryLater { reason, retry_after_ms: None }; reports.len()];
    let deadline = Deadline::after(timeout_ms);
    let request = Request::post(&base.batch_url())
        .header("Authorization", &format!("Bearer {token}"))
        .abort_signal(deadline.as_ref().map(|d| &d.signal));
    // The text starts as older versions wrote it, which `WaitReason::of` reads.
    let failed = |e: gloo_net::Error, reason: WaitReason, prefix: &str| match &deadline {
        Some(d) if d.signal.aborted() => {
            WaitError::new(WaitReason::NoAnswer, format!("{} within {} s", WaitReason::NO_ANSWER, timeout_ms / 1000))
        }
        _ => WaitError::new(reason, format!("{prefix}{e}")),
    };
    let request = match request.json(&ReportBatch { reports }) {
        Ok(request) => request,
        Err(e) => return everyone(WaitError::new(WaitReason::Other, format!("could not encode reports: {e}"))),
    };
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => return everyone(failed(e, WaitReason::NoConnection, WaitReason::NO_CONNECTION)),
    };
    let retry_after = response.headers().get("retry-after");
    let body = match response.text().await {
        Ok(body) => body,
        Err(e) => return everyone(failed(e, WaitReason::NoAnswer, WaitReason::ANSWER_LOST)),
    };
    let ids: Vec<ReportId> = reports.iter().map(|r| r.id).collect();
    SendOutcome::from_batch_response(&ids, response.status(), &body, retry_after.as_deref())
}

/// Aborts a request (its answer included) once `ms` have passed. Aborting one
/// that has already finished does nothing.
struct Deadline {
    signal: web_sys::AbortSignal,
}

impl Deadline {
    fn after(ms: u32) -> Option<Deadline> {
        use wasm_bindgen::JsCast;
        let controller = web_sys::AbortController::new().ok()?;
        let signal = controller.signal();
        let abort = wasm_bindgen::closure::Closure::once_into_js(move || controller.abort());
        web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                abort.unchecked_ref(),
                ms.min(i32::MAX as u32) as i32,
            )
            .ok()?;
        Some(Deadline { signal })
    }
}
