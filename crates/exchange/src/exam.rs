//! An exam's score sheet (one row per pupil, one column per subject, optional grouping column)
//! analysed per subject for the whole file and per group, as JSON. No ranks are produced.

use std::collections::BTreeMap;

use eduq_core::exam::{ItemDef, Lines, Sitting, above_mean_rate, analyse, canonical_option};
use serde_json::{Value, json};

use crate::row::{Row, columns};
use crate::table::{Table, number_text};
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

/// Headers of a paper's structure file (试卷结构): one row per item.
pub const STRUCTURE_HEADERS: &[&str] = &["题号", "题型", "满分", "答案", "知识点", "能力"];
/// Fixed headers of a score file; every other column is an item, named by its 题号.
pub const SCORE_HEADERS: &[&str] = &["学籍号", "姓名", "状态", "总分"];

/// Reads a structure file: 题号 unique, 题型 客观/主观, 满分 > 0, 答案 (objective only, e.g. "A" or
/// "BD"), 知识点 separated by 、 or ; and 能力.
pub fn read_structure(t: &Table) -> Result<Vec<ItemDef>, ExchangeError> {
    let index = columns(t, STRUCTURE_HEADERS, |h| ["题号", "满分"].contains(&h))?;
    let mut errors = Vec::new();
    let mut items: Vec<ItemDef> = Vec::new();
    let mut labels = std::collections::HashSet::new();
    for (n, cells) in &t.rows {
        let mut r = Row { n: *n, cells, index: &index, errors: &mut errors };
        let label = r.text("题号");
        let objective = match r.raw("题型") {
            "" | "主观" | "主观题" => false,
            "客观" | "客观题" | "选择" | "选择题" => true,
            _ => {
                r.fail("题型", "应为“客观”或“主观”");
                false
            }
        };
        let max = r.parse("满分", |s| match s.parse::<f64>() {
            Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
            _ => Err("应为大于0的分值".into()),
        });
        let key = r.opt("答案").map(|k| canonical_option(&k)).filter(|k| !k.is_empty());
        if key.is_some() && !objective {
            r.fail("答案", "只有客观题填写答案");
        }
        if let Some(l) = &label
            && !labels.insert(l.clone())
        {
            r.fail("题号", "题号重复");
        }
        let knowledge = r
            .opt("知识点")
            .map(|k| {
                k.split(['、', ';', '；', ',', '，'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        if let (Some(label), Some(max)) = (label, max) {
            items.push(ItemDef { label, objective, max, key, knowledge, ability: r.opt("能力").unwrap_or_default() });
        }
    }
    if !errors.is_empty() {
        return Err(ExchangeError::Rows(errors));
    }
    if items.is_empty() {
        return Err(ExchangeError::Empty);
    }
    Ok(items)
}

/// One pupil's line of a score file.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreLine {
    pub row: usize,
    pub student_no: String,
    pub sitting: Sitting,
    /// Item scores in structure order (empty unless sat).
    pub scores: Vec<f64>,
    /// Raw options of objective items with a key ("" where a score was given instead).
    pub answers: Vec<String>,
    /// The total: the items' sum, or the 总分 cell of a paper without an item structure.
    pub total: Option<f64>,
}

/// Reads a score file against the paper's items: a column per 题号 (all required), a score between
/// 0 and the item's 满分 — or, for an objective item with a key, the option chosen, scored in full
/// when it equals the key; 状态 缺考/作弊 leaves the items empty; 总分, when given, must equal the
/// items' sum. A paper without an item structure takes 总分 alone (0 to `full`). A 学籍号 twice is
/// an error.
pub fn read_scores(t: &Table, items: &[ItemDef], full: f64) -> Result<Vec<ScoreLine>, ExchangeError> {
    let totals_only = items.is_empty();
    let index = columns(t, SCORE_HEADERS, |h| h == "学籍号" || (totals_only && h == "总分"))?;
    let mut missing = Vec::new();
    let mut item_cols = Vec::with_capacity(items.len());
    for it in items {
        match t.column(&it.label) {
            Some(c) => item_cols.push(c),
            None => missing.push(it.label.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(ExchangeError::MissingHeaders(missing));
    }
    let mut errors = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    let mut out = Vec::with_capacity(t.rows.len());
    for (n, cells) in &t.rows {
        let mut r = Row { n: *n, cells, index: &index, errors: &mut errors };
        let Some(student_no) = r.text("学籍号") else { continue };
        if let Some(first) = seen.insert(student_no.clone(), *n) {
            r.fail("学籍号", format!("与第{first}行重复"));
            continue;
        }
        let sitting = match r.raw("状态") {
            "" => Some(Sitting::Sat),
            _ => r.labelled("状态", Sitting::parse, Sitting::labels()),
        };
        let Some(sitting) = sitting else { continue };
        let mut line = ScoreLine { row: *n, student_no, sitting, scores: Vec::new(), answers: Vec::new(), total: None };
        if sitting == Sitting::Sat && totals_only {
            line.total = r.parse("总分", |v| match v.parse::<f64>() {
                Ok(x) if (0.0..=full + 1e-9).contains(&x) => Ok(x),
                _ => Err(format!("应为0到满分{}之间的分数", number_text(full))),
            });
        } else if sitting == Sitting::Sat {
            for (it, &c) in items.iter().zip(&item_cols) {
                let raw = cells.get(c).map(String::as_str).unwrap_or("").trim();
                let fail = |errors: &mut Vec<RowError>, message: String| {
                    errors.push(RowError { row: *n, column: it.label.clone(), value: raw.into(), message })
                };
                if let Ok(v) = raw.parse::<f64>() {
                    if (0.0..=it.max + 1e-9).contains(&v) {
                        line.scores.push(v);
                        line.answers.push(String::new());
                    } else {
                        fail(r.errors, format!("不在0到本题满分{}之间", number_text(it.max)));
                    }
                } else if let (Some(key), false) = (&it.key, raw.is_empty()) {
                    let chosen = canonical_option(raw);
                    if chosen.is_empty() {
                        fail(r.errors, "应为分数或选项字母".into());
                    } else {
                        line.scores.push(if &chosen == key { it.max } else { 0.0 });
                        line.answers.push(chosen);
                    }
                } else if raw.is_empty() {
                    fail(r.errors, "不能为空（未作答记0分，缺考请在“状态”列填写）".into());
                } else {
                    fail(r.errors, "不是有效分数".into());
                }
            }
            line.total = Some(line.scores.iter().sum());
            if let Some(total) = r.opt("总分")
                && line.scores.len() == items.len()
            {
                let sum: f64 = line.scores.iter().sum();
                match total.parse::<f64>() {
                    Ok(v) if (v - sum).abs() < 0.01 => {}
                    _ => r.fail("总分", format!("与各题得分之和{}不符", number_text(sum))),
                }
            }
        }
        out.push(line);
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(ExchangeError::Rows(errors));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_table;

    fn items() -> Vec<ItemDef> {
        let csv = "题号,题型,满分,答案,知识点,能力\n1,客观,3,b,函数,理解\n2,主观,10,,函数、几何,运用\n";
        read_structure(&read_table(csv.as_bytes(), "s.csv").expect("table")).expect("structure")
    }

    #[test]
    fn structure_rows_are_checked() {
        let it = items();
        assert_eq!(it.len(), 2);
        assert_eq!((it[0].objective, it[0].key.as_deref(), it[0].max), (true, Some("B"), 3.0));
        assert_eq!(it[1].knowledge, vec!["函数", "几何"]);
        let bad = "题号,题型,满分,答案\n1,客观,0,A\n1,主观,5,C\n";
        let e = read_structure(&read_table(bad.as_bytes(), "s.csv").expect("table")).expect_err("bad");
        let msgs: Vec<String> = e.row_errors().iter().map(|r| r.to_string()).collect();
        assert_eq!(e.row_errors().len(), 3, "{msgs:?}");
        assert!(e.row_errors().iter().any(|r| r.row == 2 && r.column == "满分" && r.value == "0"));
        assert!(e.row_errors().iter().any(|r| r.row == 3 && r.column == "题号"));
        assert!(e.row_errors().iter().any(|r| r.row == 3 && r.column == "答案"));
    }

    #[test]
    fn scores_options_absence_and_errors() {
        let it = items();
        let ok = "学籍号,姓名,状态,1,2,总分\nG1,甲,,B,7,10\nG2,乙,,a,10,10\nG3,丙,缺考,,,\nG4,丁,,2,0.5,2.5\n";
        let lines = read_scores(&read_table(ok.as_bytes(), "x.csv").expect("t"), &it, 13.0).expect("scores");
        assert_eq!(lines[0].scores, vec![3.0, 7.0]);
        assert_eq!(lines[0].answers, vec!["B".to_string(), String::new()]);
        assert_eq!(lines[1].scores, vec![0.0, 10.0]);
        assert_eq!((lines[2].sitting, lines[2].scores.len()), (Sitting::Absent, 0));
        assert_eq!(lines[3].scores, vec![2.0, 0.5]);
        let bad = "学籍号,状态,1,2,总分\nG1,,4,7,\nG1,,B,7,\nG2,请假,B,7,\nG3,,B,,\nG4,,B,7,9\n";
        let e = read_scores(&read_table(bad.as_bytes(), "x.csv").expect("t"), &it, 13.0).expect_err("bad");
        let r = e.row_errors();
        assert!(r.iter().any(|r| r.row == 2 && r.column == "1" && r.value == "4" && r.message.contains("满分3")));
        assert!(r.iter().any(|r| r.row == 3 && r.column == "学籍号" && r.message.contains("第2行")));
        assert!(r.iter().any(|r| r.row == 4 && r.column == "状态" && r.value == "请假"));
        assert!(r.iter().any(|r| r.row == 5 && r.column == "2"));
        assert!(r.iter().any(|r| r.row == 6 && r.column == "总分" && r.message.contains("10")));
        assert_eq!(r.len(), 5);
        let missing = "学籍号,1\nG1,B\n";
        assert!(matches!(
            read_scores(&read_table(missing.as_bytes(), "x.csv").expect("t"), &it, 13.0),
            Err(ExchangeError::MissingHeaders(m)) if m == vec!["2".to_string()]
        ));
        // A paper without a structure: 总分 alone, within the full score.
        let totals = "学籍号,状态,总分\nG1,,98.5\nG2,缺考,\nG3,,121\n";
        let e = read_scores(&read_table(totals.as_bytes(), "x.csv").expect("t"), &[], 120.0).expect_err("over");
        assert!(e.row_errors().iter().any(|r| r.row == 4 && r.column == "总分" && r.value == "121"));
        let ok = read_scores(&read_table(&totals.as_bytes()[..44], "x.csv").expect("t"), &[], 120.0);
        let ok = ok.expect("totals");
        assert_eq!((ok[0].total, ok[1].sitting, ok[1].total), (Some(98.5), Sitting::Absent, None));
    }
}
