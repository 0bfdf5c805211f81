//! The history and evidence every tracked case keeps, whatever its subject ([`Subject`]): one
//! pair of tables (`case_event`, `case_evidence`) written and read here for 控辍保学 cases and 督导
//! problems alike. A subject's own module reads its case (scoped) first and then its history.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::Actor;
use eduq_core::casework::Subject;
use serde::Serialize;

use std::collections::HashMap;

use crate::org::{id_list, scope_filter};
use crate::{Result, Sql, Store, StoreError, Tx};

/// One step in a case's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseEvent {
    pub kind: String,
    pub label: &'static str,
    pub day: NaiveDate,
    /// Who acted, where the subject records it (劝返主体).
    pub party: Option<&'static str>,
    pub note: String,
    pub username: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceMeta {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub username: String,
    pub at: DateTime<Utc>,
}

const EVIDENCE_COLS: &str = "v.id, v.filename, v.content_type, v.size, v.sha256, v.username, v.at";

/// An evidence file's description read from column `at` on ([`EVIDENCE_COLS`]).
fn evidence_meta(r: &dyn crate::Get, at: usize) -> std::result::Result<EvidenceMeta, sqlx::Error> {
    Ok(EvidenceMeta {
        id: r.i(at)?,
        filename: r.s(at + 1)?,
        content_type: r.s(at + 2)?,
        size: r.i(at + 3)?,
        sha256: r.s(at + 4)?,
        username: r.s(at + 5)?,
        at: r.ts(at + 6)?,
    })
}

/// The word audit entries of a subject start with.
fn audit_prefix(subject: Subject) -> &'static str {
    match subject {
        Subject::Dropout => "case",
        Subject::Problem => "problem",
        Subject::Inspection => "inspection",
        Subject::Training => "training_claim",
        Subject::Designation => "designation",
        Subject::Research => "research",
        Subject::StudioActivity => "studio_activity",
        Subject::Psych => "psych_case",
    }
}

/// The columns a subject's cases are scoped by: (school, class, pupil).
fn scope_columns(subject: Subject) -> (&'static str, Option<&'static str>, Option<&'static str>) {
    match subject {
        Subject::Dropout => ("k.school_id", Some("k.class_id"), Some("k.student_id")),
        _ => ("k.school_id", None, None),
    }
}

/// Scopes a query of a subject's cases (`k`) to the caller.
fn case_filter(q: &mut Sql, actor: &Actor, subject: Subject) {
    match subject {
        Subject::Training | Subject::Designation => return crate::training::training_filter(q, actor),
        Subject::Research => return crate::research::research_filter(q, actor),
        Subject::Psych => return crate::psych_followup::psych_filter(q, actor),
        // 工作室 and their activities are the district's published work, read district-wide.
        Subject::StudioActivity => return,
        _ => {}
    }
    let (school, class, student) = scope_columns(subject);
    scope_filter(q, actor, school, class, student);
}

/// Whether the caller's role reads cases of the subject at all; a 心理档案 is also read by its own
/// team, whatever their role (the subject's filter checks membership).
fn readable(actor: &Actor, subject: Subject) -> bool {
    subject == Subject::Psych || actor.role.may_read(subject.resource())
}

impl Store {
    /// The history and evidence list of a case the caller has already read through its
    /// subject's scoped query.
    pub(crate) async fn case_history(&self, subject: Subject, id: i64) -> Result<(Vec<CaseEvent>, Vec<EvidenceMeta>)> {
        let events = self
            .fetch(
                &Sql::new(
                    "SELECT kind, day, party, note, username, at FROM case_event WHERE subject = $1 AND case_id = $2 \
                     ORDER BY id",
                )
                .bind(subject.key())
                .bind(id),
                |r| {
                    let kind = r.s(0)?;
                    Ok(CaseEvent {
                        label: subject.event_label(&kind),
                        kind,
                        day: r.d(1)?,
                        party: r.os(2)?.as_deref().and_then(|k| subject.party_label(k)),
                        note: r.s(3)?,
                        username: r.s(4)?,
                        at: r.ts(5)?,
                    })
                },
            )
            .await?;
        let evidence = self
            .fetch(
                &Sql::new(format!(
                    "SELECT {EVIDENCE_COLS} FROM case_evidence v WHERE v.subject = $1 AND v.case_id = $2 ORDER BY v.id"
                ))
                .bind(subject.key())
                .bind(id),
                |r| evidence_meta(r, 0),
            )
            .await?;
        Ok((events, evidence))
    }

    /// The evidence lists of several cases of a subject in the caller's scope, by case (one read
    /// for a page that lists many cases with their files).
    pub async fn evidence_lists(
        &self,
        actor: &Actor,
        subject: Subject,
        ids: &[i64],
    ) -> Result<HashMap<i64, Vec<EvidenceMeta>>> {
        if !readable(actor, subject) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!(
            "SELECT v.case_id, {EVIDENCE_COLS} FROM case_evidence v JOIN {} k ON k.id = v.case_id WHERE v.case_id IN ({})",
            subject.table(),
            id_list(ids)
        ));
        q.push_arg(" AND v.subject = ?", subject.key());
        case_filter(&mut q, actor, subject);
        q.push(" ORDER BY v.id");
        let mut out: HashMap<i64, Vec<EvidenceMeta>> = HashMap::new();
        for (case, meta) in self.fetch(&q, |r| Ok((r.i(0)?, evidence_meta(r, 1)?))).await? {
            out.entry(case).or_default().push(meta);
        }
        Ok(out)
    }

    /// The history and evidence list of a case in the caller's scope.
    pub async fn case_record(
        &self,
        actor: &Actor,
        subject: Subject,
        id: i64,
    ) -> Result<(Vec<CaseEvent>, Vec<EvidenceMeta>)> {
        if !readable(actor, subject) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!("SELECT k.id FROM {} k WHERE 1=1", subject.table()));
        q.push_arg(" AND k.id = ?", id);
        case_filter(&mut q, actor, subject);
        self.fetch_opt(&q, |r| r.i(0)).await?.ok_or(StoreError::NotFound)?;
        self.case_history(subject, id).await
    }

    /// An evidence file of a case in the caller's scope (file name, type, bytes); the read is
    /// audited.
    pub async fn evidence_file(
        &self,
        actor: &Actor,
        subject: Subject,
        case_id: i64,
        evidence_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(String, String, Vec<u8>)> {
        if !readable(actor, subject) {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!(
            "SELECT v.filename, v.content_type, v.content FROM case_evidence v JOIN {} k ON k.id = v.case_id WHERE 1=1",
            subject.table()
        ));
        q.push_arg(" AND v.subject = ?", subject.key());
        q.push_arg(" AND v.id = ?", evidence_id);
        q.push_arg(" AND v.case_id = ?", case_id);
        case_filter(&mut q, actor, subject);
        let file = self.fetch_opt(&q, |r| Ok((r.s(0)?, r.s(1)?, r.bytes(2)?))).await?.ok_or(StoreError::NotFound)?;
        let action = format!("{}_evidence_read", audit_prefix(subject));
        self.audit(
            actor,
            at,
            &action,
            &format!("{}:{case_id}", audit_prefix(subject)),
            &format!("evidence:{evidence_id}"),
        )
        .await?;
        Ok(file)
    }
}

impl Tx {
    /// Appends to a case's history (district and school taken from the case) and audits it.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_case_event(
        &mut self,
        actor: &Actor,
        subject: Subject,
        case_id: i64,
        kind: &str,
        day: NaiveDate,
        party: Option<&str>,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.exec(
            &Sql::new(format!(
                "INSERT INTO case_event (subject, case_id, district_id, school_id, kind, day, party, note, username, at) \
                 SELECT $1, id, district_id, school_id, $3, $4, $5, $6, $7, $8 FROM {} WHERE id = $2",
                subject.table()
            ))
            .bind(subject.key())
            .bind(case_id)
            .bind(kind)
            .bind(day)
            .bind(party.map(str::to_string))
            .bind(note)
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await?;
        let p = audit_prefix(subject);
        self.audit(actor, at, &format!("{p}_{kind}"), &format!("{p}:{case_id}"), note).await
    }

    /// Keeps an evidence file with its SHA-256 (checked by the caller) and audits it.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_case_evidence(
        &mut self,
        actor: &Actor,
        subject: Subject,
        case_id: i64,
        filename: &str,
        content_type: &str,
        sha256: &str,
        content: Vec<u8>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let size = content.len() as i64;
        self.exec(
            &Sql::new(format!(
                "INSERT INTO case_evidence (subject, case_id, district_id, school_id, filename, content_type, size, sha256, \
                 content, username, at) SELECT $1, id, district_id, school_id, $3, $4, $5, $6, $7, $8, $9 FROM {} WHERE id = $2",
                subject.table()
            ))
            .bind(subject.key())
            .bind(case_id)
            .bind(filename)
            .bind(content_type)
            .bind(size)
            .bind(sha256)
            .bind(content)
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await?;
        let p = audit_prefix(subject);
        self.audit(
            actor,
            at,
            &format!("{p}_evidence_add"),
            &format!("{p}:{case_id}"),
            &format!("{filename} sha256:{sha256}"),
        )
        .await
    }
}
