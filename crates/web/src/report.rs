//! The printable district report (A4) for a 质量分析会 or an assessment visit: the plans'
//! targets, the indicator library, the 优质均衡 board of both stages and the data to check.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use eduq_app::balance::evaluate_district;
use eduq_app::guarantee::Part;
use eduq_app::indicators::{library, quality};
use eduq_app::plans::dashboard;
use eduq_core::access::Scope;
use eduq_core::balance::BalanceStage;
use eduq_core::calendar::Term;

use crate::auth::Session;
use crate::balance::{Results, results};
use crate::indicators::Line;
use crate::plans::{PlanCards, cards};
use crate::views::{Layout, TermQ, layout};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    l: Layout,
    district: String,
    term: String,
    printed: String,
    plans: Vec<PlanCards>,
    lines: Vec<Line>,
    stages: Vec<Results>,
    /// 政府保障程度 and 教育质量: (number, item, verdict, css class, each check's value).
    guarantee: Vec<ItemLine>,
    education: Vec<ItemLine>,
    quality: Vec<(String, Vec<String>)>,
}

type ItemLine = (u8, &'static str, &'static str, &'static str, String);

async fn item_lines(st: &AppState, s: &Session, term: Term, part: Part) -> Result<Vec<ItemLine>, WebError> {
    Ok(eduq_app::guarantee::evaluate_part(&st.store, &s.actor, term, part)
        .await?
        .items
        .iter()
        .map(|i| {
            let values: Vec<String> = i.checks.iter().map(|c| format!("{}：{}", c.label, c.value)).collect();
            (i.no, i.text, i.verdict.label(), crate::guarantee::class(i.verdict), values.join("；"))
        })
        .collect())
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, &s, "区县教育质量报告", "plans", q.term.as_deref()).await?;
    let district = eduq_app::directory::district_name(&st.store).await?;
    let plans = dashboard(&st.store, &s.actor, sel.term).await?.iter().map(cards).collect();
    let lines = library(&st.store, &s.actor, sel.term).await?.iter().map(crate::indicators::line).collect();
    let county = s.actor.scope == Scope::District;
    let mut stages = Vec::new();
    for stage in [BalanceStage::Primary, BalanceStage::Junior] {
        let r = evaluate_district(&st.store, &s.actor, sel.term, stage, None).await?;
        stages.push(results(&r, stage, county, String::new()));
    }
    let guarantee = item_lines(&st, &s, sel.term, Part::Guarantee).await?;
    let education = item_lines(&st, &s, sel.term, Part::Quality).await?;
    let quality = quality(&st.store, &s.actor, sel.term).await?;
    Ok(Html(
        ReportPage {
            l,
            district,
            term: sel.term.label(),
            printed: st.clock.today().format("%Y年%m月%d日").to_string(),
            plans,
            lines,
            stages,
            guarantee,
            education,
            quality,
        }
        .render()?,
    ))
}
