//! All SQL lives here, so that handlers never see the database and another
//! backend (PostgreSQL) can follow behind the same methods.

use pantau_core::{Receipt, Report, ReportId};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// What storing a report came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    /// First arrival: a new row.
    Created(Receipt),
    /// The identical report was already stored: the original receipt.
    Repeat(Receipt),
    /// A different report is stored under this id.
    Conflict,
}

#[derive(Debug)]
pub enum StoreError {
    Database(sqlx::Error),
    Migration(sqlx::migrate::MigrateError),
    /// A stored row no longer parses (hand-edited, or a bug): refuse rather than guess.
    Corrupt(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Database(e) => write!(f, "database error: {e}"),
            StoreError::Migration(e) => write!(f, "database migration failed: {e}"),
            StoreError::Corrupt(e) => write!(f, "stored report is unreadable: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `location`, which is a
    /// file path or a `sqlite:` URL, and brings its schema up to date.
    pub async fn open(location: &str) -> Result<Store, StoreError> {
        let options = if location.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(location)?
        } else {
            if let Some(parent) = Path::new(location).parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
            }
            SqliteConnectOptions::new().filename(location)
        };
        // WAL lets readers run beside the writer. synchronous=FULL: a report is
        // acknowledged only once its commit is on disk, so a power cut after the
        // receipt cannot lose it.
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        MIGRATIONS.run(&pool).await.map_err(StoreError::Migration)?;
        Ok(Store { pool })
    }

    /// Stores a validated report once. Safe under concurrent repeats: the unique
    /// id makes the insert a no-op for all but the first, and rows are never
    /// updated or deleted, so the read that follows sees the winner.
    pub async fn store_report(&self, report: &Report) -> Result<Stored, StoreError> {
        let body = report.canonical_json();
        let received_at = OffsetDateTime::now_utc();
        let kind = match &report.body {
            pantau_core::ReportBody::Note { .. } => "note",
        };
        let inserted = sqlx::query(
            "INSERT INTO reports (id, tps, kind, created_at, received_at, body) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO NOTHING RETURNING seq",
        )
        .bind(report.id.to_string())
        .bind(&report.tps)
        .bind(kind)
        .bind(format_time(report.created_at))
        .bind(format_time(received_at))
        .bind(&body)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = inserted {
            return Ok(Stored::Created(Receipt { id: report.id, received_at, seq: row.get("seq") }));
        }
        let row = sqlx::query("SELECT seq, received_at, body FROM reports WHERE id = ?")
            .bind(report.id.to_string())
            .fetch_one(&self.pool)
            .await?;
        if row.get::<String, _>("body") != body {
            return Ok(Stored::Conflict);
        }
        let received_at: String = row.get("received_at");
        let received_at = OffsetDateTime::parse(&received_at, &Rfc3339)
            .map_err(|e| StoreError::Corrupt(format!("received_at {received_at:?}: {e}")))?;
        Ok(Stored::Repeat(Receipt { id: report.id, received_at, seq: row.get("seq") }))
    }

    pub async fn report_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM reports").fetch_one(&self.pool).await?)
    }

    pub async fn report(&self, id: ReportId) -> Result<Option<Report>, StoreError> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM reports WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        body.map(|b| serde_json::from_str(&b).map_err(|e| StoreError::Corrupt(format!("report {id}: {e}"))))
            .transpose()
    }

    /// Every stored report in arrival order, with its receipt. For exports.
    pub async fn all_reports(&self) -> Result<Vec<(Receipt, Report)>, StoreError> {
        let rows = sqlx::query("SELECT seq, received_at, body FROM reports ORDER BY seq").fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|row| {
                let seq: i64 = row.get("seq");
                let body: String = row.get("body");
                let report: Report =
                    serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("report seq {seq}: {e}")))?;
                let received_at: String = row.get("received_at");
                let received_at = OffsetDateTime::parse(&received_at, &Rfc3339)
                    .map_err(|e| StoreError::Corrupt(format!("report seq {seq} received_at: {e}")))?;
                Ok((Receipt { id: report.id, received_at, seq }, report))
            })
            .collect()
    }

    /// For readiness checks: the database answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Waits for in-flight statements and checkpoints the WAL on shutdown.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn format_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).expect("every OffsetDateTime formats as RFC 3339")
}
