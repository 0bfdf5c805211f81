//! The register of designations and honours of schools and their people. The bureau registers;
//! every reader of schools reads those of the schools in scope.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::honour::{Honour, HonourKind, HonourLevel};
use serde::Serialize;

use crate::org::scope_filter;
use crate::{Result, Sql, Store, StoreError, Tx};

/// An entry of the register as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HonourRow {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub honour: Honour,
    /// The evidence file's name, if one was attached.
    pub evidence_name: Option<String>,
    pub username: String,
    pub at: DateTime<Utc>,
}

fn honour_of(kind: &str, level: &str, title: String, person: String, year: i64, until: Option<NaiveDate>) -> Honour {
    Honour {
        kind: HonourKind::from_key(kind).unwrap_or(HonourKind::ModelSchool),
        level: HonourLevel::from_key(level).unwrap_or(HonourLevel::County),
        title,
        person,
        year: i32::try_from(year).unwrap_or(0),
        valid_until: until,
    }
}

impl Store {
    /// The register for the schools in scope (optionally one), newest first.
    pub async fn honours(&self, actor: &Actor, school_id: Option<i64>) -> Result<Vec<HonourRow>> {
        if !actor.role.may_read(Resource::Schools) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT h.id, h.school_id, s.name, h.kind, h.level, h.title, h.person, h.year, h.valid_until, \
             h.evidence_name, h.username, h.at FROM school_honour h JOIN school s ON s.id = h.school_id WHERE 1=1",
        );
        if let Some(id) = school_id {
            q.push_arg(" AND h.school_id = ?", id);
        }
        scope_filter(&mut q, actor, "h.school_id", None, None);
        q.push(" ORDER BY h.year DESC, s.code, h.id");
        self.fetch(&q, |r| {
            Ok(HonourRow {
                id: r.i(0)?,
                school_id: r.i(1)?,
                school_name: r.s(2)?,
                honour: honour_of(&r.s(3)?, &r.s(4)?, r.s(5)?, r.s(6)?, r.i(7)?, r.od(8)?),
                evidence_name: r.os(9)?,
                username: r.s(10)?,
                at: r.ts(11)?,
            })
        })
        .await
    }

    /// The schools' own designations held on `day`, per school (the indicator facts).
    pub async fn designations_held(&self, actor: &Actor, day: NaiveDate) -> Result<Vec<(i64, HonourKind)>> {
        if !actor.role.may_read(Resource::Schools) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new("SELECT school_id, kind, level, year, valid_until FROM school_honour WHERE person = ''");
        scope_filter(&mut q, actor, "school_id", None, None);
        let rows = self
            .fetch(&q, |r| {
                Ok((r.i(0)?, honour_of(&r.s(1)?, &r.s(2)?, String::new(), String::new(), r.i(3)?, r.od(4)?)))
            })
            .await?;
        Ok(rows.into_iter().filter(|(_, h)| h.of_school() && h.held_on(day)).map(|(s, h)| (s, h.kind)).collect())
    }

    /// An entry's evidence file (name, bytes), for a reader of its school.
    pub async fn honour_evidence(&self, actor: &Actor, id: i64) -> Result<(String, Vec<u8>)> {
        if !actor.role.may_read(Resource::Schools) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new("SELECT evidence_name, evidence FROM school_honour WHERE evidence IS NOT NULL");
        q.push_arg(" AND id = ?", id);
        scope_filter(&mut q, actor, "school_id", None, None);
        self.fetch(&q, |r| Ok((r.s(0)?, r.bytes(1)?))).await?.pop().ok_or(StoreError::NotFound)
    }
}

impl Tx {
    /// Registers an entry (the bureau); the same title for the same school, person and year twice
    /// is refused.
    pub async fn add_honour(
        &mut self,
        actor: &Actor,
        district_id: i64,
        school_id: i64,
        h: &Honour,
        evidence: Option<(&str, &[u8])>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(
                &Sql::new(
                    "SELECT COUNT(*) FROM school_honour WHERE school_id = $1 AND title = $2 AND person = $3 AND year = $4",
                )
                .bind(school_id)
                .bind(h.title.as_str())
                .bind(h.person.as_str())
                .bind(i64::from(h.year)),
            )
            .await?;
        if held > 0 {
            return Err(StoreError::Conflict(format!("已登记{}年的“{}”", h.year, h.title)));
        }
        let (columns, values) = match evidence {
            Some(_) => (", evidence_name, evidence", ", $11, $12"),
            None => ("", ""),
        };
        let mut q = Sql::new(format!(
            "INSERT INTO school_honour (district_id, school_id, kind, level, title, person, year, valid_until, \
             username, at{columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10{values})"
        ))
        .bind(district_id)
        .bind(school_id)
        .bind(h.kind.key())
        .bind(h.level.key())
        .bind(h.title.as_str())
        .bind(h.person.as_str())
        .bind(i64::from(h.year))
        .bind(h.valid_until)
        .bind(actor.username.as_str())
        .bind(at);
        if let Some((name, bytes)) = evidence {
            q = q.bind(name).bind(crate::sql::Arg::Bytes(bytes.to_vec()));
        }
        self.exec(&q).await?;
        self.audit(actor, at, "honour_add", &format!("school:{school_id}"), &format!("{} {}", h.year, h.title)).await
    }

    /// Removes an entry (the bureau), audited.
    pub async fn remove_honour(&mut self, actor: &Actor, id: i64, at: DateTime<Utc>) -> Result<()> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        let gone = self.exec(&Sql::new("DELETE FROM school_honour WHERE id = $1").bind(id)).await?;
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(actor, at, "honour_remove", &format!("honour:{id}"), "").await
    }
}
