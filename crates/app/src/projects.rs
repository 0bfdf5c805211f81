//! 新改扩建: the bureau's building projects with their milestones; completed projects add their
//! places to the indicator library (新增学位, 新建/改建/扩建学校数), and a project late on a milestone
//! shows on the plan dashboard.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::Actor;
use eduq_core::project::{Project, ProjectKind};
use eduq_store::Store;

use crate::AppError;
use crate::form::date_field;

pub use eduq_store::projects::ProjectRow;

/// A project as the bureau's form sends it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProjectForm {
    pub name: String,
    pub kind: String,
    /// The school's id, or empty for a new school not on the roster yet.
    #[serde(default)]
    pub school_id: String,
    pub planned_places: String,
}

fn places(label: &str, raw: &str) -> Result<u32, AppError> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n <= 100_000)
        .ok_or_else(|| AppError::Invalid(format!("{label}“{}”应为0到100000的整数", raw.trim())))
}

pub async fn add(store: &Store, actor: &Actor, f: &ProjectForm, now: DateTime<Utc>) -> Result<(), AppError> {
    if !actor.role.keeps_rubrics() {
        return Err(AppError::Forbidden);
    }
    if f.name.trim().is_empty() {
        return Err(AppError::Invalid("请填写项目名称".into()));
    }
    eduq_core::text::check_field("项目名称", &f.name, eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    let p = Project {
        name: f.name.trim().to_string(),
        kind: ProjectKind::parse(&f.kind).map_err(|e| AppError::Invalid(e.to_string()))?,
        planned_places: places("计划学位", &f.planned_places)?,
        added_places: 0,
        completed_on: None,
        milestones: vec![],
    };
    let school_id = match f.school_id.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| AppError::Invalid("学校无效".into()))?),
    };
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.add_project(actor, district_id, school_id, &p, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_milestone(
    store: &Store,
    actor: &Actor,
    project_id: i64,
    name: &str,
    due: &str,
) -> Result<(), AppError> {
    if name.trim().is_empty() {
        return Err(AppError::Invalid("请填写节点名称".into()));
    }
    eduq_core::text::check_field("节点名称", name, eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    let due = date_field("计划完成日期", due)?;
    let mut tx = store.begin().await?;
    tx.add_milestone(actor, project_id, name.trim(), due).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a milestone done on a day not after today.
pub async fn finish_milestone(
    store: &Store,
    actor: &Actor,
    id: i64,
    done: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let done = date_field("完成日期", done)?;
    if done > today {
        return Err(AppError::Invalid(format!("完成日期{done}晚于今天")));
    }
    let mut tx = store.begin().await?;
    tx.finish_milestone(actor, id, done, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a project completed on a day not after today, with the places it added.
pub async fn complete(
    store: &Store,
    actor: &Actor,
    id: i64,
    on: &str,
    added: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let on = date_field("竣工日期", on)?;
    if on > today {
        return Err(AppError::Invalid(format!("竣工日期{on}晚于今天")));
    }
    let added = places("新增学位", added)?;
    let mut tx = store.begin().await?;
    tx.complete_project(actor, id, on, added, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The projects in the caller's scope.
pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<ProjectRow>, AppError> {
    Ok(store.projects(actor).await?)
}

/// The projects late on a milestone on `today`, with the names of those milestones (the plan
/// dashboard's warning); none for callers who do not read schools.
pub async fn late(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Vec<(String, Vec<String>)>, AppError> {
    if !actor.role.may_read(eduq_core::access::Resource::Schools) {
        return Ok(vec![]);
    }
    Ok(store
        .projects(actor)
        .await?
        .into_iter()
        .filter_map(|p| {
            let late: Vec<String> =
                p.project.late_on(today).iter().map(|m| format!("{}（{}）", m.name, m.due)).collect();
            (!late.is_empty()).then_some((p.project.name, late))
        })
        .collect())
}
