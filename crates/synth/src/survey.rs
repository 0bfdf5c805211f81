//! A synthetic questionnaire and its responses, shaped like a survey platform's export: a
//! 40-question form (scales, multiple choice with a limit, numbers with ranges, free text, a group
//! shown to parents only) and responses with the export's own columns (a submission id and time),
//! a few in a hundred breaking a rule the way real exports do (a skipped required answer, a
//! number out of range, too many choices, a typo in a choice).

use eduq_core::questionnaire::{SheetRows, template_sheets};

use crate::Rng;

const SCALE: [&str; 5] = ["s5", "s4", "s3", "s2", "s1"];
const TOPICS: [&str; 6] = ["sleep", "phone", "read", "homework", "pe", "meals"];

/// The form's sheets: `who`, then 25 scale questions (`q1`…), a parents' group of 2, 5 multiple
/// choice (`m1`…, at most 3 each), 4 numbers (`n1`…, 0–24) and 3 texts (`t1`…) = 40 questions.
pub fn form() -> Vec<SheetRows> {
    let mut t = String::from(
        "[survey]\ntype\tname\tlabel\trequired\trelevant\tconstraint\tconstraint_message\n\
         select_one who\twho\t身份\tyes\t\t\t\n",
    );
    for i in 1..=25 {
        t.push_str(&format!("select_one sat\tq{i}\t第{i}题满意度\tyes\t\t\t\n"));
    }
    t.push_str("begin_group\tparents\t家长题\t\t${who} = 'parent'\t\t\n");
    t.push_str(
        "select_one sat\tp1\t家校沟通\tyes\t\t\t\nselect_one sat\tp2\t课后服务\tyes\t\t\t\nend_group\t\t\t\t\t\t\n",
    );
    for i in 1..=5 {
        t.push_str(&format!("select_multiple topic\tm{i}\t第{i}组关心\t\t\tcount-selected(.) <= 3\t最多选三项\n"));
    }
    for i in 1..=4 {
        t.push_str(&format!("decimal\tn{i}\t第{i}项小时数\tyes\t\t. >= 0 and . <= 24\t应在0到24之间\n"));
    }
    for i in 1..=3 {
        t.push_str(&format!("text\tt{i}\t第{i}项意见\t\t\t\t\n"));
    }
    t.push_str("[choices]\nlist_name\tname\tlabel\tfavourable\nwho\tparent\t家长\t\nwho\tpupil\t学生\t\nwho\tteacher\t教师\t\n");
    for (k, s) in SCALE.iter().enumerate() {
        t.push_str(&format!(
            "sat\t{s}\t{}\t{}\n",
            ["满意", "比较满意", "一般", "不太满意", "不满意"][k],
            if k < 2 { "yes" } else { "" }
        ));
    }
    for c in TOPICS {
        t.push_str(&format!("topic\t{c}\t{c}\t\n"));
    }
    t.push_str("[settings]\nform_title\tform_id\tversion\n基准问卷\tbench40\t1\n");
    template_sheets(&t)
}

/// The export's header: its own columns around the questions' names.
pub fn headers() -> Vec<String> {
    let mut h = vec!["_id".to_string(), "提交时间".to_string(), "who".to_string()];
    h.extend((1..=25).map(|i| format!("q{i}")));
    h.extend(["p1".to_string(), "p2".to_string()]);
    h.extend((1..=5).map(|i| format!("m{i}")));
    h.extend((1..=4).map(|i| format!("n{i}")));
    h.extend((1..=3).map(|i| format!("t{i}")));
    h
}

/// Calls `f` with each of `n` responses (cells in [`headers`] order).
pub fn responses(seed: u64, n: usize, mut f: impl FnMut(&[String])) {
    let mut rng = Rng::new(seed ^ 0x5A7E_F0A3);
    let mut row = vec![String::new(); headers().len()];
    for r in 0..n {
        let pick = |rng: &mut Rng, k: usize| rng.below(k as u64) as usize;
        row[0] = format!("uuid:{:08x}-{:04x}", 0x1f00_0000 + r * 7919 % 0x00ff_ffff, r % 0xffff);
        row[1] = format!("2026-11-{:02} {:02}:{:02}", 1 + r % 28, 7 + r % 14, r % 60);
        let who = ["parent", "parent", "pupil", "teacher"][pick(&mut rng, 4)];
        row[2] = who.to_string();
        // A respondent leans one way (most are satisfied, as in county surveys); answers scatter
        // around the lean.
        let lean = [0, 0, 0, 0, 0, 0, 0, 1, 1, 2][pick(&mut rng, 10)];
        for c in row.iter_mut().skip(3).take(25) {
            *c = SCALE[(lean + pick(&mut rng, 2)).min(4)].to_string();
        }
        for k in 0..2 {
            row[28 + k] =
                if who == "parent" { SCALE[(lean + pick(&mut rng, 2)).min(4)].to_string() } else { String::new() };
        }
        for c in row.iter_mut().skip(30).take(5) {
            let mut chosen: Vec<&str> = TOPICS.iter().copied().filter(|_| rng.below(4) == 0).take(3).collect();
            chosen.dedup();
            *c = chosen.join(" ");
        }
        for c in row.iter_mut().skip(35).take(4) {
            *c = format!("{:.1}", rng.unit() * 10.0);
        }
        for (k, c) in row.iter_mut().skip(39).take(3).enumerate() {
            *c = if rng.below(10) == 0 { format!("意见{r}-{k}，希望改进") } else { String::new() };
        }
        // About two in a hundred break a rule.
        match rng.below(200) {
            0 => row[3 + pick(&mut rng, 25)] = String::new(),
            1 => row[35] = "30".into(),
            2 => row[30] = "sleep phone read homework".into(),
            3 => row[3] = "s6".into(),
            _ => {}
        }
        f(&row);
    }
}

/// A plausible response to any form (the demo's surveys): `respondent` for the type question, a
/// favourable answer with probability `favourable` on each scale, one choice of a multiple
/// choice, required numbers, dates and texts filled; answers the choices hide are dropped.
pub fn answers_for(
    form: &eduq_core::questionnaire::Form,
    rng: &mut Rng,
    respondent: Option<&str>,
    favourable: f64,
) -> Vec<Option<String>> {
    use eduq_core::questionnaire::QType;
    let who = form.respondent();
    let raw: Vec<Option<String>> = form
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let pick = |rng: &mut Rng, list: Vec<&str>| -> Option<String> {
                (!list.is_empty()).then(|| list[rng.below(list.len() as u64) as usize].to_string())
            };
            match q.qtype {
                _ if Some(i) == who => respondent.map(str::to_string),
                QType::SelectOne if q.choices.iter().any(|c| c.favourable) => {
                    let fav = rng.unit() < favourable;
                    pick(rng, q.choices.iter().filter(|c| c.favourable == fav).map(|c| c.name.as_str()).collect())
                }
                QType::SelectOne | QType::SelectMultiple => {
                    pick(rng, q.choices.iter().map(|c| c.name.as_str()).collect())
                }
                QType::Integer | QType::Decimal if q.required => {
                    // The first of a few everyday figures that the question's constraint allows.
                    let ok = |v: &&str| {
                        let scope = eduq_core::questionnaire::Scope { answers: &[], current: Some(v) };
                        q.constraint.as_ref().is_none_or(|c| c.holds(&scope))
                    };
                    ["8", "1", "0", "5", "10", "30"].into_iter().find(ok).map(str::to_string)
                }
                QType::Date if q.required => Some("2026-09-01".into()),
                QType::Text if q.required => Some("无".into()),
                _ => None,
            }
        })
        .collect();
    let given: Vec<Option<&str>> = raw.iter().map(Option::as_deref).collect();
    form.without_skipped(&given).into_iter().map(|a| a.map(str::to_string)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use eduq_core::questionnaire::{Form, TEMPLATES};

    #[test]
    fn made_up_answers_pass_every_shipped_form() {
        let mut rng = Rng::new(7);
        for t in &TEMPLATES {
            let form = Form::parse(&template_sheets(t.text)).expect("valid");
            let types: Vec<Option<&str>> = match form.respondent() {
                Some(i) => form.questions[i].choices.iter().map(|c| Some(c.name.as_str())).collect(),
                None => vec![None],
            };
            for who in types {
                for _ in 0..20 {
                    let a = answers_for(&form, &mut rng, who, 0.9);
                    let refs: Vec<Option<&str>> = a.iter().map(Option::as_deref).collect();
                    assert_eq!(form.check(&refs), Ok(()), "{}: {a:?}", t.key);
                }
            }
        }
    }
}
