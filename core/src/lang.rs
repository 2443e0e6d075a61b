//! The languages Pantau speaks. Its own module because every other one uses it
//! (report labels, checklist questions, validation messages).

use serde::{Deserialize, Serialize};

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
