//! How an outbox entry is kept on the phone: a versioned envelope
//! (`{"v":1,"entry":{…}}`), so a later version can migrate what an earlier one
//! wrote, and a reader that never loses a record it cannot read.

use crate::outbox::{Delivery, OutboxEntry};
use crate::protocol::{Problem, Receipt, WaitError, WaitReason};
use serde::{Deserialize, Serialize};

/// The version of the stored envelope written by this code.
pub const ENVELOPE_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    v: u32,
    entry: T,
}

/// Why a stored record could not be read. The record itself is left untouched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not an envelope, or its entry does not match the version it claims.
    Malformed(String),
    /// Written by a newer version of Pantau than this one.
    UnknownVersion(u32),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Malformed(e) => write!(f, "malformed outbox record: {e}"),
            DecodeError::UnknownVersion(v) => write!(f, "outbox record version {v} is newer than this app"),
        }
    }
}

/// The stored form of an entry: a versioned envelope, so later versions can
/// migrate records written by earlier ones when they read them.
pub fn encode(entry: &OutboxEntry) -> String {
    serde_json::to_string(&Envelope { v: ENVELOPE_VERSION, entry }).expect("an OutboxEntry always serialises")
}

pub fn decode(raw: &str) -> Result<OutboxEntry, DecodeError> {
    #[derive(Deserialize)]
    struct VersionOnly {
        v: u32,
    }
    let version = serde_json::from_str::<VersionOnly>(raw).map_err(|e| DecodeError::Malformed(e.to_string()))?.v;
    match version {
        1 => serde_json::from_str::<Envelope<OutboxEntry>>(raw)
            .map(|e| e.entry)
            .map_err(|e| DecodeError::Malformed(e.to_string())),
        other => Err(DecodeError::UnknownVersion(other)),
    }
}

/// A stored [`Delivery`], flat: only the fields of its state are written, and
/// fields of other states are ignored when read, so a record written by a
/// newer version still opens. Why a report waits is kept twice: the
/// transport's text (`last_error`) and, since it was typed, the reason
/// (`wait_reason`); a record with the text alone has its reason read from it.
#[derive(Serialize, Deserialize)]
struct StoredDelivery<R, P> {
    state: DeliveryState,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wait_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receipt: Option<R>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<P>,
}

impl Serialize for Delivery {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut stored: StoredDelivery<&Receipt, &Problem> = StoredDelivery {
            state: DeliveryState::Waiting,
            attempts: None,
            last_error: None,
            wait_reason: None,
            receipt: None,
            problem: None,
        };
        match self {
            Delivery::Waiting { attempts, last_error } => {
                stored.attempts = Some(*attempts);
                if let Some(e) = last_error {
                    stored.last_error = Some(e.detail.clone());
                    stored.wait_reason = Some(e.reason.slug().to_owned());
                }
            }
            Delivery::Sending { attempts } => {
                (stored.state, stored.attempts) = (DeliveryState::Sending, Some(*attempts))
            }
            Delivery::Sent { receipt } => (stored.state, stored.receipt) = (DeliveryState::Sent, Some(receipt)),
            Delivery::Rejected { problem } => (stored.state, stored.problem) = (DeliveryState::Rejected, Some(problem)),
            Delivery::Conflict { problem } => (stored.state, stored.problem) = (DeliveryState::Conflict, Some(problem)),
        }
        stored.serialize(serializer)
    }
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DeliveryState {
    Waiting,
    Sending,
    Sent,
    Rejected,
    Conflict,
}

impl<'de> Deserialize<'de> for Delivery {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = StoredDelivery::<Receipt, Problem>::deserialize(deserializer)?;
        fn required<T, E: serde::de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
            value.ok_or_else(|| E::missing_field(field))
        }
        Ok(match stored.state {
            DeliveryState::Waiting => {
                let last_error =
                    stored.last_error.map(|text| match stored.wait_reason.as_deref().and_then(WaitReason::from_slug) {
                        Some(reason) => WaitError::new(reason, text),
                        None => WaitError::from(text),
                    });
                Delivery::Waiting { attempts: required(stored.attempts, "attempts")?, last_error }
            }
            DeliveryState::Sending => Delivery::Sending { attempts: required(stored.attempts, "attempts")? },
            DeliveryState::Sent => Delivery::Sent { receipt: required(stored.receipt, "receipt")? },
            DeliveryState::Rejected => Delivery::Rejected { problem: required(stored.problem, "problem")? },
            DeliveryState::Conflict => Delivery::Conflict { problem: required(stored.problem, "problem")? },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::note;

    #[test]
    fn envelope_round_trips_and_refuses_what_it_cannot_read() {
        let entry = OutboxEntry::new(note(3), Delivery::Waiting { attempts: 2, last_error: None });
        let raw = encode(&entry);
        assert!(raw.starts_with(r#"{"v":1,"#), "{raw}");
        assert_eq!(decode(&raw), Ok(entry));
        assert_eq!(decode(r#"{"v":9,"entry":{}}"#), Err(DecodeError::UnknownVersion(9)));
        assert!(matches!(decode("not json"), Err(DecodeError::Malformed(_))));
        assert!(matches!(decode(r#"{"v":1,"entry":{"report":1}}"#), Err(DecodeError::Malformed(_))));
    }

    #[test]
    fn records_written_by_earlier_versions_open_in_every_state() {
        let report = r#"{"id":"00000000-0000-0000-0000-000000000004","tps":"6471011001-001","created_at":"2026-02-14T07:05:00+08:00","body":{"kind":"note","text":"x"}}"#;
        let receipt = r#"{"id":"00000000-0000-0000-0000-000000000004","received_at":"2026-02-14T07:06:00Z","seq":12}"#;
        let problem = r#"{"type":"about:blank","title":"The report is not valid","status":422}"#;
        let stored =
            |delivery: &str| decode(&format!(r#"{{"v":1,"entry":{{"report":{report},"delivery":{delivery}}}}}"#));
        let delivery = |delivery: &str| stored(delivery).map(|e| e.delivery);
        let problem_value: Problem = serde_json::from_str(problem).unwrap();

        assert_eq!(
            delivery(r#"{"state":"waiting","attempts":3,"last_error":"offline"}"#),
            Ok(Delivery::Waiting { attempts: 3, last_error: Some("offline".into()) })
        );
        assert_eq!(
            delivery(r#"{"state":"waiting","attempts":0}"#),
            Ok(Delivery::Waiting { attempts: 0, last_error: None })
        );
        assert_eq!(delivery(r#"{"state":"sending","attempts":1}"#), Ok(Delivery::Sending { attempts: 1 }));
        assert_eq!(
            delivery(&format!(r#"{{"state":"sent","receipt":{receipt}}}"#)),
            Ok(Delivery::Sent { receipt: serde_json::from_str(receipt).unwrap() })
        );
        assert_eq!(
            delivery(&format!(r#"{{"state":"rejected","problem":{problem}}}"#)),
            Ok(Delivery::Rejected { problem: problem_value.clone() })
        );
        assert_eq!(
            delivery(&format!(r#"{{"state":"conflict","problem":{problem}}}"#)),
            Ok(Delivery::Conflict { problem: problem_value })
        );
        // A field a newer version added is ignored; a missing one is named.
        assert_eq!(delivery(r#"{"state":"sending","attempts":1,"since":5}"#), Ok(Delivery::Sending { attempts: 1 }));
        let missing = delivery(r#"{"state":"sent"}"#);
        assert!(
            matches!(&missing, Err(DecodeError::Malformed(m)) if m.contains("missing field `receipt`")),
            "{missing:?}"
        );
        let unknown = delivery(r#"{"state":"lost","attempts":1}"#);
        assert!(
            matches!(&unknown, Err(DecodeError::Malformed(m)) if m.contains("unknown variant `lost`")),
            "{unknown:?}"
        );
    }

    #[test]
    fn why_a_report_waits_is_kept_typed_beside_its_text_and_older_texts_still_read() {
        let waiting = |last_error| OutboxEntry::new(note(5), Delivery::Waiting { attempts: 1, last_error });
        // Text an older version would read as another reason: the stored reason wins.
        let typed = WaitError::new(WaitReason::ServerBusy, "HTTP 404 from a proxy");
        let raw = encode(&waiting(Some(typed.clone())));
        assert!(raw.contains(r#""last_error":"HTTP 404 from a proxy","wait_reason":"server_busy""#), "{raw}");
        assert_eq!(decode(&raw).unwrap().delivery, waiting(Some(typed)).delivery);
        let stored = |delivery: &str| {
            let report = serde_json::to_string(&note(5)).unwrap();
            decode(&format!(r#"{{"v":1,"entry":{{"report":{report},"delivery":{delivery}}}}}"#)).unwrap().delivery
        };
        let reason = |delivery: Delivery| match delivery {
            Delivery::Waiting { last_error: Some(e), .. } => e.reason,
            other => panic!("{other:?}"),
        };
        // Before the reason was typed, and a reason from a newer version: read from the text.
        assert_eq!(
            reason(stored(r#"{"state":"waiting","attempts":1,"last_error":"network: x"}"#)),
            WaitReason::NoConnection
        );
        let newer = r#"{"state":"waiting","attempts":1,"last_error":"HTTP 503","wait_reason":"on_strike"}"#;
        assert_eq!(reason(stored(newer)), WaitReason::ServerBusy);
    }
}
