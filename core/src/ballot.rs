//! The ballots a count result is filed against: for each contest, its
//! participants (a presidential pair, a party) with their ballot numbers, so a
//! volunteer picks the contest and types only numbers.
//!
//! The catalogue built in ([`Catalogue::builtin`]) holds the 2024 presidential
//! pairs and the 18 national parties; a server replaces it per contest with what
//! `pantau-server ballot import FILE` stored, served at [`BALLOTS_PATH`].

use crate::report::Contest;
use crate::validation::{MAX_COUNT_ROWS, MAX_SHORT_CHARS};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where the server serves the catalogue.
pub const BALLOTS_PATH: &str = "/api/v1/ballots";

/// [`Catalogue::builtin`]'s ETag, written out so the PWA need not serialise
/// the catalogue to ask for it (a test keeps the two equal).
pub const BUILTIN_ETAG: &str = "\"d199f72b0acea7e9\"";

/// One participant on a ballot, as printed on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participant {
    /// The ballot number (nomor urut), from 1.
    pub number: u16,
    pub name: String,
}

impl Participant {
    /// The name a count row carries: number and name, as on the C.Hasil sheet.
    pub fn row_name(&self) -> String {
        format!("{}. {}", self.number, self.name)
    }
}

/// One contest's ballot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ballot {
    pub contest: Contest,
    /// In ballot-number order.
    pub participants: Vec<Participant>,
}

/// The ballots known: at most one per contest. A contest without one (DPD,
/// regional heads: their candidates differ by province) is typed by hand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    pub ballots: Vec<Ballot>,
}

/// What is wrong with a catalogue, naming the contest and the participant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatalogueError {
    /// The JSON could not be read as a catalogue.
    Unreadable(String),
    TwoBallots(Contest),
    NoParticipants(Contest),
    TooManyParticipants(Contest),
    NumberZero(Contest),
    NumberTwice(Contest, u16),
    NameEmpty(Contest, u16),
    NameTooLong(Contest, u16),
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogueError::Unreadable(e) => write!(f, "not a ballot catalogue: {e}"),
            CatalogueError::TwoBallots(c) => write!(f, "contest {} has two ballots", c.as_str()),
            CatalogueError::NoParticipants(c) => write!(f, "the {} ballot has no participants", c.as_str()),
            CatalogueError::TooManyParticipants(c) => {
                write!(f, "the {} ballot has more than {MAX_COUNT_ROWS} participants", c.as_str())
            }
            CatalogueError::NumberZero(c) => write!(f, "the {} ballot has a participant numbered 0", c.as_str()),
            CatalogueError::NumberTwice(c, n) => write!(f, "the {} ballot has number {n} twice", c.as_str()),
            CatalogueError::NameEmpty(c, n) => write!(f, "the {} ballot's number {n} has no name", c.as_str()),
            CatalogueError::NameTooLong(c, n) => {
                write!(f, "the {} ballot's number {n} has a name over {MAX_SHORT_CHARS} characters", c.as_str())
            }
        }
    }
}

/// Pemilu 2024, as the KPU numbered them.
const PRESIDENTIAL_PAIRS_2024: [&str; 3] = [
    "Anies Rasyid Baswedan – Abdul Muhaimin Iskandar",
    "Prabowo Subianto – Gibran Rakabuming Raka",
    "Ganjar Pranowo – Mahfud MD",
];

/// The national parties of Pemilu 2024 by ballot number (18 to 23 were Aceh's
/// local parties).
const NATIONAL_PARTIES_2024: [(u16, &str); 18] = [
    (1, "PKB"),
    (2, "Gerindra"),
    (3, "PDI Perjuangan"),
    (4, "Golkar"),
    (5, "NasDem"),
    (6, "Partai Buruh"),
    (7, "Partai Gelora"),
    (8, "PKS"),
    (9, "PKN"),
    (10, "Hanura"),
    (11, "Partai Garuda"),
    (12, "PAN"),
    (13, "PBB"),
    (14, "Partai Demokrat"),
    (15, "PSI"),
    (16, "Perindo"),
    (17, "PPP"),
    (24, "Partai Ummat"),
];

impl Catalogue {
    /// The 2024 presidential pairs, and the national parties for DPR and both DPRDs.
    pub fn builtin() -> Catalogue {
        let parties = || NATIONAL_PARTIES_2024.iter().map(|(n, name)| Participant { number: *n, name: (*name).into() });
        let pairs =
            PRESIDENTIAL_PAIRS_2024.iter().zip(1..).map(|(name, n)| Participant { number: n, name: (*name).into() });
        let mut ballots = vec![Ballot { contest: Contest::President, participants: pairs.collect() }];
        for contest in [Contest::Dpr, Contest::DprdProvince, Contest::DprdRegency] {
            ballots.push(Ballot { contest, participants: parties().collect() });
        }
        Catalogue { ballots }
    }

    /// Reads and checks a catalogue (an import file, the server's answer, a cached copy).
    pub fn from_json(json: &str) -> Result<Catalogue, CatalogueError> {
        let catalogue: Catalogue = serde_json::from_str(json).map_err(|e| CatalogueError::Unreadable(e.to_string()))?;
        catalogue.check()?;
        Ok(catalogue)
    }

    /// Every ballot unique per contest, numbered from 1 without repeats, each
    /// participant named.
    pub fn check(&self) -> Result<(), CatalogueError> {
        for (i, ballot) in self.ballots.iter().enumerate() {
            let contest = ballot.contest;
            if self.ballots[..i].iter().any(|b| b.contest == contest) {
                return Err(CatalogueError::TwoBallots(contest));
            }
            if ballot.participants.is_empty() {
                return Err(CatalogueError::NoParticipants(contest));
            }
            if ballot.participants.len() > MAX_COUNT_ROWS {
                return Err(CatalogueError::TooManyParticipants(contest));
            }
            for (j, p) in ballot.participants.iter().enumerate() {
                if p.number == 0 {
                    return Err(CatalogueError::NumberZero(contest));
                }
                if ballot.participants[..j].iter().any(|q| q.number == p.number) {
                    return Err(CatalogueError::NumberTwice(contest, p.number));
                }
                if p.name.trim().is_empty() {
                    return Err(CatalogueError::NameEmpty(contest, p.number));
                }
                // Room for the "12. " a count row adds.
                if p.name.chars().count() + 6 > MAX_SHORT_CHARS {
                    return Err(CatalogueError::NameTooLong(contest, p.number));
                }
            }
        }
        Ok(())
    }

    /// A validator of the catalogue's content (an HTTP entity tag, quotes
    /// included): the phone asks with it and gets 304 while nothing changed,
    /// so the built-in catalogue costs no download at all.
    pub fn etag(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        // FNV-1a: a stable, dependency-free fingerprint; not a security boundary.
        let hash =
            json.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        format!("\"{hash:016x}\"")
    }

    pub fn ballot(&self, contest: Contest) -> Option<&Ballot> {
        self.ballots.iter().find(|b| b.contest == contest)
    }

    /// This catalogue with `newer`'s ballots in place of its own for the same contests.
    pub fn replaced_by(mut self, newer: Catalogue) -> Catalogue {
        for ballot in newer.ballots {
            match self.ballots.iter_mut().find(|b| b.contest == ballot.contest) {
                Some(old) => *old = ballot,
                None => self.ballots.push(ballot),
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_has_the_2024_pairs_and_18_national_parties_and_passes_its_own_check() {
        let builtin = Catalogue::builtin();
        builtin.check().unwrap();
        let president = builtin.ballot(Contest::President).unwrap();
        assert_eq!(president.participants[1].row_name(), "2. Prabowo Subianto – Gibran Rakabuming Raka");
        let dpr = builtin.ballot(Contest::Dpr).unwrap();
        assert_eq!(dpr.participants.len(), 18);
        assert_eq!(dpr.participants.last().unwrap().row_name(), "24. Partai Ummat");
        assert!(builtin.ballot(Contest::Dpd).is_none(), "DPD candidates differ by province");
    }

    #[test]
    fn a_catalogue_with_a_mistake_is_refused_naming_the_contest_and_number() {
        let read = |json: &str| Catalogue::from_json(json).map_err(|e| e.to_string());
        let twice =
            r#"{"ballots":[{"contest":"dpr","participants":[{"number":3,"name":"A"},{"number":3,"name":"B"}]}]}"#;
        assert_eq!(read(twice), Err("the dpr ballot has number 3 twice".into()));
        let unnamed = r#"{"ballots":[{"contest":"president","participants":[{"number":1,"name":" "}]}]}"#;
        assert_eq!(read(unnamed), Err("the president ballot's number 1 has no name".into()));
        let two = r#"{"ballots":[{"contest":"dpd","participants":[{"number":1,"name":"A"}]},{"contest":"dpd","participants":[{"number":1,"name":"B"}]}]}"#;
        assert_eq!(read(two), Err("contest dpd has two ballots".into()));
        let zero = r#"{"ballots":[{"contest":"dpd","participants":[{"number":0,"name":"A"}]}]}"#;
        assert_eq!(read(zero), Err("the dpd ballot has a participant numbered 0".into()));
        let long = format!(
            r#"{{"ballots":[{{"contest":"dpd","participants":[{{"number":1,"name":"{}"}}]}}]}}"#,
            "x".repeat(199)
        );
        assert!(read(&long).unwrap_err().contains("over 200 characters"));
        assert!(read(r#"{"ballots":[{"contest":"senate","participants":[]}]}"#)
            .unwrap_err()
            .starts_with("not a ballot catalogue"));
        assert!(read(r#"{"ballots":[{"contest":"dpd","participants":[]}]}"#).unwrap_err().contains("no participants"));
    }

    #[test]
    fn the_etag_follows_the_content() {
        let builtin = Catalogue::builtin();
        assert_eq!(builtin.etag(), BUILTIN_ETAG, "update BUILTIN_ETAG with the built-in ballots");
        assert!(builtin.etag().starts_with('"') && builtin.etag().ends_with('"'));
        let mut renamed = Catalogue::builtin();
        renamed.ballots[0].participants[0].name.push('x');
        assert_ne!(renamed.etag(), builtin.etag());
    }

    #[test]
    fn an_imported_ballot_replaces_the_builtin_one_for_its_contest_only() {
        let dpd = Ballot { contest: Contest::Dpd, participants: vec![Participant { number: 1, name: "A".into() }] };
        let aceh = Ballot {
            contest: Contest::DprdRegency,
            participants: vec![Participant { number: 18, name: "Partai Aceh".into() }],
        };
        let merged = Catalogue::builtin().replaced_by(Catalogue { ballots: vec![dpd.clone(), aceh.clone()] });
        assert_eq!(merged.ballot(Contest::Dpd), Some(&dpd));
        assert_eq!(merged.ballot(Contest::DprdRegency), Some(&aceh));
        assert_eq!(merged.ballot(Contest::Dpr), Catalogue::builtin().ballot(Contest::Dpr));
    }
}
