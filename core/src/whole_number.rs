//! Counts as JSON may write them: `405`, or `405.0`, which JSON Schema (and
//! so the API document) also calls an integer. A fraction or a sign is refused.
//! Only for the server (the `openapi` feature): the PWA reads what it wrote,
//! and the float reader would cost its volunteers bytes.

use serde::de::{Deserializer, Error, Unexpected, Visitor};

struct Whole;

impl Visitor<'_> for Whole {
    type Value = u32;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a whole number from 0 to 4294967295")
    }

    fn visit_u64<E: Error>(self, n: u64) -> Result<u32, E> {
        u32::try_from(n).map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &self))
    }

    fn visit_i64<E: Error>(self, n: i64) -> Result<u32, E> {
        u32::try_from(n).map_err(|_| E::invalid_value(Unexpected::Signed(n), &self))
    }

    fn visit_f64<E: Error>(self, n: f64) -> Result<u32, E> {
        if n.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&n) {
            Ok(n as u32)
        } else {
            Err(E::invalid_value(Unexpected::Float(n), &self))
        }
    }
}

pub fn read<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    d.deserialize_any(Whole)
}

struct Signed;

impl Visitor<'_> for Signed {
    type Value = i32;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a whole number from -2147483648 to 2147483647")
    }

    fn visit_u64<E: Error>(self, n: u64) -> Result<i32, E> {
        i32::try_from(n).map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &self))
    }

    fn visit_i64<E: Error>(self, n: i64) -> Result<i32, E> {
        i32::try_from(n).map_err(|_| E::invalid_value(Unexpected::Signed(n), &self))
    }

    fn visit_f64<E: Error>(self, n: f64) -> Result<i32, E> {
        if n.fract() == 0.0 && (i32::MIN as f64..=i32::MAX as f64).contains(&n) {
            Ok(n as i32)
        } else {
            Err(E::invalid_value(Unexpected::Float(n), &self))
        }
    }
}

pub fn read_signed<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    d.deserialize_any(Signed)
}

pub fn read_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    read(d).map(Some)
}
