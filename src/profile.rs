//! The volunteer's profile: their name and the TPS they watch. Set at
//! enrolment from what the coordinator registered, changeable in Pengaturan,
//! kept with gloo-storage (rewriting it is harmless).

use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use pantau_core::region;
use pantau_core::TpsCode;
use serde::{Deserialize, Serialize};

const STORAGE_KEY: &str = "pantau.profile";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub name: String,
    /// As typed; canonical once it parses.
    pub tps: String,
}

impl Profile {
    /// The stored profile, read field by field if an older version kept one
    /// this version cannot read whole; what cannot be read is empty, and the
    /// volunteer types it again (no report depends on it).
    pub fn load() -> Profile {
        let raw = GlooLocalStorage::raw().get_item(STORAGE_KEY).ok().flatten();
        match raw.as_deref().map(|raw| crate::forms::salvage(raw, &Profile::default())) {
            Some(crate::forms::Salvaged::Whole(profile) | crate::forms::Salvaged::Partly(profile, _)) => profile,
            _ => Profile::default(),
        }
    }

    pub fn save(&self) {
        if let Err(e) = GlooLocalStorage::set(STORAGE_KEY, self) {
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
