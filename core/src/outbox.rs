//! The queue of reports on the phone, as a state machine.
//!
//! ```text
//!   save ──▶ Waiting ──start_send──▶ Sending ──Delivered──▶ Sent ──clear──▶ (gone)
//!               ▲                       │
//!               └──RetryLater/Unauth────┤──Rejected──▶ Rejected ──discard──▶ (gone)
//!                                       └──Conflict──▶ Conflict ──discard──▶ (gone)
//! ```
//!
//! Invariant: a report the volunteer saved is in the outbox or acknowledged by
//! the server, never neither; only [`Outbox::clear`] removes one, and only once
//! it is Sent, except a refusal the volunteer discards ([`Outbox::discard`]).
//! Storage adapters persist each [`OutboxEntry`] in its versioned envelope
//! (the `envelope` module, which builds on this one).

use crate::protocol::{Problem, Receipt, SendOutcome, WaitError, WaitReason};
use crate::report::{Report, ReportId};
use crate::validation::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Where a queued report is in its journey to the server.
///
/// Stored as `{"state": "waiting", "attempts": 1, ...}` and read back through
/// flat code in the `envelope` module, for the reason given at [`ReportBody`](crate::ReportBody).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Waiting {
        /// Failed attempts so far; drives the backoff.
        attempts: u32,
        last_error: Option<WaitError>,
    },
    /// A request is in flight. If the app dies now the outcome is unknown, so a
    /// reloaded outbox treats it as Waiting: resending is safe because the server
    /// answers a repeat with the original receipt.
    Sending {
        attempts: u32,
    },
    Sent {
        receipt: Receipt,
    },
    Rejected {
        problem: Problem,
    },
    Conflict {
        problem: Problem,
    },
}

/// A report and where it is in its journey, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub report: Report,
    pub delivery: Delivery,
    /// Counts the entry's changes: every transition adds one, so of two
    /// snapshots of the same report the later one is known (records from
    /// before it was kept read as 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rev: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl OutboxEntry {
    /// A new entry, before any change.
    pub fn new(report: Report, delivery: Delivery) -> OutboxEntry {
        OutboxEntry { report, delivery, rev: 0 }
    }

    pub fn is_waiting(&self) -> bool {
        matches!(self.delivery, Delivery::Waiting { .. })
    }
    pub fn receipt(&self) -> Option<&Receipt> {
        match &self.delivery {
            Delivery::Sent { receipt } => Some(receipt),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveError {
    Invalid(Vec<FieldError>),
    /// A report with this id is already queued: saving again would overwrite it.
    AlreadySaved(ReportId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClearError {
    NotFound(ReportId),
    /// Only a report the server has acknowledged may leave the outbox.
    NotSent(ReportId),
    /// Only a report the server refused may be discarded.
    NotRefused(ReportId),
}

/// How many reports are in each state, for the home screen and the progress bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub waiting: usize,
    pub sending: usize,
    pub sent: usize,
    pub rejected: usize,
    pub conflict: usize,
}

/// Where an entry sits in the outbox: oldest first, ties broken by id.
type Order = (time::OffsetDateTime, ReportId);

fn order(report: &Report) -> Order {
    (report.created_at, report.id)
}

/// All queued reports, oldest first. Every operation is O(log n), so saving or
/// sending costs the same with 1,000 reports queued as with none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outbox {
    entries: BTreeMap<Order, OutboxEntry>,
    by_id: BTreeMap<ReportId, Order>,
    waiting: BTreeSet<Order>,
    counts: Counts,
}

impl Counts {
    fn add(&mut self, delivery: &Delivery, by: isize) {
        let slot = match delivery {
            Delivery::Waiting { .. } => &mut self.waiting,
            Delivery::Sending { .. } => &mut self.sending,
            Delivery::Sent { .. } => &mut self.sent,
            Delivery::Rejected { .. } => &mut self.rejected,
            Delivery::Conflict { .. } => &mut self.conflict,
        };
        *slot = slot.checked_add_signed(by).expect("counts stay in step with entries");
    }
}

impl Outbox {
    /// Rebuilds the outbox from storage. Entries caught mid-send become Waiting.
    pub fn from_entries(entries: Vec<OutboxEntry>) -> Outbox {
        let mut outbox = Outbox::default();
        for mut entry in entries {
            if let Delivery::Sending { attempts } = entry.delivery {
                entry.delivery = Delivery::Waiting { attempts, last_error: None };
            }
            outbox.insert(entry);
        }
        outbox
    }

    /// Adds or replaces an entry, keeping the indexes in step.
    fn insert(&mut self, entry: OutboxEntry) {
        if let Some(old) = self.by_id.get(&entry.report.id).copied() {
            self.remove_at(old);
        }
        let key = order(&entry.report);
        self.counts.add(&entry.delivery, 1);
        if entry.is_waiting() {
            self.waiting.insert(key);
        }
        self.by_id.insert(entry.report.id, key);
        self.entries.insert(key, entry);
    }

    fn remove_at(&mut self, key: Order) -> Option<OutboxEntry> {
        let entry = self.entries.remove(&key)?;
        self.counts.add(&entry.delivery, -1);
        self.waiting.remove(&key);
        self.by_id.remove(&entry.report.id);
        Some(entry)
    }

    fn set_delivery(&mut self, key: Order, delivery: Delivery) -> Option<&OutboxEntry> {
        let entry = self.entries.get_mut(&key)?;
        self.counts.add(&entry.delivery, -1);
        self.counts.add(&delivery, 1);
        if matches!(delivery, Delivery::Waiting { .. }) {
            self.waiting.insert(key);
        } else {
            self.waiting.remove(&key);
        }
        entry.delivery = delivery;
        entry.rev = entry.rev.saturating_add(1);
        Some(entry)
    }

    /// Oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &OutboxEntry> {
        self.entries.values()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, id: ReportId) -> Option<&OutboxEntry> {
        self.by_id.get(&id).and_then(|key| self.entries.get(key))
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The entry that saving `report` would queue, without queuing it: the PWA
    /// writes it to storage first and adds it to the outbox only once stored.
    pub fn check_save(&self, report: Report) -> Result<OutboxEntry, SaveError> {
        report.validate().map_err(SaveError::Invalid)?;
        if self.by_id.contains_key(&report.id) {
            return Err(SaveError::AlreadySaved(report.id));
        }
        Ok(OutboxEntry::new(report, Delivery::Waiting { attempts: 0, last_error: None }))
    }

    /// A report on its way or delivered, under another id, that says the same
    /// as `report`: the same TPS and body. Most likely it is that report saved
    /// again from a form whose save ended unseen (Chromium loses localStorage
    /// writes made seconds before it is killed, so the draft's clearing can be
    /// lost while IndexedDB kept the report); the form asks before filing it.
    /// A refused twin does not count: filing anew is how a conflict is settled.
    /// Linear in the outbox, and run once per tap on Simpan.
    pub fn twin_of(&self, report: &Report) -> Option<&OutboxEntry> {
        self.entries().find(|e| {
            matches!(e.delivery, Delivery::Waiting { .. } | Delivery::Sending { .. } | Delivery::Sent { .. })
                && e.report.id != report.id
                && e.report.tps == report.tps
                && e.report.body == report.body
        })
    }

    /// Queues a valid report as Waiting, and returns the entry to persist.
    pub fn save(&mut self, report: Report) -> Result<&OutboxEntry, SaveError> {
        let entry = self.check_save(report)?;
        let key = order(&entry.report);
        self.insert(entry);
        Ok(&self.entries[&key])
    }

    /// The oldest report waiting to be sent.
    pub fn next_waiting(&self) -> Option<ReportId> {
        self.waiting.first().map(|(_, id)| *id)
    }

    /// The oldest waiting report that `wanted` accepts. Walks the waiting
    /// reports in order: O(n) when few are wanted (photos are few).
    pub fn next_waiting_matching(&self, wanted: impl Fn(&Report) -> bool) -> Option<ReportId> {
        self.waiting.iter().map(|key| &self.entries[key]).find(|e| wanted(&e.report)).map(|e| e.report.id)
    }

    /// Marks a Waiting report as in flight and returns it to send.
    pub fn start_send(&mut self, id: ReportId) -> Option<Report> {
        let key = *self.by_id.get(&id)?;
        let Delivery::Waiting { attempts, .. } = self.entries[&key].delivery else { return None };
        self.set_delivery(key, Delivery::Sending { attempts }).map(|e| e.report.clone())
    }

    /// Applies the outcome of a send and returns the entry to persist. Outcomes
    /// for reports that are not in flight (a late answer after a reload) are
    /// ignored, except a delivery, which is always recorded: it is the server's
    /// word and the receipt is the same for every repeat.
    pub fn finish_send(&mut self, id: ReportId, outcome: SendOutcome) -> Option<&OutboxEntry> {
        let key = *self.by_id.get(&id)?;
        let current = &self.entries[&key].delivery;
        let attempts = match current {
            Delivery::Sending { attempts } | Delivery::Waiting { attempts, .. } => *attempts,
            Delivery::Sent { .. } | Delivery::Rejected { .. } | Delivery::Conflict { .. } => return None,
        };
        if !matches!(current, Delivery::Sending { .. }) && !matches!(outcome, SendOutcome::Delivered(_)) {
            return None;
        }
        let delivery = match outcome {
            // Only this report's receipt proves its delivery, whatever the transport did.
            SendOutcome::Delivered(receipt) if receipt.id != id => Delivery::Waiting {
                attempts: attempts.saturating_add(1),
                last_error: Some(WaitError::unexpected(format!("receipt names report {} instead of {id}", receipt.id))),
            },
            SendOutcome::Delivered(receipt) => Delivery::Sent { receipt },
            SendOutcome::RetryLater { reason, .. } => {
                Delivery::Waiting { attempts: attempts.saturating_add(1), last_error: Some(reason) }
            }
            SendOutcome::Unauthorized => {
                let refused = WaitError::new(WaitReason::NotEnrolled, WaitReason::UNAUTHORIZED);
                Delivery::Waiting { attempts, last_error: Some(refused) }
            }
            SendOutcome::Rejected(problem) => Delivery::Rejected { problem },
            SendOutcome::Conflict(problem) => Delivery::Conflict { problem },
        };
        self.set_delivery(key, delivery)
    }

    /// Removes a Sent report (the volunteer cleared it, or it aged out).
    pub fn clear(&mut self, id: ReportId) -> Result<OutboxEntry, ClearError> {
        let key = *self.by_id.get(&id).ok_or(ClearError::NotFound(id))?;
        if self.entries[&key].receipt().is_none() {
            return Err(ClearError::NotSent(id));
        }
        Ok(self.remove_at(key).expect("indexed entries exist"))
    }

    /// Removes a report the server refused, which the volunteer chose not to
    /// correct (a mistake, or a note from before the forms, which has no form
    /// to correct it in). A refused report is never sent again as it is, so it
    /// would otherwise stay in the count of refusals for good. Nothing on its
    /// way can go like this: that would be a report lost.
    pub fn discard(&mut self, id: ReportId) -> Result<OutboxEntry, ClearError> {
        let key = *self.by_id.get(&id).ok_or(ClearError::NotFound(id))?;
        if !matches!(self.entries[&key].delivery, Delivery::Rejected { .. } | Delivery::Conflict { .. }) {
            return Err(ClearError::NotRefused(id));
        }
        Ok(self.remove_at(key).expect("indexed entries exist"))
    }

    /// The entry that changing a report would queue, without queuing it. A
    /// report still waiting (as ODK allows) or refused can be changed; one in
    /// flight, sent, or in conflict cannot. The id and time are kept: a waiting
    /// copy the server took after all answers the change with a conflict, never
    /// with a second report.
    pub fn check_edit(&self, report: Report) -> Result<OutboxEntry, EditError> {
        report.validate().map_err(EditError::Invalid)?;
        let current = self.get(report.id).ok_or(EditError::NotFound(report.id))?;
        if !matches!(current.delivery, Delivery::Rejected { .. } | Delivery::Waiting { .. }) {
            return Err(EditError::NotEditable(report.id));
        }
        let rev = current.rev.saturating_add(1);
        Ok(OutboxEntry { report, delivery: Delivery::Waiting { attempts: 0, last_error: None }, rev })
    }

    /// A waiting or refused report, changed by the volunteer, (re)joins the
    /// queue under the same id.
    pub fn edit(&mut self, report: Report) -> Result<&OutboxEntry, EditError> {
        let entry = self.check_edit(report)?;
        let key = order(&entry.report);
        self.insert(entry);
        Ok(&self.entries[&key])
    }

    /// Sent reports older than `keep` (by the server's receipt time), which the
    /// outbox may now forget. The caller removes them from storage, then calls
    /// [`Outbox::clear`] for each.
    pub fn expired_sent(&self, now: time::OffsetDateTime, keep: time::Duration) -> Vec<ReportId> {
        self.entries().filter_map(|e| e.receipt().filter(|r| now - r.received_at > keep).map(|_| e.report.id)).collect()
    }

    /// Takes in an entry another tab wrote to storage. A report in flight here
    /// keeps its local state unless the stored one is already Sent (the server's
    /// word wins); otherwise the stored copy replaces the local one, unless it
    /// is older than the local one (a lower [`OutboxEntry::rev`]).
    ///
    /// Returns whether this gave the tab something new to send: a report that
    /// now waits and did not before, or waits with other content. Another
    /// tab's failed attempts (only the count and the error changed) are not:
    /// starting a round for them would make two tabs wake each other with no
    /// backoff, and ignore the server's Retry-After.
    pub fn absorb(&mut self, stored: OutboxEntry) -> bool {
        let waits = |e: &OutboxEntry| matches!(e.delivery, Delivery::Waiting { .. });
        let news = match self.get(stored.report.id) {
            Some(local) => {
                let local_final = matches!(local.delivery, Delivery::Sent { .. });
                let in_flight = matches!(local.delivery, Delivery::Sending { .. });
                let stored_sent = matches!(stored.delivery, Delivery::Sent { .. });
                if !(stored_sent || (!local_final && !in_flight)) {
                    return false;
                }
                // A snapshot read before a later change (another message, read
                // first) is stale: applying it would undo that change.
                if !stored_sent && stored.rev < local.rev {
                    return false;
                }
                waits(&stored) && (!waits(local) || local.report != stored.report)
            }
            None => waits(&stored),
        };
        self.insert(stored);
        news
    }

    /// How many reports still have to go, for "3 dari 10 terkirim".
    pub fn pending(&self) -> usize {
        self.counts.waiting + self.counts.sending
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    Invalid(Vec<FieldError>),
    NotFound(ReportId),
    NotEditable(ReportId),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{decode, encode};
    use crate::report::ReportBody;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};
    use uuid::Uuid;

    use crate::test_fixtures::{note as report, receipt};

    #[test]
    fn a_saved_report_waits_then_is_sent_then_can_be_cleared() {
        let mut outbox = Outbox::default();
        outbox.save(report(1)).unwrap();
        assert_eq!(outbox.counts().waiting, 1);
        let id = outbox.next_waiting().unwrap();
        assert_eq!(outbox.clear(id), Err(ClearError::NotSent(id)));
        outbox.start_send(id).unwrap();
        assert_eq!(outbox.counts().sending, 1);
        outbox.finish_send(id, SendOutcome::Delivered(receipt(id, 1))).unwrap();
        assert_eq!(outbox.counts(), Counts { sent: 1, ..Counts::default() });
        assert!(outbox.clear(id).is_ok());
        assert!(outbox.is_empty());
    }

    #[test]
    fn a_twin_says_the_same_about_the_same_tps_under_another_id_and_is_not_refused() {
        let mut outbox = Outbox::default();
        outbox.save(report(1)).unwrap();
        outbox.save(report(2)).unwrap();
        let id = report(2).id;
        outbox.start_send(id).unwrap();
        outbox.finish_send(id, SendOutcome::Delivered(receipt(id, 1))).unwrap();

        // Saved again from the same form: a new id and time, the same words.
        let mut again = report(2);
        again.id = ReportId(Uuid::from_u128(9));
        again.created_at += time::Duration::hours(3);
        assert_eq!(outbox.twin_of(&again).map(|e| e.report.id), Some(id), "a confirmed one counts too");
        // A report is not its own twin.
        assert_eq!(outbox.twin_of(&report(1)), None);
        // Another TPS, or other words, is another report.
        let mut elsewhere = again.clone();
        elsewhere.tps = "6471011001-002".into();
        assert_eq!(outbox.twin_of(&elsewhere), None);
        let mut other = again.clone();
        other.body = ReportBody::Note { text: "laporan 2, lagi".into() };
        assert_eq!(outbox.twin_of(&other), None);

        // A refused or conflicting report is no twin: filing it anew is allowed.
        let id = report(1).id;
        outbox.start_send(id).unwrap();
        let problem =
            crate::protocol::Problem { kind: "x".into(), title: "x".into(), status: 409, detail: None, errors: vec![] };
        outbox.finish_send(id, SendOutcome::Conflict(problem)).unwrap();
        let mut refiled = report(1);
        refiled.id = ReportId(Uuid::from_u128(10));
        assert_eq!(outbox.twin_of(&refiled), None);
    }

    #[test]
    fn only_a_refused_report_can_be_discarded() {
        let mut outbox = Outbox::default();
        for n in 1..=4 {
            outbox.save(report(n)).unwrap();
        }
        let problem = |status| crate::protocol::Problem {
            kind: "x".into(),
            title: "x".into(),
            status,
            detail: None,
            errors: vec![],
        };
        let [waiting, sending, rejected, conflict] = [1, 2, 3, 4].map(|n| report(n).id);
        for id in [sending, rejected, conflict] {
            outbox.start_send(id).unwrap();
        }
        outbox.finish_send(rejected, SendOutcome::Rejected(problem(422))).unwrap();
        outbox.finish_send(conflict, SendOutcome::Conflict(problem(409))).unwrap();

        assert_eq!(outbox.discard(waiting), Err(ClearError::NotRefused(waiting)));
        assert_eq!(outbox.discard(sending), Err(ClearError::NotRefused(sending)));
        assert_eq!(outbox.discard(rejected).map(|e| e.report.id), Ok(rejected));
        assert_eq!(outbox.discard(conflict).map(|e| e.report.id), Ok(conflict));
        assert_eq!(outbox.discard(conflict), Err(ClearError::NotFound(conflict)));
        assert_eq!(outbox.counts(), Counts { waiting: 1, sending: 1, ..Counts::default() });
    }

    #[test]
    fn saving_an_invalid_or_duplicate_report_is_refused() {
        let mut outbox = Outbox::default();
        let mut bad = report(1);
        bad.tps = String::new();
        assert!(matches!(outbox.save(bad), Err(SaveError::Invalid(_))));
        outbox.save(report(2)).unwrap();
        let mut changed = report(2);
        changed.body = ReportBody::Note { text: "overwrite attempt".into() };
        assert_eq!(outbox.save(changed), Err(SaveError::AlreadySaved(report(2).id)));
        assert_eq!(outbox.get(report(2).id).unwrap().report, report(2));
    }

    #[test]
    fn refusals_and_conflicts_are_kept() {
        let mut outbox = Outbox::default();
        for n in [1, 2] {
            outbox.save(report(n)).unwrap();
        }
        let problem = Problem { kind: "x".into(), title: "t".into(), status: 422, detail: None, errors: vec![] };
        let a = report(1).id;
        outbox.start_send(a);
        outbox.finish_send(a, SendOutcome::Rejected(problem.clone()));
        let b = report(2).id;
        outbox.start_send(b);
        outbox.finish_send(b, SendOutcome::Conflict(Problem { status: 409, ..problem }));
        assert_eq!(outbox.counts(), Counts { rejected: 1, conflict: 1, ..Counts::default() });
        assert!(outbox.clear(a).is_err() && outbox.clear(b).is_err());
    }

    #[test]
    fn a_send_interrupted_by_a_reload_is_retried() {
        let mut outbox = Outbox::default();
        outbox.save(report(1)).unwrap();
        outbox.start_send(report(1).id);
        let reloaded = Outbox::from_entries(outbox.entries().cloned().collect());
        assert_eq!(reloaded.next_waiting(), Some(report(1).id));
    }

    #[test]
    fn entries_from_other_tabs_are_merged_without_losing_a_receipt() {
        let mut outbox = Outbox::default();
        outbox.save(report(2)).unwrap();
        // A report saved in another tab arrives, and sorts by creation time.
        outbox.absorb(OutboxEntry::new(report(1), Delivery::Waiting { attempts: 0, last_error: None }));
        assert_eq!(outbox.entries().next().unwrap().report.id, report(1).id);
        // The other tab sent report 2: its receipt wins even while it is in flight here.
        outbox.start_send(report(2).id);
        let sent = OutboxEntry::new(report(2), Delivery::Sent { receipt: receipt(report(2).id, 5) });
        outbox.absorb(sent.clone());
        assert_eq!(outbox.get(report(2).id), Some(&sent));
        // A stale Waiting copy never undoes a Sent one.
        outbox.absorb(OutboxEntry::new(report(2), Delivery::Waiting { attempts: 0, last_error: None }));
        assert_eq!(outbox.get(report(2).id), Some(&sent));
    }

    #[test]
    fn absorbing_says_whether_there_is_something_new_to_send() {
        let waiting = |n, attempts| {
            OutboxEntry::new(
                report(n),
                Delivery::Waiting { attempts, last_error: (attempts > 0).then(|| "offline".into()) },
            )
        };
        let mut outbox = Outbox::default();
        assert!(outbox.absorb(waiting(1, 0)), "a report saved in another tab");
        // Another tab tried and failed: nothing new to send here.
        assert!(!outbox.absorb(waiting(1, 1)));
        assert!(!outbox.absorb(waiting(1, 2)));
        let problem =
            crate::protocol::Problem { kind: "x".into(), title: "x".into(), status: 422, detail: None, errors: vec![] };
        assert!(!outbox.absorb(OutboxEntry::new(report(1), Delivery::Rejected { problem })));
        // Corrected in another tab: waiting again.
        assert!(outbox.absorb(waiting(1, 0)));
        let sent = OutboxEntry::new(report(1), Delivery::Sent { receipt: receipt(report(1).id, 1) });
        assert!(!outbox.absorb(sent));
    }

    #[test]
    fn a_stale_snapshot_from_another_tab_never_undoes_a_later_change() {
        let problem =
            crate::protocol::Problem { kind: "x".into(), title: "x".into(), status: 422, detail: None, errors: vec![] };
        // The sending tab: saved, sent, refused.
        let mut sender = Outbox::default();
        let saved = sender.save(report(1)).unwrap().clone();
        sender.start_send(report(1).id);
        let refused = sender.finish_send(report(1).id, SendOutcome::Rejected(problem)).unwrap().clone();
        assert!(refused.rev > saved.rev, "each transition counts");
        // This tab read the saved snapshot, then the refusal; the reads
        // finish the other way round.
        let mut here = Outbox::default();
        here.absorb(refused.clone());
        assert!(!here.absorb(saved.clone()), "nothing new to send");
        assert_eq!(here.get(report(1).id), Some(&refused), "the refusal stays");
        // A correction counts on from the refusal, so it is newer still.
        let mut corrected = report(1);
        corrected.body = crate::report::ReportBody::Note { text: "diperbaiki".into() };
        let correction = here.check_edit(corrected).unwrap();
        assert!(correction.rev > refused.rev);
        assert!(sender.absorb(correction.clone()));
        assert_eq!(sender.get(report(1).id), Some(&correction));
    }

    #[test]
    fn a_receipt_for_another_report_does_not_mark_this_one_sent() {
        let mut outbox = Outbox::default();
        outbox.save(report(1)).unwrap();
        outbox.start_send(report(1).id);
        let wrong = SendOutcome::Delivered(receipt(report(2).id, 9));
        let entry = outbox.finish_send(report(1).id, wrong).unwrap().clone();
        assert!(matches!(entry.delivery, Delivery::Waiting { attempts: 1, .. }), "{:?}", entry.delivery);
        assert_eq!(outbox.next_waiting(), Some(report(1).id));
    }

    /// What can happen between the phone and the server.
    #[derive(Clone, Debug)]
    enum Step {
        Save,
        /// Send the next waiting report; the server may commit it, and the
        /// response may or may not make it back.
        Send {
            commits: bool,
            response_arrives: bool,
            status_5xx: bool,
        },
        /// The app is killed and reopened: the outbox is rebuilt from storage.
        Reload,
        ClearOldestSent,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => Just(Step::Save),
            6 => (any::<bool>(), any::<bool>(), any::<bool>())
                .prop_map(|(commits, response_arrives, status_5xx)| Step::Send { commits, response_arrives, status_5xx }),
            1 => Just(Step::Reload),
            1 => Just(Step::ClearOldestSent),
        ]
    }

    /// A server that stores each id once and answers repeats with the first receipt.
    #[derive(Default)]
    struct ModelServer {
        stored: BTreeMap<ReportId, Receipt>,
    }

    impl ModelServer {
        fn post(&mut self, report: &Report) -> Receipt {
            let seq = self.stored.len() as i64 + 1;
            self.stored.entry(report.id).or_insert_with(|| receipt(report.id, seq)).clone()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Another tab's snapshots of one report, read in any order, leave this
        /// tab with the latest: failed tries, then a refusal or a receipt.
        #[test]
        fn snapshots_read_in_any_order_end_at_the_latest(
            failures in 0usize..4,
            refused in any::<bool>(),
            order in Just((0..6usize).collect::<Vec<_>>()).prop_shuffle(),
        ) {
            let id = report(1).id;
            let mut sender = Outbox::default();
            let mut snapshots = vec![sender.save(report(1)).unwrap().clone()];
            for _ in 0..failures {
                sender.start_send(id);
                let later = SendOutcome::RetryLater { reason: "offline".into(), retry_after_ms: None };
                snapshots.push(sender.finish_send(id, later).unwrap().clone());
            }
            sender.start_send(id);
            let last = if refused {
                let problem = crate::protocol::Problem {
                    kind: "x".into(), title: "x".into(), status: 422, detail: None, errors: vec![],
                };
                SendOutcome::Rejected(problem)
            } else {
                SendOutcome::Delivered(receipt(id, 1))
            };
            snapshots.push(sender.finish_send(id, last).unwrap().clone());
            let mut here = Outbox::default();
            for i in order.into_iter().filter(|i| *i < snapshots.len()) {
                here.absorb(snapshots[i].clone());
            }
            prop_assert_eq!(here.get(id), snapshots.last());
        }

        /// Every saved report is in the outbox or acknowledged by the server, never
        /// neither; the server never stores one twice or one never saved; and a
        /// fault-free drain at the end delivers everything still waiting.
        #[test]
        fn no_report_is_lost_or_duplicated(steps in proptest::collection::vec(step(), 1..120)) {
            let mut outbox = Outbox::default();
            let mut server = ModelServer::default();
            let mut saved = BTreeSet::new();
            let mut next = 1u128;

            for step in steps {
                match step {
                    Step::Save => {
                        outbox.save(report(next)).unwrap();
                        saved.insert(report(next).id);
                        next += 1;
                    }
                    Step::Send { commits, response_arrives, status_5xx } => {
                        let Some(id) = outbox.next_waiting() else { continue };
                        let sending = outbox.start_send(id).unwrap();
                        let outcome = if commits {
                            let r = server.post(&sending);
                            response_arrives.then_some(SendOutcome::Delivered(r))
                        } else if status_5xx {
                            Some(SendOutcome::RetryLater { reason: "HTTP 503".into(), retry_after_ms: None })
                        } else {
                            None
                        };
                        let outcome = outcome.unwrap_or(SendOutcome::RetryLater { reason: "network".into(), retry_after_ms: None });
                        outbox.finish_send(id, outcome);
                    }
                    Step::Reload => {
                        let stored: Vec<_> = outbox.entries().map(encode).collect();
                        outbox = Outbox::from_entries(stored.iter().map(|raw| decode(raw).unwrap()).collect());
                    }
                    Step::ClearOldestSent => {
                        let oldest_sent = outbox.entries().find(|e| e.receipt().is_some()).map(|e| e.report.id);
                        if let Some(id) = oldest_sent {
                            outbox.clear(id).unwrap();
                        }
                    }
                }
                for id in &saved {
                    let in_outbox = outbox.get(*id).is_some();
                    prop_assert!(in_outbox || server.stored.contains_key(id), "report {id} lost");
                }
                for entry in outbox.entries() {
                    if let Some(r) = entry.receipt() {
                        prop_assert_eq!(Some(r), server.stored.get(&entry.report.id), "receipt differs from the server's");
                    }
                }
                prop_assert!(server.stored.keys().all(|id| saved.contains(id)));
                // The indexes agree with a plain scan of the entries.
                let mut recount = Counts::default();
                for e in outbox.entries() {
                    recount.add(&e.delivery, 1);
                }
                prop_assert_eq!(outbox.counts(), recount);
                prop_assert_eq!(outbox.next_waiting(), outbox.entries().find(|e| e.is_waiting()).map(|e| e.report.id));
            }

            while let Some(id) = outbox.next_waiting() {
                let sending = outbox.start_send(id).unwrap();
                let r = server.post(&sending);
                outbox.finish_send(id, SendOutcome::Delivered(r));
            }
            prop_assert_eq!(server.stored.keys().copied().collect::<BTreeSet<_>>(), saved);
            prop_assert_eq!(outbox.counts().waiting + outbox.counts().sending, 0);
        }
    }
}
