//! Photos as the phone keeps them: reduced off the page's thread by
//! `photo-worker.js` (the browser's own decoder and canvas, no image codec in
//! the wasm), named by the SHA-256 of the reduced bytes.

use pantau_core::evidence::PhotoRef;
use wasm_bindgen::{JsCast, JsValue};

/// A reduced photo: its bytes and what a report says of them.
#[derive(Clone, Debug)]
pub struct Photo {
    pub blob: web_sys::Blob,
    pub meta: PhotoRef,
}

/// Why a picked file did not become a photo, for the message at the photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhotoError {
    /// Not an image at all (a PDF, a text).
    NotAnImage,
    /// More pixels than the phone can decode (the size, e.g. "8160×6120").
    TooManyPixels(String),
    /// A JPEG that ends before its image does (copied or sent half).
    Truncated,
    /// An image this browser cannot decode (HEIC on most Android browsers);
    /// its type, when the browser named one.
    Unreadable(String),
    /// The worker failed or is missing; what it said.
    Failed(String),
}

/// How long a photo may take to reduce before the field says it failed
/// (a 12-megapixel photo takes about 1.5 s on a slow phone).
const REDUCE_TIMEOUT_MS: i32 = 60_000;

/// Reduces `file` to a photo a report can carry, in a worker of its own,
/// ended as soon as it answers: the decoded image's memory goes with it.
pub async fn reduce(file: &web_sys::File) -> Result<Photo, PhotoError> {
    let failed = |e: JsValue| PhotoError::Failed(crate::js::text(&e));
    let worker = web_sys::Worker::new("./photo-worker.js").map_err(failed)?;
    // The message event itself resolves the promise; a script that fails
    // (not found, say), an answer that cannot be read or none in time
    // rejects it: the field never waits for good.
    let answered = js_sys::Promise::new(&mut |resolve, reject| {
        worker.set_onmessage(Some(&resolve));
        worker.set_onerror(Some(&reject));
        worker.set_onmessageerror(Some(&reject));
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&reject, REDUCE_TIMEOUT_MS);
        }
    });
    let event = match worker.post_message(file) {
        Ok(()) => wasm_bindgen_futures::JsFuture::from(answered)
            .await
            .map_err(|_| PhotoError::Failed("the photo worker stopped or took too long".into())),
        Err(e) => Err(failed(e)),
    };
    worker.terminate();
    let event = event?;
    let answer = js_sys::Reflect::get(&event, &"data".into()).map_err(failed)?;
    let text = |name: &str| js_sys::Reflect::get(&answer, &name.into()).ok().and_then(|v| v.as_string());
    let number = |name: &str| js_sys::Reflect::get(&answer, &name.into()).ok().and_then(|v| v.as_f64());
    if let Some(error) = text("error") {
        let detail = text("detail").unwrap_or_default();
        return Err(match error.as_str() {
            "not_image" => PhotoError::NotAnImage,
            "too_many_pixels" => PhotoError::TooManyPixels(detail),
            "truncated" => PhotoError::Truncated,
            "unreadable" => PhotoError::Unreadable(detail),
            _ => PhotoError::Failed(detail),
        });
    }
    let blob: web_sys::Blob = js_sys::Reflect::get(&answer, &"blob".into())
        .ok()
        .and_then(|b| b.dyn_into().ok())
        .ok_or_else(|| PhotoError::Failed("no photo in the answer".into()))?;
    let meta = PhotoRef {
        sha256: text("sha256").unwrap_or_default(),
        bytes: blob.size() as u32,
        width: number("width").unwrap_or_default() as u32,
        height: number("height").unwrap_or_default() as u32,
        item: None,
        // Whole seconds, as a camera writes them.
        taken_at: number("taken")
            .and_then(|ms| crate::clock::local_time(&js_sys::Date::new(&((ms / 1000.0).floor() * 1000.0).into())))
            // A camera clock beyond what a report may hold is no time at all.
            .filter(|t| pantau_core::validation::time_in_range(*t)),
    };
    Ok(Photo { blob, meta })
}

/// An address the page can show `blob` from; give it back with [`forget_url`].
pub fn url(blob: &web_sys::Blob) -> Option<String> {
    web_sys::Url::create_object_url_with_blob(blob).ok()
}

pub fn forget_url(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}
