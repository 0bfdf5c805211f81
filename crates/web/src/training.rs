//! 教师培训学时: the cycle's ledger (completion rate by school, who is behind and what is missing),
//! the import of training platforms' completion records, the course catalogue, a teacher's own
//! hours with their entries (学时申报, with the certificate) and the school's and bureau's approval.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::casework::{CaseEvent, EvidenceMeta};
use eduq_app::training::{ClaimForm, ClaimRow, Course, CourseForm, Ledger, OwnHours};
use eduq_core::access::Resource;
use eduq_core::casework::Subject;
use eduq_core::training::{Level, Mode};
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, Upload, layout};
use crate::{AppState, WebError};

/// Teachers listed below the table, those furthest behind first.
const LISTED: usize = 200;

#[derive(Template)]
#[template(path = "training.html")]
struct TrainingPage {
    l: Layout,
    g: std::sync::Arc<Ledger>,
    behind: Vec<eduq_app::training::TeacherHours>,
    /// Teachers whose 定期注册 is overdue or due soon, the earliest first.
    due: Vec<eduq_app::training::TeacherHours>,
    may_import: bool,
    /// Claims waiting for the caller's level (`None`: the caller approves none).
    waiting: Option<usize>,
    courses: Vec<Course>,
    /// The tier pyramid (ECharts options; the table beside it is its text view).
    chart: String,
    keeps_catalogue: bool,
    levels: &'static [Level],
    modes: &'static [Mode],
    message: String,
    errors: Vec<String>,
}

async fn render(st: &AppState, s: &Session, message: String, errors: Vec<String>) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "教师培训学时", "teachers", None).await?;
    let g = eduq_app::training::ledger(&st.store, &s.actor, st.clock.today()).await?;
    let mut behind: Vec<_> = g.teachers.iter().filter(|t| !t.progress.complete).cloned().collect();
    behind.sort_by(|a, b| {
        (a.progress.counted - a.progress.expected).total_cmp(&(b.progress.counted - b.progress.expected))
    });
    behind.truncate(LISTED);
    use eduq_core::training::Registration;
    let mut due: Vec<_> = g
        .teachers
        .iter()
        .filter(|t| matches!(t.registration, Registration::Overdue | Registration::DueSoon))
        .cloned()
        .collect();
    due.sort_by_key(|t| t.registration_due);
    due.truncate(LISTED);
    let may_import = s.actor.role.may_write(Resource::Teachers);
    let waiting = match eduq_app::training::claims_waiting(&st.store, &s.actor).await {
        Ok(c) => Some(c.len()),
        Err(eduq_app::AppError::Forbidden) => None,
        Err(e) => return Err(e.into()),
    };
    let courses = eduq_app::training::courses(&st.store, &s.actor).await?;
    // The ladder as a pyramid: 名师 on top.
    let chart = serde_json::json!({
        "tooltip": {},
        "xAxis": { "type": "value", "name": "人" },
        "yAxis": { "type": "category", "data": g.tiers.iter().map(|(t, _)| t.label()).collect::<Vec<_>>() },
        "series": [{ "type": "bar", "data": g.tiers.iter().map(|(_, n)| n).collect::<Vec<_>>() }]
    })
    .to_string();
    let keeps_catalogue = s.actor.role.approves_training_for_district();
    let page = TrainingPage {
        l,
        g,
        behind,
        due,
        may_import,
        waiting,
        courses,
        chart,
        keeps_catalogue,
        levels: Level::ALL,
        modes: Mode::ALL,
        message,
        errors,
    };
    Ok(Html(page.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    render(&st, &s, String::new(), vec![]).await
}

/// The ledger as xlsx (by school, by subject, every teacher).
pub async fn export(State(st): State<AppState>, s: Session) -> Result<Response, WebError> {
    let g = eduq_app::training::ledger(&st.store, &s.actor, st.clock.today()).await?;
    let bytes = eduq_app::training::workbook(&g)?;
    Ok(crate::views::xlsx_download(&format!("教师培训学时-{}.xlsx", g.cycle.label()), bytes))
}

/// Imports a training platform's export (multipart `file`).
pub async fn import(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let (name, bytes) = Upload::one_file(mp, &s, &headers).await?;
    let r =
        eduq_app::training::import_records(&st.store, &s.actor, &bytes, &name, st.clock.today(), st.clock.now()).await;
    let page =
        match crate::views::import_result(r, |n| format!("已导入{}条培训记录，{}条已存在未变", n.added, n.unchanged))?
        {
            Ok(m) => render(&st, &s, m, vec![]).await?,
            Err(lines) => render(&st, &s, String::new(), lines).await?,
        };
    Ok(page.into_response())
}

/// Adds a course to the catalogue (the bureau).
pub async fn add_course(State(st): State<AppState>, Posted(s, f): Posted<CourseForm>) -> Result<Response, WebError> {
    let (message, errors) = match eduq_app::training::add_course(&st.store, &s.actor, &f, st.clock.now()).await {
        Ok(true) => (format!("已加入课程目录：{}", f.name.trim()), vec![]),
        Ok(false) => ("目录中已有同名同日开始的课程，未变".to_string(), vec![]),
        Err(eduq_app::AppError::Invalid(m)) => (String::new(), vec![m]),
        Err(e) => return Err(e.into()),
    };
    Ok(render(&st, &s, message, errors).await?.into_response())
}

#[derive(Template)]
#[template(path = "training_mine.html")]
struct MinePage {
    l: Layout,
    own: Option<OwnHours>,
    courses: Vec<Course>,
    levels: &'static [Level],
    modes: &'static [Mode],
    today: String,
    today_date: chrono::NaiveDate,
    message: String,
    error: String,
}

async fn render_mine(st: &AppState, s: &Session, message: String, error: String) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "我的培训学时", "own_hours", None).await?;
    let own = eduq_app::training::own_hours(&st.store, &s.actor, st.clock.today()).await?;
    let courses = eduq_app::training::courses(&st.store, &s.actor).await?;
    let today = st.clock.today().to_string();
    let today_date = st.clock.today();
    let page = MinePage { l, own, courses, levels: Level::ALL, modes: Mode::ALL, today, today_date, message, error };
    Ok(Html(page.render()?))
}

/// The caller's own hours, records and entries, and the form to enter hours.
pub async fn mine(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    render_mine(&st, &s, String::new(), String::new()).await
}

/// Enters the caller's own hours with the certificate (multipart: the form's fields and `file`).
pub async fn submit(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let f = ClaimForm {
        course: up.text("course"),
        level: up.text("level"),
        mode: up.text("mode"),
        ethics: up.fields.get("ethics").cloned(),
        hours: up.text("hours"),
        day: up.text("day"),
        provider: up.text("provider"),
    };
    let (name, bytes) = up.file("file").map(|(n, b)| (n.to_string(), b.to_vec())).unwrap_or_default();
    let r = eduq_app::training::submit_claim(&st.store, &s.actor, &f, (&name, bytes), st.clock.today(), st.clock.now())
        .await;
    let page = match r {
        Ok(_) => render_mine(&st, &s, "已提交，等待学校审核".into(), String::new()).await?,
        Err(eduq_app::AppError::Invalid(m)) => render_mine(&st, &s, String::new(), m).await?,
        Err(e) => return Err(e.into()),
    };
    Ok(page.into_response())
}

#[derive(Template)]
#[template(path = "training_claims.html")]
struct ClaimsPage {
    l: Layout,
    claims: Vec<ClaimRow>,
}

/// Claims waiting for the caller's level.
pub async fn claims(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    let claims = eduq_app::training::claims_waiting(&st.store, &s.actor).await?;
    let (l, _) = layout(&st.store, &s, "待审核的学时申报", "teachers", None).await?;
    Ok(Html(ClaimsPage { l, claims }.render()?))
}

#[derive(Template)]
#[template(path = "training_claim.html")]
struct ClaimPage {
    l: Layout,
    c: ClaimRow,
    events: Vec<CaseEvent>,
    evidence: Vec<EvidenceMeta>,
    /// The step the caller may take now, if any: the school's 审核 or the bureau's 认定.
    step: Option<&'static str>,
    error: String,
}

async fn render_claim(st: &AppState, s: &Session, id: i64, error: String) -> Result<Html<String>, WebError> {
    let (c, events, evidence) = eduq_app::training::claim(&st.store, &s.actor, id).await?;
    let step = c.state.approval_by(s.actor.role).map(|x| x.label());
    let (l, _) = layout(&st.store, s, "学时申报", "teachers", None).await?;
    Ok(Html(ClaimPage { l, c, events, evidence, step, error }.render()?))
}

pub async fn claim(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    render_claim(&st, &s, id, String::new()).await
}

#[derive(Deserialize)]
pub struct DecideForm {
    /// `approve` or `return`.
    action: String,
    #[serde(default)]
    reason: String,
}

/// Approves at the caller's level or returns with a reason.
pub async fn decide(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<DecideForm>,
) -> Result<Response, WebError> {
    let approve = match f.action.as_str() {
        "approve" => true,
        "return" => false,
        _ => return Err(WebError::BadRequest("未知的操作".into())),
    };
    let (today, now) = (st.clock.today(), st.clock.now());
    match eduq_app::training::decide_claim(&st.store, &s.actor, id, approve, &f.reason, today, now).await {
        Ok(_) => Ok(Redirect::to(&format!("/teachers/training/claims/{id}")).into_response()),
        Err(eduq_app::AppError::Invalid(m)) => Ok(render_claim(&st, &s, id, m).await?.into_response()),
        Err(e) => Err(e.into()),
    }
}

/// A claim's certificate (audited).
pub async fn certificate(
    State(st): State<AppState>,
    s: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    crate::views::case_evidence(&st, &s, Subject::Training, id, file).await
}
