//! A synthetic 体质健康 test round in the national upload layout, with vision screening: results
//! drawn around each table's 60–90-point rows, a few pupils exempt, missing an item, or with a typo.

use eduq_core::fitness::group_of_code;
use eduq_core::standards::fitness::{Item, tables};
use eduq_core::student::Sex;

use crate::Rng;

pub use eduq_core::standards::fitness::{UPLOAD_HEADERS as HEADERS, grade_code};

fn column(item: Item) -> usize {
    match item {
        Item::LungCapacity => 10,
        Item::Run50m => 11,
        Item::StandingLongJump => 12,
        Item::SitAndReach => 13,
        Item::Run800m => 14,
        Item::Run1000m => 15,
        Item::SitUp1min => 16,
        Item::PullUp => 17,
        Item::Rope1min => 18,
        Item::Shuttle50x8 => 19,
        Item::Bmi => 8,
    }
}

/// How a file writes 800米/1000米/往返跑 times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Times {
    /// 分.秒, as the national template has it (215 s → "3.35").
    Dotted,
    /// 分'秒", as most schools' files have it (215 s → `3'35"`; a csv writer quotes the field).
    Primes,
}

fn minutes_seconds(s: f64, times: Times) -> String {
    let s = s.round() as u32;
    match times {
        Times::Dotted => format!("{}.{:02}", s / 60, s % 60),
        Times::Primes => format!("{}'{:02}\"", s / 60, s % 60),
    }
}

/// One pupil to generate a result for: 学籍号, school grade 1–12, sex, and the class name.
pub struct Pupil<'a> {
    pub student_no: &'a str,
    pub grade: u8,
    pub sex: Sex,
    pub class: &'a str,
}

/// Calls `f` with each pupil's row (cells in `HEADERS` order). With `typos`, one pupil in a thousand
/// gets an impossible value, as real uploads do.
pub fn rows_for(seed: u64, pupils: &[Pupil], typos: bool, times: Times, mut f: impl FnMut(&[String])) {
    let mut rng = Rng::new(seed ^ 0xF17_u64);
    let t = tables();
    let mut row = vec![String::new(); HEADERS.len()];
    for (i, p) in pupils.iter().enumerate() {
        row.iter_mut().for_each(String::clear);
        let code = grade_code(p.grade);
        let Some(group) = group_of_code(code) else { continue };
        let (grade, sex) = (p.grade, p.sex);
        row[0] = code.to_string();
        row[1] = code.to_string();
        row[2] = p.class.to_string();
        row[3] = p.student_no.to_string();
        row[4] = "01".into();
        row[5] = format!("学生{i}");
        row[6] = if sex == Sex::Male { "1" } else { "2" }.into();
        row[7] = format!("{}-{:02}-{:02}", 2020 - i32::from(grade), 1 + rng.below(12), 1 + rng.below(28));
        let height = 115.0 + 5.5 * f64::from(grade) + 6.0 * rng.normal();
        let bmi = 15.0
            + 0.45 * f64::from(grade)
            + 2.6 * rng.normal().abs().min(3.0) * if rng.below(3) == 0 { -0.6 } else { 1.0 };
        row[8] = format!("{height:.1}");
        row[9] = format!("{:.1}", bmi * (height / 100.0).powi(2));
        let skill = rng.normal();
        for &(item, _) in &t.weights[&(group, sex)] {
            if item == Item::Bmi {
                continue;
            }
            let table = &t.items[&(group, sex, item)];
            // A row index around the 72-point rows, shifted by the pupil's overall fitness.
            let k = ((8.0 - 4.0 * (skill + 0.6 * rng.normal())).round().clamp(0.0, 19.0) as usize)
                .min(table.rows.len() - 1);
            let (_, v) = table.rows[k];
            let cell = match item {
                Item::Run50m => format!("{v:.1}"),
                Item::SitAndReach => format!("{:.1}", v + 0.1 * rng.below(3) as f64),
                Item::Run800m | Item::Run1000m | Item::Shuttle50x8 => minutes_seconds(v, times),
                _ => format!("{}", v.round() as i64),
            };
            row[column(item)] = cell;
        }
        match rng.below(1000) {
            0..=4 => row[27] = "免测".into(),
            5..=14 => row[11].clear(),
            15 if typos => row[10] = "2.5".into(),
            _ => {}
        }
        // Vision: myopia grows with grade (about 10 % at 7, 70 % at 17). About one pupil in
        // sixteen of the others sees below 5.0 without myopia (远视, 散光, 弱视): 视力不良 but not
        // 筛查性近视, as in real screenings. Chosen by index, so the random stream stays as it was.
        let myopic = rng.unit() < 0.05 + 0.06 * f64::from(grade);
        let other_poor = !myopic && (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60 == 0;
        for eye in 0..2 {
            let (acuity, sphere) = if myopic {
                let s = -0.5 - 0.25 * rng.below(2 + 2 * u64::from(grade)) as f64;
                ((5.0 + s / 2.5).clamp(3.8, 4.9), s)
            } else {
                let (a, s) = (5.0 + 0.1 * rng.below(3) as f64, 0.25 * rng.below(3) as f64);
                if other_poor { (a - 0.3, s + 1.0) } else { (a, s) }
            };
            row[20 + eye] = format!("{acuity:.1}");
            row[22 + 2 * eye] = format!("{sphere:.2}");
            row[23 + 2 * eye] = format!("{:.2}", 0.0 - 0.25 * rng.below(3) as f64 + 0.0);
        }
        row[26] = if myopic && rng.below(3) > 0 { "框架眼镜" } else { "不戴镜" }.into();
        f(&row);
    }
}

/// A synthetic round of `pupils` pupils across grades 1–12 (for the batch command's samples), in a
/// shuffled order with 学籍号-like ids.
pub fn round(seed: u64, pupils: usize, times: Times, f: impl FnMut(&[String])) {
    let mut rng = Rng::new(seed);
    let mut numbers: Vec<String> = (0..pupils).map(crate::student_number).collect();
    for i in (1..numbers.len()).rev() {
        numbers.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let classes: Vec<String> = (0..8).map(|c| format!("{}班", c + 1)).collect();
    let list: Vec<Pupil> = numbers
        .iter()
        .map(|n| Pupil {
            student_no: n,
            grade: CODES_GRADES[rng.below(CODES_GRADES.len() as u64) as usize],
            sex: if rng.below(2) == 0 { Sex::Male } else { Sex::Female },
            class: &classes[rng.below(8) as usize],
        })
        .collect();
    rows_for(seed, &list, true, times, f);
}

const CODES_GRADES: &[u8] = &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_full_width_and_mostly_complete() {
        let mut n = 0;
        round(5, 200, Times::Primes, |r| {
            assert_eq!(r.len(), HEADERS.len());
            assert!(!r[0].is_empty() && !r[6].is_empty());
            n += 1;
        });
        assert_eq!(n, 200);
    }
}
