//! 心理档案: follow-up files of the shared case workflow (subject `psych`). Read by the 心理教师 of
//! the pupil's school, the district's 心理教研员, and the accounts on the file's own team; every
//! read of a file is audited.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::psych_followup::FileState;
use serde::Serialize;

use crate::org::scope_filter;
use crate::{Result, Sql, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileRow {
    pub id: i64,
    pub school_id: i64,
    pub student_id: i64,
    pub name: String,
    pub school_name: String,
    pub class_name: String,
    pub state: FileState,
    pub response_id: Option<i64>,
    pub opened_by: String,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub closing_requested_by: Option<String>,
    /// The team: (user id, display name, role label).
    pub members: Vec<(i64, String, &'static str)>,
}

/// Limits a query of files (`k`) to the caller's: every file in scope for the roles that read
/// results, else only the files whose team the caller is on.
pub(crate) fn psych_filter(q: &mut Sql, actor: &Actor) {
    if actor.role.may_read(Resource::Psych) {
        scope_filter(q, actor, "k.school_id", None, None);
    } else {
        q.push_arg(" AND k.id IN (SELECT m.case_id FROM psych_case_member m WHERE m.user_id = ?)", actor.user_id);
    }
}

const COLS: &str = "k.id, k.school_id, k.student_id, st.name, sc.name, c.name, k.state, k.response_id, k.opened_by, \
     k.opened_on, k.closed_on, k.closing_requested_by";

impl Store {
    /// Files in the caller's reach, open ones first; `id` picks one. Audited when the list names
    /// anyone.
    pub async fn psych_files(
        &self,
        actor: &Actor,
        id: Option<i64>,
        student_id: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<Vec<FileRow>> {
        let mut q = Sql::new(format!(
            "SELECT {COLS} FROM psych_case k JOIN student st ON st.id = k.student_id JOIN school sc ON sc.id = k.school_id \
             JOIN class c ON c.id = k.class_id WHERE 1=1"
        ));
        if let Some(id) = id {
            q.push_arg(" AND k.id = ?", id);
        }
        if let Some(s) = student_id {
            q.push_arg(" AND k.student_id = ?", s);
        }
        psych_filter(&mut q, actor);
        q.push(" ORDER BY CASE WHEN k.state = 'closed' THEN 1 ELSE 0 END, k.opened_on DESC, k.id DESC");
        let mut rows = self
            .fetch(&q, |r| {
                let state = r.s(6)?;
                Ok(FileRow {
                    id: r.i(0)?,
                    school_id: r.i(1)?,
                    student_id: r.i(2)?,
                    name: r.s(3)?,
                    school_name: r.s(4)?,
                    class_name: r.s(5)?,
                    state: FileState::from_key(&state)
                        .ok_or_else(|| sqlx::Error::Decode(format!("unknown psych_case state {state}").into()))?,
                    response_id: r.oi(7)?,
                    opened_by: r.s(8)?,
                    opened_on: r.d(9)?,
                    closed_on: r.od(10)?,
                    closing_requested_by: r.os(11)?,
                    members: vec![],
                })
            })
            .await?;
        if rows.is_empty() {
            return Ok(rows);
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let q = Sql::new(format!(
            "SELECT m.case_id, u.id, u.display_name, u.role FROM psych_case_member m JOIN app_user u ON u.id = m.user_id \
             WHERE m.case_id IN ({}) ORDER BY u.display_name",
            crate::org::id_list(&ids)
        ));
        for (case, uid, name, role) in self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?, r.s(2)?, r.s(3)?))).await? {
            if let Some(row) = rows.iter_mut().find(|r| r.id == case) {
                let label = eduq_core::access::Role::from_key(&role).map_or("", |r| r.label());
                row.members.push((uid, name, label));
            }
        }
        let target = match id {
            Some(id) => format!("psych_case:{id}"),
            None => "psych_case".to_string(),
        };
        self.audit(actor, at, "psych_file_read", &target, &format!("{}份", rows.len())).await?;
        Ok(rows)
    }

    pub async fn psych_file(&self, actor: &Actor, id: i64, at: DateTime<Utc>) -> Result<FileRow> {
        self.psych_files(actor, Some(id), None, at).await?.pop().ok_or(StoreError::NotFound)
    }

    /// Accounts of the pupil's school who may join a file's team (its 班主任, the principal).
    pub async fn team_candidates(&self, actor: &Actor, school_id: i64) -> Result<Vec<(i64, String, &'static str)>> {
        if !actor.role.may_write(Resource::Psych) || !actor.scope.covers_school(school_id) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new(
            "SELECT id, display_name, role FROM app_user WHERE school_id = $1 AND active = $2 \
             AND role IN ('head_teacher', 'school_admin', 'teacher', 'psych_teacher') ORDER BY display_name",
        )
        .bind(school_id)
        .bind(true);
        let rows = self.fetch(&q, |r| Ok((r.i(0)?, r.s(1)?, r.s(2)?))).await?;
        Ok(rows
            .into_iter()
            .map(|(id, n, role)| (id, n, eduq_core::access::Role::from_key(&role).map_or("", |r| r.label())))
            .collect())
    }
}

impl Tx {
    /// Opens a file for a pupil of the caller's scope (from a result, or without one).
    pub async fn open_psych_file(
        &mut self,
        actor: &Actor,
        student_id: i64,
        term_id: i64,
        response_id: Option<i64>,
        day: NaiveDate,
    ) -> Result<i64> {
        if !actor.role.may_write(Resource::Psych) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new("SELECT e.district_id, e.school_id, e.class_id FROM enrolment e WHERE 1=1");
        q.push_arg(" AND e.student_id = ?", student_id);
        q.push_arg(" AND e.term_id = ?", term_id);
        scope_filter(&mut q, actor, "e.school_id", None, None);
        let Some((district, school, class)) =
            self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?, r.i(2)?))).await?.into_iter().next()
        else {
            return Err(StoreError::NotFound);
        };
        let open = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM psych_case WHERE student_id = $1 AND state <> 'closed'")
                    .bind(student_id),
            )
            .await?;
        if open > 0 {
            return Err(StoreError::Conflict("该学生已有未结案的心理档案".into()));
        }
        let id = self
            .scalar(
                &Sql::new(
                    "INSERT INTO psych_case (district_id, school_id, class_id, student_id, response_id, state, opened_by, \
                     opened_on) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) RETURNING id",
                )
                .bind(district)
                .bind(school)
                .bind(class)
                .bind(student_id)
                .bind(response_id)
                .bind(actor.username.as_str())
                .bind(day),
            )
            .await?;
        Ok(id)
    }

    /// Writes a file's state and its pending closing request (the file was read in scope).
    pub async fn set_psych_file_state(
        &mut self,
        id: i64,
        state: FileState,
        closing_requested_by: Option<&str>,
        closed_on: Option<NaiveDate>,
    ) -> Result<()> {
        self.exec(
            &Sql::new("UPDATE psych_case SET state = $1, closing_requested_by = $2, closed_on = $3 WHERE id = $4")
                .bind(state.key())
                .bind(closing_requested_by.map(str::to_string))
                .bind(closed_on)
                .bind(id),
        )
        .await?;
        Ok(())
    }

    /// Adds an account of the pupil's school to a file's team.
    pub async fn add_psych_member(&mut self, actor: &Actor, file: &FileRow, user_id: i64) -> Result<()> {
        if !actor.role.may_write(Resource::Psych) || !actor.scope.covers_school(file.school_id) {
            return Err(StoreError::Forbidden);
        }
        let same_school = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM app_user WHERE id = $1 AND school_id = $2")
                    .bind(user_id)
                    .bind(file.school_id),
            )
            .await?;
        if same_school == 0 {
            return Err(StoreError::Conflict("只能加入本校的账号".into()));
        }
        self.exec(
            &Sql::new("DELETE FROM psych_case_member WHERE case_id = $1 AND user_id = $2").bind(file.id).bind(user_id),
        )
        .await?;
        self.exec(
            &Sql::new("INSERT INTO psych_case_member (case_id, user_id) VALUES ($1, $2)").bind(file.id).bind(user_id),
        )
        .await?;
        Ok(())
    }
}
