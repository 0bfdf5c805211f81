//! Import (upload → preview → apply) and export of the kinds schools exchange.
//!
//! Preview runs the real apply inside a transaction and rolls it back, so the counts it shows
//! are exactly what applying will do.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource, Scope, may_write_person};
use eduq_core::calendar::Term;
use eduq_core::org::validate_school_code;
use eduq_exchange::kinds::{Batch, Kind, SPECIAL_GROUP_HEADERS, export_columns, parse};
use eduq_exchange::{ExchangeError, RowError};
use eduq_store::Store;
pub use eduq_store::imports::Counts;
use eduq_store::imports::PersonKey;
use serde::Serialize;

use crate::AppError;

/// What importing a file of records that are only ever added (problems, training records, plans)
/// did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub added: usize,
    /// Rows already held (the same file again, or an export imported back).
    pub unchanged: usize,
}

/// Upload limit; larger files are refused before parsing.
pub const MAX_UPLOAD_BYTES: usize = 40 * 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub kind: Kind,
    pub rows: usize,
    pub counts: Counts,
    pub file_hash: String,
    pub applied: bool,
    pub warnings: Vec<String>,
}

/// Whether the caller may import files of `kind` (the import centre offers only these).
pub fn may_import(actor: &Actor, kind: Kind) -> bool {
    let r = match kind {
        Kind::Schools => Resource::Schools,
        Kind::Classes => Resource::Classes,
        Kind::Students => Resource::Students,
        Kind::Teachers => Resource::Teachers,
        Kind::Conditions => Resource::Conditions,
    };
    actor.role.may_write(r) && (kind != Kind::Schools || actor.scope == Scope::District)
}

/// A file that passed every check, with what the reader wants the person to know.
#[derive(Debug, Clone)]
pub struct Validated {
    pub batch: Batch,
    /// Cells read other than as written (formulas read by value).
    pub warnings: Vec<String>,
}

/// Parses and validates a file completely: format, every row, school codes known and in scope,
/// and no person of another school.
pub async fn validate(
    store: &Store,
    actor: &Actor,
    kind: Kind,
    bytes: &[u8],
    file_name: &str,
) -> Result<Validated, AppError> {
    if !may_import(actor, kind) {
        return Err(AppError::Forbidden);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ExchangeError::TooLarge { size: bytes.len(), limit: MAX_UPLOAD_BYTES }.into());
    }
    let table = crate::parsing::read_upload(actor.user_id, bytes, file_name).await?;
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
        Ok(batch) if errors.is_empty() => {
            let errors = people_of_other_schools(store, actor, &table, &batch).await?;
            if errors.is_empty() {
                let mut batch = batch;
                keep_absent_columns(store, actor, &table, &mut batch).await?;
                Ok(Validated { batch, warnings: table.warnings })
            } else {
                Err(AppError::Rows(errors))
            }
        }
        Ok(_) => Err(AppError::Rows(errors)),
        Err(ExchangeError::Rows(mut row_errors)) => {
            row_errors.append(&mut errors);
            row_errors.sort_by_key(|e| e.row);
            Err(AppError::Rows(row_errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// Optional columns a students file leaves out keep what is stored: a school's own list without
/// the special-group columns must not set every pupil's flags to 否, nor one without 学籍状态 turn a
/// 转出 back into 在读. A column that is present but empty still clears the value.
async fn keep_absent_columns(
    store: &Store,
    actor: &Actor,
    table: &eduq_exchange::Table,
    batch: &mut Batch,
) -> Result<(), AppError> {
    let Batch::Students(recs) = batch else { return Ok(()) };
    let absent = |h: &str| table.column(h).is_none();
    let flags_absent: Vec<usize> =
        (0..SPECIAL_GROUP_HEADERS.len()).filter(|i| absent(SPECIAL_GROUP_HEADERS[*i])).collect();
    let master = absent("民族") || absent("身份证号") || !flags_absent.is_empty();
    let enrolment = absent("学籍状态") || absent("状态日期") || absent("转往学校");
    if master {
        let numbers: Vec<String> = recs.iter().map(|r| r.student_no.clone()).collect();
        let stored = store.student_masters(actor, &numbers).await?;
        for r in recs.iter_mut() {
            let Some((ethnicity, id_card, flags)) = stored.get(&r.student_no) else { continue };
            if absent("民族") {
                r.ethnicity.clone_from(ethnicity);
            }
            if absent("身份证号") {
                r.id_card.clone_from(id_card);
            }
            let (mut mine, theirs) = (r.flags.as_array(), flags.as_array());
            for i in &flags_absent {
                mine[*i] = theirs[*i];
            }
            r.flags = eduq_core::student::SpecialFlags::from_array(mine);
        }
    }
    if enrolment {
        let terms: std::collections::BTreeSet<Term> = recs.iter().map(|r| r.term).collect();
        for term in terms {
            let numbers: Vec<String> = recs.iter().filter(|r| r.term == term).map(|r| r.student_no.clone()).collect();
            let stored: HashMap<String, eduq_core::records::StudentRecord> = store
                .students_by_number(actor, term, &numbers)
                .await?
                .into_iter()
                .map(|r| (r.student_no.clone(), r))
                .collect();
            for r in recs.iter_mut().filter(|r| r.term == term) {
                let Some(old) = stored.get(&r.student_no) else { continue };
                if absent("学籍状态") {
                    r.status = old.status;
                }
                if absent("状态日期") {
                    r.status_date = old.status_date;
                }
                if absent("转往学校") {
                    r.destination.clone_from(&old.destination);
                }
            }
        }
    }
    Ok(())
}

/// Rows naming a pupil or teacher recorded at a school outside the caller's scope: an import
/// never renames another school's pupil or moves them (a move is a 转学 with both sides recorded).
async fn people_of_other_schools(
    store: &Store,
    actor: &Actor,
    table: &eduq_exchange::Table,
    batch: &Batch,
) -> Result<Vec<RowError>, AppError> {
    if actor.scope == Scope::District {
        return Ok(Vec::new());
    }
    // One record per data row, in file order (parse reports any row it could not read).
    let (key_kind, column, message, people): (_, _, _, Vec<(&str, Term)>) = match batch {
        Batch::Students(v) => (
            PersonKey::Student,
            "全国学籍号",
            "该学生属于其他学校，请通过转学办理",
            v.iter().map(|r| (r.student_no.as_str(), r.term)).collect(),
        ),
        Batch::Teachers(v) => (
            PersonKey::Teacher,
            "工号",
            "该教师属于其他学校，请由教育局办理调动（交流轮岗）",
            v.iter().map(|r| (r.staff_no.as_str(), r.term)).collect(),
        ),
        _ => return Ok(Vec::new()),
    };
    let keys: Vec<&str> = people.iter().map(|(k, _)| *k).collect();
    let held = store.system().holdings(key_kind, &keys).await?;
    let mut errors = Vec::new();
    for ((key, term), (row, _)) in people.iter().zip(&table.rows) {
        let holdings = held.get(*key).map(Vec::as_slice).unwrap_or(&[]);
        let term = (i64::from(term.start_year), i64::from(term.term_no));
        if may_write_person(&actor.scope, holdings, term).is_err() {
            errors.push(RowError {
                row: *row,
                column: column.to_string(),
                value: key.to_string(),
                message: message.to_string(),
            });
        }
    }
    Ok(errors)
}

pub fn file_hash(bytes: &[u8]) -> String {
    eduq_core::digest::sha256_hex(bytes)
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
    if counts.inserted + counts.updated > 0 {
        store.refresh_statistics().await?;
    }
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
    let Validated { batch, warnings } = validate(store, actor, kind, bytes, file_name).await?;
    let hash = file_hash(bytes);
    let counts = apply_batch(store, actor, &batch, file_name, &hash, dry_run, now).await?;
    Ok(Outcome { kind, rows: batch.len(), counts, file_hash: hash, applied: !dry_run, warnings })
}

/// The import template of `kind`, its notes showing one synthetic record of the kind as the
/// example (the same values an export would write, so the example imports as it reads).
pub fn template(kind: Kind) -> Result<Vec<u8>, AppError> {
    eduq_exchange::kinds::template(kind, Some(&example(kind))).map_err(AppError::from)
}

/// One synthetic record of `kind`: the first of a small seeded district, generated once.
fn example(kind: Kind) -> Batch {
    static DISTRICT: std::sync::OnceLock<eduq_synth::District> = std::sync::OnceLock::new();
    let d = DISTRICT.get_or_init(|| {
        let current = Term { start_year: 2026, term_no: 1 };
        eduq_synth::generate(&eduq_synth::Spec { seed: 7, students: 200, current, years: 1 })
    });
    match kind {
        Kind::Schools => Batch::Schools(d.schools.iter().take(1).cloned().collect()),
        Kind::Classes => Batch::Classes(d.classes.iter().take(1).cloned().collect()),
        Kind::Students => Batch::Students(d.students.iter().take(1).cloned().collect()),
        Kind::Teachers => Batch::Teachers(d.teachers.iter().take(1).cloned().collect()),
        Kind::Conditions => Batch::Conditions(d.conditions.iter().take(1).cloned().collect()),
    }
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
    let detail = match kind {
        Kind::Students => format!(
            "{}{}",
            if actor.role.reads_full_identity() {
                "含完整学籍号和身份证号"
            } else {
                "学籍号和身份证号已遮蔽"
            },
            if actor.role.reads_special_groups() { "，含特殊群体标识" } else { "" }
        ),
        _ => String::new(),
    };
    store
        .audit(actor, now, "export", &format!("{}:{}", kind.key(), term.key()), &format!("{}行 {detail}", batch.len()))
        .await?;
    let omit: &[&str] = if actor.role.reads_special_groups() { &[] } else { &SPECIAL_GROUP_HEADERS };
    Ok(export_columns(&batch, csv, omit)?)
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

pub use eduq_store::imports::ImportEntry;

/// The latest imports the caller may see, newest first.
pub async fn history(store: &Store, actor: &Actor) -> Result<Vec<ImportEntry>, AppError> {
    Ok(store.list_imports(actor, 50).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eduq_exchange::kinds::to_rows;
    use eduq_exchange::table::{read_table, write_csv};

    /// Each template's sheet to fill reads as no rows under the kind's headers, and its example
    /// (the notes sheet) is a record that imports as written.
    #[test]
    fn templates_import_empty_and_their_examples_import() {
        for kind in Kind::ALL {
            let bytes = template(*kind).expect("template");
            let table = read_table(&bytes, "模板.xlsx").expect("read");
            assert_eq!(table.headers, kind.headers(), "{kind:?}");
            assert!(table.rows.is_empty(), "{kind:?}: nothing to import in a fresh template");
            let one = example(*kind);
            let csv = write_csv(kind.headers(), &to_rows(&one));
            let back = parse(*kind, &read_table(&csv, "示例.csv").expect("csv")).expect("the example imports");
            assert_eq!(back, one, "{kind:?}");
        }
    }
}
