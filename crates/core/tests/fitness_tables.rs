//! Every boundary of every 体质健康 table: at each threshold the row's score, just beyond it the next
//! lower; monotonic tables; weights summing to 100; BMI bands contiguous; 100-point values equal to an
//! independent source (MS); bonus steps.

use eduq_core::fitness::{Record, score};
use eduq_core::standards::fitness::{ANCHORS, Group, Item, Level, graduation_score, level, split_csv_line, tables};
use eduq_core::student::Sex;

/// The smallest recorded difference of an item's result.
fn resolution(item: Item) -> f64 {
    match item {
        Item::Run50m | Item::SitAndReach => 0.1,
        _ => 1.0,
    }
}

#[test]
fn every_row_boundary_of_every_item_table() {
    let t = tables();
    // 小学 1–2: 4 items, 3–4: 5, 5–6: 6 (× 2 grades × 2 sexes); 初中/高中 6 grades × 6 items × 2 sexes; 大学 2 × 6 × 2.
    assert_eq!(t.items.len(), (4 + 5 + 6) * 2 * 2 + 6 * 6 * 2 + 2 * 6 * 2, "tables per group, sex and item");
    let mut checked = 0;
    for (&(g, s, item), table) in &t.items {
        let d = resolution(item);
        let worse = |v: f64| if table.lower_is_better { v + d } else { v - d };
        for (k, &(points, threshold)) in table.rows.iter().enumerate() {
            assert_eq!(table.score(threshold), points, "{g:?} {s:?} {item:?} at {threshold}");
            let beyond = (worse(threshold) * 10.0).round() / 10.0;
            let below = table.score(beyond);
            assert!(below < points, "{g:?} {s:?} {item:?}: {beyond} must score below {points}");
            if let Some(&(next_points, next_threshold)) = table.rows.get(k + 1) {
                let reaches = if table.lower_is_better { beyond <= next_threshold } else { beyond >= next_threshold };
                if reaches {
                    assert_eq!(below, next_points, "{g:?} {s:?} {item:?} at {beyond}");
                }
                // Monotonic: strictly better thresholds for strictly higher scores.
                assert!(next_points < points);
                assert!(if table.lower_is_better { next_threshold > threshold } else { next_threshold < threshold });
            } else {
                assert_eq!(below, 0, "below the last row scores 0");
            }
            checked += 2;
        }
        // Better than the 100-point value is still 100.
        let better = if table.lower_is_better { table.full_marks() - 5.0 } else { table.full_marks() + 5.0 };
        assert_eq!(table.score(better), 100);
    }
    assert!(checked > 5_000, "{checked}");
}

#[test]
fn weights_sum_to_100_for_every_group_and_sex() {
    for g in Group::all() {
        for s in [Sex::Male, Sex::Female] {
            let w = &tables().weights[&(g, s)];
            assert_eq!(w.iter().map(|x| x.1).sum::<u32>(), 100, "{g:?} {s:?}");
            for &(item, _) in w {
                assert!(
                    item == Item::Bmi || tables().items.contains_key(&(g, s, item)),
                    "{g:?} {s:?} {item:?} has a table"
                );
            }
        }
    }
    let names = |g, s| tables().weights[&(g, s)].iter().map(|x| x.0).collect::<Vec<_>>();
    assert!(names(Group::Grade(8), Sex::Male).contains(&Item::PullUp));
    assert!(names(Group::Grade(8), Sex::Female).contains(&Item::Run800m));
    assert!(names(Group::Grade(5), Sex::Male).contains(&Item::Shuttle50x8));
}

#[test]
fn bmi_bands_are_contiguous_at_0_1_and_match_the_anchors() {
    for g in Group::all() {
        for s in [Sex::Male, Sex::Female] {
            let bands = &tables().bmi[&(g, s)];
            assert_eq!(bands.len(), 4, "{g:?} {s:?}");
            for tenth in 80..=500 {
                let b = f64::from(tenth) / 10.0;
                let hits = bands
                    .iter()
                    .filter(|x| x.min.is_none_or(|m| b >= m - 1e-9) && x.max.is_none_or(|m| b <= m + 1e-9))
                    .count();
                assert_eq!(hits, 1, "{g:?} {s:?} BMI {b}");
            }
            let normal = bands.iter().find(|b| b.category == "正常").unwrap();
            let (lo, hi) = (normal.min.unwrap(), normal.max.unwrap());
            // Just at and just beyond both edges of 正常.
            assert_eq!(tables().bmi_band(g, s, lo).unwrap().score, 100);
            assert_eq!(tables().bmi_band(g, s, hi).unwrap().score, 100);
            assert_eq!(tables().bmi_band(g, s, ((lo - 0.1) * 10.0).round() / 10.0).unwrap().category, "低体重");
            assert_eq!(tables().bmi_band(g, s, ((hi + 0.1) * 10.0).round() / 10.0).unwrap().category, "超重");
            let obese = bands.iter().find(|b| b.category == "肥胖").unwrap();
            assert_eq!(obese.score, 60);
            assert_eq!(tables().bmi_band(g, s, obese.min.unwrap()).unwrap().category, "肥胖");
            assert_eq!(
                tables().bmi_band(g, s, ((obese.min.unwrap() - 0.1) * 10.0).round() / 10.0).unwrap().category,
                "超重"
            );
        }
    }
}

#[test]
fn hundred_point_values_equal_the_independent_anchor_source() {
    let mut checked = 0;
    for line in ANCHORS.lines().skip(1) {
        let r = split_csv_line(line);
        let g = Group::Grade(r[0].parse().unwrap());
        let s = if r[1] == "male" { Sex::Male } else { Sex::Female };
        if r[2] == "bmi_normal_range" {
            let (lo, hi) = r[4].split_once('-').unwrap();
            let normal = tables().bmi[&(g, s)].iter().find(|b| b.category == "正常").unwrap().clone();
            assert_eq!(
                (normal.min.unwrap(), normal.max.unwrap()),
                (lo.parse().unwrap(), hi.parse().unwrap()),
                "{line}"
            );
        } else {
            let item = Item::parse(&r[2]).unwrap();
            let want: f64 = r[4].parse().unwrap();
            assert_eq!(tables().items[&(g, s, item)].full_marks(), want, "{line}");
        }
        checked += 1;
    }
    assert_eq!(checked, 156);
}

#[test]
fn bonus_steps_start_beyond_the_100_point_value() {
    let t = tables();
    let rope = &t.bonus[&(Group::Grade(3), Sex::Female, Item::Rope1min)];
    assert_eq!(rope.max(), 20);
    assert_eq!(
        (rope.points(1.0), rope.points(2.0), rope.points(3.0), rope.points(40.0), rope.points(99.0)),
        (0, 1, 1, 20, 20)
    );
    let pull = &t.bonus[&(Group::Grade(9), Sex::Male, Item::PullUp)];
    assert_eq!((pull.points(0.0), pull.points(1.0), pull.points(10.0), pull.points(12.0)), (0, 1, 10, 10));
    let run = &t.bonus[&(Group::Grade(10), Sex::Male, Item::Run1000m)];
    assert_eq!((run.points(3.0), run.points(4.0), run.points(35.0)), (0, 1, 10));
    assert!(!t.bonus.contains_key(&(Group::Grade(3), Sex::Male, Item::PullUp)));
    assert!(t.bonus.contains_key(&(Group::U12, Sex::Female, Item::Run800m)));
}

#[test]
fn levels_and_graduation_score_at_their_boundaries() {
    assert_eq!(level(90.0), Level::Excellent);
    assert_eq!(level(89.9), Level::Good);
    assert_eq!(level(80.0), Level::Good);
    assert_eq!(level(79.9), Level::Pass);
    assert_eq!(level(60.0), Level::Pass);
    assert_eq!(level(59.9), Level::Fail);
    assert_eq!(graduation_score(80.0, &[70.0, 90.0]), 80.0);
    assert_eq!(graduation_score(66.0, &[]), 66.0);
}

fn full_record(g: Group, s: Sex, points: u32) -> Record {
    let t = tables();
    let items = t.weights[&(g, s)]
        .iter()
        .filter(|w| w.0 != Item::Bmi)
        .map(|&(item, _)| {
            let row = t.items[&(g, s, item)].rows.iter().find(|r| r.0 == points).copied().unwrap();
            (item, row.1)
        })
        .collect();
    // 正常 BMI for every group: 1.40 m and the weight giving the middle of the normal band.
    let normal = t.bmi[&(g, s)].iter().find(|b| b.category == "正常").unwrap();
    let mid = (normal.min.unwrap() + normal.max.unwrap()) / 2.0;
    Record { height_cm: Some(140.0), weight_kg: Some(mid * 1.96), items, exempt: false }
}

#[test]
fn a_pupil_scored_end_to_end() {
    // Every item at exactly 80 points and a normal BMI: 标准分 = 15·100% + 85%·80 = 83.
    for g in Group::all() {
        for s in [Sex::Male, Sex::Female] {
            let r = score(g, s, &full_record(g, s, 80));
            assert_eq!(r.standard, Some(83.0), "{g:?} {s:?}");
            assert_eq!(r.level, Some(Level::Good));
            assert_eq!(r.bonus, 0);
        }
    }
    // Grade 2 girl: rope 10 reps beyond the 100-point value earns +5.
    let g = Group::Grade(2);
    let mut r = full_record(g, Sex::Female, 100);
    let full = tables().items[&(g, Sex::Female, Item::Rope1min)].full_marks();
    r.items.retain(|x| x.0 != Item::Rope1min);
    r.items.push((Item::Rope1min, full + 10.0));
    let s = score(g, Sex::Female, &r);
    assert_eq!((s.standard, s.bonus, s.total), (Some(100.0), 5, Some(105.0)));
    // A missing item: no total, the item named.
    r.items.retain(|x| x.0 != Item::Run50m);
    let s = score(g, Sex::Female, &r);
    assert_eq!((s.total, s.missing.clone()), (None, vec![Item::Run50m]));
    let exempt = score(g, Sex::Female, &Record { exempt: true, ..r });
    assert_eq!((exempt.total, exempt.missing.len()), (None, 0));
}

/// `ItemTable::score` counts the rows not reached; the definition is the first row (from 100 down)
/// the value reaches.
#[test]
fn bisection_scores_as_the_first_row_reached() {
    for (&(g, s, item), table) in &tables().items {
        let (best, worst) = (table.rows[0].1, table.rows[table.rows.len() - 1].1);
        let (lo, hi) = (best.min(worst) - 10.0, best.max(worst) + 10.0);
        let step = resolution(item) / 2.0;
        let mut v = lo;
        while v <= hi {
            let reached = |t: f64| if table.lower_is_better { v <= t + 1e-9 } else { v >= t - 1e-9 };
            let want = table.rows.iter().find(|&&(_, t)| reached(t)).map_or(0, |&(p, _)| p);
            assert_eq!(table.score(v), want, "{g:?} {s:?} {item:?} at {v}");
            v += step;
        }
    }
}
