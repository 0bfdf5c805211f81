//! 课后服务 and the school day: the board (district → school), the school's plan and sign-ups, and
//! the bureau's end-of-work line.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use eduq_app::after_school::{KOUJING, PlanForm, ServiceBoard, SessionsForm};
use eduq_core::access::Resource;
use eduq_core::after_school::ServiceSession;
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, form_message, layout, own_school};
use crate::{AppState, WebError};

#[derive(Debug, Default, Deserialize)]
pub struct SchoolQ {
    pub school: Option<i64>,
    /// The day of the sessions form, “2026-11-20” (today unless given).
    pub day: Option<String>,
}

#[derive(Template)]
#[template(path = "after_school.html")]
struct BoardPage {
    l: Layout,
    b: ServiceBoard,
    school: Option<i64>,
    writes: bool,
    keeps_rule: bool,
    koujing: &'static str,
    message: String,
    error: String,
    /// The day of the sessions form and what the school recorded for it, by class.
    day: NaiveDate,
    today: NaiveDate,
    held: HashMap<i64, ServiceSession>,
}

impl BoardPage {
    fn attended(&self, class_id: &i64) -> String {
        self.held.get(class_id).map(|x| x.attended.to_string()).unwrap_or_default()
    }

    fn staff(&self, class_id: &i64) -> &str {
        self.held.get(class_id).map(|x| x.staff.as_str()).unwrap_or_default()
    }

    /// The day's recorded end, else the plan's, else the district's line.
    fn ended(&self) -> String {
        match (self.held.values().next(), self.b.first_plan()) {
            (Some(x), _) => x.end_label(),
            (None, Some(p)) if p.service_end.is_some() => p.end_label(),
            _ => self.b.end_rule.clone(),
        }
    }
}

async fn render(
    st: &AppState,
    s: &Session,
    school: Option<i64>,
    day: Option<NaiveDate>,
    message: String,
    error: String,
) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "课后服务与作息", "homework", None).await?;
    let school = school.or(own_school(s));
    let b = eduq_app::after_school::board(&st.store, &s.actor, s.today, school).await?;
    let writes = school.is_some() && s.actor.role.may_write(Resource::Classes);
    let keeps_rule = s.actor.role.keeps_rubrics();
    let day = day.filter(|d| *d <= s.today).unwrap_or(s.today);
    let held = match school {
        Some(id) => eduq_app::after_school::day_sessions(&st.store, &s.actor, id, day).await?,
        None => HashMap::new(),
    };
    Ok(Html(
        BoardPage { l, b, school, writes, keeps_rule, koujing: KOUJING, message, error, day, today: s.today, held }
            .render()?,
    ))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<SchoolQ>) -> Result<Html<String>, WebError> {
    let day = q.day.as_deref().and_then(|d| eduq_core::calendar::parse_date(d.trim()));
    render(&st, &s, q.school, day, String::new(), String::new()).await
}

/// A day's sessions: `school_id`, `day`, `ended`, and per class `a{id}` (pupils who came) and
/// `t{id}` (staff on duty).
pub async fn save_sessions(
    State(st): State<AppState>,
    Posted(s, f): Posted<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let school =
        f.get("school_id").and_then(|v| v.parse::<i64>().ok()).ok_or(WebError::BadRequest("缺少学校".into()))?;
    let field = |k: &str| f.get(k).cloned().unwrap_or_default();
    let rows = f
        .iter()
        .filter_map(|(k, v)| k.strip_prefix('a').and_then(|id| id.parse::<i64>().ok()).map(|id| (id, v.clone())))
        .map(|(id, attended)| (id, attended, field(&format!("t{id}"))))
        .collect();
    let form = SessionsForm { day: field("day"), ended: field("ended"), rows };
    let day = eduq_core::calendar::parse_date(form.day.trim());
    match eduq_app::after_school::save_sessions(&st.store, &s.actor, school, &form, s.today, st.clock.now()).await {
        Ok(n) => {
            let message = match n {
                0 => "已清除当天的课后服务记录".to_string(),
                n => format!("已登记{n}个班级的课后服务"),
            };
            Ok(render(&st, &s, Some(school), day, message, String::new()).await?.into_response())
        }
        Err(e) => Ok(render(&st, &s, Some(school), day, String::new(), form_message(e)?).await?.into_response()),
    }
}

#[derive(Debug, Deserialize)]
pub struct PlanPost {
    pub school_id: i64,
    #[serde(flatten)]
    pub plan: PlanForm,
}

pub async fn save_plan(State(st): State<AppState>, Posted(s, f): Posted<PlanPost>) -> Result<Response, WebError> {
    match eduq_app::after_school::save_plan(&st.store, &s.actor, f.school_id, &f.plan, s.today, st.clock.now()).await {
        Ok(()) => Ok(render(&st, &s, Some(f.school_id), None, "已保存本学期作息与课后服务".into(), String::new())
            .await?
            .into_response()),
        Err(e) => Ok(render(&st, &s, Some(f.school_id), None, String::new(), form_message(e)?).await?.into_response()),
    }
}

/// Sign-ups: `school_id` and one `c{class id}` field per class.
pub async fn save_signups(
    State(st): State<AppState>,
    Posted(s, f): Posted<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let school =
        f.get("school_id").and_then(|v| v.parse::<i64>().ok()).ok_or(WebError::BadRequest("缺少学校".into()))?;
    let typed: Vec<(i64, String)> = f
        .iter()
        .filter_map(|(k, v)| k.strip_prefix('c').and_then(|id| id.parse::<i64>().ok()).map(|id| (id, v.clone())))
        .collect();
    match eduq_app::after_school::save_signups(&st.store, &s.actor, school, &typed, s.today).await {
        Ok(n) => Ok(render(&st, &s, Some(school), None, format!("已保存{n}个班级的报名人数"), String::new())
            .await?
            .into_response()),
        Err(e) => Ok(render(&st, &s, Some(school), None, String::new(), form_message(e)?).await?.into_response()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RuleForm {
    pub end: String,
}

pub async fn set_rule(State(st): State<AppState>, Posted(s, f): Posted<RuleForm>) -> Result<Response, WebError> {
    match eduq_app::after_school::set_end_rule(&st.store, &s.actor, &f.end).await {
        Ok(()) => Ok(Redirect::to("/after-school").into_response()),
        Err(e) => Ok(render(&st, &s, None, None, String::new(), form_message(e)?).await?.into_response()),
    }
}
