//! `eduq screening score`: a file of answer sheets in, one result line per sheet out.
//!
//! Input: `编号`, then `第1题` … `第N题` (other columns are ignored). Output csv: `编号, 总分, 等级,
//! 关注, 备注` in input order. A sheet with a missing or invalid answer is not scored; its 备注
//! names each bad item and its value.

use eduq_core::screening::Instrument;

use crate::ExchangeError;
use crate::table::{CsvOut, visit_table};

pub const OUT_HEADERS: [&str; 5] = ["编号", "总分", "等级", "关注", "备注"];

/// Counts of a scored file, for the command's summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub rows: usize,
    pub scored: usize,
    /// Sheets not scored (a missing or invalid answer).
    pub invalid: usize,
    pub attention: usize,
    /// Critical answers or alert bands: to be followed up within the day.
    pub alert: usize,
    /// Sheets per band, in the instrument's order.
    pub by_band: Vec<usize>,
    /// Item columns the file lacks (every row is then unscored, each naming them).
    pub missing_columns: Vec<String>,
}

#[derive(Clone)]
struct Layout {
    id: usize,
    /// The column of each item; an item without a column is blank on every row.
    items: Vec<Option<usize>>,
}

fn layout(headers: &[String], ins: &Instrument) -> Result<(Layout, Summary), ExchangeError> {
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(id) = col("编号") else {
        return Err(ExchangeError::MissingHeaders(vec!["编号".to_string()]));
    };
    let items: Vec<Option<usize>> = (1..=ins.items.len()).map(|n| col(&format!("第{n}题"))).collect();
    let missing_columns =
        items.iter().enumerate().filter(|(_, c)| c.is_none()).map(|(n, _)| format!("第{}题", n + 1)).collect();
    Ok((Layout { id, items }, Summary { by_band: vec![0; ins.bands.len()], missing_columns, ..Summary::default() }))
}

/// Scores one part of a file into `out`.
struct Scorer<'a> {
    ins: &'a Instrument,
    l: Layout,
    out: CsvOut,
    sum: Summary,
    total: String,
    note: String,
}

impl Scorer<'_> {
    fn row(&mut self, cells: &[&str]) {
        let (ins, l, sum) = (self.ins, &self.l, &mut self.sum);
        sum.rows += 1;
        let id = cells.get(l.id).copied().unwrap_or_default();
        match ins.answers(l.items.iter().map(|c| c.and_then(|c| cells.get(c).copied()).unwrap_or_default())) {
            Ok(answers) => {
                let s = ins.score(&answers);
                sum.scored += 1;
                sum.attention += usize::from(s.attention);
                sum.alert += usize::from(s.alert);
                sum.by_band[s.band] += 1;
                self.total.clear();
                self.total.push_str(itoa(s.total, &mut [0u8; 12]));
                self.out.row(&[id, &self.total, ins.band_label(&s), if s.attention { "是" } else { "否" }, ""]);
            }
            Err(problems) => {
                sum.invalid += 1;
                self.note.clear();
                for (i, p) in problems.iter().enumerate() {
                    if i > 0 {
                        self.note.push('；');
                    }
                    self.note.push_str(&p.to_string());
                }
                self.out.row(&[id, "", "", "", &self.note]);
            }
        }
    }
}

/// A csv body of at least this size without quotes is scored on two threads.
const PARALLEL_FROM: usize = 1 << 20;

/// Scores every answer sheet of a csv (UTF-8 or GB18030) or xlsx file.
pub fn score_file(bytes: &[u8], file_name: &str, ins: &Instrument) -> Result<(Vec<u8>, Summary), ExchangeError> {
    score_file_split(bytes, file_name, ins, PARALLEL_FROM)
}

/// `score_file` with the body size from which two threads are used (tests exercise both paths).
fn score_file_split(
    bytes: &[u8],
    file_name: &str,
    ins: &Instrument,
    parallel_from: usize,
) -> Result<(Vec<u8>, Summary), ExchangeError> {
    let xlsx = bytes.starts_with(b"PK\x03\x04") || file_name.to_ascii_lowercase().ends_with(".xlsx");
    if !xlsx && bytes.len() >= parallel_from && !bytes.contains(&b'"') {
        return score_csv_halves(bytes, ins);
    }
    let header = |headers: &[String]| -> Result<Scorer<'_>, ExchangeError> {
        let (l, sum) = layout(headers, ins)?;
        Ok(Scorer {
            ins,
            l,
            out: CsvOut::new(&OUT_HEADERS, bytes.len() / 2),
            sum,
            total: String::new(),
            note: String::new(),
        })
    };
    let scorer = visit_table(bytes, file_name, header, |sc: &mut Scorer, _, cells| {
        sc.row(cells);
        Ok(())
    })?;
    Ok((scorer.out.finish(), scorer.sum))
}

/// A large plain csv: the body cut at a newline near its middle, each half scored on a thread,
/// the outputs joined in order.
fn score_csv_halves(bytes: &[u8], ins: &Instrument) -> Result<(Vec<u8>, Summary), ExchangeError> {
    let text = crate::table::decode(bytes)?;
    if text.contains('\0') {
        return Err(ExchangeError::Encoding);
    }
    let header_end = text.find('\n').unwrap_or(text.len());
    let headers: Vec<String> =
        text[..header_end].trim_end_matches('\r').split(',').map(crate::table::clean_header).collect();
    if headers.iter().all(String::is_empty) {
        return Err(ExchangeError::Empty);
    }
    let (l, sum) = layout(&headers, ins)?;
    let body = text.get(header_end + 1..).unwrap_or("");
    let mid = body.len() / 2;
    // Search bytes: `mid` may fall inside a character; a newline never does.
    let cut = body.as_bytes()[mid..].iter().position(|&b| b == b'\n').map_or(body.len(), |p| mid + p + 1);
    let (a, b) = body.split_at(cut);
    let part = |part: &str, first: bool| -> Result<Scorer<'_>, ExchangeError> {
        let out = if first { CsvOut::new(&OUT_HEADERS, part.len() / 2) } else { CsvOut::headless(part.len() / 2) };
        let mut sc = Scorer {
            ins,
            l: l.clone(),
            out,
            sum: Summary { by_band: vec![0; ins.bands.len()], ..Summary::default() },
            total: String::new(),
            note: String::new(),
        };
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(part.as_bytes());
        let mut rec = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(ExchangeError::Malformed(format!("CSV格式错误：{e}"))),
            }
            let cells: Vec<&str> = rec.iter().map(str::trim).collect();
            if !cells.iter().all(|c| c.is_empty()) {
                sc.row(&cells);
            }
        }
        Ok(sc)
    };
    let (first, second) = std::thread::scope(|s| {
        let second = s.spawn(|| part(b, false));
        (part(a, true), second.join().unwrap_or_else(|_| Err(ExchangeError::Write("计分线程异常退出".into()))))
    });
    let (first, second) = (first?, second?);
    let mut out = first.out.finish();
    out.extend_from_slice(&second.out.finish());
    let mut total = sum;
    for s in [&first.sum, &second.sum] {
        total.rows += s.rows;
        total.scored += s.scored;
        total.invalid += s.invalid;
        total.attention += s.attention;
        total.alert += s.alert;
        for (t, n) in total.by_band.iter_mut().zip(&s.by_band) {
            *t += n;
        }
    }
    Ok((out, total))
}

/// A small integer as text without allocating.
fn itoa(v: i32, buf: &mut [u8; 12]) -> &str {
    use std::io::Write;
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    let _ = write!(cursor, "{v}");
    let n = cursor.position() as usize;
    std::str::from_utf8(&buf[..n]).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use eduq_core::screening::shipped;

    fn run(text: &str, key: &str) -> (String, Summary) {
        let ins = shipped(key).expect("ships");
        let (bytes, sum) = score_file(text.as_bytes(), "in.csv", &ins).expect("scores");
        (String::from_utf8(bytes).expect("utf8"), sum)
    }

    #[test]
    fn phq9_rows_in_input_order_with_bad_rows_named() {
        let input = "编号,姓名,第1题,第2题,第3题,第4题,第5题,第6题,第7题,第8题,第9题\n\
            S003,甲,1,1,1,1,1,1,1,1,1\n\
            S001,乙,0,0,0,0,0,0,0,0,0\n\
            S002,丙,3,3,3,3,3,3,3,3,0\n\
            S004,丁,0,4,,0,0,0,0,0,0\n\
            S005,戊,0,0,0,0,0,0,0,0,1\n";
        let (out, sum) = run(input, "phq9");
        assert_eq!(
            out,
            "编号,总分,等级,关注,备注\nS003,9,轻度,是,\nS001,0,无抑郁症状,否,\nS002,24,重度,是,\n\
             S004,,,,第2题取值“4”无效；第3题为空\nS005,1,无抑郁症状,是,\n"
        );
        assert_eq!(
            (sum.rows, sum.scored, sum.invalid, sum.attention, sum.alert),
            (5, 4, 1, 3, 3),
            "S003 and S005 answer item 9, S002 is 重度"
        );
        assert_eq!(sum.by_band, vec![2, 1, 0, 0, 1]);
    }

    #[test]
    fn gad7_from_xlsx_and_a_missing_column_is_named() {
        let headers: Vec<String> =
            ["编号"].into_iter().map(String::from).chain((1..=7).map(|n| format!("第{n}题"))).collect();
        let rows = vec![
            ["G1", "2", "2", "2", "2", "2", "0", "0"].map(String::from).to_vec(),
            ["G2", "3", "3", "3", "3", "3", "0", "0"].map(String::from).to_vec(),
        ];
        let xlsx = crate::fitness::to_xlsx(&headers, &rows).expect("xlsx");
        let ins = shipped("gad7").expect("gad7");
        let (out, _) = score_file(&xlsx, "in.xlsx", &ins).expect("scores");
        assert_eq!(String::from_utf8(out).expect("utf8"), "编号,总分,等级,关注,备注\nG1,10,中度,是,\nG2,15,重度,是,\n");
        let (out, sum) = score_file("编号,第1题\nA,1\n".as_bytes(), "x.csv", &ins).expect("rows written");
        let out = String::from_utf8(out).expect("utf8");
        assert!(out.ends_with("A,,,,第2题为空；第3题为空；第4题为空；第5题为空；第6题为空；第7题为空\n"), "{out}");
        assert_eq!((sum.invalid, sum.missing_columns.len()), (1, 6));
        let e = score_file("学号,第1题\nA,1\n".as_bytes(), "x.csv", &ins).unwrap_err();
        assert!(e.to_string().contains("编号"), "{e}");
    }

    #[test]
    fn both_halves_give_the_same_bytes_as_one_pass() {
        let ins = shipped("phq9").expect("phq9");
        let mut text = String::from("编号,第1题,第2题,第3题,第4题,第5题,第6题,第7题,第8题,第9题\n");
        eduq_synth::screening::sheets(3, 2_000, 9, |row| {
            text.push_str(&row.join(","));
            text.push_str("\r\n");
        });
        text.push_str(",,,,,,,,,\n");
        let one = score_file_split(text.as_bytes(), "a.csv", &ins, usize::MAX).expect("one pass");
        let two = score_file_split(text.as_bytes(), "a.csv", &ins, 1).expect("two halves");
        assert_eq!(one.0, two.0);
        assert_eq!(one.1, two.1);
        assert_eq!(one.1.rows, 2_000, "the blank last row is no sheet");
    }

    #[test]
    fn gb18030_input_and_a_formula_like_id_is_neutralised() {
        let text = "编号,第1题,第2题,第3题,第4题,第5题,第6题,第7题\n=1+1,0,0,0,0,0,0,0\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        let ins = shipped("gad7").expect("gad7");
        let (out, _) = score_file(&gbk, "in.csv", &ins).expect("scores");
        let out = String::from_utf8(out).expect("utf8");
        assert!(out.ends_with(",0,无焦虑症状,否,\n") && !out.contains("\n=1+1"), "{out}");
    }
}
