//! The report forms in the mounted app: named errors, saving, warnings,
//! drafts and the language switch.

use crate::support::*;

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
    click(&root, "[data-testid=time-now]");
    click(&root, "[data-testid=save]");
    // "Tersimpan" only once IndexedDB has completed the write.
    until("Tersimpan", || {
        by_selector(&root, "[data-testid=form-message]").text_content().unwrap().contains("Tersimpan")
    })
    .await;
    // The form is cleared for the next report; the TPS is kept, canonical,
    // and shown as one line at the top.
    assert_eq!(value_of(&root, "#description"), "");
    let chip = text(&by_selector(&root, "[data-testid=tps-chip]"));
    assert!(chip.starts_with("TPS 012, Kel. "), "{chip}");

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
    // DPD candidates differ by province: no ballot built in, names typed.
    choose(&root, "#contest", "dpd");
    type_into(&root, "#row-name-1", "Calon A");
    type_into(&root, "#row-votes-1", "61");
    type_into(&root, "#row-name-2", "Calon B");
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

#[wasm_bindgen_test]
async fn a_blank_incident_form_has_no_time_until_the_volunteer_chooses_one_and_a_started_one_keeps_its_own() {
    use pantau::forms::incident::to_local_input;
    let minute_now = || to_local_input(pantau::clock::now());
    // Left by an earlier visit, hours ago: neither it nor a default is filed unseen.
    storage().clear().unwrap();
    storage()
        .set_item("pantau.draft.incident", r#"{"tps":"6471011001-003","occurred_at":"2026-02-14T08:00"}"#)
        .unwrap();
    let (root, _database, mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    assert_eq!(value_of(&root, "#occurred-at"), "", "not the kept 08:00, nor a time chosen for her");
    // Saving without a time names it.
    type_into(&root, "#place", "Gang Mawar");
    click(&root, "[data-testid=save]");
    until("the time is asked for", || {
        let input = by_selector(&root, "#occurred-at");
        let error = input.next_element_sibling().and_then(|hint| hint.next_element_sibling());
        error.is_some_and(|e| text(&e).contains("Wajib diisi"))
    })
    .await;
    // "Baru saja" is now.
    let before = minute_now();
    click(&root, "[data-testid=time-now]");
    leptos::task::tick().await;
    let shown = value_of(&root, "#occurred-at");
    assert!(shown == before || shown == minute_now(), "{shown} {}", text(&root));
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
async fn the_photos_of_every_draft_stay_named_even_of_one_this_version_cannot_read() {
    let photo =
        |n: char| format!(r#"{{"sha256":"{}","bytes":1000,"width":800,"height":600}}"#, n.to_string().repeat(64));
    storage().clear().unwrap();
    // A description that quotes a photo's JSON names no photo.
    let quoted = format!(r#"\"sha256\":\"{}\""#, "e".repeat(64));
    let readable = format!(r#"{{"description":"{quoted}","photos":[{}]}}"#, photo('a'));
    // `urgent` as text: no FormInput reads it, its photos are named all the same.
    let older = format!(r#"{{"urgent":"ya","photos":[{},{}]}}"#, photo('b'), photo('c'));
    storage().set_item("pantau.draft.incident", &readable).unwrap();
    storage().set_item("pantau.draft.count.unreadable", &older).unwrap();
    storage().set_item("pantau.profile", &format!(r#"{{"photos":[{}]}}"#, photo('d'))).unwrap();
    let mut named = pantau::drafts::draft_photos();
    named.sort();
    assert_eq!(named, ["a", "b", "c"].map(|n| n.repeat(64)), "drafts' photos, and no other key's");
}

#[wasm_bindgen_test]
async fn drafts_kept_by_the_version_with_one_draft_type_per_form_open_as_typed() {
    // As the count and checklist drafts were written before the forms shared one type.
    storage().clear().unwrap();
    let count = r#"{"tps":"6471011001-003","contest":"","rows":[{"name":"Partai A","votes":"12","from_ballot":false},{"name":"","votes":"","from_ballot":false}],"valid":"12a","invalid":"","voters":"","photos":[],"position":null}"#;
    let checklist = r#"{"tps":"6471011001-003","phase":"opening","answers":{"opened_0700":"no"},"notes":{"opened_0700":"Dibuka 07.40"},"photos":[]}"#;
    storage().set_item("pantau.draft.count", count).unwrap();
    storage().set_item("pantau.draft.checklist", checklist).unwrap();
    let (root, _database, mounted) = mount_app("#/baru/hasil").await;
    until_ready(&root).await;
    assert_eq!(value_of(&root, "#row-name-1"), "Partai A");
    assert_eq!(value_of(&root, "#row-votes-1"), "12");
    assert_eq!(value_of(&root, "#valid"), "12a", "kept as typed, though it is no number yet");
    drop(mounted);
    root.remove();

    let (root, _database, _mounted) = mount_app("#/baru/checklist").await;
    until_ready(&root).await;
    let no = by_selector(&root, "input[name=opened_0700][value=no]").dyn_into::<web_sys::HtmlInputElement>().unwrap();
    assert!(no.checked(), "{}", text(&root));
    assert_eq!(value_of(&root, "#note-opened_0700"), "Dibuka 07.40");
    assert_eq!(storage().get_item("pantau.draft.checklist.unreadable").unwrap(), None);
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
async fn a_save_whose_end_the_page_never_saw_is_not_saved_again_under_a_new_id() {
    storage().clear().unwrap();
    let (root, database, mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    type_into(&root, "#tps", "6471011001-012");
    choose(&root, "#category", "vote_buying");
    type_into(&root, "#place", "Gang Mawar");
    type_into(&root, "#description", "Amplop dibagikan pagi hari");
    click(&root, "[data-testid=time-now]");
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
async fn a_volunteer_enrolled_for_one_tps_sees_it_as_one_line_and_cannot_file_for_another() {
    storage().clear().unwrap();
    let enrolment = r#"{"token":"pantau_test","volunteer":{"name":"Sari","tps":"6471011001-003"}}"#;
    storage().set_item("pantau.enrolment", enrolment).unwrap();
    storage().set_item("pantau.profile", r#"{"name":"Sari","tps":"6471011001-003"}"#).unwrap();
    // A draft from before, typed for another TPS.
    storage().set_item("pantau.draft.incident", r#"{"tps":"6471011002-001","place":"Gang Mawar"}"#).unwrap();
    let (root, database, mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    // Outside the TPS she is enrolled for: named, with the way back.
    assert!(root.query_selector("[data-testid=tps-chip]").unwrap().is_none());
    assert!(text(&root).contains("TPS ini di luar tugas Anda"), "{}", text(&root));
    choose(&root, "#category", "vote_buying");
    type_into(&root, "#description", "Amplop dibagikan di gang");
    click(&root, "[data-testid=time-now]");
    click(&root, "[data-testid=save]");
    leptos::task::tick().await;
    assert!(text(&by_selector(&root, "[data-testid=form-message]")).contains("Belum tersimpan"));
    assert!(OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries.is_empty(), "nothing queued");

    assert_eq!(text(&by_selector(&root, "[data-testid=tps-use-own]")), "Pakai TPS tugas 6471011001-003");
    click(&root, "[data-testid=tps-use-own]");
    click(&root, "[data-testid=save]");
    until("Tersimpan", || text(&by_selector(&root, "[data-testid=form-message]")).contains("Tersimpan")).await;
    let stored = OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].report.tps, "6471011001-003");

    // One line at the top, and nothing to change it with.
    let chip = by_selector(&root, "[data-testid=tps-chip]");
    assert!(text(&chip).starts_with("TPS 003, Kel. Manggar"), "{}", text(&chip));
    assert_eq!(chip.previous_element_sibling().unwrap().tag_name(), "H2", "first under the form's heading");
    assert!(root.query_selector("[data-testid=tps-change]").unwrap().is_none());
    assert!(root.query_selector("#tps").unwrap().is_none());
    drop(mounted);
    root.remove();
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
async fn a_roaming_volunteer_changes_the_tps_within_the_village_she_is_enrolled_for() {
    storage().clear().unwrap();
    let enrolment = r#"{"token":"pantau_test","volunteer":{"name":"Rudi","tps":"6471011001"}}"#;
    storage().set_item("pantau.enrolment", enrolment).unwrap();
    storage().set_item("pantau.profile", r#"{"name":"Rudi","tps":"6471011001-004"}"#).unwrap();
    let (root, _database, _mounted) = mount_app("#/baru/kejadian").await;
    until_ready(&root).await;
    assert!(text(&by_selector(&root, "[data-testid=tps-chip]")).starts_with("TPS 004"));
    click(&root, "[data-testid=tps-change]");
    leptos::task::tick().await;
    type_into(&root, "#tps", "6471011002-001");
    leptos::task::tick().await;
    assert!(text(&root).contains("TPS ini di luar tugas Anda"), "another village");
    assert!(root.query_selector("[data-testid=tps-use-own]").unwrap().is_none(), "a village has no one TPS to offer");
    type_into(&root, "#tps", "6471011001-009");
    leptos::task::tick().await;
    assert!(!text(&root).contains("di luar tugas"), "{}", text(&root));
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
async fn a_count_form_fills_its_participants_from_the_ballots_and_keeps_a_running_total() {
    storage().clear().unwrap();
    // What the server served last time, kept for use offline: its own DPD ballot.
    let served = r#"{"ballots":[{"contest":"dpd","participants":[{"number":1,"name":"Calon Satu"},{"number":2,"name":"Calon Dua"}]}]}"#;
    storage().set_item("pantau.ballots", served).unwrap();
    let (root, database, _mounted) = mount_app("#/baru/hasil").await;
    until_ready(&root).await;
    type_into(&root, "#tps", "6471011001-3");
    choose(&root, "#contest", "dpd");
    leptos::task::tick().await;
    assert_eq!(text(&by_selector(&root, "label[for=row-votes-2]")), "2. Calon Dua");
    assert!(root.query_selector("#row-name-1").unwrap().is_none(), "no names to type");
    assert!(root.query_selector("[data-testid=add-row]").unwrap().is_none());

    // The presidential pairs are built in.
    choose(&root, "#contest", "president");
    leptos::task::tick().await;
    assert_eq!(text(&by_selector(&root, "label[for=row-votes-3]")), "3. Ganjar Pranowo – Mahfud MD");
    assert!(root.query_selector("#row-votes-4").unwrap().is_none());
    type_into(&root, "#row-votes-1", "100");
    type_into(&root, "#row-votes-2", "120");
    type_into(&root, "#row-votes-3", "97");
    leptos::task::tick().await;
    let total = || text(&by_selector(&root, "[data-testid=count-total]"));
    assert_eq!(total(), "Jumlah 317");
    type_into(&root, "#valid", "327");
    leptos::task::tick().await;
    assert_eq!(total(), "Jumlah 317 · Suara sah 327 · selisih 10");
    type_into(&root, "#invalid", "3");
    type_into(&root, "#voters", "330");
    leptos::task::tick().await;
    // A warning is not an error: amber, not red.
    let warning = by_selector(&root, "[data-testid=count-warnings] p");
    assert_eq!(warning.class_name(), "caution", "{}", text(&warning));
    // Typed votes stay when the contest is changed by mistake.
    choose(&root, "#contest", "dpr");
    leptos::task::tick().await;
    assert_eq!(value_of(&root, "#row-votes-2"), "120");

    choose(&root, "#contest", "president");
    type_into(&root, "#valid", "317");
    type_into(&root, "#voters", "320");
    click(&root, "[data-testid=save]");
    until("Tersimpan", || text(&root).contains("Tersimpan")).await;
    let stored = OutboxStore::open(&database).await.unwrap().load().await.unwrap().entries;
    match &stored[0].report.body {
        ReportBody::CountResult { votes, .. } => {
            let names: Vec<&str> = votes.iter().map(|v| v.name.as_str()).collect();
            assert_eq!(names[1], "2. Prabowo Subianto – Gibran Rakabuming Raka");
            assert_eq!(votes.iter().map(|v| v.votes).sum::<u32>(), 317);
        }
        other => panic!("{other:?}"),
    }
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
fn a_kept_catalogue_that_fails_the_check_gives_way_to_the_builtin_one() {
    storage().clear().unwrap();
    storage().set_item("pantau.ballots", r#"{"ballots":[{"contest":"dpr","participants":[]}]}"#).unwrap();
    assert_eq!(pantau::ballots::catalogue(), pantau_core::ballot::Catalogue::builtin());
    storage().clear().unwrap();
}
