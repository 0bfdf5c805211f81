//! 名师/骨干 designations: the register with today's counts by title and subject, nominations,
//! and each designation's page where the bureau scores, concludes, designates, assesses, renews
//! or removes.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::designations::{Board, DesignationView, NominateForm, StepForm};
use eduq_core::casework::Subject;
use eduq_core::designation::{Assessment, Honour, Level};

use crate::auth::{Posted, Session};
use crate::views::{Layout, form_message, keep_evidence, layout};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "designations.html")]
struct BoardPage {
    l: Layout,
    b: Board,
    chart: String,
    nominates: bool,
    honours: &'static [Honour],
    levels: &'static [Level],
    error: String,
}

async fn render(st: &AppState, s: &Session, error: String) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "名师与骨干教师", "teachers", None).await?;
    let b = eduq_app::designations::board(&st.store, &s.actor, s.today).await?;
    let chart = serde_json::json!({
        "tooltip": {},
        "xAxis": { "type": "category", "data": b.held.iter().map(|(h, _)| h.label()).collect::<Vec<_>>() },
        "yAxis": { "type": "value", "name": "人" },
        "series": [{ "type": "bar", "data": b.held.iter().map(|(_, n)| n).collect::<Vec<_>>() }]
    })
    .to_string();
    let page = BoardPage {
        l,
        b,
        chart,
        nominates: s.actor.role.nominates_designations(),
        honours: Honour::ALL,
        levels: Level::ALL,
        error,
    };
    Ok(Html(page.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    render(&st, &s, String::new()).await
}

pub async fn export(State(st): State<AppState>, s: Session) -> Result<Response, WebError> {
    let b = eduq_app::designations::board(&st.store, &s.actor, s.today).await?;
    let bytes = eduq_app::designations::workbook(&b)?;
    Ok(crate::views::xlsx_download(&format!("名师认定-{}.xlsx", s.today), bytes))
}

/// Nominates a teacher (a school its own, the bureau any).
pub async fn nominate(State(st): State<AppState>, Posted(s, f): Posted<NominateForm>) -> Result<Response, WebError> {
    match eduq_app::designations::nominate(&st.store, &s.actor, &f, s.today, st.clock.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/teachers/designations/{id}")).into_response()),
        Err(e) => Ok(render(&st, &s, form_message(e)?).await?.into_response()),
    }
}

#[derive(Template)]
#[template(path = "designation.html")]
struct DetailPage {
    l: Layout,
    v: DesignationView,
    results: &'static [Assessment],
    this_year: i32,
    error: String,
}

async fn render_one(st: &AppState, s: &Session, id: i64, error: String) -> Result<Html<String>, WebError> {
    let v = eduq_app::designations::view(&st.store, &s.actor, id, s.today).await?;
    let (l, _) = layout(&st.store, s, &format!("{} · {}", v.row.name, v.row.honour.label()), "teachers", None).await?;
    use chrono::Datelike;
    let page = DetailPage { l, v, results: Assessment::ALL, this_year: s.today.year(), error };
    Ok(Html(page.render()?))
}

pub async fn detail(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    render_one(&st, &s, id, String::new()).await
}

/// One step (the bureau).
pub async fn act(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<StepForm>,
) -> Result<Response, WebError> {
    match eduq_app::designations::act(&st.store, &s.actor, id, &f, s.today, st.clock.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/teachers/designations/{id}")).into_response()),
        Err(e) => Ok(render_one(&st, &s, id, form_message(e)?).await?.into_response()),
    }
}

/// Adds a supporting document (申报材料).
pub async fn upload(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, WebError> {
    match keep_evidence(&st, &s, &headers, mp, Subject::Designation, id).await? {
        None => Ok(Redirect::to(&format!("/teachers/designations/{id}")).into_response()),
        Some(m) => Ok(render_one(&st, &s, id, m).await?.into_response()),
    }
}

pub async fn evidence(
    State(st): State<AppState>,
    s: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    crate::views::case_evidence(&st, &s, Subject::Designation, id, file).await
}
