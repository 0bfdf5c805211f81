//! What a 学区 or 教育集团 does together (送教, 同步课堂, teacher exchange, 联合教研, …): the log the
//! bureau and the member schools keep, and its counts per group and school year.

use chrono::NaiveDate;
use serde::Serialize;

crate::labelled_enum! {
    /// The kind of a group activity.
    ActivityKind, "活动类型" {
        SendTeaching => "send_teaching", "送教" | "送教下乡" | "送课";
        SyncClass => "sync_class", "同步课堂" | "专递课堂";
        TeacherExchange => "teacher_exchange", "教师交流" | "跟岗交流";
        JointResearch => "joint_research", "联合教研" | "集体备课";
        JointExam => "joint_exam", "联合考试" | "联考";
        Training => "training", "培训讲座" | "讲座";
        Other => "other", "其他";
    }
}

/// One activity as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub kind: ActivityKind,
    pub held_on: NaiveDate,
    pub title: String,
    /// The member school that holds or sends it.
    pub host_school_id: i64,
    /// The member school it goes to (送教, 同步课堂's receiving end, the exchange's school), if one.
    pub to_school_id: Option<i64>,
    /// Teachers (or pupils, for a 同步课堂) taking part.
    pub participants: u32,
}

/// The most participants one entry may state: a typo guard, not a rule.
pub const MAX_PARTICIPANTS: u32 = 10_000;

/// Checks an entry against the group's members: both schools members, distinct, not in the future.
pub fn check(a: &Activity, members: &[i64], today: NaiveDate) -> Result<(), String> {
    if a.title.trim().is_empty() {
        return Err("请填写活动名称".into());
    }
    if a.held_on > today {
        return Err(format!("活动日期{}晚于今天，请在活动后登记", a.held_on));
    }
    if !members.contains(&a.host_school_id) {
        return Err("承办学校不是本学区或集团的成员".into());
    }
    match a.to_school_id {
        Some(to) if to == a.host_school_id => return Err("承办学校与对象学校相同".into()),
        Some(to) if !members.contains(&to) => return Err("对象学校不是本学区或集团的成员".into()),
        _ => {}
    }
    if a.participants > MAX_PARTICIPANTS {
        return Err(format!("参与人数“{}”应在0到{MAX_PARTICIPANTS}之间", a.participants));
    }
    Ok(())
}

/// Counts per kind over the activities held in a school year, as eduq's terms bound it
/// ([`crate::calendar::Term::containing`]: August opens the coming year's first term).
pub fn counts_in_year(activities: &[&Activity], start_year: i32) -> Vec<(ActivityKind, usize)> {
    let in_year = |a: &&&Activity| crate::calendar::Term::containing(a.held_on).start_year == start_year;
    ActivityKind::ALL
        .iter()
        .map(|k| (*k, activities.iter().filter(|a| a.kind == *k).filter(in_year).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn activity(kind: ActivityKind, held_on: NaiveDate) -> Activity {
        Activity {
            kind,
            held_on,
            title: "送教到村小".into(),
            host_school_id: 1,
            to_school_id: Some(2),
            participants: 6,
        }
    }

    #[test]
    fn entries_are_checked_against_the_members() {
        let today = day(2026, 12, 4);
        let a = activity(ActivityKind::SendTeaching, day(2026, 11, 20));
        assert_eq!(check(&a, &[1, 2, 3], today), Ok(()));
        assert_eq!(
            check(&Activity { held_on: day(2026, 12, 5), ..a.clone() }, &[1, 2], today).unwrap_err(),
            "活动日期2026-12-05晚于今天，请在活动后登记"
        );
        assert_eq!(check(&a, &[1, 3], today).unwrap_err(), "对象学校不是本学区或集团的成员");
        assert_eq!(check(&a, &[2, 3], today).unwrap_err(), "承办学校不是本学区或集团的成员");
        assert!(check(&Activity { to_school_id: Some(1), ..a.clone() }, &[1, 2], today).is_err());
        assert!(check(&Activity { title: " ".into(), ..a.clone() }, &[1, 2], today).is_err());
        assert!(check(&Activity { participants: MAX_PARTICIPANTS, ..a.clone() }, &[1, 2], today).is_ok());
        assert!(check(&Activity { participants: MAX_PARTICIPANTS + 1, ..a.clone() }, &[1, 2], today).is_err());
        assert_eq!(ActivityKind::parse("送教下乡"), Ok(ActivityKind::SendTeaching));
    }

    /// A school year runs from 1 August to 31 July as eduq's terms do: both ends count.
    #[test]
    fn counts_follow_the_school_year() {
        let list = [
            activity(ActivityKind::SendTeaching, day(2025, 7, 31)),
            activity(ActivityKind::SendTeaching, day(2025, 8, 1)),
            activity(ActivityKind::SyncClass, day(2026, 7, 31)),
            activity(ActivityKind::SyncClass, day(2026, 8, 1)),
        ];
        let refs: Vec<&Activity> = list.iter().collect();
        assert_eq!(counts_in_year(&refs, 2025), vec![(ActivityKind::SendTeaching, 1), (ActivityKind::SyncClass, 1)]);
        assert_eq!(counts_in_year(&refs, 2026), vec![(ActivityKind::SyncClass, 1)]);
    }
}
