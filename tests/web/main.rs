//! The PWA's browser adapters and screens, in headless Chromium
//! (`cargo xtask test browser` runs them through wasm-bindgen-test-runner).

mod support;

mod enrolment;
mod forms;
mod outbox_screen;
mod storage;
mod sync;
mod volunteer_day;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
