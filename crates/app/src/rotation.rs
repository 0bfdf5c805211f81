//! 交流轮岗 of a school year: who qualifies (years at the same school, from the per-term teacher
//! records and 进本校年月), each school's quota, the teachers sent and their return, the flows
//! between town and country, and the two shares of 政府保障程度 item 11.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::Term;
use eduq_core::org::Locale;
use eduq_core::rotation::{RotationKind, RotationRules, Tally, years_at_school};
use eduq_store::Store;
use eduq_store::rotation::{NewRotation, RotationStaff, TermAt};
use serde::Serialize;

use crate::AppError;

pub use eduq_store::rotation::RotationRow;

/// A teacher of the year with their years at the school they are counted at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub staff: RotationStaff,
    /// The school the years count at: the one they were sent from when sent this year.
    pub base_school_id: i64,
    pub years: i32,
    pub qualifies: bool,
    pub sent: bool,
}

/// A school's line: who qualifies, the quota (10 %), who was sent and who came.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolLine {
    pub school_id: i64,
    pub school_name: String,
    pub qualifying: usize,
    pub quota: usize,
    pub sent: usize,
    pub backbone_sent: usize,
    pub received: usize,
}

/// Teachers sent between kinds of place (城区 → 乡村 …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    pub from: Locale,
    pub to: Locale,
    pub teachers: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotationBoard {
    pub start_year: i32,
    pub rules: RotationRules,
    pub tally: Tally,
    pub schools: Vec<SchoolLine>,
    pub candidates: Vec<Candidate>,
    pub rotations: Vec<RotationRow>,
    pub flows: Vec<Flow>,
}

impl RotationBoard {
    pub fn label(&self) -> String {
        format!("{}—{}学年", self.start_year, self.start_year + 1)
    }
}

/// Years at the school a teacher is counted at on the first day of the school year: the latest
/// run of terms at `school` before or in the year (a run ends where another school's term comes
/// between), or 进本校年月 where that is earlier.
fn years_at(history: &[TermAt], school: i64, start_year: i32) -> i32 {
    let mut terms: Vec<&TermAt> = history.iter().collect();
    terms.sort_by_key(|t| std::cmp::Reverse(t.term));
    let mut first = None;
    let mut joined: Option<NaiveDate> = None;
    for t in terms.iter().skip_while(|t| t.school_id != school) {
        if t.school_id != school {
            break;
        }
        first = Some(t.term);
        joined = match (joined, t.joined) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let on = NaiveDate::from_ymd_opt(start_year, 9, 1).unwrap_or(NaiveDate::MIN);
    let first_start = first.and_then(|(y, n)| Term::new(y, n)).map_or(on, |t| t.nominal_bounds().0);
    years_at_school(joined, first_start, on)
}

/// The school year holding `term`: its rotations and who qualified as it began.
pub async fn board(store: &Store, actor: &Actor, term: Term) -> Result<RotationBoard, AppError> {
    if !actor.role.may_read(Resource::Teachers) {
        return Err(AppError::Forbidden);
    }
    let rules = RotationRules::default();
    let start_year = term.start_year;
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    let staff = store.rotation_staff(actor, term_id).await?;
    let mut history: HashMap<i64, Vec<TermAt>> = HashMap::new();
    for t in store.staff_history(actor, term_id).await? {
        history.entry(t.teacher_id).or_default().push(t);
    }
    let rotations = store.rotations(actor, start_year).await?;
    let sent_from: HashMap<i64, &RotationRow> = rotations.iter().map(|r| (r.teacher_id, r)).collect();
    let candidates: Vec<Candidate> = staff
        .into_iter()
        .map(|s| {
            let sent = sent_from.get(&s.teacher_id);
            let base = sent.map_or(s.school_id, |r| r.school_id);
            // Years before this school year: the year's own terms at the destination do not count.
            let before: Vec<TermAt> = history
                .get(&s.teacher_id)
                .map(|h| h.iter().filter(|t| sent.is_none() || t.term < (start_year, 1)).copied().collect())
                .unwrap_or_default();
            let years = years_at(&before, base, start_year);
            Candidate { qualifies: rules.qualifies(years), sent: sent.is_some(), base_school_id: base, years, staff: s }
        })
        .collect();
    let qualifying_ids: std::collections::HashSet<i64> =
        candidates.iter().filter(|c| c.qualifies).map(|c| c.staff.teacher_id).collect();
    let tally = Tally {
        qualifying: qualifying_ids.len(),
        rotated: rotations.iter().filter(|r| qualifying_ids.contains(&r.teacher_id)).count(),
        backbone: rotations.iter().filter(|r| r.backbone).count(),
        sent: rotations.len(),
    };
    let names: HashMap<i64, String> =
        candidates.iter().map(|c| (c.staff.school_id, c.staff.school_name.clone())).collect();
    let mut lines: BTreeMap<i64, SchoolLine> = BTreeMap::new();
    for c in candidates.iter().filter(|c| c.qualifies) {
        let name = names.get(&c.base_school_id).cloned().unwrap_or_default();
        entry(&mut lines, c.base_school_id, &name).qualifying += 1;
    }
    for r in &rotations {
        let l = entry(&mut lines, r.school_id, &r.school_name);
        l.sent += 1;
        l.backbone_sent += usize::from(r.backbone);
        entry(&mut lines, r.to_school_id, &r.to_school_name).received += 1;
    }
    let mut schools: Vec<SchoolLine> = lines.into_values().collect();
    for s in &mut schools {
        s.quota = rules.quota(s.qualifying);
    }
    schools.sort_by(|a, b| a.school_name.cmp(&b.school_name));
    let mut flows: BTreeMap<(Locale, Locale), usize> = BTreeMap::new();
    for r in &rotations {
        *flows.entry((r.from_locale, r.to_locale)).or_default() += 1;
    }
    let flows = flows.into_iter().map(|((from, to), teachers)| Flow { from, to, teachers }).collect();
    Ok(RotationBoard { start_year, rules, tally, schools, candidates, rotations, flows })
}

fn entry<'a>(lines: &'a mut BTreeMap<i64, SchoolLine>, id: i64, name: &str) -> &'a mut SchoolLine {
    lines.entry(id).or_insert_with(|| SchoolLine {
        school_id: id,
        school_name: name.to_string(),
        qualifying: 0,
        quota: 0,
        sent: 0,
        backbone_sent: 0,
        received: 0,
    })
}

/// The year's shares for 政府保障程度 item 11, where rotations of that school year are recorded
/// (`None`: none kept, the bureau enters the figures).
pub async fn year_tally(store: &Store, actor: &Actor, term: Term) -> Result<Option<Tally>, AppError> {
    let b = board(store, actor, term).await?;
    Ok((!b.rotations.is_empty()).then_some(b.tally))
}

/// A teacher sent out, as the bureau enters it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AssignForm {
    pub staff_no: String,
    pub to_school_id: i64,
    pub kind: String,
    pub start_day: String,
    #[serde(default)]
    pub end_day: String,
    #[serde(default)]
    pub note: String,
}

use crate::form::date_field as day;

/// Sends a teacher of this term to another school for the school year (the bureau); audited.
pub async fn assign(
    store: &Store,
    actor: &Actor,
    f: &AssignForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.plans_rotation() {
        return Err(AppError::Forbidden);
    }
    let term = Term::containing(today);
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    let staff_no = f.staff_no.trim();
    let s = store
        .rotation_staff(actor, term_id)
        .await?
        .into_iter()
        .find(|s| s.staff_no == staff_no)
        .ok_or_else(|| AppError::Invalid(format!("工号“{staff_no}”不是本学期在岗的教师")))?;
    if f.to_school_id == s.school_id {
        return Err(AppError::Invalid("交流学校不能是本校".into()));
    }
    let schools = store.list_schools(actor, None).await?;
    let to = schools.iter().find(|x| x.id == f.to_school_id).ok_or(AppError::NotFound)?;
    let kind = RotationKind::parse(&f.kind).map_err(|e| AppError::Invalid(e.to_string()))?;
    let start_day = day("出发日期", &f.start_day)?;
    let end_day = match f.end_day.trim() {
        "" => None,
        raw => Some(day("计划返回日期", raw)?),
    };
    if end_day.is_some_and(|e| e <= start_day) {
        return Err(AppError::Invalid("计划返回日期应晚于出发日期".into()));
    }
    eduq_core::text::check_field("备注", &f.note, eduq_core::text::FIELD_CHARS).map_err(AppError::Invalid)?;
    let (district_id, _) = store.district().await?;
    let new = NewRotation {
        district_id,
        school_id: s.school_id,
        to_school_id: to.id,
        teacher_id: s.teacher_id,
        start_year: Term::containing(start_day).start_year,
        kind,
        backbone: s.backbone,
        start_day,
        end_day,
        note: f.note.trim().to_string(),
    };
    let mut tx = store.begin().await?;
    tx.insert_rotation(actor, &new, now).await?;
    let detail = format!("{}→{}，{}", s.school_name, to.name, kind.label());
    tx.audit(actor, now, "rotation_assign", &format!("teacher:{}", s.staff_no), &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a teacher's return; audited.
pub async fn mark_returned(
    store: &Store,
    actor: &Actor,
    id: i64,
    raw_day: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let on = day("返回日期", raw_day)?;
    let mut tx = store.begin().await?;
    tx.return_rotation(actor, id, on).await?;
    tx.audit(actor, now, "rotation_return", &format!("rotation:{id}"), &on.to_string()).await?;
    tx.commit().await?;
    Ok(())
}

/// The board as a workbook: who qualifies (with years) and who was sent.
pub fn workbook(b: &RotationBoard) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let text = |s: &str| Cell::Text(s.to_string());
    let qualifying: Vec<Vec<Cell>> = b
        .candidates
        .iter()
        .filter(|c| c.qualifies)
        .map(|c| {
            vec![
                text(&c.staff.school_name),
                text(&c.staff.staff_no),
                text(&c.staff.name),
                Cell::Number(f64::from(c.years)),
                text(if c.staff.backbone { "是" } else { "否" }),
                text(if c.sent { "是" } else { "否" }),
            ]
        })
        .collect();
    let sent: Vec<Vec<Cell>> = b
        .rotations
        .iter()
        .map(|r| {
            vec![
                text(&r.staff_no),
                text(&r.name),
                text(&r.school_name),
                text(&r.to_school_name),
                text(r.kind.label()),
                text(if r.backbone { "是" } else { "否" }),
                text(&r.start_day.to_string()),
                text(&r.end_day.map(|d| d.to_string()).unwrap_or_default()),
                text(&r.returned_on.map(|d| d.to_string()).unwrap_or_default()),
            ]
        })
        .collect();
    let title = vec![format!("{}交流轮岗", b.label())];
    Ok(write_workbook(&[
        Sheet {
            name: "符合交流条件",
            title: title.clone(),
            headers: &["学校", "工号", "姓名", "在校年数", "骨干教师", "本学年已交流"],
            rows: &qualifying,
        },
        Sheet {
            name: "交流名单",
            title,
            headers: &["工号", "姓名", "派出学校", "接收学校", "方式", "骨干教师", "出发日期", "计划返回", "实际返回"],
            rows: &sent,
        },
    ])?)
}
