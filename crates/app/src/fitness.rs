//! 体质健康 in the platform: import a test round (the national upload layout) against the pupils
//! on roll, and the statistics per district, school, class, grade and sex.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource, Role, Scope};
use eduq_core::calendar::Term;
use eduq_core::fitness::RoundStats;
use eduq_core::standards::fitness::Level;
use eduq_exchange::RowError;
use eduq_exchange::fitness::{Evaluated, evaluate_table, missing_names};
use eduq_store::Store;
use eduq_store::fitness::{FitnessRecord, FitnessStatRow};
use eduq_store::imports::Counts;
use serde::Serialize;

use crate::AppError;
use crate::imports::file_hash;

use eduq_core::privacy::cell_shown;

fn record(
    e: &Evaluated,
    (student_id, school_id, class_id, grade): (i64, i64, i64, i64),
    source: String,
) -> FitnessRecord {
    let s = e.scored.as_ref();
    let mut items = serde_json::Map::new();
    for (item, value) in &e.record.items {
        let points = s.and_then(|s| s.item_scores.iter().find(|x| x.0 == *item)).map(|x| x.1);
        items.insert(item.key().to_string(), serde_json::json!([value, points]));
    }
    FitnessRecord {
        student_id,
        school_id,
        class_id: Some(class_id),
        grade,
        sex: e.sex.map_or("", |x| x.key()).to_string(),
        height: e.record.height_cm,
        weight: e.record.weight_kg,
        bmi: s.and_then(|s| s.bmi),
        bmi_category: s.and_then(|s| s.bmi_category).map(str::to_string),
        items: serde_json::Value::Object(items).to_string(),
        standard: s.and_then(|s| s.standard),
        bonus: s.map_or(0, |s| i64::from(s.bonus)),
        total: s.and_then(|s| s.total),
        level: s.and_then(|s| s.level).map(|l| l.key().to_string()),
        exempt: e.exempt,
        missing: s.map(|s| missing_names(&s.missing).join("、")).unwrap_or_default(),
        acuity_left: e.vision.as_ref().and_then(|v| v.acuity[0]),
        acuity_right: e.vision.as_ref().and_then(|v| v.acuity[1]),
        acuity_grade: e.vision.as_ref().map(|v| v.grade.to_string()).filter(|g| !g.is_empty()),
        myopia: e.vision.as_ref().map(|v| v.myopia.to_string()).filter(|m| !m.is_empty()),
        source: Some(source),
    }
}

/// The uploaded row as a JSON object (column → cell), empty cells left out.
fn source_row(headers: &[String], cells: &[String]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .zip(cells)
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(h, v)| (h.clone(), serde_json::Value::String(v.trim().to_string())))
        .collect();
    serde_json::Value::Object(map).to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitnessImport {
    pub rows: usize,
    pub counts: Counts,
    pub applied: bool,
}

/// Validates the whole file (unknown pupils, duplicates, rejected values are row errors; 缺项 and
/// 免测 are not) and applies it in one transaction, or nothing.
pub async fn import_fitness(
    store: &Store,
    actor: &Actor,
    term: Term,
    bytes: &[u8],
    file_name: &str,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<FitnessImport, AppError> {
    if !actor.role.may_write(Resource::Students) {
        return Err(AppError::Forbidden);
    }
    let table = crate::parsing::read_upload(actor.user_id, bytes, file_name).await?;
    let rows = evaluate_table(&table)?;
    let term_id = store
        .term_id(term)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("没有{}的学生名单，请先导入学生", term.label())))?;
    let roll = store.roll_by_number(actor, term_id).await?;
    let mut errors = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut recs = Vec::with_capacity(rows.len());
    for ((n, number, e), (_, cells)) in rows.iter().zip(&table.rows) {
        let fail = |column: &str, value: &str, message: String| RowError {
            row: *n,
            column: column.into(),
            value: value.into(),
            message,
        };
        if let Some(first) = seen.insert(number.as_str(), *n) {
            errors.push(fail("学籍号", number, format!("与第{first}行重复")));
            continue;
        }
        let Some(p) = roll.get(number) else {
            errors.push(fail("学籍号", number, format!("不是{}在读学生，或不在您的管理范围内", term.label())));
            continue;
        };
        if !e.problems.is_empty() {
            errors.push(fail("", "", e.problems.join("；")));
            continue;
        }
        recs.push(record(e, (p.student_id, p.school_id, p.class_id, p.grade), source_row(&table.headers, cells)));
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    let counts = tx.apply_fitness(district_id, term.start_year, &recs).await?;
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.record_import(actor, now, "fitness", file_name, &file_hash(bytes), recs.len() as i64, counts).await?;
        tx.commit().await?;
    }
    Ok(FitnessImport { rows: recs.len(), counts, applied: !dry_run })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub label: String,
    pub stats: RoundStats,
    /// Pupils on roll (grades 1–12) in the unit in the year's first term: the denominator of 测试率.
    pub on_roll: usize,
    /// Rates hidden: fewer than `core::privacy::MIN_CELL` pupils and a role below school level.
    pub suppressed: bool,
}

/// The rate columns of every statistics table (page and workbook), in order.
pub const RATE_COLUMNS: [&str; 10] =
    ["测试率", "合格率", "优秀率", "良好率", "不及格率", "平均总分", "超重率", "肥胖率", "视力不良率", "近视率"];

/// Index of 平均总分 in [`RATE_COLUMNS`] (a score, not a per cent).
pub const MEAN_TOTAL: usize = 5;

impl Line {
    /// The values under [`RATE_COLUMNS`] (per cent, except 平均总分); callers hide them when suppressed.
    pub fn values(&self) -> [Option<f64>; 10] {
        let s = &self.stats;
        let good = (s.scored > 0).then(|| s.good as f64 * 100.0 / s.scored as f64);
        let tested = (self.on_roll > 0).then(|| s.results as f64 * 100.0 / self.on_roll as f64);
        [
            tested,
            s.pass_rate(),
            s.excellent_rate(),
            good,
            s.fail_rate(),
            s.mean_total(),
            s.overweight_rate(),
            s.obese_rate(),
            s.poor_vision_rate(),
            s.myopia_rate(),
        ]
    }
}

/// A stored item: (value, points).
type ItemCell = (Option<f64>, Option<f64>);

/// One test item over the unit: pupils with a score, mean score, share scoring 60 or more.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemLine {
    pub label: &'static str,
    pub n: usize,
    pub mean: f64,
    pub pass_rate: f64,
    pub suppressed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitnessOverview {
    pub school_year: String,
    pub total: Line,
    /// Per school (district roles) or per class (school roles).
    pub units: Vec<Line>,
    pub unit_kind: &'static str,
    /// Per grade, then boys and girls.
    pub grades: Vec<(Line, Line, Line)>,
    /// Per test item over the whole scope.
    pub items: Vec<ItemLine>,
    /// Each 学区 and 教育集团 over its members' pupils, then its core school's line (district roles).
    pub groups: Vec<Line>,
}

fn add(s: &mut RoundStats, r: &FitnessStatRow) {
    s.add(
        r.level.as_deref().and_then(Level::from_key),
        r.exempt,
        r.total,
        r.bmi_category.as_deref(),
        r.acuity_grade.as_deref(),
        r.myopia.as_deref(),
    );
}

/// Pupils on roll in the year's first term: per unit id (school or class), per (grade, sex index
/// 0 all / 1 boys / 2 girls), and in all.
async fn on_roll(
    store: &Store,
    actor: &Actor,
    start_year: i32,
    by_school: bool,
) -> Result<(HashMap<i64, usize>, HashMap<(i64, usize), usize>, usize), AppError> {
    let (mut units, mut grades, mut total) = (HashMap::new(), HashMap::new(), 0);
    if let Some(id) = store.term_id(Term { start_year, term_no: 1 }).await? {
        for c in store.on_roll_counts(actor, id).await? {
            let n = c.pupils as usize;
            *units.entry(if by_school { c.school_id } else { c.class_id }).or_default() += n;
            *grades.entry((c.grade, 0)).or_default() += n;
            *grades.entry((c.grade, if c.sex == "M" { 1 } else { 2 })).or_default() += n;
            total += n;
        }
    }
    Ok((units, grades, total))
}

/// Memoised per reader and year until the next write: the page, its workbook and the national
/// layout read the same statistics.
pub async fn overview(store: &Store, actor: &Actor, term: Term) -> Result<FitnessOverview, AppError> {
    let key = format!("fitness|{}|{}", eduq_store::reader_key(actor), term.key());
    store.memoised(&key, read_overview(store, actor, term)).await
}

async fn read_overview(store: &Store, actor: &Actor, term: Term) -> Result<FitnessOverview, AppError> {
    let rows = store.fitness_rows(actor, term.start_year).await?;
    let below_school = matches!(actor.role, Role::HeadTeacher | Role::Teacher);
    let line = |label: String, stats: RoundStats, on_roll: usize| Line {
        suppressed: below_school && !cell_shown(stats.results),
        label,
        stats,
        on_roll,
    };
    let mut total = RoundStats::default();
    let by_school = actor.scope == Scope::District;
    let (unit_roll, grade_roll, total_roll) = on_roll(store, actor, term.start_year, by_school).await?;
    let mut units: BTreeMap<(i64, i64, String, i64), RoundStats> = BTreeMap::new();
    let mut items: BTreeMap<&'static str, (usize, f64, usize)> = BTreeMap::new();
    let mut grades: BTreeMap<i64, [RoundStats; 3]> = BTreeMap::new();
    let members = if by_school { store.group_members(actor).await? } else { Vec::new() };
    let group_list: Vec<&[eduq_store::org::GroupMember]> = members.chunk_by(|a, b| a.group_id == b.group_id).collect();
    let mut in_groups: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, g) in group_list.iter().enumerate() {
        for m in *g {
            in_groups.entry(m.school_id).or_default().push(i);
        }
    }
    let mut group_stats = vec![RoundStats::default(); group_list.len()];
    // Keys keep the store's order (school code, grade, class number) through each unit's first row.
    let mut first_school: HashMap<i64, usize> = HashMap::new();
    let mut first_class: HashMap<Option<i64>, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        first_school.entry(r.school_id).or_insert(i);
        first_class.entry(r.class_id).or_insert(i);
    }
    for r in &rows {
        add(&mut total, r);
        // Typed and borrowed: this runs for every pupil of the scope.
        let parsed: HashMap<&str, ItemCell> = serde_json::from_str(&r.items).unwrap_or_default();
        for (key, (_, points)) in parsed {
            if let (Some(item), Some(score)) = (eduq_core::standards::fitness::Item::from_key(key), points) {
                let e = items.entry(item.label()).or_default();
                e.0 += 1;
                e.1 += score;
                e.2 += usize::from(score >= 60.0);
            }
        }
        let key = if by_school {
            (first_school[&r.school_id] as i64, 0, r.school_name.clone(), r.school_id)
        } else {
            (r.grade, first_class[&r.class_id] as i64, r.class_name.clone(), r.class_id.unwrap_or(0))
        };
        add(units.entry(key).or_default(), r);
        for &i in in_groups.get(&r.school_id).into_iter().flatten() {
            add(&mut group_stats[i], r);
        }
        let g = grades.entry(r.grade).or_default();
        add(&mut g[0], r);
        add(&mut g[if r.sex == "M" { 1 } else { 2 }], r);
    }
    let mut groups = Vec::new();
    for (g, stats) in group_list.iter().zip(group_stats) {
        if stats.results == 0 {
            continue;
        }
        let roll = g.iter().map(|m| unit_roll.get(&m.school_id).copied().unwrap_or(0)).sum();
        groups.push(line(g[0].group_name.clone(), stats, roll));
        if let Some(core) = g.iter().find(|m| m.core)
            && let Some((_, s)) = units.iter().find(|((_, _, _, id), _)| *id == core.school_id)
        {
            let roll = unit_roll.get(&core.school_id).copied().unwrap_or(0);
            groups.push(line(format!("　核心校：{}", core.school_name), s.clone(), roll));
        }
    }
    Ok(FitnessOverview {
        groups,
        school_year: term.school_year(),
        total: line("合计".into(), total, total_roll),
        unit_kind: if by_school { "学校" } else { "班级" },
        units: units
            .into_iter()
            .map(|((_, _, label, id), s)| line(label, s, unit_roll.get(&id).copied().unwrap_or(0)))
            .collect(),
        grades: grades
            .into_iter()
            .map(|(g, [all, boys, girls])| {
                let name =
                    eduq_core::grade::Grade::new(g as i8).map_or_else(|| g.to_string(), |g| g.name().to_string());
                let roll = |k| grade_roll.get(&(g, k)).copied().unwrap_or(0);
                (
                    line(name.clone(), all, roll(0)),
                    line(format!("{name} 男"), boys, roll(1)),
                    line(format!("{name} 女"), girls, roll(2)),
                )
            })
            .collect(),
        items: items
            .into_iter()
            .map(|(label, (n, sum, pass))| ItemLine {
                label,
                n,
                mean: sum / n as f64,
                pass_rate: pass as f64 * 100.0 / n as f64,
                suppressed: below_school && !cell_shown(n),
            })
            .collect(),
    })
}

/// The rates of every school year with results, oldest first, over the caller's scope (trends the
/// plans target: 合格率, 优秀率, 近视率 down a point a year).
pub async fn trend(store: &Store, actor: &Actor) -> Result<Vec<Line>, AppError> {
    let key = format!("fitness_trend|{}", eduq_store::reader_key(actor));
    store.memoised(&key, read_trend(store, actor)).await
}

async fn read_trend(store: &Store, actor: &Actor) -> Result<Vec<Line>, AppError> {
    let below_school = matches!(actor.role, Role::HeadTeacher | Role::Teacher);
    let mut by_year: BTreeMap<i64, RoundStats> = BTreeMap::new();
    for (year, level, exempt, bmi, acuity, myopia, n, sum) in store.fitness_year_groups(actor).await? {
        let stats = by_year.entry(year).or_default();
        let level = level.as_deref().and_then(Level::from_key);
        stats.add_group(n as usize, level, exempt, Some(sum), bmi.as_deref(), acuity.as_deref(), myopia.as_deref());
    }
    let mut out = Vec::new();
    for (y, stats) in by_year {
        let y = y as i32;
        if stats.results > 0 {
            let suppressed = below_school && !cell_shown(stats.results);
            let on_roll = match store.term_id(Term { start_year: y, term_no: 1 }).await? {
                Some(id) => store.on_roll_total(actor, id).await? as usize,
                None => 0,
            };
            out.push(Line { label: format!("{}-{}学年", y, y + 1), stats, suppressed, on_roll });
        }
    }
    Ok(out)
}

/// The statistics workbook of a school year: the units (schools or classes), grades by sex, and the
/// trend across years, with the same suppression as the page.
pub async fn workbook(store: &Store, actor: &Actor, term: Term) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let o = overview(store, actor, term).await?;
    let t = trend(store, actor).await?;
    let row = |l: &Line| -> Vec<Cell> {
        let mut cells =
            vec![Cell::from(l.label.as_str()), Cell::from(l.stats.results as i64), Cell::from(l.stats.scored as i64)];
        cells.extend(l.values().into_iter().map(|v| match (v, l.suppressed) {
            (_, true) => Cell::from("<5人不显示"),
            (Some(x), false) => Cell::from((x * 100.0).round() / 100.0),
            (None, false) => Cell::from(""),
        }));
        cells
    };
    let headers = |first: &'static str| -> Vec<&'static str> {
        let mut h = vec![first, "测试人数", "有总分"];
        h.extend(RATE_COLUMNS);
        h
    };
    let mut units: Vec<Vec<Cell>> = o.units.iter().map(row).collect();
    units.push(row(&o.total));
    let grades: Vec<Vec<Cell>> = o.grades.iter().flat_map(|(a, b, c)| [row(a), row(b), row(c)]).collect();
    let trend_rows: Vec<Vec<Cell>> = t.iter().map(row).collect();
    let (_, district) = store.district().await?;
    let title = vec![format!("{district} 国家学生体质健康标准测试统计（{}学年）", o.school_year)];
    let (h1, h2, h3) = (headers(o.unit_kind), headers("年级"), headers("学年"));
    Ok(write_workbook(&[
        Sheet { name: "按单位", title: title.clone(), headers: &h1, rows: &units },
        Sheet { name: "按年级性别", title: title.clone(), headers: &h2, rows: &grades },
        Sheet { name: "历年趋势", title, headers: &h3, rows: &trend_rows },
    ])?)
}

/// A school year's results in the national upload layout (xlsx), so that eduq feeds the national
/// system: each pupil's row as uploaded (corrections included), the identity columns filled from
/// the record where the upload left them empty.
pub async fn national_export(
    store: &Store,
    actor: &Actor,
    term: Term,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, AppError> {
    use eduq_core::standards::fitness::{UPLOAD_HEADERS, grade_code};
    use eduq_exchange::table::{Cell, write_xlsx};
    let rows = store.fitness_export(actor, term.start_year).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let source: serde_json::Map<String, serde_json::Value> =
            r.record.source.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
        let derived = |h: &str| -> String {
            match h {
                "年级编号" => u8::try_from(r.record.grade).map(|g| grade_code(g).to_string()).unwrap_or_default(),
                "班级编号" => r.class_no.to_string(),
                "班级名称" => r.class_name.clone(),
                "学籍号" => r.student_no.clone(),
                "姓名" => r.name.clone(),
                "性别" => if r.record.sex == "M" { "1" } else { "2" }.to_string(),
                "出生日期" => r.birth_date.format("%Y/%m/%d").to_string(),
                "身高" => r.record.height.map(|v| v.to_string()).unwrap_or_default(),
                "体重" => r.record.weight.map(|v| v.to_string()).unwrap_or_default(),
                "左眼裸眼视力" => r.record.acuity_left.map(|v| format!("{v:.1}")).unwrap_or_default(),
                "右眼裸眼视力" => r.record.acuity_right.map(|v| format!("{v:.1}")).unwrap_or_default(),
                _ => String::new(),
            }
        };
        out.push(
            UPLOAD_HEADERS
                .iter()
                .map(|h| match source.get(*h).and_then(|v| v.as_str()) {
                    Some(v) => Cell::from(v),
                    None => Cell::from(derived(h).as_str()),
                })
                .collect::<Vec<Cell>>(),
        );
    }
    let bytes = write_xlsx("体质健康数据上报", UPLOAD_HEADERS, &out)?;
    store
        .audit(actor, now, "export", "fitness_national", &format!("{}学年，{}人", term.school_year(), rows.len()))
        .await?;
    Ok(bytes)
}
