//! The PWA's browser adapters and screen, in headless Chromium
//! (`cargo xtask test` runs them through wasm-bindgen-test-runner).

use leptos::prelude::*;
use pantau::api::{post_batch, post_batch_within, ApiBase};
use pantau::outbox_store::{classify, OutboxStore, StoreError, LEGACY_LOCAL_STORAGE_PREFIX};
use pantau_core::outbox::{Delivery, OutboxEntry};
use pantau_core::{Report, ReportBody, ReportId, SendOutcome};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Nothing listens on the discard port: fetch fails as it does with no signal.
const UNREACHABLE: &str = "http://127.0.0.1:9";

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn report(text: &str) -> Report {
    Report::new(
        ReportId(uuid::Uuid::new_v4()),
        "6471011001-007",
        time::macros::datetime!(2026-02-14 10:00 +08:00),
        ReportBody::Note { text: text.into() },
    )
}

/// What the server answers a report that fails validation.
fn invalid_report() -> pantau_core::protocol::Problem {
    pantau_core::protocol::Problem {
        kind: "https://pantau.id/problems/invalid-report".into(),
        title: "The report is invalid".into(),
        status: 422,
        detail: None,
        errors: vec![],
    }
}

fn waiting(report: Report) -> OutboxEntry {
    OutboxEntry { report, delivery: Delivery::Waiting { attempts: 0, last_error: None } }
}

/// A fresh database per test, so tests do not see each other's reports.
async fn fresh_store(name: &str) -> OutboxStore {
    let name = format!("test-{name}-{}", uuid::Uuid::new_v4());
    OutboxStore::open(&name).await.unwrap()
}

fn sent(report: Report, seq: i64) -> OutboxEntry {
    let receipt =
        pantau_core::Receipt { id: report.id, received_at: time::macros::datetime!(2026-02-14 10:05 UTC), seq };
    OutboxEntry { report, delivery: Delivery::Sent { receipt } }
}

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
    storage().set_item(&legacy_key, &pantau_core::outbox::encode(&legacy)).unwrap();
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

/// Writes a record behind the store's back, as an older or broken version might have.
async fn write_raw_record(database: &str, key: &str, value: &str) {
    let factory = idb::Factory::new().unwrap();
    let db = factory.open(database, None).unwrap().await.unwrap();
    let tx = db.transaction(&["outbox"], idb::TransactionMode::ReadWrite).unwrap();
    let store = tx.object_store("outbox").unwrap();
    store.put(&JsValue::from_str(value), Some(&JsValue::from_str(key))).unwrap().await.unwrap();
    tx.await.unwrap();
    db.close();
}

/// Empties a store behind the app's back, as Chromium does to the whole
/// database when it finds it corrupt after a kill (the app then creates it anew).
async fn wipe(database: &str, store: &str) {
    let db = idb::Factory::new().unwrap().open(database, None).unwrap().await.unwrap();
    let tx = db.transaction(&[store], idb::TransactionMode::ReadWrite).unwrap();
    tx.object_store(store).unwrap().clear().unwrap().await.unwrap();
    tx.await.unwrap();
    db.close();
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
    let failed = OutboxEntry {
        report: unsent.clone(),
        delivery: Delivery::Waiting { attempts: 3, last_error: Some("offline".into()) },
    };
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
    store.put(&OutboxEntry { report: refused.clone(), delivery: Delivery::Rejected { problem } }).await.unwrap();
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

async fn put_raw_setting(database: &str, key: &str, json: &str) {
    let db = idb::Factory::new().unwrap().open(database, None).unwrap().await.unwrap();
    let tx = db.transaction(&["settings"], idb::TransactionMode::ReadWrite).unwrap();
    tx.object_store("settings")
        .unwrap()
        .put(&JsValue::from_str(json), Some(&JsValue::from_str(key)))
        .unwrap()
        .await
        .unwrap();
    tx.await.unwrap();
    db.close();
}

#[wasm_bindgen_test]
async fn reports_saved_before_second_copies_existed_get_one_on_the_next_start() {
    let name = format!("test-copy-old-{}", uuid::Uuid::new_v4());
    let old = waiting(report("dari versi lama"));
    let store = OutboxStore::open(&name).await.unwrap();
    // As the previous version stored it: in IndexedDB only.
    write_raw_record(&name, &old.report.id.to_string(), &pantau_core::outbox::encode(&old)).await;
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

#[wasm_bindgen_test]
async fn no_connection_means_retry_later() {
    let reports = [report("tanpa sinyal"), report("juga tanpa sinyal")];
    let outcomes = post_batch(&ApiBase(UNREACHABLE.into()), "pantau_token", &reports).await;
    assert_eq!(outcomes.len(), 2);
    use pantau_core::protocol::WaitReason;
    // Kotak keluar tells the volunteer why, from the reason kept with each report.
    assert!(
        outcomes.iter().all(
            |o| matches!(o, SendOutcome::RetryLater { reason, .. } if WaitReason::of(reason) == WaitReason::NoConnection)
        ),
        "{outcomes:?}"
    );
}

/// Answers every fetch with `status` and `body`; returns what puts fetch back.
fn answer_every_fetch_with(status: u16, content_type: &str, body: &str) -> js_sys::Function {
    js_sys::Function::new_with_args(
        "status, type, body",
        "const original = window.fetch;
         window.fetch = async () => new Response(body, { status, headers: { 'Content-Type': type } });
         return () => { window.fetch = original; };",
    )
    .call3(&JsValue::NULL, &status.into(), &content_type.into(), &body.into())
    .unwrap()
    .unchecked_into::<js_sys::Function>()
}

#[wasm_bindgen_test]
async fn a_refused_enrolment_code_is_explained_in_the_volunteers_language_and_a_portals_page_is_not_a_refusal() {
    use pantau::enrolment::{enrol, EnrolError};
    storage().clear().unwrap();
    let problem = r#"{"type":"https://pantau.id/problems/unknown-enrolment-code","title":"This enrolment code is unknown, already used or revoked","status":404}"#;
    let restore = answer_every_fetch_with(404, "application/problem+json", problem);
    let refused = enrol(&ApiBase(UNREACHABLE.into()), "K7QX-M2PA-9RTD").await;
    restore.call0(&JsValue::NULL).unwrap();
    let Err(refused @ EnrolError::Refused(_)) = refused else { panic!("{refused:?}") };
    let shown = refused.message(pantau_core::Lang::Id);
    assert_eq!(
        shown,
        "Kode pendaftaran ditolak: kode tidak dikenal, sudah dipakai, atau dicabut. Minta kode baru ke koordinator."
    );

    assert_eq!(pantau::enrolment::unfinished_code(), None, "a refused code is not tried again");

    // A page that is not ours (a portal's, a proxy's) says nothing about the
    // code: it is kept and tried again, not declared refused.
    let restore = answer_every_fetch_with(403, "text/html", "<h1>Forbidden</h1>");
    let answer = enrol(&ApiBase(UNREACHABLE.into()), "K7QX-M2PA-9RTD").await;
    restore.call0(&JsValue::NULL).unwrap();
    assert!(matches!(answer, Err(EnrolError::Network(_))), "{answer:?}");
    assert_eq!(pantau::enrolment::unfinished_code().as_deref(), Some("K7QX-M2PA-9RTD"));
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
async fn a_server_that_takes_the_request_and_never_answers_is_given_up_on() {
    // A captive portal that holds the connection open: fetch never settles
    // unless the request is aborted.
    let restore = js_sys::Function::new_no_args(
        "const original = window.fetch;
         window.fetch = (input, init) => new Promise((_, reject) => {
           const signal = (init && init.signal) || input.signal;
           if (signal) signal.addEventListener('abort', () => reject(signal.reason));
         });
         return () => { window.fetch = original; };",
    )
    .call0(&JsValue::NULL)
    .unwrap()
    .unchecked_into::<js_sys::Function>();
    let reports = vec![report("a"), report("b")];
    let outcomes = post_batch_within(&ApiBase(UNREACHABLE.into()), "pantau_token", &reports, 300).await;
    restore.call0(&JsValue::NULL).unwrap();
    assert_eq!(outcomes.len(), 2);
    for outcome in outcomes {
        match outcome {
            SendOutcome::RetryLater { reason, .. } => assert!(reason.contains("no answer within"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}

#[wasm_bindgen_test]
async fn a_report_another_tab_saves_while_this_one_is_starting_is_taken_in() {
    let name = format!("test-early-{}", uuid::Uuid::new_v4());
    // The app does this when it mounts; this test drives the engine alone.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let engine = pantau::sync::SyncEngine::new(
        RwSignal::new(pantau_core::Outbox::default()),
        RwSignal::new(None),
        ApiBase(UNREACHABLE.into()),
    );
    // This tab is loading: it listens, but its store is not open yet.
    engine.listen_to_other_tabs();
    let other_tab = OutboxStore::open(&name).await.unwrap();
    let saved_elsewhere = report("disimpan di tab lain");
    other_tab.put(&waiting(saved_elsewhere.clone())).await.unwrap();
    let channel = web_sys::BroadcastChannel::new("pantau-outbox").unwrap();
    pantau::sync::announce(Some(&channel), [saved_elsewhere.id]);
    sleep_ms(50).await;
    assert!(engine.outbox.with_untracked(|o| o.get(saved_elsewhere.id).is_none()), "not before the store is ready");

    engine.attach_store(OutboxStore::open(&name).await.unwrap());
    until("the other tab's report", || engine.outbox.with_untracked(|o| o.get(saved_elsewhere.id).is_some())).await;
    channel.close();
}

#[wasm_bindgen_test]
async fn a_refusal_another_tab_discarded_leaves_this_tab_too() {
    let name = format!("test-discarded-{}", uuid::Uuid::new_v4());
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let problem = invalid_report();
    let refused = OutboxEntry { report: report("ditolak"), delivery: Delivery::Rejected { problem } };
    let other_tab = OutboxStore::open(&name).await.unwrap();
    other_tab.put(&refused).await.unwrap();
    let mut outbox = pantau_core::Outbox::default();
    outbox.absorb(refused.clone());
    let engine = pantau::sync::SyncEngine::new(RwSignal::new(outbox), RwSignal::new(None), ApiBase(UNREACHABLE.into()));
    engine.listen_to_other_tabs();
    engine.attach_store(OutboxStore::open(&name).await.unwrap());

    other_tab.remove(refused.report.id).await.unwrap();
    let channel = web_sys::BroadcastChannel::new("pantau-outbox").unwrap();
    pantau::sync::announce(Some(&channel), [refused.report.id]);
    until("the discarded report gone here too", || engine.outbox.with_untracked(|o| o.is_empty())).await;
    channel.close();
}

#[wasm_bindgen_test]
fn the_enrolment_code_is_read_from_the_coordinators_link() {
    use pantau::enrolment::code_from_fragment;
    assert_eq!(code_from_fragment("#daftar=K7QX-M2PA-9RTD").as_deref(), Some("K7QX-M2PA-9RTD"));
    assert_eq!(code_from_fragment("#daftar="), None);
    assert_eq!(code_from_fragment("#kotak-keluar"), None);
    assert_eq!(code_from_fragment(""), None);
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn by_selector(root: &web_sys::Element, selector: &str) -> web_sys::Element {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}"))
}

fn type_into(root: &web_sys::Element, selector: &str, value: &str) {
    let el = by_selector(root, selector);
    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_value(value);
    } else {
        el.dyn_ref::<web_sys::HtmlTextAreaElement>().unwrap().set_value(value);
    }
    let event = web_sys::Event::new_with_event_init_dict("input", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .unwrap();
    el.dispatch_event(&event).unwrap();
}

fn choose(root: &web_sys::Element, selector: &str, value: &str) {
    let el = by_selector(root, selector);
    el.dyn_ref::<web_sys::HtmlSelectElement>().unwrap().set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    el.dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap()).unwrap();
}

fn value_of(root: &web_sys::Element, selector: &str) -> String {
    let el = by_selector(root, selector);
    match el.dyn_ref::<web_sys::HtmlInputElement>() {
        Some(input) => input.value(),
        None => el.unchecked_into::<web_sys::HtmlTextAreaElement>().value(),
    }
}

fn text(root: &web_sys::Element) -> String {
    root.text_content().unwrap_or_default()
}

/// Waits (up to 5 s) until `done` holds.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..250 {
        if done() {
            return;
        }
        sleep_ms(20).await;
    }
    panic!("timed out waiting for {what}");
}

/// Mounts the whole app on a screen (`hash`), with its own database and no server.
async fn mount_app(
    hash: &str,
) -> (web_sys::Element, String, leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>) {
    mount_app_on(hash, format!("test-app-{}", uuid::Uuid::new_v4())).await
}

/// Mounts the app on an existing database (e.g. one a test filled first).
async fn mount_app_on(
    hash: &str,
    database: String,
) -> (web_sys::Element, String, leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>) {
    let window = web_sys::window().unwrap();
    window.location().set_hash(hash).unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let app_database = database.clone();
    let mounted = leptos::mount::mount_to(root.clone().unchecked_into(), move || {
        view! { <pantau::App api=ApiBase(UNREACHABLE.into()) database=app_database.clone()/> }
    });
    (root, database, mounted)
}

async fn until_ready(root: &web_sys::Element) {
    until("the outbox to open", || {
        !by_selector(root, "[data-testid=save]").unchecked_into::<web_sys::HtmlButtonElement>().disabled()
    })
    .await;
}

fn click(root: &web_sys::Element, selector: &str) {
    by_selector(root, selector).unchecked_into::<web_sys::HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn an_incident_is_refused_with_named_fields_then_saved_and_listed_as_waiting() {
    storage().clear().unwrap();
    let (root, database, _mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;

    // An invalid TPS and missing fields are refused, each named, and nothing is queued.
    type_into(&root, "#tps", "12345");
    type_into(&root, "#description", "Pemilih tidak diberi tinta");
    click(&root, "[data-testid=save]");
    leptos::task::tick().await;
    let shown = text(&root);
    assert!(shown.contains("10 angka"), "{shown}");
    assert!(shown.contains("Wajib diisi"), "the category and place are required: {shown}");
    assert!(OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries.is_empty());

    type_into(&root, "#tps", "6471011001 12");
    choose(&root, "#category", "polling_officials");
    type_into(&root, "#place", "Meja KPPS 2");
    click(&root, "[data-testid=save]");
    // "Tersimpan" only once IndexedDB has completed the write.
    until("Tersimpan", || {
        by_selector(&root, "[data-testid=form-message]").text_content().unwrap().contains("Tersimpan")
    })
    .await;
    // The form is cleared for the next report; the TPS is kept, canonical.
    assert_eq!(value_of(&root, "#description"), "");
    assert_eq!(value_of(&root, "#tps"), "6471011001-012");

    let stored = OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries;
    assert_eq!(stored.len(), 1);
    match &stored[0].report.body {
        ReportBody::Incident { category, place, description, .. } => {
            assert_eq!(*category, pantau_core::IncidentCategory::PollingOfficials);
            assert_eq!(place, "Meja KPPS 2");
            assert_eq!(description, "Pemilih tidak diberi tinta");
        }
        other => panic!("{other:?}"),
    }

    // Kotak keluar lists it; saving tried a send at once, and with no connection it waits.
    web_sys::window().unwrap().location().set_hash("#/kotak-keluar").unwrap();
    until("the outbox row", || root.query_selector("[data-testid=outbox] li").unwrap().is_some()).await;
    let state = || by_selector(&root, "[data-testid=outbox] li").get_attribute("data-state").unwrap_or_default();
    until("waiting", || state() == "waiting").await;
    let item = by_selector(&root, "[data-testid=outbox] li");
    assert!(text(&item).contains("Menunggu"), "{}", text(&item));
    assert!(text(&item).contains("TPS 6471011001-012"));
    assert!(text(&item).contains("Petugas KPPS"));
    assert_eq!(item.get_attribute("data-report-id"), Some(stored[0].report.id.to_string()));
}

#[wasm_bindgen_test]
async fn the_checklist_shows_the_phase_items_and_names_each_unanswered_one() {
    storage().clear().unwrap();
    let (root, _database, _mounted) = mount_app("#/baru/checklist").await;
    until_ready(&root).await;
    type_into(&root, "#tps", "6471011001-3");
    let items = |root: &web_sys::Element| root.query_selector_all("fieldset.item").unwrap().length();
    assert_eq!(items(&root), 6, "the opening phase");
    click(&root, "input[name=phase][value=counting]");
    leptos::task::tick().await;
    assert_eq!(items(&root), 4, "the counting phase");

    // Answer all but one: the missing item is named, nothing is saved.
    for id in ["count_open_same_day", "unused_ballots_announced", "c_hasil_displayed"] {
        click(&root, &format!("fieldset[data-item={id}] input[value=yes]"));
    }
    // A note field appears for a "Tidak".
    assert!(root.query_selector("#note-c_hasil_displayed").unwrap().is_none());
    click(&root, "fieldset[data-item=c_hasil_displayed] input[value=no]");
    leptos::task::tick().await;
    type_into(&root, "#note-c_hasil_displayed", "Tidak dipajang");
    click(&root, "[data-testid=save]");
    leptos::task::tick().await;
    let missing = by_selector(&root, "fieldset[data-item=objections_recorded]");
    assert!(text(&missing).contains("Wajib diisi"), "{}", text(&missing));
    assert!(
        root.query_selector("fieldset[data-item=ink]").unwrap().is_none(),
        "a voting item is not in the counting checklist"
    );

    click(&root, "fieldset[data-item=objections_recorded] input[value=unknown]");
    click(&root, "[data-testid=save]");
    until("Tersimpan", || text(&root).contains("Tersimpan")).await;
}

#[wasm_bindgen_test]
async fn a_count_that_does_not_add_up_warns_as_it_is_typed_and_still_saves() {
    storage().clear().unwrap();
    let (root, _database, _mounted) = mount_app("#/baru/hasil").await;
    until_ready(&root).await;
    type_into(&root, "#tps", "6471011001-3");
    choose(&root, "#contest", "president");
    type_into(&root, "#row-name-1", "Paslon 01");
    type_into(&root, "#row-votes-1", "61");
    type_into(&root, "#row-name-2", "Paslon 02");
    type_into(&root, "#row-votes-2", "112");
    type_into(&root, "#valid", "173");
    type_into(&root, "#invalid", "4");
    type_into(&root, "#voters", "177");
    leptos::task::tick().await;
    let warnings = || text(&by_selector(&root, "[data-testid=count-warnings]"));
    assert_eq!(warnings(), "", "the totals add up");
    type_into(&root, "#voters", "180");
    leptos::task::tick().await;
    assert!(warnings().contains("pengguna hak pilih"), "{}", warnings());
    type_into(&root, "#row-votes-2", "1x");
    click(&root, "[data-testid=save]");
    until("the typo to be named", || text(&root).contains("angka bulat")).await;
    type_into(&root, "#row-votes-2", "112");
    click(&root, "[data-testid=save]");
    until("Tersimpan", || text(&root).contains("Tersimpan")).await;
}

#[wasm_bindgen_test]
async fn a_half_filled_form_survives_the_app_closing() {
    storage().clear().unwrap();
    let (root, _database, mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    type_into(&root, "#place", "Balai RT 05");
    type_into(&root, "#description", "Setengah jalan");
    let kept = storage().get_item("pantau.draft.incident").unwrap();
    assert!(kept.as_deref().unwrap_or_default().contains("Balai RT 05"), "kept at once: {kept:?}");
    drop(mounted);
    root.remove();
    let (root, _database, _mounted) = mount_app("#/baru/kejadian").await;
    leptos::task::tick().await;
    assert_eq!(value_of(&root, "#place"), "Balai RT 05", "{:?}", storage().get_item("pantau.draft.incident"));
    assert_eq!(value_of(&root, "#description"), "Setengah jalan");
}

#[wasm_bindgen_test]
async fn the_language_switch_changes_every_screen_and_is_kept() {
    storage().clear().unwrap();
    let (root, _database, mounted) = mount_app("#/pengaturan").await;
    leptos::task::tick().await;
    assert!(text(&root).contains("Pengaturan"));
    let english = root.query_selector_all("input[name=lang]").unwrap().item(1).unwrap();
    english.unchecked_into::<web_sys::HtmlElement>().click();
    leptos::task::tick().await;
    assert!(text(&root).contains("Settings"), "{}", text(&root));
    assert!(!text(&root).contains("Pengaturan"));
    assert_eq!(
        web_sys::window().unwrap().document().unwrap().document_element().unwrap().get_attribute("lang").as_deref(),
        Some("en")
    );
    drop(mounted);
    root.remove();
    let (root, _database, _mounted) = mount_app("#/").await;
    leptos::task::tick().await;
    assert!(text(&root).contains("Send now"), "the choice is kept: {}", text(&root));
}

/// An incident the server refused, stored in `database`, as the correction
/// tests start from.
async fn a_refused_incident_in(database: &str) -> (Report, OutboxStore) {
    let mut refused = report("x");
    refused.body = ReportBody::Incident {
        category: pantau_core::IncidentCategory::Intimidation,
        occurred_at: time::macros::datetime!(2026-02-14 09:00 +08:00),
        place: "Pos ronda".into(),
        description: "Pemilih diancam".into(),
        reported_party: String::new(),
        witnesses: String::new(),
        urgent: false,
    };
    let problem = invalid_report();
    let store = OutboxStore::open(database).await.unwrap();
    store.put(&OutboxEntry { report: refused.clone(), delivery: Delivery::Rejected { problem } }).await.unwrap();
    (refused, store)
}

/// Mounts the app on Kotak keluar and opens the refused incident's correction.
async fn open_correction(
    database: &str,
) -> (web_sys::Element, leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>) {
    let (root, _database, mounted) = mount_app_on("#/kotak-keluar", database.to_owned()).await;
    until("the refused row", || root.query_selector("[data-state=rejected] a.button").unwrap().is_some()).await;
    click(&root, "[data-state=rejected] a.button");
    until("the correction form", || {
        root.query_selector("#place").unwrap().is_some_and(|_| value_of(&root, "#place") == "Pos ronda")
    })
    .await;
    (root, mounted)
}

#[wasm_bindgen_test]
async fn a_refused_report_is_corrected_in_its_form_under_its_id_without_touching_the_new_report_draft() {
    storage().clear().unwrap();
    let database = format!("test-app-{}", uuid::Uuid::new_v4());
    let (refused, _store) = a_refused_incident_in(&database).await;
    // A new report half typed before.
    storage().set_item("pantau.draft.incident", r#"{"description":"Laporan baru setengah jadi"}"#).unwrap();
    let (root, _mounted) = open_correction(&database).await;
    assert_eq!(value_of(&root, "#description"), "Pemilih diancam");
    // Measured from the report's own time (an hour after the incident), not today's.
    assert!(root.query_selector("[data-testid=time-warning]").unwrap().is_none(), "{}", text(&root));
    type_into(&root, "#description", "Pemilih diancam oleh tim sukses");
    click(&root, "[data-testid=save]");
    // Saved, the app goes back to Kotak keluar, where the report now waits.
    until("the corrected report waiting on Kotak keluar", || {
        root.query_selector("[data-testid=outbox] li[data-state=waiting]").unwrap().is_some()
    })
    .await;
    assert_eq!(storage().get_item("pantau.draft.incident.correction").unwrap(), None, "no correction left behind");

    let stored = OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries;
    assert_eq!(stored.len(), 1, "corrected in place, not added");
    assert_eq!(stored[0].report.id, refused.id);
    assert!(matches!(stored[0].delivery, Delivery::Waiting { .. }), "{:?}", stored[0].delivery);
    assert!(
        matches!(&stored[0].report.body, ReportBody::Incident { description, .. } if description == "Pemilih diancam oleh tim sukses")
    );
    // The new report's draft was not overwritten, and the next form is a new report again.
    web_sys::window().unwrap().location().set_hash("#/baru").unwrap();
    until("the chooser", || root.query_selector("[data-testid=kind-kejadian]").unwrap().is_some()).await;
    web_sys::window().unwrap().location().set_hash("#/baru/kejadian").unwrap();
    until("the incident form", || root.query_selector("#description").unwrap().is_some()).await;
    leptos::task::tick().await;
    assert_eq!(value_of(&root, "#description"), "Laporan baru setengah jadi");
}

#[wasm_bindgen_test]
async fn a_correction_of_a_report_another_tab_got_confirmed_meanwhile_says_it_was_not_saved() {
    storage().clear().unwrap();
    let database = format!("test-app-{}", uuid::Uuid::new_v4());
    let (refused, store) = a_refused_incident_in(&database).await;
    let (root, _mounted) = open_correction(&database).await;
    // Another tab corrected and sent it; this tab has not heard yet.
    store.put(&sent(refused.clone(), 7)).await.unwrap();
    type_into(&root, "#description", "Pemilih diancam oleh tim sukses");
    click(&root, "[data-testid=save]");
    until("the refusal", || text(&root).contains("sudah diterima server (dikirim dari tab lain)")).await;
    let shown = text(&root);
    assert!(shown.contains("Tidak tersimpan"), "{shown}");
    assert!(!shown.contains("Tersimpan di ponsel"), "{shown}");
    assert_eq!(value_of(&root, "#description"), "Pemilih diancam oleh tim sukses", "what was typed stays");
    assert_eq!(store.get(refused.id).await.unwrap(), Some(sent(refused, 7)));
}

#[wasm_bindgen_test]
async fn a_blank_incident_form_shows_the_present_time_and_a_started_one_keeps_its_own() {
    use pantau::forms::incident::to_local_input;
    let minute_now = || to_local_input(pantau::app::now());
    // Left by the last save (the form is reset with that moment's time), hours ago.
    storage().clear().unwrap();
    storage()
        .set_item("pantau.draft.incident", r#"{"tps":"6471011001-003","occurred_at":"2026-02-14T08:00"}"#)
        .unwrap();
    let before = minute_now();
    let (root, _database, mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    let shown = value_of(&root, "#occurred-at");
    assert!(shown == before || shown == minute_now(), "{shown}, not the kept 08:00");
    drop(mounted);
    root.remove();

    // Begun: the time the volunteer set stays with what they typed.
    storage()
        .set_item("pantau.draft.incident", r#"{"occurred_at":"2026-02-14T08:00","description":"Amplop di gang"}"#)
        .unwrap();
    let (root, _database, _mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    assert_eq!(value_of(&root, "#occurred-at"), "2026-02-14T08:00");
}

/// Answers every `window.confirm` with `yes`; returns what puts it back.
fn answer_confirm_with(yes: bool) -> js_sys::Function {
    js_sys::Function::new_with_args(
        "yes",
        "const original = window.confirm;
         window.confirm = () => yes;
         return () => { window.confirm = original; };",
    )
    .call1(&JsValue::NULL, &yes.into())
    .unwrap()
    .unchecked_into::<js_sys::Function>()
}

#[wasm_bindgen_test]
async fn a_refused_report_can_be_discarded_once_confirmed_and_a_waiting_one_cannot() {
    storage().clear().unwrap();
    let database = format!("test-app-{}", uuid::Uuid::new_v4());
    let problem = invalid_report();
    let refused = OutboxEntry { report: report("catatan lama yang ditolak"), delivery: Delivery::Rejected { problem } };
    let queued = waiting(report("masih menunggu"));
    let store = OutboxStore::open(&database).await.unwrap();
    store.put(&refused).await.unwrap();
    store.put(&queued).await.unwrap();

    let (root, _database, _mounted) = mount_app_on("#/kotak-keluar", database).await;
    until("both rows", || root.query_selector_all("[data-testid=outbox] li").unwrap().length() == 2).await;
    assert!(root.query_selector("[data-state=waiting] [data-testid=discard]").unwrap().is_none(), "nothing on its way");

    // Asked first: "no" keeps it.
    let restore = answer_confirm_with(false);
    click(&root, "[data-state=rejected] [data-testid=discard]");
    restore.call0(&JsValue::NULL).unwrap();
    sleep_ms(200).await;
    assert_eq!(store.load().await.unwrap().entries.len(), 2);

    // Another tab corrected it meanwhile: the correction waits to be sent and
    // is not removed; the volunteer is told, and this tab shows it waiting.
    let corrected = waiting(refused.report.clone());
    let restore = answer_confirm_with(true);
    store.put(&corrected).await.unwrap();
    click(&root, "[data-state=rejected] [data-testid=discard]");
    restore.call0(&JsValue::NULL).unwrap();
    until("the refusal to remove", || text(&root).contains("Tidak dihapus: laporan ini sudah diperbaiki di tab lain"))
        .await;
    until("the corrected row waiting", || root.query_selector("[data-state=rejected]").unwrap().is_none()).await;
    assert_eq!(store.load().await.unwrap().entries.len(), 2, "the correction is kept");

    // Refused again, then removed.
    store.put(&refused).await.unwrap();
    pantau::sync::announce(Some(&web_sys::BroadcastChannel::new("pantau-outbox").unwrap()), [refused.report.id]);
    until("the refused row back", || root.query_selector("[data-state=rejected]").unwrap().is_some()).await;
    let restore = answer_confirm_with(true);
    click(&root, "[data-state=rejected] [data-testid=discard]");
    restore.call0(&JsValue::NULL).unwrap();
    until("the refused row gone", || root.query_selector("[data-state=rejected]").unwrap().is_none()).await;
    assert_eq!(store.load().await.unwrap().entries, vec![queued], "only the refused report left the phone");
}

#[wasm_bindgen_test]
async fn a_draft_an_older_version_kept_is_kept_aside_and_the_form_says_so() {
    // `urgent` kept as text by a version that never existed.
    let older = r#"{"description":"Amplop dibagikan di gang","urgent":"ya","place":"Gang Mawar"}"#;
    storage().clear().unwrap();
    storage().set_item("pantau.draft.incident", older).unwrap();
    let (root, _database, _mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    let said = text(&by_selector(&root, "[data-testid=form-message]"));
    assert!(said.contains("tidak terbaca; salinannya disimpan terpisah"), "{said}");
    assert_eq!(storage().get_item("pantau.draft.incident.unreadable").unwrap().as_deref(), Some(older));
    // Typing starts a new draft; what was kept aside stays.
    type_into(&root, "#description", "Laporan baru");
    assert_eq!(storage().get_item("pantau.draft.incident.unreadable").unwrap().as_deref(), Some(older));
}

#[wasm_bindgen_test]
fn a_profile_an_older_version_kept_is_kept_aside() {
    storage().clear().unwrap();
    let older = r#"{"name":"Sari Wulandari","tps":6471011001}"#;
    storage().set_item("pantau.profile", older).unwrap();
    assert_eq!(pantau::profile::Profile::load(), pantau::profile::Profile::default());
    assert_eq!(storage().get_item("pantau.profile.unreadable").unwrap().as_deref(), Some(older));
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
async fn a_correction_of_a_report_another_tab_removed_is_not_filed_as_a_new_one() {
    storage().clear().unwrap();
    let database = format!("test-app-{}", uuid::Uuid::new_v4());
    let (refused, store) = a_refused_incident_in(&database).await;
    let (root, _mounted) = open_correction(&database).await;

    // Removed in another tab, which says so.
    store.remove(refused.id).await.unwrap();
    let channel = web_sys::BroadcastChannel::new("pantau-outbox").unwrap();
    pantau::sync::announce(Some(&channel), [refused.id]);
    channel.close();
    sleep_ms(1000).await;
    type_into(&root, "#description", "Pemilih diancam oleh tim sukses");
    click(&root, "[data-testid=save]");
    until("the refusal", || text(&root).contains("sudah dihapus dari ponsel (di tab lain)")).await;
    assert!(store.load().await.unwrap().entries.is_empty(), "nothing filed");
}

#[wasm_bindgen_test]
async fn kotak_keluar_explains_a_refusal_or_a_wait_in_the_volunteers_words_not_the_servers() {
    use pantau_core::protocol::Problem;
    use pantau_core::validation::{FieldError, FieldErrorCode};
    storage().clear().unwrap();
    let database = format!("test-app-{}", uuid::Uuid::new_v4());
    let problem = |slug: &str, title: &str, errors: Vec<FieldError>| Problem {
        kind: format!("https://pantau.id/problems/{slug}"),
        title: title.into(),
        status: 422,
        detail: None,
        errors,
    };
    let mut count = report("hitung");
    count.body = ReportBody::CountResult {
        contest: pantau_core::Contest::President,
        votes: vec![pantau_core::CandidateVotes { name: "Paslon 1".into(), votes: 3 }],
        valid: 3,
        invalid: 0,
        voters: 3,
    };
    let refused = problem(
        "invalid-report",
        "The report is invalid",
        vec![
            FieldError::new("body.votes.1.name", FieldErrorCode::Required),
            FieldError::new("body.answers.ink.note", FieldErrorCode::Required),
            FieldError::new("body.photo", FieldErrorCode::Required),
        ],
    );
    let conflict = problem("report-id-conflict", "A different report is already stored under this id", vec![]);
    let unknown = problem("needs-coffee", "Server says no", vec![]);
    let store = OutboxStore::open(&database).await.unwrap();
    let waiting_for = |last_error: &str| Delivery::Waiting { attempts: 3, last_error: Some(last_error.into()) };
    for (report, delivery) in [
        (count, Delivery::Rejected { problem: refused }),
        (report("bentrok"), Delivery::Conflict { problem: conflict }),
        (report("lain"), Delivery::Rejected { problem: unknown }),
        (report("tanpa sinyal"), waiting_for("network: TypeError: Failed to fetch")),
        (report("server sibuk"), waiting_for("HTTP 503")),
        (report("portal"), waiting_for("unexpected answer: batch answer: expected value at line 1")),
        (report("lama"), waiting_for("written by an older version")),
    ] {
        store.put(&OutboxEntry { report, delivery }).await.unwrap();
    }

    let (root, _database, _mounted) = mount_app_on("#/kotak-keluar", database).await;
    until("three refused rows", || {
        root.query_selector_all("[data-state=rejected], [data-state=conflict]").unwrap().length() == 3
    })
    .await;
    let shown = text(&root);
    assert!(shown.contains("Ditolak: ada isian yang perlu diperbaiki"), "{shown}");
    assert!(shown.contains("Baris 2 · Nama peserta: Wajib diisi."), "a row by its number from 1: {shown}");
    assert!(shown.contains("Pemilih diberi tinta · Catatan: Wajib diisi."), "an item by its question: {shown}");
    assert!(shown.contains("Bentrok: server sudah menyimpan laporan lain dengan nomor yang sama"), "{shown}");
    assert!(!shown.contains("The report is invalid") && !shown.contains("A different report"), "{shown}");
    // What the app cannot put in words is still shown, not hidden.
    assert!(shown.contains("Ditolak: Server says no"), "{shown}");
    assert!(shown.contains("body.photo: Wajib diisi."), "{shown}");
    assert!(!shown.contains("body.votes") && !shown.contains("body.answers"), "{shown}");

    // Why a report still waits, in words, with what happens next.
    assert!(shown.contains("Belum tersambung ke server. Dikirim otomatis saat ada sinyal."), "{shown}");
    assert!(!shown.contains("TypeError"), "{shown}");
    assert!(shown.contains("Server sedang sibuk. Dicoba lagi otomatis."), "{shown}");
    assert!(shown.contains("Jawaban server tidak seperti biasa (jaringan dengan halaman masuk?)."), "{shown}");
    assert!(!shown.contains("expected value"), "{shown}");
    // A reason no kind fits (kept by an older version) is shown as it came.
    assert!(shown.contains("Dicoba lagi otomatis (written by an older version)"), "{shown}");
}

#[wasm_bindgen_test]
async fn a_save_whose_end_the_page_never_saw_is_not_saved_again_under_a_new_id() {
    storage().clear().unwrap();
    let (root, database, mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    type_into(&root, "#tps", "6471011001-012");
    choose(&root, "#category", "vote_buying");
    type_into(&root, "#place", "Gang Mawar");
    type_into(&root, "#description", "Amplop dibagikan pagi hari");
    click(&root, "[data-testid=save]");
    // What a kill between IndexedDB's commit and the screen leaves behind: the
    // draft and the attempt as they were at the tap, and the report on disk.
    let draft = storage().get_item("pantau.draft.incident").unwrap().expect("the draft");
    let attempt = storage().get_item("pantau.saving.kejadian").unwrap().expect("the attempt, kept at the tap");
    until("Tersimpan", || text(&root).contains("Tersimpan")).await;
    assert_eq!(storage().get_item("pantau.saving.kejadian").unwrap(), None, "forgotten once confirmed");
    drop(mounted);
    root.remove();

    let restart = |changed: Option<&'static str>| {
        let (draft, attempt, database) = (draft.clone(), attempt.clone(), database.clone());
        async move {
            storage().set_item("pantau.draft.incident", &draft).unwrap();
            storage().set_item("pantau.saving.kejadian", &attempt).unwrap();
            let (root, _, mounted) = mount_app_on("#/baru/kejadian", database).await;
            until_ready(&root).await;
            assert_eq!(value_of(&root, "#place"), "Gang Mawar", "the form opens as it was left");
            if let Some(description) = changed {
                type_into(&root, "#description", description);
            }
            click(&root, "[data-testid=save]");
            until("Tersimpan", || text(&root).contains("Tersimpan")).await;
            assert_eq!(value_of(&root, "#description"), "", "the form starts again");
            drop(mounted);
            root.remove();
        }
    };
    // The volunteer taps Simpan again on the same form: still one report.
    restart(None).await;
    let stored = OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(storage().get_item("pantau.saving.kejadian").unwrap(), None);

    // The kill took the attempt too (localStorage writes of the last seconds
    // are lost), and kept the draft: the volunteer is told the same report is
    // saved, and filing it again takes a second tap.
    storage().set_item("pantau.draft.incident", &draft).unwrap();
    let (root, _, mounted) = mount_app_on("#/baru/kejadian", database.clone()).await;
    until_ready(&root).await;
    click(&root, "[data-testid=save]");
    until("the question", || text(&root).contains("Laporan yang sama persis sudah tersimpan pukul")).await;
    let stored = OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries;
    assert_eq!(stored.len(), 1, "no attempt kept, still one report: {stored:?}");
    assert_eq!(value_of(&root, "#place"), "Gang Mawar", "the form stays as it was");
    click(&root, "[data-testid=save]");
    until("Tersimpan", || text(&root).contains("Tersimpan di ponsel")).await;
    let stored = OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries;
    assert_eq!(stored.len(), 2, "a second tap files it, as the volunteer chose: {stored:?}");
    drop(mounted);
    root.remove();

    // Changed before tapping again: what is on screen is another report, under its own id.
    restart(Some("Amplop dibagikan lagi sore hari")).await;
    let stored = OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries;
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert_ne!(stored[0].report.id, stored[2].report.id);
}

#[wasm_bindgen_test]
async fn a_correction_abandoned_by_a_reload_does_not_hold_back_updates() {
    storage().clear().unwrap();
    // A page reloaded (or killed) while a correction was open left its draft.
    storage()
        .set_item("pantau.draft.incident.correction", r#"{"place":"Pos ronda","description":"Pemilih diancam"}"#)
        .unwrap();
    assert!(pantau::forms::any_draft_dirty());
    let (root, _database, _mounted) = mount_app("#/").await;
    until("the app to start", || root.query_selector("[data-testid=nav-home]").unwrap().is_some()).await;
    assert_eq!(storage().get_item("pantau.draft.incident.correction").unwrap(), None);
    assert!(!pantau::forms::any_draft_dirty(), "an update may be offered again");
}

#[wasm_bindgen_test]
async fn saving_one_checklist_phase_keeps_what_was_answered_for_another() {
    storage().clear().unwrap();
    let (root, _database, _mounted) = mount_app("#/baru/checklist").await;
    until_ready(&root).await;
    type_into(&root, "#tps", "6471011001-3");
    // Early, the volunteer notes something about voting…
    click(&root, "input[name=phase][value=voting]");
    leptos::task::tick().await;
    click(&root, "fieldset[data-item=ink] input[value=no]");
    leptos::task::tick().await;
    type_into(&root, "#note-ink", "Tinta belum datang");
    // …then files the opening phase, one note far too long.
    click(&root, "input[name=phase][value=opening]");
    leptos::task::tick().await;
    for id in ["opened_0700", "kpps_oath", "witnesses_mandate", "ballot_box_empty", "ballots_sealed", "lists_posted"] {
        click(&root, &format!("fieldset[data-item={id}] input[value=yes]"));
    }
    click(&root, "fieldset[data-item=kpps_oath] input[value=no]");
    leptos::task::tick().await;
    type_into(&root, "#note-kpps_oath", &"x".repeat(pantau_core::validation::MAX_NOTE_CHARS + 1));
    click(&root, "[data-testid=save]");
    leptos::task::tick().await;
    // The refusal is shown at the note it concerns.
    let item = by_selector(&root, "fieldset[data-item=kpps_oath]");
    assert!(text(&item).contains("1000"), "{}", text(&item));

    type_into(&root, "#note-kpps_oath", "Dua anggota KPPS belum hadir");
    click(&root, "[data-testid=save]");
    until("Tersimpan", || text(&root).contains("Tersimpan")).await;
    // The form moves on to voting, with the answer and note given earlier.
    leptos::task::tick().await;
    let ink_no = by_selector(&root, "fieldset[data-item=ink] input[value=no]");
    assert!(ink_no.unchecked_ref::<web_sys::HtmlInputElement>().checked(), "the voting answer was kept");
    assert_eq!(value_of(&root, "#note-ink"), "Tinta belum datang");
}

#[wasm_bindgen_test]
async fn an_incident_time_after_the_phones_clock_or_past_the_reporting_window_is_warned_about_and_saved() {
    storage().clear().unwrap();
    let (root, database, _mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    type_into(&root, "#tps", "6471011001-3");
    choose(&root, "#category", "intimidation");
    type_into(&root, "#place", "Pos ronda");
    type_into(&root, "#description", "Pemilih diancam");
    // The phone's clock is behind (reset after a flat battery): the real time looks "later".
    type_into(&root, "#occurred-at", "2099-02-14T09:40");
    leptos::task::tick().await;
    let warning = by_selector(&root, "[data-testid=time-warning]");
    assert!(text(&warning).contains("jam ponsel"), "{}", text(&warning));
    click(&root, "[data-testid=save]");
    until("Tersimpan", || text(&root).contains("Tersimpan")).await;
    assert_eq!(OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries.len(), 1);

    // Past Bawaslu's 7-day window (or a year typed wrong): warned, and still saved.
    choose(&root, "#category", "intimidation");
    type_into(&root, "#place", "Pos ronda");
    type_into(&root, "#description", "Pemilih diancam lagi");
    type_into(&root, "#occurred-at", "2024-02-14T09:40");
    leptos::task::tick().await;
    let warning = by_selector(&root, "[data-testid=time-warning]");
    assert!(text(&warning).contains("lebih dari 7 hari lalu"), "{}", text(&warning));
    click(&root, "[data-testid=save]");
    until("the second report saved", || {
        text(&root).contains("Tersimpan") && value_of(&root, "#description").is_empty()
    })
    .await;
    assert_eq!(OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries.len(), 2);
}

#[wasm_bindgen_test]
async fn two_tabs_with_no_signal_do_not_wake_each_other_out_of_their_backoff() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-two-tabs-{}", uuid::Uuid::new_v4());
    let queued = waiting(report("menunggu sinyal"));
    OutboxStore::open(&name).await.unwrap().put(&queued).await.unwrap();
    let mut tabs = Vec::new();
    for _ in 0..2 {
        let tab = pantau::sync::SyncEngine::new(
            RwSignal::new(pantau_core::Outbox::from_entries(vec![queued.clone()])),
            RwSignal::new(Some("pantau_token".to_owned())),
            ApiBase(UNREACHABLE.into()),
        );
        tab.listen_to_other_tabs();
        tab.attach_store(OutboxStore::open(&name).await.unwrap());
        tabs.push(tab);
    }
    tabs[0].trigger();
    sleep_ms(3_000).await;
    // Stop both before looking (no token: no more rounds).
    for tab in &tabs {
        tab.token.set(None);
    }
    let stored = OutboxStore::open(&name).await.unwrap().get(queued.report.id).await.unwrap().unwrap();
    let Delivery::Waiting { attempts, .. } = stored.delivery else { panic!("{:?}", stored.delivery) };
    // With backoff, a handful of tries in 3 s; two tabs restarting each other
    // on every announced failure made well over a hundred.
    assert!((1..=20).contains(&attempts), "{attempts} attempts in 3 s");
}
