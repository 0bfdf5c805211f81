//! The import centre: upload → preview (every row error, or exact counts) → apply in the
//! background with a progress display → history. Also templates and exports.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use eduq_app::imports::{Counts, ImportEntry};
use eduq_app::imports::{apply_batch, export_kind, file_hash, validate};
use eduq_core::access::Actor;
use eduq_core::calendar::parse_term;
use eduq_exchange::RowError;
use eduq_exchange::kinds::Kind;
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, layout};
use crate::{AppState, WebError};

/// An uploaded, validated file waiting for confirmation.
pub struct Pending {
    owner: i64,
    kind: Kind,
    name: String,
    bytes: Vec<u8>,
}

#[derive(Clone)]
pub enum Job {
    /// Waiting for a reading worker (every worker busy with other files).
    Queued {
        kind: Kind,
    },
    Running {
        kind: Kind,
        rows: usize,
        started: std::time::Instant,
    },
    Done {
        kind: Kind,
        rows: usize,
        counts: Counts,
        seconds: f64,
    },
    Failed(String),
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    l: Layout,
    kinds: Vec<Kind>,
    /// Each import with its time in the district's zone and its kind's name.
    history: Vec<(String, String, ImportEntry)>,
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, &s, "导入中心", "imports", None).await?;
    let history = eduq_app::imports::history(&st.store, &s.actor)
        .await?
        .into_iter()
        .map(|h| {
            let kind = Kind::from_key(&h.kind).map_or_else(|| h.kind.clone(), |k| k.label().to_string());
            (st.clock.local(h.at).format("%Y-%m-%d %H:%M").to_string(), kind, h)
        })
        .collect();
    let kinds = Kind::ALL.iter().copied().filter(|k| eduq_app::imports::may_import(&s.actor, *k)).collect();
    Ok(Html(ImportsPage { l, kinds, history }.render()?))
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct Preview {
    file: String,
    kind: String,
    error: String,
    rows: Vec<RowError>,
    more: usize,
    counts: Option<Counts>,
    warnings: Vec<String>,
    total: usize,
    token: String,
    csrf: String,
}

const SHOW_ERRORS: usize = 500;

pub async fn preview(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Html<String>, WebError> {
    let up = crate::views::Upload::read(mp, &s, &headers).await?;
    let kind = Kind::from_key(&up.text("kind"));
    let (name, bytes) = up.files.get("file").cloned().unwrap_or_default();
    let kind = kind.ok_or_else(|| WebError::BadRequest("请选择导入类型".to_string()))?;
    let mut p = Preview {
        file: name.clone(),
        kind: kind.label().to_string(),
        error: String::new(),
        rows: vec![],
        more: 0,
        counts: None,
        warnings: Vec::new(),
        total: 0,
        token: String::new(),
        csrf: s.csrf.clone(),
    };
    if bytes.is_empty() {
        p.error = "请选择要上传的文件".to_string();
        return Ok(Html(p.render()?));
    }
    match validate(&st.store, &s.actor, kind, &bytes, &name).await {
        Ok(eduq_app::imports::Validated { batch, warnings }) => {
            p.warnings = warnings;
            let counts =
                apply_batch(&st.store, &s.actor, &batch, &name, &file_hash(&bytes), true, st.clock.now()).await?;
            p.counts = Some(counts);
            p.total = batch.len();
            p.token = eduq_app::accounts::random_token();
            let mut uploads = st.uploads.lock().map_err(|_| WebError::Internal("lock".into()))?;
            uploads.retain(|_, v| v.owner != s.actor.user_id);
            uploads.insert(p.token.clone(), Pending { owner: s.actor.user_id, kind, name, bytes });
        }
        Err(eduq_app::AppError::Forbidden) => return Err(WebError::Forbidden),
        Err(e) => {
            p.error = e.to_string();
            let all = e.row_errors();
            p.more = all.len().saturating_sub(SHOW_ERRORS);
            p.rows = all.iter().take(SHOW_ERRORS).cloned().collect();
        }
    }
    Ok(Html(p.render()?))
}

#[derive(Deserialize)]
pub struct ApplyForm {
    token: String,
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobView {
    id: String,
    job: Job,
}

pub async fn apply(State(st): State<AppState>, Posted(s, f): Posted<ApplyForm>) -> Result<Html<String>, WebError> {
    let pending = st
        .uploads
        .lock()
        .map_err(|_| WebError::Internal("lock".into()))?
        .remove(&f.token)
        .filter(|p| p.owner == s.actor.user_id)
        .ok_or_else(|| WebError::BadRequest("上传已失效，请重新上传文件".to_string()))?;
    let id = eduq_app::accounts::random_token()[..16].to_string();
    let job = if eduq_app::parsing::queued() {
        Job::Queued { kind: pending.kind }
    } else {
        Job::Running { kind: pending.kind, rows: 0, started: std::time::Instant::now() }
    };
    // Jobs are kept by owner and id: nobody else reads a job's state.
    let key = (s.actor.user_id, id.clone());
    st.jobs.lock().map_err(|_| WebError::Internal("lock".into()))?.insert(key.clone(), job.clone());
    let (store, jobs, actor, job_id) = (st.store.clone(), st.jobs.clone(), s.actor.clone(), key);
    let now = st.clock.now();
    tokio::spawn(async move {
        let result = run_import(&store, &actor, pending, &jobs, &job_id, now).await;
        if let Ok(mut j) = jobs.lock() {
            j.insert(job_id, result);
        }
    });
    Ok(Html(JobView { id, job }.render()?))
}

async fn run_import(
    store: &eduq_app::Store,
    actor: &Actor,
    p: Pending,
    jobs: &std::sync::Mutex<std::collections::HashMap<(i64, String), Job>>,
    id: &(i64, String),
    now: chrono::DateTime<chrono::Utc>,
) -> Job {
    let started = std::time::Instant::now();
    // Validate again: data may have changed since the preview.
    let batch = match validate(store, actor, p.kind, &p.bytes, &p.name).await {
        Ok(v) => v.batch,
        Err(e) => return Job::Failed(e.to_string()),
    };
    if let Ok(mut j) = jobs.lock() {
        j.insert(id.clone(), Job::Running { kind: p.kind, rows: batch.len(), started });
    }
    match apply_batch(store, actor, &batch, &p.name, &file_hash(&p.bytes), false, now).await {
        Ok(counts) => Job::Done { kind: p.kind, rows: batch.len(), counts, seconds: started.elapsed().as_secs_f64() },
        Err(e) => Job::Failed(format!("导入失败，未写入任何数据：{e}")),
    }
}

pub async fn job(State(st): State<AppState>, s: Session, Path(id): Path<String>) -> Result<Html<String>, WebError> {
    let key = (s.actor.user_id, id);
    let job =
        st.jobs.lock().map_err(|_| WebError::Internal("lock".into()))?.get(&key).cloned().ok_or(WebError::NotFound)?;
    let id = key.1;
    Ok(Html(JobView { id, job }.render()?))
}

fn attachment(bytes: Vec<u8>, file: &str, csv: bool) -> Response {
    let ty = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    };
    let disposition = format!(
        "attachment; filename=\"export.{}\"; filename*=UTF-8''{}",
        if csv { "csv" } else { "xlsx" },
        crate::views::urlencode(file)
    );
    ([(header::CONTENT_TYPE, ty.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

fn kind_of(key: &str) -> Result<Kind, WebError> {
    Kind::from_key(key.trim_end_matches(".xlsx")).ok_or(WebError::NotFound)
}

pub async fn template(_s: Session, Path(kind): Path<String>) -> Result<Response, WebError> {
    let kind = kind_of(&kind)?;
    let bytes = eduq_app::imports::template(kind)?;
    Ok(attachment(bytes, &format!("{}导入模板.xlsx", kind.label()), false))
}

#[derive(Deserialize)]
pub struct ExportQ {
    term: Option<String>,
    format: Option<String>,
}

pub async fn export(
    State(st): State<AppState>,
    s: Session,
    Path(kind): Path<String>,
    Query(q): Query<ExportQ>,
) -> Result<Response, WebError> {
    let kind = kind_of(&kind)?;
    let term = match q.term.as_deref().and_then(|t| parse_term(t).ok()) {
        Some(t) => t,
        None => eduq_app::directory::terms(&st.store).await?.first().map(|(_, t)| *t).ok_or(WebError::NotFound)?,
    };
    let csv = q.format.as_deref() == Some("csv");
    let bytes = export_kind(&st.store, &s.actor, kind, term, csv, st.clock.now()).await?;
    let ext = if csv { "csv" } else { "xlsx" };
    Ok(attachment(bytes, &format!("{}_{}.{ext}", kind.label(), term.key()), csv))
}
