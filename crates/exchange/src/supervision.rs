//! 督导 files: a 问题清单 (problems raised on paper or in another system) and inspection plans, as
//! bureaus keep them in Excel. Every row is checked and every problem named (row, column, value).

use chrono::NaiveDate;
use eduq_core::inspection::InspectionKind;
use eduq_core::supervision::{ProblemKind, Severity};

use crate::row::{Row, columns};
use crate::table::Table;
use crate::{ExchangeError, RowError};

/// The columns of a 问题清单 file. An export adds 通知书编号 before and 状态, 整改完成日期 and
/// 销号日期 after them; importing an export changes nothing.
pub const PROBLEM_HEADERS: &[&str] = &[
    "学校标识码",
    "类别",
    "领域",
    "指标编号",
    "位置",
    "问题描述",
    "严重程度",
    "整改责任人",
    "下达日期",
    "整改期限",
    "关联指标",
];

/// One problem of a file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemLine {
    pub row: usize,
    pub school_code: String,
    pub kind: ProblemKind,
    pub domain: String,
    pub item_code: String,
    pub location: String,
    pub description: String,
    pub severity: Severity,
    pub responsible: String,
    pub raised_on: NaiveDate,
    /// Empty: the severity's default.
    pub deadline: Option<NaiveDate>,
    /// An eduq indicator's key.
    pub indicator: Option<String>,
}

fn label(r: &mut Row, col: &str, v: Option<String>) -> Option<String> {
    let v = v?;
    if eduq_core::text::is_label(&v) {
        Some(v)
    } else {
        r.fail(col, "含有不可见的控制字符");
        None
    }
}

pub fn read_problem_lines(t: &Table) -> Result<Vec<ProblemLine>, ExchangeError> {
    let index = columns(t, PROBLEM_HEADERS, |h| {
        ["学校标识码", "领域", "问题描述", "严重程度", "整改责任人", "下达日期"].contains(&h)
    })?;
    let mut errors: Vec<RowError> = Vec::new();
    let mut out = Vec::new();
    for (n, cells) in &t.rows {
        let mut r = Row { n: *n, cells, index: &index, errors: &mut errors };
        let school_code = r.text("学校标识码");
        let kind = r.labelled_or("类别", ProblemKind::parse, ProblemKind::labels(), ProblemKind::Supervision);
        let domain = r.text("领域");
        let domain = label(&mut r, "领域", domain);
        let description = r.text("问题描述");
        let severity = r.labelled("严重程度", Severity::parse, Severity::labels());
        let responsible = r.text("整改责任人");
        let raised_on = r.date("下达日期");
        let deadline = if r.raw("整改期限").is_empty() { Some(None) } else { r.date("整改期限").map(Some) };
        let ind = r.indicator("关联指标");
        if let (Some(school_code), Some(kind), Some(domain), Some(description), Some(severity), Some(responsible)) =
            (school_code, kind, domain, description, severity, responsible)
            && let (Some(raised_on), Some(deadline)) = (raised_on, deadline)
        {
            out.push(ProblemLine {
                row: *n,
                school_code,
                kind,
                domain,
                item_code: r.opt("指标编号").unwrap_or_default(),
                location: r.opt("位置").unwrap_or_default(),
                description,
                severity,
                responsible,
                raised_on,
                deadline,
                indicator: ind,
            });
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

/// The columns of an inspection plan file. An export adds 状态, 得分 and 等级 after them.
pub const PLAN_HEADERS: &[&str] = &["学校标识码", "督导类别", "督导名称", "指标体系编号", "版本", "督学", "计划日期"];

#[derive(Debug, Clone, PartialEq)]
pub struct PlanLine {
    pub row: usize,
    pub school_code: String,
    pub kind: InspectionKind,
    pub title: String,
    pub rubric_key: String,
    pub rubric_version: String,
    /// The inspector's user name.
    pub inspector: String,
    pub planned_on: NaiveDate,
}

pub fn read_plan_lines(t: &Table) -> Result<Vec<PlanLine>, ExchangeError> {
    let index = columns(t, PLAN_HEADERS, |_| true)?;
    let mut errors: Vec<RowError> = Vec::new();
    let mut out = Vec::new();
    for (n, cells) in &t.rows {
        let mut r = Row { n: *n, cells, index: &index, errors: &mut errors };
        let fields = (
            r.text("学校标识码"),
            r.labelled("督导类别", InspectionKind::parse, InspectionKind::labels()),
            r.text("督导名称"),
            r.text("指标体系编号"),
            r.text("版本"),
            r.text("督学"),
            r.date("计划日期"),
        );
        if let (
            Some(school_code),
            Some(kind),
            Some(title),
            Some(rubric_key),
            Some(rubric_version),
            Some(inspector),
            Some(planned_on),
        ) = fields
        {
            out.push(PlanLine { row: *n, school_code, kind, title, rubric_key, rubric_version, inspector, planned_on });
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

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: rows.iter().enumerate().map(|(i, r)| (i + 2, r.iter().map(|c| c.to_string()).collect())).collect(),
            warnings: vec![],
        }
    }

    #[test]
    fn problem_rows_are_checked_and_every_error_named() {
        let ok: &[&str] = &[
            "3199000001",
            "安全隐患",
            "消防",
            "",
            "二楼走廊",
            "灭火器过期",
            "较大",
            "总务主任",
            "2026-11-02",
            "",
            "学生体质健康合格率",
        ];
        let t = table(PROBLEM_HEADERS, &[ok]);
        let lines = read_problem_lines(&t).expect("valid");
        assert_eq!(
            (lines[0].kind, lines[0].severity, lines[0].deadline),
            (ProblemKind::Hazard, Severity::Serious, None)
        );
        assert_eq!(lines[0].indicator.as_deref(), Some("fitness_pass_rate"));
        let bad: &[&str] =
            &["3199000001", "", "消防", "", "", "", "很严重", "总务主任", "2026-02-30", "", "不存在的指标"];
        let Err(ExchangeError::Rows(errors)) = read_problem_lines(&table(PROBLEM_HEADERS, &[ok, bad])) else {
            panic!("errors")
        };
        let named: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(named, [(3, "问题描述"), (3, "严重程度"), (3, "下达日期"), (3, "关联指标")]);
        assert!(errors[1].value == "很严重" && errors[2].message.contains("日期"));
        let missing = read_problem_lines(&table(&["学校标识码"], &[&["1"]]));
        assert!(matches!(missing, Err(ExchangeError::MissingHeaders(_))));
    }

    #[test]
    fn plan_rows_are_checked() {
        let ok: &[&str] =
            &["3199000001", "挂牌督导", "11月挂牌督导", "visit_monthly", "2013", "inspector", "2026-11-12"];
        assert_eq!(read_plan_lines(&table(PLAN_HEADERS, &[ok])).expect("valid")[0].kind, InspectionKind::Visit);
        let bad: &[&str] = &["3199000001", "巡视", "", "visit_monthly", "2013", "inspector", "明天"];
        let Err(ExchangeError::Rows(errors)) = read_plan_lines(&table(PLAN_HEADERS, &[bad])) else { panic!() };
        assert_eq!(errors.iter().map(|e| e.column.as_str()).collect::<Vec<_>>(), ["督导类别", "督导名称", "计划日期"]);
    }
}
