//! 巩固率 and pupil flows by the cohort method, over the terms of 学籍 history eduq holds.
//!
//! Each pupil's history is followed term by term. At county level, a pupil of compulsory age on
//! roll in the first term is in the entry cohort; one who joins later by 转入 adds to it; a
//! 转出 leaves it (it is not a dropout); 辍学 and pupils who vanish without a status are lost.
//! Graduating from grade 9 and being on roll (or 休学, which keeps the 学籍) in the last term
//! count as retained. At school level, moving to another school of the county is a transfer out
//! of the first and into the second, and leaving grade 6 for grade 7 elsewhere is 升学 (retained).
//! A pupil who finishes grade 6 and enters no junior school of the county is retained for the
//! primary stage and counted apart, so that 小升初 losses are checked.
//! Deaths have no 学籍 status in eduq's records yet and count as zero.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::calendar::Term;
use crate::dropout::Cohort;
use crate::grade::Grade;
use crate::student::EnrolmentStatus;

/// One pupil in one term, as the 学籍 history holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowRow {
    pub student: i64,
    pub term: Term,
    pub school: i64,
    pub grade: i8,
    pub status: EnrolmentStatus,
}

/// What happened to one pupil's stay at a unit (a school, or the county).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Retained,
    /// Finished grade 6 and appears in no junior school of the county (may have gone elsewhere).
    PrimaryLeaver,
    Out,
    Dropout,
    Lost,
}

/// The flows of one unit over the window.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Flows {
    pub cohort: Cohort,
    pub dropouts: u32,
    /// Vanished without a terminal status (neither 转出 nor 辍学): to be checked as 疑似辍学.
    pub lost: u32,
    pub lost_pupils: Vec<i64>,
    /// Finished primary school (grade 6) and entered no junior school of the county: retained for
    /// the primary stage, shown apart so that 小升初 losses are checked.
    pub primary_leavers: u32,
}

fn add(f: &mut Flows, student: i64, entered_first: bool, end: End) {
    if entered_first {
        f.cohort.entry += 1;
    } else {
        f.cohort.transfers_in += 1;
    }
    match end {
        End::Retained => f.cohort.retained += 1,
        End::PrimaryLeaver => {
            f.cohort.retained += 1;
            f.primary_leavers += 1;
        }
        End::Out => f.cohort.transfers_out += 1,
        End::Dropout => f.dropouts += 1,
        End::Lost => {
            f.lost += 1;
            f.lost_pupils.push(student);
        }
    }
}

/// The end of a stay whose last row is `r`, given the term after which the window closes.
fn end_of(r: &FlowRow, last: Term, next: Option<&FlowRow>) -> End {
    match r.status {
        EnrolmentStatus::TransferOut => return End::Out,
        EnrolmentStatus::DroppedOut => return End::Dropout,
        EnrolmentStatus::Graduated => return End::Retained,
        _ => {}
    }
    if r.term == last {
        return End::Retained;
    }
    if r.grade == 9 && r.term.term_no == 2 {
        return End::Retained;
    }
    match next {
        Some(n) if r.grade == 6 && n.grade == 7 => End::Retained,
        Some(_) => End::Out,
        None if r.grade == 6 && r.term.term_no == 2 => End::PrimaryLeaver,
        None => End::Lost,
    }
}

/// Flows per school and for the county over the terms from `first` to `last`. Rows of other
/// terms and of non-compulsory grades are ignored; rows need not be sorted.
pub fn consolidation(rows: &[FlowRow], first: Term, last: Term) -> (BTreeMap<i64, Flows>, Flows) {
    // Sorting references by pupil and term, then walking each pupil's run, is a third of the time
    // of a map of vectors at province size (12M rows), and the store hands rows grouped by pupil.
    let mut rows: Vec<&FlowRow> =
        rows.iter().filter(|r| r.term >= first && r.term <= last && Grade::is_compulsory_number(r.grade)).collect();
    rows.sort_unstable_by_key(|r| (r.student, r.term));
    let mut schools: BTreeMap<i64, Flows> = BTreeMap::new();
    let mut county = Flows::default();
    for h in rows.chunk_by(|a, b| a.student == b.student) {
        let student = h[0].student;
        let first_row = h[0];
        // New grade-1 entrants after the first term start a later cohort, outside this window's base.
        let joins_late = first_row.term > first;
        if joins_late && first_row.status != EnrolmentStatus::TransferIn {
            continue;
        }
        let county_end = end_of(h[h.len() - 1], last, None);
        add(&mut county, student, !joins_late, county_end);
        let mut start = 0;
        for i in 0..h.len() {
            let next = h.get(i + 1).copied();
            if next.is_some_and(|n| n.school == h[i].school) {
                continue;
            }
            let seg_first = h[start];
            let entered_first = seg_first.term == first;
            let end = end_of(h[i], last, next);
            // A move within the county continues the pupil's stay in the county.
            add(schools.entry(h[i].school).or_default(), student, entered_first, end);
            start = i + 1;
        }
    }
    (schools, county)
}

/// Dropouts per grade in a school year: pupils whose status became 辍学 in either term, over
/// the pupils on roll in that grade in the year's first term. (grade, dropouts, on roll).
pub fn dropouts_by_grade(rows: &[FlowRow], start_year: i32) -> Vec<(i8, u32, u32)> {
    let mut out: BTreeMap<i8, (u32, u32)> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.term.start_year == start_year && Grade::is_compulsory_number(r.grade)) {
        let e = out.entry(r.grade).or_default();
        if r.term.term_no == 1 && (r.status.is_on_roll() || r.status == EnrolmentStatus::DroppedOut) {
            e.1 += 1;
        }
        if r.status == EnrolmentStatus::DroppedOut {
            e.0 += 1;
        }
    }
    out.into_iter().map(|(g, (d, n))| (g, d, n)).collect()
}

#[cfg(test)]
mod tests {
    use super::EnrolmentStatus::*;
    use super::*;

    fn t(y: i32, n: u8) -> Term {
        Term { start_year: y, term_no: n }
    }

    fn row(student: i64, term: Term, school: i64, grade: i8, status: EnrolmentStatus) -> FlowRow {
        FlowRow { student, term, school, grade, status }
    }

    #[test]
    fn cohort_flows_at_county_and_school_level() {
        let (a, b) = (1, 2);
        let rows = vec![
            // 1 stays at A all along.
            row(1, t(2024, 1), a, 3, Enrolled),
            row(1, t(2025, 1), a, 4, Enrolled),
            // 2 moves from A to B within the county: retained in the county, out of A, into B.
            row(2, t(2024, 1), a, 3, Enrolled),
            row(2, t(2025, 1), b, 4, TransferIn),
            // 3 transfers out of the county.
            row(3, t(2024, 1), a, 5, Enrolled),
            row(3, t(2024, 2), a, 5, TransferOut),
            // 4 drops out.
            row(4, t(2024, 1), b, 8, Enrolled),
            row(4, t(2024, 2), b, 8, DroppedOut),
            // 5 vanishes without a status.
            row(5, t(2024, 1), b, 8, Enrolled),
            // 6 graduates from grade 9 at the end of the first year.
            row(6, t(2024, 1), b, 9, Enrolled),
            row(6, t(2024, 2), b, 9, Enrolled),
            // 7 leaves primary school A for junior school B: 升学, retained by both.
            row(7, t(2024, 2), a, 6, Enrolled),
            row(7, t(2024, 1), a, 6, Enrolled),
            row(7, t(2025, 1), b, 7, Enrolled),
            // 11 finishes primary school and enters no junior school of the county.
            row(11, t(2024, 1), a, 6, Enrolled),
            row(11, t(2024, 2), a, 6, Enrolled),
            // 8 transfers in from outside in the second year.
            row(8, t(2025, 1), a, 4, TransferIn),
            // 9 is a new first-grader of the second year: a later cohort, not counted.
            row(9, t(2025, 1), a, 1, Enrolled),
            // 10 is in a kindergarten class: not compulsory.
            row(10, t(2024, 1), a, 0, Enrolled),
        ];
        let (schools, county) = consolidation(&rows, t(2024, 1), t(2025, 1));
        assert_eq!(
            county.cohort,
            Cohort { entry: 8, transfers_in: 1, transfers_out: 1, deaths: 0, retained: 6 },
            "1, 2, 6, 7, 8, 11 retained"
        );
        assert_eq!(county.primary_leavers, 1);
        assert_eq!((county.dropouts, county.lost, county.lost_pupils.clone()), (1, 1, vec![5]));
        assert_eq!(county.cohort.rate(), Some(6.0 / 8.0 * 100.0));
        let sa = &schools[&a];
        assert_eq!(sa.cohort, Cohort { entry: 5, transfers_in: 1, transfers_out: 2, deaths: 0, retained: 4 });
        let sb = &schools[&b];
        assert_eq!(
            sb.cohort,
            Cohort { entry: 3, transfers_in: 2, transfers_out: 0, deaths: 0, retained: 3 },
            "2, 6, 7"
        );
        assert_eq!((sb.dropouts, sb.lost), (1, 1));
        assert_eq!(dropouts_by_grade(&rows, 2024), vec![(3, 0, 2), (5, 0, 1), (6, 0, 2), (8, 1, 2), (9, 0, 1)]);
        assert_eq!(dropouts_by_grade(&rows, 2025), vec![(1, 0, 1), (4, 0, 3), (7, 0, 1)]);
    }
}
