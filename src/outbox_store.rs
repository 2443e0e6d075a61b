//! Where the outbox lives on the phone. Every read and write of queued reports
//! goes through this module, so the move to IndexedDB changes nothing else.
//!
//! For now: one localStorage key per report (`pantau.outbox.<id>`), holding the
//! versioned envelope from [`pantau_core::outbox::encode`]. One key per report
//! means a save writes one small value whatever the queue's length, and two tabs
//! never overwrite each other's reports.

use pantau_core::outbox::{decode, encode, DecodeError, OutboxEntry};
use pantau_core::ReportId;
use wasm_bindgen::{JsCast, JsValue};

pub const DEFAULT_PREFIX: &str = "pantau.outbox.";

/// Why the outbox could not be written. The JS error is kept for diagnosis.
#[derive(Debug, Clone)]
pub enum StoreError {
    /// Browser storage is switched off or missing (some private modes).
    Unavailable(JsValue),
    /// The browser refused the write: storage is full.
    QuotaExceeded(JsValue),
    Other(JsValue),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(_) => f.write_str("penyimpanan browser tidak tersedia"),
            StoreError::QuotaExceeded(_) => f.write_str("penyimpanan penuh (QuotaExceededError)"),
            StoreError::Other(e) => write!(f, "gagal menyimpan: {}", js_error_text(e)),
        }
    }
}

/// A stored record that could not be read. It stays in storage untouched.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub key: String,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub entries: Vec<OutboxEntry>,
    pub unreadable: Vec<Unreadable>,
}

/// The outbox in browser storage, under one key prefix (tests use their own).
#[derive(Clone, Debug)]
pub struct OutboxStore {
    prefix: String,
}

impl Default for OutboxStore {
    fn default() -> Self {
        OutboxStore::with_prefix(DEFAULT_PREFIX)
    }
}

impl OutboxStore {
    pub fn with_prefix(prefix: &str) -> OutboxStore {
        OutboxStore { prefix: prefix.to_owned() }
    }

    fn key(&self, id: ReportId) -> String {
        format!("{}{}", self.prefix, id)
    }

    /// Every queued report, plus the records that could not be read (kept, never
    /// deleted, so nothing a volunteer saved disappears because of a bug).
    pub fn load(&self) -> Result<Loaded, StoreError> {
        let storage = local_storage()?;
        let mut loaded = Loaded::default();
        let len = storage.length().map_err(StoreError::Other)?;
        for i in 0..len {
            let Some(key) = storage.key(i).map_err(StoreError::Other)? else { continue };
            if !key.starts_with(&self.prefix) {
                continue;
            }
            let raw = storage.get_item(&key).map_err(StoreError::Other)?.unwrap_or_default();
            match decode(&raw) {
                Ok(entry) => loaded.entries.push(entry),
                Err(e @ (DecodeError::Malformed(_) | DecodeError::UnknownVersion(_))) => {
                    loaded.unreadable.push(Unreadable { key, reason: e.to_string() })
                }
            }
        }
        Ok(loaded)
    }

    /// Writes one entry. Returns only once the browser has accepted the write.
    pub fn put(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        local_storage()?.set_item(&self.key(entry.report.id), &encode(entry)).map_err(classify_write_error)
    }

    pub fn remove(&self, id: ReportId) -> Result<(), StoreError> {
        local_storage()?.remove_item(&self.key(id)).map_err(StoreError::Other)
    }
}

fn local_storage() -> Result<web_sys::Storage, StoreError> {
    let window = web_sys::window().ok_or_else(|| StoreError::Unavailable(JsValue::from_str("no window")))?;
    window
        .local_storage()
        .map_err(StoreError::Unavailable)?
        .ok_or_else(|| StoreError::Unavailable(JsValue::from_str("localStorage is null")))
}

fn classify_write_error(e: JsValue) -> StoreError {
    let name = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.name())).unwrap_or_default();
    if name == "QuotaExceededError" {
        StoreError::QuotaExceeded(e)
    } else {
        StoreError::Other(e)
    }
}

fn js_error_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| format!("{}: {}", String::from(e.name()), String::from(e.message())))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
