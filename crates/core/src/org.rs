//! The organisation tree: 区县 → 学区/教育集团 → 学校 → 校区 → 年级 → 班级.

use crate::CoreError;
use crate::grade::Stage;

crate::labelled_enum!(
    /// 办学类型 (教育统计口径).
    SchoolType, "办学类型" {
        Kindergarten => "kindergarten", "幼儿园";
        Primary => "primary", "小学";
        Junior => "junior", "初级中学" | "初中";
        NineYear => "nine_year", "九年一贯制学校" | "九年一贯制";
        Complete => "complete", "完全中学";
        TwelveYear => "twelve_year", "十二年一贯制学校" | "十二年一贯制";
        Senior => "senior", "普通高中" | "高中";
        Vocational => "vocational", "职业高中";
        Special => "special", "特殊教育学校";
        TeachingPoint => "teaching_point", "教学点" | "小学教学点";
    }
);

impl SchoolType {
    /// The stages whose pupils such a school may enrol.
    pub fn stages(self) -> &'static [Stage] {
        use Stage::*;
        match self {
            SchoolType::Kindergarten => &[Preschool],
            SchoolType::Primary | SchoolType::TeachingPoint => &[Primary],
            SchoolType::Junior => &[Junior],
            SchoolType::NineYear => &[Primary, Junior],
            SchoolType::Complete => &[Junior, Senior],
            SchoolType::TwelveYear => &[Primary, Junior, Senior],
            SchoolType::Senior | SchoolType::Vocational => &[Senior],
            SchoolType::Special => &[Primary, Junior],
        }
    }

    /// A regular school (not 特殊教育) with a 义务教育 stage: the schools that 优质均衡 and its
    /// 政府保障程度 judge.
    pub fn is_regular_compulsory(self) -> bool {
        self != SchoolType::Special && !self.compulsory_stages().is_empty()
    }

    /// The 义务教育 stages the school teaches (小学, 初中 or both): those whose 双减 rules apply.
    pub fn compulsory_stages(self) -> Vec<Stage> {
        self.stages().iter().copied().filter(|s| matches!(s, Stage::Primary | Stage::Junior)).collect()
    }
}

crate::labelled_enum!(
    /// 城乡分类.
    Locale, "城乡类型" {
        Urban => "urban", "城区";
        Town => "town", "镇区";
        Rural => "rural", "乡村";
    }
);

crate::labelled_enum!(
    /// 举办者性质.
    Ownership, "办学性质" {
        Public => "public", "公办";
        Private => "private", "民办";
    }
);

crate::labelled_enum!(
    /// A grouping of schools above the school level; a school may belong to several.
    GroupKind, "学区/集团类型" {
        Zone => "zone", "学区";
        Group => "group", "教育集团";
    }
);

crate::labelled_enum!(
    /// How an 教育集团 or 学区 is run.
    GroupMode, "办学模式" {
        Close => "close", "紧密型";
        Loose => "loose", "松散型";
        Entrusted => "entrusted", "托管" | "委托管理";
        Research => "research", "教研共同体";
    }
);

impl GroupKind {
    /// Import files carry only the group's name: a name containing "集团" is an 教育集团
    /// (集团化办学), any other a 学区.
    pub fn of_name(name: &str) -> GroupKind {
        if name.contains("集团") { GroupKind::Group } else { GroupKind::Zone }
    }
}

/// 学校标识码: 10 digits issued by the Ministry's school code system.
pub fn validate_school_code(raw: &str) -> Result<String, CoreError> {
    let s = raw.trim();
    if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(CoreError::Invalid(format!("学校标识码“{raw}”应为10位数字")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_types() {
        assert_eq!(SchoolType::parse("九年一贯制"), Ok(SchoolType::NineYear));
        assert_eq!(SchoolType::NineYear.stages(), &[Stage::Primary, Stage::Junior]);
        assert!(SchoolType::parse("大学").is_err());
        let regular: Vec<SchoolType> = SchoolType::ALL.iter().copied().filter(|t| t.is_regular_compulsory()).collect();
        use SchoolType::*;
        assert_eq!(regular, [Primary, Junior, NineYear, Complete, TwelveYear, TeachingPoint]);
        assert!(validate_school_code("3101010001").is_ok());
        assert!(validate_school_code("310101000").is_err());
        assert!(validate_school_code("31010100a1").is_err());
        assert_eq!(GroupKind::of_name("示范区实验教育集团"), GroupKind::Group);
        assert_eq!(GroupKind::of_name("城东学区"), GroupKind::Zone);
    }
}

/// Checks a 捆绑评价 pair against those held (school → its 中心校): one level only, so a 中心校
/// is not bundled and a bundled school is no one's 中心校.
pub fn check_bundle(held: &[(i64, i64)], school: i64, center: i64) -> Result<(), String> {
    if school == center {
        return Err("学校不能与自身捆绑".into());
    }
    if held.iter().any(|(s, _)| *s == center) {
        return Err("所选中心校本身已捆绑到其他学校".into());
    }
    if held.iter().any(|(_, c)| *c == school) {
        return Err("该校已是其他学校的捆绑中心校".into());
    }
    Ok(())
}

#[cfg(test)]
mod bundle_tests {
    use super::check_bundle;

    #[test]
    fn bundles_are_one_level() {
        let held = [(2, 1)];
        assert_eq!(check_bundle(&held, 3, 1), Ok(()), "a second 村小 of the same 中心校");
        assert_eq!(check_bundle(&held, 2, 4), Ok(()), "moving a 村小 to another 中心校 replaces its pair");
        assert!(check_bundle(&held, 5, 5).is_err());
        assert!(check_bundle(&held, 3, 2).is_err(), "a bundled school is no 中心校");
        assert!(check_bundle(&held, 1, 4).is_err(), "a 中心校 is not bundled");
    }
}
