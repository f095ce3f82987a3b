// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The `rustfs-operator` command line: parse, then dispatch. Logic lives in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};
use rustfs_operator::context::{OperatorConfig, StoragePolling};
use rustfs_operator::http::{self, Readiness};
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
    #[command(flatten)]
    telemetry: TelemetryConfig,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Server(args) => {
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
            match runtime.block_on(server(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
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

async fn run_server(args: ServerArgs) -> Result<(), String> {
    let client = kube::Client::try_default().await.map_err(|e| {
        format!("cannot load a Kubernetes configuration (in-cluster or KUBECONFIG): {e}")
    })?;
    let metrics = Metrics::new();
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
    };
    let result = rustfs_operator::controller::run(client, config, metrics, readiness)
        .await
        .map_err(|e| e.to_string());
    let _ = stop_http.send(());
    match http.await {
        Ok(Err(e)) => return Err(format!("metrics endpoint: {e}")),
        Err(e) => return Err(format!("metrics endpoint task: {e}")),
        Ok(Ok(())) => {}
    }
    result
}
