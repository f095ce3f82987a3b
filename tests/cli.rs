// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The command line as a user runs it: `crd`, `--version`, `--help`, and the clear exits of
//! `server` when the cluster is unreachable or the CRD is missing.

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
    for cmd in ["crd", "server"] {
        assert!(top.contains(cmd), "{cmd} missing from --help:\n{top}");
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
