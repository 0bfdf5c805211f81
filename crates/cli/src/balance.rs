//! `eduq balance evaluate`: the 义务教育优质均衡 resource evaluation of a county's schools, on a file.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Subcommand;
use eduq_core::balance::{BalanceStage, evaluate};
use eduq_exchange::balance::parse_schools;
use eduq_exchange::read_table;

#[derive(Subcommand)]
pub enum BalanceCmd {
    /// Each school's seven indicators, met count and pass; the county 差异系数 per indicator; JSON.
    Evaluate {
        /// .xlsx or .csv: 学校代码, 学校名称, 在校生数 and the seven numerators
        #[arg(long = "in")]
        input: PathBuf,
        /// primary (小学) or junior (初中)
        #[arg(long)]
        stage: String,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(cmd: BalanceCmd) -> Result<()> {
    let BalanceCmd::Evaluate { input, stage, out } = cmd;
    let stage = BalanceStage::from_key(&stage)
        .or_else(|| BalanceStage::parse(&stage).ok())
        .with_context(|| format!("学段“{stage}”无效，应为 primary 或 junior"))?;
    let bytes = std::fs::read(&input).with_context(|| format!("无法读取文件 {}", input.display()))?;
    let name = input.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let schools = parse_schools(&read_table(&bytes, &name)?).map_err(|e| crate::file_error(e, ""))?;
    let started = Instant::now();
    let e = evaluate(stage, &schools);
    let took = started.elapsed();
    std::fs::write(&out, serde_json::to_vec_pretty(&e)?).with_context(|| format!("无法写入 {}", out.display()))?;
    for i in &e.indicators {
        println!(
            "{}：县域 {:.2}，差异系数 {}（上限 {:.2}）{}，未达标学校 {} 所",
            i.name,
            i.county_value,
            i.cv.map_or("—".to_string(), |c| format!("{c:.3}")),
            i.cv_limit,
            if i.cv_pass { "达标" } else { "未达标" },
            i.schools_below
        );
    }
    let passing = e.schools.iter().filter(|s| s.pass).count();
    println!(
        "{} 所学校中 {} 所达标；县域{}{}（计算 {:.1} 毫秒）；结果写入 {}",
        e.schools.len(),
        passing,
        stage.label(),
        if e.county_pass {
            "资源配置达到优质均衡要求"
        } else {
            "资源配置尚未达到优质均衡要求"
        },
        took.as_secs_f64() * 1000.0,
        out.display()
    );
    Ok(())
}
