//! Attendance files: the fast reader against a plain reference, errors, and the scan's output.

use std::collections::BTreeMap;

use eduq_core::attendance::{Rules, Status, Tally};
use eduq_exchange::ExchangeError;
use eduq_exchange::attendance::{ScanOptions, ScanSummary, compares_per_row, scan_bytes, scan_csv};

fn errors(bytes: &[u8]) -> Vec<String> {
    match scan_bytes(bytes, &Rules::default()) {
        Err(ExchangeError::Rows(r)) => r.iter().map(ToString::to_string).collect(),
        Err(e) => vec![e.to_string()],
        Ok(_) => vec![],
    }
}

fn scan(bytes: &[u8], rules: &Rules) -> (String, usize) {
    let (csv, summary) = scan_bytes(bytes, rules).unwrap();
    (String::from_utf8(csv).unwrap(), summary.flagged)
}

/// The scan with small blocks, a small matrix budget (so several passes) and `threads` workers.
fn scan_with(bytes: &[u8], threads: usize, budget: usize, block: usize) -> (String, ScanSummary) {
    let mut out = Vec::new();
    let opts = ScanOptions { threads, matrix_budget: budget, block, size_hint: None };
    let s = scan_csv(&|| Ok(bytes), &Rules::default(), &opts, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), s)
}

#[test]
fn scan_of_a_small_file_in_any_order() {
    // P2's days arrive out of order; 10-05 and 10-06 are not in the file and do not break the streak.
    let file = "学籍号,日期,状态,备注\n\
        P2,2026-10-08,旷课,\n\
        P1,2026-10-01,出勤,\n\
        P2,2026-10-01,病假,发烧\n\
        P2,2026-10-02,旷课,\n\
        P2,2026-10-07,旷课,\n\
        P1,2026-10-02,迟到,\n\
        P1,2026-10-02,迟到,\n\
        P2,2026-10-09,出勤,\n";
    // P1's 10-02 is recorded twice with the same status: it counts once (应到天数 2).
    let (csv, flagged) = scan(file.as_bytes(), &Rules::default());
    assert_eq!(flagged, 1);
    assert_eq!(
        csv,
        "学籍号,应到天数,缺勤天数,旷课天数,最长连续旷课天数,当前连续旷课天数,预警,原因\n\
         P1,2,0,0,0,0,否,\n\
         P2,5,4,3,3,0,是,曾连续旷课3天（≥3天）\n"
    );
    let (csv, flagged) = scan(file.as_bytes(), &Rules { streak: 4, ..Rules::default() });
    assert_eq!(flagged, 0);
    assert!(csv.contains("P2,5,4,3,3,0,否,\n"));
}

#[test]
fn quoted_and_gb18030_files_read_the_same() {
    let plain = "学籍号,日期,状态\nP1,2026-10-01,旷课\nP1,2026-10-02,旷课\n";
    let quoted = "\"学籍号\",\"日期\",\"状态\"\n\"P1\",\"2026-10-02\",\"旷课\"\n\"P1\",\"2026-10-01\",\"旷课\"\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(plain);
    let a = scan(plain.as_bytes(), &Rules::default());
    assert_eq!(a, scan(quoted.as_bytes(), &Rules::default()));
    assert_eq!(a, scan(&gbk, &Rules::default()));
}

#[test]
fn bad_rows_are_named_and_nothing_is_returned() {
    let file = "学籍号,日期,状态\nP1,2026-10-01,出勤\n,2026-10-01,出勤\nP2,2026-02-30,出勤\nP3,2026-10-01,缺课\nP1,2026-10-01,旷课\n";
    assert_eq!(
        errors(file.as_bytes()),
        [
            "第3行「学籍号」的值“”不能为空",
            "第4行「日期」的值“2026-02-30”不是有效日期（格式应为YYYY-MM-DD）",
            "第5行「状态」的值“缺课”不是有效状态，应为：出勤、病假、事假、旷课、迟到、早退、其他",
        ]
    );
    let clash = "学籍号,日期,状态\nP1,2026-10-01,出勤\nP2,2026-10-01,出勤\nP1,2026-10-01,旷课\n";
    assert_eq!(
        errors(clash.as_bytes()),
        ["第4行「日期」的值“2026-10-01”：学生“P1”这一天已在第2行记录，状态不同（出勤与旷课），同一天只能有一个状态"]
    );
    assert_eq!(errors("学籍号,状态\nP1,出勤\n".as_bytes()), ["缺少必需的列：日期。请使用下载的模板。"]);
}

/// The two-thread reader and the scan agree with a plain BTreeMap reference on synthetic data.
#[test]
fn fast_reader_matches_a_plain_reference() {
    let days = eduq_synth::attendance::school_days(chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(), 120);
    let mut file = String::from("学籍号,日期,状态\n");
    let mut reference: BTreeMap<String, Vec<Status>> = BTreeMap::new();
    eduq_synth::attendance::roll(11, 500, days.len(), |p, d, s| {
        let id = eduq_synth::attendance::pupil_id(p);
        file.push_str(&format!("{id},{},{}\n", days[d], s.label()));
        reference.entry(id).or_default().push(s);
    });
    let (csv, summary) = scan_bytes(file.as_bytes(), &Rules::default()).unwrap();
    assert_eq!((summary.pupils, summary.rows, summary.passes), (500, 60_000, 1));
    let (text, flagged) = (String::from_utf8(csv).unwrap(), summary.flagged);
    let mut expect_flagged = 0;
    for (line, (id, statuses)) in text.lines().skip(1).zip(&reference) {
        let t = Tally::of(statuses.iter().copied());
        expect_flagged += usize::from(t.longest_streak >= 3);
        let want = format!("{id},{},{},{},{},{},", t.days, t.absent, t.truant, t.longest_streak, t.current_streak);
        assert!(line.starts_with(&want), "{line} vs {want}");
    }
    assert_eq!(flagged, expect_flagged);
    assert!(flagged > 0);
}

/// A shuffled file with 学籍号-like ids: one thread, two, tiny blocks, and a matrix budget so small
/// that the file is read in several passes merged from temporary files, all write the same bytes.
#[test]
fn threads_blocks_and_passes_write_the_same_file() {
    let days = eduq_synth::attendance::school_days(chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(), 40);
    let mut file = String::from("学籍号,日期,状态\n");
    eduq_synth::attendance::shuffled_roll(5, 700, days.len(), 10_000, |p, d, s| {
        file.push_str(&format!("{},{},{}\n", eduq_synth::attendance::pupil_id(p), days[d], s.label()));
    });
    let (one, s1) = scan_with(file.as_bytes(), 1, 160 << 20, 1 << 20);
    assert_eq!((s1.pupils, s1.rows, s1.passes), (700, 28_000, 1));
    let (two, s2) = scan_with(file.as_bytes(), 2, 160 << 20, 4096);
    assert_eq!(one, two);
    assert_eq!(s1, s2);
    let (passes, s3) = scan_with(file.as_bytes(), 2, 8 << 10, 4096);
    assert!(s3.passes >= 4, "{s3:?}");
    assert_eq!(one, passes);
    assert_eq!((s3.pupils, s3.rows, s3.flagged), (s1.pupils, s1.rows, s1.flagged));
    // A bad row found in a later pass is reported as it is in one pass.
    let bad = format!("{file}G1,2026-09-01,缺课\n");
    let mut out = Vec::new();
    let opts = ScanOptions { threads: 2, matrix_budget: 8 << 10, block: 4096, size_hint: None };
    let err = scan_csv(&|| Ok(bad.as_bytes()), &Rules::default(), &opts, &mut out).unwrap_err();
    assert_eq!(err.row_errors().len(), 1);
    assert_eq!(err.row_errors()[0].row, 28_002);
    assert!(out.is_empty(), "nothing is written when a row is bad");
}

/// Ids shaped to hurt a hash table (a long shared prefix, differences only in the last digits or
/// only in the middle, lengths that differ by one, the patterns the old hasher collided on) cost
/// the same key comparisons per row as random ids, within 20 %. Comparisons, not seconds: the
/// measure does not depend on the machine. The benchmark script times the same files.
#[test]
fn no_id_shape_makes_the_table_degenerate() {
    let n = 20_000;
    type Shape = (&'static str, Box<dyn Fn(usize) -> String>);
    let shapes: Vec<Shape> = vec![
        ("random", Box::new(|i: usize| format!("{:016x}", (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)))),
        ("学籍号", Box::new(eduq_synth::attendance::pupil_id)),
        ("last digits", Box::new(|i: usize| format!("G{}{i:06}", "3".repeat(40)))),
        ("middle", Box::new(|i: usize| format!("G33{i:06}{}", "0".repeat(30)))),
        ("lengths", Box::new(|i: usize| format!("G{}", "7".repeat(1 + i % 64)) + &i.to_string())),
        ("8-byte steps", Box::new(|i: usize| format!("{}{:08}", "00000000".repeat(i % 5), i))),
    ];
    let mut costs = Vec::new();
    for (name, id) in &shapes {
        let mut file = String::from("学籍号,日期,状态\n");
        for d in ["2026-09-01", "2026-09-02", "2026-09-03"] {
            for i in 0..n {
                file.push_str(&format!("{},{d},出勤\n", id(i)));
            }
        }
        let c = compares_per_row(file.as_bytes(), &Rules::default()).unwrap();
        costs.push((name, c));
    }
    let base = costs[0].1;
    assert!((0.6..1.2).contains(&base), "random ids: {base} comparisons per row");
    for (name, c) in &costs {
        assert!(*c <= base * 1.2, "{name}: {c:.3} comparisons per row against {base:.3} for random ids");
    }
}
