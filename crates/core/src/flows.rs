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

use serde::{Deserialize, Serialize};

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

/// The 初中三年巩固率 cohort: its grade-7 autumn, the last term of its grade-9 year, and its
/// cohort for the county and at each school.
#[derive(Debug, Clone, PartialEq)]
pub struct JuniorCohort {
    pub first: Term,
    pub last: Term,
    pub county: Cohort,
    /// At a school, a move to another school of the county is a 转出 there and a 转入 at the other.
    pub schools: BTreeMap<i64, Cohort>,
}

/// 初中三年巩固率 (教督〔2017〕6号 第八条 item 1) by the cohort method: the pupils who began
/// grade 7 in the autumn term of a school year, followed through the county to their grade-9 year
/// — on roll (or graduated) in the last term held of that year — over the cohort plus 转入 less
/// 转出. The cohort is the latest whose grade-7 autumn and grade-9 year the history both hold. A
/// pupil belongs to it when first seen in the window in the cohort's grade (a repeater of an
/// older cohort does not). `None` when the history is shorter than that.
pub fn junior_three_year(rows: &[FlowRow], held: &[Term]) -> Option<JuniorCohort> {
    let y = held
        .iter()
        .filter(|t| t.term_no == 1 && held.iter().any(|u| u.start_year == t.start_year + 2))
        .map(|t| t.start_year)
        .max()?;
    let first = Term { start_year: y, term_no: 1 };
    let last = *held.iter().filter(|t| t.start_year == y + 2).max()?;
    let mut in_window: Vec<&FlowRow> = rows.iter().filter(|r| r.term >= first && r.term <= last).collect();
    in_window.sort_unstable_by_key(|r| (r.student, r.term));
    // Each pupil's run, in term order: a member's whole run joins the cohort.
    let cohort: Vec<FlowRow> = in_window
        .chunk_by(|a, b| a.student == b.student)
        .filter(|h| i32::from(h[0].grade) == 7 + (h[0].term.start_year - y))
        .flat_map(|h| h.iter().map(|r| **r))
        .collect();
    let (schools, county) = consolidation(&cohort, first, last);
    Some(JuniorCohort {
        first,
        last,
        county: county.cohort,
        schools: schools.into_iter().map(|(id, f)| (id, f.cohort)).collect(),
    })
}

/// Dropouts per grade in a school year: pupils whose status became 辍学 in either term, over
/// the pupils on roll in that grade in the year's first term. (grade, dropouts, on roll).
pub fn dropouts_by_grade(rows: &[FlowRow], start_year: i32) -> Vec<(i8, u32, u32)> {
    dropouts_by(rows, start_year, |r| r.grade).into_iter().map(|(g, (d, n))| (g, d, n)).collect()
}

/// The same per school: school → (dropouts, on roll in the year's first term).
pub fn dropouts_by_school(rows: &[FlowRow], start_year: i32) -> BTreeMap<i64, (u32, u32)> {
    dropouts_by(rows, start_year, |r| r.school)
}

fn dropouts_by<K: Ord>(rows: &[FlowRow], start_year: i32, key: impl Fn(&FlowRow) -> K) -> BTreeMap<K, (u32, u32)> {
    let mut out: BTreeMap<K, (u32, u32)> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.term.start_year == start_year && Grade::is_compulsory_number(r.grade)) {
        let e = out.entry(key(r)).or_default();
        if r.term.term_no == 1 && (r.status.is_on_roll() || r.status == EnrolmentStatus::DroppedOut) {
            e.1 += 1;
        }
        if r.status == EnrolmentStatus::DroppedOut {
            e.0 += 1;
        }
    }
    out
}

/// What the indicator library takes from the 学籍 history for the window ending at a term: the
/// 巩固率 cohort, the year's dropouts and the 初中三年巩固率 cohort, for the county and each school.
/// A few numbers per school where the history holds an entry per pupil and term, so the store keeps
/// them while the roll is unchanged (`flow_summary`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CohortFigures {
    pub county: Cohort,
    /// `None` while the history holds no whole 初中 cohort (see [`junior_three_year`]).
    pub junior: Option<Cohort>,
    pub schools: BTreeMap<i64, SchoolCohorts>,
}

/// A school's part of [`CohortFigures`]; each `None` where the school has no pupil in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchoolCohorts {
    pub cohort: Option<Cohort>,
    pub junior: Option<Cohort>,
    /// (dropouts, on roll in the year's first term) in the school year of the window's last term.
    pub year_dropouts: Option<(u32, u32)>,
}

impl CohortFigures {
    /// The figures of the window from the first of `held` to `last` (terms after `last` ignored).
    pub fn of(rows: &[FlowRow], held: &[Term], last: Term) -> CohortFigures {
        let held: Vec<Term> = held.iter().copied().filter(|t| *t <= last).collect();
        let Some(&first) = held.iter().min() else { return CohortFigures::default() };
        let (schools, county) = consolidation(rows, first, last);
        let junior = junior_three_year(rows, &held);
        let mut out = CohortFigures {
            county: county.cohort,
            junior: junior.as_ref().map(|j| j.county),
            schools: BTreeMap::new(),
        };
        for (id, f) in schools {
            out.schools.entry(id).or_default().cohort = Some(f.cohort);
        }
        for (id, d) in dropouts_by_school(rows, last.start_year) {
            out.schools.entry(id).or_default().year_dropouts = Some(d);
        }
        for (id, c) in junior.into_iter().flat_map(|j| j.schools) {
            out.schools.entry(id).or_default().junior = Some(c);
        }
        out
    }
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
        let by_school: Vec<_> = dropouts_by_school(&rows, 2024).into_iter().collect();
        assert_eq!(
            by_school,
            vec![(a, (0, 5)), (b, (1, 3))],
            "B's 8th-grader dropped out; the kindergartener is not counted"
        );
    }

    #[test]
    fn junior_three_year_follows_the_grade_7_cohort() {
        let rows = vec![
            // 1 goes through grades 7–9 on roll.
            row(1, t(2024, 1), 1, 7, Enrolled),
            row(1, t(2025, 1), 1, 8, Enrolled),
            row(1, t(2026, 1), 1, 9, Enrolled),
            // 2 transfers out of the county in the second year.
            row(2, t(2024, 1), 1, 7, Enrolled),
            row(2, t(2025, 1), 1, 8, TransferOut),
            // 3 drops out in grade 8.
            row(3, t(2024, 1), 1, 7, Enrolled),
            row(3, t(2025, 2), 1, 8, DroppedOut),
            // 4 repeats grade 7 and is on roll in grade 8 at the end: retained.
            row(4, t(2024, 1), 2, 7, Enrolled),
            row(4, t(2025, 1), 2, 7, Enrolled),
            row(4, t(2026, 1), 2, 8, Enrolled),
            // 5 transfers in from outside in grade 8 and stays.
            row(5, t(2025, 1), 2, 8, TransferIn),
            row(5, t(2026, 1), 2, 9, Enrolled),
            // 6 was in grade 8 in 2024 (an older cohort) and repeats: not of this cohort.
            row(6, t(2024, 1), 2, 8, Enrolled),
            row(6, t(2025, 1), 2, 8, Enrolled),
            // 7 is a grade-7 pupil of 2025: a later cohort.
            row(7, t(2025, 1), 1, 7, Enrolled),
            // 8 moves from school 1 to school 2 in grade 8 and stays: no loss to the county.
            row(8, t(2024, 1), 1, 7, Enrolled),
            row(8, t(2025, 1), 2, 8, Enrolled),
            row(8, t(2026, 1), 2, 9, Enrolled),
        ];
        let held = [t(2024, 1), t(2024, 2), t(2025, 1), t(2025, 2), t(2026, 1)];
        let JuniorCohort { first, last, county: c, schools } =
            junior_three_year(&rows, &held).expect("three school years held");
        assert_eq!((first, last), (t(2024, 1), t(2026, 1)));
        // Entry 5 (1–4, 8), in 1 (5), out 1 (2): base 5; retained 1, 4, 5, 8.
        assert_eq!((c.entry, c.transfers_in, c.transfers_out, c.retained), (5, 1, 1, 4));
        assert_eq!(c.rate(), Some(80.0));
        // School 1: entry 1, 2, 3, 8; out 2 and 8 (to school 2); retained 1: 1 of 2.
        let s1 = &schools[&1];
        assert_eq!((s1.entry, s1.transfers_in, s1.transfers_out, s1.retained), (4, 0, 2, 1));
        assert_eq!(s1.rate(), Some(50.0));
        // School 2: entry 4; in 5 and 8; all three retained.
        let s2 = &schools[&2];
        assert_eq!((s2.entry, s2.transfers_in, s2.transfers_out, s2.retained), (1, 2, 0, 3));
        assert_eq!(s2.rate(), Some(100.0));
        assert_eq!(junior_three_year(&rows, &held[..4]), None, "two school years are not enough");
        // The kept figures are these counts, and survive the store's JSON unchanged.
        let kept = CohortFigures::of(&rows, &held, t(2026, 1));
        assert_eq!(kept.junior, Some(c));
        assert_eq!(kept.schools[&1].junior, Some(*s1));
        assert_eq!(kept.schools[&2].year_dropouts, Some((0, 3)), "4, 5 and 8 on roll in 2026's autumn");
        let json = serde_json::to_string(&kept).expect("json");
        assert_eq!(serde_json::from_str::<CohortFigures>(&json).expect("back"), kept);
        // A window ending earlier ignores the later terms: in 2025 no whole 初中 cohort is held.
        let earlier = CohortFigures::of(&rows, &held, t(2025, 2));
        assert_eq!(earlier.junior, None);
        assert_eq!(earlier.county, consolidation(&rows, t(2024, 1), t(2025, 2)).1.cohort);
        assert_eq!(junior_three_year(&rows, &held[1..]), None, "the cohort's autumn term is missing");
    }
}
