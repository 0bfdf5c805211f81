//! 双减 homework: the board (district → school → class), the phone form teachers log on, the
//! principal's alerts, and each class's weekly 公示 (parents read their children's).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use eduq_app::homework::{Board, ClassDay, GradeLeaders, HomeworkClass, HomeworkEntry, LogForm, Notice};
use eduq_core::access::{Resource, Scope};
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, form_message, layout};
use crate::{AppState, WebError};

/// `?from=&to=&school=` of the board and its export.
#[derive(Debug, Default, Deserialize)]
pub struct BoardQ {
    pub from: Option<String>,
    pub to: Option<String>,
    pub school: Option<i64>,
}

impl BoardQ {
    fn span(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let (f, t) = eduq_app::homework::term_so_far(today);
        let parse = |v: &Option<String>| v.as_deref().and_then(eduq_core::calendar::parse_date);
        (parse(&self.from).unwrap_or(f), parse(&self.to).unwrap_or(t))
    }
}

/// Pending alerts listed on the board, newest first.
const ALERTS_LISTED: usize = 50;

#[derive(Template)]
#[template(path = "homework.html")]
struct BoardPage {
    l: Layout,
    b: Board,
    alerts: Vec<ClassDay>,
    /// All pending alerts (the page lists the newest [`ALERTS_LISTED`]).
    alerts_total: usize,
    logs: bool,
    reviews: bool,
    error: String,
    /// The principal's school, its grades with their 年级组长 and the teacher accounts to appoint.
    leaders: Option<GradeLeaders>,
}

async fn render(st: &AppState, s: &Session, q: &BoardQ, error: String) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "双减·作业管理", "homework", None).await?;
    let (from, to) = q.span(s.today);
    // A school's own staff land on their school's classes.
    let school = q.school.or(crate::views::own_school(s));
    let b = eduq_app::homework::board(&st.store, &s.actor, from, to, school).await?;
    let mut alerts = eduq_app::homework::alerts(&st.store, &s.actor, s.today).await?;
    let alerts_total = alerts.len();
    alerts.truncate(ALERTS_LISTED);
    let logs = s.actor.role.may_write(Resource::Homework);
    let reviews = s.actor.role.reviews_homework();
    let leaders = match crate::views::own_school(s) {
        Some(id) if s.actor.role.appoints_grade_leaders() => {
            Some(eduq_app::homework::grade_leaders(&st.store, &s.actor, id, s.today).await?)
        }
        _ => None,
    };
    Ok(Html(BoardPage { l, b, alerts, alerts_total, logs, reviews, error, leaders }.render()?))
}

#[derive(Debug, Deserialize)]
pub struct LeaderForm {
    pub school_id: i64,
    pub grade: i64,
    /// An account id, or empty to remove the leader.
    #[serde(default)]
    pub user_id: String,
}

/// The principal appoints (or removes) a grade's 年级组长.
pub async fn set_leader(State(st): State<AppState>, Posted(s, f): Posted<LeaderForm>) -> Result<Response, WebError> {
    let user = f.user_id.trim().parse::<i64>().ok();
    match eduq_app::homework::set_grade_leader(&st.store, &s.actor, f.school_id, f.grade, user, s.today, st.clock.now())
        .await
    {
        Ok(()) => Ok(Redirect::to("/homework#grade-leaders").into_response()),
        Err(e) => Ok(render(&st, &s, &BoardQ::default(), form_message(e)?).await?.into_response()),
    }
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<BoardQ>) -> Result<Response, WebError> {
    if !s.actor.role.may_read(Resource::Homework) {
        return Ok(Redirect::to("/homework/notice").into_response());
    }
    Ok(render(&st, &s, &q, String::new()).await?.into_response())
}

pub async fn export(State(st): State<AppState>, s: Session, Query(q): Query<BoardQ>) -> Result<Response, WebError> {
    let (from, to) = q.span(s.today);
    let b = eduq_app::homework::board(&st.store, &s.actor, from, to, q.school).await?;
    let over = eduq_app::homework::over_days(&st.store, &s.actor, from, to, q.school).await?;
    Ok(crate::views::xlsx_download("作业管理.xlsx", eduq_app::homework::workbook(&b, &over)?))
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    pub class_id: i64,
    pub day: String,
    pub note: String,
}

/// The principal's 处理 of an over-limit day.
pub async fn review(State(st): State<AppState>, Posted(s, f): Posted<ReviewForm>) -> Result<Response, WebError> {
    match eduq_app::homework::review(&st.store, &s.actor, f.class_id, &f.day, &f.note, st.clock.now()).await {
        Ok(()) => Ok(Redirect::to("/homework").into_response()),
        Err(e) => Ok(render(&st, &s, &BoardQ::default(), form_message(e)?).await?.into_response()),
    }
}

#[derive(Template)]
#[template(path = "homework_log.html")]
struct LogPage {
    l: Layout,
    classes: Vec<HomeworkClass>,
    class_id: i64,
    day: String,
    today: String,
    subjects: Vec<&'static str>,
    entries: Vec<HomeworkEntry>,
    /// The day's state after the last write, and whether it is over the limit.
    message: String,
    over: bool,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct LogQ {
    pub class: Option<i64>,
    pub day: Option<String>,
}

async fn render_log(
    st: &AppState,
    s: &Session,
    class: Option<i64>,
    day: Option<NaiveDate>,
    message: String,
    over: bool,
    error: String,
) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "登记作业", "homework", None).await?;
    let day = day.unwrap_or(s.today);
    let classes = eduq_app::homework::classes(&st.store, &s.actor, day).await?;
    // A class teacher starts on the own class.
    let own = match &s.actor.scope {
        Scope::Classes { class_ids, .. } => class_ids.iter().copied().find(|id| classes.iter().any(|c| c.id == *id)),
        _ => None,
    };
    let class_id = class.or(own).or(classes.first().map(|c| c.id)).unwrap_or(0);
    let entries = if classes.iter().any(|c| c.id == class_id) {
        eduq_app::homework::notice(&st.store, &s.actor, class_id, day)
            .await?
            .days
            .into_iter()
            .filter(|d| d.day == day)
            .flat_map(|d| d.entries)
            .collect()
    } else {
        vec![]
    };
    let subjects = eduq_core::standards::curriculum::subject_names();
    let page = LogPage {
        l,
        classes,
        class_id,
        day: day.to_string(),
        today: s.today.to_string(),
        subjects,
        entries,
        message,
        over,
        error,
    };
    Ok(Html(page.render()?))
}

pub async fn log_page(State(st): State<AppState>, s: Session, Query(q): Query<LogQ>) -> Result<Html<String>, WebError> {
    if !s.actor.role.may_write(Resource::Homework) {
        return Err(WebError::Forbidden);
    }
    let day = q.day.as_deref().and_then(eduq_core::calendar::parse_date).filter(|d| *d <= s.today);
    render_log(&st, &s, q.class, day, String::new(), false, String::new()).await
}

pub async fn log(State(st): State<AppState>, Posted(s, f): Posted<LogForm>) -> Result<Response, WebError> {
    let day = eduq_core::calendar::parse_date(f.day.trim()).filter(|d| *d <= s.today);
    match eduq_app::homework::log(&st.store, &s.actor, &f, s.today, st.clock.now()).await {
        Ok(done) => {
            let over = done.check.over;
            Ok(render_log(&st, &s, Some(f.class_id), day, done.message, over, String::new()).await?.into_response())
        }
        Err(e) => Ok(render_log(&st, &s, Some(f.class_id), day, String::new(), false, form_message(e)?)
            .await?
            .into_response()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    pub class_id: i64,
    pub day: String,
    pub subject: String,
}

pub async fn remove(State(st): State<AppState>, Posted(s, f): Posted<RemoveForm>) -> Result<Response, WebError> {
    let day = eduq_core::calendar::parse_date(f.day.trim()).filter(|d| *d <= s.today);
    let (message, error) =
        match eduq_app::homework::remove(&st.store, &s.actor, f.class_id, &f.day, &f.subject, s.today).await {
            Ok(_) => (format!("已删除{}的{}作业登记", f.day, f.subject), String::new()),
            Err(e) => (String::new(), form_message(e)?),
        };
    Ok(render_log(&st, &s, Some(f.class_id), day, message, false, error).await?.into_response())
}

#[derive(Template)]
#[template(path = "homework_notice.html")]
struct NoticePage {
    l: Layout,
    n: Notice,
    prev: String,
    next: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct WeekQ {
    pub week: Option<String>,
}

/// A class's week of homework (公示).
pub async fn notice(
    State(st): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<WeekQ>,
) -> Result<Html<String>, WebError> {
    let day = q.week.as_deref().and_then(eduq_core::calendar::parse_date).unwrap_or(s.today);
    let n = eduq_app::homework::notice(&st.store, &s.actor, id, day).await?;
    let (l, _) = layout(&st.store, &s, &format!("作业公示·{}", n.class.name), "homework", None).await?;
    let prev = (n.monday - chrono::Duration::days(7)).to_string();
    let next = (n.monday + chrono::Duration::days(7)).to_string();
    Ok(Html(NoticePage { l, n, prev, next }.render()?))
}

#[derive(Template)]
#[template(path = "homework_notices.html")]
struct NoticesPage {
    l: Layout,
    classes: Vec<HomeworkClass>,
}

/// The classes whose 公示 the caller reads (a parent: the own children's).
pub async fn notices(State(st): State<AppState>, s: Session) -> Result<Response, WebError> {
    let classes = eduq_app::homework::notice_classes(&st.store, &s.actor, s.today).await?;
    if let ([one], Scope::Students(_)) = (classes.as_slice(), &s.actor.scope) {
        return Ok(Redirect::to(&format!("/homework/class/{}", one.id)).into_response());
    }
    let (l, _) = layout(&st.store, &s, "作业公示", "homework", None).await?;
    Ok(Html(NoticesPage { l, classes }.render()?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct MonthQ {
    pub month: Option<String>,
}

impl MonthQ {
    /// `2026-11`, else the district's current month.
    fn parts(&self, today: NaiveDate) -> (i32, u32) {
        use chrono::Datelike;
        self.month
            .as_deref()
            .and_then(|m| m.split_once('-'))
            .and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?)))
            .unwrap_or((today.year(), today.month()))
    }
}

#[derive(Template)]
#[template(path = "double_reduction_report.html")]
struct MonthPage {
    r: eduq_app::double_reduction::MonthReport,
    month: String,
    service_koujing: &'static str,
    wuxiang_koujing: &'static str,
}

/// The month's report; a month not begun is a bad request.
async fn load_month(
    st: &AppState,
    s: &Session,
    q: &MonthQ,
) -> Result<(i32, u32, eduq_app::double_reduction::MonthReport), WebError> {
    let (y, m) = q.parts(s.today);
    match eduq_app::double_reduction::month_report(&st.store, &s.actor, y, m, s.today).await {
        Ok(r) => Ok((y, m, r)),
        Err(eduq_app::AppError::Invalid(msg)) => Err(WebError::BadRequest(msg)),
        Err(e) => Err(e.into()),
    }
}

/// The monthly 双减 report, A4.
pub async fn month_report(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<MonthQ>,
) -> Result<Response, WebError> {
    let (y, m, r) = load_month(&st, &s, &q).await?;
    let page = MonthPage {
        r,
        month: format!("{y}-{m:02}"),
        service_koujing: eduq_app::after_school::KOUJING,
        wuxiang_koujing: eduq_app::wuxiang::KOUJING,
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn month_report_xlsx(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<MonthQ>,
) -> Result<Response, WebError> {
    let (y, m, r) = load_month(&st, &s, &q).await?;
    let bytes = eduq_app::double_reduction::month_workbook(&r)?;
    Ok(crate::views::xlsx_download(&format!("双减工作月报-{y}-{m:02}.xlsx"), bytes))
}
