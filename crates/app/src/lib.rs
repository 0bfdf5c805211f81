//! Use cases of eduq: the only crate that knows core, store and exchange together.
//! Clocks and seeds come in as arguments from the edge (web, CLI).

pub mod accounts;
pub mod after_school;
pub mod alerts;
pub mod assessment;
pub mod attendance;
pub mod audit;
pub mod balance;
pub mod calendar;
pub mod cases;
pub mod casework;
pub mod clock;
pub mod consolidation;
pub mod demo;
pub mod designations;
pub mod directory;
pub mod district_inputs;
pub mod dropout_reports;
pub mod error;
pub mod exams;
pub mod fitness;
pub(crate) mod form;
pub mod group_commit;
pub mod guarantee;
pub mod homework;
pub mod imports;
pub mod indicators;
pub mod inspections;
pub mod intake;
pub mod lottery;
pub mod parsing;
pub mod plans;
pub mod problems;
pub mod psych_followup;
pub mod research;
pub mod roll_desk;
pub mod rotation;
pub mod screening;
pub mod studios;
pub mod supervision;
pub mod surveys;
pub mod timetables;
pub mod training;
pub mod wuxiang;

pub use eduq_store::{Store, StoreError};
pub use error::AppError;
