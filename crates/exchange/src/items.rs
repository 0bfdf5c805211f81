//! The score matrix of one test as marking systems export it (one row per pupil, one column per
//! item), optional per-item full scores and answer keys, and the item-analysis JSON.

use std::collections::HashMap;

use eduq_core::items::{analyse_flat, options};
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
/// alpha_if_deleted, flags, …}], excluded, …}. A csv is streamed row by row (a million pupils'
/// file is never held as strings).
pub fn item_analysis_file(
    bytes: &[u8],
    file_name: &str,
    max: &[(usize, String, String)],
    keys: &[(usize, String, String)],
) -> Result<Value, ExchangeError> {
    crate::table::visit_table::<Matrix, ExchangeError>(
        bytes,
        file_name,
        |headers| {
            let mut m = Matrix::new(headers, max, keys)?;
            // Each cell takes at least two bytes ("0,"): enough room for every row, without the
            // doubling that would briefly hold the matrix twice.
            m.scores.reserve(bytes.len() / (2 * headers.len().max(1)) * m.names.len());
            Ok(m)
        },
        |m, n, cells| {
            m.push(n, cells);
            Ok(())
        },
    )?
    .finish()
}

/// The score matrix as it is read: item columns, keys and maxima, rows scored as they come.
struct Matrix {
    names: Vec<String>,
    item_cols: Vec<usize>,
    /// The key of each item that has one.
    keys: Vec<Option<String>>,
    max: Vec<Option<f64>>,
    /// Row-major, `names.len()` values per pupil.
    scores: Vec<f64>,
    answers: Vec<Vec<String>>,
    excluded: usize,
    errors: Vec<RowError>,
}

fn normal(s: &str) -> String {
    s.trim().to_uppercase()
}

impl Matrix {
    fn new(
        headers: &[String],
        max: &[(usize, String, String)],
        keys: &[(usize, String, String)],
    ) -> Result<Self, ExchangeError> {
        let item_cols: Vec<usize> = (0..headers.len())
            .filter(|&c| !headers[c].is_empty() && !ID_COLUMNS.contains(&headers[c].as_str()))
            .collect();
        if item_cols.is_empty() {
            return Err(ExchangeError::MissingHeaders(vec!["题目列（每题一列）".into()]));
        }
        let names: Vec<String> = item_cols.iter().map(|&c| headers[c].clone()).collect();
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
        Ok(Matrix {
            keys: names.iter().map(|n| key_of.get(n.as_str()).map(|k| normal(k))).collect(),
            max: names.iter().map(|n| max_of.get(n.as_str()).copied()).collect(),
            names,
            item_cols,
            scores: Vec::new(),
            answers: Vec::new(),
            excluded: 0,
            errors,
        })
    }

    fn push(&mut self, n: usize, cells: &[&str]) {
        let cell = |c: usize| cells.get(c).copied().unwrap_or("");
        if self.item_cols.iter().any(|&c| ABSENT.contains(&cell(c))) {
            self.excluded += 1;
            return;
        }
        let row = &mut self.scores;
        let mut raw = Vec::new();
        for (j, &c) in self.item_cols.iter().enumerate() {
            let v = cell(c);
            if let Some(key) = &self.keys[j] {
                let a = normal(v);
                row.push(f64::from(u8::from(!a.is_empty() && &a == key)));
                raw.push(a);
                continue;
            }
            // Most cells of a marking system's export are 0 or 1: skip the float parser for them.
            let value = match v {
                "" | "0" => Ok(0.0),
                "1" => Ok(1.0),
                _ => v.parse::<f64>(),
            };
            match value {
                Ok(x) if x.is_finite() && x >= 0.0 => {
                    if let Some(m) = self.max[j]
                        && x > m
                    {
                        self.errors.push(RowError {
                            row: n,
                            column: self.names[j].clone(),
                            value: v.into(),
                            message: format!("超过该题满分{m}"),
                        });
                    }
                    row.push(x);
                }
                _ => {
                    // The file is refused; the placeholder keeps the rows aligned.
                    row.push(0.0);
                    self.errors.push(RowError {
                        row: n,
                        column: self.names[j].clone(),
                        value: v.into(),
                        message: "不是有效得分（应为非负数，未作答留空，缺考或作弊请填“缺考”“作弊”）".into(),
                    })
                }
            }
        }
        if !raw.is_empty() {
            self.answers.push(raw);
        }
    }

    fn finish(self) -> Result<Value, ExchangeError> {
        let Matrix { names, keys, max, scores, answers, excluded, errors, .. } = self;
        if !errors.is_empty() {
            return Err(ExchangeError::Rows(errors));
        }
        let max_of: HashMap<&str, f64> =
            names.iter().zip(&max).filter_map(|(n, m)| m.map(|m| (n.as_str(), m))).collect();
        let key_of: HashMap<&str, &str> =
            names.iter().zip(&keys).filter_map(|(n, k)| k.as_deref().map(|k| (n.as_str(), k))).collect();
        let full: Vec<f64> = names
            .iter()
            .enumerate()
            .map(|(j, name)| {
                max_of
                    .get(name.as_str())
                    .copied()
                    .unwrap_or_else(|| scores.iter().skip(j).step_by(names.len()).fold(1.0, |a, &b| a.max(b)))
            })
            .collect();
        let Some(analysis) = analyse_flat(&names, &scores, &full) else {
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
            let totals: Vec<f64> = scores.chunks_exact(names.len()).map(|r| r.iter().sum()).collect();
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
}
