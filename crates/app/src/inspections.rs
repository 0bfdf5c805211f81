//! Inspections (督导): planned by the bureau or by a 责任督学 for the schools of the 责任区, assessed
//! by the school (自评) and scored by the inspector on a rubric version, items measured by an eduq
//! indicator marking themselves, closed with the rubric's outcome, and reported (A4 and xlsx) with
//! the school's earlier inspections and the problems found.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource, Role};
use eduq_core::calendar::Term;
use eduq_core::casework::Subject;
use eduq_core::inspection::{InspectionKind, InspectionState, Side, indicator_mark, mark_text, parse_mark};
use eduq_core::rubric::{Item, Mark, Outcome, Rubric};
use eduq_exchange::table::{Cell, Sheet, write_workbook};
use eduq_store::Store;
use eduq_store::inspections::NewInspection;
pub use eduq_store::inspections::{InspectionQuery, InspectionRow, MarkRow};
use serde::Serialize;

use crate::AppError;
use crate::problems::ProblemRow;

fn core(e: eduq_core::CoreError) -> AppError {
    AppError::Invalid(e.to_string())
}

/// What planning an inspection names.
#[derive(Debug, Clone)]
pub struct PlanForm {
    pub school_id: i64,
    pub kind: InspectionKind,
    pub title: String,
    pub rubric_id: i64,
    /// The inspector's user name; an inspector planning a visit plans it for themself.
    pub inspector: String,
    pub planned_on: NaiveDate,
}

/// Plans an inspection: the bureau for any school, an inspector for the schools of the 责任区; a
/// school its own monthly 安全隐患排查.
pub async fn plan(store: &Store, actor: &Actor, f: &PlanForm, now: DateTime<Utc>) -> Result<i64, AppError> {
    let allowed = if f.kind.by_school() { actor.role.answers_problems() } else { actor.role.inspects() };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if !actor.scope.covers_school(f.school_id) {
        return Err(AppError::Invalid("只能安排您负责的学校的督导".into()));
    }
    let school = store.school(actor, f.school_id, None).await?;
    let title = f.title.trim();
    if title.is_empty() {
        return Err(AppError::Invalid("请填写督导名称".into()));
    }
    eduq_core::text::check_field("督导名称", title, eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    let inspector = if actor.role == Role::Inspector || f.kind.by_school() {
        actor.username.clone()
    } else {
        f.inspector.trim().to_string()
    };
    if !f.kind.by_school() {
        let user = store
            .system()
            .user_by_name(&inspector)
            .await?
            .filter(|u| u.role.inspects() && u.active)
            .ok_or_else(|| AppError::Invalid(format!("“{inspector}”不是在用的督学或督导室账号")))?;
        if user.role == Role::Inspector && !store.system().bindings(user.id).await?.school_ids.contains(&school.id) {
            return Err(AppError::Invalid(format!("{}不在督学“{}”的责任区内", school.name, user.display_name)));
        }
    }
    store.rubric(actor, f.rubric_id).await?;
    let (district_id, _) = store.district().await?;
    let new = NewInspection {
        district_id,
        school_id: school.id,
        kind: f.kind,
        title: title.to_string(),
        rubric_id: f.rubric_id,
        inspector,
        planned_on: f.planned_on,
    };
    let mut tx = store.begin().await?;
    let id = tx.insert_inspection(actor, &new).await?;
    let note = format!("{}：{}（{}，督学{}）", f.kind.label(), new.title, new.planned_on, new.inspector);
    tx.add_case_event(actor, Subject::Inspection, id, "plan", f.planned_on, None, &note, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Inspections in scope.
pub async fn list(store: &Store, actor: &Actor, q: &InspectionQuery) -> Result<Vec<InspectionRow>, AppError> {
    Ok(store.inspections(actor, q).await?)
}

/// One item of the rubric as the scoring page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemView {
    pub item: Item,
    pub school: Option<MarkRow>,
    pub inspector: Option<MarkRow>,
    /// The school's value of the item's indicator and its verdict, where eduq measures it.
    pub measured: Option<Measured>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    pub text: String,
    pub meets: Option<bool>,
}

/// An inspection with its rubric, both sides' marks and outcomes, the problems it raised and the
/// school's earlier inspections.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionView {
    pub row: InspectionRow,
    pub rubric: Rubric,
    pub items: Vec<ItemView>,
    pub school_outcome: Outcome,
    pub inspector_outcome: Outcome,
    /// The outcome of the side that scores this kind ([`InspectionKind::scored_side`]).
    pub outcome: Outcome,
    pub problems: Vec<ProblemRow>,
    pub history: Vec<InspectionRow>,
}

fn marks_of(rubric: &Rubric, rows: &[MarkRow], side: Side) -> HashMap<String, Mark> {
    rows.iter()
        .filter(|m| m.side == side)
        .filter_map(|m| {
            let item = rubric.items.iter().find(|i| i.code == m.item_code)?;
            parse_mark(item, rubric, &m.mark).ok().flatten().map(|mark| (m.item_code.clone(), mark))
        })
        .collect()
}

/// The school's values of the indicators the rubric's items are measured by, in the term of `on`.
/// The inspection's school is in the caller's scope (checked by the read before); the values are
/// that school's only, so a role that does not read the indicator library reads them here.
async fn measured(
    store: &Store,
    rubric: &Rubric,
    school_id: i64,
    on: NaiveDate,
) -> Result<HashMap<String, Measured>, AppError> {
    let mut out = HashMap::new();
    if rubric.items.iter().all(|i| i.indicator.is_none()) {
        return Ok(out);
    }
    let library = crate::indicators::library(store, &Actor::system(), Term::containing(on)).await?;
    for v in library.iter() {
        if let Some(s) = v.schools.iter().find(|s| s.school_id == school_id)
            && let Some(x) = s.value.value
        {
            let target = v.indicator.target.map(|t| format!("（目标{}{}）", t, v.indicator.unit)).unwrap_or_default();
            out.insert(
                v.indicator.key.to_string(),
                Measured {
                    text: format!("{}：{:.2}{}{target}", v.indicator.name, x, v.indicator.unit),
                    meets: s.meets,
                },
            );
        }
    }
    Ok(out)
}

pub async fn view(store: &Store, actor: &Actor, id: i64) -> Result<InspectionView, AppError> {
    let (row, marks) = store.inspection(actor, id).await?;
    let rubric = store.rubric(actor, row.rubric_id).await?;
    let values = measured(store, &rubric, row.school_id, row.planned_on).await?;
    let pick = |code: &str, side| marks.iter().find(|m| m.item_code == code && m.side == side).cloned();
    let items = rubric
        .items
        .iter()
        .map(|i| ItemView {
            item: i.clone(),
            school: pick(&i.code, Side::School),
            inspector: pick(&i.code, Side::Inspector),
            measured: i.indicator.as_ref().and_then(|k| values.get(k).cloned()),
        })
        .collect();
    let score = |side| rubric.score(&marks_of(&rubric, &marks, side)).map_err(|e| AppError::Invalid(e.join("；")));
    let (school_outcome, inspector_outcome) = (score(Side::School)?, score(Side::Inspector)?);
    let outcome =
        if row.kind.scored_side() == Side::School { school_outcome.clone() } else { inspector_outcome.clone() };
    let q = crate::problems::ProblemQuery { inspection_id: Some(id), limit: 500, ..Default::default() };
    let (problems, _) = store.problems(actor, &q).await?;
    let mut history =
        store.inspections(actor, &InspectionQuery { school_id: Some(row.school_id), ..Default::default() }).await?;
    history.retain(|h| h.id != id);
    Ok(InspectionView { row, rubric, items, school_outcome, inspector_outcome, outcome, problems, history })
}

/// One item's entry of a marking form: the item code, the mark as typed, a note.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub code: String,
    pub mark: String,
    pub note: String,
}

/// Saves one side's marks in one transaction: the school's self-assessment (its administrator) or
/// the inspector's scoring. Every entry is checked first and every error names its item; an
/// empty mark clears the item. An inspector's blank item measured by an indicator with a verdict
/// marks itself.
pub async fn save_marks(
    store: &Store,
    actor: &Actor,
    id: i64,
    side: Side,
    entries: &[Entry],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let allowed = match side {
        Side::School => actor.role.answers_problems(),
        Side::Inspector => actor.role.inspects(),
    };
    if !allowed || !actor.role.may_write(Resource::Supervision) {
        return Err(AppError::Invalid(match side {
            Side::School => "学校自评由学校管理员填写".into(),
            Side::Inspector => "督导评定由督学或督导室填写".into(),
        }));
    }
    let (row, _) = store.inspection(actor, id).await?;
    eduq_core::inspection::may_mark(row.state).map_err(core)?;
    let rubric = store.rubric(actor, row.rubric_id).await?;
    let values = if side == Side::Inspector {
        measured(store, &rubric, row.school_id, row.planned_on).await?
    } else {
        HashMap::new()
    };
    let mut errors = Vec::new();
    let mut put: Vec<(String, String, String, bool)> = Vec::new();
    for e in entries {
        let Some(item) = rubric.items.iter().find(|i| i.code == e.code) else {
            errors.push(format!("没有编号为“{}”的评估要点", e.code));
            continue;
        };
        if e.note.chars().count() > eduq_core::text::FIELD_CHARS {
            errors.push(format!("编号“{}”的说明过长", e.code));
            continue;
        }
        match parse_mark(item, &rubric, &e.mark) {
            Ok(Some(m)) => put.push((e.code.clone(), mark_text(&m), e.note.trim().to_string(), false)),
            Ok(None) => {
                let auto = item.indicator.as_ref().and_then(|k| values.get(k)).and_then(|v| v.meets.map(|ok| (ok, v)));
                match auto {
                    Some((ok, v)) => put.push((
                        e.code.clone(),
                        mark_text(&indicator_mark(item, &rubric, ok)),
                        format!("按平台指标自动评定：{}", v.text),
                        true,
                    )),
                    None => put.push((e.code.clone(), String::new(), String::new(), false)),
                }
            }
            Err(err) => errors.push(err.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors.join("；")));
    }
    let marked = put.iter().filter(|p| !p.1.is_empty()).count();
    let mut tx = store.begin().await?;
    for (code, mark, note, auto) in &put {
        tx.put_mark(actor, id, side, code, mark, note, *auto, now).await?;
    }
    let kind = if side == Side::School { "self_assess" } else { "score" };
    if side == Side::School && row.state == InspectionState::Planned {
        tx.set_inspection_state(id, InspectionState::SelfAssessed).await?;
    }
    let note = format!("{}：评定{}项", side.label(), marked);
    tx.add_case_event(actor, Subject::Inspection, id, kind, today, None, &note, now).await?;
    tx.commit().await?;
    Ok(marked)
}

/// Closes the inspection with the scoring side's outcome (every applicable item marked): the
/// inspector's, or the school's for its own 排查.
pub async fn close(
    store: &Store,
    actor: &Actor,
    id: i64,
    summary: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<eduq_core::inspection::Closed, AppError> {
    let (row, marks) = store.inspection(actor, id).await?;
    let side = row.kind.scored_side();
    let allowed = if side == Side::School { actor.role.answers_problems() } else { actor.role.inspects() };
    if !allowed {
        return Err(AppError::Invalid(if side == Side::School {
            "排查由学校管理员完成".into()
        } else {
            "督导由督学或督导室完成".into()
        }));
    }
    eduq_core::inspection::may_mark(row.state).map_err(core)?;
    eduq_core::text::check_field("督导意见", summary.trim(), eduq_core::text::FIELD_CHARS)
        .map_err(AppError::Invalid)?;
    let rubric = store.rubric(actor, row.rubric_id).await?;
    let closed = eduq_core::inspection::close(&rubric, &marks_of(&rubric, &marks, side)).map_err(core)?;
    let mut tx = store.begin().await?;
    tx.close_inspection(id, &closed, summary.trim(), today).await?;
    let note =
        format!("得分{:.1}，等级{}{}", closed.score, closed.band, if closed.vetoed { "（一票否决）" } else { "" });
    tx.add_case_event(actor, Subject::Inspection, id, "close", today, None, &note, now).await?;
    tx.commit().await?;
    Ok(closed)
}

fn pct(p: Option<f64>) -> String {
    p.map_or("—".into(), |v| format!("{v:.1}%"))
}

/// The report as a workbook: the outcome by domain, every item with both sides' marks, the
/// problems found and the school's earlier inspections. Returns the file name and bytes.
pub async fn report_xlsx(store: &Store, actor: &Actor, id: i64) -> Result<(String, Vec<u8>), AppError> {
    let v = view(store, actor, id).await?;
    let o = &v.outcome;
    let title = vec![
        format!("{} · {}（{}）", v.row.school_name, v.row.title, v.row.kind.label()),
        format!(
            "指标体系：{} {}；督学：{}；日期：{}",
            v.rubric.name, v.rubric.version, v.row.inspector, v.row.planned_on
        ),
        format!(
            "得分：{:.1}/{:.1}（{}）；等级：{}{}",
            o.score,
            o.max,
            pct(o.percent),
            o.band.clone().unwrap_or_else(|| "未完成".into()),
            if o.vetoed_by.is_empty() {
                String::new()
            } else {
                format!("；一票否决：{}", o.vetoed_by.join("、"))
            }
        ),
    ];
    let domains: Vec<Vec<Cell>> = o
        .domains
        .iter()
        .map(|d| {
            vec![
                d.domain.clone().into(),
                d.score.into(),
                d.max.into(),
                pct((d.max > 0.0).then(|| d.score / d.max * 100.0)).into(),
            ]
        })
        .collect();
    let text = |m: &Option<MarkRow>| m.as_ref().map_or(String::new(), |m| m.mark.clone());
    let items: Vec<Vec<Cell>> = v
        .items
        .iter()
        .map(|i| {
            vec![
                i.item.code.clone().into(),
                i.item.domain.clone().into(),
                i.item.text.clone().into(),
                i.item.points.into(),
                i.item.method.label().into(),
                text(&i.school).into(),
                text(&i.inspector).into(),
                i.inspector.as_ref().map_or(String::new(), |m| m.note.clone()).into(),
            ]
        })
        .collect();
    let problems: Vec<Vec<Cell>> = v
        .problems
        .iter()
        .map(|p| {
            vec![
                p.notice_no.clone().into(),
                p.item_code.clone().into(),
                p.description.clone().into(),
                p.problem.severity.label().into(),
                p.problem.deadline.to_string().into(),
                p.problem.state.label().into(),
            ]
        })
        .collect();
    let history: Vec<Vec<Cell>> = v
        .history
        .iter()
        .map(|h| {
            vec![
                h.planned_on.to_string().into(),
                h.kind.label().into(),
                h.title.clone().into(),
                h.outcome.as_ref().map_or(String::new(), |c| format!("{:.1}", c.score)).into(),
                h.outcome.as_ref().map_or(h.state.label().to_string(), |c| c.band.clone()).into(),
            ]
        })
        .collect();
    let bytes = write_workbook(&[
        Sheet { name: "得分", title, headers: &["一级指标", "得分", "满分", "得分率"], rows: &domains },
        Sheet {
            name: "评定明细",
            title: vec![],
            headers: &["编号", "一级指标", "评估要点", "分值", "评分方式", "学校自评", "督学评定", "说明"],
            rows: &items,
        },
        Sheet {
            name: "发现问题",
            title: vec![],
            headers: &["通知书编号", "指标编号", "问题", "严重程度", "整改期限", "状态"],
            rows: &problems,
        },
        Sheet {
            name: "历次督导", title: vec![], headers: &["日期", "类别", "名称", "得分", "等级"], rows: &history
        },
    ])?;
    Ok((format!("督导报告-{}-{}.xlsx", v.row.school_name, v.row.planned_on), bytes))
}

/// The 责任督学's 挂牌督导月报 line for one school: visits, items found wanting, problems raised and
/// closed in the month and open at its end.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MonthLine {
    pub school_id: i64,
    pub school_name: String,
    pub visits: u32,
    pub visit_dates: Vec<NaiveDate>,
    pub raised: u32,
    pub closed: u32,
    pub open_at_end: u32,
    pub overdue_at_end: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthReport {
    pub inspector: String,
    pub year: i32,
    pub month: u32,
    pub lines: Vec<MonthLine>,
}

fn month_bounds(year: i32, month: u32) -> Result<(NaiveDate, NaiveDate), AppError> {
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| AppError::Invalid("月份无效".into()))?;
    let next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    Ok((first, next.and_then(|d| d.pred_opt()).unwrap_or(first)))
}

/// The monthly report of an inspector (the caller, or for the bureau any inspector) over the
/// schools of the caller's scope that the inspector visited or that have the inspector's problems.
pub async fn month_report(
    store: &Store,
    actor: &Actor,
    inspector: &str,
    year: i32,
    month: u32,
) -> Result<MonthReport, AppError> {
    if !actor.role.may_read(Resource::Supervision) || !actor.role.inspects() {
        return Err(AppError::Forbidden);
    }
    let inspector = if actor.role == Role::Inspector { actor.username.clone() } else { inspector.trim().to_string() };
    let (from, to) = month_bounds(year, month)?;
    let visits = store
        .inspections(
            actor,
            &InspectionQuery {
                inspector: Some(inspector.clone()),
                state: Some(InspectionState::Closed),
                from: Some(from),
                to: Some(to),
                ..Default::default()
            },
        )
        .await?;
    let facts = store.problem_facts(actor, None, Some(&inspector)).await?;
    let schools: std::collections::BTreeSet<(String, i64)> = visits
        .iter()
        .map(|v| (v.school_name.clone(), v.school_id))
        .chain(facts.iter().map(|f| (f.school_name.clone(), f.school_id)))
        .collect();
    let mut lines = Vec::new();
    for (school_name, school_id) in schools {
        let mut l = MonthLine { school_id, school_name, ..Default::default() };
        for v in visits.iter().filter(|v| v.school_id == school_id) {
            l.visits += 1;
            l.visit_dates.push(v.planned_on);
        }
        for f in facts.iter().filter(|f| f.school_id == school_id) {
            let p = &f.problem;
            if (from..=to).contains(&p.raised_on) {
                l.raised += 1;
            }
            if f.closed_on.is_some_and(|d| (from..=to).contains(&d)) {
                l.closed += 1;
            }
            if p.raised_on <= to && f.closed_on.is_none_or(|d| d > to) {
                l.open_at_end += 1;
                if p.deadline < to && p.rectified_on.is_none_or(|d| d > to) {
                    l.overdue_at_end += 1;
                }
            }
        }
        lines.push(l);
    }
    Ok(MonthReport { inspector, year, month, lines })
}

/// The monthly report as the workbook inspectors hand in.
pub async fn month_report_xlsx(
    store: &Store,
    actor: &Actor,
    inspector: &str,
    year: i32,
    month: u32,
) -> Result<(String, Vec<u8>), AppError> {
    let r = month_report(store, actor, inspector, year, month).await?;
    let rows: Vec<Vec<Cell>> = r
        .lines
        .iter()
        .map(|l| {
            vec![
                l.school_name.clone().into(),
                i64::from(l.visits).into(),
                l.visit_dates.iter().map(|d| d.day().to_string()).collect::<Vec<_>>().join("、").into(),
                i64::from(l.raised).into(),
                i64::from(l.closed).into(),
                i64::from(l.open_at_end).into(),
                i64::from(l.overdue_at_end).into(),
            ]
        })
        .collect();
    let title =
        vec![format!("责任督学挂牌督导月报（{}年{}月）", r.year, r.month), format!("责任督学：{}", r.inspector)];
    let bytes = write_workbook(&[Sheet {
        name: "月报",
        title,
        headers: &["学校", "督导次数", "督导日期", "新发现问题", "本月销号", "月末未销号", "月末逾期"],
        rows: &rows,
    }])?;
    Ok((format!("挂牌督导月报-{}-{}年{}月.xlsx", r.inspector, r.year, r.month), bytes))
}

/// A school's 督导档案: its inspections (scores over the years), the tally of its problems and
/// the ones not closed yet. Empty for roles that do not read 督导.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SchoolFile {
    pub inspections: Vec<InspectionRow>,
    pub tally: eduq_core::supervision::Tally,
    pub open: Vec<ProblemRow>,
}

pub async fn school_file(
    store: &Store,
    actor: &Actor,
    school_id: i64,
    today: NaiveDate,
) -> Result<SchoolFile, AppError> {
    if !actor.role.may_read(Resource::Supervision) {
        return Ok(SchoolFile::default());
    }
    let inspections =
        store.inspections(actor, &InspectionQuery { school_id: Some(school_id), ..Default::default() }).await?;
    // A school's problems over the years number in the tens; the register's limit bounds the read.
    let q = crate::problems::ProblemQuery { school_id: Some(school_id), limit: 1000, ..Default::default() };
    let (rows, _) = store.problems(actor, &q).await?;
    let mut tally = eduq_core::supervision::Tally::default();
    for r in &rows {
        tally.add(&r.problem, today);
    }
    let open = rows.into_iter().filter(|r| r.problem.state != eduq_core::supervision::ProblemState::Closed).collect();
    Ok(SchoolFile { inspections, tally, open })
}

/// Imports inspection plans (a year's 综合督导 list, a term's 专项督导 for all schools, each
/// 责任督学's visits): every row checked (the school in the caller's scope, the rubric version
/// stored, the inspector an active 督学 whose 责任区 holds the school), then all in one transaction
/// or none. A plan already held (same school, kind, name and day) changes nothing.
pub async fn import_plans(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    now: DateTime<Utc>,
) -> Result<crate::imports::Imported, AppError> {
    use eduq_exchange::RowError;
    if !actor.role.inspects() {
        return Err(AppError::Forbidden);
    }
    let table = crate::parsing::read_upload(actor.user_id, bytes, file_name).await?;
    let lines = eduq_exchange::supervision::read_plan_lines(&table)?;
    let codes = store.school_ids_by_code().await?;
    // The caller's schools as the store scopes them: a row for any other school is refused.
    let mine: std::collections::HashSet<i64> = store.list_schools(actor, None).await?.iter().map(|s| s.id).collect();
    let rubrics = store.rubrics(actor).await?;
    let mut errors = Vec::new();
    let mut fail = |row, column: &str, value: &str, message: &str| {
        errors.push(RowError { row, column: column.into(), value: value.into(), message: message.into() })
    };
    // Each named inspector once: `None` when not an active inspector, else the 责任区 (`None` for
    // the 督导室's staff, who inspect any school).
    let mut inspectors: HashMap<String, Option<Option<Vec<i64>>>> = HashMap::new();
    // Plans already held (same school, kind, name and day) are left as they are, unchecked: an
    // export of the plans imports again as nothing new.
    let held: std::collections::HashSet<(i64, InspectionKind, String, NaiveDate)> = store
        .inspections(actor, &InspectionQuery::default())
        .await?
        .into_iter()
        .map(|r| (r.school_id, r.kind, r.title, r.planned_on))
        .collect();
    let mut unchanged = 0;
    let mut ready = Vec::new();
    for l in &lines {
        let Some(&school_id) = codes.get(&l.school_code) else {
            fail(l.row, "学校标识码", &l.school_code, "学校不存在");
            continue;
        };
        if !mine.contains(&school_id) {
            fail(l.row, "学校标识码", &l.school_code, "不是您负责的学校");
            continue;
        }
        if held.contains(&(school_id, l.kind, l.title.clone(), l.planned_on)) {
            unchanged += 1;
            continue;
        }
        if l.kind.by_school() {
            fail(l.row, "督导类别", l.kind.label(), "学校自查由学校在平台上开展，不从文件导入");
            continue;
        }
        let Some(rubric) = rubrics.iter().find(|r| r.key == l.rubric_key && r.version == l.rubric_version) else {
            fail(l.row, "版本", &l.rubric_version, &format!("指标体系“{}”没有此版本", l.rubric_key));
            continue;
        };
        let name = if actor.role == Role::Inspector { actor.username.clone() } else { l.inspector.clone() };
        if !inspectors.contains_key(&name) {
            let found = match store.system().user_by_name(&name).await? {
                Some(u) if u.active && u.role == Role::Inspector => {
                    Some(Some(store.system().bindings(u.id).await?.school_ids))
                }
                Some(u) if u.active && u.role.inspects() => Some(None),
                _ => None,
            };
            inspectors.insert(name.clone(), found);
        }
        match &inspectors[&name] {
            None => fail(l.row, "督学", &l.inspector, "不是在用的督学或督导室账号"),
            Some(Some(area)) if !area.contains(&school_id) => {
                fail(l.row, "督学", &l.inspector, "该学校不在此督学的责任区内")
            }
            Some(_) => ready.push((l, school_id, rubric.id, name)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    let (district_id, _) = store.district().await?;
    let mut done = crate::imports::Imported { added: 0, unchanged };
    let mut seen = std::collections::HashSet::new();
    let mut tx = store.begin().await?;
    for (l, school_id, rubric_id, inspector) in ready {
        if !seen.insert((school_id, l.kind, l.title.clone(), l.planned_on)) {
            done.unchanged += 1;
            continue;
        }
        let new = NewInspection {
            district_id,
            school_id,
            kind: l.kind,
            title: l.title.clone(),
            rubric_id,
            inspector,
            planned_on: l.planned_on,
        };
        let id = tx.insert_inspection(actor, &new).await?;
        let note = format!(
            "{}：{}（{}，督学{}，导入自{file_name}）",
            l.kind.label(),
            new.title,
            new.planned_on,
            new.inspector
        );
        tx.add_case_event(actor, Subject::Inspection, id, "plan", l.planned_on, None, &note, now).await?;
        done.added += 1;
    }
    tx.commit().await?;
    Ok(done)
}

/// The inspections in scope in the import layout, with state, score and 等级 after it.
pub async fn export_plans(store: &Store, actor: &Actor) -> Result<Vec<u8>, AppError> {
    let codes: HashMap<i64, String> = store.school_ids_by_code().await?.into_iter().map(|(c, id)| (id, c)).collect();
    let rubrics: HashMap<i64, (String, String)> =
        store.rubrics(actor).await?.into_iter().map(|r| (r.id, (r.key, r.version))).collect();
    let rows: Vec<Vec<Cell>> = store
        .inspections(actor, &InspectionQuery::default())
        .await?
        .into_iter()
        .map(|r| {
            let (key, version) = rubrics.get(&r.rubric_id).cloned().unwrap_or_default();
            vec![
                codes.get(&r.school_id).cloned().unwrap_or_default().into(),
                r.kind.label().into(),
                r.title.into(),
                key.into(),
                version.into(),
                r.inspector.into(),
                r.planned_on.to_string().into(),
                r.state.label().into(),
                r.outcome.as_ref().map_or(String::new(), |o| format!("{:.1}", o.score)).into(),
                r.outcome.map_or(String::new(), |o| o.band).into(),
            ]
        })
        .collect();
    let mut headers = eduq_exchange::supervision::PLAN_HEADERS.to_vec();
    headers.extend_from_slice(&["状态", "得分", "等级"]);
    Ok(eduq_exchange::table::write_xlsx("督导安排", &headers, &rows)?)
}

/// Where a school stands with its monthly 安全隐患排查.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyCheck {
    pub school_id: i64,
    pub school_name: String,
    /// This month's 排查, if begun (closed or not).
    pub check: Option<InspectionRow>,
}

/// Each school of the caller's scope and its 排查 of the month of `today`.
pub async fn monthly_checks(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Vec<MonthlyCheck>, AppError> {
    if !actor.role.may_read(Resource::Supervision) {
        return Ok(Vec::new());
    }
    let (from, to) = month_bounds(today.year(), today.month())?;
    let q = InspectionQuery {
        kind: Some(InspectionKind::SafetyCheck),
        from: Some(from),
        to: Some(to),
        ..Default::default()
    };
    let checks = store.inspections(actor, &q).await?;
    Ok(store
        .list_schools(actor, None)
        .await?
        .into_iter()
        .map(|s| MonthlyCheck {
            check: checks
                .iter()
                .filter(|c| c.school_id == s.id)
                .max_by_key(|c| (c.state == InspectionState::Closed, c.id))
                .cloned(),
            school_id: s.id,
            school_name: s.name,
        })
        .collect())
}
