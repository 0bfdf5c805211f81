//! A teacher's training hours (继续教育学时) in a five-year cycle: what counts, what the cycle
//! expects by a day, and whether it is complete. The national rule (360 学时 in five years) is
//! [`crate::standards::training`]; a province's sub-rules are [`CycleRules`] fields it configures.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::CoreError;
use crate::access::Role;
use crate::standards::training::{CYCLE_HOURS, CYCLE_YEARS, REGISTRATION_NOTICE_DAYS, REGISTRATION_YEARS};

crate::labelled_enum! {
    /// How a course is delivered; the sub-rules bound some of them.
    Mode, "培训形式" {
        Concentrated => "concentrated", "集中培训" | "集中" | "面授";
        Online => "online", "网络研修" | "网络" | "线上";
        SchoolBased => "school_based", "校本研修" | "校本";
    }
}

crate::labelled_enum! {
    /// Who runs the course (国培/省培/市/区县/校).
    Level, "培训级别" {
        National => "national", "国家级" | "国培";
        Provincial => "provincial", "省级" | "省培";
        City => "city", "市级";
        County => "county", "县级" | "区县级" | "区级";
        School => "school", "校级";
    }
}

/// A cycle's rules: the total, and the sub-rules a province sets (none by default).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleRules {
    pub total_hours: f64,
    pub years: i32,
    /// Least 集中培训 hours.
    pub min_concentrated: Option<f64>,
    /// Most share (0–1) of the total that 网络研修 may count for; hours beyond do not count.
    pub max_online_share: Option<f64>,
    /// Least 师德 hours.
    pub min_ethics: Option<f64>,
}

impl CycleRules {
    /// The national rule alone.
    pub fn national() -> CycleRules {
        CycleRules {
            total_hours: CYCLE_HOURS,
            years: CYCLE_YEARS,
            min_concentrated: None,
            max_online_share: None,
            min_ethics: None,
        }
    }
}

/// A cycle of school years' calendar years: `first` to `first + years - 1` (e.g. 2021–2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cycle {
    pub first: i32,
    pub years: i32,
}

impl Cycle {
    /// The cycle holding `day`, counting cycles from the configured first year `origin`.
    pub fn containing(day: NaiveDate, origin: i32, years: i32) -> Cycle {
        let years = years.max(1);
        let first = origin + (day.year() - origin).div_euclid(years) * years;
        Cycle { first, years }
    }

    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.first, 1, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the cycle.
    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.first + self.years - 1, 12, 31).unwrap_or(NaiveDate::MAX)
    }

    pub fn holds(self, day: NaiveDate) -> bool {
        (self.start()..=self.end()).contains(&day)
    }

    pub fn label(self) -> String {
        format!("{}—{}年", self.first, self.first + self.years - 1)
    }

    /// The cycle before this one: the last one complete while this one runs.
    pub fn previous(self) -> Cycle {
        Cycle { first: self.first - self.years, years: self.years }
    }
}

/// The SHA-256 of what makes two completion records the same: the teacher's 工号, the course, the
/// day and the hours (a platform's export imported again adds nothing).
pub fn record_key(staff_no: &str, course: &str, day: NaiveDate, hours: f64) -> String {
    let text = [staff_no, course.trim(), &day.to_string(), &format!("{hours}")].join("\u{1f}");
    crate::digest::sha256_hex(text.as_bytes())
}

/// Most hours one record may carry (a long 国培 programme runs to a few hundred).
pub const MAX_RECORD_HOURS: f64 = 400.0;

/// Checks a record's hours as written: more than 0, at most [`MAX_RECORD_HOURS`].
pub fn parse_hours(raw: &str) -> Result<f64, String> {
    match raw.trim().parse::<f64>() {
        Ok(h) if h > 0.0 && h <= MAX_RECORD_HOURS => Ok(h),
        _ => Err(format!("应为大于0且不超过{MAX_RECORD_HOURS}的学时")),
    }
}

/// One approved completion record as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Record {
    pub day: NaiveDate,
    pub hours: f64,
    pub mode: Mode,
    /// A 师德 course.
    pub ethics: bool,
}

/// A teacher's standing in a cycle on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// Hours of the cycle's records, as recorded.
    pub recorded: f64,
    pub concentrated: f64,
    pub online: f64,
    pub school_based: f64,
    pub ethics: f64,
    /// Hours that count towards the total (网络研修 beyond its share left out).
    pub counted: f64,
    /// What the cycle expects by the day, pro rata by days elapsed.
    pub expected: f64,
    pub complete: bool,
    /// Behind the pro-rata expectation and not complete.
    pub behind: bool,
    /// What is missing, in words users read.
    pub missing: Vec<String>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Adds up the records of `cycle` (others are left out) on `today`.
pub fn progress(rules: &CycleRules, cycle: Cycle, records: &[Record], today: NaiveDate) -> Progress {
    // `+ 0.0`: an empty float sum is -0.0, which pages would print as "-0".
    let of = |m: Mode| records.iter().filter(|r| cycle.holds(r.day) && r.mode == m).map(|r| r.hours).sum::<f64>() + 0.0;
    let (concentrated, online, school_based) = (of(Mode::Concentrated), of(Mode::Online), of(Mode::SchoolBased));
    let ethics: f64 = records.iter().filter(|r| cycle.holds(r.day) && r.ethics).map(|r| r.hours).sum::<f64>() + 0.0;
    let online_counted = match rules.max_online_share {
        Some(share) => online.min(share * rules.total_hours),
        None => online,
    };
    let counted = concentrated + school_based + online_counted;
    let mut missing = Vec::new();
    if counted < rules.total_hours {
        missing.push(format!("总学时还差{}", round1(rules.total_hours - counted)));
    }
    if let Some(min) = rules.min_concentrated.filter(|m| concentrated < *m) {
        missing.push(format!("集中培训还差{}学时", round1(min - concentrated)));
    }
    if let Some(min) = rules.min_ethics.filter(|m| ethics < *m) {
        missing.push(format!("师德培训还差{}学时", round1(min - ethics)));
    }
    let days = (cycle.end() - cycle.start()).num_days() + 1;
    let elapsed = ((today - cycle.start()).num_days() + 1).clamp(0, days);
    let expected = rules.total_hours * elapsed as f64 / days as f64;
    let complete = missing.is_empty();
    Progress {
        recorded: concentrated + online + school_based,
        concentrated,
        online,
        school_based,
        ethics,
        counted,
        expected,
        complete,
        behind: !complete && counted < expected,
        missing,
    }
}

/// 360学时培训完成率 (per cent) of teachers whose cycle ends by the day: completed over all.
/// `None` when there are none.
pub fn completion_rate<'a>(all: impl IntoIterator<Item = &'a Progress>) -> Option<f64> {
    let (n, done) = all.into_iter().fold((0u32, 0u32), |(n, d), p| (n + 1, d + u32::from(p.complete)));
    (n > 0).then(|| f64::from(done) / f64::from(n) * 100.0)
}

crate::labelled_enum! {
    /// Where a teacher's own entry of hours (学时申报, with its certificate) stands: the school
    /// checks it, then the bureau; only then does it count.
    ClaimState, "申报状态" {
        Submitted => "submitted", "待学校审核";
        SchoolApproved => "school_approved", "待教育局审核";
        Approved => "approved", "已认定";
        Returned => "returned", "已退回";
    }
}

/// A step on a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStep {
    /// The school's 审核 (its administrator).
    SchoolApprove,
    /// The bureau's 认定 (its administrators and staff): the hours become a record.
    BureauApprove,
    /// Sent back with a reason, at either level.
    Return,
}

impl ClaimStep {
    pub fn key(self) -> &'static str {
        match self {
            ClaimStep::SchoolApprove => "school_approve",
            ClaimStep::BureauApprove => "bureau_approve",
            ClaimStep::Return => "return",
        }
    }

    pub fn label(self) -> &'static str {
        event_label(self.key())
    }
}

/// The word users read for a claim's history event.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "submit" => "提交学时申报",
        "school_approve" => "学校审核通过",
        "bureau_approve" => "教育局认定",
        "return" => "退回",
        _ => "其他",
    }
}

impl ClaimState {
    /// The approval a caller of `role` gives the claim now, if any.
    pub fn approval_by(self, role: Role) -> Option<ClaimStep> {
        match self {
            ClaimState::Submitted if role.approves_training_for_school() => Some(ClaimStep::SchoolApprove),
            ClaimState::SchoolApproved if role.approves_training_for_district() => Some(ClaimStep::BureauApprove),
            _ => None,
        }
    }

    /// Waiting for someone.
    pub fn open(self) -> bool {
        matches!(self, ClaimState::Submitted | ClaimState::SchoolApproved)
    }

    /// The state after `step` by a caller of `role`; `own` when the caller is the claimant (who
    /// never approves their own hours, at either level).
    pub fn after(self, step: ClaimStep, role: Role, own: bool) -> Result<ClaimState, CoreError> {
        if own {
            return Err(CoreError::Invalid("不能审核本人的学时申报".into()));
        }
        let school = role.approves_training_for_school();
        let bureau = role.approves_training_for_district();
        match (self, step) {
            (ClaimState::Submitted, ClaimStep::SchoolApprove) if school => Ok(ClaimState::SchoolApproved),
            (ClaimState::SchoolApproved, ClaimStep::BureauApprove) if bureau => Ok(ClaimState::Approved),
            (ClaimState::Submitted, ClaimStep::Return) if school => Ok(ClaimState::Returned),
            (ClaimState::SchoolApproved, ClaimStep::Return) if bureau => Ok(ClaimState::Returned),
            (s, _) if !s.open() => Err(CoreError::Invalid(format!("申报{}，不能再审核", s.label()))),
            (s, _) => Err(CoreError::Invalid(format!("申报{}，您的角色不能办理这一步", s.label()))),
        }
    }
}

crate::labelled_enum! {
    /// Where a teacher's 教师资格定期注册 stands on a day.
    Registration, "定期注册" {
        Valid => "valid", "有效";
        DueSoon => "due_soon", "即将到期";
        Overdue => "overdue", "已过期";
        Unknown => "unknown", "未登记";
    }
}

/// The next 定期注册 after the last one (or the certificate's first registration).
pub fn registration_due(registered_on: NaiveDate) -> NaiveDate {
    registered_on.with_year(registered_on.year() + REGISTRATION_YEARS).unwrap_or_else(|| {
        // 29 February: the 28th of the due year.
        NaiveDate::from_ymd_opt(registered_on.year() + REGISTRATION_YEARS, 2, 28).unwrap_or(registered_on)
    })
}

/// The registration's standing on `today`.
pub fn registration(registered_on: Option<NaiveDate>, today: NaiveDate) -> Registration {
    match registered_on.map(registration_due) {
        None => Registration::Unknown,
        Some(due) if due < today => Registration::Overdue,
        Some(due) if (due - today).num_days() <= REGISTRATION_NOTICE_DAYS => Registration::DueSoon,
        Some(_) => Registration::Valid,
    }
}

#[cfg(test)]
mod registration_tests {
    use super::*;

    #[test]
    fn registration_falls_due_five_years_on() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(registration_due(d(2021, 6, 30)), d(2026, 6, 30));
        assert_eq!(registration_due(d(2020, 2, 29)), d(2025, 2, 28), "a leap day");
        let on = d(2026, 1, 1);
        assert_eq!(registration(None, on), Registration::Unknown);
        assert_eq!(registration(Some(d(2020, 12, 31)), on), Registration::Overdue, "due yesterday");
        assert_eq!(registration(Some(d(2021, 1, 1)), on), Registration::DueSoon, "due today");
        assert_eq!(registration(Some(d(2021, 6, 30)), on), Registration::DueSoon, "180 days ahead");
        assert_eq!(registration(Some(d(2021, 7, 1)), on), Registration::Valid, "181 days ahead");
    }
}

#[cfg(test)]
mod claim_tests {
    use super::*;

    #[test]
    fn a_claim_goes_through_the_school_then_the_bureau() {
        let s = ClaimState::Submitted;
        let at_school = s.after(ClaimStep::SchoolApprove, Role::SchoolAdmin, false).expect("school");
        assert_eq!(at_school, ClaimState::SchoolApproved);
        assert_eq!(
            at_school.after(ClaimStep::BureauApprove, Role::Staff, false).expect("bureau"),
            ClaimState::Approved
        );
        // Out of order, or by the wrong level.
        assert!(s.after(ClaimStep::BureauApprove, Role::Staff, false).is_err(), "the school first");
        assert!(at_school.after(ClaimStep::SchoolApprove, Role::SchoolAdmin, false).is_err());
        assert!(at_school.after(ClaimStep::Return, Role::SchoolAdmin, false).is_err(), "at the bureau now");
        assert!(s.after(ClaimStep::SchoolApprove, Role::Teacher, false).is_err());
        assert!(s.after(ClaimStep::SchoolApprove, Role::Leader, false).is_err());
        // Returned at either level; then closed.
        assert_eq!(s.after(ClaimStep::Return, Role::SchoolAdmin, false).expect("r"), ClaimState::Returned);
        assert_eq!(at_school.after(ClaimStep::Return, Role::Staff, false).expect("r"), ClaimState::Returned);
        assert!(ClaimState::Returned.after(ClaimStep::SchoolApprove, Role::Admin, false).is_err());
        assert!(ClaimState::Approved.after(ClaimStep::Return, Role::Admin, false).is_err());
        // Nobody approves their own hours, the administrator included.
        assert!(s.after(ClaimStep::SchoolApprove, Role::Admin, true).is_err());
        assert_eq!(s.approval_by(Role::SchoolAdmin), Some(ClaimStep::SchoolApprove));
        assert_eq!(s.approval_by(Role::Staff), None, "the school first");
        assert_eq!(at_school.approval_by(Role::Staff), Some(ClaimStep::BureauApprove));
        assert_eq!(ClaimState::Approved.approval_by(Role::Admin), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn rec(day: NaiveDate, hours: f64, mode: Mode) -> Record {
        Record { day, hours, mode, ethics: false }
    }

    #[test]
    fn course_words_as_platforms_write_them() {
        assert_eq!(Level::parse("国培").expect("level"), Level::National);
        assert_eq!(Level::parse("区级").expect("level"), Level::County);
        assert_eq!(Mode::parse("线上").expect("mode"), Mode::Online);
        assert_eq!(Mode::parse("面授").expect("mode"), Mode::Concentrated);
        assert!(Mode::parse("自学").is_err());
    }

    #[test]
    fn cycles_follow_the_configured_origin() {
        let c = Cycle::containing(d(2026, 12, 2), 2021, 5);
        assert_eq!((c.first, c.label()), (2026, "2026—2030年".to_string()));
        assert_eq!(Cycle::containing(d(2025, 12, 31), 2021, 5).first, 2021, "the last day of a cycle");
        assert_eq!(Cycle::containing(d(2026, 1, 1), 2021, 5).first, 2026, "the first day of the next");
        assert_eq!(Cycle::containing(d(2019, 6, 1), 2021, 5).first, 2016, "before the origin");
        assert!(c.holds(d(2030, 12, 31)) && !c.holds(d(2031, 1, 1)) && !c.holds(d(2025, 12, 31)));
        assert_eq!(c.previous(), Cycle { first: 2021, years: 5 });
    }

    #[test]
    fn the_national_rule_is_360_hours_in_five_years() {
        let rules = CycleRules::national();
        assert_eq!((rules.total_hours, rules.years), (360.0, 5));
        let c = Cycle { first: 2021, years: 5 };
        let end = c.end();
        let at = |h: f64| progress(&rules, c, &[rec(d(2023, 5, 1), h, Mode::Concentrated)], end);
        assert!(at(360.0).complete, "exactly 360");
        let short = at(359.5);
        assert!(!short.complete && short.behind);
        assert_eq!(short.missing, ["总学时还差0.5"]);
        // Records outside the cycle do not count.
        let outside = progress(&rules, c, &[rec(d(2026, 1, 1), 400.0, Mode::Online)], end);
        assert_eq!(outside.counted, 0.0);
        assert_eq!(completion_rate([&at(360.0), &short]), Some(50.0));
        assert_eq!(completion_rate(std::iter::empty()), None);
    }

    #[test]
    fn a_province_bounds_online_hours_and_asks_for_concentrated_and_ethics_hours() {
        let rules = CycleRules {
            min_concentrated: Some(120.0),
            max_online_share: Some(0.5),
            min_ethics: Some(12.0),
            ..CycleRules::national()
        };
        let c = Cycle { first: 2021, years: 5 };
        let mut records = vec![rec(d(2022, 3, 1), 250.0, Mode::Online), rec(d(2022, 4, 1), 119.0, Mode::Concentrated)];
        let p = progress(&rules, c, &records, c.end());
        // Online counts up to half of 360 = 180; 180 + 119 = 299.
        assert_eq!((p.recorded, p.counted), (369.0, 299.0));
        assert_eq!(p.missing, ["总学时还差61", "集中培训还差1学时", "师德培训还差12学时"]);
        records.push(Record { day: d(2023, 1, 1), hours: 61.0, mode: Mode::SchoolBased, ethics: true });
        records.push(rec(d(2023, 2, 1), 1.0, Mode::Concentrated));
        let p = progress(&rules, c, &records, c.end());
        assert_eq!((p.counted, p.ethics), (361.0, 61.0));
        assert!(p.complete && p.missing.is_empty());
    }

    #[test]
    fn the_expectation_grows_by_days_elapsed() {
        let rules = CycleRules::national();
        let c = Cycle { first: 2021, years: 5 };
        let p = |today| progress(&rules, c, &[rec(d(2021, 2, 1), 100.0, Mode::Concentrated)], today);
        assert!((p(c.start()).expected - 360.0 / 1826.0).abs() < 1e-9, "the first day");
        assert_eq!(p(c.end()).expected, 360.0);
        assert_eq!(p(d(2031, 1, 1)).expected, 360.0, "after the cycle");
        // Half way (day 913 of 1826): 180 expected; 100 recorded is behind.
        let half = c.start() + chrono::Days::new(912);
        assert!((p(half).expected - 180.0).abs() < 1e-9 && p(half).behind);
        assert!(!p(d(2021, 6, 1)).behind, "ahead early in the cycle");
    }
}
