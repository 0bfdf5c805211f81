//! The lottery's published files: parsing with row errors, publish → verify, tamper detection.

use std::collections::HashMap;

use eduq_core::lottery::{BundlePolicy, Mechanism, draw};
use eduq_exchange::ExchangeError;
use eduq_exchange::lottery::{LotteryFileError, publish, read_input, verify};

const APPLICANTS: &str =
    "申请人编号,志愿,捆绑组,姓名\nA1,S1;S2,,张三\nA2,S1,,李四\nA3,S2；S1,T,王五\nA4,S2;S1,T,王六\nA5,S1,,赵七\n";
const SCHOOLS: &str = "学校代码,学位数\nS1,2\nS2,1\n";
const PRIORITIES: &str = "申请人编号,学校代码,优先组\nA5,S1,1\n";

fn input(applicants: &str, schools: &str, priorities: &str) -> Result<eduq_core::lottery::Input, LotteryFileError> {
    read_input(
        "2026-测试",
        (applicants.as_bytes(), "applicants.csv"),
        (schools.as_bytes(), "schools.csv"),
        Some((priorities.as_bytes(), "priorities.csv")),
        vec!["beacon".into(), "0815".into()],
        Mechanism::DeferredAcceptance,
        BundlePolicy::AdmitAll,
    )
}

fn rows(e: LotteryFileError) -> Vec<String> {
    match e {
        LotteryFileError::File { error: ExchangeError::Rows(r), .. } => r.iter().map(ToString::to_string).collect(),
        other => vec![other.to_string()],
    }
}

#[test]
fn publication_verifies_and_carries_no_names() {
    let inp = input(APPLICANTS, SCHOOLS, PRIORITIES).unwrap();
    let d = draw(&inp).unwrap();
    assert_eq!(d.admitted[4], Some(0), "A5 has priority at S1");
    let files: HashMap<String, Vec<u8>> =
        publish(&inp, &d).unwrap().into_iter().map(|(n, b)| (n.to_string(), b)).collect();
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("张三") && !text.contains("姓名"), "{name} must not carry names");
    }
    assert_eq!(verify(|n| files.get(n).cloned()).unwrap(), Vec::<String>::new());
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    for key in ["lottery_id", "roster_digest", "entropy", "seed", "algorithm", "input_hashes"] {
        assert!(manifest.get(key).is_some(), "manifest has {key}");
    }
    assert_eq!(manifest["seed"].as_str().unwrap().len(), 64);
}

/// Files of several MB go to their sinks in chunks and are hashed on the way: the manifest's hashes
/// are those of the whole files, and files streamed to sinks equal the ones built in memory.
#[test]
fn files_written_in_chunks_hash_and_verify_as_a_whole() {
    let mut applicants = String::from("申请人编号,志愿,捆绑组\n");
    for i in 0..30_000 {
        applicants.push_str(&format!("A{i:06},S{};S{},\n", i % 7, (i + 3) % 7));
    }
    let schools: String =
        std::iter::once("学校代码,学位数\n".to_string()).chain((0..7).map(|s| format!("S{s},3000\n"))).collect();
    let inp = input(&applicants, &schools, "申请人编号,学校代码,优先组\nA000001,S1,1\n").unwrap();
    let d = draw(&inp).unwrap();
    let files: HashMap<String, Vec<u8>> =
        publish(&inp, &d).unwrap().into_iter().map(|(n, b)| (n.to_string(), b)).collect();
    assert!(files["order.csv"].len() > 3 << 20, "the order file spans several chunks");
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    for (group, name) in
        [("input_hashes", "applicants.csv"), ("output_hashes", "order.csv"), ("output_hashes", "result.csv")]
    {
        assert_eq!(manifest[group][name].as_str().unwrap(), eduq_core::digest::sha256_hex(&files[name]), "{name}");
    }
    assert_eq!(verify(|n| files.get(n).cloned()).unwrap(), Vec::<String>::new());
    let streamed = std::sync::Mutex::new(HashMap::new());
    struct Sink<'a>(&'static str, Vec<u8>, &'a std::sync::Mutex<HashMap<String, Vec<u8>>>);
    impl std::io::Write for Sink<'_> {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.1.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.2.lock().unwrap().insert(self.0.to_string(), self.1.clone());
            Ok(())
        }
    }
    eduq_exchange::lottery::write_publication(&inp, &d, |name| Ok(Sink(name, Vec::new(), &streamed))).unwrap();
    assert_eq!(streamed.into_inner().unwrap(), files, "streamed files equal the ones built in memory");
}

#[test]
fn verify_names_exactly_what_was_changed() {
    let inp = input(APPLICANTS, SCHOOLS, PRIORITIES).unwrap();
    let d = draw(&inp).unwrap();
    let mut files: HashMap<String, Vec<u8>> =
        publish(&inp, &d).unwrap().into_iter().map(|(n, b)| (n.to_string(), b)).collect();
    // Give A2's row a different school in the published result.
    let result = String::from_utf8(files["result.csv"].clone()).unwrap();
    let a2 = result.lines().find(|l| l.starts_with("A2,")).unwrap().to_string();
    let forged =
        if a2.ends_with(",S1") { a2.replace(",S1", ",S2") } else { format!("{}S1", a2.trim_end_matches(",S2")) };
    files.insert("result.csv".into(), result.replace(&a2, &forged).into_bytes());
    let diffs = verify(|n| files.get(n).cloned()).unwrap();
    assert!(diffs.iter().any(|d| d.starts_with("result.csv 的SHA-256为")), "{diffs:?}");
    assert!(diffs.iter().any(|d| d.contains("result.csv 第3行「录取学校」")), "{diffs:?}");
    // A changed entropy string changes the seed and, with it, the tickets.
    let mut m: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    m["entropy"][1] = "0816".into();
    files.insert("manifest.json".into(), serde_json::to_vec(&m).unwrap());
    let diffs = verify(|n| files.get(n).cloned()).unwrap();
    assert!(diffs.iter().any(|d| d.starts_with("种子重算为")), "{diffs:?}");
    assert!(diffs.iter().any(|d| d.contains("「签号」")), "{diffs:?}");
}

#[test]
fn bad_input_is_reported_row_by_row_in_chinese() {
    let bad = "申请人编号,志愿,捆绑组\nA1,S1;S1,\n,S1,\nA3,S9,\nA3,S1,\nA5,S1,T\nA6,S2,T\n";
    let errs = rows(input(bad, SCHOOLS, "申请人编号,学校代码,优先组\n").unwrap_err());
    assert_eq!(
        errs,
        [
            "第2行「志愿」的值“S1;S1”：学校“S1”填报了两次",
            "第3行「申请人编号」的值“”不能为空",
            "第5行「申请人编号」的值“A3”与第4行重复"
        ]
    );
    let errs = rows(
        input("申请人编号,志愿,捆绑组\nA3,S9,\nA5,S1,T\nA6,S2,T\n", SCHOOLS, "申请人编号,学校代码,优先组\n")
            .unwrap_err(),
    );
    assert_eq!(
        errs,
        [
            "第2行「志愿」的值“S9”：学校代码“S9”不在学校学位表中",
            "第4行「志愿」的值“S2”与同一捆绑组“T”第3行的志愿不一致（捆绑申请人须填报相同志愿）"
        ]
    );
    let errs = rows(input(APPLICANTS, "学校代码,学位数\nS1,0\nS2,x\n", PRIORITIES).unwrap_err());
    assert_eq!(errs, ["第2行「学位数」的值“0”必须大于0", "第3行「学位数」的值“x”应为正整数"]);
    let errs = rows(input(APPLICANTS, SCHOOLS, "申请人编号,学校代码,优先组\nA9,S1,1\nA1,S3,1\n").unwrap_err());
    assert_eq!(errs, ["第2行「申请人编号」的值“A9”不在申请人名单中", "第3行「学校代码」的值“S3”不在学校学位表中"]);
    let e = input("志愿\nS1\n", SCHOOLS, PRIORITIES).unwrap_err();
    assert_eq!(e.to_string(), "applicants.csv：缺少必需的列：申请人编号。请使用下载的模板。");
    let no_entropy = read_input(
        "x",
        (APPLICANTS.as_bytes(), "a.csv"),
        (SCHOOLS.as_bytes(), "s.csv"),
        None,
        vec![],
        Mechanism::DeferredAcceptance,
        BundlePolicy::AdmitAll,
    );
    assert_eq!(no_entropy.unwrap_err().to_string(), "缺少随机源（entropy）：至少需要一个事先公布的随机源字符串");
}

/// The published input files are written byte for byte as the generic csv writer writes their
/// cells (a formula-like id gets its apostrophe, a code with a comma its quotes).
#[test]
fn input_files_are_the_cells_written_as_csv() {
    use eduq_core::lottery::{Applicant, BundlePolicy, Input, Mechanism, Priority, School};
    use eduq_exchange::table::{Cell, write_plain_csv};
    let input = Input {
        lottery_id: "t".into(),
        applicants: vec![
            Applicant {
                id: "=A1".into(),
                choices: vec!["S,1".into(), "S2".into()],
                bundle: Some("双胞胎\"甲\"".into()),
            },
            Applicant { id: "G2".into(), choices: vec!["S2".into()], bundle: None },
        ],
        schools: vec![School { code: "S,1".into(), seats: 3 }, School { code: "S2".into(), seats: 1 }],
        priorities: vec![Priority { applicant: "G2".into(), school: "S2".into(), group: 1 }],
        entropy: vec!["e".into()],
        mechanism: Mechanism::DeferredAcceptance,
        bundle_policy: BundlePolicy::AdmitAll,
    };
    let files = eduq_exchange::lottery::input_files(&input);
    let applicants: Vec<Vec<Cell>> = input
        .applicants
        .iter()
        .map(|a| vec![a.id.as_str().into(), a.choices.join(";").into(), a.bundle.clone().unwrap_or_default().into()])
        .collect();
    assert_eq!(files[0].1, write_plain_csv(&["申请人编号", "志愿", "捆绑组"], &applicants));
    let priorities: Vec<Vec<Cell>> = input
        .priorities
        .iter()
        .map(|p| vec![p.applicant.as_str().into(), p.school.as_str().into(), Cell::Number(p.group.into())])
        .collect();
    assert_eq!(files[2].1, write_plain_csv(&["申请人编号", "学校代码", "优先组"], &priorities));
}
