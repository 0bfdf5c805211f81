//! 班额 (class size): the standard size per stage, and the 大班额 / 超大班额 bands that the
//! national campaign to eliminate oversized classes counts.

use super::Provenance;
use crate::grade::{Grade, Stage};

pub const PROVENANCE: Provenance = Provenance {
    source: "标准班额：《县域义务教育优质均衡发展督导评估办法》(教督〔2017〕6号) 小学、初中所有班级学生数分别不超过45人、50人；普通高中50人见安徽省中小学办学行为规范（芜湖市政府公开件）。大班额/超大班额：教育部《关于做好消除义务教育阶段大班额工作的通知》(2018)",
    clause: "小学45、初中50、普通高中50；大班额56–65人，超大班额66人及以上；幼儿园小班25、中班30、大班35人（《幼儿园工作规程》2016 第十一条）",
    confidence: "[V] 45/50 (优质均衡, 省级规范); [M] 高中50 is provincial; 56/66 from memory of the 2018 notice; [M] 幼儿园 25/30/35",
};

/// Most pupils a class of the grade may have.
pub fn standard_max(grade: Grade) -> u32 {
    match (grade.number(), grade.stage()) {
        (-2, _) => 25,
        (-1, _) => 30,
        (_, Stage::Preschool) => 35,
        (_, Stage::Primary) => 45,
        _ => 50,
    }
}

/// Smallest 大班额 and 超大班额 class.
pub const LARGE_FROM: u32 = 56;
pub const EXTRA_LARGE_FROM: u32 = 66;

crate::labelled_enum!(
    /// Where a class's size falls.
    SizeBand, "班额类别" {
        Standard => "standard", "达标";
        AboveStandard => "above_standard", "超标准班额";
        Large => "large", "大班额";
        ExtraLarge => "extra_large", "超大班额";
    }
);

/// 大班额 and 超大班额 are counted for 中小学 only; a kindergarten class is either within its
/// standard or above it.
pub fn band(grade: Grade, pupils: u32) -> SizeBand {
    let school_age = grade.stage() != Stage::Preschool;
    if school_age && pupils >= EXTRA_LARGE_FROM {
        SizeBand::ExtraLarge
    } else if school_age && pupils >= LARGE_FROM {
        SizeBand::Large
    } else if pupils > standard_max(grade) {
        SizeBand::AboveStandard
    } else {
        SizeBand::Standard
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(n: i8) -> Grade {
        Grade::new(n).expect("grade")
    }

    #[test]
    fn boundaries() {
        for (grade, max) in [(-2, 25), (-1, 30), (0, 35), (1, 45), (6, 45), (7, 50), (9, 50), (10, 50), (12, 50)] {
            assert_eq!(band(g(grade), max), SizeBand::Standard, "{grade}");
            assert_eq!(band(g(grade), max + 1), SizeBand::AboveStandard, "{grade}");
        }
        assert_eq!(band(g(3), 55), SizeBand::AboveStandard);
        assert_eq!(band(g(3), 56), SizeBand::Large);
        assert_eq!(band(g(8), 65), SizeBand::Large);
        assert_eq!(band(g(8), 66), SizeBand::ExtraLarge);
        assert_eq!(band(g(0), 70), SizeBand::AboveStandard);
    }
}
