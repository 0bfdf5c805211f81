//! 开齐开足 from timetables: each class's weekly periods per subject against the curriculum
//! ([`crate::standards::curriculum`] or the province's table), teacher clashes and overloads, and
//! the daily minutes of physical activity that PE periods and 大课间 give.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::standards::curriculum::{Requirement, period_minutes, weekly_total};
pub use crate::standards::schedule::{BREAK_EXERCISE_MINUTES, DAILY_ACTIVITY_MINUTES};

/// Timetable entries that are not teaching periods: they never count towards a subject or the
/// weekly total.
pub const NOT_PERIODS: &[&str] = &["大课间", "早读", "午读", "午休", "眼保健操", "课后服务"];

/// Weekly periods above which a teacher's load is flagged: no national figure exists, so this is
/// eduq's default alert line, not a standard.
pub const TEACHER_WEEKLY_ALERT: u32 = 20;

/// One cell of a class's weekly timetable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub class_id: i64,
    /// 1 = 星期一 … 7 = 星期日.
    pub weekday: u8,
    /// 1–12; 0 for an entry outside the numbered periods (大课间).
    pub period: u8,
    pub subject: String,
    pub teacher: String,
}

/// A class's timetable as checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassCheck {
    pub class_id: i64,
    pub grade: i8,
    /// Teaching periods a week (entries in [`NOT_PERIODS`] aside).
    pub periods: u32,
    /// The curriculum's weekly total for the grade.
    pub weekly_total: Option<u32>,
    /// Subjects the grade takes that the timetable lacks (开齐).
    pub missing: Vec<String>,
    /// Subjects taught below their least weekly periods: (subject, need, have) (开足).
    pub short: Vec<(String, u32, u32)>,
    /// Minutes of PE and 大课间 on each teaching day (星期一 … 星期五 and any other day taught).
    pub activity: Vec<(u8, u32)>,
}

impl ClassCheck {
    /// Every subject present and at its least periods.
    pub fn complete(&self) -> bool {
        self.missing.is_empty() && self.short.is_empty()
    }

    /// Teaching days below an hour of activity in school.
    pub fn days_below_hour(&self) -> usize {
        self.activity.iter().filter(|(_, m)| *m < DAILY_ACTIVITY_MINUTES).count()
    }

    /// Over the weekly total (课时 beyond the plan burden pupils).
    pub fn over_total(&self) -> bool {
        self.weekly_total.is_some_and(|t| self.periods > t)
    }

    /// Below the weekly total.
    pub fn under_total(&self) -> bool {
        self.weekly_total.is_some_and(|t| self.periods < t)
    }
}

/// Checks one class's slots against the requirements of its grade.
pub fn check_class(class_id: i64, grade: i8, slots: &[&Slot], rules: &[Requirement]) -> ClassCheck {
    let mut by_subject: HashMap<&str, u32> = HashMap::new();
    let mut periods = 0;
    let mut activity: BTreeMap<u8, u32> = BTreeMap::new();
    let pe = |s: &str| rules.iter().any(|r| r.subject == "体育与健康" && r.counts(s)) || s == "体育与健康";
    for s in slots {
        activity.entry(s.weekday).or_insert(0);
        if s.subject == "大课间" {
            *activity.entry(s.weekday).or_insert(0) += BREAK_EXERCISE_MINUTES;
        }
        if NOT_PERIODS.contains(&s.subject.as_str()) {
            continue;
        }
        periods += 1;
        *by_subject.entry(s.subject.as_str()).or_insert(0) += 1;
        if pe(&s.subject) {
            *activity.entry(s.weekday).or_insert(0) += period_minutes(grade);
        }
    }
    let (mut missing, mut short) = (Vec::new(), Vec::new());
    for r in rules.iter().filter(|r| r.covers(grade)) {
        let have: u32 = by_subject.iter().filter(|(s, _)| r.counts(s)).map(|(_, n)| n).sum();
        if have == 0 {
            if !missing.contains(&r.subject) {
                missing.push(r.subject.clone());
            }
        } else if have < r.min_periods {
            short.push((r.subject.clone(), r.min_periods, have));
        }
    }
    ClassCheck {
        class_id,
        grade,
        periods,
        weekly_total: weekly_total(grade),
        missing,
        short,
        activity: activity.into_iter().filter(|(d, m)| *d <= 5 || *m > 0).collect(),
    }
}

/// Two classes (or more) given the same teacher at the same time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clash {
    pub teacher: String,
    pub weekday: u8,
    pub period: u8,
    pub class_ids: Vec<i64>,
}

/// Teachers set in two classes at one weekday and period (合班 aside: the same subject in all of
/// them is a combined lesson, not a clash).
pub fn clashes(slots: &[Slot]) -> Vec<Clash> {
    let mut at: BTreeMap<(&str, u8, u8), Vec<&Slot>> = BTreeMap::new();
    for s in slots.iter().filter(|s| !s.teacher.is_empty() && s.period > 0) {
        at.entry((s.teacher.as_str(), s.weekday, s.period)).or_default().push(s);
    }
    at.into_iter()
        .filter(|(_, v)| v.len() > 1 && v.iter().any(|s| s.subject != v[0].subject))
        .map(|((t, d, p), v)| {
            let mut class_ids: Vec<i64> = v.iter().map(|s| s.class_id).collect();
            class_ids.sort_unstable();
            class_ids.dedup();
            Clash { teacher: t.to_string(), weekday: d, period: p, class_ids }
        })
        .collect()
}

/// Teachers' weekly teaching periods above `alert`, most first.
pub fn overloads(slots: &[Slot], alert: u32) -> Vec<(String, u32)> {
    let mut n: HashMap<&str, u32> = HashMap::new();
    let mut seen: std::collections::HashSet<(&str, u8, u8)> = std::collections::HashSet::new();
    for s in slots.iter().filter(|s| !s.teacher.is_empty() && !NOT_PERIODS.contains(&s.subject.as_str())) {
        // A combined lesson (合班) is one period of the teacher's.
        if seen.insert((s.teacher.as_str(), s.weekday, s.period)) {
            *n.entry(s.teacher.as_str()).or_insert(0) += 1;
        }
    }
    let mut out: Vec<(String, u32)> =
        n.into_iter().filter(|(_, k)| *k > alert).map(|(t, k)| (t.to_string(), k)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The weekday's name.
pub fn weekday_name(d: u8) -> &'static str {
    ["", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]
        .get(usize::from(d))
        .copied()
        .unwrap_or("")
}

/// Reads 星期 as typed: 1–7, 一…日/天, 周一, 星期一.
pub fn parse_weekday(raw: &str) -> Option<u8> {
    let t = raw.trim().trim_start_matches("星期").trim_start_matches('周');
    match t {
        "1" | "一" => Some(1),
        "2" | "二" => Some(2),
        "3" | "三" => Some(3),
        "4" | "四" => Some(4),
        "5" | "五" => Some(5),
        "6" | "六" => Some(6),
        "7" | "日" | "天" => Some(7),
        _ => None,
    }
}

/// Reads 节次: 1–12, or 大课间 (outside the numbered periods, 0).
pub fn parse_period(raw: &str) -> Option<u8> {
    let t = raw.trim().trim_start_matches('第').trim_end_matches('节');
    if t == "大课间" {
        return Some(0);
    }
    t.parse::<u8>().ok().filter(|p| (1..=12).contains(p))
}

/// How the figures are counted, as pages state them.
pub const KOUJING: &str = "口径：按学校上传的本学期周课表逐班核对。开齐＝该年级应开设的科目均有课时；开足＝各科周课时不少于课程方案（或本省课程设置表）规定的最少课时；开齐开足率＝开齐开足的班级数÷已上传课表的班级数。大课间、早读等不计课时；体育课与大课间合计为校内体育活动时间（大课间按30分钟计）。";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standards::curriculum::default_requirements;

    fn slot(class_id: i64, weekday: u8, period: u8, subject: &str, teacher: &str) -> Slot {
        Slot { class_id, weekday, period, subject: subject.into(), teacher: teacher.into() }
    }

    /// A grade-4 week of 30 periods that opens every subject at its floor.
    fn full_grade4(class_id: i64) -> Vec<Slot> {
        let week: &[(&str, u32)] = &[
            ("语文", 6),
            ("数学", 5),
            ("英语", 3),
            ("道德与法治", 2),
            ("科学", 2),
            ("信息科技", 1),
            ("体育与健康", 3),
            ("音乐", 2),
            ("美术", 2),
            ("劳动", 1),
            ("综合实践活动", 2),
            ("校本课程", 1),
        ];
        let mut out = Vec::new();
        let mut n = 0u8;
        for (s, k) in week {
            for _ in 0..*k {
                out.push(slot(class_id, n / 6 + 1, n % 6 + 1, s, &format!("{s}老师")));
                n += 1;
            }
        }
        for d in 1..=5 {
            out.push(slot(class_id, d, 0, "大课间", ""));
        }
        out
    }

    #[test]
    fn a_complete_week_passes_and_each_gap_is_named() {
        let rules = default_requirements();
        let week = full_grade4(1);
        let refs: Vec<&Slot> = week.iter().collect();
        let c = check_class(1, 4, &refs, &rules);
        assert_eq!((c.periods, c.weekly_total, c.complete()), (30, Some(30), true), "{c:?}");
        assert!(!c.over_total() && !c.under_total());
        // Drop 信息科技 and one PE period: missing and short.
        let thin: Vec<&Slot> = week
            .iter()
            .filter(|s| s.subject != "信息科技")
            .enumerate()
            .filter(|(i, s)| !(s.subject == "体育与健康" && *i == 20))
            .map(|(_, s)| s)
            .collect();
        let c = check_class(1, 4, &thin, &rules);
        assert_eq!(c.missing, ["信息科技"]);
        assert_eq!(c.short, [("体育与健康".to_string(), 3, 2)]);
        assert!(c.under_total() && !c.complete());
    }

    #[test]
    fn activity_minutes_are_pe_periods_and_the_break() {
        let rules = default_requirements();
        let week = full_grade4(1);
        let refs: Vec<&Slot> = week.iter().collect();
        let c = check_class(1, 4, &refs, &rules);
        // Each PE period is 40 minutes in 小学, on whichever day it falls.
        let total: u32 = c.activity.iter().map(|(_, m)| m).sum();
        assert_eq!(total, 3 * 40 + 5 * BREAK_EXERCISE_MINUTES);
        assert_eq!(c.activity.len(), 5);
        assert!(c.days_below_hour() >= 3, "30 minutes of 大课间 alone is below the hour: {:?}", c.activity);
        // The line itself: an hour is enough, a minute less is not.
        let at = |m: u32| ClassCheck { activity: vec![(1, m)], ..c.clone() }.days_below_hour();
        assert_eq!((at(DAILY_ACTIVITY_MINUTES), at(DAILY_ACTIVITY_MINUTES - 1)), (0, 1));
        assert_eq!((BREAK_EXERCISE_MINUTES, DAILY_ACTIVITY_MINUTES), (30, 60), "中发〔2007〕7号");
    }

    #[test]
    fn clashes_overloads_and_combined_lessons() {
        let slots = vec![
            slot(1, 1, 1, "语文", "王"),
            slot(2, 1, 1, "数学", "王"),
            slot(3, 1, 2, "体育与健康", "李"),
            slot(4, 1, 2, "体育与健康", "李"),
        ];
        let c = clashes(&slots);
        assert_eq!(
            c,
            [Clash { teacher: "王".into(), weekday: 1, period: 1, class_ids: vec![1, 2] }],
            "合班 is no clash"
        );
        let many: Vec<Slot> = (0..21).map(|i| slot(1, i / 7 + 1, i % 7 + 1, "语文", "张")).collect();
        assert_eq!(overloads(&many, TEACHER_WEEKLY_ALERT), [("张".to_string(), 21)]);
        assert!(overloads(&many[..20], TEACHER_WEEKLY_ALERT).is_empty(), "20 is the line, not over it");
    }

    #[test]
    fn weekdays_periods_and_a_missing_subject() {
        assert_eq!(
            ["1", "一", "周二", "星期三", "4", "五", "六", "日", "星期天"].map(parse_weekday),
            [Some(1), Some(1), Some(2), Some(3), Some(4), Some(5), Some(6), Some(7), Some(7)]
        );
        assert_eq!(parse_weekday("八"), None);
        assert_eq!(
            ["1", "第3节", "12", "13", "0", "大课间"].map(parse_period),
            [Some(1), Some(3), Some(12), None, None, Some(0)]
        );
        let rules = default_requirements();
        let a = full_grade4(1);
        let b: Vec<Slot> = full_grade4(2).into_iter().filter(|s| s.subject != "劳动").collect();
        let checks = [
            check_class(1, 4, &a.iter().collect::<Vec<_>>(), &rules),
            check_class(2, 4, &b.iter().collect::<Vec<_>>(), &rules),
        ];
        assert_eq!(checks.map(|c| c.complete()), [true, false], "劳动 missing");
    }
}
