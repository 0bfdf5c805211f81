//! 双减 homework: what a class was set on one day, checked against its grade's limit
//! ([`crate::standards::homework`]), and the compliance of many class-days, summed before dividing.

use serde::Serialize;

use crate::grade::Grade;
use crate::standards::homework::{Limit, limit_for};

/// The most minutes one subject's homework of one day may be logged with: a typing slip, not a
/// limit (the limits are per class and day).
pub const MAX_ENTRY_MINUTES: u32 = 240;

/// Reads an estimated completion time in whole minutes (0–240).
pub fn parse_minutes(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let n: u32 = t.parse().map_err(|_| format!("预计用时“{t}”应为0到{MAX_ENTRY_MINUTES}之间的整数（分钟）"))?;
    if n > MAX_ENTRY_MINUTES {
        return Err(format!("预计用时{n}分钟超过单科上限{MAX_ENTRY_MINUTES}分钟，请核对"));
    }
    Ok(n)
}

/// One class's day against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayCheck {
    /// Estimated minutes of written homework, all subjects.
    pub written_minutes: u32,
    /// Subjects that set written homework.
    pub written_subjects: u32,
    pub limit: Option<Limit>,
    pub over: bool,
    /// Minutes beyond the limit (all of them where no written homework is allowed).
    pub excess: u32,
}

impl DayCheck {
    /// What the teacher and the principal read about the day.
    pub fn summary(&self, grade: Grade) -> String {
        let limit = self.limit.map(|l| l.label()).unwrap_or_else(|| "无全国统一上限".to_string());
        let state = if self.over { "，超出规定" } else { "，符合规定" };
        format!(
            "{}今日书面作业{}科、合计约{}分钟（{}：{}）{}",
            grade.name(),
            self.written_subjects,
            self.written_minutes,
            grade.name(),
            limit,
            if self.limit.is_some() { state } else { "" }
        )
    }
}

/// Checks a day of a class of `grade`, given each subject's (written, minutes). Only written
/// homework counts towards the limits; 阅读, 实践 and other non-written work does not.
pub fn check_day(grade: Grade, entries: impl IntoIterator<Item = (bool, u32)>) -> DayCheck {
    let (mut minutes, mut subjects) = (0u32, 0u32);
    for (written, m) in entries {
        if written {
            minutes += m;
            subjects += 1;
        }
    }
    let limit = limit_for(grade);
    let (over, excess) = match limit {
        Some(Limit::NoWritten) => (subjects > 0, minutes),
        Some(Limit::Minutes(max)) => (minutes > max, minutes.saturating_sub(max)),
        None => (false, 0),
    };
    DayCheck { written_minutes: minutes, written_subjects: subjects, limit, over, excess }
}

/// Logged class-days and those over the limit, summed over classes, schools and days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    pub class_days: u64,
    pub over_days: u64,
    pub written_minutes: u64,
}

impl Tally {
    pub fn add(&mut self, d: &DayCheck) {
        self.class_days += 1;
        self.over_days += u64::from(d.over);
        self.written_minutes += u64::from(d.written_minutes);
    }

    pub fn merge(&mut self, o: &Tally) {
        self.class_days += o.class_days;
        self.over_days += o.over_days;
        self.written_minutes += o.written_minutes;
    }

    /// 作业时长达标率: the share of logged class-days within their limit, in percent.
    pub fn compliance(&self) -> Option<f64> {
        (self.class_days > 0).then(|| (self.class_days - self.over_days) as f64 * 100.0 / self.class_days as f64)
    }

    /// Mean written minutes of a logged class-day.
    pub fn mean_minutes(&self) -> Option<f64> {
        (self.class_days > 0).then(|| self.written_minutes as f64 / self.class_days as f64)
    }
}

/// How the board's figures are counted, as pages and exports state them.
pub const KOUJING: &str = "口径：以任课教师每日登记的作业为准，按班级和日汇总书面作业预计完成时间；一二年级当日登记任何书面作业即为超出，三至六年级合计超过60分钟、初中超过90分钟为超出；达标率＝未超出的班级日数÷已登记的班级日数（先汇总分子分母再相除）。";

#[cfg(test)]
mod tests {
    use super::*;

    fn g(n: i8) -> Grade {
        Grade::new(n).expect("grade")
    }

    #[test]
    fn only_written_work_counts_and_the_limit_is_inclusive() {
        let d = check_day(g(4), [(true, 30), (true, 30), (false, 40)]);
        assert_eq!((d.written_minutes, d.written_subjects, d.over, d.excess), (60, 2, false, 0));
        let d = check_day(g(4), [(true, 30), (true, 31)]);
        assert_eq!((d.over, d.excess), (true, 1));
        let d = check_day(g(8), [(true, 90)]);
        assert!(!d.over);
        assert!(check_day(g(8), [(true, 91)]).over);
        assert_eq!(
            check_day(g(4), [(true, 45), (true, 30)]).summary(g(4)),
            "四年级今日书面作业2科、合计约75分钟（四年级：书面作业不超过60分钟），超出规定"
        );
    }

    #[test]
    fn grades_one_and_two_take_no_written_homework_at_all() {
        assert!(!check_day(g(2), [(false, 20)]).over, "reading is fine");
        let d = check_day(g(1), [(true, 0)]);
        assert!(d.over, "any written homework, even a moment's");
        assert_eq!(check_day(g(2), [(true, 10)]).excess, 10);
        assert!(!check_day(g(10), [(true, 200)]).over, "高中 has no national limit");
    }

    #[test]
    fn tallies_sum_before_dividing() {
        let mut a = Tally::default();
        a.add(&check_day(g(4), [(true, 70)]));
        a.add(&check_day(g(4), [(true, 50)]));
        let mut b = Tally::default();
        for _ in 0..8 {
            b.add(&check_day(g(7), [(true, 60)]));
        }
        a.merge(&b);
        assert_eq!((a.class_days, a.over_days), (10, 1));
        assert_eq!(a.compliance(), Some(90.0), "9 of 10 class-days, not the mean of 50 % and 100 %");
        assert_eq!(a.mean_minutes(), Some(60.0));
        assert_eq!(Tally::default().compliance(), None);
        assert_eq!(parse_minutes(" 45 "), Ok(45));
        assert!(parse_minutes("241").is_err() && parse_minutes("半小时").is_err());
    }
}
