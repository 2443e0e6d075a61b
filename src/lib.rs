//! Pantau's PWA: the volunteer's side. Domain rules come from pantau-core; the
//! modules here are in three layers (each uses only its own and those below,
//! which `cargo xtask test` checks):
//!
//! - adapters, the browser: [`outbox_store`] and [`second_copy`] (where
//!   reports are kept), [`store_error`], [`js`] (JS errors in words), [`api`] (HTTP), [`ballots`] (the
//!   contests' participants, kept for offline use), [`kept`]
//!   (localStorage keys), [`drafts`] (what the forms keep as typed), [`clock`], [`i18n`] (every word on screen), [`pwa`]
//!   (the service worker), [`photos`] (reducing photos in a worker) and
//!   [`location`] (the phone's position);
//! - state, what the screens share: [`outbox`] (the one door to the reports),
//!   [`sync`] (sending), [`enrolment`], [`profile`], [`routes`], and
//!   [`startup`], which builds it all;
//! - screens: [`app`] (the shell), [`pages`] (one module per screen) and
//!   [`forms`] (the three report forms).

pub mod api;
pub mod app;
pub mod ballots;
pub mod clock;
pub mod drafts;
pub mod enrolment;
pub mod forms;
pub mod i18n;
pub mod js;
pub mod kept;
pub mod location;
pub mod outbox;
pub mod outbox_store;
pub mod pages;
pub mod photos;
pub mod profile;
pub mod pwa;
pub mod routes;
pub mod second_copy;
pub mod startup;
pub mod store_error;
pub mod sync;

pub use app::App;
