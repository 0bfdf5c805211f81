//! 学区与集团: each group's running, core school, members and urban–rural pairs.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::groups::GroupRow;
use eduq_core::org::GroupMode;
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, form_message, layout};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsPage {
    l: Layout,
    groups: Vec<GroupRow>,
    modes: &'static [GroupMode],
    keeps: bool,
    error: String,
}

async fn render(st: &AppState, s: &Session, error: String) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "学区与集团", "schools", None).await?;
    let groups = eduq_app::groups::list(&st.store, &s.actor).await?;
    let keeps = s.actor.role.keeps_rubrics();
    Ok(Html(GroupsPage { l, groups, modes: GroupMode::ALL, keeps, error }.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    render(&st, &s, String::new()).await
}

async fn done(st: &AppState, s: &Session, r: Result<(), eduq_app::AppError>) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to("/groups").into_response()),
        Err(e) => Ok(render(st, s, form_message(e)?).await?.into_response()),
    }
}

#[derive(Debug, Deserialize)]
pub struct SetForm {
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub core: String,
}

pub async fn set(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<SetForm>,
) -> Result<Response, WebError> {
    let r = eduq_app::groups::set(&st.store, &s.actor, id, &f.mode, &f.core).await;
    done(&st, &s, r).await
}

#[derive(Debug, Deserialize)]
pub struct PairForm {
    pub urban: i64,
    pub rural: i64,
}

pub async fn pair(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<PairForm>,
) -> Result<Response, WebError> {
    let r = eduq_app::groups::pair(&st.store, &s.actor, id, f.urban, f.rural).await;
    done(&st, &s, r).await
}
