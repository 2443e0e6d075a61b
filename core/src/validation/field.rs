//! What is wrong with which part of a report: a stable code and a typed field,
//! written on the wire as a JSON path (`body.votes.2.name`).

use crate::checklist::ChecklistItem;
use serde::{Deserialize, Serialize};

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
    /// Warning: an incident more than [`REPORTING_WINDOW_DAYS`](super::REPORTING_WINDOW_DAYS) before the report.
    PastReportingWindow,
    /// A time outside [`YEARS`](super::YEARS).
    OutOfRange,
    /// The whole report is over [`MAX_REPORT_BYTES`](super::MAX_REPORT_BYTES).
    ReportTooLarge,
    /// Warning: valid + invalid votes differ from the number of voters.
    TotalsMismatch,
    /// Warning: the candidates' votes do not add up to the valid votes.
    VotesMismatch,
    /// A TPS outside the one (or the prefix) the volunteer is enrolled for.
    OutsideScope,
    /// A photo whose name is not a SHA-256, or whose size or dimensions are 0.
    NotAPhoto,
    /// A photo over [`MAX_PHOTO_BYTES`](crate::evidence::MAX_PHOTO_BYTES) or
    /// an edge over [`MAX_PHOTO_EDGE`](crate::evidence::MAX_PHOTO_EDGE) (the limit).
    PhotoTooLarge,
    /// A checklist photo on an item this report does not answer *Tidak*, or an
    /// item on a photo of another kind of report.
    PhotoItem,
    /// A position outside the globe, or less accurate than 100 km.
    PositionInvalid,
}

/// The part of a report a [`FieldError::field`] path names. Validation builds
/// paths from it ([`ReportField::path`]) and screens read them back
/// ([`ReportField::parse`]), so a refusal is shown by the field's label rather
/// than its JSON path. Rows are counted from 0, as in the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportField {
    /// The report as a whole (its size).
    Whole,
    Tps,
    CreatedAt,
    NoteText,
    /// A checklist's phase (only a form leaves it unset).
    Phase,
    ChecklistAnswer(&'static ChecklistItem),
    ChecklistNote(&'static ChecklistItem),
    /// An answer whose item is not in the catalogue for this phase, by position.
    ChecklistRow(usize),
    /// An incident's category (only a form leaves it unset).
    Category,
    OccurredAt,
    Place,
    Description,
    ReportedParty,
    Witnesses,
    /// A count result's contest (only a form leaves it unset).
    Contest,
    Votes,
    CandidateName(usize),
    CandidateVotes(usize),
    Valid,
    Invalid,
    Voters,
    /// The list of photos (how many).
    Photos,
    /// One photo, by position.
    Photo(usize),
    Position,
}

impl ReportField {
    /// The field's path in the report's JSON, as [`FieldError::field`] carries it.
    pub fn path(self) -> String {
        match self {
            ReportField::Whole => "body".into(),
            ReportField::Tps => "tps".into(),
            ReportField::CreatedAt => "created_at".into(),
            ReportField::NoteText => "body.text".into(),
            ReportField::Phase => "body.phase".into(),
            ReportField::ChecklistAnswer(item) => format!("body.answers.{}", item.id),
            ReportField::ChecklistNote(item) => format!("body.answers.{}.note", item.id),
            ReportField::ChecklistRow(i) => format!("body.answers.{i}.item"),
            ReportField::Category => "body.category".into(),
            ReportField::OccurredAt => "body.occurred_at".into(),
            ReportField::Place => "body.place".into(),
            ReportField::Description => "body.description".into(),
            ReportField::ReportedParty => "body.reported_party".into(),
            ReportField::Witnesses => "body.witnesses".into(),
            ReportField::Contest => "body.contest".into(),
            ReportField::Votes => "body.votes".into(),
            ReportField::CandidateName(i) => format!("body.votes.{i}.name"),
            ReportField::CandidateVotes(i) => format!("body.votes.{i}.votes"),
            ReportField::Valid => "body.valid".into(),
            ReportField::Invalid => "body.invalid".into(),
            ReportField::Voters => "body.voters".into(),
            ReportField::Photos => "photos".into(),
            ReportField::Photo(i) => format!("photos.{i}"),
            ReportField::Position => "position".into(),
        }
    }

    /// Reads a path as [`ReportField::path`] writes it; `None` for any other
    /// (a newer server's field, a damaged record).
    pub fn parse(path: &str) -> Option<ReportField> {
        let item = |id: &str| ChecklistItem::find(id);
        let row = |i: &str| i.parse::<usize>().ok();
        let parts: Vec<&str> = path.split('.').collect();
        Some(match parts.as_slice() {
            ["body"] => ReportField::Whole,
            ["tps"] => ReportField::Tps,
            ["created_at"] => ReportField::CreatedAt,
            ["body", "text"] => ReportField::NoteText,
            ["body", "phase"] => ReportField::Phase,
            ["body", "answers", i, "item"] => ReportField::ChecklistRow(row(i)?),
            ["body", "answers", id] => ReportField::ChecklistAnswer(item(id)?),
            ["body", "answers", id, "note"] => ReportField::ChecklistNote(item(id)?),
            ["body", "category"] => ReportField::Category,
            ["body", "occurred_at"] => ReportField::OccurredAt,
            ["body", "place"] => ReportField::Place,
            ["body", "description"] => ReportField::Description,
            ["body", "reported_party"] => ReportField::ReportedParty,
            ["body", "witnesses"] => ReportField::Witnesses,
            ["body", "contest"] => ReportField::Contest,
            ["body", "votes"] => ReportField::Votes,
            ["body", "votes", i, "name"] => ReportField::CandidateName(row(i)?),
            ["body", "votes", i, "votes"] => ReportField::CandidateVotes(row(i)?),
            ["body", "valid"] => ReportField::Valid,
            ["body", "invalid"] => ReportField::Invalid,
            ["body", "voters"] => ReportField::Voters,
            ["photos"] => ReportField::Photos,
            ["photos", i] => ReportField::Photo(row(i)?),
            ["position"] => ReportField::Position,
            _ => return None,
        })
    }

    /// The row of a count result this field is in, if it is in one.
    pub fn count_row(self) -> Option<usize> {
        match self {
            ReportField::CandidateName(i) | ReportField::CandidateVotes(i) => Some(i),
            _ => None,
        }
    }
}

impl FieldError {
    pub fn new(field: ReportField, code: FieldErrorCode) -> FieldError {
        FieldError { field: field.path(), code, limit: None }
    }

    pub fn limited(field: ReportField, code: FieldErrorCode, limit: usize) -> FieldError {
        FieldError { field: field.path(), code, limit: Some(limit as u32) }
    }

    /// The field this error names; `None` for a path this version does not know.
    pub fn at(&self) -> Option<ReportField> {
        ReportField::parse(&self.field)
    }
}
