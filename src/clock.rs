//! The phone's clock and how times and sizes are written on screen. Formatting
//! is done with integers and the browser's `Date`: float and calendar
//! formatting in Rust costs kilobytes of wasm.

use time::OffsetDateTime;
use wasm_bindgen::JsValue;

/// Now, in the phone's offset: a report from Balikpapan says +08:00 (WITA), so
/// coordinators read the time the volunteer saw.
pub fn now() -> OffsetDateTime {
    local_time(&js_sys::Date::new_0()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A JS date as a time in the phone's offset at that moment; None for an
/// invalid date.
pub fn local_time(date: &js_sys::Date) -> Option<OffsetDateTime> {
    let ms = date.get_time();
    if ms.is_nan() {
        return None;
    }
    let utc = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok()?;
    match time::UtcOffset::from_whole_seconds(-(date.get_timezone_offset() as i32) * 60) {
        Ok(offset) => Some(utc.to_offset(offset)),
        Err(_) => Some(utc),
    }
}

/// Milliseconds since the epoch, as JavaScript counts time.
pub fn millis(t: OffsetDateTime) -> f64 {
    (t.unix_timestamp_nanos() / 1_000_000) as f64
}

/// "14.05" in the phone's local time, as Indonesians write the time.
pub fn format_clock(ms: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
    format!("{:02}.{:02}", date.get_hours(), date.get_minutes())
}

/// "14/02 09.40": the day and the time, in the phone's local time.
pub fn format_day_clock(ms: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
    format!("{:02}/{:02} {:02}.{:02}", date.get_date(), date.get_month() + 1, date.get_hours(), date.get_minutes())
}

/// "1,5 MB", written with integers.
pub fn megabytes(bytes: f64) -> String {
    let tenths = (bytes / 100_000.0).round() as u64;
    format!("{},{} MB", tenths / 10, tenths % 10)
}

/// Resolves after `ms` milliseconds.
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
