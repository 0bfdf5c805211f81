//! 《县域义务教育均衡发展督导评估暂行办法》(教督〔2012〕3号): the 8 indicators of 基本均衡 and the
//! limits of their 综合差异系数 (the mean of the 8 student-weighted coefficients). For counties not
//! yet assessed for 优质均衡, which requires each of 7 coefficients under its limit instead.

use super::Provenance;

pub const PROVENANCE: Provenance = Provenance {
    source: "教育部《县域义务教育均衡发展督导评估暂行办法》教督〔2012〕3号",
    clause: "8项指标校际差异系数的平均值为综合差异系数；小学≤0.65，初中≤0.55",
    confidence: "[V] 8项指标（公开的省级评估表表头）与“综合差异系数为8项平均值”；[M] 0.65/0.55 两个上限（广泛引用，待对照原文）",
};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indicator {
    pub key: &'static str,
    pub name: &'static str,
    /// ×100 for 每百名学生 indicators; the coefficient does not depend on it.
    pub factor: f64,
    pub unit: &'static str,
}

pub const INDICATORS: [Indicator; 8] = [
    Indicator {
        key: "teaching_area_per_student", name: "生均教学及辅助用房面积", factor: 1.0, unit: "平方米"
    },
    Indicator {
        key: "sports_area_per_student", name: "生均体育运动场馆面积", factor: 1.0, unit: "平方米"
    },
    Indicator { key: "equipment_value_per_student", name: "生均教学仪器设备值", factor: 1.0, unit: "元" },
    Indicator { key: "computers_per100", name: "每百名学生拥有计算机台数", factor: 100.0, unit: "台" },
    Indicator { key: "books_per_student", name: "生均图书册数", factor: 1.0, unit: "册" },
    Indicator {
        key: "teachers_per100", name: "师生比（每百名学生专任教师数）", factor: 100.0, unit: "人"
    },
    Indicator {
        key: "above_degree_teachers_per100",
        name: "生均高于规定学历教师数（每百名学生）",
        factor: 100.0,
        unit: "人",
    },
    Indicator {
        key: "mid_title_teachers_per100",
        name: "生均中级及以上专业技术职务教师数（每百名学生）",
        factor: 100.0,
        unit: "人",
    },
];

/// 综合差异系数 limits.
pub const LIMIT_PRIMARY: f64 = 0.65;
pub const LIMIT_JUNIOR: f64 = 0.55;
