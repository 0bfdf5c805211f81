//! 课后服务 and the school day: a school's plan for the term checked against the rules
//! ([`crate::standards::schedule`]), and coverage and participation summed before dividing.

use serde::{Deserialize, Serialize};

use crate::grade::Stage;
use crate::standards::schedule::{clock, earliest_start};

/// A school's day and after-school service for a term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// First lesson, minutes after midnight.
    pub morning_start: u32,
    /// School days a week with 课后服务 (0 = none).
    pub service_days: u8,
    /// End of 课后服务, minutes after midnight.
    pub service_end: Option<u32>,
    /// 作业辅导, 社团, 托管 …
    pub activities: String,
}

impl Plan {
    /// “8:20”.
    pub fn start_label(&self) -> String {
        clock(self.morning_start)
    }

    /// “17:45”, or nothing without service.
    pub fn end_label(&self) -> String {
        self.service_end.map(clock).unwrap_or_default()
    }

    /// Service on every school day (the 覆盖 of 课后服务覆盖率).
    pub fn covers(&self) -> bool {
        self.service_days >= 5 && self.service_end.is_some()
    }

    /// The first lesson keeps the latest line of the school's stages (教基厅函〔2021〕11号).
    pub fn start_ok(&self, stages: &[Stage]) -> bool {
        stages.iter().filter_map(|s| earliest_start(*s)).max().is_none_or(|e| self.morning_start >= e)
    }

    /// What the plan breaks, for a school of `stages` where the district's end of work is `end_rule`.
    pub fn flags(&self, stages: &[Stage], end_rule: u32) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(earliest) = stages.iter().filter_map(|s| earliest_start(*s)).max()
            && !self.start_ok(stages)
        {
            out.push(format!("上午上课时间{}早于{}", clock(self.morning_start), clock(earliest)));
        }
        if self.service_days < 5 {
            out.push(format!("课后服务每周{}天，未覆盖全部上学日", self.service_days));
        }
        if let Some(end) = self.service_end
            && end < end_rule
        {
            out.push(format!("课后服务结束时间{}早于本地下班时间{}", clock(end), clock(end_rule)));
        }
        out
    }
}

/// One class's 课后服务 on one day, as the school records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSession {
    pub class_id: i64,
    /// Pupils who came.
    pub attended: u32,
    /// The class's sign-ups of the term when the session was recorded.
    pub signed_up: u32,
    /// The staff on duty (看班教师, 社团指导), as named by the school.
    pub staff: String,
    /// When it actually ended, minutes after midnight.
    pub ended: u32,
}

impl ServiceSession {
    pub fn end_label(&self) -> String {
        clock(self.ended)
    }
}

/// Sessions held, summed over classes and days: 到课率 = Σ pupils who came ÷ Σ pupils signed up of
/// the classes that held a session; an early end is one before the district's end of work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTally {
    /// Class-sessions held.
    pub sessions: u64,
    /// School days with at least one session.
    pub days: u64,
    pub attended: u64,
    pub signed_up: u64,
    /// Class-sessions that ended before the district's end of work.
    pub early: u64,
}

impl SessionTally {
    /// 到课率 in percent.
    pub fn attendance(&self) -> Option<f64> {
        (self.signed_up > 0).then(|| self.attended as f64 * 100.0 / self.signed_up as f64)
    }

    pub fn add(&mut self, o: &SessionTally) {
        self.sessions += o.sessions;
        self.days += o.days;
        self.attended += o.attended;
        self.signed_up += o.signed_up;
        self.early += o.early;
    }
}

/// 课后服务参与率: pupils signed up over pupils on roll, in percent.
pub fn participation(signed_up: u64, on_roll: u64) -> Option<f64> {
    (on_roll > 0).then(|| signed_up as f64 * 100.0 / on_roll as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(start: u32, days: u8, end: Option<u32>) -> Plan {
        Plan { morning_start: start, service_days: days, service_end: end, activities: "作业辅导、社团".into() }
    }

    #[test]
    fn flags_at_the_lines() {
        let rule = 17 * 60 + 30;
        assert!(plan(8 * 60 + 20, 5, Some(rule)).flags(&[Stage::Primary], rule).is_empty());
        assert!(plan(8 * 60 + 20, 5, Some(rule)).covers());
        let f = plan(8 * 60 + 19, 4, Some(rule - 1)).flags(&[Stage::Primary], rule);
        assert_eq!(
            f,
            [
                "上午上课时间8:19早于8:20",
                "课后服务每周4天，未覆盖全部上学日",
                "课后服务结束时间17:29早于本地下班时间17:30"
            ]
        );
        assert!(plan(8 * 60, 5, Some(rule)).flags(&[Stage::Junior], rule).is_empty(), "初中 from 8:00");
        assert_eq!(
            plan(8 * 60, 5, Some(rule)).flags(&[Stage::Primary, Stage::Junior], rule).len(),
            1,
            "a 九年一贯制 keeps the later line"
        );
        assert!(!plan(8 * 60 + 30, 5, None).covers());
        assert!(
            plan(8 * 60 + 20, 5, None).start_ok(&[Stage::Primary])
                && !plan(8 * 60 + 19, 5, None).start_ok(&[Stage::Primary])
        );
        assert_eq!(participation(45, 50), Some(90.0));
        let mut t = SessionTally { sessions: 2, days: 1, attended: 70, signed_up: 80, early: 1 };
        t.add(&SessionTally { sessions: 1, days: 1, attended: 20, signed_up: 20, early: 0 });
        assert_eq!((t.sessions, t.days, t.early), (3, 2, 1));
        assert_eq!(t.attendance(), Some(90.0), "90 of 100 summed before dividing, not the mean of 87.5 and 100");
        assert_eq!(SessionTally::default().attendance(), None);
        assert_eq!(participation(0, 0), None);
    }
}
