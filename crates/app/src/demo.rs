//! Seeding the demo district through the same apply path as real imports.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use chrono::{Datelike, NaiveDate};
use eduq_core::access::{Actor, Role};
use eduq_core::attendance::Status;
use eduq_core::calendar::{DayKind, Term};
use eduq_core::dropout::{Outcome, Party, Register};
use eduq_exchange::kinds::{Batch, Kind};
use eduq_store::Store;
use eduq_store::imports::Counts;
use eduq_store::org::SchoolRow;
use eduq_synth::{Spec, generate};

use crate::AppError;
use crate::accounts::{NewUserInput, create_user};
use crate::imports::apply_batch;

/// Demo accounts: (username, display name, role); school roles are bound to the first 小学.
/// All share the password printed by `eduq demo`.
pub const DEMO_USERS: &[(&str, &str, Role)] = &[
    ("admin", "系统管理员", Role::Admin),
    ("leader", "局领导", Role::Leader),
    ("staff", "基础教育科", Role::Staff),
    ("principal", "示范区实验小学校长", Role::SchoolAdmin),
    ("teacher", "班主任", Role::HeadTeacher),
    ("inspector", "责任督学", Role::Inspector),
    ("psych", "心理教师", Role::PsychTeacher),
    ("psych_staff", "区心理教研员", Role::PsychStaff),
];

/// How many schools the demo inspector's 责任区 holds (the demo principal's school among them).
const DEMO_AREA_SCHOOLS: usize = 6;

/// Loads a synthetic district into an empty store. Returns per-kind counts.
pub async fn seed(
    store: &Store,
    spec: &Spec,
    admin_password: &str,
    now: DateTime<Utc>,
) -> Result<HashMap<Kind, Counts>, AppError> {
    let d = generate(spec);
    store.set_district_name(&d.name).await?;
    // A 体质健康 round in every school year held (the test is yearly, in the first term).
    let first_year = spec.current.start_year - spec.years + 1;
    let rounds: Vec<(Term, Vec<u8>)> = (first_year..=spec.current.start_year)
        .map(|y| Term { start_year: y, term_no: 1 })
        .map(|t| fitness_file(spec, &d.students, t).map(|f| (t, f)))
        .collect::<Result<_, _>>()?;
    let system = Actor::system();
    let mut out = HashMap::new();
    let batches = [
        Batch::Schools(d.schools),
        Batch::Classes(d.classes),
        Batch::Teachers(d.teachers),
        Batch::Students(d.students),
        Batch::Conditions(d.conditions),
    ];
    for b in &batches {
        let c = apply_batch(store, &system, b, &format!("demo-{}.generated", b.kind().key()), "synthetic", false, now)
            .await?;
        out.insert(b.kind(), c);
    }
    // Each year's round for every pupil on roll, through the same import as an upload.
    for (term, file) in &rounds {
        let name = format!("demo-fitness-{}.csv", term.school_year());
        crate::fitness::import_fitness(store, &system, *term, file, &name, false, now).await?;
    }
    seed_attendance(store, spec, now).await?;
    seed_lottery(store, spec, now).await?;
    seed_exams(store, spec, now).await?;
    let (district_id, _) = store.district().await?;
    store.save_plan(district_id, &crate::plans::example_plan(spec.current.start_year)).await?;
    seed_inputs(store, spec, now).await?;
    if store.user_count().await? == 0 {
        let schools = store.list_schools(&system, None).await?;
        let primary = schools.iter().find(|s| s.school_type == eduq_core::org::SchoolType::Primary).map(|s| s.id);
        let terms = store.terms().await?;
        let class = match (primary, terms.first()) {
            (Some(p), Some((tid, t))) => {
                store.list_classes(&system, t.start_year, Some(*tid), Some(p)).await?.first().map(|c| c.id)
            }
            _ => None,
        };
        for (username, name, role) in DEMO_USERS {
            let school_id = if role.needs_school() { primary } else { None };
            let class_ids = if *role == Role::HeadTeacher { class.into_iter().collect() } else { vec![] };
            let school_ids = if *role == Role::Inspector { demo_area(&schools, primary) } else { vec![] };
            create_user(
                store,
                &system,
                NewUserInput {
                    username: username.to_string(),
                    display_name: name.to_string(),
                    password: admin_password.to_string(),
                    role: *role,
                    school_id,
                    class_ids,
                    student_ids: vec![],
                    school_ids,
                },
                now,
            )
            .await?;
        }
        seed_supervision(store, now).await?;
        seed_training(store, now).await?;
        seed_rotation(store, spec.current, now).await?;
        seed_development(store, now).await?;
        seed_screening(store, admin_password, now).await?;
        seed_surveys(store, now).await?;
        seed_homework(store, primary, now).await?;
        seed_timetables(store, primary, now).await?;
        seed_after_school(store, now).await?;
        seed_projects(store, primary, now).await?;
        seed_group_activities(store, spec.current, now).await?;
    }
    store.refresh_statistics().await?;
    Ok(out)
}

/// The demo inspector's 责任区: the demo principal's school and the next schools of the list.
fn demo_area(schools: &[SchoolRow], primary: Option<i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = primary.into_iter().collect();
    ids.extend(schools.iter().map(|s| s.id).filter(|id| Some(*id) != primary).take(DEMO_AREA_SCHOOLS - ids.len()));
    ids
}

/// The demo's 体质健康 round in the national upload layout (csv), for the pupils on roll this term.
fn fitness_file(spec: &Spec, students: &[eduq_core::records::StudentRecord], term: Term) -> Result<Vec<u8>, AppError> {
    let on_roll: Vec<&eduq_core::records::StudentRecord> = students
        .iter()
        .filter(|s| s.term == term && s.status.is_on_roll() && (1..=12).contains(&s.grade.number()))
        .collect();
    let classes: Vec<String> = on_roll.iter().map(|s| format!("{}班", s.class_no)).collect();
    let pupils: Vec<eduq_synth::fitness::Pupil> = on_roll
        .iter()
        .zip(&classes)
        .map(|(s, c)| eduq_synth::fitness::Pupil {
            student_no: &s.student_no,
            grade: s.grade.number() as u8,
            sex: s.sex,
            class: c,
        })
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut failed = None;
    let _ = w.write_record(eduq_synth::fitness::HEADERS);
    eduq_synth::fitness::rows_for(
        spec.seed ^ (term.start_year as u64),
        &pupils,
        false,
        eduq_synth::fitness::Times::Dotted,
        |row| {
            if let Err(e) = w.write_record(row) {
                failed.get_or_insert(e);
            }
        },
    );
    match (failed, w.into_inner()) {
        (None, Ok(bytes)) => Ok(bytes),
        _ => Err(AppError::Invalid("示范数据生成失败".into())),
    }
}

/// The demo's calendar exceptions (synthetic, shaped like a real year's): 清明, 劳动节, 端午 in the
/// spring term; 国庆 with a make-up Saturday in the autumn term. Keys are (month, day, kind, note).
const DEMO_HOLIDAYS: &[(u32, u32, DayKind, &str)] = &[
    (4, 6, DayKind::Holiday, "清明节"),
    (5, 1, DayKind::Holiday, "劳动节"),
    (5, 4, DayKind::Holiday, "劳动节"),
    (5, 5, DayKind::Holiday, "劳动节"),
    (6, 19, DayKind::Holiday, "端午节"),
    (10, 1, DayKind::Holiday, "国庆节"),
    (10, 2, DayKind::Holiday, "国庆节"),
    (10, 5, DayKind::Holiday, "国庆节"),
    (10, 6, DayKind::Holiday, "国庆节"),
    (10, 7, DayKind::Holiday, "国庆节"),
    (10, 10, DayKind::Makeup, "国庆调休上课"),
];

/// A year of roll calls: the previous term (2 March – 3 July) and this term from 1 September up
/// to today, on the calendar's teaching days. Mostly present, some absences, a few pupils drifting
/// into truancy; then the alerts the rules raise and a handful of cases at every stage.
/// 学龄人口 for each school year, as a bureau would fill them in (synthetic: the district's pupils
/// over plausible enrolment ratios, so that 毛入园率 ≈ 93% and 高中阶段毛入学率 ≈ 91%).
async fn seed_inputs(store: &Store, spec: &Spec, now: DateTime<Utc>) -> Result<(), AppError> {
    let admin = Actor::system();
    for &(year, ref values) in crate::indicators::library_by_year(store, &admin, spec.current).await?.iter() {
        for (key, indicator, ratio) in
            [("age_3_5", "preschool_gross_enrolment", 0.93), ("age_15_17", "senior_gross_enrolment", 0.91)]
        {
            let Some(v) = values.iter().find(|v| v.indicator.key == indicator) else { continue };
            let population = (v.district.numerator / ratio).round();
            if population > 0.0 {
                let source = format!("示范区统计局{year}年人口变动抽样调查（合成数据）");
                crate::district_inputs::save_input(store, &admin, year, key, &population.to_string(), &source, now)
                    .await?;
            }
        }
        // 技工学校 pupils (人社部门's schools, not in eduq): about 6 % beside the recorded 高中阶段.
        if let Some(v) = values.iter().find(|v| v.indicator.key == "senior_gross_enrolment") {
            let technical = (v.district.numerator * 0.06).round();
            let source = format!("示范区人社局{year}年技工学校在校生统计（合成数据）");
            let key = "unrecorded_senior_pupils";
            crate::district_inputs::save_input(store, &admin, year, key, &technical.to_string(), &source, now).await?;
        }
    }
    // 政府保障程度 figures and attestations of this school year; 360学时 falls short, as it often does.
    // 教育质量 (第八条) likewise; 课业负担 and 质量监测 are left for the bureau to enter.
    for (key, value) in DEMO_GUARANTEE.iter().chain(&DEMO_QUALITY) {
        let source = "示范区教育局年度督导自评报告（合成数据）";
        crate::guarantee::save_input(store, &admin, spec.current.start_year, key, value, source, now).await?;
    }
    Ok(())
}

/// The bureau's entered figures; items 9 (360学时) and 11 (交流轮岗) come from the demo's records.
const DEMO_GUARANTEE: [(&str, &str); 12] = [
    ("guarantee.layout", "是"),
    ("guarantee.unified_standards", "是"),
    ("guarantee.small_school_funding", "是"),
    ("guarantee.special_ed_funding", "6800"),
    ("guarantee.teacher_pay_ratio", "101.5"),
    ("guarantee.performance_pay", "是"),
    ("guarantee.staffing", "是"),
    ("guarantee.nearby_urban", "100"),
    ("guarantee.nearby_town", "97.3"),
    ("guarantee.quota_share", "55"),
    ("guarantee.quota_rural", "是"),
    ("guarantee.left_behind_care", "是"),
];

/// The bureau's 教育质量 figures and attestations of the school year.
const DEMO_QUALITY: [(&str, &str); 7] = [
    ("quality.junior_consolidation", "98.6"),
    ("quality.disabled_enrolment", "96.2"),
    ("quality.charters", "是"),
    ("quality.informatised", "是"),
    ("quality.training_funds_share", "5.5"),
    ("quality.ict_teaching", "是"),
    ("quality.moral_culture", "是"),
];

async fn seed_attendance(store: &Store, spec: &Spec, now: DateTime<Utc>) -> Result<(), AppError> {
    let system = Actor::system();
    let (district_id, _) = store.district().await?;
    let today = now.date_naive();
    let mut tx = store.begin().await?;
    for (m, d, kind, note) in DEMO_HOLIDAYS {
        let year = if *m >= 8 { spec.current.start_year } else { spec.current.start_year + 1 };
        let prev_year = year - 1;
        for y in [prev_year, year] {
            if let Some(day) = NaiveDate::from_ymd_opt(y, *m, *d) {
                tx.set_calendar_day(district_id, None, day, Some(*kind), note).await?;
            }
        }
    }
    tx.commit().await?;
    let prev = spec.current.previous();
    let ranges = [
        (prev, NaiveDate::from_ymd_opt(prev.start_year + 1, 3, 2), NaiveDate::from_ymd_opt(prev.start_year + 1, 7, 3)),
        (spec.current, NaiveDate::from_ymd_opt(spec.current.start_year, 9, 1), Some(today)),
    ];
    for (k, (term, first, last)) in ranges.into_iter().enumerate() {
        let (Some(term_id), Some(first), Some(last)) = (store.term_id(term).await?, first, last) else { continue };
        let (from, to) = term.nominal_bounds();
        let calendar = store.teaching_calendar(None, from, to).await?;
        let days = calendar.days(first.max(from), last.min(to));
        let mut pupils: Vec<(String, eduq_store::fitness::RollEntry)> =
            store.roll_by_number(&system, term_id).await?.into_iter().collect();
        pupils.sort_by(|a, b| a.0.cmp(&b.0));
        let mut classes: Vec<(i64, i64)> = pupils.iter().map(|(_, p)| (p.school_id, p.class_id)).collect();
        classes.sort_unstable();
        classes.dedup();
        let rolls: Vec<(i64, i64, NaiveDate)> =
            classes.iter().flat_map(|&(s, c)| days.iter().map(move |&d| (s, c, d))).collect();
        let mut records = Vec::new();
        eduq_synth::attendance::roll(spec.seed + k as u64, pupils.len(), days.len(), |p, d, status| {
            if status != Status::Present {
                let e = pupils[p].1;
                records.push((e.school_id, e.class_id, e.student_id, days[d], status));
            }
        });
        let mut tx = store.begin().await?;
        tx.insert_attendance(district_id, &rolls, &records, now).await?;
        tx.commit().await?;
    }
    crate::alerts::scan_alerts(store, spec.current, today, None, now).await?;
    seed_cases(store, today, now).await
}

/// A few cases from the first alerts, one at each stage: 劝返 at step 1, overdue at step 1, in
/// follow-up after returning, closed by a second person, and 辍学 confirmed then transferred.
async fn seed_cases(store: &Store, today: NaiveDate, now: DateTime<Utc>) -> Result<(), AppError> {
    use crate::cases::{CaseAction, act, add_evidence, open_case};
    let teacher = Actor { username: "demo-teacher".into(), ..Actor::system() };
    let confirmer = Actor::system();
    let mut alerts = store.alerts(&confirmer, true).await?;
    alerts.sort_by_key(|a| a.id);
    let ago = |n: u64| today - chrono::Days::new(n);
    let evidence = b"%PDF-1.4\n% synthetic demo evidence\n".to_vec();
    for (k, a) in alerts.iter().take(5).enumerate() {
        let term_start = Term::containing(today).nominal_bounds().0;
        let opened = match k {
            0 => ago(1),
            1 => ago(20),
            3 => ago(80),
            _ => ago(6),
        }
        .max(term_start);
        let register = if k == 4 { Register::DroppedOut } else { Register::Suspected };
        let id = open_case(store, &teacher, a.student_id, register, &a.reasons, Some(a.id), opened, now).await?;
        let attempt = |party, day, note: &str| CaseAction::Attempt { party, day, note: note.to_string() };
        act(store, &teacher, id, attempt(Party::HeadTeacher, opened, "班主任电话联系家长，并家访"), opened, now)
            .await?;
        match k {
            2 => {
                act(store, &teacher, id, attempt(Party::School, ago(5), "学校约谈家长，签订送学承诺"), ago(5), now)
                    .await?;
                let back =
                    CaseAction::Resolve { outcome: Outcome::Returned, day: ago(4), note: "已返校上课".into() };
                act(store, &teacher, id, back, ago(4), now).await?;
                let help = CaseAction::Support { day: ago(2), note: "安排学业帮扶和心理辅导".into() };
                act(store, &teacher, id, help, ago(2), now).await?;
            }
            3 => {
                let returned = (opened + chrono::Days::new(7)).min(today);
                let back =
                    CaseAction::Resolve { outcome: Outcome::Returned, day: returned, note: "已返校上课".into() };
                act(store, &teacher, id, back, returned, now).await?;
                add_evidence(store, &teacher, id, "返校情况说明.pdf", evidence.clone(), now).await?;
                // When the follow-up has passed: 销号 asked for, then confirmed by another person.
                let end = returned + chrono::Days::new(eduq_core::dropout::FOLLOW_UP_DAYS as u64);
                if end <= today {
                    let ask = CaseAction::RequestClose { note: "跟踪期满，出勤正常".into() };
                    act(store, &teacher, id, ask, end, now).await?;
                    let ok = CaseAction::ConfirmClose { approve: true, note: "核实无误，同意销号".into() };
                    act(store, &confirmer, id, ok, end, now).await?;
                }
            }
            4 => {
                act(store, &teacher, id, CaseAction::Escalate { note: "学校劝返未果".into() }, ago(4), now).await?;
                act(store, &teacher, id, attempt(Party::Township, ago(3), "镇政府联合村委会上门"), ago(3), now).await?;
                let moved =
                    CaseAction::Resolve {
                        outcome: Outcome::Transferred, day: ago(2), note: "随父母转学外省".into()
                    };
                act(store, &teacher, id, moved, ago(2), now).await?;
                add_evidence(store, &teacher, id, "转学证明.pdf", evidence.clone(), now).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// One cohort's exams over a year and a term (七年级 两次期末, 八年级 期中), 语文/数学/英语 with 20 items
/// each, through the same imports as an upload; the same pupils sit all three, so the papers link
/// for value-added. The 八年级 数学 paper carries one wrong key for the item analysis to find.
async fn seed_exams(store: &Store, spec: &Spec, now: DateTime<Utc>) -> Result<(), AppError> {
    use eduq_core::exam::canonical_option;
    use eduq_core::standards::exam_policy::{ExamKind, Organiser};
    let system = Actor { username: "demo-staff".into(), ..Actor::system() };
    let y = spec.current.start_year;
    let date =
        |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| AppError::Invalid("日期".into()));
    let today = now.date_naive();
    let midterm = date(y, 11, 12)?.min(today);
    let sittings = [
        (format!("{}学年第一学期七年级期末（全区统一命题）", y - 1), 7, ExamKind::Final, date(y, 1, 15)?, 0u32),
        (format!("{}学年第二学期七年级期末（全区统一命题）", y - 1), 7, ExamKind::Final, date(y, 6, 30)?, 1),
        (format!("{y}学年第一学期八年级期中（全区统一命题）"), 8, ExamKind::Midterm, midterm, 2),
    ];
    let subjects = ["语文", "数学", "英语"];
    for (name, grade, kind, held_on, occasion) in sittings {
        let term = Term::containing(held_on);
        let Some(term_id) = store.term_id(term).await? else { continue };
        if held_on > today {
            continue;
        }
        let form = crate::exams::ExamForm {
            name,
            grade: eduq_core::grade::Grade::new(grade).ok_or_else(|| AppError::Invalid("年级".into()))?,
            kind,
            organiser: Organiser::School,
            school_id: None,
            schools: vec![],
            group_id: None,
            held_on,
            subjects: subjects.iter().map(|s| (s.to_string(), 120.0)).collect(),
        };
        let (exam_id, _) = crate::exams::create_exam(store, &system, &form, now).await?;
        let exam = store.exam(&system, exam_id).await?;
        let mut roll: Vec<_> = store
            .roll_by_number(&system, term_id)
            .await?
            .into_iter()
            .filter(|(_, p)| p.grade == i64::from(grade))
            .collect();
        roll.sort_by(|a, b| a.0.cmp(&b.0));
        for (k, paper) in exam.papers.iter().enumerate() {
            let items = eduq_synth::exams::paper(spec.seed ^ (k as u64 + 1));
            let mut structure = String::from("题号,题型,满分,答案,知识点,能力\n");
            for (j, it) in items.iter().enumerate() {
                let key = it.key.map(|c| {
                    // The miskeyed item: a key one letter off.
                    if occasion == 2 && paper.subject == "数学" && j == 9 {
                        canonical_option(&char::from(b'A' + ((c as u8 - b'A' + 1) % 4)).to_string())
                    } else {
                        c.to_string()
                    }
                });
                let (kind, topic) = if it.key.is_some() {
                    ("客观", "基础知识")
                } else {
                    ("主观", ["阅读与理解", "综合运用"][j % 2])
                };
                structure.push_str(&format!(
                    "{},{kind},{},{},{topic},{}\n",
                    j + 1,
                    it.max,
                    key.unwrap_or_default(),
                    ["识记", "理解", "运用"][j % 3]
                ));
            }
            crate::exams::import_structure(
                store,
                &system,
                exam_id,
                paper.id,
                structure.as_bytes(),
                "demo-structure.csv",
                now,
            )
            .await?;
            let mut csv =
                format!("学籍号,状态,{}\n", (1..=items.len()).map(|j| j.to_string()).collect::<Vec<_>>().join(","));
            for (no, p) in &roll {
                match eduq_synth::exams::sitting(
                    spec.seed ^ (k as u64 + 1),
                    p.student_id as u64,
                    p.school_id as u64,
                    occasion,
                    &items,
                ) {
                    Some(cells) => csv.push_str(&format!("{no},,{}\n", cells.join(","))),
                    None => csv.push_str(&format!("{no},缺考{}\n", ",".repeat(items.len()))),
                }
            }
            let file = format!("demo-scores-{}.csv", paper.subject);
            crate::exams::import_scores(store, &system, exam_id, paper.id, csv.as_bytes(), &file, now).await?;
        }
    }
    Ok(())
}

/// An oversubscribed school's admission lottery, drawn and published: 150 applicants for the
/// first two primary schools' 100 places, some with 学区 priority, one pair of twins drawn together.
async fn seed_lottery(store: &Store, spec: &Spec, now: DateTime<Utc>) -> Result<(), AppError> {
    use eduq_core::lottery::{BundlePolicy, Mechanism};
    let system = Actor { username: "demo-staff".into(), ..Actor::system() };
    let schools: Vec<String> = store
        .list_schools(&system, None)
        .await?
        .into_iter()
        .filter(|s| s.school_type == eduq_core::org::SchoolType::Primary)
        .map(|s| s.code)
        .take(2)
        .collect();
    let [a, b] = schools.as_slice() else { return Ok(()) };
    let year = spec.current.start_year + 1;
    let mut rng = eduq_synth::Rng::new(spec.seed ^ 0x10_77E7);
    let mut people = String::from("姓名,证件号,志愿,捆绑组,优先学校,优先组\n");
    for i in 0..150 {
        let name = eduq_synth::names::person(&mut rng, i % 2 == 0);
        let choices = if i % 3 == 0 { format!("{b};{a}") } else { format!("{a};{b}") };
        let bundle = if i < 2 { "双胞胎01" } else { "" };
        let choices = if i < 2 { format!("{a};{b}") } else { choices };
        let priority = if i % 4 == 1 { format!("{a},1") } else { ",".to_string() };
        people.push_str(&format!("{name},DEMO{year}{i:04},{choices},{bundle},{priority}\n"));
    }
    let seats = format!("学校代码,学位数\n{a},60\n{b},40\n");
    let key = format!("{year}-demo-xiaoxue");
    let id = crate::lottery::create(
        store,
        &system,
        &key,
        &format!("{year}年示范区小学一年级招生电脑随机派位"),
        Mechanism::DeferredAcceptance,
        BundlePolicy::AdmitAll,
        now,
    )
    .await?;
    crate::lottery::register(store, &system, id, (people.as_bytes(), "demo.csv"), (seats.as_bytes(), "seats.csv"), now)
        .await?;
    crate::lottery::freeze(store, &system, id, &format!("{year}年6月20日福彩3D开奖号码"), now).await?;
    crate::lottery::draw(store, &system, id, "385", "0815", now).await?;
    Ok(())
}

/// Marks for a 达标/不达标 checklist: every item 达标 but `short`.
fn pass_all_but(rubric: &eduq_core::rubric::Rubric, short: Option<&str>) -> Vec<crate::inspections::Entry> {
    rubric
        .items
        .iter()
        .map(|i| crate::inspections::Entry {
            code: i.code.clone(),
            mark: if Some(i.code.as_str()) == short { "不达标" } else { "达标" }.into(),
            note: String::new(),
        })
        .collect()
}

/// A deterministic draw in 0..n from a few numbers (the demo's supervision is the same every run).
fn draw(parts: &[i64], n: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        h = (h ^ (*p as u64)).wrapping_mul(0x0000_0100_0000_01b3);
        h ^= h >> 29;
    }
    h % n.max(1)
}

/// A year of 督导 in the demo inspector's 责任区: the shipped rubrics, a monthly 挂牌督导 visit to
/// every school, a 综合督导 of two schools scored from the platform's indicators, the demo
/// principal's self-assessment waiting for its inspection, and problems and hazards at every stage
/// (closed, waiting for 销号, waiting for 复查, returned, open, overdue).
async fn seed_supervision(store: &Store, now: DateTime<Utc>) -> Result<(), AppError> {
    use crate::inspections::{Entry, PlanForm, close, plan, save_marks};
    use crate::problems::{ProblemAction, RaiseForm, act, raise};
    use eduq_core::casework::Subject;
    use eduq_core::inspection::{InspectionKind, Side};
    use eduq_core::supervision::{ProblemKind, Severity};
    let system = Actor::system();
    let actor_of = async |name: &str| -> Result<Option<Actor>, AppError> {
        match store.system().user_by_name(name).await? {
            Some(u) => Ok(Some(store.system().actor(&u).await?)),
            None => Ok(None),
        }
    };
    let (Some(inspector), Some(staff), Some(principal)) =
        (actor_of("inspector").await?, actor_of("staff").await?, actor_of("principal").await?)
    else {
        return Ok(());
    };
    crate::supervision::load_templates(store, &staff, now).await?;
    let rubrics = store.rubrics(&staff).await?;
    let rubric_id = |key: &str| rubrics.iter().find(|r| r.key == key).map(|r| r.id);
    let (Some(visit), Some(comprehensive), Some(management)) =
        (rubric_id("visit_monthly"), rubric_id("comprehensive"), rubric_id("school_management_2017"))
    else {
        return Ok(());
    };
    let eduq_core::access::Scope::Schools(area) = inspector.scope.clone() else { return Ok(()) };
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let photo = b"\xff\xd8\xff synthetic demo photo".to_vec();
    let answerer = |school_id: i64| if principal.scope.covers_school(school_id) { &principal } else { &system };
    let visit_rubric = store.rubric(&staff, visit).await?;
    // Monthly visits: the 12th of each of the last ten months, to every school of the 责任区.
    for back in (0..10u32).rev() {
        let months = today.year() * 12 + today.month0() as i32 - back as i32;
        let Some(day) = NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 12) else {
            continue;
        };
        if day > today || matches!(day.month(), 2 | 8) {
            continue;
        }
        for &school in &area {
            let title = format!("{}月挂牌督导", day.month());
            let form = PlanForm {
                school_id: school,
                kind: InspectionKind::Visit,
                title,
                rubric_id: visit,
                inspector: String::new(),
                planned_on: day,
            };
            let id = plan(store, &inspector, &form, now).await?;
            // One item in three visits falls short and becomes a problem.
            let short = (draw(&[school, i64::from(back)], 3) == 0).then(|| {
                &visit_rubric.items[draw(&[school, i64::from(back), 7], visit_rubric.items.len() as u64) as usize]
            });
            let entries = pass_all_but(&visit_rubric, short.map(|i| i.code.as_str()));
            save_marks(store, &inspector, id, Side::Inspector, &entries, day, now).await?;
            if draw(&[school, i64::from(back), 3], 2) == 0 {
                crate::casework::add_evidence(
                    store,
                    &inspector,
                    Subject::Inspection,
                    id,
                    "现场照片.jpg",
                    photo.clone(),
                    now,
                )
                .await?;
            }
            close(store, &inspector, id, "按月开展经常性督导", day, now).await?;
            let Some(item) = short else { continue };
            let severity = [Severity::General, Severity::Serious, Severity::Severe]
                [draw(&[school, i64::from(back), 5], 3) as usize];
            let raised = RaiseForm {
                kind: ProblemKind::Supervision,
                school_id: school,
                inspection_id: Some(id),
                item_code: item.code.clone(),
                domain: item.sub_domain.clone(),
                location: String::new(),
                description: format!("{}：{}", item.text, "检查发现未达到要求"),
                severity,
                responsible: "分管副校长".into(),
                indicator: None,
                deadline: None,
            };
            let (pid, _) = raise(store, &inspector, &raised, day, now).await?;
            let p = store.problem_detail(&system, pid, now).await?.row.problem;
            // How far it got depends on its age: old problems are closed, recent ones still open.
            let answered = p.deadline - chrono::Days::new(draw(&[pid], 3)) + chrono::Days::new(draw(&[pid, 1], 2) * 10);
            if answered > today {
                continue;
            }
            let school_actor = answerer(school);
            crate::casework::add_evidence(
                store,
                school_actor,
                Subject::Problem,
                pid,
                "整改照片.jpg",
                photo.clone(),
                now,
            )
            .await?;
            let submit =
                ProblemAction::Submit { day: answered, note: "已按要求整改并建立长效机制".into() };
            act(store, school_actor, pid, submit, answered, now).await?;
            let reviewed = answered + chrono::Days::new(3);
            if reviewed > today {
                continue;
            }
            if draw(&[pid, 2], 5) == 0 {
                let back = ProblemAction::Review { pass: false, note: "整改不到位，佐证材料不足".into() };
                act(store, &inspector, pid, back, reviewed, now).await?;
                continue;
            }
            act(
                store,
                &inspector,
                pid,
                ProblemAction::Review { pass: true, note: "现场复查已整改".into() },
                reviewed,
                now,
            )
            .await?;
            let confirmed = reviewed + chrono::Days::new(4);
            if confirmed <= today {
                let ok = ProblemAction::ConfirmClose { approve: true, note: "同意销号".into() };
                act(store, &staff, pid, ok, confirmed, now).await?;
            }
        }
    }
    // 综合督导 of two schools, scored from the platform's indicators where they measure an item.
    let spring = today - chrono::Days::new(40);
    let comp_rubric = store.rubric(&staff, comprehensive).await?;
    for &school in area.iter().take(2) {
        let form = PlanForm {
            school_id: school,
            kind: InspectionKind::Comprehensive,
            title: "学校综合督导".into(),
            rubric_id: comprehensive,
            inspector: "inspector".into(),
            planned_on: spring,
        };
        let id = plan(store, &staff, &form, now).await?;
        let blank: Vec<Entry> =
            comp_rubric.items.iter().map(|i| Entry { code: i.code.clone(), ..Default::default() }).collect();
        save_marks(store, &inspector, id, Side::Inspector, &blank, spring, now).await?;
        let (_, marks) = store.inspection(&inspector, id).await?;
        let rest: Vec<Entry> = comp_rubric
            .items
            .iter()
            .filter(|i| !marks.iter().any(|m| m.item_code == i.code))
            .map(|i| Entry {
                code: i.code.clone(),
                mark: match i.method {
                    eduq_core::rubric::Method::Pass => "达标".into(),
                    eduq_core::rubric::Method::Grade => "B".into(),
                    eduq_core::rubric::Method::Points => format!("{}", i.points),
                },
                note: "现场核查".into(),
            })
            .collect();
        save_marks(store, &inspector, id, Side::Inspector, &rest, spring, now).await?;
        close(store, &inspector, id, "办学条件和管理总体规范", spring, now).await?;
    }
    // The principal's school assesses itself on the 管理标准 before its inspection next week.
    if let eduq_core::access::Scope::School(own) = principal.scope {
        let form = PlanForm {
            school_id: own,
            kind: InspectionKind::Special,
            title: "义务教育学校管理标准达标督导".into(),
            rubric_id: management,
            inspector: "inspector".into(),
            planned_on: today + chrono::Days::new(7),
        };
        let id = plan(store, &staff, &form, now).await?;
        let rubric = store.rubric(&staff, management).await?;
        let entries: Vec<Entry> = rubric
            .items
            .iter()
            .map(|i| Entry {
                code: i.code.clone(),
                mark: ["A", "A", "B"][draw(&[own, i.points as i64, i.code.len() as i64], 3) as usize].into(),
                note: String::new(),
            })
            .collect();
        save_marks(store, &principal, id, Side::School, &entries, today, now).await?;
    }
    // The principal's school ran its monthly 安全隐患排查 last month and this month; this month's
    // found a fire extinguisher out of date, registered as a hazard.
    if let (eduq_core::access::Scope::School(own), Some(check)) =
        (principal.scope.clone(), rubric_id("safety_check_monthly"))
    {
        let rubric = store.rubric(&staff, check).await?;
        let first = today.with_day(1).unwrap_or(today);
        for (k, day) in [first - chrono::Days::new(25), first.max(today - chrono::Days::new(1))].into_iter().enumerate()
        {
            let form = PlanForm {
                school_id: own,
                kind: InspectionKind::SafetyCheck,
                title: format!("{}月安全隐患排查", day.month()),
                rubric_id: check,
                inspector: String::new(),
                planned_on: day,
            };
            let id = plan(store, &principal, &form, now).await?;
            let short = (k == 1).then(|| &rubric.items[0]);
            let entries = pass_all_but(&rubric, short.map(|i| i.code.as_str()));
            save_marks(store, &principal, id, Side::School, &entries, day, now).await?;
            close(store, &principal, id, "按清单逐项排查", day, now).await?;
            if let Some(item) = short {
                let hazard = RaiseForm {
                    kind: ProblemKind::Hazard,
                    school_id: own,
                    inspection_id: Some(id),
                    item_code: item.code.clone(),
                    domain: item.domain.clone(),
                    location: "实验楼一楼".into(),
                    description: "两具灭火器压力不足，已过检验期".into(),
                    severity: Severity::Serious,
                    responsible: "总务主任".into(),
                    indicator: None,
                    deadline: None,
                };
                raise(store, &principal, &hazard, day, now).await?;
            }
        }
    }
    // Safety hazards from the schools' monthly 排查, one open past its deadline.
    for (k, &school) in area.iter().enumerate().take(3) {
        let day = today - chrono::Days::new(10 + 12 * k as u64);
        let hazard = RaiseForm {
            kind: ProblemKind::Hazard,
            school_id: school,
            inspection_id: None,
            item_code: String::new(),
            domain: ["消防", "校舍", "食品卫生"][k].into(),
            location: ["教学楼二楼走廊", "操场东侧围墙", "学生食堂"][k].into(),
            description: ["灭火器过期未更换", "围墙局部开裂", "留样柜温度记录不全"][k].into(),
            severity: [Severity::Serious, Severity::Severe, Severity::General][k],
            responsible: "总务主任".into(),
            indicator: None,
            deadline: None,
        };
        raise(store, answerer(school), &hazard, day, now).await?;
    }
    Ok(())
}

/// This cycle's training records of every teacher, through the same import as a platform's export:
/// a few courses each (国培 and 省培 programmes, 网络研修, 校本研修, 师德), some teachers already done.
async fn seed_training(store: &Store, now: DateTime<Utc>) -> Result<(), AppError> {
    use eduq_core::training::Cycle;
    let system = Actor::system();
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let Some(term_id) = store.term_id(Term::containing(today)).await? else { return Ok(()) };
    let cycle = Cycle::containing(today, crate::training::CYCLE_ORIGIN, eduq_core::standards::training::CYCLE_YEARS);
    let span = (today - cycle.start()).num_days().max(1) as u64;
    let courses: [(&str, &str, &str, &str, f64); 5] = [
        ("国培计划·骨干教师能力提升", "国培", "集中", "否", 120.0),
        ("省级新课标培训", "省培", "集中", "否", 60.0),
        ("国家智慧教育平台网络研修", "国培", "网络", "否", 50.0),
        ("校本研修：作业设计", "校级", "校本", "否", 24.0),
        ("师德师风专题", "区级", "网络", "是", 12.0),
    ];
    let mut csv = String::from("工号,姓名,课程名称,培训级别,培训形式,师德,学时,完成日期,培训机构\n");
    let mut rows = 0;
    for m in store.staff(&system, term_id).await? {
        let taken = draw(&[m.teacher_id, 11], 6);
        for k in 0..taken.min(5) {
            let (course, level, mode, ethics, hours) = courses[((draw(&[m.teacher_id, k as i64], 5) + k) % 5) as usize];
            let day = cycle.start() + chrono::Days::new(draw(&[m.teacher_id, k as i64, 3], span));
            let hours = if taken == 5 { hours * 2.0 } else { hours };
            csv.push_str(&format!("{},{},{course},{level},{mode},{ethics},{hours},{day},\n", m.staff_no, m.name));
            rows += 1;
        }
    }
    // The cycle before: most teachers completed it (three programmes, 360 hours), some fell short.
    let before = cycle.previous();
    let earlier: [(&str, &str, &str, &str, f64); 3] = [
        ("国培计划·乡村教师能力提升", "国培", "集中", "否", 150.0),
        ("省级骨干教师研修", "省培", "集中", "否", 120.0),
        ("师德师风与专业发展网络研修", "区级", "网络", "是", 90.0),
    ];
    for m in store.staff(&system, term_id).await? {
        let programmes: u64 = if draw(&[m.teacher_id, 29], 25) == 0 { 2 } else { 3 };
        for k in 0..programmes {
            let (course, level, mode, ethics, hours) = earlier[k as usize];
            let day = before.start() + chrono::Days::new(400 * k + draw(&[m.teacher_id, k as i64, 31], 300));
            csv.push_str(&format!("{},{},{course},{level},{mode},{ethics},{hours},{day},\n", m.staff_no, m.name));
            rows += 1;
        }
    }
    if rows == 0 {
        return Ok(());
    }
    crate::training::import_records(store, &system, csv.as_bytes(), "demo-training.csv", today, now).await?;
    seed_training_claims(store, &courses, today, now).await
}

/// The catalogue of the demo's courses, the demo teacher's and principal's accounts linked to
/// their teacher records, and their own entries: the teacher's waits for the school, the
/// principal's (checked by the school's administrator) for the bureau.
async fn seed_training_claims(
    store: &Store,
    courses: &[(&str, &str, &str, &str, f64)],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let system = Actor::system();
    for (k, (name, level, mode, ethics, hours)) in courses.iter().enumerate() {
        let start = today - chrono::Days::new(200 - 30 * k as u64);
        let form = crate::training::CourseForm {
            name: name.to_string(),
            level: level.to_string(),
            mode: mode.to_string(),
            ethics: (*ethics == "是").then(|| "1".to_string()),
            hours: hours.to_string(),
            start_day: start.to_string(),
            end_day: (start + chrono::Days::new(20)).to_string(),
            provider: "示范区教师发展中心".to_string(),
        };
        crate::training::add_course(store, &system, &form, now).await?;
    }
    let Some(term_id) = store.term_id(Term::containing(today)).await? else { return Ok(()) };
    let mut claimants = Vec::new();
    for username in ["teacher", "principal"] {
        let Some(user) = store.system().user_by_name(username).await? else { continue };
        let Some(school) = user.school_id else { continue };
        let staff =
            store.staff(&Actor { scope: eduq_core::access::Scope::School(school), ..system.clone() }, term_id).await?;
        // The class teacher is the school's first teacher, the principal the second.
        let Some(m) = staff.get(claimants.len()) else { continue };
        crate::accounts::link_teacher(store, &system, username, &m.staff_no, now).await?;
        claimants.push(store.system().actor(&user).await?);
    }
    for (k, actor) in claimants.iter().enumerate() {
        let form = crate::training::ClaimForm {
            course: format!("区级学科教研活动（第{}期）", k + 1),
            level: "区级".into(),
            mode: "集中".into(),
            ethics: None,
            hours: "16".into(),
            day: (today - chrono::Days::new(10 + k as u64)).to_string(),
            provider: "示范区教师发展中心".into(),
        };
        let id =
            crate::training::submit_claim(store, actor, &form, ("结业证书.pdf", DEMO_CERTIFICATE.to_vec()), today, now)
                .await?;
        if actor.role == Role::SchoolAdmin {
            crate::training::decide_claim(store, &system, id, true, "", today, now).await?;
        }
    }
    Ok(())
}

/// This school year's 交流轮岗: about 11 % of the qualifying teachers of town and city schools go to
/// rural schools for the year, a quarter of them 骨干教师.
async fn seed_rotation(store: &Store, term: Term, now: DateTime<Utc>) -> Result<(), AppError> {
    use eduq_core::org::Locale;
    let system = Actor::system();
    let Ok(b) = crate::rotation::board(store, &system, term).await else { return Ok(()) };
    let rural: Vec<i64> = store
        .list_schools(&system, None)
        .await?
        .iter()
        .filter(|s| s.locale == Locale::Rural && s.school_type.is_regular_compulsory())
        .map(|s| s.id)
        .collect();
    if rural.is_empty() {
        return Ok(());
    }
    let pool: Vec<&crate::rotation::Candidate> =
        b.candidates.iter().filter(|c| c.qualifies && c.staff.locale != Locale::Rural).collect();
    let want = (b.tally.qualifying * 11).div_ceil(100);
    let backbone = pool.iter().filter(|c| c.staff.backbone).take(want.div_ceil(4));
    let others = pool.iter().filter(|c| !c.staff.backbone);
    let start = NaiveDate::from_ymd_opt(term.start_year, 9, 1).unwrap_or(NaiveDate::MIN);
    for (k, c) in backbone.chain(others).take(want).enumerate() {
        let form = crate::rotation::AssignForm {
            staff_no: c.staff.staff_no.clone(),
            to_school_id: rural[k % rural.len()],
            kind: if k % 3 == 0 { "支教" } else { "交流" }.into(),
            start_day: start.to_string(),
            end_day: NaiveDate::from_ymd_opt(term.start_year + 1, 7, 10).map(|d| d.to_string()).unwrap_or_default(),
            note: String::new(),
        };
        crate::rotation::assign(store, &system, &form, start, now).await?;
    }
    Ok(())
}

/// A synthetic one-page PDF standing in for a scanned certificate.
const DEMO_CERTIFICATE: &[u8] =
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj \
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// The term so far as [`Term::containing`] draws it (from 1 August or 1 February): its first day
/// and the days to today, when they are enough for a designation to run through review and 公示.
fn term_so_far(today: NaiveDate) -> Option<(NaiveDate, i64)> {
    let t = Term::containing(today);
    let start = match t.term_no {
        1 => NaiveDate::from_ymd_opt(t.start_year, 8, 1),
        _ => NaiveDate::from_ymd_opt(t.start_year + 1, 2, 1),
    }?;
    let span = (today - start).num_days();
    let notice = eduq_core::standards::designation::NOTICE_DAYS as i64;
    (span > notice).then_some((start, span))
}

/// 四级培养, 工作室 and 课题 in the demo: designations through review, 公示 and a term (名师,
/// 名班主任, 骨干), one removed after a failed year, nominations waiting and in 公示; two studios
/// with members, a plan, activities with evidence and last year's assessment; a 课题 at most schools.
async fn seed_development(store: &Store, now: DateTime<Utc>) -> Result<(), AppError> {
    use crate::designations::{NominateForm, StepForm, act, nominate};
    let system = Actor::system();
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let Some((start, span)) = term_so_far(today) else { return Ok(()) };
    let Some(term_id) = store.term_id(Term::containing(today)).await? else { return Ok(()) };
    let staff = store.staff(&system, term_id).await?;
    if staff.len() < 40 {
        return Ok(());
    }
    let judges: Vec<Actor> = (1..=3)
        .map(|k| Actor {
            username: format!("judge{k}"),
            display_name: format!("评委{k}"),
            role: Role::Staff,
            ..Actor::system()
        })
        .collect();
    let day = |offset: i64| start + chrono::Days::new(offset.clamp(0, span) as u64);
    let step = |action: &str, score: f64| StepForm {
        action: action.into(),
        score: score.to_string(),
        year: day(span).year().to_string(),
        result: "合格".into(),
        note: String::new(),
    };
    // (title, how many, how far they go: 0 waiting, 1 in 公示, 2 designated, 3 removed).
    let plan: [(&str, usize, u8); 6] = [
        ("名师", 6, 2),
        ("名班主任", 8, 2),
        ("骨干教师", 10, 2),
        ("学科带头人", 1, 3),
        ("名师", 2, 0),
        ("名班主任", 1, 1),
    ];
    let mut pick = staff.iter().filter(|m| draw(&[m.teacher_id, 41], 3) == 0);
    let mut hosts = vec![];
    for (honour, n, reach) in plan {
        for _ in 0..n {
            let Some(m) = pick.next() else { break };
            // Designated ones are nominated up to two months back, the rest today.
            let on = if reach < 2 { day(span) } else { day(span - span.min(60)) };
            let form = NominateForm {
                staff_no: m.staff_no.clone(),
                honour: honour.into(),
                level: "区级".into(),
                subject: String::new(),
                reason: "教学成绩突出，示范引领作用明显".into(),
            };
            let id = nominate(store, &system, &form, on, now).await?;
            let judged = if reach == 0 { 2 } else { 3 };
            for (k, j) in judges.iter().take(judged).enumerate() {
                let score = 82.0 + draw(&[m.teacher_id, k as i64, 43], 15) as f64;
                act(store, j, id, &step("score", score), on, now).await?;
            }
            if reach == 0 {
                continue;
            }
            let concluded = if reach == 1 { day(span) } else { on };
            act(store, &system, id, &step("conclude", 0.0), concluded, now).await?;
            if reach == 1 {
                continue;
            }
            let after_notice = on + chrono::Days::new(eduq_core::standards::designation::NOTICE_DAYS);
            act(store, &system, id, &step("designate", 0.0), after_notice, now).await?;
            if reach == 3 {
                let mut fail = step("assess", 0.0);
                fail.result = "不合格".into();
                fail.note = "年度未完成示范课和带教任务".into();
                act(store, &system, id, &fail, day(span), now).await?;
            } else if honour != "骨干教师" && hosts.len() < 2 && (hosts.is_empty() || honour == "名班主任") {
                hosts.push((m, honour));
            }
        }
    }
    seed_studios(store, &staff, &hosts, start, span, now).await?;
    seed_research(store, &staff, today, now).await
}

async fn seed_studios(
    store: &Store,
    staff: &[eduq_store::training::StaffMember],
    hosts: &[(&eduq_store::training::StaffMember, &str)],
    start: NaiveDate,
    span: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    use crate::studios::{ActivityForm, PlanForm, StudioForm};
    let system = Actor::system();
    let year = Term::containing(start).start_year;
    let Some((rubric_id, rubric)) = crate::studios::rubric(store, &system, None).await? else { return Ok(()) };
    for (k, (host, honour)) in hosts.iter().enumerate() {
        let members: Vec<&str> = staff
            .iter()
            .filter(|m| m.teacher_id != host.teacher_id && draw(&[m.teacher_id, k as i64, 47], 40) == 0)
            .take(6)
            .map(|m| m.staff_no.as_str())
            .collect();
        let kind = if *honour == "名班主任" { "名班主任工作室" } else { "名师工作室" };
        let form = StudioForm {
            name: format!("{}{}", host.name, kind),
            kind: kind.into(),
            level: "区级".into(),
            host: host.staff_no.clone(),
            start_day: (start - chrono::Days::new(365)).to_string(),
            members: members.join("、"),
        };
        let id = crate::studios::create(store, &system, &form, start + chrono::Days::new(span as u64), now).await?;
        let counts: HashMap<String, String> =
            [("n_outreach", "4"), ("n_open_lesson", "6"), ("n_lecture", "3"), ("n_seminar", "4")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        let plan = PlanForm {
            start_year: year.to_string(),
            goals: "送教下乡覆盖农村学校，成员每人一节区级公开课".into(),
            counts,
        };
        crate::studios::put_plan(store, &system, id, &plan, now).await?;
        let kinds = ["送教下乡", "公开课", "讲座", "教研活动", "送教下乡", "公开课", "教研活动"];
        for (n, kind) in kinds.iter().enumerate() {
            let on = start + chrono::Days::new((span as u64 * (n as u64 + 1)) / (kinds.len() as u64 + 1));
            let act = ActivityForm {
                kind: kind.to_string(),
                title: format!("{kind}：{}", ["作业设计", "大单元教学", "班级管理", "新课标解读"][n % 4]),
                day: on.to_string(),
                place: "区教师发展中心".into(),
                participants: (20 + draw(&[id, n as i64], 40)).to_string(),
                note: String::new(),
            };
            let a = crate::studios::log_activity(store, &system, id, &act, on, now).await?;
            if n % 3 == 0 {
                crate::casework::add_evidence(
                    store,
                    &system,
                    eduq_core::casework::Subject::StudioActivity,
                    a,
                    "签到表.pdf",
                    DEMO_CERTIFICATE.to_vec(),
                    now,
                )
                .await?;
            }
        }
        // Last school year's assessment on the shipped rubric: full marks but one item.
        let entries: Vec<(String, String)> = rubric
            .items
            .iter()
            .map(|i| {
                let mark = match i.method {
                    eduq_core::rubric::Method::Pass => "达标".to_string(),
                    eduq_core::rubric::Method::Grade => if i.code == "W5" { "B" } else { "A" }.to_string(),
                    eduq_core::rubric::Method::Points => (i.points - (k as f64) * 2.0).max(0.0).to_string(),
                };
                (i.code.clone(), mark)
            })
            .collect();
        crate::studios::assess(store, &system, id, year - 1, rubric_id, &entries, now).await?;
    }
    Ok(())
}

async fn seed_research(
    store: &Store,
    staff: &[eduq_store::training::StaffMember],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    use crate::research::{ProjectForm, StageForm};
    let system = Actor::system();
    let mut by_school: BTreeMap<i64, Vec<&eduq_store::training::StaffMember>> = BTreeMap::new();
    for m in staff {
        by_school.entry(m.school_id).or_default().push(m);
    }
    let levels = ["区级", "市级", "校级", "省级"];
    for (n, (school, people)) in by_school.iter().enumerate() {
        // Most schools run a project; one in six has none this term.
        if draw(&[*school, 53], 6) == 0 || people.len() < 3 {
            continue;
        }
        let approved = today - chrono::Days::new(200 + draw(&[*school, 59], 500));
        let form = ProjectForm {
            code: format!("KT{}-{:03}", approved.year(), n + 1),
            title: format!(
                "{}背景下{}的实践研究",
                ["双减", "新课标", "大单元教学", "核心素养"][n % 4],
                ["作业设计", "课堂评价", "跨学科学习", "阅读教学"][(n / 4) % 4]
            ),
            level: levels[n % levels.len()].into(),
            field: people[0].subjects.split('、').next().unwrap_or_default().to_string(),
            approved_on: approved.to_string(),
            host: people[0].staff_no.clone(),
            members: people.iter().skip(1).take(2 + n % 3).map(|m| m.staff_no.as_str()).collect::<Vec<_>>().join("、"),
        };
        let id = crate::research::register(store, &system, &form, today, now).await?;
        let stages: &[(&str, u64)] = match n % 4 {
            0 => &[],
            1 => &[("开题", 30)],
            2 => &[("开题", 30), ("中期检查", 150)],
            _ => &[("开题", 30), ("中期检查", 150), ("结题", 190)],
        };
        for (stage, after) in stages {
            let on = (approved + chrono::Days::new(*after)).min(today);
            let f = StageForm {
                stage: stage.to_string(),
                day: on.to_string(),
                verdict: "良好".into(),
                note: String::new(),
            };
            crate::research::advance(store, &system, id, &f, today, now).await?;
        }
    }
    Ok(())
}

/// A school round of the demo school (grade 6, PHQ-9) entered from paper: nine pupils in ten
/// answered, results in every band (one pupil answering item 9 at a low total), alerts pending on
/// the home page, and two open follow-up files, one referred to the district's expert group.
async fn seed_screening(store: &Store, password: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    use crate::psych_followup::{StepForm, open_from_result, record};
    use crate::screening::{RoundForm, enter_paper, open_round};
    let Some(u) = store.system().user_by_name("psych").await? else { return Ok(()) };
    let psych = store.system().actor(&u).await?;
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let Some((start, _)) = term_so_far(today) else { return Ok(()) };
    let opens = (today - chrono::Days::new(5)).max(start);
    let form = RoundForm {
        name: format!("{}心理健康筛查（六年级）", Term::containing(today).label()),
        instrument: "phq9".into(),
        grades: "6".into(),
        opens: opens.to_string(),
        closes: (today + chrono::Days::new(10)).to_string(),
    };
    let round_id = open_round(store, &psych, &form, today, now).await?;
    let round = store.screening_round(&psych, round_id).await?;
    let pupils = store.round_pupils(&psych, &round).await?;
    // One sheet per band first (totals 2, 7, 12, 17, 23), then item 9 alone, then the rest drawn.
    let fixed: [[i32; 9]; 6] = [
        [1, 1, 0, 0, 0, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 1, 1, 0, 0],
        [2, 2, 2, 2, 2, 1, 1, 0, 0],
        [2, 2, 2, 2, 2, 2, 2, 2, 1],
        [3, 3, 3, 3, 3, 3, 3, 1, 1],
        [0, 0, 0, 0, 1, 0, 0, 0, 1],
    ];
    let mut rng = eduq_core::rng::Rng::new(20_261_203);
    let mut alerts = Vec::new();
    for (k, p) in pupils.iter().enumerate() {
        // Every tenth pupil (from the seventh) has no sheet yet: codes and paper entry have work.
        if k % 10 == 6 {
            continue;
        }
        let a: Vec<i32> = match fixed.get(k) {
            Some(f) => f.to_vec(),
            None => eduq_synth::screening::answers(&mut rng, 9),
        };
        let raw: Vec<String> = a.iter().map(i32::to_string).collect();
        if enter_paper(store, &psych, round_id, p.student_id, &raw, now).await? {
            alerts.push(p.student_id);
        }
    }
    // The 班主任 of a class with pupils to watch, who sees that they need attention and no more.
    if let Some(p) = pupils.get(3) {
        let school_id = Some(p.school_id);
        let input = NewUserInput {
            username: "teacher6".into(),
            display_name: format!("{}班主任", p.class_name),
            password: password.to_string(),
            role: Role::HeadTeacher,
            school_id,
            class_ids: vec![p.class_id],
            student_ids: vec![],
            school_ids: vec![],
        };
        create_user(store, &Actor::system(), input, now).await?;
    }
    let results = store.round_results(&psych, round_id, now).await?;
    let response_of = |student: i64| results.iter().find(|r| r.student_id == student).map(|r| r.response_id);
    let day = today.to_string();
    let steps = [
        ("interview", "", "约谈：学生近两周睡眠差、情绪低落，愿意每周来心理辅导室一次"),
        ("parent_contact", "", "电话联系家长，说明筛查结果与学校的跟进安排，家长同意配合"),
    ];
    for (student, (kind, to, note)) in alerts.iter().take(2).zip(steps) {
        let Some(response) = response_of(*student) else { continue };
        let f = StepForm { kind: kind.into(), day: day.clone(), referral_to: to.into(), note: note.into() };
        let file = open_from_result(store, &psych, response, &f, today, now).await?;
        if kind == "parent_contact" {
            let f = StepForm {
                kind: "referral".into(),
                day: day.clone(),
                referral_to: "expert_group".into(),
                note: "经家长同意，转介区心理援助专家组评估".into(),
            };
            record(store, &psych, file, &f, today, now).await?;
        }
    }
    Ok(())
}

/// Remarks the demo's respondents write (made up).
const REMARKS: [&str; 6] = [
    "放学时校门口接送车辆拥堵，希望学校和交警协调",
    "孩子反映午餐分量不够，希望食堂改进",
    "部分学科周末作业偏多，孩子经常写到很晚",
    "希望增加课后服务的体育和艺术类活动",
    "教室的空调夏天经常坏，希望尽快维修",
    "希望学校多通过家长会介绍孩子在校情况",
];

/// A 社会认可度 survey answered by every respondent type of 第九条 (the schools' pupils, parents,
/// teachers and principals; the district link's officials, 人大代表, 政协委员 and public) and a
/// parent 满意度 survey, both open for ten more days, with quotas.
async fn seed_surveys(store: &Store, now: DateTime<Utc>) -> Result<(), AppError> {
    use crate::surveys::{SurveyFields, create, form_of};
    let Some(u) = store.system().user_by_name("staff").await? else { return Ok(()) };
    let staff = store.system().actor(&u).await?;
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let mut rng = eduq_core::rng::Rng::new(20_261_204);
    // (template, counts towards 认可度, quotas per school link, quotas of the district link, the
    // share of favourable answers).
    type Quotas = &'static [(&'static str, i64)];
    let plan: [(&str, bool, Quotas, Quotas, f64); 3] = [
        (
            "recognition",
            true,
            &[("student", 8), ("parent", 10), ("teacher", 5), ("principal", 1)],
            &[("official", 8), ("npc", 6), ("cppcc", 6), ("public", 12)],
            0.9,
        ),
        ("parent_satisfaction", false, &[("", 12)], &[], 0.85),
        ("wuxiang_pupil", false, &[("", 20)], &[], 0.8),
    ];
    for (key, recognition, at_school, at_district, fav) in plan {
        let Some(t) = eduq_core::questionnaire::template(key) else { continue };
        let bytes = eduq_exchange::questionnaire::form_workbook(&eduq_core::questionnaire::template_sheets(t.text))?;
        let f = SurveyFields {
            title: format!("{}{}", Term::containing(today).label(), t.title),
            opens: (today - chrono::Days::new(10)).to_string(),
            closes: (today + chrono::Days::new(10)).to_string(),
            recognition: if recognition { "on".into() } else { String::new() },
            tokens: String::new(),
        };
        let id = create(store, &staff, &f, &format!("{key}.xlsx"), &bytes, now).await?;
        let survey = store.survey(&staff, id).await?;
        let form = form_of(&survey)?;
        let links = store.survey_links(&staff, id).await?;
        let survey_district = store.district().await?.0;
        let mut quotas = Vec::new();
        let mut responses = Vec::new();
        for l in &links {
            let types = if l.school_id.is_some() { at_school } else { at_district };
            for &(who, quota) in types {
                quotas.push((l.slug.clone(), who.to_string(), quota));
                // Most links short of their quota, some past it.
                let n = (quota as f64 * (0.6 + 0.6 * rng.unit())).round() as usize;
                for _ in 0..n {
                    let mut answers =
                        eduq_synth::survey::answers_for(&form, &mut rng, (!who.is_empty()).then_some(who), fav);
                    // One respondent in twenty writes a remark (意见或投诉).
                    if rng.below(20) == 0
                        && let Some(i) =
                            form.questions.iter().rposition(|q| q.qtype == eduq_core::questionnaire::QType::Text)
                    {
                        answers[i] = Some(REMARKS[rng.below(REMARKS.len() as u64) as usize].to_string());
                    }
                    responses.push(eduq_store::surveys::NewResponse {
                        survey_id: id,
                        district_id: survey_district,
                        school_id: l.school_id,
                        slug: l.slug.clone(),
                        respondent: who.to_string(),
                        answers,
                        guard: crate::accounts::random_token(),
                        token: false,
                    });
                }
            }
        }
        let mut tx = store.begin().await?;
        tx.set_survey_quotas(&staff, id, &quotas, now).await?;
        tx.insert_survey_responses(&responses, now).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// 双减 homework of the last two weeks' school days in the demo principal's school and the first
/// 初中: two to four subjects a day per class, a few class-days over their grade's limit (a
/// grade-1 class with written homework, a grade-4 class at 75 minutes) waiting for the principal.
async fn seed_homework(store: &Store, primary: Option<i64>, now: DateTime<Utc>) -> Result<(), AppError> {
    use eduq_store::homework::NewHomework;
    let system = Actor::system();
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let schools = store.list_schools(&system, None).await?;
    let junior = schools.iter().find(|s| s.school_type == eduq_core::org::SchoolType::Junior).map(|s| s.id);
    let chosen: Vec<i64> = primary.into_iter().chain(junior).collect();
    let from = (today - chrono::Duration::days(14)).max(Term::containing(today).nominal_bounds().0);
    if from > today {
        return Ok(());
    }
    let calendar = store.teaching_calendar(None, from, today).await?;
    let days = calendar.days(from, today);
    let classes = crate::homework::classes(store, &system, today).await?;
    let entry = |subject: &str, written: bool, minutes: u32, note: &str| NewHomework {
        class_id: 0,
        day: today,
        subject: subject.to_string(),
        written,
        minutes,
        layered: minutes >= 20,
        note: note.to_string(),
    };
    let mut load = Vec::new();
    for c in classes.iter().filter(|c| chosen.contains(&c.school_id) && (1..=9).contains(&c.grade.number())) {
        for d in &days {
            let k = (c.id as u64).wrapping_mul(31).wrapping_add(d.ordinal() as u64);
            let over = k.is_multiple_of(23);
            let list = match c.grade.number() {
                1 | 2 if over => {
                    vec![entry("语文", true, 10, "抄写生字一行"), entry("数学", false, 10, "口算练习（校内完成）")]
                }
                1 | 2 => {
                    vec![entry("语文", false, 15, "亲子阅读15分钟"), entry("数学", false, 10, "口算练习（校内完成）")]
                }
                3..=6 => vec![
                    entry("语文", true, 20 + (k % 3) as u32 * 5, "课堂作业本第12页"),
                    entry("数学", true, if over { 45 } else { 15 + (k % 4) as u32 * 5 }, "练习册两道应用题"),
                    entry("英语", false, 10, "朗读课文"),
                ],
                _ => vec![
                    entry("语文", true, 20 + (k % 3) as u32 * 5, "阅读理解一篇"),
                    entry("数学", true, if over { 50 } else { 25 }, "同步练习第3节"),
                    entry("英语", true, 15, "单词默写准备"),
                    entry(if c.grade.number() >= 8 { "物理" } else { "生物学" }, true, 10, "复习笔记"),
                ],
            };
            let list = list.into_iter().map(|e| NewHomework { class_id: c.id, day: *d, ..e }).collect();
            load.push((c.school_id, c.id, c.grade, *d, list));
        }
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.load_homework_days(&system, district_id, &load, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The demo's schools teaching grades 1–9, in list order.
async fn compulsory_schools(store: &Store) -> Result<Vec<SchoolRow>, AppError> {
    let all = store.list_schools(&Actor::system(), None).await?;
    Ok(all.into_iter().filter(|s| !s.school_type.compulsory_stages().is_empty()).collect())
}

/// This term's timetables of every school teaching grades 1–9 but the last (not uploaded yet):
/// every third school (the demo principal's among them) with the gaps a district shows.
async fn seed_timetables(store: &Store, primary: Option<i64>, now: DateTime<Utc>) -> Result<(), AppError> {
    let system = Actor::system();
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let term = Term::containing(today);
    let Some(term_id) = store.term_id(term).await? else { return Ok(()) };
    let schools = compulsory_schools(store).await?;
    for (k, school) in schools.iter().enumerate().take(schools.len().saturating_sub(1)) {
        let classes: Vec<(eduq_core::grade::Grade, i64)> = store
            .list_classes(&system, term.start_year, Some(term_id), Some(school.id))
            .await?
            .into_iter()
            .map(|c| (c.grade, c.class_no))
            .collect();
        let gaps = k % 3 == 0 || Some(school.id) == primary;
        let file = eduq_synth::timetable::school_csv(&classes, gaps);
        let actor = Actor { scope: eduq_core::access::Scope::School(school.id), ..system.clone() };
        crate::timetables::import(store, &actor, file.as_bytes(), "课表.csv", today, now).await?;
    }
    Ok(())
}

/// This term's 作息 and 课后服务 of every school teaching grades 1–9 but the last: most by the
/// rules, every fifth ending before the end of work, every seventh starting early; sign-ups of
/// 70–95 % of each class.
async fn seed_after_school(store: &Store, now: DateTime<Utc>) -> Result<(), AppError> {
    use crate::after_school::{PlanForm, save_plan, save_signups};
    let system = Actor::system();
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let term = Term::containing(today);
    let Some(term_id) = store.term_id(term).await? else { return Ok(()) };
    let schools = compulsory_schools(store).await?;
    for (k, school) in schools.iter().enumerate().take(schools.len().saturating_sub(1)) {
        let primary = school.school_type.stages().contains(&eduq_core::grade::Stage::Primary);
        let start = match (primary, k % 7 == 6) {
            (true, false) => "8:20",
            (true, true) | (false, _) => "8:00",
        };
        let f = PlanForm {
            morning_start: start.into(),
            service_days: "5".into(),
            service_end: if k % 5 == 4 { "17:00" } else { "17:40" }.into(),
            activities: "作业辅导、社团活动、延时托管".into(),
        };
        save_plan(store, &system, school.id, &f, today, now).await?;
        let classes = store.list_classes(&system, term.start_year, Some(term_id), Some(school.id)).await?;
        let typed: Vec<(i64, String)> = classes
            .iter()
            .filter(|c| (1..=9).contains(&c.grade.number()))
            .map(|c| (c.id, (c.students * (70 + (c.id % 26)) / 100).to_string()))
            .collect();
        save_signups(store, &system, school.id, &typed, today).await?;
        seed_service_sessions(store, school.id, &classes, &f.service_end, today, now).await?;
    }
    Ok(())
}

/// The last ten school days' 课后服务 of a school: 85–100 % of each class's sign-ups came, a teacher
/// on duty, ending at the plan's end.
async fn seed_service_sessions(
    store: &Store,
    school_id: i64,
    classes: &[eduq_store::org::ClassRow],
    ended: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    use crate::after_school::{SessionsForm, save_sessions};
    const ON_DUTY: [&str; 6] = ["王", "李", "张", "刘", "陈", "杨"];
    let (from, to) = Term::containing(today).nominal_bounds();
    let calendar = store.teaching_calendar(Some(school_id), from, to).await?;
    let days = (0..)
        .map(|k| today - chrono::Duration::days(k))
        .take_while(|d| *d >= from)
        .filter(|d| calendar.is_school_day(*d))
        .take(10);
    for day in days {
        let rows = classes
            .iter()
            .filter(|c| (1..=9).contains(&c.grade.number()))
            .map(|c| {
                let up = c.students * (70 + (c.id % 26)) / 100;
                let came = up - up * ((c.id + day.ordinal() as i64) % 16) / 100;
                (c.id, came.to_string(), format!("{}老师", ON_DUTY[(c.id as usize + day.day() as usize) % 6]))
            })
            .collect();
        let f = SessionsForm { day: day.to_string(), ended: ended.to_string(), rows };
        save_sessions(store, &Actor::system(), school_id, &f, today, now).await?;
    }
    Ok(())
}

/// This school year's activities of the demo's groups: a 送教, a 同步课堂 and a 联合教研 in each
/// group with two members or more, hosted by the core school (or the first member). No 捆绑评价:
/// the bureau decides which 村小 to fold, and folding changes the 优质均衡 board.
async fn seed_group_activities(store: &Store, current: Term, now: DateTime<Utc>) -> Result<(), AppError> {
    use crate::groups::{ActivityForm, list, log_activity};
    let staff = Actor { username: "demo-staff".into(), ..Actor::system() };
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let (year_start, _) = Term { start_year: current.start_year, term_no: 1 }.nominal_bounds();
    for g in list(store, &staff).await?.into_iter().filter(|g| g.members.len() >= 2) {
        let host = g.core_school_id.unwrap_or(g.members[0].0);
        let Some(&(to, _)) = g.members.iter().find(|(id, _)| *id != host) else { continue };
        for (kind, title, days_back, participants) in [
            ("send_teaching", "送教下乡：小学数学课堂展示", 40, "35"),
            ("sync_class", "同步课堂：英语听说", 25, "120"),
            ("joint_research", "联合教研：单元整体教学设计", 10, "48"),
        ] {
            let held_on = (today - chrono::Duration::days(days_back)).max(year_start).min(today);
            let f = ActivityForm {
                kind: kind.into(),
                held_on: held_on.to_string(),
                title: title.into(),
                host: host.to_string(),
                to: to.to_string(),
                participants: participants.into(),
            };
            log_activity(store, &staff, g.id, &f, None, today, now).await?;
        }
    }
    Ok(())
}

/// Three 新改扩建 projects: the demo school's extension completed this year (540 places), a new
/// school late on its topping-out, and a rebuild on time.
async fn seed_projects(store: &Store, primary: Option<i64>, now: DateTime<Utc>) -> Result<(), AppError> {
    use crate::projects::{ProjectForm, add, add_milestone, complete, finish_milestone, list};
    let staff = Actor { username: "demo-staff".into(), ..Actor::system() };
    let today = eduq_core::clock::DistrictZone::default().today(now);
    let day = |months_back: i64| (today - chrono::Duration::days(30 * months_back)).to_string();
    let school = primary.map(|id| id.to_string()).unwrap_or_default();
    for (name, kind, school_id, places) in [
        ("示范区实验小学扩建工程", "扩建", school.as_str(), "540"),
        ("城东新区第二小学新建工程", "新建", "", "1350"),
        ("城北中学教学楼改建工程", "改建", "", "600"),
    ] {
        let f = ProjectForm {
            name: name.into(),
            kind: kind.into(),
            school_id: school_id.into(),
            planned_places: places.into(),
        };
        add(store, &staff, &f, now).await?;
    }
    let ids: Vec<(String, i64)> = list(store, &staff).await?.into_iter().map(|p| (p.project.name, p.id)).collect();
    let id = |name: &str| ids.iter().find(|(n, _)| n == name).map(|(_, id)| *id).unwrap_or(0);
    let extension = id("示范区实验小学扩建工程");
    add_milestone(store, &staff, extension, "开工", &day(14)).await?;
    add_milestone(store, &staff, extension, "竣工验收", &day(4)).await?;
    let new_school = id("城东新区第二小学新建工程");
    add_milestone(store, &staff, new_school, "开工", &day(8)).await?;
    add_milestone(store, &staff, new_school, "主体封顶", &day(1)).await?;
    let rebuild = id("城北中学教学楼改建工程");
    add_milestone(store, &staff, rebuild, "开工", &day(2)).await?;
    add_milestone(store, &staff, rebuild, "竣工验收", &day(-6)).await?;
    for p in list(store, &staff).await? {
        for m in p.project.milestones.iter().filter(|m| m.name == "开工") {
            finish_milestone(store, &staff, m.id, &m.due.to_string(), today, now).await?;
        }
    }
    complete(store, &staff, extension, &day(4), "540", today, now).await?;
    Ok(())
}
