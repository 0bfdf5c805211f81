//! The early-warning list of 控辍保学 and the alerts it raises for class teachers and principals.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource, Role, Scope};
use eduq_core::attendance::{Rules, Status, Tally, assess};
use eduq_core::calendar::{Term, age_on};
use eduq_core::dropout::{Factor, RiskInput, Weights, level, risk_score};
use eduq_store::Store;
use serde::Serialize;

use crate::AppError;

/// The rules that raise alerts (the warning list's defaults).
pub fn alert_rules() -> Rules {
    Rules { recent_truant: Some(5), ..Rules::default() }
}

/// Raises an alert for every pupil who now crosses a threshold and is not already followed (an
/// unhandled alert or an open case). `class` limits the scan to one class, as after its roll.
pub async fn scan_alerts(
    store: &Store,
    term: Term,
    today: NaiveDate,
    classes: Option<(i64, Vec<i64>)>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let Some(term_id) = store.term_id(term).await? else { return Ok(0) };
    // An internal reader without special-group rights: alerts rest on attendance alone.
    let scanner = Actor {
        user_id: 0,
        username: "system".into(),
        display_name: "系统".into(),
        role: Role::Leader,
        scope: match classes {
            Some((school_id, class_ids)) => Scope::Classes { school_id, class_ids },
            None => Scope::District,
        },
    };
    let list = risk_list(store, &scanner, term, today, &alert_rules(), now).await?;
    let followed = store.system().followed_pupils(term_id).await?;
    let new: Vec<(i64, i64, i64, String)> = list
        .rows
        .iter()
        .filter(|r| !followed.contains(&r.student_id))
        .map(|r| (r.school_id, r.class_id, r.student_id, r.reasons.join("；")))
        .collect();
    if new.is_empty() {
        return Ok(0);
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.raise_alerts(district_id, term_id, today, &new).await?;
    tx.commit().await?;
    Ok(new.len())
}

/// The class teacher or principal has seen an alert and acts without a case (e.g. the pupil was
/// ill and the parents called): a note is required.
pub async fn dismiss_alert(
    store: &Store,
    actor: &Actor,
    alert_id: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.may_write(Resource::Attendance) {
        return Err(AppError::Forbidden);
    }
    if note.trim().is_empty() {
        return Err(AppError::Invalid("请写明处理情况（如已联系家长、病假补手续）".into()));
    }
    let mut tx = store.begin().await?;
    tx.handle_alert(actor, alert_id, "seen", note.trim(), None, now).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskRow {
    pub student_id: i64,
    pub name: String,
    pub school_id: i64,
    pub class_id: i64,
    pub class_name: String,
    pub school_name: String,
    pub days: u32,
    pub absent: u32,
    pub truant: u32,
    pub longest_streak: u32,
    pub current_streak: u32,
    pub reasons: Vec<String>,
    /// Explainable score (0–100) and its factors; record factors only for roles that read them.
    pub score: u32,
    pub level: &'static str,
    pub factors: Vec<Factor>,
}

/// The warning list and whether its scores include the record factors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskList {
    pub rows: Vec<RiskRow>,
    pub with_record_factors: bool,
}

/// A pupil the rules flag, before the record factors are added to the score.
#[derive(Debug, Clone)]
struct Flagged {
    student: i64,
    pupil: eduq_store::attendance::PupilInfo,
    statuses: Vec<Status>,
    tally: Tally,
    reasons: Vec<String>,
}

/// The attendance part of the warning list: the term's roll calls read and assessed once per
/// reader and day until the next write (0.4 s for the district each time before), while the record
/// factors are read, and audited, at each request.
async fn flagged_pupils(
    store: &Store,
    actor: &Actor,
    term: Term,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Vec<Flagged>, AppError> {
    let key = format!("risk|{}|{}|{today}|{rules:?}", eduq_store::reader_key(actor), term.key());
    store
        .memoised(&key, async {
            let term_id =
                store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
            let (from, to) = term.nominal_bounds();
            let mut h = store.attendance_history(actor, term_id, from, today.min(to)).await?;
            // Each class's days in order once, not once per pupil.
            for days in h.school_days.values_mut() {
                days.sort_unstable();
                days.dedup();
            }
            let mut flagged = Vec::new();
            for (student, p) in &h.pupils {
                // Warnings concern compulsory education only (幼儿园 and 高中 take the roll, no 控辍保学).
                if !eduq_core::grade::Grade::is_compulsory_number(p.grade as i8) {
                    continue;
                }
                let Some(days) = h.school_days.get(&p.class_id) else { continue };
                let records = h.records.get(student);
                let statuses: Vec<Status> = days
                    .iter()
                    .map(|d| records.and_then(|r| r.iter().find(|(x, _)| x == d)).map_or(Status::Present, |(_, s)| *s))
                    .collect();
                let tally = Tally::of(statuses.iter().copied());
                let w = assess(&tally, &statuses, rules);
                if w.is_raised() {
                    flagged.push(Flagged { student: *student, pupil: p.clone(), statuses, tally, reasons: w.reasons });
                }
            }
            Ok(flagged)
        })
        .await
}

/// Pupils in scope whom the rules flag, over the school days of this term so far (the days their
/// class took the roll), highest score first. Roles that read special groups get the record
/// factors (留守, 低保, …) in the score; that read is audited.
pub async fn risk_list(
    store: &Store,
    actor: &Actor,
    term: Term,
    today: NaiveDate,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<RiskList, AppError> {
    if !actor.role.may_read(Resource::Attendance) {
        return Err(AppError::Forbidden);
    }
    let flagged = flagged_pupils(store, actor, term, today, rules).await?;
    let with_record_factors = actor.role.reads_special_groups();
    let flags = if with_record_factors && !flagged.is_empty() {
        let ids: Vec<i64> = flagged.iter().map(|f| f.student).collect();
        store.special_flags_of(actor, &ids, "attendance_risk_list", now).await?
    } else {
        Default::default()
    };
    let weights = Weights::default();
    let age_day = NaiveDate::from_ymd_opt(term.start_year, 8, 31).unwrap_or(term.nominal_bounds().0);
    let mut out: Vec<RiskRow> = flagged
        .into_iter()
        .map(|Flagged { student, pupil: p, statuses, tally: t, reasons }| {
            let over_age = eduq_core::grade::Grade::new(p.grade as i8)
                .filter(|g| eduq_core::grade::Grade::is_compulsory_number(g.number()))
                .map(|g| age_on(p.birth_date, age_day) - eduq_core::standards::enrolment_age::nominal_age(g));
            let input = RiskInput {
                statuses: &statuses,
                streak_threshold: rules.streak,
                flags: flags.get(&student).copied(),
                years_over_age: over_age,
            };
            let (score, factors) = risk_score(&input, &weights);
            RiskRow {
                student_id: student,
                name: p.name.clone(),
                school_id: p.school_id,
                class_id: p.class_id,
                class_name: p.class_name.clone(),
                school_name: p.school_name.clone(),
                days: t.days,
                absent: t.absent,
                truant: t.truant,
                longest_streak: t.longest_streak,
                current_streak: t.current_streak,
                reasons,
                score,
                level: level(score),
                factors,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (b.score, b.current_streak, b.truant)
            .cmp(&(a.score, a.current_streak, a.truant))
            .then(a.student_id.cmp(&b.student_id))
    });
    Ok(RiskList { rows: out, with_record_factors })
}

pub use eduq_store::alerts::AlertRow;

/// The alerts of the caller's scope that nobody has acted on yet.
pub async fn open_alerts(store: &Store, actor: &Actor) -> Result<Vec<AlertRow>, AppError> {
    Ok(store.alerts(actor, true).await?)
}
