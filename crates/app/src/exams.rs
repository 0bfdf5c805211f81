//! Exams in the platform: creating an exam under the 双减 rules, importing each paper's item
//! structure and per-pupil item scores, and the analysis a 质量分析会 reads — per district, school
//! and class, by sex, item by item, and value-added between two linked papers. No rank of a pupil
//! is computed or shown; schools are compared by values with intervals, in school-code order.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource, Scope};
use eduq_core::calendar::Term;
use eduq_core::exam::{
    ItemDef, Lines, Sitting, SubjectStats, above_mean_rate, analyse, critical, mastery, standard_scores,
    subject_balance,
};
use eduq_core::grade::Grade;
use eduq_core::items::{self, OptionStats};
use eduq_core::standards::exam_policy::{self, ExamKind, Organiser};
use eduq_core::valueadded::{self, Effect, Fit, Method};
use eduq_exchange::RowError;
use eduq_exchange::exam::{read_scores, read_structure};
use eduq_store::Store;
pub use eduq_store::exams::ExamRow;
use eduq_store::exams::{NewExam, PaperRow, ScoreFact, ScoreRecord};
use eduq_store::imports::Counts;
use serde::Serialize;

use crate::AppError;

use eduq_core::exam::CRITICAL_WIDTH;
use eduq_core::privacy::cell_shown;

pub use eduq_core::exam::MIN_GROUP;

/// What a user fills in to create an exam.
#[derive(Debug, Clone)]
pub struct ExamForm {
    pub name: String,
    pub grade: Grade,
    pub kind: ExamKind,
    pub organiser: Organiser,
    /// For a school's own exam.
    pub school_id: Option<i64>,
    /// The schools of a 联考 (bureau only); empty = every school with the grade.
    pub schools: Vec<i64>,
    /// A 学区 or 教育集团 whose members sit a 联考 (bureau only): its schools join `schools`.
    pub group_id: Option<i64>,
    pub held_on: NaiveDate,
    pub subjects: Vec<(String, f64)>,
}

/// Creates an exam after the 双减 check: refused for grades 1–2; stored with its warnings when it
/// exceeds a limit. A school creates exams of its own only.
pub async fn create_exam(
    store: &Store,
    actor: &Actor,
    f: &ExamForm,
    now: DateTime<Utc>,
) -> Result<(i64, Vec<String>), AppError> {
    if !actor.role.may_write(Resource::Exams) {
        return Err(AppError::Forbidden);
    }
    let school_id = match &actor.scope {
        Scope::District => f.school_id,
        Scope::School(id) if f.organiser == Organiser::School => Some(*id),
        Scope::School(_) => return Err(AppError::Invalid("学校只能创建本校组织的考试".into())),
        _ => return Err(AppError::Forbidden),
    };
    let name = f.name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid("请填写考试名称".into()));
    }
    if f.subjects.is_empty() {
        return Err(AppError::Invalid("请至少填写一个科目及其满分".into()));
    }
    if let Some((s, full)) =
        f.subjects.iter().find(|(s, full)| s.trim().is_empty() || !full.is_finite() || *full <= 0.0)
    {
        return Err(AppError::Invalid(format!("科目“{s}”的满分“{full}”无效")));
    }
    let term = Term::containing(f.held_on);
    let term_id =
        store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("{}不在已有数据的学期内", f.held_on)))?;
    let existing: Vec<ExamKind> = store
        .exam_kinds(term_id, i64::from(f.grade.number()), school_id)
        .await?
        .iter()
        .filter_map(|k| ExamKind::from_key(k))
        .collect();
    let verdict = exam_policy::check(f.grade, f.kind, f.organiser, term.term_no, &existing);
    if let Some(why) = verdict.refused {
        return Err(AppError::Invalid(why));
    }
    let mut schools = f.schools.clone();
    if let Some(g) = f.group_id {
        if actor.scope != Scope::District {
            return Err(AppError::Invalid("集团或学区联考由教育局创建".into()));
        }
        let members: Vec<i64> =
            store.group_members(actor).await?.into_iter().filter(|m| m.group_id == g).map(|m| m.school_id).collect();
        if members.is_empty() {
            return Err(AppError::Invalid("所选集团或学区没有成员学校".into()));
        }
        for id in members {
            if !schools.contains(&id) {
                schools.push(id);
            }
        }
    }
    let (district_id, _) = store.district().await?;
    let new = NewExam {
        term_id,
        name: name.to_string(),
        grade: i64::from(f.grade.number()),
        kind: f.kind.key().into(),
        organiser: f.organiser.key().into(),
        school_id,
        held_on: f.held_on,
        warnings: verdict.warnings.clone(),
        subjects: f.subjects.iter().map(|(s, full)| (s.trim().to_string(), *full)).collect(),
        schools: if school_id.is_some() { Vec::new() } else { schools },
    };
    let mut tx = store.begin().await?;
    let id = tx.create_exam(district_id, &new, actor, now).await?;
    tx.commit().await?;
    Ok((id, verdict.warnings))
}

/// The exam and paper a writer may change (an exam in scope; a school changes its own school's
/// papers' scores, the bureau all).
async fn writable(store: &Store, actor: &Actor, exam_id: i64, paper_id: i64) -> Result<(ExamRow, PaperRow), AppError> {
    if !actor.role.may_write(Resource::Exams) {
        return Err(AppError::Forbidden);
    }
    let exam = store.exam(actor, exam_id).await?;
    let paper = exam.papers.iter().find(|p| p.id == paper_id).cloned().ok_or(AppError::Forbidden)?;
    Ok((exam, paper))
}

/// Sets a paper's item structure from a file (题号, 题型, 满分, 答案, 知识点, 能力). The structure of a
/// district exam is the bureau's.
pub async fn import_structure(
    store: &Store,
    actor: &Actor,
    exam_id: i64,
    paper_id: i64,
    bytes: &[u8],
    file_name: &str,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let (exam, _) = writable(store, actor, exam_id, paper_id).await?;
    if exam.school_id.is_none() && actor.scope != Scope::District {
        return Err(AppError::Invalid("全区考试的试卷结构由教育局设置".into()));
    }
    let items = read_structure(&crate::parsing::read_upload(actor.user_id, bytes, file_name).await?)?;
    let mut tx = store.begin().await?;
    tx.set_paper_items(paper_id, &items).await?;
    tx.audit(actor, now, "exam_structure", &format!("paper:{paper_id}"), &format!("{file_name}：{}题", items.len()))
        .await?;
    tx.commit().await?;
    Ok(items.len())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreImport {
    pub rows: usize,
    pub counts: Counts,
}

/// Imports a paper's scores (one row per pupil, one column per 题号): every row checked — unknown
/// or out-of-scope pupils, pupils of another grade, scores above an item's maximum, duplicates —
/// and applied in one transaction, or nothing. Re-importing the same file changes nothing.
pub async fn import_scores(
    store: &Store,
    actor: &Actor,
    exam_id: i64,
    paper_id: i64,
    bytes: &[u8],
    file_name: &str,
    now: DateTime<Utc>,
) -> Result<ScoreImport, AppError> {
    let (exam, paper) = writable(store, actor, exam_id, paper_id).await?;
    // Without an item structure the paper takes totals alone (no item analysis then).
    let items = store.paper_items(actor, paper_id).await?;
    let lines =
        read_scores(&crate::parsing::read_upload(actor.user_id, bytes, file_name).await?, &items, paper.full_score)?;
    let roll = store.roll_by_number(actor, exam.term_id).await?;
    let grade = Grade::new(exam.grade as i8).map_or("该年级", |g| g.name());
    let mut errors = Vec::new();
    let mut recs = Vec::with_capacity(lines.len());
    for l in lines {
        let Some(p) = roll.get(&l.student_no) else {
            errors.push(RowError {
                row: l.row,
                column: "学籍号".into(),
                value: l.student_no.clone(),
                message: "不是本学期在读学生，或不在您的管理范围内".into(),
            });
            continue;
        };
        let sits =
            exam.school_id.map_or(exam.schools.is_empty() || exam.schools.contains(&p.school_id), |s| s == p.school_id);
        if p.grade != exam.grade || !sits {
            errors.push(RowError {
                row: l.row,
                column: "学籍号".into(),
                value: l.student_no.clone(),
                message: format!("不是参加本次考试的{grade}学生"),
            });
            continue;
        }
        let total = if l.sitting == Sitting::Sat { l.total } else { None };
        recs.push(ScoreRecord {
            student_id: p.student_id,
            school_id: p.school_id,
            class_id: p.class_id,
            sitting: l.sitting,
            total,
            items: l.scores,
            answers: if l.answers.iter().all(String::is_empty) { Vec::new() } else { l.answers },
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    let counts = tx.apply_scores(district_id, paper_id, &recs).await?;
    tx.audit(
        actor,
        now,
        "exam_scores",
        &format!("paper:{paper_id}"),
        &format!(
            "{file_name}：{}行，新增{}，更新{}，未变{}",
            recs.len(),
            counts.inserted,
            counts.updated,
            counts.unchanged
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(ScoreImport { rows: recs.len(), counts })
}

/// One unit's statistics in a comparison: the mean with its 95 % interval (none below
/// [`MIN_GROUP`] pupils) and 超均率 against the district.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitStats {
    pub id: i64,
    pub label: String,
    pub stats: SubjectStats,
    pub mean_interval: Option<(f64, f64)>,
    pub above_mean_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemLine {
    pub item: ItemDef,
    pub stats: items::ItemStats,
    pub options: Vec<OptionStats>,
}

/// A pupil near a line (临界生), for the people who teach them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearLine {
    pub line: &'static str,
    pub threshold: f64,
    pub pupils: Vec<(String, String, String, f64)>,
}

/// The analysis of one paper within the reader's scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaperReport {
    pub exam: ExamRow,
    pub paper: PaperRow,
    pub lines: Lines,
    /// District reference (every school's pupils; figures only).
    pub district: Option<SubjectStats>,
    /// The reader's scope as a whole (the district itself for the bureau).
    pub scope_label: String,
    pub scope: Option<SubjectStats>,
    /// Schools (bureau) or classes (a school, a teacher), in code/name order.
    pub unit_kind: &'static str,
    pub units: Vec<UnitStats>,
    pub by_sex: Vec<UnitStats>,
    /// Special groups, for the roles that read them (audited); empty otherwise.
    pub by_group: Vec<UnitStats>,
    /// Each 学区 and 教育集团 (its pupils pooled), then its core school, for the bureau: a 联考 of a
    /// group's schools reports by group here.
    pub school_groups: Vec<UnitStats>,
    pub items: Vec<ItemLine>,
    pub alpha: Option<f64>,
    pub mastery: Vec<(String, usize, f64)>,
    pub near: Vec<NearLine>,
}

fn unit(
    id: i64,
    label: String,
    scores: &[Option<f64>],
    full: f64,
    lines: &Lines,
    district_mean: Option<f64>,
) -> Option<UnitStats> {
    let stats = analyse(scores, full, lines)?;
    let n = stats.participants;
    let mean_interval = eduq_core::exam::mean_interval(stats.mean, stats.sd, n);
    let above_mean_rate = district_mean.and_then(|m| above_mean_rate(stats.mean, m));
    Some(UnitStats { id, label, stats, mean_interval, above_mean_rate })
}

/// Every sitting's total in the district (`None` = 缺考/作弊): the reference of every report.
async fn district_scores(store: &Store, actor: &Actor, paper_id: i64) -> Result<Vec<Option<f64>>, AppError> {
    Ok(store
        .paper_totals(actor, paper_id)
        .await?
        .into_iter()
        .map(|(_, _, s, t)| if s == Sitting::Sat { t } else { None })
        .collect())
}

fn score_of(f: &ScoreFact) -> Option<f64> {
    if f.sitting == Sitting::Sat { f.total } else { None }
}

/// The analysis of a paper for the reader: a teacher reads her classes, a principal the school, the
/// bureau the district. 临界生 are listed for the pupils in scope only, without ranks.
pub async fn paper_report(
    store: &Store,
    actor: &Actor,
    exam_id: i64,
    paper_id: i64,
    lines: Lines,
    now: DateTime<Utc>,
) -> Result<PaperReport, AppError> {
    let exam = store.exam(actor, exam_id).await?;
    let paper = exam.papers.iter().find(|p| p.id == paper_id).cloned().ok_or(AppError::Forbidden)?;
    let facts = store.paper_scores(actor, paper_id).await?;
    let scope_label = match &actor.scope {
        Scope::District => "全区".to_string(),
        Scope::School(_) => facts.first().map_or("本校".into(), |f| f.school_name.clone()),
        _ => "任教班级".to_string(),
    };
    let by_school = matches!(actor.scope, Scope::District);
    // Special groups only for the roles that support those pupils; the read is audited.
    let flags = if actor.role.reads_special_groups() && !facts.is_empty() {
        let ids: Vec<i64> = facts.iter().map(|f| f.student_id).collect();
        store.special_flags_of(actor, &ids, "exam_report", now).await?
    } else {
        HashMap::new()
    };
    // The analysis is the same for every reader of a scope until the next write; the special
    // groups above are read, and audited, at each request.
    let key = format!("paper_report|{}|{exam_id}|{paper_id}|{lines:?}", eduq_store::reader_key(actor));
    let mut report = store
        .memoised(&key, async {
            let item_defs = store.paper_items(actor, paper_id).await?;
            let all = district_scores(store, actor, paper_id).await?;
            let district = analyse(&all, paper.full_score, &lines);
            let mut r = analyse_paper(exam, paper, &facts, &item_defs, district, by_school, scope_label, lines);
            if by_school {
                r.school_groups = school_group_units(&facts, &store.group_members(actor).await?, &r);
            }
            Ok::<_, AppError>(r)
        })
        .await?;
    report.by_group =
        group_units(&facts, &flags, report.paper.full_score, &lines, report.district.as_ref().map(|d| d.mean));
    // 临界生 carry their 学籍号 in full only for those who keep 学籍.
    if !actor.role.reads_full_identity() {
        for p in report.near.iter_mut().flat_map(|n| n.pupils.iter_mut()) {
            p.1 = eduq_core::identity::mask_student_number(&p.1);
        }
    }
    Ok(report)
}

/// Each group's statistics over its member schools' pupils (pooled, not a mean of school means),
/// followed by its core school's own line (“核心校：…”).
fn school_group_units(
    facts: &[ScoreFact],
    members: &[eduq_store::org::GroupMember],
    r: &PaperReport,
) -> Vec<UnitStats> {
    let dmean = r.district.as_ref().map(|d| d.mean);
    let mut out = Vec::new();
    for g in members.chunk_by(|a, b| a.group_id == b.group_id) {
        let ids: std::collections::HashSet<i64> = g.iter().map(|m| m.school_id).collect();
        let scores: Vec<Option<f64>> = facts.iter().filter(|f| ids.contains(&f.school_id)).map(score_of).collect();
        let Some(u) = unit(g[0].group_id, g[0].group_name.clone(), &scores, r.paper.full_score, &r.lines, dmean) else {
            continue;
        };
        out.push(u);
        if let Some(core) = g.iter().find(|m| m.core).and_then(|m| r.units.iter().find(|u| u.id == m.school_id)) {
            out.push(UnitStats { label: format!("　核心校：{}", core.label), ..core.clone() });
        }
    }
    out
}

/// Statistics per special group (残疾, 低保, 留守, 随迁, 单亲) of the pupils in scope; groups of fewer
/// than [`eduq_core::privacy::MIN_CELL`] pupils who sat are left out, so that no one is recognisable.
fn group_units(
    facts: &[ScoreFact],
    flags: &HashMap<i64, eduq_core::student::SpecialFlags>,
    full: f64,
    lines: &Lines,
    district_mean: Option<f64>,
) -> Vec<UnitStats> {
    use eduq_core::student::SpecialFlags;
    (0..SpecialFlags::LABELS.len())
        .filter_map(|g| {
            let s: Vec<Option<f64>> = facts
                .iter()
                .filter(|f| flags.get(&f.student_id).is_some_and(|fl| fl.as_array()[g]))
                .map(score_of)
                .collect();
            unit(0, SpecialFlags::LABELS[g].to_string(), &s, full, lines, district_mean)
                .filter(|u| cell_shown(u.stats.participants))
        })
        .collect()
}

/// The statistics of a paper report from its rows (no IO): `facts` are the pupils in the reader's
/// scope, `district` the reference over every sitting (computed once, shared by every unit's
/// report); units are schools when `by_school`, else classes.
#[allow(clippy::too_many_arguments)]
pub fn analyse_paper(
    exam: ExamRow,
    paper: PaperRow,
    facts: &[ScoreFact],
    item_defs: &[ItemDef],
    district: Option<SubjectStats>,
    by_school: bool,
    scope_label: String,
    lines: Lines,
) -> PaperReport {
    let full = paper.full_score;
    let dmean = district.as_ref().map(|d| d.mean);
    let scores: Vec<Option<f64>> = facts.iter().map(score_of).collect();
    // (sort key, id) → (label, scores)
    type Group = (String, Vec<Option<f64>>);
    let mut groups: BTreeMap<(String, i64), Group> = BTreeMap::new();
    for f in facts {
        let (key, label) = if by_school {
            ((f.school_code.clone(), f.school_id), f.school_name.clone())
        } else {
            ((f.class_name.clone(), f.class_id), f.class_name.clone())
        };
        groups.entry(key).or_insert_with(|| (label, Vec::new())).1.push(score_of(f));
    }
    let units =
        groups.into_iter().filter_map(|((_, id), (label, s))| unit(id, label, &s, full, &lines, dmean)).collect();
    let by_sex = ["男", "女"]
        .iter()
        .filter_map(|sex| {
            let s: Vec<Option<f64>> = facts.iter().filter(|f| f.sex == *sex).map(score_of).collect();
            unit(0, (*sex).to_string(), &s, full, &lines, dmean)
        })
        .collect();
    // Item analysis over the pupils in scope who sat, in item order.
    let sat: Vec<&ScoreFact> =
        facts.iter().filter(|f| f.sitting == Sitting::Sat && f.items.len() == item_defs.len()).collect();
    let matrix: Vec<Vec<f64>> = sat.iter().map(|f| f.items.clone()).collect();
    let names: Vec<String> = item_defs.iter().map(|i| i.label.clone()).collect();
    let maxima: Vec<f64> = item_defs.iter().map(|i| i.max).collect();
    let analysis = items::analyse(&names, &matrix, &maxima);
    let totals: Vec<f64> = sat.iter().map(|f| f.items.iter().sum()).collect();
    let mut item_lines = Vec::new();
    if let Some(a) = &analysis {
        for (j, (def, st)) in item_defs.iter().zip(&a.items).enumerate() {
            let options = match &def.key {
                Some(key) if sat.iter().all(|f| f.answers.len() == item_defs.len()) => {
                    let answers: Vec<&str> = sat.iter().map(|f| f.answers[j].as_str()).collect();
                    items::options(&answers, key, &totals)
                }
                _ => Vec::new(),
            };
            let mut stats = st.clone();
            // A distractor the upper group picks more often than the lower one: an ambiguous item
            // or a wrong key.
            if options.iter().any(|o| !o.key && o.upper > o.lower && o.option != "未作答") {
                stats.flags.push("distractor");
            }
            item_lines.push(ItemLine { item: def.clone(), stats, options });
        }
    }
    let near = [("优秀线", lines.excellent), ("及格线", lines.pass)]
        .into_iter()
        .map(|(line, share)| {
            let threshold = share * full;
            let pupils = critical(&scores, threshold, CRITICAL_WIDTH * full)
                .into_iter()
                .map(|i| {
                    let f = &facts[i];
                    // At district scope a class name alone does not say which school.
                    let class =
                        if by_school { format!("{} {}", f.school_name, f.class_name) } else { f.class_name.clone() };
                    (class, f.student_no.clone(), f.name.clone(), f.total.unwrap_or(0.0))
                })
                .collect();
            NearLine { line, threshold, pupils }
        })
        .collect();
    PaperReport {
        scope: analyse(&scores, full, &lines),
        scope_label,
        district,
        unit_kind: if by_school { "学校" } else { "班级" },
        units,
        by_sex,
        by_group: Vec::new(),
        school_groups: Vec::new(),
        alpha: analysis.as_ref().and_then(|a| a.alpha),
        mastery: mastery(item_defs, &matrix),
        items: item_lines,
        near,
        lines,
        exam,
        paper,
    }
}

/// Value-added between two papers of the same pupils (entry and exit, linked by 学籍 identity).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VaReport {
    pub entry: String,
    pub exit: String,
    pub linked: usize,
    /// Sat the exit paper without an entry score (transferred in, or absent at entry).
    pub exit_only: usize,
    /// Sat the entry paper but not the exit (transferred out, left, or absent).
    pub entry_only: usize,
    /// Linked pupils whose school changed between the papers: attributed to the exit school.
    pub moved: usize,
    pub fit: Option<Fit>,
    /// The extended model (random slope, class level), when asked for.
    pub mixed: Option<eduq_core::mixed::MixedFit>,
    pub model: VaModel,
    pub fit_error: Option<String>,
    /// Level 0 (progress against pupils of the same entry band); always shown.
    pub progress: Vec<Effect>,
    /// Level 0 of each 学区 and 教育集团 with its core school's (the bureau's view).
    pub school_groups: Vec<GroupProgress>,
    /// School code → name, for display; effects outside the reader's scope are left out.
    pub names: BTreeMap<String, String>,
    /// The pupils in the reader's scope who could not be linked: (class, 学籍号, name, why).
    pub unlinked: Vec<(String, String, String, &'static str)>,
}

/// Extensions of the random-intercept model, on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct VaModel {
    /// A random slope on the entry score per school.
    pub slope: bool,
    /// Class intercepts nested in schools (classes of [`eduq_core::mixed::MIN_CLASS`] or more).
    pub classes: bool,
    /// Sex as a covariate (girls against boys).
    pub sex: bool,
}

/// Fits the value-added model on every linked pupil of the district (the model needs them all) and
/// returns the effects of the schools in the reader's scope. Pupil data never leaves.
pub async fn va_report(
    store: &Store,
    actor: &Actor,
    entry: (i64, i64),
    exit: (i64, i64),
    method: Method,
    model: VaModel,
) -> Result<VaReport, AppError> {
    // The fit is the same for every reader of a scope until the next write (1.3 s in the issue).
    let key = format!("va|{}|{entry:?}|{exit:?}|{method:?}|{model:?}", eduq_store::reader_key(actor));
    store.memoised(&key, read_va_report(store, actor, entry, exit, method, model)).await
}

async fn read_va_report(
    store: &Store,
    actor: &Actor,
    entry: (i64, i64),
    exit: (i64, i64),
    method: Method,
    model: VaModel,
) -> Result<VaReport, AppError> {
    let entry_exam = store.exam(actor, entry.0).await?;
    let exit_exam = store.exam(actor, exit.0).await?;
    let paper = |e: &ExamRow, id: i64| e.papers.iter().find(|p| p.id == id).cloned().ok_or(AppError::Forbidden);
    let (ep, xp) = (paper(&entry_exam, entry.1)?, paper(&exit_exam, exit.1)?);
    let before: HashMap<i64, (i64, f64)> = store
        .paper_totals(actor, ep.id)
        .await?
        .into_iter()
        .filter_map(|(st, sc, s, t)| (s == Sitting::Sat).then_some(t).flatten().map(|t| (st, (sc, t))))
        .collect();
    let after: Vec<(i64, i64, f64)> = store
        .paper_totals(actor, xp.id)
        .await?
        .into_iter()
        .filter_map(|(st, sc, s, t)| (s == Sitting::Sat).then_some(t).flatten().map(|t| (st, sc, t)))
        .collect();
    let schools = store.list_schools(&eduq_core::access::Actor::system(), None).await?;
    let code: HashMap<i64, (String, String)> =
        schools.iter().map(|s| (s.id, (s.code.clone(), s.name.clone()))).collect();
    let mut linked_rows = Vec::new();
    let mut linked_pupils = Vec::new();
    let mut moved = 0;
    for (st, sc, y) in &after {
        if let Some((sc0, x)) = before.get(st) {
            moved += usize::from(sc0 != sc);
            linked_rows.push((*sc, *x, *y));
            linked_pupils.push(*st);
        }
    }
    let exit_ids: std::collections::HashSet<i64> = after.iter().map(|a| a.0).collect();
    let mut group_ids: Vec<i64> = linked_rows.iter().map(|r| r.0).collect();
    group_ids.sort_unstable_by_key(|id| code.get(id).map(|c| c.0.clone()));
    group_ids.dedup();
    let groups: Vec<String> = group_ids.iter().map(|id| code.get(id).map_or(id.to_string(), |c| c.0.clone())).collect();
    let index: HashMap<i64, usize> = group_ids.iter().enumerate().map(|(k, id)| (*id, k)).collect();
    let pupils = if model.sex || model.classes { store.paper_pupils(actor, xp.id).await? } else { HashMap::new() };
    let mut terms = vec![format!("{}（入口）", ep.subject)];
    if model.sex {
        terms.push("性别[女]".into());
    }
    let data = valueadded::Data {
        y: linked_rows.iter().map(|r| r.2).collect(),
        x: linked_rows
            .iter()
            .zip(&linked_pupils)
            .map(|(r, st)| {
                let mut x = vec![r.1];
                if model.sex {
                    x.push(f64::from(u8::from(pupils.get(st).is_some_and(|p| p.2 == "女"))));
                }
                x
            })
            .collect(),
        group: linked_rows.iter().map(|r| index[&r.0]).collect(),
        groups: groups.clone(),
        terms,
    };
    let (mut fit, mut fit_error) = match valueadded::fit(&data, method) {
        Ok(f) => (Some(f), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let mut mixed = None;
    if model.slope || model.classes {
        let class = if model.classes {
            let mut labels = Vec::new();
            let mut index: HashMap<i64, usize> = HashMap::new();
            let mut per_pupil = Vec::with_capacity(linked_pupils.len());
            for st in &linked_pupils {
                let (id, name) = pupils.get(st).map_or((0, String::new()), |p| (p.0, p.1.clone()));
                let next = labels.len();
                let k = *index.entry(id).or_insert(next);
                if k == next {
                    labels.push(name);
                }
                per_pupil.push(k);
            }
            Some((per_pupil, labels))
        } else {
            None
        };
        let design = eduq_core::mixed::Design {
            y: data.y.clone(),
            x: data.x.clone(),
            terms: data.terms.clone(),
            school: data.group.clone(),
            schools: groups.clone(),
            slope: model.slope.then_some(0),
            class,
        };
        match eduq_core::mixed::fit_mixed(&design, method) {
            Ok(f) => mixed = Some(f),
            Err(e) => fit_error = Some(e.to_string()),
        }
    }
    let entry_scores: Vec<f64> = data.x.iter().map(|x| x[0]).collect();
    let mut progress = valueadded::progress(&entry_scores, &data.y, &data.group, &groups, 10);
    let school_groups = if actor.scope == Scope::District {
        group_progress(&progress, &store.group_members(actor).await?)
    } else {
        Vec::new()
    };
    // Only the schools the reader may see.
    let visible = |g: &str| match &actor.scope {
        Scope::District => true,
        Scope::School(id) | Scope::Classes { school_id: id, .. } => code.get(id).is_some_and(|c| c.0 == g),
        Scope::Schools(ids) => ids.iter().any(|id| code.get(id).is_some_and(|c| c.0 == g)),
        Scope::Students(_) => false,
    };
    progress.retain(|e| visible(&e.group));
    if let Some(f) = fit.as_mut() {
        f.effects.retain(|e| visible(&e.group));
    }
    if let Some(f) = mixed.as_mut() {
        f.effects.retain(|e| visible(&e.group));
        f.class_effects.retain(|e| e.group.split('/').next().is_some_and(visible));
    }
    // Who could not be linked, among the pupils the reader may see.
    let (seen_entry, seen_exit) = (store.paper_scores(actor, ep.id).await?, store.paper_scores(actor, xp.id).await?);
    let sat = |f: &ScoreFact| f.sitting == Sitting::Sat && f.total.is_some();
    let by_id = |facts: &[ScoreFact]| facts.iter().map(|f| (f.student_id, sat(f))).collect::<HashMap<i64, bool>>();
    let (entry_ids, exit_ids_seen) = (by_id(&seen_entry), by_id(&seen_exit));
    let mut unlinked = Vec::new();
    for f in seen_exit.iter().filter(|f| sat(f)) {
        match entry_ids.get(&f.student_id) {
            Some(true) => {}
            Some(false) => unlinked.push((f.class_name.clone(), f.student_no.clone(), f.name.clone(), "入口考试缺考")),
            None => {
                unlinked.push((f.class_name.clone(), f.student_no.clone(), f.name.clone(), "入口考试时不在（转入）"))
            }
        }
    }
    for f in seen_entry.iter().filter(|f| sat(f)) {
        match exit_ids_seen.get(&f.student_id) {
            Some(true) => {}
            Some(false) => unlinked.push((f.class_name.clone(), f.student_no.clone(), f.name.clone(), "出口考试缺考")),
            None => unlinked.push((
                f.class_name.clone(),
                f.student_no.clone(),
                f.name.clone(),
                "出口考试时不在（转出或离校）",
            )),
        }
    }
    unlinked.sort();
    Ok(VaReport {
        unlinked,
        entry: format!("{} · {}", entry_exam.name, ep.subject),
        exit: format!("{} · {}", exit_exam.name, xp.subject),
        linked: linked_rows.len(),
        exit_only: after.len() - linked_rows.len(),
        entry_only: before.keys().filter(|k| !exit_ids.contains(k)).count(),
        moved,
        fit,
        mixed,
        model,
        fit_error,
        progress,
        school_groups,
        names: code.into_values().collect(),
    })
}

/// A 学区 or 教育集团's progress (its pupils' together) beside its core school's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupProgress {
    pub group: Effect,
    pub core: Option<Effect>,
}

/// Each group's level-0 progress pooled over its member schools' pupils (schools are keyed by
/// code in the effects), for the bureau.
pub fn group_progress(progress: &[Effect], members: &[eduq_store::org::GroupMember]) -> Vec<GroupProgress> {
    let by_code: HashMap<&str, &Effect> = progress.iter().map(|e| (e.group.as_str(), e)).collect();
    let mut out = Vec::new();
    for g in members.chunk_by(|a, b| a.group_id == b.group_id) {
        let parts: Vec<&Effect> = g.iter().filter_map(|m| by_code.get(m.school_code.as_str()).copied()).collect();
        if let Some(group) = valueadded::pool_progress(&g[0].group_name, &parts) {
            let core =
                g.iter().find(|m| m.core).and_then(|m| by_code.get(m.school_code.as_str()).map(|e| (*e).clone()));
            out.push(GroupProgress { group, core });
        }
    }
    out
}

/// The Chinese name of an item flag.
pub fn flag_label(flag: &str) -> &'static str {
    match flag {
        "miskey" => "疑似答案错误",
        "distractor" => "干扰项异常",
        "constant" => "无区分（全对或全错）",
        _ => "区分度低",
    }
}

/// 口径说明 of every metric in a paper report, as shown under the tables and in the workbook.
pub const DEFINITIONS: &[(&str, &str)] = &[
    ("参考人数", "状态为正常并有成绩的学生；缺考、作弊单列，不计入任何统计，也不按0分计"),
    ("平均分、标准差", "参考学生总分的算术平均；标准差为总体标准差（除以人数）"),
    ("95%区间", "平均分 ± 1.96 × 样本标准差 ÷ √人数；不足5人不给区间。两单位区间重叠时，差异可能只是抽样波动"),
    (
        "四率",
        "优秀率、良好率、及格率为总分达到满分85%、70%、60%的人数 ÷ 参考人数；低分率为低于满分40%的人数 ÷ 参考人数",
    ),
    ("超均率", "（单位平均分 − 全区平均分）÷ 全区平均分 × 100%"),
    ("一分一段", "每个分数的人数及该分数以上的累计人数（本人范围内），不显示名次"),
    ("得分率（难度）", "该题平均得分 ÷ 该题满分"),
    (
        "区分度 D27",
        "按总分从高到低排序（同分按导入顺序），取前、后各 round(0.27×N) 人，两组该题平均得分之差 ÷ 该题满分",
    ),
    (
        "点二列相关",
        "该题得分与总分的相关系数；校正后为与“总分减该题”的相关。校正值 < 0.20 标为区分度低，< 0 标为疑似答案错误",
    ),
    ("Cronbach α", "k/(k−1) × (1 − 各题方差之和 ÷ 总分方差)；删除该题后的 α 高于整卷时，该题与其余题目不一致"),
    (
        "选项分析",
        "客观题各选项的选择比例，及高分组、低分组（各27%）中的选择比例；高分组多选某干扰项提示题目或答案有问题",
    ),
    ("知识点掌握率", "带该知识点的各题得分之和 ÷ 这些题满分之和（参考学生）"),
    ("临界生", "总分低于优秀线或及格线、差距不超过满分5%的学生，供任课教师辅导；只列本人管理范围内的学生，不排名"),
];

/// The report as a workbook (summary, units, 一分一段, items, 临界生 within scope, 口径说明).
pub fn report_workbook(r: &PaperReport) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let t = |s: &str| Cell::Text(s.to_string());
    let n = |x: f64| Cell::Number((x * 1e4).round() / 1e4);
    let stat_row = |label: &str, s: &SubjectStats, above: Option<f64>, ci: Option<(f64, f64)>| {
        vec![
            t(label),
            Cell::from(s.participants as i64),
            Cell::from(s.absent as i64),
            n(s.mean),
            ci.map_or(t(""), |c| n(c.0)),
            ci.map_or(t(""), |c| n(c.1)),
            n(s.sd),
            n(s.median),
            n(s.max),
            n(s.min),
            n(s.excellent_rate),
            n(s.good_rate),
            n(s.pass_rate),
            n(s.low_rate),
            above.map_or(t(""), n),
        ]
    };
    let stat_headers = [
        "单位",
        "参考人数",
        "缺考/作弊",
        "平均分",
        "95%区间下限",
        "95%区间上限",
        "标准差",
        "中位数",
        "最高分",
        "最低分",
        "优秀率%",
        "良好率%",
        "及格率%",
        "低分率%",
        "超均率%",
    ];
    let mut summary = Vec::new();
    if let Some(d) = &r.district {
        summary.push(stat_row("全区", d, None, None));
    }
    if let (Some(s), false) = (&r.scope, r.scope_label == "全区") {
        summary.push(stat_row(
            &r.scope_label,
            s,
            r.district.as_ref().and_then(|d| above_mean_rate(s.mean, d.mean)),
            None,
        ));
    }
    for u in r.by_sex.iter().chain(&r.by_group) {
        summary.push(stat_row(&u.label, &u.stats, u.above_mean_rate, u.mean_interval));
    }
    let units: Vec<Vec<Cell>> =
        r.units.iter().map(|u| stat_row(&u.label, &u.stats, u.above_mean_rate, u.mean_interval)).collect();
    let segments: Vec<Vec<Cell>> = r
        .scope
        .as_ref()
        .map(|s| s.segments.iter().map(|(x, k, c)| vec![n(*x), Cell::from(*k as i64), Cell::from(*c as i64)]).collect())
        .unwrap_or_default();
    let opt = |v: Option<f64>| v.map_or(t(""), n);
    let items: Vec<Vec<Cell>> = r
        .items
        .iter()
        .map(|i| {
            vec![
                t(&i.item.label),
                t(if i.item.objective { "客观" } else { "主观" }),
                n(i.item.max),
                t(i.item.key.as_deref().unwrap_or("")),
                t(&i.item.knowledge.join("、")),
                n(i.stats.p),
                n(i.stats.d27),
                opt(i.stats.r_pbis),
                opt(i.stats.r_pbis_corrected),
                opt(i.stats.alpha_if_deleted),
                t(&i.stats.flags.iter().map(|f| flag_label(f)).collect::<Vec<_>>().join("、")),
            ]
        })
        .collect();
    let mastery: Vec<Vec<Cell>> =
        r.mastery.iter().map(|(k, items, rate)| vec![t(k), Cell::from(*items as i64), n(rate * 100.0)]).collect();
    let near: Vec<Vec<Cell>> = r
        .near
        .iter()
        .flat_map(|l| l.pupils.iter().map(move |p| (l, p)))
        .map(|(l, p)| vec![t(l.line), n(l.threshold), t(&p.0), t(&p.1), t(&p.2), n(p.3)])
        .collect();
    let defs: Vec<Vec<Cell>> = DEFINITIONS.iter().map(|(k, v)| vec![t(k), t(v)]).collect();
    let title = vec![format!("{} · {}（满分{}）", r.exam.name, r.paper.subject, r.paper.full_score)];
    let alpha = r.alpha.map_or("—".to_string(), |a| format!("{a:.3}"));
    let bytes = write_workbook(&[
        Sheet { name: "总体", title: title.clone(), headers: &stat_headers, rows: &summary },
        Sheet { name: r.unit_kind, title: title.clone(), headers: &stat_headers, rows: &units },
        Sheet {
            name: "一分一段", title: title.clone(), headers: &["分数", "人数", "累计人数"], rows: &segments
        },
        Sheet {
            name: "小题分析",
            title: vec![title[0].clone(), format!("Cronbach α = {alpha}")],
            headers: &[
                "题号",
                "题型",
                "满分",
                "答案",
                "知识点",
                "得分率",
                "区分度D27",
                "点二列相关",
                "校正相关",
                "删除后α",
                "提示",
            ],
            rows: &items,
        },
        Sheet {
            name: "知识点", title: title.clone(), headers: &["知识点", "题数", "掌握率%"], rows: &mastery
        },
        Sheet {
            name: "临界生",
            title: title.clone(),
            headers: &["分数线", "线上分数", "班级", "学籍号", "姓名", "总分"],
            rows: &near,
        },
        Sheet { name: "口径说明", title, headers: &["指标", "口径"], rows: &defs },
    ])?;
    Ok(bytes)
}

/// One pupil across an exam's papers: scores, T-scores against the district and the spread of
/// those T-scores (偏科). No rank.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PupilLine {
    pub school_id: i64,
    pub school_name: String,
    pub class_id: i64,
    pub class_name: String,
    pub student_no: String,
    pub name: String,
    /// Per paper in order: the total (`None` = 缺考/作弊) and its T-score.
    pub scores: Vec<(Option<f64>, Option<f64>)>,
    pub mean_t: Option<f64>,
    pub balance: Option<f64>,
}

/// One paper's facts in scope with the district's mean and population SD of it.
pub type PaperFacts = (std::sync::Arc<Vec<ScoreFact>>, Option<(f64, f64)>);

/// Pupils in scope across papers, ordered by school, class and 学籍号.
pub fn pupil_lines(papers: &[PaperFacts]) -> Vec<PupilLine> {
    let mut by_pupil: BTreeMap<(String, i64, String), PupilLine> = BTreeMap::new();
    for (k, (facts, reference)) in papers.iter().enumerate() {
        for f in facts.iter() {
            let key = (f.school_code.clone(), f.class_id, f.student_no.clone());
            let line = by_pupil.entry(key).or_insert_with(|| PupilLine {
                school_id: f.school_id,
                school_name: f.school_name.clone(),
                class_id: f.class_id,
                class_name: f.class_name.clone(),
                student_no: f.student_no.clone(),
                name: f.name.clone(),
                scores: vec![(None, None); papers.len()],
                mean_t: None,
                balance: None,
            });
            let score = score_of(f);
            let t = score.zip(*reference).and_then(|(x, (m, sd))| standard_scores(x, m, sd)).map(|(_, t)| t);
            line.scores[k] = (score, t);
        }
    }
    by_pupil
        .into_values()
        .map(|mut l| {
            let ts: Vec<Option<f64>> = l.scores.iter().map(|s| s.1).collect();
            let sat: Vec<f64> = ts.iter().flatten().copied().collect();
            l.mean_t = (!sat.is_empty()).then(|| sat.iter().sum::<f64>() / sat.len() as f64);
            l.balance = subject_balance(&ts);
            l
        })
        .collect()
}

/// The pupils of an exam in the reader's scope with every paper's score and T-score.
/// Memoised per reader until the next write.
pub async fn exam_pupils(store: &Store, actor: &Actor, exam_id: i64) -> Result<(ExamRow, Vec<PupilLine>), AppError> {
    let key = format!("exam_pupils|{}|{exam_id}", eduq_store::reader_key(actor));
    store.memoised(&key, read_exam_pupils(store, actor, exam_id)).await
}

async fn read_exam_pupils(store: &Store, actor: &Actor, exam_id: i64) -> Result<(ExamRow, Vec<PupilLine>), AppError> {
    let exam = store.exam(actor, exam_id).await?;
    let mut papers = Vec::new();
    for p in &exam.papers {
        let facts = store.paper_scores(actor, p.id).await?;
        let all = district_scores(store, actor, p.id).await?;
        let reference = analyse(&all, p.full_score, &Lines::default()).map(|d| (d.mean, d.sd));
        papers.push((facts, reference));
    }
    let mut lines = pupil_lines(&papers);
    // 学籍号 in full only for those who keep 学籍 (the lines are matched by it above, so masked last).
    if !actor.role.reads_full_identity() {
        for l in &mut lines {
            l.student_no = eduq_core::identity::mask_student_number(&l.student_no);
        }
    }
    Ok((exam, lines))
}

/// The exams of a term the caller may read.
pub async fn exams(store: &Store, actor: &Actor, term_id: Option<i64>) -> Result<Vec<ExamRow>, AppError> {
    Ok(store.exams(actor, term_id).await?)
}

/// An exam as its page shows it: the exam, the earlier papers a paper may be linked to for
/// value-added (exam id, paper id, label), and the names of the schools it was set for.
pub struct ExamView {
    pub exam: ExamRow,
    pub earlier_papers: Vec<(i64, i64, String)>,
    pub school_names: Vec<String>,
}

pub async fn exam_view(store: &Store, actor: &Actor, id: i64) -> Result<ExamView, AppError> {
    let exam = store.exam(actor, id).await?;
    let earlier_papers = store
        .exams(actor, None)
        .await?
        .into_iter()
        .filter(|e| e.id != exam.id && e.held_on < exam.held_on)
        .flat_map(|e| e.papers.into_iter().map(move |p| (e.id, p.id, format!("{} · {}", e.name, p.subject))))
        .collect();
    // The schools an exam was set for are named to whoever reads the exam (a school's teacher sees
    // the other schools of a joint exam by name, not their data).
    let school_names = if exam.schools.is_empty() {
        Vec::new()
    } else {
        let all = store.list_schools(&Actor::system(), None).await?;
        exam.schools.iter().filter_map(|id| all.iter().find(|x| x.id == *id).map(|x| x.name.clone())).collect()
    };
    Ok(ExamView { exam, earlier_papers, school_names })
}
