//! Vision screening: 5分记录 visual acuity, 视力不良 grading and 筛查性近视 (WS/T 663-2020).

use super::Provenance;

pub const PROVENANCE: Provenance = Provenance {
    source: "WS/T 663—2020《中小学生屈光不正筛查规范》(国家卫健委，2020-06-01实施)；GB/T 11533—2011《标准对数视力表》；《儿童青少年近视防控适宜技术指南（更新版）》(2021)",
    clause: "筛查性近视：裸眼远视力<5.0且非睫状肌麻痹下电脑验光等效球镜SE≤−0.50D，SE=球镜+柱镜/2；近视程度：低度−0.50～−3.00D，中度−3.25～−6.00D，高度<−6.00D；视力不良：轻度4.9，中度4.6–4.8，重度≤4.5；5分记录L=5+lg(小数视力)",
    confidence: "[V] 标准号与实施日期、SE含1/2；[M] 近视判定阈值与分度、视力不良分级、角膜塑形镜者计为近视（来自记忆，待与正式文本核对）",
};

/// Bands of the 5-point acuity of one eye (better than or equal to `from`).
pub const ACUITY_BANDS: &[(f64, &str)] = &[(5.0, "正常"), (4.9, "轻度"), (4.6, "中度"), (f64::NEG_INFINITY, "重度")];
/// Screening myopia needs uncorrected acuity below this and SE at or below `MYOPIA_SE`.
pub const MYOPIA_ACUITY_BELOW: f64 = 5.0;
pub const MYOPIA_SE: f64 = -0.50;
/// Degree by SE (dioptres): at or above `from` → label.
pub const MYOPIA_DEGREES: &[(f64, &str)] = &[(-3.00, "低度近视"), (-6.00, "中度近视"), (f64::NEG_INFINITY, "高度近视")];

const EPS: f64 = 1e-9;

/// Reads an acuity as written: 5-point (3.0–5.3) or decimal (0.1–2.0, converted by L = 5 + lg V
/// and rounded to one decimal, as the chart's rows are).
pub fn parse_acuity(raw: &str) -> Result<f64, String> {
    let v: f64 = crate::number::parse_f64(crate::text::trim(raw)).map_err(|_| "不是有效的视力值".to_string())?;
    if (3.0..=5.3).contains(&v) {
        return Ok((v * 10.0).round() / 10.0);
    }
    if v > 0.0 && v <= 2.0 {
        return Ok(((5.0 + v.log10()) * 10.0).round() / 10.0);
    }
    Err("超出范围（5分记录3.0–5.3，或小数记录0.1–2.0）".to_string())
}

/// 视力不良 grading of one eye (or of a pupil, from the worse eye).
pub fn acuity_grade(acuity: f64) -> &'static str {
    ACUITY_BANDS.iter().find(|&&(from, _)| acuity >= from - EPS).map_or("重度", |&(_, l)| l)
}

/// Spherical equivalent.
pub fn se(sphere: f64, cylinder: f64) -> f64 {
    sphere + cylinder / 2.0
}

/// 筛查性近视 of one eye: `None` when not myopic, else the degree.
pub fn myopia(acuity: f64, sphere: f64, cylinder: f64) -> Option<&'static str> {
    let e = se(sphere, cylinder);
    if acuity < MYOPIA_ACUITY_BELOW - EPS && e <= MYOPIA_SE + EPS {
        MYOPIA_DEGREES.iter().find(|&&(from, _)| e >= from - EPS).map(|&(_, l)| l)
    } else {
        None
    }
}

/// Orders the degrees so the pupil's result is the worse eye's.
pub fn myopia_rank(label: Option<&str>) -> usize {
    match label {
        None => 0,
        Some(l) => 1 + MYOPIA_DEGREES.iter().position(|&(_, d)| d == l).unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acuity_notations_and_grades_at_every_boundary() {
        assert_eq!(parse_acuity("5.0"), Ok(5.0));
        assert_eq!(parse_acuity("1.0"), Ok(5.0));
        assert_eq!(parse_acuity("0.8"), Ok(4.9));
        assert_eq!(parse_acuity("0.6"), Ok(4.8));
        assert_eq!(parse_acuity("0.5"), Ok(4.7));
        assert_eq!(parse_acuity("0.4"), Ok(4.6));
        assert_eq!(parse_acuity("0.3"), Ok(4.5));
        assert_eq!(parse_acuity("0.25"), Ok(4.4));
        assert_eq!(parse_acuity("1.5"), Ok(5.2));
        assert!(parse_acuity("2.5").is_err() && parse_acuity("5.4").is_err() && parse_acuity("x").is_err());
        assert_eq!(acuity_grade(5.3), "正常");
        assert_eq!(acuity_grade(5.0), "正常");
        assert_eq!(acuity_grade(4.9), "轻度");
        assert_eq!(acuity_grade(4.8), "中度");
        assert_eq!(acuity_grade(4.6), "中度");
        assert_eq!(acuity_grade(4.5), "重度");
        assert_eq!(acuity_grade(3.0), "重度");
    }

    #[test]
    fn screening_myopia_at_every_boundary() {
        assert_eq!(myopia(5.0, -1.0, 0.0), None, "acuity 5.0 is not below 5.0");
        assert_eq!(myopia(4.9, -0.25, 0.0), None, "SE −0.25 > −0.50");
        assert_eq!(myopia(4.9, -0.25, -0.5), Some("低度近视"), "SE = −0.25 − 0.25 = −0.50");
        assert_eq!(myopia(4.9, -3.0, 0.0), Some("低度近视"));
        assert_eq!(myopia(4.5, -3.25, 0.0), Some("中度近视"));
        assert_eq!(myopia(4.5, -5.0, -2.0), Some("中度近视"), "SE −6.00");
        assert_eq!(myopia(4.0, -6.25, 0.0), Some("高度近视"));
        assert_eq!(myopia(4.8, 1.0, 0.0), None, "hyperopia");
        assert!(myopia_rank(Some("高度近视")) > myopia_rank(Some("低度近视")));
        assert!(myopia_rank(Some("低度近视")) > myopia_rank(None));
    }
}
