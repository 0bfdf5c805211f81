//! 课题: the register with the term's coverage, the bureau's 立项 form, and each project's page
//! with its stages, history and stage reports.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::casework::{CaseEvent, EvidenceMeta};
use eduq_app::research::{ProjectForm, ProjectRow, ResearchBoard, StageForm};
use eduq_core::casework::Subject;
use eduq_core::research::{ProjectLevel, Stage, Verdict};

use crate::auth::{Posted, Session};
use crate::views::{Layout, TermQ, form_message, keep_evidence, layout};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "research.html")]
struct BoardPage {
    l: Layout,
    b: ResearchBoard,
    keeps: bool,
    levels: &'static [ProjectLevel],
    error: String,
}

async fn render(st: &AppState, s: &Session, term: Option<&str>, error: String) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, s, "课题研究", "teachers", term).await?;
    let b = eduq_app::research::board(&st.store, &s.actor, sel.term).await?;
    let keeps = s.actor.role.runs_teacher_development();
    Ok(Html(BoardPage { l, b, keeps, levels: ProjectLevel::ALL, error }.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Result<Html<String>, WebError> {
    render(&st, &s, q.term.as_deref(), String::new()).await
}

pub async fn export(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Result<Response, WebError> {
    let (_, sel) = layout(&st.store, &s, "课题研究", "teachers", q.term.as_deref()).await?;
    let b = eduq_app::research::board(&st.store, &s.actor, sel.term).await?;
    Ok(crate::views::xlsx_download("课题登记.xlsx", eduq_app::research::workbook(&b)?))
}

/// 立项 (the bureau).
pub async fn register(State(st): State<AppState>, Posted(s, f): Posted<ProjectForm>) -> Result<Response, WebError> {
    match eduq_app::research::register(&st.store, &s.actor, &f, s.today, st.clock.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/teachers/research/{id}")).into_response()),
        Err(e) => Ok(render(&st, &s, None, form_message(e)?).await?.into_response()),
    }
}

#[derive(Template)]
#[template(path = "research_project.html")]
struct ProjectPage {
    l: Layout,
    p: ProjectRow,
    events: Vec<CaseEvent>,
    evidence: Vec<EvidenceMeta>,
    next: Option<Stage>,
    keeps: bool,
    verdicts: &'static [Verdict],
    error: String,
}

async fn render_one(st: &AppState, s: &Session, id: i64, error: String) -> Result<Html<String>, WebError> {
    let (p, events, evidence) = eduq_app::research::view(&st.store, &s.actor, id).await?;
    let (l, _) = layout(&st.store, s, &p.title, "teachers", None).await?;
    let next = p.p.stage.next();
    let keeps = s.actor.role.runs_teacher_development();
    Ok(Html(ProjectPage { l, p, events, evidence, next, keeps, verdicts: Verdict::ALL, error }.render()?))
}

pub async fn detail(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    render_one(&st, &s, id, String::new()).await
}

/// The next stage, or 撤项 (the bureau).
pub async fn advance(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<StageForm>,
) -> Result<Response, WebError> {
    match eduq_app::research::advance(&st.store, &s.actor, id, &f, s.today, st.clock.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/teachers/research/{id}")).into_response()),
        Err(e) => Ok(render_one(&st, &s, id, form_message(e)?).await?.into_response()),
    }
}

/// A stage report (开题报告, 中期报告, 结题报告).
pub async fn upload(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, WebError> {
    match keep_evidence(&st, &s, &headers, mp, Subject::Research, id).await? {
        None => Ok(Redirect::to(&format!("/teachers/research/{id}")).into_response()),
        Some(m) => Ok(render_one(&st, &s, id, m).await?.into_response()),
    }
}

pub async fn evidence(
    State(st): State<AppState>,
    s: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    crate::views::case_evidence(&st, &s, Subject::Research, id, file).await
}
