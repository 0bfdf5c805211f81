//! Inspections and their marks. Every read is scoped to the caller's schools and needs
//! [`Resource::Supervision`].

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::inspection::{Closed, InspectionKind, InspectionState, Side};
use serde::Serialize;

use crate::org::scope_filter;
use crate::{Arg, Get, Result, Sql, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionRow {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub kind: InspectionKind,
    pub title: String,
    pub rubric_id: i64,
    pub rubric_name: String,
    pub rubric_version: String,
    pub inspector: String,
    pub planned_on: NaiveDate,
    pub state: InspectionState,
    pub summary: String,
    pub outcome: Option<Closed>,
    pub closed_on: Option<NaiveDate>,
}

/// One stored mark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkRow {
    pub side: Side,
    pub item_code: String,
    pub mark: String,
    pub note: String,
    /// Filled in from the item's indicator, not typed.
    pub auto: bool,
    pub username: String,
}

#[derive(Debug, Clone, Default)]
pub struct InspectionQuery {
    pub school_id: Option<i64>,
    pub kind: Option<InspectionKind>,
    pub state: Option<InspectionState>,
    pub inspector: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

const COLS: &str = "k.id, k.school_id, s.name, k.kind, k.title, k.rubric_id, r.name, r.version, k.inspector, \
    k.planned_on, k.state, k.summary, k.score, k.percent, k.band, COALESCE(k.vetoed, FALSE), k.closed_on";
const FROM: &str =
    " FROM inspection k JOIN school s ON s.id = k.school_id JOIN rubric r ON r.id = k.rubric_id WHERE 1=1";

fn decode<T>(what: &str, v: Option<T>) -> std::result::Result<T, sqlx::Error> {
    v.ok_or_else(|| sqlx::Error::Decode(format!("unknown {what} in inspection").into()))
}

fn inspection_row(r: &dyn Get) -> std::result::Result<InspectionRow, sqlx::Error> {
    let outcome = match (r.of(12)?, r.os(14)?) {
        (Some(score), Some(band)) => Some(Closed { score, percent: r.of(13)?, band, vetoed: r.b(15)? }),
        _ => None,
    };
    Ok(InspectionRow {
        id: r.i(0)?,
        school_id: r.i(1)?,
        school_name: r.s(2)?,
        kind: decode("kind", InspectionKind::from_key(&r.s(3)?))?,
        title: r.s(4)?,
        rubric_id: r.i(5)?,
        rubric_name: r.s(6)?,
        rubric_version: r.s(7)?,
        inspector: r.s(8)?,
        planned_on: r.d(9)?,
        state: decode("state", InspectionState::from_key(&r.s(10)?))?,
        summary: r.s(11)?,
        outcome,
        closed_on: r.od(16)?,
    })
}

impl Store {
    /// Inspections in scope, latest planned first.
    pub async fn inspections(&self, actor: &Actor, f: &InspectionQuery) -> Result<Vec<InspectionRow>> {
        if !actor.role.may_read(Resource::Supervision) {
            return Err(StoreError::Forbidden);
        }
        let (district_id, _) = self.district().await?;
        let mut q = Sql::new(format!("SELECT {COLS}{FROM}"));
        q.push_arg(" AND k.district_id = ?", district_id);
        if let Some(id) = f.school_id {
            q.push_arg(" AND k.school_id = ?", id);
        }
        if let Some(k) = f.kind {
            q.push_arg(" AND k.kind = ?", k.key());
        }
        if let Some(st) = f.state {
            q.push_arg(" AND k.state = ?", st.key());
        }
        if let Some(u) = &f.inspector {
            q.push_arg(" AND k.inspector = ?", u.as_str());
        }
        if let Some(d) = f.from {
            q.push_arg(" AND k.planned_on >= ?", d);
        }
        if let Some(d) = f.to {
            q.push_arg(" AND k.planned_on <= ?", d);
        }
        scope_filter(&mut q, actor, "k.school_id", None, None);
        q.push(" ORDER BY k.planned_on DESC, k.id DESC");
        self.fetch(&q, inspection_row).await
    }

    /// One inspection in scope with its marks of both sides.
    pub async fn inspection(&self, actor: &Actor, id: i64) -> Result<(InspectionRow, Vec<MarkRow>)> {
        if !actor.role.may_read(Resource::Supervision) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!("SELECT {COLS}{FROM}"));
        q.push_arg(" AND k.id = ?", id);
        scope_filter(&mut q, actor, "k.school_id", None, None);
        let row = self.fetch_opt(&q, inspection_row).await?.ok_or(StoreError::NotFound)?;
        let marks = self
            .fetch(
                &Sql::new(
                    "SELECT side, item_code, mark, note, auto, username FROM inspection_mark WHERE inspection_id = $1 \
                     ORDER BY side, item_code",
                )
                .bind(id),
                |r| {
                    Ok(MarkRow {
                        side: decode("side", Side::from_key(&r.s(0)?))?,
                        item_code: r.s(1)?,
                        mark: r.s(2)?,
                        note: r.s(3)?,
                        auto: r.b(4)?,
                        username: r.s(5)?,
                    })
                },
            )
            .await?;
        Ok((row, marks))
    }

    /// How many problems each inspection of the list raised.
    pub async fn problems_per_inspection(&self, actor: &Actor, ids: &[i64]) -> Result<HashMap<i64, i64>> {
        if !actor.role.may_read(Resource::Supervision) || ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = Sql::new(format!(
            "SELECT k.inspection_id, COUNT(*) FROM problem k WHERE k.inspection_id IN ({})",
            crate::org::id_list(ids)
        ));
        scope_filter(&mut q, actor, "k.school_id", None, None);
        q.push(" GROUP BY k.inspection_id");
        Ok(self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?))).await?.into_iter().collect())
    }
}

/// An inspection to plan.
#[derive(Debug, Clone)]
pub struct NewInspection {
    pub district_id: i64,
    pub school_id: i64,
    pub kind: InspectionKind,
    pub title: String,
    pub rubric_id: i64,
    pub inspector: String,
    pub planned_on: NaiveDate,
}

impl Tx {
    pub async fn insert_inspection(&mut self, actor: &Actor, n: &NewInspection) -> Result<i64> {
        let mut q = Sql::new(
            "INSERT INTO inspection (district_id, school_id, kind, title, rubric_id, inspector, planned_on, state, created_by) \
             VALUES (",
        );
        let args: Vec<Arg> = vec![
            n.district_id.into(),
            n.school_id.into(),
            n.kind.key().into(),
            n.title.clone().into(),
            n.rubric_id.into(),
            n.inspector.clone().into(),
            n.planned_on.into(),
            InspectionState::Planned.key().into(),
            actor.username.clone().into(),
        ];
        let ph: Vec<String> = args.into_iter().map(|a| q.arg(a)).collect();
        q.push(&ph.join(", "));
        q.push(") RETURNING id");
        self.scalar(&q).await
    }

    /// Replaces one side's mark of an item (district and school taken from the inspection).
    #[allow(clippy::too_many_arguments)]
    pub async fn put_mark(
        &mut self,
        actor: &Actor,
        id: i64,
        side: Side,
        item_code: &str,
        mark: &str,
        note: &str,
        auto: bool,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.exec(
            &Sql::new("DELETE FROM inspection_mark WHERE inspection_id = $1 AND side = $2 AND item_code = $3")
                .bind(id)
                .bind(side.key())
                .bind(item_code),
        )
        .await?;
        if mark.is_empty() {
            return Ok(());
        }
        self.exec(
            &Sql::new(
                "INSERT INTO inspection_mark (inspection_id, district_id, school_id, side, item_code, mark, note, auto, \
                 username, at) SELECT id, district_id, school_id, $2, $3, $4, $5, $6, $7, $8 FROM inspection WHERE id = $1",
            )
            .bind(id)
            .bind(side.key())
            .bind(item_code)
            .bind(mark)
            .bind(note)
            .bind(auto)
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await
        .map(|_| ())
    }

    pub async fn set_inspection_state(&mut self, id: i64, state: InspectionState) -> Result<()> {
        self.exec(&Sql::new("UPDATE inspection SET state = $1 WHERE id = $2").bind(state.key()).bind(id))
            .await
            .map(|_| ())
    }

    /// Closes with the outcome the rules computed.
    pub async fn close_inspection(&mut self, id: i64, c: &Closed, summary: &str, on: NaiveDate) -> Result<()> {
        self.exec(
            &Sql::new(
                "UPDATE inspection SET state = $1, score = $2, percent = $3, band = $4, vetoed = $5, summary = $6, \
                 closed_on = $7 WHERE id = $8",
            )
            .bind(InspectionState::Closed.key())
            .bind(c.score)
            .bind(c.percent)
            .bind(c.band.as_str())
            .bind(c.vetoed)
            .bind(summary)
            .bind(on)
            .bind(id),
        )
        .await
        .map(|_| ())
    }
}
