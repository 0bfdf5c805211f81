//! 问卷调查: the bureau uploads an XLSForm workbook, eduq opens one anonymous link per school and
//! one for the district's other respondents, people answer on their phones without logging in,
//! and the results (counts, proportions with Wilson intervals, 认可度 per respondent type) feed the
//! 社会认可度 part of the 优质均衡 assessment.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::Actor;
use eduq_core::privacy::cell_shown;
use eduq_core::questionnaire::results::{Share, favourable, wilson};
use eduq_core::questionnaire::{Form, QType, SheetRows, Tally};
use eduq_store::Store;
use eduq_store::surveys::{LinkRow, NewResponse, NewSurvey, NotKept, PublicLink, ResponseRow, SurveyRow};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use crate::AppError;
use crate::form::date_field as day;
use crate::group_commit::{Msg, gather};

/// A link's code: 16 characters of 31 (79 bits), not to be guessed.
const SLUG_LEN: usize = 16;
/// A printed token: 8 characters (39 bits); guessing is bounded by the link's rate of answers.
const TOKEN_LEN: usize = 8;
/// Tokens issued at most at once.
pub const MAX_TOKENS: usize = 2000;

fn random(len: usize) -> String {
    crate::accounts::paper_code(len)
}

fn token_hash(raw: &str) -> String {
    crate::accounts::paper_code_hash(raw)
}

/// The form a survey runs.
pub fn form_of(s: &SurveyRow) -> Result<Form, AppError> {
    let sheets: Vec<SheetRows> =
        serde_json::from_str(&s.form).map_err(|e| AppError::Invalid(format!("问卷表单无法读取：{e}")))?;
    Form::parse(&sheets).map_err(|e| AppError::Invalid(format!("问卷表单有误：{}", e[0])))
}

/// The fields of the form that starts a survey (the file comes beside them).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SurveyFields {
    pub title: String,
    pub opens: String,
    pub closes: String,
    /// "on" when the survey counts towards 社会认可度.
    #[serde(default)]
    pub recognition: String,
    /// "on" for single-use tokens instead of open links.
    #[serde(default)]
    pub tokens: String,
}

fn checked(v: &str) -> bool {
    matches!(v.trim(), "on" | "1" | "true" | "yes")
}

/// Starts a survey from an uploaded form: checked (every error named with sheet, row and column,
/// one per line), kept with one link per school and one for the district.
pub async fn create(
    store: &Store,
    actor: &Actor,
    f: &SurveyFields,
    file_name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    if !actor.role.runs_surveys() {
        return Err(AppError::Forbidden);
    }
    if bytes.is_empty() {
        return Err(AppError::Invalid("请选择问卷表单文件（XLSForm格式的xlsx）".into()));
    }
    let sheets = eduq_exchange::questionnaire::form_sheets(bytes)?;
    let form = Form::parse(&sheets).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        AppError::Invalid(format!("表单有{}处错误，未保存：\n{}", errors.len(), lines.join("\n")))
    })?;
    let title = match f.title.trim() {
        "" => form.title.clone(),
        t => t.to_string(),
    };
    if title.is_empty() {
        return Err(AppError::Invalid("调查名称必填（或在表单settings表中填写form_title）".into()));
    }
    eduq_core::text::check_field("调查名称", &title, eduq_core::text::NAME_CHARS).map_err(AppError::Invalid)?;
    let (opens, closes) = (day("开始日期", &f.opens)?, day("结束日期", &f.closes)?);
    if closes < opens {
        return Err(AppError::Invalid(format!("结束日期{closes}早于开始日期{opens}")));
    }
    let recognition = checked(&f.recognition);
    if recognition && !form.questions.iter().any(|q| q.choices.iter().any(|c| c.favourable)) {
        return Err(AppError::Invalid(
            "计入社会认可度的问卷须在choices表favourable列标明哪些答案计为认可（如“满意”“比较满意”）".into(),
        ));
    }
    let schools = store.school_options(actor).await?;
    let mut links = vec![(random(SLUG_LEN), None)];
    links.extend(schools.iter().map(|s| (random(SLUG_LEN), Some(s.id))));
    let n = NewSurvey {
        district_id: store.district().await?.0,
        title,
        form: serde_json::to_string(&sheets).map_err(|e| AppError::Invalid(e.to_string()))?,
        file_name: file_name.to_string(),
        recognition,
        tokens: checked(&f.tokens),
        opens,
        closes,
        links,
    };
    let mut tx = store.begin().await?;
    let id = tx.insert_survey(actor, &n, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A survey in the list, with how many responses the caller's links gathered.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyLine {
    pub survey: SurveyRow,
    pub responses: i64,
    pub quota: i64,
}

pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<SurveyLine>, AppError> {
    let mut out = Vec::new();
    for survey in store.surveys(actor, None).await? {
        let links = store.survey_links(actor, survey.id).await?;
        let responses = links.iter().flat_map(|l| l.got.iter().map(|g| g.1)).sum();
        let quota = links.iter().flat_map(|l| l.quotas.iter().map(|q| q.1)).sum();
        out.push(SurveyLine { survey, responses, quota });
    }
    Ok(out)
}

/// A respondent type: its key (a choice of the `respondent` question; "" when the form has none)
/// and label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RespondentType {
    pub key: String,
    pub label: String,
}

fn respondent_types(form: &Form) -> Vec<RespondentType> {
    match form.respondent() {
        Some(i) => form.questions[i]
            .choices
            .iter()
            .map(|c| RespondentType { key: c.name.clone(), label: c.label.clone() })
            .collect(),
        None => vec![RespondentType { key: String::new(), label: "全部".into() }],
    }
}

/// One answer of a select question in a results table: its count and share with the Wilson
/// interval; `None` when the cell is suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChoiceCell {
    pub label: String,
    pub favourable: bool,
    pub count: usize,
    pub share: Option<Share>,
    pub shown: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    pub name: String,
    pub label: String,
    pub multiple: bool,
    pub answered: usize,
    pub cells: Vec<ChoiceCell>,
}

/// The results of one group of responses (the district, a respondent type, a school).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    pub key: String,
    pub label: String,
    pub accepted: usize,
    /// Shown at all: the district always; below it, only groups of at least the small-cell size.
    pub shown: bool,
    pub favourable: Option<Share>,
    pub questions: Vec<QuestionResult>,
}

fn group_result(form: &Form, key: &str, label: &str, t: &Tally, district_level: bool) -> GroupResult {
    let shown = district_level || cell_shown(t.accepted);
    let questions = t
        .questions
        .iter()
        .map(|(i, answered, counts)| {
            let q = &form.questions[*i];
            QuestionResult {
                name: q.name.clone(),
                label: q.label.clone(),
                multiple: q.qtype == QType::SelectMultiple,
                answered: *answered,
                cells: q
                    .choices
                    .iter()
                    .zip(counts)
                    .map(|(c, &k)| {
                        // Below the district, a small non-zero count could point at a person.
                        let cell_ok = shown && (district_level || k == 0 || cell_shown(k));
                        ChoiceCell {
                            label: c.label.clone(),
                            favourable: c.favourable,
                            count: if cell_ok { k } else { 0 },
                            share: if cell_ok { wilson(k, *answered) } else { None },
                            shown: cell_ok,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    GroupResult {
        key: key.to_string(),
        label: label.to_string(),
        accepted: t.accepted,
        shown,
        favourable: if shown { favourable(form, t) } else { None },
        questions,
    }
}

/// Results of a survey over the responses the caller may read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub responses: usize,
    /// The whole (the district for the bureau; the own school for a principal).
    pub all: GroupResult,
    pub by_type: Vec<GroupResult>,
    pub by_school: Vec<GroupResult>,
    /// Whether `all` is the district (the caller reads every link).
    pub district_level: bool,
}

/// Tallies kept responses: every one was checked when handed in, so each is accepted again here.
pub fn results(form: &Form, responses: &[ResponseRow], district_level: bool) -> Results {
    let types = respondent_types(form);
    let mut all = Tally::new(form);
    let mut by_type: Vec<Tally> = vec![Tally::new(form); types.len()];
    let mut schools: Vec<(String, Tally)> = Vec::new();
    let mut school_at: HashMap<String, usize> = HashMap::new();
    for (row, r) in responses.iter().enumerate() {
        let answers: Vec<Option<&str>> = r.answers.iter().map(Option::as_deref).collect();
        all.add(form, row + 1, &answers);
        if let Some(t) = types.iter().position(|t| t.key == r.respondent) {
            by_type[t].add(form, row + 1, &answers);
        }
        let at = *school_at.entry(r.school_name.clone()).or_insert_with(|| {
            schools.push((r.school_name.clone(), Tally::new(form)));
            schools.len() - 1
        });
        schools[at].1.add(form, row + 1, &answers);
    }
    schools.sort_by(|a, b| a.0.cmp(&b.0));
    Results {
        responses: responses.len(),
        all: group_result(form, "", if district_level { "全区（县）" } else { "本校" }, &all, district_level),
        by_type: types
            .iter()
            .zip(&by_type)
            .map(|(t, tally)| group_result(form, &t.key, &t.label, tally, district_level))
            .collect(),
        by_school: schools.iter().map(|(name, t)| group_result(form, name, name, t, false)).collect(),
        district_level,
    }
}

/// A survey's page: the survey, its form, links with progress, and results.
#[derive(Debug, Clone)]
pub struct SurveyView {
    pub survey: SurveyRow,
    pub form: Form,
    pub types: Vec<RespondentType>,
    pub links: Vec<LinkRow>,
    pub results: Results,
    /// Free-text answers through school links, for the roles that run surveys only.
    pub remarks: Vec<Remark>,
}

pub async fn view(store: &Store, actor: &Actor, id: i64) -> Result<SurveyView, AppError> {
    let survey = store.survey(actor, id).await?;
    let form = form_of(&survey)?;
    let links = store.survey_links(actor, id).await?;
    let responses = store.survey_responses(actor, id).await?;
    let district_level = actor.scope == eduq_core::access::Scope::District;
    let results = results(&form, &responses, district_level);
    let remarks = if actor.role.runs_surveys() { remarks(&form, &responses) } else { vec![] };
    Ok(SurveyView { types: respondent_types(&form), survey, form, links, results, remarks })
}

/// Sets quotas from a form of fields named `q:<slug>:<type>`; an empty field removes the quota.
pub async fn set_quotas(
    store: &Store,
    actor: &Actor,
    id: i64,
    fields: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.runs_surveys() {
        return Err(AppError::Forbidden);
    }
    let survey = store.survey(actor, id).await?;
    let types = respondent_types(&form_of(&survey)?);
    let links = store.survey_links(actor, id).await?;
    let mut quotas = Vec::new();
    for (k, raw) in fields {
        let Some(rest) = k.strip_prefix("q:") else { continue };
        let Some((slug, respondent)) = rest.split_once(':') else { continue };
        let Some(link) = links.iter().find(|l| l.slug == slug) else { return Err(AppError::NotFound) };
        let Some(t) = types.iter().find(|t| t.key == respondent) else {
            return Err(AppError::Invalid(format!("调查对象“{respondent}”不在问卷的身份选项中")));
        };
        let quota = match raw.trim() {
            "" => 0,
            s => s.parse::<i64>().ok().filter(|n| (0..=100_000).contains(n)).ok_or_else(|| {
                AppError::Invalid(format!("{}的{}配额“{s}”无效：请填0–100000的整数", link.school_name, t.label))
            })?,
        };
        quotas.push((slug.to_string(), respondent.to_string(), quota));
    }
    let mut tx = store.begin().await?;
    tx.set_survey_quotas(actor, id, &quotas, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether `slug` is a link of the survey that the caller reads (its QR code may be drawn).
pub async fn reads_link(store: &Store, actor: &Actor, id: i64, slug: &str) -> Result<bool, AppError> {
    Ok(store.survey_links(actor, id).await?.iter().any(|l| l.slug == slug))
}

/// Issues `n` single-use tokens for one link: shown once, only their hashes kept.
pub async fn issue_tokens(
    store: &Store,
    actor: &Actor,
    id: i64,
    slug: &str,
    n: usize,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    if !actor.role.runs_surveys() {
        return Err(AppError::Forbidden);
    }
    if n == 0 || n > MAX_TOKENS {
        return Err(AppError::Invalid(format!("调查码数量应为1–{MAX_TOKENS}")));
    }
    let survey = store.survey(actor, id).await?;
    if !survey.tokens {
        return Err(AppError::Invalid("本调查使用公开链接，不需要调查码".into()));
    }
    let tokens: Vec<String> = (0..n).map(|_| random(TOKEN_LEN)).collect();
    let hashes: Vec<String> = tokens.iter().map(|t| token_hash(t)).collect();
    let mut tx = store.begin().await?;
    tx.insert_survey_tokens(actor, id, slug, &hashes, now).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// The responses as a workbook: one row per response, one column per question (answers as the
/// choices' labels), with the link and the time in the district's zone.
pub fn responses_workbook(
    form: &Form,
    title: &str,
    rows: &[ResponseRow],
    zone: &eduq_core::clock::DistrictZone,
) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell as X, Sheet, write_workbook};
    let asked: Vec<usize> = (0..form.questions.len()).filter(|&i| form.questions[i].qtype != QType::Note).collect();
    let mut headers: Vec<String> = vec!["序号".into(), "学校/链接".into(), "提交时间".into()];
    headers.extend(asked.iter().map(|&i| format!("{}（{}）", form.questions[i].label, form.questions[i].name)));
    let label = |i: usize, v: &str| -> String {
        let q = &form.questions[i];
        if !q.qtype.is_select() {
            return v.to_string();
        }
        let names: Vec<&str> = v
            .split_whitespace()
            .map(|c| q.choices.iter().find(|x| x.name == c).map_or(c, |x| x.label.as_str()))
            .collect();
        names.join("、")
    };
    let data: Vec<Vec<X>> = rows
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let mut row = vec![
                X::Number((n + 1) as f64),
                X::Text(r.school_name.clone()),
                X::Text(zone.local(r.submitted_at).format("%Y-%m-%d %H:%M").to_string()),
            ];
            row.extend(
                asked
                    .iter()
                    .map(|&i| X::Text(r.answers.get(i).cloned().flatten().map_or(String::new(), |v| label(i, &v)))),
            );
            row
        })
        .collect();
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    Ok(write_workbook(&[Sheet {
        name: "答卷",
        title: vec![format!("{title}：答卷明细（匿名）")],
        headers: &h,
        rows: &data,
    }])?)
}

/// The responses the caller may read, as a workbook.
pub async fn export(
    store: &Store,
    actor: &Actor,
    id: i64,
    zone: &eduq_core::clock::DistrictZone,
) -> Result<(String, Vec<u8>), AppError> {
    if !actor.role.runs_surveys() {
        return Err(AppError::Forbidden);
    }
    let survey = store.survey(actor, id).await?;
    let form = form_of(&survey)?;
    let rows = store.survey_responses(actor, id).await?;
    Ok((format!("{}-答卷.xlsx", survey.title), responses_workbook(&form, &survey.title, &rows, zone)?))
}

/// What an anonymous link opens: the survey, its school and its form.
pub struct Opened {
    pub link: PublicLink,
    pub form: Form,
}

const NO_LINK: &str = "链接无效，请核对后重新打开";

/// The survey a link opens, read from the store (see [`SurveyDesk::open`], which keeps it).
async fn load_link(store: &Store, slug: &str) -> Result<Opened, AppError> {
    if slug.is_empty() || slug.len() > 40 {
        return Err(AppError::Invalid(NO_LINK.into()));
    }
    let link = store.survey_link(slug).await?.ok_or_else(|| AppError::Invalid(NO_LINK.into()))?;
    let form = form_of(&link.survey)?;
    Ok(Opened { link, form })
}

/// Whether the survey takes answers today.
fn open_today(o: &Opened, today: NaiveDate) -> Result<(), AppError> {
    if today < o.link.survey.opens {
        return Err(AppError::Invalid(format!("本次调查{}开始，请到时再来", o.link.survey.opens)));
    }
    if today > o.link.survey.closes {
        return Err(AppError::Invalid("本次调查已结束，感谢关注".into()));
    }
    Ok(())
}

/// Messages of a refused response that keep the respondent's page with the answers given.
pub const INCOMPLETE: &str = "请检查后重新提交：";

/// A respondent's answers as the page sent them, checked: answers to questions the respondent's
/// later choices hid are dropped, then the form's rules decide.
pub fn checked_answers(form: &Form, raw: &[Option<String>]) -> Result<Vec<Option<String>>, AppError> {
    let given: Vec<Option<&str>> = raw.iter().map(|a| a.as_deref().map(str::trim).filter(|v| !v.is_empty())).collect();
    let kept = form.without_skipped(&given);
    form.check(&kept).map_err(|why| AppError::Invalid(format!("{INCOMPLETE}{}", labelled(form, &why))))?;
    Ok(kept.into_iter().map(|a| a.map(str::to_string)).collect())
}

/// A rejection names questions by `name`; a respondent knows them by their text.
fn labelled(form: &Form, why: &str) -> String {
    let mut out = why.to_string();
    for q in &form.questions {
        out = out.replace(&format!("“{}”", q.name), &format!("“{}”", q.label));
    }
    out
}

/// Responses handed in at most in one transaction.
const MAX_BATCH: usize = 500;

struct Job {
    response: NewResponse,
    now: DateTime<Utc>,
    reply: oneshot::Sender<Result<(), AppError>>,
}

const TOKEN_REFUSED: &str = "调查码无效或已使用，每个调查码只能提交一次";

/// A response as a respondent's page sends it.
pub struct HandedIn<'a> {
    pub slug: &'a str,
    /// The token typed (token surveys).
    pub token: &'a str,
    /// The page's survey cookie (open links): one response per browser.
    pub browser: &'a str,
    /// By question of the form, in form order.
    pub answers: &'a [Option<String>],
    /// Who is answering (an address), for counting wrong tokens.
    pub client: &'a str,
}

/// Where respondents hand in their answers: a class's parents scanning the QR code at a parents'
/// meeting is a burst, kept by one writer in group commits ([`crate::group_commit`]).
#[derive(Clone)]
pub struct SurveyDesk {
    jobs: mpsc::Sender<Msg<Job>>,
    /// Links already opened, with their parsed forms: a survey never changes once started, and a
    /// burst must not queue on the database and parse the form for every respondent.
    links: Arc<Mutex<HashMap<String, Arc<Opened>>>>,
    /// Wrong or spent tokens per client: tokens cannot be guessed by trying.
    guard: crate::screening::CodeGuard,
}

/// Links kept at most; beyond it the cache starts again.
const LINKS_KEPT: usize = 10_000;

impl SurveyDesk {
    /// Opens the desk on the runtime in use (one writer task).
    pub fn open(store: Store) -> SurveyDesk {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_responses(store, rx));
        SurveyDesk { jobs, links: Arc::default(), guard: crate::screening::CodeGuard::named("调查码") }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Opened>>> {
        self.links.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The survey a link opens, if it is open today; read once, then kept.
    pub async fn link(&self, store: &Store, slug: &str, today: NaiveDate) -> Result<Arc<Opened>, AppError> {
        let held = self.cache().get(slug).cloned();
        let o = match held {
            Some(o) => o,
            None => {
                let o = Arc::new(load_link(store, slug).await?);
                let mut cache = self.cache();
                if cache.len() >= LINKS_KEPT {
                    cache.clear();
                }
                cache.insert(slug.to_string(), o.clone());
                o
            }
        };
        open_today(&o, today)?;
        Ok(o)
    }

    /// A response through its link: checked against the form, and kept once per token (token
    /// surveys) or per browser before this returns.
    pub async fn submit(
        &self,
        store: &Store,
        h: &HandedIn<'_>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let (token, browser, raw) = (h.token, h.browser, h.answers);
        let o = self.link(store, h.slug, today).await?;
        if o.link.survey.tokens {
            self.guard.check(h.client, now)?;
            let r = self.hand_in(&o, token, browser, raw, now).await;
            match &r {
                Ok(()) => self.guard.passed(h.client),
                Err(AppError::Invalid(m)) if m == TOKEN_REFUSED => self.guard.failed(h.client, now),
                Err(_) => {}
            }
            return r;
        }
        self.hand_in(&o, token, browser, raw, now).await
    }

    async fn hand_in(
        &self,
        o: &Opened,
        token: &str,
        browser: &str,
        raw: &[Option<String>],
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let (guard, token) = if o.link.survey.tokens {
            if token.trim().is_empty() {
                return Err(AppError::Invalid("请输入调查码".into()));
            }
            (token_hash(token), true)
        } else {
            if browser.len() < 16 {
                return Err(AppError::Invalid("请允许浏览器保存Cookie后重新打开链接".into()));
            }
            (crate::accounts::token_hash(&format!("{}:{browser}", o.link.survey.id)), false)
        };
        let answers = checked_answers(&o.form, raw)?;
        let respondent = o.form.respondent().and_then(|i| answers[i].clone()).unwrap_or_default();
        let response = NewResponse {
            survey_id: o.link.survey.id,
            district_id: o.link.district_id,
            school_id: o.link.school_id,
            slug: o.link.slug.clone(),
            respondent,
            answers,
            guard,
            token,
        };
        let (reply, answer) = oneshot::channel();
        let closed = || AppError::Invalid("提交服务正在重启，请稍后再提交".into());
        self.jobs.send(Msg::Job(Box::new(Job { response, now, reply }))).await.map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

async fn write_responses(store: Store, mut rx: mpsc::Receiver<Msg<Job>>) {
    while let Some((batch, settles)) = gather(&mut rx, MAX_BATCH).await {
        if !batch.is_empty() {
            let now = batch.iter().map(|j| j.now).max().unwrap_or_else(Utc::now);
            let responses: Vec<NewResponse> = batch.iter().map(|j| j.response.clone()).collect();
            let kept = async {
                let mut tx = store.begin().await?;
                let kept = tx.insert_survey_responses(&responses, now).await?;
                tx.commit().await?;
                Ok::<_, eduq_store::StoreError>(kept)
            }
            .await;
            match kept {
                Ok(kept) => {
                    for (job, k) in batch.into_iter().zip(kept) {
                        let _ = job.reply.send(match k {
                            Ok(_) => Ok(()),
                            Err(NotKept::TokenSpent) => Err(AppError::Invalid(TOKEN_REFUSED.into())),
                            Err(NotKept::AlreadyAnswered) => {
                                Err(AppError::Invalid("您已提交过本问卷，每人只需提交一次，感谢参与".into()))
                            }
                        });
                    }
                }
                Err(e) => {
                    tracing::warn!("survey responses not kept: {e}");
                    for job in batch {
                        let _ = job.reply.send(Err(AppError::Invalid("保存失败，请稍后重新提交".into())));
                    }
                }
            }
        }
        for tx in settles {
            let _ = tx.send(());
        }
    }
}

/// 社会认可度 (第九条): per respondent type and overall, from the surveys that count towards it
/// (favourable answers over answers, numerators and denominators summed over the surveys).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recognition {
    pub surveys: Vec<(i64, String)>,
    /// (type label, share), in the order of the first survey's respondent choices.
    pub by_type: Vec<(String, Option<Share>)>,
    pub overall: Option<Share>,
    pub min: f64,
    /// Met when the overall share reaches the minimum (第九条 states one figure; the types are
    /// shown beside it so that a weak group is seen).
    pub met: Option<bool>,
}

/// Memoised per reader until the next write (`/balance` reads it on every visit; a county's
/// surveys hold tens of thousands of responses).
pub async fn recognition(store: &Store, actor: &Actor) -> Result<Recognition, AppError> {
    if !actor.role.reads_surveys() {
        return Err(AppError::Forbidden);
    }
    let key = format!("recognition|{}", eduq_store::reader_key(actor));
    store.memoised(&key, read_recognition(store, actor)).await
}

async fn read_recognition(store: &Store, actor: &Actor) -> Result<Recognition, AppError> {
    let surveys: Vec<SurveyRow> = store.surveys(actor, None).await?.into_iter().filter(|s| s.recognition).collect();
    let mut types: Vec<(String, String, usize, usize)> = Vec::new();
    let (mut fav, mut n) = (0, 0);
    for s in &surveys {
        let form = form_of(s)?;
        let rows = store.survey_responses(actor, s.id).await?;
        let r = results(&form, &rows, true);
        if let Some(f) = r.all.favourable {
            fav += f.count;
            n += f.n;
        }
        for g in &r.by_type {
            let at = match types.iter().position(|t| t.0 == g.key) {
                Some(at) => at,
                None => {
                    types.push((g.key.clone(), g.label.clone(), 0, 0));
                    types.len() - 1
                }
            };
            if let Some(f) = g.favourable {
                types[at].2 += f.count;
                types[at].3 += f.n;
            }
        }
    }
    let min = eduq_core::standards::quality_balance::RECOGNITION_MIN;
    let overall = wilson(fav, n);
    let by_type: Vec<(String, Option<Share>)> = types.iter().map(|t| (t.1.clone(), wilson(t.2, t.3))).collect();
    let met = overall.as_ref().map(eduq_core::questionnaire::results::recognised);
    Ok(Recognition { surveys: surveys.iter().map(|s| (s.id, s.title.clone())).collect(), by_type, overall, min, met })
}

/// A free-text answer given through a school's link (意见、投诉), for the bureau to read and,
/// where it names a problem, to turn into an item of the 问题清单.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remark {
    pub response_id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub question: String,
    pub label: String,
    pub text: String,
}

/// The free-text answers of a survey through school links, newest first.
pub fn remarks(form: &Form, rows: &[ResponseRow]) -> Vec<Remark> {
    let texts: Vec<usize> = (0..form.questions.len()).filter(|&i| form.questions[i].qtype == QType::Text).collect();
    let mut out = Vec::new();
    for r in rows.iter().rev() {
        let Some(school_id) = r.school_id else { continue };
        for &i in &texts {
            if let Some(text) = r.answers.get(i).cloned().flatten().filter(|t| !t.trim().is_empty()) {
                out.push(Remark {
                    response_id: r.id,
                    school_id,
                    school_name: r.school_name.clone(),
                    question: form.questions[i].name.clone(),
                    label: form.questions[i].label.clone(),
                    text,
                });
            }
        }
    }
    out
}

/// What the bureau adds when it turns a remark into a problem.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RemarkForm {
    pub response_id: i64,
    pub question: String,
    pub domain: String,
    pub responsible: String,
    pub severity: String,
}

/// Turns a free-text answer into a 问题清单 item of its school (督导问题, with its 整改通知书);
/// the same answer twice on one day is refused by the problem register's own duplicate rule.
pub async fn remark_to_problem(
    store: &Store,
    actor: &Actor,
    survey_id: i64,
    f: &RemarkForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(i64, String), AppError> {
    use eduq_core::supervision::{ProblemKind, Severity};
    if !actor.role.runs_surveys() || !actor.role.inspects() {
        return Err(AppError::Forbidden);
    }
    let survey = store.survey(actor, survey_id).await?;
    let form = form_of(&survey)?;
    let rows = store.survey_responses(actor, survey_id).await?;
    let remark = remarks(&form, &rows)
        .into_iter()
        .find(|r| r.response_id == f.response_id && r.question == f.question)
        .ok_or(AppError::NotFound)?;
    let severity = Severity::from_key(f.severity.trim()).unwrap_or(Severity::General);
    let raise = crate::problems::RaiseForm {
        kind: ProblemKind::Supervision,
        school_id: remark.school_id,
        inspection_id: None,
        item_code: format!("问卷{}-{}", survey.id, remark.response_id),
        domain: f.domain.clone(),
        location: String::new(),
        description: format!("《{}》{}：{}", survey.title, remark.label, remark.text.trim()),
        severity,
        responsible: f.responsible.clone(),
        indicator: None,
        deadline: None,
    };
    crate::problems::raise(store, actor, &raise, today, now).await
}
