//! 心理档案: the follow-up file of a pupil who needs help, a subject of the shared case workflow
//! ([`crate::casework`]): 约谈 records, contacts with parents, referral (转介) to a hospital or the
//! district's expert group, a follow-up plan and its reviews, and a closing that a second person
//! confirms.

crate::labelled_enum! {
    /// Where a file stands.
    FileState, "档案状态" {
        Open => "open", "跟进中";
        Referred => "referred", "已转介";
        Closed => "closed", "已结案";
    }
}

crate::labelled_enum! {
    /// A step recorded in a file's history.
    Step, "跟进记录类型" {
        Interview => "interview", "约谈";
        ParentContact => "parent_contact", "家长联系";
        Referral => "referral", "转介";
        Plan => "plan", "跟进计划";
        Review => "review", "复评/回访";
    }
}

crate::labelled_enum! {
    /// Where a pupil is referred to (recorded as the referral event's party).
    ReferralTo, "转介去向" {
        Hospital => "hospital", "医院（精神/心理专科）";
        ExpertGroup => "expert_group", "区心理援助专家组";
    }
}

/// The word users read for a history event of a file.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "opened" => "建档",
        "alert_acted" => "预警已处理",
        "member_add" => "加入跟进小组",
        "close_request" => "申请结案",
        "close_confirm" => "确认结案",
        "close_return" => "退回结案申请",
        other => Step::from_key(other).map_or("记录", |s| s.label()),
    }
}

/// The state after a step: a referral marks the file referred; nothing reopens a closed file.
pub fn after(state: FileState, step: Step) -> Result<FileState, crate::CoreError> {
    match (state, step) {
        (FileState::Closed, _) => Err(crate::CoreError::Invalid("档案已结案，不能再添加记录".into())),
        (_, Step::Referral) => Ok(FileState::Referred),
        (s, _) => Ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_move_the_file_and_a_closed_file_takes_none() {
        assert_eq!(after(FileState::Open, Step::Interview), Ok(FileState::Open));
        assert_eq!(after(FileState::Open, Step::Referral), Ok(FileState::Referred));
        assert_eq!(after(FileState::Referred, Step::Review), Ok(FileState::Referred));
        assert!(after(FileState::Closed, Step::Review).is_err());
        assert_eq!(event_label("parent_contact"), "家长联系");
        assert_eq!(event_label("close_confirm"), "确认结案");
        assert_eq!(ReferralTo::parse("区心理援助专家组"), Ok(ReferralTo::ExpertGroup));
    }
}
