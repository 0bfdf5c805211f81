//! The parts of case work every subject shares: evidence files (checked, kept with their
//! SHA-256, audited) and reading them back. 控辍保学 cases, 督导 problems and inspections (their
//! evidence and on-site photos) all come here.

use chrono::{DateTime, Utc};
use eduq_core::access::Actor;
use eduq_core::casework::{Subject, check_evidence};
use eduq_core::dropout::CaseState;
use eduq_core::inspection::InspectionState;
use eduq_core::supervision::ProblemState;
use eduq_store::Store;

use crate::AppError;

pub use eduq_store::casework::{CaseEvent, EvidenceMeta};

/// A case's history and evidence list, in the caller's scope.
pub async fn history(
    store: &Store,
    actor: &Actor,
    subject: Subject,
    id: i64,
) -> Result<(Vec<CaseEvent>, Vec<EvidenceMeta>), AppError> {
    Ok(store.case_record(actor, subject, id).await?)
}

/// Adds an evidence file to a case in the caller's scope that is not closed yet.
pub async fn add_evidence(
    store: &Store,
    actor: &Actor,
    subject: Subject,
    id: i64,
    filename: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.may_write(subject.resource()) {
        return Err(AppError::Forbidden);
    }
    let (name, content_type) = check_evidence(filename, bytes.len()).map_err(|e| AppError::Invalid(e.to_string()))?;
    let closed = match subject {
        Subject::Dropout => store.case_detail(actor, id, now).await?.row.case.state == CaseState::Closed,
        Subject::Problem => store.problem_detail(actor, id, now).await?.row.problem.state == ProblemState::Closed,
        Subject::Inspection => store.inspection(actor, id).await?.0.state == InspectionState::Closed,
        Subject::Training => !store.training_claim(actor, id).await?.state.open(),
        Subject::Designation => {
            use eduq_core::designation::State;
            matches!(store.designation(actor, id).await?.0.d.state, State::NotPassed | State::Removed)
        }
        Subject::Research => store.research_project(actor, id).await?.p.stage == eduq_core::research::Stage::Terminated,
        Subject::StudioActivity => {
            let studio_id = store.studio_activity(actor, id).await?.studio_id;
            if !store.logs_for_studio(actor, studio_id).await? {
                return Err(AppError::Forbidden);
            }
            false
        }
        Subject::Psych => store.psych_file(actor, id, now).await?.state == eduq_core::psych_followup::FileState::Closed,
    };
    if closed {
        return Err(AppError::Invalid("已办结，不能再添加材料".into()));
    }
    let sha = eduq_core::digest::sha256_hex(&bytes);
    let mut tx = store.begin().await?;
    tx.add_case_evidence(actor, subject, id, &name, content_type, &sha, bytes, now).await?;
    tx.commit().await?;
    Ok(())
}

/// One evidence file of a case in scope: (file name, content type, bytes); audited.
pub async fn evidence(
    store: &Store,
    actor: &Actor,
    subject: Subject,
    case_id: i64,
    file_id: i64,
    now: DateTime<Utc>,
) -> Result<(String, String, Vec<u8>), AppError> {
    Ok(store.evidence_file(actor, subject, case_id, file_id, now).await?)
}

/// An optional evidence file checked like a case's (type by name, size bounded): its cleaned name
/// and bytes.
pub(crate) fn optional_evidence<'a>(
    evidence: Option<(&str, &'a [u8])>,
) -> Result<Option<(String, &'a [u8])>, AppError> {
    match evidence {
        Some((name, bytes)) => {
            let (name, _) = check_evidence(name, bytes.len()).map_err(|e| AppError::Invalid(e.to_string()))?;
            Ok(Some((name, bytes)))
        }
        None => Ok(None),
    }
}
