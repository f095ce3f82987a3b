// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Shared by the cluster test binaries: the control plane, clients, the CRD, and the
//! operator run as its own process under the ServiceAccount and RBAC from `deploy/`.

#![allow(dead_code)] // each test binary uses a different part

pub mod migration;
pub mod operator;
pub mod s3;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use kube::Client;
use kube::config::{KubeConfigOptions, Kubeconfig};
use local_cluster::{ControlPlane, Options};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the repository root.
pub fn repo_path(rel: &str) -> PathBuf {
    repo().join(rel)
}

/// The control plane of this test binary, started on first use with `options`.
pub fn cluster(options: Options) -> &'static ControlPlane {
    static CRD: OnceLock<()> = OnceLock::new();
    let cp = ControlPlane::shared_with(options).expect("start the local control plane");
    CRD.get_or_init(|| install_crd(cp));
    cp
}

/// Installs the committed CRD and waits until it is served.
fn install_crd(cp: &ControlPlane) {
    let crd = repo_path("deploy/crd/tenant.yaml");
    cp.kubectl_ok(["apply", "--server-side", "-f", crd.to_str().unwrap()])
        .expect("the generated CRD installs");
    // `kubectl wait` fails outright while the CRD has no conditions yet: poll instead.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let established = cp
            .kubectl_ok([
                "get",
                "crd/tenants.rustfs.com",
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"Established\")].status}",
            ])
            .unwrap_or_default();
        if established.trim() == "True" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the CRD did not become Established"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A client with the control plane's admin credentials.
pub async fn admin_client(cp: &ControlPlane) -> Client {
    client_from_yaml(cp.kubeconfig_yaml()).await
}

/// A client from kubeconfig YAML.
pub async fn client_from_yaml(yaml: &str) -> Client {
    let kubeconfig = Kubeconfig::from_yaml(yaml).expect("kubeconfig parses");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("kubeconfig is usable");
    Client::try_from(config).expect("client builds")
}

/// Polls `check` every 250 ms until it returns `Some`, or panics after `timeout` with
/// `what` and the last observation.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let last = match check().await {
            Ok(v) => return v,
            Err(why) => why,
        };
        if Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}; last seen: {last}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The text of a file under the repository root.
pub fn read(rel: impl AsRef<Path>) -> String {
    let path = repo().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// `examples/*.yaml` (not the invalid ones), sorted.
pub fn example_files() -> Vec<PathBuf> {
    yaml_files(&repo_path("examples"))
}

/// `examples/invalid/*.yaml`, sorted.
pub fn invalid_example_files() -> Vec<PathBuf> {
    yaml_files(&repo_path("examples/invalid"))
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

/// The value of a `# key: value` header comment in an example.
pub fn header(text: &str, key: &str) -> Option<String> {
    let prefix = format!("# {key}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().to_owned())
}

/// A plain HTTP/1.0 GET against `host:port`: status code and body, `None` when nothing
/// answers. Enough for /readyz, /metrics and Jaeger's query API, without an HTTP client
/// runtime inside the tests' async runtime.
pub fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAccept: */*\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let code = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((code, body.to_owned()))
}

/// Write requests (create, update, patch, delete) that `user` made in `namespace`, from the
/// API server's audit log, as `verb resource/name` in order.
pub fn audited_writes(cp: &ControlPlane, user: &str, namespace: &str) -> Vec<String> {
    let log = std::fs::read_to_string(cp.audit_log_path()).unwrap_or_default();
    log.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|e| e["stage"] == "ResponseComplete")
        .filter(|e| e["user"]["username"] == user)
        .filter(|e| e["objectRef"]["namespace"] == namespace)
        .map(|e| {
            let sub = e["objectRef"]["subresource"]
                .as_str()
                .map(|s| format!("/{s}"))
                .unwrap_or_default();
            format!(
                "{} {}{sub}/{}",
                e["verb"].as_str().unwrap_or("?"),
                e["objectRef"]["resource"].as_str().unwrap_or("?"),
                e["objectRef"]["name"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// One write request from the audit log.
#[derive(Clone, Debug)]
pub struct AuditedWrite {
    /// When the API server received it.
    pub at: chrono::DateTime<chrono::Utc>,
    pub user_agent: String,
    pub namespace: String,
    /// `verb resource[/subresource]/name`.
    pub what: String,
}

/// Every write request whose User-Agent contains `agent` (the operator puts its Lease holder
/// identity there), in any namespace, in order.
pub fn audited_writes_by_agent(cp: &ControlPlane, agent: &str) -> Vec<AuditedWrite> {
    let log = std::fs::read_to_string(cp.audit_log_path()).unwrap_or_default();
    log.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|e| e["stage"] == "ResponseComplete")
        .filter(|e| e["userAgent"].as_str().is_some_and(|a| a.contains(agent)))
        .map(|e| {
            let sub = e["objectRef"]["subresource"]
                .as_str()
                .map(|s| format!("/{s}"))
                .unwrap_or_default();
            AuditedWrite {
                at: e["requestReceivedTimestamp"]
                    .as_str()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .expect("audit events carry requestReceivedTimestamp"),
                user_agent: e["userAgent"].as_str().unwrap_or_default().to_owned(),
                namespace: e["objectRef"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                what: format!(
                    "{} {}{sub}/{}",
                    e["verb"].as_str().unwrap_or("?"),
                    e["objectRef"]["resource"].as_str().unwrap_or("?"),
                    e["objectRef"]["name"].as_str().unwrap_or("")
                ),
            }
        })
        .collect()
}

/// The operator's user name in the audit log.
pub const OPERATOR_USER: &str = "system:serviceaccount:rustfs-system:rustfs-operator";

/// The value of an unlabelled or labelled sample in OpenMetrics text, summed over every
/// line whose name and labels contain all of `parts`.
pub fn metric_sum(text: &str, name: &str, parts: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.split(['{', ' ']).next() == Some(name))
        .filter(|l| parts.iter().all(|p| l.contains(p)))
        .filter_map(|l| {
            let sample = l.split(" # ").next().unwrap_or(l);
            sample.rsplit(' ').next()?.parse::<f64>().ok()
        })
        .sum()
}

/// Every span `service` exported to the control plane's Jaeger (query API, last hour, the
/// 200 newest traces), only of traces whose root is `operation` when one is given.
pub fn jaeger_spans(
    cp: &ControlPlane,
    service: &str,
    operation: Option<&str>,
) -> Result<Vec<serde_json::Value>, String> {
    let base = cp.jaeger_query_url().ok_or("Jaeger is not running")?;
    let addr = base.trim_start_matches("http://");
    let mut path = format!("/api/traces?service={service}&limit=200&lookback=1h");
    if let Some(op) = operation {
        path.push_str(&format!("&operation={}", op.replace(' ', "%20")));
    }
    let (code, body) = http_get(addr, &path).ok_or("Jaeger did not answer")?;
    if code != 200 {
        return Err(format!("Jaeger answered {code}: {body}"));
    }
    let doc: serde_json::Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    Ok(doc["data"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|trace| trace["spans"].as_array().cloned().unwrap_or_default())
        .collect())
}
