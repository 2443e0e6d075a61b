use super::*;
use crate::report::ReportId;
use crate::Lang;
use uuid::Uuid;

fn note(tps: &str, text: &str) -> Report {
    Report::new(
        ReportId(Uuid::from_u128(1)),
        tps,
        time::macros::datetime!(2026-02-14 08:00 +08:00),
        ReportBody::Note { text: text.into() },
    )
}

#[test]
fn a_complete_note_is_valid() {
    assert_eq!(note("6471011001-1", "Antrean panjang").validate(), Ok(()));
}

#[test]
fn every_wrong_field_is_named() {
    let errors = note("", "  ").validate().unwrap_err();
    assert_eq!(
        errors,
        vec![
            FieldError::new(ReportField::Tps, FieldErrorCode::Required),
            FieldError::new(ReportField::NoteText, FieldErrorCode::Required)
        ]
    );
    let errors = note("12345", &"x".repeat(MAX_TEXT_CHARS + 1)).validate().unwrap_err();
    assert_eq!(errors[0].code, FieldErrorCode::TpsVillageCode);
    assert_eq!(errors[1].code, FieldErrorCode::TooLong);
}

#[test]
fn the_limit_counts_characters_not_bytes() {
    // 'é' is two bytes: a byte limit would refuse this text.
    assert_eq!(note("6471011001-1", &"é".repeat(MAX_TEXT_CHARS)).validate(), Ok(()));
}

#[test]
fn a_non_canonical_tps_from_another_client_is_refused() {
    let mut report = note("6471011001-1", "ok");
    report.tps = "6471011001/1".into();
    assert_eq!(report.validate().unwrap_err()[0].field, "tps");
}

#[test]
fn messages_exist_in_both_languages() {
    for code in
        [FieldErrorCode::Required, FieldErrorCode::TooLong, FieldErrorCode::TpsVillageCode, FieldErrorCode::TpsNumber]
    {
        let e = FieldError::new(ReportField::Tps, code);
        assert_ne!(e.message(Lang::Id), e.message(Lang::En));
        assert!(!e.message(Lang::Id).is_empty());
    }
}

use crate::checklist::{Answer, Phase};
use crate::report::{CandidateVotes, ChecklistAnswer, Contest, IncidentCategory};

fn with_body(body: ReportBody) -> Report {
    Report::new(ReportId(Uuid::from_u128(2)), "6471011001-3", time::macros::datetime!(2026-02-14 10:00 +08:00), body)
}

fn full_checklist(phase: Phase) -> Vec<ChecklistAnswer> {
    phase.items().map(|i| ChecklistAnswer { item: i.id.into(), answer: Answer::Yes, note: String::new() }).collect()
}

#[test]
fn a_checklist_needs_every_item_of_its_phase_once_and_nothing_else() {
    assert_eq!(
        with_body(ReportBody::Checklist { phase: Phase::Voting, answers: full_checklist(Phase::Voting) }).validate(),
        Ok(())
    );

    let mut answers = full_checklist(Phase::Opening);
    let missing = answers.remove(1);
    answers.push(answers[0].clone());
    answers.push(ChecklistAnswer { item: "ink".into(), answer: Answer::No, note: String::new() });
    answers[2].note = "x".repeat(MAX_NOTE_CHARS + 1);
    let errors = with_body(ReportBody::Checklist { phase: Phase::Opening, answers }).validate().unwrap_err();
    let named: Vec<(&str, FieldErrorCode)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert!(named.contains(&(&*format!("body.answers.{}", missing.item), FieldErrorCode::Required)), "{named:?}");
    assert!(named.contains(&("body.answers.opened_0700", FieldErrorCode::Duplicate)), "{named:?}");
    assert!(
        named.iter().any(|(f, c)| f.ends_with(".item") && *c == FieldErrorCode::UnknownItem),
        "an item of another phase: {named:?}"
    );
    assert!(named.iter().any(|(f, c)| f.ends_with(".note") && *c == FieldErrorCode::TooLong), "{named:?}");
    assert_eq!(errors.len(), 4, "{named:?}");
}

fn incident() -> ReportBody {
    ReportBody::Incident {
        category: IncidentCategory::VoteBuying,
        occurred_at: time::macros::datetime!(2026-02-14 09:40 +08:00),
        place: "Depan TPS 003".into(),
        description: "Amplop dibagikan kepada pemilih yang antre".into(),
        reported_party: String::new(),
        witnesses: String::new(),
        urgent: true,
    }
}

#[test]
fn an_incident_older_than_the_reporting_window_is_warned_about_and_saved() {
    let saved = time::macros::datetime!(2026-02-14 10:00 +08:00);
    let at = |occurred_at| {
        let mut report = with_body(incident());
        report.created_at = saved;
        if let ReportBody::Incident { occurred_at: t, .. } = &mut report.body {
            *t = occurred_at;
        }
        report
    };
    let week = time::Duration::days(REPORTING_WINDOW_DAYS);
    assert_eq!(at(saved - week).warnings(), vec![], "7 days to the minute is within");
    let late = at(saved - week - time::Duration::minutes(1));
    assert_eq!(late.validate(), Ok(()), "never refused");
    assert_eq!(late.warnings(), vec![FieldError::new(ReportField::OccurredAt, FieldErrorCode::PastReportingWindow)]);
    assert!(late.warnings()[0].message(Lang::Id).contains("7 hari"), "{}", late.warnings()[0].message(Lang::Id));
    // A year typed wrong is caught by the same warning.
    let slipped = at(time::macros::datetime!(2016-02-14 09:40 +08:00));
    assert_eq!(slipped.warnings()[0].code, FieldErrorCode::PastReportingWindow);
}

#[test]
fn an_incident_needs_place_and_description_and_a_later_time_is_warned_about() {
    assert_eq!(with_body(incident()).validate(), Ok(()));
    assert_eq!(with_body(incident()).warnings(), vec![]);
    let mut body = incident();
    if let ReportBody::Incident { occurred_at, place, description, witnesses, .. } = &mut body {
        *occurred_at = time::macros::datetime!(2026-02-14 11:00 +08:00);
        *place = " ".into();
        description.clear();
        *witnesses = "w".repeat(MAX_NAMES_CHARS + 1);
    }
    let report = with_body(body);
    let errors = report.validate().unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["body.place", "body.description", "body.witnesses"]);
    assert_eq!(errors[2].limit, Some(MAX_NAMES_CHARS as u32));
    assert!(errors[2].message(Lang::Id).contains("1000"), "{}", errors[2].message(Lang::Id));
    assert_eq!(report.warnings(), vec![FieldError::new(ReportField::OccurredAt, FieldErrorCode::InFuture)]);
}

#[test]
fn a_true_incident_time_on_a_phone_with_a_wrong_clock_is_saved_with_a_warning() {
    // The clock went back to 2000 after a flat battery, or the phone runs
    // in UTC while the TPS is in WITA: the volunteer types the real time.
    // (The phone in UTC reads the typed 08:50 WIB as 08:50 UTC.)
    for (created_at, typed) in [
        (time::macros::datetime!(2000-01-01 00:05 +07:00), time::macros::datetime!(2026-02-14 09:40 +07:00)),
        (time::macros::datetime!(2026-02-14 02:05 UTC), time::macros::datetime!(2026-02-14 08:50 UTC)),
    ] {
        let mut report = with_body(incident());
        report.created_at = created_at;
        if let ReportBody::Incident { occurred_at, .. } = &mut report.body {
            *occurred_at = typed;
        }
        assert_eq!(report.validate(), Ok(()), "{created_at}");
        assert_eq!(report.warnings()[0].code, FieldErrorCode::InFuture, "{created_at}");
    }
}

#[test]
fn times_without_a_storable_utc_value_are_refused_by_name_and_a_reset_clock_is_not() {
    // RFC 3339 reads these; none has a UTC time in range, and the first
    // has none at all (it lies after 9999-12-31T23:59:59Z).
    for (created, occurred) in [
        ("9999-12-31T23:59:59-00:01", "2026-02-14T09:00:00+08:00"),
        ("9999-12-31T23:50:00Z", "9999-12-31T23:55:00Z"),
        ("1899-12-31T23:59:59Z", "0001-01-01T00:00:00+23:59"),
    ] {
        let parse = |s: &str| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap();
        let mut report = with_body(incident());
        report.created_at = parse(created);
        if let ReportBody::Incident { occurred_at, .. } = &mut report.body {
            *occurred_at = parse(occurred);
        }
        let errors = report.validate().unwrap_err();
        let codes: Vec<(&str, FieldErrorCode)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert!(codes.contains(&("created_at", FieldErrorCode::OutOfRange)), "{created}: {codes:?}");
        if occurred.starts_with("9999") || occurred.starts_with("0001") {
            assert!(codes.contains(&("body.occurred_at", FieldErrorCode::OutOfRange)), "{occurred}: {codes:?}");
        }
        assert!(errors[0].message(Lang::Id).contains("1900"), "{}", errors[0].message(Lang::Id));
    }
    // A phone whose clock went back to 1970 after a flat battery still saves.
    let mut report = with_body(incident());
    report.created_at = time::macros::datetime!(1970-01-01 00:05 +07:00);
    if let ReportBody::Incident { occurred_at, .. } = &mut report.body {
        *occurred_at = time::macros::datetime!(1970-01-01 00:00 +07:00);
    }
    assert_eq!(report.validate(), Ok(()));
}

fn count(valid: u32, invalid: u32, voters: u32, votes: &[u32]) -> Report {
    with_body(ReportBody::CountResult {
        contest: Contest::President,
        votes: votes
            .iter()
            .enumerate()
            .map(|(i, v)| CandidateVotes { name: format!("Paslon {}", i + 1), votes: *v })
            .collect(),
        valid,
        invalid,
        voters,
    })
}

#[test]
fn a_count_that_does_not_add_up_is_valid_with_warnings() {
    let good = count(200, 5, 205, &[120, 80]);
    assert_eq!(good.validate(), Ok(()));
    assert!(good.warnings().is_empty());
    let odd = count(200, 5, 210, &[120, 70]);
    assert_eq!(odd.validate(), Ok(()), "a wrong sheet is worth filing");
    let codes: Vec<FieldErrorCode> = odd.warnings().iter().map(|w| w.code).collect();
    assert_eq!(codes, vec![FieldErrorCode::TotalsMismatch, FieldErrorCode::VotesMismatch]);
}

#[test]
fn a_count_needs_named_rows_and_plausible_numbers() {
    let errors = count(MAX_COUNT + 1, 0, 0, &[]).validate().unwrap_err();
    assert_eq!(errors[0], FieldError::new(ReportField::Votes, FieldErrorCode::Required));
    assert_eq!(errors[1].field, "body.valid");
    let mut report = count(1, 0, 1, &[1]);
    if let ReportBody::CountResult { votes, .. } = &mut report.body {
        votes[0].name = "  ".into();
    }
    assert_eq!(report.validate().unwrap_err()[0].field, "body.votes.0.name");
}

#[test]
fn a_report_within_every_field_limit_but_too_large_as_a_whole_is_refused() {
    let mut report = count(1, 0, 1, &[1]);
    if let ReportBody::CountResult { votes, .. } = &mut report.body {
        *votes = (0..MAX_COUNT_ROWS)
            .map(|i| CandidateVotes { name: format!("{i} {}", "é".repeat(150)), votes: 0 })
            .collect();
    }
    assert!(report.canonical_json().len() > MAX_REPORT_BYTES);
    let errors = report.validate().unwrap_err();
    assert_eq!(errors, vec![FieldError::limited(ReportField::Whole, FieldErrorCode::ReportTooLarge, MAX_REPORT_BYTES)]);
}

#[test]
fn counts_are_read_as_volunteers_write_them() {
    assert_eq!(parse_count("1.250"), Ok(1250));
    assert_eq!(parse_count("10.000"), Ok(10_000));
    assert_eq!(parse_count("1 250"), Ok(1250));
    // A dot that is not a thousands separator is a slip, never read as another number.
    for slip in ["12.5", "1.0", "1.2.3", ".250", "1250.", "1..250", "1234.567"] {
        assert_eq!(parse_count(slip), Err(FieldErrorCode::NotANumber), "{slip}");
    }
    assert_eq!(parse_count(" 42 "), Ok(42));
    assert_eq!(parse_count(""), Err(FieldErrorCode::Required));
    assert_eq!(parse_count("-3"), Err(FieldErrorCode::NotANumber));
    assert_eq!(parse_count("12a"), Err(FieldErrorCode::NotANumber));
    assert_eq!(parse_count("99999999999"), Err(FieldErrorCode::TooLarge));
}

#[test]
fn every_code_has_a_message_in_both_languages() {
    use FieldErrorCode::*;
    for code in [
        UnknownItem,
        Duplicate,
        TooMany,
        TooLarge,
        NotANumber,
        InFuture,
        PastReportingWindow,
        OutOfRange,
        ReportTooLarge,
        TotalsMismatch,
        VotesMismatch,
    ] {
        let e = FieldError { field: "x".into(), code, limit: Some(5) };
        assert_ne!(e.message(Lang::Id), e.message(Lang::En), "{code:?}");
    }
}

#[test]
fn every_kind_round_trips_through_json() {
    for body in [
        ReportBody::Checklist { phase: Phase::Counting, answers: full_checklist(Phase::Counting) },
        incident(),
        count(200, 5, 205, &[120, 80]).body,
    ] {
        let report = with_body(body);
        let back: Report = serde_json::from_str(&report.canonical_json()).unwrap();
        assert_eq!(back, report);
        // What coordinators may filter on lists every kind and category a report can have.
        assert!(ReportBody::KINDS.contains(&report.body.kind()));
        assert!(ReportBody::categories().any(|c| Some(c) == report.body.category()));
    }
    let json = with_body(incident()).canonical_json();
    assert!(json.contains(r#""kind":"incident","category":"vote_buying""#), "{json}");
}

#[test]
fn every_path_a_refusal_or_warning_names_reads_back_as_its_field() {
    let long = |n: usize| "x".repeat(n + 1);
    let mut bad_checklist = full_checklist(Phase::Voting);
    bad_checklist[0].note = long(MAX_NOTE_CHARS);
    bad_checklist[1] = bad_checklist[0].clone();
    bad_checklist.push(ChecklistAnswer { item: "no_such_item".into(), answer: Answer::Yes, note: String::new() });
    let mut bad_incident = incident();
    if let ReportBody::Incident { occurred_at, place, description, reported_party, witnesses, .. } = &mut bad_incident {
        *occurred_at = time::macros::datetime!(1800-01-01 00:00 UTC);
        *place = String::new();
        *description = long(MAX_TEXT_CHARS);
        *reported_party = long(MAX_NAMES_CHARS);
        *witnesses = long(MAX_NAMES_CHARS);
    }
    let mut bad_count = count(MAX_COUNT + 1, MAX_COUNT + 1, MAX_COUNT + 1, &[MAX_COUNT + 1, 1]);
    if let ReportBody::CountResult { votes, .. } = &mut bad_count.body {
        votes[1].name = String::new();
    }
    let mut bad_tps = with_body(ReportBody::Note { text: String::new() });
    bad_tps.tps = String::new();
    bad_tps.created_at = time::macros::datetime!(2300-01-01 00:00 UTC);
    // Every row within its limits, the whole over MAX_REPORT_BYTES.
    let mut too_large = count(0, 0, 0, &[0; MAX_COUNT_ROWS]);
    if let ReportBody::CountResult { votes, .. } = &mut too_large.body {
        votes.iter_mut().for_each(|row| row.name = "x".repeat(MAX_SHORT_CHARS));
    }
    let reports = [
        bad_tps,
        with_body(ReportBody::Checklist { phase: Phase::Voting, answers: bad_checklist }),
        with_body(bad_incident),
        bad_count,
        count(1, 0, 1, &[]),
        count(0, 0, 0, &vec![0; MAX_COUNT_ROWS + 1]),
        count(5, 1, 9, &[2]),
        too_large,
    ];
    let mut seen = Vec::new();
    for report in &reports {
        let errors = report.validate().err().unwrap_or_default();
        for e in errors.iter().chain(&report.warnings()) {
            let field = ReportField::parse(&e.field);
            assert!(field.is_some(), "{} ({:?}) has no field to show it by", e.field, e.code);
            seen.push(field.unwrap());
        }
    }
    let voting_item = Phase::Voting.items().next().unwrap();
    for expected in [
        ReportField::Tps,
        ReportField::CreatedAt,
        ReportField::NoteText,
        ReportField::Whole,
        ReportField::ChecklistNote(voting_item),
        ReportField::ChecklistRow(Phase::Voting.items().count()),
        ReportField::OccurredAt,
        ReportField::Place,
        ReportField::Description,
        ReportField::ReportedParty,
        ReportField::Witnesses,
        ReportField::Votes,
        ReportField::CandidateName(1),
        ReportField::CandidateVotes(0),
        ReportField::Valid,
        ReportField::Invalid,
        ReportField::Voters,
    ] {
        assert!(seen.contains(&expected), "{expected:?} not produced; saw {seen:?}");
    }
    assert!(seen.iter().any(|f| matches!(f, ReportField::ChecklistAnswer(_))), "{seen:?}");
}

#[test]
fn paths_from_elsewhere_name_no_field() {
    for path in ["", "body.photo", "body.answers.no_such_item", "body.votes.x.name", "tps.extra", "body.votes.1"] {
        assert_eq!(ReportField::parse(path), None, "{path}");
    }
}

#[test]
fn every_field_path_reads_back_as_the_same_field() {
    let item = Phase::Counting.items().next().unwrap();
    let fields = [
        ReportField::Whole,
        ReportField::Tps,
        ReportField::CreatedAt,
        ReportField::NoteText,
        ReportField::Phase,
        ReportField::ChecklistAnswer(item),
        ReportField::ChecklistNote(item),
        ReportField::ChecklistRow(7),
        ReportField::Category,
        ReportField::OccurredAt,
        ReportField::Place,
        ReportField::Description,
        ReportField::ReportedParty,
        ReportField::Witnesses,
        ReportField::Contest,
        ReportField::Votes,
        ReportField::CandidateName(12),
        ReportField::CandidateVotes(0),
        ReportField::Valid,
        ReportField::Invalid,
        ReportField::Voters,
        ReportField::Photos,
        ReportField::Photo(4),
        ReportField::Position,
    ];
    for field in fields {
        assert_eq!(ReportField::parse(&field.path()), Some(field), "{}", field.path());
        assert_eq!(FieldError::new(field, FieldErrorCode::Required).at(), Some(field));
    }
    assert_eq!(ReportField::CandidateVotes(3).count_row(), Some(3));
    assert_eq!(ReportField::Voters.count_row(), None);
}

#[test]
fn a_tps_outside_the_volunteers_scope_is_named_and_one_inside_is_not() {
    use super::scope_error;
    assert_eq!(scope_error("6471011001-003", "6471011001-3"), None, "the same TPS in another spelling");
    assert_eq!(scope_error("6471011001", "6471011001-017"), None, "inside a village scope");
    let outside = scope_error("6471011001-003", "6471011002-003").expect("another village");
    assert_eq!((outside.at(), outside.code), (Some(ReportField::Tps), FieldErrorCode::OutsideScope));
    assert!(outside.message(Lang::Id).contains("di luar tugas"));
    assert!(scope_error("6471011001", "6471021001-001").is_some(), "outside a village scope");
    assert_eq!(scope_error("6471011001-003", "647101100"), None, "not a TPS code yet: validation says so");
}

fn photo(n: u8) -> crate::evidence::PhotoRef {
    crate::evidence::PhotoRef {
        sha256: format!("{n:02x}").repeat(32),
        bytes: 200_000,
        width: 1600,
        height: 1200,
        item: None,
        taken_at: None,
    }
}

#[test]
fn photos_are_named_by_hash_within_their_limits_and_counted() {
    use crate::evidence::{Position, MAX_PHOTOS};
    let mut report = note("6471011001-1", "Serangan fajar");
    report.photos = vec![photo(1), photo(2)];
    report.position = Some(Position { lat_e6: -1_265_386, lon_e6: 116_831_235, accuracy_m: 25 });
    assert_eq!(report.validate(), Ok(()));

    let mut bad = report.clone();
    bad.photos[0].sha256 = "not-a-hash".into();
    bad.photos[1] = crate::evidence::PhotoRef { bytes: 2_000_000, ..photo(2) };
    bad.photos.push(crate::evidence::PhotoRef { width: 4000, ..photo(3) });
    bad.photos.push(photo(3));
    bad.position = Some(Position { lat_e6: 91_000_000, lon_e6: 0, accuracy_m: 5 });
    let codes: Vec<(String, FieldErrorCode)> =
        bad.validate().unwrap_err().into_iter().map(|e| (e.field, e.code)).collect();
    assert_eq!(
        codes,
        vec![
            ("photos.0".into(), FieldErrorCode::NotAPhoto),
            ("photos.1".into(), FieldErrorCode::PhotoTooLarge),
            ("photos.2".into(), FieldErrorCode::NotAPhoto),
            ("photos.3".into(), FieldErrorCode::Duplicate),
            ("position".into(), FieldErrorCode::PositionInvalid),
        ]
    );
    let mut many = report.clone();
    many.photos = (1..=MAX_PHOTOS as u8 + 1).map(photo).collect();
    assert_eq!(many.validate().unwrap_err()[0].field, "photos");
}

#[test]
fn a_checklist_photo_belongs_to_an_item_answered_no() {
    let mut answers = full_checklist(Phase::Voting);
    answers[1].answer = Answer::No;
    let (yes, no) = (answers[0].item.clone(), answers[1].item.clone());
    let mut report = with_body(ReportBody::Checklist { phase: Phase::Voting, answers });
    report.photos = vec![crate::evidence::PhotoRef { item: Some(no), ..photo(1) }];
    assert_eq!(report.validate(), Ok(()));
    for item in [Some(yes), None, Some("no_such_item".into())] {
        report.photos[0].item = item.clone();
        let errors = report.validate().unwrap_err();
        assert_eq!(errors[0].code, FieldErrorCode::PhotoItem, "{item:?}");
    }
    let mut incident = note("6471011001-1", "x");
    incident.photos = vec![crate::evidence::PhotoRef { item: Some("ink".into()), ..photo(1) }];
    assert_eq!(incident.validate().unwrap_err()[0].code, FieldErrorCode::PhotoItem);
}

#[test]
fn a_report_without_evidence_is_written_as_before() {
    let report = note("6471011001-1", "Antrean panjang");
    let json = report.canonical_json();
    assert!(!json.contains("photos") && !json.contains("position"), "{json}");
    let read: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(read, report);
}

#[test]
fn a_photo_keeps_its_capture_time_with_the_offset_it_was_taken_in() {
    let mut report = note("6471011001-1", "Antrean panjang");
    report.photos = vec![
        photo(1),
        crate::evidence::PhotoRef { taken_at: Some(time::macros::datetime!(2026-02-14 07:41:05 +08:00)), ..photo(2) },
    ];
    let json = report.canonical_json();
    assert_eq!(json.matches("taken_at").count(), 1, "only the photo that has a time names one: {json}");
    assert!(json.contains(r#""taken_at":"2026-02-14T07:41:05+08:00""#), "{json}");
    let read: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(read, report);
    assert_eq!(report.validate(), Ok(()));
    report.photos[1].taken_at = Some(time::macros::datetime!(1899-12-31 23:00:00 UTC));
    let errors = report.validate().unwrap_err();
    assert_eq!((errors[0].at(), errors[0].code), (Some(ReportField::Photo(1)), FieldErrorCode::OutOfRange));
    let bad = json.replace("2026-02-14T07:41:05+08:00", "14/02/2026 07.41");
    let error = serde_json::from_str::<Report>(&bad).unwrap_err().to_string();
    assert!(error.contains("could not be parsed"), "{error}");
}
