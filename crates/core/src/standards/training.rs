//! Teachers' training hours (继续教育学时) per five-year cycle.
//!
//! Source: 教育部《关于大力加强中小学教师培训工作的意见》（教师〔2011〕1号）: every teacher takes part
//! in no fewer than 360 学时 of training in each five-year cycle (每五年一周期). The same figure is
//! item 9 of 政府保障程度 in 《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）: 教师5年360学时
//! 培训完成率达到100%. Provinces add sub-rules (a least share of 集中培训, a most share of 网络研修, 师德
//! hours); those are each province's configuration, so none is set here.

/// 学时 in a cycle.
pub const CYCLE_HOURS: f64 = 360.0;
/// Years in a cycle.
pub const CYCLE_YEARS: i32 = 5;

/// Years between two 教师资格定期注册: 教育部《中小学教师资格定期注册暂行办法》（教师〔2013〕1号）第三条,
/// 每5年一个周期; 第八条 makes 360 学时 of training in the period a condition of the registration.
pub const REGISTRATION_YEARS: i32 = 5;
/// Days before the due date from which a registration shows as due soon (eduq's default).
pub const REGISTRATION_NOTICE_DAYS: i64 = 180;
