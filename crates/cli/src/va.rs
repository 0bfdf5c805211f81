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
        /// A random slope on the entry score (the first --prior) per group
        #[arg(long)]
        random_slope: bool,
        /// Class column: class intercepts nested in the groups (classes of 15 pupils or more);
        /// writes class_effects.csv
        #[arg(long)]
        class: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(cmd: VaCmd) -> Result<()> {
    let VaCmd::Fit { input, outcome, prior, group, method, random_slope, class, out } = cmd;
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
    if random_slope || class.is_some() {
        return extended(&table, linked, &group, &prior[0], random_slope, class.as_deref(), method, &out);
    }
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

/// The model with a random slope and/or nested classes (`eduq_core::mixed`).
#[allow(clippy::too_many_arguments)]
fn extended(
    table: &eduq_exchange::Table,
    linked: eduq_exchange::va::Linked,
    group: &str,
    entry: &str,
    random_slope: bool,
    class: Option<&str>,
    method: Method,
    out: &std::path::Path,
) -> Result<()> {
    use eduq_core::mixed::{Design, MIN_CLASS, fit_mixed};
    use eduq_exchange::va::{fixed_rows_csv, mixed_variance_csv};
    if random_slope && linked.entry.len() != linked.data.y.len() {
        bail!("随机斜率需要数值型的入口成绩列“{entry}”");
    }
    let class = match class {
        Some(col) => {
            let c = table.column(col).with_context(|| format!("缺少班级列“{col}”"))?;
            let mut labels: Vec<String> = Vec::new();
            let mut index = std::collections::HashMap::new();
            let mut of_pupil = Vec::with_capacity(linked.rows.len());
            for (&row, &g) in linked.rows.iter().zip(&linked.data.group) {
                // Classes are named within their school (every school has a 一班).
                let name = table.rows[row].1[c].trim().to_string();
                let next = labels.len();
                let k = *index.entry((g, name.clone())).or_insert(next);
                if k == next {
                    labels.push(name);
                }
                of_pupil.push(k);
            }
            Some((of_pupil, labels))
        }
        None => None,
    };
    let d = linked.data;
    let design = Design {
        y: d.y,
        x: d.x,
        terms: d.terms,
        school: d.group,
        schools: d.groups,
        slope: random_slope.then_some(0),
        class,
    };
    let t = Instant::now();
    let f = fit_mixed(&design, method).map_err(|e| anyhow!("{e}"))?;
    let took = t.elapsed();
    std::fs::create_dir_all(out).with_context(|| format!("无法创建目录 {}", out.display()))?;
    let write =
        |name: &str, bytes: Vec<u8>| std::fs::write(out.join(name), bytes).with_context(|| format!("无法写入 {name}"));
    write("fixed.csv", fixed_rows_csv(&f.fixed))?;
    write("variance.csv", mixed_variance_csv(&f, group, entry))?;
    write("effects.csv", effects_csv(&f.effects))?;
    if design.class.is_some() {
        write("class_effects.csv", effects_csv(&f.class_effects))?;
    }
    println!(
        "增值评价（{}{}{}）：{} 名学生、{} 个{}；估计用时 {:.0} ms",
        method.label(),
        if random_slope { "，入口成绩随机斜率" } else { "" },
        if design.class.is_some() { "，班级层" } else { "" },
        f.n,
        f.effects.len(),
        group,
        took.as_secs_f64() * 1000.0
    );
    for x in &f.fixed {
        println!("  固定效应 {}：{:.4}（标准误 {:.4}）", x.term, x.estimate, x.se);
    }
    println!("  {group}间方差 {:.4}，个人方差 {:.4}，−2LL {:.2}", f.school_var, f.sigma2_e, f.minus2ll);
    if let (Some(c), Some(v)) = (f.school_slope_cov, f.slope_var) {
        println!("  斜率方差 {v:.4}，截距与斜率协方差 {c:.4}；效应为入口成绩取全体平均时的学校效应");
    }
    if let Some(c) = f.class_var {
        println!(
            "  班级间方差 {c:.4}：{} 个班级（≥{MIN_CLASS}人）有班级效应，{} 个班级人数不足未单列",
            f.classes_kept, f.classes_dropped
        );
    }
    let above = f.effects.iter().filter(|e| e.band == ABOVE).count();
    let below = f.effects.iter().filter(|e| e.band == BELOW).count();
    println!("  高于预期 {above} 个，低于预期 {below} 个，其余与预期相符（95% 区间含 0）");
    Ok(())
}
