//! 督导 rubric files (指标体系): one row per 评估要点, as bureaus keep them in Excel. Every row is
//! checked and every problem named (row, column, value) before the rubric is used.

use eduq_core::rubric::{Item, Method};

use crate::row::{Row, columns};
use crate::table::Table;
use crate::{ExchangeError, RowError};

/// The columns of a rubric file, in the order the template writes them.
pub const RUBRIC_HEADERS: &[&str] =
    &["编号", "一级指标", "二级指标", "评估要点", "分值", "评分方式", "评分标准", "佐证材料", "关联指标", "一票否决"];

/// Longest 评分标准 or 佐证材料 text of an item (official criteria run to a paragraph).
pub const MAX_CRITERIA_CHARS: usize = 2_000;

/// The items of a rubric file. 评分方式 defaults to 赋分 and 一票否决 to 否; 关联指标 names an eduq
/// indicator by its name or key.
pub fn read_rubric_items(t: &Table) -> Result<Vec<Item>, ExchangeError> {
    let index = columns(t, RUBRIC_HEADERS, |h| ["编号", "一级指标", "评估要点", "分值"].contains(&h))?;
    let mut errors: Vec<RowError> = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    let mut codes = std::collections::HashSet::new();
    for (n, cells) in &t.rows {
        let mut r = Row { n: *n, cells, index: &index, errors: &mut errors };
        let code = r.text("编号");
        if let Some(c) = &code
            && !codes.insert(c.clone())
        {
            r.fail("编号", "编号重复");
        }
        let domain = r.text("一级指标");
        let text = r.text("评估要点");
        let points = r.parse("分值", |s| match s.parse::<f64>() {
            Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
            _ => Err("应为大于0的分值".into()),
        });
        let method = r.labelled_or("评分方式", Method::parse, Method::labels(), Method::Points);
        let long = |r: &mut Row, col: &str| {
            let v = r.opt(col).unwrap_or_default();
            if v.chars().count() > MAX_CRITERIA_CHARS {
                r.fail(col, format!("过长，不能超过{MAX_CRITERIA_CHARS}个字符"));
            }
            v
        };
        let criteria = long(&mut r, "评分标准");
        let evidence = long(&mut r, "佐证材料");
        let indicator = r.indicator("关联指标");
        let veto = !r.raw("一票否决").is_empty() && r.yes_no("一票否决");
        if let (Some(code), Some(domain), Some(text), Some(points), Some(method)) = (code, domain, text, points, method)
        {
            let sub_domain = r.opt("二级指标").unwrap_or_default();
            items.push(Item { code, domain, sub_domain, text, points, method, criteria, evidence, indicator, veto });
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

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            headers: RUBRIC_HEADERS.iter().map(|h| h.to_string()).collect(),
            rows: rows.iter().enumerate().map(|(i, r)| (i + 2, r.iter().map(|c| c.to_string()).collect())).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_rubric_file_is_read() {
        let t = table(&[
            &[
                "A1",
                "保障学生平等权益",
                "维护学生平等入学权利",
                "坚持免试就近入学",
                "5",
                "达标",
                "全部就近入学",
                "招生方案",
                "",
                "是",
            ],
            &["A2", "保障学生平等权益", "", "控制班额", "10", "", "", "", "大班额班级数", ""],
        ]);
        let items = read_rubric_items(&t).expect("valid");
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].method, items[0].veto, items[0].points), (Method::Pass, true, 5.0));
        assert_eq!((items[1].method, items[1].veto), (Method::Points, false));
        assert_eq!(items[0].sub_domain, "维护学生平等入学权利");
        let large = eduq_core::indicators::LIBRARY.iter().find(|i| i.name == "大班额班级数");
        assert_eq!(items[1].indicator.as_deref(), large.map(|i| i.key));
    }

    #[test]
    fn every_bad_cell_is_named() {
        let t = table(&[
            &["A1", "一", "", "要点", "0", "打分", "", "", "不存在的指标", "也许"],
            &["A1", "", "", "", "x", "", "", "", "", ""],
        ]);
        let Err(ExchangeError::Rows(e)) = read_rubric_items(&t) else { panic!("expected row errors") };
        let said: Vec<String> = e.iter().map(|x| x.to_string()).collect();
        let has = |row: usize, col: &str| e.iter().any(|x| x.row == row && x.column == col);
        assert!(has(2, "分值") && has(2, "评分方式") && has(2, "关联指标") && has(2, "一票否决"), "{said:?}");
        assert!(has(3, "编号") && has(3, "一级指标") && has(3, "评估要点") && has(3, "分值"), "{said:?}");
    }
}
