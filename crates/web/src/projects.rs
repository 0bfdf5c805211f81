//! 新改扩建: the bureau's building projects, their milestones and completion.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::directory::SchoolOption;
use eduq_app::projects::{ProjectForm, ProjectRow};
use eduq_core::project::ProjectKind;
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, form_message, layout};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    l: Layout,
    rows: Vec<ProjectRow>,
    keeps: bool,
    schools: Vec<SchoolOption>,
    kinds: &'static [ProjectKind],
    today: chrono::NaiveDate,
    error: String,
}

impl ProjectsPage {
    /// Places added by completed projects, and planned by all.
    fn places(&self) -> (u32, u32) {
        self.rows
            .iter()
            .fold((0, 0), |(a, p), r| (a + r.project.places_added_by(self.today), p + r.project.planned_places))
    }
}

async fn render(st: &AppState, s: &Session, error: String) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "新改扩建项目", "plans", None).await?;
    let rows = eduq_app::projects::list(&st.store, &s.actor).await?;
    let keeps = s.actor.role.keeps_rubrics();
    let schools = match keeps {
        true => eduq_app::directory::school_options(&st.store, &s.actor).await?,
        false => vec![],
    };
    Ok(Html(ProjectsPage { l, rows, keeps, schools, kinds: ProjectKind::ALL, today: s.today, error }.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    render(&st, &s, String::new()).await
}

async fn done(st: &AppState, s: &Session, r: Result<(), eduq_app::AppError>) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to("/projects").into_response()),
        Err(e) => Ok(render(st, s, form_message(e)?).await?.into_response()),
    }
}

pub async fn add(State(st): State<AppState>, Posted(s, f): Posted<ProjectForm>) -> Result<Response, WebError> {
    let r = eduq_app::projects::add(&st.store, &s.actor, &f, st.clock.now()).await;
    done(&st, &s, r).await
}

#[derive(Debug, Deserialize)]
pub struct MilestoneForm {
    pub name: String,
    pub due: String,
}

pub async fn add_milestone(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<MilestoneForm>,
) -> Result<Response, WebError> {
    let r = eduq_app::projects::add_milestone(&st.store, &s.actor, id, &f.name, &f.due).await;
    done(&st, &s, r).await
}

#[derive(Debug, Deserialize)]
pub struct DoneForm {
    pub done: String,
}

pub async fn finish_milestone(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<DoneForm>,
) -> Result<Response, WebError> {
    let r = eduq_app::projects::finish_milestone(&st.store, &s.actor, id, &f.done, s.today, st.clock.now()).await;
    done(&st, &s, r).await
}

#[derive(Debug, Deserialize)]
pub struct CompleteForm {
    pub on: String,
    pub places: String,
}

pub async fn complete(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<CompleteForm>,
) -> Result<Response, WebError> {
    let r = eduq_app::projects::complete(&st.store, &s.actor, id, &f.on, &f.places, s.today, st.clock.now()).await;
    done(&st, &s, r).await
}
