//! Value-added (增值评价) of schools: the transparent Progress-8-style banding (level 0) and the
//! random-intercept multilevel model `exit ~ entry (+ covariates) + (1|school)` (level 1).
//!
//! The model is fitted by maximising the likelihood profiled over β and σ², which is one-dimensional
//! in θ = σ²u/σ²e. With per-school sufficient statistics every evaluation is O(schools · p²), so a
//! million pupils cost one pass to build the statistics. θ is found by a grid over log θ (so a second
//! local optimum or the boundary σ²u = 0 is not missed) followed by Brent's method. REML adds
//! log|X'V⁻¹X| (lme4's criterion); ML on request. School effects are the empirical-Bayes (BLUP)
//! residuals û_j = λ_j · mean residual, λ_j = σ²u / (σ²u + σ²e/n_j), posterior variance σ²u(1 − λ_j).

use serde::Serialize;
use thiserror::Error;

crate::labelled_enum! {
    Method, "估计方法" {
        Reml => "reml", "限制性极大似然" | "REML";
        Ml => "ml", "极大似然" | "ML";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VaError {
    #[error("有效学生数{n}不足以估计{p}个固定效应")]
    TooFew { n: usize, p: usize },
    #[error("至少需要两个组（学校）")]
    OneGroup,
    #[error("自变量之间完全共线（例如某列为常数），无法估计")]
    Singular,
    #[error("方差参数的优化未收敛，不报告结果（可去掉随机斜率或班级层再试）")]
    NotConverged,
    #[error("各校都只有一个不少于15人的班级，班级层与学校层无法区分；请去掉班级层")]
    OneClassPerGroup,
}

/// Pupils grouped: `group[i]` indexes `groups`; `x[i]` are the covariates without the intercept.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    pub y: Vec<f64>,
    pub x: Vec<Vec<f64>>,
    pub group: Vec<usize>,
    pub groups: Vec<String>,
    /// Names of the covariates (the intercept is added).
    pub terms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fixed {
    pub term: String,
    pub estimate: f64,
    pub se: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    pub group: String,
    pub n: usize,
    pub effect: f64,
    pub se: f64,
    pub lower: f64,
    pub upper: f64,
    pub shrinkage: f64,
    pub band: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    pub method: &'static str,
    pub n: usize,
    pub groups: usize,
    pub fixed: Vec<Fixed>,
    pub sigma2_u: f64,
    pub sigma2_e: f64,
    pub icc: f64,
    /// −2 × (restricted) log-likelihood at the optimum.
    pub minus2ll: f64,
    /// The optimum is at σ²u = 0: schools do not differ beyond chance.
    pub boundary: bool,
    pub effects: Vec<Effect>,
}

/// Bands are given only when the 95 % interval excludes 0.
pub const ABOVE: &str = "高于预期";
pub const AS_EXPECTED: &str = "与预期相符";
pub const BELOW: &str = "低于预期";
pub const Z95: f64 = 1.959_963_984_540_054;

/// Cholesky factor of a symmetric positive-definite matrix (row-major, p × p).
pub(crate) fn cholesky(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            if i == j {
                if s <= 1e-12 * a[i * p + i].abs().max(1e-300) {
                    return None;
                }
                l[i * p + i] = s.sqrt();
            } else {
                l[i * p + j] = s / l[j * p + j];
            }
        }
    }
    Some(l)
}

pub(crate) fn solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut z = vec![0.0; p];
    for i in 0..p {
        z[i] = (b[i] - (0..i).map(|k| l[i * p + k] * z[k]).sum::<f64>()) / l[i * p + i];
    }
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        x[i] = (z[i] - (i + 1..p).map(|k| l[k * p + i] * x[k]).sum::<f64>()) / l[i * p + i];
    }
    x
}

/// Sufficient statistics: global X'X, X'y, y'y and per group n_j, X_j'1, 1'y_j.
struct Stats {
    p: usize,
    n: usize,
    xtx: Vec<f64>,
    xty: Vec<f64>,
    yty: f64,
    nj: Vec<f64>,
    xj: Vec<Vec<f64>>,
    yj: Vec<f64>,
}

impl Stats {
    fn new(d: &Data) -> Stats {
        let p = d.terms.len() + 1;
        let g = d.groups.len();
        let mut s = Stats {
            p,
            n: d.y.len(),
            xtx: vec![0.0; p * p],
            xty: vec![0.0; p],
            yty: 0.0,
            nj: vec![0.0; g],
            xj: vec![vec![0.0; p]; g],
            yj: vec![0.0; g],
        };
        let mut row = vec![1.0; p];
        for i in 0..d.y.len() {
            row[1..].copy_from_slice(&d.x[i]);
            let y = d.y[i];
            let j = d.group[i];
            for a in 0..p {
                s.xty[a] += row[a] * y;
                s.xj[j][a] += row[a];
                for b in 0..=a {
                    s.xtx[a * p + b] += row[a] * row[b];
                }
            }
            s.yty += y * y;
            s.nj[j] += 1.0;
            s.yj[j] += y;
        }
        for a in 0..p {
            for b in 0..a {
                s.xtx[b * p + a] = s.xtx[a * p + b];
            }
        }
        s
    }

    /// At θ: β̂, the Cholesky factor of A = σ²·X'V⁻¹X, RSS = σ²·r'V⁻¹r, Σ log(1 + n_j θ).
    fn at(&self, theta: f64) -> Option<(Vec<f64>, Vec<f64>, f64, f64)> {
        let p = self.p;
        let mut a = self.xtx.clone();
        let mut b = self.xty.clone();
        let mut logdet = 0.0;
        for j in 0..self.nj.len() {
            let w = theta / (1.0 + self.nj[j] * theta);
            logdet += (self.nj[j] * theta).ln_1p();
            let xj = &self.xj[j];
            for r in 0..p {
                b[r] -= w * xj[r] * self.yj[j];
                for c in 0..p {
                    a[r * p + c] -= w * xj[r] * xj[c];
                }
            }
        }
        let l = cholesky(&a, p)?;
        let beta = solve(&l, p, &b);
        // r'r = y'y − 2β'X'y + β'X'Xβ; 1'r_j = 1'y_j − β'X_j'1.
        let xtxb: Vec<f64> = (0..p).map(|r| (0..p).map(|c| self.xtx[r * p + c] * beta[c]).sum()).collect();
        let mut rss = self.yty - 2.0 * dot(&beta, &self.xty) + dot(&beta, &xtxb);
        for j in 0..self.nj.len() {
            let w = theta / (1.0 + self.nj[j] * theta);
            let s = self.yj[j] - dot(&beta, &self.xj[j]);
            rss -= w * s * s;
        }
        Some((beta, l, rss, logdet))
    }

    /// −2 log-likelihood (ML) or the REML criterion, profiled over β and σ².
    fn criterion(&self, theta: f64, method: Method) -> f64 {
        let Some((_, l, rss, logdet)) = self.at(theta) else { return f64::INFINITY };
        let n = self.n as f64;
        let two_pi = 2.0 * std::f64::consts::PI;
        match method {
            Method::Ml => n * (1.0 + (two_pi * rss / n).ln()) + logdet,
            Method::Reml => {
                let m = n - self.p as f64;
                let log_det_a: f64 = (0..self.p).map(|i| 2.0 * l[i * self.p + i].ln()).sum();
                m * (1.0 + (two_pi * rss / m).ln()) + logdet + log_det_a
            }
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Brent's method (golden section with parabolic steps) for a minimum of f on [a, b].
fn brent(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64, tol: f64) -> f64 {
    const G: f64 = 0.381_966_011_250_105;
    let (mut x, mut w, mut v) = (a + G * (b - a), a + G * (b - a), a + G * (b - a));
    let (mut fx, mut fw, mut fv) = (f(x), f(x), f(x));
    let (mut d, mut e): (f64, f64) = (0.0, 0.0);
    for _ in 0..500 {
        let m = 0.5 * (a + b);
        let tol1 = tol * x.abs() + 1e-12;
        if (x - m).abs() <= 2.0 * tol1 - 0.5 * (b - a) {
            break;
        }
        let mut golden = true;
        if e.abs() > tol1 {
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut pp = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                pp = -pp;
            }
            q = q.abs();
            if pp.abs() < (0.5 * q * e).abs() && pp > q * (a - x) && pp < q * (b - x) {
                e = d;
                d = pp / q;
                let u = x + d;
                if u - a < 2.0 * tol1 || b - u < 2.0 * tol1 {
                    d = if x < m { tol1 } else { -tol1 };
                }
                golden = false;
            }
        }
        if golden {
            e = if x < m { b - x } else { a - x };
            d = G * e;
        }
        let u = if d.abs() >= tol1 { x + d } else { x + tol1.copysign(d) };
        let fu = f(u);
        if fu <= fx {
            if u < x {
                b = x;
            } else {
                a = x;
            }
            (v, fv, w, fw, x, fx) = (w, fw, x, fx, u, fu);
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                (v, fv, w, fw) = (w, fw, u, fu);
            } else if fu <= fv || v == x || v == w {
                (v, fv) = (u, fu);
            }
        }
    }
    x
}

/// An effect with its 95 % interval and band (a band only when the interval excludes 0).
pub(crate) fn interval(effect: f64, se: f64) -> Effect {
    let (lower, upper) = (effect - Z95 * se, effect + Z95 * se);
    let band = if lower > 0.0 {
        ABOVE
    } else if upper < 0.0 {
        BELOW
    } else {
        AS_EXPECTED
    };
    Effect { group: String::new(), n: 0, effect, se, lower, upper, shrinkage: 1.0, band }
}

/// Fits `y ~ 1 + x + (1|group)`.
pub fn fit(d: &Data, method: Method) -> Result<Fit, VaError> {
    let s = Stats::new(d);
    let p = s.p;
    if s.n <= p + 1 {
        return Err(VaError::TooFew { n: s.n, p });
    }
    if d.groups.len() < 2 {
        return Err(VaError::OneGroup);
    }
    if s.at(0.0).is_none() {
        return Err(VaError::Singular);
    }
    // Grid over log θ from 1e-8 to 1e4, then Brent around the best grid point; compare the boundary.
    let f = |lt: f64| s.criterion(lt.exp(), method);
    let grid: Vec<f64> = (0..=48).map(|k| -18.42 + 0.5 * f64::from(k)).collect();
    let best = grid.iter().copied().min_by(|a, b| f(*a).total_cmp(&f(*b))).expect("grid");
    let lt = brent(f, best - 0.5, best + 0.5, 1e-12);
    let at_boundary = s.criterion(0.0, method);
    let (theta, boundary) = if at_boundary <= f(lt) + 1e-9 { (0.0, true) } else { (lt.exp(), false) };
    let (beta, l, rss, _) = s.at(theta).ok_or(VaError::Singular)?;
    let m = match method {
        Method::Ml => s.n as f64,
        Method::Reml => (s.n - p) as f64,
    };
    let sigma2_e = rss / m;
    let sigma2_u = theta * sigma2_e;
    // Cov(β̂) = σ² A⁻¹.
    let fixed = (0..p)
        .map(|i| {
            let mut e = vec![0.0; p];
            e[i] = 1.0;
            let col = solve(&l, p, &e);
            Fixed {
                term: if i == 0 { "(Intercept)".to_string() } else { d.terms[i - 1].clone() },
                estimate: beta[i],
                se: (sigma2_e * col[i]).sqrt(),
            }
        })
        .collect();
    let effects = (0..d.groups.len())
        .map(|j| {
            let n = s.nj[j];
            let mean_resid = if n > 0.0 { (s.yj[j] - dot(&beta, &s.xj[j])) / n } else { 0.0 };
            let lambda = if n > 0.0 { theta * n / (1.0 + theta * n) } else { 0.0 };
            let effect = lambda * mean_resid;
            let se = (sigma2_u * (1.0 - lambda)).max(0.0).sqrt();
            Effect { group: d.groups[j].clone(), n: n as usize, shrinkage: lambda, ..interval(effect, se) }
        })
        .collect();
    Ok(Fit {
        method: method.key(),
        n: s.n,
        groups: d.groups.len(),
        fixed,
        sigma2_u,
        sigma2_e,
        icc: sigma2_u / (sigma2_u + sigma2_e),
        minus2ll: s.criterion(theta, method),
        boundary,
        effects,
    })
}

/// Level 0: expected exit score = district mean exit score of pupils in the same entry band
/// (`bands` quantile bands of `entry`); each group's VA = mean(actual − expected) with a 95 %
/// interval from the district SD of pupil VA.
pub fn progress(entry: &[f64], exit: &[f64], group: &[usize], groups: &[String], bands: usize) -> Vec<Effect> {
    let n = entry.len();
    if n == 0 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| entry[a].total_cmp(&entry[b]));
    // Equal-count bands; pupils with equal entry scores share a band.
    let mut band = vec![0usize; n];
    let bands = bands.clamp(1, n);
    let mut k = 0;
    for (rank, &i) in order.iter().enumerate() {
        if rank > 0 && entry[i] != entry[order[rank - 1]] {
            k = (rank * bands / n).min(bands - 1);
        }
        band[i] = k;
    }
    let mut sum = vec![0.0; bands];
    let mut cnt = vec![0.0; bands];
    for i in 0..n {
        sum[band[i]] += exit[i];
        cnt[band[i]] += 1.0;
    }
    let va: Vec<f64> = (0..n).map(|i| exit[i] - sum[band[i]] / cnt[band[i]]).collect();
    let sd = (va.iter().map(|v| v * v).sum::<f64>() / (n as f64 - 1.0).max(1.0)).sqrt();
    let mut total = vec![0.0; groups.len()];
    let mut count = vec![0usize; groups.len()];
    for i in 0..n {
        total[group[i]] += va[i];
        count[group[i]] += 1;
    }
    (0..groups.len())
        .map(|j| {
            let m = count[j].max(1) as f64;
            let effect = total[j] / m;
            let se = sd / m.sqrt();
            Effect { group: groups[j].clone(), n: count[j], shrinkage: 1.0, ..interval(effect, se) }
        })
        .collect()
}

/// Level-0 progress of a set of groups taken together (a 学区 or 教育集团 of schools): the mean of
/// their pupils' progress, which is the pupil-weighted mean of the groups' means, with the interval
/// from the same district SD. Equal to `progress` run with the groups merged.
pub fn pool_progress(label: &str, parts: &[&Effect]) -> Option<Effect> {
    let n: usize = parts.iter().map(|e| e.n).sum();
    let first = parts.iter().find(|e| e.n > 0)?;
    let sd = first.se * (first.n as f64).sqrt();
    let effect = parts.iter().map(|e| e.effect * e.n as f64).sum::<f64>() / n as f64;
    Some(Effect { group: label.to_string(), n, shrinkage: 1.0, ..interval(effect, sd / (n as f64).sqrt()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brent_finds_a_parabola_minimum() {
        let x = brent(|x| (x - 1.234).powi(2) + 3.0, -5.0, 5.0, 1e-12);
        assert!((x - 1.234).abs() < 1e-8);
    }

    #[test]
    fn no_school_differences_give_the_boundary() {
        // Identical schools: every school mean residual 0 → σ²u at the boundary.
        let mut d = Data {
            y: vec![],
            x: vec![],
            group: vec![],
            groups: vec!["A".into(), "B".into(), "C".into()],
            terms: vec!["x".into()],
        };
        for j in 0..3 {
            for i in 0..20 {
                let x = f64::from(i);
                d.y.push(2.0 + 0.5 * x + if i % 2 == 0 { 1.0 } else { -1.0 });
                d.x.push(vec![x]);
                d.group.push(j);
            }
        }
        let f = fit(&d, Method::Reml).unwrap();
        assert!(f.boundary && f.sigma2_u == 0.0);
        assert!(f.effects.iter().all(|e| e.effect.abs() < 1e-9 && e.band == AS_EXPECTED));
    }

    #[test]
    fn progress_bands_expected_scores() {
        let entry = [1.0, 1.0, 2.0, 2.0];
        let exit = [10.0, 12.0, 20.0, 24.0];
        let e = progress(&entry, &exit, &[0, 1, 0, 1], &["A".into(), "B".into()], 2);
        // Band means 11 and 22: A = (−1 − 2)/2, B = (1 + 2)/2.
        assert!((e[0].effect + 1.5).abs() < 1e-12 && (e[1].effect - 1.5).abs() < 1e-12);
    }

    /// Pooling schools A and B gives what `progress` gives with A and B merged into one group.
    #[test]
    fn pooled_progress_is_progress_of_the_merged_group() {
        let entry = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 1.0, 2.0, 3.0];
        let exit = [10.0, 12.0, 20.0, 24.0, 31.0, 29.0, 14.0, 19.0, 35.0];
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let apart = progress(&entry, &exit, &[0, 1, 0, 1, 2, 2, 0, 1, 2], &names(&["A", "B", "C"]), 3);
        let merged = progress(&entry, &exit, &[0, 0, 0, 0, 1, 1, 0, 0, 1], &names(&["AB", "C"]), 3);
        let pooled = pool_progress("AB", &[&apart[0], &apart[1]]).expect("pupils");
        assert_eq!(pooled.n, merged[0].n);
        assert!((pooled.effect - merged[0].effect).abs() < 1e-12, "{} {}", pooled.effect, merged[0].effect);
        assert!((pooled.se - merged[0].se).abs() < 1e-12);
        assert_eq!(pooled.band, merged[0].band);
        assert_eq!(pool_progress("none", &[]), None);
    }
}
