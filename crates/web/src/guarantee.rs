//! 政府保障程度: the 15 items of 教督〔2017〕6号 第七条, judged from the records where eduq holds
//! them, and the bureau's figures and attestations (with their documents) for the rest.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use eduq_app::guarantee::{GuaranteeReport, evaluate_district, save_input};
use eduq_core::access::{Resource, Scope};
use eduq_core::guarantee::{Verdict, attested_yes};
use eduq_core::standards::government_guarantee::PROVENANCE;
use eduq_core::student::yes_no;

use crate::auth::{Posted, Session};
use crate::indicators::InputForm;
use crate::views::{Layout, TermQ, layout};
use crate::{AppState, WebError};

/// One check as a table row: its item (on the item's first check only), the check and its form.
pub struct Row {
    /// (number, text, verdict label, css class, checks in the item) on the first row of an item.
    pub item: Option<(u8, &'static str, &'static str, &'static str, usize)>,
    pub label: &'static str,
    pub requirement: String,
    pub value: String,
    pub verdict: &'static str,
    pub class: &'static str,
    /// The first details, and the rest folded away (a county has dozens of schools).
    pub details: Vec<String>,
    pub more: Vec<String>,
    /// (key, attested, stored value as entered, source, by) for figures and attestations.
    pub input: Option<(&'static str, bool, String, String, String)>,
}

#[derive(Template)]
#[template(path = "guarantee.html")]
struct Page {
    l: Layout,
    school_year: String,
    rows: Vec<Row>,
    met: usize,
    all_met: bool,
    may_edit: bool,
    message: String,
    source: &'static str,
}

pub(crate) fn class(v: Verdict) -> &'static str {
    match v {
        Verdict::Met => "ok",
        Verdict::NotMet => "bad",
        Verdict::NoData | Verdict::Info => "muted",
    }
}

/// Details shown before the rest are folded.
const SHOWN: usize = 5;

fn rows(r: &GuaranteeReport) -> Vec<Row> {
    let mut out = Vec::new();
    for item in &r.items {
        for (k, c) in item.checks.iter().enumerate() {
            let input = c.input_key.map(|key| {
                let held = r.inputs.get(key);
                let value = held.map_or(String::new(), |i| {
                    if c.attested { yes_no(attested_yes(i.value)).to_string() } else { i.value.to_string() }
                });
                let (source, by) =
                    held.map_or((String::new(), String::new()), |i| (i.source.clone(), i.updated_by.clone()));
                (key, c.attested, value, source, by)
            });
            out.push(Row {
                item: (k == 0)
                    .then(|| (item.no, item.text, item.verdict.label(), class(item.verdict), item.checks.len())),
                label: c.label,
                requirement: c.requirement.clone(),
                value: c.value.clone(),
                verdict: c.verdict.label(),
                class: class(c.verdict),
                details: c.details.iter().take(SHOWN).cloned().collect(),
                more: c.details.iter().skip(SHOWN).cloned().collect(),
                input,
            });
        }
    }
    out
}

async fn render(st: &AppState, s: &Session, term: Option<&str>, message: String) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, s, "政府保障程度", "balance", term).await?;
    let report = evaluate_district(&st.store, &s.actor, sel.term).await?;
    let may_edit = s.actor.role.may_write(Resource::Schools) && s.actor.scope == Scope::District;
    Ok(Html(
        Page {
            l,
            school_year: report.school_year.clone(),
            met: report.items.iter().filter(|i| i.verdict == Verdict::Met).count(),
            all_met: report.all_met,
            rows: rows(&report),
            may_edit,
            message,
            source: PROVENANCE.source,
        }
        .render()?,
    ))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Result<Html<String>, WebError> {
    render(&st, &s, q.term.as_deref(), String::new()).await
}

/// The page's table as xlsx.
pub async fn export(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<TermQ>,
) -> Result<axum::response::Response, WebError> {
    let (_, sel) = layout(&st.store, &s, "政府保障程度", "balance", q.term.as_deref()).await?;
    let report = evaluate_district(&st.store, &s.actor, sel.term).await?;
    let bytes = eduq_app::guarantee::workbook(&report)?;
    Ok(crate::views::xlsx_download(&format!("政府保障程度-{}.xlsx", sel.term.school_year()), bytes))
}

/// Stores one figure or attestation and shows the page again with the result.
pub async fn save(State(st): State<AppState>, Posted(s, f): Posted<InputForm>) -> Result<Html<String>, WebError> {
    let (_, sel) = layout(&st.store, &s, "政府保障程度", "balance", f.term.as_deref()).await?;
    let message =
        match save_input(&st.store, &s.actor, sel.term.start_year, &f.key, &f.value, &f.source, st.clock.now()).await {
            Ok(()) => "已保存".to_string(),
            Err(eduq_app::AppError::Invalid(m)) => m,
            Err(e) => return Err(e.into()),
        };
    render(&st, &s, f.term.as_deref(), message).await
}
