//! XLSForm expressions (the subset bureau staff write in `relevant` and `constraint`):
//! `${name}`, `.` (the value being checked), quoted strings, numbers, `= != < <= > >=`, `and`,
//! `or`, `not()`, `selected()`, `count-selected()` and parentheses.
//!
//! Values follow XPath 1.0 as ODK Collect applies it: an unanswered question is the empty string;
//! `=` and `!=` compare as numbers when either side is a number, otherwise as text; `<` and its
//! kin compare dates as dates and everything else as numbers (text that is not a number is NaN,
//! so the comparison is false).

use chrono::{Datelike, NaiveDate};

/// A parsed expression; `${name}` is resolved to the question's index when parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Text(String),
    Var(usize),
    Current,
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(Op, Box<Expr>, Box<Expr>),
    Selected(Box<Expr>, Box<Expr>),
    CountSelected(Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
enum Val<'a> {
    Num(f64),
    Text(&'a str),
    Owned(String),
    Bool(bool),
}

impl Val<'_> {
    fn text(&self) -> String {
        match self {
            Val::Num(n) => plain(*n),
            Val::Text(s) => s.to_string(),
            Val::Owned(s) => s.clone(),
            Val::Bool(b) => b.to_string(),
        }
    }
    fn num(&self) -> f64 {
        match self {
            Val::Num(n) => *n,
            Val::Text(s) => number(s),
            Val::Owned(s) => number(s),
            Val::Bool(b) => f64::from(u8::from(*b)),
        }
    }
    fn truth(&self) -> bool {
        match self {
            Val::Num(n) => *n != 0.0 && !n.is_nan(),
            Val::Text(s) => !s.is_empty(),
            Val::Owned(s) => !s.is_empty(),
            Val::Bool(b) => *b,
        }
    }
    fn date(&self) -> Option<NaiveDate> {
        match self {
            Val::Text(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
            Val::Owned(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
            _ => None,
        }
    }
}

/// A number as XPath's string() writes it: integers without a decimal point.
fn plain(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() }
}

fn number(s: &str) -> f64 {
    let t = s.trim();
    if t.is_empty() { f64::NAN } else { t.parse().unwrap_or(f64::NAN) }
}

/// Where an expression reads its values: the answers of one response by question index (`None`
/// when unanswered) and the value being checked for `.`.
pub struct Scope<'a> {
    pub answers: &'a [Option<&'a str>],
    pub current: Option<&'a str>,
}

impl Expr {
    /// The expression's truth for one response.
    pub fn holds(&self, scope: &Scope) -> bool {
        self.eval(scope).truth()
    }

    fn eval<'a>(&self, scope: &Scope<'a>) -> Val<'a> {
        match self {
            Expr::Num(n) => Val::Num(*n),
            Expr::Text(s) => Val::Owned(s.clone()),
            Expr::Var(i) => Val::Text(scope.answers.get(*i).copied().flatten().unwrap_or("")),
            Expr::Current => Val::Text(scope.current.unwrap_or("")),
            Expr::Not(e) => Val::Bool(!e.eval(scope).truth()),
            Expr::And(a, b) => Val::Bool(a.eval(scope).truth() && b.eval(scope).truth()),
            Expr::Or(a, b) => Val::Bool(a.eval(scope).truth() || b.eval(scope).truth()),
            Expr::Cmp(op, a, b) => Val::Bool(compare(*op, &a.eval(scope), &b.eval(scope))),
            Expr::Selected(list, choice) => {
                let (list, choice) = (list.eval(scope).text(), choice.eval(scope).text());
                let choice = choice.trim();
                Val::Bool(list.split_whitespace().any(|c| c == choice))
            }
            Expr::CountSelected(list) => Val::Num(list.eval(scope).text().split_whitespace().count() as f64),
        }
    }
}

fn compare(op: Op, a: &Val, b: &Val) -> bool {
    let numeric = |a: f64, b: f64| match op {
        Op::Eq => a == b,
        Op::Ne => a != b,
        Op::Lt => a < b,
        Op::Le => a <= b,
        Op::Gt => a > b,
        Op::Ge => a >= b,
    };
    match op {
        Op::Eq | Op::Ne => {
            if matches!(a, Val::Bool(_)) || matches!(b, Val::Bool(_)) {
                let same = a.truth() == b.truth();
                return if op == Op::Eq { same } else { !same };
            }
            if matches!(a, Val::Num(_)) || matches!(b, Val::Num(_)) {
                return numeric(a.num(), b.num());
            }
            let same = a.text() == b.text();
            if op == Op::Eq { same } else { !same }
        }
        _ => match (a.date(), b.date()) {
            (Some(x), Some(y)) => numeric(x.num_days_from_ce() as f64, y.num_days_from_ce() as f64),
            _ => numeric(a.num(), b.num()),
        },
    }
}

/// Why an expression does not parse, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError(pub String);

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Text(String),
    Var(String),
    Dot,
    Op(Op),
    Word(String),
    Open,
    Close,
    Comma,
}

fn tokens(src: &str) -> Result<Vec<Tok>, ExprError> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        match ch {
            _ if ch.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '$' => {
                if c.get(i + 1) != Some(&'{') {
                    return Err(ExprError("“$”后应为“{题目名}”".into()));
                }
                let end = c[i..]
                    .iter()
                    .position(|&x| x == '}')
                    .map(|p| i + p)
                    .ok_or_else(|| ExprError("“${”缺少“}”".into()))?;
                let name: String = c[i + 2..end].iter().collect();
                if name.trim().is_empty() {
                    return Err(ExprError("“${}”中缺少题目名".into()));
                }
                out.push(Tok::Var(name.trim().to_string()));
                i = end + 1;
            }
            '\'' | '"' => {
                let end = c[i + 1..]
                    .iter()
                    .position(|&x| x == ch)
                    .map(|p| i + 1 + p)
                    .ok_or_else(|| ExprError(format!("引号{ch}没有闭合")))?;
                out.push(Tok::Text(c[i + 1..end].iter().collect()));
                i = end + 1;
            }
            '=' => {
                out.push(Tok::Op(Op::Eq));
                i += 1;
            }
            '!' if c.get(i + 1) == Some(&'=') => {
                out.push(Tok::Op(Op::Ne));
                i += 2;
            }
            '<' | '>' => {
                let eq = c.get(i + 1) == Some(&'=');
                out.push(Tok::Op(match (ch, eq) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    _ => Op::Ge,
                }));
                i += 1 + usize::from(eq);
            }
            '.' if !c.get(i + 1).is_some_and(char::is_ascii_digit) => {
                out.push(Tok::Dot);
                i += 1;
            }
            _ if ch.is_ascii_digit()
                || ch == '.'
                || (ch == '-' && c.get(i + 1).is_some_and(|d| d.is_ascii_digit() || *d == '.')) =>
            {
                let start = i;
                i += 1;
                while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.') {
                    i += 1;
                }
                let s: String = c[start..i].iter().collect();
                out.push(Tok::Num(s.parse().map_err(|_| ExprError(format!("“{s}”不是数字")))?));
            }
            _ if ch.is_ascii_alphabetic() => {
                let start = i;
                while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '-' || c[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Word(c[start..i].iter().collect()));
            }
            _ => return Err(ExprError(format!("无法识别的字符“{ch}”"))),
        }
    }
    Ok(out)
}

/// Parses `src`, resolving each `${name}` with `lookup` (the question's index, or `None` when no
/// question has that name).
pub fn parse(src: &str, lookup: &dyn Fn(&str) -> Option<usize>) -> Result<Expr, ExprError> {
    let toks = tokens(src)?;
    if toks.is_empty() {
        return Err(ExprError("表达式为空".into()));
    }
    let mut p = Parser { toks, at: 0, lookup };
    let e = p.or()?;
    match p.toks.get(p.at) {
        None => Ok(e),
        Some(t) => Err(ExprError(format!("表达式在{}处多出内容", describe(t)))),
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("“{n}”"),
        Tok::Text(s) => format!("“'{s}'”"),
        Tok::Var(v) => format!("“${{{v}}}”"),
        Tok::Dot => "“.”".into(),
        Tok::Op(_) => "比较符".into(),
        Tok::Word(w) => format!("“{w}”"),
        Tok::Open => "“(”".into(),
        Tok::Close => "“)”".into(),
        Tok::Comma => "“,”".into(),
    }
}

struct Parser<'a> {
    toks: Vec<Tok>,
    at: usize,
    lookup: &'a dyn Fn(&str) -> Option<usize>,
}

impl Parser<'_> {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.at), Some(Tok::Word(x)) if x == w)
    }
    fn expect(&mut self, t: Tok, what: &str) -> Result<(), ExprError> {
        if self.toks.get(self.at) == Some(&t) {
            self.at += 1;
            Ok(())
        } else {
            Err(ExprError(format!("此处应为{what}")))
        }
    }
    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut e = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }
    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut e = self.cmp()?;
        while self.peek_word("and") {
            self.at += 1;
            e = Expr::And(Box::new(e), Box::new(self.cmp()?));
        }
        Ok(e)
    }
    fn cmp(&mut self) -> Result<Expr, ExprError> {
        let a = self.atom()?;
        if let Some(Tok::Op(op)) = self.toks.get(self.at).cloned() {
            self.at += 1;
            let b = self.atom()?;
            return Ok(Expr::Cmp(op, Box::new(a), Box::new(b)));
        }
        Ok(a)
    }
    fn args(&mut self, n: usize, name: &str) -> Result<Vec<Expr>, ExprError> {
        self.expect(Tok::Open, &format!("“{name}(”"))?;
        let mut out = vec![self.or()?];
        while self.toks.get(self.at) == Some(&Tok::Comma) {
            self.at += 1;
            out.push(self.or()?);
        }
        self.expect(Tok::Close, "“)”")?;
        if out.len() != n {
            return Err(ExprError(format!("{name}()需要{n}个参数，实有{}个", out.len())));
        }
        Ok(out)
    }
    fn atom(&mut self) -> Result<Expr, ExprError> {
        let t = self.toks.get(self.at).cloned().ok_or_else(|| ExprError("表达式不完整".into()))?;
        self.at += 1;
        Ok(match t {
            Tok::Num(n) => Expr::Num(n),
            Tok::Text(s) => Expr::Text(s),
            Tok::Dot => Expr::Current,
            Tok::Var(v) => Expr::Var((self.lookup)(&v).ok_or_else(|| ExprError(format!("没有名为“{v}”的题目")))?),
            Tok::Open => {
                let e = self.or()?;
                self.expect(Tok::Close, "“)”")?;
                e
            }
            Tok::Word(w) => match w.as_str() {
                "not" => Expr::Not(Box::new(self.args(1, "not")?.remove(0))),
                "selected" => {
                    let mut a = self.args(2, "selected")?;
                    let choice = a.pop().expect("two arguments");
                    Expr::Selected(Box::new(a.pop().expect("two arguments")), Box::new(choice))
                }
                "count-selected" => Expr::CountSelected(Box::new(self.args(1, "count-selected")?.remove(0))),
                "true" | "false" if self.toks.get(self.at) == Some(&Tok::Open) => {
                    self.expect(Tok::Open, "“(”")?;
                    self.expect(Tok::Close, "“)”")?;
                    Expr::Num(if w == "true" { 1.0 } else { 0.0 })
                }
                _ => return Err(ExprError(format!("不支持的函数或词“{w}”"))),
            },
            other => return Err(ExprError(format!("表达式在{}处不完整", describe(&other)))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &str) -> Option<usize> {
        ["age", "likes", "grade", "day"].iter().position(|x| *x == n)
    }

    fn holds(src: &str, answers: &[Option<&str>], current: Option<&str>) -> bool {
        parse(src, &names).expect(src).holds(&Scope { answers, current })
    }

    #[test]
    fn comparisons_follow_xpath() {
        let a = [Some("12"), Some("a c"), Some("3"), Some("2026-09-01")];
        assert!(holds("${age} > 10 and ${age} <= 12", &a, None));
        assert!(holds("${age} = 12.0", &a, None), "numeric when one side is a number");
        assert!(!holds("${age} = '12.0'", &a, None), "text when both are text");
        assert!(holds("${grade} != 4 or ${age} < 0", &a, None));
        assert!(holds("${day} >= '2026-08-31'", &a, None), "dates compare as dates");
        assert!(holds("not(${age} < 10)", &a, None));
        assert!(holds("(${age} > 100 or ${grade} = 3) and not(${grade} = 4)", &a, None));
        // An unanswered question is the empty string: equal to '', not a number.
        let empty = [None, None, None, None];
        assert!(holds("${age} = ''", &empty, None));
        assert!(!holds("${age} > 0", &empty, None));
        assert!(!holds("${age} < 0", &empty, None));
        assert!(holds("${age} != 3", &empty, None));
    }

    #[test]
    fn selections_and_the_current_value() {
        let a = [None, Some("a c"), None, None];
        assert!(holds("selected(${likes}, 'c')", &a, None));
        assert!(!holds("selected(${likes}, \"b\")", &a, None));
        assert!(holds("count-selected(${likes}) = 2", &a, None));
        assert!(holds(". >= 0 and . <= 24", &a, Some("7.5")));
        assert!(!holds(". >= 0 and . <= 24", &a, Some("25")));
        assert!(holds("true()", &a, None));
        assert!(holds(".>-1", &a, Some("0")));
    }

    #[test]
    fn bad_expressions_are_named() {
        let err = |s: &str| parse(s, &names).unwrap_err().0;
        assert!(err("${nope} = 1").contains("没有名为“nope”的题目"));
        assert!(err("${age} = ").contains("不完整"));
        assert!(err("selected(${likes})").contains("需要2个参数"));
        assert!(err("${age} = 'x").contains("没有闭合"));
        assert!(err("(${age} = 1").contains("“)”"));
        assert!(err("${age} # 1").contains("无法识别"));
        assert!(err("max(${age})").contains("不支持"));
        assert!(err("${age} 1").contains("多出"));
    }
}
