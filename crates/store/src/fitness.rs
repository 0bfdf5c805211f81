//! 体质健康 results per pupil per school year: applied from an upload (diffed, so re-importing the
//! same file changes nothing) and read back, scoped, for the statistics.

use std::collections::HashMap;

use eduq_core::access::{Actor, Resource};
use serde::Serialize;

use crate::imports::Counts;
use crate::org::scope_filter;
use crate::sql::ON_ROLL;
use crate::{Arg, Result, Sql, Store, StoreError, System, Tx};

/// One pupil's stored result (what the scoring produced from the upload).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitnessRecord {
    pub student_id: i64,
    pub school_id: i64,
    pub class_id: Option<i64>,
    pub grade: i64,
    pub sex: String,
    pub height: Option<f64>,
    pub weight: Option<f64>,
    pub bmi: Option<f64>,
    pub bmi_category: Option<String>,
    /// JSON object: item key → [value, score].
    pub items: String,
    pub standard: Option<f64>,
    pub bonus: i64,
    pub total: Option<f64>,
    pub level: Option<String>,
    pub exempt: bool,
    /// Missing items, "、"-separated (缺项).
    pub missing: String,
    pub acuity_left: Option<f64>,
    pub acuity_right: Option<f64>,
    pub acuity_grade: Option<String>,
    pub myopia: Option<String>,
    /// The uploaded row, column → cell (JSON object), for the export in the national layout.
    pub source: Option<String>,
}

/// A result with what the upload template needs of the pupil.
#[derive(Debug, Clone, PartialEq)]
pub struct FitnessExportRow {
    pub record: FitnessRecord,
    pub student_no: String,
    pub name: String,
    pub birth_date: chrono::NaiveDate,
    pub class_name: String,
    pub class_no: i64,
}

/// A pupil on roll that a result can be attached to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RollEntry {
    pub student_id: i64,
    pub school_id: i64,
    pub class_id: i64,
    pub grade: i64,
}

/// What the statistics need of a result, with the class it was recorded in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitnessStatRow {
    pub school_id: i64,
    pub school_name: String,
    pub class_id: Option<i64>,
    pub class_name: String,
    pub grade: i64,
    pub sex: String,
    pub level: Option<String>,
    pub exempt: bool,
    pub total: Option<f64>,
    pub bmi_category: Option<String>,
    pub acuity_grade: Option<String>,
    pub myopia: Option<String>,
    /// JSON object: item key → [value, score].
    pub items: String,
}

const COLS: &str = "student_id, school_id, class_id, grade, sex, height, weight, bmi, bmi_category, items, standard, \
     bonus, total, level, exempt, missing, acuity_left, acuity_right, acuity_grade, myopia, source";

fn record(r: &dyn crate::Get) -> std::result::Result<FitnessRecord, sqlx::Error> {
    Ok(FitnessRecord {
        student_id: r.i(0)?,
        school_id: r.i(1)?,
        class_id: r.oi(2)?,
        grade: r.i(3)?,
        sex: r.s(4)?,
        height: r.of(5)?,
        weight: r.of(6)?,
        bmi: r.of(7)?,
        bmi_category: r.os(8)?,
        items: r.s(9)?,
        standard: r.of(10)?,
        bonus: r.i(11)?,
        total: r.of(12)?,
        level: r.os(13)?,
        exempt: r.i(14)? != 0,
        missing: r.s(15)?,
        acuity_left: r.of(16)?,
        acuity_right: r.of(17)?,
        acuity_grade: r.os(18)?,
        myopia: r.os(19)?,
        source: r.os(20)?,
    })
}

/// Pupils on roll in one class of a grade and sex (see `on_roll_counts`).
#[derive(Debug, Clone, PartialEq)]
pub struct RollCount {
    pub school_id: i64,
    pub class_id: i64,
    pub grade: i64,
    /// "M" or "F", as stored.
    pub sex: String,
    pub pupils: i64,
}

impl Store {
    /// Pupils on roll in the term within the caller's scope, by 学籍号.
    pub async fn roll_by_number(&self, actor: &Actor, term_id: i64) -> Result<HashMap<String, RollEntry>> {
        let mut q = Sql::new(format!(
            "SELECT st.student_no, st.id, e.school_id, e.class_id, e.grade FROM enrolment e \
             JOIN student st ON st.id = e.student_id WHERE e.status IN {ON_ROLL}"
        ));
        q.push_arg(" AND e.term_id = ?", term_id);
        scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        let rows = self
            .fetch(&q, |r| {
                Ok((r.s(0)?, RollEntry { student_id: r.i(1)?, school_id: r.i(2)?, class_id: r.i(3)?, grade: r.i(4)? }))
            })
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Pupils on roll in grades 1–12 in the term, within the caller's scope, per school, class,
    /// grade and sex: the denominators of 测试率.
    pub async fn on_roll_counts(&self, actor: &Actor, term_id: i64) -> Result<Vec<RollCount>> {
        let mut q = Sql::new(format!(
            "SELECT e.school_id, e.class_id, e.grade, st.sex, COUNT(*) FROM enrolment e JOIN student st ON st.id = e.student_id \
             WHERE e.status IN {ON_ROLL} AND e.grade BETWEEN 1 AND 12"
        ));
        q.push_arg(" AND e.term_id = ?", term_id);
        scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        q.push(" GROUP BY e.school_id, e.class_id, e.grade, st.sex");
        self.fetch(&q, |r| {
            Ok(RollCount { school_id: r.i(0)?, class_id: r.i(1)?, grade: r.i(2)?, sex: r.s(3)?, pupils: r.i(4)? })
        })
        .await
    }

    /// Pupils on roll in grades 1–12 in the term within the caller's scope (the trend's 测试率).
    pub async fn on_roll_total(&self, actor: &Actor, term_id: i64) -> Result<i64> {
        let mut q = Sql::new(format!(
            "SELECT COUNT(*) FROM enrolment e WHERE e.status IN {ON_ROLL} AND e.grade BETWEEN 1 AND 12"
        ));
        q.push_arg(" AND e.term_id = ?", term_id);
        scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        self.scalar(&q).await
    }

    /// Results of every school year in scope, grouped by what the rates need: (start year, level,
    /// exempt, bmi category, acuity grade, myopia, count, sum of totals). The trend reads this
    /// instead of every row of every year.
    #[allow(clippy::type_complexity)]
    pub async fn fitness_year_groups(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(i64, Option<String>, bool, Option<String>, Option<String>, Option<String>, i64, f64)>> {
        if !actor.role.may_read(Resource::Students) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT f.start_year, f.level, f.exempt, f.bmi_category, f.acuity_grade, f.myopia, COUNT(*), \
             CAST(COALESCE(SUM(f.total), 0) AS DOUBLE PRECISION) FROM fitness_result f WHERE 1=1",
        );
        scope_filter(&mut q, actor, "f.school_id", Some("f.class_id"), Some("f.student_id"));
        q.push(" GROUP BY f.start_year, f.level, f.exempt, f.bmi_category, f.acuity_grade, f.myopia");
        self.fetch(&q, |r| Ok((r.i(0)?, r.os(1)?, r.i(2)? != 0, r.os(3)?, r.os(4)?, r.os(5)?, r.i(6)?, r.f(7)?))).await
    }

    /// Results of a school year for the statistics, within the caller's scope.
    pub async fn fitness_rows(&self, actor: &Actor, start_year: i32) -> Result<Vec<FitnessStatRow>> {
        if !actor.role.may_read(Resource::Students) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT f.school_id, s.name, f.class_id, COALESCE(c.name, ''), f.grade, f.sex, f.level, f.exempt, f.total, \
             f.bmi_category, f.acuity_grade, f.myopia, f.items FROM fitness_result f JOIN school s ON s.id = f.school_id \
             LEFT JOIN class c ON c.id = f.class_id WHERE 1=1",
        );
        q.push_arg(" AND f.start_year = ?", i64::from(start_year));
        scope_filter(&mut q, actor, "f.school_id", Some("f.class_id"), Some("f.student_id"));
        q.push(" ORDER BY s.code, f.grade, c.class_no");
        self.fetch(&q, |r| {
            Ok(FitnessStatRow {
                school_id: r.i(0)?,
                school_name: r.s(1)?,
                class_id: r.oi(2)?,
                class_name: r.s(3)?,
                grade: r.i(4)?,
                sex: r.s(5)?,
                level: r.os(6)?,
                exempt: r.i(7)? != 0,
                total: r.of(8)?,
                bmi_category: r.os(9)?,
                acuity_grade: r.os(10)?,
                myopia: r.os(11)?,
                items: r.s(12)?,
            })
        })
        .await
    }

    /// A school year's results in scope with the pupil and class they belong to, in the order of
    /// the upload template (school, grade, class, 学籍号): (record, 学籍号, 姓名, 性别, 出生日期, 班级名称,
    /// 班号).
    pub async fn fitness_export(&self, actor: &Actor, start_year: i32) -> Result<Vec<FitnessExportRow>> {
        if !actor.role.may_read(Resource::Students) || actor.role == eduq_core::access::Role::Parent {
            return Err(StoreError::Forbidden);
        }
        let cols: Vec<String> = COLS.split(", ").map(|c| format!("f.{c}")).collect();
        let mut q = Sql::new(format!(
            "SELECT {}, st.student_no, st.name, st.birth_date, COALESCE(c.name, ''), COALESCE(c.class_no, 0) \
             FROM fitness_result f JOIN student st ON st.id = f.student_id JOIN school s ON s.id = f.school_id \
             LEFT JOIN class c ON c.id = f.class_id WHERE 1=1",
            cols.join(", ")
        ));
        q.push_arg(" AND f.start_year = ?", i64::from(start_year));
        scope_filter(&mut q, actor, "f.school_id", Some("f.class_id"), Some("f.student_id"));
        q.push(" ORDER BY s.code, f.grade, c.class_no, st.student_no");
        self.fetch(&q, |r| {
            Ok(FitnessExportRow {
                record: record(r)?,
                student_no: r.s(21)?,
                name: r.s(22)?,
                birth_date: r.d(23)?,
                class_name: r.s(24)?,
                class_no: r.i(25)?,
            })
        })
        .await
    }
}

impl Tx {
    /// Inserts new results and updates changed ones for the school year; identical rows are left alone.
    pub async fn apply_fitness(&mut self, district_id: i64, start_year: i32, recs: &[FitnessRecord]) -> Result<Counts> {
        let ids: Vec<i64> = recs.iter().map(|r| r.student_id).collect();
        let mut existing: HashMap<i64, FitnessRecord> = HashMap::new();
        for chunk in ids.chunks(500) {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let q =
                Sql::new(format!("SELECT {COLS} FROM fitness_result WHERE start_year = $1 AND student_id IN ({list})"))
                    .bind(i64::from(start_year));
            for r in self.fetch(&q, record).await? {
                existing.insert(r.student_id, r);
            }
        }
        let mut counts = Counts::default();
        let mut rows = Vec::new();
        for r in recs {
            match existing.get(&r.student_id) {
                Some(old) if old == r => {
                    counts.unchanged += 1;
                    continue;
                }
                Some(_) => counts.updated += 1,
                None => counts.inserted += 1,
            }
            rows.push(vec![
                Arg::I(district_id),
                Arg::I(i64::from(start_year)),
                Arg::I(r.student_id),
                Arg::I(r.school_id),
                Arg::OI(r.class_id),
                Arg::I(r.grade),
                Arg::T(r.sex.clone()),
                Arg::OF(r.height),
                Arg::OF(r.weight),
                Arg::OF(r.bmi),
                Arg::OT(r.bmi_category.clone()),
                Arg::T(r.items.clone()),
                Arg::OF(r.standard),
                Arg::I(r.bonus),
                Arg::OF(r.total),
                Arg::OT(r.level.clone()),
                Arg::I(i64::from(r.exempt)),
                Arg::T(r.missing.clone()),
                Arg::OF(r.acuity_left),
                Arg::OF(r.acuity_right),
                Arg::OT(r.acuity_grade.clone()),
                Arg::OT(r.myopia.clone()),
                Arg::OT(r.source.clone()),
            ]);
        }
        let updates: Vec<String> =
            COLS.split(", ").filter(|c| *c != "student_id").map(|c| format!("{c} = excluded.{c}")).collect();
        self.insert_rows(
            &format!("fitness_result (district_id, start_year, {COLS})"),
            &format!("ON CONFLICT (student_id, start_year) DO UPDATE SET {}", updates.join(", ")),
            rows,
        )
        .await?;
        Ok(counts)
    }
}

impl System<'_> {
    /// One pupil's result of a school year, if any (the caller has already read the pupil).
    pub async fn fitness_of(&self, student_id: i64, start_year: i32) -> Result<Option<FitnessRecord>> {
        let q = Sql::new(format!("SELECT {COLS} FROM fitness_result WHERE student_id = $1 AND start_year = $2"))
            .bind(student_id)
            .bind(i64::from(start_year));
        self.fetch_opt(&q, record).await
    }
}
