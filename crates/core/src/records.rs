//! Validated records as they come in from import files, the synthetic generator and forms.
//! Each has a natural key so that re-importing the same data changes nothing.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::Term;
use crate::grade::Grade;
use crate::org::{Locale, Ownership, SchoolType};
use crate::student::{EnrolmentStatus, Sex, SpecialFlags};
use crate::teacher::{BackboneLevel, Education, Post, Tier, Title};

/// A school. Natural key: `code` (学校标识码).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolRecord {
    pub code: String,
    pub name: String,
    pub school_type: SchoolType,
    pub locale: Locale,
    pub ownership: Ownership,
    /// 普惠性 (kindergartens only; false elsewhere).
    pub inclusive: bool,
    /// 政府购买学位服务: a 民办 school where the government buys places (false for 公办 schools).
    #[serde(default)]
    pub purchased_places: bool,
    /// 学区 or 教育集团 names the school belongs to.
    pub groups: Vec<String>,
}

/// A class in a school year. Natural key: (school, school year, grade, class number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassRecord {
    pub school_code: String,
    pub start_year: i32,
    pub grade: Grade,
    pub class_no: i32,
    pub name: String,
    pub head_teacher_no: Option<String>,
    /// 校区, for schools on several sites; none for a single-site school.
    pub campus: Option<String>,
}

/// A pupil with their enrolment in one term. Natural keys: 学籍号; (学籍号, term).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentRecord {
    pub term: Term,
    pub school_code: String,
    pub grade: Grade,
    pub class_no: i32,
    pub student_no: String,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub ethnicity: String,
    pub id_card: Option<String>,
    pub status: EnrolmentStatus,
    pub status_date: Option<NaiveDate>,
    /// 转往学校 of a 转出: a school code of the district, or the name of a school elsewhere.
    pub destination: Option<String>,
    pub flags: SpecialFlags,
}

/// A teacher in one term. Natural keys: 工号; (工号, term).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeacherRecord {
    pub term: Term,
    pub school_code: String,
    pub staff_no: String,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub education: Education,
    pub title: Title,
    pub subjects: Vec<String>,
    pub post: Post,
    pub head_teacher: bool,
    pub backbone: BackboneLevel,
    pub tier: Tier,
    pub certified: bool,
    /// 进本校年月: when the teacher came to this school (the first of that month), where the HR
    /// system records it; tenure for 交流轮岗 counts from it.
    pub joined_school: Option<NaiveDate>,
    /// The last 教师资格定期注册 (or the certificate's first registration), where recorded.
    pub registered_on: Option<NaiveDate>,
}

/// 办学条件 of a school in a school year. Natural key: (school, school year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ConditionRecord {
    pub school_code: String,
    pub start_year: i32,
    /// m²
    pub land_area: f64,
    pub building_area: f64,
    pub teaching_area: f64,
    pub sports_outdoor_area: f64,
    pub sports_indoor_area: f64,
    /// 元
    pub equipment_value: f64,
    pub multimedia_rooms: i64,
    pub student_computers: i64,
    pub teacher_computers: i64,
    pub books: i64,
    pub bandwidth_mbps: f64,
    pub music_rooms: i64,
    pub music_area: f64,
    pub art_rooms: i64,
    pub art_area: f64,
}
