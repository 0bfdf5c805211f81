//! Defaults of 督导 rubrics for a rubric file that names no 等级 bands or letter-grade worths.
//!
//! Source: eduq's defaults, following the usual practice of county 督导评估 schemes (优秀 ≥ 90 %,
//! 良好 ≥ 80 %, 合格 ≥ 60 % of the applicable points; A/B/C/D worth 100/80/60/0 % of an item). No
//! national text fixes them: a rubric's own bands and worths replace these.

/// 等级 and the least share of the applicable points (per cent) that earns it, highest first.
pub const BANDS: &[(&str, f64)] = &[("优秀", 90.0), ("良好", 80.0), ("合格", 60.0), ("不合格", 0.0)];

/// Letter grades and their worth as a share of the item's points.
pub const GRADES: &[(&str, f64)] = &[("A", 1.0), ("B", 0.8), ("C", 0.6), ("D", 0.0)];

/// Days a school has to rectify (整改) a problem, by severity key, when the inspector sets no
/// deadline. eduq's defaults (plans ask for "限期整改" without fixing the days): 严重 7, 较重 15,
/// 一般 30; every problem's deadline stays editable.
pub const RECTIFY_DAYS: &[(&str, i64)] = &[("severe", 7), ("serious", 15), ("general", 30)];

/// Days overdue from which an open problem puts its school on the 约谈 list (talk with the
/// principal) and on the 通报 list (published criticism). eduq's defaults.
pub const INTERVIEW_AFTER_DAYS: i64 = 1;
pub const NOTIFY_AFTER_DAYS: i64 = 30;
