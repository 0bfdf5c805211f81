//! 称号登记: the register of designations and honours of schools and their people; the bureau adds
//! entries with their documents, every reader of schools reads those in scope.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::directory::SchoolOption;
use eduq_app::honours::{HonourForm, HonourRow};
use eduq_core::honour::{HonourKind, HonourLevel};
use serde::Deserialize;

use crate::auth::{NoFields, Posted, Session};
use crate::views::{Layout, Upload, form_message, layout};
use crate::{AppState, WebError};

#[derive(Debug, Default, Deserialize)]
pub struct HonoursQ {
    pub school: Option<i64>,
}

#[derive(Template)]
#[template(path = "honours.html")]
struct HonoursPage {
    l: Layout,
    rows: Vec<HonourRow>,
    /// Kinds held today with their counts.
    counts: Vec<(HonourKind, usize)>,
    /// The bureau registers: the schools to choose from.
    schools: Vec<SchoolOption>,
    kinds: &'static [HonourKind],
    levels: &'static [HonourLevel],
    today: chrono::NaiveDate,
    message: String,
    error: String,
}

async fn render(
    st: &AppState,
    s: &Session,
    school: Option<i64>,
    message: String,
    error: String,
) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "称号登记", "schools", None).await?;
    let (rows, counts) = eduq_app::honours::register(&st.store, &s.actor, school, s.today).await?;
    let schools = match s.actor.role.keeps_rubrics() {
        true => eduq_app::directory::school_options(&st.store, &s.actor).await?,
        false => vec![],
    };
    let page = HonoursPage {
        l,
        rows,
        counts,
        schools,
        kinds: HonourKind::ALL,
        levels: HonourLevel::ALL,
        today: s.today,
        message,
        error,
    };
    Ok(Html(page.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<HonoursQ>) -> Result<Html<String>, WebError> {
    render(&st, &s, q.school, String::new(), String::new()).await
}

/// Adds an entry (multipart: the form's fields and the document `file`).
pub async fn add(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let f = HonourForm {
        school_id: up.text("school_id").parse().map_err(|_| WebError::BadRequest("请选择学校".into()))?,
        kind: up.text("kind"),
        level: up.text("level"),
        title: up.text("title"),
        person: up.text("person"),
        year: up.text("year"),
        valid_until: up.text("valid_until"),
    };
    match eduq_app::honours::add(&st.store, &s.actor, &f, up.file("file"), s.today, st.clock.now()).await {
        Ok(()) => {
            Ok(render(&st, &s, None, format!("已登记“{}”", f.title.trim()), String::new()).await?.into_response())
        }
        Err(e) => Ok(render(&st, &s, None, String::new(), form_message(e)?).await?.into_response()),
    }
}

pub async fn remove(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, _): Posted<NoFields>,
) -> Result<Response, WebError> {
    eduq_app::honours::remove(&st.store, &s.actor, id, st.clock.now()).await?;
    Ok(Redirect::to("/honours").into_response())
}

pub async fn evidence(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Response, WebError> {
    let (name, kind, bytes) = eduq_app::honours::evidence(&st.store, &s.actor, id).await?;
    Ok(crate::views::file_download(&name, kind, bytes))
}
