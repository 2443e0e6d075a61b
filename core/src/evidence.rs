//! Evidence a report carries besides its text: photos, named by the SHA-256
//! of their bytes and sent on their own requests, and the place the phone was.

use serde::{Deserialize, Serialize};

/// Most photos on one report (the C.Hasil sheet of the longest contest has
/// five pages).
pub const MAX_PHOTOS: usize = 5;
/// Longest edge of a stored photo, in pixels: the phone reduces every photo to
/// this before storing it, which keeps a C.Hasil sheet legible.
pub const MAX_PHOTO_EDGE: u32 = 1600;
/// Largest stored photo, in bytes. A 1600 px JPEG at quality 0.75 is 150–600 KB;
/// the bound leaves room for a busy scene and refuses an unreduced original.
pub const MAX_PHOTO_BYTES: u32 = 1_500_000;
/// Most pixels of a photo the phone will read (about 40 megapixels). Decoding
/// one takes four bytes a pixel, and a cheap phone runs out of memory above this.
pub const MAX_SOURCE_PIXELS: u64 = 40_000_000;
/// What the API names photos under: `/api/v1/photos/{sha256}`.
pub const PHOTOS_PATH: &str = "/api/v1/photos";

/// A photo a report carries: its content's SHA-256 (lowercase hex), which is
/// also its name on the server, with its size and dimensions as stored.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoRef {
    /// SHA-256 of the photo's bytes, 64 lowercase hexadecimal digits.
    pub sha256: String,
    #[cfg_attr(feature = "openapi", serde(deserialize_with = "crate::whole_number::read"))]
    pub bytes: u32,
    #[cfg_attr(feature = "openapi", serde(deserialize_with = "crate::whole_number::read"))]
    pub width: u32,
    #[cfg_attr(feature = "openapi", serde(deserialize_with = "crate::whole_number::read"))]
    pub height: u32,
    /// On a checklist: the item (answered *Tidak*) the photo shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// When the photo was taken, as the camera recorded it (EXIF), or else the
    /// file's time; the stored JPEG carries no EXIF, so the time lives here.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub taken_at: Option<time::OffsetDateTime>,
}

impl PhotoRef {
    /// Whether `s` is a photo's name: 64 lowercase hexadecimal digits.
    pub fn is_sha256(s: &str) -> bool {
        s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }

    /// Where the photo is read and uploaded: `/api/v1/photos/{sha256}`.
    pub fn path(&self) -> String {
        format!("{PHOTOS_PATH}/{}", self.sha256)
    }
}

/// Where the phone was when the report was saved, as its browser gave it:
/// degrees in millionths (about 11 cm; integers keep reports comparable byte
/// for byte), and the accuracy the browser claimed, in metres.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Position {
    /// Latitude in millionths of a degree, −90,000,000 to 90,000,000.
    #[cfg_attr(feature = "openapi", serde(deserialize_with = "crate::whole_number::read_signed"))]
    pub lat_e6: i32,
    /// Longitude in millionths of a degree, −180,000,000 to 180,000,000.
    #[cfg_attr(feature = "openapi", serde(deserialize_with = "crate::whole_number::read_signed"))]
    pub lon_e6: i32,
    /// Radius of the browser's 95% confidence, in metres.
    #[cfg_attr(feature = "openapi", serde(deserialize_with = "crate::whole_number::read"))]
    pub accuracy_m: u32,
}

impl Position {
    /// Largest accuracy radius kept: beyond 100 km a position says nothing
    /// about a TPS.
    pub const MAX_ACCURACY_M: u32 = 100_000;

    /// From the browser's degrees; `None` outside the globe or for NaN.
    pub fn from_degrees(lat: f64, lon: f64, accuracy_m: f64) -> Option<Position> {
        let ok = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && accuracy_m >= 0.0;
        ok.then(|| Position {
            lat_e6: (lat * 1e6).round() as i32,
            lon_e6: (lon * 1e6).round() as i32,
            accuracy_m: accuracy_m.round().min(u32::MAX as f64) as u32,
        })
    }

    pub fn is_valid(&self) -> bool {
        (-90_000_000..=90_000_000).contains(&self.lat_e6)
            && (-180_000_000..=180_000_000).contains(&self.lon_e6)
            && self.accuracy_m <= Self::MAX_ACCURACY_M
    }

    /// `-1.265386` and `116.831234`: degrees as decimal text, for GeoJSON and exports.
    pub fn degrees(&self) -> (String, String) {
        (micro(self.lat_e6), micro(self.lon_e6))
    }
}

fn micro(v: i32) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let v = v.unsigned_abs();
    format!("{sign}{}.{:06}", v / 1_000_000, v % 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_round_trip_through_millionths() {
        let p = Position::from_degrees(-1.2653861, 116.8312345, 24.6).unwrap();
        assert_eq!(p, Position { lat_e6: -1_265_386, lon_e6: 116_831_235, accuracy_m: 25 });
        assert_eq!(p.degrees(), ("-1.265386".to_owned(), "116.831235".to_owned()));
        assert_eq!(Position { lat_e6: -5, lon_e6: 0, accuracy_m: 0 }.degrees().0, "-0.000005");
        assert!(Position::from_degrees(91.0, 0.0, 1.0).is_none());
        assert!(Position::from_degrees(f64::NAN, 0.0, 1.0).is_none());
    }

    #[test]
    fn names_are_lowercase_hex_of_64() {
        assert!(PhotoRef::is_sha256(&"ab".repeat(32)));
        assert!(!PhotoRef::is_sha256(&"AB".repeat(32)));
        assert!(!PhotoRef::is_sha256(&"ab".repeat(31)));
        assert!(!PhotoRef::is_sha256(&"zz".repeat(32)));
    }
}
