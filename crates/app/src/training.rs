//! Teachers' training hours: completion records imported from training platforms, and each
//! teacher's standing in the five-year cycle ([`eduq_core::training`]) with the completion rate by
//! school and for the caller's scope.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::Term;
use eduq_core::training::{Cycle, CycleRules, Progress, completion_rate, progress};
use eduq_exchange::RowError;
use eduq_store::Store;
use eduq_store::training::NewTraining;
use serde::Serialize;

use crate::AppError;
use crate::imports::Imported;

/// The first year of the district's cycles (2021–2025, 2026–2030, …): configuration.
pub const CYCLE_ORIGIN: i32 = 2021;

/// Imports completion records: each row's 工号 must name a teacher of the caller's schools this
/// term, with the same name; every bad row is named, then all rows land in one transaction or none.
/// A record already held (same 工号, course, day and hours) changes nothing.
pub async fn import_records(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Imported, AppError> {
    if !actor.role.may_write(Resource::Teachers) {
        return Err(AppError::Forbidden);
    }
    let table = crate::parsing::read_upload(actor.user_id, bytes, file_name).await?;
    let lines = eduq_exchange::training::read_training_lines(&table)?;
    let term_id = current_term(store, today).await?;
    let staff: HashMap<String, eduq_store::training::StaffMember> =
        store.staff(actor, term_id).await?.into_iter().map(|m| (m.staff_no.clone(), m)).collect();
    let mut errors = Vec::new();
    let mut ready = Vec::new();
    for l in &lines {
        let fail = |column: &str, value: &str, message: String| RowError {
            row: l.row,
            column: column.into(),
            value: value.into(),
            message,
        };
        match staff.get(&l.staff_no) {
            None => errors.push(fail("工号", &l.staff_no, "不是您管理范围内本学期在岗的教师".into())),
            Some(m) if m.name != l.name => {
                errors.push(fail("姓名", &l.name, format!("与工号{}的教师姓名“{}”不一致", l.staff_no, m.name)))
            }
            Some(_) if l.day > today => errors.push(fail("完成日期", &l.day.to_string(), "晚于今天".into())),
            Some(m) => ready.push((l, m)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    let (district_id, _) = store.district().await?;
    let keyed: Vec<(String, _)> = ready
        .into_iter()
        .map(|(l, m)| (eduq_core::training::record_key(&l.staff_no, &l.course, l.day, l.hours), (l, m)))
        .collect();
    let keys: Vec<String> = keyed.iter().map(|(k, _)| k.clone()).collect();
    let mut held = store.system().training_keys_held(district_id, &keys).await?;
    let mut done = Imported::default();
    let mut tx = store.begin().await?;
    for (key, (l, m)) in keyed {
        if !held.insert(key.clone()) {
            done.unchanged += 1;
            continue;
        }
        let new = NewTraining {
            district_id,
            school_id: m.school_id,
            teacher_id: m.teacher_id,
            course: l.course.clone(),
            level: l.level,
            mode: l.mode,
            ethics: l.ethics,
            hours: l.hours,
            day: l.day,
            provider: l.provider.clone(),
            source_key: key,
        };
        tx.insert_training(actor, &new, now).await?;
        done.added += 1;
    }
    tx.audit(actor, now, "training_import", file_name, &format!("新增{}条，已存在{}条", done.added, done.unchanged))
        .await?;
    tx.commit().await?;
    Ok(done)
}

async fn current_term(store: &Store, today: NaiveDate) -> Result<i64, AppError> {
    let term = Term::containing(today);
    store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))
}

/// One teacher's standing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeacherHours {
    pub teacher_id: i64,
    pub school_id: i64,
    pub staff_no: String,
    pub name: String,
    pub school_name: String,
    pub progress: Progress,
}

/// A school's line of the completion table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolHours {
    pub school_id: i64,
    pub school_name: String,
    pub teachers: usize,
    pub complete: usize,
    pub behind: usize,
    pub rate: Option<f64>,
}

/// The cycle's standing of the caller's teachers on `today`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ledger {
    pub cycle: Cycle,
    pub rules: CycleRules,
    pub rate: Option<f64>,
    pub schools: Vec<SchoolHours>,
    pub teachers: Vec<TeacherHours>,
}

/// Every teacher of the caller's scope this term with their cycle's hours (national rules).
pub async fn ledger(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Ledger, AppError> {
    if !actor.role.may_read(Resource::Teachers) {
        return Err(AppError::Forbidden);
    }
    let rules = CycleRules::national();
    let cycle = Cycle::containing(today, CYCLE_ORIGIN, rules.years);
    let term_id = current_term(store, today).await?;
    let records = store.training_records(actor, term_id, cycle.start()).await?;
    let teachers: Vec<TeacherHours> = store
        .staff(actor, term_id)
        .await?
        .into_iter()
        .map(|m| TeacherHours {
            progress: progress(&rules, cycle, records.get(&m.teacher_id).map_or(&[][..], Vec::as_slice), today),
            teacher_id: m.teacher_id,
            school_id: m.school_id,
            staff_no: m.staff_no,
            name: m.name,
            school_name: m.school_name,
        })
        .collect();
    let mut by_school: BTreeMap<(String, i64), Vec<&TeacherHours>> = BTreeMap::new();
    for t in &teachers {
        by_school.entry((t.school_name.clone(), t.school_id)).or_default().push(t);
    }
    let schools = by_school
        .into_iter()
        .map(|((school_name, school_id), ts)| SchoolHours {
            school_id,
            teachers: ts.len(),
            complete: ts.iter().filter(|t| t.progress.complete).count(),
            behind: ts.iter().filter(|t| t.progress.behind).count(),
            rate: completion_rate(ts.iter().map(|t| &t.progress)),
            school_name,
        })
        .collect();
    Ok(Ledger { rate: completion_rate(teachers.iter().map(|t| &t.progress)), cycle, rules, schools, teachers })
}
