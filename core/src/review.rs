//! What coordinators do with a report: its review state, changed by
//! append-only events. Reports themselves never change.

use crate::lang::Lang;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Longest review note, in characters.
pub const MAX_REVIEW_NOTE_CHARS: usize = 2_000;
/// Longest reference number of a forwarded report, in characters.
pub const MAX_REFERENCE_CHARS: usize = 100;

/// Where a report is in the coordinators' hands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReviewState {
    /// Nobody has taken it up yet.
    New,
    InReview,
    Verified,
    NotSubstantiated,
    /// Forwarded for enforcement, with a reference number.
    Forwarded,
}

impl ReviewState {
    pub const ALL: [ReviewState; 5] = [
        ReviewState::New,
        ReviewState::InReview,
        ReviewState::Verified,
        ReviewState::NotSubstantiated,
        ReviewState::Forwarded,
    ];

    /// The state's name in the API and the database.
    pub fn slug(self) -> &'static str {
        match self {
            ReviewState::New => "new",
            ReviewState::InReview => "in_review",
            ReviewState::Verified => "verified",
            ReviewState::NotSubstantiated => "not_substantiated",
            ReviewState::Forwarded => "forwarded",
        }
    }

    pub fn from_slug(slug: &str) -> Option<ReviewState> {
        ReviewState::ALL.into_iter().find(|s| s.slug() == slug)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ReviewState::New, Lang::Id) => "Baru",
            (ReviewState::New, Lang::En) => "New",
            (ReviewState::InReview, Lang::Id) => "Sedang ditinjau",
            (ReviewState::InReview, Lang::En) => "In review",
            (ReviewState::Verified, Lang::Id) => "Terverifikasi",
            (ReviewState::Verified, Lang::En) => "Verified",
            (ReviewState::NotSubstantiated, Lang::Id) => "Tidak terbukti",
            (ReviewState::NotSubstantiated, Lang::En) => "Not substantiated",
            (ReviewState::Forwarded, Lang::Id) => "Ditindaklanjuti",
            (ReviewState::Forwarded, Lang::En) => "Forwarded",
        }
    }
}

/// A coordinator's change of a report's review, as asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewChange {
    pub to: ReviewState,
    /// Plain text; shown escaped everywhere.
    #[serde(default)]
    pub note: String,
    /// Required when forwarding: the enforcement case's reference number.
    #[serde(default)]
    pub reference: Option<String>,
}

/// Why a review change is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewError {
    /// `new` is where a report starts, not where it is sent back to.
    BackToNew,
    /// The same state again, with nothing to add.
    Unchanged,
    ReferenceMissing,
    ReferenceTooLong,
    /// A reference on a change that is not a forwarding.
    ReferenceNotForwarded,
    NoteTooLong,
}

impl std::fmt::Display for ReviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReviewError::BackToNew => f.write_str("to: a report cannot be put back to new"),
            ReviewError::Unchanged => f.write_str("to: the report is in this state already; add a note to say more"),
            ReviewError::ReferenceMissing => f.write_str("reference: required when forwarding"),
            ReviewError::ReferenceTooLong => write!(f, "reference: at most {MAX_REFERENCE_CHARS} characters"),
            ReviewError::ReferenceNotForwarded => f.write_str("reference: only a forwarding has one"),
            ReviewError::NoteTooLong => write!(f, "note: at most {MAX_REVIEW_NOTE_CHARS} characters"),
        }
    }
}

impl ReviewChange {
    /// Whether this change may follow a review now at `from`.
    pub fn check(&self, from: ReviewState) -> Result<(), ReviewError> {
        if self.to == ReviewState::New {
            return Err(ReviewError::BackToNew);
        }
        if self.to == from && self.note.trim().is_empty() {
            return Err(ReviewError::Unchanged);
        }
        if self.note.chars().count() > MAX_REVIEW_NOTE_CHARS {
            return Err(ReviewError::NoteTooLong);
        }
        let reference = self.reference.as_deref().map(str::trim).filter(|r| !r.is_empty());
        match (self.to, reference) {
            (ReviewState::Forwarded, None) => Err(ReviewError::ReferenceMissing),
            (ReviewState::Forwarded, Some(r)) if r.chars().count() > MAX_REFERENCE_CHARS => {
                Err(ReviewError::ReferenceTooLong)
            }
            (ReviewState::Forwarded, Some(_)) | (_, None) => Ok(()),
            (_, Some(_)) => Err(ReviewError::ReferenceNotForwarded),
        }
    }
}

/// One change of a report's review, as stored: never changed or removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewEvent {
    /// 1 for a report's first change, counting up.
    pub version: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who made the change.
    pub coordinator: String,
    pub from: ReviewState,
    pub to: ReviewState,
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// A report's review: its state and the history that led there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    pub state: ReviewState,
    /// The number of changes so far: what a change must name in `If-Match`.
    pub version: u32,
    /// Oldest first.
    pub history: Vec<ReviewEvent>,
}

impl Review {
    /// The review that `history` (oldest first) comes to.
    pub fn from_history(history: Vec<ReviewEvent>) -> Review {
        let state = history.last().map_or(ReviewState::New, |e| e.to);
        Review { state, version: history.len() as u32, history }
    }

    /// The entity tag of this version, for `ETag` and `If-Match`.
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(to: ReviewState, note: &str, reference: Option<&str>) -> ReviewChange {
        ReviewChange { to, note: note.into(), reference: reference.map(Into::into) }
    }

    #[test]
    fn a_change_is_checked_against_the_state_it_follows() {
        use ReviewState::*;
        assert_eq!(change(InReview, "", None).check(New), Ok(()));
        assert_eq!(change(New, "", None).check(InReview), Err(ReviewError::BackToNew));
        assert_eq!(change(InReview, " ", None).check(InReview), Err(ReviewError::Unchanged));
        assert_eq!(change(InReview, "saksi dihubungi", None).check(InReview), Ok(()), "a note on the way");
        assert_eq!(change(Forwarded, "", None).check(Verified), Err(ReviewError::ReferenceMissing));
        assert_eq!(change(Forwarded, "", Some("  ")).check(Verified), Err(ReviewError::ReferenceMissing));
        assert_eq!(change(Forwarded, "", Some("001/PL/PP/Kota/23.04/II/2024")).check(Verified), Ok(()));
        assert_eq!(change(Verified, "", Some("001")).check(InReview), Err(ReviewError::ReferenceNotForwarded));
        let long = "x".repeat(MAX_REVIEW_NOTE_CHARS + 1);
        assert_eq!(change(Verified, &long, None).check(InReview), Err(ReviewError::NoteTooLong));
        let reference = "1".repeat(MAX_REFERENCE_CHARS + 1);
        assert_eq!(change(Forwarded, "", Some(&reference)).check(Verified), Err(ReviewError::ReferenceTooLong));
    }

    #[test]
    fn a_review_is_where_its_last_event_left_it() {
        assert_eq!(Review::from_history(Vec::new()).state, ReviewState::New);
        let event = |version, from, to| ReviewEvent {
            version,
            at: OffsetDateTime::UNIX_EPOCH,
            coordinator: "K".into(),
            from,
            to,
            note: String::new(),
            reference: None,
        };
        let review = Review::from_history(vec![
            event(1, ReviewState::New, ReviewState::InReview),
            event(2, ReviewState::InReview, ReviewState::Verified),
        ]);
        assert_eq!((review.state, review.version, review.etag()), (ReviewState::Verified, 2, "\"v2\"".into()));
        for state in ReviewState::ALL {
            assert_eq!(ReviewState::from_slug(state.slug()), Some(state));
        }
    }
}
