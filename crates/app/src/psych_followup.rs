//! 心理档案: the follow-up of a pupil who needs help, on the shared case workflow. The 心理教师 acts
//! on an alert by opening the file with a first step (约谈, 家长联系 or 转介); further steps, a
//! follow-up team of the school's accounts, and a closing confirmed by a second person follow.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::casework::{Closing, Subject};
use eduq_core::psych_followup::{FileState, ReferralTo, Step, after};
use eduq_store::Store;
use eduq_store::casework::{CaseEvent, EvidenceMeta};
use eduq_store::psych_followup::FileRow;
use eduq_store::screening::ResultRow;
use serde::Deserialize;

use crate::AppError;
use crate::form::date_field as day;

/// A step as the form sends it: its kind, day, note, and for a referral where to.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StepForm {
    pub kind: String,
    pub day: String,
    #[serde(default)]
    pub referral_to: String,
    #[serde(default)]
    pub note: String,
}

struct Checked {
    step: Step,
    day: NaiveDate,
    party: Option<&'static str>,
    note: String,
}

fn check(f: &StepForm, today: NaiveDate) -> Result<Checked, AppError> {
    let step = Step::parse(&f.kind).map_err(|e| AppError::Invalid(e.to_string()))?;
    let day = day("日期", &f.day)?;
    if day > today {
        return Err(AppError::Invalid(format!("日期{day}晚于今天")));
    }
    let note = f.note.trim().to_string();
    if note.is_empty() {
        return Err(AppError::Invalid(format!("请填写{}的情况记录", step.label())));
    }
    eduq_core::text::check_field("记录", &note, eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    let party = if step == Step::Referral {
        Some(ReferralTo::parse(&f.referral_to).map_err(|e| AppError::Invalid(e.to_string()))?.key())
    } else {
        None
    };
    Ok(Checked { step, day, party, note })
}

/// Acts on a result (its alert, if any): opens the pupil's file with a first step.
pub async fn open_from_result(
    store: &Store,
    actor: &Actor,
    response_id: i64,
    f: &StepForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    if !actor.role.may_write(Resource::Psych) {
        return Err(AppError::Forbidden);
    }
    let c = check(f, today)?;
    let result = store.screening_result(actor, response_id, now).await?;
    let round = store.screening_round(actor, result.round_id).await?;
    let state = after(FileState::Open, c.step).map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut tx = store.begin().await?;
    let id = tx.open_psych_file(actor, result.student_id, round.term_id, Some(response_id), c.day).await?;
    let opened = format!("{}：{}分，{}", round.name, result.total, result.band_label);
    tx.add_case_event(actor, Subject::Psych, id, "opened", c.day, None, &opened, now).await?;
    tx.add_case_event(actor, Subject::Psych, id, c.step.key(), c.day, c.party, &c.note, now).await?;
    tx.set_psych_file_state(id, state, None, None).await?;
    tx.act_on_alert(actor, response_id, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A file with its history, evidence, the pupil's results and the accounts that may join its team.
pub struct FileView {
    pub file: FileRow,
    pub events: Vec<CaseEvent>,
    pub evidence: Vec<EvidenceMeta>,
    pub results: Vec<ResultRow>,
    pub candidates: Vec<(i64, String, &'static str)>,
}

pub async fn view(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<FileView, AppError> {
    let file = store.psych_file(actor, id, now).await?;
    let (events, evidence) = store.case_record(actor, Subject::Psych, id).await?;
    let results = store.pupil_results(actor, file.student_id, now).await?;
    let candidates = if actor.role.may_write(Resource::Psych) {
        store.team_candidates(actor, file.school_id).await?
    } else {
        vec![]
    };
    Ok(FileView { file, events, evidence, results, candidates })
}

async fn writable(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<FileRow, AppError> {
    if !actor.role.may_write(Resource::Psych) {
        return Err(AppError::Forbidden);
    }
    let file = store.psych_file(actor, id, now).await?;
    if file.state == FileState::Closed {
        return Err(AppError::Invalid("档案已结案".into()));
    }
    Ok(file)
}

/// Records a step (约谈, 家长联系, 转介, 跟进计划, 复评/回访).
pub async fn record(
    store: &Store,
    actor: &Actor,
    id: i64,
    f: &StepForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let file = writable(store, actor, id, now).await?;
    let c = check(f, today)?;
    if c.day < file.opened_on {
        return Err(AppError::Invalid(format!("日期{}早于建档日期{}", c.day, file.opened_on)));
    }
    let state = after(file.state, c.step).map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut tx = store.begin().await?;
    tx.add_case_event(actor, Subject::Psych, id, c.step.key(), c.day, c.party, &c.note, now).await?;
    tx.set_psych_file_state(id, state, file.closing_requested_by.as_deref(), None).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds an account of the pupil's school to the file's team (who then reads this file only).
pub async fn add_member(
    store: &Store,
    actor: &Actor,
    id: i64,
    user_id: i64,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let file = writable(store, actor, id, now).await?;
    let name = store
        .team_candidates(actor, file.school_id)
        .await?
        .into_iter()
        .find(|c| c.0 == user_id)
        .map(|c| c.1)
        .ok_or_else(|| AppError::Invalid("只能加入本校的班主任、教师或校长账号".into()))?;
    let mut tx = store.begin().await?;
    tx.add_psych_member(actor, &file, user_id).await?;
    tx.add_case_event(actor, Subject::Psych, id, "member_add", today, None, &name, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Asks to close the file (结案), or confirms or returns another person's request.
pub async fn closing(
    store: &Store,
    actor: &Actor,
    id: i64,
    action: &str,
    note: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let file = writable(store, actor, id, now).await?;
    let mut c = Closing { requested_by: file.closing_requested_by.clone() };
    let note = note.trim();
    let mut tx = store.begin().await?;
    match action {
        "request" => {
            if note.is_empty() {
                return Err(AppError::Invalid("请说明结案理由".into()));
            }
            c.request(&actor.username).map_err(|e| AppError::Invalid(e.to_string()))?;
            tx.add_case_event(actor, Subject::Psych, id, "close_request", today, None, note, now).await?;
            tx.set_psych_file_state(id, file.state, c.requested_by.as_deref(), None).await?;
        }
        "confirm" | "return" => {
            let approve = action == "confirm";
            c.confirm(&actor.username, approve).map_err(|e| AppError::Invalid(e.to_string()))?;
            let kind = if approve { "close_confirm" } else { "close_return" };
            tx.add_case_event(actor, Subject::Psych, id, kind, today, None, note, now).await?;
            if approve {
                tx.set_psych_file_state(id, FileState::Closed, None, Some(today)).await?;
            } else {
                tx.set_psych_file_state(id, file.state, None, None).await?;
            }
        }
        _ => return Err(AppError::Invalid("未知操作".into())),
    }
    tx.commit().await?;
    Ok(())
}
