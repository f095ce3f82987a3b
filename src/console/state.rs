// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! What every console request shares ([`Console`]), who is calling ([`Caller`], resolved from
//! a bearer header or the session cookie, with the CSRF check on writes), and how a failure
//! becomes an answer ([`ApiError`]: Kubernetes' own code and message, so a 403 stays a 403).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{self, RateLimiter, Sessions};
use super::trace::Jaeger;

/// Sign-in attempts per client address: a burst of 5, then one every 12 s (5 a minute).
pub const LOGIN_BURST: u32 = 5;
pub const LOGIN_REFILL: Duration = Duration::from_secs(12);

/// The console's shared state.
pub struct Console {
    /// The API server to talk to (address, CA, timeouts); its credentials are never used.
    pub base: kube::Config,
    pub sessions: Sessions,
    pub logins: RateLimiter,
    pub jaeger: Jaeger,
    ready: AtomicBool,
    /// Turns true when the console shuts down: live streams end then, so the server's
    /// graceful shutdown does not wait on them forever.
    stopping: tokio::sync::watch::Sender<bool>,
}

impl Console {
    pub fn new(base: kube::Config, jaeger: Jaeger) -> Self {
        let mut base = base;
        // No credentials of the console's own, whatever its configuration carried.
        base.auth_info = kube::config::AuthInfo::default();
        let agent = format!("rustfs-console/{}", env!("CARGO_PKG_VERSION"));
        if let Ok(value) = header::HeaderValue::from_str(&agent) {
            base.headers.retain(|(name, _)| name != header::USER_AGENT);
            base.headers.push((header::USER_AGENT, value));
        }
        Self {
            base,
            sessions: Sessions::new(),
            logins: RateLimiter::new(LOGIN_BURST, LOGIN_REFILL),
            jaeger,
            ready: AtomicBool::new(false),
            stopping: tokio::sync::watch::Sender::new(false),
        }
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Release);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Ends the live streams (and marks the console not ready).
    pub fn stop(&self) {
        self.set_ready(false);
        self.stopping.send_replace(true);
    }

    /// Resolves once [`Console::stop`] was called.
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut rx = self.stopping.subscribe();
        async move {
            let _ = rx.wait_for(|stopping| *stopping).await;
        }
    }
}

pub type AppState = Arc<Console>;

/// An error answer of the JSON API (and the body of every non-2xx answer).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiError {
    /// The HTTP status code; for an API server refusal, the API server's.
    pub code: u16,
    /// Kubernetes' reason (`Forbidden`, `NotFound`, `Conflict`, `Invalid`...), or the
    /// console's own.
    pub reason: String,
    /// Kubernetes' message, unchanged, or the console's.
    pub message: String,
}

impl ApiError {
    pub fn new(code: StatusCode, reason: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.as_u16(),
            reason: reason.to_owned(),
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFound", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", message)
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<kube::Error> for ApiError {
    fn from(e: kube::Error) -> Self {
        match e {
            kube::Error::Api(status) => Self {
                code: status.code,
                reason: status.reason.clone(),
                message: status.message.clone(),
            },
            // Not an answer of the API server: the console could not reach it.
            other => Self::new(
                StatusCode::BAD_GATEWAY,
                "ApiServerUnreachable",
                format!("cannot reach the Kubernetes API server: {other}"),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), Json(self)).into_response()
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `Authorization: Bearer`: an API client.
    Bearer,
    /// The session cookie: a browser.
    Session,
}

/// The person (or program) making this request, with a client that acts as them.
#[derive(Clone)]
pub struct Caller {
    pub client: kube::Client,
    pub via: Via,
    /// The user name, known for sessions (from sign-in).
    pub user: Option<String>,
    /// The session's CSRF token (sessions only), for the pages.
    pub csrf: Option<String>,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("via", &self.via)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Why no caller could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoCaller {
    /// Neither a bearer token nor a live session.
    Anonymous,
    /// A write with the session cookie but without the session's CSRF token.
    Csrf,
    /// A client could not be built (a bad CA in the console's configuration, say).
    Client(String),
}

impl From<NoCaller> for ApiError {
    fn from(why: NoCaller) -> Self {
        match why {
            NoCaller::Anonymous => ApiError::unauthorized(
                "sign in, or send a Kubernetes token in an Authorization: Bearer header",
            ),
            NoCaller::Csrf => ApiError::new(
                StatusCode::FORBIDDEN,
                "CsrfTokenMissing",
                "a write made with the session cookie needs the session's X-CSRF-Token header",
            ),
            NoCaller::Client(message) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "ClientError", message)
            }
        }
    }
}

/// Methods that change nothing, and so need no CSRF token.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Resolves the caller of a request: a bearer header first (a browser never sends one by
/// itself, so it needs no CSRF check), else the session cookie (and, on a write, the CSRF
/// header).
pub fn resolve(
    console: &Console,
    method: &Method,
    headers: &HeaderMap,
    now: Instant,
) -> Result<Caller, NoCaller> {
    if let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(auth::bearer)
    {
        let client =
            auth::client_for(&console.base, &token).map_err(|e| NoCaller::Client(e.to_string()))?;
        return Ok(Caller {
            client,
            via: Via::Bearer,
            user: None,
            csrf: None,
        });
    }
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(auth::cookie_value)
        .find_map(|value| console.sessions.get(value, now))
        .ok_or(NoCaller::Anonymous)?;
    if !is_safe(method) {
        let presented = headers.get(auth::CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !session.csrf_matches(presented) {
            return Err(NoCaller::Csrf);
        }
    }
    Ok(Caller {
        client: session.client.clone(),
        via: Via::Session,
        user: Some(session.user.clone()),
        csrf: Some(session.csrf.clone()),
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        resolve(state, &parts.method, &parts.headers, Instant::now()).map_err(ApiError::from)
    }
}

/// A caller of a page: like [`Caller`], but an anonymous browser is sent to sign in.
pub struct PageCaller(pub Caller);

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match resolve(state, &parts.method, &parts.headers, Instant::now()) {
            Ok(caller) => Ok(PageCaller(caller)),
            Err(NoCaller::Anonymous) => Err(Redirect::to("/login").into_response()),
            Err(other) => Err(ApiError::from(other).into_response()),
        }
    }
}
