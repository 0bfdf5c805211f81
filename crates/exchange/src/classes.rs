//! The roster of a new intake for balanced class assignment, and the roster with 班级 added.

use eduq_core::classes::Pupil;
use eduq_core::student::Sex;

use crate::table::{Cell, Table, write_plain_csv, write_xlsx};
use crate::{ExchangeError, RowError};

const KNOWN: &[&str] = &["学籍号", "姓名", "性别", "总分", "标记", "同班组", "分开组", "预分班级", "班级"];

/// A parsed roster: pupils in file order and the names of the score columns (总分 first).
#[derive(Debug, Clone, PartialEq)]
pub struct Roster {
    pub pupils: Vec<Pupil>,
    pub scores: Vec<String>,
    pub flags: Vec<String>,
}

fn split(s: &str) -> Vec<String> {
    s.split([';', '；', '、', ',', '，']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// Reads the roster. Subject columns are the other columns whose every value is a number.
pub fn parse_roster(t: &Table, classes: usize) -> Result<Roster, ExchangeError> {
    let col = |h: &str| t.column(h);
    let missing: Vec<String> =
        ["学籍号", "姓名", "性别", "总分"].iter().filter(|h| col(h).is_none()).map(|h| h.to_string()).collect();
    if !missing.is_empty() {
        return Err(ExchangeError::MissingHeaders(missing));
    }
    let numeric = |c: usize| t.rows.iter().all(|(_, r)| r[c].trim().parse::<f64>().is_ok_and(f64::is_finite));
    let subjects: Vec<usize> = (0..t.headers.len())
        .filter(|&c| !t.headers[c].is_empty() && !KNOWN.contains(&t.headers[c].as_str()) && numeric(c))
        .collect();
    let score_cols: Vec<usize> =
        std::iter::once(col("总分").expect("checked")).chain(subjects.iter().copied()).collect();
    let mut errors = Vec::new();
    let mut pupils = Vec::with_capacity(t.rows.len());
    let mut seen = std::collections::HashMap::new();
    for (n, r) in &t.rows {
        let mut fail = |column: &str, value: &str, message: String| {
            errors.push(RowError { row: *n, column: column.into(), value: value.into(), message })
        };
        let get = |h: &str| col(h).map_or("", |c| r[c].trim());
        let id = get("学籍号");
        if id.is_empty() {
            fail("学籍号", id, "不能为空".into());
        } else if let Some(first) = seen.insert(id.to_string(), *n) {
            fail("学籍号", id, format!("与第{first}行重复"));
        }
        let sex = Sex::parse(get("性别")).ok();
        if sex.is_none() {
            fail("性别", get("性别"), "应为“男”或“女”（或1、2）".into());
        }
        let mut scores = Vec::with_capacity(score_cols.len());
        for &c in &score_cols {
            match r[c].trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => scores.push(v),
                _ => fail(&t.headers[c], &r[c], "不是有效成绩（应为非负数）".into()),
            }
        }
        let fixed = match get("预分班级") {
            "" => None,
            v => match v.trim_end_matches('班').parse::<usize>() {
                Ok(c) if (1..=classes).contains(&c) => Some(c - 1),
                _ => {
                    fail("预分班级", v, format!("应为1到{classes}之间的班号"));
                    None
                }
            },
        };
        if let Some(sex) = sex
            && scores.len() == score_cols.len()
        {
            pupils.push(Pupil {
                id: id.to_string(),
                name: get("姓名").to_string(),
                sex,
                scores,
                flags: split(get("标记")),
                together: Some(get("同班组").to_string()).filter(|s| !s.is_empty()),
                apart: split(get("分开组")),
                fixed,
            });
        }
    }
    if !errors.is_empty() {
        return Err(ExchangeError::Rows(errors));
    }
    if pupils.is_empty() {
        return Err(ExchangeError::Empty);
    }
    let mut flags: Vec<String> = pupils.iter().flat_map(|p| p.flags.iter().cloned()).collect();
    flags.sort();
    flags.dedup();
    Ok(Roster { pupils, scores: score_cols.iter().map(|&c| t.headers[c].clone()).collect(), flags })
}

/// The input table with 班级 (1-based) added or replaced.
pub fn with_classes(t: &Table, class_of: &[usize], csv: bool) -> Result<Vec<u8>, ExchangeError> {
    let existing = t.column("班级");
    let mut headers: Vec<&str> = t.headers.iter().map(String::as_str).collect();
    if existing.is_none() {
        headers.push("班级");
    }
    let rows: Vec<Vec<Cell>> = t
        .rows
        .iter()
        .zip(class_of)
        .map(|((_, r), &c)| {
            let mut row: Vec<Cell> = r.iter().map(|v| Cell::Text(v.clone())).collect();
            match existing {
                Some(i) => row[i] = Cell::Number((c + 1) as f64),
                None => row.push(Cell::Number((c + 1) as f64)),
            }
            row
        })
        .collect();
    if csv { Ok(write_plain_csv(&headers, &rows)) } else { write_xlsx("分班结果", &headers, &rows) }
}
