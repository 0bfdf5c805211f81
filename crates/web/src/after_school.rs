//! 课后服务 and the school day: the board (district → school), the school's plan and sign-ups, and
//! the bureau's end-of-work line.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::after_school::{KOUJING, PlanForm, ServiceBoard};
use eduq_core::access::Resource;
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, form_message, layout, own_school};
use crate::{AppState, WebError};

#[derive(Debug, Default, Deserialize)]
pub struct SchoolQ {
    pub school: Option<i64>,
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
}

async fn render(
    st: &AppState,
    s: &Session,
    school: Option<i64>,
    message: String,
    error: String,
) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "课后服务与作息", "homework", None).await?;
    let school = school.or(own_school(s));
    let b = eduq_app::after_school::board(&st.store, &s.actor, s.today, school).await?;
    let writes = school.is_some() && s.actor.role.may_write(Resource::Classes);
    let keeps_rule = s.actor.role.keeps_rubrics();
    Ok(Html(BoardPage { l, b, school, writes, keeps_rule, koujing: KOUJING, message, error }.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<SchoolQ>) -> Result<Html<String>, WebError> {
    render(&st, &s, q.school, String::new(), String::new()).await
}

#[derive(Debug, Deserialize)]
pub struct PlanPost {
    pub school_id: i64,
    #[serde(flatten)]
    pub plan: PlanForm,
}

pub async fn save_plan(State(st): State<AppState>, Posted(s, f): Posted<PlanPost>) -> Result<Response, WebError> {
    match eduq_app::after_school::save_plan(&st.store, &s.actor, f.school_id, &f.plan, s.today, st.clock.now()).await {
        Ok(()) => Ok(render(&st, &s, Some(f.school_id), "已保存本学期作息与课后服务".into(), String::new())
            .await?
            .into_response()),
        Err(e) => Ok(render(&st, &s, Some(f.school_id), String::new(), form_message(e)?).await?.into_response()),
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
        Ok(n) => Ok(render(&st, &s, Some(school), format!("已保存{n}个班级的报名人数"), String::new())
            .await?
            .into_response()),
        Err(e) => Ok(render(&st, &s, Some(school), String::new(), form_message(e)?).await?.into_response()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RuleForm {
    pub end: String,
}

pub async fn set_rule(State(st): State<AppState>, Posted(s, f): Posted<RuleForm>) -> Result<Response, WebError> {
    match eduq_app::after_school::set_end_rule(&st.store, &s.actor, &f.end).await {
        Ok(()) => Ok(Redirect::to("/after-school").into_response()),
        Err(e) => Ok(render(&st, &s, None, String::new(), form_message(e)?).await?.into_response()),
    }
}
