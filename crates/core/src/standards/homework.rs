//! Limits on written homework (书面作业) per grade.
//!
//! Source: 中共中央办公厅 国务院办公厅《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》
//! (2021-07, “双减”意见) 第（五）条, repeated in 《教育部办公厅关于加强义务教育学校作业管理的通知》
//! （教基厅函〔2021〕13号）: 小学一、二年级不布置家庭书面作业，可在校内适当安排巩固练习；小学三至六年级
//! 书面作业平均完成时间不超过60分钟；初中书面作业平均完成时间不超过90分钟. No national limit is set for
//! 高中, so those grades have none here.

use crate::grade::Grade;

use super::Provenance;

pub const PROVENANCE: Provenance = Provenance {
    source: "《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》（2021）；教基厅函〔2021〕13号",
    clause: "全面压减作业总量和时长：一二年级不布置家庭书面作业，三至六年级不超过60分钟，初中不超过90分钟",
    confidence: "[M]",
};

/// The written homework a class may be set on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Limit {
    /// 不布置家庭书面作业 (grades 1–2).
    NoWritten,
    /// At most this many minutes of written homework (the average pupil's time).
    Minutes(u32),
}

impl Limit {
    /// The words a page shows for the limit.
    pub fn label(self) -> String {
        match self {
            Limit::NoWritten => "不布置家庭书面作业".to_string(),
            Limit::Minutes(m) => format!("书面作业不超过{m}分钟"),
        }
    }
}

/// (first grade, last grade, limit), in grade order.
pub const LIMITS: &[(i8, i8, Limit)] =
    &[(1, 2, Limit::NoWritten), (3, 6, Limit::Minutes(60)), (7, 9, Limit::Minutes(90))];

/// The limit of a grade: none outside 义务教育.
pub fn limit_for(grade: Grade) -> Option<Limit> {
    let n = grade.number();
    LIMITS.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&n)).map(|(_, _, l)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(n: i8) -> Grade {
        Grade::new(n).expect("grade")
    }

    #[test]
    fn every_boundary_of_the_table() {
        assert_eq!(limit_for(g(0)), None, "大班");
        assert_eq!(limit_for(g(1)), Some(Limit::NoWritten));
        assert_eq!(limit_for(g(2)), Some(Limit::NoWritten));
        assert_eq!(limit_for(g(3)), Some(Limit::Minutes(60)));
        assert_eq!(limit_for(g(6)), Some(Limit::Minutes(60)));
        assert_eq!(limit_for(g(7)), Some(Limit::Minutes(90)));
        assert_eq!(limit_for(g(9)), Some(Limit::Minutes(90)));
        assert_eq!(limit_for(g(10)), None, "高一");
        assert_eq!(Limit::Minutes(60).label(), "书面作业不超过60分钟");
    }
}
