//! School years and terms. "Today" is always an argument, never read here.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::CoreError;

/// A term: the school year starting in `start_year` (2024 = 2024-2025学年) and term 1 or 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Term {
    pub start_year: i32,
    pub term_no: u8,
}

impl Term {
    pub fn new(start_year: i32, term_no: u8) -> Option<Term> {
        ((1..=2).contains(&term_no) && (1990..=2100).contains(&start_year)).then_some(Term { start_year, term_no })
    }

    /// The term a date falls in: 第一学期 from 1 August to end of January, 第二学期 February–July.
    pub fn containing(date: NaiveDate) -> Term {
        match date.month() {
            8..=12 => Term { start_year: date.year(), term_no: 1 },
            1 => Term { start_year: date.year() - 1, term_no: 1 },
            _ => Term { start_year: date.year() - 1, term_no: 2 },
        }
    }

    /// "2024-2025"
    pub fn school_year(self) -> String {
        format!("{}-{}", self.start_year, self.start_year + 1)
    }

    /// "第一学期" or "第二学期"
    pub fn term_name(self) -> &'static str {
        if self.term_no == 1 { "第一学期" } else { "第二学期" }
    }

    /// "2024-2025学年第一学期"
    pub fn label(self) -> String {
        format!("{}学年{}", self.school_year(), self.term_name())
    }

    /// Compact key "2024-2025-1", used in URLs and the CLI.
    pub fn key(self) -> String {
        format!("{}-{}", self.school_year(), self.term_no)
    }

    /// Nominal bounds (1 Sep – 31 Jan, 1 Feb – 31 Jul); schools refine them with calendars.
    pub fn nominal_bounds(self) -> (NaiveDate, NaiveDate) {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN);
        if self.term_no == 1 {
            (d(self.start_year, 9, 1), d(self.start_year + 1, 1, 31))
        } else {
            (d(self.start_year + 1, 2, 1), d(self.start_year + 1, 7, 31))
        }
    }

    pub fn previous(self) -> Term {
        if self.term_no == 2 {
            Term { start_year: self.start_year, term_no: 1 }
        } else {
            Term { start_year: self.start_year - 1, term_no: 2 }
        }
    }
}

impl std::fmt::Display for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// Parses "2024-2025" (a school year) into its start year.
pub fn parse_school_year(raw: &str) -> Result<i32, CoreError> {
    let s = raw.trim().trim_end_matches("学年");
    let bad = || CoreError::Invalid(format!("学年“{raw}”格式应为“2024-2025”"));
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let (a, b): (i32, i32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if b != a + 1 || !(1990..=2100).contains(&a) {
        return Err(bad());
    }
    Ok(a)
}

/// Parses a term number as "1", "2", "第一学期", "第二学期", "一", "二".
pub fn parse_term_no(raw: &str) -> Result<u8, CoreError> {
    match raw.trim() {
        "1" | "一" | "第一学期" | "上学期" => Ok(1),
        "2" | "二" | "第二学期" | "下学期" => Ok(2),
        _ => Err(CoreError::Invalid(format!("学期“{raw}”应为“第一学期”或“第二学期”（或1、2）"))),
    }
}

/// Parses "2024-2025-1" or "2024-2025学年第一学期".
pub fn parse_term(raw: &str) -> Result<Term, CoreError> {
    let s = raw.trim();
    if let Some((year, term)) = s.split_once("学年") {
        return Ok(Term { start_year: parse_school_year(year)?, term_no: parse_term_no(term)? });
    }
    match s.rsplit_once('-') {
        Some((year, term)) => Ok(Term { start_year: parse_school_year(year)?, term_no: parse_term_no(term)? }),
        None => Err(CoreError::Invalid(format!("学期“{raw}”格式应为“2024-2025-1”"))),
    }
}

/// Age in whole years on a given date.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Accepts the date spellings Chinese spreadsheets carry: 2013-02-03, 2013/2/3, 2013.2.3,
/// 20130203, 2013年2月3日.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    let normalised: String =
        s.trim_end_matches('日').chars().map(|c| if matches!(c, '/' | '.' | '年' | '月') { '-' } else { c }).collect();
    let mut parts = normalised.split('-');
    let y: i32 = parts.next()?.trim().parse().ok()?;
    let m: u32 = parts.next()?.trim().parse().ok()?;
    let d: u32 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() || !(1900..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A month as HR systems write it (进本校年月: 2015-09, 2015/9, 2015年9月, 201509) or a whole date;
/// the first day of that month.
pub fn parse_month(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim().trim_end_matches('月');
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        return parse_date(&format!("{s}01")).map(|d| d.with_day(1).unwrap_or(d));
    }
    if let Some(d) = parse_date(raw) {
        return d.with_day(1);
    }
    parse_date(&format!("{}-1", s.trim_end_matches(['-', '/', '.'])))
}

crate::labelled_enum! {
    /// An exception to the weekday rule in a school calendar.
    DayKind, "日期类别" {
        Holiday => "holiday", "放假" | "假期" | "节假日" | "休息";
        Makeup => "makeup", "调休上课" | "补课" | "上课";
    }
}

/// The teaching days of a term for one school: Monday to Friday within the term's bounds, minus
/// holidays, plus make-up days (调休上课 on a weekend). District entries apply to every school; a
/// school's own entry for the same day wins.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeachingCalendar {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub exceptions: std::collections::BTreeMap<NaiveDate, DayKind>,
}

impl TeachingCalendar {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Self {
        TeachingCalendar { from: Some(from), to: Some(to), exceptions: Default::default() }
    }

    pub fn is_school_day(&self, d: NaiveDate) -> bool {
        if self.from.is_some_and(|f| d < f) || self.to.is_some_and(|t| d > t) {
            return false;
        }
        match self.exceptions.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Makeup) => true,
            None => !matches!(d.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun),
        }
    }

    /// School days from `from` to `to` inclusive, in order.
    pub fn days(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        from.iter_days().take_while(|d| *d <= to).filter(|d| self.is_school_day(*d)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_as_hr_systems_write_them() {
        let sep = NaiveDate::from_ymd_opt(2015, 9, 1);
        for raw in ["2015-09", "2015/9", "2015年9月", "201509", "2015.09", "2015-09-15", "2015年9月15日"] {
            assert_eq!(parse_month(raw), sep, "{raw}");
        }
        for raw in ["2015-13", "九月", "", "2015"] {
            assert_eq!(parse_month(raw), None, "{raw}");
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn terms() {
        assert_eq!(Term::containing(d(2024, 9, 1)), Term { start_year: 2024, term_no: 1 });
        assert_eq!(Term::containing(d(2025, 1, 31)), Term { start_year: 2024, term_no: 1 });
        assert_eq!(Term::containing(d(2025, 2, 1)), Term { start_year: 2024, term_no: 2 });
        assert_eq!(Term::containing(d(2025, 7, 31)), Term { start_year: 2024, term_no: 2 });
        let t = Term { start_year: 2024, term_no: 2 };
        assert_eq!(t.label(), "2024-2025学年第二学期");
        assert_eq!(parse_term(&t.label()), Ok(t));
        assert_eq!(parse_term(&t.key()), Ok(t));
        assert!(parse_term("2024-2026-1").is_err());
        assert_eq!(t.previous().previous(), Term { start_year: 2023, term_no: 2 });
    }

    #[test]
    fn teaching_days_follow_the_calendar() {
        let mut c = TeachingCalendar::new(d(2026, 9, 1), d(2027, 1, 31));
        // 2026-10-01 (Thu) 国庆 holiday; 2026-10-10 (Sat) a make-up day.
        c.exceptions.insert(d(2026, 10, 1), DayKind::Holiday);
        c.exceptions.insert(d(2026, 10, 10), DayKind::Makeup);
        assert!(c.is_school_day(d(2026, 9, 30)));
        assert!(!c.is_school_day(d(2026, 10, 1)));
        assert!(!c.is_school_day(d(2026, 10, 3)), "weekend");
        assert!(c.is_school_day(d(2026, 10, 10)), "make-up Saturday");
        assert!(!c.is_school_day(d(2026, 8, 31)) && !c.is_school_day(d(2027, 2, 1)), "outside the term");
        assert_eq!(c.days(d(2026, 9, 28), d(2026, 10, 11)).len(), 4 + 5 + 1);
        assert_eq!(DayKind::parse("调休上课"), Ok(DayKind::Makeup));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2013-02-03"), Some(d(2013, 2, 3)));
        assert_eq!(parse_date("2013/2/3"), Some(d(2013, 2, 3)));
        assert_eq!(parse_date("2013年2月3日"), Some(d(2013, 2, 3)));
        assert_eq!(parse_date("20130203"), Some(d(2013, 2, 3)));
        assert_eq!(parse_date("2013-02-30"), None);
        assert_eq!(parse_date("2013-02"), None);
        assert_eq!(age_on(d(2013, 9, 2), d(2019, 9, 1)), 5);
        assert_eq!(age_on(d(2013, 9, 1), d(2019, 9, 1)), 6);
    }
}
