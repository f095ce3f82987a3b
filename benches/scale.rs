// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Scale benchmark on the full local control plane: N Tenants created at once, then
//! seconds until all are Ready, API writes per Tenant (from the API server's audit log),
//! writes during idle reconciles, and the operator's peak RSS and CPU time.
//!
//! `cargo bench --bench scale -- 10 100` (default: 10 and 100). Not a test: it asserts
//! nothing about speed, it measures and prints.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use kube::api::{Api, Patch, PatchParams, PostParams};
use local_cluster::Options;
use machine::Phase;
use rustfs_operator::api::v1alpha1::Tenant;
use serde_json::json;
use support::operator::{Operator, OperatorOptions};

fn tenant(name: &str) -> Tenant {
    serde_json::from_value(json!({
        "apiVersion": "rustfs.com/v1alpha1",
        "kind": "Tenant",
        "metadata": {"name": name},
        "spec": {"pools": [{"name": "p", "servers": 1, "persistence": {
            "volumesPerServer": 4,
            "volumeClaimTemplate": {"accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}}}}}]}
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

async fn run(n: usize) {
    let cp = support::cluster(Options::full());
    let ns = cp.new_namespace(&format!("scale-{n}")).unwrap();
    let client = support::admin_client(cp).await;
    let op = Operator::start(cp, &ns, OperatorOptions::default());
    let api: Api<Tenant> = Api::namespaced(client, &ns);

    let started = Instant::now();
    for i in 0..n {
        api.create(&PostParams::default(), &tenant(&format!("t{i}")))
            .await
            .unwrap();
    }
    let created = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(60 + 3 * n as u64);
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
            Instant::now() < deadline,
            "{ready}/{n} Ready before the deadline"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let all_ready = started.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let writes = support::audited_writes(cp, support::OPERATOR_USER, &ns);

    // One idle reconcile per Tenant, woken by an annotation.
    for i in 0..n {
        api.patch(
            &format!("t{i}"),
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"annotations": {"bench/poke": "1"}}})),
        )
        .await
        .unwrap();
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle = support::audited_writes(cp, support::OPERATOR_USER, &ns).len() - writes.len();
    let (rss_kib, cpu) = op.pid().map(usage).unwrap_or_default();

    println!(
        "tenants={n} create_calls={:.1}s all_ready={:.1}s writes_per_tenant={:.1} idle_writes={idle} peak_rss={:.1}MiB cpu={:.1}s",
        created.as_secs_f64(),
        all_ready.as_secs_f64(),
        writes.len() as f64 / n as f64,
        rss_kib as f64 / 1024.0,
        cpu
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10, 100]
    } else {
        sizes
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for n in sizes {
        rt.block_on(run(n));
    }
}
