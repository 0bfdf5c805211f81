//! A training platform's completion export shaped like a real one: every teacher's courses over
//! several years (国培/省培/区级/校本/网络研修 in a realistic mix), rows in no particular order, many
//! teachers with the same course on the same day, and ids that differ by one digit.

use chrono::{Days, NaiveDate};
use eduq_core::rng::Rng;

/// The platform's columns, as `eduq_exchange::training::TRAINING_HEADERS` reads them.
pub const HEADERS: [&str; 9] =
    ["工号", "姓名", "课程名称", "培训级别", "培训形式", "师德", "学时", "完成日期", "培训机构"];

/// (course, level, mode, 师德, hours)
const COURSES: &[(&str, &str, &str, &str, f64)] = &[
    ("国培计划·骨干教师能力提升", "国培", "集中", "否", 120.0),
    ("国培计划·乡村教师访名校", "国培", "集中", "否", 60.0),
    ("省级新课程新教材培训", "省培", "集中", "否", 48.0),
    ("国家智慧教育平台寒假研修", "国培", "网络", "否", 10.0),
    ("国家智慧教育平台暑期研修", "国培", "网络", "否", 10.0),
    ("市级学科带头人研修", "市级", "集中", "否", 40.0),
    ("区级学科教研活动", "区级", "集中", "否", 16.0),
    ("师德师风专题培训", "区级", "网络", "是", 12.0),
    ("校本研修：作业设计与评价", "校级", "校本", "否", 24.0),
    ("校本研修：信息技术应用能力提升2.0", "校级", "校本", "否", 25.0),
    ("心理健康教育全员培训", "区级", "网络", "否", 8.0),
];

const PROVIDERS: &[&str] = &["某师范大学", "省教师发展中心", "市教育学院", "区教师发展中心", "本校", ""];

/// About `per_teacher_year` completion rows per teacher and year for the `years` years before
/// `today`, shuffled. `teachers` are (工号, 姓名).
pub fn completions(
    seed: u64,
    teachers: &[(String, String)],
    years: u32,
    per_teacher_year: f64,
    today: NaiveDate,
) -> Vec<[String; 9]> {
    let mut rng = Rng::new(seed);
    let days = i64::from(years) * 365;
    let mut rows = Vec::new();
    for (staff_no, name) in teachers {
        let n = (per_teacher_year * f64::from(years) * (0.6 + 0.8 * rng.unit())).round() as usize;
        for _ in 0..n {
            let (course, level, mode, ethics, hours) = COURSES[rng.below(COURSES.len() as u64) as usize];
            let day = today - Days::new(rng.below(days as u64) + 1);
            let provider = PROVIDERS[rng.below(PROVIDERS.len() as u64) as usize];
            rows.push([
                staff_no.clone(),
                name.clone(),
                course.to_string(),
                level.to_string(),
                mode.to_string(),
                ethics.to_string(),
                format!("{hours}"),
                day.to_string(),
                provider.to_string(),
            ]);
        }
    }
    // Fisher–Yates: a platform's export follows no order of ours.
    for i in (1..rows.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        rows.swap(i, j);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_shuffled_and_sized() {
        let teachers: Vec<(String, String)> = (0..100).map(|i| (format!("T{i:07}"), format!("教师{i}"))).collect();
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("day");
        let rows = completions(3, &teachers, 5, 8.7, today);
        assert!((3_000..=5_800).contains(&rows.len()), "{}", rows.len());
        assert_ne!(rows[0][0], rows[1][0].clone(), "not grouped by teacher");
        assert!(rows.iter().all(|r| r[7].as_str() < "2026-12-01" && r[7].as_str() >= "2021-12-01"));
        assert_eq!(rows, completions(3, &teachers, 5, 8.7, today), "seeded");
    }
}
