//! `eduq va fit`: value-added of schools (or any group) from linked entry and exit scores.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use eduq_core::valueadded::{ABOVE, BELOW, Method, fit, progress};
use eduq_exchange::read_table;
use eduq_exchange::va::{effects_csv, fixed_csv, read_linked, variance_csv};

#[derive(Subcommand)]
pub enum VaCmd {
    /// Random-intercept model exit ~ prior (+ covariates) + (1|group); writes fixed.csv, variance.csv,
    /// effects.csv and the Progress-8-style level0.csv.
    Fit {
        /// csv/xlsx, one row per pupil
        #[arg(long = "in")]
        input: PathBuf,
        /// Exit score column
        #[arg(long)]
        outcome: String,
        /// Prior attainment column(s), comma separated; the first is the entry score; text columns are categorical
        #[arg(long, value_delimiter = ',')]
        prior: Vec<String>,
        /// Group column (school, or class)
        #[arg(long)]
        group: String,
        /// reml (default) or ml
        #[arg(long, default_value = "reml")]
        method: String,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(cmd: VaCmd) -> Result<()> {
    let VaCmd::Fit { input, outcome, prior, group, method, out } = cmd;
    let method = Method::from_key(&method.to_ascii_lowercase())
        .with_context(|| format!("估计方法“{method}”无效，应为 reml 或 ml"))?;
    if prior.is_empty() {
        bail!("至少需要一个 --prior 列（入口成绩）");
    }
    let started = Instant::now();
    let bytes = std::fs::read(&input).with_context(|| format!("无法读取文件 {}", input.display()))?;
    let name = input.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let table = read_table(&bytes, &name)?;
    let linked = read_linked(&table, &outcome, &prior, &group).map_err(|e| {
        for r in e.row_errors() {
            eprintln!("{r}");
        }
        anyhow!("{e}")
    })?;
    let read = started.elapsed();
    let t = Instant::now();
    let f = fit(&linked.data, method).map_err(|e| anyhow!("{e}"))?;
    let took = t.elapsed();
    std::fs::create_dir_all(&out).with_context(|| format!("无法创建目录 {}", out.display()))?;
    let write =
        |name: &str, bytes: Vec<u8>| std::fs::write(out.join(name), bytes).with_context(|| format!("无法写入 {name}"));
    write("fixed.csv", fixed_csv(&f))?;
    write("variance.csv", variance_csv(&f, &group))?;
    write("effects.csv", effects_csv(&f.effects))?;
    if linked.entry.len() == linked.data.y.len() {
        let level0 = progress(&linked.entry, &linked.data.y, &linked.data.group, &linked.data.groups, 20);
        write("level0.csv", effects_csv(&level0))?;
    }
    println!(
        "增值评价（{}，{}）：{} 名学生、{} 个{}，未能使用 {} 人（成绩或分组缺失）",
        method.label(),
        outcome,
        f.n,
        f.groups,
        group,
        linked.excluded
    );
    for x in &f.fixed {
        println!("  固定效应 {}：{:.4}（标准误 {:.4}）", x.term, x.estimate, x.se);
    }
    println!(
        "  组间方差 {:.4}，组内方差 {:.4}，组内相关系数 ICC {:.3}；−2LL {:.3}{}",
        f.sigma2_u,
        f.sigma2_e,
        f.icc,
        f.minus2ll,
        if f.boundary { "（组间方差为0：各组在控制入口成绩后无显著差异）" } else { "" }
    );
    let above = f.effects.iter().filter(|e| e.band == ABOVE).count();
    let below = f.effects.iter().filter(|e| e.band == BELOW).count();
    println!(
        "  95%区间不含0：高于预期 {above} 个，低于预期 {below} 个，其余 {} 个与预期相符（区间见 effects.csv；不公布排名）",
        f.effects.len() - above - below
    );
    println!("  结果写入 {}（读取 {:.2} 秒，拟合 {:.3} 秒）", out.display(), read.as_secs_f64(), took.as_secs_f64());
    Ok(())
}
