//! The imported ballots: each replaces the built-in one for its contest.

use super::{Store, StoreError};
use pantau_core::ballot::{Ballot, Catalogue};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

impl Store {
    /// Stores the catalogue's ballots, replacing the imported ones for the
    /// same contests, in one transaction. The caller has checked it.
    pub async fn import_ballots(&self, catalogue: &Catalogue) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc().format(&Rfc3339).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.pool.begin().await?;
        for ballot in &catalogue.ballots {
            let json = serde_json::to_string(ballot).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO ballots (contest, ballot, imported_at) VALUES (?, ?, ?)
                 ON CONFLICT (contest) DO UPDATE SET ballot = excluded.ballot, imported_at = excluded.imported_at",
            )
            .bind(ballot.contest.as_str())
            .bind(json)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The built-in catalogue with the imported ballots in place of its own.
    pub async fn ballots(&self) -> Result<Catalogue, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT ballot FROM ballots ORDER BY contest").fetch_all(&self.pool).await?;
        let imported = rows
            .into_iter()
            .map(|(json,)| {
                serde_json::from_str::<Ballot>(&json).map_err(|e| StoreError::Corrupt(format!("ballot: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Catalogue::builtin().replaced_by(Catalogue { ballots: imported }))
    }
}
