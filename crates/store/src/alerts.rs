//! 控辍保学 alerts raised by the roll, and what class teachers and principals did with them.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::{Actor, Resource};
use serde::Serialize;

use crate::org::scope_filter;
use crate::{Arg, Result, Sql, Store, StoreError, System, Tx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRow {
    pub id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub class_id: i64,
    pub class_name: String,
    pub school_id: i64,
    pub school_name: String,
    pub raised_on: NaiveDate,
    pub reasons: String,
    pub status: String,
    pub handled_by: Option<String>,
    pub case_id: Option<i64>,
}

impl Store {
    async fn read_alerts(&self, actor: &Actor, open_only: bool) -> Result<Vec<AlertRow>> {
        if !actor.role.may_read(Resource::Attendance) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT a.id, a.student_id, st.name, a.class_id, c.name, a.school_id, s.name, a.raised_on, a.reasons, a.status, \
             a.handled_by, a.case_id FROM attendance_alert a JOIN student st ON st.id = a.student_id \
             JOIN class c ON c.id = a.class_id JOIN school s ON s.id = a.school_id WHERE 1=1",
        );
        if open_only {
            q.push(" AND a.status = 'new'");
        }
        scope_filter(&mut q, actor, "a.school_id", Some("a.class_id"), Some("a.student_id"));
        q.push(" ORDER BY a.raised_on DESC, a.id DESC LIMIT 500");
        self.fetch(&q, |r| {
            Ok(AlertRow {
                id: r.i(0)?,
                student_id: r.i(1)?,
                student_name: r.s(2)?,
                class_id: r.i(3)?,
                class_name: r.s(4)?,
                school_id: r.i(5)?,
                school_name: r.s(6)?,
                raised_on: r.d(7)?,
                reasons: r.s(8)?,
                status: r.s(9)?,
                handled_by: r.os(10)?,
                case_id: r.oi(11)?,
            })
        })
        .await
    }

    /// Alerts in scope, newest first; `open_only` keeps those nobody handled yet.
    /// Memoised per reader until the next write.
    pub async fn alerts(&self, actor: &Actor, open_only: bool) -> Result<Vec<AlertRow>> {
        let key = format!("alerts|{}|{open_only}", crate::reader_key(actor));
        self.memoised(&key, self.read_alerts(actor, open_only)).await
    }
}

impl Tx {
    /// New alerts: (school, class, student, reasons).
    pub async fn raise_alerts(
        &mut self,
        district_id: i64,
        term_id: i64,
        on: NaiveDate,
        alerts: &[(i64, i64, i64, String)],
    ) -> Result<()> {
        let rows = alerts
            .iter()
            .map(|(school, class, student, reasons)| {
                vec![
                    Arg::I(district_id),
                    Arg::I(*school),
                    Arg::I(*class),
                    Arg::I(*student),
                    Arg::I(term_id),
                    Arg::D(on),
                    Arg::T(reasons.clone()),
                    Arg::T("new".into()),
                ]
            })
            .collect();
        self.insert_rows(
            "attendance_alert (district_id, school_id, class_id, student_id, term_id, raised_on, reasons, status)",
            "",
            rows,
        )
        .await
    }

    /// Marks an alert handled: seen (with a note) or turned into a case. Scoped: an alert outside
    /// the caller's scope is `NotFound`.
    pub async fn handle_alert(
        &mut self,
        actor: &Actor,
        id: i64,
        status: &str,
        note: &str,
        case_id: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut q = Sql::new("SELECT a.id FROM attendance_alert a WHERE a.status = 'new'");
        q.push_arg(" AND a.id = ?", id);
        scope_filter(&mut q, actor, "a.school_id", Some("a.class_id"), Some("a.student_id"));
        if self.fetch(&q, |r| r.i(0)).await?.is_empty() {
            return Err(StoreError::NotFound);
        }
        self.exec(
            &Sql::new(
                "UPDATE attendance_alert SET status = $1, note = $2, case_id = $3, handled_by = $4, handled_at = $5 WHERE id = $6",
            )
            .bind(status)
            .bind(note)
            .bind(case_id)
            .bind(actor.username.as_str())
            .bind(at)
            .bind(id),
        )
        .await?;
        self.audit(actor, at, "alert_handle", &format!("alert:{id}"), status).await
    }
}

impl System<'_> {
    /// Pupils of a term with an unhandled alert or a case not yet closed: they are not alerted again.
    pub async fn followed_pupils(&self, term_id: i64) -> Result<std::collections::HashSet<i64>> {
        let q = Sql::new(
            "SELECT student_id FROM attendance_alert WHERE term_id = $1 AND status = 'new' \
             UNION SELECT student_id FROM dropout_case WHERE state <> 'closed'",
        )
        .bind(term_id);
        Ok(self.fetch(&q, |r| r.i(0)).await?.into_iter().collect())
    }
}
