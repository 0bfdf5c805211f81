//! eduq-core: the pure domain of eduq.
//!
//! Domain types, national standards as data, validation rules and statistics. No IO, no async,
//! no database: the store, the web layer and the CLI depend on this crate, never the reverse
//! (`.ci/run` checks this with `cargo tree`).

pub mod access;
pub mod after_school;
pub mod attendance;
pub mod audit;
pub mod balance;
pub mod calendar;
pub mod casework;
pub mod classes;
pub mod clock;
pub mod designation;
pub mod digest;
pub mod dropout;
pub mod error;
pub mod exam;
pub mod fitness;
pub mod flows;
pub mod grade;
pub mod group_activity;
pub mod guarantee;
pub mod homework;
pub mod honour;
pub mod identity;
pub mod indicators;
pub mod inspection;
pub mod items;
pub mod lottery;
pub mod mixed;
pub mod number;
pub mod org;
pub mod pinyin;
pub mod plan;
pub mod privacy;
pub mod project;
pub mod psych_followup;
pub mod questionnaire;
pub mod records;
pub mod research;
pub mod rng;
pub mod rotation;
pub mod rubric;
pub mod screening;
pub mod spread;
pub mod standards;
pub mod student;
pub mod studio;
pub mod supervision;
pub mod teacher;
pub mod text;
pub mod timetable;
pub mod training;
pub mod valueadded;
pub mod wuxiang;

pub use error::CoreError;

/// Declares an enum whose values have a stable ASCII key (stored in the database) and a Chinese
/// label (shown to users and written in import files), with optional extra accepted spellings.
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $key:literal, $label:literal $(| $alias:literal)*;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Stable key used in storage.
            pub fn key(self) -> &'static str { match self { $($name::$variant => $key),+ } }
            /// Chinese label used in the UI and in files.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn from_key(key: &str) -> Option<Self> {
                match key { $($key => Some($name::$variant),)+ _ => None }
            }
            /// Parses a label as users write it (the label, a key, or an accepted alias).
            pub fn parse(raw: &str) -> Result<Self, $crate::CoreError> {
                let s = $crate::text::trim(raw);
                match s {
                    $($label | $key $(| $alias)* => Ok($name::$variant),)+
                    _ => Err($crate::CoreError::unrecognised($what, raw)),
                }
            }
            /// The accepted labels, for error messages and templates.
            pub fn labels() -> String {
                [$($label),+].join("、")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.label()) }
        }
    };
}
