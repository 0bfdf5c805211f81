//! Teachers' training records (继续教育学时). Reads are scoped to the teachers of the caller's
//! schools in a term and need [`Resource::Teachers`]; a teacher's records follow the teacher across
//! schools.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::training::{Level, Mode, Record};

use crate::org::scope_filter;
use crate::{Result, Sql, Store, StoreError, Tx};

/// A teacher on the staff of a school of the caller's scope in a term.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffMember {
    pub teacher_id: i64,
    pub staff_no: String,
    pub name: String,
    pub school_id: i64,
    pub school_name: String,
    pub subjects: String,
}

/// A training record to keep.
#[derive(Debug, Clone, PartialEq)]
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

impl Store {
    /// The teachers of the term in the caller's scope.
    pub async fn staff(&self, actor: &Actor, term_id: i64) -> Result<Vec<StaffMember>> {
        if !actor.role.may_read(Resource::Teachers) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT t.id, t.staff_no, t.name, x.school_id, s.name, t.subjects FROM teacher_term x \
             JOIN teacher t ON t.id = x.teacher_id JOIN school s ON s.id = x.school_id WHERE 1=1",
        );
        q.push_arg(" AND x.term_id = ?", term_id);
        scope_filter(&mut q, actor, "x.school_id", None, None);
        q.push(" ORDER BY x.school_id, t.staff_no");
        self.fetch(&q, |r| {
            Ok(StaffMember {
                teacher_id: r.i(0)?,
                staff_no: r.s(1)?,
                name: r.s(2)?,
                school_id: r.i(3)?,
                school_name: r.s(4)?,
                subjects: r.s(5)?,
            })
        })
        .await
    }

    /// The training records from `from` on of the term's teachers in the caller's scope, by
    /// teacher.
    pub async fn training_records(
        &self,
        actor: &Actor,
        term_id: i64,
        from: NaiveDate,
    ) -> Result<HashMap<i64, Vec<Record>>> {
        if !actor.role.may_read(Resource::Teachers) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT r.teacher_id, r.day, r.hours, r.mode, r.ethics FROM training_record r \
             WHERE r.teacher_id IN (SELECT x.teacher_id FROM teacher_term x WHERE 1=1",
        );
        q.push_arg(" AND x.term_id = ?", term_id);
        scope_filter(&mut q, actor, "x.school_id", None, None);
        q.push(")");
        q.push_arg(" AND r.day >= ?", from);
        let rows = self
            .fetch(&q, |r| {
                let mode = Mode::from_key(&r.s(3)?)
                    .ok_or_else(|| sqlx::Error::Decode("unknown mode in training_record".into()))?;
                Ok((r.i(0)?, Record { day: r.d(1)?, hours: r.f(2)?, mode, ethics: r.b(4)? }))
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

impl Tx {
    pub async fn insert_training(&mut self, actor: &Actor, n: &NewTraining, at: DateTime<Utc>) -> Result<()> {
        self.exec(
            &Sql::new(
                "INSERT INTO training_record (district_id, school_id, teacher_id, course, level, mode, ethics, hours, day, \
                 provider, source_key, username, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(n.district_id)
            .bind(n.school_id)
            .bind(n.teacher_id)
            .bind(n.course.as_str())
            .bind(n.level.key())
            .bind(n.mode.key())
            .bind(n.ethics)
            .bind(n.hours)
            .bind(n.day)
            .bind(n.provider.as_str())
            .bind(n.source_key.as_str())
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await
        .map(|_| ())
    }
}
