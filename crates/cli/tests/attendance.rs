//! `eduq attendance scan` as other tools call it.

use std::process::Command;

#[test]
fn scan_writes_the_contract_columns_and_refuses_bad_files() {
    let dir = std::env::temp_dir().join(format!("eduq-att-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (input, out) = (dir.join("in.csv"), dir.join("out.csv"));
    std::fs::write(
        &input,
        "学籍号,日期,状态\nG1,2026-09-03,旷课\nG1,2026-09-01,旷课\nG1,2026-09-02,旷课\nG2,2026-09-01,出勤\n",
    )
    .unwrap();
    let run = |streak: &str| {
        Command::new(env!("CARGO_BIN_EXE_eduq"))
            .args(["attendance", "scan", "--in", input.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .args(["--streak", streak])
            .output()
            .unwrap()
    };
    let o = run("3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap().trim_start_matches('\u{feff}'),
        "学籍号,应到天数,缺勤天数,旷课天数,最长连续旷课天数,当前连续旷课天数,预警,原因"
    );
    assert_eq!(lines.next().unwrap(), "G1,3,3,3,3,3,是,当前连续旷课3天（≥3天）");
    assert_eq!(lines.next().unwrap(), "G2,1,0,0,0,0,否,");
    let o = run("4");
    assert!(o.status.success());
    assert!(std::fs::read_to_string(&out).unwrap().contains("G1,3,3,3,3,3,否,\n"));

    std::fs::remove_file(&out).unwrap();
    std::fs::write(&input, "学籍号,日期,状态\nG1,2026/09/01,旷课\n").unwrap();
    let o = run("3");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("第2行「日期」的值“2026/09/01”不是有效日期"), "{err}");
    assert!(!out.exists(), "nothing written for a bad file");
    let _ = std::fs::remove_dir_all(&dir);
}
