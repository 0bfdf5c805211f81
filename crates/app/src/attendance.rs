//! 控辍保学 in the platform: the class teacher's daily roll call and the early-warning list.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::Actor;
use eduq_core::attendance::Status;
use eduq_core::calendar::Term;
use eduq_store::Store;
use eduq_store::attendance::{RollClass, RollEntry, RollSave};
use serde::Serialize;

use crate::AppError;

/// Pupils on roll in scope by 学籍号.
type Roster = std::collections::HashMap<String, eduq_store::fitness::RollEntry>;

/// What an attendance import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AttendanceImport {
    pub rows: usize,
    /// Class-days in the file; those whose stored roll differed were written.
    pub class_days: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub corrections: usize,
}

/// Applies a school's own attendance export (学籍号, 日期, 状态, 备注): every (class, day) in the
/// file becomes that class's roll for the day, pupils not listed counting as present. Every row is
/// checked first (pupil on roll in the caller's scope that term, no future day, a teaching day of
/// the school's calendar); any error applies nothing. Class-days equal to what is stored are left
/// alone, so importing the same file again changes nothing.
pub async fn import_attendance(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<AttendanceImport, AppError> {
    use eduq_exchange::RowError;
    use std::collections::{BTreeMap, HashMap};
    if !actor.role.may_import_attendance() {
        return Err(AppError::Forbidden);
    }
    let table = crate::parsing::read_upload(actor.user_id, bytes, file_name).await?;
    let (records, mut errors) = eduq_exchange::attendance::parse_day_records(&table)?;
    let fail = |errors: &mut Vec<RowError>, row, column: &str, value: String, message: String| {
        errors.push(RowError { row, column: column.into(), value, message })
    };
    // Per term: pupils on roll in scope, class rosters, calendars by school.
    let mut rosters: HashMap<Term, Option<(i64, Roster)>> = HashMap::new();
    let mut calendars: HashMap<(Term, i64), eduq_core::calendar::TeachingCalendar> = HashMap::new();
    // (term id, class, school, day) → listed (student, status, note)
    let mut days: BTreeMap<(i64, i64, i64, NaiveDate), Vec<RollEntry>> = BTreeMap::new();
    for r in &records {
        if r.day > today {
            fail(&mut errors, r.row, "日期", r.day.to_string(), "是未来的日期".into());
            continue;
        }
        let term = Term::containing(r.day);
        if let std::collections::hash_map::Entry::Vacant(e) = rosters.entry(term) {
            e.insert(match store.term_id(term).await? {
                Some(id) => Some((id, store.roll_by_number(actor, id).await?)),
                None => None,
            });
        }
        let Some((term_id, roster)) = rosters.get(&term).and_then(Option::as_ref) else {
            fail(&mut errors, r.row, "日期", r.day.to_string(), format!("所在的{}没有学籍数据", term.label()));
            continue;
        };
        let Some(p) = roster.get(&r.student_no) else {
            fail(
                &mut errors,
                r.row,
                "学籍号",
                r.student_no.clone(),
                format!("不是您管理范围内{}的在籍学生", term.label()),
            );
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(e) = calendars.entry((term, p.school_id)) {
            let (from, to) = term.nominal_bounds();
            e.insert(store.teaching_calendar(Some(p.school_id), from, to).await?);
        }
        if !calendars[&(term, p.school_id)].is_school_day(r.day) {
            fail(&mut errors, r.row, "日期", r.day.to_string(), "不是教学日（周末或校历中的放假日）".into());
            continue;
        }
        days.entry((*term_id, p.class_id, p.school_id, r.day)).or_default().push(RollEntry {
            student_id: p.student_id,
            status: r.status,
            note: r.note.trim().to_string(),
        });
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(AppError::Rows(errors));
    }
    // Full class rolls: pupils not listed are present.
    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    for (_, roster) in rosters.values().flatten() {
        for p in roster.values() {
            members.entry(p.class_id).or_default().push(p.student_id);
        }
    }
    let class_ids: Vec<i64> = days.keys().map(|k| k.1).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let (from, to) = match (days.keys().map(|k| k.3).min(), days.keys().map(|k| k.3).max()) {
        (Some(a), Some(b)) => (a, b),
        _ => return Ok(AttendanceImport { rows: records.len(), ..Default::default() }),
    };
    let stored = store.system().class_days(&class_ids, from, to).await?;
    let (district_id, _) = store.district().await?;
    let mut report = AttendanceImport { rows: records.len(), class_days: days.len(), ..Default::default() };
    let mut changed = Vec::new();
    for ((_, class_id, school_id, day), listed) in &days {
        let mut full: Vec<RollEntry> = members
            .get(class_id)
            .into_iter()
            .flatten()
            .filter(|id| !listed.iter().any(|e| e.student_id == **id))
            .map(|&student_id| RollEntry { student_id, status: Status::Present, note: String::new() })
            .collect();
        full.extend(listed.iter().cloned());
        let mut wanted: Vec<(i64, Status, String)> = full
            .iter()
            .filter(|e| e.status != Status::Present || !e.note.is_empty())
            .map(|e| (e.student_id, e.status, e.note.clone()))
            .collect();
        wanted.sort_by_key(|w| w.0);
        let mut have = stored.records.get(&(*class_id, *day)).cloned().unwrap_or_default();
        have.sort_by_key(|w| w.0);
        if stored.taken.contains(&(*class_id, *day)) && have == wanted {
            report.unchanged += 1;
            continue;
        }
        let class = RollClass { id: *class_id, school_id: *school_id, school_name: String::new(), name: String::new() };
        changed.push((class, *day, full));
    }
    let saves: Vec<RollSave> =
        changed.iter().map(|(class, day, entries)| RollSave { actor, class, day: *day, entries }).collect();
    let mut tx = store.begin().await?;
    report.corrections = tx.save_rolls(district_id, &saves, now).await?.into_iter().sum();
    report.changed = saves.len();
    tx.audit(actor, now, "attendance_import", file_name, &format!("{}行，{}个班级日", report.rows, report.changed))
        .await?;
    tx.commit().await?;
    if report.changed > 0 {
        crate::alerts::scan_alerts(store, Term::containing(today), today, None, now).await?;
    }
    Ok(report)
}
