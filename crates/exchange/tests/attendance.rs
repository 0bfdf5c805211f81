//! Attendance files: the fast reader against a plain reference, errors, and the scan's output.

use std::collections::BTreeMap;

use eduq_core::attendance::{Rules, Status, Tally};
use eduq_exchange::ExchangeError;
use eduq_exchange::attendance::{read_roll, scan};

fn errors(bytes: &[u8]) -> Vec<String> {
    match read_roll(bytes) {
        Err(ExchangeError::Rows(r)) => r.iter().map(ToString::to_string).collect(),
        Err(e) => vec![e.to_string()],
        Ok(_) => vec![],
    }
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
    let roll = read_roll(file.as_bytes()).unwrap();
    assert_eq!(roll.ids, ["P1", "P2"]);
    assert_eq!(roll.pupil(0).len(), 2, "an identical repeated day counts once");
    let (csv, flagged) = scan(&roll, &Rules::default());
    assert_eq!(flagged, 1);
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "学籍号,应到天数,缺勤天数,旷课天数,最长连续旷课天数,当前连续旷课天数,预警,原因\n\
         P1,2,0,0,0,0,否,\n\
         P2,5,4,3,3,0,是,曾连续旷课3天（≥3天）\n"
    );
    let (csv, flagged) = scan(&roll, &Rules { streak: 4, ..Rules::default() });
    assert_eq!(flagged, 0);
    assert!(String::from_utf8(csv).unwrap().contains("P2,5,4,3,3,0,否,\n"));
}

#[test]
fn quoted_and_gb18030_files_read_the_same() {
    let plain = "学籍号,日期,状态\nP1,2026-10-01,旷课\nP1,2026-10-02,旷课\n";
    let quoted = "\"学籍号\",\"日期\",\"状态\"\n\"P1\",\"2026-10-02\",\"旷课\"\n\"P1\",\"2026-10-01\",\"旷课\"\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(plain);
    let a = scan(&read_roll(plain.as_bytes()).unwrap(), &Rules::default());
    assert_eq!(a, scan(&read_roll(quoted.as_bytes()).unwrap(), &Rules::default()));
    assert_eq!(a, scan(&read_roll(&gbk).unwrap(), &Rules::default()));
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
    let roll = read_roll(file.as_bytes()).unwrap();
    assert_eq!(roll.ids.len(), 500);
    assert_eq!(roll.rows(), 60_000);
    let (csv, flagged) = scan(&roll, &Rules::default());
    let text = String::from_utf8(csv).unwrap();
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
