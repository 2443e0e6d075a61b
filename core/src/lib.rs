//! Pantau's domain, in plain Rust so that the PWA (wasm) and the server (native)
//! run the same rules and the rules are tested without a browser.
//!
//! - [`report`]: what a volunteer files (a note, a checklist, an incident, a
//!   count result), and its TPS.
//! - [`lang`]: the languages messages exist in.
//! - [`checklist`]: the catalogue of TPS checklist items by phase.
//! - [`ballot`]: the contests' participants with their ballot numbers.
//! - [`region`]: names of the places TPS codes point at (Kota Balikpapan).
//! - [`validation`]: the checks both the form and the server apply, with messages
//!   in Bahasa Indonesia and English.
//! - [`outbox`]: the on-phone queue as a state machine; [`envelope`]: the
//!   versioned record each queued report is stored in.
//! - [`save`]: what a tap of *Simpan* does (new report, resumed attempt,
//!   twin, correction), decided without a browser.
//! - [`protocol`]: what travels over HTTP (receipts, problems) and how a response
//!   maps onto an outbox transition.
//! - [`coverage`]: which TPS have reported, per kecamatan, kelurahan or TPS.
//! - `desk` (feature `desk`): what the coordinators' desk reads (report lists, the feed).
//! - [`tally`]: count results added up per contest, with the TPS to check first.
//! - [`review`]: what coordinators do with a report, as append-only events.
//! - [`backoff`]: when to try again after a failed send.
//! - [`sync`]: the sync engine, generic over storage and transport.

pub mod backoff;
pub mod ballot;
pub mod checklist;
pub mod coverage;
#[cfg(feature = "desk")]
pub mod desk;
pub mod envelope;
pub mod evidence;
pub mod lang;
pub mod outbox;
pub mod protocol;
pub mod region;
pub mod report;
pub mod review;
pub mod save;
pub mod sync;
pub mod tally;
pub mod validation;
#[cfg(feature = "openapi")]
mod whole_number;

#[cfg(test)]
mod test_fixtures;

pub use lang::Lang;
pub use outbox::{Delivery, Outbox, OutboxEntry};
pub use protocol::{Receipt, SendOutcome};
pub use report::{CandidateVotes, ChecklistAnswer, Contest, IncidentCategory, Report, ReportBody, ReportId, TpsCode};
pub use validation::FieldError;
