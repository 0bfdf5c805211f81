//! The desk where class teachers hand in the day's roll. At 8:00 a district's classes submit
//! within moments of each other; one writer takes whatever has arrived and checks and saves it
//! in one transaction (group commit), so a burst costs a handful of statements instead of a
//! transaction per class queueing on the database's single write lock. The warning scan that a
//! roll may trigger runs after the burst, off the teacher's request.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::Term;
use eduq_store::attendance::{RollClass, RollSave};
use eduq_store::{Store, StoreError};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use crate::AppError;

/// Rolls taken into one transaction at most (a district's 8:00 burst fits in one or two).
const MAX_BATCH: usize = 500;
/// The warning scan waits for the burst to pass: this long without a new roll …
const SCAN_QUIET: Duration = Duration::from_millis(300);
/// … but never longer than this after the first roll it has not scanned.
const SCAN_AT_MOST: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollSaved {
    pub class_name: String,
    pub absent: usize,
    pub corrections: usize,
}

struct Job {
    actor: Actor,
    class_id: i64,
    day: NaiveDate,
    entries: Vec<RollEntry>,
    today: NaiveDate,
    now: DateTime<Utc>,
    reply: oneshot::Sender<Result<RollSaved, AppError>>,
}

/// A roll, or a request answered once every roll handed in before it is saved and scanned.
type Msg = crate::group_commit::Msg<Job>;

/// A class whose pupils' warnings must be recomputed, with the clock of the roll that touched it.
struct Touched {
    school_id: i64,
    class_id: i64,
    today: NaiveDate,
    now: DateTime<Utc>,
}

enum ScanMsg {
    Touched(Vec<Touched>),
    Settle(oneshot::Sender<()>),
}

/// A handle on the desk; cheap to clone. Dropping every handle stops the writer once its queue
/// is empty.
#[derive(Clone)]
pub struct RollDesk {
    jobs: mpsc::Sender<Msg>,
}

impl RollDesk {
    /// Opens the desk on the runtime in use: one writer task and one warning-scan task.
    pub fn open(store: Store) -> RollDesk {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        let (scans, scan_rx) = mpsc::unbounded_channel();
        tokio::spawn(write_loop(store.clone(), rx, scans));
        tokio::spawn(scan_loop(store, scan_rx));
        RollDesk { jobs }
    }

    /// Checks and saves one class's roll for `day`. Refused: a future day, a day outside the
    /// term or not a teaching day, a class outside the caller's scope, a pupil not on the
    /// class's roll, a pupil twice. Alerts the roll raises follow within seconds.
    pub async fn take_roll(
        &self,
        actor: &Actor,
        class_id: i64,
        day: NaiveDate,
        entries: Vec<RollEntry>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<RollSaved, AppError> {
        if !actor.role.may_write(Resource::Attendance) {
            return Err(AppError::Forbidden);
        }
        if day > today {
            return Err(AppError::Invalid(format!("不能为未来的日期（{day}）点名")));
        }
        let mut seen = HashSet::new();
        if let Some(twice) = entries.iter().find(|e| !seen.insert(e.student_id)) {
            return Err(AppError::Invalid(format!("学生（编号{}）在同一天出现了两次", twice.student_id)));
        }
        let (reply, answer) = oneshot::channel();
        let job = Job { actor: actor.clone(), class_id, day, entries, today, now, reply };
        self.jobs.send(Msg::Job(Box::new(job))).await.map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    /// Waits until every roll handed in so far is saved and its warnings scanned (the demo, tests,
    /// benchmarks between mornings).
    pub async fn settle(&self) {
        let (tx, rx) = oneshot::channel();
        if self.jobs.send(Msg::Settle(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

fn closed() -> AppError {
    AppError::Invalid("点名服务正在重启，请稍后再提交".into())
}

/// What the writer has learnt and that never changes once held: the district and the ids of the
/// terms (a term row is never deleted), so that a batch spends no round trips on them.
#[derive(Default)]
struct Known {
    district_id: Option<i64>,
    terms: HashMap<Term, i64>,
}

async fn write_loop(store: Store, mut rx: mpsc::Receiver<Msg>, scans: mpsc::UnboundedSender<ScanMsg>) {
    let mut known = Known::default();
    while let Some((batch, settles)) = crate::group_commit::gather(&mut rx, MAX_BATCH).await {
        if !batch.is_empty() {
            let touched = save_batch(&store, &mut known, batch).await;
            if !touched.is_empty() {
                let _ = scans.send(ScanMsg::Touched(touched));
            }
        }
        for tx in settles {
            let _ = scans.send(ScanMsg::Settle(tx));
        }
    }
}

/// Checks every roll of the batch, saves the valid ones in one transaction and answers each.
/// Returns the classes saved.
async fn save_batch(store: &Store, known: &mut Known, batch: Vec<Job>) -> Vec<Touched> {
    let mut answers: Vec<Option<Result<RollSaved, AppError>>> = (0..batch.len()).map(|_| None).collect();
    let result = async {
        let district_id = match known.district_id {
            Some(id) => id,
            None => *known.district_id.insert(store.district().await?.0),
        };
        // Term of each roll's day, checked against the terms held.
        let mut terms: HashMap<Term, Option<i64>> = HashMap::new();
        for j in &batch {
            let term = Term::containing(j.day);
            if let std::collections::hash_map::Entry::Vacant(e) = terms.entry(term) {
                let id = match known.terms.get(&term) {
                    Some(&id) => Some(id),
                    None => store.term_id(term).await?,
                };
                if let Some(id) = id {
                    known.terms.insert(term, id);
                }
                e.insert(id);
            }
        }
        // The checks read outside the write transaction, rosters and classes at once (two
        // connections), so that the database's single write lock is held for the writes alone.
        let asked: Vec<(&Actor, i64)> = batch.iter().map(|j| (&j.actor, j.class_id)).collect();
        let mut requested: BTreeMap<Term, BTreeSet<i64>> = BTreeMap::new();
        for j in &batch {
            requested.entry(Term::containing(j.day)).or_default().insert(j.class_id);
        }
        let rosters_of = async {
            let mut rosters = HashMap::new();
            for (term, ids) in &requested {
                if let Some(Some(term_id)) = terms.get(term) {
                    let ids: Vec<i64> = ids.iter().copied().collect();
                    rosters.insert(*term, store.system().class_rosters(*term_id, &ids).await?);
                }
            }
            Ok::<_, StoreError>(rosters)
        };
        let (classes, rosters) = tokio::join!(store.roll_classes(&asked), rosters_of);
        let (classes, rosters) = (classes?, rosters?);
        let mut wanted: BTreeMap<Term, BTreeSet<i64>> = BTreeMap::new();
        for (j, c) in batch.iter().zip(&classes) {
            if let Ok(c) = c {
                wanted.entry(Term::containing(j.day)).or_default().insert(c.school_id);
            }
        }
        let mut calendars = HashMap::new();
        for (term, schools) in &wanted {
            let (from, to) = term.nominal_bounds();
            let schools: Vec<i64> = schools.iter().copied().collect();
            calendars.insert(*term, store.teaching_calendars(&schools, from, to).await?);
        }
        let mut saves = Vec::new();
        let mut saved_at = Vec::new();
        for (k, (j, c)) in batch.iter().zip(&classes).enumerate() {
            let term = Term::containing(j.day);
            let verdict = check(j, c, term, terms.get(&term).copied().flatten(), &calendars, &rosters);
            match verdict {
                Ok(class) => {
                    saves.push(RollSave { actor: &j.actor, class, day: j.day, entries: &j.entries });
                    saved_at.push(k);
                }
                Err(e) => answers[k] = Some(Err(e)),
            }
        }
        let mut tx = store.begin().await?;
        let corrections = tx.save_rolls(district_id, &saves, batch[0].now).await?;
        tx.commit().await?;
        let mut touched = Vec::new();
        for ((k, n), save) in saved_at.into_iter().zip(corrections).zip(&saves) {
            let j = &batch[k];
            answers[k] = Some(Ok(RollSaved {
                class_name: save.class.name.clone(),
                absent: j.entries.iter().filter(|e| e.status.is_absent()).count(),
                corrections: n,
            }));
            touched.push(Touched {
                school_id: save.class.school_id,
                class_id: save.class.id,
                today: j.today,
                now: j.now,
            });
        }
        Ok::<_, AppError>(touched)
    }
    .await;
    let touched = match result {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("roll batch of {} failed: {e}", batch.len());
            let why = e.to_string();
            for a in answers.iter_mut().filter(|a| a.is_none()) {
                *a = Some(Err(AppError::Invalid(format!("保存失败，请重新提交（{why}）"))));
            }
            Vec::new()
        }
    };
    for (j, a) in batch.into_iter().zip(answers) {
        let _ = j.reply.send(a.unwrap_or_else(|| Err(closed())));
    }
    touched
}

/// One roll against its class, term, calendar and roster.
fn check<'a>(
    j: &Job,
    class: &'a Result<RollClass, StoreError>,
    term: Term,
    term_id: Option<i64>,
    calendars: &HashMap<Term, HashMap<i64, eduq_core::calendar::TeachingCalendar>>,
    rosters: &HashMap<Term, HashMap<i64, HashSet<i64>>>,
) -> Result<&'a RollClass, AppError> {
    let class = class.as_ref().map_err(|_| AppError::Forbidden)?;
    let (from, to) = term.nominal_bounds();
    if term_id.is_none() || j.day < from || j.day > to {
        return Err(AppError::Invalid(format!("{}不在已有数据的学期内", j.day)));
    }
    let calendar = calendars.get(&term).and_then(|c| c.get(&class.school_id));
    if !calendar.is_some_and(|c| c.is_school_day(j.day)) {
        let why = match calendar.and_then(|c| c.exceptions.get(&j.day)) {
            Some(_) => "校历中的放假日",
            None => "周末",
        };
        return Err(AppError::Invalid(format!("{}是{why}，不是教学日；调休上课的日子请先在校历中登记", j.day)));
    }
    let empty = HashSet::new();
    let roster = rosters.get(&term).and_then(|r| r.get(&class.id)).unwrap_or(&empty);
    if let Some(e) = j.entries.iter().find(|e| !roster.contains(&e.student_id)) {
        return Err(AppError::Invalid(format!("学生（编号{}）不在{}的名单中", e.student_id, class.name)));
    }
    Ok(class)
}

/// Recomputes the warnings of the classes rolls touched, once a burst has passed.
async fn scan_loop(store: Store, mut rx: mpsc::UnboundedReceiver<ScanMsg>) {
    let mut pending: Vec<Touched> = Vec::new();
    let mut first_at = tokio::time::Instant::now();
    loop {
        let msg = if pending.is_empty() {
            rx.recv().await
        } else {
            let deadline = (first_at + SCAN_AT_MOST).min(tokio::time::Instant::now() + SCAN_QUIET);
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(m) => m,
                Err(_) => {
                    scan(&store, std::mem::take(&mut pending)).await;
                    continue;
                }
            }
        };
        match msg {
            Some(ScanMsg::Touched(t)) => {
                if pending.is_empty() {
                    first_at = tokio::time::Instant::now();
                }
                pending.extend(t);
            }
            Some(ScanMsg::Settle(tx)) => {
                scan(&store, std::mem::take(&mut pending)).await;
                let _ = tx.send(());
            }
            None => {
                scan(&store, std::mem::take(&mut pending)).await;
                return;
            }
        }
    }
}

/// One warning scan per school over its touched classes, with the latest clock seen.
async fn scan(store: &Store, touched: Vec<Touched>) {
    let mut by_school: BTreeMap<i64, (BTreeSet<i64>, NaiveDate, DateTime<Utc>)> = BTreeMap::new();
    for t in touched {
        let e = by_school.entry(t.school_id).or_insert((BTreeSet::new(), t.today, t.now));
        e.0.insert(t.class_id);
        e.1 = e.1.max(t.today);
        e.2 = e.2.max(t.now);
    }
    for (school_id, (classes, today, now)) in by_school {
        let classes: Vec<i64> = classes.into_iter().collect();
        if let Err(e) =
            crate::alerts::scan_alerts(store, Term::containing(today), today, Some((school_id, classes)), now).await
        {
            tracing::error!("warning scan of school {school_id} failed: {e}");
        }
    }
}

pub use eduq_store::attendance::{RollEntry, RollPupil, RollState};

/// A class's roll sheet for a day: the class, its pupils with the status held and who took the
/// roll (None if not yet taken).
pub async fn roll_sheet(
    store: &Store,
    actor: &Actor,
    class_id: i64,
    date: NaiveDate,
) -> Result<(RollClass, Vec<RollPupil>, Option<String>), AppError> {
    if !actor.role.may_read(Resource::Attendance) {
        return Err(AppError::Forbidden);
    }
    let class = store.roll_class(actor, class_id).await?;
    let term = Term::containing(date);
    let term_id = store.term_id(term).await?.ok_or(AppError::NotFound)?;
    let (pupils, taken) = store.roll(actor, class_id, term_id, date).await?;
    Ok((class, pupils, taken))
}

/// Every class in the caller's scope with whether its roll of `date` was taken.
pub async fn roll_states(store: &Store, actor: &Actor, date: NaiveDate) -> Result<Vec<RollState>, AppError> {
    if !actor.role.may_read(Resource::Attendance) {
        return Err(AppError::Forbidden);
    }
    let term = Term::containing(date);
    Ok(match store.term_id(term).await? {
        Some(tid) => store.roll_states(actor, tid, term.start_year, date).await?,
        None => vec![],
    })
}
