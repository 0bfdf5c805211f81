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

#[test]
fn analyse_per_subject_and_group_without_ranks() {
    let dir = std::env::temp_dir().join(format!("eduq-analyse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("scores.csv");
    std::fs::write(&input, "考号,班级,语文,数学\n1,一班,95,120\n2,一班,88,缺考\n3,二班,85,90\n4,二班,39,60\n").unwrap();
    let full = dir.join("full.csv");
    std::fs::write(&full, "科目,满分\n数学,150\n").unwrap();
    let out = dir.join("a.json");
    let o = Command::new(env!("CARGO_BIN_EXE_eduq"))
        .args(["exam", "analyse", "--in", input.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .args(["--full-file", full.to_str().unwrap(), "--group", "班级"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let math = v["subjects"].as_array().unwrap().iter().find(|s| s["subject"] == "数学").unwrap();
    assert_eq!(math["full"], 150.0);
    assert_eq!((math["all"]["participants"].as_u64(), math["all"]["absent"].as_u64()), (Some(3), Some(1)));
    assert_eq!(math["all"]["mean"], 90.0);
    // ≥ 85 % of 150 = 127.5: nobody; ≥ 60 % = 90: two of three.
    assert_eq!(math["all"]["excellent_rate"], 0.0);
    assert!((math["all"]["pass_rate"].as_f64().unwrap() - 200.0 / 3.0).abs() < 1e-9);
    let one = math["groups"].as_array().unwrap().iter().find(|g| g["group"] == "一班").unwrap();
    assert!((one["above_mean_rate"].as_f64().unwrap() - (120.0 - 90.0) / 90.0 * 100.0).abs() < 1e-9);
    assert!(!String::from_utf8_lossy(&std::fs::read(&out).unwrap()).contains("rank"), "no ranks");
    std::fs::write(&input, "考号,语文\n1,101\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_eduq"))
        .args(["exam", "analyse", "--in", input.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("第2行「语文」的值“101”不在0到满分100之间"));
    let _ = std::fs::remove_dir_all(&dir);
}
