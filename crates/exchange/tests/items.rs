//! Score matrices: scoring, exclusions and row errors of `eduq exam items`.

use eduq_exchange::ExchangeError;
use eduq_exchange::items::item_analysis_file;

fn run(matrix: &str, max: &[(&str, &str)], keys: &[(&str, &str)]) -> Result<serde_json::Value, ExchangeError> {
    let own = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (2, a.to_string(), b.to_string())).collect::<Vec<_>>();
    item_analysis_file(matrix.as_bytes(), "m.csv", &own(max), &own(keys))
}

#[test]
fn identifiers_are_skipped_absent_pupils_excluded_and_options_scored() {
    let m = "学籍号,姓名,T1,T2,T3\nG1,甲,A,2,1\nG2,乙,b,1,0\nG3,丙,C,0,1\nG4,丁,缺考,,\nG5,戊,,2,0\n";
    let v = run(m, &[("T2", "2")], &[("T1", "a")]).unwrap();
    assert_eq!(v["n"], 3 + 1, "G4 left out, G5 kept with an unanswered T1");
    assert_eq!(v["k"], 3);
    assert_eq!(v["excluded"], 1);
    assert_eq!(v["kr20"], serde_json::Value::Null, "T2 is not 0/1");
    let t1 = &v["items"][0];
    assert_eq!(t1["item"], "T1");
    assert_eq!(t1["p"], 0.25, "only G1 answered A");
    assert_eq!(t1["key"], "A");
    let opts: Vec<&str> = t1["options"].as_array().unwrap().iter().map(|o| o["option"].as_str().unwrap()).collect();
    assert_eq!(opts, ["未作答", "A", "B", "C"]);
    assert_eq!(v["items"][1]["p"], 5.0 / 8.0, "T2 mean 1.25 of 2");
    for key in ["item", "p", "d27", "r_pbis", "r_pbis_corrected", "alpha_if_deleted", "flags"] {
        assert!(v["items"][2].get(key).is_some(), "{key}");
    }
}

#[test]
fn bad_scores_are_named() {
    let m = "考号,T1,T2\n1,3,1\n2,x,0\n3,-1,1\n";
    let Err(ExchangeError::Rows(rows)) = run(m, &[("T1", "2")], &[]) else { panic!() };
    let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
    assert_eq!(text[0], "第2行「T1」的值“3”超过该题满分2");
    assert!(text[1].starts_with("第3行「T1」的值“x”不是有效得分"));
    assert!(text[2].starts_with("第4行「T1」的值“-1”不是有效得分"));
    let Err(ExchangeError::Rows(rows)) = run(m, &[("T9", "2")], &[]) else { panic!() };
    assert_eq!(rows[0].to_string(), "第2行「题号」的值“T9”不在成绩表的题目列中（满分文件）");
}
