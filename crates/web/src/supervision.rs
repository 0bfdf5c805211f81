//! 督导 pages: the board and the 问题清单, raising a problem or a hazard, one problem with its
//! 整改 steps and evidence, and the printable 整改通知书. Handlers parse and render; the rules live
//! in core and app.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use eduq_app::problems::{Board, ProblemAction, ProblemDetail, ProblemQuery, ProblemRow, RaiseForm};
use eduq_core::access::Resource;
use eduq_core::calendar::parse_date;
use eduq_core::casework::Subject;
use eduq_core::supervision::{ProblemKind, ProblemState, Severity};
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, Pages, Upload, id_param, layout, qs};
use crate::{AppState, WebError};

const PER_PAGE: usize = 50;

#[derive(Deserialize, Default)]
pub struct ListQ {
    tab: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    severity: Option<String>,
    school: Option<String>,
    overdue: Option<String>,
    indicator: Option<String>,
    page: Option<usize>,
    /// Prefill of the raise form from an inspection's item.
    inspection: Option<String>,
    item: Option<String>,
    domain: Option<String>,
}

impl ListQ {
    fn query(&self, today: NaiveDate) -> ProblemQuery {
        ProblemQuery {
            kind: self.kind.as_deref().and_then(ProblemKind::from_key),
            state: self.state.as_deref().and_then(ProblemState::from_key),
            severity: self.severity.as_deref().and_then(Severity::from_key),
            school_id: id_param(&self.school),
            overdue_on: self.overdue.as_deref().filter(|v| !v.is_empty()).map(|_| today),
            indicator: self.indicator.clone().filter(|v| !v.is_empty()),
            ..Default::default()
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let v = |o: &Option<String>| o.clone().unwrap_or_default();
        vec![
            ("tab", v(&self.tab)),
            ("kind", v(&self.kind)),
            ("state", v(&self.state)),
            ("severity", v(&self.severity)),
            ("school", v(&self.school)),
            ("overdue", v(&self.overdue)),
            ("indicator", v(&self.indicator)),
        ]
    }
}

/// A row as the register shows it, with what the rules say on the day.
pub struct Line {
    pub r: ProblemRow,
    pub overdue_days: i64,
    pub escalation: &'static str,
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct BoardPage {
    l: Layout,
    b: Board,
    /// "" (看板), "register" (问题清单) or "new" (下达整改通知).
    tab: &'static str,
    rows: Vec<Line>,
    f: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    states: Vec<(&'static str, &'static str)>,
    severities: Vec<(&'static str, &'static str)>,
    schools: Vec<(i64, String)>,
    may_raise: bool,
    inspects: bool,
    today: String,
    error: String,
    pg: Pages,
    /// The raise form's prefill: (school, inspection, item code, domain).
    prefill: (i64, i64, String, String),
    /// The register's filters as a query string (the export keeps them).
    filters: String,
    /// This month's 安全隐患排查 of each school in scope, and the checklist a school starts one on.
    checks: Vec<eduq_app::inspections::MonthlyCheck>,
    check_rubric: i64,
    answers: bool,
    month: u32,
    message: String,
    errors: Vec<String>,
}

impl BoardPage {
    fn checks_done(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| c.check.as_ref().is_some_and(|x| x.state == eduq_core::inspection::InspectionState::Closed))
            .count()
    }

    /// The board's tables: (title, element id, lines).
    fn sections(&self) -> Vec<(&'static str, &'static str, &[eduq_app::problems::Line])> {
        vec![
            ("按学校", "by-school", &self.b.by_school),
            ("按严重程度", "by-severity", &self.b.by_severity),
            ("按领域/类别", "by-domain", &self.b.by_domain),
            ("按学期（下达时间）", "by-term", &self.b.by_term),
        ]
    }

    /// The value of a filter, for keeping it selected.
    fn fv(&self, key: &str) -> String {
        self.f.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

async fn render_board(st: &AppState, s: &Session, q: ListQ, error: String) -> Result<Html<String>, WebError> {
    render_board_with(st, s, q, error, String::new(), vec![]).await
}

async fn render_board_with(
    st: &AppState,
    s: &Session,
    q: ListQ,
    error: String,
    message: String,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    if !s.actor.role.may_read(Resource::Supervision) {
        return Err(WebError::Forbidden);
    }
    let t = st.clock.today();
    let (l, _) = layout(&st.store, s, "督导与整改", "supervision", None).await?;
    let kind = q.kind.as_deref().and_then(ProblemKind::from_key);
    let b = eduq_app::problems::board(&st.store, &s.actor, kind, t).await?;
    let tab = match q.tab.as_deref() {
        Some("register") => "register",
        Some("new") => "new",
        _ => "",
    };
    let mut rows = vec![];
    let mut pg = Pages::empty("/supervision");
    if tab == "register" {
        let page = q.page.unwrap_or(0);
        let query = ProblemQuery { offset: (page * PER_PAGE) as i64, limit: PER_PAGE as i64, ..q.query(t) };
        let (found, total) = eduq_app::problems::register(&st.store, &s.actor, &query).await?;
        pg = Pages::counted(found.len(), total.max(0) as usize, page, PER_PAGE, "/supervision", qs(&q.pairs()));
        rows = found
            .into_iter()
            .map(|r| Line {
                overdue_days: r.problem.days_overdue(t),
                escalation: r.problem.escalation(t).map_or("", |e| e.label()),
                r,
            })
            .collect();
    }
    let schools: Vec<(i64, String)> =
        eduq_app::directory::schools(&st.store, &s.actor, None).await?.into_iter().map(|x| (x.id, x.name)).collect();
    let role = s.actor.role;
    let prefill = (
        id_param(&q.school).unwrap_or(0),
        id_param(&q.inspection).unwrap_or(0),
        q.item.clone().unwrap_or_default(),
        q.domain.clone().unwrap_or_default(),
    );
    let filters = qs(&q.pairs().into_iter().filter(|(k, _)| *k != "tab").collect::<Vec<_>>());
    let checks =
        if tab.is_empty() { eduq_app::inspections::monthly_checks(&st.store, &s.actor, t).await? } else { vec![] };
    // The checklist a principal starts this month's 排查 on (only the board offers it).
    let check_rubric = if tab.is_empty() && role.answers_problems() {
        eduq_app::supervision::rubrics(&st.store, &s.actor)
            .await?
            .into_iter()
            .find(|r| r.key == "safety_check_monthly")
            .map_or(0, |r| r.id)
    } else {
        0
    };
    Ok(Html(
        BoardPage {
            prefill,
            filters,
            checks,
            check_rubric,
            answers: role.answers_problems(),
            month: chrono::Datelike::month(&t),
            message,
            errors,
            l,
            b,
            tab,
            rows,
            f: q.pairs(),
            kinds: ProblemKind::ALL.iter().map(|x| (x.key(), x.label())).collect(),
            states: ProblemState::ALL.iter().map(|x| (x.key(), x.label())).collect(),
            severities: Severity::ALL.iter().map(|x| (x.key(), x.label())).collect(),
            schools,
            may_raise: role.may_write(Resource::Supervision),
            inspects: role.inspects(),
            today: t.to_string(),
            error,
            pg,
        }
        .render()?,
    ))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<ListQ>) -> Result<Html<String>, WebError> {
    render_board(&st, &s, q, String::new()).await
}

/// The form that raises a problem or a hazard.
#[derive(Deserialize)]
pub struct RaiseFields {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    school: String,
    #[serde(default)]
    item_code: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    deadline: String,
    inspection: Option<String>,
}

fn optional_date(v: &str) -> Result<Option<NaiveDate>, WebError> {
    match v.trim() {
        "" => Ok(None),
        s => parse_date(s).map(Some).ok_or_else(|| WebError::BadRequest(format!("日期“{s}”无效"))),
    }
}

pub async fn raise(State(st): State<AppState>, Posted(s, f): Posted<RaiseFields>) -> Result<Response, WebError> {
    let bad = |e: eduq_core::CoreError| WebError::BadRequest(e.to_string());
    let form = RaiseForm {
        kind: ProblemKind::parse(&f.kind).map_err(bad)?,
        school_id: id_param(&Some(f.school)).ok_or_else(|| WebError::BadRequest("请选择学校".into()))?,
        inspection_id: id_param(&f.inspection),
        item_code: f.item_code,
        domain: f.domain,
        location: f.location,
        description: f.description,
        severity: Severity::parse(&f.severity).map_err(bad)?,
        responsible: f.responsible,
        indicator: Some(f.indicator),
        deadline: optional_date(&f.deadline)?,
    };
    match eduq_app::problems::raise(&st.store, &s.actor, &form, st.clock.today(), st.clock.now()).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/supervision/problems/{id}")).into_response()),
        Err(eduq_app::AppError::Invalid(m)) => {
            let q = ListQ { tab: Some("new".into()), ..Default::default() };
            Ok(render_board(&st, &s, q, m).await?.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage {
    l: Layout,
    d: ProblemDetail,
    overdue_days: i64,
    escalation: &'static str,
    /// The school answers (整改报告, evidence).
    answers: bool,
    inspects: bool,
    may_confirm: bool,
    today: String,
    error: String,
}

async fn render_problem(st: &AppState, s: &Session, id: i64, error: String) -> Result<Html<String>, WebError> {
    let t = st.clock.today();
    let d = eduq_app::problems::detail(&st.store, &s.actor, id, st.clock.now()).await?;
    let (l, _) = layout(&st.store, s, &format!("整改 · {}", d.row.notice_no), "supervision", None).await?;
    let p = &d.row.problem;
    let role = s.actor.role;
    Ok(Html(
        ProblemPage {
            l,
            overdue_days: p.days_overdue(t),
            escalation: p.escalation(t).map_or("", |e| e.label()),
            answers: role.answers_problems(),
            inspects: role.inspects(),
            may_confirm: role.confirms_problem_closure()
                && p.state == ProblemState::PendingClose
                && p.closing.requested_by.as_deref() != Some(s.actor.username.as_str()),
            today: t.to_string(),
            error,
            d,
        }
        .render()?,
    ))
}

pub async fn detail(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    render_problem(&st, &s, id, String::new()).await
}

/// One step on a problem, named by `action`.
#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    deadline: String,
}

pub async fn update(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<StepForm>,
) -> Result<Response, WebError> {
    let note = f.note;
    let today = st.clock.today();
    let action = match f.action.as_str() {
        "submit" => ProblemAction::Submit { day: optional_date(&f.day)?.unwrap_or(today), note },
        "review_pass" => ProblemAction::Review { pass: true, note },
        "review_return" => ProblemAction::Review { pass: false, note },
        "deadline" => ProblemAction::Deadline {
            deadline: optional_date(&f.deadline)?.ok_or_else(|| WebError::BadRequest("请填写新的整改期限".into()))?,
            note,
        },
        "confirm_close" => ProblemAction::ConfirmClose { approve: true, note },
        "reject_close" => ProblemAction::ConfirmClose { approve: false, note },
        other => return Err(WebError::BadRequest(format!("未知的操作“{other}”"))),
    };
    match eduq_app::problems::act(&st.store, &s.actor, id, action, today, st.clock.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/supervision/problems/{id}")).into_response()),
        Err(eduq_app::AppError::Invalid(m)) => Ok(render_problem(&st, &s, id, m).await?.into_response()),
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
    match crate::views::keep_evidence(&st, &s, &headers, mp, Subject::Problem, id).await? {
        None => Ok(Redirect::to(&format!("/supervision/problems/{id}")).into_response()),
        Some(m) => Ok(render_problem(&st, &s, id, m).await?.into_response()),
    }
}

pub async fn evidence(
    State(st): State<AppState>,
    s: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    crate::views::case_evidence(&st, &s, Subject::Problem, id, file).await
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    d: ProblemDetail,
    district: String,
}

/// The 整改通知书, printable on A4.
pub async fn notice(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    let d = eduq_app::problems::detail(&st.store, &s.actor, id, st.clock.now()).await?;
    let district = eduq_app::directory::district_name(&st.store).await?;
    Ok(Html(NoticePage { d, district }.render()?))
}

/// The register as filtered, in the import layout (xlsx).
pub async fn export(State(st): State<AppState>, s: Session, Query(q): Query<ListQ>) -> Result<Response, WebError> {
    let bytes = eduq_app::problems::export_problems(&st.store, &s.actor, &q.query(st.clock.today())).await?;
    Ok(crate::views::xlsx_download("问题清单.xlsx", bytes))
}

/// Imports a 问题清单 file (multipart `file`).
pub async fn import(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let (name, bytes) = Upload::one_file(mp, &s, &headers).await?;
    let r =
        eduq_app::problems::import_problems(&st.store, &s.actor, &bytes, &name, st.clock.today(), st.clock.now()).await;
    let (message, errors) =
        match crate::views::import_result(r, |n| format!("已导入{}条问题，{}条已存在未变", n.added, n.unchanged))?
        {
            Ok(m) => (m, vec![]),
            Err(lines) => (String::new(), lines),
        };
    let q = ListQ { tab: Some("register".into()), ..Default::default() };
    Ok(render_board_with(&st, &s, q, String::new(), message, errors).await?.into_response())
}
