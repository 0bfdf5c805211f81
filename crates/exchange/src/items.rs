//! The score matrix of one test as marking systems export it (one row per pupil, one column per
//! item), optional per-item full scores and answer keys, and the item-analysis JSON.

use std::collections::HashMap;

use eduq_core::items::{analyse, options};
use serde_json::{Value, json};

use crate::table::Table;
use crate::{ExchangeError, RowError};

/// Columns that identify pupils rather than hold item scores.
const ID_COLUMNS: &[&str] = &["学籍号", "考号", "准考证号", "学号", "姓名", "班级", "学校", "性别", "序号"];
/// Marks of a pupil who did not sit the test or whose paper was voided: the row is left out, not scored 0.
const ABSENT: &[&str] = &["缺考", "作弊", "违纪"];

/// A two-column lookup file (item → value), e.g. full scores or answer keys: (row, item, value).
pub type Pairs = Vec<(usize, String, String)>;

pub fn read_pairs(table: &Table, item_headers: &[&str], value_headers: &[&str]) -> Result<Pairs, ExchangeError> {
    let find = |names: &[&str]| names.iter().find_map(|n| table.column(n));
    let (Some(i), Some(v)) = (find(item_headers), find(value_headers)) else {
        return Err(ExchangeError::MissingHeaders(vec![item_headers[0].to_string(), value_headers[0].to_string()]));
    };
    Ok(table.rows.iter().map(|(n, c)| (*n, c[i].clone(), c[v].clone())).filter(|(_, k, _)| !k.is_empty()).collect())
}

/// Reads the matrix, scores raw options against `keys`, checks scores against `max`, and returns
/// the analysis as JSON: {n, k, alpha, kr20, items: [{item, p, d27, r_pbis, r_pbis_corrected,
/// alpha_if_deleted, flags, …}], excluded, …}.
pub fn item_analysis(
    table: &Table,
    max: &[(usize, String, String)],
    keys: &[(usize, String, String)],
) -> Result<Value, ExchangeError> {
    let item_cols: Vec<usize> = (0..table.headers.len())
        .filter(|&c| !table.headers[c].is_empty() && !ID_COLUMNS.contains(&table.headers[c].as_str()))
        .collect();
    if item_cols.is_empty() {
        return Err(ExchangeError::MissingHeaders(vec!["题目列（每题一列）".into()]));
    }
    let names: Vec<String> = item_cols.iter().map(|&c| table.headers[c].clone()).collect();
    let mut errors = Vec::new();
    let key_of: HashMap<&str, &str> = keys.iter().map(|(_, k, v)| (k.as_str(), v.as_str())).collect();
    let mut max_of: HashMap<&str, f64> = HashMap::new();
    for (row, item, v) in max {
        match v.parse::<f64>() {
            Ok(m) if m > 0.0 => {
                max_of.insert(item.as_str(), m);
            }
            _ => errors.push(RowError {
                row: *row,
                column: "满分".into(),
                value: v.clone(),
                message: "应为正数（满分文件）".into(),
            }),
        }
    }
    for (file, list) in [("满分文件", max), ("答案文件", keys)] {
        for (row, item, _) in list {
            if !names.contains(item) {
                errors.push(RowError {
                    row: *row,
                    column: "题号".into(),
                    value: item.clone(),
                    message: format!("不在成绩表的题目列中（{file}）"),
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(ExchangeError::Rows(errors));
    }
    let normal = |s: &str| s.trim().to_uppercase();
    let mut scores = Vec::with_capacity(table.rows.len());
    let mut answers: Vec<Vec<String>> = Vec::new();
    let mut excluded = 0usize;
    for (n, cells) in &table.rows {
        if item_cols.iter().any(|&c| ABSENT.contains(&cells[c].as_str())) {
            excluded += 1;
            continue;
        }
        let mut row = Vec::with_capacity(item_cols.len());
        let mut raw = Vec::new();
        for (j, &c) in item_cols.iter().enumerate() {
            let cell = cells[c].as_str();
            if let Some(key) = key_of.get(names[j].as_str()) {
                let a = normal(cell);
                row.push(f64::from(u8::from(!a.is_empty() && a == normal(key))));
                raw.push(a);
                continue;
            }
            let value = if cell.is_empty() { Ok(0.0) } else { cell.parse::<f64>() };
            match value {
                Ok(v) if v.is_finite() && v >= 0.0 => {
                    if let Some(&m) = max_of.get(names[j].as_str())
                        && v > m
                    {
                        errors.push(RowError {
                            row: *n,
                            column: names[j].clone(),
                            value: cell.into(),
                            message: format!("超过该题满分{m}"),
                        });
                    }
                    row.push(v);
                }
                _ => errors.push(RowError {
                    row: *n,
                    column: names[j].clone(),
                    value: cell.into(),
                    message: "不是有效得分（应为非负数，未作答留空，缺考或作弊请填“缺考”“作弊”）".into(),
                }),
            }
        }
        scores.push(row);
        answers.push(raw);
    }
    if !errors.is_empty() {
        return Err(ExchangeError::Rows(errors));
    }
    let full: Vec<f64> = names
        .iter()
        .enumerate()
        .map(|(j, name)| {
            max_of.get(name.as_str()).copied().unwrap_or_else(|| scores.iter().map(|r| r[j]).fold(1.0, f64::max))
        })
        .collect();
    let Some(analysis) = analyse(&names, &scores, &full) else {
        return Err(ExchangeError::Rows(vec![RowError {
            row: 0,
            column: String::new(),
            value: String::new(),
            message: "至少需要两名有成绩的学生才能做题目分析".into(),
        }]));
    };
    let mut out = serde_json::to_value(&analysis).map_err(|e| ExchangeError::Write(e.to_string()))?;
    out["excluded"] = json!(excluded);
    out["conventions"] = json!(
        "p = 平均分/满分；d27 = (高分组平均 − 低分组平均)/满分，高低分组各 round(0.27·N) 人，按总分降序、同分按输入行序；\
         r_pbis_corrected 为与其余题目总分的相关；alpha 用样本方差（0/1 题时等于 KR-20）；\
         weak：校正相关 < 0.20；miskey：校正相关 < 0（疑似答案错误）；\
         distractor：某干扰项被高分组选择的比例高于低分组"
    );
    if !key_of.is_empty() {
        let totals: Vec<f64> = scores.iter().map(|r| r.iter().sum()).collect();
        let mut k = 0;
        for (j, name) in names.iter().enumerate() {
            if let Some(key) = key_of.get(name.as_str()) {
                let col: Vec<&str> = answers.iter().map(|r| r[k].as_str()).collect();
                let stats = options(&col, &normal(key), &totals);
                // A distractor that draws the upper group more than the lower one suggests an
                // ambiguous item or a wrong key.
                if stats.iter().any(|o| !o.key && o.upper > o.lower && o.option != "未作答")
                    && let Some(flags) = out["items"][j]["flags"].as_array_mut()
                {
                    flags.push(json!("distractor"));
                }
                out["items"][j]["key"] = json!(normal(key));
                out["items"][j]["options"] = json!(stats);
                k += 1;
            }
        }
    }
    Ok(out)
}
