//! `eduq attendance scan`: the streak-based early warning over an attendance file, no database.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use eduq_core::attendance::Rules;
use eduq_exchange::attendance::{ScanOptions, scan_csv};

#[derive(Subcommand)]
pub enum AttendanceCmd {
    /// One row per pupil: days, absences, 旷课, longest and current 旷课 streak, 预警 and 原因.
    Scan {
        /// csv: 学籍号, 日期 (YYYY-MM-DD), 状态 (出勤, 病假, 事假, 旷课, 迟到, 早退, 其他)
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Consecutive 旷课 school days that raise a warning
        #[arg(long, default_value_t = 3)]
        streak: u32,
        /// Also warn at this many 旷课 days within the last --window school days
        #[arg(long)]
        recent: Option<u32>,
        #[arg(long, default_value_t = 30)]
        window: usize,
        /// Also warn at this absence rate (any reason), e.g. 0.2 for 20 %
        #[arg(long)]
        rate: Option<f64>,
    },
}

pub fn run(cmd: AttendanceCmd) -> Result<()> {
    let AttendanceCmd::Scan { input, out, streak, recent, window, rate } = cmd;
    if streak == 0 {
        bail!("--streak 必须至少为1");
    }
    if let Some(r) = rate
        && !(r > 0.0 && r <= 1.0)
    {
        bail!("--rate 应在0到1之间，例如0.2表示20%");
    }
    let started = Instant::now();
    let rules = Rules { streak, recent_truant: recent, window: window.max(1), absence_rate: rate };
    let open = || std::fs::File::open(&input);
    let size_hint =
        open().and_then(|f| f.metadata()).with_context(|| format!("无法读取文件 {}", input.display()))?.len();
    let opts = ScanOptions { size_hint: Some(size_hint), ..ScanOptions::default() };
    let summary =
        crate::output::write_file(&out, |w| scan_csv(&open, &rules, &opts, w).map_err(|e| crate::file_error(e, "")))?;
    println!(
        "已扫描 {} 行、{} 名学生，预警 {} 人；结果写入 {}（{:.2} 秒{}）",
        summary.rows,
        summary.pupils,
        summary.flagged,
        out.display(),
        started.elapsed().as_secs_f64(),
        if summary.passes > 1 { format!("，分{}遍读取", summary.passes) } else { String::new() }
    );
    Ok(())
}
