//! The count results of a scope added up per contest, with the TPS to check
//! first: where two reports disagree (a discrepancy), then where a sheet
//! does not add up.

use crate::report::{Contest, Report, ReportBody};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a TPS's count needs a look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CountProblem {
    /// Two reports for this TPS and contest give different results.
    Discrepancy,
    /// The sheet's own numbers do not add up (a validation warning).
    DoesNotAddUp,
}

/// A TPS whose count needs a look, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlaggedTps {
    pub tps: String,
    pub problems: Vec<CountProblem>,
    /// How many reports there are for it.
    pub reports: u32,
}

/// A participant's votes over the scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParticipantTotal {
    pub name: String,
    pub votes: u64,
}

/// One contest added up over the TPS that reported it: each TPS counted once,
/// with its latest report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContestTally {
    pub contest: Contest,
    pub tps: u32,
    /// In the order participants first appear (the ballot's, for rows from it).
    pub participants: Vec<ParticipantTotal>,
    pub valid: u64,
    pub invalid: u64,
    pub voters: u64,
    /// Discrepancies first, then sheets that do not add up; by TPS code within each.
    pub flagged: Vec<FlaggedTps>,
}

/// A tally built TPS by TPS: give it the count results ordered by TPS, each
/// TPS's in arrival order, and it holds only one TPS's reports at a time (and
/// the totals, and the TPS flagged).
#[derive(Default)]
pub struct Tallies {
    /// By the contest's place in [`Contest::ALL`].
    contests: BTreeMap<usize, ContestTally>,
    /// The reports of the TPS being read, in arrival order.
    tps: Vec<Report>,
}

impl Tallies {
    /// Adds a report (other kinds than count results are ignored). Reports
    /// must come TPS by TPS: a TPS seen again is counted again.
    pub fn add(&mut self, report: Report) {
        if !matches!(report.body, ReportBody::CountResult { .. }) {
            return;
        }
        if self.tps.first().is_some_and(|first| first.tps != report.tps) {
            self.close_tps();
        }
        self.tps.push(report);
    }

    /// One tally per contest reported, in [`Contest::ALL`] order.
    pub fn finish(mut self) -> Vec<ContestTally> {
        self.close_tps();
        let mut tallies: Vec<ContestTally> = self.contests.into_values().collect();
        for tally in &mut tallies {
            tally.flagged.sort_by(|a, b| a.problems[0].cmp(&b.problems[0]).then_with(|| a.tps.cmp(&b.tps)));
        }
        tallies
    }

    /// Counts the TPS read so far, each contest with its latest report.
    fn close_tps(&mut self) {
        let reports = std::mem::take(&mut self.tps);
        for (order, contest) in Contest::ALL.iter().enumerate() {
            let of_contest: Vec<&Report> = reports
                .iter()
                .filter(|r| matches!(&r.body, ReportBody::CountResult { contest: c, .. } if c == contest))
                .collect();
            let Some(latest) = of_contest.last() else { continue };
            let tally = self.contests.entry(order).or_insert_with(|| ContestTally {
                contest: *contest,
                tps: 0,
                participants: Vec::new(),
                valid: 0,
                invalid: 0,
                voters: 0,
                flagged: Vec::new(),
            });
            count_tps(tally, latest, &of_contest);
        }
    }
}

/// Adds one TPS's `latest` count of a contest to its tally, flagged when
/// `reports` (all of that TPS's for the contest) disagree or the sheet does
/// not add up.
fn count_tps(tally: &mut ContestTally, latest: &Report, reports: &[&Report]) {
    let ReportBody::CountResult { votes, valid, invalid, voters, .. } = &latest.body else { return };
    tally.tps += 1;
    tally.valid += u64::from(*valid);
    tally.invalid += u64::from(*invalid);
    tally.voters += u64::from(*voters);
    for row in votes {
        match tally.participants.iter_mut().find(|p| p.name == row.name) {
            Some(p) => p.votes += u64::from(row.votes),
            None => tally.participants.push(ParticipantTotal { name: row.name.clone(), votes: u64::from(row.votes) }),
        }
    }
    let mut problems = Vec::new();
    if reports.iter().any(|r| r.body != latest.body) {
        problems.push(CountProblem::Discrepancy);
    }
    if !latest.warnings().is_empty() {
        problems.push(CountProblem::DoesNotAddUp);
    }
    if !problems.is_empty() {
        tally.flagged.push(FlaggedTps { tps: latest.tps.clone(), problems, reports: reports.len() as u32 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CandidateVotes, ReportId};

    /// `reports` in any order, ordered by TPS (stably: each TPS's in arrival
    /// order) and added up as the server does.
    fn tally(reports: &[Report]) -> Vec<ContestTally> {
        let mut reports: Vec<&Report> = reports.iter().collect();
        reports.sort_by(|a, b| a.tps.cmp(&b.tps));
        let mut tallies = Tallies::default();
        for report in reports {
            tallies.add(report.clone());
        }
        tallies.finish()
    }

    fn count(n: u128, tps: &str, contest: Contest, votes: &[u32], valid: u32, voters: u32) -> Report {
        let rows =
            votes.iter().enumerate().map(|(i, v)| CandidateVotes { name: format!("{}. P{}", i + 1, i + 1), votes: *v });
        Report::new(
            ReportId(uuid::Uuid::from_u128(n)),
            tps,
            time::macros::datetime!(2024-02-14 14:00 +08:00),
            ReportBody::CountResult { contest, votes: rows.collect(), valid, invalid: 2, voters },
        )
    }

    #[test]
    fn each_tps_counts_once_with_its_latest_report_and_problems_are_listed_discrepancies_first() {
        let reports = [
            count(1, "6471011001-001", Contest::President, &[100, 120, 80], 300, 302),
            // A second volunteer at 002 disagrees with the first.
            count(2, "6471011001-002", Contest::President, &[50, 60, 40], 150, 152),
            count(3, "6471011001-002", Contest::President, &[50, 61, 40], 151, 153),
            // 003's sheet does not add up (votes 100 against valid 110).
            count(4, "6471011001-003", Contest::President, &[30, 30, 40], 110, 112),
            count(5, "6471011001-001", Contest::Dpr, &[10, 20], 30, 32),
            // The same result sent twice is no discrepancy.
            count(6, "6471011001-004", Contest::President, &[1, 2, 3], 6, 8),
            count(7, "6471011001-004", Contest::President, &[1, 2, 3], 6, 8),
        ];
        let tallies = tally(&reports);
        assert_eq!(tallies.iter().map(|t| t.contest).collect::<Vec<_>>(), [Contest::President, Contest::Dpr]);
        let president = &tallies[0];
        assert_eq!(president.tps, 4);
        let votes: Vec<u64> = president.participants.iter().map(|p| p.votes).collect();
        assert_eq!(
            votes,
            [100 + 50 + 30 + 1, 120 + 61 + 30 + 2, 80 + 40 + 40 + 3],
            "002 counted with its latest report"
        );
        assert_eq!(president.valid, 300 + 151 + 110 + 6);
        let flagged: Vec<(&str, &[CountProblem])> =
            president.flagged.iter().map(|f| (f.tps.as_str(), f.problems.as_slice())).collect();
        assert_eq!(
            flagged,
            [
                ("6471011001-002", &[CountProblem::Discrepancy][..]),
                ("6471011001-003", &[CountProblem::DoesNotAddUp][..])
            ]
        );
        assert_eq!(president.flagged[0].reports, 2);
        assert!(tallies[1].flagged.is_empty());
    }

    /// The tally as first written: every report held, grouped by contest and
    /// TPS at once. Kept as the reference the TPS-by-TPS build must equal.
    fn whole_set_tally<'a>(reports: impl IntoIterator<Item = &'a Report>) -> Vec<ContestTally> {
        // Per contest and TPS, every report in arrival order.
        let mut by_tps: BTreeMap<(usize, &str), Vec<&Report>> = BTreeMap::new();
        for report in reports {
            if let ReportBody::CountResult { contest, .. } = &report.body {
                let order = Contest::ALL.iter().position(|c| c == contest).expect("every contest is in ALL");
                by_tps.entry((order, report.tps.as_str())).or_default().push(report);
            }
        }
        let mut tallies: Vec<ContestTally> = Vec::new();
        for ((order, tps), reports) in by_tps {
            let contest = Contest::ALL[order];
            if tallies.last().is_none_or(|t| t.contest != contest) {
                tallies.push(ContestTally {
                    contest,
                    tps: 0,
                    participants: Vec::new(),
                    valid: 0,
                    invalid: 0,
                    voters: 0,
                    flagged: Vec::new(),
                });
            }
            let tally = tallies.last_mut().expect("pushed just above");
            let latest = reports.last().expect("a TPS entry has a report");
            let ReportBody::CountResult { votes, valid, invalid, voters, .. } = &latest.body else { unreachable!() };
            tally.tps += 1;
            tally.valid += u64::from(*valid);
            tally.invalid += u64::from(*invalid);
            tally.voters += u64::from(*voters);
            for row in votes {
                match tally.participants.iter_mut().find(|p| p.name == row.name) {
                    Some(p) => p.votes += u64::from(row.votes),
                    None => tally
                        .participants
                        .push(ParticipantTotal { name: row.name.clone(), votes: u64::from(row.votes) }),
                }
            }
            let mut problems = Vec::new();
            if reports.iter().any(|r| r.body != latest.body) {
                problems.push(CountProblem::Discrepancy);
            }
            if !latest.warnings().is_empty() {
                problems.push(CountProblem::DoesNotAddUp);
            }
            if !problems.is_empty() {
                tally.flagged.push(FlaggedTps { tps: tps.to_owned(), problems, reports: reports.len() as u32 });
            }
        }
        for tally in &mut tallies {
            tally.flagged.sort_by(|a, b| a.problems[0].cmp(&b.problems[0]).then_with(|| a.tps.cmp(&b.tps)));
        }
        tallies
    }

    proptest::proptest! {
        #[test]
        fn tps_by_tps_equals_the_whole_set_and_any_arrival_order_of_other_tps(
            filed in proptest::collection::vec((0usize..4, 0usize..3, proptest::collection::vec(0u32..50, 1..4), 0u32..3), 0..40),
        ) {
            let contests = [Contest::President, Contest::Dpr, Contest::DprdRegency];
            let reports: Vec<Report> = filed
                .iter()
                .enumerate()
                .map(|(i, (tps, contest, votes, extra))| {
                    let valid: u32 = votes.iter().sum::<u32>() + extra;
                    count(i as u128, &format!("6471011001-00{tps}"), contests[*contest], votes, valid, valid + 2)
                })
                .collect();
            let expected = whole_set_tally(&reports);
            proptest::prop_assert_eq!(tally(&reports), expected.clone());
            // As the server reads them: ordered by TPS, each TPS in arrival order.
            let mut by_tps: Vec<&Report> = reports.iter().collect();
            by_tps.sort_by(|a, b| a.tps.cmp(&b.tps));
            let mut tallies = Tallies::default();
            for report in by_tps {
                tallies.add(report.clone());
            }
            proptest::prop_assert_eq!(tallies.finish(), expected);
        }
    }
}
