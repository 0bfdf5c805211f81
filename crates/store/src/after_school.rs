//! 课后服务 plans and sign-ups per school and term, and the district's end-of-work line. Reads are
//! scoped by school; a school's administrators write their own.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::after_school::{Plan, ServiceSession, SessionTally};

use crate::org::scope_filter;
use crate::sql::Arg;
use crate::{Result, Sql, Store, StoreError, Tx};

/// The setting key of the district's end of work (minutes after midnight).
const SERVICE_END: &str = "service_end";

/// A book a school brings in, with its review.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Book {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub title: String,
    pub author: String,
    pub publisher: String,
    pub grades: String,
    pub reviewed_on: chrono::NaiveDate,
    pub reviewers: String,
    pub approved: bool,
    pub note: String,
}

impl Store {
    /// The books of the schools in scope (optionally one), by school and title.
    pub async fn reading_books(&self, actor: &Actor, school_id: Option<i64>) -> Result<Vec<Book>> {
        if !actor.role.may_read(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT b.id, b.school_id, s.name, b.title, b.author, b.publisher, b.grades, b.reviewed_on, b.reviewers, \
             b.approved, b.note FROM reading_book b JOIN school s ON s.id = b.school_id WHERE 1=1",
        );
        if let Some(id) = school_id {
            q.push_arg(" AND b.school_id = ?", id);
        }
        scope_filter(&mut q, actor, "b.school_id", None, None);
        q.push(" ORDER BY s.code, b.title");
        self.fetch(&q, |r| {
            Ok(Book {
                id: r.i(0)?,
                school_id: r.i(1)?,
                school_name: r.s(2)?,
                title: r.s(3)?,
                author: r.s(4)?,
                publisher: r.s(5)?,
                grades: r.s(6)?,
                reviewed_on: r.d(7)?,
                reviewers: r.s(8)?,
                approved: r.b(9)?,
                note: r.s(10)?,
            })
        })
        .await
    }

    /// Plans of a term in scope, by school.
    pub async fn service_plans(&self, actor: &Actor, term_id: i64) -> Result<HashMap<i64, Plan>> {
        if !actor.role.may_read(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT school_id, morning_start, service_days, service_end, activities FROM school_schedule WHERE 1=1",
        );
        q.push_arg(" AND term_id = ?", term_id);
        scope_filter(&mut q, actor, "school_id", None, None);
        let rows = self
            .fetch(&q, |r| {
                Ok((
                    r.i(0)?,
                    Plan {
                        morning_start: u32::try_from(r.i(1)?).unwrap_or(0),
                        service_days: u8::try_from(r.i(2)?).unwrap_or(0),
                        service_end: r.oi(3)?.and_then(|m| u32::try_from(m).ok()),
                        activities: r.s(4)?,
                    },
                ))
            })
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Pupils signed up per class for a term in scope.
    pub async fn service_signups(&self, actor: &Actor, term_id: i64) -> Result<HashMap<i64, i64>> {
        if !actor.role.may_read(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new("SELECT class_id, pupils FROM service_signup WHERE 1=1");
        q.push_arg(" AND term_id = ?", term_id);
        scope_filter(&mut q, actor, "school_id", Some("class_id"), None);
        Ok(self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?))).await?.into_iter().collect())
    }

    /// The sessions a school recorded for a day (the form's prefill).
    pub async fn service_sessions(
        &self,
        actor: &Actor,
        school_id: i64,
        day: chrono::NaiveDate,
    ) -> Result<Vec<ServiceSession>> {
        if !actor.role.may_read(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new("SELECT class_id, attended, signed_up, staff, ended_at FROM service_session WHERE 1=1");
        q.push_arg(" AND school_id = ?", school_id);
        q.push_arg(" AND day = ?", day);
        scope_filter(&mut q, actor, "school_id", Some("class_id"), None);
        self.fetch(&q, |r| {
            Ok(ServiceSession {
                class_id: r.i(0)?,
                attended: u32::try_from(r.i(1)?).unwrap_or(0),
                signed_up: u32::try_from(r.i(2)?).unwrap_or(0),
                staff: r.s(3)?,
                ended: u32::try_from(r.i(4)?).unwrap_or(0),
            })
        })
        .await
    }

    /// Sessions of a term in scope summed per school (`early`: ended before `end_rule`).
    pub async fn service_session_tallies(
        &self,
        actor: &Actor,
        term_id: i64,
        end_rule: u32,
    ) -> Result<HashMap<i64, SessionTally>> {
        if !actor.role.may_read(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT school_id, COUNT(*), COUNT(DISTINCT day), CAST(SUM(attended) AS BIGINT), \
             CAST(SUM(signed_up) AS BIGINT), CAST(SUM(CASE WHEN ended_at < $1 THEN 1 ELSE 0 END) AS BIGINT) \
             FROM service_session WHERE 1=1",
        )
        .bind(i64::from(end_rule));
        q.push_arg(" AND term_id = ?", term_id);
        scope_filter(&mut q, actor, "school_id", Some("class_id"), None);
        q.push(" GROUP BY school_id");
        let rows = self
            .fetch(&q, |r| {
                let n = |i| r.i(i).map(|v| u64::try_from(v).unwrap_or(0));
                Ok((
                    r.i(0)?,
                    SessionTally { sessions: n(1)?, days: n(2)?, attended: n(3)?, signed_up: n(4)?, early: n(5)? },
                ))
            })
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// One school's sessions of a term summed per day, the latest first.
    pub async fn service_session_days(
        &self,
        actor: &Actor,
        term_id: i64,
        school_id: i64,
        end_rule: u32,
    ) -> Result<Vec<(chrono::NaiveDate, SessionTally)>> {
        if !actor.role.may_read(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT day, COUNT(*), CAST(SUM(attended) AS BIGINT), CAST(SUM(signed_up) AS BIGINT), \
             CAST(SUM(CASE WHEN ended_at < $1 THEN 1 ELSE 0 END) AS BIGINT) FROM service_session WHERE 1=1",
        )
        .bind(i64::from(end_rule));
        q.push_arg(" AND term_id = ?", term_id);
        q.push_arg(" AND school_id = ?", school_id);
        scope_filter(&mut q, actor, "school_id", Some("class_id"), None);
        q.push(" GROUP BY day ORDER BY day DESC");
        self.fetch(&q, |r| {
            Ok((
                r.d(0)?,
                SessionTally {
                    sessions: u64::try_from(r.i(1)?).unwrap_or(0),
                    days: 1,
                    attended: u64::try_from(r.i(2)?).unwrap_or(0),
                    signed_up: u64::try_from(r.i(3)?).unwrap_or(0),
                    early: u64::try_from(r.i(4)?).unwrap_or(0),
                },
            ))
        })
        .await
    }

    /// The district's end of work, minutes after midnight (`None`: eduq's default).
    pub async fn service_end_rule(&self) -> Result<Option<u32>> {
        let q = Sql::new("SELECT value FROM setting WHERE key = $1").bind(SERVICE_END);
        Ok(self.fetch(&q, |r| r.s(0)).await?.pop().and_then(|v| v.parse().ok()))
    }
}

impl Tx {
    /// Saves a school's plan for a term (the school's administrators, the bureau's administrator).
    pub async fn save_service_plan(
        &mut self,
        actor: &Actor,
        district_id: i64,
        school_id: i64,
        term_id: i64,
        p: &Plan,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.may_write(Resource::Classes) || !actor.scope.covers_school(school_id) {
            return Err(StoreError::Forbidden);
        }
        self.exec(
            &Sql::new("DELETE FROM school_schedule WHERE school_id = $1 AND term_id = $2")
                .bind(school_id)
                .bind(term_id),
        )
        .await?;
        self.exec(
            &Sql::new(
                "INSERT INTO school_schedule (school_id, term_id, district_id, morning_start, service_days, service_end, \
                 activities, username, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(school_id)
            .bind(term_id)
            .bind(district_id)
            .bind(i64::from(p.morning_start))
            .bind(i64::from(p.service_days))
            .bind(p.service_end.map(i64::from))
            .bind(p.activities.as_str())
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await?;
        Ok(())
    }

    /// Replaces a school's sign-ups of a term: (class, pupils), each class the school's.
    pub async fn save_service_signups(
        &mut self,
        actor: &Actor,
        district_id: i64,
        school_id: i64,
        term_id: i64,
        signups: &[(i64, i64)],
    ) -> Result<()> {
        if !actor.role.may_write(Resource::Classes) || !actor.scope.covers_school(school_id) {
            return Err(StoreError::Forbidden);
        }
        self.exec(
            &Sql::new("DELETE FROM service_signup WHERE school_id = $1 AND term_id = $2").bind(school_id).bind(term_id),
        )
        .await?;
        let rows = signups
            .iter()
            .map(|&(class_id, pupils)| {
                vec![Arg::I(class_id), Arg::I(term_id), Arg::I(school_id), Arg::I(district_id), Arg::I(pupils)]
            })
            .collect();
        self.insert_rows("service_signup (class_id, term_id, school_id, district_id, pupils)", "", rows).await
    }

    /// Replaces a school's sessions of one day (each class the school's, checked by the caller).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_service_sessions(
        &mut self,
        actor: &Actor,
        district_id: i64,
        school_id: i64,
        term_id: i64,
        day: chrono::NaiveDate,
        sessions: &[ServiceSession],
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.may_write(Resource::Classes) || !actor.scope.covers_school(school_id) {
            return Err(StoreError::Forbidden);
        }
        self.exec(&Sql::new("DELETE FROM service_session WHERE school_id = $1 AND day = $2").bind(school_id).bind(day))
            .await?;
        let rows = sessions
            .iter()
            .map(|x| {
                vec![
                    Arg::I(x.class_id),
                    Arg::D(day),
                    Arg::I(term_id),
                    Arg::I(school_id),
                    Arg::I(district_id),
                    Arg::I(i64::from(x.attended)),
                    Arg::I(i64::from(x.signed_up)),
                    Arg::T(x.staff.clone()),
                    Arg::I(i64::from(x.ended)),
                    Arg::T(actor.username.clone()),
                    Arg::Ts(at),
                ]
            })
            .collect();
        self.insert_rows(
            "service_session (class_id, day, term_id, school_id, district_id, attended, signed_up, staff, ended_at, \
             username, at)",
            "",
            rows,
        )
        .await
    }

    /// Records a book and its review for a school of the caller's.
    pub async fn add_reading_book(
        &mut self,
        actor: &Actor,
        district_id: i64,
        b: &Book,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.may_write(Resource::Classes) || !actor.scope.covers_school(b.school_id) {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM reading_book WHERE school_id = $1 AND title = $2 AND publisher = $3")
                    .bind(b.school_id)
                    .bind(b.title.as_str())
                    .bind(b.publisher.as_str()),
            )
            .await?;
        if held > 0 {
            return Err(StoreError::Conflict(format!("本校已登记《{}》（{}）", b.title, b.publisher)));
        }
        self.exec(
            &Sql::new(
                "INSERT INTO reading_book (district_id, school_id, title, author, publisher, grades, reviewed_on, reviewers, \
                 approved, note, username, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(district_id)
            .bind(b.school_id)
            .bind(b.title.as_str())
            .bind(b.author.as_str())
            .bind(b.publisher.as_str())
            .bind(b.grades.as_str())
            .bind(b.reviewed_on)
            .bind(b.reviewers.as_str())
            .bind(b.approved)
            .bind(b.note.as_str())
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await?;
        Ok(())
    }

    /// Sets the district's end of work (the bureau).
    pub async fn set_service_end_rule(&mut self, actor: &Actor, minutes: u32) -> Result<()> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        self.exec(&Sql::new("DELETE FROM setting WHERE key = $1").bind(SERVICE_END)).await?;
        self.exec(
            &Sql::new("INSERT INTO setting (key, value) VALUES ($1, $2)").bind(SERVICE_END).bind(minutes.to_string()),
        )
        .await?;
        Ok(())
    }
}
