//! 心理健康: the board of each role, a round's page, code slips, paper entry, follow-up files, and
//! the pupils' answer pages (no login: a one-time code opens one sheet).

use askama::Template;
use axum::extract::{Form, Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use eduq_app::casework::{CaseEvent, EvidenceMeta};
use eduq_app::psych_followup::{FileView, StepForm};
use eduq_app::screening::{Board, RoundForm, RoundView, Slip};
use eduq_core::access::Resource;
use eduq_core::casework::Subject;
use eduq_core::clock::DistrictZone;
use eduq_core::psych_followup::{ReferralTo, Step};
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, form_message, keep_evidence, layout};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "psych.html")]
struct BoardPage {
    l: Layout,
    b: Board,
    reads_results: bool,
    opens: bool,
    loads: bool,
    principal: bool,
    head_teacher: bool,
    steps: &'static [Step],
    referrals: &'static [ReferralTo],
    zone: DistrictZone,
    error: String,
}

impl BoardPage {
    fn when(&self, t: &DateTime<Utc>) -> String {
        self.zone.local(*t).format("%Y-%m-%d %H:%M").to_string()
    }
}

async fn render(st: &AppState, s: &Session, error: String) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "心理健康", "psych", None).await?;
    let b = eduq_app::screening::board(&st.store, &s.actor, s.today, st.clock.now()).await?;
    let role = s.actor.role;
    Ok(Html(
        BoardPage {
            l,
            b,
            reads_results: role.may_read(Resource::Psych),
            opens: role.opens_screening_rounds(),
            loads: role.loads_instruments(),
            principal: role.counts_psych_alerts(),
            head_teacher: role.sees_attention_flags(),
            steps: Step::ALL,
            referrals: ReferralTo::ALL,
            zone: st.clock.zone().clone(),
            error,
        }
        .render()?,
    ))
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    render(&st, &s, String::new()).await
}

pub async fn open_round(State(st): State<AppState>, Posted(s, f): Posted<RoundForm>) -> Result<Response, WebError> {
    match eduq_app::screening::open_round(&st.store, &s.actor, &f, s.today, st.clock.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/psych/rounds/{id}")).into_response()),
        Err(e) => Ok(render(&st, &s, form_message(e)?).await?.into_response()),
    }
}

/// An instrument file the bureau holds a licence for.
pub async fn load_instrument(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let (_, bytes) = crate::views::Upload::one_file(mp, &s, &headers).await?;
    let text = String::from_utf8(bytes).map_err(|_| WebError::BadRequest("量表文件须为UTF-8文本".into()))?;
    match eduq_app::screening::load_instrument(&st.store, &s.actor, &text, st.clock.now()).await {
        Ok(_) => Ok(Redirect::to("/psych").into_response()),
        Err(e) => Ok(render(&st, &s, form_message(e)?).await?.into_response()),
    }
}

#[derive(Template)]
#[template(path = "psych_round.html")]
struct RoundPage {
    l: Layout,
    v: RoundView,
    reads_results: bool,
    error: String,
    notice: String,
}

async fn render_round(
    st: &AppState,
    s: &Session,
    id: i64,
    error: String,
    notice: String,
) -> Result<Html<String>, WebError> {
    let v = eduq_app::screening::round_view(&st.store, &s.actor, id, st.clock.now()).await?;
    let (l, _) = layout(&st.store, s, &v.round.name, "psych", None).await?;
    let reads_results = s.actor.role.may_read(Resource::Psych);
    Ok(Html(RoundPage { l, v, reads_results, error, notice }.render()?))
}

pub async fn round(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    render_round(&st, &s, id, String::new(), String::new()).await
}

/// Aggregates only, for every reader of them.
pub async fn summary_xlsx(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Response, WebError> {
    let v = eduq_app::screening::round_view(&st.store, &s.actor, id, st.clock.now()).await?;
    Ok(crate::views::xlsx_download("心理筛查汇总.xlsx", eduq_app::screening::figures_workbook(&v)?))
}

/// Individual results: the 心理教师 and 心理教研员 only (the store audits the read).
pub async fn results_xlsx(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Response, WebError> {
    if !s.actor.role.may_read(Resource::Psych) {
        return Err(WebError::Forbidden);
    }
    let v = eduq_app::screening::round_view(&st.store, &s.actor, id, st.clock.now()).await?;
    Ok(crate::views::xlsx_download("心理筛查个人结果.xlsx", eduq_app::screening::results_workbook(&v)?))
}

#[derive(Deserialize)]
pub struct CodesForm {
    #[serde(default)]
    class_id: Option<String>,
}

#[derive(Template)]
#[template(path = "psych_slips.html")]
struct SlipsPage {
    l: Layout,
    round_name: String,
    slips: Vec<Slip>,
}

/// New codes for the pupils who have not answered, shown once to print and cut into slips.
pub async fn codes(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<CodesForm>,
) -> Result<Response, WebError> {
    let class = crate::views::id_param(&f.class_id);
    match eduq_app::screening::issue_codes(&st.store, &s.actor, id, class, s.today, st.clock.now()).await {
        Ok(slips) => {
            let round = eduq_app::screening::round(&st.store, &s.actor, id).await?;
            let (l, _) = layout(&st.store, &s, "答题码", "psych", None).await?;
            Ok(Html(SlipsPage { l, round_name: round.name, slips }.render()?).into_response())
        }
        Err(e) => Ok(render_round(&st, &s, id, form_message(e)?, String::new()).await?.into_response()),
    }
}

/// A paper sheet: `student_id` and the answers `q1` … `qN`.
pub async fn paper(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let student = f.iter().find(|(k, _)| k == "student_id").and_then(|(_, v)| v.trim().parse::<i64>().ok());
    let Some(student) = student else {
        return Ok(render_round(&st, &s, id, "请选择学生".into(), String::new()).await?.into_response());
    };
    let answers = answers_of(&f);
    match eduq_app::screening::enter_paper(&st.store, &s.actor, id, student, &answers, st.clock.now()).await {
        Ok(alert) => {
            let notice =
                if alert { "已录入；该答卷触发预警，请在24小时内跟进" } else { "已录入" };
            Ok(render_round(&st, &s, id, String::new(), notice.into()).await?.into_response())
        }
        Err(e) => Ok(render_round(&st, &s, id, form_message(e)?, String::new()).await?.into_response()),
    }
}

/// The answers `q1`, `q2`, … of a form in item order (a missing one is blank).
fn answers_of(f: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (k, v) in f {
        if let Some(n) = k.strip_prefix('q').and_then(|n| n.parse::<usize>().ok()).filter(|n| (1..=200).contains(n)) {
            if out.len() < n {
                out.resize(n, String::new());
            }
            out[n - 1] = v.clone();
        }
    }
    out
}

/// Acting on a result: opens the pupil's file with a first step.
pub async fn open_file(
    State(st): State<AppState>,
    Path(response): Path<i64>,
    Posted(s, f): Posted<StepForm>,
) -> Result<Response, WebError> {
    match eduq_app::psych_followup::open_from_result(&st.store, &s.actor, response, &f, s.today, st.clock.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/psych/files/{id}")).into_response()),
        Err(e) => Ok(render(&st, &s, form_message(e)?).await?.into_response()),
    }
}

#[derive(Template)]
#[template(path = "psych_file.html")]
struct FilePage {
    l: Layout,
    v: FileView,
    writes: bool,
    steps: &'static [Step],
    referrals: &'static [ReferralTo],
    zone: DistrictZone,
    error: String,
}

impl FilePage {
    fn when(&self, t: &DateTime<Utc>) -> String {
        self.zone.local(*t).format("%Y-%m-%d %H:%M").to_string()
    }
    fn events(&self) -> &[CaseEvent] {
        &self.v.events
    }
    fn evidence(&self) -> &[EvidenceMeta] {
        &self.v.evidence
    }
}

async fn render_file(st: &AppState, s: &Session, id: i64, error: String) -> Result<Html<String>, WebError> {
    let v = eduq_app::psych_followup::view(&st.store, &s.actor, id, st.clock.now()).await?;
    let (l, _) = layout(&st.store, s, &format!("心理档案：{}", v.file.name), "psych", None).await?;
    let writes = s.actor.role.may_write(Resource::Psych);
    let zone = st.clock.zone().clone();
    Ok(Html(FilePage { l, v, writes, steps: Step::ALL, referrals: ReferralTo::ALL, zone, error }.render()?))
}

pub async fn file(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    render_file(&st, &s, id, String::new()).await
}

pub async fn step(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<StepForm>,
) -> Result<Response, WebError> {
    match eduq_app::psych_followup::record(&st.store, &s.actor, id, &f, s.today, st.clock.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/psych/files/{id}")).into_response()),
        Err(e) => Ok(render_file(&st, &s, id, form_message(e)?).await?.into_response()),
    }
}

#[derive(Deserialize)]
pub struct MemberForm {
    user_id: String,
}

pub async fn member(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<MemberForm>,
) -> Result<Response, WebError> {
    let user = f.user_id.trim().parse::<i64>().unwrap_or(0);
    match eduq_app::psych_followup::add_member(&st.store, &s.actor, id, user, s.today, st.clock.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/psych/files/{id}")).into_response()),
        Err(e) => Ok(render_file(&st, &s, id, form_message(e)?).await?.into_response()),
    }
}

#[derive(Deserialize)]
pub struct ClosingForm {
    action: String,
    #[serde(default)]
    note: String,
}

pub async fn closing(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<ClosingForm>,
) -> Result<Response, WebError> {
    match eduq_app::psych_followup::closing(&st.store, &s.actor, id, &f.action, &f.note, s.today, st.clock.now()).await
    {
        Ok(()) => Ok(Redirect::to(&format!("/psych/files/{id}")).into_response()),
        Err(e) => Ok(render_file(&st, &s, id, form_message(e)?).await?.into_response()),
    }
}

pub async fn upload(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, WebError> {
    match keep_evidence(&st, &s, &headers, mp, Subject::Psych, id).await? {
        None => Ok(Redirect::to(&format!("/psych/files/{id}")).into_response()),
        Some(m) => Ok(render_file(&st, &s, id, m).await?.into_response()),
    }
}

pub async fn evidence(
    State(st): State<AppState>,
    s: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    crate::views::case_evidence(&st, &s, Subject::Psych, id, file).await
}

// The pupils' pages: no session, no name shown; the code is the only key.

#[derive(Template)]
#[template(path = "answer.html")]
struct AnswerPage {
    /// `code`, `sheet` or `done`.
    step: &'static str,
    code: String,
    round_name: String,
    instrument: String,
    instructions: String,
    items: Vec<(usize, String)>,
    options: Vec<(i32, String)>,
    chosen: Vec<String>,
    error: String,
}

impl AnswerPage {
    fn new(step: &'static str) -> AnswerPage {
        AnswerPage {
            step,
            code: String::new(),
            round_name: String::new(),
            instrument: String::new(),
            instructions: String::new(),
            items: vec![],
            options: vec![],
            chosen: vec![],
            error: String::new(),
        }
    }

    fn chosen(&self, item: &usize, option: &i32) -> bool {
        self.chosen.get(item - 1).is_some_and(|v| v.trim() == option.to_string())
    }
}

fn public(page: AnswerPage) -> Result<Response, WebError> {
    let mut res = Html(page.render()?).into_response();
    // The code travels in the form; nothing of it may be cached or sent elsewhere.
    res.headers_mut().insert("cache-control", axum::http::HeaderValue::from_static("no-store"));
    res.headers_mut().insert("referrer-policy", axum::http::HeaderValue::from_static("no-referrer"));
    Ok(res)
}

pub async fn answer_start() -> Result<Response, WebError> {
    public(AnswerPage::new("code"))
}

/// Who is answering, for counting wrong codes: the address, or an IPv6 address's /64 (one
/// household or phone gets a whole /64, so counting single addresses would not bound it).
pub(crate) fn answering_client(peer: std::net::SocketAddr) -> String {
    match peer.ip() {
        std::net::IpAddr::V4(a) => a.to_string(),
        std::net::IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = a.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

async fn sheet_page(
    st: &AppState,
    code: &str,
    chosen: Vec<String>,
    error: String,
    client: &str,
) -> Result<Response, WebError> {
    let today = st.clock.today();
    match st.sheets.sheet(&st.store, code, today, st.clock.now(), client).await {
        Ok(sh) => public(AnswerPage {
            step: "sheet",
            code: code.trim().to_string(),
            round_name: sh.round_name,
            instrument: sh.instrument.name.clone(),
            instructions: sh.instrument.instructions.clone(),
            items: sh.instrument.items.iter().map(|i| (i.number as usize, i.text.clone())).collect(),
            options: sh.instrument.options.clone(),
            chosen,
            error,
        }),
        Err(e) => public(AnswerPage { error: form_message(e)?, ..AnswerPage::new("code") }),
    }
}

/// The code typed: its sheet, or the code page again with why not.
pub async fn answer_open(
    State(st): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let code = f.iter().find(|(k, _)| k == "code").map(|(_, v)| v.clone()).unwrap_or_default();
    sheet_page(&st, &code, vec![], String::new(), &answering_client(peer)).await
}

/// The sheet submitted: scored and kept (with its alert) in one transaction.
pub async fn answer_submit(
    State(st): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let code = f.iter().find(|(k, _)| k == "code").map(|(_, v)| v.clone()).unwrap_or_default();
    let answers = answers_of(&f);
    let client = answering_client(peer);
    match st.sheets.submit(&code, &answers, st.clock.today(), st.clock.now(), &client).await {
        Ok(()) => public(AnswerPage::new("done")),
        // A wrong code (or a client that must wait) goes back to the code page without a second
        // lookup, which would count the same wrong code twice.
        Err(e) if !eduq_app::screening::keeps_sheet(&e) => {
            public(AnswerPage { error: form_message(e)?, ..AnswerPage::new("code") })
        }
        Err(e) => {
            let m = form_message(e)?;
            sheet_page(&st, &code, answers, m, &client).await
        }
    }
}
