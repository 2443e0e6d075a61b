//! Coordinators' review of reports: append-only events per report.

use super::accounts::Account;
use super::reports::scope_end;
use super::{format_time, parse_time, Store, StoreError, StoreRow};
use pantau_core::review::{Review, ReviewChange, ReviewError, ReviewEvent, ReviewState};
use pantau_core::ReportId;
use time::OffsetDateTime;

/// What adding a review event came to.
#[derive(Debug, PartialEq, Eq)]
pub enum ReviewAdded {
    /// Stored: the review as it now is.
    Added(Review),
    /// The review was no longer at the version the change was based on: as it is now.
    Conflict(Review),
    /// The change may not follow the current state.
    Refused(ReviewError),
}

impl Store {
    /// The arrival number of report `id`, if it exists and lies in `scope`
    /// (a TPS code prefix; None: anywhere).
    pub async fn report_seq(&self, id: ReportId, scope: Option<&str>) -> Result<Option<i64>, StoreError> {
        Ok(with_pool!(&self.pool, |pool, _Db| {
            sqlx::query_scalar("SELECT seq FROM reports WHERE id = $1 AND ($2 IS NULL OR (tps >= $2 AND tps < $3))")
                .bind(id.to_string())
                .bind(scope)
                .bind(scope_end(scope))
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The review of the report with arrival number `seq`.
    pub async fn review(&self, seq: i64) -> Result<Review, StoreError> {
        let history = with_pool!(&self.pool, |pool, _Db| {
            sqlx::query(
                "SELECT e.version, e.at, a.name, e.from_state, e.to_state, e.note, e.reference
                 FROM review_events e JOIN accounts a ON a.id = e.coordinator_id
                 WHERE e.report_seq = $1 ORDER BY e.version",
            )
            .bind(seq)
            .fetch_all(pool)
            .await?
            .iter()
            .map(review_event)
            .collect::<Result<Vec<_>, StoreError>>()?
        });
        Ok(Review::from_history(history))
    }

    /// Adds `change` by `coordinator` to the review of report `seq`, if the
    /// review is still at version `based_on`. One statement checks and
    /// inserts, so of two coordinators changing a report at once one wins.
    pub async fn add_review(
        &self,
        seq: i64,
        coordinator: &Account,
        based_on: u32,
        change: &ReviewChange,
    ) -> Result<ReviewAdded, StoreError> {
        let current = self.review(seq).await?;
        if current.version != based_on {
            return Ok(ReviewAdded::Conflict(current));
        }
        if let Err(refused) = change.check(current.state) {
            return Ok(ReviewAdded::Refused(refused));
        }
        let reference = change.reference.as_deref().map(str::trim).filter(|r| !r.is_empty());
        let inserted = with_pool!(&self.pool, |pool, _Db| {
            sqlx::query(
                "INSERT INTO review_events (report_seq, version, coordinator_id, at, from_state, to_state, note, reference)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8
                 WHERE (SELECT COUNT(*) FROM review_events WHERE report_seq = $1) = $9",
            )
            .bind(seq)
            .bind(i64::from(based_on) + 1)
            .bind(coordinator.id)
            .bind(format_time(OffsetDateTime::now_utc()))
            .bind(current.state.slug())
            .bind(change.to.slug())
            .bind(change.note.trim())
            .bind(reference)
            .bind(i64::from(based_on))
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        });
        match inserted {
            Ok(1) => Ok(ReviewAdded::Added(self.review(seq).await?)),
            Ok(_) => Ok(ReviewAdded::Conflict(self.review(seq).await?)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Ok(ReviewAdded::Conflict(self.review(seq).await?))
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn review_event(row: &impl StoreRow) -> Result<ReviewEvent, StoreError> {
    let state = |column: &str| {
        let slug = row.text(column);
        ReviewState::from_slug(&slug).ok_or_else(|| StoreError::Corrupt(format!("review state {slug:?}")))
    };
    Ok(ReviewEvent {
        version: row.int("version") as u32,
        at: parse_time(row, "at")?,
        coordinator: row.text("name"),
        from: state("from_state")?,
        to: state("to_state")?,
        note: row.text("note"),
        reference: row.optional_text("reference"),
    })
}
