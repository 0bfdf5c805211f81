//! A synthetic 问题清单 shaped like a county's: problems of many inspectors over several years,
//! rows in no particular order, every stage of the 整改 loop, late answers and overdue ones.

use chrono::{Days, NaiveDate};
use eduq_core::rng::Rng;
use eduq_core::supervision::{ProblemKind, ProblemState, Severity};

/// One generated problem, as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthProblem {
    pub school_id: i64,
    pub kind: ProblemKind,
    pub domain: &'static str,
    pub description: String,
    pub severity: Severity,
    pub raised_by: String,
    pub raised_on: NaiveDate,
    pub deadline: NaiveDate,
    pub state: ProblemState,
    pub submitted_on: Option<NaiveDate>,
    pub rectified_on: Option<NaiveDate>,
    pub returns: u32,
    pub closed_on: Option<NaiveDate>,
    pub close_requested_by: Option<String>,
    pub indicator: Option<&'static str>,
}

const DOMAINS: &[&str] =
    &["校务管理", "招生收费", "课程教学", "学生负担", "教师队伍", "校园安全", "食品卫生", "校风建设"];
const HAZARDS: &[&str] = &["消防", "校舍", "食品卫生", "交通", "用电"];
const WHAT: &[&str] =
    &["制度未落实", "台账记录不全", "公示不及时", "检查发现隐患", "超时布置作业", "设施老化未维修", "培训未按计划开展"];
const INDICATORS: &[&str] = &["class_size_ok_rate", "fitness_pass_rate", "qualified_teachers_rate"];

/// `n` problems over the `years` years before `today` at the given schools, shuffled.
pub fn problems(
    seed: u64,
    schools: &[i64],
    inspectors: usize,
    years: u32,
    n: usize,
    today: NaiveDate,
) -> Vec<SynthProblem> {
    let mut rng = Rng::new(seed);
    let span = u64::from(years) * 365;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let school_id = schools[rng.below(schools.len().max(1) as u64) as usize];
        let hazard = rng.below(10) < 2;
        let raised_on = today - Days::new(rng.below(span.max(1)));
        let severity =
            [Severity::General, Severity::General, Severity::Serious, Severity::Severe][rng.below(4) as usize];
        let deadline = raised_on + Days::new(severity.rectify_days() as u64 + if rng.below(5) == 0 { 15 } else { 0 });
        let age = (today - raised_on).num_days();
        // Most answers come near the deadline; one in five late.
        let answered =
            deadline - Days::new(rng.below(5)) + Days::new(if rng.below(5) == 0 { 10 + rng.below(30) } else { 0 });
        let mut p = SynthProblem {
            school_id,
            kind: if hazard { ProblemKind::Hazard } else { ProblemKind::Supervision },
            domain: if hazard {
                HAZARDS[rng.below(HAZARDS.len() as u64) as usize]
            } else {
                DOMAINS[rng.below(DOMAINS.len() as u64) as usize]
            },
            description: format!(
                "{}：{}",
                if hazard { "安全隐患" } else { "督导发现" },
                WHAT[rng.below(WHAT.len() as u64) as usize]
            ),
            severity,
            raised_by: format!("督学{:02}", 1 + rng.below(inspectors.max(1) as u64)),
            raised_on,
            deadline,
            state: ProblemState::Open,
            submitted_on: None,
            rectified_on: None,
            returns: u32::from(rng.below(8) == 0),
            closed_on: None,
            close_requested_by: None,
            indicator: (rng.below(10) == 0).then(|| INDICATORS[rng.below(INDICATORS.len() as u64) as usize]),
        };
        // Older problems are further along; a few stay open long past their deadline.
        let stuck = rng.below(40) == 0;
        if answered <= today && !stuck {
            p.state = ProblemState::Submitted;
            p.submitted_on = Some(answered);
            if answered + Days::new(5) <= today {
                p.state = ProblemState::PendingClose;
                p.rectified_on = Some(answered);
                p.close_requested_by = Some(p.raised_by.clone());
                if answered + Days::new(12) <= today || age > 60 {
                    p.state = ProblemState::Closed;
                    p.closed_on = Some((answered + Days::new(12)).min(today));
                    p.close_requested_by = None;
                }
            }
        }
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_is_present_and_the_dates_hold() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let v = problems(7, &[1, 2, 3], 5, 5, 5_000, today);
        assert_eq!(v, problems(7, &[1, 2, 3], 5, 5, 5_000, today), "seeded");
        for st in ProblemState::ALL {
            assert!(v.iter().any(|p| p.state == *st), "{st:?}");
        }
        assert!(v.iter().any(|p| p.state == ProblemState::Open && p.deadline < today), "overdue ones");
        for p in &v {
            assert!(p.raised_on <= today && p.deadline >= p.raised_on);
            assert!(p.submitted_on.is_none_or(|d| d >= p.raised_on && d <= today), "{p:?}");
            assert!(p.closed_on.is_none_or(|d| d <= today));
        }
    }
}
