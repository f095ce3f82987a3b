// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! `rustfs-operator console`: a JSON API (`/api/v1`, described at `/api/v1/openapi.json`)
//! and web pages for Tenants, acting as the caller. Every Kubernetes call carries the
//! caller's own bearer token; the console's own identity is used for nothing (see
//! docs/console.md and ADR 0012).
//!
//! - [`auth`]: sessions, the sealed cookie, CSRF, the sign-in rate limit;
//! - [`state`]: shared state, the caller of a request, errors;
//! - [`api`]: the JSON API and its OpenAPI document;
//! - [`web`] and [`page`]: the server-rendered pages, `assets/` the script and stylesheet;
//! - [`reads`]: reads and watches as the caller ([`crate::effects::console`] holds the writes);
//! - [`view`]: rows of Tenants, pods, events (pure);
//! - [`trace`]: a transition's trace from Jaeger, as a waterfall (layout pure, SVG).

pub mod api;
pub mod auth;
pub mod html;
pub mod page;
pub mod reads;
pub mod state;
pub mod trace;
pub mod view;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use snafu::{ResultExt as _, Snafu};
use tokio::net::TcpListener;

use self::state::{AppState, Console};
use self::trace::Jaeger;

/// Flags of `console`; each has an environment-variable fallback.
#[derive(Debug, Clone, clap::Args)]
pub struct ConsoleArgs {
    /// Address of the console (pages, /api/v1, /healthz, /readyz).
    #[arg(long, env = "RUSTFS_CONSOLE_ADDR", default_value = "0.0.0.0:9090")]
    pub addr: SocketAddr,
    /// Jaeger's query API (e.g. http://jaeger-query:16686), to draw transitions' traces.
    #[arg(long, env = "RUSTFS_CONSOLE_JAEGER_URL")]
    pub jaeger_url: Option<String>,
}

/// Errors of the console.
#[derive(Debug, Snafu)]
pub enum Error {
    #[snafu(display(
        "cannot load a Kubernetes configuration (in-cluster or KUBECONFIG) to find the API server"
    ))]
    Config {
        source: kube::config::InferConfigError,
    },
    #[snafu(display("cannot listen on {addr}"))]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[snafu(display("the console's HTTP server failed"))]
    Serve { source: std::io::Error },
}

/// Serves the console until `shutdown` completes.
pub async fn run(
    args: ConsoleArgs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let config = kube::Config::infer().await.context(ConfigSnafu)?;
    tracing::info!(apiserver = %config.cluster_url, jaeger = ?args.jaeger_url, "console: acting as each caller");
    let console = Arc::new(Console::new(config, Jaeger::new(args.jaeger_url)));
    let listener = TcpListener::bind(args.addr)
        .await
        .context(BindSnafu { addr: args.addr })?;
    serve_on(listener, console, shutdown).await
}

/// Serves `console` on a bound listener.
pub async fn serve_on(
    listener: TcpListener,
    console: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "console listening");
    }
    console.set_ready(true);
    let app = router(console.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let stopping = console.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            stopping.stop();
        })
        .await
        .context(ServeSnafu)
}

/// Every route: the API (with its OpenAPI document), the pages, the probes.
pub fn router(console: AppState) -> Router {
    let (api, doc) = api::routes().split_for_parts();
    let doc = Arc::new(doc.to_pretty_json().unwrap_or_default());
    Router::new()
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], (*doc).clone()) }
            }),
        )
        .merge(web::routes())
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .layer(middleware::from_fn(guard))
        .with_state(console)
}

async fn readyz(State(console): State<AppState>) -> (StatusCode, &'static str) {
    if console.is_ready() {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not serving\n")
    }
}

/// Around every request: one log line (method, path, status, time; never a header or a
/// body), and the headers that keep the pages to their own origin.
async fn guard(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let status = response.status();
    if path != "/healthz" && path != "/readyz" {
        tracing::info!(%method, %path, status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "console request");
    }
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response.into_response()
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = term => {},
    }
    tracing::info!("console: shutdown requested");
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::time::Instant;

    use axum::body::Body;
    use axum::extract::connect_info::MockConnectInfo;
    use axum::http::{Method, Request, StatusCode, header};
    use http_body_util::BodyExt as _;
    use secrecy::SecretString;
    use tower::ServiceExt as _;

    use super::*;

    /// A console whose API server does not exist: enough for everything before a call.
    fn console() -> AppState {
        let config = kube::Config::new("https://127.0.0.1:9".parse().unwrap());
        Arc::new(Console::new(config, Jaeger::new(None)))
    }

    fn app(console: &AppState) -> Router {
        router(console.clone()).layer(MockConnectInfo(SocketAddr::from(([10, 1, 2, 3], 5555))))
    }

    async fn send(app: Router, request: Request<Body>) -> (StatusCode, http::HeaderMap, String) {
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    fn signed_in(console: &AppState) -> (String, String) {
        let client =
            auth::client_for(&console.base, &SecretString::from("t0ken-of-a-test")).unwrap();
        let (cookie, session) = console.sessions.create(
            "tester".into(),
            SecretString::from("t0ken-of-a-test"),
            client,
            Instant::now(),
        );
        (format!("{}={cookie}", auth::COOKIE), session.csrf.clone())
    }

    #[test]
    fn the_console_drops_the_credentials_of_its_own_configuration() {
        let mut config = kube::Config::new("https://10.0.0.1:6443".parse().unwrap());
        config.auth_info.token = Some(SecretString::from("the-console-own-token"));
        config.auth_info.username = Some("admin".into());
        config.auth_info.client_certificate_data = Some("cert".into());
        let console = Console::new(config, Jaeger::new(None));
        let kept = &console.base.auth_info;
        assert!(kept.token.is_none() && kept.username.is_none());
        assert!(kept.client_certificate_data.is_none() && kept.token_file.is_none());
        // The address stays, and the console says who it is to the audit log.
        assert_eq!(console.base.cluster_url, "https://10.0.0.1:6443");
        assert!(
            console
                .base
                .headers
                .iter()
                .any(|(name, value)| name == header::USER_AGENT
                    && value.to_str().unwrap().starts_with("rustfs-console/"))
        );
    }

    #[tokio::test]
    async fn anonymous_callers_get_401_from_the_api_and_the_sign_in_page_from_pages() {
        let console = console();
        let (status, _, body) = send(
            app(&console),
            Request::get("/api/v1/tenants").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("\"reason\":\"Unauthorized\""), "{body}");
        let (status, headers, _) = send(
            app(&console),
            Request::get("/").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[header::LOCATION], "/login");
        let (status, headers, body) = send(
            app(&console),
            Request::get("/login").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(r#"name="token""#));
        assert!(
            headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    }

    #[tokio::test]
    async fn a_write_with_the_cookie_but_without_the_csrf_token_is_refused() {
        let console = console();
        let (cookie, csrf) = signed_in(&console);
        let delete = |token: Option<&str>| {
            let mut r = Request::builder()
                .method(Method::DELETE)
                .uri("/api/v1/namespaces/a/tenants/b")
                .header(header::COOKIE, &cookie);
            if let Some(t) = token {
                r = r.header(auth::CSRF_HEADER, t);
            }
            r.body(Body::empty()).unwrap()
        };
        let (status, _, body) = send(app(&console), delete(None)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("CsrfTokenMissing"), "{body}");
        let (status, _, body) = send(app(&console), delete(Some("0123"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("CsrfTokenMissing"), "{body}");
        // With the token the request gets past the console and on to the (missing) API
        // server: 502, not a CSRF refusal.
        let (status, _, body) = send(app(&console), delete(Some(&csrf))).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
        // Reads need no CSRF token.
        let (status, _, body) = send(
            app(&console),
            Request::get("/api/v1/tenants")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
        // A bearer caller needs none either (a browser cannot send the header by itself).
        let (status, _, body) = send(
            app(&console),
            Request::delete("/api/v1/namespaces/a/tenants/b")
                .header(header::AUTHORIZATION, "Bearer some-api-token")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
        // Signing out needs the CSRF token too.
        let logout = |csrf: &str| {
            Request::post("/logout")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap()
        };
        let (status, _, _) = send(app(&console), logout("wrong")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(console.sessions.len(), 1);
        let (status, headers, _) = send(app(&console), logout(&csrf)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(
            headers[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        assert!(console.sessions.is_empty());
    }

    #[tokio::test]
    async fn sign_in_attempts_are_rate_limited_per_address() {
        let console = console();
        let attempt = || {
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("token=bad"))
                .unwrap()
        };
        for _ in 0..state::LOGIN_BURST {
            let (status, _, body) = send(app(&console), attempt()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        }
        let (status, headers, body) = send(app(&console), attempt()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(body.contains("Too many sign-in attempts"));
        assert!(headers.contains_key(header::RETRY_AFTER));
        // Another address is not held back.
        let other =
            router(console.clone()).layer(MockConnectInfo(SocketAddr::from(([10, 9, 9, 9], 1))));
        let (status, _, _) = send(other, attempt()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn the_openapi_document_and_the_probes_are_served() {
        let console = console();
        let (status, headers, body) = send(
            app(&console),
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        assert!(doc["paths"]["/api/v1/tenants"]["get"].is_object());
        let (status, _, _) = send(
            app(&console),
            Request::get("/healthz").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = send(
            app(&console),
            Request::get("/readyz").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        console.set_ready(true);
        let (status, _, _) = send(
            app(&console),
            Request::get("/readyz").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, headers, body) = send(
            app(&console),
            Request::get("/assets/console.js")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        assert!(body.contains("X-CSRF-Token"));
    }
}
