//! The compulsory curriculum: which subjects each grade takes, the least weekly periods where a
//! national text sets them, the weekly totals and the nine-year shares. A province's own table
//! (周课时 per subject and grade) replaces [`DEFAULT`] as district data; this is the national floor.
//!
//! Sources:
//! - 教育部《义务教育课程方案（2022年版）》（教材〔2022〕2号）: the subjects and the grades that take
//!   them (外语 from grade 3, 信息科技 set apart in grades 3–8, 物理/化学/生物学 or 科学 in 初中, 历史
//!   and 地理 in 初中, 劳动 and 综合实践活动 in every grade), weekly totals 26 (grades 1–2), 30 (3–6),
//!   34 (7–9), 35 teaching weeks a year (33 in grade 9), 9522 periods in nine years, and the
//!   nine-year shares of each subject [V: the shares, weekly totals, weeks and 9522 as quoted in the
//!   Guangdong 2024 implementation report and the Zhejiang 2023 table; the grade spans [M]].
//! - 国务院办公厅《关于强化学校体育促进学生身心健康全面发展的意见》（国办发〔2016〕27号）: 体育 4
//!   periods a week in grades 1–2, 3 in grades 3–9 [M].
//! - 中共中央 国务院《关于全面加强新时代大中小学劳动教育的意见》(2020) and 教育部《大中小学劳动教育
//!   指导纲要（试行）》(2020): 劳动教育课 on average at least 1 period a week [M].
//!
//! Where a national text sets no least number, a subject a grade takes needs at least one period
//! a week (开齐); the province's table sets the rest (开足).

use super::Provenance;

pub const PROVENANCE: Provenance = Provenance {
    source: "《义务教育课程方案（2022年版）》；国办发〔2016〕27号；《大中小学劳动教育指导纲要（试行）》",
    clause: "课程设置、周课时总量与九年课时比例；体育一二年级每周4课时、三至九年级3课时；劳动每周不少于1课时",
    confidence: "[V] 周课时总量、九年比例、9522；[M] 其余",
};

/// A subject a span of grades takes, with the timetable names that count for it (a 综合科学
/// period counts for 物理, 化学 and 生物学 where a province teaches 科学 in 初中).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Requirement {
    pub subject: String,
    pub accepts: Vec<String>,
    pub first_grade: i8,
    pub last_grade: i8,
    /// Least periods a week.
    pub min_periods: u32,
}

impl Requirement {
    pub fn covers(&self, grade: i8) -> bool {
        (self.first_grade..=self.last_grade).contains(&grade)
    }

    pub fn counts(&self, timetable_subject: &str) -> bool {
        self.subject == timetable_subject || self.accepts.iter().any(|a| a == timetable_subject)
    }
}

/// (subject, other names that count, first grade, last grade, least weekly periods).
type Row = (&'static str, &'static [&'static str], i8, i8, u32);

const ROWS: &[Row] = &[
    ("道德与法治", &["道法", "品德与生活", "品德与社会", "思想品德"], 1, 9, 1),
    ("语文", &[], 1, 9, 1),
    ("数学", &[], 1, 9, 1),
    ("外语", &["英语", "日语", "俄语"], 3, 9, 1),
    ("科学", &[], 1, 6, 1),
    ("生物学", &["生物", "科学"], 7, 8, 1),
    ("物理", &["科学"], 8, 9, 1),
    ("化学", &["科学"], 9, 9, 1),
    ("历史", &["历史与社会"], 7, 9, 1),
    ("地理", &["历史与社会"], 7, 8, 1),
    ("信息科技", &["信息技术"], 3, 8, 1),
    ("体育与健康", &["体育"], 1, 2, 4),
    ("体育与健康", &["体育"], 3, 9, 3),
    ("音乐", &["艺术"], 1, 7, 1),
    ("美术", &["艺术"], 1, 7, 1),
    ("艺术", &["音乐", "美术", "舞蹈", "戏剧", "影视"], 8, 9, 1),
    ("劳动", &[], 1, 9, 1),
    ("综合实践活动", &["综合实践", "班团队活动", "班会"], 1, 9, 1),
];

/// The national floor as requirements.
pub fn default_requirements() -> Vec<Requirement> {
    ROWS.iter()
        .map(|(s, a, f, l, m)| Requirement {
            subject: s.to_string(),
            accepts: a.iter().map(|x| x.to_string()).collect(),
            first_grade: *f,
            last_grade: *l,
            min_periods: *m,
        })
        .collect()
}

/// Periods a week of the whole timetable, by grade span (课程方案 2022).
pub const WEEKLY_TOTALS: &[(i8, i8, u32)] = &[(1, 2, 26), (3, 6, 30), (7, 9, 34)];

pub fn weekly_total(grade: i8) -> Option<u32> {
    WEEKLY_TOTALS.iter().find(|(f, l, _)| (*f..=*l).contains(&grade)).map(|(_, _, n)| *n)
}

/// Minutes of a period: 40 in 小学, 45 in 初中 (课程方案 2022).
pub fn period_minutes(grade: i8) -> u32 {
    if grade <= 6 { 40 } else { 45 }
}

/// Nine-year shares in percent (课程方案 2022): (subjects that count, least, most).
pub const NINE_YEAR_SHARES: &[(&[&str], f64, f64)] = &[
    (&["道德与法治"], 6.0, 8.0),
    (&["语文"], 20.0, 22.0),
    (&["数学"], 13.0, 15.0),
    (&["外语"], 6.0, 8.0),
    (&["历史", "地理"], 3.0, 4.0),
    (&["科学", "物理", "化学", "生物学"], 8.0, 10.0),
    (&["信息科技"], 1.0, 3.0),
    (&["体育与健康"], 10.0, 11.0),
    (&["艺术", "音乐", "美术"], 9.0, 11.0),
    (&["劳动", "综合实践活动", "地方课程", "校本课程"], 14.0, 18.0),
];

/// Subject names teachers pick from (the timetable's and the homework log's list).
pub fn subject_names() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (s, _, _, _, _) in ROWS {
        if !out.contains(s) {
            out.push(s);
        }
    }
    for extra in ["英语", "地方课程", "校本课程"] {
        if !out.contains(&extra) {
            out.push(extra);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_at_its_boundaries() {
        let r = default_requirements();
        let need = |subject: &str, grade: i8| {
            r.iter().filter(|q| q.subject == subject && q.covers(grade)).map(|q| q.min_periods).max()
        };
        assert_eq!(need("体育与健康", 2), Some(4));
        assert_eq!(need("体育与健康", 3), Some(3));
        assert_eq!(need("体育与健康", 9), Some(3));
        assert_eq!(need("外语", 2), None, "from grade 3");
        assert_eq!(need("外语", 3), Some(1));
        assert_eq!(need("信息科技", 8), Some(1));
        assert_eq!(need("信息科技", 9), None);
        assert_eq!(need("化学", 8), None);
        assert_eq!(need("化学", 9), Some(1));
        assert_eq!(need("音乐", 7), Some(1));
        assert_eq!(need("音乐", 8), None, "艺术 from grade 8");
        assert_eq!(need("劳动", 1), Some(1));
        assert!(r.iter().any(|q| q.subject == "物理" && q.counts("科学")), "综合科学 counts");
        assert_eq!(
            (weekly_total(2), weekly_total(3), weekly_total(6), weekly_total(7), weekly_total(10)),
            (Some(26), Some(30), Some(30), Some(34), None)
        );
        assert_eq!((period_minutes(6), period_minutes(7)), (40, 45));
    }

    #[test]
    fn nine_years_of_weekly_totals_make_the_published_9522() {
        // 35 teaching weeks a year, 33 in grade 9.
        let total: u32 = (1..=9).map(|g| weekly_total(g).unwrap_or(0) * if g == 9 { 33 } else { 35 }).sum();
        assert_eq!(total, 9522);
        let (lo, hi): (f64, f64) = NINE_YEAR_SHARES.iter().fold((0.0, 0.0), |(a, b), (_, l, h)| (a + l, b + h));
        assert!(lo <= 100.0 && hi >= 100.0, "the ranges admit a whole: {lo}–{hi}");
    }
}
