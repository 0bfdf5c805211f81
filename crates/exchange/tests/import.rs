use eduq_core::calendar::Term;
use eduq_exchange::kinds::{Batch, Kind, export, parse};
use eduq_exchange::{ExchangeError, read_table};
use eduq_synth::{Spec, generate};
use proptest::prelude::*;

fn small() -> eduq_synth::District {
    generate(&Spec { seed: 3, students: 1_500, current: Term { start_year: 2026, term_no: 1 }, years: 1 })
}

#[test]
fn round_trip_every_kind_xlsx_and_csv() {
    let d = small();
    let batches = [
        Batch::Schools(d.schools.clone()),
        Batch::Classes(d.classes.clone()),
        Batch::Students(d.students.clone()),
        Batch::Teachers(d.teachers.clone()),
        Batch::Conditions(d.conditions.clone()),
    ];
    for batch in batches {
        for csv in [false, true] {
            let bytes = export(&batch, csv).expect("export");
            let name = if csv { "x.csv" } else { "x.xlsx" };
            let table = read_table(&bytes, name).expect("read");
            let back = parse(batch.kind(), &table)
                .unwrap_or_else(|e| panic!("{:?}: {e} {:?}", batch.kind(), e.row_errors().first()));
            assert_eq!(back, batch, "{:?} csv={csv}", batch.kind());
        }
    }
}

const HEAD: &str = "学年,学期,学校标识码,年级,班号,全国学籍号,姓名,性别,出生日期\n";

#[test]
fn every_error_names_row_column_value() {
    let text = format!(
        "{HEAD}2024-2025,1,3199000001,三年级,1,G11010520150301001X,张三,男,2013-02-30\n\
         2024-2025,1,319900000,三年级,2,G11010520150301001X,李四,女,2015-03-01\n"
    );
    let table = read_table(text.as_bytes(), "s.csv").expect("table");
    let err = parse(Kind::Students, &table).expect_err("errors");
    let msgs: Vec<String> = err.row_errors().iter().map(ToString::to_string).collect();
    assert!(msgs.contains(&"第2行「出生日期」的值“2013-02-30”不是有效日期".to_string()), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.starts_with("第3行「学校标识码」的值“319900000”")), "{msgs:?}");
    assert!(msgs.iter().all(|m| m.starts_with("第2行") || m.starts_with("第3行")));
}

#[test]
fn impossible_age_and_duplicates() {
    // A valid G number born 2015-03-01 (female: sequence digit even) placed in 九年级 in 2024.
    let first = "11010520150301002";
    let id = format!("{first}{}", eduq_core::identity::id_check_char(first).expect("digits"));
    let text = format!(
        "{HEAD}2024-2025,1,3199000001,九年级,1,G{id},王五,女,2015-03-01\n\
         2024-2025,1,3199000001,三年级,1,G{id},王五,女,2015-03-01\n\
         2024-2025,1,3199000001,三年级,1,G{id},王五,女,2015-03-01\n"
    );
    let table = read_table(text.as_bytes(), "s.csv").expect("table");
    let err = parse(Kind::Students, &table).expect_err("errors");
    let msgs: Vec<String> = err.row_errors().iter().map(ToString::to_string).collect();
    assert!(msgs.iter().any(|m| m.starts_with("第2行「出生日期」") && m.contains("九年级")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.starts_with("第4行") && m.contains("与第3行重复")), "{msgs:?}");
}

#[test]
fn missing_headers_are_listed() {
    let table = read_table("学年,姓名\n2024-2025,张三\n".as_bytes(), "s.csv").expect("table");
    match parse(Kind::Students, &table) {
        Err(ExchangeError::MissingHeaders(h)) => {
            assert!(h.contains(&"全国学籍号".to_string()));
            assert!(!h.contains(&"身份证号".to_string()));
        }
        other => panic!("{other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    /// Whatever bytes arrive, reading and validating never panics.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), xlsx in any::<bool>()) {
        let name = if xlsx { "f.xlsx" } else { "f.csv" };
        if let Ok(t) = read_table(&bytes, name) {
            for k in Kind::ALL { let _ = parse(*k, &t); }
        }
    }

    /// Arbitrary cell text in a students file yields a batch or row errors, each naming a data row.
    #[test]
    fn arbitrary_cells_give_row_errors(cells in proptest::collection::vec("[0-9A-Za-z年级月日一二三\\-/. ]{0,20}", 9)) {
        let line: Vec<String> = cells.iter().map(|c| c.replace(',', "")).collect();
        let text = format!("{HEAD}{}\n", line.join(","));
        let table = read_table(text.as_bytes(), "s.csv").expect("csv");
        match parse(Kind::Students, &table) {
            Ok(b) => prop_assert_eq!(b.len(), 1),
            Err(ExchangeError::Rows(errs)) => prop_assert!(errs.iter().all(|e| e.row == 2)),
            Err(ExchangeError::Empty) => {}
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }
}

/// Every record of a multi-year synthetic district passes the import validation (the demo seeds
/// through the apply path directly, so the generator must never produce what an import rejects).
#[test]
fn multi_year_synthetic_district_is_valid_input() {
    let d = generate(&Spec { seed: 9, students: 2_000, current: Term { start_year: 2026, term_no: 1 }, years: 3 });
    for batch in [Batch::Classes(d.classes), Batch::Students(d.students), Batch::Teachers(d.teachers)] {
        let table = read_table(&export(&batch, true).expect("export"), "x.csv").expect("read");
        if let Err(e) = parse(batch.kind(), &table) {
            panic!("{:?}: {e} {:?}", batch.kind(), e.row_errors().first());
        }
    }
}

/// 转往学校 belongs to a 转出 only; with one it is kept.
#[test]
fn destination_only_with_a_transfer_out() {
    let first = "11010520150301002";
    let id = format!("{first}{}", eduq_core::identity::id_check_char(first).expect("digits"));
    let head = "学年,学期,学校标识码,年级,班号,全国学籍号,姓名,性别,出生日期,学籍状态,状态日期,转往学校\n";
    let text = format!("{head}2024-2025,1,3199000001,三年级,1,G{id},王五,女,2015-03-01,在读,,县外某小学\n");
    let table = read_table(text.as_bytes(), "s.csv").expect("table");
    let msgs: Vec<String> =
        parse(Kind::Students, &table).expect_err("refused").row_errors().iter().map(ToString::to_string).collect();
    assert_eq!(msgs, ["第2行「转往学校」的值“县外某小学”只在学籍状态为“转出”时填写"]);
    let text = format!("{head}2024-2025,1,3199000001,三年级,1,G{id},王五,女,2015-03-01,转出,2024-10-08,县外某小学\n");
    let table = read_table(text.as_bytes(), "s.csv").expect("table");
    match parse(Kind::Students, &table).expect("parsed") {
        eduq_exchange::kinds::Batch::Students(v) => assert_eq!(v[0].destination.as_deref(), Some("县外某小学")),
        _ => panic!("students"),
    }
}

/// 政府购买学位 is optional (older files have no such column), 是 only for a 民办 school.
#[test]
fn purchased_places_only_for_private_schools() {
    let old = "学校标识码,学校名称,办学类型,城乡类型,办学性质,普惠性\n3199000001,一小,小学,城区,公办,否\n";
    match parse(Kind::Schools, &read_table(old.as_bytes(), "s.csv").expect("table")).expect("an older file") {
        Batch::Schools(v) => assert!(!v[0].purchased_places),
        _ => panic!("schools"),
    }
    let head = "学校标识码,学校名称,办学类型,城乡类型,办学性质,普惠性,政府购买学位\n";
    let text = format!("{head}3199000001,一小,小学,城区,民办,否,是\n3199000002,二小,小学,城区,公办,否,是\n");
    let err = parse(Kind::Schools, &read_table(text.as_bytes(), "s.csv").expect("table")).expect_err("refused");
    let msgs: Vec<String> = err.row_errors().iter().map(ToString::to_string).collect();
    assert_eq!(msgs, ["第3行「政府购买学位」的值“是”不适用于公办学校：政府购买学位服务指民办学校"]);
    let text = format!("{head}3199000001,一小,小学,城区,民办,否,是\n");
    match parse(Kind::Schools, &read_table(text.as_bytes(), "s.csv").expect("table")).expect("parsed") {
        Batch::Schools(v) => assert!(v[0].purchased_places),
        _ => panic!("schools"),
    }
}

#[test]
fn formula_names_and_overlong_text_are_refused() {
    let first = "11010520150301002";
    let id = format!("{first}{}", eduq_core::identity::id_check_char(first).expect("digits"));
    let huge = format!("{HEAD}2024-2025,1,3199000001,三年级,1,G{id},{},女,2015-03-01\n", "张".repeat(1_000_000));
    let e = read_table(huge.as_bytes(), "s.csv").expect_err("a million characters");
    assert!(e.to_string().contains("第2行第7列的内容超过32767个字符"), "{e}");
    let long = "张".repeat(300);
    let text = format!(
        "{HEAD}2024-2025,1,3199000001,三年级,1,G{id},\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",女,2015-03-01\n\
         2024-2025,1,3199000001,三年级,1,G{id}1,{long},女,2015-03-01\n\
         2024-2025,1,3199000001,三年级,1,G{id}2,{},女,2015-03-01\n",
        "张".repeat(51)
    );
    let table = read_table(text.as_bytes(), "s.csv").expect("table");
    let err = parse(Kind::Students, &table).expect_err("errors");
    let msgs: Vec<String> = err.row_errors().iter().map(ToString::to_string).collect();
    assert!(msgs.iter().any(|m| m.starts_with("第2行「姓名」") && m.contains("不能以 = + - @ 开头")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.starts_with("第3行「姓名」") && m.contains("不能超过200个字符")), "{:?}", &msgs);
    assert!(msgs.iter().any(|m| m.starts_with("第4行「姓名」") && m.contains("不能超过50个字符")), "{msgs:?}");
}
