// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Scale benchmark on the full local control plane, against the floor.
//!
//! For each run, N Tenants of one shape are created at once with the operator running, and
//! timed until all are Ready. Then the objects the operator created are captured, the
//! operator stopped, its namespace deleted, and the same objects applied straight with
//! `kubectl apply --server-side` into a fresh namespace, timed until every StatefulSet is
//! ready: the floor, what any tool needs to get those objects ready on this control plane.
//! The ratio operator ÷ floor is what the operator's own work costs.
//!
//! Also reported, from the API server's audit log (reads audited too): the operator's
//! requests per Tenant by verb and resource, its writes during idle reconciles, and its
//! peak RSS and CPU time.
//!
//! `cargo bench --bench scale -- 10 100 1000 2x4x4:100`: a plain number is N Tenants of
//! 1 pool × 1 server × 4 volumes; `PxSxV:N` is N Tenants of P pools × S servers × V volumes.
//! Default: `10 100`. `BENCH_FLOOR=0` skips the floor (for A/B runs of the operator's
//! memory and CPU). Not a test: it measures and prints (docs/performance.md).

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use kube::api::{Api, Patch, PatchParams, PostParams};
use local_cluster::{ControlPlane, Options};
use machine::Phase;
use rustfs_operator::api::v1alpha1::Tenant;
use serde_json::{Value, json};
use support::operator::{Operator, OperatorOptions};

/// The shape of every Tenant of a run.
#[derive(Clone, Copy, Debug)]
struct Shape {
    pools: usize,
    servers: usize,
    volumes: usize,
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}x{}", self.pools, self.servers, self.volumes)
    }
}

/// One run: N Tenants of a shape.
#[derive(Clone, Copy, Debug)]
struct Run {
    tenants: usize,
    shape: Shape,
}

fn parse_run(arg: &str) -> Option<Run> {
    let (shape, n) = match arg.split_once(':') {
        Some((shape, n)) => (shape, n),
        None => ("1x1x4", arg),
    };
    let mut parts = shape.split('x').map(|p| p.parse::<usize>().ok());
    let shape = Shape {
        pools: parts.next()??,
        servers: parts.next()??,
        volumes: parts.next()??,
    };
    Some(Run {
        tenants: n.parse().ok()?,
        shape,
    })
}

fn tenant(name: &str, shape: Shape) -> Tenant {
    let pools: Vec<Value> = (0..shape.pools)
        .map(|p| {
            json!({"name": format!("p{p}"), "servers": shape.servers, "persistence": {
                "volumesPerServer": shape.volumes,
                "volumeClaimTemplate": {"accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}}}})
        })
        .collect();
    serde_json::from_value(json!({
        "apiVersion": "rustfs.com/v1alpha1",
        "kind": "Tenant",
        "metadata": {"name": name},
        "spec": {"pools": pools}
    }))
    .unwrap()
}

/// Peak resident set (VmHWM, KiB) and CPU seconds (user + system) of a process.
fn usage(pid: u32) -> (u64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum();
    (hwm, ticks / 100.0)
}

/// Requests `user` made since `since` (cluster-scoped ones, or in `namespace`), counted by
/// `verb resource[/subresource]`, each request once (a watch logs two stages).
fn audited_requests(
    cp: &ControlPlane,
    user: &str,
    namespace: &str,
    since: chrono::DateTime<chrono::Utc>,
) -> BTreeMap<String, usize> {
    let log = std::fs::read_to_string(cp.audit_log_path()).unwrap_or_default();
    let mut seen = BTreeSet::new();
    let mut counts = BTreeMap::new();
    for e in log
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
    {
        if e["user"]["username"] != user {
            continue;
        }
        let ns = e["objectRef"]["namespace"].as_str().unwrap_or_default();
        if !ns.is_empty() && ns != namespace {
            continue;
        }
        let at = e["requestReceivedTimestamp"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
        if at.is_none_or(|t| t < since) {
            continue;
        }
        if !seen.insert(e["auditID"].as_str().unwrap_or_default().to_owned()) {
            continue;
        }
        let sub = e["objectRef"]["subresource"]
            .as_str()
            .map(|s| format!("/{s}"))
            .unwrap_or_default();
        let key = format!(
            "{} {}{sub}",
            e["verb"].as_str().unwrap_or("?"),
            e["objectRef"]["resource"].as_str().unwrap_or("?")
        );
        *counts.entry(key).or_default() += 1;
    }
    counts
}

fn is_write(key: &str) -> bool {
    [
        "create ",
        "update ",
        "patch ",
        "delete ",
        "deletecollection ",
    ]
    .iter()
    .any(|v| key.starts_with(v))
}

/// Kinds the operator creates for a Tenant, as `kubectl get` names them.
const CAPTURED: &str =
    "statefulsets,services,serviceaccounts,roles,rolebindings,poddisruptionbudgets,secrets";

/// The objects the operator created in `ns` (everything it labels as managed, and every
/// Secret a Tenant owns), made ready to apply into `into`: server-assigned fields, status
/// and the owner references (their Tenants do not exist there) removed, the namespace
/// renamed wherever it appears (RUSTFS_VOLUMES names pods by their DNS names).
fn capture(cp: &ControlPlane, ns: &str, into: &str) -> (String, usize) {
    let text = cp
        .kubectl_ok(["get", CAPTURED, "-n", ns, "-o", "json"])
        .expect("list the operator's objects");
    let list: Value = serde_json::from_str(&text).unwrap();
    let mut items = Vec::new();
    for mut item in list["items"].as_array().cloned().unwrap_or_default() {
        let labels = &item["metadata"]["labels"];
        let managed = labels["app.kubernetes.io/managed-by"] == "rustfs-operator";
        let owned_by_tenant = item["metadata"]["ownerReferences"]
            .as_array()
            .is_some_and(|refs| refs.iter().any(|r| r["kind"] == "Tenant"));
        if !managed && !owned_by_tenant {
            continue;
        }
        let meta = item["metadata"].as_object_mut().unwrap();
        for field in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "generation",
            "managedFields",
            "ownerReferences",
        ] {
            meta.remove(field);
        }
        let obj = item.as_object_mut().unwrap();
        obj.remove("status");
        if obj["kind"] == "Service"
            && let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut)
            && spec.get("clusterIP").and_then(Value::as_str) != Some("None")
        {
            spec.remove("clusterIP");
            spec.remove("clusterIPs");
        }
        items.push(item);
    }
    let count = items.len();
    let doc = json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string();
    (
        doc.replace(&format!("\"{ns}\""), &format!("\"{into}\""))
            .replace(&format!(".{ns}."), &format!(".{into}.")),
        count,
    )
}

/// Seconds until every StatefulSet in `ns` (there are `expected`) has all its replicas
/// ready at its current generation, counted from `started`.
async fn statefulsets_ready(
    client: &kube::Client,
    ns: &str,
    expected: usize,
    started: Instant,
    deadline: Duration,
) -> Duration {
    use k8s_openapi::api::apps::v1::StatefulSet;
    let api: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    loop {
        let list = api.list(&Default::default()).await.unwrap();
        let ready = list
            .items
            .iter()
            .filter(|s| {
                let status = s.status.clone().unwrap_or_default();
                let want = s.spec.as_ref().and_then(|sp| sp.replicas).unwrap_or(1);
                status.observed_generation == s.metadata.generation
                    && status.ready_replicas.unwrap_or(0) == want
            })
            .count();
        if ready == expected {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < deadline,
            "floor: {ready}/{expected} StatefulSets ready before the deadline"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Deletes a namespace and waits until it is gone and so are the PersistentVolumes its
/// claims were bound to (the PV controller deletes those after the claims, thousands of
/// them in a large run), so the next measurement starts on a control plane as idle as the
/// first. Without the second wait, the floor of a 2x4x4:100 run shared the cluster with
/// the deletion of the operator run's 3,200 volumes and came out slower than the operator.
fn delete_namespace(cp: &ControlPlane, ns: &str) {
    let _ = cp.kubectl(["delete", "namespace", ns, "--wait=true", "--timeout=20m"]);
    let deadline = Instant::now() + Duration::from_secs(1200);
    loop {
        let left = cp
            .kubectl_ok([
                "get",
                "pv",
                "-o",
                "jsonpath={.items[*].spec.claimRef.namespace}",
            ])
            .unwrap_or_default()
            .split_whitespace()
            .filter(|n| *n == ns)
            .count();
        if left == 0 || Instant::now() > deadline {
            return;
        }
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// What one run measured.
struct Measured {
    run: Run,
    operator: Duration,
    /// `None` when `BENCH_FLOOR=0` skipped it.
    floor: Option<Duration>,
    objects: usize,
    requests: BTreeMap<String, usize>,
    idle_writes: usize,
    peak_rss_mib: f64,
    cpu: f64,
}

async fn run(cp: &'static ControlPlane, run: Run) -> Measured {
    let n = run.tenants;
    let ns = cp
        .new_namespace(&format!("scale-{n}-{}", run.shape))
        .unwrap();
    let client = support::admin_client(cp).await;
    let since = chrono::Utc::now();
    let op = Operator::start(cp, &ns, OperatorOptions::default());
    let api: Api<Tenant> = Api::namespaced(client.clone(), &ns);

    let started = Instant::now();
    for i in 0..n {
        api.create(&PostParams::default(), &tenant(&format!("t{i}"), run.shape))
            .await
            .unwrap();
    }
    let deadline = Duration::from_secs(120 + 3 * (n * run.shape.pools * run.shape.servers) as u64);
    loop {
        let list = api.list(&Default::default()).await.unwrap();
        let ready = list
            .items
            .iter()
            .filter(|t| t.status.as_ref().and_then(|s| s.phase) == Some(Phase::Ready))
            .count();
        if ready == n {
            break;
        }
        assert!(
            started.elapsed() < deadline,
            "{ready}/{n} Ready before the deadline"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let operator = started.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let writes = support::audited_writes(cp, support::OPERATOR_USER, &ns).len();
    let requests = audited_requests(cp, support::OPERATOR_USER, &ns, since);

    // One idle reconcile per Tenant, woken by an annotation: it must write nothing.
    for i in 0..n {
        api.patch(
            &format!("t{i}"),
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"annotations": {"bench/poke": "1"}}})),
        )
        .await
        .unwrap();
    }
    tokio::time::sleep(Duration::from_secs(5 + n as u64 / 50)).await;
    let idle_writes = support::audited_writes(cp, support::OPERATOR_USER, &ns)
        .len()
        .saturating_sub(writes);
    let (rss_kib, cpu) = op.pid().map(usage).unwrap_or_default();
    drop(op);

    if !floor_wanted() {
        let (_, objects) = capture(cp, &ns, &ns);
        delete_namespace(cp, &ns);
        return Measured {
            run,
            operator,
            floor: None,
            objects,
            requests,
            idle_writes,
            peak_rss_mib: rss_kib as f64 / 1024.0,
            cpu,
        };
    }

    // The floor: the same objects, applied straight into a fresh namespace.
    let floor_ns = cp
        .new_namespace(&format!("floor-{n}-{}", run.shape))
        .unwrap();
    let (doc, objects) = capture(cp, &ns, &floor_ns);
    let statefulsets = n * run.shape.pools;
    delete_namespace(cp, &ns);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), doc).unwrap();
    let started = Instant::now();
    cp.kubectl_ok([
        "apply",
        "--server-side",
        "--field-manager=floor",
        "-f",
        file.path().to_str().unwrap(),
    ])
    .expect("the captured objects apply");
    let floor = statefulsets_ready(&client, &floor_ns, statefulsets, started, deadline).await;
    delete_namespace(cp, &floor_ns);

    Measured {
        run,
        operator,
        floor: Some(floor),
        objects,
        requests,
        idle_writes,
        peak_rss_mib: rss_kib as f64 / 1024.0,
        cpu,
    }
}

fn print(m: &Measured) {
    let n = m.run.tenants as f64;
    let writes: usize = m
        .requests
        .iter()
        .filter(|(k, _)| is_write(k))
        .map(|(_, v)| v)
        .sum();
    let reads: usize = m
        .requests
        .iter()
        .filter(|(k, _)| !is_write(k))
        .map(|(_, v)| v)
        .sum();
    println!(
        "\n| tenants | shape | operator | floor | ratio | objects | writes/T | reads/T | idle writes | peak RSS | CPU |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (floor, ratio) = match m.floor {
        Some(f) => (
            format!("{:.1} s", f.as_secs_f64()),
            format!("{:.2}", m.operator.as_secs_f64() / f.as_secs_f64()),
        ),
        None => ("not run".to_owned(), "—".to_owned()),
    };
    println!(
        "| {} | {} | {:.1} s | {} | {} | {} | {:.1} | {:.1} | {} | {:.1} MiB | {:.1} s |",
        m.run.tenants,
        m.run.shape,
        m.operator.as_secs_f64(),
        floor,
        ratio,
        m.objects,
        writes as f64 / n,
        reads as f64 / n,
        m.idle_writes,
        m.peak_rss_mib,
        m.cpu
    );
    println!("\n| request (operator, until all Ready) | count | per Tenant |");
    println!("|---|---:|---:|");
    for (what, count) in &m.requests {
        println!("| {what} | {count} | {:.2} |", *count as f64 / n);
    }
}

/// `BENCH_FLOOR=0` measures the operator only (for memory and CPU A/B runs, in half the
/// time); the floor runs otherwise.
fn floor_wanted() -> bool {
    std::env::var("BENCH_FLOOR").map_or(true, |v| v != "0")
}

fn main() {
    let runs: Vec<Run> = std::env::args()
        .skip(1)
        .filter_map(|a| parse_run(&a))
        .collect();
    let runs = if runs.is_empty() {
        vec![parse_run("10").unwrap(), parse_run("100").unwrap()]
    } else {
        runs
    };
    let pods: usize = runs
        .iter()
        .map(|r| r.tenants * r.shape.pools * r.shape.servers)
        .max()
        .unwrap_or(0);
    // 110 pods per fake node; a spare node for spreading.
    let cp = support::cluster(Options {
        kwok_nodes: (pods / 100 + 1).max(3),
        audit_reads: true,
        ..Options::full()
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for r in runs {
        let m = rt.block_on(run(cp, r));
        print(&m);
    }
}
