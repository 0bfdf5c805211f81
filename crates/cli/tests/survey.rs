//! `eduq survey` as other tools call it: `check` exits 0 with a summary or non-zero with every
//! error by sheet, row and column; `tally` writes the JSON contract exactly.

use std::path::Path;
use std::process::{Command, Output};

use eduq_core::questionnaire::{SheetRows, template, template_sheets};
use eduq_exchange::questionnaire::form_workbook;

fn eduq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eduq")).args(args).output().expect("eduq runs")
}

fn dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("eduq-survey-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// A small form: a group skipped by an answer, a select_multiple with a constraint, a number.
fn form_sheets() -> Vec<SheetRows> {
    let text = "[survey]\n\
        type\tname\tlabel\trequired\trelevant\tconstraint\tconstraint_message\n\
        select_one who\twho\t身份\tyes\t\t\t\n\
        begin_group\tp\t家长题\t\t${who} = 'parent'\t\t\n\
        select_one sat\tsat\t满意度\tyes\t\t\t\n\
        end_group\t\t\t\t\t\t\n\
        select_multiple topic\ttopics\t关心\t\t\tcount-selected(.) <= 2\t最多两项\n\
        integer\tsleep\t睡眠\t\t\t. >= 3 and . <= 14\t应在3到14之间\n\
        [choices]\n\
        list_name\tname\tlabel\tfavourable\n\
        who\tparent\t家长\t\nwho\tpupil\t学生\t\n\
        sat\tyes\t满意\tyes\nsat\tmid\t一般\t\nsat\tno\t不满意\t\n\
        topic\tsleep\t睡眠\t\ntopic\tphone\t手机\t\ntopic\tread\t阅读\t\n\
        [settings]\nform_title\tform_id\n测试问卷\tt1\n";
    template_sheets(text)
}

#[test]
fn check_prints_a_summary_or_every_error() {
    let d = dir();
    let good = d.join("good.xlsx");
    std::fs::write(&good, form_workbook(&form_sheets()).expect("xlsx")).expect("write");
    let o = eduq(&["survey", "check", "--form", p(&good)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("测试问卷") && out.contains("4题") && out.contains("1个分组"), "{out}");

    let mut bad = form_sheets();
    bad[0].rows[0].1[0] = "select_one nolist".into(); // survey row 2
    bad[0].rows[1].1[4] = "${who} = ".into(); // survey row 3, relevant
    bad[1].rows[3].1[1] = "yes".into(); // choices row 5: a second "yes" in sat
    let bad_path = d.join("bad.xlsx");
    std::fs::write(&bad_path, form_workbook(&bad).expect("xlsx")).expect("write");
    let o = eduq(&["survey", "check", "--form", p(&bad_path)]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    for e in [
        "survey表第2行“type”列：选项列表“nolist”在choices表中不存在",
        "survey表第3行“relevant”列：表达式“${who} =”有误：表达式不完整",
        "choices表第5行“name”列：选项列表“sat”中选项“yes”重复",
    ] {
        assert!(err.contains(e), "{e} not in {err}");
    }
}

#[test]
fn tally_writes_the_contract() {
    let d = dir();
    let form = d.join("t.xlsx");
    std::fs::write(&form, form_workbook(&form_sheets()).expect("xlsx")).expect("write");
    let csv = d.join("r.csv");
    std::fs::write(
        &csv,
        "who,sat,topics,sleep,提交时间\n\
         parent,yes,sleep phone,8,2026-12-01\n\
         pupil,,read,9,\n\
         pupil,yes,,,\n\
         parent,mid,sleep phone read,,\n\
         parent,no,,2,\n\
         teacher,,,,\n\
         parent,,,,\n\
         parent,mid,phone,x,\n\
         ,,,,\n\
         parent,no,read,14,\n",
    )
    .expect("write");
    let out = d.join("t.json");
    let o = eduq(&["survey", "tally", "--form", p(&form), "--responses", p(&csv), "--out", p(&out)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("提交时间"), "the extra column is named");
    // sat: 1 favourable answer of 2.
    assert!(String::from_utf8_lossy(&o.stdout).contains("50.0%（1/2"), "{}", String::from_utf8_lossy(&o.stdout));
    let got: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).expect("json")).expect("valid JSON");
    let want = serde_json::json!({
        "responses": 10,
        "accepted": 3,
        "rejected": [
            {"row": 3, "reason": "“sat”按跳题规则不应作答，却有答案“yes”"},
            {"row": 4, "reason": "“topics”的答案“sleep phone read”最多两项"},
            {"row": 5, "reason": "“sleep”的答案“2”应在3到14之间"},
            {"row": 6, "reason": "“who”的答案“teacher”不是本题的选项"},
            {"row": 7, "reason": "必答题“sat”未作答"},
            {"row": 8, "reason": "“sleep”的答案“x”不是整数"},
            {"row": 9, "reason": "必答题“who”未作答"}
        ],
        "questions": [
            {"name": "who", "type": "select_one", "answered": 3, "counts": {"parent": 2, "pupil": 1}},
            {"name": "sat", "type": "select_one", "answered": 2, "counts": {"yes": 1, "mid": 0, "no": 1}},
            {"name": "topics", "type": "select_multiple", "answered": 3, "counts": {"sleep": 1, "phone": 1, "read": 2}}
        ]
    });
    assert_eq!(got, want);
    // Keys in the contract's order, choices in the form's order.
    let text = std::fs::read_to_string(&out).expect("json");
    let at = |k: &str| text.find(k).expect(k);
    assert!(at("\"responses\"") < at("\"accepted\"") && at("\"accepted\"") < at("\"rejected\""));
    assert!(at("\"yes\": 1") < at("\"mid\": 0") && at("\"mid\": 0") < at("\"no\": 1"));
}

#[test]
fn every_shipped_template_writes_and_checks() {
    let d = dir();
    for key in ["recognition", "parent_satisfaction", "wuxiang_pupil", "wuxiang_parent"] {
        assert!(template(key).is_some());
        let f = d.join(format!("{key}.xlsx"));
        assert!(eduq(&["survey", "template", "--name", key, "--out", p(&f)]).status.success());
        let o = eduq(&["survey", "check", "--form", p(&f)]);
        assert!(o.status.success(), "{key}: {}", String::from_utf8_lossy(&o.stderr));
    }
    assert!(!eduq(&["survey", "template", "--name", "nope", "--out", p(&d.join("x.xlsx"))]).status.success());
}
