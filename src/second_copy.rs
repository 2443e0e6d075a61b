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
//! Photos are copied too, from the moment they are kept (a draft's included;
//! one kept by a version before copies, at the next start) until their
//! reports are confirmed: a report put back without its photos could never
//! be sent.
//!
//! The copy holds the report as saved (a Waiting envelope). It is written when
//! a report is saved or corrected and removed once the server's receipt is on
//! disk in IndexedDB. On start, a copy whose report IndexedDB no longer has is
//! put back, as Waiting: sending it again is safe, the server answers a repeat
//! with the original receipt. The durable settings (the enrolment token, whose
//! one-time code cannot be used again) are copied the same way.

use crate::store_error::{classify, StoreError};
use pantau_core::envelope::{decode, encode, DecodeError};
use pantau_core::outbox::OutboxEntry;
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
const PHOTOS: &str = "/outbox-copy/photo/";

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

/// A write the browser has already started (or could not start): many can be
/// in flight at once, and awaiting one says whether it is done.
pub struct Pending(Result<JsFuture, StoreError>);

impl Pending {
    pub async fn done(self) -> Result<(), StoreError> {
        self.0?.await.map(|_| ()).map_err(|e| classify(&e))
    }
}

/// Waits for every started write; the failures, in order.
pub async fn all_done(pending: Vec<Pending>) -> Vec<StoreError> {
    let mut failed = Vec::new();
    for write in pending {
        if let Err(e) = write.done().await {
            failed.push(e);
        }
    }
    failed
}

impl SecondCopies {
    /// None where the browser has no Cache Storage (not a secure context): the
    /// outbox then relies on IndexedDB alone.
    pub async fn open(database: &str) -> Option<SecondCopies> {
        let caches = web_sys::window()?.caches().ok()?;
        let cache = wait(caches.open(&cache_name(database))).await.ok()?;
        Some(SecondCopies { cache: cache.unchecked_into() })
    }

    /// Starts keeping (or replacing) the copy of a saved or corrected report.
    pub fn keep(&self, entry: &OutboxEntry) -> Pending {
        self.put(&key(entry.report.id), &encode(entry))
    }

    /// Starts dropping the copy of a report the server confirmed (or the
    /// volunteer cleared).
    pub fn forget(&self, id: ReportId) -> Pending {
        self.delete(&key(id))
    }

    /// Starts keeping the copy of a durable setting (JSON).
    pub fn keep_setting(&self, name: &str, json: &str) -> Pending {
        self.put(&format!("{SETTINGS}{name}"), json)
    }

    /// Starts keeping the copy of a photo, by its SHA-256.
    pub fn keep_photo(&self, sha256: &str, blob: &web_sys::Blob) -> Pending {
        self.put_response(&format!("{PHOTOS}{sha256}"), web_sys::Response::new_with_opt_blob(Some(blob)))
    }

    /// A photo's copy, if there is one.
    pub async fn photo(&self, sha256: &str) -> Result<Option<web_sys::Blob>, StoreError> {
        let Some(response) = self.response(&format!("{PHOTOS}{sha256}")).await? else { return Ok(None) };
        Ok(wait(response.blob().map_err(|e| classify(&e))?).await?.dyn_into().ok())
    }

    /// The photos that have a copy, by SHA-256.
    pub async fn photos(&self) -> Result<Vec<String>, StoreError> {
        self.filed_under(PHOTOS).await
    }

    /// Starts dropping the copy of a photo.
    pub fn forget_photo(&self, sha256: &str) -> Pending {
        self.delete(&format!("{PHOTOS}{sha256}"))
    }

    fn delete(&self, url: &str) -> Pending {
        Pending(Ok(JsFuture::from(self.cache.delete_with_str(url))))
    }

    fn put(&self, url: &str, body: &str) -> Pending {
        self.put_response(url, web_sys::Response::new_with_opt_str(Some(body)))
    }

    fn put_response(&self, url: &str, response: Result<web_sys::Response, JsValue>) -> Pending {
        let response = response.map_err(|e| classify(&e));
        Pending(response.map(|response| JsFuture::from(self.cache.put_with_str(url, &response))))
    }

    /// The ids of the reports that have a copy, as filed (one call, whatever
    /// their number: a start reads a copy's content only when IndexedDB lacks it).
    pub async fn filed(&self) -> Result<Vec<String>, StoreError> {
        self.filed_under(REPORTS).await
    }

    /// The names of the copies filed under `prefix`.
    async fn filed_under(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let requests: js_sys::Array = wait(self.cache.keys()).await?.unchecked_into();
        Ok(requests
            .iter()
            .filter_map(|r| {
                r.unchecked_into::<web_sys::Request>().url().split_once(prefix).map(|(_, name)| name.to_owned())
            })
            .collect())
    }

    /// A report's copy, read back, or why it could not be read.
    pub async fn report(&self, filed_as: &str) -> Result<Option<Result<OutboxEntry, DecodeError>>, StoreError> {
        Ok(self.text(&format!("{REPORTS}{filed_as}")).await?.map(|text| decode(&text)))
    }

    /// The copy of a durable setting (JSON), if there is one.
    pub async fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.text(&format!("{SETTINGS}{name}")).await
    }

    async fn text(&self, url: &str) -> Result<Option<String>, StoreError> {
        let Some(response) = self.response(url).await? else { return Ok(None) };
        Ok(wait(response.text().map_err(|e| classify(&e))?).await?.as_string())
    }

    async fn response(&self, url: &str) -> Result<Option<web_sys::Response>, StoreError> {
        Ok(wait(self.cache.match_with_str(url)).await?.dyn_into::<web_sys::Response>().ok())
    }
}
