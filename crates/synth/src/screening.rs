//! Synthetic answer sheets of a screening round: most pupils answer low, a tail answers high, a few
//! answer the critical item, and one sheet in a thousand has a blank or impossible answer, as paper
//! entry produces. Ids look like real 学籍号 of one district (G + 18 digits sharing a long prefix)
//! and rows come shuffled.

use crate::Rng;

/// The header of a file of `items` answers: `编号, 第1题 … 第N题`.
pub fn headers(items: usize) -> Vec<String> {
    std::iter::once("编号".to_string()).chain((1..=items).map(|n| format!("第{n}题"))).collect()
}

/// One pupil's answers (0–3 each): a latent level spreads the pupils over every band.
pub fn answers(rng: &mut Rng, items: usize) -> Vec<i32> {
    // Four pupils in five answer mostly 0; the rest are spread up to the highest band. The last
    // item (PHQ-9's self-harm item) is answered less often than the others, as in school surveys.
    let level = if rng.below(5) < 4 { rng.unit() * 0.5 } else { 0.5 + rng.unit() * 2.7 };
    (0..items)
        .map(|k| {
            let shift = if k + 1 == items { 0.8 } else { 0.0 };
            let v = level - shift + rng.normal() * 0.5;
            v.round().clamp(0.0, 3.0) as i32
        })
        .collect()
}

/// Calls `f` with each row (cells in `headers(items)` order) of `pupils` sheets in shuffled order.
pub fn sheets(seed: u64, pupils: usize, items: usize, mut f: impl FnMut(&[String])) {
    let mut rng = Rng::new(seed ^ 0x5C4EE7);
    let mut order: Vec<usize> = (0..pupils).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut row = vec![String::new(); items + 1];
    for &p in &order {
        row[0] = format!("G3201060120{:08}", 10_000_000 + p * 7 % 90_000_000);
        for (k, a) in answers(&mut rng, items).into_iter().enumerate() {
            row[k + 1] = a.to_string();
        }
        if rng.below(1000) == 0 {
            let k = 1 + rng.below(items as u64) as usize;
            row[k] = if rng.below(2) == 0 { String::new() } else { "4".into() };
        }
        f(&row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheets_reach_every_band_and_keep_ids_unique() {
        let ins = eduq_core::screening::shipped("phq9").expect("phq9");
        let mut bands = vec![0; ins.bands.len()];
        let mut ids = std::collections::HashSet::new();
        sheets(7, 5_000, 9, |row| {
            assert!(ids.insert(row[0].clone()), "unique id");
            if let Ok(a) = ins.answers(row[1..].iter().map(String::as_str)) {
                bands[ins.score(&a).band] += 1;
            }
        });
        assert!(bands.iter().all(|&n| n > 20), "{bands:?}");
        assert!(bands[0] > bands[4] * 3, "{bands:?}");
    }
}
