//! Store and use-case tests, run on SQLite and on PostgreSQL (EDUQ_TEST_PG_URL, a unique
//! schema per run; EDUQ_REQUIRE_PG=1 makes its absence a failure, as in CI).

use chrono::{TimeZone, Utc};
use eduq_app::accounts::{NewUserInput, create_user, login};
use eduq_app::imports::{export_kind, import_file};
use eduq_app::{AppError, Store};
use eduq_core::access::{Actor, Role, Scope};
use eduq_core::calendar::Term;
use eduq_exchange::kinds::Kind;
use eduq_store::people::{StudentQuery, StudentSort};
use eduq_synth::Spec;

const PW: &str = "Demo@2026pass";

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).single().expect("time")
}

/// A name no other test of this run (tests run in parallel threads) nor an earlier run uses.
fn unique(prefix: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

async fn stores() -> Vec<(Store, String)> {
    let dir = std::env::temp_dir().join(unique("eduq_test"));
    std::fs::create_dir_all(&dir).expect("tmp");
    let sqlite = Store::connect(&format!("sqlite://{}", dir.join("t.db").display()))
        .await
        .unwrap_or_else(|e| panic!("sqlite: {e}"));
    let mut out = vec![(sqlite, "SQLite".to_string())];
    match std::env::var("EDUQ_TEST_PG_URL") {
        Ok(url) => {
            let pg = Store::connect_pg_schema(&url, &unique("t")).await.expect("postgres");
            out.push((pg, "PostgreSQL".to_string()));
        }
        Err(_) if std::env::var("EDUQ_REQUIRE_PG").is_ok() => panic!("EDUQ_TEST_PG_URL is required"),
        Err(_) => eprintln!("EDUQ_TEST_PG_URL not set: PostgreSQL half skipped"),
    }
    for (s, _) in &out {
        s.migrate().await.expect("migrate");
    }
    out
}

const CURRENT: Term = Term { start_year: 2026, term_no: 1 };

async fn seeded() -> Vec<(Store, String)> {
    let all = stores().await;
    for (s, _) in &all {
        let spec = Spec { seed: 11, students: 1_500, current: CURRENT, years: 2 };
        eduq_app::demo::seed(s, &spec, PW, now()).await.expect("seed");
    }
    all
}

async fn term_id(s: &Store) -> i64 {
    s.term_id(CURRENT).await.expect("term").expect("exists")
}

#[tokio::test]
async fn import_is_idempotent_and_round_trips() {
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let tid = term_id(&s).await;
        let eduq_store::KeyPage { total, .. } = s
            .list_students(&admin, &StudentQuery { term_id: tid, per_page: 10, ..Default::default() })
            .await
            .expect("list");
        assert!(total > 1_000, "{name}: {total}");
        for kind in Kind::ALL {
            let file = export_kind(&s, &admin, *kind, CURRENT, false, now()).await.expect("export");
            let out = import_file(&s, &admin, *kind, &file, "again.xlsx", false, now()).await.expect("reimport");
            assert_eq!(out.counts.inserted + out.counts.updated, 0, "{name} {kind:?}: {:?}", out.counts);
            assert_eq!(out.counts.unchanged as usize, out.rows, "{name} {kind:?}");
        }
        let eduq_store::KeyPage { total: again, .. } = s
            .list_students(&admin, &StudentQuery { term_id: tid, per_page: 10, ..Default::default() })
            .await
            .expect("list");
        assert_eq!(total, again, "{name}");
        // 校区 is stored and exported: the synthetic district runs second sites.
        let classes = s.export_classes(&admin, CURRENT.start_year).await.expect("classes");
        assert!(classes.iter().any(|c| c.campus.as_deref() == Some("北校区")), "{name}");
        assert!(classes.iter().any(|c| c.campus.is_none()), "{name}");
    }
}

#[tokio::test]
async fn a_bad_row_applies_nothing() {
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let mut file = export_kind(&s, &admin, Kind::Students, CURRENT, true, now()).await.expect("export");
        let text = String::from_utf8(file.clone()).expect("utf8");
        // Change one name (would be an update) and break one date: nothing may land.
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let first: Vec<String> = lines[1].split(',').map(str::to_string).collect();
        let old_name = first[6].clone();
        lines[1] = lines[1].replacen(&old_name, "改名测试", 1);
        let bad: Vec<String> = lines[2]
            .split(',')
            .map(|c| {
                if c.len() == 10 && c.starts_with("20") && c.contains('-') {
                    "2013-02-30".to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        lines[2] = bad.join(",");
        file = lines.join("\n").into_bytes();
        let err = import_file(&s, &admin, Kind::Students, &file, "bad.csv", false, now()).await.expect_err("must fail");
        let msgs: Vec<String> = err.row_errors().iter().map(ToString::to_string).collect();
        assert!(msgs.iter().any(|m| m.starts_with("第3行「出生日期」的值“2013-02-30”")), "{name}: {msgs:?}");
        let tid = term_id(&s).await;
        let eduq_store::KeyPage { rows, .. } = s
            .list_students(
                &admin,
                &StudentQuery { term_id: tid, q: Some("改名测试".into()), per_page: 5, ..Default::default() },
            )
            .await
            .expect("list");
        assert!(rows.is_empty(), "{name}: a failed file changed data");
    }
}

#[tokio::test]
async fn school_admin_sees_only_own_school() {
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let tid = term_id(&s).await;
        let schools = s.list_schools(&admin, Some(tid)).await.expect("schools");
        let (a, b) = (&schools[1], &schools[2]);
        let principal = Actor {
            user_id: 99,
            username: "p".into(),
            display_name: "p".into(),
            role: Role::SchoolAdmin,
            scope: Scope::School(a.id),
        };
        let eduq_store::KeyPage { rows, total, .. } = s
            .list_students(&principal, &StudentQuery { term_id: tid, per_page: 200, ..Default::default() })
            .await
            .expect("list");
        assert_eq!(total, a.students, "{name}");
        assert!(rows.iter().all(|r| r.school_name == a.name), "{name}");
        // Walking the pages by keyset, in every order, yields each pupil once, in order.
        for sort in [StudentSort::Class, StudentSort::Name, StudentSort::StudentNo, StudentSort::Birth] {
            let (mut seen, mut after) = (Vec::new(), None);
            loop {
                let q = StudentQuery { term_id: tid, per_page: 37, after: after.take(), sort, ..Default::default() };
                let page = s.list_students(&principal, &q).await.expect("page");
                assert_eq!(page.total, a.students, "{name} {sort:?}");
                assert!(page.rows.len() <= 37);
                seen.extend(page.rows);
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            let mut ids: Vec<i64> = seen.iter().map(|r| r.id).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len() as i64, a.students, "{name} {sort:?}: every pupil once");
            if sort == StudentSort::Birth {
                assert!(seen.windows(2).all(|w| w[0].birth_date <= w[1].birth_date), "{name}: by birth");
            }
        }
        let bad = StudentQuery { term_id: tid, after: Some("[1]".into()), ..Default::default() };
        assert!(matches!(s.list_students(&principal, &bad).await, Err(eduq_store::StoreError::Invalid(_))), "{name}");
        // Asking for another school's pupils by filter still yields nothing.
        let eduq_store::KeyPage { total: other, .. } = s
            .list_students(
                &principal,
                &StudentQuery { term_id: tid, school_id: Some(b.id), per_page: 5, ..Default::default() },
            )
            .await
            .expect("list");
        assert_eq!(other, 0, "{name}");
        // A pupil of school B by id: not found.
        let eduq_store::KeyPage { rows: b_rows, .. } = s
            .list_students(
                &admin,
                &StudentQuery { term_id: tid, school_id: Some(b.id), per_page: 1, ..Default::default() },
            )
            .await
            .expect("list");
        let err = s.student_detail(&principal, b_rows[0].id, now()).await.expect_err("hidden");
        assert!(matches!(err, eduq_store::StoreError::NotFound), "{name}");
        assert_eq!(s.list_schools(&principal, Some(tid)).await.expect("schools").len(), 1);
        let export = s.export_students(&principal, CURRENT).await.expect("export");
        assert!(export.iter().all(|r| r.school_code == a.code), "{name}");
        // Importing rows of another school is refused with a row error.
        let other_file = export_kind(&s, &admin, Kind::Students, CURRENT, true, now()).await.expect("export");
        let err =
            import_file(&s, &principal, Kind::Students, &other_file, "x.csv", true, now()).await.expect_err("scope");
        assert!(err.row_errors().iter().any(|e| e.message.contains("不在您的管理范围内")), "{name}");
    }
}

/// Security regression (#24.1): a principal's import cannot rename or move a pupil or teacher of
/// another school by naming their 学籍号 or 工号 with the principal's own school code.
#[tokio::test]
async fn security_import_never_writes_a_person_of_another_school() {
    use eduq_exchange::kinds::{Batch, export};
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let tid = term_id(&s).await;
        let schools = s.list_schools(&admin, Some(tid)).await.expect("schools");
        let (a, b) = (&schools[1], &schools[2]);
        let principal = actor("p", Role::SchoolAdmin, Scope::School(a.id));
        let all = s.export_students(&admin, CURRENT).await.expect("pupils");
        let own = all.iter().find(|r| r.school_code == a.code).expect("a pupil of A");
        let mut stolen = all.iter().find(|r| r.school_code == b.code).expect("a pupil of B").clone();
        let original = stolen.clone();
        (stolen.school_code, stolen.grade, stolen.class_no) = (a.code.clone(), own.grade, own.class_no);
        stolen.name = "改名测试".into();
        let file = export(&Batch::Students(vec![own.clone(), stolen.clone()]), true).expect("file");
        let err = import_file(&s, &principal, Kind::Students, &file, "x.csv", false, now()).await.expect_err("refused");
        let rows = err.row_errors();
        assert_eq!(rows.len(), 1, "{name}: {rows:?}");
        assert_eq!(
            rows[0].to_string(),
            format!("第3行「全国学籍号」的值“{}”该学生属于其他学校，请通过转学办理", stolen.student_no)
        );
        let after = s.export_students(&admin, CURRENT).await.expect("pupils");
        assert!(after.contains(&original), "{name}: the pupil of B is untouched");
        // Teachers by 工号 (sequential, guessable): the same rule.
        let teachers = s.export_teachers(&admin, CURRENT).await.expect("teachers");
        let mut t = teachers.iter().find(|r| r.school_code == b.code).expect("a teacher of B").clone();
        (t.school_code, t.name) = (a.code.clone(), "改名测试".into());
        let file = export(&Batch::Teachers(vec![t.clone()]), false).expect("file");
        let err =
            import_file(&s, &principal, Kind::Teachers, &file, "t.xlsx", false, now()).await.expect_err("refused");
        assert!(err.row_errors().iter().any(|e| e.message.contains("该教师属于其他学校")), "{name}");
        // The bureau may (it records the move itself), and the principal's own people still import.
        let own_file = export_kind(&s, &principal, Kind::Students, CURRENT, true, now()).await.expect("own");
        let out = import_file(&s, &principal, Kind::Students, &own_file, "own.csv", true, now()).await.expect("own");
        assert_eq!(out.counts.unchanged as usize, out.rows, "{name}");
        import_file(&s, &admin, Kind::Teachers, &file, "t.xlsx", true, now()).await.expect("bureau");
    }
}

#[tokio::test]
async fn special_groups_only_for_roles_that_need_them_and_audited() {
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let tid = term_id(&s).await;
        let eduq_store::KeyPage { rows, .. } = s
            .list_students(&admin, &StudentQuery { term_id: tid, per_page: 1, ..Default::default() })
            .await
            .expect("list");
        let id = rows[0].id;
        let leader = Actor {
            role: Role::Leader,
            user_id: 5,
            username: "leader".into(),
            display_name: "l".into(),
            scope: Scope::District,
        };
        assert!(s.student_detail(&leader, id, now()).await.expect("detail").flags.is_none(), "{name}");
        let staff = Actor { role: Role::Staff, ..leader.clone() };
        let d = s.student_detail(&staff, id, now()).await.expect("detail");
        assert!(d.flags.is_some());
        assert!(d.id_card_masked.contains("****"));
        let (log, _) = s
            .search_audit(
                &admin,
                &eduq_store::audit::AuditQuery {
                    action: Some("read_special_groups".into()),
                    per_page: 10,
                    ..Default::default()
                },
            )
            .await
            .expect("audit");
        assert!(log.iter().any(|e| e.target == format!("student:{}", d.student_no)), "{name}");
    }
}

#[tokio::test]
async fn login_lockout_and_password_policy() {
    const A: &str = "client-a";
    const B: &str = "client-b";
    for (s, name) in seeded().await {
        assert!(login(&s, "admin", PW, A, now()).await.is_ok(), "{name}");
        for _ in 0..5 {
            assert!(matches!(login(&s, "admin", "wrong", A, now()).await, Err(AppError::BadLogin)));
        }
        // The guessing client waits; the owner, from elsewhere, is not kept out (#24.6).
        assert!(matches!(login(&s, "admin", PW, A, now()).await, Err(AppError::BadLogin)), "{name}");
        assert!(login(&s, "admin", PW, B, now()).await.is_ok(), "{name}: the owner logs in");
        let later = now() + chrono::Duration::minutes(16);
        assert!(login(&s, "admin", PW, A, later).await.is_ok(), "{name}");
        // An unknown account answers exactly as a known one, waits included.
        let unknown = login(&s, "nobody", "wrong", A, now()).await.map(|_| ()).expect_err("unknown");
        let known = login(&s, "leader", "wrong", A, now()).await.map(|_| ()).expect_err("known");
        assert_eq!(unknown.to_string(), known.to_string(), "{name}");
        let weak = NewUserInput {
            username: "x".into(),
            display_name: "x".into(),
            password: "short".into(),
            role: Role::Leader,
            school_id: None,
            class_ids: vec![],
            student_ids: vec![],
            school_ids: vec![],
        };
        assert!(matches!(create_user(&s, &Actor::system(), weak, now()).await, Err(AppError::Invalid(_))));
    }
}

/// Security regression (#24.6): 64 parallel wrong passwords check at most the limit; every lock is
/// audited; an administrator lifts the wait.
#[tokio::test]
async fn security_parallel_guesses_stop_at_the_limit() {
    use eduq_core::standards::password::MAX_FAILURES;
    for (s, name) in seeded().await {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..64 {
            let s = s.clone();
            set.spawn(async move { login(&s, "principal", "wrong", "client-x", now()).await.is_err() });
        }
        while let Some(refused) = set.join_next().await {
            assert!(refused.expect("task"), "{name}");
        }
        let audit = |action: &str| {
            let s = s.clone();
            let action = action.to_string();
            async move {
                let q = eduq_store::audit::AuditQuery {
                    action: Some(action),
                    username: Some("principal".into()),
                    per_page: 10,
                    ..Default::default()
                };
                s.search_audit(&Actor::system(), &q).await.expect("audit").1 as usize
            }
        };
        assert_eq!(audit("login_failed").await, MAX_FAILURES as usize, "{name}: passwords checked");
        assert_eq!(audit("login_throttled").await, 64 - MAX_FAILURES as usize, "{name}");
        assert_eq!(audit("login_lock").await, 1, "{name}: the lock is audited");
        assert!(login(&s, "principal", PW, "client-x", now()).await.is_err(), "{name}");
        let user = s.system().user_by_name("principal").await.expect("user").expect("exists");
        let unlock = eduq_app::accounts::UserUpdate {
            active: true,
            class_ids: vec![],
            student_numbers: vec![],
            school_ids: vec![],
            new_password: None,
            unlock: true,
            staff_no: None,
        };
        eduq_app::accounts::update_user(&s, &Actor::system(), user.id, unlock, now()).await.expect("unlock");
        assert!(login(&s, "principal", PW, "client-x", now()).await.is_ok(), "{name}: unlocked");
        // Guesses at names that do not exist are forgotten a day after their last try, when anyone
        // logs in; the table does not grow without end.
        let rows = || {
            let s = s.clone();
            async move {
                let q = eduq_store::Sql::new("SELECT COUNT(*) FROM login_throttle WHERE account LIKE 'nobody%'");
                s.system().scalar(&q).await.expect("count")
            }
        };
        for i in 0..3 {
            let _ = login(&s, &format!("nobody{i}"), "x", "client-y", now()).await;
        }
        assert_eq!(rows().await, 3, "{name}");
        let kept = now() + chrono::Duration::hours(eduq_core::standards::password::ATTEMPTS_KEPT_HOURS);
        assert!(login(&s, "principal", PW, "client-z", kept).await.is_ok());
        assert_eq!(rows().await, 3, "{name}: kept for a day");
        assert!(login(&s, "principal", PW, "client-z", kept + chrono::Duration::seconds(1)).await.is_ok());
        assert_eq!(rows().await, 0, "{name}: forgotten after it");
    }
}

#[tokio::test]
async fn lockout_and_idle_timeout_boundaries() {
    use eduq_app::accounts::session;
    use eduq_core::standards::password::{IDLE_TIMEOUT_MINUTES, LOCK_MINUTES, MAX_FAILURES};
    for (s, name) in seeded().await {
        // One failure short of the limit: the right password still works and resets the count.
        const A: &str = "client-a";
        for _ in 0..MAX_FAILURES - 1 {
            assert!(matches!(login(&s, "staff", "wrong", A, now()).await, Err(AppError::BadLogin)));
        }
        assert!(login(&s, "staff", PW, A, now()).await.is_ok(), "{name}");
        for _ in 0..MAX_FAILURES {
            assert!(matches!(login(&s, "staff", "wrong", A, now()).await, Err(AppError::BadLogin)));
        }
        let lock = chrono::Duration::minutes(LOCK_MINUTES);
        let just_before = now() + lock - chrono::Duration::seconds(1);
        assert!(matches!(login(&s, "staff", PW, A, just_before).await, Err(AppError::BadLogin)), "{name}");
        assert!(login(&s, "staff", PW, A, now() + lock).await.is_ok(), "{name}");
        // Growing waits: after the first wait, each further failure waits one more period.
        for _ in 0..MAX_FAILURES {
            let _ = login(&s, "staff", "wrong", A, now() + lock).await;
        }
        let second = now() + lock * 2;
        assert!(login(&s, "staff", "wrong", A, second).await.is_err());
        assert!(login(&s, "staff", PW, A, second + lock).await.is_err(), "{name}: 30 minutes now");
        assert!(login(&s, "staff", PW, A, second + lock * 2).await.is_ok(), "{name}");

        let idle = chrono::Duration::minutes(IDLE_TIMEOUT_MINUTES);
        let a = login(&s, "leader", PW, "client-c", now()).await.expect("login");
        assert!(session(&s, &a.token, now() + idle).await.expect("session").is_some(), "{name}");
        let b = login(&s, "leader", PW, "client-c", now()).await.expect("login");
        let late = now() + idle + chrono::Duration::seconds(1);
        assert!(session(&s, &b.token, late).await.expect("session").is_none(), "{name}");
        // A busy session still ends 12 hours after login (absolute lifetime, #24.7).
        let c = login(&s, "leader", PW, "client-c", now()).await.expect("login");
        let step = chrono::Duration::minutes(20);
        let mut t = now();
        while t + step < now() + chrono::Duration::hours(12) {
            t += step;
            assert!(session(&s, &c.token, t).await.expect("session").is_some(), "{name}: busy at {t}");
        }
        let after = now() + chrono::Duration::hours(12) + chrono::Duration::seconds(1);
        assert!(session(&s, &c.token, after).await.expect("session").is_none(), "{name}: 12 h");
    }
}

#[tokio::test]
async fn unknown_schools_are_reported_together_with_malformed_rows() {
    for (s, name) in seeded().await {
        let first = "11010520180315002";
        let id = format!("G{first}{}", eduq_core::identity::id_check_char(first).expect("digits"));
        let known = s.list_schools(&Actor::system(), None).await.expect("schools")[10].code.clone();
        let file = format!(
            "学年,学期,学校标识码,年级,班号,全国学籍号,姓名,性别,出生日期\n\
             2026-2027,第一学期,{known},三年级,1,{id},甲,女,2018-02-30\n\
             2026-2027,第一学期,9999999999,三年级,1,{id},乙,女,2018-03-15\n"
        );
        let err = import_file(&s, &Actor::system(), Kind::Students, file.as_bytes(), "x.csv", false, now())
            .await
            .expect_err("must fail");
        let msgs: Vec<String> = err.row_errors().iter().map(ToString::to_string).collect();
        assert!(msgs.contains(&"第2行「出生日期」的值“2018-02-30”不是有效日期".to_string()), "{name}: {msgs:?}");
        assert!(
            msgs.contains(&"第3行「学校标识码」的值“9999999999”不存在，请先导入学校或检查代码".to_string()),
            "{name}: {msgs:?}"
        );
    }
}

/// The 优质均衡 inputs from the store equal a recomputation from the exported records, on both
/// backends, and the evaluation agrees between them.
#[tokio::test]
async fn balance_inputs_match_the_exported_records_on_both_backends() {
    use eduq_core::balance::BalanceStage;
    let mut results = Vec::new();
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let tid = term_id(&s).await;
        let facts = s.school_facts(&admin, tid, CURRENT.start_year).await.expect("facts");
        let conditions = s.export_conditions(&admin, Some(CURRENT.start_year)).await.expect("conditions");
        let teachers = s.export_teachers(&admin, CURRENT).await.expect("teachers");
        for f in facts.iter().filter(|f| f.has_conditions) {
            let c = conditions.iter().find(|c| c.school_code == f.code).expect("condition row");
            assert_eq!(f.equipment_value, c.equipment_value, "{name}");
            assert_eq!(f.sports_area, c.sports_outdoor_area + c.sports_indoor_area, "{name}");
            let own: Vec<_> = teachers
                .iter()
                .filter(|t| t.school_code == f.code && t.post == eduq_core::teacher::Post::FullTime)
                .collect();
            assert_eq!(f.full_time as usize, own.len(), "{name} {}", f.code);
            let pe_art = own
                .iter()
                .filter(|t| t.subjects.iter().any(|x| ["体育", "音乐", "美术"].contains(&x.as_str())))
                .count();
            assert_eq!(f.pe_art as usize, pe_art, "{name} {}", f.code);
            use eduq_core::teacher::Title;
            let mid = own.iter().filter(|t| matches!(t.title, Title::Senior | Title::Advanced | Title::First)).count();
            assert_eq!(f.mid_title as usize, mid, "{name} {}", f.code);
            assert_eq!((f.books, f.bandwidth_mbps), (c.books as f64, c.bandwidth_mbps), "{name}");
        }
        let report = eduq_app::balance::evaluate_district(&s, &admin, CURRENT, BalanceStage::Primary, None)
            .await
            .expect("evaluate");
        assert!(!report.evaluation.schools.is_empty(), "{name}");
        // 基本均衡: the mean of its 8 coefficients, each recomputed here from the same inputs.
        let inputs: Vec<_> = facts
            .iter()
            .filter(|f| {
                use eduq_core::org::SchoolType::{Special, TeachingPoint};
                f.school_type != Some(Special) && !(f.school_type == Some(TeachingPoint) && f.primary_pupils < 50)
            })
            .filter_map(|f| eduq_app::balance::basic_input(f, BalanceStage::Primary))
            .collect();
        let p: Vec<f64> = inputs.iter().map(|i| i.students).collect();
        let cvs: Vec<f64> = (0..8)
            .map(|k| {
                let factor = eduq_core::standards::basic_balance::INDICATORS[k].factor;
                let x: Vec<f64> = inputs.iter().map(|i| i.numerators[k] / i.students * factor).collect();
                eduq_core::balance::weighted_cv(&p, &x).expect("cv")
            })
            .collect();
        let composite = report.basic.composite.expect("composite");
        assert!((composite - cvs.iter().sum::<f64>() / 8.0).abs() < 1e-12, "{name}");
        assert_eq!(report.basic.pass, composite <= 0.65, "{name}");
        results.push(report.evaluation);
    }
    if results.len() == 2 {
        assert_eq!(results[0], results[1], "SQLite and PostgreSQL agree");
    }
}

/// A 体质健康 round: applied once, re-imported without change, refused whole for an unknown pupil or
/// an impossible value, and summarised within the caller's scope, on both backends.
#[tokio::test]
async fn fitness_round_import_and_statistics() {
    use eduq_app::fitness::{import_fitness, overview};
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let students = s.export_students(&admin, CURRENT).await.expect("students");
        let on_roll: Vec<_> =
            students.iter().filter(|x| x.status.is_on_roll() && x.grade.number() >= 1).take(300).collect();
        let classes: Vec<String> = on_roll.iter().map(|x| format!("{}班", x.class_no)).collect();
        let pupils: Vec<eduq_synth::fitness::Pupil> = on_roll
            .iter()
            .zip(&classes)
            .map(|(x, c)| eduq_synth::fitness::Pupil {
                student_no: &x.student_no,
                grade: x.grade.number() as u8,
                sex: x.sex,
                class: c,
            })
            .collect();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(eduq_synth::fitness::HEADERS).unwrap();
        eduq_synth::fitness::rows_for(99, &pupils, false, eduq_synth::fitness::Times::Dotted, |r| {
            w.write_record(r).unwrap()
        });
        let file = w.into_inner().unwrap();
        let first = import_fitness(&s, &admin, CURRENT, &file, "round.csv", false, now()).await.expect("import");
        assert_eq!(first.rows, 300, "{name}");
        assert!(first.counts.updated + first.counts.inserted > 0, "{name}: the demo's round is replaced");
        let again = import_fitness(&s, &admin, CURRENT, &file, "round.csv", false, now()).await.expect("again");
        assert_eq!((again.counts.inserted, again.counts.updated, again.counts.unchanged), (0, 0, 300), "{name}");

        // An unknown pupil and an impossible value: every bad row named, nothing applied.
        let text = String::from_utf8(file.clone()).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines[1] = lines[1].replacen(&on_roll[0].student_no, "G0000000000000000X", 1);
        let mut cells: Vec<String> = lines[2].split(',').map(str::to_string).collect();
        cells[10] = "2.5".into();
        lines[2] = cells.join(",");
        let before = s.fitness_rows(&admin, CURRENT.start_year).await.expect("rows");
        match import_fitness(&s, &admin, CURRENT, lines.join("\n").as_bytes(), "bad.csv", false, now()).await {
            Err(AppError::Rows(rows)) => {
                let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
                assert!(text[0].starts_with("第2行「学籍号」的值“G0000000000000000X”不是"), "{text:?}");
                assert!(text[1].starts_with("第3行：肺活量“2.5”"), "{text:?}");
            }
            other => panic!("{name}: expected row errors, got {other:?}"),
        }
        assert_eq!(s.fitness_rows(&admin, CURRENT.start_year).await.expect("rows"), before, "{name}: nothing applied");

        // Statistics: the district sees every school, a school administrator only its own.
        let o = overview(&s, &admin, CURRENT).await.expect("overview");
        assert_eq!(o.total.stats.results, before.len(), "{name}");
        assert!(o.total.stats.pass_rate().is_some_and(|r| r > 50.0 && r <= 100.0), "{name}");
        // Each 学区 and 集团 pools its schools' pupils (not a mean of their rates); its core school follows.
        let members = s.group_members(&admin).await.expect("members");
        assert!(!o.groups.is_empty(), "{name}: the demo's groups");
        for g in o.groups.iter().filter(|g| !g.label.starts_with('　')) {
            let names: Vec<&str> =
                members.iter().filter(|m| m.group_name == g.label).map(|m| m.school_name.as_str()).collect();
            let of: Vec<_> = o.units.iter().filter(|u| names.contains(&u.label.as_str())).collect();
            let sum = |f: fn(&eduq_core::fitness::RoundStats) -> usize| of.iter().map(|u| f(&u.stats)).sum::<usize>();
            assert_eq!(g.stats.results, sum(|s| s.results), "{name}: {}", g.label);
            assert_eq!(g.stats.scored, sum(|s| s.scored), "{name}: {}", g.label);
            let passed = |s: &eduq_core::fitness::RoundStats| s.excellent + s.good + s.pass;
            assert_eq!(passed(&g.stats), sum(passed), "{name}: {}", g.label);
        }
        let school_id = before[0].school_id;
        let principal = Actor { scope: Scope::School(school_id), role: Role::SchoolAdmin, ..Actor::system() };
        let own = s.fitness_rows(&principal, CURRENT.start_year).await.expect("own");
        assert!(!own.is_empty() && own.iter().all(|r| r.school_id == school_id), "{name}");
        assert_eq!(overview(&s, &principal, CURRENT).await.expect("o").unit_kind, "班级");
    }
}

/// Roll calls on both backends: three days of 旷课 put a pupil on the warning list; a future day
/// and a pupil of another class are refused.
#[tokio::test]
async fn roll_calls_feed_the_warning_list() {
    use eduq_app::alerts::risk_list;
    use eduq_app::roll_desk::RollDesk;
    use eduq_core::attendance::{Rules, Status};
    use eduq_store::attendance::RollEntry;
    for (s, name) in seeded().await {
        let desk = RollDesk::open(s.clone());
        let admin = Actor::system();
        let tid = term_id(&s).await;
        let classes = s.list_classes(&admin, CURRENT.start_year, Some(tid), None).await.expect("classes");
        // 控辍保学 warns in grades 1–9 only.
        let compulsory =
            |c: &&eduq_store::org::ClassRow| eduq_core::grade::Grade::is_compulsory_number(c.grade.number());
        let class = classes.iter().filter(compulsory).find(|c| c.students > 3).expect("a class");
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let (pupils, _) = s.roll(&admin, class.id, tid, day(16)).await.expect("roll");
        let target = pupils[0].student_id;
        for d in [16, 17, 18] {
            let entries: Vec<RollEntry> = pupils
                .iter()
                .map(|p| RollEntry {
                    student_id: p.student_id,
                    status: if p.student_id == target { Status::Truant } else { Status::Present },
                    note: String::new(),
                })
                .collect();
            desk.take_roll(&admin, class.id, day(d), entries, day(22), now()).await.expect("roll saved");
        }
        let rows = risk_list(&s, &admin, CURRENT, day(22), &Rules::default(), now()).await.expect("risk").rows;
        let row = rows.iter().find(|r| r.student_id == target).unwrap_or_else(|| panic!("{name}: pupil flagged"));
        assert!(row.longest_streak >= 3, "{name}: {row:?}");
        let future = desk.take_roll(&admin, class.id, day(25), vec![], day(22), now()).await;
        assert!(matches!(future, Err(AppError::Invalid(m)) if m.contains("未来")), "{name}");
        let other = classes.iter().find(|c| c.id != class.id && c.students > 0).expect("other class");
        let (others, _) = s.roll(&admin, other.id, tid, day(16)).await.expect("roll");
        let stranger = vec![RollEntry { student_id: others[0].student_id, status: Status::Sick, note: String::new() }];
        assert!(
            matches!(
                desk.take_roll(&admin, class.id, day(19), stranger, day(22), now()).await,
                Err(AppError::Invalid(_))
            ),
            "{name}"
        );
    }
}

/// The demo's plan is stored and its dashboard computed on both backends; a plan's paths (a change
/// per year from the baseline, a milestone, an every-school scope) are judged as hand-computed from
/// the records.
#[tokio::test]
async fn plans_on_both_backends() {
    use eduq_core::plan::{Progress, Scope as TargetScope};
    use eduq_store::plans::{Plan, PlanTarget};
    for (s, name) in seeded().await {
        let plans = s.plans().await.expect("plans");
        assert_eq!(plans.len(), 1, "{name}");
        let view = eduq_app::plans::dashboard(&s, &Actor::system(), CURRENT).await.expect("dashboard");
        let pass = view[0].lines.iter().find(|l| l.key == "fitness_pass_rate").expect("target");
        assert_eq!(pass.target, Some(95.0));
        assert!(pass.current.value.is_some(), "{name}");
        let myopia = view[0].lines.iter().find(|l| l.key == "myopia_rate").expect("target");
        // The demo plan starts in 2024-2025; this store holds 2025 and 2026 only: no baseline.
        assert_eq!((myopia.baseline, myopia.progress), (None, Progress::NoData), "{name}");
        let (district_id, _) = s.district().await.expect("district");
        s.save_plan(district_id, &plans[0]).await.expect("save again");
        assert_eq!(s.plans().await.expect("plans"), plans, "{name}: saving the same plan changes nothing");

        let t = |indicator: &str, scope, target, annual_change, milestones| PlanTarget {
            indicator: indicator.into(),
            scope,
            target,
            annual_change,
            deadline_year: 2027,
            milestones,
        };
        let plan = Plan {
            name: "测试计划".into(),
            start_year: 2025,
            targets: vec![
                t("myopia_rate", TargetScope::District, None, Some(-1.0), vec![]),
                t("class_size_ok_rate", TargetScope::EachSchool, Some(100.0), None, vec![]),
                t("fitness_pass_rate", TargetScope::District, Some(99.9), None, vec![(2026, 50.0)]),
                t("cv_junior_equipment_value_per_student", TargetScope::District, Some(0.45), None, vec![]),
            ],
        };
        s.save_plan(district_id, &plan).await.expect("save");
        assert_eq!(s.plans().await.expect("plans").iter().find(|p| p.name == plan.name), Some(&plan), "{name}");
        let view = eduq_app::plans::dashboard(&s, &Actor::system(), CURRENT).await.expect("dashboard");
        let lines = &view.iter().find(|p| p.name == plan.name).expect("plan").lines;
        // 近视率 from the records: myopic over screened with a result, in 2025-2026 and now.
        let rate = |year: i64| {
            eduq_store::Sql::new(
                "SELECT SUM(CASE WHEN myopia <> '否' THEN 1 ELSE 0 END), COUNT(*) FROM fitness_result \
                 WHERE myopia IS NOT NULL AND myopia <> '' AND start_year = $1",
            )
            .bind(year)
        };
        let mut by_year = Vec::new();
        for y in [2025, 2026] {
            let r = s.system().fetch(&rate(y), |r| Ok((r.i(0)?, r.i(1)?))).await.expect("count")[0];
            by_year.push(r.0 as f64 / r.1 as f64 * 100.0);
        }
        let m = &lines[0];
        assert!((m.baseline.expect("baseline") - by_year[0]).abs() < 1e-9, "{name}");
        assert!((m.expected.expect("expected") - (by_year[0] - 1.0)).abs() < 1e-9, "{name}: one point down");
        assert!((m.target.expect("final") - (by_year[0] - 2.0)).abs() < 1e-9, "{name}: two years to 2027");
        assert!((m.judged.expect("now") - by_year[1]).abs() < 1e-9, "{name}");
        let want = if by_year[1] <= by_year[0] - 2.0 {
            Progress::Met
        } else if by_year[1] <= by_year[0] - 1.0 {
            Progress::OnTrack
        } else {
            Progress::OffTrack
        };
        assert_eq!(m.progress, want, "{name}");
        assert_eq!(m.trend.iter().map(|p| p.year).collect::<Vec<_>>(), vec![2025, 2026], "{name}");
        // Every school: judged on the weakest, the others listed behind, worst first.
        let c = &lines[1];
        let all = eduq_app::indicators::one(&s, &Actor::system(), CURRENT, "class_size_ok_rate").await.expect("one");
        let weakest = all.schools.iter().filter_map(|x| x.value.value).fold(f64::INFINITY, f64::min);
        assert_eq!(c.judged, Some(weakest), "{name}");
        let short = all.schools.iter().filter(|x| x.value.value.is_some_and(|v| v < 100.0 - 1e-9)).count();
        assert_eq!((c.behind.len(), c.schools_meeting + c.behind.len()), (short, c.schools), "{name}");
        assert!(c.behind.windows(2).all(|w| w[0].gap >= w[1].gap), "{name}: worst first");
        assert_eq!(c.progress == Progress::Met, short == 0, "{name}");
        // This year's milestone (50) is met, the final value (99.9) is not.
        assert_eq!(lines[2].expected, Some(50.0));
        assert_eq!(lines[2].progress, Progress::OnTrack, "{name}: {:?}", lines[2].judged);
        // A 差异系数 target is judged on the 优质均衡 board's coefficient.
        let stage = eduq_core::balance::BalanceStage::Junior;
        let board =
            eduq_app::balance::evaluate_district(&s, &Actor::system(), CURRENT, stage, None).await.expect("board");
        let cv = board.evaluation.indicators[5].cv;
        assert!(cv.is_some(), "{name}");
        assert_eq!(lines[3].judged, cv, "{name}");
        assert_eq!(lines[3].progress == Progress::Met, cv.is_some_and(|c| c <= 0.45), "{name}");
    }
}

/// One pupil's terms and statuses in the 学籍 history the store reads for 巩固率.
async fn pupil_history(
    s: &eduq_store::Store,
    pupil: i64,
) -> Vec<(eduq_core::calendar::Term, eduq_core::student::EnrolmentStatus)> {
    let rows = s.flow_rows(&Actor::system()).await.expect("rows");
    rows.into_iter().filter(|r| r.student == pupil).map(|r| (r.term, r.status)).collect()
}

/// The indicators added with 学前 and 控辍保学 records, recomputed from the records on both
/// backends: 巩固率 is the county cohort's (not the sum of schools'), 普惠 and 公办 shares are
/// over 在园幼儿.
#[tokio::test]
async fn cohort_and_kindergarten_indicators_on_both_backends() {
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let values = eduq_app::indicators::library(&s, &admin, CURRENT).await.expect("library");
        let v = |k: &str| values.iter().find(|v| v.indicator.key == k).expect(k).district;
        let rows = s.flow_rows(&admin).await.expect("rows");
        // Every 学籍 row of grades 1–9 comes back from the blocks the history is read in, once.
        let held = s
            .system()
            .scalar(&eduq_store::Sql::new("SELECT COUNT(*) FROM enrolment WHERE grade BETWEEN 1 AND 9"))
            .await
            .expect("count");
        let distinct: std::collections::HashSet<(i64, eduq_core::calendar::Term)> =
            rows.iter().map(|r| (r.student, r.term)).collect();
        assert_eq!((rows.len() as i64, distinct.len() as i64), (held, held), "{name}");
        assert!(rows.is_sorted_by_key(|r| r.student), "{name}: in pupil order");
        let first = s.terms().await.expect("terms").iter().map(|(_, t)| *t).min().expect("a term");
        let (_, county) = eduq_core::flows::consolidation(&rows, first, CURRENT);
        let c = v("consolidation_rate");
        assert_eq!(
            (c.numerator, c.denominator),
            (f64::from(county.cohort.retained), county.cohort.base() as f64),
            "{name}"
        );
        assert!(c.value.is_some_and(|x| x > 90.0 && x <= 100.0), "{name}: {c:?}");
        // The history is memoised until the next write: a pupil recorded as 辍学 now is lost at once.
        let tid = term_id(&s).await;
        // A pupil of the entry cohort (on roll in the first term), not a later first-grader.
        let cohort: std::collections::HashSet<i64> =
            rows.iter().filter(|r| r.term == first).map(|r| r.student).collect();
        let pupil = rows
            .iter()
            .find(|r| r.term == CURRENT && r.status.is_on_roll() && cohort.contains(&r.student))
            .expect("on roll")
            .student;
        s.system()
            .exec(
                &eduq_store::Sql::new(
                    "UPDATE enrolment SET status = 'dropped_out' WHERE student_id = $1 AND term_id = $2",
                )
                .bind(pupil)
                .bind(tid),
            )
            .await
            .expect("update");
        let values = eduq_app::indicators::library(&s, &admin, CURRENT).await.expect("library");
        let after = values.iter().find(|v| v.indicator.key == "consolidation_rate").expect("rate").district;
        assert_eq!(
            (after.numerator, after.denominator),
            (c.numerator - 1.0, c.denominator),
            "{name}: not a stale memo"
        );
        // The kept history follows any write to the enrolment (triggers), also a deletion.
        let mine = pupil_history(&s, pupil).await;
        assert!(mine.contains(&(CURRENT, eduq_core::student::EnrolmentStatus::DroppedOut)), "{name}: {mine:?}");
        s.system()
            .exec(
                &eduq_store::Sql::new("DELETE FROM enrolment WHERE student_id = $1 AND term_id = $2")
                    .bind(pupil)
                    .bind(tid),
            )
            .await
            .expect("delete");
        let after = pupil_history(&s, pupil).await;
        assert_eq!(after.len() + 1, mine.len(), "{name}");
        assert!(after.iter().all(|(t, _)| *t != CURRENT), "{name}");

        let tid = term_id(&s).await;
        let schools = s.list_schools(&admin, Some(tid)).await.expect("schools");
        let per_school = s
            .system()
            .fetch(
                &eduq_store::Sql::new(
                    "SELECT school_id, COUNT(*) FROM enrolment WHERE grade < 1 AND term_id = $1 \
                     AND status IN ('enrolled','transfer_in','resumed') GROUP BY school_id",
                )
                .bind(tid),
                |r| Ok((r.i(0)?, r.i(1)?)),
            )
            .await
            .expect("count");
        let (mut all, mut inclusive, mut public) = (0, 0, 0);
        for (id, n) in per_school {
            let school = schools.iter().find(|x| x.id == id).expect("school");
            let is_public = school.ownership == eduq_core::org::Ownership::Public;
            all += n;
            inclusive += if is_public || school.inclusive { n } else { 0 };
            public += if is_public { n } else { 0 };
        }
        assert!(all > 0 && public < all && inclusive > public, "{name}: the demo has 民办 and 普惠 kindergartens");
        assert_eq!(v("inclusive_kindergarten_rate").value, Some(inclusive as f64 / all as f64 * 100.0), "{name}");
        assert_eq!(v("public_kindergarten_share").value, Some(public as f64 / all as f64 * 100.0), "{name}");

        // 毛入园率 over the population the bureau supplied (the demo's, then a new figure).
        let pop = s.district_inputs(&Actor::system(), CURRENT.start_year).await.expect("inputs");
        let age = pop
            .iter()
            .find(|i| i.key == "age_3_5" && i.start_year == CURRENT.start_year)
            .unwrap_or_else(|| panic!("{pop:?}"));
        assert!(age.source.contains("统计局"), "{name}: the source is kept");
        let teacher = actor("t", Role::Teacher, Scope::School(schools[0].id));
        assert!(
            matches!(s.district_inputs(&teacher, CURRENT.start_year).await, Err(eduq_store::StoreError::Forbidden)),
            "{name}: the store filters by role"
        );
        assert_eq!(v("preschool_gross_enrolment").value, Some(all as f64 / age.value * 100.0), "{name}");
        assert!(v("preschool_gross_enrolment").value.is_some_and(|x| x > 85.0 && x < 100.0), "{name}");
        let now = now();
        let err = eduq_app::district_inputs::save_input(&s, &admin, CURRENT.start_year, "age_3_5", "-5", "统计局", now)
            .await
            .expect_err("negative");
        assert!(err.to_string().contains("应为正数"), "{name}: {err}");
        let err = eduq_app::district_inputs::save_input(&s, &admin, CURRENT.start_year, "age_3_5", "2000", " ", now)
            .await
            .expect_err("no source");
        assert!(err.to_string().contains("数据来源"), "{name}: {err}");
        let staff = actor("head", Role::SchoolAdmin, Scope::School(1));
        assert!(
            eduq_app::district_inputs::save_input(&s, &staff, CURRENT.start_year, "age_3_5", "2000", "x", now)
                .await
                .is_err(),
            "{name}: a school cannot set the district's population"
        );
        eduq_app::district_inputs::save_input(
            &s,
            &admin,
            CURRENT.start_year,
            "age_3_5",
            "2,000",
            "县公安局户籍人口",
            now,
        )
        .await
        .expect("save");
        let values = eduq_app::indicators::library(&s, &admin, CURRENT).await.expect("library");
        let g = values.iter().find(|v| v.indicator.key == "preschool_gross_enrolment").expect("rate").district;
        assert_eq!((g.numerator, g.denominator), (all as f64, 2000.0), "{name}");
        assert!(g.value.is_some() && values.iter().any(|v| v.indicator.key == "senior_gross_enrolment"), "{name}");
        // 技工学校 pupils the bureau supplies join the recorded 高中阶段 pupils (0 is a valid count).
        let senior = |values: &[eduq_app::indicators::IndicatorValue]| {
            values.iter().find(|v| v.indicator.key == "senior_gross_enrolment").expect("senior").district
        };
        let seeded = senior(&values);
        let key = "unrecorded_senior_pupils";
        eduq_app::district_inputs::save_input(&s, &admin, CURRENT.start_year, key, "0", "县人社局技工学校统计", now)
            .await
            .expect("zero is a count");
        let values = eduq_app::indicators::library(&s, &admin, CURRENT).await.expect("library");
        let before = senior(&values);
        assert!(before.numerator < seeded.numerator, "{name}: the demo supplies 技工学校 pupils");
        let e = eduq_app::district_inputs::save_input(&s, &admin, CURRENT.start_year, key, "-3", "人社局", now)
            .await
            .expect_err("negative");
        assert!(e.to_string().contains("不小于0"), "{name}: {e}");
        eduq_app::district_inputs::save_input(&s, &admin, CURRENT.start_year, key, "300", "县人社局技工学校统计", now)
            .await
            .expect("save");
        let values = eduq_app::indicators::library(&s, &admin, CURRENT).await.expect("library");
        let after = senior(&values);
        assert_eq!((after.numerator, after.denominator), (before.numerator + 300.0, before.denominator), "{name}");
    }
}

#[tokio::test]
async fn government_guarantee_on_both_backends() {
    use eduq_core::guarantee::Verdict;
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let r = eduq_app::guarantee::evaluate_district(&s, &admin, CURRENT).await.expect("evaluate");
        assert_eq!(r.items.len(), 15, "{name}");
        let check = |no: usize, k: usize| &r.items[no - 1].checks[k];
        let tid = term_id(&s).await;
        let schools = s.list_schools(&admin, Some(tid)).await.expect("schools");
        let compulsory = |id: i64| {
            schools.iter().find(|x| x.id == id).is_some_and(|x| {
                x.school_type != eduq_core::org::SchoolType::Special
                    && x.school_type
                        .stages()
                        .iter()
                        .any(|st| matches!(st, eduq_core::grade::Stage::Primary | eduq_core::grade::Stage::Junior))
            })
        };
        // 教师资格证: the 专任 teachers of the 义务教育 schools this term, counted from the rows.
        let teachers = s
            .system()
            .fetch(
                &eduq_store::Sql::new(
                    "SELECT tt.school_id, t.post, t.certified FROM teacher_term tt \
                     JOIN teacher t ON t.id = tt.teacher_id WHERE tt.term_id = $1",
                )
                .bind(tid),
                |r| Ok((r.i(0)?, r.s(1)?, r.b(2)?)),
            )
            .await
            .expect("teachers");
        let (mut full_time, mut certified) = (0, 0);
        for (school, post, c) in teachers {
            if compulsory(school) && post == "full_time" {
                full_time += 1;
                certified += i64::from(c);
            }
        }
        assert!(certified < full_time, "{name}: the demo has teachers without a certificate");
        let c12 = check(12, 0);
        assert!(c12.value.ends_with(&format!("（{certified}/{full_time}）")), "{name}: {c12:?}");
        assert_eq!(c12.verdict, Verdict::NotMet, "{name}");
        // 随迁子女: pupils of grades 1–9 on roll with the flag, and those in 公办 schools.
        let pupils = s
            .system()
            .fetch(
                &eduq_store::Sql::new(
                    "SELECT e.school_id, st.migrant FROM enrolment e \
                     JOIN student st ON st.id = e.student_id WHERE e.term_id = $1 AND e.grade BETWEEN 1 AND 9 \
                     AND e.status IN ('enrolled','transfer_in','resumed')",
                )
                .bind(tid),
                |r| Ok((r.i(0)?, r.b(1)?)),
            )
            .await
            .expect("pupils");
        let (mut migrants, mut in_public) = (0, 0);
        for (school, _) in pupils.iter().filter(|(_, m)| *m) {
            migrants += 1;
            let public = schools.iter().find(|x| x.id == *school).expect("school").ownership
                == eduq_core::org::Ownership::Public;
            in_public += i64::from(public);
        }
        assert!(migrants > 0, "{name}");
        assert!(check(15, 1).value.ends_with(&format!("（{in_public}/{migrants}）")), "{name}: {:?}", check(15, 1));
        // A 民办 school counts while the government buys its places (政府购买学位), and not otherwise.
        let host = pupils.iter().find(|(_, m)| *m).expect("a 随迁 pupil").0;
        let host_pupils = pupils.iter().filter(|(sc, m)| *m && *sc == host).count() as i64;
        let counts = |private: bool, purchased: bool| {
            let s = s.clone();
            async move {
                let sql = "UPDATE school SET ownership = $1, purchased_places = $2 WHERE id = $3";
                let owner = if private { "private" } else { "public" };
                s.system().exec(&eduq_store::Sql::new(sql).bind(owner).bind(purchased).bind(host)).await.expect("flag");
                s.migrant_counts(&Actor::system(), tid).await.expect("counts")
            }
        };
        assert_eq!(counts(true, true).await, (migrants, in_public), "{name}: purchased places count");
        assert_eq!(
            counts(true, false).await,
            (migrants, in_public - host_pupils),
            "{name}: a plain 民办 school does not"
        );
        assert_eq!(counts(false, false).await, (migrants, in_public), "{name}");
        // 规模 and 班额 from the class lists.
        let classes = s.list_classes(&admin, CURRENT.start_year, Some(tid), None).await.expect("classes");
        let oversize = classes
            .iter()
            .filter(|c| compulsory(c.school_id) && (1..=9).contains(&c.grade.number()))
            .filter(|c| c.students > i64::from(eduq_core::standards::class_size::standard_max(c.grade)))
            .count();
        let listed: usize = check(5, 0)
            .details
            .iter()
            .map(|d| {
                d.split('：').nth(1).and_then(|x| x.split('个').next()).and_then(|n| n.parse::<usize>().ok()).expect(d)
            })
            .sum();
        assert_eq!(listed, oversize, "{name}");
        assert_eq!(check(5, 0).verdict == Verdict::Met, oversize == 0, "{name}");
        // The demo's figures: 360学时 (from the last cycle's records) falls short; 特教经费 6800 元
        // meets 6000.
        assert_eq!((r.items[8].verdict, r.items[6].verdict), (Verdict::NotMet, Verdict::Met), "{name}");
        assert!(check(7, 0).details[0].contains("督导自评报告"), "{name}: the source is shown");
        assert!(!r.all_met, "{name}");
        // A role without the special-group flags sees no 随迁 count.
        let leader = actor("leader", Role::Leader, Scope::District);
        let lr = eduq_app::guarantee::evaluate_district(&s, &leader, CURRENT).await.expect("leader");
        assert_eq!(lr.items[14].checks[1].verdict, Verdict::NoData, "{name}");
        assert_eq!(lr.items[14].checks[1].value, "无权查看随迁子女统计", "{name}");
        // Entering: 是/否 only, numbers ≥ 0, a source, district staff only; a new figure counts at once.
        let now = now();
        let save = |who: &Actor, key: &'static str, v: &'static str, src: &'static str| {
            let (s, who) = (s.clone(), who.clone());
            async move { eduq_app::guarantee::save_input(&s, &who, CURRENT.start_year, key, v, src, now).await }
        };
        let e = save(&admin, "guarantee.layout", "可能", "文件").await.expect_err("not 是/否");
        assert!(e.to_string().contains("应填“是”或“否”"), "{name}: {e}");
        let e = save(&admin, "guarantee.training_360", "-1", "文件").await.expect_err("negative");
        assert!(e.to_string().contains("不小于0"), "{name}: {e}");
        let e = save(&admin, "guarantee.training_360", "100", "").await.expect_err("no source");
        assert!(e.to_string().contains("依据"), "{name}: {e}");
        let head = actor("head", Role::SchoolAdmin, Scope::School(1));
        assert!(save(&head, "guarantee.training_360", "100", "文件").await.is_err(), "{name}");
        save(&admin, "guarantee.nearby_town", "93%", "县教育局招生工作总结").await.expect("save");
        let after = eduq_app::guarantee::evaluate_district(&s, &admin, CURRENT).await.expect("evaluate");
        assert_eq!(after.items[12].verdict, Verdict::NotMet, "{name}: 93 % is below 95 %");
        assert_eq!(after.inputs["guarantee.nearby_town"].value, 93.0, "{name}");
        // A figure entered for 360学时 does not replace the training records' rate.
        save(&admin, "guarantee.training_360", "100%", "县教师发展中心培训学时统计").await.expect("save");
        let after = eduq_app::guarantee::evaluate_district(&s, &admin, CURRENT).await.expect("evaluate");
        assert_eq!(after.items[8].verdict, Verdict::NotMet, "{name}");
        assert!(after.items[8].checks[0].details[0].contains("eduq培训学时记录"), "{name}");
        assert_eq!(after.items[8].checks[0].input_key, None, "{name}: nothing to enter");
    }
}

fn actor(username: &str, role: Role, scope: Scope) -> Actor {
    Actor { user_id: 0, username: username.into(), display_name: username.into(), role, scope }
}

/// 控辍保学 end to end on both backends: three days of 旷课 raise one alert (not two), the alert
/// becomes a case, 劝返 steps follow the rules, evidence and a second person are needed for 销号,
/// every read of the case is audited, and roles outside the case work see nothing.
#[tokio::test]
async fn alert_case_and_closure() {
    use eduq_app::cases::{CaseAction, act, add_evidence, board, open_case};
    use eduq_app::dropout_reports::{monthly_report, quarterly_report};
    use eduq_core::attendance::Status;
    use eduq_core::calendar::DayKind;
    use eduq_core::dropout::{CaseState, Outcome, Party, Register};
    use eduq_store::attendance::RollEntry;
    use eduq_store::audit::AuditQuery;
    for (s, name) in seeded().await {
        let desk = eduq_app::roll_desk::RollDesk::open(s.clone());
        let admin = Actor::system();
        let tid = term_id(&s).await;
        let classes = s.list_classes(&admin, CURRENT.start_year, Some(tid), None).await.expect("classes");
        // 控辍保学 concerns grades 1–9.
        let class = classes
            .iter()
            .find(|c| c.students > 3 && eduq_core::grade::Grade::is_compulsory_number(c.grade.number()))
            .expect("a class");
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let (pupils, _) = s.roll(&admin, class.id, tid, day(11, 2)).await.expect("roll");
        // A pupil the demo's own alerts and cases do not already follow.
        let followed = s.system().followed_pupils(tid).await.expect("followed");
        let target = pupils.iter().map(|p| p.student_id).find(|id| !followed.contains(id)).expect("a pupil");
        let teacher =
            actor("ht", Role::HeadTeacher, Scope::Classes { school_id: class.school_id, class_ids: vec![class.id] });
        let roll = |status: Status| -> Vec<RollEntry> {
            pupils
                .iter()
                .map(|p| RollEntry {
                    student_id: p.student_id,
                    status: if p.student_id == target { status } else { Status::Present },
                    note: String::new(),
                })
                .collect()
        };
        // 2026-11-02..04 (Mon–Wed): the third 旷课 day raises the alert, a re-save does not repeat it.
        let raised = async || {
            desk.settle().await;
            s.alerts(&teacher, false).await.expect("alerts").iter().filter(|a| a.student_id == target).count()
        };
        for (d, expected) in [(2, 0), (3, 0), (4, 1), (4, 1)] {
            desk.take_roll(&teacher, class.id, day(11, d), roll(Status::Truant), day(11, 22), now())
                .await
                .expect("roll");
            assert_eq!(raised().await, expected, "{name}: after 11-{d}");
        }
        let alerts = s.alerts(&teacher, true).await.expect("alerts");
        let alert = alerts.iter().find(|a| a.student_id == target).expect("alert for the pupil");
        // The calendar: a holiday refuses the roll, a make-up Saturday accepts it.
        let (district_id, _) = s.district().await.expect("district");
        let mut tx = s.begin().await.expect("tx");
        tx.set_calendar_day(district_id, None, day(11, 5), Some(DayKind::Holiday), "测试假日").await.expect("cal");
        tx.set_calendar_day(district_id, Some(class.school_id), day(11, 7), Some(DayKind::Makeup), "调休")
            .await
            .expect("cal");
        tx.commit().await.expect("commit");
        let holiday = desk.take_roll(&teacher, class.id, day(11, 5), roll(Status::Present), day(11, 22), now()).await;
        assert!(matches!(holiday, Err(AppError::Invalid(m)) if m.contains("放假")), "{name}");
        let weekend = desk.take_roll(&teacher, class.id, day(11, 8), roll(Status::Present), day(11, 22), now()).await;
        assert!(matches!(weekend, Err(AppError::Invalid(m)) if m.contains("周末")), "{name}");
        desk.take_roll(&teacher, class.id, day(11, 7), roll(Status::Present), day(11, 22), now())
            .await
            .expect("make-up day");

        // A 任课教师 and a leader read no cases; the head teacher opens one from the alert.
        let plain = actor("t", Role::Teacher, Scope::Classes { school_id: class.school_id, class_ids: vec![class.id] });
        let today = day(11, 9);
        assert!(matches!(
            open_case(&s, &plain, target, Register::Suspected, "旷课", None, today, now()).await,
            Err(AppError::Forbidden)
        ));
        let id = open_case(&s, &teacher, target, Register::Suspected, "连续旷课3天", Some(alert.id), today, now())
            .await
            .expect("open");
        assert!(s.alerts(&teacher, true).await.expect("alerts").iter().all(|a| a.student_id != target), "{name}");
        let again = open_case(&s, &teacher, target, Register::Suspected, "again", None, today, now()).await;
        assert!(matches!(again, Err(AppError::Invalid(m)) if m.contains("未销号")), "{name}");
        assert!(s.case_detail(&plain, id, now()).await.is_err(), "{name}: teacher");
        let leader = actor("l", Role::Leader, Scope::District);
        // 局领导 read the ledger's figures, never whose case it is, and no case file.
        let seen = s.cases(&leader, &Default::default()).await.expect("figures");
        let row = seen.iter().find(|c| c.id == id).expect("the new case is counted");
        assert!(row.student_name.is_empty() && row.student_no.is_empty() && row.reason.is_empty(), "{name}: leader");
        assert!(s.case_detail(&leader, id, now()).await.is_err(), "{name}: leader reads no case file");
        let head = actor("h", Role::HeadTeacher, Scope::District);
        let masked = s.cases(&head, &Default::default()).await.expect("cases");
        let row = masked.iter().find(|c| c.id == id).expect("listed");
        assert!(row.student_no.contains('*') && !row.student_name.is_empty(), "{name}: 学籍号 masked for 班主任");
        let other = classes.iter().find(|c| c.school_id != class.school_id).expect("other school");
        let stranger = actor("p2", Role::SchoolAdmin, Scope::School(other.school_id));
        assert!(s.case_detail(&stranger, id, now()).await.is_err(), "{name}: other school");

        let step = |a| act(&s, &teacher, id, a, today, now());
        step(CaseAction::Attempt {
            party: Party::HeadTeacher, day: day(11, 9), note: "家访，家长答应送回".into()
        })
        .await
        .expect("attempt");
        let township = step(CaseAction::Attempt { party: Party::Township, day: day(11, 9), note: "x".into() }).await;
        assert!(matches!(township, Err(AppError::Invalid(m)) if m.contains("升级")), "{name}");
        step(CaseAction::Escalate { note: "家长未送回".into() }).await.expect("escalate");
        step(CaseAction::Attempt { party: Party::Township, day: day(11, 9), note: "镇政府约谈".into() })
            .await
            .expect("township");
        step(CaseAction::Resolve { outcome: Outcome::Returned, day: day(11, 9), note: "已返校".into() })
            .await
            .expect("returned");
        let no_evidence =
            act(&s, &teacher, id, CaseAction::RequestClose { note: String::new() }, day(11, 9), now()).await;
        assert!(matches!(no_evidence, Err(AppError::Invalid(m)) if m.contains("佐证")), "{name}");
        let bad = add_evidence(&s, &teacher, id, "run.exe", vec![1, 2, 3], now()).await;
        assert!(matches!(bad, Err(AppError::Invalid(m)) if m.contains("类型")), "{name}");
        add_evidence(&s, &teacher, id, "返校照片.jpg", b"\xff\xd8 synthetic".to_vec(), now()).await.expect("evidence");
        let early = act(&s, &teacher, id, CaseAction::RequestClose { note: String::new() }, day(11, 20), now()).await;
        assert!(matches!(early, Err(AppError::Invalid(m)) if m.contains("跟踪期")), "{name}");
        let later = day(11, 9) + chrono::Days::new(60);
        act(&s, &teacher, id, CaseAction::RequestClose { note: "跟踪期满".into() }, later, now())
            .await
            .expect("request");
        let self_confirm =
            act(&s, &teacher, id, CaseAction::ConfirmClose { approve: true, note: String::new() }, later, now()).await;
        assert!(matches!(self_confirm, Err(AppError::Invalid(_))), "{name}: the head teacher may not confirm");
        let principal = actor("principal", Role::SchoolAdmin, Scope::School(class.school_id));
        act(&s, &principal, id, CaseAction::ConfirmClose { approve: true, note: "核实无误".into() }, later, now())
            .await
            .expect("closed");
        let detail = s.case_detail(&principal, id, now()).await.expect("detail");
        assert_eq!(detail.row.case.state, CaseState::Closed, "{name}");
        assert_eq!(detail.row.closed_by.as_deref(), Some("principal"));
        let kinds: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["open", "attempt", "escalate", "attempt", "outcome", "request_close", "confirm_close"],
            "{name}"
        );
        let (_, reads) = s
            .search_audit(&admin, &AuditQuery { action: Some("case_read".into()), per_page: 100, ..Default::default() })
            .await
            .expect("audit");
        assert!(reads >= 3, "{name}: every read of the case is audited ({reads})");
        let b = board(&s, &principal, day(11, 9)).await.expect("board");
        assert_eq!((b.returned, b.closed), (1, 1), "{name}");
        // Reports: the school's month and the county's quarter; a principal gets no county report.
        let (file, bytes) = monthly_report(&s, &principal, class.school_id, 2026, 11, now()).await.expect("monthly");
        assert!(file.ends_with(".xlsx") && bytes.starts_with(b"PK"), "{name}");
        assert!(matches!(quarterly_report(&s, &principal, 2026, 4, now()).await, Err(AppError::Forbidden)));
        let staff = actor("staff", Role::Staff, Scope::District);
        let (_, q) = quarterly_report(&s, &staff, 2026, 4, now()).await.expect("quarterly");
        let table = eduq_exchange::table::read_table(&q, "q.xlsx").expect("readable");
        assert!(!table.rows.is_empty(), "{name}");
    }
}

/// A school's own attendance export: every bad row named and nothing applied; the good file
/// applied once, and again changes nothing.
#[tokio::test]
async fn attendance_import_checks_rows_and_is_idempotent() {
    use eduq_app::attendance::import_attendance;
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let tid = term_id(&s).await;
        let classes = s.list_classes(&admin, CURRENT.start_year, Some(tid), None).await.expect("classes");
        let class = classes.iter().find(|c| c.students > 3).expect("a class");
        let other = classes.iter().find(|c| c.school_id != class.school_id && c.students > 0).expect("other");
        let principal = actor("principal", Role::SchoolAdmin, Scope::School(class.school_id));
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 10).unwrap();
        let (pupils, _) = s.roll(&admin, class.id, tid, day).await.expect("roll");
        let (strangers, _) = s.roll(&admin, other.id, tid, day).await.expect("roll");
        let (a, b) = (&pupils[0].student_no, &pupils[1].student_no);
        let bad = format!(
            "学籍号,日期,状态,备注\n{a},2026-11-10,病假,发烧\n{a},2026-11-10,旷课,\n{b},2026-11-14,事假,\n{b},2026-12-01,事假,\n{},2026-11-10,旷课,\nX1,2026-11-10,迟到,\n{b},2026-11-11,缺课,\n",
            strangers[0].student_no
        );
        let err = import_attendance(
            &s,
            &principal,
            bad.as_bytes(),
            "bad.csv",
            chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            now(),
        )
        .await
        .expect_err("refused");
        let msgs: Vec<String> = err.row_errors().iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 6, "{name}: {msgs:?}");
        assert!(msgs[0].starts_with("第3行「状态」的值“旷课”与第2行"), "{name}: {msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("第4行「日期」") && m.contains("不是教学日")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("第5行「日期」") && m.contains("未来")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("第6行「学籍号」")), "{name}: another school's pupil: {msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("第7行「学籍号」的值“X1”")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("第8行「状态」的值“缺课”")), "{msgs:?}");
        let (after, _) = s.roll(&admin, class.id, tid, day).await.expect("roll");
        assert_eq!(after, pupils, "{name}: nothing applied");

        let good =
            format!("学籍号,日期,状态,备注\n{a},2026-11-10,病假,发烧\n{b},2026-11-10,旷课,\n{b},2026-11-11,事假,\n");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let r = import_attendance(&s, &principal, good.as_bytes(), "good.csv", today, now()).await.expect("import");
        assert_eq!((r.rows, r.class_days), (3, 2), "{name}");
        let (after, _) = s.roll(&admin, class.id, tid, day).await.expect("roll");
        assert_eq!(after[0].status, eduq_core::attendance::Status::Sick, "{name}");
        assert_eq!(after[0].note, "发烧");
        assert!(after[2..].iter().all(|p| p.status == eduq_core::attendance::Status::Present), "unlisted are present");
        let again = import_attendance(&s, &principal, good.as_bytes(), "good.csv", today, now()).await.expect("again");
        assert_eq!((again.changed, again.unchanged, again.corrections), (0, 2, 0), "{name}: re-import changes nothing");
    }
}

/// 巩固率 over the synthetic history on both backends: the county line for the bureau only, a
/// principal's view limited to the own school, and the county's flows adding up.
#[tokio::test]
async fn consolidation_over_the_history_held() {
    use eduq_app::consolidation::consolidation;
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let c = consolidation(&s, &Actor::system(), today).await.expect("consolidation");
        let county = c.county.as_ref().expect("county line");
        let rate = county.cohort.rate().expect("rate");
        assert!((95.0..100.0).contains(&rate), "{name}: {rate} {county:?}");
        let f = county;
        assert_eq!(
            f.cohort.entry + f.cohort.transfers_in,
            f.cohort.retained + f.cohort.transfers_out + f.dropouts + f.lost,
            "{name}: every pupil ends somewhere"
        );
        assert!(f.primary_leavers <= f.cohort.retained);
        assert_eq!(
            f.cohort.entry + f.cohort.transfers_in,
            f.cohort.retained + f.cohort.transfers_out + f.dropouts + f.lost,
            "{name}: every pupil ends somewhere"
        );
        assert!(f.cohort.transfers_out > 0, "{name}: the synthetic district has transfers");
        // 转出 followed: most name a school outside the district, the rest are overdue suspects
        // and can be opened as cases even though they are no longer on roll this term.
        let [received, outside, pending, suspect] = c.transfer_counts;
        assert!(outside > 0 && suspect > 0, "{name}: {:?}", c.transfer_counts);
        assert_eq!(c.transfers.len(), pending + suspect, "{name}");
        assert_eq!(received, 0, "{name}: the synthetic district moves nobody between its schools");
        let (t, _) =
            c.transfers.iter().find(|(_, st)| *st == eduq_core::dropout::TransferState::Suspect).expect("suspect");
        let id = eduq_app::cases::open_case(
            &s,
            &Actor::system(),
            t.student_id,
            eduq_core::dropout::Register::Suspected,
            "转出后逾期未入学",
            None,
            today,
            now(),
        )
        .await
        .expect("a case for a pupil who left");
        assert!(id > 0);
        let school = s.list_schools(&Actor::system(), None).await.expect("schools")[3].id;
        let p = actor("p", Role::SchoolAdmin, Scope::School(school));
        let mine = consolidation(&s, &p, today).await.expect("own");
        assert!(mine.county.is_none() && mine.schools.len() <= 1, "{name}: {:?}", mine.schools.len());
    }
}

/// Many class teachers saving at once all land through the desk's group commit (SQLite used to
/// answer "database is locked" when deferred transactions upgraded to writes at the same time); a
/// bad roll in the same batch is refused alone, a second round's changes are audited corrections,
/// and the warning scan after the burst raises the alerts the rolls call for.
#[tokio::test]
async fn concurrent_roll_saves_all_land() {
    use eduq_app::roll_desk::RollDesk;
    use eduq_core::attendance::Status;
    use eduq_store::attendance::RollEntry;
    use eduq_store::audit::AuditQuery;
    for (s, name) in seeded().await {
        let desk = RollDesk::open(s.clone());
        let admin = Actor::system();
        let tid = term_id(&s).await;
        let classes = s.list_classes(&admin, CURRENT.start_year, Some(tid), None).await.expect("classes");
        // 控辍保学 warns in grades 1–9 only.
        let classes: Vec<_> = classes
            .into_iter()
            .filter(|c| c.students > 0 && eduq_core::grade::Grade::is_compulsory_number(c.grade.number()))
            .take(30)
            .collect();
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let (strangers, _) = s.roll(&admin, classes[1].id, tid, day(23)).await.expect("roll");
        let stranger = strangers[0].student_id;
        let followed = s.system().followed_pupils(tid).await.expect("followed");
        let corrections = AuditQuery { action: Some("attendance_correct".into()), ..Default::default() };
        let before = s.search_audit(&admin, &corrections).await.expect("audit").1;
        // Monday 11-23 (after the demo's rolls) twice, the second round marking each class's first
        // pupil 旷课, then Tuesday and Wednesday, so that three days in a row raise the alert.
        for (round, d) in [(0, 23), (1, 23), (2, 24), (3, 25)] {
            let mut tasks = Vec::new();
            for (k, c) in classes.iter().enumerate() {
                let (s, desk, c) = (s.clone(), desk.clone(), c.clone());
                let teacher =
                    actor("ht", Role::HeadTeacher, Scope::Classes { school_id: c.school_id, class_ids: vec![c.id] });
                tasks.push(tokio::spawn(async move {
                    let (pupils, _) = s.roll(&teacher, c.id, tid, day(d)).await.expect("roll");
                    let mut entries: Vec<RollEntry> = pupils
                        .iter()
                        .enumerate()
                        .map(|(i, p)| RollEntry {
                            student_id: p.student_id,
                            status: if round > 0 && i == 0 { Status::Truant } else { Status::Present },
                            note: String::new(),
                        })
                        .collect();
                    if k == 0 {
                        entries.push(RollEntry { student_id: stranger, status: Status::Sick, note: String::new() });
                    }
                    desk.take_roll(&teacher, c.id, day(d), entries, day(25), now()).await
                }));
            }
            for (k, t) in tasks.into_iter().enumerate() {
                match (k, t.await.expect("task")) {
                    (0, Err(AppError::Invalid(m))) => assert!(m.contains("不在"), "{name}: {m}"),
                    (0, other) => panic!("{name}: a pupil of another class must be refused, got {other:?}"),
                    (_, Ok(saved)) => assert_eq!(saved.corrections, usize::from(round == 1), "{name}"),
                    (_, Err(e)) => panic!("{name}: {e}"),
                }
            }
        }
        let states = s.roll_states(&admin, tid, CURRENT.start_year, day(23)).await.expect("states");
        for (k, c) in classes.iter().enumerate() {
            let state = states.iter().find(|r| r.class_id == c.id).expect("class");
            assert_eq!(state.taken_by.is_some(), k > 0, "{name}: {}", c.name);
            assert_eq!(state.absent, i64::from(k > 0), "{name}: {}", c.name);
        }
        let after = s.search_audit(&admin, &corrections).await.expect("audit").1;
        assert_eq!(after - before, 29, "{name}: one audited correction per class in the second round");
        desk.settle().await;
        let alerts = s.alerts(&admin, true).await.expect("alerts");
        let mut alerted = 0;
        for c in &classes[1..] {
            let (pupils, _) = s.roll(&admin, c.id, tid, day(23)).await.expect("roll");
            let first = pupils[0].student_id;
            // A pupil already followed (an open case or alert) gets no second alert.
            assert!(alerts.iter().any(|a| a.student_id == first) || followed.contains(&first), "{name}: {}", c.name);
            alerted += usize::from(!followed.contains(&first));
        }
        assert!(alerted >= 25, "{name}: {alerted} new alerts");
    }
}

/// The admission lottery's life cycle on both backends: registration checked row by row, the
/// roster frozen and published before the draw, one draw only, a publication the verifier
/// accepts without any name in it, and a trail that cannot be edited.
#[tokio::test]
async fn lottery_life_cycle() {
    use eduq_app::lottery::{create, draw, freeze, register};
    use eduq_core::lottery::{BundlePolicy, Mechanism};
    for (s, name) in seeded().await {
        let staff = actor("staff", Role::Staff, Scope::District);
        let id = create(
            &s,
            &staff,
            "t-2027",
            "实验小学一年级",
            Mechanism::DeferredAcceptance,
            BundlePolicy::AdmitAll,
            now(),
        )
        .await
        .expect("create");
        let again =
            create(&s, &staff, "t-2027", "again", Mechanism::DeferredAcceptance, BundlePolicy::AdmitAll, now()).await;
        assert!(again.is_err(), "{name}: a key is used once");
        let teacher = actor("ht", Role::HeadTeacher, Scope::District);
        assert!(matches!(freeze(&s, &teacher, id, "x", now()).await, Err(AppError::Forbidden)));
        let schools = "学校代码,学位数\nS1,10\nS2,5\n";
        let bad = "姓名,证件号,志愿,捆绑组,优先学校,优先组\n甲,110,S1;S9,,,\n乙,,S1,,,\n丙,110,S2,,S1,1\n";
        let err = register(&s, &staff, id, (bad.as_bytes(), "a.csv"), (schools.as_bytes(), "s.csv"), now())
            .await
            .expect_err("refused");
        let msgs: Vec<String> = err.row_errors().iter().map(ToString::to_string).collect();
        assert!(msgs.iter().any(|m| m.starts_with("第3行「证件号」")), "{name}: {msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("第4行「证件号」的值“110”与第2行重复")), "{name}: {msgs:?}");
        let mut good = String::from("姓名,证件号,志愿,捆绑组,优先学校,优先组\n");
        for i in 0..30 {
            let bundle = if i < 2 { "双胞胎1" } else { "" };
            let (ps, pg) = if i % 7 == 0 && i >= 2 { ("S1", "1") } else { ("", "") };
            good.push_str(&format!("学生{i},ID{i:04},S1;S2,{bundle},{ps},{pg}\n"));
        }
        let r = register(&s, &staff, id, (good.as_bytes(), "a.csv"), (schools.as_bytes(), "s.csv"), now())
            .await
            .expect("register");
        assert_eq!((r.applicants, r.schools, r.seats), (30, 2, 15));
        assert!(s.public_lottery("t-2027").await.is_err(), "{name}: not public before the freeze");
        assert!(matches!(freeze(&s, &staff, id, " ", now()).await, Err(AppError::Invalid(_))));
        let digest = freeze(&s, &staff, id, "2027年6月20日福彩3D开奖号码", now()).await.expect("freeze");
        assert_eq!(s.public_lottery("t-2027").await.expect("public").roster_digest.as_deref(), Some(digest.as_str()));
        let late = register(&s, &staff, id, (good.as_bytes(), "a.csv"), (schools.as_bytes(), "s.csv"), now()).await;
        assert!(matches!(late, Err(AppError::Invalid(m)) if m.contains("冻结")), "{name}");
        draw(&s, &staff, id, "385", "0815", now()).await.expect("draw");
        assert!(matches!(draw(&s, &staff, id, "385", "0816", now()).await, Err(AppError::Invalid(_))), "{name}: once");
        for n in ["applicants.csv", "result.csv", "order.csv", "manifest.json"] {
            let bytes = published_file(&s, n).await;
            let text = String::from_utf8_lossy(&bytes).to_string();
            assert!(!text.contains("学生") && !text.contains("ID00"), "{name}: no names or 证件号 in {n}");
        }
        let mut published = std::collections::HashMap::new();
        for n in s.lottery_file_names(id).await.expect("names") {
            published.insert(n.clone(), published_file(&s, &n).await);
        }
        let diffs = eduq_exchange::lottery::verify(|n| published.get(n).cloned()).expect("verifiable");
        assert!(diffs.is_empty(), "{name}: {diffs:?}");
        let trail = s.lottery_trail(&staff, id).await.expect("trail");
        assert_eq!(
            trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["create", "register", "freeze", "draw"]
        );
        assert_eq!(eduq_store::lottery::broken_link(&trail), None, "{name}: the chain is whole");
        let edit = s.system().exec(&eduq_store::Sql::new("UPDATE lottery_event SET detail = 'x' WHERE seq = 2")).await;
        assert!(edit.is_err(), "{name}: the trail is append-only");
        let persons = s.lottery_persons(&staff, id, now()).await.expect("roster");
        assert_eq!(persons.len(), 30);
        assert_eq!(persons[0].0, "A00001");
        assert_ne!(persons[0].1, "学生0", "{name}: ids do not follow the file's order");
        // 局领导 read the roster with masked 证件号 (#24.4); 科室 keep them whole.
        let leader = Actor { role: Role::Leader, ..staff.clone() };
        let masked = s.lottery_persons(&leader, id, now()).await.expect("roster");
        assert!(masked.iter().all(|p| p.2.contains('*')) && persons.iter().all(|p| !p.2.contains('*')), "{name}");
    }
}

async fn published_file(s: &Store, n: &str) -> Vec<u8> {
    s.lottery_file("t-2027", n).await.expect("published file")
}

/// 体质健康 across years on both backends: a round per school year held, the trend and the
/// statistics workbook.
#[tokio::test]
async fn fitness_trend_and_workbook() {
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let t = eduq_app::fitness::trend(&s, &admin).await.expect("trend");
        assert_eq!(
            t.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(),
            ["2025-2026学年", "2026-2027学年"],
            "{name}"
        );
        assert!(t.iter().all(|l| l.stats.scored > 500 && l.values()[0].is_some()), "{name}");
        // Every pupil on roll in grades 1–12 is tested in the demo: 测试率 100 %; the items are listed.
        let o = eduq_app::fitness::overview(&s, &admin, CURRENT).await.expect("overview");
        let tested = o.total.values()[0].expect("test rate");
        let last = t.last().expect("this year");
        assert_eq!(last.stats.results, o.total.stats.results, "{name}: the trend's grouped counts agree with the rows");
        assert_eq!(
            (last.stats.scored, last.stats.excellent, last.stats.myopic),
            (o.total.stats.scored, o.total.stats.excellent, o.total.stats.myopic)
        );
        assert!((last.stats.total_sum - o.total.stats.total_sum).abs() < 1e-6, "{name}");
        assert!((tested - 100.0).abs() < 1e-9, "{name}: 测试率 {tested}");
        assert!(o.items.len() >= 8 && o.items.iter().all(|i| i.n > 0 && (0.0..=120.0).contains(&i.mean)), "{name}");
        let bytes = eduq_app::fitness::workbook(&s, &admin, CURRENT).await.expect("workbook");
        assert!(bytes.starts_with(b"PK"), "{name}");
        let table = eduq_exchange::table::read_table(&bytes, "w.xlsx").expect("readable");
        assert!(table.rows.len() > 5, "{name}: units and the total");
        // The national layout export re-imports as it is: nothing changes.
        let national = eduq_app::fitness::national_export(&s, &admin, CURRENT, now()).await.expect("export");
        let again = eduq_app::fitness::import_fitness(&s, &admin, CURRENT, &national, "national.xlsx", false, now())
            .await
            .expect("re-import");
        assert!(again.rows > 500, "{name}");
        assert_eq!((again.counts.inserted, again.counts.updated), (0, 0), "{name}: {:?}", again.counts);
    }
}

/// Exams on both backends: the 双减 guard refuses grades 1–2 and warns on a district sitting of a
/// non-graduating grade; the demo's exams went through the imports; a score file's bad rows are all
/// named and nothing applied; the same file again changes nothing; a teacher's report covers her
/// class only; the linked papers give a value-added fit with every school's effect and interval.
#[tokio::test]
async fn exams_on_both_backends() {
    use eduq_app::exams::{ExamForm, VaModel, create_exam, import_scores, paper_report, va_report};
    use eduq_core::exam::Lines;
    use eduq_core::grade::Grade;
    use eduq_core::standards::exam_policy::{ExamKind, Organiser};
    use eduq_core::valueadded::Method;
    for (s, name) in seeded().await {
        let staff = actor("staff", Role::Staff, Scope::District);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let form = |grade: i8, organiser: Organiser, n: &str| ExamForm {
            name: n.into(),
            grade: Grade::new(grade).unwrap(),
            kind: ExamKind::Final,
            organiser,
            school_id: None,
            schools: vec![],
            group_id: None,
            held_on: day,
            subjects: vec![("数学".into(), 100.0)],
        };
        let refused = create_exam(&s, &staff, &form(2, Organiser::School, "二年级期末"), now()).await;
        assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("纸笔")), "{name}");
        let (district_exam, warnings) =
            create_exam(&s, &staff, &form(8, Organiser::District, "八年级区统考"), now()).await.expect("created");
        assert!(warnings.iter().any(|w| w.contains("区域性")), "{name}: {warnings:?}");
        let teacher_plain = actor("t", Role::Teacher, Scope::District);
        assert!(matches!(
            create_exam(&s, &teacher_plain, &form(8, Organiser::School, "x"), now()).await,
            Err(AppError::Forbidden)
        ));

        // The demo's 八年级期中 (three papers, 20 items each, scores imported).
        let exams = s.exams(&staff, None).await.expect("exams");
        let mid = exams.iter().find(|e| e.name.contains("八年级期中")).expect("demo midterm");
        let math = mid.papers.iter().find(|p| p.subject == "数学").expect("math");
        assert_eq!((math.items, math.full_score), (20, 120.0), "{name}");
        assert!(math.sat > 50, "{name}: {}", math.sat);
        let report = paper_report(&s, &staff, mid.id, math.id, Lines::default(), now()).await.expect("report");
        let district = report.district.clone().expect("district stats");
        assert_eq!(district.participants as i64, math.sat, "{name}");
        assert_eq!(report.scope, report.district, "{name}: the bureau's scope is the district");
        assert!(report.units.len() > 1 && report.units.iter().all(|u| u.stats.participants > 0));
        let sum: usize = report.units.iter().map(|u| u.stats.participants).sum();
        assert_eq!(sum, district.participants, "{name}");
        assert_eq!(report.items.len(), 20);
        assert_eq!(report.by_sex.iter().map(|u| u.label.as_str()).collect::<Vec<_>>(), ["男", "女"], "{name}");
        assert!(report.alpha.is_some_and(|a| a > 0.5), "{name}: α {:?}", report.alpha);
        // The demo's wrong key (item 10) is flagged, with the options behind it.
        let tenth = &report.items[9];
        assert!(tenth.stats.flags.contains(&"miskey"), "{name}: {:?}", tenth.stats);
        assert_eq!(tenth.options.len(), 4, "{name}");

        // A class teacher's report: her class only, the district figures as reference.
        let scores = s.paper_scores(&staff, math.id).await.expect("scores");
        let class_id = scores[0].class_id;
        let school_id = scores[0].school_id;
        let ht = actor("ht", Role::HeadTeacher, Scope::Classes { school_id, class_ids: vec![class_id] });
        let mine = paper_report(&s, &ht, mid.id, math.id, Lines::default(), now()).await.expect("class report");
        assert_eq!(mine.units.len(), 1, "{name}");
        assert_eq!(mine.district, report.district, "{name}");
        let in_class = scores.iter().filter(|f| f.class_id == class_id && f.total.is_some()).count();
        assert_eq!(mine.scope.expect("scope").participants, in_class, "{name}");
        assert!(mine.near.iter().flat_map(|n| &n.pupils).all(|p| p.0 == scores[0].class_name));
        // A 班主任 reads 临界生's 学籍号 masked (#24.4).
        assert!(mine.near.iter().flat_map(|n| &n.pupils).all(|p| p.1.contains("********")), "{name}");

        // Bad rows: unknown pupil, a score above the item's maximum, a duplicate; nothing applied.
        let head = format!("学籍号,状态,{}\n", (1..=20).map(|j| j.to_string()).collect::<Vec<_>>().join(","));
        let good_cells = vec!["A"; 12].into_iter().chain(vec!["1"; 8]).collect::<Vec<_>>().join(",");
        let bad_cells = vec!["A"; 12].into_iter().chain(vec!["99"; 8]).collect::<Vec<_>>().join(",");
        let no = &scores[0].student_no;
        let bad = format!("{head}X0000000000000001,,{good_cells}\n{no},,{bad_cells}\n{no},,{good_cells}\n");
        let err = import_scores(&s, &staff, mid.id, math.id, bad.as_bytes(), "bad.csv", now()).await.expect_err("bad");
        let rows: Vec<(usize, String)> = err.row_errors().iter().map(|e| (e.row, e.column.clone())).collect();
        assert!(rows.contains(&(2, "学籍号".into())) || rows.contains(&(4, "学籍号".into())), "{name}: {rows:?}");
        assert!(rows.iter().any(|(r, c)| *r == 3 && c == "13"), "{name}: {rows:?}");
        assert_eq!(s.paper_scores(&staff, math.id).await.expect("scores"), scores, "{name}: nothing applied");
        // A good file twice: the second time changes nothing.
        let one = format!("{head}{no},,{good_cells}\n");
        let first = import_scores(&s, &staff, mid.id, math.id, one.as_bytes(), "one.csv", now()).await.expect("one");
        assert_eq!(first.counts.updated, 1, "{name}");
        let again = import_scores(&s, &staff, mid.id, math.id, one.as_bytes(), "one.csv", now()).await.expect("again");
        assert_eq!((again.counts.unchanged, again.counts.updated, again.counts.inserted), (1, 0, 0), "{name}");

        // A paper without an item structure takes totals alone; the report has no item analysis.
        let plain = s.exam(&staff, district_exam).await.expect("exam");
        let plain_paper = plain.papers[0].id;
        let totals = format!("学籍号,状态,总分\n{no},,88\n{},缺考,\n", scores[1].student_no);
        let r = import_scores(&s, &staff, district_exam, plain_paper, totals.as_bytes(), "t.csv", now()).await;
        assert_eq!(r.expect("totals").counts.inserted, 2, "{name}");
        let over = format!("学籍号,总分\n{no},101\n");
        assert!(import_scores(&s, &staff, district_exam, plain_paper, over.as_bytes(), "t.csv", now()).await.is_err());
        let pr = paper_report(&s, &staff, district_exam, plain_paper, Lines::default(), now()).await.expect("report");
        assert_eq!(pr.scope.as_ref().map(|x| (x.participants, x.absent, x.mean)), Some((1, 1, 88.0)), "{name}");
        assert!(pr.items.is_empty());

        // A 联考 of some schools: others neither see it nor import into it.
        let mut sids: Vec<i64> = scores.iter().map(|f| f.school_id).collect();
        sids.dedup();
        assert!(sids.len() >= 2, "{name}: two junior schools");
        let joint = ExamForm { schools: vec![sids[0]], ..form(8, Organiser::School, "八年级联考") };
        let (joint_id, _) = create_exam(&s, &staff, &joint, now()).await.expect("joint exam");
        let outsider = actor("p2", Role::SchoolAdmin, Scope::School(sids[1]));
        assert!(s.exams(&outsider, None).await.expect("exams").iter().all(|e| e.id != joint_id), "{name}");
        let insider = actor("p1", Role::SchoolAdmin, Scope::School(sids[0]));
        assert!(s.exams(&insider, None).await.expect("exams").iter().any(|e| e.id == joint_id), "{name}");
        let joint_exam = s.exam(&staff, joint_id).await.expect("exam");
        assert_eq!(joint_exam.schools, vec![sids[0]]);
        let stranger = scores.iter().find(|f| f.school_id == sids[1]).expect("pupil elsewhere");
        let file = format!("学籍号,总分\n{},50\n", stranger.student_no);
        let err = import_scores(&s, &staff, joint_id, joint_exam.papers[0].id, file.as_bytes(), "j.csv", now()).await;
        assert!(err.expect_err("not participating").row_errors()[0].message.contains("参加"), "{name}");

        // Value-added from 七年级第二学期期末 to 八年级期中 (数学), linked by pupil.
        let entry = exams.iter().find(|e| e.name.contains("第二学期七年级期末")).expect("entry exam");
        let entry_math = entry.papers.iter().find(|p| p.subject == "数学").expect("math");
        let va = va_report(&s, &staff, (entry.id, entry_math.id), (mid.id, math.id), Method::Reml, VaModel::default())
            .await
            .expect("va");
        assert!(va.linked > 50, "{name}: {}", va.linked);
        assert_eq!(va.linked + va.exit_only, math.sat as usize, "{name}");
        let fit = va.fit.as_ref().unwrap_or_else(|| panic!("{name}: {:?}", va.fit_error));
        assert_eq!(fit.n, va.linked);
        assert!(fit.fixed[1].estimate > 0.3, "{name}: entry predicts exit {:?}", fit.fixed);
        assert!(fit.effects.iter().all(|e| e.lower <= e.effect && e.effect <= e.upper));
        // The bureau sees every unlinked pupil, each with a reason.
        assert_eq!(va.unlinked.len(), va.exit_only + va.entry_only, "{name}");
        // 学区 and 集团: each group's progress pools its members' pupils, beside its core school's.
        let members = s.group_members(&staff).await.expect("members");
        assert!(!va.school_groups.is_empty(), "{name}: the demo's groups");
        for g in &va.school_groups {
            let of: Vec<&eduq_store::org::GroupMember> =
                members.iter().filter(|m| m.group_name == g.group.group).collect();
            let parts: Vec<_> = va.progress.iter().filter(|e| of.iter().any(|m| m.school_code == e.group)).collect();
            let n: usize = parts.iter().map(|e| e.n).sum();
            let mean = parts.iter().map(|e| e.effect * e.n as f64).sum::<f64>() / n as f64;
            assert_eq!(g.group.n, n, "{name}: {}", g.group.group);
            assert!((g.group.effect - mean).abs() < 1e-9, "{name}: {}", g.group.group);
            let core = of.iter().find(|m| m.core).and_then(|m| parts.iter().find(|e| e.group == m.school_code));
            assert_eq!(g.core.as_ref(), core.copied(), "{name}");
        }
        // The paper report too: a group's line pools its schools' sittings, then its core school's line.
        let mid_report = paper_report(&s, &staff, mid.id, math.id, Lines::default(), now()).await.expect("report");
        assert!(!mid_report.school_groups.is_empty(), "{name}");
        for u in mid_report.school_groups.iter().filter(|u| !u.label.starts_with('　')) {
            let ids: Vec<i64> = members.iter().filter(|m| m.group_id == u.id).map(|m| m.school_id).collect();
            let sat: usize =
                mid_report.units.iter().filter(|x| ids.contains(&x.id)).map(|x| x.stats.participants).sum();
            assert_eq!(u.stats.participants, sat, "{name}: {}", u.label);
        }
        // A 联考 of a group's schools: the members sit it.
        let g = members[0].group_id;
        let want: Vec<i64> = members.iter().filter(|m| m.group_id == g).map(|m| m.school_id).collect();
        let by_group = ExamForm { group_id: Some(g), ..form(8, Organiser::District, "集团八年级联考") };
        let (gid, _) = create_exam(&s, &staff, &by_group, now()).await.expect("group exam");
        let mut got = s.exam(&staff, gid).await.expect("exam").schools;
        got.sort_unstable();
        assert_eq!(got, want, "{name}");
        let principal = actor("p1", Role::SchoolAdmin, Scope::School(sids[0]));
        let refused = create_exam(&s, &principal, &by_group, now()).await;
        assert!(refused.is_err(), "{name}: a school does not hold a group's 联考");
        // Special groups: the bureau's report has them (the read audited), a leader's has none.
        assert!(!report.by_group.is_empty(), "{name}: special groups for staff");
        let reads = s
            .search_audit(
                &Actor::system(),
                &eduq_store::audit::AuditQuery {
                    action: Some("read_special_groups".into()),
                    per_page: 500,
                    ..Default::default()
                },
            )
            .await
            .expect("audit")
            .0;
        assert!(reads.iter().any(|e| e.target == "exam_report"), "{name}: the read is audited");
        let leader = actor("l", Role::Leader, Scope::District);
        let led = paper_report(&s, &leader, mid.id, math.id, Lines::default(), now()).await.expect("leader");
        assert!(led.by_group.is_empty(), "{name}");
        // A principal sees the own school's effect only.
        let principal = actor("p", Role::SchoolAdmin, Scope::School(school_id));
        let own =
            va_report(&s, &principal, (entry.id, entry_math.id), (mid.id, math.id), Method::Reml, VaModel::default())
                .await
                .expect("va");
        assert!(own.fit.as_ref().is_some_and(|f| f.effects.len() == 1) && own.progress.len() == 1, "{name}");
        // The extended model: a random slope and sex, on the same pupils.
        let model = VaModel { slope: true, classes: false, sex: true };
        let ext = va_report(&s, &staff, (entry.id, entry_math.id), (mid.id, math.id), Method::Reml, model).await;
        let ext = ext.expect("extended va");
        let m = ext.mixed.as_ref().unwrap_or_else(|| panic!("{name}: {:?}", ext.fit_error));
        assert_eq!(m.n, va.linked, "{name}");
        assert!(m.slope_var.is_some() && m.class_var.is_none(), "{name}");
        assert_eq!(m.fixed.len(), 3, "{name}: intercept, entry, sex");
        assert_eq!(ext.fit.as_ref().map(|f| f.fixed.len()), Some(3), "{name}");
        assert_eq!(m.effects.len(), fit.effects.len(), "{name}");
        // This small district has one class per school in the grade: the class level is refused
        // with the reason rather than fitted along a flat ridge.
        let model = VaModel { slope: false, classes: true, sex: false };
        let cls = va_report(&s, &staff, (entry.id, entry_math.id), (mid.id, math.id), Method::Reml, model).await;
        let cls = cls.expect("report");
        match &cls.mixed {
            Some(m) => assert!(m.classes_kept > 0 && m.class_effects.len() == m.classes_kept, "{name}"),
            None => {
                assert!(cls.fit_error.as_deref().is_some_and(|e| e.contains("无法区分")), "{name}: {:?}", cls.fit_error)
            }
        }
    }
}

/// A pupil moved to another class after the first class's roll of the day: the new class's first
/// roll that day carries the pupil's record over (one record per pupil and day) instead of failing
/// the whole batch on it.
#[tokio::test]
async fn a_pupil_moved_after_the_roll_keeps_one_record() {
    use eduq_app::roll_desk::RollDesk;
    use eduq_core::attendance::Status;
    use eduq_store::attendance::RollEntry;
    for (s, name) in seeded().await {
        let desk = RollDesk::open(s.clone());
        let tid = term_id(&s).await;
        let classes = s.list_classes(&Actor::system(), CURRENT.start_year, Some(tid), None).await.expect("classes");
        let a = classes.iter().find(|c| c.students > 1).expect("a class");
        let b = classes.iter().find(|c| c.id != a.id && c.school_id == a.school_id && c.students > 0).expect("b");
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for table in ["attendance", "roll_call"] {
            let sql = format!("DELETE FROM {table} WHERE day = $1 AND class_id IN ({}, {})", a.id, b.id);
            s.system().exec(&eduq_store::Sql::new(sql).bind(day)).await.expect("clear the day");
        }
        let roll = |class: i64, marked: i64, status: Status| {
            let (s, desk) = (s.clone(), desk.clone());
            async move {
                let teacher =
                    actor("ht", Role::HeadTeacher, Scope::Classes { school_id: a.school_id, class_ids: vec![class] });
                let (pupils, _) = s.roll(&teacher, class, tid, day).await.expect("roster");
                let entries = pupils
                    .iter()
                    .map(|p| RollEntry {
                        student_id: p.student_id,
                        status: if p.student_id == marked { status } else { Status::Present },
                        note: String::new(),
                    })
                    .collect();
                desk.take_roll(&teacher, class, day, entries, day, now()).await
            }
        };
        let (pupils, _) = s.roll(&Actor::system(), a.id, tid, day).await.expect("roster");
        let pupil = pupils[0].student_id;
        roll(a.id, pupil, Status::Truant).await.expect("class a");
        s.system()
            .exec(
                &eduq_store::Sql::new("UPDATE enrolment SET class_id = $1 WHERE student_id = $2 AND term_id = $3")
                    .bind(b.id)
                    .bind(pupil)
                    .bind(tid),
            )
            .await
            .expect("move");
        let saved = roll(b.id, pupil, Status::Sick).await.expect("class b, first roll of the day");
        assert_eq!(saved.absent, 1, "{name}");
        let records = s
            .system()
            .fetch(
                &eduq_store::Sql::new("SELECT class_id, status FROM attendance WHERE student_id = $1 AND day = $2")
                    .bind(pupil)
                    .bind(day),
                |r| Ok((r.i(0)?, r.s(1)?)),
            )
            .await
            .expect("records");
        assert_eq!(records, vec![(b.id, "sick".to_string())], "{name}");
        // The district and school ids a record carries must be its class's (one composite key).
        let other = classes.iter().find(|c| c.school_id != a.school_id).expect("a class of another school");
        let sql = "INSERT INTO attendance (district_id, school_id, class_id, student_id, day, status, note) \
                   SELECT district_id, $1, id, $2, $3, 'sick', '' FROM class WHERE id = $4";
        let wrong =
            eduq_store::Sql::new(sql).bind(other.school_id).bind(pupil).bind(day.succ_opt().unwrap()).bind(b.id);
        assert!(s.system().exec(&wrong).await.is_err(), "{name}: a record under another school's id is refused");
    }
}

/// A school's own list with only the required columns changes nothing that is stored: the
/// special-group flags, 民族, 身份证号 and the 学籍状态 of a pupil stay (#24: such a file set every
/// flag to 否).
#[tokio::test]
async fn columns_left_out_keep_what_is_stored() {
    use eduq_exchange::kinds::{Batch, to_rows};
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let recs = s.export_students(&admin, CURRENT).await.expect("export");
        let flagged: Vec<_> = recs.iter().filter(|r| r.flags.as_array().iter().any(|f| *f)).take(20).cloned().collect();
        assert!(!flagged.is_empty(), "{name}: the synthetic district has pupils in special groups");
        let headers = Kind::Students.headers();
        let keep: Vec<usize> = (0..headers.len()).filter(|i| Kind::is_required(headers[*i])).collect();
        assert!(keep.len() < headers.len());
        let rows: Vec<_> = to_rows(&Batch::Students(flagged.clone()))
            .into_iter()
            .map(|row| keep.iter().map(|i| row[*i].clone()).collect())
            .collect();
        let head: Vec<&str> = keep.iter().map(|i| headers[*i]).collect();
        let csv = eduq_exchange::table::write_csv(&head, &rows);
        let out = import_file(&s, &admin, Kind::Students, &csv, "本校名单.csv", false, now()).await.expect("import");
        assert_eq!(out.counts.inserted + out.counts.updated, 0, "{name}: {:?}", out.counts);
        let after = s.export_students(&admin, CURRENT).await.expect("export");
        for r in &flagged {
            assert_eq!(after.iter().find(|x| x.student_no == r.student_no), Some(r), "{name}");
        }
        // The stored values are read in the caller's scope only: another school's principal gets none.
        let schools = s.list_schools(&admin, None).await.expect("schools");
        let code = &flagged[0].school_code;
        let other = schools.iter().find(|x| &x.code != code).expect("another school");
        let stranger = Actor {
            user_id: 98,
            username: "p".into(),
            display_name: "p".into(),
            role: Role::SchoolAdmin,
            scope: Scope::School(other.id),
        };
        let numbers = vec![flagged[0].student_no.clone()];
        assert!(s.student_masters(&stranger, &numbers).await.expect("read").is_empty(), "{name}");
        assert_eq!(s.student_masters(&admin, &numbers).await.expect("read").len(), 1, "{name}");
    }
}

#[tokio::test]
async fn rubrics_load_as_versions_on_both_backends() {
    use eduq_app::supervision::{RubricMeta, load_rubric, rubric, rubrics};
    use eduq_core::access::{Role, Scope};
    use eduq_core::rubric::Mark;
    let file = "编号,一级指标,二级指标,评估要点,分值,评分方式,评分标准,佐证材料,关联指标,一票否决\n\
                A1,保障学生平等权益,维护学生平等入学权利,坚持免试就近入学,10,达标,全部就近入学,招生方案,,是\n\
                A2,保障学生平等权益,,控制班额,20,赋分,,,班额达标率,\n\
                B1,促进学生全面发展,,开齐开足课程,20,等级,,课表,,\n";
    for (s, name) in stores().await {
        let admin = Actor::system();
        let meta = RubricMeta {
            key: "school-management".into(),
            name: "义务教育学校管理标准自评".into(),
            version: "2017".into(),
            source: "教基〔2017〕9号".into(),
        };
        let loaded = load_rubric(&s, &admin, file.as_bytes(), "rubric.csv", &meta, now()).await.expect("load");
        assert_eq!((loaded.items, loaded.unchanged), (3, false), "{name}");
        // The same file again changes nothing; other content under the same version is refused.
        let again = load_rubric(&s, &admin, file.as_bytes(), "rubric.csv", &meta, now()).await.expect("again");
        assert_eq!((again.id, again.unchanged), (loaded.id, true), "{name}");
        let changed = file.replace(",10,达标", ",15,达标");
        let err =
            load_rubric(&s, &admin, changed.as_bytes(), "rubric.csv", &meta, now()).await.expect_err("same version");
        assert!(err.to_string().contains("已存在且内容不同"), "{name}: {err}");
        let v2 = RubricMeta { version: "2017-r1".into(), ..meta.clone() };
        assert!(!load_rubric(&s, &admin, changed.as_bytes(), "rubric.csv", &v2, now()).await.expect("v2").unchanged);
        // A bad row names its row and column; nothing is stored.
        let bad = file.replace("B1,促进学生全面发展,,开齐开足课程,20", "B1,促进学生全面发展,,开齐开足课程,x");
        let v3 = RubricMeta { version: "3".into(), ..meta.clone() };
        let err = load_rubric(&s, &admin, bad.as_bytes(), "rubric.csv", &v3, now()).await.expect_err("bad row");
        assert!(err.row_errors().iter().any(|e| e.row == 4 && e.column == "分值"), "{name}: {err:?}");
        // Provenance is required; a principal may read rubrics but not load them.
        let unsourced = RubricMeta { source: " ".into(), version: "4".into(), ..meta.clone() };
        assert!(load_rubric(&s, &admin, file.as_bytes(), "r.csv", &unsourced, now()).await.is_err(), "{name}");
        let principal = Actor { role: Role::SchoolAdmin, scope: Scope::School(1), ..Actor::system() };
        let refused = load_rubric(&s, &principal, file.as_bytes(), "r.csv", &v3, now()).await;
        assert!(matches!(refused, Err(eduq_app::AppError::Forbidden)), "{name}");
        let listed = rubrics(&s, &principal).await.expect("list");
        assert_eq!(listed.len(), 2, "{name}: two versions, nothing from the refused loads");
        // The stored rubric scores: 10 + 15 of 20 + B (0.8 × 20) = 41 of 50 = 82 % → 良好.
        let r = rubric(&s, &principal, loaded.id).await.expect("content");
        let marks = std::collections::HashMap::from([
            ("A1".to_string(), Mark::Pass(true)),
            ("A2".to_string(), Mark::Points(15.0)),
            ("B1".to_string(), Mark::Grade("B".into())),
        ]);
        let o = r.score(&marks).expect("score");
        assert_eq!((o.score, o.band.as_deref()), (41.0, Some("良好")), "{name}");
        assert_eq!(r.items[1].indicator.as_deref(), Some("class_size_ok_rate"), "{name}: 关联指标 by its name");
    }
}

/// Migration 23 turns the 控辍保学 history and evidence tables into the shared case workflow's:
/// rows written before it keep every column and become the 'dropout' subject's, on both backends.
#[tokio::test]
async fn the_shared_case_tables_keep_the_dropout_history() {
    let dir = std::env::temp_dir().join(unique("eduq_m23"));
    std::fs::create_dir_all(&dir).expect("tmp");
    let mut stores =
        vec![(Store::connect(&format!("sqlite://{}", dir.join("t.db").display())).await.expect("sqlite"), "SQLite")];
    if let Ok(url) = std::env::var("EDUQ_TEST_PG_URL") {
        stores.push((Store::connect_pg_schema(&url, &unique("m23")).await.expect("postgres"), "PostgreSQL"));
    }
    for (s, name) in stores {
        s.migrate_to(22).await.expect("migrate to 22");
        let sys = s.system();
        for stmt in [
            "INSERT INTO district (id, code, name) VALUES (1, '990001', '测试区')",
            "INSERT INTO school (id, district_id, code, name, school_type, locale, ownership) \
             VALUES (1, 1, '3990000001', '测试小学', 'primary', 'urban', 'public')",
            "INSERT INTO student (id, district_id, student_no, name, sex, birth_date, ethnicity) \
             VALUES (1, 1, 'G000000000000000001', '学生甲', 'M', '2015-03-01', '汉族')",
            "INSERT INTO dropout_case (id, district_id, school_id, student_id, register, state, step, step_started, \
             reason, source, opened_on, opened_by) VALUES (1, 1, 1, 1, 'suspected', 'open', 1, '2026-09-01', \
             '连续旷课', 'manual', '2026-09-01', 'ht')",
            "INSERT INTO case_event (case_id, district_id, school_id, kind, day, party, note, username, at) \
             VALUES (1, 1, 1, 'attempt', '2026-09-02', 'head_teacher', '家访', 'ht', '2026-09-02T08:00:00Z')",
        ] {
            sys.exec(&eduq_store::Sql::new(stmt)).await.unwrap_or_else(|e| panic!("{name}: {stmt}: {e}"));
        }
        sys.exec(
            &eduq_store::Sql::new(
                "INSERT INTO case_evidence (case_id, district_id, school_id, filename, content_type, size, sha256, content, \
                 username, at) VALUES (1, 1, 1, '家访.jpg', 'image/jpeg', 3, 'abc', $1, 'ht', '2026-09-02T08:00:00Z')",
            )
            .bind(vec![1u8, 2, 3]),
        )
        .await
        .unwrap_or_else(|e| panic!("{name}: evidence: {e}"));
        assert_eq!(s.migrate_to(23).await.expect("migrate"), vec![23], "{name}");
        let events = sys
            .fetch(&eduq_store::Sql::new("SELECT subject, case_id, kind, party, note FROM case_event"), |r| {
                Ok((r.s(0)?, r.i(1)?, r.s(2)?, r.os(3)?, r.s(4)?))
            })
            .await
            .expect("events");
        assert_eq!(
            events,
            vec![("dropout".into(), 1, "attempt".into(), Some("head_teacher".into()), "家访".into())],
            "{name}"
        );
        let files = sys
            .fetch(&eduq_store::Sql::new("SELECT subject, filename, content FROM case_evidence"), |r| {
                Ok((r.s(0)?, r.s(1)?, r.bytes(2)?))
            })
            .await
            .expect("files");
        assert_eq!(files, vec![("dropout".into(), "家访.jpg".into(), vec![1u8, 2, 3])], "{name}");
    }
}

async fn actor_of(s: &Store, username: &str) -> Actor {
    let user = s.system().user_by_name(username).await.expect("user").expect("exists");
    s.system().actor(&user).await.expect("actor")
}

/// 问题清单 → 整改 → 复查 → 销号 on both backends: the inspector raises within the 责任区 only,
/// the school answers with evidence, 复查 returns and passes, a second person of the 督导室
/// confirms the 销号, every read and step is audited, and the board counts it.
#[tokio::test]
async fn problems_from_notice_to_close() {
    use eduq_app::problems::{ProblemAction, ProblemQuery, RaiseForm, act, board, detail, raise, register};
    use eduq_core::supervision::{ProblemKind, ProblemState, Severity};
    use eduq_store::audit::AuditQuery;
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let inspector = actor_of(&s, "inspector").await;
        let principal = actor_of(&s, "principal").await;
        let staff = actor_of(&s, "staff").await;
        let Scope::Schools(area) = inspector.scope.clone() else { panic!("{name}: inspector scope") };
        let Scope::School(own) = principal.scope else { panic!("principal scope") };
        assert!(area.contains(&own) && area.len() == 6, "{name}: {area:?}");
        let all = s.list_schools(&Actor::system(), None).await.expect("schools");
        let outside = all.iter().map(|x| x.id).find(|id| !area.contains(id)).expect("a school outside");
        let before = board(&s, &staff, None, today).await.expect("board").all;
        let form = |school_id| RaiseForm {
            kind: ProblemKind::Supervision,
            school_id,
            inspection_id: None,
            item_code: "B2".into(),
            domain: "保障学生平等权益".into(),
            location: String::new(),
            description: "课后服务签到记录不全".into(),
            severity: Severity::Serious,
            responsible: "张校长".into(),
            indicator: Some("class_size_ok_rate".into()),
            deadline: None,
        };
        let refused = raise(&s, &inspector, &form(outside), today, now()).await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{name}: outside the 责任区: {refused:?}");
        let teacher = actor_of(&s, "teacher").await;
        assert!(matches!(raise(&s, &teacher, &form(own), today, now()).await, Err(AppError::Forbidden)));
        let (id, notice) = raise(&s, &inspector, &form(own), today, now()).await.expect("raise");
        assert!(notice.starts_with("督改〔2026〕") && notice.ends_with('号'), "{name}: {notice}");
        let dup = raise(&s, &inspector, &form(own), today, now()).await;
        assert!(matches!(dup, Err(AppError::Invalid(ref m)) if m.contains("内容相同")), "{name}: {dup:?}");
        let other_text = RaiseForm { description: "午餐陪餐记录缺失".into(), ..form(own) };
        let (_, second) = raise(&s, &inspector, &other_text, today, now()).await.expect("second");
        assert_ne!(notice, second, "{name}: one number per notice");
        let row = detail(&s, &principal, id, now()).await.expect("principal reads").row;
        assert_eq!(row.problem.deadline, today + chrono::Days::new(15), "{name}: 较重 → 15 days");
        // Outside the school and the 责任区: nothing.
        let other = actor("p2", Role::SchoolAdmin, Scope::School(outside));
        let (rows, total) = register(&s, &other, &ProblemQuery { limit: 50, ..Default::default() }).await.expect("reg");
        assert!(rows.iter().all(|r| r.school_id == outside) && total == rows.len() as i64, "{name}");
        assert!(detail(&s, &other, id, now()).await.is_err(), "{name}: another school's problem");
        assert!(matches!(register(&s, &teacher, &ProblemQuery::default()).await, Err(AppError::Store(_))));

        let submit = |day| ProblemAction::Submit { day, note: "已补齐签到表并建立检查制度".into() };
        let err = act(&s, &principal, id, submit(today), today, now()).await.expect_err("no evidence");
        assert!(err.to_string().contains("佐证"), "{name}: {err}");
        eduq_app::casework::add_evidence(
            &s,
            &principal,
            eduq_core::casework::Subject::Problem,
            id,
            "签到表.jpg",
            b"\xff\xd8 synthetic".to_vec(),
            now(),
        )
        .await
        .expect("evidence");
        act(&s, &principal, id, submit(today), today, now()).await.expect("submit");
        let pass = ProblemAction::Review { pass: true, note: String::new() };
        assert!(act(&s, &principal, id, pass.clone(), today, now()).await.is_err(), "{name}: the school cannot review");
        let back = ProblemAction::Review { pass: false, note: "缺少制度文件".into() };
        act(&s, &inspector, id, back, today, now()).await.expect("returned");
        act(&s, &principal, id, submit(today), today, now()).await.expect("again");
        act(&s, &inspector, id, pass, today, now()).await.expect("passed");
        let close = |approve| ProblemAction::ConfirmClose { approve, note: "同意销号".into() };
        let err = act(&s, &inspector, id, close(true), today, now()).await.expect_err("inspector");
        assert!(err.to_string().contains("督导室"), "{name}: {err}");
        act(&s, &staff, id, close(true), today, now()).await.expect("closed");
        let d = detail(&s, &staff, id, now()).await.expect("detail");
        assert_eq!(d.row.problem.state, ProblemState::Closed, "{name}");
        assert_eq!(d.row.closed_by.as_deref(), Some("staff"));
        let kinds: Vec<&str> = d.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["raise", "submit", "review_return", "submit", "review_pass", "confirm_close"], "{name}");
        assert_eq!(d.evidence.len(), 1);
        assert!(
            eduq_app::casework::add_evidence(
                &s,
                &principal,
                eduq_core::casework::Subject::Problem,
                id,
                "b.jpg",
                vec![1],
                now()
            )
            .await
            .is_err(),
            "{name}: closed"
        );
        let audit = s
            .search_audit(
                &Actor::system(),
                &AuditQuery { action: Some("problem_read".into()), per_page: 100, ..Default::default() },
            )
            .await
            .expect("audit");
        assert!(audit.0.len() >= 3, "{name}: reads are audited");

        // The board: two more raised, one rectified on time, one open and overdue 40 days later.
        let later = today + chrono::Days::new(15 + 40);
        let after = board(&s, &staff, None, later).await.expect("board");
        let was = board(&s, &staff, None, later).await.expect("again");
        assert_eq!(after, was, "{name}: memoised");
        assert_eq!(after.all.total, before.total + 2, "{name}");
        assert_eq!(after.all.rectified, before.rectified + 1, "{name}");
        assert!(after.notify.iter().any(|l| l.school_id == own), "{name}: 40 days overdue → 通报");
        let mine = board(&s, &inspector, None, later).await.expect("inspector board");
        assert!(
            mine.by_school.iter().all(|l| area.iter().any(|a| all.iter().any(|x| x.id == *a && x.name == l.label)))
        );
    }
}

/// Inspections on both backends: the shipped templates load once; an inspector plans a visit in
/// the 责任区 only; the school assesses itself; the inspector's blank indicator items mark
/// themselves from the school's values; closing needs every item and gives the rubric's outcome;
/// the report and the month's report count what happened.
#[tokio::test]
async fn inspections_score_on_shipped_rubrics() {
    use eduq_app::inspections::{Entry, PlanForm, close, month_report, plan, report_xlsx, save_marks, view};
    use eduq_core::inspection::{InspectionKind, Side};
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let staff = actor_of(&s, "staff").await;
        let inspector = actor_of(&s, "inspector").await;
        let principal = actor_of(&s, "principal").await;
        // The demo loaded the shipped templates; loading them again changes nothing.
        assert_eq!(eduq_app::supervision::load_templates(&s, &staff, now()).await.expect("again"), 0, "{name}");
        let rubrics = eduq_app::supervision::rubrics(&s, &inspector).await.expect("inspector reads rubrics");
        assert_eq!(rubrics.len(), eduq_app::supervision::TEMPLATES.len(), "{name}");
        // Every shipped rubric exports in its file layout, and the export loads back as nothing new.
        for r in &rubrics {
            let (file, bytes) = eduq_app::supervision::export_rubric(&s, &staff, r.id).await.expect("export");
            let meta = eduq_app::supervision::RubricMeta {
                key: r.key.clone(),
                name: r.name.clone(),
                version: r.version.clone(),
                source: r.source.clone(),
            };
            let back = eduq_app::supervision::load_rubric(&s, &staff, &bytes, &file, &meta, now()).await.expect("back");
            assert!(back.unchanged && back.id == r.id, "{name}: {} round-trips", r.key);
        }
        let comprehensive = rubrics.iter().find(|r| r.key == "comprehensive").expect("comprehensive").id;
        let Scope::School(own) = principal.scope else { panic!() };
        let all = s.list_schools(&Actor::system(), None).await.expect("schools");
        let Scope::Schools(area) = inspector.scope.clone() else { panic!() };
        let outside = all.iter().map(|x| x.id).find(|id| !area.contains(id)).expect("outside");
        let form = |school_id| PlanForm {
            school_id,
            kind: InspectionKind::Visit,
            title: "11月挂牌督导".into(),
            rubric_id: comprehensive,
            inspector: String::new(),
            planned_on: today,
        };
        assert!(plan(&s, &inspector, &form(outside), now()).await.is_err(), "{name}: outside the 责任区");
        assert!(matches!(plan(&s, &principal, &form(own), now()).await, Err(AppError::Forbidden)));
        let month_before = month_report(&s, &inspector, "", 2026, 11).await.expect("month");
        let visits_before = month_before.lines.iter().find(|l| l.school_id == own).map_or(0, |l| l.visits);
        let id = plan(&s, &inspector, &form(own), now()).await.expect("plan");
        let v = view(&s, &principal, id).await.expect("principal reads it");
        assert_eq!(v.row.inspector, "inspector", "{name}");
        let entries = |v: &eduq_app::inspections::InspectionView, mark: &str| -> Vec<Entry> {
            v.items
                .iter()
                .map(|i| Entry {
                    code: i.item.code.clone(),
                    mark: match i.item.method {
                        eduq_core::rubric::Method::Pass => mark.into(),
                        eduq_core::rubric::Method::Grade => "B".into(),
                        eduq_core::rubric::Method::Points => "1".into(),
                    },
                    note: String::new(),
                })
                .collect()
        };
        assert_eq!(
            save_marks(&s, &principal, id, Side::School, &entries(&v, "达标"), today, now()).await.expect("self"),
            12
        );
        assert!(save_marks(&s, &principal, id, Side::Inspector, &entries(&v, "达标"), today, now()).await.is_err());
        let bad = vec![Entry { code: "C01".into(), mark: "优".into(), note: String::new() }];
        let err = save_marks(&s, &inspector, id, Side::Inspector, &bad, today, now()).await.expect_err("bad mark");
        assert!(err.to_string().contains("编号“C01”"), "{name}: {err}");
        // Blank marks: the items measured by an indicator with a verdict mark themselves.
        let blank: Vec<Entry> =
            v.items.iter().map(|i| Entry { code: i.item.code.clone(), ..Default::default() }).collect();
        let auto = save_marks(&s, &inspector, id, Side::Inspector, &blank, today, now()).await.expect("auto");
        let v = view(&s, &inspector, id).await.expect("view");
        let with_verdict = v.items.iter().filter(|i| i.measured.as_ref().is_some_and(|m| m.meets.is_some())).count();
        assert!(auto >= 1 && auto == with_verdict, "{name}: {auto} auto marks, {with_verdict} verdicts");
        assert!(v.items.iter().filter(|i| i.inspector.is_some()).all(|i| i.inspector.as_ref().is_some_and(|m| m.auto)));
        let err = close(&s, &inspector, id, "", today, now()).await.expect_err("unmarked");
        assert!(err.to_string().contains("未评定"), "{name}: {err}");
        let mut full = entries(&v, "达标");
        for (e, i) in full.iter_mut().zip(&v.items) {
            if i.inspector.as_ref().is_some_and(|m| m.auto) {
                e.mark = String::new();
            }
        }
        save_marks(&s, &inspector, id, Side::Inspector, &full, today, now()).await.expect("score");
        let v = view(&s, &inspector, id).await.expect("view");
        assert!(v.inspector_outcome.unmarked.is_empty(), "{name}");
        let closed = close(&s, &inspector, id, "整体良好", today, now()).await.expect("close");
        assert_eq!(Some(closed.band.clone()), v.inspector_outcome.band, "{name}: the outcome the page showed");
        assert!((closed.score - v.inspector_outcome.score).abs() < 1e-9);
        assert!(save_marks(&s, &inspector, id, Side::Inspector, &full, today, now()).await.is_err(), "closed");
        let (file, bytes) = report_xlsx(&s, &inspector, id).await.expect("report");
        assert!(file.ends_with(".xlsx") && bytes.starts_with(b"PK"));
        let m = month_report(&s, &inspector, "", 2026, 11).await.expect("month");
        let line = m.lines.iter().find(|l| l.school_id == own).expect("own school");
        assert_eq!(line.visits, visits_before + 1, "{name}");
        assert!(line.visit_dates.contains(&today), "{name}");
        let other = actor("p2", Role::SchoolAdmin, Scope::School(outside));
        assert!(view(&s, &other, id).await.is_err(), "{name}: another school");

        // A school's monthly 安全隐患排查: the school plans, marks and closes it; an inspector does not.
        let check = rubrics.iter().find(|r| r.key == "safety_check_monthly").expect("checklist").id;
        let form = PlanForm {
            kind: InspectionKind::SafetyCheck,
            title: "12月安全隐患排查".into(),
            rubric_id: check,
            planned_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            ..form(own)
        };
        let cid = plan(&s, &principal, &form, now()).await.expect("the school plans its check");
        let v = view(&s, &principal, cid).await.expect("view");
        let marks: Vec<Entry> = v
            .items
            .iter()
            .map(|i| Entry { code: i.item.code.clone(), mark: "达标".into(), note: String::new() })
            .collect();
        save_marks(&s, &principal, cid, Side::School, &marks, today, now()).await.expect("marks");
        let err = close(&s, &inspector, cid, "", today, now()).await.expect_err("not the inspector's");
        assert!(err.to_string().contains("学校管理员"), "{name}: {err}");
        let done = close(&s, &principal, cid, "逐项排查", today, now()).await.expect("closed");
        assert_eq!(done.band, "优秀", "{name}");
        let dec = chrono::NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        let checks = eduq_app::inspections::monthly_checks(&s, &principal, dec).await.expect("checks");
        assert_eq!(checks.len(), 1, "{name}: the principal's own school");
        assert_eq!(checks[0].check.as_ref().map(|c| c.id), Some(cid), "{name}");
        let visit = PlanForm { kind: InspectionKind::Visit, ..form.clone() };
        assert!(matches!(plan(&s, &principal, &visit, now()).await, Err(AppError::Forbidden)), "{name}");
    }
}

/// 问题清单 and inspection plans through files on both backends: a bad file names every bad row
/// and applies nothing; a good one applies whole; the same file again, or the register's own
/// export, changes nothing.
#[tokio::test]
async fn supervision_files_round_trip() {
    use eduq_app::inspections::{export_plans, import_plans};
    use eduq_app::problems::{ProblemQuery, export_problems, import_problems, register};
    for (s, name) in seeded().await {
        // The district's day of `now()`, the demo's today.
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let inspector = actor_of(&s, "inspector").await;
        let staff = actor_of(&s, "staff").await;
        let Scope::Schools(area) = inspector.scope.clone() else { panic!() };
        let all = s.list_schools(&Actor::system(), None).await.expect("schools");
        let code = |id: i64| all.iter().find(|x| x.id == id).expect("school").code.clone();
        let outside = all.iter().find(|x| !area.contains(&x.id)).expect("outside").code.clone();
        let (own, other) = (code(area[0]), code(area[1]));
        let head = "学校标识码,类别,领域,指标编号,位置,问题描述,严重程度,整改责任人,下达日期,整改期限,关联指标\n";
        let good = format!(
            "{head}{own},督导问题,课程教学,V3,,体育课被挤占,较重,教务主任,2026-11-18,,\n\
             {other},安全隐患,消防,,实验楼,灭火器压力不足,重大,总务主任,2026-11-19,2026-11-25,\n"
        );
        let before = register(&s, &staff, &ProblemQuery { limit: 1, ..Default::default() }).await.expect("reg").1;
        let bad = format!(
            "{head}{outside},督导问题,课程教学,,,越权,一般,甲,2026-11-18,,\n{own},安全隐患,消防,,,无位置,一般,乙,2026-11-30,,\n"
        );
        let err = import_problems(&s, &inspector, bad.as_bytes(), "bad.csv", today, now()).await.expect_err("bad");
        let rows: Vec<(usize, String)> = err.row_errors().iter().map(|e| (e.row, e.column.clone())).collect();
        assert_eq!(rows, [(2, "学校标识码".to_string()), (3, "下达日期".to_string())], "{name}: {err}");
        let n = import_problems(&s, &inspector, good.as_bytes(), "list.csv", today, now()).await.expect("good");
        assert_eq!((n.added, n.unchanged), (2, 0), "{name}");
        let n = import_problems(&s, &inspector, good.as_bytes(), "list.csv", today, now()).await.expect("again");
        assert_eq!((n.added, n.unchanged), (0, 2), "{name}: the same file again");
        let after = register(&s, &staff, &ProblemQuery { limit: 1, ..Default::default() }).await.expect("reg").1;
        assert_eq!(after, before + 2, "{name}");
        // The register's export re-imports as nothing new.
        let xlsx = export_problems(&s, &staff, &ProblemQuery::default()).await.expect("export");
        let n = import_problems(&s, &staff, &xlsx, "问题清单.xlsx", today, now()).await.expect("export back");
        assert_eq!((n.added, n.unchanged as i64), (0, after), "{name}");

        let plans = format!(
            "学校标识码,督导类别,督导名称,指标体系编号,版本,督学,计划日期\n{own},专项督导,校园安全专项督导,special_safety,2006,inspector,2026-12-10\n"
        );
        let n = import_plans(&s, &staff, plans.as_bytes(), "plans.csv", now()).await.expect("plans");
        assert_eq!((n.added, n.unchanged), (1, 0), "{name}");
        let n = import_plans(&s, &staff, plans.as_bytes(), "plans.csv", now()).await.expect("again");
        assert_eq!((n.added, n.unchanged), (0, 1), "{name}");
        let wrong = plans.replace(&own, &outside).replace("2006", "1999");
        let err = import_plans(&s, &staff, wrong.as_bytes(), "plans.csv", now()).await.expect_err("wrong");
        assert_eq!(err.row_errors()[0].column, "版本", "{name}: {err}");
        let wrong = plans.replace(&own, &outside);
        let err = import_plans(&s, &staff, wrong.as_bytes(), "plans.csv", now()).await.expect_err("outside the area");
        assert!(err.row_errors()[0].message.contains("责任区"), "{name}: {err}");
        let xlsx = export_plans(&s, &staff).await.expect("export plans");
        let n = import_plans(&s, &staff, &xlsx, "督导安排.xlsx", now()).await.expect("export back");
        assert_eq!(n.added, 0, "{name}");
    }
}

/// Training hours on both backends (#18): a platform's export imports for the school's own
/// teachers only, names every bad row, lands whole; again it adds nothing; the ledger counts the
/// cycle's hours and the completion rate.
#[tokio::test]
async fn training_hours_import_and_ledger() {
    use eduq_app::training::{import_records, ledger};
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let principal = actor_of(&s, "principal").await;
        let Scope::School(own) = principal.scope else { panic!() };
        let tid = term_id(&s).await;
        let staff = s.staff(&Actor::system(), tid).await.expect("staff");
        let mine: Vec<_> = staff.iter().filter(|m| m.school_id == own).collect();
        let other = staff.iter().find(|m| m.school_id != own).expect("another school's teacher");
        let (a, b) = (mine[0], mine[1]);
        let head = "工号,姓名,课程名称,培训级别,培训形式,师德,学时,完成日期,培训机构\n";
        let good = format!(
            "{head}{},{},国培项目,国培,集中,否,300,2026-07-20,某师范大学\n{},{},师德专题,区级,线上,是,60,2026-09-10,\n{},{},校本研修,校级,校本,否,24,2026-10-15,\n",
            a.staff_no, a.name, a.staff_no, a.name, b.staff_no, b.name
        );
        let bad = format!(
            "{head}{},{},课程,国培,集中,否,10,2026-07-20,\n{},张冠李戴,课程,国培,集中,否,10,2026-07-20,\n",
            other.staff_no, other.name, a.staff_no
        );
        let err = import_records(&s, &principal, bad.as_bytes(), "bad.csv", today, now()).await.expect_err("bad");
        let cols: Vec<(usize, String)> = err.row_errors().iter().map(|e| (e.row, e.column.clone())).collect();
        assert_eq!(cols, [(2, "工号".to_string()), (3, "姓名".to_string())], "{name}: {err}");
        // The demo seeded this cycle's records already: the import adds to them.
        let before = ledger(&s, &principal, today).await.expect("ledger");
        let n = import_records(&s, &principal, good.as_bytes(), "platform.csv", today, now()).await.expect("good");
        assert_eq!((n.added, n.unchanged), (3, 0), "{name}");
        let n = import_records(&s, &principal, good.as_bytes(), "platform.csv", today, now()).await.expect("again");
        assert_eq!((n.added, n.unchanged), (0, 3), "{name}");
        let l = ledger(&s, &principal, today).await.expect("ledger");
        assert_eq!(l.cycle.first, 2026, "{name}");
        assert_eq!(l.teachers.len(), mine.len(), "{name}: the school's teachers only");
        let hours = |g: &eduq_app::training::Ledger, id: i64| {
            g.teachers.iter().find(|t| t.teacher_id == id).expect("teacher").progress.clone()
        };
        let (pa, pa0) = (hours(&l, a.teacher_id), hours(&before, a.teacher_id));
        assert!(pa.complete && pa.counted == pa0.counted + 360.0 && pa.ethics == pa0.ethics + 60.0, "{name}: {pa:?}");
        assert_eq!(hours(&l, b.teacher_id).counted, hours(&before, b.teacher_id).counted + 24.0, "{name}");
        let done = l.teachers.iter().filter(|t| t.progress.complete).count();
        assert!((l.rate.expect("rate") - done as f64 / mine.len() as f64 * 100.0).abs() < 1e-9, "{name}");
        let school = l.schools.iter().find(|x| x.school_id == own).expect("own school line");
        assert_eq!((school.teachers, school.complete), (mine.len(), done), "{name}");
        let teacher = actor_of(&s, "teacher").await;
        assert!(matches!(
            import_records(&s, &teacher, good.as_bytes(), "p.csv", today, now()).await,
            Err(AppError::Forbidden)
        ));
        // The store itself refuses a record for a school outside the caller's scope.
        let stray = eduq_store::training::NewTraining {
            district_id: 1,
            school_id: other.school_id,
            teacher_id: other.teacher_id,
            course: "课程".into(),
            level: eduq_core::training::Level::County,
            mode: eduq_core::training::Mode::Concentrated,
            ethics: false,
            hours: 8.0,
            day: today,
            provider: String::new(),
            source_key: "stray".into(),
        };
        let mut tx = s.begin().await.expect("tx");
        let refused = tx.insert_trainings(&principal, &[stray], now()).await;
        assert!(matches!(refused, Err(eduq_store::StoreError::Forbidden)), "{name}: {refused:?}");
        tx.rollback().await.expect("rollback");
    }
}

/// A teacher's own entry of hours on both backends (#18): entered with a certificate, checked by
/// the school, confirmed by the bureau, then counted; returned with a reason; nobody approves their
/// own; other schools, other roles and a teacher's colleagues see nothing; every step audited. The
/// last cycle's records replace the entered figure of 政府保障程度 item 9.
#[tokio::test]
async fn training_claims_from_entry_to_record() {
    use eduq_app::training::{ClaimForm, claim, claims_waiting, decide_claim, own_hours, submit_claim};
    use eduq_core::casework::Subject;
    use eduq_core::training::ClaimState;
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let (teacher, principal, staff) =
            (actor_of(&s, "teacher").await, actor_of(&s, "principal").await, actor_of(&s, "staff").await);
        let Scope::School(own) = principal.scope else { panic!() };
        let mine = own_hours(&s, &teacher, today).await.expect("own").expect("the demo teacher is linked");
        let counted = mine.progress.counted;
        assert_eq!(mine.claims.len(), 1, "{name}: the demo's entry waits at the school");
        let form = |course: &str, hours: &str, day: &str| ClaimForm {
            course: course.into(),
            level: "区级".into(),
            mode: "集中".into(),
            ethics: Some("1".into()),
            hours: hours.into(),
            day: day.into(),
            provider: "区教师发展中心".into(),
        };
        let cert = || ("证书.pdf", b"%PDF-1.4 synthetic".to_vec());
        let submit = |f: ClaimForm, c: (&'static str, Vec<u8>)| {
            let (s, teacher) = (s.clone(), teacher.clone());
            async move { submit_claim(&s, &teacher, &f, (c.0, c.1), today, now()).await }
        };
        // Bad entries are refused with the field named.
        for (f, c, says) in [
            (form("课程", "0", "2026-11-01"), cert(), "学时"),
            (form("课程", "8", "2026-12-01"), cert(), "晚于今天"),
            (form("课程", "8", "2026-02-30"), cert(), "不是有效日期"),
            (form("课程", "8", "2026-11-01"), ("证书.exe", vec![1]), "培训证书"),
            (form("", "8", "2026-11-01"), cert(), "课程名称"),
        ] {
            let e = submit(f, c).await.expect_err("refused");
            assert!(e.to_string().contains(says), "{name}: {e}");
        }
        let id = submit(form("区级班主任培训", "24", "2026-11-10"), cert()).await.expect("submitted");
        let again = submit(form("区级班主任培训", "24", "2026-11-10"), cert()).await.expect_err("twice");
        assert!(again.to_string().contains("重复申报"), "{name}: {again}");
        // The teacher neither approves nor lists the queue; another school does not see the claim.
        assert!(decide_claim(&s, &teacher, id, true, "", today, now()).await.is_err(), "{name}");
        assert!(matches!(claims_waiting(&s, &teacher).await, Err(AppError::Forbidden)), "{name}");
        let elsewhere = Actor { scope: Scope::School(own + 1), user_id: principal.user_id + 1000, ..principal.clone() };
        assert!(matches!(claim(&s, &elsewhere, id).await, Err(AppError::Store(eduq_store::StoreError::NotFound))));
        assert!(!claims_waiting(&s, &elsewhere).await.expect("queue").iter().any(|c| c.id == id), "{name}");
        let parent = Actor { role: Role::Parent, scope: Scope::Students(vec![1]), ..teacher.clone() };
        assert!(claim(&s, &parent, id).await.is_err(), "{name}: parents read no claims");
        // The bureau cannot skip the school.
        assert!(decide_claim(&s, &staff, id, true, "", today, now()).await.is_err(), "{name}: the school first");
        assert!(claims_waiting(&s, &principal).await.expect("queue").iter().any(|c| c.id == id), "{name}");
        let st = decide_claim(&s, &principal, id, true, "", today, now()).await.expect("school");
        assert_eq!(st, ClaimState::SchoolApproved, "{name}");
        assert!(decide_claim(&s, &principal, id, true, "", today, now()).await.is_err(), "{name}: once");
        let queue = claims_waiting(&s, &staff).await.expect("bureau queue");
        assert!(queue.iter().any(|c| c.id == id), "{name}");
        // The demo principal's own entry waits at the bureau; the principal never decides it.
        let own_claim = queue.iter().find(|c| c.username == "principal").expect("the principal's entry").id;
        assert!(decide_claim(&s, &principal, own_claim, false, "不符", today, now()).await.is_err(), "{name}");
        assert_eq!(decide_claim(&s, &staff, id, true, "", today, now()).await.expect("bureau"), ClaimState::Approved);
        let after = own_hours(&s, &teacher, today).await.expect("own").expect("linked");
        assert_eq!(after.progress.counted, counted + 24.0, "{name}: the approved hours count");
        assert!(after.records.iter().any(|r| r.course == "区级班主任培训" && r.ethics), "{name}");
        let l = eduq_app::training::ledger(&s, &principal, today).await.expect("ledger");
        let staff_no = mine_staff_no(&s, &teacher).await;
        let me = l.teachers.iter().find(|t| t.staff_no == staff_no).expect("in the ledger");
        assert_eq!(me.progress.counted, counted + 24.0, "{name}: the school's ledger moves too");
        // A return needs a reason and ends the claim; the teacher reads the reason.
        let id2 = submit(form("校本研修", "6", "2026-11-12"), cert()).await.expect("submitted");
        assert!(decide_claim(&s, &principal, id2, false, " ", today, now()).await.is_err(), "{name}: no reason");
        decide_claim(&s, &principal, id2, false, "证书不清晰，请重新上传", today, now()).await.expect("returned");
        let back = own_hours(&s, &teacher, today).await.expect("own").expect("linked");
        let c2 = back.claims.iter().find(|c| c.id == id2).expect("listed");
        assert_eq!((c2.state, c2.reason.as_str()), (ClaimState::Returned, "证书不清晰，请重新上传"), "{name}");
        assert_eq!(back.progress.counted, counted + 24.0, "{name}: returned hours do not count");
        // The certificate: the teacher and the approvers read it, each read audited.
        let (_, events, evidence) = claim(&s, &teacher, id).await.expect("own claim");
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["submit", "school_approve", "bureau_approve"], "{name}");
        let file = evidence[0].id;
        let (fname, _, bytes) =
            eduq_app::casework::evidence(&s, &teacher, Subject::Training, id, file, now()).await.expect("own file");
        assert_eq!((fname.as_str(), bytes.as_slice()), ("证书.pdf", b"%PDF-1.4 synthetic".as_slice()), "{name}");
        assert!(eduq_app::casework::evidence(&s, &elsewhere, Subject::Training, id, file, now()).await.is_err());
        let audited = s
            .search_audit(
                &Actor::system(),
                &eduq_store::audit::AuditQuery {
                    action: Some("training_claim_evidence_read".into()),
                    per_page: 10,
                    ..Default::default()
                },
            )
            .await
            .expect("audit");
        assert_eq!(audited.0.len(), 1, "{name}: the read is audited");
        // Item 9 of 政府保障程度 comes from the last cycle's records (2021–2025).
        let rate = eduq_app::training::completed_cycle_rate(&s, &staff, CURRENT).await.expect("rate").expect("kept");
        assert_eq!(rate.cycle.first, 2021, "{name}");
        assert!(rate.complete < rate.teachers && rate.rate > 90.0, "{name}: most completed ({rate:?})");
        let report = eduq_app::guarantee::evaluate_district(&s, &staff, CURRENT).await.expect("guarantee");
        let item9 = report.items.iter().find(|i| i.no == 9).expect("item 9");
        assert_eq!(item9.checks[0].value, format!("{}%", eduq_core::guarantee::number(rate.rate)), "{name}");
        assert_eq!(item9.verdict, eduq_core::guarantee::Verdict::NotMet, "{name}: below 100 %");
        assert!(item9.checks[0].details[0].contains("eduq培训学时记录"), "{name}: {:?}", item9.checks[0].details);
    }
}

/// The 工号 of the teacher record an account names.
async fn mine_staff_no(s: &Store, a: &Actor) -> String {
    s.system().bindings(a.user_id).await.expect("bindings").staff_no.expect("linked")
}

/// 交流轮岗 on both backends (#18): who qualifies follows 进本校年月 and the term records, the
/// demo's year of rotations gives both shares, which 政府保障程度 item 11 prints in place of an
/// entered figure; the bureau sends and records returns, a school reads its own and sends no one.
#[tokio::test]
async fn rotations_qualify_count_and_feed_item_11() {
    use eduq_app::rotation::{AssignForm, assign, board, mark_returned, year_tally};
    for (s, name) in seeded().await {
        let (staff, principal) = (actor_of(&s, "staff").await, actor_of(&s, "principal").await);
        let b = board(&s, &staff, CURRENT).await.expect("board");
        let qualifying = b.candidates.iter().filter(|c| c.qualifies).count();
        assert_eq!(b.tally.qualifying, qualifying, "{name}");
        assert!(b.candidates.iter().all(|c| c.qualifies == (c.years >= 6)), "{name}");
        assert!(qualifying > 0 && b.tally.sent > 0, "{name}: the demo sends teachers ({:?})", b.tally);
        let share = b.tally.share().expect("share");
        assert!(
            (share - b.tally.rotated as f64 / qualifying as f64 * 100.0).abs() < 1e-9 && share >= 10.0,
            "{name}: {share}"
        );
        assert!(b.tally.backbone_share().expect("backbone") >= 20.0, "{name}");
        assert_eq!(b.schools.iter().map(|x| x.sent).sum::<usize>(), b.rotations.len(), "{name}");
        assert_eq!(b.schools.iter().map(|x| x.received).sum::<usize>(), b.rotations.len(), "{name}");
        assert!(b.schools.iter().all(|x| x.quota == (x.qualifying * 10).div_ceil(100)), "{name}");
        assert!(b.flows.iter().all(|f| f.to == eduq_core::org::Locale::Rural), "{name}: to rural schools");
        // Item 11 from the year's rotation records.
        let report = eduq_app::guarantee::evaluate_district(&s, &staff, CURRENT).await.expect("guarantee");
        let item = report.items.iter().find(|i| i.no == 11).expect("item 11");
        assert_eq!(item.checks[0].value, format!("{}%", eduq_core::guarantee::number(share)), "{name}");
        assert!(item.checks[0].details[0].contains("eduq交流轮岗记录") && item.checks[0].input_key.is_none());
        assert_eq!(year_tally(&s, &staff, CURRENT).await.expect("tally"), Some(b.tally), "{name}");
        // A teacher of the principal's school who qualifies and has not gone: the school cannot send
        // them, the bureau can, once.
        let Scope::School(own) = principal.scope else { panic!() };
        let c = b.candidates.iter().find(|c| c.staff.school_id == own && !c.sent).expect("a teacher at home");
        let to = b.candidates.iter().find(|x| x.staff.school_id != own).expect("another school").staff.school_id;
        let form = |staff_no: &str, to_school_id: i64, start: &str, end: &str| AssignForm {
            staff_no: staff_no.into(),
            to_school_id,
            kind: "支教".into(),
            start_day: start.into(),
            end_day: end.into(),
            note: String::new(),
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let f = form(&c.staff.staff_no, to, "2026-11-23", "2027-07-10");
        assert!(matches!(assign(&s, &principal, &f, today, now()).await, Err(AppError::Forbidden)), "{name}");
        for (bad, says) in [
            (form(&c.staff.staff_no, own, "2026-11-23", ""), "本校"),
            (form("T9999999", to, "2026-11-23", ""), "不是本学期在岗"),
            (form(&c.staff.staff_no, to, "2026-11-23", "2026-11-01"), "晚于出发日期"),
            (form(&c.staff.staff_no, to, "明天", ""), "不是有效日期"),
        ] {
            let e = assign(&s, &staff, &bad, today, now()).await.expect_err("refused");
            assert!(e.to_string().contains(says), "{name}: {e}");
        }
        assign(&s, &staff, &f, today, now()).await.expect("sent");
        assert!(assign(&s, &staff, &f, today, now()).await.is_err(), "{name}: once a year");
        let after = board(&s, &staff, CURRENT).await.expect("board");
        assert_eq!(after.tally.sent, b.tally.sent + 1, "{name}");
        assert_eq!(after.tally.rotated, b.tally.rotated + usize::from(c.qualifies), "{name}");
        // The school reads what it sends and receives.
        let mine = board(&s, &principal, CURRENT).await.expect("school");
        assert!(mine.rotations.iter().all(|r| r.school_id == own || r.to_school_id == own), "{name}");
        assert!(mine.rotations.iter().any(|r| r.staff_no == c.staff.staff_no), "{name}");
        let id = after.rotations.iter().find(|r| r.staff_no == c.staff.staff_no).expect("listed").id;
        assert!(mark_returned(&s, &staff, id, "2026-11-01", now()).await.is_err(), "{name}: before leaving");
        mark_returned(&s, &staff, id, "2027-07-10", now()).await.expect("back");
        assert!(mark_returned(&s, &staff, id, "2027-07-11", now()).await.is_err(), "{name}: once");
        // The ladder's counts are indicators plan targets can name (名师 30): every teacher of the
        // term counted once, the county value the sum of the schools'.
        // A title held at the term's end lifts a teacher to its rung (#18 designations).
        let teachers = s.export_teachers(&staff, CURRENT).await.expect("teachers");
        let end = CURRENT.nominal_bounds().1;
        let titles = s.designations(&staff, None).await.expect("titles");
        let staff_ids: std::collections::HashMap<String, i64> = s
            .staff(&staff, term_id(&s).await)
            .await
            .expect("staff")
            .into_iter()
            .map(|m| (m.staff_no, m.teacher_id))
            .collect();
        let tier_of = |t: &eduq_core::records::TeacherRecord| {
            let id = staff_ids.get(&t.staff_no).copied();
            titles
                .iter()
                .filter(|d| Some(d.teacher_id) == id && d.d.active_on(end))
                .filter_map(|d| d.honour.tier())
                .fold(t.tier, Ord::max)
        };
        let count =
            |tiers: &[eduq_core::teacher::Tier]| teachers.iter().filter(|t| tiers.contains(&tier_of(t))).count();
        use eduq_core::teacher::Tier;
        for (key, n) in [
            ("master_teachers", count(&[Tier::Master])),
            ("backbone_tier_teachers", count(&[Tier::Backbone, Tier::Master])),
        ] {
            let v = eduq_app::indicators::one(&s, &staff, CURRENT, key).await.expect("indicator");
            assert_eq!(v.district.value, Some(n as f64), "{name}: {key}");
            assert!(n > 0 || key == "master_teachers", "{name}: the demo has {key}");
            let by_school: f64 = v.schools.iter().filter_map(|x| x.value.value).sum();
            assert_eq!(by_school, n as f64, "{name}: {key}");
        }
    }
}

/// 四级培养, 课题 and 工作室 on both backends (#18): a nomination through the panel, 公示 and a
/// term, refused where the rules say; the counts on the register equal the indicators plan targets
/// name; 课题 coverage equals a count by hand of the register; a studio's assessment is the rubric
/// engine's score of the marks, and only the bureau or the host logs its work.
#[tokio::test]
async fn teacher_development_designations_research_studios() {
    use eduq_app::designations::{NominateForm, StepForm, act, board, nominate};
    use eduq_core::designation::{Honour, State};
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let (teacher, principal, staff) =
            (actor_of(&s, "teacher").await, actor_of(&s, "principal").await, actor_of(&s, "staff").await);
        let Scope::School(own) = principal.scope else { panic!() };
        let b = board(&s, &staff, today).await.expect("board");
        assert!(b.held_of(Honour::Master) > 0 && b.waiting > 0 && b.in_notice > 0, "{name}: the demo's register");
        for (key, h) in [("master_head_teachers", Honour::MasterHeadTeacher)] {
            let v = eduq_app::indicators::one(&s, &staff, CURRENT, key).await.expect("indicator");
            assert_eq!(v.district.numerator, b.held_of(h) as f64, "{name}: {key} counts the titles held");
        }
        let held_master = b
            .rows
            .iter()
            .filter(|r| r.d.active_on(today) && r.honour.tier() == Some(eduq_core::teacher::Tier::Master))
            .count();
        assert!(held_master > 0, "{name}");
        // A school nominates its own teacher, not another school's.
        let tid = term_id(&s).await;
        let all = s.staff(&staff, tid).await.expect("staff");
        let mine = all
            .iter()
            .find(|m| m.school_id == own && !b.rows.iter().any(|r| r.teacher_id == m.teacher_id))
            .expect("own");
        let other = all.iter().find(|m| m.school_id != own).expect("other");
        let form = |no: &str| NominateForm {
            staff_no: no.into(),
            honour: "名班主任".into(),
            level: "区级".into(),
            subject: String::new(),
            reason: "班级管理成效突出".into(),
        };
        let e = nominate(&s, &principal, &form(&other.staff_no), today, now()).await.expect_err("other school");
        assert!(e.to_string().contains("不是本学期在岗的教师"), "{name}: {e}");
        assert!(matches!(
            nominate(&s, &teacher, &form(&mine.staff_no), today, now()).await,
            Err(eduq_app::AppError::Forbidden)
        ));
        let id = nominate(&s, &principal, &form(&mine.staff_no), today, now()).await.expect("nominated");
        assert!(nominate(&s, &principal, &form(&mine.staff_no), today, now()).await.is_err(), "{name}: once a year");
        let step =
            |action: &str, score: &str| StepForm { action: action.into(), score: score.into(), ..Default::default() };
        assert!(matches!(
            act(&s, &principal, id, &step("score", "90"), today, now()).await,
            Err(eduq_app::AppError::Forbidden)
        ));
        let e = act(&s, &staff, id, &step("conclude", ""), today, now()).await.expect_err("no judges yet");
        assert!(e.to_string().contains("至少3位评委"), "{name}: {e}");
        let e = act(&s, &staff, id, &step("score", "101"), today, now()).await.expect_err("bad score");
        assert!(e.to_string().contains("0–100"), "{name}: {e}");
        for (k, score) in ["85", "80", "75"].iter().enumerate() {
            let judge = Actor { username: format!("panel{k}"), ..staff.clone() };
            act(&s, &judge, id, &step("score", score), today, now()).await.expect("scored");
        }
        act(&s, &staff, id, &step("conclude", ""), today, now()).await.expect("concluded: mean 80 passes");
        let e = act(&s, &staff, id, &step("designate", ""), today, now()).await.expect_err("in 公示");
        assert!(e.to_string().contains("公示期至2026-11-28"), "{name}: {e}");
        let after = today + chrono::Days::new(7);
        act(&s, &staff, id, &step("designate", ""), after, now()).await.expect("designated");
        let v = eduq_app::designations::view(&s, &principal, id, after).await.expect("the school reads it");
        assert_eq!((v.row.d.state, v.row.mean_score), (State::Designated, Some(80.0)), "{name}");
        assert!(v.scores.is_empty(), "{name}: panel scores are the bureau's working papers");
        let kinds: Vec<&str> = v.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["nominate", "score", "score", "score", "review", "designate"], "{name}");
        let after_b = board(&s, &staff, after).await.expect("board");
        assert_eq!(after_b.held_of(Honour::MasterHeadTeacher), b.held_of(Honour::MasterHeadTeacher) + 1, "{name}");
        let v = eduq_app::indicators::one(&s, &staff, CURRENT, "master_head_teachers").await.expect("indicator");
        assert_eq!(
            v.district.numerator,
            after_b.held_of(Honour::MasterHeadTeacher) as f64,
            "{name}: the indicator moves"
        );
        // A teacher reads only their own titles.
        let theirs = s.designations(&teacher, None).await.expect("own");
        let me = teacher_id_of(&s, &teacher).await;
        assert!(theirs.iter().all(|r| Some(r.teacher_id) == me), "{name}");

        // 课题 coverage: schools and teachers of running projects, counted by hand.
        let (from, to) = CURRENT.nominal_bounds();
        let projects = s.research_projects(&staff, None).await.expect("projects");
        let running: Vec<_> = projects.iter().filter(|p| p.p.running_between(from, to)).collect();
        let schools: std::collections::HashSet<i64> =
            running.iter().flat_map(|p| p.members.iter().map(|m| m.school_id)).collect();
        let on_staff: std::collections::HashSet<i64> = all.iter().map(|m| m.teacher_id).collect();
        let teachers: std::collections::HashSet<i64> = running
            .iter()
            .flat_map(|p| p.members.iter().map(|m| m.teacher_id))
            .filter(|t| on_staff.contains(t))
            .collect();
        let cov = eduq_app::indicators::one(&s, &staff, CURRENT, "research_school_coverage").await.expect("coverage");
        assert_eq!(
            (cov.district.numerator, cov.district.denominator),
            (schools.len() as f64, cov.schools.len() as f64),
            "{name}"
        );
        assert!(
            cov.district.numerator > 0.0 && cov.district.numerator < cov.district.denominator,
            "{name}: most, not all"
        );
        let share = eduq_app::indicators::one(&s, &staff, CURRENT, "research_teacher_share").await.expect("share");
        assert_eq!(share.district.numerator, teachers.len() as f64, "{name}");
        let e = eduq_app::research::advance(
            &s,
            &staff,
            running[0].id,
            &eduq_app::research::StageForm { stage: "结题".into(), day: "2026-11-01".into(), ..Default::default() },
            today,
            now(),
        )
        .await;
        assert!(e.is_err(), "{name}: stages in order, with a 结题等级");

        // 工作室: the rubric engine scores the assessment; the demo teacher (not a host) logs nothing.
        let studios = s.studios(&staff).await.expect("studios");
        assert_eq!(studios.len(), 2, "{name}: the demo's two studios");
        let (rid, rubric) = eduq_app::studios::rubric(&s, &staff, None).await.expect("r").expect("shipped rubric");
        let mut entries: Vec<(String, String)> = rubric
            .items
            .iter()
            .map(|i| {
                (
                    i.code.clone(),
                    match i.method {
                        eduq_core::rubric::Method::Pass => "达标".to_string(),
                        eduq_core::rubric::Method::Grade => "B".to_string(),
                        eduq_core::rubric::Method::Points => (i.points / 2.0).to_string(),
                    },
                )
            })
            .collect();
        let expected: f64 = rubric
            .items
            .iter()
            .map(|i| match i.method {
                eduq_core::rubric::Method::Pass => i.points,
                eduq_core::rubric::Method::Grade => i.points * 0.8,
                eduq_core::rubric::Method::Points => i.points / 2.0,
            })
            .sum();
        let o =
            eduq_app::studios::assess(&s, &staff, studios[0].id, 2026, rid, &entries, now()).await.expect("assessed");
        assert!((o.score - expected).abs() < 1e-9 && o.max == 100.0, "{name}: {} vs {expected}", o.score);
        entries[0].1 = "E".into();
        let e =
            eduq_app::studios::assess(&s, &staff, studios[0].id, 2026, rid, &entries, now()).await.expect_err("bad");
        assert!(e.to_string().contains(&format!("编号“{}”", rubric.items[0].code)), "{name}: {e}");
        let activity = eduq_app::studios::ActivityForm {
            kind: "送教下乡".into(),
            title: "送教到村小".into(),
            day: "2026-11-20".into(),
            participants: "30".into(),
            ..Default::default()
        };
        let r = eduq_app::studios::log_activity(&s, &teacher, studios[0].id, &activity, today, now()).await;
        assert!(r.is_err(), "{name}: not the host");
        let before = eduq_app::studios::view(&s, &staff, studios[0].id, 2026).await.expect("view");
        eduq_app::studios::log_activity(&s, &staff, studios[0].id, &activity, today, now()).await.expect("logged");
        let after = eduq_app::studios::view(&s, &staff, studios[0].id, 2026).await.expect("view");
        assert_eq!(after.activities.len(), before.activities.len() + 1, "{name}");
        let outreach = |v: &eduq_app::studios::StudioView| {
            v.progress.iter().find(|p| p.kind == eduq_core::studio::ActivityKind::Outreach).map_or(0, |p| p.done)
        };
        assert_eq!(outreach(&after), outreach(&before) + 1, "{name}: the plan's progress moves");
    }
}

async fn teacher_id_of(s: &Store, actor: &Actor) -> Option<i64> {
    let tid = term_id(s).await;
    s.own_teacher(actor, tid).await.expect("own").map(|m| m.teacher_id)
}

/// 心理筛查 end to end on both backends, on the demo's round: codes open one sheet once, a critical
/// answer raises an alert in the same transaction (24 h deadline), a bad sheet keeps nothing, the
/// aggregates equal the results and are suppressed below district level, every role other than the
/// 心理教师 and 心理教研员 gets nothing individual (a file's team member only that file), closing
/// needs a second person, raw answers are purged after the retention period, and reads are audited.
#[tokio::test]
async fn screening_codes_alerts_files_and_access() {
    use eduq_app::psych_followup::{StepForm, add_member, closing, open_from_result, record};
    use eduq_app::screening::{SheetDesk, figures, issue_codes, purge_expired, round_view, sheet};
    use eduq_core::access::Resource;
    use eduq_core::casework::Subject;
    use eduq_core::psych_followup::FileState;
    use eduq_store::audit::AuditQuery;
    for (s, name) in seeded().await {
        let user = async |n: &str| {
            let u = s.system().user_by_name(n).await.expect("user").expect("demo user");
            (s.system().actor(&u).await.expect("actor"), u.id)
        };
        let (psych, _) = user("psych").await;
        let (psych_staff, _) = user("psych_staff").await;
        let (principal, _) = user("principal").await;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let desk = SheetDesk::open(s.clone());
        let submit =
            async |code: &str, answers: &Vec<String>, day, at| desk.submit(code, answers, day, at, "10.0.0.1").await;
        let round = s.screening_rounds(&psych, None).await.expect("rounds").pop().expect("the demo round");
        assert_eq!((round.instrument.as_str(), round.grades.clone()), ("phq9", vec![6]), "{name}");

        // Codes for the pupils who have not answered; a code opens its sheet once.
        let before = s.round_results(&psych, round.id, now()).await.expect("results");
        let slips = issue_codes(&s, &psych, round.id, None, today, now()).await.expect("codes");
        assert!(!slips.is_empty(), "{name}: the demo leaves one pupil in ten without a sheet");
        let code = slips[0].code.to_lowercase();
        assert_eq!(sheet(&s, &code, today).await.expect("sheet").instrument.items.len(), 9);
        let bad = vec!["1".to_string(); 8];
        let e = submit(&code, &bad, today, now()).await.unwrap_err().to_string();
        assert!(e.contains("第9题为空"), "{name}: {e}");
        let mut sheet_answers = vec!["0".to_string(); 9];
        sheet_answers[8] = "2".into();
        submit(&code, &sheet_answers, today, now()).await.expect("submitted after a refused try");
        let e = submit(&code, &sheet_answers, today, now()).await.unwrap_err().to_string();
        assert!(e.contains("已使用"), "{name}: {e}");
        assert!(sheet(&s, "NOPE2345", today).await.is_err());
        let later = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let e = sheet(&s, &slips[1 % slips.len()].code, later).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(slips.len() < 2 || e.contains("已结束"), "{name}: {e}");

        // A burst: the other pupils at once, one code sent twice at the same moment; the desk keeps
        // each sheet once.
        let form = eduq_app::screening::RoundForm {
            name: "复测".into(),
            instrument: "gad7".into(),
            grades: "6".into(),
            opens: "2026-11-22".into(),
            closes: "2026-11-30".into(),
        };
        let retest = eduq_app::screening::open_round(&s, &psych, &form, today, now()).await.expect("second round");
        let many = issue_codes(&s, &psych, retest, None, today, now()).await.expect("codes");
        assert!(many.len() >= 5, "{name}: {}", many.len());
        let mut burst = Vec::new();
        for slip in many.iter().chain(many.first()) {
            let (desk, code) = (desk.clone(), slip.code.clone());
            let answers = vec!["1".to_string(); 7];
            burst.push(tokio::spawn(
                async move { desk.submit(&code, &answers, today, now(), "10.0.0.2").await.is_ok() },
            ));
        }
        let mut kept = 0;
        for b in burst {
            kept += usize::from(b.await.expect("task"));
        }
        assert_eq!(kept, many.len(), "{name}: every code once, the twice-sent one once");
        let retest = s.screening_round(&psych, retest).await.expect("round");
        assert_eq!(
            figures(&s, &psych_staff, &retest, now()).await.expect("figures").total.responded as usize,
            many.len()
        );

        // The alert is there at once, due 24 hours later, with the pupil for the 心理教师.
        let results = s.round_results(&psych, round.id, now()).await.expect("results");
        assert_eq!(results.len(), before.len() + 1, "{name}");
        let mine = results.iter().find(|r| r.name == slips[0].name && r.source == "online").expect("the new sheet");
        assert_eq!((mine.total, mine.band_label.as_str(), mine.attention, mine.alert), (2, "无抑郁症状", true, true));
        let alerts = s.open_alerts(&psych, now()).await.expect("alerts");
        let a = alerts.iter().find(|a| a.response_id == mine.response_id).expect("alert raised");
        assert_eq!(a.due_at - a.raised_at, chrono::Duration::hours(24), "{name}");

        // Aggregates: district level for the 心理教研员 equal the results; a school's are suppressed.
        let f = figures(&s, &psych_staff, &round, now()).await.expect("figures");
        assert_eq!(f.total.responded as usize, results.len(), "{name}");
        for (b, label) in f.band_labels.iter().enumerate() {
            let n = results.iter().filter(|r| &r.band_label == label).count() as i64;
            assert_eq!(f.total.bands[b], Some(n), "{name}: band {label}");
        }
        assert_eq!(f.total.attention, Some(results.iter().filter(|r| r.attention).count() as i64));
        let pf = figures(&s, &principal, &round, now()).await.expect("principal figures");
        assert_eq!(pf.total.responded, f.total.responded, "{name}: one school's round");
        for row in pf.groups.iter().chain(std::iter::once(&pf.total)) {
            for n in row.bands.iter().flatten() {
                assert!(*n == 0 || *n >= 5, "{name}: a small cell shown to the principal: {row:?}");
            }
        }
        assert!(f.timeliness.alerts >= 4 && f.timeliness.in_time >= 2, "{name}: {:?}", f.timeliness);
        // A pupil who answered and then moved away still counts among those who could answer:
        // coverage stays within 100 % in every row.
        let set_status = |status: &'static str| {
            let q = eduq_store::Sql::new("UPDATE enrolment SET status = $1 WHERE student_id = $2 AND term_id = $3")
                .bind(status)
                .bind(mine.student_id)
                .bind(round.term_id);
            let system = s.system();
            async move { system.exec(&q).await }
        };
        set_status("transfer_out").await.expect("moved away");
        let moved = figures(&s, &psych_staff, &round, now()).await.expect("figures");
        assert_eq!((moved.total.eligible, moved.total.responded), (f.total.eligible, f.total.responded), "{name}");
        assert!(moved.groups.iter().all(|g| g.coverage <= 100.0), "{name}: {:?}", moved.groups);
        set_status("enrolled").await.expect("back");

        // Every other role gets nothing individual, by any route of the store and use cases.
        let files = s.psych_files(&psych, None, None, now()).await.expect("files");
        assert_eq!(files.len(), 2, "{name}: the demo's two open files");
        let file = &files[0];
        let (leader, _) = user("leader").await;
        let (staff, _) = user("staff").await;
        let (admin, _) = user("admin").await;
        let (inspector, _) = user("inspector").await;
        let (teacher, teacher_id) = user("teacher").await;
        let parent = actor("p", Role::Parent, Scope::Students(vec![mine.student_id]));
        let plain = actor("t", Role::Teacher, Scope::School(file.school_id));
        for other in [&admin, &leader, &staff, &principal, &teacher, &inspector, &parent, &plain] {
            let who = format!("{name}: {}", other.role.label());
            assert!(!other.role.may_read(Resource::Psych), "{who}");
            assert!(s.round_results(other, round.id, now()).await.is_err(), "{who}");
            assert!(s.screening_result(other, mine.response_id, now()).await.is_err(), "{who}");
            assert!(s.open_alerts(other, now()).await.is_err(), "{who}");
            assert!(s.round_pupils(other, &round).await.is_err(), "{who}");
            assert!(s.psych_files(other, None, None, now()).await.expect("empty").is_empty(), "{who}");
            assert!(s.case_record(other, Subject::Psych, file.id).await.is_err(), "{who}");
            assert!(s.pupil_results(other, file.student_id, now()).await.expect("empty").is_empty(), "{who}");
            assert!(issue_codes(&s, other, round.id, None, today, now()).await.is_err(), "{who}");
            if let Ok(v) = round_view(&s, other, round.id, now()).await {
                assert!(v.results.is_empty() && v.waiting.is_empty(), "{who}");
            }
        }
        let f = StepForm {
            kind: "interview".into(),
            day: "2026-11-22".into(),
            referral_to: String::new(),
            note: "x".into(),
        };
        assert!(open_from_result(&s, &principal, mine.response_id, &f, today, now()).await.is_err());

        // A 班主任 on the file's team reads that file and that pupil's results, nothing more.
        add_member(&s, &psych, file.id, teacher_id, today, now()).await.expect("member");
        assert_eq!(s.psych_file(&teacher, file.id, now()).await.expect("team reads").id, file.id, "{name}");
        assert!(s.case_record(&teacher, Subject::Psych, file.id).await.is_ok(), "{name}");
        assert!(!s.pupil_results(&teacher, file.student_id, now()).await.expect("own").is_empty());
        assert!(s.psych_file(&teacher, files[1].id, now()).await.is_err(), "{name}: another file");
        assert!(s.round_results(&teacher, round.id, now()).await.is_err());
        assert!(record(&s, &teacher, file.id, &f, today, now()).await.is_err(), "the team reads, writes nothing");

        // The 心理教师 acts on the new alert; closing needs a second person.
        let id = open_from_result(&s, &psych, mine.response_id, &f, today, now()).await.expect("open");
        assert!(s.open_alerts(&psych, now()).await.expect("alerts").iter().all(|a| a.response_id != mine.response_id));
        let e = open_from_result(&s, &psych, mine.response_id, &f, today, now()).await.unwrap_err().to_string();
        assert!(e.contains("未结案"), "{name}: {e}");
        closing(&s, &psych, id, "request", "三次约谈后情绪稳定", today, now()).await.expect("request");
        let e = closing(&s, &psych, id, "confirm", "", today, now()).await.unwrap_err().to_string();
        assert!(e.contains("另一人"), "{name}: {e}");
        closing(&s, &psych_staff, id, "confirm", "同意", today, now()).await.expect("confirmed");
        assert_eq!(s.psych_file(&psych, id, now()).await.expect("file").state, FileState::Closed);
        assert!(record(&s, &psych, id, &f, today, now()).await.is_err(), "closed");

        // Raw answers go after the retention period; totals and bands stay.
        assert_eq!(purge_expired(&s, now()).await.expect("purge"), 0, "{name}: nothing old yet");
        // The boundary: a sheet is kept through its 365th day and purged just after.
        let latest = results.iter().map(|r| r.submitted_at).max().expect("sheets");
        let retention = chrono::Duration::days(eduq_core::standards::screening::RETENTION_DAYS);
        let first = purge_expired(&s, latest + retention).await.expect("purge");
        let kept = s.round_results(&psych, round.id, now()).await.expect("results");
        for r in &kept {
            assert_eq!(r.answers.is_some(), r.submitted_at == latest, "{name}: {} at {}", r.name, r.submitted_at);
        }
        let second = purge_expired(&s, latest + retention + chrono::Duration::seconds(1)).await.expect("purge");
        assert!(second >= 1, "{name}: the newest sheet goes one second after its 365th day");
        let n = first + second + purge_expired(&s, now() + chrono::Duration::days(366)).await.expect("purge");
        assert!(n as usize >= results.len(), "{name}");
        let after = s.round_results(&psych, round.id, now()).await.expect("results");
        assert!(after.iter().all(|r| r.answers.is_none()) && after.len() == results.len(), "{name}");

        let audited = |action: &str| {
            let q = AuditQuery { action: Some(action.into()), per_page: 10, ..Default::default() };
            let s = s.clone();
            async move { s.search_audit(&Actor::system(), &q).await.expect("audit").1 }
        };
        for action in ["screening_results_read", "psych_alerts_read", "psych_file_read", "screening_answers_purge"] {
            assert!(audited(action).await > 0, "{name}: {action} audited");
        }

        // A licensed scale is loaded by the 心理教研员 only, checked line by line, and then usable.
        let toy = "[量表]\n代码 = toy\n名称 = 示例量表\n适用年龄 = 12\n许可 = 测试用自编量表\n出处 = eduq 测试\n\
            [选项]\n0 = 否\n1 = 是\n[题目]\n1 = 甲\n2 = 乙 | 关键≥1\n[等级]\n0-0 = 无\n1-2 = 有 | 预警\n";
        for other in [&admin, &staff, &psych] {
            assert!(eduq_app::screening::load_instrument(&s, other, toy, now()).await.is_err(), "{name}");
        }
        let e = eduq_app::screening::load_instrument(&s, &psych_staff, &toy.replace("1-2", "2-2"), now()).await;
        assert!(e.unwrap_err().to_string().contains("应从1分开始"), "{name}");
        let e = eduq_app::screening::load_instrument(&s, &psych_staff, &toy.replace("toy", "phq9"), now()).await;
        assert!(e.unwrap_err().to_string().contains("随系统提供"), "{name}");
        eduq_app::screening::load_instrument(&s, &psych_staff, toy, now()).await.expect("loaded");
        let ins = eduq_app::screening::instrument(&s, "toy").await.expect("usable");
        assert!(ins.score(&[0, 1]).alert, "{name}");
    }
}

/// 问卷调查 on both backends: the demo's surveys give 社会认可度 as hand-counted from the kept
/// answers; a principal reads the own school's link only; a bad form is refused with every error
/// placed; tokens and browsers answer once; small schools are suppressed; the export holds every
/// response.
#[tokio::test]
async fn surveys_links_tokens_results_and_scope() {
    use eduq_app::surveys::{
        HandedIn, SurveyDesk, SurveyFields, create, export, issue_tokens, list, recognition, set_quotas, view,
    };
    use eduq_core::questionnaire::{Form, template, template_sheets};
    use eduq_exchange::questionnaire::form_workbook;
    for (s, name) in seeded().await {
        let user = async |n: &str| {
            let u = s.system().user_by_name(n).await.expect("user").expect("demo user");
            s.system().actor(&u).await.expect("actor")
        };
        let (staff, principal, teacher) = (user("staff").await, user("principal").await, user("teacher").await);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("day");
        let zone = eduq_core::clock::DistrictZone::default();

        // The demo's 社会认可度 survey: the figure is favourable answers over answers of the scale
        // questions, counted here by hand from the kept responses.
        let lines = list(&s, &staff).await.expect("list");
        assert_eq!(lines.len(), 3, "{name}: 社会认可度, 满意度, 五项管理");
        let rec_id = lines.iter().find(|l| l.survey.recognition).expect("recognition survey").survey.id;
        let rows = s.survey_responses(&staff, rec_id).await.expect("responses");
        let form = Form::parse(&template_sheets(template("recognition").expect("shipped").text)).expect("form");
        let (mut fav, mut n) = (0, 0);
        for r in &rows {
            for (q, a) in form.questions.iter().zip(&r.answers) {
                if let Some(a) = a.as_deref().filter(|_| q.list == "sat") {
                    n += 1;
                    fav += usize::from(a == "s5" || a == "s4");
                }
            }
        }
        let rec = recognition(&s, &staff).await.expect("recognition");
        let overall = rec.overall.expect("answered");
        assert_eq!((overall.count, overall.n), (fav, n), "{name}");
        assert_eq!(rec.met, Some(overall.share >= 0.85), "{name}");
        assert_eq!(rec.by_type.len(), 8, "{name}: every respondent type of 第九条");
        assert!(rec.by_type.iter().all(|(_, s)| s.is_some()), "{name}: {:?}", rec.by_type);
        // 教育质量 item 1, 初中三年巩固率: computed from the 学籍 history where it holds the cohort's
        // three school years, else asked for (this store holds two).
        let rows = s.flow_rows(&staff).await.expect("history");
        let held: Vec<Term> = s.terms().await.expect("terms").into_iter().map(|(_, t)| t).collect();
        let q = eduq_app::guarantee::evaluate_part(&s, &staff, CURRENT, eduq_app::guarantee::Part::Quality)
            .await
            .expect("quality");
        let check = &q.items[0].checks[0];
        assert_eq!(eduq_core::flows::junior_three_year(&rows, &held), None, "{name}: two school years held");
        assert_eq!(check.input_key, Some(eduq_app::guarantee::JUNIOR_CONSOLIDATION), "{name}");
        let mut longer = rows.clone();
        for r in rows.iter().filter(|r| r.term.start_year == 2025) {
            longer.push(eduq_core::flows::FlowRow {
                term: Term { start_year: 2024, term_no: r.term.term_no },
                grade: r.grade - 1,
                ..*r
            });
        }
        let mut held3 = held.clone();
        held3.extend([Term { start_year: 2024, term_no: 1 }, Term { start_year: 2024, term_no: 2 }]);
        let jc = eduq_core::flows::junior_three_year(&longer, &held3).expect("three years");
        let c = jc.county;
        assert_eq!(jc.first, Term { start_year: 2024, term_no: 1 }, "{name}");
        assert!(c.entry > 0 && c.rate().is_some(), "{name}: {c:?}");
        // Every pupil of the cohort entered at one school: the schools' entries add up to the county's.
        assert_eq!(jc.schools.values().map(|x| x.entry).sum::<u32>(), c.entry, "{name}");
        // The library's 初中三年巩固率 is the same cohort: the county's, and each school's.
        let term_id = s.term_id(CURRENT).await.expect("term").expect("held");
        let mut facts = s.school_facts(&staff, term_id, CURRENT.start_year).await.expect("facts");
        let values = eduq_app::indicators::evaluate_all(&mut facts, &longer, &held3);
        let v = values.iter().find(|v| v.indicator.key == "junior_consolidation_rate").expect("indicator");
        assert_eq!(v.district.value, c.rate(), "{name}");
        assert!(!v.schools.is_empty(), "{name}");
        for x in &v.schools {
            assert_eq!(x.value.value, jc.schools[&x.school_id].rate(), "{name}: {}", x.name);
        }

        let a = eduq_app::assessment::assessment(&s, &staff, CURRENT).await.expect("assessment");
        let names: Vec<&str> = a.parts.iter().map(|p| p.name).collect();
        assert_eq!(names, ["资源配置", "政府保障程度", "教育质量", "社会认可度"], "{name}");
        let verdicts: Vec<_> = a.parts.iter().map(|p| p.verdict).collect();
        assert_eq!(a.verdict, eduq_core::balance::county_verdict(&verdicts), "{name}");
        assert_eq!(a.parts[3].verdict.key(), if rec.met == Some(true) { "met" } else { "not_met" }, "{name}");

        // A principal reads the own school's link and responses only.
        let Scope::School(own) = principal.scope.clone() else { panic!("principal scope") };
        let links = s.survey_links(&principal, rec_id).await.expect("links");
        assert_eq!(links.iter().map(|l| l.school_id).collect::<Vec<_>>(), vec![Some(own)], "{name}");
        let mine = s.survey_responses(&principal, rec_id).await.expect("own responses");
        assert!(!mine.is_empty() && mine.iter().all(|r| r.school_id == Some(own)), "{name}");
        let v = view(&s, &principal, rec_id).await.expect("view");
        assert!(!v.results.district_level && v.results.by_school.len() == 1, "{name}");
        assert!(s.surveys(&teacher, None).await.is_err(), "{name}: a teacher does not follow surveys");
        assert!(matches!(export(&s, &principal, rec_id, &zone).await, Err(AppError::Forbidden)), "{name}");

        // A remark through a school's link becomes a 问题清单 item of that school, once a day.
        let sat_id = lines.iter().find(|l| l.survey.title.contains("满意度")).expect("满意度 survey").survey.id;
        let sat = s.survey(&staff, sat_id).await.expect("survey");
        let sat_rows = s.survey_responses(&staff, sat_id).await.expect("responses");
        let remarks = eduq_app::surveys::remarks(&eduq_app::surveys::form_of(&sat).expect("form"), &sat_rows);
        let m = remarks.first().expect("the demo's parents wrote remarks").clone();
        let f = eduq_app::surveys::RemarkForm {
            response_id: m.response_id,
            question: m.question.clone(),
            domain: "家校沟通".into(),
            responsible: "校长".into(),
            severity: "general".into(),
        };
        let (pid, notice) =
            eduq_app::surveys::remark_to_problem(&s, &staff, sat_id, &f, today, now()).await.expect("raised");
        let p = eduq_app::problems::detail(&s, &staff, pid, now()).await.expect("problem");
        assert_eq!(p.row.school_id, m.school_id, "{name}");
        assert!(p.row.description.contains(&m.text) && !notice.is_empty(), "{name}: {}", p.row.description);
        let again = eduq_app::surveys::remark_to_problem(&s, &staff, sat_id, &f, today, now()).await.unwrap_err();
        assert!(again.to_string().contains("内容相同"), "{name}: {again}");
        assert!(matches!(
            eduq_app::surveys::remark_to_problem(&s, &principal, sat_id, &f, today, now()).await,
            Err(AppError::Forbidden)
        ));

        // A bad form: every error with sheet, row and column; nothing kept.
        let mut sheets = template_sheets(template("parent_satisfaction").expect("shipped").text);
        sheets[0].rows[1].1[0] = "select_one nolist".into();
        sheets[1].rows[0].1[1] = String::new();
        let f = SurveyFields {
            title: "家长满意度（测试）".into(),
            opens: "2026-11-20".into(),
            closes: "2026-11-30".into(),
            recognition: String::new(),
            tokens: "on".into(),
        };
        let e = create(&s, &staff, &f, "bad.xlsx", &form_workbook(&sheets).expect("xlsx"), now()).await.unwrap_err();
        let e = e.to_string();
        assert!(e.contains("survey表第3行“type”列") && e.contains("choices表第2行“name”列"), "{name}: {e}");
        assert_eq!(list(&s, &staff).await.expect("list").len(), 3, "{name}: nothing kept");
        assert!(matches!(create(&s, &principal, &f, "x.xlsx", b"PK", now()).await, Err(AppError::Forbidden)));

        // A token survey: a token answers once; a wrong one is refused.
        let good = template_sheets(template("parent_satisfaction").expect("shipped").text);
        let id = create(&s, &staff, &f, "ok.xlsx", &form_workbook(&good).expect("xlsx"), now()).await.expect("created");
        let v = view(&s, &staff, id).await.expect("view");
        let school_link = v.links.iter().find(|l| l.school_id == Some(own)).expect("own link").slug.clone();
        let tokens = issue_tokens(&s, &staff, id, &school_link, 3, now()).await.expect("tokens");
        let desk = SurveyDesk::open(s.clone());
        let mut rng = eduq_core::rng::Rng::new(5);
        let answers = eduq_synth::survey::answers_for(&v.form, &mut rng, None, 1.0);
        let submit = async |token: &str, browser: &str, a: &Vec<Option<String>>, day| {
            let h = HandedIn { slug: &school_link, token, browser, answers: a, client: "10.0.0.3" };
            desk.submit(&s, &h, day, now()).await.map_err(|e| e.to_string())
        };
        submit(&tokens[0].to_lowercase(), "", &answers, today).await.expect("a token answers");
        let e = submit(&tokens[0], "", &answers, today).await.unwrap_err();
        assert!(e.contains("已使用"), "{name}: {e}");
        assert!(submit("ZZZZ2222", "", &answers, today).await.unwrap_err().contains("无效"), "{name}");
        assert!(submit("", "", &answers, today).await.unwrap_err().contains("请输入调查码"), "{name}");
        let mut incomplete = answers.clone();
        incomplete[2] = None; // teaching, required
        let e = submit(&tokens[1], "", &incomplete, today).await.unwrap_err();
        assert!(e.contains("必答题“您对学校的课堂教学质量是否满意？”未作答"), "{name}: {e}");
        let later = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("day");
        assert!(submit(&tokens[1], "", &answers, later).await.unwrap_err().contains("已结束"), "{name}");
        submit(&tokens[1], "", &answers, today).await.expect("the refused tries did not spend the token");
        // Guessing: after the limit of wrong tokens a client waits, even with a good one.
        for _ in 0..eduq_core::standards::screening::CODE_FAILURES_MAX {
            assert!(submit("ZZZZ3333", "", &answers, today).await.is_err());
        }
        let e = submit(&tokens[2], "", &answers, today).await.unwrap_err();
        assert!(e.contains("调查码输错次数过多"), "{name}: {e}");
        let v = view(&s, &staff, id).await.expect("view");
        let own_link = v.links.iter().find(|l| l.slug == school_link).expect("link");
        assert_eq!((own_link.tokens_issued, own_link.tokens_used), (3, 2), "{name}: the waiting client spent none");
        // Two responses at one school: below the small-cell size, not shown below the district.
        let school = v.results.by_school.iter().find(|g| g.accepted == 2).expect("the school");
        assert!(!school.shown && school.favourable.is_none(), "{name}");
        assert_eq!(v.results.all.favourable.map(|f| (f.count, f.n)), Some((16, 16)), "{name}: 8 scales × 2, all 满意");

        // Quotas: a bad figure names the link and the type; a good one is kept.
        let field = format!("q:{school_link}:");
        let e = set_quotas(&s, &staff, id, &[(field.clone(), "很多".into())], now()).await.unwrap_err().to_string();
        assert!(e.contains(&own_link.school_name) && e.contains("很多"), "{name}: {e}");
        set_quotas(&s, &staff, id, &[(field, "30".into())], now()).await.expect("quota");
        let v = view(&s, &staff, id).await.expect("view");
        let l = v.links.iter().find(|l| l.slug == school_link).expect("link");
        assert_eq!((l.quotas.clone(), l.got.clone()), (vec![(String::new(), 30)], vec![(String::new(), 2)]), "{name}");

        // The export: every response kept, answers by their labels.
        let (_, bytes) = export(&s, &staff, id, &zone).await.expect("export");
        let sheet = eduq_exchange::table::read_workbook(&bytes).expect("read back").remove(0).1;
        assert_eq!(sheet.len(), 2 + 2, "{name}: title, header and two responses");
        assert!(sheet[2].1.iter().any(|c| c == "满意"), "{name}: {:?}", sheet[2].1);
    }
}

/// An open link keeps one response per browser (the page's cookie), a burst included.
#[tokio::test]
async fn open_links_keep_one_response_per_browser() {
    use eduq_app::surveys::{HandedIn, SurveyDesk, SurveyFields, create, view};
    use eduq_core::questionnaire::{template, template_sheets};
    for (s, name) in stores().await {
        let staff = actor("staff", Role::Staff, Scope::District);
        let bytes = eduq_exchange::questionnaire::form_workbook(&template_sheets(
            template("recognition").expect("shipped").text,
        ))
        .expect("xlsx");
        let f = SurveyFields {
            title: String::new(),
            opens: "2026-11-22".into(),
            closes: "2026-11-22".into(),
            recognition: "on".into(),
            tokens: String::new(),
        };
        let id = create(&s, &staff, &f, "r.xlsx", &bytes, now()).await.expect("created");
        let v = view(&s, &staff, id).await.expect("view");
        assert_eq!(v.survey.title, "社会认可度调查", "{name}: the form's title");
        let slug = v.links[0].slug.clone();
        let desk = SurveyDesk::open(s.clone());
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("day");
        let mut rng = eduq_core::rng::Rng::new(9);
        let mut burst = Vec::new();
        for i in 0..40 {
            let answers = eduq_synth::survey::answers_for(&v.form, &mut rng, Some("public"), 0.8);
            let (desk, s, slug) = (desk.clone(), s.clone(), slug.clone());
            // Forty submissions from thirty browsers: ten send twice.
            let browser = format!("browser{:024}", i % 30);
            burst.push(tokio::spawn(async move {
                let h = HandedIn { slug: &slug, token: "", browser: &browser, answers: &answers, client: "10.0.0.4" };
                desk.submit(&s, &h, today, now()).await.is_ok()
            }));
        }
        let mut kept = 0;
        for b in burst {
            kept += usize::from(b.await.expect("task"));
        }
        assert_eq!(kept, 30, "{name}");
        let v = view(&s, &staff, id).await.expect("view");
        assert_eq!(v.results.responses, 30, "{name}");
        assert_eq!(v.results.by_type.iter().find(|g| g.key == "public").map(|g| g.accepted), Some(30), "{name}");
        let h = HandedIn { slug: &slug, token: "", browser: "short", answers: &[], client: "10.0.0.4" };
        let e = desk.submit(&s, &h, today, now()).await.unwrap_err().to_string();
        assert!(e.contains("Cookie"), "{name}: {e}");
    }
}

/// 双减 homework on both backends: a teacher logs a grade-4 class over 60 minutes, the principal is
/// alerted and handles it, a correction clears it, the board sums class-days before dividing, a
/// parent reads the own child's class's 公示 only, and no one writes for another school.
#[tokio::test]
async fn homework_logs_alerts_board_and_notice() {
    use eduq_app::homework::{LogForm, alerts, board, log, notice, review};
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let (teacher, principal, staff) =
            (actor_of(&s, "teacher").await, actor_of(&s, "principal").await, actor_of(&s, "staff").await);
        let Scope::School(own) = principal.scope else { panic!() };
        let classes = eduq_app::homework::classes(&s, &teacher, today).await.expect("classes");
        assert!(classes.iter().all(|c| c.school_id == own), "{name}: a class teacher logs within the own school");
        let g4 = classes.iter().find(|c| c.grade.number() == 4).expect("grade 4").clone();
        let g1 = classes.iter().find(|c| c.grade.number() == 1).expect("grade 1").clone();
        let form = |class_id: i64, subject: &str, written: bool, minutes: &str| LogForm {
            class_id,
            day: "2026-11-20".into(),
            subject: subject.into(),
            written: written.then(|| "1".to_string()),
            minutes: minutes.into(),
            layered: None,
            note: "练习".into(),
        };
        // The seeded day is replaced subject by subject: 语文 30 + 数学 45 = 75 > 60.
        log(&s, &teacher, &form(g4.id, "语文", true, "30"), today, now()).await.expect("语文");
        let done = log(&s, &teacher, &form(g4.id, "数学", true, "45"), today, now()).await.expect("数学");
        assert!(done.check.written_minutes >= 75 && done.check.over, "{name}: {:?}", done.check);
        assert!(done.message.contains("超出规定"), "{name}: {}", done.message);
        // Grade 1: any written homework is over; reading is not.
        assert!(!log(&s, &teacher, &form(g1.id, "阅读", false, "15"), today, now()).await.expect("read").check.over);
        let e = log(&s, &teacher, &form(g1.id, "数学", true, "0"), today, now()).await.expect_err("no minutes");
        assert!(e.to_string().contains("预计完成时间"), "{name}: {e}");
        let e =
            log(&s, &teacher, &LogForm { day: "2026-11-21".into(), ..form(g4.id, "语文", true, "10") }, today, now())
                .await
                .expect_err("future");
        assert!(e.to_string().contains("晚于今天"), "{name}: {e}");
        // Another school's class: refused for a teacher, whatever its id.
        let all = eduq_app::homework::classes(&s, &staff, today).await;
        assert!(
            matches!(all, Err(eduq_app::AppError::Store(eduq_app::StoreError::Forbidden))),
            "{name}: staff read, not log"
        );
        let admin = Actor::system();
        let other = eduq_app::homework::classes(&s, &admin, today)
            .await
            .expect("all")
            .into_iter()
            .find(|c| c.school_id != own)
            .expect("other");
        assert!(log(&s, &teacher, &form(other.id, "语文", true, "10"), today, now()).await.is_err(), "{name}");
        // The principal is alerted, a teacher may not handle it, the principal does.
        let pending = alerts(&s, &principal, today).await.expect("alerts");
        assert!(pending.iter().any(|d| d.class_id == g4.id && d.day == today), "{name}");
        assert!(matches!(
            review(&s, &teacher, g4.id, "2026-11-20", "已沟通", now()).await,
            Err(eduq_app::AppError::Forbidden)
        ));
        review(&s, &principal, g4.id, "2026-11-20", "已与数学老师沟通，次日减量", now()).await.expect("handled");
        assert!(
            !alerts(&s, &principal, today).await.expect("alerts").iter().any(|d| d.class_id == g4.id && d.day == today)
        );
        let e = review(&s, &principal, g4.id, "2026-11-20", "再次", now()).await.expect_err("once");
        assert!(e.to_string().contains("没有待处理"), "{name}: {e}");
        // The board: the district's figures are the schools' sums, the school's are its classes'.
        let (from, to) = (chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), today);
        let district = board(&s, &staff, from, to, None).await.expect("board");
        let sum: u64 = district.lines.iter().map(|l| l.tally.class_days).sum();
        let over: u64 = district.lines.iter().map(|l| l.tally.over_days).sum();
        assert_eq!((district.total.class_days, district.total.over_days), (sum, over), "{name}");
        let days = eduq_app::homework::over_days(&s, &staff, from, to, None).await.expect("over");
        assert_eq!(days.len() as u64, over, "{name}: the detail holds every over-limit day");
        let school = board(&s, &principal, from, to, Some(own)).await.expect("school");
        let mine = district.lines.iter().find(|l| l.id == own).expect("own line");
        assert_eq!(school.total, mine.tally, "{name}: the school's classes sum to its line");
        assert!(school.lines.iter().any(|l| l.id == g4.id && l.tally.over_days >= 1), "{name}");
        // A correction brings the day within the limit and clears its review.
        log(&s, &teacher, &form(g4.id, "数学", true, "20"), today, now()).await.expect("corrected");
        let after = board(&s, &principal, from, to, Some(own)).await.expect("school");
        assert_eq!(after.total.over_days + 1, school.total.over_days, "{name}");
        let district_after = board(&s, &staff, from, to, None).await.expect("board");
        let line = district_after.lines.iter().find(|l| l.id == own).expect("own line");
        assert_eq!(line.tally, after.total, "{name}: the schools' sums follow every write");
        // A parent reads the own child's class's week, not another class's.
        let tid = term_id(&s).await;
        let roll = s.roll_by_number(&admin, tid).await.expect("roll");
        let child = roll.values().find(|e| e.class_id == g4.id).expect("pupil").student_id;
        let parent = Actor { role: Role::Parent, scope: Scope::Students(vec![child]), ..teacher.clone() };
        let week = notice(&s, &parent, g4.id, today).await.expect("notice");
        let friday = week.days.iter().find(|d| d.day == today).expect("the day");
        assert_eq!(friday.check.written_minutes, 50, "{name}: 语文 30 + 数学 20 as corrected");
        assert!(notice(&s, &parent, g1.id, today).await.is_err(), "{name}: not the child's class");
        assert!(board(&s, &parent, from, to, None).await.is_err(), "{name}: no board for parents");
        let notices = eduq_app::homework::notice_classes(&s, &parent, today).await.expect("classes");
        assert_eq!(notices.iter().map(|c| c.id).collect::<Vec<_>>(), [g4.id], "{name}");
    }
}

/// 开齐开足 on both backends: a school uploads its timetable (the same file again changes nothing,
/// a bad row lands nothing), the check finds exactly the classes the file leaves short, a teacher
/// in two classes at once, and the province's table replaces the national floor until reset.
#[tokio::test]
async fn timetables_upload_check_and_province_table() {
    use eduq_app::timetables::{import, report, set_curriculum};
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let (teacher, principal, staff) =
            (actor_of(&s, "teacher").await, actor_of(&s, "principal").await, actor_of(&s, "staff").await);
        let Scope::School(own) = principal.scope else { panic!() };
        let tid = term_id(&s).await;
        let classes: Vec<(eduq_core::grade::Grade, i64)> = s
            .list_classes(&principal, CURRENT.start_year, Some(tid), Some(own))
            .await
            .expect("classes")
            .into_iter()
            .map(|c| (c.grade, c.class_no))
            .collect();
        let full = eduq_synth::timetable::school_csv(&classes, false);
        let out = import(&s, &principal, full.as_bytes(), "课表.csv", today, now()).await.expect("full");
        let again = import(&s, &principal, full.as_bytes(), "课表.csv", today, now()).await.expect("again");
        assert_eq!((again.added, again.unchanged), (0, out.added), "{name}: the same file changes nothing");
        let r = report(&s, &principal, CURRENT, Some(own)).await.expect("report");
        assert_eq!((r.classes, r.complete), (classes.len(), classes.len()), "{name}: a full week opens everything");
        assert!(r.clashes.is_empty(), "{name}");
        // The file with gaps: the classes it leaves short, counted by hand.
        let gaps = eduq_synth::timetable::school_csv(&classes, true);
        import(&s, &principal, gaps.as_bytes(), "课表.csv", today, now()).await.expect("gaps");
        let short = (0..classes.len()).filter(|k| k % 7 == 3 || k % 11 == 5).count();
        let r = report(&s, &principal, CURRENT, Some(own)).await.expect("report");
        assert_eq!(r.classes - r.complete, short, "{name}");
        assert_eq!(r.clashes.len(), 1, "{name}: the first teacher of Monday in two classes");
        assert_eq!(r.clashes[0].1.len(), 2, "{name}: named by class");
        let line = r.class_lines.iter().find(|c| !c.check.complete()).expect("a short class");
        assert!(!line.check.missing.is_empty() || !line.check.short.is_empty(), "{name}");
        // A bad row: nothing lands, the row and column named.
        let bad = format!("{gaps}{},99,星期一,1,语文,某老师\n", classes[0].0.name());
        let e = import(&s, &principal, bad.as_bytes(), "课表.csv", today, now()).await.expect_err("no class 99");
        let rows = e.row_errors();
        assert_eq!(rows.len(), 1, "{name}: {rows:?}");
        assert_eq!((rows[0].column.as_str(), rows[0].value.as_str()), ("班级", "99"), "{name}");
        assert_eq!(report(&s, &principal, CURRENT, Some(own)).await.expect("report"), r, "{name}: unchanged");
        // Scope: a teacher may not upload; the bureau names each row's school; a school not its own.
        assert!(matches!(
            import(&s, &teacher, gaps.as_bytes(), "课表.csv", today, now()).await,
            Err(eduq_app::AppError::Forbidden)
        ));
        let admin = Actor::system();
        let e = import(&s, &admin, gaps.as_bytes(), "课表.csv", today, now()).await.expect_err("no codes");
        assert_eq!(e.row_errors()[0].column, "学校标识码", "{name}");
        let other =
            s.list_schools(&admin, None).await.expect("schools").into_iter().find(|x| x.id != own).expect("other");
        let foreign = format!("学校标识码,年级,班级,星期,节次,科目,教师\n{},一年级,1,1,1,语文,甲\n", other.code);
        let e = import(&s, &principal, foreign.as_bytes(), "课表.csv", today, now()).await.expect_err("not own");
        assert!(e.row_errors()[0].message.contains("不在您的管理范围"), "{name}: {e:?}");
        // The district board sums its schools.
        let d = report(&s, &staff, CURRENT, None).await.expect("district");
        assert_eq!(d.classes, d.lines.iter().map(|l| l.classes).sum::<usize>(), "{name}");
        assert!(!d.missing().is_empty(), "{name}: the demo leaves one school without a timetable");
        // 开齐开足率 in the indicator library (for plans and 督导 rubrics) is the board's, by school
        // too; schools without a timetable take no part.
        let v = eduq_app::indicators::one(&s, &staff, CURRENT, "curriculum_complete_rate").await.expect("indicator");
        assert_eq!((v.district.numerator, v.district.denominator), (d.complete as f64, d.classes as f64), "{name}");
        let close = |a: Option<f64>, b: Option<f64>| (a.unwrap_or(-1.0) - b.unwrap_or(-1.0)).abs() < 1e-9;
        assert!(close(v.district.value, d.share()), "{name}");
        assert_eq!(v.schools.len(), d.lines.iter().filter(|l| l.upload.is_some()).count(), "{name}");
        let mine = v.schools.iter().find(|x| x.school_id == own).expect("own school");
        assert!(close(mine.value.value, r.share()), "{name}");
        // The province's table: 书法 in grades 3–6 makes those classes short until reset.
        let table = "科目,可计入的科目,起始年级,终止年级,最少周课时\n书法,,三年级,六年级,1\n";
        assert!(matches!(
            set_curriculum(&s, &principal, Some((table.as_bytes(), "省表.csv")), now()).await,
            Err(eduq_app::AppError::Forbidden)
        ));
        set_curriculum(&s, &staff, Some((table.as_bytes(), "省表.csv")), now()).await.expect("province");
        let p = report(&s, &principal, CURRENT, Some(own)).await.expect("report");
        let middle = classes.iter().filter(|(g, _)| (3..=6).contains(&g.number())).count();
        assert!(p.province_table && p.complete == classes.len() - middle, "{name}: only 书法 is asked");
        set_curriculum(&s, &staff, None, now()).await.expect("reset");
        assert_eq!(report(&s, &principal, CURRENT, Some(own)).await.expect("report"), r, "{name}: the floor again");
        // 第八条 item 7: attested while a school has no timetable, judged from them once all have.
        use eduq_app::guarantee::{CURRICULUM, Part, evaluate_part};
        let item7 = |g: &eduq_app::guarantee::GuaranteeReport| {
            g.items
                .iter()
                .flat_map(|i| i.checks.iter())
                .find(|c| c.label.contains("开齐开足"))
                .cloned()
                .expect("item 7")
        };
        let before = item7(&evaluate_part(&s, &staff, CURRENT, Part::Quality).await.expect("quality"));
        assert_eq!(before.input_key, Some(CURRICULUM), "{name}: still asked for");
        for school in d.lines.iter().filter(|l| l.upload.is_none()) {
            let cs: Vec<(eduq_core::grade::Grade, i64)> = s
                .list_classes(&admin, CURRENT.start_year, Some(tid), Some(school.id))
                .await
                .expect("classes")
                .into_iter()
                .map(|c| (c.grade, c.class_no))
                .collect();
            let as_school = Actor { scope: Scope::School(school.id), ..admin.clone() };
            let file = eduq_synth::timetable::school_csv(&cs, false);
            import(&s, &as_school, file.as_bytes(), "课表.csv", today, now()).await.expect("the last school");
        }
        let after = item7(&evaluate_part(&s, &staff, CURRENT, Part::Quality).await.expect("quality"));
        assert_eq!((after.input_key, after.value.as_str()), (None, "否"), "{name}: the demo's gaps: {after:?}");
        assert!(after.details.iter().any(|d| d.contains("eduq课表核对")), "{name}: {:?}", after.details);
    }
}

/// 课后服务 and 作息 on both backends: a school's plan is checked against the rules, sign-ups are
/// bounded by the class's roll, the board sums coverage and participation before dividing, and a
/// school writes its own only.
#[tokio::test]
async fn after_school_plans_signups_and_board() {
    use eduq_app::after_school::{PlanForm, SessionsForm, board, save_plan, save_sessions, save_signups, set_end_rule};
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let (principal, staff) = (actor_of(&s, "principal").await, actor_of(&s, "staff").await);
        let Scope::School(own) = principal.scope else { panic!() };
        let d = board(&s, &staff, today, None).await.expect("board");
        assert!(d.schools.iter().any(|x| x.plan.is_none()), "{name}: the demo leaves one school without a plan");
        let (up, roll) = d.schools.iter().fold((0, 0), |(a, b), x| (a + x.signed_up, b + x.on_roll));
        assert_eq!(d.participation(), Some(up as f64 * 100.0 / roll as f64), "{name}: summed before dividing");
        assert!(d.flagged() > 1, "{name}");
        let plan = |start: &str, end: &str| PlanForm {
            morning_start: start.into(),
            service_days: "5".into(),
            service_end: end.into(),
            activities: "作业辅导".into(),
        };
        save_plan(&s, &principal, own, &plan("8:10", "17:20"), today, now()).await.expect("saved");
        let mine = board(&s, &principal, today, Some(own)).await.expect("mine");
        assert_eq!(
            mine.schools[0].flags,
            ["上午上课时间8:10早于8:20", "课后服务结束时间17:20早于本地下班时间17:30"],
            "{name}"
        );
        // The bureau moves the end of work to 17:00: the end passes, the start does not.
        set_end_rule(&s, &staff, "17:00").await.expect("rule");
        assert_eq!(board(&s, &principal, today, Some(own)).await.expect("mine").schools[0].flags.len(), 1, "{name}");
        assert!(set_end_rule(&s, &principal, "18:00").await.is_err(), "{name}: the bureau's line");
        let e = save_plan(&s, &principal, own, &plan("八点", "17:30"), today, now()).await.expect_err("bad time");
        assert!(e.to_string().contains("应写成如“8:20”"), "{name}: {e}");
        let other = d.schools.iter().find(|x| x.id != own).expect("other").id;
        assert!(save_plan(&s, &principal, other, &plan("8:20", "17:30"), today, now()).await.is_err(), "{name}");
        // Sign-ups: at most the roll; the school's participation follows.
        let c = &mine.classes[0];
        let e =
            save_signups(&s, &principal, own, &[(c.id, (c.on_roll + 1).to_string())], today).await.expect_err("over");
        assert!(e.to_string().contains("应为0到在籍人数"), "{name}: {e}");
        save_signups(&s, &principal, own, &[(c.id, c.on_roll.to_string())], today).await.expect("all of the class");
        let after = board(&s, &principal, today, Some(own)).await.expect("mine");
        assert_eq!(
            (after.schools[0].signed_up, after.schools[0].on_roll),
            (c.on_roll, mine.schools[0].on_roll),
            "{name}: only this class now"
        );
        // Sessions of a day: at most the sign-ups, a teacher on duty, on a school day of this term;
        // the board's 到课率 sums pupils before dividing; the demo ended some before the line.
        assert!(d.sessions().sessions > 0 && d.sessions().early > 0, "{name}: the demo's sessions");
        let held = d.sessions();
        let by_hand = d.schools.iter().fold((0, 0), |(a, b), x| (a + x.sessions.attended, b + x.sessions.signed_up));
        assert_eq!(held.attendance(), Some(by_hand.0 as f64 * 100.0 / by_hand.1 as f64), "{name}");
        let other_class = mine.classes.iter().find(|x| x.id != c.id).expect("another class");
        let form = |day: &str, rows: Vec<(i64, &str, &str)>| SessionsForm {
            day: day.into(),
            ended: "17:10".into(),
            rows: rows.into_iter().map(|(id, a, t)| (id, a.to_string(), t.to_string())).collect(),
        };
        let thursday = "2026-11-19";
        let e = save_sessions(
            &s,
            &principal,
            own,
            &form(thursday, vec![(c.id, &(c.on_roll + 1).to_string(), "王老师"), (other_class.id, "3", "李老师")]),
            today,
            now(),
        )
        .await
        .expect_err("over and unsigned");
        let text = e.to_string();
        assert!(text.contains("应为0到报名人数") && text.contains("尚未填报本学期课后服务报名人数"), "{name}: {text}");
        let e = save_sessions(&s, &principal, own, &form(thursday, vec![(c.id, "3", " ")]), today, now())
            .await
            .expect_err("nobody on duty");
        assert!(e.to_string().contains("请填写值守教师"), "{name}: {e}");
        for (day, why) in [("2026-11-15", "不是本校上学日"), ("2026-11-23", "晚于今天")] {
            let e = save_sessions(&s, &principal, own, &form(day, vec![(c.id, "3", "王老师")]), today, now())
                .await
                .expect_err(why);
            assert!(e.to_string().contains(why), "{name}: {e}");
        }
        let before = board(&s, &principal, today, Some(own)).await.expect("mine");
        let old = before.days.iter().find(|(d, _)| d.to_string() == thursday).map(|x| x.1).unwrap_or_default();
        let came = c.on_roll - 2;
        let n = save_sessions(
            &s,
            &principal,
            own,
            &form(thursday, vec![(c.id, &came.to_string(), "王老师")]),
            today,
            now(),
        )
        .await
        .expect("saved");
        assert_eq!(n, 1, "{name}");
        let after = board(&s, &principal, today, Some(own)).await.expect("mine");
        let (b0, t) = (before.schools[0].sessions, after.schools[0].sessions);
        assert_eq!(
            (t.sessions, t.attended, t.signed_up, t.early),
            (
                b0.sessions - old.sessions + 1,
                b0.attended - old.attended + came as u64,
                b0.signed_up - old.signed_up + c.on_roll as u64,
                b0.early - old.early
            ),
            "{name}: the day replaced; 17:10 is not before the bureau's 17:00"
        );
        assert!(after.days.iter().any(|(d, x)| d.to_string() == thursday && x.attended == came as u64), "{name}");
        // Saving the same day again replaces it: nothing is counted twice.
        save_sessions(&s, &principal, own, &form(thursday, vec![(c.id, &came.to_string(), "王老师")]), today, now())
            .await
            .expect("again");
        assert_eq!(board(&s, &principal, today, Some(own)).await.expect("mine").schools[0].sessions, t, "{name}");
        let other = d.schools.iter().find(|x| x.id != own).expect("other").id;
        assert!(
            save_sessions(&s, &principal, other, &form(thursday, vec![]), today, now()).await.is_err(),
            "{name}: another school's"
        );
    }
}

/// 五项管理 on both backends: the board tallies the latest 五项管理 questionnaire (recounted here by
/// hand), puts the teachers' logged minutes beside the reported ones, and a school keeps its
/// reviewed reading list (its own only).
#[tokio::test]
async fn wuxiang_board_and_reading_list() {
    use eduq_app::wuxiang::{BookForm, add_book, board, books};
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let (principal, staff) = (actor_of(&s, "principal").await, actor_of(&s, "staff").await);
        let Scope::School(own) = principal.scope else { panic!() };
        let b = board(&s, &staff, today).await.expect("board");
        assert_eq!(b.surveys.len(), 1, "{name}: the demo's pupil questionnaire");
        let rows = s.survey_responses(&staff, b.surveys[0].0).await.expect("responses");
        let survey = s.survey(&staff, b.surveys[0].0).await.expect("survey");
        let form = eduq_app::surveys::form_of(&survey).expect("form");
        let q = eduq_core::wuxiang::Questions::of(&form).expect("questions");
        let mut by_hand = eduq_core::wuxiang::Tally::default();
        for r in &rows {
            by_hand.add(&q, &r.answers);
        }
        assert_eq!(b.total, by_hand, "{name}");
        assert_eq!(b.total.responses as usize, rows.len(), "{name}");
        let sum: u64 = b.lines.iter().map(|l| l.answers.responses).sum();
        let at_lines = rows.iter().filter(|r| r.school_id.is_some_and(|id| b.lines.iter().any(|l| l.id == id))).count();
        assert_eq!(sum as usize, at_lines, "{name}: schools teaching grades 1–9");
        let (from, to) = eduq_app::homework::term_so_far(today);
        let hw = eduq_app::homework::board(&s, &staff, from, to, None).await.expect("homework");
        assert_eq!(b.district_logged, hw.total.mean_minutes(), "{name}");
        // The reading list: the school's own, with a review; not another school's.
        let form = |school_id: i64| BookForm {
            school_id,
            title: "昆虫记".into(),
            author: "法布尔".into(),
            publisher: "人民文学出版社".into(),
            grades: "三至六年级".into(),
            reviewed_on: "2026-11-10".into(),
            reviewers: "王老师、李老师".into(),
            verdict: "approved".into(),
            note: String::new(),
        };
        add_book(&s, &principal, &form(own), today, now()).await.expect("added");
        let e = add_book(&s, &principal, &form(own), today, now()).await.expect_err("twice");
        assert!(e.to_string().contains("已登记"), "{name}: {e}");
        let other = b.lines.iter().find(|l| l.id != own).expect("other").id;
        assert!(add_book(&s, &principal, &form(other), today, now()).await.is_err(), "{name}");
        let e = add_book(
            &s,
            &principal,
            &BookForm { verdict: String::new(), title: "新书".into(), ..form(own) },
            today,
            now(),
        )
        .await
        .expect_err("no verdict");
        assert!(e.to_string().contains("审核结论"), "{name}: {e}");
        assert_eq!(books(&s, &principal, None).await.expect("books").len(), 1, "{name}");
        let line =
            board(&s, &principal, today).await.expect("mine").lines.into_iter().find(|l| l.id == own).expect("own");
        assert_eq!((line.books, line.approved_books), (1, 1), "{name}");
    }
}

/// 年级组长 on both backends: the principal appoints a teacher account to lead a grade; the
/// account then reads the grade's classes and is alerted about their over-limit days; only the
/// principal appoints, only a teacher account of the school leads, and removal ends it.
#[tokio::test]
async fn grade_leader_reads_the_grade_and_is_alerted() {
    use eduq_app::homework::{LogForm, alerts, grade_leaders, log, set_grade_leader};
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let (teacher, principal, psych) =
            (actor_of(&s, "teacher").await, actor_of(&s, "principal").await, actor_of(&s, "psych").await);
        let Scope::School(own) = principal.scope else { panic!() };
        let Scope::Classes { class_ids: bound, .. } = teacher.scope.clone() else { panic!() };
        let year = eduq_app::homework::classes(&s, &principal, today).await.expect("classes");
        let outside = year
            .iter()
            .find(|c| c.school_id == own && c.grade.number() >= 3 && !bound.contains(&c.id))
            .expect("a class the teacher is not bound to")
            .clone();
        let grade = i64::from(outside.grade.number());
        let form = |subject: &str| LogForm {
            class_id: outside.id,
            day: "2026-11-20".into(),
            subject: subject.into(),
            written: Some("1".into()),
            minutes: "50".into(),
            layered: None,
            note: "练习".into(),
        };
        log(&s, &principal, &form("语文"), today, now()).await.expect("语文");
        assert!(
            log(&s, &principal, &form("数学"), today, now()).await.expect("数学").check.over,
            "{name}: 100 minutes"
        );
        let over = |a: &[eduq_app::homework::ClassDay]| a.iter().any(|d| d.class_id == outside.id);
        assert!(!over(&alerts(&s, &teacher, today).await.expect("alerts")), "{name}: not the teacher's class yet");
        set_grade_leader(&s, &principal, own, grade, Some(teacher.user_id), today, now()).await.expect("appointed");
        let led = actor_of(&s, "teacher").await;
        let Scope::Classes { class_ids: now_bound, .. } = led.scope.clone() else { panic!() };
        let grade_classes: Vec<i64> =
            year.iter().filter(|c| c.school_id == own && i64::from(c.grade.number()) == grade).map(|c| c.id).collect();
        assert!(grade_classes.iter().chain(&bound).all(|id| now_bound.contains(id)), "{name}: the grade and the own");
        assert_eq!(now_bound.len(), grade_classes.iter().chain(&bound).collect::<std::collections::HashSet<_>>().len());
        assert!(over(&alerts(&s, &led, today).await.expect("alerts")), "{name}: the leader is alerted");
        let gl = grade_leaders(&s, &principal, own, today).await.expect("leaders");
        let (lines, teachers) = (gl.lines, gl.teachers);
        let line = lines.iter().find(|l| i64::from(l.grade.number()) == grade).expect("the grade");
        assert_eq!(line.leader.as_ref().map(|x| x.user_id), Some(teacher.user_id), "{name}");
        assert_eq!(line.classes, grade_classes.len(), "{name}");
        assert!(teachers.iter().any(|t| t.0 == teacher.user_id) && !teachers.iter().any(|t| t.0 == psych.user_id));
        // Only the principal appoints; only a teacher account of the school leads.
        assert!(matches!(
            set_grade_leader(&s, &led, own, grade, Some(teacher.user_id), today, now()).await,
            Err(eduq_app::AppError::Forbidden)
        ));
        let e =
            set_grade_leader(&s, &principal, own, grade, Some(psych.user_id), today, now()).await.expect_err("psych");
        assert!(e.to_string().contains("须为本校启用的教师账号"), "{name}: {e}");
        let audited = s
            .search_audit(
                &Actor::system(),
                &eduq_store::audit::AuditQuery {
                    action: Some("grade_leader".into()),
                    page: 1,
                    per_page: 10,
                    ..Default::default()
                },
            )
            .await
            .expect("audit")
            .1;
        assert!(audited >= 1, "{name}: the appointment is audited");
        set_grade_leader(&s, &principal, own, grade, None, today, now()).await.expect("removed");
        assert_eq!(actor_of(&s, "teacher").await.scope, teacher.scope, "{name}: back to the own classes");
    }
}

/// The stage indicators on both backends: the three stages' screened and myopic pupils add up to
/// the whole 近视率's, and 民办 pupils of grades 1–9 are those of the 民办 schools.
#[tokio::test]
async fn stage_indicators_add_up_on_both_backends() {
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let lib = eduq_app::indicators::library(&s, &admin, CURRENT).await.expect("library");
        let get = |k: &str| lib.iter().find(|v| v.indicator.key == k).expect(k).district;
        let all = get("myopia_rate");
        let stages = ["myopia_rate_primary", "myopia_rate_junior", "myopia_rate_senior"].map(get);
        assert!(all.denominator > 0.0, "{name}: the demo screens vision");
        assert_eq!(stages.iter().map(|v| v.numerator).sum::<f64>(), all.numerator, "{name}");
        assert_eq!(stages.iter().map(|v| v.denominator).sum::<f64>(), all.denominator, "{name}");
        let private = get("private_compulsory_share");
        let schools = s.list_schools(&admin, None).await.expect("schools");
        let facts = s.school_facts(&admin, term_id(&s).await, CURRENT.start_year).await.expect("facts");
        let by_hand: i64 = facts
            .iter()
            .filter(|f| schools.iter().any(|x| x.id == f.id && x.ownership == eduq_core::org::Ownership::Private))
            .map(|f| f.primary_pupils + f.junior_pupils)
            .sum();
        assert_eq!(private.numerator, by_hand as f64, "{name}");
        assert_eq!(private.denominator, facts.iter().map(|f| (f.primary_pupils + f.junior_pupils) as f64).sum::<f64>());
        // 辍学率 of each school year: the county's dropouts by grade, summed (the 控辍保学 board's).
        // Two pupils of the current year's second term are recorded as 辍学 first.
        let tid = term_id(&s).await;
        let q = eduq_store::Sql::new(
            "UPDATE enrolment SET status = 'dropped_out' WHERE id IN (SELECT id FROM enrolment WHERE term_id = $1 \
             AND grade BETWEEN 1 AND 9 AND status = 'enrolled' ORDER BY id LIMIT 2)",
        )
        .bind(tid);
        assert_eq!(s.system().exec(&q).await.expect("dropouts"), 2, "{name}");
        let rows = s.flow_rows(&admin).await.expect("history");
        let mut any = 0;
        for term in [Term { start_year: 2025, term_no: 2 }, CURRENT] {
            let (d, n) = eduq_core::flows::dropouts_by_grade(&rows, term.start_year)
                .iter()
                .fold((0u32, 0u32), |(a, b), (_, d, n)| (a + d, b + n));
            let v = eduq_app::indicators::one(&s, &admin, term, "dropout_rate").await.expect("dropout_rate");
            assert_eq!((v.district.numerator, v.district.denominator), (f64::from(d), f64::from(n)), "{name}");
            assert_eq!(v.schools.iter().map(|x| x.value.numerator).sum::<f64>(), f64::from(d), "{name}");
            any += d;
        }
        assert!(any > 0, "{name}: the demo has dropouts");
    }
}

/// 称号登记 on both backends: the bureau registers designations with their documents; the shares
/// count the designations held at the term's end (a lapsed one does not count); a school reads its
/// own entries and documents only and registers none.
#[tokio::test]
async fn honours_register_and_shares() {
    use eduq_app::honours::{HonourForm, add, evidence, register, remove};
    for (s, name) in seeded().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let (principal, staff) = (actor_of(&s, "principal").await, actor_of(&s, "staff").await);
        let Scope::School(own) = principal.scope else { panic!() };
        let share = |v: &eduq_app::indicators::IndicatorValue| (v.district.numerator, v.district.denominator);
        let before = eduq_app::indicators::one(&s, &staff, CURRENT, "smart_campus_share").await.expect("share");
        let (held0, schools) = share(&before);
        let others: Vec<i64> =
            s.list_schools(&staff, None).await.expect("schools").iter().filter(|x| x.id != own).map(|x| x.id).collect();
        let form = |school_id: i64, title: &str, until: &str| HonourForm {
            school_id,
            kind: "智慧校园".into(),
            level: "市级".into(),
            title: title.into(),
            person: String::new(),
            year: "2025".into(),
            valid_until: until.into(),
        };
        let scan: &[u8] = b"%PDF-1.4 synthetic";
        add(&s, &staff, &form(own, "市级智慧校园示范校", "2027-12-31"), Some(("认定文件.pdf", scan)), today, now())
            .await
            .expect("own");
        // Lapsed at the term's end (2027-01-31): registered but not counted.
        add(&s, &staff, &form(others[0], "区级智慧校园", "2026-12-31"), None, today, now()).await.expect("lapsed");
        let e = add(&s, &staff, &form(own, "市级智慧校园示范校", ""), None, today, now()).await.expect_err("twice");
        assert!(e.to_string().contains("已登记2025年"), "{name}: {e}");
        let e = add(&s, &staff, &HonourForm { year: "2030".into(), ..form(own, "新称号", "") }, None, today, now())
            .await
            .expect_err("future");
        assert!(e.to_string().contains("认定年份"), "{name}: {e}");
        let e =
            add(&s, &staff, &form(own, "另一称号", ""), Some(("a.exe", scan)), today, now()).await.expect_err("exe");
        assert!(e.to_string().contains("类型不支持"), "{name}: {e}");
        assert!(matches!(
            add(&s, &principal, &form(own, "自报称号", ""), None, today, now()).await,
            Err(eduq_app::AppError::Forbidden)
        ));
        let after = eduq_app::indicators::one(&s, &staff, CURRENT, "smart_campus_share").await.expect("share");
        assert_eq!(share(&after), (held0 + 1.0, schools), "{name}: one more held; the lapsed one not");
        // The school reads its own entries and document only.
        let (mine, counts) = register(&s, &principal, None, today).await.expect("mine");
        assert!(mine.iter().all(|r| r.school_id == own) && mine.len() == 1, "{name}");
        assert_eq!(counts, [(eduq_core::honour::HonourKind::SmartCampus, 1)], "{name}");
        let (file, kind, bytes) = evidence(&s, &principal, mine[0].id).await.expect("document");
        assert_eq!((file.as_str(), kind.as_str(), bytes.as_slice()), ("认定文件.pdf", "application/pdf", scan));
        let (all, _) = register(&s, &staff, None, today).await.expect("all");
        let lapsed = all.iter().find(|r| r.school_id == others[0]).expect("lapsed entry");
        assert!(evidence(&s, &principal, lapsed.id).await.is_err(), "{name}: another school's");
        assert!(remove(&s, &principal, lapsed.id, now()).await.is_err(), "{name}: the bureau removes");
        remove(&s, &staff, mine[0].id, now()).await.expect("removed");
        let last = eduq_app::indicators::one(&s, &staff, CURRENT, "smart_campus_share").await.expect("share");
        assert_eq!(share(&last), (held0, schools), "{name}");
    }
}

/// 新改扩建 on both backends: the demo's late milestone shows for the dashboard; a completed project
/// adds its places to 新增学位数 (a new school's too, to the county only); the bureau keeps the
/// projects, a school reads its own.
#[tokio::test]
async fn building_projects_add_places_and_flag_late_milestones() {
    use eduq_app::projects::{ProjectForm, add, add_milestone, complete, late, list};
    for (s, name) in seeded().await {
        let today = eduq_core::clock::DistrictZone::default().today(now());
        let (principal, staff) = (actor_of(&s, "principal").await, actor_of(&s, "staff").await);
        let Scope::School(own) = principal.scope else { panic!() };
        let flagged = late(&s, &staff, today).await.expect("late");
        assert_eq!(flagged.len(), 1, "{name}: {flagged:?}");
        assert!(flagged[0].0.contains("新建") && flagged[0].1[0].starts_with("主体封顶"), "{name}: {flagged:?}");
        let places = |v: &eduq_app::indicators::IndicatorValue| {
            (v.district.value, v.schools.iter().find(|x| x.school_id == own).and_then(|x| x.value.value))
        };
        let v = eduq_app::indicators::one(&s, &staff, CURRENT, "places_added").await.expect("places");
        assert_eq!(places(&v), (Some(540.0), Some(540.0)), "{name}: the demo school's extension");
        // The new school is completed: the county gains its places, no school on the roster does.
        let rows = list(&s, &staff).await.expect("projects");
        let new_school = rows.iter().find(|p| p.school_id.is_none() && p.project.name.contains("新建")).expect("new");
        let e = complete(&s, &staff, new_school.id, "2099-01-01", "1350", today, now()).await.expect_err("future");
        assert!(e.to_string().contains("晚于今天"), "{name}: {e}");
        complete(&s, &staff, new_school.id, &today.to_string(), "1300", today, now()).await.expect("done");
        let v = eduq_app::indicators::one(&s, &staff, CURRENT, "places_added").await.expect("places");
        assert_eq!(places(&v), (Some(1840.0), Some(540.0)), "{name}");
        let built = eduq_app::indicators::one(&s, &staff, CURRENT, "new_schools_built").await.expect("built");
        assert_eq!(built.district.value, Some(1.0), "{name}");
        assert!(late(&s, &staff, today).await.expect("late").is_empty(), "{name}: completed, no longer late");
        // Keeping: the bureau only, one name once; a school reads its own project only.
        let f = ProjectForm {
            name: "示范区实验小学扩建工程".into(),
            kind: "扩建".into(),
            school_id: own.to_string(),
            planned_places: "100".into(),
        };
        let e = add(&s, &staff, &f, now()).await.expect_err("twice");
        assert!(e.to_string().contains("已有项目"), "{name}: {e}");
        assert!(add(&s, &principal, &ProjectForm { name: "自报项目".into(), ..f.clone() }, now()).await.is_err());
        assert!(add_milestone(&s, &principal, new_school.id, "装修", "2027-03-01").await.is_err(), "{name}");
        let mine = list(&s, &principal).await.expect("mine");
        assert_eq!(mine.len(), 1, "{name}: {mine:?}");
        assert_eq!(mine[0].school_id, Some(own), "{name}");
    }
}

/// 集团化办学 on both backends: the bureau sets a group's running and core school and pairs two
/// members; the indicator's roll-up sets the group beside its core school's own value; a school may
/// neither set nor pair, and only members are paired.
#[tokio::test]
async fn groups_core_school_and_pairs() {
    use eduq_app::groups::{list, pair, set};
    for (s, name) in seeded().await {
        let (principal, staff) = (actor_of(&s, "principal").await, actor_of(&s, "staff").await);
        let groups = list(&s, &staff).await.expect("groups");
        let g = groups.iter().find(|g| g.members.len() >= 2).expect("a group of two or more").clone();
        let (core, other) = (g.members[0].0, g.members[1].0);
        set(&s, &staff, g.id, "紧密型", &core.to_string()).await.expect("set");
        assert!(set(&s, &principal, g.id, "松散型", "").await.is_err(), "{name}: the bureau sets");
        let outsider = s
            .list_schools(&staff, None)
            .await
            .expect("schools")
            .into_iter()
            .find(|x| !g.members.iter().any(|m| m.0 == x.id))
            .expect("a school outside")
            .id;
        let e = set(&s, &staff, g.id, "", &outsider.to_string()).await.expect_err("not a member");
        assert!(e.to_string().contains("不是本学区"), "{name}: {e}");
        let e = pair(&s, &staff, g.id, core, core).await.expect_err("itself");
        assert!(e.to_string().contains("不能相同"), "{name}: {e}");
        pair(&s, &staff, g.id, core, other).await.expect("paired");
        pair(&s, &staff, g.id, core, other).await.expect("again: nothing more");
        let after = list(&s, &staff).await.expect("groups").into_iter().find(|x| x.id == g.id).expect("the group");
        assert_eq!(
            (after.mode, after.core_school_id, after.pairs.clone()),
            (Some(eduq_core::org::GroupMode::Close), Some(core), vec![(core, other)]),
            "{name}"
        );
        let v = eduq_app::indicators::one(&s, &staff, CURRENT, "ptr_primary").await.expect("ptr");
        let rolled = eduq_app::indicators::groups(&s, &staff, &v).await.expect("rolled");
        let line = rolled.iter().find(|x| x.name == g.name).expect("the group's line");
        let own = v.schools.iter().find(|x| x.school_id == core).map(|x| x.value);
        assert_eq!(line.core, own, "{name}: the core school's own value");
    }
}

/// 捆绑评价: a 小学 bundled into another is one school on the 优质均衡 board (pupils and inputs
/// added) and on the indicators' 捆绑 view; one level only; the bureau sets and ends it.
#[tokio::test]
async fn bundles_fold_a_school_into_its_center() {
    use eduq_app::groups::{remove_bundle, set_bundle};
    use eduq_core::balance::BalanceStage;
    for (s, name) in seeded().await {
        let (principal, staff) = (actor_of(&s, "principal").await, actor_of(&s, "staff").await);
        let before = eduq_app::balance::evaluate_district(&s, &staff, CURRENT, BalanceStage::Primary, None)
            .await
            .expect("board");
        let primary: Vec<&eduq_core::balance::SchoolResult> = before.evaluation.schools.iter().collect();
        assert!(primary.len() >= 3, "{name}");
        let all = s.list_schools(&Actor::system(), None).await.expect("schools");
        let code_id = |code: &str| all.iter().find(|x| x.code == code).expect("school").id;
        let (center, village, third) =
            (code_id(&primary[0].code), code_id(&primary[1].code), code_id(&primary[2].code));
        let (c, v) = (center.to_string(), village.to_string());
        assert!(set_bundle(&s, &principal, &v, &c, now()).await.is_err(), "{name}: the bureau sets");
        let e = set_bundle(&s, &staff, &c, &c, now()).await.expect_err("itself");
        assert!(e.to_string().contains("自身"), "{name}: {e}");
        set_bundle(&s, &staff, &v, &c, now()).await.expect("bundle");
        let e = set_bundle(&s, &staff, &third.to_string(), &v, now()).await.expect_err("a chain");
        assert!(e.to_string().contains("已捆绑"), "{name}: {e}");
        let after = eduq_app::balance::evaluate_district(&s, &staff, CURRENT, BalanceStage::Primary, None)
            .await
            .expect("board");
        assert_eq!(after.evaluation.schools.len(), primary.len() - 1, "{name}");
        let folded = after.evaluation.schools.iter().find(|x| x.code == primary[0].code).expect("the 中心校");
        assert_eq!(folded.students, primary[0].students + primary[1].students, "{name}");
        assert_eq!(after.bundled, [format!("{}并入{}", primary[1].name, primary[0].name)], "{name}");
        // The county value is the same: only the units change.
        for (a, b) in before.evaluation.indicators.iter().zip(&after.evaluation.indicators) {
            assert!((a.county_value - b.county_value).abs() < 1e-9, "{name}: {}", a.key);
        }
        // The indicators' 捆绑 view: numerators and denominators summed, then divided.
        let ptr = eduq_app::indicators::one(&s, &staff, CURRENT, "ptr_primary").await.expect("ptr");
        let view = eduq_app::indicators::bundled(&s, &staff, &ptr).await.expect("bundled");
        let part = |id: i64| ptr.schools.iter().find(|x| x.school_id == id).expect("school").value;
        let (a, b) = (part(center), part(village));
        assert_eq!(view.len(), 1, "{name}");
        assert_eq!(view[0].center.value.numerator, a.numerator + b.numerator, "{name}");
        assert_eq!(view[0].center.value.denominator, a.denominator + b.denominator, "{name}");
        assert_eq!(view[0].own, Some(a), "{name}");
        // The plans' 差异系数 follow the board.
        let lib = eduq_app::indicators::library(&s, &staff, CURRENT).await.expect("library");
        let cv = lib.iter().find(|x| x.indicator.key == "cv_primary_teaching_area_per_student").expect("cv");
        assert_eq!(cv.district.value, after.evaluation.indicators[3].cv, "{name}");
        remove_bundle(&s, &staff, village, now()).await.expect("ended");
        let back = eduq_app::balance::evaluate_district(&s, &staff, CURRENT, BalanceStage::Primary, None)
            .await
            .expect("board");
        assert_eq!(back.evaluation.schools.len(), primary.len(), "{name}");
    }
}

/// 集团活动: the bureau logs any member's, a member school's principal those it holds; entries are
/// checked against the members; a school outside the group neither reads nor logs them.
#[tokio::test]
async fn group_activities_logged_and_scoped() {
    use eduq_app::groups::{
        ActivityForm, activities, activity_evidence, list, log_activity, remove_activity, year_counts,
    };
    use eduq_core::group_activity::ActivityKind;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    for (s, name) in seeded().await {
        let staff = actor_of(&s, "staff").await;
        let groups = list(&s, &staff).await.expect("groups");
        let g = groups.iter().find(|g| g.members.len() >= 2).expect("a group of two or more").clone();
        let (host, to) = (g.members[0].0, g.members[1].0);
        let outsider = s
            .list_schools(&staff, None)
            .await
            .expect("schools")
            .into_iter()
            .find(|x| !groups.iter().any(|gg| gg.id == g.id && gg.members.iter().any(|m| m.0 == x.id)))
            .expect("a school outside")
            .id;
        let form = |host: i64, day: &str| ActivityForm {
            kind: "送教下乡".into(),
            held_on: day.into(),
            title: "数学送教".into(),
            host: host.to_string(),
            to: to.to_string(),
            participants: "6".into(),
        };
        let photo = ("签到表.pdf", b"%PDF-1.4 sign-in".as_slice());
        // The demo logged this school year's 送教, 同步课堂 and 联合教研 of each group.
        let seeded = activities(&s, &staff).await.expect("rows");
        let held = seeded.iter().filter(|r| r.group_id == g.id).count();
        let seeded_counts = year_counts(&seeded, g.id, 2026);
        assert_eq!(
            seeded_counts,
            vec![(ActivityKind::SendTeaching, 1), (ActivityKind::SyncClass, 1), (ActivityKind::JointResearch, 1)],
            "{name}"
        );
        let id =
            log_activity(&s, &staff, g.id, &form(host, "2026-11-18"), Some(photo), today, now()).await.expect("log");
        let e =
            log_activity(&s, &staff, g.id, &form(outsider, "2026-11-18"), None, today, now()).await.expect_err("host");
        assert!(e.to_string().contains("承办学校不是本学区或集团的成员"), "{name}: {e}");
        let e =
            log_activity(&s, &staff, g.id, &form(host, "2026-11-21"), None, today, now()).await.expect_err("future");
        assert!(e.to_string().contains("晚于今天"), "{name}: {e}");
        let bad = ActivityForm { participants: "六".into(), ..form(host, "2026-11-18") };
        let e = log_activity(&s, &staff, g.id, &bad, None, today, now()).await.expect_err("count");
        assert!(e.to_string().contains("参与人数“六”"), "{name}: {e}");
        // A member school's principal logs what the school holds, not another member's.
        let principal = actor("p-host", Role::SchoolAdmin, Scope::School(host));
        let sync = ActivityForm { kind: "同步课堂".into(), ..form(host, "2026-10-09") };
        log_activity(&s, &principal, g.id, &sync, None, today, now()).await.expect("own school hosts");
        let theirs = ActivityForm { host: to.to_string(), to: host.to_string(), ..form(to, "2026-10-09") };
        assert!(log_activity(&s, &principal, g.id, &theirs, None, today, now()).await.is_err(), "{name}");
        let rows = activities(&s, &staff).await.expect("rows");
        let mine: Vec<_> = rows.iter().filter(|r| r.group_id == g.id).collect();
        assert_eq!(mine.len(), held + 2, "{name}: only the valid entries were kept");
        assert_eq!(
            year_counts(&rows, g.id, 2026),
            vec![(ActivityKind::SendTeaching, 2), (ActivityKind::SyncClass, 2), (ActivityKind::JointResearch, 1)],
            "{name}"
        );
        let (file, kind, bytes) = activity_evidence(&s, &principal, id).await.expect("a member reads");
        assert_eq!(
            (file.as_str(), kind.as_str(), bytes.as_slice()),
            ("签到表.pdf", "application/pdf", photo.1),
            "{name}"
        );
        // A school outside the group reads neither the log nor the evidence.
        let stranger = actor("p-out", Role::SchoolAdmin, Scope::School(outsider));
        let seen = activities(&s, &stranger).await.expect("rows");
        let outsider_groups: Vec<i64> =
            groups.iter().filter(|x| x.members.iter().any(|m| m.0 == outsider)).map(|x| x.id).collect();
        assert!(seen.iter().all(|r| outsider_groups.contains(&r.group_id)), "{name}");
        assert!(!outsider_groups.contains(&g.id) && activity_evidence(&s, &stranger, id).await.is_err(), "{name}");
        // The host school's principal removes its entry; the other's only the bureau.
        assert!(remove_activity(&s, &stranger, id, now()).await.is_err(), "{name}");
        remove_activity(&s, &staff, id, now()).await.expect("the bureau removes");
        assert_eq!(
            activities(&s, &staff).await.expect("rows").iter().filter(|r| r.group_id == g.id).count(),
            held + 1,
            "{name}"
        );
    }
}

/// The cohort figures behind 巩固率 are kept at the roll's version and read while it is current;
/// any write of the roll (through eduq or plain SQL) or of the terms makes the next read follow
/// the pupils again.
#[tokio::test]
async fn kept_cohort_figures_follow_the_roll() {
    use eduq_core::flows::CohortFigures;
    for (s, name) in seeded().await {
        let admin = Actor::system();
        let consolidation = |values: &[eduq_app::indicators::IndicatorValue]| {
            let d = values.iter().find(|v| v.indicator.key == "consolidation_rate").expect("rate").district;
            (d.numerator, d.denominator)
        };
        let held: Vec<Term> = s.terms().await.expect("terms").into_iter().map(|(_, t)| t).collect();
        let first = consolidation(&eduq_app::indicators::library(&s, &admin, CURRENT).await.expect("library"));
        let version = s.roll_version().await.expect("version");
        let kept =
            s.kept_cohort_figures(&admin, &[CURRENT], version).await.expect("read").pop().flatten().expect("kept");
        let rows = s.flow_rows_to_keep(&admin).await.expect("history");
        assert_eq!(kept, CohortFigures::of(&rows, &held, CURRENT), "{name}: kept as computed");
        assert_eq!(first, (f64::from(kept.county.retained), kept.county.base() as f64), "{name}");
        assert!(kept.junior.is_none() && kept.schools.len() > 5, "{name}: two school years, every school");
        assert_eq!(
            s.kept_cohort_figures(&admin, &[CURRENT], version - 1).await.expect("read").pop().flatten(),
            None,
            "{name}"
        );

        // While the roll is unchanged the kept figures are what a recomputation uses: altered by
        // hand (a write of something else drops the process's memo), the library shows them.
        let mut altered = kept.clone();
        altered.county.retained -= 7;
        s.system().exec(&eduq_store::Sql::new("DELETE FROM flow_summary")).await.expect("clear");
        s.keep_cohort_figures(&admin, CURRENT, version, &altered).await.expect("keep");
        let shown = consolidation(&eduq_app::indicators::library(&s, &admin, CURRENT).await.expect("library"));
        assert_eq!(shown, (first.0 - 7.0, first.1), "{name}: read, not recomputed");
        // A slower reader of an older roll does not overwrite it.
        s.keep_cohort_figures(&admin, CURRENT, version - 1, &kept).await.expect("keep older");
        assert_eq!(
            s.kept_cohort_figures(&admin, &[CURRENT], version).await.expect("read").pop().flatten(),
            Some(altered),
            "{name}"
        );

        // A narrower scope reads nothing kept and keeps nothing: its figures are its own.
        let Some(school) = kept.schools.keys().next().copied() else { panic!("a school") };
        let principal = actor("p", Role::SchoolAdmin, Scope::School(school));
        assert_eq!(
            s.kept_cohort_figures(&principal, &[CURRENT], version).await.expect("read").pop().flatten(),
            None,
            "{name}"
        );
        s.keep_cohort_figures(&principal, CURRENT, version, &kept).await.expect("no-op");
        let count = eduq_store::Sql::new("SELECT COUNT(*) FROM flow_summary");
        assert_eq!(s.system().scalar(&count).await.expect("count"), 1, "{name}");

        // Any write of the roll, here plain SQL that changes no value, moves the version on.
        s.system()
            .exec(&eduq_store::Sql::new(
                "UPDATE enrolment SET status = status WHERE student_id = (SELECT MIN(student_id) FROM enrolment)",
            ))
            .await
            .expect("touch");
        let moved = s.roll_version().await.expect("version");
        assert!(moved > version, "{name}: {moved} after {version}");
        let again = consolidation(&eduq_app::indicators::library(&s, &admin, CURRENT).await.expect("library"));
        assert_eq!(again, first, "{name}: followed again from the history");
        assert_eq!(
            s.kept_cohort_figures(&admin, &[CURRENT], moved).await.expect("read").pop().flatten(),
            Some(kept.clone()),
            "{name}"
        );
        // A class change is not a change of the history; a term's dates are a write of the terms.
        s.system()
            .exec(&eduq_store::Sql::new("UPDATE enrolment SET class_id = class_id WHERE class_id IS NOT NULL"))
            .await
            .expect("classes");
        assert_eq!(s.roll_version().await.expect("version"), moved, "{name}");
        s.system().exec(&eduq_store::Sql::new("UPDATE term SET end_date = end_date")).await.expect("terms");
        assert!(s.roll_version().await.expect("version") > moved, "{name}");
    }
}
