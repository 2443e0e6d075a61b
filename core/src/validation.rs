//! The rules a report must meet to be saved on the phone and accepted by the
//! server. One implementation, run in both places, so a report the form accepts
//! is never refused by the server for a rule the volunteer could not see.

use crate::checklist::ChecklistItem;
use crate::report::{Report, ReportBody, TpsCode, TpsCodeError};
use serde::{Deserialize, Serialize};

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

/// The languages messages exist in. Bahasa Indonesia is the default: volunteers
/// read it first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Lang {
    #[default]
    Id,
    En,
}

/// What is wrong with one field. The `code` is stable (clients and tests match
/// on it); the message is for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's path in the report's JSON, e.g. `tps`, `body.text`,
    /// `body.answers.ink` (a checklist item) or `body.votes.2.name` (a row).
    pub field: String,
    pub code: FieldErrorCode,
    /// The limit that was passed, for `too_long` (characters), `too_many`
    /// (rows) and `too_large` (a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FieldErrorCode {
    Required,
    TooLong,
    TpsVillageCode,
    TpsNumber,
    /// A checklist item that is not in the catalogue or not in this phase.
    UnknownItem,
    /// The same checklist item answered twice.
    Duplicate,
    TooMany,
    TooLarge,
    /// Not a whole number from 0 up.
    NotANumber,
    /// Warning: an incident time after the report was saved (a wrong clock?).
    InFuture,
    /// Warning: an incident more than [`REPORTING_WINDOW_DAYS`] before the report.
    PastReportingWindow,
    /// A time outside [`YEARS`].
    OutOfRange,
    /// The whole report is over [`MAX_REPORT_BYTES`].
    ReportTooLarge,
    /// Warning: valid + invalid votes differ from the number of voters.
    TotalsMismatch,
    /// Warning: the candidates' votes do not add up to the valid votes.
    VotesMismatch,
}

/// The part of a report a [`FieldError::field`] path names, so that a refusal
/// can be shown by the field's label rather than its JSON path. Rows are
/// counted from 0, as in the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportField {
    /// The report as a whole (its size).
    Whole,
    Tps,
    CreatedAt,
    NoteText,
    ChecklistAnswer(&'static ChecklistItem),
    ChecklistNote(&'static ChecklistItem),
    /// An answer whose item is not in the catalogue for this phase, by position.
    ChecklistRow(usize),
    OccurredAt,
    Place,
    Description,
    ReportedParty,
    Witnesses,
    Votes,
    CandidateName(usize),
    CandidateVotes(usize),
    Valid,
    Invalid,
    Voters,
}

impl ReportField {
    /// Reads a path as [`Report::validate`] and [`Report::warnings`] write them;
    /// `None` for any other (a newer server's field, a damaged record).
    pub fn parse(path: &str) -> Option<ReportField> {
        let item = |id: &str| ChecklistItem::find(id);
        let row = |i: &str| i.parse::<usize>().ok();
        let parts: Vec<&str> = path.split('.').collect();
        Some(match parts.as_slice() {
            ["body"] => ReportField::Whole,
            ["tps"] => ReportField::Tps,
            ["created_at"] => ReportField::CreatedAt,
            ["body", "text"] => ReportField::NoteText,
            ["body", "answers", i, "item"] => ReportField::ChecklistRow(row(i)?),
            ["body", "answers", id] => ReportField::ChecklistAnswer(item(id)?),
            ["body", "answers", id, "note"] => ReportField::ChecklistNote(item(id)?),
            ["body", "occurred_at"] => ReportField::OccurredAt,
            ["body", "place"] => ReportField::Place,
            ["body", "description"] => ReportField::Description,
            ["body", "reported_party"] => ReportField::ReportedParty,
            ["body", "witnesses"] => ReportField::Witnesses,
            ["body", "votes"] => ReportField::Votes,
            ["body", "votes", i, "name"] => ReportField::CandidateName(row(i)?),
            ["body", "votes", i, "votes"] => ReportField::CandidateVotes(row(i)?),
            ["body", "valid"] => ReportField::Valid,
            ["body", "invalid"] => ReportField::Invalid,
            ["body", "voters"] => ReportField::Voters,
            _ => return None,
        })
    }
}

impl FieldError {
    pub fn new(field: &str, code: FieldErrorCode) -> FieldError {
        FieldError { field: field.to_owned(), code, limit: None }
    }

    pub fn limited(field: &str, code: FieldErrorCode, limit: usize) -> FieldError {
        FieldError { field: field.to_owned(), code, limit: Some(limit as u32) }
    }

    pub fn message(&self, lang: Lang) -> String {
        use FieldErrorCode::*;
        let limit = self.limit.unwrap_or_default();
        match (self.code, lang) {
            (Required, Lang::Id) => "Wajib diisi.".into(),
            (Required, Lang::En) => "Required.".into(),
            (TooLong, Lang::Id) => format!("Terlalu panjang: paling banyak {limit} karakter."),
            (TooLong, Lang::En) => format!("Too long: at most {limit} characters."),
            (UnknownItem, Lang::Id) => "Butir checklist tidak dikenal untuk tahap ini.".into(),
            (UnknownItem, Lang::En) => "Unknown checklist item for this phase.".into(),
            (Duplicate, Lang::Id) => "Butir ini dijawab dua kali.".into(),
            (Duplicate, Lang::En) => "This item is answered twice.".into(),
            (TooMany, Lang::Id) => format!("Terlalu banyak baris: paling banyak {limit}."),
            (TooMany, Lang::En) => format!("Too many rows: at most {limit}."),
            (TooLarge, Lang::Id) => format!("Angka terlalu besar: paling banyak {limit}."),
            (TooLarge, Lang::En) => format!("Number too large: at most {limit}."),
            (NotANumber, Lang::Id) => "Isi dengan angka bulat, 0 atau lebih.".into(),
            (NotANumber, Lang::En) => "Enter a whole number, 0 or more.".into(),
            (ReportTooLarge, Lang::Id) => {
                format!("Laporan terlalu besar (paling banyak {} KB): pendekkan isian.", limit / 1000)
            }
            (ReportTooLarge, Lang::En) => {
                format!("The report is too large (at most {} KB): shorten what you typed.", limit / 1000)
            }
            (InFuture, Lang::Id) => {
                "Waktu kejadian sesudah jam ponsel sekarang. Periksa tanggal dan jam ponsel; laporan tetap bisa disimpan."
                    .into()
            }
            (PastReportingWindow, Lang::Id) => format!(
                "Kejadian lebih dari {REPORTING_WINDOW_DAYS} hari lalu: Bawaslu menerima laporan dugaan pelanggaran paling lambat {REPORTING_WINDOW_DAYS} hari sejak diketahui. Periksa tanggalnya; laporan tetap bisa disimpan."
            ),
            (PastReportingWindow, Lang::En) => format!(
                "The incident is more than {REPORTING_WINDOW_DAYS} days old: Bawaslu takes reports of suspected violations within {REPORTING_WINDOW_DAYS} days of their being known. Check the date; the report can still be saved."
            ),
            (InFuture, Lang::En) => {
                "The incident time is later than the phone's clock. Check the phone's date and time; the report can still be saved."
                    .into()
            }
            (OutOfRange, Lang::Id) => {
                format!("Waktu di luar rentang: tahun {} sampai {}.", YEARS.start(), YEARS.end())
            }
            (OutOfRange, Lang::En) => format!("The time is out of range: years {} to {}.", YEARS.start(), YEARS.end()),
            (TotalsMismatch, Lang::Id) => {
                "Suara sah + tidak sah tidak sama dengan pengguna hak pilih. Periksa lagi; laporan tetap bisa disimpan."
                    .into()
            }
            (TotalsMismatch, Lang::En) => {
                "Valid + invalid votes differ from the number of voters. Check again; the report can still be saved."
                    .into()
            }
            (VotesMismatch, Lang::Id) => {
                "Jumlah suara peserta tidak sama dengan suara sah. Periksa lagi; laporan tetap bisa disimpan.".into()
            }
            (VotesMismatch, Lang::En) => {
                "The candidates' votes do not add up to the valid votes. Check again; the report can still be saved."
                    .into()
            }
            (TpsVillageCode, Lang::Id) => {
                "Kode wilayah desa/kelurahan harus 10 angka, lalu nomor TPS (contoh: 6471011001-003).".into()
            }
            (TpsVillageCode, Lang::En) => {
                "The village code must be 10 digits, then the TPS number (e.g. 6471011001-003).".into()
            }
            (TpsNumber, Lang::Id) => "Nomor TPS harus angka 1 sampai 999 (contoh: 6471011001-003).".into(),
            (TpsNumber, Lang::En) => "The TPS number must be from 1 to 999 (e.g. 6471011001-003).".into(),
        }
    }
}

impl Report {
    /// Every problem at once, so the form can mark all wrong fields in one pass.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !time_in_range(self.created_at) {
            errors.push(FieldError::new("created_at", FieldErrorCode::OutOfRange));
        }
        match TpsCode::parse(&self.tps) {
            Ok(tps) if tps.to_string() == self.tps => {}
            // Valid but not canonical: the server stores one spelling per TPS so
            // coordinators can filter on it.
            Ok(_) => errors.push(FieldError::new("tps", FieldErrorCode::TpsVillageCode)),
            Err(TpsCodeError::Empty) => errors.push(FieldError::new("tps", FieldErrorCode::Required)),
            Err(TpsCodeError::VillageCode) => errors.push(FieldError::new("tps", FieldErrorCode::TpsVillageCode)),
            Err(TpsCodeError::TpsNumber) => errors.push(FieldError::new("tps", FieldErrorCode::TpsNumber)),
        }
        match &self.body {
            ReportBody::Note { text } => check_text(&mut errors, "body.text", text, true, MAX_TEXT_CHARS),
            ReportBody::Checklist { phase, answers } => {
                let mut seen = Vec::with_capacity(answers.len());
                for (i, answer) in answers.iter().enumerate() {
                    match ChecklistItem::find(&answer.item).filter(|item| item.phase == *phase) {
                        None => {
                            errors.push(FieldError::new(&format!("body.answers.{i}.item"), FieldErrorCode::UnknownItem))
                        }
                        Some(item) if seen.contains(&item.id) => errors
                            .push(FieldError::new(&format!("body.answers.{}", item.id), FieldErrorCode::Duplicate)),
                        Some(item) => {
                            seen.push(item.id);
                            if answer.note.chars().count() > MAX_NOTE_CHARS {
                                errors.push(FieldError::limited(
                                    &format!("body.answers.{}.note", item.id),
                                    FieldErrorCode::TooLong,
                                    MAX_NOTE_CHARS,
                                ));
                            }
                        }
                    }
                }
                for item in phase.items().filter(|item| !seen.contains(&item.id)) {
                    errors.push(FieldError::new(&format!("body.answers.{}", item.id), FieldErrorCode::Required));
                }
            }
            ReportBody::Incident { occurred_at, place, description, reported_party, witnesses, .. } => {
                if !time_in_range(*occurred_at) {
                    errors.push(FieldError::new("body.occurred_at", FieldErrorCode::OutOfRange));
                }
                check_text(&mut errors, "body.place", place, true, MAX_SHORT_CHARS);
                check_text(&mut errors, "body.description", description, true, MAX_TEXT_CHARS);
                check_text(&mut errors, "body.reported_party", reported_party, false, MAX_NAMES_CHARS);
                check_text(&mut errors, "body.witnesses", witnesses, false, MAX_NAMES_CHARS);
            }
            ReportBody::CountResult { votes, valid, invalid, voters, .. } => {
                if votes.is_empty() {
                    errors.push(FieldError::new("body.votes", FieldErrorCode::Required));
                } else if votes.len() > MAX_COUNT_ROWS {
                    errors.push(FieldError::limited("body.votes", FieldErrorCode::TooMany, MAX_COUNT_ROWS));
                }
                for (i, row) in votes.iter().enumerate().take(MAX_COUNT_ROWS) {
                    if row.name.trim().is_empty() {
                        errors.push(FieldError::new(&format!("body.votes.{i}.name"), FieldErrorCode::Required));
                    } else if row.name.chars().count() > MAX_SHORT_CHARS {
                        errors.push(FieldError::limited(
                            &format!("body.votes.{i}.name"),
                            FieldErrorCode::TooLong,
                            MAX_SHORT_CHARS,
                        ));
                    }
                    if row.votes > MAX_COUNT {
                        errors.push(FieldError::limited(
                            &format!("body.votes.{i}.votes"),
                            FieldErrorCode::TooLarge,
                            MAX_COUNT as usize,
                        ));
                    }
                }
                for (field, n) in [("body.valid", valid), ("body.invalid", invalid), ("body.voters", voters)] {
                    if *n > MAX_COUNT {
                        errors.push(FieldError::limited(field, FieldErrorCode::TooLarge, MAX_COUNT as usize));
                    }
                }
            }
        }
        // Every field may be within its limit and the whole still too large
        // (300 rows of long names); the size is checked last, as sent.
        if errors.is_empty() && self.canonical_json().len() > MAX_REPORT_BYTES {
            errors.push(FieldError::limited("body", FieldErrorCode::ReportTooLarge, MAX_REPORT_BYTES));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn check_text(errors: &mut Vec<FieldError>, field: &str, text: &str, required: bool, max: usize) {
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
                warnings.push(FieldError::new("body.voters", FieldErrorCode::TotalsMismatch));
            }
            if votes.iter().map(|v| u64::from(v.votes)).sum::<u64>() != u64::from(*valid) {
                warnings.push(FieldError::new("body.valid", FieldErrorCode::VotesMismatch));
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
    Some(FieldError::new("body.occurred_at", code))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ReportId;
    use uuid::Uuid;

    fn note(tps: &str, text: &str) -> Report {
        Report::new(
            ReportId(Uuid::from_u128(1)),
            tps,
            time::macros::datetime!(2026-02-14 08:00 +08:00),
            ReportBody::Note { text: text.into() },
        )
    }

    #[test]
    fn a_complete_note_is_valid() {
        assert_eq!(note("6471011001-1", "Antrean panjang").validate(), Ok(()));
    }

    #[test]
    fn every_wrong_field_is_named() {
        let errors = note("", "  ").validate().unwrap_err();
        assert_eq!(
            errors,
            vec![
                FieldError::new("tps", FieldErrorCode::Required),
                FieldError::new("body.text", FieldErrorCode::Required)
            ]
        );
        let errors = note("12345", &"x".repeat(MAX_TEXT_CHARS + 1)).validate().unwrap_err();
        assert_eq!(errors[0].code, FieldErrorCode::TpsVillageCode);
        assert_eq!(errors[1].code, FieldErrorCode::TooLong);
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        // 'é' is two bytes: a byte limit would refuse this text.
        assert_eq!(note("6471011001-1", &"é".repeat(MAX_TEXT_CHARS)).validate(), Ok(()));
    }

    #[test]
    fn a_non_canonical_tps_from_another_client_is_refused() {
        let mut report = note("6471011001-1", "ok");
        report.tps = "6471011001/1".into();
        assert_eq!(report.validate().unwrap_err()[0].field, "tps");
    }

    #[test]
    fn messages_exist_in_both_languages() {
        for code in [
            FieldErrorCode::Required,
            FieldErrorCode::TooLong,
            FieldErrorCode::TpsVillageCode,
            FieldErrorCode::TpsNumber,
        ] {
            let e = FieldError::new("tps", code);
            assert_ne!(e.message(Lang::Id), e.message(Lang::En));
            assert!(!e.message(Lang::Id).is_empty());
        }
    }

    use crate::checklist::{Answer, Phase};
    use crate::report::{CandidateVotes, ChecklistAnswer, Contest, IncidentCategory};

    fn with_body(body: ReportBody) -> Report {
        Report::new(
            ReportId(Uuid::from_u128(2)),
            "6471011001-3",
            time::macros::datetime!(2026-02-14 10:00 +08:00),
            body,
        )
    }

    fn full_checklist(phase: Phase) -> Vec<ChecklistAnswer> {
        phase.items().map(|i| ChecklistAnswer { item: i.id.into(), answer: Answer::Yes, note: String::new() }).collect()
    }

    #[test]
    fn a_checklist_needs_every_item_of_its_phase_once_and_nothing_else() {
        assert_eq!(
            with_body(ReportBody::Checklist { phase: Phase::Voting, answers: full_checklist(Phase::Voting) })
                .validate(),
            Ok(())
        );

        let mut answers = full_checklist(Phase::Opening);
        let missing = answers.remove(1);
        answers.push(answers[0].clone());
        answers.push(ChecklistAnswer { item: "ink".into(), answer: Answer::No, note: String::new() });
        answers[2].note = "x".repeat(MAX_NOTE_CHARS + 1);
        let errors = with_body(ReportBody::Checklist { phase: Phase::Opening, answers }).validate().unwrap_err();
        let named: Vec<(&str, FieldErrorCode)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert!(named.contains(&(&*format!("body.answers.{}", missing.item), FieldErrorCode::Required)), "{named:?}");
        assert!(named.contains(&("body.answers.opened_0700", FieldErrorCode::Duplicate)), "{named:?}");
        assert!(
            named.iter().any(|(f, c)| f.ends_with(".item") && *c == FieldErrorCode::UnknownItem),
            "an item of another phase: {named:?}"
        );
        assert!(named.iter().any(|(f, c)| f.ends_with(".note") && *c == FieldErrorCode::TooLong), "{named:?}");
        assert_eq!(errors.len(), 4, "{named:?}");
    }

    fn incident() -> ReportBody {
        ReportBody::Incident {
            category: IncidentCategory::VoteBuying,
            occurred_at: time::macros::datetime!(2026-02-14 09:40 +08:00),
            place: "Depan TPS 003".into(),
            description: "Amplop dibagikan kepada pemilih yang antre".into(),
            reported_party: String::new(),
            witnesses: String::new(),
            urgent: true,
        }
    }

    #[test]
    fn an_incident_older_than_the_reporting_window_is_warned_about_and_saved() {
        let saved = time::macros::datetime!(2026-02-14 10:00 +08:00);
        let at = |occurred_at| {
            let mut report = with_body(incident());
            report.created_at = saved;
            if let ReportBody::Incident { occurred_at: t, .. } = &mut report.body {
                *t = occurred_at;
            }
            report
        };
        let week = time::Duration::days(REPORTING_WINDOW_DAYS);
        assert_eq!(at(saved - week).warnings(), vec![], "7 days to the minute is within");
        let late = at(saved - week - time::Duration::minutes(1));
        assert_eq!(late.validate(), Ok(()), "never refused");
        assert_eq!(late.warnings(), vec![FieldError::new("body.occurred_at", FieldErrorCode::PastReportingWindow)]);
        assert!(late.warnings()[0].message(Lang::Id).contains("7 hari"), "{}", late.warnings()[0].message(Lang::Id));
        // A year typed wrong is caught by the same warning.
        let slipped = at(time::macros::datetime!(2016-02-14 09:40 +08:00));
        assert_eq!(slipped.warnings()[0].code, FieldErrorCode::PastReportingWindow);
    }

    #[test]
    fn an_incident_needs_place_and_description_and_a_later_time_is_warned_about() {
        assert_eq!(with_body(incident()).validate(), Ok(()));
        assert_eq!(with_body(incident()).warnings(), vec![]);
        let mut body = incident();
        if let ReportBody::Incident { occurred_at, place, description, witnesses, .. } = &mut body {
            *occurred_at = time::macros::datetime!(2026-02-14 11:00 +08:00);
            *place = " ".into();
            description.clear();
            *witnesses = "w".repeat(MAX_NAMES_CHARS + 1);
        }
        let report = with_body(body);
        let errors = report.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["body.place", "body.description", "body.witnesses"]);
        assert_eq!(errors[2].limit, Some(MAX_NAMES_CHARS as u32));
        assert!(errors[2].message(Lang::Id).contains("1000"), "{}", errors[2].message(Lang::Id));
        assert_eq!(report.warnings(), vec![FieldError::new("body.occurred_at", FieldErrorCode::InFuture)]);
    }

    #[test]
    fn a_true_incident_time_on_a_phone_with_a_wrong_clock_is_saved_with_a_warning() {
        // The clock went back to 2000 after a flat battery, or the phone runs
        // in UTC while the TPS is in WITA: the volunteer types the real time.
        // (The phone in UTC reads the typed 08:50 WIB as 08:50 UTC.)
        for (created_at, typed) in [
            (time::macros::datetime!(2000-01-01 00:05 +07:00), time::macros::datetime!(2026-02-14 09:40 +07:00)),
            (time::macros::datetime!(2026-02-14 02:05 UTC), time::macros::datetime!(2026-02-14 08:50 UTC)),
        ] {
            let mut report = with_body(incident());
            report.created_at = created_at;
            if let ReportBody::Incident { occurred_at, .. } = &mut report.body {
                *occurred_at = typed;
            }
            assert_eq!(report.validate(), Ok(()), "{created_at}");
            assert_eq!(report.warnings()[0].code, FieldErrorCode::InFuture, "{created_at}");
        }
    }

    #[test]
    fn times_without_a_storable_utc_value_are_refused_by_name_and_a_reset_clock_is_not() {
        // RFC 3339 reads these; none has a UTC time in range, and the first
        // has none at all (it lies after 9999-12-31T23:59:59Z).
        for (created, occurred) in [
            ("9999-12-31T23:59:59-00:01", "2026-02-14T09:00:00+08:00"),
            ("9999-12-31T23:50:00Z", "9999-12-31T23:55:00Z"),
            ("1899-12-31T23:59:59Z", "0001-01-01T00:00:00+23:59"),
        ] {
            let parse =
                |s: &str| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap();
            let mut report = with_body(incident());
            report.created_at = parse(created);
            if let ReportBody::Incident { occurred_at, .. } = &mut report.body {
                *occurred_at = parse(occurred);
            }
            let errors = report.validate().unwrap_err();
            let codes: Vec<(&str, FieldErrorCode)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
            assert!(codes.contains(&("created_at", FieldErrorCode::OutOfRange)), "{created}: {codes:?}");
            if occurred.starts_with("9999") || occurred.starts_with("0001") {
                assert!(codes.contains(&("body.occurred_at", FieldErrorCode::OutOfRange)), "{occurred}: {codes:?}");
            }
            assert!(errors[0].message(Lang::Id).contains("1900"), "{}", errors[0].message(Lang::Id));
        }
        // A phone whose clock went back to 1970 after a flat battery still saves.
        let mut report = with_body(incident());
        report.created_at = time::macros::datetime!(1970-01-01 00:05 +07:00);
        if let ReportBody::Incident { occurred_at, .. } = &mut report.body {
            *occurred_at = time::macros::datetime!(1970-01-01 00:00 +07:00);
        }
        assert_eq!(report.validate(), Ok(()));
    }

    fn count(valid: u32, invalid: u32, voters: u32, votes: &[u32]) -> Report {
        with_body(ReportBody::CountResult {
            contest: Contest::President,
            votes: votes
                .iter()
                .enumerate()
                .map(|(i, v)| CandidateVotes { name: format!("Paslon {}", i + 1), votes: *v })
                .collect(),
            valid,
            invalid,
            voters,
        })
    }

    #[test]
    fn a_count_that_does_not_add_up_is_valid_with_warnings() {
        let good = count(200, 5, 205, &[120, 80]);
        assert_eq!(good.validate(), Ok(()));
        assert!(good.warnings().is_empty());
        let odd = count(200, 5, 210, &[120, 70]);
        assert_eq!(odd.validate(), Ok(()), "a wrong sheet is worth filing");
        let codes: Vec<FieldErrorCode> = odd.warnings().iter().map(|w| w.code).collect();
        assert_eq!(codes, vec![FieldErrorCode::TotalsMismatch, FieldErrorCode::VotesMismatch]);
    }

    #[test]
    fn a_count_needs_named_rows_and_plausible_numbers() {
        let errors = count(MAX_COUNT + 1, 0, 0, &[]).validate().unwrap_err();
        assert_eq!(errors[0], FieldError::new("body.votes", FieldErrorCode::Required));
        assert_eq!(errors[1].field, "body.valid");
        let mut report = count(1, 0, 1, &[1]);
        if let ReportBody::CountResult { votes, .. } = &mut report.body {
            votes[0].name = "  ".into();
        }
        assert_eq!(report.validate().unwrap_err()[0].field, "body.votes.0.name");
    }

    #[test]
    fn a_report_within_every_field_limit_but_too_large_as_a_whole_is_refused() {
        let mut report = count(1, 0, 1, &[1]);
        if let ReportBody::CountResult { votes, .. } = &mut report.body {
            *votes = (0..MAX_COUNT_ROWS)
                .map(|i| CandidateVotes { name: format!("{i} {}", "é".repeat(150)), votes: 0 })
                .collect();
        }
        assert!(report.canonical_json().len() > MAX_REPORT_BYTES);
        let errors = report.validate().unwrap_err();
        assert_eq!(errors, vec![FieldError::limited("body", FieldErrorCode::ReportTooLarge, MAX_REPORT_BYTES)]);
    }

    #[test]
    fn counts_are_read_as_volunteers_write_them() {
        assert_eq!(parse_count("1.250"), Ok(1250));
        assert_eq!(parse_count("10.000"), Ok(10_000));
        assert_eq!(parse_count("1 250"), Ok(1250));
        // A dot that is not a thousands separator is a slip, never read as another number.
        for slip in ["12.5", "1.0", "1.2.3", ".250", "1250.", "1..250", "1234.567"] {
            assert_eq!(parse_count(slip), Err(FieldErrorCode::NotANumber), "{slip}");
        }
        assert_eq!(parse_count(" 42 "), Ok(42));
        assert_eq!(parse_count(""), Err(FieldErrorCode::Required));
        assert_eq!(parse_count("-3"), Err(FieldErrorCode::NotANumber));
        assert_eq!(parse_count("12a"), Err(FieldErrorCode::NotANumber));
        assert_eq!(parse_count("99999999999"), Err(FieldErrorCode::TooLarge));
    }

    #[test]
    fn every_code_has_a_message_in_both_languages() {
        use FieldErrorCode::*;
        for code in [
            UnknownItem,
            Duplicate,
            TooMany,
            TooLarge,
            NotANumber,
            InFuture,
            PastReportingWindow,
            OutOfRange,
            ReportTooLarge,
            TotalsMismatch,
            VotesMismatch,
        ] {
            let e = FieldError { field: "x".into(), code, limit: Some(5) };
            assert_ne!(e.message(Lang::Id), e.message(Lang::En), "{code:?}");
        }
    }

    #[test]
    fn every_kind_round_trips_through_json() {
        for body in [
            ReportBody::Checklist { phase: Phase::Counting, answers: full_checklist(Phase::Counting) },
            incident(),
            count(200, 5, 205, &[120, 80]).body,
        ] {
            let report = with_body(body);
            let back: Report = serde_json::from_str(&report.canonical_json()).unwrap();
            assert_eq!(back, report);
            // What coordinators may filter on lists every kind and category a report can have.
            assert!(ReportBody::KINDS.contains(&report.body.kind()));
            assert!(ReportBody::categories().any(|c| Some(c) == report.body.category()));
        }
        let json = with_body(incident()).canonical_json();
        assert!(json.contains(r#""kind":"incident","category":"vote_buying""#), "{json}");
    }

    #[test]
    fn every_path_a_refusal_or_warning_names_reads_back_as_its_field() {
        let long = |n: usize| "x".repeat(n + 1);
        let mut bad_checklist = full_checklist(Phase::Voting);
        bad_checklist[0].note = long(MAX_NOTE_CHARS);
        bad_checklist[1] = bad_checklist[0].clone();
        bad_checklist.push(ChecklistAnswer { item: "no_such_item".into(), answer: Answer::Yes, note: String::new() });
        let mut bad_incident = incident();
        if let ReportBody::Incident { occurred_at, place, description, reported_party, witnesses, .. } =
            &mut bad_incident
        {
            *occurred_at = time::macros::datetime!(1800-01-01 00:00 UTC);
            *place = String::new();
            *description = long(MAX_TEXT_CHARS);
            *reported_party = long(MAX_NAMES_CHARS);
            *witnesses = long(MAX_NAMES_CHARS);
        }
        let mut bad_count = count(MAX_COUNT + 1, MAX_COUNT + 1, MAX_COUNT + 1, &[MAX_COUNT + 1, 1]);
        if let ReportBody::CountResult { votes, .. } = &mut bad_count.body {
            votes[1].name = String::new();
        }
        let mut bad_tps = with_body(ReportBody::Note { text: String::new() });
        bad_tps.tps = String::new();
        bad_tps.created_at = time::macros::datetime!(2300-01-01 00:00 UTC);
        // Every row within its limits, the whole over MAX_REPORT_BYTES.
        let mut too_large = count(0, 0, 0, &[0; MAX_COUNT_ROWS]);
        if let ReportBody::CountResult { votes, .. } = &mut too_large.body {
            votes.iter_mut().for_each(|row| row.name = "x".repeat(MAX_SHORT_CHARS));
        }
        let reports = [
            bad_tps,
            with_body(ReportBody::Checklist { phase: Phase::Voting, answers: bad_checklist }),
            with_body(bad_incident),
            bad_count,
            count(1, 0, 1, &[]),
            count(0, 0, 0, &vec![0; MAX_COUNT_ROWS + 1]),
            count(5, 1, 9, &[2]),
            too_large,
        ];
        let mut seen = Vec::new();
        for report in &reports {
            let errors = report.validate().err().unwrap_or_default();
            for e in errors.iter().chain(&report.warnings()) {
                let field = ReportField::parse(&e.field);
                assert!(field.is_some(), "{} ({:?}) has no field to show it by", e.field, e.code);
                seen.push(field.unwrap());
            }
        }
        let voting_item = Phase::Voting.items().next().unwrap();
        for expected in [
            ReportField::Tps,
            ReportField::CreatedAt,
            ReportField::NoteText,
            ReportField::Whole,
            ReportField::ChecklistNote(voting_item),
            ReportField::ChecklistRow(Phase::Voting.items().count()),
            ReportField::OccurredAt,
            ReportField::Place,
            ReportField::Description,
            ReportField::ReportedParty,
            ReportField::Witnesses,
            ReportField::Votes,
            ReportField::CandidateName(1),
            ReportField::CandidateVotes(0),
            ReportField::Valid,
            ReportField::Invalid,
            ReportField::Voters,
        ] {
            assert!(seen.contains(&expected), "{expected:?} not produced; saw {seen:?}");
        }
        assert!(seen.iter().any(|f| matches!(f, ReportField::ChecklistAnswer(_))), "{seen:?}");
    }

    #[test]
    fn paths_from_elsewhere_name_no_field() {
        for path in ["", "body.photo", "body.answers.no_such_item", "body.votes.x.name", "tps.extra", "body.votes.1"] {
            assert_eq!(ReportField::parse(path), None, "{path}");
        }
    }
}
