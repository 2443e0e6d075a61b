//! The volunteer's profile: their name and the TPS they watch. Set at
//! enrolment from what the coordinator registered, changeable in Pengaturan,
//! kept with gloo-storage (rewriting it is harmless).

use crate::kept::{read_kept, Kept, PROFILE_KEY};
use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use pantau_core::region;
use pantau_core::TpsCode;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub name: String,
    /// As typed; canonical once it parses.
    pub tps: String,
}

impl Profile {
    /// The stored profile; a missing one, or one an older version kept that
    /// this version cannot read (kept aside), is an empty profile: the
    /// volunteer types it again, and no report depends on it.
    pub fn load() -> Profile {
        match read_kept(PROFILE_KEY) {
            Kept::Read(profile) => profile,
            _ => Profile::default(),
        }
    }

    pub fn save(&self) {
        if let Err(e) = GlooLocalStorage::set(PROFILE_KEY, self) {
            leptos::logging::error!("could not keep the profile: {e}");
        }
    }
}

/// "TPS 003, Kel. Manggar, Kec. Balikpapan Timur, Kota Balikpapan, Kalimantan Timur".
pub fn describe(tps: &str) -> Option<String> {
    let code = TpsCode::parse(tps).ok()?;
    let place = region::place(code.village())?;
    Some(format!(
        "TPS {:03}, Kel. {}, Kec. {}, {}, {}",
        code.number(),
        place.village,
        place.district,
        place.regency,
        place.province
    ))
}

/// What is wrong with a typed TPS code, precisely ("kode desa harus 10 angka,
/// tertulis 9"), or `None` when it reads as a TPS (or is empty: not set).
pub fn tps_problem(typed: &str, t: &crate::i18n::Texts) -> Option<String> {
    let typed = typed.trim();
    match TpsCode::parse(typed) {
        Ok(_) => None,
        Err(pantau_core::report::TpsCodeError::Empty) => None,
        Err(pantau_core::report::TpsCodeError::VillageCode) => {
            let village = TpsCode::typed_village(typed);
            let digits = village.chars().filter(char::is_ascii_digit).count();
            let others = village.chars().count() - digits;
            Some(if others > 0 {
                format!("{} {others} {}", t.tps_village_not_digits, t.tps_characters)
            } else {
                format!("{} {digits}.", t.tps_village_digits)
            })
        }
        Err(pantau_core::report::TpsCodeError::TpsNumber) => Some(t.tps_number_problem.to_owned()),
    }
}
