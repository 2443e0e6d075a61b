//! Reports and receipts the core's tests share: one definition, so a change of
//! the report model is made once.

use crate::protocol::Receipt;
use crate::report::{Report, ReportBody, ReportId};
use time::OffsetDateTime;
use uuid::Uuid;

/// Note number `n`: its id is `n`, and a larger `n` was created later.
pub fn note(n: u128) -> Report {
    Report::new(
        ReportId(Uuid::from_u128(n)),
        "6471011001-001",
        OffsetDateTime::from_unix_timestamp(1_770_000_000 + n as i64).unwrap(),
        ReportBody::Note { text: format!("laporan {n}") },
    )
}

/// The receipt of report `id`, stored as number `seq`.
pub fn receipt(id: ReportId, seq: i64) -> Receipt {
    Receipt { id, received_at: OffsetDateTime::from_unix_timestamp(1_770_100_000).unwrap(), seq }
}
