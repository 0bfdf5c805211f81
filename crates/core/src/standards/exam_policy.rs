//! Limits on exams in compulsory education (双减): which exams a grade may sit in a term and who may
//! organise them. An exam the rules forbid outright (paper exams in grades 1–2) is refused; one that
//! exceeds a count or is organised across schools for a non-graduating grade is stored with the
//! warning, so that the bureau sees it and can answer for it.

use serde::Serialize;

use super::Provenance;
use crate::grade::{Grade, Stage};

pub const SOURCE: Provenance = Provenance {
    source: "教育部办公厅《关于加强义务教育学校考试管理的通知》（2021年8月）",
    clause: "二、大幅压减考试次数：小学一二年级不进行纸笔考试，义务教育其他年级由学校每学期组织一次期末考试，\
             初中年级从不同学科实际出发可适当安排一次期中考试；不得面向小学各年级和初中非毕业年级组织区域性或\
             跨校际的考试；初中毕业年级在总复习阶段可组织1至2次模拟考试。三、合理运用考试结果：考试结果不排名、不公布",
    confidence: "[V] wording as reported by 新华社/央视 on 2021-08-30; 文号 not checked",
};

crate::labelled_enum!(
    /// What an exam is, in the notice's terms.
    ExamKind, "考试类型" {
        Final => "final", "期末考试" | "期末";
        Midterm => "midterm", "期中考试" | "期中";
        Mock => "mock", "模拟考试" | "模拟" | "中考模拟";
        Other => "other", "其他测试" | "单元测试" | "月考";
    }
);

crate::labelled_enum!(
    /// Who organises it: the school itself (a district may still set a common paper), or a
    /// district-wide or cross-school sitting (区域性或跨校际考试).
    Organiser, "组织方式" {
        School => "school", "学校组织" | "学校";
        District => "district", "区域统一组织" | "区统考" | "联考" | "跨校联考";
    }
);

/// The last grade of compulsory education, whose pupils may sit mock exams before 中考.
pub const GRADUATING_GRADE: i8 = 9;
/// Per term at most: one 期末 (every grade from 3), one 期中 (初中 only), two 模拟 (初三, second term).
pub const MAX_FINALS: usize = 1;
pub const MAX_MIDTERMS_JUNIOR: usize = 1;
pub const MAX_MOCKS: usize = 2;

/// The verdict on a planned exam: `refused` means it cannot be created.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Verdict {
    pub refused: Option<String>,
    pub warnings: Vec<String>,
}

/// Checks an exam for `grade` in term `term_no` (1 or 2) against the exams that grade already has
/// that term (`existing`, kinds only). Senior high (高中) is outside the notice: no limits.
pub fn check(grade: Grade, kind: ExamKind, organiser: Organiser, term_no: u8, existing: &[ExamKind]) -> Verdict {
    let mut v = Verdict::default();
    let stage = grade.stage();
    if !matches!(stage, Stage::Primary | Stage::Junior) {
        if stage == Stage::Preschool {
            v.refused = Some("幼儿园不进行考试".into());
        }
        return v;
    }
    let n = grade.number();
    if n <= 2 {
        v.refused = Some(format!("{}不进行纸笔考试（{}）", grade.name(), SOURCE.source));
        return v;
    }
    let same = existing.iter().filter(|k| **k == kind).count();
    match kind {
        ExamKind::Final if same >= MAX_FINALS => {
            v.warnings.push(format!("{}本学期已有{same}次期末考试，每学期只组织一次", grade.name()))
        }
        ExamKind::Midterm if stage == Stage::Primary => {
            v.warnings.push("小学不安排期中考试，只在学期末组织一次期末考试".into())
        }
        ExamKind::Midterm if same >= MAX_MIDTERMS_JUNIOR => {
            v.warnings.push(format!("{}本学期已有{same}次期中考试，初中至多安排一次", grade.name()))
        }
        ExamKind::Mock if n != GRADUATING_GRADE || term_no != 2 => {
            v.warnings.push("模拟考试只在初中毕业年级下学期的总复习阶段组织".into())
        }
        ExamKind::Mock if same >= MAX_MOCKS => {
            v.warnings.push(format!("本学期已有{same}次模拟考试，至多组织{MAX_MOCKS}次"))
        }
        ExamKind::Other => v.warnings.push("不得组织周考、月考、单元考试等其他各类考试或变相考试".into()),
        _ => {}
    }
    // The notice forbids district sittings for 小学各年级 and 初中非毕业年级 only: the graduating
    // grade (九年级) may sit district exams.
    if organiser == Organiser::District && n != GRADUATING_GRADE {
        let why = if stage == Stage::Primary {
            "小学各年级均不得组织"
        } else {
            "初中只有毕业年级可以组织"
        };
        v.warnings.push(format!("不得面向{}组织区域性或跨校际的考试（{why}）", grade.name()));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(n: i8) -> Grade {
        Grade::new(n).expect("grade")
    }

    #[test]
    fn grades_one_and_two_are_refused() {
        for n in [1, 2] {
            let v = check(g(n), ExamKind::Final, Organiser::School, 1, &[]);
            assert!(v.refused.as_deref().is_some_and(|r| r.contains("不进行纸笔考试")), "{v:?}");
        }
        assert!(check(g(3), ExamKind::Final, Organiser::School, 1, &[]).refused.is_none());
        assert!(check(g(0), ExamKind::Final, Organiser::School, 1, &[]).refused.is_some());
    }

    #[test]
    fn one_final_per_term_and_a_midterm_only_in_junior() {
        assert_eq!(check(g(3), ExamKind::Final, Organiser::School, 1, &[]), Verdict::default());
        assert_eq!(check(g(3), ExamKind::Final, Organiser::School, 1, &[ExamKind::Final]).warnings.len(), 1);
        assert_eq!(check(g(6), ExamKind::Midterm, Organiser::School, 1, &[]).warnings.len(), 1);
        assert_eq!(check(g(7), ExamKind::Midterm, Organiser::School, 1, &[]), Verdict::default());
        assert_eq!(check(g(7), ExamKind::Midterm, Organiser::School, 1, &[ExamKind::Midterm]).warnings.len(), 1);
        assert_eq!(check(g(5), ExamKind::Other, Organiser::School, 1, &[]).warnings.len(), 1);
    }

    #[test]
    fn district_sittings_and_mocks() {
        let v = check(g(8), ExamKind::Final, Organiser::District, 1, &[]);
        assert!(v.warnings.iter().any(|w| w.contains("区域性或跨校际") && w.contains("初中只有毕业年级")), "{v:?}");
        let v = check(g(5), ExamKind::Final, Organiser::District, 1, &[]);
        assert!(v.warnings.iter().any(|w| w.contains("小学各年级均不得组织")), "{v:?}");
        // 九年级 is the graduating grade: a district final is allowed, no self-contradicting hint (#25.5).
        assert_eq!(check(g(9), ExamKind::Final, Organiser::District, 1, &[]), Verdict::default());
        // 初三 下学期: up to two mock exams, district-wide allowed.
        assert_eq!(check(g(9), ExamKind::Mock, Organiser::District, 2, &[ExamKind::Mock]), Verdict::default());
        assert_eq!(check(g(9), ExamKind::Mock, Organiser::District, 2, &[ExamKind::Mock; 2]).warnings.len(), 1);
        assert_eq!(check(g(9), ExamKind::Mock, Organiser::School, 1, &[]).warnings.len(), 1);
        assert_eq!(check(g(8), ExamKind::Mock, Organiser::School, 2, &[]).warnings.len(), 1);
        // 高中 is outside the notice.
        assert_eq!(check(g(11), ExamKind::Other, Organiser::District, 1, &[]), Verdict::default());
    }
}
