//! Photos: uploads in progress in the photo folder's `partial/`, one file per
//! uploader and photo, and complete photos stored once by content, in the
//! folder's `objects/` or in a bucket of an S3-compatible store.
//!
//! An upload appends to its partial file; what arrived before a dropped
//! connection stays there and is where the next attempt resumes. A complete
//! upload is hashed and then moved into place: synced and renamed into
//! `objects/` (the rename is the moment it exists), or put into the bucket
//! whole. A hash that does not match deletes it.

use axum::body::Body;
use futures_util::StreamExt;
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

/// The photo folder, and the bucket when photos are stored in one. Cheap to
/// share behind an `Arc`.
#[derive(Debug)]
pub struct PhotoFiles {
    root: PathBuf,
    /// Where complete photos go instead of `objects/`, when set.
    bucket: Option<Arc<dyn ObjectStore>>,
    /// Uploads being written now, so two requests never append to one file.
    busy: Mutex<HashSet<String>>,
}

/// A bucket of an S3-compatible store from `url` (`s3://bucket` or
/// `s3://bucket/prefix`), with endpoint and keys from `builder` (from the
/// `AWS_*` variables in `serve`); checked by asking for an object.
pub async fn bucket(url: &str, builder: object_store::aws::AmazonS3Builder) -> Result<Arc<dyn ObjectStore>, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
    if parsed.scheme() != "s3" || parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("{url}: not an s3://bucket/prefix address"));
    }
    // A few quick retries, not the default three minutes: a phone waiting on
    // its upload's answer retries itself, and resumes where the server is.
    let retry = object_store::RetryConfig {
        max_retries: 3,
        retry_timeout: std::time::Duration::from_secs(20),
        ..Default::default()
    };
    let store = builder.with_url(url).with_retry(retry).build().map_err(|e| format!("{url}: {e}"))?;
    let prefix = parsed.path().trim_matches('/');
    let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
        Arc::new(store)
    } else {
        Arc::new(object_store::prefix::PrefixStore::new(store, prefix))
    };
    match store.head(&object_store::path::Path::from("pantau-check")).await {
        Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(store),
        Err(e) => Err(format!("{url}: the bucket does not answer: {e}")),
    }
}

/// Where an append left the upload.
#[derive(Debug, PartialEq, Eq)]
pub enum Appended {
    /// Bytes held so far, fewer than declared.
    Partial(u64),
    /// Every declared byte arrived, matched the name and is stored.
    Stored,
}

/// Why an append was refused or stopped. Nothing beyond the offset the upload
/// had before is kept, except what arrived before a dropped connection.
#[derive(Debug)]
pub enum UploadError {
    /// Another request is writing this upload now.
    Busy {
        held: u64,
    },
    /// The request's offset is not where the held part ends.
    OffsetMismatch {
        held: u64,
    },
    /// More bytes than the declared length.
    BeyondLength {
        held: u64,
    },
    /// All bytes arrived and hash to another name: they were deleted.
    HashMismatch {
        actual: String,
    },
    /// All bytes arrived and are not a JPEG: they were deleted.
    NotJpeg,
    /// The connection broke; the bytes before it are kept (`held`).
    Interrupted {
        held: u64,
    },
    Io(io::Error),
}

impl From<io::Error> for UploadError {
    fn from(e: io::Error) -> Self {
        UploadError::Io(e)
    }
}

impl PhotoFiles {
    /// Opens the folder `root`, creating it and its two subfolders.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<PhotoFiles> {
        let root = root.into();
        std::fs::create_dir_all(root.join("objects"))?;
        std::fs::create_dir_all(root.join("partial"))?;
        Ok(PhotoFiles { root, bucket: None, busy: Mutex::new(HashSet::new()) })
    }

    /// Stores complete photos in `bucket` from now on; `partial/` stays in the folder.
    pub fn with_bucket(self, bucket: Arc<dyn ObjectStore>) -> PhotoFiles {
        PhotoFiles { bucket: Some(bucket), ..self }
    }

    /// A stored photo's bytes. `sha256` must be checked first.
    pub async fn read(&self, sha256: &str) -> io::Result<Vec<u8>> {
        match &self.bucket {
            None => tokio::fs::read(self.object_path(sha256)).await,
            Some(bucket) => {
                let got = bucket.get(&object_key(sha256)).await.map_err(bucket_error)?;
                Ok(got.bytes().await.map_err(bucket_error)?.to_vec())
            }
        }
    }

    /// The stored photo's file (`objects/ab/abcd…`). `sha256` must be checked first.
    fn object_path(&self, sha256: &str) -> PathBuf {
        self.root.join("objects").join(&sha256[..2]).join(sha256)
    }

    fn partial_path(&self, uploader: i64, sha256: &str) -> PathBuf {
        self.root.join("partial").join(format!("{uploader}-{sha256}"))
    }

    /// Deletes uploads in progress untouched for `older_than` (a phone that
    /// comes back later starts that photo again); returns how many went.
    pub fn sweep_partial(&self, older_than: std::time::Duration) -> io::Result<usize> {
        let mut swept = 0;
        for entry in std::fs::read_dir(self.root.join("partial"))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // Claimed like an append, so none can start on it meanwhile; its age
            // is read after the claim, as an append may have just ended.
            if !self.busy.lock().expect("not poisoned").insert(name.clone()) {
                continue;
            }
            let removed = remove_if_older(&entry.path(), older_than);
            self.busy.lock().expect("not poisoned").remove(&name);
            swept += usize::from(removed?);
        }
        Ok(swept)
    }

    /// Bytes `uploader` has sent of `sha256` so far (0 when none).
    pub async fn held(&self, uploader: i64, sha256: &str) -> u64 {
        tokio::fs::metadata(self.partial_path(uploader, sha256)).await.map_or(0, |m| m.len())
    }

    /// Appends `body` at `offset` to `uploader`'s upload of `sha256`, which is
    /// `length` bytes in all; completes it when the last byte arrived.
    pub async fn append(
        &self,
        uploader: i64,
        sha256: &str,
        offset: u64,
        length: u64,
        body: Body,
    ) -> Result<Appended, UploadError> {
        let key = format!("{uploader}-{sha256}");
        let path = self.partial_path(uploader, sha256);
        if !self.busy.lock().expect("not poisoned").insert(key.clone()) {
            return Err(UploadError::Busy { held: self.held(uploader, sha256).await });
        }
        let result = self.append_unlocked(&path, sha256, offset, length, body).await;
        self.busy.lock().expect("not poisoned").remove(&key);
        result
    }

    async fn append_unlocked(
        &self,
        path: &Path,
        sha256: &str,
        offset: u64,
        length: u64,
        body: Body,
    ) -> Result<Appended, UploadError> {
        let mut file = tokio::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).await?;
        let held = file.metadata().await?.len();
        if held != offset || held > length {
            return Err(UploadError::OffsetMismatch { held });
        }
        file.seek(io::SeekFrom::Start(held)).await?;
        let mut written = held;
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(_) => {
                    // Kept: the next attempt resumes after these bytes.
                    file.sync_all().await?;
                    return Err(UploadError::Interrupted { held: written });
                }
            };
            if written + chunk.len() as u64 > length {
                // Nothing of this request is kept.
                file.set_len(held).await?;
                file.sync_all().await?;
                return Err(UploadError::BeyondLength { held });
            }
            file.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        file.sync_all().await?;
        drop(file);
        if written < length {
            return Ok(Appended::Partial(written));
        }
        self.complete(path, sha256).await
    }

    /// Checks a complete upload and moves it into place.
    async fn complete(&self, path: &Path, sha256: &str) -> Result<Appended, UploadError> {
        let bytes = tokio::fs::read(path).await?;
        let actual = hex(&Sha256::digest(&bytes));
        if actual != sha256 {
            tokio::fs::remove_file(path).await?;
            return Err(UploadError::HashMismatch { actual });
        }
        if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            tokio::fs::remove_file(path).await?;
            return Err(UploadError::NotJpeg);
        }
        if let Some(bucket) = &self.bucket {
            // Named by its content: a second put writes the same bytes. The
            // partial file stays until the bucket has them.
            bucket.put(&object_key(sha256), bytes.into()).await.map_err(bucket_error)?;
            tokio::fs::remove_file(path).await?;
            return Ok(Appended::Stored);
        }
        let object = self.object_path(sha256);
        let folder = object.parent().expect("objects/ab");
        tokio::fs::create_dir_all(folder).await?;
        if tokio::fs::try_exists(&object).await? {
            // The same bytes from another uploader: stored once.
            tokio::fs::remove_file(path).await?;
        } else {
            tokio::fs::rename(path, &object).await?;
            // The rename is durable once its folder is synced.
            tokio::fs::File::open(folder).await?.sync_all().await?;
        }
        Ok(Appended::Stored)
    }
}

/// Deletes the file at `path` if it was last written `older_than` ago or
/// more; whether it did. A file already gone is not an error.
fn remove_if_older(path: &Path, older_than: std::time::Duration) -> io::Result<bool> {
    let modified = match std::fs::metadata(path).and_then(|m| m.modified()) {
        Ok(modified) => modified,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    if modified.elapsed().unwrap_or_default() < older_than {
        return Ok(false);
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// A photo's name in the bucket: `ab/abcd…`, as in the folder's `objects/`.
fn object_key(sha256: &str) -> object_store::path::Path {
    object_store::path::Path::from(format!("{}/{sha256}", &sha256[..2]))
}

fn bucket_error(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        e => io::Error::other(e),
    }
}

/// Lowercase hexadecimal, as photos and the apps' folder are named.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    /// A partial upload of 14 bytes, last written `age` ago.
    fn partial(files: &PhotoFiles, uploader: i64, sha256: &str, age: Duration) -> PathBuf {
        let path = files.partial_path(uploader, sha256);
        std::fs::write(&path, b"\xFF\xD8\xFF some bytes").unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
        path
    }

    #[tokio::test]
    async fn a_sweep_deletes_only_uploads_abandoned_longer_than_the_age() {
        let dir = tempfile::tempdir().unwrap();
        let files = PhotoFiles::open(dir.path()).unwrap();
        let week = crate::PARTIAL_UPLOAD_AGE;
        let old = partial(&files, 1, &"a".repeat(64), week + Duration::from_secs(60));
        let recent = partial(&files, 1, &"b".repeat(64), week - Duration::from_secs(3600));
        let writing = partial(&files, 2, &"c".repeat(64), week * 2);
        files.busy.lock().unwrap().insert(format!("2-{}", "c".repeat(64)));

        assert_eq!(files.sweep_partial(week).unwrap(), 1);
        assert!(!old.exists(), "an upload untouched for over a week is deleted");
        assert!(recent.exists(), "a recent upload stays for its phone to resume");
        assert!(writing.exists(), "an upload being written now is never deleted");
        // The phone that comes back starts that photo again from its first byte.
        assert_eq!(files.held(1, &"a".repeat(64)).await, 0);
        assert_eq!(files.held(1, &"b".repeat(64)).await, 14);
    }
}
