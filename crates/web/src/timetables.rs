//! 开齐开足: the timetable board (district → school → class), uploads of timetables and of the
//! province's curriculum table, and their workbooks.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::timetables::Report;
use eduq_core::access::Resource;
use serde::Deserialize;

use crate::auth::{NoFields, Posted, Session};
use crate::views::{Layout, import_result, layout};
use crate::{AppState, WebError};

#[derive(Debug, Default, Deserialize)]
pub struct BoardQ {
    pub term: Option<String>,
    pub school: Option<i64>,
}

#[derive(Template)]
#[template(path = "timetables.html")]
struct BoardPage {
    l: Layout,
    r: Report,
    uploads: bool,
    keeps_rules: bool,
    message: String,
    errors: Vec<String>,
}

fn school_of(s: &Session, q: &BoardQ) -> Option<i64> {
    q.school.or(crate::views::own_school(s))
}

async fn render(
    st: &AppState,
    s: &Session,
    q: &BoardQ,
    message: String,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, s, "开齐开足·课表核对", "homework", q.term.as_deref()).await?;
    let r = eduq_app::timetables::report(&st.store, &s.actor, sel.term, school_of(s, q)).await?;
    let uploads = s.actor.role.may_write(Resource::Classes);
    let keeps_rules = s.actor.role.keeps_rubrics();
    Ok(Html(BoardPage { l, r, uploads, keeps_rules, message, errors }.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<BoardQ>) -> Result<Html<String>, WebError> {
    render(&st, &s, &q, String::new(), vec![]).await
}

pub async fn export(State(st): State<AppState>, s: Session, Query(q): Query<BoardQ>) -> Result<Response, WebError> {
    let (_, sel) = layout(&st.store, &s, "开齐开足", "homework", q.term.as_deref()).await?;
    let r = eduq_app::timetables::report(&st.store, &s.actor, sel.term, school_of(&s, &q)).await?;
    Ok(crate::views::xlsx_download("开齐开足核对.xlsx", eduq_app::timetables::workbook(&r)?))
}

pub async fn template() -> Result<Response, WebError> {
    Ok(crate::views::xlsx_download("课表模板.xlsx", eduq_app::timetables::template()?))
}

pub async fn curriculum(State(st): State<AppState>, _s: Session) -> Result<Response, WebError> {
    let (rules, _) = eduq_app::timetables::rules(&st.store).await?;
    Ok(crate::views::xlsx_download("课程设置表.xlsx", eduq_app::timetables::curriculum_workbook(&rules)?))
}

/// A timetable file (multipart `file`).
pub async fn upload(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let (name, bytes) = crate::views::Upload::one_file(mp, &s, &headers).await?;
    let r = eduq_app::timetables::import(&st.store, &s.actor, &bytes, &name, st.clock.today(), st.clock.now()).await;
    let (message, errors) =
        match import_result(r, |n| format!("已导入课表{}节，{}节与上次相同未变", n.added, n.unchanged))?
        {
            Ok(m) => (m, vec![]),
            Err(lines) => (String::new(), lines),
        };
    Ok(render(&st, &s, &BoardQ::default(), message, errors).await?.into_response())
}

/// The province's curriculum table (multipart `file`), by the bureau.
pub async fn set_curriculum(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let (name, bytes) = crate::views::Upload::one_file(mp, &s, &headers).await?;
    let r = eduq_app::timetables::set_curriculum(&st.store, &s.actor, Some((&bytes, &name)), st.clock.now()).await;
    let (message, errors) = match import_result(r, |n| format!("已启用本省课程设置表（{n}行）"))? {
        Ok(m) => (m, vec![]),
        Err(lines) => (String::new(), lines),
    };
    Ok(render(&st, &s, &BoardQ::default(), message, errors).await?.into_response())
}

/// Back to the national floor (the bureau).
pub async fn reset_curriculum(
    State(st): State<AppState>,
    Posted(s, NoFields {}): Posted<NoFields>,
) -> Result<Response, WebError> {
    eduq_app::timetables::set_curriculum(&st.store, &s.actor, None, st.clock.now()).await?;
    Ok(Redirect::to("/timetables").into_response())
}
