//! 课题: projects with their teachers and stages. A school reads the projects its teachers take
//! part in; a teacher reads their own; the bureau keeps the register.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource, Scope};
use eduq_core::research::{Project, ProjectLevel, Stage, Verdict};
use serde::Serialize;

use crate::org::{id_list, scope_filter};
use crate::{Result, Sql, Store, StoreError, Tx};

/// A teacher taking part in a project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    pub teacher_id: i64,
    pub staff_no: String,
    pub name: String,
    pub school_id: i64,
    pub school_name: String,
    /// 主持人.
    pub host: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectRow {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub code: String,
    pub title: String,
    pub level: ProjectLevel,
    pub field: String,
    pub p: Project,
    pub verdict: Option<Verdict>,
    pub members: Vec<Member>,
}

impl ProjectRow {
    pub fn host(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.host)
    }
}

/// A project to register (立项), its teachers as (teacher, school, host).
#[derive(Debug, Clone, PartialEq)]
pub struct NewProject {
    pub district_id: i64,
    pub school_id: i64,
    pub code: String,
    pub title: String,
    pub level: ProjectLevel,
    pub field: String,
    pub approved_on: NaiveDate,
    pub members: Vec<(i64, i64, bool)>,
}

/// Limits a query of projects (`k`) to the caller's: those with a teacher of the caller's schools,
/// and for roles that read no one else's records, those the caller takes part in.
pub(crate) fn research_filter(q: &mut Sql, actor: &Actor) {
    if actor.scope != Scope::District {
        q.push(" AND k.id IN (SELECT m.project_id FROM research_member m WHERE 1=1");
        scope_filter(q, actor, "m.school_id", None, None);
        q.push(")");
    }
    if !actor.role.reads_others_training() {
        q.push_arg(
            " AND k.id IN (SELECT m.project_id FROM research_member m JOIN app_user u ON u.teacher_id = m.teacher_id \
             WHERE u.id = ?)",
            actor.user_id,
        );
    }
}

const COLS: &str = "k.id, k.school_id, s.name, k.code, k.title, k.level, k.field, k.stage, k.approved_on, k.opened_on, \
     k.midterm_on, k.concluded_on, k.ended_on, k.result";

fn row(r: &dyn crate::Get) -> std::result::Result<ProjectRow, sqlx::Error> {
    let bad = |what: &str| sqlx::Error::Decode(format!("unknown {what} in research_project").into());
    Ok(ProjectRow {
        id: r.i(0)?,
        school_id: r.i(1)?,
        school_name: r.s(2)?,
        code: r.s(3)?,
        title: r.s(4)?,
        level: ProjectLevel::from_key(&r.s(5)?).ok_or_else(|| bad("level"))?,
        field: r.s(6)?,
        p: Project {
            stage: Stage::from_key(&r.s(7)?).ok_or_else(|| bad("stage"))?,
            approved_on: r.d(8)?,
            opened_on: r.od(9)?,
            midterm_on: r.od(10)?,
            concluded_on: r.od(11)?,
            ended_on: r.od(12)?,
        },
        verdict: Verdict::from_key(&r.s(13)?),
        members: vec![],
    })
}

impl Store {
    /// Projects in the caller's scope with their teachers, newest first.
    pub async fn research_projects(&self, actor: &Actor, id: Option<i64>) -> Result<Vec<ProjectRow>> {
        if !actor.role.may_read(Resource::Training) {
            return Err(StoreError::Forbidden);
        }
        let mut q =
            Sql::new(format!("SELECT {COLS} FROM research_project k JOIN school s ON s.id = k.school_id WHERE 1=1"));
        if let Some(id) = id {
            q.push_arg(" AND k.id = ?", id);
        }
        research_filter(&mut q, actor);
        q.push(" ORDER BY k.approved_on DESC, k.id DESC");
        let mut rows = self.fetch(&q, row).await?;
        if rows.is_empty() {
            return Ok(rows);
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let q = Sql::new(format!(
            "SELECT m.project_id, m.teacher_id, t.staff_no, t.name, m.school_id, s.name, m.host FROM research_member m \
             JOIN teacher t ON t.id = m.teacher_id JOIN school s ON s.id = m.school_id WHERE m.project_id IN ({}) \
             ORDER BY m.project_id, m.host DESC, t.staff_no",
            id_list(&ids)
        ));
        let members = self
            .fetch(&q, |r| {
                Ok((
                    r.i(0)?,
                    Member {
                        teacher_id: r.i(1)?,
                        staff_no: r.s(2)?,
                        name: r.s(3)?,
                        school_id: r.i(4)?,
                        school_name: r.s(5)?,
                        host: r.b(6)?,
                    },
                ))
            })
            .await?;
        let at: std::collections::HashMap<i64, usize> = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        for (pid, m) in members {
            if let Some(&i) = at.get(&pid) {
                rows[i].members.push(m);
            }
        }
        Ok(rows)
    }

    /// One project in scope.
    pub async fn research_project(&self, actor: &Actor, id: i64) -> Result<ProjectRow> {
        self.research_projects(actor, Some(id)).await?.pop().ok_or(StoreError::NotFound)
    }

    /// Who took part in projects running at some time from `from` to `to`: (teacher, the school
    /// they took part for), for the coverage indicators. Read inside the scoped facts only, where
    /// they are joined to the caller's schools and their teachers.
    pub(crate) async fn research_taking_part(
        &self,
        district_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(i64, i64)>> {
        let q = Sql::new(
            "SELECT DISTINCT m.teacher_id, m.school_id FROM research_member m JOIN research_project k ON k.id = m.project_id \
             WHERE k.district_id = $1 AND k.approved_on <= $3 AND COALESCE(k.concluded_on, k.ended_on, $2) >= $2",
        )
        .bind(district_id)
        .bind(from)
        .bind(to);
        self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?))).await
    }
}

impl Tx {
    /// Registers a project (立项) with its teachers (the bureau).
    pub async fn insert_project(&mut self, actor: &Actor, n: &NewProject, at: DateTime<Utc>) -> Result<i64> {
        if !actor.role.runs_teacher_development() {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM research_project WHERE district_id = $1 AND code = $2")
                    .bind(n.district_id)
                    .bind(n.code.as_str()),
            )
            .await?;
        if held > 0 {
            return Err(StoreError::Conflict(format!("课题编号“{}”已登记", n.code)));
        }
        let id = self
            .scalar(
                &Sql::new(
                    "INSERT INTO research_project (district_id, school_id, code, title, level, field, stage, approved_on, \
                     username, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(n.district_id)
                .bind(n.school_id)
                .bind(n.code.as_str())
                .bind(n.title.as_str())
                .bind(n.level.key())
                .bind(n.field.as_str())
                .bind(Stage::Approved.key())
                .bind(n.approved_on)
                .bind(actor.username.as_str())
                .bind(at),
            )
            .await?;
        for &(teacher_id, school_id, host) in &n.members {
            self.exec(
                &Sql::new(
                    "INSERT INTO research_member (project_id, district_id, school_id, teacher_id, host) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(n.district_id)
                .bind(school_id)
                .bind(teacher_id)
                .bind(host),
            )
            .await?;
        }
        Ok(id)
    }

    /// Writes a project's stage as the core moved it (the bureau); `from` guards a double click.
    pub async fn set_project_stage(
        &mut self,
        actor: &Actor,
        id: i64,
        from: Stage,
        p: &Project,
        verdict: Option<Verdict>,
    ) -> Result<()> {
        if !actor.role.runs_teacher_development() {
            return Err(StoreError::Forbidden);
        }
        let n = self
            .exec(
                &Sql::new(
                    "UPDATE research_project SET stage = $1, opened_on = $2, midterm_on = $3, concluded_on = $4, \
                     ended_on = $5, result = $6 WHERE id = $7 AND stage = $8",
                )
                .bind(p.stage.key())
                .bind(p.opened_on)
                .bind(p.midterm_on)
                .bind(p.concluded_on)
                .bind(p.ended_on)
                .bind(verdict.map_or("", |v| v.key()))
                .bind(id)
                .bind(from.key()),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict("该课题已被他人处理，请刷新后重试".into()));
        }
        Ok(())
    }
}
