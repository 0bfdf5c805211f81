//! 问题清单 → 整改 → 复查 → 销号: raising 督导 problems and safety hazards, the school's answer,
//! the inspector's 复查, the second person's 销号, and the board that follows them. The steps run
//! on the shared case workflow ([`crate::casework`], [`eduq_core::casework`]).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::Term;
use eduq_core::casework::Subject;
use eduq_core::supervision::{Escalation, Problem, ProblemKind, ProblemState, Severity, Tally, problem_key};
use eduq_store::Store;
use eduq_store::problems::NewProblem;
pub use eduq_store::problems::{ProblemDetail, ProblemFact, ProblemQuery, ProblemRow};
use serde::Serialize;

use crate::AppError;
use crate::imports::Imported;

fn core(e: eduq_core::CoreError) -> AppError {
    AppError::Invalid(e.to_string())
}

/// What an inspector (or, for a hazard, the school) writes down.
#[derive(Debug, Clone)]
pub struct RaiseForm {
    pub kind: ProblemKind,
    pub school_id: i64,
    pub inspection_id: Option<i64>,
    pub item_code: String,
    /// 一级指标 of the rubric, or the hazard's category (消防、食品、校舍…).
    pub domain: String,
    pub location: String,
    pub description: String,
    pub severity: Severity,
    pub responsible: String,
    pub indicator: Option<String>,
    /// Empty: the severity's default.
    pub deadline: Option<NaiveDate>,
}

fn required(label: &str, v: &str) -> Result<String, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Err(AppError::Invalid(format!("请填写{label}")));
    }
    eduq_core::text::check_field(label, v, eduq_core::text::FIELD_CHARS).map_err(AppError::Invalid)?;
    Ok(v.to_string())
}

/// Who may raise what: 督导 problems by the bureau's inspectors; hazards also by the school
/// itself (its monthly 排查), always within the caller's schools.
fn may_raise(actor: &Actor, kind: ProblemKind) -> bool {
    actor.role.inspects() || (kind == ProblemKind::Hazard && actor.role.may_write(Resource::Supervision))
}

/// Raises a problem and issues its 整改通知书; returns its id and notice number.
pub async fn raise(
    store: &Store,
    actor: &Actor,
    f: &RaiseForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(i64, String), AppError> {
    if !may_raise(actor, f.kind) {
        return Err(AppError::Forbidden);
    }
    if !actor.scope.covers_school(f.school_id) {
        return Err(AppError::Invalid("只能对您负责的学校下达整改通知".into()));
    }
    let school = store.school(actor, f.school_id, None).await?;
    let domain_label = if f.kind == ProblemKind::Hazard { "隐患类别" } else { "问题所属领域" };
    let domain = required(domain_label, &f.domain)?;
    if !eduq_core::text::is_label(&domain) {
        return Err(AppError::Invalid(format!("“{domain_label}”含有不可见的控制字符，请重新输入")));
    }
    let description = required("问题描述", &f.description)?;
    let responsible = required("整改责任人", &f.responsible)?;
    if f.kind == ProblemKind::Hazard && f.location.trim().is_empty() {
        return Err(AppError::Invalid("请填写隐患所在位置".into()));
    }
    let problem = Problem::raise(f.kind, f.severity, today, f.deadline).map_err(core)?;
    let (district_id, _) = store.district().await?;
    let source_key = problem_key(&school.code, f.kind, &domain, &f.item_code, &description, today);
    if !store.system().problem_keys_held(district_id, std::slice::from_ref(&source_key)).await?.is_empty() {
        return Err(AppError::Invalid("今天已对该校下达过内容相同的整改通知".into()));
    }
    let new = NewProblem {
        district_id,
        school_id: school.id,
        inspection_id: f.inspection_id,
        item_code: f.item_code.trim().to_string(),
        domain,
        location: f.location.trim().to_string(),
        description,
        responsible,
        indicator: f.indicator.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
        source_key,
    };
    let mut tx = store.begin().await?;
    let (id, notice) = tx.insert_problem(actor, &new, &problem).await?;
    let note = format!("{}：{}（{}，整改期限{}）", notice, new.description, problem.severity.label(), problem.deadline);
    tx.add_case_event(actor, Subject::Problem, id, "raise", today, None, &note, now).await?;
    tx.commit().await?;
    Ok((id, notice))
}

/// What a user does to a problem.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemAction {
    /// The school's 整改报告: what was done, dated the day it was finished.
    Submit { day: NaiveDate, note: String },
    /// The inspector's 复查: passes (and asks for 销号) or returns with a reason.
    Review { pass: bool, note: String },
    /// A new deadline, with the reason.
    Deadline { deadline: NaiveDate, note: String },
    /// The 督导室's confirmation of 销号, or sending it back.
    ConfirmClose { approve: bool, note: String },
}

/// Applies an action through the rules of [`Problem`] and records it in the history.
pub async fn act(
    store: &Store,
    actor: &Actor,
    id: i64,
    action: ProblemAction,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.may_write(Resource::Supervision) {
        return Err(AppError::Forbidden);
    }
    let row = store.problem_detail(actor, id, now).await?.row;
    let mut p = row.problem.clone();
    let mut closed = None;
    let (kind, day, text) = match action {
        ProblemAction::Submit { day, note: n } => {
            if !actor.role.answers_problems() {
                return Err(AppError::Invalid("整改报告由学校提交".into()));
            }
            p.submit(day, today).map_err(core)?;
            ("submit", day, required("整改情况", &n)?)
        }
        ProblemAction::Review { pass, note: n } => {
            if !actor.role.inspects() {
                return Err(AppError::Invalid("复查由督学或督导室进行".into()));
            }
            p.review(&actor.username, pass).map_err(core)?;
            if pass {
                ("review_pass", today, n.trim().to_string())
            } else {
                ("review_return", today, required("退回原因", &n)?)
            }
        }
        ProblemAction::Deadline { deadline, note: n } => {
            if !actor.role.inspects() {
                return Err(AppError::Invalid("整改期限由督学或督导室调整".into()));
            }
            let was = p.deadline;
            p.set_deadline(deadline).map_err(core)?;
            ("deadline", today, format!("{was} → {deadline}：{}", required("调整原因", &n)?))
        }
        ProblemAction::ConfirmClose { approve, note: n } => {
            if !actor.role.confirms_problem_closure() {
                return Err(AppError::Invalid("销号须由督导室（教育局）人员确认".into()));
            }
            p.confirm_close(&actor.username, approve).map_err(core)?;
            if approve {
                closed = Some((actor.username.as_str(), today));
                ("confirm_close", today, n.trim().to_string())
            } else {
                ("reject_close", today, required("退回原因", &n)?)
            }
        }
    };
    let mut tx = store.begin().await?;
    tx.update_problem(id, &p, closed).await?;
    tx.add_case_event(actor, Subject::Problem, id, kind, day, None, &text, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A page of the register in scope and the number of matching rows.
pub async fn register(store: &Store, actor: &Actor, q: &ProblemQuery) -> Result<(Vec<ProblemRow>, i64), AppError> {
    Ok(store.problems(actor, q).await?)
}

/// One problem with its history and evidence (the read is audited).
pub async fn detail(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<ProblemDetail, AppError> {
    Ok(store.problem_detail(actor, id, now).await?)
}

/// A line of the board: a school, a severity, a domain or a term, and its figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Line {
    pub label: String,
    pub tally: Tally,
}

/// A school on the 约谈 or 通报 list, with its overdue problems.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listed {
    pub school_id: i64,
    pub school_name: String,
    pub overdue: u32,
    pub longest_days: i64,
}

/// The 督导 board of the caller's scope on a day.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Board {
    pub all: Tally,
    pub by_school: Vec<Line>,
    pub by_severity: Vec<Line>,
    pub by_domain: Vec<Line>,
    /// Raised per term, oldest first.
    pub by_term: Vec<Line>,
    pub interview: Vec<Listed>,
    pub notify: Vec<Listed>,
}

fn lines(map: BTreeMap<String, Tally>) -> Vec<Line> {
    map.into_iter().map(|(label, tally)| Line { label, tally }).collect()
}

/// Builds the board from the problems' facts: one pass, O(N).
pub fn board_of(facts: &[ProblemFact], today: NaiveDate) -> Board {
    let mut b = Board::default();
    let mut school: BTreeMap<(String, i64), Tally> = BTreeMap::new();
    let mut severity: BTreeMap<Severity, Tally> = BTreeMap::new();
    let mut domain: BTreeMap<String, Tally> = BTreeMap::new();
    let mut term: BTreeMap<(i32, u8), (Term, Tally)> = BTreeMap::new();
    let mut listed: BTreeMap<(i64, Escalation), Listed> = BTreeMap::new();
    for f in facts {
        let p = &f.problem;
        b.all.add(p, today);
        school.entry((f.school_name.clone(), f.school_id)).or_default().add(p, today);
        severity.entry(p.severity).or_default().add(p, today);
        domain.entry(f.domain.clone()).or_default().add(p, today);
        let t = Term::containing(p.raised_on);
        term.entry((t.start_year, t.term_no)).or_insert((t, Tally::default())).1.add(p, today);
        if let Some(e) = p.escalation(today) {
            let l = listed.entry((f.school_id, e)).or_insert_with(|| Listed {
                school_id: f.school_id,
                school_name: f.school_name.clone(),
                overdue: 0,
                longest_days: 0,
            });
            l.overdue += 1;
            l.longest_days = l.longest_days.max(p.days_overdue(today));
        }
    }
    b.by_school = school.into_iter().map(|((label, _), tally)| Line { label, tally }).collect();
    b.by_severity = severity.into_iter().map(|(s, tally)| Line { label: s.label().to_string(), tally }).collect();
    b.by_domain = lines(domain);
    b.by_term = term.into_values().map(|(t, tally)| Line { label: t.label(), tally }).collect();
    for ((_, e), l) in listed {
        match e {
            Escalation::Interview => b.interview.push(l),
            Escalation::Notify => b.notify.push(l),
        }
    }
    for list in [&mut b.interview, &mut b.notify] {
        list.sort_by_key(|l| (std::cmp::Reverse(l.longest_days), l.school_id));
    }
    b
}

/// The board, memoised per reader and day until the next write.
pub async fn board(
    store: &Store,
    actor: &Actor,
    kind: Option<ProblemKind>,
    today: NaiveDate,
) -> Result<Board, AppError> {
    if !actor.role.may_read(Resource::Supervision) {
        return Err(AppError::Forbidden);
    }
    let key = format!("problem_board|{}|{:?}|{today}", eduq_store::reader_key(actor), kind);
    store
        .memoised(&key, async {
            let facts = store.problem_facts(actor, kind, None).await?;
            Ok::<_, AppError>(board_of(&facts, today))
        })
        .await
}

/// Problems linked to an indicator that are not closed yet, in scope: "why is this school
/// behind, and what is being done". Empty for roles that do not read 督导.
pub async fn linked_to(store: &Store, actor: &Actor, indicator: &str) -> Result<Vec<ProblemRow>, AppError> {
    if !actor.role.may_read(Resource::Supervision) {
        return Ok(Vec::new());
    }
    let q = ProblemQuery { indicator: Some(indicator.to_string()), limit: 200, ..Default::default() };
    let (rows, _) = store.problems(actor, &q).await?;
    Ok(rows.into_iter().filter(|r| r.problem.state != ProblemState::Closed).collect())
}

/// Problems not closed yet per linked indicator key, in scope (empty for roles that do not read
/// 督导): the plan dashboard shows them beside each target.
pub async fn open_by_indicator(
    store: &Store,
    actor: &Actor,
) -> Result<std::collections::HashMap<String, i64>, AppError> {
    Ok(store.open_problems_by_indicator(actor).await?)
}

/// Imports a 问题清单 (problems found on paper or in another system): every row checked against
/// the schools of the caller's scope and the rules of [`Problem`], errors named by row and column;
/// then all rows in one transaction, each with its 整改通知书 number, or none. Rows already held
/// change nothing.
pub async fn import_problems(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Imported, AppError> {
    use eduq_exchange::RowError;
    if !actor.role.may_write(Resource::Supervision) {
        return Err(AppError::Forbidden);
    }
    let table = crate::parsing::read_upload(actor.user_id, bytes, file_name).await?;
    let lines = eduq_exchange::supervision::read_problem_lines(&table)?;
    let codes = store.school_ids_by_code().await?;
    // The caller's schools as the store scopes them: a row for any other school is refused.
    let mine: std::collections::HashSet<i64> = store.list_schools(actor, None).await?.iter().map(|s| s.id).collect();
    let mut errors = Vec::new();
    let fail = |errors: &mut Vec<RowError>, row, column: &str, value: &str, message: String| {
        errors.push(RowError { row, column: column.into(), value: value.into(), message })
    };
    let mut ready = Vec::new();
    for l in &lines {
        let Some(&school_id) = codes.get(&l.school_code) else {
            fail(&mut errors, l.row, "学校标识码", &l.school_code, "学校不存在".into());
            continue;
        };
        if !mine.contains(&school_id) {
            fail(&mut errors, l.row, "学校标识码", &l.school_code, "不是您负责的学校".into());
            continue;
        }
        if !may_raise(actor, l.kind) {
            fail(&mut errors, l.row, "类别", l.kind.label(), "您的角色不能下达此类整改".into());
            continue;
        }
        if l.raised_on > today {
            fail(&mut errors, l.row, "下达日期", &l.raised_on.to_string(), "晚于今天".into());
            continue;
        }
        if l.kind == ProblemKind::Hazard && l.location.is_empty() {
            fail(&mut errors, l.row, "位置", "", "安全隐患须填写位置".into());
            continue;
        }
        match Problem::raise(l.kind, l.severity, l.raised_on, l.deadline) {
            Ok(p) => ready.push((l, school_id, p)),
            Err(e) => fail(
                &mut errors,
                l.row,
                "整改期限",
                &l.deadline.map(|d| d.to_string()).unwrap_or_default(),
                e.to_string(),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    let (district_id, _) = store.district().await?;
    let keyed: Vec<(String, _)> = ready
        .into_iter()
        .map(|(l, school_id, p)| {
            (
                problem_key(&l.school_code, l.kind, &l.domain, &l.item_code, &l.description, l.raised_on),
                (l, school_id, p),
            )
        })
        .collect();
    let keys: Vec<String> = keyed.iter().map(|(k, _)| k.clone()).collect();
    let mut held = store.system().problem_keys_held(district_id, &keys).await?;
    let mut done = Imported::default();
    let mut tx = store.begin().await?;
    for (key, (l, school_id, p)) in keyed {
        if !held.insert(key.clone()) {
            done.unchanged += 1;
            continue;
        }
        let new = NewProblem {
            district_id,
            school_id,
            inspection_id: None,
            item_code: l.item_code.clone(),
            domain: l.domain.clone(),
            location: l.location.clone(),
            description: l.description.clone(),
            responsible: l.responsible.clone(),
            indicator: l.indicator.clone(),
            source_key: key,
        };
        let (id, notice) = tx.insert_problem(actor, &new, &p).await?;
        let note = format!(
            "{notice}：{}（{}，整改期限{}，导入自{file_name}）",
            new.description,
            p.severity.label(),
            p.deadline
        );
        tx.add_case_event(actor, Subject::Problem, id, "raise", l.raised_on, None, &note, now).await?;
        done.added += 1;
    }
    tx.commit().await?;
    Ok(done)
}

/// The register's rows matching `q` (every page) as a workbook in the import layout, with the
/// notice number before and the state and dates after: importing it again changes nothing.
pub async fn export_problems(store: &Store, actor: &Actor, q: &ProblemQuery) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, write_xlsx};
    const MAX_ROWS: i64 = 200_000;
    let codes: std::collections::HashMap<i64, String> =
        store.school_ids_by_code().await?.into_iter().map(|(code, id)| (id, code)).collect();
    let mut rows = Vec::new();
    let mut offset = 0;
    loop {
        let page = ProblemQuery { offset, limit: 1000, ..q.clone() };
        let (found, _) = store.problems(actor, &page).await?;
        let n = found.len() as i64;
        for r in found {
            let p = &r.problem;
            let date = |d: Option<NaiveDate>| Cell::from(d.map(|d| d.to_string()).unwrap_or_default());
            rows.push(vec![
                r.notice_no.clone().into(),
                codes.get(&r.school_id).cloned().unwrap_or_default().into(),
                p.kind.label().into(),
                r.domain.clone().into(),
                r.item_code.clone().into(),
                r.location.clone().into(),
                r.description.clone().into(),
                p.severity.label().into(),
                r.responsible.clone().into(),
                p.raised_on.to_string().into(),
                p.deadline.to_string().into(),
                r.indicator.clone().unwrap_or_default().into(),
                p.state.label().into(),
                date(p.rectified_on),
                date(r.closed_on),
            ]);
        }
        offset += n;
        if n < 1000 || offset >= MAX_ROWS {
            break;
        }
    }
    let mut headers = vec!["通知书编号"];
    headers.extend_from_slice(eduq_exchange::supervision::PROBLEM_HEADERS);
    headers.extend_from_slice(&["状态", "整改完成日期", "销号日期"]);
    Ok(write_xlsx("问题清单", &headers, &rows)?)
}
