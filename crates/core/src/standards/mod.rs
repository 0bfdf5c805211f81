//! National standards as data, each table with its source and version next to it.

pub mod basic_balance;
pub mod class_size;
pub mod curriculum;
pub mod designation;
pub mod education_quality;
pub mod enrolment_age;
pub mod exam_policy;
pub mod fitness;
pub mod government_guarantee;
pub mod homework;
pub mod password;
pub mod quality_balance;
pub mod rotation;
pub mod schedule;
pub mod school_ict;
pub mod screening;
pub mod supervision;
pub mod training;
pub mod vision;

/// Where a table comes from. Kept next to every table so that a check against an official copy
/// is easy.
#[derive(Debug, Clone, Copy)]
pub struct Provenance {
    pub source: &'static str,
    pub clause: &'static str,
    /// [V] seen in a public source; [M] from memory of the official text, to be confirmed.
    pub confidence: &'static str,
}
