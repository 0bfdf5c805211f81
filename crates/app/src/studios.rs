//! 名师/名班主任/名校长工作室: the bureau sets a studio up with its host and members; the host (or
//! the host's school) writes the year's plan and logs activities with their evidence; the bureau
//! assesses each year on a rubric version, scored by the rubric engine of 督导.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::Actor;
use eduq_core::calendar::Term;
use eduq_core::casework::Subject;
use eduq_core::designation::Level;
use eduq_core::rubric::{Mark, Outcome, Rubric};
use eduq_core::studio::{ActivityKind, KindProgress, StudioKind, parse_targets, progress};
use eduq_store::Store;
use eduq_store::studios::{ActivityRow, AssessmentRow, NewActivity, NewStudio, PlanRow, StudioMember};
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::form::{TermStaff, date_field as day};

pub use eduq_store::studios::StudioRow;

/// The key of the shipped 工作室 rubric, offered first.
pub const RUBRIC_KEY: &str = "studio_annual";

fn invalid(e: eduq_core::CoreError) -> AppError {
    AppError::Invalid(e.to_string())
}

/// The school year's first and last day.
fn year_bounds(start_year: i32) -> (NaiveDate, NaiveDate) {
    (Term { start_year, term_no: 1 }.nominal_bounds().0, Term { start_year, term_no: 2 }.nominal_bounds().1)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StudioForm {
    pub name: String,
    pub kind: String,
    pub level: String,
    pub host: String,
    pub start_day: String,
    #[serde(default)]
    pub members: String,
}

/// Sets a studio up (the bureau) with its host and members; audited.
pub async fn create(
    store: &Store,
    actor: &Actor,
    f: &StudioForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    if !actor.role.runs_teacher_development() {
        return Err(AppError::Forbidden);
    }
    let name = f.name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid("工作室名称必填".into()));
    }
    eduq_core::text::check_field("工作室名称", name, eduq_core::text::NAME_CHARS).map_err(AppError::Invalid)?;
    let kind = StudioKind::parse(&f.kind).map_err(invalid)?;
    let level = Level::parse(&f.level).map_err(invalid)?;
    let start_day = day("成立日期", &f.start_day)?;
    let staff = TermStaff::of(store, actor, today).await?;
    let host = staff.one("主持人工号", &f.host)?;
    let members = staff.many("成员工号", &f.members)?;
    let new = NewStudio {
        district_id: store.district().await?.0,
        school_id: host.school_id,
        name: name.to_string(),
        kind,
        level,
        host_teacher_id: host.teacher_id,
        start_day,
    };
    let mut tx = store.begin().await?;
    let id = tx.insert_studio(actor, &new, now).await?;
    for m in &members {
        tx.add_studio_member(actor, id, m.teacher_id, start_day).await?;
    }
    let detail = format!("{}，主持人{}，成员{}人", kind.label(), host.name, members.len());
    tx.audit(actor, now, "studio_create", &format!("studio:{id}"), &detail).await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds members by 工号 (the bureau); returns how many were new.
pub async fn add_members(
    store: &Store,
    actor: &Actor,
    id: i64,
    raw: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    if !actor.role.runs_teacher_development() {
        return Err(AppError::Forbidden);
    }
    store.studio_row(actor, id).await?;
    let staff = TermStaff::of(store, actor, today).await?;
    let members = staff.many("成员工号", raw)?;
    let mut tx = store.begin().await?;
    let mut added = 0;
    for m in &members {
        added += usize::from(tx.add_studio_member(actor, id, m.teacher_id, today).await?);
    }
    tx.audit(actor, now, "studio_members", &format!("studio:{id}"), &format!("新增成员{added}人")).await?;
    tx.commit().await?;
    Ok(added)
}

/// A year's plan as the form sends it: goals and a count per activity kind (field `n_<kind key>`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanForm {
    pub start_year: String,
    #[serde(default)]
    pub goals: String,
    #[serde(flatten)]
    pub counts: HashMap<String, String>,
}

/// Writes the year's plan (the host, the host's school or the bureau).
pub async fn put_plan(store: &Store, actor: &Actor, id: i64, f: &PlanForm, now: DateTime<Utc>) -> Result<(), AppError> {
    store.studio_row(actor, id).await?;
    eduq_core::text::check_field("年度目标", &f.goals, eduq_core::text::FIELD_CHARS).map_err(AppError::Invalid)?;
    let start_year = match f.start_year.trim().parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => y,
        _ => return Err(AppError::Invalid(format!("学年“{}”无效", f.start_year))),
    };
    let fields: Vec<(ActivityKind, String)> = ActivityKind::ALL
        .iter()
        .map(|k| (*k, f.counts.get(&format!("n_{}", k.key())).cloned().unwrap_or_default()))
        .collect();
    let targets = parse_targets(&fields).map_err(invalid)?;
    let mut tx = store.begin().await?;
    tx.put_studio_plan(actor, id, start_year, f.goals.trim(), &targets, now).await?;
    tx.audit(actor, now, "studio_plan", &format!("studio:{id}"), &format!("{start_year}学年计划")).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActivityForm {
    pub kind: String,
    pub title: String,
    pub day: String,
    #[serde(default)]
    pub place: String,
    pub participants: String,
    #[serde(default)]
    pub note: String,
}

/// Logs an activity (the host, the host's school or the bureau); returns its id, to which evidence
/// files attach through the shared case tables.
pub async fn log_activity(
    store: &Store,
    actor: &Actor,
    id: i64,
    f: &ActivityForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    use eduq_core::text::{CELL_CHARS, FIELD_CHARS, check_field};
    store.studio_row(actor, id).await?;
    let kind = ActivityKind::parse(&f.kind).map_err(invalid)?;
    let title = f.title.trim();
    if title.is_empty() {
        return Err(AppError::Invalid("活动主题必填".into()));
    }
    check_field("活动主题", title, CELL_CHARS).map_err(AppError::Invalid)?;
    check_field("地点", &f.place, CELL_CHARS).map_err(AppError::Invalid)?;
    check_field("备注", &f.note, FIELD_CHARS).map_err(AppError::Invalid)?;
    let on = day("活动日期", &f.day)?;
    if on > today {
        return Err(AppError::Invalid(format!("活动日期{on}晚于今天")));
    }
    let participants = match f.participants.trim().parse::<i64>() {
        Ok(n) if (1..=100_000).contains(&n) => n,
        _ => return Err(AppError::Invalid(format!("参与人数“{}”应为正整数", f.participants.trim()))),
    };
    let new = NewActivity {
        studio_id: id,
        kind,
        title: title.to_string(),
        day: on,
        place: f.place.trim().to_string(),
        participants,
        note: f.note.trim().to_string(),
    };
    let mut tx = store.begin().await?;
    let activity = tx.insert_studio_activity(actor, &new, now).await?;
    let note = format!("{}：{title}（{participants}人）", kind.label());
    tx.add_case_event(actor, Subject::StudioActivity, activity, "activity", on, None, &note, now).await?;
    tx.commit().await?;
    Ok(activity)
}

/// A studio's year: plan against activities, the activities, the assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudioView {
    pub row: StudioRow,
    pub members: Vec<StudioMember>,
    pub start_year: i32,
    pub plan: Option<PlanRow>,
    pub progress: Vec<KindProgress>,
    pub activities: Vec<ActivityRow>,
    /// Evidence files per activity.
    pub files: HashMap<i64, Vec<eduq_store::casework::EvidenceMeta>>,
    pub assessments: Vec<AssessmentRow>,
    /// The caller logs this studio's plan and work.
    pub logs: bool,
    pub decides: bool,
}

pub async fn view(store: &Store, actor: &Actor, id: i64, start_year: i32) -> Result<StudioView, AppError> {
    let (row, members, plans, all, assessments) = store.studio(actor, id).await?;
    let (from, to) = year_bounds(start_year);
    let activities: Vec<ActivityRow> = all.into_iter().filter(|a| (from..=to).contains(&a.day)).collect();
    let plan = plans.into_iter().find(|p| p.start_year == start_year);
    let kinds: Vec<ActivityKind> = activities.iter().map(|a| a.kind).collect();
    let progress = progress(plan.as_ref().map_or(&BTreeMap::new(), |p| &p.targets), &kinds);
    let ids: Vec<i64> = activities.iter().map(|a| a.id).collect();
    let files = store.evidence_lists(actor, Subject::StudioActivity, &ids).await?;
    let logs = store.logs_for_studio(actor, id).await?;
    Ok(StudioView {
        row,
        members,
        start_year,
        plan,
        progress,
        activities,
        files,
        assessments,
        logs,
        decides: actor.role.runs_teacher_development(),
    })
}

/// The rubric a studio is assessed on: the version asked for, else the newest 工作室 rubric.
pub async fn rubric(store: &Store, actor: &Actor, id: Option<i64>) -> Result<Option<(i64, Rubric)>, AppError> {
    let rubrics = store.rubrics(actor).await?;
    let pick = match id {
        Some(id) => rubrics.iter().find(|r| r.id == id),
        None => rubrics.iter().filter(|r| r.key == RUBRIC_KEY).max_by_key(|r| r.id),
    };
    match pick {
        Some(r) => Ok(Some((r.id, store.rubric(actor, r.id).await?))),
        None => Ok(None),
    }
}

/// Scores a year's assessment on a rubric version (the bureau): `entries` are (item code, mark
/// as typed); every item must be marked. Returns what the marks add up to.
pub async fn assess(
    store: &Store,
    actor: &Actor,
    id: i64,
    start_year: i32,
    rubric_id: i64,
    entries: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    if !actor.role.runs_teacher_development() {
        return Err(AppError::Forbidden);
    }
    store.studio_row(actor, id).await?;
    let rubric = store.rubric(actor, rubric_id).await?;
    let typed: HashMap<&str, &str> = entries.iter().map(|(c, v)| (c.as_str(), v.as_str())).collect();
    let (mut marks, mut shown, mut errors) = (HashMap::new(), BTreeMap::new(), vec![]);
    for item in &rubric.items {
        match eduq_core::inspection::parse_mark(item, &rubric, typed.get(item.code.as_str()).copied().unwrap_or("")) {
            Ok(Some(m)) => {
                shown.insert(item.code.clone(), eduq_core::inspection::mark_text(&m));
                marks.insert(item.code.clone(), m);
            }
            Ok(None) => errors.push(format!("编号“{}”未评定", item.code)),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors.join("；")));
    }
    let outcome = rubric.score(&marks).map_err(|e| AppError::Invalid(e.join("；")))?;
    let mut tx = store.begin().await?;
    tx.put_studio_assessment(actor, id, start_year, rubric_id, &shown, &outcome, now).await?;
    let detail = format!(
        "{}学年考核：{:.1}/{:.1}，{}",
        start_year,
        outcome.score,
        outcome.max,
        outcome.band.as_deref().unwrap_or("—")
    );
    tx.audit(actor, now, "studio_assess", &format!("studio:{id}"), &detail).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// What a stored assessment's marks add up to on its rubric (the breakdown by domain).
pub fn outcome_of(rubric: &Rubric, a: &AssessmentRow) -> Option<Outcome> {
    let marks: HashMap<String, Mark> = rubric
        .items
        .iter()
        .filter_map(|i| {
            let raw = a.marks.get(&i.code)?;
            eduq_core::inspection::parse_mark(i, rubric, raw).ok().flatten().map(|m| (i.code.clone(), m))
        })
        .collect();
    rubric.score(&marks).ok()
}

/// One studio's line on the district board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudioLine {
    pub row: StudioRow,
    pub planned: i64,
    pub done: i64,
    pub outreach: i64,
    pub participants: i64,
    pub band: Option<String>,
}

/// The district's studios in a school year: activity against plan, by kind and month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudioBoard {
    pub start_year: i32,
    pub lines: Vec<StudioLine>,
    /// Activities per kind, every studio.
    pub by_kind: Vec<(ActivityKind, i64)>,
    /// Activities per month (YYYY-MM), every studio.
    pub by_month: Vec<(String, i64)>,
    /// The year's activities, oldest first.
    pub activities: Vec<ActivityRow>,
}

pub async fn board(store: &Store, actor: &Actor, start_year: i32) -> Result<StudioBoard, AppError> {
    let studios = store.studios(actor).await?;
    let (from, to) = year_bounds(start_year);
    let (activities, plans, assessed) = tokio::try_join!(
        store.studio_activities(actor, from, to),
        store.studio_plans(actor, start_year),
        store.studio_assessments(actor, start_year)
    )?;
    let mut lines = Vec::with_capacity(studios.len());
    for row in studios {
        let mine: Vec<&ActivityRow> = activities.iter().filter(|a| a.studio_id == row.id).collect();
        let band = assessed.get(&row.id).and_then(|a| a.band.clone());
        lines.push(StudioLine {
            planned: plans.get(&row.id).map_or(0, |p| p.targets.values().sum()),
            done: mine.len() as i64,
            outreach: mine.iter().filter(|a| a.kind == ActivityKind::Outreach).count() as i64,
            participants: mine.iter().map(|a| a.participants).sum(),
            band,
            row,
        });
    }
    let by_kind =
        ActivityKind::ALL.iter().map(|k| (*k, activities.iter().filter(|a| a.kind == *k).count() as i64)).collect();
    let mut months: BTreeMap<String, i64> = BTreeMap::new();
    for a in &activities {
        *months.entry(a.day.format("%Y-%m").to_string()).or_default() += 1;
    }
    Ok(StudioBoard { start_year, lines, by_kind, by_month: months.into_iter().collect(), activities })
}

/// The board as a workbook: one line per studio, then every activity of the year.
pub fn workbook(b: &StudioBoard) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let text = |s: &str| Cell::Text(s.to_string());
    let num = |v: i64| Cell::Number(v as f64);
    let lines: Vec<Vec<Cell>> = b
        .lines
        .iter()
        .map(|l| {
            vec![
                text(&l.row.name),
                text(l.row.kind.label()),
                text(l.row.level.label()),
                text(&l.row.host_name),
                text(&l.row.school_name),
                num(l.planned),
                num(l.done),
                num(l.outreach),
                num(l.participants),
                text(l.band.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    let names: HashMap<i64, &str> = b.lines.iter().map(|l| (l.row.id, l.row.name.as_str())).collect();
    let activities: Vec<Vec<Cell>> = b
        .activities
        .iter()
        .map(|a| {
            vec![
                text(names.get(&a.studio_id).copied().unwrap_or("")),
                text(&a.day.to_string()),
                text(a.kind.label()),
                text(&a.title),
                text(&a.place),
                num(a.participants),
            ]
        })
        .collect();
    let year = format!("{}-{}学年", b.start_year, b.start_year + 1);
    Ok(write_workbook(&[
        Sheet {
            name: "工作室",
            title: vec![format!("{year}工作室活动")],
            headers: &[
                "工作室",
                "类别",
                "级别",
                "主持人",
                "主持人学校",
                "计划活动",
                "已开展",
                "送教下乡",
                "参与人次",
                "年度考核",
            ],
            rows: &lines,
        },
        Sheet {
            name: "活动",
            title: vec![format!("{year}工作室活动明细")],
            headers: &["工作室", "日期", "类型", "主题", "地点", "参与人数"],
            rows: &activities,
        },
    ])?)
}

/// The studio an activity belongs to.
pub async fn activity_studio(store: &Store, actor: &Actor, activity: i64) -> Result<i64, AppError> {
    Ok(store.studio_activity(actor, activity).await?.studio_id)
}
