//! 学区与集团: each group's running, core school, members and urban–rural pairs.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::groups::{ActivityForm, ActivityRow, GroupRow};
use eduq_core::access::{Role, Scope};
use eduq_core::calendar::Term;
use eduq_core::group_activity::ActivityKind;
use eduq_core::org::GroupMode;
use serde::Deserialize;

use crate::auth::{NoFields, Posted, Session};
use crate::views::{Layout, Upload, form_message, layout};
use crate::{AppState, WebError};

/// A group with this school year's activity counts and its log.
struct GroupCard {
    g: GroupRow,
    counts: Vec<(ActivityKind, usize)>,
    activities: Vec<ActivityRow>,
    /// The schools the caller may log an activity for as host (the bureau: every member).
    hosts: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsPage {
    l: Layout,
    cards: Vec<GroupCard>,
    modes: &'static [GroupMode],
    kinds: &'static [ActivityKind],
    keeps: bool,
    /// A school administrator's own school, whose entries they may remove.
    own_school: Option<i64>,
    school_year: String,
    today: chrono::NaiveDate,
    /// 捆绑评价: (school id, school, 中心校 name).
    bundles: Vec<(i64, String, String)>,
    /// Every school, for the bureau's 捆绑 form.
    schools: Vec<eduq_app::directory::SchoolOption>,
    message: String,
    error: String,
}

impl GroupsPage {
    /// The caller may remove an entry: the bureau, or the host school's administrator.
    fn may_remove(&self, a: &ActivityRow) -> bool {
        self.keeps || self.own_school == Some(a.activity.host_school_id)
    }
}

async fn render(st: &AppState, s: &Session, message: String, error: String) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "学区与集团", "schools", None).await?;
    let keeps = s.actor.role.keeps_rubrics();
    let year = Term::containing(s.today).start_year;
    let activities = eduq_app::groups::activities(&st.store, &s.actor).await?;
    let cards = eduq_app::groups::list(&st.store, &s.actor)
        .await?
        .into_iter()
        .map(|g| {
            let hosts = match (&s.actor.scope, s.actor.role) {
                _ if keeps => g.members.clone(),
                (Scope::School(own), Role::SchoolAdmin) => {
                    g.members.iter().filter(|(id, _)| id == own).cloned().collect()
                }
                _ => vec![],
            };
            GroupCard {
                counts: eduq_app::groups::year_counts(&activities, g.id, year),
                activities: activities.iter().filter(|a| a.group_id == g.id).take(20).cloned().collect(),
                hosts,
                g,
            }
        })
        .collect();
    let bundles = eduq_app::groups::bundles(&st.store, &s.actor)
        .await?
        .into_iter()
        .map(|(school, _, name, center)| (school, name, center))
        .collect();
    let schools = match keeps {
        true => eduq_app::directory::school_options(&st.store, &s.actor).await?,
        false => vec![],
    };
    let page = GroupsPage {
        l,
        cards,
        bundles,
        schools,
        modes: GroupMode::ALL,
        kinds: ActivityKind::ALL,
        keeps,
        own_school: match (&s.actor.scope, s.actor.role) {
            (Scope::School(own), Role::SchoolAdmin) => Some(*own),
            _ => None,
        },
        school_year: Term::containing(s.today).school_year(),
        today: s.today,
        message,
        error,
    };
    Ok(Html(page.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    render(&st, &s, String::new(), String::new()).await
}

async fn done(st: &AppState, s: &Session, r: Result<(), eduq_app::AppError>) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to("/groups").into_response()),
        Err(e) => Ok(render(st, s, String::new(), form_message(e)?).await?.into_response()),
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

/// Logs an activity (multipart: the form's fields and the evidence `file`).
pub async fn log_activity(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let f = ActivityForm {
        kind: up.text("kind"),
        held_on: up.text("held_on"),
        title: up.text("title"),
        host: up.text("host"),
        to: up.text("to"),
        participants: up.text("participants"),
    };
    let r = eduq_app::groups::log_activity(&st.store, &s.actor, id, &f, up.file("file"), s.today, st.clock.now()).await;
    match r {
        Ok(_) => Ok(render(&st, &s, format!("已登记“{}”", f.title.trim()), String::new()).await?.into_response()),
        Err(e) => Ok(render(&st, &s, String::new(), form_message(e)?).await?.into_response()),
    }
}

pub async fn remove_activity(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, _): Posted<NoFields>,
) -> Result<Response, WebError> {
    eduq_app::groups::remove_activity(&st.store, &s.actor, id, st.clock.now()).await?;
    Ok(Redirect::to("/groups").into_response())
}

pub async fn activity_evidence(
    State(st): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (name, kind, bytes) = eduq_app::groups::activity_evidence(&st.store, &s.actor, id).await?;
    Ok(crate::views::file_download(&name, kind, bytes))
}

#[derive(Debug, Deserialize)]
pub struct BundleForm {
    #[serde(default)]
    pub school: String,
    #[serde(default)]
    pub center: String,
}

pub async fn set_bundle(State(st): State<AppState>, Posted(s, f): Posted<BundleForm>) -> Result<Response, WebError> {
    let r = eduq_app::groups::set_bundle(&st.store, &s.actor, &f.school, &f.center, st.clock.now()).await;
    done(&st, &s, r).await
}

pub async fn remove_bundle(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, _): Posted<NoFields>,
) -> Result<Response, WebError> {
    let r = eduq_app::groups::remove_bundle(&st.store, &s.actor, id, st.clock.now()).await;
    done(&st, &s, r).await
}
