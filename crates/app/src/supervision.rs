//! 督导: rubrics loaded from the bureau's files and versioned (the first part of #17; inspections
//! and the 整改 loop build on them).

use chrono::{DateTime, Utc};
use eduq_core::access::Actor;
use eduq_core::rubric::Rubric;
use eduq_store::Store;

pub use eduq_store::rubrics::RubricRow;

use crate::AppError;

/// What names a rubric version and where it comes from (the form beside the file).
#[derive(Debug, Clone, Default)]
pub struct RubricMeta {
    pub key: String,
    pub name: String,
    pub version: String,
    /// The document it comes from (title, 文号, date): required, a rubric without provenance is
    /// not an official measure.
    pub source: String,
}

/// What loading a rubric file did.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRubric {
    pub id: i64,
    pub items: usize,
    /// The same key, version and content were already stored: nothing changed.
    pub unchanged: bool,
}

/// Loads a rubric file as a new version: every row checked (errors name row, column and value),
/// then the rubric as a whole ([`Rubric::check`]); the same file again changes nothing, and a
/// version already stored with other content is refused (versions are never changed in place).
pub async fn load_rubric(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    meta: &RubricMeta,
    now: DateTime<Utc>,
) -> Result<LoadedRubric, AppError> {
    if !actor.role.keeps_rubrics() {
        return Err(AppError::Forbidden);
    }
    for (label, v) in [("编号", &meta.key), ("名称", &meta.name), ("版本", &meta.version), ("来源文件", &meta.source)]
    {
        if v.trim().is_empty() {
            return Err(AppError::Invalid(format!("请填写指标体系的{label}")));
        }
        eduq_core::text::check_field(label, v.trim(), eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    }
    let table = crate::parsing::read_upload(actor.user_id, bytes, file_name).await?;
    let items = eduq_exchange::rubric::read_rubric_items(&table)?;
    let rubric = Rubric {
        key: meta.key.trim().to_string(),
        name: meta.name.trim().to_string(),
        version: meta.version.trim().to_string(),
        source: meta.source.trim().to_string(),
        items,
        bands: Rubric::default_bands(),
        grades: Rubric::default_grades(),
    };
    let problems = rubric.check();
    if !problems.is_empty() {
        return Err(AppError::Invalid(format!("指标体系有误，未保存：{}", problems.join("；"))));
    }
    let body = serde_json::to_vec(&rubric).map_err(|e| AppError::Invalid(e.to_string()))?;
    let sha = eduq_core::digest::sha256_hex(&body);
    if let Some(held) = store.rubric_version(actor, &rubric.key, &rubric.version).await? {
        return if held.sha256 == sha {
            Ok(LoadedRubric { id: held.id, items: rubric.items.len(), unchanged: true })
        } else {
            Err(AppError::Invalid(format!(
                "“{}”的版本“{}”已存在且内容不同；修订请使用新的版本号",
                rubric.key, rubric.version
            )))
        };
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    let id = tx.insert_rubric(actor, district_id, &rubric, &sha, now).await?;
    tx.audit(
        actor,
        now,
        "rubric_load",
        &format!("rubric:{id}"),
        &format!(
            "{} {} 版本{}（{}项） sha256:{}",
            rubric.key,
            rubric.name,
            rubric.version,
            rubric.items.len(),
            &sha[..16]
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(LoadedRubric { id, items: rubric.items.len(), unchanged: false })
}

/// The stored rubric versions, newest first within each key.
pub async fn rubrics(store: &Store, actor: &Actor) -> Result<Vec<RubricRow>, AppError> {
    Ok(store.rubrics(actor).await?)
}

/// One stored rubric's content.
pub async fn rubric(store: &Store, actor: &Actor, id: i64) -> Result<Rubric, AppError> {
    Ok(store.rubric(actor, id).await?)
}
