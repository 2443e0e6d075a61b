//! The request schemas of the OpenAPI document, exactly as the server enforces
//! them: unknown fields refused, lengths, patterns and ranges from pantau-core's
//! own limits. Derived schemas cannot say "not blank" or "every item of this
//! phase once", so these are written out here; `cargo xtask test` runs
//! schemathesis against the document to keep both sides in step.
//!
//! Where a rule cannot be stated exactly the schema is the narrower one (a
//! request it allows is accepted): times are within the years 1910 to 2198 in
//! their own offset (the server takes 1900 to 2199 in UTC), a checklist lists
//! its phase's items in catalogue order (the server takes any order), a TPS
//! filter is canonical (the server also reads other spellings).

use pantau_core::checklist::{Answer, Phase};
use pantau_core::evidence::{Position, MAX_PHOTOS, MAX_PHOTO_BYTES, MAX_PHOTO_EDGE};
use pantau_core::validation::{
    MAX_COUNT, MAX_COUNT_ROWS, MAX_NAMES_CHARS, MAX_NOTE_CHARS, MAX_SHORT_CHARS, MAX_TEXT_CHARS,
};
use pantau_core::{Contest, IncidentCategory, ReportBody};
use serde_json::{json, Value};

/// A canonical TPS code: ten digits of the village code, a dash, the TPS number 001 to 999.
pub const TPS_PATTERN: &str = "^[0-9]{10}-(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})$";

/// At least one character Rust's `trim` keeps (Unicode White_Space, spelt
/// out: regex engines disagree on what `\s` is).
const NOT_BLANK: &str =
    "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

/// An RFC 3339 time within the years the server stores (see the module's note).
const TIME_PATTERN: &str = "^(19[1-9][0-9]|20[0-9]{2}|21[0-8][0-9]|219[0-8])-";

/// The OpenAPI document: utoipa's, with the request schemas and the
/// coordinators' query parameters written out exactly.
pub fn document(generated: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(generated).expect("the OpenAPI document serialises");
    let schemas = &mut doc["components"]["schemas"];
    schemas["Report"] = report();
    schemas["ReportBatch"] = batch();
    schemas["EnrolmentRequest"] = enrolment_request();
    schemas["ReviewChange"] = review_change();
    for path in ["/api/v1/reports", "/api/v1/reports.csv", "/api/v1/reports.xlsx", "/api/v1/reports.geojson"] {
        doc["paths"][path]["get"]["parameters"] = Value::Array(report_query(path == "/api/v1/reports"));
    }
    let review = &mut doc["paths"]["/api/v1/reports/{id}/review"]["post"]["parameters"];
    if let Some(params) = review.as_array_mut() {
        for param in params.iter_mut().filter(|p| p["name"] == "If-Match") {
            param["schema"] = json!({ "type": "string", "pattern": "^(W/)?\"v[0-9]{1,9}\"$" });
        }
    }
    photo_operations(&mut doc);
    doc
}

/// Photo names are SHA-256s, upload offsets and lengths whole numbers; the
/// bytes are sent as tus names them or as plain octets.
fn photo_operations(doc: &mut Value) {
    for (path, method) in [
        ("/api/v1/photos/{sha256}", "get"),
        ("/api/v1/photos/{sha256}/upload", "get"),
        ("/api/v1/photos/{sha256}/upload", "patch"),
    ] {
        if let Some(params) = doc["paths"][path][method]["parameters"].as_array_mut() {
            for param in params.iter_mut() {
                param["schema"] = match param["name"].as_str() {
                    Some("sha256") => json!({ "type": "string", "pattern": "^[0-9a-f]{64}$" }),
                    Some("Upload-Length") => json!({ "type": "integer", "minimum": 1, "maximum": MAX_PHOTO_BYTES }),
                    _ => json!({ "type": "integer", "minimum": 0, "maximum": MAX_PHOTO_BYTES }),
                };
            }
        }
    }
    let bytes = json!({ "schema": { "type": "string", "format": "binary" } });
    doc["paths"]["/api/v1/photos/{sha256}/upload"]["patch"]["requestBody"]["content"] =
        json!({ "application/offset+octet-stream": bytes, "application/octet-stream": bytes });
}

/// A review change: a forwarding names its reference, nothing else has one,
/// and `new` is where reports start, not a state to send them back to.
fn review_change() -> Value {
    use pantau_core::review::{ReviewState, MAX_REFERENCE_CHARS, MAX_REVIEW_NOTE_CHARS};
    let note = json!({ "type": "string", "maxLength": MAX_REVIEW_NOTE_CHARS, "description": "Plain text" });
    let others = ReviewState::ALL.into_iter().filter(|s| !matches!(s, ReviewState::New | ReviewState::Forwarded));
    json!({
        "description": "The same state again is a 409 unless it adds a note.",
        "oneOf": [
            {
                "type": "object",
                "additionalProperties": false,
                "required": ["to"],
                "properties": {
                    "to": strings(others.map(ReviewState::slug)),
                    "note": note,
                    "reference": { "type": "null" }
                }
            },
            {
                "type": "object",
                "additionalProperties": false,
                "required": ["to", "reference"],
                "properties": {
                    "to": { "type": "string", "enum": [ReviewState::Forwarded.slug()] },
                    "note": note,
                    "reference": { "type": "string", "minLength": 1, "maxLength": MAX_REFERENCE_CHARS, "pattern": NOT_BLANK }
                }
            }
        ]
    })
}

/// The coordinators' filters (`GET /api/v1/reports` and its CSV export).
fn report_query(paged: bool) -> Vec<Value> {
    use pantau_core::review::ReviewState;
    let param = |name: &str, description: &str, schema: Value| json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema });
    let mut params = vec![
        param("tps", "Only this TPS, e.g. 6471011001-003", json!({ "type": "string", "pattern": TPS_PATTERN })),
        param("kind", "Only this kind of report", strings(ReportBody::KINDS)),
        param(
            "category",
            "Only this category: a checklist's phase, an incident's category, a count's contest",
            strings(ReportBody::categories()),
        ),
        param(
            "area",
            "Only TPS whose code starts with these digits (a kecamatan: 6, a kelurahan: 10)",
            json!({ "type": "string", "pattern": "^[0-9]{2,10}$" }),
        ),
        param("urgent", "Only incidents flagged urgent (true) or not (false)", strings(["true", "false"])),
        param("review", "Only reports whose review is in this state", strings(ReviewState::ALL.map(ReviewState::slug))),
        param("q", "Only reports whose text holds these words", json!({ "type": "string", "maxLength": 200 })),
        param("since", "Only reports received at or after this time", time()),
        param("until", "Only reports received before this time", time()),
        param(
            "after",
            "Page after this sequence number (the previous page's next_after)",
            json!({ "type": "integer", "format": "int64" }),
        ),
    ];
    if paged {
        params.push(param(
            "limit",
            "Page size",
            json!({ "type": "integer", "minimum": 1, "maximum": super::coordinator::MAX_PAGE, "default": super::coordinator::DEFAULT_PAGE }),
        ));
    }
    params
}

fn text(max: usize, required: bool) -> Value {
    if required {
        json!({ "type": "string", "minLength": 1, "maxLength": max, "pattern": NOT_BLANK })
    } else {
        json!({ "type": "string", "maxLength": max })
    }
}

pub fn time() -> Value {
    json!({
        "type": "string",
        "format": "date-time",
        "pattern": TIME_PATTERN,
        "description": "RFC 3339, in the years 1900 to 2199 in UTC"
    })
}

/// An optional field: `null` reads as its absence.
fn nullable(mut schema: Value) -> Value {
    schema["type"] = json!([schema["type"].clone(), "null"]);
    schema
}

fn count() -> Value {
    json!({ "type": "integer", "minimum": 0, "maximum": MAX_COUNT })
}

fn strings(values: impl IntoIterator<Item = &'static str>) -> Value {
    json!({ "type": "string", "enum": values.into_iter().collect::<Vec<_>>() })
}

fn report() -> Value {
    json!({
        "type": "object",
        "description": "A report as the volunteer filed it. The `id` is made by the client and is the idempotency key. \
            The whole report, as JSON, is at most 60,000 bytes.",
        "additionalProperties": false,
        "required": ["id", "tps", "created_at", "body"],
        "properties": {
            "id": { "type": "string", "format": "uuid" },
            "tps": { "type": "string", "pattern": TPS_PATTERN, "description": "The TPS, canonical: 6471011001-003" },
            "created_at": time(),
            "body": { "oneOf": bodies() },
            "photos": {
                "type": "array",
                "maxItems": MAX_PHOTOS,
                "description": "Photos, each uploaded first (`PATCH /api/v1/photos/{sha256}/upload`) by this volunteer: \
                    a report naming one that is not is refused with `photos-missing`.",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["sha256", "bytes", "width", "height"],
                    "properties": {
                        "sha256": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
                        "bytes": { "type": "integer", "minimum": 1, "maximum": MAX_PHOTO_BYTES },
                        "width": { "type": "integer", "minimum": 1, "maximum": MAX_PHOTO_EDGE },
                        "height": { "type": "integer", "minimum": 1, "maximum": MAX_PHOTO_EDGE },
                        "item": { "type": "string", "description": "On a checklist: the item, answered no, that the photo shows" },
                        "taken_at": nullable(time())
                    }
                }
            },
            "position": {
                "type": ["object", "null"],
                "additionalProperties": false,
                "required": ["lat_e6", "lon_e6", "accuracy_m"],
                "description": "Where the phone was: degrees in millionths, and the accuracy in metres.",
                "properties": {
                    "lat_e6": { "type": "integer", "minimum": -90_000_000, "maximum": 90_000_000 },
                    "lon_e6": { "type": "integer", "minimum": -180_000_000, "maximum": 180_000_000 },
                    "accuracy_m": { "type": "integer", "minimum": 0, "maximum": Position::MAX_ACCURACY_M }
                }
            }
        }
    })
}

fn bodies() -> Vec<Value> {
    let mut bodies = vec![json!({
        "type": "object",
        "title": "note",
        "additionalProperties": false,
        "required": ["kind", "text"],
        "properties": { "kind": { "const": "note" }, "text": text(MAX_TEXT_CHARS, true) }
    })];
    bodies.extend(Phase::ALL.into_iter().map(checklist));
    bodies.push(json!({
        "type": "object",
        "title": "incident",
        "additionalProperties": false,
        "required": ["kind", "category", "occurred_at", "place", "description"],
        "properties": {
            "kind": { "const": "incident" },
            "category": strings(IncidentCategory::ALL.into_iter().map(IncidentCategory::as_str)),
            "occurred_at": time(),
            "place": text(MAX_SHORT_CHARS, true),
            "description": text(MAX_TEXT_CHARS, true),
            "reported_party": nullable(text(MAX_NAMES_CHARS, false)),
            "witnesses": nullable(text(MAX_NAMES_CHARS, false)),
            "urgent": { "type": ["boolean", "null"] }
        }
    }));
    bodies.push(json!({
        "type": "object",
        "title": "count_result",
        "additionalProperties": false,
        "required": ["kind", "contest", "votes", "valid", "invalid", "voters"],
        "properties": {
            "kind": { "const": "count_result" },
            "contest": strings(Contest::ALL.into_iter().map(Contest::as_str)),
            "votes": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_COUNT_ROWS,
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name", "votes"],
                    "properties": { "name": text(MAX_SHORT_CHARS, true), "votes": count() }
                }
            },
            "valid": count(),
            "invalid": count(),
            "voters": count()
        }
    }));
    debug_assert_eq!(ReportBody::KINDS.len(), 4, "a new kind of report needs its schema here");
    bodies
}

/// A checklist of `phase`: every item of the phase answered once.
fn checklist(phase: Phase) -> Value {
    let answers: Vec<Value> = phase
        .items()
        .map(|item| {
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["item", "answer"],
                "properties": {
                    "item": { "const": item.id },
                    "answer": strings(Answer::ALL.into_iter().map(Answer::as_str)),
                    "note": text(MAX_NOTE_CHARS, false)
                }
            })
        })
        .collect();
    let n = answers.len();
    json!({
        "type": "object",
        "title": format!("checklist ({})", phase.as_str()),
        "additionalProperties": false,
        "required": ["kind", "phase", "answers"],
        "properties": {
            "kind": { "const": "checklist" },
            "phase": { "const": phase.as_str() },
            "answers": { "type": "array", "prefixItems": answers, "minItems": n, "maxItems": n, "items": false }
        }
    })
}

fn batch() -> Value {
    json!({
        "type": "object",
        "description": "Reports in the order the client wants their answers. Each item is read and judged alone, \
            as `POST /api/v1/reports` would (a `Report`): an item that is not one gets its own 4xx result.",
        "additionalProperties": false,
        "required": ["reports"],
        "properties": {
            "reports": { "type": "array", "maxItems": pantau_core::protocol::MAX_BATCH_REPORTS, "items": {} }
        }
    })
}

fn enrolment_request() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["code"],
        "properties": {
            "code": { "type": "string", "description": "The one-time code, e.g. K7QX-M2PA-9RTD (case, spaces and dashes are ignored)" },
            "attempt": {
                "type": "string",
                "minLength": 16,
                "maxLength": 200,
                "description": "A secret the phone makes for this code and sends with every try: a retry after a lost answer gets a new token"
            }
        }
    })
}
