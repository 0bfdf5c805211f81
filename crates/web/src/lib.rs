//! The web layer: axum router, thin handlers, askama templates (Simplified Chinese), htmx,
//! ECharts, and the JSON API under /api/v1. Assets are embedded: no CDN.

mod after_school;
mod api;
mod assets;
mod attendance;
mod auth;
mod balance;
mod cases;
mod designations;
mod error;
mod exams;
mod fitness;
mod groups;
mod guarantee;
mod homework;
mod honours;
mod imports;
mod indicators;
mod inspections;
mod intake;
mod limits;
mod lottery;
mod pages;
mod plans;
mod projects;
mod psych;
mod qr;
mod report;
mod research;
mod rotation;
mod studios;
mod supervision;
mod surveys;
mod timetables;
mod training;
mod users;
mod views;
mod wuxiang;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use eduq_app::Store;

pub use error::WebError;

/// Shared state handed to every handler; never global, so tests can run several servers.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Uploaded files waiting for the user's confirmation, by random token.
    uploads: Arc<Mutex<HashMap<String, imports::Pending>>>,
    /// A file computed for a preview, by owner: downloading it gives exactly what was previewed.
    prepared: Arc<Mutex<HashMap<i64, Prepared>>>,
    /// Running and finished import jobs, by owner and id.
    jobs: Arc<Mutex<HashMap<(i64, String), imports::Job>>>,
    /// Set cookies with `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Where rolls are handed in (group commit for the 8:00 peak).
    pub rolls: eduq_app::roll_desk::RollDesk,
    /// Where pupils hand in screening sheets (group commit for a computer room's burst).
    pub sheets: eduq_app::screening::SheetDesk,
    /// Where survey respondents hand in their answers (group commit for a parents' meeting).
    pub surveys: eduq_app::surveys::SurveyDesk,
    /// The district's clock: every "today" and every time shown (tests set it).
    pub clock: eduq_app::clock::Clock,
}

impl AppState {
    /// Needs a Tokio runtime: it opens the desks' writers.
    pub fn new(store: Store) -> AppState {
        let rolls = eduq_app::roll_desk::RollDesk::open(store.clone());
        let sheets = eduq_app::screening::SheetDesk::open(store.clone());
        let surveys = eduq_app::surveys::SurveyDesk::open(store.clone());
        AppState {
            store,
            uploads: Arc::default(),
            prepared: Arc::default(),
            jobs: Arc::default(),
            secure_cookies: false,
            rolls,
            sheets,
            surveys,
            clock: eduq_app::clock::Clock::default(),
        }
    }
}

/// A prepared download: its token and bytes.
type Prepared = (String, Vec<u8>);

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/logout", post(auth::logout))
        .route("/schools", get(pages::schools))
        .route("/schools/{id}", get(pages::school))
        .route("/classes", get(pages::classes))
        .route("/classes/assign", get(intake::page).post(intake::run))
        .route("/classes/assign/demo-intake.csv", get(intake::sample))
        .route("/classes/assign/result/{token}", get(intake::prepared))
        .route("/students", get(pages::students))
        .route("/students/{id}", get(pages::student))
        .route("/teachers", get(pages::teachers))
        .route("/teachers/training", get(training::page))
        .route("/teachers/training/import", post(training::import))
        .route("/teachers/training/courses", post(training::add_course))
        .route("/teachers/training.xlsx", get(training::export))
        .route("/teachers/rotation", get(rotation::page).post(rotation::assign))
        .route("/teachers/rotation.xlsx", get(rotation::export))
        .route("/teachers/rotation/{id}/return", post(rotation::returned))
        .route("/teachers/training/mine", get(training::mine).post(training::submit))
        .route("/teachers/training/claims", get(training::claims))
        .route("/teachers/training/claims/{id}", get(training::claim))
        .route("/teachers/training/claims/{id}/decide", post(training::decide))
        .route("/teachers/training/claims/{id}/evidence/{file}", get(training::certificate))
        .route("/teachers/designations", get(designations::page).post(designations::nominate))
        .route("/teachers/designations.xlsx", get(designations::export))
        .route("/teachers/designations/{id}", get(designations::detail).post(designations::act))
        .route("/teachers/designations/{id}/evidence", post(designations::upload))
        .route("/teachers/designations/{id}/evidence/{file}", get(designations::evidence))
        .route("/teachers/research", get(research::page).post(research::register))
        .route("/teachers/research.xlsx", get(research::export))
        .route("/teachers/research/{id}", get(research::detail).post(research::advance))
        .route("/teachers/research/{id}/evidence", post(research::upload))
        .route("/teachers/research/{id}/evidence/{file}", get(research::evidence))
        .route("/teachers/studios", get(studios::page).post(studios::create))
        .route("/teachers/studios.xlsx", get(studios::export))
        .route("/teachers/studios/{id}", get(studios::detail))
        .route("/teachers/studios/{id}/members", post(studios::members))
        .route("/teachers/studios/{id}/plan", post(studios::plan))
        .route("/teachers/studios/{id}/activities", post(studios::activity))
        .route("/teachers/studios/{id}/assess", post(studios::assess))
        .route("/teachers/studios/activities/{id}/evidence", post(studios::upload))
        .route("/teachers/studios/activities/{id}/evidence/{file}", get(studios::evidence))
        .route("/conditions", get(pages::conditions))
        .route("/balance", get(balance::page))
        .route("/balance/export.xlsx", get(balance::export))
        .route("/balance/self-report", get(balance::self_report))
        .route("/balance/self-report.xlsx", get(balance::self_report_xlsx))
        .route("/balance/guarantee", get(guarantee::page).post(guarantee::save))
        .route("/balance/guarantee.xlsx", get(guarantee::export))
        .route("/balance/quality", get(guarantee::quality_page).post(guarantee::quality_save))
        .route("/balance/quality.xlsx", get(guarantee::quality_export))
        .route("/indicators", get(indicators::page))
        .route("/plans", get(plans::page))
        .route("/plans/import", post(plans::import))
        .route("/plans/export", get(plans::export))
        .route("/plans/dashboard.xlsx", get(plans::dashboard_xlsx))
        .route("/report", get(report::page))
        .route("/indicators/inputs", post(indicators::save_input))
        .route("/indicators/{key}", get(indicators::detail))
        .route("/indicators/{key}/export.xlsx", get(indicators::detail_xlsx))
        .route("/indicators/{key}/schools/{school}", get(indicators::classes))
        .route("/api/v1/indicators", get(indicators::api))
        .route("/fitness", get(fitness::page))
        .route("/exams", get(exams::page).post(exams::create))
        .route("/exams/va", get(exams::value_added))
        .route("/exams/{id}", get(exams::detail))
        .route("/exams/{id}/pupils", get(exams::pupils))
        .route("/exams/{id}/papers/{paper}", get(exams::paper))
        .route("/exams/{id}/papers/{paper}/report.xlsx", get(exams::workbook))
        .route("/exams/{id}/papers/{paper}/{what}", post(exams::upload))
        .route("/attendance", get(attendance::page).post(attendance::save))
        .route("/attendance/risk", get(attendance::risk))
        .route("/attendance/import", post(attendance::import))
        .route("/attendance/consolidation", get(cases::consolidation))
        .route("/attendance/calendar", get(cases::calendar).post(cases::calendar_save))
        .route("/alerts/{id}", post(cases::alert))
        .route("/cases", get(cases::page).post(cases::create))
        .route("/cases/report/monthly", get(cases::monthly))
        .route("/cases/report/quarterly", get(cases::quarterly))
        .route("/cases/{id}", get(cases::detail).post(cases::update))
        .route("/cases/{id}/evidence", post(cases::upload))
        .route("/cases/{id}/evidence/{file}", get(cases::evidence))
        .route("/psych", get(psych::page))
        .route("/psych/rounds", post(psych::open_round))
        .route("/psych/instruments", post(psych::load_instrument))
        .route("/psych/rounds/{id}", get(psych::round))
        .route("/psych/rounds/{id}/summary.xlsx", get(psych::summary_xlsx))
        .route("/psych/rounds/{id}/results.xlsx", get(psych::results_xlsx))
        .route("/psych/rounds/{id}/codes", post(psych::codes))
        .route("/psych/rounds/{id}/paper", post(psych::paper))
        .route("/psych/results/{id}/file", post(psych::open_file))
        .route("/psych/files/{id}", get(psych::file))
        .route("/psych/files/{id}/steps", post(psych::step))
        .route("/psych/files/{id}/members", post(psych::member))
        .route("/psych/files/{id}/closing", post(psych::closing))
        .route("/psych/files/{id}/evidence", post(psych::upload))
        .route("/psych/files/{id}/evidence/{file}", get(psych::evidence))
        .route("/answer", get(psych::answer_start).post(psych::answer_open))
        .route("/answer/submit", post(psych::answer_submit))
        .route("/homework", get(homework::page))
        .route("/homework.xlsx", get(homework::export))
        .route("/homework/log", get(homework::log_page).post(homework::log))
        .route("/homework/remove", post(homework::remove))
        .route("/homework/review", post(homework::review))
        .route("/homework/grade-leader", post(homework::set_leader))
        .route("/homework/notice", get(homework::notices))
        .route("/double-reduction/report", get(homework::month_report))
        .route("/double-reduction/report.xlsx", get(homework::month_report_xlsx))
        .route("/homework/class/{id}", get(homework::notice))
        .route("/groups", get(groups::page))
        .route("/groups/{id}", post(groups::set))
        .route("/groups/{id}/pairs", post(groups::pair))
        .route("/groups/{id}/activities", post(groups::log_activity))
        .route("/groups/bundles", post(groups::set_bundle))
        .route("/groups/bundles/{id}/remove", post(groups::remove_bundle))
        .route("/groups/activities/{id}/remove", post(groups::remove_activity))
        .route("/groups/activities/{id}/evidence", get(groups::activity_evidence))
        .route("/projects", get(projects::page).post(projects::add))
        .route("/projects/{id}/milestones", post(projects::add_milestone))
        .route("/projects/{id}/complete", post(projects::complete))
        .route("/projects/milestones/{id}/done", post(projects::finish_milestone))
        .route("/honours", get(honours::page).post(honours::add))
        .route("/honours/{id}/remove", post(honours::remove))
        .route("/honours/{id}/evidence", get(honours::evidence))
        .route("/after-school", get(after_school::page))
        .route("/after-school/plan", post(after_school::save_plan))
        .route("/after-school/signups", post(after_school::save_signups))
        .route("/after-school/sessions", post(after_school::save_sessions))
        .route("/after-school/rule", post(after_school::set_rule))
        .route("/wuxiang", get(wuxiang::page))
        .route("/wuxiang/books", post(wuxiang::add_book))
        .route("/timetables", get(timetables::page))
        .route("/timetables.xlsx", get(timetables::export))
        .route("/timetables/template.xlsx", get(timetables::template))
        .route("/timetables/curriculum.xlsx", get(timetables::curriculum))
        .route("/timetables/upload", post(timetables::upload))
        .route("/timetables/curriculum", post(timetables::set_curriculum))
        .route("/timetables/curriculum/reset", post(timetables::reset_curriculum))
        .route("/surveys", get(surveys::page).post(surveys::create))
        .route("/surveys/templates/{key}", get(surveys::template))
        .route("/surveys/{id}", get(surveys::detail))
        .route("/surveys/{id}/quotas", post(surveys::quotas))
        .route("/surveys/{id}/tokens", post(surveys::tokens))
        .route("/surveys/{id}/remarks", post(surveys::remark))
        .route("/surveys/{id}/responses.xlsx", get(surveys::export))
        .route("/surveys/{id}/qr/{file}", get(surveys::qr))
        .route("/s/{slug}", get(surveys::answer).post(surveys::submit))
        .route("/s/{slug}/refresh", post(surveys::refresh))
        .route("/supervision", get(supervision::page))
        .route("/supervision/problems", post(supervision::raise))
        .route("/supervision/problems.xlsx", get(supervision::export))
        .route("/supervision/problems/import", post(supervision::import))
        .route("/supervision/inspections.xlsx", get(inspections::export))
        .route("/supervision/inspections/import", post(inspections::import))
        .route("/supervision/problems/{id}", get(supervision::detail).post(supervision::update))
        .route("/supervision/problems/{id}/notice", get(supervision::notice))
        .route("/supervision/problems/{id}/evidence", post(supervision::upload))
        .route("/supervision/problems/{id}/evidence/{file}", get(supervision::evidence))
        .route("/supervision/inspections", get(inspections::list).post(inspections::create))
        .route("/supervision/inspections/{id}", get(inspections::detail).post(inspections::mark))
        .route("/supervision/inspections/{id}/close", post(inspections::close))
        .route("/supervision/inspections/{id}/report", get(inspections::report))
        .route("/supervision/inspections/{id}/report.xlsx", get(inspections::report_xlsx))
        .route("/supervision/inspections/{id}/evidence", post(inspections::upload))
        .route("/supervision/inspections/{id}/evidence/{file}", get(inspections::evidence))
        .route("/supervision/monthly", get(inspections::month))
        .route("/supervision/monthly.xlsx", get(inspections::month_xlsx))
        .route("/supervision/rubrics", get(inspections::rubrics).post(inspections::rubric_upload))
        .route("/supervision/rubrics/templates", post(inspections::rubric_templates))
        .route("/supervision/rubrics/{id}/export.xlsx", get(inspections::rubric_xlsx))
        .route("/fitness/import", post(fitness::import))
        .route("/fitness/workbook", get(fitness::workbook))
        .route("/fitness/export", get(fitness::national))
        .route("/balance/whatif", post(balance::what_if))
        .route("/api/v1/balance", get(balance::api))
        .route("/imports", get(imports::page))
        .route("/imports/preview", post(imports::preview))
        .route("/imports/apply", post(imports::apply))
        .route("/imports/jobs/{id}", get(imports::job))
        .route("/templates/{kind}", get(imports::template))
        .route("/export/{kind}", get(imports::export))
        .route("/audit", get(pages::audit))
        .route("/users", get(pages::users).post(pages::user_create))
        .route("/users/{id}", get(users::page).post(users::save))
        .route("/healthz", get(pages::healthz))
        .route("/lottery/verify", get(assets::lottery_verifier))
        .route("/lottery/{key}", get(lottery::public))
        .route("/lottery/{key}/files/{name}", get(lottery::public_file))
        .route("/lotteries", get(lottery::page).post(lottery::create))
        .route("/lotteries/{id}", get(lottery::detail).post(lottery::act))
        .route("/lotteries/{id}/register", post(lottery::register))
        .route("/assets/{file}", get(assets::asset))
        .nest("/api/v1", api::routes())
        .layer(DefaultBodyLimit::max(eduq_app::imports::MAX_UPLOAD_BYTES + 1024 * 1024))
        .layer(axum::middleware::from_fn(limits::form_limits))
        .layer(axum::middleware::from_fn(error::edge_errors))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, axum::http::HeaderValue::from_static(v));
    };
    set(h, "x-frame-options", "DENY");
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    // A handler may set a stricter policy of its own (the self-contained lottery verifier does).
    if !h.contains_key("content-security-policy") {
        set(
            h,
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
        );
    }
    res
}

/// Listens on `addr` with a backlog of 4,096 connections (the kernel caps it at its somaxconn).
/// The standard library's 128 overflowed when 300 pupils pressed 提交 at the same moment: the
/// connections past it were dropped and retried a second later (`docs/benchmarks.md`).
pub async fn listen(addr: &str) -> std::io::Result<tokio::net::TcpListener> {
    let mut last = None;
    for a in tokio::net::lookup_host(addr).await? {
        let socket = if a.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
        socket.set_reuseaddr(true)?;
        match socket.bind(a).and_then(|()| socket.listen(4096)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, format!("无法解析地址 {addr}"))))
}

/// Serves until the future `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address throttles logins per client.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
