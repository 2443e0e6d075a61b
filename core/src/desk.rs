//! What the coordinators' desk reads over HTTP: report lists, the live feed's
//! items, the tally and reports per hour. Shared by the server, which writes
//! them, and the desk app, which reads them.

use crate::protocol::Receipt;
use crate::review::ReviewState;
use crate::tally::ContestTally;
use crate::Report;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One page of reports, oldest first (`after`) or newest first (`before`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportList {
    pub reports: Vec<ReportListItem>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after: Option<i64>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before: Option<i64>,
}

/// A stored report as coordinators see it: in lists and in the live feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportListItem {
    pub receipt: Receipt,
    pub volunteer: Option<VolunteerRef>,
    pub report: Report,
    /// Where coordinators' review of it stands.
    pub review: ReviewState,
}

impl ReportListItem {
    /// An urgent incident nobody has taken up yet: the desk keeps it on top.
    pub fn waits_for_attention(&self) -> bool {
        self.review == ReviewState::New && matches!(self.report.body, crate::ReportBody::Incident { urgent: true, .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolunteerRef {
    pub id: i64,
    pub name: String,
}

/// Count results added up per contest over the coordinator's scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    pub contests: Vec<ContestTally>,
}

/// Reports received in one clock hour (UTC), for the desk's chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HourCount {
    /// The start of the hour.
    #[serde(with = "time::serde::rfc3339")]
    pub hour: OffsetDateTime,
    pub reports: u32,
    /// Of those, urgent incidents.
    pub urgent: u32,
}

/// Reports per hour over a span, every hour present (zero when quiet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hours {
    pub hours: Vec<HourCount>,
}

impl Hours {
    /// Fills the hours from `from` (rounded down to the hour) up to and
    /// including the hour of `to` with `counted`, zero where nothing came.
    pub fn fill(from: OffsetDateTime, to: OffsetDateTime, counted: &[HourCount]) -> Hours {
        let floor = |t: OffsetDateTime| {
            let t = t.to_offset(time::UtcOffset::UTC);
            t.replace_time(time::Time::from_hms(t.hour(), 0, 0).expect("a valid hour"))
        };
        let (mut hour, last) = (floor(from), floor(to));
        let mut hours = Vec::new();
        while hour <= last && hours.len() < 24 * 31 {
            let found = counted.iter().find(|c| floor(c.hour) == hour);
            hours.push(HourCount {
                hour,
                reports: found.map_or(0, |c| c.reports),
                urgent: found.map_or(0, |c| c.urgent),
            });
            hour += time::Duration::HOUR;
        }
        Hours { hours }
    }
}

/// One event of a `text/event-stream`, as the desk reads the live feed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamEvent {
    /// `id:`, the arrival number to resume after (`Last-Event-ID`).
    pub id: Option<String>,
    /// `event:`; empty for the default `message`.
    pub event: String,
    /// The `data:` lines joined by newlines.
    pub data: String,
}

/// Reads a `text/event-stream` as it arrives in chunks of any size (the
/// desk reads the feed with `fetch`, which can send its token, unlike
/// `EventSource`). Comments (keep-alives) yield nothing.
#[derive(Debug, Default)]
pub struct EventStreamReader {
    pending: Vec<u8>,
}

impl EventStreamReader {
    /// Feeds bytes; returns every event completed by them.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<StreamEvent> {
        self.pending.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some((end, gap)) = blank_line(&self.pending) {
            let block: Vec<u8> = self.pending.drain(..end + gap).take(end).collect();
            let text = String::from_utf8_lossy(&block);
            let mut event = StreamEvent::default();
            let mut data: Vec<&str> = Vec::new();
            for line in text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)) {
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "id" => event.id = Some(value.to_owned()),
                    "event" => event.event = value.to_owned(),
                    "data" => data.push(value),
                    _ => {}
                }
            }
            if !data.is_empty() {
                event.data = data.join("\n");
                events.push(event);
            }
        }
        events
    }
}

/// Where the first blank line is: the end of the block and the length of the
/// line breaks that end it.
fn blank_line(bytes: &[u8]) -> Option<(usize, usize)> {
    (0..bytes.len()).find_map(|i| {
        let rest = &bytes[i..];
        [&b"\r\n\r\n"[..], b"\n\n", b"\r\r"].iter().find(|sep| rest.starts_with(sep)).map(|sep| (i, sep.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn every_hour_of_the_span_is_present_and_counts_land_in_their_hour() {
        let counted = [HourCount { hour: datetime!(2026-11-30 09:00 UTC), reports: 7, urgent: 2 }];
        let hours = Hours::fill(datetime!(2026-11-30 07:45 UTC), datetime!(2026-11-30 10:05 UTC), &counted);
        let shape: Vec<(u8, u32, u32)> = hours.hours.iter().map(|h| (h.hour.hour(), h.reports, h.urgent)).collect();
        assert_eq!(shape, [(7, 0, 0), (8, 0, 0), (9, 7, 2), (10, 0, 0)]);
    }

    #[test]
    fn events_are_read_whole_however_the_stream_is_cut_and_keep_alives_yield_nothing() {
        let stream = b": keep-alive\n\nid: 41\nevent: report\ndata: {\"a\":1}\n\nid: 42\r\nevent: report\r\ndata: x\r\ndata: y\r\n\r\n";
        for cut in 1..stream.len() {
            let mut reader = EventStreamReader::default();
            let mut events = reader.push(&stream[..cut]);
            events.extend(reader.push(&stream[cut..]));
            let seen: Vec<(Option<&str>, &str, &str)> =
                events.iter().map(|e| (e.id.as_deref(), e.event.as_str(), e.data.as_str())).collect();
            assert_eq!(seen, [(Some("41"), "report", "{\"a\":1}"), (Some("42"), "report", "x\ny")], "cut at {cut}");
        }
    }

    #[test]
    fn a_span_that_ends_before_it_starts_has_no_hours() {
        let hours = Hours::fill(datetime!(2026-11-30 10:00 UTC), datetime!(2026-11-30 08:00 UTC), &[]);
        assert!(hours.hours.is_empty());
    }
}
