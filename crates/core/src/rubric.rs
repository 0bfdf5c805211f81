//! 督导评估 rubrics (指标体系) as data, and how the marks of an inspection or a self-assessment add
//! up: item marks → scores per 一级指标 (domain) → a total, its share of the points that apply, and
//! the 等级 of that share; a failed 一票否决 item sets the lowest 等级 whatever the total.
//!
//! The bands and the worth of each letter grade are part of each rubric; a rubric that names none
//! gets the defaults of [`crate::standards::supervision`] (eduq's, not a national standard).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

crate::labelled_enum!(
    /// How an item is marked (评分方式).
    Method, "评分方式" {
        Pass => "pass", "达标" | "达标/不达标" | "是否达标";
        Grade => "grade", "等级" | "等级评定" | "ABCD";
        Points => "points", "赋分" | "计分" | "分值";
    }
);

/// One item (评估要点) of a rubric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Unique within the rubric, as the official text numbers it (e.g. "A1-3").
    pub code: String,
    /// 一级指标 (the domain the report totals by), 二级指标, and the item's own text.
    pub domain: String,
    pub sub_domain: String,
    pub text: String,
    /// The points the item is worth (its weight).
    pub points: f64,
    pub method: Method,
    /// 评分标准 and 佐证材料, as the official text words them.
    pub criteria: String,
    pub evidence: String,
    /// The eduq indicator that measures the item (班额, 体质健康合格率, …), which then marks itself.
    pub indicator: Option<String>,
    /// 一票否决: failing it puts the whole assessment in the lowest 等级.
    pub veto: bool,
}

/// A 等级 and the least share of the applicable points (per cent) that earns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub label: String,
    pub min_percent: f64,
}

/// A versioned rubric with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rubric {
    pub key: String,
    pub name: String,
    pub version: String,
    /// The document it comes from (title, 文号, date).
    pub source: String,
    pub items: Vec<Item>,
    /// Highest first; the last is the lowest 等级 (its minimum is 0).
    pub bands: Vec<Band>,
    /// What each letter grade is worth, as a share (0–1) of the item's points.
    pub grades: Vec<(String, f64)>,
}

/// A mark given to one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Mark {
    Pass(bool),
    Grade(String),
    Points(f64),
    /// 不适用 (e.g. a 小学 has no 实验室 item): left out of both the score and the points.
    NotApplicable,
}

/// The score of one 一级指标.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainScore {
    pub domain: String,
    pub score: f64,
    /// The points of its applicable items.
    pub max: f64,
}

/// What the marks add up to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub score: f64,
    pub max: f64,
    /// Score over the applicable points, per cent (`None` when nothing applies).
    pub percent: Option<f64>,
    /// The 等级, once every applicable item is marked.
    pub band: Option<String>,
    /// Domains in the rubric's order.
    pub domains: Vec<DomainScore>,
    /// 一票否决 items failed.
    pub vetoed_by: Vec<String>,
    /// Items not marked yet.
    pub unmarked: Vec<String>,
}

impl Rubric {
    /// The default bands ([`crate::standards::supervision::BANDS`]).
    pub fn default_bands() -> Vec<Band> {
        crate::standards::supervision::BANDS
            .iter()
            .map(|(label, min_percent)| Band { label: label.to_string(), min_percent: *min_percent })
            .collect()
    }

    /// The default letter-grade worths ([`crate::standards::supervision::GRADES`]).
    pub fn default_grades() -> Vec<(String, f64)> {
        crate::standards::supervision::GRADES.iter().map(|(g, v)| (g.to_string(), *v)).collect()
    }

    /// Every problem of a rubric as loaded (each names the item or band), so that a bureau fixes its
    /// file once: duplicate codes, points that are not positive, bands not falling to 0, grade
    /// worths outside 0–1.
    pub fn check(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.items.is_empty() {
            errors.push("指标体系中没有任何评估要点".to_string());
        }
        let mut seen = HashSet::new();
        for it in &self.items {
            if it.code.trim().is_empty() {
                errors.push(format!("评估要点“{}”缺少编号", it.text));
            } else if !seen.insert(it.code.as_str()) {
                errors.push(format!("编号“{}”重复", it.code));
            }
            if !(it.points.is_finite() && it.points > 0.0) {
                errors.push(format!("编号“{}”的分值“{}”应为正数", it.code, it.points));
            }
            if it.domain.trim().is_empty() {
                errors.push(format!("编号“{}”缺少一级指标", it.code));
            }
        }
        if self.bands.is_empty() {
            errors.push("没有等级划分".to_string());
        }
        for w in self.bands.windows(2) {
            if w[1].min_percent >= w[0].min_percent {
                errors.push(format!(
                    "等级“{}”的最低得分率（{}%）应低于“{}”的（{}%）",
                    w[1].label, w[1].min_percent, w[0].label, w[0].min_percent
                ));
            }
        }
        if let Some(b) = self.bands.iter().find(|b| !(0.0..=100.0).contains(&b.min_percent)) {
            errors.push(format!("等级“{}”的最低得分率“{}”应在0–100之间", b.label, b.min_percent));
        }
        if let Some(last) = self.bands.last()
            && last.min_percent != 0.0
        {
            errors.push(format!("最低等级“{}”的最低得分率应为0", last.label));
        }
        let uses_grades = self.items.iter().any(|i| i.method == Method::Grade);
        if uses_grades && self.grades.is_empty() {
            errors.push("有按等级评定的要点，但没有等级分值（如 A=1、B=0.8）".to_string());
        }
        for (g, v) in &self.grades {
            if !(0.0..=1.0).contains(v) {
                errors.push(format!("等级“{g}”的分值比例“{v}”应在0–1之间"));
            }
        }
        errors
    }

    /// The band of a share of the points (per cent): the first whose minimum it reaches.
    pub fn band_of(&self, percent: f64) -> Option<&Band> {
        self.bands.iter().find(|b| percent >= b.min_percent)
    }

    /// Adds up the marks (by item code). A mark that does not fit its item — another method, points
    /// beyond the item's, an unknown letter, an unknown code — is an error naming the item.
    pub fn score(&self, marks: &HashMap<String, Mark>) -> Result<Outcome, Vec<String>> {
        let mut errors: Vec<String> = marks
            .keys()
            .filter(|c| !self.items.iter().any(|i| &i.code == *c))
            .map(|c| format!("没有编号为“{c}”的评估要点"))
            .collect();
        errors.sort();
        let mut domains: Vec<DomainScore> = Vec::new();
        let (mut vetoed_by, mut unmarked) = (Vec::new(), Vec::new());
        for it in &self.items {
            let at = match domains.iter().position(|d| d.domain == it.domain) {
                Some(i) => i,
                None => {
                    domains.push(DomainScore { domain: it.domain.clone(), score: 0.0, max: 0.0 });
                    domains.len() - 1
                }
            };
            let Some(mark) = marks.get(&it.code) else {
                unmarked.push(it.code.clone());
                domains[at].max += it.points;
                continue;
            };
            let share = match (it.method, mark) {
                (_, Mark::NotApplicable) => continue,
                (Method::Pass, Mark::Pass(ok)) => f64::from(u8::from(*ok)),
                (Method::Grade, Mark::Grade(g)) => match self.grades.iter().find(|(k, _)| k == g.trim()) {
                    Some((_, v)) => *v,
                    None => {
                        let known: Vec<&str> = self.grades.iter().map(|(k, _)| k.as_str()).collect();
                        errors.push(format!("编号“{}”的等级“{g}”无效，应为{}之一", it.code, known.join("、")));
                        continue;
                    }
                },
                (Method::Points, Mark::Points(p)) if p.is_finite() && (0.0..=it.points).contains(p) => p / it.points,
                (Method::Points, Mark::Points(p)) => {
                    errors.push(format!("编号“{}”的得分“{p}”应在0–{}之间", it.code, it.points));
                    continue;
                }
                (m, _) => {
                    errors.push(format!("编号“{}”按“{}”评分，所给评分方式不符", it.code, m.label()));
                    continue;
                }
            };
            if it.veto && share < 1.0 {
                vetoed_by.push(it.code.clone());
            }
            domains[at].score += share * it.points;
            domains[at].max += it.points;
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let score: f64 = domains.iter().map(|d| d.score).sum();
        let max: f64 = domains.iter().map(|d| d.max).sum();
        let percent = (max > 0.0).then(|| score / max * 100.0);
        let band = match (unmarked.is_empty(), percent) {
            (true, Some(p)) if vetoed_by.is_empty() => self.band_of(p).map(|b| b.label.clone()),
            (true, Some(_)) => self.bands.last().map(|b| b.label.clone()),
            _ => None,
        };
        Ok(Outcome { score, max, percent, band, domains, vetoed_by, unmarked })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str, domain: &str, points: f64, method: Method, veto: bool) -> Item {
        Item {
            code: code.into(),
            domain: domain.into(),
            sub_domain: String::new(),
            text: format!("要点{code}"),
            points,
            method,
            criteria: String::new(),
            evidence: String::new(),
            indicator: None,
            veto,
        }
    }

    fn rubric() -> Rubric {
        Rubric {
            key: "t".into(),
            name: "测试".into(),
            version: "1".into(),
            source: "测试".into(),
            items: vec![
                item("1", "办学方向", 40.0, Method::Points, false),
                item("2", "办学方向", 10.0, Method::Pass, true),
                item("3", "教育教学", 50.0, Method::Grade, false),
            ],
            bands: Rubric::default_bands(),
            grades: Rubric::default_grades(),
        }
    }

    fn marks(points: f64, pass: bool, grade: &str) -> HashMap<String, Mark> {
        HashMap::from([
            ("1".to_string(), Mark::Points(points)),
            ("2".to_string(), Mark::Pass(pass)),
            ("3".to_string(), Mark::Grade(grade.to_string())),
        ])
    }

    #[test]
    fn marks_add_up_by_domain() {
        let o = rubric().score(&marks(30.0, true, "B")).expect("valid");
        assert_eq!(o.domains[0], DomainScore { domain: "办学方向".into(), score: 40.0, max: 50.0 });
        assert_eq!(o.domains[1], DomainScore { domain: "教育教学".into(), score: 40.0, max: 50.0 });
        assert_eq!((o.score, o.max, o.percent), (80.0, 100.0, Some(80.0)));
        assert_eq!(o.band.as_deref(), Some("良好"));
    }

    #[test]
    fn every_band_boundary() {
        let r = rubric();
        for (p, band) in [(100.0, "优秀"), (90.0, "优秀"), (89.999, "良好"), (80.0, "良好"), (79.999, "合格")]
        {
            assert_eq!(r.band_of(p).map(|b| b.label.as_str()), Some(band), "{p}");
        }
        for (p, band) in [(60.0, "合格"), (59.999, "不合格"), (0.0, "不合格")] {
            assert_eq!(r.band_of(p).map(|b| b.label.as_str()), Some(band), "{p}");
        }
        // Through the marks: 40 + 10 + A (50) = 100 %; 40 + 10 + C (30) = 80 %; 10 + 0 + C = 40 %.
        assert_eq!(r.score(&marks(40.0, true, "A")).expect("ok").band.as_deref(), Some("优秀"));
        assert_eq!(r.score(&marks(40.0, true, "C")).expect("ok").band.as_deref(), Some("良好"));
        assert_eq!(r.score(&marks(0.0, true, "C")).expect("ok").band.as_deref(), Some("不合格"));
    }

    #[test]
    fn a_failed_veto_item_sets_the_lowest_band() {
        let o = rubric().score(&marks(40.0, false, "A")).expect("valid");
        assert_eq!(o.percent, Some(90.0), "the score is still shown");
        assert_eq!(o.vetoed_by, vec!["2".to_string()]);
        assert_eq!(o.band.as_deref(), Some("不合格"));
    }

    #[test]
    fn not_applicable_items_leave_the_points_and_unmarked_items_leave_the_band_open() {
        let r = rubric();
        let mut m = marks(40.0, true, "A");
        m.insert("3".into(), Mark::NotApplicable);
        let o = r.score(&m).expect("valid");
        assert_eq!((o.score, o.max, o.band.as_deref()), (50.0, 50.0, Some("优秀")));
        m.remove("3");
        let o = r.score(&m).expect("valid");
        assert_eq!((o.unmarked.clone(), o.band), (vec!["3".to_string()], None));
        assert_eq!(o.max, 100.0, "an unmarked item still counts in the points");
    }

    #[test]
    fn marks_that_do_not_fit_are_named() {
        let r = rubric();
        let mut m = marks(41.0, true, "E");
        m.insert("9".into(), Mark::Pass(true));
        let e = r.score(&m).expect_err("invalid");
        assert!(e.contains(&"编号“1”的得分“41”应在0–40之间".to_string()), "{e:?}");
        assert!(e.contains(&"编号“3”的等级“E”无效，应为A、B、C、D之一".to_string()), "{e:?}");
        assert!(e.contains(&"没有编号为“9”的评估要点".to_string()), "{e:?}");
        let mut m = marks(1.0, true, "A");
        m.insert("2".into(), Mark::Points(10.0));
        assert_eq!(r.score(&m).expect_err("method"), vec!["编号“2”按“达标”评分，所给评分方式不符".to_string()]);
    }

    #[test]
    fn a_rubric_is_checked_before_use() {
        assert!(rubric().check().is_empty());
        let mut r = rubric();
        r.items.push(item("1", "办学方向", 0.0, Method::Pass, false));
        r.bands =
            vec![Band { label: "合格".into(), min_percent: 60.0 }, Band { label: "优秀".into(), min_percent: 90.0 }];
        r.grades.push(("E".into(), 1.5));
        let e = r.check();
        assert!(e.contains(&"编号“1”重复".to_string()), "{e:?}");
        assert!(e.contains(&"编号“1”的分值“0”应为正数".to_string()), "{e:?}");
        assert!(e.contains(&"等级“优秀”的最低得分率（90%）应低于“合格”的（60%）".to_string()), "{e:?}");
        assert!(e.contains(&"最低等级“优秀”的最低得分率应为0".to_string()), "{e:?}");
        assert!(e.contains(&"等级“E”的分值比例“1.5”应在0–1之间".to_string()), "{e:?}");
    }
}
