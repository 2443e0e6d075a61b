//! Times as the coordinator reads them: in the browser's own time zone (WIB,
//! WITA or WIT), formatted by the browser's `Intl`.

use pantau_core::Lang;
use time::OffsetDateTime;

fn locale(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => "id-ID",
        Lang::En => "en-GB",
    }
}

fn date(t: OffsetDateTime) -> js_sys::Date {
    let ms = (t.unix_timestamp_nanos() / 1_000_000) as f64;
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms))
}

fn options(fields: &[(&str, &str)]) -> js_sys::Object {
    let options = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    options
}

/// "30 Nov 07.45": day, month and time.
pub fn when(t: OffsetDateTime, lang: Lang) -> String {
    let fields = [("day", "numeric"), ("month", "short"), ("hour", "2-digit"), ("minute", "2-digit")];
    date(t).to_locale_string(locale(lang), &options(&fields)).into()
}

/// "07": the hour alone, for the chart.
pub fn hour(t: OffsetDateTime, lang: Lang) -> String {
    date(t)
        .to_locale_time_string_with_options(locale(lang), &options(&[("hour", "2-digit"), ("hourCycle", "h23")]))
        .into()
}

/// A `datetime-local` value ("2026-02-14T07:00", the browser's zone) as RFC 3339 UTC.
pub fn local_input_to_rfc3339(value: &str) -> Option<String> {
    let parsed = js_sys::Date::new(&value.into());
    (!parsed.get_time().is_nan()).then(|| parsed.to_iso_string().into())
}

pub fn now() -> OffsetDateTime {
    let ms = js_sys::Date::now();
    OffsetDateTime::from_unix_timestamp_nanos((ms * 1_000_000.0) as i128).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
