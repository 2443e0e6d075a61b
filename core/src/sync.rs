//! The sync engine, independent of how reports are stored and sent: the PWA
//! plugs in IndexedDB and fetch, tests plug in a native HTTP client or a model.
//!
//! A round sends waiting reports, oldest first, in batches, until none are
//! left or one must wait. Each batch's outcomes are handed to storage as one
//! write (the PWA does not wait for it to land); a crash loses at most the
//! knowledge that recent sends succeeded, and the server's idempotency makes
//! the resend harmless.

use crate::backoff::Backoff;
use crate::outbox::{Outbox, OutboxEntry};
use crate::protocol::{SendOutcome, WaitError, WaitReason};
use crate::report::{Report, ReportId};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Sends reports together and says what came of each: one outcome per report,
/// in order. Network failures are [`SendOutcome::RetryLater`] for all of them;
/// implementations never panic on bad answers.
#[allow(async_fn_in_trait)] // used single-threaded (wasm) and in tests; no Send bound wanted
pub trait Transport {
    async fn send(&self, reports: &[Report]) -> Vec<SendOutcome>;

    /// Makes sure the server holds every photo `report` names, resuming what
    /// it holds in part; `Err` is why the report must wait (it is not sent).
    async fn upload_photos(&self, report: &Report) -> Result<(), SendOutcome> {
        let _ = report;
        Ok(())
    }
}

/// Writes outbox entries durably, together.
#[allow(async_fn_in_trait)]
pub trait Persist {
    type Error: std::fmt::Display;
    async fn put(&self, entries: &[OutboxEntry]) -> Result<(), Self::Error>;
}

/// Where the engine finds the outbox. The PWA keeps it in a reactive signal so
/// the screen follows every step; tests keep it in a `RefCell`.
pub trait OutboxCell {
    fn update<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> R;
    /// A look that changes nothing (so a reactive screen need not redraw).
    fn read<R>(&self, f: impl FnOnce(&Outbox) -> R) -> R;
}

impl OutboxCell for std::cell::RefCell<Outbox> {
    fn update<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> R {
        f(&mut self.borrow_mut())
    }
    fn read<R>(&self, f: impl FnOnce(&Outbox) -> R) -> R {
        f(&self.borrow())
    }
}

/// Why a round stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoundEnd {
    /// Nothing left to send.
    Drained,
    /// A send failed in a way that may pass: try again later (no sooner than
    /// the server's Retry-After, if it gave one). `progressed` says whether the
    /// round delivered anything before: a flaky link that still moves reports
    /// is retried briskly, a dead one backs off.
    RetryLater { retry_after_ms: Option<u64>, progressed: bool },
    /// The token was refused: wait for the volunteer to enrol again.
    Unauthorized,
}

/// Progress of a round, for "3 dari 10 terkirim".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub delivered: usize,
    pub total: usize,
}

/// How a round spreads its reports over requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pace {
    /// Most reports per request.
    pub batch: usize,
    /// Most requests in flight at once.
    pub in_flight: usize,
    /// Most bytes of reports (as JSON) per request; a larger report goes alone.
    pub batch_bytes: usize,
}

/// The PWA's pace. Batches save a round trip per report on a slow mobile link,
/// and one storage write and one screen update per batch instead of per report;
/// 25 reports keep a lost answer cheap to resend. Three requests in flight let
/// the server commit one batch while the next travels. The byte bound keeps a
/// batch of long count results (up to 60 KB each) within the 90 s deadline on
/// GPRS, about 5 KB/s: three requests of 48 KB share the link for about 30 s.
/// Without it, 25 such reports would time out together every round, for good.
pub const PACE: Pace = Pace { batch: 25, in_flight: 3, batch_bytes: 48_000 };

/// Runs one round. `on_progress` is called at the start and after every answer.
pub async fn run_round<C, T, P>(
    outbox: &C,
    transport: &T,
    persist: &P,
    pace: Pace,
    mut on_progress: impl FnMut(Progress),
) -> RoundEnd
where
    C: OutboxCell,
    T: Transport,
    P: Persist,
{
    let batch_size = pace.batch.clamp(1, crate::protocol::MAX_BATCH_REPORTS);
    let mut progress = Progress { delivered: 0, total: outbox.read(|o| o.pending()) };
    on_progress(progress);
    type Sending<'t> = Pin<Box<dyn Future<Output = (Vec<Report>, Vec<SendOutcome>)> + 't>>;
    let mut sending: Vec<Sending<'_>> = Vec::new();
    let mut end = None;
    // A report with photos is sent alone after its uploads, one at a time: it
    // holds one slot of the window, and text-only reports use the others.
    let mut uploading: Option<ReportId> = None;
    // An upload that failed stops the round's uploads, not its text reports;
    // the round then ends as a wait, so the retry clock comes back for it.
    let mut photos_wait: Option<Option<u64>> = None;
    loop {
        // Start batches until the window is full, unless the round is ending.
        while end.is_none() && sending.len() < pace.in_flight.max(1) {
            if uploading.is_none() && photos_wait.is_none() {
                let with_photos = outbox.update(|o| {
                    let id = o.next_waiting_matching(|r| !r.photos.is_empty())?;
                    o.start_send(id)
                });
                if let Some(report) = with_photos {
                    uploading = Some(report.id);
                    sending.push(Box::pin(async move {
                        let outcomes = match transport.upload_photos(&report).await {
                            Ok(()) => transport.send(std::slice::from_ref(&report)).await,
                            Err(outcome) => vec![outcome],
                        };
                        (vec![report], outcomes)
                    }));
                    continue;
                }
            }
            let batch = outbox.update(|o| {
                let mut batch = Vec::new();
                let mut bytes = 0;
                while batch.len() < batch_size {
                    let Some(id) = o.next_waiting_matching(|r| r.photos.is_empty()) else { break };
                    let size = o.get(id).map_or(0, |e| e.report.canonical_json().len());
                    if !batch.is_empty() && bytes + size > pace.batch_bytes {
                        break;
                    }
                    match o.start_send(id) {
                        Some(report) => batch.push(report),
                        None => break,
                    }
                    bytes += size;
                }
                batch
            });
            if batch.is_empty() {
                break;
            }
            sending.push(Box::pin(async move {
                let outcomes = transport.send(&batch).await;
                (batch, outcomes)
            }));
        }
        if sending.is_empty() {
            // Progress counts every delivery of the round, including sends that
            // were still in flight when the first failure came back.
            return match (end, photos_wait) {
                (Some(RoundEnd::RetryLater { retry_after_ms, .. }), _) | (None, Some(retry_after_ms)) => {
                    RoundEnd::RetryLater { retry_after_ms, progressed: progress.delivered > 0 }
                }
                (Some(other), _) => other,
                (None, None) => RoundEnd::Drained,
            };
        }
        let (batch, mut outcomes) = FirstReady(&mut sending).await;
        let was_upload = batch.first().map(|r| r.id) == uploading;
        if was_upload {
            uploading = None;
        }
        // A transport that answered for fewer reports proved nothing about the rest.
        outcomes.resize_with(batch.len(), || SendOutcome::RetryLater {
            reason: WaitError::new(WaitReason::NoAnswer, WaitReason::NO_ANSWER),
            retry_after_ms: None,
        });
        let entries: Vec<OutboxEntry> = outbox.update(|o| {
            batch
                .iter()
                .zip(&outcomes)
                .filter_map(|(report, outcome)| o.finish_send(report.id, outcome.clone()).cloned())
                .collect()
        });
        // If this write fails the stored copies still say Waiting; the next
        // start resends them and the server answers with the same receipts.
        let _ = persist.put(&entries).await;
        for outcome in outcomes {
            match outcome {
                SendOutcome::Delivered(_) => progress.delivered += 1,
                SendOutcome::Rejected(_) | SendOutcome::Conflict(_) => {
                    progress.total = progress.total.saturating_sub(1).max(progress.delivered);
                }
                // Stop starting new sends; let those in flight finish and record them.
                SendOutcome::Unauthorized => end = Some(RoundEnd::Unauthorized),
                // The longest Retry-After of the round holds: a later batch's
                // 429 must not be forgotten because an earlier one lost signal.
                SendOutcome::RetryLater { reason, retry_after_ms }
                    if was_upload && reason.reason == WaitReason::PhotoUpload =>
                {
                    photos_wait = Some(photos_wait.flatten().max(retry_after_ms));
                }
                SendOutcome::RetryLater { retry_after_ms, .. } => match &mut end {
                    None => end = Some(RoundEnd::RetryLater { retry_after_ms, progressed: false }),
                    Some(RoundEnd::RetryLater { retry_after_ms: longest, .. }) => {
                        *longest = (*longest).max(retry_after_ms)
                    }
                    Some(_) => {}
                },
            }
        }
        // Reports saved during the round join it.
        progress.total = progress.total.max(progress.delivered + outbox.read(|o| o.pending()));
        on_progress(progress);
    }
}

/// Resolves to the output of whichever future in the list finishes first, and
/// removes it from the list.
struct FirstReady<'a, 'f, T>(&'a mut Vec<Pin<Box<dyn Future<Output = T> + 'f>>>);

impl<T> Future for FirstReady<'_, '_, T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        for i in 0..self.0.len() {
            if let Poll::Ready(output) = self.0[i].as_mut().poll(cx) {
                drop(self.0.swap_remove(i));
                return Poll::Ready(output);
            }
        }
        Poll::Pending
    }
}

/// When to start the next round after one ended, so that failures back off
/// (with full jitter) and a success resets the pace.
#[derive(Clone, Debug, Default)]
pub struct RetryClock {
    pub backoff: Backoff,
    failures: u32,
}

impl RetryClock {
    pub fn new(backoff: Backoff) -> RetryClock {
        RetryClock { backoff, failures: 0 }
    }

    /// The delay before the next round, or None when no timer is needed (drained,
    /// or waiting for enrolment). `unit_random` is uniform in [0, 1).
    pub fn after(&mut self, end: &RoundEnd, unit_random: f64) -> Option<u64> {
        match end {
            RoundEnd::Drained | RoundEnd::Unauthorized => {
                self.failures = 0;
                None
            }
            RoundEnd::RetryLater { retry_after_ms, progressed } => {
                self.failures = if *progressed { 1 } else { self.failures.saturating_add(1) };
                Some(self.backoff.delay_ms(self.failures, unit_random, *retry_after_ms))
            }
        }
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Problem, Receipt};
    use crate::report::{ReportBody, ReportId};
    use std::cell::{Cell, RefCell};
    use std::collections::BTreeMap;

    use crate::test_fixtures::note as report;

    /// A server reached through a link that fails on a schedule.
    struct FlakyServer {
        stored: RefCell<BTreeMap<ReportId, Receipt>>,
        attempts: Cell<u32>,
        /// Attempt numbers whose request never reaches the server.
        offline: fn(u32) -> bool,
        /// Attempt numbers whose answer is lost after the server stored the report.
        drop_answer: fn(u32) -> bool,
    }

    impl FlakyServer {
        fn store(&self, report: &Report) -> SendOutcome {
            if report.summary(crate::Lang::Id).contains("tolak") {
                return SendOutcome::Rejected(Problem {
                    kind: "x".into(),
                    title: "no".into(),
                    status: 422,
                    detail: None,
                    errors: vec![],
                });
            }
            let seq = self.stored.borrow().len() as i64 + 1;
            let receipt = self
                .stored
                .borrow_mut()
                .entry(report.id)
                .or_insert(Receipt { id: report.id, received_at: time::OffsetDateTime::UNIX_EPOCH, seq })
                .clone();
            SendOutcome::Delivered(receipt)
        }
    }

    impl Transport for FlakyServer {
        async fn send(&self, reports: &[Report]) -> Vec<SendOutcome> {
            let n = self.attempts.get();
            self.attempts.set(n + 1);
            let everyone = |outcome: SendOutcome| vec![outcome; reports.len()];
            if (self.offline)(n) {
                return everyone(SendOutcome::RetryLater { reason: "offline".into(), retry_after_ms: None });
            }
            let outcomes: Vec<SendOutcome> = reports.iter().map(|r| self.store(r)).collect();
            if (self.drop_answer)(n) {
                return everyone(SendOutcome::RetryLater { reason: "answer lost".into(), retry_after_ms: None });
            }
            outcomes
        }
    }

    struct Storage(RefCell<BTreeMap<ReportId, OutboxEntry>>);

    impl Persist for Storage {
        type Error = String;
        async fn put(&self, entries: &[OutboxEntry]) -> Result<(), String> {
            for entry in entries {
                self.0.borrow_mut().insert(entry.report.id, entry.clone());
            }
            Ok(())
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        // The futures here never wait on anything external: poll to completion.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    #[test]
    fn rounds_deliver_everything_exactly_once_through_outages_and_lost_answers() {
        let outbox = RefCell::new(Outbox::default());
        for n in 1..=50 {
            outbox.borrow_mut().save(report(n)).unwrap();
        }
        let server = FlakyServer {
            stored: RefCell::default(),
            attempts: Cell::new(0),
            offline: |n| n % 7 == 3,
            drop_answer: |n| n % 5 == 1,
        };
        let storage = Storage(RefCell::default());
        let mut clock = RetryClock::default();
        let mut rounds = 0;
        loop {
            rounds += 1;
            let end = block_on(run_round(&outbox, &server, &storage, Pace { batch: 4, in_flight: 3, ..PACE }, |_| {}));
            if end == RoundEnd::Drained {
                break;
            }
            assert!(clock.after(&end, 0.5).is_some());
            assert!(rounds < 1_000, "never drained");
        }
        assert_eq!(server.stored.borrow().len(), 50);
        assert_eq!(outbox.borrow().counts().sent, 50);
        for entry in storage.0.borrow().values() {
            assert_eq!(entry.receipt(), server.stored.borrow().get(&entry.report.id), "persisted receipt matches");
        }
    }

    #[test]
    fn progress_counts_deliveries_and_a_refusal_does_not_stop_the_round() {
        let outbox = RefCell::new(Outbox::default());
        outbox.borrow_mut().save(report(1)).unwrap();
        let mut refused = report(2);
        refused.body = ReportBody::Note { text: "tolak ini".into() };
        outbox.borrow_mut().save(refused).unwrap();
        outbox.borrow_mut().save(report(3)).unwrap();
        let server = FlakyServer {
            stored: RefCell::default(),
            attempts: Cell::new(0),
            offline: |_| false,
            drop_answer: |_| false,
        };
        let storage = Storage(RefCell::default());
        let mut seen = Vec::new();
        // All three go in one batch: the refusal of one does not hold back the others.
        let end =
            block_on(run_round(&outbox, &server, &storage, Pace { batch: 3, in_flight: 1, ..PACE }, |p| seen.push(p)));
        assert_eq!(server.attempts.get(), 1);
        assert_eq!(end, RoundEnd::Drained);
        assert_eq!(seen.first(), Some(&Progress { delivered: 0, total: 3 }));
        assert_eq!(seen.last(), Some(&Progress { delivered: 2, total: 2 }));
        assert_eq!(outbox.borrow().counts().rejected, 1);
    }

    #[test]
    fn a_rejected_report_can_be_corrected_and_resent_under_its_id() {
        let mut outbox = Outbox::default();
        let mut r = report(9);
        outbox.save(r.clone()).unwrap();
        outbox.start_send(r.id);
        outbox.finish_send(
            r.id,
            SendOutcome::Rejected(Problem {
                kind: "x".into(),
                title: "t".into(),
                status: 422,
                detail: None,
                errors: vec![],
            }),
        );
        r.body = ReportBody::Note { text: "diperbaiki".into() };
        outbox.edit(r.clone()).unwrap();
        assert_eq!(outbox.next_waiting(), Some(r.id));
        assert_eq!(outbox.get(r.id).unwrap().report, r);
        // In flight, or sent, it is not editable.
        outbox.start_send(r.id);
        assert!(matches!(outbox.edit(r.clone()), Err(crate::outbox::EditError::NotEditable(_))));
        outbox.finish_send(r.id, SendOutcome::Delivered(crate::test_fixtures::receipt(r.id, 1)));
        assert!(matches!(outbox.edit(r.clone()), Err(crate::outbox::EditError::NotEditable(_))));
    }

    #[test]
    fn deliveries_still_in_flight_after_a_failure_count_as_progress() {
        let outbox = RefCell::new(Outbox::default());
        for n in 1..=3 {
            outbox.borrow_mut().save(report(n)).unwrap();
        }
        // The first send fails; the two already in flight with it get through.
        let server = FlakyServer {
            stored: RefCell::default(),
            attempts: Cell::new(0),
            offline: |n| n == 0,
            drop_answer: |_| false,
        };
        let storage = Storage(RefCell::default());
        let end = block_on(run_round(&outbox, &server, &storage, Pace { batch: 1, in_flight: 3, ..PACE }, |_| {}));
        assert_eq!(end, RoundEnd::RetryLater { retry_after_ms: None, progressed: true });
        assert_eq!(outbox.borrow().counts().sent, 2);
    }

    #[test]
    fn a_round_sends_batches_of_at_most_the_pace_and_persists_each_batch_together() {
        let outbox = RefCell::new(Outbox::default());
        for n in 1..=60 {
            outbox.borrow_mut().save(report(n)).unwrap();
        }
        let server = FlakyServer {
            stored: RefCell::default(),
            attempts: Cell::new(0),
            offline: |_| false,
            drop_answer: |_| false,
        };
        struct CountingStorage(Cell<usize>, RefCell<Vec<usize>>);
        impl Persist for CountingStorage {
            type Error = String;
            async fn put(&self, entries: &[OutboxEntry]) -> Result<(), String> {
                self.0.set(self.0.get() + 1);
                self.1.borrow_mut().push(entries.len());
                Ok(())
            }
        }
        let storage = CountingStorage(Cell::new(0), RefCell::default());
        let end = block_on(run_round(&outbox, &server, &storage, Pace { batch: 25, in_flight: 2, ..PACE }, |_| {}));
        assert_eq!(end, RoundEnd::Drained);
        assert_eq!(server.attempts.get(), 3, "60 reports in batches of 25: 25 + 25 + 10");
        assert_eq!(*storage.1.borrow(), vec![25, 25, 10]);
        assert_eq!(outbox.borrow().counts().sent, 60);
    }

    #[test]
    fn a_batch_stays_within_its_bytes_and_a_report_larger_than_them_goes_alone() {
        // Five long reports of about 5 KB each, then two short ones.
        let outbox = || {
            let mut outbox = Outbox::default();
            for n in 1..=7 {
                let mut long = report(n);
                if n <= 5 {
                    let text = format!("{n} {}", "x".repeat(crate::validation::MAX_TEXT_CHARS - 2));
                    long.body = ReportBody::Note { text };
                }
                outbox.save(long).unwrap();
            }
            RefCell::new(outbox)
        };
        struct Recording(RefCell<Vec<(usize, usize)>>);
        impl Transport for Recording {
            async fn send(&self, reports: &[Report]) -> Vec<SendOutcome> {
                let bytes = reports.iter().map(|r| r.canonical_json().len()).sum();
                self.0.borrow_mut().push((reports.len(), bytes));
                let receipt = |r: &Report| Receipt { id: r.id, received_at: time::OffsetDateTime::UNIX_EPOCH, seq: 1 };
                reports.iter().map(|r| SendOutcome::Delivered(receipt(r))).collect()
            }
        }
        let run = |batch_bytes: usize| {
            let transport = Recording(RefCell::default());
            let storage = Storage(RefCell::default());
            let pace = Pace { batch: 25, in_flight: 1, batch_bytes };
            assert_eq!(block_on(run_round(&outbox(), &transport, &storage, pace, |_| {})), RoundEnd::Drained);
            transport.0.into_inner()
        };
        let sent = run(12_000);
        assert_eq!(sent.iter().map(|(n, _)| n).collect::<Vec<_>>(), vec![&2, &2, &3], "{sent:?}");
        assert!(sent.iter().all(|(_, bytes)| *bytes <= 12_000), "{sent:?}");
        // A budget below one long report: each goes alone, none is held back.
        let sent = run(3_000);
        assert_eq!(sent.iter().map(|(n, _)| *n).sum::<usize>(), 7);
        assert_eq!(sent.iter().take(5).map(|(n, _)| n).collect::<Vec<_>>(), vec![&1; 5], "{sent:?}");
    }

    #[test]
    fn a_transport_that_answers_for_fewer_reports_leaves_the_rest_waiting() {
        struct Forgetful;
        impl Transport for Forgetful {
            async fn send(&self, reports: &[Report]) -> Vec<SendOutcome> {
                let first = &reports[0];
                vec![SendOutcome::Delivered(Receipt {
                    id: first.id,
                    received_at: time::OffsetDateTime::UNIX_EPOCH,
                    seq: 1,
                })]
            }
        }
        let outbox = RefCell::new(Outbox::default());
        for n in 1..=3 {
            outbox.borrow_mut().save(report(n)).unwrap();
        }
        let storage = Storage(RefCell::default());
        let end = block_on(run_round(&outbox, &Forgetful, &storage, Pace { batch: 3, in_flight: 1, ..PACE }, |_| {}));
        assert_eq!(end, RoundEnd::RetryLater { retry_after_ms: None, progressed: true });
        let counts = outbox.borrow().counts();
        assert_eq!((counts.sent, counts.waiting), (1, 2));
    }

    #[test]
    fn the_longest_retry_after_of_a_round_holds() {
        // The first batch loses signal (no Retry-After); the second is rate
        // limited for a minute. The round must end waiting that minute.
        struct Limited(Cell<u32>);
        impl Transport for Limited {
            async fn send(&self, reports: &[Report]) -> Vec<SendOutcome> {
                let n = self.0.get();
                self.0.set(n + 1);
                let retry_after_ms = [None, Some(60_000), None][n as usize % 3];
                vec![SendOutcome::RetryLater { reason: "x".into(), retry_after_ms }; reports.len()]
            }
        }
        let outbox = RefCell::new(Outbox::default());
        for n in 1..=3 {
            outbox.borrow_mut().save(report(n)).unwrap();
        }
        let storage = Storage(RefCell::default());
        let transport = Limited(Cell::new(0));
        let end = block_on(run_round(&outbox, &transport, &storage, Pace { batch: 1, in_flight: 3, ..PACE }, |_| {}));
        assert_eq!(end, RoundEnd::RetryLater { retry_after_ms: Some(60_000), progressed: false });
    }

    #[test]
    fn retry_clock_backs_off_then_resets() {
        let mut clock = RetryClock::default();
        let later = RoundEnd::RetryLater { retry_after_ms: None, progressed: false };
        let first = clock.after(&later, 0.999).unwrap();
        let second = clock.after(&later, 0.999).unwrap();
        assert!(second > first);
        // A round that delivered something before failing starts the backoff over.
        let moving = RoundEnd::RetryLater { retry_after_ms: None, progressed: true };
        assert_eq!(clock.after(&moving, 0.999), Some(first));
        assert_eq!(
            clock.after(&RoundEnd::RetryLater { retry_after_ms: Some(60_000), progressed: false }, 0.0),
            Some(60_000)
        );
        assert_eq!(clock.after(&RoundEnd::Drained, 0.5), None);
        assert_eq!(clock.failures(), 0);
    }

    #[test]
    fn sent_reports_expire_after_the_retention_period_and_others_never_do() {
        let mut outbox = Outbox::default();
        for n in [1, 2] {
            outbox.save(report(n)).unwrap();
        }
        let id = report(1).id;
        outbox.start_send(id);
        let received_at = time::macros::datetime!(2026-02-14 08:00 UTC);
        outbox.finish_send(id, SendOutcome::Delivered(Receipt { id, received_at, seq: 1 }));
        let keep = time::Duration::days(7);
        assert!(outbox.expired_sent(received_at + time::Duration::days(6), keep).is_empty());
        assert_eq!(outbox.expired_sent(received_at + time::Duration::days(8), keep), vec![id]);
    }

    fn with_photo(n: u128) -> Report {
        let mut r = report(n);
        r.photos = vec![crate::evidence::PhotoRef {
            sha256: format!("{n:02x}").repeat(32),
            bytes: 1000,
            width: 10,
            height: 10,
            item: None,
            taken_at: None,
        }];
        r
    }

    /// Uploads that take `slow_polls` polls each and succeed unless `fail`;
    /// every step is written to `log`.
    struct Uploads {
        log: RefCell<Vec<String>>,
        slow_polls: u32,
        fail: bool,
    }

    impl Transport for Uploads {
        async fn send(&self, reports: &[Report]) -> Vec<SendOutcome> {
            reports
                .iter()
                .map(|r| {
                    self.log.borrow_mut().push(format!("send {}", r.summary(crate::Lang::Id)));
                    SendOutcome::Delivered(crate::test_fixtures::receipt(r.id, 1))
                })
                .collect()
        }

        async fn upload_photos(&self, report: &Report) -> Result<(), SendOutcome> {
            let mut polls = 0;
            std::future::poll_fn(|_| {
                polls += 1;
                if polls > self.slow_polls {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            self.log.borrow_mut().push(format!("uploaded {}", report.summary(crate::Lang::Id)));
            if self.fail {
                let reason = WaitError::new(WaitReason::PhotoUpload, "connection reset");
                return Err(SendOutcome::RetryLater { reason, retry_after_ms: None });
            }
            Ok(())
        }
    }

    #[test]
    fn text_reports_do_not_wait_behind_photos_and_a_photo_report_is_sent_after_its_uploads() {
        let mut outbox = Outbox::default();
        outbox.save(with_photo(1)).unwrap();
        outbox.save(with_photo(2)).unwrap();
        outbox.save(report(3)).unwrap();
        let outbox = RefCell::new(outbox);
        let transport = Uploads { log: RefCell::default(), slow_polls: 50, fail: false };
        let pace = Pace { batch: 25, in_flight: 3, ..PACE };
        let end = block_on(run_round(&outbox, &transport, &Storage(RefCell::default()), pace, |_| {}));
        assert_eq!(end, RoundEnd::Drained);
        assert_eq!(
            *transport.log.borrow(),
            ["send laporan 3", "uploaded laporan 1", "send laporan 1", "uploaded laporan 2", "send laporan 2"],
            "the text report goes first; one photo report at a time, each after its uploads"
        );
        assert_eq!(outbox.borrow().counts().sent, 3);
    }

    #[test]
    fn a_failed_upload_keeps_its_report_waiting_unsent_and_the_rest_go() {
        let mut outbox = Outbox::default();
        outbox.save(with_photo(1)).unwrap();
        outbox.save(report(2)).unwrap();
        let outbox = RefCell::new(outbox);
        let transport = Uploads { log: RefCell::default(), slow_polls: 0, fail: true };
        let end = block_on(run_round(&outbox, &transport, &Storage(RefCell::default()), PACE, |_| {}));
        assert!(matches!(end, RoundEnd::RetryLater { .. }), "{end:?}");
        assert!(!transport.log.borrow().contains(&"send laporan 1".to_owned()), "{:?}", transport.log.borrow());
        let outbox = outbox.borrow();
        assert_eq!(outbox.counts().sent, 1);
        match &outbox.get(with_photo(1).id).unwrap().delivery {
            crate::outbox::Delivery::Waiting { last_error: Some(e), .. } => {
                assert_eq!(e.reason, WaitReason::PhotoUpload)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_failed_upload_stops_the_rounds_uploads_but_not_its_text_reports() {
        let mut outbox = Outbox::default();
        outbox.save(with_photo(1)).unwrap();
        outbox.save(with_photo(2)).unwrap();
        for n in 3..=40 {
            outbox.save(report(n)).unwrap();
        }
        let outbox = RefCell::new(outbox);
        let transport = Uploads { log: RefCell::default(), slow_polls: 0, fail: true };
        // One request at a time: the failed upload comes back before any text goes.
        let pace = Pace { batch: 5, in_flight: 1, ..PACE };
        let end = block_on(run_round(&outbox, &transport, &Storage(RefCell::default()), pace, |_| {}));
        assert_eq!(end, RoundEnd::RetryLater { retry_after_ms: None, progressed: true });
        assert_eq!(outbox.borrow().counts().sent, 38, "every text report");
        let uploads = transport.log.borrow().iter().filter(|l| l.starts_with("uploaded")).count();
        assert_eq!(uploads, 1, "no second upload after a failed one in the same round");
    }

    #[test]
    fn a_refusal_for_missing_photos_is_a_wait_not_a_rejection() {
        use crate::protocol::{BatchResult, BatchResults, ProblemType};
        let problem = Problem::of(ProblemType::PhotosMissing, 422, Some("missing: ab…".into()));
        let body = serde_json::to_string(&BatchResults {
            results: vec![BatchResult { status: 422, receipt: None, problem: Some(problem) }],
        })
        .unwrap();
        let id = report(1).id;
        match &SendOutcome::from_batch_response(&[id], 200, &body, None)[..] {
            [SendOutcome::RetryLater { reason, .. }] => assert_eq!(reason.reason, WaitReason::PhotoUpload),
            other => panic!("{other:?}"),
        }
    }
}
