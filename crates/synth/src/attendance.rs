//! Synthetic daily attendance: a two-state Markov chain per pupil (absence is sticky), with a few
//! pupils drifting into truancy, as the 控辍保学 early warning must find them.

use chrono::{Datelike, NaiveDate, Weekday};
use eduq_core::attendance::Status;

use crate::Rng;

/// The first `n` weekdays from `start` (a term's teaching days, holidays aside).
pub fn school_days(start: NaiveDate, n: usize) -> Vec<NaiveDate> {
    start.iter_days().filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)).take(n).collect()
}

/// Synthetic 学籍号 of pupil `i`: G and a 身份证号 (fictitious region 99, see the crate doc) as the
/// national format has it, so the ids of one district share a long prefix and differ in the last
/// digits, as real ones do.
pub fn pupil_id(i: usize) -> String {
    crate::student_number(i)
}

/// `roll`'s rows in the order a platform's export has them after a merge or a sort by something
/// else: shuffled, within windows of `window` rows (the whole file when it fits). Calls `f(pupil,
/// day_index, status)`.
pub fn shuffled_roll(seed: u64, pupils: usize, days: usize, window: usize, mut f: impl FnMut(usize, usize, Status)) {
    let mut rng = Rng::new(seed ^ 0x005A_FF1E);
    let window = window.max(1);
    let mut buf: Vec<(u32, u16, Status)> = Vec::with_capacity(window.min(pupils * days));
    let mut flush = |buf: &mut Vec<(u32, u16, Status)>, rng: &mut Rng| {
        for i in (1..buf.len()).rev() {
            buf.swap(i, rng.below(i as u64 + 1) as usize);
        }
        for &(p, d, s) in buf.iter() {
            f(p as usize, usize::from(d), s);
        }
        buf.clear();
    };
    roll(seed, pupils, days, |p, d, s| {
        buf.push((p as u32, d as u16, s));
        if buf.len() == window {
            flush(&mut buf, &mut rng);
        }
    });
    flush(&mut buf, &mut rng);
}

/// Calls `f(pupil, day_index, status)` day by day (all pupils of day 1, then day 2, …), the order
/// a daily roll export has. About 1 % of pupils are at risk: long runs of 旷课 late in the term.
pub fn roll(seed: u64, pupils: usize, days: usize, mut f: impl FnMut(usize, usize, Status)) {
    let mut rng = Rng::new(seed ^ 0xA77E_u64);
    let at_risk: Vec<bool> = (0..pupils).map(|_| rng.below(100) == 0).collect();
    let mut absent = vec![false; pupils];
    for d in 0..days {
        for p in 0..pupils {
            let risky = at_risk[p] && d > days / 2;
            let stay = if risky { 0.8 } else { 0.45 };
            let start = if risky { 0.3 } else { 0.035 };
            absent[p] = rng.unit() < if absent[p] { stay } else { start };
            let status = if absent[p] {
                match (risky, rng.below(20)) {
                    (true, _) | (false, 0..=1) => Status::Truant,
                    (false, 2..=13) => Status::Sick,
                    (false, 14..=18) => Status::Personal,
                    _ => Status::Other,
                }
            } else {
                match rng.below(200) {
                    0 | 1 => Status::Late,
                    2 => Status::LeftEarly,
                    _ => Status::Present,
                }
            };
            f(p, d, status);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absence_is_realistic_and_some_pupils_are_at_risk() {
        let (mut rows, mut absent) = (0usize, 0usize);
        let mut streak = vec![0u32; 1000];
        let mut longest = vec![0u32; 1000];
        roll(3, 1000, 100, |p, _, s| {
            rows += 1;
            absent += usize::from(s.is_absent());
            streak[p] = if s == Status::Truant { streak[p] + 1 } else { 0 };
            longest[p] = longest[p].max(streak[p]);
        });
        assert_eq!(rows, 100_000);
        let rate = absent as f64 / rows as f64;
        assert!((0.04..0.10).contains(&rate), "absence rate {rate}");
        let flagged = longest.iter().filter(|&&l| l >= 3).count();
        assert!((3..60).contains(&flagged), "{flagged} pupils with ≥ 3 days of truancy in a row");
        assert_eq!(school_days(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(), 5).last().unwrap().day(), 7);
    }
}
