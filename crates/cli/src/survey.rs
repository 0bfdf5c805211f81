//! `eduq survey`: XLSForm questionnaires checked and their responses tallied, no database.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use eduq_exchange::questionnaire::{form_workbook, read_form, tally_csv, tally_json};

#[derive(Subcommand)]
pub enum SurveyCmd {
    /// Checks a form (survey, choices, settings sheets): a summary, or every error with sheet, row and column.
    Check {
        #[arg(long)]
        form: PathBuf,
    },
    /// Writes a shipped template as an XLSForm workbook: recognition (社会认可度), parent_satisfaction,
    /// wuxiang_pupil, wuxiang_parent.
    Template {
        #[arg(long)]
        name: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Tallies a csv of responses against a form: accepted and rejected responses, counts per choice.
    Tally {
        #[arg(long)]
        form: PathBuf,
        /// csv whose header holds the questions' names
        #[arg(long)]
        responses: PathBuf,
        /// JSON
        #[arg(long)]
        out: PathBuf,
    },
}

fn form(path: &PathBuf) -> Result<eduq_core::questionnaire::Form> {
    let bytes = std::fs::read(path).with_context(|| format!("无法读取表单文件 {}", path.display()))?;
    match read_form(&bytes) {
        Ok(f) => Ok(f),
        Err(e) => bail!("表单 {} 有误：\n{e}", path.display()),
    }
}

pub fn run(cmd: SurveyCmd) -> Result<()> {
    match cmd {
        SurveyCmd::Check { form: path } => {
            println!("{}", form(&path)?.summary());
        }
        SurveyCmd::Template { name, out } => {
            let Some(t) = eduq_core::questionnaire::template(&name) else {
                let keys: Vec<&str> = eduq_core::questionnaire::TEMPLATES.iter().map(|t| t.key).collect();
                bail!("没有名为“{name}”的模板；可用：{}", keys.join("、"));
            };
            let bytes = form_workbook(&eduq_core::questionnaire::template_sheets(t.text))?;
            std::fs::write(&out, bytes).with_context(|| format!("无法写入 {}", out.display()))?;
            println!("已写入模板“{}”：{}", t.title, out.display());
        }
        SurveyCmd::Tally { form: path, responses, out } => {
            let f = form(&path)?;
            let bytes = std::fs::read(&responses).with_context(|| format!("无法读取文件 {}", responses.display()))?;
            let (tally, ignored) = tally_csv(&f, &bytes).map_err(|e| crate::file_error(e, ""))?;
            std::fs::write(&out, tally_json(&f, &tally)).with_context(|| format!("无法写入 {}", out.display()))?;
            if !ignored.is_empty() {
                eprintln!("注意：以下列不是表单中的题目，未计入：{}", ignored.join("、"));
            }
            println!(
                "共 {} 份答卷，有效 {} 份，无效 {} 份；结果写入 {}",
                tally.responses,
                tally.accepted,
                tally.rejected.len(),
                out.display()
            );
            if let Some(s) = eduq_core::questionnaire::results::favourable(&f, &tally) {
                println!(
                    "表单标明的认可（满意）答案占 {:.1}%（{}/{}，95%置信区间 {:.1}%–{:.1}%）",
                    s.share * 100.0,
                    s.count,
                    s.n,
                    s.low * 100.0,
                    s.high * 100.0
                );
            }
        }
    }
    Ok(())
}
