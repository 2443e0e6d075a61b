//! Names of the places a TPS code points at, shipped with the app so that no
//! lookup leaves the phone. Kota Balikpapan (64.71), the programme's pilot
//! city, is complete: its 6 districts (kecamatan) and 34 villages (kelurahan).
//!
//! Codes and names follow the Kemendagri administrative codes as compiled in
//! the public dataset github.com/cahyadsn/wilayah (db/wilayah.sql, 2026).

/// Where a village is, from province down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub province: &'static str,
    pub regency: &'static str,
    pub district: &'static str,
    pub village: &'static str,
}

const PROVINCES: &[(&str, &str)] = &[("64", "Kalimantan Timur")];
const REGENCIES: &[(&str, &str)] = &[("6471", "Kota Balikpapan")];
const DISTRICTS: &[(&str, &str)] = &[
    ("647101", "Balikpapan Timur"),
    ("647102", "Balikpapan Barat"),
    ("647103", "Balikpapan Utara"),
    ("647104", "Balikpapan Tengah"),
    ("647105", "Balikpapan Selatan"),
    ("647106", "Balikpapan Kota"),
];
/// (10-digit village code, kelurahan name).
pub const VILLAGES: &[(&str, &str)] = &[
    ("6471011001", "Manggar"),
    ("6471011002", "Lamaru"),
    ("6471011003", "Teritip"),
    ("6471011004", "Manggar Baru"),
    ("6471021001", "Baru Ilir"),
    ("6471021002", "Baru Tengah"),
    ("6471021003", "Baru Ulu"),
    ("6471021004", "Kariangau"),
    ("6471021005", "Margo Mulyo"),
    ("6471021006", "Marga Sari"),
    ("6471031001", "Batu Ampar"),
    ("6471031002", "Gunung Samarinda"),
    ("6471031003", "Karang Joang"),
    ("6471031004", "Muara Rapak"),
    ("6471031005", "Gunung Samarinda Baru"),
    ("6471031006", "Graha Indah"),
    ("6471041001", "Gunung Sari Ulu"),
    ("6471041002", "Gunung Sari Ilir"),
    ("6471041003", "Karang Rejo"),
    ("6471041004", "Karang Jati"),
    ("6471041005", "Mekar Sari"),
    ("6471041006", "Sumber Rejo"),
    ("6471051002", "Sepinggan"),
    ("6471051006", "Gunung Bahagia"),
    ("6471051008", "Sepinggan Baru"),
    ("6471051009", "Sepinggan Raya"),
    ("6471051010", "Sungai Nangka"),
    ("6471051011", "Damai Baru"),
    ("6471051012", "Damai Bahagia"),
    ("6471061001", "Prapatan"),
    ("6471061002", "Telaga Sari"),
    ("6471061003", "Klandasan Ulu"),
    ("6471061004", "Klandasan Ilir"),
    ("6471061005", "Damai"),
];

fn lookup(table: &[(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    table.iter().find(|(c, _)| *c == code).map(|(_, name)| *name)
}

/// The place of a 10-digit village code, when the app knows it.
pub fn place(village_code: &str) -> Option<Place> {
    if village_code.len() != 10 || !village_code.is_ascii() {
        return None;
    }
    Some(Place {
        province: lookup(PROVINCES, &village_code[..2])?,
        regency: lookup(REGENCIES, &village_code[..4])?,
        district: lookup(DISTRICTS, &village_code[..6])?,
        village: lookup(VILLAGES, village_code)?,
    })
}

/// The district of a village code (or of the district's own 6 digits), for
/// grouping villages in a picker and coverage by kecamatan.
pub fn district_name(village_code: &str) -> Option<&'static str> {
    village_code.get(..6).and_then(|d| lookup(DISTRICTS, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_balikpapan_village_is_named_from_province_down() {
        assert_eq!(
            place("6471011001"),
            Some(Place {
                province: "Kalimantan Timur",
                regency: "Kota Balikpapan",
                district: "Balikpapan Timur",
                village: "Manggar"
            })
        );
        assert_eq!(place("6471061005").unwrap().district, "Balikpapan Kota");
    }

    #[test]
    fn unknown_or_malformed_codes_have_no_place() {
        assert_eq!(place("6471051001"), None, "retired code");
        assert_eq!(place("3171011001"), None, "outside the shipped data");
        assert_eq!(place("647101100"), None);
        // Ten bytes but not ASCII: must not be sliced inside a character.
        assert_eq!("64710é100".len(), 10);
        assert_eq!(place("64710é100"), None);
    }

    #[test]
    fn every_village_belongs_to_a_known_district() {
        assert_eq!(VILLAGES.len(), 34);
        for (code, _) in VILLAGES {
            assert!(place(code).is_some(), "{code}");
        }
    }
}
