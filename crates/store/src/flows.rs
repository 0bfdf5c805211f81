//! The 学籍 history read for 巩固率 and pupil flows, and 转出 with what became of them.

use chrono::NaiveDate;
use eduq_core::access::{Actor, Resource};
use eduq_core::flows::CohortFigures;
use eduq_core::identity::mask_student_number;
use serde::Serialize;

use crate::org::scope_filter;
use crate::sql::ON_ROLL;
use crate::{Result, Sql, Store, StoreError};

/// Pupil ids per row of the 学籍 history read (`read_flow_rows`).
const HISTORY_BLOCK: i64 = 1024;

/// One 转出 and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferOut {
    pub student_id: i64,
    pub student_no: String,
    pub name: String,
    pub school_name: String,
    pub date: Option<NaiveDate>,
    pub destination: Option<String>,
    pub received: bool,
    /// The district school's name when 转往学校 is one of the district's codes.
    pub destination_in_district: Option<String>,
}

/// The entries `student:term_id:school_id:grade:status` of `pupil_history` strings joined with ','.
/// Entries that do not parse (a term deleted meanwhile, an unknown status) are skipped.
fn parse_history(
    blocks: &[String],
    terms: &[(i64, eduq_core::calendar::Term)],
    out: &mut Vec<eduq_core::flows::FlowRow>,
) {
    out.reserve(entries_at_most(blocks));
    for part in blocks.iter().flat_map(|b| b.split(',')) {
        let mut f = part.splitn(5, ':');
        let mut int = || f.next().and_then(|x| x.parse::<i64>().ok());
        let (Some(student), Some(term), Some(school), Some(grade)) = (int(), int(), int(), int()) else {
            continue;
        };
        // A district holds a few dozen terms: a scan beats hashing.
        let term = terms.iter().find(|(id, _)| *id == term).map(|(_, t)| *t);
        let (Some(term), Some(status)) = (term, f.next().and_then(eduq_core::student::EnrolmentStatus::from_key))
        else {
            continue;
        };
        out.push(eduq_core::flows::FlowRow { student, term, school, grade: grade as i8, status });
    }
}

/// An upper bound of the valid entries in `blocks` (the shortest, `1:1:1:1:resumed,`, has 16
/// bytes; real ones 24 or more), so that one reservation holds them all.
fn entries_at_most(blocks: &[String]) -> usize {
    blocks.iter().map(|b| b.len() / 16 + 1).sum()
}

/// Cohort figures are kept for readers of the whole district's 学籍 history only: a narrower
/// scope reads few pupils, and its figures would differ.
fn kept_for(actor: &Actor) -> bool {
    actor.scope == eduq_core::access::Scope::District && actor.role.may_read(Resource::Attendance)
}

impl Store {
    async fn read_flow_rows(&self, actor: &Actor) -> Result<Vec<eduq_core::flows::FlowRow>> {
        // Each pupil's history is kept as one string by triggers (migration 0016), and these are
        // joined into a few long strings (`string_agg` over blocks of pupil ids): each row fetched
        // through sqlx costs several microseconds on SQLite, and building the entries from the
        // enrolment rows took PostgreSQL 9-11 s for a province's 12M rows (1 s from the kept
        // strings). Blocks keep each string bounded at province size. Pupils come in id order
        // (each one's entries together, in term-id order), so following them sorts a vector that
        // is sorted or nearly so: 0.75-1.25 s → 0.3-0.5 s at province size.
        let mut q = Sql::new("SELECT string_agg(h.history, ',' ORDER BY h.student_id) FROM pupil_history h WHERE 1=1");
        if actor.scope != eduq_core::access::Scope::District {
            q.push(" AND h.student_id IN (SELECT x.student_id FROM enrolment x WHERE 1=1");
            scope_filter(&mut q, actor, "x.school_id", Some("x.class_id"), Some("x.student_id"));
            q.push(")");
        }
        q.push(&format!(" GROUP BY h.student_id / {HISTORY_BLOCK} ORDER BY h.student_id / {HISTORY_BLOCK}"));
        let terms = self.terms().await?;
        let blocks = self.fetch(&q, |r| r.s(0)).await?;
        // Parsing 12M entries takes a second at province size: off the async workers, in two halves.
        tokio::task::spawn_blocking(move || {
            let (a, b) = blocks.split_at(blocks.len() / 2);
            std::thread::scope(|s| {
                let other = s.spawn(|| {
                    let mut rest = Vec::new();
                    parse_history(b, &terms, &mut rest);
                    rest
                });
                // Room for both halves from the start: growing a vector of 12M entries and
                // appending the other half to it took longer than parsing them (0.5-0.7 s).
                let mut out = Vec::with_capacity(entries_at_most(&blocks));
                parse_history(a, &terms, &mut out);
                let rest = other.join().map_err(|_| StoreError::Task("学籍历史解析".into()))?;
                out.extend_from_slice(&rest);
                Ok(out)
            })
        })
        .await
        .map_err(|e| StoreError::Task(format!("学籍历史读取：{e}")))?
    }

    /// Every 转出 in scope with whether the pupil is now on roll at another school of the district:
    /// (student id, 学籍号, name, school name, status date, destination, received).
    pub async fn transfers_out(&self, actor: &Actor) -> Result<Vec<TransferOut>> {
        if !actor.role.may_read(Resource::Cases) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!(
            "SELECT e.student_id, st.student_no, st.name, s.name, e.status_date, e.destination, \
             EXISTS (SELECT 1 FROM enrolment x WHERE x.student_id = e.student_id AND x.school_id <> e.school_id \
               AND x.term_id >= e.term_id AND x.status IN {ON_ROLL}), \
             (SELECT d.name FROM school d WHERE d.code = e.destination) \
             FROM enrolment e JOIN student st ON st.id = e.student_id JOIN school s ON s.id = e.school_id \
             WHERE e.status = 'transfer_out'"
        ));
        scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        q.push(" ORDER BY e.status_date DESC, st.student_no");
        let full = actor.role.reads_full_identity();
        self.fetch(&q, |r| {
            Ok(TransferOut {
                student_id: r.i(0)?,
                student_no: if full { r.s(1)? } else { mask_student_number(&r.s(1)?) },
                name: r.s(2)?,
                school_name: r.s(3)?,
                date: r.od(4)?,
                destination: r.os(5)?,
                received: r.b(6)?,
                destination_in_district: r.os(7)?,
            })
        })
        .await
    }

    /// 学籍 history of compulsory grades for 巩固率: every term's row of every pupil who was ever
    /// at a school in the caller's scope (so that moves out of it are seen).
    ///
    /// Memoised per caller scope (`memo`): the history is the largest read behind the indicator
    /// library (every term's rows of every pupil), and it changes only with a write.
    pub async fn flow_rows(&self, actor: &Actor) -> Result<Vec<eduq_core::flows::FlowRow>> {
        if !actor.role.may_read(Resource::Attendance) {
            return Err(StoreError::Forbidden);
        }
        let key = format!("flows|{:?}", actor.scope);
        self.memoised(&key, self.read_flow_rows(actor)).await
    }

    /// The roll's version (migration 0045): every write of the 学籍 history or the terms bumps it.
    pub async fn roll_version(&self) -> Result<i64> {
        self.scalar(&Sql::new("SELECT version FROM roll_version WHERE id = 1")).await
    }

    /// The whole district's cohort figures for the windows ending at each of `ends`, each if kept
    /// at `version` (read first with [`Store::roll_version`]), in one query. Only a reader of the
    /// whole district's history finds any.
    pub async fn kept_cohort_figures(
        &self,
        actor: &Actor,
        ends: &[eduq_core::calendar::Term],
        version: i64,
    ) -> Result<Vec<Option<CohortFigures>>> {
        if !kept_for(actor) || ends.is_empty() {
            return Ok(vec![None; ends.len()]);
        }
        let mut q = Sql::new("SELECT upto, body FROM flow_summary WHERE scope = 'district'");
        q.push_arg(" AND version = ?", version);
        let keys: Vec<String> = ends.iter().map(|t| q.arg(t.key())).collect();
        q.push(&format!(" AND upto IN ({})", keys.join(", ")));
        let held = self.fetch(&q, |r| Ok((r.s(0)?, r.s(1)?))).await?;
        // A body that no longer reads (an older layout) is recomputed, not an error.
        let figures = |t: &eduq_core::calendar::Term| {
            let key = t.key();
            held.iter().find(|(k, _)| *k == key).and_then(|(_, body)| serde_json::from_str(body).ok())
        };
        Ok(ends.iter().map(figures).collect())
    }

    /// Keeps the whole district's cohort figures computed from the history read at `version`
    /// (with [`Store::flow_rows_to_keep`]). A
    /// later version already kept is not overwritten; a narrower scope keeps nothing.
    pub async fn keep_cohort_figures(
        &self,
        actor: &Actor,
        upto: eduq_core::calendar::Term,
        version: i64,
        figures: &CohortFigures,
    ) -> Result<()> {
        if !kept_for(actor) {
            return Ok(());
        }
        let body = serde_json::to_string(figures).map_err(|e| StoreError::Task(format!("巩固率汇总：{e}")))?;
        let mut q = Sql::new("INSERT INTO flow_summary (scope, upto, version, body) VALUES ('district', ");
        let (u, v, b) = (q.arg(upto.key()), q.arg(version), q.arg(body));
        q.push(&format!(
            "{u}, {v}, {b}) ON CONFLICT (scope, upto) DO UPDATE SET version = excluded.version, body = excluded.body \
             WHERE flow_summary.version < excluded.version"
        ));
        // Derived from the roll, not a change of it: memoised reads stay valid.
        self.exec_bookkeeping(&q).await.map(|_| ())
    }

    /// The history for figures that may be kept: read from the database where they are kept (a
    /// memoised history may predate the version they are kept at), else the memoised read.
    pub async fn flow_rows_to_keep(&self, actor: &Actor) -> Result<Vec<eduq_core::flows::FlowRow>> {
        if !kept_for(actor) {
            return self.flow_rows(actor).await;
        }
        self.read_flow_rows(actor).await
    }

    /// 学籍号 and names of pupils in scope, for lists that name them.
    pub async fn pupil_names(&self, actor: &Actor, ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut q = Sql::new(format!(
            "SELECT st.id, st.student_no, st.name FROM student st WHERE st.id IN ({}) \
             AND EXISTS (SELECT 1 FROM enrolment e WHERE e.student_id = st.id",
            crate::org::id_list(ids)
        ));
        scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        q.push(") ORDER BY st.student_no");
        self.fetch(&q, |r| Ok((r.i(0)?, r.s(1)?, r.s(2)?))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eduq_core::calendar::Term;
    use eduq_core::student::EnrolmentStatus;

    #[test]
    fn history_entries_parse_within_one_reservation() {
        let terms = [(3, Term { start_year: 2025, term_no: 1 }), (4, Term { start_year: 2025, term_no: 2 })];
        let blocks = vec![
            "11:3:7:1:enrolled,11:4:7:1:transfer_out,12:3:8:6:enrolled".to_string(),
            // A deleted term, an unknown status and a broken entry are skipped; the shortest
            // entries bound the reservation.
            "13:9:8:2:enrolled,13:3:8:2:moved,13:x:8,1:3:1:1:enrolled,1:4:1:1:enrolled".to_string(),
        ];
        let mut out = Vec::with_capacity(entries_at_most(&blocks));
        let room = out.capacity();
        parse_history(&blocks, &terms, &mut out);
        assert_eq!(out.capacity(), room, "no reallocation");
        let got: Vec<_> = out.iter().map(|r| (r.student, r.term.term_no, r.school, r.grade, r.status)).collect();
        assert_eq!(
            got,
            vec![
                (11, 1, 7, 1, EnrolmentStatus::Enrolled),
                (11, 2, 7, 1, EnrolmentStatus::TransferOut),
                (12, 1, 8, 6, EnrolmentStatus::Enrolled),
                (1, 1, 1, 1, EnrolmentStatus::Enrolled),
                (1, 2, 1, 1, EnrolmentStatus::Enrolled),
            ]
        );
    }
}
