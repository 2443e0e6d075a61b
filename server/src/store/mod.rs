//! All SQL lives here, so that handlers never see the database and another
//! backend (PostgreSQL) can follow behind the same methods. One module per
//! resource, as in `api/`: [`reports`], [`reviews`], [`accounts`], [`tokens`], [`ballots`], [`tps`],
//! [`photos`]; this one
//! opens the database and holds what they share.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

mod accounts;
mod ballots;
mod ingest;
mod photos;
mod reports;
mod reviews;
mod tokens;
mod tps;

pub use accounts::{Account, AccountListing, Role};
pub use reports::{ReportFilter, Stored, StoredReport, EXPORT_PAGE};
pub use reviews::ReviewAdded;
use tokens::TokenCache;
pub use tokens::TOKEN_CACHE_TTL;

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// The group-commit writer for incoming reports (see `ingest`).
    writer: tokio::sync::mpsc::Sender<ingest::Job>,
    /// Recently seen tokens, so that authenticating a request costs no query.
    tokens: std::sync::Arc<TokenCache>,
    /// The newest committed arrival number (`seq`), raised after each commit.
    arrived: std::sync::Arc<tokio::sync::watch::Sender<i64>>,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
}

#[derive(Debug)]
pub enum StoreError {
    Database(sqlx::Error),
    Migration(sqlx::migrate::MigrateError),
    /// A stored row no longer parses (hand-edited, or a bug): refuse rather than guess.
    Corrupt(String),
    /// The report writer task is gone, or dropped this report (it panicked).
    WriterStopped,
    /// The batch of reports this one was committed with failed as a whole.
    BatchFailed(String),
    /// A `--database` URL of a database this server does not speak.
    UnsupportedDatabase(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Database(e) => write!(f, "database error: {e}"),
            StoreError::Migration(e) => write!(f, "database migration failed: {e}"),
            StoreError::Corrupt(e) => write!(f, "stored data is unreadable: {e}"),
            StoreError::WriterStopped => f.write_str("the report writer has stopped"),
            StoreError::BatchFailed(e) => write!(f, "storing the batch of reports failed: {e}"),
            StoreError::UnsupportedDatabase(location) => write!(
                f,
                "{location:?} is neither a file path nor a sqlite: URL, and SQLite is the only database supported \
                 (a file whose name holds a colon: start it with ./)"
            ),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

/// The scheme of `location` if it is written as a URL (`postgres://…`,
/// `sqlite:…`): letters, digits, `+`, `.` or `-` before the first colon, at
/// least two of them (so that `C:\…` stays a path).
fn url_scheme(location: &str) -> Option<&str> {
    let (scheme, _) = location.split_once(':')?;
    let starts_with_letter = scheme.starts_with(|c: char| c.is_ascii_alphabetic());
    let plain = scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    (scheme.len() > 1 && starts_with_letter && plain).then_some(scheme)
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `location`, which is a
    /// file path or a `sqlite:` URL, and brings its schema up to date.
    pub async fn open(location: &str) -> Result<Store, StoreError> {
        // A URL of another database (postgres://…) would otherwise become a
        // folder named after its scheme holding a new SQLite file.
        if url_scheme(location).is_some_and(|scheme| scheme != "sqlite") {
            return Err(StoreError::UnsupportedDatabase(location.to_owned()));
        }
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
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        MIGRATIONS.run(&pool).await.map_err(StoreError::Migration)?;
        let newest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM reports").fetch_one(&pool).await?;
        let arrived = std::sync::Arc::new(tokio::sync::watch::Sender::new(newest));
        let metrics = std::sync::Arc::new(crate::metrics::Metrics::new());
        let writer = ingest::spawn_writer(pool.clone(), arrived.clone(), metrics.clone());
        Ok(Store { pool, writer, tokens: Default::default(), arrived, metrics })
    }

    /// The figures of this store and of the server around it (`GET /metrics`).
    pub fn metrics(&self) -> std::sync::Arc<crate::metrics::Metrics> {
        self.metrics.clone()
    }

    /// Writes a consistent copy of the whole database to the new file `to`
    /// (SQLite's `VACUUM INTO`): one read transaction, so writers go on and
    /// the copy holds exactly what was committed when it began.
    pub async fn backup_to(&self, to: &Path) -> Result<(), StoreError> {
        sqlx::query("VACUUM INTO ?").bind(to.to_string_lossy().into_owned()).execute(&self.pool).await?;
        Ok(())
    }

    /// Follows the newest committed arrival number: it changes after every
    /// commit that stored a new report.
    pub fn arrivals(&self) -> tokio::sync::watch::Receiver<i64> {
        self.arrived.subscribe()
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

/// Now, at the precision the database keeps, so a receipt read back later is
/// identical to the one first given.
pub(crate) fn now_micros() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000).expect("a truncated nanosecond is in range")
}

pub(crate) fn format_time(t: OffsetDateTime) -> String {
    // Fixed-width UTC so that text comparison in SQL is time order.
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        ))
        .expect("every OffsetDateTime formats")
}

pub(crate) fn parse_time(row: &SqliteRow, column: &str) -> Result<OffsetDateTime, StoreError> {
    let text: String = row.get(column);
    OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| StoreError::Corrupt(format!("{column} {text:?}: {e}")))
}

pub(crate) fn parse_optional_time(row: &SqliteRow, column: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    match row.get::<Option<String>, _>(column) {
        None => Ok(None),
        Some(_) => parse_time(row, column).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::url_scheme;

    #[test]
    fn urls_are_told_from_file_paths() {
        assert_eq!(url_scheme("postgres://pantau@db/pantau"), Some("postgres"));
        assert_eq!(url_scheme("postgresql://x"), Some("postgresql"));
        assert_eq!(url_scheme("sqlite:data/pantau.db"), Some("sqlite"));
        assert_eq!(url_scheme("mysql://x"), Some("mysql"));
        for path in ["data/pantau.db", "/var/lib/pantau/pantau.db", "./odd:name.db", "C:\\pantau.db", "pantau.db"] {
            assert_eq!(url_scheme(path), None, "{path}");
        }
    }
}
