//! Page handlers: read the query, ask the store (which applies the caller's scope), render.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use eduq_app::accounts::UserRow;
use eduq_app::audit::AuditQuery;
use eduq_app::directory::{
    ClassRow, KeyPage, SchoolOption, SchoolRow, StudentDetail, StudentListRow, StudentQuery, StudentSort, TeacherQuery,
    TeacherRow, TypeCount,
};
use eduq_core::access::{Role, Scope};
use eduq_core::grade::Grade;
use eduq_core::records::ConditionRecord;
use eduq_core::standards::class_size::SizeBand;
use eduq_core::student::SpecialFlags;
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, Pages, id_param, layout, pager, qs};
use crate::{AppState, WebError};

type Page = Result<Html<String>, WebError>;

#[derive(Deserialize, Default)]
pub struct TermQ {
    term: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    district: String,
    schools: i64,
    students: i64,
    teachers: i64,
    classes: i64,
    by_type: Vec<TypeCount>,
    chart: String,
    /// The chart's table view: (grade, pupils).
    grades: Vec<(&'static str, i64)>,
    /// The plans' targets as cards, for roles that read indicators.
    plans: Vec<crate::plans::PlanCards>,
    /// A class teacher's (or a parent's) home counts the own classes, not the school.
    own_classes: bool,
    /// Training hours: the caller's own reminder when behind the pro-rata hours, and the claims
    /// waiting for the caller's approval.
    hours_reminder: Option<String>,
    claims_waiting: usize,
    /// Screening alerts still to act on, and how many are past their deadline: the 心理教师 and
    /// 心理教研员, and the principal (a count, no pupil), until each is acted on.
    psych_pending: Option<(usize, usize)>,
}

pub async fn home(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Page {
    let (l, sel) = layout(&st.store, &s, "首页", "home", q.term.as_deref()).await?;
    let district = eduq_app::directory::district_name(&st.store).await?;
    let schools = eduq_app::directory::schools(&st.store, &s.actor, sel.id).await?;
    let by_type = TypeCount::tally(&schools);
    let grades = match sel.id {
        Some(id) => eduq_app::directory::students_by_grade(&st.store, &s.actor, id).await?,
        None => vec![],
    };
    // A class teacher reads the own classes: the school's totals would not match the chart.
    let own_classes = matches!(s.actor.scope, Scope::Classes { .. } | Scope::Students(_));
    let classes = match &s.actor.scope {
        Scope::Classes { class_ids, .. } => class_ids.len() as i64,
        _ => schools.iter().map(|x| x.classes).sum(),
    };
    let plans = if s.actor.role.reads_indicators() && sel.id.is_some() {
        // The home page shows the targets that have a value in the caller's scope (the plans page
        // lists them all).
        let mut plans: Vec<crate::plans::PlanCards> =
            eduq_app::plans::dashboard(&st.store, &s.actor, sel.term).await?.iter().map(crate::plans::cards).collect();
        for p in &mut plans {
            p.cards.retain(|c| c.judged != "—");
        }
        plans.retain(|p| !p.cards.is_empty());
        crate::plans::with_problems(&mut plans, &eduq_app::problems::open_by_indicator(&st.store, &s.actor).await?);
        plans
    } else {
        vec![]
    };
    // A school's people see their school named, not the district.
    let district = match (&s.actor.scope, schools.first()) {
        (Scope::District, _) | (_, None) => district,
        (_, Some(own)) => own.name.clone(),
    };
    let today = st.clock.today();
    let hours_reminder = match s.actor.role.enters_own_training() {
        true => match eduq_app::training::own_hours(&st.store, &s.actor, today).await {
            Ok(Some(o)) if o.progress.behind => Some(format!(
                "您本周期（{}）的培训学时低于应完成进度：已计{:.1}学时，应完成{:.1}学时；{}。",
                o.cycle.label(),
                o.progress.counted,
                o.progress.expected,
                o.progress.missing.join("；")
            )),
            Ok(_) | Err(eduq_app::AppError::Invalid(_)) => None,
            Err(e) => return Err(e.into()),
        },
        false => None,
    };
    let claims_waiting = match eduq_app::training::claims_waiting(&st.store, &s.actor).await {
        Ok(c) => c.len(),
        Err(eduq_app::AppError::Forbidden) => 0,
        Err(e) => return Err(e.into()),
    };
    let psych_pending =
        if s.actor.role.may_read(eduq_core::access::Resource::Psych) || s.actor.role.counts_psych_alerts() {
            let t = eduq_app::screening::pending(&st.store, &s.actor, st.clock.now()).await?;
            (t.pending > 0).then_some((t.pending, t.overdue))
        } else {
            None
        };
    let chart = serde_json::json!({
        "title": {"text": format!("{} 各年级在校生", sel.term.label()), "textStyle": {"fontSize": 14}},
        "tooltip": {},
        "grid": {"left": 50, "right": 10, "bottom": 40},
        "xAxis": {"type": "category", "data": grades.iter().map(|(g, _)| g.name()).collect::<Vec<_>>(), "axisLabel": {"rotate": 45}},
        "yAxis": {"type": "value", "name": "人数"},
        "series": [{"type": "bar", "name": "在校生", "data": grades.iter().map(|(_, n)| n).collect::<Vec<_>>(), "itemStyle": {"color": "#1f5fae"}}]
    });
    Ok(Html(
        HomePage {
            l,
            district,
            schools: by_type.iter().map(|c| c.schools).sum(),
            students: if own_classes {
                grades.iter().map(|(_, n)| n).sum()
            } else {
                by_type.iter().map(|c| c.students).sum()
            },
            teachers: by_type.iter().map(|c| c.teachers).sum(),
            classes,
            by_type,
            chart: chart.to_string(),
            grades: grades.iter().map(|(g, n)| (g.name(), *n)).collect(),
            plans,
            own_classes,
            hours_reminder,
            claims_waiting,
            psych_pending,
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "schools.html")]
struct SchoolsPage {
    l: Layout,
    schools: Vec<SchoolRow>,
}

pub async fn schools(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Page {
    let (l, sel) = layout(&st.store, &s, "学校", "schools", q.term.as_deref()).await?;
    let schools = eduq_app::directory::schools(&st.store, &s.actor, sel.id).await?;
    Ok(Html(SchoolsPage { l, schools }.render()?))
}

#[derive(Template)]
#[template(path = "school.html")]
struct SchoolPage {
    l: Layout,
    school: SchoolRow,
    classes: Vec<ClassRow>,
    /// 督导档案 (empty for roles that do not read 督导).
    file: eduq_app::inspections::SchoolFile,
}

pub async fn school(State(st): State<AppState>, s: Session, Path(id): Path<i64>, Query(q): Query<TermQ>) -> Page {
    let (l, sel) = layout(&st.store, &s, "学校详情", "schools", q.term.as_deref()).await?;
    let school = eduq_app::directory::school(&st.store, &s.actor, id, sel.id).await?;
    let classes = eduq_app::directory::classes(&st.store, &s.actor, sel.term.start_year, sel.id, Some(id)).await?;
    let file = eduq_app::inspections::school_file(&st.store, &s.actor, id, st.clock.today()).await?;
    Ok(Html(SchoolPage { l, school, classes, file }.render()?))
}

#[derive(Template)]
#[template(path = "classes.html")]
struct ClassesPage {
    l: Layout,
    classes: Vec<ClassRow>,
    schools: Vec<SchoolOption>,
    school_id: i64,
    grade: i64,
    grades: Vec<Grade>,
    band: String,
    sort: String,
    sum: ClassSummary,
    pg: Pages,
    may_assign: bool,
}

/// The filtered classes at a glance, before the page of rows.
#[derive(Default)]
struct ClassSummary {
    classes: usize,
    pupils: i64,
    above: usize,
    large: usize,
    extra_large: usize,
}

#[derive(Deserialize, Default)]
pub struct ClassesQ {
    term: Option<String>,
    school: Option<String>,
    grade: Option<String>,
    /// "over": only classes above the 班额 standard.
    band: Option<String>,
    /// "size": largest first; otherwise school, grade, class.
    sort: Option<String>,
    page: Option<usize>,
}

const CLASSES_PER_PAGE: usize = 100;

pub async fn classes(State(st): State<AppState>, s: Session, Query(q): Query<ClassesQ>) -> Page {
    let (l, sel) = layout(&st.store, &s, "班级", "classes", q.term.as_deref()).await?;
    let school_id = id_param(&q.school);
    let grade = q.grade.as_deref().and_then(|x| Grade::parse(x).ok());
    let band = q.band.clone().filter(|b| b == "over").unwrap_or_default();
    let sort = q.sort.clone().filter(|x| x == "size").unwrap_or_default();
    let schools = eduq_app::directory::school_options(&st.store, &s.actor).await?;
    let mut classes = eduq_app::directory::classes(&st.store, &s.actor, sel.term.start_year, sel.id, school_id).await?;
    classes.retain(|c| grade.is_none_or(|g| c.grade == g) && (band.is_empty() || c.size_band != SizeBand::Standard));
    if sort == "size" {
        classes.sort_by_key(|c| std::cmp::Reverse(c.students));
    }
    let sum = ClassSummary {
        classes: classes.len(),
        pupils: classes.iter().map(|c| c.students).sum(),
        above: classes.iter().filter(|c| c.size_band == SizeBand::AboveStandard).count(),
        large: classes.iter().filter(|c| c.size_band == SizeBand::Large).count(),
        extra_large: classes.iter().filter(|c| c.size_band == SizeBand::ExtraLarge).count(),
    };
    let list_qs = qs(&[
        ("term", sel.term.key()),
        ("school", school_id.map(|x| x.to_string()).unwrap_or_default()),
        ("grade", grade.map(|g| g.number().to_string()).unwrap_or_default()),
        ("band", band.clone()),
        ("sort", sort.clone()),
    ]);
    let (classes, pg) = Pages::cut(classes, q.page, CLASSES_PER_PAGE, "/classes", list_qs);
    let may_assign = s.actor.role.may_write(eduq_core::access::Resource::Classes);
    Ok(Html(
        ClassesPage {
            l,
            classes,
            schools,
            school_id: school_id.unwrap_or(0),
            grade: grade.map(|g| i64::from(g.number())).unwrap_or(-99),
            grades: Grade::all().collect(),
            band,
            sort,
            sum,
            pg,
            may_assign,
        }
        .render()?,
    ))
}

#[derive(Deserialize, Default)]
pub struct StudentsQ {
    term: Option<String>,
    q: Option<String>,
    school: Option<String>,
    grade: Option<String>,
    class: Option<String>,
    /// The keyset cursor of the page, and the position of its first row (for "第 x–y 条").
    after: Option<String>,
    from: Option<i64>,
    sort: Option<StudentSort>,
}

pub struct StudentsView {
    rows: Vec<StudentListRow>,
    total: i64,
    /// 1-based position of the first row shown.
    from: i64,
    /// The query of the next page, when there is one.
    next_qs: Option<String>,
    q: String,
    school_id: i64,
    grade: i64,
    schools: Vec<SchoolOption>,
    grades: Vec<Grade>,
    base_qs: String,
    term_key: String,
}

#[derive(Template)]
#[template(path = "students.html")]
struct StudentsPage {
    l: Layout,
    v: StudentsView,
}

#[derive(Template)]
#[template(path = "students_table.html")]
struct StudentsTable {
    v: StudentsView,
}

const PER_PAGE: i64 = 50;

pub async fn students(
    State(st): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Query(q): Query<StudentsQ>,
) -> Result<Response, WebError> {
    let (l, sel) = layout(&st.store, &s, "学生", "students", q.term.as_deref()).await?;
    let school_id = id_param(&q.school);
    let grade = q.grade.as_deref().and_then(|x| Grade::parse(x).ok()).map(|g| i64::from(g.number()));
    let class_id = id_param(&q.class);
    let text = q.q.clone().unwrap_or_default();
    let sort = q.sort.unwrap_or_default();
    let page = match sel.id {
        Some(term_id) => {
            let query = StudentQuery {
                term_id,
                q: Some(text.clone()),
                school_id,
                grade,
                class_id,
                after: q.after.clone(),
                per_page: PER_PAGE,
                sort,
            };
            eduq_app::directory::students(&st.store, &s.actor, &query).await?
        }
        None => KeyPage { rows: vec![], total: 0, next: None },
    };
    let base_qs = qs(&[
        ("term", sel.term.key()),
        ("q", text.clone()),
        ("school", school_id.map(|x| x.to_string()).unwrap_or_default()),
        ("grade", grade.map(|x| x.to_string()).unwrap_or_default()),
        ("class", class_id.map(|x| x.to_string()).unwrap_or_default()),
    ]);
    let from = q.from.unwrap_or(1).max(1);
    let next_qs = page.next.map(|after| {
        format!(
            "{base_qs}&{}",
            qs(&[
                ("sort", sort.key().to_string()),
                ("after", after),
                ("from", (from + page.rows.len() as i64).to_string())
            ])
        )
    });
    let v = StudentsView {
        rows: page.rows,
        total: page.total,
        from,
        next_qs,
        q: text,
        school_id: school_id.unwrap_or(0),
        grade: grade.unwrap_or(-99),
        schools: eduq_app::directory::school_options(&st.store, &s.actor).await?,
        grades: Grade::all().collect(),
        base_qs,
        term_key: sel.term.key(),
    };
    let html = if headers.contains_key("hx-request") && !headers.contains_key("hx-boosted") {
        StudentsTable { v }.render()?
    } else {
        StudentsPage { l, v }.render()?
    };
    Ok(Html(html).into_response())
}

#[derive(Template)]
#[template(path = "student.html")]
struct StudentPage {
    l: Layout,
    d: StudentDetail,
    flags: Vec<(&'static str, bool)>,
    fitness: Option<FitnessCard>,
}

/// The 体质健康 report card of the pupil's latest recorded school year.
pub struct FitnessCard {
    pub year: String,
    pub items: Vec<(String, String, String)>,
    pub bmi: String,
    pub standard: String,
    pub bonus: String,
    pub total: String,
    pub level: String,
    pub vision: String,
    pub advice: Vec<String>,
    pub note: String,
    /// Every school year on record: (学年, 总分, 等级), oldest first.
    pub history: Vec<(String, String, String)>,
    /// 毕业成绩 when the latest year is a graduating grade (6, 9, 12) with a total.
    pub graduation: Option<String>,
}

fn fitness_card(r: &eduq_app::directory::FitnessRecord, start_year: i32) -> FitnessCard {
    use eduq_core::fitness::{ADVICE, bmi_advice};
    use eduq_core::standards::fitness::{Item, Level};
    let f2 = |v: Option<f64>| v.map(|x| format!("{}", (x * 100.0).round() / 100.0)).unwrap_or_default();
    let parsed: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&r.items).unwrap_or_default();
    let mut items = Vec::new();
    let mut advice = Vec::new();
    for (key, v) in &parsed {
        let Some(item) = Item::from_key(key) else { continue };
        let value = v[0].as_f64().map(|x| {
            if item.is_time() && item != Item::Run50m {
                format!("{}′{:02}″", x as i64 / 60, x as i64 % 60)
            } else {
                format!("{x}")
            }
        });
        let score = v[1].as_u64();
        if let (Some(sc), Some((_, tip))) = (score, ADVICE.iter().find(|(i, _)| *i == item))
            && sc < 60
        {
            advice.push(format!("{}：{tip}", item.label()));
        }
        items.push((
            item.label().to_string(),
            value.unwrap_or_default(),
            score.map(|x| x.to_string()).unwrap_or_default(),
        ));
    }
    if let Some(t) = r.bmi_category.as_deref().and_then(bmi_advice) {
        advice.push(format!("体重指数：{t}"));
    }
    if r.myopia.as_deref().is_some_and(|m| m != "否") || r.acuity_grade.as_deref().is_some_and(|g| g != "正常") {
        advice.push("视力：减少连续近距离用眼，每天户外活动2小时，按时复查，遵医嘱矫正。".into());
    }
    FitnessCard {
        year: format!("{}-{}", start_year, start_year + 1),
        items,
        bmi: format!("{} {}", f2(r.bmi), r.bmi_category.clone().unwrap_or_default()),
        standard: f2(r.standard),
        bonus: if r.total.is_some() { r.bonus.to_string() } else { String::new() },
        total: f2(r.total),
        level: r.level.as_deref().and_then(Level::from_key).map(|l| l.label().to_string()).unwrap_or_default(),
        vision: [r.acuity_grade.clone(), r.myopia.clone()]
            .into_iter()
            .flatten()
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join("；"),
        advice,
        history: vec![],
        graduation: None,
        note: if r.exempt {
            "免测".into()
        } else if !r.missing.is_empty() {
            format!("缺项：{}", r.missing)
        } else {
            String::new()
        },
    }
}

pub async fn student(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Page {
    let (l, _) = layout(&st.store, &s, "学生详情", "students", None).await?;
    let eduq_app::directory::StudentFile { detail: d, fitness: records } =
        eduq_app::directory::student_file(&st.store, &s.actor, id, st.clock.now()).await?;
    let flags = d
        .flags
        .map(|f: SpecialFlags| SpecialFlags::LABELS.iter().copied().zip(f.as_array()).collect())
        .unwrap_or_default();
    let fitness = records.first().map(|(y, latest)| {
        use eduq_core::standards::fitness::{Level, graduation_score};
        let mut card = fitness_card(latest, *y);
        let level = |r: &eduq_app::directory::FitnessRecord| {
            r.level.as_deref().and_then(Level::from_key).map(|l| l.label().to_string()).unwrap_or_default()
        };
        card.history = records
            .iter()
            .rev()
            .map(|(y, r)| {
                (format!("{}-{}", y, y + 1), r.total.map(|t| format!("{t:.1}")).unwrap_or_else(|| "—".into()), level(r))
            })
            .collect();
        if matches!(latest.grade, 6 | 9 | 12)
            && let Some(final_total) = latest.total
        {
            let others: Vec<f64> = records[1..].iter().filter_map(|(_, r)| r.total).collect();
            card.graduation = Some(format!("{:.1}", graduation_score(final_total, &others)));
        }
        card
    });
    Ok(Html(StudentPage { l, d, flags, fitness }.render()?))
}

#[derive(Deserialize, Default)]
pub struct TeachersQ {
    term: Option<String>,
    q: Option<String>,
    school: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "teachers.html")]
struct TeachersPage {
    l: Layout,
    rows: Vec<TeacherRow>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    school_id: i64,
    schools: Vec<SchoolOption>,
    base_qs: String,
}

pub async fn teachers(State(st): State<AppState>, s: Session, Query(q): Query<TeachersQ>) -> Page {
    let (l, sel) = layout(&st.store, &s, "教师", "teachers", q.term.as_deref()).await?;
    let school_id = id_param(&q.school);
    let text = q.q.clone().unwrap_or_default();
    let (rows, total) = match sel.id {
        Some(term_id) => {
            eduq_app::directory::teachers(
                &st.store,
                &s.actor,
                &TeacherQuery {
                    term_id,
                    q: Some(text.clone()),
                    school_id,
                    page: q.page.unwrap_or(0),
                    per_page: PER_PAGE,
                },
            )
            .await?
        }
        None => (vec![], 0),
    };
    let (pages, page) = pager(total, PER_PAGE, q.page.unwrap_or(0));
    let base_qs = qs(&[
        ("term", sel.term.key()),
        ("q", text.clone()),
        ("school", school_id.map(|x| x.to_string()).unwrap_or_default()),
    ]);
    let schools = eduq_app::directory::school_options(&st.store, &s.actor).await?;
    Ok(Html(
        TeachersPage { l, rows, total, page, pages, q: text, school_id: school_id.unwrap_or(0), schools, base_qs }
            .render()?,
    ))
}

pub struct ConditionView {
    pub c: ConditionRecord,
    pub school_name: String,
    pub students: i64,
    pub teaching_per_student: String,
    pub sports_per_student: String,
    pub equipment_per_student: String,
    pub students_per_computer: String,
}

#[derive(Template)]
#[template(path = "conditions.html")]
struct ConditionsPage {
    l: Layout,
    rows: Vec<ConditionView>,
    year: String,
}

fn ratio(a: f64, b: f64, digits: usize) -> String {
    if b > 0.0 { format!("{:.*}", digits, a / b) } else { "—".to_string() }
}

pub async fn conditions(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Page {
    let (l, sel) = layout(&st.store, &s, "办学条件", "conditions", q.term.as_deref()).await?;
    let schools = eduq_app::directory::schools(&st.store, &s.actor, sel.id).await?;
    let rows = eduq_app::directory::conditions(&st.store, &s.actor, sel.term.start_year)
        .await?
        .into_iter()
        .map(|c| {
            let school = schools.iter().find(|x| x.code == c.school_code);
            let n = school.map(|x| x.students).unwrap_or(0);
            let nf = n as f64;
            ConditionView {
                school_name: school.map(|x| x.name.clone()).unwrap_or_default(),
                students: n,
                teaching_per_student: ratio(c.teaching_area, nf, 2),
                sports_per_student: ratio(c.sports_outdoor_area + c.sports_indoor_area, nf, 2),
                equipment_per_student: ratio(c.equipment_value, nf, 0),
                students_per_computer: ratio(nf, c.student_computers as f64, 1),
                c,
            }
        })
        .collect();
    Ok(Html(ConditionsPage { l, rows, year: sel.term.school_year() }.render()?))
}

#[derive(Deserialize, Default)]
pub struct AuditQ {
    user: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
}

/// An audit entry as people read it: the district's local time and the action's Chinese name.
struct AuditLine {
    at: String,
    username: String,
    action: String,
    target: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<AuditLine>,
    /// "共 N 条", or "超过 10000 条" when the log holds more than it counts.
    total_text: String,
    page: i64,
    pages: i64,
    user: String,
    action: String,
    from: String,
    to: String,
    base_qs: String,
    actions: Vec<(&'static str, &'static str)>,
    /// The district's time zone, in which times are shown.
    zone: String,
}

pub async fn audit(State(st): State<AppState>, s: Session, Query(q): Query<AuditQ>) -> Page {
    let (l, _) = layout(&st.store, &s, "审计日志", "audit", None).await?;
    let date = |x: &Option<String>| x.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let query = AuditQuery {
        username: q.user.clone(),
        action: q.action.clone(),
        from: date(&q.from),
        to: date(&q.to),
        page: q.page.unwrap_or(0),
        per_page: PER_PAGE,
    };
    let (entries, total) = eduq_app::audit::search(&st.store, &s.actor, &query).await?;
    let rows = entries
        .into_iter()
        .map(|e| AuditLine {
            at: st.clock.local(e.at).format("%Y-%m-%d %H:%M:%S").to_string(),
            action: eduq_core::audit::action_label(&e.action).to_string(),
            username: if e.username == "system" { "系统".into() } else { e.username },
            target: e.target,
            detail: e.detail,
        })
        .collect();
    let (pages, page) = pager(total, PER_PAGE, q.page.unwrap_or(0));
    let f = |x: &Option<String>| x.clone().unwrap_or_default();
    let base_qs = qs(&[("user", f(&q.user)), ("action", f(&q.action)), ("from", f(&q.from)), ("to", f(&q.to))]);
    Ok(Html(
        AuditPage {
            l,
            rows,
            total_text: if total > eduq_app::audit::AUDIT_COUNTED {
                format!("超过{}条（可按用户、操作或日期筛选）", eduq_app::audit::AUDIT_COUNTED)
            } else {
                format!("共 {total} 条")
            },
            page,
            pages,
            user: f(&q.user),
            action: f(&q.action),
            from: f(&q.from),
            to: f(&q.to),
            base_qs,
            actions: eduq_core::audit::ACTIONS.to_vec(),
            zone: st.clock.zone().name().to_string(),
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    users: Vec<UserRow>,
    /// Accounts (lower-cased) that some client may not try now (too many failures).
    waiting: std::collections::HashSet<String>,
    schools: Vec<SchoolOption>,
    roles: Vec<Role>,
    message: String,
    error: String,
}

async fn users_page(st: &AppState, s: &Session, message: String, error: String) -> Result<String, WebError> {
    let (l, _) = layout(&st.store, s, "用户与角色", "users", None).await?;
    let (users, waiting) = eduq_app::accounts::users(&st.store, &s.actor, st.clock.now()).await?;
    let schools = eduq_app::directory::school_options(&st.store, &s.actor).await?;
    Ok(UsersPage { l, users, waiting, schools, roles: Role::ALL.to_vec(), message, error }.render()?)
}

pub async fn users(State(st): State<AppState>, s: Session) -> Page {
    Ok(Html(users_page(&st, &s, String::new(), String::new()).await?))
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
    school: Option<String>,
}

pub async fn user_create(State(st): State<AppState>, Posted(s, f): Posted<NewUserForm>) -> Result<Response, WebError> {
    let role = Role::from_key(&f.role).ok_or_else(|| WebError::BadRequest("未知角色".to_string()))?;
    let input = eduq_app::accounts::NewUserInput {
        username: f.username.clone(),
        display_name: if f.display_name.trim().is_empty() { f.username.clone() } else { f.display_name },
        password: f.password,
        role,
        school_id: id_param(&f.school),
        class_ids: vec![],
        school_ids: vec![],
        student_ids: vec![],
    };
    match eduq_app::accounts::create_user(&st.store, &s.actor, input, st.clock.now()).await {
        Ok(_) => {
            Ok(Html(users_page(&st, &s, format!("已创建用户“{}”", f.username), String::new()).await?).into_response())
        }
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e @ (eduq_app::AppError::Invalid(_) | eduq_app::AppError::Store(eduq_app::StoreError::Conflict(_)))) => {
            Ok((StatusCode::BAD_REQUEST, Html(users_page(&st, &s, String::new(), e.to_string()).await?))
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn healthz(State(st): State<AppState>) -> Response {
    match eduq_app::directory::reachable(&st.store).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")).into_response(),
    }
}
