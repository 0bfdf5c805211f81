//! Mental-health screening instruments (心理筛查量表) as data, and their scoring.
//!
//! An instrument is a small text file (format in docs/screening.md): items, the options with
//! their scores, reverse-scored items, subscales, bands of the total, critical items, the ages
//! it suits, its licence and provenance. eduq ships only instruments free to use (PHQ-9, GAD-7);
//! a bureau holding a licence for another scale loads its file the same way, so no licensed text
//! ever sits in the code.

use crate::CoreError;

/// One question and how its answer counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub number: u32,
    pub text: String,
    /// Scored as (lowest + highest option score) − answer.
    pub reverse: bool,
    /// An answer scoring at least this is critical (PHQ-9 item 9: thoughts of self-harm) and
    /// raises an alert whatever the total.
    pub critical_at: Option<i32>,
}

/// A subscale (因子): its items' sum or mean, with an optional attention cut-off.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscale {
    pub name: String,
    pub items: Vec<u32>,
    pub mean: bool,
    pub attention_at: Option<f64>,
}

/// A band of the total score, both ends included.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub from: i32,
    pub to: i32,
    pub label: String,
    /// A result in this band raises an alert to the school's 心理教师 at once.
    pub alert: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    pub key: String,
    pub name: String,
    pub instructions: String,
    /// The youngest age the instrument suits.
    pub min_age: Option<u32>,
    /// A total at or above this needs attention (关注).
    pub attention_total: Option<i32>,
    pub licence: String,
    pub source: String,
    /// (score, label) of each answer option, in the order shown.
    pub options: Vec<(i32, String)>,
    pub items: Vec<Item>,
    pub subscales: Vec<Subscale>,
    pub bands: Vec<Band>,
}

/// The instruments eduq ships: free to use, with their provenance in the file.
pub const SHIPPED: [&str; 2] =
    [include_str!("standards/instruments/phq9.txt"), include_str!("standards/instruments/gad7.txt")];

/// The shipped instruments, parsed once.
pub fn shipped_all() -> &'static [Instrument] {
    static ALL: std::sync::OnceLock<Vec<Instrument>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| SHIPPED.iter().filter_map(|s| Instrument::parse(s).ok()).collect())
}

/// A shipped instrument by key (`phq9`, `gad7`).
pub fn shipped(key: &str) -> Option<Instrument> {
    shipped_all().iter().find(|i| i.key == key).cloned()
}

/// Why an answer sheet cannot be scored: one entry per bad item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerProblem {
    Missing(u32),
    Invalid(u32, String),
}

impl std::fmt::Display for AnswerProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnswerProblem::Missing(n) => write!(f, "第{n}题为空"),
            AnswerProblem::Invalid(n, v) => write!(f, "第{n}题取值“{v}”无效"),
        }
    }
}

/// The result of one answer sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub total: i32,
    /// Index into `Instrument::bands`.
    pub band: usize,
    pub attention: bool,
    /// A critical answer or an alert band: the 心理教师 must follow up within the deadline.
    pub alert: bool,
    /// Items answered at or above their critical score.
    pub critical: Vec<u32>,
    /// One value per subscale, in the instrument's order.
    pub subscales: Vec<f64>,
}

fn err(line: usize, msg: impl std::fmt::Display) -> CoreError {
    CoreError::Invalid(format!("量表文件第{line}行：{msg}"))
}

fn int(line: usize, what: &str, raw: &str) -> Result<i32, CoreError> {
    raw.trim().parse().map_err(|_| err(line, format!("{what}“{}”不是整数", raw.trim())))
}

/// `关键≥1` / `关注≥2.5` style flags after a `|`.
fn at_least<'a>(flag: &'a str, word: &str) -> Option<&'a str> {
    flag.strip_prefix(word).and_then(|r| r.strip_prefix('≥').or_else(|| r.strip_prefix(">=")))
}

impl Instrument {
    /// Reads an instrument file; every problem names its line.
    pub fn parse(text: &str) -> Result<Instrument, CoreError> {
        let mut ins = Instrument {
            key: String::new(),
            name: String::new(),
            instructions: String::new(),
            min_age: None,
            attention_total: None,
            licence: String::new(),
            source: String::new(),
            options: Vec::new(),
            items: Vec::new(),
            subscales: Vec::new(),
            bands: Vec::new(),
        };
        let mut section = String::new();
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(s) = line.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                section = s.trim().to_string();
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                return Err(err(n, "应为“键 = 值”"));
            };
            let (k, v) = (k.trim(), v.trim());
            let mut parts = v.split('|').map(str::trim);
            let value = parts.next().unwrap_or_default();
            let flags: Vec<&str> = parts.collect();
            match section.as_str() {
                "量表" => match k {
                    "代码" => ins.key = value.to_string(),
                    "名称" => ins.name = value.to_string(),
                    "指导语" => ins.instructions = value.to_string(),
                    "适用年龄" => ins.min_age = Some(int(n, "适用年龄", value)?.max(0) as u32),
                    "关注总分" => ins.attention_total = Some(int(n, "关注总分", value)?),
                    "许可" => ins.licence = value.to_string(),
                    "出处" => ins.source = value.to_string(),
                    other => return Err(err(n, format!("未知字段“{other}”"))),
                },
                "选项" => ins.options.push((int(n, "选项分值", k)?, value.to_string())),
                "题目" => {
                    let number = int(n, "题号", k)?;
                    if number != ins.items.len() as i32 + 1 {
                        return Err(err(n, format!("题号应为{}，实为{number}", ins.items.len() + 1)));
                    }
                    let mut item =
                        Item { number: number as u32, text: value.to_string(), reverse: false, critical_at: None };
                    for f in flags {
                        if f == "反向" {
                            item.reverse = true;
                        } else if let Some(x) = at_least(f, "关键") {
                            item.critical_at = Some(int(n, "关键分值", x)?);
                        } else {
                            return Err(err(n, format!("未知标记“{f}”（可用：反向、关键≥分值）")));
                        }
                    }
                    ins.items.push(item);
                }
                "分量表" => {
                    let mut items = Vec::new();
                    for x in value.split([',', '，']) {
                        items.push(int(n, "题号", x)?.max(0) as u32);
                    }
                    let mut sub = Subscale { name: k.to_string(), items, mean: false, attention_at: None };
                    for f in flags {
                        match f {
                            "均分" => sub.mean = true,
                            "总和" => sub.mean = false,
                            _ => match at_least(f, "关注") {
                                Some(x) => {
                                    sub.attention_at = Some(x.parse().map_err(|_| err(n, format!("“{x}”不是数")))?)
                                }
                                None => return Err(err(n, format!("未知标记“{f}”（可用：均分、总和、关注≥分值）"))),
                            },
                        }
                    }
                    ins.subscales.push(sub);
                }
                "等级" => {
                    let (a, b) = k.split_once(['-', '–']).ok_or_else(|| err(n, "等级应写作“起-止 = 名称”"))?;
                    let alert = match flags.as_slice() {
                        [] => false,
                        ["预警"] => true,
                        _ => return Err(err(n, "等级只可标记“预警”")),
                    };
                    ins.bands.push(Band {
                        from: int(n, "分数", a)?,
                        to: int(n, "分数", b)?,
                        label: value.to_string(),
                        alert,
                    });
                }
                "" => return Err(err(n, "内容须写在[量表]、[选项]、[题目]、[分量表]或[等级]之下")),
                other => return Err(err(n, format!("未知段落“[{other}]”"))),
            }
        }
        ins.check()?;
        Ok(ins)
    }

    /// The whole-file rules: bands cover every possible total exactly once, and so on.
    fn check(&self) -> Result<(), CoreError> {
        let bad = |m: String| Err(CoreError::Invalid(format!("量表“{}”：{m}", self.key)));
        if self.key.is_empty() || !self.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return bad("代码须为字母、数字或下划线".into());
        }
        if self.name.is_empty() || self.licence.is_empty() || self.source.is_empty() {
            return bad("须写明名称、许可和出处".into());
        }
        if self.options.len() < 2 {
            return bad("至少需要两个选项".into());
        }
        let mut scores: Vec<i32> = self.options.iter().map(|o| o.0).collect();
        scores.sort_unstable();
        if scores.windows(2).any(|w| w[0] == w[1]) {
            return bad("选项分值重复".into());
        }
        if self.items.is_empty() {
            return bad("没有题目".into());
        }
        for s in &self.subscales {
            if s.items.is_empty() || s.items.iter().any(|&i| i == 0 || i as usize > self.items.len()) {
                return bad(format!("分量表“{}”的题号不在1–{}之间", s.name, self.items.len()));
            }
        }
        let (lo, hi) = self.total_range();
        let mut bands = self.bands.clone();
        bands.sort_by_key(|b| b.from);
        let mut next = lo;
        for b in &bands {
            if b.from != next || b.to < b.from {
                return bad(format!("等级须无缝覆盖总分{lo}–{hi}：“{}”应从{next}分开始", b.label));
            }
            next = b.to + 1;
        }
        if next != hi + 1 {
            return bad(format!("等级须无缝覆盖总分{lo}–{hi}：最高只到{}分", next - 1));
        }
        Ok(())
    }

    /// The lowest and highest possible totals.
    pub fn total_range(&self) -> (i32, i32) {
        let (min, max) = self.option_range();
        let n = self.items.len() as i32;
        (min * n, max * n)
    }

    fn option_range(&self) -> (i32, i32) {
        let min = self.options.iter().map(|o| o.0).min().unwrap_or(0);
        let max = self.options.iter().map(|o| o.0).max().unwrap_or(0);
        (min, max)
    }

    /// Reads one answer as written (`2`, ` 2 `, `2.0` from a spreadsheet); `None` when it is
    /// not one of the options' scores.
    pub fn answer(&self, raw: &str) -> Option<i32> {
        let s = raw.trim();
        let s = s.split_once('.').map_or(s, |(int, frac)| if frac.bytes().all(|b| b == b'0') { int } else { "x" });
        let v: i32 = s.parse().ok()?;
        self.options.iter().any(|o| o.0 == v).then_some(v)
    }

    /// Reads a whole answer sheet (one raw value per item, in order), naming every bad item.
    pub fn answers<'a>(&self, raw: impl IntoIterator<Item = &'a str>) -> Result<Vec<i32>, Vec<AnswerProblem>> {
        let mut out = Vec::with_capacity(self.items.len());
        let mut problems = Vec::new();
        let mut raw = raw.into_iter();
        for item in &self.items {
            match raw.next().map(str::trim) {
                None | Some("") => problems.push(AnswerProblem::Missing(item.number)),
                Some(v) => match self.answer(v) {
                    Some(a) => out.push(a),
                    None => problems.push(AnswerProblem::Invalid(item.number, v.to_string())),
                },
            }
        }
        if problems.is_empty() { Ok(out) } else { Err(problems) }
    }

    /// Scores a checked answer sheet (`answers` as returned by [`Instrument::answers`]).
    pub fn score(&self, answers: &[i32]) -> Scored {
        let (min, max) = self.option_range();
        let value = |i: usize| {
            let a = answers.get(i).copied().unwrap_or(min);
            if self.items[i].reverse { min + max - a } else { a }
        };
        let total: i32 = (0..self.items.len()).map(value).sum();
        let band = self.bands.iter().position(|b| (b.from..=b.to).contains(&total)).unwrap_or(0);
        let critical: Vec<u32> = self
            .items
            .iter()
            .enumerate()
            .filter(|(i, it)| it.critical_at.is_some_and(|c| answers.get(*i).is_some_and(|&a| a >= c)))
            .map(|(_, it)| it.number)
            .collect();
        let mut sub_attention = false;
        let subscales = self
            .subscales
            .iter()
            .map(|s| {
                let sum: i32 = s.items.iter().map(|&n| value(n as usize - 1)).sum();
                let v = if s.mean { f64::from(sum) / s.items.len() as f64 } else { f64::from(sum) };
                sub_attention |= s.attention_at.is_some_and(|a| v >= a - 1e-9);
                v
            })
            .collect();
        let attention = self.attention_total.is_some_and(|a| total >= a) || !critical.is_empty() || sub_attention;
        let alert = !critical.is_empty() || self.bands.get(band).is_some_and(|b| b.alert);
        Scored { total, band, attention, alert, critical, subscales }
    }

    pub fn band_label(&self, s: &Scored) -> &str {
        self.bands.get(s.band).map_or("", |b| b.label.as_str())
    }

    /// Whether a pupil in this grade (1–12) is old enough for the instrument, taking a pupil's
    /// usual age in grade g as g + 6.
    pub fn suits_grade(&self, grade: i64) -> bool {
        self.min_age.is_none_or(|a| grade + 6 >= i64::from(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phq9() -> Instrument {
        shipped("phq9").expect("phq9 ships")
    }

    fn scored(ins: &Instrument, answers: &[i32]) -> (i32, String, bool, bool) {
        let s = ins.score(answers);
        (s.total, ins.band_label(&s).to_string(), s.attention, s.alert)
    }

    #[test]
    fn shipped_instruments_parse_with_licence_and_provenance() {
        for text in SHIPPED {
            let i = Instrument::parse(text).expect("parses");
            assert!(i.licence.contains("No permission required"), "{}", i.key);
            assert!(i.source.contains("phqscreeners.com"), "{}", i.key);
            assert_eq!(i.options.len(), 4);
        }
        assert_eq!(phq9().items.len(), 9);
        assert_eq!(shipped("gad7").expect("gad7").items.len(), 7);
        assert!(shipped("scl90").is_none(), "no licensed scale ships");
    }

    #[test]
    fn phq9_bands_at_every_boundary() {
        let ins = phq9();
        // Totals built on items 1–8 so that item 9 stays 0.
        let sheet = |total: i32| {
            let mut a = [0; 9];
            let mut left = total;
            for x in a.iter_mut().take(8) {
                *x = left.min(3);
                left -= *x;
            }
            a[8] = left;
            a
        };
        let cases = [
            (0, "无抑郁症状", false, false),
            (4, "无抑郁症状", false, false),
            (5, "轻度", false, false),
            (9, "轻度", false, false),
            (10, "中度", true, false),
            (14, "中度", true, false),
            (15, "中重度", true, true),
            (19, "中重度", true, true),
            (20, "重度", true, true),
            (24, "重度", true, true),
        ];
        for (t, band, attention, alert) in cases {
            assert_eq!(scored(&ins, &sheet(t)), (t, band.to_string(), attention, alert), "total {t}");
        }
        assert_eq!(scored(&ins, &[3; 9]), (27, "重度".into(), true, true));
    }

    #[test]
    fn phq9_item_9_is_critical_at_any_total() {
        let ins = phq9();
        let s = ins.score(&[0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!((s.total, s.attention, s.alert, s.critical.clone()), (1, true, true, vec![9]));
        assert_eq!(ins.band_label(&s), "无抑郁症状");
        assert!(!ins.score(&[1, 1, 1, 1, 1, 1, 1, 1, 0]).attention, "8 without item 9");
    }

    #[test]
    fn gad7_bands_at_every_boundary() {
        let ins = shipped("gad7").expect("gad7");
        let sheet = |total: i32| {
            let mut a = [0; 7];
            let mut left = total;
            for x in a.iter_mut() {
                *x = left.min(3);
                left -= *x;
            }
            a
        };
        for (t, band, attention, alert) in [
            (0, "无焦虑症状", false, false),
            (4, "无焦虑症状", false, false),
            (5, "轻度", false, false),
            (9, "轻度", false, false),
            (10, "中度", true, false),
            (14, "中度", true, false),
            (15, "重度", true, true),
            (21, "重度", true, true),
        ] {
            assert_eq!(scored(&ins, &sheet(t)), (t, band.to_string(), attention, alert), "total {t}");
        }
    }

    #[test]
    fn answers_are_read_as_written_and_every_bad_item_named() {
        let ins = shipped("gad7").expect("gad7");
        assert_eq!(ins.answers(["0", " 1 ", "2.0", "3", "0", "0", "1"]), Ok(vec![0, 1, 2, 3, 0, 0, 1]));
        let problems = ins.answers(["0", "4", "", "-1", "2.5", "一", "1"]).unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            ["第2题取值“4”无效", "第3题为空", "第4题取值“-1”无效", "第5题取值“2.5”无效", "第6题取值“一”无效"]
        );
        assert_eq!(ins.answers(["1"; 6]).unwrap_err(), vec![AnswerProblem::Missing(7)]);
    }

    /// A made-up scale (not a real instrument's text) exercising reverse items and subscales.
    const TOY: &str = "[量表]\n代码 = toy\n名称 = 示例\n许可 = 自编\n出处 = 测试\n\n[选项]\n1 = 否\n2 = 有时\n3 = 是\n\n\
        [题目]\n1 = 甲\n2 = 乙 | 反向\n3 = 丙 | 关键≥3\n\n[分量表]\n前两题 = 1,2 | 均分 | 关注≥2.5\n\n[等级]\n3-5 = 低\n6-9 = 高 | 预警\n";

    #[test]
    fn reverse_items_subscales_and_a_loaded_scale() {
        let ins = Instrument::parse(TOY).expect("toy");
        let s = ins.score(&[3, 1, 1]);
        assert_eq!((s.total, s.subscales.clone(), s.attention, s.alert), (7, vec![3.0], true, true));
        let s = ins.score(&[2, 3, 1]);
        assert_eq!((s.total, s.subscales.clone(), s.attention, s.alert), (4, vec![1.5], false, false));
        assert!(ins.score(&[1, 3, 3]).alert, "critical item 3");
        assert!(ins.suits_grade(1), "no age limit means every grade");
        assert!(phq9().suits_grade(6) && !phq9().suits_grade(5), "12 years from grade 6");
    }

    #[test]
    fn bad_files_name_their_line() {
        let e = |t: &str| Instrument::parse(t).unwrap_err().to_string();
        assert!(e("[量表]\n代码 phq").contains("第2行"));
        assert!(e(&TOY.replace("2 = 乙", "3 = 乙")).contains("题号应为2"));
        assert!(e(&TOY.replace("6-9", "7-9")).contains("应从6分开始"));
        assert!(e(&TOY.replace("6-9", "6-8")).contains("最高只到8分"));
        assert!(e(&TOY.replace("关键≥3", "关键")).contains("未知标记"));
        assert!(e(&TOY.replace("许可 = 自编\n", "")).contains("许可"));
        assert!(e(&TOY.replace("1,2", "1,4")).contains("题号不在1–3"));
    }
}
