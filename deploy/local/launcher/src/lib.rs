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

//! A real, local Kubernetes control plane for tests and the demo.
//!
//! [`ControlPlane::start`] runs etcd and kube-apiserver on loopback (random
//! free ports, a freshly generated CA, RBAC on, service account signing keys)
//! and, when asked, kube-controller-manager, kube-scheduler, kwok with fake
//! Nodes (pods on them become Ready, PVCs of the `local-fake` StorageClass get
//! bound volumes), Jaeger and cert-manager (controller and webhook, with a CA
//! ClusterIssuer). The binaries come from `deploy/local/build.sh` and
//! `deploy/local/cert-manager.sh`.
//!
//! Dropping a [`ControlPlane`] stops every process and removes its temp dir.
//! [`ControlPlane::shared`] gives one lazily started instance per process (per
//! test binary); it is torn down at process exit, and because every child is
//! spawned with `PR_SET_PDEATHSIG=SIGKILL` nothing outlives a crashed or killed
//! test process either. Temp dirs of dead processes are swept on each start.
//!
//! ```no_run
//! use local_cluster::{ControlPlane, Options};
//! let cp = ControlPlane::start(Options::full()).unwrap();
//! let ns = cp.new_namespace("demo").unwrap();
//! cp.kubectl_ok(["get", "pods", "-n", &ns]).unwrap();
//! ```

mod cert_manager;
mod kubeconfig;
mod node;
mod pki;
mod proc;

pub use node::{HOST_IP, NODE_IP, NODE_NAME, POD_CIDR, REAL_NODE_LABEL, REAL_STORAGE_CLASS};

pub use proc::pid_alive;

pub use cert_manager::{
    CERT_MANAGER_BIN_ENV, CERT_MANAGER_CA_CERTIFICATE, CERT_MANAGER_CA_ISSUER, CERT_MANAGER_KEY,
    CERT_MANAGER_NAMESPACE, CERT_MANAGER_SELF_SIGNED_ISSUER, CERT_MANAGER_VERSION,
    CERT_MANAGER_WEBHOOK_CONFIGURATION, cert_manager_crds_dir, default_cert_manager_bin_dir,
};

use proc::{Proc, log_tail};
use std::ffi::OsStr;
use std::fmt;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Cache key of the binaries this checkout expects (see build.rs).
pub const BINARIES_KEY: &str = env!("LOCAL_CLUSTER_KEY");

/// Environment variable that points straight at a bin dir, bypassing the cache.
pub const BIN_ENV: &str = "RUSTFS_OPERATOR_CONTROLPLANE_BIN";

/// Name of the default StorageClass backed by kwok's fake provisioner.
pub const STORAGE_CLASS: &str = "local-fake";

/// Annotation that marks the Nodes kwok manages.
pub const KWOK_NODE_ANNOTATION: &str = "kwok.x-k8s.io/node";

/// Label put on every fake Node (value `true`).
pub const KWOK_NODE_LABEL: &str = "local-cluster.rustfs.com/kwok";

pub(crate) const SERVICE_CIDR: &str = "10.96.0.0/16";
const SERVICE_IP: &str = "10.96.0.1";
pub(crate) const TEMP_PREFIX: &str = "rustfs-lc-";
/// The scripts next to the launcher crate (images.sh builds the real node's images).
const LOCAL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const KWOK_STAGES: &str = include_str!("../../kwok-stages.yaml");
const JAEGER_CONFIG: &str = include_str!("../../jaeger.yaml");

/// Error of the launcher: a message, with the underlying cause when there is one.
#[derive(Debug)]
pub struct Error {
    message: String,
    source: Option<std::io::Error>,
}

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self {
            message: context.into(),
            source: Some(source),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(s) => write!(f, "{}: {s}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Audit policy: metadata of every write, nothing else.
const AUDIT_POLICY: &str = "apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    verbs: [create, update, patch, delete, deletecollection]
  - level: None
";

/// Audit policy with [`Options::audit_reads`]: metadata of every request, reads included.
const AUDIT_POLICY_WITH_READS: &str = "apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
";

/// What to run besides etcd and kube-apiserver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// kube-controller-manager (all default controllers, service account
    /// credentials per controller, no leader election).
    pub controllers: bool,
    /// kube-scheduler (no leader election).
    pub scheduler: bool,
    /// Number of fake Nodes; > 0 also starts kwok and creates the
    /// `local-fake` default StorageClass.
    pub kwok_nodes: usize,
    /// Jaeger all-in-one (OTLP in, query API out).
    pub jaeger: bool,
    /// A real node (containerd, kubelet, kube-proxy, CoreDNS in a network namespace of its
    /// own) running real containers, with `real_node_volumes` local PersistentVolumes of the
    /// `local-real` StorageClass. Needs root and the Debian packages of
    /// `deploy/local/node-packages.sh`; one per machine at a time.
    pub real_node: bool,
    /// Local PersistentVolumes made for the real node.
    pub real_node_volumes: usize,
    /// cert-manager: its CRDs, the webhook and the controller as host processes, and the
    /// issuer chain ending in the [`CERT_MANAGER_CA_ISSUER`] ClusterIssuer, Ready. Binaries
    /// from `deploy/local/cert-manager.sh` (or `$RUSTFS_OPERATOR_CERT_MANAGER_BIN`).
    pub cert_manager: bool,
    /// Also import the operator's image (`docker.io/rustfs/rustfs-operator:0.1.0`, built by
    /// `deploy/image/build-steps.sh`) into the real node.
    pub operator_image: bool,
    /// Where the binaries are; default: `$RUSTFS_OPERATOR_CONTROLPLANE_BIN`,
    /// else the build.sh cache directory for [`BINARIES_KEY`].
    pub bin_dir: Option<PathBuf>,
    /// Upper bound for the whole start.
    pub start_timeout: Duration,
    /// Audit reads too (get, list, watch), not only writes: for the scale benchmark's
    /// reads per Tenant. Costs an audit line per request.
    pub audit_reads: bool,
}

impl Options {
    /// etcd + kube-apiserver: enough for CRDs, admission, dry-run applies.
    pub fn apiserver_only() -> Self {
        Self {
            controllers: false,
            scheduler: false,
            kwok_nodes: 0,
            jaeger: false,
            real_node: false,
            real_node_volumes: 16,
            cert_manager: false,
            operator_image: false,
            bin_dir: None,
            start_timeout: Duration::from_secs(120),
            audit_reads: false,
        }
    }

    /// Everything: controllers, scheduler, 3 fake nodes, Jaeger, cert-manager.
    pub fn full() -> Self {
        Self {
            controllers: true,
            scheduler: true,
            kwok_nodes: 3,
            jaeger: true,
            cert_manager: true,
            ..Self::apiserver_only()
        }
    }

    /// Controllers, scheduler, cert-manager, Jaeger (reachable from pods) and the real node
    /// (with the operator image), no fake nodes: every pod runs for real.
    pub fn real_node() -> Self {
        Self {
            controllers: true,
            scheduler: true,
            kwok_nodes: 0,
            jaeger: true,
            real_node: true,
            cert_manager: true,
            operator_image: true,
            start_timeout: Duration::from_secs(300),
            ..Self::apiserver_only()
        }
    }

    /// True when a control plane started with `self` offers what `wanted` asks for.
    pub fn covers(&self, wanted: &Options) -> bool {
        (self.controllers || !wanted.controllers)
            && (self.scheduler || !wanted.scheduler)
            && self.kwok_nodes >= wanted.kwok_nodes
            && (self.jaeger || !wanted.jaeger)
            && (self.real_node || !wanted.real_node)
            && self.real_node_volumes >= wanted.real_node_volumes * usize::from(wanted.real_node)
            && (self.operator_image || !wanted.operator_image)
            && (self.cert_manager || !wanted.cert_manager)
            && (self.audit_reads || !wanted.audit_reads)
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::apiserver_only()
    }
}

/// Addresses of the Jaeger instance.
#[derive(Clone, Debug)]
struct JaegerEndpoints {
    query_url: String,
    otlp_grpc: String,
    otlp_http: String,
    /// With a real node: the OTLP endpoints as pods reach them (the host's veth address).
    for_pods: Option<(String, String)>,
}

/// A running control plane. Dropping it tears everything down.
pub struct ControlPlane {
    options: Options,
    bin_dir: PathBuf,
    cert_manager_bin: Option<PathBuf>,
    root: PathBuf,
    temp: Mutex<Option<tempfile::TempDir>>,
    procs: Mutex<Vec<Proc>>,
    kubeconfig_path: PathBuf,
    kubeconfig_yaml: String,
    apiserver_url: String,
    jaeger: Option<JaegerEndpoints>,
    nodes: Vec<String>,
    node: Mutex<Option<node::Node>>,
    ns_counter: AtomicU64,
    began: Instant,
    started_in: Duration,
    milestones: Mutex<Vec<(String, Duration)>>,
}

impl fmt::Debug for ControlPlane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ControlPlane")
            .field("apiserver_url", &self.apiserver_url)
            .field("root", &self.root)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Cache root used by build.sh and cert-manager.sh.
fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("RUSTFS_OPERATOR_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    home.join(".cache").join("rustfs-operator")
}

/// The directory the binaries are expected in (it may not exist yet).
pub fn default_bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(BIN_ENV) {
        return PathBuf::from(dir);
    }
    cache_root()
        .join("controlplane")
        .join(BINARIES_KEY)
        .join("bin")
}

fn resolve_bin_dir(options: &Options) -> Result<PathBuf> {
    let dir = options.bin_dir.clone().unwrap_or_else(default_bin_dir);
    let mut needed = vec!["etcd", "kube-apiserver", "kubectl"];
    if options.controllers {
        needed.push("kube-controller-manager");
    }
    if options.scheduler {
        needed.push("kube-scheduler");
    }
    if options.kwok_nodes > 0 {
        needed.push("kwok");
    }
    if options.jaeger {
        needed.push("jaeger");
    }
    if options.real_node {
        needed.extend(["kubelet", "kube-proxy", "coredns", "pause"]);
    }
    let missing: Vec<&str> = needed
        .into_iter()
        .filter(|b| !dir.join(b).is_file())
        .collect();
    if missing.is_empty() {
        return Ok(dir);
    }
    Err(Error::new(format!(
        "control plane binaries missing in {} ({}); run deploy/local/build.sh \
         (or set {BIN_ENV} to a directory holding them)",
        dir.display(),
        missing.join(", ")
    )))
}

/// Picks a loopback port nobody listens on. Ports handed out earlier in this
/// process are never reused, so one start cannot get the same port twice.
fn free_port() -> Result<u16> {
    static USED: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut used = USED.lock().unwrap_or_else(|p| p.into_inner());
    for _ in 0..64 {
        let l =
            TcpListener::bind("127.0.0.1:0").map_err(|e| Error::io("binding a probe port", e))?;
        let port = l
            .local_addr()
            .map_err(|e| Error::io("reading probe port", e))?
            .port();
        if !used.contains(&port) {
            used.push(port);
            return Ok(port);
        }
    }
    Err(Error::new("no free loopback port found"))
}

/// Minimal plain-HTTP GET against loopback; returns (status, body).
fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    http_get_addr("127.0.0.1", port, path)
}

/// Minimal plain-HTTP GET; returns (status, body).
pub(crate) fn http_get_addr(host: &str, port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let addr: std::net::SocketAddr = format!("{host}:{port}")
        .parse()
        .map_err(std::io::Error::other)?;
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n")?;
    let mut resp = String::new();
    s.read_to_string(&mut resp)?;
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("malformed HTTP response"))?;
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// Removes temp dirs (`$TMPDIR/rustfs-lc-<pid>-*`) left behind by processes
/// that no longer exist. Every [`ControlPlane::start`] calls it.
pub fn sweep_stale_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != me && !pid_alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn process_start_marker() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

impl ControlPlane {
    /// Starts a control plane; returns once every requested component is
    /// ready (apiserver /readyz, default ServiceAccount, Ready nodes, Jaeger
    /// health, cert-manager's CA ClusterIssuer Ready and its webhook admitting).
    pub fn start(options: Options) -> Result<Self> {
        let began = Instant::now();
        let deadline = began + options.start_timeout;
        sweep_stale_dirs();
        let bin_dir = resolve_bin_dir(&options)?;
        let cert_manager_bin = if options.cert_manager {
            Some(cert_manager::resolve_bin_dir()?)
        } else {
            None
        };

        let temp = tempfile::Builder::new()
            .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
            .tempdir()
            .map_err(|e| Error::io("creating temp dir", e))?;
        let root = temp.path().to_path_buf();
        let logs = root.join("logs");
        std::fs::create_dir_all(&logs).map_err(|e| Error::io("creating logs dir", e))?;

        // PKI and kubeconfigs.
        let pki = pki::Pki::new()?;
        let serving = pki.serving(SERVICE_IP, node::HOST_IP)?;
        let files = pki.write_files(&root.join("pki"), &serving)?;
        let admin = pki.client("local-cluster-admin", Some("system:masters"))?;

        let etcd_port = free_port()?;
        let etcd_peer_port = free_port()?;
        let api_port = free_port()?;
        let apiserver_url = format!("https://127.0.0.1:{api_port}");
        let kubeconfig_yaml = kubeconfig::render(
            &apiserver_url,
            &pki.ca_cert_pem,
            "local-cluster-admin",
            &admin,
        );
        let kubeconfig_path = root.join("kubeconfig");
        pki::write_private(&kubeconfig_path, kubeconfig_yaml.as_bytes())?;

        let mut cp = ControlPlane {
            options: options.clone(),
            bin_dir,
            cert_manager_bin: cert_manager_bin.clone(),
            root: root.clone(),
            temp: Mutex::new(Some(temp)),
            procs: Mutex::new(Vec::new()),
            kubeconfig_path,
            kubeconfig_yaml,
            apiserver_url,
            jaeger: None,
            nodes: Vec::new(),
            node: Mutex::new(None),
            ns_counter: AtomicU64::new(0),
            began,
            started_in: Duration::ZERO,
            milestones: Mutex::new(Vec::new()),
        };
        // From here on an early return drops `cp`, which stops what started.
        let image_tarballs = if options.real_node {
            let tarballs = cp.build_images(options.operator_image)?;
            let node = node::Node::prepare(&root, deadline)?;
            *cp.node.lock().unwrap_or_else(|p| p.into_inner()) = Some(node);
            cp.mark("real node network");
            tarballs
        } else {
            Vec::new()
        };

        let p = |s: &Path| s.display().to_string();
        let etcd_url = format!("http://127.0.0.1:{etcd_port}");
        let peer_url = format!("http://127.0.0.1:{etcd_peer_port}");
        cp.spawn(
            "etcd",
            vec![
                "--name=local".into(),
                format!("--data-dir={}", p(&root.join("etcd"))),
                format!("--listen-client-urls={etcd_url}"),
                format!("--advertise-client-urls={etcd_url}"),
                format!("--listen-peer-urls={peer_url}"),
                format!("--initial-advertise-peer-urls={peer_url}"),
                format!("--initial-cluster=local={peer_url}"),
                "--unsafe-no-fsync=true".into(),
                "--log-level=warn".into(),
            ],
            &[],
        )?;
        cp.wait_until(deadline, "etcd /health", || {
            Ok(matches!(http_get(etcd_port, "/health"), Ok((200, body)) if body.contains("true")))
        })?;

        let audit_policy = root.join("audit-policy.yaml");
        let policy = if options.audit_reads {
            AUDIT_POLICY_WITH_READS
        } else {
            AUDIT_POLICY
        };
        std::fs::write(&audit_policy, policy)
            .map_err(|e| Error::io("writing the audit policy", e))?;
        let mut api_args = vec![
            format!("--etcd-servers={etcd_url}"),
            format!("--secure-port={api_port}"),
            format!("--cert-dir={}", p(&root.join("apiserver-certs"))),
            format!("--tls-cert-file={}", p(&files.serving_cert)),
            format!("--tls-private-key-file={}", p(&files.serving_key)),
            format!("--client-ca-file={}", p(&files.ca_cert)),
            "--authorization-mode=Node,RBAC".into(),
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
            format!("--service-account-key-file={}", p(&files.sa_public)),
            format!(
                "--service-account-signing-key-file={}",
                p(&files.sa_private)
            ),
            format!("--service-cluster-ip-range={SERVICE_CIDR}"),
            "--allow-privileged=true".into(),
            "--profiling=false".into(),
            // Every write, with who made it: tests count the operator's API writes here.
            format!("--audit-policy-file={}", p(&audit_policy)),
            format!("--audit-log-path={}", p(&cp.audit_log_path())),
            "--audit-log-format=json".into(),
            "--audit-log-mode=blocking".into(),
            // One file for the whole run: the logger's default (100 MB) rotated the log in
            // the middle of a 1,000-Tenant benchmark, and readers read `audit.log` only.
            "--audit-log-maxsize=100000".into(),
        ];
        if options.real_node {
            // Pods reach the API server through the `kubernetes` Service, whose endpoint is
            // the host end of the node's veth; kubelet and kube-proxy dial it there too.
            // kube-apiserver has one bind address: the wildcard, so loopback keeps working.
            let kubelet_client =
                pki.client("kube-apiserver-kubelet-client", Some("system:masters"))?;
            let (cert, key) = (
                root.join("pki/kubelet-client.crt"),
                root.join("pki/kubelet-client.key"),
            );
            pki::write_private(&cert, kubelet_client.cert_pem.as_bytes())?;
            pki::write_private(&key, kubelet_client.key_pem.as_bytes())?;
            api_args.extend([
                "--bind-address=0.0.0.0".into(),
                format!("--advertise-address={}", node::HOST_IP),
                format!("--kubelet-client-certificate={}", p(&cert)),
                format!("--kubelet-client-key={}", p(&key)),
                "--kubelet-preferred-address-types=InternalIP".into(),
            ]);
        } else {
            api_args.extend([
                "--bind-address=127.0.0.1".into(),
                "--advertise-address=127.0.0.1".into(),
                // Endpoints may not hold loopback addresses, and nothing in this
                // cluster dials the `kubernetes` Service: leave it without them.
                "--endpoint-reconciler-type=none".into(),
            ]);
        }
        cp.spawn("kube-apiserver", api_args, &[])?;
        cp.wait_until(deadline, "kube-apiserver /readyz", || {
            Ok(cp.kubectl(["get", "--raw=/readyz"])?.status.success())
        })?;

        let server = cp.apiserver_url.clone();
        if options.controllers {
            let user = pki.client("system:kube-controller-manager", None)?;
            let kc = root.join("kube-controller-manager.kubeconfig");
            pki::write_private(
                &kc,
                kubeconfig::render(&server, &pki.ca_cert_pem, "kcm", &user).as_bytes(),
            )?;
            cp.spawn(
                "kube-controller-manager",
                vec![
                    format!("--kubeconfig={}", p(&kc)),
                    "--secure-port=0".into(),
                    "--leader-elect=false".into(),
                    "--controllers=*".into(),
                    "--use-service-account-credentials=true".into(),
                    format!("--root-ca-file={}", p(&files.ca_cert)),
                    format!(
                        "--service-account-private-key-file={}",
                        p(&files.sa_private)
                    ),
                    format!("--cluster-signing-cert-file={}", p(&files.ca_cert)),
                    format!("--cluster-signing-key-file={}", p(&files.ca_key)),
                    format!("--service-cluster-ip-range={SERVICE_CIDR}"),
                    "--profiling=false".into(),
                ],
                &[],
            )?;
        }
        if options.scheduler {
            let user = pki.client("system:kube-scheduler", None)?;
            let kc = root.join("kube-scheduler.kubeconfig");
            pki::write_private(
                &kc,
                kubeconfig::render(&server, &pki.ca_cert_pem, "scheduler", &user).as_bytes(),
            )?;
            cp.spawn(
                "kube-scheduler",
                vec![
                    format!("--kubeconfig={}", p(&kc)),
                    "--secure-port=0".into(),
                    "--leader-elect=false".into(),
                    "--profiling=false".into(),
                ],
                &[],
            )?;
        }
        if options.kwok_nodes > 0 {
            let cfg = root.join("kwok.yaml");
            std::fs::write(&cfg, KWOK_STAGES).map_err(|e| Error::io("writing kwok config", e))?;
            let home = root.join("kwok-home");
            std::fs::create_dir_all(&home).map_err(|e| Error::io("creating kwok home", e))?;
            cp.spawn(
                "kwok",
                vec![
                    format!("--kubeconfig={}", p(&cp.kubeconfig_path)),
                    format!("--config={}", p(&cfg)),
                    "--manage-all-nodes=false".into(),
                    format!("--manage-nodes-with-annotation-selector={KWOK_NODE_ANNOTATION}=fake"),
                    "--node-lease-duration-seconds=40".into(),
                    "--cidr=10.244.0.0/16".into(),
                ],
                &[("HOME", p(&home))],
            )?;
            cp.create_nodes_and_storage(options.kwok_nodes)?;
        }
        if options.real_node {
            cp.start_real_node(&pki, &files, api_port, &image_tarballs, deadline)?;
        }
        // Its CRDs take a second or two to be established: the other components come up
        // meanwhile.
        let cert_manager = match &cert_manager_bin {
            Some(dir) => Some(cp.launch_cert_manager(dir, &pki, deadline)?),
            None => None,
        };
        if options.jaeger {
            let cfg = root.join("jaeger.yaml");
            std::fs::write(&cfg, JAEGER_CONFIG)
                .map_err(|e| Error::io("writing jaeger config", e))?;
            let (grpc, http, query, query_grpc, health) = (
                free_port()?,
                free_port()?,
                free_port()?,
                free_port()?,
                free_port()?,
            );
            // With a real node, pods (RustFS, the in-cluster operator) export to Jaeger through
            // the host's end of the node's veth, so Jaeger listens beyond loopback.
            let host = if options.real_node {
                "0.0.0.0"
            } else {
                "127.0.0.1"
            };
            cp.spawn(
                "jaeger",
                vec![format!("--config={}", p(&cfg))],
                &[
                    ("JAEGER_HOST", host.into()),
                    ("JAEGER_OTLP_GRPC_PORT", grpc.to_string()),
                    ("JAEGER_OTLP_HTTP_PORT", http.to_string()),
                    ("JAEGER_QUERY_HTTP_PORT", query.to_string()),
                    ("JAEGER_QUERY_GRPC_PORT", query_grpc.to_string()),
                    ("JAEGER_HEALTH_PORT", health.to_string()),
                ],
            )?;
            cp.jaeger = Some(JaegerEndpoints {
                query_url: format!("http://127.0.0.1:{query}"),
                otlp_grpc: format!("http://127.0.0.1:{grpc}"),
                otlp_http: format!("http://127.0.0.1:{http}"),
                for_pods: options.real_node.then(|| {
                    (
                        format!("http://{}:{grpc}", node::HOST_IP),
                        format!("http://{}:{http}", node::HOST_IP),
                    )
                }),
            });
            cp.wait_until(deadline, "jaeger health", || {
                Ok(matches!(http_get(health, "/status"), Ok((200, _))))
            })?;
            cp.wait_until(deadline, "jaeger query API", || {
                Ok(matches!(http_get(query, "/api/services"), Ok((200, _))))
            })?;
        }

        // Readiness of the optional parts, checked after all were launched so
        // their start-up overlaps.
        if options.controllers {
            cp.wait_until(
                deadline,
                "default ServiceAccount (kube-controller-manager)",
                || {
                    Ok(cp
                        .kubectl(["get", "serviceaccount", "default", "-n", "default"])?
                        .status
                        .success())
                },
            )?;
        }
        if options.kwok_nodes > 0 {
            let selector = format!("{KWOK_NODE_LABEL}=true");
            cp.wait_until(deadline, "kwok nodes Ready", || {
                let out = cp.kubectl_ok([
                    "get",
                    "nodes",
                    "-l",
                    &selector,
                    "-o",
                    r#"jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}"#,
                ])?;
                let ready = out.lines().filter(|l| l.trim() == "True").count();
                Ok(ready >= cp.nodes.len())
            })?;
        }
        if options.real_node {
            cp.wait_real_node(deadline)?;
        }
        if let Some(launched) = &cert_manager {
            cp.ready_cert_manager(launched, &pki, deadline)?;
        }
        cp.started_in = began.elapsed();
        Ok(cp)
    }

    /// Records a milestone that is not a wait (a step that just finished).
    fn mark(&self, what: &str) {
        self.milestones
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((what.to_string(), self.began.elapsed()));
    }

    fn spawn(&self, name: &'static str, args: Vec<String>, envs: &[(&str, String)]) -> Result<()> {
        self.spawn_program(name, &self.bin_dir.join(name), args, envs)
    }

    fn spawn_program(
        &self,
        name: &'static str,
        program: &Path,
        args: Vec<String>,
        envs: &[(&str, String)],
    ) -> Result<()> {
        let proc = Proc::start(name, program, &args, envs, &self.root.join("logs"))?;
        self.procs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(proc);
        Ok(())
    }

    /// Err when any component has exited.
    pub fn check_running(&self) -> Result<()> {
        let mut procs = self.procs.lock().unwrap_or_else(|p| p.into_inner());
        for p in procs.iter_mut() {
            p.check_running()?;
        }
        Ok(())
    }

    /// Stops one component (`etcd`, `kube-apiserver`, ...) with SIGKILL, as a crash would,
    /// and leaves it down: a fault for tests. [`ControlPlane::start_component`] brings it
    /// back with the same flags, ports and data (etcd keeps its data directory).
    pub fn stop_component(&self, name: &str) -> Result<()> {
        let mut procs = self.procs.lock().unwrap_or_else(|p| p.into_inner());
        let proc = procs
            .iter_mut()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::new(format!("no component named {name}")))?;
        proc.stop();
        Ok(())
    }

    /// Starts a component stopped by [`ControlPlane::stop_component`] again and waits (up
    /// to `timeout`) until the API server answers `/readyz`, which needs etcd too.
    pub fn start_component(&self, name: &str, timeout: Duration) -> Result<()> {
        {
            let mut procs = self.procs.lock().unwrap_or_else(|p| p.into_inner());
            let proc = procs
                .iter_mut()
                .find(|p| p.name == name)
                .ok_or_else(|| Error::new(format!("no component named {name}")))?;
            proc.resume()?;
        }
        self.wait_until(Instant::now() + timeout, "kube-apiserver /readyz", || {
            Ok(self.kubectl(["get", "--raw=/readyz"])?.status.success())
        })
    }

    /// [`ControlPlane::stop_component`], then [`ControlPlane::start_component`].
    pub fn restart_component(&self, name: &str, timeout: Duration) -> Result<()> {
        self.stop_component(name)?;
        self.start_component(name, timeout)
    }

    /// Polls `ready` until it returns true; fails on timeout or when a
    /// component dies meanwhile.
    fn wait_until(
        &self,
        deadline: Instant,
        what: &str,
        mut ready: impl FnMut() -> Result<bool>,
    ) -> Result<()> {
        let mut last_err = None;
        loop {
            self.check_running()?;
            match ready() {
                Ok(true) => {
                    if self.started_in.is_zero() {
                        let at = self.began.elapsed();
                        self.milestones
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((what.to_string(), at));
                    }
                    return Ok(());
                }
                Ok(false) => {}
                Err(e) => last_err = Some(e),
            }
            if Instant::now() >= deadline {
                let mut msg = format!("timed out waiting for {what}");
                if let Some(e) = last_err {
                    msg.push_str(&format!(" (last error: {e})"));
                }
                msg.push_str(&format!("; logs in {}", self.root.join("logs").display()));
                return Err(Error::new(msg));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn create_nodes_and_storage(&mut self, count: usize) -> Result<()> {
        let mut docs = String::new();
        for i in 0..count {
            let name = format!("kwok-node-{i}");
            docs.push_str(&format!(
                r#"---
apiVersion: v1
kind: Node
metadata:
  name: {name}
  annotations:
    {KWOK_NODE_ANNOTATION}: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    {KWOK_NODE_LABEL}: "true"
    kubernetes.io/hostname: {name}
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    topology.kubernetes.io/zone: zone-{zone}
status:
  allocatable:
    cpu: "32"
    memory: 256Gi
    pods: "110"
  capacity:
    cpu: "32"
    memory: 256Gi
    pods: "110"
"#,
                zone = i % 3
            ));
            self.nodes.push(name);
        }
        docs.push_str(&format!(
            r#"---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: {STORAGE_CLASS}
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kwok.x-k8s.io/volume
reclaimPolicy: Delete
volumeBindingMode: Immediate
allowVolumeExpansion: true
"#
        ));
        self.kubectl_apply(&docs)?;
        Ok(())
    }

    /// Shared instance for this process (one per test binary), started on
    /// first use with [`Options::full`]. Panics if it cannot start.
    pub fn shared() -> &'static ControlPlane {
        match Self::shared_with(Options::full()) {
            Ok(cp) => cp,
            Err(e) => panic!("local control plane: {e}"),
        }
    }

    /// Shared instance started with `options` on first use. Later calls get
    /// the same instance; they fail if it lacks something they ask for.
    pub fn shared_with(options: Options) -> Result<&'static ControlPlane> {
        static SHARED: OnceLock<std::result::Result<ControlPlane, String>> = OnceLock::new();
        extern "C" fn stop_shared_at_exit() {
            if let Some(Ok(cp)) = SHARED.get() {
                cp.shutdown();
            }
        }
        let started = SHARED.get_or_init(|| {
            let r = ControlPlane::start(options.clone()).map_err(|e| e.to_string());
            if r.is_ok() {
                // SAFETY: registering a plain extern "C" fn without captures.
                unsafe {
                    libc::atexit(stop_shared_at_exit);
                }
            }
            r
        });
        match started {
            Ok(cp) if cp.options.covers(&options) => Ok(cp),
            Ok(cp) => Err(Error::new(format!(
                "shared control plane was started with {:?}, which does not cover {:?}",
                cp.options, options
            ))),
            Err(e) => Err(Error::new(format!(
                "shared control plane failed to start: {e}"
            ))),
        }
    }

    /// Stops every component and removes the temp dir. Idempotent; `Drop`
    /// calls it.
    pub fn shutdown(&self) {
        {
            let mut procs = self.procs.lock().unwrap_or_else(|p| p.into_inner());
            proc::kill_all(&mut procs);
        }
        if let Some(mut node) = self.node.lock().unwrap_or_else(|p| p.into_inner()).take() {
            node.teardown(&self.containerd_socket());
        }
        let temp = self.temp.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(t) = temp {
            if std::env::var_os("LOCAL_CLUSTER_KEEP_DIR").is_some() {
                let kept = t.keep();
                eprintln!("local-cluster: kept {}", kept.display());
            } else {
                let _ = t.close();
            }
        }
    }

    /// Path of the admin kubeconfig (user in `system:masters`).
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig_path
    }

    /// The admin kubeconfig, certificates embedded.
    pub fn kubeconfig_yaml(&self) -> &str {
        &self.kubeconfig_yaml
    }

    /// `https://127.0.0.1:<port>`.
    pub fn apiserver_url(&self) -> &str {
        &self.apiserver_url
    }

    /// Jaeger's OTLP/gRPC endpoint as pods on the real node reach it, if both run.
    pub fn jaeger_otlp_grpc_for_pods(&self) -> Option<&str> {
        self.jaeger
            .as_ref()
            .and_then(|j| j.for_pods.as_ref())
            .map(|(grpc, _)| grpc.as_str())
    }

    /// Jaeger's OTLP/HTTP endpoint as pods on the real node reach it, if both run.
    pub fn jaeger_otlp_http_for_pods(&self) -> Option<&str> {
        self.jaeger
            .as_ref()
            .and_then(|j| j.for_pods.as_ref())
            .map(|(_, http)| http.as_str())
    }

    /// Jaeger query base URL (`/api/traces`, `/api/services`), if running.
    pub fn jaeger_query_url(&self) -> Option<&str> {
        self.jaeger.as_ref().map(|j| j.query_url.as_str())
    }

    /// OTLP/gRPC endpoint (`http://127.0.0.1:<port>`), if Jaeger runs.
    pub fn jaeger_otlp_grpc_endpoint(&self) -> Option<&str> {
        self.jaeger.as_ref().map(|j| j.otlp_grpc.as_str())
    }

    /// OTLP/HTTP endpoint (`http://127.0.0.1:<port>`), if Jaeger runs.
    pub fn jaeger_otlp_http_endpoint(&self) -> Option<&str> {
        self.jaeger.as_ref().map(|j| j.otlp_http.as_str())
    }

    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The control plane's temp dir (removed on teardown).
    pub fn root_dir(&self) -> &Path {
        &self.root
    }

    /// Component logs (`<name>.log`).
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// The API server's audit log: one JSON line per write request (create, update, patch,
    /// delete), with the user who made it. Reads are logged only with
    /// [`Options::audit_reads`].
    pub fn audit_log_path(&self) -> PathBuf {
        self.logs_dir().join("audit.log")
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Names of the fake Nodes.
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }

    /// How long [`ControlPlane::start`] took.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    /// What became ready when, measured from the beginning of `start`.
    pub fn startup_milestones(&self) -> Vec<(String, Duration)> {
        self.milestones
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// `(component, pid)` of every running component.
    pub fn pids(&self) -> Vec<(&'static str, u32)> {
        let procs = self.procs.lock().unwrap_or_else(|p| p.into_inner());
        procs.iter().map(|p| (p.name, p.pid())).collect()
    }

    /// Last lines of a component's log.
    pub fn log_tail(&self, component: &str, lines: usize) -> String {
        log_tail(&self.logs_dir().join(format!("{component}.log")), lines)
    }

    fn kubectl_command(&self) -> Command {
        let mut cmd = Command::new(self.bin_dir.join("kubectl"));
        cmd.arg(format!("--kubeconfig={}", self.kubeconfig_path.display()))
            .arg(format!(
                "--cache-dir={}",
                self.root.join("kubectl-cache").display()
            ))
            .env_remove("KUBECONFIG");
        cmd
    }

    /// Runs kubectl against this control plane (admin credentials).
    pub fn kubectl<I, S>(&self, args: I) -> Result<Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.kubectl_command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::io("running kubectl", e))
    }

    /// Runs kubectl; Err (with stderr) unless it exits 0; Ok(stdout).
    pub fn kubectl_ok<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<_> = args
            .into_iter()
            .map(|a| a.as_ref().to_os_string())
            .collect();
        let out = self.kubectl(&args)?;
        output_ok(&args, out)
    }

    /// Runs kubectl with `stdin` fed to it; Err unless it exits 0.
    pub fn kubectl_stdin<I, S>(&self, args: I, stdin: &str) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<_> = args
            .into_iter()
            .map(|a| a.as_ref().to_os_string())
            .collect();
        let mut child = self
            .kubectl_command()
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Error::io("running kubectl", e))?;
        let mut pipe = child.stdin.take().expect("piped stdin");
        let input = stdin.to_string();
        let writer = std::thread::spawn(move || {
            let _ = pipe.write_all(input.as_bytes());
        });
        let out = child
            .wait_with_output()
            .map_err(|e| Error::io("waiting for kubectl", e))?;
        let _ = writer.join();
        output_ok(&args, out)
    }

    /// `kubectl apply -f -` with the given manifest(s).
    pub fn kubectl_apply(&self, yaml: &str) -> Result<String> {
        self.kubectl_stdin(["apply", "-f", "-"], yaml)
    }

    /// Creates a uniquely named namespace (`<prefix>-<n>-<suffix>`) and, when
    /// controllers run, waits for its `default` ServiceAccount so Pods can be
    /// created in it right away.
    pub fn new_namespace(&self, prefix: &str) -> Result<String> {
        let n = self.ns_counter.fetch_add(1, Ordering::Relaxed);
        let suffix = process_start_marker() % 100_000;
        let clean: String = prefix
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .take(40)
            .collect();
        let name = format!("{}-{n}-{suffix}", clean.trim_matches('-'));
        self.kubectl_ok(["create", "namespace", &name])?;
        if self.options.controllers {
            let deadline = Instant::now() + Duration::from_secs(30);
            self.wait_until(deadline, "namespace default ServiceAccount", || {
                Ok(self
                    .kubectl(["get", "serviceaccount", "default", "-n", &name])?
                    .status
                    .success())
            })?;
        }
        Ok(name)
    }
}

fn output_ok(args: &[std::ffi::OsString], out: Output) -> Result<String> {
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let shown: Vec<_> = args.iter().map(|a| a.to_string_lossy()).collect();
    Err(Error::new(format!(
        "kubectl {} failed ({}): {}",
        shown.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    )))
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        self.shutdown();
    }
}
