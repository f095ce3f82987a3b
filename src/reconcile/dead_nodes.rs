// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Pods on a dead node: gathers the facts `nodes::plan` decides on (the Tenant's pods, the
//! health of their Nodes) and hands the actions to `effects::pods`.
//!
//! Outside the state machine on purpose: this repairs what Kubernetes cannot finish by
//! itself (a pod whose kubelet is gone), it is not a phase of the Tenant. The decision is
//! still pure (`nodes::plan`) and every write still in `src/effects/`. It costs nothing
//! while every Node is Ready: the pods are listed only when the Node cache shows one down.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ListParams};
use tracing::{debug, warn};

use crate::api::v1alpha1::{PodDeletionPolicy, Tenant};
use crate::context::Context;
use crate::effects;
use crate::nodes::{self, NodeHealth};
use crate::resources::labels;

/// Retry of a failed list or delete.
const RETRY: Duration = Duration::from_secs(15);

/// Acts on the Tenant's pods on down Nodes, per its policy. Returns when to look again:
/// when a grace period ends, or soon after a failure.
pub async fn check(ctx: &Context, tenant: &Tenant) -> Option<Duration> {
    let policy = tenant
        .spec
        .pod_deletion_policy_when_node_is_down
        .unwrap_or_default();
    let cache = &ctx.stores.nodes;
    // Before its first full list every Node would look gone: decide nothing then.
    if policy == PodDeletionPolicy::DoNothing || !cache.is_synced() || !cache.any_down() {
        return None;
    }
    let ns = tenant.namespace_or_default();
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), ns);
    let selector = format!("{}={}", labels::TENANT, tenant.name());
    let pods = match pods.list(&ListParams::default().labels(&selector)).await {
        Ok(list) => list.items,
        Err(e) => {
            warn!(error = %e, "cannot list the Tenant's pods to check for down Nodes");
            return Some(RETRY);
        }
    };
    // A Node missing from the cache may be gone, or newer than the cache: ask once, so a
    // pod on a node that just joined is never taken for one on a deleted node.
    let mut health: HashMap<String, Option<NodeHealth>> = HashMap::new();
    let node_api: Api<Node> = Api::all(ctx.client.clone());
    for name in pods
        .iter()
        .filter_map(|p| p.spec.as_ref()?.node_name.clone())
    {
        if health.contains_key(&name) {
            continue;
        }
        let known = match cache.health(&name) {
            Some(h) => Some(h),
            None => match node_api.get_opt(&name).await {
                Ok(node) => node.map(|n| NodeHealth::of(&n)),
                Err(e) => {
                    warn!(error = %e, node = %name, "cannot read a Node missing from the cache");
                    return Some(RETRY);
                }
            },
        };
        health.insert(name, known);
    }
    let plan = nodes::plan(
        policy,
        &pods,
        |name| health.get(name).cloned().flatten(),
        Utc::now(),
        ctx.config.node_down_grace,
    );
    debug!(
        pods = pods.len(),
        actions = plan.actions.len(),
        recheck_after = ?plan.recheck_after,
        nodes = ?health,
        "pods on down nodes"
    );
    let failed = if plan.actions.is_empty() {
        0
    } else {
        effects::pods::run(ctx, tenant, &plan.actions).await
    };
    // At least a second apart: a grace period about to end is not worth a busy loop.
    let recheck = plan.recheck_after.map(|r| r.max(Duration::from_secs(1)));
    match failed {
        0 => recheck,
        _ => Some(recheck.map_or(RETRY, |r| r.min(RETRY))),
    }
}
