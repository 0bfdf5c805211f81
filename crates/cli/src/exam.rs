//! `eduq exam items`: item analysis of one test from its score matrix, no database.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;
use eduq_exchange::items::{item_analysis_file, read_pairs};
use eduq_exchange::{Table, read_table};

#[derive(Subcommand)]
pub enum ExamCmd {
    /// Per subject (and per group): participants, 缺考, mean, SD, median, extremes, 四率, 超均率,
    /// distribution, 一分一段 and percentiles, as JSON. No ranks.
    Analyse {
        /// csv/xlsx: one row per pupil, one column per subject (缺考 written as 缺考 or left empty)
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Full score of every subject
        #[arg(long, default_value_t = 100.0)]
        full: f64,
        /// csv/xlsx: 科目, 满分 (subjects whose full score differs)
        #[arg(long)]
        full_file: Option<PathBuf>,
        /// Column to analyse by (e.g. 学校 or 班级), with 超均率 against the whole file
        #[arg(long)]
        group: Option<String>,
    },
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
    let (input, out, max, key) = match cmd {
        ExamCmd::Items { input, out, max, key } => (input, out, max, key),
        ExamCmd::Analyse { input, out, full, full_file, group } => return analyse(input, out, full, full_file, group),
    };
    let bytes = std::fs::read(&input).with_context(|| format!("无法读取文件 {}", input.display()))?;
    let name = input.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let max = match max {
        Some(p) => read_pairs(&table(&p)?, &["题号", "题目", "item"], &["满分", "max"])?,
        None => Vec::new(),
    };
    let keys = match key {
        Some(p) => read_pairs(&table(&p)?, &["题号", "题目", "item"], &["答案", "key"])?,
        None => Vec::new(),
    };
    let json = item_analysis_file(&bytes, &name, &max, &keys).map_err(|e| crate::file_error(e, ""))?;
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

fn analyse(input: PathBuf, out: PathBuf, full: f64, full_file: Option<PathBuf>, group: Option<String>) -> Result<()> {
    let sheet = table(&input)?;
    let per_subject = match full_file {
        Some(p) => read_pairs(&table(&p)?, &["科目", "subject"], &["满分", "full"])?
            .into_iter()
            .map(|(row, k, v)| {
                v.parse::<f64>().map(|f| (k, f)).map_err(|_| anyhow::anyhow!("满分文件第{row}行的满分“{v}”无效"))
            })
            .collect::<Result<_>>()?,
        None => Default::default(),
    };
    let lines = eduq_core::exam::Lines::default();
    let json = eduq_exchange::exam::analyse_sheet(&sheet, full, &per_subject, group.as_deref(), &lines)
        .map_err(|e| crate::file_error(e, ""))?;
    std::fs::write(&out, serde_json::to_vec_pretty(&json)?).with_context(|| format!("无法写入 {}", out.display()))?;
    for s in json["subjects"].as_array().into_iter().flatten() {
        let a = &s["all"];
        println!(
            "{}：参考 {} 人，缺考 {} 人，平均分 {:.2}，标准差 {:.2}，优秀率 {:.1}%，及格率 {:.1}%，低分率 {:.1}%",
            s["subject"].as_str().unwrap_or(""),
            a["participants"],
            a["absent"],
            a["mean"].as_f64().unwrap_or(0.0),
            a["sd"].as_f64().unwrap_or(0.0),
            a["excellent_rate"].as_f64().unwrap_or(0.0),
            a["pass_rate"].as_f64().unwrap_or(0.0),
            a["low_rate"].as_f64().unwrap_or(0.0)
        );
    }
    println!("结果写入 {}（不含学生排名）", out.display());
    Ok(())
}
