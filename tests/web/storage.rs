//! Where reports live on the phone: IndexedDB, its quarantine, the second
//! copies that survive a corrupted database, and a full disk.

use crate::support::*;

#[wasm_bindgen_test]
async fn stored_entries_load_back_and_removal_is_kept() {
    storage().clear().unwrap();
    let store = fresh_store("roundtrip").await;
    let entries = [waiting(report("satu")), waiting(report("dua"))];
    for e in &entries {
        store.put(e).await.unwrap();
    }
    let mut loaded = store.load().await.unwrap();
    assert!(loaded.quarantined.is_empty());
    loaded.entries.sort_by_key(|e| e.report.summary(pantau_core::Lang::Id));
    let mut expected = entries.to_vec();
    expected.sort_by_key(|e| e.report.summary(pantau_core::Lang::Id));
    assert_eq!(loaded.entries, expected);

    store.remove(entries[0].report.id).await.unwrap();
    assert_eq!(store.load().await.unwrap().entries, vec![entries[1].clone()]);
    assert_eq!(store.get(entries[1].report.id).await.unwrap(), Some(entries[1].clone()));
}

#[wasm_bindgen_test]
async fn a_sent_record_is_never_turned_back_into_waiting_and_a_late_correction_is_refused_by_name() {
    let store = fresh_store("final").await;
    let r = report("sudah terkirim");
    store.put(&sent(r.clone(), 3)).await.unwrap();
    // A correction saved in another tab that had not heard of the receipt: it is
    // refused by name (the form says so), not dropped while saying "Tersimpan".
    let refused = store.put(&waiting(r.clone())).await;
    assert!(matches!(refused, Err(StoreError::AlreadySent)), "{refused:?}");
    assert_eq!(store.get(r.id).await.unwrap(), Some(sent(r.clone(), 3)));
    // Progress from a stale round is skipped the same way, and the rest is written.
    let other = waiting(report("lain"));
    store.put_progress(&[waiting(r.clone()), other.clone()]).await.unwrap();
    assert_eq!(store.get(r.id).await.unwrap(), Some(sent(r, 3)));
    assert_eq!(store.get(other.report.id).await.unwrap(), Some(other));
}

#[wasm_bindgen_test]
async fn the_old_local_storage_outbox_moves_into_indexeddb_and_unreadable_records_are_quarantined() {
    storage().clear().unwrap();
    let legacy = waiting(report("dari versi lama"));
    let legacy_key = format!("{LEGACY_LOCAL_STORAGE_PREFIX}{}", legacy.report.id);
    storage().set_item(&legacy_key, &pantau_core::envelope::encode(&legacy)).unwrap();
    let broken_key = format!("{LEGACY_LOCAL_STORAGE_PREFIX}rusak");
    storage().set_item(&broken_key, "{\"v\":1,\"entry\":{\"report\":42}}").unwrap();
    storage().set_item("pantau.draft", "{\"tps\":\"\",\"text\":\"x\"}").unwrap();

    let store = fresh_store("migrate").await;
    let loaded = store.load().await.unwrap();
    assert_eq!(loaded.migrated, 1);
    assert_eq!(loaded.entries, vec![legacy.clone()]);
    assert_eq!(loaded.quarantined.len(), 1);
    assert_eq!(loaded.quarantined[0].origin, format!("localStorage/{broken_key}"));
    assert_eq!(loaded.quarantined[0].raw, "{\"v\":1,\"entry\":{\"report\":42}}", "kept exactly as found");
    // The old keys are gone only now that IndexedDB has them; other keys are untouched.
    assert_eq!(storage().get_item(&legacy_key).unwrap(), None);
    assert!(storage().get_item("pantau.draft").unwrap().is_some());

    // A second start neither duplicates nor loses anything.
    let again = store.load().await.unwrap();
    assert_eq!((again.migrated, again.entries.len(), again.quarantined.len()), (0, 1, 1));
}

#[wasm_bindgen_test]
async fn an_unreadable_indexeddb_record_moves_to_quarantine_and_is_kept() {
    let name = format!("test-corrupt-{}", uuid::Uuid::new_v4());
    let store = OutboxStore::open(&name).await.unwrap();
    let good = waiting(report("baik"));
    store.put(&good).await.unwrap();
    write_raw_record(&name, "rusak", "{\"v\":99,\"entry\":{}}").await;

    let loaded = store.load().await.unwrap();
    assert_eq!(loaded.entries, vec![good]);
    assert_eq!(loaded.quarantined.len(), 1);
    assert_eq!(loaded.quarantined[0].origin, "outbox/rusak");
    assert!(loaded.quarantined[0].reason.contains("version 99"), "{}", loaded.quarantined[0].reason);
    assert_eq!(loaded.quarantined[0].raw, "{\"v\":99,\"entry\":{}}");
}

#[wasm_bindgen_test]
async fn a_record_that_is_not_text_is_quarantined_as_json_words() {
    let name = format!("test-object-{}", uuid::Uuid::new_v4());
    let store = OutboxStore::open(&name).await.unwrap();
    let object = js_sys::JSON::parse("{\"report\":7,\"tps\":\"001\"}").unwrap();
    write_raw_value(&name, "objek", &object).await;

    let loaded = store.load().await.unwrap();
    assert!(loaded.entries.is_empty());
    assert_eq!(loaded.quarantined.len(), 1);
    assert_eq!(loaded.quarantined[0].origin, "outbox/objek");
    assert_eq!(loaded.quarantined[0].reason, "not a string");
    // Its content in words someone can read, not the Rust debug form.
    assert_eq!(loaded.quarantined[0].raw, "{\"report\":7,\"tps\":\"001\"}");
}

#[wasm_bindgen_test]
async fn reports_indexeddb_lost_come_back_from_their_second_copy_and_confirmed_ones_do_not() {
    let name = format!("test-copy-{}", uuid::Uuid::new_v4());
    let store = OutboxStore::open(&name).await.unwrap();
    let unsent = report("belum terkirim");
    let confirmed = report("sudah terkirim");
    store.put(&waiting(unsent.clone())).await.unwrap();
    store.put(&waiting(confirmed.clone())).await.unwrap();
    // A failed send changes only the attempts; the server's receipt retires the copy.
    let failed =
        OutboxEntry::new(unsent.clone(), Delivery::Waiting { attempts: 3, last_error: Some("offline".into()) });
    store.put_progress(&[failed, sent(confirmed.clone(), 1)]).await.unwrap();

    wipe(&name, "outbox").await;
    let reopened = OutboxStore::open(&name).await.unwrap();
    let loaded = reopened.load().await.unwrap();
    assert_eq!(loaded.restored, 1);
    assert_eq!(
        loaded.entries,
        vec![waiting(unsent.clone())],
        "the unsent report is back, waiting; the confirmed one is not resent"
    );
    // Put back in IndexedDB too: the next start finds it there.
    let again = reopened.load().await.unwrap();
    assert_eq!((again.restored, again.entries), (0, vec![waiting(unsent)]));
}

#[wasm_bindgen_test]
async fn a_copy_that_cannot_be_read_is_listed_and_the_others_still_come_back() {
    let name = format!("test-copy-torn-{}", uuid::Uuid::new_v4());
    let store = OutboxStore::open(&name).await.unwrap();
    let (torn, intact) = (report("salinan rusak"), report("salinan utuh"));
    store.put(&waiting(torn.clone())).await.unwrap();
    store.put(&waiting(intact.clone())).await.unwrap();
    wipe(&name, "outbox").await;
    // Reading one copy fails, as a torn Cache Storage entry does after a kill.
    let restore = js_sys::Function::new_with_args(
        "id",
        "const original = Cache.prototype.match;
         Cache.prototype.match = function (request, options) {
           const url = typeof request === 'string' ? request : request.url;
           if (url.endsWith(id)) return Promise.reject(new DOMException('torn entry', 'UnknownError'));
           return original.call(this, request, options);
         };
         return () => { Cache.prototype.match = original; };",
    )
    .call1(&JsValue::NULL, &JsValue::from_str(&torn.id.to_string()))
    .unwrap()
    .unchecked_into::<js_sys::Function>();
    let loaded = OutboxStore::open(&name).await.unwrap().load().await;
    restore.call0(&JsValue::NULL).unwrap();
    let loaded = loaded.expect("one unreadable copy does not stop the start");
    assert_eq!(loaded.entries, vec![waiting(intact)]);
    assert_eq!(loaded.restored, 1);
    assert_eq!(loaded.quarantined.len(), 1);
    assert_eq!(loaded.quarantined[0].origin, format!("outbox-copy/{}", torn.id));
    assert!(loaded.quarantined[0].reason.contains("torn entry"), "{:?}", loaded.quarantined[0]);
}

#[wasm_bindgen_test]
async fn a_correction_that_could_not_be_stored_leaves_the_refused_report_its_copy() {
    let name = format!("test-copy-correction-{}", uuid::Uuid::new_v4());
    let store = OutboxStore::open(&name).await.unwrap();
    let refused = report("isi yang ditolak");
    let problem = invalid_report();
    store.put(&OutboxEntry::new(refused.clone(), Delivery::Rejected { problem })).await.unwrap();
    // The disk is full when the correction is written.
    let restore = js_sys::Function::new_no_args(
        "const original = IDBObjectStore.prototype.put;
         IDBObjectStore.prototype.put = function () { throw new DOMException('disk full', 'QuotaExceededError'); };
         return () => { IDBObjectStore.prototype.put = original; };",
    )
    .call0(&JsValue::NULL)
    .unwrap()
    .unchecked_into::<js_sys::Function>();
    let mut corrected = refused.clone();
    corrected.body = ReportBody::Note { text: "isi yang diperbaiki".into() };
    let failed = store.put(&waiting(corrected)).await;
    restore.call0(&JsValue::NULL).unwrap();
    assert!(matches!(failed, Err(StoreError::QuotaExceeded(_))), "{failed:?}");

    // Should IndexedDB now lose the outbox, the refused report comes back as it was.
    wipe(&name, "outbox").await;
    let loaded = OutboxStore::open(&name).await.unwrap().load().await.unwrap();
    assert_eq!(loaded.restored, 1);
    assert_eq!(loaded.entries, vec![waiting(refused)]);
}

#[wasm_bindgen_test]
async fn a_setting_indexeddb_lost_is_read_from_its_second_copy() {
    let name = format!("test-copy-setting-{}", uuid::Uuid::new_v4());
    let store = OutboxStore::open(&name).await.unwrap();
    store.set_setting("enrolment", &"pantau_token").await.unwrap();
    wipe(&name, "settings").await;
    assert_eq!(store.setting::<String>("enrolment").await.unwrap().as_deref(), Some("pantau_token"));
    assert_eq!(store.setting::<String>("missing").await.unwrap(), None);

    // Kept by a version before copies (IndexedDB only): reading it makes the copy.
    put_raw_setting(&name, "older", "\"pantau_older\"").await;
    assert_eq!(store.setting::<String>("older").await.unwrap().as_deref(), Some("pantau_older"));
    wipe(&name, "settings").await;
    assert_eq!(store.setting::<String>("older").await.unwrap().as_deref(), Some("pantau_older"));
}

#[wasm_bindgen_test]
async fn reports_saved_before_second_copies_existed_get_one_on_the_next_start() {
    let name = format!("test-copy-old-{}", uuid::Uuid::new_v4());
    let old = waiting(report("dari versi lama"));
    let store = OutboxStore::open(&name).await.unwrap();
    // As the previous version stored it: in IndexedDB only.
    write_raw_record(&name, &old.report.id.to_string(), &pantau_core::envelope::encode(&old)).await;
    assert_eq!(store.load().await.unwrap().entries, vec![old.clone()]);

    wipe(&name, "outbox").await;
    let loaded = store.load().await.unwrap();
    assert_eq!((loaded.restored, loaded.entries), (1, vec![old]));
}

#[wasm_bindgen_test]
fn a_full_disk_is_recognised_by_its_dom_name() {
    let full = web_sys::DomException::new_with_message_and_name("no space", "QuotaExceededError").unwrap();
    assert!(matches!(classify(&full.into()), StoreError::QuotaExceeded(_)));
    let other = web_sys::DomException::new_with_message_and_name("closing", "InvalidStateError").unwrap();
    let other = classify(&other.into());
    assert!(matches!(&other, StoreError::Other(m) if m.contains("InvalidStateError")), "{other:?}");
    let full = StoreError::QuotaExceeded(String::new());
    assert!(full.message(&pantau::i18n::ID).starts_with("penyimpanan penuh"), "{full}");
    assert!(full.message(&pantau::i18n::EN).starts_with("storage is full"));
}

fn photo_blob(bytes: &[u8]) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap()
}

fn with_photo(text: &str, sha256: &str) -> Report {
    let mut r = report(text);
    r.photos = vec![pantau_core::evidence::PhotoRef {
        sha256: sha256.into(),
        bytes: 3,
        width: 1,
        height: 1,
        item: None,
        taken_at: None,
    }];
    r
}

#[wasm_bindgen_test]
async fn a_report_is_saved_only_with_its_photos_kept_and_unused_photos_are_forgotten() {
    let store = fresh_store("photos").await;
    let (kept, lost, loose) = ("aa".repeat(32), "bb".repeat(32), "cc".repeat(32));
    store.put_photo(&kept, &photo_blob(&[0xFF, 0xD8, 0xFF])).await.unwrap();
    store.put_photo(&loose, &photo_blob(&[1, 2, 3])).await.unwrap();

    // A report naming a photo the phone does not hold is not saved, by name.
    let missing = waiting(with_photo("foto hilang", &lost));
    let refused = store.put(&missing).await;
    assert!(matches!(&refused, Err(StoreError::PhotoMissing(name)) if *name == lost), "{refused:?}");
    assert_eq!(store.get(missing.report.id).await.unwrap(), None, "nothing of it written");

    let saved = waiting(with_photo("dengan foto", &kept));
    store.put(&saved).await.unwrap();
    let bytes = store.photo(&kept).await.unwrap().expect("kept");
    assert_eq!(bytes.size(), 3.0);

    // Only the photos nothing names go.
    let gone =
        store.forget_photos_except(PhotosInUse { confirmed: vec![kept.clone()], unconfirmed: vec![] }).await.unwrap();
    assert_eq!(gone, 1);
    assert!(store.photo(&kept).await.unwrap().is_some());
    assert!(store.photo(&loose).await.unwrap().is_none());
    assert_eq!(store.get(saved.report.id).await.unwrap(), Some(saved));
}

#[wasm_bindgen_test]
async fn photos_indexeddb_lost_come_back_from_their_copy_until_their_report_is_confirmed() {
    let name = format!("test-copy-photo-{}", uuid::Uuid::new_v4());
    let store = OutboxStore::open(&name).await.unwrap();
    let (unsent, confirmed) = ("dd".repeat(32), "ee".repeat(32));
    store.put_photo(&unsent, &photo_blob(&[0xFF, 0xD8, 0xFF, 1])).await.unwrap();
    store.put_photo(&confirmed, &photo_blob(&[0xFF, 0xD8, 0xFF, 2, 2])).await.unwrap();
    let report = waiting(with_photo("foto belum terkirim", &unsent));
    store.put(&report).await.unwrap();
    // The start after a receipt: copies only for what is not confirmed yet.
    store
        .forget_photos_except(PhotosInUse { confirmed: vec![confirmed.clone()], unconfirmed: vec![unsent.clone()] })
        .await
        .unwrap();

    wipe(&name, "outbox").await;
    wipe(&name, "photos").await;
    let reopened = OutboxStore::open(&name).await.unwrap();
    let loaded = reopened.load().await.unwrap();
    assert_eq!(loaded.entries, vec![report], "the report is back from its copy");
    let photo = reopened.photo(&unsent).await.unwrap().expect("its photo is back from its copy");
    let bytes = js_sys::Uint8Array::new(&wasm_bindgen_futures::JsFuture::from(photo.array_buffer()).await.unwrap());
    assert_eq!(bytes.to_vec(), vec![0xFF, 0xD8, 0xFF, 1], "byte for byte");
    assert_eq!(reopened.photo(&confirmed).await.unwrap(), None, "a confirmed report's photo has no copy");
    // Put back in IndexedDB as well: found there without the copy.
    let db = idb::Factory::new().unwrap().open(&name, None).unwrap().await.unwrap();
    let tx = db.transaction(&["photos"], idb::TransactionMode::ReadOnly).unwrap();
    let back = tx.object_store("photos").unwrap().get(JsValue::from_str(&unsent)).unwrap().await.unwrap();
    assert!(back.is_some_and(|b| b.is_instance_of::<web_sys::Blob>()));
    db.close();
}

#[wasm_bindgen_test]
async fn a_photo_kept_before_copies_existed_gets_one_while_its_report_is_unsent() {
    let name = format!("test-copy-old-photo-{}", uuid::Uuid::new_v4());
    let store = OutboxStore::open(&name).await.unwrap();
    let photo = "ff".repeat(32);
    // Kept by a version without copies: IndexedDB only.
    let db = idb::Factory::new().unwrap().open(&name, None).unwrap().await.unwrap();
    let tx = db.transaction(&["photos"], idb::TransactionMode::ReadWrite).unwrap();
    tx.object_store("photos")
        .unwrap()
        .put(&photo_blob(&[0xFF, 0xD8, 0xFF, 3]), Some(&JsValue::from_str(&photo)))
        .unwrap()
        .await
        .unwrap();
    tx.await.unwrap();
    db.close();
    let report = waiting(with_photo("foto lama", &photo));
    store.put(&report).await.unwrap();

    // The next start's sweep copies it.
    store.forget_photos_except(PhotosInUse { confirmed: vec![], unconfirmed: vec![photo.clone()] }).await.unwrap();
    wipe(&name, "outbox").await;
    wipe(&name, "photos").await;
    let reopened = OutboxStore::open(&name).await.unwrap();
    assert_eq!(reopened.load().await.unwrap().entries, vec![report]);
    let back = reopened.photo(&photo).await.unwrap().expect("back from the copy the sweep made");
    assert_eq!(back.size(), 4.0);
}

#[wasm_bindgen_test]
async fn the_photo_sweep_keeps_the_photos_of_a_report_another_tab_saved_since() {
    let name = format!("test-sweep-tabs-{}", uuid::Uuid::new_v4());
    let this_tab = OutboxStore::open(&name).await.unwrap();
    let other_tab = OutboxStore::open(&name).await.unwrap();
    let photo = "ab".repeat(32);
    other_tab.put_photo(&photo, &photo_blob(&[0xFF, 0xD8, 0xFF, 4])).await.unwrap();
    let report = waiting(with_photo("dari tab lain", &photo));
    other_tab.put(&report).await.unwrap();

    // This tab read its outbox before that save: its lists do not name the photo.
    let gone = this_tab.forget_photos_except(PhotosInUse::default()).await.unwrap();
    assert_eq!(gone, 0, "the other tab's report still has its photo");
    assert!(this_tab.photo(&photo).await.unwrap().is_some());
    // And its copy: IndexedDB lost, the photo still comes back.
    wipe(&name, "photos").await;
    assert_eq!(this_tab.photo(&photo).await.unwrap().map(|b| b.size()), Some(4.0));
}
