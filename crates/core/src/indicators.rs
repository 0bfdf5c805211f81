//! Indicators as data: what each measures (口径), its numerator and denominator over recorded facts,
//! its factor, unit, direction and default target with the document it comes from. Values are
//! computed by summing numerators and denominators over the units first and dividing last, so a
//! county 生师比 is all pupils over all teachers, never a mean of school ratios.

use serde::Serialize;

/// A recorded fact per school that numerators and denominators are built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Fact {
    PrimaryPupils,
    JuniorPupils,
    SeniorPupils,
    /// Pupils of grades 1–9.
    CompulsoryPupils,
    PrimaryTeachers,
    JuniorTeachers,
    SeniorTeachers,
    /// 专任 teachers of the school (all stages).
    Teachers,
    /// 专任 teachers with the qualification 教师法 第十一条 requires for their stage.
    QualifiedTeachers,
    /// 专任 teachers with 本科 or more.
    BachelorTeachers,
    /// 县级 and higher 骨干教师.
    BackboneTeachers,
    /// 中小学 classes (grades 1–12) with pupils.
    Classes,
    /// Classes within the standard size of their grade (45 小学, 50 初中/高中).
    StandardClasses,
    /// 大班额 (56–65) and 超大班额 (≥ 66).
    LargeClasses,
    ExtraLargeClasses,
    /// Schools over the size limit (2000 小学/初中, 2500 一贯制 义务教育阶段).
    OversizedSchools,
    /// Pupils of the school, all grades (the denominator of 生均 facilities).
    Pupils,
    TeachingArea,
    SportsArea,
    EquipmentValue,
    MultimediaRooms,
    StudentComputers,
    TeacherComputers,
    FitnessScored,
    FitnessPassed,
    FitnessExcellent,
    VisionKnown,
    Myopic,
    /// Screened and myopic pupils of each stage (grades 1–6, 7–9, 10–12).
    VisionKnownPrimary,
    MyopicPrimary,
    VisionKnownJunior,
    MyopicJunior,
    VisionKnownSenior,
    MyopicSenior,
    /// 专任 teachers with 本科 or more, and with a 研究生 degree (硕士, 博士), apportioned to a stage
    /// by its share of the school's pupils like the stage's teachers.
    PrimaryBachelorTeachers,
    JuniorBachelorTeachers,
    SeniorBachelorTeachers,
    JuniorPostgraduateTeachers,
    SeniorPostgraduateTeachers,
    /// Pupils of grades 1–9 at 民办 schools.
    PrivateCompulsoryPupils,
    /// 新改扩建 completed by the term's end: 学位 added, and projects of each kind. The county's
    /// count every project, a new school's not on the roster yet among them.
    PlacesAdded,
    NewSchoolProjects,
    RebuildProjects,
    ExtendProjects,
    /// 1 for a school teaching any of grades 1–12, and for a 幼儿园.
    GradeSchools,
    Kindergartens,
    /// 1 for a school holding the designation on the term's last day.
    SmartCampusSchools,
    CivilisedCampusSchools,
    QualityKindergartens,
    /// 在园幼儿 (grades 小班–大班).
    PreschoolPupils,
    /// 在园幼儿 of 公办园 and 普惠性民办园.
    InclusivePreschoolPupils,
    /// 在园幼儿 of 公办园.
    PublicPreschoolPupils,
    /// 专任 teachers of 体育, 音乐 or 美术.
    PeArtTeachers,
    /// Teachers of the 名师 tier of the district's ladder (新手 → 教坛新秀 → 骨干 → 名师).
    MasterTierTeachers,
    /// Teachers of the 骨干教师 tier or above.
    BackboneTierTeachers,
    /// Teachers holding the 名班主任 title at the term's end.
    MasterHeadTeachers,
    /// Every teacher of the term, any post.
    AllTeachers,
    /// Teachers of the term taking part in a 课题 running in it.
    ResearchTeachers,
    /// 1 for a school with a teacher in a 课题 running in the term.
    SchoolsWithResearch,
    /// 1 for every school (a count of schools, summed like any fact).
    Schools,
    /// Classes of grades 1–9 in the term's uploaded timetables, and those whose weekly periods
    /// meet the curriculum in force (开齐开足).
    TimetableClasses,
    TimetableComplete,
    /// Schools with 100 Mbps or faster internet, of the schools with conditions.
    BroadbandSchools,
    SchoolsWithConditions,
    /// Pupils of the entry cohort still on roll or graduated (巩固率's numerator), and the cohort
    /// adjusted for transfers and deaths. The county's come from following each pupil through the
    /// county: a move between two schools is a transfer at both but not a loss to the county.
    Retained,
    CohortBase,
    /// The same for 初中三年巩固率: the latest grade-7 cohort whose three school years are held.
    JuniorRetained,
    JuniorCohortBase,
    /// Pupils of grades 1–9 whose status became 辍学 in the school year, and those on roll in its
    /// first term (from the 学籍 history).
    YearDropouts,
    YearOnRoll,
    /// 学龄人口 the district supplies (no school holds it): aged 3–5 and 15–17.
    AgePopulation3To5,
    AgePopulation15To17,
    /// 高中阶段 pupils of schools eduq does not hold (技工学校, run under 人社部门), which the
    /// district supplies and which count in 高中阶段毛入学率.
    UnrecordedSeniorPupils,
    /// The district's lines (supplied per school year; eduq's default where a text gives one):
    /// the internet access a school should have (Mbps; 千兆 = 1000 unless set), and the land per
    /// pupil the province requires of a 小学 and an 初中 (m²; no default, the lines are provincial).
    AccessLineMbps,
    LandLinePrimary,
    LandLineJunior,
    /// Schools with conditions whose access meets the district's line.
    FastAccessSchools,
    /// 占地面积 (m²) of the schools with conditions.
    LandArea,
    /// Schools with conditions and pupils of grades 1–9 where a land line applies to each of their
    /// stages, and of them those whose land meets the line (each stage's pupils × its line).
    LandCheckedSchools,
    LandStandardSchools,
    /// A constant 1, for counts.
    One,
}

impl Fact {
    /// Facts whose county total is not the sum over schools (see `Retained`, `AgePopulation3To5`).
    pub fn county_differs(self) -> bool {
        matches!(
            self,
            Fact::Retained
                | Fact::CohortBase
                | Fact::JuniorRetained
                | Fact::JuniorCohortBase
                | Fact::PlacesAdded
                | Fact::NewSchoolProjects
                | Fact::RebuildProjects
                | Fact::ExtendProjects
        ) || self.district_input().is_some()
    }

    /// For a fact the district supplies: its storage key and what to fill in.
    pub fn district_input(self) -> Option<(&'static str, &'static str)> {
        match self {
            Fact::AgePopulation3To5 => Some(("age_3_5", "3–5周岁常住人口（学前三年适龄人口）")),
            Fact::AgePopulation15To17 => Some(("age_15_17", "15–17周岁常住人口（高中阶段适龄人口）")),
            Fact::UnrecordedSeniorPupils => {
                Some(("unrecorded_senior_pupils", "技工学校等未在eduq登记的高中阶段在校生数"))
            }
            Fact::AccessLineMbps => Some(("access_line_mbps", "学校宽带接入标准（Mbps；未填按千兆1000计）")),
            Fact::LandLinePrimary => Some(("land_line_primary", "本省小学生均用地标准（平方米）")),
            Fact::LandLineJunior => Some(("land_line_junior", "本省初中生均用地标准（平方米）")),
            _ => None,
        }
    }

    /// A supplied count added to this fact's county total (over a supplied population).
    pub fn district_addition(self) -> Option<Fact> {
        match self {
            Fact::SeniorPupils => Some(Fact::UnrecordedSeniorPupils),
            _ => None,
        }
    }

    /// Whether a supplied value may be 0 (a count of pupils) rather than only positive (a population).
    pub fn may_be_zero(self) -> bool {
        self == Fact::UnrecordedSeniorPupils
    }
}

/// The facts a district supplies, in form order.
pub const DISTRICT_INPUTS: [Fact; 6] = [
    Fact::AgePopulation3To5,
    Fact::AgePopulation15To17,
    Fact::UnrecordedSeniorPupils,
    Fact::AccessLineMbps,
    Fact::LandLinePrimary,
    Fact::LandLineJunior,
];

/// The access line when the district has not set one: 千兆 (《“双千兆”网络协同发展行动计划（2021-2023年）》
/// 推动千兆光网进校园 [M]).
pub const DEFAULT_ACCESS_LINE_MBPS: f64 = 1000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    /// At least the target is good.
    AtLeast,
    /// At most the target is good.
    AtMost,
}

impl Direction {
    /// Whether a value meets a target (within rounding noise).
    pub fn admits(self, value: f64, target: f64) -> bool {
        match self {
            Direction::AtLeast => value >= target - 1e-9,
            Direction::AtMost => value <= target + 1e-9,
        }
    }

    /// How far a value is short of a target, 0 when it meets it.
    pub fn shortfall(self, value: f64, target: f64) -> f64 {
        match self {
            Direction::AtLeast => (target - value).max(0.0),
            Direction::AtMost => (value - target).max(0.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Indicator {
    pub key: &'static str,
    pub name: &'static str,
    /// What it measures, the formula and which records count.
    pub caliber: &'static str,
    pub source: &'static str,
    pub numerator: Fact,
    pub denominator: Fact,
    pub factor: f64,
    pub unit: &'static str,
    pub direction: Direction,
    /// The standard's or the usual plan's target, if there is one.
    pub target: Option<f64>,
}

const BIANZHI: &str = "中央编办 教育部 财政部《关于统一城乡中小学教职工编制标准的通知》(中央编办发〔2014〕72号)";
const YOUZHI: &str = "《县域义务教育优质均衡发展督导评估办法》(教督〔2017〕6号)";
const DABANE: &str = "教育部《关于做好消除义务教育阶段大班额工作的通知》(2018)";
const TEACHER_LAW: &str = "《中华人民共和国教师法》第十一条";
const FITNESS: &str = "《国家学生体质健康标准（2014年修订）》；WS/T 663—2020";
const PRESCHOOL: &str = "教育部等九部门《“十四五”学前教育发展提升行动计划》（2021年12月）：学前三年毛入园率90%以上，普惠性幼儿园覆盖率85%以上，公办园在园幼儿占比50%以上";
const ICT: &str = "教育部《教育信息化2.0行动计划》(教技〔2018〕6号)";
const MYOPIA_GOALS: &str = "教育部等八部门《综合防控儿童青少年近视实施方案》(教体艺〔2018〕3号)：到2030年小学生近视率下降到38%以下、初中生60%以下、高中阶段学生70%以下 [M]；筛查性近视按WS/T 663—2020";
const TEACHER_EDUCATION: &str = "教育事业统计 专任教师学历构成；学段分摊同生师比（中央编办发〔2014〕72号口径）";
const PRIVATE_COMPULSORY: &str =
    "中共中央办公厅 国务院办公厅《关于规范民办义务教育发展的意见》(2021)：民办义务教育在校生占比原则上不超过5% [M]";
const DROPOUT: &str =
    "《关于进一步加强控辍保学提高义务教育巩固水平的通知》(国办发〔2017〕72号)；控辍保学“动态清零” [M]";
const GIGABIT: &str = "工业和信息化部《“双千兆”网络协同发展行动计划（2021-2023年）》；接入标准由区县设定 [M]";
const LAND: &str = "各省义务教育学校办学（建设）标准的生均用地指标，由区县按本省标准填报；未填报时不判定达标";
const PROJECTS: &str = "本区新改扩建项目台账（项目类型、计划与新增学位、节点与竣工日期）";
const HONOURS: &str = "本区称号登记册（认定文件、级别、年份与有效期）；各类认定以发文单位的文件为准";
const CURRICULUM: &str = "教育部《义务教育课程方案（2022年版）》（教材〔2022〕2号）；《县域义务教育优质均衡发展督导评估办法》(教督〔2017〕6号) 教育质量第7项";
const JUNIOR_COHORT: &str = "《县域义务教育优质均衡发展督导评估办法》(教督〔2017〕6号) 第八条 教育质量第1项：全县初中三年巩固率达到95%以上；队列法同教育事业统计";
const COHORT: &str =
    "教育事业统计 义务教育巩固率（队列法）；《关于进一步加强控辍保学提高义务教育巩固水平的通知》(国办发〔2017〕72号)";

pub const LIBRARY: &[Indicator] = &[
    Indicator {
        key: "ptr_primary",
        name: "小学生师比",
        caliber: "小学在校生数 ÷ 小学专任教师数（九年一贯制等多学段学校的专任教师按各学段在校生比例分摊）；比值为“学生数:1”",
        source: BIANZHI,
        numerator: Fact::PrimaryPupils,
        denominator: Fact::PrimaryTeachers,
        factor: 1.0,
        unit: ":1",
        direction: Direction::AtMost,
        target: Some(19.0),
    },
    Indicator {
        key: "ptr_junior",
        name: "初中生师比",
        caliber: "初中在校生数 ÷ 初中专任教师数（分摊方法同上）",
        source: BIANZHI,
        numerator: Fact::JuniorPupils,
        denominator: Fact::JuniorTeachers,
        factor: 1.0,
        unit: ":1",
        direction: Direction::AtMost,
        target: Some(13.5),
    },
    Indicator {
        key: "ptr_senior",
        name: "高中生师比",
        caliber: "普通高中在校生数 ÷ 高中专任教师数（分摊方法同上）",
        source: BIANZHI,
        numerator: Fact::SeniorPupils,
        denominator: Fact::SeniorTeachers,
        factor: 1.0,
        unit: ":1",
        direction: Direction::AtMost,
        target: Some(12.5),
    },
    Indicator {
        key: "class_size_ok_rate",
        name: "班额达标率",
        caliber: "学生数不超过标准班额（小学45人、初中和高中50人）的班级数 ÷ 有学生的中小学班级数 × 100",
        source: YOUZHI,
        numerator: Fact::StandardClasses,
        denominator: Fact::Classes,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(100.0),
    },
    Indicator {
        key: "large_classes",
        name: "大班额班级数",
        caliber: "学生数56–65人的中小学班级数",
        source: DABANE,
        numerator: Fact::LargeClasses,
        denominator: Fact::One,
        factor: 1.0,
        unit: "个",
        direction: Direction::AtMost,
        target: Some(0.0),
    },
    Indicator {
        key: "extra_large_classes",
        name: "超大班额班级数",
        caliber: "学生数66人及以上的中小学班级数",
        source: DABANE,
        numerator: Fact::ExtraLargeClasses,
        denominator: Fact::One,
        factor: 1.0,
        unit: "个",
        direction: Direction::AtMost,
        target: Some(0.0),
    },
    Indicator {
        key: "oversized_schools",
        name: "规模超标学校数",
        caliber: "义务教育阶段在校生超过2000人的小学、初中，或超过2500人的九年一贯制、十二年一贯制学校数",
        source: YOUZHI,
        numerator: Fact::OversizedSchools,
        denominator: Fact::One,
        factor: 1.0,
        unit: "所",
        direction: Direction::AtMost,
        target: Some(0.0),
    },
    Indicator {
        key: "qualified_teachers_rate",
        name: "专任教师学历达标率",
        caliber: "达到教师法规定学历（小学中师及以上、初中专科及以上、高中本科及以上；多学段学校按其最高学段）的专任教师数 ÷ 专任教师数 × 100",
        source: TEACHER_LAW,
        numerator: Fact::QualifiedTeachers,
        denominator: Fact::Teachers,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(100.0),
    },
    Indicator {
        key: "bachelor_teachers_rate",
        name: "专任教师本科及以上学历比例",
        caliber: "最高学历为本科及以上的专任教师数 ÷ 专任教师数 × 100",
        source: "教育事业统计口径",
        numerator: Fact::BachelorTeachers,
        denominator: Fact::Teachers,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "backbone_teachers_rate",
        name: "骨干教师比例",
        caliber: "县级及以上骨干教师（专任）数 ÷ 专任教师数 × 100",
        source: "区县教师发展规划通行口径",
        numerator: Fact::BackboneTeachers,
        denominator: Fact::Teachers,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "master_teachers",
        name: "名师人数",
        caliber: "本学期在岗教师中发展层级为“名师”（含学科带头人）的人数：取教师名册的层级与学期末在任称号（名师、学科带头人）中较高者（县级汇总各校，教师按本学期任职学校计一次）",
        source: "区县教师队伍建设规划、教育质量提升行动计划通行口径（四级培养：新手教师—教坛新秀—骨干教师—名师）",
        numerator: Fact::MasterTierTeachers,
        denominator: Fact::One,
        factor: 1.0,
        unit: "人",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "backbone_tier_teachers",
        name: "骨干教师及以上层级人数",
        caliber: "本学期在岗教师中发展层级为“骨干教师”或“名师”的人数",
        source: "区县教师队伍建设规划、教育质量提升行动计划通行口径（四级培养）",
        numerator: Fact::BackboneTierTeachers,
        denominator: Fact::One,
        factor: 1.0,
        unit: "人",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "master_head_teachers",
        name: "名班主任人数",
        caliber: "本学期在岗教师中，学期末持有在任期内“名班主任”称号（经推荐、评审、公示、认定，未撤销）的人数",
        source: "区县教育质量提升行动计划、班主任队伍建设规划通行口径；称号来自eduq名师认定记录",
        numerator: Fact::MasterHeadTeachers,
        denominator: Fact::One,
        factor: 1.0,
        unit: "人",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "research_school_coverage",
        name: "课题覆盖学校比例",
        caliber: "本学期内有在研课题（立项至结题或撤项之间）且有本校教师参与的学校数 ÷ 学校数",
        source: "区县教育质量提升行动计划“课题研究全覆盖”通行口径；课题来自eduq课题登记",
        numerator: Fact::SchoolsWithResearch,
        denominator: Fact::Schools,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "research_teacher_share",
        name: "参与课题研究教师比例",
        caliber: "本学期在岗教师中参与本学期在研课题（主持或成员）的人数 ÷ 本学期在岗教师数（含兼任）",
        source: "区县教师队伍建设规划通行口径；课题来自eduq课题登记",
        numerator: Fact::ResearchTeachers,
        denominator: Fact::AllTeachers,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "teaching_area_per_pupil",
        name: "生均教学及辅助用房面积",
        caliber: "教学及辅助用房面积 ÷ 在校生数（所选学年的办学条件，所选学期的在校生）",
        source: YOUZHI,
        numerator: Fact::TeachingArea,
        denominator: Fact::Pupils,
        factor: 1.0,
        unit: "平方米",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "sports_area_per_pupil",
        name: "生均体育运动场馆面积",
        caliber: "（室外运动场地 + 室内体育场馆）面积 ÷ 在校生数",
        source: YOUZHI,
        numerator: Fact::SportsArea,
        denominator: Fact::Pupils,
        factor: 1.0,
        unit: "平方米",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "equipment_per_pupil",
        name: "生均教学仪器设备值",
        caliber: "教学仪器设备资产值 ÷ 在校生数",
        source: YOUZHI,
        numerator: Fact::EquipmentValue,
        denominator: Fact::Pupils,
        factor: 1.0,
        unit: "元",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "multimedia_per100",
        name: "每百名学生拥有网络多媒体教室数",
        caliber: "网络多媒体教室间数 ÷ 在校生数 × 100",
        source: YOUZHI,
        numerator: Fact::MultimediaRooms,
        denominator: Fact::Pupils,
        factor: 100.0,
        unit: "间",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "pupils_per_computer",
        name: "生机比",
        caliber: "在校生数 ÷ 学生用计算机台数；比值为“学生数:1”",
        source: "教育信息化规划通行口径（多地计划目标6:1）",
        numerator: Fact::Pupils,
        denominator: Fact::StudentComputers,
        factor: 1.0,
        unit: ":1",
        direction: Direction::AtMost,
        target: Some(6.0),
    },
    Indicator {
        key: "teachers_per_computer",
        name: "师机比",
        caliber: "专任教师数 ÷ 教师用计算机台数；比值为“教师数:1”",
        source: "教育信息化规划通行口径（目标1:1）",
        numerator: Fact::Teachers,
        denominator: Fact::TeacherComputers,
        factor: 1.0,
        unit: ":1",
        direction: Direction::AtMost,
        target: Some(1.0),
    },
    Indicator {
        key: "fitness_pass_rate",
        name: "学生体质健康合格率",
        caliber: "学年总分等级为及格及以上的学生数 ÷ 有总分的学生数 × 100（免测、缺项不计入）",
        source: FITNESS,
        numerator: Fact::FitnessPassed,
        denominator: Fact::FitnessScored,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(95.0),
    },
    Indicator {
        key: "fitness_excellent_rate",
        name: "学生体质健康优秀率",
        caliber: "学年总分等级为优秀的学生数 ÷ 有总分的学生数 × 100",
        source: FITNESS,
        numerator: Fact::FitnessExcellent,
        denominator: Fact::FitnessScored,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "myopia_rate",
        name: "近视率",
        caliber: "筛查性近视学生数 ÷ 可判定的筛查学生数 × 100",
        source: FITNESS,
        numerator: Fact::Myopic,
        denominator: Fact::VisionKnown,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtMost,
        target: None,
    },
    Indicator {
        key: "myopia_rate_primary",
        name: "小学生近视率",
        caliber: "本学年视力筛查中1–6年级筛查性近视人数 ÷ 1–6年级有视力结果的人数 × 100（筛查性近视按WS/T 663—2020判定）",
        source: MYOPIA_GOALS,
        numerator: Fact::MyopicPrimary,
        denominator: Fact::VisionKnownPrimary,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtMost,
        target: Some(38.0),
    },
    Indicator {
        key: "myopia_rate_junior",
        name: "初中生近视率",
        caliber: "本学年视力筛查中7–9年级筛查性近视人数 ÷ 7–9年级有视力结果的人数 × 100",
        source: MYOPIA_GOALS,
        numerator: Fact::MyopicJunior,
        denominator: Fact::VisionKnownJunior,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtMost,
        target: Some(60.0),
    },
    Indicator {
        key: "myopia_rate_senior",
        name: "高中生近视率",
        caliber: "本学年视力筛查中10–12年级筛查性近视人数 ÷ 10–12年级有视力结果的人数 × 100",
        source: MYOPIA_GOALS,
        numerator: Fact::MyopicSenior,
        denominator: Fact::VisionKnownSenior,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtMost,
        target: Some(70.0),
    },
    Indicator {
        key: "bachelor_rate_primary",
        name: "小学专任教师本科及以上学历比例",
        caliber: "小学专任教师中本科及以上学历人数 ÷ 小学专任教师数 × 100（多学段学校的专任教师按各学段在校生比例分摊，学历构成视为相同）",
        source: TEACHER_EDUCATION,
        numerator: Fact::PrimaryBachelorTeachers,
        denominator: Fact::PrimaryTeachers,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "bachelor_rate_junior",
        name: "初中专任教师本科及以上学历比例",
        caliber: "初中专任教师中本科及以上学历人数 ÷ 初中专任教师数 × 100（分摊方法同上）",
        source: TEACHER_EDUCATION,
        numerator: Fact::JuniorBachelorTeachers,
        denominator: Fact::JuniorTeachers,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "bachelor_rate_senior",
        name: "高中专任教师本科及以上学历比例",
        caliber: "高中专任教师中本科及以上学历人数 ÷ 高中专任教师数 × 100（分摊方法同上）",
        source: TEACHER_EDUCATION,
        numerator: Fact::SeniorBachelorTeachers,
        denominator: Fact::SeniorTeachers,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "postgraduate_rate_junior",
        name: "初中专任教师研究生学历比例",
        caliber: "初中专任教师中研究生（硕士、博士）学历人数 ÷ 初中专任教师数 × 100（分摊方法同上）；目标15%为常见的区县规划值，不是国家标准",
        source: TEACHER_EDUCATION,
        numerator: Fact::JuniorPostgraduateTeachers,
        denominator: Fact::JuniorTeachers,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(15.0),
    },
    Indicator {
        key: "postgraduate_rate_senior",
        name: "高中专任教师研究生学历比例",
        caliber: "高中专任教师中研究生（硕士、博士）学历人数 ÷ 高中专任教师数 × 100（分摊方法同上）；目标30%为常见的区县规划值，不是国家标准",
        source: TEACHER_EDUCATION,
        numerator: Fact::SeniorPostgraduateTeachers,
        denominator: Fact::SeniorTeachers,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(30.0),
    },
    Indicator {
        key: "multimedia_class_rate",
        name: "多媒体教室覆盖率（班级）",
        caliber: "网络多媒体教室数 ÷ 中小学班级数 × 100（按学校办学条件填报的多媒体教室数，超过班级数的学校按其实数计入合计）",
        source: ICT,
        numerator: Fact::MultimediaRooms,
        denominator: Fact::Classes,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(100.0),
    },
    Indicator {
        key: "private_compulsory_share",
        name: "民办义务教育在校生占比",
        caliber: "民办学校1–9年级在校生数 ÷ 全部1–9年级在校生数 × 100",
        source: PRIVATE_COMPULSORY,
        numerator: Fact::PrivateCompulsoryPupils,
        denominator: Fact::CompulsoryPupils,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtMost,
        target: Some(5.0),
    },
    Indicator {
        key: "smart_campus_share",
        name: "智慧校园占比",
        caliber: "本学期末持有有效“智慧校园”认定（任一级别）的中小学校数 ÷ 中小学校数 × 100（按称号登记册；目标75%为常见的区县规划值）",
        source: HONOURS,
        numerator: Fact::SmartCampusSchools,
        denominator: Fact::GradeSchools,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(75.0),
    },
    Indicator {
        key: "civilised_campus_share",
        name: "文明校园占比",
        caliber: "本学期末持有有效“文明校园”认定（任一级别）的中小学校数 ÷ 中小学校数 × 100（目标60%为常见的区县规划值）",
        source: HONOURS,
        numerator: Fact::CivilisedCampusSchools,
        denominator: Fact::GradeSchools,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(60.0),
    },
    Indicator {
        key: "quality_kindergarten_share",
        name: "优质园占比",
        caliber: "本学期末持有有效“优质园”认定（任一级别）的幼儿园数 ÷ 幼儿园数 × 100（目标90%为常见的区县规划值）",
        source: HONOURS,
        numerator: Fact::QualityKindergartens,
        denominator: Fact::Kindergartens,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(90.0),
    },
    Indicator {
        key: "places_added",
        name: "新增学位数",
        caliber: "截至本学期末已竣工交付的新改扩建项目新增的学位数之和（含尚未建档的新建学校；按项目竣工日期计）",
        source: PROJECTS,
        numerator: Fact::PlacesAdded,
        denominator: Fact::One,
        factor: 1.0,
        unit: "个",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "new_schools_built",
        name: "新建学校数",
        caliber: "截至本学期末已竣工交付的新建学校项目数",
        source: PROJECTS,
        numerator: Fact::NewSchoolProjects,
        denominator: Fact::One,
        factor: 1.0,
        unit: "所",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "schools_rebuilt",
        name: "改建学校数",
        caliber: "截至本学期末已竣工交付的改建项目数",
        source: PROJECTS,
        numerator: Fact::RebuildProjects,
        denominator: Fact::One,
        factor: 1.0,
        unit: "所",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "schools_extended",
        name: "扩建学校数",
        caliber: "截至本学期末已竣工交付的扩建项目数",
        source: PROJECTS,
        numerator: Fact::ExtendProjects,
        denominator: Fact::One,
        factor: 1.0,
        unit: "所",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "consolidation_rate",
        name: "义务教育巩固率",
        caliber: "队列法：在所持学籍历史的首个学期在读的义务教育学生（加转入、减转出和死亡）中，末学期仍在读、休学或已初中毕业的比例 × 100。区县值逐个跟踪学生在全区的去向，校际转学不算流失；学校值中转往他校计为转出",
        source: COHORT,
        numerator: Fact::Retained,
        denominator: Fact::CohortBase,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "junior_consolidation_rate",
        name: "初中三年巩固率",
        caliber: "队列法：所持学籍历史中最近一个完整三学年的初一年级秋季学期入学学生（加转入、减转出和死亡）中，初三学年末学期仍在读、休学或已毕业的比例 × 100。区县值逐个跟踪学生在全区的去向，校际转学不算流失；学校值中转往他校计为转出、自他校转来计为转入。学籍历史不足三学年时无数据",
        source: JUNIOR_COHORT,
        numerator: Fact::JuniorRetained,
        denominator: Fact::JuniorCohortBase,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(crate::standards::education_quality::CONSOLIDATION_MIN),
    },
    Indicator {
        key: "dropout_rate",
        name: "义务教育辍学率",
        caliber: "本学年1–9年级学籍状态变为辍学的学生数 ÷ 本学年第一学期1–9年级在籍（含其后辍学）学生数 × 100（按学籍历史；转出不计辍学）",
        source: DROPOUT,
        numerator: Fact::YearDropouts,
        denominator: Fact::YearOnRoll,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtMost,
        target: Some(0.0),
    },
    Indicator {
        key: "preschool_gross_enrolment",
        name: "学前三年毛入园率",
        caliber: "在园幼儿数 ÷ 3–5周岁常住人口 × 100（人口由区县按学年填报并注明来源；可超过100%）",
        source: PRESCHOOL,
        numerator: Fact::PreschoolPupils,
        denominator: Fact::AgePopulation3To5,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(90.0),
    },
    Indicator {
        key: "senior_gross_enrolment",
        name: "高中阶段毛入学率",
        caliber: "高中阶段在校生数（普通高中与职业高中10–12年级，加区县填报的技工学校等未在eduq登记的在校生）÷ 15–17周岁常住人口 × 100（人口由区县填报）",
        source: "教育部等九部门《“十四五”县域普通高中发展提升行动计划》（2021年12月）：高中阶段毛入学率92%以上",
        numerator: Fact::SeniorPupils,
        denominator: Fact::AgePopulation15To17,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(92.0),
    },
    Indicator {
        key: "inclusive_kindergarten_rate",
        name: "普惠性幼儿园覆盖率",
        caliber: "公办幼儿园和普惠性民办幼儿园在园幼儿数 ÷ 全部在园幼儿数 × 100",
        source: PRESCHOOL,
        numerator: Fact::InclusivePreschoolPupils,
        denominator: Fact::PreschoolPupils,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(85.0),
    },
    Indicator {
        key: "public_kindergarten_share",
        name: "公办园在园幼儿占比",
        caliber: "公办幼儿园在园幼儿数 ÷ 全部在园幼儿数 × 100",
        source: PRESCHOOL,
        numerator: Fact::PublicPreschoolPupils,
        denominator: Fact::PreschoolPupils,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(50.0),
    },
    Indicator {
        key: "pe_art_teachers",
        name: "体育艺术专任教师数",
        caliber: "任教体育（体育与健康）、音乐、美术（艺术）的专任教师人数",
        source: YOUZHI,
        numerator: Fact::PeArtTeachers,
        denominator: Fact::One,
        factor: 1.0,
        unit: "人",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "curriculum_complete_rate",
        name: "课程开齐开足率",
        caliber: "上传了本学期课表的学校中，各科周课时均达到课程设置要求（本省课程设置表，未设置时为国家课程方案的底线）的1–9年级班级数 ÷ 这些学校的1–9年级班级数 × 100；未上传课表的学校不计入",
        source: CURRICULUM,
        numerator: Fact::TimetableComplete,
        denominator: Fact::TimetableClasses,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(100.0),
    },
    Indicator {
        key: "fast_access_rate",
        name: "学校宽带达标率（本区接入标准）",
        caliber: "出口带宽达到本区接入标准（区县在“指标”页填报，未填按千兆1000Mbps计）的学校数 ÷ 填报了本学年办学条件的学校数 × 100",
        source: GIGABIT,
        numerator: Fact::FastAccessSchools,
        denominator: Fact::SchoolsWithConditions,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(100.0),
    },
    Indicator {
        key: "land_per_pupil",
        name: "生均占地面积",
        caliber: "学校占地面积之和 ÷ 在校生数之和（填报了本学年办学条件的学校），平方米",
        source: LAND,
        numerator: Fact::LandArea,
        denominator: Fact::Pupils,
        factor: 1.0,
        unit: "平方米",
        direction: Direction::AtLeast,
        target: None,
    },
    Indicator {
        key: "land_standard_rate",
        name: "生均用地达标学校占比",
        caliber: "占地面积不少于各学段在校生数×本省生均用地标准之和的义务教育学校数 ÷ 有办学条件且各学段均有标准的义务教育学校数 × 100（标准由区县按本省办学标准填报）",
        source: LAND,
        numerator: Fact::LandStandardSchools,
        denominator: Fact::LandCheckedSchools,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(100.0),
    },
    Indicator {
        key: "broadband_rate",
        name: "百兆及以上宽带接入率",
        caliber: "出口带宽达到100Mbps及以上的学校数 ÷ 填报了本学年办学条件的学校数 × 100",
        source: ICT,
        numerator: Fact::BroadbandSchools,
        denominator: Fact::SchoolsWithConditions,
        factor: 100.0,
        unit: "%",
        direction: Direction::AtLeast,
        target: Some(100.0),
    },
];

/// The indicator a key names: the library's, or a county 差异系数 (`spread`).
pub fn indicator(key: &str) -> Option<&'static Indicator> {
    LIBRARY.iter().find(|i| i.key == key).or_else(|| crate::spread::spread(key).map(|s| &s.indicator))
}

/// The indicator a plan or rubric file names by its key or its Chinese name.
pub fn named(s: &str) -> Option<&'static Indicator> {
    let s = s.trim();
    LIBRARY.iter().chain(crate::spread::SPREADS.iter().map(|x| &x.indicator)).find(|i| i.key == s || i.name == s)
}

/// Sums of one indicator's numerator and denominator over some units, and the value.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Value {
    pub numerator: f64,
    pub denominator: f64,
    /// `None` when the denominator is 0 (nothing to measure).
    pub value: Option<f64>,
}

impl Value {
    pub fn of(ind: &Indicator, numerator: f64, denominator: f64) -> Value {
        let value = if ind.denominator == Fact::One {
            Some(numerator * ind.factor)
        } else {
            (denominator > 0.0).then(|| numerator / denominator * ind.factor)
        };
        Value { numerator, denominator, value }
    }

    /// Whether the value meets a target in the indicator's direction.
    pub fn meets(&self, ind: &Indicator, target: f64) -> Option<bool> {
        Some(ind.direction.admits(self.value?, target))
    }

    /// Distance to the target, positive when short of it (in the indicator's unit).
    pub fn gap(&self, ind: &Indicator, target: f64) -> Option<f64> {
        Some(ind.direction.shortfall(self.value?, target))
    }
}

/// Aggregates per-unit (numerator, denominator) pairs: sums first, divides last.
pub fn aggregate(ind: &Indicator, parts: impl IntoIterator<Item = (f64, f64)>) -> Value {
    let (n, d) = parts.into_iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    Value::of(ind, n, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn county_ratio_is_total_over_total() {
        let ptr = indicator("ptr_primary").unwrap();
        // School A: 1900 pupils, 100 teachers (19:1); school B: 100 pupils, 20 teachers (5:1).
        let v = aggregate(ptr, [(1900.0, 100.0), (100.0, 20.0)]);
        assert!((v.value.unwrap() - 2000.0 / 120.0).abs() < 1e-12, "not the mean of 19 and 5 (12)");
        assert_eq!(v.meets(ptr, 19.0), Some(true));
        assert_eq!(aggregate(ptr, [(10.0, 0.0)]).value, None);
        let rate = indicator("fitness_pass_rate").unwrap();
        let v = Value::of(rate, 93.0, 100.0);
        assert_eq!((v.meets(rate, 95.0), v.gap(rate, 95.0)), (Some(false), Some(2.0)));
        let count = indicator("large_classes").unwrap();
        assert_eq!(aggregate(count, [(2.0, 1.0), (3.0, 1.0)]).value, Some(5.0));
    }

    #[test]
    fn every_indicator_has_its_caliber_and_source() {
        let mut keys = std::collections::HashSet::new();
        for i in LIBRARY {
            assert!(keys.insert(i.key), "duplicate key {}", i.key);
            assert!(!i.caliber.is_empty() && !i.source.is_empty() && !i.name.is_empty(), "{}", i.key);
            assert!(i.factor == 1.0 || i.factor == 100.0);
        }
    }
}
