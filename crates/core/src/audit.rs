//! The audit log's vocabulary: each action's key as stored, and its name as people read it.

/// Every action eduq writes to the audit log, with its Chinese name.
pub const ACTIONS: &[(&str, &str)] = &[
    ("login", "登录"),
    ("login_failed", "登录失败"),
    ("login_lock", "登录暂停（连续失败）"),
    ("login_throttled", "暂停期间尝试登录"),
    ("login_locked", "锁定期间登录"),
    ("logout", "退出"),
    ("import", "导入"),
    ("export", "导出"),
    ("read_special_groups", "查看特殊群体"),
    ("user_create", "创建用户"),
    ("user_update", "修改用户"),
    ("attendance_import", "导入考勤"),
    ("attendance_correct", "更正点名"),
    ("alert_handle", "处理预警"),
    ("case_read", "查看劝返案件"),
    ("case_evidence_add", "上传案件证据"),
    ("case_evidence_read", "查看案件证据"),
    ("calendar_set", "设置校历"),
    ("report_monthly", "生成月报"),
    ("report_quarterly", "生成季报"),
    ("district_input", "填报区县数据"),
    ("plan_import", "导入计划"),
    ("exam_create", "创建考试"),
    ("exam_structure", "导入试卷结构"),
    ("exam_scores", "导入成绩"),
    ("fitness_national", "导出体质健康上报数据"),
    ("lottery_roster_read", "查看派位名单"),
    ("classes_assign", "均衡分班"),
];

/// The Chinese name of an action (the key itself for one this list does not know).
pub fn action_label(key: &str) -> &str {
    ACTIONS.iter().find(|(k, _)| *k == key).map_or(key, |(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_once_and_named_in_chinese() {
        for (i, (k, l)) in ACTIONS.iter().enumerate() {
            assert!(!ACTIONS[..i].iter().any(|(x, _)| x == k), "{k} twice");
            assert!(!l.is_ascii(), "{k} has a Chinese name");
        }
        assert_eq!(action_label("export"), "导出");
        assert_eq!(action_label("unknown_key"), "unknown_key");
    }
}
