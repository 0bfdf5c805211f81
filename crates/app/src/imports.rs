//! Import (upload → preview → apply) and export of the kinds schools exchange.
//!
//! Preview runs the real apply inside a transaction and rolls it back, so the counts it shows
//! are exactly what applying will do.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource, Scope};
use eduq_core::calendar::Term;
use eduq_core::org::validate_school_code;
use eduq_exchange::kinds::{Batch, Kind, export, parse};
use eduq_exchange::{ExchangeError, RowError, read_table};
use eduq_store::Store;
use eduq_store::imports::Counts;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::AppError;

/// Upload limit; larger files are refused before parsing.
pub const MAX_UPLOAD_BYTES: usize = 40 * 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub kind: Kind,
    pub rows: usize,
    pub counts: Counts,
    pub file_hash: String,
    pub applied: bool,
}

fn may_import(actor: &Actor, kind: Kind) -> bool {
    let r = match kind {
        Kind::Schools => Resource::Schools,
        Kind::Classes => Resource::Classes,
        Kind::Students => Resource::Students,
        Kind::Teachers => Resource::Teachers,
        Kind::Conditions => Resource::Conditions,
    };
    actor.role.may_write(r) && (kind != Kind::Schools || actor.scope == Scope::District)
}

/// Parses and validates a file completely: format, every row, school codes known and in scope.
pub async fn validate(
    store: &Store,
    actor: &Actor,
    kind: Kind,
    bytes: &[u8],
    file_name: &str,
) -> Result<Batch, AppError> {
    if !may_import(actor, kind) {
        return Err(AppError::Forbidden);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ExchangeError::TooLarge { size: bytes.len(), limit: MAX_UPLOAD_BYTES }.into());
    }
    let table = read_table(bytes, file_name)?;
    // School codes are checked against the database on the raw cells, so that a file with both
    // malformed rows and unknown schools reports all of them at once.
    let known = store.school_ids_by_code().await?;
    let mut errors = Vec::new();
    if let Some(col) = table.column("学校标识码") {
        for (row, cells) in &table.rows {
            let code = cells.get(col).map(String::as_str).unwrap_or("").trim();
            if validate_school_code(code).is_err() {
                continue; // reported by the row validation
            }
            let fail = |message: &str| RowError {
                row: *row,
                column: "学校标识码".to_string(),
                value: code.to_string(),
                message: message.to_string(),
            };
            match known.get(code) {
                None if kind != Kind::Schools => errors.push(fail("不存在，请先导入学校或检查代码")),
                Some(id) if !actor.scope.covers_school(*id) => errors.push(fail("不在您的管理范围内")),
                _ => {}
            }
        }
    }
    match parse(kind, &table) {
        Ok(batch) if errors.is_empty() => Ok(batch),
        Ok(_) => Err(AppError::Rows(errors)),
        Err(ExchangeError::Rows(mut row_errors)) => {
            row_errors.append(&mut errors);
            row_errors.sort_by_key(|e| e.row);
            Err(AppError::Rows(row_errors))
        }
        Err(e) => Err(e.into()),
    }
}

pub fn file_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|x| format!("{x:02x}")).collect()
}

/// Applies a validated batch in one transaction; with `dry_run` the transaction is rolled back.
pub async fn apply_batch(
    store: &Store,
    actor: &Actor,
    batch: &Batch,
    file_name: &str,
    hash: &str,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<Counts, AppError> {
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    let counts = match batch {
        Batch::Schools(v) => tx.apply_schools(district_id, v).await?,
        Batch::Classes(v) => tx.apply_classes(district_id, v).await?,
        Batch::Students(v) => tx.apply_students(district_id, v).await?,
        Batch::Teachers(v) => tx.apply_teachers(district_id, v).await?,
        Batch::Conditions(v) => tx.apply_conditions(district_id, v).await?,
    };
    if dry_run {
        tx.rollback().await?;
        return Ok(counts);
    }
    let kind = batch.kind();
    tx.record_import(actor, now, kind.key(), file_name, hash, batch.len() as i64, counts).await?;
    tx.audit(
        actor,
        now,
        "import",
        &format!("{}:{file_name}", kind.key()),
        &format!(
            "{}行：新增{}，更新{}，未变{}（SHA-256 {}）",
            batch.len(),
            counts.inserted,
            counts.updated,
            counts.unchanged,
            &hash[..16.min(hash.len())]
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(counts)
}

/// Validates and applies (or previews) a file.
pub async fn import_file(
    store: &Store,
    actor: &Actor,
    kind: Kind,
    bytes: &[u8],
    file_name: &str,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    let batch = validate(store, actor, kind, bytes, file_name).await?;
    let hash = file_hash(bytes);
    let counts = apply_batch(store, actor, &batch, file_name, &hash, dry_run, now).await?;
    Ok(Outcome { kind, rows: batch.len(), counts, file_hash: hash, applied: !dry_run })
}

/// A list in the import layout (xlsx, or csv), in the caller's scope: people of `term`, classes
/// and conditions of its school year.
pub async fn export_kind(
    store: &Store,
    actor: &Actor,
    kind: Kind,
    term: Term,
    csv: bool,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, AppError> {
    let batch = match kind {
        Kind::Schools => Batch::Schools(store.export_schools(actor).await?),
        Kind::Classes => Batch::Classes(store.export_classes(actor, term.start_year).await?),
        Kind::Students => Batch::Students(store.export_students(actor, term).await?),
        Kind::Teachers => Batch::Teachers(store.export_teachers(actor, term).await?),
        Kind::Conditions => Batch::Conditions(store.export_conditions(actor, Some(term.start_year)).await?),
    };
    let detail = if kind == Kind::Students && actor.role.reads_special_groups() { "含特殊群体标识" } else { "" };
    store
        .audit(actor, now, "export", &format!("{}:{}", kind.key(), term.key()), &format!("{}行 {detail}", batch.len()))
        .await?;
    Ok(export(&batch, csv)?)
}

/// Per-kind counts of a district's records, for the CLI.
pub fn describe(counts: &HashMap<Kind, Counts>) -> String {
    let mut out = Vec::new();
    for k in Kind::ALL {
        if let Some(c) = counts.get(k) {
            out.push(format!("{}：新增{} 更新{} 未变{}", k.label(), c.inserted, c.updated, c.unchanged));
        }
    }
    out.join("；")
}
