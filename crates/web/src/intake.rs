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
    /// The inputs as submitted, so that the form keeps them after a preview.
    form: IntakeForm,
    /// The previewed split, ready to download as it was shown.
    download: String,
}

/// The form's fields (all but the file).
#[derive(Default)]
struct IntakeForm {
    classes: String,
    max_size: String,
    lottery_seed: String,
    seed: String,
    head_teachers: String,
}

async fn render(
    st: &AppState,
    s: &Session,
    result: Option<Intake>,
    errors: Vec<String>,
    form: IntakeForm,
) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "均衡分班", "classes", None).await?;
    let seeds = eduq_app::intake::public_seeds(&st.store).await?;
    let mut download = String::new();
    if let Some(r) = &result {
        download = eduq_app::accounts::random_token()[..16].to_string();
        let mut prepared = st.prepared.lock().map_err(|_| WebError::Internal("lock".into()))?;
        prepared.insert(s.actor.user_id, (download.clone(), r.file.clone()));
    }
    Ok(Html(IntakePage { l, seeds, result, errors, form, download }.render()?))
}

/// The split last previewed by this user, byte for byte.
pub async fn prepared(
    State(st): State<AppState>,
    s: Session,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    let file = {
        let prepared = st.prepared.lock().map_err(|_| WebError::Internal("lock".into()))?;
        match prepared.get(&s.actor.user_id) {
            Some((t, file)) if *t == token => file.clone(),
            _ => return Err(WebError::BadRequest("该预览已失效，请重新分班并预览".into())),
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"intake-classes.xlsx\""),
        ],
        file,
    )
        .into_response())
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    if !s.actor.role.may_write(Resource::Classes) {
        return Err(WebError::Forbidden);
    }
    render(&st, &s, None, vec![], IntakeForm { classes: "8".into(), max_size: "45".into(), ..Default::default() }).await
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
    let form = || IntakeForm {
        classes: get("classes"),
        max_size: get("max_size"),
        lottery_seed: get("lottery_seed"),
        seed: get("seed"),
        head_teachers: get("head_teachers"),
    };
    let Ok(classes) = get("classes").parse::<usize>() else {
        let e = vec![format!("班级数“{}”应为整数", get("classes"))];
        return Ok(render(&st, &s, None, e, form()).await?.into_response());
    };
    let Some((name, bytes)) = up.file("file") else {
        return Ok(render(&st, &s, None, vec!["请选择新生名单文件".into()], form()).await?.into_response());
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
        Ok(r) => Ok(render(&st, &s, Some(r), vec![], form()).await?.into_response()),
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => Ok(render(&st, &s, None, error_lines(&e), form()).await?.into_response()),
    }
}
