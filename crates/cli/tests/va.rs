//! `eduq va fit` on the Exam data: the three files of the contract and their numbers.

use std::process::Command;

const EXAM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/data/valueadded/exam.csv");

#[test]
fn writes_fixed_variance_and_effects() {
    let dir = std::env::temp_dir().join(format!("eduq-va-{}", std::process::id()));
    // Two pupils lose a value: they are left out and counted.
    let mut text = std::fs::read_to_string(EXAM).unwrap();
    text.push_str("66,,mixed,0,mid 50%,mid 50%,0.1,F,Mxd,1\n66,0.5,mixed,0,mid 50%,mid 50%,,F,Mxd,2\n");
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("exam.csv");
    std::fs::write(&input, text).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_eduq"))
        .args(["va", "fit", "--in", input.to_str().unwrap(), "--outcome", "normexam", "--prior", "standLRT"])
        .args(["--group", "school", "--method", "ml", "--out", dir.join("out").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("4059 名学生") && summary.contains("未能使用 2 人"), "{summary}");
    let read = |f: &str| std::fs::read_to_string(dir.join("out").join(f)).unwrap();
    let fixed = read("fixed.csv");
    let mut lines = fixed.lines();
    assert_eq!(lines.next(), Some("term,estimate,se"));
    let slope: Vec<&str> = lines.nth(1).unwrap().split(',').collect();
    assert_eq!(slope[0], "standLRT");
    assert!((slope[1].parse::<f64>().unwrap() - 0.5633711655215763).abs() < 1e-6);
    let variance = read("variance.csv");
    assert!(variance.starts_with("component,estimate\nschool,0.0921"), "{variance}");
    let effects = read("effects.csv");
    assert_eq!(effects.lines().next(), Some("group,n,effect,se,lower,upper,shrinkage,band"));
    assert_eq!(effects.lines().count(), 1 + 65);
    let first: Vec<&str> = effects.lines().nth(1).unwrap().split(',').collect();
    assert_eq!((first[0], first[1]), ("1", "73"));
    assert!((first[2].parse::<f64>().unwrap() - 0.3737607958).abs() < 1e-5);
    assert_eq!(first[7], "高于预期");
    let _ = std::fs::remove_dir_all(&dir);
}
