//! Exports read the reports a page at a time: every report once, in arrival
//! order, across page boundaries, with the coordinator's filter kept.

use crate::common::{every_report, TestServer};
use pantau_core::{Report, ReportBody, ReportId};
use pantau_server::auth::hash_secret;
use pantau_server::store::{Stored, EXPORT_PAGE};
use reqwest::StatusCode;

/// `n` reports stored straight into the database, every third one at TPS 7.
async fn stored_reports(server: &TestServer, n: usize) -> Vec<ReportId> {
    let volunteer = server.store.create_volunteer("Sari", "6471011001-004", &hash_secret("code")).await.unwrap();
    let reports: Vec<Report> = (0..n)
        .map(|i| {
            Report::new(
                ReportId(uuid::Uuid::new_v4()),
                if i % 3 == 0 { "6471011001-007" } else { "6471011001-004" },
                time::macros::datetime!(2026-02-14 09:30 +08:00),
                ReportBody::Note { text: format!("laporan {i}") },
            )
        })
        .collect();
    let ids = reports.iter().map(|r| r.id).collect();
    for chunk in reports.chunks(500) {
        for stored in server.store.store_reports(volunteer, chunk.to_vec()).await {
            assert!(matches!(stored, Ok(Stored::Created(_))), "{stored:?}");
        }
    }
    ids
}

#[tokio::test]
async fn pages_hold_every_report_once_in_order_and_end_after_a_full_last_page() {
    let server = TestServer::start().await;
    let ids = stored_reports(&server, 21).await;
    for page in [1, 7, 20, 21, 22, EXPORT_PAGE] {
        let read: Vec<ReportId> = every_report(&server.store, page).await.iter().map(|s| s.report.id).collect();
        assert_eq!(read, ids, "page size {page}");
    }
}

#[tokio::test]
async fn the_csv_export_streams_every_matching_report_once_across_pages() {
    let server = TestServer::start().await;
    let coordinator = server.coordinator().await;
    let total = 3 * EXPORT_PAGE as usize + 345;
    let ids = stored_reports(&server, total).await;

    let export = |query: &'static str| {
        let request = server.http.get(server.url(&format!("/api/v1/reports.csv{query}"))).bearer_auth(&coordinator);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let body = response.text().await.unwrap();
            assert_eq!(body.matches("seq,received_at").count(), 1, "one header line");
            let mut reader = csv::Reader::from_reader(body.as_bytes());
            let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
            let seqs: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
            assert!(seqs.windows(2).all(|w| w[0] < w[1]), "arrival order, none twice");
            rows.iter().map(|r| r[2].parse::<uuid::Uuid>().map(ReportId).unwrap()).collect::<Vec<_>>()
        }
    };
    assert_eq!(export("").await, ids);
    let at_tps_7: Vec<ReportId> = ids.iter().step_by(3).copied().collect();
    assert!(at_tps_7.len() > EXPORT_PAGE as usize, "the filtered export spans pages too");
    assert_eq!(export("?tps=6471011001-007").await, at_tps_7);
}

/// Damages one stored row behind the server's back (rows are never updated by
/// the server; a hand edit or a bug could do it).
async fn damage_row(server: &TestServer, seq: i64) {
    let sql = "UPDATE reports SET received_at = 'garbage' WHERE CAST(seq AS TEXT) = $1";
    assert_eq!(crate::common::execute_behind(&server.db_path, sql, &seq.to_string()).await, 1);
}

#[tokio::test]
async fn an_export_that_fails_part_way_never_reads_as_a_complete_file() {
    let server = TestServer::start().await;
    let coordinator = server.coordinator().await;
    stored_reports(&server, 2 * EXPORT_PAGE as usize + 10).await;
    let export = || server.http.get(server.url("/api/v1/reports.csv")).bearer_auth(&coordinator).send();

    // On the second page: the answer has begun, so it ends without its last chunk.
    // (Whether the head got onto the wire before the cut depends on timing:
    // either way the client sees an error, never a whole file.)
    damage_row(&server, EXPORT_PAGE + 5).await;
    if let Ok(response) = export().await {
        assert_eq!(response.status(), StatusCode::OK);
        let read = response.text().await;
        assert!(read.is_err(), "a cut export read as whole: {} bytes", read.map(|b| b.len()).unwrap_or_default());
    }

    // The workbook is sent only once whole: a page that fails is a 500.
    let workbook = server.http.get(server.url("/api/v1/reports.xlsx")).bearer_auth(&coordinator).send().await.unwrap();
    assert_eq!(workbook.status(), StatusCode::INTERNAL_SERVER_ERROR);

    // On the first page: nothing has been sent yet, so it is a plain 500.
    damage_row(&server, 3).await;
    assert_eq!(export().await.unwrap().status(), StatusCode::INTERNAL_SERVER_ERROR);
}

/// The XLSX export, read by a spreadsheet library, has the CSV export's rows
/// and values; text someone typed stays text, even when it starts with `=`.
#[tokio::test]
async fn the_xlsx_export_has_the_csv_rows_and_typed_formulas_stay_text() {
    use calamine::{Data, Reader, Xlsx};
    let server = crate::common::TestServer::start().await;
    let token = server.volunteer("=Sari").await;
    for text in ["=HYPERLINK(\"http://x\",\"klik\")", "+62 811 1234", "Amplop, \"Rp50.000\"\nbaris dua", "biasa"] {
        let report = crate::common::report(text);
        assert_eq!(server.post_report(&token, &report).await.status(), 201);
    }
    let coordinator = server.coordinator().await;
    // A forwarding whose note and reference start like formulas.
    let listed = server.get_json(&coordinator, "/api/v1/reports?limit=1").await;
    let id = listed["reports"][0]["report"]["id"].as_str().unwrap().to_owned();
    let change = server
        .http
        .post(server.url(&format!("/api/v1/reports/{id}/review")))
        .bearer_auth(&coordinator)
        .header("If-Match", "\"v0\"")
        .json(
            &serde_json::json!({ "to": "forwarded", "note": "=SUM(1,2) dilimpahkan", "reference": "@001/PL/II/2024" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(change.status(), 201);
    let get = |path: &str| server.http.get(server.url(path)).bearer_auth(&coordinator).send();
    let csv_text = get("/api/v1/reports.csv").await.unwrap().text().await.unwrap();
    let answer = get("/api/v1/reports.xlsx").await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let bytes = answer.bytes().await.unwrap();

    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = workbook.worksheet_range("Laporan").unwrap();
    let xlsx_rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    let defused = |cell: &str| match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
        _ => cell.to_owned(),
    };
    let csv_rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(defused).collect())
        .collect();
    assert_eq!(xlsx_rows.len(), 5, "a header and 4 reports");
    assert_eq!(xlsx_rows, csv_rows);
    // No cell is a formula: the workbook holds none.
    let formulas = workbook.worksheet_formula("Laporan").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "a typed = is text");
    assert!(xlsx_rows.iter().any(|row| row.iter().any(|c| c.starts_with("=HYPERLINK"))));
    // The review travels with its report: state, who, the note and reference as typed.
    let column = |name: &str| xlsx_rows[0].iter().position(|c| c == name).unwrap();
    let reviewed = xlsx_rows.iter().find(|row| row[column("review")] == "forwarded").unwrap();
    assert_eq!(reviewed[column("review_note")], "=SUM(1,2) dilimpahkan");
    assert_eq!(reviewed[column("review_reference")], "@001/PL/II/2024");
    assert!(!reviewed[column("reviewed_by")].is_empty() && !reviewed[column("reviewed_at")].is_empty());
    assert!(csv_text.contains("'=SUM(1,2) dilimpahkan") && csv_text.contains("'@001/PL/II/2024"), "defused in CSV");
}
