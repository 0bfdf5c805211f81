//! 控辍保学: today's roll-call board, the class roll call (phone-sized), and the early-warning list.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use chrono::NaiveDate;
use eduq_app::alerts::AlertRow;
use eduq_app::alerts::{RiskRow, alert_rules, risk_list};
use eduq_app::attendance::import_attendance;
use eduq_app::roll_desk::{RollEntry, RollPupil, RollState};
use eduq_core::access::Resource;
use eduq_core::attendance::Status;
use eduq_core::calendar::{Term, parse_date};
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, Pages, Upload, error_lines, id_param, layout, qs};
use crate::{AppState, WebError};

#[derive(Deserialize, Default)]
pub struct AttendanceQ {
    class: Option<String>,
    date: Option<String>,
    /// A district's board lists one school's classes at a time.
    school: Option<String>,
}

fn day(raw: Option<&str>, today: NaiveDate) -> Result<NaiveDate, WebError> {
    match raw.filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_date(s).ok_or_else(|| WebError::BadRequest(format!("日期“{s}”无效"))),
        None => Ok(today),
    }
}

impl BoardPage {
    /// Whether this school's classes are the ones listed.
    fn is_open(&self, id: &i64) -> bool {
        self.school == Some(*id)
    }
}

/// New alerts listed on the board; the warning list has them all.
const ALERTS_SHOWN: usize = 50;

#[derive(Template)]
#[template(path = "attendance.html")]
struct BoardPage {
    l: Layout,
    date: String,
    states: Vec<RollState>,
    taken: usize,
    /// Classes in scope that day.
    classes: usize,
    /// Per school: (id, name, classes, rolls taken), schools with classes still to take first.
    by_school: Vec<(i64, String, usize, usize)>,
    /// The school whose classes are listed (several schools in scope).
    school: Option<i64>,
    several: bool,
    /// New alerts in the list's scope; the first [`ALERTS_SHOWN`] are shown.
    alerts_total: usize,
    may_take: bool,
    alerts: Vec<AlertRow>,
    may_cases: bool,
    may_case_board: bool,
    school_day: bool,
    /// School administrators import their own system's export.
    may_import: bool,
    message: String,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "roll.html")]
struct RollPage {
    l: Layout,
    date: String,
    class_id: i64,
    class_name: String,
    pupils: Vec<RollPupil>,
    taken_by: String,
    statuses: Vec<(&'static str, &'static str)>,
    message: String,
    error: String,
}

fn statuses() -> Vec<(&'static str, &'static str)> {
    Status::ALL.iter().map(|s| (s.key(), s.label())).collect()
}

async fn roll_page(
    st: &AppState,
    s: &Session,
    class_id: i64,
    date: NaiveDate,
    message: String,
    error: String,
) -> Result<Html<String>, WebError> {
    let term = Term::containing(date);
    let (l, _) = layout(&st.store, s, "点名", "attendance", Some(&term.key())).await?;
    let (class, pupils, taken) = eduq_app::roll_desk::roll_sheet(&st.store, &s.actor, class_id, date).await?;
    Ok(Html(
        RollPage {
            l,
            date: date.to_string(),
            class_id,
            class_name: format!("{} {}", class.school_name, class.name),
            pupils,
            taken_by: taken.unwrap_or_default(),
            statuses: statuses(),
            message,
            error,
        }
        .render()?,
    ))
}

pub async fn page(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<AttendanceQ>,
) -> Result<Html<String>, WebError> {
    let date = day(q.date.as_deref(), st.clock.today())?;
    if let Some(class_id) = id_param(&q.class) {
        return roll_page(&st, &s, class_id, date, String::new(), String::new()).await;
    }
    board(&st, &s, date, id_param(&q.school), String::new(), vec![]).await
}

async fn board(
    st: &AppState,
    s: &Session,
    date: NaiveDate,
    school: Option<i64>,
    message: String,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let term = Term::containing(date);
    let (l, _) = layout(&st.store, s, "控辍保学", "attendance", Some(&term.key())).await?;
    let states = eduq_app::roll_desk::roll_states(&st.store, &s.actor, date).await?;
    let taken = states.iter().filter(|x| x.taken_by.is_some()).count();
    let classes = states.len();
    let mut by_school: Vec<(i64, String, usize, usize)> = Vec::new();
    for r in &states {
        match by_school.last_mut() {
            Some(last) if last.0 == r.school_id => {
                last.2 += 1;
                last.3 += usize::from(r.taken_by.is_some());
            }
            _ => by_school.push((r.school_id, r.school_name.clone(), 1, usize::from(r.taken_by.is_some()))),
        }
    }
    by_school.sort_by_key(|(_, _, n, t)| (t == n, std::cmp::Reverse(n - t)));
    // The summary first; with several schools, one school's classes and alerts at a time.
    let several = by_school.len() > 1;
    let mut states = states;
    let mut alerts = eduq_app::alerts::open_alerts(&st.store, &s.actor).await?;
    if several {
        states.retain(|r| Some(r.school_id) == school);
        if let Some(id) = school {
            alerts.retain(|a| a.school_id == id);
        }
    }
    let alerts_total = alerts.len();
    alerts.truncate(ALERTS_SHOWN);
    // Whether the day is a teaching day for the district (a school's own calendar may differ).
    let school_day = eduq_app::calendar::district_school_day(&st.store, date).await?;
    let role = s.actor.role;
    Ok(Html(
        BoardPage {
            l,
            date: date.to_string(),
            taken,
            classes,
            by_school,
            school,
            several,
            states,
            alerts_total,
            may_take: role.may_write(Resource::Attendance),
            alerts,
            may_cases: role.may_write(Resource::Cases),
            may_case_board: role.may_read(Resource::CaseFigures),
            school_day,
            may_import: role.may_import_attendance(),
            message,
            errors,
        }
        .render()?,
    ))
}

/// A school's own attendance export (学籍号, 日期, 状态, 备注), applied whole or not at all.
pub async fn import(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Html<String>, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let today = st.clock.today();
    let Some((name, bytes)) = up.file("file") else {
        return board(&st, &s, today, None, String::new(), vec!["请选择要上传的文件".into()]).await;
    };
    match import_attendance(&st.store, &s.actor, bytes, name, today, st.clock.now()).await {
        Ok(r) => {
            let msg = format!(
                "已导入“{name}”：{}行，{}个班级日，其中{}个有变化、{}个与已有记录相同{}",
                r.rows,
                r.class_days,
                r.changed,
                r.unchanged,
                if r.corrections > 0 {
                    format!("，更正{}处（已记录审计日志）", r.corrections)
                } else {
                    String::new()
                }
            );
            board(&st, &s, today, None, msg, vec![]).await
        }
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => board(&st, &s, today, None, String::new(), error_lines(&e)).await,
    }
}

/// Saves a roll: every pupil's status (`s_<id>`) and note (`n_<id>`).
pub async fn save(
    State(st): State<AppState>,
    Posted(s, f): Posted<HashMap<String, String>>,
) -> Result<Html<String>, WebError> {
    let class_id = id_param(&f.get("class").cloned()).ok_or_else(|| WebError::BadRequest("缺少班级".into()))?;
    // The day the list was loaded for travels with the form; a save for any other day (a date
    // changed on a page that did not reload) is refused, never applied to the other day.
    let date = match f.get("day").map(String::as_str).filter(|d| !d.trim().is_empty()) {
        Some(d) => day(Some(d), st.clock.today())?,
        None => return Err(WebError::BadRequest("缺少点名日期：请重新打开该班的点名页".into())),
    };
    if let Some(other) = f.get("date").map(|d| d.trim()).filter(|d| !d.is_empty() && parse_date(d) != Some(date)) {
        return Err(WebError::BadRequest(format!(
            "页面显示的是{date}的名单，不能保存为{other}的点名：请先打开{other}的点名页"
        )));
    }
    let mut entries = Vec::new();
    for (k, v) in &f {
        if let Some(id) = k.strip_prefix("s_").and_then(|x| x.parse::<i64>().ok()) {
            let status = Status::from_key(v).ok_or_else(|| WebError::BadRequest(format!("未知的出勤状态“{v}”")))?;
            let note = f.get(&format!("n_{id}")).cloned().unwrap_or_default();
            entries.push(RollEntry { student_id: id, status, note });
        }
    }
    entries.sort_by_key(|e| e.student_id);
    match st.rolls.take_roll(&s.actor, class_id, date, entries, st.clock.today(), st.clock.now()).await {
        Ok(r) => {
            let msg = format!(
                "已保存{}{}的点名：{}人缺勤{}；预警随后更新，见控辍保学页",
                r.class_name,
                date,
                r.absent,
                if r.corrections > 0 {
                    format!("，更正{}处（已记录审计日志）", r.corrections)
                } else {
                    String::new()
                },
            );
            roll_page(&st, &s, class_id, date, msg, String::new()).await
        }
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(eduq_app::AppError::Invalid(m)) => {
            roll_page(&st, &s, class_id, date.min(st.clock.today()), String::new(), m).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "risk.html")]
struct RiskPage {
    l: Layout,
    rows: Vec<RiskRow>,
    streak: u32,
    with_record_factors: bool,
    may_open: bool,
    /// Schools with warnings (for the filter) and the count of each level, before the filters.
    schools: Vec<(i64, String, usize)>,
    levels: Vec<(&'static str, usize)>,
    date: String,
    school_id: i64,
    level: String,
    sort: String,
    pg: Pages,
}

#[derive(Deserialize, Default)]
pub struct RiskQ {
    date: Option<String>,
    school: Option<String>,
    /// 高 / 中 / 低.
    level: Option<String>,
    /// "class": by school and class; otherwise highest score first.
    sort: Option<String>,
    page: Option<usize>,
}

const RISK_PER_PAGE: usize = 50;

pub async fn risk(State(st): State<AppState>, s: Session, Query(q): Query<RiskQ>) -> Result<Html<String>, WebError> {
    let date = day(q.date.as_deref(), st.clock.today())?;
    let term = Term::containing(date);
    let (l, _) = layout(&st.store, &s, "预警名单", "attendance", Some(&term.key())).await?;
    let rules = alert_rules();
    let list = risk_list(&st.store, &s.actor, term, date, &rules, st.clock.now()).await?;
    let mut rows = list.rows;
    let mut schools: Vec<(i64, String, usize)> = Vec::new();
    for r in &rows {
        match schools.iter_mut().find(|x| x.0 == r.school_id) {
            Some(x) => x.2 += 1,
            None => schools.push((r.school_id, r.school_name.clone(), 1)),
        }
    }
    schools.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
    let levels = ["高", "中", "低"].map(|v| (v, rows.iter().filter(|r| r.level == v).count())).to_vec();
    let school_id = id_param(&q.school);
    let level = q.level.clone().filter(|v| levels.iter().any(|(x, _)| x == v)).unwrap_or_default();
    let sort = q.sort.clone().filter(|x| x == "class").unwrap_or_default();
    rows.retain(|r| school_id.is_none_or(|x| x == r.school_id) && (level.is_empty() || r.level == level));
    if sort == "class" {
        rows.sort_by(|a, b| {
            (&a.school_name, a.class_id, a.student_id).cmp(&(&b.school_name, b.class_id, b.student_id))
        });
    }
    let list_qs = qs(&[
        ("date", q.date.clone().unwrap_or_default()),
        ("school", school_id.map(|x| x.to_string()).unwrap_or_default()),
        ("level", level.clone()),
        ("sort", sort.clone()),
    ]);
    let (rows, pg) = Pages::cut(rows, q.page, RISK_PER_PAGE, "/attendance/risk", list_qs);
    Ok(Html(
        RiskPage {
            l,
            rows,
            streak: rules.streak,
            with_record_factors: list.with_record_factors,
            may_open: s.actor.role.may_write(Resource::Cases),
            schools,
            levels,
            date: q.date.clone().unwrap_or_default(),
            school_id: school_id.unwrap_or(0),
            level,
            sort,
            pg,
        }
        .render()?,
    ))
}
