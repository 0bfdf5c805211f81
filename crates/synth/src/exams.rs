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
