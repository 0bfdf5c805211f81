//! 双减 homework: teachers log each day's homework per class and subject; each class-day is
//! checked against its grade's limit; over-limit days alert the principal, the grade's leader
//! (年级组长, whom the principal appoints) and the class teacher, and the principal records what
//! was done; the week's homework is published to parents (公示)
//! without naming a pupil; the board sums class-days from the district down to classes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::Term;
use eduq_core::homework::{DayCheck, KOUJING, Tally, check_day, parse_minutes};
use eduq_store::Store;
use eduq_store::homework::NewHomework;
use serde::{Deserialize, Serialize};

pub use eduq_store::homework::{ClassDay, HomeworkClass, HomeworkEntry, SchoolHomework};

use crate::AppError;
use crate::form::{date_field, term_day};

/// A subject's homework as the phone form sends it (checkboxes send "on" or nothing).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LogForm {
    pub class_id: i64,
    pub day: String,
    pub subject: String,
    #[serde(default)]
    pub written: Option<String>,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub layered: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// What the teacher reads after logging: the class's day against its limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Logged {
    pub class: HomeworkClass,
    pub check: DayCheck,
    pub message: String,
}

/// The classes a teacher logs for on `day` (those of its school year).
pub async fn classes(store: &Store, actor: &Actor, day: NaiveDate) -> Result<Vec<HomeworkClass>, AppError> {
    Ok(store.homework_classes(actor, Term::containing(day).start_year).await?)
}

/// Logs (or corrects) one subject's homework; the day is rechecked in the same transaction.
pub async fn log(
    store: &Store,
    actor: &Actor,
    f: &LogForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Logged, AppError> {
    if !actor.role.may_write(Resource::Homework) {
        return Err(AppError::Forbidden);
    }
    use eduq_core::text::{FIELD_CHARS, NAME_CHARS, check_field};
    let day = term_day(&f.day, today, "作业")?;
    let subject = f.subject.trim();
    if subject.is_empty() {
        return Err(AppError::Invalid("请选择或填写学科".into()));
    }
    check_field("学科", subject, NAME_CHARS).map_err(AppError::Invalid)?;
    check_field("作业内容", &f.note, FIELD_CHARS).map_err(AppError::Invalid)?;
    let written = f.written.is_some();
    let minutes = if f.minutes.trim().is_empty() { 0 } else { parse_minutes(&f.minutes).map_err(AppError::Invalid)? };
    if written && minutes == 0 {
        return Err(AppError::Invalid("书面作业请填写预计完成时间（分钟）".into()));
    }
    let class =
        classes(store, actor, day).await?.into_iter().find(|c| c.id == f.class_id).ok_or_else(|| {
            AppError::Invalid(format!("班级不在本校{}学年的班级中", Term::containing(day).school_year()))
        })?;
    let entry = NewHomework {
        class_id: class.id,
        day,
        subject: subject.to_string(),
        written,
        minutes,
        layered: f.layered.is_some(),
        note: f.note.trim().to_string(),
    };
    let mut tx = store.begin().await?;
    let check = tx.log_homework(actor, &entry, now).await?;
    tx.commit().await?;
    let message = format!("{} {}：{}", class.name, day, check.summary(class.grade));
    Ok(Logged { class, check, message })
}

/// Removes a subject's entry logged by mistake.
pub async fn remove(
    store: &Store,
    actor: &Actor,
    class_id: i64,
    day: &str,
    subject: &str,
    today: NaiveDate,
) -> Result<DayCheck, AppError> {
    let day = term_day(day, today, "作业")?;
    let mut tx = store.begin().await?;
    let check = tx.remove_homework(actor, class_id, day, subject.trim()).await?;
    tx.commit().await?;
    Ok(check)
}

/// A school's (or the district's) line on the board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoardLine {
    pub id: i64,
    pub name: String,
    pub tally: Tally,
}

/// The board for a span of days: the district (or the caller's scope) and its schools, or one
/// school and its classes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Board {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: Tally,
    /// Schools (district view) or classes (one school).
    pub lines: Vec<BoardLine>,
    /// The school shown, when one is.
    pub school: Option<(i64, String)>,
    pub koujing: &'static str,
}

impl Board {
    pub fn over_lines(&self) -> usize {
        self.lines.iter().filter(|l| l.tally.over_days > 0).count()
    }
}

/// The span a board shows by default: the term so far (from its nominal first day).
pub fn term_so_far(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (Term::containing(today).nominal_bounds().0.min(today), today)
}

/// The board over `from..=to`: by school, or for `school` by class.
pub async fn board(
    store: &Store,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
    school: Option<i64>,
) -> Result<Board, AppError> {
    if !actor.role.may_read(Resource::Homework) {
        return Err(AppError::Forbidden);
    }
    if from > to || (to - from).num_days() > 400 {
        return Err(AppError::Invalid("起止日期无效（最长一年）".into()));
    }
    let (lines, named) = match school {
        None => {
            let rows = store.homework_by_school(actor, from, to).await?;
            let lines = rows
                .into_iter()
                .map(|r| BoardLine {
                    id: r.school_id,
                    name: r.school_name,
                    tally: Tally {
                        class_days: r.class_days,
                        over_days: r.over_days,
                        written_minutes: r.written_minutes,
                    },
                })
                .collect();
            (lines, None)
        }
        Some(id) => {
            let days = store.homework_days(actor, from, to, Some(id), false).await?;
            let name = days.first().map(|d| d.school_name.clone());
            let mut lines: Vec<BoardLine> = Vec::new();
            for d in &days {
                if lines.last().is_none_or(|l| l.id != d.class_id) {
                    lines.push(BoardLine { id: d.class_id, name: d.class_name.clone(), tally: Tally::default() });
                }
                if let Some(l) = lines.last_mut() {
                    l.tally.add(&check_of(d));
                }
            }
            let name = match name {
                Some(n) => n,
                None => store.school(actor, id, None).await?.name,
            };
            (lines, Some((id, name)))
        }
    };
    let mut total = Tally::default();
    for l in &lines {
        total.merge(&l.tally);
    }
    Ok(Board { from, to, total, lines, school: named, koujing: KOUJING })
}

fn check_of(d: &ClassDay) -> DayCheck {
    DayCheck {
        written_minutes: d.written_minutes,
        written_subjects: d.written_subjects,
        limit: eduq_core::standards::homework::limit_for(d.grade),
        over: d.over,
        excess: d.excess,
    }
}

/// Over-limit class-days of the term not yet handled, for the principal (the school's), the
/// 年级组长 (the led grade's classes, in the account's scope by the appointment) and the class
/// teacher (the own classes'), newest first; none for the bureau (its board counts them by
/// school) nor for roles that neither handle nor teach.
pub async fn alerts(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Vec<ClassDay>, AppError> {
    let school_bound =
        matches!(actor.scope, eduq_core::access::Scope::School(_) | eduq_core::access::Scope::Classes { .. });
    if !school_bound || !(actor.role.may_write(Resource::Homework) || actor.role.reviews_homework()) {
        return Ok(vec![]);
    }
    let (from, to) = term_so_far(today);
    let mut days: Vec<ClassDay> =
        store.homework_days(actor, from, to, None, true).await?.into_iter().filter(|d| d.review.is_none()).collect();
    days.sort_by(|a, b| b.day.cmp(&a.day).then(a.class_name.cmp(&b.class_name)));
    Ok(days)
}

/// The principal's 处理 of an over-limit day.
pub async fn review(
    store: &Store,
    actor: &Actor,
    class_id: i64,
    day: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.reviews_homework() {
        return Err(AppError::Forbidden);
    }
    let day = date_field("日期", day)?;
    if note.trim().is_empty() {
        return Err(AppError::Invalid("请写明处理情况（如已与任课教师沟通、次日减量）".into()));
    }
    eduq_core::text::check_field("处理情况", note, eduq_core::text::FIELD_CHARS).map_err(AppError::Invalid)?;
    let mut tx = store.begin().await?;
    tx.review_homework_day(actor, class_id, day, note.trim(), now).await?;
    tx.commit().await?;
    Ok(())
}

/// One day of a class's week as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeDay {
    pub day: NaiveDate,
    pub weekday: &'static str,
    pub entries: Vec<HomeworkEntry>,
    pub check: DayCheck,
}

/// A class's week (Monday to Sunday) of homework, as parents read it: subjects, kind, time and
/// content, the day's total against the limit; no pupil named.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub class: HomeworkClass,
    pub monday: NaiveDate,
    pub days: Vec<NoticeDay>,
    pub limit: String,
}

/// The Monday of the week holding `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

const WEEKDAYS: [&str; 7] = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"];

/// The week's 公示 of a class the caller reads (a parent: the own child's class).
pub async fn notice(store: &Store, actor: &Actor, class_id: i64, any_day: NaiveDate) -> Result<Notice, AppError> {
    let monday = monday_of(any_day);
    let (class, entries) = store.homework_entries(actor, class_id, monday, monday + Duration::days(6)).await?;
    let days = (0..7)
        .map(|i| {
            let day = monday + Duration::days(i);
            let entries: Vec<HomeworkEntry> = entries.iter().filter(|e| e.day == day).cloned().collect();
            let check = check_day(class.grade, entries.iter().map(|e| (e.written, e.minutes)));
            NoticeDay { day, weekday: WEEKDAYS[i as usize], entries, check }
        })
        .filter(|d| !d.entries.is_empty() || d.day.weekday().num_days_from_monday() < 5)
        .collect();
    let limit =
        eduq_core::standards::homework::limit_for(class.grade).map_or_else(|| "无全国统一上限".into(), |l| l.label());
    Ok(Notice { class, monday, days, limit })
}

/// The board as a workbook: the lines with their figures, and the over-limit days of the span.
pub fn workbook(b: &Board, over: &[ClassDay]) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let pct = |t: &Tally| t.compliance().map_or(Cell::Text(String::new()), |x| Cell::Number((x * 10.0).round() / 10.0));
    let mean =
        |t: &Tally| t.mean_minutes().map_or(Cell::Text(String::new()), |x| Cell::Number((x * 10.0).round() / 10.0));
    let line = |name: &str, t: &Tally| {
        vec![
            Cell::Text(name.to_string()),
            Cell::Number(t.class_days as f64),
            Cell::Number(t.over_days as f64),
            pct(t),
            mean(t),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = b.lines.iter().map(|l| line(&l.name, &l.tally)).collect();
    rows.push(line("合计", &b.total));
    let over_rows: Vec<Vec<Cell>> = over
        .iter()
        .map(|d| {
            vec![
                Cell::Text(d.school_name.clone()),
                Cell::Text(d.class_name.clone()),
                Cell::Text(d.day.to_string()),
                Cell::Number(f64::from(d.written_subjects)),
                Cell::Number(f64::from(d.written_minutes)),
                Cell::Number(f64::from(d.excess)),
                Cell::Text(d.review.as_ref().map(|(n, by)| format!("{by}：{n}")).unwrap_or_default()),
            ]
        })
        .collect();
    let title = format!(
        "作业总量与时长（{}至{}）{}",
        b.from,
        b.to,
        b.school.as_ref().map(|(_, n)| format!("·{n}")).unwrap_or_default()
    );
    Ok(write_workbook(&[
        Sheet {
            name: "达标情况",
            title: vec![title, b.koujing.to_string()],
            headers: &[
                if b.school.is_some() { "班级" } else { "学校" },
                "已登记班级日数",
                "超出日数",
                "达标率（%）",
                "日均书面作业（分钟）",
            ],
            rows: &rows,
        },
        Sheet {
            name: "超量明细",
            title: vec!["超出规定的班级日".to_string()],
            headers: &["学校", "班级", "日期", "书面作业科数", "合计分钟", "超出分钟", "处理情况"],
            rows: &over_rows,
        },
    ])?)
}

/// Over-limit class-days of a span (the export's detail sheet).
pub async fn over_days(
    store: &Store,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
    school: Option<i64>,
) -> Result<Vec<ClassDay>, AppError> {
    Ok(store.homework_days(actor, from, to, school, true).await?)
}

/// The classes whose weekly 公示 the caller reads this school year.
pub async fn notice_classes(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Vec<HomeworkClass>, AppError> {
    Ok(store.homework_notice_classes(actor, Term::containing(today).start_year).await?)
}

/// A grade of a school this school year, its classes and its leader (年级组长).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeLine {
    pub grade: eduq_core::grade::Grade,
    pub classes: usize,
    pub leader: Option<eduq_store::accounts::GradeLeader>,
}

/// A school's grades with their leaders, and the teacher accounts its principal may appoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeLeaders {
    pub school_id: i64,
    pub lines: Vec<GradeLine>,
    /// (account id, name, username).
    pub teachers: Vec<(i64, String, String)>,
}

/// The school's grades of the year containing `today` with their leaders, and the teacher accounts
/// the principal may appoint.
pub async fn grade_leaders(
    store: &Store,
    actor: &Actor,
    school_id: i64,
    today: NaiveDate,
) -> Result<GradeLeaders, AppError> {
    if !actor.role.appoints_grade_leaders() {
        return Err(AppError::Forbidden);
    }
    let term = Term::containing(today);
    let term_id = crate::training::current_term(store, today).await?;
    let classes = store.list_classes(actor, term.start_year, Some(term_id), Some(school_id)).await?;
    let leaders = store.grade_leaders(actor, school_id, term.start_year).await?;
    let mut lines: Vec<GradeLine> = Vec::new();
    for c in classes.iter().filter(|c| (1..=9).contains(&c.grade.number())) {
        match lines.iter_mut().find(|l| l.grade == c.grade) {
            Some(l) => l.classes += 1,
            None => lines.push(GradeLine {
                grade: c.grade,
                classes: 1,
                leader: leaders.iter().find(|x| x.grade == i64::from(c.grade.number())).cloned(),
            }),
        }
    }
    lines.sort_by_key(|l| l.grade.number());
    Ok(GradeLeaders { school_id, lines, teachers: store.teacher_accounts(actor, school_id).await? })
}

/// Appoints (or with `None` removes) the leader of a grade of the school this school year.
pub async fn set_grade_leader(
    store: &Store,
    actor: &Actor,
    school_id: i64,
    grade: i64,
    user_id: Option<i64>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.appoints_grade_leaders() {
        return Err(AppError::Forbidden);
    }
    if !(1..=9).contains(&grade) {
        return Err(AppError::Invalid(format!("年级“{grade}”应为1到9")));
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.set_grade_leader(actor, district_id, school_id, Term::containing(today).start_year, grade, user_id, now).await?;
    tx.commit().await?;
    Ok(())
}
