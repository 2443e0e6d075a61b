//! Coordinators' endpoints: every report in their scope, filtered and paged,
//! as JSON or CSV.

use super::extract::Coordinator;
use super::problem::ApiProblem;
use crate::store::{ReportFilter, StoredReport, EXPORT_PAGE};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::{StreamExt as _, TryStreamExt as _};
use pantau_core::desk::{ReportList, ReportListItem, VolunteerRef};
use pantau_core::protocol::{Problem, ProblemType};
use pantau_core::review::ReviewState;
use pantau_core::{ReportBody, ReportId};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::IntoParams;

pub const DEFAULT_PAGE: i64 = 100;
pub const MAX_PAGE: i64 = 1_000;

/// A misspelt parameter (`kinds=`) is refused by name rather than ignored: an
/// ignored filter would hand a coordinator every report as if filtered.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Only this TPS (canonical form, e.g. `6471011001-003`).
    tps: Option<String>,
    /// Only this kind of report: `checklist`, `incident`, `count_result` (or `note`).
    kind: Option<String>,
    /// Only this category: a checklist's phase (`opening`), an incident's
    /// category (`vote_buying`), a count's contest (`president`).
    category: Option<String>,
    /// Only TPS whose code starts with these digits (6 digits: a kecamatan,
    /// 10: a kelurahan), within the coordinator's scope.
    area: Option<String>,
    /// Only incidents flagged urgent (`true`) or not (`false`).
    urgent: Option<String>,
    /// Only reports whose review is in this state (`new`, `in_review`, …).
    review: Option<String>,
    /// Only reports whose text holds these words, as typed (ASCII letters match either case).
    q: Option<String>,
    /// Only reports received at or after this time (RFC 3339).
    since: Option<String>,
    /// Only reports received before this time (RFC 3339).
    until: Option<String>,
    /// Page after this sequence number (the previous page's `next_after`),
    /// oldest first.
    after: Option<String>,
    /// Page before this sequence number, newest first: `before=0` or the
    /// previous page's `next_before`. Not with `after`.
    before: Option<String>,
    /// Page size, 1 to 1000 (default 100). Ignored by the CSV export.
    limit: Option<String>,
}

impl From<StoredReport> for ReportListItem {
    fn from(s: StoredReport) -> Self {
        ReportListItem {
            receipt: s.receipt,
            volunteer: s.volunteer.map(|v| VolunteerRef { id: v.id, name: v.name }),
            report: s.report,
            review: s.review,
        }
    }
}

/// The report's arrival number, if the coordinator may see it: outside their
/// scope, the same 404 as a report that does not exist.
pub(super) async fn seq_in_scope(state: &AppState, coordinator: &Coordinator, id: &str) -> Result<i64, ApiProblem> {
    let id: ReportId = id.parse().map_err(|e| ApiProblem::malformed(format!("report id: {e}")))?;
    let scope = coordinator.0.tps.as_deref();
    state
        .store
        .report_seq(id, scope)
        .await
        .map_err(ApiProblem::internal)?
        .ok_or_else(|| ApiProblem::not_found("no such report"))
}

/// One report as coordinators see it, if it is in the caller's scope.
#[utoipa::path(
    get,
    path = "/api/v1/reports/{id}",
    tag = "coordinators",
    security(("bearer" = [])),
    params(("id" = ReportId, Path, description = "The report's id")),
    responses(
        (status = 200, body = ReportListItem),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report in the coordinator's scope", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_report(
    State(state): State<AppState>,
    coordinator: Coordinator,
    Path(id): Path<String>,
) -> Result<Json<ReportListItem>, ApiProblem> {
    let seq = seq_in_scope(&state, &coordinator, &id).await?;
    let filter = ReportFilter { scope: coordinator.0.tps.clone(), after_seq: seq - 1, limit: 1, ..Default::default() };
    let found = state.store.reports(&filter).await.map_err(ApiProblem::internal)?.into_iter().next();
    match found {
        Some(report) if report.receipt.seq == seq => Ok(Json(report.into())),
        _ => Err(ApiProblem::not_found("no such report")),
    }
}

/// The filter a query asks for, within the coordinator's scope.
fn filter(coordinator: &Coordinator, query: ReportQuery, paged: bool) -> Result<ReportFilter, ApiProblem> {
    let bad = |name: &str, e: &dyn std::fmt::Display| {
        let detail = format!("query parameter {name}: {e}");
        ApiProblem::new(StatusCode::BAD_REQUEST, ProblemType::InvalidRequest, Some(detail))
    };
    let instant = |name: &str, value: Option<String>| -> Result<Option<OffsetDateTime>, ApiProblem> {
        let parsed = value.map(|s| OffsetDateTime::parse(&s, &Rfc3339).map_err(|e| bad(name, &e))).transpose()?;
        // RFC 3339 reads 9999-12-31T23:59:59-01:00, which lies after the last UTC time.
        if parsed.is_some_and(|t| t.checked_to_offset(time::UtcOffset::UTC).is_none()) {
            return Err(bad(name, &"out of range: after the last representable UTC time"));
        }
        Ok(parsed)
    };
    let received_since = instant("since", query.since)?;
    let received_until = instant("until", query.until)?;
    let area = query.area.map(|a| match pantau_core::TpsCode::is_scope_prefix(&a) {
        true => Ok(a),
        false => Err(bad("area", &format!("{a:?} is not 2 to 10 digits of a TPS code"))),
    });
    let area = area.transpose()?;
    let urgent = match query.urgent.as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => return Err(bad("urgent", &format!("{other:?} is not true or false"))),
    };
    let review = query
        .review
        .map(|r| ReviewState::from_slug(&r).ok_or_else(|| bad("review", &format!("{r:?} is not a review state"))))
        .transpose()?;
    if query.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(bad("q", &"at most 200 characters"));
    }
    let words = query.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
    let after_seq = query.after.map(|s| s.parse::<i64>().map_err(|e| bad("after", &e))).transpose()?.unwrap_or(0);
    let before_seq = query.before.map(|s| s.parse::<i64>().map_err(|e| bad("before", &e))).transpose()?;
    if before_seq.is_some() && after_seq != 0 {
        return Err(bad("before", &"not together with after: one pages oldest first, the other newest first"));
    }
    // Exports read everything in arrival order, page by page.
    let before_seq = before_seq.filter(|_| paged).map(|n| if n <= 0 { i64::MAX } else { n });
    let limit = match (paged, query.limit) {
        (false, _) => i64::MAX,
        (true, None) => DEFAULT_PAGE,
        (true, Some(s)) => match s.parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            Ok(_) => return Err(bad("limit", &format!("must be 1 to {MAX_PAGE}"))),
            Err(e) => return Err(bad("limit", &e)),
        },
    };
    // A filter value no report can have is a mistake, not an empty answer.
    let tps = query
        .tps
        .map(|t| {
            pantau_core::TpsCode::parse(&t)
                .map(|code| code.to_string())
                .map_err(|_| bad("tps", &format!("{t:?} is not a TPS code like 6471011001-003")))
        })
        .transpose()?;
    let kinds = ReportBody::KINDS;
    if let Some(kind) = query.kind.as_deref().filter(|k| !kinds.contains(k)) {
        return Err(bad("kind", &format!("{kind:?} is not one of {}", kinds.join(", "))));
    }
    let categories: Vec<&str> = ReportBody::categories().collect();
    if let Some(category) = query.category.as_deref().filter(|c| !categories.contains(c)) {
        return Err(bad("category", &format!("{category:?} is not one of {}", categories.join(", "))));
    }
    Ok(ReportFilter {
        scope: coordinator.0.tps.clone(),
        area,
        tps,
        kind: query.kind,
        category: query.category,
        urgent,
        review,
        words,
        received_since,
        received_until,
        after_seq,
        before_seq,
        limit,
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/reports",
    tag = "coordinators",
    security(("bearer" = [])),
    params(ReportQuery),
    responses(
        (status = 200, body = ReportList),
        (status = 400, description = "A filter that is not understood, named in `detail`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_reports(
    State(state): State<AppState>,
    coordinator: Coordinator,
    Query(query): Query<ReportQuery>,
) -> Result<Json<ReportList>, ApiProblem> {
    let filter = filter(&coordinator, query, true)?;
    let reports = state.store.reports(&filter).await.map_err(ApiProblem::internal)?;
    let next = (reports.len() as i64 == filter.limit).then(|| reports.last().map(|r| r.receipt.seq)).flatten();
    let (next_after, next_before) = match filter.before_seq {
        Some(_) => (None, next),
        None => (next, None),
    };
    let reports = reports.into_iter().map(Into::into).collect();
    Ok(Json(ReportList { reports, next_after, next_before }))
}

#[utoipa::path(
    get,
    path = "/api/v1/reports.csv",
    tag = "coordinators",
    security(("bearer" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "Every matching report, one row each", content_type = "text/csv"),
        (status = 400, description = "A filter that is not understood, named in `detail`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn reports_csv(
    State(state): State<AppState>,
    coordinator: Coordinator,
    headers: HeaderMap,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiProblem> {
    let origin = origin(&headers);
    let mut pages = Box::pin(state.store.report_pages(filter(&coordinator, query, false)?, EXPORT_PAGE));
    // The first page before answering: a database that fails now is a 500, not
    // a file cut short.
    let first = pages.try_next().await.map_err(ApiProblem::internal)?.unwrap_or_default();
    let first = to_csv(&first, true, &origin).map_err(ApiProblem::internal)?;
    // A later failure can no longer change the status: the body ends without
    // its last chunk, which HTTP clients report as an error, never as a
    // complete file.
    let rest = pages.map(move |page| {
        let page = page.map_err(|e| {
            tracing::error!(error = %e, "CSV export cut short");
            std::io::Error::other(e.to_string())
        })?;
        to_csv(&page, false, &origin).map_err(std::io::Error::other)
    });
    let body = Body::from_stream(futures_util::stream::once(async { Ok(first) }).chain(rest));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"pantau-reports.csv\""),
        ],
        body,
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/reports.geojson",
    tag = "coordinators",
    security(("bearer" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "The matching reports that carry the phone's position, as a GeoJSON FeatureCollection (RFC 7946): a Point each, with the report's seq, id, TPS, kind, category, urgency, times, summary, review, accuracy and photo links", content_type = "application/geo+json"),
        (status = 400, description = "A filter that is not understood, named in `detail`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn reports_geojson(
    State(state): State<AppState>,
    coordinator: Coordinator,
    headers: HeaderMap,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiProblem> {
    let origin = origin(&headers);
    let mut pages = Box::pin(state.store.report_pages(filter(&coordinator, query, false)?, EXPORT_PAGE));
    let mut body = br#"{"type":"FeatureCollection","features":["#.to_vec();
    let mut first = true;
    while let Some(page) = pages.try_next().await.map_err(ApiProblem::internal)? {
        for r in &page {
            let Some(feature) = feature(r, &origin) else { continue };
            if !std::mem::take(&mut first) {
                body.push(b',');
            }
            serde_json::to_writer(&mut body, &feature).map_err(ApiProblem::internal)?;
        }
    }
    body.extend_from_slice(b"]}");
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}

/// A report with a position as a GeoJSON Feature; None without one.
fn feature(r: &StoredReport, origin: &str) -> Option<serde_json::Value> {
    let position = r.report.position?;
    let degrees = |e6: i32| serde_json::Number::from_f64(f64::from(e6) / 1e6);
    let photos: Vec<String> = r.report.photos.iter().map(|p| photo_link(origin, &p.sha256)).collect();
    Some(serde_json::json!({
        "type": "Feature",
        "geometry": { "type": "Point", "coordinates": [degrees(position.lon_e6)?, degrees(position.lat_e6)?] },
        "properties": {
            "seq": r.receipt.seq,
            "report_id": r.report.id,
            "tps": r.report.tps,
            "kind": r.report.body.kind(),
            "category": r.report.body.category(),
            "urgent": matches!(r.report.body, ReportBody::Incident { urgent: true, .. }),
            "created_at": r.report.created_at.format(&Rfc3339).ok(),
            "received_at": r.receipt.received_at.format(&Rfc3339).ok(),
            "summary": r.report.summary(pantau_core::Lang::Id),
            "review": r.review.slug(),
            "accuracy_m": position.accuracy_m,
            "photos": photos,
        }
    }))
}

/// Where the coordinator reached this server (`https://pantau.example`), for
/// links in exports: the Host header, and the scheme a proxy in front says
/// it took (`X-Forwarded-Proto`), else http.
fn origin(headers: &HeaderMap) -> String {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let scheme = value("x-forwarded-proto").and_then(|p| p.split(',').next()).map(str::trim);
    let scheme = scheme.filter(|s| *s == "https").unwrap_or("http");
    let host = value("host").filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)));
    host.map(|host| format!("{scheme}://{host}")).unwrap_or_default()
}

/// A photo's link for coordinators: the desk shows it after sign-in (the
/// API's own address needs the desk's bearer token).
pub fn photo_link(origin: &str, sha256: &str) -> String {
    format!("{origin}/desk/foto/{sha256}")
}

/// Rows of the CSV export, after its header line when `header` is set.
pub fn to_csv(reports: &[StoredReport], header: bool, origin: &str) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if header {
        write_header(&mut w)?;
    }
    for r in reports {
        write_row(&mut w, r, origin)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The export's columns, for CSV and XLSX alike.
const COLUMNS: [&str; 23] = [
    "seq",
    "received_at",
    "report_id",
    "volunteer_id",
    "volunteer_name",
    "tps",
    "village",
    "district",
    "kind",
    "category",
    "urgent",
    "created_at",
    "summary",
    "body_json",
    "review",
    "reviewed_at",
    "reviewed_by",
    "review_note",
    "review_reference",
    "latitude",
    "longitude",
    "accuracy_m",
    "photos",
];

/// Columns holding text someone typed: defused in CSV, where a spreadsheet
/// would read `=…` as a formula.
const TYPED_COLUMNS: [usize; 6] = [4, 12, 13, 16, 17, 18];

fn write_header(w: &mut csv::Writer<Vec<u8>>) -> Result<(), csv::Error> {
    w.write_record(COLUMNS)
}

/// One report's cells, as [`COLUMNS`] names them.
fn cells(r: &StoredReport, origin: &str) -> [String; 23] {
    let body = &r.report.body;
    let place = pantau_core::TpsCode::parse(&r.report.tps).ok().and_then(|t| pantau_core::region::place(t.village()));
    let urgent = matches!(body, pantau_core::ReportBody::Incident { urgent: true, .. });
    let degrees = r.report.position.map(|p| p.degrees()).unwrap_or_default();
    [
        r.receipt.seq.to_string(),
        r.receipt.received_at.format(&Rfc3339).unwrap_or_default(),
        r.report.id.to_string(),
        r.volunteer.as_ref().map(|v| v.id.to_string()).unwrap_or_default(),
        r.volunteer.as_ref().map(|v| v.name.clone()).unwrap_or_default(),
        r.report.tps.clone(),
        place.map(|p| p.village).unwrap_or_default().to_owned(),
        place.map(|p| p.district).unwrap_or_default().to_owned(),
        body.kind().to_owned(),
        body.category().unwrap_or_default().to_owned(),
        if urgent { "yes" } else { "" }.to_owned(),
        r.report.created_at.format(&Rfc3339).unwrap_or_default(),
        r.report.summary(pantau_core::Lang::Id),
        serde_json::to_string(body).unwrap_or_default(),
        r.review.slug().to_owned(),
        r.last_review.as_ref().and_then(|e| e.at.format(&Rfc3339).ok()).unwrap_or_default(),
        r.last_review.as_ref().map(|e| e.coordinator.clone()).unwrap_or_default(),
        r.last_review.as_ref().map(|e| e.note.clone()).unwrap_or_default(),
        r.last_review.as_ref().and_then(|e| e.reference.clone()).unwrap_or_default(),
        degrees.0,
        degrees.1,
        r.report.position.map(|p| p.accuracy_m.to_string()).unwrap_or_default(),
        r.report.photos.iter().map(|p| photo_link(origin, &p.sha256)).collect::<Vec<_>>().join(" "),
    ]
}

fn write_row(w: &mut csv::Writer<Vec<u8>>, r: &StoredReport, origin: &str) -> Result<(), csv::Error> {
    let mut row = cells(r, origin);
    for i in TYPED_COLUMNS {
        row[i] = spreadsheet_safe(&row[i]);
    }
    w.write_record(row)
}

#[utoipa::path(
    get,
    path = "/api/v1/reports.xlsx",
    tag = "coordinators",
    security(("bearer" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "Every matching report, one row each, as the CSV export has them; text is always text", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "A filter that is not understood, named in `detail`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn reports_xlsx(
    State(state): State<AppState>,
    coordinator: Coordinator,
    headers: HeaderMap,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiProblem> {
    let origin = origin(&headers);
    let mut pages = Box::pin(state.store.report_pages(filter(&coordinator, query, false)?, EXPORT_PAGE));
    let xlsx = |e: rust_xlsxwriter::XlsxError| ApiProblem::internal(format!("writing the XLSX export: {e}"));
    // The workbook is written on a blocking thread (file writes and zip
    // compression would hold an async worker), fed page by page.
    let (rows, mut received) = tokio::sync::mpsc::channel::<Vec<StoredReport>>(2);
    let writer = tokio::task::spawn_blocking(move || write_xlsx(&mut received, &origin));
    while let Some(page) = pages.try_next().await.map_err(ApiProblem::internal)? {
        if rows.send(page).await.is_err() {
            break; // the writer failed: its error is below
        }
    }
    drop(rows);
    let file =
        writer.await.map_err(|e| ApiProblem::internal(format!("the XLSX writer stopped: {e}")))?.map_err(xlsx)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"pantau-reports.xlsx\""),
        ],
        file,
    )
        .into_response())
}

/// The export as a workbook, from the pages `received`. Rows go to a
/// temporary file as they are written (constant memory), so only the
/// finished, compressed file is held; a failure is a 500, never a file cut short.
fn write_xlsx(
    received: &mut tokio::sync::mpsc::Receiver<Vec<StoredReport>>,
    origin: &str,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory();
    sheet.set_name("Laporan")?;
    for (col, name) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, col as u16, *name)?;
    }
    let mut row: u32 = 0;
    while let Some(page) = received.blocking_recv() {
        for report in &page {
            row += 1;
            for (col, cell) in cells(report, origin).iter().enumerate() {
                // Numbers where the CSV has numbers; everything typed stays text.
                match (col, cell.parse::<f64>()) {
                    (0 | 3 | 19 | 20 | 21, Ok(n)) => sheet.write_number(row, col as u16, n),
                    _ => sheet.write_string(row, col as u16, cell),
                }?;
            }
        }
    }
    workbook.save_to_buffer()
}

/// Text typed by volunteers must not run as a formula when a coordinator opens
/// the file in a spreadsheet (OWASP "CSV injection").
fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_plain_text_kept() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("-1 suara"), "'-1 suara");
        assert_eq!(spreadsheet_safe("Antrean panjang"), "Antrean panjang");
    }
}
