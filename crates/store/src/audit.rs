//! The audit log: every write, every login and every read of special-group fields.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{Actor, Arg, Result, Sql, Store, StoreError, Tx};

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub username: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

fn insert(actor: &Actor, at: DateTime<Utc>, action: &str, target: &str, detail: &str) -> Sql {
    let mut q = Sql::new(
        "INSERT INTO audit_log (at, user_id, username, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    );
    q.args = audit_row(actor, at, action, target, detail);
    q
}

/// Search filters of the audit page.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub username: Option<String>,
    pub action: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub page: i64,
    pub per_page: i64,
}

/// The audit log's page counts rows up to this many; beyond, it says "more than" (filter to narrow).
pub const AUDIT_COUNTED: i64 = 10_000;

impl Store {
    pub async fn audit(
        &self,
        actor: &Actor,
        at: DateTime<Utc>,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<()> {
        self.exec_bookkeeping(&insert(actor, at, action, target, detail)).await.map(|_| ())
    }

    /// Audit rows, newest first. Administrators only.
    pub async fn search_audit(&self, actor: &Actor, q: &AuditQuery) -> Result<(Vec<AuditEntry>, i64)> {
        if !actor.role.may_read(eduq_core::access::Resource::Audit) {
            return Err(StoreError::Forbidden);
        }
        let mut w = Sql::new(" FROM audit_log WHERE 1=1");
        if let Some(u) = q.username.as_deref().filter(|s| !s.is_empty()) {
            w.push_arg(" AND username = ?", u);
        }
        if let Some(a) = q.action.as_deref().filter(|s| !s.is_empty()) {
            w.push_arg(" AND action = ?", a);
        }
        if let Some(d) = q.from {
            w.push_arg(" AND at >= ?", d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
        }
        if let Some(d) = q.to.and_then(|d| d.succ_opt()) {
            w.push_arg(" AND at < ?", d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
        }
        let per = q.per_page.clamp(1, 500);
        self.paged(w, "id, at, username, action, target, detail", "id DESC", q.page, per, Some(AUDIT_COUNTED), |r| {
            Ok(AuditEntry {
                id: r.i(0)?,
                at: r.ts(1)?,
                username: r.s(2)?,
                action: r.s(3)?,
                target: r.s(4)?,
                detail: r.s(5)?,
            })
        })
        .await
    }
}

/// One audit entry as a row for a multi-row insert into `audit_log (at, user_id, username,
/// action, target, detail)`.
pub(crate) fn audit_row(actor: &Actor, at: DateTime<Utc>, action: &str, target: &str, detail: &str) -> Vec<Arg> {
    vec![
        Arg::Ts(at),
        Arg::OI((actor.user_id > 0).then_some(actor.user_id)),
        Arg::T(actor.username.clone()),
        Arg::T(action.into()),
        Arg::T(target.into()),
        Arg::T(detail.into()),
    ]
}

impl Tx {
    pub async fn audit(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<()> {
        self.exec(&insert(actor, at, action, target, detail)).await.map(|_| ())
    }
}
