//! Plans and targets: imported from and exported to xlsx, and shown against the current values.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::{Term, parse_school_year};
use eduq_core::indicators::{Direction, Value};
use eduq_core::plan::{Progress, Scope, TargetSpec, format_milestones, parse_milestones};
use eduq_exchange::table::{Cell, Sheet, write_workbook, write_xlsx};
use eduq_exchange::{RowError, read_table};
use eduq_store::Store;
use eduq_store::plans::{Plan, PlanTarget};
use serde::Serialize;

use crate::AppError;
use crate::indicators::IndicatorValue;

pub const HEADERS: [&str; 4] = ["计划名称", "指标", "目标值", "截止学年"];
/// Optional columns: a plan that omits them has district-wide targets from three years before
/// the deadline, without milestones.
pub const OPTIONAL: [&str; 4] = ["起始学年", "范围", "阶段目标", "每年变化"];

/// The indicator named by its key or its Chinese name (the library's, or a 差异系数).
fn indicator_key(s: &str) -> Option<&'static str> {
    eduq_core::indicators::named(s).map(|i| i.key)
}

fn number(raw: &str) -> Option<f64> {
    raw.trim().trim_end_matches('%').replace('−', "-").trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

fn year(raw: &str) -> Option<i32> {
    parse_school_year(raw.trim())
        .ok()
        .or_else(|| raw.trim().trim_end_matches('年').parse::<i32>().ok().filter(|y| (2000..2100).contains(y)))
}

/// Reads a plan file: one row per target. Every bad row is reported; nothing is kept otherwise.
pub fn parse_plans(bytes: &[u8], file_name: &str) -> Result<Vec<Plan>, AppError> {
    let t = read_table(bytes, file_name)?;
    let cols: Vec<Option<usize>> = HEADERS.iter().chain(&OPTIONAL).map(|h| t.column(h)).collect();
    let missing: Vec<String> =
        HEADERS.iter().zip(&cols).filter(|(_, c)| c.is_none()).map(|(h, _)| h.to_string()).collect();
    if !missing.is_empty() {
        return Err(eduq_exchange::ExchangeError::MissingHeaders(missing).into());
    }
    let header = |c: usize| if c < 4 { HEADERS[c] } else { OPTIONAL[c - 4] };
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, &str, Scope), usize> = HashMap::new();
    // Each plan's stated first year and the row that stated it.
    let mut starts: HashMap<String, (i32, usize)> = HashMap::new();
    let mut plans: Vec<Plan> = Vec::new();
    // Milestones are checked once the plan's first year is known: (plan, row, cell, target).
    let mut stated: Vec<(String, usize, String, PlanTarget)> = Vec::new();
    for (n, r) in &t.rows {
        let cell = |c: usize| cols[c].map_or("", |i| r[i].as_str());
        let mut fail = |c: usize, message: &str| {
            errors.push(RowError { row: *n, column: header(c).into(), value: cell(c).into(), message: message.into() })
        };
        let name = cell(0).trim().to_string();
        if name.is_empty() {
            fail(0, "不能为空");
        }
        let key = indicator_key(cell(1));
        if key.is_none() {
            fail(1, "不是指标库中的指标（请使用指标名称或键，如“小学生师比”）");
        }
        let target = number(cell(2));
        if target.is_none() && !cell(2).trim().is_empty() {
            fail(2, "不是有效数字");
        }
        let deadline = year(cell(3));
        if deadline.is_none() {
            fail(3, "格式应为“2026-2027”或年份");
        }
        let start = if cell(4).trim().is_empty() { None } else { year(cell(4)) };
        if start.is_none() && !cell(4).trim().is_empty() {
            fail(4, "格式应为“2024-2025”或年份");
        }
        let scope = if cell(5).trim().is_empty() { Some(Scope::District) } else { Scope::parse(cell(5)).ok() };
        if scope.is_none() {
            fail(5, &format!("应为{}", Scope::labels()));
        }
        if scope == Some(Scope::EachSchool) && key.and_then(eduq_core::spread::spread).is_some() {
            fail(5, "差异系数是全区学校之间的差异，只能设“区县整体”目标");
        }
        let milestones = match parse_milestones(cell(6)) {
            Ok(m) => m,
            Err(e) => {
                fail(6, &e);
                vec![]
            }
        };
        let change = number(cell(7));
        if change.is_none() && !cell(7).trim().is_empty() {
            fail(7, "不是有效数字（如每年降低1个百分点填“-1”）");
        }
        if cell(2).trim().is_empty()
            && change.is_none()
            && !deadline.is_some_and(|d| milestones.iter().any(|(y, _)| *y == d))
        {
            fail(2, "不能为空（或填写“每年变化”，或在“阶段目标”中写明截止学年的目标值）");
        }
        if let (Some(s), Some(d)) = (start, deadline)
            && s > d
        {
            fail(4, "晚于截止学年");
        }
        if let Some(s) = start {
            match starts.get(&name) {
                Some(&(other, row)) if other != s => fail(4, &format!("与第{row}行填写的起始学年不同")),
                Some(_) => {}
                None => {
                    starts.insert(name.clone(), (s, *n));
                }
            }
        }
        if let (false, Some(key), Some(deadline), Some(scope)) = (name.is_empty(), key, deadline, scope) {
            if let Some(first) = seen.insert((name.clone(), key, scope), *n) {
                errors.push(RowError {
                    row: *n,
                    column: "指标".into(),
                    value: cell(1).into(),
                    message: format!("在同一计划中与第{first}行重复"),
                });
                continue;
            }
            let t = PlanTarget {
                indicator: key.to_string(),
                scope,
                target,
                annual_change: change,
                deadline_year: deadline,
                milestones,
            };
            stated.push((name.clone(), *n, cell(6).to_string(), t.clone()));
            match plans.iter_mut().find(|p| p.name == name) {
                Some(p) => p.targets.push(t),
                None => plans.push(Plan { name, start_year: 0, targets: vec![t] }),
            }
        }
    }
    for p in &mut plans {
        let last = p.targets.iter().map(|t| t.deadline_year).max().unwrap_or_default();
        // A 三年行动计划 by default: its first year is two years before its deadline.
        p.start_year = starts.get(&p.name).map_or(last - 2, |s| s.0);
    }
    for (plan, row, cell, t) in stated {
        let start = plans.iter().find(|p| p.name == plan).map_or(t.deadline_year, |p| p.start_year);
        if let Some((y, _)) = t.milestones.iter().find(|(y, _)| *y < start || *y > t.deadline_year) {
            errors.push(RowError {
                row,
                column: "阶段目标".into(),
                value: cell,
                message: format!("{y}-{}学年不在计划的起始学年与截止学年之间", y + 1),
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    Ok(plans)
}

pub async fn import_plans(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    if !actor.role.may_write(Resource::Schools) {
        return Err(AppError::Forbidden);
    }
    let plans = parse_plans(bytes, file_name)?;
    let (district_id, _) = store.district().await?;
    for p in &plans {
        store.save_plan(district_id, p).await?;
        store
            .audit(actor, now, "plan_import", &format!("plan:{}", p.name), &format!("{}项目标", p.targets.len()))
            .await?;
    }
    Ok(plans.len())
}

pub async fn export_plans(store: &Store, actor: &Actor) -> Result<Vec<u8>, AppError> {
    if !actor.role.may_read(Resource::Conditions) {
        return Err(AppError::Forbidden);
    }
    let mut rows = Vec::new();
    let opt = |v: Option<f64>| v.map_or(Cell::Text(String::new()), Cell::Number);
    for p in store.plans().await? {
        for t in &p.targets {
            let name = eduq_core::indicators::indicator(&t.indicator).map_or(t.indicator.as_str(), |i| i.name);
            rows.push(vec![
                Cell::Text(p.name.clone()),
                Cell::Text(name.to_string()),
                opt(t.target),
                Cell::Text(format!("{}-{}", t.deadline_year, t.deadline_year + 1)),
                Cell::Text(format!("{}-{}", p.start_year, p.start_year + 1)),
                Cell::Text(t.scope.label().to_string()),
                Cell::Text(format_milestones(&t.milestones)),
                opt(t.annual_change),
            ]);
        }
    }
    let headers: Vec<&str> = HEADERS.iter().chain(&OPTIONAL).copied().collect();
    Ok(write_xlsx("计划目标", &headers, &rows)?)
}

/// A school short of a target this year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Behind {
    pub school_id: i64,
    pub name: String,
    pub value: f64,
    /// Distance to this year's expected value (in the indicator's unit).
    pub gap: f64,
}

/// One school year of a target: the value held and the value the plan expects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearPoint {
    pub year: i32,
    pub value: Option<f64>,
    pub expected: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetLine {
    pub key: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub direction: Direction,
    pub scope: Scope,
    pub spec: TargetSpec,
    /// The final value (derived from the baseline for a change per year).
    pub target: Option<f64>,
    pub deadline: String,
    /// The value held for the plan's first year (for an every-school target: its weakest school's).
    pub baseline: Option<f64>,
    /// The district value this term (numerator and denominator kept for the drill-down).
    pub current: Value,
    /// The value judged: the district's, or for an every-school target its weakest school's.
    pub judged: Option<f64>,
    /// This year's value on the plan's path.
    pub expected: Option<f64>,
    pub progress: Progress,
    /// Distance to the final value, positive when short of it.
    pub gap: Option<f64>,
    /// Schools meeting this year's expected value, of the schools the indicator applies to.
    pub schools_meeting: usize,
    pub schools: usize,
    /// Schools below this year's expected value, furthest first.
    pub behind: Vec<Behind>,
    pub trend: Vec<YearPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanView {
    pub name: String,
    pub start_year: i32,
    pub lines: Vec<TargetLine>,
}

/// The value a target is judged on: the district's, or its weakest school's.
fn judged(v: &IndicatorValue, scope: Scope) -> Option<f64> {
    match scope {
        Scope::District => v.district.value,
        Scope::EachSchool => {
            let values = v.schools.iter().filter_map(|s| s.value.value);
            match v.indicator.direction {
                Direction::AtLeast => values.min_by(f64::total_cmp),
                Direction::AtMost => values.max_by(f64::total_cmp),
            }
        }
    }
}

fn line(plan: &Plan, t: &PlanTarget, years: &[(i32, Vec<IndicatorValue>)], current_year: i32) -> Option<TargetLine> {
    let at = |y: i32| {
        years.iter().find(|(yy, _)| *yy == y).and_then(|(_, vs)| vs.iter().find(|v| v.indicator.key == t.indicator))
    };
    let (_, now_values) = years.iter().rev().find(|(y, _)| *y <= current_year)?;
    let v = now_values.iter().find(|v| v.indicator.key == t.indicator)?;
    let ind = &v.indicator;
    let spec = TargetSpec {
        direction: ind.direction,
        target: t.target,
        annual_change: t.annual_change,
        start_year: plan.start_year,
        deadline_year: t.deadline_year,
        milestones: t.milestones.clone(),
    };
    let baseline = at(plan.start_year).and_then(|b| judged(b, t.scope));
    let value = judged(v, t.scope);
    let expected = spec.expected(current_year, baseline);
    let target = spec.final_target(baseline);
    let mut behind: Vec<Behind> = v
        .schools
        .iter()
        .filter_map(|s| {
            let (x, e) = (s.value.value?, expected?);
            let g = ind.direction.shortfall(x, e);
            (g > 1e-9).then(|| Behind { school_id: s.school_id, name: s.name.clone(), value: x, gap: g })
        })
        .collect();
    behind.sort_by(|a, b| b.gap.total_cmp(&a.gap).then(a.name.cmp(&b.name)));
    let schools = v.schools.iter().filter(|s| s.value.value.is_some()).count();
    Some(TargetLine {
        key: ind.key,
        name: ind.name,
        unit: ind.unit,
        direction: ind.direction,
        scope: t.scope,
        target,
        deadline: format!("{}-{}学年", t.deadline_year, t.deadline_year + 1),
        baseline,
        current: v.district,
        judged: value,
        expected,
        progress: spec.progress(current_year, baseline, value),
        gap: value.zip(target).map(|(x, g)| ind.direction.shortfall(x, g)),
        schools_meeting: schools - behind.len(),
        schools,
        behind,
        trend: years
            .iter()
            .filter(|(y, _)| *y <= current_year)
            .map(|(y, vs)| YearPoint {
                year: *y,
                value: vs.iter().find(|v| v.indicator.key == t.indicator).and_then(|v| judged(v, t.scope)),
                expected: (*y >= plan.start_year).then(|| spec.expected(*y, baseline)).flatten(),
            })
            .collect(),
        spec,
    })
}

/// Each plan's targets in the term's school year: the value against the plan's path, the trend
/// over the years held, and the schools that hold it back.
pub async fn dashboard(store: &Store, actor: &Actor, term: Term) -> Result<Vec<PlanView>, AppError> {
    if !actor.role.reads_indicators() {
        return Err(AppError::Forbidden);
    }
    let years = crate::indicators::library_by_year(store, actor, term).await?;
    Ok(store
        .plans()
        .await?
        .into_iter()
        .map(|p| PlanView {
            lines: p.targets.iter().filter_map(|t| line(&p, t, &years, term.start_year)).collect(),
            start_year: p.start_year,
            name: p.name,
        })
        .collect())
}

/// The dashboard as a workbook: one sheet of targets (value, path, progress) and one of the
/// schools behind each target.
pub fn dashboard_workbook(views: &[PlanView]) -> Result<Vec<u8>, AppError> {
    let num = |v: Option<f64>| v.map_or(Cell::Text(String::new()), Cell::Number);
    let years: std::collections::BTreeSet<i32> =
        views.iter().flat_map(|p| &p.lines).flat_map(|t| t.trend.iter().map(|p| p.year)).collect();
    let mut headers: Vec<String> = [
        "计划",
        "指标",
        "范围",
        "方向",
        "目标值",
        "截止学年",
        "基线",
        "本学年应达",
        "当前区县值",
        "判定值",
        "状态",
        "距目标",
        "达到本学年要求的学校",
        "适用学校",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for y in &years {
        headers.push(format!("{y}-{}实际", y + 1));
        headers.push(format!("{y}-{}应达", y + 1));
    }
    let mut rows = Vec::new();
    let mut behind = Vec::new();
    for p in views {
        for t in &p.lines {
            let mut r = vec![
                Cell::Text(p.name.clone()),
                Cell::Text(t.name.to_string()),
                Cell::Text(t.scope.label().to_string()),
                Cell::Text(if t.direction == Direction::AtLeast { "不低于" } else { "不高于" }.to_string()),
                num(t.target),
                Cell::Text(t.deadline.clone()),
                num(t.baseline),
                num(t.expected),
                num(t.current.value),
                num(t.judged),
                Cell::Text(t.progress.label().to_string()),
                num(t.gap),
                Cell::Number(t.schools_meeting as f64),
                Cell::Number(t.schools as f64),
            ];
            for y in &years {
                let point = t.trend.iter().find(|p| p.year == *y);
                r.push(num(point.and_then(|p| p.value)));
                r.push(num(point.and_then(|p| p.expected)));
            }
            rows.push(r);
            for b in &t.behind {
                behind.push(vec![
                    Cell::Text(p.name.clone()),
                    Cell::Text(t.name.to_string()),
                    Cell::Text(b.name.clone()),
                    Cell::Number(b.value),
                    num(t.expected),
                    Cell::Number(b.gap),
                ]);
            }
        }
    }
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    Ok(write_workbook(&[
        Sheet { name: "目标进度", title: vec![], headers: &headers, rows: &rows },
        Sheet {
            name: "未达到本学年要求的学校",
            title: vec![],
            headers: &["计划", "指标", "学校", "学校值", "本学年应达", "差距"],
            rows: &behind,
        },
    ])?)
}

/// Targets real district plans set.
pub fn example_plan(start_year: i32) -> Plan {
    let t = |indicator: &str, target: f64| PlanTarget {
        indicator: indicator.into(),
        scope: Scope::District,
        target: Some(target),
        annual_change: None,
        deadline_year: start_year,
        milestones: vec![],
    };
    let first = start_year - 2;
    Plan {
        name: format!("示范区教育质量提升三年行动计划（{}—{}年）", first, start_year + 1),
        start_year: first,
        targets: vec![
            t("consolidation_rate", 99.5),
            PlanTarget { milestones: vec![(first + 1, 93.0)], ..t("fitness_pass_rate", 95.0) },
            t("fitness_excellent_rate", 10.0),
            // 近视率 down 1 point a year from the plan's first year.
            PlanTarget { target: None, annual_change: Some(-1.0), ..t("myopia_rate", 0.0) },
            t("ptr_primary", 19.0),
            t("ptr_junior", 13.5),
            PlanTarget { scope: Scope::EachSchool, ..t("class_size_ok_rate", 100.0) },
            t("large_classes", 0.0),
            t("inclusive_kindergarten_rate", 90.0),
            t("qualified_teachers_rate", 100.0),
            t("bachelor_teachers_rate", 80.0),
            PlanTarget { scope: Scope::EachSchool, ..t("pupils_per_computer", 6.0) },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_file_rows_are_validated() {
        let ok =
            "计划名称,指标,目标值,截止学年\n三年计划,学生体质健康合格率,95%,2026-2027\n三年计划,ptr_primary,19,2026\n";
        let plans = parse_plans(ok.as_bytes(), "p.csv").unwrap();
        assert_eq!(plans.len(), 1);
        assert_eq!(
            plans[0].targets[0],
            PlanTarget {
                indicator: "fitness_pass_rate".into(),
                scope: Scope::District,
                target: Some(95.0),
                annual_change: None,
                deadline_year: 2026,
                milestones: vec![],
            }
        );
        assert_eq!(plans[0].start_year, 2024, "three years up to the deadline by default");
        let bad = "计划名称,指标,目标值,截止学年\n三年计划,不存在的指标,95,2026-2027\n三年计划,ptr_primary,abc,明年\n三年计划,小学生师比,19,2026\n三年计划,ptr_primary,18,2026\n";
        let Err(AppError::Rows(rows)) = parse_plans(bad.as_bytes(), "p.csv") else { panic!() };
        let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert!(text[0].starts_with("第2行「指标」的值“不存在的指标”不是指标库中的指标"), "{text:?}");
        assert_eq!(text[1], "第3行「目标值」的值“abc”不是有效数字");
        assert!(text[2].starts_with("第3行「截止学年」"));
        assert_eq!(text[3], "第5行「指标」的值“ptr_primary”在同一计划中与第4行重复");
        // The county 差异系数 are targets too, by key or name, for the district as a whole only.
        let cv = "计划名称,指标,目标值,截止学年,范围\n计划,小学校际差异系数：生均教学及辅助用房面积,0.50,2026,\n\
                  计划,cv_basic_composite_junior,0.55,2026,区县整体\n";
        let plans = parse_plans(cv.as_bytes(), "p.csv").unwrap();
        let keys: Vec<&str> = plans[0].targets.iter().map(|t| t.indicator.as_str()).collect();
        assert_eq!(keys, ["cv_primary_teaching_area_per_student", "cv_basic_composite_junior"]);
        let each = "计划名称,指标,目标值,截止学年,范围\n计划,cv_junior_teaching_area_per_student,0.45,2026,每所学校\n";
        let Err(AppError::Rows(rows)) = parse_plans(each.as_bytes(), "p.csv") else { panic!() };
        assert_eq!(
            rows[0].to_string(),
            "第2行「范围」的值“每所学校”差异系数是全区学校之间的差异，只能设“区县整体”目标"
        );
    }

    #[test]
    fn plan_files_state_paths_scopes_and_first_years() {
        let ok = "计划名称,指标,目标值,截止学年,起始学年,范围,阶段目标,每年变化\n\
                  计划,近视率,,2026-2027,2024-2025,,,−1\n\
                  计划,学生体质健康合格率,95,2026,,,2025-2026:93,\n\
                  计划,班额达标率,100,2026,,每所学校,,\n\
                  计划,小学生师比,,2026,,,2026:19,\n";
        let plans = parse_plans(ok.as_bytes(), "p.csv").unwrap();
        let p = &plans[0];
        assert_eq!(p.start_year, 2024);
        assert_eq!((p.targets[0].target, p.targets[0].annual_change), (None, Some(-1.0)));
        assert_eq!(p.targets[1].milestones, vec![(2025, 93.0)]);
        assert_eq!(p.targets[2].scope, Scope::EachSchool);
        assert_eq!(p.targets[3].milestones, vec![(2026, 19.0)]);
        let bad = "计划名称,指标,目标值,截止学年,起始学年,范围,阶段目标,每年变化\n\
                   计划,近视率,,2026,,,,\n\
                   计划,小学生师比,19,2026,2027,全市,2023:20,x\n\
                   计划,初中生师比,13.5,2026,2023,,2023-2024:14,\n";
        let Err(AppError::Rows(rows)) = parse_plans(bad.as_bytes(), "p.csv") else { panic!() };
        let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert!(text[0].starts_with("第2行「目标值」的值“”不能为空"), "{text:?}");
        assert!(text[1].starts_with("第3行「范围」的值“全市”应为区县整体、每所学校"), "{text:?}");
        assert!(text[2].starts_with("第3行「每年变化」的值“x”不是有效数字"), "{text:?}");
        assert_eq!(text[3], "第3行「起始学年」的值“2027”晚于截止学年");
        assert_eq!(text[4], "第4行「起始学年」的值“2023”与第3行填写的起始学年不同");
        // Row 3 is not kept (bad scope); the plan starts in 2027 as row 3 stated, row 4's milestone precedes it.
        assert_eq!(text[5], "第4行「阶段目标」的值“2023-2024:14”2023-2024学年不在计划的起始学年与截止学年之间");
        assert_eq!(text.len(), 6, "{text:?}");
    }
}
