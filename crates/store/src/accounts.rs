//! Users, their scopes, login failures and sessions.

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource, Role, Scope};
use serde::Serialize;

use crate::{Result, Sql, Store, StoreError, System, Tx};

#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub school_id: Option<i64>,
    pub class_ids: Vec<i64>,
    pub student_ids: Vec<i64>,
    /// An inspector's 责任区.
    pub school_ids: Vec<i64>,
}

const USER_COLS: &str = "u.id, u.username, u.display_name, u.password_hash, u.role, u.school_id, s.name, u.active";

fn user_row(r: &dyn crate::Get) -> std::result::Result<UserRow, sqlx::Error> {
    let role = r.s(4)?;
    Ok(UserRow {
        id: r.i(0)?,
        username: r.s(1)?,
        display_name: r.s(2)?,
        password_hash: r.s(3)?,
        role: Role::from_key(&role).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role}").into()))?,
        school_id: r.oi(5)?,
        school_name: r.os(6)?,
        active: r.b(7)?,
    })
}

impl Store {
    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<UserRow>> {
        if !actor.role.may_read(eduq_core::access::Resource::Users) {
            return Err(StoreError::Forbidden);
        }
        self.fetch(
            &Sql::new(format!(
                "SELECT {USER_COLS} FROM app_user u LEFT JOIN school s ON s.id = u.school_id ORDER BY u.id"
            )),
            user_row,
        )
        .await
    }

    pub async fn user_count(&self) -> Result<i64> {
        self.scalar(&Sql::new("SELECT COUNT(*) FROM app_user")).await
    }

    /// Accounts (as typed, lower-cased) that some client may not try at `now`: shown on the
    /// users page, where an administrator lifts the wait.
    pub async fn waiting_accounts(&self, actor: &Actor, now: i64) -> Result<std::collections::HashSet<String>> {
        if !actor.role.may_read(Resource::Users) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new("SELECT DISTINCT account FROM login_throttle WHERE blocked_until > $1").bind(now);
        Ok(self.fetch(&q, |r| r.s(0)).await?.into_iter().collect())
    }
}

/// What a user is bound to: classes (班主任/任课教师) and children (家长).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bindings {
    pub class_ids: Vec<i64>,
    pub students: Vec<(i64, String, String)>,
    pub school_ids: Vec<i64>,
    /// The 工号 of the teacher record the account names (its own hours).
    pub staff_no: Option<String>,
}

impl System<'_> {
    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        self.fetch_opt(
            &Sql::new(format!(
                "SELECT {USER_COLS} FROM app_user u LEFT JOIN school s ON s.id = u.school_id WHERE u.username = $1"
            ))
            .bind(username),
            user_row,
        )
        .await
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRow>> {
        let users = self.list_users(&Actor::system()).await?;
        Ok(users.into_iter().find(|u| u.id == id))
    }

    pub async fn bindings(&self, user_id: i64) -> Result<Bindings> {
        let class_ids = self
            .fetch(
                &Sql::new("SELECT class_id FROM user_class WHERE user_id = $1 ORDER BY class_id").bind(user_id),
                |r| r.i(0),
            )
            .await?;
        let students = self
            .fetch(
                &Sql::new("SELECT s.id, s.student_no, s.name FROM guardian g JOIN student s ON s.id = g.student_id WHERE g.user_id = $1 ORDER BY s.student_no")
                    .bind(user_id),
                |r| Ok((r.i(0)?, r.s(1)?, r.s(2)?)),
            )
            .await?;
        let school_ids = self
            .fetch(
                &Sql::new("SELECT school_id FROM user_school WHERE user_id = $1 ORDER BY school_id").bind(user_id),
                |r| r.i(0),
            )
            .await?;
        let staff_no = self
            .fetch_opt(
                &Sql::new("SELECT t.staff_no FROM app_user u JOIN teacher t ON t.id = u.teacher_id WHERE u.id = $1")
                    .bind(user_id),
                |r| r.s(0),
            )
            .await?;
        Ok(Bindings { class_ids, students, school_ids, staff_no })
    }

    /// The teacher with this 工号 who has been on the staff of `school_id` in some term.
    pub async fn teacher_of_school(&self, staff_no: &str, school_id: i64) -> Result<Option<i64>> {
        self.fetch_opt(
            &Sql::new(
                "SELECT t.id FROM teacher t WHERE t.staff_no = $1 AND EXISTS \
                 (SELECT 1 FROM teacher_term x WHERE x.teacher_id = t.id AND x.school_id = $2)",
            )
            .bind(staff_no)
            .bind(school_id),
            |r| r.i(0),
        )
        .await
    }

    /// Names (or, with `None`, clears) the teacher record of an account.
    pub async fn set_user_teacher(&self, user_id: i64, teacher_id: Option<i64>) -> Result<()> {
        self.exec(&Sql::new("UPDATE app_user SET teacher_id = $1 WHERE id = $2").bind(teacher_id).bind(user_id))
            .await
            .map(|_| ())
    }

    /// Student ids by 学籍号 (for binding a parent); unknown numbers are returned separately.
    pub async fn student_ids_by_number(&self, numbers: &[String]) -> Result<(Vec<i64>, Vec<String>)> {
        let mut ids = Vec::new();
        let mut unknown = Vec::new();
        for n in numbers {
            match self
                .fetch_opt(&Sql::new("SELECT id FROM student WHERE student_no = $1").bind(n.as_str()), |r| r.i(0))
                .await?
            {
                Some(id) => ids.push(id),
                None => unknown.push(n.clone()),
            }
        }
        Ok((ids, unknown))
    }

    /// The session's user and CSRF token if it has not been idle since `idle_since` and was
    /// created after `created_since` (the absolute lifetime); touches it.
    pub async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        (idle_since, created_since): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Option<(UserRow, String)>> {
        let found = self
            .fetch_opt(
                &Sql::new(format!(
                    "SELECT {USER_COLS}, x.csrf_token, x.last_seen, x.created_at FROM session x JOIN app_user u ON u.id = x.user_id LEFT JOIN school s ON s.id = u.school_id WHERE x.token_hash = $1"
                ))
                .bind(token_hash),
                |r| Ok((user_row(r)?, r.s(8)?, r.ts(9)?, r.ts(10)?)),
            )
            .await?;
        let Some((user, csrf, last_seen, created)) = found else { return Ok(None) };
        if last_seen < idle_since || created < created_since || !user.active {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        // Touch at most once a minute to keep reads cheap.
        if now - last_seen > chrono::Duration::seconds(60) {
            self.exec_bookkeeping(
                &Sql::new("UPDATE session SET last_seen = $1 WHERE token_hash = $2").bind(now).bind(token_hash),
            )
            .await?;
        }
        Ok(Some((user, csrf)))
    }

    /// The caller as the store sees it: role plus the scope derived from the account's bindings.
    pub async fn actor(&self, user: &UserRow) -> Result<Actor> {
        let scope = match user.role {
            Role::Admin | Role::Leader | Role::Staff | Role::PsychStaff => Scope::District,
            Role::SchoolAdmin | Role::PsychTeacher => Scope::School(user.school_id.unwrap_or(-1)),
            Role::HeadTeacher | Role::Teacher => Scope::Classes {
                school_id: user.school_id.unwrap_or(-1),
                // The bound classes, and every class of a grade the account leads (年级组长).
                class_ids: self
                    .fetch(
                        &Sql::new(
                            "SELECT class_id FROM user_class WHERE user_id = $1 UNION SELECT c.id FROM grade_leader g \
                             JOIN class c ON c.school_id = g.school_id AND c.start_year = g.start_year \
                             AND c.grade = g.grade WHERE g.user_id = $2 ORDER BY 1",
                        )
                        .bind(user.id)
                        .bind(user.id),
                        |r| r.i(0),
                    )
                    .await?,
            },
            Role::Inspector => Scope::Schools(
                self.fetch(&Sql::new("SELECT school_id FROM user_school WHERE user_id = $1").bind(user.id), |r| r.i(0))
                    .await?,
            ),
            Role::Parent => Scope::Students(
                self.fetch(&Sql::new("SELECT student_id FROM guardian WHERE user_id = $1").bind(user.id), |r| r.i(0))
                    .await?,
            ),
        };
        Ok(Actor {
            user_id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            scope,
        })
    }

    /// Opens a session; sessions that ended (idle since `ended.0` or created before `ended.1`) are
    /// purged at the same time, so their rows do not accumulate.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        now: DateTime<Utc>,
        ended: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<()> {
        self.exec_bookkeeping(
            &Sql::new("DELETE FROM session WHERE last_seen < $1 OR created_at < $2").bind(ended.0).bind(ended.1),
        )
        .await?;
        self.exec_bookkeeping(
            &Sql::new("INSERT INTO session (token_hash, user_id, csrf_token, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)")
                .bind(token_hash)
                .bind(user_id)
                .bind(csrf)
                .bind(now),
        )
        .await
        .map(|_| ())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.exec_bookkeeping(&Sql::new("DELETE FROM session WHERE token_hash = $1").bind(token_hash)).await.map(|_| ())
    }

    pub async fn create_user(&self, u: &NewUser, now: DateTime<Utc>) -> Result<i64> {
        let mut tx = self.begin().await?;
        let exists =
            tx.scalar(&Sql::new("SELECT COUNT(*) FROM app_user WHERE username = $1").bind(u.username.as_str())).await?;
        if exists > 0 {
            return Err(StoreError::Conflict(format!("用户名“{}”已存在", u.username)));
        }
        tx.exec(
            &Sql::new("INSERT INTO app_user (username, display_name, password_hash, role, school_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(u.username.as_str())
                .bind(u.display_name.as_str())
                .bind(u.password_hash.as_str())
                .bind(u.role.key())
                .bind(u.school_id)
                .bind(now),
        )
        .await?;
        let id = tx.scalar(&Sql::new("SELECT id FROM app_user WHERE username = $1").bind(u.username.as_str())).await?;
        for c in &u.class_ids {
            tx.exec(&Sql::new("INSERT INTO user_class (user_id, class_id) VALUES ($1, $2)").bind(id).bind(*c)).await?;
        }
        for s in &u.student_ids {
            tx.exec(&Sql::new("INSERT INTO guardian (user_id, student_id) VALUES ($1, $2)").bind(id).bind(*s)).await?;
        }
        for s in &u.school_ids {
            tx.exec(&Sql::new("INSERT INTO user_school (user_id, school_id) VALUES ($1, $2)").bind(id).bind(*s))
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn set_password(&self, user_id: i64, hash: &str) -> Result<()> {
        self.exec(&Sql::new("UPDATE app_user SET password_hash = $1 WHERE id = $2").bind(hash).bind(user_id))
            .await
            .map(|_| ())
    }

    /// Replaces a user's state and bindings in one transaction; a disabled user's sessions end now.
    pub async fn update_user(
        &self,
        user_id: i64,
        active: bool,
        class_ids: &[i64],
        student_ids: &[i64],
        school_ids: &[i64],
        password_hash: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.exec(&Sql::new("UPDATE app_user SET active = $1 WHERE id = $2").bind(active).bind(user_id)).await?;
        if let Some(h) = password_hash {
            tx.exec(
                &Sql::new(
                    "UPDATE app_user SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
                )
                .bind(h)
                .bind(user_id),
            )
            .await?;
        }
        if !active || password_hash.is_some() {
            tx.exec(&Sql::new("DELETE FROM session WHERE user_id = $1").bind(user_id)).await?;
        }
        tx.exec(&Sql::new("DELETE FROM user_class WHERE user_id = $1").bind(user_id)).await?;
        for c in class_ids {
            tx.exec(&Sql::new("INSERT INTO user_class (user_id, class_id) VALUES ($1, $2)").bind(user_id).bind(*c))
                .await?;
        }
        tx.exec(&Sql::new("DELETE FROM guardian WHERE user_id = $1").bind(user_id)).await?;
        for s in student_ids {
            tx.exec(&Sql::new("INSERT INTO guardian (user_id, student_id) VALUES ($1, $2)").bind(user_id).bind(*s))
                .await?;
        }
        tx.exec(&Sql::new("DELETE FROM user_school WHERE user_id = $1").bind(user_id)).await?;
        for s in school_ids {
            tx.exec(&Sql::new("INSERT INTO user_school (user_id, school_id) VALUES ($1, $2)").bind(user_id).bind(*s))
                .await?;
        }
        tx.commit().await
    }

    /// Reserves one login attempt of `client` on `account` at `now` (Unix seconds), counting it as
    /// a failure before the password is checked: one statement, so parallel attempts cannot pass
    /// the limit. The attempt that reaches `max` sets the wait (`base` seconds for the first, one
    /// more `base` for each further failure, at most `cap`). `None` while the pair must wait.
    pub async fn reserve_login_attempt(
        &self,
        account: &str,
        client: &str,
        now: i64,
        (max, base, cap): (i64, i64, i64),
    ) -> Result<Option<i64>> {
        self.exec_bookkeeping(
            &Sql::new(
                "INSERT INTO login_throttle (account, client, failures, blocked_until, last_at) VALUES ($1, $2, 0, 0, $3) \
                 ON CONFLICT (account, client) DO NOTHING",
            )
            .bind(account)
            .bind(client)
            .bind(now),
        )
        .await?;
        self.fetch_opt(
            &Sql::new(
                "UPDATE login_throttle SET failures = failures + 1, last_at = $6, blocked_until = CASE \
                 WHEN failures + 1 < $3 THEN blocked_until \
                 WHEN (failures + 2 - $3) * $4 > $5 THEN $6 + $5 \
                 ELSE $6 + (failures + 2 - $3) * $4 END \
                 WHERE account = $1 AND client = $2 AND blocked_until <= $6 RETURNING failures",
            )
            .bind(account)
            .bind(client)
            .bind(max)
            .bind(base)
            .bind(cap)
            .bind(now),
            |r| r.i(0),
        )
        .await
    }

    /// Forgets pairs that have not tried since `before` and are not waiting at `now` (Unix seconds).
    pub async fn purge_login_attempts(&self, before: i64, now: i64) -> Result<u64> {
        self.exec_bookkeeping(
            &Sql::new("DELETE FROM login_throttle WHERE last_at < $1 AND blocked_until <= $2").bind(before).bind(now),
        )
        .await
    }

    /// A successful login (or an administrator's unlock) clears the count; `client` None clears
    /// every client of the account.
    pub async fn clear_login_attempts(&self, account: &str, client: Option<&str>) -> Result<()> {
        let mut q = Sql::new("DELETE FROM login_throttle WHERE account = $1").bind(account);
        if let Some(c) = client {
            q.push_arg(" AND client = ?", c);
        }
        self.exec_bookkeeping(&q).await.map(|_| ())
    }
}

/// A grade's leader (年级组长) of a school year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeLeader {
    pub grade: i64,
    pub user_id: i64,
    pub display_name: String,
}

impl Store {
    /// The leaders of a school's grades in a school year (readers of the school).
    pub async fn grade_leaders(&self, actor: &Actor, school_id: i64, start_year: i32) -> Result<Vec<GradeLeader>> {
        if !actor.role.may_read(Resource::Schools) || !actor.scope.covers_school(school_id) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new(
            "SELECT g.grade, g.user_id, u.display_name FROM grade_leader g JOIN app_user u ON u.id = g.user_id \
             WHERE g.school_id = $1 AND g.start_year = $2 ORDER BY g.grade",
        )
        .bind(school_id)
        .bind(i64::from(start_year));
        self.fetch(&q, |r| Ok(GradeLeader { grade: r.i(0)?, user_id: r.i(1)?, display_name: r.s(2)? })).await
    }

    /// The active teacher accounts of a school (id, display name, username): whom its principal
    /// may appoint.
    pub async fn teacher_accounts(&self, actor: &Actor, school_id: i64) -> Result<Vec<(i64, String, String)>> {
        if !actor.role.appoints_grade_leaders() || !actor.scope.covers_school(school_id) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new(
            "SELECT id, display_name, username, role FROM app_user WHERE school_id = $1 AND active ORDER BY display_name, id",
        )
        .bind(school_id);
        let rows = self.fetch(&q, |r| Ok((r.i(0)?, r.s(1)?, r.s(2)?, r.s(3)?))).await?;
        Ok(rows
            .into_iter()
            .filter(|(.., role)| Role::from_key(role).is_some_and(Role::may_lead_grade))
            .map(|(id, name, user, _)| (id, name, user))
            .collect())
    }
}

impl Tx {
    /// Appoints (or with `None` removes) the leader of a school's grade in a school year; the
    /// account must be an active teacher account of that school. Audited.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_grade_leader(
        &mut self,
        actor: &Actor,
        district_id: i64,
        school_id: i64,
        start_year: i32,
        grade: i64,
        user_id: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.appoints_grade_leaders() || !actor.scope.covers_school(school_id) {
            return Err(StoreError::Forbidden);
        }
        self.exec(
            &Sql::new("DELETE FROM grade_leader WHERE school_id = $1 AND start_year = $2 AND grade = $3")
                .bind(school_id)
                .bind(i64::from(start_year))
                .bind(grade),
        )
        .await?;
        let Some(user_id) = user_id else {
            return self
                .audit(
                    actor,
                    at,
                    "grade_leader",
                    &format!("school:{school_id}"),
                    &format!("{start_year} 年级{grade} 撤销"),
                )
                .await;
        };
        let role = self
            .fetch(
                &Sql::new("SELECT role FROM app_user WHERE id = $1 AND school_id = $2 AND active")
                    .bind(user_id)
                    .bind(school_id),
                |r| r.s(0),
            )
            .await?;
        if !role.first().and_then(|r| Role::from_key(r)).is_some_and(Role::may_lead_grade) {
            return Err(StoreError::Conflict("年级组长须为本校启用的教师账号（班主任或任课教师）".into()));
        }
        self.exec(
            &Sql::new(
                "INSERT INTO grade_leader (school_id, start_year, grade, district_id, user_id) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(school_id)
            .bind(i64::from(start_year))
            .bind(grade)
            .bind(district_id)
            .bind(user_id),
        )
        .await?;
        self.audit(
            actor,
            at,
            "grade_leader",
            &format!("user:{user_id}"),
            &format!("school:{school_id} {start_year} 年级{grade}"),
        )
        .await
    }
}
