//! `eduq exam items` on LSAT6: the JSON contract and the reference numbers.

use std::process::Command;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/data/items/");

#[test]
fn lsat6_json_matches_the_reference() {
    let out = std::env::temp_dir().join(format!("eduq-items-{}.json", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_eduq"))
        .args(["exam", "items", "--in", &format!("{DATA}lsat6.csv"), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!((v["n"].as_u64(), v["k"].as_u64()), (Some(1000), Some(5)));
    assert!((v["alpha"].as_f64().unwrap() - 0.29499719221594417).abs() < 1e-9);
    assert_eq!(v["kr20"], v["alpha"]);
    let reference = std::fs::read_to_string(format!("{DATA}lsat6_ctt_items.csv")).unwrap();
    for (line, item) in reference.lines().skip(1).zip(v["items"].as_array().unwrap()) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(item["item"], f[0]);
        for (key, col) in [("p", 1), ("d27", 2), ("r_pbis", 4), ("r_pbis_corrected", 5), ("alpha_if_deleted", 6)] {
            let want: f64 = f[col].parse().unwrap();
            assert!((item[key].as_f64().unwrap() - want).abs() < 1e-9, "{} {key}", f[0]);
        }
        assert!(
            item["flags"].as_array().unwrap().iter().any(|x| x == "weak"),
            "every LSAT6 item has corrected r < 0.2"
        );
    }
    let _ = std::fs::remove_file(out);
}
