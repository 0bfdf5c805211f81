//! 督导 problems and safety hazards: 问题清单 → 整改 → 复查 → 销号. A problem is raised with a
//! deadline, the school answers with a 整改报告 and evidence, the inspector's 复查 passes it (and
//! asks for 销号) or returns it with a reason, and a second person confirms the 销号. The steps,
//! evidence and two-person rule are the shared [`crate::casework`]; these are the problem's own
//! states.

use chrono::NaiveDate;
use serde::Serialize;

use crate::CoreError;
use crate::casework::{self, Closing};
use crate::standards::supervision::{INTERVIEW_AFTER_DAYS, NOTIFY_AFTER_DAYS, RECTIFY_DAYS};

crate::labelled_enum! {
    /// What was found: a problem of a 督导 (against a rubric item) or a safety hazard (安全隐患排查).
    ProblemKind, "问题类别" {
        Supervision => "supervision", "督导问题";
        Hazard => "hazard", "安全隐患";
    }
}

crate::labelled_enum! {
    /// How grave a problem is; it sets the default deadline. Hazards' 较大/重大 read as 较重/严重.
    Severity, "严重程度" {
        General => "general", "一般";
        Serious => "serious", "较重" | "较大";
        Severe => "severe", "严重" | "重大";
    }
}

impl Severity {
    /// The default days to rectify ([`RECTIFY_DAYS`]).
    pub fn rectify_days(self) -> i64 {
        RECTIFY_DAYS.iter().find(|(k, _)| *k == self.key()).map_or(30, |(_, d)| *d)
    }
}

crate::labelled_enum! {
    ProblemState, "整改状态" {
        Open => "open", "待整改";
        Submitted => "submitted", "待复查";
        PendingClose => "pending_close", "待确认销号";
        Closed => "closed", "已销号";
    }
}

crate::labelled_enum! {
    /// What an overdue problem leads to.
    Escalation, "督办措施" {
        Interview => "interview", "约谈";
        Notify => "notify", "通报";
    }
}

/// The words users read for the kinds of problem events the store records.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "raise" => "下达整改通知",
        "deadline" => "调整整改期限",
        "submit" => "提交整改报告",
        "review_pass" => "复查通过",
        "review_return" => "复查退回",
        "confirm_close" => "确认销号",
        "reject_close" => "退回销号",
        _ => "其他",
    }
}

/// The SHA-256 of what makes two problems the same: the school, kind, domain, item, description
/// and the day raised (a file imported again, or an export of the register, adds nothing).
pub fn problem_key(
    school_code: &str,
    kind: ProblemKind,
    domain: &str,
    item: &str,
    description: &str,
    on: NaiveDate,
) -> String {
    let text =
        [school_code, kind.key(), domain.trim(), item.trim(), description.trim(), &on.to_string()].join("\u{1f}");
    crate::digest::sha256_hex(text.as_bytes())
}

/// A problem as the rules see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub severity: Severity,
    pub state: ProblemState,
    pub raised_on: NaiveDate,
    pub deadline: NaiveDate,
    /// The 整改报告 waiting for 复查 (or the one that passed).
    pub submitted_on: Option<NaiveDate>,
    /// The date of the 整改报告 that passed 复查: the problem was rectified then.
    pub rectified_on: Option<NaiveDate>,
    /// Times 复查 sent the school's answer back.
    pub returns: u32,
    pub evidence: u32,
    pub closing: Closing,
}

fn invalid(m: impl Into<String>) -> CoreError {
    CoreError::Invalid(m.into())
}

impl Problem {
    /// Raises a problem on `on`; without a deadline, the severity's default applies.
    pub fn raise(
        kind: ProblemKind,
        severity: Severity,
        on: NaiveDate,
        deadline: Option<NaiveDate>,
    ) -> Result<Problem, CoreError> {
        let deadline = deadline.unwrap_or_else(|| casework::deadline(on, severity.rectify_days()));
        if deadline < on {
            return Err(invalid(format!("整改期限{deadline}早于下达日期{on}")));
        }
        Ok(Problem {
            kind,
            severity,
            state: ProblemState::Open,
            raised_on: on,
            deadline,
            submitted_on: None,
            rectified_on: None,
            returns: 0,
            evidence: 0,
            closing: Closing::default(),
        })
    }

    /// A new deadline (the inspector extends or shortens it) while the problem is not rectified.
    pub fn set_deadline(&mut self, deadline: NaiveDate) -> Result<(), CoreError> {
        if !matches!(self.state, ProblemState::Open | ProblemState::Submitted) {
            return Err(invalid(format!("问题当前为“{}”，不能再调整期限", self.state.label())));
        }
        if deadline < self.raised_on {
            return Err(invalid(format!("整改期限{deadline}早于下达日期{}", self.raised_on)));
        }
        self.deadline = deadline;
        Ok(())
    }

    /// The school's 整改报告, with at least one evidence file.
    pub fn submit(&mut self, on: NaiveDate, today: NaiveDate) -> Result<(), CoreError> {
        if self.state != ProblemState::Open {
            return Err(invalid(format!("问题当前为“{}”，不能提交整改报告", self.state.label())));
        }
        if on > today || on < self.raised_on {
            return Err(invalid(format!("整改完成日期{on}应在下达日期{}与今天之间", self.raised_on)));
        }
        if self.evidence == 0 {
            return Err(invalid("提交整改报告前请上传整改佐证材料（照片、制度文件等）"));
        }
        self.state = ProblemState::Submitted;
        self.submitted_on = Some(on);
        Ok(())
    }

    /// The inspector's 复查: passing it asks for 销号 in the reviewer's name; returning it sends
    /// the problem back to the school.
    pub fn review(&mut self, by: &str, pass: bool) -> Result<(), CoreError> {
        if self.state != ProblemState::Submitted {
            return Err(invalid("只有待复查的问题可以复查"));
        }
        if pass {
            self.closing.request(by)?;
            self.rectified_on = self.submitted_on;
            self.state = ProblemState::PendingClose;
        } else {
            self.returns += 1;
            self.submitted_on = None;
            self.state = ProblemState::Open;
        }
        Ok(())
    }

    /// The second person (督导室) confirms the 销号, or sends it back for another 复查.
    pub fn confirm_close(&mut self, by: &str, approve: bool) -> Result<(), CoreError> {
        if self.state != ProblemState::PendingClose {
            return Err(invalid("问题未申请销号"));
        }
        if self.closing.confirm(by, approve)? {
            self.state = ProblemState::Closed;
        } else {
            self.rectified_on = None;
            self.state = ProblemState::Submitted;
        }
        Ok(())
    }

    /// Days past the deadline while the school has not answered (0 otherwise).
    pub fn days_overdue(&self, today: NaiveDate) -> i64 {
        if self.state == ProblemState::Open { casework::days_overdue(self.deadline, today) } else { 0 }
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.days_overdue(today) > 0
    }

    /// What an overdue problem leads to: 约谈 from the first day overdue, 通报 from
    /// [`NOTIFY_AFTER_DAYS`].
    pub fn escalation(&self, today: NaiveDate) -> Option<Escalation> {
        match self.days_overdue(today) {
            d if d >= NOTIFY_AFTER_DAYS => Some(Escalation::Notify),
            d if d >= INTERVIEW_AFTER_DAYS => Some(Escalation::Interview),
            _ => None,
        }
    }

    /// Rectified, and on time (the passing 整改报告 dated on or before the deadline).
    pub fn rectified_on_time(&self) -> Option<bool> {
        self.rectified_on.map(|d| d <= self.deadline)
    }
}

/// The figures of a problem register (问题清单) on a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    pub total: u32,
    pub open: u32,
    pub awaiting_review: u32,
    pub awaiting_close: u32,
    pub closed: u32,
    pub overdue: u32,
    /// Rectified: passed 复查 (waiting for or past 销号).
    pub rectified: u32,
    /// Problems whose deadline has passed by the day (or that were rectified before it).
    pub due: u32,
    /// Of those, rectified by the deadline.
    pub on_time: u32,
}

impl Tally {
    pub fn add(&mut self, p: &Problem, today: NaiveDate) {
        self.total += 1;
        match p.state {
            ProblemState::Open => self.open += 1,
            ProblemState::Submitted => self.awaiting_review += 1,
            ProblemState::PendingClose => self.awaiting_close += 1,
            ProblemState::Closed => self.closed += 1,
        }
        if p.is_overdue(today) {
            self.overdue += 1;
        }
        if p.rectified_on.is_some() {
            self.rectified += 1;
        }
        if p.deadline < today || p.rectified_on.is_some() {
            self.due += 1;
            if p.rectified_on_time() == Some(true) {
                self.on_time += 1;
            }
        }
    }

    /// 整改率 (per cent): problems rectified over problems raised.
    pub fn rectify_rate(&self) -> Option<f64> {
        (self.total > 0).then(|| f64::from(self.rectified) / f64::from(self.total) * 100.0)
    }

    /// 按期整改率 (per cent): problems rectified by their deadline over problems due.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.due > 0).then(|| f64::from(self.on_time) / f64::from(self.due) * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    #[test]
    fn default_deadlines_follow_severity() {
        let on = d(9, 1);
        let p = |s| Problem::raise(ProblemKind::Supervision, s, on, None).expect("raise").deadline;
        assert_eq!(p(Severity::Severe), d(9, 8));
        assert_eq!(p(Severity::Serious), d(9, 16));
        assert_eq!(p(Severity::General), d(10, 1));
        assert!(Problem::raise(ProblemKind::Hazard, Severity::General, on, Some(d(8, 31))).is_err());
        assert_eq!(Severity::parse("重大").expect("hazard wording"), Severity::Severe);
        assert_eq!(Severity::parse("较大").expect("hazard wording"), Severity::Serious);
    }

    #[test]
    fn a_problem_goes_from_notice_to_close_with_a_second_person() {
        let mut p = Problem::raise(ProblemKind::Supervision, Severity::Serious, d(9, 1), None).expect("raise");
        assert!(p.submit(d(9, 5), d(9, 5)).unwrap_err().to_string().contains("佐证"));
        p.evidence = 1;
        assert!(p.submit(d(9, 6), d(9, 5)).is_err(), "a future date");
        assert!(p.submit(d(8, 31), d(9, 5)).is_err(), "before the notice");
        p.submit(d(9, 5), d(9, 5)).expect("submitted");
        assert!(p.submit(d(9, 5), d(9, 5)).is_err(), "once");
        p.review("insp", false).expect("returned");
        assert_eq!((p.state, p.returns, p.submitted_on), (ProblemState::Open, 1, None));
        p.submit(d(9, 20), d(9, 20)).expect("again, after the deadline of 9-16");
        p.review("insp", true).expect("passed");
        assert_eq!(p.state, ProblemState::PendingClose);
        assert_eq!(p.rectified_on_time(), Some(false), "rectified after the deadline");
        assert!(p.confirm_close("insp", true).unwrap_err().to_string().contains("另一人"));
        p.confirm_close("lead", false).expect("sent back");
        assert_eq!((p.state, p.rectified_on), (ProblemState::Submitted, None));
        p.review("insp", true).expect("passed again");
        p.confirm_close("lead", true).expect("closed");
        assert_eq!(p.state, ProblemState::Closed);
        assert!(p.set_deadline(d(12, 1)).is_err(), "closed problems keep their deadline");
        assert!(p.review("insp", true).is_err());
    }

    #[test]
    fn overdue_problems_escalate_at_each_threshold() {
        let mut p = Problem::raise(ProblemKind::Hazard, Severity::Severe, d(9, 1), None).expect("raise");
        let due = p.deadline;
        let after = |n: u64| due + chrono::Days::new(n);
        assert_eq!(p.escalation(due), None, "due today");
        assert_eq!(p.escalation(after(INTERVIEW_AFTER_DAYS as u64)), Some(Escalation::Interview));
        assert_eq!(p.escalation(after(NOTIFY_AFTER_DAYS as u64 - 1)), Some(Escalation::Interview));
        assert_eq!(p.escalation(after(NOTIFY_AFTER_DAYS as u64)), Some(Escalation::Notify));
        p.evidence = 1;
        p.submit(after(40), after(40)).expect("answered");
        assert_eq!(p.escalation(after(41)), None, "answered problems wait for 复查, not the school");
        p.set_deadline(d(9, 2)).expect("deadline moved while waiting");
        assert!(p.set_deadline(d(8, 1)).is_err());
    }

    #[test]
    fn rates_count_raised_and_due_problems() {
        let today = d(10, 1);
        let mk = |deadline: NaiveDate, rectified: Option<NaiveDate>| {
            let mut p =
                Problem::raise(ProblemKind::Supervision, Severity::General, d(9, 1), Some(deadline)).expect("raise");
            if let Some(r) = rectified {
                p.evidence = 1;
                p.submit(r, today).expect("submit");
                p.review("i", true).expect("pass");
            }
            p
        };
        let mut t = Tally::default();
        for p in [
            mk(d(9, 10), Some(d(9, 10))),  // on time, on the deadline
            mk(d(9, 10), Some(d(9, 11))),  // late
            mk(d(9, 10), None),            // overdue
            mk(d(10, 1), None),            // due today: not yet due, not overdue
            mk(d(10, 20), Some(d(9, 20))), // early: rectified before it was due
        ] {
            t.add(&p, today);
        }
        assert_eq!((t.total, t.rectified, t.due, t.on_time, t.overdue, t.open), (5, 3, 4, 2, 1, 2));
        assert_eq!(t.rectify_rate(), Some(60.0));
        assert_eq!(t.on_time_rate(), Some(50.0));
        assert_eq!(Tally::default().rectify_rate(), None);
    }
}
