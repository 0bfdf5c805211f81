//! 均衡分班 of a new intake: upload the roster, get balanced classes and the 班主任 draw, preview
//! the statistics or download the roster with 班级.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use eduq_app::intake::{Intake, IntakeRequest, assign_intake};
use eduq_core::access::Resource;

use crate::auth::Session;
use crate::views::{Layout, Upload, error_lines, layout};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    l: Layout,
    seeds: Vec<(String, String, String)>,
    result: Option<Intake>,
    errors: Vec<String>,
}

async fn render(
    st: &AppState,
    s: &Session,
    result: Option<Intake>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "均衡分班", "classes", None).await?;
    let seeds = st.store.public_seeds().await?;
    Ok(Html(IntakePage { l, seeds, result, errors }.render()?))
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    if !s.actor.role.may_write(Resource::Classes) {
        return Err(WebError::Forbidden);
    }
    render(&st, &s, None, vec![]).await
}

/// The demo district's new intake: 400 pupils entering 初一 with their 小学毕业 scores (synthetic).
pub async fn sample(s: Session) -> Result<Response, WebError> {
    if !s.actor.role.may_write(Resource::Classes) {
        return Err(WebError::Forbidden);
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(eduq_app::intake::demo_roster().into_bytes());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"demo-intake.csv\""),
        ],
        bytes,
    )
        .into_response())
}

pub async fn run(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let get = |k: &str| up.text(k);
    let Ok(classes) = get("classes").parse::<usize>() else {
        return Ok(render(&st, &s, None, vec![format!("班级数“{}”应为整数", get("classes"))]).await?.into_response());
    };
    let Some((name, bytes)) = up.file("file") else {
        return Ok(render(&st, &s, None, vec!["请选择新生名单文件".into()]).await?.into_response());
    };
    let seed = if get("seed").is_empty() { get("lottery_seed") } else { get("seed") };
    let req = IntakeRequest {
        roster: bytes,
        file_name: name,
        classes,
        max_size: get("max_size").parse().ok(),
        seed: &seed,
        head_teachers: get("head_teachers")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
    };
    match assign_intake(&st.store, &s.actor, &req, st.clock.now()).await {
        Ok(r) if get("download") == "1" => Ok((
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"intake-classes.xlsx\""),
            ],
            r.file,
        )
            .into_response()),
        Ok(r) => Ok(render(&st, &s, Some(r), vec![]).await?.into_response()),
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => Ok(render(&st, &s, None, error_lines(&e)).await?.into_response()),
    }
}
