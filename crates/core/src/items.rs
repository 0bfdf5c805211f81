//! Classical item analysis of one test: difficulty, upper–lower 27 % discrimination,
//! point-biserial correlations, Cronbach's α (= KR-20 for 0/1 items) and α-if-item-deleted.
//!
//! Conventions (stated because tools disagree): difficulty p is the mean score over the item's
//! maximum (得分率); the 27 % groups hold exactly round(0.27·N) pupils by rank — sorted by total
//! descending, ties kept in input row order — so a tie at the cut never changes the group size;
//! D27 is (upper mean − lower mean) / max; α uses sample variances (identical to KR-20 with pq and the
//! population variance of the total). Checked to 1e-9 against LSAT6/LSAT7/SAT12 numbers computed
//! with pingouin 0.5.4 (tests).

use serde::Serialize;

/// Corrected item–rest correlation below which an item discriminates poorly.
pub const WEAK_R: f64 = 0.20;
/// Share of pupils in each of the upper and lower groups.
pub const GROUP_SHARE: f64 = 0.27;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStats {
    pub item: String,
    pub max: f64,
    pub mean: f64,
    /// Difficulty (得分率) = mean / max.
    pub p: f64,
    /// Upper-minus-lower 27 % discrimination, on the item's max scale.
    pub d27: f64,
    /// Pearson correlation with the total; `None` when the item (or total) does not vary.
    pub r_pbis: Option<f64>,
    /// Correlation with the total of the other items.
    pub r_pbis_corrected: Option<f64>,
    pub alpha_if_deleted: Option<f64>,
    /// `weak` (corrected r < 0.20), `miskey` (corrected r < 0: suspected wrong key), `constant`.
    pub flags: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub n: usize,
    pub k: usize,
    pub alpha: Option<f64>,
    /// KR-20, only when every score is 0 or 1 (then equal to α).
    pub kr20: Option<f64>,
    pub mean_total: f64,
    pub sd_total: f64,
    pub n_group_27: usize,
    pub items: Vec<ItemStats>,
}

fn corr(sxy: f64, sxx: f64, syy: f64) -> Option<f64> {
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

fn alpha(k: usize, sum_item_var: f64, total_var: f64) -> Option<f64> {
    (k >= 2 && total_var > 0.0).then(|| k as f64 / (k as f64 - 1.0) * (1.0 - sum_item_var / total_var))
}

/// `scores[pupil][item]`; `max[item]` the full score of each item. Two passes over the matrix and
/// one sort of the totals, O(N·k) with no copy of it: the rest-score statistics follow from the
/// item's own (cov(x, T − x) = cov(x, T) − var(x), var(T − x) = var(T) − 2cov(x, T) + var(x)).
pub fn analyse(names: &[String], scores: &[Vec<f64>], max: &[f64]) -> Option<Analysis> {
    if scores.iter().any(|r| r.len() != names.len()) {
        return None;
    }
    analyse_rows(names, scores.len(), |i| &scores[i], max)
}

/// The same over a row-major matrix held flat (`k` = `names.len()` values per pupil): a million
/// pupils in one allocation rather than a million.
pub fn analyse_flat(names: &[String], flat: &[f64], max: &[f64]) -> Option<Analysis> {
    let k = names.len();
    if k == 0 || !flat.len().is_multiple_of(k) {
        return None;
    }
    analyse_rows(names, flat.len() / k, |i| &flat[i * k..(i + 1) * k], max)
}

fn analyse_rows<'a>(names: &[String], n: usize, row: impl Fn(usize) -> &'a [f64], max: &[f64]) -> Option<Analysis> {
    let k = names.len();
    if n < 2 || k == 0 || max.len() != k {
        return None;
    }
    // Pass 1: totals and means.
    let mut sums = vec![0.0; k];
    let mut totals = Vec::with_capacity(n);
    let mut dichotomous = true;
    for row in (0..n).map(&row) {
        let mut t = 0.0;
        for (s, &x) in sums.iter_mut().zip(row) {
            *s += x;
            t += x;
            dichotomous &= x == 0.0 || x == 1.0;
        }
        totals.push(t);
    }
    let nf = n as f64;
    let means: Vec<f64> = sums.iter().map(|s| s / nf).collect();
    let mt = totals.iter().sum::<f64>() / nf;
    // Pass 2: centred second moments (sample (co)variances, n − 1).
    let mut sxx = vec![0.0; k];
    let mut sxt = vec![0.0; k];
    let mut stt = 0.0;
    for (i, &t) in totals.iter().enumerate() {
        let row = row(i);
        let dt = t - mt;
        stt += dt * dt;
        for j in 0..k {
            let dx = row[j] - means[j];
            sxx[j] += dx * dx;
            sxt[j] += dx * dt;
        }
    }
    let d = nf - 1.0;
    let vars: Vec<f64> = sxx.iter().map(|v| v / d).collect();
    let vt = stt / d;
    let sum_var: f64 = vars.iter().sum();

    // Rank-based 27 % groups: stable sort by total descending keeps input order among ties.
    let g = ((GROUP_SHARE * n as f64).round() as usize).max(1).min(n / 2);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| totals[b].total_cmp(&totals[a]));
    let group_mean = |idx: &[usize]| {
        let mut acc = vec![0.0; k];
        for &i in idx {
            for (a, &x) in acc.iter_mut().zip(row(i)) {
                *a += x;
            }
        }
        acc.into_iter().map(|a| a / g as f64).collect::<Vec<f64>>()
    };
    let (upper, lower) = (group_mean(&order[..g]), group_mean(&order[n - g..]));

    let items = (0..k)
        .map(|j| {
            let cov_it = sxt[j] / d;
            let cov_ir = cov_it - vars[j];
            let var_rest = vt - 2.0 * cov_it + vars[j];
            let r = corr(cov_it, vars[j], vt);
            let rc = corr(cov_ir, vars[j], var_rest);
            let (up, low) = (upper[j], lower[j]);
            let mut flags = Vec::new();
            match rc {
                None => flags.push("constant"),
                Some(v) if v < 0.0 => flags.extend(["weak", "miskey"]),
                Some(v) if v < WEAK_R => flags.push("weak"),
                Some(_) => {}
            }
            ItemStats {
                item: names[j].clone(),
                max: max[j],
                mean: means[j],
                p: means[j] / max[j],
                d27: (up - low) / max[j],
                r_pbis: r,
                r_pbis_corrected: rc,
                alpha_if_deleted: alpha(k - 1, sum_var - vars[j], var_rest),
                flags,
            }
        })
        .collect();
    let a = alpha(k, sum_var, vt);
    Some(Analysis {
        n,
        k,
        alpha: a,
        kr20: if dichotomous { a } else { None },
        mean_total: mt,
        sd_total: vt.sqrt(),
        n_group_27: g,
        items,
    })
}

/// Distractor analysis of one multiple-choice item: each option's share overall and in the upper
/// and lower 27 % groups. A distractor chosen more by the upper group than the lower points to
/// an ambiguous item or a wrong key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionStats {
    pub option: String,
    pub key: bool,
    pub p: f64,
    pub upper: f64,
    pub lower: f64,
}

/// `answers[pupil]` are the raw options of one item; `totals` the pupils' test totals (after scoring).
pub fn options(answers: &[&str], key: &str, totals: &[f64]) -> Vec<OptionStats> {
    let n = answers.len();
    if n == 0 || totals.len() != n {
        return Vec::new();
    }
    let g = ((GROUP_SHARE * n as f64).round() as usize).max(1).min(n.max(2) / 2).max(1);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| totals[b].total_cmp(&totals[a]));
    let mut opts: Vec<&str> = answers.to_vec();
    opts.push(key);
    opts.sort_unstable();
    opts.dedup();
    let share = |idx: &mut dyn Iterator<Item = usize>, o: &str, m: usize| {
        idx.filter(|&i| answers[i] == o).count() as f64 / m as f64
    };
    opts.into_iter()
        .map(|o| OptionStats {
            option: if o.is_empty() { "未作答".to_string() } else { o.to_string() },
            key: o == key,
            p: share(&mut (0..n), o, n),
            upper: share(&mut order[..g].iter().copied(), o, g),
            lower: share(&mut order[n - g..].iter().copied(), o, g),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(k: usize) -> Vec<String> {
        (1..=k).map(|i| format!("Q{i}")).collect()
    }

    #[test]
    fn small_hand_computed_case() {
        // Four pupils, two items. Totals 2, 1, 1, 0. Item 1 = 1,1,0,0; item 2 = 1,0,1,0.
        let s = vec![vec![1.0, 1.0], vec![1.0, 0.0], vec![0.0, 1.0], vec![0.0, 0.0]];
        let a = analyse(&names(2), &s, &[1.0, 1.0]).unwrap();
        assert_eq!(a.n_group_27, 1);
        assert_eq!(a.items[0].p, 0.5);
        // Upper group = pupil 0 (total 2); lower = pupil 3 (total 0).
        assert_eq!(a.items[0].d27, 1.0);
        // Items are uncorrelated: α = 2·(1 − (1/3 + 1/3)/(2/3)) = 0.
        assert!(a.alpha.unwrap().abs() < 1e-15);
        assert_eq!(a.items[0].r_pbis_corrected, Some(0.0));
        assert_eq!(a.items[0].flags, ["weak"]);
        let constant = analyse(&names(2), &[vec![1.0, 0.0], vec![1.0, 1.0]], &[1.0, 1.0]).unwrap();
        assert_eq!(constant.items[0].r_pbis, None);
        assert_eq!(constant.items[0].flags, ["constant"]);
        assert!(analyse(&names(2), &[vec![1.0, 0.0]], &[1.0, 1.0]).is_none(), "one pupil");
    }

    #[test]
    fn ties_at_the_cut_follow_input_order() {
        // Totals 1,1,1,1: the upper group is pupil 0, the lower pupil 3 (by input order).
        let s = vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![0.0, 1.0], vec![0.0, 1.0]];
        let a = analyse(&names(2), &s, &[1.0, 1.0]).unwrap();
        assert_eq!(a.items[0].d27, 1.0);
        assert_eq!(a.items[1].d27, -1.0);
    }

    #[test]
    fn options_show_distractors() {
        let answers = ["A", "A", "B", "", "C"];
        let totals = [5.0, 4.0, 3.0, 2.0, 1.0];
        let o = options(&answers, "A", &totals);
        let labels: Vec<&str> = o.iter().map(|x| x.option.as_str()).collect();
        assert_eq!(labels, ["未作答", "A", "B", "C"]);
        assert_eq!((o[1].p, o[1].upper, o[1].lower, o[1].key), (0.4, 1.0, 0.0, true));
        assert_eq!(o[3].lower, 1.0);
    }
}
