//! An exam's score sheet (one row per pupil, one column per subject, optional grouping column)
//! analysed per subject for the whole file and per group, as JSON. No ranks are produced.

use std::collections::BTreeMap;

use eduq_core::exam::{Lines, above_mean_rate, analyse};
use serde_json::{Value, json};

use crate::table::Table;
use crate::{ExchangeError, RowError};

const ID_COLUMNS: &[&str] = &["学籍号", "考号", "准考证号", "学号", "姓名", "性别", "序号", "班级", "学校"];
const ABSENT: &[&str] = &["缺考", "作弊", "违纪", ""];

/// `full` is the full score of every subject (per-subject values override it).
pub fn analyse_sheet(
    t: &Table,
    full: f64,
    per_subject: &BTreeMap<String, f64>,
    group: Option<&str>,
    lines: &Lines,
) -> Result<Value, ExchangeError> {
    let gcol = match group {
        Some(g) => Some(t.column(g).ok_or_else(|| ExchangeError::MissingHeaders(vec![g.to_string()]))?),
        None => None,
    };
    let subjects: Vec<usize> = (0..t.headers.len())
        .filter(|&c| Some(c) != gcol && !t.headers[c].is_empty() && !ID_COLUMNS.contains(&t.headers[c].as_str()))
        .collect();
    if subjects.is_empty() {
        return Err(ExchangeError::MissingHeaders(vec!["科目列（每科一列）".into()]));
    }
    let mut errors = Vec::new();
    let mut scores: Vec<Vec<Option<f64>>> = vec![Vec::with_capacity(t.rows.len()); subjects.len()];
    for (n, cells) in &t.rows {
        for (k, &c) in subjects.iter().enumerate() {
            let raw = cells[c].trim();
            let full = per_subject.get(&t.headers[c]).copied().unwrap_or(full);
            if ABSENT.contains(&raw) {
                scores[k].push(None);
                continue;
            }
            match raw.parse::<f64>() {
                Ok(v) if (0.0..=full).contains(&v) => scores[k].push(Some(v)),
                Ok(_) => errors.push(RowError {
                    row: *n,
                    column: t.headers[c].clone(),
                    value: raw.into(),
                    message: format!("不在0到满分{full}之间"),
                }),
                Err(_) => errors.push(RowError {
                    row: *n,
                    column: t.headers[c].clone(),
                    value: raw.into(),
                    message: "不是有效成绩（缺考请填“缺考”）".into(),
                }),
            }
        }
    }
    if !errors.is_empty() {
        return Err(ExchangeError::Rows(errors));
    }
    let groups: Vec<String> =
        gcol.map(|g| t.rows.iter().map(|(_, c)| c[g].trim().to_string()).collect()).unwrap_or_default();
    let mut out = Vec::new();
    for (k, &c) in subjects.iter().enumerate() {
        let name = &t.headers[c];
        let full = per_subject.get(name).copied().unwrap_or(full);
        let Some(all) = analyse(&scores[k], full, lines) else { continue };
        let mut by_group = Vec::new();
        if gcol.is_some() {
            let mut members: BTreeMap<&str, Vec<Option<f64>>> = BTreeMap::new();
            for (i, g) in groups.iter().enumerate() {
                members.entry(g.as_str()).or_default().push(scores[k][i]);
            }
            for (g, s) in members {
                if let Some(st) = analyse(&s, full, lines) {
                    by_group
                        .push(json!({"group": g, "above_mean_rate": above_mean_rate(st.mean, all.mean), "stats": st}));
                }
            }
        }
        out.push(json!({"subject": name, "full": full, "all": all, "groups": by_group}));
    }
    Ok(json!({"lines": lines, "subjects": out}))
}
