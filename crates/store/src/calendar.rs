//! Teaching calendars: the district's and each school's 教学日, holidays and make-up days.

use std::collections::HashMap;

use chrono::NaiveDate;
use eduq_core::access::Actor;
use eduq_core::calendar::{DayKind, TeachingCalendar};
use serde::Serialize;

use crate::org::{actor_school, id_list};
use crate::{Get, Result, Sql, Store, Tx};

/// District calendar entries and those of `schools` in a date range.
fn calendar_sql(schools: &[i64], from: NaiveDate, to: NaiveDate) -> Sql {
    Sql::new(format!(
        "SELECT school_id, day, kind FROM calendar_day WHERE (school_id IS NULL OR school_id IN ({})) \
         AND day >= $1 AND day <= $2",
        id_list(schools)
    ))
    .bind(from)
    .bind(to)
}

fn calendar_row(r: &dyn Get) -> std::result::Result<(Option<i64>, NaiveDate, String), sqlx::Error> {
    Ok((r.oi(0)?, r.d(1)?, r.s(2)?))
}

/// The district's calendar and each listed school's (district entries, the school's own winning).
fn calendars(
    rows: Vec<(Option<i64>, NaiveDate, String)>,
    from: NaiveDate,
    to: NaiveDate,
) -> (TeachingCalendar, HashMap<i64, TeachingCalendar>) {
    let mut district = TeachingCalendar::new(from, to);
    for (_, day, kind) in rows.iter().filter(|r| r.0.is_none()) {
        if let Some(k) = DayKind::from_key(kind) {
            district.exceptions.insert(*day, k);
        }
    }
    let mut own: HashMap<i64, TeachingCalendar> = HashMap::new();
    for (school, day, kind) in &rows {
        if let (Some(school), Some(k)) = (school, DayKind::from_key(kind)) {
            own.entry(*school).or_insert_with(|| district.clone()).exceptions.insert(*day, k);
        }
    }
    (district, own)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarEntry {
    pub school_id: Option<i64>,
    pub school_name: String,
    pub day: NaiveDate,
    pub kind: DayKind,
    pub note: String,
}

impl Store {
    /// Each listed school's teaching calendar, read in one query (schools without entries of
    /// their own get the district's).
    pub async fn teaching_calendars(
        &self,
        schools: &[i64],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<HashMap<i64, TeachingCalendar>> {
        let rows = self.fetch(&calendar_sql(schools, from, to), calendar_row).await?;
        let (district, mut own) = calendars(rows, from, to);
        Ok(schools.iter().map(|s| (*s, own.remove(s).unwrap_or_else(|| district.clone()))).collect())
    }

    /// The teaching calendar of a school for a term: district entries, overridden by the school's own;
    /// with `None`, the district's alone.
    pub async fn teaching_calendar(
        &self,
        school_id: Option<i64>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<TeachingCalendar> {
        let schools: Vec<i64> = school_id.into_iter().collect();
        let rows = self.fetch(&calendar_sql(&schools, from, to), calendar_row).await?;
        let (district, mut own) = calendars(rows, from, to);
        Ok(school_id.and_then(|s| own.remove(&s)).unwrap_or(district))
    }

    /// Calendar entries the caller may see (district-wide ones and the own school's).
    pub async fn calendar_entries(&self, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<Vec<CalendarEntry>> {
        let mut q = Sql::new(
            "SELECT k.school_id, COALESCE(s.name, '全区'), k.day, k.kind, k.note FROM calendar_day k \
             LEFT JOIN school s ON s.id = k.school_id WHERE 1=1",
        );
        q.push_arg(" AND k.day >= ?", from);
        q.push_arg(" AND k.day <= ?", to);
        if let Some(school) = actor_school(actor) {
            q.push_arg(" AND (k.school_id IS NULL OR k.school_id = ?)", school);
        }
        q.push(" ORDER BY k.day, k.school_id");
        let rows = self.fetch(&q, |r| Ok((r.oi(0)?, r.s(1)?, r.d(2)?, r.s(3)?, r.s(4)?))).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(school_id, school_name, day, kind, note)| {
                DayKind::from_key(&kind).map(|kind| CalendarEntry { school_id, school_name, day, kind, note })
            })
            .collect())
    }
}

impl Tx {
    /// Sets (or with `None` removes) a calendar exception of a school or, with `school_id` None, the district.
    pub async fn set_calendar_day(
        &mut self,
        district_id: i64,
        school_id: Option<i64>,
        day: NaiveDate,
        kind: Option<DayKind>,
        note: &str,
    ) -> Result<()> {
        let mut del = Sql::new("DELETE FROM calendar_day WHERE 1=1");
        del.push_arg(" AND day = ?", day);
        match school_id {
            Some(s) => del.push_arg(" AND school_id = ?", s),
            None => del.push(" AND school_id IS NULL"),
        };
        self.exec(&del).await?;
        if let Some(kind) = kind {
            self.exec(
                &Sql::new(
                    "INSERT INTO calendar_day (district_id, school_id, day, kind, note) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(district_id)
                .bind(school_id)
                .bind(day)
                .bind(kind.key())
                .bind(note),
            )
            .await?;
        }
        Ok(())
    }
}
