//! 名师/骨干 designations: nominations, the panel's scores, and each designation's term and annual
//! assessments. Reads are scoped like training records (the caller's schools; a teacher only their
//! own); writes check the caller's named rule and, for a school, that the teacher is its own.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::designation::{Assessment, Designation, Honour, Level, State};
use serde::Serialize;

use crate::training::training_filter;
use crate::{Result, Sql, Store, StoreError, Tx};

/// A designation as lists and its page show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignationRow {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub teacher_id: i64,
    pub staff_no: String,
    pub name: String,
    pub honour: Honour,
    pub level: Level,
    pub subject: String,
    pub year: i32,
    pub reason: String,
    pub mean_score: Option<f64>,
    pub d: Designation,
    pub nominated_by: String,
    pub nominated_on: NaiveDate,
}

/// A nomination to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDesignation {
    pub district_id: i64,
    pub school_id: i64,
    pub teacher_id: i64,
    pub honour: Honour,
    pub level: Level,
    pub subject: String,
    pub year: i32,
    pub reason: String,
    pub nominated_on: NaiveDate,
}

/// A judge's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub judge: String,
    pub score: f64,
    pub note: String,
}

/// A year's assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearResult {
    pub year: i32,
    pub result: Assessment,
    pub note: String,
}

const COLS: &str = "k.id, k.school_id, s.name, k.teacher_id, t.staff_no, t.name, k.honour, k.level, k.subject, k.year, \
     k.reason, k.mean_score, k.state, k.notice_until, k.designated_on, k.term_end, k.removed_on, k.nominated_by, \
     k.nominated_on";
const FROM: &str = "FROM designation k JOIN teacher t ON t.id = k.teacher_id JOIN school s ON s.id = k.school_id";

fn row(r: &dyn crate::Get) -> std::result::Result<DesignationRow, sqlx::Error> {
    let bad = |what: &str| sqlx::Error::Decode(format!("unknown {what} in designation").into());
    Ok(DesignationRow {
        id: r.i(0)?,
        school_id: r.i(1)?,
        school_name: r.s(2)?,
        teacher_id: r.i(3)?,
        staff_no: r.s(4)?,
        name: r.s(5)?,
        honour: Honour::from_key(&r.s(6)?).ok_or_else(|| bad("honour"))?,
        level: Level::from_key(&r.s(7)?).ok_or_else(|| bad("level"))?,
        subject: r.s(8)?,
        year: r.i(9)? as i32,
        reason: r.s(10)?,
        mean_score: r.of(11)?,
        d: Designation {
            state: State::from_key(&r.s(12)?).ok_or_else(|| bad("state"))?,
            notice_until: r.od(13)?,
            designated_on: r.od(14)?,
            term_end: r.od(15)?,
            removed_on: r.od(16)?,
        },
        nominated_by: r.s(17)?,
        nominated_on: r.d(18)?,
    })
}

impl Store {
    /// Designations in the caller's scope, newest first; `teacher_id` narrows to one teacher's
    /// history.
    pub async fn designations(&self, actor: &Actor, teacher_id: Option<i64>) -> Result<Vec<DesignationRow>> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!("SELECT {COLS} {FROM} WHERE 1=1"));
        if let Some(t) = teacher_id {
            q.push_arg(" AND k.teacher_id = ?", t);
        }
        training_filter(&mut q, actor);
        q.push(" ORDER BY k.year DESC, k.id DESC");
        self.fetch(&q, row).await
    }

    /// One designation in scope with its scores and assessments.
    pub async fn designation(&self, actor: &Actor, id: i64) -> Result<(DesignationRow, Vec<Score>, Vec<YearResult>)> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!("SELECT {COLS} {FROM} WHERE 1=1"));
        q.push_arg(" AND k.id = ?", id);
        training_filter(&mut q, actor);
        let d = self.fetch_opt(&q, row).await?.ok_or(StoreError::NotFound)?;
        // Panel scores are the bureau's working papers until the review is concluded.
        let scores = if actor.role.runs_teacher_development() {
            let q =
                Sql::new("SELECT judge, score, note FROM designation_score WHERE designation_id = $1 ORDER BY judge")
                    .bind(id);
            self.fetch(&q, |r| Ok(Score { judge: r.s(0)?, score: r.f(1)?, note: r.s(2)? })).await?
        } else {
            vec![]
        };
        let q =
            Sql::new("SELECT year, result, note FROM designation_assessment WHERE designation_id = $1 ORDER BY year")
                .bind(id);
        let years = self
            .fetch(&q, |r| {
                Ok(YearResult {
                    year: r.i(0)? as i32,
                    result: Assessment::from_key(&r.s(1)?)
                        .ok_or_else(|| sqlx::Error::Decode("unknown assessment".into()))?,
                    note: r.s(2)?,
                })
            })
            .await?;
        Ok((d, scores, years))
    }

    /// The titles held on `day` by the district's teachers: (teacher, title), for the counts that
    /// plan targets name. Read inside the scoped facts only, where they are joined to the teachers
    /// of the caller's schools.
    pub(crate) async fn titles_held(&self, district_id: i64, day: NaiveDate) -> Result<Vec<(i64, Honour)>> {
        let q = Sql::new(
            "SELECT teacher_id, honour FROM designation WHERE district_id = $1 AND state IN ('designated', 'removed') \
             AND designated_on <= $2 AND term_end >= $2 AND (removed_on IS NULL OR removed_on > $2)",
        )
        .bind(district_id)
        .bind(day);
        self.fetch(&q, |r| {
            Ok((r.i(0)?, Honour::from_key(&r.s(1)?).ok_or_else(|| sqlx::Error::Decode("honour".into()))?))
        })
        .await
    }
}

impl Tx {
    /// Keeps a nomination: the bureau for any school, a school for its own teachers.
    pub async fn insert_designation(&mut self, actor: &Actor, n: &NewDesignation) -> Result<i64> {
        if !actor.role.nominates_designations() || !actor.scope.covers_school(n.school_id) {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(
                &Sql::new(
                    "SELECT COUNT(*) FROM designation WHERE teacher_id = $1 AND honour = $2 AND level = $3 AND year = $4",
                )
                .bind(n.teacher_id)
                .bind(n.honour.key())
                .bind(n.level.key())
                .bind(i64::from(n.year)),
            )
            .await?;
        if held > 0 {
            return Err(StoreError::Conflict("该教师本年度已被推荐同一称号".into()));
        }
        let q = Sql::new(
            "INSERT INTO designation (district_id, school_id, teacher_id, honour, level, subject, year, reason, state, \
             nominated_by, nominated_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(n.district_id)
        .bind(n.school_id)
        .bind(n.teacher_id)
        .bind(n.honour.key())
        .bind(n.level.key())
        .bind(n.subject.as_str())
        .bind(i64::from(n.year))
        .bind(n.reason.as_str())
        .bind(State::Nominated.key())
        .bind(actor.username.as_str())
        .bind(n.nominated_on);
        self.scalar(&q).await
    }

    /// Puts (or replaces) the caller's score as a judge.
    pub async fn put_designation_score(
        &mut self,
        actor: &Actor,
        id: i64,
        score: f64,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.runs_teacher_development() {
            return Err(StoreError::Forbidden);
        }
        self.exec(
            &Sql::new("DELETE FROM designation_score WHERE designation_id = $1 AND judge = $2")
                .bind(id)
                .bind(actor.username.as_str()),
        )
        .await?;
        self.exec(
            &Sql::new(
                "INSERT INTO designation_score (designation_id, district_id, judge, score, note, at) \
                 SELECT id, district_id, $2, $3, $4, $5 FROM designation WHERE id = $1",
            )
            .bind(id)
            .bind(actor.username.as_str())
            .bind(score)
            .bind(note)
            .bind(at),
        )
        .await
        .map(|_| ())
    }

    /// Writes a designation's state and dates as the core moved them (the bureau only); `from` is
    /// the state it was read in, so that two clicks cannot both move it.
    pub async fn set_designation(
        &mut self,
        actor: &Actor,
        id: i64,
        from: State,
        d: &Designation,
        mean_score: Option<f64>,
    ) -> Result<()> {
        if !actor.role.runs_teacher_development() {
            return Err(StoreError::Forbidden);
        }
        let n = self
            .exec(
                &Sql::new(
                    "UPDATE designation SET state = $1, notice_until = $2, designated_on = $3, term_end = $4, \
                     removed_on = $5, mean_score = COALESCE($6, mean_score) WHERE id = $7 AND state = $8",
                )
                .bind(d.state.key())
                .bind(d.notice_until)
                .bind(d.designated_on)
                .bind(d.term_end)
                .bind(d.removed_on)
                .bind(mean_score)
                .bind(id)
                .bind(from.key()),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict("该记录已被他人处理，请刷新后重试".into()));
        }
        Ok(())
    }

    /// Records a year's assessment (once per year).
    pub async fn insert_designation_assessment(
        &mut self,
        actor: &Actor,
        id: i64,
        year: i32,
        result: Assessment,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.runs_teacher_development() {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM designation_assessment WHERE designation_id = $1 AND year = $2")
                    .bind(id)
                    .bind(i64::from(year)),
            )
            .await?;
        if held > 0 {
            return Err(StoreError::Conflict(format!("{year}年度已有考核结果")));
        }
        self.exec(
            &Sql::new(
                "INSERT INTO designation_assessment (designation_id, district_id, year, result, note, username, at) \
                 SELECT id, district_id, $2, $3, $4, $5, $6 FROM designation WHERE id = $1",
            )
            .bind(id)
            .bind(i64::from(year))
            .bind(result.key())
            .bind(note)
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await
        .map(|_| ())
    }
}
