//! Plans: each target's current value, gap and the schools behind it; import and export.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use eduq_app::plans::{PlanView, dashboard, export_plans, import_plans};
use eduq_core::access::Resource;
use eduq_core::indicators::Direction;
use serde::Deserialize;

use crate::auth::Session;
use crate::views::{Layout, Upload, error_lines, layout};
use crate::{AppState, WebError};

#[derive(Deserialize, Default)]
pub struct TermQ {
    term: Option<String>,
}

pub struct Row {
    pub key: &'static str,
    pub name: &'static str,
    pub target: String,
    pub deadline: String,
    pub current: String,
    pub gap: String,
    pub met: Option<bool>,
    pub behind: usize,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    l: Layout,
    plans: Vec<(String, Vec<Row>)>,
    may_import: bool,
    message: String,
    errors: Vec<String>,
}

fn rows(p: &PlanView) -> (String, Vec<Row>) {
    let f = |v: f64| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") };
    let lines = p
        .lines
        .iter()
        .map(|t| Row {
            key: t.key,
            name: t.name,
            target: format!("{}{}{}", if t.direction == Direction::AtLeast { "≥ " } else { "≤ " }, f(t.target), t.unit),
            deadline: t.deadline.clone(),
            current: t
                .current
                .value
                .map_or("—".to_string(), |v| format!("{}{}", f((v * 100.0).round() / 100.0), t.unit)),
            gap: t.gap.map_or(String::new(), |g| {
                if g == 0.0 { String::new() } else { format!("差 {}{}", f((g * 100.0).round() / 100.0), t.unit) }
            }),
            met: t.meets,
            behind: t.behind,
        })
        .collect();
    (p.name.clone(), lines)
}

async fn render(
    st: &AppState,
    s: &Session,
    term: Option<&str>,
    message: String,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    if !(s.actor.role.may_read(Resource::Teachers) && s.actor.role.may_read(Resource::Conditions)) {
        return Err(WebError::Forbidden);
    }
    let (l, sel) = layout(&st.store, s, "计划与目标", "plans", term).await?;
    let plans = dashboard(&st.store, &s.actor, sel.term).await?.iter().map(rows).collect();
    Ok(Html(PlansPage { l, plans, may_import: s.actor.role.may_write(Resource::Schools), message, errors }.render()?))
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
    match import_plans(&st.store, &s.actor, bytes, name, Utc::now()).await {
        Ok(n) => render(&st, &s, None, format!("已导入{n}个计划"), vec![]).await,
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => render(&st, &s, None, String::new(), error_lines(&e)).await,
    }
}

pub async fn export(State(st): State<AppState>, s: Session) -> Result<Response, WebError> {
    if !s.actor.role.may_read(Resource::Conditions) {
        return Err(WebError::Forbidden);
    }
    let bytes = export_plans(&st.store).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"plans.xlsx\""),
        ],
        bytes,
    )
        .into_response())
}
