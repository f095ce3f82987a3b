// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The real-node tier: a real kubelet, containerd, kube-proxy and CoreDNS run real pods, the
//! operator runs in-cluster from its image under `deploy/`'s ServiceAccount and RBAC, and
//! RustFS 1.0.1 (built from the crate registry) stores real objects on real directories.
//! Every test talks S3 to the Tenant through its `<tenant>-io` Service with the `rust-s3`
//! crate and counts objects before and after.
//!
//! Needs root and what `make node` installs; when the node cannot start, every test fails
//! with the launcher's message (never skipped). Tests run one at a time: the machine has two
//! cores and one real node.

mod real_node_layouts;
mod support;

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Secret, Service};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use local_cluster::{ControlPlane, Options};
use machine::Phase;
use rustfs_operator::api::v1alpha1::Tenant;
use serde_json::json;

use support::s3::S3;
use support::{admin_client, eventually};

/// The RustFS 1.0.1 image built by deploy/local/images.sh, and a second tag of it.
const IMAGE: &str = "localhost/rustfs/rustfs:1.0.1";
const IMAGE_B: &str = "localhost/rustfs/rustfs:1.0.1-b";
const ACCESS_KEY: &str = "real-node-admin";
const SECRET_KEY: &str = "real-node-secret-key-0123456789";
const READY_TIMEOUT: Duration = Duration::from_secs(300);

/// The operator's storage poll interval in this tier.
const STORAGE_POLL_S: u64 = 10;

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The real-node control plane with the operator running in it (once per test binary).
fn cp() -> &'static ControlPlane {
    static OPERATOR: OnceLock<()> = OnceLock::new();
    // 24 volumes for the tests here (Released ones are not reused), 18 for
    // real_node_layouts, a few spare.
    let cp = support::cluster(Options {
        real_node_volumes: 56,
        ..Options::real_node()
    });
    OPERATOR.get_or_init(|| install_operator(cp));
    cp
}

/// `deploy/`'s namespace, RBAC and Deployment, unchanged: the image is the one images.sh
/// built from the Dockerfile's steps and imported under the Deployment's own reference.
fn install_operator(cp: &ControlPlane) {
    let f = |rel: &str| support::repo_path(rel).display().to_string();
    cp.kubectl_ok([
        "apply",
        "-f",
        &f("deploy/namespace.yaml"),
        "-f",
        &f("deploy/rbac.yaml"),
        "-f",
        &f("deploy/deployment.yaml"),
    ])
    .expect("deploy/ applies");
    // Storage checks every 10 s instead of the default 30 s, so the storage test is quick;
    // spans to the launcher's Jaeger (through the host's end of the node's veth), so the
    // storage test can search them for the root credentials.
    let otlp = cp
        .jaeger_otlp_http_for_pods()
        .expect("the real node's control plane runs Jaeger");
    cp.kubectl_ok([
        "set",
        "env",
        "deployment/rustfs-operator",
        "-n",
        "rustfs-system",
        &format!("RUSTFS_OPERATOR_STORAGE_POLL_INTERVAL={STORAGE_POLL_S}"),
        &format!("OTEL_EXPORTER_OTLP_ENDPOINT={otlp}"),
        "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
    ])
    .expect("the poll interval and the OTLP endpoint are set");
    let started = Instant::now();
    if let Err(e) = cp.kubectl_ok([
        "rollout",
        "status",
        "deployment/rustfs-operator",
        "-n",
        "rustfs-system",
        "--timeout=180s",
    ]) {
        let pods = cp
            .kubectl_ok(["get", "pods", "-n", "rustfs-system", "-o", "wide"])
            .unwrap_or_default();
        let logs = cp
            .kubectl_ok([
                "logs",
                "-n",
                "rustfs-system",
                "deployment/rustfs-operator",
                "--tail=40",
            ])
            .unwrap_or_default();
        panic!("the in-cluster operator did not become available: {e}\n{pods}\n{logs}");
    }
    eprintln!(
        "METRIC real_node.operator_available_s {:.1}",
        started.elapsed().as_secs_f64()
    );
}

fn pool(name: &str, servers: i32) -> serde_json::Value {
    json!({
        "name": name,
        "servers": servers,
        "persistence": {
            "volumesPerServer": 1,
            "volumeClaimTemplate": {
                "storageClassName": local_cluster::REAL_STORAGE_CLASS,
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}}
            }
        }
    })
}

/// A Tenant of one pool of 4 servers x 1 volume, with the credentials Secret `<name>-creds`.
fn tenant(name: &str) -> Tenant {
    serde_json::from_value(json!({
        "apiVersion": "rustfs.com/v1alpha1",
        "kind": "Tenant",
        "metadata": {"name": name},
        "spec": {
            "image": IMAGE,
            "credsSecret": {"name": format!("{name}-creds")},
            "pools": [pool("pool-0", 4)]
        }
    }))
    .unwrap()
}

/// One test's namespace, clients and Tenant.
struct Scene {
    cp: &'static ControlPlane,
    ns: String,
    client: kube::Client,
    tenants: Api<Tenant>,
    name: String,
}

/// A finished test's Tenant stops serving: its namespace goes (without waiting), so the
/// RustFS servers of earlier tests do not load the node for the later ones.
impl Drop for Scene {
    fn drop(&mut self) {
        let _ = self
            .cp
            .kubectl_ok(["delete", "namespace", &self.ns, "--wait=false"]);
    }
}

impl Scene {
    /// Creates the namespace, the credentials Secret and the Tenant, and waits for Ready.
    async fn ready(prefix: &str, name: &str) -> Scene {
        let started = Instant::now();
        let scene = Scene::create(prefix, tenant(name)).await;
        scene.wait_ready(&format!("{name} created")).await;
        eprintln!(
            "METRIC real_node.tenant_ready_s {:.1}",
            started.elapsed().as_secs_f64()
        );
        scene
    }

    /// Creates a namespace, the credentials Secret `<name>-creds` and `tenant` in it.
    async fn create(prefix: &str, tenant: Tenant) -> Scene {
        let name = tenant.name().to_owned();
        let cp = cp();
        let ns = cp.new_namespace(prefix).unwrap();
        let client = admin_client(cp).await;
        let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
        let secret: Secret = serde_json::from_value(json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": format!("{name}-creds")},
            "stringData": {"accesskey": ACCESS_KEY, "secretkey": SECRET_KEY}
        }))
        .unwrap();
        secrets
            .create(&PostParams::default(), &secret)
            .await
            .unwrap();
        let tenants: Api<Tenant> = Api::namespaced(client.clone(), &ns);
        tenants
            .create(&PostParams::default(), &tenant)
            .await
            .unwrap();
        Scene {
            cp,
            ns,
            client,
            tenants,
            name,
        }
    }

    /// Waits until the Tenant is Ready for its current generation, with every StatefulSet
    /// on its update revision; on timeout, panics with the pods and their logs.
    async fn wait_ready(&self, after: &str) -> Tenant {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let t = self.tenants.get(&self.name).await.unwrap();
            let status = t.status.clone().unwrap_or_default();
            if status.phase == Some(Phase::Ready)
                && status.observed_generation == t.metadata.generation
                && self.rolled_out().await
            {
                return t;
            }
            if Instant::now() > deadline {
                panic!(
                    "Tenant {} not Ready {READY_TIMEOUT:?} after {after}: phase {:?} reason {:?} \
                     message {:?}\n{}",
                    self.name,
                    status.phase,
                    status.reason,
                    status.message,
                    self.diagnostics()
                );
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// True when every pool's StatefulSet runs its latest revision on all replicas.
    async fn rolled_out(&self) -> bool {
        let sts: Api<StatefulSet> = Api::namespaced(self.client.clone(), &self.ns);
        let list = sts.list(&ListParams::default()).await.unwrap();
        !list.items.is_empty()
            && list.items.iter().all(|s| {
                let st = s.status.clone().unwrap_or_default();
                let want = s.spec.as_ref().and_then(|sp| sp.replicas).unwrap_or(1);
                st.observed_generation == s.metadata.generation
                    && st.update_revision.is_some()
                    && st.current_revision == st.update_revision
                    && st.updated_replicas == Some(want)
                    && st.ready_replicas == Some(want)
            })
    }

    fn diagnostics(&self) -> String {
        let mut out = self
            .cp
            .kubectl_ok(["get", "pods,pvc,sts", "-n", &self.ns, "-o", "wide"])
            .unwrap_or_else(|e| e.to_string());
        for pod in self.pod_names_blocking() {
            out.push_str(&format!("\n--- logs of {pod}:\n"));
            out.push_str(
                &self
                    .cp
                    .kubectl_ok(["logs", "-n", &self.ns, &pod, "--tail=15"])
                    .unwrap_or_else(|e| e.to_string()),
            );
        }
        out.push_str("\n--- operator:\n");
        out.push_str(
            &self
                .cp
                .kubectl_ok([
                    "logs",
                    "-n",
                    "rustfs-system",
                    "deployment/rustfs-operator",
                    "--tail=20",
                ])
                .unwrap_or_default(),
        );
        out
    }

    fn pod_names_blocking(&self) -> Vec<String> {
        self.cp
            .kubectl_ok([
                "get",
                "pods",
                "-n",
                &self.ns,
                "-o",
                "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}",
            ])
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    async fn pods(&self) -> Vec<Pod> {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.ns);
        let lp = ListParams::default().labels(&format!("rustfs.com/tenant={}", self.name));
        pods.list(&lp).await.unwrap().items
    }

    /// `http://<ClusterIP of <tenant>-io>:9000`, reached from the host through kube-proxy.
    async fn endpoint(&self) -> String {
        let svc: Api<Service> = Api::namespaced(self.client.clone(), &self.ns);
        let io = svc.get(&format!("{}-io", self.name)).await.unwrap();
        let spec = io.spec.unwrap();
        let port = spec.ports.unwrap()[0].port;
        format!("http://{}:{port}", spec.cluster_ip.unwrap())
    }

    /// An S3 client through the io Service, once the Service answers: kube-proxy programs a
    /// new Service's rules asynchronously, so the first seconds after Ready may see no route.
    async fn s3(&self, bucket: &str) -> S3 {
        let endpoint = self.endpoint().await;
        let addr = endpoint.trim_start_matches("http://").to_owned();
        eventually(
            Duration::from_secs(30),
            &format!("{endpoint}/health/ready through the Service"),
            || {
                let addr = addr.clone();
                async move {
                    match support::http_get(&addr, "/health/ready") {
                        Some((200, _)) => Ok(()),
                        other => Err(format!("{other:?}")),
                    }
                }
            },
        )
        .await;
        S3::new(&endpoint, ACCESS_KEY, SECRET_KEY, bucket)
    }

    async fn patch_spec(&self, spec: serde_json::Value) {
        self.tenants
            .patch(
                &self.name,
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": spec})),
            )
            .await
            .unwrap();
    }

    /// The update revision of the first pool's StatefulSet.
    async fn update_revision(&self) -> Option<String> {
        let sts: Api<StatefulSet> = Api::namespaced(self.client.clone(), &self.ns);
        sts.get(&format!("{}-pool-0", self.name))
            .await
            .unwrap()
            .status
            .and_then(|s| s.update_revision)
    }

    /// The transitions the status history holds, as (from, to).
    async fn transitions(&self) -> Vec<(Phase, Phase)> {
        let t = self.tenants.get(&self.name).await.unwrap();
        t.status
            .map(|s| s.transitions.iter().map(|tr| (tr.from, tr.to)).collect())
            .unwrap_or_default()
    }
}

/// `GET http://<pod IP>:9000/health/ready` from the host.
fn pod_health_ready(pod: &Pod) -> Option<u16> {
    let ip = pod.status.as_ref()?.pod_ip.clone()?;
    support::http_get(&format!("{ip}:9000"), "/health/ready").map(|(code, _)| code)
}

/// `Uid`, `Gid`, `NoNewPrivs`, `CapEff` and `Seccomp` of the container's main process, read
/// from /proc on the host: the process whose cgroup names the pod's UID and whose command is
/// `rustfs`.
fn rustfs_process_status(pod: &Pod) -> BTreeMap<String, String> {
    let pid = rustfs_pid(pod);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
}

/// The pid (on the host) of the pod's rustfs process.
fn rustfs_pid(pod: &Pod) -> String {
    let uid = pod.metadata.uid.clone().unwrap();
    let needles = [uid.clone(), uid.replace('-', "_")];
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let path = entry.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.trim() != "rustfs" {
            continue;
        }
        let cgroup = std::fs::read_to_string(path.join("cgroup")).unwrap_or_default();
        if !needles.iter().any(|n| cgroup.contains(n.as_str())) {
            continue;
        }
        return entry.file_name().to_string_lossy().into_owned();
    }
    panic!(
        "no rustfs process found for pod {}",
        pod.metadata.name.as_deref().unwrap_or("?")
    );
}

/// The mount options of `target` as the pod's rustfs process sees it (from
/// /proc/<pid>/mountinfo on the host).
fn rustfs_mount(pod: &Pod, target: &str) -> String {
    let pid = rustfs_pid(pod);
    let info = std::fs::read_to_string(format!("/proc/{pid}/mountinfo")).unwrap();
    info.lines()
        .rev()
        .find_map(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            (fields.get(4) == Some(&target)).then(|| fields[5].to_owned())
        })
        .unwrap_or_else(|| panic!("{target} not mounted in {pid}:\n{info}"))
}

#[tokio::test]
async fn four_servers_reach_ready_only_with_rustfs_ready_and_serve_s3() {
    let _serial = SERIAL.lock().await;
    let scene = Scene::ready("rn-s3", "store").await;

    // Ready means RustFS itself is ready on every pod, not only that containers started.
    let pods = scene.pods().await;
    assert_eq!(pods.len(), 4, "one pod per server");
    for pod in &pods {
        assert_eq!(
            pod_health_ready(pod),
            Some(200),
            "/health/ready of {}",
            pod.metadata.name.as_deref().unwrap_or("?")
        );
        let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
        assert_eq!(node.as_deref(), Some(local_cluster::NODE_NAME));
    }

    // S3 through the io Service: a bucket, 100 objects with known checksums, all read back.
    let s3 = scene.s3("checked").await;
    s3.create_bucket().await.expect("create bucket");
    let started = Instant::now();
    let objects = s3.put_objects("first", 0..100).await;
    eprintln!(
        "METRIC real_node.put_100_objects_s {:.2}",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(s3.verify(&objects).await, Vec::<String>::new());

    // Wrong credentials are refused.
    let wrong = S3::new(
        &scene.endpoint().await,
        ACCESS_KEY,
        "not-the-secret-key",
        "checked",
    );
    assert_eq!(wrong.put("first/forged", b"x").await, Ok(403));
    assert_eq!(wrong.get(&objects[0].0).await.map(|r| r.0), Ok(403));

    // RustFS logs to stdout at the operator's default level (info; RustFS alone would log
    // errors only): `kubectl logs` shows its JSON lines.
    let pod0 = format!("{}-pool-0-0", scene.name);
    let logs = scene
        .cp
        .kubectl_ok(["logs", "-n", &scene.ns, &pod0])
        .expect("kubectl logs");
    let json_lines = logs
        .lines()
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
        .count();
    assert!(json_lines > 0, "no JSON log line from {pod0}:\n{logs}");

    // The process runs as the operator renders it: uid/gid 10001, no privilege escalation,
    // no capabilities, the runtime's default seccomp filter.
    let status = rustfs_process_status(&pods[0]);
    assert_eq!(
        status["Uid"].split_whitespace().next(),
        Some("10001"),
        "{status:?}"
    );
    assert_eq!(
        status["Gid"].split_whitespace().next(),
        Some("10001"),
        "{status:?}"
    );
    assert_eq!(status["NoNewPrivs"], "1", "{status:?}");
    assert_eq!(status["CapEff"], "0000000000000000", "{status:?}");
    assert_eq!(status["Seccomp"], "2", "{status:?}");
    // A read-only root filesystem, and RustFS still runs (it writes to its drive and /tmp).
    let root = rustfs_mount(&pods[0], "/");
    assert!(
        root.split(',').any(|o| o == "ro"),
        "root mount options {root}"
    );
    let tmp = rustfs_mount(&pods[0], "/tmp");
    assert!(
        tmp.split(',').any(|o| o == "rw"),
        "/tmp mount options {tmp}"
    );

    // One pod deleted: every object stays readable while it is gone; the Tenant goes
    // Degraded, then Ready again.
    let pods_api: Api<Pod> = Api::namespaced(scene.client.clone(), &scene.ns);
    let victim = format!("{}-pool-0-2", scene.name);
    pods_api
        .delete(&victim, &DeleteParams::default())
        .await
        .unwrap();
    let bad = s3.verify(&objects).await;
    assert!(
        bad.is_empty(),
        "unreadable while {victim} was down: {bad:?}"
    );
    eventually(
        Duration::from_secs(60),
        "a Ready -> Degraded transition",
        || async {
            let seen = scene.transitions().await;
            if seen.contains(&(Phase::Ready, Phase::Degraded)) {
                Ok(())
            } else {
                Err(format!("{seen:?}"))
            }
        },
    )
    .await;
    scene.wait_ready(&format!("{victim} deleted")).await;
    let seen = scene.transitions().await;
    let degraded_at = seen
        .iter()
        .rposition(|t| *t == (Phase::Ready, Phase::Degraded))
        .unwrap();
    assert!(
        seen[degraded_at..].contains(&(Phase::Degraded, Phase::Ready)),
        "{seen:?}"
    );
    assert_eq!(s3.verify(&objects).await, Vec::<String>::new());
}

#[tokio::test]
async fn rolling_changes_keep_every_object() {
    let _serial = SERIAL.lock().await;
    let scene = Scene::ready("rn-roll", "roll").await;
    let s3 = scene.s3("rolling").await;
    s3.create_bucket().await.expect("create bucket");
    let objects = s3.put_objects("before", 0..100).await;

    // An env change rolls every pod, one at a time.
    scene
        .patch_spec(json!({"env": [
            {"name": "RUSTFS_OBS_LOGGER_LEVEL", "value": "info"},
            {"name": "RUSTFS_REGION", "value": "us-east-1"}
        ]}))
        .await;
    let started = Instant::now();
    scene.wait_ready("the env change").await;
    eprintln!(
        "METRIC real_node.env_rollout_s {:.1}",
        started.elapsed().as_secs_f64()
    );
    assert!(
        scene
            .transitions()
            .await
            .iter()
            .any(|t| t.1 == Phase::RollingOut),
        "the change went through RollingOut"
    );
    assert_eq!(s3.verify(&objects).await, Vec::<String>::new());

    // A new image (a second tag of the same RustFS) rolls them again.
    scene.patch_spec(json!({"image": IMAGE_B})).await;
    scene.wait_ready("the image change").await;
    for pod in scene.pods().await {
        let image = pod.spec.unwrap().containers[0].image.clone();
        assert_eq!(image.as_deref(), Some(IMAGE_B));
    }
    assert_eq!(s3.verify(&objects).await, Vec::<String>::new());
    let more = s3.put_objects("after", 100..120).await;
    assert_eq!(s3.verify(&more).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_second_pool_expands_the_cluster_and_keeps_objects() {
    let _serial = SERIAL.lock().await;
    let scene = Scene::ready("rn-pool", "grow").await;
    let s3 = scene.s3("growing").await;
    s3.create_bucket().await.expect("create bucket");
    let objects = s3.put_objects("one-pool", 0..50).await;

    scene
        .patch_spec(json!({"pools": [pool("pool-0", 4), pool("pool-1", 4)]}))
        .await;
    let started = Instant::now();
    scene.wait_ready("adding pool-1").await;
    eprintln!(
        "METRIC real_node.pool_expansion_s {:.1}",
        started.elapsed().as_secs_f64()
    );
    let seen = scene.transitions().await;
    assert!(seen.iter().any(|t| t.1 == Phase::RollingOut), "{seen:?}");
    let pods = scene.pods().await;
    assert_eq!(pods.len(), 8, "4 pods per pool");
    for pod in &pods {
        assert_eq!(pod_health_ready(pod), Some(200));
    }
    assert_eq!(s3.verify(&objects).await, Vec::<String>::new());
    let new = s3.put_objects("two-pools", 50..150).await;
    eprintln!(
        "METRIC real_node.expansion_put_503_retries {}",
        s3.retried()
    );
    assert_eq!(s3.verify(&new).await, Vec::<String>::new());
    assert_eq!(s3.verify(&objects).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_credentials_change_rolls_the_servers_and_reads_never_stop() {
    let _serial = SERIAL.lock().await;
    let scene = Scene::ready("rn-creds", "creds").await;
    let s3 = scene.s3("kept").await;
    s3.create_bucket().await.expect("create bucket");
    let objects = s3.put_objects("before", 0..40).await;
    let revision_before = scene.update_revision().await;

    // New root credentials in a new Secret; the Tenant points at it. The internode secret
    // does not depend on them, so the cluster stays one cluster while pods roll.
    const NEW_ACCESS: &str = "rotated-admin";
    const NEW_SECRET: &str = "rotated-secret-key-9876543210";
    let secrets: Api<Secret> = Api::namespaced(scene.client.clone(), &scene.ns);
    let rotated: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "creds-rotated"},
        "stringData": {"accesskey": NEW_ACCESS, "secretkey": NEW_SECRET}
    }))
    .unwrap();
    secrets
        .create(&PostParams::default(), &rotated)
        .await
        .unwrap();
    scene
        .patch_spec(json!({"credsSecret": {"name": "creds-rotated"}}))
        .await;

    // Read continuously until the rollout is over, from every ready pod in turn (straight to
    // its IP: through the Service, a kept-alive connection stays on one pod). A pod knows only
    // the credentials it started with, so each read is signed with the old ones and, on 403,
    // with the new ones. A read fails when neither works, or on anything but 200 with the
    // right body: what a split cluster would give (quorum errors, 5xx). No answer at all from
    // a pod that is just stopping is not a failed read; it is counted apart.
    let pods_api: Api<Pod> = Api::namespaced(scene.client.clone(), &scene.ns);
    let selector = ListParams::default().labels(&format!("rustfs.com/tenant={}", scene.name));
    let (mut reads, mut failures, mut gone) = (0usize, Vec::new(), 0usize);
    let (mut with_old, mut with_new) = (0usize, 0usize);
    let started = Instant::now();
    loop {
        let ready_ips: Vec<String> = pods_api
            .list(&selector)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|p| {
                p.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
            })
            .filter_map(|p| p.status.and_then(|s| s.pod_ip))
            .collect();
        for (i, (key, sum)) in objects.iter().step_by(7).enumerate() {
            let Some(ip) = ready_ips.get(i % ready_ips.len().max(1)) else {
                break;
            };
            reads += 1;
            let endpoint = format!("http://{ip}:9000");
            // A pod that stops between the list and the read does not answer: do not wait
            // the default 20 s for it.
            let old = S3::new(&endpoint, ACCESS_KEY, SECRET_KEY, "kept")
                .with_timeout(Duration::from_secs(2));
            let new = S3::new(&endpoint, NEW_ACCESS, NEW_SECRET, "kept")
                .with_timeout(Duration::from_secs(2));
            let mut answer = old.get(key).await;
            let mut by_new = false;
            if matches!(answer, Ok((403, _))) {
                answer = new.get(key).await;
                by_new = true;
            }
            match answer {
                Ok((200, body)) if support::s3::sha256_hex(&body) == *sum => {
                    if by_new {
                        with_new += 1;
                    } else {
                        with_old += 1;
                    }
                }
                // No HTTP answer at all: the pod is stopping (its IP was in the list a moment
                // ago). A split cluster answers, with 5xx.
                Err(_) => gone += 1,
                other => failures.push(format!(
                    "{key} from {ip}: {:?}",
                    other.map(|(c, b)| (c, String::from_utf8_lossy(&b).into_owned()))
                )),
            }
        }
        let t = scene.tenants.get(&scene.name).await.unwrap();
        let st = t.status.clone().unwrap_or_default();
        if st.phase == Some(Phase::Ready)
            && st.observed_generation == t.metadata.generation
            && scene.rolled_out().await
            && scene.update_revision().await != revision_before
        {
            break;
        }
        assert!(
            started.elapsed() < READY_TIMEOUT,
            "rollout not done: {st:?}\n{}",
            scene.diagnostics()
        );
    }
    eprintln!(
        "METRIC real_node.creds_rollout_reads {reads} failed {} old_keys {with_old} new_keys {with_new} pod_gone {gone} in {:.1}s",
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "reads failed during the rollout: {failures:?}"
    );
    assert!(reads >= 12, "too few reads to mean anything: {reads}");
    // Both generations of pods served reads during the rollout, side by side in one cluster.
    assert!(
        with_old > 0 && with_new > 0,
        "old {with_old}, new {with_new}"
    );

    // Afterwards only the new credentials work, and every object is there.
    let new = scene_s3_with(&scene, NEW_ACCESS, NEW_SECRET, "kept").await;
    assert_eq!(new.verify(&objects).await, Vec::<String>::new());
    assert_eq!(s3.get(&objects[0].0).await.map(|r| r.0), Ok(403));
}

/// An S3 client through the io Service with other credentials.
async fn scene_s3_with(scene: &Scene, access: &str, secret: &str, bucket: &str) -> S3 {
    S3::new(&scene.endpoint().await, access, secret, bucket)
}

/// `curl` over https to the io Service by its DNS name (resolved to the ClusterIP, so the
/// certificate's name is checked), trusting only `ca`, signing with SigV4.
fn curl_https(ca: &std::path::Path, host: &str, ip: &str, args: &[&str]) -> (bool, String) {
    let empty_sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let mut cmd = std::process::Command::new("curl");
    cmd.args(["-sS", "--fail-with-body", "--max-time", "20", "--cacert"])
        .arg(ca)
        .args(["--resolve", &format!("{host}:9000:{ip}")])
        .args(["--aws-sigv4", "aws:amz:us-east-1:s3", "--user"])
        .arg(format!("{ACCESS_KEY}:{SECRET_KEY}"));
    // curl signs but sends no payload hash; RustFS requires the header. UNSIGNED-PAYLOAD
    // covers uploads, the empty hash the reads.
    let is_upload = args.contains(&"--upload-file") || args.contains(&"-T");
    let hash = if is_upload {
        "UNSIGNED-PAYLOAD"
    } else {
        empty_sha
    };
    cmd.args(["-H", &format!("x-amz-content-sha256: {hash}")]);
    cmd.args(args);
    let out = cmd.output().expect("curl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn tls_serves_https_and_the_servers_form_over_internode_https() {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let _serial = SERIAL.lock().await;
    let cp = cp();
    let ns = cp.new_namespace("rn-tls").unwrap();
    let client = admin_client(cp).await;
    let name = "secure";

    // A CA and a certificate for the io Service and every server's headless name.
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // Distinct names: with rcgen's default DN on both, a client sees subject == issuer on the
    // leaf and takes it for self-signed.
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "real-node test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let io_host = format!("{name}-io.{ns}.svc.cluster.local");
    let mut leaf_params = CertificateParams::new(vec![
        io_host.clone(),
        format!("*.{name}-hl.{ns}.svc.cluster.local"),
    ])
    .unwrap();
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, io_host.clone());
    let leaf = leaf_params.signed_by(&key, &issuer).unwrap();
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    for s in [
        json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
               "metadata": {"name": "secure-certs"},
               "stringData": {"tls.crt": leaf.pem(), "tls.key": key.serialize_pem(), "ca.crt": ca.pem()}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "secure-creds"},
               "stringData": {"accesskey": ACCESS_KEY, "secretkey": SECRET_KEY}}),
    ] {
        secrets
            .create(&PostParams::default(), &serde_json::from_value(s).unwrap())
            .await
            .unwrap();
    }
    let mut t = tenant(name);
    t.spec.tls = Some(
        serde_json::from_value(json!({"mode": "secret", "secretName": "secure-certs"})).unwrap(),
    );
    let tenants: Api<Tenant> = Api::namespaced(client.clone(), &ns);
    tenants.create(&PostParams::default(), &t).await.unwrap();
    let scene = Scene {
        cp,
        ns: ns.clone(),
        client: client.clone(),
        tenants,
        name: name.to_owned(),
    };
    // Ready needs every server's /health/ready (over HTTPS probes), which needs its peers:
    // the four servers reached each other over internode https.
    let t = scene.wait_ready("created with TLS").await;
    let tls_ready = t
        .status
        .as_ref()
        .unwrap()
        .conditions
        .iter()
        .find(|c| c.type_ == "TlsReady")
        .cloned()
        .expect("TlsReady");
    assert_eq!(tls_ready.status, "True", "{tls_ready:?}");

    let svc: Api<Service> = Api::namespaced(client.clone(), &ns);
    let ip = svc
        .get(&format!("{name}-io"))
        .await
        .unwrap()
        .spec
        .unwrap()
        .cluster_ip
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.crt");
    std::fs::write(&ca_path, ca.pem()).unwrap();
    let url = |path: &str| format!("https://{io_host}:9000{path}");

    // kube-proxy programs a new Service asynchronously: wait until it answers (over https).
    let health = url("/health/ready");
    eventually(Duration::from_secs(30), "the io Service over https", || {
        let (ca_path, io_host, ip, health) =
            (ca_path.clone(), io_host.clone(), ip.clone(), health.clone());
        async move {
            match curl_https(&ca_path, &io_host, &ip, &[&health]) {
                (true, _) => Ok(()),
                (false, out) => Err(out),
            }
        }
    })
    .await;

    // S3 over https, trusting only the Tenant's CA, with the name checked.
    let (ok, out) = curl_https(&ca_path, &io_host, &ip, &["-X", "PUT", &url("/tls-bucket")]);
    assert!(ok, "create bucket over https: {out}");
    let body = dir.path().join("object");
    std::fs::write(&body, b"served over https").unwrap();
    let file = body.display().to_string();
    // A write needs a write quorum of the four servers: internode https at work.
    let (ok, out) = curl_https(
        &ca_path,
        &io_host,
        &ip,
        &["--upload-file", &file, &url("/tls-bucket/o1")],
    );
    assert!(ok, "PUT over https: {out}");
    let (ok, out) = curl_https(&ca_path, &io_host, &ip, &[&url("/tls-bucket/o1")]);
    assert!(ok && out == "served over https", "GET over https: {out}");

    // Plain http is not served, and a client without the CA refuses the certificate.
    let plain = support::http_get(&format!("{ip}:9000"), "/health/ready").map(|r| r.0);
    assert_ne!(plain, Some(200), "plain http answered");
    let other = dir.path().join("other.crt");
    let other_ca = CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&KeyPair::generate().unwrap())
        .unwrap();
    std::fs::write(&other, other_ca.pem()).unwrap();
    let (ok, out) = curl_https(&other, &io_host, &ip, &[&url("/tls-bucket/o1")]);
    assert!(
        !ok,
        "a client that does not trust the Tenant's CA connected: {out}"
    );
    assert!(out.contains("certificate"), "{out}");
}

/// The host directory behind a pod's first data volume (local PV).
async fn drive_dir(scene: &Scene, pod: &str) -> String {
    use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
    let pvcs: Api<PersistentVolumeClaim> = Api::namespaced(scene.client.clone(), &scene.ns);
    let claim = pvcs.get(&format!("vol-0-{pod}")).await.unwrap();
    let volume = claim.spec.unwrap().volume_name.unwrap();
    let pvs: Api<PersistentVolume> = Api::all(scene.client.clone());
    pvs.get(&volume)
        .await
        .unwrap()
        .spec
        .unwrap()
        .local
        .unwrap()
        .path
}

/// Makes a directory unreadable to RustFS (uid 10001, no capabilities) until dropped.
struct Unreadable {
    path: String,
    mode: std::fs::Permissions,
}

impl Unreadable {
    fn new(path: &str) -> Unreadable {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
        Unreadable {
            path: path.to_owned(),
            mode,
        }
    }
}

impl Drop for Unreadable {
    fn drop(&mut self) {
        let _ = std::fs::set_permissions(&self.path, self.mode.clone());
    }
}

/// Keeps the node unschedulable until dropped.
struct Cordoned(String);

impl Drop for Cordoned {
    fn drop(&mut self) {
        let _ = cp().kubectl_ok(["uncordon", &self.0]);
    }
}

/// Waits until the Tenant satisfies `check`, which explains itself on failure.
async fn tenant_until(
    scene: &Scene,
    timeout: Duration,
    what: &str,
    check: impl Fn(&Tenant) -> Result<(), String>,
) -> Tenant {
    let tenants = scene.tenants.clone();
    let name = scene.name.clone();
    eventually(timeout, what, || {
        let tenants = tenants.clone();
        let name = name.clone();
        let check = &check;
        async move {
            let t = tenants.get(&name).await.map_err(|e| e.to_string())?;
            check(&t).map(|()| t.clone()).map_err(|e| {
                let st = t.status.clone().unwrap_or_default();
                format!(
                    "{e}; phase {:?} reason {:?} message {:?} storage {:?}",
                    st.phase, st.reason, st.message, st.storage
                )
            })
        }
    })
    .await
}

fn storage_shows(t: &Tenant, drives: &str) -> Result<(), String> {
    match t.status.as_ref().and_then(|s| s.storage.as_ref()) {
        Some(s) if s.drives == drives => Ok(()),
        other => Err(format!("storage.drives is not {drives}: {other:?}")),
    }
}

/// RustFS's own report reaches the status: a drive that fails under a ready pod makes the
/// Tenant Degraded with the drive named, and Ready again when it is back; a server taken
/// down shows its drive offline; an idle, healthy Tenant's status is never rewritten.
#[tokio::test]
async fn storage_health_follows_what_rustfs_reports() {
    let _serial = SERIAL.lock().await;
    let scene = Scene::ready("rn-health", "health").await;
    let poll = Duration::from_secs(STORAGE_POLL_S);
    tenant_until(&scene, poll * 6, "status.storage shows 4/4 drives", |t| {
        storage_shows(t, "4/4")
    })
    .await;
    let t = scene.tenants.get(&scene.name).await.unwrap();
    let storage = t.status.unwrap().storage.unwrap();
    assert_eq!(storage.pools.len(), 1);
    assert_eq!(
        (storage.pools[0].sets, storage.pools[0].drives_per_set),
        (1, 4)
    );
    assert_eq!(storage.parity, Some(2));
    assert!(storage.raw_capacity_bytes > 0 && storage.raw_available_bytes > 0);

    // Idle and healthy: three poll rounds, no write to the Tenant from the operator.
    let before = support::audited_writes(cp(), support::OPERATOR_USER, &scene.ns).len();
    tokio::time::sleep(poll * 3 + Duration::from_secs(2)).await;
    let writes = support::audited_writes(cp(), support::OPERATOR_USER, &scene.ns);
    assert_eq!(
        &writes[before..],
        &[] as &[String],
        "an idle Tenant's storage checks wrote nothing"
    );

    // A drive fails under a ready pod: RustFS reports it, the pods stay ready.
    let pod = format!("{}-pool-0-2", scene.name);
    let dir = drive_dir(&scene, &pod).await;
    let failed = Unreadable::new(&dir);
    let started = Instant::now();
    let degraded = tenant_until(&scene, poll * 9, "Degraded with the drive named", |t| {
        let st = t.status.as_ref().ok_or("no status")?;
        let named = format!("pool-0: 1 of 4 drives offline ({pod}:/data/rustfs0)");
        if st.phase == Some(Phase::Degraded)
            && st.reason.as_deref() == Some("DrivesOffline")
            && st.message.as_deref().is_some_and(|m| m.contains(&named))
        {
            Ok(())
        } else {
            Err(format!("waiting for DrivesOffline naming {named}"))
        }
    })
    .await;
    drop(failed);
    eprintln!(
        "METRIC real_node.drive_offline_detected_s {:.1}",
        started.elapsed().as_secs_f64()
    );
    let st = degraded.status.unwrap();
    let storage = st.storage.unwrap();
    assert_eq!(storage.drives, "3/4");
    assert_eq!(storage.offline_drives.len(), 1);
    assert_eq!(storage.offline_drives[0].server, pod);
    assert_eq!(storage.offline_drives[0].path, "/data/rustfs0");
    assert_eq!(st.ready.as_deref(), Some("4/4"), "every pod stayed ready");
    let events = scene
        .cp
        .kubectl_ok(["get", "events", "-n", &scene.ns, "-o", "json"])
        .unwrap();
    assert!(
        events.contains("\"reason\": \"DrivesOffline\""),
        "a DrivesOffline event was recorded"
    );

    // The drive is back: Ready again, 4/4.
    let started = Instant::now();
    tenant_until(&scene, poll * 9, "Ready again with 4/4 drives", |t| {
        let st = t.status.as_ref().ok_or("no status")?;
        storage_shows(t, "4/4")?;
        (st.phase == Some(Phase::Ready))
            .then_some(())
            .ok_or_else(|| "not Ready".to_owned())
    })
    .await;
    eprintln!(
        "METRIC real_node.drive_recovered_s {:.1}",
        started.elapsed().as_secs_f64()
    );

    // A server taken down (its pod deleted and not schedulable): its drive shows offline.
    let node = scene
        .cp
        .kubectl_ok(["get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"])
        .unwrap();
    scene.cp.kubectl_ok(["cordon", &node]).unwrap();
    let cordoned = Cordoned(node.clone());
    let down = format!("{}-pool-0-3", scene.name);
    scene
        .cp
        .kubectl_ok(["delete", "pod", "-n", &scene.ns, &down, "--wait=false"])
        .unwrap();
    let seen = tenant_until(&scene, poll * 9, "the downed server's drive offline", |t| {
        let st = t.status.as_ref().ok_or("no status")?;
        let storage = st.storage.as_ref().ok_or("no storage")?;
        if st.phase == Some(Phase::Degraded)
            && storage.offline_drives.iter().any(|d| d.server == down)
            && st
                .message
                .as_deref()
                .is_some_and(|m| m.contains(&format!("{down}:/data/rustfs0")))
        {
            Ok(())
        } else {
            Err(format!("waiting for {down}'s drive offline"))
        }
    })
    .await;
    drop(cordoned);
    assert_eq!(seen.status.unwrap().storage.unwrap().drives, "3/4");
    tenant_until(
        &scene,
        READY_TIMEOUT,
        "Ready again after the server is back",
        |t| {
            let st = t.status.as_ref().ok_or("no status")?;
            storage_shows(t, "4/4")?;
            (st.phase == Some(Phase::Ready))
                .then_some(())
                .ok_or_else(|| "not Ready".to_owned())
        },
    )
    .await;

    // The root credentials never reached the operator's log (either replica's).
    let logs = scene
        .cp
        .kubectl_ok([
            "logs",
            "-n",
            "rustfs-system",
            "-l",
            "app.kubernetes.io/name=rustfs-operator",
            "--tail=-1",
            "--prefix",
        ])
        .unwrap();
    assert!(
        logs.contains("starting rustfs-operator server"),
        "the logs were read: {logs:.300}"
    );
    assert!(
        !logs.contains(SECRET_KEY),
        "the secret key is in the operator's log"
    );
    // Nor its traces: the storage checks' spans (each signs admin requests with the root
    // credentials) and every other span the operator exported.
    let checks = eventually(
        Duration::from_secs(30),
        "the storage checks' spans in Jaeger",
        || async {
            match support::jaeger_spans(cp(), "rustfs-operator", Some("storage check")) {
                Ok(spans) if !spans.is_empty() => Ok(spans),
                Ok(_) => Err("no storage check span yet".to_owned()),
                Err(e) => Err(e),
            }
        },
    )
    .await;
    let all = support::jaeger_spans(cp(), "rustfs-operator", None).unwrap();
    let text = serde_json::to_string(&(&checks, &all)).unwrap();
    assert!(
        !text.contains(SECRET_KEY),
        "the secret key is in the operator's spans"
    );
    eprintln!(
        "METRIC real_node.storage_trace_spans checks {} all {}",
        checks.len(),
        all.len()
    );
}

/// Small filesystems of their own for a Tenant's drives: RustFS refuses to start a
/// decommission when the source drives' used space (filesystem-wide) does not fit the
/// target's free space, and the shared local PVs all sit on the host's root filesystem.
/// `count` tmpfs mounts of 256 MiB, as local PVs of StorageClass `local-real-tmpfs`;
/// unmounted (lazily) when dropped.
struct TmpfsVolumes {
    dir: tempfile::TempDir,
    count: usize,
}

const TMPFS_CLASS: &str = "local-real-tmpfs";

impl TmpfsVolumes {
    fn new(prefix: &str, count: usize) -> TmpfsVolumes {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir().unwrap();
        let mut docs = format!(
            "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {{name: {TMPFS_CLASS}}}\n\
             provisioner: kubernetes.io/no-provisioner\nreclaimPolicy: Retain\n\
             volumeBindingMode: WaitForFirstConsumer\n"
        );
        for i in 0..count {
            let path = dir.path().join(format!("d{i}"));
            std::fs::create_dir(&path).unwrap();
            let status = std::process::Command::new("mount")
                .args(["-t", "tmpfs", "-o", "size=256m,mode=0777", "tmpfs"])
                .arg(&path)
                .status()
                .unwrap();
            assert!(status.success(), "mount tmpfs on {}", path.display());
            docs.push_str(&format!(
                "---\napiVersion: v1\nkind: PersistentVolume\nmetadata: {{name: {prefix}-{i}}}\n\
                 spec:\n  capacity: {{storage: 256Mi}}\n  accessModes: [ReadWriteOnce]\n  \
                 persistentVolumeReclaimPolicy: Retain\n  storageClassName: {TMPFS_CLASS}\n  \
                 volumeMode: Filesystem\n  local: {{path: \"{}\"}}\n  nodeAffinity:\n    required:\n      \
                 nodeSelectorTerms:\n        - matchExpressions:\n            - {{key: kubernetes.io/hostname, \
                 operator: In, values: [{}]}}\n",
                path.display(),
                local_cluster::NODE_NAME
            ));
        }
        let file = dir.path().join("pvs.yaml");
        std::fs::write(&file, docs).unwrap();
        cp().kubectl_ok(["apply", "-f", &file.display().to_string()])
            .expect("tmpfs PVs apply");
        TmpfsVolumes { dir, count }
    }
}

impl Drop for TmpfsVolumes {
    fn drop(&mut self) {
        for i in 0..self.count {
            let _ = std::process::Command::new("umount")
                .arg("-l")
                .arg(self.dir.path().join(format!("d{i}")))
                .status();
        }
    }
}

/// Shrinking a Tenant: pool-0 of two is decommissioned; RustFS moves its objects to pool-1,
/// the pool leaves RUSTFS_VOLUMES, its StatefulSet goes, its claims stay, every object stays
/// readable, and the pool can then leave the spec.
#[tokio::test]
async fn decommissioning_a_pool_keeps_every_object_and_every_claim() {
    let _serial = SERIAL.lock().await;
    let _volumes = TmpfsVolumes::new("rn-decom-pv", 8);
    let small = |name: &str| {
        let mut p = pool(name, 4);
        p["persistence"]["volumeClaimTemplate"]["storageClassName"] = json!(TMPFS_CLASS);
        p["persistence"]["volumeClaimTemplate"]["resources"]["requests"]["storage"] =
            json!("256Mi");
        p
    };
    let mut t = tenant("shrink");
    t.spec.pools = serde_json::from_value(json!([small("pool-0"), small("pool-1")])).unwrap();
    let scene = Scene::create("rn-decom", t).await;
    scene.wait_ready("two pools created").await;
    let s3 = scene.s3("shrinking").await;
    s3.create_bucket().await.expect("create bucket");
    let objects = s3.put_objects("kept", 0..240).await;
    assert_eq!(s3.verify(&objects).await, Vec::<String>::new());

    let pvcs: Api<k8s_openapi::api::core::v1::PersistentVolumeClaim> =
        Api::namespaced(scene.client.clone(), &scene.ns);
    let claims_before: Vec<String> = pvcs
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .iter()
        .filter_map(|c| c.metadata.uid.clone())
        .collect();
    assert_eq!(claims_before.len(), 8);

    // Drain pool-0.
    let started = Instant::now();
    scene
        .tenants
        .patch(
            &scene.name,
            &PatchParams::default(),
            &Patch::<()>::Json(
                serde_json::from_value(json!([
                    {"op": "add", "path": "/spec/pools/0/decommission", "value": true}
                ]))
                .unwrap(),
            ),
        )
        .await
        .unwrap();
    let done = tenant_until(
        &scene,
        READY_TIMEOUT,
        "pool-0 decommissioned, the rest Ready",
        |t| {
            let st = t.status.as_ref().ok_or("no status")?;
            let p0 = st
                .pools
                .iter()
                .find(|p| p.name == "pool-0")
                .ok_or("no pool-0")?;
            if p0.state.to_string() == "Decommissioned"
                && st.phase == Some(Phase::Ready)
                && st.ready.as_deref() == Some("4/4")
            {
                Ok(())
            } else {
                Err(format!("pool-0 {:?} {:?}", p0.state, p0.decommission))
            }
        },
    )
    .await;
    scene.wait_ready("the decommission").await;
    eprintln!(
        "METRIC real_node.decommission_to_ready_s {:.1}",
        started.elapsed().as_secs_f64()
    );
    let st = done.status.unwrap();
    let drained = st.pools[0].decommission.clone().unwrap();
    assert_eq!(drained.state.to_string(), "Complete");
    assert!(
        drained.objects_moved > 0,
        "RustFS moved objects: {drained:?}"
    );
    eprintln!(
        "METRIC real_node.decommission_objects_moved {}",
        drained.objects_moved
    );
    let history: Vec<String> = st.transitions.iter().map(|t| t.reason.clone()).collect();
    let events = scene
        .cp
        .kubectl_ok(["get", "events", "-n", &scene.ns, "-o", "json"])
        .unwrap();
    for reason in ["DecommissionStarted", "PoolDecommissioned"] {
        assert!(
            events.contains(&format!("\"reason\": \"{reason}\"")),
            "event {reason} recorded; transitions {history:?}"
        );
    }

    // pool-0's StatefulSet is gone, pool-1's servers no longer list it, no claim was deleted.
    let sts: Api<StatefulSet> = Api::namespaced(scene.client.clone(), &scene.ns);
    assert!(sts.get_opt("shrink-pool-0").await.unwrap().is_none());
    let budgets: Api<k8s_openapi::api::policy::v1::PodDisruptionBudget> =
        Api::namespaced(scene.client.clone(), &scene.ns);
    assert!(budgets.get_opt("shrink-pool-0").await.unwrap().is_none());
    assert!(budgets.get_opt("shrink-pool-1").await.unwrap().is_some());
    let p1 = sts.get("shrink-pool-1").await.unwrap();
    let env = p1.spec.unwrap().template.spec.unwrap().containers[0]
        .env
        .clone()
        .unwrap();
    let volumes = env
        .iter()
        .find(|e| e.name == "RUSTFS_VOLUMES")
        .and_then(|e| e.value.clone())
        .unwrap();
    assert!(
        !volumes.contains("shrink-pool-0") && volumes.contains("shrink-pool-1"),
        "{volumes}"
    );
    let claims_after: Vec<String> = pvcs
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .iter()
        .filter_map(|c| c.metadata.uid.clone())
        .collect();
    assert_eq!(claims_after, claims_before, "every claim kept");

    // Every object is readable from the pool that is left.
    let s3 = scene.s3("shrinking").await;
    assert_eq!(s3.verify(&objects).await, Vec::<String>::new());

    // Now the pool may leave the spec, and nothing changes.
    scene
        .tenants
        .patch(
            &scene.name,
            &PatchParams::default(),
            &Patch::<()>::Json(
                serde_json::from_value(json!([{"op": "remove", "path": "/spec/pools/0"}])).unwrap(),
            ),
        )
        .await
        .expect("a decommissioned pool may leave spec.pools");
    scene.wait_ready("pool-0 left the spec").await;
    assert_eq!(s3.verify(&objects).await, Vec::<String>::new());
    let left = pvcs.list(&ListParams::default()).await.unwrap().items.len();
    assert_eq!(
        left, 8,
        "the drained pool's claims stay until deleted on purpose"
    );
}

/// What the S3 checker saw while faults ran.
#[derive(Debug, Default)]
struct Checked {
    /// (key, checksum) of every PUT answered 200.
    acked: Vec<(String, String)>,
    puts_failed: usize,
    puts_no_answer: usize,
    reads_ok: usize,
    /// 200 with the wrong body.
    reads_corrupt: Vec<String>,
    /// 404 for an object that was acknowledged.
    reads_lost: Vec<String>,
    /// Any other answer (5xx): unavailable although the pod answered.
    reads_failed: Vec<String>,
    /// No answer: the pod was stopping.
    reads_no_answer: usize,
}

/// Writes and reads objects continuously, each request to a ready pod by its IP (a kept-
/// alive connection through the Service would stay on one pod), until `stop` is set.
async fn s3_checker(
    client: kube::Client,
    ns: String,
    tenant: String,
    bucket: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Checked {
    use std::sync::atomic::Ordering;
    let pods_api: Api<Pod> = Api::namespaced(client, &ns);
    let selector = ListParams::default().labels(&format!("rustfs.com/tenant={tenant}"));
    let mut seen = Checked::default();
    let mut ips: Vec<String> = Vec::new();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        if n.is_multiple_of(10) || ips.is_empty() {
            ips = pods_api
                .list(&selector)
                .await
                .map(|l| l.items)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p.metadata.deletion_timestamp.is_none())
                .filter(|p| {
                    p.status
                        .as_ref()
                        .and_then(|s| s.conditions.as_ref())
                        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
                })
                .filter_map(|p| p.status.and_then(|s| s.pod_ip))
                .collect();
            if ips.is_empty() {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        }
        let s3 = |i: usize| {
            S3::new(
                &format!("http://{}:9000", ips[i % ips.len()]),
                ACCESS_KEY,
                SECRET_KEY,
                &bucket,
            )
            .with_timeout(Duration::from_secs(3))
        };
        let key = format!("checker/obj-{n:05}");
        let body = support::s3::object_body(n);
        match s3(n).put_with_body(&key, &body).await {
            Ok((200, _)) => seen.acked.push((key, support::s3::sha256_hex(&body))),
            Ok(_) => seen.puts_failed += 1,
            Err(_) => seen.puts_no_answer += 1,
        }
        if !seen.acked.is_empty() {
            let (key, sum) = seen.acked[(n * 7919) % seen.acked.len()].clone();
            match s3(n + 1).get(&key).await {
                Ok((200, b)) if support::s3::sha256_hex(&b) == sum => seen.reads_ok += 1,
                Ok((200, _)) => seen.reads_corrupt.push(key),
                Ok((404, _)) => seen.reads_lost.push(key),
                Ok((code, _)) => seen.reads_failed.push(format!("{key}: {code}")),
                Err(_) => seen.reads_no_answer += 1,
            }
        }
        n += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen
}

/// Data under faults: while an S3 checker writes and reads continuously, each server is
/// killed in turn, a rolling update runs, and the operator is killed. No acknowledged
/// object is lost or corrupted, and reads keep being answered (4 drives, parity 2: one
/// server down leaves read and write quorum).
// Multi-threaded: the checker keeps running while this task blocks in kubectl.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_survive_killed_servers_a_rolling_update_and_a_killed_operator() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let _serial = SERIAL.lock().await;
    let scene = Scene::ready("rn-faults", "faults").await;
    let s3 = scene.s3("checked").await;
    s3.create_bucket().await.expect("create bucket");
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let checker = tokio::spawn(s3_checker(
        scene.client.clone(),
        scene.ns.clone(),
        scene.name.clone(),
        "checked".into(),
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_secs(3)).await;
    let started = Instant::now();

    // Each server killed in turn (SIGKILL: no graceful stop), the next once all are back.
    let pods_api: Api<Pod> = Api::namespaced(scene.client.clone(), &scene.ns);
    for ordinal in 0..4 {
        let pod = format!("{}-pool-0-{ordinal}", scene.name);
        let before = pods_api.get(&pod).await.unwrap().metadata.uid;
        scene
            .cp
            .kubectl_ok([
                "delete",
                "pod",
                "-n",
                &scene.ns,
                &pod,
                "--grace-period=0",
                "--force",
            ])
            .unwrap();
        // The next server dies only once this one is back: a new pod, ready.
        eventually(READY_TIMEOUT, &format!("{pod} back and ready"), || {
            let pods_api = pods_api.clone();
            let pod = pod.clone();
            let before = before.clone();
            async move {
                let p = pods_api.get(&pod).await.map_err(|e| e.to_string())?;
                let ready = p
                    .status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
                (p.metadata.uid != before && ready)
                    .then_some(())
                    .ok_or_else(|| "not yet".to_owned())
            }
        })
        .await;
        scene.wait_ready(&format!("{pod} killed")).await;
        // Traffic on the healed cluster before the next fault.
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    // A rolling update.
    scene
        .patch_spec(json!({"env": [{"name": "RUSTFS_OBS_LOGGER_LEVEL", "value": "info"}]}))
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    scene.wait_ready("the rolling update").await;
    // Both operator replicas killed; the Deployment brings them back.
    scene
        .cp
        .kubectl_ok([
            "delete",
            "pod",
            "-n",
            "rustfs-system",
            "-l",
            "app.kubernetes.io/name=rustfs-operator",
            "--grace-period=0",
            "--force",
        ])
        .unwrap();
    tokio::time::sleep(Duration::from_secs(10)).await;
    scene
        .cp
        .kubectl_ok([
            "rollout",
            "status",
            "deployment/rustfs-operator",
            "-n",
            "rustfs-system",
            "--timeout=120s",
        ])
        .expect("the operator is back");
    scene.wait_ready("the operator killed").await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.store(true, Ordering::Relaxed);
    let seen = checker.await.unwrap();

    // Every acknowledged object reads back intact through the Service.
    let s3 = scene.s3("checked").await;
    let bad = s3.verify(&seen.acked).await;
    eprintln!(
        "METRIC real_node.faults acked {} puts_failed {} puts_no_answer {} reads_ok {} \
         reads_failed {} reads_no_answer {} lost {} corrupt {} final_bad {} in {:.0}s",
        seen.acked.len(),
        seen.puts_failed,
        seen.puts_no_answer,
        seen.reads_ok,
        seen.reads_failed.len(),
        seen.reads_no_answer,
        seen.reads_lost.len(),
        seen.reads_corrupt.len(),
        bad.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        bad,
        Vec::<String>::new(),
        "acknowledged objects lost or corrupted"
    );
    assert_eq!(seen.reads_corrupt, Vec::<String>::new(), "corrupt reads");
    assert_eq!(
        seen.reads_lost,
        Vec::<String>::new(),
        "acknowledged objects missing"
    );
    // About one PUT and one GET a second on this node (2 cores, 4 servers on one disk).
    assert!(
        seen.acked.len() >= 40 && seen.reads_ok >= 40,
        "too little traffic to mean anything: {seen:?}"
    );
    // Reads stay available where erasure allows: a pod that answers serves the object.
    assert!(
        seen.reads_failed.len() * 50 <= seen.reads_ok,
        "more than 2% of answered reads failed: {:?}",
        seen.reads_failed
    );
}
