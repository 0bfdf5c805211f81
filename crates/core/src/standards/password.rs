//! Password and lockout policy (GB/T 22239-2019 网络安全等级保护基本要求, level 3 habits:
//! complexity, lockout after failures, session timeout).

use super::Provenance;

pub const PROVENANCE: Provenance = Provenance {
    source: "GB/T 22239-2019 信息安全技术 网络安全等级保护基本要求",
    clause: "8.1.4.1 身份鉴别: 口令具有复杂度要求并定期更换；具有登录失败处理功能，配置并启用结束会话、限制非法登录次数和当登录连接超时自动退出等相关措施",
    confidence: "[M] exact figures are the district's policy; the standard names the controls",
};

pub const MIN_LENGTH: usize = 8;
/// Failed logins in a row, from one client on one account, before that client must wait.
pub const MAX_FAILURES: i32 = 5;
/// The first wait after too many failures; each further failure adds as much again.
pub const LOCK_MINUTES: i64 = 15;
/// The longest wait.
pub const MAX_LOCK_MINUTES: i64 = 240;
/// Failures of a client on an account that has not tried again for this long are forgotten.
pub const ATTEMPTS_KEPT_HOURS: i64 = 24;

/// How long a client waits after its `failures`-th failure in a row (eduq's policy: none before
/// [`MAX_FAILURES`], then 15, 30, 45 … minutes up to [`MAX_LOCK_MINUTES`]).
pub fn wait_minutes(failures: i64) -> i64 {
    if failures < i64::from(MAX_FAILURES) {
        0
    } else {
        ((failures - i64::from(MAX_FAILURES) + 1) * LOCK_MINUTES).min(MAX_LOCK_MINUTES)
    }
}
/// Idle time after which a session ends.
pub const IDLE_TIMEOUT_MINUTES: i64 = 30;
/// A session ends this long after login however busy it is (a working day with margin).
pub const SESSION_LIFETIME_HOURS: i64 = 12;

/// At least 8 characters from at least three of: lower, upper, digits, symbols.
pub fn check(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_LENGTH {
        return Err(format!("密码至少{MIN_LENGTH}位"));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|b| **b).count() < 3 {
        return Err("密码须包含大写字母、小写字母、数字、符号中的至少三类".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn policy() {
        assert!(super::check("Abcdef1!").is_ok());
        assert!(super::check("Abcdef1").is_err());
        assert!(super::check("abcdefgh1").is_err());
        assert!(super::check("abcdefG1").is_ok());
    }

    #[test]
    fn waits_grow_after_the_limit() {
        use super::*;
        assert_eq!(wait_minutes(4), 0);
        assert_eq!(wait_minutes(5), 15);
        assert_eq!(wait_minutes(6), 30);
        assert_eq!(wait_minutes(20), 240);
        assert_eq!(wait_minutes(100), 240);
    }
}
