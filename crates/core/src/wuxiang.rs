//! 五项管理 (作业, 睡眠, 手机, 读物, 体质) from the termly pupil and parent questionnaires: any form
//! with the questions `grade` and `sleep_hours` (the shipped 五项管理 templates) is tallied; each
//! answer is judged against its grade's line, and shares are summed before dividing.

use serde::Serialize;

use crate::grade::Grade;
use crate::questionnaire::Form;
use crate::standards::homework::{Limit, limit_for};
use crate::standards::schedule::sleep_hours;

/// Where the questions sit in a form; `None` for a form that is not a 五项管理 questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Questions {
    grade: usize,
    sleep: usize,
    homework: Option<usize>,
    phone_in: Option<usize>,
    phone_kept: Option<usize>,
    pe: Option<usize>,
    books: Option<usize>,
}

impl Questions {
    pub fn of(form: &Form) -> Option<Questions> {
        let at = |name: &str| form.questions.iter().position(|q| q.name == name);
        Some(Questions {
            grade: at("grade")?,
            sleep: at("sleep_hours")?,
            homework: at("homework_hours"),
            phone_in: at("phone_to_school"),
            phone_kept: at("phone_kept"),
            pe: at("pe_hours"),
            books: at("books_term"),
        })
    }
}

/// Counts over answers; each share is (meeting the line, answered).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    pub responses: u64,
    pub sleep_ok: u64,
    pub sleep_n: u64,
    pub homework_ok: u64,
    pub homework_n: u64,
    /// Reported written homework, minutes summed (for the mean beside the teachers' estimate).
    pub homework_minutes: f64,
    pub phone_in: u64,
    pub phone_kept: u64,
    pub phone_n: u64,
    pub pe_ok: u64,
    pub pe_n: u64,
    pub books: f64,
    pub books_n: u64,
}

fn share(ok: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| ok as f64 * 100.0 / n as f64)
}

impl Tally {
    /// Adds one response's answers (as stored: one optional text per question).
    pub fn add(&mut self, q: &Questions, answers: &[Option<String>]) {
        let get = |i: Option<usize>| i.and_then(|i| answers.get(i)).and_then(|a| a.as_deref());
        let num = |i: Option<usize>| get(i).and_then(|v| v.trim().parse::<f64>().ok());
        self.responses += 1;
        let grade = num(Some(q.grade)).and_then(|g| Grade::new(g as i8));
        if let (Some(g), Some(h)) = (grade, num(Some(q.sleep)))
            && let Some(line) = sleep_hours(g.stage())
        {
            self.sleep_n += 1;
            self.sleep_ok += u64::from(h >= line);
        }
        if let (Some(g), Some(h)) = (grade, num(q.homework))
            && let Some(limit) = limit_for(g)
        {
            let minutes = h * 60.0;
            self.homework_n += 1;
            self.homework_minutes += minutes;
            self.homework_ok += u64::from(match limit {
                Limit::NoWritten => minutes <= 0.0,
                Limit::Minutes(m) => minutes <= f64::from(m),
            });
        }
        if let Some(v) = get(q.phone_in) {
            self.phone_n += 1;
            if v == "yes" {
                self.phone_in += 1;
                self.phone_kept += u64::from(get(q.phone_kept) == Some("yes"));
            }
        }
        if let Some(v) = get(q.pe) {
            self.pe_n += 1;
            self.pe_ok += u64::from(v != "lt1");
        }
        if let Some(b) = num(q.books) {
            self.books_n += 1;
            self.books += b;
        }
    }

    pub fn merge(&mut self, o: &Tally) {
        self.responses += o.responses;
        self.sleep_ok += o.sleep_ok;
        self.sleep_n += o.sleep_n;
        self.homework_ok += o.homework_ok;
        self.homework_n += o.homework_n;
        self.homework_minutes += o.homework_minutes;
        self.phone_in += o.phone_in;
        self.phone_kept += o.phone_kept;
        self.phone_n += o.phone_n;
        self.pe_ok += o.pe_ok;
        self.pe_n += o.pe_n;
        self.books += o.books;
        self.books_n += o.books_n;
    }

    /// 睡眠达标率: answers at or above the stage's hours.
    pub fn sleep_share(&self) -> Option<f64> {
        share(self.sleep_ok, self.sleep_n)
    }

    /// Reported homework within the grade's limit.
    pub fn homework_share(&self) -> Option<f64> {
        share(self.homework_ok, self.homework_n)
    }

    pub fn homework_mean_minutes(&self) -> Option<f64> {
        (self.homework_n > 0).then(|| self.homework_minutes / self.homework_n as f64)
    }

    /// Pupils who bring a phone into school and do not hand it in.
    pub fn phone_unkept_share(&self) -> Option<f64> {
        share(self.phone_in - self.phone_kept, self.phone_n)
    }

    /// At least an hour of exercise a day.
    pub fn pe_share(&self) -> Option<f64> {
        share(self.pe_ok, self.pe_n)
    }

    pub fn books_mean(&self) -> Option<f64> {
        (self.books_n > 0).then(|| self.books / self.books_n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_of(key: &str) -> Form {
        use crate::questionnaire::{template, template_sheets};
        Form::parse(&template_sheets(template(key).expect("shipped").text)).expect("valid")
    }

    fn form() -> Form {
        form_of("wuxiang_pupil")
    }

    #[test]
    fn each_answer_is_judged_by_its_grade() {
        let f = form();
        let q = Questions::of(&f).expect("a 五项管理 form");
        let answer = |pairs: &[(&str, &str)]| -> Vec<Option<String>> {
            f.questions.iter().map(|x| pairs.iter().find(|(n, _)| *n == x.name).map(|(_, v)| v.to_string())).collect()
        };
        let mut t = Tally::default();
        // Grade 4: 10 h of sleep is the line, 1 h of homework is the line.
        t.add(
            &q,
            &answer(&[
                ("grade", "4"),
                ("sleep_hours", "10"),
                ("homework_hours", "1"),
                ("phone_to_school", "no"),
                ("pe_hours", "h1to2"),
                ("books_term", "3"),
            ]),
        );
        // Grade 8: 8.5 h is short of 9; 1.6 h is over 90 minutes; a phone brought and not handed in.
        t.add(
            &q,
            &answer(&[
                ("grade", "8"),
                ("sleep_hours", "8.5"),
                ("homework_hours", "1.6"),
                ("phone_to_school", "yes"),
                ("phone_kept", "no"),
                ("pe_hours", "lt1"),
                ("books_term", "1"),
            ]),
        );
        // Grade 2: any written homework is over.
        t.add(&q, &answer(&[("grade", "2"), ("sleep_hours", "10.5"), ("homework_hours", "0.2")]));
        assert_eq!((t.sleep_ok, t.sleep_n), (2, 3));
        assert_eq!((t.homework_ok, t.homework_n), (1, 3));
        assert_eq!(t.phone_unkept_share(), Some(50.0));
        assert_eq!(t.pe_share(), Some(50.0));
        assert_eq!(t.books_mean(), Some(2.0));
        let mean = t.homework_mean_minutes().expect("mean");
        assert!((mean - (60.0 + 96.0 + 12.0) / 3.0).abs() < 1e-9, "{mean}");
        assert!(Questions::of(&form_of("recognition")).is_none());
        assert!(Questions::of(&form_of("wuxiang_parent")).is_some(), "the parents' form counts too");
    }
}
