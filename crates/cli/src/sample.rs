//! `eduq sample …`: synthetic input files for the batch engines (seeded, reproducible).

use std::path::{Path, PathBuf};

use std::io::Write;

use anyhow::{Context, Result};
use clap::Subcommand;
use eduq_core::lottery::{BundlePolicy, Input, Mechanism};

#[derive(Subcommand)]
pub enum SampleCmd {
    /// The 8:00 peak: seeds a district into an empty database, then N class teachers save their
    /// class's roll at once, three mornings in a row, as corrections of taken rolls and as the
    /// day's first rolls; prints the latency of the saves of each kind (p50/p99/max).
    RollPeak {
        /// Database URL (an empty database: sqlite://FILE or postgres://…)
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 30_000)]
        students: usize,
        #[arg(long, default_value_t = 200)]
        classes: usize,
    },
    /// For the screening load benchmark: seeds a district into an empty database (or takes the one
    /// held), opens a district
    /// round (PHQ-9, grades 6–12) as the 心理教研员 and writes one one-time code per pupil to `out`,
    /// one per line, for a load generator to submit.
    ScreeningCodes {
        /// Database URL (an empty database: sqlite://FILE or postgres://…)
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 52_000)]
        students: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// The pupils of `screening-codes` submitting through a running server in peaks: `at-once`
    /// pupils press 提交 at the same moment, each from a new connection (a phone of its own), then
    /// a pause, until every code is used; prints the latency of every submission (p50/p90/p99/max).
    ScreeningBurst {
        /// The server, e.g. http://127.0.0.1:8080
        #[arg(long)]
        url: String,
        /// One code per line (`eduq sample screening-codes`)
        #[arg(long)]
        codes: PathBuf,
        #[arg(long, default_value_t = 300)]
        at_once: usize,
        #[arg(long, default_value_t = 500)]
        pause_ms: u64,
    },
    /// Respondents of a 社会认可度 survey link submitting through a running server in peaks:
    /// `at-once` press 提交 at the same moment, each from a new connection and browser (its own
    /// survey cookie), then a pause; prints the latency of every submission (p50/p90/p99/max).
    SurveyBurst {
        /// The server, e.g. http://127.0.0.1:8080
        #[arg(long)]
        url: String,
        /// The link's code (the part after /s/) of a survey on the 社会认可度 form
        #[arg(long)]
        link: String,
        #[arg(long, default_value_t = 2500)]
        respondents: usize,
        #[arg(long, default_value_t = 500)]
        at_once: usize,
        #[arg(long, default_value_t = 500)]
        pause_ms: u64,
    },
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
    /// An attendance csv (学籍号, 日期, 状态): every pupil on every school day from --start, rows
    /// shuffled (in windows of 16M rows) as a merged export has them, 学籍号-like ids.
    Attendance {
        #[arg(long, default_value_t = 50_000)]
        pupils: usize,
        #[arg(long, default_value_t = 200)]
        days: usize,
        #[arg(long, default_value = "2026-09-01")]
        start: String,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Write the rows day by day (a daily roll export) instead of shuffled
        #[arg(long)]
        by_day: bool,
        /// Ids made of this prefix and an 8-digit number instead of 学籍号-like ids (a hash
        /// table's worst case: a long shared prefix, differences in the last digits)
        #[arg(long)]
        id_prefix: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// A 体质健康 round in the national upload layout (with vision screening), 学籍号-like ids in a
    /// shuffled order, times written 2'25" (so quoted) as schools' files have them.
    Fitness {
        #[arg(long, default_value_t = 1_000_000)]
        pupils: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Write times as the national template does (分.秒: 2.25), unquoted
        #[arg(long)]
        dotted_times: bool,
        #[arg(long)]
        out: PathBuf,
    },
    /// Answer sheets of a screening round for `eduq screening score` (shuffled, 学籍号-like ids).
    Screening {
        #[arg(long, default_value_t = 1_000_000)]
        pupils: usize,
        /// phq9 (9 items) or gad7 (7 items)
        #[arg(long, default_value = "phq9")]
        instrument: String,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// A 40-question XLSForm (`form`) and a survey platform's csv export of its responses (`out`),
    /// about two in a hundred breaking a rule, for `eduq survey tally`.
    Survey {
        #[arg(long, default_value_t = 100_000)]
        responses: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long)]
        form: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// A new intake for 均衡分班: 学籍号, 姓名, 性别, 总分, 语文, 数学, 英语, 标记 (scores with SD ≈ 15).
    Intake {
        #[arg(long, default_value_t = 1000)]
        pupils: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// A county's school list for `eduq balance evaluate` (values spread around the 小学 thresholds).
    Balance {
        #[arg(long, default_value_t = 40)]
        schools: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Linked entry and exit scores for `eduq va fit`: 学籍号, 学校, 性别, 入口成绩, 出口成绩 (school effects
    /// with SD 0.3 on exit scores with residual SD 0.75, like the Exam data).
    Va {
        #[arg(long, default_value_t = 1_000_000)]
        pupils: usize,
        #[arg(long, default_value_t = 5_000)]
        schools: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Benchmark: every built-in indicator over a synthetic province held in memory (school facts,
    /// and three years of 学籍 history for 巩固率); prints the time of each part. The store's reads
    /// are not included.
    Indicators {
        #[arg(long, default_value_t = 2_000_000)]
        pupils: usize,
        #[arg(long, default_value_t = 4_000)]
        schools: usize,
    },
    /// Benchmark: every built-in indicator recomputed from a database as `/api/v1/indicators`
    /// does, cold (a fresh store handle, nothing memoised), three times: the first with the kept
    /// cohort figures dropped (as after a write of the roll: every pupil followed), the others with
    /// them current; then the 学籍 history read and the per-school facts alone. Load a province
    /// first (scripts/bench-province.sh).
    IndicatorsStore {
        /// Database URL (sqlite://FILE or postgres://…)
        #[arg(long)]
        database_url: String,
    },
    /// Benchmark: a county's 问题清单 (督导 problems and hazards over years) put into a store, then
    /// the register and the board timed on it. Adds synthetic schools up to `--schools`, and an
    /// administrator `bench` for loading the pages with wrk.
    Supervision {
        /// Database URL (sqlite://FILE or postgres://…)
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 200)]
        schools: usize,
        #[arg(long, default_value_t = 5)]
        years: u32,
        #[arg(long, default_value_t = 20_000)]
        problems: usize,
        #[arg(long, default_value_t = 17)]
        seed: u64,
    },
    /// 双减 at county size (#20): a district's schools and classes (about 200 schools from 220,000
    /// pupils), `days` weekdays of homework logs
    /// for `classes` classes (three subjects a day, class-days shuffled), every class's timetable;
    /// then the homework board and the timetable check timed in the store.
    DoubleReduction {
        /// Database URL (sqlite://FILE or postgres://…)
        #[arg(long)]
        database_url: String,
        /// Pupils of the synthetic district (its schools and classes follow).
        #[arg(long, default_value_t = 220_000)]
        students: usize,
        #[arg(long, default_value_t = 2_500)]
        classes: usize,
        #[arg(long, default_value_t = 200)]
        days: usize,
        #[arg(long, default_value_t = 29)]
        seed: u64,
    },
    /// 教师培训学时 at county size (#18): a district's schools and teachers (about 2,300 from 32,000
    /// pupils), five years of a platform's completion export (≈ 100,000 shuffled rows), imported
    /// as csv and again as xlsx, then the ledger timed; adds an administrator `bench` for wrk.
    Training {
        /// Database URL (sqlite://FILE or postgres://…)
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 32_000)]
        students: usize,
        #[arg(long, default_value_t = 5)]
        years: u32,
        /// Completion rows per teacher and year, on average
        #[arg(long, default_value_t = 8.7)]
        per_year: f64,
        #[arg(long, default_value_t = 23)]
        seed: u64,
    },
    /// Times the per-school 体质健康 statistics over scored pupils held in memory (a benchmark; writes nothing).
    FitnessStats {
        #[arg(long, default_value_t = 1_000_000)]
        pupils: usize,
        #[arg(long, default_value_t = 1_000)]
        schools: usize,
    },
    /// Benchmark: the full analysis of a district exam in memory (every paper's district report by
    /// school and each school's report by class, item analysis included, then every pupil's T-scores
    /// and subject balance); prints the time.
    ExamAnalysis {
        #[arg(long, default_value_t = 100_000)]
        pupils: usize,
        #[arg(long, default_value_t = 6)]
        subjects: usize,
        #[arg(long, default_value_t = 40)]
        items: usize,
        #[arg(long, default_value_t = 100)]
        schools: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// A 0/1 score matrix (考号, T1…Tk) from a Rasch model, every 20th item with a wrong key.
    Items {
        #[arg(long, default_value_t = 10_000)]
        pupils: usize,
        #[arg(long, default_value_t = 50)]
        items: usize,
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
        SampleCmd::RollPeak { .. }
        | SampleCmd::IndicatorsStore { .. }
        | SampleCmd::Supervision { .. }
        | SampleCmd::Training { .. }
        | SampleCmd::DoubleReduction { .. }
        | SampleCmd::ScreeningCodes { .. }
        | SampleCmd::ScreeningBurst { .. }
        | SampleCmd::SurveyBurst { .. } => {
            anyhow::bail!("this benchmark runs in the async entry point")
        }
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
        SampleCmd::Attendance { pupils, days, start, seed, by_day, id_prefix, out } => {
            let start = eduq_core::calendar::parse_date(&start).with_context(|| format!("日期“{start}”无效"))?;
            let dates: Vec<String> =
                eduq_synth::attendance::school_days(start, days).iter().map(|d| d.to_string()).collect();
            let ids: Vec<String> = match &id_prefix {
                Some(prefix) => (0..pupils).map(|i| format!("{prefix}{i:08}")).collect(),
                None => (0..pupils).map(eduq_synth::attendance::pupil_id).collect(),
            };
            let file = std::fs::File::create(&out).with_context(|| format!("无法写入 {}", out.display()))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            w.write_all("学籍号,日期,状态\n".as_bytes())?;
            let mut failed = None;
            let row = |p: usize, d: usize, s: eduq_core::attendance::Status| {
                if failed.is_none()
                    && let Err(e) = writeln!(w, "{},{},{}", ids[p], dates[d], s.label())
                {
                    failed = Some(e);
                }
            };
            if by_day {
                eduq_synth::attendance::roll(seed, pupils, dates.len(), row);
            } else {
                eduq_synth::attendance::shuffled_roll(seed, pupils, dates.len(), 1 << 24, row);
            }
            if let Some(e) = failed {
                return Err(e.into());
            }
            w.flush()?;
            println!("已写入 {}：{} 行", out.display(), pupils * dates.len());
            Ok(())
        }
        SampleCmd::Survey { responses, seed, form, out } => {
            let xlsx = eduq_exchange::questionnaire::form_workbook(&eduq_synth::survey::form())?;
            std::fs::write(&form, xlsx).with_context(|| format!("无法写入 {}", form.display()))?;
            write_csv(&out, eduq_synth::survey::headers(), |row| eduq_synth::survey::responses(seed, responses, row))?;
            println!("已写入表单 {} 与 {} 份答卷 {}", form.display(), responses, out.display());
            Ok(())
        }
        SampleCmd::Screening { pupils, instrument, seed, out } => {
            let items = crate::screening::instrument(&instrument)?.items.len();
            write_csv(&out, eduq_synth::screening::headers(items), |row| {
                eduq_synth::screening::sheets(seed, pupils, items, row)
            })?;
            println!("已写入 {}：{pupils} 份答卷", out.display());
            Ok(())
        }
        SampleCmd::Fitness { pupils, seed, dotted_times, out } => {
            use eduq_synth::fitness::Times;
            let times = if dotted_times { Times::Dotted } else { Times::Primes };
            write_csv(&out, eduq_synth::fitness::HEADERS, |row| eduq_synth::fitness::round(seed, pupils, times, row))?;
            println!("已写入 {}：{} 名学生", out.display(), pupils);
            Ok(())
        }
        SampleCmd::Intake { pupils, seed, out } => {
            std::fs::write(&out, eduq_synth::intake::roster_csv(seed, pupils))
                .with_context(|| format!("无法写入 {}", out.display()))?;
            println!("已写入 {}：{} 名学生", out.display(), pupils);
            Ok(())
        }
        SampleCmd::Balance { schools, seed, out } => {
            use eduq_core::standards::quality_balance::INDICATORS;
            let mut rng = eduq_synth::Rng::new(seed);
            let mut w = csv::Writer::from_path(&out).with_context(|| format!("无法写入 {}", out.display()))?;
            w.write_record(eduq_exchange::balance::HEADERS)?;
            for i in 0..schools {
                let students = 200 + rng.below(2200);
                let mut row =
                    vec![format!("33010{:05}", i + 1), format!("示范区第{}小学", i + 1), students.to_string()];
                for ind in &INDICATORS {
                    // Most schools a little above the threshold, a few well below.
                    let level = ind.primary * (1.15 + 0.25 * rng.normal()).max(0.4);
                    let numerator = level * students as f64 / ind.factor;
                    row.push(if ind.factor == 100.0 {
                        format!("{}", numerator.round())
                    } else {
                        format!("{numerator:.1}")
                    });
                }
                w.write_record(&row)?;
            }
            w.flush()?;
            println!("已写入 {}：{} 所学校", out.display(), schools);
            Ok(())
        }
        SampleCmd::Va { pupils, schools, seed, out } => {
            let mut rng = eduq_synth::Rng::new(seed);
            let effects: Vec<f64> = (0..schools.max(1)).map(|_| 0.3 * rng.normal()).collect();
            let file = std::fs::File::create(&out).with_context(|| format!("无法写入 {}", out.display()))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            writeln!(w, "学籍号,学校,性别,入口成绩,出口成绩")?;
            for i in 0..pupils {
                let s = rng.below(effects.len() as u64) as usize;
                let entry = rng.normal();
                let exit = 0.56 * entry + effects[s] + 0.75 * rng.normal();
                writeln!(
                    w,
                    "G{i:09},S{:05},{},{entry:.4},{exit:.4}",
                    s + 1,
                    if rng.below(2) == 0 { "男" } else { "女" }
                )?;
            }
            w.flush()?;
            println!("已写入 {}：{} 名学生、{} 所学校", out.display(), pupils, schools);
            Ok(())
        }
        SampleCmd::FitnessStats { pupils, schools } => {
            use eduq_core::fitness::RoundStats;
            use eduq_core::standards::fitness::Level;
            let mut rng = eduq_synth::Rng::new(7);
            let schools = schools.max(1);
            let levels = [
                Some(Level::Excellent),
                Some(Level::Good),
                Some(Level::Pass),
                Some(Level::Pass),
                Some(Level::Fail),
                None,
            ];
            let bmi = ["正常", "正常", "正常", "超重", "肥胖", "低体重"];
            let vision = ["正常", "轻度", "中度", "重度"];
            let myopia = ["否", "否", "低度近视", "中度近视", "高度近视"];
            // (school, 等级, 总分, BMI category, 视力不良等级, 筛查性近视)
            type Scored = (usize, Option<Level>, f64, &'static str, &'static str, &'static str);
            let rows: Vec<Scored> = (0..pupils)
                .map(|_| {
                    let l = levels[rng.below(levels.len() as u64) as usize];
                    (
                        rng.below(schools as u64) as usize,
                        l,
                        60.0 + 30.0 * rng.unit(),
                        bmi[rng.below(6) as usize],
                        vision[rng.below(4) as usize],
                        myopia[rng.below(5) as usize],
                    )
                })
                .collect();
            let mut best = f64::MAX;
            let mut passed = 0.0;
            for _ in 0..5 {
                let t = std::time::Instant::now();
                let mut per = vec![RoundStats::default(); schools];
                for &(s, l, total, b, v, m) in &rows {
                    per[s].add(l, false, l.map(|_| total), Some(b), Some(v), Some(m));
                }
                best = best.min(t.elapsed().as_secs_f64());
                passed = per.iter().filter_map(RoundStats::pass_rate).sum::<f64>() / schools as f64;
            }
            println!(
                "{} 名学生、{} 所学校的体质健康统计（内存中，5次取最快）：{:.1} 毫秒；各校平均合格率 {:.1}%",
                pupils,
                schools,
                best * 1000.0,
                passed
            );
            Ok(())
        }
        SampleCmd::Indicators { pupils, schools } => {
            indicators(pupils, schools.max(1));
            Ok(())
        }
        SampleCmd::ExamAnalysis { pupils, subjects, items, schools, seed } => {
            exam_analysis(pupils, subjects, items, schools, seed);
            Ok(())
        }
        SampleCmd::Items { pupils, items, seed, out } => {
            let file = std::fs::File::create(&out).with_context(|| format!("无法写入 {}", out.display()))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            let header: Vec<String> = (1..=items).map(|j| format!("T{j}")).collect();
            writeln!(w, "考号,{}", header.join(","))?;
            for (i, row) in eduq_synth::exams::responses(seed, pupils, items).iter().enumerate() {
                let cells: Vec<&str> = row.iter().map(|&x| if x == 1 { "1" } else { "0" }).collect();
                writeln!(w, "K{:07},{}", i + 1, cells.join(","))?;
            }
            w.flush()?;
            println!("已写入 {}：{} 名学生 × {} 题", out.display(), pupils, items);
            Ok(())
        }
    }
}

/// See [`SampleCmd::Indicators`]. Pupils of grades 1–9 are spread over the schools; each has six
/// terms of history in which about 1 % move to another school, 0.3 % leave with 转出 and 0.1 % drop out.
fn indicators(pupils: usize, schools: usize) {
    use eduq_core::calendar::Term;
    use eduq_core::flows::FlowRow;
    use eduq_core::student::EnrolmentStatus;
    use eduq_store::indicators::SchoolFacts;
    let mut rng = eduq_synth::Rng::new(11);
    let mut facts: Vec<SchoolFacts> = (0..schools)
        .map(|i| SchoolFacts {
            id: i as i64,
            code: format!("{:010}", 3_000_000_000u64 + i as u64),
            name: format!("学校{i}"),
            has_conditions: true,
            ..SchoolFacts::default()
        })
        .collect();
    let terms: Vec<Term> =
        (2024..=2026).flat_map(|y| [Term { start_year: y, term_no: 1 }, Term { start_year: y, term_no: 2 }]).collect();
    let mut rows = Vec::with_capacity(pupils * terms.len());
    for p in 0..pupils {
        let mut school = rng.below(schools as u64) as usize;
        let grade0 = 1 + rng.below(7) as i8;
        let f = &mut facts[school];
        f.primary_pupils += i64::from(grade0 <= 6);
        f.junior_pupils += i64::from(grade0 > 6);
        f.all_pupils += 1;
        for (k, term) in terms.iter().enumerate() {
            let grade = grade0 + (k / 2) as i8;
            if grade > 9 {
                break;
            }
            let roll = rng.below(10_000);
            let status = match roll {
                0..10 => EnrolmentStatus::DroppedOut,
                10..40 => EnrolmentStatus::TransferOut,
                _ => EnrolmentStatus::Enrolled,
            };
            if (40..140).contains(&roll) {
                school = rng.below(schools as u64) as usize;
            }
            rows.push(FlowRow { student: p as i64, term: *term, school: school as i64, grade, status });
            if status != EnrolmentStatus::Enrolled {
                break;
            }
        }
    }
    for f in &mut facts {
        let n = f.all_pupils;
        (f.full_time, f.qualified, f.bachelor_plus, f.backbone, f.pe_art) = (n / 15, n / 15, n / 20, n / 150, n / 100);
        (f.classes, f.standard_classes) = (n / 42 + 1, n / 45);
        (f.teaching_area, f.sports_area, f.equipment_value) = (n as f64 * 4.8, n as f64 * 8.0, n as f64 * 2_200.0);
        (f.multimedia_rooms, f.student_computers, f.teacher_computers) = (n / 40, n / 6, n / 15);
        (f.fitness_scored, f.fitness_passed, f.fitness_excellent) = (n, n * 92 / 100, n / 10);
        (f.vision_known, f.myopic, f.bandwidth_mbps) = (n, n * 45 / 100, 1_000.0);
    }
    let mut best = (f64::MAX, f64::MAX);
    let mut rate = None;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let values = eduq_app::indicators::evaluate_all(&mut facts, &rows, &terms);
        let all = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let (_, county) = eduq_core::flows::consolidation(&rows, terms[0], terms[terms.len() - 1]);
        best = (best.0.min(all), best.1.min(t.elapsed().as_secs_f64()));
        rate = values.iter().find(|v| v.indicator.key == "consolidation_rate").and_then(|v| v.district.value);
        assert_eq!(county.cohort.rate(), rate);
    }
    println!(
        "{pupils} 名学生、{schools} 所学校、{} 行学籍历史：全部{}项指标 {:.0} 毫秒（其中巩固率的学籍跟踪 {:.0} 毫秒；3次取最快）；巩固率 {:.2}%",
        rows.len(),
        eduq_core::indicators::LIBRARY.len(),
        best.0 * 1000.0,
        best.1 * 1000.0,
        rate.unwrap_or(0.0)
    );
}

/// See [`SampleCmd::ExamAnalysis`]. Pupils are spread over `schools` schools of 45-pupil classes.
fn exam_analysis(pupils: usize, subjects: usize, items: usize, schools: usize, seed: u64) {
    use eduq_app::exams::{analyse_paper, pupil_lines};
    use eduq_core::exam::{ItemDef, Lines, Sitting};
    use eduq_store::exams::{ExamRow, PaperRow, ScoreFact};
    let defs: Vec<ItemDef> = (1..=items)
        .map(|j| ItemDef {
            label: j.to_string(),
            objective: true,
            max: 1.0,
            key: None,
            knowledge: vec![format!("知识点{}", j % 8)],
            ability: String::new(),
        })
        .collect();
    let exam = ExamRow {
        id: 1,
        term_id: 1,
        name: "基准".into(),
        grade: 8,
        kind: "final".into(),
        organiser: "school".into(),
        school_id: None,
        held_on: chrono::NaiveDate::MIN,
        warnings: vec![],
        papers: vec![],
        schools: vec![],
    };
    let per_school = pupils.div_ceil(schools.max(1));
    let papers: Vec<Vec<ScoreFact>> = (0..subjects)
        .map(|k| {
            eduq_synth::exams::responses(seed ^ k as u64, pupils, items)
                .into_iter()
                .enumerate()
                .map(|(i, row)| {
                    let school = (i / per_school) as i64;
                    let class = school * 1000 + ((i % per_school) / 45) as i64;
                    let scores: Vec<f64> = row.into_iter().map(f64::from).collect();
                    ScoreFact {
                        student_id: i as i64,
                        student_no: format!("G{i:09}"),
                        name: String::new(),
                        sex: if i % 2 == 0 { "男" } else { "女" }.into(),
                        school_id: school,
                        school_code: format!("{school:04}"),
                        school_name: format!("学校{school}"),
                        class_id: class,
                        class_name: format!("{class}班"),
                        sitting: Sitting::Sat,
                        total: Some(scores.iter().sum()),
                        items: scores,
                        answers: vec![],
                    }
                })
                .collect()
        })
        .collect();
    let started = std::time::Instant::now();
    let mut references = Vec::new();
    let mut units = 0;
    for (k, facts) in papers.iter().enumerate() {
        let paper = PaperRow {
            id: k as i64,
            exam_id: 1,
            subject: format!("科目{k}"),
            full_score: items as f64,
            items: items as i64,
            sat: 0,
            absent: 0,
        };
        let all: Vec<Option<f64>> = facts.iter().map(|f| f.total).collect();
        let reference = eduq_core::exam::analyse(&all, paper.full_score, &Lines::default());
        let district = analyse_paper(
            exam.clone(),
            paper.clone(),
            facts,
            &defs,
            reference.clone(),
            true,
            "全区".into(),
            Lines::default(),
        );
        units += district.units.len();
        for chunk in facts.chunk_by(|a, b| a.school_id == b.school_id) {
            let school = analyse_paper(
                exam.clone(),
                paper.clone(),
                chunk,
                &defs,
                reference.clone(),
                false,
                String::new(),
                Lines::default(),
            );
            units += school.units.len();
        }
        references.push(district.district.map(|d| (d.mean, d.sd)));
    }
    let with_refs: Vec<eduq_app::exams::PaperFacts> =
        papers.into_iter().map(std::sync::Arc::new).zip(references).collect();
    let lines = pupil_lines(&with_refs);
    println!(
        "full analysis of {pupils} pupils x {subjects} subjects x {items} items ({schools} schools, {units} unit tables, {} pupil lines): {:.2} s",
        lines.len(),
        started.elapsed().as_secs_f64()
    );
}

/// See [`SampleCmd::IndicatorsStore`].
pub async fn indicators_store(url: &str) -> Result<()> {
    use eduq_core::access::Actor;
    let admin = Actor::system();
    let probe = eduq_store::Store::connect(url).await?;
    let term = probe.terms().await?.into_iter().map(|(_, t)| t).max().context("数据库中没有学期")?;
    let count = |table: &str| {
        let (probe, sql) = (probe.clone(), eduq_store::Sql::new(format!("SELECT COUNT(*) FROM {table}")));
        async move { probe.system().scalar(&sql).await }
    };
    println!(
        "{}：{} 名学生、{} 所学校、{} 行学籍（{} 名学生的学籍历史），最新学期 {}",
        probe.backend(),
        count("student").await?,
        count("school").await?,
        count("enrolment").await?,
        count("pupil_history").await?,
        term.label()
    );
    let secs = |t: std::time::Instant| t.elapsed().as_secs_f64();
    for run in 1..=3 {
        let store = eduq_store::Store::connect(url).await?;
        if run == 1 {
            // Derived from the roll and kept while it is unchanged: dropped, as a write would.
            store.system().exec(&eduq_store::Sql::new("DELETE FROM flow_summary")).await?;
        }
        let kept = if run == 1 {
            "学籍写入后首次：跟踪全部学生"
        } else {
            "学籍未变：读取保存的队列汇总"
        };
        let t = std::time::Instant::now();
        let values = eduq_app::indicators::library(&store, &admin, term).await?;
        let all = secs(t);
        let store = eduq_store::Store::connect(url).await?;
        let t = std::time::Instant::now();
        let rows = store.flow_rows(&admin).await?;
        let read = secs(t);
        let t = std::time::Instant::now();
        let first = rows.iter().map(|r| r.term).min().unwrap_or(term);
        let (_, county) = eduq_core::flows::consolidation(&rows, first, term);
        let follow = secs(t);
        let term_id = store.term_id(term).await?.context("最新学期没有编号")?;
        let t = std::time::Instant::now();
        let facts = store.school_facts(&admin, term_id, term.start_year).await?;
        let facts_s = secs(t);
        let rate = values.iter().find(|v| v.indicator.key == "consolidation_rate").and_then(|v| v.district.value);
        println!(
            "第{run}次（冷，{kept}）：全部{}项指标 {all:.2} 秒；其中学籍历史读取 {read:.2} 秒（{} 行）、巩固率跟踪 {follow:.2} 秒、\
             本学期各校事实 {facts_s:.2} 秒（{} 所学校）；巩固率 {:.2}%（核对 {:.2}%）",
            values.len(),
            rows.len(),
            facts.len(),
            rate.unwrap_or(0.0),
            county.cohort.rate().unwrap_or(0.0)
        );
    }
    Ok(())
}

/// See [`SampleCmd::RollPeak`].
pub async fn roll_peak(url: &str, students: usize, classes: usize) -> Result<()> {
    use chrono::Utc;
    use eduq_core::access::{Actor, Role, Scope};
    use eduq_core::attendance::Status;
    use eduq_store::attendance::RollEntry;
    let store = eduq_store::Store::connect(url).await?;
    store.migrate().await?;
    if !store.list_schools(&Actor::system(), None).await?.is_empty() {
        anyhow::bail!("数据库不是空的：请给一个新的数据库");
    }
    let now = Utc::now();
    let today = now.date_naive();
    let term = eduq_core::calendar::Term::containing(today);
    let spec = eduq_synth::Spec { students, ..eduq_synth::Spec::demo(term) };
    let t0 = std::time::Instant::now();
    eduq_app::demo::seed(&store, &spec, "Bench@2026pass", now).await?;
    println!("seeded {students} pupils in {:.1} s ({})", t0.elapsed().as_secs_f64(), store.backend());
    // A district's database has been vacuumed by 8:00 (autovacuum); a freshly seeded one has not,
    // and without the visibility map the rosters are read from the table instead of the index.
    if url.starts_with("postgres") {
        store.system().exec(&eduq_store::Sql::new("VACUUM ANALYZE")).await?;
    }
    let term_id = store.term_id(term).await?.context("no current term")?;
    let all = store.list_classes(&Actor::system(), term.start_year, Some(term_id), None).await?;
    let chosen: Vec<_> = all.iter().filter(|c| c.students > 0).take(classes).collect();
    let (from, to) = term.nominal_bounds();
    let calendar = store.teaching_calendar(None, from, to).await?;
    // The three latest teaching days. The demo has already taken their rolls, so each morning is
    // first a burst of corrections (compared and audited), then, with the chosen classes' rolls of
    // that day removed, the 8:00 burst itself: every class's first roll of the day.
    let days: Vec<_> = today.iter_days().rev().take(30).filter(|d| calendar.is_school_day(*d)).take(3).collect();
    let desk = eduq_app::roll_desk::RollDesk::open(store.clone());
    let list = chosen.iter().map(|c| c.id.to_string()).collect::<Vec<_>>().join(",");
    let (mut first, mut corrections) = (Vec::new(), Vec::new());
    for day in days {
        // Each teacher has the class's page open (the roster loaded) …
        let mut forms = Vec::new();
        for (k, c) in chosen.iter().enumerate() {
            let actor = Actor {
                user_id: 0,
                username: format!("ht{k}"),
                display_name: format!("班主任{k}"),
                role: Role::HeadTeacher,
                scope: Scope::Classes { school_id: c.school_id, class_ids: vec![c.id] },
            };
            let (pupils, _) = store.roll(&actor, c.id, term_id, day).await?;
            let entries: Vec<RollEntry> = pupils
                .iter()
                .enumerate()
                .map(|(i, p)| RollEntry {
                    student_id: p.student_id,
                    status: if i % 23 == (c.school_id as usize) % 23 { Status::Sick } else { Status::Present },
                    note: String::new(),
                })
                .collect();
            forms.push((actor, c.id, entries));
        }
        for morning in [false, true] {
            if morning {
                for table in ["attendance", "roll_call"] {
                    let sql = format!("DELETE FROM {table} WHERE day = $1 AND class_id IN ({list})");
                    store.system().exec(&eduq_store::Sql::new(sql).bind(day)).await?;
                }
            }
            // … and all press 保存 at the same moment.
            let start = std::sync::Arc::new(tokio::sync::Barrier::new(forms.len()));
            let mut tasks = Vec::new();
            for (actor, class_id, entries) in forms.iter().cloned() {
                let (desk, start) = (desk.clone(), start.clone());
                tasks.push(tokio::spawn(async move {
                    start.wait().await;
                    let started = std::time::Instant::now();
                    desk.take_roll(&actor, class_id, day, entries, today, Utc::now()).await?;
                    anyhow::Ok(started.elapsed().as_secs_f64() * 1000.0)
                }));
            }
            let wall = std::time::Instant::now();
            let latencies = if morning { &mut first } else { &mut corrections };
            for t in tasks {
                latencies.push(t.await??);
            }
            let saved = wall.elapsed().as_secs_f64() * 1000.0;
            // The warning scan runs once the burst has passed, as it would before the next morning.
            let scan = std::time::Instant::now();
            desk.settle().await;
            println!(
                "{day} {}: {} rolls saved at once in {saved:.0} ms; their warning scan after it {:.0} ms",
                if morning { "8:00, first roll of the day" } else { "corrections of taken rolls" },
                chosen.len(),
                scan.elapsed().as_secs_f64() * 1000.0
            );
        }
    }
    for (what, mut latencies) in [("first rolls of the day", first), ("corrections", corrections)] {
        latencies.sort_by(f64::total_cmp);
        let q = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
        println!(
            "save latency over {} saves ({what}): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            latencies.len(),
            q(0.5),
            q(0.99),
            q(1.0)
        );
    }
    Ok(())
}

/// The password of the `bench` administrator the supervision benchmark creates.
pub const BENCH_PASSWORD: &str = "Bench@2026pass";

/// p50 and p99 of timings in milliseconds.
fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}

/// See [`SampleCmd::Supervision`].
pub async fn supervision(url: &str, schools: usize, years: u32, problems: usize, seed: u64) -> Result<()> {
    use eduq_core::access::Actor;
    use eduq_store::Sql;
    let store = eduq_store::Store::connect(url).await?;
    store.migrate().await?;
    let admin = Actor::system();
    let (district_id, _) = store.district().await?;
    let count = |sql: &'static str| {
        let store = store.clone();
        async move { store.system().scalar(&Sql::new(sql)).await }
    };
    let held = count("SELECT COUNT(*) FROM school").await? as usize;
    if held < schools {
        let mut tx = store.begin().await?;
        for k in held..schools {
            let (kind, name) = if k % 3 == 0 { ("junior", "中学") } else { ("primary", "小学") };
            tx.exec(
                &Sql::new(
                    "INSERT INTO school (district_id, code, name, school_type, locale, ownership) VALUES ($1, $2, $3, $4, $5, 'public')",
                )
                .bind(district_id)
                .bind(format!("31{:08}", 90_000_000 + k * 37 % 9_999_991))
                .bind(format!("示范区第{}{}", k + 1, name))
                .bind(kind)
                .bind(["urban", "town", "rural"][k % 3]),
            )
            .await?;
        }
        tx.commit().await?;
    }
    let ids: Vec<i64> = store.system().fetch(&Sql::new("SELECT id FROM school ORDER BY id"), |r| r.i(0)).await?;
    let today = eduq_core::clock::DistrictZone::default().today(chrono::Utc::now());
    let have = count("SELECT COUNT(*) FROM problem").await? as usize;
    if have < problems {
        let t = std::time::Instant::now();
        let rows = eduq_synth::supervision::problems(seed, &ids, 40, years, problems - have, today);
        // 整改通知书 numbers run per year in the order problems were raised.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| rows[i].raised_on);
        let mut seq = vec![0i64; rows.len()];
        let mut next: std::collections::HashMap<i32, i64> = Default::default();
        for i in order {
            use chrono::Datelike;
            let n = next.entry(rows[i].raised_on.year()).or_insert(100_000);
            *n += 1;
            seq[i] = *n;
        }
        let mut tx = store.begin().await?;
        for (chunk_no, chunk) in rows.chunks(400).enumerate() {
            let mut q = Sql::new(
                "INSERT INTO problem (district_id, school_id, kind, domain, description, severity, responsible, indicator, \
                 notice_year, notice_seq, state, raised_on, raised_by, deadline, submitted_on, rectified_on, returns, \
                 close_requested_by, closed_by, closed_on) VALUES ",
            );
            for (k, p) in chunk.iter().enumerate() {
                use chrono::Datelike;
                let i = chunk_no * 400 + k;
                let args: Vec<eduq_store::Arg> = vec![
                    district_id.into(),
                    p.school_id.into(),
                    p.kind.key().into(),
                    p.domain.into(),
                    p.description.clone().into(),
                    p.severity.key().into(),
                    "分管副校长".into(),
                    p.indicator.map(str::to_string).into(),
                    i64::from(p.raised_on.year()).into(),
                    seq[i].into(),
                    p.state.key().into(),
                    p.raised_on.into(),
                    p.raised_by.clone().into(),
                    p.deadline.into(),
                    p.submitted_on.into(),
                    p.rectified_on.into(),
                    i64::from(p.returns).into(),
                    p.close_requested_by.clone().into(),
                    p.closed_on.map(|_| "督导室".to_string()).into(),
                    p.closed_on.into(),
                ];
                let ph: Vec<String> = args.into_iter().map(|a| q.arg(a)).collect();
                q.push(&format!("{}({})", if k == 0 { "" } else { ", " }, ph.join(", ")));
            }
            tx.exec(&q).await?;
        }
        tx.commit().await?;
        store.refresh_statistics().await?;
        if store.backend() == "PostgreSQL" {
            // As autovacuum leaves a table that has settled: the visibility map lets the register's
            // index be read without the table.
            store.system().exec(&Sql::new("VACUUM ANALYZE problem")).await?;
        }
        println!("写入{}条问题：{:.2} 秒", rows.len(), t.elapsed().as_secs_f64());
    }
    ensure_bench_user(&store).await?;
    println!(
        "{}：{} 所学校，{} 条问题（其中未销号 {}），用户 bench / {BENCH_PASSWORD}",
        store.backend(),
        ids.len(),
        count("SELECT COUNT(*) FROM problem").await?,
        count("SELECT COUNT(*) FROM problem WHERE state <> 'closed'").await?
    );
    let school = ids[ids.len() / 2];
    let cases: Vec<(&str, eduq_app::problems::ProblemQuery)> = vec![
        ("问题清单第一页（全县）", eduq_app::problems::ProblemQuery { limit: 50, ..Default::default() }),
        (
            "问题清单：一所学校的待整改",
            eduq_app::problems::ProblemQuery {
                school_id: Some(school),
                state: Some(eduq_core::supervision::ProblemState::Open),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "问题清单：逾期（全县）",
            eduq_app::problems::ProblemQuery { overdue_on: Some(today), limit: 50, ..Default::default() },
        ),
        (
            "问题清单第100页（全县）",
            eduq_app::problems::ProblemQuery { offset: 4_950, limit: 50, ..Default::default() },
        ),
    ];
    const RUNS: usize = 100;
    for (label, q) in &cases {
        let mut ms = Vec::with_capacity(RUNS);
        // One warm-up read (not counted): the figures are of a warm store, as a served page's are.
        let mut total = eduq_app::problems::register(&store, &admin, q).await?.1;
        for _ in 0..RUNS {
            let t = std::time::Instant::now();
            total = eduq_app::problems::register(&store, &admin, q).await?.1;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let (p50, p99) = percentiles(ms);
        println!("{label}（共{total}条）：p50 {p50:.1} ms，p99 {p99:.1} ms（{RUNS}次）");
    }
    let mut ms = Vec::with_capacity(RUNS);
    let mut read_ms = Vec::with_capacity(RUNS);
    let mut board = eduq_app::problems::board_of(&store.problem_facts(&admin, None, None).await?, today);
    for _ in 0..RUNS {
        // Computed every time (the page memoises it until the next write).
        let t = std::time::Instant::now();
        let facts = store.problem_facts(&admin, None, None).await?;
        read_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        board = eduq_app::problems::board_of(&facts, today);
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p99) = percentiles(ms);
    let (r50, r99) = percentiles(read_ms);
    println!("看板读取问题（其中）：p50 {r50:.1} ms，p99 {r99:.1} ms");
    println!(
        "看板（不经缓存，{}条问题、{}所学校）：p50 {p50:.1} ms，p99 {p99:.1} ms；整改率 {:.1}%，按期整改率 {:.1}%，逾期 {}",
        board.all.total,
        board.by_school.len(),
        board.all.rectify_rate().unwrap_or(0.0),
        board.all.on_time_rate().unwrap_or(0.0),
        board.all.overdue
    );
    Ok(())
}

/// The training benchmark (see [`SampleCmd::Training`]).
pub async fn training(url: &str, students: usize, years: u32, per_year: f64, seed: u64) -> Result<()> {
    use eduq_core::access::Actor;
    use eduq_exchange::kinds::Batch;
    let store = eduq_store::Store::connect(url).await?;
    store.migrate().await?;
    let admin = Actor::system();
    let now = chrono::Utc::now();
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let current = eduq_core::calendar::Term::containing(today);
    let d = eduq_synth::generate(&eduq_synth::Spec { seed, students, current, years: 1 });
    let teachers: Vec<eduq_core::records::TeacherRecord> =
        d.teachers.into_iter().filter(|t| t.term == current).collect();
    let t = std::time::Instant::now();
    for b in [Batch::Schools(d.schools), Batch::Teachers(teachers.clone())] {
        eduq_app::imports::apply_batch(&store, &admin, &b, "bench.generated", "synthetic", false, now).await?;
    }
    println!("{}：{} 名教师（{:.1} 秒）", store.backend(), teachers.len(), t.elapsed().as_secs_f64());
    let people: Vec<(String, String)> = teachers.iter().map(|t| (t.staff_no.clone(), t.name.clone())).collect();
    let rows = eduq_synth::training::completions(seed, &people, years, per_year, today);
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(eduq_synth::training::HEADERS)?;
    for r in &rows {
        csv.write_record(r)?;
    }
    let csv = csv.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?;
    let cells: Vec<Vec<eduq_exchange::table::Cell>> =
        rows.iter().map(|r| r.iter().map(|c| eduq_exchange::table::Cell::Text(c.clone())).collect()).collect();
    let sheet = eduq_exchange::table::Sheet {
        name: "培训记录",
        title: vec![],
        headers: &eduq_synth::training::HEADERS,
        rows: &cells,
    };
    let xlsx = eduq_exchange::table::write_workbook(&[sheet])?;
    println!("平台导出：{} 行（csv {:.1} MB，xlsx {:.1} MB）", rows.len(), mb(csv.len()), mb(xlsx.len()));
    let t = std::time::Instant::now();
    let n = eduq_app::training::import_records(&store, &admin, &csv, "platform.csv", today, now).await?;
    println!("导入csv：新增{}条，已有{}条，{:.2} 秒", n.added, n.unchanged, t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let n = eduq_app::training::import_records(&store, &admin, &xlsx, "platform.xlsx", today, now).await?;
    println!("再导入同一批（xlsx）：新增{}条，已有{}条，{:.2} 秒", n.added, n.unchanged, t.elapsed().as_secs_f64());
    store.refresh_statistics().await?;
    let mut ms = Vec::new();
    for _ in 0..20 {
        let t = std::time::Instant::now();
        // The uncached computation (the page memoises it until the next write).
        store.system().exec(&eduq_store::Sql::new("UPDATE district SET name = name")).await?;
        let l = eduq_app::training::ledger(&store, &admin, today).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(l);
    }
    let (p50, p99) = percentiles(ms);
    println!("全县学时台账（不缓存）：p50 {p50:.0} ms，p99 {p99:.0} ms");
    ensure_bench_user(&store).await?;
    Ok(())
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1024.0 / 1024.0
}

/// The administrator `bench` that the wrk scripts log in as.
async fn ensure_bench_user(store: &eduq_store::Store) -> Result<()> {
    if store.system().user_by_name("bench").await?.is_none() {
        let input = eduq_app::accounts::NewUserInput {
            username: "bench".into(),
            display_name: "基准测试".into(),
            password: BENCH_PASSWORD.into(),
            role: eduq_core::access::Role::Admin,
            school_id: None,
            class_ids: vec![],
            student_ids: vec![],
            school_ids: vec![],
        };
        eduq_app::accounts::create_user(store, &eduq_core::access::Actor::system(), input, chrono::Utc::now()).await?;
    }
    Ok(())
}

/// See [`SampleCmd::ScreeningCodes`].
pub async fn screening_codes(url: &str, students: usize, out: &Path) -> Result<()> {
    use chrono::Utc;
    use eduq_core::access::Actor;
    let store = eduq_store::Store::connect(url).await?;
    store.migrate().await?;
    let now = Utc::now();
    let zone = eduq_core::clock::DistrictZone::default();
    let today = zone.today(now);
    // An empty database gets the district first; a seeded one another round.
    if store.list_schools(&Actor::system(), None).await?.is_empty() {
        let term = eduq_core::calendar::Term::containing(today);
        let spec = eduq_synth::Spec { students, ..eduq_synth::Spec::demo(term) };
        let t0 = std::time::Instant::now();
        eduq_app::demo::seed(&store, &spec, "Bench@2026pass", now).await?;
        println!("seeded {students} pupils in {:.1} s ({})", t0.elapsed().as_secs_f64(), store.backend());
        if url.starts_with("postgres") {
            store.system().exec(&eduq_store::Sql::new("VACUUM ANALYZE")).await?;
        }
    }
    let user = store.system().user_by_name("psych_staff").await?.context("the demo's 心理教研员")?;
    let staff = store.system().actor(&user).await?;
    let form = eduq_app::screening::RoundForm {
        name: "负载测试筛查".into(),
        instrument: "phq9".into(),
        grades: "6,7,8,9,10,11,12".into(),
        opens: today.to_string(),
        closes: (today + chrono::Days::new(7)).to_string(),
    };
    let round = eduq_app::screening::open_round(&store, &staff, &form, today, now).await?;
    let slips = eduq_app::screening::issue_codes(&store, &staff, round, None, today, now).await?;
    let mut text = String::with_capacity(slips.len() * 9);
    for s in &slips {
        text.push_str(&s.code);
        text.push('\n');
    }
    std::fs::write(out, text).with_context(|| format!("无法写入 {}", out.display()))?;
    println!("round {round}: {} codes written to {}", slips.len(), out.display());
    Ok(())
}

/// See [`SampleCmd::ScreeningBurst`].
pub async fn screening_burst(url: &str, codes: &Path, at_once: usize, pause_ms: u64) -> Result<()> {
    let codes: Vec<String> = std::fs::read_to_string(codes)?.lines().map(str::to_string).collect();
    let posts = codes
        .iter()
        .enumerate()
        .map(|(i, code)| Post {
            path: "/answer/submit".into(),
            body: format!(
                "code={code}&q1=1&q2=0&q3=1&q4=0&q5=0&q6=1&q7=0&q8=0&q9={}",
                if i.is_multiple_of(10) { 2 } else { 0 }
            ),
            cookie: None,
        })
        .collect();
    bursts(url, posts, at_once, pause_ms).await
}

/// See [`SampleCmd::SurveyBurst`]: each respondent a browser of its own (its survey cookie), a
/// 社会认可度 form answered as 其他群众.
pub async fn survey_burst(url: &str, link: &str, respondents: usize, at_once: usize, pause_ms: u64) -> Result<()> {
    let mut rng = eduq_synth::Rng::new(2026);
    let posts = (0..respondents)
        .map(|i| {
            let browser = format!("{:016x}{i:016x}", rng.next_u64());
            let mut body = format!("b={browser}&a%3Arespondent=public");
            for q in ["equity", "sharing", "conduct", "quality_ed", "assessment", "quality", "overall"] {
                body.push_str(&format!("&a%3A{q}=s{}", 1 + rng.below(5)));
            }
            Post { path: format!("/s/{link}"), body, cookie: Some(format!("eduq_sv={browser}")) }
        })
        .collect();
    bursts(url, posts, at_once, pause_ms).await
}

/// A form a burst posts: the path, the urlencoded body and the cookie it carries.
struct Post {
    path: String,
    body: String,
    cookie: Option<String>,
}

/// Posts in peaks: `at_once` requests at the same moment, each on a new connection (a phone of its
/// own), then a pause, until every post is sent; prints the latency of every post (p50/p90/p99/
/// max) and how many the server kept (its page says `answer-done`).
async fn bursts(url: &str, posts: Vec<Post>, at_once: usize, pause_ms: u64) -> Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    // One submission: connect, post, read the whole answer page.
    async fn one(host: String, p: Post) -> Result<(f64, bool)> {
        let started = std::time::Instant::now();
        let cookie = p.cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
        let req = format!(
            "POST {} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n{cookie}\
             Content-Length: {}\r\nConnection: close\r\n\r\n{}",
            p.path,
            p.body.len(),
            p.body
        );
        let mut stream = tokio::net::TcpStream::connect(&host).await?;
        stream.write_all(req.as_bytes()).await?;
        let mut page = Vec::new();
        stream.read_to_end(&mut page).await?;
        let kept = String::from_utf8_lossy(&page).contains("id=\"answer-done\"");
        Ok((started.elapsed().as_secs_f64() * 1000.0, kept))
    }
    let total = posts.len();
    let mut latencies = Vec::with_capacity(total);
    let (mut kept, mut peaks) = (0usize, 0usize);
    // The slowest answer of each peak: shows whether the tail is one cold peak or spread out.
    let mut peak_max: Vec<(f64, usize)> = Vec::new();
    let wall = std::time::Instant::now();
    let mut posts = posts.into_iter().peekable();
    while posts.peek().is_some() {
        let chunk: Vec<Post> = posts.by_ref().take(at_once.max(1)).collect();
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(chunk.len()));
        let mut tasks = Vec::with_capacity(chunk.len());
        for p in chunk {
            let (host, start) = (host.clone(), start.clone());
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                one(host, p).await
            }));
        }
        let mut slowest = 0f64;
        for t in tasks {
            let (ms, ok) = t.await??;
            latencies.push(ms);
            slowest = slowest.max(ms);
            kept += usize::from(ok);
        }
        peaks += 1;
        peak_max.push((slowest, peaks));
        tokio::time::sleep(std::time::Duration::from_millis(pause_ms)).await;
    }
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| {
        latencies.get(((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1)).copied().unwrap_or(0.0)
    };
    println!(
        "{peaks} peaks of {at_once} at once, {total} submissions ({kept} kept) in {:.0} s: p50 {:.1} ms  p90 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        wall.elapsed().as_secs_f64(),
        at(0.5),
        at(0.9),
        at(0.99),
        latencies.last().copied().unwrap_or(0.0)
    );
    peak_max.sort_by(|a, b| b.0.total_cmp(&a.0));
    let worst: Vec<String> = peak_max.iter().take(5).map(|(ms, b)| format!("#{b} {ms:.1} ms")).collect();
    println!("slowest peaks (their slowest answer): {}", worst.join(", "));
    Ok(())
}

/// Writes a csv of `headers` and the rows `rows` hands to its callback (a generator's output),
/// stopping at the first write error.
fn write_csv<H: AsRef<[u8]>>(
    out: &Path,
    headers: impl IntoIterator<Item = H>,
    rows: impl FnOnce(&mut dyn FnMut(&[String])),
) -> Result<()> {
    let file = std::fs::File::create(out).with_context(|| format!("无法写入 {}", out.display()))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, file));
    w.write_record(headers)?;
    let mut failed = None;
    rows(&mut |row| {
        if failed.is_none()
            && let Err(e) = w.write_record(row)
        {
            failed = Some(e);
        }
    });
    if let Some(e) = failed {
        return Err(e.into());
    }
    w.flush()?;
    Ok(())
}

/// The 双减 benchmark (see [`SampleCmd::DoubleReduction`]).
pub async fn double_reduction(url: &str, students: usize, classes: usize, days: usize, seed: u64) -> Result<()> {
    use eduq_core::access::Actor;
    use eduq_exchange::kinds::Batch;
    use eduq_store::homework::NewHomework;
    let store = eduq_store::Store::connect(url).await?;
    store.migrate().await?;
    let admin = Actor::system();
    let now = chrono::Utc::now();
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let current = eduq_core::calendar::Term::containing(today);
    let d = eduq_synth::generate(&eduq_synth::Spec { seed, students, current, years: 1 });
    let t = std::time::Instant::now();
    let year_classes: Vec<_> = d.classes.into_iter().filter(|c| c.start_year == current.start_year).collect();
    for b in [Batch::Schools(d.schools), Batch::Classes(year_classes)] {
        eduq_app::imports::apply_batch(&store, &admin, &b, "bench.generated", "synthetic", false, now).await?;
    }
    let mut tx = store.begin().await?;
    tx.ensure_term(current).await?;
    tx.commit().await?;
    let all = eduq_app::homework::classes(&store, &admin, today).await?;
    let compulsory: Vec<_> = all.iter().filter(|c| (1..=9).contains(&c.grade.number())).collect();
    let schools: std::collections::BTreeSet<i64> = compulsory.iter().map(|c| c.school_id).collect();
    println!(
        "{}：{} 所学校，{} 个义务教育班级（{:.1} 秒）",
        store.backend(),
        schools.len(),
        compulsory.len(),
        t.elapsed().as_secs_f64()
    );
    // Weekdays back from today.
    let mut weekdays = Vec::with_capacity(days);
    let mut day = today;
    while weekdays.len() < days {
        use chrono::Datelike;
        if day.weekday().num_days_from_monday() < 5 {
            weekdays.push(day);
        }
        day -= chrono::Duration::days(1);
    }
    let from = *weekdays.last().unwrap_or(&today);
    let held = store.system().scalar(&eduq_store::Sql::new("SELECT COUNT(*) FROM homework_day")).await?;
    if held == 0 {
        let t = std::time::Instant::now();
        let mut rng = eduq_core::rng::Rng::new(seed);
        let chosen: Vec<_> = compulsory.iter().take(classes).collect();
        let mut order: Vec<(usize, usize)> =
            (0..chosen.len()).flat_map(|c| (0..weekdays.len()).map(move |d| (c, d))).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let subjects = ["语文", "数学", "英语"];
        let (district_id, _) = store.district().await?;
        for chunk in order.chunks(20_000) {
            let load: Vec<_> = chunk
                .iter()
                .map(|&(c, k)| {
                    let class = chosen[c];
                    let written = class.grade.number() > 2;
                    let list = subjects
                        .iter()
                        .map(|s| NewHomework {
                            class_id: class.id,
                            day: weekdays[k],
                            subject: s.to_string(),
                            written,
                            minutes: 10 + rng.below(20) as u32,
                            layered: false,
                            note: String::new(),
                        })
                        .collect();
                    (class.school_id, class.id, class.grade, weekdays[k], list)
                })
                .collect();
            let mut tx = store.begin().await?;
            tx.load_homework_days(&admin, district_id, &load, now).await?;
            tx.commit().await?;
        }
        store.refresh_statistics().await?;
        if store.backend() == "PostgreSQL" {
            // As autovacuum leaves a settled table: the board's index is read without the table.
            store.system().exec(&eduq_store::Sql::new("VACUUM ANALYZE homework_day")).await?;
        }
        println!("写入{}个班级日的作业：{:.1} 秒", order.len(), t.elapsed().as_secs_f64());
    }
    let count = store.system().scalar(&eduq_store::Sql::new("SELECT COUNT(*) FROM homework_entry")).await?;
    let uploaded = store.system().scalar(&eduq_store::Sql::new("SELECT COUNT(*) FROM timetable_upload")).await?;
    if uploaded == 0 {
        let t = std::time::Instant::now();
        for school in &schools {
            let cs: Vec<(eduq_core::grade::Grade, i64)> = all
                .iter()
                .filter(|c| c.school_id == *school)
                .filter_map(|c| {
                    c.name
                        .split('（')
                        .nth(1)
                        .and_then(|x| x.trim_end_matches("）班").parse().ok())
                        .map(|n| (c.grade, n))
                })
                .collect();
            let file = eduq_synth::timetable::school_csv(&cs, true);
            let actor = Actor { scope: eduq_core::access::Scope::School(*school), ..admin.clone() };
            eduq_app::timetables::import(&store, &actor, file.as_bytes(), "课表.csv", today, now).await?;
        }
        println!("上传{}所学校的课表：{:.1} 秒", schools.len(), t.elapsed().as_secs_f64());
    }
    ensure_bench_user(&store).await?;
    const RUNS: usize = 50;
    // Cold: each run asks for another span, so no memo answers it.
    let mut ms = Vec::with_capacity(RUNS);
    let mut board = eduq_app::homework::board(&store, &admin, from, today, None).await?;
    for i in 0..RUNS {
        let t = std::time::Instant::now();
        board =
            eduq_app::homework::board(&store, &admin, from, today - chrono::Duration::days(i as i64 + 1), None).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p99) = percentiles(ms);
    println!(
        "作业看板（全县，{}至今，{}条作业记录，不经缓存）：p50 {p50:.1} ms，p99 {p99:.1} ms；{}个班级日，达标率 {:.1}%",
        from,
        count,
        board.total.class_days,
        board.total.compliance().unwrap_or(0.0)
    );
    let school = *schools.iter().nth(schools.len() / 2).unwrap_or(&0);
    let mut ms = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        let t = std::time::Instant::now();
        board = eduq_app::homework::board(&store, &admin, from, today - chrono::Duration::days(i as i64), Some(school))
            .await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p99) = percentiles(ms);
    println!("作业看板（一所学校的各班，{}个班级）：p50 {p50:.1} ms，p99 {p99:.1} ms", board.lines.len());
    // Cold: each run on a new store handle, so that no memo answers it.
    let mut ms = Vec::with_capacity(10);
    let mut r = eduq_app::timetables::report(&store, &admin, current, None).await?;
    for _ in 0..10 {
        let fresh = eduq_store::Store::connect(url).await?;
        let t = std::time::Instant::now();
        r = eduq_app::timetables::report(&fresh, &admin, current, None).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p99) = percentiles(ms);
    println!(
        "开齐开足核对（{}所学校、{}个班级）：p50 {p50:.0} ms，p99 {p99:.0} ms；开齐开足率 {:.1}%，教师冲突 {}",
        r.lines.len(),
        r.classes,
        r.share().unwrap_or(0.0),
        r.clashes_total()
    );
    Ok(())
}
