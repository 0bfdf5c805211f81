//! District, terms, schools and classes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Scope};
use eduq_core::calendar::Term;
use eduq_core::grade::Grade;
use eduq_core::org::{Locale, Ownership, SchoolType};
use eduq_core::records::{ClassRecord, ConditionRecord, SchoolRecord};
use eduq_core::standards::class_size::{self, SizeBand};
use serde::Serialize;

use crate::sql::ON_ROLL;
use crate::{Get, Result, Sql, Store, StoreError, Tx};

/// Appends the caller's scope as a filter. `school` is the school id column; `class` and
/// `student` the class and student id columns where the query has them. A scope the query
/// cannot express yields no rows, never more rows.
pub(crate) fn scope_filter(sql: &mut Sql, actor: &Actor, school: &str, class: Option<&str>, student: Option<&str>) {
    match &actor.scope {
        Scope::District => {}
        Scope::School(id) => {
            sql.push_arg(&format!(" AND {school} = ?"), *id);
        }
        Scope::Classes { school_id, class_ids } => match class {
            Some(col) => {
                let list = id_list(class_ids);
                sql.push_arg(&format!(" AND {school} = ?"), *school_id);
                sql.push(&format!(" AND {col} IN ({list})"));
            }
            None => {
                sql.push_arg(&format!(" AND {school} = ?"), *school_id);
            }
        },
        Scope::Students(ids) => match student {
            Some(col) => {
                sql.push(&format!(" AND {col} IN ({})", id_list(ids)));
            }
            None => {
                sql.push(" AND 1 = 0");
            }
        },
        Scope::Schools(ids) => {
            sql.push(&format!(" AND {school} IN ({})", id_list(ids)));
        }
    }
}

/// Ids are integers from our own database, so inlining them is safe; empty lists match nothing.
pub(crate) fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() { "NULL".to_string() } else { ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",") }
}

#[derive(Debug, Clone, Serialize)]
pub struct SchoolRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub school_type: SchoolType,
    pub locale: Locale,
    pub ownership: Ownership,
    pub inclusive: bool,
    pub purchased_places: bool,
    pub groups: String,
    pub students: i64,
    pub classes: i64,
    pub teachers: i64,
}

/// A school for a selection list.
#[derive(Debug, Clone, Serialize)]
pub struct SchoolOption {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassRow {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub grade: Grade,
    pub class_no: i64,
    pub name: String,
    pub head_teacher: Option<String>,
    pub students: i64,
    pub campus: Option<String>,
    /// Against the 班额 standard of the grade.
    pub size_band: SizeBand,
}

impl ClassRow {
    /// A 中小学 class with pupils: the classes that 班额 indicators count.
    pub fn counts_for_size(&self) -> bool {
        self.students > 0 && (1..=12).contains(&self.grade.number())
    }
}

/// Counts for the home page, per 办学类型.
#[derive(Debug, Clone, Serialize)]
pub struct TypeCount {
    pub school_type: SchoolType,
    pub schools: i64,
    pub students: i64,
    pub teachers: i64,
}

impl TypeCount {
    /// Totals per 办学类型 of listed schools (types without a school left out).
    pub fn tally(schools: &[SchoolRow]) -> Vec<TypeCount> {
        SchoolType::ALL
            .iter()
            .map(|t| {
                let of_type = schools.iter().filter(|s| s.school_type == *t);
                TypeCount {
                    school_type: *t,
                    schools: of_type.clone().count() as i64,
                    students: of_type.clone().map(|s| s.students).sum(),
                    teachers: of_type.map(|s| s.teachers).sum(),
                }
            })
            .filter(|c| c.schools > 0)
            .collect()
    }
}

fn bad(col: &str, v: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {col} value {v}").into())
}
/// Decodes a stored enum key strictly: an unknown key is a decode error, never a silent default.
pub(crate) fn key<T>(v: String, col: &str, from_key: fn(&str) -> Option<T>) -> std::result::Result<T, sqlx::Error> {
    from_key(&v).ok_or_else(|| bad(col, &v))
}

/// Columns of [`school_record`], prefixed by the school table's alias `s`.
pub(crate) const SCHOOL_RECORD_COLS: &str =
    "s.code, s.name, s.school_type, s.locale, s.ownership, s.inclusive, s.purchased_places";

/// A school as imported (without its groups), from [`SCHOOL_RECORD_COLS`].
pub(crate) fn school_record(r: &dyn Get) -> std::result::Result<SchoolRecord, sqlx::Error> {
    Ok(SchoolRecord {
        code: r.s(0)?,
        name: r.s(1)?,
        school_type: key(r.s(2)?, "school_type", SchoolType::from_key)?,
        locale: key(r.s(3)?, "locale", Locale::from_key)?,
        ownership: key(r.s(4)?, "ownership", Ownership::from_key)?,
        inclusive: r.b(5)?,
        purchased_places: r.b(6)?,
        groups: vec![],
    })
}

/// Schools in the caller's scope, in the import layout.
pub(crate) fn school_records_sql(actor: &Actor) -> Sql {
    let mut q = Sql::new(format!("SELECT {SCHOOL_RECORD_COLS} FROM school s WHERE 1=1"));
    scope_filter(&mut q, actor, "s.id", None, None);
    q.push(" ORDER BY s.code");
    q
}

/// (学校标识码, id) of every school.
pub(crate) fn school_ids_sql() -> Sql {
    Sql::new("SELECT code, id FROM school")
}

/// (学校标识码, group name) pairs, groups in name order.
pub(crate) fn school_groups_sql() -> Sql {
    Sql::new(
        "SELECT s.code, g.name FROM school_group_member m JOIN school_group g ON g.id = m.group_id JOIN school s ON s.id = m.school_id ORDER BY g.name",
    )
}

pub(crate) fn group_map(pairs: Vec<(String, String)>) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (code, g) in pairs {
        map.entry(code).or_default().push(g);
    }
    map
}
pub(crate) fn grade(n: i64) -> std::result::Result<Grade, sqlx::Error> {
    Grade::new(n as i8).ok_or_else(|| bad("grade", &n.to_string()))
}

impl Store {
    /// The deployment's district, created on first use.
    pub async fn district(&self) -> Result<(i64, String)> {
        let q = Sql::new("SELECT id, name FROM district ORDER BY id LIMIT 1");
        if let Some(d) = self.fetch_opt(&q, |r| Ok((r.i(0)?, r.s(1)?))).await? {
            return Ok(d);
        }
        self.exec(&Sql::new(
            "INSERT INTO district (code, name) VALUES ('000000', '本区县') ON CONFLICT (code) DO NOTHING",
        ))
        .await?;
        self.fetch_opt(&q, |r| Ok((r.i(0)?, r.s(1)?))).await?.ok_or(StoreError::NotFound)
    }

    pub async fn set_district_name(&self, name: &str) -> Result<()> {
        let (id, _) = self.district().await?;
        self.exec(&Sql::new("UPDATE district SET name = $1 WHERE id = $2").bind(name).bind(id)).await.map(|_| ())
    }

    /// Terms that have enrolment data, newest first.
    pub async fn terms(&self) -> Result<Vec<(i64, Term)>> {
        self.fetch(&Sql::new("SELECT id, start_year, term_no FROM term ORDER BY start_year DESC, term_no DESC"), |r| {
            Ok((r.i(0)?, Term { start_year: r.i(1)? as i32, term_no: r.i(2)? as u8 }))
        })
        .await
    }

    pub async fn term_id(&self, term: Term) -> Result<Option<i64>> {
        self.fetch_opt(
            &Sql::new("SELECT id FROM term WHERE start_year = $1 AND term_no = $2")
                .bind(i64::from(term.start_year))
                .bind(i64::from(term.term_no)),
            |r| r.i(0),
        )
        .await
    }

    /// 学校标识码 → id for all schools (import validation needs the unscoped list of codes).
    pub async fn school_ids_by_code(&self) -> Result<HashMap<String, i64>> {
        Ok(self.fetch(&school_ids_sql(), |r| Ok((r.s(0)?, r.i(1)?))).await?.into_iter().collect())
    }

    /// Schools in the caller's scope for selection lists (no counts: cheap on every page).
    pub async fn school_options(&self, actor: &Actor) -> Result<Vec<SchoolOption>> {
        let mut q = Sql::new("SELECT s.id, s.name FROM school s WHERE 1=1");
        scope_filter(&mut q, actor, "s.id", None, None);
        q.push(" ORDER BY s.code");
        self.fetch(&q, |r| Ok(SchoolOption { id: r.i(0)?, name: r.s(1)? })).await
    }

    /// Schools in the caller's scope with their counts for a term.
    /// The schools in scope with their counts for a term; memoised until the next write (every
    /// page's header and the home page read them).
    pub async fn list_schools(&self, actor: &Actor, term_id: Option<i64>) -> Result<Vec<SchoolRow>> {
        let key = format!("schools|{}|{term_id:?}", crate::reader_key(actor));
        self.memoised(&key, self.schools_with_counts(actor, term_id, None)).await
    }

    pub async fn school(&self, actor: &Actor, id: i64, term_id: Option<i64>) -> Result<SchoolRow> {
        self.schools_with_counts(actor, term_id, Some(id)).await?.pop().ok_or(StoreError::NotFound)
    }

    async fn schools_with_counts(
        &self,
        actor: &Actor,
        term_id: Option<i64>,
        only: Option<i64>,
    ) -> Result<Vec<SchoolRow>> {
        let mut q = Sql::new("");
        let t = q.arg(term_id.unwrap_or(-1));
        q.text = format!(
            "SELECT {SCHOOL_RECORD_COLS}, s.id,
               COALESCE((SELECT COUNT(*) FROM enrolment e WHERE e.school_id = s.id AND e.term_id = {t} AND e.status IN {ON_ROLL}), 0),
               COALESCE((SELECT COUNT(DISTINCT e.class_id) FROM enrolment e WHERE e.school_id = s.id AND e.term_id = {t}), 0),
               COALESCE((SELECT COUNT(*) FROM teacher_term tt WHERE tt.school_id = s.id AND tt.term_id = {t}), 0)
             FROM school s WHERE 1=1"
        );
        if let Some(id) = only {
            q.push_arg(" AND s.id = ?", id);
        }
        scope_filter(&mut q, actor, "s.id", None, None);
        q.push(" ORDER BY s.code");
        let rows = self.fetch(&q, |r| Ok((school_record(r)?, r.i(7)?, r.i(8)?, r.i(9)?, r.i(10)?))).await?;
        let groups = group_map(self.fetch(&school_groups_sql(), |r| Ok((r.s(0)?, r.s(1)?))).await?);
        Ok(rows
            .into_iter()
            .map(|(rec, id, students, classes, teachers)| SchoolRow {
                id,
                groups: groups.get(&rec.code).map(|g| g.join("；")).unwrap_or_default(),
                code: rec.code,
                name: rec.name,
                school_type: rec.school_type,
                locale: rec.locale,
                ownership: rec.ownership,
                inclusive: rec.inclusive,
                purchased_places: rec.purchased_places,
                students,
                classes,
                teachers,
            })
            .collect())
    }

    /// Schools in the import layout.
    pub async fn export_schools(&self, actor: &Actor) -> Result<Vec<SchoolRecord>> {
        let mut recs = self.fetch(&school_records_sql(actor), school_record).await?;
        let mut groups = group_map(self.fetch(&school_groups_sql(), |r| Ok((r.s(0)?, r.s(1)?))).await?);
        for r in &mut recs {
            r.groups = groups.remove(&r.code).unwrap_or_default();
        }
        Ok(recs)
    }

    /// Classes of a school year in scope, with head counts for a term.
    /// Memoised per reader until the next write.
    pub async fn list_classes(
        &self,
        actor: &Actor,
        start_year: i32,
        term_id: Option<i64>,
        school_id: Option<i64>,
    ) -> Result<Vec<ClassRow>> {
        let key = format!("classes|{}|{start_year}|{term_id:?}|{school_id:?}", crate::reader_key(actor));
        self.memoised(&key, self.read_list_classes(actor, start_year, term_id, school_id)).await
    }

    async fn read_list_classes(
        &self,
        actor: &Actor,
        start_year: i32,
        term_id: Option<i64>,
        school_id: Option<i64>,
    ) -> Result<Vec<ClassRow>> {
        let mut q = Sql::new("");
        let t = q.arg(term_id.unwrap_or(-1));
        q.text = format!(
            "SELECT c.id, c.school_id, s.name, c.grade, c.class_no, c.name,
               (SELECT t.name FROM teacher t WHERE t.staff_no = c.head_teacher_no),
               (SELECT COUNT(*) FROM enrolment e WHERE e.class_id = c.id AND e.term_id = {t} AND e.status IN {ON_ROLL}),
               ca.name
             FROM class c JOIN school s ON s.id = c.school_id LEFT JOIN campus ca ON ca.id = c.campus_id WHERE 1=1"
        );
        q.push_arg(" AND c.start_year = ?", i64::from(start_year));
        if let Some(s) = school_id {
            q.push_arg(" AND c.school_id = ?", s);
        }
        scope_filter(&mut q, actor, "c.school_id", Some("c.id"), None);
        q.push(" ORDER BY s.code, c.grade, c.class_no");
        self.fetch(&q, |r| {
            Ok(ClassRow {
                id: r.i(0)?,
                school_id: r.i(1)?,
                school_name: r.s(2)?,
                grade: grade(r.i(3)?)?,
                class_no: r.i(4)?,
                name: r.s(5)?,
                head_teacher: r.os(6)?,
                students: r.i(7)?,
                campus: r.os(8)?,
                size_band: class_size::band(grade(r.i(3)?)?, u32::try_from(r.i(7)?).unwrap_or(u32::MAX)),
            })
        })
        .await
    }

    pub async fn export_classes(&self, actor: &Actor, start_year: i32) -> Result<Vec<ClassRecord>> {
        let mut q = Sql::new(
            "SELECT s.code, c.start_year, c.grade, c.class_no, c.name, c.head_teacher_no, ca.name FROM class c JOIN school s ON s.id = c.school_id LEFT JOIN campus ca ON ca.id = c.campus_id WHERE 1=1",
        );
        q.push_arg(" AND c.start_year = ?", i64::from(start_year));
        scope_filter(&mut q, actor, "c.school_id", Some("c.id"), None);
        q.push(" ORDER BY s.code, c.grade, c.class_no");
        self.fetch(&q, class_record).await
    }

    pub async fn export_conditions(&self, actor: &Actor, start_year: Option<i32>) -> Result<Vec<ConditionRecord>> {
        if !actor.role.may_read(eduq_core::access::Resource::Conditions) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!(
            "SELECT {CONDITION_COLS} FROM school_condition c JOIN school s ON s.id = c.school_id WHERE 1=1"
        ));
        if let Some(y) = start_year {
            q.push_arg(" AND c.start_year = ?", i64::from(y));
        }
        scope_filter(&mut q, actor, "c.school_id", None, None);
        q.push(" ORDER BY c.start_year DESC, s.code");
        self.fetch(&q, condition_record).await
    }

    /// Pupils on roll per grade in a term, in scope.
    pub async fn students_by_grade(&self, actor: &Actor, term_id: i64) -> Result<Vec<(Grade, i64)>> {
        let key = format!("by_grade|{}|{term_id}", crate::reader_key(actor));
        self.memoised(&key, self.read_students_by_grade(actor, term_id)).await
    }

    async fn read_students_by_grade(&self, actor: &Actor, term_id: i64) -> Result<Vec<(Grade, i64)>> {
        let mut q = Sql::new(format!("SELECT e.grade, COUNT(*) FROM enrolment e WHERE e.status IN {ON_ROLL}"));
        q.push_arg(" AND e.term_id = ?", term_id);
        scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        q.push(" GROUP BY e.grade ORDER BY e.grade");
        self.fetch(&q, |r| Ok((grade(r.i(0)?)?, r.i(1)?))).await
    }
}

pub(crate) const CONDITION_COLS: &str = "s.code, c.start_year, c.land_area, c.building_area, c.teaching_area, c.sports_outdoor_area, c.sports_indoor_area, c.equipment_value, c.multimedia_rooms, c.student_computers, c.teacher_computers, c.books, c.bandwidth_mbps, c.music_rooms, c.music_area, c.art_rooms, c.art_area";

pub(crate) fn condition_record(r: &dyn Get) -> std::result::Result<ConditionRecord, sqlx::Error> {
    Ok(ConditionRecord {
        school_code: r.s(0)?,
        start_year: r.i(1)? as i32,
        land_area: r.f(2)?,
        building_area: r.f(3)?,
        teaching_area: r.f(4)?,
        sports_outdoor_area: r.f(5)?,
        sports_indoor_area: r.f(6)?,
        equipment_value: r.f(7)?,
        multimedia_rooms: r.i(8)?,
        student_computers: r.i(9)?,
        teacher_computers: r.i(10)?,
        books: r.i(11)?,
        bandwidth_mbps: r.f(12)?,
        music_rooms: r.i(13)?,
        music_area: r.f(14)?,
        art_rooms: r.i(15)?,
        art_area: r.f(16)?,
    })
}

pub(crate) fn class_record(r: &dyn Get) -> std::result::Result<ClassRecord, sqlx::Error> {
    Ok(ClassRecord {
        school_code: r.s(0)?,
        start_year: r.i(1)? as i32,
        grade: grade(r.i(2)?)?,
        class_no: r.i(3)? as i32,
        name: r.s(4)?,
        head_teacher_no: r.os(5)?,
        campus: r.os(6)?,
    })
}

impl Tx {
    /// The id of a term, created with its nominal bounds if new.
    pub async fn ensure_term(&mut self, term: Term) -> Result<i64> {
        let (start, end) = term.nominal_bounds();
        self.exec(
            &Sql::new("INSERT INTO term (start_year, term_no, start_date, end_date) VALUES ($1, $2, $3, $4) ON CONFLICT (start_year, term_no) DO NOTHING")
                .bind(i64::from(term.start_year))
                .bind(i64::from(term.term_no))
                .bind(start)
                .bind(end),
        )
        .await?;
        self.scalar(
            &Sql::new("SELECT id FROM term WHERE start_year = $1 AND term_no = $2")
                .bind(i64::from(term.start_year))
                .bind(i64::from(term.term_no)),
        )
        .await
    }
}

/// The school a school-bound caller is limited to, if any.
pub(crate) fn actor_school(actor: &Actor) -> Option<i64> {
    use eduq_core::access::Scope;
    match &actor.scope {
        Scope::District => None,
        Scope::School(id) | Scope::Classes { school_id: id, .. } => Some(*id),
        Scope::Students(_) | Scope::Schools(_) => Some(-1),
    }
}

/// A member school of a 学区 or 教育集团.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMember {
    pub group_id: i64,
    pub group_name: String,
    pub kind: eduq_core::org::GroupKind,
    pub school_id: i64,
    pub school_code: String,
    pub school_name: String,
    /// The group's core school (核心校 / 中心校).
    pub core: bool,
}

/// A 学区 or 教育集团 with its running, core school, members and urban–rural pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub kind: eduq_core::org::GroupKind,
    pub mode: Option<eduq_core::org::GroupMode>,
    pub core_school_id: Option<i64>,
    /// (school id, name), by name.
    pub members: Vec<(i64, String)>,
    /// (urban school, rural school).
    pub pairs: Vec<(i64, i64)>,
}

impl GroupRow {
    pub fn member_name(&self, id: &i64) -> &str {
        self.members.iter().find(|(m, _)| m == id).map_or("", |(_, n)| n.as_str())
    }
}

impl Store {
    /// The 捆绑评价 pairs (school, 中心校) with either school in the caller's scope.
    pub async fn bundles(&self, actor: &Actor) -> Result<Vec<(i64, i64)>> {
        Ok(self.bundle_rows(actor).await?.into_iter().map(|(s, c, _, _)| (s, c)).collect())
    }

    /// The same pairs with both schools' names: (school, 中心校, school's name, 中心校's name).
    pub async fn bundle_rows(&self, actor: &Actor) -> Result<Vec<(i64, i64, String, String)>> {
        if !actor.role.may_read(eduq_core::access::Resource::Schools) {
            return Err(StoreError::Forbidden);
        }
        let q = Sql::new(
            "SELECT b.school_id, b.center_school_id, s.name, c.name FROM school_bundle b \
             JOIN school s ON s.id = b.school_id JOIN school c ON c.id = b.center_school_id \
             ORDER BY c.code, s.code",
        );
        let all = self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?, r.s(2)?, r.s(3)?))).await?;
        let sees = |id: i64| match &actor.scope {
            Scope::District => true,
            Scope::School(own) | Scope::Classes { school_id: own, .. } => *own == id,
            Scope::Schools(ids) => ids.contains(&id),
            Scope::Students(_) => false,
        };
        Ok(all.into_iter().filter(|(s, c, _, _)| sees(*s) || sees(*c)).collect())
    }

    /// The members of every 学区 and 教育集团 among the schools in the caller's scope, by group name.
    pub async fn group_members(&self, actor: &Actor) -> Result<Vec<GroupMember>> {
        if !actor.role.may_read(eduq_core::access::Resource::Schools) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT g.id, g.name, g.kind, m.school_id, g.core_school_id, s.code, s.name FROM school_group_member m \
             JOIN school_group g ON g.id = m.group_id JOIN school s ON s.id = m.school_id WHERE 1=1",
        );
        scope_filter(&mut q, actor, "m.school_id", None, None);
        q.push(" ORDER BY g.name, m.school_id");
        let rows = self.fetch(&q, |r| Ok((r.i(0)?, r.s(1)?, r.s(2)?, r.i(3)?, r.oi(4)?, r.s(5)?, r.s(6)?))).await?;
        Ok(rows
            .into_iter()
            .map(|(group_id, group_name, kind, school_id, core, school_code, school_name)| GroupMember {
                group_id,
                kind: eduq_core::org::GroupKind::from_key(&kind)
                    .unwrap_or_else(|| eduq_core::org::GroupKind::of_name(&group_name)),
                group_name,
                school_id,
                school_code,
                school_name,
                core: core == Some(school_id),
            })
            .collect())
    }

    /// The groups with a member in the caller's scope, each with all its members and pairs.
    pub async fn groups(&self, actor: &Actor) -> Result<Vec<GroupRow>> {
        let visible: std::collections::HashSet<i64> =
            self.group_members(actor).await?.into_iter().map(|m| m.group_id).collect();
        let groups = self
            .fetch(&Sql::new("SELECT id, name, kind, mode, core_school_id FROM school_group ORDER BY name"), |r| {
                Ok((r.i(0)?, r.s(1)?, r.s(2)?, r.s(3)?, r.oi(4)?))
            })
            .await?;
        let members = self
            .fetch(
                &Sql::new(
                    "SELECT m.group_id, s.id, s.name FROM school_group_member m JOIN school s ON s.id = m.school_id \
                     ORDER BY s.name",
                ),
                |r| Ok((r.i(0)?, r.i(1)?, r.s(2)?)),
            )
            .await?;
        let pairs = self
            .fetch(&Sql::new("SELECT group_id, urban_school_id, rural_school_id FROM group_pair"), |r| {
                Ok((r.i(0)?, r.i(1)?, r.i(2)?))
            })
            .await?;
        Ok(groups
            .into_iter()
            .filter(|(id, ..)| visible.contains(id))
            .map(|(id, name, kind, mode, core_school_id)| GroupRow {
                id,
                kind: eduq_core::org::GroupKind::from_key(&kind)
                    .unwrap_or_else(|| eduq_core::org::GroupKind::of_name(&name)),
                name,
                mode: eduq_core::org::GroupMode::from_key(&mode),
                core_school_id,
                members: members.iter().filter(|m| m.0 == id).map(|m| (m.1, m.2.clone())).collect(),
                pairs: pairs.iter().filter(|p| p.0 == id).map(|p| (p.1, p.2)).collect(),
            })
            .collect())
    }
}

impl Tx {
    /// Sets a group's running and core school (a member); the bureau.
    pub async fn set_group(
        &mut self,
        actor: &Actor,
        group_id: i64,
        mode: Option<eduq_core::org::GroupMode>,
        core: Option<i64>,
    ) -> Result<()> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        if let Some(school) = core {
            self.member_of(group_id, school).await?;
        }
        let q = Sql::new("UPDATE school_group SET mode = $1, core_school_id = $2 WHERE id = $3")
            .bind(mode.map_or("", |m| m.key()))
            .bind(core)
            .bind(group_id);
        if self.exec(&q).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Pairs an urban member with a rural member (结对); the bureau.
    pub async fn add_group_pair(&mut self, actor: &Actor, group_id: i64, urban: i64, rural: i64) -> Result<()> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        if urban == rural {
            return Err(StoreError::Conflict("结对的两所学校不能相同".into()));
        }
        self.member_of(group_id, urban).await?;
        self.member_of(group_id, rural).await?;
        self.exec(
            &Sql::new(
                "INSERT INTO group_pair (group_id, urban_school_id, rural_school_id) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(group_id)
            .bind(urban)
            .bind(rural),
        )
        .await?;
        Ok(())
    }

    /// Bundles a 村小 or 教学点 into its 中心校 for 捆绑评价 (the bureau; replaces its earlier pair).
    pub async fn set_bundle(&mut self, actor: &Actor, school: i64, center: i64, at: DateTime<Utc>) -> Result<()> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        let held: Vec<(i64, i64)> = self
            .fetch(
                &Sql::new("SELECT school_id, center_school_id FROM school_bundle WHERE school_id <> $1").bind(school),
                |r| Ok((r.i(0)?, r.i(1)?)),
            )
            .await?;
        eduq_core::org::check_bundle(&held, school, center).map_err(StoreError::Invalid)?;
        self.exec(&Sql::new("DELETE FROM school_bundle WHERE school_id = $1").bind(school)).await?;
        let q = Sql::new("INSERT INTO school_bundle (school_id, center_school_id, username) VALUES ($1, $2, $3)")
            .bind(school)
            .bind(center)
            .bind(actor.username.as_str());
        self.exec(&q).await?;
        self.audit(actor, at, "bundle_set", &format!("school:{school}"), &format!("center:{center}")).await
    }

    /// Ends a school's 捆绑评价 (the bureau).
    pub async fn remove_bundle(&mut self, actor: &Actor, school: i64, at: DateTime<Utc>) -> Result<()> {
        if !actor.role.keeps_rubrics() {
            return Err(StoreError::Forbidden);
        }
        let gone = self.exec(&Sql::new("DELETE FROM school_bundle WHERE school_id = $1").bind(school)).await?;
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(actor, at, "bundle_remove", &format!("school:{school}"), "").await
    }

    async fn member_of(&mut self, group_id: i64, school_id: i64) -> Result<()> {
        let held = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM school_group_member WHERE group_id = $1 AND school_id = $2")
                    .bind(group_id)
                    .bind(school_id),
            )
            .await?;
        if held == 0 {
            return Err(StoreError::Conflict("该学校不是本学区（集团）的成员".into()));
        }
        Ok(())
    }
}
