//! The school day (作息) and after-school service (课后服务) rules.
//!
//! Sources: 《教育部办公厅关于进一步加强中小学生睡眠管理工作的通知》（教基厅函〔2021〕11号）: 小学上午
//! 上课时间一般不早于8:20，中学一般不早于8:00; sleep of 10 h (小学), 9 h (初中), 8 h (高中).
//! 《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》(2021) 第（十）条: 课后服务结束时间
//! 原则上不早于当地正常下班时间 — a local time, so the district sets it; eduq's default is 17:30.

use crate::grade::Stage;

use super::Provenance;

pub const PROVENANCE: Provenance = Provenance {
    source: "教基厅函〔2021〕11号；《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》（2021）",
    clause: "上午上课时间小学一般不早于8:20、中学一般不早于8:00；课后服务结束时间原则上不早于当地正常下班时间",
    confidence: "[M]",
};

/// Earliest first lesson in minutes after midnight, by stage.
pub fn earliest_start(stage: Stage) -> Option<u32> {
    match stage {
        Stage::Primary => Some(8 * 60 + 20),
        Stage::Junior | Stage::Senior => Some(8 * 60),
        Stage::Preschool => None,
    }
}

/// Hours of sleep a pupil of the stage should have.
pub fn sleep_hours(stage: Stage) -> Option<f64> {
    match stage {
        Stage::Primary => Some(10.0),
        Stage::Junior => Some(9.0),
        Stage::Senior => Some(8.0),
        Stage::Preschool => None,
    }
}

/// Minutes of the daily 大课间: 中共中央 国务院《关于加强青少年体育增强青少年体质的意见》（中发〔2007〕7号）
/// 每天上午统一安排25—30分钟的大课间体育活动 [M]; eduq counts the upper figure.
pub const BREAK_EXERCISE_MINUTES: u32 = 30;

/// Minutes of physical activity a school day should hold (中发〔2007〕7号: 确保学生每天锻炼一小时).
pub const DAILY_ACTIVITY_MINUTES: u32 = 60;

/// eduq's default for the local end of work (a district setting).
pub const DEFAULT_SERVICE_END: u32 = 17 * 60 + 30;

/// Reads “8:20”, “08:20” or “17：30” into minutes after midnight.
pub fn parse_clock(raw: &str) -> Option<u32> {
    let t = raw.trim().replace('：', ":");
    let (h, m) = t.split_once(':')?;
    let (h, m): (u32, u32) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    (h < 24 && m < 60 && m.to_string().len() <= 2).then_some(h * 60 + m)
}

/// “8:20”.
pub fn clock(minutes: u32) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lines_at_their_boundaries() {
        assert_eq!(earliest_start(Stage::Primary), parse_clock("8:20"));
        assert_eq!(earliest_start(Stage::Junior), parse_clock("08:00"));
        assert_eq!(parse_clock("17：30"), Some(DEFAULT_SERVICE_END));
        assert_eq!((parse_clock("24:00"), parse_clock("8:60"), parse_clock("八点")), (None, None, None));
        assert_eq!(clock(8 * 60 + 5), "8:05");
        assert_eq!(
            (sleep_hours(Stage::Primary), sleep_hours(Stage::Junior), sleep_hours(Stage::Senior)),
            (Some(10.0), Some(9.0), Some(8.0))
        );
    }
}
