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
                "认可度{:.1}%（{}/{}个认可答案，来自{}项调查；标准≥{min:.0}%）",
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
