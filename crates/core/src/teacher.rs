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
