//! The log of what 学区 and 教育集团 do together. Every reader of schools reads the activities of the
//! groups with a member in scope; the bureau logs any group's, a member school's administrator
//! those the school holds.

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource, Role, Scope};
use eduq_core::group_activity::{Activity, ActivityKind};
use serde::Serialize;

use crate::org::scope_filter;
use crate::{Result, Sql, Store, StoreError, Tx};

/// An activity as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityRow {
    pub id: i64,
    pub group_id: i64,
    pub activity: Activity,
    pub host_name: String,
    pub to_name: Option<String>,
    pub evidence_name: Option<String>,
    pub username: String,
    pub at: DateTime<Utc>,
}

/// Who logs a group's activity held by `host`: the bureau, or the host school's administrator.
fn may_log(actor: &Actor, host: i64) -> bool {
    actor.role.keeps_rubrics() || (actor.role == Role::SchoolAdmin && actor.scope == Scope::School(host))
}

/// The groups with a member in the caller's scope, as a condition on `col`.
fn groups_in_scope(q: &mut Sql, actor: &Actor, col: &str) {
    q.push(&format!(" AND {col} IN (SELECT m.group_id FROM school_group_member m WHERE 1=1"));
    scope_filter(q, actor, "m.school_id", None, None);
    q.push(")");
}

impl Store {
    /// The activities of the groups in scope (optionally one group), newest first.
    pub async fn group_activities(&self, actor: &Actor, group_id: Option<i64>) -> Result<Vec<ActivityRow>> {
        if !actor.role.may_read(Resource::Schools) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT a.id, a.group_id, a.kind, a.held_on, a.title, a.host_school_id, h.name, a.to_school_id, t.name, \
             a.participants, a.evidence_name, a.username, a.at FROM group_activity a \
             JOIN school h ON h.id = a.host_school_id LEFT JOIN school t ON t.id = a.to_school_id WHERE 1=1",
        );
        if let Some(g) = group_id {
            q.push_arg(" AND a.group_id = ?", g);
        }
        groups_in_scope(&mut q, actor, "a.group_id");
        q.push(" ORDER BY a.held_on DESC, a.id DESC");
        self.fetch(&q, |r| {
            Ok(ActivityRow {
                id: r.i(0)?,
                group_id: r.i(1)?,
                activity: Activity {
                    kind: ActivityKind::from_key(&r.s(2)?).unwrap_or(ActivityKind::Other),
                    held_on: r.d(3)?,
                    title: r.s(4)?,
                    host_school_id: r.i(5)?,
                    to_school_id: r.oi(7)?,
                    participants: u32::try_from(r.i(9)?).unwrap_or(0),
                },
                host_name: r.s(6)?,
                to_name: r.os(8)?,
                evidence_name: r.os(10)?,
                username: r.s(11)?,
                at: r.ts(12)?,
            })
        })
        .await
    }

    /// An activity's evidence file (name, bytes), for a reader of its group.
    pub async fn group_activity_evidence(&self, actor: &Actor, id: i64) -> Result<(String, Vec<u8>)> {
        if !actor.role.may_read(Resource::Schools) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new("SELECT evidence_name, evidence FROM group_activity a WHERE evidence IS NOT NULL");
        q.push_arg(" AND a.id = ?", id);
        groups_in_scope(&mut q, actor, "a.group_id");
        self.fetch(&q, |r| Ok((r.s(0)?, r.bytes(1)?))).await?.pop().ok_or(StoreError::NotFound)
    }
}

impl Tx {
    /// The member schools of a group (all of them: the check is on the group, not the caller).
    pub async fn group_member_ids(&mut self, group_id: i64) -> Result<Vec<i64>> {
        let q =
            Sql::new("SELECT school_id FROM school_group_member WHERE group_id = $1 ORDER BY school_id").bind(group_id);
        self.fetch(&q, |r| r.i(0)).await
    }

    /// Logs an activity (checked by the caller against the members), audited.
    pub async fn add_group_activity(
        &mut self,
        actor: &Actor,
        district_id: i64,
        group_id: i64,
        a: &Activity,
        evidence: Option<(&str, &[u8])>,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        if !may_log(actor, a.host_school_id) {
            return Err(StoreError::Forbidden);
        }
        let (columns, values) = match evidence {
            Some(_) => (", evidence_name, evidence", ", $11, $12"),
            None => ("", ""),
        };
        let mut q = Sql::new(format!(
            "INSERT INTO group_activity (district_id, group_id, kind, held_on, title, host_school_id, to_school_id, \
             participants, username, at{columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10{values}) RETURNING id"
        ))
        .bind(district_id)
        .bind(group_id)
        .bind(a.kind.key())
        .bind(a.held_on)
        .bind(a.title.as_str())
        .bind(a.host_school_id)
        .bind(a.to_school_id)
        .bind(i64::from(a.participants))
        .bind(actor.username.as_str())
        .bind(at);
        if let Some((name, bytes)) = evidence {
            q = q.bind(name).bind(crate::sql::Arg::Bytes(bytes.to_vec()));
        }
        let id = self.scalar(&q).await?;
        self.audit(
            actor,
            at,
            "group_activity_add",
            &format!("group:{group_id}"),
            &format!("{} {}", a.held_on, a.title),
        )
        .await?;
        Ok(id)
    }

    /// Removes an activity: the bureau, or the host school's administrator.
    pub async fn remove_group_activity(&mut self, actor: &Actor, id: i64, at: DateTime<Utc>) -> Result<()> {
        let host = self
            .fetch(&Sql::new("SELECT host_school_id FROM group_activity WHERE id = $1").bind(id), |r| r.i(0))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        if !may_log(actor, host) {
            return Err(StoreError::Forbidden);
        }
        self.exec(&Sql::new("DELETE FROM group_activity WHERE id = $1").bind(id)).await?;
        self.audit(actor, at, "group_activity_remove", &format!("group_activity:{id}"), "").await
    }
}
