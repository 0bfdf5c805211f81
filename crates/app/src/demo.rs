//! Seeding the demo district through the same apply path as real imports.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Role};
use eduq_exchange::kinds::{Batch, Kind};
use eduq_store::Store;
use eduq_store::imports::Counts;
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
];

/// Loads a synthetic district into an empty store. Returns per-kind counts.
pub async fn seed(
    store: &Store,
    spec: &Spec,
    admin_password: &str,
    now: DateTime<Utc>,
) -> Result<HashMap<Kind, Counts>, AppError> {
    let d = generate(spec);
    store.set_district_name(&d.name).await?;
    let fitness_round = fitness_file(spec, &d.students)?;
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
    // This school year's 体质健康 round for every pupil on roll, through the same import as an upload.
    crate::fitness::import_fitness(store, &system, spec.current, &fitness_round, "demo-fitness.csv", false, now)
        .await?;
    seed_attendance(store, spec, now).await?;
    let (district_id, _) = store.district().await?;
    store.save_plan(district_id, &crate::plans::example_plan(spec.current.start_year)).await?;
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
                },
                now,
            )
            .await?;
        }
    }
    Ok(out)
}

/// The demo's 体质健康 round in the national upload layout (csv), for the pupils on roll this term.
fn fitness_file(spec: &Spec, students: &[eduq_core::records::StudentRecord]) -> Result<Vec<u8>, AppError> {
    let on_roll: Vec<&eduq_core::records::StudentRecord> = students
        .iter()
        .filter(|s| s.term == spec.current && s.status.is_on_roll() && (1..=12).contains(&s.grade.number()))
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
    eduq_synth::fitness::rows_for(spec.seed, &pupils, false, |row| {
        if let Err(e) = w.write_record(row) {
            failed.get_or_insert(e);
        }
    });
    match (failed, w.into_inner()) {
        (None, Ok(bytes)) => Ok(bytes),
        _ => Err(AppError::Invalid("示范数据生成失败".into())),
    }
}

/// School days of attendance the demo records, up to today (or the end of the term).
const DEMO_SCHOOL_DAYS: usize = 15;

/// The last weeks of roll calls for every class: mostly present, a few absences, and a few pupils
/// drifting into truancy, so that the early-warning list has someone to find.
async fn seed_attendance(store: &Store, spec: &Spec, now: DateTime<Utc>) -> Result<(), AppError> {
    use chrono::{Datelike, Weekday};
    let system = Actor::system();
    let Some(term_id) = store.term_id(spec.current).await? else { return Ok(()) };
    let (from, to) = spec.current.nominal_bounds();
    let last = now.date_naive().min(to);
    let mut days: Vec<chrono::NaiveDate> = last
        .iter_days()
        .rev()
        .take_while(|d| *d >= from)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .take(DEMO_SCHOOL_DAYS)
        .collect();
    days.reverse();
    let mut pupils: Vec<(String, eduq_store::fitness::RollEntry)> =
        store.roll_by_number(&system, term_id).await?.into_iter().collect();
    pupils.sort_by(|a, b| a.0.cmp(&b.0));
    let mut classes: Vec<(i64, i64)> = pupils.iter().map(|(_, p)| (p.school_id, p.class_id)).collect();
    classes.sort_unstable();
    classes.dedup();
    let rolls: Vec<(i64, i64, chrono::NaiveDate)> =
        classes.iter().flat_map(|&(s, c)| days.iter().map(move |&d| (s, c, d))).collect();
    let mut records = Vec::new();
    eduq_synth::attendance::roll(spec.seed, pupils.len(), days.len(), |p, d, status| {
        if status != eduq_core::attendance::Status::Present {
            let e = pupils[p].1;
            records.push((e.school_id, e.class_id, e.student_id, days[d], status));
        }
    });
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.insert_attendance(district_id, &rolls, &records, now).await?;
    tx.commit().await?;
    Ok(())
}
