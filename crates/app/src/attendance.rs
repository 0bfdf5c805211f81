//! 控辍保学 in the platform: the class teacher's daily roll call and the early-warning list.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::Actor;
use eduq_core::attendance::{Rules, Status, Tally, assess};
use eduq_core::calendar::{Term, age_on};
use eduq_core::dropout::{Factor, RiskInput, Weights, level, risk_score};
use eduq_store::Store;
use eduq_store::attendance::{RollClass, RollEntry, RollSave};
use serde::Serialize;

use crate::AppError;

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
    let stored = store.class_days(&class_ids, from, to).await?;
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
        crate::cases::scan_alerts(store, Term::containing(today), today, None, now).await?;
    }
    Ok(report)
}
