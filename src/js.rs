//! JS values put into words, for messages and logs.

use wasm_bindgen::{JsCast, JsValue};

/// A JS value as words for a message or a log: an error's name and message,
/// a string as it is, anything else as `JSON.stringify` gives it ("undefined"
/// where it gives nothing). The wasm is built without
/// `Debug` formatting (`-Zfmt-debug=none`), so `{:?}` of a `JsValue` is empty.
pub fn text(value: &JsValue) -> String {
    if let Some((name, message)) = error_name_and_message(value) {
        format!("{name}: {message}")
    } else if let Some(text) = value.as_string() {
        text
    } else {
        js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()).unwrap_or_else(|| "undefined".to_owned())
    }
}

/// A DOMException's or an Error's name (`QuotaExceededError`, say) and
/// message; None for any other value.
pub fn error_name_and_message(value: &JsValue) -> Option<(String, String)> {
    if let Some(e) = value.dyn_ref::<web_sys::DomException>() {
        Some((e.name(), e.message()))
    } else {
        value.dyn_ref::<js_sys::Error>().map(|e| (String::from(e.name()), String::from(e.message())))
    }
}
