//! The outbox on this phone, behind one door. Every change goes the same way:
//! storage first (IndexedDB and the second copy, [`crate::outbox_store`]), then
//! the screens' copy (pantau-core's [`Outbox`] in a signal), then the
//! announcement to other tabs, then a send ([`crate::sync`]). Screens never
//! touch the store or the channel.

use crate::i18n::Texts;
use crate::kept::keep_sent_days;
use crate::outbox_store::{OutboxStore, PhotosInUse, Quarantined, StorageInfo, StoreError};
use crate::routes::FormKind;
use crate::sync::{SyncEngine, SyncStatus};
use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use leptos::prelude::*;
use pantau_core::outbox::EditError;
use pantau_core::save::{decide, SaveDecision, SaveRequest};
use pantau_core::sync::Progress;
use pantau_core::validation::FieldError;
use pantau_core::{Outbox, OutboxEntry, Report, ReportId};
use time::OffsetDateTime;
use uuid::Uuid;

/// What came of a tap of *Simpan*, for the form to say.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveOutcome {
    /// In the outbox: stored now (with its TPS), or by an earlier tap whose
    /// end was unseen.
    Saved {
        id: ReportId,
        correction: bool,
        stored_tps: Option<String>,
    },
    /// The same report seems to be saved already: the form asks first.
    Twin {
        twin: ReportId,
        saved_at: OffsetDateTime,
    },
    Invalid(Vec<FieldError>),
    /// Not saved, and why, in the volunteer's language.
    NotSaved(String),
}

/// Cheap to copy; every copy is the same outbox. The signals it hands out are
/// for reading: every change goes through its methods (read-only signal
/// types were measured at 2.2 KB brotli more, paid by every volunteer).
#[derive(Clone, Copy)]
pub struct PhoneOutbox {
    list: RwSignal<Outbox>,
    ready: RwSignal<bool>,
    problem: RwSignal<Option<StoreError>>,
    quarantined: RwSignal<Vec<Quarantined>>,
    storage_info: RwSignal<StorageInfo>,
    correcting: RwSignal<Option<(FormKind, ReportId)>>,
    engine: StoredValue<SyncEngine>,
}

impl PhoneOutbox {
    /// An outbox that sends through `engine` once [`PhoneOutbox::opened`] gives it its store.
    pub fn new(engine: SyncEngine) -> PhoneOutbox {
        PhoneOutbox {
            list: engine.outbox,
            ready: RwSignal::new(false),
            problem: RwSignal::new(None),
            quarantined: RwSignal::new(Vec::new()),
            storage_info: RwSignal::new(StorageInfo::default()),
            correcting: RwSignal::new(None),
            engine: StoredValue::new(engine),
        }
    }

    /// Every report on the phone, oldest first.
    pub fn list(self) -> RwSignal<Outbox> {
        self.list
    }

    /// The store is open: saving is possible.
    pub fn ready(self) -> RwSignal<bool> {
        self.ready
    }

    /// Why the store could not be opened, if it could not.
    pub fn problem(self) -> RwSignal<Option<StoreError>> {
        self.problem
    }

    /// Stored records that could not be read, kept as found.
    pub fn quarantined(self) -> RwSignal<Vec<Quarantined>> {
        self.quarantined
    }

    /// Whether storage is persistent, and how much is used.
    pub fn storage_info(self) -> RwSignal<StorageInfo> {
        self.storage_info
    }

    /// What the volunteer sees of sending.
    pub fn status(self) -> RwSignal<SyncStatus> {
        self.engine.with_value(|e| e.status)
    }

    /// Set while a round sends, for "3 dari 10 terkirim".
    pub fn progress(self) -> RwSignal<Option<Progress>> {
        self.engine.with_value(|e| e.progress)
    }

    /// Set while a report's photos are uploaded, for "foto 2 dari 3".
    pub fn photo_progress(self) -> RwSignal<Option<crate::sync::PhotoProgress>> {
        self.engine.with_value(|e| e.photo_progress)
    }

    /// Keeps a photo on the phone for a form, before the report is saved.
    pub async fn keep_photo(self, photo: &crate::photos::Photo) -> Result<(), StoreError> {
        let store = self.engine.get_value().store().ok_or_else(|| StoreError::Unavailable("not open".into()))?;
        store.put_photo(&photo.meta.sha256, &photo.blob).await
    }

    /// A kept photo's bytes (a draft's or a report's), for its thumbnail.
    pub async fn photo(self, sha256: &str) -> Option<web_sys::Blob> {
        let store = self.engine.get_value().store()?;
        store.photo(sha256).await.ok().flatten()
    }

    /// Bytes of the photos the outbox's reports carry, each photo once.
    pub fn photo_bytes(self) -> u64 {
        self.list.with(|o| {
            let mut seen: Vec<&str> = Vec::new();
            let mut bytes = 0;
            for photo in o.entries().flat_map(|e| &e.report.photos) {
                if !seen.contains(&photo.sha256.as_str()) {
                    seen.push(&photo.sha256);
                    bytes += u64::from(photo.bytes);
                }
            }
            bytes
        })
    }

    /// Deletes the kept photos no report and no draft names: those of reports
    /// that left the outbox, and those removed from a form.
    async fn forget_unused_photos(self, store: &OutboxStore) {
        if !cfg!(feature = "photos") {
            return;
        }
        let mut in_use = PhotosInUse { unconfirmed: crate::drafts::draft_photos(), ..PhotosInUse::default() };
        self.list.with_untracked(|o| o.entries().for_each(|entry| in_use.add(entry)));
        if let Err(e) = store.forget_photos_except(in_use).await {
            leptos::logging::warn!("unused photos stay for now: {e}");
        }
    }

    /// Start-up opened the store and read it: show what it holds, forget
    /// what has expired, then allow saving and start sending.
    pub async fn opened(self, store: OutboxStore, entries: Vec<OutboxEntry>, quarantined: Vec<Quarantined>) {
        self.list.set(Outbox::from_entries(entries));
        self.quarantined.set(quarantined);
        self.forget_expired(&store).await;
        if self.closed() {
            return;
        }
        self.forget_unused_photos(&store).await;
        if self.closed() {
            return;
        }
        let engine = self.engine.get_value();
        engine.attach_store(store);
        self.ready.set(true);
        engine.trigger();
    }

    /// Whether the app this outbox belongs to has been closed (only tests
    /// mount and drop apps): work that outlived it stops there.
    pub fn closed(self) -> bool {
        self.list.is_disposed()
    }

    /// Start-up could not open the store.
    pub fn failed(self, problem: StoreError) {
        self.problem.set(Some(problem));
    }

    pub fn set_storage_info(self, info: StorageInfo) {
        self.storage_info.set(info);
    }

    /// Sends what waits, now ("Kirim sekarang", a signal back, another save).
    pub fn send_now(self) {
        self.engine.with_value(SyncEngine::trigger);
    }

    /// The volunteer enrolled: sending, paused for a refused token, resumes.
    pub fn token_changed(self) {
        self.engine.with_value(SyncEngine::token_changed);
    }

    /// Keeps a setting in the outbox database, waiting up to 5 s for it to open.
    pub async fn keep_setting<T: serde::Serialize>(self, key: &str, value: &T) -> bool {
        for _ in 0..50 {
            if self.closed() {
                return false;
            }
            if let Some(store) = self.engine.with_value(SyncEngine::store) {
                return store.set_setting(key, value).await.is_ok();
            }
            crate::clock::sleep_ms(100).await;
        }
        false
    }

    /// The refused report being corrected in a form, if any.
    pub fn correcting(self) -> RwSignal<Option<(FormKind, ReportId)>> {
        self.correcting
    }

    /// Opens the refused report `id` in its form.
    pub fn start_correcting(self, kind: FormKind, id: ReportId) {
        self.correcting.set(Some((kind, id)));
    }

    /// The form was left: the refused report stays as it was. Whether a
    /// correction was open.
    pub fn stop_correcting(self) -> bool {
        let open = self.correcting.get_untracked().is_some();
        if open {
            self.correcting.set(None);
        }
        open
    }

    /// Saves the report `build` makes (given its id and time) from the form of
    /// `kind`: decided by pantau-core ([`decide`]) and the attempt kept at once,
    /// then stored, shown, told to other tabs and sent; `done` hears the outcome.
    pub fn save(
        self,
        kind: FormKind,
        twin_accepted: Option<ReportId>,
        t: &'static Texts,
        build: impl Fn(ReportId, OffsetDateTime) -> Result<Report, Vec<FieldError>>,
        done: impl FnOnce(SaveOutcome) + 'static,
    ) {
        match self.decide_and_keep(kind, twin_accepted, t, build) {
            Err(outcome) => done(outcome),
            Ok(storing) => leptos::task::spawn_local(async move { done(self.store_saved(storing, kind, t).await) }),
        }
    }

    /// The synchronous half of [`PhoneOutbox::save`]: what to store, with the
    /// attempt kept before the tap's handler returns (a kill may follow).
    fn decide_and_keep(
        self,
        kind: FormKind,
        twin_accepted: Option<ReportId>,
        t: &'static Texts,
        build: impl Fn(ReportId, OffsetDateTime) -> Result<Report, Vec<FieldError>>,
    ) -> Result<Storing, SaveOutcome> {
        let engine = self.engine.get_value();
        let store = engine.store().ok_or_else(|| SaveOutcome::NotSaved(t.store_unavailable.into()))?;
        let correcting = self.correcting.get_untracked().filter(|(k, _)| *k == kind).map(|(_, id)| id);
        let attempt = correcting.is_none().then(|| SaveAttempt::kept(kind)).flatten();
        let request = SaveRequest {
            correcting,
            attempt: attempt.as_ref(),
            twin_accepted,
            new_id: ReportId(Uuid::new_v4()),
            now: crate::clock::now(),
        };
        let decision = self.list.with_untracked(|o| decide(o, request, build));
        let (entry, correction) = match decision {
            SaveDecision::Queue(entry) => (entry, false),
            SaveDecision::Correct(entry) => (entry, true),
            SaveDecision::AlreadyQueued(id) => {
                if let Some(attempt) = &attempt {
                    SaveAttempt::forget(kind, attempt);
                }
                return Err(SaveOutcome::Saved { id, correction: false, stored_tps: None });
            }
            SaveDecision::AskAboutTwin { twin, saved_at } => return Err(SaveOutcome::Twin { twin, saved_at }),
            SaveDecision::Invalid(errors) => return Err(SaveOutcome::Invalid(errors)),
            SaveDecision::CorrectionGone => return Err(SaveOutcome::NotSaved(t.correction_gone.into())),
            SaveDecision::NotEditable => return Err(SaveOutcome::NotSaved(t.not_editable.into())),
            SaveDecision::IdTaken => return Err(SaveOutcome::NotSaved(t.already_saved.into())),
        };
        if !correction {
            SaveAttempt::keep(kind, &entry.report);
        }
        Ok(Storing { store, engine, entry, correction })
    }

    /// The asynchronous half of [`PhoneOutbox::save`]: storage first, then the rest.
    async fn store_saved(self, storing: Storing, kind: FormKind, t: &'static Texts) -> SaveOutcome {
        let Storing { store, engine, entry, correction } = storing;
        let stored = store.put(&entry).await;
        if self.closed() {
            return SaveOutcome::NotSaved(t.store_unavailable.into());
        }
        match stored {
            Ok(()) => {
                if !correction {
                    SaveAttempt::forget(kind, &entry.report);
                }
                let id = entry.report.id;
                let stored_tps = Some(entry.report.tps.clone());
                let mut overtaken = false;
                self.list.update(|o| {
                    // Another tab may have announced it first: its stored state is the same.
                    let applied = if correction {
                        match o.edit(entry.report.clone()) {
                            Ok(_) => true,
                            // Sending began while the change was on its way to
                            // disk: what is sent is the report as it was, and
                            // the round's own write will say so.
                            Err(EditError::NotEditable(_)) => {
                                overtaken = true;
                                true
                            }
                            Err(_) => false,
                        }
                    } else {
                        o.save(entry.report.clone()).is_ok()
                    };
                    if !applied {
                        o.absorb(entry);
                    }
                });
                if overtaken {
                    return SaveOutcome::NotSaved(t.not_editable.into());
                }
                engine.announce([id]);
                // Only this correction is over: the volunteer may have opened
                // another one while the write was on its way to disk.
                if self.correcting.get_untracked() == Some((kind, id)) {
                    self.correcting.set(None);
                }
                engine.trigger();
                SaveOutcome::Saved { id, correction, stored_tps }
            }
            Err(e @ StoreError::AlreadySent) => SaveOutcome::NotSaved(e.message(t)),
            Err(e @ StoreError::QuotaExceeded(_)) => {
                SaveOutcome::NotSaved(format!("{}. {}", e.message(t), t.quota_advice))
            }
            Err(e) => SaveOutcome::NotSaved(format!("{}. {}", e.message(t), t.retry_advice)),
        }
    }

    /// Removes every sent report (storage first: one whose removal fails stays listed).
    pub async fn clear_sent(self) {
        let engine = self.engine.get_value();
        let Some(store) = engine.store() else { return };
        let sent: Vec<ReportId> =
            self.list.with_untracked(|o| o.entries().filter(|e| e.receipt().is_some()).map(|e| e.report.id).collect());
        let mut cleared = Vec::new();
        for id in sent {
            if store.remove(id).await.is_ok() {
                cleared.push(id);
            }
        }
        if self.closed() {
            return;
        }
        self.list.update(|o| {
            for id in &cleared {
                let _ = o.clear(*id);
            }
        });
        engine.announce(cleared);
        self.forget_unused_photos(&store).await;
    }

    /// Removes a refused report the volunteer chose not to correct. Storage
    /// checks in the same transaction that it is still refused: a correction
    /// another tab saved meanwhile is kept, and shown instead.
    pub async fn discard(self, id: ReportId) -> Result<(), StoreError> {
        let engine = self.engine.get_value();
        let store = engine.store().ok_or_else(|| StoreError::Unavailable("not open".into()))?;
        let removed = store.remove_refused(id).await;
        if self.closed() {
            return removed;
        }
        match removed {
            Ok(()) => {
                self.list.update(|o| {
                    let _ = o.discard(id);
                });
                engine.announce([id]);
                Ok(())
            }
            Err(e) => {
                // What storage holds now (a correction from another tab) is what is shown.
                engine.take_changes(vec![id]);
                Err(e)
            }
        }
    }

    /// Sent reports older than the retention period leave the outbox (storage first).
    async fn forget_expired(self, store: &OutboxStore) {
        let keep = time::Duration::days(keep_sent_days());
        let expired = self.list.with_untracked(|o| o.expired_sent(crate::clock::now(), keep));
        for id in expired {
            if store.remove(id).await.is_ok() && !self.closed() {
                self.list.update(|o| {
                    let _ = o.clear(id);
                });
            }
        }
    }
}

/// An entry decided on, on its way to storage.
struct Storing {
    store: OutboxStore,
    engine: SyncEngine,
    entry: OutboxEntry,
    correction: bool,
}

/// A new report as built at a tap of *Simpan*, kept in gloo-storage until the
/// save is confirmed, so that a save whose end the page never saw is resumed
/// under the same id ([`pantau_core::save`]).
struct SaveAttempt;

impl SaveAttempt {
    fn key(kind: FormKind) -> String {
        format!("pantau.saving.{}", kind.slug())
    }

    fn kept(kind: FormKind) -> Option<Report> {
        GlooLocalStorage::get(Self::key(kind)).ok()
    }

    fn keep(kind: FormKind, report: &Report) {
        if let Err(e) = GlooLocalStorage::set(Self::key(kind), report) {
            leptos::logging::warn!("could not keep the save attempt: {e}");
        }
    }

    /// Unless another tab has started its own attempt since.
    fn forget(kind: FormKind, report: &Report) {
        if Self::kept(kind).is_some_and(|kept| kept.canonical_json() == report.canonical_json()) {
            GlooLocalStorage::delete(Self::key(kind));
        }
    }
}
