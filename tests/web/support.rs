//! What the browser tests share: reports and entries to store, stores and
//! mounted apps, and helpers that drive the DOM or stand in for the browser.

pub use leptos::prelude::*;
pub use pantau::api::{post_batch, post_batch_within, ApiBase};
pub use pantau::outbox_store::{classify, OutboxStore, PhotosInUse, StoreError, LEGACY_LOCAL_STORAGE_PREFIX};
pub use pantau_core::outbox::{Delivery, OutboxEntry};
pub use pantau_core::{Report, ReportBody, ReportId, SendOutcome};
pub use wasm_bindgen::{JsCast, JsValue};
pub use wasm_bindgen_test::*;

/// Nothing listens on the discard port: fetch fails as it does with no signal.
pub const UNREACHABLE: &str = "http://127.0.0.1:9";

pub fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

pub fn report(text: &str) -> Report {
    Report::new(
        ReportId(uuid::Uuid::new_v4()),
        "6471011001-007",
        time::macros::datetime!(2026-02-14 10:00 +08:00),
        ReportBody::Note { text: text.into() },
    )
}

/// What the server answers a report that fails validation.
pub fn invalid_report() -> pantau_core::protocol::Problem {
    pantau_core::protocol::Problem {
        kind: "https://pantau.id/problems/invalid-report".into(),
        title: "The report is invalid".into(),
        status: 422,
        detail: None,
        errors: vec![],
    }
}

pub fn waiting(report: Report) -> OutboxEntry {
    OutboxEntry::new(report, Delivery::Waiting { attempts: 0, last_error: None })
}

/// A fresh database per test, so tests do not see each other's reports.
pub async fn fresh_store(name: &str) -> OutboxStore {
    let name = format!("test-{name}-{}", uuid::Uuid::new_v4());
    OutboxStore::open(&name).await.unwrap()
}

pub fn sent(report: Report, seq: i64) -> OutboxEntry {
    let receipt =
        pantau_core::Receipt { id: report.id, received_at: time::macros::datetime!(2026-02-14 10:05 UTC), seq };
    OutboxEntry::new(report, Delivery::Sent { receipt })
}

/// Writes a record behind the store's back, as an older or broken version might have.
pub async fn write_raw_record(database: &str, key: &str, value: &str) {
    write_raw_value(database, key, &JsValue::from_str(value)).await;
}

/// Puts any JS value in the outbox store under `key`, as an older or broken
/// version might have.
pub async fn write_raw_value(database: &str, key: &str, value: &JsValue) {
    let factory = idb::Factory::new().unwrap();
    let db = factory.open(database, None).unwrap().await.unwrap();
    let tx = db.transaction(&["outbox"], idb::TransactionMode::ReadWrite).unwrap();
    let store = tx.object_store("outbox").unwrap();
    store.put(value, Some(&JsValue::from_str(key))).unwrap().await.unwrap();
    tx.await.unwrap();
    db.close();
}

/// Empties a store behind the app's back, as Chromium does to the whole
/// database when it finds it corrupt after a kill (the app then creates it anew).
pub async fn wipe(database: &str, store: &str) {
    let db = idb::Factory::new().unwrap().open(database, None).unwrap().await.unwrap();
    let tx = db.transaction(&[store], idb::TransactionMode::ReadWrite).unwrap();
    tx.object_store(store).unwrap().clear().unwrap().await.unwrap();
    tx.await.unwrap();
    db.close();
}

pub async fn put_raw_setting(database: &str, key: &str, json: &str) {
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

/// Answers every fetch with `status` and `body`; returns what puts fetch back.
pub fn answer_every_fetch_with(status: u16, content_type: &str, body: &str) -> js_sys::Function {
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

pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

pub fn by_selector(root: &web_sys::Element, selector: &str) -> web_sys::Element {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}"))
}

pub fn type_into(root: &web_sys::Element, selector: &str, value: &str) {
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

pub fn choose(root: &web_sys::Element, selector: &str, value: &str) {
    let el = by_selector(root, selector);
    el.dyn_ref::<web_sys::HtmlSelectElement>().unwrap().set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    el.dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap()).unwrap();
}

pub fn value_of(root: &web_sys::Element, selector: &str) -> String {
    let el = by_selector(root, selector);
    match el.dyn_ref::<web_sys::HtmlInputElement>() {
        Some(input) => input.value(),
        None => el.unchecked_into::<web_sys::HtmlTextAreaElement>().value(),
    }
}

pub fn text(root: &web_sys::Element) -> String {
    root.text_content().unwrap_or_default()
}

/// Waits (up to 5 s) until `done` holds.
pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..250 {
        if done() {
            return;
        }
        sleep_ms(20).await;
    }
    panic!("timed out waiting for {what}");
}

/// Mounts the whole app on a screen (`hash`), with its own database and no server.
pub async fn mount_app(
    hash: &str,
) -> (web_sys::Element, String, leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>) {
    mount_app_on(hash, format!("test-app-{}", uuid::Uuid::new_v4())).await
}

/// Mounts the app on an existing database (e.g. one a test filled first).
pub async fn mount_app_on(
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

pub async fn until_ready(root: &web_sys::Element) {
    until("the outbox to open", || {
        !by_selector(root, "[data-testid=save]").unchecked_into::<web_sys::HtmlButtonElement>().disabled()
    })
    .await;
}

pub fn click(root: &web_sys::Element, selector: &str) {
    by_selector(root, selector).unchecked_into::<web_sys::HtmlElement>().click();
}

/// An incident the server refused, stored in `database`, as the correction
/// tests start from.
pub async fn a_refused_incident_in(database: &str) -> (Report, OutboxStore) {
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
    store.put(&OutboxEntry::new(refused.clone(), Delivery::Rejected { problem })).await.unwrap();
    (refused, store)
}

/// Mounts the app on Kotak keluar and opens the refused incident's correction.
pub async fn open_correction(
    database: &str,
) -> (web_sys::Element, leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>) {
    let (root, _database, mounted) = mount_app_on("#/kotak-keluar", database.to_owned()).await;
    until("the refused row", || root.query_selector("[data-state=rejected] a.button").unwrap().is_some()).await;
    click(&root, "[data-state=rejected] a.button");
    until("the correction form", || {
        root.query_selector("#place").unwrap().is_some_and(|_| value_of(&root, "#place") == "Pos ronda")
    })
    .await;
    // The rows show before the outbox is ready to save (Memuat…).
    until_ready(&root).await;
    (root, mounted)
}

/// Answers every `window.confirm` with `yes`; returns what puts it back.
pub fn answer_confirm_with(yes: bool) -> js_sys::Function {
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
