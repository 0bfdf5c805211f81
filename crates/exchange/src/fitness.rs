//! `eduq fitness score`: the national upload layout in, the same rows out with every score added.
//! A bad value never stops the batch: the pupil's 备注 says why, and the summary counts it.
//! csv is streamed record by record (a million pupils fit in seconds); xlsx goes through `Table`.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::sync::mpsc;

use eduq_core::fitness::{Record, Scored, group_of_code, parse_value, score};
use eduq_core::number::parse_f64;
use eduq_core::standards::fitness::{Group, Item};
use eduq_core::standards::vision::{acuity_grade, myopia, myopia_rank, parse_acuity};
use eduq_core::student::Sex;
use eduq_core::text::trim;
use serde::Serialize;

use crate::ExchangeError;
use crate::stream::Blocks;
use crate::table::{Cell, Table, csv_field, decimal_digits, write_xlsx};

/// Item columns of the national template, in its order.
pub const ITEM_HEADERS: &[(&str, Item)] = &[
    ("肺活量", Item::LungCapacity),
    ("50米跑", Item::Run50m),
    ("立定跳远", Item::StandingLongJump),
    ("坐位体前屈", Item::SitAndReach),
    ("800米跑", Item::Run800m),
    ("1000米跑", Item::Run1000m),
    ("一分钟仰卧起坐", Item::SitUp1min),
    ("引体向上", Item::PullUp),
    ("一分钟跳绳", Item::Rope1min),
    ("50米×8往返跑", Item::Shuttle50x8),
];
const SCORE_HEADERS: &[&str] = &["体重指数", "体重指数等级", "体重指数得分", "标准分", "附加分", "总分", "等级"];
const VISION_HEADERS: &[&str] = &["视力不良等级", "筛查性近视"];
const NOTE: &str = "备注";

/// Counts for the summary line; `invalid` > 0 makes the command exit non-zero.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pupils: usize,
    pub scored: usize,
    pub incomplete: usize,
    pub exempt: usize,
    pub invalid: usize,
    pub excellent: usize,
    pub good: usize,
    pub pass: usize,
    pub fail: usize,
}

/// Where the needed columns are in this file.
struct Layout {
    grade: Option<usize>,
    sex: Option<usize>,
    height: Option<usize>,
    weight: Option<usize>,
    items: Vec<(usize, &'static str, Item)>,
    exempt: Option<usize>,
    note: Option<usize>,
    vision: Option<Vision>,
    /// Output header: input headers, then the added ones.
    headers: Vec<String>,
}

struct Vision {
    acuity: [Option<usize>; 2],
    sphere: [Option<usize>; 2],
    cylinder: [Option<usize>; 2],
    glasses: Option<usize>,
}

fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| headers.iter().position(|h| h == n))
}

impl Layout {
    fn new(headers: &[String]) -> Result<Layout, ExchangeError> {
        let missing: Vec<String> =
            ["年级编号", "性别"].iter().filter(|h| find(headers, &[**h]).is_none()).map(|h| h.to_string()).collect();
        if !missing.is_empty() {
            return Err(ExchangeError::MissingHeaders(missing));
        }
        let items: Vec<(usize, &'static str, Item)> = ITEM_HEADERS
            .iter()
            .filter_map(|&(h, item)| {
                let alias: &[&str] = match item {
                    Item::SitUp1min => &["一分钟仰卧起坐", "1分钟仰卧起坐"],
                    Item::Rope1min => &["一分钟跳绳", "1分钟跳绳"],
                    Item::Shuttle50x8 => &["50米×8往返跑", "50米x8往返跑", "50米*8往返跑"],
                    _ => &[],
                };
                find(headers, &[h]).or_else(|| find(headers, alias)).map(|c| (c, h, item))
            })
            .collect();
        let eye = |l: &[&str], r: &[&str]| [find(headers, l), find(headers, r)];
        let acuity = eye(&["左眼裸眼视力", "左眼视力"], &["右眼裸眼视力", "右眼视力"]);
        let vision = acuity.iter().any(Option::is_some).then(|| Vision {
            acuity,
            sphere: eye(&["左眼球镜", "左眼球镜度数"], &["右眼球镜", "右眼球镜度数"]),
            cylinder: eye(&["左眼柱镜", "左眼柱镜度数"], &["右眼柱镜", "右眼柱镜度数"]),
            glasses: find(headers, &["是否戴镜", "戴镜类型", "戴镜情况"]),
        });
        let note = find(headers, &[NOTE]);
        let mut out: Vec<String> = headers.to_vec();
        out.extend(items.iter().map(|(_, h, _)| format!("{h}得分")));
        out.extend(SCORE_HEADERS.iter().map(|h| h.to_string()));
        if vision.is_some() {
            out.extend(VISION_HEADERS.iter().map(|h| h.to_string()));
        }
        if note.is_none() {
            out.push(NOTE.to_string());
        }
        Ok(Layout {
            grade: find(headers, &["年级编号"]),
            sex: find(headers, &["性别"]),
            height: find(headers, &["身高"]),
            weight: find(headers, &["体重"]),
            items,
            exempt: find(headers, &["免测", "是否免测"]),
            note,
            vision,
            headers: out,
        })
    }
}

/// Formats a non-negative number to at most `decimals` (1 or 2) places without trailing zeros
/// (83, 82.75, 18.2), by integer arithmetic: this runs millions of times per batch.
fn num(out: &mut String, v: f64, decimals: u32) {
    let scale = 10i64.pow(decimals);
    let n = (v * scale as f64).round() as i64;
    let (int, mut frac) = (n / scale, n % scale);
    if int < 0 {
        let _ = write!(out, "{int}");
    } else {
        uint(out, int as u64);
    }
    if frac != 0 {
        let mut width = decimals as usize;
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        out.push('.');
        let mut buf = [0; 20];
        let digits = decimal_digits(frac.unsigned_abs(), &mut buf);
        for _ in digits.len()..width {
            out.push('0');
        }
        for &d in digits {
            out.push(char::from(d));
        }
    }
}

/// Appends an unsigned integer in decimal, without the formatting machinery (scores are written
/// twenty times per pupil).
fn uint(out: &mut String, v: u64) {
    for &d in decimal_digits(v, &mut [0; 20]) {
        out.push(char::from(d));
    }
}

/// The added cells of a row in one reused buffer: a million rows should not allocate twenty
/// strings each.
#[derive(Default)]
struct Added {
    text: String,
    starts: Vec<usize>,
}

impl Added {
    fn reset(&mut self) {
        self.text.clear();
        self.starts.clear();
    }
    /// Starts the next cell and returns the buffer to append it to.
    fn next(&mut self) -> &mut String {
        self.starts.push(self.text.len());
        &mut self.text
    }
    fn push(&mut self, text: &str) {
        self.next().push_str(text);
    }
    fn cells(&self) -> impl Iterator<Item = &str> {
        let ends = self.starts.iter().skip(1).copied().chain(std::iter::once(self.text.len()));
        self.starts.iter().zip(ends).map(|(&a, z)| &self.text[a..z])
    }
}

/// One pupil's row evaluated: parsed values, scores, vision, and what was wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    pub grade_code: Option<u32>,
    pub group: Option<Group>,
    pub sex: Option<Sex>,
    pub record: Record,
    pub scored: Option<Scored>,
    pub exempt: bool,
    /// Values rejected (the pupil cannot be scored as recorded).
    pub problems: Vec<String>,
    pub vision: Option<VisionResult>,
    /// Notes from the vision columns (missing refraction, bad values).
    pub vision_notes: Vec<String>,
    pub input_note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VisionResult {
    pub acuity: [Option<f64>; 2],
    /// 视力不良等级 of the worse eye ("" when no acuity was recorded).
    pub grade: &'static str,
    /// 筛查性近视: the worse eye's degree, 否, or "" when it cannot be told.
    pub myopia: &'static str,
}

/// Names of missing items as the template's headers spell them.
pub fn missing_names(missing: &[Item]) -> Vec<&'static str> {
    missing
        .iter()
        .map(|m| {
            if *m == Item::Bmi {
                "身高体重"
            } else {
                ITEM_HEADERS.iter().find(|x| x.1 == *m).map_or(m.label(), |x| x.0)
            }
        })
        .collect()
}

fn evaluate<'a>(l: &Layout, cell: &impl Fn(usize) -> &'a str) -> Evaluated {
    let get = |c: Option<usize>| c.map(cell).unwrap_or("");
    let mut problems: Vec<String> = Vec::new();
    let grade_raw = get(l.grade);
    let grade_code = trim(grade_raw).parse::<u32>().ok();
    let group = grade_code.and_then(group_of_code);
    if group.is_none() {
        problems.push(format!("年级编号“{grade_raw}”无效（应为11–16、21–23、31–33或41–44）"));
    }
    let sex_raw = get(l.sex);
    let sex = Sex::parse(sex_raw).ok();
    if sex.is_none() {
        problems.push(format!("性别“{sex_raw}”无效（应为1男或2女）"));
    }
    let input_note = get(l.note).to_string();
    let exempt = l.exempt.is_some_and(|c| matches!(trim(cell(c)), "是" | "1" | "免测" | "Y" | "y"))
        || input_note.contains("免测");
    let mut record = Record { exempt, items: Vec::with_capacity(l.items.len()), ..Record::default() };
    let mut body = |c: Option<usize>, name: &str, range: (f64, f64)| -> Option<f64> {
        let raw = get(c);
        if trim(raw).is_empty() {
            return None;
        }
        match parse_f64(trim(raw)) {
            Ok(v) if (range.0..=range.1).contains(&v) => Some(v),
            _ => {
                problems.push(format!("{name}“{raw}”无效（合理范围{}–{}）", range.0, range.1));
                None
            }
        }
    };
    record.height_cm = body(l.height, "身高", eduq_core::fitness::HEIGHT_CM);
    record.weight_kg = body(l.weight, "体重", eduq_core::fitness::WEIGHT_KG);
    for &(c, h, item) in &l.items {
        let raw = cell(c);
        if trim(raw).is_empty() {
            continue;
        }
        match parse_value(item, raw) {
            Ok(v) => record.items.push((item, v)),
            Err(e) => problems.push(format!("{h}“{raw}”：{e}")),
        }
    }
    let scored = match (group, sex) {
        (Some(g), Some(s)) => Some(score(g, s, &record)),
        _ => None,
    };
    let mut vision_notes = Vec::new();
    let vision = l.vision.as_ref().map(|v| vision(v, cell, &mut vision_notes));
    Evaluated { grade_code, group, sex, record, scored, exempt, problems, vision, vision_notes, input_note }
}

/// The added cells of one pupil, in output order, plus the merged 备注.
fn score_row<'a>(l: &Layout, cell: &impl Fn(usize) -> &'a str, sum: &mut Summary, added: &mut Added) -> String {
    sum.pupils += 1;
    let mut e = evaluate(l, cell);
    let (problems, input_note) = (std::mem::take(&mut e.problems), std::mem::take(&mut e.input_note));
    let (scored, exempt) = (&e.scored, e.exempt);
    for &(_, _, item) in &l.items {
        let slot = added.next();
        if let Some(p) = scored.as_ref().and_then(|s| s.item_scores.iter().find(|x| x.0 == item)) {
            uint(slot, u64::from(p.1));
        }
    }
    let mut notes: Vec<String> = Vec::new();
    match scored {
        Some(s) => {
            let b = added.next();
            if let Some(v) = s.bmi {
                num(b, v, 1);
                if v.fract() == 0.0 {
                    b.push_str(".0");
                }
            }
            added.push(s.bmi_category.unwrap_or(""));
            let b = added.next();
            if let Some(v) = s.bmi_score {
                uint(b, u64::from(v));
            }
            let st = added.next();
            if let Some(v) = s.standard {
                num(st, v, 2);
            }
            let b = added.next();
            if s.total.is_some() {
                uint(b, u64::from(s.bonus));
            }
            let tot = added.next();
            if let Some(v) = s.total {
                num(tot, v, 2);
            }
            added.push(s.level.map_or("", |l| l.label()));
            if exempt {
                notes.push("免测".into());
                sum.exempt += 1;
            } else if !s.missing.is_empty() {
                notes.push(format!("缺项：{}", missing_names(&s.missing).join("、")));
                sum.incomplete += 1;
            } else {
                sum.scored += 1;
                match s.level.map(|l| l.key()) {
                    Some("excellent") => sum.excellent += 1,
                    Some("good") => sum.good += 1,
                    Some("pass") => sum.pass += 1,
                    _ => sum.fail += 1,
                }
            }
        }
        None => {
            for _ in SCORE_HEADERS {
                added.next();
            }
        }
    }
    if let Some(v) = &e.vision {
        added.push(v.grade);
        added.push(v.myopia);
    }
    notes.extend(e.vision_notes.iter().cloned());
    if !problems.is_empty() {
        sum.invalid += 1;
    }
    notes.splice(0..0, problems);
    let ours = notes.join("；");
    match (trim(&input_note).is_empty(), ours.is_empty()) {
        (true, _) => ours,
        (false, true) => input_note.clone(),
        (false, false) if input_note.contains(&ours) => input_note.clone(),
        (false, false) => format!("{input_note}；{ours}"),
    }
}

/// 视力不良等级 (worse eye) and 筛查性近视 (worse eye's degree, 否, or empty when it cannot be told).
fn vision<'a>(v: &Vision, cell: &impl Fn(usize) -> &'a str, notes: &mut Vec<String>) -> VisionResult {
    let get = |c: Option<usize>| c.map(cell).unwrap_or("");
    let mut worst_acuity: Option<f64> = None;
    let mut acuity = [None, None];
    let mut myopia_label: Option<&'static str> = None;
    let mut undetermined = false;
    let mut any = false;
    let ortho = v.glasses.is_some_and(|c| cell(c).contains("角膜塑形"));
    for (eye, name) in [(0, "左眼"), (1, "右眼")] {
        let raw = get(v.acuity[eye]);
        if trim(raw).is_empty() {
            continue;
        }
        let a = match parse_acuity(raw) {
            Ok(a) => a,
            Err(e) => {
                notes.push(format!("{name}裸眼视力“{raw}”：{e}"));
                continue;
            }
        };
        any = true;
        acuity[eye] = Some(a);
        worst_acuity = Some(worst_acuity.map_or(a, |w: f64| w.min(a)));
        let (s_raw, c_raw) = (get(v.sphere[eye]), get(v.cylinder[eye]));
        if trim(s_raw).is_empty() {
            undetermined |= a < 5.0;
            continue;
        }
        let parse = |s: &str| if trim(s).is_empty() { Ok(0.0) } else { parse_f64(trim(s)) };
        match (parse(s_raw), parse(c_raw)) {
            (Ok(s), Ok(c)) if (-30.0..=30.0).contains(&s) && (-10.0..=10.0).contains(&c) => {
                let m = myopia(a, s, c);
                if myopia_rank(m) > myopia_rank(myopia_label) {
                    myopia_label = m;
                }
            }
            _ => notes.push(format!("{name}屈光数据“{s_raw}/{c_raw}”无效")),
        }
    }
    let grade = worst_acuity.map_or("", acuity_grade);
    let myopic = if ortho {
        // Orthokeratology flattens the cornea overnight: the day's acuity hides the myopia.
        "近视（角膜塑形镜）"
    } else if let Some(m) = myopia_label {
        m
    } else if undetermined {
        notes.push("缺屈光检查数据，无法判定筛查性近视".into());
        ""
    } else if any {
        "否"
    } else {
        ""
    };
    VisionResult { acuity, grade, myopia: myopic }
}

/// Evaluates every row of an upload for storing: (row number, 学籍号, result). The 学籍号 column is
/// required here, since results are kept per pupil.
pub fn evaluate_table(t: &Table) -> Result<Vec<(usize, String, Evaluated)>, ExchangeError> {
    let l = Layout::new(&t.headers)?;
    let Some(student) = find(&t.headers, &["学籍号", "全国学籍号"]) else {
        return Err(ExchangeError::MissingHeaders(vec!["学籍号".into()]));
    };
    Ok(t.rows
        .iter()
        .map(|(n, cells)| {
            let e = evaluate(&l, &|c| cells.get(c).map_or("", |v| v.trim()));
            (*n, cells.get(student).map_or(String::new(), |v| v.trim().to_string()), e)
        })
        .collect())
}

/// Output header, rows and counts of a scored table.
pub type ScoredTable = (Vec<String>, Vec<Vec<String>>, Summary);

/// Scores a table (xlsx or csv already read) and returns the output rows.
pub fn score_table(t: &Table) -> Result<ScoredTable, ExchangeError> {
    let l = Layout::new(&t.headers)?;
    let mut sum = Summary::default();
    let mut out = Vec::with_capacity(t.rows.len());
    let mut added = Added::default();
    for (_, cells) in &t.rows {
        added.reset();
        let note = score_row(&l, &|c| cells.get(c).map_or("", String::as_str), &mut sum, &mut added);
        let mut row = cells.clone();
        row.resize(t.headers.len(), String::new());
        row.extend(added.cells().map(str::to_string));
        match l.note {
            Some(c) => row[c] = note,
            None => row.push(note),
        }
        out.push(row);
    }
    Ok((l.headers, out, sum))
}

/// How the csv stream uses the machine.
#[derive(Debug, Clone, Copy)]
pub struct StreamOptions {
    pub threads: usize,
    pub block: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            threads: std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
            // 1 MB blocks: the few blocks and outputs in flight stay small, and fresh memory costs
            // page faults (4 MB blocks were no faster).
            block: 1 << 20,
        }
    }
}

/// Blocks in flight per worker thread (1 MB each, with their outputs).
const IN_FLIGHT: usize = 4;

/// Streams a csv file (UTF-8 or GB18030) through the scorer into `out` (UTF-8, no BOM): blocks of
/// whole records are scored on worker threads and written back in file order, so memory stays a
/// few blocks whatever the file's size.
pub fn score_csv(source: impl Read, out: &mut dyn Write, opts: &StreamOptions) -> Result<Summary, ExchangeError> {
    let mut blocks = Blocks::with_block_size(source, opts.block)?;
    let l = Layout::new(&blocks.headers)?;
    let width = blocks.headers.len();
    let encoding = blocks.encoding;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&l.headers).map_err(|e| ExchangeError::Write(e.to_string()))?;
    let header = w.into_inner().map_err(|e| ExchangeError::Write(e.to_string()))?;
    let put = |out: &mut dyn Write, bytes: &[u8]| out.write_all(bytes).map_err(|e| ExchangeError::Io(e.to_string()));
    put(out, &header)?;
    let threads = opts.threads.max(1);
    let mut sum = Summary::default();
    // One queue for all workers: whoever is free takes the next block, so a slow block does not
    // hold back the blocks dealt behind it.
    let (jobs, queue) = mpsc::sync_channel::<(usize, Vec<u8>, Vec<u8>)>(IN_FLIGHT * threads);
    let queue = std::sync::Mutex::new(queue);
    std::thread::scope(|s| -> Result<(), ExchangeError> {
        type Scored = (usize, Result<(Vec<u8>, Summary), ExchangeError>, Vec<u8>);
        let (done_tx, done_rx) = mpsc::channel::<Scored>();
        for _ in 0..threads {
            let (done_tx, l, queue) = (done_tx.clone(), &l, &queue);
            s.spawn(move || {
                loop {
                    // The lock is held while waiting: the other workers queue behind it.
                    let job = match queue.lock() {
                        Ok(q) => q.recv(),
                        Err(_) => break,
                    };
                    let Ok((seq, block, out)) = job else { break };
                    let scored = encoding.text(&block).and_then(|text| score_part(&text, l, width, out));
                    if done_tx.send((seq, scored, block)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        // Results come back in any order and are written in sequence.
        let mut waiting: std::collections::BTreeMap<usize, Vec<u8>> = std::collections::BTreeMap::new();
        // Spent blocks and written outputs go back to the threads: their pages stay mapped.
        let mut spare: Vec<Vec<u8>> = Vec::new();
        let mut spare_out: Vec<Vec<u8>> = Vec::new();
        let (mut sent, mut written) = (0usize, 0usize);
        let mut reading = true;
        let mut first_error = None;
        while reading || written < sent {
            // Keep at most two blocks per thread in flight.
            while reading && sent - written < IN_FLIGHT * threads && first_error.is_none() {
                match blocks.next(spare.pop().unwrap_or_default()) {
                    Ok(Some(block)) => {
                        let out = spare_out.pop().unwrap_or_default();
                        if jobs.send((sent, block, out)).is_err() {
                            reading = false;
                        }
                        sent += 1;
                    }
                    Ok(None) => reading = false,
                    Err(e) => {
                        first_error = Some(e);
                        reading = false;
                    }
                }
            }
            if written == sent {
                break;
            }
            let Ok((seq, scored, block)) = done_rx.recv() else { break };
            spare.push(block);
            match scored {
                Ok((bytes, part)) => {
                    sum.add(&part);
                    waiting.insert(seq, bytes);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                    waiting.insert(seq, Vec::new());
                }
            }
            while let Some(bytes) = waiting.remove(&written) {
                if first_error.is_none()
                    && let Err(e) = put(out, &bytes)
                {
                    first_error = Some(e);
                }
                spare_out.push(bytes);
                written += 1;
            }
            if first_error.is_some() {
                reading = false;
            }
        }
        drop(jobs);
        first_error.map_or(Ok(()), Err)
    })?;
    Ok(sum)
}

impl Summary {
    fn add(&mut self, o: &Summary) {
        self.pupils += o.pupils;
        self.scored += o.scored;
        self.incomplete += o.incomplete;
        self.exempt += o.exempt;
        self.invalid += o.invalid;
        self.excellent += o.excellent;
        self.good += o.good;
        self.pass += o.pass;
        self.fail += o.fail;
    }
}

/// One csv record of a block, split as the csv crate splits it (a field that starts with a quote
/// runs to its closing quote, `""` inside is a quote, anything after the closing quote is kept;
/// `\n`, `\r\n` and `\r` end a record; empty lines are skipped), without copying fields that need
/// no unquoting.
#[derive(Default)]
struct Fields {
    /// (start, end, kind) of each field: `CLEAN` and `RAW` in the block text, `SCRATCH` in
    /// `scratch`. A clean field holds no quote, so it is written back as it is.
    spans: Vec<(usize, usize, u8)>,
    scratch: String,
}

const CLEAN: u8 = 0;
const RAW: u8 = 1;
const SCRATCH: u8 = 2;

/// Bytes that end an unquoted field, or make it need quoting.
static STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'"' as usize] = true;
    t
};

impl Fields {
    /// Reads the record at `*pos`; false at the end of the text.
    fn next(&mut self, text: &str, pos: &mut usize) -> bool {
        let b = text.as_bytes();
        // Skip empty lines.
        while *pos < b.len() && matches!(b[*pos], b'\n' | b'\r') {
            *pos += 1;
        }
        if *pos >= b.len() {
            return false;
        }
        self.spans.clear();
        self.scratch.clear();
        let mut i = *pos;
        loop {
            if b.get(i) == Some(&b'"') {
                // Quoted: unquote into the scratch text.
                let start = self.scratch.len();
                let mut j = i + 1;
                loop {
                    match memchr::memchr(b'"', &b[j..]) {
                        None => {
                            self.scratch.push_str(&text[j..]);
                            j = b.len();
                            break;
                        }
                        Some(q) => {
                            self.scratch.push_str(&text[j..j + q]);
                            j += q + 1;
                            if b.get(j) == Some(&b'"') {
                                self.scratch.push('"');
                                j += 1;
                            } else {
                                break;
                            }
                        }
                    }
                }
                // Bytes after the closing quote belong to the field.
                let end = b[j..].iter().position(|&c| matches!(c, b',' | b'\n' | b'\r')).map_or(b.len(), |p| j + p);
                self.scratch.push_str(&text[j..end]);
                self.spans.push((start, self.scratch.len(), SCRATCH));
                i = end;
            } else {
                // One pass to the field's end, noting any quote on the way (fields are short).
                let (mut end, mut kind) = (i, CLEAN);
                while let Some(&c) = b.get(end) {
                    if STOP[usize::from(c)] {
                        if c != b'"' {
                            break;
                        }
                        kind = RAW;
                    }
                    end += 1;
                }
                self.spans.push((i, end, kind));
                i = end;
            }
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'\r') if b.get(i + 1) == Some(&b'\n') => {
                    *pos = i + 2;
                    return true;
                }
                Some(_) => {
                    *pos = i + 1;
                    return true;
                }
                None => {
                    *pos = i;
                    return true;
                }
            }
        }
    }

    fn get<'a>(&'a self, text: &'a str, c: usize) -> &'a str {
        match self.spans.get(c) {
            Some(&(a, z, SCRATCH)) => &self.scratch[a..z],
            Some(&(a, z, _)) => &text[a..z],
            None => "",
        }
    }

    fn clean(&self, c: usize) -> bool {
        self.spans.get(c).is_none_or(|s| s.2 == CLEAN)
    }

    /// The end of the run of clean fields from `c` (not past `limit` nor the column `except`),
    /// as (the next column, the run's end in the text): such a run is written back as one slice.
    fn clean_run(&self, c: usize, limit: usize, except: Option<usize>) -> (usize, usize) {
        let (mut d, mut end) = (c + 1, self.spans[c].1);
        while d < limit.min(self.spans.len())
            && Some(d) != except
            && self.spans[d].2 == CLEAN
            && self.spans[d].0 == end + 1
        {
            end = self.spans[d].1;
            d += 1;
        }
        (d, end)
    }
}

/// Scores the data records of a block (no header) into csv rows.
fn score_part(body: &[u8], l: &Layout, width: usize, mut w: Vec<u8>) -> Result<(Vec<u8>, Summary), ExchangeError> {
    let text = std::str::from_utf8(body).map_err(|e| ExchangeError::Malformed(format!("CSV格式错误：{e}")))?;
    w.clear();
    // The added columns make a row about 1.6 times as long: reserve once rather than grow (a
    // grown buffer is fresh memory, and page faults were a tenth of the profile).
    w.reserve(body.len() * 2);
    let mut sum = Summary::default();
    let mut added = Added::default();
    let mut rec = Fields::default();
    let mut pos = 0;
    while rec.next(text, &mut pos) {
        if (0..rec.spans.len()).all(|c| trim(rec.get(text, c)).is_empty()) {
            continue;
        }
        added.reset();
        let note = score_row(l, &|c| trim(rec.get(text, c)), &mut sum, &mut added);
        let mut c = 0;
        while c < width {
            if c > 0 {
                w.push(b',');
            }
            if Some(c) == l.note {
                csv_field(&mut w, note.as_bytes());
            } else if c < rec.spans.len() && rec.clean(c) {
                // Clean fields are written back as they came, a run of them at once.
                let (next, end) = rec.clean_run(c, width, l.note);
                w.extend_from_slice(&body[rec.spans[c].0..end]);
                c = next;
                continue;
            } else if !rec.clean(c) {
                csv_field(&mut w, rec.get(text, c).as_bytes());
            }
            c += 1;
        }
        // Scores and labels need no quoting; checked once per row all the same.
        let plain = !added.text.bytes().any(|b| STOP[usize::from(b)]);
        for (i, f) in added.cells().chain(l.note.is_none().then_some(note.as_str())).enumerate() {
            if i > 0 || width > 0 {
                w.push(b',');
            }
            if plain && i < added.starts.len() {
                w.extend_from_slice(f.as_bytes());
            } else {
                csv_field(&mut w, f.as_bytes());
            }
        }
        w.push(b'\n');
    }
    Ok((w, sum))
}

/// The output of `score_table` as xlsx (text stays text so 学籍号 keeps its leading characters).
pub fn to_xlsx(headers: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, ExchangeError> {
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    let cells: Vec<Vec<Cell>> = rows.iter().map(|r| r.iter().map(|c| Cell::Text(c.clone())).collect()).collect();
    write_xlsx("体质健康", &h, &cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_split_as_the_csv_reader_splits_them() {
        let text =
            "a,b,c\n\n\"q,1\",\"x\"\"y\"\"\",z\r\n\"ab\"cd,e\"f,\r\n\"multi\nline\",4'01\"\r\rlast, \n,,\n \n\"\"\nend";
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let want: Vec<Vec<String>> =
            reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
        let mut got: Vec<Vec<String>> = Vec::new();
        let (mut rec, mut pos) = (Fields::default(), 0);
        while rec.next(text, &mut pos) {
            got.push((0..rec.spans.len()).map(|c| rec.get(text, c).to_string()).collect());
        }
        assert_eq!(got, want);
        assert!(want.len() >= 8, "{want:?}");
    }

    /// The fast paths of `score_part` (runs of clean fields copied at once, added cells unchecked)
    /// write what quoting every field one by one writes.
    #[test]
    fn rows_are_written_back_as_field_by_field() {
        let header = ["年级编号", "性别", "身高", "体重", "备注", "800米跑", "姓名"].map(String::from);
        let l = Layout::new(&header).unwrap();
        let body = "21,1,150,40,,\"3'35\"\"\",甲\n\
                    21,2, 150 ,40,旧备注,\"3'35\"\"\",\"乙,丙\"\r\n\
                    11,1\n\
                    11,1,130,30,,,丁,extra,more\n\
                    22,1,160,50,,3'35\"x,a\"b\n\
                    99,3,abc,,免测,,\n";
        let (got, sum) = score_part(body.as_bytes(), &l, header.len(), Vec::new()).unwrap();
        let mut want = Vec::new();
        let (mut rec, mut pos, mut added) = (Fields::default(), 0, Added::default());
        let mut sum2 = Summary::default();
        while rec.next(body, &mut pos) {
            added.reset();
            let note = score_row(&l, &|c| trim(rec.get(body, c)), &mut sum2, &mut added);
            for c in 0..header.len() {
                if c > 0 {
                    want.push(b',');
                }
                let f = if Some(c) == l.note { note.as_str() } else { rec.get(body, c) };
                csv_field(&mut want, f.as_bytes());
            }
            for f in added.cells() {
                want.push(b',');
                csv_field(&mut want, f.as_bytes());
            }
            want.push(b'\n');
        }
        assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want).unwrap());
        assert_eq!((sum, sum2.pupils), (sum2.clone(), 6));
    }

    #[test]
    fn fields_are_quoted_as_the_csv_writer_quotes_them() {
        let cells = ["", "a", "3'25\"", "a,b", "line\nbreak", "cr\rx", " spaced ", "免测；缺项：50米跑", "\"", "#x"];
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(cells).unwrap();
        let want = w.into_inner().unwrap();
        let mut got = Vec::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                got.push(b',');
            }
            csv_field(&mut got, c.as_bytes());
        }
        got.push(b'\n');
        assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want).unwrap());
    }
}
