//! 五项管理: the board (district, and each school's line) and the school's reviewed reading list.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use eduq_app::wuxiang::{Board, Book, BookForm, KOUJING};
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
#[template(path = "wuxiang.html")]
struct BoardPage {
    l: Layout,
    b: Board,
    books: Vec<Book>,
    school: Option<i64>,
    writes: bool,
    district: bool,
    koujing: &'static str,
    today: String,
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
    let (l, _) = layout(&st.store, s, "五项管理", "homework", None).await?;
    let own = own_school(s);
    let school = school.or(own);
    let b = eduq_app::wuxiang::board(&st.store, &s.actor, s.today).await?;
    let books = eduq_app::wuxiang::books(&st.store, &s.actor, school).await?;
    let writes = school.is_some() && s.actor.role.may_write(Resource::Classes);
    let district = own.is_none();
    let page = BoardPage {
        l,
        b,
        books,
        school,
        writes,
        district,
        koujing: KOUJING,
        today: s.today.to_string(),
        message,
        error,
    };
    Ok(Html(page.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<SchoolQ>) -> Result<Html<String>, WebError> {
    render(&st, &s, q.school, String::new(), String::new()).await
}

pub async fn add_book(State(st): State<AppState>, Posted(s, f): Posted<BookForm>) -> Result<Response, WebError> {
    match eduq_app::wuxiang::add_book(&st.store, &s.actor, &f, s.today, st.clock.now()).await {
        Ok(()) => Ok(render(&st, &s, Some(f.school_id), format!("已登记《{}》", f.title.trim()), String::new())
            .await?
            .into_response()),
        Err(e) => Ok(render(&st, &s, Some(f.school_id), String::new(), form_message(e)?).await?.into_response()),
    }
}
