//! The import kinds, their Chinese headers (also the export and template headers, so a round trip
//! is lossless) and row-by-row validation into core records.

use std::collections::HashMap;

use chrono::NaiveDate;
use eduq_core::calendar::{Term, age_on, parse_school_year, parse_term_no};
use eduq_core::grade::Grade;
use eduq_core::identity::{parse_id_card, validate_student_number};
use eduq_core::org::{Locale, Ownership, SchoolType, validate_school_code};
use eduq_core::records::{ClassRecord, ConditionRecord, SchoolRecord, StudentRecord, TeacherRecord};
use eduq_core::standards::enrolment_age;
use eduq_core::student::{EnrolmentStatus, Sex, SpecialFlags, yes_no};
use eduq_core::teacher::{BackboneLevel, Education, Post, Tier, Title};

use crate::row::{Row, columns};
use crate::table::{Cell, Table};
use crate::{ExchangeError, RowError};

eduq_core::labelled_enum!(
    /// What a file holds.
    Kind, "导入类型" {
        Schools => "schools", "学校";
        Classes => "classes", "班级";
        Students => "students", "学生";
        Teachers => "teachers", "教师";
        Conditions => "conditions", "办学条件";
    }
);

const SCHOOL_HEADERS: &[&str] =
    &["学校标识码", "学校名称", "办学类型", "城乡类型", "办学性质", "普惠性", "政府购买学位", "学区/集团"];
const CLASS_HEADERS: &[&str] = &["学校标识码", "学年", "年级", "班号", "班级名称", "班主任工号", "校区"];
const STUDENT_HEADERS: &[&str] = &[
    "学年",
    "学期",
    "学校标识码",
    "年级",
    "班号",
    "全国学籍号",
    "姓名",
    "性别",
    "出生日期",
    "民族",
    "身份证号",
    "学籍状态",
    "状态日期",
    "转往学校",
    "残疾",
    "建档立卡/低保家庭",
    "留守儿童",
    "随迁子女",
    "单亲",
];
const TEACHER_HEADERS: &[&str] = &[
    "学年",
    "学期",
    "学校标识码",
    "工号",
    "姓名",
    "性别",
    "出生日期",
    "最高学历",
    "职称",
    "任教学科",
    "任职类型",
    "是否班主任",
    "骨干级别",
    "发展层级",
    "教师资格证",
    "进本校年月",
    "资格注册日期",
];
const CONDITION_HEADERS: &[&str] = &[
    "学校标识码",
    "学年",
    "占地面积",
    "校舍建筑面积",
    "教学及辅助用房面积",
    "室外体育运动场馆面积",
    "室内体育运动场馆面积",
    "教学仪器设备值",
    "网络多媒体教室数",
    "学生用计算机数",
    "教师用计算机数",
    "图书册数",
    "出口带宽",
    "音乐专用教室数",
    "音乐专用教室面积",
    "美术专用教室数",
    "美术专用教室面积",
];

/// Columns that may be left out of a file entirely.
const OPTIONAL: &[&str] = &[
    "进本校年月",
    "资格注册日期",
    "学区/集团",
    "政府购买学位",
    "校区",
    "班级名称",
    "班主任工号",
    "民族",
    "身份证号",
    "学籍状态",
    "状态日期",
    "转往学校",
    "残疾",
    "建档立卡/低保家庭",
    "留守儿童",
    "随迁子女",
    "单亲",
    "普惠性",
    "教师资格证",
    "发展层级",
    "骨干级别",
    "是否班主任",
];

impl Kind {
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Kind::Schools => SCHOOL_HEADERS,
            Kind::Classes => CLASS_HEADERS,
            Kind::Students => STUDENT_HEADERS,
            Kind::Teachers => TEACHER_HEADERS,
            Kind::Conditions => CONDITION_HEADERS,
        }
    }
    pub fn is_required(header: &str) -> bool {
        !OPTIONAL.contains(&header)
    }
}

/// A validated file.
#[derive(Debug, Clone, PartialEq)]
pub enum Batch {
    Schools(Vec<SchoolRecord>),
    Classes(Vec<ClassRecord>),
    Students(Vec<StudentRecord>),
    Teachers(Vec<TeacherRecord>),
    Conditions(Vec<ConditionRecord>),
}

impl Batch {
    pub fn len(&self) -> usize {
        match self {
            Batch::Schools(v) => v.len(),
            Batch::Classes(v) => v.len(),
            Batch::Students(v) => v.len(),
            Batch::Teachers(v) => v.len(),
            Batch::Conditions(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn kind(&self) -> Kind {
        match self {
            Batch::Schools(_) => Kind::Schools,
            Batch::Classes(_) => Kind::Classes,
            Batch::Students(_) => Kind::Students,
            Batch::Teachers(_) => Kind::Teachers,
            Batch::Conditions(_) => Kind::Conditions,
        }
    }
    /// School codes the rows refer to, with the file row of their first use.
    pub fn school_codes(&self) -> Vec<&str> {
        match self {
            Batch::Schools(v) => v.iter().map(|r| r.code.as_str()).collect(),
            Batch::Classes(v) => v.iter().map(|r| r.school_code.as_str()).collect(),
            Batch::Students(v) => v.iter().map(|r| r.school_code.as_str()).collect(),
            Batch::Teachers(v) => v.iter().map(|r| r.school_code.as_str()).collect(),
            Batch::Conditions(v) => v.iter().map(|r| r.school_code.as_str()).collect(),
        }
    }
}

impl Row<'_> {
    fn school_code(&mut self) -> Option<String> {
        self.parse("学校标识码", |s| {
            validate_school_code(s).map(|_| s.to_string()).map_err(|_| "应为10位数字".to_string())
        })
    }
    fn school_year(&mut self) -> Option<i32> {
        self.parse("学年", |s| parse_school_year(s).map_err(|_| "格式应为“2024-2025”".to_string()))
    }
    fn term(&mut self) -> Option<Term> {
        let y = self.school_year();
        let t =
            self.parse("学期", |s| parse_term_no(s).map_err(|_| "应为“第一学期”或“第二学期”（或1、2）".to_string()));
        Some(Term { start_year: y?, term_no: t? })
    }
}

/// Validates a whole table as `kind`. Returns every error of the file, or the batch.
pub fn parse(kind: Kind, table: &Table) -> Result<Batch, ExchangeError> {
    let index = columns(table, kind.headers(), Kind::is_required)?;
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    macro_rules! collect {
        ($variant:ident, $f:ident) => {{
            let mut out = Vec::with_capacity(table.rows.len());
            for (n, cells) in &table.rows {
                let before = errors.len();
                let mut row = Row { n: *n, cells, index: &index, errors: &mut errors };
                if let Some((key, rec)) = $f(&mut row) {
                    if errors.len() == before {
                        if let Some(first) = seen.insert(key.clone(), *n) {
                            errors.push(RowError {
                                row: *n,
                                column: String::new(),
                                value: key,
                                message: format!("与第{first}行重复（同一条记录在文件中出现两次）"),
                            });
                        } else {
                            out.push(rec);
                        }
                    }
                }
            }
            Batch::$variant(out)
        }};
    }
    let batch = match kind {
        Kind::Schools => collect!(Schools, school_row),
        Kind::Classes => collect!(Classes, class_row),
        Kind::Students => collect!(Students, student_row),
        Kind::Teachers => collect!(Teachers, teacher_row),
        Kind::Conditions => collect!(Conditions, condition_row),
    };
    if errors.is_empty() {
        if batch.is_empty() {
            return Err(ExchangeError::Empty);
        }
        Ok(batch)
    } else {
        errors.sort_by_key(|e| e.row);
        Err(ExchangeError::Rows(errors))
    }
}

fn school_row(r: &mut Row) -> Option<(String, SchoolRecord)> {
    let code = r.school_code();
    let name = r.text("学校名称");
    let school_type = r.labelled("办学类型", SchoolType::parse, SchoolType::labels());
    let locale = r.labelled("城乡类型", Locale::parse, Locale::labels());
    let ownership = r.labelled("办学性质", Ownership::parse, Ownership::labels());
    let inclusive = r.yes_no("普惠性");
    let purchased_places = r.yes_no("政府购买学位");
    if purchased_places && ownership == Some(Ownership::Public) {
        r.fail("政府购买学位", "不适用于公办学校：政府购买学位服务指民办学校");
    }
    let groups = r
        .opt("学区/集团")
        .map(|g| g.split(['；', ';', '、']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let code = code?;
    Some((
        code.clone(),
        SchoolRecord {
            code,
            name: name?,
            school_type: school_type?,
            locale: locale?,
            ownership: ownership?,
            inclusive,
            purchased_places,
            groups,
        },
    ))
}

fn class_no(r: &mut Row) -> Option<i32> {
    r.parse("班号", |s| match s.trim_end_matches('班').parse::<i32>() {
        Ok(n) if (1..=99).contains(&n) => Ok(n),
        _ => Err("应为1到99的整数".to_string()),
    })
}

fn class_row(r: &mut Row) -> Option<(String, ClassRecord)> {
    let school_code = r.school_code();
    let start_year = r.school_year();
    let grade =
        r.parse("年级", |s| Grade::parse(s).map_err(|_| "不是有效年级（如“一年级”“七年级”“高一”）".to_string()));
    let class_no = class_no(r);
    let (school_code, start_year, grade, class_no) = (school_code?, start_year?, grade?, class_no?);
    let name = r.opt("班级名称").unwrap_or_else(|| format!("{}（{class_no}）班", grade.name()));
    let key = format!("{school_code}/{start_year}/{}/{class_no}", grade.number());
    Some((
        key,
        ClassRecord {
            school_code,
            start_year,
            grade,
            class_no,
            name,
            head_teacher_no: r.opt("班主任工号"),
            campus: r.opt("校区"),
        },
    ))
}

fn student_row(r: &mut Row) -> Option<(String, StudentRecord)> {
    let term = r.term();
    let school_code = r.school_code();
    let grade =
        r.parse("年级", |s| Grade::parse(s).map_err(|_| "不是有效年级（如“一年级”“七年级”“高一”）".to_string()));
    let class_no = class_no(r);
    let student_no = r.parse("全国学籍号", |s| {
        validate_student_number(s)
            .map_err(|_| "格式不正确（应为G/L/J加18位，共19位；G开头的须含有效身份证号）".to_string())
    });
    let name = r.name("姓名");
    let sex = r.labelled("性别", Sex::parse, "男、女".to_string());
    let birth = r.date("出生日期");
    let ethnicity = r.opt("民族").unwrap_or_else(|| "汉族".to_string());
    let id_card = match r.opt("身份证号") {
        None => None,
        Some(raw) => match parse_id_card(&raw) {
            Ok(id) => Some(id),
            Err(_) => {
                r.fail("身份证号", "不是有效的18位身份证号（校验位或出生日期不正确）");
                None
            }
        },
    };
    let status =
        r.labelled_or("学籍状态", EnrolmentStatus::parse, EnrolmentStatus::labels(), EnrolmentStatus::Enrolled);
    let status_date = match r.opt("状态日期") {
        None => None,
        Some(_) => r.date("状态日期"),
    };
    let destination = r.opt("转往学校");
    if destination.is_some() && status != Some(EnrolmentStatus::TransferOut) {
        r.fail("转往学校", "只在学籍状态为“转出”时填写");
    }
    let flags = SpecialFlags::from_array(SpecialFlags::LABELS.map(|l| r.yes_no(l)));
    let (term, school_code, grade, class_no, student_no, name, sex, birth, status) =
        (term?, school_code?, grade?, class_no?, student_no?, name?, sex?, birth?, status?);
    // Cross-field checks: the 学籍号's ID, the ID column, the birth date and sex must agree.
    if let (Some(id), Some(in_no)) = (&id_card, student_no.strip_prefix('G'))
        && in_no != id.number
    {
        r.fail("身份证号", format!("与全国学籍号“{student_no}”中的身份证号不一致"));
    }
    let embedded = match student_no.strip_prefix('G') {
        Some(id) => parse_id_card(id).ok(),
        None => id_card.clone(),
    };
    if let Some(id) = &embedded {
        if id.birth_date != birth {
            r.fail("出生日期", format!("与身份证号中的出生日期{}不一致", id.birth_date));
        }
        if id.male != (sex == Sex::Male) {
            r.fail("性别", "与身份证号中的性别不一致");
        }
    }
    let sept_1 = term.nominal_bounds().0;
    let age = age_on(birth, sept_1);
    if !enrolment_age::plausible(grade, age) {
        r.fail(
            "出生日期",
            format!(
                "对应{}时年龄为{age}岁，与{}不符（正常入学年龄{}岁）",
                term.school_year(),
                grade.name(),
                enrolment_age::nominal_age(grade)
            ),
        );
    }
    if birth > sept_1 {
        r.fail("出生日期", "晚于学期开始日期");
    }
    let key = format!("{student_no}/{}", term.key());
    let id_card = id_card.map(|i| i.number).or_else(|| student_no.strip_prefix('G').map(str::to_string));
    Some((
        key,
        StudentRecord {
            term,
            school_code,
            grade,
            class_no,
            student_no,
            name,
            sex,
            birth_date: birth,
            ethnicity,
            id_card,
            status,
            status_date,
            destination,
            flags,
        },
    ))
}

fn teacher_row(r: &mut Row) -> Option<(String, TeacherRecord)> {
    let term = r.term();
    let school_code = r.school_code();
    let staff_no = r.text("工号");
    let name = r.name("姓名");
    let sex = r.labelled("性别", Sex::parse, "男、女".to_string());
    let birth = r.date("出生日期");
    let education = r.labelled("最高学历", Education::parse, Education::labels());
    let title = r.labelled_or("职称", Title::parse, Title::labels(), Title::None);
    let subjects: Vec<String> = r
        .text("任教学科")
        .map(|s| {
            s.split(['、', ';', '；', ',', '，']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
        })
        .unwrap_or_default();
    let post = r.labelled("任职类型", Post::parse, Post::labels());
    let head_teacher = r.yes_no("是否班主任");
    let backbone = r.labelled_or("骨干级别", BackboneLevel::parse, BackboneLevel::labels(), BackboneLevel::None);
    let tier = r.labelled_or("发展层级", Tier::parse, Tier::labels(), Tier::Novice);
    let certified = r.yes_no("教师资格证");
    let joined_school = match r.opt("进本校年月") {
        None => None,
        Some(v) => match eduq_core::calendar::parse_month(&v) {
            Some(d) => Some(d),
            None => {
                r.fail("进本校年月", "不是有效年月（如2015-09）");
                None
            }
        },
    };
    let registered_on = match r.opt("资格注册日期") {
        None => None,
        Some(_) => r.date("资格注册日期"),
    };
    let (term, school_code, staff_no, birth) = (term?, school_code?, staff_no?, birth?);
    if registered_on.is_some_and(|d| d > term.nominal_bounds().1 || d < birth) {
        r.fail("资格注册日期", "晚于本学期或早于出生日期");
    }
    if joined_school.is_some_and(|j| j > term.nominal_bounds().1 || j < birth) {
        r.fail("进本校年月", "晚于本学期或早于出生日期");
    }
    let age = age_on(birth, term.nominal_bounds().0);
    if !(18..=70).contains(&age) {
        r.fail("出生日期", format!("对应年龄{age}岁，不在18至70岁之间"));
    }
    let key = format!("{staff_no}/{}", term.key());
    Some((
        key,
        TeacherRecord {
            term,
            school_code,
            staff_no,
            name: name?,
            sex: sex?,
            birth_date: birth,
            education: education?,
            title: title?,
            subjects,
            post: post?,
            head_teacher,
            backbone: backbone?,
            tier: tier?,
            certified,
            joined_school,
            registered_on,
        },
    ))
}

fn condition_row(r: &mut Row) -> Option<(String, ConditionRecord)> {
    let school_code = r.school_code();
    let start_year = r.school_year();
    let rec = ConditionRecord {
        school_code: school_code.clone().unwrap_or_default(),
        start_year: start_year.unwrap_or_default(),
        land_area: r.number("占地面积").unwrap_or_default(),
        building_area: r.number("校舍建筑面积").unwrap_or_default(),
        teaching_area: r.number("教学及辅助用房面积").unwrap_or_default(),
        sports_outdoor_area: r.number("室外体育运动场馆面积").unwrap_or_default(),
        sports_indoor_area: r.number("室内体育运动场馆面积").unwrap_or_default(),
        equipment_value: r.number("教学仪器设备值").unwrap_or_default(),
        multimedia_rooms: r.count("网络多媒体教室数").unwrap_or_default(),
        student_computers: r.count("学生用计算机数").unwrap_or_default(),
        teacher_computers: r.count("教师用计算机数").unwrap_or_default(),
        books: r.count("图书册数").unwrap_or_default(),
        bandwidth_mbps: r.number("出口带宽").unwrap_or_default(),
        music_rooms: r.count("音乐专用教室数").unwrap_or_default(),
        music_area: r.number("音乐专用教室面积").unwrap_or_default(),
        art_rooms: r.count("美术专用教室数").unwrap_or_default(),
        art_area: r.number("美术专用教室面积").unwrap_or_default(),
    };
    if rec.teaching_area > rec.building_area && rec.building_area > 0.0 {
        r.fail("教学及辅助用房面积", "大于校舍建筑面积");
    }
    let key = format!("{}/{}", school_code?, start_year?);
    Some((key, rec))
}

fn opt_date(d: Option<NaiveDate>) -> Cell {
    Cell::Text(d.map(|d| d.to_string()).unwrap_or_default())
}

/// Rows for export, in the import layout (same headers), so that a round trip is lossless.
pub fn to_rows(batch: &Batch) -> Vec<Vec<Cell>> {
    match batch {
        Batch::Schools(v) => v
            .iter()
            .map(|s| {
                vec![
                    s.code.as_str().into(),
                    s.name.as_str().into(),
                    s.school_type.label().into(),
                    s.locale.label().into(),
                    s.ownership.label().into(),
                    yes_no(s.inclusive).into(),
                    yes_no(s.purchased_places).into(),
                    s.groups.join("；").into(),
                ]
            })
            .collect(),
        Batch::Classes(v) => v
            .iter()
            .map(|c| {
                vec![
                    c.school_code.as_str().into(),
                    format!("{}-{}", c.start_year, c.start_year + 1).into(),
                    c.grade.name().into(),
                    i64::from(c.class_no).into(),
                    c.name.as_str().into(),
                    c.head_teacher_no.clone().unwrap_or_default().into(),
                    c.campus.clone().unwrap_or_default().into(),
                ]
            })
            .collect(),
        Batch::Students(v) => v
            .iter()
            .map(|s| {
                let mut row: Vec<Cell> = vec![
                    s.term.school_year().into(),
                    s.term.term_name().into(),
                    s.school_code.as_str().into(),
                    s.grade.name().into(),
                    i64::from(s.class_no).into(),
                    s.student_no.as_str().into(),
                    s.name.as_str().into(),
                    s.sex.label().into(),
                    s.birth_date.to_string().into(),
                    s.ethnicity.as_str().into(),
                    s.id_card.clone().unwrap_or_default().into(),
                    s.status.label().into(),
                    opt_date(s.status_date),
                    s.destination.clone().unwrap_or_default().into(),
                ];
                row.extend(s.flags.as_array().map(|f| Cell::from(yes_no(f))));
                row
            })
            .collect(),
        Batch::Teachers(v) => v
            .iter()
            .map(|t| {
                vec![
                    t.term.school_year().into(),
                    t.term.term_name().into(),
                    t.school_code.as_str().into(),
                    t.staff_no.as_str().into(),
                    t.name.as_str().into(),
                    t.sex.label().into(),
                    t.birth_date.to_string().into(),
                    t.education.label().into(),
                    t.title.label().into(),
                    t.subjects.join("、").into(),
                    t.post.label().into(),
                    yes_no(t.head_teacher).into(),
                    t.backbone.label().into(),
                    t.tier.label().into(),
                    yes_no(t.certified).into(),
                    t.joined_school.map(|d| d.format("%Y-%m").to_string()).unwrap_or_default().into(),
                    t.registered_on.map(|d| d.to_string()).unwrap_or_default().into(),
                ]
            })
            .collect(),
        Batch::Conditions(v) => v
            .iter()
            .map(|c| {
                vec![
                    c.school_code.as_str().into(),
                    format!("{}-{}", c.start_year, c.start_year + 1).into(),
                    c.land_area.into(),
                    c.building_area.into(),
                    c.teaching_area.into(),
                    c.sports_outdoor_area.into(),
                    c.sports_indoor_area.into(),
                    c.equipment_value.into(),
                    c.multimedia_rooms.into(),
                    c.student_computers.into(),
                    c.teacher_computers.into(),
                    c.books.into(),
                    c.bandwidth_mbps.into(),
                    c.music_rooms.into(),
                    c.music_area.into(),
                    c.art_rooms.into(),
                    c.art_area.into(),
                ]
            })
            .collect(),
    }
}

/// A file in the import layout for a batch (xlsx or csv by `csv`).
pub fn export(batch: &Batch, csv: bool) -> Result<Vec<u8>, ExchangeError> {
    export_columns(batch, csv, &[])
}

/// The special-group columns of the students layout: left out of exports for roles that may not
/// read them (a column of "否" would be false data).
pub const SPECIAL_GROUP_HEADERS: [&str; 5] = ["残疾", "建档立卡/低保家庭", "留守儿童", "随迁子女", "单亲"];

/// As [`export`], without the columns named in `omit` (they are optional on import).
pub fn export_columns(batch: &Batch, csv: bool, omit: &[&str]) -> Result<Vec<u8>, ExchangeError> {
    let kind = batch.kind();
    let keep: Vec<usize> = (0..kind.headers().len()).filter(|i| !omit.contains(&kind.headers()[*i])).collect();
    let headers: Vec<&str> = keep.iter().map(|i| kind.headers()[*i]).collect();
    let mut rows = to_rows(batch);
    if keep.len() < kind.headers().len() {
        for row in &mut rows {
            *row = keep.iter().filter_map(|i| row.get(*i).cloned()).collect();
        }
    }
    if csv { Ok(crate::table::write_csv(&headers, &rows)) } else { crate::write_xlsx(kind.label(), &headers, &rows) }
}

/// How to fill any template, above the list of columns on its second sheet.
const FILLING_NOTES: [&str; 5] = [
    "填写说明",
    "1. 第一个工作表的第一行是列名，请勿修改或删除；从第二行起每行填写一条记录，不要合并单元格。",
    "2. 日期写作 2026-09-01；是否类的列填写“是”或“否”；选填的列可以留空。",
    "3. 导入前会逐行检查，有错误时整份文件都不写入，并列出出错的行、列和值；同一文件重复导入不会重复写入。",
    "4. 下表的示例值是合成数据，只示意格式，请勿照抄。",
];

/// A template of `kind`: an empty sheet with its headers to fill, and a second sheet that says
/// how to fill it, column by column, with the values of `example` (a record of the kind).
pub fn template(kind: Kind, example: Option<&Batch>) -> Result<Vec<u8>, ExchangeError> {
    let sample = example.map(to_rows).and_then(|rows| rows.into_iter().next()).unwrap_or_default();
    let notes: Vec<Vec<Cell>> = kind
        .headers()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let need = if Kind::is_required(h) { "必填" } else { "选填" };
            vec![Cell::from(*h), Cell::from(need), sample.get(i).cloned().unwrap_or(Cell::Text(String::new()))]
        })
        .collect();
    crate::table::write_workbook(&[
        crate::table::Sheet { name: kind.label(), title: vec![], headers: kind.headers(), rows: &[] },
        crate::table::Sheet {
            name: "填写说明",
            title: FILLING_NOTES.iter().map(ToString::to_string).collect(),
            headers: &["列名", "是否必填", "示例"],
            rows: &notes,
        },
    ])
}
