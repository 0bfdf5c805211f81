//! Plausible ages for a grade, used to reject impossible rows on import.
//!
//! 《义务教育法》第十一条: children enter school at six (seven where conditions require). A pupil
//! in grade g is therefore normally g + 5 years old on 1 September. Repeating, late entry
//! and 随班就读 widen this; rows outside the window below are treated as data errors, not
//! pupils.

use super::Provenance;
use crate::grade::Grade;

pub const PROVENANCE: Provenance = Provenance {
    source: "《中华人民共和国义务教育法》(2018年修正) 第十一条",
    clause: "凡年满六周岁的儿童，其父母或者其他法定监护人应当送其入学接受并完成义务教育；条件不具备的地区的儿童，可以推迟到七周岁。",
    confidence: "[V]",
};

/// Years below the nominal age still accepted (early entry, skipped grades).
pub const YOUNGER_BY: i32 = 2;
/// Years above the nominal age still accepted (late entry, repeats, 随班就读).
pub const OLDER_BY: i32 = 5;

/// Nominal age on 1 September of the school year: 6 in 一年级, 3 in 小班.
pub fn nominal_age(grade: Grade) -> i32 {
    i32::from(grade.number()) + 5
}

/// Whether an age on 1 September is possible for the grade.
pub fn plausible(grade: Grade, age_on_sept_1: i32) -> bool {
    let n = nominal_age(grade);
    (n - YOUNGER_BY..=n + OLDER_BY).contains(&age_on_sept_1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_boundaries() {
        let g1 = Grade::new(1).expect("grade");
        assert_eq!(nominal_age(g1), 6);
        assert!(plausible(g1, 4));
        assert!(!plausible(g1, 3));
        assert!(plausible(g1, 11));
        assert!(!plausible(g1, 12));
        let small = Grade::new(-2).expect("grade");
        assert_eq!(nominal_age(small), 3);
        // Every grade: just inside and just outside both ends of the window.
        for g in Grade::all() {
            let n = nominal_age(g);
            assert!(plausible(g, n - YOUNGER_BY) && plausible(g, n + OLDER_BY), "{g}");
            assert!(!plausible(g, n - YOUNGER_BY - 1) && !plausible(g, n + OLDER_BY + 1), "{g}");
        }
    }
}
