//! 心理筛查: rounds opened by the bureau or a school, one-time codes for pupils, answers online or
//! from paper scored at once, alerts raised in the same request, and the aggregates that are all
//! the bureau and principals see.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource, Scope};
use eduq_core::calendar::Term;
use eduq_core::privacy::cell_shown;
use eduq_core::screening::{Instrument, shipped_all};
use eduq_core::standards::screening::{
    CODE_FAILURES_KEPT_HOURS, CODE_FAILURES_MAX, CODE_LEN, CODE_WAIT_MAX_MINUTES, CODE_WAIT_MINUTES, FOLLOW_UP_HOURS,
    RETENTION_DAYS,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use eduq_store::Store;
use eduq_store::screening::{
    AlertRow, AlertTiming, Cell, CodeTarget, NewResponse, NewRound, NotKept, OnlineSheet, Pupil, ResultRow, RoundRow,
};
use tokio::sync::{mpsc, oneshot};

use crate::group_commit::{Msg, gather};
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::form::date_field as day;

pub use eduq_store::psych_followup::FileRow;

/// The instruments a round may use: those shipped and those the bureau loaded.
pub async fn instruments(store: &Store) -> Result<Vec<Instrument>, AppError> {
    let mut out: Vec<Instrument> = shipped_all().to_vec();
    let district = store.district().await?.0;
    for (key, text) in store.loaded_instruments(district).await? {
        if let Ok(i) = Instrument::parse(&text) {
            out.retain(|o| o.key != key);
            out.push(i);
        }
    }
    Ok(out)
}

pub async fn instrument(store: &Store, key: &str) -> Result<Instrument, AppError> {
    // A loaded instrument never takes a shipped one's key (`load_instrument`).
    if let Some(i) = shipped_all().iter().find(|i| i.key == key) {
        return Ok(i.clone());
    }
    instruments(store)
        .await?
        .into_iter()
        .find(|i| i.key == key)
        .ok_or_else(|| AppError::Invalid(format!("未知量表“{key}”")))
}

/// Loads an instrument file the bureau holds a licence for (checked line by line first).
pub async fn load_instrument(store: &Store, actor: &Actor, text: &str, now: DateTime<Utc>) -> Result<String, AppError> {
    if !actor.role.loads_instruments() {
        return Err(AppError::Forbidden);
    }
    let ins = Instrument::parse(text).map_err(|e| AppError::Invalid(e.to_string()))?;
    if shipped_all().iter().any(|s| s.key == ins.key) {
        return Err(AppError::Invalid(format!("代码“{}”是随系统提供的量表，请换一个代码", ins.key)));
    }
    let district = store.district().await?.0;
    let mut tx = store.begin().await?;
    tx.save_instrument(actor, district, &ins, text, now).await?;
    tx.commit().await?;
    Ok(ins.name)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RoundForm {
    pub name: String,
    pub instrument: String,
    /// Grade numbers separated by commas or spaces (7,8,9).
    pub grades: String,
    pub opens: String,
    pub closes: String,
}

/// Opens a round: the bureau's for every school, a school's for its own.
pub async fn open_round(
    store: &Store,
    actor: &Actor,
    f: &RoundForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    if !actor.role.opens_screening_rounds() {
        return Err(AppError::Forbidden);
    }
    let name = f.name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid("筛查名称必填".into()));
    }
    eduq_core::text::check_field("筛查名称", name, eduq_core::text::NAME_CHARS).map_err(AppError::Invalid)?;
    let ins = instrument(store, f.instrument.trim()).await?;
    let mut grades = Vec::new();
    for g in f.grades.split([',', '，', '、', ' ']).map(str::trim).filter(|g| !g.is_empty()) {
        let n: i64 = match g.parse() {
            Ok(n) if (1..=12).contains(&n) => n,
            _ => return Err(AppError::Invalid(format!("年级“{g}”无效：请填1–12的数字"))),
        };
        if !ins.suits_grade(n) {
            return Err(AppError::Invalid(format!(
                "{}适用于{}岁及以上，{}年级学生年龄不足",
                ins.name,
                ins.min_age.unwrap_or_default(),
                n
            )));
        }
        if !grades.contains(&n) {
            grades.push(n);
        }
    }
    if grades.is_empty() {
        return Err(AppError::Invalid("请填写参加筛查的年级".into()));
    }
    grades.sort_unstable();
    let (opens, closes) = (day("开始日期", &f.opens)?, day("结束日期", &f.closes)?);
    if closes < opens {
        return Err(AppError::Invalid(format!("结束日期{closes}早于开始日期{opens}")));
    }
    if closes < today {
        return Err(AppError::Invalid(format!("结束日期{closes}已过")));
    }
    let term = Term::containing(opens);
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    let school_id = match &actor.scope {
        Scope::District => None,
        Scope::School(id) => Some(*id),
        _ => return Err(AppError::Forbidden),
    };
    let n = NewRound {
        district_id: store.district().await?.0,
        school_id,
        term_id,
        instrument: ins.key,
        name: name.to_string(),
        grades,
        opens,
        closes,
    };
    let mut tx = store.begin().await?;
    let id = tx.insert_round(actor, &n, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A round the caller sees.
pub async fn round(store: &Store, actor: &Actor, id: i64) -> Result<RoundRow, AppError> {
    Ok(store.screening_round(actor, id).await?)
}

/// A printed slip: the pupil and the code, shown once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slip {
    pub class_name: String,
    pub name: String,
    pub code: String,
}

fn new_code() -> String {
    crate::accounts::paper_code(CODE_LEN)
}

fn code_hash(raw: &str) -> String {
    crate::accounts::paper_code_hash(raw)
}

/// Issues new one-time codes to the pupils of a round (one class, or all in scope) who have not
/// answered; their earlier unused codes stop working. Only the hashes are kept.
pub async fn issue_codes(
    store: &Store,
    actor: &Actor,
    round_id: i64,
    class_id: Option<i64>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<Slip>, AppError> {
    if !actor.role.may_write(Resource::Psych) {
        return Err(AppError::Forbidden);
    }
    let round = store.screening_round(actor, round_id).await?;
    if round.closes < today {
        return Err(AppError::Invalid("本轮筛查已结束".into()));
    }
    let pupils: Vec<Pupil> = store
        .round_pupils(actor, &round)
        .await?
        .into_iter()
        .filter(|p| !p.answered && class_id.is_none_or(|c| p.class_id == c))
        .collect();
    let mut slips = Vec::with_capacity(pupils.len());
    let mut codes = Vec::with_capacity(pupils.len());
    for p in &pupils {
        let code = new_code();
        codes.push((p.student_id, p.school_id, code_hash(&code)));
        slips.push(Slip { class_name: p.class_name.clone(), name: p.name.clone(), code });
    }
    let district = store.district().await?.0;
    let mut tx = store.begin().await?;
    tx.replace_codes(actor, &round, district, &codes, now).await?;
    tx.commit().await?;
    Ok(slips)
}

/// What a pupil's code opens: the round's name and its instrument (never a name).
pub struct Sheet {
    pub round_name: String,
    pub instrument: Instrument,
}

fn code_spent() -> AppError {
    AppError::Invalid("该答题码已使用，每个答题码只能提交一次".into())
}

const NOT_SAVED: &str = "保存失败，请稍后重新提交";
const INCOMPLETE: &str = "请完成全部题目：";

fn not_saved() -> AppError {
    AppError::Invalid(NOT_SAVED.into())
}

/// Whether a refused submission should show its sheet again with the answers given (the code
/// was good: answers left blank, or the save failed), rather than the code page.
pub fn keeps_sheet(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(m) if m.starts_with(INCOMPLETE) || m == NOT_SAVED)
}

const BAD_CODE: &str = "答题码无效，请核对后重新输入";

fn bad_code() -> AppError {
    AppError::Invalid(BAD_CODE.into())
}

fn is_bad_code(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(m) if m == BAD_CODE)
}

/// Wrong codes per client: after [`CODE_FAILURES_MAX`] a client waits before it may try again,
/// longer with each further wrong code, so that codes cannot be guessed. Kept in memory (the
/// answer pages are public and must not wait for the database); a sheet handed in clears the
/// client's count, a day without a wrong code forgets it.
#[derive(Clone)]
pub struct CodeGuard {
    clients: Arc<Mutex<HashMap<String, Guesses>>>,
    /// What the code is called on its page (答题码, 调查码).
    what: &'static str,
}

impl Default for CodeGuard {
    fn default() -> CodeGuard {
        CodeGuard::named("答题码")
    }
}

#[derive(Debug, Clone, Copy)]
struct Guesses {
    failures: u32,
    blocked_until: Option<DateTime<Utc>>,
    last: DateTime<Utc>,
}

/// Clients tracked at most; beyond it the forgotten ones are dropped first.
const GUARD_CLIENTS: usize = 100_000;

impl CodeGuard {
    /// A guard of codes called `what` on their page.
    pub fn named(what: &'static str) -> CodeGuard {
        CodeGuard { clients: Arc::default(), what }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Guesses>> {
        self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Refuses a client that must wait, saying how long.
    pub fn check(&self, client: &str, now: DateTime<Utc>) -> Result<(), AppError> {
        match self.lock().get(client).and_then(|g| g.blocked_until) {
            Some(until) if until > now => {
                let minutes = (until - now).num_minutes() + 1;
                let what = self.what;
                Err(AppError::Invalid(format!("{what}输错次数过多，请{minutes}分钟后再试，或请老师核对{what}")))
            }
            _ => Ok(()),
        }
    }

    /// Counts a wrong code; from the limit on, the client waits.
    pub fn failed(&self, client: &str, now: DateTime<Utc>) {
        let mut map = self.lock();
        if map.len() >= GUARD_CLIENTS && !map.contains_key(client) {
            let kept = Duration::hours(CODE_FAILURES_KEPT_HOURS);
            map.retain(|_, g| now - g.last < kept || g.blocked_until.is_some_and(|u| u > now));
        }
        let g = map.entry(client.to_string()).or_insert(Guesses { failures: 0, blocked_until: None, last: now });
        if now - g.last >= Duration::hours(CODE_FAILURES_KEPT_HOURS) {
            g.failures = 0;
        }
        g.failures += 1;
        g.last = now;
        if g.failures >= CODE_FAILURES_MAX {
            let over = i64::from(g.failures - CODE_FAILURES_MAX + 1);
            g.blocked_until = Some(now + Duration::minutes((over * CODE_WAIT_MINUTES).min(CODE_WAIT_MAX_MINUTES)));
        }
    }

    /// A sheet handed in: the client's count starts again.
    pub fn passed(&self, client: &str) {
        self.lock().remove(client);
    }
}

fn well_formed(code: &str) -> Result<(), AppError> {
    if code.trim().is_empty() || code.len() > 40 { Err(bad_code()) } else { Ok(()) }
}

/// What a code's lookup opens today, or why nothing.
fn open_target(t: Option<CodeTarget>, today: NaiveDate) -> Result<CodeTarget, AppError> {
    let t = t.ok_or_else(bad_code)?;
    if t.used {
        return Err(code_spent());
    }
    if today < t.opens {
        return Err(AppError::Invalid(format!("本次筛查{}开始，请到时再来", t.opens)));
    }
    if today > t.closes {
        return Err(AppError::Invalid("本次筛查已结束".into()));
    }
    Ok(t)
}

async fn open_code(store: &Store, code: &str, today: NaiveDate) -> Result<CodeTarget, AppError> {
    well_formed(code)?;
    open_target(store.code_target(&code_hash(code)).await?, today)
}

/// The sheet a code opens, if the code is valid, unused and its round open today.
pub async fn sheet(store: &Store, code: &str, today: NaiveDate) -> Result<Sheet, AppError> {
    let t = open_code(store, code, today).await?;
    Ok(Sheet { round_name: t.round_name, instrument: instrument(store, &t.instrument).await? })
}

/// Reads the answers of a form, naming every item left blank or invalid.
fn checked(ins: &Instrument, raw: &[String]) -> Result<Vec<i32>, AppError> {
    ins.answers(raw.iter().map(String::as_str)).map_err(|problems| {
        let named: Vec<String> = problems.iter().map(ToString::to_string).collect();
        AppError::Invalid(format!("{INCOMPLETE}{}", named.join("；")))
    })
}

fn response(
    ins: &Instrument,
    round_id: i64,
    student_id: i64,
    answers: Vec<i32>,
    source: &'static str,
    now: DateTime<Utc>,
) -> NewResponse {
    let s = ins.score(&answers);
    NewResponse {
        round_id,
        student_id,
        band_label: ins.band_label(&s).to_string(),
        total: s.total,
        band: s.band,
        attention: s.attention,
        alert: s.alert,
        critical: s.critical,
        answers,
        source,
        due_at: now + Duration::hours(FOLLOW_UP_HOURS),
    }
}

/// Sheets handed in at most in one transaction.
const MAX_BATCH: usize = 500;

struct SheetJob {
    code_hash: String,
    answers: Vec<String>,
    today: NaiveDate,
    now: DateTime<Utc>,
    reply: oneshot::Sender<Result<(), AppError>>,
}

/// Where pupils hand in their sheets: a screening round in a computer room is a burst of
/// submissions, kept by one writer in group commits ([`crate::group_commit`]): one lookup of
/// every code of the batch, one transaction. Cheap to clone.
#[derive(Clone)]
pub struct SheetDesk {
    jobs: mpsc::Sender<Msg<SheetJob>>,
    guard: CodeGuard,
}

impl SheetDesk {
    /// Opens the desk on the runtime in use (one writer task).
    pub fn open(store: Store) -> SheetDesk {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_sheets(store, rx));
        SheetDesk { jobs, guard: CodeGuard::default() }
    }

    /// The sheet a code opens for `client` (its address), counting a wrong code against it.
    pub async fn sheet(
        &self,
        store: &Store,
        code: &str,
        today: NaiveDate,
        now: DateTime<Utc>,
        client: &str,
    ) -> Result<Sheet, AppError> {
        self.guard.check(client, now)?;
        let r = sheet(store, code, today).await;
        if let Err(e) = &r
            && is_bad_code(e)
        {
            self.guard.failed(client, now);
        }
        r
    }

    /// A pupil's answers with a one-time code: checked and scored by the writer, and kept, with
    /// the alert it raises, in its next transaction, before this returns, so the 心理教师 sees the
    /// alert on the next page load. Returns nothing about the result: the pupil's page says
    /// thank you and where help is.
    pub async fn submit(
        &self,
        code: &str,
        answers: &[String],
        today: NaiveDate,
        now: DateTime<Utc>,
        client: &str,
    ) -> Result<(), AppError> {
        self.guard.check(client, now)?;
        let r = self.hand_in(code, answers, today, now).await;
        match &r {
            Ok(()) => self.guard.passed(client),
            Err(e) if is_bad_code(e) => self.guard.failed(client, now),
            Err(_) => {}
        }
        r
    }

    async fn hand_in(
        &self,
        code: &str,
        answers: &[String],
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        well_formed(code)?;
        let (reply, answer) = oneshot::channel();
        let job = SheetJob { code_hash: code_hash(code), answers: answers.to_vec(), today, now, reply };
        let closed = || AppError::Invalid("提交服务正在重启，请稍后再提交".into());
        self.jobs.send(Msg::Job(Box::new(job))).await.map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

/// A job's sheet, checked against what its code opens and scored.
async fn sheet_of(
    store: &Store,
    job: &SheetJob,
    targets: &HashMap<String, CodeTarget>,
    instruments: &mut HashMap<String, Instrument>,
) -> Result<OnlineSheet, AppError> {
    let t = open_target(targets.get(&job.code_hash).cloned(), job.today)?;
    let pupil = t.pupil.ok_or_else(|| AppError::Invalid("你不在本次筛查的学生名单中，请与老师联系".into()))?;
    if !instruments.contains_key(&t.instrument) {
        instruments.insert(t.instrument.clone(), instrument(store, &t.instrument).await?);
    }
    let ins = &instruments[&t.instrument];
    let a = checked(ins, &job.answers)?;
    Ok(OnlineSheet {
        code_hash: job.code_hash.clone(),
        pupil,
        response: response(ins, t.round_id, t.student_id, a, "online", job.now),
    })
}

async fn write_sheets(store: Store, mut rx: mpsc::Receiver<Msg<SheetJob>>) {
    while let Some((batch, settles)) = gather(&mut rx, MAX_BATCH).await {
        let hashes: Vec<&str> = batch.iter().map(|j| j.code_hash.as_str()).collect();
        match store.code_targets(&hashes).await {
            Err(e) => {
                tracing::warn!("screening codes not read: {e}");
                for job in batch {
                    let _ = job.reply.send(Err(not_saved()));
                }
            }
            Ok(targets) => {
                let mut instruments = HashMap::new();
                let mut ready = Vec::new();
                for job in batch {
                    match sheet_of(&store, &job, &targets, &mut instruments).await {
                        Ok(sheet) => ready.push((job, sheet)),
                        Err(e) => {
                            let _ = job.reply.send(Err(e));
                        }
                    }
                }
                keep_sheets(&store, ready).await;
            }
        }
        for tx in settles {
            let _ = tx.send(());
        }
    }
}

/// Keeps the checked sheets of a batch in one transaction and answers each job.
async fn keep_sheets(store: &Store, ready: Vec<(SheetJob, OnlineSheet)>) {
    if ready.is_empty() {
        return;
    }
    let now = ready.iter().map(|(j, _)| j.now).max().unwrap_or_else(Utc::now);
    let sheets: Vec<OnlineSheet> = ready.iter().map(|(_, s)| s.clone()).collect();
    let kept = async {
        let mut tx = store.begin().await?;
        let kept = tx.insert_online_sheets(&sheets, now).await?;
        tx.commit().await?;
        Ok::<_, eduq_store::StoreError>(kept)
    }
    .await;
    match kept {
        Ok(kept) => {
            for ((job, _), k) in ready.into_iter().zip(kept) {
                let _ = job.reply.send(match k {
                    Ok(_) => Ok(()),
                    Err(NotKept::CodeSpent) => Err(code_spent()),
                    Err(NotKept::AlreadyAnswered) => Err(AppError::Invalid("你在本次筛查中已有答卷".into())),
                });
            }
        }
        Err(e) => {
            tracing::warn!("screening sheets not kept: {e}");
            for (job, _) in ready {
                let _ = job.reply.send(Err(not_saved()));
            }
        }
    }
}

/// A paper sheet entered by the 心理教师 for a pupil of the round.
pub async fn enter_paper(
    store: &Store,
    actor: &Actor,
    round_id: i64,
    student_id: i64,
    answers: &[String],
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    if !actor.role.may_write(Resource::Psych) {
        return Err(AppError::Forbidden);
    }
    let round = store.screening_round(actor, round_id).await?;
    let ins = instrument(store, &round.instrument).await?;
    let a = checked(&ins, answers)?;
    let n = response(&ins, round.id, student_id, a, "paper", now);
    let alert = n.alert;
    let mut tx = store.begin().await?;
    tx.insert_response(actor, &n, round.term_id, now).await?;
    tx.commit().await?;
    Ok(alert)
}

/// One row of an aggregate table. Counts under the small-cell threshold are `None` (shown as
/// "<5") below district level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureRow {
    pub label: String,
    pub eligible: i64,
    pub responded: i64,
    pub coverage: f64,
    pub attention: Option<i64>,
    pub bands: Vec<Option<i64>>,
}

/// Follow-up timeliness of alerts: acted on within the deadline, late, still pending.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timeliness {
    pub alerts: usize,
    pub in_time: usize,
    pub late: usize,
    pub pending: usize,
    /// Pending past the deadline.
    pub overdue: usize,
}

impl Timeliness {
    pub fn of(timings: &[AlertTiming], now: DateTime<Utc>) -> Timeliness {
        let mut t = Timeliness { alerts: timings.len(), ..Timeliness::default() };
        for a in timings {
            match a.acted_at {
                Some(at) if at <= a.due_at => t.in_time += 1,
                Some(_) => t.late += 1,
                None => {
                    t.pending += 1;
                    t.overdue += usize::from(a.due_at < now);
                }
            }
        }
        t
    }

    /// Share of alerts due so far that were acted on in time (%), `None` with none due.
    pub fn rate(&self) -> Option<f64> {
        let due = self.in_time + self.late + self.overdue;
        (due > 0).then(|| 100.0 * self.in_time as f64 / due as f64)
    }
}

/// A round as every reader of aggregates sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub band_labels: Vec<String>,
    pub total: FigureRow,
    /// By grade and sex.
    pub groups: Vec<FigureRow>,
    /// By school (the bureau's view of a district round).
    pub schools: Vec<FigureRow>,
    pub timeliness: Timeliness,
}

fn figure_row(label: String, cells: &[&Cell], bands: usize, suppress: bool) -> FigureRow {
    let eligible: i64 = cells.iter().map(|c| c.eligible).sum();
    let responded: i64 = cells.iter().map(|c| c.responded).sum();
    let attention: i64 = cells.iter().map(|c| c.attention).sum();
    let shown = |n: i64| (!suppress || n == 0 || cell_shown(n as usize)).then_some(n);
    let whole = !suppress || cell_shown(responded as usize);
    FigureRow {
        label,
        eligible,
        responded,
        coverage: if eligible > 0 { 100.0 * responded as f64 / eligible as f64 } else { 0.0 },
        attention: if whole { shown(attention) } else { None },
        bands: (0..bands).map(|b| if whole { shown(cells.iter().map(|c| c.bands[b]).sum()) } else { None }).collect(),
    }
}

/// The aggregates of a round in the caller's scope. Below district level (a school's view, and
/// the bureau's table by school) every count under the small-cell threshold is suppressed.
pub async fn figures(store: &Store, actor: &Actor, round: &RoundRow, now: DateTime<Utc>) -> Result<Figures, AppError> {
    let ins = instrument(store, &round.instrument).await?;
    let bands = ins.bands.len();
    let cells = store.round_cells(actor, round, bands).await?;
    let district_level = actor.scope == Scope::District;
    let all: Vec<&Cell> = cells.iter().collect();
    let total = figure_row("合计".into(), &all, bands, !district_level);
    let mut keys: Vec<(i64, String)> = cells.iter().map(|c| (c.grade, c.sex.clone())).collect();
    keys.sort();
    keys.dedup();
    let groups = keys
        .iter()
        .map(|(g, sex)| {
            let of: Vec<&Cell> = cells.iter().filter(|c| c.grade == *g && &c.sex == sex).collect();
            let grade = eduq_core::grade::Grade::new(*g as i8).map_or(String::new(), |g| g.name().to_string());
            let sex = eduq_core::student::Sex::from_key(sex).map_or("", |s| s.label());
            figure_row(format!("{grade} {sex}"), &of, bands, !district_level)
        })
        .collect();
    let mut schools = Vec::new();
    if district_level {
        let names: std::collections::HashMap<i64, String> =
            store.school_options(actor).await?.into_iter().map(|s| (s.id, s.name)).collect();
        let mut ids: Vec<i64> = cells.iter().map(|c| c.school_id).collect();
        ids.dedup();
        for id in ids {
            let of: Vec<&Cell> = cells.iter().filter(|c| c.school_id == id).collect();
            schools.push(figure_row(names.get(&id).cloned().unwrap_or_default(), &of, bands, true));
        }
    }
    let timeliness = Timeliness::of(&store.alert_timings(actor, Some(round.id)).await?, now);
    Ok(Figures { band_labels: ins.bands.iter().map(|b| b.label.clone()).collect(), total, groups, schools, timeliness })
}

/// The alerts of the caller's scope as counts (the home page's reminder).
pub async fn pending(store: &Store, actor: &Actor, now: DateTime<Utc>) -> Result<Timeliness, AppError> {
    Ok(Timeliness::of(&store.alert_timings(actor, None).await?, now))
}

/// A round on the board, with its coverage in the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundLine {
    pub round: RoundRow,
    pub instrument_name: String,
    pub open: bool,
    pub eligible: i64,
    pub responded: i64,
    pub coverage: f64,
}

/// The 心理健康 home of each role: rounds and coverage for all who read aggregates; pending alerts
/// with names and open files for the 心理教师 and 心理教研员; a count for the principal; the
/// attention flags of a 班主任's classes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Board {
    pub rounds: Vec<RoundLine>,
    pub alerts: Vec<AlertRow>,
    pub files: Vec<FileRow>,
    pub pending: Timeliness,
    pub flags: Vec<(i64, String, String)>,
    pub instruments: Vec<(String, String)>,
}

pub async fn board(store: &Store, actor: &Actor, today: NaiveDate, now: DateTime<Utc>) -> Result<Board, AppError> {
    let mut b = Board::default();
    if actor.role.sees_attention_flags() {
        let term_id = crate::training::current_term(store, today).await?;
        b.flags = store.attention_flags(actor, term_id).await?;
        return Ok(b);
    }
    let reads_figures = actor.role.may_read(Resource::PsychFigures);
    if !reads_figures && !actor.role.opens_screening_rounds() {
        return Err(AppError::Forbidden);
    }
    let ins = instruments(store).await?;
    b.instruments = ins.iter().map(|i| (i.key.clone(), i.name.clone())).collect();
    for round in store.screening_rounds(actor, None).await? {
        let (eligible, responded) = if reads_figures {
            let cells = store.round_cells(actor, &round, 0).await?;
            (cells.iter().map(|c| c.eligible).sum(), cells.iter().map(|c| c.responded).sum())
        } else {
            (0, 0)
        };
        b.rounds.push(RoundLine {
            instrument_name: ins
                .iter()
                .find(|i| i.key == round.instrument)
                .map_or(round.instrument.clone(), |i| i.name.clone()),
            open: round.is_open(today),
            coverage: if eligible > 0 { 100.0 * responded as f64 / eligible as f64 } else { 0.0 },
            eligible,
            responded,
            round,
        });
    }
    if reads_figures {
        b.pending = Timeliness::of(&store.alert_timings(actor, None).await?, now);
    }
    if actor.role.may_read(Resource::Psych) {
        b.alerts = store.open_alerts(actor, now).await?;
        b.files =
            store.psych_files(actor, None, None, now).await?.into_iter().filter(|f| f.closed_on.is_none()).collect();
    }
    Ok(b)
}

/// One round's page: aggregates for every reader; the pupils and results for the 心理教师 and
/// 心理教研员 (their read audited).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundView {
    pub round: RoundRow,
    pub instrument: String,
    pub items: Vec<String>,
    pub options: Vec<(i32, String)>,
    pub figures: Figures,
    pub results: Vec<ResultRow>,
    /// Pupils without a sheet yet (for paper entry and code slips).
    pub waiting: Vec<Pupil>,
    pub classes: Vec<(i64, String)>,
}

pub async fn round_view(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<RoundView, AppError> {
    if !actor.role.may_read(Resource::PsychFigures) {
        return Err(AppError::Forbidden);
    }
    let round = store.screening_round(actor, id).await?;
    let ins = instrument(store, &round.instrument).await?;
    let figures = figures(store, actor, &round, now).await?;
    let (mut results, mut waiting, mut classes) = (vec![], vec![], vec![]);
    if actor.role.may_read(Resource::Psych) {
        results = store.round_results(actor, id, now).await?;
        let pupils = store.round_pupils(actor, &round).await?;
        for p in &pupils {
            if !classes.iter().any(|(c, _): &(i64, String)| *c == p.class_id) {
                classes.push((p.class_id, p.class_name.clone()));
            }
        }
        waiting = pupils.into_iter().filter(|p| !p.answered).collect();
    }
    Ok(RoundView {
        instrument: ins.name.clone(),
        items: ins.items.iter().map(|i| i.text.clone()).collect(),
        options: ins.options.clone(),
        round,
        figures,
        results,
        waiting,
        classes,
    })
}

/// The aggregates of a round as a workbook: no row names a pupil (every reader of aggregates).
pub fn figures_workbook(v: &RoundView) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell as X, Sheet, write_workbook};
    let f = &v.figures;
    let row = |r: &FigureRow| {
        let mut cells = vec![
            X::Text(r.label.clone()),
            X::Number(r.eligible as f64),
            X::Number(r.responded as f64),
            X::Number((r.coverage * 10.0).round() / 10.0),
        ];
        for b in &r.bands {
            cells.push(b.map_or(X::Text("<5".into()), |n| X::Number(n as f64)));
        }
        cells.push(r.attention.map_or(X::Text("<5".into()), |n| X::Number(n as f64)));
        cells
    };
    let mut headers: Vec<&str> = vec!["分组", "应测人数", "已测人数", "覆盖率(%)"];
    headers.extend(f.band_labels.iter().map(String::as_str));
    headers.push("需关注");
    let mut by_group: Vec<Vec<X>> = f.groups.iter().map(row).collect();
    by_group.push(row(&f.total));
    let by_school: Vec<Vec<X>> = f.schools.iter().map(row).collect();
    let t = &f.timeliness;
    let timely = vec![vec![
        X::Number(t.alerts as f64),
        X::Number(t.in_time as f64),
        X::Number(t.late as f64),
        X::Number(t.pending as f64),
        X::Number(t.overdue as f64),
    ]];
    let title =
        vec![format!("{}（{}）", v.round.name, v.instrument), "不含任何个人结果；小于5人的格以“<5”表示".to_string()];
    let mut sheets = vec![Sheet { name: "年级性别", title: title.clone(), headers: &headers, rows: &by_group }];
    if !by_school.is_empty() {
        sheets.push(Sheet { name: "学校", title: title.clone(), headers: &headers, rows: &by_school });
    }
    sheets.push(Sheet {
        name: "预警跟进",
        title,
        headers: &["预警数", "按时跟进", "逾期跟进", "待跟进", "待跟进已超时"],
        rows: &timely,
    });
    Ok(write_workbook(&sheets)?)
}

/// Individual results of a round as a workbook: the 心理教师 and 心理教研员 only (audited read).
pub fn results_workbook(v: &RoundView) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell as X, Sheet, write_workbook};
    let rows: Vec<Vec<X>> = v
        .results
        .iter()
        .map(|r| {
            vec![
                X::Text(r.school_name.clone()),
                X::Text(r.class_name.clone()),
                X::Text(r.name.clone()),
                X::Text(r.student_no.clone()),
                X::Number(r.total as f64),
                X::Text(r.band_label.clone()),
                X::Text(if r.attention { "是" } else { "否" }.into()),
                X::Text(r.critical.clone()),
                X::Text(if r.source == "paper" { "纸质录入" } else { "在线" }.into()),
            ]
        })
        .collect();
    Ok(write_workbook(&[Sheet {
        name: "结果",
        title: vec![format!("{}（{}）个人结果：敏感个人信息，仅限心理教师与心理教研员", v.round.name, v.instrument)],
        headers: &["学校", "班级", "姓名", "学籍号", "总分", "等级", "关注", "关键题"],
        rows: &rows,
    }])?)
}

/// Purges item answers older than the retention period (run daily by the server); returns how
/// many. Totals and bands stay.
pub async fn purge_expired(store: &Store, now: DateTime<Utc>) -> Result<u64, AppError> {
    let mut tx = store.begin().await?;
    let n = tx.purge_answers(now - Duration::days(RETENTION_DAYS), now).await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(responded: i64, bands: Vec<i64>, attention: i64) -> Cell {
        Cell { school_id: 1, grade: 7, sex: "M".into(), eligible: 40, responded, attention, bands }
    }

    #[test]
    fn wrong_codes_make_a_client_wait_and_a_sheet_handed_in_clears_it() {
        let g = CodeGuard::default();
        let t0 = DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z").expect("time").with_timezone(&Utc);
        for i in 0..CODE_FAILURES_MAX - 1 {
            assert!(g.check("10.0.0.7", t0).is_ok(), "attempt {i}");
            g.failed("10.0.0.7", t0);
        }
        assert!(g.check("10.0.0.7", t0).is_ok(), "one wrong code short of the limit");
        g.failed("10.0.0.7", t0);
        let e = g.check("10.0.0.7", t0).unwrap_err().to_string();
        assert!(e.contains("请11分钟后再试"), "{e}");
        assert!(g.check("10.0.0.8", t0).is_ok(), "another client is not held up");
        let after = t0 + Duration::minutes(CODE_WAIT_MINUTES);
        assert!(g.check("10.0.0.7", after).is_ok(), "the wait is over");
        g.failed("10.0.0.7", after);
        let e = g.check("10.0.0.7", after).unwrap_err().to_string();
        assert!(e.contains("请21分钟后再试"), "each further wrong code waits longer: {e}");
        let late = after + Duration::minutes(CODE_WAIT_MAX_MINUTES);
        for _ in 0..20 {
            g.failed("10.0.0.7", late);
        }
        assert!(g.check("10.0.0.7", late).unwrap_err().to_string().contains("请121分钟后再试"), "capped");
        g.passed("10.0.0.7");
        assert!(g.check("10.0.0.7", late).is_ok(), "a sheet handed in clears the count");
        g.failed("10.0.0.9", t0);
        let day = t0 + Duration::hours(CODE_FAILURES_KEPT_HOURS);
        for _ in 0..CODE_FAILURES_MAX - 1 {
            g.failed("10.0.0.9", day);
        }
        assert!(g.check("10.0.0.9", day).is_ok(), "a day later the old wrong code is forgotten");
    }

    #[test]
    fn small_cells_are_suppressed_below_district_level_only() {
        let c = cell(30, vec![20, 6, 3, 1, 0], 4);
        let school = figure_row("七年级 男".into(), &[&c], 5, true);
        assert_eq!(school.bands, vec![Some(20), Some(6), None, None, Some(0)]);
        assert_eq!(school.attention, None);
        assert_eq!((school.responded, school.coverage), (30, 75.0));
        let district = figure_row("合计".into(), &[&c], 5, false);
        assert_eq!(district.bands, vec![Some(20), Some(6), Some(3), Some(1), Some(0)]);
        let few = cell(4, vec![4, 0, 0, 0, 0], 0);
        let row = figure_row("x".into(), &[&few], 5, true);
        assert!(row.bands.iter().all(Option::is_none) && row.attention.is_none(), "a group under 5 shows no bands");
    }

    #[test]
    fn timeliness_counts_in_time_late_and_overdue() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).expect("time");
        let h = |n: i64| t0 + Duration::hours(n);
        let a = |due: i64, acted: Option<i64>| AlertTiming { school_id: 1, due_at: h(due), acted_at: acted.map(h) };
        let t = Timeliness::of(&[a(24, Some(2)), a(24, Some(24)), a(24, Some(30)), a(24, None), a(48, None)], h(40));
        assert_eq!((t.alerts, t.in_time, t.late, t.pending, t.overdue), (5, 2, 1, 2, 1));
        assert_eq!(t.rate(), Some(50.0), "2 in time of 4 due");
        assert_eq!(Timeliness::default().rate(), None);
    }

    #[test]
    fn codes_use_the_alphabet_and_typing_variants_hash_alike() {
        let c = new_code();
        assert_eq!(c.len(), CODE_LEN);
        assert!(c.bytes().all(|b| eduq_core::standards::screening::CODE_ALPHABET.contains(&b)));
        assert_eq!(code_hash("abcd-2345"), code_hash("ABCD2345"));
        assert_ne!(new_code(), new_code());
    }
}
