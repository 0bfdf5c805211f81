//! 政府保障程度 of the district for a term: the items eduq computes from its records, and the figures
//! and attestations the bureau enters (each with its source document) for the rest.

use std::collections::HashMap;

use eduq_core::access::Actor;
use eduq_core::calendar::Term;
use eduq_core::guarantee::{GuaranteeSchool, ItemResult, Migrants, Reported, SpecialRooms, all_met, evaluate_items};
use eduq_core::org::SchoolType;
use eduq_core::standards::government_guarantee::{Check, Item, input_checks};
use eduq_store::indicators::{DistrictInput, SchoolFacts};
use eduq_store::{Store, StoreError};
use serde::Serialize;

use crate::AppError;
use crate::district_inputs::{Supplied, save_supplied};

/// The key of item 9's figure (5年360学时培训完成率).
pub const TRAINING_360: &str = "guarantee.training_360";
/// The keys of item 11's figures (交流轮岗教师比例, 其中骨干教师比例).
pub const ROTATION_SHARE: &str = "guarantee.rotation_share";
pub const ROTATION_BACKBONE_SHARE: &str = "guarantee.rotation_backbone_share";
/// The key of 第八条 item 1's figure (初中三年巩固率).
pub const JUNIOR_CONSOLIDATION: &str = "quality.junior_consolidation";
/// 第八条 item 7, judged from the timetables once every school has uploaded its own.
pub const CURRICULUM: &str = "quality.curriculum";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuaranteeReport {
    pub term: String,
    pub school_year: String,
    pub items: Vec<ItemResult>,
    pub all_met: bool,
    /// The stored figure or attestation behind each input check, by key.
    pub inputs: HashMap<&'static str, DistrictInput>,
}

/// The type of a school with a 义务教育 part; `None` for kindergartens, senior and special schools.
pub fn compulsory_type(f: &SchoolFacts) -> Option<SchoolType> {
    f.school_type.filter(|t| t.is_regular_compulsory())
}

/// The 义务教育 part of a school's facts (see `compulsory_type`).
pub fn guarantee_school(f: &SchoolFacts) -> Option<GuaranteeSchool> {
    let t = compulsory_type(f)?;
    Some(GuaranteeSchool {
        code: f.code.clone(),
        name: f.name.clone(),
        school_type: t,
        pupils: f.primary_pupils + f.junior_pupils,
        classes: f.compulsory_classes,
        oversize_classes: f.oversize_compulsory_classes,
        rooms: f.has_conditions.then_some(SpecialRooms {
            music: f.music_rooms,
            music_area: f.music_area,
            art: f.art_rooms,
            art_area: f.art_area,
        }),
        full_time: f.full_time,
        certified: f.certified,
    })
}

/// The two parts judged item by item: 政府保障程度 (第七条) and 教育质量 (第八条).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Guarantee,
    Quality,
}

impl Part {
    pub fn items(self) -> &'static [Item] {
        match self {
            Part::Guarantee => &eduq_core::standards::government_guarantee::ITEMS,
            Part::Quality => &eduq_core::standards::education_quality::ITEMS,
        }
    }
    /// Also the path under `/balance/`.
    pub fn key(self) -> &'static str {
        match self {
            Part::Guarantee => "guarantee",
            Part::Quality => "quality",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Part::Guarantee => "政府保障程度",
            Part::Quality => "教育质量",
        }
    }
    /// The text the part's items and thresholds come from.
    pub fn source(self) -> &'static str {
        match self {
            Part::Guarantee => eduq_core::standards::government_guarantee::PROVENANCE.source,
            Part::Quality => eduq_core::standards::education_quality::PROVENANCE.source,
        }
    }
    /// The part judged beside this one (the pages link to each other).
    pub fn other(self) -> Part {
        match self {
            Part::Guarantee => Part::Quality,
            Part::Quality => Part::Guarantee,
        }
    }
}

/// 政府保障程度 of the district. Memoised per reader until the next write.
pub async fn evaluate_district(store: &Store, actor: &Actor, term: Term) -> Result<GuaranteeReport, AppError> {
    evaluate_part(store, actor, term, Part::Guarantee).await
}

/// A part of the assessment judged item by item. Memoised per reader until the next write.
pub async fn evaluate_part(store: &Store, actor: &Actor, term: Term, part: Part) -> Result<GuaranteeReport, AppError> {
    if !actor.role.reads_indicators() {
        return Err(AppError::Forbidden);
    }
    let key = format!("{}|{}|{}", part.key(), eduq_store::reader_key(actor), term.key());
    store.memoised(&key, read_evaluate_part(store, actor, term, part)).await
}

async fn read_evaluate_part(store: &Store, actor: &Actor, term: Term, part: Part) -> Result<GuaranteeReport, AppError> {
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    let facts = store.school_facts(actor, term_id, term.start_year).await?;
    let schools: Vec<GuaranteeSchool> = facts.iter().filter_map(guarantee_school).collect();
    let migrants = match store.migrant_counts(actor, term_id).await {
        Ok((all, in_public_places)) => Some(Migrants { all, in_public_places }),
        Err(StoreError::Forbidden) => None,
        Err(e) => return Err(e.into()),
    };
    let inputs: HashMap<&'static str, DistrictInput> = held(store, actor, term.start_year).await?;
    let mut reported: HashMap<String, Reported> =
        inputs.iter().map(|(k, i)| (k.to_string(), Reported { value: i.value, source: i.source.clone() })).collect();
    // Where the platform keeps the records behind a figure (the last cycle's training hours, the
    // year's rotations), they replace the entered figure, which is then no longer asked for.
    let mut computed: Vec<(&str, Reported)> = Vec::new();
    if let Some(r) = crate::training::completed_cycle_rate(store, actor, term).await? {
        computed.push((TRAINING_360, Reported { value: r.rate, source: r.source() }));
    }
    if let Some(t) = crate::rotation::year_tally(store, actor, term).await? {
        let source = format!(
            "eduq交流轮岗记录：{}学年符合条件{}人，交流{}人（其中骨干教师{}人）",
            term.school_year(),
            t.qualifying,
            t.sent,
            t.backbone
        );
        if let Some(v) = t.share() {
            computed.push((ROTATION_SHARE, Reported { value: v, source: source.clone() }));
        }
        if let Some(v) = t.backbone_share() {
            computed.push((ROTATION_BACKBONE_SHARE, Reported { value: v, source }));
        }
    }
    if part == Part::Quality
        && let Some(eduq_core::flows::JuniorCohort { first, last, county: c, .. }) =
            junior_three_year(store, actor, term).await?
        && let Some(rate) = c.rate()
    {
        let source = format!(
            "eduq学籍记录：{}入学初一的学生（加转入{}人、减转出{}人，共{}人）中，{}仍在读或已毕业{}人",
            first.label(),
            c.transfers_in,
            c.transfers_out,
            c.base(),
            last.label(),
            c.retained
        );
        computed.push((JUNIOR_CONSOLIDATION, Reported { value: rate, source }));
    }
    if part == Part::Quality {
        let r = crate::timetables::report(store, actor, term, None).await?;
        if let Some(share) = r.share().filter(|_| r.missing().is_empty()) {
            let source = format!(
                "eduq课表核对：{}所学校均已上传{}课表，{}个班级中{}个开齐开足（{:.1}%）",
                r.lines.len(),
                term.label(),
                r.classes,
                r.complete,
                share
            );
            computed.push((CURRICULUM, Reported { value: if r.complete == r.classes { 1.0 } else { 0.0 }, source }));
        }
    }
    for (key, r) in &computed {
        reported.insert(key.to_string(), r.clone());
    }
    let mut items = evaluate_items(part.items(), &schools, migrants, &reported);
    for c in items.iter_mut().flat_map(|i| i.checks.iter_mut()) {
        if computed.iter().any(|(k, _)| c.input_key == Some(*k)) {
            c.input_key = None;
        }
    }
    Ok(GuaranteeReport { term: term.label(), school_year: term.school_year(), all_met: all_met(&items), items, inputs })
}

/// The figures and attestations stored for the school year, by their check's key.
async fn held(store: &Store, actor: &Actor, start_year: i32) -> Result<HashMap<&'static str, DistrictInput>, AppError> {
    let stored = store.district_inputs(actor, start_year).await?;
    Ok(input_checks()
        .filter_map(|(_, c)| {
            let key = c.input_key()?;
            Some((key, DistrictInput::find(&stored, start_year, key)?.clone()))
        })
        .collect())
}

/// Stores a figure (a number ≥ 0) or an attestation (是/否) for the school year, with the document
/// it comes from. District staff only (the store checks).
pub async fn save_input(
    store: &Store,
    actor: &Actor,
    start_year: i32,
    key: &str,
    value: &str,
    source: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let (_, check) = input_checks()
        .find(|(_, c)| c.input_key() == Some(key))
        .ok_or_else(|| AppError::Invalid(format!("未知的填报项“{key}”")))?;
    let label = check.label();
    let raw = value.trim();
    let v = match check {
        Check::Attested { .. } => match raw {
            "是" | "1" => 1.0,
            "否" | "0" => 0.0,
            _ => return Err(AppError::Invalid(format!("「{label}」应填“是”或“否”，而不是“{value}”"))),
        },
        _ => raw
            .replace([',', '，', '%', '％'], "")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| AppError::Invalid(format!("「{label}」的值“{value}”应为不小于0的数")))?,
    };
    let hint = "依据（文件名称、文号或统计报表）";
    save_supplied(store, actor, Supplied { start_year, key, label, value: v, source, hint }, now).await
}

/// A part's items as a workbook for an assessment visit: one row per check, with its requirement,
/// value, verdict, the schools that fall short and the document behind each entered figure.
/// The columns of a part's table, item by item and check by check.
pub const ITEM_HEADERS: [&str; 8] = ["序号", "指标", "判定", "检查项", "要求", "现值", "结果", "说明与依据"];

/// A part's rows: one per check, under its item.
pub fn item_rows(r: &GuaranteeReport) -> Vec<Vec<eduq_exchange::table::Cell>> {
    use eduq_exchange::table::Cell;
    let text = |s: &str| Cell::Text(s.to_string());
    r.items
        .iter()
        .flat_map(|item| {
            item.checks.iter().map(move |c| {
                vec![
                    Cell::Number(f64::from(item.no)),
                    text(item.text),
                    text(item.verdict.label()),
                    text(c.label),
                    text(&c.requirement),
                    text(&c.value),
                    text(c.verdict.label()),
                    text(&c.details.join("；")),
                ]
            })
        })
        .collect()
}

/// The part's title line: what it is and how many items it meets.
pub fn part_title(r: &GuaranteeReport, part: Part) -> String {
    let met = r.items.iter().filter(|i| i.verdict == eduq_core::guarantee::Verdict::Met).count();
    format!("义务教育优质均衡 {}（{}学年）：{}项中{met}项达到", part.name(), r.school_year, r.items.len())
}

pub fn workbook(r: &GuaranteeReport, part: Part) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Sheet, write_workbook};
    let rows = item_rows(r);
    Ok(write_workbook(&[Sheet {
        name: part.name(),
        title: vec![part_title(r, part)],
        headers: &ITEM_HEADERS,
        rows: &rows,
    }])?)
}

/// 初中三年巩固率 from the 学籍 history held up to the term (see
/// [`eduq_core::flows::junior_three_year`]); `None` when the history is shorter than the cohort's
/// three school years or the caller may not read the rolls.
async fn junior_three_year(
    store: &Store,
    actor: &Actor,
    term: Term,
) -> Result<Option<eduq_core::flows::JuniorCohort>, AppError> {
    let rows = match store.flow_rows(actor).await {
        Ok(rows) => rows,
        Err(StoreError::Forbidden) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let held: Vec<Term> = store.terms().await?.into_iter().map(|(_, t)| t).filter(|t| *t <= term).collect();
    Ok(eduq_core::flows::junior_three_year(&rows, &held))
}
