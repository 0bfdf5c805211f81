//! Row-by-row reading of a table with every error collected in Chinese (row, column, value).

use std::collections::HashMap;

use chrono::NaiveDate;
use eduq_core::calendar::parse_date;
use eduq_core::student::parse_yes_no;

use crate::table::Table;
use crate::{ExchangeError, RowError};

/// Column positions of `headers` in `table`; the required ones missing are one error.
pub(crate) fn columns(
    table: &Table,
    headers: &[&'static str],
    required: impl Fn(&str) -> bool,
) -> Result<HashMap<&'static str, usize>, ExchangeError> {
    let mut index = HashMap::new();
    let mut missing = Vec::new();
    for h in headers {
        match table.column(h) {
            Some(i) => {
                index.insert(*h, i);
            }
            None if required(h) => missing.push((*h).to_string()),
            None => {}
        }
    }
    if missing.is_empty() { Ok(index) } else { Err(ExchangeError::MissingHeaders(missing)) }
}

/// The cells of one row, with error collection.
pub(crate) struct Row<'a> {
    pub n: usize,
    pub cells: &'a [String],
    pub index: &'a HashMap<&'static str, usize>,
    pub errors: &'a mut Vec<RowError>,
}

/// Longest free text a cell of an import may hold.
pub const MAX_TEXT_CHARS: usize = eduq_core::text::CELL_CHARS;
/// Longest name a person may be imported with.
pub const MAX_NAME_CHARS: usize = eduq_core::text::NAME_CHARS;

impl Row<'_> {
    pub fn raw(&self, col: &str) -> &str {
        self.index.get(col).and_then(|&i| self.cells.get(i)).map(String::as_str).unwrap_or("")
    }
    pub fn fail(&mut self, col: &str, message: impl Into<String>) {
        let value = self.raw(col).to_string();
        self.errors.push(RowError { row: self.n, column: col.to_string(), value, message: message.into() });
    }
    /// Required text, at most [`MAX_TEXT_CHARS`] characters.
    pub fn text(&mut self, col: &str) -> Option<String> {
        let v = self.raw(col).to_string();
        if v.is_empty() {
            self.fail(col, "不能为空");
            None
        } else if v.chars().count() > MAX_TEXT_CHARS {
            self.fail(col, format!("过长（{}个字符），不能超过{MAX_TEXT_CHARS}个字符", v.chars().count()));
            None
        } else {
            Some(v)
        }
    }
    /// A person's name: required, short, and never something a spreadsheet would run as a formula.
    pub fn name(&mut self, col: &str) -> Option<String> {
        let v = self.text(col)?;
        if v.chars().count() > MAX_NAME_CHARS {
            self.fail(col, format!("过长，姓名不能超过{MAX_NAME_CHARS}个字符"));
            None
        } else if crate::table::formula_like(&v) || v.chars().any(char::is_control) {
            self.fail(col, "不是有效的姓名（不能以 = + - @ 开头，不能含控制字符）");
            None
        } else {
            Some(v)
        }
    }
    pub fn opt(&self, col: &str) -> Option<String> {
        let v = self.raw(col);
        (!v.is_empty()).then(|| v.to_string())
    }
    /// Required value through a parser whose error is the message tail.
    pub fn parse<T>(&mut self, col: &str, f: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let v = self.raw(col).to_string();
        if v.is_empty() {
            self.fail(col, "不能为空");
            return None;
        }
        match f(&v) {
            Ok(t) => Some(t),
            Err(m) => {
                self.fail(col, m);
                None
            }
        }
    }
    pub fn labelled<T>(
        &mut self,
        col: &str,
        parse: fn(&str) -> Result<T, eduq_core::CoreError>,
        labels: String,
    ) -> Option<T> {
        self.parse(col, |s| parse(s).map_err(|_| format!("不是有效值，应为：{labels}")))
    }
    /// Optional labelled value with a default when the cell (or column) is empty.
    pub fn labelled_or<T>(
        &mut self,
        col: &str,
        parse: fn(&str) -> Result<T, eduq_core::CoreError>,
        labels: String,
        default: T,
    ) -> Option<T> {
        if self.raw(col).is_empty() { Some(default) } else { self.labelled(col, parse, labels) }
    }
    /// An optional eduq indicator, by its name or key; returns the key.
    pub fn indicator(&mut self, col: &str) -> Option<String> {
        let v = self.opt(col)?;
        match eduq_core::indicators::named(&v) {
            Some(i) => Some(i.key.to_string()),
            None => {
                self.fail(col, "不是本平台的指标（请填写“指标”页上的指标名称）");
                None
            }
        }
    }
    pub fn yes_no(&mut self, col: &str) -> bool {
        match parse_yes_no(self.raw(col)) {
            Some(b) => b,
            None => {
                self.fail(col, "应为“是”或“否”");
                false
            }
        }
    }
    pub fn date(&mut self, col: &str) -> Option<NaiveDate> {
        self.parse(col, |s| parse_date(s).ok_or_else(|| "不是有效日期".to_string()))
    }
    pub fn number(&mut self, col: &str) -> Option<f64> {
        self.parse(col, |s| match s.replace(',', "").parse::<f64>() {
            Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
            Ok(_) => Err("不能为负数".to_string()),
            Err(_) => Err("不是有效数字".to_string()),
        })
    }
    pub fn count(&mut self, col: &str) -> Option<i64> {
        self.parse(col, |s| match s.replace(',', "").parse::<f64>() {
            Ok(f) if f >= 0.0 && f.fract() == 0.0 && f < 1e12 => Ok(f as i64),
            _ => Err("应为非负整数".to_string()),
        })
    }
}
