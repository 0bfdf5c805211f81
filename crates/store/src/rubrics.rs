//! 督导 rubrics, versioned: each (key, version) is stored once with its provenance and the SHA-256
//! of its content, and never changed in place.

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::rubric::Rubric;
use serde::Serialize;

use crate::{Result, Sql, Store, StoreError, Tx};

/// A stored rubric as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RubricRow {
    pub id: i64,
    pub key: String,
    pub version: String,
    pub name: String,
    pub source: String,
    pub sha256: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const COLS: &str = "id, key, version, name, source, sha256, created_by, created_at";

fn row(r: &dyn crate::Get) -> std::result::Result<RubricRow, sqlx::Error> {
    Ok(RubricRow {
        id: r.i(0)?,
        key: r.s(1)?,
        version: r.s(2)?,
        name: r.s(3)?,
        source: r.s(4)?,
        sha256: r.s(5)?,
        created_by: r.s(6)?,
        created_at: r.ts(7)?,
    })
}

impl Store {
    /// Every rubric version of the district, newest first (whoever reads 督导 reads them: a school
    /// assesses itself on them, an inspector scores on them).
    pub async fn rubrics(&self, actor: &Actor) -> Result<Vec<RubricRow>> {
        if !actor.role.may_read(Resource::Supervision) {
            return Err(StoreError::Forbidden);
        }
        let (district_id, _) = self.district().await?;
        let q = Sql::new(format!("SELECT {COLS} FROM rubric WHERE district_id = $1 ORDER BY key, id DESC"))
            .bind(district_id);
        self.fetch(&q, row).await
    }

    /// One version by key and version, if stored.
    pub async fn rubric_version(&self, actor: &Actor, key: &str, version: &str) -> Result<Option<RubricRow>> {
        if !actor.role.may_read(Resource::Supervision) {
            return Err(StoreError::Forbidden);
        }
        let (district_id, _) = self.district().await?;
        let q = Sql::new(format!("SELECT {COLS} FROM rubric WHERE district_id = $1 AND key = $2 AND version = $3"))
            .bind(district_id)
            .bind(key)
            .bind(version);
        self.fetch_opt(&q, row).await
    }

    /// A rubric's content.
    pub async fn rubric(&self, actor: &Actor, id: i64) -> Result<Rubric> {
        if !actor.role.may_read(Resource::Supervision) {
            return Err(StoreError::Forbidden);
        }
        let body = self
            .fetch_opt(
                &Sql::new("SELECT body FROM rubric WHERE district_id = $1 AND id = $2")
                    .bind(self.district().await?.0)
                    .bind(id),
                |r| r.s(0),
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        serde_json::from_str(&body).map_err(|e| StoreError::Invalid(format!("指标体系内容无法读取：{e}")))
    }
}

impl Tx {
    /// Stores a new version (the bureau only); `body` is the rubric as JSON, `sha256` its digest.
    pub async fn insert_rubric(
        &mut self,
        actor: &Actor,
        district_id: i64,
        rubric: &Rubric,
        sha256: &str,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        let body = serde_json::to_string(rubric).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let q = Sql::new(
            "INSERT INTO rubric (district_id, key, version, name, source, body, sha256, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(district_id)
        .bind(rubric.key.as_str())
        .bind(rubric.version.as_str())
        .bind(rubric.name.as_str())
        .bind(rubric.source.as_str())
        .bind(body)
        .bind(sha256)
        .bind(actor.username.as_str())
        .bind(at);
        self.scalar(&q).await
    }
}
