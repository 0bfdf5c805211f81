//! Training completion records as training platforms export them (国培/省培 platforms, the county's
//! 研修 platform): one row per teacher and course. Every row is checked and every problem named.

use chrono::NaiveDate;
use eduq_core::training::{Level, Mode};

use crate::row::{Row, columns};
use crate::table::Table;
use crate::{ExchangeError, RowError};

pub const TRAINING_HEADERS: &[&str] =
    &["工号", "姓名", "课程名称", "培训级别", "培训形式", "师德", "学时", "完成日期", "培训机构"];

#[derive(Debug, Clone, PartialEq)]
pub struct TrainingLine {
    pub row: usize,
    pub staff_no: String,
    pub name: String,
    pub course: String,
    pub level: Level,
    pub mode: Mode,
    pub ethics: bool,
    pub hours: f64,
    pub day: NaiveDate,
    pub provider: String,
}

pub fn read_training_lines(t: &Table) -> Result<Vec<TrainingLine>, ExchangeError> {
    let index = columns(t, TRAINING_HEADERS, |h| !["师德", "培训机构"].contains(&h))?;
    let mut errors: Vec<RowError> = Vec::new();
    let mut out = Vec::new();
    for (n, cells) in &t.rows {
        let mut r = Row { n: *n, cells, index: &index, errors: &mut errors };
        let staff_no = r.text("工号");
        let name = r.name("姓名");
        let course = r.text("课程名称");
        let level = r.labelled("培训级别", Level::parse, Level::labels());
        let mode = r.labelled("培训形式", Mode::parse, Mode::labels());
        let ethics = !r.raw("师德").is_empty() && r.yes_no("师德");
        let hours = r.parse("学时", eduq_core::training::parse_hours);
        let day = r.date("完成日期");
        if let (Some(staff_no), Some(name), Some(course), Some(level), Some(mode), Some(hours), Some(day)) =
            (staff_no, name, course, level, mode, hours, day)
        {
            let provider = r.opt("培训机构").unwrap_or_default();
            out.push(TrainingLine { row: *n, staff_no, name, course, level, mode, ethics, hours, day, provider });
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
            headers: TRAINING_HEADERS.iter().map(|h| h.to_string()).collect(),
            rows: rows.iter().enumerate().map(|(i, r)| (i + 2, r.iter().map(|c| c.to_string()).collect())).collect(),
            warnings: vec![],
        }
    }

    #[test]
    fn rows_are_checked_and_every_error_named() {
        let ok: &[&str] =
            &["T0001", "王老师", "新课标解读", "国培", "线上", "否", "24", "2026-10-12", "国家智慧教育平台"];
        let lines = read_training_lines(&table(&[ok])).expect("valid");
        assert_eq!(
            (lines[0].level, lines[0].mode, lines[0].hours, lines[0].ethics),
            (Level::National, Mode::Online, 24.0, false)
        );
        let bad: &[&str] = &["T0002", "李老师", "师德专题", "乡级", "集中", "是", "0", "2026-13-01", ""];
        let Err(ExchangeError::Rows(errors)) = read_training_lines(&table(&[ok, bad])) else { panic!("errors") };
        let named: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(named, [(3, "培训级别"), (3, "学时"), (3, "完成日期")]);
        let over: &[&str] = &["T0003", "赵老师", "跟岗研修", "省培", "集中", "", "400.5", "2026-10-12", ""];
        assert!(read_training_lines(&table(&[over])).is_err(), "beyond the most hours a record carries");
    }
}
