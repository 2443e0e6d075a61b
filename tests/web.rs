//! The PWA's browser adapters and screen, in headless Chromium
//! (`cargo xtask test` runs them through wasm-bindgen-test-runner).

use leptos::prelude::*;
use pantau::api::{post_report, ApiBase};
use pantau::outbox_store::{OutboxStore, StoreError};
use pantau_core::outbox::{Delivery, OutboxEntry};
use pantau_core::{Report, ReportBody, ReportId, SendOutcome};
use wasm_bindgen::JsCast;
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

#[wasm_bindgen_test]
fn stored_entries_load_back_and_other_keys_are_ignored() {
    storage().clear().unwrap();
    let store = OutboxStore::with_prefix("test.roundtrip.");
    let entries = [waiting(report("satu")), waiting(report("dua"))];
    for e in &entries {
        store.put(e).unwrap();
    }
    storage().set_item("test.other", "not an outbox record").unwrap();

    let mut loaded = store.load().unwrap();
    assert!(loaded.unreadable.is_empty());
    loaded.entries.sort_by_key(|e| e.report.summary().to_owned());
    let mut expected = entries.to_vec();
    expected.sort_by_key(|e| e.report.summary().to_owned());
    assert_eq!(loaded.entries, expected);

    store.remove(entries[0].report.id).unwrap();
    assert_eq!(store.load().unwrap().entries.len(), 1);
}

#[wasm_bindgen_test]
fn an_unreadable_record_is_reported_and_left_in_place() {
    storage().clear().unwrap();
    let store = OutboxStore::with_prefix("test.corrupt.");
    store.put(&waiting(report("baik"))).unwrap();
    storage().set_item("test.corrupt.broken", "{\"v\":1,\"entry\":{\"report\":42}}").unwrap();
    storage().set_item("test.corrupt.future", "{\"v\":99,\"entry\":{}}").unwrap();

    let loaded = store.load().unwrap();
    assert_eq!(loaded.entries.len(), 1);
    let mut keys: Vec<_> = loaded.unreadable.iter().map(|u| u.key.as_str()).collect();
    keys.sort();
    assert_eq!(keys, ["test.corrupt.broken", "test.corrupt.future"]);
    assert_eq!(storage().get_item("test.corrupt.broken").unwrap().as_deref(), Some("{\"v\":1,\"entry\":{\"report\":42}}"));
}

#[wasm_bindgen_test]
fn a_full_storage_is_a_quota_error_and_earlier_reports_stay_intact() {
    storage().clear().unwrap();
    let store = OutboxStore::with_prefix("test.quota.");
    let earlier = waiting(report("sebelum penuh"));
    store.put(&earlier).unwrap();

    // Fill localStorage until the browser refuses, largest chunks first.
    let mut chunk = "x".repeat(1 << 20);
    let mut n = 0;
    while !chunk.is_empty() {
        if storage().set_item(&format!("filler.{n}"), &chunk).is_err() {
            chunk.truncate(chunk.len() / 2);
        }
        n += 1;
    }

    let result = store.put(&waiting(report(&"laporan besar ".repeat(200))));
    let filled = (0..n).map(|i| format!("filler.{i}")).collect::<Vec<_>>();
    for key in &filled {
        storage().remove_item(key).unwrap();
    }
    assert!(matches!(result, Err(StoreError::QuotaExceeded(_))), "{result:?}");
    assert!(result.unwrap_err().to_string().contains("penuh"));
    assert_eq!(store.load().unwrap().entries, vec![earlier]);
}

#[wasm_bindgen_test]
async fn no_connection_means_retry_later() {
    let outcome = post_report(&ApiBase(UNREACHABLE.into()), "pantau_token", &report("tanpa sinyal")).await;
    assert!(matches!(outcome, SendOutcome::RetryLater { .. }), "{outcome:?}");
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
    document.body().unwrap().append_child(&root).unwrap();
    let _mounted = leptos::mount::mount_to(root.clone().unchecked_into(), || {
        view! { <pantau::App api=ApiBase(UNREACHABLE.into())/> }
    });

    // An invalid TPS is refused with a message that names the problem, and nothing is queued.
    type_into(&root, "#tps", "12345");
    type_into(&root, "#observation", "Pemilih tidak diberi tinta");
    click(&root, "[data-testid=save]");
    leptos::task::tick().await;
    assert!(root.text_content().unwrap().contains("10 angka"), "{}", root.inner_html());
    assert_eq!(root.query_selector_all("[data-testid=outbox] li").unwrap().length(), 0);

    type_into(&root, "#tps", "6471011001 12");
    click(&root, "[data-testid=save]");
    leptos::task::tick().await;

    // Saving triggers a send at once; with no connection it falls back to waiting.
    let item = by_selector(&root, "[data-testid=outbox] li");
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

    let stored = OutboxStore::default().load().unwrap().entries;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].report.summary(), "Pemilih tidak diberi tinta");
    assert_eq!(item.get_attribute("data-report-id"), Some(stored[0].report.id.to_string()));
}
