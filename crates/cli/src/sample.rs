//! `eduq sample …`: synthetic input files for the batch engines (seeded, reproducible).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;
use eduq_core::lottery::{BundlePolicy, Input, Mechanism};

#[derive(Subcommand)]
pub enum SampleCmd {
    /// applicants.csv, schools.csv and priorities.csv of a synthetic admission market.
    Lottery {
        #[arg(long, default_value_t = 100_000)]
        applicants: usize,
        #[arg(long, default_value_t = 300)]
        schools: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
}

fn write_all(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).with_context(|| format!("无法写入 {name}"))?;
    }
    println!("已写入 {}：{}", dir.display(), files.iter().map(|(n, _)| *n).collect::<Vec<_>>().join("、"));
    Ok(())
}

pub fn run(cmd: SampleCmd) -> Result<()> {
    match cmd {
        SampleCmd::Lottery { applicants, schools, seed, out } => {
            let (applicants, schools, priorities) = eduq_synth::admissions::market(seed, applicants, schools);
            let input = Input {
                lottery_id: String::new(),
                applicants,
                schools,
                priorities,
                entropy: vec![],
                mechanism: Mechanism::DeferredAcceptance,
                bundle_policy: BundlePolicy::AdmitAll,
            };
            write_all(&out, &eduq_exchange::lottery::input_files(&input))
        }
    }
}
