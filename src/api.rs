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

/// How long one photo request may take. The server keeps what arrived before
/// a deadline, so a slow link still gets there, one request at a time.
pub const PHOTO_TIMEOUT_MS: u32 = 120_000;
/// Failed requests in a row, with no byte gained, after which an upload waits
/// for the next round (and its backoff). A link that drops now and then, but
/// still moves bytes, keeps going.
const PHOTO_FAILURES: u32 = 3;

/// What the server holds of a photo (`GET /api/v1/photos/{sha256}/upload`).
#[derive(serde::Deserialize)]
struct UploadState {
    offset: u64,
    stored: bool,
}

/// Makes sure the server holds `photo`, whose bytes are `blob`: asks what it
/// holds, then sends the rest (the tus protocol's core), asking again after
/// a request that broke off. `Err` is what the report's send comes to
/// instead: a wait, a 401, or a refusal of the photo.
pub async fn upload_photo(
    base: &ApiBase,
    token: &str,
    photo: &pantau_core::evidence::PhotoRef,
    blob: &web_sys::Blob,
) -> Result<(), SendOutcome> {
    let url = format!("{}{}/upload", base.0.trim_end_matches('/'), photo.path());
    let bearer = format!("Bearer {token}");
    let waits = |detail: String| SendOutcome::RetryLater {
        reason: WaitError::new(WaitReason::PhotoUpload, detail),
        retry_after_ms: None,
    };
    // A failure that another request may get past; anything else ends the upload.
    let passing = |outcome: &SendOutcome| matches!(outcome, SendOutcome::RetryLater { retry_after_ms: None, .. });
    let mut offset: Option<u64> = None;
    let mut failures = 0;
    let mut last = waits(String::new());
    while failures < PHOTO_FAILURES {
        let from = match offset {
            Some(from) => from,
            None => {
                let deadline = Deadline::after(PHOTO_TIMEOUT_MS);
                let asked = Request::get(&url)
                    .header("Authorization", &bearer)
                    .abort_signal(deadline.as_ref().map(|d| &d.signal))
                    .send()
                    .await;
                let state = match asked {
                    Ok(response) => answer(response).await,
                    Err(e) => Err(waits(format!("{}{e}", WaitReason::NO_CONNECTION))),
                };
                match state {
                    Ok(UploadState { stored: true, .. }) => return Ok(()),
                    Ok(UploadState { offset: held, .. }) => held,
                    Err(outcome) if passing(&outcome) => {
                        failures += 1;
                        last = outcome;
                        continue;
                    }
                    Err(outcome) => return Err(outcome),
                }
            }
        };
        let rest = blob.slice_with_f64(from as f64).map_err(|e| waits(crate::js::text(&e)))?;
        let deadline = Deadline::after(PHOTO_TIMEOUT_MS);
        let request = Request::patch(&url)
            .header("Authorization", &bearer)
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", &from.to_string())
            .header("Upload-Length", &photo.bytes.to_string())
            .abort_signal(deadline.as_ref().map(|d| &d.signal))
            .body(rest)
            .map_err(|e| waits(e.to_string()))?;
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                // Part may have arrived: ask what the server holds.
                failures += 1;
                last = waits(format!("{}{e}", WaitReason::NO_CONNECTION));
                offset = None;
                continue;
            }
        };
        if response.status() == 409 {
            // Bytes of an attempt whose answer was lost arrived after all; or
            // another request still writes this photo, which counts as a
            // failure so that the upload waits for it rather than spinning.
            offset = response.headers().get("upload-offset").and_then(|o| o.parse().ok());
            if offset.is_none_or(|held| held <= from) {
                failures += 1;
                last = waits("HTTP 409".into());
            }
            continue;
        }
        match answer(response).await {
            Ok(UploadState { stored: true, .. }) => return Ok(()),
            Ok(UploadState { offset: held, .. }) => {
                if held > from {
                    failures = 0;
                }
                offset = Some(held);
            }
            Err(outcome) if passing(&outcome) => {
                failures += 1;
                last = outcome;
                offset = None;
            }
            Err(outcome) => return Err(outcome),
        }
    }
    Err(last)
}

/// An upload answer's state, or what the report's send comes to.
async fn answer(response: gloo_net::http::Response) -> Result<UploadState, SendOutcome> {
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    let body = response.text().await.map_err(|e| SendOutcome::RetryLater {
        reason: WaitError::new(WaitReason::PhotoUpload, format!("{}{e}", WaitReason::ANSWER_LOST)),
        retry_after_ms: None,
    })?;
    if (200..=299).contains(&status) {
        return serde_json::from_str(&body).map_err(|e| SendOutcome::RetryLater {
            reason: WaitError::unexpected(format!("upload state: {e}")),
            retry_after_ms: None,
        });
    }
    // The same reading of a refusal as a report's: 401 pauses, 4xx refuses
    // (the volunteer removes the photo and sends again), the rest waits.
    let id = ReportId(uuid::Uuid::nil());
    Err(match SendOutcome::from_response(id, status, &body, retry_after.as_deref()) {
        SendOutcome::Conflict(problem) => SendOutcome::Rejected(problem),
        SendOutcome::RetryLater { retry_after_ms, .. } => SendOutcome::RetryLater {
            reason: WaitError::new(WaitReason::PhotoUpload, format!("HTTP {status}")),
            retry_after_ms,
        },
        other => other,
    })
}
