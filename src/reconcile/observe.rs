// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Observing the rollout: what the StatefulSets say, turned into the machine's facts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::api::{Api, ListParams};
use kube::runtime::reflector::ObjectRef;
use machine::{PoolRollout, Rollout, Storage, Timestamp};

use crate::admin::info::StorageCheck;
use crate::api::v1alpha1::{PoolState, PoolStatus, Tenant, TenantStatus};
use crate::context::Context;
use crate::effects::StoredStatefulSets;
use crate::resources::{labels, names};
use crate::validate::parse_quantity;

/// Per pool: volumes still growing, and those of them waiting for a filesystem resize.
pub type Resizes = BTreeMap<String, (u32, u32)>;

/// Where one claim stands in a volume growth: `None` when it is not growing, else whether
/// only the filesystem resize (done by the kubelet on the node) is left.
pub fn claim_resize(pvc: &PersistentVolumeClaim) -> Option<bool> {
    let status = pvc.status.as_ref()?;
    if status.phase.as_deref() != Some("Bound") {
        // Not provisioned yet: it is made at the size asked for.
        return None;
    }
    let condition = |type_: &str| {
        status
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == type_ && c.status == "True")
    };
    let filesystem_pending = condition("FileSystemResizePending");
    let size = |q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>| {
        q.and_then(|q| parse_quantity(&q.0).ok())
    };
    let requested = size(
        pvc.spec
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage")),
    );
    let capacity = size(status.capacity.as_ref().and_then(|c| c.get("storage")));
    let smaller = matches!((capacity, requested), (Some(c), Some(r)) if c < r);
    (smaller || filesystem_pending || condition("Resizing")).then_some(filesystem_pending)
}

/// Lists the claims of `pools` (by the pool labels the claim templates carry) and counts the
/// ones still growing. Only called for pools with a growth under way, so a Tenant that never
/// grows its volumes costs no read.
pub async fn volume_resizes(
    ctx: &Context,
    tenant: &Tenant,
    pools: impl IntoIterator<Item = &str>,
) -> Result<Resizes, kube::Error> {
    let api: Api<PersistentVolumeClaim> =
        Api::namespaced(ctx.client.clone(), tenant.namespace_or_default());
    let mut out = Resizes::new();
    for pool in pools {
        let selector = labels::selector_string(&labels::pool_selector_labels(tenant.name(), pool));
        let claims = api.list(&ListParams::default().labels(&selector)).await?;
        let states: Vec<bool> = claims.items.iter().filter_map(claim_resize).collect();
        let pending = states.iter().filter(|fs| **fs).count() as u32;
        out.insert(pool.to_owned(), (states.len() as u32, pending));
    }
    Ok(out)
}

/// Pools whose stored status still shows volumes growing.
pub fn pools_still_resizing(previous: &TenantStatus) -> impl Iterator<Item = &str> {
    previous
        .pools
        .iter()
        .filter(|p| p.volumes_resizing > 0)
        .map(|p| p.name.as_str())
}

/// One observation of all pools, with the stall clock.
#[derive(Clone, Debug)]
pub struct Observation {
    /// Fed to the machine.
    pub rollout: Rollout,
    /// For `status.pools`, in spec order (pools without a StatefulSet included).
    pub pools: Vec<PoolStatus>,
    /// RustFS's last storage report, for `status.storage` (fed to the machine only when
    /// newer than the rollout's last progress).
    pub storage: Option<StorageCheck>,
}

impl Observation {
    /// When the rollout last made progress, for `status.lastProgressTime`.
    pub fn last_progress_time(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(self.rollout.last_progress.0 as i64, 0)
    }
}

/// Reads every pool's StatefulSet: the one this reconcile applied if any (fresher than the
/// cache), else the cached one.
///
/// `decommission` is this reconcile's look at a pool decommission; without one, each pool
/// keeps the decommission its stored status shows. Pools whose decommission completed
/// are `Decommissioned` and not part of the rollout.
pub fn rollout(
    ctx: &Context,
    tenant: &Tenant,
    stored: &StoredStatefulSets,
    resizes: &Resizes,
    previous: &TenantStatus,
    now: Timestamp,
    decommission: Option<&super::decommission::Observed>,
) -> Observation {
    let tenant_name = tenant.name();
    let ns = tenant.namespace_or_default();
    let retired = crate::api::v1alpha1::retired_pools(Some(previous));
    let stored_decommission = |pool: &str| {
        previous
            .pools
            .iter()
            .find(|p| p.name == pool)
            .and_then(|p| p.decommission.clone())
    };
    let mut pools = Vec::with_capacity(tenant.spec.pools.len());
    let mut rollouts = Vec::with_capacity(tenant.spec.pools.len());
    for pool in &tenant.spec.pools {
        if retired.contains(&pool.name) {
            pools.push(PoolStatus {
                name: pool.name.clone(),
                stateful_set: names::stateful_set(tenant_name, &pool.name),
                replicas: 0,
                state: PoolState::Decommissioned,
                decommission: stored_decommission(&pool.name),
                ..PoolStatus::default()
            });
            continue;
        }
        let name = names::stateful_set(tenant_name, &pool.name);
        let sts = stored
            .get(&name)
            .cloned()
            .or_else(|| {
                ctx.stores
                    .owned
                    .stateful_sets
                    .get(&ObjectRef::new(&name).within(ns))
                    .map(|s| (*s).clone())
            })
            // A StatefulSet of that name that another controller owns is not this pool.
            .filter(|s| controlled_by(s, tenant));
        let (mut status, mut rollout) = pool_state(&pool.name, &name, pool.servers, sts.as_ref());
        status.decommission = match decommission {
            Some(d) => d
                .status
                .as_ref()
                .filter(|(p, _)| *p == pool.name)
                .map(|(_, s)| s.clone()),
            None => stored_decommission(&pool.name),
        };
        if let Some(&(resizing, pending)) = resizes.get(&pool.name) {
            rollout.resizing = resizing;
            rollout.filesystem_pending = pending;
            status.volumes_resizing = resizing as i32;
            status.filesystem_resize_pending = pending as i32;
        }
        pools.push(status);
        rollouts.push(rollout);
    }
    let previous_rollouts: Vec<PoolRollout> =
        previous.pools.iter().map(PoolRollout::from).collect();
    let previous_mark = previous
        .last_progress_time
        .map(|t| Timestamp(t.timestamp().max(0) as u64));
    let last_progress = machine::last_progress(&previous_rollouts, previous_mark, &rollouts, now);
    let check = ctx.storage_check(tenant);
    Observation {
        rollout: Rollout {
            pools: rollouts,
            now,
            last_progress,
            storage: fresh_storage(check.as_ref(), last_progress),
            decommission: decommission.map(|d| d.fact.clone()).unwrap_or_default(),
        },
        pools,
        storage: check,
    }
}

/// The machine's storage fact: a report taken before the rollout last moved describes pods
/// that may have been replaced since, so it counts as unknown.
fn fresh_storage(check: Option<&StorageCheck>, last_progress: Timestamp) -> Storage {
    match check {
        Some(c) if c.checked_at.timestamp() >= last_progress.0 as i64 => c.report.to_machine(),
        _ => Storage::Unknown,
    }
}

/// The StatefulSet's controller owner reference points at this Tenant.
fn controlled_by(sts: &StatefulSet, tenant: &Tenant) -> bool {
    sts.metadata
        .owner_references
        .iter()
        .flatten()
        .any(|r| r.controller == Some(true) && Some(&r.uid) == tenant.metadata.uid.as_ref())
}

/// One pool's status and machine fact from its StatefulSet (absent: nothing ready yet).
fn pool_state(
    pool: &str,
    sts_name: &str,
    servers: i32,
    sts: Option<&StatefulSet>,
) -> (PoolStatus, PoolRollout) {
    let desired = servers.max(0) as u32;
    let Some(sts) = sts else {
        let rollout = PoolRollout {
            name: pool.to_owned(),
            desired,
            ready: 0,
            updated: 0,
            observed: false,
            current_revision: String::new(),
            update_revision: String::new(),
            resizing: 0,
            filesystem_pending: 0,
        };
        let status = PoolStatus {
            name: pool.to_owned(),
            stateful_set: sts_name.to_owned(),
            replicas: servers,
            state: PoolState::NotCreated,
            ..PoolStatus::default()
        };
        return (status, rollout);
    };
    let st = sts.status.clone().unwrap_or_default();
    let replicas = sts.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let observed = match (st.observed_generation, sts.metadata.generation) {
        (Some(seen), Some(generation)) => seen >= generation,
        _ => false,
    };
    let rollout = PoolRollout {
        name: pool.to_owned(),
        desired: replicas.max(0) as u32,
        ready: st.ready_replicas.unwrap_or(0).max(0) as u32,
        updated: st.updated_replicas.unwrap_or(0).max(0) as u32,
        observed,
        current_revision: st.current_revision.clone().unwrap_or_default(),
        update_revision: st.update_revision.clone().unwrap_or_default(),
        resizing: 0,
        filesystem_pending: 0,
    };
    let state = PoolState::from(rollout.state());
    let status = PoolStatus {
        name: pool.to_owned(),
        stateful_set: sts_name.to_owned(),
        replicas,
        ready_replicas: rollout.ready as i32,
        updated_replicas: rollout.updated as i32,
        current_revision: st.current_revision,
        update_revision: st.update_revision,
        observed,
        state,
        ..PoolStatus::default()
    };
    (status, rollout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::{StatefulSetSpec, StatefulSetStatus};
    use kube::api::ObjectMeta;

    fn sts(
        replicas: i32,
        ready: i32,
        updated: i32,
        cur: &str,
        upd: &str,
        seen: i64,
    ) -> StatefulSet {
        StatefulSet {
            metadata: ObjectMeta {
                generation: Some(2),
                ..ObjectMeta::default()
            },
            spec: Some(StatefulSetSpec {
                replicas: Some(replicas),
                ..StatefulSetSpec::default()
            }),
            status: Some(StatefulSetStatus {
                replicas,
                ready_replicas: Some(ready),
                updated_replicas: Some(updated),
                current_revision: Some(cur.into()),
                update_revision: Some(upd.into()),
                observed_generation: Some(seen),
                ..StatefulSetStatus::default()
            }),
        }
    }

    #[test]
    fn missing_statefulset_is_not_created_and_not_observed() {
        let (status, rollout) = pool_state("p0", "t-p0", 4, None);
        assert_eq!(status.state, PoolState::NotCreated);
        assert_eq!(status.replicas, 4);
        assert!(!rollout.observed);
        assert!(!rollout.is_complete());
    }

    #[test]
    fn settled_statefulset_is_ready() {
        let (status, rollout) = pool_state("p0", "t-p0", 4, Some(&sts(4, 4, 4, "r1", "r1", 2)));
        assert_eq!(status.state, PoolState::Ready);
        assert!(rollout.is_complete());
        assert_eq!(
            PoolRollout::from(&status),
            rollout,
            "status round-trips to the same fact"
        );
    }

    #[test]
    fn stale_observed_generation_is_updating() {
        let (status, rollout) = pool_state("p0", "t-p0", 4, Some(&sts(4, 4, 4, "r1", "r1", 1)));
        assert_eq!(status.state, PoolState::Updating);
        assert!(!rollout.observed);
    }

    #[test]
    fn lost_pod_is_not_ready() {
        let (status, _) = pool_state("p0", "t-p0", 4, Some(&sts(4, 3, 4, "r1", "r1", 2)));
        assert_eq!(status.state, PoolState::NotReady);
        assert_eq!(status.ready_replicas, 3);
    }

    #[test]
    fn only_a_statefulset_this_tenant_controls_is_its_pool() {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
        let mut tenant = Tenant::default();
        tenant.metadata.uid = Some("mine".into());
        let owned_by = |uid: &str, controller: bool| {
            let mut s = sts(1, 1, 1, "r", "r", 2);
            s.metadata.owner_references = Some(vec![OwnerReference {
                uid: uid.into(),
                controller: Some(controller),
                ..OwnerReference::default()
            }]);
            s
        };
        assert!(controlled_by(&owned_by("mine", true), &tenant));
        assert!(!controlled_by(&owned_by("other", true), &tenant));
        assert!(!controlled_by(&owned_by("mine", false), &tenant));
        assert!(!controlled_by(&sts(1, 1, 1, "r", "r", 2), &tenant));
    }

    fn claim(
        phase: &str,
        request: &str,
        capacity: &str,
        conditions: &[&str],
    ) -> PersistentVolumeClaim {
        use k8s_openapi::api::core::v1::{
            PersistentVolumeClaimCondition, PersistentVolumeClaimSpec, PersistentVolumeClaimStatus,
            VolumeResourceRequirements,
        };
        use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
        let size = |s: &str| BTreeMap::from([("storage".to_owned(), Quantity(s.to_owned()))]);
        PersistentVolumeClaim {
            spec: Some(PersistentVolumeClaimSpec {
                resources: Some(VolumeResourceRequirements {
                    requests: Some(size(request)),
                    limits: None,
                }),
                ..PersistentVolumeClaimSpec::default()
            }),
            status: Some(PersistentVolumeClaimStatus {
                phase: Some(phase.to_owned()),
                capacity: Some(size(capacity)),
                conditions: Some(
                    conditions
                        .iter()
                        .map(|c| PersistentVolumeClaimCondition {
                            type_: (*c).to_owned(),
                            status: "True".to_owned(),
                            ..PersistentVolumeClaimCondition::default()
                        })
                        .collect(),
                ),
                ..PersistentVolumeClaimStatus::default()
            }),
            ..PersistentVolumeClaim::default()
        }
    }

    #[test]
    fn a_claim_grows_until_its_capacity_reaches_the_request_and_its_conditions_clear() {
        assert_eq!(claim_resize(&claim("Bound", "20Gi", "20Gi", &[])), None);
        assert_eq!(
            claim_resize(&claim("Bound", "20Gi", "21474836480", &[])),
            None
        );
        assert_eq!(
            claim_resize(&claim("Bound", "20Gi", "10Gi", &[])),
            Some(false)
        );
        assert_eq!(
            claim_resize(&claim("Bound", "20Gi", "10Gi", &["Resizing"])),
            Some(false)
        );
        // The controller grew the volume; the kubelet must still grow the filesystem.
        assert_eq!(
            claim_resize(&claim(
                "Bound",
                "20Gi",
                "20Gi",
                &["FileSystemResizePending"]
            )),
            Some(true)
        );
        // A claim not bound yet is made at the new size: nothing to wait for.
        assert_eq!(claim_resize(&claim("Pending", "20Gi", "0", &[])), None);
        assert_eq!(claim_resize(&PersistentVolumeClaim::default()), None);
    }

    #[test]
    fn a_storage_report_older_than_the_last_progress_is_unknown() {
        use crate::admin::info::StorageReport;
        let report = StorageReport {
            online: 7,
            offline: 1,
            pools: vec![crate::api::v1alpha1::StoragePoolStatus {
                name: "p0".into(),
                drives_online: 7,
                drives_offline: 1,
                ..Default::default()
            }],
            ..StorageReport::default()
        };
        let check = StorageCheck {
            checked_at: DateTime::from_timestamp(1_000, 0).unwrap(),
            report,
        };
        assert!(matches!(
            fresh_storage(Some(&check), Timestamp(1_000)),
            Storage::DrivesOffline { .. }
        ));
        assert_eq!(
            fresh_storage(Some(&check), Timestamp(1_001)),
            Storage::Unknown
        );
        assert_eq!(fresh_storage(None, Timestamp(0)), Storage::Unknown);
    }

    #[test]
    fn new_revision_is_updating() {
        let (status, _) = pool_state("p0", "t-p0", 4, Some(&sts(4, 4, 1, "r1", "r2", 2)));
        assert_eq!(status.state, PoolState::Updating);
    }
}
