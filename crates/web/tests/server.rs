//! Starts the real server on a free port and checks, through pages and API routes, that a
//! school administrator cannot read another school's students, and that CSRF is enforced.

use chrono::Utc;
use eduq_app::Store;
use eduq_core::access::{Actor, Role};
use eduq_core::calendar::Term;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use serde_json::Value;

const PW: &str = "Demo@2026";

async fn start() -> (String, Store) {
    let (base, store, _) = start_with(None).await;
    (base, store)
}

/// The server on a clock stopped at `at` (tests move it), or on the system clock.
async fn start_with(at: Option<chrono::DateTime<Utc>>) -> (String, Store, eduq_app::clock::Clock) {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("eduq_web_{}_{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let store = Store::connect(&format!("sqlite://{}", dir.join("w.db").display())).await.expect("db");
    store.migrate().await.expect("migrate");
    let spec = eduq_synth::Spec { seed: 5, students: 1_500, current: Term { start_year: 2026, term_no: 1 }, years: 1 };
    eduq_app::demo::seed(&store, &spec, PW, at.unwrap_or_else(Utc::now)).await.expect("seed");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut state = eduq_web::AppState::new(store.clone());
    let zone = eduq_core::clock::DistrictZone::default();
    state.clock = match at {
        Some(at) => eduq_app::clock::Clock::fixed(zone, at),
        None => eduq_app::clock::Clock::system(zone),
    };
    let clock = state.clock.clone();
    tokio::spawn(eduq_web::serve(listener, state, std::future::pending()));
    (format!("http://{addr}"), store, clock)
}

fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().expect("client")
}

async fn login(base: &str, user: &str) -> String {
    let res = client()
        .post(format!("{base}/login"))
        .form(&[("username", user), ("password", PW)])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {user}");
    let cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    cookie.split(';').next().expect("pair").to_string()
}

async fn get(base: &str, cookie: &str, path: &str) -> (StatusCode, String) {
    let res = client().get(format!("{base}{path}")).header("cookie", cookie).send().await.expect("get");
    (res.status(), res.text().await.unwrap_or_default())
}

#[tokio::test]
async fn school_admin_is_confined_to_own_school_on_every_route() {
    let (base, store) = start().await;
    let admin = Actor::system();
    let term = store.terms().await.expect("terms")[0].0;
    let schools = store.list_schools(&admin, Some(term)).await.expect("schools");
    let principal = store.system().user_by_name("principal").await.expect("user").expect("exists");
    let own = principal.school_id.expect("school");
    let other = schools.iter().find(|s| s.id != own && s.students > 0).expect("another school");
    // #25.10: the principal's home names the school and labels its values 本校, not 区县.
    let c = login(&base, "principal").await;
    let (_, home) = get(&base, &c, "/").await;
    let own_name = &schools.iter().find(|s| s.id == own).expect("own").name;
    assert!(home.contains(&format!("<h1>{own_name} · 概览</h1>")), "the school's own home");
    assert!(!home.contains(">区县<") && !home.contains("（区县 "), "no district framing on a school's home");
    // A class teacher's home counts the own classes, as its chart does, not the school.
    let t = login(&base, "teacher").await;
    let (_, home) = get(&base, &t, "/").await;
    let teacher = store.system().user_by_name("teacher").await.expect("user").expect("exists");
    let ta = store.system().actor(&teacher).await.expect("actor");
    let term_id = store.terms().await.expect("terms")[0].0;
    let mine: i64 = store.students_by_grade(&ta, term_id).await.expect("grades").iter().map(|(_, n)| n).sum();
    assert!(home.contains(&format!("id=\"stat-students\">{mine}<")) && home.contains("本班在校生"), "own classes");
    assert!(!home.contains("stat-teachers") && !home.contains("按办学类型"), "no school totals for a class teacher");
    let eduq_app::directory::KeyPage { rows: others, .. } = store
        .list_students(
            &admin,
            &eduq_app::directory::StudentQuery {
                term_id: term,
                school_id: Some(other.id),
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .expect("list");
    let stranger = &others[0];

    // Not logged in: pages redirect, API answers 401.
    assert_eq!(client().get(format!("{base}/students")).send().await.expect("r").status(), StatusCode::SEE_OTHER);
    assert_eq!(
        client().get(format!("{base}/api/v1/students")).send().await.expect("r").status(),
        StatusCode::UNAUTHORIZED
    );

    let c = login(&base, "principal").await;
    let (status, body) = get(&base, &c, &format!("/students/{}", stranger.id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains(&stranger.student_no));
    assert_eq!(get(&base, &c, &format!("/api/v1/students/{}", stranger.id)).await.0, StatusCode::NOT_FOUND);
    let (_, list) = get(&base, &c, &format!("/api/v1/students?school={}", other.id)).await;
    let v: Value = serde_json::from_str(&list).expect("json");
    assert_eq!(v["total"], 0);
    let (_, list) = get(&base, &c, &format!("/students?q={}", stranger.student_no)).await;
    assert!(list.contains("id=\"total\">0<"), "page search leaked another school's pupil");
    assert!(!list.contains(&format!("/students/{}\"", stranger.id)));
    let (_, all) = get(&base, &c, "/api/v1/students?per_page=200").await;
    let v: Value = serde_json::from_str(&all).expect("json");
    let own_name = &schools.iter().find(|s| s.id == own).expect("own").name;
    assert!(v["students"].as_array().expect("array").iter().all(|s| s["school_name"] == own_name.as_str()));
    let (_, sch) = get(&base, &c, "/api/v1/schools").await;
    let v: Value = serde_json::from_str(&sch).expect("json");
    assert_eq!(v["schools"].as_array().map(Vec::len), Some(1));
    let res =
        client().get(format!("{base}/export/students?format=csv")).header("cookie", &c).send().await.expect("export");
    let text = res.text().await.unwrap_or_default();
    assert!(!text.contains(&other.code) && text.contains(&schools.iter().find(|s| s.id == own).expect("own").code));
    assert_eq!(get(&base, &c, "/audit").await.0, StatusCode::FORBIDDEN);
    assert_eq!(get(&base, &c, "/users").await.0, StatusCode::FORBIDDEN);

    // The administrator sees the stranger; the leader sees no special-group flags.
    let a = login(&base, "admin").await;
    let (status, body) = get(&base, &a, &format!("/students/{}", stranger.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&stranger.student_no) && body.contains("特殊群体"));
    let l = login(&base, "leader").await;
    let (_, body) = get(&base, &l, &format!("/students/{}", stranger.id)).await;
    assert!(!body.contains("特殊群体"));
    assert_eq!(get(&base, &a, "/healthz").await.0, StatusCode::OK);
    let _ = Role::Admin;
}

/// #24.4 and #24.5, #24.7: 学籍号 and 身份证号 in full only for those who keep 学籍; exports for roles
/// without special-group rights leave those columns out; csv cells never start a formula.
#[tokio::test]
async fn security_identity_masked_and_columns_by_role() {
    let (base, store) = start().await;
    let csv_of = |cookie: String| {
        let base = base.clone();
        async move {
            let res = client()
                .get(format!("{base}/export/students?format=csv"))
                .header("cookie", cookie)
                .send()
                .await
                .expect("export");
            assert_eq!(res.status(), StatusCode::OK);
            let bytes = res.bytes().await.expect("bytes");
            eduq_exchange::read_table(&bytes, "s.csv").expect("a csv")
        }
    };
    let p = csv_of(login(&base, "principal").await).await;
    let no = p.column("全国学籍号").expect("column");
    let id = p.column("身份证号").expect("column");
    assert!(p.rows.iter().all(|(_, r)| !r[no].contains('*') && (r[id].is_empty() || !r[id].contains('*'))));
    assert!(p.column("残疾").is_some(), "the principal keeps the special-group columns");
    // 局领导 reads pupils but neither full numbers nor special groups; the demo's 班主任 reads
    // special groups (for support) but not full numbers.
    let h = csv_of(login(&base, "teacher").await).await;
    let no = h.column("全国学籍号").expect("column");
    assert!(h.rows.iter().all(|(_, r)| r[no].contains("********")) && h.column("残疾").is_some());
    let t = csv_of(login(&base, "leader").await).await;
    let (no, id) = (t.column("全国学籍号").expect("column"), t.column("身份证号").expect("column"));
    assert!(!t.rows.is_empty());
    for (_, r) in &t.rows {
        assert!(r[no].len() == 19 && r[no].contains("********"), "masked 学籍号: {}", r[no]);
        assert!(r[id].is_empty() || r[id].contains("********"), "masked 身份证号: {}", r[id]);
    }
    assert!(t.column("残疾").is_none() && t.column("单亲").is_none(), "no false 否 columns for 局领导");
    // The API and the list pages mask for the same roles.
    let (status, body) = get(&base, &login(&base, "teacher").await, "/api/v1/students").await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).expect("json");
    let rows = v["students"].as_array().expect("students");
    assert!(rows.iter().all(|r| r["student_no"].as_str().is_some_and(|n| n.contains("****"))), "{body:.300}");
    let audit = store
        .search_audit(
            &Actor::system(),
            &eduq_app::audit::AuditQuery {
                action: Some("export".into()),
                username: Some("principal".into()),
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .expect("audit")
        .0;
    assert!(audit.iter().any(|e| e.detail.contains("含完整学籍号和身份证号")), "{audit:?}");
}

fn rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        .map_or(0, |kb| kb / 1024)
}

/// #24.2: a 1 GiB sheet in about a MB, posted by a principal to the import centre and by a 班主任
/// to the attendance import, is refused with a clear message and the server's memory stays flat.
#[tokio::test]
async fn security_a_zip_bomb_is_refused_and_memory_stays_bounded() {
    let (base, _) = start().await;
    let bomb = eduq_synth::hostile::xlsx_bomb(1 << 30);
    let before = rss_mb();
    for (user, path, kind) in [("principal", "/imports/preview", "students"), ("principal", "/attendance/import", "")] {
        let cookie = login(&base, user).await;
        let (_, page) = get(&base, &cookie, "/imports").await;
        let token =
            page.split("name=\"csrf-token\" content=\"").nth(1).and_then(|s| s.split('"').next()).expect("token");
        let form = reqwest::multipart::Form::new()
            .text("_csrf", token.to_string())
            .text("kind", kind.to_string())
            .part("file", reqwest::multipart::Part::bytes(bomb.clone()).file_name("bomb.xlsx"));
        let res = client()
            .post(format!("{base}{path}"))
            .header("cookie", &cookie)
            .multipart(form)
            .send()
            .await
            .expect("post");
        let body = res.text().await.unwrap_or_default();
        assert!(body.contains("文件超出读取上限"), "{user}: {}", &body[..body.len().min(400)]);
    }
    let grown = rss_mb().saturating_sub(before);
    assert!(grown < 150, "the server grew by {grown} MB");
    // #16: a class teacher takes the roll by hand; the file import is the school administrators'.
    let cookie = login(&base, "teacher").await;
    let (_, page) = get(&base, &cookie, "/attendance").await;
    assert!(!page.contains("action=\"/attendance/import\""), "no import form for a class teacher");
    let token = page.split("name=\"csrf-token\" content=\"").nth(1).and_then(|s| s.split('"').next()).expect("token");
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.to_string())
        .part("file", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("roll.csv"));
    let res = client().post(format!("{base}/attendance/import")).header("cookie", &cookie).multipart(form).send().await;
    assert_eq!(res.expect("post").status(), StatusCode::FORBIDDEN, "refused in the use case, not only hidden");
}

#[tokio::test]
async fn forms_need_the_csrf_token() {
    let (base, store) = start().await;
    // #16: every POST route of the router (read from its source) refuses a signed-in
    // administrator's form without the token — urlencoded forms through `Posted`, uploads through
    // `Upload` — and none succeeds or fails inside.
    let a = login(&base, "admin").await;
    let router = include_str!("../src/lib.rs");
    let posts: Vec<String> = router
        .lines()
        .filter(|l| l.contains(".route(\"") && l.contains("post("))
        .filter_map(|l| {
            l.split('"').nth(1).map(|p| p.replace("{id}", "1").replace("{paper}", "1").replace("{what}", "scores"))
        })
        // The pupils' answer pages take no session: the one-time code is their only key; a
        // survey's respondents answer through its link, the page's cookie copied in the form.
        .filter(|p| p != "/login" && !p.starts_with("/answer") && !p.starts_with("/s/"))
        .collect();
    assert!(posts.len() >= 20, "{posts:?}");
    for path in ["/answer", "/answer/submit"] {
        let res = client()
            .post(format!("{base}{path}"))
            .header("cookie", &a)
            .form(&[("note", "x")])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.text().await.unwrap_or_default().contains("答题码无效"), "{path}: nothing without a code");
    }
    for path in ["/s/NOSUCHLINK", "/s/NOSUCHLINK/refresh"] {
        let res = client().post(format!("{base}{path}")).header("cookie", &a).form(&[("note", "x")]).send().await;
        let body = res.expect("post").text().await.unwrap_or_default();
        assert!(body.contains("链接无效"), "{path}: nothing without a link");
    }
    for path in &posts {
        let form = [("note", "x")];
        let res = client().post(format!("{base}{path}")).header("cookie", &a).form(&form).send().await.expect("post");
        let code = res.status();
        assert!(code == StatusCode::FORBIDDEN || code == StatusCode::BAD_REQUEST, "{path}: {code}");
        if code == StatusCode::BAD_REQUEST {
            let body = res.text().await.unwrap_or_default();
            assert!(!body.contains("已保存") && !body.contains("成功"), "{path}: {body:.200}");
        }
    }
    // Login CSRF: a form on another site posting to /login is refused; the same origin logs in.
    let post_login = |origin: String| {
        client()
            .post(format!("{base}/login"))
            .header("origin", origin)
            .form(&[("username", "admin"), ("password", PW)])
            .send()
    };
    assert_eq!(post_login("http://evil.example".into()).await.expect("post").status(), StatusCode::FORBIDDEN);
    assert_eq!(post_login(base.clone()).await.expect("post").status(), StatusCode::SEE_OTHER);
    let a = login(&base, "admin").await;
    // #24.7 / #25.11: the framework's rejections in Chinese; /api/v1 answers errors as JSON.
    let (status, body) = get(&base, &a, "/exams/va").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!body.contains("Failed to deserialize") && body.contains("参数无效"), "{body:.300}");
    let (status, body) = get(&base, &a, "/api/v1/students/abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let v: Value = serde_json::from_str(&body).expect("json error");
    assert!(v["error"].as_str().is_some_and(|m| m.contains("参数无效")), "{body}");
    // #24 load: the student list pages by keyset; the next page continues where the first ended.
    let (_, first) = get(&base, &a, "/students?sort=name").await;
    assert!(first.contains("第 1–50 条，共 "), "{first:.300}");
    let next = first.split("id=\"next-page\" href=\"").nth(1).and_then(|x| x.split('"').next()).expect("next link");
    let (status, second) = get(&base, &a, &next.replace("&#38;", "&").replace("&amp;", "&")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(second.contains("第 51–100 条") && second.contains(">第一页<"), "{second:.300}");
    let ids = |h: &str| {
        h.split("href=\"/students/").skip(1).map(|x| x.split('"').next().unwrap_or("").to_string()).collect::<Vec<_>>()
    };
    assert!(ids(&first).iter().all(|i| !ids(&second).contains(i)), "no pupil on both pages");
    let (_, api) = get(&base, &a, "/api/v1/students?per_page=2").await;
    let v: Value = serde_json::from_str(&api).expect("json");
    let cursor = v["next"].as_str().expect("next cursor");
    let (status, _) = get(&base, &a, &format!("/api/v1/students?per_page=2&after={}", urlencoding(cursor))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = get(&base, &a, "/api/v1/students?after=%5B1%5D").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("翻页位置无效"), "{body}");
    let res = client().get(format!("{base}/api/v1/students")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let v: Value = res.json().await.expect("json");
    assert_eq!(v["error"], "请先登录");
    let form = [("username", "newuser"), ("display_name", "新用户"), ("password", "Strong@Pass1"), ("role", "leader")];
    let res = client().post(format!("{base}/users")).header("cookie", &a).form(&form).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (_, page) = get(&base, &a, "/users").await;
    let token = page
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("token")
        .to_string();
    let mut with = form.to_vec();
    with.push(("_csrf", token.as_str()));
    let res = client().post(format!("{base}/users")).header("cookie", &a).form(&with).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap_or_default().contains("已创建用户"));
    // #24.7: a name is at most 50 characters, any form field 2,000, a form 64 KB; nothing stored.
    let long_name = "张".repeat(51);
    let mut named = with.clone();
    named[0] = ("username", "longname");
    named[1] = ("display_name", long_name.as_str());
    let res = client().post(format!("{base}/users")).header("cookie", &a).form(&named).send().await.expect("post");
    assert!(res.text().await.unwrap_or_default().contains("不能超过50个字符"));
    assert!(store.system().user_by_name("longname").await.expect("read").is_none(), "nothing stored");
    let huge = "x".repeat(3_000);
    let mut padded = with.clone();
    padded.push(("note", huge.as_str()));
    let res = client().post(format!("{base}/users")).header("cookie", &a).form(&padded).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap_or_default().contains("每项不能超过2000个字符"));
    let body = "x".repeat(100 * 1024);
    let res = client()
        .post(format!("{base}/users"))
        .header("cookie", &a)
        .form(&[("_csrf", token.as_str()), ("a", &body[..1500]), ("b", &body)])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap_or_default().contains("超过64KB"));
}

#[tokio::test]
async fn balance_board_what_if_and_api() {
    let (base, store) = start().await;
    let a = login(&base, "admin").await;
    let (status, page) = get(&base, &a, "/balance?stage=primary").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("差异系数") && page.contains("每百名学生拥有高于规定学历教师数"), "board");
    let (status, json) = get(&base, &a, "/api/v1/balance?stage=primary").await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&json).expect("json");
    let schools = v["evaluation"]["schools"].as_array().expect("schools");
    assert!(!schools.is_empty());
    assert_eq!(v["evaluation"]["indicators"].as_array().map(Vec::len), Some(7));
    assert_eq!(v["basic"]["indicators"].as_array().map(Vec::len), Some(8), "基本均衡's eight");
    assert_eq!(v["basic"]["limit"].as_f64(), Some(0.65));
    let res = client().get(format!("{base}/balance/export.xlsx?stage=junior")).header("cookie", &a).send().await;
    let res = res.expect("export");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.expect("bytes").starts_with(b"PK"), "an xlsx workbook");
    // The county value is total over total, whatever the school values.
    let pupils: f64 = schools.iter().map(|s| s["students"].as_f64().unwrap()).sum();
    let rooms: f64 = schools
        .iter()
        .map(|s| s["values"]["multimedia_rooms_per100"].as_f64().unwrap() * s["students"].as_f64().unwrap() / 100.0)
        .sum();
    let county = v["evaluation"]["indicators"][6]["county_value"].as_f64().unwrap();
    assert!((county - rooms / pupils * 100.0).abs() < 1e-9);

    // What-if: 50 more multimedia rooms at the first school raise its value and the county's.
    let code = schools[0]["code"].as_str().unwrap().to_string();
    let before = schools[0]["values"]["multimedia_rooms_per100"].as_f64().unwrap();
    let token =
        page.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token").to_string();
    let form = [("_csrf", token.as_str()), ("stage", "primary"), ("school", code.as_str()), ("a6", "50")];
    let res =
        client().post(format!("{base}/balance/whatif")).header("cookie", &a).form(&form).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let fragment = res.text().await.unwrap_or_default();
    assert!(
        fragment.starts_with("<div id=\"balance-results\">") && fragment.contains("网络多媒体教室数+50（未保存）"),
        "{fragment}"
    );
    assert!(!fragment.contains("<html"), "a fragment for htmx");
    // Nothing was stored.
    let (_, json) = get(&base, &a, "/api/v1/balance?stage=primary").await;
    let v: Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["evaluation"]["schools"][0]["values"]["multimedia_rooms_per100"].as_f64().unwrap(), before);
    // Without the token: refused.
    let res = client()
        .post(format!("{base}/balance/whatif"))
        .header("cookie", &a)
        .form(&form[1..])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A class teacher has no access to teacher and condition data, so no board.
    let t = login(&base, "teacher").await;
    assert_eq!(get(&base, &t, "/balance").await.0, StatusCode::FORBIDDEN);
    // The principal sees the own school only, without county coefficients.
    let p = login(&base, "principal").await;
    let (status, page) = get(&base, &p, "/balance").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("仅对区县用户显示"));
    let own = store.system().user_by_name("principal").await.expect("user").expect("exists").school_id.expect("school");
    let (_, json) = get(&base, &p, "/api/v1/balance").await;
    let v: Value = serde_json::from_str(&json).expect("json");
    let codes: Vec<&str> =
        v["evaluation"]["schools"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
    let own_code = store
        .list_schools(&Actor::system(), None)
        .await
        .expect("schools")
        .into_iter()
        .find(|s| s.id == own)
        .unwrap()
        .code;
    assert!(codes.iter().all(|c| *c == own_code), "{codes:?}");
}

#[tokio::test]
async fn fitness_statistics_by_role() {
    let (base, store) = start().await;
    let a = login(&base, "admin").await;
    let (status, page) = get(&base, &a, "/fitness").await;
    assert_eq!(status, StatusCode::OK);
    // #25.4: 视力不良 (裸眼视力 < 5.0) and 筛查性近视 (视力 and SE) differ where the data differ, and
    // the district row shows the engine's figures.
    let terms = store.terms().await.expect("terms");
    let o = eduq_app::fitness::overview(&store, &Actor::system(), terms[0].1).await.expect("overview");
    let (poor, myopic) =
        (o.total.stats.poor_vision_rate().expect("screened"), o.total.stats.myopia_rate().expect("known"));
    assert!(poor > myopic + 1.0, "视力不良率 {poor} above 近视率 {myopic}");
    let total_row = page.split("<tr><th>").find(|r| r.starts_with(&o.total.label)).expect("total row");
    assert!(total_row.contains(&format!("{poor:.1}%")) && total_row.contains(&format!("{myopic:.1}%")), "{total_row}");
    assert!(
        page.contains("合格率") && page.contains("<th>学校</th>") && page.contains("导入测试数据"),
        "district view"
    );
    // Each 学区 and 集团 with the engine's pass rate, its core school beside it.
    let groups = page.split("id=\"fitness-groups\"").nth(1).and_then(|x| x.split("</table>").next()).expect("groups");
    assert!(!o.groups.is_empty());
    for g in &o.groups {
        let rate = g.stats.pass_rate().expect("scored");
        let row = groups.split("<tr><td>").find(|r| r.starts_with(&format!("{}<", g.label))).expect(&g.label);
        assert!(row.contains(&format!("{rate:.1}%")), "{row}");
    }
    let p = login(&base, "principal").await;
    let (status, page) = get(&base, &p, "/fitness").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<th>班级</th>"), "a school sees its classes");
    assert!(!page.contains("fitness-groups"), "groups are the bureau's view");
    // A class teacher reads but does not import.
    let t = login(&base, "teacher").await;
    let (status, page) = get(&base, &t, "/fitness").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("导入测试数据"));
    // Import needs the token.
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("a.csv"));
    let res = client()
        .post(format!("{base}/fitness/import"))
        .header("cookie", &a)
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn lottery_verifier_is_public_and_self_contained() {
    let (base, _) = start().await;
    let res = client().get(format!("{base}/lottery/verify")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK, "no login needed");
    let csp = res.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let body = res.text().await.unwrap_or_default();
    assert!(body.contains("eduq-lottery-v1") && !body.contains("src=\"http"), "nothing loaded from elsewhere");
}

#[tokio::test]
async fn roll_call_corrections_and_early_warning() {
    let (base, store) = start().await;
    let t = login(&base, "teacher").await;
    let teacher = store.system().user_by_name("teacher").await.expect("user").expect("exists");
    let actor = store.system().actor(&teacher).await.expect("actor");
    let class_id = match &actor.scope {
        eduq_core::access::Scope::Classes { class_ids, .. } => class_ids[0],
        other => panic!("a class teacher has classes, not {other:?}"),
    };
    // The latest teaching day (the roll is refused on weekends and holidays).
    let term = eduq_core::calendar::Term::containing(Utc::now().date_naive());
    let (from, to) = term.nominal_bounds();
    let calendar = store.teaching_calendar(None, from, to).await.expect("calendar");
    let today = Utc::now()
        .date_naive()
        .iter_days()
        .rev()
        .take(400)
        .find(|d| calendar.is_school_day(*d))
        .expect("a teaching day");
    let (status, page) = get(&base, &t, &format!("/attendance?class={class_id}&date={today}")).await;
    assert_eq!(status, StatusCode::OK);
    let token =
        page.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token").to_string();
    let ids: Vec<String> =
        page.split("name=\"s_").skip(1).filter_map(|s| s.split('"').next()).map(str::to_string).collect();
    assert!(ids.len() > 5, "pupils listed");
    let post = |form: Vec<(String, String)>| {
        let t = t.clone();
        let base = base.clone();
        async move {
            client().post(format!("{base}/attendance")).header("cookie", t).form(&form).send().await.expect("post")
        }
    };
    let mut form: Vec<(String, String)> = vec![
        ("_csrf".into(), token.clone()),
        ("class".into(), class_id.to_string()),
        ("day".into(), today.to_string()),
    ];
    for (i, id) in ids.iter().enumerate() {
        form.push((format!("s_{id}"), if i == 0 { "truant" } else { "present" }.into()));
    }
    let res = post(form.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap_or_default().contains("1人缺勤"));
    // Correct the same day: audited, old → new.
    form[3].1 = "sick".into();
    let res = post(form.clone()).await;
    assert!(res.text().await.unwrap_or_default().contains("更正1处"));
    let (audit, _) = store
        .search_audit(
            &Actor::system(),
            &eduq_app::audit::AuditQuery { action: Some("attendance_correct".into()), ..Default::default() },
        )
        .await
        .expect("audit");
    assert!(audit.iter().any(|e| e.detail == "旷课 → 病假"), "{audit:?}");
    // A future day is refused with a reason; another school's class is forbidden.
    let mut future = form.clone();
    future[2].1 = (today + chrono::Days::new(3)).to_string();
    let body = post(future).await.text().await.unwrap_or_default();
    assert!(body.contains("不能为未来的日期"), "future refused");
    // The page's date field changed without reloading: the save names another day than the list
    // it carries, and is refused; that other day keeps its own roll (#25.2).
    let before = store.roll(&actor, class_id, term_id_of(&store, today).await, today).await.expect("roll");
    let mut moved = form.clone();
    moved[3].1 = "sick".into();
    moved.push(("date".into(), (today - chrono::Days::new(1)).to_string()));
    let res = post(moved).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap_or_default().contains("不能保存为"), "refused with the reason");
    let after = store.roll(&actor, class_id, term_id_of(&store, today).await, today).await.expect("roll");
    assert_eq!(format!("{:?}", before.0), format!("{:?}", after.0), "nothing changed");
    // A form without the day it was loaded for (an old page) is refused too.
    let mut old = form.clone();
    old[2].0 = "date".into();
    assert_eq!(post(old).await.status(), StatusCode::BAD_REQUEST);
    // The page reloads when its date changes (a GET form of its own) and posts the day shown.
    assert!(page.contains("data-autosubmit") && page.contains(&format!("name=\"day\" value=\"{today}\"")));
    let other = store
        .list_classes(&Actor::system(), 2026, None, None)
        .await
        .expect("classes")
        .into_iter()
        .find(|c| c.id != class_id)
        .expect("another class");
    assert_eq!(get(&base, &t, &format!("/attendance?class={}", other.id)).await.0, StatusCode::FORBIDDEN);
    // The board and the warning list.
    let a = login(&base, "admin").await;
    let (status, board) = get(&base, &a, &format!("/attendance?date={today}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(board.contains("已点名") && board.contains("个已点名") && board.contains("roll-by-school"));
    // #25.9: the district's board is the summary by school; a school's classes open on request.
    assert!(board.contains("id=\"pick-school\"") && !board.contains("roll-link"), "no 800-row class table");
    let school = teacher.school_id.expect("the teacher's school");
    let (_, one) = get(&base, &a, &format!("/attendance?date={today}&school={school}")).await;
    let listed = one.matches("href=\"/attendance?class=").count();
    let in_school = store.list_classes(&Actor::system(), 2026, None, Some(school)).await.expect("classes").len();
    assert_eq!(listed, in_school, "that school's classes, and only those");
    // #25.9: the class list has a summary first, filters and pages.
    let tid = store.term_id(eduq_core::calendar::Term::containing(today)).await.expect("term").expect("exists");
    let all = store.list_classes(&Actor::system(), 2026, Some(tid), None).await.expect("classes");
    let over = all.iter().filter(|c| c.size_band != eduq_core::standards::class_size::SizeBand::Standard).count();
    let (_, page) = get(&base, &a, "/classes").await;
    assert!(page.contains(&format!("id=\"sum-classes\">{}<", all.len())) && page.contains("下一页"));
    let (_, page) = get(&base, &a, "/classes?band=over&sort=size").await;
    assert!(page.contains(&format!("id=\"sum-classes\">{over}<")), "only classes above the standard");
    let (status, risk) = get(&base, &a, "/attendance/risk").await;
    assert_eq!(status, StatusCode::OK);
    assert!(risk.contains("id=\"risk-summary\"") && risk.contains("风险等级"), "summary and filters first");
    let rules = eduq_app::alerts::alert_rules();
    let district_today = eduq_core::clock::DistrictZone::default().today(Utc::now());
    let term_now = eduq_core::calendar::Term::containing(district_today);
    let engine = eduq_app::alerts::risk_list(&store, &Actor::system(), term_now, district_today, &rules, Utc::now())
        .await
        .expect("risk list");
    assert!(
        risk.contains(&format!("id=\"risk-total\">{}<", engine.rows.len())),
        "the summary counts the engine's list"
    );
    let (status, high) = get(&base, &a, "/attendance/risk?level=%E4%BD%8E").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!high.contains("（高）") && !high.contains("（中）"), "the level filter holds");
    assert!(risk.contains("连续旷课"), "the demo's drifting pupils are listed");
    assert!(risk.contains("只针对义务教育阶段"), "the page says whom 控辍保学 concerns");
    // #25.3: warnings concern grades 1–9 only; 幼儿园 and 高中 classes take the roll without them.
    let classes = store.list_classes(&Actor::system(), 2026, None, None).await.expect("classes");
    let term = eduq_core::calendar::Term::containing(today);
    let rules = eduq_core::attendance::Rules { streak: 1, ..Default::default() };
    let list = eduq_app::alerts::risk_list(&store, &Actor::system(), term, today, &rules, Utc::now())
        .await
        .expect("risk list");
    assert!(!list.rows.is_empty());
    for r in &list.rows {
        let c = classes.iter().find(|c| c.id == r.class_id).expect("class");
        assert!(eduq_core::grade::Grade::is_compulsory_number(c.grade.number()), "{} flagged", c.name);
    }
}

async fn term_id_of(store: &Store, day: chrono::NaiveDate) -> i64 {
    store.term_id(eduq_core::calendar::Term::containing(day)).await.expect("term").expect("held")
}

/// #16: "today" is the district's date. At 07:30 and 08:30 in Beijing (23:30 and 00:30 UTC) a class
/// teacher takes the roll of the Beijing day; the UTC date would be yesterday at 07:30.
#[tokio::test]
async fn the_roll_call_uses_the_district_day_before_and_after_utc_midnight() {
    use chrono::TimeZone;
    // A Monday in term time: 2026-11-30 07:30 in Beijing is 2026-11-29 23:30 UTC.
    let early = Utc.with_ymd_and_hms(2026, 11, 29, 23, 30, 0).single().expect("time");
    let (base, store, clock) = start_with(Some(early)).await;
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    let teacher = store.system().user_by_name("teacher").await.expect("user").expect("exists");
    let actor = store.system().actor(&teacher).await.expect("actor");
    let class_id = match &actor.scope {
        eduq_core::access::Scope::Classes { class_ids, .. } => class_ids[0],
        other => panic!("a class teacher has classes, not {other:?}"),
    };
    for (at, label) in [(early, "07:30"), (Utc.with_ymd_and_hms(2026, 11, 30, 0, 30, 0).single().expect("t"), "08:30")]
    {
        clock.set(at);
        // A new login each time: the session's idle timeout runs on the same clock.
        let t = login(&base, "teacher").await;
        // Without a date the roll page opens on the Beijing day.
        let (status, page) = get(&base, &t, &format!("/attendance?class={class_id}")).await;
        assert_eq!(status, StatusCode::OK, "{label}");
        assert!(page.contains(&format!("name=\"day\" value=\"{monday}\"")), "{label}: the page is Monday's");
        let token =
            page.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token").to_string();
        let mut form: Vec<(String, String)> =
            vec![("_csrf".into(), token), ("class".into(), class_id.to_string()), ("day".into(), monday.to_string())];
        for id in page.split("name=\"s_").skip(1).filter_map(|s| s.split('"').next()) {
            form.push((format!("s_{id}"), "present".into()));
        }
        let res =
            client().post(format!("{base}/attendance")).header("cookie", &t).form(&form).send().await.expect("post");
        assert_eq!(res.status(), StatusCode::OK, "{label}");
        let body = res.text().await.unwrap_or_default();
        assert!(body.contains("已保存") && !body.contains("未来"), "{label}: Monday is today, not the future");
    }
}

/// #16: a case opened at 07:30 in Beijing on 12-01 (23:30 UTC on 11-30) starts on 12-01 and its
/// first 劝返 step is due on 12-08; the report month offered is November (the month before the
/// district's today), where the UTC date would give October.
#[tokio::test]
async fn case_deadlines_and_report_months_use_the_district_day() {
    use chrono::TimeZone;
    let early = Utc.with_ymd_and_hms(2026, 11, 30, 23, 30, 0).single().expect("time");
    let (base, store, clock) = start_with(Some(early)).await;
    let principal = store.system().user_by_name("principal").await.expect("user").expect("exists");
    let school = principal.school_id.expect("school");
    let term = store.term_id(eduq_core::calendar::Term { start_year: 2026, term_no: 1 }).await.expect("t").expect("t");
    let classes = store.list_classes(&Actor::system(), 2026, Some(term), Some(school)).await.expect("classes");
    let class = classes
        .iter()
        .find(|c| c.students > 0 && eduq_core::grade::Grade::is_compulsory_number(c.grade.number()))
        .expect("a class");
    let followed = store.system().followed_pupils(term).await.expect("followed");
    let (pupils, _) = store
        .roll(&Actor::system(), class.id, term, chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("d"))
        .await
        .expect("roll");
    let pupil = pupils.iter().find(|p| !followed.contains(&p.student_id)).expect("a pupil not followed");
    for (at, label) in [(early, "07:30"), (Utc.with_ymd_and_hms(2026, 12, 1, 0, 30, 0).single().expect("t"), "08:30")] {
        clock.set(at);
        let p = login(&base, "principal").await;
        let (status, page) = get(&base, &p, "/cases").await;
        assert_eq!(status, StatusCode::OK, "{label}");
        assert!(page.contains("name=\"month\" value=\"2026-11\""), "{label}: the report month is November");
        if label == "07:30" {
            let form = [
                ("_csrf", token(&page)),
                ("student", pupil.student_id.to_string()),
                ("register", "suspected".to_string()),
                ("reason", "连续旷课".to_string()),
            ];
            let res =
                client().post(format!("{base}/cases")).header("cookie", &p).form(&form).send().await.expect("post");
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{label}");
            let to = res.headers().get("location").and_then(|v| v.to_str().ok()).expect("location").to_string();
            let (_, case) = get(&base, &p, &to).await;
            assert!(case.contains("截止2026-12-08"), "{label}: the first step is due 7 days from 12-01");
        }
    }
}

#[tokio::test]
async fn accounts_are_bound_disabled_and_scoped() {
    let (base, store) = start().await;
    let a = login(&base, "admin").await;
    let (_, page) = get(&base, &a, "/users").await;
    let token =
        page.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token").to_string();
    let form = [
        ("_csrf", token.as_str()),
        ("username", "parent1"),
        ("display_name", "家长甲"),
        ("password", "Strong@Pass1"),
        ("role", "parent"),
        ("school", ""),
    ];
    let res = client().post(format!("{base}/users")).header("cookie", &a).form(&form).send().await.expect("post");
    assert!(res.text().await.unwrap_or_default().contains("已创建用户"));
    let parent = store.system().user_by_name("parent1").await.expect("user").expect("exists");
    let term = store.terms().await.expect("terms")[0].1;
    // A pupil with a 体质健康 result this school year.
    let tid = store.term_id(term).await.expect("t").expect("term");
    let roll = store.roll_by_number(&Actor::system(), tid).await.expect("roll");
    let mut child = None;
    for x in store.export_students(&Actor::system(), term).await.expect("students") {
        if let Some(e) = roll.get(&x.student_no)
            && store.system().fitness_of(e.student_id, term.start_year).await.expect("fitness").is_some()
        {
            child = Some(x);
            break;
        }
    }
    let child = child.expect("a pupil with a result");
    let bind = [("_csrf", token.as_str()), ("active", "1"), ("students", child.student_no.as_str())];
    let res = client()
        .post(format!("{base}/users/{}", parent.id))
        .header("cookie", &a)
        .form(&bind)
        .send()
        .await
        .expect("post");
    assert!(res.text().await.unwrap_or_default().contains("已保存"));
    // The parent sees exactly the own child.
    let p = client()
        .post(format!("{base}/login"))
        .form(&[("username", "parent1"), ("password", "Strong@Pass1")])
        .send()
        .await
        .expect("login");
    let cookie = p
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (status, json) = get(&base, &cookie, "/api/v1/students").await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&json).expect("json");
    let numbers: Vec<&str> =
        v["students"].as_array().expect("list").iter().map(|s| s["student_no"].as_str().unwrap_or("")).collect();
    // A parent, like every role that does not keep 学籍, reads the number masked (#24.4).
    let masked = eduq_core::identity::mask_student_number(&child.student_no);
    assert_eq!(numbers, [masked.as_str()], "{json}");
    // The child's page carries the 体质健康 report card; another pupil's page is not readable.
    let child_id = v["students"][0]["id"].as_i64().expect("id");
    let (status, page) = get(&base, &cookie, &format!("/students/{child_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"fitness-card\"") && page.contains("学年总分"), "report card");
    assert!(!page.contains("名次") && !page.contains("排名第"), "no rank on a pupil's card");
    let (status, _) = get(&base, &cookie, &format!("/students/{}", child_id + 1)).await;
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{status}");
    // An unknown 学籍号 is refused with the number named.
    let bad = [("_csrf", token.as_str()), ("active", "1"), ("students", "G000")];
    let res = client()
        .post(format!("{base}/users/{}", parent.id))
        .header("cookie", &a)
        .form(&bad)
        .send()
        .await
        .expect("post");
    assert!(res.text().await.unwrap_or_default().contains("学籍号不存在：G000"));
    // Disabling ends the session at once.
    let off = [("_csrf", token.as_str())];
    client().post(format!("{base}/users/{}", parent.id)).header("cookie", &a).form(&off).send().await.expect("post");
    let (status, _) = get(&base, &cookie, "/api/v1/students").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn indicators_aggregate_before_dividing() {
    let (base, _) = start().await;
    let a = login(&base, "admin").await;
    let (status, page) = get(&base, &a, "/indicators").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("小学生师比") && page.contains("学生体质健康合格率") && page.contains("班额达标率"));
    assert!(page.contains("id=\"quality\""), "data-quality findings are listed with the indicators");
    let (status, json) = get(&base, &a, "/api/v1/indicators").await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&json).expect("json");
    // The county 差异系数 are the 优质均衡 board's, stage by stage.
    let mut boards = std::collections::HashMap::new();
    for stage in ["primary", "junior"] {
        let (_, board) = get(&base, &a, &format!("/api/v1/balance?stage={stage}")).await;
        boards.insert(stage, serde_json::from_str::<Value>(&board).expect("board"));
    }
    let mut spreads = 0;
    for ind in v.as_array().expect("list") {
        let key = ind["indicator"]["key"].as_str().unwrap();
        let schools = ind["schools"].as_array().unwrap();
        if let Some(rest) = key.strip_prefix("cv_") {
            spreads += 1;
            let stage = if rest.contains("junior") { "junior" } else { "primary" };
            let want = if rest.starts_with("basic_composite") {
                boards[stage]["basic"]["composite"].as_f64()
            } else {
                let of = rest.trim_start_matches(stage).trim_start_matches('_');
                let list = boards[stage]["evaluation"]["indicators"].as_array().expect("seven");
                list.iter().find(|i| i["key"] == of).and_then(|i| i["cv"].as_f64())
            };
            assert!(want.is_some(), "{key}: the demo's coefficient exists");
            assert_eq!(ind["district"]["value"].as_f64(), want, "{key}");
            assert!(schools.is_empty(), "{key}: a spread has no school value");
            continue;
        }
        // The county's own facts: 巩固率 follows each pupil through the county (a move between
        // schools is no loss), 毛入园率 and 毛入学率 divide by a population only the county has.
        if ["consolidation_rate", "preschool_gross_enrolment", "senior_gross_enrolment"].contains(&key) {
            assert!(ind["district"]["value"].as_f64().is_some(), "{key}: the county value exists");
            continue;
        }
        if key == "junior_consolidation_rate" {
            // The county's cohort (tested on a longer history in the app's tests).
            continue;
        }
        let n: f64 = schools.iter().map(|s| s["value"]["numerator"].as_f64().unwrap()).sum();
        let d: f64 = schools.iter().map(|s| s["value"]["denominator"].as_f64().unwrap()).sum();
        assert!((ind["district"]["numerator"].as_f64().unwrap() - n).abs() < 1e-6, "{key}");
        assert!((ind["district"]["denominator"].as_f64().unwrap() - d).abs() < 1e-6, "{key}");
        if let (Some(value), true) =
            (ind["district"]["value"].as_f64(), d > 0.0 && ind["indicator"]["denominator"] != "One")
        {
            let factor = ind["indicator"]["factor"].as_f64().unwrap();
            assert!((value - n / d * factor).abs() < 1e-9, "{key}: total over total");
        }
    }
    assert_eq!(spreads, 16, "seven coefficients of each stage and the two 综合差异系数");
    let fitness = v.as_array().unwrap().iter().find(|i| i["indicator"]["key"] == "fitness_pass_rate").unwrap();
    assert!(fitness["district"]["value"].as_f64().is_some_and(|x| x > 50.0), "the demo's round counts");
    let (status, page) = get(&base, &a, "/indicators/ptr_primary").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("口径") && page.contains("id=\"schools\""));
    // A coefficient's schools are the board's.
    let res = client().get(format!("{base}/indicators/cv_junior_sports_area_per_student")).header("cookie", &a);
    let res = res.send().await.expect("get");
    let to = res.headers().get("location").and_then(|h| h.to_str().ok()).unwrap_or_default();
    assert!(to.starts_with("/balance?stage=junior"), "{to}");
    let (_, list) = get(&base, &a, "/indicators").await;
    assert!(list.contains("初中综合差异系数（基本均衡）"), "the coefficients are listed as indicators");
    let t = login(&base, "teacher").await;
    assert_eq!(get(&base, &t, "/indicators").await.0, StatusCode::FORBIDDEN);
}

/// The bureau fills in 学龄人口 with its source on the indicator page; a bad value is refused in
/// Chinese and changes nothing; a school's principal sees the figures but no form.
#[tokio::test]
async fn district_inputs_are_filled_in_on_the_indicator_page() {
    let (base, _store) = start().await;
    let a = login(&base, "admin").await;
    let (status, page) = get(&base, &a, "/indicators").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("学前三年毛入园率") && page.contains("区县填报的基数"), "inputs card");
    let post = |value: &'static str, source: &'static str| {
        let form =
            [("_csrf", token(&page)), ("key", "age_3_5".into()), ("value", value.into()), ("source", source.into())];
        let a = a.clone();
        let base = base.clone();
        async move {
            let res = client().post(format!("{base}/indicators/inputs")).header("cookie", &a).form(&form).send().await;
            res.expect("post").text().await.unwrap_or_default()
        }
    };
    let bad = post("很多", "统计局").await;
    assert!(bad.contains("应为正数"), "a clear error");
    let ok = post("1234", "县统计局2026年人口抽样调查").await;
    assert!(ok.contains("已保存") && ok.contains("value=\"1234\"") && ok.contains("县统计局2026年人口抽样调查"));
    let (_, audit) = get(&base, &a, "/audit").await;
    assert!(audit.contains("district_input"), "the change is audited");
    let p = login(&base, "principal").await;
    let (status, page) = get(&base, &p, "/indicators").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("1234") && !page.contains("action=\"/indicators/inputs\""), "read-only for a school");
}

/// District → school → class: an indicator measured per class links each school to its classes,
/// whose counts add up to the school's; a school-only indicator has no class level; a principal
/// cannot open another school's classes.
#[tokio::test]
async fn indicators_drill_down_to_classes() {
    let (base, _store) = start().await;
    let a = login(&base, "admin").await;
    let (status, page) = get(&base, &a, "/indicators/fitness_pass_rate").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"indicator-chart\"") && page.contains("markLine"), "bars against the target");
    // 学区 and 教育集团: each row is the engine's roll-up of its members.
    let admin = Actor::system();
    let term = Term { start_year: 2026, term_no: 1 };
    let v = eduq_app::indicators::one(&_store, &admin, term, "fitness_pass_rate").await.expect("one");
    let groups = eduq_app::indicators::groups(&_store, &admin, &v).await.expect("groups");
    assert!(!groups.is_empty(), "the demo's 学区 and 集团");
    let table = page.split("id=\"groups\"").nth(1).expect("the group table");
    for g in &groups {
        let x = g.value.value.expect("a value");
        assert!(
            table.contains(&format!(
                "<td>{}</td><td>{}</td><td class=\"num\">{}</td>",
                g.name,
                g.kind.label(),
                g.schools
            )) && table.contains(&format!("{x:.2}")),
            "{}: {x}",
            g.name
        );
    }
    let link = page.split("href=\"/indicators/fitness_pass_rate/schools/").nth(1).expect("a school link");
    let school: i64 = link.split('?').next().and_then(|x| x.parse().ok()).expect("school id");
    let (status, classes) = get(&base, &a, &format!("/indicators/fitness_pass_rate/schools/{school}")).await;
    assert_eq!(status, StatusCode::OK);
    let cell = |row: &str, k: usize| -> f64 {
        row.split("<td class=\"num\">")
            .nth(k)
            .and_then(|x| x.split('<').next())
            .and_then(|x| x.parse().ok())
            .unwrap_or(0.0)
    };
    let rows: Vec<&str> = classes.split("<tr><td>").skip(1).collect();
    assert!(rows.len() > 1, "classes listed");
    let passed: f64 = rows.iter().map(|r| cell(r, 1)).sum();
    let scored: f64 = rows.iter().map(|r| cell(r, 2)).sum();
    let head = classes.split("学校值：").nth(1).expect("school value");
    assert!(
        head.contains(&format!("（{passed} ÷ {scored}）")),
        "classes add up to the school: {passed}/{scored} in {}",
        &head[..80]
    );
    let (status, _) = get(&base, &a, &format!("/indicators/ptr_primary/schools/{school}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "生师比 has no class level");
    let (_, xlsx) = get(&base, &a, "/indicators/fitness_pass_rate/export.xlsx").await;
    assert!(!xlsx.is_empty());
    let p = login(&base, "principal").await;
    let (_, mine) = get(&base, &p, "/indicators/fitness_pass_rate").await;
    let own: i64 = mine
        .split("href=\"/indicators/fitness_pass_rate/schools/")
        .nth(1)
        .and_then(|x| x.split('?').next())
        .and_then(|x| x.parse().ok())
        .expect("own school");
    let other = if own == school { school + 1 } else { school };
    let (status, _) = get(&base, &p, &format!("/indicators/fitness_pass_rate/schools/{other}")).await;
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "another school: {status}");
}

#[tokio::test]
async fn plans_show_targets_and_round_trip_through_xlsx() {
    let (base, store) = start().await;
    let a = login(&base, "admin").await;
    let (status, page) = get(&base, &a, "/plans").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("三年行动计划") && page.contains("学生体质健康合格率") && page.contains("≥ 95%"),
        "the demo plan"
    );
    let before = store.plans().await.expect("plans");
    let res = client().get(format!("{base}/plans/export")).header("cookie", &a).send().await.expect("export");
    assert_eq!(res.status(), StatusCode::OK);
    let xlsx = res.bytes().await.expect("bytes").to_vec();
    let token =
        page.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token").to_string();
    let upload = |bytes: Vec<u8>, name: &'static str| {
        reqwest::multipart::Form::new()
            .text("_csrf", token.clone())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name))
    };
    let res = client()
        .post(format!("{base}/plans/import"))
        .header("cookie", &a)
        .multipart(upload(xlsx, "plans.xlsx"))
        .send()
        .await
        .expect("import");
    assert!(res.text().await.unwrap_or_default().contains("已导入1个计划"));
    assert_eq!(store.plans().await.expect("plans"), before, "export then import changes nothing");
    let bad = "计划名称,指标,目标值,截止学年\n新计划,不存在,1,2026\n".as_bytes().to_vec();
    let res = client()
        .post(format!("{base}/plans/import"))
        .header("cookie", &a)
        .multipart(upload(bad, "bad.csv"))
        .send()
        .await
        .expect("import");
    assert!(res.text().await.unwrap_or_default().contains("第2行「指标」的值“不存在”"));
    assert_eq!(store.plans().await.expect("plans"), before, "nothing applied");
}

/// The case pages through the server: the register and a case file for those who work cases,
/// evidence up- and download (both audited), refusals for the others, and the reports.
#[tokio::test]
async fn cases_pages_are_scoped_and_audited() {
    let (base, store) = start().await;
    let admin = Actor::system();
    let open = store
        .cases(
            &admin,
            &eduq_app::cases::CaseQuery { state: Some(eduq_core::dropout::CaseState::Open), ..Default::default() },
        )
        .await
        .expect("cases");
    let case = open.first().expect("the demo opens cases");
    let a = login(&base, "admin").await;
    let (status, board) = get(&base, &a, "/cases").await;
    assert_eq!(status, StatusCode::OK);
    assert!(board.contains("case-board") && !board.contains("case-list"), "#25.9: the 台账 is its own tab");
    let (status, list) = get(&base, &a, "/cases?tab=ledger&state=open").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("case-list") && list.contains(&format!("/cases/{}", case.id)));
    assert!(list.contains(&format!("共 {} 条", open.len())), "the ledger counts what the filter matches");
    let (status, page) = get(&base, &a, &format!("/cases/{}", case.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("劝返四步") && page.contains(&case.student_name));
    let token =
        page.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token").to_string();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .part("file", reqwest::multipart::Part::bytes(b"synthetic photo".to_vec()).file_name("家访照片.png"));
    let res = client()
        .post(format!("{base}/cases/{}/evidence", case.id))
        .header("cookie", &a)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let detail = store.case_detail(&admin, case.id, Utc::now()).await.expect("detail");
    let file = detail.evidence.iter().find(|e| e.filename == "家访照片.png").expect("stored");
    let res = client()
        .get(format!("{base}/cases/{}/evidence/{}", case.id, file.id))
        .header("cookie", &a)
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), b"synthetic photo");
    // An attempt by a party of a later step is refused with the reason, on the page.
    let res = client()
        .post(format!("{base}/cases/{}", case.id))
        .header("cookie", &a)
        .form(&[("_csrf", token.as_str()), ("action", "attempt"), ("party", "legal"), ("note", "起诉")])
        .send()
        .await
        .expect("post");
    let body = res.text().await.unwrap_or_default();
    assert!(body.contains("case-error") && body.contains("升级"), "refused with the reason");
    for action in ["case_read", "case_evidence_read", "case_evidence_add"] {
        let (_, n) = store
            .search_audit(
                &admin,
                &eduq_app::audit::AuditQuery { action: Some(action.into()), per_page: 10, ..Default::default() },
            )
            .await
            .expect("audit");
        assert!(n > 0, "{action} audited");
    }
    // A leader follows the figures (#25.10) but reads no case files; a class teacher none outside
    // the own classes.
    let l = login(&base, "leader").await;
    let (status, board) = get(&base, &l, "/cases").await;
    assert_eq!(status, StatusCode::OK);
    assert!(board.contains("case-board") && board.contains("只对经办人员开放"), "{board:.300}");
    let (_, ledger) = get(&base, &l, "/cases?tab=ledger&state=open").await;
    assert!(ledger.contains(&format!("共 {} 条", open.len())), "the same count as the bureau's staff");
    assert!(!ledger.contains(&case.student_name) && !ledger.contains(&format!("/cases/{}\"", case.id)), "no names");
    assert_eq!(get(&base, &l, &format!("/cases/{}", case.id)).await.0, StatusCode::FORBIDDEN);
    let t = login(&base, "teacher").await;
    let teacher = store.system().user_by_name("teacher").await.expect("user").expect("exists");
    let ta = store.system().actor(&teacher).await.expect("actor");
    let outside = open.iter().find(|c| match &ta.scope {
        eduq_core::access::Scope::Classes { class_ids, .. } => !c.class_id.is_some_and(|id| class_ids.contains(&id)),
        _ => true,
    });
    if let Some(c) = outside {
        assert_eq!(get(&base, &t, &format!("/cases/{}", c.id)).await.0, StatusCode::NOT_FOUND);
    }
    // Reports: the county's quarter for the bureau only.
    let res = client()
        .get(format!("{base}/cases/report/quarterly?year=2026&quarter=4"))
        .header("cookie", &a)
        .send()
        .await
        .expect("report");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.expect("bytes").starts_with(b"PK"));
    let p = login(&base, "principal").await;
    assert_eq!(get(&base, &p, "/cases/report/quarterly?year=2026&quarter=4").await.0, StatusCode::FORBIDDEN);
    let (status, cal) = get(&base, &p, "/attendance/calendar").await;
    assert_eq!(status, StatusCode::OK);
    assert!(cal.contains("国庆"), "the demo calendar is listed");
    let (status, page) = get(&base, &a, "/attendance/consolidation").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("全县（区）巩固率") && page.contains("school-rates"));
}

/// The demo's drawn lottery: the bureau's page with its whole trail and the private roster, the
/// public page and files without login and without names, nothing for a principal.
#[tokio::test]
async fn lottery_pages_public_and_private() {
    let (base, store) = start().await;
    let staff = login(&base, "staff").await;
    let (status, list) = get(&base, &staff, "/lotteries").await;
    assert_eq!(status, StatusCode::OK);
    let row = store.lotteries(&Actor::system()).await.expect("lotteries").into_iter().next().expect("the demo lottery");
    assert!(list.contains(&row.key));
    let (status, page) = get(&base, &staff, &format!("/lotteries/{}", row.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("trail-ok") && page.contains("lottery-roster"), "whole trail, roster for the bureau");
    let persons = store.lottery_persons(&Actor::system(), row.id, Utc::now()).await.expect("roster");
    let res = client().get(format!("{base}/lottery/{}", row.key)).send().await.expect("public");
    assert_eq!(res.status(), StatusCode::OK, "no login needed");
    let public = res.text().await.unwrap_or_default();
    assert!(public.contains(row.roster_digest.as_deref().expect("digest")));
    assert!(!public.contains(&persons[0].1), "no names on the public page");
    let res = client().get(format!("{base}/lottery/{}/files/result.csv", row.key)).send().await.expect("file");
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap_or_default();
    assert!(csv.starts_with("申请人编号,签号,录取学校") && !csv.contains(&persons[0].1), "pseudonymous");
    let p = login(&base, "principal").await;
    assert_eq!(get(&base, &p, "/lotteries").await.0, StatusCode::FORBIDDEN);
    assert_eq!(get(&base, &p, &format!("/lotteries/{}", row.id)).await.0, StatusCode::FORBIDDEN);
}

/// 均衡分班 of a new intake through the server: balanced classes seeded by the demo lottery's
/// published seed, 班主任 drawn to them, the file downloadable, a bad roster explained.
#[tokio::test]
async fn intake_is_split_into_balanced_classes() {
    let (base, store) = start().await;
    let p = login(&base, "principal").await;
    let (status, page) = get(&base, &p, "/classes/assign").await;
    assert_eq!(status, StatusCode::OK);
    let token =
        page.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token").to_string();
    let seed = store.public_seeds().await.expect("seeds").into_iter().next().expect("the demo lottery").2;
    assert!(page.contains(&seed), "the published seed is offered");
    let mut roster = String::from("学籍号,姓名,性别,总分,语文,数学\n");
    for i in 0..40 {
        let sex = if i % 2 == 0 { "男" } else { "女" };
        let total = 150 + (i * 37) % 50;
        roster.push_str(&format!("G{i:05},学生{i},{sex},{total},{},{}\n", total / 2, total - total / 2));
    }
    let form = |download: &str, body: String| {
        reqwest::multipart::Form::new()
            .text("_csrf", token.clone())
            .text("classes", "4")
            .text("max_size", "45")
            .text("lottery_seed", seed.clone())
            .text("seed", "")
            .text("head_teachers", "王老师\n李老师\n张老师\n刘老师\n陈老师")
            .text("download", download.to_string())
            .part("file", reqwest::multipart::Part::bytes(body.into_bytes()).file_name("intake.csv"))
    };
    let post = |f: reqwest::multipart::Form| {
        client().post(format!("{base}/classes/assign")).header("cookie", &p).multipart(f).send()
    };
    let body = post(form("0", roster.clone())).await.expect("post").text().await.unwrap_or_default();
    assert!(body.contains("intake-result") && body.contains("40名学生分为4个班"), "result shown");
    let result = body.split("id=\"intake-result\"").nth(1).expect("result");
    let drawn = ["王老师", "李老师", "张老师", "刘老师", "陈老师"].iter().filter(|t| result.contains(*t)).count();
    assert_eq!(drawn, 4, "four of five head teachers drawn to the classes");
    let res = post(form("1", roster.clone())).await.expect("download");
    let direct = res.bytes().await.expect("bytes");
    assert!(direct.starts_with(b"PK"), "xlsx");
    // #25.7: the form keeps its inputs after the preview, and the download is the previewed split.
    assert!(body.contains("value=\"4\"") && body.contains("王老师\n李老师"), "inputs kept");
    let link = body.split("href=\"/classes/assign/result/").nth(1).and_then(|x| x.split('"').next()).expect("link");
    let res =
        client().get(format!("{base}/classes/assign/result/{link}")).header("cookie", &p).send().await.expect("get");
    let previewed = res.bytes().await.expect("bytes");
    let classes_of = |bytes: &[u8]| {
        let t = eduq_exchange::read_table(bytes, "x.xlsx").expect("xlsx");
        let (no, class) = (t.column("学籍号").expect("学籍号"), t.column("班级").expect("班级"));
        let mut v: Vec<(String, String)> = t.rows.iter().map(|(_, r)| (r[no].clone(), r[class].clone())).collect();
        v.sort();
        v
    };
    assert_eq!(classes_of(&previewed), classes_of(&direct), "same split as previewed");
    assert!(classes_of(&previewed).iter().all(|(_, c)| !c.is_empty()), "every pupil has a class");
    let stranger = login(&base, "admin").await;
    let res = client().get(format!("{base}/classes/assign/result/{link}")).header("cookie", &stranger).send().await;
    assert_eq!(res.expect("get").status(), StatusCode::BAD_REQUEST, "only its owner downloads it");
    let bad = post(form("0", "学籍号,姓名\nG1,甲\n".into())).await.expect("bad").text().await.unwrap_or_default();
    assert!(bad.contains("intake-errors"), "a bad roster is explained");
    // The demo's own intake splits into 8 classes of at most 50 with a small gap.
    let (status, demo) = get(&base, &p, "/classes/assign/demo-intake.csv").await;
    assert_eq!(status, StatusCode::OK);
    let demo = demo.trim_start_matches('\u{feff}').to_string();
    let f = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .text("classes", "9")
        .text("max_size", "45")
        .text("seed", seed.clone())
        .part("file", reqwest::multipart::Part::bytes(demo.into_bytes()).file_name("demo-intake.csv"));
    let body = post(f).await.expect("demo").text().await.unwrap_or_default();
    assert!(body.contains("400名学生分为9个班"), "demo intake: {}", body.split("intake-errors").nth(1).unwrap_or(""));
    let gap: f64 = body
        .split("id=\"intake-gap\">")
        .nth(1)
        .and_then(|x| x.split('<').next())
        .and_then(|x| x.parse().ok())
        .expect("gap");
    assert!(gap <= 0.5, "gap of class means {gap}");
    let t = login(&base, "teacher").await;
    assert_eq!(get(&base, &t, "/classes/assign").await.0, StatusCode::FORBIDDEN);
}

/// The fitness page's trend and workbook, and a graduating pupil's 毕业成绩 on the report card.
#[tokio::test]
async fn fitness_trend_workbook_and_graduation() {
    let (base, store) = start().await;
    let a = login(&base, "admin").await;
    let (status, page) = get(&base, &a, "/fitness").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("fitness-trend") && page.contains("2026-2027学年"));
    let res = client().get(format!("{base}/fitness/workbook")).header("cookie", &a).send().await.expect("workbook");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.expect("bytes").starts_with(b"PK"));
    let res = client().get(format!("{base}/fitness/export")).header("cookie", &a).send().await.expect("export");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.expect("bytes").starts_with(b"PK"), "the national layout");
    // A pupil of grade 6 with a total: the card shows 毕业成绩.
    let tid = store.terms().await.expect("terms")[0].0;
    let eduq_app::directory::KeyPage { rows, .. } = store
        .list_students(
            &Actor::system(),
            &eduq_app::directory::StudentQuery { term_id: tid, grade: Some(6), per_page: 50, ..Default::default() },
        )
        .await
        .expect("grade 6");
    let mut shown = false;
    for r in rows {
        let (_, card) = get(&base, &a, &format!("/students/{}", r.id)).await;
        if card.contains("fitness-graduation") {
            shown = true;
            break;
        }
    }
    assert!(shown, "a grade-6 pupil's card shows 毕业成绩");
}

fn token(page: &str) -> String {
    page.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token").to_string()
}

/// 学业质量 pages: the demo's exam with its papers, a paper's report (tables, charts, 口径, the
/// miskeyed item flagged, no rank column) and workbook; grades 1–2 refused; a bad score file's rows
/// named on the page; a principal reads the own school's classes only.
#[tokio::test]
async fn exam_pages_reports_and_guards() {
    let (base, store) = start().await;
    let a = login(&base, "admin").await;
    let (status, page) = get(&base, &a, "/exams").await;
    assert_eq!(status, StatusCode::OK);
    let exams = store.exams(&Actor::system(), None).await.expect("exams");
    let mid = exams.iter().find(|e| e.name.contains("八年级期中")).expect("demo exam");
    assert!(page.contains(&mid.name), "listed");
    let math = mid.papers.iter().find(|p| p.subject == "数学").expect("math");
    let (status, page) = get(&base, &a, &format!("/exams/{}", mid.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("试卷结构") && page.contains("小题成绩"), "imports offered to the bureau");
    let path = format!("/exams/{}/papers/{}", mid.id, math.id);
    let (status, page) = get(&base, &a, &path).await;
    assert_eq!(status, StatusCode::OK);
    for needle in ["小题分析", "Cronbach", "疑似答案错误", "一分一段", "临界生", "口径说明", "data-chart", "按学校"]
    {
        assert!(page.contains(needle), "paper report shows {needle}");
    }
    assert!(!page.contains("名次</th>") && !page.contains("排名</th>"), "no rank column");
    // The page's 四率 are the core's (percent, once), and every rate on it is at most 100 %.
    let core = eduq_app::exams::paper_report(&store, &Actor::system(), mid.id, math.id, Default::default(), Utc::now())
        .await
        .expect("report");
    let d = core.district.as_ref().expect("district stats");
    let row = page.split("<tr><th>全区</th>").nth(1).and_then(|r| r.split("</tr>").next()).expect("district row");
    for rate in [d.excellent_rate, d.good_rate, d.pass_rate, d.low_rate] {
        assert!((0.0..=100.0).contains(&rate), "core rate {rate} in percent");
        assert!(row.contains(&format!(">{rate:.1}%<")), "district row shows {rate:.1}%: {row}");
    }
    // 学区 and 集团 lines with the engine's pooled mean, each followed by its core school's.
    let groups = page.split("id=\"paper-groups\"").nth(1).and_then(|x| x.split("</table>").next()).expect("groups");
    assert!(!core.school_groups.is_empty());
    for u in &core.school_groups {
        let row = groups.split("<tr><td>").find(|r| r.starts_with(&format!("{}<", u.label))).expect(&u.label);
        assert!(row.contains(&format!(">{:.1}<", u.stats.mean)), "{} mean {:.1}: {row}", u.label, u.stats.mean);
    }
    for cell in page.split("<td class=\"num\">").skip(1) {
        let rate = cell.split('<').next().and_then(|v| v.strip_suffix('%'));
        if let Some(Ok(v)) = rate.map(|v| v.trim_start_matches('+').parse::<f64>()) {
            assert!(v <= 100.0, "a rate above 100 %: {v}");
        }
    }
    // Value-added: the page's 学区 and 集团 lines are the engine's pupils pooled, with the core school's.
    // (This server holds one school year: the same pupils' 语文 stands in for an entry score.)
    let entry = (mid.id, mid.papers.iter().find(|p| p.subject == "语文").expect("语文").id);
    let method = eduq_core::valueadded::Method::Reml;
    let va = eduq_app::exams::va_report(&store, &Actor::system(), entry, (mid.id, math.id), method, Default::default())
        .await
        .expect("value added");
    let url = format!("/exams/va?entry={}:{}&exit={}:{}", entry.0, entry.1, mid.id, math.id);
    let (status, va_page) = get(&base, &a, &url).await;
    assert_eq!(status, StatusCode::OK);
    let groups = va_page.split("id=\"va-groups\"").nth(1).and_then(|x| x.split("</table>").next()).expect("va groups");
    assert!(!va.school_groups.is_empty());
    for g in &va.school_groups {
        let row = groups.split("<tr><td>").find(|r| r.starts_with(&format!("{}<", g.group.group))).expect("a row");
        let cells = format!("<td class=\"num\">{}</td><td class=\"num\">{:+.2}</td>", g.group.n, g.group.effect);
        assert!(row.contains(&cells), "{cells} in {row}");
        if let Some(c) = &g.core {
            assert!(row.contains(&format!("{:+.2}（{}人）", c.effect, c.n)), "core school in {row}");
        }
    }
    // #25.13: at district scope a 临界生 row names the school with the class.
    let near = page.split("id=\"paper-near\"").nth(1).and_then(|x| x.split("口径说明").next()).expect("临界生");
    let first = near.split("<tr><td>").nth(1).expect("a pupil near a line");
    let school = core.units.iter().any(|u| first.starts_with(&format!("{} ", u.label)));
    assert!(school, "the school is named: {first:.80}");
    // The 四率 lines are configurable; nonsense is refused.
    let (status, custom) = get(&base, &a, &format!("{path}?excellent=90&good=75&pass=60&low=30")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(custom.contains("优秀≥90%") && custom.contains("良好≥75%"), "custom lines used");
    let (status, _) = get(&base, &a, &format!("{path}?excellent=50&good=75")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let res = client().get(format!("{base}{path}/report.xlsx")).header("cookie", &a).send().await.expect("xlsx");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.expect("bytes").starts_with(b"PK"), "an xlsx");

    // Grades 1–2 refused, with the reason on the page.
    let (_, list) = get(&base, &a, "/exams").await;
    let t = token(&list);
    let form = [
        ("_csrf", t.as_str()),
        ("name", "二年级期末"),
        ("grade", "2"),
        ("kind", "final"),
        ("organiser", "school"),
        ("held_on", "2026-11-20"),
        ("subjects", "数学:100"),
    ];
    let res = client().post(format!("{base}/exams")).header("cookie", &a).form(&form).send().await.expect("post");
    let body = res.text().await.unwrap_or_default();
    assert!(body.contains("不进行纸笔考试"), "refused with the reason");

    // A bad score file: every bad row named, nothing applied.
    let before = store.paper_scores(&Actor::system(), math.id).await.expect("scores");
    let head = format!("学籍号,状态,{}\n", (1..=20).map(|j| j.to_string()).collect::<Vec<_>>().join(","));
    let file = format!("{head}NOPE,,{}\n", vec!["1"; 20].join(","));
    let (_, exam_page) = get(&base, &a, &format!("/exams/{}", mid.id)).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token(&exam_page))
        .part("file", reqwest::multipart::Part::bytes(file.into_bytes()).file_name("bad.csv"));
    let res = client()
        .post(format!("{base}/exams/{}/papers/{}/scores", mid.id, math.id))
        .header("cookie", &a)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let body = res.text().await.unwrap_or_default();
    assert!(body.contains("第2行") && body.contains("NOPE"), "the row is named");
    assert_eq!(store.paper_scores(&Actor::system(), math.id).await.expect("scores"), before);

    // A junior school's principal: the own school's classes; no structure import for a district
    // exam; the school's pupils with T-scores and subject balance, nobody else's, no rank.
    let junior = before[0].school_id;
    let input = eduq_app::accounts::NewUserInput {
        username: "principal8".into(),
        display_name: "初中校长".into(),
        password: PW.into(),
        role: Role::SchoolAdmin,
        school_id: Some(junior),
        class_ids: vec![],
        student_ids: vec![],
        school_ids: vec![],
    };
    eduq_app::accounts::create_user(&store, &Actor::system(), input, Utc::now()).await.expect("user");
    let j = login(&base, "principal8").await;
    let (status, page) = get(&base, &j, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("按班级"), "classes of the school");
    for other in before.iter().filter(|f| f.school_id != junior).take(20) {
        assert!(!page.contains(&other.student_no), "no pupil of another school");
    }
    let (_, page) = get(&base, &j, &format!("/exams/{}", mid.id)).await;
    assert!(!page.contains("试卷结构：") && page.contains("小题成绩"), "a school imports scores, not the structure");
    let (status, page) = get(&base, &j, &format!("/exams/{}/pupils", mid.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("偏科度") && page.contains("（T "), "T-scores shown");
    let mine = before.iter().filter(|f| f.school_id == junior).count();
    assert!(page.contains(&format!("id=\"sum-pupils\">{mine}<")), "every pupil of the school counted");
    assert_eq!(page.matches("<tr><td>").count(), mine.min(100), "one line per pupil, 100 a page");
    for other in before.iter().filter(|f| f.school_id != junior).take(20) {
        assert!(!page.contains(&other.student_no), "no pupil of another school");
    }
    // #25.10: the demo's principal heads a primary school: the district's 八年级 exam is not offered.
    let principal = store.system().user_by_name("principal").await.expect("user").expect("exists");
    let own = principal.school_id.expect("school");
    let schools = store.list_schools(&Actor::system(), None).await.expect("schools");
    let kind = schools.iter().find(|x| x.id == own).expect("school").school_type;
    assert_eq!(kind, eduq_core::org::SchoolType::Primary);
    let p1 = login(&base, "principal").await;
    let (status, list) = get(&base, &p1, "/exams").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!list.contains(&format!("/exams/{}\"", mid.id)), "no 八年级 exam for a primary school");
    assert_ne!(get(&base, &p1, &format!("/exams/{}", mid.id)).await.0, StatusCode::OK);
    // 局领导 reads the pupils with masked 学籍号 (#24.4).
    let (status, page) = get(&base, &login(&base, "leader").await, &format!("/exams/{}/pupils", mid.id)).await;
    assert_eq!(status, StatusCode::OK);
    let first = &before[0].student_no;
    assert!(!page.contains(first.as_str()), "no full 学籍号 for 局领导");
    assert!(page.contains(&eduq_core::identity::mask_student_number(first)), "masked instead");
}

/// 政府保障程度: all 15 items on one page, the demo's figures with their sources, a figure entered
/// by the bureau changing its item at once, and read-only for a school.
#[tokio::test]
async fn government_guarantee_page() {
    let (base, _store) = start().await;
    let a = login(&base, "admin").await;
    let (status, page) = get(&base, &a, "/balance/guarantee").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches("rowspan=").count() / 3, 15, "15 items");
    assert!(page.contains("镇区就近划片入学比例") && page.contains("97.3%"), "the demo's figure");
    assert!(page.contains("督导自评报告"), "with its source");
    assert!(page.contains("action=\"/balance/guarantee\""), "the bureau can enter figures");
    let res = client().get(format!("{base}/balance/guarantee.xlsx")).header("cookie", &a).send().await.expect("xlsx");
    assert_eq!(res.status(), StatusCode::OK);
    let t = eduq_exchange::table::read_table(&res.bytes().await.expect("bytes"), "g.xlsx").expect("a workbook");
    let all: Vec<&str> =
        t.headers.iter().chain(t.rows.iter().flat_map(|(_, r)| r.iter())).map(String::as_str).collect();
    assert!(all.iter().any(|c| c.contains("政府保障程度")), "titled");
    assert_eq!(all.iter().filter(|c| **c == "镇区就近划片入学比例").count(), 1, "one row per check");
    assert!(all.contains(&"97.3%") && all.iter().any(|c| c.contains("督导自评报告")), "value and source");
    let post = |value: &'static str| {
        let form = [
            ("_csrf", token(&page)),
            ("key", "guarantee.nearby_town".into()),
            ("value", value.into()),
            ("source", "县教育局招生工作总结".into()),
        ];
        let (a, base) = (a.clone(), base.clone());
        async move {
            let res = client().post(format!("{base}/balance/guarantee")).header("cookie", &a).form(&form).send().await;
            res.expect("post").text().await.unwrap_or_default()
        }
    };
    assert!(post("很高").await.contains("应为不小于0的数"), "a clear error");
    let ok = post("93").await;
    assert!(ok.contains("已保存") && ok.contains("县教育局招生工作总结"));
    let row = ok.split("城区和镇区公办小学").nth(1).expect("item 13");
    assert!(row.split("</td>").nth(1).is_some_and(|c| c.contains("未达到")), "item 13 now falls short");
    let (_, report) = get(&base, &a, "/report").await;
    assert!(report.contains("政府保障程度") && report.contains("镇区就近划片入学比例：93%"), "in the A4 report");
    let p = login(&base, "principal").await;
    let (status, page) = get(&base, &p, "/balance/guarantee").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("action=\"/balance/guarantee\""), "read-only for a school");
}

/// 教育质量 (第八条): the nine items on the same kind of page, the demo's figures, the 360-hour figure
/// shared with 政府保障程度, a 校际差异率 of exactly 0.15 falling short (“低于0.15”), and the export.
#[tokio::test]
async fn education_quality_page() {
    let (base, _store) = start().await;
    let a = login(&base, "admin").await;
    let (status, page) = get(&base, &a, "/balance/quality").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches("rowspan=").count() / 3, 9, "9 items");
    assert!(page.contains("残疾儿童少年入学率") && page.contains("96.2%"), "the demo's figure");
    assert!(page.contains("5年360学时培训完成率"), "the figure shared with 第七条 item 9");
    assert!(page.contains("action=\"/balance/quality\""), "the bureau can enter figures");
    let post = |key: &'static str, value: &'static str| {
        let form = [
            ("_csrf", token(&page)),
            ("key", key.into()),
            ("value", value.into()),
            ("source", "国家义务教育质量监测报告".into()),
        ];
        let (a, base) = (a.clone(), base.clone());
        async move {
            let res = client().post(format!("{base}/balance/quality")).header("cookie", &a).form(&form).send().await;
            res.expect("post").text().await.unwrap_or_default()
        }
    };
    assert!(post("quality.monitoring_level", "是").await.contains("已保存"));
    let item9 = |page: &str| {
        let row = page.split("在国家义务教育质量监测中").nth(1).expect("item 9").to_string();
        row.split("</td>").nth(1).unwrap_or_default().to_string()
    };
    let at_limit = post("quality.monitoring_gap", "0.15").await;
    assert!(at_limit.contains("已保存") && item9(&at_limit).contains("未达到"), "0.15 is not below 0.15");
    let below = post("quality.monitoring_gap", "0.12").await;
    assert!(item9(&below).contains("达到") && !item9(&below).contains("未达到"), "0.12 is");
    let res = client().get(format!("{base}/balance/quality.xlsx")).header("cookie", &a).send().await.expect("xlsx");
    assert_eq!(res.status(), StatusCode::OK);
    let t = eduq_exchange::table::read_table(&res.bytes().await.expect("bytes"), "q.xlsx").expect("a workbook");
    let all: Vec<&str> =
        t.headers.iter().chain(t.rows.iter().flat_map(|(_, r)| r.iter())).map(String::as_str).collect();
    assert!(all.iter().any(|c| c.contains("教育质量") && c.contains("9项中")), "titled");
    assert!(all.contains(&"0.12") && all.contains(&"96.2%"), "values as on the page");
    let (_, balance) = get(&base, &a, "/balance").await;
    assert!(balance.contains("href=\"/balance/quality"), "linked from /balance");
    let (_, report) = get(&base, &a, "/report").await;
    let section = report.split("id=\"report-education\"").nth(1).expect("in the A4 report");
    assert!(section.contains("国家质量监测校际差异率：0.12") && section.contains("残疾儿童少年入学率"), "same figures");
    let p = login(&base, "principal").await;
    let (status, page) = get(&base, &p, "/balance/quality").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("action=\"/balance/quality\""), "read-only for a school");
}

fn urlencoding(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// #16: every page of the router (read from its source) answers every role with a page, a refusal
/// or a Chinese request error — never a server error, never the framework's English.
#[tokio::test]
async fn every_page_answers_every_role() {
    let (base, _) = start().await;
    let router = include_str!("../src/lib.rs");
    let mut pages: Vec<String> = router
        .lines()
        .filter(|l| l.contains(".route(\"") && l.contains("get("))
        .filter_map(|l| l.split('"').nth(1).map(str::to_string))
        .filter(|p| !p.contains('{') && p != "/login")
        .collect();
    pages.extend(["/api/v1/summary", "/api/v1/schools", "/api/v1/students"].map(String::from));
    assert!(pages.len() >= 35, "{pages:?}");
    for user in ["admin", "staff", "leader", "principal", "teacher", "inspector", "psych", "psych_staff"] {
        let c = login(&base, user).await;
        for path in &pages {
            let res = client().get(format!("{base}{path}")).header("cookie", &c).send().await.expect("get");
            let code = res.status();
            let body = res.text().await.unwrap_or_default();
            assert!(
                [StatusCode::OK, StatusCode::FORBIDDEN, StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND].contains(&code),
                "{user} {path}: {code} {body:.200}"
            );
            assert!(!body.contains("Failed to") && !body.contains("panicked"), "{user} {path}: {body:.200}");
        }
    }
}

async fn post_form(base: &str, cookie: &str, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let res = client().post(format!("{base}{path}")).header("cookie", cookie).form(form).send().await.expect("post");
    let status = res.status();
    let to = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, to, res.text().await.unwrap_or_default())
}

/// 督导 through the pages: the inspector raises a problem in the 责任区 (not outside it), the
/// school uploads evidence and answers, 复查 passes, the 督导室 confirms the 销号; the board's
/// figures are the engine's; the 整改通知书 prints its number and deadline; roles without 督导
/// see nothing.
#[tokio::test]
async fn supervision_pages_walk_the_rectification_loop() {
    let (base, store) = start().await;
    let inspector = store.system().user_by_name("inspector").await.expect("user").expect("exists");
    let ia = store.system().actor(&inspector).await.expect("actor");
    let principal = store.system().user_by_name("principal").await.expect("user").expect("exists");
    let own = principal.school_id.expect("school");
    let i = login(&base, "inspector").await;
    let (status, home) = get(&base, &i, "/").await;
    assert_eq!(status, StatusCode::OK, "{home:.300}");
    assert!(home.contains("href=\"/supervision\"") && !home.contains("href=\"/students\""), "inspector's menu");
    let (status, form) = get(&base, &i, "/supervision?tab=new").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = token(&form);
    let own_s = own.to_string();
    let raise = |school: String| {
        vec![
            ("_csrf", csrf.clone()),
            ("kind", "supervision".to_string()),
            ("school", school),
            ("domain", "安全管理".to_string()),
            ("description", "消防通道堆放杂物".to_string()),
            ("severity", "severe".to_string()),
            ("responsible", "王副校长".to_string()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let all = store.list_schools(&Actor::system(), None).await.expect("schools");
    let eduq_core::access::Scope::Schools(area) = &ia.scope else { panic!("scope") };
    let outside = all.iter().find(|s| !area.contains(&s.id)).expect("outside").id.to_string();
    let refs = as_refs(&raise(outside));
    let pairs: Vec<(&str, &str)> = refs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = post_form(&base, &i, "/supervision/problems", &pairs).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("problem-error") && body.contains("负责的学校"), "{body:.300}");
    let refs = as_refs(&raise(own_s.clone()));
    let pairs: Vec<(&str, &str)> = refs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, to, _) = post_form(&base, &i, "/supervision/problems", &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id: i64 = to.rsplit('/').next().and_then(|x| x.parse().ok()).expect("id");
    let page = format!("/supervision/problems/{id}");
    let row = store.problem_detail(&Actor::system(), id, Utc::now()).await.expect("detail").row;
    let (status, notice) = get(&base, &i, &format!("{page}/notice")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(notice.contains(&row.notice_no) && notice.contains(&format!("{}前", row.problem.deadline)));

    // The school answers: evidence, then the 整改报告.
    let p = login(&base, "principal").await;
    let (status, body) = get(&base, &p, &page).await;
    assert_eq!(status, StatusCode::OK);
    let pt = token(&body);
    let (_, _, refused) =
        post_form(&base, &p, &page, &[("_csrf", &pt), ("action", "submit"), ("note", "已清理")]).await;
    assert!(refused.contains("problem-error") && refused.contains("佐证"), "{refused:.300}");
    let upload = reqwest::multipart::Form::new()
        .text("_csrf", pt.clone())
        .part("file", reqwest::multipart::Part::bytes(b"synthetic photo".to_vec()).file_name("通道.jpg"));
    let res = client()
        .post(format!("{base}{page}/evidence"))
        .header("cookie", &p)
        .multipart(upload)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, _, _) =
        post_form(&base, &p, &page, &[("_csrf", &pt), ("action", "submit"), ("note", "已清理并建立巡查制度")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The school cannot pass its own answer; the inspector does.
    let (_, _, own_review) = post_form(&base, &p, &page, &[("_csrf", &pt), ("action", "review_pass")]).await;
    assert!(own_review.contains("复查由督学"), "{own_review:.300}");
    let (status, _, _) = post_form(&base, &i, &page, &[("_csrf", &csrf), ("action", "review_pass")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let s = login(&base, "staff").await;
    let (_, body) = get(&base, &s, &page).await;
    assert!(body.contains("confirm-close"), "the 督导室 sees the confirmation");
    let st = token(&body);
    let (status, _, _) = post_form(&base, &s, &page, &[("_csrf", &st), ("action", "confirm_close")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, body) = get(&base, &s, &page).await;
    assert!(body.contains("已销号") && body.contains("通道.jpg"));

    // The board shows the engine's figures.
    let staff = store.system().user_by_name("staff").await.expect("user").expect("exists");
    let sa = store.system().actor(&staff).await.expect("actor");
    let today = eduq_core::clock::DistrictZone::default().today(Utc::now());
    let b = eduq_app::problems::board(&store, &sa, None, today).await.expect("board");
    let (status, board) = get(&base, &s, "/supervision").await;
    assert_eq!(status, StatusCode::OK);
    assert!(board.contains(&format!("<b>{}</b><span>问题总数", b.all.total)), "{board:.600}");
    let rate = b.all.rectify_rate().expect("rate");
    assert!(board.contains(&format!("{rate:.1}%</b><span>整改率")));
    let (_, list) = get(&base, &s, "/supervision?tab=register").await;
    assert!(list.contains(&row.notice_no) && list.contains(&format!("共 {} 条", b.all.total)));

    // A problem linked to an indicator shows on the indicator's page and the plan dashboard; the
    // school's page keeps its 督导档案.
    let mut linked = as_refs(&raise(own_s.clone()));
    linked.push(("indicator", "class_size_ok_rate".to_string()));
    for (k, v) in linked.iter_mut() {
        if *k == "description" {
            *v = "三年级两个班超过45人".into();
        }
    }
    // The same notice twice the same day is refused.
    let again = as_refs(&raise(own_s.clone()));
    let pairs: Vec<(&str, &str)> = again.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = post_form(&base, &i, "/supervision/problems", &pairs).await;
    assert!(status == StatusCode::OK && body.contains("内容相同"), "{status} {body:.300}");
    let pairs: Vec<(&str, &str)> = linked.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, to, _) = post_form(&base, &i, "/supervision/problems", &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let lid: i64 = to.rsplit('/').next().and_then(|x| x.parse().ok()).expect("id");
    let notice = store.problem_detail(&Actor::system(), lid, Utc::now()).await.expect("detail").row.notice_no;
    let (_, ind) = get(&base, &s, "/indicators/class_size_ok_rate").await;
    assert!(ind.contains("linked-problems") && ind.contains(&notice), "the indicator page lists it");
    let (_, plans) = get(&base, &s, "/plans").await;
    assert!(plans.contains("整改中的督导问题") && plans.contains("indicator=class_size_ok_rate"), "the dashboard");
    let (_, list) = get(&base, &s, "/supervision?tab=register&indicator=class_size_ok_rate").await;
    assert!(list.contains(&notice) && !list.contains(&row.notice_no), "filtered by indicator");
    let (_, school) = get(&base, &s, &format!("/schools/{own}")).await;
    assert!(school.contains("school-file") && school.contains("挂牌督导") && school.contains(&notice));

    // The 挂牌督导月报 page and an inspection's report show the engine's figures.
    let ia2 = store.system().actor(&inspector).await.expect("actor");
    let month = format!("{}-{:02}", chrono::Datelike::year(&today), chrono::Datelike::month(&today));
    let r = eduq_app::inspections::month_report(
        &store,
        &ia2,
        "",
        chrono::Datelike::year(&today),
        chrono::Datelike::month(&today),
    )
    .await
    .expect("month");
    let (status, mp) = get(&base, &i, &format!("/supervision/monthly?month={month}")).await;
    assert_eq!(status, StatusCode::OK);
    for x in &r.lines {
        let cells = format!(
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            x.raised, x.closed, x.open_at_end, x.overdue_at_end
        );
        assert!(
            mp.contains(&format!("<td>{}</td><td class=\"num\">{}</td>", x.school_name, x.visits))
                && mp.contains(&cells)
        );
    }
    let closed = store
        .inspections(&sa, &eduq_app::inspections::InspectionQuery { school_id: Some(own), ..Default::default() })
        .await
        .expect("inspections")
        .into_iter()
        .find(|x| x.outcome.is_some())
        .expect("a closed inspection of the demo");
    let v = eduq_app::inspections::view(&store, &sa, closed.id).await.expect("view");
    let (_, report) = get(&base, &s, &format!("/supervision/inspections/{}/report", closed.id)).await;
    let pct = v.outcome.percent.expect("percent");
    assert!((0.0..=100.0).contains(&pct));
    assert!(
        report.contains(&format!("得分 {:.1} / {:.1}（{pct:.1}%）", v.outcome.score, v.outcome.max)),
        "{report:.600}"
    );
    for rate in [b.all.rectify_rate(), b.all.on_time_rate()].into_iter().flatten() {
        assert!((0.0..=100.0).contains(&rate), "a rate within 0–100 %: {rate}");
    }

    // The principal follows the school's monthly 安全隐患排查 on the board (the demo ran this month's).
    let (_, pb) = get(&base, &p, "/supervision").await;
    assert!(pb.contains("monthly-checks") && pb.contains("已完成 1/1"), "{pb:.400}");

    // Roles without 督导 see nothing; another school's principal not this problem.
    let t = login(&base, "teacher").await;
    assert_eq!(get(&base, &t, "/supervision").await.0, StatusCode::FORBIDDEN);
    assert_eq!(get(&base, &t, &page).await.0, StatusCode::FORBIDDEN);
    let l = login(&base, "leader").await;
    let (status, lb) = get(&base, &l, "/supervision").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!lb.contains("tab=new"), "the leader reads, does not raise");
}

/// 教师培训学时 through the pages (#18): the principal imports a platform's export for the school's
/// teachers; the page's rate is the engine's; a bad row is named; a class teacher is refused.
#[tokio::test]
async fn training_hours_page() {
    let (base, store) = start().await;
    let p = login(&base, "principal").await;
    let principal = store.system().user_by_name("principal").await.expect("user").expect("exists");
    let pa = store.system().actor(&principal).await.expect("actor");
    let today = eduq_core::clock::DistrictZone::default().today(Utc::now());
    let term = store.term_id(Term::containing(today)).await.expect("term").expect("held");
    let staff = store.staff(&pa, term).await.expect("staff");
    let t = &staff[0];
    let (status, page) = get(&base, &p, "/teachers/training").await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    let csrf = token(&page);
    let upload = |csv: String| {
        reqwest::multipart::Form::new()
            .text("_csrf", csrf.clone())
            .part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("platform.csv"))
    };
    let head = "工号,姓名,课程名称,培训级别,培训形式,师德,学时,完成日期,培训机构\n";
    let good = format!("{head}{},{},国培项目,国培,集中,是,360,{today},\n", t.staff_no, t.name);
    let res = client()
        .post(format!("{base}/teachers/training/import"))
        .header("cookie", &p)
        .multipart(upload(good))
        .send()
        .await
        .expect("post");
    let body = res.text().await.unwrap_or_default();
    assert!(body.contains("已导入1条培训记录"), "{body:.400}");
    let g = eduq_app::training::ledger(&store, &pa, today).await.expect("ledger");
    let rate = g.rate.expect("rate");
    assert!(rate > 0.0 && body.contains(&format!("{rate:.1}%")), "the page shows the engine's rate {rate}");
    for x in &g.schools {
        let r = x.rate.expect("a school's rate");
        assert!((0.0..=100.0).contains(&r) && body.contains(&format!("<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{r:.1}%</td>", x.teachers, x.complete, x.behind)));
    }
    let bad = format!("{head}{},别人,课程,国培,集中,否,10,{today},\n", t.staff_no);
    let res = client()
        .post(format!("{base}/teachers/training/import"))
        .header("cookie", &p)
        .multipart(upload(bad))
        .send()
        .await
        .expect("post");
    let body = res.text().await.unwrap_or_default();
    assert!(body.contains("import-errors") && body.contains("第2行") && body.contains("姓名"), "{body:.400}");
    let teacher = login(&base, "teacher").await;
    assert_eq!(get(&base, &teacher, "/teachers/training").await.0, StatusCode::FORBIDDEN);
}

/// A teacher's own hours page (#18) shows the engine's figures and the teacher's entries; the
/// bureau's ledger shows the last cycle's rate, which 政府保障程度 item 9 prints; those who keep no
/// hours of their own are refused.
#[tokio::test]
async fn own_training_hours_page() {
    let (base, store) = start().await;
    let today = eduq_core::clock::DistrictZone::default().today(Utc::now());
    let teacher = login(&base, "teacher").await;
    let ta =
        store.system().actor(&store.system().user_by_name("teacher").await.expect("u").expect("e")).await.expect("a");
    let own = eduq_app::training::own_hours(&store, &ta, today).await.expect("own").expect("linked");
    let (status, page) = get(&base, &teacher, "/teachers/training/mine").await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    assert!(page.contains(&format!("id=\"own-counted\">{:.1}</b>", own.progress.counted)), "the engine's hours");
    assert!(page.contains("待学校审核") && page.contains("区级学科教研活动"), "the demo entry is listed");
    let tier = format!("发展层级：<span id=\"own-tier\">{}</span>", own.tier(today).label());
    assert!(page.contains(&tier), "the own tier (a title held lifts it)");
    assert!(page.contains(&format!("教师资格定期注册：{}", own.registration.label())), "the own registration");
    if own.progress.behind {
        assert!(page.contains("behind-reminder"), "a teacher behind the pro-rata hours is reminded");
    }
    // Reminded on the home page too; the school sees the entry waiting for it.
    let (_, home) = get(&base, &teacher, "/").await;
    assert_eq!(home.contains("hours-reminder"), own.progress.behind, "a reminder exactly when behind");
    let (_, school_home) = get(&base, &login(&base, "principal").await, "/").await;
    assert!(school_home.contains("待您审核的学时申报：1条"), "the school's queue on its home page");
    // Only the own claims: the principal's entry is not on the teacher's page.
    assert!(!page.contains("区级学科教研活动（第2期）"), "another teacher's entry stays hidden");
    let staff = login(&base, "staff").await;
    let sa =
        store.system().actor(&store.system().user_by_name("staff").await.expect("u").expect("e")).await.expect("a");
    let (_, ledger) = get(&base, &staff, "/teachers/training").await;
    let term = Term::containing(today);
    let prev = eduq_app::training::completed_cycle_rate(&store, &sa, term).await.expect("rate").expect("kept");
    assert!(ledger.contains(&format!("id=\"previous-rate\">{:.1}%</b>", prev.rate)), "the last cycle's rate");
    assert!(ledger.contains("待审核的学时申报：1条"), "the principal's entry waits at the bureau");
    assert!(ledger.contains("training-courses") && ledger.contains("国培计划·骨干教师能力提升"), "the catalogue");
    let g = eduq_app::training::ledger(&store, &sa, today).await.expect("ledger");
    for x in &g.subjects {
        let r = x.rate.map_or("—".to_string(), |r| format!("{r:.1}%"));
        let line = format!(
            "<td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{r}</td>",
            x.subject, x.teachers, x.complete
        );
        assert!(ledger.contains(&line), "the subject line {line}");
    }
    assert_eq!(g.tiers.iter().map(|(_, n)| n).sum::<usize>(), g.teachers.len(), "every teacher on one rung");
    for (t, n) in &g.tiers {
        assert!(ledger.contains(&format!("<td>{}</td><td class=\"num\">{n}</td>", t.label())), "{t:?}");
    }
    // 定期注册: every teacher counted once, the overdue and due-soon listed with their due dates.
    assert_eq!(g.registrations.iter().map(|(_, n)| n).sum::<usize>(), g.teachers.len());
    let cells: String = g.registrations.iter().map(|(_, n)| format!("<td class=\"num\">{n}</td>")).collect();
    assert!(ledger.contains(&cells), "the registration counts {cells}");
    let overdue = g.teachers.iter().find(|t| t.registration == eduq_core::training::Registration::Overdue);
    let t = overdue.expect("the demo has overdue registrations");
    assert!(ledger.contains(&format!(
        "<td>{}</td><td>{}</td><td>已过期</td>",
        t.name,
        t.registration_due.expect("due")
    )));
    let res =
        client().get(format!("{base}/teachers/training.xlsx")).header("cookie", &staff).send().await.expect("xlsx");
    assert_eq!(res.status(), StatusCode::OK);
    let t = eduq_exchange::table::read_table(&res.bytes().await.expect("bytes"), "t.xlsx").expect("a workbook");
    assert_eq!(t.rows.iter().filter(|(_, r)| r.first().is_some_and(|c| !c.is_empty())).count(), g.schools.len() + 1);
    let (_, guarantee) = get(&base, &staff, "/balance/guarantee").await;
    assert!(
        guarantee.contains(&format!("{}%", eduq_core::guarantee::number(prev.rate)))
            && guarantee.contains("eduq培训学时记录"),
        "item 9 prints the computed rate"
    );
    for who in ["inspector", "leader", "admin"] {
        assert_eq!(
            get(&base, &login(&base, who).await, "/teachers/training/mine").await.0,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
}

/// The 交流轮岗 page (#18) shows the engine's figures; the bureau sends a teacher from it; the
/// workbook lists every qualifying teacher; a school reads without the form; a teacher is refused.
#[tokio::test]
async fn rotation_page() {
    let (base, store) = start().await;
    let staff = login(&base, "staff").await;
    let sa =
        store.system().actor(&store.system().user_by_name("staff").await.expect("u").expect("e")).await.expect("a");
    let term = Term::containing(eduq_core::clock::DistrictZone::default().today(Utc::now()));
    let b = eduq_app::rotation::board(&store, &sa, term).await.expect("board");
    let (status, page) = get(&base, &staff, "/teachers/rotation").await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    assert!(page.contains(&format!("id=\"rotation-qualifying\">{}</b>", b.tally.qualifying)));
    let share = b.tally.share().expect("the demo sends teachers");
    assert!(page.contains(&format!("id=\"rotation-share\">{share:.1}%</b>")), "the engine's share {share}");
    let verdict = if b.tally.meets(&b.rules) { "达到" } else { "未达到" };
    assert!(page.contains(&format!("id=\"rotation-verdict\">{verdict}</b>")), "item 11's verdict");
    for f in &b.flows {
        assert!(page.contains(&format!(
            "<td>{}</td><td>{}</td><td class=\"num\">{}</td>",
            f.from.label(),
            f.to.label(),
            f.teachers
        )));
    }
    assert!(page.contains("rotation-assign") && page.contains("data-chart"), "the bureau's form and the chart");
    let res =
        client().get(format!("{base}/teachers/rotation.xlsx")).header("cookie", &staff).send().await.expect("xlsx");
    assert_eq!(res.status(), StatusCode::OK);
    let t = eduq_exchange::table::read_table(&res.bytes().await.expect("bytes"), "r.xlsx").expect("a workbook");
    let listed = t.rows.iter().filter(|(_, r)| r.len() > 5 && r[3].parse::<f64>().is_ok()).count();
    assert_eq!(listed, b.tally.qualifying, "every qualifying teacher in the first sheet");
    let c = b.candidates.iter().find(|c| c.qualifies && !c.sent).expect("one at home");
    let to = b.candidates.iter().find(|x| x.staff.school_id != c.staff.school_id).expect("elsewhere").staff.school_id;
    let (status, to_page, _) = post_form(
        &base,
        &staff,
        "/teachers/rotation",
        &[
            ("_csrf", &token(&page)),
            ("staff_no", &c.staff.staff_no),
            ("to_school_id", &to.to_string()),
            ("kind", "transfer"),
            ("start_day", "2026-11-30"),
            ("end_day", ""),
            ("note", ""),
        ],
    )
    .await;
    assert_eq!((status, to_page.as_str()), (StatusCode::SEE_OTHER, "/teachers/rotation"));
    let after = eduq_app::rotation::board(&store, &sa, term).await.expect("board");
    assert_eq!(after.tally.sent, b.tally.sent + 1);
    let (status, school) = get(&base, &login(&base, "principal").await, "/teachers/rotation").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!school.contains("rotation-assign"), "a school reads, the bureau plans");
    assert_eq!(get(&base, &login(&base, "teacher").await, "/teachers/rotation").await.0, StatusCode::FORBIDDEN);
}

/// 名师认定, 课题 and 工作室 pages (#18): every tile and table figure is the engine's (the
/// register's counts, the coverage indicators, each studio's plan against its activities), the
/// workbooks hold the same rows; the bureau's forms only for the bureau, a school nominates, a
/// teacher reads their own titles only, an inspector nothing.
#[tokio::test]
async fn teacher_development_pages() {
    // A day two and a half months into the demo's term, so that its designations have run their course.
    let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 22, 8, 0, 0).single().expect("time");
    let (base, store, _) = start_with(Some(at)).await;
    let staff = login(&base, "staff").await;
    let actor = |name: &'static str| {
        let store = store.clone();
        async move {
            let u = store.system().user_by_name(name).await.expect("u").expect("exists");
            store.system().actor(&u).await.expect("actor")
        }
    };
    let sa = actor("staff").await;
    let today = eduq_core::clock::DistrictZone::default().today(at);
    let term = Term::containing(today);

    let b = eduq_app::designations::board(&store, &sa, today).await.expect("board");
    assert!(b.held_of(eduq_core::designation::Honour::Master) > 0, "the demo designates 名师");
    let (status, page) = get(&base, &staff, "/teachers/designations").await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    for (h, n) in &b.held {
        assert!(page.contains(&format!("id=\"held-{}\">{n}</b>", h.key())), "{h:?} {n}");
    }
    assert!(page.contains(&format!("id=\"designation-waiting\">{}</b>", b.waiting)));
    assert!(page.contains(&format!("id=\"designation-notice\">{}</b>", b.in_notice)));
    for (subject, counts) in &b.by_subject {
        let cells: String = counts.iter().map(|n| format!("<td class=\"num\">{n}</td>")).collect();
        assert!(page.contains(&format!("<tr><td>{subject}</td>{cells}</tr>")), "{subject}");
    }
    assert!(page.contains("designation-nominate"), "the bureau nominates");
    let res =
        client().get(format!("{base}/teachers/designations.xlsx")).header("cookie", &staff).send().await.expect("xlsx");
    let t = eduq_exchange::table::read_table(&res.bytes().await.expect("bytes"), "d.xlsx").expect("a workbook");
    let listed = t.rows.iter().filter(|(_, r)| r.len() > 7 && r[6].parse::<f64>().is_ok()).count();
    assert_eq!(listed, b.rows.len(), "every designation in the register sheet");
    // A designation's page: the history and, for the bureau, the next step.
    let waiting = b.rows.iter().find(|r| r.d.state == eduq_core::designation::State::Nominated).expect("waiting");
    let (status, one) = get(&base, &staff, &format!("/teachers/designations/{}", waiting.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(one.contains("designation-score") && one.contains("推荐"), "{one:.300}");

    let cov = eduq_app::indicators::one(&store, &sa, term, "research_school_coverage").await.expect("coverage");
    let share = eduq_app::indicators::one(&store, &sa, term, "research_teacher_share").await.expect("share");
    let (status, research) = get(&base, &staff, "/teachers/research").await;
    assert_eq!(status, StatusCode::OK, "{research:.300}");
    for (id, v) in [("research-schools", &cov), ("research-teachers", &share)] {
        let x = v.district.value.expect("a value");
        assert!((0.0..=100.0).contains(&x), "{id}: {x}");
        assert!(research.contains(&format!("id=\"{id}\">{x:.1}%</b>")), "{id}: {x}");
    }
    let r = eduq_app::research::board(&store, &sa, term).await.expect("research board");
    for (stage, n) in &r.by_stage {
        assert!(research.contains(&format!("<b>{n}</b><span>{}</span>", stage.label())), "{stage:?}");
    }
    assert!(research.contains("research-register"), "the bureau registers");

    let year = term.start_year;
    let s = eduq_app::studios::board(&store, &sa, year).await.expect("studio board");
    assert_eq!(s.lines.len(), 2, "the demo's two studios");
    let (status, studios) = get(&base, &staff, &format!("/teachers/studios?year={year}")).await;
    assert_eq!(status, StatusCode::OK, "{studios:.300}");
    for x in &s.lines {
        assert!(studios.contains(&format!(
            "<td class=\"num\">{}</td><td class=\"num{}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            x.planned,
            if x.done < x.planned { " bad" } else { "" },
            x.done,
            x.outreach,
            x.participants
        )));
    }
    for (m, n) in &s.by_month {
        assert!(studios.contains(&format!("<tr><td>{m}</td><td class=\"num\">{n}</td></tr>")), "{m}");
    }
    let first = &s.lines[0].row;
    let v = eduq_app::studios::view(&store, &sa, first.id, year - 1).await.expect("view");
    let band = v.assessments.iter().find(|a| a.start_year == year - 1).and_then(|a| a.band.clone()).expect("assessed");
    let (status, page) = get(&base, &staff, &format!("/teachers/studios/{}?year={}", first.id, year - 1)).await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    assert!(page.contains(&format!("<td>{band}</td>")) && page.contains("studio-assess"), "the band, the form");
    let v = eduq_app::studios::view(&store, &sa, first.id, year).await.expect("view");
    let (_, page) = get(&base, &staff, &format!("/teachers/studios/{}?year={year}", first.id)).await;
    for p in &v.progress {
        let class = if p.met() { "num" } else { "num bad" };
        assert!(
            page.contains(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"{class}\">{}</td></tr>",
                p.kind.label(),
                p.planned,
                p.done
            )),
            "{:?}",
            p.kind
        );
    }
    let res = client()
        .get(format!("{base}/teachers/studios.xlsx?year={year}"))
        .header("cookie", &staff)
        .send()
        .await
        .expect("xlsx");
    let t = eduq_exchange::table::read_table(&res.bytes().await.expect("bytes"), "s.xlsx").expect("a workbook");
    let lines = t.rows.iter().filter(|(_, r)| r.len() > 8 && r[5].parse::<f64>().is_ok()).count();
    assert_eq!(lines, s.lines.len(), "one line per studio");

    // Who sees what.
    let teacher = login(&base, "teacher").await;
    let (status, own) = get(&base, &teacher, "/teachers/designations").await;
    assert_eq!(status, StatusCode::OK);
    let mine = eduq_app::designations::board(&store, &actor("teacher").await, today).await.expect("own");
    assert!(mine.rows.len() < b.rows.len() && !own.contains("designation-nominate"), "own titles only, no form");
    let (_, research) = get(&base, &teacher, "/teachers/research").await;
    assert!(!research.contains("research-register") && !research.contains("research-schools"), "no form, no figures");
    let principal = login(&base, "principal").await;
    let (_, school) = get(&base, &principal, "/teachers/designations").await;
    assert!(school.contains("designation-nominate"), "a school nominates its own");
    assert_eq!(
        get(&base, &principal, &format!("/teachers/designations/{}", waiting.id)).await.0 == StatusCode::OK,
        eduq_app::designations::view(&store, &actor("principal").await, waiting.id, today).await.is_ok(),
        "a school reads its own designations only"
    );
    // A teacher's own page: the titles (a nomination by the school shows at once), the rung and the
    // 课题, as the engine has them.
    let ta = actor("teacher").await;
    let me = eduq_app::training::own_hours(&store, &ta, today).await.expect("own").expect("linked");
    let form = eduq_app::designations::NominateForm {
        staff_no: me.me.staff_no.clone(),
        honour: "教坛新秀".into(),
        level: "区级".into(),
        ..Default::default()
    };
    eduq_app::designations::nominate(&store, &actor("principal").await, &form, today, at).await.expect("nominated");
    let own = eduq_app::training::own_hours(&store, &ta, today).await.expect("own").expect("linked");
    assert!(own.titles.iter().any(|t| t.honour == eduq_core::designation::Honour::Rising), "the nomination");
    let (_, page) = get(&base, &teacher, "/teachers/training/mine").await;
    assert!(page.contains(&format!("id=\"own-tier\">{}</span>", own.tier(today).label())), "the rung");
    assert!(page.contains("<td>教坛新秀</td><td>区级</td>") && page.contains("待评审"), "the title and its state");
    let projects = page.matches("href=\"/teachers/research/").count();
    assert_eq!(projects, own.projects.len(), "the teacher's 课题");
    let inspector = login(&base, "inspector").await;
    for path in ["/teachers/designations", "/teachers/research", "/teachers/studios"] {
        assert_eq!(get(&base, &inspector, path).await.0, StatusCode::FORBIDDEN, "{path}");
    }
}

/// Answer codes cannot be guessed: after the limit of wrong codes the client waits, on the code
/// page and on a direct submission alike.
#[tokio::test]
async fn wrong_answer_codes_make_the_client_wait() {
    let (base, _store) = start().await;
    let anon = client();
    let max = eduq_core::standards::screening::CODE_FAILURES_MAX;
    for i in 0..max {
        let code = format!("ZZZZ{i:04}");
        let page =
            anon.post(format!("{base}/answer/submit")).form(&[("code", code.as_str()), ("q1", "0")]).send().await;
        let page = page.expect("submit").text().await.expect("text");
        assert!(page.contains("答题码无效"), "wrong code {i}: {page:.200}");
    }
    for path in ["/answer", "/answer/submit"] {
        let page = anon.post(format!("{base}{path}")).form(&[("code", "ZZZZ9999")]).send().await.expect("post");
        let page = page.text().await.expect("text");
        assert!(page.contains("分钟后再试"), "{path}: {page:.300}");
    }
}

/// 心理健康 through the pages: the 心理教师 prints codes, a pupil answers without logging in, the
/// critical answer is an alert on the 心理教师's home page within that request; the principal sees a
/// count and aggregates (the page's coverage is the engine's) and no pupil, no individual export;
/// no other role reads a result, a file or an individual export; a 班主任 sees the flag only.
#[tokio::test]
async fn psych_pages_by_role() {
    let (base, store) = start().await;
    let psych_user = store.system().user_by_name("psych").await.expect("user").expect("demo psych");
    let psych = store.system().actor(&psych_user).await.expect("actor");
    let round = store.screening_rounds(&psych, None).await.expect("rounds").pop().expect("demo round");
    let results = store.round_results(&psych, round.id, Utc::now()).await.expect("results");
    assert!(!results.is_empty());

    let pc = login(&base, "psych").await;
    let (code, page) = get(&base, &pc, &format!("/psych/rounds/{}", round.id)).await;
    assert_eq!(code, StatusCode::OK);
    assert!(results.iter().all(|r| page.contains(&r.name)), "the 心理教师 reads every result");
    let (_, _, slips) =
        post_form(&base, &pc, &format!("/psych/rounds/{}/codes", round.id), &[("_csrf", &token(&page))]).await;
    let first = slips.split("<code class=\"code\">").nth(1).and_then(|s| s.split('<').next()).expect("a code");
    let pupil = slips.split("<tr><td>").nth(1).and_then(|s| s.split("</td><td>").nth(1)).expect("a name").to_string();

    // The pupil: no cookie, no name on any page, the result not shown.
    let anon = client();
    let start_page = anon.get(format!("{base}/answer")).send().await.expect("get");
    assert_eq!(start_page.status(), StatusCode::OK);
    assert_eq!(start_page.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let sheet = anon.post(format!("{base}/answer")).form(&[("code", first)]).send().await.expect("post");
    let sheet = sheet.text().await.expect("text");
    assert_eq!(sheet.matches("<fieldset>").count(), 9, "PHQ-9");
    assert!(!sheet.contains(&pupil));
    let mut form: Vec<(String, String)> = (1..=9).map(|n| (format!("q{n}"), "0".to_string())).collect();
    form.push(("code".into(), first.to_string()));
    form[8].1 = "3".into();
    let done = anon.post(format!("{base}/answer/submit")).form(&form).send().await.expect("submit");
    let done = done.text().await.expect("text");
    assert!(
        done.contains("id=\"answer-done\"") && !done.contains("总分") && !done.contains("无抑郁症状"),
        "{done:.300}"
    );
    let again = anon.post(format!("{base}/answer/submit")).form(&form).send().await.expect("again");
    assert!(again.text().await.expect("text").contains("已使用"));

    // The alert is on the 心理教师's home and board at once.
    let (_, home) = get(&base, &pc, "/").await;
    assert!(home.contains("id=\"psych-reminder\""), "home reminder");
    let (_, board) = get(&base, &pc, "/psych").await;
    let alerts = board.split("id=\"psych-alerts\"").nth(1).expect("alerts table");
    assert!(alerts.contains(&pupil), "the new alert names the pupil for the 心理教师");

    // The principal: a count, the aggregates, nobody's result.
    let results = store.round_results(&psych, round.id, Utc::now()).await.expect("results");
    let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
    let principal = store.system().user_by_name("principal").await.expect("u").expect("principal");
    let principal = store.system().actor(&principal).await.expect("actor");
    let figures = eduq_app::screening::figures(&store, &principal, &round, Utc::now()).await.expect("figures");
    let pr = login(&base, "principal").await;
    let (_, home) = get(&base, &pr, "/").await;
    assert!(home.contains("id=\"psych-reminder\""));
    let (_, page) = get(&base, &pr, &format!("/psych/rounds/{}", round.id)).await;
    let coverage = page.split("id=\"round-coverage\">").nth(1).and_then(|s| s.split('<').next()).expect("coverage");
    assert_eq!(coverage, format!("{:.1}%", figures.total.coverage));
    assert!(figures.total.responded as usize == results.len());
    let res = client()
        .get(format!("{base}/psych/rounds/{}/summary.xlsx", round.id))
        .header("cookie", &pr)
        .send()
        .await
        .expect("x");
    assert_eq!(res.status(), StatusCode::OK);
    let t = eduq_exchange::read_table(&res.bytes().await.expect("bytes"), "s.xlsx").expect("workbook");
    let text = format!("{t:?}");
    assert!(names.iter().all(|n| !text.contains(n)), "no name in the principal's export");
    let files = store.psych_files(&psych, None, None, Utc::now()).await.expect("files");
    let file = files.first().expect("demo file");
    for user in ["principal", "admin", "leader", "staff", "teacher", "inspector"] {
        let c = login(&base, user).await;
        for path in [
            "/".to_string(),
            "/psych".to_string(),
            format!("/psych/rounds/{}", round.id),
            format!("/psych/rounds/{}/results.xlsx", round.id),
            format!("/psych/files/{}", file.id),
            format!("/psych/files/{}/evidence/1", file.id),
            "/api/v1/students".to_string(),
        ] {
            let (code, body) = get(&base, &c, &path).await;
            assert!(
                names.iter().all(|n| !body.contains(n)) || path.starts_with("/api") || path == "/",
                "{user} {path}: a name"
            );
            if path.contains("results.xlsx") || path.contains("/files/") {
                assert!(code == StatusCode::FORBIDDEN || code == StatusCode::NOT_FOUND, "{user} {path}: {code}");
            }
            assert!(
                !body.contains("无抑郁症状") || path.contains("/rounds/"),
                "{user} {path}: a band outside aggregates"
            );
        }
        let (code, _, _) = post_form(&base, &c, &format!("/psych/rounds/{}/codes", round.id), &[]).await;
        assert_ne!(code, StatusCode::OK, "{user}: codes");
    }

    // A 班主任 of a flagged pupil's class sees the flag, not the result.
    let flagged = results.iter().find(|r| r.attention).expect("an attention result");
    let tid = round.term_id;
    let class_id = store
        .list_classes(&Actor::system(), 2026, Some(tid), None)
        .await
        .expect("classes")
        .into_iter()
        .find(|c| c.name == flagged.class_name && c.grade.number() == 6)
        .map(|c| (c.id, c.school_id))
        .expect("class");
    eduq_app::accounts::create_user(
        &store,
        &Actor::system(),
        eduq_app::accounts::NewUserInput {
            username: "ht6".into(),
            display_name: "六年级班主任".into(),
            password: PW.into(),
            role: Role::HeadTeacher,
            school_id: Some(class_id.1),
            class_ids: vec![class_id.0],
            student_ids: vec![],
            school_ids: vec![],
        },
        Utc::now(),
    )
    .await
    .expect("head teacher");
    let ht = login(&base, "ht6").await;
    let (_, board) = get(&base, &ht, "/psych").await;
    let flags = board.split("id=\"psych-flags\"").nth(1).expect("flags");
    assert!(flags.contains(&flagged.name) && flags.contains("需关注"));
    for secret in ["总分", &flagged.band_label, "第9题", "分</td>"] {
        assert!(!board.contains(secret), "the 班主任 reads {secret}");
    }
}

/// 问卷调查 through the pages: the survey page's 认可度 is the engine's; a link's QR code is a PNG
/// and an SVG; a respondent answers through the link without logging in (the cookie, the page
/// redrawn as answers hide questions), once; a principal sees the own school's link only; a
/// teacher no survey.
#[tokio::test]
async fn surveys_from_link_to_result() {
    let (base, store) = start().await;
    let u = store.system().user_by_name("staff").await.expect("user").expect("demo staff");
    let staff = store.system().actor(&u).await.expect("actor");
    let id = store.surveys(&staff, None).await.expect("surveys").into_iter().find(|s| s.recognition).expect("demo").id;
    let c = login(&base, "staff").await;
    let (code, list) = get(&base, &c, "/surveys").await;
    assert!(code == StatusCode::OK && list.contains("社会认可度调查"), "{list:.300}");
    let figure = |page: &str| {
        page.split("id=\"survey-recognition\">").nth(1).and_then(|s| s.split('<').next()).map(str::to_string)
    };
    let count = |page: &str| {
        page.split("id=\"survey-responses\">").nth(1).and_then(|s| s.split('<').next()).map(str::to_string)
    };
    let v = eduq_app::surveys::view(&store, &staff, id).await.expect("view");
    let (_, page) = get(&base, &c, &format!("/surveys/{id}")).await;
    let share = v.results.all.favourable.expect("answered");
    assert_eq!(figure(&page), Some(format!("{:.1}%", share.share * 100.0)));
    assert_eq!(count(&page), Some(v.results.responses.to_string()));
    let slug = page.split("/s/").nth(1).and_then(|s| s.split(['"', '<']).next()).expect("a link").to_string();
    // Per-question tables of one respondent type: the engine's counts.
    let parents = v.results.by_type.iter().find(|g| g.key == "parent").expect("parents");
    let (_, by_type) = get(&base, &c, &format!("/surveys/{id}?group=t:parent")).await;
    assert!(by_type.contains("各题结果（家长）"));
    let equity = parents.questions.iter().find(|q| q.name == "equity").expect("equity");
    let table =
        by_type.split("data-question=\"equity\"").nth(1).and_then(|t| t.split("</table>").next()).expect("table");
    for cell in &equity.cells {
        assert!(table.contains(&format!("<td class=\"num\">{}</td>", cell.count)), "{}: {table:.300}", cell.label);
    }

    // The QR codes of the link.
    let res =
        client().get(format!("{base}/surveys/{id}/qr/{slug}.png")).header("cookie", &c).send().await.expect("png");
    assert_eq!(res.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/png"));
    assert!(res.bytes().await.expect("bytes").starts_with(b"\x89PNG\r\n\x1a\n"));
    let (_, svg) = get(&base, &c, &format!("/surveys/{id}/qr/{slug}.svg")).await;
    assert!(svg.contains("<svg"), "{svg:.100}");
    assert_eq!(get(&base, &c, &format!("/surveys/{id}/qr/NOSUCHLINK.png")).await.0, StatusCode::NOT_FOUND);

    // A respondent without an account: the page sets the survey cookie.
    let res = client().get(format!("{base}/s/{slug}")).send().await.expect("open");
    let cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_string();
    assert!(cookie.starts_with("eduq_sv=") && cookie.contains("HttpOnly"), "{cookie}");
    let pair = cookie.split(';').next().expect("pair").to_string();
    let browser = pair.trim_start_matches("eduq_sv=").to_string();
    let body = res.text().await.expect("body");
    assert!(body.contains("您的身份是") && !body.contains("q-parent_school"), "the parents' group is hidden");
    let mut form: Vec<(&str, &str)> = vec![("b", &browser), ("a:respondent", "parent")];
    let res = client()
        .post(format!("{base}/s/{slug}/refresh"))
        .header("cookie", &pair)
        .form(&form)
        .send()
        .await
        .expect("refresh");
    let redrawn = res.text().await.expect("body");
    assert!(redrawn.contains("q-parent_school") && !redrawn.contains("q-pupil_burden"), "{redrawn:.300}");
    for q in ["equity", "sharing", "conduct", "quality_ed", "assessment", "quality", "overall", "parent_school"] {
        form.push(match q {
            "equity" => ("a:equity", "s5"),
            "sharing" => ("a:sharing", "s4"),
            "conduct" => ("a:conduct", "s5"),
            "quality_ed" => ("a:quality_ed", "s5"),
            "assessment" => ("a:assessment", "s3"),
            "quality" => ("a:quality", "s5"),
            "overall" => ("a:overall", "s5"),
            _ => ("a:parent_school", "s5"),
        });
    }
    let post = async |f: &[(&str, &str)]| {
        let res = client().post(format!("{base}/s/{slug}")).header("cookie", &pair).form(f).send().await.expect("post");
        res.text().await.expect("body")
    };
    assert!(post(&form).await.contains("id=\"answer-done\""));
    assert!(post(&form).await.contains("您已提交过本问卷"), "once per browser");
    let (_, page) = get(&base, &c, &format!("/surveys/{id}")).await;
    assert_eq!(count(&page), Some((v.results.responses + 1).to_string()));
    // /balance: the four parts, 社会认可度 with the engine's figure after this answer.
    let rec = eduq_app::surveys::recognition(&store, &staff).await.expect("recognition");
    let o = rec.overall.expect("answered");
    assert_eq!(o.n, share.n + 8, "the parent's eight answers");
    let (_, balance) = get(&base, &c, "/balance").await;
    for part in ["资源配置", "政府保障程度", "教育质量", "社会认可度"] {
        assert!(balance.contains(&format!("data-part=\"{part}\"")), "{part}");
    }
    let line = balance.split("data-part=\"社会认可度\"").nth(1).and_then(|s| s.split("</tr>").next()).expect("line");
    assert!(line.contains(&format!("认可度{:.1}%（{}/{}", o.share * 100.0, o.count, o.n)), "{line}");
    assert!(balance.contains("id=\"assessment-verdict\""));
    let (_, _, nowhere) = post_form(&base, "", "/s/NOSUCHLINK", &form).await;
    assert!(nowhere.contains("链接无效"), "{nowhere:.200}");

    // A parent's remark becomes a 问题清单 item of the school, from the survey's page.
    let sat = store
        .surveys(&staff, None)
        .await
        .expect("surveys")
        .into_iter()
        .find(|s| s.title.contains("满意度"))
        .expect("满意度")
        .id;
    let (_, page) = get(&base, &c, &format!("/surveys/{sat}")).await;
    assert!(page.contains("id=\"survey-remarks\""), "the demo's remarks are listed");
    let value = |name: &str| {
        page.split(&format!("name=\"{name}\" value=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect(name)
            .to_string()
    };
    let (rid, q, csrf) = (value("response_id"), value("question"), token(&page));
    let form = [
        ("_csrf", csrf.as_str()),
        ("response_id", &rid),
        ("question", &q),
        ("domain", "家校沟通"),
        ("responsible", "校长"),
        ("severity", "general"),
    ];
    let (status, to, _) = post_form(&base, &c, &format!("/surveys/{sat}/remarks"), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.starts_with("/supervision/problems/"), "{to}");

    // The 自评报告: its figures are the engine's; the appendices hold every part.
    let r =
        eduq_app::assessment::self_report(&store, &staff, Term { start_year: 2026, term_no: 1 }).await.expect("report");
    let (_, report) = get(&base, &c, "/balance/self-report").await;
    for h in ["一、基本情况", "二、资源配置", "三、政府保障程度", "四、教育质量", "五、社会认可度", "六、自评结论"]
    {
        assert!(report.contains(h), "{h}");
    }
    let all = r.a.recognition.overall.expect("answered");
    assert!(report.contains(&format!("id=\"self-recognition-all\">{:.1}%", all.share * 100.0)));
    let (schools, _) = r.schools_and_pupils();
    assert!(report.contains(&format!("义务教育学校 {schools} 所")), "{schools}");
    assert_eq!(report.matches("<tr><td class=\"num\">").count(), r.guarantee.items.len() + r.quality.items.len());
    let res = client().get(format!("{base}/balance/self-report.xlsx")).header("cookie", &c).send().await.expect("xlsx");
    let sheets = eduq_exchange::table::read_workbook(&res.bytes().await.expect("bytes")).expect("workbook");
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.first() == Some(&"附表1 四个方面") && names.last().is_some_and(|n| n.ends_with("社会认可度")),
        "{names:?}"
    );
    assert_eq!(sheets[0].1.len(), 2 + 4, "title, header and the four parts");

    // A principal: the own school's link only; a teacher: no surveys.
    let p = login(&base, "principal").await;
    let (_, own) = get(&base, &p, &format!("/surveys/{id}")).await;
    assert_eq!(own.matches("class=\"survey-url\"").count(), 1, "{own:.300}");
    assert!(!own.contains("全区（县）公众链接") && !own.contains("导出答卷") && !own.contains("survey-remarks"));
    assert_eq!(get(&base, &p, "/balance/self-report").await.0, StatusCode::FORBIDDEN, "the county's report");
    let t = login(&base, "teacher").await;
    assert_eq!(get(&base, &t, "/surveys").await.0, StatusCode::FORBIDDEN);
}

/// 双减 homework through the pages: the board's figures are the engine's; a class teacher logs on
/// the phone form and pushes a grade-4 class over 60 minutes; the principal sees the alert and
/// handles it; the export holds the board; the class's 公示 shows the day.
#[tokio::test]
async fn homework_pages_log_alert_and_board() {
    use chrono::TimeZone;
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).single().expect("time");
    let (base, store, _) = start_with(Some(at)).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("day");
    let staff = login(&base, "staff").await;
    let user = store.system().user_by_name("staff").await.expect("user").expect("staff");
    let sa = store.system().actor(&user).await.expect("actor");
    let (from, to) = eduq_app::homework::term_so_far(today);
    let b = eduq_app::homework::board(&store, &sa, from, to, None).await.expect("board");
    assert!(b.total.class_days > 0 && b.total.over_days > 0, "the demo logs a few days over: {:?}", b.total);
    let (status, page) = get(&base, &staff, "/homework").await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    let x = b.total.compliance().expect("a rate");
    assert!(page.contains(&format!("id=\"homework-compliance\">{x:.1}%</b>")), "{x}");
    assert!(page.contains(&format!("id=\"homework-over\">{}</b>", b.total.over_days)));
    assert!(!page.contains("homework-log-link"), "the bureau reads, teachers log");

    let teacher = login(&base, "teacher").await;
    let (status, form) = get(&base, &teacher, "/homework/log").await;
    assert_eq!(status, StatusCode::OK, "{form:.300}");
    let g4 = form
        .split("<option value=\"")
        .skip(1)
        .find(|o| o.split("</option>").next().is_some_and(|t| t.contains("四年级")))
        .and_then(|o| o.split('"').next())
        .expect("a grade-4 class")
        .to_string();
    let csrf = token(&form);
    for (subject, minutes) in [("语文", "35"), ("数学", "40")] {
        let (status, _, body) = post_form(
            &base,
            &teacher,
            "/homework/log",
            &[
                ("_csrf", &csrf),
                ("class_id", &g4),
                ("day", "2026-11-20"),
                ("subject", subject),
                ("written", "1"),
                ("minutes", minutes),
                ("note", "练习"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body:.300}");
        assert!(body.contains("id=\"homework-message\""), "{body:.500}");
        if subject == "数学" {
            assert!(body.contains("notice bad") && body.contains("超出规定"), "75 minutes in grade 4: {body:.800}");
        }
    }
    let principal = login(&base, "principal").await;
    let (_, board) = get(&base, &principal, "/homework").await;
    assert!(board.contains("id=\"homework-alerts\""), "{board:.500}");
    let line = board
        .split("<tr>")
        .find(|r| r.contains("2026-11-20") && r.contains(&format!("name=\"class_id\" value=\"{g4}\"")))
        .expect("the alert row");
    assert!(line.contains("75分钟"), "{line}");
    let (status, to_page, _) = post_form(
        &base,
        &principal,
        "/homework/review",
        &[("_csrf", &token(&board)), ("class_id", &g4), ("day", "2026-11-20"), ("note", "已与任课教师沟通")],
    )
    .await;
    assert_eq!((status, to_page.as_str()), (StatusCode::SEE_OTHER, "/homework"));
    let (_, after) = get(&base, &principal, "/homework").await;
    assert!(!after.contains(&format!(
        "name=\"class_id\" value=\"{g4}\"><input type=\"hidden\" name=\"day\" value=\"2026-11-20\""
    )));
    // The principal appoints the demo class teacher 四年级组长: the card shows the choice.
    assert!(after.contains("id=\"grade-leaders\""), "{after:.300}");
    let school = after
        .split("action=\"/homework/grade-leader\"")
        .nth(1)
        .and_then(|x| x.split("name=\"school_id\" value=\"").nth(1))
        .and_then(|x| x.split('"').next())
        .expect("school")
        .to_string();
    let teacher_id = store.system().user_by_name("teacher").await.expect("user").expect("teacher").id.to_string();
    let (status, to_page, _) = post_form(
        &base,
        &principal,
        "/homework/grade-leader",
        &[("_csrf", &token(&after)), ("school_id", &school), ("grade", "4"), ("user_id", &teacher_id)],
    )
    .await;
    assert_eq!((status, to_page.as_str()), (StatusCode::SEE_OTHER, "/homework#grade-leaders"));
    let (_, led) = get(&base, &principal, "/homework").await;
    let card = led.split("id=\"grade-leaders\"").nth(1).expect("card");
    let row = card.split("<tr>").find(|r| r.contains("四年级")).expect("grade 4");
    assert!(row.contains(&format!("value=\"{teacher_id}\" selected")), "{row}");

    let (status, xlsx) = client()
        .get(format!("{base}/homework.xlsx"))
        .header("cookie", &staff)
        .send()
        .await
        .map(|r| (r.status(), r))
        .expect("export");
    assert_eq!(status, StatusCode::OK);
    let bytes = xlsx.bytes().await.expect("bytes");
    let t = eduq_exchange::table::read_table(&bytes, "h.xlsx").expect("readable");
    assert!(!t.rows.is_empty());
    let (status, notice) = get(&base, &teacher, &format!("/homework/class/{g4}?week=2026-11-20")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(notice.contains("合计约75分钟（超出规定）"), "{notice:.800}");
}

/// 开齐开足 through the pages: the board's rate is the engine's, a school's view names its short
/// classes and the clash, a bad upload names the row and lands nothing, the workbooks download.
#[tokio::test]
async fn timetable_pages_check_and_upload() {
    let (base, store) = start().await;
    let user = store.system().user_by_name("staff").await.expect("user").expect("staff");
    let sa = store.system().actor(&user).await.expect("actor");
    let term = eduq_core::calendar::Term::containing(chrono::Utc::now().date_naive());
    let r = eduq_app::timetables::report(&store, &sa, term, None).await.expect("report");
    let staff = login(&base, "staff").await;
    let (status, page) = get(&base, &staff, &format!("/timetables?term={}", term.key())).await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    let x = r.share().expect("classes checked");
    assert!(x < 100.0, "the demo has gaps");
    assert!(page.contains(&format!("id=\"timetable-share\">{x:.1}%</b>")), "{x}");
    assert!(page.contains(&format!("id=\"timetable-missing\">{}</b>", r.missing().len())));
    let principal = login(&base, "principal").await;
    let (_, mine) = get(&base, &principal, "/timetables").await;
    assert!(mine.contains("id=\"timetable-classes\"") && mine.contains("id=\"timetable-clashes\""), "{mine:.500}");
    let form = reqwest::multipart::Form::new().text("_csrf", token(&mine)).part(
        "file",
        reqwest::multipart::Part::bytes(
            "年级,班级,星期,节次,科目,教师\n一年级,99,星期一,1,语文,甲\n".as_bytes().to_vec(),
        )
        .file_name("课表.csv"),
    );
    let res = client()
        .post(format!("{base}/timetables/upload"))
        .header("cookie", &principal)
        .multipart(form)
        .send()
        .await
        .expect("post");
    let body = res.text().await.expect("body");
    assert!(body.contains("id=\"import-errors\"") && body.contains("第2行「班级」的值“99”"), "{body:.800}");
    for path in ["/timetables.xlsx", "/timetables/template.xlsx", "/timetables/curriculum.xlsx"] {
        let res = client().get(format!("{base}{path}")).header("cookie", &staff).send().await.expect("get");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let bytes = res.bytes().await.expect("bytes");
        assert!(eduq_exchange::table::read_table(&bytes, "t.xlsx").is_ok(), "{path}");
    }
}

/// 课后服务 through the pages: the board's coverage and participation are the engine's; a principal
/// saves a plan that starts too early and reads the flag.
#[tokio::test]
async fn after_school_pages() {
    // A Friday of the demo's term: its last ten school days have sessions.
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-20T02:00:00Z").expect("at").with_timezone(&Utc);
    let (base, store, _) = start_with(Some(at)).await;
    let user = store.system().user_by_name("staff").await.expect("user").expect("staff");
    let sa = store.system().actor(&user).await.expect("actor");
    let today = eduq_core::clock::DistrictZone::default().today(at);
    let b = eduq_app::after_school::board(&store, &sa, today, None).await.expect("board");
    let staff = login(&base, "staff").await;
    let (status, page) = get(&base, &staff, "/after-school").await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    for (id, v) in [
        ("service-coverage", b.coverage()),
        ("service-participation", b.participation()),
        ("service-attendance", b.sessions().attendance()),
    ] {
        let x = v.expect("a figure");
        assert!(page.contains(&format!("id=\"{id}\">{x:.1}%</b>")), "{id}: {x}");
    }
    assert!(page.contains(&format!("id=\"service-sessions\">{}</b>", b.sessions().sessions)), "{page:.300}");
    let principal = login(&base, "principal").await;
    let (_, mine) = get(&base, &principal, "/after-school").await;
    assert!(mine.contains("id=\"service-plan\"") && mine.contains("id=\"service-signups\""), "{mine:.300}");
    let school =
        mine.split("name=\"school_id\" value=\"").nth(1).and_then(|x| x.split('"').next()).expect("school").to_string();
    let (status, _, body) = post_form(
        &base,
        &principal,
        "/after-school/plan",
        &[
            ("_csrf", &token(&mine)),
            ("school_id", &school),
            ("morning_start", "7:50"),
            ("service_days", "5"),
            ("service_end", "17:45"),
            ("activities", "作业辅导"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"service-message\"") && body.contains("上午上课时间7:50早于8:20"), "{body:.800}");
    // Today's sessions: the demo's are prefilled; one class over its sign-ups is refused by name,
    // then saved within them; the day's line shows what was saved.
    assert!(mine.contains("id=\"service-sessions-form\""), "{mine:.300}");
    let class = mine
        .split("name=\"a")
        .filter_map(|x| x.split('"').next())
        .find(|x| x.parse::<i64>().is_ok())
        .expect("a class")
        .to_string();
    let day = mine.split("name=\"day\" value=\"").nth(1).and_then(|x| x.split('"').next()).expect("day").to_string();
    assert_eq!(day, "2026-11-20");
    let (tok, akey, tkey) = (token(&mine), format!("a{class}"), format!("t{class}"));
    let post = |attended: &'static str| {
        let form = [
            ("_csrf", tok.as_str()),
            ("school_id", school.as_str()),
            ("day", day.as_str()),
            ("ended", "17:45"),
            (akey.as_str(), attended),
            (tkey.as_str(), "周老师"),
        ];
        let (base, principal) = (base.clone(), principal.clone());
        async move { post_form(&base, &principal, "/after-school/sessions", &form).await }
    };
    let (_, _, body) = post("9999").await;
    assert!(body.contains("id=\"service-error\"") && body.contains("应为0到报名人数"), "{body:.800}");
    let (status, _, body) = post("1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("已登记1个班级的课后服务") && body.contains(&format!("day={day}\">{day}</a>")),
        "{body:.800}"
    );
}

/// 五项管理 through the pages: the district's figures are the engine's; a principal registers a
/// reviewed book and sees it listed.
#[tokio::test]
async fn wuxiang_pages() {
    let (base, store) = start().await;
    let user = store.system().user_by_name("staff").await.expect("user").expect("staff");
    let sa = store.system().actor(&user).await.expect("actor");
    let today = eduq_core::clock::DistrictZone::default().today(chrono::Utc::now());
    let b = eduq_app::wuxiang::board(&store, &sa, today).await.expect("board");
    let staff = login(&base, "staff").await;
    let (status, page) = get(&base, &staff, "/wuxiang").await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    for (id, v) in [("wuxiang-sleep", b.total.sleep_share()), ("wuxiang-phone", b.total.phone_unkept_share())] {
        let x = v.expect("a figure");
        assert!(page.contains(&format!("id=\"{id}\">{x:.1}%</b>")), "{id}: {x}");
    }
    let principal = login(&base, "principal").await;
    let (_, mine) = get(&base, &principal, "/wuxiang").await;
    let school =
        mine.split("name=\"school_id\" value=\"").nth(1).and_then(|x| x.split('"').next()).expect("school").to_string();
    let (status, _, body) = post_form(
        &base,
        &principal,
        "/wuxiang/books",
        &[
            ("_csrf", &token(&mine)),
            ("school_id", &school),
            ("title", "昆虫记"),
            ("publisher", "人民文学出版社"),
            ("reviewed_on", "2026-11-10"),
            ("reviewers", "王老师"),
            ("verdict", "approved"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"wuxiang-message\"") && body.contains("<td>昆虫记</td>"), "{body:.800}");
}

/// The monthly 双减 report: its figures are the engine's, and its workbook holds the four parts.
#[tokio::test]
async fn double_reduction_month_report() {
    use chrono::TimeZone;
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).single().expect("time");
    let (base, store, _) = start_with(Some(at)).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("day");
    let user = store.system().user_by_name("staff").await.expect("user").expect("staff");
    let sa = store.system().actor(&user).await.expect("actor");
    let r = eduq_app::double_reduction::month_report(&store, &sa, 2026, 11, today).await.expect("report");
    let staff = login(&base, "staff").await;
    let (status, page) = get(&base, &staff, "/double-reduction/report?month=2026-11").await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    let h = r.homework.total;
    assert!(page.contains(&format!("已登记班级日{}个，超出规定{}个", h.class_days, h.over_days)), "{page:.1500}");
    let x = r.timetables.share().expect("rate");
    assert!(page.contains(&format!("开齐开足率{x:.1}%")), "{x}");
    let c = r.service.coverage().expect("coverage");
    assert!(page.contains(&format!("课后服务覆盖率{c:.1}%")), "{c}");
    let (status, _) = get(&base, &staff, "/double-reduction/report?month=2027-05").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a month not begun");
    let res = client()
        .get(format!("{base}/double-reduction/report.xlsx?month=2026-11"))
        .header("cookie", &staff)
        .send()
        .await
        .expect("xlsx");
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.expect("bytes");
    let t = eduq_exchange::table::read_table(&bytes, "m.xlsx").expect("first sheet");
    for l in &r.homework.lines {
        assert!(t.rows.iter().any(|(_, cells)| cells.iter().any(|c| c == &l.name)), "{} in the homework sheet", l.name);
    }
}

/// 称号登记 through the pages: the bureau registers a 优质园 with its document; the register lists
/// it with the document's link; the share on the indicator page is the engine's; a principal reads
/// without the form.
#[tokio::test]
async fn honours_pages() {
    let (base, store) = start().await;
    let staff = login(&base, "staff").await;
    let (status, page) = get(&base, &staff, "/honours").await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    assert!(page.contains("id=\"honour-form\""));
    let kindergarten = store
        .list_schools(&Actor::system(), None)
        .await
        .expect("schools")
        .into_iter()
        .find(|s| s.school_type == eduq_core::org::SchoolType::Kindergarten)
        .expect("a kindergarten");
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token(&page))
        .text("school_id", kindergarten.id.to_string())
        .text("kind", "quality_kindergarten")
        .text("level", "city")
        .text("title", "市级优质幼儿园")
        .text("year", "2025")
        .text("valid_until", "")
        .part("file", reqwest::multipart::Part::bytes(b"%PDF synthetic".to_vec()).file_name("认定文件.pdf"));
    let res =
        client().post(format!("{base}/honours")).header("cookie", &staff).multipart(form).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("body");
    assert!(body.contains("id=\"honour-message\"") && body.contains("市级优质幼儿园"), "{body:.600}");
    let link = body.split("href=\"/honours/").nth(1).and_then(|x| x.split('"').next()).expect("document link");
    let (status, _) = get(&base, &staff, &format!("/honours/{link}")).await;
    assert_eq!(status, StatusCode::OK);
    let term = Term { start_year: 2026, term_no: 1 };
    let v = eduq_app::indicators::one(&store, &Actor::system(), term, "quality_kindergarten_share").await.expect("v");
    assert!(v.district.numerator >= 1.0);
    let (_, ind) = get(&base, &staff, "/indicators/quality_kindergarten_share").await;
    let shown = format!("区县值：{:.2} %", v.district.value.expect("value"));
    assert!(ind.contains(&shown), "{shown} in {:.400}", ind.split("<h1>").nth(1).unwrap_or(&ind));
    let principal = login(&base, "principal").await;
    let (status, theirs) = get(&base, &principal, "/honours").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!theirs.contains("id=\"honour-form\""), "the bureau registers");
}

/// 新改扩建 through the pages: the plan dashboard warns of the project late on a milestone; the
/// project ledger's places added are the engine's indicator; the bureau marks the milestone done
/// and the warning goes.
#[tokio::test]
async fn projects_pages_and_the_dashboard_warning() {
    let (base, store) = start().await;
    let staff = login(&base, "staff").await;
    let (status, plans) = get(&base, &staff, "/plans").await;
    assert_eq!(status, StatusCode::OK);
    let card = plans.split("id=\"late-projects\"").nth(1).expect("the warning");
    assert!(card.contains("城东新区第二小学新建工程") && card.contains("主体封顶"), "{card:.300}");
    let term = Term { start_year: 2026, term_no: 1 };
    let v = eduq_app::indicators::one(&store, &Actor::system(), term, "places_added").await.expect("places");
    let (_, page) = get(&base, &staff, "/projects").await;
    let added = v.district.value.expect("a value");
    assert!(page.contains(&format!("id=\"projects-added\">{added:.0}</b>")), "{added}");
    let milestone = page
        .split("<td>主体封顶</td>")
        .nth(1)
        .and_then(|x| x.split("action=\"/projects/milestones/").nth(1))
        .and_then(|x| x.split('/').next())
        .expect("the late milestone's form")
        .to_string();
    let today = eduq_core::clock::DistrictZone::default().today(Utc::now()).to_string();
    let (status, to, _) = post_form(
        &base,
        &staff,
        &format!("/projects/milestones/{milestone}/done"),
        &[("_csrf", &token(&page)), ("done", &today)],
    )
    .await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/projects"));
    let (_, plans) = get(&base, &staff, "/plans").await;
    assert!(!plans.contains("id=\"late-projects\""), "done: no warning");
    // The A4 report lists the new figures with the engine's values.
    let (_, report) = get(&base, &staff, "/report").await;
    assert!(
        report.contains(&format!("<td>新增学位数</td><td class=\"num\">{added:.0} 个</td>")),
        "places in the report"
    );
    for name in ["课程开齐开足率", "小学生近视率", "义务教育辍学率", "智慧校园占比", "生均占地面积"]
    {
        assert!(report.contains(&format!("<td>{name}</td>")), "{name} in the report");
    }
}

/// 学区与集团 through the pages: the bureau names a group's core school and the page shows it; a
/// principal reads the groups without the forms.
#[tokio::test]
async fn groups_page() {
    let (base, store) = start().await;
    let staff = login(&base, "staff").await;
    let (status, page) = get(&base, &staff, "/groups").await;
    assert_eq!(status, StatusCode::OK);
    let g = eduq_app::groups::list(&store, &Actor::system())
        .await
        .expect("groups")
        .into_iter()
        .find(|g| g.members.len() >= 2)
        .expect("a group");
    let (core, core_name) = g.members[1].clone();
    let (status, to, _) = post_form(
        &base,
        &staff,
        &format!("/groups/{}", g.id),
        &[("_csrf", &token(&page)), ("mode", "research"), ("core", &core.to_string())],
    )
    .await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/groups"));
    let (_, page) = get(&base, &staff, "/groups").await;
    let card = page.split(&format!("id=\"group-{}\"", g.id)).nth(1).expect("the group's card");
    assert!(card.contains(&format!("核心校：{core_name}")) && card.contains("教研共同体"), "{card:.400}");
    let principal = login(&base, "principal").await;
    let (status, theirs) = get(&base, &principal, "/groups").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!theirs.contains("name=\"mode\""), "the bureau sets");
    // 集团活动: the bureau logs one with its evidence; the count and the row show on the card.
    let (_, page) = get(&base, &staff, "/groups").await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token(&page))
        .text("kind", "sync_class")
        .text("held_on", "2026-11-02")
        .text("title", "英语同步课堂")
        .text("host", g.members[0].0.to_string())
        .text("to", g.members[1].0.to_string())
        .text("participants", "48")
        .part("file", reqwest::multipart::Part::bytes(b"%PDF synthetic".to_vec()).file_name("课堂照片.pdf"));
    let url = format!("{base}/groups/{}/activities", g.id);
    let res = client().post(url).header("cookie", &staff).multipart(form).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("body");
    assert!(body.contains("id=\"group-message\""), "{body:.600}");
    let card = body.split(&format!("id=\"group-{}\"", g.id)).nth(1).and_then(|c| c.split("class=\"card").next());
    let card = card.expect("the card");
    // The demo logged a 送教, a 同步课堂 and a 联合教研 this school year; this is the second 同步课堂.
    assert!(card.contains("同步课堂2次") && card.contains("送教1次"), "{card}");
    assert!(card.contains("英语同步课堂") && card.contains(">48<"), "{card}");
    let link = card.split("href=\"/groups/activities/").nth(1).and_then(|x| x.split('"').next()).expect("evidence");
    let (status, _) = get(&base, &staff, &format!("/groups/activities/{link}")).await;
    assert_eq!(status, StatusCode::OK);
    // A date in the future is refused on the page, nothing saved.
    let (_, page) = get(&base, &staff, "/groups").await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token(&page))
        .text("kind", "send_teaching")
        .text("held_on", "2099-01-01")
        .text("title", "未来的送教")
        .text("host", g.members[0].0.to_string());
    let url = format!("{base}/groups/{}/activities", g.id);
    let body = client().post(url).header("cookie", &staff).multipart(form).send().await.expect("post");
    let body = body.text().await.expect("body");
    assert!(body.contains("id=\"group-error\"") && body.contains("晚于今天") && !body.contains("未来的送教</td>"));
    // 捆绑评价: the bureau bundles one member into another; the indicator page folds them.
    let (_, page) = get(&base, &staff, "/groups").await;
    let (village, center) = (g.members[0].clone(), g.members[1].clone());
    let form = [("_csrf", token(&page)), ("school", village.0.to_string()), ("center", center.0.to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, to, _) = post_form(&base, &staff, "/groups/bundles", &form).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/groups"));
    let (_, page) = get(&base, &staff, "/groups").await;
    let card = page.split("id=\"bundles\"").nth(1).expect("bundles");
    assert!(card.contains(&format!("<td>{}</td><td>{}</td>", village.1, center.1)), "{card:.600}");
    let (_, ind) = get(&base, &staff, "/indicators/class_size_ok_rate").await;
    let folded = ind.split("id=\"bundles\"").nth(1).expect("the 捆绑 view");
    assert!(folded.contains(&format!("<td>{}</td><td>{}</td>", center.1, village.1)), "{folded:.600}");
    // Its figures are the engine's: the two schools' numerators and denominators summed, then divided.
    let term = store.terms().await.expect("terms")[0].1;
    let values = eduq_app::indicators::library(&store, &Actor::system(), term).await.expect("library");
    let v = values.iter().find(|v| v.indicator.key == "class_size_ok_rate").expect("indicator");
    let own = |id: i64| v.schools.iter().find(|x| x.school_id == id).map(|x| x.value).expect("a school value");
    let (a, b) = (own(center.0), own(village.0));
    let b0 = eduq_app::indicators::fold_bundles(v, &[(village.0, center.0)]).pop().expect("folded");
    assert_eq!(
        (b0.center.value.numerator, b0.center.value.denominator),
        (a.numerator + b.numerator, a.denominator + b.denominator)
    );
    let row = folded.split("<tr><td>").nth(1).and_then(|r| r.split("</tr>").next()).expect("a row");
    let (n, d, value) =
        (b0.center.value.numerator, b0.center.value.denominator, b0.center.value.value.expect("a value"));
    let cells = format!("<td class=\"num\">{n:.0}</td><td class=\"num\">{d:.0}</td><td class=\"num\">{value:.2}</td>");
    assert!(row.contains(&cells), "{cells} in {row}");
}
