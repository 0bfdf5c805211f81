//! 心理筛查: rounds, one-time codes, responses, alerts, and the aggregates others may see.
//!
//! Individual answers and results are read only by the roles of [`Role::reads_psych_results`]
//! within their scope, and each read is audited here, in the store, so no page can forget it.
//! Everyone else gets counts (coverage, bands by grade and sex, alert timeliness) or, for a 班主任,
//! the bare fact that a pupil of the class needs attention.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource, Scope};
use eduq_core::screening::Instrument;
use serde::Serialize;

use crate::imports::{JsonCol, json_strings, json_ts};
use crate::org::{id_list, scope_filter};
use crate::{Result, Sql, Store, StoreError, Tx};

/// Enrolment states that count a pupil as at school.
const AT_SCHOOL: &str = "('enrolled', 'transfer_in', 'resumed')";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundRow {
    pub id: i64,
    /// `None`: the bureau's round, for every school.
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    pub term_id: i64,
    pub instrument: String,
    pub name: String,
    pub grades: Vec<i64>,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub username: String,
}

impl RoundRow {
    pub fn grades_label(&self) -> String {
        self.grades
            .iter()
            .filter_map(|&g| eduq_core::grade::Grade::new(g as i8))
            .map(|g| g.name())
            .collect::<Vec<_>>()
            .join("、")
    }
    pub fn is_open(&self, today: NaiveDate) -> bool {
        self.opens <= today && today <= self.closes
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewRound {
    pub district_id: i64,
    pub school_id: Option<i64>,
    pub term_id: i64,
    pub instrument: String,
    pub name: String,
    pub grades: Vec<i64>,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
}

/// A pupil a round is for, as the code slips and the paper-entry form list them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pupil {
    pub student_id: i64,
    pub student_no: String,
    pub name: String,
    pub school_id: i64,
    pub class_id: i64,
    pub class_name: String,
    pub grade: i64,
    pub sex: String,
    pub answered: bool,
}

/// What a one-time code opens: no name, only what the response row needs.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeTarget {
    pub round_id: i64,
    pub round_name: String,
    pub instrument: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub student_id: i64,
    pub used: bool,
    /// The pupil's record of the round's term, `None` if the pupil left meanwhile.
    pub pupil: Option<PupilAt>,
}

/// Where a pupil is in a term, as a response row records it.
#[derive(Debug, Clone, PartialEq)]
pub struct PupilAt {
    pub district_id: i64,
    pub school_id: i64,
    pub class_id: i64,
    pub grade: i64,
    pub sex: String,
}

/// A sheet a pupil submitted with a code, for the writer of [`Tx::insert_online_sheets`].
#[derive(Debug, Clone, PartialEq)]
pub struct OnlineSheet {
    pub code_hash: String,
    pub pupil: PupilAt,
    pub response: NewResponse,
}

/// Why a sheet of a batch was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotKept {
    CodeSpent,
    AlreadyAnswered,
}

/// A scored sheet to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResponse {
    pub round_id: i64,
    pub student_id: i64,
    pub answers: Vec<i32>,
    pub total: i32,
    pub band: usize,
    pub band_label: String,
    pub attention: bool,
    pub alert: bool,
    pub critical: Vec<u32>,
    /// `online` (a pupil with a code) or `paper` (entered by the 心理教师).
    pub source: &'static str,
    /// When an alert is raised, the time it must be acted on.
    pub due_at: DateTime<Utc>,
}

/// One pupil's result, for the 心理教师 and 心理教研员 only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    pub response_id: i64,
    pub round_id: i64,
    pub student_id: i64,
    pub student_no: String,
    pub name: String,
    pub school_name: String,
    pub class_name: String,
    pub grade: i64,
    pub sex: String,
    pub total: i64,
    pub band_label: String,
    pub attention: bool,
    pub alert: bool,
    pub critical: String,
    pub source: String,
    pub submitted_at: DateTime<Utc>,
    /// Item answers, `None` once purged.
    pub answers: Option<String>,
}

/// An alert with its pupil, for the 心理教师 and 心理教研员.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRow {
    pub id: i64,
    pub response_id: i64,
    pub student_id: i64,
    pub name: String,
    pub school_name: String,
    pub class_name: String,
    pub round_name: String,
    pub band_label: String,
    pub critical: String,
    pub raised_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub file_id: Option<i64>,
}

/// Counts of one round in the caller's scope, by school, grade and sex: the raw material of every
/// aggregate view. `bands[i]` counts responses in band i.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Cell {
    pub school_id: i64,
    pub grade: i64,
    pub sex: String,
    pub eligible: i64,
    pub responded: i64,
    pub attention: i64,
    pub bands: Vec<i64>,
}

/// An alert's timing, without its pupil.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertTiming {
    pub school_id: i64,
    pub due_at: DateTime<Utc>,
    pub acted_at: Option<DateTime<Utc>>,
}

const ROUND_COLS: &str =
    "r.id, r.school_id, s.name, r.term_id, r.instrument, r.name, r.grades, r.opens, r.closes, r.username";

fn round_row(r: &dyn crate::Get) -> std::result::Result<RoundRow, sqlx::Error> {
    Ok(RoundRow {
        id: r.i(0)?,
        school_id: r.oi(1)?,
        school_name: r.os(2)?,
        term_id: r.i(3)?,
        instrument: r.s(4)?,
        name: r.s(5)?,
        grades: r.s(6)?.split(',').filter_map(|g| g.trim().parse().ok()).collect(),
        opens: r.d(7)?,
        closes: r.d(8)?,
        username: r.s(9)?,
    })
}

/// Rounds the caller sees: the bureau's and those of the caller's schools.
fn round_filter(q: &mut Sql, actor: &Actor) {
    match &actor.scope {
        Scope::District => {}
        Scope::School(id) | Scope::Classes { school_id: id, .. } => {
            q.push_arg(" AND (r.school_id IS NULL OR r.school_id = ?)", *id);
        }
        Scope::Schools(ids) => {
            q.push(&format!(" AND (r.school_id IS NULL OR r.school_id IN ({}))", id_list(ids)));
        }
        Scope::Students(_) => {
            q.push(" AND 1 = 0");
        }
    }
}

/// The pupils of a round: enrolled in its term and grades, at its school or every school.
fn pupils_of(q: &mut Sql, round: &RoundRow) {
    q.push_arg(" AND e.term_id = ?", round.term_id);
    q.push(&format!(" AND e.status IN {AT_SCHOOL} AND e.grade IN ({})", id_list(&round.grades)));
    if let Some(s) = round.school_id {
        q.push_arg(" AND e.school_id = ?", s);
    }
}

fn reads_results(actor: &Actor) -> Result<()> {
    if actor.role.may_read(Resource::Psych) { Ok(()) } else { Err(StoreError::Forbidden) }
}

impl Store {
    /// Instruments a bureau loaded under its own licence: (key, definition).
    pub async fn loaded_instruments(&self, district_id: i64) -> Result<Vec<(String, String)>> {
        let q = Sql::new("SELECT key, definition FROM screening_instrument WHERE district_id = $1 ORDER BY key")
            .bind(district_id);
        self.fetch(&q, |r| Ok((r.s(0)?, r.s(1)?))).await
    }

    /// Rounds the caller sees, newest first.
    pub async fn screening_rounds(&self, actor: &Actor, id: Option<i64>) -> Result<Vec<RoundRow>> {
        if !actor.role.may_read(Resource::PsychFigures) && !actor.role.opens_screening_rounds() {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!(
            "SELECT {ROUND_COLS} FROM screening_round r LEFT JOIN school s ON s.id = r.school_id WHERE 1=1"
        ));
        if let Some(id) = id {
            q.push_arg(" AND r.id = ?", id);
        }
        round_filter(&mut q, actor);
        q.push(" ORDER BY r.opens DESC, r.id DESC");
        self.fetch(&q, round_row).await
    }

    pub async fn screening_round(&self, actor: &Actor, id: i64) -> Result<RoundRow> {
        self.screening_rounds(actor, Some(id)).await?.pop().ok_or(StoreError::NotFound)
    }

    /// The pupils of a round in the caller's scope, with whether each has answered (names: for
    /// the roles who print code slips and enter paper sheets).
    pub async fn round_pupils(&self, actor: &Actor, round: &RoundRow) -> Result<Vec<Pupil>> {
        reads_results(actor)?;
        let mut q = Sql::new(
            "SELECT e.student_id, st.student_no, st.name, e.school_id, e.class_id, c.name, e.grade, st.sex, \
             x.id FROM enrolment e JOIN student st ON st.id = e.student_id \
             JOIN class c ON c.id = e.class_id LEFT JOIN screening_response x ON x.student_id = e.student_id AND x.round_id = ",
        );
        q.push_arg("? WHERE 1=1", round.id);
        pupils_of(&mut q, round);
        scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        q.push(" ORDER BY e.school_id, e.grade, c.class_no, st.student_no");
        self.fetch(&q, |r| {
            Ok(Pupil {
                student_id: r.i(0)?,
                student_no: r.s(1)?,
                name: r.s(2)?,
                school_id: r.i(3)?,
                class_id: r.i(4)?,
                class_name: r.s(5)?,
                grade: r.i(6)?,
                sex: r.s(7)?,
                answered: r.oi(8)?.is_some(),
            })
        })
        .await
    }

    /// What a one-time code opens (no caller: the pupil is not signed in).
    pub async fn code_target(&self, code_hash: &str) -> Result<Option<CodeTarget>> {
        let q = Sql::new(code_target_sql("= $1")).bind(code_hash);
        Ok(self.fetch(&q, code_target_row).await?.pop().map(|(_, t)| t))
    }

    /// What each of many codes opens (a burst of submissions), by code hash; unknown codes are
    /// absent. One statement text whatever the number of codes.
    pub async fn code_targets(&self, code_hashes: &[&str]) -> Result<std::collections::HashMap<String, CodeTarget>> {
        if code_hashes.is_empty() {
            return Ok(Default::default());
        }
        let q = Sql::new(code_target_sql(&format!("IN ({})", json_strings(self.is_postgres(), 1))))
            .bind(serde_json::Value::from(code_hashes.to_vec()).to_string());
        Ok(self.fetch(&q, code_target_row).await?.into_iter().collect())
    }

    /// Every result of a round in the caller's scope; the read is audited.
    pub async fn round_results(&self, actor: &Actor, round_id: i64, at: DateTime<Utc>) -> Result<Vec<ResultRow>> {
        reads_results(actor)?;
        let rows = self.results(actor, " AND x.round_id = ?", round_id).await?;
        self.audit(
            actor,
            at,
            "screening_results_read",
            &format!("screening_round:{round_id}"),
            &format!("{}人", rows.len()),
        )
        .await?;
        Ok(rows)
    }

    /// One result in the caller's scope (a file's team reads its own pupil's); audited.
    pub async fn screening_result(&self, actor: &Actor, response_id: i64, at: DateTime<Utc>) -> Result<ResultRow> {
        reads_results(actor)?;
        let row = self.results(actor, " AND x.id = ?", response_id).await?.pop().ok_or(StoreError::NotFound)?;
        self.audit(actor, at, "screening_result_read", &format!("screening_response:{response_id}"), "").await?;
        Ok(row)
    }

    /// A pupil's results in the caller's scope, newest first (for the follow-up file: its team
    /// reads them too); audited.
    pub async fn pupil_results(&self, actor: &Actor, student_id: i64, at: DateTime<Utc>) -> Result<Vec<ResultRow>> {
        let mut rows = self.results(actor, " AND x.student_id = ?", student_id).await?;
        rows.reverse();
        self.audit(actor, at, "screening_result_read", &format!("student:{student_id}"), &format!("{}份", rows.len()))
            .await?;
        Ok(rows)
    }

    async fn results(&self, actor: &Actor, cond: &str, arg: i64) -> Result<Vec<ResultRow>> {
        let mut q = Sql::new(
            "SELECT x.id, x.round_id, x.student_id, st.student_no, st.name, sc.name, c.name, x.grade, x.sex, x.total, \
             x.band_label, x.attention, x.alert, x.critical, x.source, x.submitted_at, x.answers FROM screening_response x \
             JOIN student st ON st.id = x.student_id JOIN school sc ON sc.id = x.school_id JOIN class c ON c.id = x.class_id \
             WHERE 1=1",
        );
        q.push_arg(cond, arg);
        if actor.role.may_read(Resource::Psych) {
            scope_filter(&mut q, actor, "x.school_id", Some("x.class_id"), Some("x.student_id"));
        } else {
            q.push_arg(
                " AND x.student_id IN (SELECT k.student_id FROM psych_case k JOIN psych_case_member m ON m.case_id = k.id \
                 WHERE m.user_id = ?)",
                actor.user_id,
            );
        }
        q.push(" ORDER BY x.school_id, x.grade, c.class_no, st.student_no, x.id");
        self.fetch(&q, |r| {
            Ok(ResultRow {
                response_id: r.i(0)?,
                round_id: r.i(1)?,
                student_id: r.i(2)?,
                student_no: r.s(3)?,
                name: r.s(4)?,
                school_name: r.s(5)?,
                class_name: r.s(6)?,
                grade: r.i(7)?,
                sex: r.s(8)?,
                total: r.i(9)?,
                band_label: r.s(10)?,
                attention: r.b(11)?,
                alert: r.b(12)?,
                critical: r.s(13)?,
                source: r.s(14)?,
                submitted_at: r.ts(15)?,
                answers: r.os(16)?,
            })
        })
        .await
    }

    /// Alerts not yet acted on, with their pupils (the 心理教师's home page); audited.
    pub async fn open_alerts(&self, actor: &Actor, at: DateTime<Utc>) -> Result<Vec<AlertRow>> {
        reads_results(actor)?;
        let mut q = Sql::new(
            "SELECT a.id, a.response_id, a.student_id, st.name, sc.name, c.name, r.name, x.band_label, x.critical, \
             a.raised_at, a.due_at, (SELECT MIN(k.id) FROM psych_case k WHERE k.response_id = a.response_id) \
             FROM psych_alert a JOIN screening_response x ON x.id = a.response_id JOIN screening_round r ON r.id = x.round_id \
             JOIN student st ON st.id = a.student_id JOIN school sc ON sc.id = a.school_id JOIN class c ON c.id = x.class_id \
             WHERE a.acted_at IS NULL",
        );
        scope_filter(&mut q, actor, "a.school_id", None, None);
        q.push(" ORDER BY a.due_at, a.id");
        let rows = self
            .fetch(&q, |r| {
                Ok(AlertRow {
                    id: r.i(0)?,
                    response_id: r.i(1)?,
                    student_id: r.i(2)?,
                    name: r.s(3)?,
                    school_name: r.s(4)?,
                    class_name: r.s(5)?,
                    round_name: r.s(6)?,
                    band_label: r.s(7)?,
                    critical: r.s(8)?,
                    raised_at: r.ts(9)?,
                    due_at: r.ts(10)?,
                    file_id: r.oi(11)?,
                })
            })
            .await?;
        if !rows.is_empty() {
            self.audit(actor, at, "psych_alerts_read", "psych_alert", &format!("{}条", rows.len())).await?;
        }
        Ok(rows)
    }

    /// Alert timings in the caller's scope (of one round, or all): no pupil, no result.
    pub async fn alert_timings(&self, actor: &Actor, round_id: Option<i64>) -> Result<Vec<AlertTiming>> {
        if !actor.role.may_read(Resource::PsychFigures) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT a.school_id, a.due_at, a.acted_at FROM psych_alert a JOIN screening_response x ON x.id = a.response_id \
             WHERE 1=1",
        );
        if let Some(r) = round_id {
            q.push_arg(" AND x.round_id = ?", r);
        }
        scope_filter(&mut q, actor, "a.school_id", None, None);
        self.fetch(&q, |r| Ok(AlertTiming { school_id: r.i(0)?, due_at: r.ts(1)?, acted_at: r.ots(2)? })).await
    }

    /// Counts of a round in the caller's scope by school, grade and sex.
    pub async fn round_cells(&self, actor: &Actor, round: &RoundRow, bands: usize) -> Result<Vec<Cell>> {
        if !actor.role.may_read(Resource::PsychFigures) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT e.school_id, e.grade, st.sex, COUNT(*) FROM enrolment e JOIN student st ON st.id = e.student_id WHERE 1=1",
        );
        pupils_of(&mut q, round);
        scope_filter(&mut q, actor, "e.school_id", None, None);
        q.push(" GROUP BY e.school_id, e.grade, st.sex");
        let mut cells: Vec<Cell> = self
            .fetch(&q, |r| {
                Ok(Cell {
                    school_id: r.i(0)?,
                    grade: r.i(1)?,
                    sex: r.s(2)?,
                    eligible: r.i(3)?,
                    bands: vec![0; bands],
                    ..Cell::default()
                })
            })
            .await?;
        // A pupil who answered and has left since (or moved out of the round's grades) is no longer
        // among the pupils on roll but was eligible when answering: counted in both, so that
        // coverage stays within 100 %. `gone` is 1 for such a response.
        let mut q = Sql::new(
            "SELECT x.school_id, x.grade, x.sex, x.band, x.attention, \
             CASE WHEN EXISTS (SELECT 1 FROM enrolment e WHERE e.student_id = x.student_id",
        );
        pupils_of(&mut q, round);
        q.push(
            ") THEN CAST(0 AS BIGINT) ELSE CAST(1 AS BIGINT) END AS gone, COUNT(*) FROM screening_response x WHERE 1=1",
        );
        q.push_arg(" AND x.round_id = ?", round.id);
        scope_filter(&mut q, actor, "x.school_id", None, None);
        q.push(" GROUP BY x.school_id, x.grade, x.sex, x.band, x.attention, gone");
        for (school_id, grade, sex, band, attention, gone, n) in
            self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?, r.s(2)?, r.i(3)?, r.b(4)?, r.i(5)?, r.i(6)?))).await?
        {
            let i = match cells.iter().position(|c| c.school_id == school_id && c.grade == grade && c.sex == sex) {
                Some(i) => i,
                None => {
                    cells.push(Cell { school_id, grade, sex, bands: vec![0; bands], ..Cell::default() });
                    cells.len() - 1
                }
            };
            let c = &mut cells[i];
            c.eligible += gone * n;
            c.responded += n;
            c.attention += if attention { n } else { 0 };
            if let Some(b) = c.bands.get_mut(band as usize) {
                *b += n;
            }
        }
        cells.sort_by(|a, b| (a.school_id, a.grade, &a.sex).cmp(&(b.school_id, b.grade, &b.sex)));
        Ok(cells)
    }

    /// Pupils of the caller's classes who need attention: an open follow-up file, or a result
    /// flagged 关注 in a round of the term. Names only, never why (the 班主任's view).
    pub async fn attention_flags(&self, actor: &Actor, term_id: i64) -> Result<Vec<(i64, String, String)>> {
        if !actor.role.sees_attention_flags() {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT e.student_id, st.name, c.name FROM enrolment e JOIN student st ON st.id = e.student_id \
             JOIN class c ON c.id = e.class_id WHERE 1=1",
        );
        q.push_arg(" AND e.term_id = ?", term_id);
        q.push_arg(
            " AND (e.student_id IN (SELECT k.student_id FROM psych_case k WHERE k.state <> 'closed') \
             OR e.student_id IN (SELECT x.student_id FROM screening_response x JOIN screening_round r ON r.id = x.round_id \
             WHERE x.attention AND r.term_id = ?))",
            term_id,
        );
        scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        q.push(" ORDER BY c.class_no, st.student_no");
        self.fetch(&q, |r| Ok((r.i(0)?, r.s(1)?, r.s(2)?))).await
    }
}

const RESPONSE_INSERT: &str = "INSERT INTO screening_response (round_id, district_id, school_id, class_id, student_id, \
     grade, sex, answers, total, band, band_label, attention, alert, critical, source, username, submitted_at) VALUES ";

/// What codes open, the codes picked first (`MATERIALIZED`): PostgreSQL's estimate of a
/// district's few rounds is often one row, and starting from the round it probed every code once
/// per round (9 ms for 250 codes of 11 rounds, 4 ms this way).
fn code_target_sql(hash_is: &str) -> String {
    format!(
        "WITH k AS MATERIALIZED (SELECT round_id, student_id, used_at, code_hash FROM screening_code \
         WHERE code_hash {hash_is}) \
         SELECT r.id, r.name, r.instrument, r.opens, r.closes, k.student_id, k.used_at, e.district_id, \
         e.school_id, e.class_id, e.grade, st.sex, k.code_hash FROM k JOIN screening_round r ON r.id = k.round_id \
         JOIN student st ON st.id = k.student_id \
         LEFT JOIN enrolment e ON e.student_id = k.student_id AND e.term_id = r.term_id"
    )
}

fn code_target_row(r: &dyn crate::Get) -> std::result::Result<(String, CodeTarget), sqlx::Error> {
    let pupil = match r.oi(7)? {
        Some(district_id) => {
            Some(PupilAt { district_id, school_id: r.i(8)?, class_id: r.i(9)?, grade: r.i(10)?, sex: r.s(11)? })
        }
        None => None,
    };
    let t = CodeTarget {
        round_id: r.i(0)?,
        round_name: r.s(1)?,
        instrument: r.s(2)?,
        opens: r.d(3)?,
        closes: r.d(4)?,
        student_id: r.i(5)?,
        used: r.ots(6)?.is_some(),
        pupil,
    };
    Ok((r.s(12)?, t))
}

/// One `(…)` of [`RESPONSE_INSERT`].
fn response_values(q: &mut Sql, p: &PupilAt, n: &NewResponse, username: &str, at: DateTime<Utc>) {
    let answers: Vec<String> = n.answers.iter().map(i32::to_string).collect();
    q.push_arg("(?", n.round_id);
    q.push_arg(", ?", p.district_id);
    q.push_arg(", ?", p.school_id);
    q.push_arg(", ?", p.class_id);
    q.push_arg(", ?", n.student_id);
    q.push_arg(", ?", p.grade);
    q.push_arg(", ?", p.sex.as_str());
    q.push_arg(", ?", answers.join(","));
    q.push_arg(", ?", i64::from(n.total));
    q.push_arg(", ?", n.band as i64);
    q.push_arg(", ?", n.band_label.as_str());
    q.push_arg(", ?", n.attention);
    q.push_arg(", ?", n.alert);
    q.push_arg(", ?", critical_items(n));
    q.push_arg(", ?", n.source);
    q.push_arg(", ?", username);
    q.push_arg(", ?)", at);
}

fn critical_items(n: &NewResponse) -> String {
    n.critical.iter().map(|c| format!("第{c}题")).collect::<Vec<_>>().join("、")
}

/// [`RESPONSE_INSERT`]'s table and columns for a JSON-array insert (the batch of online sheets).
const RESPONSE_TABLE: &str = "screening_response (round_id, district_id, school_id, class_id, student_id, \
     grade, sex, answers, total, band, band_label, attention, alert, critical, source, username, submitted_at)";
const RESPONSE_COLS: [JsonCol; 17] = {
    use JsonCol::*;
    [Int, Int, Int, Int, Int, Int, Text, Text, Int, Int, Text, Bool, Bool, Text, Text, Text, Stamp]
};

fn response_row(p: &PupilAt, n: &NewResponse, username: &str) -> Vec<serde_json::Value> {
    let answers: Vec<String> = n.answers.iter().map(i32::to_string).collect();
    vec![
        n.round_id.into(),
        p.district_id.into(),
        p.school_id.into(),
        p.class_id.into(),
        n.student_id.into(),
        p.grade.into(),
        p.sex.as_str().into(),
        answers.join(",").into(),
        i64::from(n.total).into(),
        (n.band as i64).into(),
        n.band_label.as_str().into(),
        n.attention.into(),
        n.alert.into(),
        critical_items(n).into(),
        n.source.into(),
        username.into(),
    ]
}

const ALERT_INSERT: &str =
    "INSERT INTO psych_alert (response_id, district_id, school_id, student_id, raised_at, due_at) VALUES ";

fn alert_values(q: &mut Sql, response_id: i64, p: &PupilAt, n: &NewResponse, at: DateTime<Utc>) {
    q.push_arg("(?", response_id);
    q.push_arg(", ?", p.district_id);
    q.push_arg(", ?", p.school_id);
    q.push_arg(", ?", n.student_id);
    q.push_arg(", ?", at);
    q.push_arg(", ?)", n.due_at);
}

const ALERT_TABLE: &str = "psych_alert (response_id, district_id, school_id, student_id, raised_at, due_at)";
const ALERT_COLS: [JsonCol; 6] = {
    use JsonCol::*;
    [Int, Int, Int, Int, Stamp, Ts]
};

fn alert_row(response_id: i64, p: &PupilAt, n: &NewResponse) -> Vec<serde_json::Value> {
    vec![response_id.into(), p.district_id.into(), p.school_id.into(), n.student_id.into(), json_ts(n.due_at)]
}

impl Tx {
    /// Loads (or replaces) an instrument a bureau holds a licence for; the text was checked.
    pub async fn save_instrument(
        &mut self,
        actor: &Actor,
        district_id: i64,
        ins: &Instrument,
        definition: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.loads_instruments() {
            return Err(StoreError::Forbidden);
        }
        self.exec(
            &Sql::new("DELETE FROM screening_instrument WHERE district_id = $1 AND key = $2")
                .bind(district_id)
                .bind(ins.key.as_str()),
        )
        .await?;
        self.exec(
            &Sql::new(
                "INSERT INTO screening_instrument (district_id, key, definition, username, at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(district_id)
            .bind(ins.key.as_str())
            .bind(definition)
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await?;
        self.audit(actor, at, "screening_instrument_load", &format!("instrument:{}", ins.key), &ins.name).await
    }

    /// Opens a round: the bureau's for every school, a school's for its own.
    pub async fn insert_round(&mut self, actor: &Actor, n: &NewRound, at: DateTime<Utc>) -> Result<i64> {
        if !actor.role.opens_screening_rounds() {
            return Err(StoreError::Forbidden);
        }
        match (n.school_id, &actor.scope) {
            (None, Scope::District) => {}
            (Some(s), scope) if scope.covers_school(s) && !matches!(scope, Scope::Classes { .. }) => {}
            _ => return Err(StoreError::Forbidden),
        }
        let grades: Vec<String> = n.grades.iter().map(i64::to_string).collect();
        let id = self
            .scalar(
                &Sql::new(
                    "INSERT INTO screening_round (district_id, school_id, term_id, instrument, name, grades, opens, closes, \
                     username, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(n.district_id)
                .bind(n.school_id)
                .bind(n.term_id)
                .bind(n.instrument.as_str())
                .bind(n.name.as_str())
                .bind(grades.join(","))
                .bind(n.opens)
                .bind(n.closes)
                .bind(actor.username.as_str())
                .bind(at),
            )
            .await?;
        self.audit(actor, at, "screening_round_open", &format!("screening_round:{id}"), &n.name).await?;
        Ok(id)
    }

    /// Replaces the unused codes of these pupils (already read in the caller's scope) with new
    /// ones, given as (student, school, SHA-256 of the code).
    pub async fn replace_codes(
        &mut self,
        actor: &Actor,
        round: &RoundRow,
        district_id: i64,
        codes: &[(i64, i64, String)],
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.may_write(Resource::Psych) {
            return Err(StoreError::Forbidden);
        }
        let ids: Vec<i64> = codes.iter().map(|c| c.0).collect();
        for chunk in ids.chunks(500) {
            self.exec(
                &Sql::new(format!(
                    "DELETE FROM screening_code WHERE round_id = $1 AND used_at IS NULL AND student_id IN ({})",
                    id_list(chunk)
                ))
                .bind(round.id),
            )
            .await?;
        }
        for chunk in codes.chunks(200) {
            let mut q = Sql::new(
                "INSERT INTO screening_code (round_id, district_id, school_id, student_id, code_hash) VALUES ",
            );
            for (i, (student, school, hash)) in chunk.iter().enumerate() {
                q.push(if i == 0 { "(" } else { ", (" });
                q.push_arg("?", round.id);
                q.push_arg(", ?", district_id);
                q.push_arg(", ?", *school);
                q.push_arg(", ?", *student);
                q.push_arg(", ?)", hash.as_str());
            }
            self.exec(&q).await?;
        }
        self.audit(
            actor,
            at,
            "screening_codes_issue",
            &format!("screening_round:{}", round.id),
            &format!("{}人", codes.len()),
        )
        .await
    }

    /// Keeps a paper sheet the caller entered for a pupil in the caller's scope and, where it
    /// alerts, the alert (in the same transaction).
    pub async fn insert_response(
        &mut self,
        actor: &Actor,
        n: &NewResponse,
        term_id: i64,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        if !actor.role.may_write(Resource::Psych) {
            return Err(StoreError::Forbidden);
        }
        let mut where_pupil = Sql::new(
            "SELECT e.district_id, e.school_id, e.class_id, e.grade, st.sex FROM enrolment e \
             JOIN student st ON st.id = e.student_id WHERE 1=1",
        );
        where_pupil.push_arg(" AND e.student_id = ?", n.student_id);
        where_pupil.push_arg(" AND e.term_id = ?", term_id);
        scope_filter(&mut where_pupil, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        let found = self.fetch(&where_pupil, |r| Ok((r.i(0)?, r.i(1)?, r.i(2)?, r.i(3)?, r.s(4)?))).await?;
        let Some((district_id, school_id, class_id, grade, sex)) = found.into_iter().next() else {
            return Err(StoreError::NotFound);
        };
        let held = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM screening_response WHERE round_id = $1 AND student_id = $2")
                    .bind(n.round_id)
                    .bind(n.student_id),
            )
            .await?;
        if held > 0 {
            return Err(StoreError::Conflict("该学生本轮已有答卷".into()));
        }
        let pupil = PupilAt { district_id, school_id, class_id, grade, sex };
        let mut q = Sql::new(RESPONSE_INSERT);
        response_values(&mut q, &pupil, n, &actor.username, at);
        q.push(" RETURNING id");
        let id = self.scalar(&q).await?;
        if n.alert {
            let mut q = Sql::new(ALERT_INSERT);
            alert_values(&mut q, id, &pupil, n, at);
            self.exec(&q).await?;
        }
        self.audit(actor, at, "screening_response_add", &format!("screening_round:{}", n.round_id), n.source).await?;
        Ok(id)
    }

    /// Keeps a batch of sheets pupils submitted with their codes, in one transaction: spends the
    /// codes still unused, inserts those sheets (a pupil already answered keeps the first sheet)
    /// and their alerts, and audits the batch. Returns per sheet its response id or why not kept.
    pub async fn insert_online_sheets(
        &mut self,
        sheets: &[OnlineSheet],
        at: DateTime<Utc>,
    ) -> Result<Vec<std::result::Result<i64, NotKept>>> {
        let mut out = vec![Err(NotKept::CodeSpent); sheets.len()];
        if sheets.is_empty() {
            return Ok(out);
        }
        // One JSON array per statement keeps one statement text whatever the batch size, so that
        // PostgreSQL prepares it once per connection (a multi-row VALUES was a new statement of
        // 17 × n parameters for every n).
        let hashes = serde_json::Value::from(sheets.iter().map(|s| s.code_hash.as_str()).collect::<Vec<_>>());
        let listed = json_strings(self.is_postgres(), 2);
        let q = Sql::new(format!(
            "UPDATE screening_code SET used_at = $1 WHERE used_at IS NULL AND code_hash IN ({listed}) RETURNING code_hash"
        ))
        .bind(at)
        .bind(hashes.to_string());
        let spent: std::collections::HashSet<String> = self.fetch(&q, |r| r.s(0)).await?.into_iter().collect();
        // A code sent twice in one batch is spent by its first sheet only.
        let mut first = std::collections::HashSet::new();
        let keep: Vec<usize> = (0..sheets.len())
            .filter(|&i| spent.contains(&sheets[i].code_hash) && first.insert(sheets[i].code_hash.as_str()))
            .collect();
        if keep.is_empty() {
            return Ok(out);
        }
        let who = "答题码";
        let rows: Vec<Vec<serde_json::Value>> =
            keep.iter().map(|&i| response_row(&sheets[i].pupil, &sheets[i].response, who)).collect();
        let inserted = self
            .insert_json_returning(
                RESPONSE_TABLE,
                &RESPONSE_COLS,
                &rows,
                at,
                "ON CONFLICT (round_id, student_id) DO NOTHING RETURNING id, round_id, student_id",
                |r| Ok((r.i(0)?, r.i(1)?, r.i(2)?)),
            )
            .await?;
        let mut alerts = Vec::new();
        let mut rounds: std::collections::BTreeMap<i64, usize> = std::collections::BTreeMap::new();
        for &i in &keep {
            let s = &sheets[i];
            let id = inserted.iter().find(|(_, r, p)| *r == s.response.round_id && *p == s.response.student_id);
            out[i] = match id {
                Some(&(id, _, _)) => {
                    *rounds.entry(s.response.round_id).or_default() += 1;
                    if s.response.alert {
                        alerts.push(alert_row(id, &s.pupil, &s.response));
                    }
                    Ok(id)
                }
                None => Err(NotKept::AlreadyAnswered),
            };
        }
        self.insert_json(ALERT_TABLE, &ALERT_COLS, &alerts, at, "").await?;
        let respondent = Actor { username: who.to_string(), ..Actor::system() };
        for (round, n) in rounds {
            self.audit(
                &respondent,
                at,
                "screening_response_add",
                &format!("screening_round:{round}"),
                &format!("online {n}份"),
            )
            .await?;
        }
        Ok(out)
    }

    /// Marks the alert of a response acted on (the first step of its follow-up file).
    pub async fn act_on_alert(&mut self, actor: &Actor, response_id: i64, at: DateTime<Utc>) -> Result<()> {
        if !actor.role.may_write(Resource::Psych) {
            return Err(StoreError::Forbidden);
        }
        self.exec(
            &Sql::new(
                "UPDATE psych_alert SET acted_at = $1, acted_by = $2 WHERE response_id = $3 AND acted_at IS NULL",
            )
            .bind(at)
            .bind(actor.username.as_str())
            .bind(response_id),
        )
        .await?;
        Ok(())
    }

    /// Purges the item answers of responses submitted before `before`; returns how many. A system
    /// duty (the server runs it daily), audited with the count.
    pub async fn purge_answers(&mut self, before: DateTime<Utc>, at: DateTime<Utc>) -> Result<u64> {
        let n = self
            .exec(
                &Sql::new(
                    "UPDATE screening_response SET answers = NULL, purged_at = $1 WHERE answers IS NOT NULL AND submitted_at < $2",
                )
                .bind(at)
                .bind(before),
            )
            .await?;
        if n > 0 {
            self.audit(
                &Actor::system(),
                at,
                "screening_answers_purge",
                "screening_response",
                &format!("{n}份，提交早于{before}"),
            )
            .await?;
        }
        Ok(n)
    }
}
