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

//! Starts a full local control plane and proves it behaves like a cluster:
//! a StatefulSet with a volumeClaimTemplate is scheduled onto kwok nodes, its
//! PVCs get bound volumes, its pods become Ready; and teardown leaves no
//! process and no temp dir behind.
//!
//! Needs the binaries from deploy/local/build.sh.

use local_cluster::{ControlPlane, Options, STORAGE_CLASS, pid_alive};
use std::time::{Duration, Instant};

const STATEFULSET: &str = r#"
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - port: 80
    name: http
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.example/never-pulled:1
        volumeMounts:
        - name: data
          mountPath: /data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
"#;

/// Plain HTTP/1.0 request to `http://127.0.0.1:<port>`; returns (status, body).
fn http(base: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = base.strip_prefix("http://").expect("http URL");
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<String>) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn statefulset_with_pvcs_becomes_ready_and_teardown_is_clean() {
    let started = Instant::now();
    let cp = ControlPlane::start(Options::full()).expect("control plane starts");
    eprintln!(
        "full control plane started in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    // Every component runs, on the versions build.sh pins.
    let pids = cp.pids();
    let names: Vec<&str> = pids.iter().map(|(n, _)| *n).collect();
    for want in [
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "kwok",
        "jaeger",
        "cert-manager-controller",
        "cert-manager-webhook",
    ] {
        assert!(names.contains(&want), "{want} not running: {names:?}");
    }
    let version = cp
        .kubectl_ok(["version", "-o", "json"])
        .expect("kubectl version");
    let v: serde_json::Value = serde_json::from_str(&version).expect("version json");
    assert_eq!(v["serverVersion"]["gitVersion"], "v1.36.3", "{version}");
    assert_eq!(v["clientVersion"]["gitVersion"], "v1.36.3", "{version}");

    // RBAC is on: an unprivileged service account may not list secrets.
    let ns = cp.new_namespace("lc-test").expect("namespace");
    let can = cp
        .kubectl([
            "auth",
            "can-i",
            "list",
            "secrets",
            "-n",
            &ns,
            &format!("--as=system:serviceaccount:{ns}:default"),
        ])
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&can.stdout).trim(), "no");

    // Fake nodes are Ready; the fake StorageClass is the default one.
    let nodes = cp.kubectl_ok(["get", "nodes", "-o", r#"jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}"#]).unwrap();
    assert_eq!(
        nodes.lines().filter(|l| l.ends_with("=True")).count(),
        3,
        "{nodes}"
    );
    let default_sc = cp
        .kubectl_ok([
            "get",
            "storageclass",
            STORAGE_CLASS,
            "-o",
            r#"jsonpath={.metadata.annotations.storageclass\.kubernetes\.io/is-default-class}"#,
        ])
        .unwrap();
    assert_eq!(default_sc, "true");

    cp.kubectl_stdin(["apply", "-n", &ns, "-f", "-"], STATEFULSET)
        .expect("apply statefulset");

    let ready = wait_for("2 ready replicas", Duration::from_secs(90), || {
        let out = cp
            .kubectl_ok([
                "get",
                "statefulset",
                "web",
                "-n",
                &ns,
                "-o",
                "jsonpath={.status.readyReplicas}",
            ])
            .ok()?;
        (out.trim() == "2").then_some(out)
    });
    assert_eq!(ready.trim(), "2");

    // The pods really went through the scheduler onto fake nodes, and their
    // claims are bound to provisioned volumes.
    let pods = cp.kubectl_ok(["get", "pods", "-n", &ns, "-l", "app=web", "-o", r#"jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} {.status.podIP}{"\n"}{end}"#]).unwrap();
    let lines: Vec<&str> = pods.lines().collect();
    assert_eq!(lines.len(), 2, "{pods}");
    for line in &lines {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 4, "{line}");
        assert!(
            cp.nodes().iter().any(|n| n == f[1]),
            "pod on unknown node: {line}"
        );
        assert_eq!(f[2], "Running", "{line}");
    }
    let pvcs = cp.kubectl_ok(["get", "pvc", "-n", &ns, "-o", r#"jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.spec.storageClassName} {.spec.volumeName}{"\n"}{end}"#]).unwrap();
    let mut claims: Vec<&str> = pvcs.lines().collect();
    claims.sort();
    assert_eq!(claims.len(), 2, "{pvcs}");
    for (i, line) in claims.iter().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f[0], format!("data-web-{i}"), "{line}");
        assert_eq!(f[1], "Bound", "{line}");
        assert_eq!(f[2], STORAGE_CLASS, "{line}");
        let pv_phase = cp
            .kubectl_ok(["get", "pv", f[3], "-o", "jsonpath={.status.phase}"])
            .unwrap();
        assert_eq!(pv_phase, "Bound", "pv of {line}");
    }

    // Scale down: kwok finishes the deletion, the StatefulSet converges.
    cp.kubectl_ok(["scale", "statefulset", "web", "-n", &ns, "--replicas=1"])
        .unwrap();
    wait_for("web-1 gone", Duration::from_secs(60), || {
        let out = cp.kubectl(["get", "pod", "web-1", "-n", &ns]).ok()?;
        (!out.status.success()).then(String::new)
    });

    // Jaeger takes a span over OTLP/HTTP and serves it on its query API.
    let query = cp.jaeger_query_url().expect("jaeger runs").to_string();
    assert!(cp.jaeger_otlp_grpc_endpoint().is_some());
    let otlp = cp
        .jaeger_otlp_http_endpoint()
        .expect("otlp http")
        .to_string();
    let span = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"lc-probe"}}]},
        "scopeSpans":[{"scope":{"name":"probe"},"spans":[{"traceId":"5b8efff798038103d269b633813fc60c",
        "spanId":"eee19b7ec3c1b174","name":"probe-span","kind":1,
        "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"}]}]}]}"#;
    let (status, body) = http(&otlp, "POST", "/v1/traces", Some(span));
    assert_eq!(status, 200, "OTLP export rejected: {body}");
    let found = wait_for("span in jaeger", Duration::from_secs(30), || {
        let (status, body) = http(
            &query,
            "GET",
            "/api/traces/5b8efff798038103d269b633813fc60c",
            None,
        );
        (status == 200 && body.contains("probe-span")).then_some(body)
    });
    assert!(found.contains("lc-probe"), "{found}");

    // Teardown: every component process is gone and the temp dir removed.
    let root = cp.root_dir().to_path_buf();
    assert!(root.exists());
    let pids = cp.pids();
    let t = Instant::now();
    drop(cp);
    eprintln!("teardown took {:.1}s", t.elapsed().as_secs_f64());
    for (name, pid) in pids {
        assert!(
            !pid_alive(pid),
            "{name} (pid {pid}) still alive after teardown"
        );
    }
    assert!(!root.exists(), "temp dir {} still exists", root.display());
}

#[test]
fn apiserver_only_start_and_missing_binaries_error() {
    let t = Instant::now();
    let cp = ControlPlane::start(Options::apiserver_only()).expect("apiserver starts");
    eprintln!(
        "apiserver-only control plane started in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    assert_eq!(cp.pids().len(), 2);
    // Without controllers nothing creates ServiceAccounts; CRDs still work.
    let out = cp
        .kubectl_ok([
            "api-resources",
            "--api-group=apiextensions.k8s.io",
            "-o",
            "name",
        ])
        .unwrap();
    assert!(out.contains("customresourcedefinitions"), "{out}");
    let kubeconfig = std::fs::read_to_string(cp.kubeconfig_path()).unwrap();
    assert!(kubeconfig.contains(cp.apiserver_url()));
    drop(cp);

    let mut opts = Options::apiserver_only();
    opts.bin_dir = Some(std::env::temp_dir().join("local-cluster-no-such-bin-dir"));
    let err = ControlPlane::start(opts).expect_err("must fail without binaries");
    assert!(
        err.to_string().contains("run deploy/local/build.sh"),
        "{err}"
    );
}

#[test]
fn binaries_key_matches_build_sh() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../build.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .arg("--print-key")
        .output()
        .expect("run build.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        local_cluster::BINARIES_KEY
    );
}

/// Direct children of `pid`, from /proc.
fn children_of(pid: u32) -> Vec<u32> {
    let mut kids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // Fields after the parenthesised command name: state, ppid, ...
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        if rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok())
            == Some(pid)
        {
            kids.push(child);
        }
    }
    kids
}

#[test]
fn local_cluster_up_writes_env_and_cleans_up_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let env_out = dir.path().join("cluster.env");
    let kc_out = dir.path().join("kubeconfig");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_local-cluster"))
        .arg("up")
        .arg("--env-out")
        .arg(&env_out)
        .arg("--kubeconfig-out")
        .arg(&kc_out)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start local-cluster up");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !env_out.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("local-cluster up exited early: {status}");
        }
        assert!(Instant::now() < deadline, "env file never appeared");
        std::thread::sleep(Duration::from_millis(100));
    }
    let env = std::fs::read_to_string(&env_out).unwrap();
    assert!(
        env.contains(&format!(
            "export KUBECONFIG={}",
            kc_out.canonicalize().unwrap().display()
        )),
        "{env}"
    );
    let components = children_of(child.id());
    assert_eq!(
        components.len(),
        2,
        "etcd + kube-apiserver expected, got {components:?}"
    );

    // The written kubeconfig reaches the API server with admin rights.
    let bin = env
        .lines()
        .find_map(|l| l.strip_prefix("export LOCAL_CLUSTER_BIN_DIR="))
        .expect("bin dir in env");
    let out = std::process::Command::new(format!("{bin}/kubectl"))
        .arg(format!("--kubeconfig={}", kc_out.display()))
        .args(["auth", "can-i", "*", "*"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "yes");

    // SAFETY: signalling the child we spawned.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "local-cluster up exit status {status}");
    for pid in components {
        assert!(
            !pid_alive(pid),
            "component pid {pid} survived local-cluster up"
        );
    }
    assert!(
        !env_out.exists() && !kc_out.exists(),
        "env/kubeconfig files left behind"
    );
}
