//! Score analysis of one subject of an exam for any set of pupils (district, school, class):
//! the statistics a 质量分析会 reads — participants, mean, SD, median, extremes, 四率, 超均率, the
//! distribution, 一分一段, percentiles, 标准分 and 临界生. 缺考 is not a zero: it is counted apart.

use serde::Serialize;

crate::labelled_enum!(
    /// Whether a pupil sat a paper. 缺考 and 作弊 are not zeros: they are counted apart and leave
    /// the statistics.
    Sitting, "考试状态" {
        Sat => "sat", "正常" | "参考" | "已考";
        Absent => "absent", "缺考";
        Cheat => "cheat", "作弊" | "违纪";
    }
);

/// One item of a paper: objective items may carry the key, so that raw options can be scored and
/// their distractors analysed; tags feed the knowledge-point mastery table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemDef {
    pub label: String,
    pub objective: bool,
    pub max: f64,
    pub key: Option<String>,
    pub knowledge: Vec<String>,
    pub ability: String,
}

/// A multiple-choice answer in canonical form ("ba" → "AB"), so that keys and answers compare.
pub fn canonical_option(raw: &str) -> String {
    let mut c: Vec<char> =
        raw.trim().chars().filter(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_uppercase()).collect();
    c.sort_unstable();
    c.dedup();
    c.into_iter().collect()
}

/// Knowledge-point mastery: per tag, the points scored over the points available (得分率) across the
/// pupils who sat. `scores[i][j]` is pupil i's score on item j.
pub fn mastery(items: &[ItemDef], scores: &[Vec<f64>]) -> Vec<(String, usize, f64)> {
    let mut by_tag: std::collections::BTreeMap<&str, (usize, f64, f64)> = Default::default();
    for (j, it) in items.iter().enumerate() {
        for tag in &it.knowledge {
            let e = by_tag.entry(tag.as_str()).or_default();
            e.0 += 1;
            for row in scores {
                e.1 += row.get(j).copied().unwrap_or(0.0);
                e.2 += it.max;
            }
        }
    }
    by_tag.into_iter().filter(|(_, e)| e.2 > 0.0).map(|(t, e)| (t.to_string(), e.0, e.1 / e.2)).collect()
}

/// The 四率 lines as shares of the full score (configurable; these are the common defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Lines {
    pub excellent: f64,
    pub good: f64,
    pub pass: f64,
    /// 低分 is below this share.
    pub low: f64,
}

impl Default for Lines {
    fn default() -> Self {
        Lines { excellent: 0.85, good: 0.70, pass: 0.60, low: 0.40 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectStats {
    pub participants: usize,
    pub absent: usize,
    pub mean: f64,
    /// Population SD (the pupils are the whole group, not a sample).
    pub sd: f64,
    pub median: f64,
    pub max: f64,
    pub min: f64,
    /// 四率 in percent (0–100), as the CLI's JSON has always given them.
    pub excellent_rate: f64,
    pub good_rate: f64,
    pub pass_rate: f64,
    pub low_rate: f64,
    /// P10, P25, P50, P75, P90 (linear interpolation between order statistics, as R type 7 / numpy).
    pub percentiles: [f64; 5],
    /// Counts per tenth of the full score, [0, 10 %) … [90 %, 100 %].
    pub histogram: [usize; 10],
    /// 一分一段: each score, how many have it, how many have it or more (highest first).
    pub segments: Vec<(f64, usize, usize)>,
}

/// Linear-interpolation percentile of sorted values (R type 7).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// `None` is 缺考. Returns `None` when nobody sat the paper.
pub fn analyse(scores: &[Option<f64>], full: f64, lines: &Lines) -> Option<SubjectStats> {
    let mut v: Vec<f64> = scores.iter().flatten().copied().collect();
    let n = v.len();
    if n == 0 || full <= 0.0 {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / n as f64;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    let rate = |f: &dyn Fn(f64) -> bool| v.iter().filter(|&&x| f(x)).count() as f64 * 100.0 / n as f64;
    let eps = 1e-9;
    let mut histogram = [0usize; 10];
    for x in &v {
        histogram[((x / full * 10.0).floor().max(0.0) as usize).min(9)] += 1;
    }
    let mut segments: Vec<(f64, usize, usize)> = Vec::new();
    for &x in v.iter().rev() {
        match segments.last_mut() {
            Some(last) if last.0 == x => {
                last.1 += 1;
                last.2 += 1;
            }
            _ => {
                let before = segments.last().map_or(0, |s| s.2);
                segments.push((x, 1, before + 1));
            }
        }
    }
    Some(SubjectStats {
        participants: n,
        absent: scores.len() - n,
        mean,
        sd,
        median: percentile(&v, 0.5),
        max: v[n - 1],
        min: v[0],
        excellent_rate: rate(&|x| x >= lines.excellent * full - eps),
        good_rate: rate(&|x| x >= lines.good * full - eps),
        pass_rate: rate(&|x| x >= lines.pass * full - eps),
        low_rate: rate(&|x| x < lines.low * full - eps),
        percentiles: [0.10, 0.25, 0.50, 0.75, 0.90].map(|p| percentile(&v, p)),
        histogram,
        segments,
    })
}

/// 超均率: how far a unit's mean is above (or below) the reference mean, in percent of it.
pub fn above_mean_rate(unit_mean: f64, reference_mean: f64) -> Option<f64> {
    (reference_mean != 0.0).then(|| (unit_mean - reference_mean) / reference_mean * 100.0)
}

/// 标准分: Z = (x − mean) / SD and T = 50 + 10·Z, against a reference group's mean and SD.
pub fn standard_scores(x: f64, mean: f64, sd: f64) -> Option<(f64, f64)> {
    (sd > 0.0).then(|| {
        let z = (x - mean) / sd;
        (z, 50.0 + 10.0 * z)
    })
}

/// Subject balance (偏科) of one pupil: the spread (population SD) of the pupil's T-scores across the
/// subjects sat; `None` with fewer than two. 0 is perfectly even; 10 is one district SD.
pub fn subject_balance(t_scores: &[Option<f64>]) -> Option<f64> {
    let v: Vec<f64> = t_scores.iter().flatten().copied().collect();
    if v.len() < 2 {
        return None;
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    Some((v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64).sqrt())
}

/// 临界生: indices of pupils within `width` points below a line (they are the ones a little help lifts).
pub fn critical(scores: &[Option<f64>], line: f64, width: f64) -> Vec<usize> {
    scores
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_some_and(|x| x < line - 1e-9 && x >= line - width - 1e-9))
        .map(|(i, _)| i)
        .collect()
}

/// 临界生: pupils this share of the full score or less below a 四率 line.
pub const CRITICAL_WIDTH: f64 = 0.05;

/// 偏科: a pupil whose T-scores across subjects have a standard deviation at least this (about one
/// district SD between subjects) is marked 偏科 on the exam's pupil list.
pub const UNEVEN_BALANCE: f64 = 10.0;

/// Whether a subject balance (SD of a pupil's T-scores) marks the pupil 偏科.
pub fn is_uneven(balance: Option<f64>) -> bool {
    balance.is_some_and(|b| b >= UNEVEN_BALANCE)
}

/// Groups smaller than this get no mean interval of their own in comparisons (too few to say).
pub const MIN_GROUP: usize = 5;

/// The 95 % interval of a group's mean from its population SD (`sd` divides by n, so it is turned
/// into the sample SD first); `None` below [`MIN_GROUP`] pupils.
pub fn mean_interval(mean: f64, sd: f64, n: usize) -> Option<(f64, f64)> {
    (n >= MIN_GROUP).then(|| {
        let half = crate::valueadded::Z95 * sd * (n as f64 / (n as f64 - 1.0)).sqrt() / (n as f64).sqrt();
        (mean - half, mean + half)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_interval_starts_at_five_pupils() {
        assert_eq!(mean_interval(70.0, 10.0, MIN_GROUP - 1), None);
        // Scores 60, 65, 70, 75, 80: population SD √50, sample SD √62.5 = 7.9057; half-width
        // 1.959964 × 7.9057 / √5 = 6.9295 (the t-free normal interval, as the reports state).
        let (lo, hi) = mean_interval(70.0, 50f64.sqrt(), 5).expect("five pupils");
        assert!((lo - 63.0705).abs() < 1e-3 && (hi - 76.9295).abs() < 1e-3, "{lo} {hi}");
    }

    #[test]
    fn uneven_from_ten_t_points() {
        assert!(!is_uneven(None) && !is_uneven(Some(UNEVEN_BALANCE - 0.01)));
        assert!(is_uneven(Some(UNEVEN_BALANCE)) && is_uneven(Some(UNEVEN_BALANCE + 5.0)));
    }

    #[test]
    fn standard_scores_and_balance() {
        let (z, t) = standard_scores(80.0, 70.0, 5.0).unwrap();
        assert_eq!((z, t), (2.0, 70.0));
        assert!(standard_scores(1.0, 1.0, 0.0).is_none());
        // T-scores 60 and 40: mean 50, population SD 10.
        assert_eq!(subject_balance(&[Some(60.0), None, Some(40.0)]), Some(10.0));
        assert_eq!(subject_balance(&[Some(60.0), None]), None);
    }

    #[test]
    fn options_and_mastery() {
        assert_eq!(canonical_option(" ba "), "AB");
        assert_eq!(canonical_option("c"), "C");
        let item = |label: &str, max: f64, tags: &[&str]| ItemDef {
            label: label.into(),
            objective: false,
            max,
            key: None,
            knowledge: tags.iter().map(|t| t.to_string()).collect(),
            ability: String::new(),
        };
        let items = [item("1", 2.0, &["函数"]), item("2", 4.0, &["函数", "几何"])];
        // Two pupils: (2, 1) and (0, 4). 函数: (2+1+0+4)/(2·2+2·4) = 7/12; 几何: 5/8.
        let m = mastery(&items, &[vec![2.0, 1.0], vec![0.0, 4.0]]);
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].0.as_str(), m[0].1), ("几何", 1));
        assert!((m[0].2 - 5.0 / 8.0).abs() < 1e-12 && (m[1].2 - 7.0 / 12.0).abs() < 1e-12);
    }

    #[test]
    fn hand_computed_subject() {
        // 10 sat (one 缺考), full 100: 95 88 85 72 70 66 60 59 40 39.
        let s: Vec<Option<f64>> = [95.0, 88.0, 85.0, 72.0, 70.0, 66.0, 60.0, 59.0, 40.0, 39.0]
            .iter()
            .map(|&x| Some(x))
            .chain([None])
            .collect();
        let a = analyse(&s, 100.0, &Lines::default()).unwrap();
        assert_eq!((a.participants, a.absent), (10, 1));
        assert!((a.mean - 67.4).abs() < 1e-12);
        // Population variance: Σ(x−67.4)² / 10 = 3208.4 / 10 (numpy.var).
        assert!((a.sd - (3208.4f64 / 10.0).sqrt()).abs() < 1e-9, "{}", a.sd);
        assert_eq!((a.median, a.max, a.min), (68.0, 95.0, 39.0));
        // ≥ 85: 3; ≥ 70: 5; ≥ 60: 7; < 40: 1 (40 is not 低分).
        assert_eq!((a.excellent_rate, a.good_rate, a.pass_rate, a.low_rate), (30.0, 50.0, 70.0, 10.0));
        assert_eq!(a.histogram, [0, 0, 0, 1, 1, 1, 2, 2, 2, 1]);
        assert_eq!(a.segments[0], (95.0, 1, 1));
        assert_eq!(a.segments[9], (39.0, 1, 10));
        // numpy 2.4.6 percentile(x, [10, 25, 50, 75, 90]) (linear): 39.9, 59.25, 68.0, 81.75, 88.7.
        let want = [39.9, 59.25, 68.0, 81.75, 88.7];
        for (g, w) in a.percentiles.iter().zip(want) {
            assert!((g - w).abs() < 1e-9, "{g} vs {w}");
        }
        assert_eq!(critical(&s, 60.0, 5.0), vec![7], "59 is within 5 points below 60; 60 itself passed");
        assert!(analyse(&[None, None], 100.0, &Lines::default()).is_none());
    }

    #[test]
    fn ties_share_a_segment_and_standard_scores() {
        let s = [Some(80.0), Some(90.0), Some(80.0), Some(70.0)];
        let a = analyse(&s, 100.0, &Lines::default()).unwrap();
        assert_eq!(a.segments, vec![(90.0, 1, 1), (80.0, 2, 3), (70.0, 1, 4)]);
        let (z, t) = standard_scores(90.0, 80.0, 5.0).unwrap();
        assert_eq!((z, t), (2.0, 70.0));
        assert_eq!(standard_scores(1.0, 1.0, 0.0), None);
        assert_eq!(above_mean_rate(82.0, 80.0), Some(2.5));
    }
}
