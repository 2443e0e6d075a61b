//! The TPS coordinators expect reports from, and what each has sent.

use super::reports::scope_end;
use super::{Store, StoreError};
use pantau_core::checklist::Phase;
use pantau_core::coverage::{phase_index, TpsActivity};
use sqlx::Row;
use std::collections::BTreeMap;

impl Store {
    /// Adds TPS (canonical code, optional address) to the list, replacing the
    /// address of any already listed, in one transaction. Returns how many.
    pub async fn import_tps(&self, tps: &[(String, Option<String>)]) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        for (code, address) in tps {
            sqlx::query("INSERT INTO tps (code, address) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET address = excluded.address")
                .bind(code)
                .bind(address)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(tps.len())
    }

    /// What each known TPS in `scope` has sent: the TPS of the list, of
    /// volunteers enrolled for one TPS, and of every report.
    pub async fn tps_activity(&self, scope: Option<&str>) -> Result<Vec<TpsActivity>, StoreError> {
        let end = scope_end(scope);
        let mut known: BTreeMap<String, TpsActivity> = BTreeMap::new();
        let listed = sqlx::query(
            "SELECT code FROM tps WHERE (? IS NULL OR (code >= ? AND code < ?))
             UNION SELECT tps FROM accounts
             WHERE role = 'volunteer' AND revoked_at IS NULL AND length(tps) = 14 AND (? IS NULL OR (tps >= ? AND tps < ?))",
        )
        .bind(scope)
        .bind(scope)
        .bind(&end)
        .bind(scope)
        .bind(scope)
        .bind(&end)
        .fetch_all(&self.pool)
        .await?;
        for row in &listed {
            let code: String = row.get(0);
            known.insert(code.clone(), TpsActivity { tps: code, ..Default::default() });
        }
        let counted = sqlx::query(
            "SELECT tps, kind, category, COUNT(*) AS n FROM reports
             WHERE (? IS NULL OR (tps >= ? AND tps < ?)) GROUP BY tps, kind, category",
        )
        .bind(scope)
        .bind(scope)
        .bind(&end)
        .fetch_all(&self.pool)
        .await?;
        for row in &counted {
            let code: String = row.get("tps");
            let n = row.get::<i64, _>("n") as u32;
            let tps = known.entry(code.clone()).or_insert_with(|| TpsActivity { tps: code, ..Default::default() });
            tps.reports += n;
            match (row.get::<&str, _>("kind"), row.get::<Option<&str>, _>("category")) {
                ("count_result", _) => tps.count_results += n,
                ("checklist", Some(phase)) => {
                    if let Some(phase) = Phase::ALL.into_iter().find(|p| p.as_str() == phase) {
                        tps.checklists[phase_index(phase)] += n;
                    }
                }
                _ => {}
            }
        }
        Ok(known.into_values().collect())
    }
}
