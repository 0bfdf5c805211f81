//! SQL text with typed arguments, bound the same way on both backends.

use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    I(i64),
    OI(Option<i64>),
    T(String),
    OT(Option<String>),
    F(f64),
    OF(Option<f64>),
    B(bool),
    D(NaiveDate),
    OD(Option<NaiveDate>),
    Ts(DateTime<Utc>),
    OTs(Option<DateTime<Utc>>),
    Bytes(Vec<u8>),
}

macro_rules! arg_from {
    ($($t:ty => $v:ident),*) => { $(impl From<$t> for Arg { fn from(x: $t) -> Arg { Arg::$v(x) } })* };
}
arg_from!(i64 => I, Option<i64> => OI, String => T, Option<String> => OT, f64 => F, Option<f64> => OF, bool => B,
    NaiveDate => D, Option<NaiveDate> => OD, DateTime<Utc> => Ts, Option<DateTime<Utc>> => OTs, Vec<u8> => Bytes);
impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::T(s.to_string())
    }
}

/// A statement under construction. `arg` appends a value and returns its placeholder.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Sql {
        Sql { text: text.into(), args: Vec::new() }
    }
    /// Adds a value, returns "$n".
    pub fn arg(&mut self, a: impl Into<Arg>) -> String {
        self.args.push(a.into());
        format!("${}", self.args.len())
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    /// Appends `s` with `?` replaced by the placeholder of `a`.
    pub fn push_arg(&mut self, s: &str, a: impl Into<Arg>) -> &mut Self {
        let p = self.arg(a);
        self.text.push_str(&s.replacen('?', &p, 1));
        self
    }
    /// Builder form: `Sql::new("... WHERE id = $1").bind(7)`.
    pub fn bind(mut self, a: impl Into<Arg>) -> Sql {
        self.args.push(a.into());
        self
    }
}

/// Which placeholders a connection is given. Statements are written with `$1, $2, …`; SQLite
/// looks each numbered parameter up by name in a list, both when it prepares a statement and when
/// sqlx binds it, which is quadratic in their number: a batch insert of 300 rows × 17 columns spent
/// most of its time in `strncmp` there. A statement whose placeholders run `$1 … $n` in order,
/// each once, is given to SQLite with anonymous `?` instead, which binds in order at no cost.
pub(crate) trait Dialect {
    const POSITIONAL: bool;
}
impl Dialect for sqlx::SqlitePool {
    const POSITIONAL: bool = true;
}
impl Dialect for sqlx::PgPool {
    const POSITIONAL: bool = false;
}
impl Dialect for sqlx::SqliteConnection {
    const POSITIONAL: bool = true;
}
impl Dialect for sqlx::PgConnection {
    const POSITIONAL: bool = false;
}

/// The statement's text for a connection of dialect `D`.
pub(crate) fn text_for<D: Dialect + ?Sized>(_: &D, sql: &Sql) -> String {
    if D::POSITIONAL { positional(&sql.text).unwrap_or_else(|| sql.text.clone()) } else { sql.text.clone() }
}

/// `text` with `$1 … $n` replaced by `?` when they appear in that order, each once, outside
/// quoted strings and identifiers; `None` otherwise (or with no placeholder).
pub(crate) fn positional(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied, mut next) = (0, 0, 1usize);
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                i += 1;
            }
            None if c == b'\'' || c == b'"' => {
                quote = Some(c);
                i += 1;
            }
            None if c == b'$' && b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let start = i + 1;
                let mut end = start;
                while end < b.len() && b[end].is_ascii_digit() {
                    end += 1;
                }
                if text[start..end].parse::<usize>().ok()? != next {
                    return None;
                }
                next += 1;
                out.push_str(&text[copied..i]);
                out.push('?');
                copied = end;
                i = end;
            }
            None => i += 1,
        }
    }
    if next == 1 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

macro_rules! bind {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args.iter() {
            q = match a {
                $crate::Arg::I(v) => q.bind(*v),
                $crate::Arg::OI(v) => q.bind(*v),
                $crate::Arg::T(v) => q.bind(v.clone()),
                $crate::Arg::OT(v) => q.bind(v.clone()),
                $crate::Arg::F(v) => q.bind(*v),
                $crate::Arg::OF(v) => q.bind(*v),
                $crate::Arg::B(v) => q.bind(*v),
                $crate::Arg::D(v) => q.bind(*v),
                $crate::Arg::OD(v) => q.bind(*v),
                $crate::Arg::Ts(v) => q.bind(*v),
                $crate::Arg::OTs(v) => q.bind(*v),
                $crate::Arg::Bytes(v) => q.bind(v.clone()),
            };
        }
        q
    }};
}
pub(crate) use bind;

type R<T> = Result<T, sqlx::Error>;

/// Column access that reads the same on both backends (by index or name).
pub trait Get {
    fn i(&self, c: usize) -> R<i64>;
    fn oi(&self, c: usize) -> R<Option<i64>>;
    fn s(&self, c: usize) -> R<String>;
    fn os(&self, c: usize) -> R<Option<String>>;
    fn f(&self, c: usize) -> R<f64>;
    fn of(&self, c: usize) -> R<Option<f64>>;
    fn b(&self, c: usize) -> R<bool>;
    fn d(&self, c: usize) -> R<NaiveDate>;
    fn od(&self, c: usize) -> R<Option<NaiveDate>>;
    fn ts(&self, c: usize) -> R<DateTime<Utc>>;
    fn ots(&self, c: usize) -> R<Option<DateTime<Utc>>>;
    fn bytes(&self, c: usize) -> R<Vec<u8>>;
}

macro_rules! impl_get {
    ($row:ty) => {
        impl Get for $row {
            fn i(&self, c: usize) -> R<i64> {
                sqlx::Row::try_get(self, c)
            }
            fn oi(&self, c: usize) -> R<Option<i64>> {
                sqlx::Row::try_get(self, c)
            }
            fn s(&self, c: usize) -> R<String> {
                sqlx::Row::try_get(self, c)
            }
            fn os(&self, c: usize) -> R<Option<String>> {
                sqlx::Row::try_get(self, c)
            }
            fn f(&self, c: usize) -> R<f64> {
                sqlx::Row::try_get(self, c)
            }
            fn of(&self, c: usize) -> R<Option<f64>> {
                sqlx::Row::try_get(self, c)
            }
            fn b(&self, c: usize) -> R<bool> {
                sqlx::Row::try_get(self, c)
            }
            fn d(&self, c: usize) -> R<NaiveDate> {
                sqlx::Row::try_get(self, c)
            }
            fn od(&self, c: usize) -> R<Option<NaiveDate>> {
                sqlx::Row::try_get(self, c)
            }
            fn ts(&self, c: usize) -> R<DateTime<Utc>> {
                sqlx::Row::try_get(self, c)
            }
            fn ots(&self, c: usize) -> R<Option<DateTime<Utc>>> {
                sqlx::Row::try_get(self, c)
            }
            fn bytes(&self, c: usize) -> R<Vec<u8>> {
                sqlx::Row::try_get(self, c)
            }
        }
    };
}
impl_get!(sqlx::sqlite::SqliteRow);
impl_get!(sqlx::postgres::PgRow);

/// The on-roll statuses as an SQL list: what [`eduq_core::student::EnrolmentStatus::is_on_roll`]
/// counts as 在校生, written once for every query (a test holds the two equal).
pub(crate) const ON_ROLL: &str = "('enrolled','transfer_in','resumed')";

/// The roll-call statuses that count as absent for the day ([`eduq_core::attendance::Status::is_absent`]).
pub(crate) const ABSENT: &str = "('sick','personal','truant','other')";

#[cfg(test)]
mod on_roll_tests {
    use eduq_core::attendance::Status;
    use eduq_core::student::EnrolmentStatus;

    #[test]
    fn the_absent_list_is_the_core_rule() {
        let keys: Vec<String> =
            Status::ALL.iter().filter(|s| s.is_absent()).map(|s| format!("'{}'", s.key())).collect();
        assert_eq!(super::ABSENT, format!("({})", keys.join(",")));
    }

    #[test]
    fn the_sql_list_is_the_core_rule() {
        let keys: Vec<String> =
            EnrolmentStatus::ALL.iter().filter(|s| s.is_on_roll()).map(|s| format!("'{}'", s.key())).collect();
        assert_eq!(super::ON_ROLL, format!("({})", keys.join(",")));
    }
}

#[cfg(test)]
mod positional_tests {
    use super::positional;

    #[test]
    fn in_order_placeholders_become_anonymous_and_others_stay() {
        assert_eq!(
            positional("INSERT INTO t VALUES ($1, $2), ($3, $4)").as_deref(),
            Some("INSERT INTO t VALUES (?, ?), (?, ?)")
        );
        assert_eq!(
            positional("SELECT '$1', \"$9\" FROM t WHERE a = $1 AND b = $2").as_deref(),
            Some("SELECT '$1', \"$9\" FROM t WHERE a = ? AND b = ?")
        );
        assert_eq!(positional("SELECT 1 WHERE a = $1 OR b = $1"), None, "reused");
        assert_eq!(positional("SELECT 1 WHERE a = $2 AND b = $1"), None, "out of order");
        assert_eq!(positional("SELECT 1"), None);
        assert_eq!(positional("SELECT $10").as_deref(), None, "starts past 1");
        assert_eq!(positional("SELECT 'it''s' || $1").as_deref(), Some("SELECT 'it''s' || ?"));
    }
}
