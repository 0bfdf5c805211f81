//! Reading and writing the spreadsheets schools exchange (xlsx and csv in UTF-8 or GB18030).
//!
//! Parsing yields either a fully validated batch of records or the complete list of row errors,
//! each naming the row, the column and the value in Chinese. No database here: checks that need
//! stored data (unknown school codes) are made by the application layer with the same error type.

pub mod attendance;
pub mod balance;
pub mod classes;
pub mod error;
pub mod exam;
pub mod fitness;
pub mod items;
pub mod kinds;
pub mod lottery;
pub mod questionnaire;
mod row;
pub mod rubric;
mod runs;
pub mod screening;
pub mod stream;
pub mod supervision;
pub mod table;
pub mod timetable;
pub mod training;
pub mod va;

pub use error::{ExchangeError, RowError};
pub use kinds::{Batch, Kind};
pub use table::{Table, read_table, write_xlsx};
