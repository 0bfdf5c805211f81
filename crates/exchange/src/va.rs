//! Linked entry/exit scores for value-added: one row per pupil with the outcome, the prior
//! attainment (and any covariates) and the group. Categorical covariates become 0/1 columns.

use std::collections::BTreeSet;

use eduq_core::valueadded::{Data, Effect, Fit};

use crate::ExchangeError;
use crate::table::{CsvOut, Table};

/// The model data and how many rows were left out (a value missing), for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Linked {
    pub data: Data,
    pub excluded: usize,
    /// The first prior column, numeric, per kept pupil (for the level-0 bands).
    pub entry: Vec<f64>,
    /// Index into the table's rows of each kept pupil.
    pub rows: Vec<usize>,
}

pub fn read_linked(t: &Table, outcome: &str, priors: &[String], group: &str) -> Result<Linked, ExchangeError> {
    let mut missing = Vec::new();
    let mut col = |h: &str| {
        let c = t.column(h);
        if c.is_none() {
            missing.push(h.to_string());
        }
        c
    };
    let oc = col(outcome);
    let gc = col(group);
    let pcs: Vec<Option<usize>> = priors.iter().map(|p| col(p)).collect();
    if !missing.is_empty() {
        return Err(ExchangeError::MissingHeaders(missing));
    }
    let (oc, gc) = (oc.expect("checked"), gc.expect("checked"));
    let pcs: Vec<usize> = pcs.into_iter().map(|c| c.expect("checked")).collect();
    let numeric = |c: usize| {
        t.rows.iter().all(|(_, r)| r[c].trim().is_empty() || r[c].trim().parse::<f64>().is_ok_and(f64::is_finite))
    };
    if !numeric(oc) {
        let (n, r) = t
            .rows
            .iter()
            .find(|(_, r)| r[oc].trim().parse::<f64>().is_err() && !r[oc].trim().is_empty())
            .expect("some");
        return Err(ExchangeError::Rows(vec![crate::RowError {
            row: *n,
            column: outcome.to_string(),
            value: r[oc].clone(),
            message: "不是有效成绩".into(),
        }]));
    }
    // Each prior: numeric, or categorical with the first level (sorted) as the reference.
    enum Kind {
        Numeric,
        Levels(Vec<String>),
    }
    let kinds: Vec<Kind> = pcs
        .iter()
        .map(|&c| {
            if numeric(c) {
                Kind::Numeric
            } else {
                let levels: BTreeSet<String> =
                    t.rows.iter().map(|(_, r)| r[c].trim().to_string()).filter(|v| !v.is_empty()).collect();
                Kind::Levels(levels.into_iter().collect())
            }
        })
        .collect();
    let mut terms = Vec::new();
    for (p, k) in priors.iter().zip(&kinds) {
        match k {
            Kind::Numeric => terms.push(p.clone()),
            Kind::Levels(levels) => terms.extend(levels.iter().skip(1).map(|l| format!("{p}[{l}]"))),
        }
    }
    let mut data = Data { y: vec![], x: vec![], group: vec![], groups: vec![], terms };
    let mut index = std::collections::HashMap::new();
    let mut excluded = 0;
    let mut entry = Vec::new();
    let mut rows = Vec::new();
    for (row, (_, r)) in t.rows.iter().enumerate() {
        let g = r[gc].trim();
        let y = r[oc].trim().parse::<f64>();
        if g.is_empty() || y.is_err() || pcs.iter().any(|&c| r[c].trim().is_empty()) {
            excluded += 1;
            continue;
        }
        let mut x = Vec::with_capacity(data.terms.len());
        for (&c, k) in pcs.iter().zip(&kinds) {
            let v = r[c].trim();
            match k {
                Kind::Numeric => x.push(v.parse::<f64>().unwrap_or(0.0)),
                Kind::Levels(levels) => x.extend(levels.iter().skip(1).map(|l| f64::from(u8::from(l == v)))),
            }
        }
        let next = data.groups.len();
        let gi = *index.entry(g.to_string()).or_insert(next);
        if gi == next {
            data.groups.push(g.to_string());
        }
        if let Kind::Numeric = kinds[0] {
            entry.push(x[0]);
        }
        data.group.push(gi);
        data.y.push(y.unwrap_or(0.0));
        data.x.push(x);
        rows.push(row);
    }
    Ok(Linked { data, excluded, entry, rows })
}

fn num(v: f64) -> String {
    format!("{v}")
}

pub fn fixed_csv(f: &Fit) -> Vec<u8> {
    fixed_rows_csv(&f.fixed)
}

pub fn fixed_rows_csv(fixed: &[eduq_core::valueadded::Fixed]) -> Vec<u8> {
    let mut out = CsvOut::new(&["term", "estimate", "se"], 256);
    for x in fixed {
        out.row(&[&x.term, &num(x.estimate), &num(x.se)]);
    }
    out.finish()
}

pub fn variance_csv(f: &Fit, group: &str) -> Vec<u8> {
    let mut out = CsvOut::new(&["component", "estimate"], 256);
    out.row(&[group, &num(f.sigma2_u)]);
    out.row(&["residual", &num(f.sigma2_e)]);
    out.row(&["icc", &num(f.icc)]);
    out.finish()
}

/// Variance components of the extended model: the group intercept, with a slope its covariance
/// and variance, the class intercept, the residual.
pub fn mixed_variance_csv(f: &eduq_core::mixed::MixedFit, group: &str, slope: &str) -> Vec<u8> {
    let mut out = CsvOut::new(&["component", "estimate"], 256);
    out.row(&[group, &num(f.school_var)]);
    if let (Some(c), Some(v)) = (f.school_slope_cov, f.slope_var) {
        out.row(&[&format!("{group}:{slope} cov"), &num(c)]);
        out.row(&[&format!("{group}:{slope}"), &num(v)]);
    }
    if let Some(c) = f.class_var {
        out.row(&[&format!("{group}:class"), &num(c)]);
    }
    out.row(&["residual", &num(f.sigma2_e)]);
    out.finish()
}

pub fn effects_csv(effects: &[Effect]) -> Vec<u8> {
    let mut out =
        CsvOut::new(&["group", "n", "effect", "se", "lower", "upper", "shrinkage", "band"], effects.len() * 96);
    for e in effects {
        out.row(&[
            &e.group,
            &e.n.to_string(),
            &num(e.effect),
            &num(e.se),
            &num(e.lower),
            &num(e.upper),
            &num(e.shrinkage),
            e.band,
        ]);
    }
    out.finish()
}
