//! 交流轮岗: the school year's qualifying teachers and quotas, the teachers sent and back, the
//! flows between town and country (a chart with its table), and the bureau's entry of a rotation.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::rotation::{AssignForm, Candidate, RotationBoard};
use eduq_core::rotation::RotationKind;
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, TermQ, layout};
use crate::{AppState, WebError};

/// Qualifying teachers listed on the page (the workbook has them all).
const LISTED: usize = 300;

#[derive(Template)]
#[template(path = "rotation.html")]
struct RotationPage {
    l: Layout,
    b: RotationBoard,
    listed: Vec<Candidate>,
    chart: String,
    plans: bool,
    schools: Vec<(i64, String)>,
    kinds: &'static [RotationKind],
    error: String,
}

async fn render(st: &AppState, s: &Session, term: Option<&str>, error: String) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, s, "交流轮岗", "teachers", term).await?;
    let b = eduq_app::rotation::board(&st.store, &s.actor, sel.term).await?;
    let listed: Vec<Candidate> = b.candidates.iter().filter(|c| c.qualifies && !c.sent).take(LISTED).cloned().collect();
    let chart = serde_json::json!({
        "tooltip": {},
        "xAxis": { "type": "category", "data": b.flows.iter().map(|f| format!("{}→{}", f.from.label(), f.to.label())).collect::<Vec<_>>() },
        "yAxis": { "type": "value", "name": "人" },
        "series": [{ "type": "bar", "data": b.flows.iter().map(|f| f.teachers).collect::<Vec<_>>() }]
    })
    .to_string();
    let plans = s.actor.role.plans_rotation();
    let schools = if plans {
        eduq_app::directory::schools(&st.store, &s.actor, sel.id).await?.into_iter().map(|x| (x.id, x.name)).collect()
    } else {
        vec![]
    };
    let page = RotationPage { l, b, listed, chart, plans, schools, kinds: RotationKind::ALL, error };
    Ok(Html(page.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Result<Html<String>, WebError> {
    render(&st, &s, q.term.as_deref(), String::new()).await
}

pub async fn export(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Result<Response, WebError> {
    let (_, sel) = layout(&st.store, &s, "交流轮岗", "teachers", q.term.as_deref()).await?;
    let b = eduq_app::rotation::board(&st.store, &s.actor, sel.term).await?;
    let bytes = eduq_app::rotation::workbook(&b)?;
    Ok(crate::views::xlsx_download(&format!("交流轮岗-{}.xlsx", b.label()), bytes))
}

/// Sends a teacher (the bureau).
pub async fn assign(State(st): State<AppState>, Posted(s, f): Posted<AssignForm>) -> Result<Response, WebError> {
    match eduq_app::rotation::assign(&st.store, &s.actor, &f, st.clock.today(), st.clock.now()).await {
        Ok(()) => Ok(Redirect::to("/teachers/rotation").into_response()),
        Err(eduq_app::AppError::Invalid(m)) => Ok(render(&st, &s, None, m).await?.into_response()),
        Err(eduq_app::AppError::Store(eduq_app::StoreError::Conflict(m))) => {
            Ok(render(&st, &s, None, m).await?.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ReturnForm {
    day: String,
}

/// Records a return (the bureau).
pub async fn returned(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<ReturnForm>,
) -> Result<Response, WebError> {
    match eduq_app::rotation::mark_returned(&st.store, &s.actor, id, &f.day, st.clock.now()).await {
        Ok(()) => Ok(Redirect::to("/teachers/rotation").into_response()),
        Err(eduq_app::AppError::Invalid(m)) => Ok(render(&st, &s, None, m).await?.into_response()),
        Err(eduq_app::AppError::Store(eduq_app::StoreError::Conflict(m))) => {
            Ok(render(&st, &s, None, m).await?.into_response())
        }
        Err(e) => Err(e.into()),
    }
}
