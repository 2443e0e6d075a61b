//! Pantau's desk: the coordinators' side. Domain rules and wire types come
//! from pantau-core; the modules here are in three layers (each uses only its
//! own and those below, which `cargo xtask test` checks):
//!
//! - adapters, the browser: [`api`] (HTTP), [`live`] (the live feed's
//!   connection), [`kept`] (localStorage keys), [`clock`], [`sound`],
//!   [`i18n`] (every word on screen);
//! - state, what the screens share: [`session`] (who is signed in),
//!   [`feed`] (what arrived), [`routes`] (the screen and its filter in the URL);
//! - screens: [`app`] (the shell) and [`pages`] (one module per screen).

pub mod api;
pub mod app;
pub mod clock;
pub mod feed;
pub mod i18n;
pub mod kept;
pub mod live;
pub mod pages;
pub mod routes;
pub mod session;
pub mod sound;

pub use app::App;
