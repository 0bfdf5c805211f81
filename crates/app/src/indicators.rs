//! The indicator library evaluated on the recorded facts of a term: the district value of each
//! indicator against its target, and the schools behind it.

use eduq_core::access::{Actor, Resource};
use eduq_core::calendar::Term;
use eduq_core::flows::CohortFigures;
use eduq_core::indicators::{DISTRICT_INPUTS, Fact, Indicator, LIBRARY, Value, aggregate, indicator};
use eduq_core::standards::class_size::SizeBand;
use eduq_store::Store;
use eduq_store::indicators::{DistrictInput, SchoolFacts};
use serde::Serialize;

use eduq_core::guarantee::size_limit;
use eduq_core::honour::HonourKind;
use eduq_core::org::SchoolType;
use eduq_core::project::ProjectKind;
use eduq_core::standards::school_ict::is_broadband;

use crate::AppError;

/// County totals of the facts whose county value is not the sum over schools.
#[derive(Debug, Clone, Default)]
pub struct County(Vec<(Fact, f64)>);

impl County {
    fn get(&self, f: Fact) -> Option<f64> {
        self.0.iter().find(|(x, _)| *x == f).map(|(_, v)| *v)
    }
}

/// The 巩固率 facts of a window (from the first term held to the year's latest), and the
/// 初中三年巩固率 of the latest grade-7 cohort it covers, per school and for the county.
fn with_flows(facts: &mut [SchoolFacts], figures: &CohortFigures) -> County {
    for f in facts.iter_mut() {
        let Some(x) = figures.schools.get(&f.id) else { continue };
        if let Some(c) = x.cohort {
            (f.retained, f.cohort_base) = (i64::from(c.retained), c.base());
        }
        if let Some((d, n)) = x.year_dropouts {
            (f.year_dropouts, f.year_on_roll) = (i64::from(d), i64::from(n));
        }
        if let Some(c) = x.junior {
            (f.junior_retained, f.junior_cohort_base) = (i64::from(c.retained), c.base());
        }
    }
    let county = figures.county;
    let mut out = vec![(Fact::Retained, f64::from(county.retained)), (Fact::CohortBase, county.base() as f64)];
    if let Some(j) = figures.junior {
        out.extend([(Fact::JuniorRetained, f64::from(j.retained)), (Fact::JuniorCohortBase, j.base() as f64)]);
    }
    County(out)
}

/// The cohort figures of each window ending at one of `ends`, if the caller may read the 学籍
/// history (it is attendance data). A reader of the whole district takes the figures kept at the
/// roll's current version (a few rows per school) and keeps those it had to compute: following
/// every pupil of a province takes seconds, and the roll changes far less often than it is read.
async fn cohort_figures(
    store: &Store,
    actor: &Actor,
    held: &[Term],
    ends: &[Term],
) -> Result<Vec<CohortFigures>, AppError> {
    if !actor.role.may_read(Resource::Attendance) {
        return Ok(vec![CohortFigures::default(); ends.len()]);
    }
    // The version first: rows read after it are of it or later, and a later one discards them.
    let version = store.roll_version().await?;
    let kept = store.kept_cohort_figures(actor, ends, version).await?;
    if kept.iter().all(Option::is_some) {
        return Ok(kept.into_iter().flatten().collect());
    }
    let rows = store.flow_rows_to_keep(actor).await?;
    let mut out = Vec::with_capacity(ends.len());
    for (&end, held_figures) in ends.iter().zip(kept) {
        let figures = match held_figures {
            Some(f) => f,
            None => {
                let f = CohortFigures::of(&rows, held, end);
                store.keep_cohort_figures(actor, end, version, &f).await?;
                f
            }
        };
        out.push(figures);
    }
    Ok(out)
}

/// A school's share of its teachers for one stage: teachers are recorded per school, not per stage.
fn share(f: &SchoolFacts, pupils: i64) -> f64 {
    apportion(f, f.full_time, pupils)
}

/// 1 for a school holding a designation.
fn held(f: &SchoolFacts, kind: HonourKind) -> f64 {
    f64::from(u8::from(f.designations.contains(&kind)))
}

/// `count` teachers of a school apportioned to a stage by its share of the school's pupils.
fn apportion(f: &SchoolFacts, count: i64, pupils: i64) -> f64 {
    let all = f.primary_pupils + f.junior_pupils + f.senior_pupils;
    if all == 0 { 0.0 } else { count as f64 * pupils as f64 / all as f64 }
}

/// The value of a fact at one school.
pub fn fact(f: &SchoolFacts, x: Fact) -> f64 {
    let n = |v: i64| v as f64;
    match x {
        Fact::PrimaryPupils => n(f.primary_pupils),
        Fact::JuniorPupils => n(f.junior_pupils),
        Fact::SeniorPupils => n(f.senior_pupils),
        Fact::CompulsoryPupils => n(f.primary_pupils + f.junior_pupils),
        Fact::PrimaryTeachers => share(f, f.primary_pupils),
        Fact::JuniorTeachers => share(f, f.junior_pupils),
        Fact::SeniorTeachers => share(f, f.senior_pupils),
        Fact::Teachers => n(f.full_time),
        Fact::QualifiedTeachers => n(f.qualified),
        Fact::BachelorTeachers => n(f.bachelor_plus),
        Fact::BackboneTeachers => n(f.backbone),
        Fact::MasterTierTeachers => n(f.master_tier),
        Fact::BackboneTierTeachers => n(f.backbone_tier),
        Fact::MasterHeadTeachers => n(f.master_head_teachers),
        Fact::AllTeachers => n(f.all_teachers),
        Fact::ResearchTeachers => n(f.research_teachers),
        Fact::SchoolsWithResearch => n(i64::from(f.has_research)),
        Fact::Schools => 1.0,
        Fact::TimetableClasses => n(f.timetable_classes),
        Fact::TimetableComplete => n(f.timetable_complete),
        Fact::Classes => n(f.classes),
        Fact::StandardClasses => n(f.standard_classes),
        Fact::LargeClasses => n(f.large_classes),
        Fact::ExtraLargeClasses => n(f.extra_large_classes),
        Fact::OversizedSchools => {
            let compulsory = f.primary_pupils + f.junior_pupils;
            n(i64::from(crate::guarantee::compulsory_type(f).is_some_and(|t| compulsory > size_limit(t))))
        }
        Fact::Pupils => n(f.all_pupils),
        Fact::TeachingArea => f.teaching_area,
        Fact::SportsArea => f.sports_area,
        Fact::EquipmentValue => f.equipment_value,
        Fact::MultimediaRooms => n(f.multimedia_rooms),
        Fact::StudentComputers => n(f.student_computers),
        Fact::TeacherComputers => n(f.teacher_computers),
        Fact::FitnessScored => n(f.fitness_scored),
        Fact::FitnessPassed => n(f.fitness_passed),
        Fact::FitnessExcellent => n(f.fitness_excellent),
        Fact::VisionKnown => n(f.vision_known),
        Fact::Myopic => n(f.myopic),
        Fact::VisionKnownPrimary => n(f.stage_vision[0]),
        Fact::MyopicPrimary => n(f.stage_myopic[0]),
        Fact::VisionKnownJunior => n(f.stage_vision[1]),
        Fact::MyopicJunior => n(f.stage_myopic[1]),
        Fact::VisionKnownSenior => n(f.stage_vision[2]),
        Fact::MyopicSenior => n(f.stage_myopic[2]),
        Fact::PrimaryBachelorTeachers => apportion(f, f.bachelor_plus, f.primary_pupils),
        Fact::JuniorBachelorTeachers => apportion(f, f.bachelor_plus, f.junior_pupils),
        Fact::SeniorBachelorTeachers => apportion(f, f.bachelor_plus, f.senior_pupils),
        Fact::JuniorPostgraduateTeachers => apportion(f, f.postgraduate, f.junior_pupils),
        Fact::SeniorPostgraduateTeachers => apportion(f, f.postgraduate, f.senior_pupils),
        Fact::FastAccessSchools => n(i64::from(f.has_conditions && f.fast_access)),
        Fact::LandArea => {
            if f.has_conditions {
                f.land_area
            } else {
                0.0
            }
        }
        Fact::LandCheckedSchools => n(i64::from(f.has_conditions && f.land_required.is_some())),
        Fact::LandStandardSchools => {
            n(i64::from(f.has_conditions && f.land_required.is_some_and(|need| f.land_area >= need)))
        }
        Fact::PlacesAdded => n(f.places_added),
        Fact::NewSchoolProjects => n(f.projects_completed[0]),
        Fact::RebuildProjects => n(f.projects_completed[1]),
        Fact::ExtendProjects => n(f.projects_completed[2]),
        Fact::GradeSchools => n(i64::from(f.school_type.is_some_and(|t| t != SchoolType::Kindergarten))),
        Fact::Kindergartens => n(i64::from(f.school_type == Some(SchoolType::Kindergarten))),
        Fact::SmartCampusSchools => held(f, HonourKind::SmartCampus),
        Fact::CivilisedCampusSchools => held(f, HonourKind::CivilisedCampus),
        Fact::QualityKindergartens => held(f, HonourKind::QualityKindergarten),
        Fact::PrivateCompulsoryPupils => n(if f.public { 0 } else { f.primary_pupils + f.junior_pupils }),
        Fact::PreschoolPupils => n(f.preschool_pupils),
        Fact::InclusivePreschoolPupils => n(if f.public || f.inclusive { f.preschool_pupils } else { 0 }),
        Fact::PublicPreschoolPupils => n(if f.public { f.preschool_pupils } else { 0 }),
        Fact::PeArtTeachers => n(f.pe_art),
        Fact::BroadbandSchools => n(i64::from(f.has_conditions && is_broadband(f.bandwidth_mbps))),
        Fact::SchoolsWithConditions => n(i64::from(f.has_conditions)),
        Fact::YearDropouts => n(f.year_dropouts),
        Fact::YearOnRoll => n(f.year_on_roll),
        Fact::Retained => n(f.retained),
        Fact::CohortBase => n(f.cohort_base),
        Fact::JuniorRetained => n(f.junior_retained),
        Fact::JuniorCohortBase => n(f.junior_cohort_base),
        // Supplied for the district only: no school takes part.
        Fact::AgePopulation3To5
        | Fact::AgePopulation15To17
        | Fact::UnrecordedSeniorPupils
        | Fact::AccessLineMbps
        | Fact::LandLinePrimary
        | Fact::LandLineJunior => 0.0,
        Fact::One => 1.0,
    }
}

/// Whether a school takes part in an indicator (a 小学 has no 高中生师比).
fn applies(f: &SchoolFacts, ind: &Indicator) -> bool {
    ind.denominator == Fact::One || fact(f, ind.denominator) > 0.0
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolValue {
    pub school_id: i64,
    pub code: String,
    pub name: String,
    pub value: Value,
    pub meets: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorValue {
    pub indicator: Indicator,
    pub district: Value,
    pub meets: Option<bool>,
    pub gap: Option<f64>,
    /// Schools not meeting the target.
    pub behind: usize,
    pub schools: Vec<SchoolValue>,
}

fn evaluate(ind: &Indicator, facts: &[SchoolFacts], county: &County) -> IndicatorValue {
    let schools: Vec<SchoolValue> = facts
        .iter()
        .filter(|f| applies(f, ind))
        .map(|f| {
            let value = Value::of(ind, fact(f, ind.numerator), fact(f, ind.denominator));
            SchoolValue {
                school_id: f.id,
                code: f.code.clone(),
                name: f.name.clone(),
                meets: ind.target.and_then(|t| value.meets(ind, t)),
                value,
            }
        })
        .collect();
    let mut district = aggregate(ind, schools.iter().map(|s| (s.value.numerator, s.value.denominator)));
    if ind.denominator.district_input().is_some() {
        // Over a population the district supplies, no school takes part: every school's pupils count.
        let recorded: f64 = facts.iter().map(|f| fact(f, ind.numerator)).sum();
        let supplied = ind.numerator.district_addition().and_then(|f| county.get(f)).unwrap_or(0.0);
        district = Value::of(ind, recorded + supplied, county.get(ind.denominator).unwrap_or(0.0));
    } else if ind.numerator.county_differs() || ind.denominator.county_differs() {
        let part = |f: Fact, summed: f64| if f.county_differs() { county.get(f).unwrap_or(summed) } else { summed };
        district = Value::of(ind, part(ind.numerator, district.numerator), part(ind.denominator, district.denominator));
    }
    IndicatorValue {
        indicator: *ind,
        meets: ind.target.and_then(|t| district.meets(ind, t)),
        gap: ind.target.and_then(|t| district.gap(ind, t)),
        behind: schools.iter().filter(|s| s.meets == Some(false)).count(),
        district,
        schools,
    }
}

/// The county 差异系数 (`eduq_core::spread`) over the schools of `facts`, the 优质均衡 board's
/// schools. Only a caller reading the whole district gets values: the spread among the schools of
/// a narrower scope is not the county's. The value's numerator is S and its denominator X̄ (CV =
/// S ÷ X̄); for the 综合差异系数, the sum of the eight coefficients and 8.
pub fn spreads(facts: &[SchoolFacts], whole: bool, bundles: &[(i64, i64)]) -> Vec<IndicatorValue> {
    use eduq_core::balance::BalanceStage;
    use eduq_core::spread::{SPREADS, SpreadOf};
    let evals = if whole {
        [BalanceStage::Primary, BalanceStage::Junior].map(|s| Some(crate::balance::evaluate_stage(facts, s, bundles)))
    } else {
        [None, None]
    };
    SPREADS
        .iter()
        .map(|s| {
            let eval = evals[usize::from(s.stage == BalanceStage::Junior)].as_ref();
            let district = match (eval, s.of) {
                (Some((q, _)), SpreadOf::Quality(i)) => {
                    let r = &q.indicators[i];
                    Value {
                        numerator: r.cv.map_or(0.0, |cv| cv * r.county_value),
                        denominator: r.county_value,
                        value: r.cv,
                    }
                }
                (Some((_, b)), SpreadOf::BasicComposite) => Value {
                    numerator: b.indicators.iter().filter_map(|i| i.cv).sum(),
                    denominator: b.indicators.len() as f64,
                    value: b.composite,
                },
                (None, _) => Value::default(),
            };
            let ind = &s.indicator;
            IndicatorValue {
                indicator: *ind,
                meets: ind.target.and_then(|t| district.meets(ind, t)),
                gap: ind.target.and_then(|t| district.gap(ind, t)),
                behind: 0,
                district,
                schools: vec![],
            }
        })
        .collect()
}

/// The library's indicators and the county 差异系数 over one set of facts.
fn evaluate_library(
    facts: &[SchoolFacts],
    county: &County,
    whole: bool,
    bundles: &[(i64, i64)],
) -> Vec<IndicatorValue> {
    let mut out: Vec<IndicatorValue> = LIBRARY.iter().map(|i| evaluate(i, facts, county)).collect();
    out.extend(spreads(facts, whole, bundles));
    out
}

/// One class's value of an indicator that has a class-level meaning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassValue {
    pub class_id: i64,
    pub name: String,
    pub value: Value,
    pub meets: Option<bool>,
}

/// The classes of one school for an indicator measured per class (班额, 体质健康, 近视); `None`
/// for indicators that exist per school only (生师比, 办学条件, …).
pub async fn by_class(
    store: &Store,
    actor: &Actor,
    term: Term,
    key: &str,
    school_id: i64,
) -> Result<Option<(&'static Indicator, Vec<ClassValue>)>, AppError> {
    if !actor.role.reads_indicators() {
        return Err(AppError::Forbidden);
    }
    let ind = indicator(key).ok_or_else(|| AppError::Invalid(format!("未知指标“{key}”")))?;
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    let classes = store.list_classes(actor, term.start_year, Some(term_id), Some(school_id)).await?;
    let parts: Vec<(i64, String, f64, f64)> = match ind.numerator {
        Fact::StandardClasses | Fact::LargeClasses | Fact::ExtraLargeClasses => classes
            .iter()
            .filter(|c| c.counts_for_size())
            .map(|c| {
                let band = match ind.numerator {
                    Fact::StandardClasses => SizeBand::Standard,
                    Fact::LargeClasses => SizeBand::Large,
                    _ => SizeBand::ExtraLarge,
                };
                (c.id, c.name.clone(), f64::from(u8::from(c.size_band == band)), 1.0)
            })
            .collect(),
        Fact::FitnessPassed | Fact::FitnessExcellent | Fact::Myopic => {
            let counts = store.class_fitness_counts(actor, school_id, term.start_year).await?;
            classes
                .iter()
                .filter_map(|c| {
                    let (_, k) = counts.iter().find(|(id, _)| *id == c.id)?;
                    let (n, d) = match ind.numerator {
                        Fact::FitnessPassed => (k.passed, k.scored),
                        Fact::FitnessExcellent => (k.excellent, k.scored),
                        _ => (k.myopic, k.vision_known),
                    };
                    Some((c.id, c.name.clone(), n as f64, d as f64))
                })
                .collect()
        }
        _ => return Ok(None),
    };
    let values = parts
        .into_iter()
        .map(|(class_id, name, n, d)| {
            // A class is a unit of its own: 班额达标 is met or not per class, not a count.
            let value = Value::of(ind, n, d);
            ClassValue { class_id, name, meets: ind.target.and_then(|t| value.meets(ind, t)), value }
        })
        .collect();
    Ok(Some((ind, values)))
}

/// A class this large is almost surely a data error (two classes merged, a wrong class number).
pub const IMPLAUSIBLE_CLASS: i64 = 80;

/// What to fix before a school's indicators are trusted; schools with nothing to fix are left out.
pub fn data_quality(facts: &[SchoolFacts]) -> Vec<(String, Vec<String>)> {
    facts
        .iter()
        .filter_map(|f| {
            let mut issues = Vec::new();
            if f.all_pupils == 0 {
                issues.push("本学期没有在读学生数据（未提交学生名单？）".to_string());
            }
            if f.full_time == 0 {
                issues.push("本学期没有专任教师数据".to_string());
            }
            if !f.has_conditions {
                issues.push("缺少本学年办学条件数据".to_string());
            } else if f.all_pupils > 0 && (f.teaching_area <= 0.0 || f.sports_area <= 0.0) {
                issues.push("教学及辅助用房或体育运动场馆面积为0".to_string());
            }
            if f.largest_class > IMPLAUSIBLE_CLASS {
                issues.push(format!("有班级学生数为{}人（超过{}人，请核对分班）", f.largest_class, IMPLAUSIBLE_CLASS));
            }
            if f.teachers_without_subject > 0 {
                issues.push(format!("{}名教师未填任教学科", f.teachers_without_subject));
            }
            (!issues.is_empty()).then(|| (f.name.clone(), issues))
        })
        .collect()
}

/// Data-quality findings of the schools in the caller's scope for a term.
pub async fn quality(store: &Store, actor: &Actor, term: Term) -> Result<Vec<(String, Vec<String>)>, AppError> {
    if !actor.role.reads_indicators() {
        return Err(AppError::Forbidden);
    }
    let term_id = store.term_id(term).await?.ok_or_else(|| AppError::Invalid(format!("没有{}的数据", term.label())))?;
    Ok(data_quality(&store.school_facts(actor, term_id, term.start_year).await?))
}

/// The facts of the school years held up to a term, each year at its latest term not after
/// `upto`, with 巩固率 over the window from the first term held to that term (when `cohort`: the
/// history is the largest read, and most single indicators do not need it). Oldest first.
async fn facts_by_year(
    store: &Store,
    actor: &Actor,
    upto: Term,
    only_last: bool,
    cohort: bool,
) -> Result<Vec<(i32, Vec<SchoolFacts>, County)>, AppError> {
    let terms = store.terms().await?;
    let held: Vec<Term> = terms.iter().map(|(_, t)| *t).filter(|t| *t <= upto).collect();
    let mut latest: Vec<(i64, Term)> = Vec::new();
    // `terms` is newest first: the first term met of each year is its latest.
    for &(id, t) in terms.iter().filter(|(_, t)| *t <= upto) {
        if !latest.iter().any(|(_, l)| l.start_year == t.start_year) {
            latest.push((id, t));
        }
    }
    if only_last {
        latest.truncate(1);
        if latest.first().is_none_or(|(_, t)| *t != upto) {
            return Err(AppError::Invalid(format!("没有{}的数据", upto.label())));
        }
    }
    // The years and the 学籍 history are read side by side: each is a handful of aggregate
    // queries (WAL readers on SQLite, pooled connections on PostgreSQL).
    let ends: Vec<Term> = latest.iter().map(|(_, t)| *t).collect();
    let history = cohort.then(|| {
        let (store, actor) = (store.clone(), actor.clone());
        let (held, ends) = (held.clone(), ends.clone());
        tokio::spawn(async move { cohort_figures(&store, &actor, &held, &ends).await })
    });
    let mut tasks = tokio::task::JoinSet::new();
    for (id, t) in latest {
        let (store, actor) = (store.clone(), actor.clone());
        tasks.spawn(async move { store.school_facts(&actor, id, t.start_year).await.map(|f| (t, f)) });
    }
    let broken = |e: tokio::task::JoinError| AppError::Invalid(format!("指标计算中断：{e}"));
    let mut years = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (t, mut facts) = done.map_err(broken)??;
        with_timetables(store, actor, t, &mut facts).await?;
        years.push((t, facts));
    }
    let figures: Vec<(Term, CohortFigures)> = match history {
        Some(h) => ends.iter().copied().zip(h.await.map_err(broken)??).collect(),
        None => vec![],
    };
    let inputs = store.district_inputs(actor, upto.start_year).await?;
    let projects = match actor.role.may_read(Resource::Schools) {
        true => store.projects(actor).await?,
        false => vec![],
    };
    let mut out: Vec<(i32, Vec<SchoolFacts>, County)> = years
        .into_iter()
        .map(|(t, mut facts)| {
            let window = figures.iter().find(|(end, _)| *end == t).map(|(_, f)| f);
            let mut county = with_flows(&mut facts, window.unwrap_or(&CohortFigures::default()));
            with_projects(&mut facts, &mut county, &projects, t.nominal_bounds().1);
            for fact in DISTRICT_INPUTS {
                let held = fact.district_input().and_then(|(k, _)| DistrictInput::find(&inputs, t.start_year, k));
                if let Some(i) = held {
                    county.0.push((fact, i.value));
                }
            }
            with_lines(&mut facts, &county);
            (t.start_year, facts, county)
        })
        .collect();
    out.sort_by_key(|(y, _, _)| *y);
    Ok(out)
}

/// Each school against the district's lines: access at or above the line (千兆 unless set), and
/// the land its pupils of grades 1–9 require where the province's line of each stage is set.
fn with_lines(facts: &mut [SchoolFacts], county: &County) {
    let access = county.get(Fact::AccessLineMbps).unwrap_or(eduq_core::indicators::DEFAULT_ACCESS_LINE_MBPS);
    let (primary, junior) = (county.get(Fact::LandLinePrimary), county.get(Fact::LandLineJunior));
    for f in facts.iter_mut() {
        f.fast_access = f.bandwidth_mbps >= access;
        let need =
            |pupils: i64, line: Option<f64>| if pupils == 0 { Some(0.0) } else { line.map(|l| l * pupils as f64) };
        f.land_required = match (
            f.primary_pupils + f.junior_pupils,
            need(f.primary_pupils, primary),
            need(f.junior_pupils, junior),
        ) {
            (0, _, _) => None,
            (_, Some(p), Some(j)) => Some(p + j),
            _ => None,
        };
    }
}

/// 新改扩建 completed by `day`: each school's own projects, and every project for the county.
fn with_projects(
    facts: &mut [SchoolFacts],
    county: &mut County,
    projects: &[eduq_store::projects::ProjectRow],
    day: chrono::NaiveDate,
) {
    let kind_at = |k: ProjectKind| match k {
        ProjectKind::New => 0,
        ProjectKind::Rebuild => 1,
        ProjectKind::Extend => 2,
    };
    let (mut places, mut done) = (0i64, [0i64; 3]);
    for p in projects.iter().filter(|p| p.project.completed_by(day)) {
        let added = i64::from(p.project.places_added_by(day));
        places += added;
        done[kind_at(p.project.kind)] += 1;
        if let Some(f) = facts.iter_mut().find(|f| Some(f.id) == p.school_id) {
            f.places_added += added;
            f.projects_completed[kind_at(p.project.kind)] += 1;
        }
    }
    let [new, rebuilt, extended] = done.map(|n| n as f64);
    county.0.extend([
        (Fact::PlacesAdded, places as f64),
        (Fact::NewSchoolProjects, new),
        (Fact::RebuildProjects, rebuilt),
        (Fact::ExtendProjects, extended),
    ]);
}

/// 开齐开足 of each school from the term's timetable check (memoised by the timetable board), for
/// callers who may read it; a school without an upload keeps 0 classes and so takes no part.
async fn with_timetables(store: &Store, actor: &Actor, term: Term, facts: &mut [SchoolFacts]) -> Result<(), AppError> {
    if !actor.role.may_read(Resource::Homework) || !actor.role.may_read(Resource::Schools) {
        return Ok(());
    }
    let report = crate::timetables::report(store, actor, term, None).await?;
    let checked: std::collections::HashMap<i64, (usize, usize)> =
        report.lines.iter().filter(|l| l.upload.is_some()).map(|l| (l.id, (l.classes, l.complete))).collect();
    for f in facts.iter_mut() {
        if let Some(&(classes, complete)) = checked.get(&f.id) {
            (f.timetable_classes, f.timetable_complete) = (classes as i64, complete as i64);
        }
    }
    Ok(())
}

/// The in-memory part of `library`: 巩固率 from the history over a window, then every indicator.
/// (The province benchmark times this.)
pub fn evaluate_all(
    facts: &mut [SchoolFacts],
    rows: &[eduq_core::flows::FlowRow],
    held: &[Term],
) -> Vec<IndicatorValue> {
    let last = held.iter().copied().max().unwrap_or(Term { start_year: 0, term_no: 1 });
    let county = with_flows(facts, &CohortFigures::of(rows, held, last));
    evaluate_library(facts, &county, true, &[])
}

/// Every indicator of the library for the caller's scope and a term.
/// Shared, not copied, out of the memo: the home page, the plans and the report read it at every
/// visit (26 indicators with every school's value).
pub async fn library(
    store: &Store,
    actor: &Actor,
    term: Term,
) -> Result<std::sync::Arc<Vec<IndicatorValue>>, AppError> {
    if !actor.role.reads_indicators() {
        return Err(AppError::Forbidden);
    }
    let key = format!("library|{}|{}", eduq_store::reader_key(actor), term.key());
    let whole = actor.scope == eduq_core::access::Scope::District;
    store
        .memoised(&key, async {
            let years = facts_by_year(store, actor, term, true, true).await?;
            let (_, facts, county) = &years[0];
            let bundles = store.bundles(actor).await?;
            Ok(std::sync::Arc::new(evaluate_library(facts, county, whole, &bundles)))
        })
        .await
}

/// The library in every school year held up to a term: for each year, its latest term not after
/// `upto` (the first term's 体质健康 round and the second term's roll both count). Oldest first.
pub async fn library_by_year(
    store: &Store,
    actor: &Actor,
    upto: Term,
) -> Result<std::sync::Arc<Vec<(i32, Vec<IndicatorValue>)>>, AppError> {
    if !actor.role.reads_indicators() {
        return Err(AppError::Forbidden);
    }
    let key = format!("library_by_year|{}|{}", eduq_store::reader_key(actor), upto.key());
    let whole = actor.scope == eduq_core::access::Scope::District;
    store
        .memoised(&key, async {
            let bundles = store.bundles(actor).await?;
            Ok(std::sync::Arc::new(
                facts_by_year(store, actor, upto, false, true)
                    .await?
                    .into_iter()
                    .map(|(y, facts, county)| (y, evaluate_library(&facts, &county, whole, &bundles)))
                    .collect(),
            ))
        })
        .await
}

/// A 中心校 with the 村小 bundled into it (捆绑评价), evaluated as one school.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleValue {
    pub center: SchoolValue,
    /// The bundled schools taking part in the indicator.
    pub members: Vec<String>,
    /// The 中心校's own value, before folding.
    pub own: Option<Value>,
}

/// Folds each bundled school's numerator and denominator into its 中心校's (summed, then divided).
/// Only 中心校 that take part in the indicator are listed.
pub fn fold_bundles(v: &IndicatorValue, bundles: &[(i64, i64)]) -> Vec<BundleValue> {
    let ind = &v.indicator;
    let by_id: std::collections::HashMap<i64, &SchoolValue> = v.schools.iter().map(|s| (s.school_id, s)).collect();
    let mut out: Vec<BundleValue> = Vec::new();
    for (school, center) in bundles {
        let (Some(c), Some(b)) = (by_id.get(center), by_id.get(school)) else { continue };
        let at = match out.iter().position(|x| x.center.school_id == *center) {
            Some(i) => i,
            None => {
                out.push(BundleValue { center: (*c).clone(), members: vec![], own: Some(c.value) });
                out.len() - 1
            }
        };
        let e = &mut out[at];
        let (n, d) = (e.center.value.numerator + b.value.numerator, e.center.value.denominator + b.value.denominator);
        e.center.value = Value::of(ind, n, d);
        e.center.meets = ind.target.and_then(|t| e.center.value.meets(ind, t));
        e.members.push(b.name.clone());
    }
    out
}

/// The 捆绑评价 view of an indicator for the caller's scope.
pub async fn bundled(store: &Store, actor: &Actor, v: &IndicatorValue) -> Result<Vec<BundleValue>, AppError> {
    Ok(fold_bundles(v, &store.bundles(actor).await?))
}

/// An indicator over the member schools of a 学区 or 教育集团.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupValue {
    pub name: String,
    pub kind: eduq_core::org::GroupKind,
    /// Member schools taking part in the indicator.
    pub schools: usize,
    pub value: Value,
    pub meets: Option<bool>,
    /// The core school's own value, which the members are compared with.
    pub core: Option<Value>,
}

/// Rolls an indicator's school values up to each group: numerators and denominators summed over
/// the members taking part, then divided (as for the district).
pub fn by_group(v: &IndicatorValue, members: &[eduq_store::org::GroupMember]) -> Vec<GroupValue> {
    let schools: std::collections::HashMap<i64, &SchoolValue> = v.schools.iter().map(|s| (s.school_id, s)).collect();
    let mut out: Vec<(i64, GroupValue)> = Vec::new();
    for m in members {
        let Some(school) = schools.get(&m.school_id) else { continue };
        let at = match out.iter().position(|(id, _)| *id == m.group_id) {
            Some(at) => at,
            None => {
                let empty = GroupValue {
                    name: m.group_name.clone(),
                    kind: m.kind,
                    schools: 0,
                    value: Value::default(),
                    meets: None,
                    core: None,
                };
                out.push((m.group_id, empty));
                out.len() - 1
            }
        };
        let g = &mut out[at].1;
        if m.core {
            g.core = Some(school.value);
        }
        g.schools += 1;
        g.value.numerator += school.value.numerator;
        g.value.denominator += school.value.denominator;
    }
    out.into_iter()
        .map(|(_, mut g)| {
            g.value = Value::of(&v.indicator, g.value.numerator, g.value.denominator);
            g.meets = v.indicator.target.and_then(|t| g.value.meets(&v.indicator, t));
            g
        })
        .collect()
}

/// One indicator rolled up to the caller's 学区 and 教育集团.
pub async fn groups(store: &Store, actor: &Actor, v: &IndicatorValue) -> Result<Vec<GroupValue>, AppError> {
    Ok(by_group(v, &store.group_members(actor).await?))
}

/// One indicator with its schools, those furthest from the target first.
pub async fn one(store: &Store, actor: &Actor, term: Term, key: &str) -> Result<IndicatorValue, AppError> {
    if !actor.role.reads_indicators() {
        return Err(AppError::Forbidden);
    }
    let ind = indicator(key).ok_or_else(|| AppError::Invalid(format!("未知指标“{key}”")))?;
    if eduq_core::spread::spread(key).is_some() {
        let all = library(store, actor, term).await?;
        return all.iter().find(|v| v.indicator.key == key).cloned().ok_or(AppError::NotFound);
    }
    let cohort = [ind.numerator, ind.denominator]
        .iter()
        .any(|f| matches!(f, Fact::CohortBase | Fact::JuniorCohortBase | Fact::YearOnRoll));
    let years = facts_by_year(store, actor, term, true, cohort).await?;
    let (_, facts, county) = &years[0];
    let mut v = evaluate(ind, facts, county);
    if let Some(t) = ind.target {
        v.schools.sort_by(|a, b| {
            let ga = a.value.gap(ind, t).unwrap_or(0.0);
            let gb = b.value.gap(ind, t).unwrap_or(0.0);
            gb.total_cmp(&ga).then(a.code.cmp(&b.code))
        });
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_quality_rules() {
        let ok = SchoolFacts {
            name: "甲小学".into(),
            all_pupils: 500,
            full_time: 30,
            has_conditions: true,
            teaching_area: 2500.0,
            sports_area: 4000.0,
            largest_class: 45,
            ..SchoolFacts::default()
        };
        assert!(data_quality(std::slice::from_ref(&ok)).is_empty());
        let bad = SchoolFacts { largest_class: 81, teachers_without_subject: 2, sports_area: 0.0, ..ok.clone() };
        let found = data_quality(&[ok.clone(), bad]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.len(), 3, "{:?}", found[0].1);
        let at_limit = SchoolFacts { largest_class: 80, ..ok };
        assert!(data_quality(&[at_limit]).is_empty(), "80 is allowed");
    }

    /// A group's value sums its members' parts before dividing: not the mean of their rates.
    /// 体质健康合格率 at three schools: 90 of 100, 10 of 20, 50 of 50.
    fn three_schools() -> IndicatorValue {
        let ind = *indicator("fitness_pass_rate").expect("key");
        let school = |id: i64, n: f64, d: f64| SchoolValue {
            school_id: id,
            code: id.to_string(),
            name: format!("学校{id}"),
            value: Value::of(&ind, n, d),
            meets: None,
        };
        IndicatorValue {
            indicator: ind,
            district: Value::default(),
            meets: None,
            gap: None,
            behind: 0,
            schools: vec![school(1, 90.0, 100.0), school(2, 10.0, 20.0), school(3, 50.0, 50.0)],
        }
    }

    #[test]
    fn groups_sum_their_members() {
        use eduq_core::org::GroupKind;
        use eduq_store::org::GroupMember;
        let v = three_schools();
        let member = |g: i64, name: &str, s: i64| GroupMember {
            group_id: g,
            group_name: name.into(),
            kind: GroupKind::of_name(name),
            school_id: s,
            school_code: format!("S{s}"),
            school_name: format!("学校{s}"),
            core: s == 1,
        };
        // School 4 takes no part (no pupils scored): it is not counted as a member.
        let members = [
            member(7, "城东教育集团", 1),
            member(7, "城东教育集团", 2),
            member(8, "北学区", 3),
            member(8, "北学区", 4),
        ];
        let g = by_group(&v, &members);
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].name.as_str(), g[0].kind, g[0].schools), ("城东教育集团", GroupKind::Group, 2));
        assert_eq!(g[0].value.value, Some(100.0 / 120.0 * 100.0), "100 of 120, not the mean of 90 % and 50 %");
        assert_eq!(g[0].meets, Some(false), "below 95 %");
        assert_eq!(g[0].core.and_then(|v| v.value), Some(90.0), "the core school beside its group");
        assert_eq!(g[1].core, None, "no core school named");
        assert_eq!((g[1].schools, g[1].value.value, g[1].meets), (1, Some(100.0), Some(true)));
    }

    /// The county 差异系数 as indicators, on the worked example of the CV method (five schools, X̄
    /// 6.3344, S 3.2639, CV 0.5153) put in 教学及辅助用房面积; every other input is proportional to
    /// pupils (CV 0). The 综合差异系数 is then 2 × 0.5153 ÷ 8 (用房 and 图书 vary).
    #[test]
    fn spreads_by_hand() {
        let pupils = [45_i64, 37, 89, 76, 55];
        let worked = [279.0, 137.0, 935.0, 160.0, 402.0];
        let facts: Vec<SchoolFacts> = pupils
            .iter()
            .zip(worked)
            .enumerate()
            .map(|(i, (&p, area))| SchoolFacts {
                id: i as i64 + 1,
                has_conditions: true,
                primary_pupils: p,
                all_pupils: p,
                teaching_area: area,
                books: area,
                sports_area: 2.0 * p as f64,
                equipment_value: 100.0 * p as f64,
                student_computers: p,
                full_time: p,
                associate_plus: p,
                mid_title: p,
                backbone: p,
                pe_art: p,
                multimedia_rooms: p,
                ..SchoolFacts::default()
            })
            .collect();
        let values = spreads(&facts, true, &[]);
        let get = |key: &str| values.iter().find(|v| v.indicator.key == key).expect(key);
        let area = get("cv_primary_teaching_area_per_student");
        let cv = area.district.value.expect("cv");
        assert!((cv - 0.5153).abs() < 5e-5, "{cv}");
        assert!((area.district.numerator - 3.2639).abs() < 5e-5, "S");
        assert!((area.district.denominator - 1913.0 / 302.0).abs() < 1e-9, "X̄");
        assert_eq!(area.meets, Some(false), "above the 小学 line 0.50");
        assert!((area.gap.expect("gap") - (cv - 0.50)).abs() < 1e-12);
        let even = get("cv_primary_sports_area_per_student");
        assert_eq!((even.district.value, even.meets), (Some(0.0), Some(true)));
        let composite = get("cv_basic_composite_primary").district.value.expect("composite");
        assert!((composite - 2.0 * cv / 8.0).abs() < 1e-12, "{composite}");
        assert_eq!(get("cv_junior_teaching_area_per_student").district.value, None, "no 初中 pupils");
        // The same values as the 优质均衡 board over these schools.
        let (board, basic) = crate::balance::evaluate_stage(&facts, eduq_core::balance::BalanceStage::Primary, &[]);
        assert_eq!(board.indicators[3].cv, Some(cv));
        assert_eq!(basic.composite, Some(composite));
        // A caller of one school's scope gets no county spread.
        assert!(spreads(&facts, false, &[]).iter().all(|v| v.district.value.is_none() && v.meets.is_none()));
    }

    /// 捆绑评价 by hand: 村小 2 (10 of 20) folded into 中心校 1 (90 of 100) is 100 of 120, not the
    /// mean of 90 % and 50 %; school 3, not bundled, is not listed.
    #[test]
    fn bundles_fold_into_their_center() {
        let v = three_schools();
        let folded = fold_bundles(&v, &[(2, 1), (4, 1)]);
        assert_eq!(folded.len(), 1);
        assert_eq!(folded[0].center.value.value, Some(100.0 / 120.0 * 100.0));
        assert_eq!(folded[0].own.and_then(|o| o.value), Some(90.0));
        assert_eq!(folded[0].members, ["学校2"], "school 4 takes no part");
        assert_eq!(folded[0].center.meets, Some(false), "below 95 %");
    }

    /// The district's lines, worked by hand: 24.29 m² a 小学 pupil and 26.31 an 初中 pupil (one
    /// province's figures), the access line at 千兆 unless set.
    #[test]
    fn lines_by_hand() {
        let a = SchoolFacts {
            id: 1,
            has_conditions: true,
            primary_pupils: 400,
            all_pupils: 400,
            land_area: 10_000.0,
            bandwidth_mbps: 1000.0,
            ..SchoolFacts::default()
        };
        // Needs 300 × 24.29 + 200 × 26.31 = 12,549 m²; has 12,000.
        let b = SchoolFacts {
            id: 2,
            has_conditions: true,
            primary_pupils: 300,
            junior_pupils: 200,
            all_pupils: 500,
            land_area: 12_000.0,
            bandwidth_mbps: 500.0,
            ..SchoolFacts::default()
        };
        let value = |facts: &[SchoolFacts], county: &County, key: &str| {
            evaluate(indicator(key).expect(key), facts, county).district.value
        };
        let mut facts = [a.clone(), b.clone()];
        let unset = County::default();
        with_lines(&mut facts, &unset);
        assert_eq!(value(&facts, &unset, "fast_access_rate"), Some(50.0), "千兆 by default");
        assert_eq!(value(&facts, &unset, "land_standard_rate"), None, "no line, no verdict");
        assert!((value(&facts, &unset, "land_per_pupil").expect("m²") - 22_000.0 / 900.0).abs() < 1e-9);
        let set =
            County(vec![(Fact::LandLinePrimary, 24.29), (Fact::LandLineJunior, 26.31), (Fact::AccessLineMbps, 500.0)]);
        let mut facts = [a, b];
        with_lines(&mut facts, &set);
        assert!((facts[1].land_required.expect("need") - 12_549.0).abs() < 1e-6);
        assert_eq!(value(&facts, &set, "land_standard_rate"), Some(50.0), "A meets (9,716), B not");
        assert_eq!(value(&facts, &set, "fast_access_rate"), Some(100.0), "the line at 500 Mbps");
    }

    /// The stage indicators of #22 on two schools worked by hand: a public 小学 and a 民办
    /// 九年一贯制 whose teachers are apportioned 3:1 to its stages.
    #[test]
    fn stage_indicators_by_hand() {
        let primary = SchoolFacts {
            id: 1,
            public: true,
            primary_pupils: 200,
            full_time: 10,
            bachelor_plus: 8,
            postgraduate: 1,
            stage_vision: [100, 0, 0],
            stage_myopic: [40, 0, 0],
            classes: 5,
            multimedia_rooms: 6,
            ..SchoolFacts::default()
        };
        let through = SchoolFacts {
            id: 2,
            public: false,
            primary_pupils: 300,
            junior_pupils: 100,
            full_time: 20,
            bachelor_plus: 16,
            postgraduate: 4,
            stage_vision: [120, 50, 0],
            stage_myopic: [30, 35, 0],
            classes: 10,
            multimedia_rooms: 8,
            ..SchoolFacts::default()
        };
        let facts = [primary, through];
        let value = |key: &str| evaluate(indicator(key).expect(key), &facts, &County::default()).district.value;
        let close = |key: &str, want: f64| {
            let got = value(key).expect(key);
            assert!((got - want).abs() < 1e-9, "{key}: {got} ≠ {want}");
        };
        // 近视率: (40 + 30) ÷ (100 + 120); 35 ÷ 50; no 高中 pupil screened.
        close("myopia_rate_primary", 70.0 * 100.0 / 220.0);
        close("myopia_rate_junior", 70.0);
        assert_eq!(value("myopia_rate_senior"), None);
        // 小学 teachers: 10 + 20 × 3/4 = 25, of them 本科 8 + 16 × 3/4 = 20; 初中: 5 and 4 (本科), 1 (研究生).
        close("bachelor_rate_primary", 80.0);
        close("bachelor_rate_junior", 80.0);
        close("postgraduate_rate_junior", 20.0);
        assert_eq!(value("postgraduate_rate_senior"), None);
        // 多媒体教室 (6 + 8) ÷ 15 classes; 民办 1–9 年级 400 of 600.
        close("multimedia_class_rate", 14.0 * 100.0 / 15.0);
        close("private_compulsory_share", 400.0 * 100.0 / 600.0);
        let private = indicator("private_compulsory_share").expect("key");
        assert_eq!(Value::of(private, 5.0, 100.0).meets(private, 5.0), Some(true), "5 % is within the line");
        assert_eq!(Value::of(private, 6.0, 100.0).meets(private, 5.0), Some(false));
    }
}
