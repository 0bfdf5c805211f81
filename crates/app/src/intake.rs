//! 均衡分班 of a new intake in the platform: the same engine as `eduq classes assign`, seeded by a
//! published seed (e.g. the admission lottery's), then 班主任 drawn to the classes by lottery.

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::classes::{Options, assign, draw_head_teachers, seed_from_hex, stats};
use eduq_exchange::classes::{parse_roster, with_classes};
use eduq_exchange::table::read_table;
use eduq_store::Store;
use serde::Serialize;

use crate::AppError;

/// The demo district's new intake to try the page with: 400 pupils entering 初一 (synthetic).
pub fn demo_roster() -> String {
    eduq_synth::intake::roster_csv(2027, 400)
}

/// One class of the result, as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassLine {
    pub class_no: usize,
    pub head_teacher: String,
    pub n: usize,
    pub male: usize,
    pub female: usize,
    /// (mean, SD) of each score column, 总分 first.
    pub scores: Vec<(f64, f64)>,
    pub flags: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intake {
    pub pupils: usize,
    pub score_names: Vec<String>,
    pub flag_names: Vec<String>,
    pub classes: Vec<ClassLine>,
    /// Largest gap between class means of the total: the snake start and the result.
    pub snake_gap: f64,
    pub gap: f64,
    /// The roster with 班级 added (xlsx).
    pub file: Vec<u8>,
}

/// What the form asks for.
#[derive(Debug, Clone)]
pub struct IntakeRequest<'a> {
    pub roster: &'a [u8],
    pub file_name: &'a str,
    pub classes: usize,
    pub max_size: Option<usize>,
    /// Hex, e.g. a published lottery seed.
    pub seed: &'a str,
    /// Empty: no 班主任 draw.
    pub head_teachers: Vec<String>,
}

pub async fn assign_intake(
    store: &Store,
    actor: &Actor,
    req: &IntakeRequest<'_>,
    now: DateTime<Utc>,
) -> Result<Intake, AppError> {
    if !actor.role.may_write(Resource::Classes) {
        return Err(AppError::Forbidden);
    }
    let seed = seed_from_hex(req.seed)
        .ok_or_else(|| AppError::Invalid(format!("种子“{}”应为偶数位十六进制（如派位公布的种子）", req.seed.trim())))?;
    let table = read_table(req.roster, req.file_name)?;
    let roster = parse_roster(&table, req.classes)?;
    let opts = Options { classes: req.classes, max_size: req.max_size, seed, separate_same_names: true };
    let a = assign(&roster.pupils, &opts).map_err(|e| AppError::Invalid(e.to_string()))?;
    let teachers = if req.head_teachers.is_empty() {
        vec![String::new(); req.classes]
    } else {
        draw_head_teachers(req.seed, &req.head_teachers, req.classes).map_err(|e| AppError::Invalid(e.to_string()))?
    };
    let st = stats(&roster.pupils, &a.class_of, req.classes, &roster.flags);
    let classes = st
        .iter()
        .zip(teachers)
        .enumerate()
        .map(|(c, (x, t))| ClassLine {
            class_no: c + 1,
            head_teacher: t,
            n: x.n,
            male: x.male,
            female: x.female,
            scores: x.means.iter().copied().zip(x.sds.iter().copied()).collect(),
            flags: x.flags.clone(),
        })
        .collect();
    let file = with_classes(&table, &a.class_of, false)?;
    let result = Intake {
        pupils: roster.pupils.len(),
        score_names: roster.scores.clone(),
        flag_names: roster.flags.clone(),
        classes,
        snake_gap: a.snake_gap,
        gap: a.gap,
        file,
    };
    store
        .audit(
            actor,
            now,
            "classes_assign",
            req.file_name,
            &format!("{}名学生分{}个班，种子 {}", result.pupils, req.classes, req.seed.trim()),
        )
        .await?;
    Ok(result)
}

/// The published seeds of past draws (public: anyone may check a draw with them).
pub async fn public_seeds(store: &Store) -> Result<Vec<(String, String, String)>, AppError> {
    Ok(store.public_seeds().await?)
}
