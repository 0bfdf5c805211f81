//! Plans and targets: imported from and exported to xlsx, and shown against the current values.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::{Term, parse_school_year};
use eduq_core::indicators::{Direction, LIBRARY, Value};
use eduq_exchange::table::{Cell, write_xlsx};
use eduq_exchange::{RowError, read_table};
use eduq_store::Store;
use eduq_store::plans::{Plan, PlanTarget};
use serde::Serialize;

use crate::AppError;

pub const HEADERS: [&str; 4] = ["计划名称", "指标", "目标值", "截止学年"];

/// The indicator named by its key or its Chinese name.
fn indicator_key(s: &str) -> Option<&'static str> {
    LIBRARY.iter().find(|i| i.key == s.trim() || i.name == s.trim()).map(|i| i.key)
}

/// Reads a plan file: one row per target. Every bad row is reported; nothing is kept otherwise.
pub fn parse_plans(bytes: &[u8], file_name: &str) -> Result<Vec<Plan>, AppError> {
    let t = read_table(bytes, file_name)?;
    let cols: Vec<Option<usize>> = HEADERS.iter().map(|h| t.column(h)).collect();
    let missing: Vec<String> =
        HEADERS.iter().zip(&cols).filter(|(_, c)| c.is_none()).map(|(h, _)| h.to_string()).collect();
    if !missing.is_empty() {
        return Err(eduq_exchange::ExchangeError::MissingHeaders(missing).into());
    }
    let col = |k: usize| cols[k].expect("checked");
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, &str), usize> = HashMap::new();
    let mut plans: Vec<Plan> = Vec::new();
    for (n, r) in &t.rows {
        let mut fail = |c: usize, message: &str| {
            errors.push(RowError {
                row: *n,
                column: HEADERS[c].into(),
                value: r[col(c)].clone(),
                message: message.into(),
            })
        };
        let name = r[col(0)].trim().to_string();
        if name.is_empty() {
            fail(0, "不能为空");
        }
        let key = indicator_key(&r[col(1)]);
        if key.is_none() {
            fail(1, "不是指标库中的指标（请使用指标名称或键，如“小学生师比”）");
        }
        let target = r[col(2)].trim().trim_end_matches('%').parse::<f64>().ok().filter(|v| v.is_finite());
        if target.is_none() {
            fail(2, "不是有效数字");
        }
        let year = parse_school_year(r[col(3)].trim())
            .ok()
            .or_else(|| r[col(3)].trim().parse::<i32>().ok().filter(|y| (2000..2100).contains(y)));
        if year.is_none() {
            fail(3, "格式应为“2026-2027”或年份");
        }
        if let (false, Some(key), Some(target), Some(year)) = (name.is_empty(), key, target, year) {
            if let Some(first) = seen.insert((name.clone(), key), *n) {
                errors.push(RowError {
                    row: *n,
                    column: "指标".into(),
                    value: r[col(1)].clone(),
                    message: format!("在同一计划中与第{first}行重复"),
                });
                continue;
            }
            let t = PlanTarget { indicator: key.to_string(), target, deadline_year: year };
            match plans.iter_mut().find(|p| p.name == name) {
                Some(p) => p.targets.push(t),
                None => plans.push(Plan { name, targets: vec![t] }),
            }
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

pub async fn export_plans(store: &Store) -> Result<Vec<u8>, AppError> {
    let mut rows = Vec::new();
    for p in store.plans().await? {
        for t in &p.targets {
            let name = LIBRARY.iter().find(|i| i.key == t.indicator).map_or(t.indicator.as_str(), |i| i.name);
            rows.push(vec![
                Cell::Text(p.name.clone()),
                Cell::Text(name.to_string()),
                Cell::Number(t.target),
                Cell::Text(format!("{}-{}", t.deadline_year, t.deadline_year + 1)),
            ]);
        }
    }
    Ok(write_xlsx("计划目标", &HEADERS, &rows)?)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetLine {
    pub key: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub direction: Direction,
    pub target: f64,
    pub deadline: String,
    pub current: Value,
    pub meets: Option<bool>,
    pub gap: Option<f64>,
    /// Schools not meeting the plan's target.
    pub behind: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanView {
    pub name: String,
    pub lines: Vec<TargetLine>,
}

/// Each plan's targets with the current value of the term, the gap and the schools behind.
pub async fn dashboard(store: &Store, actor: &Actor, term: Term) -> Result<Vec<PlanView>, AppError> {
    let values = crate::indicators::library(store, actor, term).await?;
    Ok(store
        .plans()
        .await?
        .into_iter()
        .map(|p| PlanView {
            lines: p
                .targets
                .iter()
                .filter_map(|t| {
                    let v = values.iter().find(|v| v.indicator.key == t.indicator)?;
                    let ind = &v.indicator;
                    Some(TargetLine {
                        key: ind.key,
                        name: ind.name,
                        unit: ind.unit,
                        direction: ind.direction,
                        target: t.target,
                        deadline: format!("{}-{}学年", t.deadline_year, t.deadline_year + 1),
                        current: v.district,
                        meets: v.district.meets(ind, t.target),
                        gap: v.district.gap(ind, t.target),
                        behind: v.schools.iter().filter(|s| s.value.meets(ind, t.target) == Some(false)).count(),
                    })
                })
                .collect(),
            name: p.name,
        })
        .collect())
}

/// Targets real district plans set (巩固率 and 普惠 need records eduq does not hold yet).
pub fn example_plan(start_year: i32) -> Plan {
    let t =
        |indicator: &str, target: f64| PlanTarget { indicator: indicator.into(), target, deadline_year: start_year };
    Plan {
        name: format!("示范区教育质量提升三年行动计划（{}—{}年）", start_year - 2, start_year + 1),
        targets: vec![
            t("fitness_pass_rate", 95.0),
            t("fitness_excellent_rate", 10.0),
            t("ptr_primary", 19.0),
            t("ptr_junior", 13.5),
            t("class_size_ok_rate", 100.0),
            t("large_classes", 0.0),
            t("qualified_teachers_rate", 100.0),
            t("bachelor_teachers_rate", 80.0),
            t("pupils_per_computer", 6.0),
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
            PlanTarget { indicator: "fitness_pass_rate".into(), target: 95.0, deadline_year: 2026 }
        );
        let bad = "计划名称,指标,目标值,截止学年\n三年计划,不存在的指标,95,2026-2027\n三年计划,ptr_primary,abc,明年\n三年计划,小学生师比,19,2026\n三年计划,ptr_primary,18,2026\n";
        let Err(AppError::Rows(rows)) = parse_plans(bad.as_bytes(), "p.csv") else { panic!() };
        let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert!(text[0].starts_with("第2行「指标」的值“不存在的指标”不是指标库中的指标"), "{text:?}");
        assert_eq!(text[1], "第3行「目标值」的值“abc”不是有效数字");
        assert!(text[2].starts_with("第3行「截止学年」"));
        assert_eq!(text[3], "第5行「指标」的值“ptr_primary”在同一计划中与第4行重复");
    }
}
