//! 政府保障程度 and 教育质量: the 15 items of 教督〔2017〕6号 第七条 and the 9 of 第八条, judged from
//! the records where eduq holds them, and the bureau's figures and attestations (with their
//! documents) for the rest. One page and one form for both parts.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use eduq_app::guarantee::{GuaranteeReport, Part, evaluate_part, save_input};
use eduq_core::access::{Resource, Scope};
use eduq_core::guarantee::{Verdict, attested_yes};
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
    part_name: &'static str,
    path: &'static str,
    /// The other part's path and name.
    other: (&'static str, &'static str),
    note: &'static str,
    rows_total: usize,
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

/// What the page says of where its figures come from, per part.
fn note(part: Part) -> &'static str {
    match part {
        Part::Guarantee => {
            "第3、4、5、12项与第15项的随迁子女比例由 eduq 的学籍、班级、教师和办学条件记录计算（第15项计公办学校与学校信息中标为“政府购买学位”的民办学校；不含特殊教育学校；第3项不含教学点；专用教室面积按总面积 ÷ 间数）；第9项在 eduq 有培训学时记录时按记录计算，第11项在有交流轮岗记录时按记录计算；其余由教育局按学年填报数值或“是/否”并注明依据，每次修改记入审计日志。"
        }
        Part::Quality => {
            "第4项的360学时培训完成率与政府保障程度第9项为同一数值（有培训学时记录时按记录计算）；残疾儿童少年入学率、初中三年巩固率、培训经费比例与国家质量监测校际差异率由教育局按学年填报并注明依据（适龄残疾儿童少年数以残联数据为准）；其余各项由教育局填报“是/否”并注明依据（督导检查记录、文件或报表），每次修改记入审计日志。校际差异率须低于0.15，0.15本身不达标。"
        }
    }
}

async fn render(
    st: &AppState,
    s: &Session,
    term: Option<&str>,
    message: String,
    part: Part,
) -> Result<Html<String>, WebError> {
    let (l, sel) = layout(&st.store, s, part.name(), "balance", term).await?;
    let report = evaluate_part(&st.store, &s.actor, sel.term, part).await?;
    let may_edit = s.actor.role.may_write(Resource::Schools) && s.actor.scope == Scope::District;
    let other = part.other();
    Ok(Html(
        Page {
            l,
            part_name: part.name(),
            path: part.key(),
            other: (other.key(), other.name()),
            note: note(part),
            rows_total: report.items.len(),
            school_year: report.school_year.clone(),
            met: report.items.iter().filter(|i| i.verdict == Verdict::Met).count(),
            all_met: report.all_met,
            rows: rows(&report),
            may_edit,
            message,
            source: part.source(),
        }
        .render()?,
    ))
}

pub async fn page(State(st): State<AppState>, s: Session, Query(q): Query<TermQ>) -> Result<Html<String>, WebError> {
    render(&st, &s, q.term.as_deref(), String::new(), Part::Guarantee).await
}

pub async fn quality_page(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<TermQ>,
) -> Result<Html<String>, WebError> {
    render(&st, &s, q.term.as_deref(), String::new(), Part::Quality).await
}

pub async fn export(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<TermQ>,
) -> Result<axum::response::Response, WebError> {
    workbook(st, s, q, Part::Guarantee).await
}

pub async fn quality_export(
    State(st): State<AppState>,
    s: Session,
    Query(q): Query<TermQ>,
) -> Result<axum::response::Response, WebError> {
    workbook(st, s, q, Part::Quality).await
}

/// The page's table as xlsx.
async fn workbook(st: AppState, s: Session, q: TermQ, part: Part) -> Result<axum::response::Response, WebError> {
    let (_, sel) = layout(&st.store, &s, part.name(), "balance", q.term.as_deref()).await?;
    let report = evaluate_part(&st.store, &s.actor, sel.term, part).await?;
    let bytes = eduq_app::guarantee::workbook(&report, part)?;
    Ok(crate::views::xlsx_download(&format!("{}-{}.xlsx", part.name(), sel.term.school_year()), bytes))
}

pub async fn save(State(st): State<AppState>, Posted(s, f): Posted<InputForm>) -> Result<Html<String>, WebError> {
    save_part(st, s, f, Part::Guarantee).await
}

pub async fn quality_save(
    State(st): State<AppState>,
    Posted(s, f): Posted<InputForm>,
) -> Result<Html<String>, WebError> {
    save_part(st, s, f, Part::Quality).await
}

/// Stores one figure or attestation and shows the page again with the result.
async fn save_part(st: AppState, s: Session, f: InputForm, part: Part) -> Result<Html<String>, WebError> {
    let (_, sel) = layout(&st.store, &s, part.name(), "balance", f.term.as_deref()).await?;
    let message =
        match save_input(&st.store, &s.actor, sel.term.start_year, &f.key, &f.value, &f.source, st.clock.now()).await {
            Ok(()) => "已保存".to_string(),
            Err(eduq_app::AppError::Invalid(m)) => m,
            Err(e) => return Err(e.into()),
        };
    render(&st, &s, f.term.as_deref(), message, part).await
}
