//! Reports: storing each once (through the group-commit writer in `ingest`),
//! receipts, and what coordinators read and export.

use super::accounts::{Account, Role};
use super::{format_time, ingest, parse_time, Store, StoreError, StoreRow};
use pantau_core::review::{ReviewEvent, ReviewState};
use pantau_core::{Receipt, Report, ReportId};
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
        with_pool!(&self.pool, |pool, _Db| {
            let row = sqlx::query(
                "SELECT seq, received_at FROM reports
                 WHERE id = $1 AND ($2 IS NULL OR volunteer_id = $2) AND ($3 IS NULL OR (tps >= $3 AND tps < $4))",
            )
            .bind(id.to_string())
            .bind(volunteer_id)
            .bind(scope)
            .bind(scope_end(scope))
            .fetch_optional(pool)
            .await?;
            row.map(|row| Ok(Receipt { id, received_at: parse_time(&row, "received_at")?, seq: row.int("seq") }))
                .transpose()
        })
    }

    /// The receipt of this exact report, if this volunteer already filed it.
    /// For a repeat that today's validation would refuse (the rules were
    /// tightened after it was stored): a repeat is answered with the original
    /// receipt, whatever the rules are now.
    pub async fn repeat_receipt(&self, volunteer_id: i64, report: &Report) -> Result<Option<Receipt>, StoreError> {
        with_pool!(&self.pool, |pool, _Db| {
            let row = sqlx::query("SELECT seq, received_at, body FROM reports WHERE id = $1 AND volunteer_id = $2")
                .bind(report.id.to_string())
                .bind(volunteer_id)
                .fetch_optional(pool)
                .await?;
            match row {
                Some(row) if row.text("body") == report.canonical_json() => Ok(Some(Receipt {
                    id: report.id,
                    received_at: parse_time(&row, "received_at")?,
                    seq: row.int("seq"),
                })),
                _ => Ok(None),
            }
        })
    }

    pub async fn report_count(&self) -> Result<i64, StoreError> {
        Ok(with_pool!(&self.pool, |pool, _Db| sqlx::query_scalar("SELECT COUNT(*) FROM reports")
            .fetch_one(pool)
            .await?))
    }

    pub async fn report(&self, id: ReportId) -> Result<Option<Report>, StoreError> {
        let body: Option<String> = with_pool!(&self.pool, |pool, _Db| {
            sqlx::query_scalar("SELECT body FROM reports WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
        });
        body.map(|b| serde_json::from_str(&b).map_err(|e| StoreError::Corrupt(format!("report {id}: {e}")))).transpose()
    }

    /// Reports matching `filter`, at most `filter.limit`: in arrival order, or
    /// newest first when `before_seq` is set. Only the filters given become
    /// SQL, so each query keeps the plan its indexes allow.
    pub async fn reports(&self, filter: &ReportFilter) -> Result<Vec<StoredReport>, StoreError> {
        let dialect = self.pool.dialect();
        let mut sql = Conditions::default();
        // With each report, its latest review event (if any) and who made it.
        sql.push(
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
        sql.bind(Param::Int(filter.after_seq));
        if let Some(before) = filter.before_seq {
            sql.push(" AND r.seq < ").bind(Param::Int(before));
        }
        // A scope, an area, a kind or a category matches a large share of the
        // reports: walking them in arrival order (the primary key) until the
        // page is full beats reading an index range and sorting it, so those
        // terms are kept off their indexes in SQLite (`Dialect::unindexed`).
        // One TPS is few reports: its index is worth it.
        let tps = dialect.unindexed("r.tps");
        for prefix in [&filter.scope, &filter.area].into_iter().flatten() {
            sql.push(&format!(" AND {tps} >= ")).bind(Param::Text(prefix.clone()));
            sql.push(&format!(" AND {tps} < ")).bind(Param::Text(scope_end(Some(prefix)).unwrap_or_default()));
        }
        if let Some(tps) = &filter.tps {
            sql.push(" AND r.tps = ").bind(Param::Text(tps.clone()));
        }
        let kind = dialect.unindexed("r.kind");
        if let Some(wanted) = &filter.kind {
            sql.push(&format!(" AND {kind} = ")).bind(Param::Text(wanted.clone()));
        }
        if let Some(category) = &filter.category {
            sql.push(&format!(" AND {} = ", dialect.unindexed("r.category"))).bind(Param::Text(category.clone()));
        }
        if let Some(urgent) = filter.urgent {
            sql.push(&format!(" AND {kind} = 'incident' AND r.urgent = ")).bind(Param::Int(i64::from(urgent)));
        }
        match filter.review {
            None => {}
            // A review never returns to new: new is "no event yet".
            Some(ReviewState::New) => {
                sql.push(" AND NOT EXISTS (SELECT 1 FROM review_events e WHERE e.report_seq = r.seq)");
            }
            Some(state) => {
                sql.push(" AND r.seq IN (SELECT e.report_seq FROM review_events e WHERE e.to_state = ")
                    .bind(Param::Text(state.slug().to_owned()))
                    .push(
                        " AND NOT EXISTS (SELECT 1 FROM review_events l
                                      WHERE l.report_seq = e.report_seq AND l.version > e.version))",
                    );
            }
        }
        if let Some(words) = &filter.words {
            sql.push(&format!(" AND {}(lower(r.body), lower(", dialect.position_fn()))
                .bind(Param::Text(words.clone()))
                .push(")) > 0");
        }
        if let Some(since) = filter.received_since {
            sql.push(" AND r.received_at >= ").bind(Param::Text(format_time(since)));
        }
        if let Some(until) = filter.received_until {
            sql.push(" AND r.received_at < ").bind(Param::Text(format_time(until)));
        }
        sql.push(if filter.before_seq.is_some() { " ORDER BY r.seq DESC LIMIT " } else { " ORDER BY r.seq LIMIT " });
        sql.bind(Param::Int(filter.limit));
        with_pool!(&self.pool, |pool, _Db| {
            let mut query = sqlx::query(&sql.text);
            for param in sql.params {
                query = match param {
                    Param::Int(n) => query.bind(n),
                    Param::Text(t) => query.bind(t),
                };
            }
            query.fetch_all(pool).await?.iter().map(stored_report).collect()
        })
    }

    /// Reports received since `since` within `scope`, counted per hour (UTC);
    /// hours with none are absent.
    pub async fn report_hours(
        &self,
        scope: Option<&str>,
        since: OffsetDateTime,
    ) -> Result<Vec<pantau_core::desk::HourCount>, StoreError> {
        let rows: Vec<(String, i64, i64)> = with_pool!(&self.pool, |pool, _Db| {
            sqlx::query(
                "SELECT substr(received_at, 1, 13) AS hour, COUNT(*) AS reports, SUM(urgent) AS urgent
                 FROM reports
                 WHERE received_at >= $1 AND ($2 IS NULL OR (tps >= $2 AND tps < $3))
                 GROUP BY hour ORDER BY hour",
            )
            .bind(format_time(since))
            .bind(scope)
            .bind(scope_end(scope))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| (row.text("hour"), row.int("reports"), row.int("urgent")))
            .collect()
        });
        rows.into_iter()
            .map(|(hour, reports, urgent)| {
                let hour =
                    OffsetDateTime::parse(&format!("{hour}:00:00Z"), &time::format_description::well_known::Rfc3339)
                        .map_err(|e| StoreError::Corrupt(format!("received_at hour {hour:?}: {e}")))?;
                Ok(pantau_core::desk::HourCount { hour, reports: reports as u32, urgent: urgent as u32 })
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

    /// The count results of `scope` (a TPS code prefix; None: every TPS),
    /// `page` at a time, ordered by TPS and each TPS's in arrival order: what
    /// [`pantau_core::tally::Tallies`] reads, one TPS at a time. Each page is
    /// a range of the `reports_count_results` index after the last (tps, seq)
    /// read, and the connection goes back to the pool between pages.
    pub fn count_results_by_tps(
        &self,
        scope: Option<String>,
        page: i64,
    ) -> impl futures_util::Stream<Item = Result<Vec<Report>, StoreError>> + Send + 'static {
        let store = self.clone();
        let from = self.pool.dialect().indexed_by("reports", "reports_count_results");
        // The scope's end as a plain bound, so the last page stops there.
        let upper = if scope.is_some() { " AND tps < $4" } else { "" };
        let sql = format!(
            "SELECT seq, tps, body FROM {from}
             WHERE kind = 'count_result' AND (tps, seq) > ($1, $2){upper}
             ORDER BY tps, seq LIMIT $3"
        );
        let end = scope_end(scope.as_deref());
        // Every TPS of the scope sorts after its prefix.
        let start = Some((scope.unwrap_or_default(), 0_i64));
        futures_util::stream::try_unfold(start, move |after| {
            let (store, sql, end) = (store.clone(), sql.clone(), end.clone());
            async move {
                let Some((after_tps, after_seq)) = after else { return Ok(None) };
                let rows: Vec<(i64, String, String)> = with_pool!(&store.pool, |pool, _Db| {
                    let mut query = sqlx::query(&sql).bind(&after_tps).bind(after_seq).bind(page);
                    if let Some(end) = &end {
                        query = query.bind(end);
                    }
                    query
                        .fetch_all(pool)
                        .await?
                        .iter()
                        .map(|row| (row.int("seq"), row.text("tps"), row.text("body")))
                        .collect()
                });
                let following = match rows.last() {
                    Some((seq, tps, _)) if rows.len() as i64 == page => Some((tps.clone(), *seq)),
                    Some(_) => None,
                    None => return Ok(None),
                };
                let reports = rows
                    .into_iter()
                    .map(|(seq, _, body)| {
                        serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("report seq {seq}: {e}")))
                    })
                    .collect::<Result<Vec<Report>, StoreError>>()?;
                Ok(Some((reports, following)))
            }
        })
    }
}

/// SQL built from the filters given, with its parameters numbered `$1`, `$2`…
/// as both databases read them.
#[derive(Default)]
struct Conditions {
    text: String,
    params: Vec<Param>,
}

enum Param {
    Int(i64),
    Text(String),
}

impl Conditions {
    fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    fn bind(&mut self, param: Param) -> &mut Self {
        self.params.push(param);
        self.text.push_str(&format!("${}", self.params.len()));
        self
    }
}

/// The first code after every TPS code that starts with `scope`: TPS codes
/// hold only digits and `-`, which sort before `:`, so `scope <= tps <
/// scope + ":"` is "starts with" in a form the TPS index serves.
pub(super) fn scope_end(scope: Option<&str>) -> Option<String> {
    scope.map(|s| format!("{s}:"))
}

fn stored_report(row: &impl StoreRow) -> Result<StoredReport, StoreError> {
    let seq = row.int("seq");
    let report: Report =
        serde_json::from_str(&row.text("body")).map_err(|e| StoreError::Corrupt(format!("report seq {seq}: {e}")))?;
    let volunteer = row.optional_int("account_id").map(|id| Account {
        id,
        role: Role::Volunteer,
        name: row.text("name"),
        tps: row.optional_text("account_tps"),
        expires_at: None,
    });
    let state = |column: &str| {
        let slug = row.text(column);
        ReviewState::from_slug(&slug).ok_or_else(|| StoreError::Corrupt(format!("review state {slug:?}")))
    };
    let review = state("review")?;
    let last_review = match row.optional_int("review_version") {
        None => None,
        Some(version) => Some(ReviewEvent {
            version: version as u32,
            at: parse_time(row, "review_at")?,
            coordinator: row.optional_text("reviewer").unwrap_or_default(),
            from: state("review_from")?,
            to: review,
            note: row.text("review_note"),
            reference: row.optional_text("review_reference"),
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
