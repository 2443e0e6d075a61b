//! Sending: no signal, a server that never answers, and other tabs' changes.

use crate::support::*;

#[wasm_bindgen_test]
async fn no_connection_means_retry_later() {
    let reports = [report("tanpa sinyal"), report("juga tanpa sinyal")];
    let outcomes = post_batch(&ApiBase(UNREACHABLE.into()), "pantau_token", &reports).await;
    assert_eq!(outcomes.len(), 2);
    use pantau_core::protocol::WaitReason;
    // Kotak keluar tells the volunteer why, from the reason kept with each report.
    assert!(
        outcomes.iter().all(
            |o| matches!(o, SendOutcome::RetryLater { reason, .. } if reason.reason == WaitReason::NoConnection && WaitReason::of(&reason.detail) == WaitReason::NoConnection)
        ),
        "{outcomes:?}"
    );
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
            SendOutcome::RetryLater { reason, .. } => {
                assert!(reason.detail.contains("no answer within"), "{reason}");
                assert_eq!(reason.reason, pantau_core::protocol::WaitReason::NoAnswer);
            }
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
    let refused = OutboxEntry::new(report("ditolak"), Delivery::Rejected { problem });
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
async fn two_tabs_with_no_signal_do_not_wake_each_other_out_of_their_backoff() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-two-tabs-{}", uuid::Uuid::new_v4());
    let queued = waiting(report("menunggu sinyal"));
    OutboxStore::open(&name).await.unwrap().put(&queued).await.unwrap();
    let mut tabs = Vec::new();
    let enrolment = pantau_core::protocol::Enrolment {
        token: "pantau_token".into(),
        volunteer: pantau_core::protocol::VolunteerProfile { name: "Sari".into(), tps: None },
    };
    let token = RwSignal::new(Some(enrolment));
    for _ in 0..2 {
        let tab = pantau::sync::SyncEngine::new(
            RwSignal::new(pantau_core::Outbox::from_entries(vec![queued.clone()])),
            token,
            ApiBase(UNREACHABLE.into()),
        );
        tab.listen_to_other_tabs();
        tab.attach_store(OutboxStore::open(&name).await.unwrap());
        tabs.push(tab);
    }
    tabs[0].trigger();
    sleep_ms(3_000).await;
    // Stop both before looking (no token: no more rounds).
    token.set(None);
    let stored = OutboxStore::open(&name).await.unwrap().get(queued.report.id).await.unwrap().unwrap();
    let Delivery::Waiting { attempts, .. } = stored.delivery else { panic!("{:?}", stored.delivery) };
    // With backoff, a handful of tries in 3 s; two tabs restarting each other
    // on every announced failure made well over a hundred.
    assert!((1..=20).contains(&attempts), "{attempts} attempts in 3 s");
}
