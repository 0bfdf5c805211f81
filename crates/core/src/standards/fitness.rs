//! 《国家学生体质健康标准（2014年修订）》: single-item score tables, BMI bands, weights and bonus
//! tables, embedded as the csv files in `fitness/` (with their sources per row) and parsed once.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::Provenance;
use crate::student::Sex;

pub const PROVENANCE: Provenance = Provenance {
    source: "教育部《国家学生体质健康标准（2014年修订）》教体艺〔2014〕5号；数值取自多个独立的公开转录并互相核对（见 standards/fitness/README.md）",
    clause: "单项评分表、体重指数（BMI）评分表、各年级组权重、加分指标评分表、等级（优秀≥90.0，良好80.0–89.9，及格60.0–79.9，不及格≤59.9）",
    confidence: "[V] 小学与大学各表2–3个来源一致；初中、高中单项表以来源V为主（100分值与MS全部一致），514行仅单一来源；初中高中加分表仅来源V",
};

crate::labelled_enum! {
    /// A test item, keyed as in the data files, labelled as in the national upload template.
    Item, "测试项目" {
        Bmi => "bmi", "体重指数";
        LungCapacity => "lung_capacity", "肺活量";
        Run50m => "run_50m", "50米跑";
        SitAndReach => "sit_and_reach", "坐位体前屈";
        StandingLongJump => "standing_long_jump", "立定跳远";
        Rope1min => "rope_1min", "一分钟跳绳" | "1分钟跳绳";
        SitUp1min => "sit_up_1min", "一分钟仰卧起坐" | "1分钟仰卧起坐";
        PullUp => "pull_up", "引体向上";
        Shuttle50x8 => "shuttle_50x8", "50米×8往返跑" | "50米x8往返跑";
        Run800m => "run_800m", "800米跑";
        Run1000m => "run_1000m", "1000米跑";
    }
}

impl Item {
    /// Items whose result is a time (seconds) where less is better.
    pub fn is_time(self) -> bool {
        matches!(self, Item::Run50m | Item::Shuttle50x8 | Item::Run800m | Item::Run1000m)
    }
}

/// The table a pupil is scored on: school grade 1–12, or the two university groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    Grade(u8),
    /// 大一、大二
    U12,
    /// 大三、大四
    U34,
}

impl Group {
    fn parse(s: &str) -> Option<Group> {
        match s.trim() {
            "U12" => Some(Group::U12),
            "U34" => Some(Group::U34),
            g => g.parse::<u8>().ok().filter(|g| (1..=12).contains(g)).map(Group::Grade),
        }
    }
    pub fn is_primary(self) -> bool {
        matches!(self, Group::Grade(g) if g <= 6)
    }
    pub fn all() -> impl Iterator<Item = Group> {
        (1..=12).map(Group::Grade).chain([Group::U12, Group::U34])
    }
}

/// One item's score table for a group and sex: rows (score, threshold) from 100 down.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemTable {
    pub lower_is_better: bool,
    pub rows: Vec<(u32, f64)>,
}

/// Results equal to a threshold earn its score; float noise from parsing is absorbed.
const EPS: f64 = 1e-9;

impl ItemTable {
    /// The highest score whose threshold the value reaches; 0 below the last row.
    pub fn score(&self, value: f64) -> u32 {
        // Thresholds run from the 100-point result down (a test checks every table), so the first
        // row the value reaches comes after the rows it does not: counting those is branch-free,
        // which beats a search that mispredicts on every pupil.
        let i = if self.lower_is_better {
            self.rows.iter().filter(|&&(_, t)| value > t + EPS).count()
        } else {
            self.rows.iter().filter(|&&(_, t)| value < t - EPS).count()
        };
        self.rows.get(i).map_or(0, |&(s, _)| s)
    }
    /// The result that earns 100 points.
    pub fn full_marks(&self) -> f64 {
        self.rows[0].1
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BmiBand {
    pub category: &'static str,
    pub score: u32,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// Bonus steps of one item: (points, how far beyond the 100-point result), ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct BonusTable {
    pub steps: Vec<(u32, f64)>,
}

impl BonusTable {
    /// Points for a result `excess` beyond the 100-point value (more reps, or seconds faster).
    pub fn points(&self, excess: f64) -> u32 {
        self.steps.iter().filter(|&&(_, need)| excess >= need - EPS).map(|&(p, _)| p).max().unwrap_or(0)
    }
    pub fn max(&self) -> u32 {
        self.steps.iter().map(|s| s.0).max().unwrap_or(0)
    }
}

#[derive(Debug, Default)]
pub struct Tables {
    pub items: HashMap<(Group, Sex, Item), ItemTable>,
    pub bmi: HashMap<(Group, Sex), Vec<BmiBand>>,
    /// Per group and sex: the scored items with their weight in percent.
    pub weights: HashMap<(Group, Sex), Vec<(Item, u32)>>,
    pub bonus: HashMap<(Group, Sex, Item), BonusTable>,
}

const ITEM_FILES: [&str; 3] = [
    include_str!("fitness/item_scores_primary.csv"),
    include_str!("fitness/item_scores_secondary.csv"),
    include_str!("fitness/item_scores_university.csv"),
];
const BMI_FILES: [&str; 2] = [include_str!("fitness/bmi_bands.csv"), include_str!("fitness/bmi_bands_secondary.csv")];
const WEIGHTS: &str = include_str!("fitness/weights.csv");
const BONUS: &str = include_str!("fitness/bonus.csv");
/// The 100-point value of every item for grades 1–12 from an independent source (tests).
pub const ANCHORS: &str = include_str!("fitness/anchors_score100_grades1-12.csv");

/// Splits one csv line, honouring double quotes (the data files quote lists such as "7-12,U12,U34").
pub fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().expect("one field").push(c),
        }
    }
    out
}

fn rows(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    text.lines().skip(1).filter(|l| !l.trim().is_empty()).map(split_csv_line)
}

fn sex(s: &str) -> Vec<Sex> {
    match s {
        "male" => vec![Sex::Male],
        "female" => vec![Sex::Female],
        _ => vec![Sex::Male, Sex::Female],
    }
}

/// "1,2", "7-12,U12,U34", "1-6" → groups.
fn groups(s: &str) -> Vec<Group> {
    s.split(',')
        .flat_map(|part| match part.split_once('-') {
            Some((a, b)) => match (a.parse::<u8>(), b.parse::<u8>()) {
                (Ok(a), Ok(b)) => (a..=b).map(Group::Grade).collect(),
                _ => vec![],
            },
            None => Group::parse(part).into_iter().collect(),
        })
        .collect()
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

fn build() -> Tables {
    let mut t = Tables::default();
    for file in ITEM_FILES {
        // stage,grade,sex,item,unit,direction,score,threshold,source,crosscheck
        for r in rows(file) {
            let (Some(g), Ok(item), Some(score), Some(threshold)) =
                (Group::parse(&r[1]), Item::parse(&r[3]), number(&r[6]), number(&r[7]))
            else {
                panic!("bad fitness table row: {r:?}");
            };
            for s in sex(&r[2]) {
                let table = t
                    .items
                    .entry((g, s, item))
                    .or_insert_with(|| ItemTable { lower_is_better: r[5] == "lower_is_better", rows: vec![] });
                table.rows.push((score as u32, threshold));
            }
        }
    }
    for table in t.items.values_mut() {
        table.rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    }
    for file in BMI_FILES {
        // grade,sex,category,score,bmi_min,bmi_max,source,status
        for r in rows(file) {
            let g = Group::parse(&r[0]).expect("bmi grade");
            let category = match r[2].as_str() {
                "正常" => "正常",
                "低体重" => "低体重",
                "超重" => "超重",
                "肥胖" => "肥胖",
                other => panic!("bmi category {other}"),
            };
            for s in sex(&r[1]) {
                let bands = t.bmi.entry((g, s)).or_default();
                // Grade 8 is in both files with the same numbers.
                if !bands.iter().any(|b| b.category == category) {
                    bands.push(BmiBand {
                        category,
                        score: r[3].parse().expect("score"),
                        min: number(&r[4]),
                        max: number(&r[5]),
                    });
                }
            }
        }
    }
    // group,grades,item,weight_percent,source
    for r in rows(WEIGHTS) {
        let weight: u32 = r[3].parse().expect("weight");
        for g in groups(&r[1]) {
            for part in r[2].split('|') {
                let (key, only) = match part.split_once('(') {
                    Some((k, s)) => (k, Some(s.trim_end_matches(')'))),
                    None => (part, None),
                };
                let item = Item::parse(key).expect("weight item");
                for s in sex(only.unwrap_or("both")) {
                    t.weights.entry((g, s)).or_default().push((item, weight));
                }
            }
        }
    }
    // item,sex,applies_grades,bonus_points,excess_over_score100_threshold,…
    for r in rows(BONUS) {
        let item = Item::parse(&r[0]).expect("bonus item");
        for g in groups(&r[2]) {
            for s in sex(&r[1]) {
                let step = (r[3].parse().expect("points"), number(&r[4]).expect("excess"));
                t.bonus.entry((g, s, item)).or_insert_with(|| BonusTable { steps: vec![] }).steps.push(step);
            }
        }
    }
    t
}

pub fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(build)
}

/// Everything needed to score one (group, sex), resolved once: the batch scores a million pupils.
#[derive(Debug)]
pub struct Plan {
    pub items: Vec<PlanItem>,
    pub bmi: &'static [BmiBand],
}

#[derive(Debug)]
pub struct PlanItem {
    pub item: Item,
    pub weight: u32,
    pub table: Option<&'static ItemTable>,
    pub bonus: Option<&'static BonusTable>,
}

impl Group {
    fn index(self) -> usize {
        match self {
            Group::Grade(g) => usize::from(g) - 1,
            Group::U12 => 12,
            Group::U34 => 13,
        }
    }
}

pub fn plan(group: Group, sex: Sex) -> &'static Plan {
    static PLANS: OnceLock<Vec<Plan>> = OnceLock::new();
    let plans = PLANS.get_or_init(|| {
        let t = tables();
        let mut out = Vec::with_capacity(28);
        for g in Group::all() {
            for s in [Sex::Male, Sex::Female] {
                let items = t
                    .weights
                    .get(&(g, s))
                    .map(|w| {
                        w.iter()
                            .map(|&(item, weight)| PlanItem {
                                item,
                                weight,
                                table: t.items.get(&(g, s, item)),
                                bonus: t.bonus.get(&(g, s, item)),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(Plan { items, bmi: t.bmi.get(&(g, s)).map(Vec::as_slice).unwrap_or(&[]) });
            }
        }
        out
    });
    &plans[group.index() * 2 + usize::from(sex == Sex::Female)]
}

impl Plan {
    pub fn bmi_band(&self, bmi: f64) -> Option<&'static BmiBand> {
        self.bmi.iter().find(|b| b.min.is_none_or(|m| bmi >= m - EPS) && b.max.is_none_or(|m| bmi <= m + EPS))
    }
}

/// BMI (kg/m²) to one decimal, half away from zero, as the tables are read.
pub fn bmi(height_cm: f64, weight_kg: f64) -> f64 {
    let m = height_cm / 100.0;
    ((weight_kg / (m * m)) * 10.0).round() / 10.0
}

impl Tables {
    pub fn bmi_band(&self, g: Group, s: Sex, bmi: f64) -> Option<&BmiBand> {
        self.bmi
            .get(&(g, s))?
            .iter()
            .find(|b| b.min.is_none_or(|m| bmi >= m - EPS) && b.max.is_none_or(|m| bmi <= m + EPS))
    }
}

crate::labelled_enum! {
    /// 等级 of the 学年总分.
    Level, "体质健康等级" {
        Excellent => "excellent", "优秀";
        Good => "good", "良好";
        Pass => "pass", "及格";
        Fail => "fail", "不及格";
    }
}

/// 优秀 ≥ 90.0, 良好 80.0–89.9, 及格 60.0–79.9, 不及格 ≤ 59.9 (on the total as computed, not rounded).
pub fn level(total: f64) -> Level {
    if total >= 90.0 - EPS {
        Level::Excellent
    } else if total >= 80.0 - EPS {
        Level::Good
    } else if total >= 60.0 - EPS {
        Level::Pass
    } else {
        Level::Fail
    }
}

/// 毕业成绩 = graduation year's total × 50 % + mean of the other years' totals × 50 %; with no other
/// year on record, the graduation year's total.
pub fn graduation_score(final_year: f64, other_years: &[f64]) -> f64 {
    if other_years.is_empty() {
        return final_year;
    }
    final_year * 0.5 + other_years.iter().sum::<f64>() / other_years.len() as f64 * 0.5
}

/// The columns of the national 体质健康 upload template (国家学生体质健康标准数据上报), in order,
/// with the vision screening columns added since 2021 and 备注.
pub const UPLOAD_HEADERS: &[&str] = &[
    "年级编号",
    "班级编号",
    "班级名称",
    "学籍号",
    "民族代码",
    "姓名",
    "性别",
    "出生日期",
    "身高",
    "体重",
    "肺活量",
    "50米跑",
    "立定跳远",
    "坐位体前屈",
    "800米跑",
    "1000米跑",
    "一分钟仰卧起坐",
    "引体向上",
    "一分钟跳绳",
    "50米×8往返跑",
    "左眼裸眼视力",
    "右眼裸眼视力",
    "左眼球镜",
    "左眼柱镜",
    "右眼球镜",
    "右眼柱镜",
    "是否戴镜",
    "备注",
];

/// 年级编号 of the upload template: 11–16 小学一~六, 21–23 初一~初三, 31–33 高一~高三.
pub fn grade_code(grade: u8) -> u32 {
    match grade {
        1..=6 => 10 + u32::from(grade),
        7..=9 => 14 + u32::from(grade),
        _ => 21 + u32::from(grade),
    }
}
