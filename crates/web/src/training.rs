//! 教师培训学时: the cycle's ledger (completion rate by school, who is behind and what is missing)
//! and the import of training platforms' completion records.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use eduq_app::training::Ledger;
use eduq_core::access::Resource;

use crate::auth::Session;
use crate::views::{Layout, Upload, layout};
use crate::{AppState, WebError};

/// Teachers listed below the table, those furthest behind first.
const LISTED: usize = 200;

#[derive(Template)]
#[template(path = "training.html")]
struct TrainingPage {
    l: Layout,
    g: Ledger,
    behind: Vec<eduq_app::training::TeacherHours>,
    may_import: bool,
    message: String,
    errors: Vec<String>,
}

async fn render(st: &AppState, s: &Session, message: String, errors: Vec<String>) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "教师培训学时", "teachers", None).await?;
    let g = eduq_app::training::ledger(&st.store, &s.actor, st.clock.today()).await?;
    let mut behind: Vec<_> = g.teachers.iter().filter(|t| !t.progress.complete).cloned().collect();
    behind.sort_by(|a, b| {
        (a.progress.counted - a.progress.expected).total_cmp(&(b.progress.counted - b.progress.expected))
    });
    behind.truncate(LISTED);
    let may_import = s.actor.role.may_write(Resource::Teachers);
    Ok(Html(TrainingPage { l, g, behind, may_import, message, errors }.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    render(&st, &s, String::new(), vec![]).await
}

/// Imports a training platform's export (multipart `file`).
pub async fn import(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let (name, bytes) = Upload::one_file(mp, &s, &headers).await?;
    let r =
        eduq_app::training::import_records(&st.store, &s.actor, &bytes, &name, st.clock.today(), st.clock.now()).await;
    let page =
        match crate::views::import_result(r, |n| format!("已导入{}条培训记录，{}条已存在未变", n.added, n.unchanged))?
        {
            Ok(m) => render(&st, &s, m, vec![]).await?,
            Err(lines) => render(&st, &s, String::new(), lines).await?,
        };
    Ok(page.into_response())
}
