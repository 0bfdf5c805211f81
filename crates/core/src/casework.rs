//! The workflow every tracked case shares, whatever it tracks: a 劝返 case of 控辍保学, a 督导
//! problem or a safety hazard to rectify (整改), later a 心理 follow-up. Each has a history of
//! steps, evidence files kept with their SHA-256, deadlines that make it overdue, and a 销号 that
//! a second person confirms. The domain modules decide their own states; these rules are the
//! part they have in common, written once.

use chrono::NaiveDate;
use serde::Serialize;

use crate::CoreError;

crate::labelled_enum! {
    /// What a case tracks: names the table its rows live in and the words of its history.
    Subject, "案件类别" {
        Dropout => "dropout", "控辍保学";
        Problem => "problem", "督导问题";
        Inspection => "inspection", "督导评估";
        Training => "training", "培训学时申报";
        Designation => "designation", "名师认定";
        Research => "research", "课题";
        StudioActivity => "studio_activity", "工作室活动";
        Psych => "psych", "心理跟进";
    }
}

impl Subject {
    /// The table holding this subject's cases (the shared history and evidence tables point
    /// into it by `case_id`). A fixed identifier, never user input.
    pub fn table(self) -> &'static str {
        match self {
            Subject::Dropout => "dropout_case",
            Subject::Problem => "problem",
            Subject::Inspection => "inspection",
            Subject::Training => "training_claim",
            Subject::Designation => "designation",
            Subject::Research => "research_project",
            Subject::StudioActivity => "studio_activity",
            Subject::Psych => "psych_case",
        }
    }

    /// What reading a case of this subject needs.
    pub fn resource(self) -> crate::access::Resource {
        match self {
            Subject::Dropout => crate::access::Resource::Cases,
            Subject::Problem | Subject::Inspection => crate::access::Resource::Supervision,
            Subject::Training | Subject::Designation | Subject::Research | Subject::StudioActivity => {
                crate::access::Resource::Training
            }
            Subject::Psych => crate::access::Resource::Psych,
        }
    }

    /// The word users read for a kind of history event of this subject.
    pub fn event_label(self, kind: &str) -> &'static str {
        match self {
            Subject::Dropout => crate::dropout::event_label(kind),
            Subject::Problem => crate::supervision::event_label(kind),
            Subject::Inspection => crate::inspection::event_label(kind),
            Subject::Training => crate::training::event_label(kind),
            Subject::Designation => crate::designation::event_label(kind),
            Subject::Research => crate::research::event_label(kind),
            Subject::StudioActivity => crate::studio::event_label(kind),
            Subject::Psych => crate::psych_followup::event_label(kind),
        }
    }

    /// The label of an acting party recorded with an event (劝返主体 for 控辍保学).
    pub fn party_label(self, key: &str) -> Option<&'static str> {
        match self {
            Subject::Dropout => crate::dropout::Party::from_key(key).map(|p| p.label()),
            Subject::Psych => crate::psych_followup::ReferralTo::from_key(key).map(|p| p.label()),
            _ => None,
        }
    }
}

/// The two-person rule of 销号: whoever asks for it cannot also confirm it. `requested_by` is
/// `Some` while a request waits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Closing {
    pub requested_by: Option<String>,
}

impl Closing {
    pub fn pending(&self) -> bool {
        self.requested_by.is_some()
    }

    pub fn request(&mut self, by: &str) -> Result<(), CoreError> {
        if self.pending() {
            return Err(CoreError::Invalid("已申请销号，等待确认".into()));
        }
        self.requested_by = Some(by.to_string());
        Ok(())
    }

    /// Confirms (`true`) or sends the request back; a request sent back is cleared.
    pub fn confirm(&mut self, by: &str, approve: bool) -> Result<bool, CoreError> {
        match self.requested_by.as_deref() {
            None => Err(CoreError::Invalid("尚未申请销号".into())),
            Some(who) if who == by => Err(CoreError::Invalid("销号须由申请人以外的另一人确认".into())),
            Some(_) => {
                if !approve {
                    self.requested_by = None;
                }
                Ok(approve)
            }
        }
    }
}

/// A deadline `days` after `from`.
pub fn deadline(from: NaiveDate, days: i64) -> NaiveDate {
    from + chrono::Days::new(days.max(0) as u64)
}

/// Days past the deadline on `today` (0 on the deadline itself and before).
pub fn days_overdue(deadline: NaiveDate, today: NaiveDate) -> i64 {
    (today - deadline).num_days().max(0)
}

/// Evidence files accepted: photos, PDF and office documents, up to this size each.
pub const EVIDENCE_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The content type of an evidence file by its name, or `None` for a type not accepted.
pub fn evidence_type(filename: &str) -> Option<&'static str> {
    let ext = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => return None,
    })
}

/// Checks an evidence upload: returns its file name without any path and its content type.
pub fn check_evidence(filename: &str, size: usize) -> Result<(String, &'static str), CoreError> {
    let name = filename.rsplit(['/', '\\']).next().unwrap_or(filename).trim().to_string();
    let Some(content_type) = evidence_type(&name) else {
        return Err(CoreError::Invalid(format!("文件“{name}”类型不支持：请上传 jpg、png、pdf、doc、docx 或 xlsx")));
    };
    if size == 0 || size > EVIDENCE_MAX_BYTES {
        return Err(CoreError::Invalid(format!("文件“{name}”为空或超过10MB")));
    }
    Ok((name, content_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_needs_a_second_person_and_a_sent_back_request_clears() {
        let mut c = Closing::default();
        assert!(c.confirm("b", true).is_err(), "nothing requested");
        c.request("a").expect("request");
        assert!(c.request("a").is_err(), "one request at a time");
        assert!(c.confirm("a", true).unwrap_err().to_string().contains("另一人"));
        assert!(!c.confirm("b", false).expect("sent back"));
        assert!(!c.pending());
        c.request("a").expect("again");
        assert!(c.confirm("b", true).expect("confirmed"));
    }

    #[test]
    fn deadlines_count_whole_days() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        assert_eq!(deadline(d(9, 1), 30), d(10, 1));
        assert_eq!(days_overdue(d(10, 1), d(10, 1)), 0, "due today is not overdue");
        assert_eq!(days_overdue(d(10, 1), d(10, 2)), 1);
        assert_eq!(days_overdue(d(10, 1), d(9, 2)), 0);
    }

    #[test]
    fn evidence_is_checked_by_type_and_size() {
        assert_eq!(check_evidence("C:\\x\\返校照片.JPG", 3).expect("jpg"), ("返校照片.JPG".into(), "image/jpeg"));
        assert!(check_evidence("run.exe", 3).is_err());
        assert!(check_evidence("a.pdf", 0).is_err());
        assert!(check_evidence("a.pdf", EVIDENCE_MAX_BYTES).is_ok());
        assert!(check_evidence("a.pdf", EVIDENCE_MAX_BYTES + 1).is_err());
        assert_eq!(Subject::Dropout.table(), "dropout_case");
        assert_eq!(Subject::Problem.event_label("review_pass"), "复查通过");
        assert_eq!(Subject::Dropout.party_label("township"), Some("乡镇（街道）"));
    }
}
