//! The streamed csv path and the table path (xlsx) score identically, on a synthetic round.

use eduq_exchange::fitness::{StreamOptions, score_csv, score_table, to_xlsx};
use eduq_exchange::read_table;

#[test]
fn csv_stream_and_xlsx_table_agree() {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(eduq_synth::fitness::HEADERS).unwrap();
    eduq_synth::fitness::round(9, 3000, eduq_synth::fitness::Times::Primes, |r| w.write_record(r).unwrap());
    let file = w.into_inner().unwrap();
    let score = |threads: usize, block: usize| {
        let mut out = Vec::new();
        let sum = score_csv(&file[..], &mut out, &StreamOptions { threads, block }).unwrap();
        (out, sum)
    };
    let (streamed, sum) = score(1, 1 << 20);
    assert_eq!(score(2, 4096), (streamed.clone(), sum.clone()), "two threads and small blocks write what one writes");
    assert_eq!(score(3, 700), (streamed.clone(), sum.clone()));
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
