//! 集团化办学 and 学区: each group's running (紧密型, 松散型, 托管, 教研共同体), its core school and its
//! urban–rural pairs (结对); the indicators roll up to the groups and set each beside its core school.

use eduq_core::access::Actor;
use eduq_core::org::GroupMode;
use eduq_store::Store;

use crate::AppError;

pub use eduq_store::org::GroupRow;

/// The groups with a member in the caller's scope.
pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<GroupRow>, AppError> {
    Ok(store.groups(actor).await?)
}

/// Sets a group's running and core school (as typed: empty for none).
pub async fn set(store: &Store, actor: &Actor, group_id: i64, mode: &str, core: &str) -> Result<(), AppError> {
    let mode = match mode.trim() {
        "" => None,
        raw => Some(GroupMode::parse(raw).map_err(|e| AppError::Invalid(e.to_string()))?),
    };
    let core = match core.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| AppError::Invalid("核心校无效".into()))?),
    };
    let mut tx = store.begin().await?;
    tx.set_group(actor, group_id, mode, core).await?;
    tx.commit().await?;
    Ok(())
}

/// Pairs an urban member with a rural member of a group.
pub async fn pair(store: &Store, actor: &Actor, group_id: i64, urban: i64, rural: i64) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.add_group_pair(actor, group_id, urban, rural).await?;
    tx.commit().await?;
    Ok(())
}
