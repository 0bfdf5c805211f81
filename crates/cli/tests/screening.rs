//! `eduq screening score` as other tools call it: the exact columns, input order, the bands at
//! their boundaries, and a non-zero exit after every row is written when a sheet is bad.

use std::process::{Command, Output};

fn score(dir: &std::path::Path, instrument: &str, input: &str) -> (Output, String) {
    let (i, o) = (dir.join(format!("{instrument}.csv")), dir.join(format!("{instrument}-out.csv")));
    std::fs::write(&i, input).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_eduq"))
        .args(["screening", "score", "--instrument", instrument, "--in", i.to_str().unwrap()])
        .args(["--out", o.to_str().unwrap()])
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&o).unwrap_or_default();
    (out, text)
}

#[test]
fn phq9_and_gad7_write_the_contract_columns() {
    let dir = std::env::temp_dir().join(format!("eduq-screen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let head = "编号,第1题,第2题,第3题,第4题,第5题,第6题,第7题,第8题,第9题\n";
    let good = "b4,1,1,1,1,0,0,0,0,0\na5,1,1,1,1,1,0,0,0,0\nc10,2,2,2,2,2,0,0,0,0\nd14,2,2,2,2,2,2,2,0,0\n\
        e15,3,3,3,3,3,0,0,0,0\nf19,3,3,3,3,3,3,1,0,0\ng20,3,3,3,3,3,3,2,0,0\nh27,3,3,3,3,3,3,3,3,3\n\
        i1,0,0,0,0,0,0,0,0,1\n";
    let (o, text) = score(&dir, "phq9", &format!("{head}{good}"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        text,
        "编号,总分,等级,关注,备注\nb4,4,无抑郁症状,否,\na5,5,轻度,否,\nc10,10,中度,是,\nd14,14,中度,是,\n\
         e15,15,中重度,是,\nf19,19,中重度,是,\ng20,20,重度,是,\nh27,27,重度,是,\ni1,1,无抑郁症状,是,\n"
    );

    let (o, text) =
        score(&dir, "phq9", &format!("{head}x1,0,0,0,0,0,0,0,0,0\nx2,0,5,0,,0,0,0,0,0\nx3,1,1,1,1,1,1,1,1,1\n"));
    assert!(!o.status.success(), "a bad sheet exits non-zero");
    assert_eq!(
        text, "编号,总分,等级,关注,备注\nx1,0,无抑郁症状,否,\nx2,,,,第2题取值“5”无效；第4题为空\nx3,9,轻度,是,\n",
        "every row written, in input order"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 份答卷"));

    let gad = "编号,第1题,第2题,第3题,第4题,第5题,第6题,第7题\n\
        a,1,1,1,1,0,0,0\nb,1,1,1,1,1,0,0\nc,3,3,3,0,0,0,0\nd,3,3,3,3,2,0,0\ne,3,3,3,3,3,0,0\nf,3,3,3,3,3,3,3\n";
    let (o, text) = score(&dir, "gad7", gad);
    assert!(o.status.success());
    assert_eq!(
        text,
        "编号,总分,等级,关注,备注\na,4,无焦虑症状,否,\nb,5,轻度,否,\nc,9,轻度,否,\nd,14,中度,是,\ne,15,重度,是,\nf,21,重度,是,\n"
    );

    let (o, _) = score(&dir, "mht", gad);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("未知量表"));
}
