//! Plans: each target's value against the plan's path this year, its trend, the schools that hold
//! it back; import and export.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, Response};
use eduq_app::plans::{PlanView, TargetLine, dashboard, dashboard_workbook, export_plans, import_plans};
use eduq_core::access::Resource;
use eduq_core::indicators::Direction;
use eduq_core::plan::Progress;

use crate::auth::Session;
use crate::views::{Layout, TermQ, Upload, error_lines, layout, xlsx_download};
use crate::{AppState, WebError};

/// A value in its indicator's unit, as the dashboards print it.
pub fn show(unit: &str, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if matches!(unit, "个" | "所" | "元" | "人") => format!("{}{unit}", thousands(x.round() as i64)),
        Some(x) => {
            let s = format!("{x:.2}");
            format!("{}{unit}", s.trim_end_matches('0').trim_end_matches('.'))
        }
    }
}

/// A whole number with thousands separators (81,756,221), as Chinese reports print money and counts.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The distance to a target: a difference of two rates is in 个百分点, not per cent.
fn gap_text(unit: &str, gap: f64) -> String {
    if unit == "%" {
        format!("距目标 {}个百分点", show("", Some(gap)))
    } else {
        format!("距目标 {}", show(unit, Some(gap)))
    }
}

pub struct Card {
    pub key: &'static str,
    pub name: &'static str,
    pub scope: &'static str,
    pub target: String,
    pub deadline: String,
    pub baseline: String,
    pub current: String,
    pub judged: String,
    pub expected: String,
    pub gap: String,
    pub progress: &'static str,
    /// CSS class of the progress badge.
    pub class: &'static str,
    pub schools: String,
    pub behind: Vec<(i64, String, String)>,
    pub more_behind: usize,
    pub trend: Vec<(i32, String, String)>,
    pub sparkline: String,
    /// 督导 problems linked to the target's indicator and not closed yet ("what is being done").
    pub problems: i64,
}

pub struct PlanCards {
    pub name: String,
    pub first_year: String,
    pub cards: Vec<Card>,
}

fn sparkline(t: &TargetLine) -> String {
    let years: Vec<String> = t.trend.iter().map(|p| format!("{}-{}", p.year, p.year + 1)).collect();
    let round = |v: Option<f64>| v.map(|x| (x * 100.0).round() / 100.0);
    serde_json::json!({
        "animation": false,
        "grid": {"left": 2, "right": 2, "top": 6, "bottom": 2},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": years, "show": false},
        "yAxis": {"type": "value", "show": false, "scale": true},
        "series": [
            {"name": "实际", "type": "line", "data": t.trend.iter().map(|p| round(p.value)).collect::<Vec<_>>(),
             "symbolSize": 5, "lineStyle": {"width": 2, "color": "#1f5fae"}, "itemStyle": {"color": "#1f5fae"}},
            {"name": "计划应达", "type": "line", "data": t.trend.iter().map(|p| round(p.expected)).collect::<Vec<_>>(),
             "symbol": "none", "lineStyle": {"width": 1, "type": "dashed", "color": "#c0392b"}}
        ]
    })
    .to_string()
}

pub fn card(t: &TargetLine) -> Card {
    let sign = if t.direction == Direction::AtLeast { "≥ " } else { "≤ " };
    let change = t.spec.annual_change.map(|c| {
        let step = if t.unit == "%" {
            format!("{}个百分点", show("", Some(c.abs())))
        } else {
            show(t.unit, Some(c.abs()))
        };
        format!("（每年{}{step}）", if c < 0.0 { "降低" } else { "提高" })
    });
    Card {
        key: t.key,
        name: t.name,
        scope: t.scope.label(),
        target: format!("{sign}{}{}", show(t.unit, t.target), change.unwrap_or_default()),
        deadline: t.deadline.clone(),
        baseline: show(t.unit, t.baseline),
        current: show(t.unit, t.current.value),
        judged: show(t.unit, t.judged),
        expected: t.expected.map_or("—".into(), |e| format!("{sign}{}", show(t.unit, Some(e)))),
        gap: match t.gap {
            Some(g) if g > 1e-9 => gap_text(t.unit, g),
            Some(_) => "已达到目标".into(),
            None => String::new(),
        },
        progress: t.progress.label(),
        class: match t.progress {
            Progress::Met => "ok",
            Progress::OnTrack => "track",
            Progress::OffTrack => "bad",
            Progress::NoData => "muted",
        },
        schools: format!("{}/{}", t.schools_meeting, t.schools),
        behind: t.behind.iter().take(5).map(|b| (b.school_id, b.name.clone(), show(t.unit, Some(b.value)))).collect(),
        more_behind: t.behind.len().saturating_sub(5),
        trend: t
            .trend
            .iter()
            .map(|p| (p.year, show(t.unit, p.value), p.expected.map_or("—".into(), |e| show(t.unit, Some(e)))))
            .collect(),
        sparkline: sparkline(t),
        problems: 0,
    }
}

/// Counts the open problems linked to each card's indicator.
pub fn with_problems(plans: &mut [PlanCards], open: &std::collections::HashMap<String, i64>) {
    for c in plans.iter_mut().flat_map(|p| p.cards.iter_mut()) {
        c.problems = open.get(c.key).copied().unwrap_or(0);
    }
}

pub fn cards(p: &PlanView) -> PlanCards {
    PlanCards {
        name: p.name.clone(),
        first_year: format!("{}-{}学年", p.start_year, p.start_year + 1),
        cards: p.lines.iter().map(card).collect(),
    }
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    l: Layout,
    plans: Vec<PlanCards>,
    years: Vec<String>,
    may_import: bool,
    message: String,
    errors: Vec<String>,
    /// 新改扩建 projects late on a milestone: (project, late milestones).
    late_projects: Vec<(String, Vec<String>)>,
}

async fn render(
    st: &AppState,
    s: &Session,
    term: Option<&str>,
    message: String,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, s, "计划与目标", "plans", term).await?;
    let views = dashboard(&st.store, &s.actor, sel.term).await?;
    let years = views
        .iter()
        .flat_map(|p| p.lines.first())
        .next()
        .map(|t| t.trend.iter().map(|p| format!("{}-{}", p.year, p.year + 1)).collect())
        .unwrap_or_default();
    let mut plans: Vec<PlanCards> = views.iter().map(cards).collect();
    with_problems(&mut plans, &eduq_app::problems::open_by_indicator(&st.store, &s.actor).await?);
    let late_projects = eduq_app::projects::late(&st.store, &s.actor, s.today).await?;
    let may_import = s.actor.role.may_write(Resource::Schools);
    Ok(Html(PlansPage { l, plans, years, may_import, message, errors, late_projects }.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Result<Html<String>, WebError> {
    render(&st, &s, q.term.as_deref(), String::new(), vec![]).await
}

pub async fn import(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Html<String>, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let (name, bytes) = up.file("file").unwrap_or(("", &[]));
    match import_plans(&st.store, &s.actor, bytes, name, st.clock.now()).await {
        Ok(n) => render(&st, &s, None, format!("已导入{n}个计划"), vec![]).await,
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => render(&st, &s, None, String::new(), error_lines(&e)).await,
    }
}

/// The plans' targets in the file layout they are imported from.
pub async fn export(State(st): State<AppState>, s: Session) -> Result<Response, WebError> {
    Ok(xlsx_download("plans.xlsx", export_plans(&st.store, &s.actor).await?))
}

/// The dashboard's table view as a workbook: each target's values, path and trend.
pub async fn dashboard_xlsx(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<TermQ>,
) -> Result<Response, WebError> {
    let (_, sel) = layout(&st.store, &s, "计划与目标", "plans", q.term.as_deref()).await?;
    let views = dashboard(&st.store, &s.actor, sel.term).await?;
    Ok(xlsx_download("plan-dashboard.xlsx", dashboard_workbook(&views)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_in_points_and_large_numbers_grouped() {
        assert_eq!(gap_text("%", 0.07), "距目标 0.07个百分点");
        assert_eq!(gap_text("人", 12.0), "距目标 12人");
        assert_eq!(show("元", Some(81_756_221.0)), "81,756,221元");
        assert_eq!(thousands(-1_000), "-1,000");
        assert_eq!(thousands(999), "999");
    }
}
