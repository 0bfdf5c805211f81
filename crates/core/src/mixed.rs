//! The value-added model beyond a random intercept: a random slope on the entry score per school
//! and, optionally, class intercepts nested in schools (`exit ~ entry + (1 + entry | school) +
//! (1 | school:class)`), by REML or ML.
//!
//! The likelihood is lme4's (Bates, Mächler, Bolker & Walker 2015, §3): with relative covariance
//! factors Λ(θ) and, per school, M = Λ'Z'ZΛ + I, the profiled deviance needs only per-school
//! sufficient statistics (Z'Z, Z'X, Z'y, X'X, X'y, y'y), so the data are read once and each
//! evaluation costs O(schools · q³) for q random effects per school. θ (one to four numbers) is
//! found by Nelder–Mead from several starts, the boundary included.

use serde::Serialize;

use crate::valueadded::{Effect, Fixed, Method, VaError, cholesky, interval};

/// Classes with fewer pupils get no class effect of their own (their pupils stay in the school).
pub const MIN_CLASS: usize = 15;

/// Pupils with their school and, for the class level, their class.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub y: Vec<f64>,
    /// Covariates without the intercept; column `slope` carries the random slope.
    pub x: Vec<Vec<f64>>,
    pub terms: Vec<String>,
    pub school: Vec<usize>,
    pub schools: Vec<String>,
    /// A random slope on this covariate (index into `x`).
    pub slope: Option<usize>,
    /// Class of each pupil (index into the labels) for the nested class level.
    pub class: Option<(Vec<usize>, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MixedFit {
    pub method: &'static str,
    pub n: usize,
    pub fixed: Vec<Fixed>,
    pub sigma2_e: f64,
    /// School intercept variance, and with a slope its covariance with the slope and the slope's variance.
    pub school_var: f64,
    pub school_slope_cov: Option<f64>,
    pub slope_var: Option<f64>,
    pub class_var: Option<f64>,
    pub minus2ll: f64,
    /// Each school's effect at the district mean of the slope covariate (the intercept effect
    /// without a slope), with its posterior SD and interval.
    pub effects: Vec<Effect>,
    /// Classes with an effect of their own (school label / class label).
    pub class_effects: Vec<Effect>,
    pub classes_kept: usize,
    pub classes_dropped: usize,
}

/// One school's sufficient statistics; q = 1 (+1 slope) + its kept classes.
struct Block {
    q: usize,
    n: usize,
    ztz: Vec<f64>,
    ztx: Vec<f64>,
    zty: Vec<f64>,
    classes: Vec<usize>,
}

struct Prepared {
    p: usize,
    n: usize,
    q0: usize,
    xtx: Vec<f64>,
    xty: Vec<f64>,
    yty: f64,
    blocks: Vec<Block>,
}

fn prepare(d: &Design, keep_class: &[bool]) -> Prepared {
    let p = d.terms.len() + 1;
    let q0 = 1 + usize::from(d.slope.is_some());
    let mut blocks: Vec<Block> = (0..d.schools.len())
        .map(|_| Block { q: q0, n: 0, ztz: vec![], ztx: vec![], zty: vec![], classes: vec![] })
        .collect();
    // The kept classes of each school, in order of first appearance.
    if let Some((class, _)) = &d.class {
        for (i, &c) in class.iter().enumerate() {
            let b = &mut blocks[d.school[i]];
            if keep_class[c] && !b.classes.contains(&c) {
                b.classes.push(c);
            }
        }
    }
    for b in &mut blocks {
        b.q = q0 + b.classes.len();
        b.ztz = vec![0.0; b.q * b.q];
        b.ztx = vec![0.0; b.q * p];
        b.zty = vec![0.0; b.q];
    }
    let mut xtx = vec![0.0; p * p];
    let mut xty = vec![0.0; p];
    let mut yty = 0.0;
    let mut xi = vec![0.0; p];
    let mut zi: Vec<(usize, f64)> = Vec::with_capacity(3);
    for i in 0..d.y.len() {
        xi[0] = 1.0;
        xi[1..].copy_from_slice(&d.x[i]);
        let y = d.y[i];
        for a in 0..p {
            xty[a] += xi[a] * y;
            for c in 0..p {
                xtx[a * p + c] += xi[a] * xi[c];
            }
        }
        yty += y * y;
        let b = &mut blocks[d.school[i]];
        b.n += 1;
        zi.clear();
        zi.push((0, 1.0));
        if let Some(s) = d.slope {
            zi.push((1, d.x[i][s]));
        }
        if let Some((class, _)) = &d.class
            && let Some(k) = b.classes.iter().position(|&c| c == class[i])
        {
            zi.push((q0 + k, 1.0));
        }
        for &(r, zr) in &zi {
            b.zty[r] += zr * y;
            for (t, &x) in b.ztx[r * p..(r + 1) * p].iter_mut().zip(&xi) {
                *t += zr * x;
            }
            for &(c, zc) in &zi {
                b.ztz[r * b.q + c] += zr * zc;
            }
        }
    }
    Prepared { p, n: d.y.len(), q0, xtx, xty, yty, blocks }
}

/// The relative covariance factor of one school: the lower-triangular school block from θ, then
/// `θ_class` on the diagonal for each class.
fn lambda(theta: &[f64], q0: usize, q: usize) -> Vec<f64> {
    let mut l = vec![0.0; q * q];
    l[0] = theta[0];
    let mut next = 1;
    if q0 == 2 {
        l[q] = theta[1];
        l[q + 1] = theta[2];
        next = 3;
    }
    for k in q0..q {
        l[k * q + k] = theta[next];
    }
    l
}

/// Λ'·A for A (q × c) row-major, Λ lower-triangular.
fn lt_times(l: &[f64], q: usize, a: &[f64], c: usize) -> Vec<f64> {
    let mut out = vec![0.0; q * c];
    for i in 0..q {
        for k in i..q {
            let lki = l[k * q + i];
            if lki != 0.0 {
                for j in 0..c {
                    out[i * c + j] += lki * a[k * c + j];
                }
            }
        }
    }
    out
}

/// A school's Λ and the Cholesky factor of M = Λ'Z'ZΛ + I.
fn factors(theta: &[f64], q0: usize, b: &Block) -> Option<(Vec<f64>, Vec<f64>)> {
    let q = b.q;
    let l = lambda(theta, q0, q);
    let lz = lt_times(&l, q, &b.ztz, q);
    let mut m = vec![0.0; q * q];
    for i in 0..q {
        for j in 0..q {
            m[i * q + j] = (0..q).map(|k| lz[i * q + k] * l[k * q + j]).sum::<f64>() + f64::from(u8::from(i == j));
        }
    }
    let lm = cholesky(&m, q)?;
    Some((l, lm))
}

/// Forward substitution L w = b for each of the c columns of b (q × c).
fn forward(lm: &[f64], q: usize, b: &mut [f64], c: usize) {
    for j in 0..c {
        for i in 0..q {
            let s: f64 = (0..i).map(|k| lm[i * q + k] * b[k * c + j]).sum();
            b[i * c + j] = (b[i * c + j] - s) / lm[i * q + i];
        }
    }
}

struct Eval {
    minus2: f64,
    beta: Vec<f64>,
    xvx: Vec<f64>,
    sigma2: f64,
}

/// The profiled deviance at θ (REML adds log|X'V⁻¹X|).
fn evaluate(pr: &Prepared, theta: &[f64], method: Method) -> Option<Eval> {
    let p = pr.p;
    let mut xvx = pr.xtx.clone();
    let mut xvy = pr.xty.clone();
    let mut yvy = pr.yty;
    let mut logdet = 0.0;
    for b in pr.blocks.iter().filter(|b| b.n > 0) {
        let q = b.q;
        let (l, lm) = factors(theta, pr.q0, b)?;
        logdet += 2.0 * (0..q).map(|i| lm[i * q + i].ln()).sum::<f64>();
        let mut a = lt_times(&l, q, &b.ztx, p);
        let mut r = lt_times(&l, q, &b.zty, 1);
        forward(&lm, q, &mut a, p);
        forward(&lm, q, &mut r, 1);
        for i in 0..p {
            for j in 0..p {
                xvx[i * p + j] -= (0..q).map(|k| a[k * p + i] * a[k * p + j]).sum::<f64>();
            }
            xvy[i] -= (0..q).map(|k| a[k * p + i] * r[k]).sum::<f64>();
        }
        yvy -= r.iter().map(|v| v * v).sum::<f64>();
    }
    let lx = cholesky(&xvx, p)?;
    let beta = crate::valueadded::solve(&lx, p, &xvy);
    let rss = yvy - beta.iter().zip(&xvy).map(|(b, v)| b * v).sum::<f64>();
    let n = pr.n as f64;
    let dof = if method == Method::Reml { n - p as f64 } else { n };
    if rss <= 0.0 || dof <= 0.0 {
        return None;
    }
    let mut minus2 = logdet + dof * (1.0 + (2.0 * std::f64::consts::PI * rss / dof).ln());
    if method == Method::Reml {
        minus2 += 2.0 * (0..p).map(|i| lx[i * p + i].ln()).sum::<f64>();
    }
    Some(Eval { minus2, beta, xvx, sigma2: rss / dof })
}

/// Nelder–Mead on θ; lower-bounded components (the diagonal of Λ) are kept ≥ 0 by their absolute value.
/// Returns the best point, its value and whether the simplex converged (values within 1e-13
/// relative) before the iteration cap.
fn nelder_mead(f: &dyn Fn(&[f64]) -> f64, start: &[f64], step: f64) -> (Vec<f64>, f64, bool) {
    let k = start.len();
    let mut pts: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..k {
        let mut p = start.to_vec();
        p[i] += if p[i].abs() > 1e-3 { step * p[i].abs() } else { step };
        pts.push(p);
    }
    let mut vals: Vec<f64> = pts.iter().map(|p| f(p)).collect();
    let mut converged = false;
    for _ in 0..4000 {
        let mut order: Vec<usize> = (0..=k).collect();
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        pts = order.iter().map(|&i| pts[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        // Converged on the values, as R's optim does: at a boundary (an intercept variance of 0)
        // the factor's other entries can rotate freely without changing the likelihood.
        if (vals[k] - vals[0]).abs() <= 1e-13 * (1.0 + vals[0].abs()) {
            converged = true;
            break;
        }
        let centre: Vec<f64> = (0..k).map(|j| pts[..k].iter().map(|p| p[j]).sum::<f64>() / k as f64).collect();
        let along = |t: f64| -> Vec<f64> { (0..k).map(|j| centre[j] + t * (pts[k][j] - centre[j])).collect() };
        let xr = along(-1.0);
        let fr = f(&xr);
        if fr < vals[0] {
            let xe = along(-2.0);
            let fe = f(&xe);
            (pts[k], vals[k]) = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < vals[k - 1] {
            (pts[k], vals[k]) = (xr, fr);
        } else {
            let xc = if fr < vals[k] { along(-0.5) } else { along(0.5) };
            let fc = f(&xc);
            if fc < vals[k].min(fr) {
                (pts[k], vals[k]) = (xc, fc);
            } else {
                for i in 1..=k {
                    pts[i] = (0..k).map(|j| pts[0][j] + 0.5 * (pts[i][j] - pts[0][j])).collect();
                    vals[i] = f(&pts[i]);
                }
            }
        }
    }
    let best = (0..=k).min_by(|&a, &b| vals[a].total_cmp(&vals[b])).unwrap_or(0);
    (pts[best].clone(), vals[best], converged)
}

/// Fits the model. Needs at least two schools; with `class`, classes under [`MIN_CLASS`] pupils
/// are left without a class effect.
pub fn fit_mixed(d: &Design, method: Method) -> Result<MixedFit, VaError> {
    let n = d.y.len();
    let p = d.terms.len() + 1;
    if n <= p + 1 {
        return Err(VaError::TooFew { n, p });
    }
    if d.schools.len() < 2 {
        return Err(VaError::OneGroup);
    }
    let keep_class: Vec<bool> = match &d.class {
        Some((class, labels)) => {
            let mut count = vec![0usize; labels.len()];
            for &c in class {
                count[c] += 1;
            }
            count.iter().map(|&c| c >= MIN_CLASS).collect()
        }
        None => Vec::new(),
    };
    let pr = prepare(d, &keep_class);
    if cholesky(&pr.xtx, p).is_none() {
        return Err(VaError::Singular);
    }
    // The optimiser works on the slope covariate centred and scaled to SD 1 (entry scores on a
    // 0–120 scale make the slope's factor a thousand times smaller than the intercept's, and the
    // simplex stalls); θ is mapped back and every result computed on the original scale.
    let scale = d.slope.and_then(|c| {
        let m = d.x.iter().map(|r| r[c]).sum::<f64>() / n as f64;
        let sd = (d.x.iter().map(|r| (r[c] - m).powi(2)).sum::<f64>() / n as f64).sqrt();
        (sd > 0.0).then_some((c, m, sd))
    });
    let scaled = scale.map(|(c, m, sd)| {
        let mut d2 = d.clone();
        for r in &mut d2.x {
            r[c] = (r[c] - m) / sd;
        }
        prepare(&d2, &keep_class)
    });
    let work = scaled.as_ref().unwrap_or(&pr);
    let with_class = d.class.is_some() && keep_class.iter().any(|k| *k);
    // With one class per school the two levels cannot be told apart: the likelihood is flat along
    // σ²(school) + σ²(class).
    if with_class && pr.blocks.iter().all(|b| b.classes.len() < 2) {
        return Err(VaError::OneClassPerGroup);
    }
    // θ: school intercept (and slope block), then the class factor; diagonal entries are ≥ 0.
    let mut diag = vec![true];
    if pr.q0 == 2 {
        diag.extend([false, true]);
    }
    if with_class {
        diag.push(true);
    }
    let fold = |t: &[f64]| -> Vec<f64> { t.iter().zip(&diag).map(|(v, d)| if *d { v.abs() } else { *v }).collect() };
    let objective = |t: &[f64]| -> f64 {
        let mut th = fold(t);
        if !with_class && pr.blocks.iter().any(|b| b.q > pr.q0) {
            th.push(0.0);
        }
        evaluate(work, &th, method).map_or(f64::INFINITY, |e| e.minus2)
    };
    let mut best: Option<(Vec<f64>, f64, bool)> = None;
    for s0 in [0.1, 0.5, 1.0] {
        let start: Vec<f64> = diag.iter().map(|d| if *d { s0 } else { 0.0 }).collect();
        let (mut t, mut v, _) = nelder_mead(&objective, &start, 0.5);
        // Restart from the optimum until it stops improving (NM can stall on ridges); the last
        // restart must converge for the fit to be reported.
        let mut converged = false;
        for _ in 0..6 {
            let (t2, v2, c) = nelder_mead(&objective, &t, 0.05);
            let gain = v - v2;
            (t, v, converged) = (t2, v2, c);
            if c && gain < 1e-10 {
                break;
            }
        }
        if best.as_ref().is_none_or(|b| v < b.1) {
            best = Some((t, v, converged));
        }
    }
    let (t, _, converged) = best.ok_or(VaError::Singular)?;
    if !converged {
        return Err(VaError::NotConverged);
    }
    let mut theta = fold(&t);
    if !with_class && pr.blocks.iter().any(|b| b.q > pr.q0) {
        theta.push(0.0);
    }
    if let Some((_, m, sd)) = scale {
        // [u0; u1] = A [u0'; u1'] with A = [[1, −m/sd], [0, 1/sd]]; T = A T' A', then its Cholesky factor.
        let (a, b, c) = (theta[0], theta[1], theta[2]);
        let (t00, t01, t11) = (a * a, a * b, b * b + c * c);
        let (k, w) = (-m / sd, 1.0 / sd);
        let n00 = t00 + 2.0 * k * t01 + k * k * t11;
        let n01 = w * (t01 + k * t11);
        let n11 = w * w * t11;
        let l0 = n00.max(0.0).sqrt();
        let l10 = if l0 > 0.0 { n01 / l0 } else { 0.0 };
        let l11 = (n11 - l10 * l10).max(0.0).sqrt();
        (theta[0], theta[1], theta[2]) = (l0, l10, l11);
    }
    let e = evaluate(&pr, &theta, method).ok_or(VaError::Singular)?;
    let s2 = e.sigma2;
    let lx = cholesky(&e.xvx, p).ok_or(VaError::Singular)?;
    let mut names = vec!["(Intercept)".to_string()];
    names.extend(d.terms.iter().cloned());
    let fixed = (0..p)
        .map(|j| {
            let mut unit = vec![0.0; p];
            unit[j] = 1.0;
            let col = crate::valueadded::solve(&lx, p, &unit);
            Fixed { term: names[j].clone(), estimate: e.beta[j], se: (s2 * col[j]).sqrt() }
        })
        .collect();
    // The school block of Λ and its covariance σ²ΛΛ'.
    let l0 = lambda(&theta, pr.q0, pr.q0);
    let t00 = l0[0] * l0[0];
    let (t01, t11) = if pr.q0 == 2 { (l0[0] * l0[2], l0[2] * l0[2] + l0[3] * l0[3]) } else { (0.0, 0.0) };
    let class_theta = with_class.then(|| theta[theta.len() - 1]);
    // BLUPs: v = M⁻¹(Λ'Z'y − Λ'Z'Xβ), b = Λv; conditional covariance σ²ΛM⁻¹Λ'.
    let xbar: f64 = d.slope.map_or(0.0, |s| d.x.iter().map(|r| r[s]).sum::<f64>() / n as f64);
    let mut effects = Vec::new();
    let mut class_effects = Vec::new();
    for (j, b) in pr.blocks.iter().enumerate() {
        if b.n == 0 {
            continue;
        }
        let q = b.q;
        let (l, lm) = factors(&theta, pr.q0, b).ok_or(VaError::Singular)?;
        let resid: Vec<f64> =
            (0..q).map(|r| b.zty[r] - (0..p).map(|a| b.ztx[r * p + a] * e.beta[a]).sum::<f64>()).collect();
        let rhs = lt_times(&l, q, &resid, 1);
        let v = crate::valueadded::solve(&lm, q, &rhs);
        let bl: Vec<f64> = (0..q).map(|i| (0..q).map(|k| l[i * q + k] * v[k]).sum()).collect();
        // Conditional covariance C = σ²ΛM⁻¹Λ' (column by column).
        let cov = |r: usize, c: usize| -> f64 {
            let lc: Vec<f64> = (0..q).map(|k| l[c * q + k]).collect();
            let w = crate::valueadded::solve(&lm, q, &lc);
            s2 * (0..q).map(|k| l[r * q + k] * w[k]).sum::<f64>()
        };
        let (effect, var, prior) = if pr.q0 == 2 {
            let var = cov(0, 0) + 2.0 * xbar * cov(0, 1) + xbar * xbar * cov(1, 1);
            (bl[0] + xbar * bl[1], var, s2 * (t00 + 2.0 * xbar * t01 + xbar * xbar * t11))
        } else {
            (bl[0], cov(0, 0), s2 * t00)
        };
        let se = var.max(0.0).sqrt();
        let shrinkage = if prior > 0.0 { 1.0 - var / prior } else { 0.0 };
        effects.push(Effect { group: d.schools[j].clone(), n: b.n, shrinkage, ..interval(effect, se) });
        if let (Some((class, labels)), Some(tc)) = (&d.class, class_theta) {
            for (k, &c) in b.classes.iter().enumerate() {
                let idx = pr.q0 + k;
                let var = cov(idx, idx);
                let members = class.iter().filter(|&&x| x == c).count();
                let prior = s2 * tc * tc;
                let shrinkage = if prior > 0.0 { 1.0 - var / prior } else { 0.0 };
                class_effects.push(Effect {
                    group: format!("{}/{}", d.schools[j], labels[c]),
                    n: members,
                    shrinkage,
                    ..interval(bl[idx], var.max(0.0).sqrt())
                });
            }
        }
    }
    let kept = keep_class.iter().filter(|k| **k).count();
    Ok(MixedFit {
        method: if method == Method::Reml { "REML" } else { "ML" },
        n,
        fixed,
        sigma2_e: s2,
        school_var: s2 * t00,
        school_slope_cov: (pr.q0 == 2).then_some(s2 * t01),
        slope_var: (pr.q0 == 2).then_some(s2 * t11),
        class_var: class_theta.map(|t| s2 * t * t),
        minus2ll: e.minus2,
        effects,
        class_effects,
        classes_kept: kept,
        classes_dropped: keep_class.len() - kept,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// 6 schools × (two classes of 16 and one of 4) with school, slope and class effects.
    fn synthetic() -> Design {
        let mut rng = Rng::new(42);
        let mut d = Design {
            y: vec![],
            x: vec![],
            terms: vec!["entry".into()],
            school: vec![],
            schools: (0..6).map(|s| format!("S{s}")).collect(),
            slope: Some(0),
            class: Some((vec![], vec![])),
        };
        for s in 0..6 {
            let (u0, u1) = (0.5 * rng.normal(), 0.2 * rng.normal());
            for (c, size) in [16, 16, 4].into_iter().enumerate() {
                let label = format!("S{s}C{c}");
                let ci = d.class.as_ref().map_or(0, |c| c.1.len());
                if let Some((_, labels)) = d.class.as_mut() {
                    labels.push(label);
                }
                let uc = 0.3 * rng.normal();
                for _ in 0..size {
                    let x = rng.normal();
                    d.y.push(0.2 + 0.6 * x + u0 + u1 * x + uc + 0.7 * rng.normal());
                    d.x.push(vec![x]);
                    d.school.push(s);
                    if let Some((class, _)) = d.class.as_mut() {
                        class.push(ci);
                    }
                }
            }
        }
        d
    }

    /// −2 log-likelihood from the dense n × n covariance, as a textbook would write it.
    fn dense(d: &Design, theta: &[f64], keep: &[bool], method: Method) -> f64 {
        let n = d.y.len();
        let p = 2;
        let (class, _) = d.class.as_ref().expect("classes");
        // V = I + Z Λ Λ' Z' (relative to σ²), built pair by pair.
        let (l00, l10, l11, lc) = (theta[0], theta[1], theta[2], theta[3]);
        let t = [l00 * l00, l00 * l10, l10 * l10 + l11 * l11];
        let mut v = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let mut x = f64::from(u8::from(i == j));
                if d.school[i] == d.school[j] {
                    let (a, b) = (d.x[i][0], d.x[j][0]);
                    x += t[0] + t[1] * (a + b) + t[2] * a * b;
                    if class[i] == class[j] && keep[class[i]] {
                        x += lc * lc;
                    }
                }
                v[i * n + j] = x;
            }
        }
        let lv = cholesky(&v, n).expect("V");
        let logdet: f64 = 2.0 * (0..n).map(|i| lv[i * n + i].ln()).sum::<f64>();
        let vinv = |b: &[f64]| crate::valueadded::solve(&lv, n, b);
        let ones = vec![1.0; n];
        let xs: Vec<f64> = d.x.iter().map(|r| r[0]).collect();
        let (w1, wx, wy) = (vinv(&ones), vinv(&xs), vinv(&d.y));
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let xvx = [dot(&ones, &w1), dot(&ones, &wx), dot(&xs, &w1), dot(&xs, &wx)];
        let xvy = [dot(&ones, &wy), dot(&xs, &wy)];
        let det = xvx[0] * xvx[3] - xvx[1] * xvx[2];
        let beta = [(xvx[3] * xvy[0] - xvx[1] * xvy[1]) / det, (xvx[0] * xvy[1] - xvx[2] * xvy[0]) / det];
        let rss = dot(&d.y, &wy) - beta[0] * xvy[0] - beta[1] * xvy[1];
        let dof = if method == Method::Reml { (n - p) as f64 } else { n as f64 };
        let mut m2 = logdet + dof * (1.0 + (2.0 * std::f64::consts::PI * rss / dof).ln());
        if method == Method::Reml {
            m2 += det.ln();
        }
        m2
    }

    #[test]
    fn nested_classes_and_slope_match_the_dense_likelihood() {
        let d = synthetic();
        let keep: Vec<bool> = [true, true, false].repeat(6);
        let pr = prepare(&d, &keep);
        for method in [Method::Reml, Method::Ml] {
            for theta in [[0.5, 0.1, 0.3, 0.4], [1.0, -0.2, 0.05, 0.0], [0.0, 0.0, 0.0, 0.7]] {
                let fast = evaluate(&pr, &theta, method).expect("evaluates").minus2;
                let slow = dense(&d, &theta, &keep, method);
                assert!((fast - slow).abs() < 1e-8, "{method:?} {theta:?}: {fast} vs {slow}");
            }
        }
        // The fit: small classes dropped, an optimum no nearby θ improves on.
        let f = fit_mixed(&d, Method::Reml).expect("fit");
        assert_eq!((f.classes_kept, f.classes_dropped), (12, 6));
        assert_eq!(f.class_effects.len(), 12);
        assert!(f.class_var.is_some_and(|v| v > 0.0));
        let l0 = (f.school_var / f.sigma2_e).sqrt();
        let l10 = f.school_slope_cov.unwrap() / f.sigma2_e / l0;
        let l11 = (f.slope_var.unwrap() / f.sigma2_e - l10 * l10).max(0.0).sqrt();
        let lc = (f.class_var.unwrap() / f.sigma2_e).sqrt();
        let at = |t: [f64; 4]| evaluate(&pr, &t, Method::Reml).map_or(f64::INFINITY, |e| e.minus2);
        let best = at([l0, l10, l11, lc]);
        assert!((best - f.minus2ll).abs() < 1e-6);
        for k in 0..4 {
            for h in [-1e-3, 1e-3] {
                let mut t = [l0, l10, l11, lc];
                t[k] += h;
                if t[k] >= 0.0 || k == 1 {
                    assert!(at(t) >= best - 1e-9, "θ[{k}] {h:+}");
                }
            }
        }
    }
}
