//! 巩固率 and pupil flows (转入/转出/辍学) over the 学籍 history held.

use std::collections::HashMap;

use chrono::NaiveDate;
use eduq_core::access::{Actor, Resource, Scope};
use eduq_core::calendar::Term;
use eduq_store::Store;
use serde::Serialize;

use crate::AppError;

/// 巩固率 and flows of the caller's scope over the 学籍 history held.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Consolidation {
    pub first: Option<Term>,
    pub last: Option<Term>,
    /// The county line (district scope only).
    pub county: Option<eduq_core::flows::Flows>,
    pub schools: Vec<(String, eduq_core::flows::Flows)>,
    /// This school year: (grade name, dropouts, on roll at the start).
    pub grades: Vec<(String, u32, u32)>,
    /// Pupils who left without 转出 or 辍学 status (id, 学籍号, name), for roles that work cases.
    pub lost: Vec<(i64, String, String)>,
    /// 转出 not (yet) received in the district nor stated to have left it, with their state.
    pub transfers: Vec<(eduq_store::flows::TransferOut, eduq_core::dropout::TransferState)>,
    /// Counts of 转出 by state: received, left the district, pending, suspect.
    pub transfer_counts: [usize; 4],
}

/// Memoised per reader until the next write.
pub async fn consolidation(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Consolidation, AppError> {
    if !actor.role.may_read(Resource::Attendance) {
        return Err(AppError::Forbidden);
    }
    let key = format!("consolidation|{}|{today}", eduq_store::reader_key(actor));
    store.memoised(&key, read_consolidation(store, actor, today)).await
}

async fn read_consolidation(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Consolidation, AppError> {
    let terms = store.terms().await?;
    let current = Term::containing(today);
    let held: Vec<Term> = terms.iter().map(|(_, t)| *t).filter(|t| *t <= current).collect();
    let (Some(first), Some(last)) = (held.iter().min().copied(), held.iter().max().copied()) else {
        return Ok(Consolidation::default());
    };
    let rows = store.flow_rows(actor).await?;
    let (by_school, county) = eduq_core::flows::consolidation(&rows, first, last);
    let names: HashMap<i64, String> =
        store.list_schools(actor, None).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let schools: Vec<(String, eduq_core::flows::Flows)> =
        by_school.into_iter().filter_map(|(id, f)| names.get(&id).map(|n| (n.clone(), f))).collect();
    let district = actor.scope == Scope::District;
    let mut lost_ids: Vec<i64> = if district {
        county.lost_pupils.clone()
    } else {
        schools.iter().flat_map(|(_, f)| f.lost_pupils.iter().copied()).collect()
    };
    lost_ids.sort_unstable();
    lost_ids.dedup();
    let lost = if actor.role.may_read(Resource::Cases) { store.pupil_names(actor, &lost_ids).await? } else { vec![] };
    let mut transfers = Vec::new();
    let mut transfer_counts = [0; 4];
    if actor.role.may_read(Resource::Cases) {
        use eduq_core::dropout::{TransferState, transfer_state};
        for t in store.transfers_out(actor).await? {
            let outside = t.destination.as_ref().map(|_| t.destination_in_district.is_none());
            let days = t.date.map_or(i64::MAX, |d| (today - d).num_days());
            let state = transfer_state(t.received, outside, days);
            let k = match state {
                TransferState::Received => 0,
                TransferState::LeftDistrict => 1,
                TransferState::Pending => 2,
                TransferState::Suspect => 3,
            };
            transfer_counts[k] += 1;
            if k >= 2 {
                transfers.push((t, state));
            }
        }
    }
    let scoped: Vec<eduq_core::flows::FlowRow> =
        rows.iter().filter(|r| names.contains_key(&r.school)).copied().collect();
    let grades = eduq_core::flows::dropouts_by_grade(&scoped, last.start_year)
        .into_iter()
        .filter_map(|(g, d, n)| eduq_core::grade::Grade::new(g).map(|g| (g.name().to_string(), d, n)))
        .collect();
    Ok(Consolidation {
        first: Some(first),
        last: Some(last),
        county: district.then_some(county),
        schools,
        grades,
        lost,
        transfers,
        transfer_counts,
    })
}
