//! `eduq classes assign`: the output contract, reproducibility and hard constraints.

use std::process::Command;

#[test]
fn assigns_reproducibly_with_constraints() {
    let dir = std::env::temp_dir().join(format!("eduq-classes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.csv");
    let mut text = String::from("学籍号,姓名,性别,总分,语文,数学,标记,同班组,分开组,预分班级,毕业学校\n");
    for i in 0..60 {
        let name = if i < 2 { "王伟".to_string() } else { format!("学生{i}") };
        let together = if (2..4).contains(&i) { "双胞胎" } else { "" };
        let apart = if (4..7).contains(&i) { "冲突" } else { "" };
        let fixed = if i == 7 { "2" } else { "" };
        let flag = if i % 7 == 0 { "住宿" } else { "" };
        let (a, b) = (60 + (i * 37) % 41, 55 + (i * 53) % 45);
        text.push_str(&format!(
            "G{i:04},{name},{},{},{a},{b},{flag},{together},{apart},{fixed},实验小学\n",
            if i % 2 == 0 { "男" } else { "女" },
            a + b
        ));
    }
    std::fs::write(&input, text).unwrap();
    let run = |out: &str, seed: &str| {
        Command::new(env!("CARGO_BIN_EXE_eduq"))
            .args(["classes", "assign", "--in", input.to_str().unwrap(), "--classes", "3", "--seed", seed])
            .args(["--out", dir.join(out).to_str().unwrap()])
            .output()
            .unwrap()
    };
    let o = run("a.csv", "00ff00ff");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(report.contains("总分：各班均分最大差") && report.contains("S型分班起点"), "{report}");
    let out = std::fs::read_to_string(dir.join("a.csv")).unwrap();
    let mut rows = out.trim_start_matches('\u{feff}').lines();
    assert_eq!(rows.next().unwrap(), "学籍号,姓名,性别,总分,语文,数学,标记,同班组,分开组,预分班级,毕业学校,班级");
    let class: Vec<String> = rows.map(|l| l.rsplit(',').next().unwrap().to_string()).collect();
    assert_eq!(class.len(), 60);
    assert_ne!(class[0], class[1], "同名 apart");
    assert_eq!(class[2], class[3], "同班组 together");
    assert!(class[4] != class[5] && class[5] != class[6] && class[4] != class[6], "分开组 apart");
    assert_eq!(class[7], "2", "预分班级 kept");
    for c in ["1", "2", "3"] {
        assert_eq!(class.iter().filter(|x| *x == c).count(), 20);
    }
    let o = run("b.csv", "00ff00ff");
    assert!(o.status.success());
    assert_eq!(std::fs::read(dir.join("b.csv")).unwrap(), out.as_bytes(), "same seed, same classes");
    let o = run("c.csv", "xyz");
    assert!(!o.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}
