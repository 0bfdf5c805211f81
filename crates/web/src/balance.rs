//! The 优质均衡 board: every school's seven resource indicators against the thresholds, the county
//! 差异系数, and a what-if on one school that recomputes everything (htmx, no page reload).

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Html;
use eduq_app::balance::{BalanceReport, WhatIf, evaluate_district};
use eduq_core::access::Scope;
use eduq_core::balance::{BalanceStage, threshold};
use eduq_core::standards::quality_balance::{INDICATORS, PROVENANCE, REST_SHARE};
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, layout};
use crate::{AppState, WebError};

#[derive(Deserialize, Default)]
pub struct BalanceQ {
    term: Option<String>,
    stage: Option<String>,
}

fn stage(s: Option<&str>) -> BalanceStage {
    s.and_then(BalanceStage::from_key).unwrap_or(BalanceStage::Primary)
}

/// One cell of the heat table.
pub struct Cell {
    pub text: String,
    /// met, near (≥ 85 %), below
    pub class: &'static str,
}

pub struct SchoolLine {
    pub name: String,
    pub students: String,
    pub cells: Vec<Cell>,
    pub met: usize,
    pub pass: bool,
}

pub struct IndicatorLine {
    pub name: &'static str,
    pub threshold: String,
    pub county: String,
    pub cv: String,
    pub cv_limit: String,
    pub cv_pass: bool,
    pub below: usize,
    /// A gauge of the coefficient against its limit (ECharts option).
    pub gauge: String,
}

/// A gauge of one 差异系数: green up to the limit, red beyond. Its name is the page's caption
/// below it (an indicator's name of 20 characters did not fit inside a 150 px gauge).
fn gauge(cv: Option<f64>, limit: f64) -> String {
    let max = (limit * 1.6).max(cv.unwrap_or(0.0) * 1.1);
    serde_json::json!({
        "animation": false,
        "series": [{
            "type": "gauge", "min": 0, "max": (max * 100.0).round() / 100.0, "radius": "95%",
            "startAngle": 200, "endAngle": -20, "splitNumber": 4,
            "axisLine": {"lineStyle": {"width": 10, "color": [[limit / max, "#1e8449"], [1, "#c0392b"]]}},
            "axisTick": {"show": false}, "splitLine": {"length": 8},
            "axisLabel": {"distance": 12, "fontSize": 9},
            "pointer": {"width": 4}, "title": {"show": false},
            "detail": {"offsetCenter": [0, "40%"], "fontSize": 15, "formatter": "{value}"},
            "data": [{"value": cv.map(|c| (c * 1000.0).round() / 1000.0)}]
        }]
    })
    .to_string()
}

#[derive(Template)]
#[template(path = "balance_results.html")]
pub struct Results {
    pub county: bool,
    pub county_pass: bool,
    pub stage_label: &'static str,
    pub indicators: Vec<IndicatorLine>,
    pub schools: Vec<SchoolLine>,
    pub passing: usize,
    pub excluded: Vec<String>,
    /// 捆绑评价 in force.
    pub bundled: Vec<String>,
    pub quality: Vec<String>,
    pub what_if: String,
    /// 基本均衡 (2012): (indicator, county value, coefficient), the composite, its limit, pass.
    pub basic: Vec<(&'static str, String, String)>,
    pub composite: String,
    pub composite_limit: String,
    pub basic_pass: bool,
}

#[derive(Template)]
#[template(path = "balance.html")]
struct BalancePage {
    l: Layout,
    stage: &'static str,
    schools: Vec<(String, String)>,
    results: Results,
    source: &'static str,
    a: eduq_app::assessment::Assessment,
}

fn fmt(v: f64, unit: &str) -> String {
    if unit == "元" { format!("{v:.0}") } else { format!("{v:.2}") }
}

pub(crate) fn results(r: &BalanceReport, stage: BalanceStage, county: bool, what_if: String) -> Results {
    let e = &r.evaluation;
    let schools = e
        .schools
        .iter()
        .map(|s| SchoolLine {
            name: s.name.clone(),
            students: format!("{:.0}", s.students),
            cells: INDICATORS
                .iter()
                .enumerate()
                .map(|(i, ind)| {
                    let v = s.values[ind.key];
                    let t = threshold(stage, i);
                    let class = if v >= t - 1e-9 {
                        "met"
                    } else if v >= REST_SHARE * t - 1e-9 {
                        "near"
                    } else {
                        "below"
                    };
                    Cell { text: fmt(v, ind.unit), class }
                })
                .collect(),
            met: s.met,
            pass: s.pass,
        })
        .collect();
    Results {
        county,
        county_pass: e.county_pass,
        stage_label: stage.label(),
        indicators: e
            .indicators
            .iter()
            .zip(INDICATORS.iter())
            .map(|(i, ind)| IndicatorLine {
                name: i.name,
                threshold: format!("{}{}", i.threshold, ind.unit),
                county: format!("{}{}", fmt(i.county_value, ind.unit), ind.unit),
                cv: i.cv.map_or("—".to_string(), |c| format!("{c:.3}")),
                cv_limit: format!("{:.2}", i.cv_limit),
                cv_pass: i.cv_pass,
                below: i.schools_below,
                gauge: gauge(i.cv, i.cv_limit),
            })
            .collect(),
        passing: e.schools.iter().filter(|s| s.pass).count(),
        schools,
        excluded: r.excluded.clone(),
        bundled: r.bundled.clone(),
        quality: r.quality.clone(),
        what_if,
        basic: r
            .basic
            .indicators
            .iter()
            .map(|i| {
                (
                    i.name,
                    format!("{}{}", fmt(i.county_value, i.unit), i.unit),
                    i.cv.map_or("—".into(), |c| format!("{c:.3}")),
                )
            })
            .collect(),
        composite: r.basic.composite.map_or("—".into(), |c| format!("{c:.3}")),
        composite_limit: format!("{:.2}", r.basic.limit),
        basic_pass: r.basic.pass,
    }
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<BalanceQ>) -> Result<Html<String>, WebError> {
    let stage = stage(q.stage.as_deref());
    let (l, sel) = layout(&st.store, &s, "优质均衡", "balance", q.term.as_deref()).await?;
    let report = evaluate_district(&st.store, &s.actor, sel.term, stage, None).await?;
    let a = eduq_app::assessment::assessment(&st.store, &s.actor, sel.term).await?;
    let county = s.actor.scope == Scope::District;
    let schools = report.evaluation.schools.iter().map(|x| (x.code.clone(), x.name.clone())).collect();
    Ok(Html(
        BalancePage {
            l,
            stage: stage.key(),
            schools,
            results: results(&report, stage, county, String::new()),
            source: PROVENANCE.source,
            a,
        }
        .render()?,
    ))
}

#[derive(Deserialize)]
pub struct WhatIfForm {
    term: Option<String>,
    stage: Option<String>,
    school: String,
    #[serde(default)]
    pupils: String,
    #[serde(default)]
    a0: String,
    #[serde(default)]
    a1: String,
    #[serde(default)]
    a2: String,
    #[serde(default)]
    a3: String,
    #[serde(default)]
    a4: String,
    #[serde(default)]
    a5: String,
    #[serde(default)]
    a6: String,
}

fn number(label: &str, s: &str) -> Result<f64, WebError> {
    if s.trim().is_empty() {
        return Ok(0.0);
    }
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| WebError::BadRequest(format!("“{label}”应为数字：“{s}”")))
}

/// Recomputes the board with one school's inputs changed; nothing is stored.
pub async fn what_if(State(st): State<AppState>, Posted(s, f): Posted<WhatIfForm>) -> Result<Html<String>, WebError> {
    let stage = stage(f.stage.as_deref());
    let (_, sel) = layout(&st.store, &s, "优质均衡", "balance", f.term.as_deref()).await?;
    let raw = [&f.a0, &f.a1, &f.a2, &f.a3, &f.a4, &f.a5, &f.a6];
    let mut add = [0.0; 7];
    for (i, r) in raw.iter().enumerate() {
        add[i] = number(INDICATORS[i].column, r)?;
    }
    let w = WhatIf { school: f.school.clone(), add, pupils: number("学生数", &f.pupils)? };
    let report = evaluate_district(&st.store, &s.actor, sel.term, stage, Some(&w)).await?;
    let name =
        report.evaluation.schools.iter().find(|x| x.code == f.school).map(|x| x.name.clone()).unwrap_or_default();
    let changes: Vec<String> = INDICATORS
        .iter()
        .zip(add)
        .filter(|(_, a)| *a != 0.0)
        .map(|(i, a)| format!("{}{:+}", i.column, a))
        .chain((w.pupils != 0.0).then(|| format!("学生数{:+}", w.pupils)))
        .collect();
    let note = if changes.is_empty() {
        String::new()
    } else {
        format!("假设{}：{}（未保存）", name, changes.join("，"))
    };
    Ok(Html(results(&report, stage, s.actor.scope == Scope::District, note).render()?))
}

/// The same evaluation as JSON.
pub async fn api(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<BalanceQ>,
) -> Result<Json<BalanceReport>, WebError> {
    let (_, sel) = layout(&st.store, &s, "优质均衡", "balance", q.term.as_deref()).await?;
    Ok(Json(evaluate_district(&st.store, &s.actor, sel.term, stage(q.stage.as_deref()), None).await?))
}

/// The board as a workbook (the table view of its charts).
pub async fn export(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<BalanceQ>,
) -> Result<axum::response::Response, WebError> {
    let stage = stage(q.stage.as_deref());
    let (_, sel) = layout(&st.store, &s, "优质均衡", "balance", q.term.as_deref()).await?;
    let report = evaluate_district(&st.store, &s.actor, sel.term, stage, None).await?;
    let bytes = eduq_app::balance::report_workbook(&report, stage)?;
    Ok(crate::views::xlsx_download(&format!("优质均衡-{}-{}.xlsx", stage.label(), sel.term.school_year()), bytes))
}

#[derive(Template)]
#[template(path = "self_report.html")]
struct SelfReportPage {
    l: Layout,
    r: eduq_app::assessment::SelfReport,
    schools: usize,
    pupils: f64,
    today: String,
}

impl SelfReportPage {
    fn cv(&self, v: &Option<f64>) -> String {
        v.map_or("—".into(), |c| format!("{c:.3}"))
    }
    fn passed(&self, r: &eduq_app::balance::BalanceReport) -> usize {
        r.evaluation.schools.iter().filter(|s| s.pass).count()
    }
    fn pct(&self, s: &Option<eduq_core::questionnaire::results::Share>) -> String {
        s.map_or("—".into(), |s| format!("{:.1}%", s.share * 100.0))
    }
}

/// The 自评报告 on A4 (the county's; the bureau and its leaders).
pub async fn self_report(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<crate::views::TermQ>,
) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, &s, "优质均衡自评报告", "balance", q.term.as_deref()).await?;
    let r = eduq_app::assessment::self_report(&st.store, &s.actor, sel.term).await?;
    let (schools, pupils) = r.schools_and_pupils();
    Ok(Html(SelfReportPage { l, r, schools, pupils, today: s.today.to_string() }.render()?))
}

pub async fn self_report_xlsx(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<crate::views::TermQ>,
) -> Result<axum::response::Response, WebError> {
    let (_, sel) = layout(&st.store, &s, "优质均衡自评报告", "balance", q.term.as_deref()).await?;
    let r = eduq_app::assessment::self_report(&st.store, &s.actor, sel.term).await?;
    let bytes = eduq_app::assessment::appendices(&r)?;
    Ok(crate::views::xlsx_download(&format!("优质均衡自评报告附表-{}.xlsx", r.school_year), bytes))
}
