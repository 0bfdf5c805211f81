//! Students, their enrolment history and special-group flags.

use serde::{Deserialize, Serialize};

crate::labelled_enum!(
    Sex, "性别" {
        Male => "M", "男" | "1";
        Female => "F", "女" | "2";
    }
);

crate::labelled_enum!(
    /// 学籍状态 of a pupil in one term. History is kept per term, never overwritten.
    EnrolmentStatus, "学籍状态" {
        Enrolled => "enrolled", "在读" | "在籍";
        TransferIn => "transfer_in", "转入";
        TransferOut => "transfer_out", "转出";
        Suspended => "suspended", "休学";
        Resumed => "resumed", "复学";
        DroppedOut => "dropped_out", "辍学";
        Graduated => "graduated", "毕业";
    }
);

impl EnrolmentStatus {
    /// Whether the pupil counts as 在校生 of the school in that term.
    pub fn is_on_roll(self) -> bool {
        matches!(self, Self::Enrolled | Self::TransferIn | Self::Resumed)
    }

    /// Whether the school let the pupil go, so that another school may enrol them later.
    pub fn releases_pupil(self) -> bool {
        matches!(self, Self::TransferOut | Self::Graduated)
    }
}

/// Special-group flags (残疾, 建档立卡/低保, 留守, 随迁, 单亲). Sensitive: only roles for which
/// [`crate::access::Role::reads_special_groups`] holds may read them, and each read is audited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialFlags {
    pub disability: bool,
    pub poverty: bool,
    pub left_behind: bool,
    pub migrant: bool,
    pub single_parent: bool,
}

impl SpecialFlags {
    pub const LABELS: [&'static str; 5] = ["残疾", "建档立卡/低保家庭", "留守儿童", "随迁子女", "单亲"];

    pub fn as_array(self) -> [bool; 5] {
        [self.disability, self.poverty, self.left_behind, self.migrant, self.single_parent]
    }
    pub fn from_array(a: [bool; 5]) -> Self {
        SpecialFlags { disability: a[0], poverty: a[1], left_behind: a[2], migrant: a[3], single_parent: a[4] }
    }
    /// "留守儿童、随迁子女", or "无".
    pub fn describe(self) -> String {
        let set: Vec<&str> = self.as_array().iter().zip(Self::LABELS).filter(|(on, _)| **on).map(|(_, l)| l).collect();
        if set.is_empty() { "无".to_string() } else { set.join("、") }
    }
}

/// Parses 是/否 cells; empty means 否.
pub fn parse_yes_no(raw: &str) -> Option<bool> {
    match raw.trim() {
        "是" | "Y" | "y" | "1" | "true" | "TRUE" | "√" => Some(true),
        "否" | "N" | "n" | "0" | "false" | "FALSE" | "" => Some(false),
        _ => None,
    }
}

pub fn yes_no(v: bool) -> &'static str {
    if v { "是" } else { "否" }
}
