//! 四级培养 and 名师: nominations by schools and the bureau, the panel's scores, 公示, designation
//! for a term, annual assessments, renewal and removal; every step in the shared case history, so
//! that each teacher's history of titles is kept; the counts by title and subject that plan
//! targets name.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use eduq_core::access::Actor;
use eduq_core::casework::Subject;
use eduq_core::designation::{Assessment, Designation, Honour, Level, Review, State, parse_score};
use eduq_store::Store;
use eduq_store::casework::{CaseEvent, EvidenceMeta};
use eduq_store::designations::{NewDesignation, Score, YearResult};
use serde::{Deserialize, Serialize};

use crate::AppError;

pub use eduq_store::designations::DesignationRow;

fn invalid(e: eduq_core::CoreError) -> AppError {
    AppError::Invalid(e.to_string())
}

/// A nomination as the form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NominateForm {
    pub staff_no: String,
    pub honour: String,
    pub level: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub reason: String,
}

/// Nominates a teacher of this term (a school its own, the bureau any); audited in the history.
pub async fn nominate(
    store: &Store,
    actor: &Actor,
    f: &NominateForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    if !actor.role.nominates_designations() {
        return Err(AppError::Forbidden);
    }
    let staff = crate::form::TermStaff::of(store, actor, today).await?;
    let me = staff.one("工号", &f.staff_no)?;
    let honour = Honour::parse(&f.honour).map_err(invalid)?;
    let level = Level::parse(&f.level).map_err(invalid)?;
    eduq_core::text::check_field("推荐理由", &f.reason, eduq_core::text::FIELD_CHARS).map_err(AppError::Invalid)?;
    eduq_core::text::check_field("学科", &f.subject, eduq_core::text::NAME_CHARS).map_err(AppError::Invalid)?;
    let subject = match f.subject.trim() {
        "" => me.subjects.split(['、', ',', '，']).next().unwrap_or_default().trim().to_string(),
        s => s.to_string(),
    };
    let new = NewDesignation {
        district_id: store.district().await?.0,
        school_id: me.school_id,
        teacher_id: me.teacher_id,
        honour,
        level,
        subject,
        year: today.year(),
        reason: f.reason.trim().to_string(),
        nominated_on: today,
    };
    let mut tx = store.begin().await?;
    let id = tx.insert_designation(actor, &new).await?;
    let note = format!("推荐{}为{}{}", me.name, level.label(), honour.label());
    tx.add_case_event(actor, Subject::Designation, id, "nominate", today, None, &note, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Titles held today, counted by title and subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Board {
    pub rows: Vec<DesignationRow>,
    /// Held today, per title (every title, in order).
    pub held: Vec<(Honour, usize)>,
    /// Held today, per subject: counts in the order of [`Honour::ALL`].
    pub by_subject: Vec<(String, Vec<usize>)>,
    /// Nominations waiting for the panel, and in 公示.
    pub waiting: usize,
    pub in_notice: usize,
    pub today: NaiveDate,
}

impl Board {
    pub fn held_of(&self, h: Honour) -> usize {
        self.held.iter().find(|(x, _)| *x == h).map_or(0, |(_, n)| *n)
    }
}

/// The designations in the caller's scope with today's counts.
pub async fn board(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Board, AppError> {
    let rows = store.designations(actor, None).await?;
    let active: Vec<&DesignationRow> = rows.iter().filter(|r| r.d.active_on(today)).collect();
    let held = Honour::ALL.iter().map(|h| (*h, active.iter().filter(|r| r.honour == *h).count())).collect();
    let mut subjects: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for r in &active {
        let at = Honour::ALL.iter().position(|h| *h == r.honour).unwrap_or(0);
        let subject = if r.subject.is_empty() { "其他".to_string() } else { r.subject.clone() };
        subjects.entry(subject).or_insert_with(|| vec![0; Honour::ALL.len()])[at] += 1;
    }
    let count = |s: State| rows.iter().filter(|r| r.d.state == s).count();
    Ok(Board {
        held,
        by_subject: subjects.into_iter().collect(),
        waiting: count(State::Nominated),
        in_notice: count(State::Notice),
        rows,
        today,
    })
}

/// One designation with what its page shows and what the caller may do next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignationView {
    pub row: DesignationRow,
    pub scores: Vec<Score>,
    pub review: Review,
    pub passes: bool,
    pub years: Vec<YearResult>,
    pub events: Vec<CaseEvent>,
    pub evidence: Vec<EvidenceMeta>,
    pub decides: bool,
    pub status: &'static str,
}

pub async fn view(store: &Store, actor: &Actor, id: i64, today: NaiveDate) -> Result<DesignationView, AppError> {
    let (row, scores, years) = store.designation(actor, id).await?;
    let (events, evidence) = store.case_record(actor, Subject::Designation, id).await?;
    let review = Review::of(&scores.iter().map(|s| s.score).collect::<Vec<_>>());
    Ok(DesignationView {
        status: row.d.status(today),
        passes: review.passes(),
        review,
        row,
        scores,
        years,
        events,
        evidence,
        decides: actor.role.runs_teacher_development(),
    })
}

/// A step as the form sends it: `action` is score, conclude, object, designate, assess, renew or
/// remove.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StepForm {
    pub action: String,
    #[serde(default)]
    pub score: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub note: String,
}

/// Takes one step of a designation (the bureau); each is written to the history and audited.
pub async fn act(
    store: &Store,
    actor: &Actor,
    id: i64,
    f: &StepForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.runs_teacher_development() {
        return Err(AppError::Forbidden);
    }
    let (row, scores, years) = store.designation(actor, id).await?;
    eduq_core::text::check_field("说明", &f.note, eduq_core::text::FIELD_CHARS).map_err(AppError::Invalid)?;
    let note = f.note.trim();
    let from = row.d.state;
    let mut d: Designation = row.d;
    let mut tx = store.begin().await?;
    let (kind, text) = match f.action.as_str() {
        "score" => {
            if from != State::Nominated {
                return Err(AppError::Invalid(format!("当前状态为“{}”，评审已结束", from.label())));
            }
            if row.nominated_by == actor.username {
                return Err(AppError::Invalid("推荐人不能担任该推荐的评委".into()));
            }
            let score = parse_score(&f.score).map_err(invalid)?;
            tx.put_designation_score(actor, id, score, note, now).await?;
            ("score", format!("评委{}打分", actor.display_name))
        }
        "conclude" => {
            let review = Review::of(&scores.iter().map(|s| s.score).collect::<Vec<_>>());
            let passed = d.conclude_review(&review, today).map_err(invalid)?;
            tx.set_designation(actor, id, from, &d, review.mean).await?;
            let mean = review.mean.unwrap_or(0.0);
            let text = if passed {
                format!("{}位评委平均{mean:.1}分，通过评审，公示至{}", review.judges, d.notice_until.unwrap_or(today))
            } else {
                format!(
                    "{}位评委平均{mean:.1}分，未达{}分，未通过",
                    review.judges,
                    eduq_core::standards::designation::PASS_MARK
                )
            };
            ("review", text)
        }
        "object" => {
            if note.is_empty() {
                return Err(AppError::Invalid("请写明异议内容和核查结论".into()));
            }
            d.uphold_objection().map_err(invalid)?;
            tx.set_designation(actor, id, from, &d, None).await?;
            ("object", note.to_string())
        }
        "designate" => {
            d.designate(today).map_err(invalid)?;
            tx.set_designation(actor, id, from, &d, None).await?;
            (
                "designate",
                format!("认定为{}{}，任期至{}", row.level.label(), row.honour.label(), d.term_end.unwrap_or(today)),
            )
        }
        "assess" => {
            let year: i32 =
                f.year.trim().parse().map_err(|_| AppError::Invalid(format!("考核年度“{}”无效", f.year)))?;
            if d.designated_on.is_none_or(|on| year < on.year()) || year > today.year() {
                return Err(AppError::Invalid(format!("考核年度{year}不在任期内或尚未到来")));
            }
            let result = Assessment::parse(&f.result).map_err(invalid)?;
            let removed = d.assess(result, today).map_err(invalid)?;
            tx.insert_designation_assessment(actor, id, year, result, note, now).await?;
            if removed {
                tx.set_designation(actor, id, from, &d, None).await?;
            }
            let tail = if removed { "，称号撤销" } else { "" };
            ("assess", format!("{year}年度考核：{}{tail}", result.label()))
        }
        "renew" => {
            let results: Vec<Assessment> = years.iter().map(|y| y.result).collect();
            d.renew(&results, today).map_err(invalid)?;
            tx.set_designation(actor, id, from, &d, None).await?;
            ("renew", format!("续任，任期至{}", d.term_end.unwrap_or(today)))
        }
        "remove" => {
            if note.is_empty() {
                return Err(AppError::Invalid("请写明撤销原因".into()));
            }
            d.remove(today).map_err(invalid)?;
            tx.set_designation(actor, id, from, &d, None).await?;
            ("remove", note.to_string())
        }
        other => return Err(AppError::Invalid(format!("未知操作“{other}”"))),
    };
    let text = if note.is_empty() || kind == "object" || kind == "remove" { text } else { format!("{text}：{note}") };
    tx.add_case_event(actor, Subject::Designation, id, kind, today, None, &text, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The register as a workbook: every designation, and today's counts by title and subject.
pub fn workbook(b: &Board) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let text = |s: &str| Cell::Text(s.to_string());
    let day = |d: Option<NaiveDate>| Cell::Text(d.map(|d| d.to_string()).unwrap_or_default());
    let rows: Vec<Vec<Cell>> = b
        .rows
        .iter()
        .map(|r| {
            vec![
                text(&r.school_name),
                text(&r.staff_no),
                text(&r.name),
                text(r.honour.label()),
                text(r.level.label()),
                text(&r.subject),
                Cell::Number(f64::from(r.year)),
                text(r.d.status(b.today)),
                r.mean_score.map_or(Cell::Text(String::new()), Cell::Number),
                day(r.d.designated_on),
                day(r.d.term_end),
                day(r.d.removed_on),
            ]
        })
        .collect();
    let mut subject_headers = vec!["学科"];
    subject_headers.extend(Honour::ALL.iter().map(|h| h.label()));
    let by_subject: Vec<Vec<Cell>> = b
        .by_subject
        .iter()
        .map(|(s, n)| std::iter::once(text(s)).chain(n.iter().map(|v| Cell::Number(*v as f64))).collect())
        .collect();
    Ok(write_workbook(&[
        Sheet {
            name: "认定名册",
            title: vec![format!("名师、骨干教师认定名册（{}）", b.today)],
            headers: &[
                "学校",
                "工号",
                "姓名",
                "称号",
                "级别",
                "学科",
                "推荐年度",
                "状态",
                "评审均分",
                "认定日期",
                "任期至",
                "撤销日期",
            ],
            rows: &rows,
        },
        Sheet {
            name: "按学科",
            title: vec![format!("{}在任称号人数（按学科）", b.today)],
            headers: &subject_headers,
            rows: &by_subject,
        },
    ])?)
}
