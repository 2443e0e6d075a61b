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
        let rows = catalogue
            .ballots
            .iter()
            .map(|ballot| Ok((ballot.contest.as_str(), serde_json::to_string(ballot)?)))
            .collect::<Result<Vec<_>, serde_json::Error>>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        with_pool!(&self.pool, |pool, _Db| {
            let mut tx = pool.begin().await?;
            for (contest, json) in &rows {
                sqlx::query(
                    "INSERT INTO ballots (contest, ballot, imported_at) VALUES ($1, $2, $3)
                     ON CONFLICT (contest) DO UPDATE SET ballot = excluded.ballot, imported_at = excluded.imported_at",
                )
                .bind(*contest)
                .bind(json)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The built-in catalogue with the imported ballots in place of its own.
    pub async fn ballots(&self) -> Result<Catalogue, StoreError> {
        let rows: Vec<(String,)> = with_pool!(&self.pool, |pool, _Db| {
            sqlx::query_as("SELECT ballot FROM ballots ORDER BY contest").fetch_all(pool).await?
        });
        let imported = rows
            .into_iter()
            .map(|(json,)| {
                serde_json::from_str::<Ballot>(&json).map_err(|e| StoreError::Corrupt(format!("ballot: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Catalogue::builtin().replaced_by(Catalogue { ballots: imported }))
    }
}
