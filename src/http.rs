// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The operator's own HTTP endpoints: `/metrics` (OpenMetrics text), `/healthz` (the process
//! is serving) and `/readyz` (the controller's caches are synced, or this process is a
//! standby of the leader election).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use snafu::{ResultExt as _, Snafu};
use tokio::net::TcpListener;

use crate::metrics::Metrics;

/// Content type of `/metrics`: the OpenMetrics text format, the only Prometheus format that
/// carries exemplars.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Errors of the HTTP server.
#[derive(Debug, Snafu)]
pub enum Error {
    #[snafu(display("cannot listen on {addr}"))]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[snafu(display("the HTTP server failed"))]
    Serve { source: std::io::Error },
}

/// What `/readyz` answers: whether the controller is ready (its caches synced), or whether
/// this process is a standby of the leader election. Cheap to clone; every clone sees the
/// same state.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<ReadyState>);

#[derive(Debug, Default)]
struct ReadyState {
    ready: AtomicBool,
    standby: AtomicBool,
}

impl Readiness {
    /// A handle that starts not ready.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks the controller ready (`/readyz` answers 200).
    pub fn set_ready(&self) {
        self.0.ready.store(true, Ordering::Release);
    }

    /// Marks the process not ready (`/readyz` answers 503), e.g. while shutting down.
    pub fn set_not_ready(&self) {
        self.0.ready.store(false, Ordering::Release);
    }

    /// A standby of the leader election: ready to take over, so `/readyz` answers 200 with
    /// the body `standby` (see docs/operations.md, "Leader election", for why not 503).
    pub fn set_standby(&self) {
        self.0.standby.store(true, Ordering::Release);
        self.0.ready.store(true, Ordering::Release);
    }

    /// This process became the leader: not ready until its caches have synced.
    pub fn set_leading(&self) {
        self.0.ready.store(false, Ordering::Release);
        self.0.standby.store(false, Ordering::Release);
    }

    pub fn is_ready(&self) -> bool {
        self.0.ready.load(Ordering::Acquire)
    }

    pub fn is_standby(&self) -> bool {
        self.0.standby.load(Ordering::Acquire)
    }
}

#[derive(Clone)]
struct AppState {
    metrics: Metrics,
    readiness: Readiness,
}

/// The router with the three endpoints (useful to mount elsewhere, or to test without a
/// socket).
pub fn router(metrics: Metrics, readiness: Readiness) -> Router {
    Router::new()
        .route("/metrics", get(metrics_handler))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(AppState { metrics, readiness })
}

/// Listens on `addr` and serves until `shutdown` completes; in-flight requests finish first.
pub async fn serve(
    addr: SocketAddr,
    metrics: Metrics,
    readiness: Readiness,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let listener = TcpListener::bind(addr).await.context(BindSnafu { addr })?;
    serve_on(listener, metrics, readiness, shutdown).await
}

/// Like [`serve`] on a listener that is already bound (e.g. to port 0 in tests).
pub async fn serve_on(
    listener: TcpListener,
    metrics: Metrics,
    readiness: Readiness,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving /metrics, /healthz and /readyz");
    }
    axum::serve(listener, router(metrics, readiness))
        .with_graceful_shutdown(shutdown)
        .await
        .context(ServeSnafu)
}

async fn metrics_handler(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE)],
        state.metrics.encode(),
    )
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match (state.readiness.is_ready(), state.readiness.is_standby()) {
        (true, false) => (StatusCode::OK, "ready\n"),
        (true, true) => (
            StatusCode::OK,
            "standby: not the leader; ready to take over\n",
        ),
        (false, false) => (StatusCode::SERVICE_UNAVAILABLE, "caches not synced yet\n"),
        (false, true) => (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n"),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};

    use super::*;
    use crate::metrics::ReconcileResult;

    struct Reply {
        status: u16,
        content_type: Option<String>,
        body: String,
    }

    /// One HTTP/1.0 GET over a real socket (HTTP/1.0 so the body ends at close, no chunking).
    async fn get(addr: SocketAddr, path: &str) -> Reply {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
            let mut raw = String::new();
            stream.read_to_string(&mut raw).unwrap();
            let (head, body) = raw.split_once("\r\n\r\n").expect("header/body separator");
            let mut lines = head.lines();
            let status = lines
                .next()
                .unwrap()
                .split(' ')
                .nth(1)
                .unwrap()
                .parse()
                .unwrap();
            let content_type = lines.find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-type")
                    .then(|| value.trim().to_owned())
            });
            Reply {
                status,
                content_type,
                body: body.to_owned(),
            }
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn endpoints_answer_over_a_real_socket_and_shut_down_gracefully() {
        let metrics = Metrics::new();
        let readiness = Readiness::new();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_on(
            listener,
            metrics.clone(),
            readiness.clone(),
            async move {
                let _ = stopped.await;
            },
        ));

        let health = get(addr, "/healthz").await;
        assert_eq!(health.status, 200);

        let not_ready = get(addr, "/readyz").await;
        assert_eq!(not_ready.status, 503);
        readiness.set_ready();
        assert_eq!(get(addr, "/readyz").await.status, 200);
        readiness.set_not_ready();
        assert_eq!(get(addr, "/readyz").await.status, 503);

        // A standby is ready to take over, and says what it is.
        readiness.set_standby();
        let standby = get(addr, "/readyz").await;
        assert_eq!(standby.status, 200);
        assert!(standby.body.starts_with("standby"), "{}", standby.body);
        readiness.set_not_ready();
        let stopping = get(addr, "/readyz").await;
        assert_eq!(
            (stopping.status, stopping.body.as_str()),
            (503, "shutting down\n")
        );
        // Elected: not ready until the caches sync.
        readiness.set_leading();
        let leading = get(addr, "/readyz").await;
        assert_eq!(leading.status, 503);
        assert!(leading.body.contains("caches"), "{}", leading.body);
        readiness.set_ready();
        assert_eq!(get(addr, "/readyz").await.body, "ready\n");

        metrics.record_reconcile(
            ReconcileResult::Ok,
            std::time::Duration::from_millis(12),
            Some("4bf92f3577b34da6a3ce929d0e0e4736"),
        );
        let scrape = get(addr, "/metrics").await;
        assert_eq!(scrape.status, 200);
        assert_eq!(
            scrape.content_type.as_deref(),
            Some(OPENMETRICS_CONTENT_TYPE)
        );
        assert!(
            scrape
                .body
                .lines()
                .any(|l| l == r#"rustfs_operator_reconciles_total{result="ok"} 1"#),
            "{}",
            scrape.body
        );
        assert!(
            scrape
                .body
                .contains(r#"# {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"}"#)
        );
        assert!(scrape.body.ends_with("# EOF\n"));

        assert_eq!(get(addr, "/nope").await.status, 404);

        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
        assert!(
            std::net::TcpStream::connect(addr).is_err(),
            "the listener is closed after shutdown"
        );
    }

    #[tokio::test]
    async fn bind_errors_name_the_address() {
        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = taken.local_addr().unwrap();
        let err = serve(
            addr,
            Metrics::new(),
            Readiness::new(),
            std::future::pending(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, Error::Bind { .. }));
        assert!(err.to_string().contains(&addr.to_string()), "{err}");
    }
}
