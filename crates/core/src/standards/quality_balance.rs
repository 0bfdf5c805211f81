//! 《县域义务教育优质均衡发展督导评估办法》(教督〔2017〕6号): the seven 资源配置 indicators with
//! their per-school thresholds, the school pass rule and the county 差异系数 limits.

use super::Provenance;

pub const PROVENANCE: Provenance = Provenance {
    source: "教育部《县域义务教育优质均衡发展督导评估办法》教督〔2017〕6号（2017年4月）；差异系数按在校生数加权，见“县域义务教育校际均衡指标计算方法（以生均图书册数为例）”",
    clause: "第六条 资源配置7项指标；每所学校至少6项达到要求、余项不低于要求的85%；所有指标校际差异系数小学≤0.50、初中≤0.45",
    confidence: "[V] 7项阈值、达标规则与差异系数上限（两份公开转载一致）；分子口径（如高于规定学历：小学专科及以上、初中本科及以上）按通行做法，应以本省实施细则为准",
};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indicator {
    pub key: &'static str,
    pub name: &'static str,
    /// The input column holding the numerator.
    pub column: &'static str,
    /// ×100 for 每百名学生 indicators, ×1 for 生均.
    pub factor: f64,
    pub unit: &'static str,
    pub primary: f64,
    pub junior: f64,
}

pub const INDICATORS: [Indicator; 7] = [
    Indicator {
        key: "teachers_above_degree_per100",
        name: "每百名学生拥有高于规定学历教师数",
        column: "高于规定学历教师数",
        factor: 100.0,
        unit: "人",
        primary: 4.2,
        junior: 5.3,
    },
    Indicator {
        key: "backbone_teachers_per100",
        name: "每百名学生拥有县级及以上骨干教师数",
        column: "县级及以上骨干教师数",
        factor: 100.0,
        unit: "人",
        primary: 1.0,
        junior: 1.0,
    },
    Indicator {
        key: "pe_art_teachers_per100",
        name: "每百名学生拥有体育、艺术（美术、音乐）专任教师数",
        column: "体育艺术专任教师数",
        factor: 100.0,
        unit: "人",
        primary: 0.9,
        junior: 0.9,
    },
    Indicator {
        key: "teaching_area_per_student",
        name: "生均教学及辅助用房面积",
        column: "教学及辅助用房面积",
        factor: 1.0,
        unit: "平方米",
        primary: 4.5,
        junior: 5.8,
    },
    Indicator {
        key: "sports_area_per_student",
        name: "生均体育运动场馆面积",
        column: "体育运动场馆面积",
        factor: 1.0,
        unit: "平方米",
        primary: 7.5,
        junior: 10.2,
    },
    Indicator {
        key: "equipment_value_per_student",
        name: "生均教学仪器设备值",
        column: "教学仪器设备值",
        factor: 1.0,
        unit: "元",
        primary: 2000.0,
        junior: 2500.0,
    },
    Indicator {
        key: "multimedia_rooms_per100",
        name: "每百名学生拥有网络多媒体教室数",
        column: "网络多媒体教室数",
        factor: 100.0,
        unit: "间",
        primary: 2.3,
        junior: 2.4,
    },
];

/// A school passes with at least this many indicators met…
pub const MIN_MET: usize = 6;
/// …and every other one at least this share of its threshold.
pub const REST_SHARE: f64 = 0.85;
/// County 差异系数 limits per indicator.
pub const CV_LIMIT_PRIMARY: f64 = 0.50;
pub const CV_LIMIT_JUNIOR: f64 = 0.45;

/// 第九条: 社会认可度 of at least 85 % (below it the county is not recognised).
pub const RECOGNITION_PROVENANCE: Provenance = Provenance {
    source: "教育部《县域义务教育优质均衡发展督导评估办法》教督〔2017〕6号（2017年4月）",
    clause: "第九条 社会认可度达到85%以上；调查对象包括学生、家长、教师、校长、人大代表、政协委员及其他群众",
    confidence: "[V] 85%与调查对象（公开转载一致）；认可答案的口径（满意、比较满意）由各表单的choices表favourable列写明",
};
pub const RECOGNITION_MIN: f64 = 0.85;
