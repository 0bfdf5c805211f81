//! The 控辍保学 case register (台账): cases, their history and evidence, and the roll figures
//! the dashboard reads beside them. Every read is scoped; case files need [`Resource::Cases`].

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::casework::Subject;
use eduq_core::dropout::{Case, CaseState, Outcome, Register};
use eduq_core::identity::mask_student_number;
use serde::Serialize;

use crate::casework::{CaseEvent, EvidenceMeta};
use crate::org::scope_filter;
use crate::sql::ON_ROLL;
use crate::{Arg, Get, Result, Sql, Store, StoreError, System, Tx};

/// One line of the case register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRow {
    pub id: i64,
    pub student_id: i64,
    pub student_no: String,
    pub student_name: String,
    pub school_id: i64,
    pub school_name: String,
    pub class_id: Option<i64>,
    pub class_name: String,
    pub grade: i64,
    pub reason: String,
    pub source: String,
    pub opened_on: NaiveDate,
    pub opened_by: String,
    pub closed_by: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub case: Case,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDetail {
    pub row: CaseRow,
    pub events: Vec<CaseEvent>,
    pub evidence: Vec<EvidenceMeta>,
}

/// Filters of the register.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub state: Option<CaseState>,
    pub school_id: Option<i64>,
    /// Cases opened or still open in this window (for reports).
    pub active_from: Option<NaiveDate>,
    pub active_to: Option<NaiveDate>,
}

const CASE_COLS: &str = "k.id, k.student_id, st.student_no, st.name, k.school_id, s.name, k.class_id, \
    COALESCE(c.name, ''), COALESCE(c.grade, 0), k.reason, k.source, k.opened_on, k.opened_by, k.closed_by, k.closed_on, \
    k.register, k.state, k.step, k.step_started, k.outcome, k.outcome_date, k.close_requested_by, \
    (SELECT COUNT(*) FROM case_evidence v WHERE v.subject = 'dropout' AND v.case_id = k.id)";

const CASE_FROM: &str = " FROM dropout_case k JOIN student st ON st.id = k.student_id JOIN school s ON s.id = k.school_id \
    LEFT JOIN class c ON c.id = k.class_id WHERE 1=1";

fn decode<T>(what: &str, v: Option<T>) -> std::result::Result<T, sqlx::Error> {
    v.ok_or_else(|| sqlx::Error::Decode(format!("unknown {what} in dropout_case").into()))
}

impl CaseRow {
    /// The row as `actor` may read it: without whose case it is for roles that read the figures
    /// only, with a masked 学籍号 for roles that do not keep 学籍.
    fn read_by(self, actor: &Actor) -> CaseRow {
        if !actor.role.may_read(Resource::Cases) {
            self.deidentified()
        } else if !actor.role.reads_full_identity() {
            CaseRow { student_no: mask_student_number(&self.student_no), ..self }
        } else {
            self
        }
    }

    fn deidentified(self) -> CaseRow {
        let hidden = String::new;
        CaseRow {
            student_no: hidden(),
            student_name: hidden(),
            reason: hidden(),
            opened_by: hidden(),
            closed_by: None,
            case: Case { closing: Default::default(), ..self.case },
            ..self
        }
    }
}

fn case_row(r: &dyn Get) -> std::result::Result<CaseRow, sqlx::Error> {
    let case = Case {
        register: decode("register", Register::from_key(&r.s(15)?))?,
        state: decode("state", CaseState::from_key(&r.s(16)?))?,
        step: r.i(17)?.clamp(1, 4) as u8,
        step_started: r.d(18)?,
        outcome: match r.os(19)? {
            Some(k) => Some(decode("outcome", Outcome::from_key(&k))?),
            None => None,
        },
        outcome_date: r.od(20)?,
        closing: eduq_core::casework::Closing { requested_by: r.os(21)? },
        evidence: r.i(22)?.max(0) as u32,
    };
    Ok(CaseRow {
        id: r.i(0)?,
        student_id: r.i(1)?,
        student_no: r.s(2)?,
        student_name: r.s(3)?,
        school_id: r.i(4)?,
        school_name: r.s(5)?,
        class_id: r.oi(6)?,
        class_name: r.s(7)?,
        grade: r.i(8)?,
        reason: r.s(9)?,
        source: r.s(10)?,
        opened_on: r.d(11)?,
        opened_by: r.s(12)?,
        closed_by: r.os(13)?,
        closed_on: r.od(14)?,
        case,
    })
}

impl Store {
    /// The register in scope. Needs case rights; not audited per line (the list shows no case file),
    /// but opening one case is.
    /// Cases in scope; for roles that read only the figures, without whose case it is (no name,
    /// 学籍号, reason or author).
    pub async fn cases(&self, actor: &Actor, f: &CaseQuery) -> Result<Vec<CaseRow>> {
        if !actor.role.may_read(Resource::Cases) && !actor.role.may_read(Resource::CaseFigures) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!("SELECT {CASE_COLS}{CASE_FROM}"));
        if let Some(state) = f.state {
            q.push_arg(" AND k.state = ?", state.key());
        }
        if let Some(school) = f.school_id {
            q.push_arg(" AND k.school_id = ?", school);
        }
        if let Some(to) = f.active_to {
            q.push_arg(" AND k.opened_on <= ?", to);
        }
        if let Some(from) = f.active_from {
            q.push_arg(" AND (k.closed_on IS NULL OR k.closed_on >= ?)", from);
        }
        scope_filter(&mut q, actor, "k.school_id", Some("k.class_id"), Some("k.student_id"));
        q.push(" ORDER BY k.opened_on DESC, k.id DESC");
        Ok(self.fetch(&q, case_row).await?.into_iter().map(|r| r.read_by(actor)).collect())
    }

    /// One case file with its history and evidence list; the read is audited.
    pub async fn case_detail(&self, actor: &Actor, id: i64, at: DateTime<Utc>) -> Result<CaseDetail> {
        if !actor.role.may_read(Resource::Cases) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!("SELECT {CASE_COLS}{CASE_FROM}"));
        q.push_arg(" AND k.id = ?", id);
        scope_filter(&mut q, actor, "k.school_id", Some("k.class_id"), Some("k.student_id"));
        let row = self.fetch_opt(&q, case_row).await?.ok_or(StoreError::NotFound)?.read_by(actor);
        let (events, evidence) = self.case_history(Subject::Dropout, id).await?;
        self.audit(actor, at, "case_read", &format!("case:{id}"), &format!("student:{}", row.student_id)).await?;
        Ok(CaseDetail { row, events, evidence })
    }

    /// The pupil's class and school in the term, or else in the latest earlier term (a pupil who
    /// left), if the pupil is in the caller's scope.
    /// The pupil's latest (school, class, grade) up to the term, within the caller's scope.
    pub async fn pupil_placement(
        &self,
        actor: &Actor,
        student_id: i64,
        term_id: i64,
    ) -> Result<Option<(i64, i64, i64)>> {
        let mut q = Sql::new(
            "SELECT e.school_id, e.class_id, e.grade FROM enrolment e JOIN term t ON t.id = e.term_id \
             JOIN term cur ON cur.id = $1 WHERE (t.start_year < cur.start_year OR (t.start_year = cur.start_year AND t.term_no <= cur.term_no))",
        )
        .bind(term_id);
        q.push_arg(" AND e.student_id = ?", student_id);
        scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        q.push(" ORDER BY t.start_year DESC, t.term_no DESC LIMIT 1");
        self.fetch_opt(&q, |r| Ok((r.i(0)?, r.i(1)?, r.i(2)?))).await
    }

    /// Attendance counts in scope per school (or per class) for a period, from the roll calls taken:
    /// pupil-days expected and each kind of absence.
    pub async fn attendance_totals(
        &self,
        actor: &Actor,
        term_id: i64,
        from: NaiveDate,
        to: NaiveDate,
        by_class: bool,
    ) -> Result<Vec<AttendanceTotals>> {
        let key = if by_class { "class_id" } else { "school_id" };
        if !actor.role.may_read(Resource::Attendance) {
            return Err(StoreError::Forbidden);
        }
        // Class sizes once, then joined to the roll calls (a correlated count per roll call took
        // a second on a term of the demo district).
        let mut q = Sql::new("");
        let t = q.arg(term_id);
        q.text = format!(
            "SELECT r.{key}, CAST(SUM(n.cnt) AS BIGINT) FROM roll_call r JOIN (SELECT e.class_id, COUNT(*) AS cnt \
             FROM enrolment e WHERE e.term_id = {t} AND e.status IN {ON_ROLL} GROUP BY e.class_id) n \
             ON n.class_id = r.class_id WHERE 1=1"
        );
        q.push_arg(" AND r.day >= ?", from);
        q.push_arg(" AND r.day <= ?", to);
        scope_filter(&mut q, actor, "r.school_id", Some("r.class_id"), None);
        q.push(&format!(" GROUP BY r.{key}"));
        let expected: HashMap<i64, i64> = self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?))).await?.into_iter().collect();
        let mut q = Sql::new(format!("SELECT a.{key}, a.status, COUNT(*) FROM attendance a WHERE 1=1"));
        q.push_arg(" AND a.day >= ?", from);
        q.push_arg(" AND a.day <= ?", to);
        scope_filter(&mut q, actor, "a.school_id", Some("a.class_id"), Some("a.student_id"));
        q.push(&format!(" GROUP BY a.{key}, a.status"));
        let mut out: HashMap<i64, AttendanceTotals> = expected
            .iter()
            .map(|(&unit, &expected)| (unit, AttendanceTotals { unit, expected, ..Default::default() }))
            .collect();
        for (school, status, n) in self.fetch(&q, |r| Ok((r.i(0)?, r.s(1)?, r.i(2)?))).await? {
            let t = out.entry(school).or_insert_with(|| AttendanceTotals { unit: school, ..Default::default() });
            match status.as_str() {
                "sick" => t.sick += n,
                "personal" => t.personal += n,
                "truant" => t.truant += n,
                "other" => t.other += n,
                "late" => t.late += n,
                "left_early" => t.left_early += n,
                _ => {}
            }
        }
        let mut v: Vec<AttendanceTotals> = out.into_values().collect();
        v.sort_by_key(|t| t.unit);
        Ok(v)
    }

    /// Days of 旷课 recorded for these pupils after a date (to see who stayed after returning).
    pub async fn truancy_since(
        &self,
        actor: &Actor,
        students: &[i64],
        since: NaiveDate,
    ) -> Result<Vec<(i64, NaiveDate)>> {
        if students.is_empty() {
            return Ok(vec![]);
        }
        let mut q = Sql::new(format!(
            "SELECT a.student_id, a.day FROM attendance a WHERE a.status = 'truant' AND a.student_id IN ({})",
            crate::org::id_list(students)
        ));
        q.push_arg(" AND a.day > ?", since);
        scope_filter(&mut q, actor, "a.school_id", Some("a.class_id"), Some("a.student_id"));
        self.fetch(&q, |r| Ok((r.i(0)?, r.d(1)?))).await
    }
}

/// Pupil-days of a school over a period, from the roll calls taken.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AttendanceTotals {
    /// The school or class id, as asked.
    pub unit: i64,
    pub expected: i64,
    pub sick: i64,
    pub personal: i64,
    pub truant: i64,
    pub other: i64,
    pub late: i64,
    pub left_early: i64,
}

impl AttendanceTotals {
    pub fn absent(&self) -> i64 {
        self.sick + self.personal + self.truant + self.other
    }
    /// 出勤率 in per cent (present or late/early over expected).
    pub fn rate(&self) -> Option<f64> {
        eduq_core::attendance::attendance_rate(self.expected, self.absent())
    }
}

/// A new case, as the app opens it.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub district_id: i64,
    pub school_id: i64,
    pub class_id: Option<i64>,
    pub student_id: i64,
    pub reason: String,
    pub source: String,
    pub opened_on: NaiveDate,
}

impl Tx {
    pub async fn insert_case(&mut self, actor: &Actor, n: &NewCase, case: &Case) -> Result<i64> {
        let mut q = Sql::new(
            "INSERT INTO dropout_case (district_id, school_id, class_id, student_id, register, state, step, step_started, \
             reason, source, opened_on, opened_by) VALUES (",
        );
        let args: Vec<Arg> = vec![
            n.district_id.into(),
            n.school_id.into(),
            n.class_id.into(),
            n.student_id.into(),
            case.register.key().into(),
            case.state.key().into(),
            i64::from(case.step).into(),
            case.step_started.into(),
            n.reason.clone().into(),
            n.source.clone().into(),
            n.opened_on.into(),
            actor.username.clone().into(),
        ];
        let ph: Vec<String> = args.into_iter().map(|a| q.arg(a)).collect();
        q.push(&ph.join(", "));
        q.push(") RETURNING id");
        self.scalar(&q).await
    }

    /// Stores the state the rules computed.
    pub async fn update_case(&mut self, id: i64, case: &Case, closed: Option<(&str, NaiveDate)>) -> Result<()> {
        self.exec(
            &Sql::new(
                "UPDATE dropout_case SET register = $1, state = $2, step = $3, step_started = $4, outcome = $5, \
                 outcome_date = $6, close_requested_by = $7, closed_by = $8, closed_on = $9 WHERE id = $10",
            )
            .bind(case.register.key())
            .bind(case.state.key())
            .bind(i64::from(case.step))
            .bind(case.step_started)
            .bind(case.outcome.map(|o| o.key().to_string()))
            .bind(case.outcome_date)
            .bind(case.closing.requested_by.clone())
            .bind(closed.map(|(by, _)| by.to_string()))
            .bind(closed.map(|(_, on)| on))
            .bind(id),
        )
        .await
        .map(|_| ())
    }
}

impl System<'_> {
    /// The pupil's case not yet closed, if any (one case per pupil at a time).
    pub async fn unclosed_case_of(&self, student_id: i64) -> Result<Option<i64>> {
        self.fetch_opt(
            &Sql::new("SELECT id FROM dropout_case WHERE student_id = $1 AND state <> 'closed'").bind(student_id),
            |r| r.i(0),
        )
        .await
    }
}
