//! `eduq lottery draw|verify`: the admission lottery as a batch job on files, no database.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use eduq_core::lottery::{BundlePolicy, Mechanism, draw};
use eduq_exchange::ExchangeError;
use eduq_exchange::lottery::{
    LotteryFileError, MANIFEST_FILE, Manifest, publish, read_input, verify, write_publication,
};

#[derive(Subcommand)]
pub enum LotteryCmd {
    /// Draws a lottery and writes the publication (inputs without names, tickets, results, order, manifest).
    Draw {
        #[arg(long)]
        lottery_id: String,
        /// csv/xlsx: 申请人编号, 志愿 (school codes separated by ";"), optional 捆绑组
        #[arg(long)]
        applicants: PathBuf,
        /// csv/xlsx: 学校代码, 学位数
        #[arg(long)]
        schools: PathBuf,
        /// csv/xlsx: 申请人编号, 学校代码, 优先组 (lower is higher; unlisted pairs are group 99)
        #[arg(long)]
        priorities: Option<PathBuf>,
        /// Entropy strings in order (a beacon value fixed in advance, digits drawn on site, …)
        #[arg(long)]
        entropy: Vec<String>,
        /// da (deferred acceptance, default) or ia (一志愿优先, immediate acceptance)
        #[arg(long, default_value = "da")]
        mechanism: String,
        /// When a bundle meets fewer seats than members: admit-all (default) or skip
        #[arg(long, default_value = "admit-all")]
        bundle_policy: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Recomputes a publication from its files and says 一致 or what differs.
    Verify { dir: PathBuf },
}

fn read(path: &Path) -> Result<(Vec<u8>, String)> {
    let bytes = std::fs::read(path).with_context(|| format!("无法读取文件 {}", path.display()))?;
    Ok((bytes, path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()))
}

/// Prints the row errors of a file error to stderr, so every bad row is listed, not only a count.
fn explain(e: LotteryFileError) -> anyhow::Error {
    if let LotteryFileError::File { file, error: ExchangeError::Rows(rows) } = &e {
        for r in rows {
            eprintln!("{file}：{r}");
        }
    }
    anyhow::anyhow!("{e}；未进行派位")
}

pub fn run(cmd: LotteryCmd) -> Result<()> {
    match cmd {
        LotteryCmd::Draw { lottery_id, applicants, schools, priorities, entropy, mechanism, bundle_policy, out } => {
            let mechanism = Mechanism::from_key(&mechanism)
                .or_else(|| Mechanism::parse(&mechanism).ok())
                .with_context(|| format!("未知的派位算法“{mechanism}”，应为 da 或 ia"))?;
            let policy = BundlePolicy::from_key(&bundle_policy)
                .or_else(|| BundlePolicy::parse(&bundle_policy).ok())
                .with_context(|| format!("未知的捆绑末位规则“{bundle_policy}”，应为 admit-all 或 skip"))?;
            let started = std::time::Instant::now();
            let a = read(&applicants)?;
            let s = read(&schools)?;
            let p = priorities.as_deref().map(read).transpose()?;
            let input = read_input(
                &lottery_id,
                (&a.0, &a.1),
                (&s.0, &s.1),
                p.as_ref().map(|(b, n)| (b.as_slice(), n.as_str())),
                entropy,
                mechanism,
                policy,
            )
            .map_err(explain)?;
            let read_at = started.elapsed();
            let result = draw(&input).map_err(|e| anyhow::anyhow!("{e}；未进行派位"))?;
            let drawn_at = started.elapsed();
            if out.join(MANIFEST_FILE).exists() {
                // Drawn before into this directory: compare in memory before touching a file.
                let files = publish(&input, &result)?;
                guard_repeat(&out, &lottery_id, &files)?;
                for (name, bytes) in &files {
                    std::fs::write(out.join(name), bytes).with_context(|| format!("无法写入 {name}"))?;
                }
            } else {
                // Streamed to the files (a province's order file is hundreds of MB); the manifest
                // comes last, so a directory without one was never a finished publication.
                std::fs::create_dir_all(&out).with_context(|| format!("无法创建目录 {}", out.display()))?;
                write_publication(&input, &result, |name| std::fs::File::create(out.join(name)))
                    .with_context(|| format!("无法写入 {}", out.display()))?;
            }
            let admitted = result.admitted.iter().filter(|a| a.is_some()).count();
            println!(
                "派位完成：{} 名申请人，{} 所学校，录取 {} 人，未录取 {} 人",
                input.applicants.len(),
                input.schools.len(),
                admitted,
                input.applicants.len() - admitted
            );
            println!("种子 {}", eduq_core::lottery::hex(&result.seed));
            println!(
                "用时：读取与校验 {:.2} 秒，派位 {:.2} 秒，生成与写出公布文件 {:.2} 秒",
                read_at.as_secs_f64(),
                (drawn_at - read_at).as_secs_f64(),
                (started.elapsed() - drawn_at).as_secs_f64()
            );
            println!(
                "结果已写入 {}（result.csv、order.csv、manifest.json、公布的输入文件，以及可离线在浏览器中核验的 verifier.html）",
                out.display()
            );
        }
        LotteryCmd::Verify { dir } => {
            let diffs = verify(|name| std::fs::read(dir.join(name)).ok()).map_err(|e| anyhow::anyhow!("{e}"))?;
            if diffs.is_empty() {
                println!("一致：由公布的文件重算的名单摘要、种子、签号、录取结果和各校顺序与公布结果完全相同");
            } else {
                for d in &diffs {
                    println!("不一致：{d}");
                }
                bail!("共有{}处不一致", diffs.len());
            }
        }
    }
    Ok(())
}

/// A lottery id is drawn once: the same inputs reproduce the same files; different inputs are refused.
fn guard_repeat(out: &Path, lottery_id: &str, files: &[(&str, Vec<u8>)]) -> Result<()> {
    let Ok(raw) = std::fs::read(out.join(MANIFEST_FILE)) else { return Ok(()) };
    let old: Manifest = serde_json::from_slice(&raw).context("目标目录中已有无法解析的 manifest.json，拒绝覆盖")?;
    if old.lottery_id != lottery_id {
        bail!("目标目录已有派位“{}”的结果，请换一个目录", old.lottery_id);
    }
    let same = files.iter().all(|(name, bytes)| std::fs::read(out.join(name)).is_ok_and(|b| &b == bytes));
    if !same {
        bail!("派位编号“{lottery_id}”已经抽取过且输入不同：同一派位编号不能以不同的输入重新抽取");
    }
    Ok(())
}
