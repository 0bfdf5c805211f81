//! 问卷调查: the bureau's list and form upload, a survey's page (links with QR codes, quotas and
//! progress, tokens, results), and the respondents' page behind each anonymous link (no login).

use askama::Template;
use axum::extract::{Form, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::surveys::{Opened, RespondentType, Results, SurveyLine, SurveyView};
use eduq_core::questionnaire::results::Share;
use eduq_core::questionnaire::{Form as QForm, QType, TEMPLATES, Template as FormTemplate};

use crate::auth::{Posted, Session};
use crate::views::{Layout, Upload, form_message, layout};
use crate::{AppState, WebError};

fn pct(s: &Option<Share>) -> String {
    s.map_or("—".into(), |s| format!("{:.1}%", s.share * 100.0))
}

fn interval(s: &Option<Share>) -> String {
    s.map_or(String::new(), |s| format!("{:.1}–{:.1}%", s.low * 100.0, s.high * 100.0))
}

#[derive(Template)]
#[template(path = "surveys.html")]
struct ListPage {
    l: Layout,
    lines: Vec<SurveyLine>,
    runs: bool,
    templates: &'static [FormTemplate],
    today: String,
    errors: Vec<String>,
}

async fn render_list(st: &AppState, s: &Session, errors: Vec<String>) -> Result<Html<String>, WebError> {
    let (l, _) = layout(&st.store, s, "问卷调查", "surveys", None).await?;
    let lines = eduq_app::surveys::list(&st.store, &s.actor).await?;
    Ok(Html(
        ListPage {
            l,
            lines,
            runs: s.actor.role.runs_surveys(),
            templates: &TEMPLATES,
            today: s.today.to_string(),
            errors,
        }
        .render()?,
    ))
}

pub async fn page(State(st): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    render_list(&st, &s, vec![]).await
}

/// A shipped form as an XLSForm workbook, to edit in Excel and upload.
pub async fn template(Path(key): Path<String>, _s: Session) -> Result<Response, WebError> {
    let key = key.trim_end_matches(".xlsx");
    let t = eduq_core::questionnaire::template(key).ok_or(WebError::NotFound)?;
    let bytes = eduq_exchange::questionnaire::form_workbook(&eduq_core::questionnaire::template_sheets(t.text))
        .map_err(eduq_app::AppError::from)?;
    Ok(crate::views::xlsx_download(&format!("{}.xlsx", t.title), bytes))
}

/// Starts a survey from an uploaded form (the bureau).
pub async fn create(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let fields = eduq_app::surveys::SurveyFields {
        title: up.text("title"),
        opens: up.text("opens"),
        closes: up.text("closes"),
        recognition: up.text("recognition"),
        tokens: up.text("tokens"),
    };
    let (name, bytes) = up.file("file").unwrap_or(("", &[]));
    match eduq_app::surveys::create(&st.store, &s.actor, &fields, name, bytes, st.clock.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/surveys/{id}")).into_response()),
        Err(e @ eduq_app::AppError::File(_)) => {
            Ok(render_list(&st, &s, crate::views::error_lines(&e)).await?.into_response())
        }
        Err(e) => {
            let m = form_message(e)?;
            Ok(render_list(&st, &s, m.lines().map(str::to_string).collect()).await?.into_response())
        }
    }
}

/// A link as the page shows it: where it points and its progress per respondent type.
struct LinkLine {
    slug: String,
    name: String,
    url: String,
    /// (type label, responses, quota; 0 when none set).
    progress: Vec<(String, i64, i64)>,
    total: i64,
    quota: i64,
    tokens: (i64, i64),
    /// Quota inputs: (field name, type label, value).
    fields: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage {
    l: Layout,
    v: SurveyView,
    links: Vec<LinkLine>,
    runs: bool,
    open_today: bool,
    chart: String,
    /// `t:<type>` or `s:<school>`: whose answers the per-question tables show.
    group: String,
    /// Free-text answers through school links (the bureau's view only).
    remarks: Vec<eduq_app::surveys::Remark>,
    severities: &'static [eduq_core::supervision::Severity],
    slips: Vec<String>,
    slips_for: String,
    message: String,
    error: String,
}

impl SurveyPage {
    fn pct(&self, s: &Option<Share>) -> String {
        pct(s)
    }
    fn interval(&self, s: &Option<Share>) -> String {
        interval(s)
    }
    fn r(&self) -> &Results {
        &self.v.results
    }
    /// The group whose per-question tables are shown (the whole when none or unknown is asked).
    fn shown(&self) -> &eduq_app::surveys::GroupResult {
        let r = &self.v.results;
        let list = match self.group.split_once(':') {
            Some(("t", k)) => Some((&r.by_type, k)),
            Some(("s", k)) => Some((&r.by_school, k)),
            _ => None,
        };
        list.and_then(|(l, k)| l.iter().find(|g| g.key == k)).unwrap_or(&r.all)
    }
    /// The link the tokens just issued belong to, with its address.
    fn slips_place(&self) -> String {
        self.links.iter().find(|k| k.slug == self.slips_for).map_or(String::new(), |k| format!("{}：{}", k.name, k.url))
    }
}

/// The address respondents open: the host the bureau's browser used, so that a QR code printed
/// from the intranet address works on the intranet and one from the public address outside.
fn base_url(st: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let scheme = if st.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

fn link_lines(v: &SurveyView, base: &str) -> Vec<LinkLine> {
    v.links
        .iter()
        .map(|k| {
            let of = |list: &[(String, i64)], t: &RespondentType| list.iter().find(|x| x.0 == t.key).map_or(0, |x| x.1);
            let progress: Vec<(String, i64, i64)> =
                v.types.iter().map(|t| (t.label.clone(), of(&k.got, t), of(&k.quotas, t))).collect();
            LinkLine {
                slug: k.slug.clone(),
                name: k.school_name.clone(),
                url: format!("{base}/s/{}", k.slug),
                total: k.got.iter().map(|g| g.1).sum(),
                quota: k.quotas.iter().map(|q| q.1).sum(),
                tokens: (k.tokens_issued, k.tokens_used),
                fields: v
                    .types
                    .iter()
                    .map(|t| {
                        let q = of(&k.quotas, t);
                        (
                            format!("q:{}:{}", k.slug, t.key),
                            t.label.clone(),
                            if q > 0 { q.to_string() } else { String::new() },
                        )
                    })
                    .collect(),
                progress,
            }
        })
        .collect()
}

fn chart(r: &Results) -> String {
    let shown: Vec<_> = r.by_type.iter().filter(|g| g.favourable.is_some()).collect();
    serde_json::json!({
        "tooltip": {},
        "grid": { "left": 60, "right": 20, "bottom": 40 },
        "xAxis": { "type": "category", "data": shown.iter().map(|g| g.label.as_str()).collect::<Vec<_>>() },
        "yAxis": { "type": "value", "name": "认可度 %", "min": 0, "max": 100 },
        "series": [{
            "type": "bar",
            "data": shown.iter().map(|g| g.favourable.map(|f| (f.share * 1000.0).round() / 10.0)).collect::<Vec<_>>(),
            "markLine": { "data": [{ "yAxis": eduq_core::standards::quality_balance::RECOGNITION_MIN * 100.0, "name": "85%" }] }
        }]
    })
    .to_string()
}

struct Extra {
    group: String,
    slips: Vec<String>,
    slips_for: String,
    message: String,
    error: String,
}

async fn render_one(
    st: &AppState,
    s: &Session,
    headers: &HeaderMap,
    id: i64,
    x: Extra,
) -> Result<Html<String>, WebError> {
    let v = eduq_app::surveys::view(&st.store, &s.actor, id).await?;
    let (l, _) = layout(&st.store, s, &v.survey.title, "surveys", None).await?;
    let links = link_lines(&v, &base_url(st, headers));
    let runs = s.actor.role.runs_surveys();
    let page = SurveyPage {
        l,
        links,
        runs,
        remarks: v.remarks.clone(),
        severities: eduq_core::supervision::Severity::ALL,
        open_today: v.survey.is_open(s.today),
        chart: chart(&v.results),
        group: x.group,
        v,
        slips: x.slips,
        slips_for: x.slips_for,
        message: x.message,
        error: x.error,
    };
    Ok(Html(page.render()?))
}

fn plain(message: String, error: String) -> Extra {
    Extra { group: String::new(), slips: vec![], slips_for: String::new(), message, error }
}

#[derive(serde::Deserialize, Default)]
pub struct GroupQ {
    /// Whose answers the per-question tables show: `t:<type>`, `s:<school>`, or the whole.
    group: Option<String>,
}

pub async fn detail(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<GroupQ>,
) -> Result<Html<String>, WebError> {
    let mut x = plain(String::new(), String::new());
    x.group = q.group.unwrap_or_default();
    render_one(&st, &s, &headers, id, x).await
}

/// Quotas per link and respondent type (the bureau).
pub async fn quotas(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Posted(s, f): Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let x = match eduq_app::surveys::set_quotas(&st.store, &s.actor, id, &f, st.clock.now()).await {
        Ok(()) => plain("配额已保存".into(), String::new()),
        Err(e) => plain(String::new(), form_message(e)?),
    };
    Ok(render_one(&st, &s, &headers, id, x).await?.into_response())
}

#[derive(serde::Deserialize)]
pub struct TokensForm {
    slug: String,
    count: String,
}

/// Single-use tokens for one link, shown once to print (the bureau).
pub async fn tokens(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Posted(s, f): Posted<TokensForm>,
) -> Result<Response, WebError> {
    let n = f.count.trim().parse::<usize>().unwrap_or(0);
    let x = match eduq_app::surveys::issue_tokens(&st.store, &s.actor, id, &f.slug, n, st.clock.now()).await {
        Ok(slips) => Extra {
            group: String::new(),
            slips,
            slips_for: f.slug.clone(),
            message: String::new(),
            error: String::new(),
        },
        Err(e) => plain(String::new(), form_message(e)?),
    };
    Ok(render_one(&st, &s, &headers, id, x).await?.into_response())
}

/// A free-text answer turned into a 问题清单 item of its school (the bureau).
pub async fn remark(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Posted(s, f): Posted<eduq_app::surveys::RemarkForm>,
) -> Result<Response, WebError> {
    match eduq_app::surveys::remark_to_problem(&st.store, &s.actor, id, &f, s.today, st.clock.now()).await {
        Ok((pid, _)) => Ok(Redirect::to(&format!("/supervision/problems/{pid}")).into_response()),
        Err(e) => Ok(render_one(&st, &s, &headers, id, plain(String::new(), form_message(e)?)).await?.into_response()),
    }
}

pub async fn export(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Response, WebError> {
    let (name, bytes) = eduq_app::surveys::export(&st.store, &s.actor, id, st.clock.zone()).await?;
    Ok(crate::views::xlsx_download(&name, bytes))
}

/// A link's QR code (`.svg` or `.png`), for a link of a survey the caller reads.
pub async fn qr(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let (slug, ext) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    if !eduq_app::surveys::reads_link(&st.store, &s.actor, id, slug).await? {
        return Err(WebError::NotFound);
    }
    let url = format!("{}/s/{slug}", base_url(&st, &headers));
    let (kind, bytes) = match ext {
        "svg" => ("image/svg+xml", crate::qr::svg(&url).map(String::into_bytes)),
        "png" => ("image/png", crate::qr::png(&url, 8)),
        _ => return Err(WebError::NotFound),
    };
    let bytes = bytes.ok_or(WebError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, kind)], bytes).into_response())
}

// ---- the respondents' page ----

/// One question as the respondent's page shows it.
struct Item {
    id: String,
    field: String,
    label: String,
    hint: String,
    /// select_one, select_multiple, integer, decimal, text, note, date.
    kind: &'static str,
    required: bool,
    shown: bool,
    /// A group heading shown before the question.
    heading: String,
    /// (choice name, label, chosen).
    choices: Vec<(String, String, bool)>,
    value: String,
}

#[derive(Template)]
#[template(path = "survey_answer.html")]
struct AnswerPage {
    step: &'static str,
    slug: String,
    title: String,
    place: String,
    tokens: bool,
    token: String,
    browser: String,
    items: Vec<Item>,
    error: String,
}

const COOKIE: &str = "eduq_sv";

fn items(form: &QForm, answers: &[Option<String>]) -> Vec<Item> {
    let given: Vec<Option<&str>> = answers.iter().map(|a| a.as_deref()).collect();
    let kept = form.without_skipped(&given);
    let on = form.relevance(&kept);
    let mut headed = vec![false; form.groups.len()];
    form.questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let value = kept.get(i).copied().flatten().unwrap_or("").to_string();
            let mut heading = String::new();
            for &g in &q.groups {
                if !headed[g] && on[i] {
                    headed[g] = true;
                    heading = form.groups[g].label.clone();
                }
            }
            let chosen: Vec<&str> = value.split_whitespace().collect();
            Item {
                id: format!("q-{}", q.name),
                field: format!("a:{}", q.name),
                label: q.label.clone(),
                hint: q.hint.clone(),
                kind: q.qtype.key(),
                required: q.required,
                shown: on[i],
                heading,
                choices: q
                    .choices
                    .iter()
                    .map(|c| (c.name.clone(), c.label.clone(), chosen.contains(&c.name.as_str())))
                    .collect(),
                value: if q.qtype.is_select() { String::new() } else { value },
            }
        })
        .collect()
}

/// The answers of a posted page, by question (several boxes of a select_multiple joined by
/// spaces).
fn posted_answers(form: &QForm, f: &[(String, String)]) -> Vec<Option<String>> {
    form.questions
        .iter()
        .map(|q| {
            let key = format!("a:{}", q.name);
            let vals: Vec<&str> =
                f.iter().filter(|(k, _)| *k == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect();
            if vals.is_empty() {
                None
            } else if q.qtype == QType::SelectMultiple {
                Some(vals.join(" "))
            } else {
                Some(vals[0].to_string())
            }
        })
        .collect()
}

fn field<'a>(f: &'a [(String, String)], name: &str) -> &'a str {
    f.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
}

fn cookie_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix(&format!("{COOKIE}=")).map(str::to_string))
        .filter(|v| v.len() >= 16 && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn public(page: AnswerPage, set_cookie: Option<&str>) -> Result<Response, WebError> {
    let mut res = Html(page.render()?).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    if let Some(c) = set_cookie
        && let Ok(v) =
            HeaderValue::from_str(&format!("{COOKIE}={c}; Path=/s; HttpOnly; SameSite=Lax; Max-Age=31536000"))
    {
        h.insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

fn closed_page(error: String) -> AnswerPage {
    AnswerPage {
        step: "closed",
        slug: String::new(),
        title: "问卷调查".into(),
        place: String::new(),
        tokens: false,
        token: String::new(),
        browser: String::new(),
        items: vec![],
        error,
    }
}

fn sheet(o: &Opened, token: &str, browser: &str, answers: &[Option<String>], error: String) -> AnswerPage {
    AnswerPage {
        step: "sheet",
        slug: o.link.slug.clone(),
        title: o.link.survey.title.clone(),
        place: o.link.school_name.clone(),
        tokens: o.link.survey.tokens,
        token: token.to_string(),
        browser: browser.to_string(),
        items: items(&o.form, answers),
        error,
    }
}

fn new_browser() -> String {
    eduq_app::accounts::random_token().chars().take(32).collect()
}

/// The respondent's page: the form of the survey the link opens, or why not.
pub async fn answer(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (browser, fresh) = match cookie_of(&headers) {
        Some(c) => (c, false),
        None => (new_browser(), true),
    };
    let set = fresh.then_some(browser.as_str());
    match st.surveys.link(&st.store, &slug, st.clock.today()).await {
        Ok(o) => public(sheet(&o, field(&q, "t"), &browser, &[], String::new()), set),
        Err(e) => public(closed_page(form_message(e)?), set),
    }
}

/// The page again with the questions the answers so far make relevant (htmx, on every change).
pub async fn refresh(
    State(st): State<AppState>,
    Path(slug): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    match st.surveys.link(&st.store, &slug, st.clock.today()).await {
        Ok(o) => {
            let answers = posted_answers(&o.form, &f);
            public(sheet(&o, field(&f, "token"), field(&f, "b"), &answers, String::new()), None)
        }
        Err(e) => public(closed_page(form_message(e)?), None),
    }
}

/// A response handed in: checked and kept once per browser or token.
pub async fn submit(
    State(st): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let o = match st.surveys.link(&st.store, &slug, st.clock.today()).await {
        Ok(o) => o,
        Err(e) => return public(closed_page(form_message(e)?), None),
    };
    let answers = posted_answers(&o.form, &f);
    let token = field(&f, "token");
    // The page's copy of the cookie must match it (a form posted from another site has neither).
    let browser = match cookie_of(&headers) {
        Some(c) if c == field(&f, "b") => c,
        _ if o.link.survey.tokens => String::new(),
        _ => {
            let m = "请允许浏览器保存Cookie，然后重新打开调查链接".to_string();
            return public(sheet(&o, token, field(&f, "b"), &answers, m), None);
        }
    };
    let client = crate::psych::answering_client(peer);
    let h = eduq_app::surveys::HandedIn { slug: &slug, token, browser: &browser, answers: &answers, client: &client };
    let r = st.surveys.submit(&st.store, &h, st.clock.today(), st.clock.now()).await;
    match r {
        Ok(()) => {
            let mut done = closed_page(String::new());
            done.step = "done";
            done.title = o.link.survey.title.clone();
            public(done, None)
        }
        Err(e) => {
            let m = form_message(e)?;
            public(sheet(&o, token, &browser, &answers, m), None)
        }
    }
}
