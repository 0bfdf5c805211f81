//! 课题: the bureau registers projects (立项) with their teachers and records each stage (开题,
//! 中期检查, 结题 with its 等级, or 撤项); stage reports are evidence files of the shared case
//! tables; coverage (schools with a project, teachers taking part) is two indicators of the library.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::Actor;
use eduq_core::calendar::Term;
use eduq_core::casework::Subject;
use eduq_core::research::{ProjectLevel, Stage, Verdict};
use eduq_store::Store;
use eduq_store::casework::{CaseEvent, EvidenceMeta};
use eduq_store::research::NewProject;
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::indicators::IndicatorValue;

pub use eduq_store::research::ProjectRow;

use crate::form::{TermStaff, date_field as day};

/// A project as the bureau registers it: the host's and members' 工号 (members separated by
/// 、 , ， or spaces).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProjectForm {
    pub code: String,
    pub title: String,
    pub level: String,
    #[serde(default)]
    pub field: String,
    pub approved_on: String,
    pub host: String,
    #[serde(default)]
    pub members: String,
}

/// Registers a project (立项) with its teachers of this term; audited in its history.
pub async fn register(
    store: &Store,
    actor: &Actor,
    f: &ProjectForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    if !actor.role.runs_teacher_development() {
        return Err(AppError::Forbidden);
    }
    use eduq_core::text::{NAME_CHARS, check_field};
    let code = f.code.trim();
    let title = f.title.trim();
    if code.is_empty() || title.is_empty() {
        return Err(AppError::Invalid("课题编号和课题名称必填".into()));
    }
    check_field("课题编号", code, NAME_CHARS).map_err(AppError::Invalid)?;
    check_field("课题名称", title, eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    check_field("研究领域", &f.field, NAME_CHARS).map_err(AppError::Invalid)?;
    let level = ProjectLevel::parse(&f.level).map_err(|e| AppError::Invalid(e.to_string()))?;
    let approved_on = day("立项日期", &f.approved_on)?;
    if approved_on > today {
        return Err(AppError::Invalid(format!("立项日期{approved_on}晚于今天")));
    }
    let staff = TermStaff::of(store, actor, today).await?;
    let host = staff.one("主持人工号", &f.host)?;
    let mut members = vec![(host.teacher_id, host.school_id, true)];
    for s in staff.many("成员工号", &f.members)? {
        if !members.iter().any(|m| m.0 == s.teacher_id) {
            members.push((s.teacher_id, s.school_id, false));
        }
    }
    let new = NewProject {
        district_id: store.district().await?.0,
        school_id: host.school_id,
        code: code.to_string(),
        title: title.to_string(),
        level,
        field: f.field.trim().to_string(),
        approved_on,
        members,
    };
    let mut tx = store.begin().await?;
    let id = tx.insert_project(actor, &new, now).await?;
    let note = format!("{}立项，主持人{}，成员{}人", level.label(), host.name, new.members.len() - 1);
    tx.add_case_event(actor, Subject::Research, id, "approved", approved_on, None, &note, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A stage as the form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StageForm {
    pub stage: String,
    pub day: String,
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub note: String,
}

/// Records the next stage of a project (the bureau); 结题 needs its 等级, 撤项 a reason.
pub async fn advance(
    store: &Store,
    actor: &Actor,
    id: i64,
    f: &StageForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.runs_teacher_development() {
        return Err(AppError::Forbidden);
    }
    let row = store.research_project(actor, id).await?;
    let stage = Stage::parse(&f.stage).map_err(|e| AppError::Invalid(e.to_string()))?;
    let on = day("日期", &f.day)?;
    if on > today {
        return Err(AppError::Invalid(format!("日期{on}晚于今天")));
    }
    eduq_core::text::check_field("说明", &f.note, eduq_core::text::FIELD_CHARS).map_err(AppError::Invalid)?;
    let verdict = match stage {
        Stage::Concluded => Some(Verdict::parse(&f.verdict).map_err(|e| AppError::Invalid(e.to_string()))?),
        _ => None,
    };
    if stage == Stage::Terminated && f.note.trim().is_empty() {
        return Err(AppError::Invalid("请写明撤项原因".into()));
    }
    let mut p = row.p;
    p.advance(stage, on).map_err(|e| AppError::Invalid(e.to_string()))?;
    let text = match verdict {
        Some(v) => format!("结题，等级{}{}", v.label(), if f.note.trim().is_empty() { "" } else { "：" }),
        None => String::new(),
    } + f.note.trim();
    let mut tx = store.begin().await?;
    tx.set_project_stage(actor, id, row.p.stage, &p, verdict).await?;
    tx.add_case_event(actor, Subject::Research, id, stage.key(), on, None, &text, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The register with the term's coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResearchBoard {
    pub projects: Vec<ProjectRow>,
    pub by_stage: Vec<(Stage, usize)>,
    /// The two coverage indicators, for roles that read indicators.
    pub schools: Option<IndicatorValue>,
    pub teachers: Option<IndicatorValue>,
}

pub async fn board(store: &Store, actor: &Actor, term: Term) -> Result<ResearchBoard, AppError> {
    let projects = store.research_projects(actor, None).await?;
    let by_stage = Stage::ALL.iter().map(|s| (*s, projects.iter().filter(|p| p.p.stage == *s).count())).collect();
    let (schools, teachers) = if actor.role.reads_indicators() {
        (
            Some(crate::indicators::one(store, actor, term, "research_school_coverage").await?),
            Some(crate::indicators::one(store, actor, term, "research_teacher_share").await?),
        )
    } else {
        (None, None)
    };
    Ok(ResearchBoard { projects, by_stage, schools, teachers })
}

/// One project with its history and stage reports.
pub async fn view(
    store: &Store,
    actor: &Actor,
    id: i64,
) -> Result<(ProjectRow, Vec<CaseEvent>, Vec<EvidenceMeta>), AppError> {
    let row = store.research_project(actor, id).await?;
    let (events, evidence) = store.case_record(actor, Subject::Research, id).await?;
    Ok((row, events, evidence))
}

/// The register as a workbook.
pub fn workbook(b: &ResearchBoard) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let text = |s: &str| Cell::Text(s.to_string());
    let day = |d: Option<NaiveDate>| Cell::Text(d.map(|d| d.to_string()).unwrap_or_default());
    let rows: Vec<Vec<Cell>> = b
        .projects
        .iter()
        .map(|p| {
            let members: Vec<String> = p.members.iter().filter(|m| !m.host).map(|m| m.name.clone()).collect();
            vec![
                text(&p.code),
                text(&p.title),
                text(p.level.label()),
                text(&p.field),
                text(&p.school_name),
                text(p.host().map_or("", |m| m.name.as_str())),
                text(&members.join("、")),
                text(p.p.stage.label()),
                day(Some(p.p.approved_on)),
                day(p.p.opened_on),
                day(p.p.midterm_on),
                day(p.p.concluded_on.or(p.p.ended_on)),
                text(p.verdict.map_or("", |v| v.label())),
            ]
        })
        .collect();
    Ok(write_workbook(&[Sheet {
        name: "课题",
        title: vec!["课题登记".to_string()],
        headers: &[
            "课题编号",
            "课题名称",
            "级别",
            "研究领域",
            "主持学校",
            "主持人",
            "成员",
            "阶段",
            "立项",
            "开题",
            "中期检查",
            "结题/撤项",
            "结题等级",
        ],
        rows: &rows,
    }])?)
}
