//! A plan target's path over the school years and where the current value stands on it.
//!
//! Plans state targets in three ways: a final value by a deadline (巩固率 ≥ 99.5% by 2026), yearly
//! milestones (合格率 93 → 94 → 95), or a change per year from the plan's baseline (近视率 down
//! 1 point a year). All three become one path: the value expected in each school year.

use serde::Serialize;

use crate::indicators::Direction;

crate::labelled_enum!(
    /// Who must reach a target: the district as a whole, or every school on its own.
    Scope, "目标范围" {
        District => "district", "区县整体" | "区县" | "全区" | "全县";
        EachSchool => "each_school", "每所学校" | "各校" | "所有学校";
    }
);

/// A target as a plan states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetSpec {
    pub direction: Direction,
    /// The final value; `None` when the plan states a change per year instead.
    pub target: Option<f64>,
    /// Change per school year from the baseline (negative to go down).
    pub annual_change: Option<f64>,
    /// The plan's first school year: the baseline is the value held for it.
    pub start_year: i32,
    pub deadline_year: i32,
    /// Explicit values for some school years (start years), in any order.
    pub milestones: Vec<(i32, f64)>,
}

/// Where a target stands in a school year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Progress {
    /// The final target is reached.
    Met,
    /// Not yet the final target, but at least this year's value on the path.
    OnTrack,
    /// Behind this year's value on the path, or past the deadline without the target.
    OffTrack,
    /// No value to judge (no records, or no baseline for a change per year).
    NoData,
}

impl Progress {
    pub fn label(self) -> &'static str {
        match self {
            Progress::Met => "已达成",
            Progress::OnTrack => "进度正常",
            Progress::OffTrack => "进度滞后",
            Progress::NoData => "无数据",
        }
    }
}

impl TargetSpec {
    /// The value to reach by the deadline.
    pub fn final_target(&self, baseline: Option<f64>) -> Option<f64> {
        if let Some(t) = self.target {
            return Some(t);
        }
        if let Some(&(_, v)) = self.milestones.iter().find(|(y, _)| *y == self.deadline_year) {
            return Some(v);
        }
        Some(baseline? + self.annual_change? * f64::from(self.deadline_year - self.start_year))
    }

    /// The value expected in a school year: that year's milestone if the plan sets one; else the
    /// baseline moved by the change per year; else the straight line from the baseline to the
    /// final value. From the deadline on, the final value. A baseline that already reaches the
    /// final value expects the final value.
    pub fn expected(&self, year: i32, baseline: Option<f64>) -> Option<f64> {
        if let Some(&(_, v)) = self.milestones.iter().find(|(y, _)| *y == year) {
            return Some(v);
        }
        let last = self.final_target(baseline)?;
        if year >= self.deadline_year {
            return Some(last);
        }
        let elapsed = f64::from((year - self.start_year).max(0));
        if let (Some(change), Some(b)) = (self.annual_change, baseline) {
            return Some(b + change * elapsed);
        }
        // The latest milestone before this year (or the baseline) starts the remaining line.
        let (from_year, from) = self
            .milestones
            .iter()
            .filter(|(y, _)| *y < year && *y >= self.start_year)
            .max_by_key(|(y, _)| *y)
            .map(|&(y, v)| (y, Some(v)))
            .unwrap_or((self.start_year, baseline));
        let Some(from) = from else { return Some(last) };
        if self.direction.admits(from, last) {
            return Some(last);
        }
        let span = f64::from(self.deadline_year - from_year);
        Some(from + (last - from) * f64::from(year - from_year) / span)
    }

    /// Where a value stands in a school year.
    pub fn progress(&self, year: i32, baseline: Option<f64>, value: Option<f64>) -> Progress {
        let (Some(v), Some(last)) = (value, self.final_target(baseline)) else { return Progress::NoData };
        if self.direction.admits(v, last) {
            return Progress::Met;
        }
        match self.expected(year, baseline) {
            Some(e) if year < self.deadline_year && self.direction.admits(v, e) => Progress::OnTrack,
            _ => Progress::OffTrack,
        }
    }
}

/// Parses milestones as plans write them: "2024-2025:97；2025-2026:98" or "2024=97, 2025=98"
/// (a school year or its start year, then the value; a trailing % is allowed).
pub fn parse_milestones(raw: &str) -> Result<Vec<(i32, f64)>, String> {
    let mut out: Vec<(i32, f64)> = Vec::new();
    for part in raw.split(['；', ';', '，', ',', '、']).map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || format!("“{part}”应写作“学年:目标值”，如“2025-2026:97”");
        let (year, value) = part.split_once([':', '：', '=']).ok_or_else(bad)?;
        let year = year.trim();
        let start = crate::calendar::parse_school_year(year)
            .ok()
            .or_else(|| year.trim_end_matches('年').parse::<i32>().ok().filter(|y| (2000..2100).contains(y)))
            .ok_or_else(bad)?;
        let value = value.trim().trim_end_matches('%').trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let value = value.ok_or_else(bad)?;
        if out.iter().any(|(y, _)| *y == start) {
            return Err(format!("{start}-{}学年出现两次", start + 1));
        }
        out.push((start, value));
    }
    out.sort_by_key(|(y, _)| *y);
    Ok(out)
}

/// Milestones written back in the form `parse_milestones` reads.
pub fn format_milestones(m: &[(i32, f64)]) -> String {
    m.iter().map(|(y, v)| format!("{y}-{}:{v}", y + 1)).collect::<Vec<_>>().join("；")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(target: Option<f64>, change: Option<f64>, milestones: Vec<(i32, f64)>, d: Direction) -> TargetSpec {
        TargetSpec { direction: d, target, annual_change: change, start_year: 2024, deadline_year: 2026, milestones }
    }

    #[test]
    fn a_change_per_year_starts_from_the_baseline() {
        // 近视率 down 1 point a year from 52.0 in 2024-2025.
        let s = spec(None, Some(-1.0), vec![], Direction::AtMost);
        assert_eq!(s.final_target(Some(52.0)), Some(50.0));
        assert_eq!(s.expected(2025, Some(52.0)), Some(51.0));
        assert_eq!(s.expected(2030, Some(52.0)), Some(50.0));
        assert_eq!(s.progress(2025, Some(52.0), Some(51.0)), Progress::OnTrack);
        assert_eq!(s.progress(2025, Some(52.0), Some(51.3)), Progress::OffTrack);
        assert_eq!(s.progress(2025, Some(52.0), Some(49.9)), Progress::Met);
        assert_eq!(s.progress(2025, None, Some(49.9)), Progress::NoData, "no baseline, no target");
    }

    #[test]
    fn without_milestones_the_path_is_a_straight_line() {
        let s = spec(Some(95.0), None, vec![], Direction::AtLeast);
        assert_eq!(s.expected(2025, Some(91.0)), Some(93.0));
        assert_eq!(s.progress(2025, Some(91.0), Some(93.0)), Progress::OnTrack);
        assert_eq!(s.progress(2025, Some(91.0), Some(92.9)), Progress::OffTrack);
        assert_eq!(s.progress(2026, Some(91.0), Some(94.9)), Progress::OffTrack, "deadline year: final value");
        assert_eq!(s.progress(2026, Some(91.0), Some(95.0)), Progress::Met);
        // A baseline already at the target expects the target (no slack to fall back on).
        assert_eq!(s.expected(2025, Some(97.0)), Some(95.0));
        // No baseline: the final value is expected at once.
        assert_eq!(s.expected(2025, None), Some(95.0));
        let ptr = spec(Some(19.0), None, vec![], Direction::AtMost);
        assert_eq!(ptr.expected(2025, Some(21.0)), Some(20.0));
    }

    #[test]
    fn milestones_override_the_line() {
        let s = spec(Some(95.0), None, vec![(2024, 92.0), (2025, 93.5)], Direction::AtLeast);
        assert_eq!(s.expected(2025, Some(90.0)), Some(93.5));
        assert_eq!(s.progress(2025, Some(90.0), Some(93.5)), Progress::OnTrack);
        let later = TargetSpec { deadline_year: 2027, ..s.clone() };
        // After the last milestone the line runs from it to the final value.
        assert_eq!(later.expected(2026, Some(90.0)), Some(93.5 + 1.5 / 2.0));
        let only = spec(None, None, vec![(2026, 99.5)], Direction::AtLeast);
        assert_eq!(only.final_target(None), Some(99.5), "the deadline's milestone is the final value");
    }

    #[test]
    fn milestones_are_parsed_as_written() {
        assert_eq!(parse_milestones("2024-2025:97；2025-2026：98%").unwrap(), vec![(2024, 97.0), (2025, 98.0)]);
        assert_eq!(parse_milestones("2025=98, 2024年=97").unwrap(), vec![(2024, 97.0), (2025, 98.0)]);
        assert_eq!(parse_milestones(" ").unwrap(), vec![]);
        assert!(parse_milestones("2025").unwrap_err().contains("学年:目标值"));
        assert!(parse_milestones("2025:1;2025-2026:2").unwrap_err().contains("出现两次"));
        let m = vec![(2024, 97.0), (2025, 98.5)];
        assert_eq!(parse_milestones(&format_milestones(&m)).unwrap(), m);
        assert_eq!(Scope::parse("每所学校").unwrap(), Scope::EachSchool);
    }
}
