//! Where the outbox lives on the phone: IndexedDB, one record per report keyed
//! by its id, each holding the versioned envelope from
//! [`pantau_core::envelope::encode`]. Every read and write of queued reports goes
//! through this module.
//!
//! Why IndexedDB: measured in Chromium, localStorage writes made seconds before
//! the browser is killed are lost, while an IndexedDB transaction that has
//! completed survives. So a report is shown as saved only after its
//! transaction's `complete` event, and transactions ask for "strict" durability
//! (flushed to disk, which also survives a power cut).
//!
//! Records that cannot be read are moved to the `quarantine` store, never
//! deleted, and shown to the volunteer.
//!
//! Unsent reports are also kept in [`SecondCopies`], and put back from there
//! when IndexedDB has lost them (see that module for why).

use crate::second_copy::SecondCopies;
pub use crate::store_error::{classify, StoreError};
use pantau_core::envelope::{decode, encode};
use pantau_core::outbox::{Delivery, OutboxEntry};
use pantau_core::ReportId;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbDatabase;

pub const DATABASE: &str = "pantau";
const VERSION: u32 = 3;
const OUTBOX: &str = "outbox";
const QUARANTINE: &str = "quarantine";
/// Small values that must survive a killed browser (the enrolment token: its
/// one-time code cannot be used again). Added in version 2.
const SETTINGS: &str = "settings";
/// Photos, as Blobs keyed by their SHA-256: those of drafts and of reports.
/// A report is saved only if every photo it names is here (checked in the
/// same transaction). Added in version 3.
const PHOTOS: &str = "photos";
/// Where the first versions kept the outbox (one localStorage key per report).
pub const LEGACY_LOCAL_STORAGE_PREFIX: &str = "pantau.outbox.";

fn from_idb(e: idb::Error) -> StoreError {
    match e {
        idb::Error::DomException(d) => classify(&d.into()),
        idb::Error::UpdateFailed(v) | idb::Error::AddFailed(v) | idb::Error::DeleteFailed(v) => classify(&v),
        other => StoreError::Other(other.to_string()),
    }
}

/// The photos to keep, by SHA-256: those of confirmed reports (kept in
/// IndexedDB only) and the unconfirmed ones, of drafts and unsent reports
/// (also kept in Cache Storage).
#[derive(Clone, Debug, Default)]
pub struct PhotosInUse {
    pub confirmed: Vec<String>,
    pub unconfirmed: Vec<String>,
}

impl PhotosInUse {
    /// Adds the photos `entry`'s report names, by whether it is confirmed.
    pub fn add(&mut self, entry: &OutboxEntry) {
        let names = entry.report.photos.iter().map(|p| p.sha256.clone());
        match entry.delivery {
            Delivery::Sent { .. } => self.confirmed.extend(names),
            _ => self.unconfirmed.extend(names),
        }
    }

    /// Whether the photo `sha256` is to be kept.
    pub fn names(&self, sha256: &str) -> bool {
        self.confirmed.iter().chain(&self.unconfirmed).any(|n| n == sha256)
    }
}

/// A stored record that could not be read, kept as it was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quarantined {
    /// Where it was: `outbox/<key>` or `localStorage/<key>`.
    pub origin: String,
    /// The record exactly as stored.
    pub raw: String,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub entries: Vec<OutboxEntry>,
    /// Everything in quarantine, including records moved there by this load.
    pub quarantined: Vec<Quarantined>,
    /// Reports moved from the old localStorage outbox by this load.
    pub migrated: usize,
    /// Reports IndexedDB had lost, put back from their second copy.
    pub restored: usize,
}

/// The outbox database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct OutboxStore {
    db: IdbDatabase,
    copies: Option<SecondCopies>,
}

impl OutboxStore {
    /// Opens (creating on first use) the database `name` (tests use their own).
    pub async fn open(name: &str) -> Result<OutboxStore, StoreError> {
        let factory = idb::Factory::new().map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let mut request = factory.open(name, Some(VERSION)).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        request.on_upgrade_needed(|event| {
            use idb::DatabaseEvent;
            let Ok(db) = event.database() else { return };
            let existing = db.store_names();
            for store in [OUTBOX, QUARANTINE, SETTINGS, PHOTOS] {
                if !existing.iter().any(|s| s == store) {
                    // Out-of-line keys: the key is the report id, the value the envelope string.
                    let _ = db.create_object_store(store, idb::ObjectStoreParams::new());
                }
            }
        });
        let db = request.await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let copies = SecondCopies::open(name).await;
        if copies.is_none() {
            leptos::logging::warn!("no Cache Storage: unsent reports are kept in IndexedDB only");
        }
        Ok(OutboxStore { db: db.into(), copies })
    }

    /// A transaction, and its raw handle, which tells why it aborted.
    /// Every transaction is opened with strict durability: a write is on disk
    /// when it completes (also through a power cut). Strict writes do not stop
    /// a kill mid-write from corrupting the database (see [`SecondCopies`]).
    fn transaction(
        &self,
        stores: &[&str],
        write: bool,
    ) -> Result<(idb::Transaction, web_sys::IdbTransaction), StoreError> {
        let names: js_sys::Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        let mode = JsValue::from_str(if write { "readwrite" } else { "readonly" });
        // `{durability: "strict"}` is behind web-sys's unstable APIs, so the
        // call is made directly; browsers without it ignore the option.
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"durability".into(), &"strict".into());
        let open = js_sys::Reflect::get(&self.db, &"transaction".into())
            .map_err(|e| classify(&e))?
            .unchecked_into::<js_sys::Function>();
        let raw: web_sys::IdbTransaction =
            open.call3(&self.db, &names, &mode, &options).map_err(|e| classify(&e))?.unchecked_into();
        Ok((idb::Transaction::from(raw.clone()), raw))
    }

    /// Waits for a write transaction to reach `complete`: only then is it on disk.
    async fn finish((transaction, raw): (idb::Transaction, web_sys::IdbTransaction)) -> Result<(), StoreError> {
        match transaction.await {
            Ok(idb::TransactionResult::Committed) => Ok(()),
            // The transaction's own error says why (QuotaExceededError on a full disk).
            Ok(idb::TransactionResult::Aborted) | Err(_) => Err(match raw.error() {
                Some(error) => classify(&error.into()),
                None => StoreError::Other("transaction aborted".into()),
            }),
        }
    }

    /// Every queued report. Moves what cannot be read to quarantine, and, on the
    /// first start after an update, the old localStorage outbox into IndexedDB.
    pub async fn load(&self) -> Result<Loaded, StoreError> {
        let migrated = self.migrate_local_storage().await?;
        let transaction = self.transaction(&[OUTBOX, QUARANTINE], true)?;
        let outbox = transaction.0.object_store(OUTBOX).map_err(from_idb)?;
        let quarantine = transaction.0.object_store(QUARANTINE).map_err(from_idb)?;
        let keys = outbox.get_all_keys(None, None).map_err(from_idb)?.await.map_err(from_idb)?;
        let values = outbox.get_all(None, None).map_err(from_idb)?.await.map_err(from_idb)?;
        let mut loaded = Loaded { migrated, ..Loaded::default() };
        for (key, value) in keys.into_iter().zip(values) {
            let raw = crate::js::text(&value);
            match value
                .as_string()
                .ok_or_else(|| "not a string".to_owned())
                .and_then(|s| decode(&s).map_err(|e| e.to_string()))
            {
                Ok(entry) => loaded.entries.push(entry),
                Err(reason) => {
                    let key_text = crate::js::text(&key);
                    let record = Quarantined { origin: format!("{OUTBOX}/{key_text}"), raw, reason };
                    let json = serde_json::to_string(&record).expect("serialises");
                    // In the same transaction: it is in one store or the other, never neither.
                    quarantine
                        .put(&JsValue::from_str(&json), Some(&JsValue::from_str(&record.origin)))
                        .map_err(from_idb)?;
                    outbox.delete(idb::Query::Key(key)).map_err(from_idb)?;
                }
            }
        }
        let quarantined = quarantine.get_all(None, None).map_err(from_idb)?.await.map_err(from_idb)?;
        Self::finish(transaction).await?;
        loaded.quarantined =
            quarantined.into_iter().filter_map(|v| v.as_string().and_then(|s| serde_json::from_str(&s).ok())).collect();
        self.reconcile_copies(&mut loaded).await?;
        Ok(loaded)
    }

    /// Puts back the reports IndexedDB lost, drops copies of confirmed reports,
    /// and copies unsent reports that have none (saved before copies existed).
    async fn reconcile_copies(&self, loaded: &mut Loaded) -> Result<(), StoreError> {
        let Some(copies) = &self.copies else { return Ok(()) };
        let filed = match copies.filed().await {
            Ok(filed) => filed,
            Err(e) => {
                leptos::logging::warn!("the second copies could not be read: {e}");
                return Ok(());
            }
        };
        let stored: std::collections::HashMap<String, &OutboxEntry> =
            loaded.entries.iter().map(|e| (e.report.id.to_string(), e)).collect();
        let mut writes = Vec::new();
        let mut lost = Vec::new();
        for filed_as in &filed {
            match stored.get(filed_as) {
                Some(entry) if matches!(entry.delivery, Delivery::Sent { .. }) => {
                    writes.push(copies.forget(entry.report.id))
                }
                Some(_) => {}
                None => {
                    let read = copies.report(filed_as).await.map_err(|e| e.to_string());
                    match read.and_then(|copy| copy.transpose().map_err(|e| e.to_string())) {
                        Ok(Some(mut entry)) => {
                            entry.delivery = Delivery::Waiting { attempts: 0, last_error: None };
                            lost.push(entry);
                        }
                        Ok(None) => {}
                        // Shown with the quarantine, and left where it is. One bad
                        // copy must not keep the app from starting with the rest.
                        Err(reason) => loaded.quarantined.push(Quarantined {
                            origin: format!("outbox-copy/{filed_as}"),
                            raw: String::new(),
                            reason,
                        }),
                    }
                }
            }
        }
        let has_copy: std::collections::HashSet<&str> = filed.iter().map(String::as_str).collect();
        for (id, entry) in &stored {
            if !matches!(entry.delivery, Delivery::Sent { .. }) && !has_copy.contains(id.as_str()) {
                writes.push(copies.keep(entry));
            }
        }
        for e in crate::second_copy::all_done(writes).await {
            leptos::logging::warn!("a second copy could not be written or dropped: {e}");
        }
        if !lost.is_empty() {
            // Listed and sent even if IndexedDB refuses them now (a full disk):
            // their copies stay, so the next start tries again.
            if let Err(e) = self.write(&lost).await {
                leptos::logging::warn!("reports put back from their copies are not in IndexedDB yet: {e}");
            }
            loaded.restored = lost.len();
            loaded.entries.extend(lost);
        }
        Ok(())
    }

    /// One entry, e.g. after another tab said it changed it.
    pub async fn get(&self, id: ReportId) -> Result<Option<OutboxEntry>, StoreError> {
        let transaction = self.transaction(&[OUTBOX], false)?;
        let store = transaction.0.object_store(OUTBOX).map_err(from_idb)?;
        let value = store.get(JsValue::from_str(&id.to_string())).map_err(from_idb)?.await.map_err(from_idb)?;
        Ok(value.and_then(|v| v.as_string()).and_then(|s| decode(&s).ok()))
    }

    /// Writes one entry and returns once it is on disk (strict durability: also
    /// through a power cut). For what the volunteer saved. A Sent record is
    /// final: a correction from another tab cannot turn it back into Waiting,
    /// and is refused with [`StoreError::AlreadySent`] rather than dropped in
    /// silence. The second copy is written too (a failure there is logged: the
    /// report is in IndexedDB).
    pub async fn put(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        // Both writes at once: saving takes as long as the slower of the two.
        let Some(copies) = &self.copies else { return self.write_one(entry).await };
        let copy = copies.keep(entry);
        if let Err(e) = self.write_one(entry).await {
            // Not saved: no copy may bring it back on the next start. The copy
            // goes back to what IndexedDB still holds: for a correction, the
            // refused report, which must keep its own copy.
            let _ = copy.done().await;
            let restore = match self.get(entry.report.id).await {
                Ok(Some(before)) if !matches!(before.delivery, Delivery::Sent { .. }) => copies.keep(&before),
                _ => copies.forget(entry.report.id),
            };
            let _ = restore.done().await;
            return Err(e);
        }
        if let Err(e) = copy.done().await {
            leptos::logging::warn!("no second copy of report {}: {e}", entry.report.id);
        }
        Ok(())
    }

    /// Writes the progress of sends (receipts, retry counts, refusals): one
    /// transaction, so one flush per batch of reports rather than per report.
    /// A confirmed report's second copy goes only after its receipt is on disk.
    pub async fn put_progress(&self, entries: &[OutboxEntry]) -> Result<(), StoreError> {
        let _ = self.write(entries).await?;
        if let Some(copies) = &self.copies {
            let sent = entries.iter().filter(|e| matches!(e.delivery, Delivery::Sent { .. }));
            crate::second_copy::all_done(sent.map(|e| copies.forget(e.report.id)).collect()).await;
        }
        Ok(())
    }

    async fn write_one(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        match self.write_checked(std::slice::from_ref(entry), true).await?.as_slice() {
            [] => Err(StoreError::AlreadySent),
            _ => Ok(()),
        }
    }

    /// Writes `entries` in one transaction, except any not Sent whose stored
    /// record is (a stale state must not undo a receipt); returns what it wrote.
    async fn write<'a>(&self, entries: &'a [OutboxEntry]) -> Result<Vec<&'a OutboxEntry>, StoreError> {
        self.write_checked(entries, false).await
    }

    /// [`OutboxStore::write`]; with `photos`, also checks in the same
    /// transaction that every photo the entries name is stored, so a report
    /// shown as saved has its photos (aborting, and writing nothing, if not).
    async fn write_checked<'a>(
        &self,
        entries: &'a [OutboxEntry],
        photos: bool,
    ) -> Result<Vec<&'a OutboxEntry>, StoreError> {
        let transaction = self.transaction(&[OUTBOX, PHOTOS], true)?;
        let store = transaction.0.object_store(OUTBOX).map_err(from_idb)?;
        if cfg!(feature = "photos") && photos {
            let kept = transaction.0.object_store(PHOTOS).map_err(from_idb)?;
            for photo in entries.iter().flat_map(|e| &e.report.photos) {
                let key = JsValue::from_str(&photo.sha256);
                if kept.get_key(key).map_err(from_idb)?.await.map_err(from_idb)?.is_none() {
                    let _ = transaction.1.abort();
                    return Err(StoreError::PhotoMissing(photo.sha256.clone()));
                }
            }
        }
        let mut written = Vec::with_capacity(entries.len());
        for entry in entries {
            let key = JsValue::from_str(&entry.report.id.to_string());
            if !matches!(entry.delivery, Delivery::Sent { .. }) {
                let current = store.get(key.clone()).map_err(from_idb)?.await.map_err(from_idb)?;
                let already_sent = current
                    .and_then(|v| v.as_string())
                    .and_then(|s| decode(&s).ok())
                    .is_some_and(|e| matches!(e.delivery, Delivery::Sent { .. }));
                if already_sent {
                    continue;
                }
            }
            store.put(&JsValue::from_str(&encode(entry)), Some(&key)).map_err(from_idb)?;
            written.push(entry);
        }
        Self::finish(transaction).await?;
        Ok(written)
    }

    /// Removes a report the server refused, checked in the same transaction:
    /// another tab may have corrected it meanwhile, and a correction waiting
    /// to be sent must never go this way.
    pub async fn remove_refused(&self, id: ReportId) -> Result<(), StoreError> {
        let transaction = self.transaction(&[OUTBOX], true)?;
        let store = transaction.0.object_store(OUTBOX).map_err(from_idb)?;
        let key = JsValue::from_str(&id.to_string());
        let current = store.get(key.clone()).map_err(from_idb)?.await.map_err(from_idb)?;
        let refused = current
            .and_then(|v| v.as_string())
            .and_then(|s| decode(&s).ok())
            .is_some_and(|e| matches!(e.delivery, Delivery::Rejected { .. } | Delivery::Conflict { .. }));
        if !refused {
            return Err(StoreError::NotRefused);
        }
        store.delete(idb::Query::Key(key)).map_err(from_idb)?;
        Self::finish(transaction).await?;
        // After the record: a copy forgotten first would leave nothing behind a
        // failed delete. A copy that outlives this comes back as Waiting at the
        // next start and is refused again: an annoyance, never a loss.
        if let Some(copies) = &self.copies {
            if let Err(e) = copies.forget(id).done().await {
                leptos::logging::warn!("the second copy of discarded report {id} stays: {e}");
            }
        }
        Ok(())
    }

    pub async fn remove(&self, id: ReportId) -> Result<(), StoreError> {
        let transaction = self.transaction(&[OUTBOX], true)?;
        let store = transaction.0.object_store(OUTBOX).map_err(from_idb)?;
        store.delete(idb::Query::Key(JsValue::from_str(&id.to_string()))).map_err(from_idb)?;
        Self::finish(transaction).await?;
        if let Some(copies) = &self.copies {
            let _ = copies.forget(id).done().await;
        }
        Ok(())
    }

    /// Keeps a photo (strict durability), before any report names it, and
    /// its second copy (a failure there is logged: the photo is in IndexedDB).
    pub async fn put_photo(&self, sha256: &str, blob: &web_sys::Blob) -> Result<(), StoreError> {
        let copy = self.copies.as_ref().map(|copies| copies.keep_photo(sha256, blob));
        let transaction = self.transaction(&[PHOTOS], true)?;
        let store = transaction.0.object_store(PHOTOS).map_err(from_idb)?;
        store.put(blob, Some(&JsValue::from_str(sha256))).map_err(from_idb)?;
        let kept = Self::finish(transaction).await;
        if let Some(copy) = copy {
            if let Err(e) = copy.done().await {
                leptos::logging::warn!("no second copy of photo {sha256}: {e}");
            }
        }
        kept
    }

    /// A kept photo's bytes, or None. One IndexedDB lost is read from its
    /// second copy and put back.
    pub async fn photo(&self, sha256: &str) -> Result<Option<web_sys::Blob>, StoreError> {
        let kept = self.kept_photo(sha256).await?;
        let Some(copies) = self.copies.as_ref().filter(|_| kept.is_none()) else { return Ok(kept) };
        let Some(copy) = copies.photo(sha256).await? else { return Ok(None) };
        if let Err(e) = self.put_photo(sha256, &copy).await {
            leptos::logging::warn!("photo {sha256} is read from its copy; not back in IndexedDB yet: {e}");
        }
        Ok(Some(copy))
    }

    /// A photo as IndexedDB holds it, or None.
    async fn kept_photo(&self, sha256: &str) -> Result<Option<web_sys::Blob>, StoreError> {
        let transaction = self.transaction(&[PHOTOS], false)?;
        let store = transaction.0.object_store(PHOTOS).map_err(from_idb)?;
        let value = store.get(JsValue::from_str(sha256)).map_err(from_idb)?.await.map_err(from_idb)?;
        Ok(value.and_then(|v| v.dyn_into().ok()))
    }

    /// Deletes every kept photo `in_use` does not name, and every second copy
    /// of a photo not unconfirmed; returns how many photos went. The photos
    /// of reports stored now count too, read in the deleting transaction:
    /// another tab may have saved one since this tab read them.
    pub async fn forget_photos_except(&self, mut in_use: PhotosInUse) -> Result<usize, StoreError> {
        let transaction = self.transaction(&[OUTBOX, PHOTOS], true)?;
        let outbox = transaction.0.object_store(OUTBOX).map_err(from_idb)?;
        let records = outbox.get_all(None, None).map_err(from_idb)?.await.map_err(from_idb)?;
        for entry in records.iter().filter_map(JsValue::as_string).filter_map(|json| decode(&json).ok()) {
            in_use.add(&entry);
        }
        let store = transaction.0.object_store(PHOTOS).map_err(from_idb)?;
        let keys = store.get_all_keys(None, None).map_err(from_idb)?.await.map_err(from_idb)?;
        let mut gone = 0;
        for key in keys {
            if key.as_string().is_some_and(|k| !in_use.names(&k)) {
                store.delete(idb::Query::Key(key)).map_err(from_idb)?;
                gone += 1;
            }
        }
        Self::finish(transaction).await?;
        if let Err(e) = self.copy_photos_exactly(&in_use.unconfirmed).await {
            leptos::logging::warn!("the photos' second copies are not all as they should be: {e}");
        }
        Ok(gone)
    }

    /// Makes the photos' second copies those of `unconfirmed`: drops the
    /// others and copies any kept without one (by a version before copies).
    async fn copy_photos_exactly(&self, unconfirmed: &[String]) -> Result<(), StoreError> {
        let Some(copies) = &self.copies else { return Ok(()) };
        let filed = copies.photos().await?;
        let mut writes: Vec<_> =
            filed.iter().filter(|name| !unconfirmed.contains(name)).map(|name| copies.forget_photo(name)).collect();
        for name in unconfirmed.iter().filter(|name| !filed.contains(name)) {
            if let Some(blob) = self.kept_photo(name).await? {
                writes.push(copies.keep_photo(name, &blob));
            }
        }
        match crate::second_copy::all_done(writes).await.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// A setting kept durably (JSON), or None. One that IndexedDB lost is read
    /// from its second copy and put back; one without a copy (kept by a
    /// version before copies) gets one.
    pub async fn setting<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let transaction = self.transaction(&[SETTINGS], false)?;
        let store = transaction.0.object_store(SETTINGS).map_err(from_idb)?;
        let value = store.get(JsValue::from_str(key)).map_err(from_idb)?.await.map_err(from_idb)?;
        let kept = value.and_then(|v| v.as_string());
        let Some(copies) = &self.copies else { return Ok(kept.and_then(|json| serde_json::from_str(&json).ok())) };
        let copy = copies.setting(key).await?;
        let json = match (kept, copy) {
            (Some(json), Some(_)) => json,
            (Some(json), None) => {
                if let Err(e) = copies.keep_setting(key, &json).done().await {
                    leptos::logging::warn!("no second copy of setting {key}: {e}");
                }
                json
            }
            (None, Some(json)) => {
                self.write_setting(key, &json).await?;
                json
            }
            (None, None) => return Ok(None),
        };
        Ok(serde_json::from_str(&json).ok())
    }

    /// Writes a setting and returns once it is on disk, with its second copy.
    pub async fn set_setting<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let json = serde_json::to_string(value).map_err(|e| StoreError::Other(e.to_string()))?;
        self.write_setting(key, &json).await?;
        if let Some(copies) = &self.copies {
            if let Err(e) = copies.keep_setting(key, &json).done().await {
                leptos::logging::warn!("no second copy of setting {key}: {e}");
            }
        }
        Ok(())
    }

    async fn write_setting(&self, key: &str, json: &str) -> Result<(), StoreError> {
        let transaction = self.transaction(&[SETTINGS], true)?;
        let store = transaction.0.object_store(SETTINGS).map_err(from_idb)?;
        store.put(&JsValue::from_str(json), Some(&JsValue::from_str(key))).map_err(from_idb)?;
        Self::finish(transaction).await
    }

    /// Moves reports from the first versions' localStorage outbox. IndexedDB is
    /// written first; the old keys are removed only after that transaction is
    /// complete, so a crash in between leaves a copy in both (the next start
    /// skips what IndexedDB already has).
    async fn migrate_local_storage(&self) -> Result<usize, StoreError> {
        let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else { return Ok(0) };
        let len = storage.length().unwrap_or(0);
        let mut legacy = Vec::new();
        for i in 0..len {
            if let Ok(Some(key)) = storage.key(i) {
                if let Some(id) = key.strip_prefix(LEGACY_LOCAL_STORAGE_PREFIX) {
                    let raw = storage.get_item(&key).ok().flatten().unwrap_or_default();
                    legacy.push((key.clone(), id.to_owned(), raw));
                }
            }
        }
        if legacy.is_empty() {
            return Ok(0);
        }
        let transaction = self.transaction(&[OUTBOX, QUARANTINE], true)?;
        let outbox = transaction.0.object_store(OUTBOX).map_err(from_idb)?;
        let quarantine = transaction.0.object_store(QUARANTINE).map_err(from_idb)?;
        let mut moved = 0;
        for (key, id, raw) in &legacy {
            match decode(raw) {
                Ok(entry) if entry.report.id.to_string() == *id => {
                    let key = JsValue::from_str(id);
                    let exists = outbox.get_key(key.clone()).map_err(from_idb)?.await.map_err(from_idb)?.is_some();
                    if !exists {
                        outbox.put(&JsValue::from_str(&encode(&entry)), Some(&key)).map_err(from_idb)?;
                        moved += 1;
                    }
                }
                Ok(_) | Err(_) => {
                    let reason =
                        decode(raw).err().map(|e| e.to_string()).unwrap_or_else(|| "key and report id differ".into());
                    let record = Quarantined { origin: format!("localStorage/{key}"), raw: raw.clone(), reason };
                    let json = serde_json::to_string(&record).expect("serialises");
                    quarantine
                        .put(&JsValue::from_str(&json), Some(&JsValue::from_str(&record.origin)))
                        .map_err(from_idb)?;
                }
            }
        }
        Self::finish(transaction).await?;
        for (key, _, _) in &legacy {
            let _ = storage.remove_item(key);
        }
        Ok(moved)
    }
}

/// Whether the browser may evict our data, and how much space is used.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageInfo {
    pub persisted: Option<bool>,
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

/// Asks the browser not to evict our data, and reads how much space is used.
pub async fn storage_status() -> StorageInfo {
    use wasm_bindgen_futures::JsFuture;
    let storage = web_sys::window().expect("a browser window").navigator().storage();
    let mut info = StorageInfo::default();
    if let Ok(promise) = storage.persist() {
        info.persisted = JsFuture::from(promise).await.ok().and_then(|v| v.as_bool());
    }
    if let Ok(promise) = storage.estimate() {
        if let Ok(estimate) = JsFuture::from(promise).await {
            let number = |name: &str| js_sys::Reflect::get(&estimate, &name.into()).ok().and_then(|v| v.as_f64());
            info.usage = number("usage");
            info.quota = number("quota");
        }
    }
    info
}
