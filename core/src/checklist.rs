//! The TPS checklist: what a volunteer checks at each phase of polling day,
//! from the PKPU procedure and the PTPS guides. Item ids are stable: they are
//! what reports carry and coordinators filter on; the words can change.

use crate::lang::Lang;
use serde::{Deserialize, Serialize};

/// The phases of polling day a checklist is filed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Phase {
    /// Pembukaan: from setting up to the first voter.
    Opening,
    /// Pemungutan: voting.
    Voting,
    /// Penghitungan: the count.
    Counting,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Opening, Phase::Voting, Phase::Counting];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Opening => "opening",
            Phase::Voting => "voting",
            Phase::Counting => "counting",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Phase::Opening, Lang::Id) => "Pembukaan",
            (Phase::Opening, Lang::En) => "Opening",
            (Phase::Voting, Lang::Id) => "Pemungutan suara",
            (Phase::Voting, Lang::En) => "Voting",
            (Phase::Counting, Lang::Id) => "Penghitungan suara",
            (Phase::Counting, Lang::En) => "Counting",
        }
    }

    /// The items checked in this phase, in the order they happen.
    pub fn items(self) -> impl Iterator<Item = &'static ChecklistItem> {
        ITEMS.iter().filter(move |i| i.phase == self)
    }
}

/// How a volunteer answers an item. "Don't know" is a real answer: a volunteer
/// who did not see something must not be pushed into guessing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Answer {
    Yes,
    No,
    Unknown,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Yes, Answer::No, Answer::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Answer> {
        Answer::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Answer::Yes, Lang::Id) => "Ya",
            (Answer::Yes, Lang::En) => "Yes",
            (Answer::No, Lang::Id) => "Tidak",
            (Answer::No, Lang::En) => "No",
            (Answer::Unknown, Lang::Id) => "Tidak tahu",
            (Answer::Unknown, Lang::En) => "Don't know",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChecklistItem {
    pub id: &'static str,
    pub phase: Phase,
    pub id_text: &'static str,
    pub en_text: &'static str,
}

impl ChecklistItem {
    pub fn text(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Id => self.id_text,
            Lang::En => self.en_text,
        }
    }

    pub fn find(id: &str) -> Option<&'static ChecklistItem> {
        ITEMS.iter().find(|i| i.id == id)
    }
}

const fn item(id: &'static str, phase: Phase, id_text: &'static str, en_text: &'static str) -> ChecklistItem {
    ChecklistItem { id, phase, id_text, en_text }
}

/// Every item, in the order of polling day.
pub const ITEMS: [ChecklistItem; 15] = [
    item("opened_0700", Phase::Opening, "TPS dibuka pukul 07.00", "The TPS opened at 07:00"),
    item("kpps_oath", Phase::Opening, "KPPS mengucapkan sumpah/janji", "The polling officials (KPPS) took their oath"),
    item(
        "witnesses_mandate",
        Phase::Opening,
        "Saksi hadir dengan surat mandat, tanpa atribut",
        "Party witnesses present with a mandate letter, without campaign attributes",
    ),
    item(
        "ballot_box_empty",
        Phase::Opening,
        "Kotak suara ditunjukkan kosong lalu dikunci",
        "The ballot box was shown empty, then locked",
    ),
    item(
        "ballots_sealed",
        Phase::Opening,
        "Surat suara masih tersegel dan jumlahnya sesuai DPT + 2%",
        "Ballots still sealed, and their number matches the voter list plus 2%",
    ),
    item(
        "lists_posted",
        Phase::Opening,
        "Salinan DPT/DPTb dan daftar calon ditempel",
        "Voter lists and candidate lists posted",
    ),
    item(
        "dpk_from_1200",
        Phase::Voting,
        "Pemilih DPK dilayani mulai 12.00",
        "Voters not on any list (DPK) served from 12:00",
    ),
    item("ink", Phase::Voting, "Pemilih diberi tinta", "Voters marked with ink"),
    item(
        "no_ballot_photos",
        Phase::Voting,
        "Tidak ada pemotretan surat suara di bilik",
        "No photographing of ballots in the booth",
    ),
    item("disability_access", Phase::Voting, "Akses bagi pemilih disabilitas", "Access for voters with disabilities"),
    item(
        "queue_at_closing_served",
        Phase::Voting,
        "Pemilih yang antre saat penutupan tetap dilayani",
        "Voters in line at closing time were still served",
    ),
    item(
        "count_open_same_day",
        Phase::Counting,
        "Penghitungan di tempat terbuka dan selesai hari itu",
        "The count was held in the open and finished that day",
    ),
    item(
        "unused_ballots_announced",
        Phase::Counting,
        "Surat suara tidak terpakai/rusak dihitung dan diumumkan",
        "Unused and spoiled ballots were counted and announced",
    ),
    item(
        "c_hasil_displayed",
        Phase::Counting,
        "C.Hasil (plano) dipajang dan salinan diberikan ke saksi dan PTPS",
        "The result sheet (C.Hasil) was displayed, copies given to witnesses and the TPS supervisor",
    ),
    item(
        "objections_recorded",
        Phase::Counting,
        "Keberatan/kejadian khusus dicatat",
        "Objections and special incidents were recorded",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phase_has_items_and_ids_are_unique() {
        for phase in Phase::ALL {
            assert!(phase.items().count() >= 4, "{phase:?}");
        }
        let mut ids: Vec<&str> = ITEMS.iter().map(|i| i.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ITEMS.len());
        assert!(ITEMS.iter().all(|i| !i.id_text.is_empty() && !i.en_text.is_empty() && i.id_text != i.en_text));
    }
}
