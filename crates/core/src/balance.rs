//! 义务教育优质均衡 evaluation of a county's schools of one stage: each school's seven values, met
//! count and pass state, and the county's student-weighted 差异系数 per indicator.
//!
//! X̄ = Σ PᵢXᵢ / P (the county value: total numerator over total pupils), S = √(Σ Pᵢ(Xᵢ − X̄)² / P),
//! CV = S / X̄. Values are unrounded; rounding is for display.

use serde::Serialize;

use crate::standards::quality_balance::{CV_LIMIT_JUNIOR, CV_LIMIT_PRIMARY, INDICATORS, MIN_MET, REST_SHARE};

crate::labelled_enum! {
    /// The stage a county is assessed for (九年一贯制 schools count in both, by their pupils).
    BalanceStage, "学段" {
        Primary => "primary", "小学";
        Junior => "junior", "初中";
    }
}

/// One school's inputs: pupils and the numerator of each indicator, in `INDICATORS` order.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolInput {
    pub code: String,
    pub name: String,
    pub students: f64,
    pub numerators: [f64; 7],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorResult {
    pub key: &'static str,
    pub name: &'static str,
    pub threshold: f64,
    pub county_value: f64,
    /// `None` when the county value is 0 (the coefficient is undefined).
    pub cv: Option<f64>,
    pub cv_limit: f64,
    pub cv_pass: bool,
    /// Schools below the threshold.
    pub schools_below: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolResult {
    pub code: String,
    pub name: String,
    pub students: f64,
    pub values: std::collections::BTreeMap<&'static str, f64>,
    pub met: usize,
    pub pass: bool,
    /// Indicators below threshold, with value/threshold, to say what holds the school back.
    pub shortfalls: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub stage: &'static str,
    pub indicators: Vec<IndicatorResult>,
    pub schools: Vec<SchoolResult>,
    pub county_pass: bool,
}

pub fn threshold(stage: BalanceStage, i: usize) -> f64 {
    match stage {
        BalanceStage::Primary => INDICATORS[i].primary,
        BalanceStage::Junior => INDICATORS[i].junior,
    }
}

/// Student-weighted coefficient of variation of `values` with weights `students`.
pub fn weighted_cv(students: &[f64], values: &[f64]) -> Option<f64> {
    let p: f64 = students.iter().sum();
    if p <= 0.0 {
        return None;
    }
    let mean = students.iter().zip(values).map(|(p, x)| p * x).sum::<f64>() / p;
    if mean == 0.0 {
        return None;
    }
    let var = students.iter().zip(values).map(|(p, x)| p * (x - mean).powi(2)).sum::<f64>() / p;
    Some(var.sqrt() / mean)
}

const EPS: f64 = 1e-9;

/// Evaluates the schools (each with pupils > 0; the caller validates).
pub fn evaluate(stage: BalanceStage, schools: &[SchoolInput]) -> Evaluation {
    let limit = match stage {
        BalanceStage::Primary => CV_LIMIT_PRIMARY,
        BalanceStage::Junior => CV_LIMIT_JUNIOR,
    };
    let students: Vec<f64> = schools.iter().map(|s| s.students).collect();
    let value = |s: &SchoolInput, i: usize| s.numerators[i] / s.students * INDICATORS[i].factor;
    let mut out_schools = Vec::with_capacity(schools.len());
    for s in schools {
        let mut met = 0;
        let mut rest_ok = true;
        let mut values = std::collections::BTreeMap::new();
        let mut shortfalls = Vec::new();
        for (i, ind) in INDICATORS.iter().enumerate() {
            let v = value(s, i);
            let t = threshold(stage, i);
            values.insert(ind.key, v);
            if v >= t - EPS {
                met += 1;
            } else {
                shortfalls.push(format!("{}：{:.2}{}，要求{}{}", ind.name, v, ind.unit, t, ind.unit));
                if v < REST_SHARE * t - EPS {
                    rest_ok = false;
                }
            }
        }
        out_schools.push(SchoolResult {
            code: s.code.clone(),
            name: s.name.clone(),
            students: s.students,
            values,
            met,
            pass: met >= MIN_MET && rest_ok,
            shortfalls,
        });
    }
    let total: f64 = students.iter().sum();
    let indicators: Vec<IndicatorResult> = INDICATORS
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            let xs: Vec<f64> = schools.iter().map(|s| value(s, i)).collect();
            let county_value = schools.iter().map(|s| s.numerators[i]).sum::<f64>() / total * ind.factor;
            let cv = weighted_cv(&students, &xs);
            let t = threshold(stage, i);
            IndicatorResult {
                key: ind.key,
                name: ind.name,
                threshold: t,
                county_value,
                cv,
                cv_limit: limit,
                cv_pass: cv.is_some_and(|c| c <= limit + EPS),
                schools_below: xs.iter().filter(|&&x| x < t - EPS).count(),
            }
        })
        .collect();
    let county_pass = !schools.is_empty() && indicators.iter().all(|i| i.cv_pass) && out_schools.iter().all(|s| s.pass);
    Evaluation { stage: stage.key(), indicators, schools: out_schools, county_pass }
}

/// One school's 基本均衡 inputs: pupils and the numerator of each of the 8 indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct BasicInput {
    pub students: f64,
    pub numerators: [f64; 8],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BasicIndicator {
    pub key: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub county_value: f64,
    pub cv: Option<f64>,
}

/// The 2012 基本均衡 result: 8 coefficients and their mean against the stage's limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BasicEvaluation {
    pub indicators: Vec<BasicIndicator>,
    /// The mean of the 8 coefficients; `None` if any is undefined (a county value of 0).
    pub composite: Option<f64>,
    pub limit: f64,
    pub pass: bool,
}

pub fn evaluate_basic(stage: BalanceStage, schools: &[BasicInput]) -> BasicEvaluation {
    use crate::standards::basic_balance::{INDICATORS as BASIC, LIMIT_JUNIOR, LIMIT_PRIMARY};
    let limit = match stage {
        BalanceStage::Primary => LIMIT_PRIMARY,
        BalanceStage::Junior => LIMIT_JUNIOR,
    };
    let students: Vec<f64> = schools.iter().map(|s| s.students).collect();
    let total: f64 = students.iter().sum();
    let indicators: Vec<BasicIndicator> = BASIC
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            let xs: Vec<f64> = schools.iter().map(|s| s.numerators[i] / s.students * ind.factor).collect();
            let sum: f64 = schools.iter().map(|s| s.numerators[i]).sum();
            BasicIndicator {
                key: ind.key,
                name: ind.name,
                unit: ind.unit,
                county_value: if total > 0.0 { sum / total * ind.factor } else { 0.0 },
                cv: weighted_cv(&students, &xs),
            }
        })
        .collect();
    let cvs: Option<Vec<f64>> = indicators.iter().map(|i| i.cv).collect();
    let composite = cvs.filter(|c| !c.is_empty()).map(|c| c.iter().sum::<f64>() / c.len() as f64);
    BasicEvaluation { pass: composite.is_some_and(|c| c <= limit + EPS), indicators, composite, limit }
}

/// The county's verdict over the four parts of 教督〔2017〕6号 (资源配置, 政府保障程度, 教育质量,
/// 社会认可度): recognised only when every part is met; one part not met decides against; a part
/// still without data leaves the verdict open.
pub fn county_verdict(parts: &[crate::guarantee::Verdict]) -> crate::guarantee::Verdict {
    use crate::guarantee::Verdict;
    if parts.contains(&Verdict::NotMet) {
        Verdict::NotMet
    } else if parts.is_empty() || parts.iter().any(|p| *p != Verdict::Met) {
        Verdict::NoData
    } else {
        Verdict::Met
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of the CV method (生均图书册数, five schools): X̄ = 6.3344, S = 3.2639, CV = 0.5153.
    #[test]
    fn worked_cv_vector() {
        let p = [45.0, 37.0, 89.0, 76.0, 55.0];
        let books = [279.0, 137.0, 935.0, 160.0, 402.0];
        let x: Vec<f64> = p.iter().zip(&books).map(|(p, b)| b / p).collect();
        let cv = weighted_cv(&p, &x).unwrap();
        let mean: f64 = 1913.0 / 302.0;
        assert!((mean - 6.3344).abs() < 5e-5);
        assert!((cv * mean - 3.2639).abs() < 5e-5, "S");
        assert!((cv - 0.5153).abs() < 5e-5, "{cv}");
        assert_eq!(weighted_cv(&[1.0, 1.0], &[0.0, 0.0]), None);
        assert_eq!(weighted_cv(&[10.0, 30.0], &[2.0, 2.0]), Some(0.0));
    }

    /// 综合差异系数 is the mean of the 8 coefficients, judged against 0.65 (小学) and 0.55 (初中).
    #[test]
    fn basic_composite_is_the_mean_of_eight() {
        // Indicator 0 varies as the worked example (CV 0.5153); the others are equal across schools (0).
        let p = [45.0, 37.0, 89.0, 76.0, 55.0];
        let books = [279.0, 137.0, 935.0, 160.0, 402.0];
        let schools: Vec<BasicInput> = p
            .iter()
            .zip(&books)
            .map(|(&students, &b)| {
                let mut numerators = [students; 8];
                numerators[0] = b;
                BasicInput { students, numerators }
            })
            .collect();
        let e = evaluate_basic(BalanceStage::Primary, &schools);
        assert!((e.indicators[0].cv.unwrap() - 0.5153).abs() < 5e-5);
        assert_eq!(e.indicators[1].cv, Some(0.0));
        let c = e.composite.unwrap();
        assert!((c - e.indicators[0].cv.unwrap() / 8.0).abs() < 1e-12 && e.pass && c < 0.0645);
        assert!((e.indicators[0].county_value - 1913.0 / 302.0).abs() < 1e-12);
        // At the limits: a composite of exactly 0.55 passes 初中, just above fails.
        // Two schools of equal size with values a and b: CV = |a − b| / (a + b) on every indicator.
        let pair_in = |stage: BalanceStage, a: f64, b: f64| {
            evaluate_basic(
                stage,
                &[
                    BasicInput { students: 100.0, numerators: [a; 8] },
                    BasicInput { students: 100.0, numerators: [b; 8] },
                ],
            )
        };
        let pair = |a, b| pair_in(BalanceStage::Junior, a, b);
        let at = pair(45.0, 155.0);
        assert!((at.composite.unwrap() - 0.55).abs() < 1e-12 && at.pass, "exactly 0.55 passes 初中");
        assert!(!pair(44.0, 156.0).pass, "0.56 fails");
        // 小学: 0.65 passes, 0.66 fails; 0.56 passes 小学 though it fails 初中.
        let at = pair_in(BalanceStage::Primary, 35.0, 165.0);
        assert!((at.composite.unwrap() - 0.65).abs() < 1e-12 && at.pass, "exactly 0.65 passes 小学");
        assert!(!pair_in(BalanceStage::Primary, 34.0, 166.0).pass, "0.66 fails 小学");
        assert!(pair_in(BalanceStage::Primary, 44.0, 156.0).pass, "0.56 passes 小学");
        let mut zero = schools.clone();
        for s in &mut zero {
            s.numerators[3] = 0.0;
        }
        assert_eq!(evaluate_basic(BalanceStage::Junior, &zero).composite, None, "an undefined coefficient");
        assert_eq!(evaluate_basic(BalanceStage::Junior, &zero).limit, 0.55);
    }

    fn school(code: &str, students: f64, per_student: [f64; 7]) -> SchoolInput {
        let mut numerators = [0.0; 7];
        for i in 0..7 {
            numerators[i] = per_student[i] * students / INDICATORS[i].factor;
        }
        SchoolInput { code: code.into(), name: code.into(), students, numerators }
    }

    #[test]
    fn pass_rule_at_its_boundaries() {
        let t = [4.2, 1.0, 0.9, 4.5, 7.5, 2000.0, 2.3];
        // Exactly at every threshold: 7 met.
        let e = evaluate(BalanceStage::Primary, &[school("A", 1000.0, t)]);
        assert_eq!((e.schools[0].met, e.schools[0].pass), (7, true));
        // One indicator at exactly 85 % of its threshold: 6 met, passes.
        let mut v = t;
        v[4] = 0.85 * 7.5;
        let e = evaluate(BalanceStage::Primary, &[school("B", 1000.0, v)]);
        assert_eq!((e.schools[0].met, e.schools[0].pass), (6, true));
        assert_eq!(e.schools[0].shortfalls.len(), 1);
        // Just below 85 %: fails although 6 are met.
        v[4] = 0.849 * 7.5;
        assert!(!evaluate(BalanceStage::Primary, &[school("C", 1000.0, v)]).schools[0].pass);
        // Two below threshold (each above 85 %): only 5 met, fails.
        let mut w = t;
        w[0] = 4.1;
        w[6] = 2.2;
        assert_eq!(evaluate(BalanceStage::Primary, &[school("D", 1000.0, w)]).schools[0].met, 5);
        // Junior thresholds are higher: primary-level values fail there.
        let e = evaluate(BalanceStage::Junior, &[school("E", 1000.0, t)]);
        assert!(!e.schools[0].pass);
    }

    #[test]
    fn county_values_aggregate_before_dividing_and_cv_limits_apply() {
        let good = [5.0, 1.2, 1.0, 5.0, 8.0, 2500.0, 2.5];
        let mut rich = good;
        rich[5] = 6000.0;
        let schools = [school("A", 900.0, good), school("B", 100.0, rich)];
        let e = evaluate(BalanceStage::Primary, &schools);
        // 设备值: (2500·900 + 6000·100) / 1000 = 2850, not the mean of school values (4250).
        let eq = &e.indicators[5];
        assert!((eq.county_value - 2850.0).abs() < 1e-9);
        // S = √((900·350² + 100·3150²)/1000) = 1050; CV = 1050/2850 = 0.368 ≤ 0.50.
        assert!((eq.cv.unwrap() - 1050.0 / 2850.0).abs() < 1e-12);
        assert!(eq.cv_pass && e.county_pass);
        let e = evaluate(BalanceStage::Junior, &schools);
        assert!(!e.county_pass, "junior thresholds are not met by these schools");
        let mut poor = good;
        poor[5] = 500.0;
        let e = evaluate(
            BalanceStage::Primary,
            &[school("A", 500.0, good), school("B", 500.0, poor), school("C", 500.0, rich)],
        );
        assert!(!e.indicators[5].cv_pass && !e.county_pass);
    }

    #[test]
    fn the_county_needs_every_part() {
        use crate::guarantee::Verdict::{Met, NoData, NotMet};
        assert_eq!(county_verdict(&[Met, Met, Met, Met]), Met);
        assert_eq!(county_verdict(&[Met, NoData, Met, Met]), NoData);
        assert_eq!(county_verdict(&[Met, NoData, NotMet, Met]), NotMet, "one part not met decides");
        assert_eq!(county_verdict(&[]), NoData);
    }
}
