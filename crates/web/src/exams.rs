//! 学业质量: the exams of a term, one exam's papers with their imports, a paper's printable report
//! and workbook, and value-added between two linked papers.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use eduq_app::exams::ExamRow;
use eduq_app::exams::{
    ExamForm, PaperReport, UnitStats, VaReport, create_exam, import_scores, import_structure, paper_report, va_report,
};
use eduq_core::access::Resource;
use eduq_core::exam::{Lines, UNEVEN_BALANCE, is_uneven};
use eduq_core::grade::Grade;
use eduq_core::standards::exam_policy::{ExamKind, Organiser};
use eduq_core::valueadded::Method;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{Posted, Session};
use crate::views::{Layout, Pages, TermQ, Upload, error_lines, id_param, layout, qs};
use crate::{AppState, WebError};

fn grade_name(g: i64) -> &'static str {
    Grade::new(g as i8).map_or("—", |g| g.name())
}

fn kind_label(k: &str) -> &'static str {
    ExamKind::from_key(k).map_or("—", |k| k.label())
}

fn organiser_label(k: &str) -> &'static str {
    Organiser::from_key(k).map_or("—", |k| k.label())
}

/// The core's 四率 are already percentages (0–100).
fn pct(v: f64) -> String {
    format!("{v:.1}%")
}

fn num(v: f64) -> String {
    format!("{v:.1}")
}

#[derive(Template)]
#[template(path = "exams.html")]
struct ExamsPage {
    l: Layout,
    exams: Vec<ExamRow>,
    may_create: bool,
    message: String,
    errors: Vec<String>,
    grades: Vec<(i8, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    organisers: Vec<(&'static str, &'static str)>,
    /// The 学区 and 教育集团 a 联考 may be held across (the bureau's form).
    groups: Vec<(i64, String)>,
    today: String,
}

impl ExamsPage {
    fn grade(&self, g: &i64) -> &'static str {
        grade_name(*g)
    }
    fn kind(&self, k: &str) -> &'static str {
        kind_label(k)
    }
}

async fn list(
    st: &AppState,
    s: &Session,
    term: Option<&str>,
    message: String,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, s, "学业质量", "exams", term).await?;
    let exams = match sel.id {
        Some(id) => eduq_app::exams::exams(&st.store, &s.actor, Some(id)).await?,
        None => Vec::new(),
    };
    let groups = match s.actor.scope {
        eduq_core::access::Scope::District if s.actor.role.may_write(Resource::Exams) => {
            eduq_app::groups::list(&st.store, &s.actor).await?.into_iter().map(|g| (g.id, g.name)).collect()
        }
        _ => Vec::new(),
    };
    Ok(Html(
        ExamsPage {
            l,
            exams,
            may_create: s.actor.role.may_write(Resource::Exams),
            message,
            errors,
            grades: (3..=12).filter_map(Grade::new).map(|g| (g.number(), g.name())).collect(),
            kinds: ExamKind::ALL.iter().map(|k| (k.key(), k.label())).collect(),
            organisers: Organiser::ALL.iter().map(|k| (k.key(), k.label())).collect(),
            groups,
            today: st.clock.today().to_string(),
        }
        .render()?,
    ))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Result<Html<String>, WebError> {
    list(&st, &s, q.term.as_deref(), String::new(), vec![]).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    name: String,
    grade: i8,
    kind: String,
    organiser: String,
    held_on: String,
    /// "语文:120 数学:120" (any of space, comma, 、 between subjects; ：or : before the full score).
    subjects: String,
    /// School codes of a 联考 (space or comma separated); empty = every school with the grade.
    #[serde(default)]
    schools: String,
    /// A 学区 or 教育集团 whose member schools sit a 联考 (added to the codes).
    #[serde(default)]
    group: String,
}

/// Parses "语文:120，数学:120" into subjects and full scores.
fn parse_subjects(raw: &str) -> Result<Vec<(String, f64)>, String> {
    raw.split([' ', ',', '，', '、', ';', '；', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|part| {
            let (name, full) = part.split_once([':', '：']).ok_or_else(|| format!("“{part}”应写成“科目:满分”"))?;
            let full = full.trim().parse::<f64>().map_err(|_| format!("“{part}”的满分不是数字"))?;
            Ok((name.trim().to_string(), full))
        })
        .collect()
}

pub async fn create(State(st): State<AppState>, Posted(s, f): Posted<CreateForm>) -> Result<Response, WebError> {
    let bad = |m: String| WebError::BadRequest(m);
    let codes: Vec<&str> =
        f.schools.split([' ', ',', '，', '、', '\n']).map(str::trim).filter(|c| !c.is_empty()).collect();
    let mut schools = Vec::new();
    if !codes.is_empty() {
        let all = eduq_app::directory::schools(&st.store, &s.actor, None).await?;
        for c in codes {
            match all.iter().find(|x| x.code == c) {
                Some(x) => schools.push(x.id),
                None => {
                    let m = format!("参加学校中的代码“{c}”不存在或不在您的管理范围内");
                    return Ok(list(&st, &s, None, String::new(), vec![m]).await?.into_response());
                }
            }
        }
    }
    let form = ExamForm {
        schools,
        group_id: f.group.trim().parse::<i64>().ok(),
        name: f.name.clone(),
        grade: Grade::new(f.grade).ok_or_else(|| bad("年级无效".into()))?,
        kind: ExamKind::from_key(&f.kind).ok_or_else(|| bad("考试类型无效".into()))?,
        organiser: Organiser::from_key(&f.organiser).ok_or_else(|| bad("组织方式无效".into()))?,
        school_id: None,
        held_on: NaiveDate::parse_from_str(&f.held_on, "%Y-%m-%d").map_err(|_| bad("考试日期无效".into()))?,
        subjects: match parse_subjects(&f.subjects) {
            Ok(s) => s,
            Err(m) => {
                return Ok(list(&st, &s, None, String::new(), vec![m]).await?.into_response());
            }
        },
    };
    match create_exam(&st.store, &s.actor, &form, st.clock.now()).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/exams/{id}")).into_response()),
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => Ok(list(&st, &s, None, String::new(), error_lines(&e)).await?.into_response()),
    }
}

#[derive(Template)]
#[template(path = "exam.html")]
struct ExamPage {
    l: Layout,
    exam: ExamRow,
    grade: &'static str,
    kind: &'static str,
    organiser: &'static str,
    may_write: bool,
    may_structure: bool,
    message: String,
    errors: Vec<String>,
    /// Papers of other exams to link for value-added: (exam id, paper id, label).
    entries: Vec<(i64, i64, String)>,
    /// Names of the participating schools of a 联考.
    schools: Vec<String>,
}

async fn exam_page(
    st: &AppState,
    s: &Session,
    id: i64,
    message: String,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let eduq_app::exams::ExamView { exam, earlier_papers: entries, school_names: schools } =
        eduq_app::exams::exam_view(&st.store, &s.actor, id).await?;
    let (l, _) = layout(&st.store, s, &exam.name, "exams", None).await?;
    Ok(Html(
        ExamPage {
            schools,
            l,
            grade: grade_name(exam.grade),
            kind: kind_label(&exam.kind),
            organiser: organiser_label(&exam.organiser),
            may_write: s.actor.role.may_write(Resource::Exams),
            may_structure: s.actor.role.may_write(Resource::Exams)
                && (exam.school_id.is_some() || s.actor.scope == eduq_core::access::Scope::District),
            exam,
            message,
            errors,
            entries,
        }
        .render()?,
    ))
}

pub async fn detail(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    exam_page(&st, &s, id, String::new(), vec![]).await
}

/// Uploads a paper's structure or scores (`what` = structure | scores).
pub async fn upload(
    State(st): State<AppState>,
    s: Session,
    Path((id, paper, what)): Path<(i64, i64, String)>,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Html<String>, WebError> {
    let up = Upload::read(mp, &s, &headers).await?;
    let Some((name, bytes)) = up.file("file") else {
        return exam_page(&st, &s, id, String::new(), vec!["请选择要上传的文件".into()]).await;
    };
    let result = match what.as_str() {
        "structure" => import_structure(&st.store, &s.actor, id, paper, bytes, name, st.clock.now())
            .await
            .map(|n| format!("已导入“{name}”的试卷结构：{n}题")),
        "scores" => import_scores(&st.store, &s.actor, id, paper, bytes, name, st.clock.now()).await.map(|r| {
            format!(
                "已导入“{name}”：{}名学生，新增{}，更新{}，未变{}",
                r.rows, r.counts.inserted, r.counts.updated, r.counts.unchanged
            )
        }),
        _ => return Err(WebError::NotFound),
    };
    match result {
        Ok(m) => exam_page(&st, &s, id, m, vec![]).await,
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => exam_page(&st, &s, id, String::new(), error_lines(&e)).await,
    }
}

/// A unit's row as displayed.
pub struct UnitRow {
    pub label: String,
    pub n: usize,
    pub absent: usize,
    pub mean: String,
    pub interval: String,
    pub sd: String,
    pub median: String,
    pub max: String,
    pub min: String,
    pub rates: [String; 4],
    pub above: String,
}

fn unit_row(u: &UnitStats) -> UnitRow {
    let s = &u.stats;
    UnitRow {
        label: u.label.clone(),
        n: s.participants,
        absent: s.absent,
        mean: num(s.mean),
        interval: u.mean_interval.map_or("—".into(), |(a, b)| format!("{a:.1}–{b:.1}")),
        sd: num(s.sd),
        median: num(s.median),
        max: num(s.max),
        min: num(s.min),
        rates: [pct(s.excellent_rate), pct(s.good_rate), pct(s.pass_rate), pct(s.low_rate)],
        above: u.above_mean_rate.map_or("—".into(), |v| format!("{v:+.1}%")),
    }
}

/// One item's line as displayed.
pub struct ItemRow {
    pub label: String,
    pub kind: &'static str,
    pub max: String,
    pub p: String,
    pub d27: String,
    pub r: String,
    pub r_corrected: String,
    pub alpha_if_deleted: String,
    pub flags: String,
    pub options: String,
}

/// One school's value-added line as displayed (the model, and Level 0 beside it).
pub struct EffectRow {
    pub code: String,
    pub name: String,
    pub n: usize,
    pub effect: String,
    pub interval: String,
    pub shrinkage: String,
    pub band: &'static str,
    pub progress: String,
    pub progress_interval: String,
}

#[derive(Template)]
#[template(path = "exam_paper.html")]
struct PaperPage {
    l: Layout,
    r: PaperReport,
    scope: Option<UnitRow>,
    district: Option<UnitRow>,
    units: Vec<UnitRow>,
    by_sex: Vec<UnitRow>,
    by_group: Vec<UnitRow>,
    school_groups: Vec<UnitRow>,
    items: Vec<ItemRow>,
    segments: Vec<(String, usize, usize)>,
    charts: Vec<(String, String)>,
    lines_text: String,
    /// The lines as a query string, so that the download uses the same.
    lines_query: String,
    /// The lines in percent for the form.
    lines_pct: [f64; 4],
}

impl PaperPage {
    fn defs(&self) -> &'static [(&'static str, &'static str)] {
        eduq_app::exams::DEFINITIONS
    }
}

fn fmt_opt(v: Option<f64>, d: usize) -> String {
    v.map_or("—".into(), |x| format!("{x:.d$}"))
}

fn as_unit(label: &str, s: &Option<eduq_core::exam::SubjectStats>) -> Option<UnitRow> {
    s.clone().map(|stats| {
        unit_row(&UnitStats { id: 0, label: label.into(), stats, mean_interval: None, above_mean_rate: None })
    })
}

/// The 四率 lines in percent of the full score (optional; the common 85/70/60/40 otherwise).
#[derive(Deserialize, Default)]
pub struct LinesQ {
    excellent: Option<f64>,
    good: Option<f64>,
    pass: Option<f64>,
    low: Option<f64>,
}

impl LinesQ {
    fn lines(&self) -> Result<Lines, WebError> {
        let d = Lines::default();
        let share = |v: Option<f64>, default: f64| match v {
            None => Ok(default),
            Some(p) if (0.0..=100.0).contains(&p) => Ok(p / 100.0),
            Some(p) => Err(WebError::BadRequest(format!("分数线“{p}”应为0到100之间的百分数"))),
        };
        let l = Lines {
            excellent: share(self.excellent, d.excellent)?,
            good: share(self.good, d.good)?,
            pass: share(self.pass, d.pass)?,
            low: share(self.low, d.low)?,
        };
        if !(l.excellent >= l.good && l.good >= l.pass && l.pass >= l.low) {
            return Err(WebError::BadRequest("分数线应满足 优秀 ≥ 良好 ≥ 及格 ≥ 低分".into()));
        }
        Ok(l)
    }

    fn query(&self, l: &Lines) -> String {
        format!(
            "excellent={}&good={}&pass={}&low={}",
            l.excellent * 100.0,
            l.good * 100.0,
            l.pass * 100.0,
            l.low * 100.0
        )
    }
}

pub async fn paper(
    State(st): State<AppState>,
    s: Session,
    Path((id, paper)): Path<(i64, i64)>,
    Query(q): Query<LinesQ>,
) -> Result<Html<String>, WebError> {
    let lines = q.lines()?;
    let r = paper_report(&st.store, &s.actor, id, paper, lines, st.clock.now()).await?;
    let (l, _) = layout(&st.store, &s, &format!("{} · {}", r.exam.name, r.paper.subject), "exams", None).await?;
    let full = r.paper.full_score;
    let mut charts = Vec::new();
    if let Some(sc) = &r.scope {
        let labels: Vec<String> = (0..10)
            .map(|k| format!("{}–{}", (k as f64 * full / 10.0).round(), ((k + 1) as f64 * full / 10.0).round()))
            .collect();
        charts.push((
            "分数分布".to_string(),
            json!({
                "title": {"text": format!("{} 分数分布（人数）", r.scope_label), "textStyle": {"fontSize": 14}},
                "tooltip": {}, "grid": {"left": 45, "right": 15, "top": 40, "bottom": 30},
                "xAxis": {"type": "category", "data": labels}, "yAxis": {"type": "value"},
                "series": [{"type": "bar", "data": sc.histogram}]
            })
            .to_string(),
        ));
    }
    if !r.units.is_empty() {
        let names: Vec<&str> = r.units.iter().map(|u| u.label.as_str()).collect();
        let rate = |f: fn(&eduq_core::exam::SubjectStats) -> f64| {
            r.units.iter().map(|u| (f(&u.stats) * 10.0).round() / 10.0).collect::<Vec<f64>>()
        };
        charts.push((
            format!("四率（按{}）", r.unit_kind),
            json!({
                "title": {"text": format!("四率（按{}）", r.unit_kind), "textStyle": {"fontSize": 14}},
                "tooltip": {"trigger": "axis"}, "legend": {"top": 22},
                "grid": {"left": 45, "right": 15, "top": 55, "bottom": 60},
                "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 30}},
                "yAxis": {"type": "value", "name": "%", "max": 100},
                "series": [
                    {"type": "bar", "name": "优秀率", "data": rate(|s| s.excellent_rate)},
                    {"type": "bar", "name": "良好率", "data": rate(|s| s.good_rate)},
                    {"type": "bar", "name": "及格率", "data": rate(|s| s.pass_rate)},
                    {"type": "bar", "name": "低分率", "data": rate(|s| s.low_rate)}
                ]
            })
            .to_string(),
        ));
        // Means with their 95 % intervals; a stacked invisible bar carries each interval.
        let with: Vec<&UnitStats> = r.units.iter().filter(|u| u.mean_interval.is_some()).collect();
        let points: Vec<(f64, f64, f64)> = with
            .iter()
            .map(|u| {
                let (lo, hi) = u.mean_interval.unwrap_or((u.stats.mean, u.stats.mean));
                (lo, u.stats.mean, hi)
            })
            .collect();
        let mut series = interval_series(&points, "平均分");
        if let Some(d) = &r.district {
            series.push(json!({"type": "line", "name": "全区平均", "data": vec![(d.mean * 10.0).round() / 10.0; with.len()], "symbol": "none", "lineStyle": {"type": "dashed"}}));
        }
        charts.push((
            "平均分及95%区间".to_string(),
            json!({
                "title": {"text": format!("平均分及95%区间（按{}；区间重叠较多时不宜区分高低）", r.unit_kind), "textStyle": {"fontSize": 14}},
                "tooltip": {"trigger": "axis"}, "legend": {"top": 22},
                "grid": {"left": 45, "right": 15, "top": 55, "bottom": 60},
                "xAxis": {"type": "category", "data": with.iter().map(|u| u.label.as_str()).collect::<Vec<_>>(), "axisLabel": {"rotate": 30}},
                "yAxis": {"type": "value", "min": "dataMin"},
                "series": series
            })
            .to_string(),
        ));
    }
    if !r.items.is_empty() {
        let points: Vec<serde_json::Value> =
            r.items.iter().map(|i| json!({"name": i.item.label, "value": [(i.stats.p * 1000.0).round() / 1000.0, (i.stats.d27 * 1000.0).round() / 1000.0]})).collect();
        charts.push((
            "难度与区分度".to_string(),
            json!({
                "title": {"text": "各题难度（得分率）与区分度（D27）", "textStyle": {"fontSize": 14}},
                "tooltip": {"formatter": "{b}: {c}"}, "grid": {"left": 45, "right": 20, "top": 40, "bottom": 40},
                "xAxis": {"type": "value", "name": "得分率", "min": 0, "max": 1},
                "yAxis": {"type": "value", "name": "区分度"},
                "series": [{"type": "scatter", "data": points, "label": {"show": true, "formatter": "{b}", "position": "top", "fontSize": 10},
                            "markLine": {"silent": true, "symbol": "none", "data": [{"yAxis": 0.2}], "lineStyle": {"type": "dashed"}}}]
            })
            .to_string(),
        ));
    }
    let items = r
        .items
        .iter()
        .map(|i| {
            let flags: Vec<&str> = i.stats.flags.iter().map(|f| eduq_app::exams::flag_label(f)).collect();
            let options: Vec<String> = i
                .options
                .iter()
                .map(|o| {
                    format!(
                        "{}{} {:.0}%（高分组{:.0}%/低分组{:.0}%）",
                        o.option,
                        if o.key { "✓" } else { "" },
                        o.p * 100.0,
                        o.upper * 100.0,
                        o.lower * 100.0
                    )
                })
                .collect();
            ItemRow {
                label: i.item.label.clone(),
                kind: if i.item.objective { "客观" } else { "主观" },
                max: num(i.item.max),
                p: format!("{:.3}", i.stats.p),
                d27: format!("{:.3}", i.stats.d27),
                r: fmt_opt(i.stats.r_pbis, 3),
                r_corrected: fmt_opt(i.stats.r_pbis_corrected, 3),
                alpha_if_deleted: fmt_opt(i.stats.alpha_if_deleted, 3),
                flags: flags.join("、"),
                options: options.join("；"),
            }
        })
        .collect();
    let segments =
        r.scope.as_ref().map_or(Vec::new(), |s| s.segments.iter().map(|(x, n, c)| (num(*x), *n, *c)).collect());
    let lines_text = format!(
        "优秀≥{:.0}%、良好≥{:.0}%、及格≥{:.0}%、低分<{:.0}%（满分{}）",
        r.lines.excellent * 100.0,
        r.lines.good * 100.0,
        r.lines.pass * 100.0,
        r.lines.low * 100.0,
        num(full)
    );
    Ok(Html(
        PaperPage {
            l,
            scope: as_unit(&r.scope_label, &r.scope),
            district: as_unit("全区", &r.district),
            units: r.units.iter().map(unit_row).collect(),
            by_sex: r.by_sex.iter().map(unit_row).collect(),
            by_group: r.by_group.iter().map(unit_row).collect(),
            school_groups: r.school_groups.iter().map(unit_row).collect(),
            items,
            segments,
            charts,
            lines_text,
            lines_query: q.query(&r.lines),
            lines_pct: [r.lines.excellent * 100.0, r.lines.good * 100.0, r.lines.pass * 100.0, r.lines.low * 100.0],
            r,
        }
        .render()?,
    ))
}

/// The paper's report as a workbook: summary, units, 一分一段, items, 临界生 (scope only), 口径.
pub async fn workbook(
    State(st): State<AppState>,
    s: Session,
    Path((id, paper)): Path<(i64, i64)>,
    Query(q): Query<LinesQ>,
) -> Result<Response, WebError> {
    let r = paper_report(&st.store, &s.actor, id, paper, q.lines()?, st.clock.now()).await?;
    let bytes = eduq_app::exams::report_workbook(&r)?;
    Ok(crate::views::xlsx_download(&format!("{}_{}_质量分析.xlsx", r.exam.name, r.paper.subject), bytes))
}

#[derive(Deserialize)]
pub struct VaQ {
    /// "exam:paper" of the entry and exit papers.
    entry: String,
    exit: String,
    method: Option<String>,
    /// Checkboxes: a random slope on the entry score, class intercepts nested in schools.
    slope: Option<String>,
    classes: Option<String>,
    sex: Option<String>,
}

#[derive(Template)]
#[template(path = "exam_va.html")]
struct VaPage {
    l: Layout,
    r: VaReport,
    rows: Vec<EffectRow>,
    class_rows: Vec<EffectRow>,
    fixed: Vec<(String, String, String)>,
    chart: String,
    method: &'static str,
}

/// A point and its interval per category: an invisible bar stacked up to the lower bound, a
/// translucent one across the interval, and the point (values rounded to 2 decimals).
fn interval_series(points: &[(f64, f64, f64)], name: &str) -> Vec<serde_json::Value> {
    let r = |x: f64| (x * 100.0).round() / 100.0;
    let lo: Vec<f64> = points.iter().map(|p| r(p.0)).collect();
    let width: Vec<f64> = points.iter().map(|p| r(p.2 - p.0)).collect();
    let mid: Vec<f64> = points.iter().map(|p| r(p.1)).collect();
    vec![
        json!({"type": "bar", "stack": "ci", "stackStrategy": "all", "data": lo, "itemStyle": {"color": "transparent"}, "tooltip": {"show": false}}),
        json!({"type": "bar", "stack": "ci", "stackStrategy": "all", "name": "95%区间", "data": width, "itemStyle": {"color": "rgba(84,112,198,0.35)"}}),
        json!({"type": "scatter", "name": name, "data": mid, "itemStyle": {"color": "#1f3b73"}}),
    ]
}

/// The core's band labels are already Chinese; anything else is "as expected".
fn band_label(b: &str) -> &'static str {
    use eduq_core::valueadded::{ABOVE, AS_EXPECTED, BELOW};
    [ABOVE, BELOW].into_iter().find(|l| *l == b).unwrap_or(AS_EXPECTED)
}

fn pair(raw: &str) -> Result<(i64, i64), WebError> {
    raw.split_once(':')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .ok_or_else(|| WebError::BadRequest("试卷参数无效".into()))
}

pub async fn value_added(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<VaQ>,
) -> Result<Html<String>, WebError> {
    let method = if q.method.as_deref() == Some("ml") { Method::Ml } else { Method::Reml };
    let model =
        eduq_app::exams::VaModel { slope: q.slope.is_some(), classes: q.classes.is_some(), sex: q.sex.is_some() };
    let r = va_report(&st.store, &s.actor, pair(&q.entry)?, pair(&q.exit)?, method, model).await?;
    let (l, _) = layout(&st.store, &s, "增值评价", "exams", None).await?;
    let effects = match (&r.mixed, &r.fit) {
        (Some(m), _) => m.effects.clone(),
        (None, Some(f)) => f.effects.clone(),
        _ => Vec::new(),
    };
    let rows = effects
        .iter()
        .map(|e| {
            let p0 = r.progress.iter().find(|p| p.group == e.group);
            EffectRow {
                code: e.group.clone(),
                name: r.names.get(&e.group).cloned().unwrap_or_default(),
                n: e.n,
                effect: format!("{:+.2}", e.effect),
                interval: format!("{:+.2} ~ {:+.2}", e.lower, e.upper),
                shrinkage: format!("{:.2}", e.shrinkage),
                band: band_label(e.band),
                progress: p0.map_or("—".into(), |p| format!("{:+.2}", p.effect)),
                progress_interval: p0.map_or("—".into(), |p| format!("{:+.2} ~ {:+.2}", p.lower, p.upper)),
            }
        })
        .collect();
    let fixed_of = |f: &[eduq_core::valueadded::Fixed]| -> Vec<(String, String, String)> {
        // The engine names terms as statsmodels does; people read 截距 for "(Intercept)".
        let name = |t: &str| if t == "(Intercept)" { "截距".to_string() } else { t.to_string() };
        f.iter().map(|x| (name(&x.term), format!("{:.4}", x.estimate), format!("{:.4}", x.se))).collect()
    };
    let fixed = match (&r.mixed, &r.fit) {
        (Some(m), _) => fixed_of(&m.fixed),
        (None, Some(f)) => fixed_of(&f.fixed),
        _ => Vec::new(),
    };
    let class_rows: Vec<EffectRow> = r
        .mixed
        .iter()
        .flat_map(|m| &m.class_effects)
        .map(|e| {
            let (code, class) = e.group.split_once('/').unwrap_or((&e.group, ""));
            EffectRow {
                code: code.to_string(),
                name: format!("{} {}", r.names.get(code).cloned().unwrap_or_default(), class),
                n: e.n,
                effect: format!("{:+.2}", e.effect),
                interval: format!("{:+.2} ~ {:+.2}", e.lower, e.upper),
                shrinkage: format!("{:.2}", e.shrinkage),
                band: band_label(e.band),
                progress: String::new(),
                progress_interval: String::new(),
            }
        })
        .collect();
    let names: Vec<String> =
        effects.iter().map(|e| r.names.get(&e.group).cloned().unwrap_or_else(|| e.group.clone())).collect();
    let points: Vec<(f64, f64, f64)> = effects.iter().map(|e| (e.lower, e.effect, e.upper)).collect();
    let mut series = interval_series(&points, "增值");
    if let Some(last) = series.last_mut() {
        last["markLine"] = json!({"silent": true, "symbol": "none", "data": [{"yAxis": 0}]});
    }
    let chart = json!({
        "title": {"text": "各校增值（经验贝叶斯估计）及95%区间：区间跨过0即与预期无显著差异", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 50, "right": 15, "top": 45, "bottom": 70},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 35}},
        "yAxis": {"type": "value", "name": "分"},
        "series": series
    })
    .to_string();
    Ok(Html(
        VaPage { l, rows, class_rows, fixed, chart, method: if method == Method::Ml { "ML" } else { "REML" }, r }
            .render()?,
    ))
}

#[derive(Template)]
#[template(path = "exam_pupils.html")]
struct PupilsPage {
    l: Layout,
    exam: ExamRow,
    rows: Vec<PupilRow>,
    /// Schools and classes of the pupils in scope, for the filters.
    schools: Vec<(i64, String)>,
    classes: Vec<(i64, String)>,
    school_id: i64,
    class_id: i64,
    uneven_only: bool,
    /// The 偏科 threshold the page explains.
    uneven_at: f64,
    sum: PupilSummary,
    pg: Pages,
}

/// The filtered pupils at a glance: how many, how many 偏科, how many missed a paper.
struct PupilSummary {
    pupils: usize,
    uneven: usize,
    absent: usize,
}

#[derive(Deserialize, Default)]
pub struct PupilsQ {
    school: Option<String>,
    class: Option<String>,
    /// "1": only pupils marked 偏科.
    uneven: Option<String>,
    page: Option<usize>,
}

const PUPILS_PER_PAGE: usize = 100;

pub struct PupilRow {
    pub school_name: String,
    pub class_name: String,
    pub student_no: String,
    pub name: String,
    pub cells: Vec<String>,
    pub mean_t: String,
    pub balance: String,
    pub uneven: bool,
}

/// The pupils of an exam in the reader's scope: each paper's score with its T-score, the mean
/// T-score and the subject balance, filtered and paged. Ordered by school, class and 学籍号; no rank.
pub async fn pupils(
    State(st): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<PupilsQ>,
) -> Result<Html<String>, WebError> {
    let (exam, mut lines) = eduq_app::exams::exam_pupils(&st.store, &s.actor, id).await?;
    let (l, _) = layout(&st.store, &s, &format!("{} · 学生成绩", exam.name), "exams", None).await?;
    let mut schools: Vec<(i64, String)> = lines.iter().map(|p| (p.school_id, p.school_name.clone())).collect();
    schools.dedup();
    let school_id = id_param(&q.school).or_else(|| (schools.len() == 1).then(|| schools[0].0));
    let mut classes: Vec<(i64, String)> =
        lines.iter().filter(|p| Some(p.school_id) == school_id).map(|p| (p.class_id, p.class_name.clone())).collect();
    classes.dedup();
    let class_id = id_param(&q.class).filter(|c| classes.iter().any(|(id, _)| id == c));
    let uneven_only = q.uneven.as_deref() == Some("1");
    lines.retain(|p| {
        school_id.is_none_or(|x| x == p.school_id)
            && class_id.is_none_or(|x| x == p.class_id)
            && (!uneven_only || is_uneven(p.balance))
    });
    let sum = PupilSummary {
        pupils: lines.len(),
        uneven: lines.iter().filter(|p| is_uneven(p.balance)).count(),
        absent: lines.iter().filter(|p| p.scores.iter().any(|x| x.0.is_none())).count(),
    };
    let list_qs = qs(&[
        ("school", school_id.map(|x| x.to_string()).unwrap_or_default()),
        ("class", class_id.map(|x| x.to_string()).unwrap_or_default()),
        ("uneven", if uneven_only { "1".into() } else { String::new() }),
    ]);
    let (lines, pg) = Pages::cut(lines, q.page, PUPILS_PER_PAGE, &format!("/exams/{id}/pupils"), list_qs);
    let rows = lines
        .into_iter()
        .map(|p| PupilRow {
            cells: p
                .scores
                .iter()
                .map(|(x, t)| match (x, t) {
                    (Some(x), Some(t)) => format!("{} （T {:.0}）", num(*x), t),
                    (Some(x), None) => num(*x),
                    _ => "缺考".into(),
                })
                .collect(),
            mean_t: fmt_opt(p.mean_t, 1),
            balance: fmt_opt(p.balance, 1),
            uneven: is_uneven(p.balance),
            school_name: p.school_name,
            class_name: p.class_name,
            student_no: p.student_no,
            name: p.name,
        })
        .collect();
    let (school_id, class_id) = (school_id.unwrap_or(0), class_id.unwrap_or(0));
    Ok(Html(
        PupilsPage {
            l,
            exam,
            rows,
            schools,
            classes,
            school_id,
            class_id,
            uneven_only,
            uneven_at: UNEVEN_BALANCE,
            sum,
            pg,
        }
        .render()?,
    ))
}
