//! Grades and school stages (学段).

use serde::{Deserialize, Serialize};

use crate::CoreError;

crate::labelled_enum!(
    /// 学段.
    Stage, "学段" {
        Preschool => "preschool", "学前";
        Primary => "primary", "小学";
        Junior => "junior", "初中";
        Senior => "senior", "高中";
    }
);

/// A grade: -2..=0 are 幼儿园 小班/中班/大班, 1..=6 小学, 7..=9 初中, 10..=12 高中.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grade(i8);

const NAMES: [&str; 15] = [
    "小班",
    "中班",
    "大班",
    "一年级",
    "二年级",
    "三年级",
    "四年级",
    "五年级",
    "六年级",
    "七年级",
    "八年级",
    "九年级",
    "高一",
    "高二",
    "高三",
];
/// Other common spellings, same order as NAMES from 一年级 on.
const ALIASES: [(&str, i8); 6] =
    [("初一", 7), ("初二", 8), ("初三", 9), ("高一年级", 10), ("高二年级", 11), ("高三年级", 12)];

impl Grade {
    pub const MIN: i8 = -2;
    pub const MAX: i8 = 12;

    pub fn new(n: i8) -> Option<Grade> {
        (Self::MIN..=Self::MAX).contains(&n).then_some(Grade(n))
    }
    pub fn number(self) -> i8 {
        self.0
    }
    /// Grades 1–9: 义务教育. 控辍保学 (warnings, cases, 巩固率) concerns these grades only.
    pub fn is_compulsory_number(n: i8) -> bool {
        (1..=9).contains(&n)
    }
    pub fn name(self) -> &'static str {
        NAMES[(self.0 - Self::MIN) as usize]
    }
    pub fn stage(self) -> Stage {
        match self.0 {
            ..=0 => Stage::Preschool,
            1..=6 => Stage::Primary,
            7..=9 => Stage::Junior,
            _ => Stage::Senior,
        }
    }
    pub fn all() -> impl Iterator<Item = Grade> {
        (Self::MIN..=Self::MAX).map(Grade)
    }
    /// Accepts "3", "三年级", "初一", "高二".
    pub fn parse(raw: &str) -> Result<Grade, CoreError> {
        let s = raw.trim();
        if let Ok(n) = s.parse::<i8>() {
            return Grade::new(n).ok_or_else(|| CoreError::unrecognised("年级", raw));
        }
        if let Some(i) = NAMES.iter().position(|n| *n == s) {
            return Ok(Grade(i as i8 + Self::MIN));
        }
        ALIASES
            .iter()
            .find(|(a, _)| *a == s)
            .map(|(_, n)| Grade(*n))
            .ok_or_else(|| CoreError::unrecognised("年级", raw))
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for g in Grade::all() {
            assert_eq!(Grade::parse(g.name()), Ok(g));
            assert_eq!(Grade::parse(&g.number().to_string()), Ok(g));
        }
        assert_eq!(Grade::parse("初一").map(Grade::stage), Ok(Stage::Junior));
        assert!(Grade::parse("13").is_err());
        assert!(Grade::parse("十三年级").is_err());
    }
}
