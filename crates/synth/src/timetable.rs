//! Synthetic weekly timetables: a week per grade that opens every subject of the national floor
//! (typical periods per subject summing to the weekly total), spread over the days, with 大课间
//! every weekday; and a school's file in the upload layout, optionally with the gaps a real
//! district shows (a subject not opened, PE short, a teacher in two classes at once).

use eduq_core::grade::Grade;

/// Periods a week per subject, by grade: each list sums to the weekly total of the 课程方案.
pub fn plan(grade: i8) -> &'static [(&'static str, u32)] {
    match grade {
        1 | 2 => &[
            ("道德与法治", 2),
            ("语文", 8),
            ("数学", 4),
            ("科学", 1),
            ("体育与健康", 4),
            ("音乐", 2),
            ("美术", 2),
            ("劳动", 1),
            ("综合实践活动", 1),
            ("校本课程", 1),
        ],
        3 | 4 => &[
            ("道德与法治", 2),
            ("语文", 7),
            ("数学", 4),
            ("英语", 2),
            ("科学", 2),
            ("信息科技", 1),
            ("体育与健康", 3),
            ("音乐", 2),
            ("美术", 2),
            ("劳动", 1),
            ("综合实践活动", 2),
            ("校本课程", 2),
        ],
        5 | 6 => &[
            ("道德与法治", 2),
            ("语文", 6),
            ("数学", 5),
            ("英语", 3),
            ("科学", 2),
            ("信息科技", 1),
            ("体育与健康", 3),
            ("音乐", 2),
            ("美术", 2),
            ("劳动", 1),
            ("综合实践活动", 2),
            ("校本课程", 1),
        ],
        7 => &[
            ("道德与法治", 2),
            ("语文", 5),
            ("数学", 4),
            ("英语", 4),
            ("历史", 2),
            ("地理", 2),
            ("生物学", 3),
            ("信息科技", 1),
            ("体育与健康", 3),
            ("音乐", 1),
            ("美术", 1),
            ("劳动", 1),
            ("综合实践活动", 2),
            ("地方课程", 1),
            ("校本课程", 2),
        ],
        8 => &[
            ("道德与法治", 2),
            ("语文", 5),
            ("数学", 4),
            ("英语", 4),
            ("历史", 2),
            ("地理", 2),
            ("生物学", 2),
            ("物理", 2),
            ("信息科技", 1),
            ("体育与健康", 3),
            ("艺术", 2),
            ("劳动", 1),
            ("综合实践活动", 2),
            ("校本课程", 2),
        ],
        _ => &[
            ("道德与法治", 2),
            ("语文", 5),
            ("数学", 5),
            ("英语", 4),
            ("历史", 2),
            ("物理", 3),
            ("化学", 3),
            ("体育与健康", 3),
            ("艺术", 2),
            ("劳动", 1),
            ("综合实践活动", 2),
            ("校本课程", 2),
        ],
    }
}

/// A grade's week as (weekday, period, subject): subjects taken round-robin so that each spreads
/// over the week, days filled in turn with the total split as evenly as it goes.
pub fn week(grade: i8) -> Vec<(u8, u8, &'static str)> {
    let mut left: Vec<(&'static str, u32)> = plan(grade).to_vec();
    let mut order = Vec::new();
    while left.iter().any(|(_, n)| *n > 0) {
        for (s, n) in left.iter_mut().filter(|(_, n)| *n > 0) {
            order.push(*s);
            *n -= 1;
        }
    }
    let total = order.len() as u32;
    let mut out = Vec::with_capacity(order.len() + 5);
    let mut it = order.into_iter();
    for day in 1..=5u8 {
        let today = total / 5 + u32::from(u32::from(day) <= total % 5);
        for p in 1..=today {
            if let Some(s) = it.next() {
                out.push((day, p as u8, s));
            }
        }
        out.push((day, 0, "大课间"));
    }
    out
}

/// A school's timetable file (csv, the upload's columns without 学校标识码) for its classes
/// (grade, 班号). With `gaps`, every seventh class leaves 信息科技 or 劳动 out, every eleventh
/// drops a PE period, and the first class's first teacher of 星期一 is also set to the second
/// class's 班会 at that time.
pub fn school_csv(classes: &[(Grade, i64)], gaps: bool) -> String {
    let mut out = String::from("年级,班级,星期,节次,科目,教师\n");
    for (k, (g, no)) in classes.iter().enumerate() {
        let n = g.number();
        if !(1..=9).contains(&n) {
            continue;
        }
        let mut dropped_pe = false;
        for (d, p, s) in week(n) {
            if gaps && k % 7 == 3 && (s == "信息科技" || (n <= 2 || n == 9) && s == "劳动") {
                continue;
            }
            if gaps && k % 11 == 5 && s == "体育与健康" && !dropped_pe {
                dropped_pe = true;
                continue;
            }
            let (s, teacher) = if p == 0 {
                (s, String::new())
            } else if gaps && k == 1 && (d, p) == (1, 1) {
                let first = week(classes[0].0.number()).into_iter().find(|w| (w.0, w.1) == (1, 1)).map_or("", |w| w.2);
                ("班会", format!("{}{}班{}老师", classes[0].0.name(), classes[0].1, first))
            } else {
                (s, format!("{}{}班{}老师", g.name(), no, s))
            };
            let period = if p == 0 { "大课间".to_string() } else { p.to_string() };
            out.push_str(&format!("{},{},{},{},{},{}\n", g.name(), no, d, period, s, teacher));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use eduq_core::standards::curriculum::weekly_total;

    #[test]
    fn every_grade_fills_its_weekly_total() {
        for g in 1..=9 {
            let sum: u32 = plan(g).iter().map(|(_, n)| n).sum();
            assert_eq!(Some(sum), weekly_total(g), "grade {g}");
            let w = week(g);
            assert_eq!(w.iter().filter(|(_, p, _)| *p > 0).count() as u32, sum);
            assert_eq!(w.iter().filter(|(_, p, _)| *p == 0).count(), 5, "大课间 every weekday");
        }
    }
}
