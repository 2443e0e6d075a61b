//! What a tap of *Simpan* does, decided from what the form built and what the
//! outbox holds: a pure function, so every case is tested without a browser.
//! The PWA then stores the entry, and only once stored applies it to the outbox.
//!
//! One report, one id: a new report keeps the id and time of the form's
//! unconfirmed attempt while the form still builds the identical report (a save
//! whose end the page never saw must not reach the server as a second report).

use crate::outbox::{EditError, Outbox, OutboxEntry, SaveError};
use crate::report::{Report, ReportId};
use crate::validation::FieldError;
use time::OffsetDateTime;

/// What the form knows when Simpan is tapped.
pub struct SaveRequest<'a> {
    /// The waiting or refused report this form is changing, if any.
    pub correcting: Option<ReportId>,
    /// The report of this form's last unconfirmed save, if one is kept.
    pub attempt: Option<&'a Report>,
    /// The twin the volunteer was already told of: filing anyway.
    pub twin_accepted: Option<ReportId>,
    /// The id and time a new report gets.
    pub new_id: ReportId,
    pub now: OffsetDateTime,
}

/// What to do with the tap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveDecision {
    /// Store this new report; keep it as the form's attempt until stored.
    Queue(OutboxEntry),
    /// Store this changed report in place of the waiting or refused one.
    Correct(OutboxEntry),
    /// The form's earlier attempt was saved after all: nothing to store.
    AlreadyQueued(ReportId),
    /// A report with the same TPS and words is queued or sent (most likely this
    /// one, its attempt lost): ask; a second tap files it.
    AskAboutTwin { twin: ReportId, saved_at: OffsetDateTime },
    /// The report is not valid; nothing is stored.
    Invalid(Vec<FieldError>),
    /// The report being corrected is gone (removed in another tab): filing the
    /// correction as a new report would bring back what the volunteer removed.
    CorrectionGone,
    /// The report being changed is being sent, or was sent, meanwhile.
    NotEditable,
    /// A report with this id is already queued.
    IdTaken,
}

/// Decides what saving the report that `build` makes (given an id and a time)
/// does, against `outbox`.
pub fn decide(
    outbox: &Outbox,
    request: SaveRequest<'_>,
    build: impl Fn(ReportId, OffsetDateTime) -> Result<Report, Vec<FieldError>>,
) -> SaveDecision {
    if let Some(id) = request.correcting {
        let Some(original) = outbox.get(id) else { return SaveDecision::CorrectionGone };
        let report = match build(id, original.report.created_at) {
            Ok(report) => report,
            Err(errors) => return SaveDecision::Invalid(errors),
        };
        return match outbox.check_edit(report) {
            Ok(entry) => SaveDecision::Correct(entry),
            Err(EditError::Invalid(errors)) => SaveDecision::Invalid(errors),
            Err(EditError::NotFound(_)) => SaveDecision::CorrectionGone,
            Err(EditError::NotEditable(_)) => SaveDecision::NotEditable,
        };
    }
    // The unconfirmed attempt of this form, if this is the report it was for.
    let resumed = request
        .attempt
        .and_then(|kept| build(kept.id, kept.created_at).ok().filter(|r| r.canonical_json() == kept.canonical_json()));
    let report = match resumed {
        Some(report) => report,
        None => match build(request.new_id, request.now) {
            Ok(report) => report,
            Err(errors) => return SaveDecision::Invalid(errors),
        },
    };
    if outbox.get(report.id).is_some() {
        return SaveDecision::AlreadyQueued(report.id);
    }
    let twin = outbox.twin_of(&report).map(|e| (e.report.id, e.report.created_at));
    if let Some((twin, saved_at)) = twin.filter(|(id, _)| request.twin_accepted != Some(*id)) {
        return SaveDecision::AskAboutTwin { twin, saved_at };
    }
    match outbox.check_save(report) {
        Ok(entry) => SaveDecision::Queue(entry),
        Err(SaveError::Invalid(errors)) => SaveDecision::Invalid(errors),
        Err(SaveError::AlreadySaved(_)) => SaveDecision::IdTaken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Problem, SendOutcome};
    use crate::report::ReportBody;
    use crate::test_fixtures::{note, receipt};
    use time::macros::datetime;
    use uuid::Uuid;

    const NOW: OffsetDateTime = datetime!(2026-02-14 10:00 +08:00);
    const NEW: ReportId = ReportId(Uuid::from_u128(99));

    fn request(attempt: Option<&Report>) -> SaveRequest<'_> {
        SaveRequest { correcting: None, attempt, twin_accepted: None, new_id: NEW, now: NOW }
    }

    /// A form whose fields say `text`.
    fn form(text: &'static str) -> impl Fn(ReportId, OffsetDateTime) -> Result<Report, Vec<FieldError>> {
        move |id, at| {
            let report = Report::new(id, "6471011001-001", at, ReportBody::Note { text: text.into() });
            report.validate().map(|()| report)
        }
    }

    fn refused(outbox: &mut Outbox, n: u128) -> ReportId {
        let id = note(n).id;
        outbox.save(note(n)).unwrap();
        outbox.start_send(id);
        let problem = Problem { kind: "x".into(), title: "no".into(), status: 422, detail: None, errors: vec![] };
        outbox.finish_send(id, SendOutcome::Rejected(problem));
        id
    }

    #[test]
    fn a_new_report_gets_the_new_id_and_the_present_time() {
        match decide(&Outbox::default(), request(None), form("antre")) {
            SaveDecision::Queue(entry) => {
                assert_eq!((entry.report.id, entry.report.created_at), (NEW, NOW));
                assert!(entry.is_waiting());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unconfirmed_attempt_is_resumed_only_for_the_identical_report() {
        let attempt = form("antre")(ReportId(Uuid::from_u128(5)), datetime!(2026-02-14 09:00 +08:00)).unwrap();
        let SaveDecision::Queue(entry) = decide(&Outbox::default(), request(Some(&attempt)), form("antre")) else {
            panic!("queued")
        };
        assert_eq!(entry.report, attempt, "same id and time");
        let SaveDecision::Queue(entry) = decide(&Outbox::default(), request(Some(&attempt)), form("antre panjang"))
        else {
            panic!("queued")
        };
        assert_eq!((entry.report.id, entry.report.created_at), (NEW, NOW), "a changed form is a new report");
    }

    #[test]
    fn an_attempt_already_in_the_outbox_is_not_stored_again() {
        let mut outbox = Outbox::default();
        let attempt = form("antre")(ReportId(Uuid::from_u128(5)), NOW).unwrap();
        outbox.save(attempt.clone()).unwrap();
        assert_eq!(decide(&outbox, request(Some(&attempt)), form("antre")), SaveDecision::AlreadyQueued(attempt.id));
    }

    #[test]
    fn a_twin_is_asked_about_once_then_filed() {
        let mut outbox = Outbox::default();
        let first = form("antre")(ReportId(Uuid::from_u128(5)), NOW).unwrap();
        outbox.save(first.clone()).unwrap();
        assert_eq!(
            decide(&outbox, request(None), form("antre")),
            SaveDecision::AskAboutTwin { twin: first.id, saved_at: NOW }
        );
        let accepted = SaveRequest { twin_accepted: Some(first.id), ..request(None) };
        assert!(matches!(decide(&outbox, accepted, form("antre")), SaveDecision::Queue(e) if e.report.id == NEW));
        // Sent twins count too.
        outbox.start_send(first.id);
        outbox.finish_send(first.id, SendOutcome::Delivered(receipt(first.id, 1)));
        assert!(matches!(decide(&outbox, request(None), form("antre")), SaveDecision::AskAboutTwin { .. }));
    }

    #[test]
    fn invalid_fields_are_named_and_nothing_is_stored() {
        assert!(matches!(
            decide(&Outbox::default(), request(None), form("  ")),
            SaveDecision::Invalid(errors) if errors[0].field == "body.text"
        ));
    }

    #[test]
    fn a_correction_keeps_the_refused_reports_id_and_time() {
        let mut outbox = Outbox::default();
        let id = refused(&mut outbox, 3);
        let correcting = SaveRequest { correcting: Some(id), ..request(None) };
        match decide(&outbox, correcting, form("sudah diperbaiki")) {
            SaveDecision::Correct(entry) => {
                assert_eq!((entry.report.id, entry.report.created_at), (id, note(3).created_at));
                assert!(entry.is_waiting());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_correction_of_a_report_gone_or_no_longer_refused_is_not_filed() {
        let mut outbox = Outbox::default();
        let gone = SaveRequest { correcting: Some(note(4).id), ..request(None) };
        assert_eq!(decide(&outbox, gone, form("x")), SaveDecision::CorrectionGone);
        outbox.save(note(5)).unwrap();
        outbox.start_send(note(5).id);
        let in_flight = SaveRequest { correcting: Some(note(5).id), ..request(None) };
        assert_eq!(decide(&outbox, in_flight, form("x")), SaveDecision::NotEditable);
    }

    #[test]
    fn a_waiting_report_is_changed_in_place_under_its_id_and_time() {
        let mut outbox = Outbox::default();
        outbox.save(note(6)).unwrap();
        let changing = SaveRequest { correcting: Some(note(6).id), ..request(None) };
        match decide(&outbox, changing, form("pukul 09.15, bukan 09.00")) {
            SaveDecision::Correct(entry) => {
                assert_eq!((entry.report.id, entry.report.created_at), (note(6).id, note(6).created_at));
                assert_eq!(entry.report.body, ReportBody::Note { text: "pukul 09.15, bukan 09.00".into() });
                assert!(entry.rev > outbox.get(note(6).id).unwrap().rev);
            }
            other => panic!("{other:?}"),
        }
    }
}
