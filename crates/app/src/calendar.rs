//! Teaching calendars: the exceptions (holidays, make-up days) the bureau sets for the district and
//! a school's administrator for the school, which decide the days the roll is taken.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::{DayKind, Term};
use eduq_store::Store;

pub use eduq_store::calendar::CalendarEntry;

use crate::AppError;

/// The exceptions of the term containing `today` that the caller's calendar shows (the district's
/// and, for a school, its own).
pub async fn entries(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Vec<CalendarEntry>, AppError> {
    if !actor.role.may_read(Resource::Attendance) {
        return Err(AppError::Forbidden);
    }
    let (from, to) = Term::containing(today).nominal_bounds();
    Ok(store.calendar_entries(actor, from, to).await?)
}

/// Whether `date` is a teaching day of the district's calendar (a school's own may differ).
pub async fn district_school_day(store: &Store, date: NaiveDate) -> Result<bool, AppError> {
    let (from, to) = Term::containing(date).nominal_bounds();
    Ok(store.teaching_calendar(None, from, to).await?.is_school_day(date))
}

/// Sets (or with `kind` None removes) an exception on the calendar the caller keeps, within the
/// current term; audited.
pub async fn set_day(
    store: &Store,
    actor: &Actor,
    day: NaiveDate,
    kind: Option<DayKind>,
    note: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(school) = actor.calendar_kept() else { return Err(AppError::Forbidden) };
    let (from, to) = Term::containing(today).nominal_bounds();
    if day < from || day > to {
        return Err(AppError::Invalid(format!("{day}不在本学期（{from}至{to}）内，未保存")));
    }
    let note = note.trim();
    eduq_core::text::check_field("备注", note, eduq_core::text::FIELD_CHARS).map_err(AppError::Invalid)?;
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.set_calendar_day(district_id, school, day, kind, note).await?;
    tx.commit().await?;
    store.audit(actor, now, "calendar_set", &format!("day:{day}"), kind.map_or("删除", |k| k.label())).await?;
    Ok(())
}
