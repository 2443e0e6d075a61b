//! The live feed's connection: `GET /api/v1/desk/events` read with `fetch`
//! (an `EventSource` cannot send the bearer token), resumed with
//! `Last-Event-ID` after every drop, so nothing that arrived meanwhile is
//! missed and nothing comes twice.

use gloo_net::http::Request;
use pantau_core::desk::{EventStreamReader, ReportListItem};
use pantau_core::protocol::Problem;
use wasm_bindgen::JsCast as _;

/// How the connection stands, for the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveStatus {
    Connecting,
    Live,
    /// Dropped; trying again shortly.
    Offline,
}

/// Quiet longer than this (the server sends a keep-alive every 15 s) means
/// the connection is gone even if the browser has not noticed: a laptop that
/// slept, a Wi-Fi that changed.
const SILENCE_MS: f64 = 40_000.0;
const RETRY_MS: i32 = 3_000;

/// What the feed reports to its owner.
pub trait FeedSink {
    fn status(&self, status: LiveStatus);
    /// A report that arrived, in arrival order.
    fn arrived(&self, item: ReportListItem);
    /// The session of `token` ended (401): stop.
    fn signed_out(&self, token: &str, problem: Problem);
    /// Whether to keep listening.
    fn wanted(&self) -> bool;
}

/// Listens from after arrival `after` until the sink no longer wants it or
/// the session ends.
pub async fn listen(token: String, mut after: i64, sink: impl FeedSink) {
    while sink.wanted() {
        sink.status(LiveStatus::Connecting);
        if let Err(Some(problem)) = connect(&token, &mut after, &sink).await {
            return sink.signed_out(&token, problem);
        }
        if !sink.wanted() {
            return;
        }
        sink.status(LiveStatus::Offline);
        sleep_ms(RETRY_MS).await;
    }
}

/// One connection, until it drops. `Err(Some)`: the server refused the session.
async fn connect(token: &str, after: &mut i64, sink: &impl FeedSink) -> Result<(), Option<Problem>> {
    let controller = web_sys::AbortController::new().map_err(|_| None)?;
    let response = Request::get(&format!("/api/v1/desk/events?after={after}"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Last-Event-ID", &after.to_string())
        .header("Accept", "text/event-stream")
        .abort_signal(Some(&controller.signal()))
        .send()
        .await
        .map_err(|_| None)?;
    if response.status() == 401 {
        let body = response.text().await.unwrap_or_default();
        return Err(Some(Problem::from_body(401, &body)));
    }
    if response.status() != 200 {
        return Err(None);
    }
    let reader: web_sys::ReadableStreamDefaultReader = response.body().ok_or(None)?.get_reader().unchecked_into();
    sink.status(LiveStatus::Live);
    let mut events = EventStreamReader::default();
    // A watchdog aborts a connection gone silent; the pending read then fails.
    let heard = std::rc::Rc::new(std::cell::Cell::new(js_sys::Date::now()));
    let watchdog = {
        let heard = heard.clone();
        let controller = controller.clone();
        wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            if js_sys::Date::now() - heard.get() > SILENCE_MS {
                controller.abort();
            }
        })
    };
    let window = leptos::prelude::window();
    let interval = window
        .set_interval_with_callback_and_timeout_and_arguments_0(watchdog.as_ref().unchecked_ref(), 5_000)
        .unwrap_or_default();
    let outcome = loop {
        if !sink.wanted() {
            controller.abort();
            break Ok(());
        }
        let Ok(chunk) = wasm_bindgen_futures::JsFuture::from(reader.read()).await else { break Err(None) };
        let done = js_sys::Reflect::get(&chunk, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true);
        if done {
            break Err(None);
        }
        heard.set(js_sys::Date::now());
        let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) else { break Err(None) };
        let bytes = js_sys::Uint8Array::new(&value).to_vec();
        for event in events.push(&bytes) {
            if event.event != "report" {
                continue;
            }
            let Ok(item) = serde_json::from_str::<ReportListItem>(&event.data) else { continue };
            if item.receipt.seq <= *after {
                continue;
            }
            *after = item.receipt.seq;
            sink.arrived(item);
        }
    };
    window.clear_interval_with_handle(interval);
    drop(watchdog);
    outcome
}

/// Waits `ms` milliseconds.
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = leptos::prelude::window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
