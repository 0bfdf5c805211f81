//! The 问题清单: problems of 督导 and safety hazards, each with its 整改通知书 number, kept through
//! the shared case workflow ([`crate::casework`]). Every read is scoped to the caller's schools
//! and needs [`Resource::Supervision`]; nothing is ever deleted.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::casework::{Closing, Subject};
use eduq_core::supervision::{Problem, ProblemKind, ProblemState, Severity};
use serde::Serialize;

use crate::casework::{CaseEvent, EvidenceMeta};
use crate::org::scope_filter;
use crate::{Arg, Get, Result, Sql, Store, StoreError, Tx};

/// One line of the 问题清单.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemRow {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub inspection_id: Option<i64>,
    pub item_code: String,
    /// The rubric's 一级指标, or the hazard's category.
    pub domain: String,
    pub location: String,
    pub description: String,
    pub responsible: String,
    pub indicator: Option<String>,
    pub notice_no: String,
    pub raised_by: String,
    pub closed_by: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub problem: Problem,
}

/// The number printed on a 整改通知书: one sequence per district and year.
pub fn notice_no(year: i64, seq: i64) -> String {
    format!("督改〔{year}〕{seq}号")
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemDetail {
    pub row: ProblemRow,
    pub events: Vec<CaseEvent>,
    pub evidence: Vec<EvidenceMeta>,
}

/// Filters of the register.
#[derive(Debug, Clone, Default)]
pub struct ProblemQuery {
    pub kind: Option<ProblemKind>,
    pub state: Option<ProblemState>,
    pub severity: Option<Severity>,
    pub school_id: Option<i64>,
    pub inspection_id: Option<i64>,
    pub indicator: Option<String>,
    /// Open past the deadline on this day.
    pub overdue_on: Option<NaiveDate>,
    /// Rows after this many (the register is read a page at a time).
    pub offset: i64,
    pub limit: i64,
}

/// What the board counts of one problem: the rules' view and where it belongs.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemFact {
    pub school_id: i64,
    pub school_name: String,
    pub domain: String,
    pub closed_on: Option<NaiveDate>,
    pub problem: Problem,
}

const COLS: &str = "k.id, k.school_id, s.name, k.inspection_id, k.item_code, k.domain, k.location, k.description, \
    k.responsible, k.indicator, k.notice_year, k.notice_seq, k.raised_by, k.closed_by, k.closed_on, \
    k.kind, k.severity, k.state, k.raised_on, k.deadline, k.submitted_on, k.rectified_on, k.returns, k.close_requested_by, \
    (SELECT COUNT(*) FROM case_evidence v WHERE v.subject = 'problem' AND v.case_id = k.id)";

const FROM: &str = " FROM problem k JOIN school s ON s.id = k.school_id WHERE 1=1";

fn decode<T>(what: &str, v: Option<T>) -> std::result::Result<T, sqlx::Error> {
    v.ok_or_else(|| sqlx::Error::Decode(format!("unknown {what} in problem").into()))
}

/// The rules' view from columns starting at `c`: kind, severity, state, raised, deadline,
/// submitted, rectified, returns, close request, evidence count.
fn problem_at(r: &dyn Get, c: usize) -> std::result::Result<Problem, sqlx::Error> {
    Ok(Problem {
        kind: decode("kind", ProblemKind::from_key(&r.s(c)?))?,
        severity: decode("severity", Severity::from_key(&r.s(c + 1)?))?,
        state: decode("state", ProblemState::from_key(&r.s(c + 2)?))?,
        raised_on: r.d(c + 3)?,
        deadline: r.d(c + 4)?,
        submitted_on: r.od(c + 5)?,
        rectified_on: r.od(c + 6)?,
        returns: r.i(c + 7)?.max(0) as u32,
        closing: Closing { requested_by: r.os(c + 8)? },
        evidence: r.i(c + 9)?.max(0) as u32,
    })
}

const FIELD_SEP: char = '\u{1f}';
const RECORD_SEP: char = '\u{1e}';

/// `YYYY-MM-DD` as both backends write a date as text (faster than a format-driven parse, which
/// the board would run 100,000 times).
fn iso_date(v: &str) -> Option<NaiveDate> {
    let b = v.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| v.get(r).and_then(|x| x.parse::<u32>().ok());
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// One problem as [`Store::problem_facts`] packs it: domain, kind, severity, state, raised,
/// deadline, submitted, rectified, closed, returns (dates as ISO text, empty when none).
fn unpack(s: &str) -> Option<(String, Problem, Option<NaiveDate>)> {
    let f: Vec<&str> = s.split(FIELD_SEP).collect();
    let [domain, kind, severity, state, raised, deadline, submitted, rectified, closed, returns] = f[..] else {
        return None;
    };
    let opt = |v: &str| if v.is_empty() { Some(None) } else { iso_date(v).map(Some) };
    Some((
        domain.to_string(),
        Problem {
            kind: ProblemKind::from_key(kind)?,
            severity: Severity::from_key(severity)?,
            state: ProblemState::from_key(state)?,
            raised_on: iso_date(raised)?,
            deadline: iso_date(deadline)?,
            submitted_on: opt(submitted)?,
            rectified_on: opt(rectified)?,
            returns: returns.parse().ok()?,
            evidence: 0,
            closing: Closing::default(),
        },
        opt(closed)?,
    ))
}

fn problem_row(r: &dyn Get) -> std::result::Result<ProblemRow, sqlx::Error> {
    Ok(ProblemRow {
        id: r.i(0)?,
        school_id: r.i(1)?,
        school_name: r.s(2)?,
        inspection_id: r.oi(3)?,
        item_code: r.s(4)?,
        domain: r.s(5)?,
        location: r.s(6)?,
        description: r.s(7)?,
        responsible: r.s(8)?,
        indicator: r.os(9)?,
        notice_no: notice_no(r.i(10)?, r.i(11)?),
        raised_by: r.s(12)?,
        closed_by: r.os(13)?,
        closed_on: r.od(14)?,
        problem: problem_at(r, 15)?,
    })
}

fn filtered(q: &mut Sql, actor: &Actor, f: &ProblemQuery) {
    if let Some(k) = f.kind {
        q.push_arg(" AND k.kind = ?", k.key());
    }
    if let Some(st) = f.state {
        q.push_arg(" AND k.state = ?", st.key());
    }
    if let Some(sv) = f.severity {
        q.push_arg(" AND k.severity = ?", sv.key());
    }
    if let Some(id) = f.school_id {
        q.push_arg(" AND k.school_id = ?", id);
    }
    if let Some(id) = f.inspection_id {
        q.push_arg(" AND k.inspection_id = ?", id);
    }
    if let Some(ind) = &f.indicator {
        q.push_arg(" AND k.indicator = ?", ind.as_str());
    }
    if let Some(day) = f.overdue_on {
        q.push(" AND k.state = 'open'");
        q.push_arg(" AND k.deadline < ?", day);
    }
    scope_filter(q, actor, "k.school_id", None, None);
}

impl Store {
    /// A page of the register in scope, most urgent first (earliest deadline), and how many
    /// rows match in all.
    pub async fn problems(&self, actor: &Actor, f: &ProblemQuery) -> Result<(Vec<ProblemRow>, i64)> {
        if !actor.role.may_read(Resource::Supervision) {
            return Err(StoreError::Forbidden);
        }
        let (district_id, _) = self.district().await?;
        // The page's ids first, from the register's index alone; only its rows are then joined to
        // their school and counted for evidence (skipping 5,000 rows for page 100 costs an index
        // walk, not 5,000 joins and subqueries).
        const ORDER: &str = " ORDER BY CASE k.state WHEN 'closed' THEN 1 ELSE 0 END, k.deadline, k.id";
        let mut q = Sql::new(format!("SELECT {COLS}{FROM} AND k.id IN (SELECT k.id FROM problem k WHERE 1=1"));
        q.push_arg(" AND k.district_id = ?", district_id);
        filtered(&mut q, actor, f);
        q.push(ORDER);
        q.push_arg(" LIMIT ?", f.limit.clamp(1, 1000));
        q.push_arg(" OFFSET ?", f.offset.max(0));
        q.push(")");
        q.push(ORDER);
        let rows = self.fetch(&q, problem_row).await?;
        // The count of a filter is kept until the next write: every page of the list shows it.
        let key = format!(
            "problem_count|{}|{:?}",
            crate::reader_key(actor),
            ProblemQuery { offset: 0, limit: 0, ..f.clone() }
        );
        let total = self
            .memoised(&key, async {
                let mut c = Sql::new("SELECT COUNT(*) FROM problem k WHERE 1=1");
                c.push_arg(" AND k.district_id = ?", district_id);
                filtered(&mut c, actor, f);
                self.scalar(&c).await
            })
            .await?;
        Ok((rows, total))
    }

    /// Every problem in scope as the board counts it, of one kind or raised by one user if asked:
    /// the rules' view without names or evidence counts. The board reads tens of thousands, so
    /// each school and domain's problems come joined into one string (`string_agg`): a row
    /// fetched through sqlx costs microseconds on SQLite, 20,000 of them most of the page's time.
    pub async fn problem_facts(
        &self,
        actor: &Actor,
        kind: Option<ProblemKind>,
        raised_by: Option<&str>,
    ) -> Result<Vec<ProblemFact>> {
        if !actor.role.may_read(Resource::Supervision) {
            return Err(StoreError::Forbidden);
        }
        let (district_id, _) = self.district().await?;
        // Fields and problems are separated by the ASCII unit and record separators, passed as
        // arguments (no text a user types holds them: [`eduq_core::text::is_label`]).
        let mut q = Sql::new("SELECT k.school_id, MIN(s.name), string_agg(");
        let unit = q.arg(FIELD_SEP.to_string());
        let text = |c: &str| format!("COALESCE(CAST(k.{c} AS TEXT), '')");
        let packed = ["k.domain".to_string(), "k.kind".into(), "k.severity".into(), "k.state".into()]
            .into_iter()
            .chain(["raised_on", "deadline", "submitted_on", "rectified_on", "closed_on", "returns"].map(text))
            .collect::<Vec<_>>()
            .join(&format!(" || {unit} || "));
        let record = q.arg(RECORD_SEP.to_string());
        q.push(&format!("{packed}, {record}) FROM problem k JOIN school s ON s.id = k.school_id WHERE 1=1"));
        q.push_arg(" AND k.district_id = ?", district_id);
        if let Some(k) = kind {
            q.push_arg(" AND k.kind = ?", k.key());
        }
        if let Some(u) = raised_by {
            q.push_arg(" AND k.raised_by = ?", u);
        }
        scope_filter(&mut q, actor, "k.school_id", None, None);
        q.push(" GROUP BY k.school_id");
        let groups = self.fetch(&q, |r| Ok((r.i(0)?, r.s(1)?, r.s(2)?))).await?;
        let mut out = Vec::new();
        for (school_id, school_name, packed) in groups {
            for one in packed.split(RECORD_SEP) {
                let (domain, problem, closed_on) =
                    unpack(one).ok_or_else(|| StoreError::Invalid(format!("问题记录无法读取：{one:?}")))?;
                out.push(ProblemFact { school_id, school_name: school_name.clone(), domain, closed_on, problem });
            }
        }
        Ok(out)
    }

    /// Problems not closed yet per linked indicator, in scope.
    pub async fn open_problems_by_indicator(&self, actor: &Actor) -> Result<HashMap<String, i64>> {
        if !actor.role.may_read(Resource::Supervision) {
            return Ok(HashMap::new());
        }
        let (district_id, _) = self.district().await?;
        let mut q = Sql::new(
            "SELECT k.indicator, COUNT(*) FROM problem k WHERE k.indicator IS NOT NULL AND k.state <> 'closed'",
        );
        q.push_arg(" AND k.district_id = ?", district_id);
        scope_filter(&mut q, actor, "k.school_id", None, None);
        q.push(" GROUP BY k.indicator");
        Ok(self.fetch(&q, |r| Ok((r.s(0)?, r.i(1)?))).await?.into_iter().collect())
    }

    /// One problem in scope with its history and evidence; the read is audited.
    pub async fn problem_detail(&self, actor: &Actor, id: i64, at: DateTime<Utc>) -> Result<ProblemDetail> {
        if !actor.role.may_read(Resource::Supervision) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!("SELECT {COLS}{FROM}"));
        q.push_arg(" AND k.id = ?", id);
        scope_filter(&mut q, actor, "k.school_id", None, None);
        let row = self.fetch_opt(&q, problem_row).await?.ok_or(StoreError::NotFound)?;
        let (events, evidence) = self.case_history(Subject::Problem, id).await?;
        self.audit(actor, at, "problem_read", &format!("problem:{id}"), &format!("school:{}", row.school_id)).await?;
        Ok(ProblemDetail { row, events, evidence })
    }
}

/// A problem to raise, where it belongs and what it says.
#[derive(Debug, Clone)]
pub struct NewProblem {
    pub district_id: i64,
    pub school_id: i64,
    pub inspection_id: Option<i64>,
    pub item_code: String,
    pub domain: String,
    pub location: String,
    pub description: String,
    pub responsible: String,
    pub indicator: Option<String>,
    /// What identifies the problem across files ([`eduq_core::supervision::problem_key`]).
    pub source_key: String,
}

impl crate::System<'_> {
    /// Which of `keys` the district's problems already hold (an import skips them).
    pub async fn problem_keys_held(
        &self,
        district_id: i64,
        keys: &[String],
    ) -> Result<std::collections::HashSet<String>> {
        self.source_keys_held(crate::SourceKeyed::Problem, district_id, keys).await
    }
}

impl Tx {
    /// Raises a problem under the next 整改通知书 number of its district and year.
    pub async fn insert_problem(&mut self, actor: &Actor, n: &NewProblem, p: &Problem) -> Result<(i64, String)> {
        use chrono::Datelike;
        let year = i64::from(p.raised_on.year());
        let seq = self
            .scalar(
                &Sql::new(
                    "SELECT COALESCE(MAX(notice_seq), 0) + 1 FROM problem WHERE district_id = $1 AND notice_year = $2",
                )
                .bind(n.district_id)
                .bind(year),
            )
            .await?;
        let mut q = Sql::new(
            "INSERT INTO problem (district_id, school_id, kind, inspection_id, item_code, domain, location, description, \
             severity, responsible, indicator, notice_year, notice_seq, state, raised_on, raised_by, deadline, source_key) VALUES (",
        );
        let args: Vec<Arg> = vec![
            n.district_id.into(),
            n.school_id.into(),
            p.kind.key().into(),
            n.inspection_id.into(),
            n.item_code.clone().into(),
            n.domain.clone().into(),
            n.location.clone().into(),
            n.description.clone().into(),
            p.severity.key().into(),
            n.responsible.clone().into(),
            n.indicator.clone().into(),
            year.into(),
            seq.into(),
            p.state.key().into(),
            p.raised_on.into(),
            actor.username.clone().into(),
            p.deadline.into(),
            n.source_key.clone().into(),
        ];
        let ph: Vec<String> = args.into_iter().map(|a| q.arg(a)).collect();
        q.push(&ph.join(", "));
        q.push(") RETURNING id");
        Ok((self.scalar(&q).await?, notice_no(year, seq)))
    }

    /// Stores the state the rules computed.
    pub async fn update_problem(&mut self, id: i64, p: &Problem, closed: Option<(&str, NaiveDate)>) -> Result<()> {
        self.exec(
            &Sql::new(
                "UPDATE problem SET state = $1, deadline = $2, submitted_on = $3, rectified_on = $4, returns = $5, \
                 close_requested_by = $6, closed_by = $7, closed_on = $8 WHERE id = $9",
            )
            .bind(p.state.key())
            .bind(p.deadline)
            .bind(p.submitted_on)
            .bind(p.rectified_on)
            .bind(i64::from(p.returns))
            .bind(p.closing.requested_by.clone())
            .bind(closed.map(|(by, _)| by.to_string()))
            .bind(closed.map(|(_, on)| on))
            .bind(id),
        )
        .await
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_problems_read_back() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        assert_eq!(iso_date("2026-09-01"), Some(d(9, 1)));
        for bad in ["2026-9-01", "2026-02-30", "20260901", "2026-09-0x", ""] {
            assert_eq!(iso_date(bad), None, "{bad}");
        }
        let u = FIELD_SEP;
        let one = format!(
            "安全管理{u}hazard{u}severe{u}pending_close{u}2026-09-01{u}2026-09-08{u}2026-09-05{u}2026-09-05{u}{u}1"
        );
        let (domain, p, closed) = unpack(&one).expect("unpacked");
        assert_eq!(
            (domain.as_str(), p.kind, p.severity, p.state),
            ("安全管理", ProblemKind::Hazard, Severity::Severe, ProblemState::PendingClose)
        );
        assert_eq!(
            (p.raised_on, p.deadline, p.submitted_on, p.rectified_on, closed, p.returns),
            (d(9, 1), d(9, 8), Some(d(9, 5)), Some(d(9, 5)), None, 1)
        );
        assert!(unpack(&one.replace("severe", "huge")).is_none());
        assert!(unpack("a|b").is_none());
    }
}
