//! The phone's position, when the volunteer asks for it: one reading with
//! high accuracy, given up after [`LOCATE_TIMEOUT_MS`]. Never needed to save.

use pantau_core::evidence::Position;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// How long a reading may take before the report goes on without one.
pub const LOCATE_TIMEOUT_MS: i32 = 10_000;

/// Why there is no position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocationError {
    /// The volunteer (or the browser's settings) said no.
    Denied,
    /// The phone could not tell where it is (no GPS fix, location off).
    Unavailable,
    /// No reading within [`LOCATE_TIMEOUT_MS`].
    TimedOut,
    /// This browser has no geolocation (or not in an insecure context).
    Unsupported,
}

/// One reading of the phone's position.
pub async fn locate() -> Result<Position, LocationError> {
    let geolocation =
        web_sys::window().and_then(|w| w.navigator().geolocation().ok()).ok_or(LocationError::Unsupported)?;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let found = Closure::once_into_js(move |position: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &position);
        });
        // The browser's own timeout starts only once permission is given: a
        // prompt left unanswered would hold the reading for good.
        let timeout = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&timeout, &"code".into(), &JsValue::from(3));
        let give_up = reject.clone();
        let late = Closure::once_into_js(move || {
            let _ = give_up.call1(&JsValue::NULL, &timeout);
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(late.unchecked_ref(), LOCATE_TIMEOUT_MS + 500);
        }
        let failed = Closure::once_into_js(move |error: JsValue| {
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        let options = web_sys::PositionOptions::new();
        options.set_enable_high_accuracy(true);
        options.set_timeout(LOCATE_TIMEOUT_MS as u32);
        options.set_maximum_age(60_000);
        if geolocation
            .get_current_position_with_error_callback_and_options(
                found.unchecked_ref(),
                Some(failed.unchecked_ref()),
                &options,
            )
            .is_err()
        {
            let _ = failed.unchecked_ref::<js_sys::Function>().call1(&JsValue::NULL, &JsValue::from(2));
        }
    });
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(position) => {
            let coords = js_sys::Reflect::get(&position, &"coords".into()).map_err(|_| LocationError::Unavailable)?;
            let number = |name: &str| {
                js_sys::Reflect::get(&coords, &name.into()).ok().and_then(|v| v.as_f64()).unwrap_or(f64::NAN)
            };
            // A reading too vague to say anything about a TPS is no reading.
            Position::from_degrees(number("latitude"), number("longitude"), number("accuracy"))
                .filter(Position::is_valid)
                .ok_or(LocationError::Unavailable)
        }
        // GeolocationPositionError codes: 1 denied, 2 unavailable, 3 timeout.
        Err(error) => Err(match js_sys::Reflect::get(&error, &"code".into()).ok().and_then(|c| c.as_f64()) {
            Some(1.0) => LocationError::Denied,
            Some(3.0) => LocationError::TimedOut,
            _ => LocationError::Unavailable,
        }),
    }
}
