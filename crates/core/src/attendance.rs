//! Daily attendance and the streak-based early warning of 控辍保学.
//!
//! A pupil's record is one status per school day. The scan keeps a running streak of consecutive
//! 旷课 days over the pupil's own school days in date order (days without a record, weekends and
//! holidays, do not break it), so the same `Tally` serves a batch over a term and the server's daily
//! update in O(pupils).

use chrono::NaiveDate;

crate::labelled_enum! {
    /// The state of one pupil on one school day, as the roll and the import files write it.
    Status, "出勤状态" {
        Present => "present", "出勤" | "到" | "在校";
        Sick => "sick", "病假";
        Personal => "personal", "事假";
        Truant => "truant", "旷课" | "无故缺勤";
        Late => "late", "迟到";
        LeftEarly => "left_early", "早退";
        Other => "other", "其他";
    }
}

impl Status {
    /// Absent for the day (not in school): 病假, 事假, 旷课 and 其他. 迟到 and 早退 attended.
    pub fn is_absent(self) -> bool {
        matches!(self, Status::Sick | Status::Personal | Status::Truant | Status::Other)
    }
}

/// 出勤率 in per cent: pupil-days attended (present, 迟到 or 早退) over pupil-days expected; `None`
/// when nothing was expected (no roll taken), which is not 0 %.
pub fn attendance_rate(expected: i64, absent: i64) -> Option<f64> {
    (expected > 0).then(|| (expected - absent) as f64 / expected as f64 * 100.0)
}

/// Early-warning thresholds. Defaults are eduq's, chosen with the 控辍保学 practice of reporting a
/// pupil after three consecutive unexcused days; every threshold is a setting, not a standard.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// Consecutive 旷课 school days that raise a warning (≥).
    pub streak: u32,
    /// 旷课 days within the last `window` school days that raise a warning (≥); `None` = off.
    pub recent_truant: Option<u32>,
    pub window: usize,
    /// Share of school days absent (any reason) that raises a warning (≥); `None` = off.
    pub absence_rate: Option<f64>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { streak: 3, recent_truant: None, window: 30, absence_rate: None }
    }
}

/// One pupil's counts over the days seen so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub days: u32,
    pub absent: u32,
    pub truant: u32,
    pub longest_streak: u32,
    pub current_streak: u32,
}

impl Tally {
    /// Adds the next school day (days must come in date order).
    pub fn push(&mut self, status: Status) {
        self.days += 1;
        if status.is_absent() {
            self.absent += 1;
        }
        if status == Status::Truant {
            self.truant += 1;
            self.current_streak += 1;
            self.longest_streak = self.longest_streak.max(self.current_streak);
        } else {
            self.current_streak = 0;
        }
    }

    pub fn of(statuses: impl IntoIterator<Item = Status>) -> Tally {
        let mut t = Tally::default();
        for s in statuses {
            t.push(s);
        }
        t
    }
}

/// Why a pupil is (or is not) flagged: each rule that fired, in words users read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Warning {
    pub reasons: Vec<String>,
}

impl Warning {
    pub fn is_raised(&self) -> bool {
        !self.reasons.is_empty()
    }
}

/// Applies the rules to a pupil's tally; `recent` is the statuses of the last school days in date
/// order (only the last `rules.window` are used).
pub fn assess(t: &Tally, recent: &[Status], rules: &Rules) -> Warning {
    let mut reasons = Vec::new();
    if t.current_streak >= rules.streak {
        reasons.push(format!("当前连续旷课{}天（≥{}天）", t.current_streak, rules.streak));
    } else if t.longest_streak >= rules.streak {
        reasons.push(format!("曾连续旷课{}天（≥{}天）", t.longest_streak, rules.streak));
    }
    if let Some(limit) = rules.recent_truant {
        let window = &recent[recent.len().saturating_sub(rules.window)..];
        let n = window.iter().filter(|s| **s == Status::Truant).count() as u32;
        if n >= limit {
            reasons.push(format!("近{}个教学日旷课{}天（≥{}天）", window.len(), n, limit));
        }
    }
    if let Some(rate) = rules.absence_rate
        && t.days > 0
    {
        let r = f64::from(t.absent) / f64::from(t.days);
        if r >= rate {
            reasons.push(format!("缺勤率{:.1}%（≥{:.1}%）", r * 100.0, rate * 100.0));
        }
    }
    Warning { reasons }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, parsed without allocation (the batch reads
/// millions of them); `None` for anything else, including impossible dates.
pub fn day_number(s: &[u8]) -> Option<i32> {
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let num = |r: &[u8]| -> Option<u32> {
        r.iter().try_fold(0u32, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
    };
    let (y, m, d) = (num(&s[0..4])?, num(&s[5..7])?, num(&s[8..10])?);
    let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
    Some((date - NaiveDate::from_ymd_opt(1970, 1, 1)?).num_days() as i32)
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn the_attendance_rate_is_attended_over_expected() {
        assert_eq!(attendance_rate(0, 0), None);
        assert_eq!(attendance_rate(200, 0), Some(100.0));
        assert_eq!(attendance_rate(200, 3), Some(98.5));
        assert_eq!(attendance_rate(8, 8), Some(0.0));
    }

    #[test]
    fn streaks_count_consecutive_truant_school_days_only() {
        let t = Tally::of([Truant, Truant, Late, Truant, Truant, Truant, Present, Truant]);
        assert_eq!(t, Tally { days: 8, absent: 6, truant: 6, longest_streak: 3, current_streak: 1 });
        let t = Tally::of([Sick, Truant, Truant]);
        assert_eq!((t.longest_streak, t.current_streak, t.absent, t.truant), (2, 2, 3, 2));
        // Sick leave breaks a truancy streak: the pupil's absence was excused.
        assert_eq!(Tally::of([Truant, Sick, Truant]).longest_streak, 1);
        assert_eq!(Tally::default(), Tally::of([]));
    }

    #[test]
    fn rules_fire_at_their_thresholds_and_say_why() {
        let rules = Rules::default();
        let two = Tally::of([Truant, Truant]);
        assert!(!assess(&two, &[], &rules).is_raised(), "2 < 3");
        let three = Tally::of([Truant, Truant, Truant]);
        assert_eq!(assess(&three, &[], &rules).reasons, ["当前连续旷课3天（≥3天）"]);
        let past = Tally::of([Truant, Truant, Truant, Present]);
        assert_eq!(assess(&past, &[], &rules).reasons, ["曾连续旷课3天（≥3天）"]);
        let strict = Rules { streak: 4, recent_truant: Some(2), window: 3, absence_rate: Some(0.5) };
        let days = [Truant, Present, Truant, Present, Truant];
        let w = assess(&Tally::of(days), &days, &strict);
        // The last 3 days hold 2 旷课 (≥ 2); 3 of 5 absent = 60 % (≥ 50 %).
        assert_eq!(w.reasons, ["近3个教学日旷课2天（≥2天）", "缺勤率60.0%（≥50.0%）"]);
        let days = [Truant, Present, Present, Present, Truant];
        assert!(!assess(&Tally::of(days), &days, &Rules { absence_rate: None, ..strict }).is_raised());
    }

    #[test]
    fn statuses_and_dates() {
        assert_eq!(Status::parse("旷课"), Ok(Truant));
        assert!(Status::parse("缺课").is_err());
        assert!(!Late.is_absent() && !LeftEarly.is_absent() && Other.is_absent());
        assert_eq!(day_number(b"1970-01-02"), Some(1));
        assert_eq!(day_number(b"2026-03-01").unwrap() - day_number(b"2026-02-28").unwrap(), 1);
        assert_eq!(day_number(b"2024-02-29").unwrap() - day_number(b"2024-02-28").unwrap(), 1);
        for bad in [&b"2026-02-29"[..], b"2026-13-01", b"2026-1-01", b"2026/01/01", b"20260101xx", b""] {
            assert_eq!(day_number(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
