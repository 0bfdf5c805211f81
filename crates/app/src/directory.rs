//! The district's organisation as pages and the API read it: terms, schools, classes, pupils and
//! teachers. Every read goes through the store's scope for the caller; the web reaches the store
//! only through use cases like these.

use chrono::{DateTime, Utc};
use eduq_core::access::Actor;
use eduq_core::calendar::Term;
use eduq_core::grade::Grade;
use eduq_store::Store;

pub use eduq_store::KeyPage;
pub use eduq_store::fitness::FitnessRecord;
pub use eduq_store::org::{ClassRow, SchoolOption, SchoolRow, TypeCount};
pub use eduq_store::people::{StudentDetail, StudentListRow, StudentQuery, StudentSort, TeacherQuery, TeacherRow};

use crate::AppError;

/// The terms held, newest first, with their ids.
pub async fn terms(store: &Store) -> Result<Vec<(i64, Term)>, AppError> {
    Ok(store.terms().await?)
}

/// The id of a term held, if any.
pub async fn term_id(store: &Store, term: Term) -> Result<Option<i64>, AppError> {
    Ok(store.term_id(term).await?)
}

/// The district's name (every signed-in page shows it).
pub async fn district_name(store: &Store) -> Result<String, AppError> {
    Ok(store.district().await?.1)
}

/// Whether the database answers (the health check).
pub async fn reachable(store: &Store) -> Result<(), AppError> {
    store.user_count().await?;
    Ok(())
}

/// Schools in the caller's scope, with a term's head counts.
pub async fn schools(store: &Store, actor: &Actor, term_id: Option<i64>) -> Result<Vec<SchoolRow>, AppError> {
    Ok(store.list_schools(actor, term_id).await?)
}

/// One school in the caller's scope.
pub async fn school(store: &Store, actor: &Actor, id: i64, term_id: Option<i64>) -> Result<SchoolRow, AppError> {
    Ok(store.school(actor, id, term_id).await?)
}

/// The schools a filter or form may offer the caller.
pub async fn school_options(store: &Store, actor: &Actor) -> Result<Vec<SchoolOption>, AppError> {
    Ok(store.school_options(actor).await?)
}

/// Classes in the caller's scope for a school year, with a term's head counts.
pub async fn classes(
    store: &Store,
    actor: &Actor,
    start_year: i32,
    term_id: Option<i64>,
    school_id: Option<i64>,
) -> Result<Vec<ClassRow>, AppError> {
    Ok(store.list_classes(actor, start_year, term_id, school_id).await?)
}

/// Pupils on roll by grade in the caller's scope.
pub async fn students_by_grade(store: &Store, actor: &Actor, term_id: i64) -> Result<Vec<(Grade, i64)>, AppError> {
    Ok(store.students_by_grade(actor, term_id).await?)
}

/// One page of the pupils in the caller's scope (keyset paging).
pub async fn students(store: &Store, actor: &Actor, q: &StudentQuery) -> Result<KeyPage<StudentListRow>, AppError> {
    Ok(store.list_students(actor, q).await?)
}

/// One page of the teachers in the caller's scope, with the total.
pub async fn teachers(store: &Store, actor: &Actor, q: &TeacherQuery) -> Result<(Vec<TeacherRow>, i64), AppError> {
    Ok(store.list_teachers(actor, q).await?)
}

/// One pupil in the caller's scope (special-group flags only for the roles that read them, and
/// that read audited by the store).
pub async fn student(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<StudentDetail, AppError> {
    Ok(store.student_detail(actor, id, now).await?)
}

/// A pupil's file: the record and the 体质健康 result of each school year held, newest first.
pub struct StudentFile {
    pub detail: StudentDetail,
    pub fitness: Vec<(i32, FitnessRecord)>,
}

/// The pupil's file; the fitness results are read only once the pupil was read in scope.
pub async fn student_file(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<StudentFile, AppError> {
    let detail = store.student_detail(actor, id, now).await?;
    let mut years: Vec<i32> = detail.history.iter().map(|h| h.term.start_year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let mut fitness = Vec::new();
    for y in years {
        if let Some(r) = store.system().fitness_of(detail.id, y).await? {
            fitness.push((y, r));
        }
    }
    Ok(StudentFile { detail, fitness })
}

/// The 办学条件 records of a school year in the caller's scope.
pub async fn conditions(
    store: &Store,
    actor: &Actor,
    start_year: i32,
) -> Result<Vec<eduq_core::records::ConditionRecord>, AppError> {
    Ok(store.export_conditions(actor, Some(start_year)).await?)
}
