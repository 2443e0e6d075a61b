//! The forms' drafts as the phone keeps them (gloo-storage): what the
//! volunteer typed, under which keys, and which kept photos drafts name (so
//! the photo sweep keeps them). The forms edit drafts; this is their shape.

use pantau_core::evidence::{PhotoRef, Position};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the volunteer typed into one form, as typed (a number that does not
/// read yet stays as it was). One type serves the three forms, each using its
/// own fields: each draft type cost every volunteer its own serde reader and
/// writer. Field names are those of the earlier per-form drafts, which it reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FormInput {
    pub tps: String,
    /// Laporan kejadian: the category's slug.
    pub category: String,
    /// As the `datetime-local` input gives it: "2026-02-14T09:40", local time.
    pub occurred_at: String,
    pub place: String,
    pub description: String,
    pub reported_party: String,
    pub witnesses: String,
    pub urgent: bool,
    /// Hasil penghitungan: the contest's slug, its rows and totals.
    pub contest: String,
    pub rows: Vec<CountRow>,
    pub valid: String,
    pub invalid: String,
    pub voters: String,
    /// Checklist TPS: the phase's slug, and per item id its answer's slug
    /// ("yes" / "no" / "unknown") and its note.
    pub phase: String,
    pub answers: BTreeMap<String, String>,
    pub notes: BTreeMap<String, String>,
    /// Kept on the phone already (IndexedDB), named here; a checklist photo
    /// names its item.
    pub photos: Vec<PhotoRef>,
    pub position: Option<Position>,
}

impl FormInput {
    /// Nothing typed: only what a form fills in itself (TPS, phase, time) or
    /// leaves empty (spare count rows). A contest chosen is input.
    pub fn is_blank(&self) -> bool {
        let blank = |s: &String| s.trim().is_empty();
        self.category.is_empty()
            && self.contest.is_empty()
            && self.answers.is_empty()
            && [&self.place, &self.description, &self.reported_party, &self.witnesses].into_iter().all(blank)
            && [&self.valid, &self.invalid, &self.voters].into_iter().all(blank)
            && self.rows.iter().all(|r| blank(&r.name) && blank(&r.votes))
            && self.notes.values().all(blank)
            && !self.urgent
            && self.photos.is_empty()
    }
}

/// One row of a count form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CountRow {
    pub name: String,
    pub votes: String,
    /// A participant from the ballot catalogue: its name is fixed, only the
    /// votes are typed.
    pub from_ballot: bool,
}

/// Where every form keeps its draft: `pantau.draft.<form>` (and
/// `….correction`), with the forms; a draft this version could not read is
/// kept aside under the same prefix (`….unreadable`).
pub const DRAFT_PREFIX: &str = "pantau.draft.";

/// The names of the photos every kept draft holds, the unreadable ones
/// included: they stay on the phone though no report names them yet.
pub fn draft_photos() -> Vec<String> {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return Default::default();
    };
    let keys = (0..storage.length().unwrap_or(0)).filter_map(|i| storage.key(i).ok().flatten());
    let drafts =
        keys.filter(|key| key.starts_with(DRAFT_PREFIX)).filter_map(|key| storage.get_item(&key).ok().flatten());
    drafts.flat_map(|json| photo_names(&json).collect::<Vec<_>>()).collect()
}

/// The photo names in a draft's JSON, read as text, so that a draft of any
/// version, readable or not, keeps its photos: serde_json writes each as
/// `"sha256":"<64 hex digits>"`, and a quote inside a string is escaped.
fn photo_names(json: &str) -> impl Iterator<Item = String> + '_ {
    json.split("\"sha256\":\"")
        .skip(1)
        .filter_map(|rest| rest.get(..64))
        .filter(|name| PhotoRef::is_sha256(name))
        .map(str::to_owned)
}
