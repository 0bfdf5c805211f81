//! Roles, scopes and the pure decisions about who may see and do what.
//!
//! The store applies these decisions in every query; the web layer only asks them whether to
//! show a button.

use serde::{Deserialize, Serialize};

crate::labelled_enum!(
    Role, "角色" {
        Admin => "admin", "系统管理员";
        Leader => "leader", "局领导";
        Staff => "staff", "科室/督导/研训员";
        Inspector => "inspector", "督学";
        SchoolAdmin => "school_admin", "校长/学校管理员";
        HeadTeacher => "head_teacher", "班主任";
        Teacher => "teacher", "任课教师";
        Parent => "parent", "家长";
        PsychTeacher => "psych_teacher", "心理教师";
        PsychStaff => "psych_staff", "心理教研员";
    }
);

/// The part of the org tree a caller may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// The whole district.
    District,
    /// One school.
    School(i64),
    /// Some classes (of one school).
    Classes { school_id: i64, class_ids: Vec<i64> },
    /// Some students only (a parent's children).
    Students(Vec<i64>),
    /// Some schools: an inspector's (督学) 责任区.
    Schools(Vec<i64>),
}

impl Scope {
    pub fn covers_school(&self, school_id: i64) -> bool {
        match self {
            Scope::District => true,
            Scope::School(id) | Scope::Classes { school_id: id, .. } => *id == school_id,
            Scope::Students(_) => false,
            Scope::Schools(ids) => ids.contains(&school_id),
        }
    }

    /// Whether a class lies in the scope (a parent's scope holds pupils, never whole classes).
    pub fn covers_class(&self, school_id: i64, class_id: i64) -> bool {
        match self {
            Scope::Classes { school_id: id, class_ids } => *id == school_id && class_ids.contains(&class_id),
            other => other.covers_school(school_id),
        }
    }
}

/// What an action touches, for write permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Schools,
    Students,
    Teachers,
    Classes,
    Conditions,
    Users,
    Audit,
    /// Daily roll calls and the early-warning list of 控辍保学.
    Attendance,
    /// 控辍保学 cases (台账): who left, every 劝返 attempt, evidence. Sensitive; reads are audited.
    Cases,
    /// The counts of 控辍保学 cases (by state, step, age) and the ledger without whose cases they
    /// are: the bureau's leaders follow them without reading case files.
    CaseFigures,
    /// Admission lotteries (电脑随机派位): run by the bureau; applicants' names are private.
    Admissions,
    /// Exams, their papers and scores (学业质量监测). Scores are read within scope; never by parents
    /// through this resource.
    Exams,
    /// 督导: problems to rectify (问题清单), safety hazards, inspections. The bureau and its
    /// inspectors raise and review them; a school answers its own.
    Supervision,
    /// 教师培训学时: the ledger and teachers' own entries with their certificates. A teacher reads
    /// and enters their own (the store filters by the account's teacher record).
    Training,
    /// 心理健康: individual screening answers and results and the follow-up files (心理档案).
    /// Sensitive personal information of minors: only the 心理教师 of the pupil's school and the
    /// district's 心理教研员 read them (and a file's own follow-up team, which the store checks);
    /// not the system administrator, not the principal. Every read is audited.
    Psych,
    /// 心理健康 aggregates: coverage, bands by grade and sex (small cells suppressed), follow-up
    /// timeliness. No row names a pupil.
    PsychFigures,
    /// 双减 records: homework logs (a class's homework per day and subject, no pupil named) and
    /// the weekly timetables checked for 开齐开足 (a school's administrators upload them as class
    /// records, [`Resource::Classes`]). Whoever teaches
    /// at a school logs for any class of it (a subject teacher teaches beyond the own class); the
    /// school's staff, the bureau and its inspectors (专项督导) read them; parents read the weekly
    /// 公示 of their children's classes only (the store resolves them).
    Homework,
}

impl Role {
    /// Roles that may read the special-group flags (残疾, 低保, 留守, 随迁, 单亲): the people
    /// who organise support for those pupils. Each read is audited.
    pub fn reads_special_groups(self) -> bool {
        matches!(self, Role::Admin | Role::Staff | Role::SchoolAdmin | Role::HeadTeacher)
    }

    /// Roles that read full 身份证号 and 全国学籍号 (a G 学籍号 is the pupil's 身份证号): the people
    /// who keep 学籍, the school's administrators and the bureau's staff. Everyone else sees both
    /// masked (first 6 and last 4 digits), in pages, exports and the API; every export of full
    /// numbers is audited.
    pub fn reads_full_identity(self) -> bool {
        matches!(self, Role::Admin | Role::Staff | Role::SchoolAdmin)
    }

    pub fn may_write(self, r: Resource) -> bool {
        match self {
            // The system administrator keeps accounts, not pupils' psychological records.
            Role::Admin => r != Resource::Psych,
            Role::Staff => {
                matches!(
                    r,
                    Resource::Schools
                        | Resource::Conditions
                        | Resource::Cases
                        | Resource::Admissions
                        | Resource::Exams
                        | Resource::Supervision
                        | Resource::Training
                )
            }
            Role::Inspector => r == Resource::Supervision,
            Role::SchoolAdmin => matches!(
                r,
                Resource::Students
                    | Resource::Teachers
                    | Resource::Classes
                    | Resource::Conditions
                    | Resource::Attendance
                    | Resource::Cases
                    | Resource::Exams
                    | Resource::Supervision
                    | Resource::Training
                    | Resource::Homework
            ),
            // A class teacher takes the roll of the own classes (the scope says which) and works
            // their pupils' cases.
            Role::HeadTeacher => {
                matches!(r, Resource::Attendance | Resource::Cases | Resource::Training | Resource::Homework)
            }
            Role::Teacher => matches!(r, Resource::Training | Resource::Homework),
            Role::PsychTeacher => matches!(r, Resource::Psych | Resource::Training),
            Role::PsychStaff => r == Resource::Psych,
            _ => false,
        }
    }

    pub fn may_read(self, r: Resource) -> bool {
        match r {
            Resource::Psych => self.reads_psych_results(),
            Resource::PsychFigures => {
                matches!(self, Role::Admin | Role::Leader | Role::Staff | Role::SchoolAdmin)
                    || self.reads_psych_results()
            }
            Resource::Users | Resource::Audit => self == Role::Admin,
            // Case files name families and reasons: only those who work the cases read them.
            Resource::Cases => self.reads_special_groups(),
            Resource::CaseFigures => self.reads_special_groups() || self == Role::Leader,
            Resource::Admissions => matches!(self, Role::Admin | Role::Leader | Role::Staff),
            Resource::Supervision => {
                matches!(self, Role::Admin | Role::Leader | Role::Staff | Role::Inspector | Role::SchoolAdmin)
            }
            // 专项督导 reads the homework of the 责任区's schools; parents read the 公示 only.
            Resource::Homework => self != Role::Parent,
            // Teachers read their own hours only (the store filters); parents and inspectors none.
            Resource::Training => !matches!(self, Role::Parent | Role::Inspector),
            // An inspector reads the schools of the 责任区 and their 督导 files, not pupils' records.
            _ if self == Role::Inspector => r == Resource::Schools,
            Resource::Teachers | Resource::Conditions => {
                matches!(self, Role::Admin | Role::Leader | Role::Staff | Role::SchoolAdmin)
            }
            _ => self != Role::Parent || r == Resource::Students,
        }
    }

    /// Roles that may import a school's roll calls from a file (a gate scanner's or a register's
    /// export): the school's administrators and the bureau's. A class teacher takes the roll on the
    /// roll page, one class and day at a time.
    pub fn may_import_attendance(self) -> bool {
        matches!(self, Role::Admin | Role::SchoolAdmin)
    }

    /// Roles that read the indicators, the 均衡 assessments, the plans' dashboards and the
    /// district report: their figures combine teachers and school conditions.
    pub fn reads_indicators(self) -> bool {
        self.may_read(Resource::Teachers) && self.may_read(Resource::Conditions)
    }

    /// Roles that load and version 督导 rubrics: the bureau's administrators and staff (督导室).
    pub fn keeps_rubrics(self) -> bool {
        matches!(self, Role::Admin | Role::Staff)
    }

    /// Roles that raise 督导 problems and hazards and review (复查) the schools' answers.
    pub fn inspects(self) -> bool {
        matches!(self, Role::Admin | Role::Staff | Role::Inspector)
    }

    /// Roles that answer a problem for the school (整改报告 and its evidence).
    pub fn answers_problems(self) -> bool {
        matches!(self, Role::Admin | Role::SchoolAdmin)
    }

    /// Roles that confirm a problem's 销号 as the second person: the 督导室 (the bureau's staff).
    pub fn confirms_problem_closure(self) -> bool {
        matches!(self, Role::Admin | Role::Staff)
    }

    /// Roles that enter their own training hours with a certificate: whoever teaches at a school
    /// (the account must be linked to its teacher record).
    pub fn enters_own_training(self) -> bool {
        self.needs_school()
    }

    /// Roles that read the training hours of others in their scope; the rest read their own only.
    pub fn reads_others_training(self) -> bool {
        self.may_read(Resource::Teachers)
    }

    /// Roles that plan the year's 交流轮岗 (the bureau's personnel work).
    pub fn plans_rotation(self) -> bool {
        matches!(self, Role::Admin | Role::Staff)
    }

    /// Roles that nominate teachers for a title (推荐): the bureau, and a school for its own.
    pub fn nominates_designations(self) -> bool {
        matches!(self, Role::Admin | Role::Staff | Role::SchoolAdmin)
    }

    /// Roles that run the designations (评审打分, 公示, 认定, 年度考核, 续任, 撤销), keep the 课题
    /// register and the 工作室, and assess them: the bureau's teacher-development staff (研训).
    pub fn runs_teacher_development(self) -> bool {
        matches!(self, Role::Admin | Role::Staff)
    }

    /// Roles that check a school's training claims (学校审核).
    pub fn approves_training_for_school(self) -> bool {
        matches!(self, Role::Admin | Role::SchoolAdmin)
    }

    /// Roles that confirm training claims for the district (教育局认定).
    pub fn approves_training_for_district(self) -> bool {
        matches!(self, Role::Admin | Role::Staff)
    }

    /// Roles that may confirm a case's 销号 (as the second person).
    pub fn confirms_case_closure(self) -> bool {
        matches!(self, Role::Admin | Role::Staff | Role::SchoolAdmin)
    }

    /// Whether the role is bound to an org unit and what kind.
    pub fn needs_school(self) -> bool {
        matches!(self, Role::SchoolAdmin | Role::HeadTeacher | Role::Teacher | Role::PsychTeacher)
    }

    /// Roles told of a class-day over the homework limit and answering for it (处理): the
    /// principal, and the bureau's administrator.
    pub fn reviews_homework(self) -> bool {
        matches!(self, Role::Admin | Role::SchoolAdmin)
    }

    /// Roles that appoint a school's 年级组长 (the account then reads the grade's classes).
    pub fn appoints_grade_leaders(self) -> bool {
        matches!(self, Role::Admin | Role::SchoolAdmin)
    }

    /// Roles an account must have to lead a grade.
    pub fn may_lead_grade(self) -> bool {
        matches!(self, Role::HeadTeacher | Role::Teacher)
    }

    /// Roles that read individual screening answers and results and every follow-up file in their
    /// scope: the school's 心理教师 and the district's 心理教研员. Others read a file only as a
    /// member of its team.
    pub fn reads_psych_results(self) -> bool {
        matches!(self, Role::PsychTeacher | Role::PsychStaff)
    }

    /// Roles that open a screening round: the bureau (for every school) and a school (for its own).
    /// Opening a round shows no one's results.
    pub fn opens_screening_rounds(self) -> bool {
        matches!(self, Role::Admin | Role::Staff | Role::SchoolAdmin) || self.reads_psych_results()
    }

    /// Roles that run surveys (问卷调查): upload a form, set quotas, issue tokens, read every
    /// school's results and export the responses: the bureau's administrators and staff.
    pub fn runs_surveys(self) -> bool {
        matches!(self, Role::Admin | Role::Staff)
    }

    /// Roles that follow surveys: the bureau, its leaders, and a principal for the own school's
    /// link (its progress and, where cells are large enough, its results).
    pub fn reads_surveys(self) -> bool {
        self.runs_surveys() || matches!(self, Role::Leader | Role::SchoolAdmin)
    }

    /// Roles that load an instrument the bureau holds a licence for: the district's 心理教研员.
    pub fn loads_instruments(self) -> bool {
        self == Role::PsychStaff
    }

    /// Roles told that a pupil of their classes needs attention (关注), never why: the 班主任.
    pub fn sees_attention_flags(self) -> bool {
        self == Role::HeadTeacher
    }

    /// Roles alerted to the school's pending screening alerts by count and deadline, without
    /// names: the principal, who answers for the follow-up being done.
    pub fn counts_psych_alerts(self) -> bool {
        self == Role::SchoolAdmin
    }
}

/// Where a pupil or teacher is already recorded: one enrolment (or teacher term).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    pub school_id: i64,
    /// (start year, term number): terms order by this pair.
    pub term: (i64, i64),
    /// The record lets another school take the person on in a later term (a pupil's 转出 or 毕业).
    pub released: bool,
}

/// Why an imported row may not write a person's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimRefusal {
    /// The person belongs to a school outside the caller's scope.
    HeldElsewhere,
}

/// Whether a caller may write a person's record for `term`, given where the person is recorded.
/// Inside one school a person's record is the school's; a move between schools is a 转学 with
/// both sides recorded: the other school's record must have released the pupil (转出, 毕业) in an
/// earlier term. Never overwrite another school's record of the same term.
pub fn may_write_person(scope: &Scope, held: &[Holding], term: (i64, i64)) -> Result<(), ClaimRefusal> {
    if *scope == Scope::District {
        return Ok(());
    }
    let elsewhere = |h: &Holding| !scope.covers_school(h.school_id);
    if held.iter().any(|h| elsewhere(h) && h.term == term) {
        return Err(ClaimRefusal::HeldElsewhere);
    }
    match held.iter().max_by_key(|h| h.term) {
        Some(latest) if elsewhere(latest) && !(latest.released && latest.term < term) => {
            Err(ClaimRefusal::HeldElsewhere)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_of_another_school_is_not_written() {
        let school = Scope::School(9);
        let at = |school_id, term, released| Holding { school_id, term, released };
        // New person, own person, the bureau: allowed.
        assert_eq!(may_write_person(&school, &[], (2026, 1)), Ok(()));
        assert_eq!(may_write_person(&school, &[at(9, (2025, 2), false)], (2026, 1)), Ok(()));
        assert_eq!(may_write_person(&Scope::District, &[at(3, (2026, 1), false)], (2026, 1)), Ok(()));
        // On roll at school 3 now: refused, in the same term and in a later one.
        let refused = Err(ClaimRefusal::HeldElsewhere);
        assert_eq!(may_write_person(&school, &[at(3, (2026, 1), false)], (2026, 1)), refused);
        assert_eq!(may_write_person(&school, &[at(3, (2025, 2), false)], (2026, 1)), refused);
        // Released (转出/毕业) by school 3 in an earlier term: school 9 takes the pupil on; not in
        // the same term (that would overwrite school 3's record of the 转出).
        assert_eq!(may_write_person(&school, &[at(3, (2025, 2), true)], (2026, 1)), Ok(()));
        assert_eq!(may_write_person(&school, &[at(3, (2026, 1), true)], (2026, 1)), refused);
        // A later record elsewhere, or another school's record of the row's term, blocks an old term.
        assert_eq!(may_write_person(&school, &[at(9, (2025, 1), false), at(3, (2026, 1), false)], (2025, 1)), refused);
        assert_eq!(may_write_person(&school, &[at(3, (2025, 1), false), at(9, (2026, 1), false)], (2025, 1)), refused);
        // A class teacher's scope is the school's for this question.
        let classes = Scope::Classes { school_id: 9, class_ids: vec![1] };
        assert_eq!(may_write_person(&classes, &[at(9, (2026, 1), false)], (2026, 1)), Ok(()));
    }

    #[test]
    fn full_identity_only_for_those_who_keep_the_register() {
        let full: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.reads_full_identity()).collect();
        assert_eq!(full, vec![Role::Admin, Role::Staff, Role::SchoolAdmin]);
    }

    #[test]
    fn special_groups_only_for_support_roles() {
        assert!(Role::HeadTeacher.reads_special_groups());
        assert!(!Role::Teacher.reads_special_groups());
        assert!(!Role::Parent.reads_special_groups());
        assert!(!Role::Leader.reads_special_groups());
    }

    #[test]
    fn scopes() {
        assert!(Scope::District.covers_school(3));
        assert!(Scope::School(3).covers_school(3));
        assert!(!Scope::School(3).covers_school(4));
        let mine = Scope::Classes { school_id: 3, class_ids: vec![7] };
        assert!(mine.covers_class(3, 7) && !mine.covers_class(3, 8) && !mine.covers_class(4, 7));
        assert!(Scope::School(3).covers_class(3, 8) && !Scope::Students(vec![1]).covers_class(3, 7));
        assert!(!Role::SchoolAdmin.may_write(Resource::Users));
        assert!(!Role::Teacher.may_read(Resource::Teachers));
        assert!(Role::HeadTeacher.may_write(Resource::Cases) && Role::Staff.may_write(Resource::Cases));
        assert!(!Role::Leader.may_read(Resource::Cases) && !Role::Teacher.may_read(Resource::Cases));
        assert!(Role::Leader.may_read(Resource::CaseFigures) && !Role::Teacher.may_read(Resource::CaseFigures));
        assert!(Role::SchoolAdmin.may_import_attendance() && !Role::HeadTeacher.may_import_attendance());
        assert!(Role::HeadTeacher.may_write(Resource::Attendance), "the class teacher takes the roll by hand");
        assert!(!Role::Parent.may_read(Resource::CaseFigures) && Role::HeadTeacher.may_read(Resource::CaseFigures));
        assert!(!Role::Parent.may_read(Resource::Cases));
        assert!(Role::Teacher.may_read(Resource::Exams) && !Role::Parent.may_read(Resource::Exams));
        assert!(Role::SchoolAdmin.may_write(Resource::Exams) && !Role::HeadTeacher.may_write(Resource::Exams));
    }

    /// Who may confirm a 销号: the school or the bureau, never the class teacher alone.
    #[test]
    fn closers() {
        assert!(Role::SchoolAdmin.confirms_case_closure() && Role::Staff.confirms_case_closure());
        assert!(!Role::HeadTeacher.confirms_case_closure() && !Role::Leader.confirms_case_closure());
    }

    /// A 督学 reads the schools of the 责任区 and their 督导 files, not pupils, cases or exams; raises
    /// and reviews problems but the 督导室 confirms their 销号.
    #[test]
    fn inspectors_read_their_area_and_its_supervision_only() {
        let area = Scope::Schools(vec![3, 5]);
        assert!(area.covers_school(3) && !area.covers_school(4) && area.covers_class(5, 9));
        let r = Role::Inspector;
        assert!(
            r.may_read(Resource::Supervision) && r.may_write(Resource::Supervision) && r.may_read(Resource::Schools)
        );
        for other in [Resource::Students, Resource::Cases, Resource::CaseFigures, Resource::Exams, Resource::Attendance]
        {
            assert!(!r.may_read(other), "{other:?}");
        }
        assert!(r.inspects() && !r.confirms_problem_closure() && !r.reads_indicators());
        assert!(Role::Staff.confirms_problem_closure() && Role::Staff.inspects());
        assert!(Role::SchoolAdmin.may_write(Resource::Supervision) && !Role::SchoolAdmin.inspects());
        assert!(Role::SchoolAdmin.answers_problems() && !r.answers_problems() && !Role::Staff.answers_problems());
        assert!(!Role::HeadTeacher.may_read(Resource::Supervision) && !Role::Parent.may_read(Resource::Supervision));
    }

    /// 心理健康: individual results for the 心理教师 and 心理教研员 only (not the system administrator,
    /// not the principal); aggregates for the bureau and the principal; the 班主任 a flag.
    #[test]
    fn psychological_results_by_role() {
        let read: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.may_read(Resource::Psych)).collect();
        assert_eq!(read, vec![Role::PsychTeacher, Role::PsychStaff]);
        let write: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.may_write(Resource::Psych)).collect();
        assert_eq!(write, vec![Role::PsychTeacher, Role::PsychStaff]);
        let figures: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.may_read(Resource::PsychFigures)).collect();
        assert_eq!(
            figures,
            vec![Role::Admin, Role::Leader, Role::Staff, Role::SchoolAdmin, Role::PsychTeacher, Role::PsychStaff]
        );
        let flags: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.sees_attention_flags()).collect();
        assert_eq!(flags, vec![Role::HeadTeacher]);
        assert!(Role::PsychStaff.loads_instruments() && !Role::Staff.loads_instruments());
        assert!(Role::PsychTeacher.needs_school() && !Role::PsychStaff.needs_school());
        assert!(!Role::PsychTeacher.may_read(Resource::Cases) && !Role::PsychTeacher.may_read(Resource::Teachers));
    }

    /// Training hours: teachers enter their own, the school then the bureau approve; parents and
    /// inspectors read none.
    #[test]
    fn training_claims_by_level() {
        let enter: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.enters_own_training()).collect();
        assert_eq!(enter, vec![Role::SchoolAdmin, Role::HeadTeacher, Role::Teacher, Role::PsychTeacher]);
        let school: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.approves_training_for_school()).collect();
        assert_eq!(school, vec![Role::Admin, Role::SchoolAdmin]);
        let bureau: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.approves_training_for_district()).collect();
        assert_eq!(bureau, vec![Role::Admin, Role::Staff]);
        assert!(Role::Teacher.may_read(Resource::Training) && Role::Teacher.may_write(Resource::Training));
        assert!(!Role::Parent.may_read(Resource::Training) && !Role::Inspector.may_read(Resource::Training));
        assert!(Role::Leader.may_read(Resource::Training) && !Role::Leader.may_write(Resource::Training));
        assert!(!Role::Teacher.may_read(Resource::Teachers), "the own hours, not the staff list");
    }

    #[test]
    fn indicators_are_read_by_the_bureau_and_school_administrators() {
        let readers: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.reads_indicators()).collect();
        assert_eq!(readers, vec![Role::Admin, Role::Leader, Role::Staff, Role::SchoolAdmin]);
    }

    #[test]
    fn the_calendar_is_kept_by_the_bureau_or_the_school_administrator() {
        let a = |role, scope| Actor { user_id: 1, username: "u".into(), display_name: "u".into(), role, scope };
        assert_eq!(a(Role::Admin, Scope::District).calendar_kept(), Some(None));
        assert_eq!(a(Role::Staff, Scope::District).calendar_kept(), Some(None));
        assert_eq!(a(Role::SchoolAdmin, Scope::School(4)).calendar_kept(), Some(Some(4)));
        assert_eq!(a(Role::Leader, Scope::District).calendar_kept(), None);
        assert_eq!(a(Role::HeadTeacher, Scope::Classes { school_id: 4, class_ids: vec![1] }).calendar_kept(), None);
        assert_eq!(a(Role::Parent, Scope::Students(vec![1])).calendar_kept(), None);
    }
}

/// The authenticated caller, as every store call receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
}

impl Actor {
    /// The command line and the demo seeder act as the system administrator.
    pub fn system() -> Actor {
        Actor {
            user_id: 0,
            username: "system".to_string(),
            display_name: "系统".to_string(),
            role: Role::Admin,
            scope: Scope::District,
        }
    }

    /// Whose teaching calendar the caller keeps: `Some(None)` the district's (the bureau's
    /// administrators and staff), `Some(Some(id))` their school's (its administrator), `None` none.
    pub fn calendar_kept(&self) -> Option<Option<i64>> {
        match (self.role, &self.scope) {
            (Role::Admin | Role::Staff, Scope::District) => Some(None),
            (Role::SchoolAdmin, Scope::School(id)) => Some(Some(*id)),
            _ => None,
        }
    }
}
