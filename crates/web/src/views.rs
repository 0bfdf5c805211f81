//! Data shared by every page: the layout (navigation, user, CSRF token, term selector).

use eduq_app::Store;
use eduq_core::access::{Resource, Role};
use eduq_core::calendar::{Term, parse_term};

use crate::WebError;
use crate::auth::Session;

pub struct TermOption {
    pub key: String,
    pub label: String,
    pub selected: bool,
}

/// `?term=` of the pages that show one term.
#[derive(serde::Deserialize, Default)]
pub struct TermQ {
    pub term: Option<String>,
}

pub struct Layout {
    pub title: String,
    pub active: &'static str,
    pub user: String,
    pub role: String,
    pub csrf: String,
    pub is_admin: bool,
    pub sees_staff: bool,
    pub sees_admissions: bool,
    pub sees_exams: bool,
    /// Reads pupils' records (an inspector reads the schools and their 督导 only).
    pub sees_pupils: bool,
    pub sees_supervision: bool,
    /// Teaches at a school: reads and enters the own training hours.
    pub keeps_own_hours: bool,
    /// 心理健康: aggregates, rounds, results (by role), or a 班主任's attention flags.
    pub sees_psych: bool,
    /// 问卷调查: the bureau runs them, leaders and principals follow them.
    pub sees_surveys: bool,
    /// 双减: the homework board (schools and the bureau) or the weekly 公示 (parents).
    pub sees_homework: bool,
    pub may_import: bool,
    /// How the caller's own scope is named beside its values: 区县, 本校, 本班 or 本人.
    pub scope_word: &'static str,
    pub terms: Vec<TermOption>,
    pub term_key: String,
}

/// The school a school-bound caller works at (the pages of a school's staff open on it).
pub fn own_school(s: &Session) -> Option<i64> {
    match s.actor.scope {
        eduq_core::access::Scope::School(id) | eduq_core::access::Scope::Classes { school_id: id, .. } => Some(id),
        _ => None,
    }
}

/// The selected term (by key, else the newest with data).
pub struct Selected {
    pub id: Option<i64>,
    pub term: Term,
}

pub async fn layout(
    store: &Store,
    s: &Session,
    title: &str,
    active: &'static str,
    term: Option<&str>,
) -> Result<(Layout, Selected), WebError> {
    let terms = eduq_app::directory::terms(store).await?;
    let wanted = term.and_then(|k| parse_term(k).ok());
    let selected = match wanted.and_then(|w| terms.iter().find(|(_, t)| *t == w)) {
        Some((id, t)) => Selected { id: Some(*id), term: *t },
        None => match terms.first() {
            Some((id, t)) => Selected { id: Some(*id), term: *t },
            None => Selected { id: None, term: Term::containing(s.today) },
        },
    };
    let role = s.actor.role;
    let l = Layout {
        title: title.to_string(),
        active,
        user: s.actor.display_name.clone(),
        role: role.label().to_string(),
        csrf: s.csrf.clone(),
        is_admin: role == Role::Admin,
        sees_staff: role.may_read(Resource::Teachers),
        sees_admissions: role.may_read(Resource::Admissions),
        sees_exams: role.may_read(Resource::Exams),
        sees_pupils: role.may_read(Resource::Students),
        sees_supervision: role.may_read(Resource::Supervision),
        keeps_own_hours: role.enters_own_training(),
        sees_surveys: role.reads_surveys(),
        sees_homework: role.may_read(Resource::Homework),
        sees_psych: role.may_read(Resource::PsychFigures)
            || role.opens_screening_rounds()
            || role.sees_attention_flags(),
        may_import: [Resource::Students, Resource::Schools, Resource::Conditions].iter().any(|r| role.may_write(*r)),
        scope_word: match s.actor.scope {
            eduq_core::access::Scope::District => "区县",
            eduq_core::access::Scope::School(_) => "本校",
            eduq_core::access::Scope::Classes { .. } => "本班",
            eduq_core::access::Scope::Students(_) => "本人",
            eduq_core::access::Scope::Schools(_) => "责任区",
        },
        terms: terms
            .iter()
            .map(|(_, t)| TermOption { key: t.key(), label: t.label(), selected: *t == selected.term })
            .collect(),
        term_key: selected.term.key(),
    };
    Ok((l, selected))
}

/// A record id from a query or form field; empty, malformed or non-positive means "none"
/// (selection lists send "" for 全部).
pub fn id_param(v: &Option<String>) -> Option<i64> {
    v.as_deref().and_then(|x| x.trim().parse::<i64>().ok()).filter(|x| *x > 0)
}

/// The number of pages and the requested page clamped into range.
pub fn pager(total: i64, per: i64, page: i64) -> (i64, i64) {
    let pages = ((total + per - 1) / per).max(1);
    (pages, page.clamp(0, pages - 1))
}

/// One page of a list the handler computed whole (risk scores, a paper's pupils, classes with
/// their sizes): the computation needs every row, the browser only a page of them. Links keep
/// the list's filters. Templates render it with `{% include "pager.html" %}` as the field `pg`.
pub struct Pages {
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    /// 1-based positions of the first and last row shown.
    pub from: usize,
    pub to: usize,
    path: String,
    qs: String,
}

impl Pages {
    /// Keeps the rows of `page` (0-based, clamped) out of `rows`.
    pub fn cut<T>(rows: Vec<T>, page: Option<usize>, per: usize, path: &str, qs: String) -> (Vec<T>, Pages) {
        let total = rows.len();
        let pages = total.div_ceil(per).max(1);
        let page = page.unwrap_or(0).min(pages - 1);
        let shown: Vec<T> = rows.into_iter().skip(page * per).take(per).collect();
        let from = if shown.is_empty() { 0 } else { page * per + 1 };
        let to = page * per + shown.len();
        (shown, Pages { page, pages, total, from, to, path: path.to_string(), qs })
    }

    /// A page the store already cut (`shown` rows of page `page`, `total` in all).
    pub fn counted(shown: usize, total: usize, page: usize, per: usize, path: &str, qs: String) -> Pages {
        let pages = total.div_ceil(per).max(1);
        let from = if shown == 0 { 0 } else { page * per + 1 };
        Pages { page, pages, total, from, to: page * per + shown, path: path.to_string(), qs }
    }

    /// No list on this page (a tab that shows none): the pager renders nothing.
    pub fn empty(path: &str) -> Pages {
        Pages { page: 0, pages: 1, total: 0, from: 0, to: 0, path: path.to_string(), qs: String::new() }
    }

    pub fn link(&self, page: usize) -> String {
        let sep = if self.qs.is_empty() { "" } else { "&" };
        format!("{}?{}{sep}page={page}", self.path, self.qs)
    }
}

/// Keeps query parameters when building links.
pub fn qs(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An xlsx file as a download, its (Chinese) name encoded for every browser.
pub fn xlsx_download(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename*=UTF-8''{}", urlencode(name));
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// A multipart form read whole, its CSRF token checked: text fields, and files as (file name, bytes).
pub struct Upload {
    pub fields: std::collections::HashMap<String, String>,
    pub files: std::collections::HashMap<String, (String, Vec<u8>)>,
}

impl Upload {
    pub async fn read(
        mut mp: axum::extract::Multipart,
        s: &Session,
        headers: &axum::http::HeaderMap,
    ) -> Result<Upload, WebError> {
        let mut u = Upload { fields: Default::default(), files: Default::default() };
        while let Some(field) = mp.next_field().await.map_err(|e| WebError::BadRequest(format!("上传失败：{e}")))?
        {
            let name = field.name().unwrap_or("").to_string();
            match field.file_name().map(str::to_string) {
                Some(file) => {
                    let bytes = field.bytes().await.map_err(|_| {
                        WebError::BadRequest(format!(
                            "文件过大或上传中断（上限{}MB）",
                            eduq_app::imports::MAX_UPLOAD_BYTES / 1024 / 1024
                        ))
                    })?;
                    u.files.insert(name, (file, bytes.to_vec()));
                }
                None => {
                    u.fields.insert(name, field.text().await.unwrap_or_default());
                }
            }
        }
        s.check_csrf(u.fields.get("_csrf").map(String::as_str), headers)?;
        Ok(u)
    }

    /// A text field, trimmed ("" when absent).
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).map(|v| v.trim().to_string()).unwrap_or_default()
    }

    /// A non-empty uploaded file: (file name, bytes).
    /// The form's one file field `file` (name and bytes; empty when none was sent).
    pub async fn one_file(
        mp: axum::extract::Multipart,
        s: &Session,
        headers: &axum::http::HeaderMap,
    ) -> Result<(String, Vec<u8>), WebError> {
        let up = Upload::read(mp, s, headers).await?;
        Ok(up.file("file").map(|(n, b)| (n.to_string(), b.to_vec())).unwrap_or_default())
    }

    pub fn file(&self, name: &str) -> Option<(&str, &[u8])> {
        self.files.get(name).filter(|(_, b)| !b.is_empty()).map(|(n, b)| (n.as_str(), b.as_slice()))
    }
}

/// What a page lists for a failed use case: the summary, then every row error.
/// What an import handed back, for the page that shows it: the summary (`Ok`) or the error lines
/// of a refused file; a forbidden or failed import stays an error of the request.
pub fn import_result<T>(
    r: Result<T, eduq_app::AppError>,
    summary: impl FnOnce(T) -> String,
) -> Result<Result<String, Vec<String>>, WebError> {
    use eduq_app::AppError;
    match r {
        Ok(v) => Ok(Ok(summary(v))),
        Err(AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e @ (AppError::Invalid(_) | AppError::Rows(_) | AppError::File(_))) => Ok(Err(error_lines(&e))),
        Err(e) => Err(e.into()),
    }
}

/// A stored file (evidence, a photo) as a download, its name encoded for every browser.
/// An evidence file of a case of `subject` in the caller's scope, as a download (the read is
/// audited by the use case).
pub async fn case_evidence(
    st: &crate::AppState,
    s: &Session,
    subject: eduq_core::casework::Subject,
    id: i64,
    file: i64,
) -> Result<axum::response::Response, WebError> {
    let (name, content_type, bytes) =
        eduq_app::casework::evidence(&st.store, &s.actor, subject, id, file, st.clock.now()).await?;
    Ok(file_download(&name, content_type, bytes))
}

pub fn file_download(name: &str, content_type: String, bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename*=UTF-8''{}", urlencode(name));
    ([(axum::http::header::CONTENT_TYPE, content_type), (axum::http::header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}

pub fn error_lines(e: &eduq_app::AppError) -> Vec<String> {
    let mut lines: Vec<String> = e.row_errors().iter().map(ToString::to_string).collect();
    lines.insert(0, e.to_string());
    lines
}

/// The message a form shows again when its use case refuses the input (invalid, or a conflict
/// such as a duplicate or a step already taken); any other error goes to the edge.
pub fn form_message(e: eduq_app::AppError) -> Result<String, WebError> {
    match e {
        eduq_app::AppError::Invalid(m) | eduq_app::AppError::Store(eduq_app::StoreError::Conflict(m)) => Ok(m),
        e => Err(e.into()),
    }
}

/// Keeps the one file of an evidence upload with a case of `subject`: `None` when kept, else the
/// message the case's page shows again (a file of the wrong type or size, a closed case).
pub async fn keep_evidence(
    st: &crate::AppState,
    s: &Session,
    headers: &axum::http::HeaderMap,
    mp: axum::extract::Multipart,
    subject: eduq_core::casework::Subject,
    id: i64,
) -> Result<Option<String>, WebError> {
    let (name, bytes) = Upload::one_file(mp, s, headers).await?;
    match eduq_app::casework::add_evidence(&st.store, &s.actor, subject, id, &name, bytes, st.clock.now()).await {
        Ok(()) => Ok(None),
        Err(e) => form_message(e).map(Some),
    }
}
