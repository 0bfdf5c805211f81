//! The one place where library errors become HTTP responses.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use eduq_app::AppError;
use eduq_app::StoreError;

#[derive(Debug)]
pub enum WebError {
    /// Not logged in: pages redirect to /login, the API answers 401.
    Unauthenticated {
        api: bool,
    },
    Forbidden,
    NotFound,
    BadRequest(String),
    Internal(String),
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Forbidden => WebError::Forbidden,
            AppError::NotFound => WebError::NotFound,
            AppError::Store(s) => s.into(),
            other => WebError::BadRequest(other.to_string()),
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WebError::NotFound,
            StoreError::Forbidden => WebError::Forbidden,
            StoreError::Conflict(m) | StoreError::Invalid(m) => WebError::BadRequest(m),
            other => {
                tracing::error!("store: {other}");
                WebError::Internal("服务器内部错误，请稍后重试或联系管理员".to_string())
            }
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        tracing::error!("template: {e}");
        WebError::Internal("页面渲染失败".to_string())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (code, msg) = match self {
            WebError::Unauthenticated { api: false } => return Redirect::to("/login").into_response(),
            WebError::Unauthenticated { api: true } => (StatusCode::UNAUTHORIZED, "请先登录".to_string()),
            WebError::Forbidden => (StatusCode::FORBIDDEN, "无权访问".to_string()),
            WebError::NotFound => (StatusCode::NOT_FOUND, "记录不存在或无权访问".to_string()),
            WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            WebError::Internal(m) => (StatusCode::INTERNAL_SERVER_ERROR, m),
        };
        error_page(code, msg)
    }
}

/// The message of an error response, for the edge to answer the API in JSON.
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

/// An error as a page (the message also kept on the response for the API's JSON).
fn error_page(code: StatusCode, msg: String) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><link rel=\"stylesheet\" href=\"/assets/app.css\"><main><div class=\"card\"><h1>{}</h1><p class=\"error\">{}</p><p><a href=\"/\">返回首页</a></p></div></main></html>",
        code.as_u16(),
        html_escape(&msg)
    );
    let mut res = (code, axum::response::Html(body)).into_response();
    res.extensions_mut().insert(ErrorMessage(msg));
    res
}

/// The framework's own rejections (a query or path value of the wrong type, an unknown route, a
/// body too large) in a Chinese sentence.
fn framework_message(code: StatusCode) -> String {
    match code {
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            "请求中的参数无效：请检查链接或表单中填写的值".into()
        }
        StatusCode::NOT_FOUND => "页面不存在".into(),
        StatusCode::METHOD_NOT_ALLOWED => "不支持这种请求方式".into(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!("上传的内容过大（上限{}MB）", eduq_app::imports::MAX_UPLOAD_BYTES >> 20)
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "请求的格式不正确".into(),
        other => format!("请求无法处理（{}）", other.as_u16()),
    }
}

/// Every error leaves in Chinese, and as JSON under /api: our own errors carry their message;
/// the framework's plain-text rejections get a Chinese one.
pub async fn edge_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let code = res.status();
    if !(code.is_client_error() || code.is_server_error()) {
        return res;
    }
    let plain = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    let msg = match res.extensions().get::<ErrorMessage>() {
        Some(m) if api => m.0.clone(),
        Some(_) => return res,
        None if plain => framework_message(code),
        None => return res,
    };
    if api {
        return (code, axum::Json(serde_json::json!({"error": msg, "status": code.as_u16()}))).into_response();
    }
    error_page(code, msg)
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
