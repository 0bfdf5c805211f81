//! XLSForm workbooks and response files: the form read from its sheets (checked by
//! `core::questionnaire`), responses read from csv and tallied.

use eduq_core::questionnaire::{Form, FormError, SheetRows, Tally};
use serde::Serialize;
use serde::ser::SerializeMap;

use crate::ExchangeError;
use crate::table::{Cell, Sheet, decode, read_workbook, write_workbook};

/// Why a form file cannot be used: it is not a readable workbook, or its content is wrong.
#[derive(Debug)]
pub enum FormFileError {
    File(ExchangeError),
    Form(Vec<FormError>),
}

impl std::fmt::Display for FormFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormFileError::File(e) => write!(f, "{e}"),
            FormFileError::Form(errors) => {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                write!(f, "{}", lines.join("\n"))
            }
        }
    }
}

/// The sheets of a workbook as a form reads them: the first non-empty row is the header.
pub fn form_sheets(bytes: &[u8]) -> Result<Vec<SheetRows>, ExchangeError> {
    Ok(read_workbook(bytes)?
        .into_iter()
        .map(|(name, mut rows)| {
            rows.retain(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
            let headers = if rows.is_empty() { Vec::new() } else { rows.remove(0).1 };
            SheetRows { name, headers: headers.iter().map(|h| h.trim().to_string()).collect(), rows }
        })
        .collect())
}

/// A form's sheets as an xlsx workbook (a shipped template to download and edit).
pub fn form_workbook(sheets: &[SheetRows]) -> Result<Vec<u8>, ExchangeError> {
    let rows: Vec<Vec<Vec<Cell>>> = sheets
        .iter()
        .map(|s| s.rows.iter().map(|(_, cells)| cells.iter().map(|c| Cell::Text(c.clone())).collect()).collect())
        .collect();
    let headers: Vec<Vec<&str>> = sheets.iter().map(|s| s.headers.iter().map(String::as_str).collect()).collect();
    let out: Vec<Sheet> = sheets
        .iter()
        .zip(&headers)
        .zip(&rows)
        .map(|((s, h), r)| Sheet { name: &s.name, title: Vec::new(), headers: h, rows: r })
        .collect();
    write_workbook(&out)
}

/// Reads and checks a form workbook.
pub fn read_form(bytes: &[u8]) -> Result<Form, FormFileError> {
    Form::parse(&form_sheets(bytes).map_err(FormFileError::File)?).map_err(FormFileError::Form)
}

/// Tallies a csv of responses (UTF-8 or GB18030) whose header holds the questions' names; a
/// select_multiple answer lists choice names separated by spaces; an empty cell is no answer.
/// Columns that are not questions of the form (an export's submission time, an id) are left out
/// and returned by name.
pub fn tally_csv(form: &Form, bytes: &[u8]) -> Result<(Tally, Vec<String>), ExchangeError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| ExchangeError::Malformed(format!("CSV格式错误：{e}")))?.clone();
    let mut ignored = Vec::new();
    // Column of each question (None: not in the file, so never answered).
    let mut column_of: Vec<Option<usize>> = vec![None; form.questions.len()];
    for (c, h) in headers.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        match form.question_index(h) {
            Some(q) if column_of[q].is_none() => column_of[q] = Some(c),
            Some(_) => return Err(ExchangeError::DuplicateHeader(h.to_string())),
            None if !h.is_empty() => ignored.push(h.to_string()),
            None => {}
        }
    }
    let mut tally = Tally::new(form);
    let mut rec = csv::StringRecord::new();
    let mut row = 0;
    loop {
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                row += 1;
                let answers: Vec<Option<&str>> =
                    column_of.iter().map(|c| c.and_then(|c| rec.get(c)).filter(|v| !v.trim().is_empty())).collect();
                tally.add(form, row, &answers);
            }
            Err(e) => return Err(ExchangeError::Malformed(format!("CSV格式错误（第{}行数据）：{e}", row + 1))),
        }
    }
    Ok((tally, ignored))
}

#[derive(Serialize)]
struct TallyOut<'a> {
    responses: usize,
    accepted: usize,
    rejected: Vec<Rejected<'a>>,
    questions: Vec<QuestionOut<'a>>,
}

#[derive(Serialize)]
struct Rejected<'a> {
    row: usize,
    reason: &'a str,
}

#[derive(Serialize)]
struct QuestionOut<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    qtype: &'static str,
    answered: usize,
    counts: Counts<'a>,
}

/// Every choice of a question with its count, in the form's order.
struct Counts<'a>(Vec<(&'a str, usize)>);

impl Serialize for Counts<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// The tally as the `eduq survey tally` JSON contract writes it.
pub fn tally_json(form: &Form, tally: &Tally) -> String {
    let out = TallyOut {
        responses: tally.responses,
        accepted: tally.accepted,
        rejected: tally.rejected.iter().map(|(row, reason)| Rejected { row: *row, reason }).collect(),
        questions: tally
            .questions
            .iter()
            .map(|(i, answered, counts)| {
                let q = &form.questions[*i];
                QuestionOut {
                    name: &q.name,
                    qtype: q.qtype.key(),
                    answered: *answered,
                    counts: Counts(q.choices.iter().map(|c| c.name.as_str()).zip(counts.iter().copied()).collect()),
                }
            })
            .collect(),
    };
    serde_json::to_string_pretty(&out).expect("counts and names serialize")
}
