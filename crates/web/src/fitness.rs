//! 体质健康: the statistics of the selected school year and the upload of a test round.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use eduq_app::fitness::{FitnessOverview, ItemLine, Line, MEAN_TOTAL, RATE_COLUMNS, import_fitness, overview};
use eduq_core::access::Resource;
use serde::Deserialize;

use crate::auth::Session;
use crate::views::{Layout, Upload, error_lines, layout};
use crate::{AppState, WebError};

#[derive(Deserialize, Default)]
pub struct FitnessQ {
    term: Option<String>,
}

/// A table row with formatted rates ("—" when there is no denominator, "<5人" when suppressed).
pub struct Row {
    pub label: String,
    pub results: usize,
    pub scored: usize,
    pub cells: Vec<String>,
}

fn rate(v: Option<f64>) -> String {
    v.map_or("—".to_string(), |v| format!("{v:.1}%"))
}

fn row(l: &Line) -> Row {
    let s = &l.stats;
    let cells = if l.suppressed {
        vec!["<5人".to_string(); RATE_COLUMNS.len()]
    } else {
        let v = l.values();
        let mut cells: Vec<String> = v.iter().map(|x| rate(*x)).collect();
        // 平均总分 is a score, not a rate.
        cells[MEAN_TOTAL] = v[MEAN_TOTAL].map_or("—".to_string(), |x| format!("{x:.1}"));
        cells
    };
    Row { label: l.label.clone(), results: s.results, scored: s.scored, cells }
}

#[derive(Template)]
#[template(path = "fitness.html")]
struct FitnessPage {
    l: Layout,
    year: String,
    may_import: bool,
    message: String,
    errors: Vec<String>,
    total: Row,
    unit_kind: &'static str,
    units: Vec<Row>,
    /// 学区 and 集团 with their core schools (district roles).
    groups: Vec<Row>,
    grades: Vec<(Row, Row, Row)>,
    trend: Vec<Row>,
    items: Vec<ItemLine>,
    columns: [&'static str; 10],
    /// ECharts option of the trend (rates by school year), JSON.
    chart: String,
}

async fn render(
    st: &AppState,
    s: &Session,
    term: Option<&str>,
    message: String,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, s, "体质健康", "fitness", term).await?;
    let o: FitnessOverview = overview(&st.store, &s.actor, sel.term).await?;
    let t = eduq_app::fitness::trend(&st.store, &s.actor).await?;
    let shown: Vec<&Line> = t.iter().filter(|l| !l.suppressed).collect();
    let series = |i: usize, name: &str| {
        let data: Vec<Option<f64>> = shown.iter().map(|l| l.values()[i].map(|v| (v * 10.0).round() / 10.0)).collect();
        serde_json::json!({"type": "line", "name": name, "data": data})
    };
    let chart = serde_json::json!({
        "title": {"text": "历年趋势", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 24},
        "grid": {"left": 50, "right": 20, "top": 60, "bottom": 30},
        "xAxis": {"type": "category", "data": shown.iter().map(|l| l.label.as_str()).collect::<Vec<_>>()},
        "yAxis": {"type": "value", "name": "%", "min": 0, "max": 100},
        "series": [series(1, "合格率"), series(2, "优秀率"), series(8, "视力不良率"), series(9, "近视率")]
    });
    Ok(Html(
        FitnessPage {
            l,
            year: o.school_year.clone(),
            may_import: s.actor.role.may_write(Resource::Students),
            message,
            errors,
            total: row(&o.total),
            unit_kind: o.unit_kind,
            units: o.units.iter().map(row).collect(),
            groups: o.groups.iter().map(row).collect(),
            grades: o.grades.iter().map(|(a, b, c)| (row(a), row(b), row(c))).collect(),
            trend: t.iter().map(row).collect(),
            items: o.items.clone(),
            columns: RATE_COLUMNS,
            chart: chart.to_string(),
        }
        .render()?,
    ))
}

/// The statistics workbook of the selected school year (xlsx).
pub async fn workbook(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<FitnessQ>,
) -> Result<axum::response::Response, WebError> {
    let (_, sel) = layout(&st.store, &s, "体质健康", "fitness", q.term.as_deref()).await?;
    let bytes = eduq_app::fitness::workbook(&st.store, &s.actor, sel.term).await?;
    let name = format!("体质健康统计_{}学年.xlsx", sel.term.school_year());
    Ok(crate::views::xlsx_download(&name, bytes))
}

/// The school year's results in the national upload layout (xlsx).
pub async fn national(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<FitnessQ>,
) -> Result<axum::response::Response, WebError> {
    let (_, sel) = layout(&st.store, &s, "体质健康", "fitness", q.term.as_deref()).await?;
    let bytes = eduq_app::fitness::national_export(&st.store, &s.actor, sel.term, st.clock.now()).await?;
    let name = format!("体质健康数据上报_{}学年.xlsx", sel.term.school_year());
    Ok(crate::views::xlsx_download(&name, bytes))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<FitnessQ>) -> Result<Html<String>, WebError> {
    render(&st, &s, q.term.as_deref(), String::new(), vec![]).await
}

/// Applies an uploaded round (the national upload layout) in one transaction, or reports every bad row.
pub async fn import(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Html<String>, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let term = Some(up.text("term")).filter(|t| !t.is_empty());
    let Some((name, bytes)) = up.file("file") else {
        return render(&st, &s, term.as_deref(), String::new(), vec!["请选择要上传的文件".into()]).await;
    };
    let (_, sel) = layout(&st.store, &s, "体质健康", "fitness", term.as_deref()).await?;
    match import_fitness(&st.store, &s.actor, sel.term, bytes, name, false, st.clock.now()).await {
        Ok(r) => {
            let msg = format!(
                "已导入“{name}”：{}名学生，新增{}，更新{}，未变{}",
                r.rows, r.counts.inserted, r.counts.updated, r.counts.unchanged
            );
            render(&st, &s, term.as_deref(), msg, vec![]).await
        }
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => render(&st, &s, term.as_deref(), String::new(), error_lines(&e)).await,
    }
}
