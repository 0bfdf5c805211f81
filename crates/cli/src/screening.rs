//! `eduq screening score`: a 心理教师's batch job on answer sheets entered from paper, no database.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use eduq_core::screening::{Instrument, shipped};
use eduq_exchange::screening::score_file;

#[derive(Subcommand)]
pub enum ScreeningCmd {
    /// Scores answer sheets (编号, 第1题 … 第N题, each 0–3) and writes 编号, 总分, 等级, 关注, 备注 per row.
    Score {
        /// phq9 or gad7 (shipped), or the path of an instrument file a bureau holds a licence for
        #[arg(long)]
        instrument: String,
        /// .csv or .xlsx
        #[arg(long = "in")]
        input: PathBuf,
        /// .csv (or .xlsx)
        #[arg(long)]
        out: PathBuf,
    },
}

/// A shipped instrument by key, else an instrument file.
pub fn instrument(name: &str) -> Result<Instrument> {
    if let Some(i) = shipped(name) {
        return Ok(i);
    }
    let path = Path::new(name);
    if !path.is_file() {
        bail!("未知量表“{name}”：可用 phq9、gad7，或量表文件的路径");
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("无法读取量表文件 {name}"))?;
    Ok(Instrument::parse(&text)?)
}

pub fn run(cmd: ScreeningCmd) -> Result<()> {
    let ScreeningCmd::Score { instrument: key, input, out } = cmd;
    let started = Instant::now();
    let ins = instrument(&key)?;
    let bytes = std::fs::read(&input).with_context(|| format!("无法读取文件 {}", input.display()))?;
    let name = input.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let (csv, sum) = score_file(&bytes, &name, &ins)?;
    drop(bytes);
    let data = if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        let t = eduq_exchange::read_table(&csv, "out.csv")?;
        let rows: Vec<Vec<String>> = t.rows.into_iter().map(|(_, r)| r).collect();
        eduq_exchange::fitness::to_xlsx(&t.headers, &rows)?
    } else {
        csv
    };
    std::fs::write(&out, data).with_context(|| format!("无法写入 {}", out.display()))?;
    if !sum.missing_columns.is_empty() {
        eprintln!("注意：文件缺少列 {}，这些题在每一行都按空白处理", sum.missing_columns.join("、"));
    }
    let bands: Vec<String> = ins.bands.iter().zip(&sum.by_band).map(|(b, n)| format!("{} {n}", b.label)).collect();
    println!(
        "{}：{} 份答卷，已计分 {}（{}），需关注 {}，须当日跟进 {}，未计分 {}；结果写入 {}（{:.2} 秒）",
        ins.name,
        sum.rows,
        sum.scored,
        bands.join("、"),
        sum.attention,
        sum.alert,
        sum.invalid,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    if sum.invalid > 0 {
        bail!("{} 份答卷有缺答或无效答案，原因已写在“备注”列；改正后请重新计分", sum.invalid);
    }
    Ok(())
}
