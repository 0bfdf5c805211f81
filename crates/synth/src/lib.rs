//! Seeded synthetic districts: the same seed always gives the same district.
//!
//! Used by `eduq demo`, `eduq gen`, the tests and the benchmarks. Every name, number and
//! identifier is made up; the 身份证号 use the fictitious region code 99xxxx so that they can never
//! be a real person's.

pub mod admissions;
pub mod attendance;
pub mod exams;
pub mod fitness;
pub mod hostile;
pub mod intake;
pub mod names;
pub mod screening;
pub mod supervision;
pub mod survey;
pub mod timetable;
pub mod training;

use chrono::{Datelike, NaiveDate};
use eduq_core::calendar::Term;
use eduq_core::grade::{Grade, Stage};
use eduq_core::identity::id_check_char;
use eduq_core::org::{Locale, Ownership, SchoolType};
use eduq_core::records::{ClassRecord, ConditionRecord, SchoolRecord, StudentRecord, TeacherRecord};
use eduq_core::student::{EnrolmentStatus, Sex, SpecialFlags};
use eduq_core::teacher::{BackboneLevel, Education, Post, Tier, Title};
use std::collections::HashMap;

pub use eduq_core::rng::Rng;

/// The 学籍号 of synthetic pupil `i` in the batch samples: G and an 18-character 身份证号 with a
/// valid check character (fictitious region 99xxxx; birth dates over two years, 1,000 pupils a
/// day), so ids differ only in their last digits as a real district's do.
pub fn student_number(i: usize) -> String {
    let region = 990102 + (i / 730_000) as u32;
    let birth =
        NaiveDate::from_ymd_opt(2014, 9, 1).unwrap_or_default() + chrono::Duration::days((i / 1000 % 730) as i64);
    let first17 = format!("{region}{}{:03}", birth.format("%Y%m%d"), i % 1000);
    let check = id_check_char(&first17).unwrap_or('0');
    format!("G{first17}{check}")
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub seed: u64,
    /// Approximate pupils on roll in the last term.
    pub students: usize,
    /// The latest term; history goes back `years` school years including this one.
    pub current: Term,
    pub years: i32,
}

impl Spec {
    /// The demo district: ~30,000 pupils, ~40 schools, three school years.
    pub fn demo(current: Term) -> Spec {
        Spec { seed: 20_240_901, students: 30_000, current, years: 3 }
    }
}

/// A generated district, as import records.
#[derive(Debug, Default)]
pub struct District {
    pub name: String,
    pub schools: Vec<SchoolRecord>,
    pub classes: Vec<ClassRecord>,
    pub students: Vec<StudentRecord>,
    pub teachers: Vec<TeacherRecord>,
    pub conditions: Vec<ConditionRecord>,
}

/// The mix of a 30k district: (type, count, pupils per school, locale weights urban/town/rural).
const MIX: [(SchoolType, usize, usize); 9] = [
    (SchoolType::Kindergarten, 8, 220),
    (SchoolType::Primary, 14, 1_000),
    (SchoolType::TeachingPoint, 3, 60),
    (SchoolType::Junior, 5, 1_000),
    (SchoolType::NineYear, 3, 1_300),
    (SchoolType::Senior, 3, 1_500),
    (SchoolType::Complete, 1, 1_200),
    (SchoolType::Vocational, 1, 900),
    (SchoolType::Special, 1, 90),
];

fn grades_of(t: SchoolType) -> Vec<Grade> {
    Grade::all().filter(|g| t.stages().contains(&g.stage())).collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

struct Pupil {
    student_no: String,
    name: String,
    sex: Sex,
    birth: NaiveDate,
    ethnicity: &'static str,
    id_card: String,
    flags: SpecialFlags,
    school: usize,
    grade: Grade,
    class_no: i32,
    left: bool,
}

struct Ids {
    per_birth: HashMap<(u16, NaiveDate, bool), u16>,
}

impl Ids {
    /// A valid 18-character number with region 99xxxx (fictitious), unique per call.
    fn next(&mut self, region: u16, birth: NaiveDate, male: bool) -> String {
        let region = region % 10_000;
        let seq = self.per_birth.entry((region, birth, male)).or_insert(0);
        let n = *seq;
        *seq += 1;
        // Sequence digits: two digits of n/5 and a parity digit carrying the sex.
        let parity = (n % 5) as u32 * 2 + u32::from(male);
        let region = region + n / 500; // spill into the next region code past 500 per day and sex
        let first = format!(
            "99{region:04}{:04}{:02}{:02}{:02}{parity}",
            birth.year(),
            birth.month(),
            birth.day(),
            (n / 5) % 100
        );
        let check = id_check_char(&first).unwrap_or('0');
        format!("{first}{check}")
    }
}

/// Generates a district. Deterministic in `spec`.
pub fn generate(spec: &Spec) -> District {
    let mut rng = Rng::new(spec.seed);
    let scale = spec.students as f64 / 30_000.0;
    let mut d = District { name: "示范区".to_string(), ..District::default() };
    let first_year = spec.current.start_year - spec.years + 1;

    // Schools.
    let mut school_grades = Vec::new();
    let mut school_size = Vec::new();
    let mut serial = 0usize;
    let copies = scale.ceil().max(1.0) as usize;
    let per_copy = scale / copies as f64;
    for copy in 0..copies {
        for (t, count, size) in MIX {
            for i in 0..count {
                serial += 1;
                let locale = match (t, i % 4) {
                    (SchoolType::TeachingPoint, _) => Locale::Rural,
                    (_, 0 | 1) => Locale::Urban,
                    (_, 2) => Locale::Town,
                    _ => Locale::Rural,
                };
                let private = t == SchoolType::Kindergarten && i % 3 == 2;
                let code = format!("{:010}", 3_199_000_000u64 + serial as u64);
                let place = names::PLACES[(serial - 1) % names::PLACES.len()];
                let suffix = if copies > 1 { format!("{}", copy + 1) } else { String::new() };
                let name = match t {
                    SchoolType::Kindergarten => format!("示范区{place}{suffix}幼儿园"),
                    SchoolType::Primary => format!("示范区{place}{suffix}小学"),
                    SchoolType::TeachingPoint => format!("示范区{place}{suffix}小学教学点"),
                    SchoolType::Junior => format!("示范区{place}{suffix}初级中学"),
                    SchoolType::NineYear => format!("示范区{place}{suffix}九年一贯制学校"),
                    SchoolType::Senior => format!("示范区{place}{suffix}高级中学"),
                    SchoolType::Complete => format!("示范区{place}{suffix}中学"),
                    SchoolType::Vocational => format!("示范区{place}{suffix}职业高级中学"),
                    _ => format!("示范区{place}{suffix}特殊教育学校"),
                };
                let zone = format!("{}学区", ["城东", "城西", "城北", "城南"][serial % 4]);
                let mut groups = vec![zone];
                if matches!(t, SchoolType::Primary | SchoolType::Junior) && i < 3 {
                    groups.push("示范区实验教育集团".to_string());
                }
                d.schools.push(SchoolRecord {
                    code,
                    name,
                    school_type: t,
                    locale,
                    ownership: if private { Ownership::Private } else { Ownership::Public },
                    inclusive: t == SchoolType::Kindergarten && i % 4 != 3,
                    purchased_places: false,
                    groups,
                });
                school_grades.push(grades_of(t));
                let jitter = 0.75 + rng.unit() * 0.5;
                school_size.push((size as f64 * per_copy * jitter).max(20.0) as usize);
            }
        }
    }

    // Pupils: start from the earliest year and age them forward.
    let mut ids = Ids { per_birth: HashMap::new() };
    let mut pupils: Vec<Pupil> = Vec::new();
    let mut new_pupil = |rng: &mut Rng, school: usize, grade: Grade, year: i32, pupils: &mut Vec<Pupil>| {
        let male = rng.unit() < 0.52;
        let sex = if male { Sex::Male } else { Sex::Female };
        let age = eduq_core::standards::enrolment_age::nominal_age(grade) + if rng.unit() < 0.04 { 1 } else { 0 };
        // Born between 1 Sep (age+1 years before) and 31 Aug (age years before) of entry.
        let start = date(year - age - 1, 9, 1);
        let birth = start + chrono::Days::new(rng.below(365));
        let id = ids.next((school % 100) as u16 + 100, birth, male);
        let flags = SpecialFlags {
            disability: rng.unit() < 0.008,
            poverty: rng.unit() < 0.03,
            left_behind: rng.unit() < 0.06,
            migrant: rng.unit() < 0.12,
            single_parent: rng.unit() < 0.05,
        };
        pupils.push(Pupil {
            student_no: format!("G{id}"),
            name: names::person(rng, male),
            sex,
            birth,
            ethnicity: if rng.unit() < 0.93 {
                "汉族"
            } else {
                names::ETHNIC[rng.below(names::ETHNIC.len() as u64) as usize]
            },
            id_card: id,
            flags,
            school,
            grade,
            class_no: 0,
            left: false,
        });
    };

    // Initial population in the first year.
    for (s, grades) in school_grades.iter().enumerate() {
        let per_grade = school_size[s] / grades.len().max(1);
        for g in grades {
            for _ in 0..per_grade {
                new_pupil(&mut rng, s, *g, first_year, &mut pupils);
            }
        }
    }

    let mut staff_serial = 0usize;
    for year in first_year..=spec.current.start_year {
        if year > first_year {
            // Promote; graduates of the top grade leave; new intake at the entry grade.
            for p in pupils.iter_mut().filter(|p| !p.left) {
                let grades = &school_grades[p.school];
                match grades.iter().position(|g| *g == p.grade) {
                    Some(i) if i + 1 < grades.len() => p.grade = grades[i + 1],
                    _ => p.left = true,
                }
            }
            for (s, grades) in school_grades.iter().enumerate() {
                let per_grade = school_size[s] / grades.len().max(1);
                let intake = (per_grade as f64 * (0.95 + rng.unit() * 0.1)) as usize;
                for _ in 0..intake {
                    new_pupil(&mut rng, s, grades[0], year, &mut pupils);
                }
                // A few pupils move in from elsewhere into later grades.
                for g in grades.iter().skip(1) {
                    if rng.unit() < 0.3 {
                        new_pupil(&mut rng, s, *g, year, &mut pupils);
                    }
                }
            }
        }

        // Classes for this year: sizes follow the school's locale (urban schools are fuller).
        let mut by_school_grade: HashMap<(usize, Grade), Vec<usize>> = HashMap::new();
        for (i, p) in pupils.iter().enumerate().filter(|(_, p)| !p.left) {
            by_school_grade.entry((p.school, p.grade)).or_default().push(i);
        }
        let mut keys: Vec<_> = by_school_grade.keys().copied().collect();
        keys.sort();
        for key in keys {
            let members = &by_school_grade[&key];
            let (s, g) = key;
            let target = match (g.stage(), d.schools[s].locale) {
                (Stage::Preschool, _) => 30,
                (_, Locale::Urban) => 48,
                (_, Locale::Town) => 44,
                _ => 36,
            };
            let n_classes = members.len().div_ceil(target).max(1);
            for c in 0..n_classes {
                d.classes.push(ClassRecord {
                    school_code: d.schools[s].code.clone(),
                    start_year: year,
                    grade: g,
                    class_no: c as i32 + 1,
                    name: format!("{}（{}）班", g.name(), c + 1),
                    head_teacher_no: None,
                    // Every fifth school runs a second site for its upper grades.
                    campus: (s % 5 == 0).then(|| if g.number() >= 4 { "北校区" } else { "本部" }.to_string()),
                });
            }
            for (k, &i) in members.iter().enumerate() {
                pupils[i].class_no = (k % n_classes) as i32 + 1;
            }
        }

        for term_no in 1..=2u8 {
            let term = Term { start_year: year, term_no };
            if term > spec.current {
                break;
            }
            let (t_start, _) = term.nominal_bounds();
            for p in pupils.iter_mut().filter(|p| !p.left) {
                let r = rng.unit();
                let (status, status_date) = if r < 0.004 {
                    (EnrolmentStatus::TransferOut, Some(t_start + chrono::Days::new(rng.below(100))))
                } else if r < 0.0045 && p.grade.stage() != Stage::Preschool {
                    (EnrolmentStatus::DroppedOut, Some(t_start + chrono::Days::new(rng.below(100))))
                } else if r < 0.0055 {
                    (EnrolmentStatus::Suspended, Some(t_start + chrono::Days::new(rng.below(60))))
                } else {
                    (EnrolmentStatus::Enrolled, None)
                };
                d.students.push(StudentRecord {
                    term,
                    school_code: d.schools[p.school].code.clone(),
                    grade: p.grade,
                    class_no: p.class_no,
                    student_no: p.student_no.clone(),
                    name: p.name.clone(),
                    sex: p.sex,
                    birth_date: p.birth,
                    ethnicity: p.ethnicity.to_string(),
                    id_card: Some(p.id_card.clone()),
                    status,
                    status_date,
                    // Transfers leave the district; one in five without a stated destination.
                    destination: (status == EnrolmentStatus::TransferOut
                        && p.student_no.bytes().last().is_some_and(|b| b % 5 != 0))
                    .then(|| "外县（区）学校".to_string()),
                    flags: p.flags,
                });
                if !status.is_on_roll() {
                    p.left = true;
                }
            }
        }

        // Conditions for the year.
        for (s, school) in d.schools.iter().enumerate() {
            let n = school_size[s] as f64;
            let rich = match school.locale {
                Locale::Urban => 1.1,
                Locale::Town => 1.0,
                Locale::Rural => 0.8,
            } * (0.85 + rng.unit() * 0.3);
            let growth = 1.0 + 0.03 * f64::from(year - first_year);
            d.conditions.push(ConditionRecord {
                school_code: school.code.clone(),
                start_year: year,
                land_area: (n * 22.0 * rich).round(),
                building_area: (n * 9.0 * rich).round(),
                teaching_area: (n * 4.6 * rich * growth).round(),
                sports_outdoor_area: (n * 6.5 * rich).round(),
                sports_indoor_area: (n * 1.2 * rich).round(),
                equipment_value: (n * 2_300.0 * rich * growth).round(),
                multimedia_rooms: ((n / 40.0) * rich).ceil() as i64,
                student_computers: ((n / 7.0) * rich * growth).round() as i64,
                teacher_computers: ((n / 12.0) * rich).round() as i64,
                books: (n * 30.0 * rich).round() as i64,
                bandwidth_mbps: if school.locale == Locale::Rural { 200.0 } else { 1000.0 },
                music_rooms: (n / 600.0).ceil() as i64,
                music_area: ((n / 600.0).ceil() * 96.0).round(),
                art_rooms: (n / 600.0).ceil() as i64,
                art_area: ((n / 600.0).ceil() * 96.0).round(),
            });
        }
    }

    // Teachers for each term: about one per 13 pupils, stable staff numbers across terms.
    let mut staff: Vec<(usize, TeacherRecord)> = Vec::new();
    for (s, school) in d.schools.iter().enumerate() {
        let ratio = match school.school_type {
            SchoolType::Kindergarten => 9.0,
            SchoolType::Senior | SchoolType::Complete | SchoolType::Vocational => 12.0,
            SchoolType::Special => 3.0,
            _ => 15.0,
        };
        let n = ((school_size[s] as f64 / ratio).ceil() as usize).max(3);
        let subjects: &[&str] = match school.school_type {
            SchoolType::Kindergarten => &["学前教育"],
            SchoolType::Primary | SchoolType::TeachingPoint => {
                &["语文", "数学", "英语", "体育", "音乐", "美术", "科学", "道德与法治", "信息科技"]
            }
            _ => &[
                "语文",
                "数学",
                "英语",
                "物理",
                "化学",
                "生物",
                "历史",
                "地理",
                "道德与法治",
                "体育",
                "音乐",
                "美术",
                "信息科技",
            ],
        };
        for _ in 0..n {
            staff_serial += 1;
            let male = rng.unit() < 0.3;
            let age = 23 + rng.below(36) as i32;
            let birth = date(spec.current.start_year - age, 1, 1) + chrono::Days::new(rng.below(365));
            let e = rng.unit();
            let education = if e < 0.04 {
                Education::Master
            } else if e < 0.8 {
                Education::Bachelor
            } else if e < 0.97 {
                Education::Associate
            } else {
                Education::HighSchool
            };
            let t = rng.unit();
            let title = if age < 26 {
                Title::None
            } else if t < 0.02 {
                Title::Senior
            } else if t < 0.25 {
                Title::Advanced
            } else if t < 0.65 {
                Title::First
            } else {
                Title::Second
            };
            let b = rng.unit();
            let backbone = if b < 0.01 {
                BackboneLevel::Province
            } else if b < 0.05 {
                BackboneLevel::City
            } else if b < 0.14 {
                BackboneLevel::County
            } else {
                BackboneLevel::None
            };
            let tier = match backbone {
                BackboneLevel::Province => Tier::Master,
                BackboneLevel::City | BackboneLevel::County => Tier::Backbone,
                _ if age < 28 => Tier::Novice,
                _ if rng.unit() < 0.2 => Tier::Rising,
                _ => Tier::Novice,
            };
            let first = subjects[rng.below(subjects.len() as u64) as usize];
            let mut subj = vec![first.to_string()];
            if rng.unit() < 0.2 {
                let second = subjects[rng.below(subjects.len() as u64) as usize];
                if second != first {
                    subj.push(second.to_string());
                }
            }
            staff.push((
                s,
                TeacherRecord {
                    term: spec.current,
                    school_code: school.code.clone(),
                    staff_no: format!("T{staff_serial:07}"),
                    name: names::person(&mut rng, male),
                    sex: if male { Sex::Male } else { Sex::Female },
                    birth_date: birth,
                    education,
                    title,
                    subjects: subj,
                    post: if rng.unit() < 0.95 { Post::FullTime } else { Post::PartTime },
                    head_teacher: false,
                    backbone,
                    tier,
                    certified: rng.unit() < 0.97,
                    // 进本校年月: from the year of their first post (age 22) to this year.
                    // Its own stream, so that adding it left every other generated value as it was.
                    // Every generated term of the teacher is at this school: they came by the first.
                    joined_school: {
                        let first = (birth.year() + 22).min(first_year);
                        let span = (first_year - first).max(0) as u64;
                        let back =
                            Rng::new(spec.seed ^ (staff_serial as u64).wrapping_mul(0x9e37_79b9)).below(span + 1);
                        NaiveDate::from_ymd_opt(first_year - back as i32, 9, 1)
                    },
                    // Certified teachers registered within the last five and a half years (some
                    // overdue); the date is no later than the first generated term.
                    registered_on: {
                        let mut r = Rng::new(spec.seed ^ (staff_serial as u64).wrapping_mul(0x85eb_ca6b));
                        let latest = NaiveDate::from_ymd_opt(first_year, 8, 31).unwrap_or(birth);
                        (r.unit() < 0.97).then(|| latest - chrono::Days::new(r.below(2_000)))
                    },
                },
            ));
        }
    }
    // Head teachers for the current year's classes, from the school's staff.
    let mut next_of_school: HashMap<usize, usize> = HashMap::new();
    let school_index: HashMap<String, usize> = d.schools.iter().enumerate().map(|(i, s)| (s.code.clone(), i)).collect();
    let mut staff_by_school: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, (s, _)) in staff.iter().enumerate() {
        staff_by_school.entry(*s).or_default().push(i);
    }
    for c in d.classes.iter_mut().filter(|c| c.start_year == spec.current.start_year) {
        let s = school_index.get(&c.school_code).copied().unwrap_or(0);
        let list = staff_by_school.get(&s).map(Vec::as_slice).unwrap_or(&[]);
        let k = next_of_school.entry(s).or_insert(0);
        if let Some(&ti) = list.get(*k) {
            staff[ti].1.head_teacher = true;
            c.head_teacher_no = Some(staff[ti].1.staff_no.clone());
            *k += 1;
        }
    }
    for year in first_year..=spec.current.start_year {
        for term_no in 1..=2u8 {
            let term = Term { start_year: year, term_no };
            if term > spec.current {
                break;
            }
            for (_, t) in &staff {
                d.teachers.push(TeacherRecord { term, ..t.clone() });
            }
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use eduq_core::identity::validate_student_number;

    #[test]
    fn deterministic_and_valid() {
        let spec = Spec { seed: 7, students: 3_000, current: Term { start_year: 2026, term_no: 1 }, years: 2 };
        let a = generate(&spec);
        let b = generate(&spec);
        assert_eq!(a.students.len(), b.students.len());
        assert_eq!(a.students[10], b.students[10]);
        for s in a.students.iter().take(500) {
            assert!(validate_student_number(&s.student_no).is_ok(), "{}", s.student_no);
        }
        let mut seen = std::collections::HashSet::new();
        for s in a.students.iter().filter(|s| s.term == spec.current) {
            assert!(seen.insert(&s.student_no), "duplicate {}", s.student_no);
        }
        let on_roll = a.students.iter().filter(|s| s.term == spec.current).count();
        assert!((2_500..4_000).contains(&on_roll), "{on_roll}");
    }
}
