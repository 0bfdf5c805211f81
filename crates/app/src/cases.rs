//! 控辍保学 case work: cases from 疑似辍学 to 销号, their evidence and the dashboard.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::Term;
use eduq_core::casework::Subject;
use eduq_core::dropout::{Case, CaseState, Outcome, Party, Register, STEPS};
use eduq_store::Store;
use eduq_store::cases::NewCase;
pub use eduq_store::cases::{CaseDetail, CaseQuery, CaseRow};
use serde::Serialize;

use crate::AppError;

fn core(e: eduq_core::CoreError) -> AppError {
    AppError::Invalid(e.to_string())
}

/// Opens a case for a pupil in the caller's scope (from an alert or by hand). One case per pupil
/// at a time.
#[allow(clippy::too_many_arguments)]
pub async fn open_case(
    store: &Store,
    actor: &Actor,
    student_id: i64,
    register: Register,
    reason: &str,
    alert_id: Option<i64>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    if !actor.role.may_write(Resource::Cases) {
        return Err(AppError::Forbidden);
    }
    if reason.trim().is_empty() {
        return Err(AppError::Invalid("请填写立案原因（如连续旷课、外出务工、厌学）".into()));
    }
    let term = Term::containing(today);
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    let (school_id, class_id, grade) = store
        .pupil_placement(actor, student_id, term_id)
        .await?
        .ok_or_else(|| AppError::Invalid("该学生不在您管理的范围内或本学期没有学籍".into()))?;
    if !eduq_core::grade::Grade::is_compulsory_number(grade as i8) {
        return Err(AppError::Invalid(
            "控辍保学针对义务教育阶段（一至九年级）的学生；幼儿园和高中学生不在此登记".into(),
        ));
    }
    if let Some(c) = store.system().unclosed_case_of(student_id).await? {
        return Err(AppError::Invalid(format!("该学生已有未销号的案件（编号{c}），请在原案件中继续")));
    }
    let (district_id, _) = store.district().await?;
    let case = Case::open(register, today);
    let new = NewCase {
        district_id,
        school_id,
        class_id: Some(class_id),
        student_id,
        reason: reason.trim().to_string(),
        source: if alert_id.is_some() { "alert" } else { "manual" }.to_string(),
        opened_on: today,
    };
    let mut tx = store.begin().await?;
    let id = tx.insert_case(actor, &new, &case).await?;
    if let Some(alert) = alert_id {
        tx.handle_alert(actor, alert, "case", "已立案", Some(id), now).await?;
    }
    let note = format!("立案（{}）：{}", register.label(), new.reason);
    tx.add_case_event(actor, Subject::Dropout, id, "open", today, None, &note, now).await?;
    tx.commit().await?;
    Ok(id)
}

async fn load(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<CaseRow, AppError> {
    Ok(store.case_detail(actor, id, now).await?.row)
}

/// What a user does to a case.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseAction {
    Attempt { party: Party, day: NaiveDate, note: String },
    ConfirmDropout { note: String },
    Escalate { note: String },
    Resolve { outcome: Outcome, day: NaiveDate, note: String },
    Support { day: NaiveDate, note: String },
    Reopen { day: NaiveDate, note: String },
    RequestClose { note: String },
    ConfirmClose { approve: bool, note: String },
}

/// Applies an action through the rules of [`Case`] and records it in the case history.
pub async fn act(
    store: &Store,
    actor: &Actor,
    id: i64,
    action: CaseAction,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.may_write(Resource::Cases) {
        return Err(AppError::Forbidden);
    }
    let row = load(store, actor, id, now).await?;
    let mut case = row.case.clone();
    let need_note = |n: &str, what: &str| {
        if n.trim().is_empty() { Err(AppError::Invalid(format!("请填写{what}"))) } else { Ok(n.trim().to_string()) }
    };
    let mut closed = None;
    let (kind, day, party, note) = match action {
        CaseAction::Attempt { party, day, note } => {
            case.check_attempt(party, day, today).map_err(core)?;
            ("attempt", day, Some(party), need_note(&note, "劝返经过和结果")?)
        }
        CaseAction::ConfirmDropout { note } => {
            case.confirm_dropout().map_err(core)?;
            ("confirm_dropout", today, None, need_note(&note, "确认辍学的依据")?)
        }
        CaseAction::Escalate { note } => {
            let step = case.escalate(today).map_err(core)?;
            ("escalate", today, None, format!("升级到第{}步（{}）：{}", step.no, step.name, note.trim()))
        }
        CaseAction::Resolve { outcome, day, note } => {
            case.resolve(outcome, day, today).map_err(core)?;
            ("outcome", day, None, format!("{}：{}", outcome.label(), need_note(&note, "结果说明")?))
        }
        CaseAction::Support { day, note } => {
            if !matches!(case.state, CaseState::FollowUp | CaseState::PendingClose) || day > today {
                return Err(AppError::Invalid("帮扶记录用于返校后的跟踪期，日期不能晚于今天".into()));
            }
            ("support", day, None, need_note(&note, "帮扶措施")?)
        }
        CaseAction::Reopen { day, note } => {
            case.reopen(day).map_err(core)?;
            ("reopen", day, None, need_note(&note, "再次流失的情况")?)
        }
        CaseAction::RequestClose { note } => {
            case.request_close(&actor.username, today).map_err(core)?;
            ("request_close", today, None, note.trim().to_string())
        }
        CaseAction::ConfirmClose { approve, note } => {
            if !actor.role.confirms_case_closure() {
                return Err(AppError::Invalid("销号须由学校管理员或教育局人员确认".into()));
            }
            case.confirm_close(&actor.username, approve).map_err(core)?;
            if approve {
                closed = Some((actor.username.as_str(), today));
                ("confirm_close", today, None, note.trim().to_string())
            } else {
                ("reject_close", today, None, need_note(&note, "退回原因")?)
            }
        }
    };
    let mut tx = store.begin().await?;
    tx.update_case(id, &case, closed).await?;
    tx.add_case_event(actor, Subject::Dropout, id, kind, day, party.map(Party::key), &note, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds an evidence file to a case (the shared [`crate::casework`] rules).
pub async fn add_evidence(
    store: &Store,
    actor: &Actor,
    id: i64,
    filename: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    crate::casework::add_evidence(store, actor, Subject::Dropout, id, filename, bytes, now).await
}

/// The 控辍保学 dashboard of the caller's scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Board {
    pub today_rate: Option<f64>,
    pub term_rate: Option<f64>,
    pub new_alerts: usize,
    /// The unhandled alerts themselves (the page lists them).
    pub alerts: Vec<eduq_store::alerts::AlertRow>,
    /// Open cases per 劝返 step (1–4).
    pub open_by_step: Vec<(String, usize)>,
    /// Open cases by age: ≤7 days, 8–30, over 30.
    pub open_by_age: Vec<(String, usize)>,
    pub suspected: usize,
    pub dropped_out: usize,
    pub follow_up: usize,
    pub awaiting_close: usize,
    pub closed: usize,
    pub returned: usize,
    /// Returned pupils with no 旷课 since their return.
    pub retained: usize,
    pub overdue: Vec<CaseRow>,
}

/// The dashboard, memoised per reader and day until the next write (a roll call, a case step).
pub async fn board(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Board, AppError> {
    if !actor.role.may_read(Resource::CaseFigures) {
        return Err(AppError::Forbidden);
    }
    let key = format!("case_board|{}|{today}", eduq_store::reader_key(actor));
    store.memoised(&key, read_board(store, actor, today)).await
}

async fn read_board(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Board, AppError> {
    let term = Term::containing(today);
    let mut b = Board::default();
    if let Some(term_id) = store.term_id(term).await? {
        let rate = |v: &[eduq_store::cases::AttendanceTotals]| {
            let exp: i64 = v.iter().map(|t| t.expected).sum();
            let abs: i64 = v.iter().map(|t| t.absent()).sum();
            eduq_core::attendance::attendance_rate(exp, abs)
        };
        b.today_rate = rate(&store.attendance_totals(actor, term_id, today, today, false).await?);
        let (from, _) = term.nominal_bounds();
        b.term_rate = rate(&store.attendance_totals(actor, term_id, from, today, false).await?);
    }
    b.alerts = store.alerts(actor, true).await?;
    b.new_alerts = b.alerts.len();
    if !actor.role.may_read(Resource::CaseFigures) {
        return Ok(b);
    }
    let cases = store.cases(actor, &CaseQuery::default()).await?;
    let open: Vec<&CaseRow> = cases.iter().filter(|c| c.case.state == CaseState::Open).collect();
    b.open_by_step = STEPS
        .iter()
        .map(|s| (format!("第{}步 {}", s.no, s.name), open.iter().filter(|c| c.case.step == s.no).count()))
        .collect();
    let age = |c: &&&CaseRow| (today - c.opened_on).num_days();
    b.open_by_age = vec![
        ("7天以内".into(), open.iter().filter(|c| age(c) <= 7).count()),
        ("8–30天".into(), open.iter().filter(|c| (8..=30).contains(&age(c))).count()),
        ("30天以上".into(), open.iter().filter(|c| age(c) > 30).count()),
    ];
    b.suspected = open.iter().filter(|c| c.case.register == Register::Suspected).count();
    b.dropped_out = open.iter().filter(|c| c.case.register == Register::DroppedOut).count();
    b.follow_up = cases.iter().filter(|c| c.case.state == CaseState::FollowUp).count();
    b.awaiting_close =
        cases.iter().filter(|c| matches!(c.case.state, CaseState::Resolved | CaseState::PendingClose)).count();
    b.closed = cases.iter().filter(|c| c.case.state == CaseState::Closed).count();
    let returned: Vec<&CaseRow> = cases.iter().filter(|c| c.case.outcome == Some(Outcome::Returned)).collect();
    b.returned = returned.len();
    if let Some(since) = returned.iter().filter_map(|c| c.case.outcome_date).min() {
        let ids: Vec<i64> = returned.iter().map(|c| c.student_id).collect();
        let truant = store.truancy_since(actor, &ids, since).await?;
        b.retained = returned
            .iter()
            .filter(|c| !truant.iter().any(|(s, d)| *s == c.student_id && Some(*d) > c.case.outcome_date))
            .count();
    }
    b.overdue = open.into_iter().filter(|c| c.case.is_overdue(today)).cloned().collect();
    Ok(b)
}

/// The case register (台账) of the caller's scope, filtered.
pub async fn register(store: &Store, actor: &Actor, q: &CaseQuery) -> Result<Vec<CaseRow>, AppError> {
    Ok(store.cases(actor, q).await?)
}

/// One case with its history and evidence (reading it is audited by the store).
pub async fn detail(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<CaseDetail, AppError> {
    Ok(store.case_detail(actor, id, now).await?)
}

/// One evidence file of a case: (file name, content type, bytes); audited.
pub async fn evidence(
    store: &Store,
    actor: &Actor,
    case_id: i64,
    file_id: i64,
    now: DateTime<Utc>,
) -> Result<(String, String, Vec<u8>), AppError> {
    crate::casework::evidence(store, actor, Subject::Dropout, case_id, file_id, now).await
}
