//! Exams, papers, item structures and scores. An exam of the whole district is seen by every
//! school with staff in it; a school's own exam by that school and the bureau. Scores are read
//! within the caller's scope (a teacher her classes, a principal the school); the district-wide
//! reference figures are read apart, as totals without names.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::exam::{ItemDef, Sitting};
use serde::Serialize;

use crate::imports::Counts;
use crate::org::scope_filter;
use crate::{Arg, Result, Sql, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaperRow {
    pub id: i64,
    pub exam_id: i64,
    pub subject: String,
    pub full_score: f64,
    pub items: i64,
    pub sat: i64,
    pub absent: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExamRow {
    pub id: i64,
    pub term_id: i64,
    pub name: String,
    pub grade: i64,
    pub kind: String,
    pub organiser: String,
    pub school_id: Option<i64>,
    pub held_on: NaiveDate,
    pub warnings: Vec<String>,
    pub papers: Vec<PaperRow>,
    /// The participating schools of a 联考; empty = every school with the grade.
    pub schools: Vec<i64>,
}

/// A new exam as checked by the use case.
#[derive(Debug, Clone)]
pub struct NewExam {
    pub term_id: i64,
    pub name: String,
    pub grade: i64,
    pub kind: String,
    pub organiser: String,
    pub school_id: Option<i64>,
    pub held_on: NaiveDate,
    pub warnings: Vec<String>,
    pub subjects: Vec<(String, f64)>,
    /// Participating schools; empty = every school with the grade.
    pub schools: Vec<i64>,
}

/// One pupil's sitting of a paper, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRecord {
    pub student_id: i64,
    pub school_id: i64,
    pub class_id: i64,
    pub sitting: Sitting,
    pub total: Option<f64>,
    pub items: Vec<f64>,
    pub answers: Vec<String>,
}

/// A pupil's sitting with the names a report shows (within the reader's scope).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreFact {
    pub student_id: i64,
    pub student_no: String,
    pub name: String,
    pub sex: String,
    pub school_id: i64,
    pub school_code: String,
    pub school_name: String,
    pub class_id: i64,
    pub class_name: String,
    pub sitting: Sitting,
    pub total: Option<f64>,
    pub items: Vec<f64>,
    pub answers: Vec<String>,
}

/// 男/女 from the stored key.
fn sex_label(key: &str) -> String {
    eduq_core::student::Sex::from_key(key).map_or_else(String::new, |s| s.label().to_string())
}

fn join_numbers(v: &[f64]) -> String {
    v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")
}

fn split_numbers(s: &str) -> std::result::Result<Vec<f64>, sqlx::Error> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',').map(|x| x.parse::<f64>().map_err(|e| sqlx::Error::Decode(Box::new(e)))).collect()
}

fn split_answers(s: &str) -> Vec<String> {
    if s.is_empty() { Vec::new() } else { s.split(',').map(String::from).collect() }
}

/// Exams a caller sees: district-wide ones, and school exams of the own school (all for the bureau).
fn exam_scope(q: &mut Sql, actor: &Actor) {
    use eduq_core::access::Scope;
    match &actor.scope {
        Scope::District => {}
        Scope::School(id) | Scope::Classes { school_id: id, .. } => {
            // A district exam without a list of schools concerns the schools that teach its grade
            // in its term: a primary school is not offered the 八年级 exam (#25.10).
            let s = q.arg(*id);
            q.push(&format!(
                " AND (x.school_id = {s} OR (x.school_id IS NULL AND ((NOT EXISTS (SELECT 1 FROM exam_school es WHERE es.exam_id = x.id) \
                 AND EXISTS (SELECT 1 FROM enrolment e WHERE e.term_id = x.term_id AND e.school_id = {s} AND e.grade = x.grade)) \
                 OR EXISTS (SELECT 1 FROM exam_school es WHERE es.exam_id = x.id AND es.school_id = {s}))))"
            ));
        }
        // Parents read their children's results elsewhere; inspectors do not read exams.
        Scope::Students(_) | Scope::Schools(_) => {
            q.push(" AND 1 = 0");
        }
    }
}

impl Store {
    /// Exams in scope, newest first, each with its papers and how many sat them (in scope).
    /// Memoised per reader until the next write: every paper page names its exam, and the
    /// sittings are counted over the term's scores.
    pub async fn exams(&self, actor: &Actor, term_id: Option<i64>) -> Result<Vec<ExamRow>> {
        let key = format!("exams|{}|{term_id:?}", crate::reader_key(actor));
        self.memoised(&key, self.read_exams(actor, term_id)).await
    }

    async fn read_exams(&self, actor: &Actor, term_id: Option<i64>) -> Result<Vec<ExamRow>> {
        if !actor.role.may_read(Resource::Exams) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT x.id, x.term_id, x.name, x.grade, x.kind, x.organiser, x.school_id, x.held_on, x.warnings \
             FROM exam x WHERE 1=1",
        );
        if let Some(t) = term_id {
            q.push_arg(" AND x.term_id = ?", t);
        }
        exam_scope(&mut q, actor);
        q.push(" ORDER BY x.held_on DESC, x.id DESC");
        let mut exams = self
            .fetch(&q, |r| {
                Ok(ExamRow {
                    id: r.i(0)?,
                    term_id: r.i(1)?,
                    name: r.s(2)?,
                    grade: r.i(3)?,
                    kind: r.s(4)?,
                    organiser: r.s(5)?,
                    school_id: r.oi(6)?,
                    held_on: r.d(7)?,
                    warnings: r.s(8)?.lines().map(String::from).collect(),
                    papers: Vec::new(),
                    schools: Vec::new(),
                })
            })
            .await?;
        if exams.is_empty() {
            return Ok(exams);
        }
        let ids = crate::org::id_list(&exams.iter().map(|e| e.id).collect::<Vec<_>>());
        let sitting =
            Sql::new(format!("SELECT exam_id, school_id FROM exam_school WHERE exam_id IN ({ids}) ORDER BY school_id"));
        for (exam, school) in self.fetch(&sitting, |r| Ok((r.i(0)?, r.i(1)?))).await? {
            if let Some(e) = exams.iter_mut().find(|e| e.id == exam) {
                e.schools.push(school);
            }
        }
        let p = Sql::new(format!(
            "SELECT p.id, p.exam_id, p.subject, p.full_score, (SELECT COUNT(*) FROM exam_item i WHERE i.paper_id = p.id) \
             FROM exam_paper p WHERE p.exam_id IN ({ids}) ORDER BY p.id"
        ));
        let papers = self
            .fetch(&p, |r| {
                Ok(PaperRow {
                    id: r.i(0)?,
                    exam_id: r.i(1)?,
                    subject: r.s(2)?,
                    full_score: r.f(3)?,
                    items: r.i(4)?,
                    sat: 0,
                    absent: 0,
                })
            })
            .await?;
        // Sittings counted within the caller's scope.
        let mut c = Sql::new(format!(
            "SELECT s.paper_id, SUM(CASE WHEN s.sitting = 'sat' THEN 1 ELSE 0 END), COUNT(*) FROM exam_score s \
             JOIN exam_paper p ON p.id = s.paper_id WHERE p.exam_id IN ({ids})"
        ));
        scope_filter(&mut c, actor, "s.school_id", Some("s.class_id"), Some("s.student_id"));
        c.push(" GROUP BY s.paper_id");
        let counts: HashMap<i64, (i64, i64)> =
            self.fetch(&c, |r| Ok((r.i(0)?, (r.i(1)?, r.i(2)?)))).await?.into_iter().collect();
        for mut paper in papers {
            if let Some((sat, all)) = counts.get(&paper.id) {
                (paper.sat, paper.absent) = (*sat, all - sat);
            }
            if let Some(e) = exams.iter_mut().find(|e| e.id == paper.exam_id) {
                e.papers.push(paper);
            }
        }
        Ok(exams)
    }

    /// One exam in scope, or `Forbidden`.
    pub async fn exam(&self, actor: &Actor, exam_id: i64) -> Result<ExamRow> {
        let term = self
            .fetch_opt(&Sql::new("SELECT term_id FROM exam WHERE id = $1").bind(exam_id), |r| r.i(0))
            .await?
            .ok_or(StoreError::NotFound)?;
        self.exams(actor, Some(term)).await?.into_iter().find(|e| e.id == exam_id).ok_or(StoreError::Forbidden)
    }

    /// Kinds of the exams a grade already has in a term (the district's and the school's own).
    pub async fn exam_kinds(&self, term_id: i64, grade: i64, school_id: Option<i64>) -> Result<Vec<String>> {
        let mut q = Sql::new("SELECT kind FROM exam WHERE term_id = $1 AND grade = $2").bind(term_id).bind(grade);
        if let Some(s) = school_id {
            q.push_arg(" AND (school_id IS NULL OR school_id = ?)", s);
        }
        self.fetch(&q, |r| r.s(0)).await
    }

    /// A paper's items in order.
    /// Memoised per reader until the next write.
    pub async fn paper_items(&self, actor: &Actor, paper_id: i64) -> Result<Vec<ItemDef>> {
        let key = format!("paper_items|{}|{paper_id}", crate::reader_key(actor));
        self.memoised(&key, self.read_paper_items(actor, paper_id)).await
    }

    async fn read_paper_items(&self, actor: &Actor, paper_id: i64) -> Result<Vec<ItemDef>> {
        if !actor.role.may_read(Resource::Exams) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new(
            "SELECT label, objective, max_score, answer_key, knowledge, ability FROM exam_item \
             WHERE paper_id = $1 ORDER BY pos",
        )
        .bind(paper_id);
        self.fetch(&q, |r| {
            Ok(ItemDef {
                label: r.s(0)?,
                objective: r.b(1)?,
                max: r.f(2)?,
                key: r.os(3)?,
                knowledge: r.s(4)?.split('、').filter(|x| !x.is_empty()).map(String::from).collect(),
                ability: r.s(5)?,
            })
        })
        .await
    }

    /// The pupils' sittings of a paper within the caller's scope, by school code, class, 学籍号.
    /// Memoised per reader until the next write.
    pub async fn paper_scores(&self, actor: &Actor, paper_id: i64) -> Result<std::sync::Arc<Vec<ScoreFact>>> {
        let key = format!("paper_scores|{}|{paper_id}", crate::reader_key(actor));
        // Shared, not copied: a paper page reads the same 2,500 rows at every visit.
        self.memoised(&key, async { self.read_paper_scores(actor, paper_id).await.map(std::sync::Arc::new) }).await
    }

    async fn read_paper_scores(&self, actor: &Actor, paper_id: i64) -> Result<Vec<ScoreFact>> {
        if !actor.role.may_read(Resource::Exams) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT s.student_id, st.student_no, st.name, st.sex, s.school_id, sc.code, sc.name, s.class_id, c.name, \
             s.sitting, s.total, s.items, s.answers FROM exam_score s JOIN student st ON st.id = s.student_id \
             JOIN school sc ON sc.id = s.school_id JOIN class c ON c.id = s.class_id WHERE 1=1",
        );
        q.push_arg(" AND s.paper_id = ?", paper_id);
        scope_filter(&mut q, actor, "s.school_id", Some("s.class_id"), Some("s.student_id"));
        q.push(" ORDER BY sc.code, c.name, st.student_no");
        self.fetch(&q, |r| {
            Ok(ScoreFact {
                student_id: r.i(0)?,
                student_no: r.s(1)?,
                name: r.s(2)?,
                sex: sex_label(&r.s(3)?),
                school_id: r.i(4)?,
                school_code: r.s(5)?,
                school_name: r.s(6)?,
                class_id: r.i(7)?,
                class_name: r.s(8)?,
                sitting: Sitting::from_key(&r.s(9)?).unwrap_or(Sitting::Absent),
                total: r.of(10)?,
                items: split_numbers(&r.s(11)?)?,
                answers: split_answers(&r.s(12)?),
            })
        })
        .await
    }

    /// Every sitting of a paper as (student, school, sitting, total), for the roles that read
    /// exams. Deliberately not limited to the caller's org: the district reference and the
    /// value-added model need every pupil, and only their aggregates leave the use case; no names
    /// leave the store this way.
    /// Memoised per reader until the next write.
    pub async fn paper_totals(&self, actor: &Actor, paper_id: i64) -> Result<Vec<(i64, i64, Sitting, Option<f64>)>> {
        let key = format!("paper_totals|{}|{paper_id}", crate::reader_key(actor));
        self.memoised(&key, self.read_paper_totals(actor, paper_id)).await
    }

    async fn read_paper_totals(&self, actor: &Actor, paper_id: i64) -> Result<Vec<(i64, i64, Sitting, Option<f64>)>> {
        if !actor.role.may_read(Resource::Exams) {
            return Err(StoreError::Forbidden);
        }
        let q =
            Sql::new("SELECT student_id, school_id, sitting, total FROM exam_score WHERE paper_id = $1 ORDER BY id")
                .bind(paper_id);
        self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?, Sitting::from_key(&r.s(2)?).unwrap_or(Sitting::Absent), r.of(3)?)))
            .await
    }

    /// Each sitting pupil's class (id and name) and sex for a paper: the class level and the
    /// covariates of value-added, fitted on the whole district like [`Store::paper_totals`].
    pub async fn paper_pupils(&self, actor: &Actor, paper_id: i64) -> Result<HashMap<i64, (i64, String, String)>> {
        if !actor.role.may_read(Resource::Exams) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new(
            "SELECT s.student_id, s.class_id, c.name, st.sex FROM exam_score s JOIN class c ON c.id = s.class_id \
             JOIN student st ON st.id = s.student_id WHERE s.paper_id = $1",
        )
        .bind(paper_id);
        Ok(self.fetch(&q, |r| Ok((r.i(0)?, (r.i(1)?, r.s(2)?, sex_label(&r.s(3)?))))).await?.into_iter().collect())
    }
}

impl Tx {
    /// Creates an exam and its papers; a name is used once per district.
    pub async fn create_exam(
        &mut self,
        district_id: i64,
        e: &NewExam,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let taken =
            self.fetch(&Sql::new("SELECT id FROM exam WHERE name = $1").bind(e.name.as_str()), |r| r.i(0)).await?;
        if !taken.is_empty() {
            return Err(StoreError::Conflict(format!("已有名为“{}”的考试", e.name)));
        }
        let id = self
            .scalar(
                &Sql::new(
                    "INSERT INTO exam (district_id, term_id, name, grade, kind, organiser, school_id, held_on, warnings, \
                     created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(district_id)
                .bind(e.term_id)
                .bind(e.name.as_str())
                .bind(e.grade)
                .bind(e.kind.as_str())
                .bind(e.organiser.as_str())
                .bind(e.school_id)
                .bind(e.held_on)
                .bind(e.warnings.join("\n"))
                .bind(actor.username.as_str())
                .bind(at),
            )
            .await?;
        let rows = e.subjects.iter().map(|(s, full)| vec![Arg::I(id), Arg::T(s.clone()), Arg::F(*full)]).collect();
        self.insert_rows("exam_paper (exam_id, subject, full_score)", "", rows).await?;
        let rows = e.schools.iter().map(|s| vec![Arg::I(id), Arg::I(*s)]).collect();
        self.insert_rows("exam_school (exam_id, school_id)", "", rows).await?;
        self.audit(actor, at, "exam_create", &format!("exam:{id}"), &e.name).await?;
        Ok(id)
    }

    /// Sets a paper's item structure. Once scores are in, only a structure with the same items in
    /// the same order (labels and maxima) may replace it (keys and tags may change).
    pub async fn set_paper_items(&mut self, paper_id: i64, items: &[ItemDef]) -> Result<()> {
        let old: Vec<(String, f64)> = self
            .fetch(
                &Sql::new("SELECT label, max_score FROM exam_item WHERE paper_id = $1 ORDER BY pos").bind(paper_id),
                |r| Ok((r.s(0)?, r.f(1)?)),
            )
            .await?;
        let scored = !self
            .fetch(&Sql::new("SELECT id FROM exam_score WHERE paper_id = $1 LIMIT 1").bind(paper_id), |r| r.i(0))
            .await?
            .is_empty();
        let same = old.len() == items.len() && old.iter().zip(items).all(|(o, i)| o.0 == i.label && o.1 == i.max);
        if scored && !same {
            return Err(StoreError::Conflict("已有成绩的试卷只能修改答案和知识点，题号和分值不能改变".into()));
        }
        self.exec(&Sql::new("DELETE FROM exam_item WHERE paper_id = $1").bind(paper_id)).await?;
        let rows = items
            .iter()
            .enumerate()
            .map(|(k, it)| {
                vec![
                    Arg::I(paper_id),
                    Arg::I(k as i64 + 1),
                    Arg::T(it.label.clone()),
                    Arg::B(it.objective),
                    Arg::F(it.max),
                    Arg::OT(it.key.clone()),
                    Arg::T(it.knowledge.join("、")),
                    Arg::T(it.ability.clone()),
                ]
            })
            .collect();
        self.insert_rows(
            "exam_item (paper_id, pos, label, objective, max_score, answer_key, knowledge, ability)",
            "",
            rows,
        )
        .await?;
        let full: f64 = items.iter().map(|i| i.max).sum();
        self.exec(&Sql::new("UPDATE exam_paper SET full_score = $1 WHERE id = $2").bind(full).bind(paper_id)).await?;
        Ok(())
    }

    /// Applies a paper's scores: new sittings inserted, changed ones updated, the same left alone.
    pub async fn apply_scores(&mut self, district_id: i64, paper_id: i64, recs: &[ScoreRecord]) -> Result<Counts> {
        let existing: HashMap<i64, (i64, ScoreRecord)> = self
            .fetch(
                &Sql::new(
                    "SELECT id, student_id, school_id, class_id, sitting, total, items, answers FROM exam_score \
                     WHERE paper_id = $1",
                )
                .bind(paper_id),
                |r| {
                    let rec = ScoreRecord {
                        student_id: r.i(1)?,
                        school_id: r.i(2)?,
                        class_id: r.i(3)?,
                        sitting: Sitting::from_key(&r.s(4)?).unwrap_or(Sitting::Absent),
                        total: r.of(5)?,
                        items: split_numbers(&r.s(6)?)?,
                        answers: split_answers(&r.s(7)?),
                    };
                    Ok((rec.student_id, (r.i(0)?, rec)))
                },
            )
            .await?
            .into_iter()
            .collect();
        let mut counts = Counts::default();
        let mut new_rows = Vec::new();
        for rec in recs {
            match existing.get(&rec.student_id) {
                Some((_, old)) if old == rec => counts.unchanged += 1,
                Some((id, _)) => {
                    counts.updated += 1;
                    self.exec(
                        &Sql::new(
                            "UPDATE exam_score SET school_id = $1, class_id = $2, sitting = $3, total = $4, items = $5, \
                             answers = $6 WHERE id = $7",
                        )
                        .bind(rec.school_id)
                        .bind(rec.class_id)
                        .bind(rec.sitting.key())
                        .bind(rec.total)
                        .bind(join_numbers(&rec.items))
                        .bind(rec.answers.join(","))
                        .bind(*id),
                    )
                    .await?;
                }
                None => {
                    counts.inserted += 1;
                    new_rows.push(vec![
                        Arg::I(district_id),
                        Arg::I(rec.school_id),
                        Arg::I(rec.class_id),
                        Arg::I(paper_id),
                        Arg::I(rec.student_id),
                        Arg::T(rec.sitting.key().into()),
                        Arg::OF(rec.total),
                        Arg::T(join_numbers(&rec.items)),
                        Arg::T(rec.answers.join(",")),
                    ]);
                }
            }
        }
        self.insert_rows(
            "exam_score (district_id, school_id, class_id, paper_id, student_id, sitting, total, items, answers)",
            "",
            new_rows,
        )
        .await?;
        Ok(counts)
    }
}
