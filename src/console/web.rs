// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The browser side: sign-in and sign-out, the pages, the HTML fragments the script swaps in
//! when something changes, and the embedded assets.

use std::net::SocketAddr;
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use secrecy::SecretString;
use serde::Deserialize;

use super::auth;
use super::page::{self, Viewer};
use super::reads;
use super::state::{ApiError, AppState, Caller, PageCaller};
use super::view;
use crate::effects::console as writes;

/// The page routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/new", get(new_tenant))
        .route("/tenants/{namespace}/{name}", get(tenant))
        .route("/tenants/{namespace}/{name}/pods/{pod}/logs", get(logs))
        .route("/tenants/{namespace}/{name}/traces/{trace_id}", get(trace))
        .route("/fragments/tenants", get(tenants_fragment))
        .route(
            "/fragments/tenants/{namespace}/{name}",
            get(tenant_fragment),
        )
        .route("/assets/console.js", get(js))
        .route("/assets/console.css", get(css))
}

fn viewer(caller: &Caller) -> Viewer<'_> {
    Viewer {
        user: caller.user.as_deref().unwrap_or("(bearer token)"),
        csrf: caller.csrf.as_deref(),
    }
}

fn html(code: StatusCode, body: String) -> Response {
    (code, Html(body)).into_response()
}

fn error_page(caller: &Caller, e: ApiError) -> Response {
    html(e.status(), page::error(&viewer(caller), e.code, &e.message))
}

fn refusal_of(e: kube::Error) -> (u16, String) {
    let e = ApiError::from(e);
    (e.code, e.message)
}

#[derive(Deserialize)]
struct NamespaceQuery {
    namespace: Option<String>,
}

async fn home(PageCaller(caller): PageCaller, Query(q): Query<NamespaceQuery>) -> Response {
    let ns = q.namespace.filter(|n| !n.is_empty());
    let (tenants, known) = tokio::join!(
        reads::tenants(&caller.client, ns.as_deref()),
        reads::namespaces(&caller.client)
    );
    // Suggestions only: a caller who may not list namespaces types one.
    let known = known.unwrap_or_default();
    match tenants {
        Ok(items) => {
            let list = view::tenant_list(&items, chrono::Utc::now());
            html(
                StatusCode::OK,
                page::tenants(&viewer(&caller), ns.as_deref(), &known, &list),
            )
        }
        Err(e) => {
            let e = ApiError::from(e);
            html(
                e.status(),
                page::tenants_refused(&viewer(&caller), ns.as_deref(), &known, e.code, &e.message),
            )
        }
    }
}

async fn tenants_fragment(caller: Caller, Query(q): Query<NamespaceQuery>) -> Response {
    let ns = q.namespace.filter(|n| !n.is_empty());
    match reads::tenants(&caller.client, ns.as_deref()).await {
        Ok(items) => html(
            StatusCode::OK,
            page::tenant_rows(&view::tenant_list(&items, chrono::Utc::now())),
        ),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn tenant(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path((namespace, name)): Path<(String, String)>,
) -> Response {
    let t = match reads::tenant(&caller.client, &namespace, &name).await {
        Ok(t) => t,
        Err(e) => return error_page(&caller, e.into()),
    };
    let (pods, events) = tokio::join!(
        reads::pods(&caller.client, &namespace, &name),
        reads::events(&caller.client, &namespace, &name)
    );
    let row = view::tenant_row(&t, chrono::Utc::now());
    html(
        StatusCode::OK,
        page::tenant(
            &viewer(&caller),
            &t,
            &row,
            &pods.map_err(refusal_of),
            &events.map_err(refusal_of),
            &view::tenant_yaml(&t),
            state.jaeger.configured(),
        ),
    )
}

async fn tenant_fragment(
    State(state): State<AppState>,
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
) -> Response {
    let t = match reads::tenant(&caller.client, &namespace, &name).await {
        Ok(t) => t,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let pods = reads::pods(&caller.client, &namespace, &name)
        .await
        .map_err(refusal_of);
    let row = view::tenant_row(&t, chrono::Utc::now());
    html(
        StatusCode::OK,
        page::tenant_live(&t, &row, &pods, state.jaeger.configured()),
    )
}

async fn logs(
    PageCaller(caller): PageCaller,
    Path((namespace, name, pod)): Path<(String, String, String)>,
) -> Response {
    if let Err(e) = reads::tenant_pod(&caller.client, &namespace, &name, &pod).await {
        return error_page(&caller, e);
    }
    match reads::logs(&caller.client, &namespace, &pod, None, 500).await {
        Ok(text) => html(
            StatusCode::OK,
            page::logs(&viewer(&caller), &namespace, &name, &pod, &text),
        ),
        Err(e) => error_page(&caller, e.into()),
    }
}

async fn trace(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path((namespace, name, trace_id)): Path<(String, String, String)>,
) -> Response {
    match reads::transition_trace(&state, &caller.client, &namespace, &name, &trace_id).await {
        Ok((record, waterfall)) => html(
            StatusCode::OK,
            page::trace(
                &viewer(&caller),
                &namespace,
                &name,
                &record,
                waterfall.as_ref().map_err(Clone::clone),
            ),
        ),
        Err(e) => error_page(&caller, e),
    }
}

async fn new_tenant(PageCaller(caller): PageCaller) -> Response {
    html(StatusCode::OK, page::new_tenant(&viewer(&caller)))
}

async fn login_form() -> Response {
    html(StatusCode::OK, page::login(None))
}

/// The sign-in form's fields. No `Debug`: it holds a token.
#[derive(Deserialize)]
struct LoginForm {
    token: String,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    // A sign-in posted from another site (login CSRF) is refused; browsers say so.
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return html(
            StatusCode::FORBIDDEN,
            page::login(Some("Sign-in from another site refused.")),
        );
    }
    if let Err(wait) = state.logins.check(peer.ip(), Instant::now()) {
        tracing::warn!(client = %peer.ip(), "sign-in rate limit reached");
        let mut response = html(
            StatusCode::TOO_MANY_REQUESTS,
            page::login(Some(&format!(
                "Too many sign-in attempts from your address; try again in {} s.",
                wait.as_secs().max(1)
            ))),
        );
        if let Ok(v) = header::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let token = SecretString::from(form.token.trim().to_owned());
    drop(form);
    if !auth::plausible_token(&token) {
        return html(
            StatusCode::BAD_REQUEST,
            page::login(Some("That does not look like a bearer token.")),
        );
    }
    let client = match auth::client_for(&state.base, &token) {
        Ok(c) => c,
        Err(e) => {
            return html(
                StatusCode::INTERNAL_SERVER_ERROR,
                page::login(Some(&format!("Cannot build a Kubernetes client: {e}"))),
            );
        }
    };
    let user = match writes::who_am_i(&client).await {
        Ok(user) => user,
        Err(kube::Error::Api(e)) if e.code == 401 => {
            tracing::info!(client = %peer.ip(), "sign-in refused: the API server did not accept the token");
            return html(
                StatusCode::UNAUTHORIZED,
                page::login(Some(
                    "Kubernetes did not accept this token (401 Unauthorized).",
                )),
            );
        }
        Err(e) => {
            let e = ApiError::from(e);
            return html(
                e.status(),
                page::login(Some(&format!("Cannot check the token: {}", e.message))),
            );
        }
    };
    let (cookie, _) = state
        .sessions
        .create(user.clone(), token, client, Instant::now());
    tracing::info!(%user, client = %peer.ip(), "signed in");
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/".to_owned()),
            (header::SET_COOKIE, auth::session_cookie(&cookie)),
        ],
    )
        .into_response()
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    let now = Instant::now();
    for value in headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(auth::cookie_value)
    {
        if let Some(session) = state.sessions.get(value, now) {
            if !session.csrf_matches(Some(&form.csrf)) {
                return ApiError::from(super::state::NoCaller::Csrf).into_response();
            }
            tracing::info!(user = %session.user, "signed out");
            state.sessions.remove(value);
        }
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/login".to_owned()),
            (header::SET_COOKIE, auth::cleared_cookie()),
        ],
    )
        .into_response()
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        page::JS,
    )
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        page::CSS,
    )
}
