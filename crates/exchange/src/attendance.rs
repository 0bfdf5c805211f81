//! Attendance files (学籍号, 日期, 状态, one row per pupil per school day, any order) read fast
//! enough for a district's term: 10 million rows. The plain-csv path splits the file at a line
//! boundary and parses both halves on two threads without allocating per row; files with quoted
//! fields go through the csv crate. Every bad row is reported (row, column, value) and nothing is
//! returned when there is one.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use eduq_core::attendance::{Rules, Status, Tally, assess, day_number};

use crate::table::CsvOut;
use crate::{ExchangeError, RowError};

const ID: &str = "学籍号";
const DATE: &str = "日期";
const STATUS: &str = "状态";
pub const SCAN_HEADERS: &[&str] =
    &["学籍号", "应到天数", "缺勤天数", "旷课天数", "最长连续旷课天数", "当前连续旷课天数", "预警", "原因"];
/// Errors listed before the rest are summarised (a wrong file would otherwise print millions).
const MAX_ERRORS: usize = 200;

/// FxHash (rustc's hasher): pupil ids are short and trusted as keys here; SipHash's DoS resistance
/// is not needed for a local batch file and costs a third of the parse.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// The days of every pupil, grouped and sorted by date.
#[derive(Debug, Default)]
pub struct Roll {
    /// Pupil ids in byte order.
    pub ids: Vec<String>,
    /// `days[starts[p]..starts[p + 1]]` are pupil `p`'s (day number, status) in date order.
    pub starts: Vec<usize>,
    pub days: Vec<(i32, Status)>,
}

impl Roll {
    pub fn pupil(&self, p: usize) -> &[(i32, Status)] {
        &self.days[self.starts[p]..self.starts[p + 1]]
    }
    pub fn rows(&self) -> usize {
        self.days.len()
    }
}

/// Status by its bytes: a table of the labels (and keys) checked before the general parser, as
/// this runs once per row.
fn status_of(s: &[u8]) -> Option<Status> {
    Status::ALL
        .iter()
        .find(|st| st.label().as_bytes() == s || st.key().as_bytes() == s)
        .copied()
        .or_else(|| std::str::from_utf8(s).ok().and_then(|s| Status::parse(s).ok()))
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r'] = s {
        s = rest;
    }
    s
}

struct Chunk<'a> {
    /// The last date parsed: files list a day's rows together, so most rows repeat it.
    last_date: (&'a [u8], Option<i32>),
    ids: FxMap<&'a [u8], u32>,
    entries: Vec<(u32, i32, Status)>,
    errors: Vec<RowError>,
    lines: usize,
}

/// A parsed part of the file: `ids[i]` is the id of local pupil `i`.
struct Parsed {
    ids: Vec<Vec<u8>>,
    entries: Vec<(u32, i32, Status)>,
    errors: Vec<RowError>,
}

impl From<Chunk<'_>> for Parsed {
    fn from(c: Chunk<'_>) -> Parsed {
        let mut ids = vec![Vec::new(); c.ids.len()];
        for (k, v) in c.ids {
            ids[v as usize] = k.to_vec();
        }
        Parsed { ids, entries: c.entries, errors: c.errors }
    }
}

#[derive(Clone, Copy)]
struct Columns {
    id: usize,
    date: usize,
    status: usize,
    width: usize,
}

/// Parses data lines; `first_row` is the file row number of the chunk's first line.
fn parse_chunk<'a>(text: &'a [u8], cols: Columns, first_row: usize) -> Chunk<'a> {
    let mut c = Chunk {
        last_date: (b"", None),
        ids: FxMap::default(),
        entries: Vec::with_capacity(text.len() / 28),
        errors: Vec::new(),
        lines: 0,
    };
    let mut fields: Vec<&[u8]> = Vec::with_capacity(cols.width.max(3));
    for line in text.split(|&b| b == b'\n') {
        let row = first_row + c.lines;
        c.lines += 1;
        let line = trim(line);
        if line.is_empty() || line.iter().all(|&b| b == b',') {
            continue;
        }
        fields.clear();
        fields.extend(line.split(|&b| b == b',').map(trim));
        record(&mut c, &fields, cols, row);
    }
    c
}

fn record<'a>(c: &mut Chunk<'a>, fields: &[&'a [u8]], cols: Columns, row: usize) {
    let get = |i: usize| fields.get(i).copied().unwrap_or(b"");
    let (id, date, status) = (get(cols.id), get(cols.date), get(cols.status));
    let mut ok = true;
    let mut fail = |c: &mut Chunk, column: &str, value: &[u8], message: String| {
        ok = false;
        if c.errors.len() < MAX_ERRORS {
            c.errors.push(RowError {
                row,
                column: column.into(),
                value: String::from_utf8_lossy(value).into_owned(),
                message,
            });
        } else if c.errors.len() == MAX_ERRORS {
            c.errors.push(RowError {
                row,
                column: String::new(),
                value: String::new(),
                message: "错误过多，其余从略".into(),
            });
        }
    };
    if id.is_empty() {
        fail(c, ID, id, "不能为空".into());
    }
    let day = if c.last_date.0 == date && !date.is_empty() {
        c.last_date.1
    } else {
        let d = day_number(date);
        c.last_date = (date, d);
        d
    };
    if day.is_none() {
        fail(c, DATE, date, "不是有效日期（格式应为YYYY-MM-DD）".into());
    }
    let st = status_of(status);
    if st.is_none() {
        fail(c, STATUS, status, format!("不是有效状态，应为：{}", Status::labels()));
    }
    if let (true, Some(day), Some(st)) = (ok, day, st) {
        let next = c.ids.len() as u32;
        let p = *c.ids.entry(id).or_insert(next);
        c.entries.push((p, day, st));
    }
}

/// Reads an attendance csv into per-pupil, date-ordered days. A day recorded twice with the same
/// status counts once; with different statuses it is an error.
pub fn read_roll(bytes: &[u8]) -> Result<Roll, ExchangeError> {
    let text = crate::table::decode(bytes)?;
    let text: &[u8] = text.as_bytes();
    let header_end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
    let headers: Vec<String> = text[..header_end]
        .split(|&b| b == b',')
        .map(|h| String::from_utf8_lossy(trim(h)).trim_matches('"').trim_end_matches('*').trim().to_string())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(ExchangeError::Empty);
    }
    let find = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id), Some(date), Some(status)) = (find(ID), find(DATE), find(STATUS)) else {
        let missing = [ID, DATE, STATUS].iter().filter(|h| find(h).is_none()).map(|h| h.to_string()).collect();
        return Err(ExchangeError::MissingHeaders(missing));
    };
    let cols = Columns { id, date, status, width: headers.len() };
    let body = text.get(header_end + 1..).unwrap_or(b"");
    let chunks: Vec<Parsed> = if body.contains(&b'"') {
        vec![parse_quoted(body, cols)?]
    } else {
        // Split at the line boundary nearest the middle; each half is parsed on its own thread.
        let mid = body.len() / 2;
        let cut = body[mid..].iter().position(|&b| b == b'\n').map_or(body.len(), |p| mid + p + 1);
        let (a, b) = body.split_at(cut);
        let a_lines = a.iter().filter(|&&x| x == b'\n').count();
        std::thread::scope(|s| {
            let hb = s.spawn(|| Parsed::from(parse_chunk(b, cols, 2 + a_lines)));
            let ca = Parsed::from(parse_chunk(a, cols, 2));
            vec![ca, hb.join().expect("parser thread")]
        })
    };
    let mut errors: Vec<RowError> = chunks.iter().flat_map(|c| c.errors.iter().cloned()).collect();
    if !errors.is_empty() {
        errors.truncate(MAX_ERRORS + 1);
        return Err(ExchangeError::Rows(errors));
    }
    group(chunks, body, cols)
}

/// The slow path for files whose fields are quoted (Excel does this for cells with commas).
fn parse_quoted(body: &[u8], cols: Columns) -> Result<Parsed, ExchangeError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    let mut ids: FxMap<Vec<u8>, u32> = FxMap::default();
    let mut out = Parsed { ids: Vec::new(), entries: Vec::new(), errors: Vec::new() };
    let mut rec = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let row = rec.position().map_or(0, |p| p.line() as usize + 1);
                let fields: Vec<&[u8]> = rec.iter().map(trim).collect();
                if fields.iter().all(|f| f.is_empty()) {
                    continue;
                }
                let mut one = Chunk {
                    last_date: (b"", None),
                    ids: FxMap::default(),
                    entries: Vec::new(),
                    errors: Vec::new(),
                    lines: 0,
                };
                record(&mut one, &fields, cols, row);
                out.errors.extend(one.errors);
                if let Some(&(_, day, st)) = one.entries.first() {
                    let next = ids.len() as u32;
                    let p = *ids.entry(fields[cols.id].to_vec()).or_insert(next);
                    out.entries.push((p, day, st));
                }
            }
            Err(e) => return Err(ExchangeError::Malformed(format!("CSV格式错误：{e}"))),
        }
    }
    out.ids = vec![Vec::new(); ids.len()];
    for (k, v) in ids {
        out.ids[v as usize] = k;
    }
    Ok(out)
}

/// Rows of the file holding (pupil, day) pairs, for the error path only.
fn locate(body: &[u8], cols: Columns, wanted: &[(Vec<u8>, i32)]) -> HashMap<(Vec<u8>, i32), Vec<usize>> {
    let mut found: HashMap<(Vec<u8>, i32), Vec<usize>> = wanted.iter().map(|k| (k.clone(), Vec::new())).collect();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    let mut rec = csv::ByteRecord::new();
    while let Ok(true) = reader.read_byte_record(&mut rec) {
        let row = rec.position().map_or(0, |p| p.line() as usize + 1);
        let (Some(id), Some(date)) = (rec.get(cols.id), rec.get(cols.date)) else { continue };
        if let Some(day) = day_number(trim(date))
            && let Some(rows) = found.get_mut(&(trim(id).to_vec(), day))
        {
            rows.push(row);
        }
    }
    found
}

fn group(chunks: Vec<Parsed>, body: &[u8], cols: Columns) -> Result<Roll, ExchangeError> {
    // Global ids in byte order; each chunk's local ids map onto them.
    let mut all: Vec<&[u8]> = chunks.iter().flat_map(|c| c.ids.iter().map(Vec::as_slice)).collect();
    all.sort_unstable();
    all.dedup();
    let index: FxMap<&[u8], u32> = all.iter().enumerate().map(|(i, k)| (*k, i as u32)).collect();
    let maps: Vec<Vec<u32>> = chunks.iter().map(|c| c.ids.iter().map(|k| index[k.as_slice()]).collect()).collect();
    let ids: Vec<String> = all.iter().map(|k| String::from_utf8_lossy(k).into_owned()).collect();
    // Counting sort by pupil, then each pupil's days by date.
    let n = all.len();
    let mut starts = vec![0usize; n + 1];
    for (c, m) in chunks.iter().zip(&maps) {
        for e in &c.entries {
            starts[m[e.0 as usize] as usize + 1] += 1;
        }
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    let mut fill = starts.clone();
    let mut days = vec![(0i32, Status::Present); starts[n]];
    for (c, m) in chunks.iter().zip(&maps) {
        for &(p, day, st) in &c.entries {
            let g = m[p as usize] as usize;
            days[fill[g]] = (day, st);
            fill[g] += 1;
        }
    }
    // Sort each pupil's days and drop repeated identical days in place.
    let mut clashes: Vec<(usize, i32, Status, Status)> = Vec::new();
    let mut kept = 0usize;
    let mut out_starts = Vec::with_capacity(n + 1);
    for p in 0..n {
        out_starts.push(kept);
        let (from, to) = (starts[p], starts[p + 1]);
        days[from..to].sort_unstable_by_key(|&(d, st)| (d, st));
        for i in from..to {
            let (d, st) = days[i];
            if kept > out_starts[p] {
                let (pd, pst) = days[kept - 1];
                if pd == d {
                    if pst != st && clashes.len() < MAX_ERRORS {
                        clashes.push((p, d, pst, st));
                    }
                    continue;
                }
            }
            days[kept] = (d, st);
            kept += 1;
        }
    }
    out_starts.push(kept);
    days.truncate(kept);
    if !clashes.is_empty() {
        let wanted: Vec<(Vec<u8>, i32)> = clashes.iter().map(|&(p, d, _, _)| (ids[p].as_bytes().to_vec(), d)).collect();
        let rows = locate(body, cols, &wanted);
        let mut errors: Vec<RowError> = clashes
            .iter()
            .map(|&(p, d, a, b)| {
                let at = &rows[&(ids[p].as_bytes().to_vec(), d)];
                RowError {
                    row: at.get(1).copied().unwrap_or(0),
                    column: DATE.into(),
                    value: date_text(d),
                    message: format!(
                        "：学生“{}”这一天已在第{}行记录，状态不同（{}与{}），同一天只能有一个状态",
                        ids[p],
                        at.first().copied().unwrap_or(0),
                        a,
                        b
                    ),
                }
            })
            .collect();
        errors.sort_by_key(|e| e.row);
        return Err(ExchangeError::Rows(errors));
    }
    Ok(Roll { ids, starts: out_starts, days })
}

fn date_text(day: i32) -> String {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(day.into())))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// The scan's output csv (one row per pupil in id order) and the number of pupils flagged.
pub fn scan(roll: &Roll, rules: &Rules) -> (Vec<u8>, usize) {
    let mut flagged = 0;
    let mut out = CsvOut::new(SCAN_HEADERS, roll.ids.len() * 64);
    let mut statuses = Vec::new();
    for (p, id) in roll.ids.iter().enumerate() {
        statuses.clear();
        statuses.extend(roll.pupil(p).iter().map(|&(_, s)| s));
        let t = Tally::of(statuses.iter().copied());
        let w = assess(&t, &statuses, rules);
        let nums = [t.days, t.absent, t.truant, t.longest_streak, t.current_streak].map(|v| v.to_string());
        flagged += usize::from(w.is_raised());
        let flag = if w.is_raised() { "是" } else { "否" };
        let reasons = w.reasons.join("；");
        out.row(&[id, &nums[0], &nums[1], &nums[2], &nums[3], &nums[4], flag, &reasons]);
    }
    (out.finish(), flagged)
}

/// Columns of the platform's attendance import (the same as `eduq attendance scan` reads, plus 备注).
pub const IMPORT_HEADERS: &[&str] = &["学籍号", "日期", "状态", "备注"];

/// One row of an attendance import.
#[derive(Debug, Clone, PartialEq)]
pub struct DayRecord {
    pub row: usize,
    pub student_no: String,
    pub day: chrono::NaiveDate,
    pub status: Status,
    pub note: String,
}

/// Reads an attendance file for the platform: every row checked, every error named (row, column,
/// value), returned beside the good rows so that the caller adds its own checks to one report.
/// The same pupil and day twice is an error when the states differ, and kept once when they agree
/// (files merged from two exports).
pub fn parse_day_records(table: &crate::table::Table) -> Result<(Vec<DayRecord>, Vec<RowError>), ExchangeError> {
    use crate::row::{Row, columns};
    let index = columns(table, IMPORT_HEADERS, |h| h != "备注")?;
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, chrono::NaiveDate), (usize, Status)> = HashMap::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for (n, cells) in &table.rows {
        let before = errors.len();
        let mut r = Row { n: *n, cells, index: &index, errors: &mut errors };
        let student_no = r.text("学籍号");
        let day = r.date("日期");
        let status = r.labelled("状态", Status::parse, Status::labels());
        let note = r.opt("备注").unwrap_or_default();
        let (Some(student_no), Some(day), Some(status)) = (student_no, day, status) else { continue };
        if errors.len() > before {
            continue;
        }
        match seen.get(&(student_no.clone(), day)) {
            Some((first, s)) if *s != status => errors.push(RowError {
                row: *n,
                column: "状态".into(),
                value: status.label().into(),
                message: format!("与第{first}行同一学生同一天的状态“{}”不一致", s.label()),
            }),
            Some(_) => {}
            None => {
                seen.insert((student_no.clone(), day), (*n, status));
                out.push(DayRecord { row: *n, student_no, day, status, note });
            }
        }
    }
    if out.is_empty() && errors.is_empty() {
        return Err(ExchangeError::Empty);
    }
    Ok((out, errors))
}
