//! The TPS coordinators expect reports from, and what each has sent.

use super::reports::scope_end;
use super::{Store, StoreError, StoreRow};
use pantau_core::checklist::Phase;
use pantau_core::coverage::{phase_index, TpsActivity};
use std::collections::BTreeMap;

impl Store {
    /// Adds TPS (canonical code, optional address) to the list, replacing the
    /// address of any already listed, in one transaction. Returns how many.
    pub async fn import_tps(&self, tps: &[(String, Option<String>)]) -> Result<usize, StoreError> {
        with_pool!(&self.pool, |pool, _Db| {
            let mut tx = pool.begin().await?;
            for (code, address) in tps {
                sqlx::query(
                    "INSERT INTO tps (code, address) VALUES ($1, $2)
                     ON CONFLICT (code) DO UPDATE SET address = excluded.address",
                )
                .bind(code)
                .bind(address)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(tps.len())
    }

    /// What each known TPS in `scope` has sent: the TPS of the list, of
    /// volunteers enrolled for one TPS, and of every report.
    pub async fn tps_activity(&self, scope: Option<&str>) -> Result<Vec<TpsActivity>, StoreError> {
        let end = scope_end(scope);
        let mut known: BTreeMap<String, TpsActivity> = BTreeMap::new();
        let (listed, counted) = with_pool!(&self.pool, |pool, _Db| {
            let listed: Vec<String> = sqlx::query_scalar(
                "SELECT code FROM tps WHERE ($1 IS NULL OR (code >= $1 AND code < $2))
                 UNION SELECT tps FROM accounts
                 WHERE role = 'volunteer' AND revoked_at IS NULL AND length(tps) = 14
                       AND ($1 IS NULL OR (tps >= $1 AND tps < $2))",
            )
            .bind(scope)
            .bind(&end)
            .fetch_all(pool)
            .await?;
            let counted = sqlx::query(
                "SELECT tps, kind, category, COUNT(*) AS n FROM reports
                 WHERE ($1 IS NULL OR (tps >= $1 AND tps < $2)) GROUP BY tps, kind, category",
            )
            .bind(scope)
            .bind(&end)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| (row.text("tps"), row.text("kind"), row.optional_text("category"), row.int("n")))
            .collect::<Vec<_>>();
            (listed, counted)
        });
        for code in listed {
            known.insert(code.clone(), TpsActivity { tps: code, ..Default::default() });
        }
        for (code, kind, category, n) in counted {
            let n = n as u32;
            let tps = known.entry(code.clone()).or_insert_with(|| TpsActivity { tps: code, ..Default::default() });
            tps.reports += n;
            match (kind.as_str(), category.as_deref()) {
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
