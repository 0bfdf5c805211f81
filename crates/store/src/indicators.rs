//! The recorded facts behind the 优质均衡 resource indicators, per school: pupils by stage, the
//! 专任 teachers who count, and the school's conditions for the school year. Scoped like every read.

use std::collections::{HashMap, HashSet};

use eduq_core::access::{Actor, Resource};
use eduq_core::designation::Honour;
use eduq_core::grade::Grade;
use eduq_core::standards::class_size::{self, SizeBand};
use eduq_core::teacher::{BackboneLevel, Education, Post, Tier, Title};
use serde::Serialize;

use crate::org::scope_filter;
use crate::sql::ON_ROLL;
use crate::{Result, Sql, Store, StoreError};

/// 体质健康 counts of a group of results: scored, passed (not 不及格), excellent, with a vision
/// result, 筛查性近视.
const FITNESS_COUNTS: &str = "SUM(CASE WHEN f.total IS NOT NULL THEN 1 ELSE 0 END), \
     SUM(CASE WHEN f.total IS NOT NULL AND f.level <> 'fail' THEN 1 ELSE 0 END), \
     SUM(CASE WHEN f.total IS NOT NULL AND f.level = 'excellent' THEN 1 ELSE 0 END), \
     SUM(CASE WHEN f.myopia IS NOT NULL AND f.myopia <> '' THEN 1 ELSE 0 END), \
     SUM(CASE WHEN f.myopia IS NOT NULL AND f.myopia <> '' AND f.myopia <> '否' THEN 1 ELSE 0 END)";

/// 体质健康 counts of a unit (school or class), as `FITNESS_COUNTS` sums them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct FitnessCounts {
    /// Pupils with a total score.
    pub scored: i64,
    /// Of them, not 不及格.
    pub passed: i64,
    /// Of them, 优秀.
    pub excellent: i64,
    /// Pupils whose vision was screened.
    pub vision_known: i64,
    /// Of them, 近视.
    pub myopic: i64,
}

impl FitnessCounts {
    /// The five sums of `FITNESS_COUNTS` from column `at` on.
    fn read(r: &dyn crate::Get, at: usize) -> std::result::Result<FitnessCounts, sqlx::Error> {
        Ok(FitnessCounts {
            scored: r.i(at)?,
            passed: r.i(at + 1)?,
            excellent: r.i(at + 2)?,
            vision_known: r.i(at + 3)?,
            myopic: r.i(at + 4)?,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SchoolFacts {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// `None` only for facts built by hand (`Default`); the store always sets it.
    pub school_type: Option<eduq_core::org::SchoolType>,
    pub primary_pupils: i64,
    pub junior_pupils: i64,
    pub senior_pupils: i64,
    /// All pupils on roll, kindergarten included.
    pub all_pupils: i64,
    /// 在园幼儿 (小班–大班).
    pub preschool_pupils: i64,
    /// 公办, and 普惠性 (a 民办园 that is 普惠 counts for 普惠 coverage).
    pub public: bool,
    pub inclusive: bool,
    /// 巩固率 at this school (set by the caller from the 学籍 history: see `Fact::Retained`).
    pub retained: i64,
    pub cohort_base: i64,
    /// 辍学 in the school year and on roll in its first term, grades 1–9 (set by the caller from the
    /// 学籍 history, as 巩固率).
    pub year_dropouts: i64,
    pub year_on_roll: i64,
    /// 初中三年巩固率's cohort at this school (set by the caller from the 学籍 history).
    pub junior_retained: i64,
    pub junior_cohort_base: i64,
    /// 专任 teachers with 专科 or more (小学's 高于规定学历) and with 本科 or more (初中's).
    pub associate_plus: i64,
    pub bachelor_plus: i64,
    /// 专任 teachers who are 县级 or higher 骨干.
    pub backbone: i64,
    /// 专任 teachers of 体育, 音乐 or 美术.
    pub pe_art: i64,
    /// Teachers of the 名师 tier, and of the 骨干教师 tier or above (the district's ladder).
    pub master_tier: i64,
    pub backbone_tier: i64,
    /// Teachers holding the 名班主任 title at the term's end.
    pub master_head_teachers: i64,
    /// Every teacher of the term (any post), and those taking part in a 课题 running in the term.
    pub all_teachers: i64,
    pub research_teachers: i64,
    /// A teacher took part in a 课题 running in the term for this school.
    pub has_research: bool,
    pub full_time: i64,
    /// 专任 teachers with a 中级 or higher title (一级教师 and above).
    pub mid_title: i64,
    /// 专任 teachers holding the qualification 教师法 requires for the school's highest stage.
    pub qualified: i64,
    /// 专任 teachers holding a 教师资格证.
    pub certified: i64,
    pub teachers_without_subject: i64,
    /// 中小学 classes with pupils, within the standard size, 大班额, 超大班额.
    pub classes: i64,
    /// The largest class's pupils (a data-quality check: over 80 is almost surely an error).
    pub largest_class: i64,
    pub standard_classes: i64,
    pub large_classes: i64,
    pub extra_large_classes: i64,
    /// Classes of grades 1–9 with pupils, and those above their standard size (政府保障程度).
    pub compulsory_classes: i64,
    pub oversize_compulsory_classes: i64,
    /// 音乐 and 美术 专用教室 and their total areas (m²).
    pub music_rooms: i64,
    pub music_area: f64,
    pub art_rooms: i64,
    pub art_area: f64,
    pub student_computers: i64,
    pub teacher_computers: i64,
    pub fitness_scored: i64,
    pub fitness_passed: i64,
    pub fitness_excellent: i64,
    pub vision_known: i64,
    pub myopic: i64,
    /// Screened and myopic pupils of grades 1–6, 7–9 and 10–12.
    pub stage_vision: [i64; 3],
    pub stage_myopic: [i64; 3],
    /// 专任 teachers with a 研究生 degree (硕士, 博士).
    pub postgraduate: i64,
    pub has_conditions: bool,
    pub teaching_area: f64,
    pub sports_area: f64,
    pub equipment_value: f64,
    pub multimedia_rooms: i64,
    pub books: f64,
    /// 百兆 or faster internet access.
    pub bandwidth_mbps: f64,
    /// 占地面积 (m²).
    pub land_area: f64,
    /// Set by the caller from the district's lines: access at or above the line, and the land the
    /// school's pupils require (`None`: a stage without a line).
    pub fast_access: bool,
    pub land_required: Option<f64>,
    /// Classes of grades 1–9 in the term's uploaded timetables, and those meeting the curriculum
    /// in force: set by the caller from the timetable check (a computation, not a stored sum).
    pub timetable_classes: i64,
    pub timetable_complete: i64,
    /// 新改扩建 of the school completed by the term's end: places added, and projects of each
    /// kind (新建, 改建, 扩建); set by the caller from the projects.
    pub places_added: i64,
    pub projects_completed: [i64; 3],
    /// The school's own designations (智慧校园, 文明校园, 优质园 …) held on the term's last day.
    pub designations: Vec<eduq_core::honour::HonourKind>,
}

impl Store {
    /// Facts of every school in the caller's scope for a term (pupils, teachers) and its school
    /// year (conditions).
    ///
    /// Memoised per caller (scope and role) and term until the next write (`memo`): the plan
    /// dashboard, the report and each what-if read the same facts.
    /// Each class of the year with pupils on roll in the term: (school, grade, pupils). One
    /// aggregate over the term's enrolment (the class list's per-class count took 2.5–3.5 s for a
    /// province's 72,000 classes).
    async fn class_sizes(&self, actor: &Actor, term_id: i64, start_year: i32) -> Result<Vec<(i64, i64, i64)>> {
        let mut q = Sql::new(format!(
            "SELECT c.school_id, c.grade, COUNT(*) FROM enrolment e JOIN class c ON c.id = e.class_id \
             WHERE e.term_id = $1 AND e.status IN {ON_ROLL} AND c.start_year = $2"
        ))
        .bind(term_id)
        .bind(i64::from(start_year));
        scope_filter(&mut q, actor, "c.school_id", Some("c.id"), None);
        q.push(" GROUP BY c.id, c.school_id, c.grade");
        self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?, r.i(2)?))).await
    }

    pub async fn school_facts(&self, actor: &Actor, term_id: i64, start_year: i32) -> Result<Vec<SchoolFacts>> {
        if !actor.role.may_read(Resource::Teachers) || !actor.role.may_read(Resource::Conditions) {
            return Err(StoreError::Forbidden);
        }
        let key = format!("facts|{}|{term_id}|{start_year}", crate::reader_key(actor));
        self.memoised(&key, self.read_school_facts(actor, term_id, start_year)).await
    }

    async fn read_school_facts(&self, actor: &Actor, term_id: i64, start_year: i32) -> Result<Vec<SchoolFacts>> {
        // The schools alone: the facts count their own pupils and teachers.
        let mut out: Vec<SchoolFacts> = self
            .list_schools(actor, None)
            .await?
            .into_iter()
            .map(|s| SchoolFacts {
                id: s.id,
                code: s.code,
                name: s.name,
                school_type: Some(s.school_type),
                public: s.ownership == eduq_core::org::Ownership::Public,
                inclusive: s.inclusive,
                ..SchoolFacts::default()
            })
            .collect();
        let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, s)| (s.id, i)).collect();

        let mut pupils_q = Sql::new(format!(
            "SELECT e.school_id, SUM(CASE WHEN e.grade BETWEEN 1 AND 6 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN e.grade BETWEEN 7 AND 9 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN e.grade BETWEEN 10 AND 12 THEN 1 ELSE 0 END), COUNT(*), \
             SUM(CASE WHEN e.grade < 1 THEN 1 ELSE 0 END) FROM enrolment e \
             WHERE e.status IN {ON_ROLL}"
        ));
        pupils_q.push_arg(" AND e.term_id = ?", term_id);
        scope_filter(&mut pupils_q, actor, "e.school_id", None, None);
        pupils_q.push(" GROUP BY e.school_id");
        let mut teachers_q = Sql::new(
            "SELECT tt.school_id, t.education, t.subjects, t.post, t.backbone, t.title, t.certified, t.tier, t.id FROM teacher_term tt \
             JOIN teacher t ON t.id = tt.teacher_id WHERE 1=1",
        );
        teachers_q.push_arg(" AND tt.term_id = ?", term_id);
        scope_filter(&mut teachers_q, actor, "tt.school_id", None, None);
        let mut conditions_q = Sql::new(
            "SELECT c.school_id, c.teaching_area, c.sports_outdoor_area + c.sports_indoor_area, c.equipment_value, \
             c.multimedia_rooms, c.student_computers, c.teacher_computers, c.books, c.bandwidth_mbps, \
             c.music_rooms, c.music_area, c.art_rooms, c.art_area, c.land_area FROM school_condition c WHERE 1=1",
        );
        conditions_q.push_arg(" AND c.start_year = ?", i64::from(start_year));
        scope_filter(&mut conditions_q, actor, "c.school_id", None, None);
        let fitness = async {
            if !actor.role.may_read(Resource::Students) {
                return Ok(vec![]);
            }
            // Counted in SQL: a district's round is tens of thousands of rows.
            // Per school and stage (0: none of grades 1–12, 1: 小学, 2: 初中, 3: 高中).
            let mut q = Sql::new(format!(
                "SELECT f.school_id, CAST(CASE WHEN f.grade BETWEEN 1 AND 6 THEN 1 WHEN f.grade BETWEEN 7 AND 9 THEN 2 \
                 WHEN f.grade BETWEEN 10 AND 12 THEN 3 ELSE 0 END AS BIGINT), {FITNESS_COUNTS} FROM fitness_result f \
                 WHERE 1=1"
            ));
            q.push_arg(" AND f.start_year = ?", i64::from(start_year));
            scope_filter(&mut q, actor, "f.school_id", Some("f.class_id"), Some("f.student_id"));
            q.push(" GROUP BY 1, 2");
            self.fetch(&q, |r| Ok((r.i(0)?, r.i(1)?, FitnessCounts::read(r, 2)?))).await
        };
        // Independent reads side by side (WAL readers on SQLite, pooled connections on PostgreSQL).
        let (pupils, teachers, conditions, classes, fitness) = tokio::try_join!(
            self.fetch(&pupils_q, |r| Ok((r.i(0)?, r.i(1)?, r.i(2)?, r.i(3)?, r.i(4)?, r.i(5)?))),
            self.fetch(&teachers_q, |r| Ok((
                r.i(0)?,
                r.s(1)?,
                r.s(2)?,
                r.s(3)?,
                r.s(4)?,
                (r.s(5)?, r.b(6)?, r.s(7)?, r.i(8)?)
            ))),
            self.fetch(&conditions_q, |r| {
                let special = (r.i(9)?, r.f(10)?, r.i(11)?, r.f(12)?, r.f(13)?);
                Ok((r.i(0)?, r.f(1)?, r.f(2)?, r.f(3)?, r.i(4)?, r.i(5)?, r.i(6)?, (r.i(7)? as f64, r.f(8)?, special)))
            }),
            self.class_sizes(actor, term_id, start_year),
            fitness,
        )?;

        for (id, p, j, h, all, pre) in pupils {
            if let Some(&i) = index.get(&id) {
                out[i].preschool_pupils = pre;
                out[i].primary_pupils = p;
                out[i].junior_pupils = j;
                out[i].senior_pupils = h;
                out[i].all_pupils = all;
            }
        }

        // Designations and 课题 count as of the term: titles held on its last day, projects running
        // at some time within it.
        let (district_id, _) = self.district().await?;
        let (term_start, term_end) = self
            .fetch_opt(&Sql::new("SELECT start_date, end_date FROM term WHERE id = $1").bind(term_id), |r| {
                Ok((r.d(0)?, r.d(1)?))
            })
            .await?
            .ok_or(StoreError::NotFound)?;
        let (titles, taking_part, designations) = tokio::try_join!(
            self.titles_held(district_id, term_end),
            self.research_taking_part(district_id, term_start, term_end),
            self.designations_held(actor, term_end)
        )?;
        for (school, kind) in designations {
            if let Some(&i) = index.get(&school)
                && !out[i].designations.contains(&kind)
            {
                out[i].designations.push(kind);
            }
        }
        let mut held: HashMap<i64, Vec<Honour>> = HashMap::new();
        for (teacher, honour) in titles {
            held.entry(teacher).or_default().push(honour);
        }
        let researchers: HashSet<i64> = taking_part.iter().map(|(t, _)| *t).collect();
        for (_, school) in &taking_part {
            if let Some(&i) = index.get(school) {
                out[i].has_research = true;
            }
        }

        for (id, education, subjects, post, backbone, (title, certified, tier, teacher_id)) in teachers {
            let Some(&i) = index.get(&id) else { continue };
            let s = &mut out[i];
            let titles = held.get(&teacher_id).map_or(&[][..], Vec::as_slice);
            s.all_teachers += 1;
            s.research_teachers += i64::from(researchers.contains(&teacher_id));
            s.master_head_teachers += i64::from(titles.contains(&Honour::MasterHeadTeacher));
            // The ladder counts every teacher of the term (a 名师 may hold another post), on the
            // higher of the roster's tier and a title held.
            let tier = Tier::from_key(&tier).max(titles.iter().filter_map(|h| h.tier()).max());
            s.master_tier += i64::from(tier == Some(Tier::Master));
            s.backbone_tier += i64::from(matches!(tier, Some(Tier::Backbone | Tier::Master)));
            if subjects.trim().is_empty() {
                s.teachers_without_subject += 1;
            }
            if Post::from_key(&post) != Some(Post::FullTime) {
                continue;
            }
            s.full_time += 1;
            s.certified += i64::from(certified);
            s.mid_title +=
                i64::from(matches!(Title::from_key(&title), Some(Title::Senior | Title::Advanced | Title::First)));
            let education = Education::from_key(&education);
            let meets = |required| education.is_some_and(|e| e.meets(required));
            s.qualified += i64::from(meets(Education::required(s.senior_pupils > 0, s.junior_pupils > 0)));
            s.associate_plus += i64::from(meets(Education::Associate));
            s.bachelor_plus += i64::from(meets(Education::Bachelor));
            s.postgraduate += i64::from(meets(Education::Master));
            s.backbone += i64::from(BackboneLevel::from_key(&backbone).is_some_and(|b| b != BackboneLevel::None));
            s.pe_art += i64::from(eduq_core::teacher::teaches_pe_or_art(&subjects));
        }

        for (id, teaching, sports, equipment, rooms, sc, tc, (books, bandwidth, special)) in conditions {
            if let Some(&i) = index.get(&id) {
                let s = &mut out[i];
                (s.music_rooms, s.music_area, s.art_rooms, s.art_area, s.land_area) = special;
                s.books = books;
                s.bandwidth_mbps = bandwidth;
                s.has_conditions = true;
                s.student_computers = sc;
                s.teacher_computers = tc;
                s.teaching_area = teaching;
                s.sports_area = sports;
                s.equipment_value = equipment;
                s.multimedia_rooms = rooms;
            }
        }
        for (school_id, grade, students) in classes {
            let Some(&i) = index.get(&school_id) else { continue };
            let Some(grade) = Grade::new(i8::try_from(grade).unwrap_or(0)).filter(|g| (1..=12).contains(&g.number()))
            else {
                continue;
            };
            let band = class_size::band(grade, u32::try_from(students).unwrap_or(u32::MAX));
            let s = &mut out[i];
            if grade.number() <= 9 {
                s.compulsory_classes += 1;
                s.oversize_compulsory_classes += i64::from(band != SizeBand::Standard);
            }
            s.classes += 1;
            s.largest_class = s.largest_class.max(students);
            match band {
                SizeBand::Standard => s.standard_classes += 1,
                SizeBand::Large => s.large_classes += 1,
                SizeBand::ExtraLarge => s.extra_large_classes += 1,
                SizeBand::AboveStandard => {}
            }
        }
        for (id, stage, k) in fitness {
            if let Some(&i) = index.get(&id) {
                let s = &mut out[i];
                s.fitness_scored += k.scored;
                s.fitness_passed += k.passed;
                s.fitness_excellent += k.excellent;
                s.vision_known += k.vision_known;
                s.myopic += k.myopic;
                if let Some(at) = usize::try_from(stage - 1).ok().filter(|at| *at < 3) {
                    s.stage_vision[at] += k.vision_known;
                    s.stage_myopic[at] += k.myopic;
                }
            }
        }
        Ok(out)
    }
}

impl Store {
    /// 随迁子女 of grades 1–9 on roll in the term within the caller's scope: (all, in 公办 schools
    /// or in 民办 schools flagged 政府购买学位).
    /// A count per county built from special-group flags, so only the roles that read those flags
    /// get it; no pupil is listed.
    pub async fn migrant_counts(&self, actor: &Actor, term_id: i64) -> Result<(i64, i64)> {
        if !actor.role.reads_special_groups() {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(format!(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN sc.ownership = 'public' OR sc.purchased_places THEN 1 ELSE 0 END), 0) \
             FROM enrolment e JOIN student st ON st.id = e.student_id JOIN school sc ON sc.id = e.school_id \
             WHERE st.migrant = TRUE AND e.grade BETWEEN 1 AND 9 AND e.status IN {ON_ROLL}"
        ));
        q.push_arg(" AND e.term_id = ?", term_id);
        scope_filter(&mut q, actor, "e.school_id", Some("e.class_id"), Some("e.student_id"));
        Ok(self.fetch_opt(&q, |r| Ok((r.i(0)?, r.i(1)?))).await?.unwrap_or((0, 0)))
    }
}

/// A denominator the district supplies for a school year, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistrictInput {
    pub start_year: i32,
    pub key: String,
    pub value: f64,
    pub source: String,
    pub updated_by: String,
}

impl DistrictInput {
    /// The input stored under `key` for a school year, among those `district_inputs` read.
    pub fn find<'a>(held: &'a [DistrictInput], start_year: i32, key: &str) -> Option<&'a DistrictInput> {
        held.iter().find(|i| i.start_year == start_year && i.key == key)
    }
}

impl Store {
    /// The district's inputs for the school years up to `upto`, by year: district figures read
    /// with the indicators, so by the roles that read the per-school facts.
    pub async fn district_inputs(&self, actor: &Actor, upto: i32) -> Result<Vec<DistrictInput>> {
        if !actor.role.may_read(Resource::Conditions) {
            return Err(StoreError::Forbidden);
        }
        self.fetch(
            &Sql::new(
                "SELECT start_year, key, value, source, updated_by FROM district_input WHERE start_year <= $1 \
                 ORDER BY start_year, key",
            )
            .bind(i64::from(upto)),
            |r| {
                Ok(DistrictInput {
                    start_year: r.i(0)? as i32,
                    key: r.s(1)?,
                    value: r.f(2)?,
                    source: r.s(3)?,
                    updated_by: r.s(4)?,
                })
            },
        )
        .await
    }

    /// Sets one input (bureau staff only), audited with the old and the new value.
    pub async fn save_district_input(
        &self,
        actor: &Actor,
        input: &DistrictInput,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        if !actor.role.may_write(Resource::Schools) || actor.scope != eduq_core::access::Scope::District {
            return Err(StoreError::Forbidden);
        }
        let (district_id, _) = self.district().await?;
        let mut tx = self.begin().await?;
        let old = tx
            .fetch(
                &Sql::new("SELECT value FROM district_input WHERE district_id = $1 AND start_year = $2 AND key = $3")
                    .bind(district_id)
                    .bind(i64::from(input.start_year))
                    .bind(input.key.as_str()),
                |r| r.f(0),
            )
            .await?;
        tx.exec(
            &Sql::new(
                "INSERT INTO district_input (district_id, start_year, key, value, source, updated_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (district_id, start_year, key) \
                 DO UPDATE SET value = excluded.value, source = excluded.source, updated_by = excluded.updated_by",
            )
            .bind(district_id)
            .bind(i64::from(input.start_year))
            .bind(input.key.as_str())
            .bind(input.value)
            .bind(input.source.as_str())
            .bind(actor.username.as_str()),
        )
        .await?;
        let detail = format!(
            "{}：{} → {}（来源：{}）",
            input.key,
            old.first().map_or("无".to_string(), |v| v.to_string()),
            input.value,
            input.source
        );
        tx.audit(actor, at, "district_input", &format!("district_input:{}", input.start_year), &detail).await?;
        tx.commit().await
    }
}

impl Store {
    /// 体质健康 counts per class of one school in a school year, by class id. Scoped like every
    /// read of pupils' results.
    pub async fn class_fitness_counts(
        &self,
        actor: &Actor,
        school_id: i64,
        start_year: i32,
    ) -> Result<Vec<(i64, FitnessCounts)>> {
        if !actor.role.may_read(Resource::Students) {
            return Err(StoreError::Forbidden);
        }
        let mut q =
            Sql::new(format!("SELECT f.class_id, {FITNESS_COUNTS} FROM fitness_result f WHERE f.class_id IS NOT NULL"));
        q.push_arg(" AND f.start_year = ?", i64::from(start_year));
        q.push_arg(" AND f.school_id = ?", school_id);
        scope_filter(&mut q, actor, "f.school_id", Some("f.class_id"), Some("f.student_id"));
        q.push(" GROUP BY f.class_id");
        self.fetch(&q, |r| Ok((r.i(0)?, FitnessCounts::read(r, 1)?))).await
    }
}
