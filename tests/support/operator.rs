// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! `rustfs-operator server` as a separate process, authenticated as the `rustfs-operator`
//! ServiceAccount bound to the ClusterRole from `deploy/rbac.yaml`: the tests prove the
//! shipped RBAC is enough, not that cluster-admin is.

use std::fs::File;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use local_cluster::ControlPlane;

use super::{http_get, repo_path};

/// Applies `deploy/namespace.yaml` and `deploy/rbac.yaml` once, and returns a kubeconfig
/// that authenticates with a token of the operator's ServiceAccount.
pub fn operator_kubeconfig(cp: &ControlPlane) -> &'static str {
    static KUBECONFIG: OnceLock<String> = OnceLock::new();
    KUBECONFIG.get_or_init(|| {
        for f in ["deploy/namespace.yaml", "deploy/rbac.yaml"] {
            let path = repo_path(f);
            cp.kubectl_ok(["apply", "-f", path.to_str().unwrap()])
                .unwrap_or_else(|e| panic!("apply {f}: {e}"));
        }
        let token = cp
            .kubectl_ok([
                "create",
                "token",
                "rustfs-operator",
                "-n",
                "rustfs-system",
                "--duration=12h",
            ])
            .expect("a token for the operator's ServiceAccount");
        with_token(cp.kubeconfig_yaml(), token.trim())
    })
}

/// The admin kubeconfig with its user replaced by a bearer token.
fn with_token(admin: &str, token: &str) -> String {
    let mut doc: serde_yaml::Value = serde_yaml::from_str(admin).expect("kubeconfig YAML");
    let users = doc["users"].as_sequence_mut().expect("kubeconfig users");
    for user in users {
        user["user"] = serde_yaml::to_value(std::collections::BTreeMap::from([(
            "token".to_owned(),
            token.to_owned(),
        )]))
        .unwrap();
    }
    serde_yaml::to_string(&doc).unwrap()
}

/// A running operator. Killed (and reaped) on drop.
pub struct Operator {
    child: Option<Child>,
    dir: tempfile::TempDir,
    pub namespace: String,
    pub http: String,
    pub service_name: String,
    extra_env: Vec<(String, String)>,
    /// What `/readyz` must say before [`Operator::start`] returns: `ready` (the leader,
    /// caches synced) or `standby`.
    expect: &'static str,
}

/// How to start an operator.
#[derive(Clone, Debug, Default)]
pub struct OperatorOptions {
    /// OTLP/HTTP endpoint to export spans to.
    pub otlp_http: Option<String>,
    /// `--rollout-stall-after` in seconds.
    pub rollout_stall_after: Option<u64>,
    /// More environment variables (e.g. lease timings), after the defaults.
    pub env: Vec<(String, String)>,
}

/// The leader election as in a cluster: the Lease in rustfs-system (the Role of
/// deploy/rbac.yaml allows nothing else), named after the watched namespace, with short
/// timings so a restarted operator does not wait 15 s for the Lease of the one it replaced.
pub const LEASE_ENV: [(&str, &str); 4] = [
    ("POD_NAMESPACE", "rustfs-system"),
    ("RUSTFS_OPERATOR_LEASE_DURATION", "6"),
    ("RUSTFS_OPERATOR_LEASE_RENEW_DEADLINE", "4"),
    ("RUSTFS_OPERATOR_LEASE_RETRY_PERIOD", "1"),
];

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Operator {
    /// Starts an operator watching only `namespace` and waits until it is the leader with its
    /// caches synced (`/readyz` says `ready`).
    pub fn start(cp: &ControlPlane, namespace: &str, options: OperatorOptions) -> Operator {
        Self::start_as(cp, namespace, options, "ready")
    }

    /// Starts a second operator for `namespace` and waits until it is a standby.
    pub fn start_standby(cp: &ControlPlane, namespace: &str, options: OperatorOptions) -> Operator {
        Self::start_as(cp, namespace, options, "standby")
    }

    fn start_as(
        cp: &ControlPlane,
        namespace: &str,
        options: OperatorOptions,
        expect: &'static str,
    ) -> Operator {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("kubeconfig"), operator_kubeconfig(cp)).unwrap();
        let service_name = format!("rustfs-operator-{namespace}");
        let mut extra_env = vec![("OTEL_SERVICE_NAME".to_owned(), service_name.clone())];
        extra_env.extend(LEASE_ENV.map(|(k, v)| (k.to_owned(), v.to_owned())));
        if let Some(endpoint) = &options.otlp_http {
            extra_env.push(("OTEL_EXPORTER_OTLP_ENDPOINT".into(), endpoint.clone()));
            extra_env.push(("OTEL_EXPORTER_OTLP_PROTOCOL".into(), "http/protobuf".into()));
        }
        if let Some(s) = options.rollout_stall_after {
            extra_env.push(("RUSTFS_OPERATOR_ROLLOUT_STALL_AFTER".into(), s.to_string()));
        }
        extra_env.extend(options.env.iter().cloned());
        let mut op = Operator {
            child: None,
            dir,
            namespace: namespace.to_owned(),
            http: String::new(),
            service_name,
            extra_env,
            expect,
        };
        op.spawn();
        op
    }

    fn spawn(&mut self) {
        let port = free_port();
        self.http = format!("127.0.0.1:{port}");
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        // RUSTFS_OPERATOR_BIN: another build of the operator (the scale benchmark's A/B runs).
        let bin = std::env::var_os("RUSTFS_OPERATOR_BIN")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_rustfs-operator").into());
        let mut cmd = Command::new(bin);
        cmd.args([
            "server",
            "--namespace",
            &self.namespace,
            "--http-addr",
            &self.http,
        ])
        .env("KUBECONFIG", self.dir.path().join("kubeconfig"))
        .env("RUST_LOG", "info,rustfs_operator=debug")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("POD_NAME")
        .envs(self.extra_env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
        die_with_test(&mut cmd);
        self.child = Some(cmd.spawn().expect("start rustfs-operator server"));
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("operator exited early ({status}):\n{}", self.log_tail(40));
            }
            if http_get(&self.http, "/readyz")
                .is_some_and(|(code, body)| code == 200 && body.starts_with(self.expect))
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "operator not {} after 60 s:\n{}",
                self.expect,
                self.log_tail(40)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGKILL, as a crash would: no graceful shutdown.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait for a clean exit; returns the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("operator running");
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("operator ignored SIGTERM for 30 s:\n{}", self.log_tail(40));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts the operator again after [`Operator::kill`] or [`Operator::terminate`].
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// The operator's /metrics text.
    pub fn metrics(&self) -> String {
        match http_get(&self.http, "/metrics") {
            Some((200, body)) => body,
            other => panic!("scrape /metrics: {other:?}"),
        }
    }

    /// The Lease holder identity of this process and whether it leads, from
    /// `rustfs_operator_leader{identity="..."}` on /metrics.
    pub fn leadership(&self) -> Option<(String, bool)> {
        let (code, body) = http_get(&self.http, "/metrics")?;
        if code != 200 {
            return None;
        }
        body.lines().find_map(|l| {
            let rest = l.strip_prefix("rustfs_operator_leader{identity=\"")?;
            let (identity, value) = rest.split_once("\"} ")?;
            Some((identity.to_owned(), value.trim() == "1"))
        })
    }

    /// The exit status, once the process has exited on its own (None while it runs).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// The operator's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("operator.log")
    }

    /// The whole log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    pub fn log_tail(&self, lines: usize) -> String {
        let log = self.log();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for Operator {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- operator log ({}) ---\n{}",
                self.namespace,
                self.log_tail(60)
            );
        }
        self.kill();
    }
}

/// Makes a spawned process die with the test process (SIGKILL on the parent's death), even
/// when a test panics and never reaches a Drop.
pub fn die_with_test(cmd: &mut Command) {
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
