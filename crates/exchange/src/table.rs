//! Files as tables of strings: header row plus data rows, whatever the format.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use chrono::{Days, NaiveDate};
use rust_xlsxwriter::{Format, Workbook};

use crate::ExchangeError;

/// A file's header and data rows, cells as trimmed strings. `rows[i].0` is the row number
/// in the file (header = 1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
    /// What was read other than as written (formula cells read by their stored value).
    pub warnings: Vec<String>,
}

impl Table {
    /// Column index by header (headers are already cleaned of BOM and required-markers "*").
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }
}

pub(crate) fn is_xlsx(bytes: &[u8], file_name: &str) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || file_name.to_ascii_lowercase().ends_with(".xlsx")
        || file_name.to_ascii_lowercase().ends_with(".xls")
}

pub(crate) fn clean_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().trim_end_matches('*').trim().to_string()
}

/// Reads an xlsx (first sheet) or csv (UTF-8 with or without BOM, else GB18030).
pub fn read_table(bytes: &[u8], file_name: &str) -> Result<Table, ExchangeError> {
    let (mut raw, formulas) =
        if is_xlsx(bytes, file_name) { read_xlsx(bytes, &READ_LIMITS)? } else { (read_csv(bytes, &READ_LIMITS)?, 0) };
    // Drop fully empty rows (Excel leaves them after deletions).
    raw.retain(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    if raw.is_empty() {
        return Err(ExchangeError::Empty);
    }
    let (_, header) = raw.remove(0);
    let headers: Vec<String> = header.iter().map(|h| clean_header(h)).collect();
    for (i, h) in headers.iter().enumerate() {
        if !h.is_empty() && headers[..i].contains(h) {
            return Err(ExchangeError::DuplicateHeader(h.clone()));
        }
    }
    let width = headers.len();
    let rows = raw
        .into_iter()
        .map(|(n, mut cells)| {
            cells.resize(width.max(cells.len()), String::new());
            (n, cells)
        })
        .collect();
    let warnings = if formulas > 0 {
        vec![format!("文件中有{formulas}个公式单元格，已按其计算结果读取；请核对这些单元格")]
    } else {
        Vec::new()
    };
    Ok(Table { headers, rows, warnings })
}

/// Reads a file row by row without holding it as strings: `header` makes a state from the cleaned
/// header row, then `row` gets each non-empty data row (row number in the file, trimmed cells padded
/// to the header's width). A csv is streamed; an xlsx is read whole first. For files of millions
/// of rows.
pub fn visit_table<S, E: From<ExchangeError>>(
    bytes: &[u8],
    file_name: &str,
    header: impl FnOnce(&[String]) -> Result<S, E>,
    mut row: impl FnMut(&mut S, usize, &[&str]) -> Result<(), E>,
) -> Result<S, E> {
    if is_xlsx(bytes, file_name) {
        let t = read_table(bytes, file_name)?;
        let mut state = header(&t.headers)?;
        for (n, cells) in &t.rows {
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            row(&mut state, *n, &cells)?;
        }
        return Ok(state);
    }
    let text = decode(bytes)?;
    if text.contains('\0') {
        return Err(ExchangeError::Encoding.into());
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();
    let mut width = None;
    let mut line = 0;
    let mut header = Some(header);
    let mut state = None;
    loop {
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(ExchangeError::Malformed(format!("CSV第{}行格式错误：{e}", line + 1)).into()),
        }
        line += 1;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match width {
            None => {
                let headers: Vec<String> = rec.iter().map(clean_header).collect();
                for (i, h) in headers.iter().enumerate() {
                    if !h.is_empty() && headers[..i].contains(h) {
                        return Err(ExchangeError::DuplicateHeader(h.clone()).into());
                    }
                }
                width = Some(headers.len());
                if let Some(h) = header.take() {
                    state = Some(h(&headers)?);
                }
            }
            Some(w) => {
                let mut cells: Vec<&str> = Vec::with_capacity(w);
                cells.extend(rec.iter().map(|c| unquote_formula(c.trim())));
                if cells.len() < w {
                    cells.resize(w, "");
                }
                if let Some(s) = state.as_mut() {
                    row(s, line, &cells)?;
                }
            }
        }
    }
    state.ok_or_else(|| ExchangeError::Empty.into())
}

/// Text of a csv file: UTF-8 (with or without BOM) borrowed as is, else decoded from GB18030.
pub(crate) fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, ExchangeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(std::borrow::Cow::Borrowed(s));
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(ExchangeError::Encoding);
    }
    Ok(std::borrow::Cow::Owned(text.into_owned()))
}

/// Rows as read: the row number in the file and its cells.
pub type RawRows = Vec<(usize, Vec<String>)>;

fn read_csv(bytes: &[u8], limits: &ReadLimits) -> Result<RawRows, ExchangeError> {
    let text = decode(bytes)?;
    if text.contains('\0') {
        return Err(ExchangeError::Encoding);
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| ExchangeError::Malformed(format!("CSV第{}行格式错误：{e}", i + 1)))?;
        if i >= limits.rows {
            return Err(too_big(format!("行数超过{}行", limits.rows)));
        }
        if let Some(c) = rec.iter().position(|c| c.chars().count() > limits.cell_chars) {
            return Err(too_big(format!("第{}行第{}列的内容超过{}个字符", i + 1, c + 1, limits.cell_chars)));
        }
        out.push((i + 1, rec.iter().map(|c| unquote_formula(c.trim()).to_string()).collect()));
    }
    Ok(out)
}

/// Takes off the apostrophe `csv_safe` put before formula-like text, so an export re-imports as it was.
fn unquote_formula(c: &str) -> &str {
    match c.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => c,
    }
}

/// Excel's day zero for serial dates (1900 date system, with its 1900-02-29 quirk absorbed).
fn excel_date(serial: f64) -> Option<NaiveDate> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    base.checked_add_days(Days::new(serial.floor() as u64))
}

/// Numbers print without a trailing ".0" so that 学籍号-like numbers and counts survive.
pub fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => excel_date(dt.as_f64())
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| number_text(dt.as_f64())),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Bounds on what an uploaded spreadsheet may unpack to, checked before and while it is read, so
/// that a small compressed file (a zip bomb) cannot take the server's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Bytes all parts of an xlsx may inflate to together.
    pub unpacked_total: u64,
    /// Bytes one part (a sheet, the shared strings) may inflate to.
    pub unpacked_part: u64,
    /// Parts in the archive.
    pub parts: usize,
    /// Data rows (Excel's own limit).
    pub rows: usize,
    /// Non-empty cells of the sheet read.
    pub cells: usize,
    /// Characters in one cell (Excel's own limit).
    pub cell_chars: usize,
}

/// The limits every read of a file applies: room for a 100,000-pupil students file and more, far
/// below what would strain the server.
pub const READ_LIMITS: ReadLimits = ReadLimits {
    unpacked_total: 384 << 20,
    unpacked_part: 256 << 20,
    parts: 10_000,
    rows: 1_048_576,
    cells: 4_000_000,
    cell_chars: 32_767,
};

fn too_big(what: String) -> ExchangeError {
    ExchangeError::Unpacked(what)
}

/// Inflates every part of a zip into nothing, counting, and refuses the file as soon as a part or
/// the whole passes its limit: the sizes a zip declares may lie, the inflated bytes do not.
fn check_unpacked_size(bytes: &[u8], limits: &ReadLimits) -> Result<(), ExchangeError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExchangeError::Malformed(format!("文件已损坏或不是Excel文件（{e}）")))?;
    if zip.len() > limits.parts {
        return Err(too_big(format!("文件包含{}个部件，上限为{}个", zip.len(), limits.parts)));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|e| ExchangeError::Malformed(format!("文件已损坏（{e}）")))?;
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let allowed = limits.unpacked_part.min(limits.unpacked_total - total);
        let mut bounded = std::io::Read::take(part, allowed + 1);
        let n = std::io::copy(&mut bounded, &mut std::io::sink())
            .map_err(|e| ExchangeError::Malformed(format!("文件已损坏（{name}：{e}）")))?;
        if n > allowed && allowed == limits.unpacked_part {
            return Err(too_big(format!("“{name}”解压后超过{} MB", limits.unpacked_part >> 20)));
        }
        if n > allowed {
            return Err(too_big(format!("解压后总大小超过{} MB", limits.unpacked_total >> 20)));
        }
        total += n;
    }
    Ok(())
}

/// Collects the cells of one sheet into rows, within the limits; counts formula cells.
struct SheetRows<'l> {
    limits: &'l ReadLimits,
    rows: RawRows,
    cells: usize,
    formulas: usize,
}

impl SheetRows<'_> {
    fn push(&mut self, (row, col): (u32, u32), text: String) -> Result<(), ExchangeError> {
        if text.is_empty() {
            return Ok(());
        }
        let (row, col) = (row as usize, col as usize);
        if row > self.limits.rows {
            return Err(too_big(format!("行数超过{}行", self.limits.rows)));
        }
        self.cells += 1;
        if self.cells > self.limits.cells {
            return Err(too_big(format!("单元格数超过{}个", self.limits.cells)));
        }
        if text.chars().count() > self.limits.cell_chars {
            return Err(too_big(format!("第{}行第{}列的内容超过{}个字符", row + 1, col + 1, self.limits.cell_chars)));
        }
        if self.rows.last().is_none_or(|(n, _)| *n != row + 1) {
            self.rows.push((row + 1, Vec::new()));
        }
        if let Some((_, cells)) = self.rows.last_mut() {
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            cells[col] = text;
        }
        Ok(())
    }
}

/// Reads every sheet of an xlsx workbook by name, as rows of text (a form's `survey`, `choices`
/// and `settings`), bounded before it is unpacked like every other read.
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<(String, RawRows)>, ExchangeError> {
    let malformed = |e: &dyn std::fmt::Display| ExchangeError::Malformed(format!("文件已损坏或不是Excel文件（{e}）"));
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(ExchangeError::Malformed("应为Excel工作簿（.xlsx）".into()));
    }
    check_unpacked_size(bytes, &READ_LIMITS)?;
    let mut wb = calamine::Xlsx::<_>::new(Cursor::new(bytes)).map_err(|e| malformed(&e))?;
    let mut out = Vec::new();
    let mut cells_read = 0;
    for name in wb.sheet_names() {
        let mut sheet = SheetRows { limits: &READ_LIMITS, rows: Vec::new(), cells: cells_read, formulas: 0 };
        let mut cells = wb.worksheet_cells_reader(&name).map_err(|e| malformed(&e))?;
        while let Some(c) = cells.next_cell().map_err(|e| malformed(&e))? {
            sheet.push(c.get_position(), cell_text(&Data::from(c.get_value().clone())))?;
        }
        cells_read = sheet.cells;
        sheet.rows.sort_by_key(|(n, _)| *n);
        out.push((name, sheet.rows));
    }
    Ok(out)
}

/// Reads the first sheet of a spreadsheet as rows of trimmed text. An xlsx is bounded before it is
/// unpacked and streamed cell by cell; formula cells are read by their stored value and counted.
fn read_xlsx(bytes: &[u8], limits: &ReadLimits) -> Result<(RawRows, usize), ExchangeError> {
    let malformed = |e: &dyn std::fmt::Display| ExchangeError::Malformed(format!("文件已损坏或不是Excel文件（{e}）"));
    let mut sheet = SheetRows { limits, rows: Vec::new(), cells: 0, formulas: 0 };
    if bytes.starts_with(b"PK\x03\x04") {
        check_unpacked_size(bytes, limits)?;
        if let Ok(mut wb) = calamine::Xlsx::<_>::new(Cursor::new(bytes)) {
            let name = wb.sheet_names().first().cloned().ok_or(ExchangeError::Empty)?;
            let mut cells = wb.worksheet_cells_reader(&name).map_err(|e| malformed(&e))?;
            while let Some(c) = cells.next_cell_with_formula().map_err(|e| malformed(&e))? {
                if c.formula.as_deref().is_some_and(|f| !f.is_empty()) {
                    sheet.formulas += 1;
                }
                sheet.push(c.pos, cell_text(&Data::from(c.value)))?;
            }
            sheet.rows.sort_by_key(|(n, _)| *n);
            return Ok((sheet.rows, sheet.formulas));
        }
    }
    // Other workbook formats (xls, ods, xlsb): sizes bounded above for the zipped ones.
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| malformed(&e))?;
    let range = wb.worksheet_range_at(0).ok_or(ExchangeError::Empty)?.map_err(|e| malformed(&e))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    for (row, col, d) in range.used_cells() {
        sheet.push((row as u32 + top, col as u32 + left), cell_text(d))?;
    }
    Ok((sheet.rows, 0))
}

/// A cell to write: text stays text (学籍号 must not become a number), numbers stay numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}
impl From<f64> for Cell {
    fn from(f: f64) -> Cell {
        Cell::Number(f)
    }
}
impl From<i64> for Cell {
    fn from(i: i64) -> Cell {
        Cell::Number(i as f64)
    }
}

/// Writes one sheet with a bold, frozen header row.
pub fn write_xlsx(sheet: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, ExchangeError> {
    write_workbook(&[Sheet { name: sheet, title: vec![], headers, rows }])
}

/// One sheet of a report: title lines above a bold, frozen header row.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub title: Vec<String>,
    pub headers: &'a [&'a str],
    pub rows: &'a [Vec<Cell>],
}

/// Writes several sheets (reports sent upward: a title, who filed it, then the table).
pub fn write_workbook(sheets: &[Sheet]) -> Result<Vec<u8>, ExchangeError> {
    let err = |e: rust_xlsxwriter::XlsxError| ExchangeError::Write(e.to_string());
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet.name).map_err(err)?;
        for (r, line) in sheet.title.iter().enumerate() {
            ws.write_string_with_format(r as u32, 0, line, &bold).map_err(err)?;
        }
        let head = sheet.title.len() as u32;
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(head, c as u16, *h, &bold).map_err(err)?;
            ws.set_column_width(c as u16, (h.chars().count() as f64 * 2.2).max(10.0)).map_err(err)?;
        }
        ws.set_freeze_panes(head + 1, 0).map_err(err)?;
        write_cells(ws, head + 1, sheet.rows)?;
    }
    wb.save_to_buffer().map_err(err)
}

fn write_cells(ws: &mut rust_xlsxwriter::Worksheet, first: u32, rows: &[Vec<Cell>]) -> Result<(), ExchangeError> {
    let err = |e: rust_xlsxwriter::XlsxError| ExchangeError::Write(e.to_string());
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + first;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) => {
                    ws.write_string(r, c as u16, s).map_err(err)?;
                }
                Cell::Number(n) => {
                    ws.write_number(r, c as u16, *n).map_err(err)?;
                }
            }
        }
    }
    Ok(())
}

impl Cell {
    /// The cell as csv text (numbers without a trailing ".0").
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => number_text(*n),
        }
    }
}

/// Whether a spreadsheet program would run the text as a formula or command (OWASP's CSV
/// injection rule: a leading = + - @, tab or carriage return). A plain number ("-3.5") is not.
pub fn formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err()
}

/// Appends a csv field as `csv::Writer` writes it: quoted only when it holds a comma, a quote or
/// a line break, quotes doubled.
pub(crate) fn csv_field(out: &mut Vec<u8>, f: &[u8]) {
    // A fold without early exit: the compiler vectorises it, and fields are short.
    if f.iter().fold(false, |q, &b| q | matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        out.push(b'"');
        for &b in f {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(f);
    }
}

/// The decimal digits of `v`, written into `buf` without the formatting machinery (batch outputs
/// write millions of integers).
pub(crate) fn decimal_digits(mut v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return &buf[i..];
        }
    }
}

/// `csv_safe` text appended as `csv_field`: what `CsvOut::row` writes for one cell.
pub(crate) fn csv_safe_field(out: &mut Vec<u8>, s: &str) {
    csv_field(out, csv_safe(s).as_bytes());
}

/// Text as a csv cell that no spreadsheet runs: formula-like text gets a leading apostrophe,
/// which Excel and WPS show as text (and `read_table` takes off again).
pub fn csv_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(s) { format!("'{s}").into() } else { s.into() }
}

fn csv_bytes(mut out: Vec<u8>, headers: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(&mut out);
    // Writing into a Vec cannot fail.
    let _ = w.write_record(headers);
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => csv_safe(s).into_owned(),
            Cell::Number(n) => number_text(*n),
        }));
    }
    drop(w);
    out
}

/// Writes csv without a BOM, for programs (see `CsvOut`).
pub fn write_plain_csv(headers: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
    csv_bytes(Vec::with_capacity(rows.len() * 64), headers, rows)
}

/// Writes csv as UTF-8 with a BOM, which Chinese Excel opens correctly (exports for people).
pub fn write_csv(headers: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
    csv_bytes(b"\xEF\xBB\xBF".to_vec(), headers, rows)
}

/// A csv file written row by row from string slices, UTF-8 without a BOM: the batch commands'
/// outputs are read by other programs, whose first header must be exactly the contract's (users who
/// open files in Excel ask for .xlsx, or get the BOM'd exports of `write_csv`).
pub struct CsvOut {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvOut {
    pub fn new(headers: &[&str], capacity: usize) -> CsvOut {
        let mut writer = csv::Writer::from_writer(Vec::with_capacity(capacity));
        let _ = writer.write_record(headers);
        CsvOut { writer }
    }
    /// Rows only, to follow another part's output.
    pub fn headless(capacity: usize) -> CsvOut {
        CsvOut { writer: csv::Writer::from_writer(Vec::with_capacity(capacity)) }
    }
    pub fn row(&mut self, cells: &[&str]) {
        // Writing into a Vec cannot fail.
        if cells.iter().any(|c| formula_like(c)) {
            let _ = self.writer.write_record(cells.iter().map(|c| csv_safe(c).into_owned()));
        } else {
            let _ = self.writer.write_record(cells);
        }
    }
    pub fn finish(self) -> Vec<u8> {
        self.writer.into_inner().unwrap_or_else(|e| e.into_inner().get_ref().clone())
    }
    /// Bytes written so far (rows end here: callers record row boundaries with it).
    pub fn flushed_len(&mut self) -> usize {
        let _ = self.writer.flush();
        self.writer.get_ref().len()
    }
}

impl Default for CsvOut {
    fn default() -> Self {
        CsvOut::headless(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_gb18030_and_utf8() {
        let text = "学籍号,姓名\nG1,张三\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        let a = read_table(&gbk, "a.csv").expect("gbk");
        let b = read_table(format!("\u{feff}{text}").as_bytes(), "b.csv").expect("utf8");
        assert_eq!(a, b);
        assert_eq!(a.headers, vec!["学籍号", "姓名"]);
        assert_eq!(a.rows, vec![(2, vec!["G1".to_string(), "张三".to_string()])]);
    }

    #[test]
    fn xlsx_round_trip_and_dates() {
        let bytes = write_xlsx("学生", &["学籍号", "人数"], &[vec!["G001".into(), Cell::Number(42.0)]]).expect("write");
        let t = read_table(&bytes, "x.xlsx").expect("read");
        assert_eq!(t.rows[0].1, vec!["G001", "42"]);
        assert_eq!(excel_date(45_000.0), NaiveDate::from_ymd_opt(2023, 3, 15));
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let e = read_table(b"PK\x03\x04garbage", "x.xlsx").expect_err("bad");
        assert!(matches!(e, ExchangeError::Malformed(_)));
        let e = read_table(&[0xff, 0xfe, 0x00, 0x41, 0x00], "x.csv").expect_err("bad");
        assert_eq!(e, ExchangeError::Encoding);
        assert_eq!(read_table(b"", "x.csv"), Err(ExchangeError::Empty));
        assert!(matches!(read_table("a,a\n1,2".as_bytes(), "x.csv"), Err(ExchangeError::DuplicateHeader(_))));
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_unpacked() {
        // 1 GiB of sheet from about a MB: past the part limit, refused while counting.
        let bomb = eduq_synth::hostile::xlsx_bomb(1 << 30);
        assert!(bomb.len() < 2 << 20, "small on the wire: {}", bomb.len());
        let e = read_table(&bomb, "bomb.xlsx").expect_err("refused");
        assert!(matches!(&e, ExchangeError::Unpacked(m) if m.contains("sheet1.xml")), "{e}");
        assert!(e.to_string().contains("文件超出读取上限"), "{e}");
        // The total bound holds when no single part passes its own.
        let limits = ReadLimits { unpacked_part: 40 << 20, unpacked_total: 20 << 20, ..READ_LIMITS };
        let e = check_unpacked_size(&eduq_synth::hostile::xlsx_bomb(30 << 20), &limits).expect_err("total");
        assert!(e.to_string().contains("总大小"), "{e}");
    }

    #[test]
    fn rows_cells_and_cell_length_are_bounded() {
        let rows: Vec<Vec<Cell>> = (0..20).map(|i| vec![Cell::Text(format!("G{i}")), "x".repeat(40).into()]).collect();
        let bytes = write_xlsx("学生", &["学籍号", "姓名"], &rows).expect("write");
        let tight = |f: fn(&mut ReadLimits)| {
            let mut l = READ_LIMITS;
            f(&mut l);
            read_xlsx(&bytes, &l).map(|_| ()).expect_err("over a limit").to_string()
        };
        assert!(tight(|l| l.rows = 10).contains("行数超过10行"));
        assert!(tight(|l| l.cells = 30).contains("单元格数超过30个"));
        assert!(tight(|l| l.cell_chars = 39).contains("第2行第2列的内容超过39个字符"));
        assert!(read_xlsx(&bytes, &READ_LIMITS).is_ok());
        let csv = format!("学籍号,姓名\nG1,{}\n", "y".repeat(50));
        let l = ReadLimits { cell_chars: 49, ..READ_LIMITS };
        assert!(read_csv(csv.as_bytes(), &l).expect_err("long").to_string().contains("第2行第2列"));
    }

    #[test]
    fn formula_cells_are_read_by_value_with_a_warning() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "学籍号").expect("h");
        ws.write_string(0, 1, "人数").expect("h");
        ws.write_string(1, 0, "G1").expect("c");
        ws.write_formula(1, 1, rust_xlsxwriter::Formula::new("=1+1").set_result("2")).expect("f");
        let t = read_table(&wb.save_to_buffer().expect("save"), "f.xlsx").expect("read");
        assert_eq!(t.rows[0].1, vec!["G1", "2"]);
        assert_eq!(t.warnings.len(), 1);
        assert!(t.warnings[0].contains("1个公式单元格"), "{:?}", t.warnings);
    }

    #[test]
    fn formula_like_text_is_neutralised_in_csv_and_reads_back() {
        let names = eduq_synth::hostile::FORMULA_NAMES;
        let rows: Vec<Vec<Cell>> =
            names.iter().map(|n| vec![Cell::from(*n), Cell::Number(-3.5), "-2".into()]).collect();
        let bytes = write_csv(&["姓名", "分", "差"], &rows);
        let text = String::from_utf8(bytes.clone()).expect("utf8");
        for line in text.lines().skip(1) {
            let first = line.trim_start_matches('"');
            assert!(first.starts_with('\''), "neutralised: {line}");
            assert!(line.ends_with(",-3.5,-2"), "numbers stay numbers: {line}");
        }
        let back = read_table(&bytes, "x.csv").expect("read");
        let got: Vec<&str> = back.rows.iter().map(|(_, c)| c[0].as_str()).collect();
        assert_eq!(got, names, "the apostrophe comes off on import");
        let mut out = CsvOut::new(&["a"], 64);
        out.row(&["=1+1"]);
        assert_eq!(String::from_utf8(out.finish()).expect("utf8"), "a\n'=1+1\n");
        assert!(formula_like("\tcmd") && formula_like("@x") && !formula_like("张三") && !formula_like("-0.25"));
    }
}
