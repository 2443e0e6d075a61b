//! Pantau's PWA: the volunteer's side. Domain rules come from pantau-core; the
//! modules here are the thin browser adapters around them and the screens.
//!
//! - [`outbox_store`]: where queued reports are kept on the phone, and
//!   [`second_copy`]: the copy that survives a corrupted IndexedDB.
//! - [`api`]: the HTTP client for pantau-server.
//! - [`enrolment`]: the volunteer's token, from the coordinator's one-time code.
//! - [`sync`]: sends waiting reports when it can, and records receipts.
//! - [`profile`]: the volunteer's name and TPS.
//! - [`i18n`]: every word on screen, in Bahasa Indonesia and English.
//! - [`app`]: the shell (shared state, start-up, routes, navigation);
//!   [`pages`]: one module per screen; [`forms`]: the three report forms.

pub mod api;
pub mod app;
pub mod clock;
pub mod enrolment;
pub mod forms;
pub mod i18n;
pub mod kept;
pub mod outbox;
pub mod outbox_store;
pub mod pages;
pub mod profile;
pub mod pwa;
pub mod routes;
pub mod second_copy;
pub mod startup;
pub mod store_error;
pub mod sync;

pub use app::App;
