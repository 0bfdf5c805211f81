//! Results of a survey: proportions with their 95 % Wilson score intervals, tallies split by the
//! answer to one question (the respondent type), and the favourable share (认可度/满意度) a form
//! defines through the `favourable` answers of its choice lists.

use super::{Form, Tally};

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A proportion with its 95 % Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Share {
    pub count: usize,
    pub n: usize,
    pub share: f64,
    pub low: f64,
    pub high: f64,
}

/// `count` of `n` with the Wilson score interval (Wilson 1927), which stays inside [0, 1] and
/// keeps its coverage for small samples and shares near 0 or 1, where the Wald interval fails.
pub fn wilson(count: usize, n: usize) -> Option<Share> {
    if n == 0 || count > n {
        return None;
    }
    let (c, n_f) = (count as f64, n as f64);
    let p = c / n_f;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
    Some(Share { count, n, share: p, low: (centre - half).max(0.0), high: (centre + half).min(1.0) })
}

/// Whether a favourable share meets 社会认可度 (第九条: 85 % and above; 85 % itself meets it).
pub fn recognised(s: &Share) -> bool {
    s.share >= crate::standards::quality_balance::RECOGNITION_MIN
}

/// Favourable answers over answers, summed over every question whose list marks favourable
/// answers (numerators and denominators summed before dividing). A select_multiple answer counts
/// once, favourable when any chosen answer is.
pub fn favourable(form: &Form, tally: &Tally) -> Option<Share> {
    let (mut fav, mut answered) = (0, 0);
    for (i, n, counts) in &tally.questions {
        let q = &form.questions[*i];
        if !q.choices.iter().any(|c| c.favourable) || q.qtype != super::QType::SelectOne {
            continue;
        }
        answered += n;
        fav += q.choices.iter().zip(counts).filter(|(c, _)| c.favourable).map(|(_, k)| k).sum::<usize>();
    }
    wilson(fav, answered)
}

/// Tallies split by the answer to one select_one question (e.g. 身份): one tally per choice, in
/// the form's order, and the whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub by: usize,
    pub groups: Vec<Tally>,
    pub all: Tally,
}

impl Split {
    pub fn new(form: &Form, by: usize) -> Split {
        let k = form.questions.get(by).map_or(0, |q| q.choices.len());
        Split { by, groups: vec![Tally::new(form); k], all: Tally::new(form) }
    }

    /// Adds one response to the whole and, if accepted, to its group.
    pub fn add(&mut self, form: &Form, row: usize, answers: &[Option<&str>]) {
        let before = self.all.accepted;
        self.all.add(form, row, answers);
        if self.all.accepted == before {
            return;
        }
        let value = answers.get(self.by).copied().flatten().map(str::trim);
        if let Some(g) = value.and_then(|v| form.questions[self.by].choices.iter().position(|c| c.name == v)) {
            self.groups[g].add(form, row, answers);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::{template, template_sheets};

    /// Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison
    /// of seven methods", Statistics in Medicine 17:857–872, Table II (method 3, Wilson score
    /// without continuity correction), and statsmodels 0.14.4
    /// `proportion_confint(count, nobs, alpha=0.05, method="wilson")` on the same counts (the
    /// figures below, to 1e-12).
    #[test]
    fn wilson_matches_statsmodels_and_newcombe() {
        let cases = [
            (81, 263, 0.2552885198782742, 0.36620957698280004),
            (15, 148, 0.06238639953073628, 0.16048724172330803),
            (0, 20, 0.0, 0.1611251580528194),
            (1, 29, 0.006113214292762667, 0.17175521879320294),
            (29, 29, 0.8830302015002592, 1.0),
            (850, 1000, 0.8265313415731996, 0.8707899274869118),
        ];
        for (c, n, lo, hi) in cases {
            let s = wilson(c, n).expect("n > 0");
            assert!((s.low - lo).abs() < 1e-12 && (s.high - hi).abs() < 1e-12, "{c}/{n}: {s:?}");
        }
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(3, 2), None);
    }

    #[test]
    fn recognition_is_met_from_85_per_cent() {
        let at = |c, n| recognised(&wilson(c, n).expect("n > 0"));
        assert!(at(85, 100) && at(17, 20), "85 % itself meets it");
        assert!(!at(84, 100) && !at(849, 1000));
        assert!(at(100, 100));
    }

    #[test]
    fn recognition_by_respondent_type() {
        let form = Form::parse(&template_sheets(template("recognition").expect("shipped").text)).expect("valid");
        let by = form.question_index("respondent").expect("respondent");
        let mut split = Split::new(&form, by);
        // intro, respondent, 7 common items, pupil_burden, parent_school, staff_support, advice
        let pupil = ["", "student", "s5", "s4", "s3", "s5", "s5", "s2", "s5", "s4", "", "", ""];
        let parent = ["", "parent", "s1", "s2", "s3", "s4", "s5", "s5", "s5", "", "s5", "", ""];
        let bad = ["", "npc", "s5", "s5", "s5", "s5", "s5", "s5", "", "", "", "", ""];
        let row = |v: &[&'static str]| v.iter().map(|s| if s.is_empty() { None } else { Some(*s) }).collect::<Vec<_>>();
        split.add(&form, 1, &row(&pupil));
        split.add(&form, 2, &row(&parent));
        split.add(&form, 3, &row(&bad));
        assert_eq!((split.all.responses, split.all.accepted), (3, 2), "{:?}", split.all.rejected);
        // The pupil: 6 favourable of 8 answers; the parent: 5 of 8; together 11 of 16.
        let share = |t: &Tally| favourable(&form, t).map(|s| (s.count, s.n));
        assert_eq!(share(&split.groups[0]), Some((6, 8)));
        assert_eq!(share(&split.groups[1]), Some((5, 8)));
        assert_eq!(share(&split.all), Some((11, 16)));
        assert_eq!(favourable(&form, &split.groups[5]), None, "no 人大代表 answered");
    }
}
