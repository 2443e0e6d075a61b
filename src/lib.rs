//! Pantau's PWA: the volunteer's side. Domain rules come from pantau-core; the
//! modules here are the thin browser adapters around them and the screens.
//!
//! - [`outbox_store`]: where queued reports are kept on the phone.
//! - [`api`]: the HTTP client for pantau-server.
//! - [`enrolment`]: the volunteer's token, from the coordinator's one-time code.
//! - [`sync`]: sends waiting reports when it can, and records receipts.
//! - [`app`]: the screen.

pub mod api;
mod app;
pub mod enrolment;
pub mod outbox_store;
pub mod strings;
pub mod sync;

pub use app::App;
