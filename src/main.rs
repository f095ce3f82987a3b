// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The `rustfs-operator` command line: parse, then dispatch. Logic lives in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};
use rustfs_operator::console::{self, ConsoleArgs};
use rustfs_operator::context::{OperatorConfig, StoragePolling};
use rustfs_operator::controller;
use rustfs_operator::http::{self, Readiness};
use rustfs_operator::leader::{self, Elector, LeaderArgs};
use rustfs_operator::metrics::Metrics;
use rustfs_operator::resources::BuildContext;
use rustfs_operator::telemetry::{self, TelemetryConfig};

const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("RUSTFS_OPERATOR_GIT_COMMIT"),
    ", built from a tree committed ",
    env!("RUSTFS_OPERATOR_BUILD_DATE"),
    ")"
);

/// Kubernetes operator for RustFS, an S3-compatible erasure-coded object store.
#[derive(Parser, Debug)]
#[command(name = "rustfs-operator", version = VERSION, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the controller: reconcile every Tenant (in-cluster, or from KUBECONFIG).
    Server(ServerArgs),
    /// Serve the web console and its JSON API, acting as each caller (their bearer token).
    Console(ConsoleCommand),
    /// Print the Tenant CustomResourceDefinition as YAML (or write it to a file).
    Crd {
        /// Write the CRD to this file instead of standard output.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

/// Flags of `server`; each has an environment-variable fallback for Deployments.
#[derive(clap::Args, Debug)]
struct ServerArgs {
    /// Watch Tenants in this namespace only (default: all namespaces).
    #[arg(long, env = "WATCH_NAMESPACE")]
    namespace: Option<String>,
    /// DNS domain of the cluster, used in the pod addresses of RUSTFS_VOLUMES.
    #[arg(long, env = "CLUSTER_DOMAIN", default_value = rustfs_operator::resources::DEFAULT_CLUSTER_DOMAIN)]
    cluster_domain: String,
    /// RustFS image for Tenants that do not set spec.image.
    #[arg(long, env = "RUSTFS_DEFAULT_IMAGE", default_value = rustfs_operator::api::v1alpha1::DEFAULT_IMAGE)]
    default_image: String,
    /// Address of the /metrics, /healthz and /readyz endpoints.
    #[arg(
        long,
        env = "RUSTFS_OPERATOR_HTTP_ADDR",
        default_value = "0.0.0.0:8080"
    )]
    http_addr: SocketAddr,
    /// Seconds a rollout may go without progress before the Tenant is Degraded.
    #[arg(
        long,
        env = "RUSTFS_OPERATOR_ROLLOUT_STALL_AFTER",
        default_value_t = 600
    )]
    rollout_stall_after: u64,
    /// Tenants reconciled at the same time.
    #[arg(long, env = "RUSTFS_OPERATOR_CONCURRENCY", default_value_t = 4)]
    concurrency: u16,
    /// Seconds between two storage health checks of each Ready or Degraded Tenant, through
    /// RustFS's admin API (jittered by a tenth); 0 turns them off.
    #[arg(
        long,
        env = "RUSTFS_OPERATOR_STORAGE_POLL_INTERVAL",
        default_value_t = 30
    )]
    storage_poll_interval: u64,
    /// Tenants whose storage is checked at the same time.
    #[arg(
        long,
        env = "RUSTFS_OPERATOR_STORAGE_POLL_CONCURRENCY",
        default_value_t = 4,
        value_parser = clap::value_parser!(u16).range(1..)
    )]
    storage_poll_concurrency: u16,
    /// Seconds one admin API call may take before it counts as a timeout (retried).
    #[arg(long, env = "RUSTFS_OPERATOR_ADMIN_TIMEOUT", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    admin_timeout: u64,
    /// Seconds a Node must be NotReady or unreachable before a Tenant's
    /// podDeletionPolicyWhenNodeIsDown acts on its pods there.
    #[arg(
        long,
        env = "RUSTFS_OPERATOR_NODE_DOWN_GRACE",
        default_value_t = rustfs_operator::nodes::DEFAULT_NODE_DOWN_GRACE.as_secs()
    )]
    node_down_grace: u64,
    #[command(flatten)]
    leader: LeaderArgs,
    #[command(flatten)]
    telemetry: TelemetryConfig,
}

/// Flags of `console`.
#[derive(clap::Args, Debug)]
struct ConsoleCommand {
    #[command(flatten)]
    console: ConsoleArgs,
    #[command(flatten)]
    telemetry: TelemetryConfig,
}

/// Runs `work` on a fresh multi-threaded runtime; an error is printed and fails the process.
fn block_on(work: impl std::future::Future<Output = Result<(), String>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(work) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Server(args) => block_on(server(args)),
        Command::Console(args) => block_on(console(args)),
        Command::Crd { file } => {
            let yaml = rustfs_operator::crd::tenant_crd_yaml();
            match file {
                None => {
                    print!("{yaml}");
                    ExitCode::SUCCESS
                }
                Some(path) => match std::fs::write(&path, yaml) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("error: cannot write the CRD to {}: {e}", path.display());
                        ExitCode::FAILURE
                    }
                },
            }
        }
    }
}

async fn server(args: ServerArgs) -> Result<(), String> {
    let guard = telemetry::init(&args.telemetry).map_err(|e| e.to_string())?;
    tracing::info!(version = VERSION, "starting rustfs-operator server");
    let result = run_server(args).await;
    if let Err(e) = &result {
        tracing::error!(error = %e, "server stopped on an error");
    }
    // Flush spans before exit, so a SIGTERM loses none.
    if let Err(e) = guard.shutdown().await {
        eprintln!("warning: telemetry shutdown: {e}");
    }
    result
}

async fn console(args: ConsoleCommand) -> Result<(), String> {
    let guard = telemetry::init(&args.telemetry).map_err(|e| e.to_string())?;
    tracing::info!(version = VERSION, "starting rustfs-operator console");
    let result = rustfs_operator::console::run(args.console, console::shutdown_signal())
        .await
        .map_err(|e| snafu::Report::from_error(e).to_string());
    if let Err(e) = &result {
        tracing::error!(error = %e, "console stopped on an error");
    }
    if let Err(e) = guard.shutdown().await {
        eprintln!("warning: telemetry shutdown: {e}");
    }
    result
}

/// A client that names this process in its User-Agent, so the API server's audit log tells
/// two operator processes apart.
async fn client(identity: &str) -> Result<kube::Client, String> {
    let mut config = kube::Config::infer().await.map_err(|e| {
        format!("cannot load a Kubernetes configuration (in-cluster or KUBECONFIG): {e}")
    })?;
    let agent = format!("rustfs-operator/{} ({identity})", env!("CARGO_PKG_VERSION"));
    if let Ok(value) = axum::http::HeaderValue::from_str(&agent) {
        config.headers.push((axum::http::header::USER_AGENT, value));
    }
    kube::Client::try_from(config).map_err(|e| format!("cannot build a Kubernetes client: {e}"))
}

async fn run_server(args: ServerArgs) -> Result<(), String> {
    args.leader.check().map_err(|e| e.to_string())?;
    let identity = leader::identity(
        std::env::var("POD_NAME").ok().as_deref(),
        std::env::var("HOSTNAME").ok().as_deref(),
    );
    let client = client(&identity).await?;
    let metrics = Metrics::new();
    metrics.set_leader(&identity, false);
    let readiness = Readiness::new();
    let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
    let http = tokio::spawn(http::serve(
        args.http_addr,
        metrics.clone(),
        readiness.clone(),
        async move {
            let _ = http_stopped.await;
        },
    ));
    let lease = args
        .leader
        .lease(
            args.namespace.as_deref(),
            client.default_namespace(),
            identity.clone(),
        )
        .map_err(|e| e.to_string())?;
    let config = OperatorConfig {
        namespace: args.namespace,
        build: BuildContext {
            cluster_domain: args.cluster_domain,
            default_image: args.default_image,
        },
        machine: machine::Config {
            rollout_stall_after: Duration::from_secs(args.rollout_stall_after),
        },
        concurrency: args.concurrency,
        storage: StoragePolling {
            interval: Duration::from_secs(args.storage_poll_interval),
            concurrency: usize::from(args.storage_poll_concurrency),
            client: rustfs_operator::admin::Settings {
                timeout: Duration::from_secs(args.admin_timeout),
                retry_for: Duration::from_secs(args.admin_timeout * 2),
            },
        },
        node_down_grace: Duration::from_secs(args.node_down_grace),
    };
    let result = match lease {
        None => {
            metrics.set_leader(&identity, true);
            controller::run(client, config, metrics, readiness)
                .await
                .map_err(|e| e.to_string())
        }
        Some(lease) => lead(client, lease, config, metrics, readiness).await,
    };
    let _ = stop_http.send(());
    match http.await {
        Ok(Err(e)) => return Err(format!("metrics endpoint: {e}")),
        Err(e) => return Err(format!("metrics endpoint task: {e}")),
        Ok(Ok(())) => {}
    }
    result
}

/// Waits as a standby until this process holds the Lease, then runs the controller until
/// shutdown or until leadership is lost. Losing it drops the controller at once (no
/// reconcile runs past that point) and ends the process with an error, so the kubelet
/// restarts it as a fresh standby.
async fn lead(
    client: kube::Client,
    lease: leader::LeaseConfig,
    config: OperatorConfig,
    metrics: Metrics,
    readiness: Readiness,
) -> Result<(), String> {
    // Before competing: a standby with a missing CRD should fail now, not at takeover.
    controller::preflight(&client, config.namespace.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    let identity = lease.identity.clone();
    let mut elector = Elector::start(client.clone(), lease)
        .await
        .map_err(|e| e.to_string())?;
    readiness.set_standby();
    tokio::select! {
        acquired = elector.acquired() => acquired.map_err(|e| e.to_string())?,
        () = controller::shutdown_signal(readiness.clone()) => {
            elector.release().await;
            return Ok(());
        }
    }
    tracing::info!(%identity, lease = %elector.config().name, "became the leader; starting the controller");
    readiness.set_leading();
    metrics.set_leader(&identity, true);
    let result = tokio::select! {
        stopped = controller::run(client, config, metrics.clone(), readiness.clone()) => {
            stopped.map_err(|e| e.to_string())
        }
        lost = elector.lost() => {
            readiness.set_not_ready();
            metrics.set_leader(&identity, false);
            tracing::error!(error = %lost, "stopped reconciling");
            return Err(lost.to_string());
        }
    };
    metrics.set_leader(&identity, false);
    elector.release().await;
    result
}
