//! `eduq`: the command line of the platform. Errors become Chinese messages and exit codes here.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use eduq_app::Store;
use eduq_core::access::{Actor, Role};
use eduq_core::calendar::{Term, parse_term};
use eduq_exchange::kinds::{Batch, Kind, export};
use eduq_synth::Spec;

mod attendance;
mod balance;
mod classes;
mod exam;
mod fitness;
mod lottery;
mod output;
mod sample;
mod screening;
mod survey;
mod va;

/// mimalloc instead of glibc's allocator: the batch engines allocate millions of small strings on two
/// threads, where glibc's arenas cost a third of the run (fitness scoring of 1M pupils 2.2 s → 1.4 s).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Password of the demo accounts (demo data only; never a production default).
const DEMO_PASSWORD: &str = "Demo@2026";

#[derive(Parser)]
#[command(name = "eduq", version, about = "eduq 教育质量提升平台：区县与学校的教育质量数据、指标与督导")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone)]
struct Db {
    /// Database URL: sqlite://FILE or postgres://… (default: SQLite in the data directory)
    #[arg(long, env = "EDUQ_DATABASE_URL")]
    database_url: Option<String>,
    /// Data directory (SQLite database, backups)
    #[arg(long, env = "EDUQ_DATA_DIR", default_value = "eduq-data")]
    data_dir: PathBuf,
}

impl Db {
    fn url(&self) -> Result<String> {
        if let Some(u) = &self.database_url {
            return Ok(u.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("无法创建数据目录 {}", self.data_dir.display()))?;
        Ok(format!("sqlite://{}", self.data_dir.join("eduq.db").display()))
    }
    async fn open(&self) -> Result<Store> {
        let store = Store::connect(&self.url()?).await?;
        store.migrate().await?;
        Ok(store)
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Creates the demo district (示范区) if the database is empty, then serves it.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        db: Db,
        /// Pupils in the demo district
        #[arg(long, default_value_t = 30_000)]
        students: usize,
        /// Seed only; do not start the server
        #[arg(long)]
        no_serve: bool,
        /// The district's time zone: a tz name (Asia/Shanghai, Asia/Urumqi) or an offset (+08:00)
        #[arg(long, env = "EDUQ_TIME_ZONE", default_value = eduq_core::clock::DEFAULT_ZONE)]
        time_zone: String,
    },
    /// Serves the web UI and /api/v1.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Mark session cookies `Secure` (when users reach eduq over HTTPS, e.g. behind a proxy)
        #[arg(long, env = "EDUQ_SECURE_COOKIES")]
        secure_cookies: bool,
        /// The district's time zone: a tz name (Asia/Shanghai, Asia/Urumqi) or an offset (+08:00)
        #[arg(long, env = "EDUQ_TIME_ZONE", default_value = eduq_core::clock::DEFAULT_ZONE)]
        time_zone: String,
        #[command(flatten)]
        db: Db,
    },
    /// Applies pending database migrations.
    Migrate {
        #[command(flatten)]
        db: Db,
    },
    /// Imports a file: schools, classes, students, teachers or conditions (学校/班级/学生/教师/办学条件).
    Import {
        kind: String,
        file: PathBuf,
        /// Validate and count, write nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        db: Db,
    },
    /// Exports a list in the import layout (xlsx, or csv by extension).
    Export {
        kind: String,
        #[arg(long)]
        out: PathBuf,
        /// Term, e.g. 2026-2027-1 (default: the newest)
        #[arg(long)]
        term: Option<String>,
        #[command(flatten)]
        db: Db,
    },
    /// Writes a synthetic district of any size as import files.
    Gen {
        #[arg(long, default_value_t = 30_000)]
        students: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 20_240_901)]
        seed: u64,
        /// School years of history, counting the current one
        #[arg(long, default_value_t = 1)]
        years: i32,
        /// xlsx or csv
        #[arg(long, default_value = "xlsx")]
        format: String,
        /// Current term (default: the term containing today)
        #[arg(long)]
        term: Option<String>,
    },
    /// Attendance (控辍保学): the early-warning scan of an attendance file.
    Attendance {
        #[command(subcommand)]
        cmd: attendance::AttendanceCmd,
    },
    /// 体质健康: scoring of a test round by the national standard.
    Fitness {
        #[command(subcommand)]
        cmd: fitness::FitnessCmd,
    },
    /// 心理筛查: scoring of answer sheets (PHQ-9, GAD-7 or a loaded instrument).
    Screening {
        #[command(subcommand)]
        cmd: screening::ScreeningCmd,
    },
    /// 问卷 (XLSForm): a form checked, responses tallied.
    Survey {
        #[command(subcommand)]
        cmd: survey::SurveyCmd,
    },
    /// 义务教育优质均衡: evaluation of a county's schools from a file.
    Balance {
        #[command(subcommand)]
        cmd: balance::BalanceCmd,
    },
    /// Balanced class assignment (均衡分班) of a new intake, on files.
    Classes {
        #[command(subcommand)]
        cmd: classes::ClassesCmd,
    },
    /// Exams: item analysis of a score matrix.
    Exam {
        #[command(subcommand)]
        cmd: exam::ExamCmd,
    },
    /// Value-added (增值评价) from linked entry and exit scores.
    Va {
        #[command(subcommand)]
        cmd: va::VaCmd,
    },
    /// Admission lottery (电脑随机派位): draw and verify, on files.
    Lottery {
        #[command(subcommand)]
        cmd: lottery::LotteryCmd,
    },
    /// Writes synthetic input files for a batch engine (lottery, …), to try it or to benchmark it.
    Sample {
        #[command(subcommand)]
        what: sample::SampleCmd,
    },
    /// User accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// A consistent copy of the SQLite database, also while the server runs.
    Backup {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Adds an account.
    Add {
        #[arg(long)]
        username: String,
        /// admin, leader, staff, inspector, school_admin, head_teacher, teacher, psych_teacher, psych_staff
        #[arg(long)]
        role: String,
        #[arg(long, env = "EDUQ_NEW_PASSWORD")]
        password: String,
        #[arg(long)]
        name: Option<String>,
        /// 学校标识码 for school roles; for an inspector (督学), the 责任区 schools separated by commas
        #[arg(long)]
        school: Option<String>,
        /// The 工号 of the account's own teacher record (its training hours), for school roles
        #[arg(long)]
        staff_no: Option<String>,
        #[command(flatten)]
        db: Db,
    },
}

fn kind(s: &str) -> Result<Kind> {
    Kind::from_key(s)
        .or_else(|| Kind::parse(s).ok())
        .with_context(|| format!("未知的导入类型“{s}”，应为：schools、classes、students、teachers、conditions"))
}

fn current_term(term: Option<&str>) -> Result<Term> {
    match term {
        Some(t) => Ok(parse_term(t)?),
        // The district's term by its own date: the zone `serve` is configured with, if set.
        None => {
            let zone = match std::env::var("EDUQ_TIME_ZONE") {
                Ok(z) => eduq_core::clock::DistrictZone::parse(&z).map_err(anyhow::Error::msg)?,
                Err(_) => eduq_core::clock::DistrictZone::default(),
            };
            Ok(Term::containing(zone.today(Utc::now())))
        }
    }
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("错误：{e:#}");
        std::process::exit(1);
    }
}

async fn serve(store: Store, listen: &str, secure_cookies: bool, zone: &str) -> Result<()> {
    let zone = eduq_core::clock::DistrictZone::parse(zone).map_err(anyhow::Error::msg)?;
    let listener = eduq_web::listen(listen).await.with_context(|| format!("无法监听 {listen}"))?;
    let addr = listener.local_addr()?;
    println!("eduq 已启动：http://{addr}/  （数据库：{}，时区：{}，Ctrl+C 停止）", store.backend(), zone.name());
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    // Raw screening answers are purged once a day after their retention period (audited).
    let purging = store.clone();
    tokio::spawn(async move {
        loop {
            match eduq_app::screening::purge_expired(&purging, Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("purged the item answers of {n} screening responses past retention"),
                Err(e) => tracing::warn!("screening purge failed: {e}"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
        }
    });
    let mut state = eduq_web::AppState::new(store);
    state.secure_cookies = secure_cookies;
    state.clock = eduq_app::clock::Clock::system(zone);
    eduq_web::serve(listener, state, shutdown).await?;
    Ok(())
}

async fn run(cli: Cli) -> Result<()> {
    match cli.cmd {
        Cmd::Demo { listen, db, students, no_serve, time_zone } => {
            let started = Instant::now();
            let store = db.open().await?;
            if store.list_schools(&Actor::system(), None).await?.is_empty() {
                let spec = Spec { students, ..Spec::demo(current_term(None)?) };
                println!("正在生成示范区（约{students}名学生，三个学年）……");
                let counts = eduq_app::demo::seed(&store, &spec, DEMO_PASSWORD, Utc::now()).await?;
                println!("{}（用时{:.1}秒）", eduq_app::imports::describe(&counts), started.elapsed().as_secs_f64());
            }
            println!(
                "登录：用户名 admin，密码 {DEMO_PASSWORD}（另有 leader、staff、principal、teacher、inspector、psych、psych_staff、teacher6，密码相同）"
            );
            if !no_serve {
                serve(store, &listen, false, &time_zone).await?;
            }
        }
        Cmd::Serve { listen, secure_cookies, time_zone, db } => {
            let store = db.open().await?;
            if store.user_count().await? == 0 {
                println!("尚无用户：请先运行 eduq user add --username admin --role admin --password …");
            }
            serve(store, &listen, secure_cookies, &time_zone).await?;
        }
        Cmd::Migrate { db } => {
            let store = Store::connect(&db.url()?).await?;
            let done = store.migrate().await?;
            println!("已应用迁移：{done:?}（{}）", store.backend());
        }
        Cmd::Import { kind: k, file, dry_run, db } => {
            let kind = kind(&k)?;
            let bytes = std::fs::read(&file).with_context(|| format!("无法读取文件 {}", file.display()))?;
            let store = db.open().await?;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let started = Instant::now();
            match eduq_app::imports::import_file(&store, &Actor::system(), kind, &bytes, &name, dry_run, Utc::now())
                .await
            {
                Ok(o) => println!(
                    "{}{}{}：{}行，新增{}，更新{}，未变{}（{:.2}秒）",
                    o.warnings.iter().map(|w| format!("注意：{w}\n")).collect::<String>(),
                    if dry_run { "预检通过（未写入）" } else { "导入完成" },
                    kind.label(),
                    o.rows,
                    o.counts.inserted,
                    o.counts.updated,
                    o.counts.unchanged,
                    started.elapsed().as_secs_f64()
                ),
                Err(e) => {
                    for r in e.row_errors() {
                        eprintln!("{r}");
                    }
                    bail!("{e}");
                }
            }
        }
        Cmd::Export { kind: k, out, term, db } => {
            let kind = kind(&k)?;
            let store = db.open().await?;
            let term = match term {
                Some(t) => parse_term(&t)?,
                None => store.terms().await?.first().map(|(_, t)| *t).context("数据库中还没有任何学期的数据")?,
            };
            let csv = out.extension().is_some_and(|e| e == "csv");
            let bytes = eduq_app::imports::export_kind(&store, &Actor::system(), kind, term, csv, Utc::now()).await?;
            std::fs::write(&out, bytes)?;
            println!("已导出到 {}", out.display());
        }
        Cmd::Gen { students, out, seed, years, format, term } => {
            let started = Instant::now();
            let d = eduq_synth::generate(&Spec { seed, students, current: current_term(term.as_deref())?, years });
            std::fs::create_dir_all(&out)?;
            let csv = match format.as_str() {
                "csv" => true,
                "xlsx" => false,
                other => bail!("未知格式“{other}”，应为 xlsx 或 csv"),
            };
            let n = d.students.len();
            for batch in [
                Batch::Schools(d.schools),
                Batch::Classes(d.classes),
                Batch::Teachers(d.teachers),
                Batch::Students(d.students),
                Batch::Conditions(d.conditions),
            ] {
                let path = out.join(format!("{}.{}", batch.kind().key(), if csv { "csv" } else { "xlsx" }));
                write(&path, &batch, csv)?;
            }
            println!(
                "已生成 {} 行学生记录到 {}（{:.1}秒）；按 schools、classes、teachers、students、conditions 的顺序导入",
                n,
                out.display(),
                started.elapsed().as_secs_f64()
            );
        }
        Cmd::User { cmd: UserCmd::Add { username, role, password, name, school, staff_no, db } } => {
            let store = db.open().await?;
            let role = Role::from_key(&role)
                .or_else(|| Role::parse(&role).ok())
                .with_context(|| format!("未知角色“{role}”"))?;
            // One school for a school's role; for an inspector, the 责任区 as codes separated by commas.
            let codes = store.school_ids_by_code().await?;
            let mut ids = Vec::new();
            for code in school.iter().flat_map(|s| s.split([',', '，'])).map(str::trim).filter(|c| !c.is_empty()) {
                ids.push(*codes.get(code).with_context(|| format!("学校标识码“{code}”不存在"))?);
            }
            let (school_id, school_ids) =
                if role == Role::Inspector { (None, ids) } else { (ids.first().copied(), vec![]) };
            let input = eduq_app::accounts::NewUserInput {
                display_name: name.unwrap_or_else(|| username.clone()),
                username: username.clone(),
                password,
                role,
                school_id,
                class_ids: vec![],
                student_ids: vec![],
                school_ids,
            };
            eduq_app::accounts::create_user(&store, &Actor::system(), input, Utc::now()).await?;
            if let Some(no) = staff_no {
                eduq_app::accounts::link_teacher(&store, &Actor::system(), &username, &no, Utc::now()).await?;
            }
            println!("已创建用户");
        }
        Cmd::Lottery { cmd } => lottery::run(cmd)?,
        Cmd::Attendance { cmd } => attendance::run(cmd)?,
        Cmd::Exam { cmd } => exam::run(cmd)?,
        Cmd::Classes { cmd } => classes::run(cmd)?,
        Cmd::Balance { cmd } => balance::run(cmd)?,
        Cmd::Va { cmd } => va::run(cmd)?,
        Cmd::Fitness { cmd } => fitness::run(cmd)?,
        Cmd::Screening { cmd } => screening::run(cmd)?,
        Cmd::Survey { cmd } => survey::run(cmd)?,
        Cmd::Sample { what: sample::SampleCmd::RollPeak { database_url, students, classes } } => {
            sample::roll_peak(&database_url, students, classes).await?
        }
        Cmd::Sample { what: sample::SampleCmd::ScreeningCodes { database_url, students, out } } => {
            sample::screening_codes(&database_url, students, &out).await?
        }
        Cmd::Sample { what: sample::SampleCmd::ScreeningBurst { url, codes, at_once, pause_ms } } => {
            sample::screening_burst(&url, &codes, at_once, pause_ms).await?
        }
        Cmd::Sample { what: sample::SampleCmd::SurveyBurst { url, link, respondents, at_once, pause_ms } } => {
            sample::survey_burst(&url, &link, respondents, at_once, pause_ms).await?
        }
        Cmd::Sample { what: sample::SampleCmd::IndicatorsStore { database_url } } => {
            sample::indicators_store(&database_url).await?
        }
        Cmd::Sample { what: sample::SampleCmd::Supervision { database_url, schools, years, problems, seed } } => {
            sample::supervision(&database_url, schools, years, problems, seed).await?
        }
        Cmd::Sample { what: sample::SampleCmd::DoubleReduction { database_url, students, classes, days, seed } } => {
            sample::double_reduction(&database_url, students, classes, days, seed).await?
        }
        Cmd::Sample { what: sample::SampleCmd::Training { database_url, students, years, per_year, seed } } => {
            sample::training(&database_url, students, years, per_year, seed).await?
        }
        Cmd::Sample { what } => sample::run(what)?,
        Cmd::Backup { out, db } => {
            let store = Store::connect(&db.url()?).await?;
            if out.exists() {
                bail!("目标文件 {} 已存在", out.display());
            }
            store.backup_to(&out.to_string_lossy()).await?;
            println!("已备份到 {}", out.display());
        }
    }
    Ok(())
}

/// A file's errors for the terminal: every bad row on stderr, then the summary as the error.
pub(crate) fn file_error(e: eduq_exchange::ExchangeError, suffix: &str) -> anyhow::Error {
    for r in e.row_errors() {
        eprintln!("{r}");
    }
    anyhow::anyhow!("{e}{suffix}")
}

fn write(path: &Path, batch: &Batch, csv: bool) -> Result<()> {
    std::fs::write(path, export(batch, csv)?).with_context(|| format!("无法写入 {}", path.display()))
}
