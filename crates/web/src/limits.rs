//! Every web form is bounded before a handler reads it: the whole body and each field, so that no
//! use case has to remember it (a 姓名 of 1,000,000 characters was stored, #24.7). File uploads
//! (multipart) are bounded by the import's own limits.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use eduq_core::text::{FIELD_CHARS, FORM_BYTES};

use crate::WebError;

/// A form over [`FORM_BYTES`], as the person sees it.
pub fn too_large() -> WebError {
    WebError::BadRequest(format!("提交的内容过多（超过{}KB），请删减后再提交", FORM_BYTES / 1024))
}

pub async fn form_limits(req: Request, next: Next) -> Response {
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_BYTES).await else {
        return too_large().into_response();
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    if let Some(n) = fields.iter().map(|(_, v)| v.chars().count()).find(|n| *n > FIELD_CHARS) {
        let msg = format!("有一项填写的内容过长（{n}个字符），每项不能超过{FIELD_CHARS}个字符，请删减后再提交");
        return WebError::BadRequest(msg).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}
