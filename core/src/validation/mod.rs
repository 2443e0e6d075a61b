//! The rules a report must meet to be saved on the phone and accepted by the
//! server. One implementation, run in both places, so a report the form accepts
//! is never refused by the server for a rule the volunteer could not see.
//!
//! [`field`] names what is wrong with which part of a report; [`messages`] says it
//! in both languages.

mod field;
mod messages;
#[cfg(test)]
mod tests;

pub use field::{FieldError, FieldErrorCode, ReportField};

use crate::checklist::ChecklistItem;
use crate::evidence::{PhotoRef, MAX_PHOTOS, MAX_PHOTO_BYTES, MAX_PHOTO_EDGE};
use crate::report::{Report, ReportBody, TpsCode, TpsCodeError};

/// Longest free-text observation, in characters. Generous for a field report,
/// small enough that a day of reports fits easily in browser storage.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// Longest note on a checklist answer.
pub const MAX_NOTE_CHARS: usize = 1_000;
/// Longest short field: a place, a name.
pub const MAX_SHORT_CHARS: usize = 200;
/// Longest list of names (reported party, witnesses).
pub const MAX_NAMES_CHARS: usize = 1_000;
/// Most rows on a count result: parties and candidates of the longest sheet.
pub const MAX_COUNT_ROWS: usize = 300;
/// Largest number on a count result. A TPS serves at most a few hundred voters;
/// this bound only catches a slipped finger.
pub const MAX_COUNT: u32 = 10_000;
/// Bawaslu takes a report of a suspected violation within 7 days of its being
/// known (Perbawaslu 7/2022, Pasal 15: a formal requirement). A volunteer at
/// the TPS knows when it happens, so an older incident is warned about: it may
/// still matter to the coordinator, so it is never refused.
pub const REPORTING_WINDOW_DAYS: i64 = 7;
/// How far an incident's time may lie after the report's, for clocks that
/// disagree by a few minutes.
pub const CLOCK_SKEW_MINUTES: i64 = 15;
/// The years (in UTC) a report's times must fall in. Wide on purpose: a phone
/// whose clock reset after a flat battery (to 1970 or 2000) must still save its
/// reports, and coordinators see the odd time beside the server's own
/// `received_at`. The bound is what keeps every time storable: RFC 3339 allows
/// 9999-12-31T23:59-00:01, which has no UTC value, and adding the clock skew
/// to the last representable time overflows.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// Whether `t`, in UTC, falls in [`YEARS`] (and so can be stored, compared and
/// shifted by minutes without overflow).
pub fn time_in_range(t: time::OffsetDateTime) -> bool {
    t.checked_to_offset(time::UtcOffset::UTC).is_some_and(|utc| YEARS.contains(&utc.year()))
}

/// Largest report, as JSON. Below the server's 64 KiB body limit, so that a
/// report the form accepts is never refused for its size.
pub const MAX_REPORT_BYTES: usize = 60_000;
// The promise above, checked when compiling.
const _: () = assert!(MAX_REPORT_BYTES < 64 * 1024);

impl Report {
    /// Every problem at once, so the form can mark all wrong fields in one pass.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !time_in_range(self.created_at) {
            errors.push(FieldError::new(ReportField::CreatedAt, FieldErrorCode::OutOfRange));
        }
        match TpsCode::parse(&self.tps) {
            Ok(tps) if tps.to_string() == self.tps => {}
            // Valid but not canonical: the server stores one spelling per TPS so
            // coordinators can filter on it.
            Ok(_) => errors.push(FieldError::new(ReportField::Tps, FieldErrorCode::TpsVillageCode)),
            Err(TpsCodeError::Empty) => errors.push(FieldError::new(ReportField::Tps, FieldErrorCode::Required)),
            Err(TpsCodeError::VillageCode) => {
                errors.push(FieldError::new(ReportField::Tps, FieldErrorCode::TpsVillageCode))
            }
            Err(TpsCodeError::TpsNumber) => errors.push(FieldError::new(ReportField::Tps, FieldErrorCode::TpsNumber)),
        }
        match &self.body {
            ReportBody::Note { text } => check_text(&mut errors, ReportField::NoteText, text, true, MAX_TEXT_CHARS),
            ReportBody::Checklist { phase, answers } => {
                let mut seen = Vec::with_capacity(answers.len());
                for (i, answer) in answers.iter().enumerate() {
                    match ChecklistItem::find(&answer.item).filter(|item| item.phase == *phase) {
                        None => errors.push(FieldError::new(ReportField::ChecklistRow(i), FieldErrorCode::UnknownItem)),
                        Some(item) if seen.contains(&item.id) => {
                            errors.push(FieldError::new(ReportField::ChecklistAnswer(item), FieldErrorCode::Duplicate))
                        }
                        Some(item) => {
                            seen.push(item.id);
                            if answer.note.chars().count() > MAX_NOTE_CHARS {
                                errors.push(FieldError::limited(
                                    ReportField::ChecklistNote(item),
                                    FieldErrorCode::TooLong,
                                    MAX_NOTE_CHARS,
                                ));
                            }
                        }
                    }
                }
                for item in phase.items().filter(|item| !seen.contains(&item.id)) {
                    errors.push(FieldError::new(ReportField::ChecklistAnswer(item), FieldErrorCode::Required));
                }
            }
            ReportBody::Incident { occurred_at, place, description, reported_party, witnesses, .. } => {
                if !time_in_range(*occurred_at) {
                    errors.push(FieldError::new(ReportField::OccurredAt, FieldErrorCode::OutOfRange));
                }
                check_text(&mut errors, ReportField::Place, place, true, MAX_SHORT_CHARS);
                check_text(&mut errors, ReportField::Description, description, true, MAX_TEXT_CHARS);
                check_text(&mut errors, ReportField::ReportedParty, reported_party, false, MAX_NAMES_CHARS);
                check_text(&mut errors, ReportField::Witnesses, witnesses, false, MAX_NAMES_CHARS);
            }
            ReportBody::CountResult { votes, valid, invalid, voters, .. } => {
                if votes.is_empty() {
                    errors.push(FieldError::new(ReportField::Votes, FieldErrorCode::Required));
                } else if votes.len() > MAX_COUNT_ROWS {
                    errors.push(FieldError::limited(ReportField::Votes, FieldErrorCode::TooMany, MAX_COUNT_ROWS));
                }
                for (i, row) in votes.iter().enumerate().take(MAX_COUNT_ROWS) {
                    if row.name.trim().is_empty() {
                        errors.push(FieldError::new(ReportField::CandidateName(i), FieldErrorCode::Required));
                    } else if row.name.chars().count() > MAX_SHORT_CHARS {
                        errors.push(FieldError::limited(
                            ReportField::CandidateName(i),
                            FieldErrorCode::TooLong,
                            MAX_SHORT_CHARS,
                        ));
                    }
                    if row.votes > MAX_COUNT {
                        errors.push(FieldError::limited(
                            ReportField::CandidateVotes(i),
                            FieldErrorCode::TooLarge,
                            MAX_COUNT as usize,
                        ));
                    }
                }
                for (field, n) in
                    [(ReportField::Valid, valid), (ReportField::Invalid, invalid), (ReportField::Voters, voters)]
                {
                    if *n > MAX_COUNT {
                        errors.push(FieldError::limited(field, FieldErrorCode::TooLarge, MAX_COUNT as usize));
                    }
                }
            }
        }
        check_evidence(&mut errors, self);
        // Every field may be within its limit and the whole still too large
        // (300 rows of long names); the size is checked last, as sent.
        if errors.is_empty() && self.canonical_json().len() > MAX_REPORT_BYTES {
            errors.push(FieldError::limited(ReportField::Whole, FieldErrorCode::ReportTooLarge, MAX_REPORT_BYTES));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Photos: at most [`MAX_PHOTOS`], each once, each named by a SHA-256 and
/// within the stored limits, taken within [`YEARS`]; a checklist photo on an
/// item answered *Tidak*.
fn check_evidence(errors: &mut Vec<FieldError>, report: &Report) {
    if report.photos.len() > MAX_PHOTOS {
        errors.push(FieldError::limited(ReportField::Photos, FieldErrorCode::TooMany, MAX_PHOTOS));
    }
    for (i, photo) in report.photos.iter().enumerate() {
        let field = ReportField::Photo(i);
        let edge = photo.width.max(photo.height);
        if !PhotoRef::is_sha256(&photo.sha256) || photo.bytes == 0 || photo.width == 0 || photo.height == 0 {
            errors.push(FieldError::new(field, FieldErrorCode::NotAPhoto));
        } else if photo.bytes > MAX_PHOTO_BYTES {
            errors.push(FieldError::limited(field, FieldErrorCode::PhotoTooLarge, MAX_PHOTO_BYTES as usize));
        } else if edge > MAX_PHOTO_EDGE {
            errors.push(FieldError::limited(field, FieldErrorCode::NotAPhoto, MAX_PHOTO_EDGE as usize));
        } else if report.photos[..i].iter().any(|p| p.sha256 == photo.sha256) {
            errors.push(FieldError::new(field, FieldErrorCode::Duplicate));
        }
        let item_ok = match (&photo.item, &report.body) {
            (None, ReportBody::Checklist { .. }) => false,
            (None, _) => true,
            (Some(item), ReportBody::Checklist { answers, .. }) => {
                answers.iter().any(|a| a.item == *item && a.answer == crate::checklist::Answer::No)
            }
            (Some(_), _) => false,
        };
        if !item_ok {
            errors.push(FieldError::new(field, FieldErrorCode::PhotoItem));
        }
        if photo.taken_at.is_some_and(|t| !time_in_range(t)) {
            errors.push(FieldError::new(field, FieldErrorCode::OutOfRange));
        }
    }
    if report.position.is_some_and(|p| !p.is_valid()) {
        errors.push(FieldError::new(ReportField::Position, FieldErrorCode::PositionInvalid));
    }
}

fn check_text(errors: &mut Vec<FieldError>, field: ReportField, text: &str, required: bool, max: usize) {
    if required && text.trim().is_empty() {
        errors.push(FieldError::new(field, FieldErrorCode::Required));
    } else if text.chars().count() > max {
        errors.push(FieldError::limited(field, FieldErrorCode::TooLong, max));
    }
}

impl Report {
    /// What looks wrong but may be true and is worth filing as it is: totals on
    /// a count result that do not add up, an incident time later than the
    /// report's or older than the reporting window. Never blocks saving or sending.
    pub fn warnings(&self) -> Vec<FieldError> {
        let mut warnings = Vec::new();
        if let ReportBody::Incident { occurred_at, .. } = &self.body {
            warnings.extend(incident_time_warning(self.created_at, *occurred_at));
        }
        if let ReportBody::CountResult { votes, valid, invalid, voters, .. } = &self.body {
            if u64::from(*valid) + u64::from(*invalid) != u64::from(*voters) {
                warnings.push(FieldError::new(ReportField::Voters, FieldErrorCode::TotalsMismatch));
            }
            if votes.iter().map(|v| u64::from(v.votes)).sum::<u64>() != u64::from(*valid) {
                warnings.push(FieldError::new(ReportField::Valid, FieldErrorCode::VotesMismatch));
            }
        }
        warnings
    }
}

/// An incident time after the report's (beyond the clock skew) is warned
/// about, never refused: it is what a phone whose clock reset after a flat
/// battery, or that runs in the wrong zone, says about a true time. The
/// coordinator sees it beside the server's `received_at`. One more than
/// [`REPORTING_WINDOW_DAYS`] before the report is warned about too.
pub fn incident_time_warning(
    created_at: time::OffsetDateTime,
    occurred_at: time::OffsetDateTime,
) -> Option<FieldError> {
    if !(time_in_range(created_at) && time_in_range(occurred_at)) {
        return None;
    }
    let code = if occurred_at > created_at + time::Duration::minutes(CLOCK_SKEW_MINUTES) {
        FieldErrorCode::InFuture
    } else if occurred_at < created_at - time::Duration::days(REPORTING_WINDOW_DAYS) {
        FieldErrorCode::PastReportingWindow
    } else {
        return None;
    };
    Some(FieldError::new(ReportField::OccurredAt, code))
}

/// The error a report for `tps` gets from a volunteer enrolled for `scope`
/// (one TPS, or a code prefix): none inside it, and none for a `tps` that is
/// not a TPS code yet (validation names that).
pub fn scope_error(scope: &str, tps: &str) -> Option<FieldError> {
    let outside = crate::TpsCode::parse(tps).is_ok() && !crate::TpsCode::in_scope(scope, tps);
    outside.then(|| FieldError::new(ReportField::Tps, FieldErrorCode::OutsideScope))
}

/// Reads a count typed in a form: a whole number from 0, spaces and the
/// thousands dots Indonesians write ("1.250") allowed.
pub fn parse_count(typed: &str) -> Result<u32, FieldErrorCode> {
    let spaced: String = typed.chars().filter(|c| !matches!(c, ' ' | '\u{a0}')).collect();
    if spaced.is_empty() {
        return Err(FieldErrorCode::Required);
    }
    // A dot only between groups of three digits: "12.5" or "1.0" is a slip
    // (votes have no decimals), not 125 or 10.
    let mut groups = spaced.split('.');
    let first = groups.next().unwrap_or_default();
    let grouped = spaced.contains('.');
    if grouped && !((1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)) {
        return Err(FieldErrorCode::NotANumber);
    }
    let digits: String = spaced.chars().filter(|c| *c != '.').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldErrorCode::NotANumber);
    }
    match digits.parse::<u32>() {
        Ok(n) if n <= MAX_COUNT => Ok(n),
        _ => Err(FieldErrorCode::TooLarge),
    }
}
