//! The one place where library errors become HTTP responses.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use eduq_app::AppError;
use eduq_store::StoreError;

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
            StoreError::Conflict(m) => WebError::BadRequest(m),
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
        let body = format!(
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><link rel=\"stylesheet\" href=\"/assets/app.css\"><main><div class=\"card\"><h1>{}</h1><p class=\"error\">{}</p><p><a href=\"/\">返回首页</a></p></div></main></html>",
            code.as_u16(),
            html_escape(&msg)
        );
        (code, axum::response::Html(body)).into_response()
    }
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
