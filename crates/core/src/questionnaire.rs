//! Questionnaires as XLSForm workbooks (the ODK/Kobo convention bureau staff can write in Excel):
//! a `survey` sheet of questions, a `choices` sheet of answer lists, an optional `settings` sheet.
//! One engine for 社会认可度, 满意度 and the 双减/五项管理 surveys.
//!
//! Supported: types select_one, select_multiple, integer, decimal, text, note, date and
//! begin_group/end_group; columns name, label (or `label::语言`), hint, required, relevant,
//! constraint, constraint_message. The choices sheet may mark answers that count as favourable
//! (column `favourable`: yes/1/是), the rule a 认可度 figure states per form.

pub mod expr;
pub mod results;

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;

pub use expr::{Expr, Scope};

/// One sheet as read from the workbook: its header row and data rows as text. Excel row numbers
/// are kept so that every error can name the row the author sees.
/// Kept as JSON with a survey, so that the form a survey runs is the file the bureau uploaded,
/// row numbers and all.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SheetRows {
    pub name: String,
    pub headers: Vec<String>,
    /// (Excel row number, cells).
    pub rows: Vec<(usize, Vec<String>)>,
}

impl SheetRows {
    fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name))
    }
    /// `label`, or the first `label::语言` column.
    fn label_column(&self, base: &str) -> Option<usize> {
        self.column(base).or_else(|| {
            let prefix = format!("{base}::");
            self.headers.iter().position(|h| h.trim().to_ascii_lowercase().starts_with(&prefix))
        })
    }
}

fn cell(row: &[String], col: Option<usize>) -> &str {
    col.and_then(|c| row.get(c)).map_or("", |s| s.trim())
}

/// Where a form is wrong: sheet, Excel row (0 for the sheet as a whole) and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub sheet: String,
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, self.column.is_empty()) {
            (0, true) => write!(f, "{}表：{}", self.sheet, self.message),
            (0, false) => write!(f, "{}表“{}”列：{}", self.sheet, self.column, self.message),
            (r, true) => write!(f, "{}表第{}行：{}", self.sheet, r, self.message),
            (r, false) => write!(f, "{}表第{}行“{}”列：{}", self.sheet, r, self.column, self.message),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QType {
    SelectOne,
    SelectMultiple,
    Integer,
    Decimal,
    Text,
    Note,
    Date,
}

impl QType {
    pub fn key(self) -> &'static str {
        match self {
            QType::SelectOne => "select_one",
            QType::SelectMultiple => "select_multiple",
            QType::Integer => "integer",
            QType::Decimal => "decimal",
            QType::Text => "text",
            QType::Note => "note",
            QType::Date => "date",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            QType::SelectOne => "单选",
            QType::SelectMultiple => "多选",
            QType::Integer => "整数",
            QType::Decimal => "小数",
            QType::Text => "文本",
            QType::Note => "说明",
            QType::Date => "日期",
        }
    }
    pub fn is_select(self) -> bool {
        matches!(self, QType::SelectOne | QType::SelectMultiple)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub name: String,
    pub label: String,
    pub favourable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub name: String,
    pub label: String,
    pub hint: String,
    pub qtype: QType,
    pub list: String,
    pub choices: Vec<Choice>,
    pub required: bool,
    pub relevant: Option<Expr>,
    pub constraint: Option<Expr>,
    pub constraint_message: String,
    /// Enclosing groups, outermost first (indices into [`Form::groups`]).
    pub groups: Vec<usize>,
    /// Excel row of the survey sheet.
    pub row: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub label: String,
    pub relevant: Option<Expr>,
    pub row: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub title: String,
    pub form_id: String,
    pub version: String,
    pub questions: Vec<Question>,
    pub groups: Vec<Group>,
}

fn yes(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "" | "no" | "false" | "false()" | "0" | "否" => Some(false),
        "yes" | "true" | "true()" | "1" | "是" => Some(true),
        _ => None,
    }
}

fn valid_name(n: &str) -> bool {
    let mut c = n.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_' || x == '-' || x == '.')
}

/// Sheets every form needs, in the names the convention uses.
const SURVEY: &str = "survey";
const CHOICES: &str = "choices";
const SETTINGS: &str = "settings";
/// The name of the respondent-type question (身份) of a survey.
pub const RESPONDENT: &str = "respondent";

impl Form {
    /// Reads and checks a form; every error is returned, each naming sheet, row and column.
    pub fn parse(sheets: &[SheetRows]) -> Result<Form, Vec<FormError>> {
        let mut errors = Vec::new();
        let find = |n: &str| sheets.iter().find(|s| s.name.trim().eq_ignore_ascii_case(n));
        let err = |sheet: &str, row: usize, column: &str, message: String| FormError {
            sheet: sheet.to_string(),
            row,
            column: column.to_string(),
            message,
        };
        let Some(survey) = find(SURVEY) else {
            return Err(vec![err(SURVEY, 0, "", "缺少工作表“survey”".into())]);
        };
        let lists = match find(CHOICES) {
            Some(ch) => read_choices(ch, &mut errors),
            None => HashMap::new(),
        };
        let (mut title, mut form_id, mut version) = (String::new(), String::new(), String::new());
        if let Some(st) = find(SETTINGS)
            && let Some((_, row)) = st.rows.first()
        {
            title = cell(row, st.column("form_title")).to_string();
            form_id = cell(row, st.column("form_id")).to_string();
            version = cell(row, st.column("version")).to_string();
        }
        for need in ["type", "name"] {
            if survey.column(need).is_none() {
                errors.push(err(SURVEY, 0, need, "缺少此列".into()));
            }
        }
        if !errors.is_empty() && survey.column("type").is_none() {
            return Err(errors);
        }
        let col = |n: &str| survey.column(n);
        let (c_type, c_name, c_label, c_hint) =
            (col("type"), col("name"), survey.label_column("label"), survey.label_column("hint"));
        let (c_req, c_rel, c_con, c_msg) =
            (col("required"), col("relevant"), col("constraint"), survey.label_column("constraint_message"));

        // First pass: the names, so that expressions may refer to any question of the form.
        struct Raw {
            row: usize,
            kind: String,
            list: String,
            name: String,
        }
        let mut raws = Vec::new();
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut qcount = 0;
        for (r, cells) in &survey.rows {
            let t = cell(cells, c_type);
            if t.is_empty() && cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let mut parts = t.split_whitespace();
            let kind = parts.next().unwrap_or("").to_ascii_lowercase();
            let list = parts.next().unwrap_or("").to_string();
            let extra: Vec<&str> = parts.collect();
            if !extra.is_empty() {
                errors.push(err(
                    SURVEY,
                    *r,
                    "type",
                    format!("不支持题型中的“{}”（如 or_other），请删去", extra.join(" ")),
                ));
            }
            let name = cell(cells, c_name).to_string();
            if kind.is_empty() {
                errors.push(err(SURVEY, *r, "type", "题型为空".into()));
                continue;
            }
            let question = !matches!(kind.as_str(), "begin_group" | "end_group" | "begin" | "end");
            if question {
                if let Some(first) = names.get(&name) {
                    errors.push(err(SURVEY, *r, "name", format!("题目名“{name}”与第{first}行重复")));
                } else if !name.is_empty() {
                    names.insert(name.clone(), *r);
                }
                qcount += 1;
            }
            raws.push(Raw { row: *r, kind, list, name });
        }
        let index: HashMap<String, usize> = {
            let mut i = 0;
            let mut m = HashMap::new();
            for raw in &raws {
                if !matches!(raw.kind.as_str(), "begin_group" | "end_group" | "begin" | "end") {
                    m.entry(raw.name.clone()).or_insert(i);
                    i += 1;
                }
            }
            m
        };
        let lookup = |n: &str| index.get(n).copied();
        let parse_expr = |src: &str, r: usize, column: &str, errors: &mut Vec<FormError>| -> Option<Expr> {
            if src.is_empty() {
                return None;
            }
            match expr::parse(src, &lookup) {
                Ok(e) => Some(e),
                Err(e) => {
                    errors.push(err(SURVEY, r, column, format!("表达式“{src}”有误：{}", e.0)));
                    None
                }
            }
        };

        let mut questions = Vec::with_capacity(qcount);
        let mut groups: Vec<Group> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let by_row: HashMap<usize, &Vec<String>> = survey.rows.iter().map(|(r, c)| (*r, c)).collect();
        for raw in &raws {
            let cells = by_row[&raw.row];
            let r = raw.row;
            let label = cell(cells, c_label).to_string();
            let relevant = parse_expr(cell(cells, c_rel), r, "relevant", &mut errors);
            let qtype = match raw.kind.as_str() {
                "begin_group" | "begin" => {
                    if !raw.list.is_empty() && raw.kind == "begin" && raw.list != "group" {
                        errors.push(err(SURVEY, r, "type", format!("不支持的题型“begin {}”", raw.list)));
                    }
                    if raw.name.is_empty() || !valid_name(&raw.name) {
                        errors.push(err(
                            SURVEY,
                            r,
                            "name",
                            format!("分组名“{}”无效：应以字母开头，只含字母、数字和下划线", raw.name),
                        ));
                    }
                    groups.push(Group { name: raw.name.clone(), label, relevant, row: r });
                    open.push(groups.len() - 1);
                    continue;
                }
                "end_group" | "end" => {
                    if open.pop().is_none() {
                        errors.push(err(SURVEY, r, "type", "end_group 没有对应的 begin_group".into()));
                    }
                    continue;
                }
                "select_one" => QType::SelectOne,
                "select_multiple" => QType::SelectMultiple,
                "integer" => QType::Integer,
                "decimal" => QType::Decimal,
                "text" => QType::Text,
                "note" => QType::Note,
                "date" => QType::Date,
                other => {
                    errors.push(err(SURVEY, r, "type", format!("不支持的题型“{other}”")));
                    QType::Text
                }
            };
            if raw.name.is_empty() {
                errors.push(err(SURVEY, r, "name", "题目名为空".into()));
            } else if !valid_name(&raw.name) {
                errors.push(err(
                    SURVEY,
                    r,
                    "name",
                    format!("题目名“{}”无效：应以字母开头，只含字母、数字和下划线", raw.name),
                ));
            }
            if label.is_empty() {
                errors.push(err(SURVEY, r, "label", format!("题目“{}”缺少题干", raw.name)));
            }
            let mut choices = Vec::new();
            if qtype.is_select() {
                if raw.list.is_empty() {
                    errors.push(err(
                        SURVEY,
                        r,
                        "type",
                        format!("{}题应写作“{} 选项列表名”", qtype.label(), qtype.key()),
                    ));
                } else if let Some(l) = lists.get(&raw.list) {
                    choices = l.clone();
                } else {
                    errors.push(err(SURVEY, r, "type", format!("选项列表“{}”在choices表中不存在", raw.list)));
                }
            } else if !raw.list.is_empty() {
                errors.push(err(SURVEY, r, "type", format!("题型“{} {}”多出了“{}”", raw.kind, raw.list, raw.list)));
            }
            let required = match yes(cell(cells, c_req)) {
                Some(b) => b,
                None => {
                    errors.push(err(SURVEY, r, "required", format!("“{}”应为yes或no", cell(cells, c_req))));
                    false
                }
            };
            if required && qtype == QType::Note {
                errors.push(err(SURVEY, r, "required", "说明项不能设为必答".into()));
            }
            let constraint = parse_expr(cell(cells, c_con), r, "constraint", &mut errors);
            questions.push(Question {
                name: raw.name.clone(),
                label,
                hint: cell(cells, c_hint).to_string(),
                qtype,
                list: raw.list.clone(),
                choices,
                required,
                relevant,
                constraint,
                constraint_message: cell(cells, c_msg).to_string(),
                groups: open.clone(),
                row: r,
            });
        }
        for g in open {
            errors.push(err(SURVEY, groups[g].row, "type", format!("分组“{}”缺少end_group", groups[g].name)));
        }
        if questions.is_empty() && errors.is_empty() {
            errors.push(err(SURVEY, 0, "", "没有任何题目".into()));
        }
        if errors.is_empty() { Ok(Form { title, form_id, version, questions, groups }) } else { Err(errors) }
    }

    pub fn question_index(&self, name: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.name == name)
    }

    /// The question that splits a survey's respondents by type (身份), by the convention of the
    /// shipped templates: a select_one named `respondent`.
    pub fn respondent(&self) -> Option<usize> {
        self.question_index(RESPONDENT).filter(|&i| self.questions[i].qtype == QType::SelectOne)
    }

    /// Whether each question is to be answered given the answers so far (its own `relevant` and
    /// every enclosing group's); a group's rule is evaluated once, where its first member stands.
    pub fn relevance(&self, answers: &[Option<&str>]) -> Vec<bool> {
        let mut group_on: Vec<Option<bool>> = vec![None; self.groups.len()];
        let mut out = Vec::with_capacity(self.questions.len());
        for (i, q) in self.questions.iter().enumerate() {
            let value = answers.get(i).copied().flatten().map(str::trim).filter(|v| !v.is_empty());
            let scope = Scope { answers, current: value };
            let mut relevant = true;
            for &g in &q.groups {
                let on = *group_on[g]
                    .get_or_insert_with(|| self.groups[g].relevant.as_ref().is_none_or(|e| e.holds(&scope)));
                relevant &= on;
            }
            out.push(relevant && q.relevant.as_ref().is_none_or(|e| e.holds(&scope)));
        }
        out
    }

    /// The answers a page holds with those of questions that are no longer relevant dropped
    /// (a respondent who changes an earlier answer skips what it hides). Repeated until stable:
    /// dropping one answer can hide another question.
    pub fn without_skipped<'a>(&self, answers: &[Option<&'a str>]) -> Vec<Option<&'a str>> {
        let mut kept: Vec<Option<&'a str>> = answers.to_vec();
        kept.resize(self.questions.len(), None);
        for _ in 0..=self.questions.len() {
            let on = self.relevance(&kept);
            let mut changed = false;
            for (a, on) in kept.iter_mut().zip(on) {
                if !on && a.is_some() {
                    *a = None;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        kept
    }

    /// Checks one response (answers by question index, `None` when empty): the first reason it
    /// is rejected, in form order, or `Ok`.
    pub fn check(&self, answers: &[Option<&str>]) -> Result<(), String> {
        let relevance = self.relevance(answers);
        for (i, q) in self.questions.iter().enumerate() {
            let value = answers.get(i).copied().flatten().map(str::trim).filter(|v| !v.is_empty());
            let scope = Scope { answers, current: value };
            let relevant = relevance[i];
            let Some(v) = value else {
                if relevant && q.required {
                    return Err(format!("必答题“{}”未作答", q.name));
                }
                continue;
            };
            if q.qtype == QType::Note {
                return Err(format!("“{}”是说明项，不应有答案“{v}”", q.name));
            }
            if !relevant {
                return Err(format!("“{}”按跳题规则不应作答，却有答案“{v}”", q.name));
            }
            let bad_type = match q.qtype {
                QType::SelectOne => (!q.choices.iter().any(|c| c.name == v)).then(|| "不是本题的选项".to_string()),
                QType::SelectMultiple => {
                    let mut seen = Vec::new();
                    v.split_whitespace().find_map(|c| {
                        if !q.choices.iter().any(|x| x.name == c) {
                            Some(format!("中的“{c}”不是本题的选项"))
                        } else if seen.contains(&c) {
                            Some(format!("中的“{c}”重复"))
                        } else {
                            seen.push(c);
                            None
                        }
                    })
                }
                QType::Integer => v.parse::<i64>().is_err().then(|| "不是整数".to_string()),
                QType::Decimal => (!v.parse::<f64>().is_ok_and(f64::is_finite)).then(|| "不是数字".to_string()),
                QType::Date => {
                    NaiveDate::parse_from_str(v, "%Y-%m-%d").is_err().then(|| "不是日期（应为YYYY-MM-DD）".to_string())
                }
                QType::Text | QType::Note => None,
            };
            if let Some(why) = bad_type {
                return Err(format!("“{}”的答案“{v}”{why}", q.name));
            }
            if let Some(c) = &q.constraint
                && !c.holds(&scope)
            {
                let msg = if q.constraint_message.is_empty() {
                    "不符合取值要求"
                } else {
                    q.constraint_message.as_str()
                };
                return Err(format!("“{}”的答案“{v}”{msg}", q.name));
            }
        }
        Ok(())
    }

    /// A one-line summary in Chinese: title, questions by type, groups, choice lists.
    pub fn summary(&self) -> String {
        let mut by_type: Vec<(QType, usize)> = Vec::new();
        for q in self.questions.iter().filter(|q| q.qtype != QType::Note) {
            match by_type.iter_mut().find(|(t, _)| *t == q.qtype) {
                Some((_, n)) => *n += 1,
                None => by_type.push((q.qtype, 1)),
            }
        }
        let types: Vec<String> = by_type.iter().map(|(t, n)| format!("{}{n}", t.label())).collect();
        let mut lists: Vec<&str> =
            self.questions.iter().filter(|q| q.qtype.is_select()).map(|q| q.list.as_str()).collect();
        lists.sort_unstable();
        lists.dedup();
        let answered = self.questions.iter().filter(|q| q.qtype != QType::Note).count();
        format!(
            "表单“{}”（{}{}）检查通过：{}题（{}），必答{}题，{}个分组，{}个选项列表",
            if self.title.is_empty() { "未命名" } else { &self.title },
            if self.form_id.is_empty() { "无form_id" } else { &self.form_id },
            if self.version.is_empty() { String::new() } else { format!("，版本{}", self.version) },
            answered,
            types.join("，"),
            self.questions.iter().filter(|q| q.required).count(),
            self.groups.len(),
            lists.len()
        )
    }
}

fn read_choices(ch: &SheetRows, errors: &mut Vec<FormError>) -> HashMap<String, Vec<Choice>> {
    let err = |row: usize, column: &str, message: String| FormError {
        sheet: CHOICES.to_string(),
        row,
        column: column.to_string(),
        message,
    };
    let (c_list, c_name, c_label, c_fav) = (
        ch.column("list_name").or_else(|| ch.column("list name")),
        ch.column("name"),
        ch.label_column("label"),
        ch.column("favourable"),
    );
    for (need, c) in [("list_name", c_list), ("name", c_name), ("label", c_label)] {
        if c.is_none() {
            errors.push(err(0, need, "缺少此列".into()));
        }
    }
    let mut lists: HashMap<String, Vec<Choice>> = HashMap::new();
    if c_list.is_none() || c_name.is_none() {
        return lists;
    }
    for (r, cells) in &ch.rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let (list, name, label) = (cell(cells, c_list), cell(cells, c_name), cell(cells, c_label));
        if list.is_empty() {
            errors.push(err(*r, "list_name", "选项列表名为空".into()));
            continue;
        }
        if name.is_empty() || name.contains(char::is_whitespace) {
            errors.push(err(*r, "name", format!("选项名“{name}”无效：不能为空或含空格")));
            continue;
        }
        if label.is_empty() {
            errors.push(err(*r, "label", format!("选项“{name}”缺少文字")));
        }
        let favourable = match yes(cell(cells, c_fav)) {
            Some(b) => b,
            None => {
                errors.push(err(*r, "favourable", format!("“{}”应为yes或no", cell(cells, c_fav))));
                false
            }
        };
        let l = lists.entry(list.to_string()).or_default();
        if l.iter().any(|c| c.name == name) {
            errors.push(err(*r, "name", format!("选项列表“{list}”中选项“{name}”重复")));
            continue;
        }
        l.push(Choice { name: name.to_string(), label: label.to_string(), favourable });
    }
    lists
}

/// A form eduq ships as a starting point (the bureau downloads it as xlsx, edits it in Excel and
/// uploads it): key, title, and its sheets as text.
pub struct Template {
    pub key: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

/// The shipped templates: 社会认可度 (every respondent type of 第九条), parent 满意度, and the
/// 双减/五项管理 pupil and parent questionnaires.
pub const TEMPLATES: [Template; 4] = [
    Template {
        key: "recognition", title: "社会认可度调查", text: include_str!("standards/forms/recognition.txt")
    },
    Template {
        key: "parent_satisfaction",
        title: "家长满意度调查",
        text: include_str!("standards/forms/parent_satisfaction.txt"),
    },
    Template {
        key: "wuxiang_pupil",
        title: "五项管理学生问卷",
        text: include_str!("standards/forms/wuxiang_pupil.txt"),
    },
    Template {
        key: "wuxiang_parent",
        title: "五项管理家长问卷",
        text: include_str!("standards/forms/wuxiang_parent.txt"),
    },
];

pub fn template(key: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.key == key)
}

/// A template's sheets: `[sheet]` lines open a sheet, its first line is the header, cells are
/// separated by tabs, `#` lines are comments (the provenance). Row numbers are those the sheet
/// will have in Excel (header = 1).
pub fn template_sheets(text: &str) -> Vec<SheetRows> {
    let mut sheets: Vec<SheetRows> = Vec::new();
    let mut at_header = false;
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sheets.push(SheetRows { name: name.to_string(), ..SheetRows::default() });
            at_header = true;
            continue;
        }
        let Some(sheet) = sheets.last_mut() else { continue };
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<String> = line.split('\t').map(str::to_string).collect();
        if at_header {
            sheet.headers = cells;
            at_header = false;
        } else {
            let row = sheet.rows.len() + 2;
            sheet.rows.push((row, cells));
        }
    }
    sheets
}

/// Counts of the select questions over accepted responses.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub responses: usize,
    pub accepted: usize,
    /// (data row counted from 1, reason).
    pub rejected: Vec<(usize, String)>,
    /// Per select question of the form, in form order: (question index, answered, count per choice).
    pub questions: Vec<(usize, usize, Vec<usize>)>,
}

impl Tally {
    pub fn new(form: &Form) -> Tally {
        Tally {
            responses: 0,
            accepted: 0,
            rejected: Vec::new(),
            questions: form
                .questions
                .iter()
                .enumerate()
                .filter(|(_, q)| q.qtype.is_select())
                .map(|(i, q)| (i, 0, vec![0; q.choices.len()]))
                .collect(),
        }
    }

    /// Adds one response (data row `row`, from 1): counted if it passes [`Form::check`].
    pub fn add(&mut self, form: &Form, row: usize, answers: &[Option<&str>]) {
        self.responses += 1;
        if let Err(reason) = form.check(answers) {
            self.rejected.push((row, reason));
            return;
        }
        self.accepted += 1;
        for (i, answered, counts) in &mut self.questions {
            let Some(v) = answers.get(*i).copied().flatten().map(str::trim).filter(|v| !v.is_empty()) else {
                continue;
            };
            *answered += 1;
            let choices = &form.questions[*i].choices;
            for c in v.split_whitespace() {
                if let Some(k) = choices.iter().position(|x| x.name == c) {
                    counts[k] += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(name: &str, rows: &[&[&str]]) -> SheetRows {
        SheetRows {
            name: name.into(),
            headers: rows[0].iter().map(|s| s.to_string()).collect(),
            rows: rows[1..]
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 2, r.iter().map(|s| s.to_string()).collect()))
                .collect(),
        }
    }

    pub(crate) fn parent_form() -> Vec<SheetRows> {
        vec![
            sheet(
                "survey",
                &[
                    &["type", "name", "label", "required", "relevant", "constraint", "constraint_message"],
                    &["note", "intro", "欢迎参加满意度调查", "", "", "", ""],
                    &["select_one yn", "has_child", "孩子在本校就读吗？", "yes", "", "", ""],
                    &["begin_group", "detail", "详细", "", "${has_child} = 'yes'", "", ""],
                    &["select_one sat", "overall", "总体满意度", "yes", "", "", ""],
                    &["select_multiple topics", "topics", "关心的方面", "", "", "count-selected(.) <= 2", "最多选两项"],
                    &[
                        "integer",
                        "sleep",
                        "孩子每天睡眠小时数",
                        "",
                        "selected(${topics}, 'sleep')",
                        ". >= 0 and . <= 24",
                        "应在0到24之间",
                    ],
                    &["end_group", "", "", "", "", "", ""],
                    &["text", "why", "其他意见", "", "", "", ""],
                ],
            ),
            sheet(
                "choices",
                &[
                    &["list_name", "name", "label", "favourable"],
                    &["yn", "yes", "是", ""],
                    &["yn", "no", "否", ""],
                    &["sat", "s5", "满意", "yes"],
                    &["sat", "s4", "比较满意", "yes"],
                    &["sat", "s3", "一般", ""],
                    &["sat", "s1", "不满意", ""],
                    &["topics", "sleep", "睡眠", ""],
                    &["topics", "phone", "手机", ""],
                    &["topics", "homework", "作业", ""],
                ],
            ),
            sheet("settings", &[&["form_title", "form_id", "version"], &["家长满意度", "parent_sat", "2026"]]),
        ]
    }

    fn ans<'a>(v: &'a [&'a str]) -> Vec<Option<&'a str>> {
        v.iter().map(|s| if s.is_empty() { None } else { Some(*s) }).collect()
    }

    #[test]
    fn a_valid_form_and_its_rules() {
        let f = Form::parse(&parent_form()).expect("valid");
        assert_eq!((f.title.as_str(), f.questions.len(), f.groups.len()), ("家长满意度", 6, 1));
        assert_eq!(f.questions[2].groups, vec![0]);
        assert!(f.summary().contains("5题"), "{}", f.summary());
        // intro, has_child, overall, topics, sleep, why
        assert_eq!(f.check(&ans(&["", "yes", "s5", "sleep phone", "8", "很好"])), Ok(()));
        assert_eq!(f.check(&ans(&["", "no", "", "", "", ""])), Ok(()), "the group is skipped");
        let why = |v: &[&str]| f.check(&ans(v)).unwrap_err();
        assert!(why(&["", "", "", "", "", ""]).contains("必答题“has_child”未作答"));
        assert!(
            why(&["", "no", "s5", "", "", ""]).contains("按跳题规则不应作答"),
            "a group's relevance applies to its members"
        );
        assert!(why(&["", "yes", "", "", "", ""]).contains("必答题“overall”"));
        assert!(why(&["", "yes", "s9", "", "", ""]).contains("不是本题的选项"));
        assert!(why(&["", "yes", "s5", "phone", "8", ""]).contains("“sleep”按跳题规则不应作答"));
        assert!(why(&["", "yes", "s5", "sleep phone homework", "", ""]).contains("最多选两项"));
        assert!(why(&["", "yes", "s5", "sleep", "25", ""]).contains("应在0到24之间"));
        assert!(why(&["", "yes", "s5", "sleep", "7.5", ""]).contains("不是整数"));
        assert!(why(&["", "yes", "s5", "sleep sleep", "", ""]).contains("重复"));
        assert!(why(&["x", "yes", "s5", "", "", ""]).contains("说明项"));
    }

    #[test]
    fn a_changed_answer_drops_what_it_hides() {
        let f = Form::parse(&parent_form()).expect("valid");
        // intro, has_child, overall, topics, sleep, why
        assert_eq!(f.relevance(&ans(&["", "no", "", "", "", ""])), vec![true, true, false, false, false, true]);
        assert_eq!(f.relevance(&ans(&["", "yes", "", "sleep", "", ""])), vec![true; 6]);
        // The parent said yes, answered the group, then changed to no: the group's answers go.
        let kept = f.without_skipped(&ans(&["", "no", "s5", "sleep", "8", "好"]));
        assert_eq!(kept, ans(&["", "no", "", "", "", "好"]));
        assert_eq!(f.check(&kept), Ok(()));
        // Dropping "sleep" from the topics hides the hours.
        let kept = f.without_skipped(&ans(&["", "yes", "s5", "phone", "8"]));
        assert_eq!(kept, ans(&["", "yes", "s5", "phone", "", ""]));
        assert_eq!(f.respondent(), None);
        let r = Form::parse(&template_sheets(template("recognition").expect("shipped").text)).expect("valid");
        assert_eq!(r.respondent(), Some(1));
    }

    #[test]
    fn sheets_survive_json() {
        let sheets = parent_form();
        let text = serde_json::to_string(&sheets).expect("serialise");
        assert_eq!(serde_json::from_str::<Vec<SheetRows>>(&text).expect("parse"), sheets);
    }

    #[test]
    fn every_error_names_sheet_row_and_column() {
        let mut wb = parent_form();
        wb[0].rows[1].1[0] = "select_one nolist".into(); // row 3
        wb[0].rows[3].1[0] = "select_one sat or_other".into(); // row 5
        wb[0].rows[4].1[4] = "${nobody} = 1".into(); // row 6 relevant
        wb[0].rows[5].1[1] = "overall".into(); // row 7 duplicate name
        wb[0].rows[7].1[3] = "maybe".into(); // row 9 required (the text question)
        wb[0].rows.remove(6); // the end_group
        wb[1].rows[3].1[1] = "s5".into(); // choices row 5 duplicate
        let errors: Vec<String> = Form::parse(&wb).unwrap_err().iter().map(ToString::to_string).collect();
        let has = |s: &str| errors.iter().any(|e| e.contains(s));
        assert!(has("survey表第3行“type”列：选项列表“nolist”在choices表中不存在"), "{errors:?}");
        assert!(has("survey表第6行“relevant”列：表达式“${nobody} = 1”有误：没有名为“nobody”的题目"), "{errors:?}");
        assert!(has("survey表第7行“name”列：题目名“overall”与第5行重复"), "{errors:?}");
        assert!(has("survey表第9行“required”列：“maybe”应为yes或no"), "{errors:?}");
        assert!(has("survey表第4行“type”列：分组“detail”缺少end_group"), "{errors:?}");
        assert!(has("survey表第5行“type”列：不支持题型中的“or_other”"), "{errors:?}");
        assert!(has("choices表第5行“name”列：选项列表“sat”中选项“s5”重复"), "{errors:?}");
        assert!(Form::parse(&wb[1..]).unwrap_err()[0].to_string().contains("缺少工作表“survey”"));
    }

    #[test]
    fn shipped_templates_are_valid_forms() {
        for t in &TEMPLATES {
            let f = Form::parse(&template_sheets(t.text)).unwrap_or_else(|e| panic!("{}: {e:?}", t.key));
            assert_eq!((f.form_id.as_str(), f.title.as_str()), (t.key, t.title));
            assert!(
                f.questions.iter().any(|q| q.choices.iter().any(|c| c.favourable)),
                "{}: favourable answers stated",
                t.key
            );
        }
        // 社会认可度: every respondent type of 第九条 can answer.
        let f = Form::parse(&template_sheets(template("recognition").expect("shipped").text)).expect("valid");
        let types: Vec<&str> = f.questions[1].choices.iter().map(|c| c.label.as_str()).collect();
        for who in ["学生", "家长", "教师", "校长", "人大代表", "政协委员", "其他群众"] {
            assert!(types.contains(&who), "{who}");
        }
    }

    #[test]
    fn tally_counts_accepted_responses_only() {
        let f = Form::parse(&parent_form()).expect("valid");
        let mut t = Tally::new(&f);
        t.add(&f, 1, &ans(&["", "yes", "s5", "sleep phone", "8", ""]));
        t.add(&f, 2, &ans(&["", "yes", "s4", "", "", ""]));
        t.add(&f, 3, &ans(&["", "yes", "s9", "", "", ""]));
        t.add(&f, 4, &ans(&["", "no", "", "", "", ""]));
        assert_eq!((t.responses, t.accepted), (4, 3));
        assert_eq!(t.rejected.len(), 1);
        assert_eq!(t.rejected[0].0, 3);
        // has_child, overall, topics
        assert_eq!(t.questions[0], (1, 3, vec![2, 1]));
        assert_eq!(t.questions[1], (2, 2, vec![1, 1, 0, 0]));
        assert_eq!(t.questions[2], (3, 1, vec![1, 1, 0]));
    }
}
