//! Applying validated batches: one transaction per file, natural keys, and only new or changed
//! rows written, so that importing the same file twice changes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Holding};
use eduq_core::calendar::Term;
use eduq_core::org::GroupKind;
use eduq_core::records::{ClassRecord, ConditionRecord, SchoolRecord, StudentRecord, TeacherRecord};
use eduq_core::student::SpecialFlags;
use serde::Serialize;

use crate::org::{
    CONDITION_COLS, class_record, condition_record, grade, group_map, id_list, school_groups_sql, school_ids_sql,
    school_record, school_records_sql,
};
use crate::people::{IN_CHUNK, in_list, student_record, students_sql, teacher_record, teachers_sql};
use crate::{Arg, Result, Sql, Store, System, Tx};

/// Rows up to which an import reads only its own people's stored records (larger files read
/// everything once, which is faster than thousands of keyed reads).
const SMALL_FILE: usize = 2_000;

/// The reads of a small file's own 学籍号 (in `IN` lists of [`IN_CHUNK`]), or one read of all
/// (`None`) for a large file.
fn keyed_reads(numbers: Option<&[String]>) -> Vec<Option<&[String]>> {
    match numbers {
        Some(n) => n.chunks(IN_CHUNK).map(Some).collect(),
        None => vec![None],
    }
}

/// Whose people a file names: every school record (enrolment or teacher term) of each key, to
/// decide per row with `access::may_write_person` whether the caller may write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonKey {
    /// 全国学籍号.
    Student,
    /// 工号.
    Teacher,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub username: String,
    pub kind: String,
    pub file_name: String,
    pub file_hash: String,
    pub rows_total: i64,
    pub counts: Counts,
}

/// Arguments per multi-row statement. Measured on SQLite (sqlx 0.9, 100k students): the cost of a
/// statement grows faster than its argument count, so ~300 arguments (25 student rows) imports
/// 3x faster than 4,800 (docs/benchmarks.md).
const CHUNK_ARGS: usize = 300;

/// Splits a batch against what is stored: counts, and the records to write (new or changed).
fn diff<'a, K: std::hash::Hash + Eq, R: PartialEq>(
    recs: &'a [R],
    existing: &HashMap<K, R>,
    key: impl Fn(&R) -> K,
) -> (Counts, Vec<&'a R>) {
    let mut counts = Counts::default();
    let mut changed = Vec::new();
    for r in recs {
        match existing.get(&key(r)) {
            Some(old) if old == r => counts.unchanged += 1,
            Some(_) => {
                counts.updated += 1;
                changed.push(r);
            }
            None => {
                counts.inserted += 1;
                changed.push(r);
            }
        }
    }
    (counts, changed)
}

/// For people listed in several terms of one file, the master data of the latest term wins.
fn latest_by<'a, R>(changed: &[&'a R], key: impl Fn(&R) -> &str, term: impl Fn(&R) -> Term) -> Vec<&'a R> {
    let mut latest: HashMap<&str, &'a R> = HashMap::new();
    for r in changed {
        let e = latest.entry(key(r)).or_insert(r);
        if term(r) > term(e) {
            *e = r;
        }
    }
    let mut out: Vec<&'a R> = latest.into_values().collect();
    out.sort_by(|a, b| key(a).cmp(key(b)));
    out
}

/// How a column of a JSON-array insert is read: from the row (`Int`, `Text`, `Date`) or from the
/// one timestamp bound for the whole statement (`Stamp`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum JsonCol {
    Int,
    Text,
    Date,
    Bool,
    Float,
    /// A per-row timestamp, written with [`json_ts`].
    Ts,
    Stamp,
}

/// A timestamp as a JSON-array insert expects it: the text sqlx binds on SQLite (so that stored
/// values compare as text the same way), which PostgreSQL casts to `timestamptz`.
pub(crate) fn json_ts(t: chrono::DateTime<chrono::Utc>) -> serde_json::Value {
    serde_json::Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
}

/// A subquery of the strings of the JSON array bound as `$param`, for `x IN (…)` with one
/// statement text whatever the list's length.
pub(crate) fn json_strings(pg: bool, param: usize) -> String {
    if pg {
        format!("SELECT jsonb_array_elements_text(${param}::jsonb)")
    } else {
        format!("SELECT value FROM json_each(${param})")
    }
}

/// `INSERT INTO {head} SELECT … FROM` one JSON array of rows bound as `$1` (the stamp, if any, `$2`).
fn json_insert(
    pg: bool,
    head: &str,
    cols: &[JsonCol],
    rows: &[Vec<serde_json::Value>],
    stamp: chrono::DateTime<chrono::Utc>,
    tail: &str,
) -> Sql {
    let mut k = 0;
    let exprs: Vec<String> = cols
        .iter()
        .map(|c| {
            let e = match (c, pg) {
                (JsonCol::Stamp, _) => return "$2".to_string(),
                (JsonCol::Int, true) => format!("(value->>{k})::bigint"),
                (JsonCol::Date, true) => format!("(value->>{k})::date"),
                (JsonCol::Bool, true) => format!("(value->>{k})::boolean"),
                (JsonCol::Float, true) => format!("(value->>{k})::double precision"),
                (JsonCol::Ts, true) => format!("(value->>{k})::timestamptz"),
                _ => format!("value->>{k}"),
            };
            k += 1;
            e
        })
        .collect();
    let from = if pg { "jsonb_array_elements($1::jsonb) AS t(value)" } else { "json_each($1)" };
    // "WHERE true" keeps SQLite from reading ON CONFLICT as a join constraint.
    let mut sql = Sql::new(format!("INSERT INTO {head} SELECT {} FROM {from} WHERE true {tail}", exprs.join(", ")))
        .bind(serde_json::Value::Array(rows.iter().map(|r| serde_json::Value::Array(r.clone())).collect()).to_string());
    if cols.iter().any(|c| matches!(c, JsonCol::Stamp)) {
        sql = sql.bind(stamp);
    }
    sql
}

impl Tx {
    /// `INSERT INTO {head} SELECT … FROM` one JSON array of rows (`json_each` on SQLite,
    /// `jsonb_array_elements` on PostgreSQL): thousands of rows for two bound arguments, where a
    /// multi-row VALUES costs ~2 µs per bound argument in sqlx. `rows` hold the non-`Stamp` columns
    /// in order; `stamp` fills the `Stamp` ones.
    pub(crate) async fn insert_json(
        &mut self,
        head: &str,
        cols: &[JsonCol],
        rows: &[Vec<serde_json::Value>],
        stamp: chrono::DateTime<chrono::Utc>,
        tail: &str,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let sql = json_insert(self.is_postgres(), head, cols, rows, stamp, tail);
        self.exec(&sql).await.map(|_| ())
    }

    /// As [`Tx::insert_json`] with a `RETURNING` in `tail`, mapping each returned row. The text
    /// does not change with the number of rows, so PostgreSQL prepares it once per connection.
    pub(crate) async fn insert_json_returning<T>(
        &mut self,
        head: &str,
        cols: &[JsonCol],
        rows: &[Vec<serde_json::Value>],
        stamp: chrono::DateTime<chrono::Utc>,
        tail: &str,
        map: impl Fn(&dyn crate::sql::Get) -> std::result::Result<T, sqlx::Error>,
    ) -> Result<Vec<T>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let sql = json_insert(self.is_postgres(), head, cols, rows, stamp, tail);
        self.fetch(&sql, map).await
    }

    /// `INSERT INTO {head} VALUES (...), (...) {tail}` in chunks.
    pub(crate) async fn insert_rows(&mut self, head: &str, tail: &str, rows: Vec<Vec<Arg>>) -> Result<()> {
        self.insert_rows_by(head, tail, rows, CHUNK_ARGS).await
    }

    /// As [`Tx::insert_rows`], with up to `chunk_args` arguments per statement (fact tables of
    /// 100,000 rows go in larger statements; both backends take well over 10,000).
    pub(crate) async fn insert_rows_by(
        &mut self,
        head: &str,
        tail: &str,
        rows: Vec<Vec<Arg>>,
        chunk_args: usize,
    ) -> Result<()> {
        let per = (chunk_args / rows.first().map_or(1, Vec::len).max(1)).max(1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut sql = Sql::new(format!("INSERT INTO {head} VALUES "));
            for (i, row) in rows.by_ref().take(per).enumerate() {
                if i > 0 {
                    sql.text.push(',');
                }
                let ph: Vec<String> = row.into_iter().map(|a| sql.arg(a)).collect();
                sql.text.push_str(&format!("({})", ph.join(",")));
            }
            sql.text.push(' ');
            sql.text.push_str(tail);
            self.exec(&sql).await?;
        }
        Ok(())
    }

    async fn school_ids(&mut self) -> Result<HashMap<String, i64>> {
        Ok(self.fetch(&school_ids_sql(), |r| Ok((r.s(0)?, r.i(1)?))).await?.into_iter().collect())
    }

    pub async fn apply_schools(&mut self, district_id: i64, recs: &[SchoolRecord]) -> Result<Counts> {
        let sorted = |mut g: Vec<String>| {
            g.sort();
            g
        };
        let mut groups = group_map(self.fetch(&school_groups_sql(), |r| Ok((r.s(0)?, r.s(1)?))).await?);
        // Group order in a file carries no meaning: compare sorted.
        let existing: HashMap<String, SchoolRecord> = self
            .fetch(&school_records_sql(&Actor::system()), school_record)
            .await?
            .into_iter()
            .map(|s| (s.code.clone(), SchoolRecord { groups: sorted(groups.remove(&s.code).unwrap_or_default()), ..s }))
            .collect();
        let normalised: Vec<SchoolRecord> =
            recs.iter().map(|r| SchoolRecord { groups: sorted(r.groups.clone()), ..r.clone() }).collect();
        let (counts, write) = diff(&normalised, &existing, |r| r.code.clone());
        let rows = write
            .iter()
            .map(|r| {
                vec![
                    Arg::I(district_id),
                    r.code.as_str().into(),
                    r.name.as_str().into(),
                    r.school_type.key().into(),
                    r.locale.key().into(),
                    r.ownership.key().into(),
                    Arg::B(r.inclusive),
                    Arg::B(r.purchased_places),
                ]
            })
            .collect();
        self.insert_rows(
            "school (district_id, code, name, school_type, locale, ownership, inclusive, purchased_places)",
            "ON CONFLICT (code) DO UPDATE SET name = excluded.name, school_type = excluded.school_type, locale = excluded.locale, \
             ownership = excluded.ownership, inclusive = excluded.inclusive, purchased_places = excluded.purchased_places",
            rows,
        )
        .await?;
        if write.is_empty() {
            return Ok(counts);
        }
        // Memberships of the written schools are replaced as a whole.
        let ids = self.school_ids().await?;
        let written: Vec<i64> = write.iter().filter_map(|r| ids.get(&r.code).copied()).collect();
        self.exec(&Sql::new(format!("DELETE FROM school_group_member WHERE school_id IN ({})", id_list(&written))))
            .await?;
        let names: HashSet<&str> = write.iter().flat_map(|r| r.groups.iter().map(String::as_str)).collect();
        let group_rows =
            names.iter().map(|n| vec![Arg::I(district_id), (*n).into(), GroupKind::of_name(n).key().into()]).collect();
        self.insert_rows(
            "school_group (district_id, name, kind)",
            "ON CONFLICT (district_id, name) DO NOTHING",
            group_rows,
        )
        .await?;
        let group_ids: HashMap<String, i64> = self
            .fetch(&Sql::new("SELECT name, id FROM school_group WHERE district_id = $1").bind(district_id), |r| {
                Ok((r.s(0)?, r.i(1)?))
            })
            .await?
            .into_iter()
            .collect();
        let member_rows = write
            .iter()
            .filter_map(|r| Some((ids.get(&r.code)?, &r.groups)))
            .flat_map(|(sid, gs)| gs.iter().filter_map(|g| Some(vec![Arg::I(*group_ids.get(g)?), Arg::I(*sid)])))
            .collect();
        self.insert_rows("school_group_member (group_id, school_id)", "ON CONFLICT DO NOTHING", member_rows).await?;
        Ok(counts)
    }

    /// Creates missing classes (name from the grade) and returns ids by natural key.
    async fn class_ids(
        &mut self,
        district_id: i64,
        wanted: &HashSet<(i64, i32, i64, i32)>,
    ) -> Result<HashMap<(i64, i32, i64, i32), i64>> {
        let mut rows = Vec::new();
        let mut keys: Vec<_> = wanted.iter().collect();
        keys.sort();
        for &(school_id, year, g, no) in keys {
            let name = grade(g).map(|g| format!("{}（{no}）班", g.name())).unwrap_or_default();
            rows.push(vec![
                Arg::I(district_id),
                Arg::I(school_id),
                Arg::I(i64::from(year)),
                Arg::I(g),
                Arg::I(i64::from(no)),
                Arg::T(name),
            ]);
        }
        self.insert_rows(
            "class (district_id, school_id, start_year, grade, class_no, name)",
            "ON CONFLICT (school_id, start_year, grade, class_no) DO NOTHING",
            rows,
        )
        .await?;
        let years: HashSet<i32> = wanted.iter().map(|k| k.1).collect();
        let mut out = HashMap::new();
        for y in years {
            for (k, id) in self
                .fetch(
                    &Sql::new("SELECT school_id, start_year, grade, class_no, id FROM class WHERE start_year = $1")
                        .bind(i64::from(y)),
                    |r| Ok(((r.i(0)?, r.i(1)? as i32, r.i(2)?, r.i(3)? as i32), r.i(4)?)),
                )
                .await?
            {
                out.insert(k, id);
            }
        }
        Ok(out)
    }

    pub async fn apply_classes(&mut self, district_id: i64, recs: &[ClassRecord]) -> Result<Counts> {
        let ids = self.school_ids().await?;
        let years: HashSet<i32> = recs.iter().map(|r| r.start_year).collect();
        let mut existing = HashMap::new();
        for y in years {
            for c in self
                .fetch(
                    &Sql::new("SELECT s.code, c.start_year, c.grade, c.class_no, c.name, c.head_teacher_no, ca.name FROM class c JOIN school s ON s.id = c.school_id LEFT JOIN campus ca ON ca.id = c.campus_id WHERE c.start_year = $1").bind(i64::from(y)),
                    class_record,
                )
                .await?
            {
                existing.insert((c.school_code.clone(), c.start_year, c.grade, c.class_no), c);
            }
        }
        // Campuses named in the file exist before their classes point at them.
        let mut campus_ids: HashMap<(i64, String), i64> = HashMap::new();
        for r in recs {
            if let (Some(name), Some(&sid)) = (r.campus.as_deref().filter(|c| !c.is_empty()), ids.get(&r.school_code))
                && !campus_ids.contains_key(&(sid, name.to_string()))
            {
                self.exec(
                    &Sql::new(
                        "INSERT INTO campus (school_id, name) VALUES ($1, $2) ON CONFLICT (school_id, name) DO NOTHING",
                    )
                    .bind(sid)
                    .bind(name),
                )
                .await?;
                let id = self
                    .scalar(&Sql::new("SELECT id FROM campus WHERE school_id = $1 AND name = $2").bind(sid).bind(name))
                    .await?;
                campus_ids.insert((sid, name.to_string()), id);
            }
        }
        let mut counts = Counts::default();
        let mut rows = Vec::new();
        for r in recs {
            match existing.get(&(r.school_code.clone(), r.start_year, r.grade, r.class_no)) {
                Some(old) if old == r => {
                    counts.unchanged += 1;
                    continue;
                }
                Some(_) => counts.updated += 1,
                None => counts.inserted += 1,
            }
            let Some(&sid) = ids.get(&r.school_code) else { continue };
            rows.push(vec![
                Arg::I(district_id),
                Arg::I(sid),
                Arg::I(i64::from(r.start_year)),
                Arg::I(i64::from(r.grade.number())),
                Arg::I(i64::from(r.class_no)),
                r.name.as_str().into(),
                Arg::OT(r.head_teacher_no.clone()),
                Arg::OI(r.campus.as_ref().and_then(|c| campus_ids.get(&(sid, c.clone())).copied())),
            ]);
        }
        self.insert_rows(
            "class (district_id, school_id, start_year, grade, class_no, name, head_teacher_no, campus_id)",
            "ON CONFLICT (school_id, start_year, grade, class_no) DO UPDATE SET name = excluded.name, head_teacher_no = excluded.head_teacher_no, campus_id = excluded.campus_id",
            rows,
        )
        .await?;
        Ok(counts)
    }

    pub async fn apply_students(&mut self, district_id: i64, recs: &[StudentRecord]) -> Result<Counts> {
        let schools = self.school_ids().await?;
        let system = Actor::system();
        // Existing enrolments of the terms in the file, and existing master rows: of the file's own
        // pupils for a small file (a 2-row preview read the whole district, 1.4 s), else all of them.
        let numbers: Option<Vec<String>> = (recs.len() <= SMALL_FILE).then(|| {
            let set: std::collections::BTreeSet<&str> = recs.iter().map(|r| r.student_no.as_str()).collect();
            set.into_iter().map(str::to_string).collect()
        });
        let chunks = keyed_reads(numbers.as_deref());
        let terms: HashSet<Term> = recs.iter().map(|r| r.term).collect();
        let mut term_ids = HashMap::new();
        let mut existing: HashMap<(String, Term), StudentRecord> = HashMap::new();
        for t in terms {
            let tid = self.ensure_term(t).await?;
            term_ids.insert(t, tid);
            for only in &chunks {
                for rec in self.fetch(&students_sql(tid, &system, *only), |r| student_record(r, t, true, true)).await? {
                    existing.insert((rec.student_no.clone(), t), rec);
                }
            }
        }
        type Master = (String, String, chrono::NaiveDate, String, Option<String>, SpecialFlags);
        let mut masters: HashMap<String, (i64, Master)> = HashMap::new();
        for only in &chunks {
            let mut q = Sql::new(
                "SELECT id, student_no, name, sex, birth_date, ethnicity, id_card, disability, poverty, left_behind, migrant, single_parent FROM student WHERE 1=1",
            );
            if let Some(n) = only {
                in_list(&mut q, "student_no", n);
            }
            let rows = self
                .fetch(&q, |r| {
                    let flags = SpecialFlags::from_array([r.b(7)?, r.b(8)?, r.b(9)?, r.b(10)?, r.b(11)?]);
                    Ok((r.s(1)?, (r.i(0)?, (r.s(2)?, r.s(3)?, r.d(4)?, r.s(5)?, r.os(6)?, flags))))
                })
                .await?;
            masters.extend(rows);
        }
        let (counts, changed) = diff(recs, &existing, |r| (r.student_no.clone(), r.term));
        if changed.is_empty() {
            return Ok(counts);
        }
        let latest = latest_by(&changed, |r| r.student_no.as_str(), |r| r.term);
        let mut master_rows = Vec::new();
        for r in &latest {
            let no = r.student_no.as_str();
            let m: Master = (
                r.name.clone(),
                r.sex.key().to_string(),
                r.birth_date,
                r.ethnicity.clone(),
                r.id_card.clone(),
                r.flags,
            );
            if masters.get(no).is_some_and(|(_, old)| old == &m) {
                continue;
            }
            let f = r.flags;
            master_rows.push(vec![
                Arg::I(district_id),
                r.student_no.as_str().into(),
                r.name.as_str().into(),
                r.sex.key().into(),
                Arg::D(r.birth_date),
                r.ethnicity.as_str().into(),
                Arg::OT(r.id_card.clone()),
                Arg::B(f.disability),
                Arg::B(f.poverty),
                Arg::B(f.left_behind),
                Arg::B(f.migrant),
                Arg::B(f.single_parent),
            ]);
        }
        self.insert_rows(
            "student (district_id, student_no, name, sex, birth_date, ethnicity, id_card, disability, poverty, left_behind, migrant, single_parent)",
            "ON CONFLICT (student_no) DO UPDATE SET name = excluded.name, sex = excluded.sex, birth_date = excluded.birth_date, ethnicity = excluded.ethnicity, id_card = excluded.id_card, disability = excluded.disability, poverty = excluded.poverty, left_behind = excluded.left_behind, migrant = excluded.migrant, single_parent = excluded.single_parent",
            master_rows,
        )
        .await?;
        let mut student_ids: HashMap<String, i64> = masters.iter().map(|(k, (id, _))| (k.clone(), *id)).collect();
        let new: Vec<String> =
            latest.iter().filter(|r| !masters.contains_key(&r.student_no)).map(|r| r.student_no.clone()).collect();
        if !new.is_empty() {
            for only in keyed_reads(numbers.as_ref().map(|_| new.as_slice())) {
                let mut q = Sql::new("SELECT student_no, id FROM student WHERE 1=1");
                if let Some(n) = only {
                    in_list(&mut q, "student_no", n);
                }
                student_ids.extend(self.fetch(&q, |r| Ok((r.s(0)?, r.i(1)?))).await?);
            }
        }
        let wanted: HashSet<(i64, i32, i64, i32)> = changed
            .iter()
            .filter_map(|r| {
                Some((*schools.get(&r.school_code)?, r.term.start_year, i64::from(r.grade.number()), r.class_no))
            })
            .collect();
        let classes = self.class_ids(district_id, &wanted).await?;
        let mut rows = Vec::new();
        for r in changed {
            let (Some(&sid), Some(&stid)) = (schools.get(&r.school_code), student_ids.get(&r.student_no)) else {
                continue;
            };
            let Some(&cid) = classes.get(&(sid, r.term.start_year, i64::from(r.grade.number()), r.class_no)) else {
                continue;
            };
            rows.push(vec![
                Arg::I(district_id),
                Arg::I(sid),
                Arg::I(term_ids[&r.term]),
                Arg::I(stid),
                Arg::I(cid),
                Arg::I(i64::from(r.grade.number())),
                r.status.key().into(),
                Arg::OD(r.status_date),
                Arg::OT(r.destination.clone()),
            ]);
        }
        self.insert_rows(
            "enrolment (district_id, school_id, term_id, student_id, class_id, grade, status, status_date, destination)",
            "ON CONFLICT (student_id, term_id) DO UPDATE SET school_id = excluded.school_id, class_id = excluded.class_id, grade = excluded.grade, status = excluded.status, status_date = excluded.status_date, destination = excluded.destination",
            rows,
        )
        .await?;
        Ok(counts)
    }

    pub async fn apply_teachers(&mut self, district_id: i64, recs: &[TeacherRecord]) -> Result<Counts> {
        let schools = self.school_ids().await?;
        let system = Actor::system();
        let terms: HashSet<Term> = recs.iter().map(|r| r.term).collect();
        let mut term_ids = HashMap::new();
        let mut existing: HashMap<(String, Term), TeacherRecord> = HashMap::new();
        for t in terms {
            let tid = self.ensure_term(t).await?;
            term_ids.insert(t, tid);
            for rec in self.fetch(&teachers_sql(tid, &system), |r| teacher_record(r, t)).await? {
                existing.insert((rec.staff_no.clone(), t), rec);
            }
        }
        let (counts, changed) = diff(recs, &existing, |r| (r.staff_no.clone(), r.term));
        if changed.is_empty() {
            return Ok(counts);
        }
        let latest = latest_by(&changed, |r| r.staff_no.as_str(), |r| r.term);
        let master_rows = latest
            .iter()
            .map(|r| {
                vec![
                    Arg::I(district_id),
                    r.staff_no.as_str().into(),
                    r.name.as_str().into(),
                    r.sex.key().into(),
                    Arg::D(r.birth_date),
                    r.education.key().into(),
                    r.title.key().into(),
                    r.subjects.join("、").into(),
                    r.post.key().into(),
                    r.backbone.key().into(),
                    r.tier.key().into(),
                    Arg::B(r.certified),
                    Arg::OD(r.registered_on),
                ]
            })
            .collect();
        self.insert_rows(
            "teacher (district_id, staff_no, name, sex, birth_date, education, title, subjects, post, backbone, tier, certified, registered_on)",
            "ON CONFLICT (staff_no) DO UPDATE SET name = excluded.name, sex = excluded.sex, birth_date = excluded.birth_date, education = excluded.education, title = excluded.title, subjects = excluded.subjects, post = excluded.post, backbone = excluded.backbone, tier = excluded.tier, certified = excluded.certified, registered_on = excluded.registered_on",
            master_rows,
        )
        .await?;
        let ids: HashMap<String, i64> = self
            .fetch(&Sql::new("SELECT staff_no, id FROM teacher"), |r| Ok((r.s(0)?, r.i(1)?)))
            .await?
            .into_iter()
            .collect();
        let rows = changed
            .iter()
            .filter_map(|r| {
                Some(vec![
                    Arg::I(district_id),
                    Arg::I(*schools.get(&r.school_code)?),
                    Arg::I(term_ids[&r.term]),
                    Arg::I(*ids.get(&r.staff_no)?),
                    Arg::B(r.head_teacher),
                    Arg::OD(r.joined_school),
                ])
            })
            .collect();
        self.insert_rows(
            "teacher_term (district_id, school_id, term_id, teacher_id, head_teacher, joined_school)",
            "ON CONFLICT (teacher_id, term_id) DO UPDATE SET school_id = excluded.school_id, head_teacher = excluded.head_teacher, joined_school = excluded.joined_school",
            rows,
        )
        .await?;
        Ok(counts)
    }

    pub async fn apply_conditions(&mut self, district_id: i64, recs: &[ConditionRecord]) -> Result<Counts> {
        let schools = self.school_ids().await?;
        let existing: HashMap<(String, i32), ConditionRecord> = self
            .fetch(
                &Sql::new(format!(
                    "SELECT {CONDITION_COLS} FROM school_condition c JOIN school s ON s.id = c.school_id"
                )),
                condition_record,
            )
            .await?
            .into_iter()
            .map(|c| ((c.school_code.clone(), c.start_year), c))
            .collect();
        let mut counts = Counts::default();
        let mut rows = Vec::new();
        for c in recs {
            match existing.get(&(c.school_code.clone(), c.start_year)) {
                Some(old) if old == c => {
                    counts.unchanged += 1;
                    continue;
                }
                Some(_) => counts.updated += 1,
                None => counts.inserted += 1,
            }
            let Some(&sid) = schools.get(&c.school_code) else { continue };
            rows.push(vec![
                Arg::I(district_id),
                Arg::I(sid),
                Arg::I(i64::from(c.start_year)),
                Arg::F(c.land_area),
                Arg::F(c.building_area),
                Arg::F(c.teaching_area),
                Arg::F(c.sports_outdoor_area),
                Arg::F(c.sports_indoor_area),
                Arg::F(c.equipment_value),
                Arg::I(c.multimedia_rooms),
                Arg::I(c.student_computers),
                Arg::I(c.teacher_computers),
                Arg::I(c.books),
                Arg::F(c.bandwidth_mbps),
                Arg::I(c.music_rooms),
                Arg::F(c.music_area),
                Arg::I(c.art_rooms),
                Arg::F(c.art_area),
            ]);
        }
        let cols = "land_area, building_area, teaching_area, sports_outdoor_area, sports_indoor_area, equipment_value, multimedia_rooms, student_computers, teacher_computers, books, bandwidth_mbps, music_rooms, music_area, art_rooms, art_area";
        let set: Vec<String> = cols.split(", ").map(|c| format!("{c} = excluded.{c}")).collect();
        self.insert_rows(
            &format!("school_condition (district_id, school_id, start_year, {cols})"),
            &format!("ON CONFLICT (school_id, start_year) DO UPDATE SET {}", set.join(", ")),
            rows,
        )
        .await?;
        Ok(counts)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn record_import(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        kind: &str,
        file_name: &str,
        file_hash: &str,
        rows_total: i64,
        c: Counts,
    ) -> Result<()> {
        self.exec(
            &Sql::new("INSERT INTO import_batch (at, user_id, username, kind, file_name, file_hash, rows_total, inserted, updated, unchanged) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(at)
                .bind((actor.user_id > 0).then_some(actor.user_id))
                .bind(actor.username.as_str())
                .bind(kind)
                .bind(file_name)
                .bind(file_hash)
                .bind(rows_total)
                .bind(c.inserted)
                .bind(c.updated)
                .bind(c.unchanged),
        )
        .await
        .map(|_| ())
    }
}

impl Store {
    /// Import history: an administrator sees all, others their own.
    pub async fn list_imports(&self, actor: &Actor, limit: i64) -> Result<Vec<ImportEntry>> {
        let mut q = Sql::new(
            "SELECT id, at, username, kind, file_name, file_hash, rows_total, inserted, updated, unchanged FROM import_batch WHERE 1=1",
        );
        if actor.role != eduq_core::access::Role::Admin {
            q.push_arg(" AND username = ?", actor.username.as_str());
        }
        q.push_arg(" ORDER BY id DESC LIMIT ?", limit);
        self.fetch(&q, |r| {
            Ok(ImportEntry {
                id: r.i(0)?,
                at: r.ts(1)?,
                username: r.s(2)?,
                kind: r.s(3)?,
                file_name: r.s(4)?,
                file_hash: r.s(5)?,
                rows_total: r.i(6)?,
                counts: Counts { inserted: r.i(7)?, updated: r.i(8)?, unchanged: r.i(9)? },
            })
        })
        .await
    }
}

impl System<'_> {
    /// Where each of `keys` is recorded (keys not yet known are absent). Unscoped on purpose: the
    /// answer holds only school ids, and it is what lets an import refuse a person of another school.
    pub async fn holdings(&self, kind: PersonKey, keys: &[&str]) -> Result<HashMap<String, Vec<Holding>>> {
        let (from, key) = match kind {
            PersonKey::Student => {
                ("enrolment e JOIN student p ON p.id = e.student_id JOIN term t ON t.id = e.term_id", "p.student_no")
            }
            PersonKey::Teacher => {
                ("teacher_term e JOIN teacher p ON p.id = e.teacher_id JOIN term t ON t.id = e.term_id", "p.staff_no")
            }
        };
        let status = if kind == PersonKey::Student { "e.status" } else { "''" };
        let mut out: HashMap<String, Vec<Holding>> = HashMap::new();
        for chunk in keys.chunks(500) {
            let mut q = Sql::new(format!(
                "SELECT {key}, e.school_id, t.start_year, t.term_no, {status} FROM {from} WHERE {key} IN ("
            ));
            for (i, k) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                let p = q.arg(*k);
                q.push(&p);
            }
            q.push(")");
            let rows = self
                .fetch(&q, |r| {
                    let released =
                        eduq_core::student::EnrolmentStatus::from_key(&r.s(4)?).is_some_and(|s| s.releases_pupil());
                    Ok((r.s(0)?, Holding { school_id: r.i(1)?, term: (r.i(2)?, r.i(3)?), released }))
                })
                .await?;
            for (k, h) in rows {
                out.entry(k).or_default().push(h);
            }
        }
        Ok(out)
    }
}
