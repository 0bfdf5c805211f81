//! 双减 homework: entries per class, day and subject, and one checked row per class-day that the
//! boards sum. Reads are scoped like every class read; a writer must teach at the class's school;
//! a parent reads the entries of the own children's classes (no pupil is named in either).

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource, Scope};
use eduq_core::grade::Grade;
use eduq_core::homework::{DayCheck, check_day};
use serde::Serialize;

use crate::org::{id_list, scope_filter};
use crate::{Result, Sql, Store, StoreError, Tx};

/// A class a teacher may log homework for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HomeworkClass {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub grade: Grade,
    pub name: String,
}

/// One subject's homework of a class on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HomeworkEntry {
    pub class_id: i64,
    pub day: NaiveDate,
    pub subject: String,
    pub written: bool,
    pub minutes: u32,
    /// 分层/弹性作业.
    pub layered: bool,
    pub note: String,
    pub teacher_name: String,
}

/// A class-day as the board reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassDay {
    pub class_id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub class_name: String,
    pub grade: Grade,
    pub day: NaiveDate,
    pub written_minutes: u32,
    pub written_subjects: u32,
    pub over: bool,
    pub excess: u32,
    /// The principal's 处理 note of an over-limit day, with who wrote it.
    pub review: Option<(String, String)>,
}

/// Per school: (school id, name, class-days, over-limit days, written minutes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolHomework {
    pub school_id: i64,
    pub school_name: String,
    pub class_days: u64,
    pub over_days: u64,
    pub written_minutes: u64,
}

/// An entry to log.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHomework {
    pub class_id: i64,
    pub day: NaiveDate,
    pub subject: String,
    pub written: bool,
    pub minutes: u32,
    pub layered: bool,
    pub note: String,
}

fn grade_of(n: i64) -> std::result::Result<Grade, sqlx::Error> {
    i8::try_from(n)
        .ok()
        .and_then(Grade::new)
        .ok_or_else(|| sqlx::Error::Decode(format!("grade {n} out of range").into()))
}

fn class_row(r: &dyn crate::Get) -> std::result::Result<HomeworkClass, sqlx::Error> {
    Ok(HomeworkClass {
        id: r.i(0)?,
        school_id: r.i(1)?,
        school_name: r.s(2)?,
        grade: grade_of(r.i(3)?)?,
        name: r.s(4)?,
    })
}

fn minutes(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Limits a query of classes (`c`) to those whose homework the caller reads: the scope's classes,
/// and for a parent the classes the own children are enrolled in.
fn class_filter(q: &mut Sql, actor: &Actor) {
    match &actor.scope {
        Scope::Students(ids) => {
            q.push(&format!(
                " AND c.id IN (SELECT e.class_id FROM enrolment e WHERE e.student_id IN ({}))",
                id_list(ids)
            ));
        }
        _ => scope_filter(q, actor, "c.school_id", Some("c.id"), None),
    }
}

impl Store {
    /// The classes of the caller's school in a school year, for the logging form: a subject
    /// teacher logs for classes beyond the own, so a class-bound scope widens to its school here.
    pub async fn homework_classes(&self, actor: &Actor, start_year: i32) -> Result<Vec<HomeworkClass>> {
        if !actor.role.may_write(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT c.id, c.school_id, s.name, c.grade, c.name FROM class c JOIN school s ON s.id = c.school_id \
             WHERE c.grade BETWEEN 1 AND 12",
        );
        q.push_arg(" AND c.start_year = ?", i64::from(start_year));
        let widened = match &actor.scope {
            Scope::Classes { school_id, .. } => Actor { scope: Scope::School(*school_id), ..actor.clone() },
            _ => actor.clone(),
        };
        scope_filter(&mut q, &widened, "c.school_id", None, None);
        q.push(" ORDER BY s.code, c.grade, c.class_no");
        self.fetch(&q, class_row).await
    }

    /// The classes whose homework 公示 the caller reads in a school year: the scope's classes, a
    /// parent's children's classes.
    pub async fn homework_notice_classes(&self, actor: &Actor, start_year: i32) -> Result<Vec<HomeworkClass>> {
        if !(actor.role.may_read(Resource::Homework) || matches!(actor.scope, Scope::Students(_))) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT c.id, c.school_id, s.name, c.grade, c.name FROM class c JOIN school s ON s.id = c.school_id \
             WHERE c.grade BETWEEN 1 AND 12",
        );
        q.push_arg(" AND c.start_year = ?", i64::from(start_year));
        class_filter(&mut q, actor);
        q.push(" ORDER BY s.code, c.grade, c.class_no");
        self.fetch(&q, class_row).await
    }

    /// A class's entries from `from` to `to`, in day and subject order: for the caller's classes,
    /// the classes of a writer's school, or a parent's children's classes.
    pub async fn homework_entries(
        &self,
        actor: &Actor,
        class_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(HomeworkClass, Vec<HomeworkEntry>)> {
        let writer = actor.role.may_write(Resource::Homework);
        if !(actor.role.may_read(Resource::Homework) || matches!(actor.scope, Scope::Students(_))) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT c.id, c.school_id, s.name, c.grade, c.name FROM class c JOIN school s ON s.id = c.school_id WHERE 1=1",
        );
        q.push_arg(" AND c.id = ?", class_id);
        match &actor.scope {
            Scope::Classes { school_id, .. } if writer => {
                q.push_arg(" AND c.school_id = ?", *school_id);
            }
            _ => class_filter(&mut q, actor),
        }
        let class = self.fetch(&q, class_row).await?.pop().ok_or(StoreError::NotFound)?;
        let q = Sql::new(
            "SELECT class_id, day, subject, written, minutes, layered, note, teacher_name FROM homework_entry \
             WHERE class_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, subject",
        )
        .bind(class_id)
        .bind(from)
        .bind(to);
        let entries = self
            .fetch(&q, |r| {
                Ok(HomeworkEntry {
                    class_id: r.i(0)?,
                    day: r.d(1)?,
                    subject: r.s(2)?,
                    written: r.b(3)?,
                    minutes: minutes(r.i(4)?),
                    layered: r.b(5)?,
                    note: r.s(6)?,
                    teacher_name: r.s(7)?,
                })
            })
            .await?;
        Ok((class, entries))
    }

    /// The class-days from `from` to `to` in scope (optionally one school's, or only those over the
    /// limit), school and class order, newest day first within a class.
    pub async fn homework_days(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        school_id: Option<i64>,
        over_only: bool,
    ) -> Result<Vec<ClassDay>> {
        if !actor.role.may_read(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT h.class_id, h.school_id, s.name, c.name, h.grade, h.day, h.written_minutes, h.written_subjects, \
             h.over, h.excess, h.review_note, h.reviewed_by FROM homework_day h JOIN class c ON c.id = h.class_id \
             JOIN school s ON s.id = h.school_id WHERE 1=1",
        );
        q.push_arg(" AND h.day >= ?", from);
        q.push_arg(" AND h.day <= ?", to);
        if let Some(id) = school_id {
            q.push_arg(" AND h.school_id = ?", id);
        }
        if over_only {
            q.push_arg(" AND h.over = ?", true);
        }
        scope_filter(&mut q, actor, "h.school_id", Some("h.class_id"), None);
        q.push(" ORDER BY s.code, c.grade, c.class_no, h.day DESC");
        self.fetch(&q, |r| {
            let review = match (r.os(10)?, r.os(11)?) {
                (Some(n), Some(by)) => Some((n, by)),
                _ => None,
            };
            Ok(ClassDay {
                class_id: r.i(0)?,
                school_id: r.i(1)?,
                school_name: r.s(2)?,
                class_name: r.s(3)?,
                grade: grade_of(r.i(4)?)?,
                day: r.d(5)?,
                written_minutes: minutes(r.i(6)?),
                written_subjects: minutes(r.i(7)?),
                over: r.b(8)?,
                excess: minutes(r.i(9)?),
                review,
            })
        })
        .await
    }

    /// Class-days, over-limit days and written minutes per school in scope from `from` to `to`
    /// (schools without a log included, with zeros): memoised until the next write.
    pub async fn homework_by_school(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SchoolHomework>> {
        if !actor.role.may_read(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let key = format!("homework_by_school|{}|{from}|{to}", crate::reader_key(actor));
        self.memoised(&key, self.read_homework_by_school(actor, from, to)).await
    }

    async fn read_homework_by_school(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SchoolHomework>> {
        let mut q = Sql::new("");
        let (f, t) = (q.arg(from), q.arg(to));
        // A class-bound reader sums its own class-days; everyone else reads the schools' sums.
        let sums = match actor.scope {
            Scope::Classes { .. } => format!(
                "SELECT h.school_id, COUNT(*) AS days, CAST(SUM(CASE WHEN h.over THEN 1 ELSE 0 END) AS BIGINT) AS over, \
                 CAST(SUM(h.written_minutes) AS BIGINT) AS minutes FROM homework_day h WHERE h.day >= {f} AND h.day <= {t}"
            ),
            _ => format!(
                "SELECT h.school_id, CAST(SUM(h.class_days) AS BIGINT) AS days, CAST(SUM(h.over_days) AS BIGINT) AS over, \
                 CAST(SUM(h.written_minutes) AS BIGINT) AS minutes FROM homework_school_day h WHERE h.day >= {f} AND h.day <= {t}"
            ),
        };
        q.text = format!(
            "SELECT s.id, s.name, COALESCE(a.days, 0), COALESCE(a.over, 0), COALESCE(a.minutes, 0) FROM school s \
             LEFT JOIN ({sums}"
        );
        scope_filter(&mut q, actor, "h.school_id", Some("h.class_id"), None);
        q.push(" GROUP BY h.school_id) a ON a.school_id = s.id WHERE s.school_type <> 'kindergarten'");
        scope_filter(&mut q, actor, "s.id", None, None);
        q.push(" ORDER BY s.code");
        let n = |x: i64| u64::try_from(x).unwrap_or(0);
        self.fetch(&q, |r| {
            Ok(SchoolHomework {
                school_id: r.i(0)?,
                school_name: r.s(1)?,
                class_days: n(r.i(2)?),
                over_days: n(r.i(3)?),
                written_minutes: n(r.i(4)?),
            })
        })
        .await
    }
}

impl Tx {
    /// Rewrites the schools' sums of `from..=to` from their class-days.
    async fn resum_school_days(&mut self, schools: &[i64], from: NaiveDate, to: NaiveDate) -> Result<()> {
        let list = id_list(schools);
        self.exec(
            &Sql::new(format!(
                "DELETE FROM homework_school_day WHERE school_id IN ({list}) AND day >= $1 AND day <= $2"
            ))
            .bind(from)
            .bind(to),
        )
        .await?;
        self.exec(
            &Sql::new(format!(
                "INSERT INTO homework_school_day (school_id, day, district_id, class_days, over_days, written_minutes) \
                 SELECT school_id, day, district_id, COUNT(*), SUM(CASE WHEN over THEN 1 ELSE 0 END), SUM(written_minutes) \
                 FROM homework_day WHERE school_id IN ({list}) AND day >= $1 AND day <= $2 GROUP BY school_id, day, district_id"
            ))
            .bind(from)
            .bind(to),
        )
        .await?;
        Ok(())
    }

    /// The class a writer logs for: of the caller's school(s), with its district, school and grade.
    async fn writable_class(&mut self, actor: &Actor, class_id: i64) -> Result<(i64, i64, Grade)> {
        if !actor.role.may_write(Resource::Homework) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new("SELECT district_id, school_id, grade FROM class WHERE id = $1").bind(class_id);
        let (district_id, school_id, grade) =
            self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?, grade_of(r.i(2)?)?))).await?.pop().ok_or(StoreError::NotFound)?;
        if !actor.scope.covers_school(school_id) {
            return Err(StoreError::NotFound);
        }
        Ok((district_id, school_id, grade))
    }

    /// Logs (or corrects) one subject's homework of a class and day, and rechecks the day.
    /// Returns the day's check.
    pub async fn log_homework(&mut self, actor: &Actor, e: &NewHomework, at: DateTime<Utc>) -> Result<DayCheck> {
        let (district_id, school_id, grade) = self.writable_class(actor, e.class_id).await?;
        self.exec(
            &Sql::new("DELETE FROM homework_entry WHERE class_id = $1 AND day = $2 AND subject = $3")
                .bind(e.class_id)
                .bind(e.day)
                .bind(e.subject.as_str()),
        )
        .await?;
        self.exec(
            &Sql::new(
                "INSERT INTO homework_entry (district_id, school_id, class_id, day, subject, written, minutes, layered, \
                 note, username, teacher_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(district_id)
            .bind(school_id)
            .bind(e.class_id)
            .bind(e.day)
            .bind(e.subject.as_str())
            .bind(e.written)
            .bind(i64::from(e.minutes))
            .bind(e.layered)
            .bind(e.note.as_str())
            .bind(actor.username.as_str())
            .bind(actor.display_name.as_str())
            .bind(at),
        )
        .await?;
        self.recheck_day((district_id, school_id, grade), e.class_id, e.day).await
    }

    /// Removes a subject's entry logged by mistake, and rechecks the day.
    pub async fn remove_homework(
        &mut self,
        actor: &Actor,
        class_id: i64,
        day: NaiveDate,
        subject: &str,
    ) -> Result<DayCheck> {
        let class = self.writable_class(actor, class_id).await?;
        let n = self
            .exec(
                &Sql::new("DELETE FROM homework_entry WHERE class_id = $1 AND day = $2 AND subject = $3")
                    .bind(class_id)
                    .bind(day)
                    .bind(subject),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.recheck_day(class, class_id, day).await
    }

    /// Writes the class-day's row from its entries (none left: the row goes). A principal's review
    /// stays while the day stays over the limit.
    /// `class` is the (district, school, grade) [`Tx::writable_class`] found.
    async fn recheck_day(&mut self, class: (i64, i64, Grade), class_id: i64, day: NaiveDate) -> Result<DayCheck> {
        let (district_id, school_id, grade) = class;
        let entries = self
            .fetch(
                &Sql::new("SELECT written, minutes FROM homework_entry WHERE class_id = $1 AND day = $2")
                    .bind(class_id)
                    .bind(day),
                |r| Ok((r.b(0)?, minutes(r.i(1)?))),
            )
            .await?;
        let check = check_day(grade, entries.iter().copied());
        if entries.is_empty() {
            self.exec(&Sql::new("DELETE FROM homework_day WHERE class_id = $1 AND day = $2").bind(class_id).bind(day))
                .await?;
            self.resum_school_days(&[school_id], day, day).await?;
            return Ok(check);
        }
        let n = self
            .exec(
                &Sql::new(
                    "UPDATE homework_day SET written_minutes = $1, written_subjects = $2, over = $3, excess = $4, \
                     reviewed_by = CASE WHEN $3 THEN reviewed_by END, review_note = CASE WHEN $3 THEN review_note END, \
                     reviewed_at = CASE WHEN $3 THEN reviewed_at END WHERE class_id = $5 AND day = $6",
                )
                .bind(i64::from(check.written_minutes))
                .bind(i64::from(check.written_subjects))
                .bind(check.over)
                .bind(i64::from(check.excess))
                .bind(class_id)
                .bind(day),
            )
            .await?;
        if n == 0 {
            self.exec(
                &Sql::new(
                    "INSERT INTO homework_day (class_id, day, district_id, school_id, grade, written_minutes, \
                     written_subjects, over, excess) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(class_id)
                .bind(day)
                .bind(district_id)
                .bind(school_id)
                .bind(i64::from(grade.number()))
                .bind(i64::from(check.written_minutes))
                .bind(i64::from(check.written_subjects))
                .bind(check.over)
                .bind(i64::from(check.excess)),
            )
            .await?;
        }
        self.resum_school_days(&[school_id], day, day).await?;
        Ok(check)
    }

    /// Loads whole class-days at once (the demo, the benchmark): `days` are (school, class, grade,
    /// day, entries) of class-days without entries yet; each day is checked as a logged one is.
    /// Only the bureau's administrator loads this way.
    pub async fn load_homework_days(
        &mut self,
        actor: &Actor,
        district_id: i64,
        days: &[(i64, i64, Grade, NaiveDate, Vec<NewHomework>)],
        at: DateTime<Utc>,
    ) -> Result<()> {
        use crate::sql::Arg;
        if !(actor.role.may_write(Resource::Homework) && actor.scope == Scope::District) {
            return Err(StoreError::Forbidden);
        }
        let mut entries = Vec::new();
        let mut checked = Vec::new();
        for (school, class, grade, day, list) in days {
            let c = check_day(*grade, list.iter().map(|e| (e.written, e.minutes)));
            for e in list {
                entries.push(vec![
                    Arg::I(district_id),
                    Arg::I(*school),
                    Arg::I(*class),
                    Arg::D(*day),
                    Arg::T(e.subject.clone()),
                    Arg::B(e.written),
                    Arg::I(i64::from(e.minutes)),
                    Arg::B(e.layered),
                    Arg::T(e.note.clone()),
                    Arg::T(actor.username.clone()),
                    Arg::T(format!("{}老师", e.subject)),
                    Arg::Ts(at),
                ]);
            }
            checked.push(vec![
                Arg::I(*class),
                Arg::D(*day),
                Arg::I(district_id),
                Arg::I(*school),
                Arg::I(i64::from(grade.number())),
                Arg::I(i64::from(c.written_minutes)),
                Arg::I(i64::from(c.written_subjects)),
                Arg::B(c.over),
                Arg::I(i64::from(c.excess)),
            ]);
        }
        self.insert_rows(
            "homework_entry (district_id, school_id, class_id, day, subject, written, minutes, layered, note, username, \
             teacher_name, at)",
            "",
            entries,
        )
        .await?;
        self.insert_rows(
            "homework_day (class_id, day, district_id, school_id, grade, written_minutes, written_subjects, over, excess)",
            "",
            checked,
        )
        .await?;
        let mut schools: Vec<i64> = days.iter().map(|d| d.0).collect();
        schools.sort_unstable();
        schools.dedup();
        if let (Some(from), Some(to)) = (days.iter().map(|d| d.3).min(), days.iter().map(|d| d.3).max()) {
            self.resum_school_days(&schools, from, to).await?;
        }
        Ok(())
    }

    /// The principal's 处理 of an over-limit class-day (talked to the teachers, adjusted the next
    /// day's homework …).
    pub async fn review_homework_day(
        &mut self,
        actor: &Actor,
        class_id: i64,
        day: NaiveDate,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.reviews_homework() {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new("UPDATE homework_day SET ");
        q.push_arg("reviewed_by = ?", actor.display_name.as_str());
        q.push_arg(", review_note = ?", note);
        q.push_arg(", reviewed_at = ?", at);
        q.push_arg(" WHERE class_id = ?", class_id);
        q.push_arg(" AND day = ?", day);
        q.push_arg(" AND over = ?", true);
        q.push(" AND reviewed_by IS NULL");
        scope_filter(&mut q, actor, "school_id", None, None);
        if self.exec(&q).await? == 0 {
            return Err(StoreError::Conflict("该班级当日没有待处理的超量提醒（可能已被处理）".into()));
        }
        Ok(())
    }
}
