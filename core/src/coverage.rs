//! Which TPS have reported: per kecamatan, kelurahan or TPS, how many TPS
//! sent each checklist phase and a count result, and which sent nothing.
//! Built from one [`TpsActivity`] per known TPS, so the rule is tested here
//! and the server only counts rows.

use crate::checklist::Phase;
use serde::{Deserialize, Serialize};

/// How finely coverage is grouped: by the first 6 digits of the TPS code (a
/// kecamatan), the 10 of its village (a kelurahan), or each TPS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AreaLevel {
    Kecamatan,
    Kelurahan,
    Tps,
}

impl AreaLevel {
    pub const ALL: [AreaLevel; 3] = [AreaLevel::Kecamatan, AreaLevel::Kelurahan, AreaLevel::Tps];

    pub fn slug(self) -> &'static str {
        match self {
            AreaLevel::Kecamatan => "kecamatan",
            AreaLevel::Kelurahan => "kelurahan",
            AreaLevel::Tps => "tps",
        }
    }

    pub fn from_slug(slug: &str) -> Option<AreaLevel> {
        AreaLevel::ALL.into_iter().find(|l| l.slug() == slug)
    }

    /// The area a canonical TPS code lies in, at this level.
    pub fn area_of(self, tps: &str) -> &str {
        let len = match self {
            AreaLevel::Kecamatan => 6,
            AreaLevel::Kelurahan => 10,
            AreaLevel::Tps => tps.len(),
        };
        tps.get(..len).unwrap_or(tps)
    }
}

/// What one TPS has sent so far (nothing, for a TPS known only from the TPS
/// list or a volunteer's enrolment).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TpsActivity {
    pub tps: String,
    /// Checklist reports per phase, in [`Phase::ALL`] order.
    pub checklists: [u32; 3],
    pub count_results: u32,
    /// Every report, of any kind.
    pub reports: u32,
}

/// One area's coverage: of its known TPS, how many sent what.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaCoverage {
    /// The area's code: 6 digits, 10 digits, or a TPS code.
    pub code: String,
    /// Its name, where pantau-core knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// TPS known in the area.
    pub tps: u32,
    /// TPS that sent at least one report.
    pub reported: u32,
    /// TPS that sent the opening, voting and counting checklists.
    pub opening: u32,
    pub voting: u32,
    pub counting: u32,
    /// TPS that sent at least one count result.
    pub count_results: u32,
    /// Reports of every kind.
    pub reports: u32,
}

/// Coverage of a scope at one level, areas in code order, with the TPS that
/// sent nothing at all (in code order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    pub level: AreaLevel,
    pub areas: Vec<AreaCoverage>,
    pub silent: Vec<String>,
}

impl Coverage {
    /// Groups `activity` (one entry per known TPS, any order) by `level`.
    pub fn build(level: AreaLevel, mut activity: Vec<TpsActivity>) -> Coverage {
        activity.sort_by(|a, b| a.tps.cmp(&b.tps));
        let mut areas: Vec<AreaCoverage> = Vec::new();
        let mut silent = Vec::new();
        for tps in &activity {
            let code = level.area_of(&tps.tps);
            if areas.last().is_none_or(|a| a.code != code) {
                areas.push(AreaCoverage { code: code.to_owned(), name: area_name(level, code), ..Default::default() });
            }
            let area = areas.last_mut().expect("pushed just above");
            let sent = |n: u32| u32::from(n > 0);
            area.tps += 1;
            area.reported += sent(tps.reports);
            area.opening += sent(tps.checklists[0]);
            area.voting += sent(tps.checklists[1]);
            area.counting += sent(tps.checklists[2]);
            area.count_results += sent(tps.count_results);
            area.reports += tps.reports;
            if tps.reports == 0 {
                silent.push(tps.tps.clone());
            }
        }
        Coverage { level, areas, silent }
    }
}

/// The index of a checklist phase in [`TpsActivity::checklists`].
pub fn phase_index(phase: Phase) -> usize {
    Phase::ALL.iter().position(|p| *p == phase).expect("every phase is in ALL")
}

fn area_name(level: AreaLevel, code: &str) -> Option<String> {
    match level {
        AreaLevel::Kecamatan => crate::region::district_name(code).map(str::to_owned),
        AreaLevel::Kelurahan => crate::region::place(code).map(|p| p.village.to_owned()),
        AreaLevel::Tps => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tps(code: &str, checklists: [u32; 3], count_results: u32, other: u32) -> TpsActivity {
        let reports = checklists.iter().sum::<u32>() + count_results + other;
        TpsActivity { tps: code.into(), checklists, count_results, reports }
    }

    #[test]
    fn tps_are_counted_once_per_area_whatever_they_sent_and_the_silent_ones_are_named() {
        let activity = vec![
            tps("6471021001-002", [0, 0, 0], 0, 0),
            tps("6471011001-001", [2, 1, 1], 1, 3),
            tps("6471011001-002", [1, 0, 0], 0, 0),
            tps("6471011002-001", [0, 0, 0], 0, 0),
            tps("6471011002-004", [0, 0, 0], 0, 1),
        ];
        let by_kecamatan = Coverage::build(AreaLevel::Kecamatan, activity.clone());
        assert_eq!(by_kecamatan.areas.len(), 2);
        let first = &by_kecamatan.areas[0];
        assert_eq!(first.code, "647101");
        assert!(first.name.is_some(), "Balikpapan's kecamatan are known");
        assert_eq!(
            (
                first.tps,
                first.reported,
                first.opening,
                first.voting,
                first.counting,
                first.count_results,
                first.reports
            ),
            (4, 3, 2, 1, 1, 1, 10)
        );
        assert_eq!(by_kecamatan.silent, ["6471011002-001", "6471021001-002"]);

        let by_kelurahan = Coverage::build(AreaLevel::Kelurahan, activity.clone());
        let codes: Vec<&str> = by_kelurahan.areas.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(codes, ["6471011001", "6471011002", "6471021001"]);
        assert_eq!(by_kelurahan.areas[1].reported, 1);

        let by_tps = Coverage::build(AreaLevel::Tps, activity);
        assert_eq!(by_tps.areas.len(), 5);
        assert!(by_tps.areas.iter().all(|a| a.tps == 1 && a.reported <= 1));
    }

    #[test]
    fn levels_read_back_from_their_slugs() {
        for level in AreaLevel::ALL {
            assert_eq!(AreaLevel::from_slug(level.slug()), Some(level));
        }
        assert_eq!(AreaLevel::Kecamatan.area_of("6471011001-003"), "647101");
    }
}
