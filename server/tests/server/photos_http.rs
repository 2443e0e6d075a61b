//! Photos: resumable uploads named by their SHA-256, stored once, refused
//! when wrong, and read back only by their uploader and coordinators in scope.

use crate::common::{problem, report, TestServer};
use pantau_core::evidence::PhotoRef;
use pantau_server::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A "JPEG" of `len` bytes: the start-of-image marker, then bytes from `seed`.
pub(crate) fn jpeg(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..len - 4).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

pub(crate) fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn photo_ref(bytes: &[u8]) -> PhotoRef {
    PhotoRef { sha256: sha(bytes), bytes: bytes.len() as u32, width: 1600, height: 1200, item: None, taken_at: None }
}

pub(crate) async fn patch(
    server: &TestServer,
    token: &str,
    name: &str,
    offset: u64,
    length: usize,
    body: Vec<u8>,
) -> reqwest::Response {
    server
        .http
        .patch(server.url(&format!("/api/v1/photos/{name}/upload")))
        .bearer_auth(token)
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", offset.to_string())
        .header("upload-length", length.to_string())
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn state(server: &TestServer, token: &str, name: &str) -> Value {
    server.get_json(token, &format!("/api/v1/photos/{name}/upload")).await
}

pub(crate) async fn get_photo(server: &TestServer, token: &str, name: &str) -> (StatusCode, Vec<u8>) {
    let response =
        server.http.get(server.url(&format!("/api/v1/photos/{name}"))).bearer_auth(token).send().await.unwrap();
    (response.status(), response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_photo_uploaded_in_parts_resumes_at_the_held_offset_and_is_stored_once() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let bytes = jpeg(300_000, 1);
    let name = sha(&bytes);
    assert_eq!(state(&server, &token, &name).await, json!({ "offset": 0, "stored": false }));

    let first = patch(&server, &token, &name, 0, bytes.len(), bytes[..100_000].to_vec()).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["upload-offset"], "100000");
    assert_eq!(state(&server, &token, &name).await, json!({ "offset": 100_000, "stored": false }));

    // A resend of the first part (its answer was lost) is told where to go on.
    let stale = patch(&server, &token, &name, 0, bytes.len(), bytes[..100_000].to_vec()).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(stale.headers()["upload-offset"], "100000");
    // Refused unread: the connection closes, so the phone stops sending the rest.
    assert_eq!(stale.headers()["connection"], "close");
    assert!(first.headers().get("connection").is_none_or(|c| c != "close"), "a read part keeps the connection");
    assert_eq!(problem(stale).await["type"], "https://pantau.id/problems/upload-offset-mismatch");

    let rest = patch(&server, &token, &name, 100_000, bytes.len(), bytes[100_000..].to_vec()).await;
    assert_eq!(rest.status(), StatusCode::CREATED);
    assert_eq!(rest.json::<Value>().await.unwrap(), json!({ "offset": 300_000, "stored": true }));
    let object = server.photos_dir.join("objects").join(&name[..2]).join(&name);
    assert_eq!(std::fs::read(&object).unwrap(), bytes, "stored byte for byte under its hash");

    // A repeat of the whole upload is answered as stored, and changes nothing.
    let repeat = patch(&server, &token, &name, 0, bytes.len(), bytes.clone()).await;
    assert_eq!(repeat.status(), StatusCode::OK);
    assert_eq!(repeat.json::<Value>().await.unwrap()["stored"], true);
    assert_eq!(get_photo(&server, &token, &name).await, (StatusCode::OK, bytes.clone()));

    // Another volunteer's copy of the same bytes is stored once too, and
    // knowing a hash is not enough to read a photo.
    let other = server.volunteer("Budi").await;
    assert_eq!(get_photo(&server, &other, &name).await.0, StatusCode::NOT_FOUND);
    assert_eq!(state(&server, &other, &name).await["offset"], 0);
    assert_eq!(patch(&server, &other, &name, 0, bytes.len(), bytes.clone()).await.status(), StatusCode::CREATED);
    assert_eq!(get_photo(&server, &other, &name).await, (StatusCode::OK, bytes));
    let folder = server.photos_dir.join("objects").join(&name[..2]);
    assert_eq!(std::fs::read_dir(folder).unwrap().count(), 1);
}

#[tokio::test]
async fn a_connection_dropped_mid_upload_keeps_what_arrived_and_the_upload_resumes() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let bytes = jpeg(200_000, 2);
    let name = sha(&bytes);
    // A body that sends 64 KB and then breaks, as a link that drops does.
    let part = bytes[..65_536].to_vec();
    let stream = futures::stream::unfold(0, move |step| {
        let part = part.clone();
        async move {
            match step {
                0 => Some((Ok(bytes::Bytes::from(part)), 1)),
                1 => {
                    // The part is on the wire before the link goes.
                    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                    Some((Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "signal lost")), 2))
                }
                _ => None,
            }
        }
    });
    let broken = server
        .http
        .patch(server.url(&format!("/api/v1/photos/{name}/upload")))
        .bearer_auth(&token)
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", "0")
        .header("upload-length", bytes.len().to_string())
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    assert!(broken.is_err(), "the request broke off");
    // The server notices the broken body a moment later.
    let mut held = 0;
    for _ in 0..100 {
        held = state(&server, &token, &name).await["offset"].as_u64().unwrap();
        if held == 65_536 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(held, 65_536, "what arrived before the drop is kept");
    // The broken request may still hold its claim for a moment after its
    // bytes are counted: that is a 409 at the same offset, and the phone
    // tries again, as here.
    let mut rest = patch(&server, &token, &name, held, bytes.len(), bytes[held as usize..].to_vec()).await;
    for _ in 0..100 {
        if rest.status() != StatusCode::CONFLICT {
            break;
        }
        assert_eq!(rest.headers()["upload-offset"], held.to_string().as_str(), "a busy answer keeps the offset");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        rest = patch(&server, &token, &name, held, bytes.len(), bytes[held as usize..].to_vec()).await;
    }
    assert_eq!(rest.status(), StatusCode::CREATED);
    assert_eq!(get_photo(&server, &token, &name).await, (StatusCode::OK, bytes));
}

#[tokio::test]
async fn wrong_bytes_are_refused_by_name_and_nothing_half_written_is_kept() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let bytes = jpeg(50_000, 3);
    let name = sha(&bytes);

    // Bytes that do not hash to the name: refused, nothing kept.
    let mut tampered = bytes.clone();
    tampered[1000] ^= 1;
    let response = patch(&server, &token, &name, 0, bytes.len(), tampered).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(response).await["type"], "https://pantau.id/problems/photo-hash-mismatch");
    assert_eq!(state(&server, &token, &name).await, json!({ "offset": 0, "stored": false }));

    // Bytes that are not a JPEG.
    let text = b"this is not a photo at all".to_vec();
    let response = patch(&server, &token, &sha(&text), 0, text.len(), text.clone()).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(problem(response).await["type"], "https://pantau.id/problems/not-a-photo");
    assert_eq!(get_photo(&server, &token, &sha(&text)).await.0, StatusCode::NOT_FOUND);

    // A chunk beyond the declared length: none of it is kept.
    assert_eq!(patch(&server, &token, &name, 0, bytes.len(), bytes[..10_000].to_vec()).await.status(), StatusCode::OK);
    let mut longer = bytes[10_000..].to_vec();
    longer.extend_from_slice(b"extra");
    let response = patch(&server, &token, &name, 10_000, bytes.len(), longer).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.headers()["upload-offset"], "10000");
    assert_eq!(state(&server, &token, &name).await["offset"], 10_000);

    // An offset beyond what is held.
    let response = patch(&server, &token, &name, 20_000, bytes.len(), bytes[20_000..].to_vec()).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);

    // Too large a photo, a name that is not a hash, the wrong body type, missing headers.
    let response = patch(&server, &token, &name, 0, 1_500_001, vec![0xFF]).await;
    assert_eq!(problem(response).await["type"], "https://pantau.id/problems/photo-too-large");
    let response = patch(&server, &token, "photo.jpg", 0, 10, vec![0xFF]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = server
        .http
        .patch(server.url(&format!("/api/v1/photos/{name}/upload")))
        .bearer_auth(&token)
        .header("content-type", "image/jpeg")
        .header("upload-offset", "0")
        .header("upload-length", "10")
        .body(vec![0xFF])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let response = server
        .http
        .patch(server.url(&format!("/api/v1/photos/{name}/upload")))
        .bearer_auth(&token)
        .header("content-type", "application/offset+octet-stream")
        .body(vec![0xFF])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(problem(response).await["detail"].as_str().unwrap().contains("upload-offset"));
}

#[tokio::test]
async fn a_report_waits_for_its_photos_and_coordinators_read_them_within_scope() {
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let bytes = jpeg(80_000, 4);
    let mut filed = report("Serangan fajar di depan TPS");
    filed.photos = vec![photo_ref(&bytes)];

    // Not uploaded yet: refused by name, alone and in a batch.
    let response = server.post_report(&token, &filed).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = problem(response).await;
    assert_eq!(body["type"], "https://pantau.id/problems/photos-missing");
    assert!(body["detail"].as_str().unwrap().contains(&filed.photos[0].sha256));
    let batch = server.post_batch(&token, &json!({ "reports": [filed] })).await.json::<Value>().await.unwrap();
    assert_eq!(batch["results"][0]["status"], 422);

    // A size that is not the uploaded one is as good as missing.
    assert_eq!(
        patch(&server, &token, &filed.photos[0].sha256, 0, bytes.len(), bytes.clone()).await.status(),
        StatusCode::CREATED
    );
    let mut wrong_size = filed.clone();
    wrong_size.photos[0].bytes += 1;
    assert_eq!(server.post_report(&token, &wrong_size).await.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let stored = server.post_report(&token, &filed).await;
    assert_eq!(stored.status(), StatusCode::CREATED);
    let receipt: Value = stored.json().await.unwrap();
    let repeat = server.post_report(&token, &filed).await;
    assert_eq!(repeat.status(), StatusCode::OK);
    assert_eq!(repeat.json::<Value>().await.unwrap(), receipt);

    let name = &filed.photos[0].sha256;
    let everywhere = server.coordinator().await;
    let kota = server.coordinator_for(Some("6471")).await;
    let elsewhere = server.coordinator_for(Some("6472")).await;
    assert_eq!(get_photo(&server, &everywhere, name).await, (StatusCode::OK, bytes.clone()));
    assert_eq!(get_photo(&server, &kota, name).await, (StatusCode::OK, bytes));
    assert_eq!(get_photo(&server, &elsewhere, name).await.0, StatusCode::NOT_FOUND);
    // A photo no report shows is not the desk's to read.
    let loose = jpeg(1_000, 5);
    assert_eq!(patch(&server, &token, &sha(&loose), 0, loose.len(), loose.clone()).await.status(), StatusCode::CREATED);
    assert_eq!(get_photo(&server, &everywhere, &sha(&loose)).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_volunteers_photo_bytes_per_day_are_limited_with_a_retry_after() {
    let server = TestServer::start_with(Config { photo_bytes_per_day: 100_000, ..Config::default() }).await;
    let token = server.volunteer("Sari").await;
    let first = jpeg(60_000, 6);
    assert_eq!(patch(&server, &token, &sha(&first), 0, first.len(), first.clone()).await.status(), StatusCode::CREATED);
    let second = jpeg(60_000, 7);
    let response = patch(&server, &token, &sha(&second), 0, second.len(), second.clone()).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&wait), "{wait}");
    assert_eq!(problem(response).await["type"], "https://pantau.id/problems/photo-quota-exceeded");
    // Another volunteer has their own allowance.
    let other = server.volunteer("Budi").await;
    assert_eq!(patch(&server, &other, &sha(&second), 0, second.len(), second).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn exports_link_photos_and_geojson_holds_the_reports_with_a_position() {
    use pantau_core::evidence::Position;
    let server = TestServer::start().await;
    let token = server.volunteer("Sari").await;
    let bytes = jpeg(20_000, 8);
    assert_eq!(patch(&server, &token, &sha(&bytes), 0, bytes.len(), bytes.clone()).await.status(), StatusCode::CREATED);
    let mut placed = report("Di depan balai desa");
    placed.photos = vec![photo_ref(&bytes)];
    placed.position = Some(Position { lat_e6: -1_265_386, lon_e6: 116_831_235, accuracy_m: 25 });
    assert_eq!(server.post_report(&token, &placed).await.status(), StatusCode::CREATED);
    assert_eq!(server.post_report(&token, &report("Tanpa lokasi")).await.status(), StatusCode::CREATED);

    let desk = server.coordinator().await;
    let csv = server
        .http
        .get(server.url("/api/v1/reports.csv"))
        .bearer_auth(&desk)
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let row = rows.iter().find(|r| r[column("report_id")] == placed.id.to_string()).unwrap();
    assert_eq!(&row[column("latitude")], "-1.265386");
    assert_eq!(&row[column("longitude")], "116.831235");
    assert_eq!(&row[column("accuracy_m")], "25");
    let link = format!("https://{}/desk/foto/{}", server.addr, sha(&bytes));
    assert_eq!(&row[column("photos")], link);

    let response = server.http.get(server.url("/api/v1/reports.geojson")).bearer_auth(&desk).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    let geojson: Value = response.json().await.unwrap();
    assert_eq!(geojson["type"], "FeatureCollection");
    let features = geojson["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "only the report with a position: {geojson}");
    assert_eq!(features[0]["geometry"], json!({ "type": "Point", "coordinates": [116.831235, -1.265386] }));
    assert_eq!(features[0]["properties"]["report_id"], placed.id.to_string());
    assert_eq!(features[0]["properties"]["photos"][0], format!("http://{}/desk/foto/{}", server.addr, sha(&bytes)));
    // Outside the scope, nothing.
    let elsewhere = server.coordinator_for(Some("6472")).await;
    let geojson = server.get_json(&elsewhere, "/api/v1/reports.geojson").await;
    assert_eq!(geojson["features"], json!([]));
}
