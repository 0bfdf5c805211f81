//! The streamed csv path and the table path (xlsx) score identically, on a synthetic round.

use eduq_exchange::fitness::{score_csv, score_csv_split, score_table, to_xlsx};
use eduq_exchange::read_table;

#[test]
fn csv_stream_and_xlsx_table_agree() {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(eduq_synth::fitness::HEADERS).unwrap();
    eduq_synth::fitness::round(9, 3000, eduq_synth::fitness::Times::Dotted, |r| w.write_record(r).unwrap());
    let file = w.into_inner().unwrap();
    let (parts, sum) = score_csv(&file).unwrap();
    let streamed: Vec<u8> = parts.concat();
    let (two, _) = score_csv_split(&file, 1).unwrap();
    assert_eq!(two.len(), 3, "header and two halves");
    assert_eq!(two.concat(), streamed, "two threads write what one writes");
    let (headers, rows, sum2) = score_table(&read_table(&file, "in.csv").unwrap()).unwrap();
    assert_eq!(sum, sum2);
    assert_eq!(sum.pupils, 3000);
    assert!(sum.scored > 2800 && sum.exempt > 0 && sum.incomplete > 0, "{sum:?}");
    let xlsx = to_xlsx(&headers, &rows).unwrap();
    let back = read_table(&xlsx, "out.xlsx").unwrap();
    let from_csv = read_table(&streamed, "out.csv").unwrap();
    assert_eq!(back.headers, from_csv.headers);
    assert_eq!(back.rows.len(), from_csv.rows.len());
    for ((_, a), (_, b)) in back.rows.iter().zip(&from_csv.rows) {
        assert_eq!(a, b);
    }
}
