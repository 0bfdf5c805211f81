//! 课题 (teaching research projects): 立项 → 开题 → 中期检查 → 结题, or 撤项 at any stage, each
//! step with its day; a project counts as running from its 立项 to its 结题 or 撤项.

use chrono::NaiveDate;
use serde::Serialize;

use crate::CoreError;

crate::labelled_enum! {
    ProjectLevel, "课题级别" {
        National => "national", "国家级";
        Province => "province", "省级";
        City => "city", "市级";
        County => "county", "区级" | "县级" | "县（区）级";
        School => "school", "校级";
    }
}

crate::labelled_enum! {
    Stage, "课题阶段" {
        Approved => "approved", "立项";
        Opened => "opened", "开题";
        Midterm => "midterm", "中期检查" | "中期";
        Concluded => "concluded", "结题";
        Terminated => "terminated", "撤项";
    }
}

crate::labelled_enum! {
    /// 结题鉴定等级.
    Verdict, "结题等级" {
        Excellent => "excellent", "优秀";
        Good => "good", "良好";
        Pass => "pass", "合格";
    }
}

impl Stage {
    /// The stage that follows in order (none after 结题 or 撤项).
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Approved => Some(Stage::Opened),
            Stage::Opened => Some(Stage::Midterm),
            Stage::Midterm => Some(Stage::Concluded),
            Stage::Concluded | Stage::Terminated => None,
        }
    }
}

/// The words users read for the kinds of history events the store records.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "approved" => "立项",
        "opened" => "开题",
        "midterm" => "中期检查",
        "concluded" => "结题",
        "terminated" => "撤项",
        "members" => "成员变更",
        _ => "其他",
    }
}

/// A project's stage and the day of each step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Project {
    pub stage: Stage,
    pub approved_on: NaiveDate,
    pub opened_on: Option<NaiveDate>,
    pub midterm_on: Option<NaiveDate>,
    pub concluded_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
}

impl Project {
    pub fn approved(on: NaiveDate) -> Project {
        Project {
            stage: Stage::Approved,
            approved_on: on,
            opened_on: None,
            midterm_on: None,
            concluded_on: None,
            ended_on: None,
        }
    }

    /// The day of the latest step.
    fn last_day(&self) -> NaiveDate {
        [self.approved_on]
            .into_iter()
            .chain(self.opened_on)
            .chain(self.midterm_on)
            .chain(self.concluded_on)
            .chain(self.ended_on)
            .max()
            .unwrap_or(self.approved_on)
    }

    /// Moves to `to` on `day`: the next stage in order, or 撤项 from any open stage; never before
    /// the previous step.
    pub fn advance(&mut self, to: Stage, day: NaiveDate) -> Result<(), CoreError> {
        let allowed = to == Stage::Terminated && self.stage.next().is_some() || self.stage.next() == Some(to);
        if !allowed {
            return Err(CoreError::Invalid(format!("课题处于“{}”阶段，不能进入“{}”", self.stage.label(), to.label())));
        }
        if day < self.last_day() {
            return Err(CoreError::Invalid(format!("{}日期{day}早于上一阶段（{}）", to.label(), self.last_day())));
        }
        match to {
            Stage::Opened => self.opened_on = Some(day),
            Stage::Midterm => self.midterm_on = Some(day),
            Stage::Concluded => self.concluded_on = Some(day),
            Stage::Terminated => self.ended_on = Some(day),
            Stage::Approved => {}
        }
        self.stage = to;
        Ok(())
    }

    /// Running at some time between `from` and `to` (both included): approved by `to`, not
    /// concluded or ended before `from`.
    pub fn running_between(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let end = self.concluded_on.or(self.ended_on);
        self.approved_on <= to && end.is_none_or(|e| e >= from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn stages_follow_in_order_and_in_time() {
        let mut p = Project::approved(d(2025, 3, 1));
        let e = p.advance(Stage::Midterm, d(2025, 9, 1)).expect_err("skips 开题");
        assert_eq!(e.to_string(), "课题处于“立项”阶段，不能进入“中期检查”");
        assert!(p.advance(Stage::Opened, d(2025, 2, 28)).is_err(), "before 立项");
        p.advance(Stage::Opened, d(2025, 3, 1)).expect("same day");
        p.advance(Stage::Midterm, d(2025, 12, 1)).expect("中期");
        p.advance(Stage::Concluded, d(2026, 12, 1)).expect("结题");
        assert!(p.advance(Stage::Terminated, d(2027, 1, 1)).is_err(), "closed");
        assert_eq!(Stage::parse("中期").expect("stage"), Stage::Midterm);
    }

    #[test]
    fn running_is_from_approval_to_the_end_both_days_included() {
        let mut p = Project::approved(d(2025, 3, 1));
        assert!(!p.running_between(d(2024, 9, 1), d(2025, 2, 28)));
        assert!(p.running_between(d(2024, 9, 1), d(2025, 3, 1)));
        p.advance(Stage::Terminated, d(2025, 8, 31)).expect("撤项");
        assert!(p.running_between(d(2025, 8, 31), d(2026, 1, 31)), "ended on the first day");
        assert!(!p.running_between(d(2025, 9, 1), d(2026, 1, 31)));
    }
}
