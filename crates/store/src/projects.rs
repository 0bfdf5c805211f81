//! 新改扩建 building projects and their milestones. The bureau keeps them; district readers read
//! all, a school's readers the projects of their school.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::project::{Milestone, Project, ProjectKind};
use serde::Serialize;

use crate::org::scope_filter;
use crate::{Result, Sql, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectRow {
    pub id: i64,
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    pub project: Project,
}

impl Store {
    /// The projects in scope with their milestones, by name.
    pub async fn projects(&self, actor: &Actor) -> Result<Vec<ProjectRow>> {
        if !actor.role.may_read(Resource::Schools) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT p.id, p.school_id, s.name, p.name, p.kind, p.planned_places, p.added_places, p.completed_on \
             FROM building_project p LEFT JOIN school s ON s.id = p.school_id WHERE 1=1",
        );
        scope_filter(&mut q, actor, "p.school_id", None, None);
        q.push(" ORDER BY p.name");
        let mut rows = self
            .fetch(&q, |r| {
                Ok(ProjectRow {
                    id: r.i(0)?,
                    school_id: r.oi(1)?,
                    school_name: r.os(2)?,
                    project: Project {
                        name: r.s(3)?,
                        kind: ProjectKind::from_key(&r.s(4)?).unwrap_or(ProjectKind::New),
                        planned_places: u32::try_from(r.i(5)?).unwrap_or(0),
                        added_places: u32::try_from(r.i(6)?).unwrap_or(0),
                        completed_on: r.od(7)?,
                        milestones: vec![],
                    },
                })
            })
            .await?;
        let mut m = Sql::new(
            "SELECT m.project_id, m.id, m.name, m.due, m.done FROM project_milestone m \
             JOIN building_project p ON p.id = m.project_id WHERE 1=1",
        );
        scope_filter(&mut m, actor, "p.school_id", None, None);
        m.push(" ORDER BY m.due, m.id");
        let steps = self
            .fetch(&m, |r| Ok((r.i(0)?, Milestone { id: r.i(1)?, name: r.s(2)?, due: r.d(3)?, done: r.od(4)? })))
            .await?;
        for (project, step) in steps {
            if let Some(p) = rows.iter_mut().find(|p| p.id == project) {
                p.project.milestones.push(step);
            }
        }
        Ok(rows)
    }
}

impl Tx {
    /// Adds a project (the bureau); a name is used once.
    pub async fn add_project(
        &mut self,
        actor: &Actor,
        district_id: i64,
        school_id: Option<i64>,
        p: &Project,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(&Sql::new("SELECT COUNT(*) FROM building_project WHERE name = $1").bind(p.name.as_str()))
            .await?;
        if held > 0 {
            return Err(StoreError::Conflict(format!("已有项目“{}”", p.name)));
        }
        self.exec(
            &Sql::new(
                "INSERT INTO building_project (district_id, school_id, name, kind, planned_places, username, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(district_id)
            .bind(school_id)
            .bind(p.name.as_str())
            .bind(p.kind.key())
            .bind(i64::from(p.planned_places))
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await?;
        self.audit(actor, at, "project_add", &p.name, p.kind.label()).await
    }

    /// Adds a milestone to a project (the bureau).
    pub async fn add_milestone(&mut self, actor: &Actor, project_id: i64, name: &str, due: NaiveDate) -> Result<()> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM project_milestone WHERE project_id = $1 AND name = $2")
                    .bind(project_id)
                    .bind(name),
            )
            .await?;
        if held > 0 {
            return Err(StoreError::Conflict(format!("该项目已有节点“{name}”")));
        }
        self.exec(
            &Sql::new("INSERT INTO project_milestone (project_id, name, due) VALUES ($1, $2, $3)")
                .bind(project_id)
                .bind(name)
                .bind(due),
        )
        .await?;
        Ok(())
    }

    /// Records the day a milestone was done (the bureau).
    pub async fn finish_milestone(&mut self, actor: &Actor, id: i64, done: NaiveDate, at: DateTime<Utc>) -> Result<()> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        if self.exec(&Sql::new("UPDATE project_milestone SET done = $1 WHERE id = $2").bind(done).bind(id)).await? == 0
        {
            return Err(StoreError::NotFound);
        }
        self.audit(actor, at, "milestone_done", &format!("milestone:{id}"), &done.to_string()).await
    }

    /// Records a project's completion and the places it added (the bureau).
    pub async fn complete_project(
        &mut self,
        actor: &Actor,
        id: i64,
        on: NaiveDate,
        places: u32,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new("UPDATE building_project SET completed_on = $1, added_places = $2 WHERE id = $3")
            .bind(on)
            .bind(i64::from(places))
            .bind(id);
        if self.exec(&q).await? == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(actor, at, "project_complete", &format!("project:{id}"), &format!("{on} {places}")).await
    }
}
