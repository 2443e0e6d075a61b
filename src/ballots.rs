//! The ballot catalogue on the phone: the server's copy, kept with
//! gloo-storage for use offline, or pantau-core's built-in one until the
//! server has answered once.

use crate::api::ApiBase;
use crate::kept::{BALLOTS_ETAG_KEY, BALLOTS_KEY};
use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use pantau_core::ballot::{Catalogue, BALLOTS_PATH, BUILTIN_ETAG};

/// The built-in catalogue with the kept one's ballots in place of its own; the
/// built-in one alone when none is kept or the kept one no longer passes the
/// check (it is then left for the next refresh to replace).
pub fn catalogue() -> Catalogue {
    let kept = GlooLocalStorage::raw().get_item(BALLOTS_KEY).ok().flatten();
    let kept = kept.and_then(|json| Catalogue::from_json(&json).ok()).unwrap_or_default();
    Catalogue::builtin().replaced_by(kept)
}

/// Asks the server for its catalogue, unless what the phone holds is current
/// (its ETag: 304, no body), and keeps it with its ETag if it passes the
/// check. Without signal nothing changes: the kept copy stays.
pub async fn refresh(api: &ApiBase) {
    let url = format!("{}{BALLOTS_PATH}", api.0.trim_end_matches('/'));
    let storage = GlooLocalStorage::raw();
    let kept = storage.get_item(BALLOTS_KEY).ok().flatten().filter(|json| Catalogue::from_json(json).is_ok());
    let held = kept.and_then(|_| storage.get_item(BALLOTS_ETAG_KEY).ok().flatten());
    let held = held.unwrap_or_else(|| BUILTIN_ETAG.to_owned());
    let request = gloo_net::http::Request::get(&url).header("If-None-Match", &held);
    let Ok(response) = request.send().await else { return };
    // 304: what the phone holds is current.
    if !response.ok() {
        return;
    }
    let etag = response.headers().get("etag").unwrap_or_default();
    let Ok(json) = response.text().await else { return };
    if Catalogue::from_json(&json).is_err() {
        leptos::logging::warn!("the server's ballots do not pass the check; the kept ones stay");
        return;
    }
    if storage.set_item(BALLOTS_KEY, &json).is_err() || storage.set_item(BALLOTS_ETAG_KEY, &etag).is_err() {
        leptos::logging::warn!("could not keep the ballots");
    }
}
