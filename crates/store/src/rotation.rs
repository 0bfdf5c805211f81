//! 交流轮岗: the term's teachers with their history of schools (who qualifies is decided in
//! `eduq_core::rotation`), and the rotations of a school year. Reads need [`Resource::Teachers`]
//! and are scoped to the caller's schools; a school reads the teachers it sends and receives.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource, Scope};
use eduq_core::org::Locale;
use eduq_core::rotation::RotationKind;
use serde::Serialize;

use crate::org::scope_filter;
use crate::{Result, Sql, Store, StoreError, Tx};

/// A teacher of the term, as the rotation rules read them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotationStaff {
    pub teacher_id: i64,
    pub staff_no: String,
    pub name: String,
    pub school_id: i64,
    pub school_name: String,
    pub locale: Locale,
    /// 骨干教师 (a 骨干 level, or the 骨干/名师 tier).
    pub backbone: bool,
}

/// One term a teacher was recorded at a school.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TermAt {
    pub teacher_id: i64,
    pub term: (i32, u8),
    pub school_id: i64,
    pub joined: Option<NaiveDate>,
}

/// A teacher sent to another school.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotationRow {
    pub id: i64,
    pub teacher_id: i64,
    pub staff_no: String,
    pub name: String,
    pub school_id: i64,
    pub school_name: String,
    pub from_locale: Locale,
    pub to_school_id: i64,
    pub to_school_name: String,
    pub to_locale: Locale,
    pub start_year: i32,
    pub kind: RotationKind,
    pub backbone: bool,
    pub start_day: NaiveDate,
    pub end_day: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
    pub note: String,
}

/// A rotation to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRotation {
    pub district_id: i64,
    pub school_id: i64,
    pub to_school_id: i64,
    pub teacher_id: i64,
    pub start_year: i32,
    pub kind: RotationKind,
    pub backbone: bool,
    pub start_day: NaiveDate,
    pub end_day: Option<NaiveDate>,
    pub note: String,
}

fn locale(raw: String) -> std::result::Result<Locale, sqlx::Error> {
    Locale::from_key(&raw).ok_or_else(|| sqlx::Error::Decode("unknown locale".into()))
}

impl Store {
    /// The term's teachers in the caller's scope.
    pub async fn rotation_staff(&self, actor: &Actor, term_id: i64) -> Result<Vec<RotationStaff>> {
        if !actor.role.may_read(Resource::Teachers) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT t.id, t.staff_no, t.name, x.school_id, s.name, s.locale, \
             CAST(CASE WHEN t.backbone <> 'none' OR t.tier IN ('backbone', 'master') THEN 1 ELSE 0 END AS BIGINT) \
             FROM teacher_term x JOIN teacher t ON t.id = x.teacher_id JOIN school s ON s.id = x.school_id WHERE 1=1",
        );
        q.push_arg(" AND x.term_id = ?", term_id);
        scope_filter(&mut q, actor, "x.school_id", None, None);
        q.push(" ORDER BY s.name, t.staff_no");
        self.fetch(&q, |r| {
            Ok(RotationStaff {
                teacher_id: r.i(0)?,
                staff_no: r.s(1)?,
                name: r.s(2)?,
                school_id: r.i(3)?,
                school_name: r.s(4)?,
                locale: locale(r.s(5)?)?,
                backbone: r.i(6)? == 1,
            })
        })
        .await
    }

    /// Every term held of the term's teachers in the caller's scope (at any school).
    pub async fn staff_history(&self, actor: &Actor, term_id: i64) -> Result<Vec<TermAt>> {
        if !actor.role.may_read(Resource::Teachers) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT h.teacher_id, m.start_year, m.term_no, h.school_id, h.joined_school FROM teacher_term h \
             JOIN term m ON m.id = h.term_id WHERE h.teacher_id IN (SELECT x.teacher_id FROM teacher_term x WHERE 1=1",
        );
        q.push_arg(" AND x.term_id = ?", term_id);
        scope_filter(&mut q, actor, "x.school_id", None, None);
        q.push(")");
        self.fetch(&q, |r| {
            Ok(TermAt {
                teacher_id: r.i(0)?,
                term: (r.i(1)? as i32, r.i(2)? as u8),
                school_id: r.i(3)?,
                joined: r.od(4)?,
            })
        })
        .await
    }

    /// The rotations of a school year the caller may read: all for the bureau; those a school
    /// sends or receives for the school.
    pub async fn rotations(&self, actor: &Actor, start_year: i32) -> Result<Vec<RotationRow>> {
        if !actor.role.may_read(Resource::Teachers) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT k.id, k.teacher_id, t.staff_no, t.name, k.school_id, a.name, a.locale, k.to_school_id, b.name, \
             b.locale, k.start_year, k.kind, k.backbone, k.start_day, k.end_day, k.returned_on, k.note \
             FROM rotation k JOIN teacher t ON t.id = k.teacher_id JOIN school a ON a.id = k.school_id \
             JOIN school b ON b.id = k.to_school_id WHERE 1=1",
        );
        q.push_arg(" AND k.start_year = ?", i64::from(start_year));
        match &actor.scope {
            Scope::District => {}
            Scope::School(id) => {
                q.push_arg(" AND (k.school_id = ?", *id);
                q.push_arg(" OR k.to_school_id = ?)", *id);
            }
            _ => scope_filter(&mut q, actor, "k.school_id", None, None),
        }
        q.push(" ORDER BY a.name, t.staff_no");
        self.fetch(&q, |r| {
            Ok(RotationRow {
                id: r.i(0)?,
                teacher_id: r.i(1)?,
                staff_no: r.s(2)?,
                name: r.s(3)?,
                school_id: r.i(4)?,
                school_name: r.s(5)?,
                from_locale: locale(r.s(6)?)?,
                to_school_id: r.i(7)?,
                to_school_name: r.s(8)?,
                to_locale: locale(r.s(9)?)?,
                start_year: r.i(10)? as i32,
                kind: RotationKind::from_key(&r.s(11)?)
                    .ok_or_else(|| sqlx::Error::Decode("unknown rotation kind".into()))?,
                backbone: r.b(12)?,
                start_day: r.d(13)?,
                end_day: r.od(14)?,
                returned_on: r.od(15)?,
                note: r.s(16)?,
            })
        })
        .await
    }
}

impl Tx {
    /// Keeps a rotation planned by the bureau; one per teacher and school year.
    pub async fn insert_rotation(&mut self, actor: &Actor, n: &NewRotation, at: DateTime<Utc>) -> Result<()> {
        if !actor.role.plans_rotation() {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM rotation WHERE teacher_id = $1 AND start_year = $2")
                    .bind(n.teacher_id)
                    .bind(i64::from(n.start_year)),
            )
            .await?;
        if held > 0 {
            return Err(StoreError::Conflict("该教师本学年已安排交流".into()));
        }
        self.exec(
            &Sql::new(
                "INSERT INTO rotation (district_id, school_id, to_school_id, teacher_id, start_year, kind, backbone, \
                 start_day, end_day, note, username, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(n.district_id)
            .bind(n.school_id)
            .bind(n.to_school_id)
            .bind(n.teacher_id)
            .bind(i64::from(n.start_year))
            .bind(n.kind.key())
            .bind(n.backbone)
            .bind(n.start_day)
            .bind(n.end_day)
            .bind(n.note.as_str())
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await
        .map(|_| ())
    }

    /// Records a teacher's return from a rotation not yet returned.
    pub async fn return_rotation(&mut self, actor: &Actor, id: i64, day: NaiveDate) -> Result<()> {
        if !actor.role.plans_rotation() {
            return Err(StoreError::Forbidden);
        }
        let n = self
            .exec(
                &Sql::new(
                    "UPDATE rotation SET returned_on = $1 WHERE id = $2 AND returned_on IS NULL AND start_day <= $1",
                )
                .bind(day)
                .bind(id),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict("该交流记录已登记返回、不存在或返回日期早于出发日期".into()));
        }
        Ok(())
    }
}
