//! `eduq lottery draw|verify` as users and other tools call it.

use std::path::Path;
use std::process::{Command, Output};

fn eduq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eduq")).args(args).output().expect("run eduq")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn draw(dir: &Path, out: &str, entropy: &str) -> Output {
    let p = |f: &str| dir.join(f).to_string_lossy().to_string();
    eduq(&[
        "lottery",
        "draw",
        "--lottery-id",
        "2026-示范区-民办初中",
        "--applicants",
        &p("in/applicants.csv"),
        "--schools",
        &p("in/schools.csv"),
        "--priorities",
        &p("in/priorities.csv"),
        "--entropy",
        "beacon:42",
        "--entropy",
        entropy,
        "--out",
        &p(out),
    ])
}

#[test]
fn draw_verify_and_no_second_draw_with_other_inputs() {
    let dir = std::env::temp_dir().join(format!("eduq-lottery-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = eduq(&[
        "sample",
        "lottery",
        "--applicants",
        "3000",
        "--schools",
        "12",
        "--out",
        &dir.join("in").to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", text(&o));

    let o = draw(&dir, "out", "0815");
    assert!(o.status.success(), "{}", text(&o));
    for f in ["result.csv", "order.csv", "manifest.json", "applicants.csv", "schools.csv", "priorities.csv"] {
        assert!(dir.join("out").join(f).exists(), "{f} published");
    }
    let result = std::fs::read_to_string(dir.join("out/result.csv")).unwrap();
    assert!(result.starts_with("申请人编号,签号,录取学校\n"), "no BOM: the header is exactly the contract's");
    let first = result.lines().nth(1).unwrap();
    assert_eq!(first.split(',').nth(1).unwrap().len(), 64, "签号 is 64 hex digits: {first}");

    let o = eduq(&["lottery", "verify", &dir.join("out").to_string_lossy()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).starts_with("一致"), "{}", text(&o));

    // The same inputs reproduce the same files: allowed, and byte-identical.
    let before = std::fs::read(dir.join("out/order.csv")).unwrap();
    let o = draw(&dir, "out", "0815");
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::read(dir.join("out/order.csv")).unwrap(), before);
    // Other entropy under the same lottery id: refused, nothing overwritten.
    let o = draw(&dir, "out", "0816");
    assert!(!o.status.success());
    assert!(text(&o).contains("同一派位编号不能以不同的输入重新抽取"), "{}", text(&o));
    assert_eq!(std::fs::read(dir.join("out/order.csv")).unwrap(), before);

    // A tampered result is found and named.
    let forged = result.replacen(",S0001\n", ",S0002\n", 1);
    assert_ne!(forged, result);
    std::fs::write(dir.join("out/result.csv"), forged).unwrap();
    let o = eduq(&["lottery", "verify", &dir.join("out").to_string_lossy()]);
    assert!(!o.status.success());
    assert!(text(&o).contains("「录取学校」公布为“S0002”，重算为“S0001”"), "{}", text(&o));

    // Bad input: every bad row named, nothing drawn.
    std::fs::write(dir.join("in/applicants.csv"), "申请人编号,志愿\nA1,S0001\nA1,S9999\n").unwrap();
    let o = draw(&dir, "bad", "0815");
    assert!(!o.status.success());
    assert!(text(&o).contains("applicants.csv：第3行「申请人编号」的值“A1”与第2行重复"), "{}", text(&o));
    assert!(!dir.join("bad").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
