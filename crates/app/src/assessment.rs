//! The whole 优质均衡 assessment of a county (教督〔2017〕6号): 资源配置 (both stages), 政府保障程度,
//! 教育质量 and 社会认可度, each part's state and the county's verdict, for `/balance`.

use eduq_core::access::Actor;
use eduq_core::balance::{BalanceStage, county_verdict};
use eduq_core::calendar::Term;
use eduq_core::guarantee::Verdict;
use eduq_store::Store;
use serde::Serialize;

use crate::AppError;
use crate::guarantee::{Part, evaluate_part};
use crate::surveys::Recognition;

/// One part of the assessment as the board shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartLine {
    pub name: &'static str,
    /// The clause it is judged by.
    pub clause: &'static str,
    pub verdict: Verdict,
    /// What decides it, in a line.
    pub summary: String,
    /// Where its details are (a path under the site).
    pub href: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub term: String,
    pub parts: Vec<PartLine>,
    pub verdict: Verdict,
    pub recognition: Recognition,
}

fn met(b: bool) -> Verdict {
    if b { Verdict::Met } else { Verdict::NotMet }
}

/// The four parts for a term. Needs the roles that read the indicators and follow surveys.
pub async fn assessment(store: &Store, actor: &Actor, term: Term) -> Result<Assessment, AppError> {
    let mut parts = Vec::new();
    // 资源配置: every school passes and every coefficient is within its limit, in each stage the
    // county has schools of.
    let mut lines = Vec::new();
    let mut resource = Vec::new();
    for stage in [BalanceStage::Primary, BalanceStage::Junior] {
        let r = crate::balance::evaluate_district(store, actor, term, stage, None).await?;
        let e = &r.evaluation;
        if e.schools.is_empty() {
            continue;
        }
        let passed = e.schools.iter().filter(|s| s.pass).count();
        let cv_ok = e.indicators.iter().filter(|i| i.cv_pass).count();
        lines.push(format!(
            "{}：达标学校{}/{}，差异系数达标{}/{}项",
            stage.label(),
            passed,
            e.schools.len(),
            cv_ok,
            e.indicators.len()
        ));
        resource.push(met(e.county_pass));
    }
    parts.push(PartLine {
        name: "资源配置",
        clause: "第六条（7项指标；每所学校至少6项达到要求、余项不低于要求的85%；小学、初中差异系数分别不高于0.50、0.45）",
        verdict: if resource.is_empty() { Verdict::NoData } else { county_verdict(&resource) },
        summary: if lines.is_empty() { "没有义务教育学校的数据".into() } else { lines.join("；") },
        href: "/balance",
    });
    for (part, clause, href) in [
        (Part::Guarantee, "第七条（15项）", "/balance/guarantee"),
        (Part::Quality, "第八条（9项）", "/balance/quality"),
    ] {
        let r = evaluate_part(store, actor, term, part).await?;
        let count = |v: Verdict| r.items.iter().filter(|i| i.verdict == v).count();
        let verdicts: Vec<Verdict> = r.items.iter().map(|i| i.verdict).collect();
        parts.push(PartLine {
            name: part.name(),
            clause,
            verdict: county_verdict(&verdicts),
            summary: format!(
                "{}项中达到{}项，未达到{}项，待填报{}项",
                r.items.len(),
                count(Verdict::Met),
                count(Verdict::NotMet),
                count(Verdict::NoData)
            ),
            href,
        });
    }
    let recognition = crate::surveys::recognition(store, actor).await?;
    let min = recognition.min * 100.0;
    parts.push(PartLine {
        name: "社会认可度",
        clause: "第九条（社会认可度达到85%以上）",
        verdict: recognition.met.map_or(Verdict::NoData, met),
        summary: match recognition.overall {
            Some(o) => format!(
                "{}认可度{:.1}%（{}/{}个认可答案，来自{}项调查；标准≥{min:.0}%）",
                // Below the district the store reads the caller's own links only.
                if actor.scope == eduq_core::access::Scope::District { "" } else { "本校链接的答卷：" },
                o.share * 100.0,
                o.count,
                o.n,
                recognition.surveys.len()
            ),
            None => "尚无计入社会认可度的调查答卷".into(),
        },
        href: "/surveys",
    });
    let verdicts: Vec<Verdict> = parts.iter().map(|p| p.verdict).collect();
    Ok(Assessment { term: term.label(), verdict: county_verdict(&verdicts), parts, recognition })
}

/// What the 自评报告 draws on: the four parts' verdicts, each stage's 资源配置, the items of 政府保障程度
/// and 教育质量, and 社会认可度 by respondent type.
#[derive(Debug, Clone)]
pub struct SelfReport {
    pub district: String,
    pub school_year: String,
    pub a: Assessment,
    pub stages: Vec<(BalanceStage, crate::balance::BalanceReport)>,
    pub guarantee: crate::guarantee::GuaranteeReport,
    pub quality: crate::guarantee::GuaranteeReport,
}

impl SelfReport {
    /// Compulsory schools and their pupils over the stages (a 九年一贯制 school once).
    pub fn schools_and_pupils(&self) -> (usize, f64) {
        let mut codes: Vec<&str> = Vec::new();
        let mut pupils = 0.0;
        for (_, r) in &self.stages {
            for s in &r.evaluation.schools {
                if !codes.contains(&s.code.as_str()) {
                    codes.push(&s.code);
                }
                pupils += s.students;
            }
        }
        (codes.len(), pupils)
    }
}

pub async fn self_report(store: &Store, actor: &Actor, term: Term) -> Result<SelfReport, AppError> {
    if actor.scope != eduq_core::access::Scope::District {
        return Err(AppError::Forbidden);
    }
    let a = assessment(store, actor, term).await?;
    let mut stages = Vec::new();
    for stage in [BalanceStage::Primary, BalanceStage::Junior] {
        let r = crate::balance::evaluate_district(store, actor, term, stage, None).await?;
        if !r.evaluation.schools.is_empty() {
            stages.push((stage, r));
        }
    }
    Ok(SelfReport {
        district: store.district().await?.1,
        school_year: term.school_year(),
        a,
        stages,
        guarantee: evaluate_part(store, actor, term, Part::Guarantee).await?,
        quality: evaluate_part(store, actor, term, Part::Quality).await?,
    })
}

/// The report's appendices (附表) as one workbook: the four parts' verdicts, each stage's county
/// coefficients and schools, the items of 政府保障程度 and 教育质量, 社会认可度 by respondent type.
pub fn appendices(r: &SelfReport) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let text = |s: &str| Cell::Text(s.to_string());
    let title =
        |what: &str| vec![format!("{}义务教育优质均衡发展督导评估自评 {}（{}学年）", r.district, what, r.school_year)];
    let parts: Vec<Vec<Cell>> =
        r.a.parts
            .iter()
            .map(|p| vec![text(p.name), text(p.clause), text(p.verdict.label()), text(&p.summary)])
            .collect();
    /// A sheet before it is written: name, title lines, headers, rows.
    type Table = (String, Vec<String>, Vec<&'static str>, Vec<Vec<Cell>>);
    let mut tables: Vec<Table> = Vec::new();
    tables.push(("附表1 四个方面".into(), title("四个方面与结论"), vec!["方面", "依据", "判定", "情况"], parts));
    let mut n = 2;
    for (stage, report) in &r.stages {
        let rows = crate::balance::county_rows(report);
        tables.push((
            format!("附表{n} {}县域", stage.label()),
            title(&format!("资源配置·{}县域差异系数", stage.label())),
            crate::balance::COUNTY_HEADERS.to_vec(),
            rows,
        ));
        n += 1;
        let (headers, rows) = crate::balance::school_rows(report);
        tables.push((
            format!("附表{n} {}学校", stage.label()),
            title(&format!("资源配置·{}学校达标情况", stage.label())),
            headers,
            rows,
        ));
        n += 1;
    }
    for (part, report) in [(Part::Guarantee, &r.guarantee), (Part::Quality, &r.quality)] {
        tables.push((
            format!("附表{n} {}", part.name()),
            vec![crate::guarantee::part_title(report, part)],
            crate::guarantee::ITEM_HEADERS.to_vec(),
            crate::guarantee::item_rows(report),
        ));
        n += 1;
    }
    let share = |s: &Option<eduq_core::questionnaire::results::Share>| -> Vec<Cell> {
        match s {
            Some(s) => vec![
                Cell::Number(s.count as f64),
                Cell::Number(s.n as f64),
                Cell::Number((s.share * 1000.0).round() / 10.0),
                text(&format!("{:.1}–{:.1}", s.low * 100.0, s.high * 100.0)),
            ],
            None => vec![text(""), text(""), text(""), text("")],
        }
    };
    let mut rows: Vec<Vec<Cell>> =
        r.a.recognition
            .by_type
            .iter()
            .map(|(who, s)| {
                let mut row = vec![text(who)];
                row.extend(share(s));
                row
            })
            .collect();
    let mut all = vec![text("合计")];
    all.extend(share(&r.a.recognition.overall));
    rows.push(all);
    tables.push((
        format!("附表{n} 社会认可度"),
        title("社会认可度（第九条，标准≥85%）"),
        vec!["调查对象", "认可答案数", "有效作答数", "认可度%", "95%置信区间%"],
        rows,
    ));
    let sheets: Vec<Sheet> =
        tables.iter().map(|(name, title, headers, rows)| Sheet { name, title: title.clone(), headers, rows }).collect();
    Ok(write_workbook(&sheets)?)
}
