//! All SQL lives here, so that handlers never see the database. Two backends
//! behind the same methods: SQLite (a file, the default) and PostgreSQL
//! (several servers on one database). One module per resource, as in `api/`:
//! [`reports`], [`reviews`], [`accounts`], [`tokens`], [`ballots`], [`tps`],
//! [`photos`]; this one opens the database and holds what they share.
//!
//! Each query is written once, in SQL both databases read (`$1` parameters,
//! times as fixed-width UTC text), and [`with_pool!`] compiles it against
//! each driver's own types; the few differences are [`Dialect`]'s.

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database a store speaks to.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the backend's own pool and `$db` to its
/// sqlx database type: the body is compiled once per backend.
macro_rules! with_pool {
    ($pool_enum:expr, |$pool:ident, $db:ident| $body:expr) => {
        match $pool_enum {
            $crate::store::Pool::Sqlite($pool) => {
                #[allow(dead_code)]
                type $db = sqlx::Sqlite;
                $body
            }
            $crate::store::Pool::Postgres($pool) => {
                #[allow(dead_code)]
                type $db = sqlx::Postgres;
                $body
            }
        }
    };
}

/// Where the two databases' SQL differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// `column` in a condition the planner should not serve from an index
    /// (SQLite's unary `+`; PostgreSQL's planner weighs this itself).
    pub(crate) fn unindexed(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("+{column}"),
            Dialect::Postgres => column.to_owned(),
        }
    }

    /// `table` read through `index` (SQLite's `INDEXED BY`: its planner,
    /// without `ANALYZE`, would read another index and sort; PostgreSQL's
    /// planner chooses for itself).
    pub(crate) fn indexed_by(self, table: &str, index: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{table} INDEXED BY {index}"),
            Dialect::Postgres => table.to_owned(),
        }
    }

    /// The SQL function giving the 1-based position of a text in another, 0 when absent.
    pub(crate) fn position_fn(self) -> &'static str {
        match self {
            Dialect::Sqlite => "instr",
            Dialect::Postgres => "strpos",
        }
    }
}

impl Pool {
    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }
}

/// What the row readers take from a row of either database.
pub(crate) trait StoreRow {
    fn text(&self, column: &str) -> String;
    fn optional_text(&self, column: &str) -> Option<String>;
    fn int(&self, column: &str) -> i64;
    fn optional_int(&self, column: &str) -> Option<i64>;
}

macro_rules! store_row {
    ($row:ty) => {
        impl StoreRow for $row {
            fn text(&self, column: &str) -> String {
                self.get(column)
            }
            fn optional_text(&self, column: &str) -> Option<String> {
                self.get(column)
            }
            fn int(&self, column: &str) -> i64 {
                self.get(column)
            }
            fn optional_int(&self, column: &str) -> Option<i64> {
                self.get(column)
            }
        }
    };
}
store_row!(SqliteRow);
store_row!(PgRow);

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
    pool: Pool,
    /// The group-commit writer for incoming reports (see `ingest`).
    writer: tokio::sync::mpsc::Sender<ingest::Job>,
    /// Recently seen tokens, so that authenticating a request costs no query.
    tokens: std::sync::Arc<TokenCache>,
    /// The newest committed arrival number (`seq`), raised after each commit.
    arrived: std::sync::Arc<tokio::sync::watch::Sender<i64>>,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// On PostgreSQL, the task hearing other servers' commits: it holds one of
    /// the pool's connections, so closing the pool stops it first.
    listener: Option<tokio::task::AbortHandle>,
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
    /// `backup` asked of PostgreSQL, which has its own tools for it.
    BackupUnsupported,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Database(e) => write!(f, "database error: {e}"),
            StoreError::Migration(e) => write!(f, "database migration failed: {e}"),
            StoreError::Corrupt(e) => write!(f, "stored data is unreadable: {e}"),
            StoreError::WriterStopped => f.write_str("the report writer has stopped"),
            StoreError::BackupUnsupported => {
                f.write_str("pantau-server backup copies SQLite databases; back up PostgreSQL with pg_dump")
            }
            StoreError::BatchFailed(e) => write!(f, "storing the batch of reports failed: {e}"),
            StoreError::UnsupportedDatabase(location) => write!(
                f,
                "{location:?} is neither a file path nor a sqlite: or postgres:// URL, the databases supported \
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
    /// Opens the database at `location`: a SQLite file path or `sqlite:` URL
    /// (created if needed), or a `postgres://` URL; brings its schema up to date.
    pub async fn open(location: &str) -> Result<Store, StoreError> {
        let pool = match url_scheme(location) {
            Some("postgres" | "postgresql") => Pool::Postgres(open_postgres(location).await?),
            // A URL of another database would otherwise become a folder named
            // after its scheme holding a new SQLite file.
            Some(scheme) if scheme != "sqlite" => return Err(StoreError::UnsupportedDatabase(location.to_owned())),
            _ => Pool::Sqlite(open_sqlite(location).await?),
        };
        let newest: i64 = with_pool!(&pool, |pool, _Db| {
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM reports").fetch_one(pool).await?
        });
        let arrived = std::sync::Arc::new(tokio::sync::watch::Sender::new(newest));
        let listener = match &pool {
            Pool::Postgres(pool) => Some(listen_for_arrivals(pool, std::sync::Arc::downgrade(&arrived)).await?),
            Pool::Sqlite(_) => None,
        };
        let metrics = std::sync::Arc::new(crate::metrics::Metrics::new());
        let writer = ingest::spawn_writer(pool.clone(), arrived.clone(), metrics.clone());
        Ok(Store { pool, writer, tokens: Default::default(), arrived, listener, metrics })
    }

    /// Which database this is: "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        match self.pool.dialect() {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    /// The figures of this store and of the server around it (`GET /metrics`).
    pub fn metrics(&self) -> std::sync::Arc<crate::metrics::Metrics> {
        self.metrics.clone()
    }

    /// Writes a consistent copy of the whole database to the new file `to`
    /// (SQLite's `VACUUM INTO`): one read transaction, so writers go on and
    /// the copy holds exactly what was committed when it began.
    /// PostgreSQL is backed up with its own tools (`pg_dump`), not this.
    pub async fn backup_to(&self, to: &Path) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                sqlx::query("VACUUM INTO $1").bind(to.to_string_lossy().into_owned()).execute(pool).await?;
                Ok(())
            }
            Pool::Postgres(_) => Err(StoreError::BackupUnsupported),
        }
    }

    /// Follows the newest committed arrival number: it changes after every
    /// commit that stored a new report.
    pub fn arrivals(&self) -> tokio::sync::watch::Receiver<i64> {
        self.arrived.subscribe()
    }

    /// For readiness checks: the database answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(&self.pool, |pool, _Db| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Waits for in-flight statements (and checkpoints SQLite's WAL) on shutdown.
    pub async fn close(&self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
        with_pool!(&self.pool, |pool, _Db| pool.close().await);
    }
}

/// The PostgreSQL channel each commit that stored reports notifies, with the
/// newest arrival number: every server sharing the database hears it.
pub(crate) const ARRIVALS_CHANNEL: &str = "pantau_arrivals";

/// Raises `arrived` whenever any server commits new reports (PostgreSQL
/// `LISTEN`), until the store is dropped. After a lost connection the
/// listener reconnects and reads the newest number from the table, since
/// notifications sent meanwhile are gone.
async fn listen_for_arrivals(
    pool: &PgPool,
    arrived: std::sync::Weak<tokio::sync::watch::Sender<i64>>,
) -> Result<tokio::task::AbortHandle, StoreError> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(ARRIVALS_CHANNEL).await?;
    let pool = pool.clone();
    let task = tokio::spawn(async move {
        loop {
            let newest = match listener.try_recv().await {
                Ok(Some(notification)) => notification.payload().parse::<i64>().ok(),
                // Reconnected: what was missed is in the table.
                Ok(None) => sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM reports").fetch_one(&pool).await.ok(),
                Err(e) => {
                    tracing::warn!(error = %e, "listening for other servers' reports failed; trying again");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    None
                }
            };
            let Some(arrived) = arrived.upgrade() else { break };
            if let Some(newest) = newest {
                arrived.send_if_modified(|seq| {
                    let raised = newest > *seq;
                    if raised {
                        *seq = newest;
                    }
                    raised
                });
            }
        }
    });
    Ok(task.abort_handle())
}

async fn open_sqlite(location: &str) -> Result<SqlitePool, StoreError> {
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
    SQLITE_MIGRATIONS.run(&pool).await.map_err(StoreError::Migration)?;
    Ok(pool)
}

/// Connects to PostgreSQL. What the URL leaves out (host, user, password)
/// comes from libpq's variables (`PGHOST`, `PGUSER`, `PGPASSWORD`, …). The
/// server's default `synchronous_commit = on` is what makes a receipt durable;
/// it is never turned off here.
async fn open_postgres(location: &str) -> Result<PgPool, StoreError> {
    let options = PgConnectOptions::from_str(location)?.application_name("pantau-server");
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect_with(options)
        .await?;
    POSTGRES_MIGRATIONS.run(&pool).await.map_err(StoreError::Migration)?;
    Ok(pool)
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

pub(crate) fn parse_time(row: &impl StoreRow, column: &str) -> Result<OffsetDateTime, StoreError> {
    let text = row.text(column);
    OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| StoreError::Corrupt(format!("{column} {text:?}: {e}")))
}

pub(crate) fn parse_optional_time(row: &impl StoreRow, column: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    match row.optional_text(column) {
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
