//! The PWA's browser adapters and screen, in headless Chromium
//! (`cargo xtask test` runs them through wasm-bindgen-test-runner).

use leptos::prelude::*;
use pantau::api::{post_batch, ApiBase};
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

fn waiting(report: Report) -> OutboxEntry {
    OutboxEntry { report, delivery: Delivery::Waiting { attempts: 0, last_error: None } }
}

/// A fresh database per test, so tests do not see each other's reports.
async fn fresh_store(name: &str) -> OutboxStore {
    let name = format!("test-{name}-{}", uuid::Uuid::new_v4());
    OutboxStore::open(&name).await.unwrap()
}

fn sent(report: Report, seq: i64) -> OutboxEntry {
    let receipt = pantau_core::Receipt { id: report.id, received_at: time::macros::datetime!(2026-02-14 10:05 UTC), seq };
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
async fn a_sent_record_is_never_turned_back_into_waiting() {
    let store = fresh_store("final").await;
    let r = report("sudah terkirim");
    store.put(&sent(r.clone(), 3)).await.unwrap();
    // A stale copy from another tab arrives later.
    store.put(&waiting(r.clone())).await.unwrap();
    assert_eq!(store.get(r.id).await.unwrap(), Some(sent(r, 3)));
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

#[wasm_bindgen_test]
fn a_full_disk_is_recognised_by_its_dom_name() {
    let full = web_sys::DomException::new_with_message_and_name("no space", "QuotaExceededError").unwrap();
    assert!(matches!(classify(&full.into()), StoreError::QuotaExceeded(_)));
    let other = web_sys::DomException::new_with_message_and_name("closing", "InvalidStateError").unwrap();
    let other = classify(&other.into());
    assert!(matches!(&other, StoreError::Other(m) if m.contains("InvalidStateError")), "{other:?}");
    assert!(StoreError::QuotaExceeded(String::new()).to_string().contains("penuh"));
}

#[wasm_bindgen_test]
async fn no_connection_means_retry_later() {
    let reports = [report("tanpa sinyal"), report("juga tanpa sinyal")];
    let outcomes = post_batch(&ApiBase(UNREACHABLE.into()), "pantau_token", &reports).await;
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|o| matches!(o, SendOutcome::RetryLater { .. })), "{outcomes:?}");
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

fn click(root: &web_sys::Element, selector: &str) {
    by_selector(root, selector).unchecked_into::<web_sys::HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn saving_the_form_lists_the_report_as_waiting_and_keeps_it_in_storage() {
    storage().clear().unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("section").unwrap();
    let database = format!("test-app-{}", uuid::Uuid::new_v4());
    document.body().unwrap().append_child(&root).unwrap();
    let app_database = database.clone();
    let _mounted = leptos::mount::mount_to(root.clone().unchecked_into(), move || {
        view! { <pantau::App api=ApiBase(UNREACHABLE.into()) database=app_database.clone()/> }
    });

    // Saving is possible once the database is open.
    for _ in 0..100 {
        if !by_selector(&root, "[data-testid=save]").unchecked_into::<web_sys::HtmlButtonElement>().disabled() {
            break;
        }
        sleep_ms(20).await;
    }

    // An invalid TPS is refused with a message that names the problem, and nothing is queued.
    type_into(&root, "#tps", "12345");
    type_into(&root, "#observation", "Pemilih tidak diberi tinta");
    click(&root, "[data-testid=save]");
    leptos::task::tick().await;
    assert!(root.text_content().unwrap().contains("10 angka"), "{}", root.inner_html());
    assert_eq!(root.query_selector_all("[data-testid=outbox] li").unwrap().length(), 0);

    type_into(&root, "#tps", "6471011001 12");
    click(&root, "[data-testid=save]");
    // "Tersimpan" only once IndexedDB has completed the write.
    for _ in 0..100 {
        if by_selector(&root, "[data-testid=form-message]").text_content().unwrap().contains("Tersimpan") {
            break;
        }
        sleep_ms(20).await;
    }

    // Saving triggers a send at once; with no connection it falls back to waiting.
    let state = || by_selector(&root, "[data-testid=outbox] li").get_attribute("data-state").unwrap_or_default();
    assert!(["waiting", "sending"].contains(&state().as_str()), "{}", state());
    for _ in 0..100 {
        if state() == "waiting" {
            break;
        }
        sleep_ms(50).await;
    }
    assert_eq!(state(), "waiting");
    let item = by_selector(&root, "[data-testid=outbox] li");
    assert!(item.text_content().unwrap().contains("Menunggu"));
    assert!(item.text_content().unwrap().contains("TPS 6471011001-012"));
    assert!(by_selector(&root, "[data-testid=form-message]").text_content().unwrap().contains("Tersimpan"));
    // The observation field is cleared for the next report; the TPS is kept.
    assert_eq!(by_selector(&root, "#observation").unchecked_into::<web_sys::HtmlTextAreaElement>().value(), "");
    assert_eq!(by_selector(&root, "#tps").unchecked_into::<web_sys::HtmlInputElement>().value(), "6471011001-012");

    let stored = OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].report.summary(pantau_core::Lang::Id), "Pemilih tidak diberi tinta");
    assert_eq!(item.get_attribute("data-report-id"), Some(stored[0].report.id.to_string()));
}
