//! Attendance files (学籍号, 日期, 状态, one row per pupil per school day, in any order) scanned for
//! the 控辍保学 early warning: a district's term (10 million rows) in about a second, a province's
//! (100 million) in bounded memory.
//!
//! The file streams in blocks (`stream::Blocks`). Every worker thread reads every block but keeps
//! only the pupils whose id hashes to it, so no pupil's days are split between threads and no merge
//! of their days is needed. A pupil's days are one byte per school day in a pupil × day matrix
//! (a file of n pupil-days needs about n bytes, whatever its order). The hash is foldhash with a
//! seed drawn at start: ids that differ only in their last digits (a district's 学籍号 do) or that
//! were made to collide cannot make the table degenerate. When the matrix would pass its budget,
//! the file is read again in passes, each for a share of the pupils, and the passes' sorted rows
//! are merged from temporary files. Every bad row is reported (row, column, value), and nothing is
//! written when there is one.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use eduq_core::attendance::{Rules, Status, Tally, assess, day_number};
use hashbrown::{DefaultHashBuilder, HashTable};

use crate::runs::{Cursor, Run, merge, write_all};
use crate::stream::{Blocks, trim};
use crate::table::CsvOut;
use crate::{ExchangeError, RowError};

const ID: &str = "学籍号";
const DATE: &str = "日期";
const STATUS: &str = "状态";
pub const SCAN_HEADERS: &[&str] =
    &["学籍号", "应到天数", "缺勤天数", "旷课天数", "最长连续旷课天数", "当前连续旷课天数", "预警", "原因"];
/// Errors listed before the rest are summarised (a wrong file would otherwise print millions).
const MAX_ERRORS: usize = 200;

/// How the scan may use the machine.
#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    /// Worker threads (each reads every block and keeps its share of the pupils).
    pub threads: usize,
    /// Bytes of pupil × day matrix held at once over all threads; beyond it the file is read in
    /// passes.
    pub matrix_budget: usize,
    /// Bytes per block read.
    pub block: usize,
    /// The input's size, when known: sizes the number of passes before the first one.
    pub size_hint: Option<u64>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            threads: std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
            matrix_budget: 160 << 20,
            block: crate::stream::BLOCK,
            size_hint: None,
        }
    }
}

/// What a scan found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanSummary {
    /// Pupil-days counted (a day recorded twice with the same status counts once).
    pub rows: usize,
    pub pupils: usize,
    pub flagged: usize,
    /// Times the file was read (1 unless the matrix outgrew its budget).
    pub passes: usize,
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

/// The labels of two Chinese characters (6 bytes in UTF-8, as nearly every file writes them)
/// packed in integers, compared without a call per label; anything else goes to `status_of`.
struct Labels([(u64, Status); 7]);

impl Labels {
    fn new() -> Labels {
        let mut t = [(0, Status::Present); 7];
        for (slot, &st) in t.iter_mut().zip(Status::ALL.iter()) {
            *slot = (Self::pack(st.label().as_bytes()).unwrap_or(u64::MAX), st);
        }
        Labels(t)
    }
    fn pack(s: &[u8]) -> Option<u64> {
        let s: &[u8; 6] = s.try_into().ok()?;
        let mut b = [0u8; 8];
        b[..6].copy_from_slice(s);
        Some(u64::from_le_bytes(b))
    }
    fn get(&self, s: &[u8]) -> Option<Status> {
        Self::pack(s).and_then(|k| self.0.iter().find(|e| e.0 == k).map(|e| e.1)).or_else(|| status_of(s))
    }
}

fn code_of(st: Status) -> u8 {
    Status::ALL.iter().position(|&s| s == st).map_or(0, |i| i as u8 + 1)
}

fn status_of_code(c: u8) -> Status {
    Status::ALL[usize::from(c) - 1]
}

#[derive(Clone, Copy)]
struct Columns {
    id: usize,
    date: usize,
    status: usize,
}

impl Columns {
    fn of(headers: &[String]) -> Result<Columns, ExchangeError> {
        let find = |name: &str| headers.iter().position(|h| h.trim_matches('"') == name);
        let (Some(id), Some(date), Some(status)) = (find(ID), find(DATE), find(STATUS)) else {
            let missing = [ID, DATE, STATUS].iter().filter(|h| find(h).is_none()).map(|h| h.to_string()).collect();
            return Err(ExchangeError::MissingHeaders(missing));
        };
        Ok(Columns { id, date, status })
    }
    fn needed(&self) -> usize {
        self.id.max(self.date).max(self.status) + 1
    }
}

/// Cell writes held before they are applied together.
const PENDING: usize = 4096;

/// The matrix outgrew the worker's share of the budget: read the file in more passes.
struct Overflow;

/// One worker's pupils: ids in an arena, their days in a pupil-major matrix whose row width (one
/// byte per distinct date seen) doubles as dates appear.
struct Worker<'h> {
    cols: Columns,
    hasher: &'h DefaultHashBuilder,
    /// This worker keeps ids with `part(hash) == mine`.
    parts: u64,
    mine: u64,
    table: HashTable<u32>,
    hashes: Vec<u64>,
    arena: Vec<u8>,
    ends: Vec<usize>,
    /// YYYYMMDD → matrix column (`u16::MAX`: not a real date).
    dates: hashbrown::HashMap<u32, u16>,
    days: Vec<i32>,
    stride: usize,
    cells: Vec<u8>,
    /// Cell writes of the block, applied together: rows arrive in any order, so each write is a
    /// cache miss, and a tight loop of independent writes lets the processor overlap them.
    pending: Vec<(usize, u8)>,
    budget: usize,
    /// Row number of the last line read (the header is row 1).
    row: usize,
    errors: Vec<RowError>,
    error_count: usize,
    clashes: Vec<(u32, i32, Status, Status)>,
    /// Key comparisons made by the table (the degeneration test reads it).
    compares: u64,
    labels: Labels,
}

/// The hash bits that choose a worker: above those the table uses for its buckets (low bits) and
/// its control bytes (top seven).
fn part(hash: u64, parts: u64) -> u64 {
    (hash >> 40) % parts
}

impl<'h> Worker<'h> {
    fn new(cols: Columns, hasher: &'h DefaultHashBuilder, parts: u64, mine: u64, budget: usize) -> Self {
        Worker {
            cols,
            hasher,
            parts,
            mine,
            table: HashTable::new(),
            hashes: Vec::new(),
            arena: Vec::new(),
            ends: Vec::new(),
            dates: hashbrown::HashMap::new(),
            days: Vec::new(),
            stride: 8,
            cells: Vec::new(),
            pending: Vec::with_capacity(PENDING),
            budget,
            row: 1,
            errors: Vec::new(),
            error_count: 0,
            clashes: Vec::new(),
            compares: 0,
            labels: Labels::new(),
        }
    }

    fn key(&self, p: u32) -> &[u8] {
        let p = p as usize;
        &self.arena[if p == 0 { 0 } else { self.ends[p - 1] }..self.ends[p]]
    }

    fn fail(&mut self, column: &str, value: &[u8], message: String) {
        self.error_count += 1;
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(RowError {
                row: self.row,
                column: column.into(),
                value: String::from_utf8_lossy(value).into_owned(),
                message,
            });
        }
    }

    /// A block of whole records (already UTF-8).
    fn block(&mut self, text: &[u8]) -> Result<(), Overflow> {
        if memchr::memchr(b'"', text).is_some() {
            return self.quoted(text);
        }
        let need = self.cols.needed();
        let mut pos = 0;
        while pos < text.len() {
            let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
            let line = trim(&text[pos..end]);
            pos = end + 1;
            self.row += 1;
            if line.is_empty() {
                continue;
            }
            let mut fields: [&[u8]; 3] = [b""; 3];
            let (mut start, mut i) = (0, 0);
            for comma in memchr::memchr_iter(b',', line).chain(std::iter::once(line.len())) {
                let f = &line[start..comma];
                if i == self.cols.id {
                    fields[0] = f;
                }
                if i == self.cols.date {
                    fields[1] = f;
                }
                if i == self.cols.status {
                    fields[2] = f;
                }
                i += 1;
                start = comma + 1;
                if i == need {
                    break;
                }
            }
            self.record(line, fields.map(trim))?;
        }
        Ok(())
    }

    /// The slow path for blocks with quoted fields (Excel quotes cells with commas).
    fn quoted(&mut self, text: &[u8]) -> Result<(), Overflow> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
        let mut rec = csv::ByteRecord::new();
        let base = self.row;
        loop {
            match reader.read_byte_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    self.row = base + line;
                    self.fail("", b"", format!("CSV格式错误：{e}"));
                    break;
                }
            }
            self.row = base + rec.position().map_or(0, |p| p.line() as usize);
            let get = |i: usize| trim(rec.get(i).unwrap_or(b""));
            if rec.iter().all(|f| trim(f).is_empty()) {
                continue;
            }
            self.record(b"", [get(self.cols.id), get(self.cols.date), get(self.cols.status)])?;
        }
        self.row = base + memchr::memchr_iter(b'\n', text).count() + usize::from(!text.ends_with(b"\n"));
        Ok(())
    }

    fn record(&mut self, line: &[u8], [id, date, status]: [&[u8]; 3]) -> Result<(), Overflow> {
        if id.is_empty() && line.iter().all(|&b| b == b',') && !line.is_empty() {
            return Ok(());
        }
        let hash = self.hasher.hash_one(id);
        if part(hash, self.parts) != self.mine {
            return Ok(());
        }
        let before = self.error_count;
        if id.is_empty() {
            self.fail(ID, id, "不能为空".into());
        }
        let slot = self.date_slot(date);
        if slot.is_none() {
            self.fail(DATE, date, "不是有效日期（格式应为YYYY-MM-DD）".into());
        }
        let st = self.labels.get(status);
        if st.is_none() {
            self.fail(STATUS, status, format!("不是有效状态，应为：{}", Status::labels()));
        }
        let (Some(slot), Some(st)) = (slot, st) else { return Ok(()) };
        if self.error_count > before {
            return Ok(());
        }
        let Some(p) = self.intern(id, hash)? else { return Ok(()) };
        self.put(p, slot, st)
    }

    /// The matrix column of a date; each distinct date is checked once.
    fn date_slot(&mut self, d: &[u8]) -> Option<u16> {
        if d.len() != 10 || d[4] != b'-' || d[7] != b'-' {
            return None;
        }
        let mut k = 0u32;
        for &b in d[0..4].iter().chain(&d[5..7]).chain(&d[8..10]) {
            if !b.is_ascii_digit() {
                return None;
            }
            k = k * 10 + u32::from(b - b'0');
        }
        let slot = match self.dates.get(&k) {
            Some(&s) => s,
            None => {
                let s = match day_number(d) {
                    Some(n) if self.days.len() < usize::from(u16::MAX) => {
                        self.days.push(n);
                        (self.days.len() - 1) as u16
                    }
                    _ => u16::MAX,
                };
                self.dates.insert(k, s);
                s
            }
        };
        (slot != u16::MAX).then_some(slot)
    }

    /// The pupil's index, adding the id (and a matrix row) the first time.
    fn intern(&mut self, id: &[u8], hash: u64) -> Result<Option<u32>, Overflow> {
        let (arena, ends, compares) = (&self.arena, &self.ends, &mut self.compares);
        let found = self.table.find(hash, |&p| {
            *compares += 1;
            let p = p as usize;
            &arena[if p == 0 { 0 } else { ends[p - 1] }..ends[p]] == id
        });
        if let Some(&p) = found {
            return Ok(Some(p));
        }
        if std::str::from_utf8(id).is_err() {
            self.fail(ID, id, "不是有效的文字（文件编码有误）".into());
            return Ok(None);
        }
        let p = self.ends.len() as u32;
        self.arena.extend_from_slice(id);
        self.ends.push(self.arena.len());
        self.hashes.push(hash);
        let hashes = &self.hashes;
        self.table.insert_unique(hash, p, |&q| hashes[q as usize]);
        let len = self.ends.len() * self.stride;
        if len > self.budget {
            return Err(Overflow);
        }
        self.cells.resize(len, 0);
        Ok(Some(p))
    }

    fn put(&mut self, p: u32, slot: u16, st: Status) -> Result<(), Overflow> {
        let slot = usize::from(slot);
        if slot >= self.stride {
            self.widen(slot + 1)?;
        }
        self.pending.push((p as usize * self.stride + slot, code_of(st)));
        if self.pending.len() == PENDING {
            self.apply();
        }
        Ok(())
    }

    /// Writes the pending cells; a cell already holding another status is a clash (the first
    /// status written stays).
    fn apply(&mut self) {
        let mut clashes: Vec<(usize, u8)> = Vec::new();
        for &(i, code) in &self.pending {
            let cell = &mut self.cells[i];
            if *cell == 0 {
                *cell = code;
            } else if *cell != code {
                clashes.push((i, code));
            }
        }
        for (i, code) in clashes {
            let (a, b) = (status_of_code(self.cells[i]), status_of_code(code));
            let (p, slot) = (i / self.stride, i % self.stride);
            if self.clashes.len() < MAX_ERRORS {
                self.clashes.push((p as u32, self.days[slot], a.min(b), a.max(b)));
            }
            self.error_count += 1;
        }
        self.pending.clear();
    }

    fn widen(&mut self, at_least: usize) -> Result<(), Overflow> {
        self.apply();
        let mut stride = self.stride;
        while stride < at_least {
            stride *= 2;
        }
        let pupils = self.ends.len();
        if pupils * stride > self.budget {
            return Err(Overflow);
        }
        let mut cells = vec![0u8; pupils * stride];
        for (to, from) in cells.chunks_exact_mut(stride).zip(self.cells.chunks_exact(self.stride)) {
            to[..self.stride].copy_from_slice(from);
        }
        self.cells = cells;
        self.stride = stride;
        Ok(())
    }

    /// The worker's output rows in id order, with each row's id for the merge.
    fn finish(self, rules: &Rules) -> Part {
        let n = self.ends.len() as u32;
        let mut order: Vec<u32> = (0..n).collect();
        order.sort_unstable_by(|&a, &b| self.key(a).cmp(self.key(b)));
        let mut columns: Vec<usize> = (0..self.days.len()).collect();
        columns.sort_unstable_by_key(|&c| self.days[c]);
        let mut part = Part { out: CsvOut::headless(order.len() * 48), ..Part::default() };
        let mut statuses = Vec::with_capacity(columns.len());
        for p in order {
            let row = &self.cells[p as usize * self.stride..][..self.stride];
            statuses.clear();
            statuses.extend(columns.iter().map(|&c| row[c]).filter(|&c| c != 0).map(status_of_code));
            part.summary.rows += statuses.len();
            let key = self.key(p);
            let id = std::str::from_utf8(key).unwrap_or_default();
            part.summary.flagged += usize::from(pupil_row(&mut part.out, id, &statuses, rules));
            part.keys.extend_from_slice(key);
            part.key_ends.push(part.keys.len());
            part.line_ends.push(part.out.flushed_len());
        }
        part.summary.pupils = n as usize;
        part
    }
}

/// One pupil's output row; true when the warning is raised.
fn pupil_row(out: &mut CsvOut, id: &str, statuses: &[Status], rules: &Rules) -> bool {
    let t = Tally::of(statuses.iter().copied());
    let w = assess(&t, statuses, rules);
    let nums = [t.days, t.absent, t.truant, t.longest_streak, t.current_streak].map(|v| v.to_string());
    let flag = if w.is_raised() { "是" } else { "否" };
    let reasons = w.reasons.join("；");
    out.row(&[id, &nums[0], &nums[1], &nums[2], &nums[3], &nums[4], flag, &reasons]);
    w.is_raised()
}

/// A worker's rows, sorted by id.
#[derive(Default)]
struct Part {
    out: CsvOut,
    keys: Vec<u8>,
    key_ends: Vec<usize>,
    line_ends: Vec<usize>,
    summary: ScanSummary,
}

/// What the workers of one pass found.
#[derive(Default)]
struct Found {
    parts: Vec<Part>,
    errors: Vec<RowError>,
    error_count: usize,
    clashes: Vec<(Vec<u8>, i32, Status, Status)>,
    compares: u64,
}

/// Reads the file once; the workers keep pupils whose hash part is in `mine`.
fn pass<R: Read>(
    source: R,
    rules: &Rules,
    opts: &ScanOptions,
    hasher: &DefaultHashBuilder,
    parts: u64,
    mine: std::ops::Range<u64>,
) -> Result<Result<Found, Overflow>, ExchangeError> {
    let mut blocks = Blocks::with_block_size(source, opts.block)?;
    let cols = Columns::of(&blocks.headers)?;
    let encoding = blocks.encoding;
    let budget = opts.matrix_budget / (mine.end - mine.start).max(1) as usize;
    let overflow = AtomicBool::new(false);
    let failed: std::sync::Mutex<Option<ExchangeError>> = std::sync::Mutex::new(None);
    let found = std::thread::scope(|s| {
        let (back_tx, back_rx) = mpsc::channel::<Arc<Vec<u8>>>();
        let mut senders = Vec::new();
        let mut handles = Vec::new();
        for m in mine.clone() {
            let (tx, rx) = mpsc::sync_channel::<Arc<Vec<u8>>>(4);
            senders.push(tx);
            let (back_tx, overflow, failed) = (back_tx.clone(), &overflow, &failed);
            handles.push(s.spawn(move || {
                let mut w = Worker::new(cols, hasher, parts, m, budget);
                while let Ok(block) = rx.recv() {
                    if !overflow.load(Ordering::Relaxed) {
                        match encoding.text(&block) {
                            Ok(text) => {
                                if w.block(&text).is_err() {
                                    overflow.store(true, Ordering::Relaxed);
                                }
                            }
                            Err(e) => {
                                failed.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
                                overflow.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                    let _ = back_tx.send(block);
                }
                w.apply();
                let (errors, error_count, compares) = (std::mem::take(&mut w.errors), w.error_count, w.compares);
                let clashes: Vec<(Vec<u8>, i32, Status, Status)> =
                    w.clashes.iter().map(|&(p, d, a, b)| (w.key(p).to_vec(), d, a, b)).collect();
                let part =
                    if overflow.load(Ordering::Relaxed) || error_count > 0 { Part::default() } else { w.finish(rules) };
                (part, errors, error_count, clashes, compares)
            }));
        }
        drop(back_tx);
        let mut spare: Vec<Vec<u8>> = Vec::new();
        let mut read_error = None;
        loop {
            while let Ok(a) = back_rx.try_recv() {
                if let Ok(v) = Arc::try_unwrap(a) {
                    spare.push(v);
                }
            }
            if overflow.load(Ordering::Relaxed) {
                break;
            }
            match blocks.next(spare.pop().unwrap_or_default()) {
                Ok(Some(block)) => {
                    let block = Arc::new(block);
                    if senders.iter().any(|tx| tx.send(Arc::clone(&block)).is_err()) {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
        }
        drop(senders);
        let mut found = Found::default();
        for h in handles {
            let (part, errors, count, clashes, compares) = h.join().expect("scan worker");
            found.parts.push(part);
            found.errors.extend(errors);
            found.error_count += count;
            found.clashes.extend(clashes);
            found.compares += compares;
        }
        read_error.map_or(Ok(found), Err)
    })?;
    if let Some(e) = failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    if overflow.load(Ordering::Relaxed) {
        return Ok(Err(Overflow));
    }
    Ok(Ok(found))
}

/// Scans an attendance csv read from `open()` (called again for each further pass, and once
/// more to find the rows of conflicting days) and writes one row per pupil in id order to `out`.
/// Nothing is written when the file has a bad row.
pub fn scan_csv<R: Read>(
    open: &dyn Fn() -> std::io::Result<R>,
    rules: &Rules,
    opts: &ScanOptions,
    out: &mut dyn Write,
) -> Result<ScanSummary, ExchangeError> {
    scan_counted(open, rules, opts, out).map(|(s, _)| s)
}

/// `scan_csv` and the table's key comparisons per accepted row.
fn scan_counted<R: Read>(
    open: &dyn Fn() -> std::io::Result<R>,
    rules: &Rules,
    opts: &ScanOptions,
    out: &mut dyn Write,
) -> Result<(ScanSummary, f64), ExchangeError> {
    let reopen = || open().map_err(|e| ExchangeError::Io(e.to_string()));
    let hasher = DefaultHashBuilder::default();
    let threads = opts.threads.max(1) as u64;
    // About a byte of matrix per row, rows about 38 bytes: enough passes from the start that the
    // first seldom overflows.
    let mut passes = opts.size_hint.map_or(1, |size| (size / 30).div_ceil(opts.matrix_budget.max(1) as u64).max(1));
    loop {
        let parts = threads * passes;
        let mut runs: Vec<Run> = Vec::new();
        let mut summary = ScanSummary { passes: passes as usize, ..ScanSummary::default() };
        let mut compares = 0u64;
        let mut bad: Option<Found> = None;
        let mut single = None;
        let mut overflowed = false;
        for p in 0..passes {
            let Ok(found) = pass(reopen()?, rules, opts, &hasher, parts, p * threads..(p + 1) * threads)? else {
                overflowed = true;
                break;
            };
            // Later passes still run, so that every bad row of the file is reported at once.
            if found.error_count > 0 || bad.is_some() {
                let b = bad.get_or_insert_with(Found::default);
                b.errors.extend(found.errors);
                b.error_count += found.error_count;
                b.clashes.extend(found.clashes);
                continue;
            }
            compares += found.compares;
            for part in &found.parts {
                summary.rows += part.summary.rows;
                summary.pupils += part.summary.pupils;
                summary.flagged += part.summary.flagged;
            }
            if passes == 1 {
                single = Some(found.parts);
                continue;
            }
            let mut run = Run::create()?;
            merge(found.parts.into_iter().map(PartCursor::boxed).collect(), &mut |key, line| run.push(key, line))?;
            runs.push(run);
        }
        if overflowed {
            passes *= 2;
            continue;
        }
        if let Some(found) = bad {
            return Err(row_errors(found, &reopen)?);
        }
        write_header(out)?;
        let cursors = match single {
            Some(parts) => parts.into_iter().map(PartCursor::boxed).collect(),
            None => {
                let mut cursors = Vec::new();
                for run in &mut runs {
                    cursors.push(run.cursor()?);
                }
                cursors
            }
        };
        merge(cursors, &mut |_, line| write_all(out, line))?;
        return Ok((summary, compares as f64 / summary.rows.max(1) as f64));
    }
}

/// Scans a file held in memory: the output csv and the summary.
pub fn scan_bytes(bytes: &[u8], rules: &Rules) -> Result<(Vec<u8>, ScanSummary), ExchangeError> {
    let mut out = Vec::new();
    let opts = ScanOptions { size_hint: Some(bytes.len() as u64), ..ScanOptions::default() };
    let summary = scan_csv(&|| Ok(bytes), rules, &opts, &mut out)?;
    Ok((out, summary))
}

fn write_header(out: &mut dyn Write) -> Result<(), ExchangeError> {
    write_all(out, &CsvOut::new(SCAN_HEADERS, 128).finish())
}

struct PartCursor {
    part: Part,
    bytes: Vec<u8>,
    i: usize,
}

impl PartCursor {
    fn boxed(mut part: Part) -> Box<dyn Cursor> {
        let bytes = std::mem::take(&mut part.out).finish();
        Box::new(PartCursor { part, bytes, i: 0 })
    }
}

impl Cursor for PartCursor {
    fn peek(&self) -> Option<(&[u8], &[u8])> {
        let i = self.i;
        (i < self.part.key_ends.len()).then(|| {
            let k0 = if i == 0 { 0 } else { self.part.key_ends[i - 1] };
            let l0 = if i == 0 { 0 } else { self.part.line_ends[i - 1] };
            (&self.part.keys[k0..self.part.key_ends[i]], &self.bytes[l0..self.part.line_ends[i]])
        })
    }
    fn advance(&mut self) -> Result<(), ExchangeError> {
        self.i += 1;
        Ok(())
    }
}

/// The errors of a pass that found bad rows: sorted by row, the first `MAX_ERRORS` and a line
/// saying how many more; days recorded twice with different statuses name both rows.
fn row_errors<R: Read>(
    found: Found,
    reopen: &dyn Fn() -> Result<R, ExchangeError>,
) -> Result<ExchangeError, ExchangeError> {
    let mut errors = found.errors;
    if errors.is_empty() && !found.clashes.is_empty() {
        let wanted: Vec<(Vec<u8>, i32)> = found.clashes.iter().map(|(k, d, _, _)| (k.clone(), *d)).collect();
        let rows = locate(reopen()?, &wanted)?;
        for (key, d, a, b) in &found.clashes {
            let at = &rows[&(key.clone(), *d)];
            errors.push(RowError {
                row: at.get(1).copied().unwrap_or(0),
                column: DATE.into(),
                value: date_text(*d),
                message: format!(
                    "：学生“{}”这一天已在第{}行记录，状态不同（{}与{}），同一天只能有一个状态",
                    String::from_utf8_lossy(key),
                    at.first().copied().unwrap_or(0),
                    a,
                    b
                ),
            });
        }
    }
    errors.sort_by_key(|e| e.row);
    let more = found.error_count.saturating_sub(MAX_ERRORS);
    errors.truncate(MAX_ERRORS);
    if more > 0 {
        errors.push(RowError {
            row: errors.last().map_or(0, |e| e.row),
            column: String::new(),
            value: String::new(),
            message: format!("另有{more}处错误，从略"),
        });
    }
    Ok(ExchangeError::Rows(errors))
}

/// The rows of each (pupil, day).
type Rows = HashMap<(Vec<u8>, i32), Vec<usize>>;

/// Rows of the file holding (pupil, day) pairs, for the error path only.
fn locate<R: Read>(source: R, wanted: &[(Vec<u8>, i32)]) -> Result<Rows, ExchangeError> {
    let mut found: Rows = wanted.iter().map(|k| (k.clone(), Vec::new())).collect();
    let mut blocks = Blocks::open(source)?;
    let cols = Columns::of(&blocks.headers)?;
    let mut row = 1;
    while let Some(block) = blocks.next(Vec::new())? {
        let text = blocks.encoding.text(&block)?;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&text[..]);
        let mut rec = csv::ByteRecord::new();
        while let Ok(true) = reader.read_byte_record(&mut rec) {
            let at = row + rec.position().map_or(0, |p| p.line() as usize);
            let (Some(id), Some(date)) = (rec.get(cols.id), rec.get(cols.date)) else { continue };
            if let Some(day) = day_number(trim(date))
                && let Some(rows) = found.get_mut(&(trim(id).to_vec(), day))
            {
                rows.push(at);
            }
        }
        row += memchr::memchr_iter(b'\n', &text).count();
    }
    Ok(found)
}

fn date_text(day: i32) -> String {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(day.into())))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

#[doc(hidden)]
/// Key comparisons per accepted row of a scan (the hash-degeneration test compares id shapes).
pub fn compares_per_row(bytes: &[u8], rules: &Rules) -> Result<f64, ExchangeError> {
    let opts = ScanOptions { size_hint: Some(bytes.len() as u64), ..ScanOptions::default() };
    scan_counted(&|| Ok(bytes), rules, &opts, &mut std::io::sink()).map(|(_, c)| c)
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
