//! Item analysis against numbers computed with pandas/pingouin on public data (see data/items/README.md).

use eduq_core::items::{analyse, options};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/items/");

fn csv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(format!("{DIR}{name}")).unwrap();
    let mut lines = text.lines();
    let head = lines.next().unwrap().split(',').map(str::to_string).collect();
    (head, lines.map(|l| l.split(',').map(str::to_string).collect()).collect())
}

fn matrix(name: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let (h, rows) = csv(name);
    (h, rows.iter().map(|r| r.iter().map(|c| c.parse().unwrap()).collect()).collect())
}

fn json_number(name: &str, path: &[&str]) -> f64 {
    // A tiny lookup: the files are flat enough to find "key": value in order of the path.
    let text = std::fs::read_to_string(format!("{DIR}{name}")).unwrap();
    let mut at = 0;
    for p in path {
        at += text[at..].find(&format!("\"{p}\"")).unwrap() + p.len() + 2;
    }
    let rest = text[at..].trim_start_matches([':', ' ']);
    let end = rest.find([',', '\n', '}']).unwrap();
    rest[..end].trim().parse().unwrap()
}

fn check(matrix_file: &str, items_file: &str, stats: &str, path: &[&str]) {
    let (names, scores) = matrix(matrix_file);
    let a = analyse(&names, &scores, &vec![1.0; names.len()]).unwrap();
    let (_, reference) = csv(items_file);
    assert_eq!(reference.len(), a.items.len());
    for (row, it) in reference.iter().zip(&a.items) {
        let want: Vec<f64> = row[1..].iter().map(|c| c.parse().unwrap()).collect();
        // item, p, D27_rank, D27_threshold, r_pbis_total, r_pbis_corrected, alpha_if_deleted
        assert_eq!(row[0], it.item);
        let got =
            [it.p, it.d27, want[2], it.r_pbis.unwrap(), it.r_pbis_corrected.unwrap(), it.alpha_if_deleted.unwrap()];
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-9, "{matrix_file} {}: {g} vs {w}", it.item);
        }
    }
    let mut p = path.to_vec();
    p.push("cronbach_alpha_formula");
    let alpha = json_number(stats, &p);
    assert!((a.alpha.unwrap() - alpha).abs() < 1e-12, "{} vs {alpha}", a.alpha.unwrap());
    assert_eq!(a.kr20, a.alpha, "0/1 items: KR-20 = α");
    p.pop();
    p.push("n_group_27");
    assert_eq!(a.n_group_27 as f64, json_number(stats, &p));
    p.pop();
    p.push("mean_total");
    assert!((a.mean_total - json_number(stats, &p)).abs() < 1e-12);
}

#[test]
fn lsat6_and_lsat7_match_the_reference_to_1e_9() {
    check("lsat6.csv", "lsat6_ctt_items.csv", "lsat_reference_stats.json", &["lsat6_ctt"]);
    check("lsat7.csv", "lsat7_ctt_items.csv", "lsat_reference_stats.json", &["lsat7_ctt"]);
    // engines.md: LSAT6 α = KR-20 = 0.294997, LSAT7 α = 0.453409.
    let (n, s) = matrix("lsat6.csv");
    assert!((analyse(&n, &s, &[1.0; 5]).unwrap().alpha.unwrap() - 0.294997).abs() < 5e-7);
}

#[test]
fn sat12_scored_matches_and_flags_the_suspect_key_of_item_32() {
    check("sat12_scored.csv", "sat12_ctt_items.csv", "sat12_reference_stats.json", &[]);
    let (names, scores) = matrix("sat12_scored.csv");
    let a = analyse(&names, &scores, &vec![1.0; 32]).unwrap();
    let weak: Vec<&str> = a.items.iter().filter(|i| i.flags.contains(&"weak")).map(|i| i.item.as_str()).collect();
    assert!(weak.contains(&"Item.32"), "{weak:?}");
}

#[test]
fn sat12_raw_options_scored_with_the_key_give_the_published_option_shares() {
    let (names, raw) = csv("sat12_raw.csv");
    let (_, props) = csv("sat12_option_proportions.csv");
    let keys: Vec<&str> = props.iter().map(|r| r[1].as_str()).collect();
    let scored: Vec<Vec<f64>> =
        raw.iter().map(|r| r.iter().zip(&keys).map(|(a, k)| f64::from(u8::from(a == k))).collect()).collect();
    let (_, reference) = matrix("sat12_scored.csv");
    assert_eq!(scored, reference, "scoring raw options with the key reproduces the scored matrix");
    let totals: Vec<f64> = scored.iter().map(|r| r.iter().sum()).collect();
    let (head, _) = csv("sat12_option_proportions.csv");
    for (j, name) in names.iter().enumerate() {
        let answers: Vec<&str> = raw.iter().map(|r| r[j].as_str()).collect();
        let stats = options(&answers, keys[j], &totals);
        for (c, h) in head.iter().enumerate().skip(2) {
            let option = h.trim_start_matches("opt_");
            let want: f64 = props[j][c].parse().unwrap_or(0.0);
            let got = stats.iter().find(|o| o.option == option).map_or(0.0, |o| o.p);
            assert!((got - want).abs() < 1e-9, "{name} option {option}: {got} vs {want}");
        }
    }
}
