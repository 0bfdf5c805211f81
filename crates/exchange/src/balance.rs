//! The school list of a 优质均衡 evaluation (学校代码, 学校名称, 在校生数 and the seven numerators).

use std::collections::HashMap;

use eduq_core::balance::SchoolInput;
use eduq_core::standards::quality_balance::INDICATORS;

use crate::row::{Row, columns};
use crate::table::Table;
use crate::{ExchangeError, RowError};

pub const HEADERS: [&str; 10] = [
    "学校代码",
    "学校名称",
    "在校生数",
    "高于规定学历教师数",
    "县级及以上骨干教师数",
    "体育艺术专任教师数",
    "教学及辅助用房面积",
    "体育运动场馆面积",
    "教学仪器设备值",
    "网络多媒体教室数",
];

pub fn parse_schools(t: &Table) -> Result<Vec<SchoolInput>, ExchangeError> {
    let index = columns(t, &HEADERS, |_| true)?;
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(t.rows.len());
    for (n, cells) in &t.rows {
        let before = errors.len();
        let mut r = Row { n: *n, cells, index: &index, errors: &mut errors };
        let code = r.text("学校代码");
        let name = r.opt("学校名称").unwrap_or_default();
        let students = r.parse("在校生数", |s| match s.replace(',', "").parse::<f64>() {
            Ok(v) if v >= 1.0 && v.fract() == 0.0 => Ok(v),
            _ => Err("应为正整数".to_string()),
        });
        let mut numerators = [0.0; 7];
        for (i, ind) in INDICATORS.iter().enumerate() {
            numerators[i] = r.number(ind.column).unwrap_or(0.0);
        }
        if let (Some(code), Some(students)) = (code, students)
            && errors.len() == before
        {
            if let Some(first) = seen.insert(code.clone(), *n) {
                errors.push(RowError {
                    row: *n,
                    column: "学校代码".into(),
                    value: code,
                    message: format!("与第{first}行重复"),
                });
            } else {
                out.push(SchoolInput { code, name, students, numerators });
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
