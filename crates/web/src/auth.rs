//! Sessions (HttpOnly, SameSite=Strict cookies), login/logout and CSRF checks.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eduq_core::access::Actor;
use serde::Deserialize;

use crate::{AppState, WebError};

pub const COOKIE: &str = "eduq_session";

/// The logged-in caller of a page or API route.
pub struct Session {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
    /// The district's date when the request came in (the configured zone, not the server's).
    pub today: chrono::NaiveDate,
}

impl Session {
    /// Rejects a state-changing request without the page's CSRF token (form field or header).
    pub fn check_csrf(&self, field: Option<&str>, headers: &HeaderMap) -> Result<(), WebError> {
        let header = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        if field == Some(self.csrf.as_str()) || header == Some(self.csrf.as_str()) {
            Ok(())
        } else {
            Err(WebError::BadRequest("页面已过期（CSRF校验失败），请刷新后重试".to_string()))
        }
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE && !v.is_empty()).then(|| v.to_string())
    })
}

impl FromRequestParts<AppState> for Session {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Nested routers see a stripped path; the original tells API calls from pages.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map(|u| u.0.path().to_string())
            .unwrap_or_else(|| parts.uri.path().to_string());
        let api = path.starts_with("/api/");
        let token = cookie_token(&parts.headers).ok_or(WebError::Unauthenticated { api })?;
        match eduq_app::accounts::session(&state.store, &token, state.clock.now()).await? {
            Some((actor, csrf)) => Ok(Session { actor, csrf, token, today: state.clock.today() }),
            None => Err(WebError::Unauthenticated { api }),
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: String,
    username: String,
}

pub async fn login_page() -> Result<Html<String>, WebError> {
    Ok(Html(LoginPage { error: String::new(), username: String::new() }.render()?))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

/// A cross-site form posting to /login (login CSRF) names another origin; browsers send Origin on
/// every POST, so one that does not match the Host is refused.
fn same_origin(headers: &HeaderMap) -> bool {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (None, _) | (Some("null"), None) => true,
        (Some(o), Some(h)) => o.split_once("://").is_some_and(|(_, rest)| rest == h),
        (Some(_), None) => false,
    }
}

pub async fn login_submit(
    State(st): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    if !same_origin(&headers) {
        return Err(WebError::Forbidden);
    }
    let client = peer.ip().to_string();
    match eduq_app::accounts::login(&st.store, &f.username, &f.password, &client, st.clock.now()).await {
        Ok(login) => {
            let secure = if st.secure_cookies { "; Secure" } else { "" };
            let cookie = format!("{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{secure}", login.token);
            let mut res = Redirect::to("/").into_response();
            res.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie).map_err(|e| WebError::Internal(e.to_string()))?,
            );
            Ok(res)
        }
        Err(e @ eduq_app::AppError::BadLogin) => {
            let page = LoginPage { error: e.to_string(), username: f.username };
            Ok((axum::http::StatusCode::UNAUTHORIZED, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A form posted by the signed-in caller with the page's CSRF token (`_csrf` field or
/// `X-CSRF-Token` header), read as `T`: every state-changing form handler takes its session and
/// form through this extractor, so none can forget the check. Unknown fields (`_csrf`) are ignored
/// by `T`.
pub struct Posted<T>(pub Session, pub T);

impl<T: serde::de::DeserializeOwned + Send> axum::extract::FromRequest<AppState> for Posted<T> {
    type Rejection = WebError;

    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let s = Session::from_request_parts(&mut parts, state).await?;
        let bytes =
            axum::body::to_bytes(body, eduq_core::text::FORM_BYTES).await.map_err(|_| crate::limits::too_large())?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let token = pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.as_str());
        s.check_csrf(token, &parts.headers)?;
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            tracing::debug!("form: {e}");
            WebError::BadRequest("表单内容无效，请刷新页面后重试".to_string())
        })?;
        Ok(Posted(s, form))
    }
}

/// A form that carries nothing but its CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

pub async fn logout(
    State(st): State<AppState>,
    Posted(s, NoFields {}): Posted<NoFields>,
) -> Result<Response, WebError> {
    eduq_app::accounts::logout(&st.store, &s.actor, &s.token, st.clock.now()).await?;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("eduq_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(res)
}
