//! Weekly timetables per school and term, replaced whole by each upload, and the district's
//! curriculum table. Reads are scoped by school; uploads need the class-record write right and
//! the school in scope.

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::standards::curriculum::Requirement;
use eduq_core::timetable::Slot;
use serde::Serialize;

use crate::org::scope_filter;
use crate::sql::Arg;
use crate::{Result, Sql, Store, StoreError, Tx};

/// A school's upload of a term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Upload {
    pub school_id: i64,
    pub digest: String,
    pub file_name: String,
    pub slots: i64,
    pub username: String,
    pub at: DateTime<Utc>,
}

/// A slot with what the checks need of its class.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldSlot {
    pub school_id: i64,
    pub grade: i8,
    pub slot: Slot,
}

impl Store {
    /// The uploads of a term in scope.
    pub async fn timetable_uploads(&self, actor: &Actor, term_id: i64) -> Result<Vec<Upload>> {
        if !actor.role.may_read(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let mut q =
            Sql::new("SELECT school_id, digest, file_name, slots, username, at FROM timetable_upload WHERE 1=1");
        q.push_arg(" AND term_id = ?", term_id);
        scope_filter(&mut q, actor, "school_id", None, None);
        self.fetch(&q, |r| {
            Ok(Upload {
                school_id: r.i(0)?,
                digest: r.s(1)?,
                file_name: r.s(2)?,
                slots: r.i(3)?,
                username: r.s(4)?,
                at: r.ts(5)?,
            })
        })
        .await
    }

    /// The slots of a term in scope (optionally one school's), by school, class, day and period.
    pub async fn timetable_slots(&self, actor: &Actor, term_id: i64, school_id: Option<i64>) -> Result<Vec<HeldSlot>> {
        if !actor.role.may_read(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT t.school_id, c.grade, t.class_id, t.weekday, t.period, t.subject, t.teacher FROM timetable_slot t \
             JOIN class c ON c.id = t.class_id WHERE 1=1",
        );
        q.push_arg(" AND t.term_id = ?", term_id);
        if let Some(id) = school_id {
            q.push_arg(" AND t.school_id = ?", id);
        }
        scope_filter(&mut q, actor, "t.school_id", Some("t.class_id"), None);
        q.push(" ORDER BY t.school_id, t.class_id, t.weekday, t.period");
        let small = |n: i64| u8::try_from(n).map_err(|_| sqlx::Error::Decode(format!("{n} out of range").into()));
        self.fetch(&q, |r| {
            Ok(HeldSlot {
                school_id: r.i(0)?,
                grade: i8::try_from(r.i(1)?).map_err(|_| sqlx::Error::Decode("grade".into()))?,
                slot: Slot {
                    class_id: r.i(2)?,
                    weekday: small(r.i(3)?)?,
                    period: small(r.i(4)?)?,
                    subject: r.s(5)?,
                    teacher: r.s(6)?,
                },
            })
        })
        .await
    }

    /// The district's curriculum table, or `None` where it keeps the national floor.
    pub async fn curriculum_rules(&self) -> Result<Option<Vec<Requirement>>> {
        let (district_id, _) = self.district().await?;
        let q = Sql::new(
            "SELECT subject, accepts, first_grade, last_grade, min_periods FROM curriculum_rule WHERE district_id = $1 \
             ORDER BY position",
        )
        .bind(district_id);
        let rows = self
            .fetch(&q, |r| {
                let grade = |n: i64| i8::try_from(n).map_err(|_| sqlx::Error::Decode("grade".into()));
                Ok(Requirement {
                    subject: r.s(0)?,
                    accepts: r.s(1)?.split('、').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                    first_grade: grade(r.i(2)?)?,
                    last_grade: grade(r.i(3)?)?,
                    min_periods: u32::try_from(r.i(4)?).unwrap_or(0),
                })
            })
            .await?;
        Ok((!rows.is_empty()).then_some(rows))
    }
}

impl Tx {
    /// Replaces a school's timetable of a term (the school in the caller's scope).
    #[allow(clippy::too_many_arguments)]
    pub async fn replace_timetable(
        &mut self,
        actor: &Actor,
        district_id: i64,
        school_id: i64,
        term_id: i64,
        digest: &str,
        file_name: &str,
        slots: &[Slot],
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.may_write(Resource::Classes) || !actor.scope.covers_school(school_id) {
            return Err(StoreError::Forbidden);
        }
        let del = |table: &str| {
            Sql::new(format!("DELETE FROM {table} WHERE school_id = $1 AND term_id = $2")).bind(school_id).bind(term_id)
        };
        self.exec(&del("timetable_slot")).await?;
        self.exec(&del("timetable_upload")).await?;
        let rows = slots
            .iter()
            .map(|s| {
                vec![
                    Arg::I(district_id),
                    Arg::I(school_id),
                    Arg::I(term_id),
                    Arg::I(s.class_id),
                    Arg::I(i64::from(s.weekday)),
                    Arg::I(i64::from(s.period)),
                    Arg::T(s.subject.clone()),
                    Arg::T(s.teacher.clone()),
                ]
            })
            .collect();
        self.insert_rows(
            "timetable_slot (district_id, school_id, term_id, class_id, weekday, period, subject, teacher)",
            "",
            rows,
        )
        .await?;
        self.exec(
            &Sql::new(
                "INSERT INTO timetable_upload (school_id, term_id, district_id, digest, file_name, slots, username, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(school_id)
            .bind(term_id)
            .bind(district_id)
            .bind(digest)
            .bind(file_name)
            .bind(slots.len() as i64)
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await?;
        Ok(())
    }

    /// Replaces the district's curriculum table (the bureau); an empty table restores the floor.
    pub async fn set_curriculum_rules(&mut self, actor: &Actor, district_id: i64, rules: &[Requirement]) -> Result<()> {
        if !(actor.role.keeps_rubrics()) {
            return Err(StoreError::Forbidden);
        }
        self.exec(&Sql::new("DELETE FROM curriculum_rule WHERE district_id = $1").bind(district_id)).await?;
        let rows = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    Arg::I(district_id),
                    Arg::I(i as i64),
                    Arg::T(r.subject.clone()),
                    Arg::T(r.accepts.join("、")),
                    Arg::I(i64::from(r.first_grade)),
                    Arg::I(i64::from(r.last_grade)),
                    Arg::I(i64::from(r.min_periods)),
                ]
            })
            .collect();
        self.insert_rows(
            "curriculum_rule (district_id, position, subject, accepts, first_grade, last_grade, min_periods)",
            "",
            rows,
        )
        .await
    }
}
