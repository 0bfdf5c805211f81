//! 控辍保学 case work: dashboard and register, one case with its actions, evidence, alerts,
//! school calendars and the reports sent upward. Handlers parse and render; the rules live in
//! core and app.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use eduq_app::alerts::AlertRow;
use eduq_app::alerts::dismiss_alert;
use eduq_app::calendar::CalendarEntry;
use eduq_app::cases::{Board, CaseAction, act, add_evidence, board, open_case};
use eduq_app::cases::{CaseDetail, CaseQuery, CaseRow};
use eduq_app::consolidation::Consolidation;
use eduq_app::dropout_reports::{monthly_report, previous_month, quarterly_report};
use eduq_core::access::{Resource, Scope};
use eduq_core::calendar::{DayKind, Term, parse_date};
use eduq_core::dropout::{CaseState, Outcome, Party, Register, STEPS, Step};
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, Pages, Upload, id_param, layout, qs};
use crate::{AppState, WebError};

/// A form's date: empty means today.
fn date_field(value: &str, today: NaiveDate) -> Result<NaiveDate, WebError> {
    match value.trim() {
        "" => Ok(today),
        s => parse_date(s).ok_or_else(|| WebError::BadRequest(format!("日期“{s}”无效"))),
    }
}

/// Opening a case: the pupil, the register (疑似辍学/辍学/…), the reason and the alert it answers.
#[derive(Deserialize)]
pub struct NewCaseForm {
    #[serde(default)]
    student: String,
    #[serde(default)]
    register: String,
    #[serde(default)]
    reason: String,
    alert: Option<String>,
}

/// A note (an alert handled without a case).
#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

/// One step on a case: the action and what it needs.
#[derive(Deserialize)]
pub struct CaseStepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    outcome: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    l: Layout,
    b: Board,
    /// "" (看板), "alerts" (待处理预警) or "ledger" (台账).
    tab: &'static str,
    rows: Vec<CaseRow>,
    alerts: Vec<AlertRow>,
    state: String,
    states: Vec<(&'static str, &'static str)>,
    school_id: i64,
    month: String,
    quarter_year: i32,
    quarter: u32,
    schools: Vec<(i64, String)>,
    district: bool,
    /// Reads case files (names, reasons); otherwise the figures only.
    files: bool,
    may_open: bool,
    pg: Pages,
}

#[derive(Deserialize, Default)]
pub struct CasesQ {
    tab: Option<String>,
    state: Option<String>,
    school: Option<String>,
    page: Option<usize>,
}

const CASES_PER_PAGE: usize = 50;

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<CasesQ>) -> Result<Html<String>, WebError> {
    let files = s.actor.role.may_read(Resource::Cases);
    let t = st.clock.today();
    let (l, _) = layout(&st.store, &s, "控辍保学台账", "attendance", Some(&Term::containing(t).key())).await?;
    let b = board(&st.store, &s.actor, t).await?;
    let tab = match q.tab.as_deref() {
        Some("alerts") => "alerts",
        Some("ledger") => "ledger",
        _ => "",
    };
    let state = q.state.as_deref().and_then(CaseState::from_key);
    let school_id = id_param(&q.school);
    let schools: Vec<(i64, String)> =
        eduq_app::directory::schools(&st.store, &s.actor, None).await?.into_iter().map(|x| (x.id, x.name)).collect();
    let list_qs = |extra: &[(&str, String)]| {
        let mut pairs =
            vec![("tab", tab.to_string()), ("school", school_id.map(|x| x.to_string()).unwrap_or_default())];
        pairs.extend_from_slice(extra);
        qs(&pairs)
    };
    let (mut rows, mut alerts) = (vec![], vec![]);
    let mut pg = Pages::empty("/cases");
    match tab {
        "ledger" => {
            let all =
                eduq_app::cases::register(&st.store, &s.actor, &CaseQuery { state, school_id, ..Default::default() })
                    .await?;
            let extra = [("state", state.map(|x| x.key().to_string()).unwrap_or_default())];
            (rows, pg) = Pages::cut(all, q.page, CASES_PER_PAGE, "/cases", list_qs(&extra));
        }
        "alerts" => {
            let mut all = b.alerts.clone();
            all.retain(|a| school_id.is_none_or(|x| x == a.school_id));
            (alerts, pg) = Pages::cut(all, q.page, CASES_PER_PAGE, "/cases", list_qs(&[]));
        }
        _ => {}
    }
    let (y, m) = previous_month(t);
    let quarter = (t.month() - 1) / 3;
    let (quarter_year, quarter) = if quarter == 0 { (t.year() - 1, 4) } else { (t.year(), quarter) };
    Ok(Html(
        CasesPage {
            l,
            b,
            tab,
            rows,
            alerts,
            state: state.map(|x| x.key().to_string()).unwrap_or_default(),
            states: CaseState::ALL.iter().map(|x| (x.key(), x.label())).collect(),
            school_id: school_id.unwrap_or(0),
            month: format!("{y}-{m:02}"),
            quarter_year,
            quarter,
            schools,
            district: s.actor.scope == Scope::District,
            files,
            may_open: s.actor.role.may_write(Resource::Cases),
            pg,
        }
        .render()?,
    ))
}

/// Opens a case (by hand, or from an alert with `alert`).
pub async fn create(State(st): State<AppState>, Posted(s, f): Posted<NewCaseForm>) -> Result<Response, WebError> {
    let student = id_param(&Some(f.student)).ok_or_else(|| WebError::BadRequest("缺少学生".into()))?;
    let register = Register::parse(&f.register).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let alert = id_param(&f.alert);
    let id =
        open_case(&st.store, &s.actor, student, register, &f.reason, alert, st.clock.today(), st.clock.now()).await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// The class teacher or principal records how an alert was handled without a case.
pub async fn alert(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<NoteForm>,
) -> Result<Response, WebError> {
    dismiss_alert(&st.store, &s.actor, id, &f.note, st.clock.now()).await?;
    Ok(Redirect::to("/attendance").into_response())
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    l: Layout,
    d: CaseDetail,
    step: &'static Step,
    deadline: String,
    overdue: bool,
    follow_up_until: String,
    parties: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    steps: &'static [Step],
    may_write: bool,
    may_confirm: bool,
    today: String,
    error: String,
}

async fn render_case(st: &AppState, s: &Session, id: i64, error: String) -> Result<Html<String>, WebError> {
    let t = st.clock.today();
    let d = eduq_app::cases::detail(&st.store, &s.actor, id, st.clock.now()).await?;
    let (l, _) = layout(&st.store, s, "控辍保学案件", "attendance", Some(&Term::containing(t).key())).await?;
    let c = &d.row.case;
    let may_confirm = s.actor.role.confirms_case_closure()
        && c.state == CaseState::PendingClose
        && c.closing.requested_by.as_deref() != Some(s.actor.username.as_str());
    Ok(Html(
        CasePage {
            l,
            step: eduq_core::dropout::step(c.step),
            deadline: c.deadline().to_string(),
            overdue: c.is_overdue(t),
            follow_up_until: c.follow_up_until().map(|x| x.to_string()).unwrap_or_default(),
            parties: Party::ALL.iter().map(|p| (p.key(), p.label())).collect(),
            outcomes: Outcome::ALL.iter().map(|o| (o.key(), o.label())).collect(),
            steps: &STEPS,
            may_write: s.actor.role.may_write(Resource::Cases),
            may_confirm,
            today: t.to_string(),
            error,
            d,
        }
        .render()?,
    ))
}

pub async fn detail(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    render_case(&st, &s, id, String::new()).await
}

/// One action on a case, named by `action`.
pub async fn update(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<CaseStepForm>,
) -> Result<Response, WebError> {
    let note = f.note;
    let bad = |e: eduq_core::CoreError| WebError::BadRequest(e.to_string());
    let day = || date_field(&f.day, st.clock.today());
    let action = match f.action.as_str() {
        "attempt" => CaseAction::Attempt {
            party: Party::from_key(&f.party).ok_or_else(|| WebError::BadRequest("请选择劝返主体".into()))?,
            day: day()?,
            note,
        },
        "confirm_dropout" => CaseAction::ConfirmDropout { note },
        "escalate" => CaseAction::Escalate { note },
        "resolve" => CaseAction::Resolve { outcome: Outcome::parse(&f.outcome).map_err(bad)?, day: day()?, note },
        "support" => CaseAction::Support { day: day()?, note },
        "reopen" => CaseAction::Reopen { day: day()?, note },
        "request_close" => CaseAction::RequestClose { note },
        "confirm_close" => CaseAction::ConfirmClose { approve: true, note },
        "reject_close" => CaseAction::ConfirmClose { approve: false, note },
        other => return Err(WebError::BadRequest(format!("未知的操作“{other}”"))),
    };
    match act(&st.store, &s.actor, id, action, st.clock.today(), st.clock.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(eduq_app::AppError::Invalid(m)) => Ok(render_case(&st, &s, id, m).await?.into_response()),
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
    let (name, bytes) = Upload::one_file(mp, &s, &headers).await?;
    match add_evidence(&st.store, &s.actor, id, &name, bytes, st.clock.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(eduq_app::AppError::Invalid(m)) => Ok(render_case(&st, &s, id, m).await?.into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn evidence(
    State(st): State<AppState>,
    s: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (name, content_type, bytes) = eduq_app::cases::evidence(&st.store, &s.actor, id, file, st.clock.now()).await?;
    Ok(crate::views::file_download(&name, content_type, bytes))
}

#[derive(Deserialize)]
pub struct MonthlyQ {
    school: Option<String>,
    month: String,
}

/// 月报 of a school: `?school=ID&month=2026-10`.
pub async fn monthly(State(st): State<AppState>, s: Session, Query(q): Query<MonthlyQ>) -> Result<Response, WebError> {
    let school = match (&s.actor.scope, id_param(&q.school)) {
        (Scope::School(id) | Scope::Classes { school_id: id, .. }, _) => *id,
        (_, Some(id)) => id,
        _ => return Err(WebError::BadRequest("请选择学校".into())),
    };
    let bad = || WebError::BadRequest(format!("月份“{}”应为“2026-10”", q.month));
    let (y, m) = q.month.trim().split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let (name, bytes) = monthly_report(&st.store, &s.actor, school, y, m, st.clock.now()).await?;
    Ok(crate::views::xlsx_download(&name, bytes))
}

#[derive(Deserialize)]
pub struct QuarterlyQ {
    year: i32,
    quarter: u32,
}

pub async fn quarterly(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<QuarterlyQ>,
) -> Result<Response, WebError> {
    let (name, bytes) = quarterly_report(&st.store, &s.actor, q.year, q.quarter, st.clock.now()).await?;
    Ok(crate::views::xlsx_download(&name, bytes))
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    l: Layout,
    entries: Vec<CalendarEntry>,
    kinds: Vec<(&'static str, &'static str)>,
    may_edit: bool,
    district: bool,
    message: String,
}

async fn render_calendar(st: &AppState, s: &Session, message: String) -> Result<Html<String>, WebError> {
    let term = Term::containing(st.clock.today());
    let (l, _) = layout(&st.store, s, "校历", "attendance", Some(&term.key())).await?;
    let entries = eduq_app::calendar::entries(&st.store, &s.actor, st.clock.today()).await?;
    Ok(Html(
        CalendarPage {
            l,
            entries,
            kinds: DayKind::ALL.iter().map(|k| (k.key(), k.label())).collect(),
            may_edit: s.actor.calendar_kept().is_some(),
            district: s.actor.scope == Scope::District,
            message,
        }
        .render()?,
    ))
}

pub async fn calendar(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    render_calendar(&st, &s, String::new()).await
}

/// The calendar form: a day, its kind (or "delete") and a note.
#[derive(Deserialize)]
pub struct CalendarForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    note: String,
}

/// Adds or removes (`kind` = "delete") a calendar exception.
pub async fn calendar_save(
    State(st): State<AppState>,
    Posted(s, f): Posted<CalendarForm>,
) -> Result<Html<String>, WebError> {
    let day = match f.day.trim() {
        "" => st.clock.today(),
        d => parse_date(d).ok_or_else(|| WebError::BadRequest(format!("日期“{d}”无效")))?,
    };
    let kind = match f.kind.as_str() {
        "delete" => None,
        k => Some(DayKind::from_key(k).ok_or_else(|| WebError::BadRequest(format!("未知的日期类别“{k}”")))?),
    };
    match eduq_app::calendar::set_day(&st.store, &s.actor, day, kind, &f.note, st.clock.today(), st.clock.now()).await {
        Ok(()) => {}
        Err(eduq_app::AppError::Invalid(m)) => return render_calendar(&st, &s, m).await,
        Err(e) => return Err(e.into()),
    }
    render_calendar(&st, &s, format!("已保存{day}")).await
}

#[derive(Template)]
#[template(path = "consolidation.html")]
struct ConsolidationPage {
    l: Layout,
    c: Consolidation,
    window: String,
    confirm_days: i64,
}

/// 巩固率 by the cohort method, dropouts per grade, and pupils who left without a status.
pub async fn consolidation(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    let t = st.clock.today();
    let (l, _) = layout(&st.store, &s, "巩固率", "attendance", Some(&Term::containing(t).key())).await?;
    let c = eduq_app::consolidation::consolidation(&st.store, &s.actor, t).await?;
    let window = match (c.first, c.last) {
        (Some(a), Some(b)) => format!("{} 至 {}", a.label(), b.label()),
        _ => "暂无学籍数据".into(),
    };
    Ok(Html(ConsolidationPage { l, c, window, confirm_days: eduq_core::dropout::TRANSFER_CONFIRM_DAYS }.render()?))
}
