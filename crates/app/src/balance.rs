//! 优质均衡 evaluation of the district from its recorded facts, with a what-if on one school.

use std::collections::{HashMap, HashSet};

use eduq_core::access::Actor;
use eduq_core::balance::{
    BalanceStage, BasicEvaluation, BasicInput, Evaluation, SchoolInput, evaluate, evaluate_basic,
};
use eduq_core::calendar::Term;
use eduq_core::org::SchoolType;
use eduq_store::Store;
use eduq_store::indicators::SchoolFacts;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Teaching points below this many pupils are left out of the evaluation (the 河北 实施细则's wording
/// "不足50人的教学点"; provinces differ, so it is a setting of the evaluation, not of the standard).
pub const MIN_TEACHING_POINT_PUPILS: i64 = 50;

/// Changes to one school's inputs: added numerators (in `INDICATORS` order) and added pupils.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WhatIf {
    pub school: String,
    pub add: [f64; 7],
    pub pupils: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalanceReport {
    pub term: String,
    pub evaluation: Evaluation,
    /// The 2012 基本均衡 综合差异系数 over the same schools (before any what-if).
    pub basic: BasicEvaluation,
    /// Schools left out, and why.
    pub excluded: Vec<String>,
    /// 捆绑评价 in force: “村小并入中心校”.
    pub bundled: Vec<String>,
    /// Data to fix before the numbers are trusted.
    pub quality: Vec<String>,
}

/// The 基本均衡 inputs of one stage, split like `stage_input`.
pub fn basic_input(f: &SchoolFacts, stage: BalanceStage) -> Option<BasicInput> {
    let (pupils, degree) = match stage {
        BalanceStage::Primary => (f.primary_pupils, f.associate_plus),
        BalanceStage::Junior => (f.junior_pupils, f.bachelor_plus),
    };
    if pupils == 0 {
        return None;
    }
    let share = pupils as f64 / (f.primary_pupils + f.junior_pupils) as f64;
    let n = [
        f.teaching_area,
        f.sports_area,
        f.equipment_value,
        f.student_computers as f64,
        f.books,
        f.full_time as f64,
        degree as f64,
        f.mid_title as f64,
    ];
    Some(BasicInput { students: pupils as f64, numerators: n.map(|v| v * share) })
}

/// The inputs of one stage from a school's facts. A 九年一贯制 school's teachers and rooms are split
/// between the stages by their pupils, since the records do not say which stage they serve.
pub fn stage_input(f: &SchoolFacts, stage: BalanceStage) -> Option<SchoolInput> {
    let pupils = match stage {
        BalanceStage::Primary => f.primary_pupils,
        BalanceStage::Junior => f.junior_pupils,
    };
    if pupils == 0 {
        return None;
    }
    let share = pupils as f64 / (f.primary_pupils + f.junior_pupils) as f64;
    let degree = match stage {
        BalanceStage::Primary => f.associate_plus,
        BalanceStage::Junior => f.bachelor_plus,
    };
    let n = [
        degree as f64,
        f.backbone as f64,
        f.pe_art as f64,
        f.teaching_area,
        f.sports_area,
        f.equipment_value,
        f.multimedia_rooms as f64,
    ];
    Some(SchoolInput {
        code: f.code.clone(),
        name: f.name.clone(),
        students: pupils as f64,
        numerators: n.map(|v| v * share),
    })
}

/// The schools a stage is assessed over: their 优质均衡 and 基本均衡 inputs, the schools left out
/// and why, and the data to fix before the numbers are trusted.
#[derive(Debug, Clone, Default)]
pub struct StageInputs {
    pub quality: Vec<SchoolInput>,
    pub basic: Vec<BasicInput>,
    pub excluded: Vec<String>,
    pub warnings: Vec<String>,
    /// 捆绑评价: “村小并入中心校”, each evaluated as one school with its 中心校.
    pub bundled: Vec<String>,
}

/// Special schools take no part; teaching points under the minimum are left out.
pub fn stage_inputs(
    facts: &[SchoolFacts],
    stage: BalanceStage,
    school_year: &str,
    bundles: &[(i64, i64)],
) -> StageInputs {
    let mut out = StageInputs::default();
    let center_of: HashMap<i64, i64> = bundles.iter().copied().collect();
    // 捆绑评价: a bundled school's inputs go to its 中心校 (where the 中心校 has the stage).
    let with_stage: HashSet<i64> = facts.iter().filter(|f| stage_input(f, stage).is_some()).map(|f| f.id).collect();
    let mut folded: HashMap<i64, Vec<&SchoolFacts>> = HashMap::new();
    let mut folded_ids: HashSet<i64> = HashSet::new();
    for f in facts {
        if let Some(c) = center_of.get(&f.id).filter(|c| with_stage.contains(c)) {
            folded.entry(*c).or_default().push(f);
            folded_ids.insert(f.id);
        }
    }
    for f in facts {
        if f.school_type == Some(SchoolType::Special) || folded_ids.contains(&f.id) {
            continue;
        }
        let Some(mut input) = stage_input(f, stage) else { continue };
        let mut basic = basic_input(f, stage);
        for b in folded.get(&f.id).into_iter().flatten() {
            if let Some(extra) = stage_input(b, stage) {
                input.students += extra.students;
                input.numerators.iter_mut().zip(extra.numerators).for_each(|(n, x)| *n += x);
                out.bundled.push(format!("{}并入{}", b.name, f.name));
            }
            if let (Some(into), Some(extra)) = (basic.as_mut(), basic_input(b, stage)) {
                into.students += extra.students;
                into.numerators.iter_mut().zip(extra.numerators).for_each(|(n, x)| *n += x);
            }
        }
        if f.school_type == Some(SchoolType::TeachingPoint) && input.students < MIN_TEACHING_POINT_PUPILS as f64 {
            out.excluded.push(format!("{}：教学点不足{}人", f.name, MIN_TEACHING_POINT_PUPILS));
            continue;
        }
        if !f.has_conditions {
            out.warnings
                .push(format!("{}：缺少{school_year}学年的办学条件数据，用房、场馆、设备与多媒体教室按0计", f.name));
        }
        if f.teachers_without_subject > 0 {
            out.warnings
                .push(format!("{}：{}名教师未填任教学科，体育艺术教师数可能偏低", f.name, f.teachers_without_subject));
        }
        out.basic.extend(basic);
        out.quality.push(input);
    }
    out
}

/// Both evaluations of a stage over the schools of `facts`, as the plans' 差异系数 read them.
pub fn evaluate_stage(
    facts: &[SchoolFacts],
    stage: BalanceStage,
    bundles: &[(i64, i64)],
) -> (Evaluation, BasicEvaluation) {
    let inputs = stage_inputs(facts, stage, "", bundles);
    (evaluate(stage, &inputs.quality), evaluate_basic(stage, &inputs.basic))
}

pub async fn evaluate_district(
    store: &Store,
    actor: &Actor,
    term: Term,
    stage: BalanceStage,
    what_if: Option<&WhatIf>,
) -> Result<BalanceReport, AppError> {
    if !actor.role.reads_indicators() {
        return Err(AppError::Forbidden);
    }
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    let facts = store.school_facts(actor, term_id, term.start_year).await?;
    let bundles = store.bundles(actor).await?;
    let StageInputs { mut quality, basic, excluded, warnings, bundled } =
        stage_inputs(&facts, stage, &term.school_year(), &bundles);
    if let Some(w) = what_if
        && let Some(input) = quality.iter_mut().find(|i| i.code == w.school)
    {
        input.students += w.pupils;
        if input.students < 1.0 {
            return Err(AppError::Invalid("调整后学生数必须至少为1".into()));
        }
        for (n, a) in input.numerators.iter_mut().zip(w.add) {
            *n = (*n + a).max(0.0);
        }
    }
    Ok(BalanceReport {
        term: term.label(),
        evaluation: evaluate(stage, &quality),
        basic: evaluate_basic(stage, &basic),
        excluded,
        quality: warnings,
        bundled,
    })
}

/// The board as a workbook for an assessment visit: the county's coefficients (优质均衡 and
/// 基本均衡) and every school's seven values with its met count and pass state.
/// The county's coefficients, one row per indicator.
pub const COUNTY_HEADERS: [&str; 7] = ["指标", "要求", "县域值", "差异系数", "上限", "结论", "未达要求学校数"];

pub fn county_rows(r: &BalanceReport) -> Vec<Vec<eduq_exchange::table::Cell>> {
    use eduq_exchange::table::Cell;
    let num = |v: Option<f64>| v.map_or(Cell::Text(String::new()), Cell::Number);
    r.evaluation
        .indicators
        .iter()
        .map(|i| {
            vec![
                Cell::Text(i.name.to_string()),
                Cell::Number(i.threshold),
                Cell::Number(i.county_value),
                num(i.cv),
                Cell::Number(i.cv_limit),
                Cell::Text(if i.cv_pass { "达标" } else { "超出" }.to_string()),
                Cell::Number(i.schools_below as f64),
            ]
        })
        .collect()
}

/// Every school's seven values with its met count and pass state: (headers, rows).
pub fn school_rows(r: &BalanceReport) -> (Vec<&'static str>, Vec<Vec<eduq_exchange::table::Cell>>) {
    use eduq_core::standards::quality_balance::INDICATORS;
    use eduq_exchange::table::Cell;
    let mut headers: Vec<&str> = vec!["学校标识码", "学校名称", "在校生数"];
    headers.extend(INDICATORS.iter().map(|i| i.name));
    headers.extend(["达标项数", "结论", "未达要求的指标"]);
    let rows = r
        .evaluation
        .schools
        .iter()
        .map(|s| {
            let mut row = vec![Cell::Text(s.code.clone()), Cell::Text(s.name.clone()), Cell::Number(s.students)];
            row.extend(INDICATORS.iter().map(|i| Cell::Number(s.values[i.key])));
            row.push(Cell::Number(s.met as f64));
            row.push(Cell::Text(if s.pass { "达标" } else { "未达标" }.to_string()));
            row.push(Cell::Text(s.shortfalls.join("；")));
            row
        })
        .collect();
    (headers, rows)
}

pub fn report_workbook(r: &BalanceReport, stage: BalanceStage) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let num = |v: Option<f64>| v.map_or(Cell::Text(String::new()), Cell::Number);
    let county = county_rows(r);
    let (headers, schools) = school_rows(r);
    let basic: Vec<Vec<Cell>> = r
        .basic
        .indicators
        .iter()
        .map(|i| vec![Cell::Text(i.name.to_string()), Cell::Number(i.county_value), num(i.cv)])
        .chain(std::iter::once(vec![
            Cell::Text(format!("综合差异系数（上限{}）", r.basic.limit)),
            Cell::Text(String::new()),
            num(r.basic.composite),
        ]))
        .collect();
    let title = vec![format!("{}义务教育优质均衡 资源配置（{}）", stage.label(), r.term)];
    Ok(write_workbook(&[
        Sheet { name: "县域差异系数", title: title.clone(), headers: &COUNTY_HEADERS, rows: &county },
        Sheet { name: "学校", title, headers: &headers, rows: &schools },
        Sheet { name: "基本均衡", title: vec![], headers: &["指标", "县域值", "差异系数"], rows: &basic },
    ])?)
}
