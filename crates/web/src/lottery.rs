//! 电脑随机派位 in the platform: the bureau's pages (create, register, freeze, draw, trail) and the
//! public page of each lottery (digest, entropy source, published files, the verifier).

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::lottery::{LotteryRow, TrailEvent};
use eduq_core::access::Resource;
use eduq_core::lottery::{BundlePolicy, Mechanism};
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, Upload, error_lines, layout};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "lotteries.html")]
struct ListPage {
    l: Layout,
    rows: Vec<LotteryRow>,
    may_run: bool,
    mechanisms: Vec<(&'static str, &'static str)>,
    policies: Vec<(&'static str, &'static str)>,
    error: String,
}

async fn list(st: &AppState, s: &Session, error: String) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "电脑随机派位", "lottery", None).await?;
    let rows = eduq_app::lottery::list(&st.store, &s.actor).await?;
    Ok(Html(
        ListPage {
            l,
            rows,
            may_run: s.actor.role.may_write(Resource::Admissions),
            mechanisms: Mechanism::ALL.iter().map(|m| (m.key(), m.label())).collect(),
            policies: BundlePolicy::ALL.iter().map(|p| (p.key(), p.label())).collect(),
            error,
        }
        .render()?,
    ))
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    list(&st, &s, String::new()).await
}

/// A new lottery: its public key, name, mechanism and the policy for siblings (捆绑).
#[derive(Deserialize)]
pub struct NewLotteryForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    mechanism: String,
    #[serde(default)]
    bundle_policy: String,
}

/// Freezing (with the announced entropy source) or drawing (with its value and the on-site digits).
#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    beacon: String,
    #[serde(default)]
    beacon_value: String,
    #[serde(default)]
    onsite: String,
}

pub async fn create(State(st): State<AppState>, Posted(s, f): Posted<NewLotteryForm>) -> Result<Response, WebError> {
    let mechanism = Mechanism::from_key(&f.mechanism).unwrap_or(Mechanism::DeferredAcceptance);
    let policy = BundlePolicy::from_key(&f.bundle_policy).unwrap_or(BundlePolicy::AdmitAll);
    match eduq_app::lottery::create(&st.store, &s.actor, &f.key, &f.name, mechanism, policy, st.clock.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/lotteries/{id}")).into_response()),
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => Ok(list(&st, &s, e.to_string()).await?.into_response()),
    }
}

#[derive(Template)]
#[template(path = "lottery.html")]
struct DetailPage {
    l: Layout,
    r: LotteryRow,
    trail: Vec<TrailEvent>,
    trail_whole: bool,
    files: Vec<String>,
    /// (applicant id, name, 证件号, admitted school) for the bureau, after the draw.
    roster: Vec<(String, String, String, String)>,
    may_run: bool,
    message: String,
    errors: Vec<String>,
}

async fn detail_page(
    st: &AppState,
    s: &Session,
    id: i64,
    message: String,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let eduq_app::lottery::LotteryView { row: r, trail, trail_whole, files, roster } =
        eduq_app::lottery::view(&st.store, &s.actor, id, st.clock.now()).await?;
    let (l, _) = layout(&st.store, s, "电脑随机派位", "lottery", None).await?;
    // As people read it: the district's local time and Chinese names (the stored text, which the
    // chain hashes, is unchanged).
    let trail = trail
        .into_iter()
        .map(|mut e| {
            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&e.at) {
                e.at = st.clock.local(t.to_utc()).format("%Y-%m-%d %H:%M:%S").to_string();
            }
            e.action = match e.action.as_str() {
                "create" => "创建",
                "register" => "登记申请人",
                "freeze" => "冻结名单",
                "draw" => "派位",
                other => other,
            }
            .to_string();
            e
        })
        .collect();
    let mut r = r;
    r.mechanism = eduq_core::lottery::Mechanism::from_key(&r.mechanism).map_or(r.mechanism, |m| m.label().to_string());
    r.bundle_policy =
        eduq_core::lottery::BundlePolicy::from_key(&r.bundle_policy).map_or(r.bundle_policy, |b| b.label().to_string());
    Ok(Html(
        DetailPage {
            l,
            trail_whole,
            trail,
            files,
            roster,
            may_run: s.actor.role.may_write(Resource::Admissions),
            message,
            errors,
            r,
        }
        .render()?,
    ))
}

pub async fn detail(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    detail_page(&st, &s, id, String::new(), vec![]).await
}

fn outcome(r: Result<String, eduq_app::AppError>) -> Result<(String, Vec<String>), WebError> {
    match r {
        Ok(m) => Ok((m, vec![])),
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => Ok((String::new(), error_lines(&e))),
    }
}

/// Registration: the applicants file and the schools' seats, as one multipart form.
pub async fn register(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Html<String>, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let (Some(a), Some(sc)) = (up.file("applicants"), up.file("schools")) else {
        return detail_page(&st, &s, id, String::new(), vec!["请选择申请人名单和学位表两个文件".into()]).await;
    };
    let r = eduq_app::lottery::register(&st.store, &s.actor, id, (a.1, a.0), (sc.1, sc.0), st.clock.now())
        .await
        .map(|r| format!("已登记申请人{}名、学校{}所，共{}个学位", r.applicants, r.schools, r.seats));
    let (message, errors) = outcome(r)?;
    detail_page(&st, &s, id, message, errors).await
}

/// Freeze (with the announced entropy source) or draw (with its value and the on-site digits).
pub async fn act(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<StepForm>,
) -> Result<Html<String>, WebError> {
    let r = match f.action.as_str() {
        "freeze" => eduq_app::lottery::freeze(&st.store, &s.actor, id, &f.beacon, st.clock.now())
            .await
            .map(|d| format!("已冻结名单，摘要 {d} 已公布")),
        "draw" => eduq_app::lottery::draw(&st.store, &s.actor, id, &f.beacon_value, &f.onsite, st.clock.now())
            .await
            .map(|seed| format!("派位完成，种子 {seed}；结果已公布")),
        other => return Err(WebError::BadRequest(format!("未知的操作“{other}”"))),
    };
    let (message, errors) = outcome(r)?;
    detail_page(&st, &s, id, message, errors).await
}

#[derive(Template)]
#[template(path = "lottery_public.html")]
struct PublicPage {
    r: LotteryRow,
    files: Vec<String>,
    entropy: Vec<String>,
}

/// The public page of a frozen or drawn lottery: no login, no names.
pub async fn public(State(st): State<AppState>, Path(key): Path<String>) -> Result<Response, WebError> {
    let (r, files) = eduq_app::lottery::public(&st.store, &key).await?;
    let entropy: Vec<String> = r.entropy.as_deref().and_then(|e| serde_json::from_str(e).ok()).unwrap_or_default();
    let html = PublicPage { r, files, entropy }.render()?;
    Ok(([(header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'self'; img-src 'self'")], Html(html))
        .into_response())
}

pub async fn public_file(
    State(st): State<AppState>,
    Path((key, name)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let bytes = eduq_app::lottery::public_file(&st.store, &key, &name).await?;
    let kind = if name.ends_with(".json") {
        "application/json"
    } else if name.ends_with(".html") {
        "text/html; charset=utf-8"
    } else {
        "text/csv; charset=utf-8"
    };
    let disposition = format!("attachment; filename=\"{}\"", name.replace('"', ""));
    Ok(([(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}
