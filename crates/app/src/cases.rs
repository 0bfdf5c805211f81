//! 控辍保学 case work: alerts raised by the roll, cases from 疑似辍学 to 销号, the dashboard and
//! the monthly and quarterly reports sent upward.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource, Role, Scope};
use eduq_core::attendance::Rules;
use eduq_core::calendar::Term;
use eduq_core::dropout::{Case, CaseState, Outcome, Party, Register, STEPS};
use eduq_exchange::table::{Cell, Sheet, write_workbook};
use eduq_store::Store;
use eduq_store::cases::{CaseQuery, CaseRow, NewCase};
use serde::Serialize;

use crate::AppError;
use crate::attendance::risk_list;

fn core(e: eduq_core::CoreError) -> AppError {
    AppError::Invalid(e.to_string())
}

/// The rules that raise alerts (the warning list's defaults).
pub fn alert_rules() -> Rules {
    Rules { recent_truant: Some(5), ..Rules::default() }
}

/// Raises an alert for every pupil who now crosses a threshold and is not already followed (an
/// unhandled alert or an open case). `class` limits the scan to one class, as after its roll.
pub async fn scan_alerts(
    store: &Store,
    term: Term,
    today: NaiveDate,
    classes: Option<(i64, Vec<i64>)>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let Some(term_id) = store.term_id(term).await? else { return Ok(0) };
    // An internal reader without special-group rights: alerts rest on attendance alone.
    let scanner = Actor {
        user_id: 0,
        username: "system".into(),
        display_name: "系统".into(),
        role: Role::Leader,
        scope: match classes {
            Some((school_id, class_ids)) => Scope::Classes { school_id, class_ids },
            None => Scope::District,
        },
    };
    let list = risk_list(store, &scanner, term, today, &alert_rules(), now).await?;
    let followed = store.followed_pupils(term_id).await?;
    let new: Vec<(i64, i64, i64, String)> = list
        .rows
        .iter()
        .filter(|r| !followed.contains(&r.student_id))
        .map(|r| (r.school_id, r.class_id, r.student_id, r.reasons.join("；")))
        .collect();
    if new.is_empty() {
        return Ok(0);
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.raise_alerts(district_id, term_id, today, &new).await?;
    tx.commit().await?;
    Ok(new.len())
}

/// The class teacher or principal has seen an alert and acts without a case (e.g. the pupil was
/// ill and the parents called): a note is required.
pub async fn dismiss_alert(
    store: &Store,
    actor: &Actor,
    alert_id: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.may_write(Resource::Attendance) {
        return Err(AppError::Forbidden);
    }
    if note.trim().is_empty() {
        return Err(AppError::Invalid("请写明处理情况（如已联系家长、病假补手续）".into()));
    }
    let mut tx = store.begin().await?;
    tx.handle_alert(actor, alert_id, "seen", note.trim(), None, now).await?;
    tx.commit().await?;
    Ok(())
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
    if let Some(c) = store.unclosed_case_of(student_id).await? {
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
    tx.add_case_event(actor, id, "open", today, None, &format!("立案（{}）：{}", register.label(), new.reason), now)
        .await?;
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
    tx.add_case_event(actor, id, kind, day, party, &note, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Evidence files accepted: photos, PDF and office documents, up to 10 MB each.
pub const EVIDENCE_MAX_BYTES: usize = 10 * 1024 * 1024;

fn evidence_type(filename: &str) -> Option<&'static str> {
    let ext = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => return None,
    })
}

pub async fn add_evidence(
    store: &Store,
    actor: &Actor,
    id: i64,
    filename: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.may_write(Resource::Cases) {
        return Err(AppError::Forbidden);
    }
    let name = filename.rsplit(['/', '\\']).next().unwrap_or(filename).trim();
    let Some(content_type) = evidence_type(name) else {
        return Err(AppError::Invalid(format!("文件“{name}”类型不支持：请上传 jpg、png、pdf、doc、docx 或 xlsx")));
    };
    if bytes.is_empty() || bytes.len() > EVIDENCE_MAX_BYTES {
        return Err(AppError::Invalid(format!("文件“{name}”为空或超过10MB")));
    }
    let row = load(store, actor, id, now).await?;
    if row.case.state == CaseState::Closed {
        return Err(AppError::Invalid("案件已销号，不能再添加材料".into()));
    }
    let sha = eduq_core::lottery::hex(&eduq_core::lottery::sha256(&bytes));
    let mut tx = store.begin().await?;
    tx.add_evidence(actor, row.id, name, content_type, &sha, bytes, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The 控辍保学 dashboard of the caller's scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Board {
    pub today_rate: Option<f64>,
    pub term_rate: Option<f64>,
    pub new_alerts: usize,
    /// The unhandled alerts themselves (the page lists them).
    pub alerts: Vec<eduq_store::cases::AlertRow>,
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
            (exp > 0).then(|| (exp - abs) as f64 / exp as f64 * 100.0)
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

const CASE_HEADERS: [&str; 12] =
    ["编号", "学校", "班级", "学籍号", "姓名", "登记类别", "状态", "劝返步骤", "立案日期", "结果", "结果日期", "原因"];

fn case_cells(c: &CaseRow) -> Vec<Cell> {
    vec![
        Cell::from(c.id),
        c.school_name.as_str().into(),
        c.class_name.as_str().into(),
        c.student_no.as_str().into(),
        c.student_name.as_str().into(),
        c.case.register.label().into(),
        c.case.state.label().into(),
        format!("第{}步 {}", c.case.step, eduq_core::dropout::step(c.case.step).name).into(),
        c.opened_on.to_string().into(),
        c.case.outcome.map_or("", |o| o.label()).into(),
        c.case.outcome_date.map(|d| d.to_string()).unwrap_or_default().into(),
        c.reason.as_str().into(),
    ]
}

fn pct(v: Option<f64>) -> Cell {
    v.map_or(Cell::from(""), |r| Cell::from((r * 100.0).round() / 100.0))
}

/// Case counts of a period per unit: new 疑似辍学, new 辍学, returned, other outcomes, open at end, overdue, closed.
fn case_counts(cases: &[&CaseRow], from: NaiveDate, to: NaiveDate) -> [i64; 7] {
    let within = |d: Option<NaiveDate>| d.is_some_and(|d| d >= from && d <= to);
    let count = |f: &dyn Fn(&CaseRow) -> bool| cases.iter().filter(|c| f(c)).count() as i64;
    [
        count(&|c| within(Some(c.opened_on)) && c.case.register == Register::Suspected),
        count(&|c| within(Some(c.opened_on)) && c.case.register == Register::DroppedOut),
        count(&|c| c.case.outcome == Some(Outcome::Returned) && within(c.case.outcome_date)),
        count(&|c| c.case.outcome.is_some_and(|o| o != Outcome::Returned) && within(c.case.outcome_date)),
        count(&|c| c.case.state == CaseState::Open),
        count(&|c| c.case.is_overdue(to)),
        count(&|c| within(c.closed_on)),
    ]
}

const COUNT_HEADERS: [&str; 7] =
    ["新增疑似辍学", "新增辍学", "劝返返校", "转学/送教/其他", "在办案件", "逾期案件", "销号"];

/// 控辍保学月报 of one school (per class) for a month, with the case register.
pub async fn monthly_report(
    store: &Store,
    actor: &Actor,
    school_id: i64,
    year: i32,
    month: u32,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), AppError> {
    if !actor.role.may_read(Resource::Cases) || !actor.scope.covers_school(school_id) {
        return Err(AppError::Forbidden);
    }
    let from = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| AppError::Invalid("月份无效".into()))?;
    let to = from.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(from);
    let term = Term::containing(from);
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    let school = store.school(actor, school_id, None).await?;
    let classes = store.list_classes(actor, term.start_year, Some(term_id), Some(school_id)).await?;
    let totals: HashMap<i64, eduq_store::cases::AttendanceTotals> =
        store.attendance_totals(actor, term_id, from, to, true).await?.into_iter().map(|t| (t.unit, t)).collect();
    let cases = store
        .cases(
            actor,
            &CaseQuery {
                school_id: Some(school_id),
                active_from: Some(from),
                active_to: Some(to),
                ..Default::default()
            },
        )
        .await?;
    let mut rows = Vec::new();
    for class in &classes {
        let t = totals.get(&class.id).cloned().unwrap_or_default();
        let mine: Vec<&CaseRow> = cases.iter().filter(|c| c.class_id == Some(class.id)).collect();
        let mut row = vec![
            Cell::from(class.name.as_str()),
            Cell::from(class.students),
            Cell::from(t.expected),
            Cell::from(t.sick),
            Cell::from(t.personal),
            Cell::from(t.truant),
            Cell::from(t.other),
            pct(t.rate()),
        ];
        row.extend(case_counts(&mine, from, to).into_iter().map(Cell::from));
        rows.push(row);
    }
    let all: Vec<&CaseRow> = cases.iter().collect();
    let sum = |i: usize| rows.iter().map(|r: &Vec<Cell>| if let Cell::Number(n) = r[i] { n } else { 0.0 }).sum::<f64>();
    let (exp, abs) = (sum(2), sum(3) + sum(4) + sum(5) + sum(6));
    let mut total =
        vec![Cell::from("合计"), sum(1).into(), exp.into(), sum(3).into(), sum(4).into(), sum(5).into(), sum(6).into()];
    total.push(pct((exp > 0.0).then(|| (exp - abs) / exp * 100.0)));
    total.extend(case_counts(&all, from, to).into_iter().map(Cell::from));
    rows.push(total);
    let mut headers =
        vec!["班级", "在籍人数", "应出勤人次", "病假人次", "事假人次", "旷课人次", "其他缺勤人次", "出勤率(%)"];
    headers.extend(COUNT_HEADERS);
    let register: Vec<Vec<Cell>> = cases.iter().map(case_cells).collect();
    let title = vec![
        format!("义务教育控辍保学月报（{year}年{month}月）"),
        format!("填报单位：{}　统计区间：{from} 至 {to}　生成时间：{}", school.name, now.format("%Y-%m-%d %H:%M")),
    ];
    let bytes = write_workbook(&[
        Sheet { name: "月报", title: title.clone(), headers: &headers, rows: &rows },
        Sheet { name: "台账", title, headers: &CASE_HEADERS, rows: &register },
    ])?;
    store.audit(actor, now, "report_monthly", &format!("school:{school_id}"), &format!("{year}-{month:02}")).await?;
    Ok((format!("控辍保学月报_{}_{year}年{month}月.xlsx", school.name), bytes))
}

/// 控辍保学季报 of the county (per school) for a quarter (1–4 of a calendar year), with the register.
pub async fn quarterly_report(
    store: &Store,
    actor: &Actor,
    year: i32,
    quarter: u32,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), AppError> {
    if !actor.role.may_read(Resource::Cases) || actor.scope != Scope::District {
        return Err(AppError::Forbidden);
    }
    if !(1..=4).contains(&quarter) {
        return Err(AppError::Invalid("季度应为1–4".into()));
    }
    let from =
        NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1).ok_or_else(|| AppError::Invalid("年份无效".into()))?;
    let to = from.checked_add_months(chrono::Months::new(3)).and_then(|d| d.pred_opt()).unwrap_or(from);
    let schools = store.list_schools(actor, None).await?;
    let cases =
        store.cases(actor, &CaseQuery { active_from: Some(from), active_to: Some(to), ..Default::default() }).await?;
    // A quarter may span two terms (January/February): add both.
    let mut totals: HashMap<i64, eduq_store::cases::AttendanceTotals> = HashMap::new();
    let mut terms = vec![Term::containing(from), Term::containing(to)];
    terms.dedup();
    for term in terms {
        if let Some(term_id) = store.term_id(term).await? {
            for t in store.attendance_totals(actor, term_id, from, to, false).await? {
                let e = totals.entry(t.unit).or_default();
                e.expected += t.expected;
                e.sick += t.sick;
                e.personal += t.personal;
                e.truant += t.truant;
                e.other += t.other;
            }
        }
    }
    let mut rows = Vec::new();
    for s in schools.iter().filter(|s| {
        s.school_type
            .stages()
            .iter()
            .any(|st| matches!(st, eduq_core::grade::Stage::Primary | eduq_core::grade::Stage::Junior))
    }) {
        let t = totals.get(&s.id).cloned().unwrap_or_default();
        let mine: Vec<&CaseRow> = cases.iter().filter(|c| c.school_id == s.id).collect();
        let mut row = vec![
            Cell::from(s.code.as_str()),
            Cell::from(s.name.as_str()),
            Cell::from(t.expected),
            Cell::from(t.truant),
            pct(t.rate()),
        ];
        row.extend(case_counts(&mine, from, to).into_iter().map(Cell::from));
        rows.push(row);
    }
    let all: Vec<&CaseRow> = cases.iter().collect();
    let exp: i64 = totals.values().map(|t| t.expected).sum();
    let abs: i64 = totals.values().map(|t| t.absent()).sum();
    let mut total = vec![
        Cell::from(""),
        Cell::from("全县（区）合计"),
        Cell::from(exp),
        Cell::from(totals.values().map(|t| t.truant).sum::<i64>()),
        pct((exp > 0).then(|| (exp - abs) as f64 / exp as f64 * 100.0)),
    ];
    total.extend(case_counts(&all, from, to).into_iter().map(Cell::from));
    rows.push(total);
    let mut headers = vec!["学校代码", "学校", "应出勤人次", "旷课人次", "出勤率(%)"];
    headers.extend(COUNT_HEADERS);
    let register: Vec<Vec<Cell>> = cases.iter().map(case_cells).collect();
    let (_, district) = store.district().await?;
    let title = vec![
        format!("{district}义务教育控辍保学季报（{year}年第{quarter}季度）"),
        format!("统计区间：{from} 至 {to}　生成时间：{}", now.format("%Y-%m-%d %H:%M")),
    ];
    let bytes = write_workbook(&[
        Sheet { name: "季报", title: title.clone(), headers: &headers, rows: &rows },
        Sheet { name: "台账", title, headers: &CASE_HEADERS, rows: &register },
    ])?;
    store.audit(actor, now, "report_quarterly", "district", &format!("{year}Q{quarter}")).await?;
    Ok((format!("控辍保学季报_{year}年第{quarter}季度.xlsx"), bytes))
}

/// The month before `today` (the report due now), as (year, month).
pub fn previous_month(today: NaiveDate) -> (i32, u32) {
    if today.month() == 1 { (today.year() - 1, 12) } else { (today.year(), today.month() - 1) }
}

/// 巩固率 and flows of the caller's scope over the 学籍 history held.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Consolidation {
    pub first: Option<Term>,
    pub last: Option<Term>,
    /// The county line (district scope only).
    pub county: Option<eduq_core::flows::Flows>,
    pub schools: Vec<(String, eduq_core::flows::Flows)>,
    /// This school year: (grade name, dropouts, on roll at the start).
    pub grades: Vec<(String, u32, u32)>,
    /// Pupils who left without 转出 or 辍学 status (id, 学籍号, name), for roles that work cases.
    pub lost: Vec<(i64, String, String)>,
    /// 转出 not (yet) received in the district nor stated to have left it, with their state.
    pub transfers: Vec<(eduq_store::cases::TransferOut, eduq_core::dropout::TransferState)>,
    /// Counts of 转出 by state: received, left the district, pending, suspect.
    pub transfer_counts: [usize; 4],
}

/// Memoised per reader until the next write.
pub async fn consolidation(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Consolidation, AppError> {
    let key = format!("consolidation|{}|{today}", eduq_store::reader_key(actor));
    store.memoised(&key, read_consolidation(store, actor, today)).await
}

async fn read_consolidation(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Consolidation, AppError> {
    let terms = store.terms().await?;
    let current = Term::containing(today);
    let held: Vec<Term> = terms.iter().map(|(_, t)| *t).filter(|t| *t <= current).collect();
    let (Some(first), Some(last)) = (held.iter().min().copied(), held.iter().max().copied()) else {
        return Ok(Consolidation::default());
    };
    let rows = store.flow_rows(actor).await?;
    let (by_school, county) = eduq_core::flows::consolidation(&rows, first, last);
    let names: HashMap<i64, String> =
        store.list_schools(actor, None).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let schools: Vec<(String, eduq_core::flows::Flows)> =
        by_school.into_iter().filter_map(|(id, f)| names.get(&id).map(|n| (n.clone(), f))).collect();
    let district = actor.scope == Scope::District;
    let mut lost_ids: Vec<i64> = if district {
        county.lost_pupils.clone()
    } else {
        schools.iter().flat_map(|(_, f)| f.lost_pupils.iter().copied()).collect()
    };
    lost_ids.sort_unstable();
    lost_ids.dedup();
    let lost = if actor.role.may_read(Resource::Cases) { store.pupil_names(actor, &lost_ids).await? } else { vec![] };
    let mut transfers = Vec::new();
    let mut transfer_counts = [0; 4];
    if actor.role.may_read(Resource::Cases) {
        use eduq_core::dropout::{TransferState, transfer_state};
        for t in store.transfers_out(actor).await? {
            let outside = t.destination.as_ref().map(|_| t.destination_in_district.is_none());
            let days = t.date.map_or(i64::MAX, |d| (today - d).num_days());
            let state = transfer_state(t.received, outside, days);
            let k = match state {
                TransferState::Received => 0,
                TransferState::LeftDistrict => 1,
                TransferState::Pending => 2,
                TransferState::Suspect => 3,
            };
            transfer_counts[k] += 1;
            if k >= 2 {
                transfers.push((t, state));
            }
        }
    }
    let scoped: Vec<eduq_core::flows::FlowRow> =
        rows.iter().filter(|r| names.contains_key(&r.school)).copied().collect();
    let grades = eduq_core::flows::dropouts_by_grade(&scoped, last.start_year)
        .into_iter()
        .filter_map(|(g, d, n)| eduq_core::grade::Grade::new(g).map(|g| (g.name().to_string(), d, n)))
        .collect();
    Ok(Consolidation {
        first: Some(first),
        last: Some(last),
        county: district.then_some(county),
        schools,
        grades,
        lost,
        transfers,
        transfer_counts,
    })
}
