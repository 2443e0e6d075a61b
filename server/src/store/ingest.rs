//! Group commit for incoming reports. Handlers hand each report to one writer
//! task, which gathers whatever has queued up meanwhile and stores the whole
//! batch with one multi-row INSERT in one transaction: one fsync and a handful
//! of statements per batch instead of per report. Each handler gets its answer
//! only after the batch's COMMIT, so an acknowledgement still means "on disk".

use super::{format_time, now_micros, parse_time, Pool, StoreError, StoreRow, Stored};
use crate::metrics::{KindLabel, Metrics};
use pantau_core::{Receipt, Report, ReportId};
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

/// Rows per batch. Nine bound values per row stays far below both databases' limits.
const MAX_BATCH: usize = 256;
/// Reports waiting for the writer before handlers wait for room.
const QUEUE: usize = 4_096;

pub struct Job {
    pub volunteer_id: i64,
    pub report: Report,
    pub reply: oneshot::Sender<Result<Stored, StoreError>>,
}

/// Starts the writer. `arrived` is raised to the newest arrival number after
/// each commit, for the desk's live feed.
pub(crate) fn spawn_writer(
    pool: Pool,
    arrived: std::sync::Arc<tokio::sync::watch::Sender<i64>>,
    metrics: std::sync::Arc<Metrics>,
) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let jobs = std::mem::take(&mut batch);
            let rows = jobs.len();
            metrics.batch_size.observe(rows as f64);
            metrics.writer_queue.set(rx.len() as i64);
            // Its own task, so that a panic while storing one batch (a bug, or
            // a report validation let through) fails that batch's requests
            // (their reply senders are dropped: 500) and the writer lives on.
            // Otherwise every later report would be refused until a restart.
            if let Err(e) = tokio::spawn(store_and_answer(pool.clone(), jobs, arrived.clone(), metrics.clone())).await {
                tracing::error!(error = %e, rows, "storing a batch of reports panicked; its reports were refused");
            }
        }
    });
    tx
}

async fn store_and_answer(
    pool: Pool,
    jobs: Vec<Job>,
    arrived: std::sync::Arc<tokio::sync::watch::Sender<i64>>,
    metrics: std::sync::Arc<Metrics>,
) {
    let started = std::time::Instant::now();
    let stored = store_batch(&pool, &jobs).await;
    metrics.commit_seconds.observe(started.elapsed().as_secs_f64());
    match stored {
        Ok(outcomes) => {
            for (job, outcome) in jobs.iter().zip(&outcomes) {
                if matches!(outcome, Ok(Stored::Created(_))) {
                    metrics.reports_stored.get_or_create(&KindLabel { kind: job.report.body.kind() }).inc();
                }
            }
            let newest = outcomes.iter().filter_map(|o| match o {
                Ok(Stored::Created(receipt)) => Some(receipt.seq),
                _ => None,
            });
            if let Some(newest) = newest.max() {
                arrived.send_if_modified(|seq| {
                    let raised = newest > *seq;
                    if raised {
                        *seq = newest;
                    }
                    raised
                });
            }
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                let _ = job.reply.send(outcome);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, rows = jobs.len(), "storing a batch of reports failed");
            let message = e.to_string();
            for job in jobs {
                let _ = job.reply.send(Err(StoreError::BatchFailed(message.clone())));
            }
        }
    }
}

struct Existing {
    seq: i64,
    /// An unreadable stored time fails only the reports with this id, not
    /// the others committed beside them.
    received_at: Result<time::OffsetDateTime, String>,
    body: String,
    volunteer_id: Option<i64>,
}

/// Each job's answer, in order; Err for the whole batch when the transaction failed.
async fn store_batch(pool: &Pool, jobs: &[Job]) -> Result<Vec<Result<Stored, StoreError>>, StoreError> {
    let received_at = now_micros();
    let received_text = format_time(received_at);
    let bodies: Vec<String> = jobs.iter().map(|j| j.report.canonical_json()).collect();
    let dialect = pool.dialect();
    let (inserted, existing) = with_pool!(pool, |pool, Db| {
        let mut tx = pool.begin().await?;
        let mut insert = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO reports (id, tps, kind, category, urgent, created_at, received_at, body, volunteer_id) ",
        );
        insert.push_values(jobs.iter().zip(&bodies), |mut row, (job, body)| {
            let (kind, category) = super::reports::kind_and_category(&job.report);
            row.push_bind(job.report.id.to_string())
                .push_bind(job.report.tps.clone())
                .push_bind(kind)
                .push_bind(category.map(str::to_owned))
                .push_bind(i32::from(matches!(job.report.body, pantau_core::ReportBody::Incident { urgent: true, .. })))
                .push_bind(format_time(job.report.created_at))
                .push_bind(received_text.clone())
                .push_bind(body.clone())
                .push_bind(job.volunteer_id);
        });
        insert.push(" ON CONFLICT (id) DO NOTHING RETURNING id, seq");
        let inserted: HashMap<String, i64> =
            insert.build().fetch_all(&mut *tx).await?.into_iter().map(|row| (row.text("id"), row.int("seq"))).collect();

        // The photos each new report shows, for coordinators' access to them.
        // Only the first job of an inserted id is what was stored.
        let mut shown = std::collections::HashSet::new();
        let mut first = std::collections::HashSet::new();
        for job in jobs {
            if let Some(&seq) = inserted.get(&job.report.id.to_string()).filter(|_| first.insert(job.report.id)) {
                shown.extend(job.report.photos.iter().map(|p| (p.sha256.as_str(), seq)));
            }
        }
        if !shown.is_empty() {
            let mut insert = sqlx::QueryBuilder::<Db>::new("INSERT INTO report_photos (sha256, report_seq) ");
            insert.push_values(&shown, |mut row, (sha256, seq)| {
                row.push_bind(*sha256).push_bind(*seq);
            });
            insert.push(" ON CONFLICT DO NOTHING").build().execute(&mut *tx).await?;
        }

        // Rows already there before this batch, for repeats and conflicts.
        let earlier: Vec<String> =
            jobs.iter().map(|j| j.report.id.to_string()).filter(|id| !inserted.contains_key(id)).collect();
        let mut existing: HashMap<String, Existing> = HashMap::new();
        if !earlier.is_empty() {
            let mut select = sqlx::QueryBuilder::<Db>::new(
                "SELECT id, seq, received_at, body, volunteer_id FROM reports WHERE id IN (",
            );
            let mut ids = select.separated(", ");
            for id in &earlier {
                ids.push_bind(id.clone());
            }
            select.push(")");
            for row in select.build().fetch_all(&mut *tx).await? {
                existing.insert(
                    row.text("id"),
                    Existing {
                        seq: row.int("seq"),
                        received_at: parse_time(&row, "received_at").map_err(|e| e.to_string()),
                        body: row.text("body"),
                        volunteer_id: row.optional_int("volunteer_id"),
                    },
                );
            }
        }
        if let (Some(newest), super::Dialect::Postgres) = (inserted.values().max(), dialect) {
            // Delivered to every server's listener at COMMIT (and not at all
            // without it), so their desks' feeds wake too.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(super::ARRIVALS_CHANNEL)
                .bind(newest.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        (inserted, existing)
    });

    // The first job for an id that was inserted is the creation; every other
    // job for that id (in this batch or later) compares against what is stored.
    let mut created: HashMap<ReportId, usize> = HashMap::new();
    let outcomes = jobs
        .iter()
        .enumerate()
        .map(|(i, job)| {
            let id = job.report.id;
            let key = id.to_string();
            if let Some(&seq) = inserted.get(&key) {
                let first = *created.entry(id).or_insert(i);
                let receipt = Receipt { id, received_at, seq };
                if first == i {
                    return Ok(Stored::Created(receipt));
                }
                let same = bodies[first] == bodies[i] && jobs[first].volunteer_id == job.volunteer_id;
                return Ok(if same { Stored::Repeat(receipt) } else { Stored::Conflict });
            }
            match existing.get(&key) {
                Some(row) if row.body == bodies[i] && row.volunteer_id == Some(job.volunteer_id) => {
                    let received_at = row.received_at.clone().map_err(StoreError::Corrupt)?;
                    Ok(Stored::Repeat(Receipt { id, received_at, seq: row.seq }))
                }
                Some(_) => Ok(Stored::Conflict),
                // Not inserted and not found cannot happen inside one transaction.
                None => Ok(Stored::Conflict),
            }
        })
        .collect();
    Ok(outcomes)
}
