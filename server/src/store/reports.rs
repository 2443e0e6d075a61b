//! Reports: storing each once (through the group-commit writer in `ingest`),
//! receipts, and what coordinators read and export.

use super::accounts::{Account, Role};
use super::{format_time, ingest, parse_time, Store, StoreError};
use pantau_core::review::{ReviewEvent, ReviewState};
use pantau_core::{Receipt, Report, ReportId};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::OffsetDateTime;

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

/// A stored report with what the server knows about it, for coordinators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReport {
    pub receipt: Receipt,
    pub volunteer: Option<Account>,
    pub report: Report,
    /// Where coordinators' review of it stands.
    pub review: ReviewState,
    /// The review's latest change, with its note; None while it is new.
    pub last_review: Option<ReviewEvent>,
}

/// Reports read per query by exports: about 500 KB of rows in memory at a
/// time, 30 MB if every one were a count result of the largest size.
pub const EXPORT_PAGE: i64 = 500;

/// The coordinator's filters. `after_seq` pages through results in arrival order.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    /// The coordinator's scope: only TPS whose code starts with it (None: all).
    pub scope: Option<String>,
    /// A kecamatan or kelurahan within it: TPS whose code starts with this.
    pub area: Option<String>,
    pub tps: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    /// Only incidents flagged urgent (true) or not (false).
    pub urgent: Option<bool>,
    /// Only reports whose review is in this state.
    pub review: Option<ReviewState>,
    /// Only reports whose text holds this (case-insensitive for ASCII).
    pub words: Option<String>,
    pub received_since: Option<OffsetDateTime>,
    /// Only reports received before this time.
    pub received_until: Option<OffsetDateTime>,
    pub after_seq: i64,
    /// Newest first, below this sequence number (`i64::MAX`: from the newest).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// The columns coordinators filter on, derived from the report itself.
pub(super) fn kind_and_category(report: &Report) -> (&'static str, Option<&'static str>) {
    (report.body.kind(), report.body.category())
}

impl Store {
    /// Stores a validated report once, and answers after it is committed.
    /// Safe under concurrent repeats: the unique id makes the insert a no-op for
    /// all but the first, and rows are never updated or deleted.
    pub async fn store_report(&self, volunteer_id: i64, report: &Report) -> Result<Stored, StoreError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = ingest::Job { volunteer_id, report: report.clone(), reply };
        self.writer.send(job).await.map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
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
                Ok(answer) => answer.await.unwrap_or(Err(StoreError::WriterStopped)),
                Err(_) => Err(StoreError::WriterStopped),
            });
        }
        outcomes
    }

    /// The receipt of a report, if it exists and (when `volunteer_id` is given)
    /// belongs to that volunteer.
    /// The receipt of report `id`, if it is the volunteer's (`volunteer_id`)
    /// and inside the coordinator's `scope` (None: no such limit).
    pub async fn receipt(
        &self,
        id: ReportId,
        volunteer_id: Option<i64>,
        scope: Option<&str>,
    ) -> Result<Option<Receipt>, StoreError> {
        let row = sqlx::query(
            "SELECT seq, received_at FROM reports
             WHERE id = ? AND (? IS NULL OR volunteer_id = ?) AND (? IS NULL OR (tps >= ? AND tps < ?))",
        )
        .bind(id.to_string())
        .bind(volunteer_id)
        .bind(volunteer_id)
        .bind(scope)
        .bind(scope)
        .bind(scope_end(scope))
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

    /// Reports matching `filter`, at most `filter.limit`: in arrival order, or
    /// newest first when `before_seq` is set. Only the filters given become
    /// SQL, so each query keeps the plan its indexes allow.
    pub async fn reports(&self, filter: &ReportFilter) -> Result<Vec<StoredReport>, StoreError> {
        // With each report, its latest review event (if any) and who made it.
        let mut sql = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT r.seq, r.received_at, r.body, a.id AS account_id, a.name, a.tps AS account_tps,
                    e.version AS review_version, e.at AS review_at, c.name AS reviewer,
                    e.from_state AS review_from, COALESCE(e.to_state, 'new') AS review,
                    e.note AS review_note, e.reference AS review_reference
             FROM reports r LEFT JOIN accounts a ON a.id = r.volunteer_id
             LEFT JOIN review_events e ON e.report_seq = r.seq
                  AND e.version = (SELECT MAX(v.version) FROM review_events v WHERE v.report_seq = r.seq)
             LEFT JOIN accounts c ON c.id = e.coordinator_id
             WHERE r.seq > ",
        );
        sql.push_bind(filter.after_seq);
        if let Some(before) = filter.before_seq {
            sql.push(" AND r.seq < ").push_bind(before);
        }
        // A scope, an area, a kind or a category matches a large share of the
        // reports: walking them in arrival order (the primary key) until the
        // page is full beats reading an index range and sorting it, so those
        // terms are kept off their indexes (SQLite's unary `+`). One TPS is few
        // reports: its index is worth it.
        for prefix in [&filter.scope, &filter.area].into_iter().flatten() {
            sql.push(" AND +r.tps >= ").push_bind(prefix.clone());
            sql.push(" AND +r.tps < ").push_bind(scope_end(Some(prefix)));
        }
        if let Some(tps) = &filter.tps {
            sql.push(" AND r.tps = ").push_bind(tps.clone());
        }
        if let Some(kind) = &filter.kind {
            sql.push(" AND +r.kind = ").push_bind(kind.clone());
        }
        if let Some(category) = &filter.category {
            sql.push(" AND +r.category = ").push_bind(category.clone());
        }
        if let Some(urgent) = filter.urgent {
            sql.push(" AND +r.kind = 'incident' AND r.urgent = ").push_bind(urgent);
        }
        match filter.review {
            None => {}
            // A review never returns to new: new is "no event yet".
            Some(ReviewState::New) => {
                sql.push(" AND NOT EXISTS (SELECT 1 FROM review_events e WHERE e.report_seq = r.seq)");
            }
            Some(state) => {
                sql.push(" AND r.seq IN (SELECT e.report_seq FROM review_events e WHERE e.to_state = ")
                    .push_bind(state.slug())
                    .push(
                        " AND NOT EXISTS (SELECT 1 FROM review_events l
                                      WHERE l.report_seq = e.report_seq AND l.version > e.version))",
                    );
            }
        }
        if let Some(words) = &filter.words {
            sql.push(" AND instr(lower(r.body), lower(").push_bind(words.clone()).push(")) > 0");
        }
        if let Some(since) = filter.received_since {
            sql.push(" AND r.received_at >= ").push_bind(format_time(since));
        }
        if let Some(until) = filter.received_until {
            sql.push(" AND r.received_at < ").push_bind(format_time(until));
        }
        sql.push(if filter.before_seq.is_some() { " ORDER BY r.seq DESC LIMIT " } else { " ORDER BY r.seq LIMIT " });
        sql.push_bind(filter.limit);
        let rows = sql.build().fetch_all(&self.pool).await?;
        rows.iter().map(stored_report).collect()
    }

    /// Reports received since `since` within `scope`, counted per hour (UTC);
    /// hours with none are absent.
    pub async fn report_hours(
        &self,
        scope: Option<&str>,
        since: OffsetDateTime,
    ) -> Result<Vec<pantau_core::desk::HourCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT substr(received_at, 1, 13) AS hour, COUNT(*) AS reports, SUM(urgent) AS urgent
             FROM reports
             WHERE received_at >= ? AND (? IS NULL OR (tps >= ? AND tps < ?))
             GROUP BY hour ORDER BY hour",
        )
        .bind(format_time(since))
        .bind(scope)
        .bind(scope)
        .bind(scope_end(scope))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let hour: String = row.get("hour");
                let hour =
                    OffsetDateTime::parse(&format!("{hour}:00:00Z"), &time::format_description::well_known::Rfc3339)
                        .map_err(|e| StoreError::Corrupt(format!("received_at hour {hour:?}: {e}")))?;
                Ok(pantau_core::desk::HourCount {
                    hour,
                    reports: row.get::<i64, _>("reports") as u32,
                    urgent: row.get::<i64, _>("urgent") as u32,
                })
            })
            .collect()
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
}

/// The first code after every TPS code that starts with `scope`: TPS codes
/// hold only digits and `-`, which sort before `:`, so `scope <= tps <
/// scope + ":"` is "starts with" in a form the TPS index serves.
pub(super) fn scope_end(scope: Option<&str>) -> Option<String> {
    scope.map(|s| format!("{s}:"))
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
        expires_at: None,
    });
    let state = |column: &str| {
        let slug: String = row.get(column);
        ReviewState::from_slug(&slug).ok_or_else(|| StoreError::Corrupt(format!("review state {slug:?}")))
    };
    let review = state("review")?;
    let last_review = match row.get::<Option<i64>, _>("review_version") {
        None => None,
        Some(version) => Some(ReviewEvent {
            version: version as u32,
            at: parse_time(row, "review_at")?,
            coordinator: row.get::<Option<String>, _>("reviewer").unwrap_or_default(),
            from: state("review_from")?,
            to: review,
            note: row.get("review_note"),
            reference: row.get("review_reference"),
        }),
    };
    Ok(StoredReport {
        receipt: Receipt { id: report.id, received_at: parse_time(row, "received_at")?, seq },
        volunteer,
        report,
        review,
        last_review,
    })
}
