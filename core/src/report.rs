//! A report as the volunteer files it and as the server stores it.

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
        let (village, number) = match trimmed.find(|c: char| c == '-' || c == '/' || c == ' ' || c == '.') {
            Some(at) => (&trimmed[..at], trimmed[at + 1..].trim_start_matches([' ', '-', '/', '.'])),
            None if trimmed.len() > 10 && trimmed.is_char_boundary(10) => (&trimmed[..10], &trimmed[10..]),
            None => (trimmed, ""),
        };
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

    /// What a typed TPS becomes in a report: the canonical form when it parses,
    /// otherwise the text as typed (trimmed), for validation to name the problem.
    pub fn normalise(typed: &str) -> String {
        TpsCode::parse(typed).map(|t| t.to_string()).unwrap_or_else(|_| typed.trim().to_owned())
    }

    pub fn village(&self) -> &str {
        &self.village
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
/// canonical form exists); [`Report::validate`](crate::validation) says whether
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
}

/// The kinds of report. Tagged by `kind` on the wire so that new kinds can be
/// added without breaking older records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportBody {
    /// A free-text observation.
    Note { text: String },
}

impl Report {
    /// A new report with the TPS normalised to its canonical form when it parses.
    pub fn new(id: ReportId, tps: &str, created_at: OffsetDateTime, body: ReportBody) -> Report {
        Report { id, tps: TpsCode::normalise(tps), created_at, body }
    }

    /// The JSON the server stores and compares: the same report always serialises
    /// to the same bytes (struct fields in declaration order), so "identical" is a
    /// string comparison.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a Report always serialises")
    }

    /// A one-line summary for lists.
    pub fn summary(&self) -> &str {
        match &self.body {
            ReportBody::Note { text } => text,
        }
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
}
