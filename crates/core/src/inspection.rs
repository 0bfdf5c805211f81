//! An inspection (督导): a school assessed on a rubric version, by the school itself (自评) and by
//! the inspector (督学评定), closed with the inspector's outcome. Marks are typed by the item's
//! scoring method; an item measured by an eduq indicator marks itself from the school's value.

use serde::Serialize;

use crate::CoreError;
use crate::rubric::{Item, Mark, Method, Rubric};

crate::labelled_enum! {
    InspectionKind, "督导类别" {
        Comprehensive => "comprehensive", "综合督导";
        Special => "special", "专项督导";
        Visit => "visit", "挂牌督导" | "责任督学挂牌督导" | "经常性督导";
        SafetyCheck => "safety_check", "安全隐患排查" | "隐患排查";
    }
}

impl InspectionKind {
    /// The school runs it on itself (its monthly 安全隐患排查): its administrator plans, marks and
    /// closes it; every other kind is the inspectors'.
    pub fn by_school(self) -> bool {
        self == InspectionKind::SafetyCheck
    }

    /// Whose marks the outcome is.
    pub fn scored_side(self) -> Side {
        if self.by_school() { Side::School } else { Side::Inspector }
    }
}

crate::labelled_enum! {
    InspectionState, "督导状态" {
        Planned => "planned", "待实施";
        SelfAssessed => "self_assessed", "学校已自评";
        Closed => "closed", "已完成";
    }
}

crate::labelled_enum! {
    /// Whose marks: the school's self-assessment or the inspector's.
    Side, "评定方" {
        School => "school", "学校自评";
        Inspector => "inspector", "督学评定";
    }
}

/// The words users read for the kinds of inspection events the store records.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "plan" => "安排督导",
        "self_assess" => "学校自评",
        "score" => "督学评定",
        "close" => "完成督导",
        _ => "其他",
    }
}

/// The words accepted for 不适用.
const NOT_APPLICABLE: &[&str] = &["不适用", "无", "N/A", "NA"];

/// Reads a mark as users type it for an item of `method`: 达标/不达标 (是/否), a letter grade of the
/// rubric, or points; 不适用 for any item. An empty value is no mark (`None`).
pub fn parse_mark(item: &Item, rubric: &Rubric, raw: &str) -> Result<Option<Mark>, CoreError> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if NOT_APPLICABLE.iter().any(|n| n.eq_ignore_ascii_case(v)) {
        return Ok(Some(Mark::NotApplicable));
    }
    let bad = |what: &str| CoreError::Invalid(format!("编号“{}”的评定“{v}”无效：应为{what}", item.code));
    match item.method {
        Method::Pass => match v {
            "达标" | "是" | "合格" | "通过" => Ok(Some(Mark::Pass(true))),
            "不达标" | "否" | "不合格" | "未通过" => Ok(Some(Mark::Pass(false))),
            _ => Err(bad("达标、不达标或不适用")),
        },
        Method::Grade => {
            let g = v.to_ascii_uppercase();
            if rubric.grades.iter().any(|(k, _)| *k == g) {
                Ok(Some(Mark::Grade(g)))
            } else {
                let known: Vec<&str> = rubric.grades.iter().map(|(k, _)| k.as_str()).collect();
                Err(bad(&format!("{}或不适用", known.join("、"))))
            }
        }
        Method::Points => match v.parse::<f64>() {
            Ok(p) if p.is_finite() && (0.0..=item.points).contains(&p) => Ok(Some(Mark::Points(p))),
            _ => Err(bad(&format!("0–{}之间的分数或不适用", item.points))),
        },
    }
}

/// The mark as it is stored and shown (what [`parse_mark`] reads back).
pub fn mark_text(m: &Mark) -> String {
    match m {
        Mark::Pass(true) => "达标".into(),
        Mark::Pass(false) => "不达标".into(),
        Mark::Grade(g) => g.clone(),
        Mark::Points(p) => format!("{p}"),
        Mark::NotApplicable => "不适用".into(),
    }
}

/// The mark an indicator-measured item gives itself from the school's verdict on the indicator:
/// full marks when it meets the target, none when it does not (the best or the worst letter).
pub fn indicator_mark(item: &Item, rubric: &Rubric, meets: bool) -> Mark {
    match item.method {
        Method::Pass => Mark::Pass(meets),
        Method::Points => Mark::Points(if meets { item.points } else { 0.0 }),
        Method::Grade => {
            let best = rubric.grades.iter().max_by(|a, b| a.1.total_cmp(&b.1));
            let worst = rubric.grades.iter().min_by(|a, b| a.1.total_cmp(&b.1));
            let pick = if meets { best } else { worst };
            pick.map_or(Mark::Pass(meets), |(g, _)| Mark::Grade(g.clone()))
        }
    }
}

/// Marks may change, on either side, until the inspection closes.
pub fn may_mark(state: InspectionState) -> Result<(), CoreError> {
    match state {
        InspectionState::Closed => Err(CoreError::Invalid("督导已完成，评定不能再修改".into())),
        _ => Ok(()),
    }
}

/// The outcome an inspection closes with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Closed {
    pub score: f64,
    pub percent: Option<f64>,
    pub band: String,
    pub vetoed: bool,
}

/// Closing needs every applicable item marked by the inspector; the outcome is the rubric's.
pub fn close(rubric: &Rubric, marks: &std::collections::HashMap<String, Mark>) -> Result<Closed, CoreError> {
    let o = rubric.score(marks).map_err(|e| CoreError::Invalid(e.join("；")))?;
    if !o.unmarked.is_empty() {
        return Err(CoreError::Invalid(format!("还有{}项未评定：{}", o.unmarked.len(), o.unmarked.join("、"))));
    }
    let band = o.band.clone().ok_or_else(|| CoreError::Invalid("没有适用的评估要点，无法得出等级".into()))?;
    Ok(Closed { score: o.score, percent: o.percent, band, vetoed: !o.vetoed_by.is_empty() })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn item(code: &str, points: f64, method: Method, veto: bool) -> Item {
        Item {
            code: code.into(),
            domain: "安全".into(),
            sub_domain: String::new(),
            text: code.into(),
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
            key: "k".into(),
            name: "n".into(),
            version: "1".into(),
            source: "s".into(),
            items: vec![
                item("1", 10.0, Method::Pass, true),
                item("2", 20.0, Method::Points, false),
                item("3", 10.0, Method::Grade, false),
            ],
            bands: Rubric::default_bands(),
            grades: Rubric::default_grades(),
        }
    }

    #[test]
    fn marks_are_read_by_the_items_method() {
        let r = rubric();
        let [pass, points, grade] = [&r.items[0], &r.items[1], &r.items[2]];
        assert_eq!(parse_mark(pass, &r, "达标").expect("ok"), Some(Mark::Pass(true)));
        assert_eq!(parse_mark(pass, &r, "否").expect("ok"), Some(Mark::Pass(false)));
        assert_eq!(parse_mark(pass, &r, " ").expect("ok"), None);
        assert_eq!(parse_mark(pass, &r, "不适用").expect("ok"), Some(Mark::NotApplicable));
        assert!(parse_mark(pass, &r, "A").unwrap_err().to_string().contains("编号“1”"));
        assert_eq!(parse_mark(points, &r, "20").expect("ok"), Some(Mark::Points(20.0)));
        assert_eq!(parse_mark(points, &r, "0").expect("ok"), Some(Mark::Points(0.0)));
        assert!(parse_mark(points, &r, "20.5").is_err(), "beyond the item's points");
        assert!(parse_mark(points, &r, "-1").is_err());
        assert_eq!(parse_mark(grade, &r, "b").expect("ok"), Some(Mark::Grade("B".into())));
        assert!(parse_mark(grade, &r, "E").is_err());
        for m in [Mark::Pass(true), Mark::Pass(false), Mark::Points(12.5), Mark::Grade("C".into()), Mark::NotApplicable]
        {
            let it = match m {
                Mark::Pass(_) => pass,
                Mark::Points(_) => points,
                Mark::Grade(_) => grade,
                Mark::NotApplicable => pass,
            };
            assert_eq!(parse_mark(it, &r, &mark_text(&m)).expect("round trip"), Some(m));
        }
    }

    #[test]
    fn indicator_items_mark_themselves() {
        let r = rubric();
        assert_eq!(indicator_mark(&r.items[0], &r, false), Mark::Pass(false));
        assert_eq!(indicator_mark(&r.items[1], &r, true), Mark::Points(20.0));
        assert_eq!(indicator_mark(&r.items[2], &r, true), Mark::Grade("A".into()));
        assert_eq!(indicator_mark(&r.items[2], &r, false), Mark::Grade("D".into()));
    }

    #[test]
    fn closing_needs_every_item_and_a_failed_veto_sets_the_lowest_band() {
        let r = rubric();
        let mut m = HashMap::from([("1".to_string(), Mark::Pass(true)), ("2".to_string(), Mark::Points(20.0))]);
        assert!(close(&r, &m).unwrap_err().to_string().contains("还有1项未评定：3"));
        m.insert("3".into(), Mark::Grade("B".into()));
        let c = close(&r, &m).expect("closed");
        assert_eq!((c.score, c.band.as_str(), c.vetoed), (38.0, "优秀", false));
        m.insert("1".into(), Mark::Pass(false));
        let c = close(&r, &m).expect("closed");
        assert_eq!((c.score, c.band.as_str(), c.vetoed), (28.0, "不合格", true), "一票否决");
        let all_na: HashMap<String, Mark> = r.items.iter().map(|i| (i.code.clone(), Mark::NotApplicable)).collect();
        assert!(close(&r, &all_na).is_err());
        assert!(may_mark(InspectionState::Closed).is_err());
        assert!(may_mark(InspectionState::SelfAssessed).is_ok());
    }
}
