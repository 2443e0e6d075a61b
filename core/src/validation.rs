//! The rules a report must meet to be saved on the phone and accepted by the
//! server. One implementation, run in both places, so a report the form accepts
//! is never refused by the server for a rule the volunteer could not see.

use crate::report::{Report, ReportBody, TpsCode, TpsCodeError};
use serde::{Deserialize, Serialize};

/// Longest free-text observation, in characters. Generous for a field report,
/// small enough that a day of reports fits easily in browser storage.
pub const MAX_TEXT_CHARS: usize = 5_000;

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
    /// The field's path in the report's JSON, e.g. `tps` or `body.text`.
    pub field: String,
    pub code: FieldErrorCode,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FieldErrorCode {
    Required,
    TooLong,
    TpsVillageCode,
    TpsNumber,
}

impl FieldError {
    fn new(field: &str, code: FieldErrorCode) -> FieldError {
        FieldError { field: field.to_owned(), code }
    }

    pub fn message(&self, lang: Lang) -> String {
        use FieldErrorCode::*;
        match (self.code, lang) {
            (Required, Lang::Id) => "Wajib diisi.".into(),
            (Required, Lang::En) => "Required.".into(),
            (TooLong, Lang::Id) => format!("Terlalu panjang: paling banyak {MAX_TEXT_CHARS} karakter."),
            (TooLong, Lang::En) => format!("Too long: at most {MAX_TEXT_CHARS} characters."),
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
            ReportBody::Note { text } => {
                if text.trim().is_empty() {
                    errors.push(FieldError::new("body.text", FieldErrorCode::Required));
                } else if text.chars().count() > MAX_TEXT_CHARS {
                    errors.push(FieldError::new("body.text", FieldErrorCode::TooLong));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
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
}
