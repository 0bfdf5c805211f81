//! `eduq exam items`: item analysis of one test from its score matrix, no database.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;
use eduq_exchange::items::{item_analysis, read_pairs};
use eduq_exchange::{ExchangeError, Table, read_table};

#[derive(Subcommand)]
pub enum ExamCmd {
    /// Difficulty, 27 % discrimination, point-biserial, α and α-if-deleted per item, as JSON.
    Items {
        /// csv/xlsx: one row per pupil, one column per item (0/1, item scores or, with --key, raw options)
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// csv/xlsx: 题号, 满分 (full score per item; default: 1, or the highest score seen)
        #[arg(long)]
        max: Option<PathBuf>,
        /// csv/xlsx: 题号, 答案 (keys of multiple-choice items whose raw options are in the matrix)
        #[arg(long)]
        key: Option<PathBuf>,
    },
}

fn table(path: &Path) -> Result<Table> {
    let bytes = std::fs::read(path).with_context(|| format!("无法读取文件 {}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    read_table(&bytes, &name).with_context(|| format!("{name} 无法读取"))
}

pub fn run(cmd: ExamCmd) -> Result<()> {
    let ExamCmd::Items { input, out, max, key } = cmd;
    let matrix = table(&input)?;
    let max = match max {
        Some(p) => read_pairs(&table(&p)?, &["题号", "题目", "item"], &["满分", "max"])?,
        None => Vec::new(),
    };
    let keys = match key {
        Some(p) => read_pairs(&table(&p)?, &["题号", "题目", "item"], &["答案", "key"])?,
        None => Vec::new(),
    };
    let json = item_analysis(&matrix, &max, &keys).map_err(|e| {
        if let ExchangeError::Rows(rows) = &e {
            for r in rows {
                eprintln!("{r}");
            }
        }
        anyhow::anyhow!("{e}")
    })?;
    std::fs::write(&out, serde_json::to_vec_pretty(&json)?).with_context(|| format!("无法写入 {}", out.display()))?;
    let flagged = json["items"]
        .as_array()
        .map_or(0, |a| a.iter().filter(|i| i["flags"].as_array().is_some_and(|f| !f.is_empty())).count());
    println!(
        "已分析 {} 名学生、{} 道题（缺考/作弊 {} 人未计入）：α = {}，需关注的题目 {} 道；结果写入 {}",
        json["n"],
        json["k"],
        json["excluded"],
        json["alpha"].as_f64().map_or("—".to_string(), |a| format!("{a:.3}")),
        flagged,
        out.display()
    );
    Ok(())
}
