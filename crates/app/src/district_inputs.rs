//! Figures the bureau supplies for a school year (population, budgets, attestations), each with
//! the document it comes from; the indicators and 政府保障程度 read them.

use eduq_core::access::Actor;
use eduq_core::indicators::{DISTRICT_INPUTS, Fact};
use eduq_store::Store;
use eduq_store::indicators::DistrictInput;

use crate::AppError;

/// The district's inputs of a school year, each with its label, value and source (empty if not
/// yet supplied).
pub async fn inputs(
    store: &Store,
    actor: &Actor,
    start_year: i32,
) -> Result<Vec<(Fact, &'static str, Option<DistrictInput>)>, AppError> {
    if !actor.role.reads_indicators() {
        return Err(AppError::Forbidden);
    }
    let held = store.district_inputs(actor, start_year).await?;
    Ok(DISTRICT_INPUTS
        .iter()
        .filter_map(|f| f.district_input().map(|(k, label)| (*f, k, label)))
        .map(|(f, k, label)| (f, label, DistrictInput::find(&held, start_year, k).cloned()))
        .collect())
}

/// Sets a district input from the form: a positive number and where it comes from.
pub async fn save_input(
    store: &Store,
    actor: &Actor,
    start_year: i32,
    key: &str,
    value: &str,
    source: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let (fact, label) = DISTRICT_INPUTS
        .iter()
        .filter_map(|f| f.district_input().map(|(k, label)| (*f, k, label)))
        .find(|(_, k, _)| *k == key)
        .map(|(f, _, label)| (f, label))
        .ok_or_else(|| AppError::Invalid(format!("未知的填报项“{key}”")))?;
    // A population must be positive; a count of pupils may be 0.
    let (least_ok, want) = if fact.may_be_zero() { (0.0, "不小于0的数") } else { (f64::MIN_POSITIVE, "正数") };
    let v = value.trim().replace([',', '，'], "");
    let v = v
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= least_ok)
        .ok_or_else(|| AppError::Invalid(format!("「{label}」的值“{value}”应为{want}")))?;
    let hint = "数据来源（如：县统计局2025年人口变动抽样调查）";
    save_supplied(store, actor, Supplied { start_year, key, label, value: v, source, hint }, now).await
}

/// A checked value the bureau supplies, with where it comes from (`hint` says what to cite).
pub(crate) struct Supplied<'a> {
    pub start_year: i32,
    pub key: &'a str,
    pub label: &'a str,
    pub value: f64,
    pub source: &'a str,
    pub hint: &'a str,
}

/// Stores a supplied value once its source is given (district staff only: the store checks).
pub(crate) async fn save_supplied(
    store: &Store,
    actor: &Actor,
    s: Supplied<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    if s.source.trim().is_empty() {
        return Err(AppError::Invalid(format!("请填写「{}」的{}", s.label, s.hint)));
    }
    let input = DistrictInput {
        start_year: s.start_year,
        key: s.key.to_string(),
        value: s.value,
        source: s.source.trim().to_string(),
        updated_by: actor.username.clone(),
    };
    Ok(store.save_district_input(actor, &input, now).await?)
}
