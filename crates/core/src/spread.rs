//! The county's 校际差异系数 as indicators a plan can name (“差异系数小学≤0.50”): the seven of
//! 优质均衡 for each stage and the 基本均衡 综合差异系数. They are not sums over schools but the
//! spread between them, so they have a county value only, computed by `balance` over the same
//! schools as the 优质均衡 board, and no school value to drill into.

use crate::balance::BalanceStage;
use crate::indicators::{Direction, Fact, Indicator};
use crate::standards::{basic_balance, quality_balance};

/// Which coefficient of a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpreadOf {
    /// One of the seven 优质均衡 indicators (its index in `quality_balance::INDICATORS`).
    Quality(usize),
    /// The 基本均衡 综合差异系数 (the mean of the eight).
    BasicComposite,
}

/// A coefficient with the indicator metadata plans and pages show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub indicator: Indicator,
    pub stage: BalanceStage,
    pub of: SpreadOf,
}

const QUALITY_CALIBER: &str = "按在校生数加权的校际差异系数 CV = S ÷ X̄，X̄ = ΣPᵢXᵢ ÷ ΣPᵢ，S = √(ΣPᵢ(Xᵢ − X̄)² ÷ ΣPᵢ)；参评学校同优质均衡测算（不含特殊教育学校与不足50人的教学点，九年一贯制学校按学段学生数分摊）。仅对全区范围计算";
const BASIC_CALIBER: &str = "8项指标（生均教学及辅助用房面积、体育运动场馆面积、教学仪器设备值、每百名学生计算机台数、生均图书册数、师生比、高于规定学历教师数、中级及以上职务教师数）按在校生加权的校际差异系数的平均值。仅对全区范围计算";

/// A coefficient's indicator: unitless, at most its limit.
const fn coefficient(
    key: &'static str,
    name: &'static str,
    caliber: &'static str,
    source: &'static str,
    limit: f64,
) -> Indicator {
    Indicator {
        key,
        name,
        caliber,
        source,
        numerator: Fact::One,
        denominator: Fact::One,
        factor: 1.0,
        unit: "",
        direction: Direction::AtMost,
        target: Some(limit),
    }
}

const fn quality(stage: BalanceStage, i: usize, key: &'static str, name: &'static str) -> Spread {
    let limit = match stage {
        BalanceStage::Primary => quality_balance::CV_LIMIT_PRIMARY,
        BalanceStage::Junior => quality_balance::CV_LIMIT_JUNIOR,
    };
    let indicator = coefficient(key, name, QUALITY_CALIBER, quality_balance::PROVENANCE.source, limit);
    Spread { indicator, stage, of: SpreadOf::Quality(i) }
}

const fn basic(stage: BalanceStage, key: &'static str, name: &'static str) -> Spread {
    let limit = match stage {
        BalanceStage::Primary => basic_balance::LIMIT_PRIMARY,
        BalanceStage::Junior => basic_balance::LIMIT_JUNIOR,
    };
    let indicator = coefficient(key, name, BASIC_CALIBER, basic_balance::PROVENANCE.source, limit);
    Spread { indicator, stage, of: SpreadOf::BasicComposite }
}

use BalanceStage::{Junior, Primary};

/// Keys are `cv_<stage>_<the 优质均衡 indicator's key>`, names those of the 评估办法.
pub const SPREADS: &[Spread] = &[
    quality(
        Primary,
        0,
        "cv_primary_teachers_above_degree_per100",
        "小学校际差异系数：每百名学生拥有高于规定学历教师数",
    ),
    quality(Primary, 1, "cv_primary_backbone_teachers_per100", "小学校际差异系数：每百名学生拥有县级及以上骨干教师数"),
    quality(Primary, 2, "cv_primary_pe_art_teachers_per100", "小学校际差异系数：每百名学生拥有体育、艺术专任教师数"),
    quality(Primary, 3, "cv_primary_teaching_area_per_student", "小学校际差异系数：生均教学及辅助用房面积"),
    quality(Primary, 4, "cv_primary_sports_area_per_student", "小学校际差异系数：生均体育运动场馆面积"),
    quality(Primary, 5, "cv_primary_equipment_value_per_student", "小学校际差异系数：生均教学仪器设备值"),
    quality(Primary, 6, "cv_primary_multimedia_rooms_per100", "小学校际差异系数：每百名学生拥有网络多媒体教室数"),
    quality(Junior, 0, "cv_junior_teachers_above_degree_per100", "初中校际差异系数：每百名学生拥有高于规定学历教师数"),
    quality(Junior, 1, "cv_junior_backbone_teachers_per100", "初中校际差异系数：每百名学生拥有县级及以上骨干教师数"),
    quality(Junior, 2, "cv_junior_pe_art_teachers_per100", "初中校际差异系数：每百名学生拥有体育、艺术专任教师数"),
    quality(Junior, 3, "cv_junior_teaching_area_per_student", "初中校际差异系数：生均教学及辅助用房面积"),
    quality(Junior, 4, "cv_junior_sports_area_per_student", "初中校际差异系数：生均体育运动场馆面积"),
    quality(Junior, 5, "cv_junior_equipment_value_per_student", "初中校际差异系数：生均教学仪器设备值"),
    quality(Junior, 6, "cv_junior_multimedia_rooms_per100", "初中校际差异系数：每百名学生拥有网络多媒体教室数"),
    basic(Primary, "cv_basic_composite_primary", "小学综合差异系数（基本均衡）"),
    basic(Junior, "cv_basic_composite_junior", "初中综合差异系数（基本均衡）"),
];

/// The coefficient a key names.
pub fn spread(key: &str) -> Option<&'static Spread> {
    SPREADS.iter().find(|s| s.indicator.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each 优质均衡 coefficient names the indicator at its index, under its stage's limit, and the
    /// 基本均衡 ones carry the 2012 limits; keys are unique and distinct from the library's.
    #[test]
    fn spreads_match_the_standards() {
        for s in SPREADS {
            match s.of {
                SpreadOf::Quality(i) => {
                    let ind = &quality_balance::INDICATORS[i];
                    assert!(s.indicator.key.ends_with(ind.key), "{}", s.indicator.key);
                    assert!(s.indicator.key.contains(s.stage.key()));
                    let limit = if s.stage == Primary { 0.50 } else { 0.45 };
                    assert_eq!(s.indicator.target, Some(limit));
                }
                SpreadOf::BasicComposite => {
                    let limit = if s.stage == Primary { 0.65 } else { 0.55 };
                    assert_eq!(s.indicator.target, Some(limit));
                }
            }
            assert_eq!(s.indicator.direction, Direction::AtMost);
            assert_eq!(SPREADS.iter().filter(|x| x.indicator.key == s.indicator.key).count(), 1);
            assert!(crate::indicators::LIBRARY.iter().all(|l| l.key != s.indicator.key && l.name != s.indicator.name));
        }
        assert_eq!(SPREADS.len(), 16);
        assert_eq!(spread("cv_junior_multimedia_rooms_per100").map(|s| s.of), Some(SpreadOf::Quality(6)));
        // The limits are inclusive: 0.50 meets the 小学 line, 0.5001 does not.
        let s = spread("cv_primary_teaching_area_per_student").unwrap();
        assert!(s.indicator.direction.admits(0.50, 0.50));
        assert!(!s.indicator.direction.admits(0.5001, 0.50));
    }
}
