//! 政府保障程度 (教督〔2017〕6号 第七条): each of the 15 items judged from the records, the figures
//! the bureau reports and the facts it attests. A county meets the part only when every item is met.

use std::collections::HashMap;

use serde::Serialize;

use crate::grade::Grade;
use crate::org::SchoolType;
use crate::standards::class_size::standard_max;
use crate::standards::government_guarantee::{
    ART_ROOM_AREA, CLASSES_PER_ROOM, Check, FUNDED_AS_PUPILS, ITEMS, Item, MAX_PUPILS, MAX_PUPILS_THROUGH,
    MIGRANT_PUBLIC_SHARE, MUSIC_ROOM_AREA, Rule,
};

/// One 义务教育 school as the records show it for a term and its school year.
#[derive(Debug, Clone, PartialEq)]
pub struct GuaranteeSchool {
    pub code: String,
    pub name: String,
    pub school_type: SchoolType,
    /// Pupils of grades 1–9 on roll.
    pub pupils: i64,
    /// Classes of grades 1–9 with pupils, and those above their standard size.
    pub classes: i64,
    pub oversize_classes: i64,
    /// `None` when the school year's 办学条件 are not in.
    pub rooms: Option<SpecialRooms>,
    pub full_time: i64,
    pub certified: i64,
}

/// 音乐 and 美术 专用教室: how many, and their total area (m²).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpecialRooms {
    pub music: i64,
    pub music_area: f64,
    pub art: i64,
    pub art_area: f64,
}

/// 随迁子女 of grades 1–9 on roll, and those in 公办 schools or in 民办 schools where the
/// government buys places (政府购买学位服务).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrants {
    pub all: i64,
    pub in_public_places: i64,
}

/// A figure or attestation the bureau entered, with its source document.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub value: f64,
    pub source: String,
}

crate::labelled_enum!(
    /// An item's or a check's state. `Info` is context for another check of the item (the schools
    /// under 100 pupils) and never decides it.
    Verdict, "判定" {
        Met => "met", "达到";
        NotMet => "not_met", "未达到";
        NoData => "no_data", "待填报";
        Info => "info", "列示";
    }
);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub label: &'static str,
    pub requirement: String,
    pub value: String,
    pub verdict: Verdict,
    /// Schools that fall short and why, or where a reported figure comes from.
    pub details: Vec<String>,
    /// Where a figure or attestation is stored; `None` for checks from the records.
    pub input_key: Option<&'static str>,
    /// An attestation (是/否) rather than a number.
    pub attested: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemResult {
    pub no: u8,
    pub text: &'static str,
    pub verdict: Verdict,
    pub checks: Vec<CheckResult>,
}

/// An attestation as stored (1 for 是, 0 for 否).
pub fn attested_yes(value: f64) -> bool {
    value >= 0.5
}

/// Judges every item of 第七条. `migrants` is `None` when the caller may not read 随迁 counts.
pub fn evaluate(
    schools: &[GuaranteeSchool],
    migrants: Option<Migrants>,
    reported: &HashMap<String, Reported>,
) -> Vec<ItemResult> {
    evaluate_items(&ITEMS, schools, migrants, reported)
}

/// Judges the items of a part (第七条 `ITEMS`, 第八条 `education_quality::ITEMS`): an item is met
/// when every deciding check is.
pub fn evaluate_items(
    items: &[Item],
    schools: &[GuaranteeSchool],
    migrants: Option<Migrants>,
    reported: &HashMap<String, Reported>,
) -> Vec<ItemResult> {
    items
        .iter()
        .map(|item| {
            let checks: Vec<CheckResult> = item.checks.iter().map(|c| judge(c, schools, migrants, reported)).collect();
            let deciding = || checks.iter().filter(|c| c.verdict != Verdict::Info);
            let verdict = if deciding().any(|c| c.verdict == Verdict::NotMet) {
                Verdict::NotMet
            } else if deciding().any(|c| c.verdict == Verdict::NoData) {
                Verdict::NoData
            } else {
                Verdict::Met
            };
            ItemResult { no: item.no, text: item.text, verdict, checks }
        })
        .collect()
}

/// Whether every item is met.
pub fn all_met(items: &[ItemResult]) -> bool {
    items.iter().all(|i| i.verdict == Verdict::Met)
}

fn judge(
    check: &Check,
    schools: &[GuaranteeSchool],
    migrants: Option<Migrants>,
    reported: &HashMap<String, Reported>,
) -> CheckResult {
    let base = CheckResult {
        label: check.label(),
        requirement: String::new(),
        value: String::new(),
        verdict: Verdict::NoData,
        details: Vec::new(),
        input_key: check.input_key(),
        attested: matches!(check, Check::Attested { .. }),
    };
    match *check {
        Check::Records { rule, .. } => records(rule, schools, migrants, base),
        Check::Figure { key, unit, at_least, .. } => {
            let requirement = format!("≥ {}{unit}", number(at_least));
            figure(reported.get(key), requirement, unit, |v| v >= at_least - 1e-9, base)
        }
        Check::FigureBelow { key, unit, below, .. } => {
            figure(reported.get(key), format!("< {}{unit}", number(below)), unit, |v| v < below, base)
        }
        Check::Attested { key, .. } => {
            let requirement = "是".to_string();
            match reported.get(key) {
                Some(r) => {
                    let yes = attested_yes(r.value);
                    CheckResult {
                        requirement,
                        value: crate::student::yes_no(yes).into(),
                        verdict: if yes { Verdict::Met } else { Verdict::NotMet },
                        details: vec![format!("依据：{}", r.source)],
                        ..base
                    }
                }
                None => CheckResult { requirement, value: "未填报".into(), ..base },
            }
        }
    }
}

/// A reported figure against its requirement; "未填报" while none is entered.
fn figure(
    reported: Option<&Reported>,
    requirement: String,
    unit: &str,
    met: impl Fn(f64) -> bool,
    base: CheckResult,
) -> CheckResult {
    match reported {
        Some(r) => CheckResult {
            requirement,
            value: format!("{}{unit}", number(r.value)),
            verdict: if met(r.value) { Verdict::Met } else { Verdict::NotMet },
            details: vec![format!("依据：{}", r.source)],
            ..base
        },
        None => CheckResult { requirement, value: "未填报".into(), ..base },
    }
}

fn records(rule: Rule, schools: &[GuaranteeSchool], migrants: Option<Migrants>, base: CheckResult) -> CheckResult {
    let open: Vec<&GuaranteeSchool> = schools.iter().filter(|s| s.pupils > 0).collect();
    let by_schools = |requirement: String, failing: Vec<String>, missing: Vec<String>, base: CheckResult| {
        let verdict = if open.is_empty() {
            Verdict::NoData
        } else if !failing.is_empty() {
            Verdict::NotMet
        } else if !missing.is_empty() {
            Verdict::NoData
        } else {
            Verdict::Met
        };
        let value = format!("{}所学校中{}所未达到", open.len(), failing.len());
        CheckResult { requirement, value, verdict, details: failing.into_iter().chain(missing).collect(), ..base }
    };
    match rule {
        Rule::SpecialRooms => {
            let (mut failing, mut missing) = (Vec::new(), Vec::new());
            // The item names 小学 and 初中: a 教学点 is a teaching site of one, with a few classes.
            for s in open.iter().filter(|s| s.classes > 0 && s.school_type != SchoolType::TeachingPoint) {
                let Some(r) = s.rooms else {
                    missing.push(format!("{}：缺少办学条件数据", s.name));
                    continue;
                };
                let need = rooms_needed(s.classes);
                let mut why = Vec::new();
                for (subject, rooms, area, least) in
                    [("音乐", r.music, r.music_area, MUSIC_ROOM_AREA), ("美术", r.art, r.art_area, ART_ROOM_AREA)]
                {
                    if rooms < need {
                        why.push(format!("{subject}专用教室{rooms}间，{}个班需{need}间", s.classes));
                    } else if area / (rooms as f64) < least - 1e-9 {
                        why.push(format!(
                            "{subject}专用教室平均每间{:.1}平方米，低于{}平方米",
                            area / rooms as f64,
                            least
                        ));
                    }
                }
                if !why.is_empty() {
                    failing.push(format!("{}：{}", s.name, why.join("；")));
                }
            }
            let requirement = format!(
                "每{CLASSES_PER_ROOM}个班各1间以上；音乐≥{MUSIC_ROOM_AREA}平方米/间，美术≥{ART_ROOM_AREA}平方米/间（按总面积÷间数）"
            );
            by_schools(requirement, failing, missing, base)
        }
        Rule::SchoolSize => {
            let failing = open
                .iter()
                .filter_map(|s| {
                    let limit = size_limit(s.school_type);
                    (s.pupils > limit).then(|| format!("{}：义务教育阶段{}人，超过{limit}人", s.name, s.pupils))
                })
                .collect();
            by_schools(
                format!("≤ {MAX_PUPILS}人（九年一贯制、十二年一贯制 ≤ {MAX_PUPILS_THROUGH}人）"),
                failing,
                vec![],
                base,
            )
        }
        Rule::ClassSize => {
            let failing = open
                .iter()
                .filter(|s| s.oversize_classes > 0)
                .map(|s| format!("{}：{}个班超过标准班额（共{}个班）", s.name, s.oversize_classes, s.classes))
                .collect();
            let (p, j) = (class_limit(1), class_limit(7));
            by_schools(format!("小学 ≤ {p}人、初中 ≤ {j}人"), failing, vec![], base)
        }
        Rule::SmallSchools => {
            let small: Vec<String> = open
                .iter()
                .filter(|s| s.pupils < FUNDED_AS_PUPILS)
                .map(|s| format!("{}（{}人）", s.name, s.pupils))
                .collect();
            CheckResult {
                requirement: format!("按{FUNDED_AS_PUPILS}名学生核定公用经费"),
                value: format!("{}所", small.len()),
                verdict: Verdict::Info,
                details: small,
                ..base
            }
        }
        Rule::Certified => {
            let (full_time, certified) =
                open.iter().fold((0, 0), |(f, c), s| (f + s.full_time, c + s.certified.min(s.full_time)));
            let failing: Vec<String> = open
                .iter()
                .filter(|s| s.certified < s.full_time)
                .map(|s| format!("{}：{}名专任教师无教师资格证", s.name, s.full_time - s.certified))
                .collect();
            if full_time == 0 {
                return CheckResult { requirement: "100%".into(), value: "无专任教师记录".into(), ..base };
            }
            CheckResult {
                requirement: "100%".into(),
                value: format!("{:.1}%（{certified}/{full_time}）", 100.0 * certified as f64 / full_time as f64),
                verdict: if certified == full_time { Verdict::Met } else { Verdict::NotMet },
                details: failing,
                ..base
            }
        }
        Rule::MigrantPublic => {
            let requirement = format!("≥ {MIGRANT_PUBLIC_SHARE}%（公办学校和政府购买学位的民办学校）");
            match migrants {
                None => CheckResult { requirement, value: "无权查看随迁子女统计".into(), ..base },
                Some(m) if m.all == 0 => {
                    CheckResult { requirement, value: "无随迁子女".into(), verdict: Verdict::Met, ..base }
                }
                Some(m) => {
                    let share = 100.0 * m.in_public_places as f64 / m.all as f64;
                    CheckResult {
                        requirement,
                        value: format!("{share:.1}%（{}/{}）", m.in_public_places, m.all),
                        verdict: if share >= MIGRANT_PUBLIC_SHARE - 1e-9 { Verdict::Met } else { Verdict::NotMet },
                        ..base
                    }
                }
            }
        }
    }
}

/// 音乐 (and 美术) rooms a school of this many classes needs: one per 12 classes or part of 12.
pub fn rooms_needed(classes: i64) -> i64 {
    (classes + CLASSES_PER_ROOM - 1) / CLASSES_PER_ROOM
}

/// Most 义务教育 pupils a school of this type may have.
pub fn size_limit(t: SchoolType) -> i64 {
    match t {
        SchoolType::NineYear | SchoolType::TwelveYear => MAX_PUPILS_THROUGH,
        _ => MAX_PUPILS,
    }
}

fn class_limit(grade: i8) -> u32 {
    Grade::new(grade).map_or(0, standard_max)
}

/// A figure as the report prints it: whole numbers bare, others to one decimal.
pub fn number(v: f64) -> String {
    // Two decimals at most for percentages and money, four below 1: a 校际差异率 of 0.15 must not
    // show as 0.1 or 0.2. Trailing zeros go.
    let s = if v.abs() >= 1.0 { format!("{v:.2}") } else { format!("{v:.4}") };
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn school(name: &str, t: SchoolType, pupils: i64, classes: i64) -> GuaranteeSchool {
        GuaranteeSchool {
            code: name.into(),
            name: name.into(),
            school_type: t,
            pupils,
            classes,
            oversize_classes: 0,
            rooms: Some(SpecialRooms { music: 1, music_area: 96.0, art: 1, art_area: 90.0 }),
            full_time: 10,
            certified: 10,
        }
    }

    fn item(items: &[ItemResult], no: u8) -> &ItemResult {
        &items[no as usize - 1]
    }

    fn rep(pairs: &[(&str, f64)]) -> HashMap<String, Reported> {
        pairs.iter().map(|(k, v)| (k.to_string(), Reported { value: *v, source: "县政府文件".into() })).collect()
    }

    #[test]
    fn numbers_show_as_entered() {
        let shown: Vec<String> = [6000.0, 97.3, 101.5, 0.15, 0.1499, 87.346, 0.0, 100.0].map(number).into();
        assert_eq!(shown, ["6000", "97.3", "101.5", "0.15", "0.1499", "87.35", "0", "100"]);
    }

    #[test]
    fn education_quality_boundaries_at_least_and_strictly_below() {
        use crate::standards::education_quality::ITEMS as QUALITY;
        let judge = |pairs: &[(&str, f64)]| evaluate_items(&QUALITY, &[], None, &rep(pairs));
        // 达到95%以上: 95 meets it, 94.99 does not.
        for (v, met) in [(95.0, Verdict::Met), (94.99, Verdict::NotMet), (100.0, Verdict::Met)] {
            let r = judge(&[("quality.junior_consolidation", v), ("quality.disabled_enrolment", v)]);
            assert_eq!((item(&r, 1).verdict, item(&r, 2).verdict), (met, met), "{v}");
        }
        // 低于0.15: 0.15 does not meet it, 0.1499 does.
        for (gap, met) in [(0.15, Verdict::NotMet), (0.1499, Verdict::Met), (0.0, Verdict::Met)] {
            let r = judge(&[("quality.monitoring_level", 1.0), ("quality.monitoring_gap", gap)]);
            assert_eq!(item(&r, 9).verdict, met, "gap {gap}");
            assert_eq!(item(&r, 9).checks[1].requirement, "< 0.15");
        }
        let r = judge(&[("quality.monitoring_level", 0.0), ("quality.monitoring_gap", 0.1)]);
        assert_eq!(item(&r, 9).verdict, Verdict::NotMet, "level Ⅲ not reached");
        // Training funds: 5 % of 公用经费 meets it; the 360-hour figure is the one of 第七条 item 9.
        let r = judge(&[("quality.training_funds_share", 5.0), ("guarantee.training_360", 100.0)]);
        assert_eq!(item(&r, 4).verdict, Verdict::Met);
        let r = judge(&[("quality.training_funds_share", 4.9), ("guarantee.training_360", 100.0)]);
        assert_eq!(item(&r, 4).verdict, Verdict::NotMet);
        // Nothing entered: every item waits for data, none is called met.
        assert!(judge(&[]).iter().all(|i| i.verdict == Verdict::NoData));
    }

    #[test]
    fn special_rooms_per_twelve_classes_and_area_per_room() {
        assert_eq!((rooms_needed(1), rooms_needed(12), rooms_needed(13), rooms_needed(24)), (1, 1, 2, 2));
        let ok = school("甲", SchoolType::Primary, 500, 12);
        assert_eq!(item(&evaluate(std::slice::from_ref(&ok), None, &rep(&[])), 3).verdict, Verdict::Met);
        // A 13th class needs a second room of each.
        let more = GuaranteeSchool { classes: 13, ..ok.clone() };
        let r = evaluate(&[more], None, &rep(&[]));
        assert_eq!(item(&r, 3).verdict, Verdict::NotMet);
        assert!(item(&r, 3).checks[0].details[0].contains("音乐专用教室1间，13个班需2间"));
        // 96 m² per music room is enough, 95.9 is not; 90 for art.
        let small = GuaranteeSchool {
            rooms: Some(SpecialRooms { music: 2, music_area: 191.8, art: 1, art_area: 90.0 }),
            classes: 24,
            ..ok.clone()
        };
        let r = evaluate(&[small], None, &rep(&[]));
        assert_eq!(item(&r, 3).verdict, Verdict::NotMet);
        assert!(item(&r, 3).checks[0].details[0].contains("美术专用教室1间"));
        assert!(item(&r, 3).checks[0].details[0].contains("音乐专用教室平均每间95.9平方米"));
        let art = GuaranteeSchool {
            rooms: Some(SpecialRooms { music: 1, music_area: 96.0, art: 1, art_area: 89.9 }),
            ..ok.clone()
        };
        assert_eq!(item(&evaluate(&[art], None, &rep(&[])), 3).verdict, Verdict::NotMet);
        // A 教学点 is not held to it.
        let point = GuaranteeSchool { classes: 13, school_type: SchoolType::TeachingPoint, ..ok.clone() };
        assert_eq!(item(&evaluate(&[point], None, &rep(&[])), 3).verdict, Verdict::Met);
        // No 办学条件: no verdict rather than a pass.
        let missing = GuaranteeSchool { rooms: None, ..ok };
        assert_eq!(item(&evaluate(&[missing], None, &rep(&[])), 3).verdict, Verdict::NoData);
    }

    #[test]
    fn school_size_limits_by_type() {
        let at = |t, n| item(&evaluate(&[school("甲", t, n, 40)], None, &rep(&[])), 4).verdict;
        assert_eq!(at(SchoolType::Primary, 2000), Verdict::Met);
        assert_eq!(at(SchoolType::Primary, 2001), Verdict::NotMet);
        assert_eq!(at(SchoolType::Junior, 2001), Verdict::NotMet);
        assert_eq!(at(SchoolType::NineYear, 2500), Verdict::Met);
        assert_eq!(at(SchoolType::NineYear, 2501), Verdict::NotMet);
        assert_eq!(at(SchoolType::TwelveYear, 2500), Verdict::Met);
        assert_eq!(at(SchoolType::Complete, 2001), Verdict::NotMet);
    }

    #[test]
    fn class_size_small_schools_and_certificates() {
        let big = GuaranteeSchool { oversize_classes: 2, ..school("甲", SchoolType::Primary, 900, 20) };
        let tiny = school("乙", SchoolType::TeachingPoint, 99, 3);
        let hundred = school("丙", SchoolType::Primary, 100, 6);
        let r = evaluate(&[big, tiny, hundred], None, &rep(&[]));
        assert_eq!(item(&r, 5).verdict, Verdict::NotMet);
        assert_eq!(item(&r, 5).checks[0].requirement, "小学 ≤ 45人、初中 ≤ 50人");
        assert_eq!(item(&r, 5).checks[0].details, vec!["甲：2个班超过标准班额（共20个班）".to_string()]);
        // Under 100 pupils is listed; 100 is not. The list alone does not decide item 6.
        assert_eq!(item(&r, 6).checks[0].details, vec!["乙（99人）".to_string()]);
        assert_eq!(item(&r, 6).verdict, Verdict::NoData);
        let r2 = evaluate(
            &[school("丙", SchoolType::Primary, 100, 6)],
            None,
            &rep(&[("guarantee.small_school_funding", 1.0)]),
        );
        assert_eq!(item(&r2, 6).verdict, Verdict::Met);
        // One teacher without a certificate fails the county.
        let uncertified = GuaranteeSchool { certified: 9, ..school("丁", SchoolType::Junior, 600, 12) };
        let r = evaluate(&[school("甲", SchoolType::Primary, 900, 20), uncertified], None, &rep(&[]));
        assert_eq!(item(&r, 12).verdict, Verdict::NotMet);
        assert_eq!(item(&r, 12).checks[0].value, "95.0%（19/20）");
    }

    #[test]
    fn migrant_share_figures_and_attestations() {
        let s = [school("甲", SchoolType::Primary, 900, 20)];
        let at = |all, in_public_places| {
            item(&evaluate(&s, Some(Migrants { all, in_public_places }), &rep(&[])), 15).checks[1].verdict
        };
        assert_eq!(at(100, 85), Verdict::Met);
        assert_eq!(at(100, 84), Verdict::NotMet);
        assert_eq!(at(0, 0), Verdict::Met);
        assert_eq!(item(&evaluate(&s, None, &rep(&[])), 15).checks[1].verdict, Verdict::NoData);
        // A figure meets at its threshold and not below; an attestation of 否 fails the item.
        let r = evaluate(&s, None, &rep(&[("guarantee.special_ed_funding", 6000.0), ("guarantee.nearby_urban", 99.9)]));
        assert_eq!(item(&r, 7).verdict, Verdict::Met);
        assert_eq!(item(&r, 7).checks[0].details, vec!["依据：县政府文件".to_string()]);
        assert_eq!(item(&r, 13).verdict, Verdict::NotMet);
        let r = evaluate(&s, None, &rep(&[("guarantee.special_ed_funding", 5999.0), ("guarantee.layout", 0.0)]));
        assert_eq!(item(&r, 7).verdict, Verdict::NotMet);
        assert_eq!(item(&r, 1).verdict, Verdict::NotMet);
        assert_eq!(item(&r, 2).verdict, Verdict::NoData);
        assert!(!all_met(&r));
    }

    #[test]
    fn everything_met_passes_the_part() {
        let s = [school("甲", SchoolType::Primary, 900, 12)];
        let all: Vec<(&str, f64)> = crate::standards::government_guarantee::input_checks()
            .map(|(_, c)| match c {
                Check::Figure { key, at_least, .. } => (*key, *at_least),
                Check::FigureBelow { key, below, .. } => (*key, below / 2.0),
                Check::Attested { key, .. } => (*key, 1.0),
                Check::Records { .. } => unreachable!(),
            })
            .collect();
        let r = evaluate(&s, Some(Migrants { all: 20, in_public_places: 18 }), &rep(&all));
        assert!(all_met(&r), "{r:#?}");
        assert_eq!(r.len(), 15);
        // The same figures and attestations meet every item of 教育质量 too.
        let q = evaluate_items(&crate::standards::education_quality::ITEMS, &s, None, &rep(&all));
        assert!(all_met(&q), "{q:#?}");
        assert_eq!(q.len(), 9);
    }
}
