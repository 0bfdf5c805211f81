//! 控辍保学 in the platform: the class teacher's daily roll call and the early-warning list.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::attendance::{Rules, Status, Tally, assess};
use eduq_core::calendar::Term;
use eduq_store::Store;
use eduq_store::attendance::RollEntry;
use serde::Serialize;

use crate::AppError;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollSaved {
    pub absent: usize,
    pub corrections: usize,
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
    Ok(RollSaved { absent: entries.iter().filter(|e| e.status.is_absent()).count(), corrections })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskRow {
    pub student_id: i64,
    pub name: String,
    pub class_name: String,
    pub school_name: String,
    pub days: u32,
    pub absent: u32,
    pub truant: u32,
    pub longest_streak: u32,
    pub current_streak: u32,
    pub reasons: Vec<String>,
}

/// Pupils in scope whom the rules flag, over the school days of this term so far (the days their
/// class took the roll), most urgent first.
pub async fn risk_list(
    store: &Store,
    actor: &Actor,
    term: Term,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Vec<RiskRow>, AppError> {
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    let (from, to) = term.nominal_bounds();
    let h = store.attendance_history(actor, term_id, from, today.min(to)).await?;
    let mut out = Vec::new();
    for (student, (name, class_id, class_name, school_name)) in &h.pupils {
        let Some(days) = h.school_days.get(class_id) else { continue };
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
            out.push(RiskRow {
                student_id: *student,
                name: name.clone(),
                class_name: class_name.clone(),
                school_name: school_name.clone(),
                days: t.days,
                absent: t.absent,
                truant: t.truant,
                longest_streak: t.longest_streak,
                current_streak: t.current_streak,
                reasons: w.reasons,
            });
        }
    }
    out.sort_by(|a, b| {
        (b.current_streak, b.longest_streak, b.truant)
            .cmp(&(a.current_streak, a.longest_streak, a.truant))
            .then(a.student_id.cmp(&b.student_id))
    });
    Ok(out)
}
