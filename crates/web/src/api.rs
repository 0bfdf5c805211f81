//! JSON API for the same use cases as the pages, with the same session and scoping.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use eduq_app::directory::{StudentQuery, StudentSort, TypeCount};
use eduq_core::calendar::parse_term;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Session;
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/summary", get(summary))
        .route("/schools", get(schools))
        .route("/students", get(students))
        .route("/students/{id}", get(student))
}

#[derive(Deserialize, Default)]
struct Q {
    term: Option<String>,
    q: Option<String>,
    school: Option<i64>,
    grade: Option<i64>,
    class: Option<i64>,
    /// The keyset cursor (`next` of the page before).
    after: Option<String>,
    per_page: Option<i64>,
    sort: Option<StudentSort>,
}

async fn term_id(st: &AppState, key: Option<&str>) -> Result<i64, WebError> {
    let terms = eduq_app::directory::terms(&st.store).await?;
    let wanted = key.and_then(|k| parse_term(k).ok());
    match wanted {
        Some(w) => terms.iter().find(|(_, t)| *t == w).map(|(id, _)| *id).ok_or(WebError::NotFound),
        None => terms.first().map(|(id, _)| *id).ok_or(WebError::NotFound),
    }
}

async fn summary(State(st): State<AppState>, s: Session, Query(q): Query<Q>) -> Result<Json<Value>, WebError> {
    let tid = term_id(&st, q.term.as_deref()).await?;
    let by_type = TypeCount::tally(&eduq_app::directory::schools(&st.store, &s.actor, Some(tid)).await?);
    let by_grade: Vec<Value> = eduq_app::directory::students_by_grade(&st.store, &s.actor, tid)
        .await?
        .into_iter()
        .map(|(g, n)| json!({"grade": g.number(), "name": g.name(), "students": n}))
        .collect();
    Ok(Json(json!({"by_type": by_type, "by_grade": by_grade})))
}

async fn schools(State(st): State<AppState>, s: Session, Query(q): Query<Q>) -> Result<Json<Value>, WebError> {
    let tid = term_id(&st, q.term.as_deref()).await.ok();
    Ok(Json(json!({"schools": eduq_app::directory::schools(&st.store, &s.actor, tid).await?})))
}

async fn students(State(st): State<AppState>, s: Session, Query(q): Query<Q>) -> Result<Json<Value>, WebError> {
    let tid = term_id(&st, q.term.as_deref()).await?;
    let query = StudentQuery {
        term_id: tid,
        q: q.q,
        school_id: q.school,
        grade: q.grade,
        class_id: q.class,
        after: q.after,
        per_page: q.per_page.unwrap_or(50),
        sort: q.sort.unwrap_or_default(),
    };
    let page = eduq_app::directory::students(&st.store, &s.actor, &query).await?;
    Ok(Json(json!({"total": page.total, "next": page.next, "students": page.rows})))
}

async fn student(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Json<Value>, WebError> {
    Ok(Json(json!(eduq_app::directory::student(&st.store, &s.actor, id, st.clock.now()).await?)))
}
