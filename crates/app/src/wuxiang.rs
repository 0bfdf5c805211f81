//! 五项管理: one board per school and for the district — 作业 (the teachers' logs beside what
//! pupils and parents report), 睡眠 and 手机 from the termly questionnaires, 作息 from the school's
//! plan, 读物 from the school's reviewed list, 体质 from the 体质健康 results. Below the district a
//! school with fewer than five answers shows no questionnaire figures.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::Term;
use eduq_core::privacy::MIN_CELL;
use eduq_core::wuxiang::{Questions, Tally};
use eduq_store::Store;
use serde::{Deserialize, Serialize};

pub use eduq_store::after_school::Book;

use crate::AppError;

/// A school's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub id: i64,
    pub name: String,
    /// Pupils' and parents' answers together.
    pub answers: Tally,
    /// Teachers' logged written minutes per class-day (the term so far).
    pub logged_minutes: Option<f64>,
    /// Books on the school's list, and those approved.
    pub books: usize,
    pub approved_books: usize,
    /// 体质健康 合格率 of the school's latest round.
    pub fitness_pass: Option<f64>,
    /// First lesson and whether it keeps the line.
    pub start: Option<(String, bool)>,
}

impl Line {
    /// Enough answers to show below the district.
    pub fn shown(&self) -> bool {
        self.answers.responses >= MIN_CELL as u64
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Board {
    pub term: Term,
    /// The questionnaires tallied: (id, title).
    pub surveys: Vec<(i64, String)>,
    pub total: Tally,
    pub lines: Vec<Line>,
    pub district_fitness: Option<f64>,
    pub district_logged: Option<f64>,
}

pub const KOUJING: &str = "口径：睡眠、手机、体育锻炼与报告的作业时长来自本学期最近一次五项管理学生和家长问卷（每份问卷一份答卷）；睡眠达标按年级对照小学10小时、初中9小时、高中8小时（教基厅函〔2021〕11号），作业时长对照各年级书面作业上限；教师登记的日均书面作业来自作业登记；体质为最近一次体质健康测试合格率；答卷少于5份的学校不显示问卷数据。";

/// The board of the term containing `today` for the caller's schools teaching grades 1–9.
/// Memoised per reader and day until the next write.
pub async fn board(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Board, AppError> {
    if !actor.role.may_read(Resource::Homework) || !actor.role.may_read(Resource::Schools) {
        return Err(AppError::Forbidden);
    }
    let key = format!("wuxiang|{}|{today}", eduq_store::reader_key(actor));
    store.memoised(&key, read_board(store, actor, today)).await
}

async fn read_board(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Board, AppError> {
    let term = Term::containing(today);
    // The latest questionnaire of each 五项管理 form in scope.
    let mut latest: BTreeMap<String, (i64, String, Questions, eduq_core::questionnaire::Form)> = BTreeMap::new();
    if actor.role.reads_surveys() {
        for s in store.surveys(actor, None).await? {
            let form = crate::surveys::form_of(&s)?;
            if let Some(q) = Questions::of(&form) {
                let newer = latest.get(&form.form_id).is_none_or(|(id, ..)| s.id > *id);
                if newer {
                    latest.insert(form.form_id.clone(), (s.id, s.title.clone(), q, form));
                }
            }
        }
    }
    let mut by_school: HashMap<i64, Tally> = HashMap::new();
    let mut total = Tally::default();
    for (id, _, q, _) in latest.values() {
        for r in store.survey_responses(actor, *id).await? {
            let mut one = Tally::default();
            one.add(q, &r.answers);
            total.merge(&one);
            if let Some(s) = r.school_id {
                by_school.entry(s).or_default().merge(&one);
            }
        }
    }
    let (from, to) = crate::homework::term_so_far(today);
    let homework = crate::homework::board(store, actor, from, to, None).await?;
    let logged: HashMap<i64, Option<f64>> = homework.lines.iter().map(|l| (l.id, l.tally.mean_minutes())).collect();
    let books = store.reading_books(actor, None).await?;
    let (fitness, district_fitness) = if actor.role.reads_indicators() {
        let v = crate::indicators::one(store, actor, term, "fitness_pass_rate").await?;
        let by: HashMap<i64, Option<f64>> = v.schools.iter().map(|s| (s.school_id, s.value.value)).collect();
        (by, v.district.value)
    } else {
        (HashMap::new(), None)
    };
    let plans = match store.term_id(term).await? {
        Some(t) => store.service_plans(actor, t).await?,
        None => HashMap::new(),
    };
    let mut lines = Vec::new();
    for s in store.list_schools(actor, None).await? {
        let stages = s.school_type.compulsory_stages();
        if stages.is_empty() {
            continue;
        }
        let start = plans.get(&s.id).map(|p| (p.start_label(), p.start_ok(&stages)));
        lines.push(Line {
            id: s.id,
            name: s.name,
            answers: by_school.remove(&s.id).unwrap_or_default(),
            logged_minutes: logged.get(&s.id).copied().flatten(),
            books: books.iter().filter(|b| b.school_id == s.id).count(),
            approved_books: books.iter().filter(|b| b.school_id == s.id && b.approved).count(),
            fitness_pass: fitness.get(&s.id).copied().flatten(),
            start,
        });
    }
    Ok(Board {
        term,
        surveys: latest.into_values().map(|(id, title, ..)| (id, title)).collect(),
        total,
        lines,
        district_fitness,
        district_logged: homework.total.mean_minutes(),
    })
}

/// A book and its review as the school's form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BookForm {
    pub school_id: i64,
    pub title: String,
    #[serde(default)]
    pub author: String,
    pub publisher: String,
    #[serde(default)]
    pub grades: String,
    pub reviewed_on: String,
    pub reviewers: String,
    pub verdict: String,
    #[serde(default)]
    pub note: String,
}

/// Records a book with its review (审核) for the school.
pub async fn add_book(
    store: &Store,
    actor: &Actor,
    f: &BookForm,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !actor.role.may_write(Resource::Classes) {
        return Err(AppError::Forbidden);
    }
    use eduq_core::text::{CELL_CHARS, NAME_CHARS, check_field};
    for (label, v, max) in [
        ("书名", &f.title, CELL_CHARS),
        ("作者", &f.author, NAME_CHARS),
        ("出版社", &f.publisher, NAME_CHARS),
        ("适用年级", &f.grades, NAME_CHARS),
        ("审核人员", &f.reviewers, CELL_CHARS),
        ("备注", &f.note, CELL_CHARS),
    ] {
        check_field(label, v, max).map_err(AppError::Invalid)?;
    }
    if f.title.trim().is_empty() || f.publisher.trim().is_empty() || f.reviewers.trim().is_empty() {
        return Err(AppError::Invalid("书名、出版社和审核人员必填".into()));
    }
    let reviewed_on = crate::form::date_field("审核日期", &f.reviewed_on)?;
    if reviewed_on > today {
        return Err(AppError::Invalid(format!("审核日期{reviewed_on}晚于今天")));
    }
    let approved = match f.verdict.as_str() {
        "approved" => true,
        "rejected" => false,
        _ => return Err(AppError::Invalid("请选择审核结论".into())),
    };
    let book = Book {
        id: 0,
        school_id: f.school_id,
        school_name: String::new(),
        title: f.title.trim().into(),
        author: f.author.trim().into(),
        publisher: f.publisher.trim().into(),
        grades: f.grades.trim().into(),
        reviewed_on,
        reviewers: f.reviewers.trim().into(),
        approved,
        note: f.note.trim().into(),
    };
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    tx.add_reading_book(actor, district_id, &book, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The books of the caller's schools (optionally one).
pub async fn books(store: &Store, actor: &Actor, school: Option<i64>) -> Result<Vec<Book>, AppError> {
    Ok(store.reading_books(actor, school).await?)
}
