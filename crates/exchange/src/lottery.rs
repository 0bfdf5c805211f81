//! The published files of an admission lottery: reading the applicant, school and priority lists,
//! writing the publication (canonical inputs, tickets and results, per-school order, manifest), and
//! verifying a publication by recomputing it from its own files.
//!
//! Only bytes here; the caller reads and writes the directory. Published files never carry names:
//! the canonical applicant list keeps only 申请人编号, 志愿 and 捆绑组, whatever else the input held.

use std::collections::BTreeMap;
use std::io::Write;

use hashbrown::{HashMap, HashSet};

use eduq_core::digest::Hasher;
use eduq_core::lottery::{
    self, ALGORITHM, Applicant, BundlePolicy, Draw, Input, Mechanism, Priority, School, hex, sha256,
};
use serde::{Deserialize, Serialize};

use crate::row::{MAX_TEXT_CHARS, Row, columns};
use crate::table::{CsvOut, READ_LIMITS, Table, clean_header, csv_safe_field, decimal_digits, is_xlsx, read_table};
use crate::{ExchangeError, RowError};

pub const APPLICANTS_FILE: &str = "applicants.csv";
pub const SCHOOLS_FILE: &str = "schools.csv";
pub const PRIORITIES_FILE: &str = "priorities.csv";
pub const RESULT_FILE: &str = "result.csv";
pub const ORDER_FILE: &str = "order.csv";
pub const MANIFEST_FILE: &str = "manifest.json";
pub const VERIFIER_FILE: &str = "verifier.html";

/// A self-contained page that recomputes a publication in the browser (WebCrypto SHA-256, the
/// same rules in JavaScript); published with every draw and served by the platform.
pub const VERIFIER_HTML: &str = include_str!("../assets/lottery-verifier.html");

const APPLICANT_HEADERS: &[&str] = &["申请人编号", "志愿", "捆绑组"];
const SCHOOL_HEADERS: &[&str] = &["学校代码", "学位数"];
const PRIORITY_HEADERS: &[&str] = &["申请人编号", "学校代码", "优先组"];
const RESULT_HEADERS: &[&str] = &["申请人编号", "签号", "录取学校"];
const ORDER_HEADERS: &[&str] = &["学校代码", "位次", "申请人编号", "优先组", "签号", "结果"];

/// Everything needed to recompute a draw, as published in `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub algorithm: String,
    pub lottery_id: String,
    pub mechanism: String,
    pub bundle_policy: String,
    pub entropy: Vec<String>,
    pub roster_digest: String,
    pub seed: String,
    pub applicants: usize,
    pub seats: u64,
    pub admitted: usize,
    /// SHA-256 of each published input file.
    pub input_hashes: BTreeMap<String, String>,
    /// SHA-256 of each published output file (what a notary signs).
    pub output_hashes: BTreeMap<String, String>,
}

fn duplicate(
    errors: &mut Vec<RowError>,
    seen: &mut HashMap<String, usize>,
    n: usize,
    column: &str,
    key: String,
) -> bool {
    if let Some(&first) = seen.get(&key) {
        errors.push(RowError {
            row: n, column: column.to_string(), value: key, message: format!("与第{first}行重复")
        });
        true
    } else {
        seen.insert(key, n);
        false
    }
}

fn finish<T>(out: Vec<T>, mut errors: Vec<RowError>) -> Result<Vec<T>, ExchangeError> {
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by_key(|e| e.row);
        Err(ExchangeError::Rows(errors))
    }
}

/// Splits a 志愿 cell: school codes separated by ";" (also "；", "、" and "," as people type them).
/// The 志愿 cell: school codes in order, none twice.
fn choices(r: &mut Row) -> Option<Vec<String>> {
    r.parse("志愿", |s| {
        let list = split_choices(s);
        if let Some(dup) = list.iter().enumerate().find(|(i, c)| list[..*i].contains(c)).map(|(_, c)| c) {
            return Err(format!("：学校“{dup}”填报了两次"));
        }
        if list.is_empty() { Err("没有学校代码".to_string()) } else { Ok(list) }
    })
}

fn split_choices(s: &str) -> Vec<String> {
    s.split([';', '；', '、', ',', '，']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect()
}

/// Reads every row through `f`, which returns the row's key and record; a key seen before is a
/// duplicate, reported under `key_column`. All errors of the file come back together.
fn parse_keyed<T>(
    table: &Table,
    headers: &[&'static str],
    required: impl Fn(&str) -> bool,
    key_column: &str,
    may_be_empty: bool,
    f: impl Fn(&mut Row) -> Option<(String, T)>,
) -> Result<Vec<(usize, T)>, ExchangeError> {
    let index = columns(table, headers, required)?;
    let mut errors = Vec::new();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for (n, cells) in &table.rows {
        let before = errors.len();
        let mut r = Row { n: *n, cells, index: &index, errors: &mut errors };
        if let Some((key, rec)) = f(&mut r)
            && errors.len() == before
            && !duplicate(&mut errors, &mut seen, *n, key_column, key)
        {
            out.push((*n, rec));
        }
    }
    if out.is_empty() && errors.is_empty() && !may_be_empty {
        return Err(ExchangeError::Empty);
    }
    finish(out, errors)
}

pub fn parse_applicants(table: &Table) -> Result<Vec<(usize, Applicant)>, ExchangeError> {
    parse_keyed(
        table,
        APPLICANT_HEADERS,
        |h| h != "捆绑组",
        "申请人编号",
        false,
        |r| {
            let id = r.text("申请人编号");
            let choices = choices(r);
            let bundle = r.opt("捆绑组");
            let (id, choices) = (id?, choices?);
            Some((id.clone(), Applicant { id, choices, bundle }))
        },
    )
}

/// Columns of a registration in the platform: the person (kept private), the choices, and an
/// optional bundle and priority. eduq assigns the pseudonymous 申请人编号 itself.
pub const REGISTRATION_HEADERS: &[&str] = &["姓名", "证件号", "志愿", "捆绑组", "优先学校", "优先组"];

/// One registered applicant before a pseudonymous id is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registrant {
    pub name: String,
    pub id_number: String,
    pub choices: Vec<String>,
    pub bundle: Option<String>,
    pub priority: Option<(String, u32)>,
}

/// Reads a registration file; the same 证件号 twice is an error naming both rows.
pub fn parse_registration(table: &Table) -> Result<Vec<(usize, Registrant)>, ExchangeError> {
    parse_keyed(
        table,
        REGISTRATION_HEADERS,
        |h| matches!(h, "姓名" | "证件号" | "志愿"),
        "证件号",
        false,
        |r| {
            let name = r.name("姓名");
            let id_number = r.text("证件号");
            let choices = choices(r);
            let bundle = r.opt("捆绑组");
            let priority = match (r.opt("优先学校"), r.opt("优先组")) {
                (None, None) => Some(None),
                (Some(school), Some(_)) => r
                    .parse("优先组", |g| g.parse::<u32>().map_err(|_| "应为非负整数".to_string()))
                    .map(|g| Some((school, g))),
                (Some(_), None) => {
                    r.fail("优先组", "填写了优先学校时必须填写优先组");
                    None
                }
                (None, Some(_)) => {
                    r.fail("优先学校", "填写了优先组时必须填写优先学校");
                    None
                }
            };
            let (name, id_number, choices, priority) = (name?, id_number?, choices?, priority?);
            Some((id_number.clone(), Registrant { name, id_number, choices, bundle, priority }))
        },
    )
}

pub fn parse_schools(table: &Table) -> Result<Vec<(usize, School)>, ExchangeError> {
    parse_keyed(
        table,
        SCHOOL_HEADERS,
        |_| true,
        "学校代码",
        false,
        |r| {
            let code = r.text("学校代码");
            let seats = r.parse("学位数", |s| match s.parse::<u32>() {
                Ok(0) => Err("必须大于0".to_string()),
                Ok(v) => Ok(v),
                Err(_) => Err("应为正整数".to_string()),
            });
            let (code, seats) = (code?, seats?);
            Some((code.clone(), School { code, seats }))
        },
    )
}

pub fn parse_priorities(table: &Table) -> Result<Vec<(usize, Priority)>, ExchangeError> {
    parse_keyed(
        table,
        PRIORITY_HEADERS,
        |_| true,
        "学校代码",
        true,
        |r| {
            let applicant = r.text("申请人编号");
            let school = r.text("学校代码");
            let group =
                r.parse("优先组", |s| s.parse::<u32>().map_err(|_| "应为非负整数（越小越优先）".to_string()));
            let (applicant, school, group) = (applicant?, school?, group?);
            Some((format!("{applicant}/{school}"), Priority { applicant, school, group }))
        },
    )
}

/// Cross-file checks of the applicant list: unknown schools in 志愿, bundles whose members chose
/// differently.
pub fn check_choices(applicants: &[(usize, Applicant)], schools: &[(usize, School)]) -> Result<(), ExchangeError> {
    let codes: HashSet<&str> = schools.iter().map(|(_, s)| s.code.as_str()).collect();
    let mut errors = Vec::new();
    let mut bundles: HashMap<&str, (usize, &Vec<String>)> = HashMap::new();
    for (n, a) in applicants {
        for c in &a.choices {
            if !codes.contains(c.as_str()) {
                errors.push(RowError {
                    row: *n,
                    column: "志愿".into(),
                    value: a.choices.join(";"),
                    message: format!("：学校代码“{c}”不在学校学位表中"),
                });
            }
        }
        if let Some(b) = &a.bundle {
            match bundles.get(b.as_str()) {
                Some((first, list)) if *list != &a.choices => errors.push(RowError {
                    row: *n,
                    column: "志愿".into(),
                    value: a.choices.join(";"),
                    message: format!("与同一捆绑组“{b}”第{first}行的志愿不一致（捆绑申请人须填报相同志愿）"),
                }),
                Some(_) => {}
                None => {
                    bundles.insert(b, (*n, &a.choices));
                }
            }
        }
    }
    finish(vec![()], errors).map(|_| ())
}

/// Cross-file checks of the priority list: every row names a known applicant and school.
pub fn check_priorities(
    applicants: &[(usize, Applicant)],
    schools: &[(usize, School)],
    priorities: &[(usize, Priority)],
) -> Result<(), ExchangeError> {
    let codes: HashSet<&str> = schools.iter().map(|(_, s)| s.code.as_str()).collect();
    let ids: HashSet<&str> = applicants.iter().map(|(_, a)| a.id.as_str()).collect();
    let mut errors = Vec::new();
    for (n, p) in priorities {
        if !ids.contains(p.applicant.as_str()) {
            errors.push(RowError {
                row: *n,
                column: "申请人编号".into(),
                value: p.applicant.clone(),
                message: "不在申请人名单中".into(),
            });
        }
        if !codes.contains(p.school.as_str()) {
            errors.push(RowError {
                row: *n,
                column: "学校代码".into(),
                value: p.school.clone(),
                message: "不在学校学位表中".into(),
            });
        }
    }
    finish(vec![()], errors).map(|_| ())
}

/// One published file on its way to a sink: rows are appended to `buf`, which goes to the sink
/// and the file's SHA-256 a chunk at a time, so a province's 300 MB order file is never held
/// whole and is hashed as it is written.
struct Published<W: Write> {
    sink: W,
    buf: Vec<u8>,
    hasher: Hasher,
}

const CHUNK: usize = 1 << 20;

impl<W: Write> Published<W> {
    fn new(sink: W, headers: &[&str]) -> Self {
        let mut buf = CsvOut::new(headers, 0).finish();
        buf.reserve(CHUNK + 4096);
        Published { sink, buf, hasher: Hasher::default() }
    }
    /// Called after each row: hands a full chunk on.
    fn row_done(&mut self) -> std::io::Result<()> {
        if self.buf.len() >= CHUNK { self.spill() } else { Ok(()) }
    }
    fn spill(&mut self) -> std::io::Result<()> {
        self.hasher.update(&self.buf);
        self.sink.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
    fn finish(mut self) -> std::io::Result<(W, String)> {
        self.spill()?;
        self.sink.flush()?;
        Ok((self.sink, hex(&self.hasher.finish())))
    }
}

fn write_applicants<W: Write>(input: &Input, f: &mut Published<W>) -> std::io::Result<()> {
    let mut joined = String::new();
    for a in &input.applicants {
        csv_safe_field(&mut f.buf, &a.id);
        f.buf.push(b',');
        joined.clear();
        for (i, c) in a.choices.iter().enumerate() {
            if i > 0 {
                joined.push(';');
            }
            joined.push_str(c);
        }
        csv_safe_field(&mut f.buf, &joined);
        f.buf.push(b',');
        csv_safe_field(&mut f.buf, a.bundle.as_deref().unwrap_or_default());
        f.buf.push(b'\n');
        f.row_done()?;
    }
    Ok(())
}

fn write_priorities<W: Write>(input: &Input, f: &mut Published<W>) -> std::io::Result<()> {
    for p in &input.priorities {
        csv_safe_field(&mut f.buf, &p.applicant);
        f.buf.push(b',');
        csv_safe_field(&mut f.buf, &p.school);
        f.buf.push(b',');
        push_uint(&mut f.buf, u64::from(p.group));
        f.buf.push(b'\n');
        f.row_done()?;
    }
    Ok(())
}

fn write_schools<W: Write>(input: &Input, f: &mut Published<W>) -> std::io::Result<()> {
    for school in &input.schools {
        csv_safe_field(&mut f.buf, &school.code);
        f.buf.push(b',');
        push_uint(&mut f.buf, u64::from(school.seats));
        f.buf.push(b'\n');
        f.row_done()?;
    }
    Ok(())
}

fn write_result<W: Write>(input: &Input, draw: &Draw, f: &mut Published<W>) -> std::io::Result<()> {
    for (i, a) in input.applicants.iter().enumerate() {
        csv_safe_field(&mut f.buf, &a.id);
        f.buf.push(b',');
        push_ticket(&mut f.buf, &draw.rank_tickets[i]);
        f.buf.push(b',');
        if let Some(s) = draw.admitted[i] {
            csv_safe_field(&mut f.buf, &input.schools[s].code);
        }
        f.buf.push(b'\n');
        f.row_done()?;
    }
    Ok(())
}

fn write_order<W: Write>(input: &Input, draw: &Draw, f: &mut Published<W>) -> std::io::Result<()> {
    // Each applicant appears once per choice: escape each id once, then copy it.
    let mut ids: Vec<u8> = Vec::with_capacity(input.applicants.len() * 10);
    let mut id_end: Vec<usize> = Vec::with_capacity(input.applicants.len() + 1);
    id_end.push(0);
    for a in &input.applicants {
        csv_safe_field(&mut ids, &a.id);
        id_end.push(ids.len());
    }
    // A school's applicants are scattered over the roster, so each row's id and ticket would be a
    // cache miss waited for in turn. A batch's are loaded first, in loops whose loads do not depend
    // on one another, so that the misses overlap; then its rows are written.
    const BATCH: usize = 32;
    let mut spans = [(0usize, 0usize); BATCH];
    let mut tickets = [[0u8; 32]; BATCH];
    let mut code = Vec::new();
    for (s, ranked) in draw.orders.iter().enumerate() {
        code.clear();
        csv_safe_field(&mut code, &input.schools[s].code);
        for (b, batch) in ranked.chunks(BATCH).enumerate() {
            for (i, r) in batch.iter().enumerate() {
                spans[i] = (id_end[r.applicant], id_end[r.applicant + 1]);
                tickets[i] = draw.rank_tickets[r.applicant];
            }
            let mut touched = 0u8;
            for &(from, to) in &spans[..batch.len()] {
                touched ^= ids.get(from).copied().unwrap_or_default()
                    ^ ids.get(to.saturating_sub(1)).copied().unwrap_or_default();
            }
            std::hint::black_box(touched);
            for (i, r) in batch.iter().enumerate() {
                f.buf.extend_from_slice(&code);
                f.buf.push(b',');
                push_uint(&mut f.buf, (b * BATCH + i) as u64 + 1);
                f.buf.push(b',');
                f.buf.extend_from_slice(&ids[spans[i].0..spans[i].1]);
                f.buf.push(b',');
                push_uint(&mut f.buf, u64::from(r.group));
                f.buf.push(b',');
                push_ticket(&mut f.buf, &tickets[i]);
                f.buf.extend_from_slice(if r.admitted { ",录取\n".as_bytes() } else { ",未录取\n".as_bytes() });
                f.row_done()?;
            }
        }
    }
    Ok(())
}

type Writer<W> = fn(&Input, &Draw, &mut Published<W>) -> std::io::Result<()>;

/// A published file: its name, its header and the function that writes its rows.
type FileSpec<W> = (&'static str, &'static [&'static str], Writer<W>);

/// The files of a publication before the manifest, in published order, with their headers and writers.
fn files<W: Write>() -> [FileSpec<W>; 5] {
    [
        (APPLICANTS_FILE, APPLICANT_HEADERS, |i, _, f| write_applicants(i, f)),
        (SCHOOLS_FILE, SCHOOL_HEADERS, |i, _, f| write_schools(i, f)),
        (PRIORITIES_FILE, PRIORITY_HEADERS, |i, _, f| write_priorities(i, f)),
        (RESULT_FILE, RESULT_HEADERS, write_result),
        (ORDER_FILE, ORDER_HEADERS, write_order),
    ]
}

fn write_err(e: std::io::Error) -> ExchangeError {
    ExchangeError::Io(e.to_string())
}

/// Writes every file of a publication to the sink `open` gives for its name, the order file on a
/// second thread, the manifest (with every file's SHA-256) and the verifier last. Returns the sinks
/// in published order.
pub fn write_publication<W: Write + Send>(
    input: &Input,
    draw: &Draw,
    open: impl Fn(&'static str) -> std::io::Result<W> + Sync,
) -> Result<Vec<(&'static str, W)>, ExchangeError> {
    let one = |(name, headers, write): FileSpec<W>| {
        let mut f = Published::new(open(name)?, headers);
        write(input, draw, &mut f)?;
        f.finish().map(|(w, hash)| (name, w, hash))
    };
    let [applicants, schools, priorities, result, order] = files::<W>();
    let (written, order) = std::thread::scope(|s| {
        let order = s.spawn(|| one(order));
        let rest: std::io::Result<Vec<_>> = [applicants, schools, priorities, result].into_iter().map(one).collect();
        (rest, order.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    });
    let mut written = written.map_err(write_err)?;
    written.push(order.map_err(write_err)?);
    let hashes = |names: &[&str]| -> BTreeMap<String, String> {
        written.iter().filter(|(n, _, _)| names.contains(n)).map(|(n, _, h)| (n.to_string(), h.clone())).collect()
    };
    let manifest = Manifest {
        algorithm: ALGORITHM.to_string(),
        lottery_id: input.lottery_id.clone(),
        mechanism: input.mechanism.key().to_string(),
        bundle_policy: input.bundle_policy.key().to_string(),
        entropy: input.entropy.clone(),
        roster_digest: hex(&draw.roster_digest),
        seed: hex(&draw.seed),
        applicants: input.applicants.len(),
        seats: input.schools.iter().map(|s| u64::from(s.seats)).sum(),
        admitted: draw.admitted.iter().filter(|a| a.is_some()).count(),
        input_hashes: hashes(&[APPLICANTS_FILE, SCHOOLS_FILE, PRIORITIES_FILE]),
        output_hashes: hashes(&[RESULT_FILE, ORDER_FILE]),
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| ExchangeError::Write(e.to_string()))?;
    let mut sinks: Vec<(&'static str, W)> = written.into_iter().map(|(n, w, _)| (n, w)).collect();
    for (name, bytes) in [(MANIFEST_FILE, json.as_slice()), (VERIFIER_FILE, VERIFIER_HTML.as_bytes())] {
        let mut w = open(name).map_err(write_err)?;
        w.write_all(bytes).and_then(|()| w.flush()).map_err(write_err)?;
        sinks.push((name, w));
    }
    Ok(sinks)
}

/// All files of a publication in memory, manifest last.
pub fn publish(input: &Input, draw: &Draw) -> Result<Vec<(&'static str, Vec<u8>)>, ExchangeError> {
    write_publication(input, draw, |_| Ok(Vec::new()))
}

/// The canonical published form of the inputs: only the columns the algorithm uses, input order kept.
pub fn input_files(input: &Input) -> [(&'static str, Vec<u8>); 3] {
    let [applicants, schools, priorities, _, _] = files::<Vec<u8>>();
    [applicants, schools, priorities].map(|file| in_memory(input, &Draw::default(), file))
}

/// The two result files recomputed, for `verify`.
fn outputs(input: &Input, draw: &Draw) -> [(&'static str, Vec<u8>); 2] {
    let [_, _, _, result, order] = files::<Vec<u8>>();
    [result, order].map(|file| in_memory(input, draw, file))
}

fn in_memory(input: &Input, draw: &Draw, (name, headers, write): FileSpec<Vec<u8>>) -> (&'static str, Vec<u8>) {
    let mut f = Published::new(Vec::new(), headers);
    // Writing into memory cannot fail.
    let _ = write(input, draw, &mut f);
    (name, f.finish().map(|(w, _)| w).unwrap_or_default())
}

/// A ticket in lower-case hex, as published.
fn push_ticket(out: &mut Vec<u8>, t: &eduq_core::lottery::Hash) {
    let start = out.len();
    out.resize(start + 64, 0);
    eduq_core::digest::hex_into(t, &mut out[start..]);
}

fn push_uint(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(decimal_digits(v, &mut [0; 20]));
}

/// The data lines of a plain csv in exactly the canonical layout: UTF-8, no quotes, no blank
/// lines, the given header. Anything else returns None and goes the full way.
fn plain_lines<'a>(bytes: &'a [u8], file_name: &str, headers: &[&str]) -> Option<Vec<&'a str>> {
    if is_xlsx(bytes, file_name) || bytes.contains(&b'"') || bytes.contains(&0) {
        return None;
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).ok()?;
    let mut lines: Vec<&str> = text.strip_suffix('\n').unwrap_or(text).split('\n').collect();
    for line in &mut lines {
        *line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.contains('\r') {
            return None;
        }
    }
    if lines.len() > READ_LIMITS.rows || !lines[0].split(',').map(clean_header).eq(headers.iter().copied()) {
        return None;
    }
    lines.remove(0);
    (!lines.is_empty()).then_some(lines)
}

/// The `N` cells of a line when each is one the full reader would take as it stands (no padding,
/// no formula apostrophe, within the cell limit).
fn plain_cells<const N: usize>(line: &str) -> Option<[&str; N]> {
    let mut it = line.split(',');
    let mut cells = [""; N];
    for c in &mut cells {
        *c = it.next()?;
    }
    let plain = |c: &&str| c.trim().len() == c.len() && !c.starts_with('\'') && c.len() <= MAX_TEXT_CHARS;
    (it.next().is_none() && cells.iter().all(plain)).then_some(cells)
}

/// `parse_applicants` for a plain canonical csv, without the cell table; None sends the file the
/// full way (which names every error), including on any row that the full way would reject.
fn plain_applicants(bytes: &[u8], file_name: &str) -> Option<Vec<(usize, Applicant)>> {
    let lines = plain_lines(bytes, file_name, APPLICANT_HEADERS)?;
    let mut seen: HashSet<&str> = HashSet::with_capacity(lines.len());
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let [id, choices, bundle] = plain_cells::<3>(line)?;
        let list = split_choices(choices);
        if id.is_empty() || list.is_empty() || !seen.insert(id) {
            return None;
        }
        if list.iter().enumerate().any(|(k, c)| list[..k].contains(c)) {
            return None;
        }
        let bundle = (!bundle.is_empty()).then(|| bundle.to_string());
        out.push((i + 2, Applicant { id: id.to_string(), choices: list, bundle }));
    }
    Some(out)
}

/// `parse_priorities` for a plain canonical csv (see `plain_applicants`).
fn plain_priorities(bytes: &[u8], file_name: &str) -> Option<Vec<(usize, Priority)>> {
    let lines = plain_lines(bytes, file_name, PRIORITY_HEADERS)?;
    let mut seen: HashSet<(&str, &str)> = HashSet::with_capacity(lines.len());
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let [applicant, school, group] = plain_cells::<3>(line)?;
        let group = group.parse::<u32>().ok()?;
        // The full way keys a row by "applicant/school"; a '/' in either could make two rows one key.
        if applicant.is_empty() || school.is_empty() || applicant.contains('/') || school.contains('/') {
            return None;
        }
        if !seen.insert((applicant, school)) {
            return None;
        }
        out.push((i + 2, Priority { applicant: applicant.to_string(), school: school.to_string(), group }));
    }
    Some(out)
}

/// Reads the three input files (any accepted layout) into a lottery input.
pub fn read_input(
    lottery_id: &str,
    applicants: (&[u8], &str),
    schools: (&[u8], &str),
    priorities: Option<(&[u8], &str)>,
    entropy: Vec<String>,
    mechanism: Mechanism,
    bundle_policy: BundlePolicy,
) -> Result<Input, LotteryFileError> {
    fn named(file: &str) -> impl Fn(ExchangeError) -> LotteryFileError + '_ {
        move |error| LotteryFileError::File { file: file.to_string(), error }
    }
    let a = match plain_applicants(applicants.0, applicants.1) {
        Some(a) => a,
        None => parse_applicants(&read_table(applicants.0, applicants.1).map_err(named(applicants.1))?)
            .map_err(named(applicants.1))?,
    };
    let s = parse_schools(&read_table(schools.0, schools.1).map_err(named(schools.1))?).map_err(named(schools.1))?;
    let p = match priorities {
        Some((bytes, name)) => match plain_priorities(bytes, name) {
            Some(p) => p,
            None => match read_table(bytes, name) {
                Ok(t) => parse_priorities(&t).map_err(named(name))?,
                Err(ExchangeError::Empty) => Vec::new(),
                Err(e) => return Err(named(name)(e)),
            },
        },
        None => Vec::new(),
    };
    lottery::validate_parameters(lottery_id, &entropy)?;
    check_choices(&a, &s).map_err(named(applicants.1))?;
    if let Some((_, name)) = priorities {
        check_priorities(&a, &s, &p).map_err(named(name))?;
    }
    let input = Input {
        lottery_id: lottery_id.to_string(),
        applicants: a.into_iter().map(|(_, a)| a).collect(),
        schools: s.into_iter().map(|(_, s)| s).collect(),
        priorities: p.into_iter().map(|(_, p)| p).collect(),
        entropy,
        mechanism,
        bundle_policy,
    };
    lottery::validate(&input)?;
    Ok(input)
}

#[derive(Debug, thiserror::Error)]
pub enum LotteryFileError {
    #[error("{file}：{error}")]
    File { file: String, error: ExchangeError },
    #[error(transparent)]
    Lottery(#[from] lottery::LotteryError),
    #[error("{0}")]
    Manifest(String),
}

/// Recomputes a publication from its own files (`read` returns a file's bytes by name). Returns
/// the differences, each a sentence in Chinese; an empty list means the publication is 一致.
pub fn verify(read: impl Fn(&str) -> Option<Vec<u8>>) -> Result<Vec<String>, LotteryFileError> {
    let raw = read(MANIFEST_FILE).ok_or_else(|| LotteryFileError::Manifest("目录中没有 manifest.json".into()))?;
    let m: Manifest =
        serde_json::from_slice(&raw).map_err(|e| LotteryFileError::Manifest(format!("manifest.json 无法解析：{e}")))?;
    let mut diffs = Vec::new();
    if m.algorithm != ALGORITHM {
        return Err(LotteryFileError::Manifest(format!("算法版本“{}”不受支持（本程序为 {ALGORITHM}）", m.algorithm)));
    }
    let mechanism = Mechanism::from_key(&m.mechanism)
        .ok_or_else(|| LotteryFileError::Manifest(format!("未知的派位算法“{}”", m.mechanism)))?;
    let policy = BundlePolicy::from_key(&m.bundle_policy)
        .ok_or_else(|| LotteryFileError::Manifest(format!("未知的捆绑末位规则“{}”", m.bundle_policy)))?;
    let mut files = HashMap::new();
    for name in [APPLICANTS_FILE, SCHOOLS_FILE, PRIORITIES_FILE, RESULT_FILE, ORDER_FILE] {
        match read(name) {
            Some(b) => {
                let actual = hex(&sha256(&b));
                let published = m.input_hashes.get(name).or_else(|| m.output_hashes.get(name));
                if let Some(published) = published
                    && *published != actual
                {
                    diffs.push(format!("{name} 的SHA-256为 {actual}，与 manifest.json 公布的 {published} 不同"));
                }
                files.insert(name, b);
            }
            None if name == PRIORITIES_FILE && !m.input_hashes.contains_key(name) => {}
            None => diffs.push(format!("缺少文件 {name}")),
        }
    }
    let (Some(a), Some(s)) = (files.get(APPLICANTS_FILE), files.get(SCHOOLS_FILE)) else {
        return Ok(diffs);
    };
    let input = read_input(
        &m.lottery_id,
        (a, APPLICANTS_FILE),
        (s, SCHOOLS_FILE),
        files.get(PRIORITIES_FILE).map(|b| (b.as_slice(), PRIORITIES_FILE)),
        m.entropy.clone(),
        mechanism,
        policy,
    )?;
    let draw = lottery::draw(&input)?;
    if hex(&draw.roster_digest) != m.roster_digest {
        diffs.push(format!("名单摘要重算为 {}，公布为 {}", hex(&draw.roster_digest), m.roster_digest));
    }
    if hex(&draw.seed) != m.seed {
        diffs.push(format!("种子重算为 {}，公布为 {}", hex(&draw.seed), m.seed));
    }
    for (name, bytes) in outputs(&input, &draw) {
        match files.get(name) {
            Some(published) if *published != bytes => diffs.extend(table_diff(name, published, &bytes)),
            _ => {}
        }
    }
    Ok(diffs)
}

/// Row-by-row differences between a published csv and its recomputation.
fn table_diff(name: &str, published: &[u8], recomputed: &[u8]) -> Vec<String> {
    let (Ok(p), Ok(r)) = (read_table(published, name), read_table(recomputed, name)) else {
        return vec![format!("{name} 无法读取，与重算结果不同")];
    };
    let mut out = Vec::new();
    if p.headers != r.headers {
        out.push(format!("{name} 的表头为“{}”，应为“{}”", p.headers.join(","), r.headers.join(",")));
        return out;
    }
    for i in 0..p.rows.len().max(r.rows.len()) {
        match (p.rows.get(i), r.rows.get(i)) {
            (Some((n, a)), Some((_, b))) if a != b => {
                for (c, h) in r.headers.iter().enumerate() {
                    let (x, y) = (a.get(c).map_or("", String::as_str), b.get(c).map_or("", String::as_str));
                    if x != y {
                        out.push(format!("{name} 第{n}行「{h}」公布为“{x}”，重算为“{y}”"));
                    }
                }
            }
            (Some((n, _)), None) => out.push(format!("{name} 第{n}行是多出的行")),
            (None, Some((n, b))) => out.push(format!("{name} 缺少第{n}行（应为“{}”）", b.join(","))),
            _ => {}
        }
        if out.len() >= 50 {
            out.push(format!("{name} 还有更多不同，仅列出前50处"));
            break;
        }
    }
    if out.is_empty() {
        out.push(format!("{name} 的字节与重算结果不同（内容相同，格式不同）"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain reader either declines or reads exactly what the full way reads.
    #[test]
    fn the_plain_reader_reads_what_the_full_way_reads_or_declines() {
        let full_a = |b: &[u8]| read_table(b, "a.csv").and_then(|t| parse_applicants(&t)).ok();
        let full_p = |b: &[u8]| read_table(b, "p.csv").and_then(|t| parse_priorities(&t)).ok();
        let head = "申请人编号,志愿,捆绑组\n";
        let taken = [
            format!("{head}A1,S1;S2,\nA2,S2,T\nA3,S2；S1、S3,T\n"),
            format!("\u{feff}{head}A1,S1;S2,\r\nA2,S2,\r\n"),
            "申请人编号,志愿*,捆绑组\nA1,S1,\nA2,S1,".to_string(),
            format!("{head}学生甲,S1,\n"),
        ];
        for t in &taken {
            let plain = plain_applicants(t.as_bytes(), "a.csv");
            assert!(plain.is_some(), "taken: {t:?}");
            assert_eq!(plain, full_a(t.as_bytes()), "{t:?}");
        }
        let declined = [
            format!("{head}A1,S1,\nA1,S2,\n"),
            format!("{head}A1,S1;S1,\n"),
            format!("{head}A1,\"S1,S2\",\n"),
            format!("{head}A1,S1,\n\nA2,S1,\n"),
            format!("{head} A1,S1,\n"),
            format!("{head}'=A1,S1,\n"),
            format!("{head},S1,\n"),
            format!("{head}A1,S1,,extra\n"),
            format!("{head}A1,S1\n"),
            "申请人编号,志愿,捆绑组,姓名\nA1,S1,,张三\n".to_string(),
            "志愿,申请人编号,捆绑组\nS1,A1,\n".to_string(),
            head.to_string(),
        ];
        for t in &declined {
            assert_eq!(plain_applicants(t.as_bytes(), "a.csv"), None, "declined: {t:?}");
        }
        let (gbk, _, _) = encoding_rs::GB18030.encode(&taken[0]);
        assert_eq!(plain_applicants(&gbk, "a.csv"), None, "GB18030 goes the full way");
        assert_eq!(plain_applicants(taken[0].as_bytes(), "a.xlsx"), None);

        let head = "申请人编号,学校代码,优先组\n";
        let t = format!("{head}A1,S1,1\nA2,S1,0\r\n");
        assert!(plain_priorities(t.as_bytes(), "p.csv").is_some());
        assert_eq!(plain_priorities(t.as_bytes(), "p.csv"), full_p(t.as_bytes()));
        for t in [
            format!("{head}A1,S1,1\nA1,S1,2\n"),
            format!("{head}A1,S1,-1\n"),
            format!("{head}A/1,S1,1\n"),
            format!("{head}A1,S1,\n"),
        ] {
            assert_eq!(plain_priorities(t.as_bytes(), "p.csv"), None, "declined: {t:?}");
        }
    }
}
