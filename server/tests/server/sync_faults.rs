//! The core sync engine, run natively against the real server through injected
//! faults: 10,000 reports, 50 connectivity flaps, 20% of answers dropped after
//! the server committed, 5% of connections reset. Pass: the server holds
//! exactly the 10,000 reports, once each, and the outbox ends empty.

use crate::common::TestServer;
use pantau_core::backoff::Backoff;
use pantau_core::outbox::OutboxEntry;
use pantau_core::sync::{run_round, Persist, RetryClock, RoundEnd, Transport, PACE};
use pantau_core::{Outbox, Report, ReportBody, ReportId, SendOutcome};
use pantau_server::faults::Faults;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const REPORTS: usize = 10_000;

fn reports() -> usize {
    std::env::var("PANTAU_FAULT_REPORTS").ok().and_then(|s| s.parse().ok()).unwrap_or(REPORTS)
}
const FLAPS: u32 = 50;

/// The phone's network: a real HTTP client, and a switch for flaps.
struct Phone {
    http: reqwest::Client,
    url: String,
    token: String,
    online: Cell<bool>,
    /// Reports attempted so far: the clock of the flap schedule.
    sends: Cell<u32>,
}

impl Transport for Phone {
    async fn send(&self, reports: &[Report]) -> Vec<SendOutcome> {
        self.sends.set(self.sends.get() + reports.len() as u32);
        let everyone = |outcome: SendOutcome| vec![outcome; reports.len()];
        if !self.online.get() {
            return everyone(SendOutcome::RetryLater { reason: "offline".into(), retry_after_ms: None });
        }
        let batch = pantau_core::protocol::ReportBatch { reports };
        let response = match self.http.post(&self.url).bearer_auth(&self.token).json(&batch).send().await {
            Ok(r) => r,
            Err(e) => {
                return everyone(SendOutcome::RetryLater {
                    reason: format!("network: {e}").into(),
                    retry_after_ms: None,
                })
            }
        };
        let status = response.status().as_u16();
        let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let ids: Vec<ReportId> = reports.iter().map(|r| r.id).collect();
        match response.text().await {
            Ok(body) => SendOutcome::from_batch_response(&ids, status, &body, retry_after.as_deref()),
            Err(e) => {
                everyone(SendOutcome::RetryLater { reason: format!("answer lost: {e}").into(), retry_after_ms: None })
            }
        }
    }
}

/// The phone's storage: every write is kept, as IndexedDB would.
#[derive(Default)]
struct Disk(RefCell<BTreeMap<ReportId, OutboxEntry>>);

impl Persist for Disk {
    type Error = String;
    async fn put(&self, entries: &[OutboxEntry]) -> Result<(), String> {
        for entry in entries {
            self.0.borrow_mut().insert(entry.report.id, entry.clone());
        }
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn ten_thousand_reports_through_flaps_drops_and_resets_arrive_exactly_once() {
    let faults = Faults { reset: 0.05, drop_after_commit: 0.20, cut_body: 0.0, max_delay_ms: 0, seed: 2026 };
    let server = TestServer::start_with_faults(faults).await;
    let token = server.volunteer_at("Relawan Uji", "6471011001-003").await;

    let outbox = RefCell::new(Outbox::default());
    let start = time::OffsetDateTime::now_utc();
    let mut saved = BTreeSet::new();
    let total = reports();
    for n in 0..total {
        let report = Report::new(
            ReportId(uuid::Uuid::new_v4()),
            "6471011001-003",
            start + time::Duration::milliseconds(n as i64),
            ReportBody::Note { text: format!("laporan uji {n}") },
        );
        saved.insert(report.id);
        outbox.borrow_mut().save(report).unwrap();
    }

    let phone = Phone {
        http: reqwest::Client::new(),
        url: server.url(pantau_core::protocol::REPORTS_BATCH_PATH),
        token,
        online: Cell::new(true),
        sends: Cell::new(0),
    };
    let disk = Disk::default();
    let mut clock = RetryClock::new(Backoff { base_ms: 1, cap_ms: 4 });
    // Flap the connection by the number of sends, so the schedule does not depend on timing.
    let flap_every = ((total as u32 * 3 / 2) / (FLAPS * 2)).max(1);
    let mut flaps = 0;
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 100_000, "the outbox never drained");
        let end = run_round(&outbox, &phone, &disk, PACE, |_| {
            let due_flap = phone.sends.get() / flap_every;
            if flaps < FLAPS * 2 && due_flap > flaps {
                flaps += 1;
                phone.online.set(!phone.online.get());
            }
        })
        .await;
        match end {
            RoundEnd::Drained => break,
            RoundEnd::Unauthorized => panic!("the token was refused"),
            RoundEnd::RetryLater { .. } => {
                if !phone.online.get() {
                    // Offline: time passes, the flap schedule moves on.
                    phone.sends.set(phone.sends.get() + flap_every / 4 + 1);
                    let due_flap = phone.sends.get() / flap_every;
                    if flaps < FLAPS * 2 && due_flap > flaps {
                        flaps += 1;
                        phone.online.set(true);
                    }
                }
                let wait = clock.after(&end, 0.5).unwrap();
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
        }
    }
    assert!(flaps >= FLAPS, "only {flaps} connectivity changes happened");

    // Every report is Sent with the server's receipt; the volunteer clears them.
    let sent_ids: Vec<ReportId> = outbox.borrow().entries().map(|e| e.report.id).collect();
    for id in sent_ids {
        outbox.borrow_mut().clear(id).expect("every report was delivered");
    }
    assert!(outbox.borrow().is_empty(), "the outbox ends empty");

    let stored = crate::common::every_report(&server.store, pantau_server::store::EXPORT_PAGE).await;
    assert_eq!(stored.len(), total, "exactly {total} rows");
    let stored_ids: BTreeSet<ReportId> = stored.iter().map(|s| s.report.id).collect();
    assert_eq!(stored_ids.len(), total, "no report stored twice");
    assert_eq!(stored_ids, saved, "the server holds exactly the reports the volunteer saved");
    for entry in disk.0.borrow().values() {
        let receipt = entry.receipt().expect("the stored outbox says Sent");
        let on_server = stored.iter().find(|s| s.report.id == entry.report.id).unwrap();
        assert_eq!(receipt, &on_server.receipt, "the phone's receipt is the server's");
    }
    eprintln!("{} sends for {total} reports over {flaps} connectivity changes", phone.sends.get());
}
