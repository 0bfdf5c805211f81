//! `eduq classes assign`: balanced class assignment of a new intake, on files.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use eduq_core::classes::{Options, assign, gap, seed_from_hex, stats};
use eduq_exchange::classes::{parse_roster, with_classes};
use eduq_exchange::read_table;

#[derive(Subcommand)]
pub enum ClassesCmd {
    /// Splits the roster into K balanced classes and writes it back with 班级.
    Assign {
        /// csv/xlsx: 学籍号, 姓名, 性别, 总分, subject columns, optional 标记, 同班组, 分开组, 预分班级
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long)]
        classes: usize,
        /// Hex seed, e.g. the seed of a published lottery
        #[arg(long)]
        seed: String,
        /// .csv or .xlsx
        #[arg(long)]
        out: PathBuf,
        /// Largest class allowed (45 for 小学, 50 for 初中)
        #[arg(long)]
        max_size: Option<usize>,
        /// Do not separate pupils with the same or same-sounding (同音) name
        #[arg(long)]
        allow_same_names: bool,
    },
}

pub fn run(cmd: ClassesCmd) -> Result<()> {
    let ClassesCmd::Assign { input, classes, seed, out, max_size, allow_same_names } = cmd;
    let started = Instant::now();
    let seed = seed_from_hex(&seed).with_context(|| format!("种子“{seed}”不是偶数位的十六进制字符串"))?;
    let bytes = std::fs::read(&input).with_context(|| format!("无法读取文件 {}", input.display()))?;
    let name = input.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let table = read_table(&bytes, &name)?;
    let roster = parse_roster(&table, classes).map_err(|e| crate::file_error(e, "；未分班"))?;
    let opts = Options { classes, max_size, seed, separate_same_names: !allow_same_names };
    let a = assign(&roster.pupils, &opts).map_err(|e| anyhow!("{e}；未分班"))?;
    let csv = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    std::fs::write(&out, with_classes(&table, &a.class_of, csv)?)
        .with_context(|| format!("无法写入 {}", out.display()))?;

    let st = stats(&roster.pupils, &a.class_of, classes, &roster.flags);
    let mut head = vec!["班级".to_string(), "人数".into(), "男".into(), "女".into()];
    for s in &roster.scores {
        head.push(format!("{s}均分"));
        head.push(format!("{s}标准差"));
    }
    head.extend(roster.flags.iter().cloned());
    println!("{}", head.join("\t"));
    for (c, x) in st.iter().enumerate() {
        let mut cells = vec![format!("{}班", c + 1), x.n.to_string(), x.male.to_string(), x.female.to_string()];
        for (m, s) in x.means.iter().zip(&x.sds) {
            cells.push(format!("{m:.2}"));
            cells.push(format!("{s:.2}"));
        }
        cells.extend(x.flags.iter().map(usize::to_string));
        println!("{}", cells.join("\t"));
    }
    for (j, s) in roster.scores.iter().enumerate() {
        let g = gap(&roster.pupils, &a.class_of, classes, j);
        if j == 0 {
            println!("{s}：各班均分最大差 {g:.3} 分（S型分班起点为 {:.3} 分）", a.snake_gap);
        } else {
            println!("{s}：各班均分最大差 {g:.3} 分");
        }
    }
    println!(
        "{} 名学生分入 {} 个班，结果写入 {}（{:.2} 秒）",
        roster.pupils.len(),
        classes,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
