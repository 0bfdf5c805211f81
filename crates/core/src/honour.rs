//! The register of what schools are designated (示范校, 特色校, 智慧校园, 文明校园, 优质园, 星级, bases,
//! 精品课) and the honours people of a school receive (三好学生, 最美教师 …): kind, level, year and
//! validity. Designations held on a day give the shares plan targets name.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

crate::labelled_enum! {
    /// What a school (or someone of it) is designated or honoured as.
    HonourKind, "称号类别" {
        SmartCampus => "smart_campus", "智慧校园";
        CivilisedCampus => "civilised_campus", "文明校园";
        QualityKindergarten => "quality_kindergarten", "优质园" | "优质幼儿园";
        MoralEducation => "moral", "德育特色校" | "德育示范校";
        Labour => "labour", "劳动教育特色校" | "劳动教育示范校";
        Psych => "psych", "心理健康教育特色校" | "心理健康教育示范校";
        SportsArts => "sports_arts", "体艺特色校" | "体育艺术特色校";
        ModelSchool => "model", "示范校";
        StarSchool => "star", "星级学校";
        Base => "base", "基地";
        FineCourse => "fine_course", "精品课";
        PersonalHonour => "personal", "个人荣誉";
    }
}

crate::labelled_enum! {
    /// Who conferred it.
    HonourLevel, "认定级别" {
        National => "national", "国家级";
        Province => "province", "省级";
        City => "city", "市级";
        County => "county", "区级" | "县级" | "县（区）级";
    }
}

/// One entry of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Honour {
    pub kind: HonourKind,
    pub level: HonourLevel,
    /// The title as conferred (“市级智慧校园示范校”).
    pub title: String,
    /// The person honoured; empty for the school's own designation.
    pub person: String,
    /// The year conferred.
    pub year: i32,
    /// The last day it holds (`None`: no end stated).
    pub valid_until: Option<NaiveDate>,
}

impl Honour {
    /// Held on `day`: conferred in or before its year, and not expired.
    pub fn held_on(&self, day: NaiveDate) -> bool {
        self.year <= day.year() && self.valid_until.is_none_or(|end| end >= day)
    }

    /// The school's own designation (not a person's honour), which the school shares count.
    pub fn of_school(&self) -> bool {
        self.person.is_empty() && self.kind != HonourKind::PersonalHonour
    }
}

/// Checks an entry as typed: a year within reason and a validity not ending before it.
pub fn check(h: &Honour, today: NaiveDate) -> Result<(), String> {
    if !(1949..=today.year()).contains(&h.year) {
        return Err(format!("认定年份“{}”应在1949到{}之间", h.year, today.year()));
    }
    if let Some(end) = h.valid_until
        && end.year() < h.year
    {
        return Err(format!("有效期至{end}早于认定年份{}", h.year));
    }
    if h.kind == HonourKind::PersonalHonour && h.person.trim().is_empty() {
        return Err("个人荣誉须填写获得者姓名".into());
    }
    if h.title.trim().is_empty() {
        return Err("请填写称号全称".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn honour(year: i32, until: Option<NaiveDate>) -> Honour {
        Honour {
            kind: HonourKind::SmartCampus,
            level: HonourLevel::City,
            title: "市级智慧校园示范校".into(),
            person: String::new(),
            year,
            valid_until: until,
        }
    }

    #[test]
    fn held_from_its_year_to_its_last_day() {
        let h = honour(2025, Some(d(2027, 12, 31)));
        assert!(h.held_on(d(2025, 1, 1)) && h.held_on(d(2027, 12, 31)));
        assert!(!h.held_on(d(2024, 12, 31)) && !h.held_on(d(2028, 1, 1)));
        assert!(honour(2020, None).held_on(d(2030, 6, 1)), "no end stated");
        assert!(h.of_school());
        let person = Honour { kind: HonourKind::PersonalHonour, person: "张三".into(), ..h.clone() };
        assert!(!person.of_school());
    }

    #[test]
    fn entries_are_checked() {
        let today = d(2026, 11, 20);
        assert_eq!(check(&honour(2026, None), today), Ok(()));
        assert!(check(&honour(2027, None), today).unwrap_err().contains("1949到2026"));
        assert!(check(&honour(2025, Some(d(2024, 12, 31))), today).unwrap_err().contains("早于认定年份"));
        let nobody = Honour { kind: HonourKind::PersonalHonour, ..honour(2025, None) };
        assert!(check(&nobody, today).unwrap_err().contains("获得者姓名"));
        assert_eq!(HonourKind::parse("优质幼儿园").ok(), Some(HonourKind::QualityKindergarten));
        assert_eq!(HonourLevel::parse("县级").ok(), Some(HonourLevel::County));
    }
}
