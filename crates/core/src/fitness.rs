//! Scoring one pupil's 体质健康 test by the national standard: item scores, BMI, 标准分 from the
//! group's weights, 附加分, 学年总分 and 等级. Values arrive as the national template writes them
//! (times as 分'秒 or 分.秒) and are checked for plausibility before they are scored.

use crate::number::parse_f64;
use crate::standards::fitness::{Group, Item, Level, bmi, level, plan};
use crate::student::Sex;

/// The national template's 年级编号: 11–16 小学, 21–23 初中, 31–33 高中, 41–44 大学.
pub fn group_of_code(code: u32) -> Option<Group> {
    match code {
        11..=16 => Some(Group::Grade((code - 10) as u8)),
        21..=23 => Some(Group::Grade((code - 14) as u8)),
        31..=33 => Some(Group::Grade((code - 21) as u8)),
        41 | 42 => Some(Group::U12),
        43 | 44 => Some(Group::U34),
        _ => None,
    }
}

/// eduq's plausibility limits (not part of the standard): a value outside is a typing or unit
/// error (e.g. 身高 in metres, 肺活量 in litres) and is rejected with the reason rather than scored.
pub const PLAUSIBLE: &[(Item, f64, f64, &str)] = &[
    (Item::LungCapacity, 100.0, 10_000.0, "毫升"),
    (Item::Run50m, 5.0, 30.0, "秒"),
    (Item::SitAndReach, -40.0, 50.0, "厘米"),
    (Item::StandingLongJump, 30.0, 400.0, "厘米"),
    (Item::Rope1min, 0.0, 400.0, "次"),
    (Item::SitUp1min, 0.0, 100.0, "次"),
    (Item::PullUp, 0.0, 80.0, "次"),
    (Item::Shuttle50x8, 60.0, 400.0, "秒"),
    (Item::Run800m, 120.0, 900.0, "秒"),
    (Item::Run1000m, 120.0, 900.0, "秒"),
];
pub const HEIGHT_CM: (f64, f64) = (60.0, 230.0);
pub const WEIGHT_KG: (f64, f64) = (10.0, 200.0);

/// Parses a time as the template writes it: 3'35", 3'35, 3:35, 3分35秒, 3.35 (分.秒: two digits of
/// seconds), whole minutes (3, as Excel shows 3.00), or seconds (96, 9.5 for 50米跑). Ambiguous or
/// impossible forms are refused: 3.5 (3'50" or 3'30"?) and 3.75 (75 seconds).
pub fn parse_time(item: Item, raw: &str) -> Result<f64, String> {
    let t = crate::text::trim(raw);
    let s = if raw.is_ascii() && !raw.contains('"') {
        std::borrow::Cow::Borrowed(t)
    } else if let Some(head) = t.strip_suffix('"').filter(|h| h.is_ascii() && !h.contains('"')) {
        // 3'35" (the usual form): dropping the one closing mark is all the general path would do.
        std::borrow::Cow::Borrowed(head)
    } else {
        std::borrow::Cow::Owned(raw.trim().replace(['″', '”', '"'], "").replace(['′', '’', '\''], "'"))
    };
    if item == Item::Run50m {
        // Seconds with tenths. A second decimal rounds up (the standard's 测试细则: 非0进1).
        let v: f64 = parse_f64(&s).map_err(|_| "不是有效的秒数".to_string())?;
        return Ok(((v * 10.0) - 1e-9).ceil() / 10.0);
    }
    let two = |m: &str, sec: &str| -> Result<f64, String> {
        let m: u32 = crate::text::trim(m).parse().map_err(|_| "分钟数无效".to_string())?;
        let sec_v: f64 = parse_f64(crate::text::trim(sec)).map_err(|_| "秒数无效".to_string())?;
        if !(0.0..60.0).contains(&sec_v) {
            return Err(format!("秒数{sec_v}超过59"));
        }
        Ok(f64::from(m) * 60.0 + sec_v)
    };
    if let Some((m, sec)) = s.split_once('\'').or_else(|| s.split_once(':')).or_else(|| s.split_once('分')) {
        return two(m, sec.trim_end_matches('秒'));
    }
    if let Some(sec) = s.strip_suffix('秒') {
        return sec.trim().parse::<f64>().map_err(|_| "秒数无效".to_string());
    }
    match s.split_once('.') {
        Some((m, frac)) if frac.len() == 2 && frac.bytes().all(|b| b.is_ascii_digit()) => two(m, frac),
        Some((_, frac)) if frac.len() == 1 => {
            Err(format!("“{raw}”有歧义：分.秒格式的秒须写两位（如3.50表示3分50秒），或写成3'50\""))
        }
        Some(_) => Err("不是有效的时间（应为分'秒，如3'35\"，或分.秒，如3.35）".to_string()),
        None => {
            let v: u32 = s.parse().map_err(|_| "不是有效的时间（应为分'秒，如3'35\"，或分.秒，如3.35）".to_string())?;
            match v {
                0..=20 => Ok(f64::from(v) * 60.0),
                60.. => Ok(f64::from(v)),
                _ => Err(format!("“{raw}”有歧义：是{v}分钟还是{v}秒？请写成分'秒")),
            }
        }
    }
}

/// Parses and checks one item's value.
pub fn parse_value(item: Item, raw: &str) -> Result<f64, String> {
    let v = if item.is_time() {
        parse_time(item, raw)?
    } else {
        let v: f64 = parse_f64(crate::text::trim(raw)).map_err(|_| "不是有效数字".to_string())?;
        if matches!(item, Item::LungCapacity | Item::Rope1min | Item::SitUp1min | Item::PullUp) && v.fract() != 0.0 {
            return Err("应为整数".to_string());
        }
        v
    };
    if let Some(&(_, lo, hi, unit)) = PLAUSIBLE.iter().find(|p| p.0 == item)
        && !(lo..=hi).contains(&v)
    {
        return Err(format!("超出合理范围（{lo}–{hi}{unit}）"));
    }
    Ok(v)
}

/// What a pupil brought to the test.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub height_cm: Option<f64>,
    pub weight_kg: Option<f64>,
    /// Item results (seconds for times); items not taken are absent.
    pub items: Vec<(Item, f64)>,
    pub exempt: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub bmi: Option<f64>,
    pub bmi_category: Option<&'static str>,
    pub bmi_score: Option<u32>,
    /// Score of each item the group is scored on and the pupil took.
    pub item_scores: Vec<(Item, u32)>,
    pub standard: Option<f64>,
    pub bonus: u32,
    pub total: Option<f64>,
    pub level: Option<Level>,
    /// Required items without a result (缺项); BMI counts when height or weight is missing.
    pub missing: Vec<Item>,
}

/// Scores a record for a group and sex. Without every required item there is no total (缺项).
pub fn score(group: Group, sex: Sex, r: &Record) -> Scored {
    let mut s = Scored {
        bmi: None,
        bmi_category: None,
        bmi_score: None,
        item_scores: Vec::new(),
        standard: None,
        bonus: 0,
        total: None,
        level: None,
        missing: vec![],
    };
    if r.exempt {
        return s;
    }
    let p = plan(group, sex);
    s.item_scores.reserve_exact(p.items.len());
    let mut standard = 0.0;
    for it in &p.items {
        let points = if it.item == Item::Bmi {
            match (r.height_cm, r.weight_kg) {
                (Some(h), Some(kg)) => {
                    let b = bmi(h, kg);
                    s.bmi = Some(b);
                    let band = p.bmi_band(b);
                    s.bmi_category = band.map(|b| b.category);
                    s.bmi_score = band.map(|b| b.score);
                    s.bmi_score
                }
                _ => None,
            }
        } else {
            let value = r.items.iter().find(|(i, _)| *i == it.item).map(|&(_, v)| v);
            match (value, it.table) {
                (Some(v), Some(table)) => {
                    let points = table.score(v);
                    s.item_scores.push((it.item, points));
                    if points == 100
                        && let Some(bonus) = it.bonus
                    {
                        let excess =
                            if table.lower_is_better { table.full_marks() - v } else { v - table.full_marks() };
                        s.bonus += bonus.points(excess);
                    }
                    Some(points)
                }
                _ => None,
            }
        };
        match points {
            Some(points) => standard += f64::from(points) * f64::from(it.weight) / 100.0,
            None => s.missing.push(it.item),
        }
    }
    // 附加分 at most 20 in all (小学 跳绳 alone up to 20; two items of up to 10 from 初中 on).
    s.bonus = s.bonus.min(20);
    if s.missing.is_empty() && !p.items.is_empty() {
        // Item scores are whole points and weights whole percents: round away binary noise at 1e-6.
        let standard = (standard * 1e6).round() / 1e6;
        s.standard = Some(standard);
        let total = standard + f64::from(s.bonus);
        s.total = Some(total);
        s.level = Some(level(total));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_codes() {
        assert_eq!(group_of_code(11), Some(Group::Grade(1)));
        assert_eq!(group_of_code(16), Some(Group::Grade(6)));
        assert_eq!(group_of_code(21), Some(Group::Grade(7)));
        assert_eq!(group_of_code(23), Some(Group::Grade(9)));
        assert_eq!(group_of_code(31), Some(Group::Grade(10)));
        assert_eq!(group_of_code(33), Some(Group::Grade(12)));
        assert_eq!(group_of_code(42), Some(Group::U12));
        assert_eq!(group_of_code(43), Some(Group::U34));
        for bad in [0, 10, 17, 20, 24, 30, 34, 40, 45] {
            assert_eq!(group_of_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_in_every_accepted_spelling() {
        for s in ["3'35\"", "3'35", "3:35", "3分35秒", "3.35", "3′35″", "215"] {
            assert_eq!(parse_time(Item::Run800m, s), Ok(215.0), "{s}");
        }
        assert_eq!(parse_time(Item::Run800m, "4"), Ok(240.0), "Excel shows 4.00 as 4");
        assert_eq!(parse_time(Item::Shuttle50x8, "1.36"), Ok(96.0));
        assert!(parse_time(Item::Run800m, "3.75").unwrap_err().contains("超过59"));
        assert!(parse_time(Item::Run800m, "3.5").unwrap_err().contains("歧义"));
        assert!(parse_time(Item::Run800m, "35").unwrap_err().contains("歧义"));
        assert!(parse_time(Item::Run800m, "3'60").is_err());
        assert!(parse_time(Item::Run800m, "abc").is_err());
        assert_eq!(parse_time(Item::Run50m, "9.5"), Ok(9.5));
        assert_eq!(parse_time(Item::Run50m, "9.51"), Ok(9.6), "a second decimal rounds up");
        assert_eq!(parse_time(Item::Run50m, "9.50"), Ok(9.5));
    }

    #[test]
    fn plausibility() {
        assert!(parse_value(Item::LungCapacity, "2.5").unwrap_err().contains("整数"));
        assert!(parse_value(Item::LungCapacity, "25").unwrap_err().contains("合理范围"));
        assert_eq!(parse_value(Item::SitAndReach, "-3.5"), Ok(-3.5));
        assert_eq!(parse_value(Item::Run1000m, "4'05\""), Ok(245.0));
    }
}

/// Counts of a test round over any set of pupils (a class, a grade, a school, the district), and
/// the rates the plans set targets on. Rates are over the pupils they apply to: 等级 rates over
/// pupils with a 总分 (免测 and 缺项 left out), BMI rates over pupils measured, vision rates over
/// pupils screened.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RoundStats {
    pub results: usize,
    pub exempt: usize,
    pub scored: usize,
    pub excellent: usize,
    pub good: usize,
    pub pass: usize,
    pub fail: usize,
    pub total_sum: f64,
    pub bmi_measured: usize,
    pub overweight: usize,
    pub obese: usize,
    pub vision_screened: usize,
    pub poor_vision: usize,
    pub myopia_known: usize,
    pub myopic: usize,
}

fn pct(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 * 100.0 / d as f64)
}

impl RoundStats {
    pub fn add(
        &mut self,
        level: Option<Level>,
        exempt: bool,
        total: Option<f64>,
        bmi_category: Option<&str>,
        acuity_grade: Option<&str>,
        myopia: Option<&str>,
    ) {
        self.add_group(1, level, exempt, total, bmi_category, acuity_grade, myopia);
    }

    /// Adds `n` pupils who share these values; `total_sum` is the sum of their totals (a group
    /// counted in SQL rather than row by row).
    #[allow(clippy::too_many_arguments)]
    pub fn add_group(
        &mut self,
        n: usize,
        level: Option<Level>,
        exempt: bool,
        total_sum: Option<f64>,
        bmi_category: Option<&str>,
        acuity_grade: Option<&str>,
        myopia: Option<&str>,
    ) {
        self.results += n;
        if exempt {
            self.exempt += n;
        }
        if let (Some(l), Some(t)) = (level, total_sum) {
            self.scored += n;
            self.total_sum += t;
            match l {
                Level::Excellent => self.excellent += n,
                Level::Good => self.good += n,
                Level::Pass => self.pass += n,
                Level::Fail => self.fail += n,
            }
        }
        if let Some(c) = bmi_category.filter(|c| !c.is_empty()) {
            self.bmi_measured += n;
            self.overweight += if c == "超重" { n } else { 0 };
            self.obese += if c == "肥胖" { n } else { 0 };
        }
        if let Some(g) = acuity_grade.filter(|g| !g.is_empty()) {
            self.vision_screened += n;
            self.poor_vision += if g != "正常" { n } else { 0 };
        }
        if let Some(m) = myopia.filter(|m| !m.is_empty()) {
            self.myopia_known += n;
            self.myopic += if m != "否" { n } else { 0 };
        }
    }
    /// 合格率 (及格及以上).
    pub fn pass_rate(&self) -> Option<f64> {
        pct(self.excellent + self.good + self.pass, self.scored)
    }
    pub fn excellent_rate(&self) -> Option<f64> {
        pct(self.excellent, self.scored)
    }
    /// 优良率 (良好及以上).
    pub fn good_rate(&self) -> Option<f64> {
        pct(self.excellent + self.good, self.scored)
    }
    pub fn fail_rate(&self) -> Option<f64> {
        pct(self.fail, self.scored)
    }
    pub fn mean_total(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.total_sum / self.scored as f64)
    }
    pub fn overweight_rate(&self) -> Option<f64> {
        pct(self.overweight, self.bmi_measured)
    }
    pub fn obese_rate(&self) -> Option<f64> {
        pct(self.obese, self.bmi_measured)
    }
    pub fn poor_vision_rate(&self) -> Option<f64> {
        pct(self.poor_vision, self.vision_screened)
    }
    pub fn myopia_rate(&self) -> Option<f64> {
        pct(self.myopic, self.myopia_known)
    }
}

#[cfg(test)]
mod stats_tests {
    use super::*;

    #[test]
    fn rates_use_their_own_denominators() {
        let mut s = RoundStats::default();
        s.add(Some(Level::Excellent), false, Some(92.0), Some("正常"), Some("正常"), Some("否"));
        s.add(Some(Level::Fail), false, Some(50.0), Some("肥胖"), Some("中度"), Some("低度近视"));
        s.add(None, true, None, None, None, None);
        s.add(None, false, None, Some("超重"), Some("轻度"), None);
        assert_eq!((s.results, s.scored, s.exempt), (4, 2, 1));
        assert_eq!(s.pass_rate(), Some(50.0));
        assert_eq!(s.mean_total(), Some(71.0));
        assert_eq!(s.obese_rate().map(|r| (r * 100.0).round() / 100.0), Some(33.33));
        assert_eq!(s.poor_vision_rate().map(|r| (r * 100.0).round() / 100.0), Some(66.67));
        assert_eq!(s.myopia_rate(), Some(50.0));
        assert_eq!(RoundStats::default().pass_rate(), None);
    }
}

/// Plain-language advice for an item scored below 60 (eduq's wording, for the report card that
/// class teachers print and parents read; not part of the standard).
pub const ADVICE: &[(Item, &str)] = &[
    (Item::LungCapacity, "多做慢跑、游泳、跳绳等有氧运动，练习深呼吸，提高心肺功能。"),
    (Item::Run50m, "练习起跑和30–50米冲刺，做高抬腿、后蹬跑，增强腿部力量。"),
    (Item::SitAndReach, "每天拉伸10分钟：坐位体前屈、压腿、弓步，循序渐进，不要突然用力。"),
    (Item::StandingLongJump, "练习蛙跳、深蹲跳和摆臂起跳，提高腿部爆发力与协调。"),
    (Item::Rope1min, "每天跳绳，先跳得连贯再求速度，可分组计时练习。"),
    (Item::SitUp1min, "练习仰卧起坐和平板支撑，加强腹部和核心力量。"),
    (Item::PullUp, "从悬垂、斜身引体向上练起，逐步过渡到完整动作。"),
    (Item::Shuttle50x8, "坚持往返跑和中长跑练习，注意转身技术和体力分配。"),
    (Item::Run800m, "每周3次以上慢跑或间歇跑，逐步延长距离，注意体力分配。"),
    (Item::Run1000m, "每周3次以上慢跑或间歇跑，逐步延长距离，注意体力分配。"),
];

/// Advice for a BMI category other than 正常.
pub fn bmi_advice(category: &str) -> Option<&'static str> {
    match category {
        "超重" | "肥胖" => Some("少吃高糖高油食物和零食，每天运动不少于1小时，规律作息。"),
        "低体重" => Some("均衡营养，吃好早餐，保证蛋白质和奶类摄入，适当进行力量练习。"),
        _ => None,
    }
}
