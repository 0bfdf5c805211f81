//! 名师/名班主任/名校长工作室: the studio with its host and members, a plan per school year, its
//! activities and its annual assessments. A studio's work is published to the district (送教,
//! 公开课 and 讲座 are open events), so every role that reads teacher development reads every
//! studio; the bureau keeps them, and the host (or the host's school) logs their plan and work.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::designation::Level;
use eduq_core::studio::{ActivityKind, StudioKind};
use serde::Serialize;

use crate::{Result, Sql, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudioRow {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub name: String,
    pub kind: StudioKind,
    pub level: Level,
    pub host_teacher_id: i64,
    pub host_staff_no: String,
    pub host_name: String,
    pub start_day: NaiveDate,
    pub end_day: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudioMember {
    pub teacher_id: i64,
    pub staff_no: String,
    pub name: String,
    pub joined_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityRow {
    pub id: i64,
    pub studio_id: i64,
    pub kind: ActivityKind,
    pub title: String,
    pub day: NaiveDate,
    pub place: String,
    pub participants: i64,
    pub note: String,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRow {
    pub start_year: i32,
    pub goals: String,
    pub targets: BTreeMap<ActivityKind, i64>,
    pub username: String,
}

/// A year's assessment: the rubric version, the marks as typed (item code → mark) and what they
/// added up to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentRow {
    pub start_year: i32,
    pub rubric_id: i64,
    pub marks: BTreeMap<String, String>,
    pub score: Option<f64>,
    pub percent: Option<f64>,
    pub band: Option<String>,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewStudio {
    pub district_id: i64,
    pub school_id: i64,
    pub name: String,
    pub kind: StudioKind,
    pub level: Level,
    pub host_teacher_id: i64,
    pub start_day: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    pub studio_id: i64,
    pub kind: ActivityKind,
    pub title: String,
    pub day: NaiveDate,
    pub place: String,
    pub participants: i64,
    pub note: String,
}

const FROM: &str = "FROM studio k JOIN school s ON s.id = k.school_id JOIN teacher t ON t.id = k.host_teacher_id";
const COLS: &str = "k.id, k.school_id, s.name, k.name, k.kind, k.level, k.host_teacher_id, t.staff_no, t.name, \
     k.start_day, k.end_day";

fn row(r: &dyn crate::Get) -> std::result::Result<StudioRow, sqlx::Error> {
    let bad = |what: &str| sqlx::Error::Decode(format!("unknown {what} in studio").into());
    Ok(StudioRow {
        id: r.i(0)?,
        school_id: r.i(1)?,
        school_name: r.s(2)?,
        name: r.s(3)?,
        kind: StudioKind::from_key(&r.s(4)?).ok_or_else(|| bad("kind"))?,
        level: Level::from_key(&r.s(5)?).ok_or_else(|| bad("level"))?,
        host_teacher_id: r.i(6)?,
        host_staff_no: r.s(7)?,
        host_name: r.s(8)?,
        start_day: r.d(9)?,
        end_day: r.od(10)?,
    })
}

fn activity(r: &dyn crate::Get) -> std::result::Result<ActivityRow, sqlx::Error> {
    Ok(ActivityRow {
        id: r.i(0)?,
        studio_id: r.i(1)?,
        kind: ActivityKind::from_key(&r.s(2)?).ok_or_else(|| sqlx::Error::Decode("unknown activity kind".into()))?,
        title: r.s(3)?,
        day: r.d(4)?,
        place: r.s(5)?,
        participants: r.i(6)?,
        note: r.s(7)?,
        username: r.s(8)?,
    })
}

const ASSESSMENT_COLS: &str = "start_year, rubric_id, marks, score, percent, band, username";

/// An assessment read from column `at` on ([`ASSESSMENT_COLS`]).
fn assessment(r: &dyn crate::Get, at: usize) -> std::result::Result<AssessmentRow, sqlx::Error> {
    Ok(AssessmentRow {
        start_year: r.i(at)? as i32,
        rubric_id: r.i(at + 1)?,
        marks: serde_json::from_str(&r.s(at + 2)?).unwrap_or_default(),
        score: r.of(at + 3)?,
        percent: r.of(at + 4)?,
        band: r.os(at + 5)?,
        username: r.s(at + 6)?,
    })
}

const ACTIVITY_COLS: &str = "a.id, a.studio_id, a.kind, a.title, a.day, a.place, a.participants, a.note, a.username";

/// A plan's targets as stored (kind key → count).
fn targets(raw: &str) -> BTreeMap<ActivityKind, i64> {
    let keyed: BTreeMap<String, i64> = serde_json::from_str(raw).unwrap_or_default();
    keyed.into_iter().filter_map(|(k, n)| ActivityKind::from_key(&k).map(|k| (k, n))).collect()
}

impl Store {
    /// The district's studios.
    pub async fn studios(&self, actor: &Actor) -> Result<Vec<StudioRow>> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new(format!("SELECT {COLS} {FROM} WHERE k.district_id = $1 ORDER BY k.kind, k.id"))
            .bind(self.district().await?.0);
        self.fetch(&q, row).await
    }

    /// One studio.
    pub async fn studio_row(&self, actor: &Actor, id: i64) -> Result<StudioRow> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new(format!("SELECT {COLS} {FROM} WHERE k.district_id = $1 AND k.id = $2"))
            .bind(self.district().await?.0)
            .bind(id);
        self.fetch_opt(&q, row).await?.ok_or(StoreError::NotFound)
    }

    /// One studio with its members, plans, activities (newest first) and assessments.
    pub async fn studio(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(StudioRow, Vec<StudioMember>, Vec<PlanRow>, Vec<ActivityRow>, Vec<AssessmentRow>)> {
        let s = self.studio_row(actor, id).await?;
        let members = Sql::new(
            "SELECT m.teacher_id, t.staff_no, t.name, m.joined_on FROM studio_member m JOIN teacher t ON t.id = m.teacher_id \
             WHERE m.studio_id = $1 AND m.left_on IS NULL ORDER BY t.staff_no",
        )
        .bind(id);
        let plans = Sql::new(
            "SELECT start_year, goals, targets, username FROM studio_plan WHERE studio_id = $1 ORDER BY start_year DESC",
        )
        .bind(id);
        let acts = Sql::new(format!(
            "SELECT {ACTIVITY_COLS} FROM studio_activity a WHERE a.studio_id = $1 ORDER BY a.day DESC, a.id DESC"
        ))
        .bind(id);
        let assessed = Sql::new(format!(
            "SELECT {ASSESSMENT_COLS} FROM studio_assessment WHERE studio_id = $1 ORDER BY start_year DESC"
        ))
        .bind(id);
        let (members, plans, acts, assessed) = tokio::try_join!(
            self.fetch(&members, |r| Ok(StudioMember {
                teacher_id: r.i(0)?,
                staff_no: r.s(1)?,
                name: r.s(2)?,
                joined_on: r.d(3)?
            })),
            self.fetch(&plans, |r| Ok(PlanRow {
                start_year: r.i(0)? as i32,
                goals: r.s(1)?,
                targets: targets(&r.s(2)?),
                username: r.s(3)?
            })),
            self.fetch(&acts, activity),
            self.fetch(&assessed, |r| assessment(r, 0)),
        )?;
        Ok((s, members, plans, acts, assessed))
    }

    /// Every studio's activities from `from` to `to` (the district's 工作室 activity board).
    pub async fn studio_activities(&self, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<Vec<ActivityRow>> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new(format!(
            "SELECT {ACTIVITY_COLS} FROM studio_activity a WHERE a.district_id = $1 AND a.day BETWEEN $2 AND $3 \
             ORDER BY a.day, a.id"
        ))
        .bind(self.district().await?.0)
        .bind(from)
        .bind(to);
        self.fetch(&q, activity).await
    }

    /// One activity.
    pub async fn studio_activity(&self, actor: &Actor, id: i64) -> Result<ActivityRow> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let q =
            Sql::new(format!("SELECT {ACTIVITY_COLS} FROM studio_activity a WHERE a.district_id = $1 AND a.id = $2"))
                .bind(self.district().await?.0)
                .bind(id);
        self.fetch_opt(&q, activity).await?.ok_or(StoreError::NotFound)
    }

    /// The plans of a school year, by studio.
    pub async fn studio_plans(&self, actor: &Actor, start_year: i32) -> Result<HashMap<i64, PlanRow>> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new(
            "SELECT studio_id, start_year, goals, targets, username FROM studio_plan WHERE district_id = $1 AND start_year = $2",
        )
        .bind(self.district().await?.0)
        .bind(i64::from(start_year));
        let rows = self
            .fetch(&q, |r| {
                Ok((
                    r.i(0)?,
                    PlanRow {
                        start_year: r.i(1)? as i32,
                        goals: r.s(2)?,
                        targets: targets(&r.s(3)?),
                        username: r.s(4)?,
                    },
                ))
            })
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Whether the caller logs this studio's plan and work (what its page offers).
    pub async fn logs_for_studio(&self, actor: &Actor, studio_id: i64) -> Result<bool> {
        logs(actor, self.fetch_opt(&host_query(actor, studio_id), |r| Ok((r.i(0)?, r.i(1)?))).await?)
    }

    /// Every studio's assessment of a school year, by studio.
    pub async fn studio_assessments(&self, actor: &Actor, start_year: i32) -> Result<HashMap<i64, AssessmentRow>> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new(format!(
            "SELECT studio_id, {ASSESSMENT_COLS} FROM studio_assessment WHERE district_id = $1 AND start_year = $2"
        ))
        .bind(self.district().await?.0)
        .bind(i64::from(start_year));
        Ok(self.fetch(&q, |r| Ok((r.i(0)?, assessment(r, 1)?))).await?.into_iter().collect())
    }
}

/// The studio's school and whether the caller's account is its host, for [`logs`].
fn host_query(actor: &Actor, studio_id: i64) -> Sql {
    Sql::new(
        "SELECT k.school_id, (SELECT COUNT(*) FROM app_user u WHERE u.id = $2 AND u.teacher_id = k.host_teacher_id) \
         FROM studio k WHERE k.id = $1",
    )
    .bind(studio_id)
    .bind(actor.user_id)
}

/// Who logs a studio's plan and work: the bureau, the host's own account, or the host school's
/// administrator. `found` is what [`host_query`] read (none: no such studio).
fn logs(actor: &Actor, found: Option<(i64, i64)>) -> Result<bool> {
    let (school_id, own) = found.ok_or(StoreError::NotFound)?;
    Ok(actor.role.runs_teacher_development()
        || own > 0 && actor.role.enters_own_training()
        || actor.role == eduq_core::access::Role::SchoolAdmin && actor.scope.covers_school(school_id))
}

impl Tx {
    /// Refuses a write to a studio's plan or work by anyone who does not log it.
    async fn check_logs(&mut self, actor: &Actor, studio_id: i64) -> Result<()> {
        let found = self.fetch(&host_query(actor, studio_id), |r| Ok((r.i(0)?, r.i(1)?))).await?;
        if logs(actor, found.first().copied())? { Ok(()) } else { Err(StoreError::Forbidden) }
    }

    /// Sets up a studio with its host as the first member (the bureau).
    pub async fn insert_studio(&mut self, actor: &Actor, n: &NewStudio, at: DateTime<Utc>) -> Result<i64> {
        if !actor.role.runs_teacher_development() {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM studio WHERE district_id = $1 AND name = $2")
                    .bind(n.district_id)
                    .bind(n.name.as_str()),
            )
            .await?;
        if held > 0 {
            return Err(StoreError::Conflict(format!("工作室“{}”已存在", n.name)));
        }
        let id = self
            .scalar(
                &Sql::new(
                    "INSERT INTO studio (district_id, school_id, name, kind, level, host_teacher_id, start_day, username, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(n.district_id)
                .bind(n.school_id)
                .bind(n.name.as_str())
                .bind(n.kind.key())
                .bind(n.level.key())
                .bind(n.host_teacher_id)
                .bind(n.start_day)
                .bind(actor.username.as_str())
                .bind(at),
            )
            .await?;
        self.add_studio_member(actor, id, n.host_teacher_id, n.start_day).await?;
        Ok(id)
    }

    /// Adds a member (the bureau); adding one already in changes nothing (returns `false`).
    pub async fn add_studio_member(
        &mut self,
        actor: &Actor,
        studio_id: i64,
        teacher_id: i64,
        on: NaiveDate,
    ) -> Result<bool> {
        if !actor.role.runs_teacher_development() {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM studio_member WHERE studio_id = $1 AND teacher_id = $2")
                    .bind(studio_id)
                    .bind(teacher_id),
            )
            .await?;
        if held > 0 {
            return Ok(false);
        }
        self.exec(
            &Sql::new(
                "INSERT INTO studio_member (studio_id, district_id, teacher_id, joined_on) \
                 SELECT id, district_id, $2, $3 FROM studio WHERE id = $1",
            )
            .bind(studio_id)
            .bind(teacher_id)
            .bind(on),
        )
        .await?;
        Ok(true)
    }

    /// Puts a school year's plan (replacing the one held).
    pub async fn put_studio_plan(
        &mut self,
        actor: &Actor,
        studio_id: i64,
        start_year: i32,
        goals: &str,
        targets: &BTreeMap<ActivityKind, i64>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.check_logs(actor, studio_id).await?;
        let keyed: BTreeMap<&str, i64> = targets.iter().map(|(k, n)| (k.key(), *n)).collect();
        let body = serde_json::to_string(&keyed).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.exec(
            &Sql::new("DELETE FROM studio_plan WHERE studio_id = $1 AND start_year = $2")
                .bind(studio_id)
                .bind(i64::from(start_year)),
        )
        .await?;
        self.exec(
            &Sql::new(
                "INSERT INTO studio_plan (studio_id, district_id, start_year, goals, targets, username, at) \
                 SELECT id, district_id, $2, $3, $4, $5, $6 FROM studio WHERE id = $1",
            )
            .bind(studio_id)
            .bind(i64::from(start_year))
            .bind(goals)
            .bind(body)
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await
        .map(|_| ())
    }

    /// Logs an activity; returns its id (evidence files attach to it).
    pub async fn insert_studio_activity(&mut self, actor: &Actor, n: &NewActivity, at: DateTime<Utc>) -> Result<i64> {
        self.check_logs(actor, n.studio_id).await?;
        self.scalar(
            &Sql::new(
                "INSERT INTO studio_activity (district_id, school_id, studio_id, kind, title, day, place, participants, note, \
                 username, at) SELECT district_id, school_id, id, $2, $3, $4, $5, $6, $7, $8, $9 FROM studio WHERE id = $1 \
                 RETURNING id",
            )
            .bind(n.studio_id)
            .bind(n.kind.key())
            .bind(n.title.as_str())
            .bind(n.day)
            .bind(n.place.as_str())
            .bind(n.participants)
            .bind(n.note.as_str())
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await
    }

    /// Puts a school year's assessment (the bureau), replacing one held.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_studio_assessment(
        &mut self,
        actor: &Actor,
        studio_id: i64,
        start_year: i32,
        rubric_id: i64,
        marks: &BTreeMap<String, String>,
        outcome: &eduq_core::rubric::Outcome,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.runs_teacher_development() {
            return Err(StoreError::Forbidden);
        }
        let body = serde_json::to_string(marks).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.exec(
            &Sql::new("DELETE FROM studio_assessment WHERE studio_id = $1 AND start_year = $2")
                .bind(studio_id)
                .bind(i64::from(start_year)),
        )
        .await?;
        self.exec(
            &Sql::new(
                "INSERT INTO studio_assessment (studio_id, district_id, start_year, rubric_id, marks, score, percent, band, \
                 username, at) SELECT id, district_id, $2, $3, $4, $5, $6, $7, $8, $9 FROM studio WHERE id = $1",
            )
            .bind(studio_id)
            .bind(i64::from(start_year))
            .bind(rubric_id)
            .bind(body)
            .bind(outcome.score)
            .bind(outcome.percent)
            .bind(outcome.band.clone())
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await
        .map(|_| ())
    }
}
