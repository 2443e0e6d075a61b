//! All SQL lives here, so that handlers never see the database and another
//! backend (PostgreSQL) can follow behind the same methods.

use pantau_core::{Receipt, Report, ReportId};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

mod ingest;

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// The group-commit writer for incoming reports (see `ingest`).
    writer: tokio::sync::mpsc::Sender<ingest::Job>,
    /// Recently seen tokens, so that authenticating a request costs no query.
    tokens: std::sync::Arc<TokenCache>,
}

/// How long a token stays trusted without asking the database again. A
/// revocation made by this process takes effect at once; one made by the
/// `pantau-server volunteer revoke` command (another process) within this time.
pub const TOKEN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);
const TOKEN_CACHE_MAX: usize = 100_000;

#[derive(Default)]
struct TokenCache(std::sync::Mutex<std::collections::HashMap<String, (Account, std::time::Instant)>>);

impl TokenCache {
    fn get(&self, token_hash: &str) -> Option<Account> {
        let cache = self.0.lock().expect("token cache lock");
        cache.get(token_hash).filter(|(_, at)| at.elapsed() < TOKEN_CACHE_TTL).map(|(a, _)| a.clone())
    }

    fn put(&self, token_hash: &str, account: &Account) {
        let mut cache = self.0.lock().expect("token cache lock");
        if cache.len() >= TOKEN_CACHE_MAX {
            cache.clear();
        }
        cache.insert(token_hash.to_owned(), (account.clone(), std::time::Instant::now()));
    }

    fn forget_account(&self, account_id: i64) {
        self.0.lock().expect("token cache lock").retain(|_, (a, _)| a.id != account_id);
    }
}

/// What storing a report came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    /// First arrival: a new row.
    Created(Receipt),
    /// The identical report from the same volunteer was already stored: the original receipt.
    Repeat(Receipt),
    /// A different report, or another volunteer's, is stored under this id.
    Conflict,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Volunteer,
    Coordinator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Volunteer => "volunteer",
            Role::Coordinator => "coordinator",
        }
    }
}

/// Someone holding a valid token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub role: Role,
    pub name: String,
    pub tps: Option<String>,
}

/// An account as `pantau-server volunteer list` shows it: where its enrolment
/// stands, and how many reports it has filed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountListing {
    pub id: i64,
    pub name: String,
    pub tps: Option<String>,
    pub created_at: OffsetDateTime,
    /// None while the one-time code is unused.
    pub enrolled_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    pub reports: i64,
}

/// A stored report with what the server knows about it, for coordinators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReport {
    pub receipt: Receipt,
    pub volunteer: Option<Account>,
    pub report: Report,
}

/// Reports read per query by exports: about 500 KB of rows in memory at a
/// time, 30 MB if every one were a count result of the largest size.
pub const EXPORT_PAGE: i64 = 500;

/// The coordinator's filters. `after_seq` pages through results in arrival order.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    pub tps: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub received_since: Option<OffsetDateTime>,
    pub after_seq: i64,
    pub limit: i64,
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
            StoreError::Corrupt(e) => write!(f, "stored data is unreadable: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

/// The columns coordinators filter on, derived from the report itself.
fn kind_and_category(report: &Report) -> (&'static str, Option<&'static str>) {
    (report.body.kind(), report.body.category())
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
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        MIGRATIONS.run(&pool).await.map_err(StoreError::Migration)?;
        let writer = ingest::spawn_writer(pool.clone());
        Ok(Store { pool, writer, tokens: Default::default() })
    }

    /// Stores a validated report once, and answers after it is committed.
    /// Safe under concurrent repeats: the unique id makes the insert a no-op for
    /// all but the first, and rows are never updated or deleted.
    pub async fn store_report(&self, volunteer_id: i64, report: &Report) -> Result<Stored, StoreError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = ingest::Job { volunteer_id, report: report.clone(), reply };
        self.writer.send(job).await.map_err(|_| StoreError::Corrupt("the report writer has stopped".into()))?;
        answer.await.map_err(|_| StoreError::Corrupt("the report writer dropped a report".into()))?
    }

    /// Stores several validated reports, answering for each in order. All are
    /// handed to the writer before any answer is awaited, so they share commits.
    pub async fn store_reports(&self, volunteer_id: i64, reports: Vec<Report>) -> Vec<Result<Stored, StoreError>> {
        let mut answers = Vec::with_capacity(reports.len());
        for report in reports {
            let (reply, answer) = tokio::sync::oneshot::channel();
            let queued = self.writer.send(ingest::Job { volunteer_id, report, reply }).await;
            answers.push(queued.map(|()| answer));
        }
        let mut outcomes = Vec::with_capacity(answers.len());
        for answer in answers {
            outcomes.push(match answer {
                Ok(answer) => answer
                    .await
                    .unwrap_or_else(|_| Err(StoreError::Corrupt("the report writer dropped a report".into()))),
                Err(_) => Err(StoreError::Corrupt("the report writer has stopped".into())),
            });
        }
        outcomes
    }

    /// The receipt of a report, if it exists and (when `volunteer_id` is given)
    /// belongs to that volunteer.
    pub async fn receipt(&self, id: ReportId, volunteer_id: Option<i64>) -> Result<Option<Receipt>, StoreError> {
        let row = sqlx::query("SELECT seq, received_at FROM reports WHERE id = ? AND (? IS NULL OR volunteer_id = ?)")
            .bind(id.to_string())
            .bind(volunteer_id)
            .bind(volunteer_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok(Receipt { id, received_at: parse_time(&row, "received_at")?, seq: row.get("seq") }))
            .transpose()
    }

    /// The receipt of this exact report, if this volunteer already filed it.
    /// For a repeat that today's validation would refuse (the rules were
    /// tightened after it was stored): a repeat is answered with the original
    /// receipt, whatever the rules are now.
    pub async fn repeat_receipt(&self, volunteer_id: i64, report: &Report) -> Result<Option<Receipt>, StoreError> {
        let row = sqlx::query("SELECT seq, received_at, body FROM reports WHERE id = ? AND volunteer_id = ?")
            .bind(report.id.to_string())
            .bind(volunteer_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) if row.get::<String, _>("body") == report.canonical_json() => {
                Ok(Some(Receipt { id: report.id, received_at: parse_time(&row, "received_at")?, seq: row.get("seq") }))
            }
            _ => Ok(None),
        }
    }

    pub async fn report_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM reports").fetch_one(&self.pool).await?)
    }

    pub async fn report(&self, id: ReportId) -> Result<Option<Report>, StoreError> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM reports WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        body.map(|b| serde_json::from_str(&b).map_err(|e| StoreError::Corrupt(format!("report {id}: {e}")))).transpose()
    }

    /// Reports matching `filter`, in arrival order, at most `filter.limit`.
    pub async fn reports(&self, filter: &ReportFilter) -> Result<Vec<StoredReport>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.seq, r.received_at, r.body, a.id AS account_id, a.name, a.tps AS account_tps
             FROM reports r LEFT JOIN accounts a ON a.id = r.volunteer_id
             WHERE r.seq > ?
               AND (? IS NULL OR r.tps = ?)
               AND (? IS NULL OR r.kind = ?)
               AND (? IS NULL OR r.category = ?)
               AND (? IS NULL OR r.received_at >= ?)
             ORDER BY r.seq LIMIT ?",
        )
        .bind(filter.after_seq)
        .bind(&filter.tps)
        .bind(&filter.tps)
        .bind(&filter.kind)
        .bind(&filter.kind)
        .bind(&filter.category)
        .bind(&filter.category)
        .bind(filter.received_since.map(format_time))
        .bind(filter.received_since.map(format_time))
        .bind(filter.limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored_report).collect()
    }

    /// Every report matching `filter` (its `limit` aside), `page` at a time
    /// ([`EXPORT_PAGE`] for exports) in
    /// arrival order. Exports read through this: a national export is millions
    /// of rows, and holding them at once could take the server down with it.
    /// A failed page ends the stream after its error.
    pub fn report_pages(
        &self,
        filter: ReportFilter,
        page: i64,
    ) -> impl futures_util::Stream<Item = Result<Vec<StoredReport>, StoreError>> + Send + 'static {
        let store = self.clone();
        futures_util::stream::try_unfold(Some(filter), move |next| {
            let store = store.clone();
            async move {
                let Some(mut filter) = next else { return Ok(None) };
                filter.limit = page;
                let reports = store.reports(&filter).await?;
                let Some(last) = reports.last() else { return Ok(None) };
                // A short page is the last one; a full one may have more behind it.
                let following =
                    (reports.len() as i64 == page).then_some(ReportFilter { after_seq: last.receipt.seq, ..filter });
                Ok(Some((reports, following)))
            }
        })
    }

    pub async fn create_volunteer(&self, name: &str, tps: &str, enrolment_code_hash: &str) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO accounts (role, name, tps, created_at, enrolment_code_hash) VALUES ('volunteer', ?, ?, ?, ?) RETURNING id",
        )
        .bind(name)
        .bind(tps)
        .bind(format_time(OffsetDateTime::now_utc()))
        .bind(enrolment_code_hash)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn create_coordinator(&self, name: &str, token_hash: &str) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO accounts (role, name, created_at, token_hash, enrolled_at) VALUES ('coordinator', ?, ?, ?, ?) RETURNING id",
        )
        .bind(name)
        .bind(format_time(OffsetDateTime::now_utc()))
        .bind(token_hash)
        .bind(format_time(OffsetDateTime::now_utc()))
        .fetch_one(&self.pool)
        .await?)
    }

    /// Exchanges a one-time enrolment code for a token, atomically: of two
    /// concurrent attempts with the same code, one wins. `attempt_hash` (of
    /// the code and the phone's secret for it) is kept with the account.
    pub async fn enrol(
        &self,
        enrolment_code_hash: &str,
        attempt_hash: Option<&str>,
        token_hash: &str,
    ) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(
            "UPDATE accounts SET token_hash = ?, enrolment_code_hash = NULL, enrolled_at = ?, enrolled_with = ?
             WHERE enrolment_code_hash = ? AND role = 'volunteer' AND revoked_at IS NULL
             RETURNING id, role, name, tps",
        )
        .bind(token_hash)
        .bind(format_time(OffsetDateTime::now_utc()))
        .bind(attempt_hash)
        .bind(enrolment_code_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account).transpose()
    }

    /// A phone trying again after the answer to its enrolment was lost: the
    /// account enrolled with `attempt_hash` within the retry window gets a new
    /// token (the one never received stops working).
    pub async fn re_enrol(&self, attempt_hash: &str, token_hash: &str) -> Result<Option<Account>, StoreError> {
        let window = OffsetDateTime::now_utc() - time::Duration::hours(pantau_core::protocol::ENROLMENT_RETRY_HOURS);
        let row = sqlx::query(
            "UPDATE accounts SET token_hash = ?
             WHERE enrolled_with = ? AND enrolled_at >= ? AND role = 'volunteer' AND revoked_at IS NULL
             RETURNING id, role, name, tps",
        )
        .bind(token_hash)
        .bind(attempt_hash)
        .bind(format_time(window))
        .fetch_optional(&self.pool)
        .await?;
        let found = row.as_ref().map(account).transpose()?;
        if let Some(account) = &found {
            // The token this replaces may be cached as valid.
            self.tokens.forget_account(account.id);
        }
        Ok(found)
    }

    /// The account a token belongs to, unless revoked.
    pub async fn account_by_token(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        if let Some(account) = self.tokens.get(token_hash) {
            return Ok(Some(account));
        }
        let row = sqlx::query("SELECT id, role, name, tps FROM accounts WHERE token_hash = ? AND revoked_at IS NULL")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        let found = row.as_ref().map(account).transpose()?;
        if let Some(account) = &found {
            self.tokens.put(token_hash, account);
        }
        Ok(found)
    }

    /// Revokes an account's token (and any unused enrolment code). Returns
    /// whether an active account was revoked.
    pub async fn revoke(&self, account_id: i64, role: Role) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE accounts SET revoked_at = ?, enrolment_code_hash = NULL WHERE id = ? AND role = ? AND revoked_at IS NULL",
        )
        .bind(format_time(OffsetDateTime::now_utc()))
        .bind(account_id)
        .bind(role.as_str())
        .execute(&self.pool)
        .await?;
        self.tokens.forget_account(account_id);
        Ok(done.rows_affected() == 1)
    }

    /// Every account of a role, oldest first, revoked ones included (their
    /// reports are kept, so coordinators still need to know who they were).
    pub async fn accounts(&self, role: Role) -> Result<Vec<AccountListing>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.name, a.tps, a.created_at, a.enrolled_at, a.revoked_at,
                    (SELECT COUNT(*) FROM reports r WHERE r.volunteer_id = a.id) AS reports
             FROM accounts a WHERE a.role = ? ORDER BY a.id",
        )
        .bind(role.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AccountListing {
                    id: row.get("id"),
                    name: row.get("name"),
                    tps: row.get("tps"),
                    created_at: parse_time(row, "created_at")?,
                    enrolled_at: parse_optional_time(row, "enrolled_at")?,
                    revoked_at: parse_optional_time(row, "revoked_at")?,
                    reports: row.get("reports"),
                })
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

fn account(row: &SqliteRow) -> Result<Account, StoreError> {
    let role = match row.get::<String, _>("role").as_str() {
        "volunteer" => Role::Volunteer,
        "coordinator" => Role::Coordinator,
        other => return Err(StoreError::Corrupt(format!("account role {other:?}"))),
    };
    Ok(Account { id: row.get("id"), role, name: row.get("name"), tps: row.get("tps") })
}

fn stored_report(row: &SqliteRow) -> Result<StoredReport, StoreError> {
    let seq: i64 = row.get("seq");
    let report: Report = serde_json::from_str(row.get::<&str, _>("body"))
        .map_err(|e| StoreError::Corrupt(format!("report seq {seq}: {e}")))?;
    let volunteer = row.get::<Option<i64>, _>("account_id").map(|id| Account {
        id,
        role: Role::Volunteer,
        name: row.get("name"),
        tps: row.get("account_tps"),
    });
    Ok(StoredReport {
        receipt: Receipt { id: report.id, received_at: parse_time(row, "received_at")?, seq },
        volunteer,
        report,
    })
}

/// Now, at the precision the database keeps, so a receipt read back later is
/// identical to the one first given.
fn now_micros() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000).expect("a truncated nanosecond is in range")
}

fn format_time(t: OffsetDateTime) -> String {
    // Fixed-width UTC so that text comparison in SQL is time order.
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        ))
        .expect("every OffsetDateTime formats")
}

fn parse_time(row: &SqliteRow, column: &str) -> Result<OffsetDateTime, StoreError> {
    let text: String = row.get(column);
    OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| StoreError::Corrupt(format!("{column} {text:?}: {e}")))
}

fn parse_optional_time(row: &SqliteRow, column: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    match row.get::<Option<String>, _>(column) {
        None => Ok(None),
        Some(_) => parse_time(row, column).map(Some),
    }
}
