//! A report as the volunteer files it and as the server stores it.

use crate::checklist::{Answer, Phase};
use crate::evidence::{PhotoRef, Position};
use crate::lang::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;
use uuid::Uuid;

/// Generated on the phone when the report is saved, and never changed: it is the
/// idempotency key that lets the server store a report once however often it arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportId(pub Uuid);

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl std::str::FromStr for ReportId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(ReportId)
    }
}

/// A polling station: the 10-digit village code (kode wilayah desa/kelurahan,
/// e.g. 6471011001 in Kota Balikpapan) and the TPS number within that village.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TpsCode {
    village: String,
    number: u16,
}

/// Why a typed TPS code was not understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TpsCodeError {
    Empty,
    /// The village part is not exactly 10 digits.
    VillageCode,
    /// The TPS number is missing, not a number, or outside 1..=999.
    TpsNumber,
}

impl TpsCode {
    pub const MAX_TPS_NUMBER: u16 = 999;

    /// Accepts what volunteers actually type: `6471011001-3`, `6471011001 003`,
    /// `6471011001/003`, or the 10 digits and the number run together
    /// (`6471011001003`).
    pub fn parse(input: &str) -> Result<TpsCode, TpsCodeError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(TpsCodeError::Empty);
        }
        let (village, number) = Self::split(trimmed);
        if village.len() != 10 || !village.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TpsCodeError::VillageCode);
        }
        if number.is_empty() || number.len() > 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TpsCodeError::TpsNumber);
        }
        let number: u16 = number.parse().map_err(|_| TpsCodeError::TpsNumber)?;
        if number == 0 || number > Self::MAX_TPS_NUMBER {
            return Err(TpsCodeError::TpsNumber);
        }
        Ok(TpsCode { village: village.to_owned(), number })
    }

    /// The village part and the TPS number of a typed code, as `parse` reads them.
    fn split(trimmed: &str) -> (&str, &str) {
        match trimmed.find(['-', '/', ' ', '.']) {
            Some(at) => (&trimmed[..at], trimmed[at + 1..].trim_start_matches([' ', '-', '/', '.'])),
            None if trimmed.len() > 10 && trimmed.is_char_boundary(10) => (&trimmed[..10], &trimmed[10..]),
            None => (trimmed, ""),
        }
    }

    /// The village part of a typed code, as `parse` reads it: what a
    /// [`TpsCodeError::VillageCode`] is about, for saying what is wrong with it.
    pub fn typed_village(input: &str) -> &str {
        Self::split(input.trim()).0
    }

    /// What a typed TPS becomes in a report: the canonical form when it parses,
    /// otherwise the text as typed (trimmed), for validation to name the problem.
    pub fn normalise(typed: &str) -> String {
        TpsCode::parse(typed).map(|t| t.to_string()).unwrap_or_else(|_| typed.trim().to_owned())
    }

    pub fn village(&self) -> &str {
        &self.village
    }

    /// Whether `prefix` can be a scope of TPS codes: 2 to 10 digits of the
    /// village code (`64`: a province, `6471`: a city, `6471011001`: a village).
    pub fn is_scope_prefix(prefix: &str) -> bool {
        (2..=10).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_digit())
    }

    /// Whether a report for `tps` lies within `scope`: one TPS (in any
    /// spelling of its code) or a prefix of the code (`6471011001`: one
    /// village), for a volunteer who moves between TPS.
    pub fn in_scope(scope: &str, tps: &str) -> bool {
        let Ok(tps) = TpsCode::parse(tps) else { return false };
        match TpsCode::parse(scope) {
            Ok(only) => only == tps,
            Err(_) => {
                let prefix = scope.trim();
                !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit()) && tps.village.starts_with(prefix)
            }
        }
    }

    pub fn number(&self) -> u16 {
        self.number
    }
}

/// The canonical form, `6471011001-003`, is what reports carry and the server stores.
impl fmt::Display for TpsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:03}", self.village, self.number)
    }
}

/// What the volunteer filed. Fields hold what was typed (normalised where a
/// canonical form exists); [`Report::validate`] says whether
/// it may be saved and accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub id: ReportId,
    /// The TPS the report is about, in canonical form once validated.
    pub tps: String,
    /// When the volunteer saved it on the phone (not when the server got it).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub body: ReportBody,
    /// Photos, each uploaded on its own request before the report is sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<PhotoRef>,
    /// Where the phone was, when the volunteer asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// The kinds of report. Tagged by `kind` on the wire so that new kinds can be
/// added without breaking older records.
///
/// Read through [`WireBody`], not serde's internally tagged derive: that derive
/// buffers the object into a generic tree and compiles every variant's reader a
/// second time for it, about 14 KB of the PWA's wasm for this one type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportBody {
    /// A free-text observation: the first version's only kind, still accepted so
    /// that notes queued before the forms existed are delivered.
    Note { text: String },
    /// The TPS checklist for one phase of polling day: every item of the phase
    /// answered.
    Checklist { phase: Phase, answers: Vec<ChecklistAnswer> },
    /// An incident, with what a Bawaslu report needs (Perbawaslu 7/2022): when,
    /// where, what happened, who did it, who saw it. The reporter is the
    /// enrolled volunteer; evidence (photos) comes with its own issue.
    Incident {
        category: IncidentCategory,
        #[serde(with = "time::serde::rfc3339")]
        occurred_at: OffsetDateTime,
        place: String,
        description: String,
        /// Terlapor: who is reported, as far as the volunteer knows.
        #[serde(default)]
        reported_party: String,
        #[serde(default)]
        witnesses: String,
        #[serde(default)]
        urgent: bool,
    },
    /// The count as posted on the C.Hasil sheet for one contest. Totals that do
    /// not add up are warned about, not refused: a wrong sheet is worth reporting.
    CountResult {
        contest: Contest,
        votes: Vec<CandidateVotes>,
        /// Suara sah.
        valid: u32,
        /// Suara tidak sah.
        invalid: u32,
        /// Pengguna hak pilih: everyone who voted.
        voters: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistAnswer {
    /// An item id from [`crate::checklist::ITEMS`].
    pub item: String,
    pub answer: Answer,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateVotes {
    /// The candidate, pair or party as written on the sheet.
    pub name: String,
    #[cfg_attr(feature = "openapi", serde(deserialize_with = "crate::whole_number::read"))]
    pub votes: u32,
}

/// What kind of incident, in the categories Bawaslu's reports use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum IncidentCategory {
    /// Politik uang.
    VoteBuying,
    /// Netralitas ASN/TNI-Polri/kepala desa.
    Neutrality,
    /// Intimidasi.
    Intimidation,
    /// Data pemilih.
    VoterList,
    /// Kampanye di masa tenang.
    QuietPeriodCampaign,
    /// Surat suara/logistik.
    BallotsLogistics,
    /// Petugas KPPS.
    PollingOfficials,
    /// Lainnya.
    Other,
}

impl IncidentCategory {
    pub const ALL: [IncidentCategory; 8] = [
        IncidentCategory::VoteBuying,
        IncidentCategory::Neutrality,
        IncidentCategory::Intimidation,
        IncidentCategory::VoterList,
        IncidentCategory::QuietPeriodCampaign,
        IncidentCategory::BallotsLogistics,
        IncidentCategory::PollingOfficials,
        IncidentCategory::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentCategory::VoteBuying => "vote_buying",
            IncidentCategory::Neutrality => "neutrality",
            IncidentCategory::Intimidation => "intimidation",
            IncidentCategory::VoterList => "voter_list",
            IncidentCategory::QuietPeriodCampaign => "quiet_period_campaign",
            IncidentCategory::BallotsLogistics => "ballots_logistics",
            IncidentCategory::PollingOfficials => "polling_officials",
            IncidentCategory::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<IncidentCategory> {
        IncidentCategory::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        use IncidentCategory::*;
        match (self, lang) {
            (VoteBuying, Lang::Id) => "Politik uang",
            (VoteBuying, Lang::En) => "Vote buying",
            (Neutrality, Lang::Id) => "Netralitas ASN/TNI-Polri/kepala desa",
            (Neutrality, Lang::En) => "Neutrality of civil servants, military, police or village heads",
            (Intimidation, Lang::Id) => "Intimidasi",
            (Intimidation, Lang::En) => "Intimidation",
            (VoterList, Lang::Id) => "Data pemilih",
            (VoterList, Lang::En) => "Voter list",
            (QuietPeriodCampaign, Lang::Id) => "Kampanye di masa tenang",
            (QuietPeriodCampaign, Lang::En) => "Campaigning in the quiet period",
            (BallotsLogistics, Lang::Id) => "Surat suara/logistik",
            (BallotsLogistics, Lang::En) => "Ballots and logistics",
            (PollingOfficials, Lang::Id) => "Petugas KPPS",
            (PollingOfficials, Lang::En) => "Polling officials (KPPS)",
            (Other, Lang::Id) => "Lainnya",
            (Other, Lang::En) => "Other",
        }
    }
}

/// Which contest a count result is for: one C.Hasil sheet each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Contest {
    /// Presiden dan Wakil Presiden.
    President,
    /// DPR RI.
    Dpr,
    /// DPD RI.
    Dpd,
    /// DPRD Provinsi.
    DprdProvince,
    /// DPRD Kabupaten/Kota.
    DprdRegency,
    /// Kepala daerah (gubernur, bupati, wali kota).
    RegionalHead,
}

impl Contest {
    pub const ALL: [Contest; 6] = [
        Contest::President,
        Contest::Dpr,
        Contest::Dpd,
        Contest::DprdProvince,
        Contest::DprdRegency,
        Contest::RegionalHead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Contest::President => "president",
            Contest::Dpr => "dpr",
            Contest::Dpd => "dpd",
            Contest::DprdProvince => "dprd_province",
            Contest::DprdRegency => "dprd_regency",
            Contest::RegionalHead => "regional_head",
        }
    }

    pub fn parse(s: &str) -> Option<Contest> {
        Contest::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Contest::President, Lang::Id) => "Presiden dan Wakil Presiden",
            (Contest::President, Lang::En) => "President and Vice President",
            (Contest::Dpr, Lang::Id) => "DPR RI",
            (Contest::Dpr, Lang::En) => "House of Representatives (DPR)",
            (Contest::Dpd, Lang::Id) => "DPD RI",
            (Contest::Dpd, Lang::En) => "Regional Representative Council (DPD)",
            (Contest::DprdProvince, Lang::Id) => "DPRD Provinsi",
            (Contest::DprdProvince, Lang::En) => "Provincial council (DPRD)",
            (Contest::DprdRegency, Lang::Id) => "DPRD Kabupaten/Kota",
            (Contest::DprdRegency, Lang::En) => "City/regency council (DPRD)",
            (Contest::RegionalHead, Lang::Id) => "Kepala daerah",
            (Contest::RegionalHead, Lang::En) => "Regional head",
        }
    }
}

/// A report body as it arrives: one flat object with a `kind` and the fields of
/// every kind, checked by [`WireBody::into_body`] against the kind's own fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireBody {
    kind: BodyKind,
    text: Option<String>,
    phase: Option<Phase>,
    answers: Option<Vec<ChecklistAnswer>>,
    category: Option<IncidentCategory>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    occurred_at: Option<OffsetDateTime>,
    place: Option<String>,
    description: Option<String>,
    reported_party: Option<String>,
    witnesses: Option<String>,
    urgent: Option<bool>,
    contest: Option<Contest>,
    votes: Option<Vec<CandidateVotes>>,
    #[cfg_attr(feature = "openapi", serde(default, deserialize_with = "crate::whole_number::read_option"))]
    valid: Option<u32>,
    #[cfg_attr(feature = "openapi", serde(default, deserialize_with = "crate::whole_number::read_option"))]
    invalid: Option<u32>,
    #[cfg_attr(feature = "openapi", serde(default, deserialize_with = "crate::whole_number::read_option"))]
    voters: Option<u32>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum BodyKind {
    Note,
    Checklist,
    Incident,
    CountResult,
}

impl WireBody {
    /// The body of its kind, or the field that is missing or belongs to another
    /// kind, named as serde names fields.
    fn into_body(self) -> Result<ReportBody, String> {
        let present = [
            ("text", self.text.is_some()),
            ("phase", self.phase.is_some()),
            ("answers", self.answers.is_some()),
            ("category", self.category.is_some()),
            ("occurred_at", self.occurred_at.is_some()),
            ("place", self.place.is_some()),
            ("description", self.description.is_some()),
            ("reported_party", self.reported_party.is_some()),
            ("witnesses", self.witnesses.is_some()),
            ("urgent", self.urgent.is_some()),
            ("contest", self.contest.is_some()),
            ("votes", self.votes.is_some()),
            ("valid", self.valid.is_some()),
            ("invalid", self.invalid.is_some()),
            ("voters", self.voters.is_some()),
        ];
        let (kind, fields): (&str, &[&str]) = match self.kind {
            BodyKind::Note => ("note", &["text"]),
            BodyKind::Checklist => ("checklist", &["phase", "answers"]),
            BodyKind::Incident => (
                "incident",
                &["category", "occurred_at", "place", "description", "reported_party", "witnesses", "urgent"],
            ),
            BodyKind::CountResult => ("count_result", &["contest", "votes", "valid", "invalid", "voters"]),
        };
        if let Some((field, _)) = present.iter().find(|(field, here)| *here && !fields.contains(field)) {
            return Err(format!("unknown field `{field}` for kind `{kind}`, expected one of {}", quoted(fields)));
        }
        fn required<T>(value: Option<T>, field: &str) -> Result<T, String> {
            value.ok_or_else(|| format!("missing field `{field}`"))
        }
        Ok(match self.kind {
            BodyKind::Note => ReportBody::Note { text: required(self.text, "text")? },
            BodyKind::Checklist => ReportBody::Checklist {
                phase: required(self.phase, "phase")?,
                answers: required(self.answers, "answers")?,
            },
            BodyKind::Incident => ReportBody::Incident {
                category: required(self.category, "category")?,
                occurred_at: required(self.occurred_at, "occurred_at")?,
                place: required(self.place, "place")?,
                description: required(self.description, "description")?,
                reported_party: self.reported_party.unwrap_or_default(),
                witnesses: self.witnesses.unwrap_or_default(),
                urgent: self.urgent.unwrap_or_default(),
            },
            BodyKind::CountResult => ReportBody::CountResult {
                contest: required(self.contest, "contest")?,
                votes: required(self.votes, "votes")?,
                valid: required(self.valid, "valid")?,
                invalid: required(self.invalid, "invalid")?,
                voters: required(self.voters, "voters")?,
            },
        })
    }
}

fn quoted(fields: &[&str]) -> String {
    fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
}

impl<'de> Deserialize<'de> for ReportBody {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        WireBody::deserialize(deserializer)?.into_body().map_err(serde::de::Error::custom)
    }
}

impl ReportBody {
    /// Every value [`ReportBody::kind`] gives (what coordinators filter on).
    pub const KINDS: [&'static str; 4] = ["checklist", "incident", "count_result", "note"];

    /// Every value [`ReportBody::category`] gives.
    pub fn categories() -> impl Iterator<Item = &'static str> {
        Phase::ALL
            .into_iter()
            .map(Phase::as_str)
            .chain(IncidentCategory::ALL.into_iter().map(IncidentCategory::as_str))
            .chain(Contest::ALL.into_iter().map(Contest::as_str))
    }

    /// The kind as stored and filtered on: `note`, `checklist`, `incident`, `count_result`.
    pub fn kind(&self) -> &'static str {
        match self {
            ReportBody::Note { .. } => "note",
            ReportBody::Checklist { .. } => "checklist",
            ReportBody::Incident { .. } => "incident",
            ReportBody::CountResult { .. } => "count_result",
        }
    }

    /// What coordinators group reports of a kind by: the checklist's phase, the
    /// incident's category, the count's contest.
    pub fn category(&self) -> Option<&'static str> {
        match self {
            ReportBody::Note { .. } => None,
            ReportBody::Checklist { phase, .. } => Some(phase.as_str()),
            ReportBody::Incident { category, .. } => Some(category.as_str()),
            ReportBody::CountResult { contest, .. } => Some(contest.as_str()),
        }
    }
}

impl Report {
    /// A new report with the TPS normalised to its canonical form when it parses.
    pub fn new(id: ReportId, tps: &str, created_at: OffsetDateTime, body: ReportBody) -> Report {
        Report { id, tps: TpsCode::normalise(tps), created_at, body, photos: Vec::new(), position: None }
    }

    /// The JSON the server stores and compares: the same report always serialises
    /// to the same bytes (struct fields in declaration order), so "identical" is a
    /// string comparison.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a Report always serialises")
    }

    /// What kind of report this is, for lists: "Kejadian · Politik uang".
    pub fn title(&self, lang: Lang) -> String {
        let (kind, detail) = match (&self.body, lang) {
            (ReportBody::Note { .. }, Lang::Id) => ("Catatan", None),
            (ReportBody::Note { .. }, Lang::En) => ("Note", None),
            (ReportBody::Checklist { phase, .. }, Lang::Id) => ("Checklist TPS", Some(phase.label(lang))),
            (ReportBody::Checklist { phase, .. }, Lang::En) => ("TPS checklist", Some(phase.label(lang))),
            (ReportBody::Incident { category, .. }, Lang::Id) => ("Kejadian", Some(category.label(lang))),
            (ReportBody::Incident { category, .. }, Lang::En) => ("Incident", Some(category.label(lang))),
            (ReportBody::CountResult { contest, .. }, Lang::Id) => ("Hasil penghitungan", Some(contest.label(lang))),
            (ReportBody::CountResult { contest, .. }, Lang::En) => ("Count result", Some(contest.label(lang))),
        };
        match detail {
            Some(detail) => format!("{kind} · {detail}"),
            None => kind.to_owned(),
        }
    }

    /// A one-line summary for lists, in the volunteer's language.
    pub fn summary(&self, lang: Lang) -> String {
        match &self.body {
            ReportBody::Note { text } => text.clone(),
            ReportBody::Checklist { answers, .. } => Answer::ALL
                .iter()
                .map(|kind| format!("{} {}", answers.iter().filter(|a| a.answer == *kind).count(), kind.label(lang)))
                .collect::<Vec<_>>()
                .join(" · "),
            ReportBody::Incident { description, urgent, .. } => {
                let urgent = match (urgent, lang) {
                    (false, _) => "",
                    (true, Lang::Id) => "MENDESAK: ",
                    (true, Lang::En) => "URGENT: ",
                };
                format!("{urgent}{}", first_chars(description, 80))
            }
            ReportBody::CountResult { valid, invalid, voters, .. } => {
                let (sah, tidak, pengguna) = match lang {
                    Lang::Id => ("sah", "tidak sah", "pengguna hak pilih"),
                    Lang::En => ("valid", "invalid", "voters"),
                };
                format!("{valid} {sah} · {invalid} {tidak} · {voters} {pengguna}")
            }
        }
    }
}

fn first_chars(text: &str, n: usize) -> String {
    match text.char_indices().nth(n) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tps_code_accepts_the_ways_volunteers_type_it() {
        for typed in ["6471011001-3", "6471011001 003", " 6471011001/003 ", "6471011001003", "6471011001 - 3"] {
            let tps = TpsCode::parse(typed).unwrap_or_else(|e| panic!("{typed:?}: {e:?}"));
            assert_eq!(tps.to_string(), "6471011001-003", "{typed:?}");
        }
    }

    #[test]
    fn tps_code_names_the_wrong_part() {
        assert_eq!(TpsCode::parse("   "), Err(TpsCodeError::Empty));
        assert_eq!(TpsCode::parse("647101100-3"), Err(TpsCodeError::VillageCode));
        assert_eq!(TpsCode::parse("64710110x1-3"), Err(TpsCodeError::VillageCode));
        assert_eq!(TpsCode::parse("6471011001"), Err(TpsCodeError::TpsNumber));
        assert_eq!(TpsCode::parse("6471011001-0"), Err(TpsCodeError::TpsNumber));
        assert_eq!(TpsCode::parse("6471011001-1000"), Err(TpsCodeError::TpsNumber));
        assert_eq!(TpsCode::parse("6471011001-abc"), Err(TpsCodeError::TpsNumber));
        // Multi-byte input must not panic on slicing.
        assert_eq!(TpsCode::parse("ééééééééééé"), Err(TpsCodeError::VillageCode));
    }

    #[test]
    fn report_round_trips_through_json_and_canonical_form_is_stable() {
        let report = Report::new(
            ReportId(Uuid::from_u128(7)),
            "6471011001/2",
            time::macros::datetime!(2026-02-14 07:05:00 +08:00),
            ReportBody::Note { text: "TPS dibuka tepat waktu".into() },
        );
        assert_eq!(report.tps, "6471011001-002");
        let json = report.canonical_json();
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
        assert_eq!(back.canonical_json(), json);
        assert!(json.contains(r#""body":{"kind":"note","text":"TPS dibuka tepat waktu"}"#), "{json}");
    }

    #[test]
    fn unknown_fields_are_refused_not_silently_dropped() {
        let json = r#"{"id":"00000000-0000-0000-0000-000000000007","tps":"6471011001-002","created_at":"2026-02-14T07:05:00+08:00","body":{"kind":"note","text":"x"},"volunteer_id":"admin"}"#;
        let err = serde_json::from_str::<Report>(json).unwrap_err();
        assert!(err.to_string().contains("volunteer_id"), "{err}");
    }

    fn body(json: &str) -> Result<ReportBody, String> {
        serde_json::from_str::<ReportBody>(json).map_err(|e| e.to_string())
    }

    #[test]
    fn every_kind_reads_back_what_it_wrote() {
        let bodies = [
            ReportBody::Note { text: "catatan".into() },
            ReportBody::Checklist {
                phase: Phase::Opening,
                answers: vec![ChecklistAnswer {
                    item: "opening.on_time".into(),
                    answer: Answer::No,
                    note: "terlambat".into(),
                }],
            },
            ReportBody::Incident {
                category: IncidentCategory::VoteBuying,
                occurred_at: time::macros::datetime!(2026-02-14 09:30:00 +08:00),
                place: "depan TPS".into(),
                description: "amplop".into(),
                reported_party: String::new(),
                witnesses: "Budi".into(),
                urgent: true,
            },
            ReportBody::CountResult {
                contest: Contest::President,
                votes: vec![CandidateVotes { name: "Paslon 1".into(), votes: 120 }],
                valid: 120,
                invalid: 3,
                voters: 123,
            },
        ];
        for original in bodies {
            let json = serde_json::to_string(&original).unwrap();
            assert_eq!(body(&json), Ok(original), "{json}");
        }
    }

    #[test]
    fn a_body_names_the_field_that_is_missing_or_belongs_to_another_kind() {
        let err = body(r#"{"kind":"checklist","phase":"opening"}"#).unwrap_err();
        assert!(err.contains("missing field `answers`"), "{err}");
        let err = body(r#"{"kind":"note","text":"x","votes":[]}"#).unwrap_err();
        assert!(err.contains("unknown field `votes` for kind `note`"), "{err}");
        let err = body(r#"{"kind":"note","text":"x","mood":"ok"}"#).unwrap_err();
        assert!(err.contains("unknown field `mood`"), "{err}");
        let err = body(r#"{"kind":"photo","text":"x"}"#).unwrap_err();
        assert!(err.contains("unknown variant `photo`"), "{err}");
        let err = body(r#"{"text":"x"}"#).unwrap_err();
        assert!(err.contains("missing field `kind`"), "{err}");
        // An incident's optional fields may be left out, as before.
        let incident = body(
            r#"{"kind":"incident","category":"other","occurred_at":"2026-02-14T09:30:00+08:00","place":"TPS","description":"d"}"#,
        );
        assert!(
            matches!(incident, Ok(ReportBody::Incident { urgent: false, ref witnesses, .. }) if witnesses.is_empty()),
            "{incident:?}"
        );
    }

    /// The server's reading (the `openapi` feature); the PWA reads only what it wrote.
    #[cfg(feature = "openapi")]
    #[test]
    fn counts_written_with_a_zero_fraction_are_whole_numbers_and_others_are_refused() {
        let body = |valid: &str| {
            let json = format!(
                r#"{{"kind":"count_result","contest":"president","votes":[{{"name":"01","votes":{valid}}}],"valid":{valid},"invalid":0,"voters":{valid}}}"#
            );
            serde_json::from_str::<ReportBody>(&json)
        };
        match body("405.0").unwrap() {
            ReportBody::CountResult { votes, valid, voters, .. } => {
                assert_eq!((votes[0].votes, valid, voters), (405, 405, 405))
            }
            other => panic!("{other:?}"),
        }
        for refused in ["405.5", "-1", "\"405\"", "4294967296", "null"] {
            assert!(body(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn a_tps_is_in_scope_of_itself_in_any_spelling_and_of_its_prefixes_only() {
        assert!(TpsCode::in_scope("6471011001-003", "6471011001-3"));
        assert!(!TpsCode::in_scope("6471011001-003", "6471011001-004"));
        assert!(TpsCode::in_scope("6471011001", "6471011001-004"), "a village");
        assert!(TpsCode::in_scope("647101", "6471011002-001"), "a district");
        assert!(!TpsCode::in_scope("647102", "6471011002-001"));
        assert!(!TpsCode::in_scope("", "6471011002-001"), "an empty scope covers nothing");
        assert!(!TpsCode::in_scope("6471011001-003", "not a tps"));
    }
}
