//! 督导: rubrics loaded from the bureau's files and versioned (the first part of #17; inspections
//! and the 整改 loop build on them).

use chrono::{DateTime, Utc};
use eduq_core::access::Actor;
use eduq_core::rubric::Rubric;
use eduq_store::Store;

pub use eduq_store::rubrics::RubricRow;

use crate::AppError;

/// What names a rubric version and where it comes from (the form beside the file).
#[derive(Debug, Clone, Default)]
pub struct RubricMeta {
    pub key: String,
    pub name: String,
    pub version: String,
    /// The document it comes from (title, 文号, date): required, a rubric without provenance is
    /// not an official measure.
    pub source: String,
}

/// What loading a rubric file did.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRubric {
    pub id: i64,
    pub items: usize,
    /// The same key, version and content were already stored: nothing changed.
    pub unchanged: bool,
}

/// Loads a rubric file as a new version: every row checked (errors name row, column and value),
/// then the rubric as a whole ([`Rubric::check`]); the same file again changes nothing, and a
/// version already stored with other content is refused (versions are never changed in place).
pub async fn load_rubric(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    meta: &RubricMeta,
    now: DateTime<Utc>,
) -> Result<LoadedRubric, AppError> {
    if !actor.role.keeps_rubrics() {
        return Err(AppError::Forbidden);
    }
    for (label, v) in [("编号", &meta.key), ("名称", &meta.name), ("版本", &meta.version), ("来源文件", &meta.source)]
    {
        if v.trim().is_empty() {
            return Err(AppError::Invalid(format!("请填写指标体系的{label}")));
        }
        eduq_core::text::check_field(label, v.trim(), eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    }
    let table = crate::parsing::read_upload(actor.user_id, bytes, file_name).await?;
    let items = eduq_exchange::rubric::read_rubric_items(&table)?;
    let rubric = Rubric {
        key: meta.key.trim().to_string(),
        name: meta.name.trim().to_string(),
        version: meta.version.trim().to_string(),
        source: meta.source.trim().to_string(),
        items,
        bands: Rubric::default_bands(),
        grades: Rubric::default_grades(),
    };
    let problems = rubric.check();
    if !problems.is_empty() {
        return Err(AppError::Invalid(format!("指标体系有误，未保存：{}", problems.join("；"))));
    }
    let body = serde_json::to_vec(&rubric).map_err(|e| AppError::Invalid(e.to_string()))?;
    let sha = eduq_core::digest::sha256_hex(&body);
    if let Some(held) = store.rubric_version(actor, &rubric.key, &rubric.version).await? {
        return if held.sha256 == sha {
            Ok(LoadedRubric { id: held.id, items: rubric.items.len(), unchanged: true })
        } else {
            Err(AppError::Invalid(format!(
                "“{}”的版本“{}”已存在且内容不同；修订请使用新的版本号",
                rubric.key, rubric.version
            )))
        };
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    let id = tx.insert_rubric(actor, district_id, &rubric, &sha, now).await?;
    tx.audit(
        actor,
        now,
        "rubric_load",
        &format!("rubric:{id}"),
        &format!(
            "{} {} 版本{}（{}项） sha256:{}",
            rubric.key,
            rubric.name,
            rubric.version,
            rubric.items.len(),
            &sha[..16]
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(LoadedRubric { id, items: rubric.items.len(), unchanged: false })
}

/// The stored rubric versions, newest first within each key.
pub async fn rubrics(store: &Store, actor: &Actor) -> Result<Vec<RubricRow>, AppError> {
    Ok(store.rubrics(actor).await?)
}

/// One stored rubric's content.
pub async fn rubric(store: &Store, actor: &Actor, id: i64) -> Result<Rubric, AppError> {
    Ok(store.rubric(actor, id).await?)
}

/// A rubric eduq ships: its file and where its items come from.
pub struct Template {
    pub meta: (&'static str, &'static str, &'static str, &'static str),
    pub file: &'static str,
    pub bytes: &'static [u8],
}

/// The templates shipped in `crates/app/rubrics/`. The item texts are eduq's summaries of the named
/// documents' requirements, keyed to their structure; a bureau that has the official table loads it
/// as a new version of the same key.
pub const TEMPLATES: &[Template] = &[
    Template {
        meta: (
            "visit_monthly",
            "责任督学挂牌督导月度督导事项",
            "2013",
            "国务院教育督导委员会办公室《中小学校责任督学挂牌督导办法》（国教督办〔2013〕7号）第五条所列经常性督导事项",
        ),
        file: "visit_monthly.csv",
        bytes: include_bytes!("../rubrics/visit_monthly.csv"),
    },
    Template {
        meta: (
            "school_management_2017",
            "义务教育学校管理标准 学校自评",
            "2017",
            "教育部《义务教育学校管理标准》（教基〔2017〕9号）：按6项管理职责及其管理任务编排，评估要点为eduq概括，请对照原文",
        ),
        file: "school_management_2017.csv",
        bytes: include_bytes!("../rubrics/school_management_2017.csv"),
    },
    Template {
        meta: (
            "comprehensive",
            "学校综合督导评估（示例）",
            "2026",
            "eduq示例：办学条件、教师队伍和质量指标取自《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）等，由关联指标自动评定",
        ),
        file: "comprehensive.csv",
        bytes: include_bytes!("../rubrics/comprehensive.csv"),
    },
    Template {
        meta: (
            "special_shuangjian",
            "专项督导：双减、课后服务与五项管理",
            "2021",
            "中共中央办公厅 国务院办公厅《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》（2021年7月）；教育部办公厅关于手机、睡眠、读物、作业、体质管理的通知（2021）",
        ),
        file: "special_shuangjian.csv",
        bytes: include_bytes!("../rubrics/special_shuangjian.csv"),
    },
    Template {
        meta: (
            "safety_check_monthly",
            "学校安全隐患月度排查清单",
            "2026",
            "eduq整理的检查清单，依据教育部等十部门《中小学幼儿园安全管理办法》（2006年教育部令第23号）关于学校定期开展安全检查、及时消除隐患的要求",
        ),
        file: "safety_check_monthly.csv",
        bytes: include_bytes!("../rubrics/safety_check_monthly.csv"),
    },
    Template {
        meta: (
            "special_safety",
            "专项督导：校园安全",
            "2006",
            "教育部等十部门《中小学幼儿园安全管理办法》（2006年教育部令第23号）",
        ),
        file: "special_safety.csv",
        bytes: include_bytes!("../rubrics/special_safety.csv"),
    },
    Template {
        meta: (
            "studio_annual",
            "名师（名班主任、名校长）工作室年度考核",
            "2026",
            "eduq示例：按区县名师工作室管理办法通行的考核内容（计划制度、送教下乡、公开课、讲座、课题、成员成长、资料、师德）编排，分值为示例，请按本地办法调整后作为新版本导入",
        ),
        file: "studio_annual.csv",
        bytes: include_bytes!("../rubrics/studio_annual.csv"),
    },
];

/// Loads every shipped template (each once: loading again changes nothing). Returns how many were new.
pub async fn load_templates(store: &Store, actor: &Actor, now: DateTime<Utc>) -> Result<usize, AppError> {
    let mut added = 0;
    for t in TEMPLATES {
        let (key, name, version, source) = t.meta;
        let meta = RubricMeta { key: key.into(), name: name.into(), version: version.into(), source: source.into() };
        if !load_rubric(store, actor, t.bytes, t.file, &meta, now).await?.unchanged {
            added += 1;
        }
    }
    Ok(added)
}

/// A stored rubric version in the file layout it is loaded from (loading the file again under the
/// same key and version changes nothing). Returns the file name and bytes.
pub async fn export_rubric(store: &Store, actor: &Actor, id: i64) -> Result<(String, Vec<u8>), AppError> {
    use eduq_exchange::table::{Cell, write_xlsx};
    let rubric = store.rubric(actor, id).await?;
    let indicator_name = |k: &str| eduq_core::indicators::indicator(k).map_or(k.to_string(), |i| i.name.to_string());
    let rows: Vec<Vec<Cell>> = rubric
        .items
        .iter()
        .map(|i| {
            vec![
                i.code.clone().into(),
                i.domain.clone().into(),
                i.sub_domain.clone().into(),
                i.text.clone().into(),
                i.points.into(),
                i.method.label().into(),
                i.criteria.clone().into(),
                i.evidence.clone().into(),
                i.indicator.as_deref().map(indicator_name).unwrap_or_default().into(),
                if i.veto { "是" } else { "否" }.into(),
            ]
        })
        .collect();
    let bytes = write_xlsx("指标体系", eduq_exchange::rubric::RUBRIC_HEADERS, &rows)?;
    Ok((format!("{}-{}.xlsx", rubric.key, rubric.version), bytes))
}
