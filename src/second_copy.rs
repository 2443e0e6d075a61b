//! A second copy of every report the server has not yet confirmed, in Cache
//! Storage, beside the outbox in IndexedDB.
//!
//! Why: measured in Chromium 156, a browser killed while IndexedDB is writing
//! can leave its LevelDB with a checksum mismatch. On the next start Chromium
//! finds it corrupt and deletes the origin's whole database, with every queued
//! report (the SIGKILL test lost the outbox in about 1 run in 4, strict
//! durability or not). Cache Storage keeps each entry in its own files, written
//! by another engine, so one torn write cannot take the others with it.
//!
//! The copy holds the report as saved (a Waiting envelope). It is written when
//! a report is saved or corrected and removed once the server's receipt is on
//! disk in IndexedDB. On start, a copy whose report IndexedDB no longer has is
//! put back, as Waiting: sending it again is safe, the server answers a repeat
//! with the original receipt. The durable settings (the enrolment token, whose
//! one-time code cannot be used again) are copied the same way.

use crate::outbox_store::{classify, StoreError};
use pantau_core::outbox::{decode, encode, DecodeError, OutboxEntry};
use pantau_core::ReportId;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where the copies of the outbox `database` live. Not `pantau-…`: the service
/// worker deletes those caches when a new version takes over.
fn cache_name(database: &str) -> String {
    format!("outbox-copy-{database}")
}

const REPORTS: &str = "/outbox-copy/report/";
const SETTINGS: &str = "/outbox-copy/setting/";

/// The request URL a report's copy is filed under.
fn key(id: ReportId) -> String {
    format!("{REPORTS}{id}")
}

#[derive(Clone, Debug)]
pub struct SecondCopies {
    cache: web_sys::Cache,
}

async fn wait(promise: js_sys::Promise) -> Result<JsValue, StoreError> {
    JsFuture::from(promise).await.map_err(|e| classify(&e))
}

impl SecondCopies {
    /// None where the browser has no Cache Storage (not a secure context): the
    /// outbox then relies on IndexedDB alone.
    pub async fn open(database: &str) -> Option<SecondCopies> {
        let caches = web_sys::window()?.caches().ok()?;
        let cache = wait(caches.open(&cache_name(database))).await.ok()?;
        Some(SecondCopies { cache: cache.unchecked_into() })
    }

    /// Keeps (or replaces) the copy of a saved or corrected report; returns once
    /// the browser has written it.
    pub async fn keep(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        let response = web_sys::Response::new_with_opt_str(Some(&encode(entry))).map_err(|e| classify(&e))?;
        wait(self.cache.put_with_str(&key(entry.report.id), &response)).await.map(|_| ())
    }

    /// Drops the copy of a report the server confirmed (or the volunteer cleared).
    pub async fn forget(&self, id: ReportId) -> Result<(), StoreError> {
        wait(self.cache.delete_with_str(&key(id))).await.map(|_| ())
    }

    /// Every report's copy, read back: its id as filed, with the report or why
    /// it could not be read.
    pub async fn all(&self) -> Result<Vec<(String, Result<OutboxEntry, DecodeError>)>, StoreError> {
        let requests: js_sys::Array = wait(self.cache.keys()).await?.unchecked_into();
        let mut copies = Vec::new();
        for request in requests.iter() {
            let request: web_sys::Request = request.unchecked_into();
            let url = request.url();
            let Some((_, id)) = url.split_once(REPORTS) else { continue };
            if let Some(text) = self.text(&request).await? {
                copies.push((id.to_owned(), decode(&text)));
            }
        }
        Ok(copies)
    }

    /// Keeps the copy of a durable setting (JSON).
    pub async fn keep_setting(&self, name: &str, json: &str) -> Result<(), StoreError> {
        let response = web_sys::Response::new_with_opt_str(Some(json)).map_err(|e| classify(&e))?;
        wait(self.cache.put_with_str(&format!("{SETTINGS}{name}"), &response)).await.map(|_| ())
    }

    /// The copy of a durable setting (JSON), if there is one.
    pub async fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        let request = web_sys::Request::new_with_str(&format!("{SETTINGS}{name}")).map_err(|e| classify(&e))?;
        self.text(&request).await
    }

    async fn text(&self, request: &web_sys::Request) -> Result<Option<String>, StoreError> {
        let Ok(response) = wait(self.cache.match_with_request(request)).await?.dyn_into::<web_sys::Response>() else {
            return Ok(None);
        };
        Ok(wait(response.text().map_err(|e| classify(&e))?).await?.as_string())
    }
}
