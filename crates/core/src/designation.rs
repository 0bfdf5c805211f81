//! 四级培养 and 名师: a teacher is nominated for a title (教坛新秀, 骨干教师, 学科带头人, 名师, 名班主任,
//! 名校长), scored by a panel, publicly noticed (公示), designated for a term, assessed each year,
//! and renewed or removed. The rules (term, panel, pass mark, notice) are
//! [`crate::standards::designation`]; the states and steps are here so that every page and test
//! follows the same path.

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::CoreError;
use crate::standards::designation as rules;
use crate::teacher::Tier;

crate::labelled_enum! {
    /// The titles a district designates.
    Honour, "称号" {
        Rising => "rising", "教坛新秀";
        Backbone => "backbone", "骨干教师";
        Leader => "leader", "学科带头人";
        Master => "master", "名师";
        MasterHeadTeacher => "master_head_teacher", "名班主任";
        MasterPrincipal => "master_principal", "名校长";
    }
}

impl Honour {
    /// The rung of the teaching ladder (四级培养) the title puts a teacher on; 名班主任 and 名校长
    /// are designations beside the ladder.
    pub fn tier(self) -> Option<Tier> {
        match self {
            Honour::Rising => Some(Tier::Rising),
            Honour::Backbone => Some(Tier::Backbone),
            Honour::Leader | Honour::Master => Some(Tier::Master),
            Honour::MasterHeadTeacher | Honour::MasterPrincipal => None,
        }
    }
}

crate::labelled_enum! {
    /// Who designates: the county, the city or the province.
    Level, "认定级别" {
        County => "county", "区级" | "县级" | "县（区）级";
        City => "city", "市级";
        Province => "province", "省级";
    }
}

crate::labelled_enum! {
    State, "认定状态" {
        Nominated => "nominated", "待评审";
        Notice => "notice", "公示中";
        Designated => "designated", "已认定";
        NotPassed => "not_passed", "未通过";
        Removed => "removed", "已撤销";
    }
}

crate::labelled_enum! {
    /// 年度考核 of a designated teacher.
    Assessment, "年度考核" {
        Excellent => "excellent", "优秀";
        Pass => "pass", "合格";
        Basic => "basic", "基本合格";
        Fail => "fail", "不合格";
    }
}

/// The words users read for the kinds of history events the store records.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "nominate" => "推荐",
        "score" => "评委打分",
        "review" => "评审结论",
        "object" => "公示异议成立",
        "designate" => "认定",
        "assess" => "年度考核",
        "renew" => "续任",
        "remove" => "撤销",
        _ => "其他",
    }
}

/// Where a designation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Designation {
    pub state: State,
    /// The last day of the 公示.
    pub notice_until: Option<NaiveDate>,
    pub designated_on: Option<NaiveDate>,
    /// The last day of the term.
    pub term_end: Option<NaiveDate>,
    pub removed_on: Option<NaiveDate>,
}

/// A panel's review: how many judges scored and their mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Review {
    pub judges: usize,
    pub mean: Option<f64>,
}

impl Review {
    pub fn of(scores: &[f64]) -> Review {
        let mean = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
        Review { judges: scores.len(), mean }
    }

    /// Enough judges, and a mean at the pass mark or above.
    pub fn passes(&self) -> bool {
        self.judges >= rules::PANEL_MIN && self.mean.is_some_and(|m| m >= rules::PASS_MARK)
    }
}

/// A judge's score as typed: a number from 0 to 100.
pub fn parse_score(raw: &str) -> Result<f64, CoreError> {
    match raw.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(CoreError::Invalid(format!("评分“{}”应为0–100之间的数", raw.trim()))),
    }
}

/// The last day of a term that starts on `from`.
pub fn term_end(from: NaiveDate) -> NaiveDate {
    from.checked_add_months(Months::new(rules::TERM_YEARS * 12)).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

fn wrong(d: &Designation, doing: &str) -> CoreError {
    CoreError::Invalid(format!("当前状态为“{}”，不能{doing}", d.state.label()))
}

impl Designation {
    pub fn nominated() -> Designation {
        Designation {
            state: State::Nominated,
            notice_until: None,
            designated_on: None,
            term_end: None,
            removed_on: None,
        }
    }

    /// Holds the title on `day`: designated by then, within the term, not removed by then.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        matches!(self.state, State::Designated | State::Removed)
            && self.designated_on.is_some_and(|d| d <= day)
            && self.term_end.is_some_and(|e| day <= e)
            && self.removed_on.is_none_or(|r| day < r)
    }

    /// The state as users read it on `today`: a designation past its term reads 期满.
    pub fn status(&self, today: NaiveDate) -> &'static str {
        match (self.state, self.term_end) {
            (State::Designated, Some(e)) if e < today => "期满",
            (s, _) => s.label(),
        }
    }

    /// Closes the panel's review: to 公示 when it passes, 未通过 when it does not.
    pub fn conclude_review(&mut self, review: &Review, today: NaiveDate) -> Result<bool, CoreError> {
        if self.state != State::Nominated {
            return Err(wrong(self, "作出评审结论"));
        }
        if review.judges < rules::PANEL_MIN {
            return Err(CoreError::Invalid(format!(
                "评审须至少{}位评委打分，现有{}位",
                rules::PANEL_MIN,
                review.judges
            )));
        }
        if review.passes() {
            self.state = State::Notice;
            self.notice_until = Some(today + chrono::Days::new(rules::NOTICE_DAYS - 1));
            Ok(true)
        } else {
            self.state = State::NotPassed;
            Ok(false)
        }
    }

    /// An objection raised during the 公示 and found to hold: the nomination fails.
    pub fn uphold_objection(&mut self) -> Result<(), CoreError> {
        if self.state != State::Notice {
            return Err(wrong(self, "登记公示异议"));
        }
        self.state = State::NotPassed;
        Ok(())
    }

    /// Designates once the 公示 is over, for a term from `today`.
    pub fn designate(&mut self, today: NaiveDate) -> Result<(), CoreError> {
        if self.state != State::Notice {
            return Err(wrong(self, "认定"));
        }
        if let Some(until) = self.notice_until.filter(|u| today <= *u) {
            return Err(CoreError::Invalid(format!("公示期至{until}，期满后方可认定")));
        }
        self.state = State::Designated;
        self.designated_on = Some(today);
        self.term_end = Some(term_end(today));
        Ok(())
    }

    fn in_term(&self, today: NaiveDate, doing: &str) -> Result<(), CoreError> {
        if self.state != State::Designated {
            return Err(wrong(self, doing));
        }
        if self.term_end.is_some_and(|e| e < today) {
            return Err(CoreError::Invalid(format!("任期已满，不能{doing}")));
        }
        Ok(())
    }

    /// Records a year's assessment; a failed one removes the title (returns `true` then).
    pub fn assess(&mut self, result: Assessment, today: NaiveDate) -> Result<bool, CoreError> {
        self.in_term(today, "年度考核")?;
        if result == Assessment::Fail {
            self.state = State::Removed;
            self.removed_on = Some(today);
            return Ok(true);
        }
        Ok(false)
    }

    /// Removes the title (with a reason the caller records).
    pub fn remove(&mut self, today: NaiveDate) -> Result<(), CoreError> {
        if self.state != State::Designated {
            return Err(wrong(self, "撤销"));
        }
        self.state = State::Removed;
        self.removed_on = Some(today);
        Ok(())
    }

    /// Renews for another term from the end of this one: within the last
    /// [`rules::RENEWAL_WINDOW_DAYS`] of the term or after it, and only with an assessment on
    /// record (a failed year has already removed the title).
    pub fn renew(&mut self, assessed: &[Assessment], today: NaiveDate) -> Result<(), CoreError> {
        if self.state != State::Designated {
            return Err(wrong(self, "续任"));
        }
        let Some(end) = self.term_end else { return Err(wrong(self, "续任")) };
        if (end - today).num_days() > rules::RENEWAL_WINDOW_DAYS {
            return Err(CoreError::Invalid(format!("任期至{end}，到期前{}天内方可续任", rules::RENEWAL_WINDOW_DAYS)));
        }
        if assessed.is_empty() {
            return Err(CoreError::Invalid("任期内没有年度考核结果，不能续任".into()));
        }
        self.term_end = Some(term_end(end + chrono::Days::new(1)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn scores(v: &[f64]) -> Review {
        Review::of(v)
    }

    #[test]
    fn the_path_from_nomination_to_a_term() {
        let mut x = Designation::nominated();
        assert!(x.designate(d(2026, 3, 1)).is_err(), "not before the review");
        let e = x.conclude_review(&scores(&[90.0, 85.0]), d(2026, 3, 1)).expect_err("two judges");
        assert_eq!(e.to_string(), "评审须至少3位评委打分，现有2位");
        assert!(x.conclude_review(&scores(&[90.0, 85.0, 65.0]), d(2026, 3, 1)).expect("three"));
        assert_eq!((x.state, x.notice_until), (State::Notice, Some(d(2026, 3, 7))), "7 days, 1–7 March");
        assert_eq!(
            x.designate(d(2026, 3, 7)).expect_err("still noticed").to_string(),
            "公示期至2026-03-07，期满后方可认定"
        );
        x.designate(d(2026, 3, 8)).expect("after the notice");
        assert_eq!(x.term_end, Some(d(2029, 3, 7)), "three years, the last day included");
        assert!(!x.active_on(d(2026, 3, 7)) && x.active_on(d(2026, 3, 8)) && x.active_on(d(2029, 3, 7)));
        assert!(!x.active_on(d(2029, 3, 8)));
        assert_eq!((x.status(d(2029, 3, 7)), x.status(d(2029, 3, 8))), ("已认定", "期满"));
    }

    #[test]
    fn the_pass_mark_boundary() {
        assert!(scores(&[80.0, 80.0, 80.0]).passes(), "exactly the pass mark");
        assert!(!scores(&[80.0, 80.0, 79.97]).passes());
        assert!(!scores(&[100.0, 100.0]).passes(), "too few judges");
        let mut x = Designation::nominated();
        assert!(!x.conclude_review(&scores(&[70.0, 80.0, 80.0]), d(2026, 3, 1)).expect("reviewed"));
        assert_eq!(x.state, State::NotPassed);
        assert!(x.conclude_review(&scores(&[90.0; 3]), d(2026, 3, 1)).is_err(), "once");
        assert_eq!(parse_score(" 100 ").expect("ok"), 100.0);
        assert!(parse_score("100.5").is_err() && parse_score("-1").is_err() && parse_score("九十").is_err());
    }

    #[test]
    fn an_objection_fails_the_nomination() {
        let mut x = Designation::nominated();
        assert!(x.uphold_objection().is_err());
        x.conclude_review(&scores(&[90.0; 3]), d(2026, 3, 1)).expect("pass");
        x.uphold_objection().expect("during the notice");
        assert_eq!(x.state, State::NotPassed);
        assert!(x.designate(d(2026, 4, 1)).is_err());
    }

    fn designated() -> Designation {
        let mut x = Designation::nominated();
        x.conclude_review(&scores(&[90.0; 3]), d(2026, 3, 1)).expect("pass");
        x.designate(d(2026, 3, 8)).expect("designated");
        x
    }

    #[test]
    fn a_failed_year_removes_the_title_from_that_day() {
        let mut x = designated();
        assert!(!x.assess(Assessment::Pass, d(2027, 1, 10)).expect("a good year"));
        assert!(x.assess(Assessment::Fail, d(2028, 1, 10)).expect("a bad year"));
        assert_eq!((x.state, x.removed_on), (State::Removed, Some(d(2028, 1, 10))));
        assert!(x.active_on(d(2028, 1, 9)) && !x.active_on(d(2028, 1, 10)), "held until the removal");
        assert!(x.assess(Assessment::Pass, d(2028, 2, 1)).is_err() && x.remove(d(2028, 2, 1)).is_err());
    }

    #[test]
    fn renewal_only_near_the_end_and_after_assessments() {
        let mut x = designated();
        let e = x.renew(&[Assessment::Pass], d(2028, 12, 6)).expect_err("too early");
        assert_eq!(e.to_string(), "任期至2029-03-07，到期前90天内方可续任");
        assert!(x.renew(&[], d(2028, 12, 7)).is_err(), "no assessment on record");
        x.renew(&[Assessment::Pass, Assessment::Excellent], d(2028, 12, 7)).expect("90 days before");
        assert_eq!(x.term_end, Some(d(2032, 3, 7)), "the next term follows on");
        assert!(x.assess(Assessment::Pass, d(2032, 3, 8)).is_err(), "past the term");
        let mut removed = designated();
        removed.remove(d(2027, 5, 1)).expect("removed");
        assert!(removed.renew(&[Assessment::Pass], d(2029, 3, 1)).is_err());
    }

    #[test]
    fn titles_map_to_the_ladder() {
        assert_eq!(Honour::Leader.tier(), Some(Tier::Master));
        assert_eq!(Honour::MasterHeadTeacher.tier(), None);
        assert_eq!(Level::parse("县级").expect("county"), Level::County);
        assert_eq!(Honour::parse("名班主任").expect("title"), Honour::MasterHeadTeacher);
        assert_eq!(event_label("designate"), "认定");
    }
}
