//! What the phone keeps with gloo-storage (localStorage), and the keys of its
//! settings: things that can be rewritten without harm. Drafts are in
//! [`crate::drafts`], the save attempt's key with the outbox. Reports are never kept
//! here: they live in IndexedDB (the outbox store).

use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use serde::de::DeserializeOwned;

/// The language chosen in Pengaturan.
pub const LANG_KEY: &str = "pantau.lang";
/// The volunteer's name and TPS (the profile).
pub const PROFILE_KEY: &str = "pantau.profile";
/// How many days a sent report stays listed before the outbox forgets it.
pub const KEEP_SENT_DAYS_KEY: &str = "pantau.keep_sent_days";
/// The enrolment, for a fast start (its durable copy is in IndexedDB).
pub const ENROLMENT_KEY: &str = "pantau.enrolment";
/// A code being exchanged, with the secret sent with every try of it.
pub const ENROLMENT_ATTEMPT_KEY: &str = "pantau.enrolment-attempt";
/// When the server last confirmed a report (ms since the epoch), for Beranda.
pub const LAST_DELIVERY_KEY: &str = "pantau.last_delivery";
/// The checklist phase the volunteer is at (the one after the last she filed).
pub const CHECKLIST_PHASE_KEY: &str = "pantau.checklist.phase";
/// The server's ballot catalogue, as the JSON it sent (see `ballots`).
pub const BALLOTS_KEY: &str = "pantau.ballots";
/// The ETag the server sent with them.
pub const BALLOTS_ETAG_KEY: &str = "pantau.ballots.etag";

pub const DEFAULT_KEEP_SENT_DAYS: i64 = 7;
/// The days a volunteer may choose to keep sent reports listed.
pub const KEEP_SENT_DAYS: std::ops::RangeInclusive<i64> = 1..=365;

/// How many days sent reports stay listed (within [`KEEP_SENT_DAYS`]).
pub fn keep_sent_days() -> i64 {
    GlooLocalStorage::get::<i64>(KEEP_SENT_DAYS_KEY)
        .unwrap_or(DEFAULT_KEEP_SENT_DAYS)
        .clamp(*KEEP_SENT_DAYS.start(), *KEEP_SENT_DAYS.end())
}

/// Keeps a choice of days; one outside [`KEEP_SENT_DAYS`] is not kept.
pub fn set_keep_sent_days(days: i64) {
    if KEEP_SENT_DAYS.contains(&days) {
        let _ = GlooLocalStorage::set(KEEP_SENT_DAYS_KEY, days);
    }
}

/// When the server last confirmed a report, as kept.
pub fn last_delivery_ms() -> Option<f64> {
    GlooLocalStorage::get::<f64>(LAST_DELIVERY_KEY).ok()
}

pub fn set_last_delivery_ms(ms: f64) {
    let _ = GlooLocalStorage::set(LAST_DELIVERY_KEY, ms);
}

pub fn checklist_phase() -> Option<String> {
    GlooLocalStorage::get::<String>(CHECKLIST_PHASE_KEY).ok()
}

pub fn set_checklist_phase(phase: &str) {
    let _ = GlooLocalStorage::set(CHECKLIST_PHASE_KEY, phase);
}

/// What a key kept in gloo-storage holds.
#[derive(Debug, PartialEq)]
pub enum Kept<T> {
    Missing,
    Read(T),
    /// Written by an older version in a shape this one cannot read. The text
    /// is kept aside under `<key>.unreadable`, where the next keystroke cannot
    /// overwrite it and whoever helps the volunteer can read it back.
    Unreadable,
}

/// Reads a kept draft or profile. Whole or not at all: reading field by field
/// through `serde_json::Value` was measured at 6 KB brotli more for every
/// volunteer, for a case that only a change of a draft's field types makes.
pub fn read_kept<T: DeserializeOwned>(key: &str) -> Kept<T> {
    let Some(raw) = GlooLocalStorage::raw().get_item(key).ok().flatten() else { return Kept::Missing };
    match serde_json::from_str::<T>(&raw) {
        Ok(kept) => Kept::Read(kept),
        Err(e) => {
            let aside = format!("{key}.unreadable");
            if let Err(e) = GlooLocalStorage::raw().set_item(&aside, &raw) {
                leptos::logging::error!("could not keep {key} aside: {}", crate::js::text(&e));
            }
            leptos::logging::warn!("{key} could not be read ({e}); kept as {aside}");
            Kept::Unreadable
        }
    }
}
