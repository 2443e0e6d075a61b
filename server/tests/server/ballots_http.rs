//! The ballot catalogue: served to phones, replaced per contest by an import,
//! and an import with a mistake refused whole.

use crate::common::TestServer;
use pantau_core::ballot::Catalogue;
use pantau_core::Contest;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_pantau-server");

/// Runs `pantau-server ballot import` on a file holding `json`.
fn import(server: &TestServer, json: &str) -> std::process::Output {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), json).unwrap();
    let path = file.path().to_str().unwrap();
    Command::new(BIN).args(["ballot", "import", path, "--database", &server.db_path]).output().unwrap()
}

async fn served(server: &TestServer) -> Catalogue {
    let response = server.http.get(server.url("/api/v1/ballots")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    Catalogue::from_json(&response.text().await.unwrap()).unwrap()
}

#[tokio::test]
async fn phones_get_the_builtin_ballots_and_then_what_was_imported_in_their_place() {
    let server = TestServer::start().await;
    assert_eq!(served(&server).await, Catalogue::builtin());

    let out = import(
        &server,
        r#"{"ballots":[
        {"contest":"dpd","participants":[{"number":1,"name":"Calon Satu"},{"number":2,"name":"Calon Dua"}]},
        {"contest":"dprd_regency","participants":[{"number":18,"name":"Partai Aceh"}]}
    ]}"#,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("dpd: 2 participants"));

    let catalogue = served(&server).await;
    assert_eq!(catalogue.ballot(Contest::Dpd).unwrap().participants[1].name, "Calon Dua");
    assert_eq!(catalogue.ballot(Contest::DprdRegency).unwrap().participants[0].row_name(), "18. Partai Aceh");
    assert_eq!(catalogue.ballot(Contest::Dpr), Catalogue::builtin().ballot(Contest::Dpr), "the rest stay built in");
}

#[tokio::test]
async fn an_import_with_a_mistake_names_it_and_imports_nothing() {
    let server = TestServer::start().await;
    let out = import(
        &server,
        r#"{"ballots":[
        {"contest":"dpd","participants":[{"number":1,"name":"Calon Satu"}]},
        {"contest":"dpr","participants":[{"number":4,"name":"Golkar"},{"number":4,"name":"NasDem"}]}
    ]}"#,
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the dpr ballot has number 4 twice"), "{stderr}");
    assert_eq!(served(&server).await, Catalogue::builtin(), "not even the good DPD ballot");
}

#[tokio::test]
async fn a_phone_holding_the_current_catalogue_gets_304_and_no_body() {
    let server = TestServer::start().await;
    let ask = |etag: String| server.http.get(server.url("/api/v1/ballots")).header("If-None-Match", etag).send();
    let builtin = Catalogue::builtin().etag();
    let answer = ask(builtin.clone()).await.unwrap();
    assert_eq!(answer.status(), 304);
    assert_eq!(answer.text().await.unwrap(), "");

    let dpd = r#"{"ballots":[{"contest":"dpd","participants":[{"number":1,"name":"Calon Satu"}]}]}"#;
    server.store.import_ballots(&Catalogue::from_json(dpd).unwrap()).await.unwrap();
    let answer = ask(builtin).await.unwrap();
    assert_eq!(answer.status(), 200, "the phone's copy is out of date");
    let etag = answer.headers()["etag"].to_str().unwrap().to_owned();
    let served = Catalogue::from_json(&answer.text().await.unwrap()).unwrap();
    assert_eq!(served.etag(), etag, "the phone computes the same tag from what it keeps");
    assert_eq!(ask(etag).await.unwrap().status(), 304);
}
