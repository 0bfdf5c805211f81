//! Synthetic admission markets (lottery) for the demo, tests and benchmarks.

use eduq_core::lottery::{Applicant, Priority, School};

use crate::Rng;

/// A market of `applicants` pupils choosing among `schools` schools: seats for ~90 % of them,
/// popularity skewed so that some schools are oversubscribed, 1–5 choices each, ~2 % twins drawn
/// together, and a catchment priority (group 1) for ~30 % at their first choice.
pub fn market(seed: u64, applicants: usize, schools: usize) -> (Vec<Applicant>, Vec<School>, Vec<Priority>) {
    let mut rng = Rng::new(seed ^ 0x10_77E2_u64);
    let schools = schools.max(1);
    let codes: Vec<String> = (0..schools).map(|i| format!("S{:04}", i + 1)).collect();
    let total = (applicants as f64 * 0.9).ceil() as u32;
    let base = (total / schools as u32).max(1);
    let school_list: Vec<School> = codes
        .iter()
        .map(|c| School { code: c.clone(), seats: base.max(1) + rng.below(u64::from(base) / 2 + 1) as u32 })
        .collect();
    // Popularity: weight 1/(rank+1)^0.8, sampled by inverse cumulative weights.
    let weights: Vec<f64> = (0..schools).map(|i| 1.0 / ((i + 1) as f64).powf(0.8)).collect();
    let sum: f64 = weights.iter().sum();
    let mut cumulative = Vec::with_capacity(schools);
    let mut acc = 0.0;
    for w in &weights {
        acc += w / sum;
        cumulative.push(acc);
    }
    let pick = |rng: &mut Rng| {
        let u = rng.unit();
        cumulative.partition_point(|&c| c < u).min(schools - 1)
    };
    let mut out = Vec::with_capacity(applicants);
    let mut priorities = Vec::new();
    let mut i = 0;
    while out.len() < applicants {
        let n = 1 + rng.below(5.min(schools as u64)) as usize;
        let mut choices: Vec<usize> = Vec::with_capacity(n);
        while choices.len() < n {
            let s = pick(&mut rng);
            if !choices.contains(&s) {
                choices.push(s);
            }
        }
        let twins = out.len() + 1 < applicants && rng.below(100) < 2;
        let members = if twins { 2 } else { 1 };
        let catchment = rng.below(10) < 3;
        let bundle = twins.then(|| format!("T{:07}", i + 1));
        for _ in 0..members {
            i += 1;
            let id = format!("A{i:07}");
            if catchment {
                priorities.push(Priority { applicant: id.clone(), school: codes[choices[0]].clone(), group: 1 });
            }
            out.push(Applicant {
                id,
                choices: choices.iter().map(|&s| codes[s].clone()).collect(),
                bundle: bundle.clone(),
            });
        }
    }
    (out, school_list, priorities)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn market_is_valid_and_oversubscribed_somewhere() {
        let (a, s, p) = market(1, 2000, 20);
        assert_eq!(a.len(), 2000);
        let input = eduq_core::lottery::Input {
            lottery_id: "synth".into(),
            applicants: a,
            schools: s,
            priorities: p,
            entropy: vec!["x".into()],
            mechanism: eduq_core::lottery::Mechanism::DeferredAcceptance,
            bundle_policy: eduq_core::lottery::BundlePolicy::AdmitAll,
        };
        let d = eduq_core::lottery::draw(&input).expect("a synthetic market is valid");
        let first_school_demand = input.applicants.iter().filter(|a| a.choices[0] == "S0001").count();
        assert!(first_school_demand as u32 > input.schools[0].seats, "the most popular school is oversubscribed");
        assert!(d.admitted.iter().any(Option::is_none) && d.admitted.iter().any(Option::is_some));
        assert!(input.applicants.iter().any(|a| a.bundle.is_some()));
    }
}
