//! Synthetic test responses: a Rasch model (ability ~ N(0,1), difficulties spread over [−2, 2]),
//! with the key of one item in twenty deliberately wrong so that the analysis has something to find.

use crate::Rng;

/// `responses[pupil][item]` in {0, 1}.
pub fn responses(seed: u64, pupils: usize, items: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed ^ 0xE7A3_u64);
    let b: Vec<f64> = (0..items).map(|j| -2.0 + 4.0 * (j as f64 + 0.5) / items.max(1) as f64).collect();
    (0..pupils)
        .map(|_| {
            let theta = rng.normal();
            (0..items)
                .map(|j| {
                    let p = 1.0 / (1.0 + (b[j] - theta).exp());
                    let correct = rng.unit() < p;
                    // Every 20th item is scored with a wrong key: pupils who knew the answer lose the point.
                    u8::from(if j % 20 == 19 { !correct && rng.unit() < 0.3 } else { correct })
                })
                .collect()
        })
        .collect()
}

/// One item of a synthetic paper.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSpec {
    pub max: f64,
    /// The key of an objective item (A–D); `None` for a subjective one.
    pub key: Option<char>,
    pub difficulty: f64,
}

/// A paper of 12 objective items (3 points each) and 8 subjective ones, 120 points in all,
/// difficulties spread from easy to hard.
pub fn paper(seed: u64) -> Vec<ItemSpec> {
    let mut rng = Rng::new(seed ^ 0x9A9E_u64);
    let subjective = [8.0, 8.0, 10.0, 10.0, 12.0, 12.0, 12.0, 12.0];
    let mut items: Vec<ItemSpec> = (0..12)
        .map(|j| ItemSpec {
            max: 3.0,
            key: Some((b'A' + rng.below(4) as u8) as char),
            difficulty: -1.8 + 2.6 * j as f64 / 11.0,
        })
        .collect();
    items.extend(subjective.iter().enumerate().map(|(j, &max)| ItemSpec {
        max,
        key: None,
        difficulty: -1.0 + 2.4 * j as f64 / 7.0,
    }));
    items
}

/// A pupil's answer sheet on `occasion` (0, 1, 2, … in time order): options for objective items,
/// points (halves) for subjective ones; `None` when absent (about 1 in 100). Ability persists
/// across occasions; each school adds a level and a growth of its own, so that value-added has
/// something to find.
pub fn sitting(seed: u64, pupil: u64, school: u64, occasion: u32, items: &[ItemSpec]) -> Option<Vec<String>> {
    let ability = Rng::new(seed ^ pupil.wrapping_mul(0x9E37_79B9_7F4A_7C15)).normal();
    let mut s = Rng::new(seed ^ school.wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ 0x5C4);
    let (level, growth) = (0.35 * s.normal(), 0.25 * s.normal());
    let mut rng = Rng::new(seed ^ pupil.rotate_left(17) ^ u64::from(occasion).wrapping_mul(0x1656_67B1));
    if rng.unit() < 0.01 {
        return None;
    }
    let theta = ability + level + growth * f64::from(occasion) + 0.35 * rng.normal();
    Some(
        items
            .iter()
            .map(|it| {
                let p = 1.0 / (1.0 + (-1.7 * (theta - it.difficulty)).exp());
                match it.key {
                    Some(key) if rng.unit() < p => key.to_string(),
                    Some(key) => {
                        let wrong: Vec<char> = ['A', 'B', 'C', 'D'].into_iter().filter(|c| *c != key).collect();
                        wrong[rng.below(3) as usize].to_string()
                    }
                    None => {
                        let share = (p + 0.12 * rng.normal()).clamp(0.0, 1.0);
                        ((share * it.max * 2.0).round() / 2.0).to_string()
                    }
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod sitting_tests {
    use super::*;

    #[test]
    fn papers_and_sittings_are_repeatable_and_in_range() {
        let items = paper(7);
        assert_eq!(items.iter().map(|i| i.max).sum::<f64>(), 120.0);
        assert_eq!(paper(7), items);
        let a = sitting(1, 42, 3, 0, &items);
        assert_eq!(a, sitting(1, 42, 3, 0, &items));
        let sheets: Vec<Vec<String>> = (0..300).filter_map(|p| sitting(1, p, p % 7, 1, &items)).collect();
        assert!(sheets.len() > 280);
        for s in &sheets {
            for (cell, it) in s.iter().zip(&items) {
                match it.key {
                    Some(_) => assert!(["A", "B", "C", "D"].contains(&cell.as_str())),
                    None => assert!((0.0..=it.max).contains(&cell.parse::<f64>().expect("points"))),
                }
            }
        }
    }
}
