//! 新改扩建 building projects: a project's places and milestones; the places it adds once completed
//! and the milestones it is late on, which the plan dashboard shows.

use chrono::NaiveDate;
use serde::Serialize;

crate::labelled_enum! {
    /// 新建, 改建 or 扩建.
    ProjectKind, "项目类型" {
        New => "new", "新建";
        Rebuild => "rebuild", "改建";
        Extend => "extend", "扩建";
    }
}

/// A step of a project with its due date, and the day it was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    pub id: i64,
    pub name: String,
    pub due: NaiveDate,
    pub done: Option<NaiveDate>,
}

impl Milestone {
    /// Not done and past its due date on `day`.
    pub fn late_on(&self, day: NaiveDate) -> bool {
        self.done.is_none() && self.due < day
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    pub name: String,
    pub kind: ProjectKind,
    /// 学位 the project is planned to add, and those it added when completed.
    pub planned_places: u32,
    pub added_places: u32,
    /// The day it was completed (竣工交付).
    pub completed_on: Option<NaiveDate>,
    pub milestones: Vec<Milestone>,
}

impl Project {
    /// Completed on or before `day`.
    pub fn completed_by(&self, day: NaiveDate) -> bool {
        self.completed_on.is_some_and(|d| d <= day)
    }

    /// Places added by `day` (a project adds its places when completed).
    pub fn places_added_by(&self, day: NaiveDate) -> u32 {
        if self.completed_by(day) { self.added_places } else { 0 }
    }

    /// The milestones it is late on, on `day` (none once completed).
    pub fn late_on(&self, day: NaiveDate) -> Vec<&Milestone> {
        if self.completed_by(day) {
            return vec![];
        }
        self.milestones.iter().filter(|m| m.late_on(day)).collect()
    }

    /// 规划, 在建 or 竣工 on `day`.
    pub fn state_on(&self, day: NaiveDate) -> &'static str {
        match (self.completed_by(day), self.milestones.iter().any(|m| m.done.is_some_and(|d| d <= day))) {
            (true, _) => "竣工",
            (false, true) => "在建",
            (false, false) => "规划",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn places_and_lateness_on_a_day() {
        let mut p = Project {
            name: "城东小学扩建".into(),
            kind: ProjectKind::Extend,
            planned_places: 540,
            added_places: 0,
            completed_on: None,
            milestones: vec![
                Milestone { id: 1, name: "开工".into(), due: d(2026, 3, 1), done: Some(d(2026, 3, 5)) },
                Milestone { id: 2, name: "主体封顶".into(), due: d(2026, 10, 31), done: None },
            ],
        };
        assert_eq!(p.state_on(d(2026, 3, 4)), "规划");
        assert_eq!(p.state_on(d(2026, 3, 5)), "在建");
        assert!(p.late_on(d(2026, 10, 31)).is_empty(), "due that day is not late");
        assert_eq!(p.late_on(d(2026, 11, 1)).len(), 1);
        assert!(!p.milestones[0].late_on(d(2027, 1, 1)), "done late is not late any more");
        assert_eq!(p.places_added_by(d(2026, 12, 31)), 0);
        (p.added_places, p.completed_on) = (500, Some(d(2027, 8, 20)));
        assert_eq!((p.places_added_by(d(2027, 8, 19)), p.places_added_by(d(2027, 8, 20))), (0, 500));
        assert!(p.late_on(d(2027, 9, 1)).is_empty() && p.state_on(d(2027, 9, 1)) == "竣工");
    }
}
