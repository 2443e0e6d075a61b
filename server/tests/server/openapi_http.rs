//! The OpenAPI document states what the server enforces, so that a tool built
//! from it (schemathesis in `cargo xtask test api`, a coordinator's script)
//! sends what is accepted. These pin the rules a derived schema would lose.

use crate::common::TestServer;
use pantau_core::validation::{MAX_COUNT, MAX_TEXT_CHARS};
use serde_json::Value;

async fn document(server: &TestServer) -> Value {
    server.http.get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn the_report_schema_states_the_rules_validation_applies() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    let report = &doc["components"]["schemas"]["Report"];
    assert_eq!(report["additionalProperties"], false);
    assert_eq!(report["properties"]["tps"]["pattern"], pantau_server::api::schemas::TPS_PATTERN);
    let bodies = report["properties"]["body"]["oneOf"].as_array().unwrap();
    let kind = |k: &str| bodies.iter().find(|b| b["properties"]["kind"]["const"] == k).unwrap();
    assert_eq!(kind("note")["properties"]["text"]["maxLength"], MAX_TEXT_CHARS);
    assert_eq!(kind("note")["additionalProperties"], false);
    assert_eq!(kind("count_result")["properties"]["valid"]["maximum"], MAX_COUNT);
    // One body per phase of the checklist, each listing the phase's items.
    let checklists: Vec<&Value> = bodies.iter().filter(|b| b["properties"]["kind"]["const"] == "checklist").collect();
    assert_eq!(checklists.len(), 3);
    let opening = checklists.iter().find(|b| b["properties"]["phase"]["const"] == "opening").unwrap();
    let items = opening["properties"]["answers"]["prefixItems"].as_array().unwrap();
    assert_eq!(items.len(), pantau_core::checklist::Phase::Opening.items().count());
}

#[tokio::test]
async fn every_status_an_operation_answers_is_listed_and_filters_are_query_parameters() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    let statuses = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["responses"].as_object().unwrap().keys().cloned().collect()
    };
    for (path, method, expected) in [
        ("/api/v1/enrolments", "post", &["400", "404", "413", "415", "429"][..]),
        ("/api/v1/reports/batch", "post", &["400", "401", "403", "413", "415", "429"][..]),
        ("/api/v1/reports/{id}/receipt", "get", &["400", "401", "404", "429"][..]),
        ("/api/v1/reports", "get", &["400", "401", "403", "429"][..]),
    ] {
        let listed = statuses(path, method);
        for status in expected {
            assert!(listed.iter().any(|s| s == status), "{method} {path} lacks {status}: {listed:?}");
        }
    }
    let params = doc["paths"]["/api/v1/reports"]["get"]["parameters"].as_array().unwrap();
    assert!(params.iter().all(|p| p["in"] == "query" && p["required"] == false), "{params:?}");
    let attempt = &doc["components"]["schemas"]["EnrolmentRequest"]["properties"]["attempt"];
    assert_eq!((attempt["minLength"].clone(), attempt["maxLength"].clone()), (16.into(), 200.into()));
}
