//! Indicators: the library's district values against their targets, and the schools behind each.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_app::indicators::{IndicatorValue, library, one};
use eduq_core::access::Resource;
use eduq_core::indicators::{Fact, Indicator, Value};
use serde::Deserialize;

use crate::auth::{Posted, Session};
use crate::views::{Layout, TermQ, layout};
use crate::{AppState, WebError};

fn fmt(ind: &Indicator, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if matches!(ind.unit, "个" | "所" | "人") => format!("{x:.0}"),
        Some(x) if ind.unit == "元" => format!("{x:.0}"),
        // A 差异系数 (unitless) is read to three places against 0.50 / 0.45.
        Some(x) if ind.unit.is_empty() => format!("{x:.3}"),
        Some(x) => format!("{x:.2}"),
    }
}

pub struct Line {
    pub key: &'static str,
    pub name: &'static str,
    pub caliber: &'static str,
    pub source: &'static str,
    pub value: String,
    pub unit: &'static str,
    pub target: String,
    pub status: &'static str,
    pub behind: usize,
    pub numerator: String,
    pub denominator: String,
}

pub(crate) fn line(v: &IndicatorValue) -> Line {
    let i = &v.indicator;
    Line {
        key: i.key,
        name: i.name,
        caliber: i.caliber,
        source: i.source,
        value: fmt(i, v.district.value),
        unit: i.unit,
        target: match (i.target, i.direction) {
            (Some(t), eduq_core::indicators::Direction::AtLeast) => format!("≥ {}", fmt(i, Some(t))),
            (Some(t), eduq_core::indicators::Direction::AtMost) => format!("≤ {}", fmt(i, Some(t))),
            (None, _) => "—".into(),
        },
        status: status(v.meets),
        behind: v.behind,
        numerator: if i.unit.is_empty() {
            format!("{:.3}", v.district.numerator)
        } else {
            format!("{:.0}", v.district.numerator)
        },
        denominator: if i.unit.is_empty() {
            format!("{:.3}", v.district.denominator)
        } else {
            format!("{:.0}", v.district.denominator)
        },
    }
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct ListPage {
    l: Layout,
    lines: Vec<Line>,
    quality: Vec<(String, Vec<String>)>,
    /// The district's inputs of the term's school year: (key, label, value, source, by).
    inputs: Vec<(&'static str, &'static str, String, String, String)>,
    school_year: String,
    may_edit_inputs: bool,
    message: String,
}

async fn render_list(
    st: &AppState,
    s: &Session,
    term: Option<&str>,
    message: String,
) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, s, "指标", "indicators", term).await?;
    let values = library(&st.store, &s.actor, sel.term).await?;
    let quality = eduq_app::indicators::quality(&st.store, &s.actor, sel.term).await?;
    let inputs = eduq_app::district_inputs::inputs(&st.store, &s.actor, sel.term.start_year)
        .await?
        .into_iter()
        .filter_map(|(f, label, held)| {
            let (key, _) = f.district_input()?;
            let (v, src, by) = held.map_or((String::new(), String::new(), String::new()), |i| {
                (format!("{:.0}", i.value), i.source, i.updated_by)
            });
            Some((key, label, v, src, by))
        })
        .collect();
    let may_edit_inputs =
        s.actor.role.may_write(Resource::Schools) && s.actor.scope == eduq_core::access::Scope::District;
    Ok(Html(
        ListPage {
            l,
            lines: values.iter().map(line).collect(),
            quality,
            inputs,
            school_year: sel.term.school_year(),
            may_edit_inputs,
            message,
        }
        .render()?,
    ))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Result<Html<String>, WebError> {
    render_list(&st, &s, q.term.as_deref(), String::new()).await
}

/// A value the bureau supplies (here and on the 政府保障程度 page).
#[derive(Deserialize)]
pub struct InputForm {
    pub term: Option<String>,
    pub key: String,
    pub value: String,
    pub source: String,
}

/// Sets one of the district's inputs (学龄人口) and shows the list again with the result.
pub async fn save_input(
    State(st): State<AppState>,
    _headers: axum::http::HeaderMap,
    Posted(s, f): Posted<InputForm>,
) -> Result<Html<String>, WebError> {
    let (_, sel) = layout(&st.store, &s, "指标", "indicators", f.term.as_deref()).await?;
    let message = match eduq_app::district_inputs::save_input(
        &st.store,
        &s.actor,
        sel.term.start_year,
        &f.key,
        &f.value,
        &f.source,
        st.clock.now(),
    )
    .await
    {
        Ok(()) => "已保存".to_string(),
        Err(eduq_app::AppError::Invalid(m)) => m,
        Err(e) => return Err(e.into()),
    };
    render_list(&st, &s, f.term.as_deref(), message).await
}

pub struct SchoolLine {
    pub id: i64,
    pub name: String,
    pub numerator: String,
    pub denominator: String,
    pub value: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct DetailPage {
    l: Layout,
    i: Line,
    schools: Vec<SchoolLine>,
    /// Whether the indicator has class values to drill down to.
    per_class: bool,
    /// Schools' values as bars against the target line (ECharts option).
    chart: String,
    /// 督导 problems linked to the indicator, not closed yet: what is being done about it.
    problems: Vec<eduq_app::problems::ProblemRow>,
    /// The indicator over each 学区 and 教育集团 and its core school's value.
    groups: Vec<GroupLine>,
    /// 捆绑评价: each 中心校 with its bundled schools folded in: (中心校, bundled, numerator,
    /// denominator, value, status, its own value).
    bundles: Vec<(String, String, String, String, String, &'static str, String)>,
}

pub struct GroupLine {
    pub name: String,
    pub kind: &'static str,
    pub schools: usize,
    pub numerator: String,
    pub denominator: String,
    pub value: String,
    pub status: &'static str,
    /// The core school's value ("" when none is named).
    pub core: String,
}

fn status(meets: Option<bool>) -> &'static str {
    match meets {
        Some(true) => "达标",
        Some(false) => "未达标",
        None => "",
    }
}

fn bar_chart(v: &IndicatorValue) -> String {
    let ind = &v.indicator;
    let bars: Vec<_> = v
        .schools
        .iter()
        .filter_map(|s| {
            let x = s.value.value?;
            let colour = match s.meets {
                Some(false) => "#c0392b",
                _ => "#1f5fae",
            };
            Some((
                s.name.clone(),
                serde_json::json!({"value": (x * 100.0).round() / 100.0, "itemStyle": {"color": colour}}),
            ))
        })
        .collect();
    let mark = ind.target.map(|t| {
        serde_json::json!({"symbol": "none", "lineStyle": {"color": "#c0392b", "type": "dashed"},
            "label": {"formatter": format!("目标 {t}")}, "data": [{"yAxis": t}]})
    });
    serde_json::json!({
        "animation": false,
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 50, "right": 60, "bottom": 110, "top": 20},
        "xAxis": {"type": "category", "data": bars.iter().map(|b| &b.0).collect::<Vec<_>>(), "axisLabel": {"rotate": 60, "fontSize": 10, "interval": 0}},
        "yAxis": {"type": "value", "name": ind.unit},
        "series": [{"type": "bar", "name": ind.name, "data": bars.iter().map(|b| &b.1).collect::<Vec<_>>(), "markLine": mark}]
    })
    .to_string()
}

fn num(v: &Value) -> (String, String) {
    let f = |x: f64| if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x:.1}") };
    (f(v.numerator), f(v.denominator))
}

pub async fn detail(
    State(st): State<AppState>,
    s: Session,
    Path(key): Path<String>,
    Query(q): Query<TermQ>,
) -> Result<Response, WebError> {
    let (l, sel) = layout(&st.store, &s, "指标", "indicators", q.term.as_deref()).await?;
    if let Some(sp) = eduq_core::spread::spread(&key) {
        // A coefficient has no school value: its schools are the 优质均衡 board's.
        return Ok(Redirect::to(&format!("/balance?stage={}&term={}", sp.stage.key(), sel.term.key())).into_response());
    }
    let v = one(&st.store, &s.actor, sel.term, &key).await?;
    let schools = v
        .schools
        .iter()
        .map(|x| {
            let (n, d) = num(&x.value);
            SchoolLine {
                id: x.school_id,
                name: x.name.clone(),
                numerator: n,
                denominator: d,
                value: fmt(&v.indicator, x.value.value),
                status: status(x.meets),
            }
        })
        .collect();
    let per_class = matches!(
        v.indicator.numerator,
        Fact::StandardClasses
            | Fact::LargeClasses
            | Fact::ExtraLargeClasses
            | Fact::FitnessPassed
            | Fact::FitnessExcellent
            | Fact::Myopic
    );
    let problems = eduq_app::problems::linked_to(&st.store, &s.actor, &key).await?;
    let groups = eduq_app::indicators::groups(&st.store, &s.actor, &v)
        .await?
        .into_iter()
        .map(|g| {
            let (numerator, denominator) = num(&g.value);
            GroupLine {
                kind: g.kind.label(),
                schools: g.schools,
                numerator,
                denominator,
                value: fmt(&v.indicator, g.value.value),
                status: status(g.meets),
                core: g.core.map(|c| fmt(&v.indicator, c.value)).unwrap_or_default(),
                name: g.name,
            }
        })
        .collect();
    let bundles = eduq_app::indicators::bundled(&st.store, &s.actor, &v)
        .await?
        .into_iter()
        .map(|b| {
            let (n, d) = num(&b.center.value);
            let own = fmt(&v.indicator, b.own.and_then(|o| o.value));
            (
                b.center.name,
                b.members.join("、"),
                n,
                d,
                fmt(&v.indicator, b.center.value.value),
                status(b.center.meets),
                own,
            )
        })
        .collect();
    let page = DetailPage { l, i: line(&v), schools, per_class, chart: bar_chart(&v), problems, groups, bundles };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "indicator_classes.html")]
struct ClassesPage {
    l: Layout,
    i: Line,
    school: String,
    /// (class, numerator, denominator, value, status)
    classes: Vec<(String, String, String, String, &'static str)>,
    chart: String,
}

/// One school's classes for an indicator measured per class: the last step of the drill-down.
pub async fn classes(
    State(st): State<AppState>,
    s: Session,
    Path((key, school_id)): Path<(String, i64)>,
    Query(q): Query<TermQ>,
) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, &s, "指标", "indicators", q.term.as_deref()).await?;
    let school = eduq_app::directory::school(&st.store, &s.actor, school_id, sel.id).await?;
    let v = one(&st.store, &s.actor, sel.term, &key).await?;
    let Some((ind, rows)) = eduq_app::indicators::by_class(&st.store, &s.actor, sel.term, &key, school_id).await?
    else {
        return Err(WebError::BadRequest(format!("“{}”按学校统计，没有班级口径", v.indicator.name)));
    };
    let mut school_value = v.clone();
    school_value.schools.retain(|x| x.school_id == school_id);
    school_value.district = school_value.schools.first().map(|x| x.value).unwrap_or_default();
    school_value.meets = school_value.schools.first().and_then(|x| x.meets);
    let classes = rows
        .iter()
        .map(|c| {
            let (n, d) = num(&c.value);
            (c.name.clone(), n, d, fmt(ind, c.value.value), status(c.meets))
        })
        .collect();
    let as_schools = IndicatorValue {
        schools: rows
            .iter()
            .map(|c| eduq_app::indicators::SchoolValue {
                school_id: c.class_id,
                code: String::new(),
                name: c.name.clone(),
                value: c.value,
                meets: c.meets,
            })
            .collect(),
        ..school_value.clone()
    };
    Ok(Html(
        ClassesPage { l, i: line(&school_value), school: school.name, classes, chart: bar_chart(&as_schools) }
            .render()?,
    ))
}

/// The detail's table view as a workbook.
pub async fn detail_xlsx(
    State(st): State<AppState>,
    s: Session,
    Path(key): Path<String>,
    Query(q): Query<TermQ>,
) -> Result<axum::response::Response, WebError> {
    use eduq_exchange::table::{Cell, write_xlsx};
    let (_, sel) = layout(&st.store, &s, "指标", "indicators", q.term.as_deref()).await?;
    let v = one(&st.store, &s.actor, sel.term, &key).await?;
    let opt = |x: Option<f64>| x.map_or(Cell::Text(String::new()), Cell::Number);
    let mut rows = vec![vec![
        Cell::Text("区县".into()),
        Cell::Text(String::new()),
        Cell::Number(v.district.numerator),
        Cell::Number(v.district.denominator),
        opt(v.district.value),
        Cell::Text(line(&v).status.into()),
    ]];
    for x in &v.schools {
        rows.push(vec![
            Cell::Text(x.name.clone()),
            Cell::Text(x.code.clone()),
            Cell::Number(x.value.numerator),
            Cell::Number(x.value.denominator),
            opt(x.value.value),
            Cell::Text(match x.meets {
                Some(true) => "达标".into(),
                Some(false) => "未达标".into(),
                None => String::new(),
            }),
        ]);
    }
    let bytes = write_xlsx(v.indicator.name, &["单位", "学校标识码", "分子", "分母", "值", "状态"], &rows)
        .map_err(eduq_app::AppError::from)?;
    Ok(crate::views::xlsx_download(&format!("{}-{}.xlsx", v.indicator.name, sel.term.school_year()), bytes))
}

/// The library's values as JSON (numerators and denominators included).
pub async fn api(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<TermQ>,
) -> Result<Json<Vec<IndicatorValue>>, WebError> {
    let (_, sel) = layout(&st.store, &s, "指标", "indicators", q.term.as_deref()).await?;
    Ok(Json(library(&st.store, &s.actor, sel.term).await?.to_vec()))
}
