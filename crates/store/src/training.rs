//! Teachers' training records (继续教育学时). Reads are scoped to the teachers of the caller's
//! schools in a term and need [`Resource::Teachers`]; a teacher's records follow the teacher across
//! schools.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::teacher::Tier;
use eduq_core::training::{ClaimState, Cycle, Level, Mode, Record};

use crate::org::scope_filter;
use crate::{Result, Sql, Store, StoreError, Tx};

/// A teacher on the staff of a school of the caller's scope in a term.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StaffMember {
    pub teacher_id: i64,
    pub staff_no: String,
    pub name: String,
    pub school_id: i64,
    pub school_name: String,
    pub subjects: String,
    /// The rung of the district's ladder (新手教师 → 教坛新秀 → 骨干教师 → 名师).
    pub tier: Tier,
    /// The last 教师资格定期注册, where recorded.
    pub registered_on: Option<NaiveDate>,
}

/// A training record to keep.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewTraining {
    pub district_id: i64,
    pub school_id: i64,
    pub teacher_id: i64,
    pub course: String,
    pub level: Level,
    pub mode: Mode,
    pub ethics: bool,
    pub hours: f64,
    pub day: NaiveDate,
    pub provider: String,
    pub source_key: String,
}

impl NewTraining {
    /// The record's eleven fields as bound, in the order of the `training_record` and
    /// `training_claim` column lists.
    fn args(&self) -> Vec<crate::Arg> {
        use crate::Arg;
        vec![
            Arg::I(self.district_id),
            Arg::I(self.school_id),
            Arg::I(self.teacher_id),
            self.course.as_str().into(),
            self.level.key().into(),
            self.mode.key().into(),
            Arg::B(self.ethics),
            Arg::F(self.hours),
            Arg::D(self.day),
            self.provider.as_str().into(),
            self.source_key.as_str().into(),
        ]
    }
}

const STAFF_COLS: &str = "t.id, t.staff_no, t.name, x.school_id, s.name, t.subjects, t.tier, t.registered_on";

fn staff_member(r: &dyn crate::Get) -> std::result::Result<StaffMember, sqlx::Error> {
    Ok(StaffMember {
        teacher_id: r.i(0)?,
        staff_no: r.s(1)?,
        name: r.s(2)?,
        school_id: r.i(3)?,
        school_name: r.s(4)?,
        subjects: r.s(5)?,
        tier: Tier::from_key(&r.s(6)?).ok_or_else(|| sqlx::Error::Decode("unknown tier".into()))?,
        registered_on: r.od(7)?,
    })
}

impl Store {
    /// The teachers of the term in the caller's scope.
    pub async fn staff(&self, actor: &Actor, term_id: i64) -> Result<Vec<StaffMember>> {
        if !actor.role.may_read(Resource::Teachers) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!(
            "SELECT {STAFF_COLS} FROM teacher_term x \
             JOIN teacher t ON t.id = x.teacher_id JOIN school s ON s.id = x.school_id WHERE 1=1"
        ));
        q.push_arg(" AND x.term_id = ?", term_id);
        scope_filter(&mut q, actor, "x.school_id", None, None);
        q.push(" ORDER BY x.school_id, t.staff_no");
        self.fetch(&q, staff_member).await
    }

    /// The hours of the term's teachers in the caller's scope within `cycle`, summed by teacher,
    /// form and 师德 (what the cycle's rules read): a record per sum, dated the cycle's first day.
    pub async fn training_totals(
        &self,
        actor: &Actor,
        term_id: i64,
        cycle: Cycle,
    ) -> Result<HashMap<i64, Vec<Record>>> {
        if !actor.role.may_read(Resource::Teachers) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT r.teacher_id, r.mode, r.ethics, SUM(r.hours) FROM training_record r \
             WHERE r.teacher_id IN (SELECT x.teacher_id FROM teacher_term x WHERE 1=1",
        );
        q.push_arg(" AND x.term_id = ?", term_id);
        scope_filter(&mut q, actor, "x.school_id", None, None);
        q.push(")");
        q.push_arg(" AND r.day >= ?", cycle.start());
        q.push_arg(" AND r.day <= ?", cycle.end());
        q.push(" GROUP BY r.teacher_id, r.mode, r.ethics");
        let rows = self
            .fetch(&q, |r| {
                let mode = Mode::from_key(&r.s(1)?)
                    .ok_or_else(|| sqlx::Error::Decode("unknown mode in training_record".into()))?;
                Ok((r.i(0)?, Record { day: cycle.start(), hours: r.f(3)?, mode, ethics: r.b(2)? }))
            })
            .await?;
        let mut out: HashMap<i64, Vec<Record>> = HashMap::new();
        for (teacher, rec) in rows {
            out.entry(teacher).or_default().push(rec);
        }
        Ok(out)
    }
}

impl crate::System<'_> {
    /// Which of `keys` the district's training records already hold (an import skips them).
    pub async fn training_keys_held(&self, district_id: i64, keys: &[String]) -> Result<HashSet<String>> {
        self.source_keys_held(crate::SourceKeyed::Training, district_id, keys).await
    }
}

/// Completion records are written by those who keep teachers' records (an import) or confirm
/// claims for the district, for schools of their scope only.
fn check_record_writes(actor: &Actor, rows: &[NewTraining]) -> Result<()> {
    let role = actor.role;
    if !(role.may_write(Resource::Teachers) || role.approves_training_for_district()) {
        return Err(StoreError::Forbidden);
    }
    match rows.iter().all(|n| actor.scope.covers_school(n.school_id)) {
        true => Ok(()),
        false => Err(StoreError::Forbidden),
    }
}

impl ClaimRow {
    /// The completion record an approved claim becomes.
    pub fn record(&self, district_id: i64) -> NewTraining {
        NewTraining {
            district_id,
            school_id: self.school_id,
            teacher_id: self.teacher_id,
            course: self.course.clone(),
            level: self.level,
            mode: self.mode,
            ethics: self.ethics,
            hours: self.hours,
            day: self.day,
            provider: self.provider.clone(),
            source_key: self.source_key.clone(),
        }
    }
}

impl Tx {
    /// Keeps many completion records at once (an import), thousands of rows per statement as one
    /// JSON array (multi-row VALUES of 50 rows were most of a 100,000-row import's time).
    pub async fn insert_trainings(&mut self, actor: &Actor, rows: &[NewTraining], at: DateTime<Utc>) -> Result<()> {
        use crate::imports::JsonCol::*;
        check_record_writes(actor, rows)?;
        for chunk in rows.chunks(10_000) {
            let rows: Vec<Vec<serde_json::Value>> = chunk
                .iter()
                .map(|n| {
                    vec![
                        n.district_id.into(),
                        n.school_id.into(),
                        n.teacher_id.into(),
                        n.course.as_str().into(),
                        n.level.key().into(),
                        n.mode.key().into(),
                        n.ethics.into(),
                        n.hours.into(),
                        n.day.to_string().into(),
                        n.provider.as_str().into(),
                        n.source_key.as_str().into(),
                        actor.username.as_str().into(),
                    ]
                })
                .collect();
            self.insert_json(
                "training_record (district_id, school_id, teacher_id, course, level, mode, ethics, hours, day, \
                 provider, source_key, username, at)",
                &[Int, Int, Int, Text, Text, Text, Bool, Float, Date, Text, Text, Text, Stamp],
                &rows,
                at,
                "",
            )
            .await?;
        }
        Ok(())
    }

    /// Keeps a completion record; returns its id.
    pub async fn insert_training(&mut self, actor: &Actor, n: &NewTraining, at: DateTime<Utc>) -> Result<i64> {
        check_record_writes(actor, std::slice::from_ref(n))?;
        let q = Sql {
            text: "INSERT INTO training_record (district_id, school_id, teacher_id, course, level, mode, ethics, hours, \
                   day, provider, source_key, username, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                   RETURNING id"
                .into(),
            args: n.args(),
        };
        self.scalar(&q.bind(actor.username.as_str()).bind(at)).await
    }
}

/// A teacher's own entry of hours waiting for approval, or decided.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClaimRow {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub teacher_id: i64,
    pub staff_no: String,
    pub name: String,
    pub course: String,
    pub level: Level,
    pub mode: Mode,
    pub ethics: bool,
    pub hours: f64,
    pub day: NaiveDate,
    pub provider: String,
    pub source_key: String,
    pub state: ClaimState,
    pub reason: String,
    pub username: String,
    pub at: DateTime<Utc>,
}

/// A course of the district's catalogue.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Course {
    pub id: i64,
    pub name: String,
    pub level: Level,
    pub mode: Mode,
    pub ethics: bool,
    pub hours: f64,
    pub start_day: NaiveDate,
    pub end_day: NaiveDate,
    pub provider: String,
}

const CLAIM_COLS: &str = "k.id, k.school_id, s.name, k.teacher_id, t.staff_no, t.name, k.course, k.level, k.mode, \
     k.ethics, k.hours, k.day, k.provider, k.source_key, k.state, k.reason, k.username, k.at";

fn claim_row(r: &dyn crate::Get) -> std::result::Result<ClaimRow, sqlx::Error> {
    let bad = |what: &str| sqlx::Error::Decode(format!("unknown {what} in training_claim").into());
    Ok(ClaimRow {
        id: r.i(0)?,
        school_id: r.i(1)?,
        school_name: r.s(2)?,
        teacher_id: r.i(3)?,
        staff_no: r.s(4)?,
        name: r.s(5)?,
        course: r.s(6)?,
        level: Level::from_key(&r.s(7)?).ok_or_else(|| bad("level"))?,
        mode: Mode::from_key(&r.s(8)?).ok_or_else(|| bad("mode"))?,
        ethics: r.b(9)?,
        hours: r.f(10)?,
        day: r.d(11)?,
        provider: r.s(12)?,
        source_key: r.s(13)?,
        state: ClaimState::from_key(&r.s(14)?).ok_or_else(|| bad("state"))?,
        reason: r.s(15)?,
        username: r.s(16)?,
        at: r.ts(17)?,
    })
}

/// Limits a query of training rows (`k.school_id`, `k.teacher_id`) to the caller's: the schools of
/// the scope, and the caller's own teacher record for roles that read no one else's hours.
pub(crate) fn training_filter(q: &mut Sql, actor: &Actor) {
    scope_filter(q, actor, "k.school_id", None, None);
    if !actor.role.reads_others_training() {
        q.push_arg(" AND k.teacher_id IN (SELECT u.teacher_id FROM app_user u WHERE u.id = ?)", actor.user_id);
    }
}

impl Store {
    /// The teacher record the caller's account names, with the school of the term: `None` when the
    /// account names none or the teacher is not on a school's staff that term.
    pub async fn own_teacher(&self, actor: &Actor, term_id: i64) -> Result<Option<StaffMember>> {
        let mut q = Sql::new(format!(
            "SELECT {STAFF_COLS} FROM app_user u \
             JOIN teacher t ON t.id = u.teacher_id JOIN teacher_term x ON x.teacher_id = t.id \
             JOIN school s ON s.id = x.school_id WHERE 1=1"
        ));
        q.push_arg(" AND u.id = ?", actor.user_id);
        q.push_arg(" AND x.term_id = ?", term_id);
        self.fetch_opt(&q, staff_member).await
    }

    /// The caller's own completion records (of every school), newest first.
    pub async fn own_training_records(&self, actor: &Actor) -> Result<Vec<(NewTraining, i64)>> {
        let mut q = Sql::new(
            "SELECT r.district_id, r.school_id, r.teacher_id, r.course, r.level, r.mode, r.ethics, r.hours, r.day, \
             r.provider, r.source_key, r.id FROM training_record r JOIN app_user u ON u.teacher_id = r.teacher_id WHERE 1=1",
        );
        q.push_arg(" AND u.id = ?", actor.user_id);
        q.push(" ORDER BY r.day DESC, r.id DESC");
        self.fetch(&q, |r| {
            let bad = |what: &str| sqlx::Error::Decode(format!("unknown {what} in training_record").into());
            Ok((
                NewTraining {
                    district_id: r.i(0)?,
                    school_id: r.i(1)?,
                    teacher_id: r.i(2)?,
                    course: r.s(3)?,
                    level: Level::from_key(&r.s(4)?).ok_or_else(|| bad("level"))?,
                    mode: Mode::from_key(&r.s(5)?).ok_or_else(|| bad("mode"))?,
                    ethics: r.b(6)?,
                    hours: r.f(7)?,
                    day: r.d(8)?,
                    provider: r.s(9)?,
                    source_key: r.s(10)?,
                },
                r.i(11)?,
            ))
        })
        .await
    }

    /// Claims the caller may read (scope; the own only for teachers), those of `states` (all when
    /// empty), newest first.
    pub async fn training_claims(&self, actor: &Actor, states: &[ClaimState]) -> Result<Vec<ClaimRow>> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!(
            "SELECT {CLAIM_COLS} FROM training_claim k JOIN teacher t ON t.id = k.teacher_id \
             JOIN school s ON s.id = k.school_id WHERE 1=1"
        ));
        training_filter(&mut q, actor);
        if !states.is_empty() {
            let list: Vec<String> = states.iter().map(|s| format!("'{}'", s.key())).collect();
            q.push(&format!(" AND k.state IN ({})", list.join(",")));
        }
        q.push(" ORDER BY k.id DESC LIMIT 500");
        self.fetch(&q, claim_row).await
    }

    /// One claim the caller may read.
    pub async fn training_claim(&self, actor: &Actor, id: i64) -> Result<ClaimRow> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!(
            "SELECT {CLAIM_COLS} FROM training_claim k JOIN teacher t ON t.id = k.teacher_id \
             JOIN school s ON s.id = k.school_id WHERE 1=1"
        ));
        q.push_arg(" AND k.id = ?", id);
        training_filter(&mut q, actor);
        self.fetch_opt(&q, claim_row).await?.ok_or(StoreError::NotFound)
    }

    /// The district's course catalogue, newest first.
    pub async fn training_courses(&self, actor: &Actor) -> Result<Vec<Course>> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        self.fetch(
            &Sql::new(
                "SELECT id, name, level, mode, ethics, hours, start_day, end_day, provider FROM training_course \
                 ORDER BY start_day DESC, id DESC",
            ),
            |r| {
                let bad = |what: &str| sqlx::Error::Decode(format!("unknown {what} in training_course").into());
                Ok(Course {
                    id: r.i(0)?,
                    name: r.s(1)?,
                    level: Level::from_key(&r.s(2)?).ok_or_else(|| bad("level"))?,
                    mode: Mode::from_key(&r.s(3)?).ok_or_else(|| bad("mode"))?,
                    ethics: r.b(4)?,
                    hours: r.f(5)?,
                    start_day: r.d(6)?,
                    end_day: r.d(7)?,
                    provider: r.s(8)?,
                })
            },
        )
        .await
    }
}

impl Tx {
    /// Keeps the caller's own claim (the teacher must be the one the caller's account names);
    /// returns its id.
    pub async fn insert_claim(&mut self, actor: &Actor, n: &NewTraining, at: DateTime<Utc>) -> Result<i64> {
        let q = Sql {
            text:
                "INSERT INTO training_claim (district_id, school_id, teacher_id, course, level, mode, ethics, hours, \
                   day, provider, source_key, state, username, at) \
                   SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 FROM app_user u \
                   WHERE u.id = $15 AND u.teacher_id = $3 RETURNING id"
                    .into(),
            args: n.args(),
        };
        let q = q.bind(ClaimState::Submitted.key()).bind(actor.username.as_str()).bind(at).bind(actor.user_id);
        let ids = self.fetch(&q, |r| r.i(0)).await?;
        ids.into_iter().next().ok_or(StoreError::Forbidden)
    }

    /// Moves a claim in the caller's scope from `from` to `to` (nothing else changed it meanwhile),
    /// with the reason of a return and the record an approval wrote.
    pub async fn set_claim_state(
        &mut self,
        actor: &Actor,
        id: i64,
        from: ClaimState,
        to: ClaimState,
        reason: &str,
        record_id: Option<i64>,
    ) -> Result<()> {
        if !actor.role.may_write(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new("UPDATE training_claim SET state = $1, reason = $2, record_id = $3 WHERE 1=1")
            .bind(to.key())
            .bind(reason)
            .bind(record_id);
        q.push_arg(" AND id = ?", id);
        q.push_arg(" AND state = ?", from.key());
        scope_filter(&mut q, actor, "school_id", None, None);
        match self.exec(&q).await? {
            0 => Err(StoreError::Conflict("申报已被他人处理，请刷新后重试".into())),
            _ => Ok(()),
        }
    }

    /// Adds a course to the catalogue; the same name and start day again changes nothing.
    pub async fn insert_course(
        &mut self,
        actor: &Actor,
        district_id: i64,
        c: &Course,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        if !actor.role.approves_training_for_district() {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(
                &Sql::new(
                    "SELECT COUNT(*) FROM training_course WHERE district_id = $1 AND name = $2 AND start_day = $3",
                )
                .bind(district_id)
                .bind(c.name.as_str())
                .bind(c.start_day),
            )
            .await?;
        if held > 0 {
            return Ok(false);
        }
        self.exec(
            &Sql::new(
                "INSERT INTO training_course (district_id, name, level, mode, ethics, hours, start_day, end_day, provider, \
                 username, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(district_id)
            .bind(c.name.as_str())
            .bind(c.level.key())
            .bind(c.mode.key())
            .bind(c.ethics)
            .bind(c.hours)
            .bind(c.start_day)
            .bind(c.end_day)
            .bind(c.provider.as_str())
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await?;
        Ok(true)
    }
}
