//! Property test of report parsing and validation through the real router:
//! whatever bytes arrive, the server never panics or answers 5xx, rejects with a
//! 4xx problem, and accepts only what pantau-core validates.

use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use pantau_core::Report;
use pantau_server::auth::{hash_secret, new_enrolment_code, new_token, normalise_code};
use pantau_server::store::Store;
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

fn valid_report() -> Value {
    json!({
        "id": "0b6f3c52-2a53-4d6e-9d0f-3c1c2f0f6a11",
        "tps": "6471011001-003",
        "created_at": "2026-02-14T07:05:00+08:00",
        "body": { "kind": "note", "text": "TPS dibuka pukul 07.00" }
    })
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        "[0-9]{0,14}[-/ ]?[0-9]{0,4}".prop_map(Value::String),
        Just(json!("x".repeat(6_000))),
    ]
}

/// A valid report with one field replaced, removed or added, or nested junk.
fn mutated_report() -> impl Strategy<Value = Value> {
    let paths = prop_oneof![
        Just(vec!["id"]),
        Just(vec!["tps"]),
        Just(vec!["created_at"]),
        Just(vec!["body"]),
        Just(vec!["body", "kind"]),
        Just(vec!["body", "text"]),
        Just(vec!["extra"]),
    ];
    (paths, prop::option::of(json_leaf())).prop_map(|(path, value)| {
        let mut report = valid_report();
        let (parent, key) = match path.as_slice() {
            [key] => (&mut report, *key),
            [a, key] => (&mut report[*a], *key),
            _ => unreachable!(),
        };
        if let Some(object) = parent.as_object_mut() {
            match value {
                Some(v) => {
                    object.insert(key.to_owned(), v);
                }
                None => {
                    object.remove(key);
                }
            }
        }
        report
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        mutated_report().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        json_leaf().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        prop::collection::vec(any::<u8>(), 0..200),
        ".{0,100}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn no_input_panics_or_answers_5xx(body in body(), json_type in any::<bool>()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("p.db").to_string_lossy()).await.unwrap();
            let code = new_enrolment_code();
            store.create_volunteer("Uji", "6471011001-003", &hash_secret(&normalise_code(&code))).await.unwrap();
            let token = new_token();
            store.enrol(pantau_server::store::Role::Volunteer, &hash_secret(&normalise_code(&code)), None, &hash_secret(&token), None).await.unwrap().unwrap();

            let content_type = if json_type { "application/json" } else { "application/x-www-form-urlencoded" };
            let request = Request::post("/api/v1/reports")
                .header(header::CONTENT_TYPE, content_type)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from(body.clone()))
                .unwrap();
            let response = pantau_server::app(store.clone(), &pantau_server::Config::default()).oneshot(request).await.unwrap();
            let status = response.status();
            let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
            let _ = response.into_body().collect().await.unwrap();

            prop_assert!(!status.is_server_error(), "5xx for {:?}", String::from_utf8_lossy(&body));
            let parsed = serde_json::from_slice::<Report>(&body).ok();
            // Valid, and about the TPS the volunteer is enrolled for.
            let acceptable = json_type
                && parsed.as_ref().is_some_and(|r| {
                    r.validate().is_ok() && pantau_core::TpsCode::in_scope("6471011001-003", &r.tps)
                });
            if acceptable {
                prop_assert!(status.is_success(), "{status} for a valid report");
            } else {
                prop_assert!(status.is_client_error(), "{status} for {:?}", String::from_utf8_lossy(&body));
                prop_assert_eq!(content_type.unwrap(), "application/problem+json");
            }
            Ok(())
        })?;
    }
}
