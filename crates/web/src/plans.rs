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
use crate::views::{Layout, layout};
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
    mut mp: Multipart,
) -> Result<Html<String>, WebError> {
    let (mut csrf, mut name, mut bytes) = (None, String::new(), Vec::new());
    while let Some(field) = mp.next_field().await.map_err(|e| WebError::BadRequest(format!("上传失败：{e}")))? {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.ok(),
            Some("file") => {
                name = field.file_name().unwrap_or("plan.xlsx").to_string();
                bytes = field.bytes().await.map_err(|_| WebError::BadRequest("上传中断".into()))?.to_vec();
            }
            _ => {}
        }
    }
    s.check_csrf(csrf.as_deref(), &headers)?;
    match import_plans(&st.store, &s.actor, &bytes, &name, Utc::now()).await {
        Ok(n) => render(&st, &s, None, format!("已导入{n}个计划"), vec![]).await,
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => {
            let mut errors: Vec<String> = e.row_errors().iter().map(ToString::to_string).collect();
            if errors.is_empty() {
                errors.push(e.to_string());
            }
            render(&st, &s, None, String::new(), errors).await
        }
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
