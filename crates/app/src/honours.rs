//! The register of designations and honours (称号登记): the bureau records what a school, or
//! someone of it, was designated or honoured as, with the conferring document; the school shares
//! of the indicator library (智慧校园, 文明校园, 优质园) count the designations held.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::Actor;
use eduq_core::honour::{Honour, HonourKind, HonourLevel, check};
use eduq_store::Store;

use crate::AppError;

pub use eduq_store::honours::HonourRow;

/// An entry as the bureau's form sends it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct HonourForm {
    pub school_id: i64,
    pub kind: String,
    pub level: String,
    pub title: String,
    #[serde(default)]
    pub person: String,
    pub year: String,
    #[serde(default)]
    pub valid_until: String,
}

fn honour_of(f: &HonourForm, today: NaiveDate) -> Result<Honour, AppError> {
    let invalid = |e: eduq_core::CoreError| AppError::Invalid(e.to_string());
    let year = f
        .year
        .trim()
        .parse::<i32>()
        .map_err(|_| AppError::Invalid(format!("认定年份“{}”应为四位数字", f.year.trim())))?;
    let valid_until = match f.valid_until.trim() {
        "" => None,
        raw => Some(crate::form::date_field("有效期至", raw)?),
    };
    for (label, value) in [("称号全称", &f.title), ("获得者", &f.person)] {
        eduq_core::text::check_field(label, value, eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    }
    let h = Honour {
        kind: HonourKind::parse(&f.kind).map_err(invalid)?,
        level: HonourLevel::parse(&f.level).map_err(invalid)?,
        title: f.title.trim().to_string(),
        person: f.person.trim().to_string(),
        year,
        valid_until,
    };
    check(&h, today).map_err(AppError::Invalid)?;
    Ok(h)
}

/// Registers an entry with its document (a scan or photo: jpg, png, pdf, doc, docx, xlsx).
pub async fn add(
    store: &Store,
    actor: &Actor,
    f: &HonourForm,
    evidence: Option<(&str, &[u8])>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.keeps_rubrics() {
        return Err(AppError::Forbidden);
    }
    let h = honour_of(f, today)?;
    let evidence = crate::casework::optional_evidence(evidence)?;
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.add_honour(actor, district_id, f.school_id, &h, evidence.as_ref().map(|(n, b)| (n.as_str(), *b)), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an entry registered by mistake.
pub async fn remove(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.remove_honour(actor, id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The register for the caller's schools (or one), with the count of each kind held on `today`.
pub async fn register(
    store: &Store,
    actor: &Actor,
    school: Option<i64>,
    today: NaiveDate,
) -> Result<(Vec<HonourRow>, Vec<(HonourKind, usize)>), AppError> {
    let rows = store.honours(actor, school).await?;
    let counts = HonourKind::ALL
        .iter()
        .map(|k| (*k, rows.iter().filter(|r| r.honour.kind == *k && r.honour.held_on(today)).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    Ok((rows, counts))
}

/// An entry's document: (file name, content type, bytes).
pub async fn evidence(store: &Store, actor: &Actor, id: i64) -> Result<(String, String, Vec<u8>), AppError> {
    let (name, bytes) = store.honour_evidence(actor, id).await?;
    let kind = eduq_core::casework::evidence_type(&name).unwrap_or("application/octet-stream");
    Ok((name, kind.to_string(), bytes))
}
