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
    Config { source: kube::config::InferConfigError },
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
            stopping.set_ready(false);
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
