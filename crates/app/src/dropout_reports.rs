//! 控辍保学 monthly and quarterly reports sent upward, with the case register.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource, Scope};
use eduq_core::calendar::Term;
use eduq_core::dropout::{CaseState, Outcome, Register};
use eduq_exchange::table::{Cell, Sheet, write_workbook};
use eduq_store::Store;
use eduq_store::cases::{CaseQuery, CaseRow};

use crate::AppError;

const CASE_HEADERS: [&str; 12] =
    ["编号", "学校", "班级", "学籍号", "姓名", "登记类别", "状态", "劝返步骤", "立案日期", "结果", "结果日期", "原因"];

fn case_cells(c: &CaseRow) -> Vec<Cell> {
    vec![
        Cell::from(c.id),
        c.school_name.as_str().into(),
        c.class_name.as_str().into(),
        c.student_no.as_str().into(),
        c.student_name.as_str().into(),
        c.case.register.label().into(),
        c.case.state.label().into(),
        format!("第{}步 {}", c.case.step, eduq_core::dropout::step(c.case.step).name).into(),
        c.opened_on.to_string().into(),
        c.case.outcome.map_or("", |o| o.label()).into(),
        c.case.outcome_date.map(|d| d.to_string()).unwrap_or_default().into(),
        c.reason.as_str().into(),
    ]
}

fn pct(v: Option<f64>) -> Cell {
    v.map_or(Cell::from(""), |r| Cell::from((r * 100.0).round() / 100.0))
}

/// Case counts of a period per unit: new 疑似辍学, new 辍学, returned, other outcomes, open at end, overdue, closed.
fn case_counts(cases: &[&CaseRow], from: NaiveDate, to: NaiveDate) -> [i64; 7] {
    let within = |d: Option<NaiveDate>| d.is_some_and(|d| d >= from && d <= to);
    let count = |f: &dyn Fn(&CaseRow) -> bool| cases.iter().filter(|c| f(c)).count() as i64;
    [
        count(&|c| within(Some(c.opened_on)) && c.case.register == Register::Suspected),
        count(&|c| within(Some(c.opened_on)) && c.case.register == Register::DroppedOut),
        count(&|c| c.case.outcome == Some(Outcome::Returned) && within(c.case.outcome_date)),
        count(&|c| c.case.outcome.is_some_and(|o| o != Outcome::Returned) && within(c.case.outcome_date)),
        count(&|c| c.case.state == CaseState::Open),
        count(&|c| c.case.is_overdue(to)),
        count(&|c| within(c.closed_on)),
    ]
}

const COUNT_HEADERS: [&str; 7] =
    ["新增疑似辍学", "新增辍学", "劝返返校", "转学/送教/其他", "在办案件", "逾期案件", "销号"];

/// 控辍保学月报 of one school (per class) for a month, with the case register.
pub async fn monthly_report(
    store: &Store,
    actor: &Actor,
    school_id: i64,
    year: i32,
    month: u32,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), AppError> {
    if !actor.role.may_read(Resource::Cases) || !actor.scope.covers_school(school_id) {
        return Err(AppError::Forbidden);
    }
    let from = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| AppError::Invalid("月份无效".into()))?;
    let to = from.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(from);
    let term = Term::containing(from);
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    let school = store.school(actor, school_id, None).await?;
    let classes = store.list_classes(actor, term.start_year, Some(term_id), Some(school_id)).await?;
    let totals: HashMap<i64, eduq_store::cases::AttendanceTotals> =
        store.attendance_totals(actor, term_id, from, to, true).await?.into_iter().map(|t| (t.unit, t)).collect();
    let cases = store
        .cases(
            actor,
            &CaseQuery {
                school_id: Some(school_id),
                active_from: Some(from),
                active_to: Some(to),
                ..Default::default()
            },
        )
        .await?;
    let mut rows = Vec::new();
    for class in &classes {
        let t = totals.get(&class.id).cloned().unwrap_or_default();
        let mine: Vec<&CaseRow> = cases.iter().filter(|c| c.class_id == Some(class.id)).collect();
        let mut row = vec![
            Cell::from(class.name.as_str()),
            Cell::from(class.students),
            Cell::from(t.expected),
            Cell::from(t.sick),
            Cell::from(t.personal),
            Cell::from(t.truant),
            Cell::from(t.other),
            pct(t.rate()),
        ];
        row.extend(case_counts(&mine, from, to).into_iter().map(Cell::from));
        rows.push(row);
    }
    let all: Vec<&CaseRow> = cases.iter().collect();
    let sum = |i: usize| rows.iter().map(|r: &Vec<Cell>| if let Cell::Number(n) = r[i] { n } else { 0.0 }).sum::<f64>();
    let (exp, abs) = (sum(2), sum(3) + sum(4) + sum(5) + sum(6));
    let mut total =
        vec![Cell::from("合计"), sum(1).into(), exp.into(), sum(3).into(), sum(4).into(), sum(5).into(), sum(6).into()];
    total.push(pct(eduq_core::attendance::attendance_rate(exp as i64, abs as i64)));
    total.extend(case_counts(&all, from, to).into_iter().map(Cell::from));
    rows.push(total);
    let mut headers =
        vec!["班级", "在籍人数", "应出勤人次", "病假人次", "事假人次", "旷课人次", "其他缺勤人次", "出勤率(%)"];
    headers.extend(COUNT_HEADERS);
    let register: Vec<Vec<Cell>> = cases.iter().map(case_cells).collect();
    let title = vec![
        format!("义务教育控辍保学月报（{year}年{month}月）"),
        format!("填报单位：{}　统计区间：{from} 至 {to}　生成时间：{}", school.name, now.format("%Y-%m-%d %H:%M")),
    ];
    let bytes = write_workbook(&[
        Sheet { name: "月报", title: title.clone(), headers: &headers, rows: &rows },
        Sheet { name: "台账", title, headers: &CASE_HEADERS, rows: &register },
    ])?;
    store.audit(actor, now, "report_monthly", &format!("school:{school_id}"), &format!("{year}-{month:02}")).await?;
    Ok((format!("控辍保学月报_{}_{year}年{month}月.xlsx", school.name), bytes))
}

/// 控辍保学季报 of the county (per school) for a quarter (1–4 of a calendar year), with the register.
pub async fn quarterly_report(
    store: &Store,
    actor: &Actor,
    year: i32,
    quarter: u32,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), AppError> {
    if !actor.role.may_read(Resource::Cases) || actor.scope != Scope::District {
        return Err(AppError::Forbidden);
    }
    if !(1..=4).contains(&quarter) {
        return Err(AppError::Invalid("季度应为1–4".into()));
    }
    let from =
        NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1).ok_or_else(|| AppError::Invalid("年份无效".into()))?;
    let to = from.checked_add_months(chrono::Months::new(3)).and_then(|d| d.pred_opt()).unwrap_or(from);
    let schools = store.list_schools(actor, None).await?;
    let cases =
        store.cases(actor, &CaseQuery { active_from: Some(from), active_to: Some(to), ..Default::default() }).await?;
    // A quarter may span two terms (January/February): add both.
    let mut totals: HashMap<i64, eduq_store::cases::AttendanceTotals> = HashMap::new();
    let mut terms = vec![Term::containing(from), Term::containing(to)];
    terms.dedup();
    for term in terms {
        if let Some(term_id) = store.term_id(term).await? {
            for t in store.attendance_totals(actor, term_id, from, to, false).await? {
                let e = totals.entry(t.unit).or_default();
                e.expected += t.expected;
                e.sick += t.sick;
                e.personal += t.personal;
                e.truant += t.truant;
                e.other += t.other;
            }
        }
    }
    let mut rows = Vec::new();
    for s in schools.iter().filter(|s| {
        s.school_type
            .stages()
            .iter()
            .any(|st| matches!(st, eduq_core::grade::Stage::Primary | eduq_core::grade::Stage::Junior))
    }) {
        let t = totals.get(&s.id).cloned().unwrap_or_default();
        let mine: Vec<&CaseRow> = cases.iter().filter(|c| c.school_id == s.id).collect();
        let mut row = vec![
            Cell::from(s.code.as_str()),
            Cell::from(s.name.as_str()),
            Cell::from(t.expected),
            Cell::from(t.truant),
            pct(t.rate()),
        ];
        row.extend(case_counts(&mine, from, to).into_iter().map(Cell::from));
        rows.push(row);
    }
    let all: Vec<&CaseRow> = cases.iter().collect();
    let exp: i64 = totals.values().map(|t| t.expected).sum();
    let abs: i64 = totals.values().map(|t| t.absent()).sum();
    let mut total = vec![
        Cell::from(""),
        Cell::from("全县（区）合计"),
        Cell::from(exp),
        Cell::from(totals.values().map(|t| t.truant).sum::<i64>()),
        pct(eduq_core::attendance::attendance_rate(exp, abs)),
    ];
    total.extend(case_counts(&all, from, to).into_iter().map(Cell::from));
    rows.push(total);
    let mut headers = vec!["学校代码", "学校", "应出勤人次", "旷课人次", "出勤率(%)"];
    headers.extend(COUNT_HEADERS);
    let register: Vec<Vec<Cell>> = cases.iter().map(case_cells).collect();
    let (_, district) = store.district().await?;
    let title = vec![
        format!("{district}义务教育控辍保学季报（{year}年第{quarter}季度）"),
        format!("统计区间：{from} 至 {to}　生成时间：{}", now.format("%Y-%m-%d %H:%M")),
    ];
    let bytes = write_workbook(&[
        Sheet { name: "季报", title: title.clone(), headers: &headers, rows: &rows },
        Sheet { name: "台账", title, headers: &CASE_HEADERS, rows: &register },
    ])?;
    store.audit(actor, now, "report_quarterly", "district", &format!("{year}Q{quarter}")).await?;
    Ok((format!("控辍保学季报_{year}年第{quarter}季度.xlsx"), bytes))
}

/// The month before `today` (the report due now), as (year, month).
pub fn previous_month(today: NaiveDate) -> (i32, u32) {
    if today.month() == 1 { (today.year() - 1, 12) } else { (today.year(), today.month() - 1) }
}
