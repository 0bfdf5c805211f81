//! 开齐开足 from timetables: schools upload their weekly timetables each term (all or nothing,
//! every bad row named; the same file again changes nothing); eduq checks every class against the
//! curriculum (the province's table where the bureau set one, else the national floor), finds
//! teacher clashes and overloads, and the daily minutes of PE and 大课间.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::Term;
use eduq_core::grade::Grade;
use eduq_core::standards::curriculum::{Requirement, default_requirements};
use eduq_core::timetable::{Clash, ClassCheck, KOUJING, Slot, TEACHER_WEEKLY_ALERT, check_class, clashes, overloads};
use eduq_exchange::RowError;
use eduq_exchange::timetable::TimetableLine;
use eduq_store::Store;
use serde::Serialize;

use crate::AppError;
use crate::imports::Imported;

/// The class a line names among a school's classes of the year: by its name as written, else by
/// the 班号 its digits give (“2”, “2班”, “四（2）班”).
fn class_of(
    classes: &HashMap<(Grade, String), i64>,
    numbers: &HashMap<(Grade, i64), i64>,
    l: &TimetableLine,
) -> Option<i64> {
    if let Some(id) = classes.get(&(l.grade, l.class.clone())) {
        return Some(*id);
    }
    let digits: String = l.class.chars().filter(char::is_ascii_digit).collect();
    digits.parse::<i64>().ok().and_then(|n| numbers.get(&(l.grade, n)).copied())
}

/// Imports timetables for the term containing `today`: a school uploads its own; the bureau names
/// each row's school by 学校标识码. Each school's timetable is replaced whole.
pub async fn import(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Imported, AppError> {
    if !actor.role.may_write(Resource::Classes) {
        return Err(AppError::Forbidden);
    }
    let table = crate::parsing::read_upload(actor.user_id, bytes, file_name).await?;
    let lines = eduq_exchange::timetable::read_timetable(&table)?;
    let term = Term::containing(today);
    let term_id = crate::training::current_term(store, today).await?;
    let codes = store.school_ids_by_code().await?;
    let own = match actor.scope {
        eduq_core::access::Scope::School(id) => Some(id),
        _ => None,
    };
    let mut errors = Vec::new();
    let mut by_school: BTreeMap<i64, Vec<&TimetableLine>> = BTreeMap::new();
    for l in &lines {
        let fail = |column: &str, value: &str, message: &str| RowError {
            row: l.row,
            column: column.into(),
            value: value.into(),
            message: message.into(),
        };
        let school = match (&l.school_code, own) {
            (Some(code), _) => match codes.get(code) {
                Some(id) if actor.scope.covers_school(*id) => Some(*id),
                Some(_) => {
                    errors.push(fail("学校标识码", code, "不在您的管理范围内"));
                    None
                }
                None => {
                    errors.push(fail("学校标识码", code, "没有这所学校"));
                    None
                }
            },
            (None, Some(id)) => Some(id),
            (None, None) => {
                errors.push(fail("学校标识码", "", "教育局上传时必填，用来区分学校"));
                None
            }
        };
        if let Some(id) = school {
            by_school.entry(id).or_default().push(l);
        }
    }
    let mut slots: BTreeMap<i64, Vec<Slot>> = BTreeMap::new();
    // One read of the year's classes in scope for every school of the file.
    let classes = store.list_classes(actor, term.start_year, Some(term_id), None).await?;
    for (school, lines) in &by_school {
        let own = classes.iter().filter(|c| c.school_id == *school);
        let names: HashMap<(Grade, String), i64> = own.clone().map(|c| ((c.grade, c.name.clone()), c.id)).collect();
        let numbers: HashMap<(Grade, i64), i64> = own.map(|c| ((c.grade, c.class_no), c.id)).collect();
        for l in lines {
            match class_of(&names, &numbers, l) {
                Some(class_id) => slots.entry(*school).or_default().push(Slot {
                    class_id,
                    weekday: l.weekday,
                    period: l.period,
                    subject: l.subject.clone(),
                    teacher: l.teacher.clone(),
                }),
                None => errors.push(RowError {
                    row: l.row,
                    column: "班级".into(),
                    value: l.class.clone(),
                    message: format!("{}学年本校{}没有这个班级", term.school_year(), l.grade.name()),
                }),
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    let held: HashMap<i64, String> =
        store.timetable_uploads(actor, term_id).await?.into_iter().map(|u| (u.school_id, u.digest)).collect();
    let (district_id, _) = store.district().await?;
    let mut done = Imported::default();
    let mut tx = store.begin().await?;
    for (school, mut list) in slots {
        list.sort_by(|a, b| {
            (a.class_id, a.weekday, a.period, &a.subject).cmp(&(b.class_id, b.weekday, b.period, &b.subject))
        });
        let canon: String = list
            .iter()
            .map(|s| format!("{}\t{}\t{}\t{}\t{}\n", s.class_id, s.weekday, s.period, s.subject, s.teacher))
            .collect();
        let digest = eduq_core::digest::sha256_hex(canon.as_bytes());
        if held.get(&school) == Some(&digest) {
            done.unchanged += list.len();
            continue;
        }
        done.added += list.len();
        tx.replace_timetable(actor, district_id, school, term_id, &digest, file_name, &list, now).await?;
    }
    tx.audit(actor, now, "timetable_import", file_name, &format!("写入{}节，未变{}节", done.added, done.unchanged))
        .await?;
    tx.commit().await?;
    Ok(done)
}

/// A school's line of the board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolLine {
    pub id: i64,
    pub name: String,
    /// The upload of the term: (file, by, at).
    pub upload: Option<(String, String, DateTime<Utc>)>,
    pub classes: usize,
    pub complete: usize,
    pub clashes: usize,
    pub overloads: usize,
    /// Class-days (Monday–Friday) below an hour of PE and 大课间.
    pub days_below_hour: usize,
}

impl SchoolLine {
    pub fn share(&self) -> Option<f64> {
        (self.classes > 0).then(|| self.complete as f64 * 100.0 / self.classes as f64)
    }
}

/// A class of the school view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassLine {
    pub name: String,
    pub check: ClassCheck,
}

/// The board of a term: schools (or one school with its classes, clashes and overloads).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub term: Term,
    pub lines: Vec<SchoolLine>,
    /// Classes checked and complete over the lines.
    pub classes: usize,
    pub complete: usize,
    pub school: Option<(i64, String)>,
    pub class_lines: Vec<ClassLine>,
    /// Clashes with the classes' names.
    pub clashes: Vec<(Clash, Vec<String>)>,
    pub overloads: Vec<(String, u32)>,
    pub rules: Vec<Requirement>,
    /// The province's table is in force (else the national floor).
    pub province_table: bool,
    pub koujing: &'static str,
}

impl Report {
    pub fn share(&self) -> Option<f64> {
        (self.classes > 0).then(|| self.complete as f64 * 100.0 / self.classes as f64)
    }

    pub fn clashes_total(&self) -> usize {
        self.lines.iter().map(|l| l.clashes).sum()
    }

    pub fn days_below_hour(&self) -> usize {
        self.lines.iter().map(|l| l.days_below_hour).sum()
    }

    /// Schools of the board without a timetable this term.
    pub fn missing(&self) -> Vec<&str> {
        self.lines.iter().filter(|l| l.upload.is_none()).map(|l| l.name.as_str()).collect()
    }
}

/// The curriculum in force and whether it is the province's.
pub async fn rules(store: &Store) -> Result<(Vec<Requirement>, bool), AppError> {
    Ok(match store.curriculum_rules().await? {
        Some(r) => (r, true),
        None => (default_requirements(), false),
    })
}

/// The board of a term for the caller's schools that teach grades 1–9, or for one school.
/// Memoised per reader until the next write.
pub async fn report(store: &Store, actor: &Actor, term: Term, school: Option<i64>) -> Result<Report, AppError> {
    if !actor.role.may_read(Resource::Homework) || !actor.role.may_read(Resource::Schools) {
        return Err(AppError::Forbidden);
    }
    let key = format!("timetables|{}|{}|{school:?}", eduq_store::reader_key(actor), term.key());
    store.memoised(&key, read_report(store, actor, term, school)).await
}

async fn read_report(store: &Store, actor: &Actor, term: Term, school: Option<i64>) -> Result<Report, AppError> {
    let (rules, province_table) = rules(store).await?;
    let Some(term_id) = store.term_id(term).await? else {
        return Err(AppError::Invalid(format!("没有{}的数据", term.label())));
    };
    let schools: Vec<(i64, String)> = store
        .list_schools(actor, None)
        .await?
        .into_iter()
        .filter(|s| !s.school_type.compulsory_stages().is_empty())
        .filter(|s| school.is_none_or(|id| id == s.id))
        .map(|s| (s.id, s.name))
        .collect();
    if school.is_some() && schools.is_empty() {
        return Err(AppError::NotFound);
    }
    let uploads: HashMap<i64, eduq_store::timetables::Upload> =
        store.timetable_uploads(actor, term_id).await?.into_iter().map(|u| (u.school_id, u)).collect();
    let held = store.timetable_slots(actor, term_id, school).await?;
    let mut by_school: HashMap<i64, Vec<(i8, Slot)>> = HashMap::new();
    for h in held {
        by_school.entry(h.school_id).or_default().push((h.grade, h.slot));
    }
    let mut lines = Vec::new();
    let (mut class_lines, mut named_clashes, mut heavy) = (Vec::new(), Vec::new(), Vec::new());
    let names: HashMap<i64, String> = match school {
        Some(id) => store
            .list_classes(actor, term.start_year, Some(term_id), Some(id))
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect(),
        None => HashMap::new(),
    };
    for (id, name) in &schools {
        let slots: Vec<(i8, Slot)> = by_school.remove(id).unwrap_or_default();
        let mut per_class: BTreeMap<i64, (i8, Vec<&Slot>)> = BTreeMap::new();
        for (g, s) in &slots {
            per_class.entry(s.class_id).or_insert_with(|| (*g, Vec::new())).1.push(s);
        }
        let checks: Vec<ClassCheck> = per_class
            .iter()
            .filter(|(_, (g, _))| (1..=9).contains(g))
            .map(|(c, (g, v))| check_class(*c, *g, v, &rules))
            .collect();
        let plain: Vec<Slot> = slots.into_iter().map(|(_, s)| s).collect();
        let clash = clashes(&plain);
        let over = overloads(&plain, TEACHER_WEEKLY_ALERT);
        lines.push(SchoolLine {
            id: *id,
            name: name.clone(),
            upload: uploads.get(id).map(|u| (u.file_name.clone(), u.username.clone(), u.at)),
            classes: checks.len(),
            complete: checks.iter().filter(|c| c.complete()).count(),
            clashes: clash.len(),
            overloads: over.len(),
            days_below_hour: checks.iter().map(ClassCheck::days_below_hour).sum(),
        });
        if school.is_some() {
            let name_of = |c: i64| names.get(&c).cloned().unwrap_or_else(|| c.to_string());
            named_clashes = clash
                .into_iter()
                .map(|c| {
                    let n = c.class_ids.iter().map(|id| name_of(*id)).collect();
                    (c, n)
                })
                .collect();
            heavy = over;
            class_lines = checks.into_iter().map(|c| ClassLine { name: name_of(c.class_id), check: c }).collect();
        }
    }
    let classes = lines.iter().map(|l| l.classes).sum();
    let complete = lines.iter().map(|l| l.complete).sum();
    Ok(Report {
        term,
        lines,
        classes,
        complete,
        school: school.and_then(|id| schools.iter().find(|s| s.0 == id).cloned()),
        class_lines,
        clashes: named_clashes,
        overloads: heavy,
        rules,
        province_table,
        koujing: KOUJING,
    })
}

/// The report as a workbook: schools (or classes) with their figures, and every gap.
pub fn workbook(r: &Report) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let num = |x: usize| Cell::Number(x as f64);
    let pct = |x: Option<f64>| Cell::Text(x.map(|v| format!("{v:.1}")).unwrap_or_default());
    let mut rows: Vec<Vec<Cell>> = r
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.name.clone()),
                Cell::Text(if l.upload.is_some() { "已上传" } else { "未上传" }.into()),
                num(l.classes),
                num(l.complete),
                pct(l.share()),
                num(l.clashes),
                num(l.overloads),
                num(l.days_below_hour),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::Text("合计".into()),
        Cell::Text(String::new()),
        num(r.classes),
        num(r.complete),
        pct(r.share()),
        num(r.clashes_total()),
        num(r.lines.iter().map(|l| l.overloads).sum()),
        num(r.days_below_hour()),
    ]);
    let gaps: Vec<Vec<Cell>> = r
        .class_lines
        .iter()
        .filter(|c| !c.check.complete() || c.check.over_total() || c.check.under_total())
        .map(|c| {
            let short: Vec<String> = c.check.short.iter().map(|(s, need, have)| format!("{s}{have}/{need}")).collect();
            vec![
                Cell::Text(c.name.clone()),
                Cell::Number(f64::from(c.check.periods)),
                Cell::Text(c.check.weekly_total.map(|t| t.to_string()).unwrap_or_default()),
                Cell::Text(c.check.missing.join("、")),
                Cell::Text(short.join("、")),
            ]
        })
        .collect();
    let title = format!(
        "开齐开足核对（{}）{}",
        r.term.label(),
        r.school.as_ref().map(|(_, n)| format!("·{n}")).unwrap_or_default()
    );
    Ok(write_workbook(&[
        Sheet {
            name: "开齐开足",
            title: vec![title, r.koujing.to_string()],
            headers: &[
                "学校",
                "课表",
                "班级数",
                "开齐开足班级",
                "开齐开足率（%）",
                "教师冲突",
                "教师超课时",
                "体育活动不足1小时的班级日",
            ],
            rows: &rows,
        },
        Sheet {
            name: "班级缺口",
            title: vec!["缺开或课时不足的班级（学校视图）".to_string()],
            headers: &["班级", "周课时", "规定周课时", "未开设", "课时不足（已排/应排）"],
            rows: &gaps,
        },
    ])?)
}

/// Replaces the district's curriculum table from the bureau's file (all rows valid or none kept);
/// `None` restores the national floor.
pub async fn set_curriculum(
    store: &Store,
    actor: &Actor,
    file: Option<(&[u8], &str)>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    if !actor.role.keeps_rubrics() {
        return Err(AppError::Forbidden);
    }
    let (rules, name) = match file {
        Some((bytes, name)) => {
            let table = crate::parsing::read_upload(actor.user_id, bytes, name).await?;
            (eduq_exchange::timetable::read_curriculum(&table)?, name)
        }
        None => (Vec::new(), "恢复国家课程方案"),
    };
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.set_curriculum_rules(actor, district_id, &rules).await?;
    tx.audit(actor, now, "curriculum_rules", name, &format!("{}行", rules.len())).await?;
    tx.commit().await?;
    Ok(rules.len())
}

/// The curriculum in force as a workbook in the upload's layout (to edit and upload back).
pub fn curriculum_workbook(rules: &[Requirement]) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let grade = |g: i8| Cell::Text(Grade::new(g).map(Grade::name).unwrap_or("").to_string());
    let rows: Vec<Vec<Cell>> = rules
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.subject.clone()),
                Cell::Text(r.accepts.join("、")),
                grade(r.first_grade),
                grade(r.last_grade),
                Cell::Number(f64::from(r.min_periods)),
            ]
        })
        .collect();
    Ok(write_workbook(&[Sheet {
        name: "课程设置",
        title: vec![],
        headers: eduq_exchange::timetable::CURRICULUM_HEADERS,
        rows: &rows,
    }])?)
}

/// The timetable template: the upload's columns with a grade-4 class's week as the example.
pub fn template() -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let g = Grade::new(4).map(Grade::name).unwrap_or("四年级");
    let rows: Vec<Vec<Cell>> = eduq_synth::timetable::week(4)
        .into_iter()
        .map(|(d, p, s)| {
            vec![
                Cell::Text(String::new()),
                Cell::Text(g.to_string()),
                Cell::Text("1".into()),
                Cell::Text(eduq_core::timetable::weekday_name(d).into()),
                Cell::Text(if p == 0 { "大课间".into() } else { p.to_string() }),
                Cell::Text(s.into()),
                Cell::Text(if p == 0 { String::new() } else { format!("{s}老师") }),
            ]
        })
        .collect();
    Ok(write_workbook(&[Sheet {
        name: "课表",
        title: vec![],
        headers: eduq_exchange::timetable::TIMETABLE_HEADERS,
        rows: &rows,
    }])?)
}
