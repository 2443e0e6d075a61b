//! Why a write or read of the phone's storage failed, in the volunteer's
//! language, with the browser's own words kept.

use crate::i18n::{texts, Lang, Texts};
use wasm_bindgen::JsValue;

/// Why storage failed. The JS error is kept for diagnosis.
#[derive(Debug, Clone)]
pub enum StoreError {
    /// IndexedDB is missing or refused to open (some private modes).
    Unavailable(String),
    /// The browser refused the write: storage is full.
    QuotaExceeded(String),
    /// The report was confirmed by the server meanwhile (another tab sent it),
    /// so a correction or a stale copy cannot replace it.
    AlreadySent,
    /// The report is no longer a refusal (another tab corrected it), so it is
    /// not discarded.
    NotRefused,
    /// A photo the report names is not stored on the phone (its name).
    PhotoMissing(String),
    Other(String),
}

impl StoreError {
    /// What the volunteer reads, in their language, with the browser's own
    /// words kept in brackets for whoever helps them.
    pub fn message(&self, t: &Texts) -> String {
        match self {
            StoreError::Unavailable(e) => format!("{} ({e})", t.store_unavailable),
            StoreError::QuotaExceeded(_) => format!("{} (QuotaExceededError)", t.store_full),
            StoreError::AlreadySent => t.already_sent.to_owned(),
            StoreError::NotRefused => t.not_refused.to_owned(),
            StoreError::PhotoMissing(name) => format!("{} ({})", t.photo_missing, &name[..name.len().min(12)]),
            StoreError::Other(e) => format!("{}: {e}", t.store_failed),
        }
    }
}

/// In Bahasa Indonesia, for logs; screens use [`StoreError::message`].
impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(texts(Lang::Id)))
    }
}

/// Names a JS error as a [`StoreError`], recognising a full disk by its DOM name.
pub fn classify(error: &JsValue) -> StoreError {
    let (name, message) =
        crate::js::error_name_and_message(error).unwrap_or_else(|| (String::new(), crate::js::text(error)));
    if name == "QuotaExceededError" {
        StoreError::QuotaExceeded(message)
    } else {
        StoreError::Other(if name.is_empty() { message } else { format!("{name}: {message}") })
    }
}
