//! 督导 inspections and rubrics: the plan, the scoring page (phone-sized: one card per item, photos
//! from the camera), the report (A4 and xlsx), the 挂牌督导月报, and the rubric versions with the
//! shipped templates. Handlers parse and render; the rules live in core and app.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use eduq_app::inspections::{Entry, InspectionQuery, InspectionRow, InspectionView, MonthReport, PlanForm};
use eduq_app::supervision::RubricRow;
use eduq_core::access::{Resource, Role};
use eduq_core::calendar::parse_date;
use eduq_core::casework::Subject;
use eduq_core::inspection::{InspectionKind, InspectionState, Side};
use eduq_core::rubric::{Method, Rubric};
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, Upload, id_param, layout};
use crate::{AppState, WebError};

fn may_read(s: &Session) -> Result<(), WebError> {
    if s.actor.role.may_read(Resource::Supervision) { Ok(()) } else { Err(WebError::Forbidden) }
}

#[derive(Template)]
#[template(path = "inspections.html")]
struct ListPage {
    l: Layout,
    rows: Vec<InspectionRow>,
    rubrics: Vec<RubricRow>,
    schools: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    inspects: bool,
    is_inspector: bool,
    today: String,
    error: String,
    message: String,
    errors: Vec<String>,
}

async fn render_list(st: &AppState, s: &Session, error: String) -> Result<Html<String>, WebError> {
    render_list_with(st, s, error, String::new(), vec![]).await
}

async fn render_list_with(
    st: &AppState,
    s: &Session,
    error: String,
    message: String,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    may_read(s)?;
    let (l, _) = layout(&st.store, s, "督导安排", "supervision", None).await?;
    let rows = eduq_app::inspections::list(&st.store, &s.actor, &InspectionQuery::default()).await?;
    let rubrics = eduq_app::supervision::rubrics(&st.store, &s.actor).await?;
    let schools =
        eduq_app::directory::schools(&st.store, &s.actor, None).await?.into_iter().map(|x| (x.id, x.name)).collect();
    Ok(Html(
        ListPage {
            l,
            rows,
            rubrics,
            schools,
            kinds: InspectionKind::ALL.iter().map(|k| (k.key(), k.label())).collect(),
            inspects: s.actor.role.inspects(),
            is_inspector: s.actor.role == Role::Inspector,
            today: st.clock.today().to_string(),
            error,
            message,
            errors,
        }
        .render()?,
    ))
}

pub async fn list(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    render_list(&st, &s, String::new()).await
}

#[derive(Deserialize)]
pub struct PlanFields {
    #[serde(default)]
    school: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    rubric: String,
    #[serde(default)]
    inspector: String,
    #[serde(default)]
    day: String,
}

pub async fn create(State(st): State<AppState>, Posted(s, f): Posted<PlanFields>) -> Result<Response, WebError> {
    let form = PlanForm {
        school_id: id_param(&Some(f.school)).ok_or_else(|| WebError::BadRequest("请选择学校".into()))?,
        kind: InspectionKind::parse(&f.kind).map_err(|e| WebError::BadRequest(e.to_string()))?,
        title: f.title,
        rubric_id: id_param(&Some(f.rubric)).ok_or_else(|| WebError::BadRequest("请选择指标体系".into()))?,
        inspector: f.inspector,
        planned_on: parse_date(&f.day).ok_or_else(|| WebError::BadRequest(format!("日期“{}”无效", f.day)))?,
    };
    match eduq_app::inspections::plan(&st.store, &s.actor, &form, st.clock.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/supervision/inspections/{id}")).into_response()),
        Err(eduq_app::AppError::Invalid(m)) => Ok(render_list(&st, &s, m).await?.into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "inspection.html")]
struct InspectionPage {
    l: Layout,
    v: InspectionView,
    evidence: Vec<eduq_app::casework::EvidenceMeta>,
    events: Vec<eduq_app::casework::CaseEvent>,
    /// Which side this caller marks, if any.
    side: &'static str,
    /// The caller closes it (the scoring side).
    closes: bool,
    open: bool,
    error: String,
    message: String,
}

impl InspectionPage {
    /// The choices of a mark for an item of `method` (empty = not marked).
    fn choices(&self, method: &Method) -> Vec<String> {
        match method {
            Method::Pass => vec!["达标".into(), "不达标".into(), "不适用".into()],
            Method::Grade => {
                let mut g: Vec<String> = self.v.rubric.grades.iter().map(|(k, _)| k.clone()).collect();
                g.push("不适用".into());
                g
            }
            Method::Points => vec![],
        }
    }

    fn mine<'a>(&self, i: &'a eduq_app::inspections::ItemView) -> Option<&'a eduq_app::inspections::MarkRow> {
        if self.side == "school" { i.school.as_ref() } else { i.inspector.as_ref() }
    }
}

async fn render_inspection(
    st: &AppState,
    s: &Session,
    id: i64,
    error: String,
    message: String,
) -> Result<Html<String>, WebError> {
    may_read(s)?;
    let v = eduq_app::inspections::view(&st.store, &s.actor, id).await?;
    let (l, _) = layout(&st.store, s, &format!("督导 · {}", v.row.school_name), "supervision", None).await?;
    let (events, evidence) = eduq_app::casework::history(&st.store, &s.actor, Subject::Inspection, id).await?;
    let role = s.actor.role;
    let side = match (v.row.kind.by_school(), role.inspects(), role.answers_problems()) {
        // A school's own 排查 is marked by the school (the bureau's staff read it).
        (true, _, true) => "school",
        (true, _, false) => "",
        (false, true, _) => "inspector",
        (false, false, true) => "school",
        _ => "",
    };
    let open = v.row.state != InspectionState::Closed;
    let closes = open && !side.is_empty() && side == v.row.kind.scored_side().key();
    Ok(Html(InspectionPage { l, v, evidence, events, side, closes, open, error, message }.render()?))
}

pub async fn detail(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    render_inspection(&st, &s, id, String::new(), String::new()).await
}

/// Saves the caller's side of the marks: fields `mark:<code>` and `note:<code>`.
pub async fn mark(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let side = match f.iter().find(|(k, _)| k == "side").map(|(_, v)| v.as_str()) {
        Some("school") => Side::School,
        Some("inspector") => Side::Inspector,
        _ => return Err(WebError::BadRequest("缺少评定方".into())),
    };
    let mut entries: Vec<Entry> = Vec::new();
    for (k, v) in &f {
        if let Some(code) = k.strip_prefix("mark:") {
            entries.push(Entry { code: code.to_string(), mark: v.clone(), note: String::new() });
        }
    }
    for (k, v) in &f {
        if let Some(code) = k.strip_prefix("note:")
            && let Some(e) = entries.iter_mut().find(|e| e.code == code)
        {
            e.note = v.clone();
        }
    }
    let (today, now) = (st.clock.today(), st.clock.now());
    match eduq_app::inspections::save_marks(&st.store, &s.actor, id, side, &entries, today, now).await {
        Ok(n) => Ok(render_inspection(&st, &s, id, String::new(), format!("已保存{n}项评定")).await?.into_response()),
        Err(eduq_app::AppError::Invalid(m)) => {
            Ok(render_inspection(&st, &s, id, m, String::new()).await?.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    summary: String,
}

pub async fn close(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<CloseForm>,
) -> Result<Response, WebError> {
    match eduq_app::inspections::close(&st.store, &s.actor, id, &f.summary, st.clock.today(), st.clock.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/supervision/inspections/{id}")).into_response()),
        Err(eduq_app::AppError::Invalid(m)) => {
            Ok(render_inspection(&st, &s, id, m, String::new()).await?.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn upload(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, WebError> {
    match crate::views::keep_evidence(&st, &s, &headers, mp, Subject::Inspection, id).await? {
        None => Ok(Redirect::to(&format!("/supervision/inspections/{id}")).into_response()),
        Some(m) => Ok(render_inspection(&st, &s, id, m, String::new()).await?.into_response()),
    }
}

pub async fn evidence(
    State(st): State<AppState>,
    s: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    crate::views::case_evidence(&st, &s, Subject::Inspection, id, file).await
}

#[derive(Template)]
#[template(path = "inspection_report.html")]
struct ReportPage {
    v: InspectionView,
    district: String,
}

/// The report on A4 (the browser prints it).
pub async fn report(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    may_read(&s)?;
    let v = eduq_app::inspections::view(&st.store, &s.actor, id).await?;
    let district = eduq_app::directory::district_name(&st.store).await?;
    Ok(Html(ReportPage { v, district }.render()?))
}

pub async fn report_xlsx(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Response, WebError> {
    let (name, bytes) = eduq_app::inspections::report_xlsx(&st.store, &s.actor, id).await?;
    Ok(crate::views::xlsx_download(&name, bytes))
}

#[derive(Deserialize, Default)]
pub struct MonthQ {
    month: Option<String>,
    inspector: Option<String>,
}

fn month_of(q: &MonthQ, today: NaiveDate) -> Result<(i32, u32), WebError> {
    match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => Ok((today.year(), today.month())),
        Some(m) => {
            let bad = || WebError::BadRequest(format!("月份“{m}”应为“2026-10”"));
            let (y, mo) = m.split_once('-').ok_or_else(bad)?;
            Ok((y.parse().map_err(|_| bad())?, mo.parse().map_err(|_| bad())?))
        }
    }
}

#[derive(Template)]
#[template(path = "month_report.html")]
struct MonthPage {
    r: MonthReport,
    district: String,
    month: String,
}

/// The 挂牌督导月报 on A4: `?month=2026-11` (an inspector's own; the bureau names `inspector`).
pub async fn month(State(st): State<AppState>, s: Session, Query(q): Query<MonthQ>) -> Result<Html<String>, WebError> {
    let (y, m) = month_of(&q, st.clock.today())?;
    let inspector = q.inspector.clone().unwrap_or_default();
    let r = eduq_app::inspections::month_report(&st.store, &s.actor, &inspector, y, m).await?;
    let district = eduq_app::directory::district_name(&st.store).await?;
    Ok(Html(MonthPage { r, district, month: format!("{y}-{m:02}") }.render()?))
}

pub async fn month_xlsx(State(st): State<AppState>, s: Session, Query(q): Query<MonthQ>) -> Result<Response, WebError> {
    let (y, m) = month_of(&q, st.clock.today())?;
    let inspector = q.inspector.clone().unwrap_or_default();
    let (name, bytes) = eduq_app::inspections::month_report_xlsx(&st.store, &s.actor, &inspector, y, m).await?;
    Ok(crate::views::xlsx_download(&name, bytes))
}

#[derive(Template)]
#[template(path = "rubrics.html")]
struct RubricsPage {
    l: Layout,
    rows: Vec<RubricRow>,
    shown: Option<(RubricRow, Rubric)>,
    keeps: bool,
    message: String,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct RubricQ {
    id: Option<String>,
}

async fn render_rubrics(
    st: &AppState,
    s: &Session,
    shown: Option<i64>,
    message: String,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    may_read(s)?;
    let (l, _) = layout(&st.store, s, "督导指标体系", "supervision", None).await?;
    let rows = eduq_app::supervision::rubrics(&st.store, &s.actor).await?;
    let shown = match shown.and_then(|id| rows.iter().find(|r| r.id == id)) {
        Some(r) => Some((r.clone(), eduq_app::supervision::rubric(&st.store, &s.actor, r.id).await?)),
        None => None,
    };
    Ok(Html(RubricsPage { l, rows, shown, keeps: s.actor.role.keeps_rubrics(), message, errors }.render()?))
}

pub async fn rubrics(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<RubricQ>,
) -> Result<Html<String>, WebError> {
    render_rubrics(&st, &s, id_param(&q.id), String::new(), vec![]).await
}

/// Loads a rubric file as a new version (multipart: file, key, name, version, source).
pub async fn rubric_upload(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let field = |k: &str| up.fields.get(k).cloned().unwrap_or_default();
    let meta = eduq_app::supervision::RubricMeta {
        key: field("key"),
        name: field("name"),
        version: field("version"),
        source: field("source"),
    };
    let (name, bytes) = up.file("file").map(|(n, b)| (n.to_string(), b.to_vec())).unwrap_or_default();
    let r = eduq_app::supervision::load_rubric(&st.store, &s.actor, &bytes, &name, &meta, st.clock.now()).await;
    let shown = r.as_ref().ok().map(|r| r.id);
    let summary = |r: eduq_app::supervision::LoadedRubric| {
        if r.unchanged {
            "该版本已存在且内容相同，未作改动".to_string()
        } else {
            format!("已导入{}项", r.items)
        }
    };
    let page = match crate::views::import_result(r, summary)? {
        Ok(m) => render_rubrics(&st, &s, shown, m, vec![]).await?,
        Err(lines) => render_rubrics(&st, &s, None, String::new(), lines).await?,
    };
    Ok(page.into_response())
}

pub async fn rubric_templates(
    State(st): State<AppState>,
    Posted(s, _): Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    if !s.actor.role.keeps_rubrics() {
        return Err(WebError::Forbidden);
    }
    let n = eduq_app::supervision::load_templates(&st.store, &s.actor, st.clock.now()).await?;
    Ok(render_rubrics(&st, &s, None, format!("已加载内置模板{n}个（已有的不重复加载）"), vec![]).await?.into_response())
}

/// The inspections in scope in the import layout (xlsx).
pub async fn export(State(st): State<AppState>, s: Session) -> Result<Response, WebError> {
    let bytes = eduq_app::inspections::export_plans(&st.store, &s.actor).await?;
    Ok(crate::views::xlsx_download("督导安排.xlsx", bytes))
}

/// Imports inspection plans (multipart `file`).
pub async fn import(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let (name, bytes) = Upload::one_file(mp, &s, &headers).await?;
    let r = eduq_app::inspections::import_plans(&st.store, &s.actor, &bytes, &name, st.clock.now()).await;
    let (message, errors) =
        match crate::views::import_result(r, |n| format!("已导入{}项督导安排，{}项已存在未变", n.added, n.unchanged))?
        {
            Ok(m) => (m, vec![]),
            Err(lines) => (String::new(), lines),
        };
    Ok(render_list_with(&st, &s, String::new(), message, errors).await?.into_response())
}

/// A rubric version as a file in its import layout.
pub async fn rubric_xlsx(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Response, WebError> {
    let (name, bytes) = eduq_app::supervision::export_rubric(&st.store, &s.actor, id).await?;
    Ok(crate::views::xlsx_download(&name, bytes))
}
