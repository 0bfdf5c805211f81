//! 控辍保学 in the platform: the class teacher's daily roll call and the early-warning list.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::attendance::{Rules, Status, Tally, assess};
use eduq_core::calendar::{Term, age_on};
use eduq_core::dropout::{Factor, RiskInput, Weights, level, risk_score};
use eduq_store::Store;
use eduq_store::attendance::RollEntry;
use serde::Serialize;

use crate::AppError;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollSaved {
    pub absent: usize,
    pub corrections: usize,
    /// New alerts raised for this class's pupils by this roll.
    pub alerts: usize,
}

/// Checks and saves one class's roll for `day`. Refused: a future day, a day outside the term, a
/// pupil not on the class's roll, a pupil twice.
pub async fn take_roll(
    store: &Store,
    actor: &Actor,
    class_id: i64,
    day: NaiveDate,
    entries: &[RollEntry],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RollSaved, AppError> {
    if !actor.role.may_write(Resource::Attendance) {
        return Err(AppError::Forbidden);
    }
    if day > today {
        return Err(AppError::Invalid(format!("不能为未来的日期（{day}）点名")));
    }
    let term = Term::containing(day);
    let (from, to) = term.nominal_bounds();
    let term_id = store.term_id(term).await?.filter(|_| day >= from && day <= to);
    let Some(term_id) = term_id else {
        return Err(AppError::Invalid(format!("{day}不在已有数据的学期内")));
    };
    let class = store.roll_class(actor, class_id).await?;
    let calendar = store.teaching_calendar(class.school_id, from, to).await?;
    if !calendar.is_school_day(day) {
        let why = match calendar.exceptions.get(&day) {
            Some(_) => "校历中的放假日",
            None => "周末",
        };
        return Err(AppError::Invalid(format!("{day}是{why}，不是教学日；调休上课的日子请先在校历中登记")));
    }
    let (pupils, _) = store.roll(actor, class_id, term_id, day).await?;
    let on_roll: HashSet<i64> = pupils.iter().map(|p| p.student_id).collect();
    let mut seen = HashSet::new();
    for e in entries {
        if !on_roll.contains(&e.student_id) {
            return Err(AppError::Invalid(format!("学生（编号{}）不在{}的名单中", e.student_id, class.name)));
        }
        if !seen.insert(e.student_id) {
            return Err(AppError::Invalid(format!("学生（编号{}）在同一天出现了两次", e.student_id)));
        }
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    let corrections = tx.save_roll(actor, district_id, &class, day, entries, now).await?;
    tx.commit().await?;
    let alerts = crate::cases::scan_alerts(store, term, today, Some((class.school_id, class.id)), now).await?;
    Ok(RollSaved { absent: entries.iter().filter(|e| e.status.is_absent()).count(), corrections, alerts })
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
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    let (from, to) = term.nominal_bounds();
    let h = store.attendance_history(actor, term_id, from, today.min(to)).await?;
    let mut flagged = Vec::new();
    for (student, p) in &h.pupils {
        let Some(days) = h.school_days.get(&p.class_id) else { continue };
        let mut days = days.clone();
        days.sort();
        days.dedup();
        let records = h.records.get(student);
        let statuses: Vec<Status> = days
            .iter()
            .map(|d| records.and_then(|r| r.iter().find(|(x, _)| x == d)).map_or(Status::Present, |(_, s)| *s))
            .collect();
        let t = Tally::of(statuses.iter().copied());
        let w = assess(&t, &statuses, rules);
        if w.is_raised() {
            flagged.push((*student, p, statuses, t, w.reasons));
        }
    }
    let with_record_factors = actor.role.reads_special_groups();
    let flags = if with_record_factors && !flagged.is_empty() {
        let ids: Vec<i64> = flagged.iter().map(|f| f.0).collect();
        store.special_flags_of(actor, &ids, "attendance_risk_list", now).await?
    } else {
        Default::default()
    };
    let weights = Weights::default();
    let age_day = NaiveDate::from_ymd_opt(term.start_year, 8, 31).unwrap_or(from);
    let mut out: Vec<RiskRow> = flagged
        .into_iter()
        .map(|(student, p, statuses, t, reasons)| {
            let over_age = (1..=9).contains(&p.grade).then(|| age_on(p.birth_date, age_day) - (p.grade as i32 + 5));
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
