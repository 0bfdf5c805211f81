//! 工作室: the district's studios with the school year's activity against plan (a chart with its
//! table), and each studio's page: members, the plan, activities with evidence, and the annual
//! assessment on a rubric version.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::studios::{ActivityForm, PlanForm, StudioBoard, StudioForm, StudioView};
use eduq_core::casework::Subject;
use eduq_core::designation::Level;
use eduq_core::rubric::{Outcome, Rubric};
use eduq_core::studio::{ActivityKind, StudioKind};
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, Upload, form_message, layout};
use crate::{AppState, WebError};

#[derive(Deserialize, Default)]
pub struct YearQ {
    year: Option<i32>,
    rubric: Option<i64>,
}

fn year_of(s: &Session, q: &YearQ) -> i32 {
    q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(eduq_core::calendar::Term::containing(s.today).start_year)
}

#[derive(Template)]
#[template(path = "studios.html")]
struct BoardPage {
    l: Layout,
    b: StudioBoard,
    chart: String,
    keeps: bool,
    kinds: &'static [StudioKind],
    levels: &'static [Level],
    error: String,
}

async fn render(st: &AppState, s: &Session, year: i32, error: String) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "工作室", "teachers", None).await?;
    let b = eduq_app::studios::board(&st.store, &s.actor, year).await?;
    let chart = serde_json::json!({
        "tooltip": {},
        "xAxis": { "type": "category", "data": b.by_month.iter().map(|(m, _)| m).collect::<Vec<_>>() },
        "yAxis": { "type": "value", "name": "次" },
        "series": [{ "type": "bar", "data": b.by_month.iter().map(|(_, n)| n).collect::<Vec<_>>() }]
    })
    .to_string();
    let keeps = s.actor.role.runs_teacher_development();
    Ok(Html(BoardPage { l, b, chart, keeps, kinds: StudioKind::ALL, levels: Level::ALL, error }.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<YearQ>) -> Result<Html<String>, WebError> {
    render(&st, &s, year_of(&s, &q), String::new()).await
}

pub async fn export(State(st): State<AppState>, s: Session, Query(q): Query<YearQ>) -> Result<Response, WebError> {
    let b = eduq_app::studios::board(&st.store, &s.actor, year_of(&s, &q)).await?;
    let bytes = eduq_app::studios::workbook(&b)?;
    Ok(crate::views::xlsx_download(&format!("工作室-{}学年.xlsx", b.start_year), bytes))
}

/// Sets a studio up (the bureau).
pub async fn create(State(st): State<AppState>, Posted(s, f): Posted<StudioForm>) -> Result<Response, WebError> {
    match eduq_app::studios::create(&st.store, &s.actor, &f, s.today, st.clock.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/teachers/studios/{id}")).into_response()),
        Err(e) => Ok(render(&st, &s, year_of(&s, &YearQ::default()), form_message(e)?).await?.into_response()),
    }
}

#[derive(Template)]
#[template(path = "studio.html")]
struct StudioPage {
    l: Layout,
    v: StudioView,
    kinds: &'static [ActivityKind],
    /// The bureau's assessment form: the rubric (id, content), the marks held, what they add up to.
    rubric: Option<(i64, Rubric)>,
    rubrics: Vec<(i64, String)>,
    held: std::collections::BTreeMap<String, String>,
    outcome: Option<Outcome>,
    error: String,
}

impl StudioPage {
    fn planned(&self, k: &ActivityKind) -> String {
        self.v.plan.as_ref().and_then(|p| p.targets.get(k)).map(|n| n.to_string()).unwrap_or_default()
    }

    fn held_mark(&self, code: &str) -> String {
        self.held.get(code).cloned().unwrap_or_default()
    }
}

async fn render_one(st: &AppState, s: &Session, id: i64, q: &YearQ, error: String) -> Result<Html<String>, WebError> {
    let year = year_of(s, q);
    let v = eduq_app::studios::view(&st.store, &s.actor, id, year).await?;
    let (l, _) = layout(&st.store, s, &v.row.name, "teachers", None).await?;
    let held_row = v.assessments.iter().find(|a| a.start_year == year).cloned();
    let (rubric, rubrics) = if v.decides {
        let wanted = q.rubric.or(held_row.as_ref().map(|a| a.rubric_id));
        let all = eduq_app::supervision::rubrics(&st.store, &s.actor).await?;
        (
            eduq_app::studios::rubric(&st.store, &s.actor, wanted).await?,
            all.into_iter().map(|r| (r.id, format!("{}（{}）", r.name, r.version))).collect(),
        )
    } else {
        (None, vec![])
    };
    let held = held_row.as_ref().map(|a| a.marks.clone()).unwrap_or_default();
    let outcome = match (&rubric, &held_row) {
        (Some((rid, r)), Some(a)) if *rid == a.rubric_id => eduq_app::studios::outcome_of(r, a),
        _ => None,
    };
    let page = StudioPage { l, v, kinds: ActivityKind::ALL, rubric, rubrics, held, outcome, error };
    Ok(Html(page.render()?))
}

pub async fn detail(
    State(st): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<YearQ>,
) -> Result<Html<String>, WebError> {
    render_one(&st, &s, id, &q, String::new()).await
}

fn back(id: i64, year: &str) -> Response {
    Redirect::to(&format!("/teachers/studios/{id}?year={}", year.trim())).into_response()
}

#[derive(Deserialize)]
pub struct MembersForm {
    members: String,
}

pub async fn members(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<MembersForm>,
) -> Result<Response, WebError> {
    match eduq_app::studios::add_members(&st.store, &s.actor, id, &f.members, s.today, st.clock.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/teachers/studios/{id}")).into_response()),
        Err(e) => Ok(render_one(&st, &s, id, &YearQ::default(), form_message(e)?).await?.into_response()),
    }
}

pub async fn plan(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<PlanForm>,
) -> Result<Response, WebError> {
    match eduq_app::studios::put_plan(&st.store, &s.actor, id, &f, st.clock.now()).await {
        Ok(()) => Ok(back(id, &f.start_year)),
        Err(e) => Ok(render_one(&st, &s, id, &YearQ::default(), form_message(e)?).await?.into_response()),
    }
}

/// Logs an activity with its evidence file, if one is attached (multipart).
pub async fn activity(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let f = ActivityForm {
        kind: up.text("kind"),
        title: up.text("title"),
        day: up.text("day"),
        place: up.text("place"),
        participants: up.text("participants"),
        note: up.text("note"),
    };
    let now = st.clock.now();
    let logged = match eduq_app::studios::log_activity(&st.store, &s.actor, id, &f, s.today, now).await {
        Ok(a) => a,
        Err(e) => return Ok(render_one(&st, &s, id, &YearQ::default(), form_message(e)?).await?.into_response()),
    };
    if let Some((name, bytes)) = up.file("file").filter(|(_, b)| !b.is_empty()) {
        let r = eduq_app::casework::add_evidence(
            &st.store,
            &s.actor,
            Subject::StudioActivity,
            logged,
            name,
            bytes.to_vec(),
            now,
        )
        .await;
        if let Err(e) = r {
            let m = format!("活动已登记，但材料未上传：{}", form_message(e)?);
            return Ok(render_one(&st, &s, id, &YearQ::default(), m).await?.into_response());
        }
    }
    let year =
        eduq_core::calendar::Term::containing(eduq_core::calendar::parse_date(&f.day).unwrap_or(s.today)).start_year;
    Ok(back(id, &year.to_string()))
}

/// The annual assessment (the bureau): `year`, `rubric_id`, then a field `m_<item code>` per item.
pub async fn assess(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let year = field("year");
    let rubric_id = crate::views::id_param(&Some(field("rubric_id")));
    let entries: Vec<(String, String)> =
        f.iter().filter_map(|(k, v)| k.strip_prefix("m_").map(|c| (c.to_string(), v.clone()))).collect();
    let q = YearQ { year: year.trim().parse().ok(), rubric: rubric_id };
    let (Some(y), Some(rid)) = (q.year, rubric_id) else {
        return Ok(render_one(&st, &s, id, &q, "请选择学年和指标体系".into()).await?.into_response());
    };
    match eduq_app::studios::assess(&st.store, &s.actor, id, y, rid, &entries, st.clock.now()).await {
        Ok(_) => Ok(back(id, &year)),
        Err(e) => Ok(render_one(&st, &s, id, &q, form_message(e)?).await?.into_response()),
    }
}

/// An evidence file for a logged activity.
pub async fn upload(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, WebError> {
    let studio = eduq_app::studios::activity_studio(&st.store, &s.actor, id).await?;
    match crate::views::keep_evidence(&st, &s, &headers, mp, Subject::StudioActivity, id).await? {
        None => Ok(Redirect::to(&format!("/teachers/studios/{studio}")).into_response()),
        Some(m) => Ok(render_one(&st, &s, studio, &YearQ::default(), m).await?.into_response()),
    }
}

pub async fn evidence(
    State(st): State<AppState>,
    s: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    crate::views::case_evidence(&st, &s, Subject::StudioActivity, id, file).await
}
