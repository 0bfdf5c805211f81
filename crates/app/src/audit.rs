//! The audit log as the administrator reads it.

use eduq_core::access::Actor;
use eduq_store::Store;

pub use eduq_store::audit::{AUDIT_COUNTED, AuditEntry, AuditQuery};

use crate::AppError;

/// One page of the audit log matching the query, with the total (administrators only: the store
/// checks).
pub async fn search(store: &Store, actor: &Actor, q: &AuditQuery) -> Result<(Vec<AuditEntry>, i64), AppError> {
    Ok(store.search_audit(actor, q).await?)
}
