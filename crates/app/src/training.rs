//! Teachers' training hours: completion records imported from training platforms, and each
//! teacher's standing in the five-year cycle ([`eduq_core::training`]) with the completion rate by
//! school and for the caller's scope.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::Term;
use eduq_core::casework::{Subject, check_evidence};
use eduq_core::training::{ClaimState, ClaimStep, Cycle, CycleRules, Level, Mode, Progress, completion_rate, progress};
use eduq_exchange::RowError;
use eduq_store::Store;
use eduq_store::training::{NewTraining, StaffMember};

pub use eduq_store::training::{ClaimRow, Course};
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
    let mut rows = Vec::new();
    for (key, (l, m)) in keyed {
        if !held.insert(key.clone()) {
            done.unchanged += 1;
            continue;
        }
        rows.push(NewTraining {
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
        });
    }
    done.added = rows.len();
    let mut tx = store.begin().await?;
    tx.insert_trainings(actor, &rows, now).await?;
    tx.audit(actor, now, "training_import", file_name, &format!("新增{}条，已存在{}条", done.added, done.unchanged))
        .await?;
    tx.commit().await?;
    // As after every import that changes data: the planner must know the table has grown (the
    // next import's key lookup planned on an empty table's estimates takes minutes on PostgreSQL).
    if done.added > 0 {
        store.refresh_statistics().await?;
    }
    Ok(done)
}

pub(crate) async fn current_term(store: &Store, today: NaiveDate) -> Result<i64, AppError> {
    let term = Term::containing(today);
    store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))
}

/// 360学时培训完成率 of a cycle that has ended, over the teachers of a term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleRate {
    pub cycle: Cycle,
    pub teachers: usize,
    pub complete: usize,
    pub rate: f64,
}

impl CycleRate {
    /// Where the figure comes from, as the 政府保障程度 page states it.
    pub fn source(&self) -> String {
        format!(
            "eduq培训学时记录：{}周期，本学期在岗教师{}人中{}人完成",
            self.cycle.label(),
            self.teachers,
            self.complete
        )
    }
}

/// The completion rate of the last cycle that ended before `term` began, for the term's teachers
/// in the caller's scope: `None` where no records of that cycle are kept (the bureau then enters
/// the figure). Teachers who joined during that cycle count like the others.
pub async fn completed_cycle_rate(store: &Store, actor: &Actor, term: Term) -> Result<Option<CycleRate>, AppError> {
    if !actor.role.may_read(Resource::Teachers) {
        return Err(AppError::Forbidden);
    }
    let Some(term_id) = store.term_id(term).await? else { return Ok(None) };
    let rules = CycleRules::national();
    let (term_start, _) = term.nominal_bounds();
    let cycle = Cycle::containing(term_start, CYCLE_ORIGIN, rules.years).previous();
    let records = store.training_totals(actor, term_id, cycle).await?;
    if !records.values().flatten().any(|r| cycle.holds(r.day)) {
        return Ok(None);
    }
    let standing: Vec<Progress> = store
        .staff(actor, term_id)
        .await?
        .iter()
        .map(|m| progress(&rules, cycle, records.get(&m.teacher_id).map_or(&[][..], Vec::as_slice), cycle.end()))
        .collect();
    let complete = standing.iter().filter(|p| p.complete).count();
    Ok(completion_rate(&standing).map(|rate| CycleRate { cycle, teachers: standing.len(), complete, rate }))
}

/// One teacher's standing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeacherHours {
    pub teacher_id: i64,
    pub school_id: i64,
    pub staff_no: String,
    pub name: String,
    pub school_name: String,
    /// The first subject the teacher teaches ("未填" when none is recorded).
    pub subject: String,
    pub tier: eduq_core::teacher::Tier,
    pub registration: eduq_core::training::Registration,
    /// When the next 定期注册 falls due.
    pub registration_due: Option<NaiveDate>,
    pub progress: Progress,
}

/// A subject's line of the completion table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectHours {
    pub subject: String,
    pub teachers: usize,
    pub complete: usize,
    pub rate: Option<f64>,
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
    /// Completion by the teachers' (first) subject.
    pub subjects: Vec<SubjectHours>,
    /// The ladder: teachers per tier, from 新手教师 up.
    pub tiers: Vec<(eduq_core::teacher::Tier, usize)>,
    /// 教师资格定期注册: teachers per standing.
    pub registrations: Vec<(eduq_core::training::Registration, usize)>,
    pub teachers: Vec<TeacherHours>,
    /// The last complete cycle's rate (政府保障程度 item 9), where its records are kept.
    pub previous: Option<CycleRate>,
}

/// Every teacher of the caller's scope this term with their cycle's hours (national rules).
/// Memoised per reader and day until the next write.
pub async fn ledger(store: &Store, actor: &Actor, today: NaiveDate) -> Result<std::sync::Arc<Ledger>, AppError> {
    if !actor.role.may_read(Resource::Teachers) {
        return Err(AppError::Forbidden);
    }
    let key = format!("training_ledger|{}|{today}", eduq_store::reader_key(actor));
    store.memoised(&key, async { read_ledger(store, actor, today).await.map(std::sync::Arc::new) }).await
}

async fn read_ledger(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Ledger, AppError> {
    let rules = CycleRules::national();
    let cycle = Cycle::containing(today, CYCLE_ORIGIN, rules.years);
    let term_id = current_term(store, today).await?;
    let records = store.training_totals(actor, term_id, cycle).await?;
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
            subject: m
                .subjects
                .split(['、', ',', '，', ';', '；'])
                .map(str::trim)
                .find(|x| !x.is_empty())
                .unwrap_or("未填")
                .to_string(),
            tier: m.tier,
            registration: eduq_core::training::registration(m.registered_on, today),
            registration_due: m.registered_on.map(eduq_core::training::registration_due),
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
    let mut by_subject: BTreeMap<String, Vec<&TeacherHours>> = BTreeMap::new();
    for t in &teachers {
        by_subject.entry(t.subject.clone()).or_default().push(t);
    }
    let subjects = by_subject
        .into_iter()
        .map(|(subject, ts)| SubjectHours {
            teachers: ts.len(),
            complete: ts.iter().filter(|t| t.progress.complete).count(),
            rate: completion_rate(ts.iter().map(|t| &t.progress)),
            subject,
        })
        .collect();
    let registrations = eduq_core::training::Registration::ALL
        .iter()
        .map(|r| (*r, teachers.iter().filter(|t| t.registration == *r).count()))
        .collect();
    let tiers = eduq_core::teacher::Tier::ALL
        .iter()
        .map(|tier| (*tier, teachers.iter().filter(|t| t.tier == *tier).count()))
        .collect();
    let previous = completed_cycle_rate(store, actor, Term::containing(today)).await?;
    Ok(Ledger {
        rate: completion_rate(teachers.iter().map(|t| &t.progress)),
        cycle,
        rules,
        schools,
        subjects,
        tiers,
        registrations,
        teachers,
        previous,
    })
}

/// The caller's own hours: their teacher record this term, the cycle's standing, every record
/// and every claim of theirs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnHours {
    /// The teacher's record this term: school, tier, last 定期注册.
    pub me: StaffMember,
    pub registration: eduq_core::training::Registration,
    pub registration_due: Option<NaiveDate>,
    pub cycle: Cycle,
    pub rules: CycleRules,
    pub progress: Progress,
    pub records: Vec<NewTraining>,
    pub claims: Vec<ClaimRow>,
    /// The teacher's titles (every nomination and designation, newest first) and 课题.
    pub titles: Vec<eduq_store::designations::DesignationRow>,
    pub projects: Vec<eduq_store::research::ProjectRow>,
}

impl OwnHours {
    /// The rung shown: the roster's, or a higher one a title held today gives.
    pub fn tier(&self, today: NaiveDate) -> eduq_core::teacher::Tier {
        self.titles
            .iter()
            .filter(|t| t.d.active_on(today))
            .filter_map(|t| t.honour.tier())
            .fold(self.me.tier, std::cmp::Ord::max)
    }
}

/// The caller's teacher record this term, or why there is none.
async fn own_teacher(store: &Store, actor: &Actor, today: NaiveDate) -> Result<StaffMember, AppError> {
    if !actor.role.enters_own_training() {
        return Err(AppError::Forbidden);
    }
    let term_id = current_term(store, today).await?;
    store
        .own_teacher(actor, term_id)
        .await?
        .ok_or_else(|| AppError::Invalid("您的账号尚未关联本学期在岗的教师档案（工号），请联系系统管理员".into()))
}

/// The caller's own standing; `None` when the account names no teacher on a staff this term.
pub async fn own_hours(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Option<OwnHours>, AppError> {
    if !actor.role.enters_own_training() {
        return Err(AppError::Forbidden);
    }
    let term_id = current_term(store, today).await?;
    let Some(me) = store.own_teacher(actor, term_id).await? else { return Ok(None) };
    let rules = CycleRules::national();
    let cycle = Cycle::containing(today, CYCLE_ORIGIN, rules.years);
    let records: Vec<NewTraining> = store.own_training_records(actor).await?.into_iter().map(|(r, _)| r).collect();
    let counted: Vec<eduq_core::training::Record> = records
        .iter()
        .map(|r| eduq_core::training::Record { day: r.day, hours: r.hours, mode: r.mode, ethics: r.ethics })
        .collect();
    let claims = store.training_claims(actor, &[]).await?;
    let titles = store.designations(actor, Some(me.teacher_id)).await?;
    let projects = store.research_projects(actor, None).await?;
    Ok(Some(OwnHours {
        titles,
        projects,
        registration: eduq_core::training::registration(me.registered_on, today),
        registration_due: me.registered_on.map(eduq_core::training::registration_due),
        me,
        progress: progress(&rules, cycle, &counted, today),
        cycle,
        rules,
        records,
        claims,
    }))
}

/// A teacher's entry of hours as the form sends it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ClaimForm {
    pub course: String,
    pub level: String,
    pub mode: String,
    #[serde(default)]
    pub ethics: Option<String>,
    pub hours: String,
    /// 完成日期 as typed (2026-11-20, 2026/11/20, 2026年11月20日).
    pub day: String,
    #[serde(default)]
    pub provider: String,
}

use crate::form::date_field as day_field;

/// Enters the caller's own hours with the certificate: waits for the school, then the bureau.
/// Refused when the same record (course, day, hours) is already held or waiting.
pub async fn submit_claim(
    store: &Store,
    actor: &Actor,
    f: &ClaimForm,
    certificate: (&str, Vec<u8>),
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let me = own_teacher(store, actor, today).await?;
    let course = f.course.trim();
    if course.is_empty() {
        return Err(AppError::Invalid("请填写课程名称".into()));
    }
    eduq_core::text::check_field("课程名称", course, eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    let level = Level::parse(&f.level).map_err(|e| AppError::Invalid(e.to_string()))?;
    let mode = Mode::parse(&f.mode).map_err(|e| AppError::Invalid(e.to_string()))?;
    let hours =
        eduq_core::training::parse_hours(&f.hours).map_err(|m| AppError::Invalid(format!("学时“{}”{m}", f.hours)))?;
    let day = day_field("完成日期", &f.day)?;
    if day > today {
        return Err(AppError::Invalid(format!("完成日期{day}晚于今天")));
    }
    let (name, content_type) =
        check_evidence(certificate.0, certificate.1.len()).map_err(|e| AppError::Invalid(format!("培训证书：{e}")))?;
    let key = eduq_core::training::record_key(&me.staff_no, course, day, hours);
    let (district_id, _) = store.district().await?;
    if !store.system().training_keys_held(district_id, std::slice::from_ref(&key)).await?.is_empty()
        || store
            .training_claims(actor, &[ClaimState::Submitted, ClaimState::SchoolApproved])
            .await?
            .iter()
            .any(|c| c.source_key == key)
    {
        return Err(AppError::Invalid("这条培训记录已登记或正在审核，不必重复申报".into()));
    }
    let record = NewTraining {
        district_id,
        school_id: me.school_id,
        teacher_id: me.teacher_id,
        course: course.to_string(),
        level,
        mode,
        ethics: f.ethics.is_some(),
        hours,
        day,
        provider: f.provider.trim().to_string(),
        source_key: key,
    };
    let sha = eduq_core::digest::sha256_hex(&certificate.1);
    let mut tx = store.begin().await?;
    let id = tx.insert_claim(actor, &record, now).await?;
    tx.add_case_evidence(actor, Subject::Training, id, &name, content_type, &sha, certificate.1, now).await?;
    let note = format!("{course}，{hours}学时，{day}");
    tx.add_case_event(actor, Subject::Training, id, "submit", today, None, &note, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Claims waiting for the caller's level: the school's 审核 or the bureau's 认定.
pub async fn claims_waiting(store: &Store, actor: &Actor) -> Result<Vec<ClaimRow>, AppError> {
    let mut states = Vec::new();
    if actor.role.approves_training_for_school() {
        states.push(ClaimState::Submitted);
    }
    if actor.role.approves_training_for_district() {
        states.push(ClaimState::SchoolApproved);
    }
    if states.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(store.training_claims(actor, &states).await?)
}

/// A claim in the caller's scope with its history and certificate.
pub async fn claim(
    store: &Store,
    actor: &Actor,
    id: i64,
) -> Result<(ClaimRow, Vec<crate::casework::CaseEvent>, Vec<crate::casework::EvidenceMeta>), AppError> {
    let row = store.training_claim(actor, id).await?;
    let (events, evidence) = store.case_record(actor, Subject::Training, id).await?;
    Ok((row, events, evidence))
}

/// The school's 审核 or the bureau's 认定 (whichever the claim waits for and the caller gives), or
/// a return with its reason. Nobody decides their own claim; the bureau's approval writes the
/// completion record, which then counts.
pub async fn decide_claim(
    store: &Store,
    actor: &Actor,
    id: i64,
    approve: bool,
    reason: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<ClaimState, AppError> {
    let c = store.training_claim(actor, id).await?;
    let step = match approve {
        false => ClaimStep::Return,
        true => c
            .state
            .approval_by(actor.role)
            .ok_or_else(|| AppError::Invalid(format!("申报{}，您的角色不能办理这一步", c.state.label())))?,
    };
    let term_id = current_term(store, today).await?;
    let own = store.own_teacher(actor, term_id).await?.is_some_and(|m| m.teacher_id == c.teacher_id);
    let next = c.state.after(step, actor.role, own).map_err(|e| AppError::Invalid(e.to_string()))?;
    let reason = reason.trim();
    if step == ClaimStep::Return && reason.is_empty() {
        return Err(AppError::Invalid("退回须写明原因".into()));
    }
    let (district_id, _) = store.district().await?;
    if next == ClaimState::Approved
        && !store.system().training_keys_held(district_id, std::slice::from_ref(&c.source_key)).await?.is_empty()
    {
        return Err(AppError::Invalid("这条培训记录已由平台导入，无须再认定；请退回申报".into()));
    }
    let mut tx = store.begin().await?;
    let record_id = if next == ClaimState::Approved {
        Some(tx.insert_training(actor, &c.record(district_id), now).await?)
    } else {
        None
    };
    tx.set_claim_state(actor, id, c.state, next, reason, record_id).await?;
    tx.add_case_event(actor, Subject::Training, id, step.key(), today, None, reason, now).await?;
    tx.commit().await?;
    Ok(next)
}

/// A course for the catalogue as the bureau enters it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CourseForm {
    pub name: String,
    pub level: String,
    pub mode: String,
    #[serde(default)]
    pub ethics: Option<String>,
    pub hours: String,
    pub start_day: String,
    pub end_day: String,
    #[serde(default)]
    pub provider: String,
}

/// Adds a course to the district's catalogue (国培/省培/市/区/校本/网络研修); audited. The same name
/// and start day again changes nothing (`false`).
pub async fn add_course(store: &Store, actor: &Actor, f: &CourseForm, now: DateTime<Utc>) -> Result<bool, AppError> {
    if !actor.role.approves_training_for_district() {
        return Err(AppError::Forbidden);
    }
    let name = f.name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid("请填写课程或项目名称".into()));
    }
    eduq_core::text::check_field("课程名称", name, eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    let (start_day, end_day) = (day_field("开始日期", &f.start_day)?, day_field("结束日期", &f.end_day)?);
    if end_day < start_day {
        return Err(AppError::Invalid(format!("结束日期{end_day}早于开始日期{start_day}")));
    }
    let course = Course {
        id: 0,
        name: name.to_string(),
        level: Level::parse(&f.level).map_err(|e| AppError::Invalid(e.to_string()))?,
        mode: Mode::parse(&f.mode).map_err(|e| AppError::Invalid(e.to_string()))?,
        ethics: f.ethics.is_some(),
        hours: eduq_core::training::parse_hours(&f.hours)
            .map_err(|m| AppError::Invalid(format!("学时“{}”{m}", f.hours)))?,
        start_day,
        end_day,
        provider: f.provider.trim().to_string(),
    };
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    let added = tx.insert_course(actor, district_id, &course, now).await?;
    if added {
        tx.audit(actor, now, "training_course_add", name, &format!("{}学时", course.hours)).await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// The district's course catalogue.
pub async fn courses(store: &Store, actor: &Actor) -> Result<Vec<Course>, AppError> {
    Ok(store.training_courses(actor).await?)
}

/// The ledger as a workbook: by school, by subject, every teacher with what is missing.
pub fn workbook(l: &Ledger) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let text = |s: &str| Cell::Text(s.to_string());
    let rate = |r: Option<f64>| r.map_or(text("—"), |r| Cell::Number((r * 10.0).round() / 10.0));
    let n = |x: usize| Cell::Number(x as f64);
    let schools: Vec<Vec<Cell>> = l
        .schools
        .iter()
        .map(|x| vec![text(&x.school_name), n(x.teachers), n(x.complete), n(x.behind), rate(x.rate)])
        .collect();
    let subjects: Vec<Vec<Cell>> =
        l.subjects.iter().map(|x| vec![text(&x.subject), n(x.teachers), n(x.complete), rate(x.rate)]).collect();
    let teachers: Vec<Vec<Cell>> = l
        .teachers
        .iter()
        .map(|t| {
            let p = &t.progress;
            let h = |x: f64| Cell::Number((x * 10.0).round() / 10.0);
            vec![
                text(&t.school_name),
                text(&t.staff_no),
                text(&t.name),
                text(&t.subject),
                text(t.tier.label()),
                text(t.registration.label()),
                text(&t.registration_due.map(|d| d.to_string()).unwrap_or_default()),
                h(p.counted),
                h(p.concentrated),
                h(p.online),
                h(p.ethics),
                h(p.expected),
                text(if p.complete { "是" } else { "否" }),
                text(&p.missing.join("；")),
            ]
        })
        .collect();
    let title = vec![format!("教师培训学时（{}周期）", l.cycle.label())];
    Ok(write_workbook(&[
        Sheet {
            name: "学校",
            title: title.clone(),
            headers: &["学校", "教师", "已完成", "低于应完成进度", "完成率(%)"],
            rows: &schools,
        },
        Sheet {
            name: "学科",
            title: title.clone(),
            headers: &["学科", "教师", "已完成", "完成率(%)"],
            rows: &subjects,
        },
        Sheet {
            name: "教师",
            title,
            headers: &[
                "学校",
                "工号",
                "姓名",
                "学科",
                "发展层级",
                "定期注册",
                "注册到期",
                "已计学时",
                "集中培训",
                "网络研修",
                "师德",
                "应完成",
                "已完成",
                "尚缺",
            ],
            rows: &teachers,
        },
    ])?)
}
