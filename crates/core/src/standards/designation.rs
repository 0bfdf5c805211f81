//! The district's 名师/名班主任/骨干 designations (四级培养): how long a term lasts, how many judges a
//! review needs, the pass mark, and how long the 公示 runs.
//!
//! No national text fixes these; districts set them in their own 名师评选办法. The values here are
//! eduq's defaults, chosen from common county practice: a three-year term (任期三年), a panel of at
//! least three 评委, a mean score of 80 (of 100) to pass, and a 公示 of 7 calendar days (which
//! covers the 5 working days most 评选办法 name). A failed annual assessment (年度考核不合格)
//! ends the designation (撤销), as those 办法 commonly provide.

/// Years a designation lasts from the day it is made.
pub const TERM_YEARS: u32 = 3;
/// Least number of judges whose scores a review needs.
pub const PANEL_MIN: usize = 3;
/// Least mean panel score (of 100) to pass the review.
pub const PASS_MARK: f64 = 80.0;
/// Days the 公示 runs; the designation can be made on the day after it ends.
pub const NOTICE_DAYS: u64 = 7;
/// Days before a term's end from which it can be renewed (续任).
pub const RENEWAL_WINDOW_DAYS: i64 = 90;
