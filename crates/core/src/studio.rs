//! 名师/名班主任/名校长工作室: the kinds, the activities they log, and a year's plan (how many of
//! each kind of activity) against what was done. Their annual assessment is scored on a rubric by
//! [`crate::rubric`], the engine of 督导, not a second one.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::CoreError;

crate::labelled_enum! {
    StudioKind, "工作室类别" {
        Teacher => "teacher", "名师工作室";
        HeadTeacher => "head_teacher", "名班主任工作室";
        Principal => "principal", "名校长工作室";
    }
}

crate::labelled_enum! {
    ActivityKind, "活动类型" {
        Outreach => "outreach", "送教下乡";
        OpenLesson => "open_lesson", "公开课" | "示范课" | "公开课/示范课";
        Lecture => "lecture", "讲座" | "专题讲座";
        Seminar => "seminar", "教研活动" | "研讨";
        Research => "research", "课题研究";
        Other => "other", "其他";
    }
}

/// The words users read for the kinds of history events the store records.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "activity" => "活动",
        _ => "其他",
    }
}

/// How many activities of each kind a year's plan sets, read from the form's fields (empty is
/// none); a count that is not a whole number from 0 to 999 is an error naming the kind.
pub fn parse_targets(fields: &[(ActivityKind, String)]) -> Result<BTreeMap<ActivityKind, i64>, CoreError> {
    let mut out = BTreeMap::new();
    for (kind, raw) in fields {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        match raw.parse::<i64>() {
            Ok(n) if (0..=999).contains(&n) => {
                if n > 0 {
                    out.insert(*kind, n);
                }
            }
            _ => return Err(CoreError::Invalid(format!("“{}”的计划次数“{raw}”应为0–999的整数", kind.label()))),
        }
    }
    Ok(out)
}

/// A kind's planned and done activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KindProgress {
    pub kind: ActivityKind,
    pub planned: i64,
    pub done: i64,
}

impl KindProgress {
    pub fn met(&self) -> bool {
        self.done >= self.planned
    }
}

/// Planned against done per kind, in the kinds' order: every planned kind and every kind done.
pub fn progress(targets: &BTreeMap<ActivityKind, i64>, done: &[ActivityKind]) -> Vec<KindProgress> {
    ActivityKind::ALL
        .iter()
        .map(|&kind| KindProgress {
            kind,
            planned: targets.get(&kind).copied().unwrap_or(0),
            done: done.iter().filter(|k| **k == kind).count() as i64,
        })
        .filter(|p| p.planned > 0 || p.done > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_progress() {
        let t = parse_targets(&[
            (ActivityKind::Outreach, "4".into()),
            (ActivityKind::Lecture, "".into()),
            (ActivityKind::OpenLesson, "0".into()),
        ])
        .expect("valid");
        assert_eq!(t, BTreeMap::from([(ActivityKind::Outreach, 4)]));
        let e = parse_targets(&[(ActivityKind::Seminar, "2.5".into())]).expect_err("whole numbers");
        assert_eq!(e.to_string(), "“教研活动”的计划次数“2.5”应为0–999的整数");
        let p = progress(&t, &[ActivityKind::Outreach, ActivityKind::Lecture, ActivityKind::Outreach]);
        assert_eq!(
            p,
            vec![
                KindProgress { kind: ActivityKind::Outreach, planned: 4, done: 2 },
                KindProgress { kind: ActivityKind::Lecture, planned: 0, done: 1 },
            ]
        );
        assert!(!p[0].met() && p[1].met());
    }
}
