// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The command line as a user runs it: `crd`, `--version`, `--help`, the clear exits of
//! `server` when the cluster is unreachable or the CRD is missing, and of `console` without
//! a configuration or a free port.

mod support;

use std::process::{Command, Output};

use local_cluster::{ControlPlane, Options};

fn operator(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rustfs-operator"))
        .args(args)
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .output()
        .expect("run rustfs-operator")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn crd_prints_the_committed_crd() {
    let out = operator(&["crd"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), support::read("deploy/crd/tenant.yaml"));
}

#[test]
fn crd_dash_f_writes_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crd.yaml");
    let out = operator(&["crd", "-f", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "nothing on stdout with -f");
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("name: tenants.rustfs.com"));

    let bad = operator(&["crd", "-f", "/nonexistent-dir/crd.yaml"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("cannot write the CRD to /nonexistent-dir/crd.yaml"));
}

#[test]
fn version_names_the_commit() {
    let out = operator(&["--version"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("rustfs-operator 0.1.0 (commit "), "{text}");
    assert!(
        !text.contains("commit unknown"),
        "built inside git, the commit is known: {text}"
    );
}

#[test]
fn help_lists_the_commands_and_flag_env_vars() {
    let top = stdout(&operator(&["--help"]));
    for cmd in ["crd", "server", "console"] {
        assert!(top.contains(cmd), "{cmd} missing from --help:\n{top}");
    }
    let console = stdout(&operator(&["console", "--help"]));
    for flag in [
        "--addr",
        "[env: RUSTFS_CONSOLE_ADDR=]",
        "[default: 0.0.0.0:9090]",
        "--jaeger-url",
        "[env: RUSTFS_CONSOLE_JAEGER_URL=]",
        "--log-format",
    ] {
        assert!(
            console.contains(flag),
            "{flag} missing from console --help:\n{console}"
        );
    }
    let server = stdout(&operator(&["server", "--help"]));
    for flag in [
        "--namespace",
        "[env: WATCH_NAMESPACE=]",
        "--cluster-domain",
        "--default-image",
        "--http-addr",
        "--rollout-stall-after",
        "--log-format",
        "--concurrency",
        "[env: RUSTFS_OPERATOR_CONCURRENCY=]",
        "--storage-poll-interval",
        "[env: RUSTFS_OPERATOR_STORAGE_POLL_INTERVAL=]",
        "[default: 30]",
        "--storage-poll-concurrency",
        "[env: RUSTFS_OPERATOR_STORAGE_POLL_CONCURRENCY=]",
        "--admin-timeout",
        "[env: RUSTFS_OPERATOR_ADMIN_TIMEOUT=]",
        "--node-down-grace",
        "[env: RUSTFS_OPERATOR_NODE_DOWN_GRACE=]",
        "[default: 300]",
        "--leader-elect",
        "[env: RUSTFS_OPERATOR_LEADER_ELECT=]",
        "--lease-name",
        "--lease-namespace",
        "[env: POD_NAMESPACE=]",
        "--lease-duration",
        "[env: RUSTFS_OPERATOR_LEASE_DURATION=]",
        "--lease-renew-deadline",
        "[env: RUSTFS_OPERATOR_LEASE_RENEW_DEADLINE=]",
        "--lease-retry-period",
        "[env: RUSTFS_OPERATOR_LEASE_RETRY_PERIOD=]",
    ] {
        assert!(
            server.contains(flag),
            "{flag} missing from server --help:\n{server}"
        );
    }
}

#[test]
fn server_exits_clearly_when_the_cluster_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n\
         contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n\
         users:\n- name: u\n  user:\n    token: t\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rustfs-operator"))
        .args(["server", "--http-addr", "127.0.0.1:0"])
        .env("KUBECONFIG", &kubeconfig)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot reach the Kubernetes API server"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn console_exits_clearly_without_a_configuration_or_a_free_port() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rustfs-operator"))
        .args(["console", "--addr", "127.0.0.1:0"])
        .env("KUBECONFIG", dir.path().join("missing"))
        .env_remove("KUBERNETES_SERVICE_HOST")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot load a Kubernetes configuration"),
        "{}",
        stderr(&out)
    );

    // A configuration is enough to start (the console never calls the API server as
    // itself); a taken port is not.
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n\
         contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n\
         users:\n- name: u\n  user: {}\n",
    )
    .unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_rustfs-operator"))
        .args(["console", "--addr", &addr])
        .env("KUBECONFIG", &kubeconfig)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(&format!("cannot listen on {addr}")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn server_exits_clearly_when_the_crd_is_missing() {
    // A control plane of its own: the shared ones have the CRD installed.
    let cp = ControlPlane::start(Options::apiserver_only()).expect("control plane");
    let out = Command::new(env!("CARGO_BIN_EXE_rustfs-operator"))
        .args(["server", "--http-addr", "127.0.0.1:0"])
        .env("KUBECONFIG", cp.kubeconfig_path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("the Tenant CRD (tenants.rustfs.com) is not installed"),
        "{err}"
    );
    assert!(err.contains("rustfs-operator crd | kubectl apply"), "{err}");
}

#[test]
fn lease_timings_from_flags_or_environment_that_cannot_work_stop_the_server_first() {
    let server = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rustfs-operator"));
        cmd.args(["server", "--http-addr", "127.0.0.1:0"])
            .args(args)
            // No cluster at all: the timings are judged before any client is made.
            .env("KUBECONFIG", "/nonexistent/kubeconfig")
            .env_remove("KUBERNETES_SERVICE_HOST")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        for v in [
            "RUSTFS_OPERATOR_LEADER_ELECT",
            "RUSTFS_OPERATOR_LEASE_DURATION",
            "RUSTFS_OPERATOR_LEASE_RENEW_DEADLINE",
            "RUSTFS_OPERATOR_LEASE_RETRY_PERIOD",
        ] {
            cmd.env_remove(v);
        }
        cmd.envs(env.iter().copied());
        let out = cmd.output().unwrap();
        assert!(!out.status.success());
        stderr(&out)
    };
    let err = server(&[], &[("RUSTFS_OPERATOR_LEASE_RENEW_DEADLINE", "20")]);
    assert!(
        err.contains("--lease-renew-deadline (20 s) must be shorter than --lease-duration (15 s)"),
        "{err}"
    );
    let err = server(
        &["--lease-duration", "30"],
        &[
            ("RUSTFS_OPERATOR_LEASE_RENEW_DEADLINE", "20"),
            ("RUSTFS_OPERATOR_LEASE_RETRY_PERIOD", "20"),
        ],
    );
    assert!(
        err.contains("--lease-retry-period (20 s) must be at least 1 s and shorter than --lease-renew-deadline (20 s)"),
        "{err}"
    );
    // The flag wins over its variable.
    let err = server(
        &["--lease-renew-deadline", "5"],
        &[("RUSTFS_OPERATOR_LEASE_RENEW_DEADLINE", "20")],
    );
    assert!(!err.contains("--lease-renew-deadline ("), "{err}");
    // Election off: the timings do not matter; the process gets as far as the client.
    let err = server(
        &[],
        &[
            ("RUSTFS_OPERATOR_LEADER_ELECT", "false"),
            ("RUSTFS_OPERATOR_LEASE_RENEW_DEADLINE", "20"),
        ],
    );
    assert!(
        err.contains("cannot load a Kubernetes configuration"),
        "{err}"
    );
}

#[test]
fn storage_poll_settings_that_cannot_work_are_refused_with_the_flag_named() {
    for (flag, var) in [
        (
            "--storage-poll-concurrency",
            "RUSTFS_OPERATOR_STORAGE_POLL_CONCURRENCY",
        ),
        ("--admin-timeout", "RUSTFS_OPERATOR_ADMIN_TIMEOUT"),
    ] {
        for (args, env) in [(vec![flag, "0"], None), (vec![], Some((var, "0")))] {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_rustfs-operator"));
            cmd.arg("server")
                .args(&args)
                .env("KUBECONFIG", "/nonexistent/kubeconfig")
                .env_remove("KUBERNETES_SERVICE_HOST");
            if let Some((k, v)) = env {
                cmd.env(k, v);
            }
            let out = cmd.output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(2),
                "a usage error: {args:?} {env:?}"
            );
            let err = stderr(&out);
            assert!(
                err.contains(flag) && err.contains("0 is not in 1.."),
                "{flag} named with the range: {err}"
            );
        }
    }
}
