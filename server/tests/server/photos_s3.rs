//! Photos in an S3-compatible bucket, as several servers share them: against
//! a real S3 server (s3s-fs, which keeps each object as a file in a folder).

use crate::common::TestServer;
use crate::photos_http::{get_photo, jpeg, sha};
use object_store::aws::AmazonS3Builder;
use pantau_server::photos::{self, PhotoFiles};
use pantau_server::Config;
use reqwest::StatusCode;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

const ACCESS_KEY: &str = "pantau";
pub(crate) const SECRET_KEY: &str = "pantau-rahasia";

/// The s3s-fs program: `S3S_FS`, else `s3s-fs` in cargo's bin folder (where
/// `cargo xtask test` installs it), else on the PATH.
fn s3s_fs() -> PathBuf {
    if let Some(path) = std::env::var_os("S3S_FS") {
        return path.into();
    }
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin").join("s3s-fs"));
    match cargo_bin {
        Some(path) if path.is_file() => path,
        _ => PathBuf::from("s3s-fs"),
    }
}

/// An S3 server on loopback whose bucket `pantau` is the folder `root/pantau`.
pub(crate) struct S3 {
    child: Child,
    root: tempfile::TempDir,
    port: u16,
}

impl S3 {
    pub(crate) async fn start() -> S3 {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("pantau")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut s3 = S3 { child: S3::spawn(root.path(), port), root, port };
        s3.wait_until_listening().await;
        s3
    }

    fn spawn(root: &std::path::Path, port: u16) -> Child {
        Command::new(s3s_fs())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{}: {e} (`cargo xtask test` installs s3s-fs; or set S3S_FS)", s3s_fs().display())
            })
    }

    async fn wait_until_listening(&mut self) {
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            assert!(self.child.try_wait().unwrap().is_none(), "s3s-fs exited at start");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("s3s-fs did not listen on port {}", self.port);
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    async fn restart(&mut self) {
        self.child = S3::spawn(self.root.path(), self.port);
        self.wait_until_listening().await;
    }

    pub(crate) fn builder(&self, secret: &str) -> AmazonS3Builder {
        AmazonS3Builder::new()
            .with_endpoint(format!("http://127.0.0.1:{}", self.port))
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id(ACCESS_KEY)
            .with_secret_access_key(secret)
    }

    /// The file s3s-fs keeps object `key` of bucket `pantau` in.
    fn object_file(&self, key: &str) -> PathBuf {
        self.root.path().join("pantau").join(key)
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An upload request's status (photos_http's `patch`, with a borrowed body).
pub(crate) async fn upload(
    server: &TestServer,
    token: &str,
    name: &str,
    offset: usize,
    length: usize,
    body: &[u8],
) -> StatusCode {
    crate::photos_http::patch(server, token, name, offset as u64, length, body.to_vec()).await.status()
}

#[tokio::test]
async fn a_photo_goes_to_the_bucket_whole_and_every_server_on_it_reads_it() {
    let s3 = S3::start().await;
    let bucket = photos::bucket("s3://pantau/foto", s3.builder(SECRET_KEY)).await.unwrap();
    let server = TestServer::start_with(Config { photo_bucket: Some(bucket.clone()), ..Config::default() }).await;
    let token = server.volunteer("Sari").await;
    let bytes = jpeg(300_000, 3);
    let name = sha(&bytes);

    // In two parts: the first is held in the server's folder, not the bucket.
    assert_eq!(upload(&server, &token, &name, 0, bytes.len(), &bytes[..120_000]).await, StatusCode::OK);
    let object = s3.object_file(&format!("foto/{}/{name}", &name[..2]));
    assert!(!object.exists(), "nothing half-written in the bucket");
    assert_eq!(upload(&server, &token, &name, 120_000, bytes.len(), &bytes[120_000..]).await, StatusCode::CREATED);
    assert_eq!(std::fs::read(&object).unwrap(), bytes, "the bucket holds the photo byte for byte under its hash");
    assert_eq!(std::fs::read_dir(server.photos_dir.join("partial")).unwrap().count(), 0, "the upload is done");
    assert_eq!(std::fs::read_dir(server.photos_dir.join("objects")).unwrap().count(), 0, "nothing in the folder");
    assert_eq!(get_photo(&server, &token, &name).await, (StatusCode::OK, bytes.clone()));

    // Another server with its own folder on the same bucket reads the same bytes.
    let other_folder = tempfile::tempdir().unwrap();
    let other = PhotoFiles::open(other_folder.path()).unwrap().with_bucket(bucket);
    assert_eq!(other.read(&name).await.unwrap(), bytes);
    let missing = other.read(&"0".repeat(64)).await.unwrap_err();
    assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
}

#[tokio::test]
async fn a_bucket_that_is_away_keeps_the_upload_and_the_resend_completes_it() {
    let mut s3 = S3::start().await;
    let bucket = photos::bucket("s3://pantau", s3.builder(SECRET_KEY)).await.unwrap();
    let server = TestServer::start_with(Config { photo_bucket: Some(bucket), ..Config::default() }).await;
    let token = server.volunteer("Sari").await;
    let bytes = jpeg(200_000, 4);
    let name = sha(&bytes);

    s3.stop();
    let failed = upload(&server, &token, &name, 0, bytes.len(), &bytes).await;
    assert_eq!(failed, StatusCode::INTERNAL_SERVER_ERROR, "not acknowledged while the bucket is away");
    let state = server.get_json(&token, &format!("/api/v1/photos/{name}/upload")).await;
    assert_eq!(state["offset"], 200_000, "what arrived is kept: {state}");
    assert_eq!(state["stored"], false);

    s3.restart().await;
    // The phone asks where to go on (every byte held) and sends the empty rest.
    assert_eq!(upload(&server, &token, &name, 200_000, bytes.len(), &[]).await, StatusCode::CREATED);
    assert_eq!(std::fs::read(s3.object_file(&format!("{}/{name}", &name[..2]))).unwrap(), bytes);
    assert_eq!(get_photo(&server, &token, &name).await, (StatusCode::OK, bytes));
}

#[tokio::test]
async fn a_bucket_that_refuses_the_keys_or_a_wrong_address_is_refused_at_start() {
    let s3 = S3::start().await;
    let wrong_key = photos::bucket("s3://pantau", s3.builder("bukan-kuncinya")).await.unwrap_err();
    assert!(wrong_key.contains("the bucket does not answer"), "{wrong_key}");
    let not_s3 = photos::bucket("https://pantau", s3.builder(SECRET_KEY)).await.unwrap_err();
    assert!(not_s3.contains("not an s3://bucket/prefix address"), "{not_s3}");
    let no_bucket = photos::bucket("s3://", s3.builder(SECRET_KEY)).await.unwrap_err();
    assert!(no_bucket.contains("s3://"), "{no_bucket}");
}
