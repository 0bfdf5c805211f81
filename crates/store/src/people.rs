//! Students and teachers: scoped lists, details and exports.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::Term;
use eduq_core::grade::Grade;
use eduq_core::identity::{mask_id_card, mask_student_number};
use eduq_core::records::{StudentRecord, TeacherRecord};
use eduq_core::student::{EnrolmentStatus, Sex, SpecialFlags};
use eduq_core::teacher::{BackboneLevel, Education, Post, Tier, Title};
use serde::Serialize;

use crate::keyset::{KeyCol, KeyKind};
use crate::org::{grade, key, scope_filter};
use crate::{Get, KeyPage, Result, Sql, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StudentSort {
    #[default]
    Class,
    Name,
    StudentNo,
    Birth,
}

impl StudentSort {
    /// The query value of the order (as serde reads it).
    pub fn key(self) -> &'static str {
        match self {
            StudentSort::Class => "class",
            StudentSort::Name => "name",
            StudentSort::StudentNo => "student_no",
            StudentSort::Birth => "birth",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct StudentQuery {
    pub term_id: i64,
    /// Name or 学籍号 (prefix).
    pub q: Option<String>,
    pub school_id: Option<i64>,
    pub grade: Option<i64>,
    pub class_id: Option<i64>,
    /// The cursor of the page ([`KeyPage::next`] of the one before); none for the first.
    pub after: Option<String>,
    pub per_page: i64,
    pub sort: StudentSort,
}

#[derive(Debug, Clone, Serialize)]
pub struct StudentListRow {
    pub id: i64,
    pub student_no: String,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub school_name: String,
    pub grade: Grade,
    pub class_name: String,
    pub status: EnrolmentStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnrolmentRow {
    pub term: Term,
    pub school_name: String,
    pub grade: Grade,
    pub class_name: String,
    pub status: EnrolmentStatus,
    pub status_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StudentDetail {
    pub id: i64,
    pub student_no: String,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub ethnicity: String,
    /// Always masked: 110105********002X.
    pub id_card_masked: String,
    /// Present only for roles that may read special groups; the read is audited.
    pub flags: Option<SpecialFlags>,
    pub history: Vec<EnrolmentRow>,
}

#[derive(Debug, Clone, Default)]
pub struct TeacherQuery {
    pub term_id: i64,
    pub q: Option<String>,
    pub school_id: Option<i64>,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TeacherRow {
    pub id: i64,
    pub staff_no: String,
    pub name: String,
    pub sex: Sex,
    pub school_name: String,
    pub education: Education,
    pub title: Title,
    pub subjects: String,
    pub post: Post,
    pub head_teacher: bool,
    pub backbone: BackboneLevel,
    pub tier: Tier,
}

/// Values bound in one `IN (…)` list: well under both databases' limits on arguments.
pub(crate) const IN_CHUNK: usize = 1_000;

fn sex(s: String) -> std::result::Result<Sex, sqlx::Error> {
    key(s, "sex", Sex::from_key)
}
fn status(s: String) -> std::result::Result<EnrolmentStatus, sqlx::Error> {
    key(s, "status", EnrolmentStatus::from_key)
}

impl Store {
    /// One page of students of a term in the caller's scope, by keyset, and how many match.
    pub async fn list_students(&self, actor: &Actor, q: &StudentQuery) -> Result<KeyPage<StudentListRow>> {
        let text = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let filters = |from: &str| {
            let mut w = Sql::new(from);
            w.push_arg(" AND e.term_id = ?", q.term_id);
            scope_filter(&mut w, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
            if let Some(text) = text {
                let a = w.arg(format!("{text}%"));
                let b = w.arg(text.to_ascii_uppercase() + "%");
                w.push(&format!(" AND (st.name LIKE {a} OR st.student_no LIKE {b})"));
            }
            if let Some(id) = q.school_id {
                w.push_arg(" AND e.school_id = ?", id);
            }
            if let Some(g) = q.grade {
                w.push_arg(" AND e.grade = ?", g);
            }
            if let Some(c) = q.class_id {
                w.push_arg(" AND e.class_id = ?", c);
            }
            w
        };
        // The count reads the enrolment index alone unless a name is searched or sorted on.
        let count = filters(if text.is_some() {
            "SELECT COUNT(*) FROM enrolment e JOIN student st ON st.id = e.student_id WHERE 1=1"
        } else {
            "SELECT COUNT(*) FROM enrolment e WHERE 1=1"
        });
        // In an order of the pupil's own (name, 学籍号), the pupils lead: SQLite then walks the
        // name index and stops after a page, where it sorted every enrolment of the term before
        // (49 answers a second under 50 clients). CROSS JOIN fixes the order on SQLite; PostgreSQL
        // plans it as any join.
        let list = filters(match q.sort {
            StudentSort::Class => {
                " FROM enrolment e JOIN student st ON st.id = e.student_id JOIN school s ON s.id = e.school_id JOIN class c ON c.id = e.class_id WHERE 1=1"
            }
            _ => {
                " FROM student st CROSS JOIN enrolment e JOIN school s ON s.id = e.school_id JOIN class c ON c.id = e.class_id WHERE st.id = e.student_id"
            }
        });
        use KeyKind::{Date, Int, Text};
        let keys: &[KeyCol] = match q.sort {
            StudentSort::Class => &[
                KeyCol("e.school_id", Int),
                KeyCol("e.grade", Int),
                KeyCol("e.class_id", Int),
                KeyCol("e.student_id", Int),
            ],
            StudentSort::Name => &[KeyCol("st.name", Text), KeyCol("st.id", Int)],
            StudentSort::StudentNo => &[KeyCol("st.student_no", Text), KeyCol("st.id", Int)],
            StudentSort::Birth => &[KeyCol("st.birth_date", Date), KeyCol("st.id", Int)],
        };
        let cols =
            ["st.id", "st.student_no", "st.name", "st.sex", "st.birth_date", "s.name", "e.grade", "c.name", "e.status"];
        let full = actor.role.reads_full_identity();
        let count_key = format!(
            "students|{}|{}|{text:?}|{:?}|{:?}|{:?}",
            crate::reader_key(actor),
            q.term_id,
            q.school_id,
            q.grade,
            q.class_id
        );
        self.keyset((count, count_key), list, &cols, keys, q.after.as_deref(), q.per_page, |r| {
            Ok(StudentListRow {
                id: r.i(0)?,
                student_no: shown_student_no(full, r.s(1)?),
                name: r.s(2)?,
                sex: sex(r.s(3)?)?,
                birth_date: r.d(4)?,
                school_name: r.s(5)?,
                grade: grade(r.i(6)?)?,
                class_name: r.s(7)?,
                status: status(r.s(8)?)?,
            })
        })
        .await
    }

    /// A student the caller may see (an enrolment in their scope), with history. Special-group
    /// flags are read only for roles that need them, and that read is written to the audit log.
    pub async fn student_detail(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<StudentDetail> {
        let mut visible = Sql::new("SELECT COUNT(*) FROM enrolment e WHERE 1=1");
        visible.push_arg(" AND e.student_id = ?", id);
        scope_filter(&mut visible, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        if self.scalar(&visible).await? == 0 {
            return Err(StoreError::NotFound);
        }
        let base = self
            .fetch_opt(
                &Sql::new("SELECT student_no, name, sex, birth_date, ethnicity, id_card, disability, poverty, left_behind, migrant, single_parent FROM student WHERE id = $1").bind(id),
                |r| {
                    Ok((
                        r.s(0)?,
                        r.s(1)?,
                        sex(r.s(2)?)?,
                        r.d(3)?,
                        r.s(4)?,
                        r.os(5)?,
                        SpecialFlags::from_array([r.b(6)?, r.b(7)?, r.b(8)?, r.b(9)?, r.b(10)?]),
                    ))
                },
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut hist = Sql::new(
            "SELECT t.start_year, t.term_no, s.name, e.grade, c.name, e.status, e.status_date FROM enrolment e JOIN term t ON t.id = e.term_id JOIN school s ON s.id = e.school_id JOIN class c ON c.id = e.class_id WHERE 1=1",
        );
        hist.push_arg(" AND e.student_id = ?", id);
        hist.push(" ORDER BY t.start_year DESC, t.term_no DESC");
        let history = self
            .fetch(&hist, |r| {
                Ok(EnrolmentRow {
                    term: Term { start_year: r.i(0)? as i32, term_no: r.i(1)? as u8 },
                    school_name: r.s(2)?,
                    grade: grade(r.i(3)?)?,
                    class_name: r.s(4)?,
                    status: status(r.s(5)?)?,
                    status_date: r.od(6)?,
                })
            })
            .await?;
        let flags = if actor.role.reads_special_groups() {
            self.audit(actor, now, "read_special_groups", &format!("student:{}", base.0), "查看特殊群体标识").await?;
            Some(base.6)
        } else {
            None
        };
        Ok(StudentDetail {
            id,
            student_no: shown_student_no(actor.role.reads_full_identity(), base.0),
            name: base.1,
            sex: base.2,
            birth_date: base.3,
            ethnicity: base.4,
            id_card_masked: base.5.as_deref().map(mask_id_card).unwrap_or_default(),
            flags,
            history,
        })
    }

    /// Students of a term in the import layout. Special-group columns are filled only for
    /// roles that may read them (and the export is audited by the caller).
    pub async fn export_students(&self, actor: &Actor, term: Term) -> Result<Vec<StudentRecord>> {
        let Some(term_id) = self.term_id(term).await? else { return Ok(vec![]) };
        let flags_ok = actor.role.reads_special_groups();
        let full = actor.role.reads_full_identity();
        self.fetch(&students_sql(term_id, actor, None), |r| student_record(r, term, flags_ok, full)).await
    }

    /// The records of a term's pupils by 学籍号, in scope and as the caller may read them.
    pub async fn students_by_number(
        &self,
        actor: &Actor,
        term: Term,
        numbers: &[String],
    ) -> Result<Vec<StudentRecord>> {
        let Some(term_id) = self.term_id(term).await? else { return Ok(vec![]) };
        let flags_ok = actor.role.reads_special_groups();
        let full = actor.role.reads_full_identity();
        let mut out = Vec::new();
        for chunk in numbers.chunks(IN_CHUNK) {
            out.extend(
                self.fetch(&students_sql(term_id, actor, Some(chunk)), |r| student_record(r, term, flags_ok, full))
                    .await?,
            );
        }
        Ok(out)
    }

    /// What is stored of the caller's pupils by 学籍号 — 民族, 身份证号 and the special-group flags —
    /// for a students import that leaves those columns out.
    pub async fn student_masters(
        &self,
        actor: &Actor,
        numbers: &[String],
    ) -> Result<HashMap<String, (String, Option<String>, SpecialFlags)>> {
        let role = actor.role;
        if !role.may_write(Resource::Students) || !role.reads_special_groups() || !role.reads_full_identity() {
            return Err(StoreError::Forbidden);
        }
        let mut out = HashMap::new();
        for chunk in numbers.chunks(IN_CHUNK) {
            let mut q = Sql::new(
                "SELECT student_no, ethnicity, id_card, disability, poverty, left_behind, migrant, single_parent FROM student st WHERE 1=1",
            );
            in_list(&mut q, "st.student_no", chunk);
            // Only pupils the caller holds: another school's record never reaches a file's rows.
            q.push(" AND EXISTS (SELECT 1 FROM enrolment e WHERE e.student_id = st.id");
            scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
            q.push(")");
            for (no, m) in self
                .fetch(&q, |r| {
                    let flags = SpecialFlags::from_array([r.b(3)?, r.b(4)?, r.b(5)?, r.b(6)?, r.b(7)?]);
                    Ok((r.s(0)?, (r.s(1)?, r.os(2)?, flags)))
                })
                .await?
            {
                out.insert(no, m);
            }
        }
        Ok(out)
    }

    /// Memoised per reader and query until the next write (the district's list is counted and
    /// paged by offset over every teacher of the term).
    pub async fn list_teachers(&self, actor: &Actor, q: &TeacherQuery) -> Result<(Vec<TeacherRow>, i64)> {
        let key = format!("teachers|{}|{q:?}", crate::reader_key(actor));
        self.memoised(&key, self.read_teachers(actor, q)).await
    }

    async fn read_teachers(&self, actor: &Actor, q: &TeacherQuery) -> Result<(Vec<TeacherRow>, i64)> {
        if !actor.role.may_read(Resource::Teachers) {
            return Err(StoreError::Forbidden);
        }
        let mut w = Sql::new(
            " FROM teacher_term tt JOIN teacher t ON t.id = tt.teacher_id JOIN school s ON s.id = tt.school_id WHERE 1=1",
        );
        w.push_arg(" AND tt.term_id = ?", q.term_id);
        scope_filter(&mut w, actor, "tt.school_id", None, None);
        if let Some(text) = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let a = w.arg(format!("{text}%"));
            w.push(&format!(" AND (t.name LIKE {a} OR t.staff_no LIKE {a})"));
        }
        if let Some(id) = q.school_id {
            w.push_arg(" AND tt.school_id = ?", id);
        }
        let cols = "t.id, t.staff_no, t.name, t.sex, s.name, t.education, t.title, t.subjects, t.post, tt.head_teacher, t.backbone, t.tier";
        self.paged(w, cols, "s.code, t.staff_no", q.page, q.per_page.clamp(1, 200), None, |r| {
            Ok(TeacherRow {
                id: r.i(0)?,
                staff_no: r.s(1)?,
                name: r.s(2)?,
                sex: sex(r.s(3)?)?,
                school_name: r.s(4)?,
                education: key(r.s(5)?, "education", Education::from_key)?,
                title: key(r.s(6)?, "title", Title::from_key)?,
                subjects: r.s(7)?,
                post: key(r.s(8)?, "post", Post::from_key)?,
                head_teacher: r.b(9)?,
                backbone: key(r.s(10)?, "backbone", BackboneLevel::from_key)?,
                tier: key(r.s(11)?, "tier", Tier::from_key)?,
            })
        })
        .await
    }

    pub async fn export_teachers(&self, actor: &Actor, term: Term) -> Result<Vec<TeacherRecord>> {
        if !actor.role.may_read(Resource::Teachers) {
            return Err(StoreError::Forbidden);
        }
        let Some(term_id) = self.term_id(term).await? else { return Ok(vec![]) };
        self.fetch(&teachers_sql(term_id, actor), |r| teacher_record(r, term)).await
    }
}

/// Teachers of a term in the import layout's column order, in the caller's scope.
pub(crate) fn teachers_sql(term_id: i64, actor: &Actor) -> Sql {
    let mut q = Sql::new(
        "SELECT s.code, t.staff_no, t.name, t.sex, t.birth_date, t.education, t.title, t.subjects, t.post, tt.head_teacher, t.backbone, t.tier, t.certified, tt.joined_school, t.registered_on
         FROM teacher_term tt JOIN teacher t ON t.id = tt.teacher_id JOIN school s ON s.id = tt.school_id WHERE 1=1",
    );
    q.push_arg(" AND tt.term_id = ?", term_id);
    scope_filter(&mut q, actor, "tt.school_id", None, None);
    q.push(" ORDER BY s.code, t.staff_no");
    q
}

pub(crate) fn teacher_record(r: &dyn Get, term: Term) -> std::result::Result<TeacherRecord, sqlx::Error> {
    let subjects: String = r.s(7)?;
    Ok(TeacherRecord {
        term,
        school_code: r.s(0)?,
        staff_no: r.s(1)?,
        name: r.s(2)?,
        sex: sex(r.s(3)?)?,
        birth_date: r.d(4)?,
        education: key(r.s(5)?, "education", Education::from_key)?,
        title: key(r.s(6)?, "title", Title::from_key)?,
        subjects: subjects.split('、').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        post: key(r.s(8)?, "post", Post::from_key)?,
        head_teacher: r.b(9)?,
        backbone: key(r.s(10)?, "backbone", BackboneLevel::from_key)?,
        tier: key(r.s(11)?, "tier", Tier::from_key)?,
        certified: r.b(12)?,
        joined_school: r.od(13)?,
        registered_on: r.od(14)?,
    })
}

/// Students of a term in the import layout's column order, in the caller's scope.
/// The term's pupils in scope as records; `only` these 学籍号 when given (a small import reads
/// its own pupils, not the district's).
pub(crate) fn students_sql(term_id: i64, actor: &Actor, only: Option<&[String]>) -> Sql {
    let mut q = Sql::new(
        "SELECT s.code, e.grade, c.class_no, st.student_no, st.name, st.sex, st.birth_date, st.ethnicity, st.id_card, e.status, e.status_date, st.disability, st.poverty, st.left_behind, st.migrant, st.single_parent, e.destination
         FROM enrolment e JOIN student st ON st.id = e.student_id JOIN school s ON s.id = e.school_id JOIN class c ON c.id = e.class_id WHERE 1=1",
    );
    q.push_arg(" AND e.term_id = ?", term_id);
    scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
    if let Some(numbers) = only {
        in_list(&mut q, "st.student_no", numbers);
    }
    q.push(" ORDER BY s.code, e.grade, c.class_no, st.student_no");
    q
}

/// ` AND {column} IN (…)` with one argument per value (an empty list matches nothing).
pub(crate) fn in_list(q: &mut Sql, column: &str, values: &[String]) {
    if values.is_empty() {
        q.push(" AND 1 = 0");
        return;
    }
    let marks: Vec<String> = values.iter().map(|v| q.arg(v.as_str())).collect();
    q.push(&format!(" AND {column} IN ({})", marks.join(", ")));
}

/// A 学籍号 as the caller may read it: in full for those who keep 学籍, else masked.
fn shown_student_no(full: bool, number: String) -> String {
    if full { number } else { mask_student_number(&number) }
}

/// A record as the caller may read it: masked 学籍号 and 身份证号 unless `full`
/// (`Role::reads_full_identity`); special-group flags only with `flags_ok`.
pub(crate) fn student_record(
    r: &dyn Get,
    term: Term,
    flags_ok: bool,
    full: bool,
) -> std::result::Result<StudentRecord, sqlx::Error> {
    Ok(StudentRecord {
        term,
        school_code: r.s(0)?,
        grade: grade(r.i(1)?)?,
        class_no: r.i(2)? as i32,
        student_no: shown_student_no(full, r.s(3)?),
        name: r.s(4)?,
        sex: sex(r.s(5)?)?,
        birth_date: r.d(6)?,
        ethnicity: r.s(7)?,
        id_card: r.os(8)?.map(|c| if full { c } else { mask_id_card(&c) }),
        status: status(r.s(9)?)?,
        status_date: r.od(10)?,
        destination: r.os(16)?,
        flags: if flags_ok {
            SpecialFlags::from_array([r.b(11)?, r.b(12)?, r.b(13)?, r.b(14)?, r.b(15)?])
        } else {
            SpecialFlags::default()
        },
    })
}
