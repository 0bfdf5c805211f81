//! The monthly 双减 report for 专项督导: homework of the month, 课后服务 and 作息, 开齐开足 and
//! 五项管理 of the month's term, by school, each figure with its 口径 (A4 and xlsx).

use chrono::{Datelike, NaiveDate};
use eduq_core::access::Actor;
use eduq_core::calendar::Term;
use eduq_store::Store;
use serde::Serialize;

use crate::AppError;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthReport {
    pub district: String,
    pub year: i32,
    pub month: u32,
    pub homework: crate::homework::Board,
    pub service: crate::after_school::ServiceBoard,
    pub timetables: crate::timetables::Report,
    pub wuxiang: crate::wuxiang::Board,
}

/// The first and last day of a month (the last capped at `today`).
pub fn month_span(year: i32, month: u32, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), AppError> {
    let first =
        NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| AppError::Invalid(format!("月份{year}-{month}无效")))?;
    let next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    let last = next.and_then(|d| d.pred_opt()).unwrap_or(first).min(today);
    if first > today {
        return Err(AppError::Invalid(format!("{year}年{month}月尚未开始")));
    }
    Ok((first, last))
}

/// The report of a month for the caller's scope.
pub async fn month_report(
    store: &Store,
    actor: &Actor,
    year: i32,
    month: u32,
    today: NaiveDate,
) -> Result<MonthReport, AppError> {
    let (from, to) = month_span(year, month, today)?;
    let homework = crate::homework::board(store, actor, from, to, None).await?;
    // The term the month ends in: its plans, timetables and questionnaires.
    let service = crate::after_school::board(store, actor, to, None).await?;
    let timetables = crate::timetables::report(store, actor, Term::containing(to), None).await?;
    let wuxiang = crate::wuxiang::board(store, actor, to).await?;
    let (_, district) = store.district().await?;
    Ok(MonthReport { district, year: from.year(), month: from.month(), homework, service, timetables, wuxiang })
}

/// The report as a workbook: one sheet per part, each with its 口径 under the title.
pub fn month_workbook(r: &MonthReport) -> Result<Vec<u8>, AppError> {
    use eduq_exchange::table::{Cell, Sheet, write_workbook};
    let pct = |x: Option<f64>| Cell::Text(x.map(|v| format!("{v:.1}")).unwrap_or_default());
    let n = |x: u64| Cell::Number(x as f64);
    let title = |part: &str| format!("{}“双减”工作月报·{}（{}年{}月）", r.district, part, r.year, r.month);
    let homework: Vec<Vec<Cell>> = r
        .homework
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.name.clone()),
                n(l.tally.class_days),
                n(l.tally.over_days),
                pct(l.tally.compliance()),
                pct(l.tally.mean_minutes()),
            ]
        })
        .collect();
    let service: Vec<Vec<Cell>> = r
        .service
        .schools
        .iter()
        .map(|s| {
            vec![
                Cell::Text(s.name.clone()),
                Cell::Text(s.plan.as_ref().map(|p| p.start_label()).unwrap_or_default()),
                Cell::Text(s.plan.as_ref().map(|p| p.service_days.to_string()).unwrap_or_default()),
                Cell::Text(s.plan.as_ref().map(|p| p.end_label()).unwrap_or_default()),
                pct(s.participation()),
                n(s.sessions.sessions),
                pct(s.sessions.attendance()),
                n(s.sessions.early),
                Cell::Text(s.flags.join("；")),
            ]
        })
        .collect();
    let timetables: Vec<Vec<Cell>> = r
        .timetables
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.name.clone()),
                Cell::Text(if l.upload.is_some() { "已上传" } else { "未上传" }.into()),
                Cell::Number(l.classes as f64),
                Cell::Number(l.complete as f64),
                pct(l.share()),
                Cell::Number(l.clashes as f64),
            ]
        })
        .collect();
    let wuxiang: Vec<Vec<Cell>> = r
        .wuxiang
        .lines
        .iter()
        .map(|l| {
            let shown = l.shown();
            let hide = |x: Option<f64>| if shown { pct(x) } else { Cell::Text("＜5份".into()) };
            vec![
                Cell::Text(l.name.clone()),
                n(l.answers.responses),
                hide(l.answers.sleep_share()),
                hide(l.answers.homework_share()),
                hide(l.answers.phone_unkept_share()),
                Cell::Text(format!("{}/{}", l.approved_books, l.books)),
                pct(l.fitness_pass),
            ]
        })
        .collect();
    Ok(write_workbook(&[
        Sheet {
            name: "作业管理",
            title: vec![title("作业管理"), r.homework.koujing.to_string()],
            headers: &["学校", "已登记班级日", "超出日数", "达标率（%）", "日均书面作业（分钟）"],
            rows: &homework,
        },
        Sheet {
            name: "课后服务与作息",
            title: vec![title("课后服务与作息"), crate::after_school::KOUJING.to_string()],
            headers: &[
                "学校",
                "上午上课",
                "服务天数",
                "结束时间",
                "参与率（%）",
                "本学期服务班次",
                "到课率（%）",
                "提前结束班次",
                "问题",
            ],
            rows: &service,
        },
        Sheet {
            name: "开齐开足",
            title: vec![title("开齐开足"), r.timetables.koujing.to_string()],
            headers: &["学校", "课表", "班级数", "开齐开足班级", "开齐开足率（%）", "教师冲突"],
            rows: &timetables,
        },
        Sheet {
            name: "五项管理",
            title: vec![title("五项管理"), crate::wuxiang::KOUJING.to_string()],
            headers: &[
                "学校",
                "答卷",
                "睡眠达标（%）",
                "作业在上限内（%）",
                "手机未保管（%）",
                "读物（通过/登记）",
                "体质合格率（%）",
            ],
            rows: &wuxiang,
        },
    ])?)
}
