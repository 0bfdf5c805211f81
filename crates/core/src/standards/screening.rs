//! The rules of a screening round around the instruments: how fast an alert must be followed up,
//! how long raw answers are kept. No national text prescribes figures (the 2023–2025 专项行动计划
//! asks for yearly screening and a file per pupil at risk); these are eduq's defaults, which a
//! bureau may change in its configuration.

use super::Provenance;

pub const PROVENANCE: Provenance = Provenance {
    source: "教育部等十七部门《全面加强和改进新时代学生心理健康工作专项行动计划（2023—2025年）》（教体艺〔2023〕1号）",
    clause: "每年开展心理健康测评，建立心理健康档案，对测评结果异常的学生及时跟进、转介",
    confidence: "[M] 文件要求来自记忆；下列时限与保存期为 eduq 默认值，非国家规定",
};

/// Hours within which the school's 心理教师 must act on an alert (a critical answer or an alert
/// band). The issue names 24 hours as the default.
pub const FOLLOW_UP_HOURS: i64 = 24;

/// Days after a response's submission when its item-level answers are purged; the total, band
/// and flags stay for the follow-up file and the aggregates.
pub const RETENTION_DAYS: i64 = 365;

/// Characters of a one-time answer code: capitals and digits without look-alikes (0/O, 1/I/L).
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 8;

/// Wrong codes one client (an address; an IPv6 /64) may enter before it must wait. A computer room
/// behind one address mistypes a few codes per class, and every sheet handed in clears its count;
/// someone guessing codes does not. With 31 symbols and 8 characters (8.5 × 10^11 codes) and
/// 30,000 live codes, a guess hits one in 28 million: the wait keeps a client far below that.
pub const CODE_FAILURES_MAX: u32 = 40;
/// The first wait, and one more for each further wrong code after it, up to the cap.
pub const CODE_WAIT_MINUTES: i64 = 10;
pub const CODE_WAIT_MAX_MINUTES: i64 = 120;
/// A client's count is forgotten after a day without a wrong code.
pub const CODE_FAILURES_KEPT_HOURS: i64 = 24;
