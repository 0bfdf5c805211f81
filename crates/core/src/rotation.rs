//! 交流轮岗: who qualifies (years at the same school), the school year's shares, and the quota a
//! school's share of the 10 % implies. The shares are [`crate::standards::rotation`].

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::standards::rotation::{MIN_BACKBONE_SHARE, MIN_SHARE, MIN_YEARS_AT_SCHOOL};

crate::labelled_enum! {
    /// How a teacher goes to the other school.
    RotationKind, "交流方式" {
        Transfer => "transfer", "交流" | "调动";
        Rotation => "rotation", "轮岗" | "跟岗";
        Support => "support", "支教" | "送教";
    }
}

/// The district's rules: the years at one school and the two shares.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RotationRules {
    pub min_years: i32,
    pub min_share: f64,
    pub min_backbone_share: f64,
}

impl Default for RotationRules {
    fn default() -> RotationRules {
        RotationRules { min_years: MIN_YEARS_AT_SCHOOL, min_share: MIN_SHARE, min_backbone_share: MIN_BACKBONE_SHARE }
    }
}

/// Whole years at the school on `on`: from 进本校年月 where recorded, else from the first of the
/// consecutive terms recorded there (`first_term_start`), whichever is earlier.
pub fn years_at_school(joined: Option<NaiveDate>, first_term_start: NaiveDate, on: NaiveDate) -> i32 {
    let since = joined.map_or(first_term_start, |j| j.min(first_term_start));
    let mut years = on.year() - since.year();
    if (on.month(), on.day()) < (since.month(), since.day()) {
        years -= 1;
    }
    years.max(0)
}

impl RotationRules {
    /// Whether a teacher with these years at the school qualifies (满 `min_years`).
    pub fn qualifies(&self, years: i32) -> bool {
        years >= self.min_years
    }

    /// The least number of a school's (or the district's) qualifying teachers to rotate: 10 %,
    /// rounded up (one teacher of 3 qualifying still owes one).
    pub fn quota(&self, qualifying: usize) -> usize {
        ((qualifying as f64) * self.min_share / 100.0 - 1e-9).ceil().max(0.0) as usize
    }
}

/// A school year's rotation figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    pub qualifying: usize,
    /// Qualifying teachers sent this year.
    pub rotated: usize,
    /// 骨干教师 among all sent (qualifying or not: item 11 counts every rotating teacher).
    pub backbone: usize,
    /// Every teacher sent this year.
    pub sent: usize,
}

impl Tally {
    /// 交流轮岗教师 ÷ 符合交流条件教师 (per cent).
    pub fn share(&self) -> Option<f64> {
        (self.qualifying > 0).then(|| self.rotated as f64 / self.qualifying as f64 * 100.0)
    }

    /// 骨干教师 ÷ 交流轮岗教师 (per cent).
    pub fn backbone_share(&self) -> Option<f64> {
        (self.sent > 0).then(|| self.backbone as f64 / self.sent as f64 * 100.0)
    }

    /// Both shares meet the rules.
    pub fn meets(&self, rules: &RotationRules) -> bool {
        self.share().is_some_and(|s| s >= rules.min_share - 1e-9)
            && self.backbone_share().is_some_and(|s| s >= rules.min_backbone_share - 1e-9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn years_at_school_count_whole_years_from_the_earlier_start() {
        let on = d(2026, 9, 1);
        assert_eq!(years_at_school(Some(d(2020, 9, 1)), d(2024, 9, 1), on), 6, "exactly six years");
        assert_eq!(years_at_school(Some(d(2020, 10, 1)), d(2024, 9, 1), on), 5, "a month short");
        assert_eq!(years_at_school(None, d(2024, 9, 1), on), 2, "from the records alone");
        assert_eq!(years_at_school(Some(d(2025, 9, 1)), d(2024, 9, 1), on), 2, "the records go back further");
        let rules = RotationRules::default();
        assert!(rules.qualifies(6) && !rules.qualifies(5));
    }

    #[test]
    fn shares_and_quotas_at_their_boundaries() {
        let rules = RotationRules::default();
        assert_eq!((rules.min_share, rules.min_backbone_share, rules.min_years), (10.0, 20.0, 6));
        assert_eq!(
            [rules.quota(0), rules.quota(3), rules.quota(10), rules.quota(11), rules.quota(20)],
            [0, 1, 1, 2, 2]
        );
        let t = Tally { qualifying: 100, rotated: 10, backbone: 2, sent: 10 };
        assert_eq!((t.share(), t.backbone_share()), (Some(10.0), Some(20.0)));
        assert!(t.meets(&rules), "exactly 10 % and 20 %");
        assert!(!Tally { rotated: 9, sent: 9, ..t }.meets(&rules), "9 %");
        assert!(!Tally { backbone: 1, ..t }.meets(&rules), "10 % backbone");
        assert_eq!(Tally::default().share(), None);
    }
}
