//! `eduq fitness score`: a PE teacher's batch job on the national upload file, no database.

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use eduq_exchange::fitness::{StreamOptions, Summary, score_csv, score_table, to_xlsx};
use eduq_exchange::read_table;
use eduq_exchange::table::{Cell, write_plain_csv};

#[derive(Subcommand)]
pub enum FitnessCmd {
    /// Scores every pupil by 《国家学生体质健康标准（2014年修订）》 and adds the scores, BMI, 总分, 等级,
    /// vision grading and 备注 to each row.
    Score {
        /// .csv or .xlsx in the national upload layout
        #[arg(long = "in")]
        input: PathBuf,
        /// .csv or .xlsx
        #[arg(long)]
        out: PathBuf,
    },
}

fn has_extension(p: &std::path::Path, ext: &str) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

pub fn run(cmd: FitnessCmd) -> Result<()> {
    let FitnessCmd::Score { input, out } = cmd;
    let started = Instant::now();
    let open = || std::fs::File::open(&input).with_context(|| format!("无法读取文件 {}", input.display()));
    let mut head = [0u8; 4];
    let looks_xlsx = open()?.read(&mut head).is_ok_and(|n| n == 4 && head == *b"PK\x03\x04");
    let xlsx_out = has_extension(&out, "xlsx");
    if !xlsx_out && !has_extension(&out, "csv") {
        bail!("输出文件须为 .csv 或 .xlsx：{}", out.display());
    }
    let sum: Summary = crate::output::write_file(&out, |w| {
        if !looks_xlsx && !xlsx_out {
            // csv to csv streams, whatever the file's size.
            return Ok(score_csv(open()?, w, &StreamOptions::default())?);
        }
        let bytes = std::fs::read(&input).with_context(|| format!("无法读取文件 {}", input.display()))?;
        let name = input.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let table = read_table(&bytes, &name)?;
        drop(bytes);
        let (headers, rows, sum) = score_table(&table)?;
        let data = if xlsx_out {
            to_xlsx(&headers, &rows)?
        } else {
            let h: Vec<&str> = headers.iter().map(String::as_str).collect();
            let cells: Vec<Vec<Cell>> = rows.into_iter().map(|r| r.into_iter().map(Cell::Text).collect()).collect();
            write_plain_csv(&h, &cells)
        };
        w.write_all(&data).with_context(|| format!("无法写入 {}", out.display()))?;
        Ok(sum)
    })?;
    println!(
        "已评分 {} 名学生：完整评分 {}（优秀 {}、良好 {}、及格 {}、不及格 {}），缺项 {}，免测 {}，数据有误 {}；结果写入 {}（{:.2} 秒）",
        sum.pupils,
        sum.scored,
        sum.excellent,
        sum.good,
        sum.pass,
        sum.fail,
        sum.incomplete,
        sum.exempt,
        sum.invalid,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    if sum.invalid > 0 {
        bail!("{} 名学生的数据有误，原因已写在“备注”列；改正后请重新评分", sum.invalid);
    }
    Ok(())
}
