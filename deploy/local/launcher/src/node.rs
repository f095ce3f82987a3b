// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The real node: a kubelet, kube-proxy, containerd and CoreDNS in a network namespace of
//! their own, so pods run real containers beside kwok's fake ones.
//!
//! Layout (all addresses private to this machine; the host keeps `ip_forward=0`, and the node
//! namespace has no default route, so no pod packet can leave the machine):
//!
//! ```text
//!  host netns                          node netns "rustfs-lc-node"
//!  kube-apiserver 0.0.0.0:<port>       containerd, kubelet, kube-proxy (iptables), CoreDNS :53
//!  lc-host0 10.233.255.1/30  <-veth->  lc-node0 10.233.255.2/30
//!  routes: 10.233.0.0/24, 10.96.0.0/16 lcbr0 10.233.0.1/24 (bridge CNI, hairpin) -- pods
//!          via 10.233.255.2
//! ```
//!
//! Only one real node runs on a machine at a time (containerd 1.6 keeps some fixed paths under
//! /run/containerd and /var/run/netns): a lock file serializes them, and every start first
//! removes what a killed run left behind. [`Node::teardown`] leaves no process, mount, network
//! namespace, host route, cgroup or changed sysctl behind; `tests/real_node.rs` in the
//! launcher checks each.

use crate::{Error, Result};
use std::fs::File;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Name of the real Node object.
pub const NODE_NAME: &str = "real-node-0";
/// StorageClass of the real node's local volumes (`kubernetes.io/no-provisioner`, bound when
/// the pod is scheduled).
pub const REAL_STORAGE_CLASS: &str = "local-real";
/// Label on the real Node (value `true`).
pub const REAL_NODE_LABEL: &str = "local-cluster.rustfs.com/real";

pub(crate) const NETNS: &str = "rustfs-lc-node";
pub(crate) const HOST_VETH: &str = "lc-host0";
const NODE_VETH: &str = "lc-node0";
/// The host end of the veth: kube-apiserver's advertised address.
pub const HOST_IP: &str = "10.233.255.1";
/// The node end: the Node's InternalIP, kubelet's and CoreDNS's address.
pub const NODE_IP: &str = "10.233.255.2";
/// Pod addresses of the real node.
pub const POD_CIDR: &str = "10.233.0.0/24";
const BRIDGE: &str = "lcbr0";
/// The cgroup (in every hierarchy) that holds every pod of the real node.
pub(crate) const CGROUP_ROOT: &str = "local-cluster";
const LOCK_PATH: &str = "/run/rustfs-local-cluster-node.lock";
/// Global sysctls kubelet may set (protectKernelDefaults: false); restored on teardown.
const KERNEL_SYSCTLS: [&str; 4] = [
    "kernel/panic",
    "kernel/panic_on_oops",
    "vm/overcommit_memory",
    "net/bridge/bridge-nf-call-iptables",
];
/// Fixed paths containerd 1.6 uses whatever its config says; removed on teardown when
/// this run created them.
const CONTAINERD_FIXED_DIRS: [&str; 3] = [
    "/run/containerd/s",
    "/run/containerd/fifo",
    "/run/containerd/runc",
];

/// Handle on the node's host-level state: the lock, the namespace, the sysctls to restore.
pub(crate) struct Node {
    _lock: File,
    root: PathBuf,
    sysctls: Vec<(String, String)>,
    created_dirs: Vec<PathBuf>,
    torn_down: bool,
}

/// Runs a command; Err with its stderr unless it exits 0.
pub(crate) fn run(program: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::io(format!("running {program}"), e))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    Err(Error::new(format!(
        "{program} {} failed ({}): {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    )))
}

/// Runs a command inside the node's network namespace.
fn in_node(program: &str, args: &[&str]) -> Result<String> {
    let netns = format!("--net=/run/netns/{NETNS}");
    let mut all = vec![netns.as_str(), "--", program];
    all.extend_from_slice(args);
    run("nsenter", &all)
}

fn read_sysctl(name: &str) -> Option<String> {
    std::fs::read_to_string(Path::new("/proc/sys").join(name))
        .ok()
        .map(|s| s.trim().to_string())
}

/// Every mount point of this mount namespace, in mount order.
pub(crate) fn mount_points() -> Vec<String> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(|p| p.replace("\\040", " "))
        .collect()
}

/// Detaches every mount at or below one of `prefixes`, deepest first.
fn unmount_below(prefixes: &[&str]) {
    let mut points: Vec<String> = mount_points()
        .into_iter()
        .filter(|p| prefixes.iter().any(|pre| p.starts_with(pre)))
        .collect();
    points.reverse();
    for p in points {
        if let Ok(c) = std::ffi::CString::new(p.as_str()) {
            // SAFETY: a valid NUL-terminated path; MNT_DETACH never blocks.
            unsafe {
                libc::umount2(c.as_ptr(), libc::MNT_DETACH);
            }
        }
    }
}

/// cgroup directories named [`CGROUP_ROOT`], one per mounted hierarchy.
pub(crate) fn cgroup_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    for line in text.lines() {
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        if (right.starts_with("cgroup ") || right.starts_with("cgroup2 "))
            && let Some(mp) = left.split(' ').nth(4)
        {
            dirs.push(Path::new(mp).join(CGROUP_ROOT));
        }
    }
    dirs
}

/// Pids in a cgroup tree (every descendant's `cgroup.procs`).
fn cgroup_pids(dir: &Path, out: &mut Vec<i32>) {
    if let Ok(text) = std::fs::read_to_string(dir.join("cgroup.procs")) {
        out.extend(text.lines().filter_map(|l| l.trim().parse::<i32>().ok()));
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                cgroup_pids(&e.path(), out);
            }
        }
    }
}

/// Removes a cgroup tree, leaves first (rmdir is the only way to delete a cgroup).
fn remove_cgroup_tree(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                remove_cgroup_tree(&e.path());
            }
        }
    }
    let _ = std::fs::remove_dir(dir);
}

/// Pids of processes whose command line contains `needle`.
fn pids_with_cmdline(needle: &str) -> Vec<i32> {
    let mut pids = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return pids;
    };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(needle) {
                pids.push(pid);
            }
        }
    }
    pids
}

/// SIGKILLs every process the node's containers and shims left: all pids in the node cgroups,
/// every containerd shim serving `shim_marker` (the containerd socket path, or the generic
/// namespace marker when sweeping an unknown earlier run), and every process still inside the
/// node network namespace.
fn kill_node_processes(shim_marker: &str) {
    let mut killed: Vec<i32> = Vec::new();
    for _ in 0..20 {
        let mut pids = Vec::new();
        for dir in cgroup_dirs() {
            cgroup_pids(&dir, &mut pids);
        }
        pids.extend(
            pids_with_cmdline("containerd-shim")
                .into_iter()
                .filter(|p| {
                    std::fs::read(format!("/proc/{p}/cmdline"))
                        .map(|c| String::from_utf8_lossy(&c).contains(shim_marker))
                        .unwrap_or(false)
                }),
        );
        if let Ok(out) = run("ip", &["netns", "pids", NETNS]) {
            pids.extend(out.lines().filter_map(|l| l.trim().parse::<i32>().ok()));
        }
        let me = std::process::id() as i32;
        pids.retain(|p| *p != me && *p > 1);
        pids.sort_unstable();
        pids.dedup();
        if pids.is_empty() {
            break;
        }
        killed.extend(&pids);
        for p in &pids {
            // SAFETY: plain kill(2).
            unsafe {
                libc::kill(*p, libc::SIGKILL);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // A killed process leaves its cgroup before it is gone (a large one takes a moment to
    // unmap its memory): wait until every one has been reaped.
    let deadline = Instant::now() + Duration::from_secs(20);
    while killed
        .iter()
        .any(|p| Path::new(&format!("/proc/{p}")).exists())
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Removes whatever an earlier, killed real node left: processes, mounts, the namespace and
/// its veth, cgroups, containerd's fixed directories.
pub(crate) fn sweep_leftovers() {
    kill_node_processes("rustfs-lc-");
    unmount_below(&["/run/netns/cni-", "/var/run/netns/cni-"]);
    // Mounts inside temp dirs of dead launcher processes (overlay roots, pod volumes).
    let tmp = std::env::temp_dir().display().to_string();
    let stale: Vec<String> = mount_points()
        .into_iter()
        .filter_map(|p| {
            let rest = p.strip_prefix(&format!("{tmp}/{}", crate::TEMP_PREFIX))?;
            let pid: u32 = rest.split('-').next()?.parse().ok()?;
            (!crate::pid_alive(pid) || pid == std::process::id())
                .then(|| format!("{tmp}/{}{rest}", crate::TEMP_PREFIX))
        })
        .collect();
    let refs: Vec<&str> = stale.iter().map(String::as_str).collect();
    unmount_below(&refs);
    remove_namespaces_and_cgroups();
}

/// Once nothing runs and nothing is mounted: the pod namespace files, the node namespace (and
/// with it the veth, bridge, iptables rules and host routes), the cgroups.
fn remove_namespaces_and_cgroups() {
    for entry in std::fs::read_dir("/run/netns")
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with("cni-") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let _ = run("ip", &["netns", "delete", NETNS]);
    let _ = run("ip", &["link", "delete", HOST_VETH]);
    for dir in cgroup_dirs() {
        remove_cgroup_tree(&dir);
    }
}

impl Node {
    /// Takes the machine-wide lock, cleans up after earlier runs, and builds the namespace,
    /// veth, routes and cgroups. `root` is the control plane's temp dir.
    pub(crate) fn prepare(root: &Path, deadline: Instant) -> Result<Self> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Err(Error::new(
                "the real node needs root (network namespaces, containerd, kubelet); \
                 run as root or leave Options::real_node off",
            ));
        }
        for tool in ["ip", "nsenter", "iptables", "conntrack"] {
            if run("sh", &["-c", &format!("command -v {tool}")]).is_err() {
                return Err(Error::new(format!(
                    "{tool} not found: run deploy/local/node-packages.sh"
                )));
            }
        }
        let lock = File::create(LOCK_PATH).map_err(|e| Error::io(LOCK_PATH, e))?;
        loop {
            // SAFETY: flock on a descriptor we own.
            let r = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if r == 0 {
                break;
            }
            if Instant::now() >= deadline {
                return Err(Error::new(format!(
                    "another real node holds {LOCK_PATH}; only one runs per machine"
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        sweep_leftovers();

        let sysctls = KERNEL_SYSCTLS
            .iter()
            .filter_map(|n| read_sysctl(n).map(|v| (n.to_string(), v)))
            .collect();
        let created_dirs = CONTAINERD_FIXED_DIRS
            .iter()
            .map(PathBuf::from)
            .filter(|p| !p.exists())
            .collect();
        let mut node = Node {
            _lock: lock,
            root: root.to_path_buf(),
            sysctls,
            created_dirs,
            torn_down: false,
        };
        node.network()?;
        for dir in cgroup_dirs() {
            std::fs::create_dir_all(&dir)
                .map_err(|e| Error::io(format!("creating cgroup {}", dir.display()), e))?;
        }
        Ok(node)
    }

    fn network(&mut self) -> Result<()> {
        run("ip", &["netns", "add", NETNS])?;
        run(
            "ip",
            &[
                "link", "add", HOST_VETH, "type", "veth", "peer", "name", NODE_VETH, "netns", NETNS,
            ],
        )?;
        run(
            "ip",
            &["addr", "add", &format!("{HOST_IP}/30"), "dev", HOST_VETH],
        )?;
        run("ip", &["link", "set", HOST_VETH, "up"])?;
        in_node("ip", &["link", "set", "lo", "up"])?;
        in_node(
            "ip",
            &["addr", "add", &format!("{NODE_IP}/30"), "dev", NODE_VETH],
        )?;
        in_node("ip", &["link", "set", NODE_VETH, "up"])?;
        // Forwarding between the pod bridge and the veth happens inside the node namespace
        // only; bridged pod-to-pod traffic passes iptables so Service DNAT works both ways.
        in_node("sysctl", &["-q", "-w", "net.ipv4.ip_forward=1"])?;
        in_node(
            "sysctl",
            &["-q", "-w", "net.bridge.bridge-nf-call-iptables=1"],
        )?;
        // Tests on the host reach pods and Services through the node.
        run("ip", &["route", "add", POD_CIDR, "via", NODE_IP])?;
        run("ip", &["route", "add", crate::SERVICE_CIDR, "via", NODE_IP])?;
        Ok(())
    }

    /// The bridge CNI configuration: hairpin on (a pod reaches itself through its Service),
    /// no masquerade (nothing leaves the machine), IPAM state inside the temp dir.
    pub(crate) fn write_cni_config(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating CNI conf dir", e))?;
        let ipam_dir = self.root.join("node").join("cni-ipam");
        let conf = serde_json::json!({
            "cniVersion": "0.4.0",
            "name": "local-cluster",
            "plugins": [
                {
                    "type": "bridge",
                    "bridge": BRIDGE,
                    "isGateway": true,
                    "ipMasq": false,
                    "hairpinMode": true,
                    "ipam": {
                        "type": "host-local",
                        "ranges": [[{ "subnet": POD_CIDR }]],
                        "routes": [{ "dst": "0.0.0.0/0" }],
                        "dataDir": ipam_dir.display().to_string(),
                    }
                },
                { "type": "portmap", "capabilities": { "portMappings": true } }
            ]
        });
        std::fs::write(dir.join("10-local-cluster.conflist"), conf.to_string())
            .map_err(|e| Error::io("writing the CNI config", e))
    }

    /// Kills what runs on the node, unmounts, deletes the namespace (and with it the veth,
    /// bridge, iptables rules and host routes), removes the cgroups, restores sysctls.
    /// `containerd_socket` identifies this run's shims.
    pub(crate) fn teardown(&mut self, containerd_socket: &Path) {
        if self.torn_down {
            return;
        }
        self.torn_down = true;
        kill_node_processes(&containerd_socket.display().to_string());
        let root = self.root.display().to_string();
        unmount_below(&["/run/netns/cni-", "/var/run/netns/cni-", &root]);
        remove_namespaces_and_cgroups();
        for (name, value) in &self.sysctls {
            let _ = std::fs::write(Path::new("/proc/sys").join(name), value);
        }
        for dir in &self.created_dirs {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl crate::ControlPlane {
    /// The real node's containerd socket (inside the temp dir).
    pub fn containerd_socket(&self) -> PathBuf {
        self.root
            .join("node")
            .join("containerd")
            .join("containerd.sock")
    }

    /// Runs `deploy/local/images.sh`; returns `(reference, tarball)` pairs.
    pub(crate) fn build_images(&self, operator: bool) -> Result<Vec<(String, PathBuf)>> {
        let script = Path::new(crate::LOCAL_DIR).join("images.sh");
        let mut cmd = Command::new(&script);
        if !operator {
            cmd.arg("--skip-operator");
        }
        let out = cmd
            .env("RUSTFS_OPERATOR_CONTROLPLANE_BIN", &self.bin_dir)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| Error::io(format!("running {}", script.display()), e))?;
        if !out.status.success() {
            return Err(Error::new(format!(
                "{} failed ({}); see its output above",
                script.display(),
                out.status
            )));
        }
        let pairs: Vec<(String, PathBuf)> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(r, t)| (r.to_string(), PathBuf::from(t)))
            .collect();
        self.mark("images built");
        Ok(pairs)
    }

    /// Starts containerd, imports the images, then kubelet, kube-proxy and CoreDNS, and makes
    /// the local volumes.
    pub(crate) fn start_real_node(
        &self,
        pki: &crate::pki::Pki,
        files: &crate::pki::PkiFiles,
        api_port: u16,
        images: &[(String, PathBuf)],
        deadline: Instant,
    ) -> Result<()> {
        let p = |s: &Path| s.display().to_string();
        let dir = self.root.join("node");
        let server = format!("https://{HOST_IP}:{api_port}");
        let mkdir = |d: &Path| {
            std::fs::create_dir_all(d)
                .map_err(|e| Error::io(format!("creating {}", d.display()), e))
        };
        for d in ["containerd", "cni/net.d", "kubelet", "pod-logs", "volumes"] {
            mkdir(&dir.join(d))?;
        }
        let node_guard = self.node.lock().unwrap_or_else(|p| p.into_inner());
        let node = node_guard
            .as_ref()
            .ok_or_else(|| Error::new("node not prepared"))?;
        node.write_cni_config(&dir.join("cni/net.d"))?;
        drop(node_guard);

        // containerd: private root, state and socket; cgroupfs; no OOM score below 0 (this
        // VM lacks CAP_SYS_RESOURCE); the locally imported pause image as the sandbox.
        let socket = self.containerd_socket();
        let ctrd = dir.join("containerd");
        let config = format!(
            r#"version = 2
root = "{root}"
state = "{state}"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "{socket}"
[ttrpc]
  address = "{socket}.ttrpc"
[debug]
  level = "warn"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/local-cluster/pause:3.10"
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "{cni}"
"#,
            root = p(&ctrd.join("root")),
            state = p(&ctrd.join("state")),
            socket = p(&socket),
            cni = p(&dir.join("cni/net.d")),
        );
        let config_path = ctrd.join("config.toml");
        std::fs::write(&config_path, config)
            .map_err(|e| Error::io("writing containerd config", e))?;
        let containerd = which("containerd")?;
        self.spawn_in_node(
            "containerd",
            &containerd,
            vec!["--config".into(), p(&config_path)],
        )?;
        let sock = p(&socket);
        self.wait_until(deadline, "containerd socket", || {
            Ok(run("ctr", &["--address", &sock, "version"]).is_ok())
        })?;
        for (reference, tarball) in images {
            run(
                "ctr",
                &[
                    "--address",
                    &sock,
                    "-n",
                    "k8s.io",
                    "images",
                    "import",
                    &p(tarball),
                ],
            )
            .map_err(|e| Error::new(format!("importing {reference}: {e}")))?;
        }
        self.mark("images imported");

        // Identities: kubelet as system:node:<name> (Node authorizer), kube-proxy as
        // system:kube-proxy (bound to system:node-proxier by default), CoreDNS read-only.
        let kc = |file: &str, user: &str, group: Option<&str>| -> Result<PathBuf> {
            let pair = pki.client(user, group)?;
            let path = dir.join(file);
            crate::pki::write_private(
                &path,
                crate::kubeconfig::render(&server, &pki.ca_cert_pem, user, &pair).as_bytes(),
            )?;
            Ok(path)
        };
        let kubelet_kc = kc(
            "kubelet.kubeconfig",
            &format!("system:node:{NODE_NAME}"),
            Some("system:nodes"),
        )?;
        let proxy_kc = kc("kube-proxy.kubeconfig", "system:kube-proxy", None)?;
        let dns_kc = kc(
            "coredns.kubeconfig",
            "local-cluster-coredns",
            Some("system:masters"),
        )?;

        std::fs::write(dir.join("resolv.conf"), "options ndots:5\n")
            .map_err(|e| Error::io("writing resolv.conf", e))?;
        let kubelet_config = format!(
            r#"apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: {NODE_IP}
port: 10250
readOnlyPort: 0
healthzBindAddress: {NODE_IP}
healthzPort: 10248
authentication:
  anonymous: {{enabled: false}}
  webhook: {{enabled: true}}
  x509: {{clientCAFile: "{ca}"}}
authorization: {{mode: Webhook}}
cgroupDriver: cgroupfs
cgroupRoot: /{CGROUP_ROOT}
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://{sock}
imageServiceEndpoint: unix://{sock}
clusterDNS: [{NODE_IP}]
clusterDomain: cluster.local
resolvConf: "{resolv}"
podLogsDir: "{logs}"
protectKernelDefaults: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {{memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}}
serializeImagePulls: false
nodeStatusUpdateFrequency: 5s
syncFrequency: 10s
"#,
            ca = p(&files.ca_cert),
            resolv = p(&dir.join("resolv.conf")),
            logs = p(&dir.join("pod-logs")),
        );
        let kubelet_cfg = dir.join("kubelet.yaml");
        std::fs::write(&kubelet_cfg, kubelet_config)
            .map_err(|e| Error::io("writing kubelet config", e))?;
        self.spawn_in_node(
            "kubelet",
            &self.bin_dir.join("kubelet"),
            vec![
                format!("--config={}", p(&kubelet_cfg)),
                format!("--kubeconfig={}", p(&kubelet_kc)),
                format!("--root-dir={}", p(&dir.join("kubelet"))),
                format!("--cert-dir={}", p(&dir.join("kubelet/pki"))),
                format!("--hostname-override={NODE_NAME}"),
                format!("--node-ip={NODE_IP}"),
                format!("--node-labels={REAL_NODE_LABEL}=true"),
                "--v=1".into(),
            ],
        )?;

        let proxy_config = format!(
            r#"apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {{kubeconfig: "{kc}"}}
mode: iptables
clusterCIDR: {POD_CIDR}
hostnameOverride: {NODE_NAME}
bindAddress: {NODE_IP}
healthzBindAddress: {NODE_IP}:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: {{maxPerCore: 0}}
"#,
            kc = p(&proxy_kc)
        );
        let proxy_cfg = dir.join("kube-proxy.yaml");
        std::fs::write(&proxy_cfg, proxy_config)
            .map_err(|e| Error::io("writing kube-proxy config", e))?;
        self.spawn_in_node(
            "kube-proxy",
            &self.bin_dir.join("kube-proxy"),
            vec![format!("--config={}", p(&proxy_cfg)), "--v=1".into()],
        )?;

        // CoreDNS answers cluster.local from the API and nothing else (no forward plugin).
        let corefile = format!(
            r#".:53 {{
    bind {NODE_IP}
    errors
    health {NODE_IP}:8080
    ready {NODE_IP}:8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {{
        kubeconfig {kc}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }}
    cache 5
    loadbalance
}}
"#,
            kc = p(&dns_kc)
        );
        let corefile_path = dir.join("Corefile");
        std::fs::write(&corefile_path, corefile).map_err(|e| Error::io("writing Corefile", e))?;
        self.spawn_in_node(
            "coredns",
            &self.bin_dir.join("coredns"),
            vec!["-conf".into(), p(&corefile_path)],
        )?;

        self.create_local_volumes(&dir.join("volumes"))
    }

    /// A StorageClass without a provisioner and `volumes` local PersistentVolumes, one
    /// directory each, bound when a pod using them is scheduled to the real node.
    fn create_local_volumes(&self, dir: &Path) -> Result<()> {
        let mut docs = format!(
            r#"apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: {REAL_STORAGE_CLASS}
provisioner: kubernetes.io/no-provisioner
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
"#
        );
        for i in 0..self.options.real_node_volumes {
            let path = dir.join(format!("pv-{i}"));
            std::fs::create_dir_all(&path).map_err(|e| Error::io("creating a volume dir", e))?;
            docs.push_str(&format!(
                r#"---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local-real-{i}
  labels: {{{REAL_NODE_LABEL}: "true"}}
spec:
  capacity: {{storage: 100Gi}}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: {REAL_STORAGE_CLASS}
  volumeMode: Filesystem
  local: {{path: "{path}"}}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - {{key: kubernetes.io/hostname, operator: In, values: [{NODE_NAME}]}}
"#,
                path = path.display()
            ));
        }
        self.kubectl_apply(&docs)?;
        Ok(())
    }

    /// Waits for the Node to be Ready and CoreDNS to answer.
    pub(crate) fn wait_real_node(&self, deadline: Instant) -> Result<()> {
        self.wait_until(deadline, "real node Ready", || {
            let out = self.kubectl([
                "get",
                "node",
                NODE_NAME,
                "-o",
                r#"jsonpath={.status.conditions[?(@.type=="Ready")].status}"#,
            ])?;
            Ok(String::from_utf8_lossy(&out.stdout).trim() == "True")
        })?;
        self.wait_until(deadline, "CoreDNS ready", || {
            Ok(matches!(
                crate::http_get_addr(NODE_IP, 8181, "/ready"),
                Ok((200, _))
            ))
        })
    }

    fn spawn_in_node(&self, name: &'static str, program: &Path, args: Vec<String>) -> Result<()> {
        let mut all = vec![
            format!("--net=/run/netns/{NETNS}"),
            "--".into(),
            program.display().to_string(),
        ];
        all.extend(args);
        self.spawn_program(name, &which("nsenter")?, all, &[])
    }
}

/// Full path of a program on PATH.
fn which(name: &str) -> Result<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain(["/usr/sbin", "/sbin", "/usr/bin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Error::new(format!(
                "{name} not found: run deploy/local/node-packages.sh"
            ))
        })
}
