//! Form fields as users type them: dates, and teachers of this term named by 工号 (one, or a list
//! separated by 、 , ， or spaces), each refused with a message naming the field and the value.

use std::collections::HashMap;

use chrono::NaiveDate;
use eduq_core::access::Actor;
use eduq_store::Store;
use eduq_store::training::StaffMember;

use crate::AppError;

/// A date field as typed, or a message naming it.
pub(crate) fn date_field(label: &str, raw: &str) -> Result<NaiveDate, AppError> {
    eduq_core::calendar::parse_date(raw.trim()).ok_or_else(|| AppError::Invalid(format!("{label}“{raw}”不是有效日期")))
}

/// A day of the term containing `today`, not after it: records of `what` are kept for this term.
pub(crate) fn term_day(raw: &str, today: NaiveDate, what: &str) -> Result<NaiveDate, AppError> {
    let day = date_field("日期", raw)?;
    if day > today {
        return Err(AppError::Invalid(format!("日期{day}晚于今天")));
    }
    if eduq_core::calendar::Term::containing(day) != eduq_core::calendar::Term::containing(today) {
        return Err(AppError::Invalid(format!("日期{day}不在本学期，只能登记本学期的{what}")));
    }
    Ok(day)
}

/// The teachers of the term containing `today` in the caller's scope, by 工号.
pub(crate) struct TermStaff(HashMap<String, StaffMember>);

impl TermStaff {
    pub(crate) async fn of(store: &Store, actor: &Actor, today: NaiveDate) -> Result<TermStaff, AppError> {
        let term_id = crate::training::current_term(store, today).await?;
        Ok(TermStaff(store.staff(actor, term_id).await?.into_iter().map(|s| (s.staff_no.clone(), s)).collect()))
    }

    /// The teacher a field names.
    pub(crate) fn one(&self, what: &str, raw: &str) -> Result<&StaffMember, AppError> {
        match raw.trim() {
            "" => Err(AppError::Invalid(format!("{what}必填"))),
            no => self.0.get(no).ok_or_else(|| AppError::Invalid(format!("{what}“{no}”不是本学期在岗的教师"))),
        }
    }

    /// The teachers a list names, in its order; every 工号 not on the staff is named at once.
    pub(crate) fn many(&self, what: &str, raw: &str) -> Result<Vec<&StaffMember>, AppError> {
        let (mut found, mut unknown) = (vec![], vec![]);
        for no in raw.split(['、', ',', '，', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
            match self.0.get(no) {
                Some(s) => found.push(s),
                None => unknown.push(no),
            }
        }
        if !unknown.is_empty() {
            return Err(AppError::Invalid(format!("{what}“{}”不是本学期在岗的教师", unknown.join("、"))));
        }
        Ok(found)
    }
}
