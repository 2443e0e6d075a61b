//! What a volunteer's day at the TPS needs to be unmistakable (issue 13): a
//! save confirmed where it can be seen and following the report's state, the
//! first wrong field brought to the cursor, the proof of sending kept unless
//! its removal is confirmed, and the connection's state said.

use crate::support::*;

/// An incident form filled in, ready for Simpan.
fn fill_incident(root: &web_sys::Element, description: &str) {
    type_into(root, "#tps", "6471011001-012");
    choose(root, "#category", "vote_buying");
    type_into(root, "#place", "Depan TPS");
    type_into(root, "#description", description);
    click(root, "[data-testid=time-now]");
}

#[wasm_bindgen_test]
async fn a_save_shows_a_card_that_follows_the_reports_state_until_the_volunteer_moves_on() {
    storage().clear().unwrap();
    let (root, database, _mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    fill_incident(&root, "Amplop dibagikan di antrean");
    click(&root, "[data-testid=save]");
    until("the card", || root.query_selector("[data-testid=saved-card]").unwrap().is_some()).await;
    let card = by_selector(&root, "[data-testid=saved-card]");
    assert!(text(&card).contains("Tersimpan di ponsel"), "{}", text(&card));
    // No server answers: it waits, and says so.
    until("waiting", || text(&by_selector(&root, "[data-testid=saved-state]")).contains("Menunggu dikirim")).await;
    assert_eq!(by_selector(&card, "[data-testid=see-outbox]").get_attribute("href").as_deref(), Some("#/kotak-keluar"));

    // Another tab delivers it: the card says so, with the receipt's number.
    let stored = OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries;
    let mut delivered = sent(stored[0].report.clone(), 4107);
    delivered.rev = stored[0].rev + 5;
    OutboxStore::open(&database).await.unwrap().put(&delivered).await.unwrap();
    let channel = web_sys::BroadcastChannel::new("pantau-outbox").unwrap();
    pantau::sync::announce(Some(&channel), [delivered.report.id]);
    until("sent with its receipt", || text(&by_selector(&root, "[data-testid=saved-state]")).contains("4107")).await;
    assert!(text(&by_selector(&root, "[data-testid=saved-state]")).contains("Terkirim"));
    channel.close();

    // "Buat laporan lain" puts the card away; the form is empty for the next report.
    click(&root, "[data-testid=another-report]");
    leptos::task::tick().await;
    assert!(root.query_selector("[data-testid=saved-card]").unwrap().is_none());
    assert_eq!(value_of(&root, "#description"), "");
}

#[wasm_bindgen_test]
async fn after_simpan_the_first_wrong_field_has_the_cursor() {
    storage().clear().unwrap();
    let (root, _database, _mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    type_into(&root, "#tps", "6471011001-012");
    type_into(&root, "#description", "Kotak suara tidak disegel");
    click(&root, "[data-testid=save]");
    until("the errors", || text(&root).contains("Wajib diisi")).await;
    let focused = || web_sys::window().unwrap().document().unwrap().active_element().map(|e| e.id());
    // The category is the first field left empty.
    until("the category has the cursor", || focused().as_deref() == Some("category")).await;

    // Fixed, the next one is the time, then the place.
    choose(&root, "#category", "other");
    click(&root, "[data-testid=save]");
    until("the time has the cursor", || focused().as_deref() == Some("occurred-at")).await;
    click(&root, "[data-testid=time-now]");
    click(&root, "[data-testid=save]");
    until("the place has the cursor", || focused().as_deref() == Some("place")).await;
}

#[wasm_bindgen_test]
async fn sent_reports_leave_the_list_only_once_the_volunteer_confirms() {
    storage().clear().unwrap();
    let database = format!("test-clear-{}", uuid::Uuid::new_v4());
    // Received just now: older ones leave the list by themselves (retention).
    let mut delivered = sent(report("tanda terima 12"), 12);
    if let Delivery::Sent { receipt } = &mut delivered.delivery {
        receipt.received_at = pantau::clock::now();
    }
    OutboxStore::open(&database).await.unwrap().put(&delivered).await.unwrap();
    let (root, _database, _mounted) = mount_app_on("#/kotak-keluar", database.clone()).await;
    until("the sent row", || root.query_selector("[data-testid=clear-sent]").unwrap().is_some()).await;

    let restore = answer_confirm_with(false);
    click(&root, "[data-testid=clear-sent]");
    sleep_ms(200).await;
    restore.call0(&JsValue::NULL).unwrap();
    assert!(OutboxStore::open(&database).await.unwrap().get(delivered.report.id).await.unwrap().is_some());
    assert!(text(&root).contains("tanda terima 12"), "still listed");

    let restore = answer_confirm_with(true);
    click(&root, "[data-testid=clear-sent]");
    until("cleared", || root.query_selector("[data-testid=outbox] li").unwrap().is_none()).await;
    restore.call0(&JsValue::NULL).unwrap();
    assert!(OutboxStore::open(&database).await.unwrap().get(delivered.report.id).await.unwrap().is_none());
}

#[wasm_bindgen_test]
async fn beranda_keeps_the_last_delivery_across_a_reload_and_says_when_the_next_try_is() {
    storage().clear().unwrap();
    // 14.05 today, in the phone's zone, as kept by an earlier delivery.
    let today = js_sys::Date::new_0();
    today.set_hours(14);
    today.set_minutes(5);
    storage().set_item("pantau.last_delivery", &today.get_time().to_string()).unwrap();
    // Enrolled, with a report waiting and no server to take it.
    let enrolment = r#"{"token":"pantau_test","volunteer":{"name":"Sari","tps":"6471011001-012"}}"#;
    storage().set_item("pantau.enrolment", enrolment).unwrap();
    let database = format!("test-next-try-{}", uuid::Uuid::new_v4());
    OutboxStore::open(&database).await.unwrap().put(&waiting(report("menunggu sinyal"))).await.unwrap();
    let (root, _database, _mounted) = mount_app_on("#/", database).await;

    let summary = || text(&by_selector(&root, "[data-testid=counts]").parent_element().unwrap());
    until("the last delivery", || summary().contains("14.05")).await;
    assert!(!summary().contains("belum pernah"), "{}", summary());
    until("the next try", || root.query_selector("[data-testid=next-try]").unwrap().is_some()).await;
    let next = text(&by_selector(&root, "[data-testid=next-try]"));
    assert!(next.contains("Dicoba lagi otomatis dalam") && next.contains("detik"), "{next}");

    // The browser says the network went: Beranda says so.
    let window = web_sys::window().unwrap();
    window.dispatch_event(&web_sys::Event::new("offline").unwrap()).unwrap();
    leptos::task::tick().await;
    assert!(root.query_selector("[data-testid=offline]").unwrap().is_some());
    window.dispatch_event(&web_sys::Event::new("online").unwrap()).unwrap();
    leptos::task::tick().await;
    assert!(root.query_selector("[data-testid=offline]").unwrap().is_none());
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
async fn kirim_sekarang_answers_under_the_button_with_what_came_of_it() {
    storage().clear().unwrap();
    let enrolment = r#"{"token":"pantau_test","volunteer":{"name":"Sari","tps":"6471011001-012"}}"#;
    storage().set_item("pantau.enrolment", enrolment).unwrap();
    let database = format!("test-send-now-{}", uuid::Uuid::new_v4());
    let queued = report("menunggu sinyal");
    OutboxStore::open(&database).await.unwrap().put(&waiting(queued.clone())).await.unwrap();
    let (root, _database, _mounted) = mount_app_on("#/", database).await;
    // The first round, at start, found no server.
    until("the next try", || root.query_selector("[data-testid=next-try]").unwrap().is_some()).await;
    assert!(root.query_selector("[data-testid=send-result]").unwrap().is_none(), "nothing asked yet");
    let result = || root.query_selector("[data-testid=send-result]").unwrap().map(|e| text(&e)).unwrap_or_default();

    click(&root, "[data-testid=send-now]");
    until("no signal, said", || result().contains("Belum terkirim. Belum tersambung ke server")).await;

    // The signal is back: the server confirms the report.
    let body = format!(
        r#"{{"results":[{{"status":201,"receipt":{{"id":"{}","received_at":"2026-11-30T10:00:00Z","seq":5}}}}]}}"#,
        queued.id
    );
    let restore = answer_every_fetch_with(200, "application/json", &body);
    click(&root, "[data-testid=send-now]");
    until("the delivery, said", || result() == "1 laporan terkirim.").await;
    click(&root, "[data-testid=send-now]");
    until("nothing left, said", || result() == "Tidak ada laporan yang menunggu.").await;
    restore.call0(&JsValue::NULL).unwrap();
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
async fn kirim_sekarang_before_enrolment_says_to_enrol_first() {
    storage().clear().unwrap();
    let database = format!("test-send-now-{}", uuid::Uuid::new_v4());
    OutboxStore::open(&database).await.unwrap().put(&waiting(report("belum terdaftar"))).await.unwrap();
    let (root, _database, _mounted) = mount_app_on("#/", database).await;
    until("the outbox to open", || text(&root).contains("1 menunggu")).await;
    click(&root, "[data-testid=send-now]");
    until("the answer", || root.query_selector("[data-testid=send-result]").unwrap().is_some()).await;
    until("enrol first, said", || {
        text(&by_selector(&root, "[data-testid=send-result]")).contains("daftarkan ponsel dulu")
    })
    .await;
}

#[wasm_bindgen_test]
async fn an_enrolment_on_its_way_says_so_instead_of_not_enrolled() {
    storage().clear().unwrap();
    // A link opened over a link so slow that no answer comes during the test.
    let restore = js_sys::Function::new_no_args(
        "const original = window.fetch;
         window.fetch = () => new Promise(() => {});
         return () => { window.fetch = original; };",
    )
    .call0(&JsValue::NULL)
    .unwrap()
    .unchecked_into::<js_sys::Function>();
    let (root, _database, _mounted) = mount_app("#daftar=K7QX-M2PA-9RTD").await;
    until("enrolling", || root.query_selector("[data-testid=enrolling]").unwrap().is_some()).await;
    assert!(root.query_selector("[data-testid=not-enrolled]").unwrap().is_none(), "{}", text(&root));
    assert!(text(&root).contains("Mendaftar"));

    web_sys::window().unwrap().location().set_hash("#/pengaturan").unwrap();
    until("the code on its way", || root.query_selector("[data-testid=enrol-pending]").unwrap().is_some()).await;
    assert!(text(&by_selector(&root, "[data-testid=enrol-pending]")).contains("K7QX-M2PA-9RTD"));
    restore.call0(&JsValue::NULL).unwrap();
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
async fn a_filed_checklist_phase_is_named_and_the_next_visit_opens_at_the_next_one() {
    storage().clear().unwrap();
    let (root, database, mounted) = mount_app("#/baru/checklist").await;
    until_ready(&root).await;
    type_into(&root, "#tps", "6471011001-3");
    for id in ["opened_0700", "kpps_oath", "witnesses_mandate", "ballot_box_empty", "ballots_sealed", "lists_posted"] {
        click(&root, &format!("fieldset[data-item={id}] input[value=yes]"));
    }
    leptos::task::tick().await;
    click(&root, "[data-testid=save]");
    until("the card", || root.query_selector("[data-testid=saved-note]").unwrap().is_some()).await;
    let note = text(&by_selector(&root, "[data-testid=saved-note]"));
    assert!(note.contains("Pembukaan") && note.contains("Pemungutan suara"), "{note}");
    let phase = |root: &web_sys::Element| {
        by_selector(root, "input[name=phase]:checked").unchecked_into::<web_sys::HtmlInputElement>().value()
    };
    assert_eq!(phase(&root), "voting");

    // Closed and opened again, with nothing typed since: still at voting.
    drop(mounted);
    root.remove();
    let (root, _, _mounted) = mount_app_on("#/baru/checklist", database).await;
    until_ready(&root).await;
    assert_eq!(phase(&root), "voting");
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
async fn a_tps_code_with_a_slip_is_never_kept_and_the_slip_is_named() {
    storage().clear().unwrap();
    let (root, _database, _mounted) = mount_app("#/pengaturan").await;
    type_into(&root, "#profile-tps", "6471011001-003");
    leptos::task::tick().await;
    let kept = || pantau::profile::Profile::load().tps;
    assert_eq!(kept(), "6471011001-003");

    // One digit short: named, and the profile keeps the last good code.
    type_into(&root, "#profile-tps", "647101100-003");
    leptos::task::tick().await;
    let problem = text(&by_selector(&root, "[data-testid=profile-tps-problem]"));
    assert!(problem.contains("10 angka") && problem.contains("tertulis 9"), "{problem}");
    assert_eq!(kept(), "6471011001-003");

    // Beranda shows the kept TPS, not the slip.
    web_sys::window().unwrap().location().set_hash("#/").unwrap();
    until("Beranda", || root.query_selector("[data-testid=home-tps]").unwrap().is_some()).await;
    let home = text(&by_selector(&root, "[data-testid=home-tps]"));
    assert!(home.contains("TPS 003") && !home.contains("647101100-"), "{home}");
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
async fn every_report_can_be_read_again_and_a_sent_one_shows_its_receipt() {
    storage().clear().unwrap();
    let database = format!("test-details-{}", uuid::Uuid::new_v4());
    let incident = Report::new(
        ReportId(uuid::Uuid::new_v4()),
        "6471011001-007",
        time::macros::datetime!(2026-02-14 10:00 +08:00),
        ReportBody::Incident {
            category: pantau_core::IncidentCategory::VoteBuying,
            occurred_at: time::macros::datetime!(2026-02-14 09:15 +08:00),
            place: "Gang Mawar".into(),
            description: "Amplop dibagikan kepada pemilih".into(),
            reported_party: "Tim sukses X".into(),
            witnesses: String::new(),
            urgent: true,
        },
    );
    let mut delivered = sent(incident, 4321);
    if let Delivery::Sent { receipt } = &mut delivered.delivery {
        receipt.received_at = pantau::clock::now();
    }
    OutboxStore::open(&database).await.unwrap().put(&delivered).await.unwrap();
    let (root, _database, _mounted) = mount_app_on("#/kotak-keluar", database).await;
    until("the row", || root.query_selector("[data-testid=report-details]").unwrap().is_some()).await;
    let details = by_selector(&root, "[data-testid=report-details]");
    click(&details, "summary");
    leptos::task::tick().await;
    assert!(details.has_attribute("open"));
    let shown = text(&details);
    // 09.15 in Balikpapan, as the phone's own clock shows it.
    let at = js_sys::Date::new(&JsValue::from_str("2026-02-14T09:15:00+08:00"));
    let occurred = format!("{:02}/02 {:02}.{:02}", at.get_date(), at.get_hours(), at.get_minutes());
    for expected in ["Gang Mawar", "Amplop dibagikan kepada pemilih", "Tim sukses X", "Politik uang", "4321", &occurred]
    {
        assert!(shown.contains(expected), "{expected} missing from {shown}");
    }
}
