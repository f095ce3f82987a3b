// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The real node runs a real container: a RustFS pod on a local PersistentVolume answers
//! through its ClusterIP Service (CNI bridge, kube-proxy DNAT, the host route), its name
//! resolves through CoreDNS from inside the cluster, `kubectl logs` reaches the kubelet; and
//! teardown leaves no process, mount, network namespace, veth, host iptables rule, cgroup or
//! changed sysctl behind.
//!
//! Needs root, deploy/local/node-packages.sh, build.sh and images.sh (`make node`).

use local_cluster::{ControlPlane, NODE_NAME, Options, REAL_STORAGE_CLASS, pid_alive};
use std::time::{Duration, Instant};

const WORKLOAD: &str = r#"
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  storageClassName: STORAGE_CLASS
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata:
  name: solo
  labels: {app: solo}
spec:
  securityContext: {runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001}
  containers:
    - name: rustfs
      image: localhost/rustfs/rustfs:1.0.1
      env:
        - {name: RUSTFS_VOLUMES, value: /data}
        - {name: RUSTFS_ADDRESS, value: "0.0.0.0:9000"}
        - {name: RUSTFS_OBS_LOGGER_LEVEL, value: info}
      volumeMounts: [{name: data, mountPath: /data}]
      readinessProbe:
        httpGet: {path: /health/ready, port: 9000}
        periodSeconds: 1
  volumes:
    - name: data
      persistentVolumeClaim: {claimName: data}
---
apiVersion: v1
kind: Service
metadata:
  name: solo
spec:
  selector: {app: solo}
  ports: [{port: 9000, name: s3}]
"#;

fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<String>) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn http_status(addr: &str, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let addr: std::net::SocketAddr = addr.parse().ok()?;
    let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    out.split_whitespace().nth(1)?.parse().ok()
}

/// One DNS A query over UDP; the first answer's address, None on no answer or an error code.
fn dns_a(server: &str, name: &str) -> Option<String> {
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    let sock = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    sock.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    sock.send_to(&q, (server, 53)).ok()?;
    let mut buf = [0u8; 512];
    let n = sock.recv(&mut buf).ok()?;
    let (rcode, answers) = (buf[3] & 0x0f, u16::from_be_bytes([buf[6], buf[7]]));
    if rcode != 0 || answers == 0 || n < q.len() + 16 {
        return None;
    }
    // The first answer follows the question: its name (a pointer or labels), then type,
    // class, ttl and rdlength (10 bytes), then the address.
    let mut at = q.len();
    if buf[at] & 0xc0 == 0xc0 {
        at += 2;
    } else {
        while at < n && buf[at] != 0 {
            at += 1 + buf[at] as usize;
        }
        at += 1;
    }
    let rdata = at + 10;
    (rdata + 4 <= n).then(|| {
        format!(
            "{}.{}.{}.{}",
            buf[rdata],
            buf[rdata + 1],
            buf[rdata + 2],
            buf[rdata + 3]
        )
    })
}

fn sh(cmd: &str) -> String {
    let out = std::process::Command::new("sh")
        .args(["-c", cmd])
        .output()
        .expect("sh runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sysctls() -> Vec<String> {
    [
        "kernel/panic",
        "kernel/panic_on_oops",
        "vm/overcommit_memory",
        "net/bridge/bridge-nf-call-iptables",
        "net/ipv4/ip_forward",
    ]
    .iter()
    .map(|n| std::fs::read_to_string(format!("/proc/sys/{n}")).unwrap_or_default())
    .collect()
}

#[test]
fn a_real_pod_serves_through_its_service_and_teardown_is_clean() {
    let before = sysctls();
    let cp = ControlPlane::start(Options {
        controllers: true,
        scheduler: true,
        real_node: true,
        real_node_volumes: 2,
        start_timeout: Duration::from_secs(300),
        ..Options::apiserver_only()
    })
    .unwrap_or_else(|e| panic!("the real node must start (run `make node` first): {e}"));
    for (what, at) in cp.startup_milestones() {
        eprintln!("METRIC real_node.milestone {what} {:.1}s", at.as_secs_f64());
    }
    eprintln!(
        "METRIC real_node.start_s {:.1}",
        cp.started_in().as_secs_f64()
    );
    let root = cp.root_dir().to_path_buf();
    let pids: Vec<u32> = cp.pids().into_iter().map(|(_, p)| p).collect();

    let ns = cp.new_namespace("real").unwrap();
    cp.kubectl_stdin(
        ["apply", "-n", &ns, "-f", "-"],
        &WORKLOAD.replace("STORAGE_CLASS", REAL_STORAGE_CLASS),
    )
    .unwrap();
    wait_for("the pod Ready", Duration::from_secs(120), || {
        let out = cp
            .kubectl_ok([
                "get",
                "pod",
                "solo",
                "-n",
                &ns,
                "-o",
                r#"jsonpath={.spec.nodeName} {.status.conditions[?(@.type=="Ready")].status}"#,
            ])
            .ok()?;
        (out.trim() == format!("{NODE_NAME} True")).then_some(out)
    });
    let ip = cp
        .kubectl_ok([
            "get",
            "service",
            "solo",
            "-n",
            &ns,
            "-o",
            "jsonpath={.spec.clusterIP}",
        ])
        .unwrap();
    // From the host, through the Service IP: the host route, kube-proxy's DNAT, the bridge.
    wait_for(
        "RustFS through its Service",
        Duration::from_secs(30),
        || (http_status(&format!("{ip}:9000"), "/health/ready") == Some(200)).then(String::new),
    );
    // The volume is a real directory, formatted by RustFS as uid 10001 (fsGroup applied).
    let pv_dir = root.join("node/volumes");
    let formatted = sh(&format!(
        "find {} -maxdepth 3 -name .rustfs.sys -printf '%u\\n'",
        pv_dir.display()
    ));
    assert_eq!(formatted.trim(), "10001", "RustFS formatted its drive");
    // The API server reaches the kubelet: logs of a real container.
    let logs = cp.kubectl_ok(["logs", "solo", "-n", &ns]).unwrap();
    assert!(!logs.trim().is_empty(), "kubectl logs shows RustFS output");
    // CoreDNS (the pods' resolver) answers the Service name with its ClusterIP.
    let resolved = wait_for("CoreDNS answer", Duration::from_secs(30), || {
        dns_a(
            local_cluster::NODE_IP,
            &format!("solo.{ns}.svc.cluster.local"),
        )
    });
    assert_eq!(resolved, ip.trim());
    // Names outside the cluster get no answer: pod DNS never leaves the machine.
    assert_eq!(dns_a(local_cluster::NODE_IP, "example.com"), None);

    cp.shutdown();
    for pid in &pids {
        assert!(!pid_alive(*pid), "component {pid} still alive");
    }
    assert!(!root.exists(), "temp dir {} removed", root.display());
    let root_s = root.display().to_string();
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let left: Vec<&str> = mounts
        .lines()
        .filter(|l| l.contains(&root_s) || l.contains("/run/netns/"))
        .collect();
    assert!(left.is_empty(), "mounts left: {left:?}");
    assert!(
        !sh("ip netns list").contains("rustfs-lc-node"),
        "netns left"
    );
    assert!(
        sh("ip -br link")
            .lines()
            .all(|l| !l.starts_with("lc-host0")),
        "veth left"
    );
    assert!(
        !sh("iptables-save").contains("KUBE-"),
        "host iptables rules left"
    );
    assert!(
        sh("ip route").lines().all(|l| !l.contains("10.233.")),
        "host routes left"
    );
    let cgroups = sh("ls -d /sys/fs/cgroup/*/local-cluster 2>/dev/null");
    assert!(cgroups.trim().is_empty(), "cgroups left: {cgroups}");
    for name in [
        "rustfs",
        "pause",
        "containerd-shim",
        "kubelet",
        "kube-proxy",
        "coredns",
    ] {
        let found = sh(&format!("pgrep -x {name} || true"));
        assert!(found.trim().is_empty(), "{name} still running: {found}");
    }
    assert_eq!(sysctls(), before, "sysctls restored");
}
