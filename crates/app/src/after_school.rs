//! 课后服务 and the school day: each school keeps its plan for the term (first lesson, days and
//! end of the service, activities) and the pupils of each class signed up; the board checks every
//! plan against the rules and sums 课后服务覆盖率 (schools) and 参与率 (pupils) before dividing.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::after_school::{Plan, ServiceSession, SessionTally, participation};
use eduq_core::calendar::Term;
use eduq_core::standards::schedule::{DEFAULT_SERVICE_END, clock, parse_clock};
use eduq_store::Store;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// A plan as the school's form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanForm {
    pub morning_start: String,
    pub service_days: String,
    #[serde(default)]
    pub service_end: String,
    #[serde(default)]
    pub activities: String,
}

fn plan_of(f: &PlanForm) -> Result<Plan, AppError> {
    let morning_start = parse_clock(&f.morning_start)
        .ok_or_else(|| AppError::Invalid(format!("上午上课时间“{}”应写成如“8:20”", f.morning_start.trim())))?;
    let service_days: u8 = f
        .service_days
        .trim()
        .parse()
        .ok()
        .filter(|d| *d <= 7)
        .ok_or_else(|| AppError::Invalid(format!("课后服务天数“{}”应为0到7", f.service_days.trim())))?;
    let service_end = match f.service_end.trim() {
        "" if service_days == 0 => None,
        "" => return Err(AppError::Invalid("请填写课后服务结束时间".into())),
        t => Some(parse_clock(t).ok_or_else(|| AppError::Invalid(format!("课后服务结束时间“{t}”应写成如“17:30”")))?),
    };
    eduq_core::text::check_field("服务内容", &f.activities, eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    Ok(Plan { morning_start, service_days, service_end, activities: f.activities.trim().to_string() })
}

async fn term_of(store: &Store, today: NaiveDate) -> Result<(Term, i64), AppError> {
    Ok((Term::containing(today), crate::training::current_term(store, today).await?))
}

/// Saves the school's plan for the term containing `today`.
pub async fn save_plan(
    store: &Store,
    actor: &Actor,
    school_id: i64,
    f: &PlanForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.may_write(Resource::Classes) {
        return Err(AppError::Forbidden);
    }
    let plan = plan_of(f)?;
    let (_, term_id) = term_of(store, today).await?;
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.save_service_plan(actor, district_id, school_id, term_id, &plan, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Saves the term's sign-ups of the school's classes: (class, pupils as typed); each at most the
/// class's pupils on roll.
pub async fn save_signups(
    store: &Store,
    actor: &Actor,
    school_id: i64,
    typed: &[(i64, String)],
    today: NaiveDate,
) -> Result<usize, AppError> {
    if !actor.role.may_write(Resource::Classes) {
        return Err(AppError::Forbidden);
    }
    let (term, term_id) = term_of(store, today).await?;
    let classes = store.list_classes(actor, term.start_year, Some(term_id), Some(school_id)).await?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (class_id, raw) in typed {
        let Some(c) = classes.iter().find(|c| c.id == *class_id && (1..=9).contains(&c.grade.number())) else {
            return Err(AppError::NotFound);
        };
        if raw.trim().is_empty() {
            continue;
        }
        match raw.trim().parse::<i64>() {
            Ok(n) if (0..=c.students).contains(&n) => out.push((c.id, n)),
            _ => errors.push(format!("{}报名人数“{}”应为0到在籍人数{}", c.name, raw.trim(), c.students)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors.join("；")));
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.save_service_signups(actor, district_id, school_id, term_id, &out).await?;
    tx.commit().await?;
    Ok(out.len())
}

/// One day's sessions as the school's form sends them.
#[derive(Debug, Clone, Default)]
pub struct SessionsForm {
    pub day: String,
    /// When the service ended that day (the plan's end unless changed).
    pub ended: String,
    /// (class, pupils who came as typed, staff on duty as typed); a class left blank held none.
    pub rows: Vec<(i64, String, String)>,
}

/// Records (or corrects) the school's 课后服务 of one school day: each class's pupils who came (at
/// most its sign-ups, which must be recorded first), the staff on duty and the actual end. The
/// day's earlier record is replaced; every bad row is named at once and nothing is saved.
pub async fn save_sessions(
    store: &Store,
    actor: &Actor,
    school_id: i64,
    f: &SessionsForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    if !actor.role.may_write(Resource::Classes) {
        return Err(AppError::Forbidden);
    }
    let day = crate::form::term_day(&f.day, today, "课后服务")?;
    let (from, to) = Term::containing(day).nominal_bounds();
    if !store.teaching_calendar(Some(school_id), from, to).await?.is_school_day(day) {
        return Err(AppError::Invalid(format!("{day}不是本校上学日")));
    }
    let ended = parse_clock(&f.ended)
        .ok_or_else(|| AppError::Invalid(format!("实际结束时间“{}”应写成如“17:30”", f.ended.trim())))?;
    let (term, term_id) = term_of(store, day).await?;
    let classes = store.list_classes(actor, term.start_year, Some(term_id), Some(school_id)).await?;
    let signups = store.service_signups(actor, term_id).await?;
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    for (class_id, attended, staff) in &f.rows {
        // 课后服务 is the compulsory grades' (the board counts their sign-ups and roll).
        let Some(c) = classes.iter().find(|c| c.id == *class_id && (1..=9).contains(&c.grade.number())) else {
            return Err(AppError::NotFound);
        };
        if attended.trim().is_empty() {
            continue;
        }
        let Some(&up) = signups.get(class_id) else {
            errors.push(format!("{}尚未填报本学期课后服务报名人数", c.name));
            continue;
        };
        let Some(n) = attended.trim().parse::<u32>().ok().filter(|n| i64::from(*n) <= up) else {
            errors.push(format!("{}到课人数“{}”应为0到报名人数{up}", c.name, attended.trim()));
            continue;
        };
        if staff.trim().is_empty() {
            errors.push(format!("{}请填写值守教师", c.name));
            continue;
        }
        if let Err(e) = eduq_core::text::check_field("值守教师", staff, eduq_core::text::CELL_CHARS) {
            errors.push(format!("{}{e}", c.name));
            continue;
        }
        out.push(ServiceSession {
            class_id: c.id,
            attended: n,
            signed_up: u32::try_from(up).unwrap_or(0),
            staff: staff.trim().to_string(),
            ended,
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors.join("；")));
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.save_service_sessions(actor, district_id, school_id, term_id, day, &out, now).await?;
    tx.commit().await?;
    Ok(out.len())
}

/// The sessions a school recorded for `day`, by class (the form's prefill).
pub async fn day_sessions(
    store: &Store,
    actor: &Actor,
    school_id: i64,
    day: NaiveDate,
) -> Result<HashMap<i64, ServiceSession>, AppError> {
    Ok(store.service_sessions(actor, school_id, day).await?.into_iter().map(|x| (x.class_id, x)).collect())
}

/// Sets the district's end of work (the bureau).
pub async fn set_end_rule(store: &Store, actor: &Actor, raw: &str) -> Result<(), AppError> {
    let minutes =
        parse_clock(raw).ok_or_else(|| AppError::Invalid(format!("下班时间“{}”应写成如“17:30”", raw.trim())))?;
    let mut tx = store.begin().await?;
    tx.set_service_end_rule(actor, minutes).await?;
    tx.commit().await?;
    Ok(())
}

/// A school of the board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolService {
    pub id: i64,
    pub name: String,
    pub plan: Option<Plan>,
    pub flags: Vec<String>,
    pub on_roll: i64,
    pub signed_up: i64,
    /// Sessions held this term.
    pub sessions: SessionTally,
}

impl SchoolService {
    pub fn participation(&self) -> Option<f64> {
        participation(u64::try_from(self.signed_up).unwrap_or(0), u64::try_from(self.on_roll).unwrap_or(0))
    }
}

/// A class of the school view: (id, name, on roll, signed up).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassService {
    pub id: i64,
    pub name: String,
    pub on_roll: i64,
    pub signed_up: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceBoard {
    pub term: Term,
    /// The district's end of work, “17:30”.
    pub end_rule: String,
    pub schools: Vec<SchoolService>,
    /// Classes of the one school shown.
    pub classes: Vec<ClassService>,
    /// The one school's sessions per day this term, the latest first.
    pub days: Vec<(NaiveDate, SessionTally)>,
}

impl ServiceBoard {
    /// 课后服务覆盖率: schools with service on every school day over the schools.
    pub fn coverage(&self) -> Option<f64> {
        let covered = self.schools.iter().filter(|s| s.plan.as_ref().is_some_and(Plan::covers)).count();
        (!self.schools.is_empty()).then(|| covered as f64 * 100.0 / self.schools.len() as f64)
    }

    pub fn covered(&self) -> usize {
        self.schools.iter().filter(|s| s.plan.as_ref().is_some_and(Plan::covers)).count()
    }

    /// 课后服务参与率 over the schools (pupils summed before dividing).
    pub fn participation(&self) -> Option<f64> {
        let (up, roll) = self.schools.iter().fold((0i64, 0i64), |(a, b), s| (a + s.signed_up, b + s.on_roll));
        participation(u64::try_from(up).unwrap_or(0), u64::try_from(roll).unwrap_or(0))
    }

    /// The plan of the first school shown (the school view's own).
    pub fn first_plan(&self) -> Option<Plan> {
        self.schools.first().and_then(|s| s.plan.clone())
    }

    /// Sessions held this term over the schools.
    pub fn sessions(&self) -> SessionTally {
        let mut t = SessionTally::default();
        for s in &self.schools {
            t.add(&s.sessions);
        }
        t
    }

    pub fn flagged(&self) -> usize {
        self.schools.iter().filter(|s| !s.flags.is_empty() || s.plan.is_none()).count()
    }
}

/// How the figures are counted.
pub const KOUJING: &str = "口径：覆盖率＝每个上学日（每周5天）都提供课后服务的学校数÷义务教育学校数；参与率＝各班报名参加课后服务的学生数之和÷在籍学生数之和（自愿参加）；到课率＝各班各次课后服务到课人数之和÷这些班次的报名人数之和；提前结束班次＝实际结束时间早于本区下班时间的班次；上午上课时间与课后服务结束时间按教基厅函〔2021〕11号和“双减”意见核对，结束时间对照本区设定的下班时间。";

/// The board of the term containing `today`: the caller's schools teaching grades 1–9, or one;
/// memoised per reader until the next write.
pub async fn board(
    store: &Store,
    actor: &Actor,
    today: NaiveDate,
    school: Option<i64>,
) -> Result<ServiceBoard, AppError> {
    if !actor.role.may_read(Resource::Homework) || !actor.role.may_read(Resource::Schools) {
        return Err(AppError::Forbidden);
    }
    let key = format!("after_school|{}|{today}|{school:?}", eduq_store::reader_key(actor));
    store.memoised(&key, read_board(store, actor, today, school)).await
}

async fn read_board(
    store: &Store,
    actor: &Actor,
    today: NaiveDate,
    school: Option<i64>,
) -> Result<ServiceBoard, AppError> {
    let (term, term_id) = term_of(store, today).await?;
    let end_rule = store.service_end_rule().await?.unwrap_or(DEFAULT_SERVICE_END);
    let plans = store.service_plans(actor, term_id).await?;
    let signups = store.service_signups(actor, term_id).await?;
    let held = store.service_session_tallies(actor, term_id, end_rule).await?;
    let classes = store.list_classes(actor, term.start_year, Some(term_id), school).await?;
    let mut schools = Vec::new();
    for s in store.list_schools(actor, None).await? {
        let stages = s.school_type.compulsory_stages();
        if stages.is_empty() || school.is_some_and(|id| id != s.id) {
            continue;
        }
        let own = classes.iter().filter(|c| c.school_id == s.id && (1..=9).contains(&c.grade.number()));
        let (on_roll, signed_up) =
            own.fold((0, 0), |(a, b), c| (a + c.students, b + signups.get(&c.id).copied().unwrap_or(0)));
        let plan = plans.get(&s.id).cloned();
        let sessions = held.get(&s.id).copied().unwrap_or_default();
        let mut flags = match &plan {
            Some(p) => p.flags(&stages, end_rule),
            None => vec!["尚未填报本学期作息与课后服务".to_string()],
        };
        if sessions.early > 0 {
            flags.push(format!("本学期{}个班次早于本地下班时间结束", sessions.early));
        }
        schools.push(SchoolService { id: s.id, name: s.name, plan, flags, on_roll, signed_up, sessions });
    }
    if school.is_some() && schools.is_empty() {
        return Err(AppError::NotFound);
    }
    let classes = match school {
        Some(_) => classes
            .iter()
            .filter(|c| (1..=9).contains(&c.grade.number()))
            .map(|c| ClassService {
                id: c.id,
                name: c.name.clone(),
                on_roll: c.students,
                signed_up: signups.get(&c.id).copied(),
            })
            .collect(),
        None => vec![],
    };
    let days = match school {
        Some(id) => store.service_session_days(actor, term_id, id, end_rule).await?,
        None => vec![],
    };
    Ok(ServiceBoard { term, end_rule: clock(end_rule), schools, classes, days })
}
