//! Teachers: qualifications and development tiers.

crate::labelled_enum!(
    /// 最高学历.
    Education, "最高学历" {
        Doctorate => "doctorate", "博士研究生" | "博士";
        Master => "master", "硕士研究生" | "硕士" | "研究生";
        Bachelor => "bachelor", "大学本科" | "本科";
        Associate => "associate", "大学专科" | "专科" | "大专";
        HighSchool => "high_school", "高中阶段" | "高中" | "中专" | "中师";
        BelowHighSchool => "below", "高中以下" | "初中及以下";
    }
);

impl Education {
    /// Rank for comparisons: higher is more.
    pub fn rank(self) -> u8 {
        match self {
            Education::Doctorate => 6,
            Education::Master => 5,
            Education::Bachelor => 4,
            Education::Associate => 3,
            Education::HighSchool => 2,
            Education::BelowHighSchool => 1,
        }
    }

    /// The qualification 《教师法》第十一条 requires for teaching a stage: 小学 中师 (高中阶段),
    /// 初中 专科, 高中 本科. A school is judged by its highest stage.
    pub fn required(has_senior: bool, has_junior: bool) -> Education {
        if has_senior {
            Education::Bachelor
        } else if has_junior {
            Education::Associate
        } else {
            Education::HighSchool
        }
    }

    /// Whether this education meets `required`.
    pub fn meets(self, required: Education) -> bool {
        self.rank() >= required.rank()
    }
}

/// Subjects whose 专任 teachers count as 体育、艺术（美术、音乐） teachers (优质均衡 指标).
pub const PE_ART_SUBJECTS: &[&str] = &["体育", "体育与健康", "音乐", "美术", "艺术"];

/// Whether a teacher's subjects (as recorded: "语文、音乐") include 体育 or 艺术.
pub fn teaches_pe_or_art(subjects: &str) -> bool {
    subjects.split(['、', ',', '，', ';', '；']).any(|x| PE_ART_SUBJECTS.contains(&x.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_required_qualification_follows_the_highest_stage() {
        assert_eq!(Education::required(true, true), Education::Bachelor);
        assert_eq!(Education::required(false, true), Education::Associate);
        assert_eq!(Education::required(false, false), Education::HighSchool);
        assert!(Education::Associate.meets(Education::Associate));
        assert!(!Education::HighSchool.meets(Education::Associate));
        assert!(Education::Master.meets(Education::Bachelor));
    }

    #[test]
    fn pe_and_art_teachers_by_their_subjects() {
        assert!(teaches_pe_or_art("语文、音乐"));
        assert!(teaches_pe_or_art("体育与健康"));
        assert!(teaches_pe_or_art("数学，美术"));
        assert!(!teaches_pe_or_art("语文、数学"));
        assert!(!teaches_pe_or_art("音乐欣赏"));
    }
}

crate::labelled_enum!(
    /// 职称 (中小学教师职称制度改革, 人社部发〔2015〕79号).
    Title, "职称" {
        Senior => "senior", "正高级教师";
        Advanced => "advanced", "高级教师";
        First => "first", "一级教师";
        Second => "second", "二级教师";
        Third => "third", "三级教师";
        None => "none", "未定职级" | "无" | "";
    }
);

crate::labelled_enum!(
    /// 骨干教师级别.
    BackboneLevel, "骨干级别" {
        None => "none", "无" | "";
        County => "county", "县级" | "区级" | "县(区)级";
        City => "city", "市级";
        Province => "province", "省级";
    }
);

crate::labelled_enum!(
    /// 教师专业发展层级 (the district's own ladder).
    Tier, "发展层级" {
        Novice => "novice", "新手教师" | "";
        Rising => "rising", "教坛新秀";
        Backbone => "backbone", "骨干教师";
        Master => "master", "名师";
    }
);

crate::labelled_enum!(
    /// 专任教师 teach as their main post; 兼任 teach beside another post.
    Post, "任职类型" {
        FullTime => "full_time", "专任";
        PartTime => "part_time", "兼任";
    }
);
