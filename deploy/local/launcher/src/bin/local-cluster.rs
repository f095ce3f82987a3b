// Copyright 2026 The rustfs-operator Authors.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

//! `local-cluster`: run the local control plane in the foreground.
//!
//! ```text
//! local-cluster up [--full] [--real-node] [--controllers] [--scheduler] [--nodes N]
//!                  [--jaeger] [--cert-manager] [--kubeconfig-out PATH] [--env-out PATH]
//! local-cluster bin-dir
//! ```
//!
//! `up` starts the control plane, writes the kubeconfig and an env file
//! (`export KEY=value` lines, usable from bash `source` and make `include`),
//! prints them, then runs until SIGINT/SIGTERM and tears everything down
//! (also removing the two written files, which would point at nothing).

use local_cluster::{CERT_MANAGER_CA_ISSUER, ControlPlane, Options, default_bin_dir};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

const USAGE: &str = "usage:
  local-cluster up [--full] [--real-node] [--controllers] [--scheduler] [--nodes N]
                   [--jaeger] [--cert-manager] [--kubeconfig-out PATH] [--env-out PATH]
  local-cluster bin-dir

`up` without component flags runs etcd + kube-apiserver only; --full adds
kube-controller-manager, kube-scheduler, 3 kwok nodes, Jaeger and cert-manager;
--cert-manager alone adds cert-manager (controller, webhook, CRDs) with a Ready
CA ClusterIssuer.";

struct Up {
    options: Options,
    kubeconfig_out: Option<PathBuf>,
    env_out: Option<PathBuf>,
}

fn parse_up(mut args: impl Iterator<Item = String>) -> Result<Up, String> {
    let mut up = Up {
        options: Options::apiserver_only(),
        kubeconfig_out: None,
        env_out: None,
    };
    while let Some(a) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| format!("{flag} needs a value"));
        match a.as_str() {
            "--full" => {
                let full = Options::full();
                up.options.controllers = true;
                up.options.scheduler = true;
                up.options.jaeger = true;
                up.options.cert_manager = true;
                up.options.kwok_nodes = up.options.kwok_nodes.max(full.kwok_nodes);
            }
            "--real-node" => {
                // A real node (containerd, kubelet, kube-proxy, CoreDNS) with the RustFS
                // and operator images; controllers, scheduler, cert-manager and Jaeger
                // (reachable from pods) come with it.
                let real = Options::real_node();
                up.options.jaeger = true;
                up.options.controllers = true;
                up.options.scheduler = true;
                up.options.cert_manager = true;
                up.options.real_node = true;
                up.options.operator_image = true;
                up.options.start_timeout = up.options.start_timeout.max(real.start_timeout);
            }
            "--controllers" => up.options.controllers = true,
            "--scheduler" => up.options.scheduler = true,
            "--jaeger" => up.options.jaeger = true,
            "--cert-manager" => up.options.cert_manager = true,
            "--nodes" => {
                let v = value("--nodes")?;
                up.options.kwok_nodes = v
                    .parse()
                    .map_err(|_| format!("--nodes: not a number: {v}"))?;
            }
            "--kubeconfig-out" => up.kubeconfig_out = Some(value("--kubeconfig-out")?.into()),
            "--env-out" => up.env_out = Some(value("--env-out")?.into()),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(up)
}

fn write_atomically(path: &PathBuf, data: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("partial");
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(data.as_bytes())?;
    }
    std::fs::rename(&tmp, path)
}

fn run_up(up: Up) -> Result<(), String> {
    // SAFETY: installing an async-signal-safe handler that only stores an atomic.
    unsafe {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
    eprintln!("local-cluster: starting ({:?})", up.options);
    let cp = ControlPlane::start(up.options).map_err(|e| e.to_string())?;

    for (what, at) in cp.startup_milestones() {
        eprintln!("local-cluster: {what} ready at {:.2}s", at.as_secs_f64());
    }
    let kubeconfig = match &up.kubeconfig_out {
        Some(path) => {
            write_atomically(path, cp.kubeconfig_yaml())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())
        }
        None => cp.kubeconfig_path().to_path_buf(),
    };
    let mut env = vec![
        ("KUBECONFIG", kubeconfig.display().to_string()),
        ("LOCAL_CLUSTER_APISERVER", cp.apiserver_url().to_string()),
        ("LOCAL_CLUSTER_BIN_DIR", cp.bin_dir().display().to_string()),
        ("LOCAL_CLUSTER_LOGS", cp.logs_dir().display().to_string()),
    ];
    if let (Some(query), Some(grpc), Some(http)) = (
        cp.jaeger_query_url(),
        cp.jaeger_otlp_grpc_endpoint(),
        cp.jaeger_otlp_http_endpoint(),
    ) {
        env.push(("JAEGER_QUERY_URL", query.to_string()));
        env.push(("OTEL_EXPORTER_OTLP_ENDPOINT", grpc.to_string()));
        env.push(("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc".to_string()));
        env.push(("LOCAL_CLUSTER_OTLP_HTTP_ENDPOINT", http.to_string()));
    }
    if let (Some(grpc), Some(http)) = (
        cp.jaeger_otlp_grpc_for_pods(),
        cp.jaeger_otlp_http_for_pods(),
    ) {
        env.push(("LOCAL_CLUSTER_POD_OTLP_GRPC_ENDPOINT", grpc.to_string()));
        env.push(("LOCAL_CLUSTER_POD_OTLP_HTTP_ENDPOINT", http.to_string()));
    }
    if cp.options().cert_manager {
        env.push((
            "LOCAL_CLUSTER_CA_ISSUER",
            CERT_MANAGER_CA_ISSUER.to_string(),
        ));
    }
    let env_text: String = env
        .iter()
        .map(|(k, v)| format!("export {k}={v}\n"))
        .collect();
    if let Some(path) = &up.env_out {
        write_atomically(path, &env_text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    print!("{env_text}");
    println!(
        "# local-cluster: ready in {:.1}s; Ctrl-C to stop",
        cp.started_in().as_secs_f64()
    );

    let mut result = Ok(());
    while !STOP.load(Ordering::SeqCst) {
        if let Err(e) = cp.check_running() {
            result = Err(e.to_string());
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!("local-cluster: stopping");
    drop(cp);
    for path in [&up.kubeconfig_out, &up.env_out].into_iter().flatten() {
        let _ = std::fs::remove_file(path);
    }
    result
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let outcome = match args.next().as_deref() {
        Some("up") => parse_up(args).and_then(run_up),
        Some("bin-dir") => {
            println!("{}", default_bin_dir().display());
            Ok(())
        }
        _ => Err(USAGE.into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("local-cluster: {e}");
            ExitCode::FAILURE
        }
    }
}
