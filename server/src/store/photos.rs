//! Which photos are stored, who uploaded them, and who may read them.

use super::reports::scope_end;
use super::{format_time, now_micros, Store, StoreError};
use time::OffsetDateTime;

impl Store {
    /// Records that `account` uploaded the photo `sha256` (stored in the
    /// photo folder already); a repeat changes nothing.
    pub async fn record_photo_upload(&self, account: i64, sha256: &str, bytes: u64) -> Result<(), StoreError> {
        let now = format_time(now_micros());
        with_pool!(&self.pool, |pool, _Db| {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO photos (sha256, bytes, stored_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(sha256)
                .bind(bytes as i64)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO photo_uploads (account_id, sha256, bytes, uploaded_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(account)
            .bind(sha256)
            .bind(bytes as i64)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The size of photo `sha256` if `account` uploaded it.
    pub async fn uploaded_photo(&self, account: i64, sha256: &str) -> Result<Option<u64>, StoreError> {
        let bytes: Option<i64> = with_pool!(&self.pool, |pool, _Db| {
            sqlx::query_scalar("SELECT bytes FROM photo_uploads WHERE account_id = $1 AND sha256 = $2")
                .bind(account)
                .bind(sha256)
                .fetch_optional(pool)
                .await?
        });
        Ok(bytes.map(|b| b as u64))
    }

    /// Bytes of photos `account` uploaded since `since`.
    pub async fn photo_bytes_since(&self, account: i64, since: OffsetDateTime) -> Result<u64, StoreError> {
        // SUM of BIGINT is NUMERIC in PostgreSQL: cast back.
        let bytes: i64 = with_pool!(&self.pool, |pool, _Db| {
            sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM photo_uploads
                 WHERE account_id = $1 AND uploaded_at >= $2",
            )
            .bind(account)
            .bind(format_time(since))
            .fetch_one(pool)
            .await?
        });
        Ok(bytes as u64)
    }

    /// Whether a coordinator with `scope` (None: everywhere) may read photo
    /// `sha256`: a stored report inside the scope shows it.
    pub async fn photo_in_scope(&self, sha256: &str, scope: Option<&str>) -> Result<bool, StoreError> {
        let found: Option<i64> = with_pool!(&self.pool, |pool, _Db| {
            sqlx::query_scalar(
                "SELECT p.report_seq FROM report_photos p JOIN reports r ON r.seq = p.report_seq
                 WHERE p.sha256 = $1 AND ($2 IS NULL OR (r.tps >= $2 AND r.tps < $3)) LIMIT 1",
            )
            .bind(sha256)
            .bind(scope)
            .bind(scope_end(scope))
            .fetch_optional(pool)
            .await?
        });
        Ok(found.is_some())
    }
}
