//! Weekly timetables as schools keep them: one row per class, weekday and period. Every row is
//! checked and every problem named; a class given two subjects at one time is refused.

use std::collections::HashMap;

use eduq_core::grade::Grade;
use eduq_core::standards::curriculum::Requirement;
use eduq_core::timetable::{parse_period, parse_weekday};

use crate::row::{Row, columns};
use crate::table::Table;
use crate::{ExchangeError, RowError};

/// The template's columns; 学校标识码 is needed only when the bureau uploads for schools.
pub const TIMETABLE_HEADERS: &[&str] = &["学校标识码", "年级", "班级", "星期", "节次", "科目", "教师"];

#[derive(Debug, Clone, PartialEq)]
pub struct TimetableLine {
    pub row: usize,
    pub school_code: Option<String>,
    pub grade: Grade,
    /// The class as written: its 班号 (“2”) or its name (“四（2）班”).
    pub class: String,
    pub weekday: u8,
    pub period: u8,
    pub subject: String,
    pub teacher: String,
}

pub fn read_timetable(t: &Table) -> Result<Vec<TimetableLine>, ExchangeError> {
    let index = columns(t, TIMETABLE_HEADERS, |h| !["学校标识码", "教师"].contains(&h))?;
    let mut errors: Vec<RowError> = Vec::new();
    let mut out = Vec::new();
    let mut taken: HashMap<(Option<String>, Grade, String, u8, u8), usize> = HashMap::new();
    for (n, cells) in &t.rows {
        let mut r = Row { n: *n, cells, index: &index, errors: &mut errors };
        let grade =
            r.parse("年级", |s| Grade::parse(s).map_err(|_| "不是有效年级（如“一年级”“七年级”）".to_string()));
        let class = r.name("班级");
        let weekday = r.parse("星期", |s| parse_weekday(s).ok_or_else(|| "应为星期一至星期日（或1–7）".to_string()));
        let period = r.parse("节次", |s| parse_period(s).ok_or_else(|| "应为1–12的节次或“大课间”".to_string()));
        let subject = r.name("科目");
        let teacher = r.opt("教师").unwrap_or_default();
        if teacher.chars().count() > eduq_core::text::NAME_CHARS {
            r.fail("教师", format!("超过{}个字", eduq_core::text::NAME_CHARS));
        }
        let school_code = r.opt("学校标识码");
        if let (Some(grade), Some(class), Some(weekday), Some(period), Some(subject)) =
            (grade, class, weekday, period, subject)
        {
            let key = (school_code.clone(), grade, class.clone(), weekday, period);
            match taken.get(&key) {
                Some(first) if period > 0 => errors.push(RowError {
                    row: *n,
                    column: "节次".into(),
                    value: cells.get(index["节次"]).cloned().unwrap_or_default(),
                    message: format!("与第{first}行是同一班级同一节次"),
                }),
                _ => {
                    taken.insert(key, *n);
                    out.push(TimetableLine { row: *n, school_code, grade, class, weekday, period, subject, teacher });
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ExchangeError::Rows(errors));
    }
    if out.is_empty() {
        return Err(ExchangeError::Empty);
    }
    Ok(out)
}

/// The province's curriculum table as the bureau keeps it: one row per subject and grade span.
pub const CURRICULUM_HEADERS: &[&str] = &["科目", "可计入的科目", "起始年级", "终止年级", "最少周课时"];

pub fn read_curriculum(t: &Table) -> Result<Vec<Requirement>, ExchangeError> {
    let index = columns(t, CURRICULUM_HEADERS, |h| h != "可计入的科目")?;
    let mut errors: Vec<RowError> = Vec::new();
    let mut out = Vec::new();
    for (n, cells) in &t.rows {
        let mut r = Row { n: *n, cells, index: &index, errors: &mut errors };
        let subject = r.name("科目");
        let accepts: Vec<String> = r
            .opt("可计入的科目")
            .unwrap_or_default()
            .split(['、', ',', '，', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let grade = |s: &str| {
            Grade::parse(s)
                .ok()
                .map(Grade::number)
                .filter(|g| (1..=9).contains(g))
                .ok_or_else(|| "应为一年级至九年级".to_string())
        };
        let first = r.parse("起始年级", grade);
        let last = r.parse("终止年级", grade);
        let min = r.parse("最少周课时", |s| {
            s.trim().parse::<u32>().ok().filter(|n| (1..=15).contains(n)).ok_or_else(|| "应为1–15的整数".to_string())
        });
        if let (Some(f), Some(l)) = (first, last)
            && f > l
        {
            r.fail("终止年级", "早于起始年级");
            continue;
        }
        if let (Some(subject), Some(first_grade), Some(last_grade), Some(min_periods)) = (subject, first, last, min) {
            out.push(Requirement { subject, accepts, first_grade, last_grade, min_periods });
        }
    }
    if !errors.is_empty() {
        return Err(ExchangeError::Rows(errors));
    }
    if out.is_empty() {
        return Err(ExchangeError::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            headers: TIMETABLE_HEADERS.iter().map(|h| h.to_string()).collect(),
            rows: rows.iter().enumerate().map(|(i, r)| (i + 2, r.iter().map(|c| c.to_string()).collect())).collect(),
            warnings: vec![],
        }
    }

    #[test]
    fn rows_are_checked_and_every_error_named() {
        let ok: &[&str] = &["", "四年级", "2", "星期一", "1", "语文", "王老师"];
        let brk: &[&str] = &["", "四年级", "2", "一", "大课间", "大课间", ""];
        let lines = read_timetable(&table(&[ok, brk])).expect("valid");
        assert_eq!((lines[0].weekday, lines[0].period, lines[1].period), (1, 1, 0));
        let bad: &[&str] = &["", "十年级", "2", "星期八", "13", "", ""];
        let twice: &[&str] = &["", "四年级", "2", "1", "第1节", "数学", "李老师"];
        let Err(ExchangeError::Rows(errors)) = read_timetable(&table(&[ok, bad, twice])) else { panic!("errors") };
        let named: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(named, [(3, "年级"), (3, "星期"), (3, "节次"), (3, "科目"), (4, "节次")]);
        assert!(errors[4].message.contains("第2行"), "{}", errors[4].message);
    }

    #[test]
    fn a_province_table_is_read_and_checked() {
        let t = Table {
            headers: CURRICULUM_HEADERS.iter().map(|h| h.to_string()).collect(),
            rows: vec![
                (2, ["体育与健康", "体育", "一年级", "二年级", "4"].map(String::from).to_vec()),
                (3, ["书法", "", "三年级", "六年级", "1"].map(String::from).to_vec()),
                (4, ["劳动", "", "五年级", "三年级", "0"].map(String::from).to_vec()),
            ],
            warnings: vec![],
        };
        let Err(ExchangeError::Rows(errors)) = read_curriculum(&t) else { panic!("errors") };
        let named: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(named, [(4, "最少周课时"), (4, "终止年级")]);
        let ok = Table { rows: t.rows[..2].to_vec(), ..t };
        let rules = read_curriculum(&ok).expect("valid");
        assert_eq!(rules[0].accepts, ["体育"]);
        assert_eq!((rules[1].first_grade, rules[1].last_grade, rules[1].min_periods), (3, 6, 1));
    }
}
