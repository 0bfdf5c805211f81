//! 集团化办学 and 学区: each group's running (紧密型, 松散型, 托管, 教研共同体), its core school and its
//! urban–rural pairs (结对); the indicators roll up to the groups and set each beside its core school.
//! What a group does together (送教, 同步课堂, exchanges) is logged with its evidence.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::Actor;
use eduq_core::group_activity::{Activity, ActivityKind, MAX_PARTICIPANTS, check, counts_in_year};
use eduq_core::org::GroupMode;
use eduq_store::Store;

use crate::AppError;

pub use eduq_store::org::GroupRow;

/// The groups with a member in the caller's scope.
pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<GroupRow>, AppError> {
    Ok(store.groups(actor).await?)
}

/// Sets a group's running and core school (as typed: empty for none).
pub async fn set(store: &Store, actor: &Actor, group_id: i64, mode: &str, core: &str) -> Result<(), AppError> {
    let mode = match mode.trim() {
        "" => None,
        raw => Some(GroupMode::parse(raw).map_err(|e| AppError::Invalid(e.to_string()))?),
    };
    let core = match core.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| AppError::Invalid("核心校无效".into()))?),
    };
    let mut tx = store.begin().await?;
    tx.set_group(actor, group_id, mode, core).await?;
    tx.commit().await?;
    Ok(())
}

/// Pairs an urban member with a rural member of a group.
pub async fn pair(store: &Store, actor: &Actor, group_id: i64, urban: i64, rural: i64) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.add_group_pair(actor, group_id, urban, rural).await?;
    tx.commit().await?;
    Ok(())
}

pub use eduq_store::group_activities::ActivityRow;

/// An activity as the form sends it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ActivityForm {
    pub kind: String,
    pub held_on: String,
    pub title: String,
    pub host: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub participants: String,
}

fn activity_of(f: &ActivityForm) -> Result<Activity, AppError> {
    let school =
        |label: &str, raw: &str| raw.trim().parse::<i64>().map_err(|_| AppError::Invalid(format!("请选择{label}")));
    eduq_core::text::check_field("活动名称", &f.title, eduq_core::text::CELL_CHARS).map_err(AppError::Invalid)?;
    Ok(Activity {
        kind: ActivityKind::parse(&f.kind).map_err(|e| AppError::Invalid(e.to_string()))?,
        held_on: crate::form::date_field("活动日期", &f.held_on)?,
        title: f.title.trim().to_string(),
        host_school_id: school("承办学校", &f.host)?,
        to_school_id: match f.to.trim() {
            "" => None,
            raw => Some(school("对象学校", raw)?),
        },
        participants: match f.participants.trim() {
            "" => 0,
            raw => raw
                .parse::<u32>()
                .map_err(|_| AppError::Invalid(format!("参与人数“{raw}”应为0到{MAX_PARTICIPANTS}之间的整数")))?,
        },
    })
}

/// Logs a group's activity with its evidence (a photo, sign-in sheet or plan: jpg, png, pdf, doc,
/// docx, xlsx), checked against the group's members; the bureau, or the host school's administrator.
pub async fn log_activity(
    store: &Store,
    actor: &Actor,
    group_id: i64,
    f: &ActivityForm,
    evidence: Option<(&str, &[u8])>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let a = activity_of(f)?;
    let evidence = crate::casework::optional_evidence(evidence)?;
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    let members = tx.group_member_ids(group_id).await?;
    if members.is_empty() {
        return Err(AppError::NotFound);
    }
    check(&a, &members, today).map_err(AppError::Invalid)?;
    let id = tx
        .add_group_activity(actor, district_id, group_id, &a, evidence.as_ref().map(|(n, b)| (n.as_str(), *b)), now)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The activities of the groups in scope, newest first.
pub async fn activities(store: &Store, actor: &Actor) -> Result<Vec<ActivityRow>, AppError> {
    Ok(store.group_activities(actor, None).await?)
}

/// Each group's counts by kind in a school year.
pub fn year_counts(rows: &[ActivityRow], group_id: i64, start_year: i32) -> Vec<(ActivityKind, usize)> {
    let of: Vec<&Activity> = rows.iter().filter(|r| r.group_id == group_id).map(|r| &r.activity).collect();
    counts_in_year(&of, start_year)
}

pub async fn remove_activity(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.remove_group_activity(actor, id, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn activity_evidence(store: &Store, actor: &Actor, id: i64) -> Result<(String, String, Vec<u8>), AppError> {
    let (name, bytes) = store.group_activity_evidence(actor, id).await?;
    let kind = eduq_core::casework::evidence_type(&name).unwrap_or("application/octet-stream");
    Ok((name, kind.to_string(), bytes))
}

/// The 捆绑评价 pairs in scope: (school, 中心校, school's name, 中心校's name).
pub async fn bundles(store: &Store, actor: &Actor) -> Result<Vec<(i64, i64, String, String)>, AppError> {
    Ok(store.bundle_rows(actor).await?)
}

/// Bundles a 村小 or 教学点 into its 中心校 (as typed: school ids), the bureau.
pub async fn set_bundle(
    store: &Store,
    actor: &Actor,
    school: &str,
    center: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let id =
        |label: &str, raw: &str| raw.trim().parse::<i64>().map_err(|_| AppError::Invalid(format!("请选择{label}")));
    let (school, center) = (id("捆绑学校", school)?, id("中心校", center)?);
    let mut tx = store.begin().await?;
    tx.set_bundle(actor, school, center, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_bundle(store: &Store, actor: &Actor, school: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.remove_bundle(actor, school, now).await?;
    tx.commit().await?;
    Ok(())
}
