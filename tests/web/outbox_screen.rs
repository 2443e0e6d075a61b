//! Kotak keluar: corrections, discarding, and what it says of refusals and waits.

use crate::support::*;

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
async fn a_waiting_report_is_changed_before_it_goes_under_its_id_and_a_sent_one_offers_no_change() {
    storage().clear().unwrap();
    let database = format!("test-app-{}", uuid::Uuid::new_v4());
    let (refused, store) = a_refused_incident_in(&database).await;
    let waiting = OutboxEntry::new(refused.clone(), Delivery::Waiting { attempts: 0, last_error: None });
    store.put(&waiting).await.unwrap();
    // Another incident, already confirmed today.
    let mut other = refused.clone();
    other.id = ReportId(uuid::Uuid::new_v4());
    other.created_at -= time::Duration::minutes(5);
    let receipt = pantau_core::Receipt { id: other.id, received_at: pantau::clock::now(), seq: 3 };
    store.put(&OutboxEntry::new(other, Delivery::Sent { receipt })).await.unwrap();
    let (root, _database, _mounted) = mount_app_on("#/kotak-keluar", database.clone()).await;
    // Not enrolled here, so nothing is sent and no send is in flight.
    until("the waiting row", || root.query_selector("[data-state=waiting] [data-testid=edit]").unwrap().is_some())
        .await;
    assert!(root.query_selector("[data-state=sent] [data-testid=edit]").unwrap().is_none(), "a sent report is final");
    let change = by_selector(&root, "[data-state=waiting] [data-testid=edit]");
    assert_eq!(change.text_content().unwrap(), "Ubah");
    click(&root, "[data-state=waiting] [data-testid=edit]");
    until("the report in its form", || {
        root.query_selector("#place").unwrap().is_some_and(|_| value_of(&root, "#place") == "Pos ronda")
    })
    .await;
    type_into(&root, "#description", "Pemilih diancam pukul 09.15, bukan 09.00");
    // The rows show before the outbox is ready to save (Memuat…).
    until_ready(&root).await;
    click(&root, "[data-testid=save]");
    until("back on Kotak keluar", || root.query_selector("[data-testid=outbox]").unwrap().is_some()).await;

    let stored = OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries;
    assert_eq!(stored.len(), 2, "changed in place, not added: {stored:?}");
    let changed = stored.iter().find(|e| e.report.id == refused.id).expect("the same id");
    assert!(matches!(changed.delivery, Delivery::Waiting { .. }), "{:?}", changed.delivery);
    assert_eq!(changed.report.created_at, refused.created_at, "its time stays");
    assert!(
        matches!(&changed.report.body, ReportBody::Incident { description, .. } if description == "Pemilih diancam pukul 09.15, bukan 09.00"),
        "{:?}",
        changed.report.body
    );
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
async fn a_refused_report_can_be_discarded_once_confirmed_and_a_waiting_one_cannot() {
    storage().clear().unwrap();
    let database = format!("test-app-{}", uuid::Uuid::new_v4());
    let problem = invalid_report();
    let refused = OutboxEntry::new(report("catatan lama yang ditolak"), Delivery::Rejected { problem });
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
            FieldError { field: "body.votes.1.name".into(), code: FieldErrorCode::Required, limit: None },
            FieldError { field: "body.answers.ink.note".into(), code: FieldErrorCode::Required, limit: None },
            FieldError { field: "body.photo".into(), code: FieldErrorCode::Required, limit: None },
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
        store.put(&OutboxEntry::new(report, delivery)).await.unwrap();
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
