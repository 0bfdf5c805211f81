use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const HTMX: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web-assets/node_modules/htmx.org/dist/htmx.min.js"));
const ECHARTS: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web-assets/node_modules/echarts/dist/echarts.min.js"));
const CSS: &[u8] = include_bytes!("../static/app.css");
const JS: &[u8] = include_bytes!("../static/app.js");

pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, ty) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "echarts.min.js" => (ECHARTS, "text/javascript; charset=utf-8"),
        "app.js" => (JS, "text/javascript; charset=utf-8"),
        "app.css" => (CSS, "text/css; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, ty), (header::CACHE_CONTROL, "public, max-age=86400")], body).into_response()
}

/// The public verifier of admission lotteries: no login, it only computes in the visitor's browser.
pub async fn lottery_verifier() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            // Its script is inline (the same file is published with every draw); it loads nothing.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
        ],
        eduq_exchange::lottery::VERIFIER_HTML,
    )
        .into_response()
}
