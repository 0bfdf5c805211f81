//! 《县域义务教育优质均衡发展督导评估办法》(教督〔2017〕6号) 第七条: the 15 items of 政府保障程度,
//! all of which a county must meet. Each item is one or more checks: computed from eduq's records,
//! a figure the bureau reports (with the least value that meets it), or a fact the bureau attests
//! citing its document.

use super::Provenance;

pub const PROVENANCE: Provenance = Provenance {
    source: "教育部《县域义务教育优质均衡发展督导评估办法》教督〔2017〕6号 第七条（政府保障程度15项）",
    clause: "15项全部达到要求；音乐、美术专用教室每12个班级1间以上（音乐≥96平方米、美术≥90平方米）；规模小学初中≤2000人、九年一贯制十二年一贯制义务教育阶段≤2500人；班额小学≤45、初中≤50；特教生均公用经费≥6000元；360学时培训完成率100%；交流轮岗≥10%且骨干≥20%；教师资格证上岗率100%；就近入学城区100%、镇区95%；优质高中名额分配≥50%；随迁子女公办（含政府购买学位）就读≥85%",
    confidence: "[V] 第1–2项与随迁子女85%（公开转载）；[M] 其余各项的数值按通行引用，待对照原文",
};

/// A check computed from eduq's own records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// 音乐、美术专用教室: rooms per 12 classes and area per room.
    SpecialRooms,
    /// 学校规模 of the 义务教育 stage.
    SchoolSize,
    /// Every 小学 and 初中 class within its standard size (`class_size::standard_max`).
    ClassSize,
    /// Schools under 100 pupils (their 公用经费 is set as for 100): listed for the attested check.
    SmallSchools,
    /// 专任教师 holding a 教师资格证.
    Certified,
    /// 随迁子女 in 公办 schools or in 民办 schools where the government buys places, among all
    /// 随迁子女 of 义务教育 age on roll.
    MigrantPublic,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Check {
    Records {
        rule: Rule,
        label: &'static str,
    },
    /// A figure the bureau reports for the school year; met at `at_least` or more.
    Figure {
        key: &'static str,
        label: &'static str,
        unit: &'static str,
        at_least: f64,
    },
    /// A figure the bureau reports; met only strictly below `below` (“低于”).
    FigureBelow {
        key: &'static str,
        label: &'static str,
        unit: &'static str,
        below: f64,
    },
    /// 是/否 attested by the bureau with the document that shows it.
    Attested {
        key: &'static str,
        label: &'static str,
    },
}

impl Check {
    pub fn label(&self) -> &'static str {
        match self {
            Check::Records { label, .. }
            | Check::Figure { label, .. }
            | Check::FigureBelow { label, .. }
            | Check::Attested { label, .. } => label,
        }
    }

    /// The key under which a figure or an attestation is stored (`district_input.key`).
    pub fn input_key(&self) -> Option<&'static str> {
        match self {
            Check::Records { .. } => None,
            Check::Figure { key, .. } | Check::FigureBelow { key, .. } | Check::Attested { key, .. } => Some(key),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Item {
    pub no: u8,
    pub text: &'static str,
    pub checks: &'static [Check],
}

/// Classes per 音乐 (and per 美术) 专用教室.
pub const CLASSES_PER_ROOM: i64 = 12;
pub const MUSIC_ROOM_AREA: f64 = 96.0;
pub const ART_ROOM_AREA: f64 = 90.0;
/// Most 义务教育 pupils of a 小学 or 初中, and of a 九年一贯制 or 十二年一贯制 school.
pub const MAX_PUPILS: i64 = 2000;
pub const MAX_PUPILS_THROUGH: i64 = 2500;
/// Schools below this many pupils get 公用经费 as if they had this many.
pub const FUNDED_AS_PUPILS: i64 = 100;
/// 随迁子女 in 公办 schools (or places the government buys), per cent.
pub const MIGRANT_PUBLIC_SHARE: f64 = 85.0;

pub const ITEMS: [Item; 15] = [
    Item {
        no: 1,
        text: "县域内义务教育学校规划布局合理，符合国家规定要求",
        checks: &[Check::Attested { key: "guarantee.layout", label: "学校规划布局合理" }],
    },
    Item {
        no: 2,
        text: "城乡义务教育学校建设标准统一、教师编制标准统一、生均公用经费基准定额统一、基本装备配置标准统一",
        checks: &[Check::Attested { key: "guarantee.unified_standards", label: "城乡四统一" }],
    },
    Item {
        no: 3,
        text: "所有小学、初中每12个班级配备音乐、美术专用教室1间以上；其中，每间音乐专用教室面积不小于96平方米，每间美术专用教室面积不小于90平方米",
        checks: &[Check::Records { rule: Rule::SpecialRooms, label: "音乐、美术专用教室" }],
    },
    Item {
        no: 4,
        text: "所有小学、初中规模不超过2000人，九年一贯制学校、十二年一贯制学校义务教育阶段规模不超过2500人",
        checks: &[Check::Records { rule: Rule::SchoolSize, label: "学校规模" }],
    },
    Item {
        no: 5,
        text: "小学、初中所有班级学生数分别不超过45人、50人",
        checks: &[Check::Records { rule: Rule::ClassSize, label: "班额" }],
    },
    Item {
        no: 6,
        text: "不足100名学生的村小学和教学点按100名学生核定公用经费",
        checks: &[
            Check::Records { rule: Rule::SmallSchools, label: "不足100名学生的学校" },
            Check::Attested { key: "guarantee.small_school_funding", label: "按100名学生核定公用经费" },
        ],
    },
    Item {
        no: 7,
        text: "特殊教育学校生均公用经费不低于6000元",
        checks: &[Check::Figure {
            key: "guarantee.special_ed_funding",
            label: "特殊教育学校生均公用经费",
            unit: "元",
            at_least: 6000.0,
        }],
    },
    Item {
        no: 8,
        text: "全县义务教育学校教师平均工资收入水平不低于当地公务员平均工资收入水平，按规定足额核定教师绩效工资总量",
        checks: &[
            Check::Figure {
                key: "guarantee.teacher_pay_ratio",
                label: "教师平均工资收入÷当地公务员平均工资收入",
                unit: "%",
                at_least: 100.0,
            },
            Check::Attested { key: "guarantee.performance_pay", label: "足额核定教师绩效工资总量" },
        ],
    },
    Item {
        no: 9,
        text: "教师5年360学时培训完成率达到100%",
        checks: &[Check::Figure {
            key: "guarantee.training_360",
            label: "5年360学时培训完成率",
            unit: "%",
            at_least: 100.0,
        }],
    },
    Item {
        no: 10,
        text: "县级教育行政部门在核定的教职工编制总额和岗位总量内，统筹分配各校教职工编制和岗位数量",
        checks: &[Check::Attested { key: "guarantee.staffing", label: "编制和岗位统筹分配" }],
    },
    Item {
        no: 11,
        text: "全县每年交流轮岗教师的比例不低于符合交流条件教师总数的10%；其中，骨干教师不低于交流轮岗教师总数的20%",
        checks: &[
            Check::Figure {
                key: "guarantee.rotation_share",
                label: "交流轮岗教师÷符合交流条件教师",
                unit: "%",
                at_least: 10.0,
            },
            Check::Figure {
                key: "guarantee.rotation_backbone_share",
                label: "骨干教师÷交流轮岗教师",
                unit: "%",
                at_least: 20.0,
            },
        ],
    },
    Item {
        no: 12,
        text: "专任教师持有教师资格证上岗率达到100%",
        checks: &[Check::Records { rule: Rule::Certified, label: "教师资格证上岗率" }],
    },
    Item {
        no: 13,
        text: "城区和镇区公办小学、初中（均不含寄宿制学校）就近划片入学比例分别达到100%、95%以上",
        checks: &[
            Check::Figure {
                key: "guarantee.nearby_urban", label: "城区就近划片入学比例", unit: "%", at_least: 100.0
            },
            Check::Figure {
                key: "guarantee.nearby_town", label: "镇区就近划片入学比例", unit: "%", at_least: 95.0
            },
        ],
    },
    Item {
        no: 14,
        text: "全县初中将不低于50%的优质高中招生名额分配到区域内初中，并向农村初中倾斜",
        checks: &[
            Check::Figure {
                key: "guarantee.quota_share",
                label: "优质高中招生名额分配到初中的比例",
                unit: "%",
                at_least: 50.0,
            },
            Check::Attested { key: "guarantee.quota_rural", label: "名额分配向农村初中倾斜" },
        ],
    },
    Item {
        no: 15,
        text: "县域内留守儿童关爱体系健全，全县符合条件的随迁子女在公办学校和政府购买服务的民办学校就读的比例不低于85%",
        checks: &[
            Check::Attested { key: "guarantee.left_behind_care", label: "留守儿童关爱体系健全" },
            Check::Records {
                rule: Rule::MigrantPublic, label: "随迁子女在公办学校和政府购买学位的民办学校就读比例"
            },
        ],
    },
];

/// Every stored key of 第七条 and 第八条 (`education_quality`), once: a figure both parts name is
/// listed under 第七条.
pub fn input_checks() -> impl Iterator<Item = (&'static Item, &'static Check)> {
    let ours = |c: &Check| ITEMS.iter().flat_map(|i| i.checks).any(|x| x.input_key() == c.input_key());
    let quality = super::education_quality::ITEMS.iter().flat_map(|i| i.checks.iter().map(move |c| (i, c)));
    ITEMS
        .iter()
        .flat_map(|i| i.checks.iter().map(move |c| (i, c)))
        .chain(quality.filter(move |(_, c)| !ours(c)))
        .filter(|(_, c)| c.input_key().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_items_numbered_in_order_with_unique_input_keys() {
        assert!(ITEMS.iter().enumerate().all(|(i, it)| it.no as usize == i + 1 && !it.checks.is_empty()));
        let keys: Vec<_> = input_checks().filter_map(|(_, c)| c.input_key()).collect();
        let unique: std::collections::BTreeSet<_> = keys.iter().collect();
        assert_eq!(keys.len(), unique.len());
        assert!(keys.iter().all(|k| k.starts_with("guarantee.") || k.starts_with("quality.")));
        assert_eq!(keys.iter().filter(|k| k.starts_with("quality.")).count(), 11, "第八条's own keys");
        // Six rules from the records, each used once.
        let rules: Vec<_> = ITEMS
            .iter()
            .flat_map(|i| i.checks)
            .filter_map(|c| match c {
                Check::Records { rule, .. } => Some(*rule),
                _ => None,
            })
            .collect();
        assert_eq!(rules.len(), 6);
    }
}
