//! 交流轮岗 of teachers within a county.
//!
//! Source: 教育部 财政部 人力资源社会保障部《关于推进县（区）域内义务教育学校校长教师交流轮岗的意见》
//! （教教师〔2014〕4号）: teachers who have taught at the same school for the years a province sets
//! should rotate; each school year the rotating teachers are at least 10 % of those who qualify, and
//! 骨干教师 at least 20 % of those rotating. The same two shares are item 11 of 政府保障程度 in
//! 《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）.
//!
//! The years at one school are the province's choice; [`MIN_YEARS_AT_SCHOOL`] is eduq's default
//! (6, the figure many provinces use), a bureau configures its own.

/// Least share (per cent) of qualifying teachers who rotate in a school year.
pub const MIN_SHARE: f64 = 10.0;
/// Least share (per cent) of 骨干教师 among those who rotate.
pub const MIN_BACKBONE_SHARE: f64 = 20.0;
/// Years at the same school after which a teacher qualifies (eduq's default; provinces set it).
pub const MIN_YEARS_AT_SCHOOL: i32 = 6;
