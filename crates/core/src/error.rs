use thiserror::Error;

/// Errors of pure domain rules. Messages are Chinese because they reach users unchanged.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CoreError {
    #[error("无法识别的{what}：“{value}”")]
    Unrecognised { what: &'static str, value: String },
    #[error("{0}")]
    Invalid(String),
}

impl CoreError {
    pub fn unrecognised(what: &'static str, value: &str) -> Self {
        CoreError::Unrecognised { what, value: value.to_string() }
    }
}
