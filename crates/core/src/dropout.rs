//! 控辍保学 beyond the roll: the explainable risk score, and the life of a 劝返 case from 疑似辍学 to
//! 销号. Pure rules; the store records what they decide.
//!
//! Weights, step deadlines and the follow-up period are eduq's defaults, chosen to follow the
//! practice the plans describe (three unexcused days reported, 劝返 escalated from the school to the
//! township, the county and finally 依法劝返); they are settings, not a national standard.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::attendance::{Status, Tally};
use crate::casework::Closing;
use crate::student::SpecialFlags;

/// One contribution to a pupil's risk score, shown next to the total so that users see why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    pub label: &'static str,
    pub points: u32,
    pub detail: String,
}

/// The weights of the score. Attendance factors come from the roll; the record factors from the
/// pupil's file (sensitive: only roles that read special groups get them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Current 旷课 streak at or above the warning threshold.
    pub streak: u32,
    /// Per 旷课 day in the last 30 school days, capped at `recent_cap`.
    pub recent_day: u32,
    pub recent_cap: u32,
    /// Term absence rate at or above `absence_rate` (any reason).
    pub absence: u32,
    pub absence_rate: f64,
    /// Absence in the last 10 school days at least `change_ratio` times the pupil's own earlier
    /// rate and at least 30 %: a sudden change against the pupil's history.
    pub sudden_change: u32,
    pub change_ratio: f64,
    pub left_behind: u32,
    pub poverty: u32,
    pub disability: u32,
    pub migrant: u32,
    pub single_parent: u32,
    /// Two or more years older than the grade's usual age.
    pub over_age: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            streak: 40,
            recent_day: 5,
            recent_cap: 25,
            absence: 15,
            absence_rate: 0.10,
            sudden_change: 15,
            change_ratio: 3.0,
            left_behind: 10,
            poverty: 10,
            disability: 5,
            migrant: 5,
            single_parent: 5,
            over_age: 10,
        }
    }
}

/// Score level shown as a badge.
pub fn level(score: u32) -> &'static str {
    match score {
        60.. => "高",
        30..=59 => "中",
        _ => "低",
    }
}

/// What the score needs of one pupil. `statuses` are the pupil's school days of the term in date
/// order; `flags` is `None` when the caller may not read special groups.
#[derive(Debug, Clone, Copy)]
pub struct RiskInput<'a> {
    pub statuses: &'a [Status],
    pub streak_threshold: u32,
    pub flags: Option<SpecialFlags>,
    /// Years above the usual age of the grade (age on 31 August minus the grade's entry age).
    pub years_over_age: Option<i32>,
}

/// Computes the explainable score (capped at 100) and its factors, largest first.
pub fn risk_score(input: &RiskInput, w: &Weights) -> (u32, Vec<Factor>) {
    let t = Tally::of(input.statuses.iter().copied());
    let mut f = Vec::new();
    if t.current_streak >= input.streak_threshold {
        f.push(Factor {
            label: "连续旷课", points: w.streak, detail: format!("当前连续旷课{}天", t.current_streak)
        });
    }
    let recent = &input.statuses[input.statuses.len().saturating_sub(30)..];
    let n = recent.iter().filter(|s| **s == Status::Truant).count() as u32;
    if n > 0 {
        f.push(Factor {
            label: "近期旷课",
            points: (n * w.recent_day).min(w.recent_cap),
            detail: format!("近{}个教学日旷课{}天", recent.len(), n),
        });
    }
    if t.days > 0 {
        let rate = f64::from(t.absent) / f64::from(t.days);
        if rate >= w.absence_rate {
            f.push(Factor {
                label: "缺勤率",
                points: w.absence,
                detail: format!("本学期缺勤{}/{}天（{:.1}%）", t.absent, t.days, rate * 100.0),
            });
        }
    }
    let split = input.statuses.len().saturating_sub(10);
    if split >= 10 {
        let rate = |s: &[Status]| s.iter().filter(|x| x.is_absent()).count() as f64 / s.len() as f64;
        let (before, last) = (rate(&input.statuses[..split]), rate(&input.statuses[split..]));
        if last >= 0.3 && last >= w.change_ratio * before {
            f.push(Factor {
                label: "出勤突变",
                points: w.sudden_change,
                detail: format!("近10个教学日缺勤{:.0}%，此前{:.0}%", last * 100.0, before * 100.0),
            });
        }
    }
    if let Some(flags) = input.flags {
        let record = [
            (flags.left_behind, "留守儿童", w.left_behind),
            (flags.poverty, "建档立卡/低保家庭", w.poverty),
            (flags.disability, "残疾", w.disability),
            (flags.migrant, "随迁子女", w.migrant),
            (flags.single_parent, "单亲", w.single_parent),
        ];
        for (on, label, points) in record {
            if on {
                f.push(Factor { label, points, detail: "学籍档案".to_string() });
            }
        }
    }
    if let Some(years) = input.years_over_age.filter(|y| *y >= 2) {
        f.push(Factor { label: "超龄", points: w.over_age, detail: format!("高于年级常规年龄{years}岁") });
    }
    f.sort_by_key(|x| std::cmp::Reverse(x.points));
    (f.iter().map(|x| x.points).sum::<u32>().min(100), f)
}

crate::labelled_enum! {
    /// The register a case is on: 疑似辍学 until the school confirms that the pupil has left.
    Register, "登记类别" {
        Suspected => "suspected", "疑似辍学";
        DroppedOut => "dropped_out", "辍学";
    }
}

crate::labelled_enum! {
    /// How a case ends.
    Outcome, "劝返结果" {
        Returned => "returned", "返校";
        Transferred => "transferred", "转学";
        HomeTeaching => "home_teaching", "送教上门";
        Other => "other", "其他";
    }
}

crate::labelled_enum! {
    /// Who made a 劝返 attempt.
    Party, "劝返主体" {
        HeadTeacher => "head_teacher", "班主任";
        School => "school", "学校";
        Township => "township", "乡镇（街道）";
        County => "county", "县级教育部门";
        Legal => "legal", "依法劝返";
    }
}

crate::labelled_enum! {
    /// Where a case stands.
    CaseState, "案件状态" {
        Open => "open", "劝返中";
        FollowUp => "follow_up", "返校跟踪";
        Resolved => "resolved", "待销号";
        PendingClose => "pending_close", "待确认销号";
        Closed => "closed", "已销号";
    }
}

/// The four steps of 劝返, each with its responsible parties and its deadline in days from the
/// step's start. A passed deadline makes the case overdue until it is escalated or resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Step {
    pub no: u8,
    pub name: &'static str,
    pub parties: &'static [Party],
    pub days: i64,
}

pub const STEPS: [Step; 4] = [
    Step { no: 1, name: "学校劝返", parties: &[Party::HeadTeacher, Party::School], days: 7 },
    Step { no: 2, name: "乡镇（街道）劝返", parties: &[Party::Township], days: 15 },
    Step { no: 3, name: "县级教育部门劝返", parties: &[Party::County], days: 15 },
    Step { no: 4, name: "依法劝返", parties: &[Party::Legal], days: 30 },
];

/// The words users read for the kinds of case events the store records.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "open" => "立案",
        "attempt" => "劝返",
        "confirm_dropout" => "确认辍学",
        "escalate" => "升级",
        "outcome" => "劝返结果",
        "support" => "帮扶",
        "reopen" => "再次流失",
        "request_close" => "申请销号",
        "confirm_close" => "确认销号",
        "reject_close" => "退回销号",
        _ => "其他",
    }
}

/// Days of attendance monitoring after a pupil returns before the case may close (留得住).
pub const FOLLOW_UP_DAYS: i64 = 60;

pub fn step(no: u8) -> &'static Step {
    &STEPS[usize::from(no.clamp(1, 4)) - 1]
}

/// A case as the rules see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub register: Register,
    pub state: CaseState,
    pub step: u8,
    pub step_started: NaiveDate,
    pub outcome: Option<Outcome>,
    pub outcome_date: Option<NaiveDate>,
    pub evidence: u32,
    /// The 销号 request waiting for a second person ([`Closing`]).
    pub closing: Closing,
}

fn invalid(m: impl Into<String>) -> CoreError {
    CoreError::Invalid(m.into())
}

impl Case {
    pub fn open(register: Register, on: NaiveDate) -> Case {
        Case {
            register,
            state: CaseState::Open,
            step: 1,
            step_started: on,
            outcome: None,
            outcome_date: None,
            evidence: 0,
            closing: Closing::default(),
        }
    }

    /// The current step's deadline.
    pub fn deadline(&self) -> NaiveDate {
        self.step_started + chrono::Days::new(step(self.step).days as u64)
    }

    /// Overdue: still in 劝返 after the step's deadline.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.state == CaseState::Open && today > self.deadline()
    }

    /// End of the follow-up period of a returned pupil.
    pub fn follow_up_until(&self) -> Option<NaiveDate> {
        match (self.outcome, self.outcome_date) {
            (Some(Outcome::Returned), Some(d)) => Some(d + chrono::Days::new(FOLLOW_UP_DAYS as u64)),
            _ => None,
        }
    }

    fn must_be_open(&self) -> Result<(), CoreError> {
        if self.state != CaseState::Open {
            return Err(invalid(format!("案件当前为“{}”，不能再劝返或变更登记", self.state.label())));
        }
        Ok(())
    }

    /// An attempt must be made by a party of the current step or an earlier one (the class teacher
    /// keeps visiting while the township acts).
    pub fn check_attempt(&self, party: Party, on: NaiveDate, today: NaiveDate) -> Result<(), CoreError> {
        self.must_be_open()?;
        if on > today {
            return Err(invalid(format!("劝返日期{on}晚于今天")));
        }
        let party_step = STEPS.iter().find(|s| s.parties.contains(&party)).map_or(4, |s| s.no);
        if party_step > self.step {
            return Err(invalid(format!(
                "当前为第{}步（{}），“{}”的劝返需先升级到第{}步",
                self.step,
                step(self.step).name,
                party.label(),
                party_step
            )));
        }
        Ok(())
    }

    /// 疑似辍学 → 辍学, once the school has confirmed that the pupil left.
    pub fn confirm_dropout(&mut self) -> Result<(), CoreError> {
        self.must_be_open()?;
        if self.register == Register::DroppedOut {
            return Err(invalid("已登记为辍学"));
        }
        self.register = Register::DroppedOut;
        Ok(())
    }

    /// Moves to the next step (the next level takes over), from `on`.
    pub fn escalate(&mut self, on: NaiveDate) -> Result<&'static Step, CoreError> {
        self.must_be_open()?;
        if self.step >= 4 {
            return Err(invalid("已是最后一步（依法劝返），不能再升级"));
        }
        self.step += 1;
        self.step_started = on;
        Ok(step(self.step))
    }

    /// Records how the case ended. A returned pupil is followed up; other outcomes wait for 销号.
    pub fn resolve(&mut self, outcome: Outcome, on: NaiveDate, today: NaiveDate) -> Result<(), CoreError> {
        self.must_be_open()?;
        if on > today {
            return Err(invalid(format!("结果日期{on}晚于今天")));
        }
        self.outcome = Some(outcome);
        self.outcome_date = Some(on);
        self.state = if outcome == Outcome::Returned { CaseState::FollowUp } else { CaseState::Resolved };
        Ok(())
    }

    /// A returned pupil left again during follow-up: the case reopens at the step it had reached.
    pub fn reopen(&mut self, on: NaiveDate) -> Result<(), CoreError> {
        if self.state != CaseState::FollowUp {
            return Err(invalid("只有返校跟踪中的案件可以重新劝返"));
        }
        self.state = CaseState::Open;
        self.outcome = None;
        self.outcome_date = None;
        self.step_started = on;
        Ok(())
    }

    /// Asks for 销号: needs an outcome, evidence and, for a returned pupil, the end of follow-up.
    pub fn request_close(&mut self, by: &str, today: NaiveDate) -> Result<(), CoreError> {
        match self.state {
            CaseState::Open => return Err(invalid("尚无劝返结果，不能销号")),
            CaseState::PendingClose => return Err(invalid("已申请销号，等待确认")),
            CaseState::Closed => return Err(invalid("案件已销号")),
            CaseState::FollowUp | CaseState::Resolved => {}
        }
        if self.evidence == 0 {
            return Err(invalid("销号需要上传佐证材料（如返校照片、转学证明、送教记录）"));
        }
        if let Some(until) = self.follow_up_until()
            && today < until
        {
            return Err(invalid(format!("返校跟踪期到{until}结束，之后才能销号")));
        }
        self.closing.request(by)?;
        self.state = CaseState::PendingClose;
        Ok(())
    }

    /// The second person confirms (销号) or sends it back.
    pub fn confirm_close(&mut self, by: &str, approve: bool) -> Result<(), CoreError> {
        if self.state != CaseState::PendingClose {
            return Err(invalid("案件未申请销号"));
        }
        self.state = if self.closing.confirm(by, approve)? {
            CaseState::Closed
        } else if self.outcome == Some(Outcome::Returned) {
            CaseState::FollowUp
        } else {
            CaseState::Resolved
        };
        Ok(())
    }
}

/// Days within which a pupil who transferred out must appear at the receiving school of the
/// district (or be stated to have gone elsewhere) before being taken for 疑似辍学.
pub const TRANSFER_CONFIRM_DAYS: i64 = 30;

/// Where a 转出 stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TransferState {
    /// On roll at another school of the district.
    Received,
    /// Gone to a school outside the district (named in 转往学校).
    LeftDistrict,
    /// Not yet received, still within the days allowed.
    Pending,
    /// Not received after the days allowed: to be checked as 疑似辍学.
    Suspect,
}

impl TransferState {
    pub fn label(self) -> &'static str {
        match self {
            TransferState::Received => "已在本县（区）入学",
            TransferState::LeftDistrict => "转往县（区）外",
            TransferState::Pending => "待接收",
            TransferState::Suspect => "逾期未入学，疑似辍学",
        }
    }
}

/// A 转出 is followed: received in the district, gone elsewhere by its stated destination, or
/// after `TRANSFER_CONFIRM_DAYS` without either, suspect. A destination naming a school of the
/// district must be followed by enrolment there.
pub fn transfer_state(received: bool, destination_outside: Option<bool>, days_since: i64) -> TransferState {
    match (received, destination_outside) {
        (true, _) => TransferState::Received,
        (false, Some(true)) => TransferState::LeftDistrict,
        _ if days_since <= TRANSFER_CONFIRM_DAYS => TransferState::Pending,
        _ => TransferState::Suspect,
    }
}

/// 义务教育巩固率 by the cohort method: pupils of the cohort still on roll (or graduated) over its
/// entry count adjusted for transfers in and out and deaths. `None` when the base is not positive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cohort {
    pub entry: u32,
    pub transfers_in: u32,
    pub transfers_out: u32,
    pub deaths: u32,
    pub retained: u32,
}

impl Cohort {
    pub fn base(&self) -> i64 {
        i64::from(self.entry) + i64::from(self.transfers_in) - i64::from(self.transfers_out) - i64::from(self.deaths)
    }

    /// Per cent.
    pub fn rate(&self) -> Option<f64> {
        let base = self.base();
        (base > 0).then(|| f64::from(self.retained) / base as f64 * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    #[test]
    fn the_score_names_each_factor() {
        let w = Weights::default();
        let mut days = vec![Present; 20];
        days.extend([Truant, Truant, Truant]);
        let input = RiskInput { statuses: &days, streak_threshold: 3, flags: None, years_over_age: None };
        let (score, factors) = risk_score(&input, &w);
        let labels: Vec<&str> = factors.iter().map(|f| f.label).collect();
        // 3 of 23 days = 13 % ≥ 10 %; the last 10 days hold 3 absences (30 %) against 0 before.
        assert_eq!(labels, ["连续旷课", "近期旷课", "缺勤率", "出勤突变"]);
        assert_eq!(score, 40 + 15 + 15 + 15);
        assert_eq!(level(score), "高");
        // Record factors count only when the caller may read them.
        let flags = SpecialFlags { left_behind: true, poverty: true, ..Default::default() };
        let with = RiskInput { flags: Some(flags), years_over_age: Some(2), ..input };
        let (capped, f) = risk_score(&with, &w);
        assert_eq!(capped, 100, "capped");
        assert!(f.iter().any(|x| x.label == "留守儿童") && f.iter().any(|x| x.label == "超龄"));
        let one_year = RiskInput { years_over_age: Some(1), ..input };
        assert!(!risk_score(&one_year, &w).1.iter().any(|x| x.label == "超龄"), "1 year is not over age");
    }

    #[test]
    fn score_boundaries() {
        let w = Weights::default();
        // Two 旷课 days below the streak threshold: only the recent factor (2 × 5), and 2/20 = 10 %
        // exactly at the absence threshold.
        let mut days = vec![Present; 18];
        days.extend([Truant, Truant]);
        let (score, f) =
            risk_score(&RiskInput { statuses: &days, streak_threshold: 3, flags: None, years_over_age: None }, &w);
        assert_eq!(f.iter().map(|x| x.label).collect::<Vec<_>>(), ["缺勤率", "近期旷课"]);
        assert_eq!(score, 25);
        assert_eq!(level(29), "低");
        assert_eq!(level(30), "中");
        assert_eq!(level(59), "中");
        assert_eq!(level(60), "高");
        // The recent factor is capped.
        let all = vec![Truant; 40];
        let (_, f) =
            risk_score(&RiskInput { statuses: &all, streak_threshold: 3, flags: None, years_over_age: None }, &w);
        assert_eq!(f.iter().find(|x| x.label == "近期旷课").map(|x| x.points), Some(25));
        // No days, no score.
        assert_eq!(
            risk_score(&RiskInput { statuses: &[], streak_threshold: 3, flags: None, years_over_age: None }, &w).0,
            0
        );
    }

    #[test]
    fn a_case_goes_from_suspected_to_closed_with_a_second_person() {
        let mut c = Case::open(Register::Suspected, d(9, 1));
        assert_eq!(c.deadline(), d(9, 8));
        assert!(!c.is_overdue(d(9, 8)) && c.is_overdue(d(9, 9)), "overdue the day after the deadline");
        assert!(c.check_attempt(Party::HeadTeacher, d(9, 2), d(9, 2)).is_ok());
        assert!(c.check_attempt(Party::Township, d(9, 2), d(9, 2)).is_err(), "township is step 2");
        assert!(c.check_attempt(Party::School, d(9, 3), d(9, 2)).is_err(), "future attempt");
        c.confirm_dropout().expect("confirm");
        assert!(c.confirm_dropout().is_err());
        assert_eq!(c.escalate(d(9, 9)).expect("step 2").name, "乡镇（街道）劝返");
        assert_eq!(c.deadline(), d(9, 24));
        assert!(c.check_attempt(Party::Township, d(9, 10), d(9, 10)).is_ok());
        assert!(c.check_attempt(Party::HeadTeacher, d(9, 10), d(9, 10)).is_ok(), "earlier parties go on");
        assert!(c.request_close("a", d(9, 10)).is_err(), "no outcome yet");
        c.resolve(Outcome::Returned, d(9, 20), d(9, 20)).expect("returned");
        assert_eq!(c.state, CaseState::FollowUp);
        assert!(!c.is_overdue(d(12, 1)));
        assert!(c.escalate(d(9, 21)).is_err(), "not in 劝返 any more");
        assert_eq!(c.follow_up_until(), Some(d(11, 19)));
        assert!(c.request_close("a", d(11, 19)).unwrap_err().to_string().contains("佐证"));
        c.evidence = 1;
        assert!(c.request_close("a", d(11, 18)).unwrap_err().to_string().contains("跟踪期"));
        c.request_close("a", d(11, 19)).expect("requested");
        assert!(c.confirm_close("a", true).unwrap_err().to_string().contains("另一人"));
        c.confirm_close("b", false).expect("sent back");
        assert_eq!(c.state, CaseState::FollowUp);
        c.request_close("a", d(11, 20)).expect("again");
        c.confirm_close("b", true).expect("closed");
        assert_eq!(c.state, CaseState::Closed);
        assert!(c.request_close("a", d(11, 21)).is_err());
    }

    #[test]
    fn escalation_stops_at_the_fourth_step_and_reopening_restarts_the_clock() {
        let mut c = Case::open(Register::DroppedOut, d(3, 1));
        for _ in 0..3 {
            c.escalate(d(3, 2)).expect("escalate");
        }
        assert_eq!(c.step, 4);
        assert!(c.escalate(d(3, 3)).is_err());
        assert!(c.check_attempt(Party::Legal, d(3, 3), d(3, 3)).is_ok());
        c.resolve(Outcome::Returned, d(3, 5), d(3, 5)).expect("back");
        c.reopen(d(4, 1)).expect("left again");
        assert_eq!((c.state, c.step, c.outcome), (CaseState::Open, 4, None));
        assert_eq!(c.deadline(), d(5, 1));
        c.resolve(Outcome::Transferred, d(4, 2), d(4, 2)).expect("transferred");
        assert_eq!(c.state, CaseState::Resolved);
        assert!(c.reopen(d(4, 3)).is_err());
        c.evidence = 2;
        c.request_close("a", d(4, 2)).expect("no follow-up for a transfer");
    }

    #[test]
    fn transfers_are_followed_to_the_receiving_school() {
        use TransferState::*;
        assert_eq!(transfer_state(true, None, 100), Received);
        assert_eq!(transfer_state(false, Some(true), 100), LeftDistrict);
        // No destination, or a school of the district that has not enrolled the pupil.
        assert_eq!(transfer_state(false, None, TRANSFER_CONFIRM_DAYS), Pending);
        assert_eq!(transfer_state(false, None, TRANSFER_CONFIRM_DAYS + 1), Suspect);
        assert_eq!(transfer_state(false, Some(false), TRANSFER_CONFIRM_DAYS + 1), Suspect);
    }

    #[test]
    fn cohort_rate() {
        let c = Cohort { entry: 200, transfers_in: 10, transfers_out: 8, deaths: 1, retained: 199 };
        assert_eq!(c.base(), 201);
        assert!((c.rate().expect("rate") - 199.0 / 201.0 * 100.0).abs() < 1e-12);
        assert_eq!(Cohort::default().rate(), None);
    }
}
