//! 《县域义务教育优质均衡发展督导评估办法》(教督〔2017〕6号) 第八条: the nine items of 教育质量.
//! Items are judged by the checks of 第七条 (`government_guarantee::Check`): figures the bureau
//! reports with their least (or greatest) value, facts it attests with their documents, and, where
//! eduq keeps the records, the figure computed from them.

use super::Provenance;
use super::government_guarantee::{Check, Item};

pub const PROVENANCE: Provenance = Provenance {
    source: "教育部《县域义务教育优质均衡发展督导评估办法》教督〔2017〕6号 第八条（教育质量9项）",
    clause: "全县初中三年巩固率达到95%以上；全县残疾儿童少年入学率达到95%以上；所有学校制定章程，实现学校管理与教学信息化；所有学校按照不低于学校年度公用经费预算总额的5%安排教师培训经费，教师能熟练运用信息化手段组织教学，设施设备利用率达到较高水平；所有学校德育工作、校园文化建设水平达到良好以上；课程开齐开足，教学秩序规范，综合实践活动有效开展；无过重课业负担；在国家义务教育质量监测中，相关科目学生学业水平达到Ⅲ级以上，且校际差异率低于0.15",
    confidence: "[V] 巩固率与残疾儿童少年入学率95%及九项的内容（fudaoke.com/exam/3242393.html 摘要；河北省具体办法 m.zixin.com.cn/doc/2278587.html 转引国家标准）；[M] 各项原文措辞，待对照教育部原文",
};

/// 初中三年巩固率 and 残疾儿童少年入学率, per cent ("达到95%以上": 95 itself meets it).
pub const CONSOLIDATION_MIN: f64 = 95.0;
pub const DISABLED_ENROLMENT_MIN: f64 = 95.0;
/// Training funds as a share of the school's 公用经费 budget, per cent.
pub const TRAINING_FUNDS_MIN: f64 = 5.0;
/// 校际差异率 of the national monitoring ("低于0.15": 0.15 itself does not meet it).
pub const MONITORING_GAP_BELOW: f64 = 0.15;

pub const ITEMS: [Item; 9] = [
    Item {
        no: 1,
        text: "全县初中三年巩固率达到95%以上",
        checks: &[Check::Figure {
            key: "quality.junior_consolidation",
            label: "初中三年巩固率",
            unit: "%",
            at_least: CONSOLIDATION_MIN,
        }],
    },
    Item {
        no: 2,
        text: "全县残疾儿童少年入学率达到95%以上",
        checks: &[Check::Figure {
            key: "quality.disabled_enrolment",
            label: "残疾儿童少年入学率（入学人数÷适龄残疾儿童少年数，适龄人数由教育局依残联数据填报）",
            unit: "%",
            at_least: DISABLED_ENROLMENT_MIN,
        }],
    },
    Item {
        no: 3,
        text: "所有学校制定章程，实现学校管理与教学信息化",
        checks: &[
            Check::Attested { key: "quality.charters", label: "所有学校制定章程" },
            Check::Attested { key: "quality.informatised", label: "学校管理与教学信息化" },
        ],
    },
    Item {
        no: 4,
        text: "所有学校按照不低于学校年度公用经费预算总额的5%安排教师培训经费；教师5年360学时培训完成率达到100%",
        checks: &[
            Check::Figure {
                key: "quality.training_funds_share",
                label: "教师培训经费占公用经费预算总额的比例（各校中最低者）",
                unit: "%",
                at_least: TRAINING_FUNDS_MIN,
            },
            // The same figure as 第七条 item 9, entered (or computed from the training ledger) once.
            Check::Figure {
                key: "guarantee.training_360", label: "5年360学时培训完成率", unit: "%", at_least: 100.0
            },
        ],
    },
    Item {
        no: 5,
        text: "教师能熟练运用信息化手段组织教学，设施设备利用率达到较高水平",
        checks: &[Check::Attested { key: "quality.ict_teaching", label: "信息化教学与设施设备利用" }],
    },
    Item {
        no: 6,
        text: "所有学校德育工作、校园文化建设水平达到良好以上",
        checks: &[Check::Attested {
            key: "quality.moral_culture", label: "德育工作与校园文化建设良好以上"
        }],
    },
    Item {
        no: 7,
        text: "课程开齐开足，教学秩序规范，综合实践活动有效开展",
        checks: &[Check::Attested {
            key: "quality.curriculum", label: "课程开齐开足、综合实践活动有效开展"
        }],
    },
    Item {
        no: 8,
        text: "无过重课业负担",
        checks: &[Check::Attested { key: "quality.no_overload", label: "无过重课业负担" }],
    },
    Item {
        no: 9,
        text: "在国家义务教育质量监测中，相关科目学生学业水平达到Ⅲ级以上，且校际差异率低于0.15",
        checks: &[
            Check::Attested {
                key: "quality.monitoring_level", label: "相关科目学生学业水平达到Ⅲ级以上"
            },
            Check::FigureBelow {
                key: "quality.monitoring_gap",
                label: "国家质量监测校际差异率",
                unit: "",
                below: MONITORING_GAP_BELOW,
            },
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::super::government_guarantee;
    use super::*;

    #[test]
    fn nine_items_in_order_with_their_own_keys_or_the_shared_training_figure() {
        assert!(ITEMS.iter().enumerate().all(|(i, it)| it.no as usize == i + 1 && !it.checks.is_empty()));
        let keys: Vec<&str> = ITEMS.iter().flat_map(|i| i.checks).filter_map(Check::input_key).collect();
        let unique: std::collections::BTreeSet<_> = keys.iter().collect();
        assert_eq!(keys.len(), unique.len());
        let shared: Vec<&&str> = keys.iter().filter(|k| !k.starts_with("quality.")).collect();
        assert_eq!(shared, [&"guarantee.training_360"]);
        let theirs =
            government_guarantee::ITEMS.iter().flat_map(|i| i.checks).find(|c| c.input_key() == Some(shared[0]));
        let ours = ITEMS.iter().flat_map(|i| i.checks).find(|c| c.input_key() == Some(shared[0]));
        assert_eq!(theirs, ours, "a shared figure means the same in both parts");
    }
}
