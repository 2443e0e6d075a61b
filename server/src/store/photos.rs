//! Which photos are stored, who uploaded them, and who may read them.

use super::reports::scope_end;
use super::{format_time, now_micros, Store, StoreError};
use time::OffsetDateTime;

impl Store {
    /// Records that `account` uploaded the photo `sha256` (stored in the
    /// photo folder already); a repeat changes nothing.
    pub async fn record_photo_upload(&self, account: i64, sha256: &str, bytes: u64) -> Result<(), StoreError> {
        let now = format_time(now_micros());
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO photos (sha256, bytes, stored_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(sha256)
            .bind(bytes as i64)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO photo_uploads (account_id, sha256, bytes, uploaded_at) VALUES (?, ?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(account)
        .bind(sha256)
        .bind(bytes as i64)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The size of photo `sha256` if `account` uploaded it.
    pub async fn uploaded_photo(&self, account: i64, sha256: &str) -> Result<Option<u64>, StoreError> {
        let bytes: Option<i64> =
            sqlx::query_scalar("SELECT bytes FROM photo_uploads WHERE account_id = ? AND sha256 = ?")
                .bind(account)
                .bind(sha256)
                .fetch_optional(&self.pool)
                .await?;
        Ok(bytes.map(|b| b as u64))
    }

    /// Bytes of photos `account` uploaded since `since`.
    pub async fn photo_bytes_since(&self, account: i64, since: OffsetDateTime) -> Result<u64, StoreError> {
        let bytes: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(bytes), 0) FROM photo_uploads WHERE account_id = ? AND uploaded_at >= ?",
        )
        .bind(account)
        .bind(format_time(since))
        .fetch_one(&self.pool)
        .await?;
        Ok(bytes as u64)
    }

    /// Whether a coordinator with `scope` (None: everywhere) may read photo
    /// `sha256`: a stored report inside the scope shows it.
    pub async fn photo_in_scope(&self, sha256: &str, scope: Option<&str>) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM report_photos p JOIN reports r ON r.seq = p.report_seq
             WHERE p.sha256 = ? AND (? IS NULL OR (r.tps >= ? AND r.tps < ?)) LIMIT 1",
        )
        .bind(sha256)
        .bind(scope)
        .bind(scope)
        .bind(scope_end(scope))
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }
}
