// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! A server pool of a Tenant: its size (`servers`, `persistence`), its scheduling, and the
//! rules the API server checks on it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, PersistentVolumeClaimSpec, PodSecurityContext, ResourceRequirements, SecurityContext,
    Toleration, TopologySpreadConstraint,
};
use kube::KubeSchema;
use serde::{Deserialize, Serialize};

use super::platform::{RESERVED_LABELS_MESSAGE, RESERVED_LABELS_RULE};

/// One pool: `servers` pods, each with `persistence.volumesPerServer` volumes. A pool is
/// part of its Tenant's single RustFS cluster; it is not a separate storage tier.
///
/// Layouts RustFS 1.0.1 accepts: a pool's `servers * volumesPerServer` drives (at least 2)
/// must split into erasure sets of one size from 2 to 16 that divides the drive count and
/// divides `servers` or is a multiple of it (any 2 to 16 servers work; above 16, the server
/// count needs a factor from 2 to 16; 1 server needs one in `volumesPerServer`). RustFS
/// takes the largest such size. One server with one volume is a single drive, allowed only
/// as the Tenant's only pool; such a Tenant can never add a pool.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
#[x_kube(
    validation = Rule::new("self.servers * self.persistence.volumesPerServer == 1 || [2,3,4,5,6,7,8,9,10,11,12,13,14,15,16].exists(d, (self.servers * self.persistence.volumesPerServer) % d == 0 && (d <= self.servers ? self.servers % d == 0 : self.servers > 0 && d % self.servers == 0))")
        .message("spec.pools[]: RustFS splits servers * persistence.volumesPerServer drives into erasure sets of one size from 2 to 16 that divides the drive count and divides servers or is a multiple of it, so above 16 servers the server count needs a factor from 2 to 16 (17, 19, 23 ... servers cannot) and a single server needs one in volumesPerServer: change servers or volumesPerServer"),
    validation = Rule::new("self.servers == oldSelf.servers")
        .message("spec.pools[].servers is immutable: RustFS fixes a pool's erasure layout when it formats the drives, and fewer servers would drop drives holding data; restore the previous value and add a new pool to grow")
        .reason(kube::core::Reason::FieldValueForbidden),
    validation = Rule::new("self.persistence.volumesPerServer == oldSelf.persistence.volumesPerServer")
        .message("spec.pools[].persistence.volumesPerServer is immutable: the volumes hold data; restore the previous value (add a pool to grow)")
        .reason(kube::core::Reason::FieldValueForbidden),
)]
pub struct Pool {
    /// Pool name, unique within the Tenant and a DNS label. It names the StatefulSet
    /// `<tenant>-<pool>` and cannot change after creation.
    #[schemars(length(min = 1, max = 50))]
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')")
        .message("spec.pools[].name must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit"))]
    pub name: String,

    /// Number of RustFS servers (pods) in this pool. Immutable: RustFS fixes a pool's erasure
    /// layout when it formats the drives, so a Tenant grows by adding a pool. From 2 to 16
    /// servers any volume count of the pool works; above 16, the count needs a factor from
    /// 2 to 16 (17, 19, 23, 29, 31 ... servers never work).
    #[schemars(range(min = 1, max = 1024))]
    pub servers: i32,

    /// Volumes of each server.
    pub persistence: Persistence,

    /// Drain this pool: the operator asks RustFS to move every object off it onto the other
    /// pools (RustFS's pool decommission), shows the progress in
    /// `status.pools[].decommission`, and once RustFS reports `complete` takes the pool out of
    /// the cluster: out of `RUSTFS_VOLUMES` (the other servers restart with the new list),
    /// its StatefulSet and PodDisruptionBudget deleted. Its PersistentVolumeClaims are kept;
    /// delete them yourself when you no longer want the drives. Setting it back to `false`
    /// while RustFS runs the decommission cancels it; after completion it cannot return.
    /// Refused for the last pool, a single-drive Tenant, and while another pool drains. A
    /// pool may leave `spec.pools` only with this set (and the operator refuses until the
    /// decommission completed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub decommission: bool,

    /// Pod-level security context of this pool's pods, laid over the Tenant's
    /// `securityContext` (and the defaults) field by field. Set both this and
    /// `containerSecurityContext` to `{}` to let the platform choose the uid, gid and fsGroup
    /// of this pool (OpenShift's SCCs): its pods then carry no `runAsUser`, `runAsGroup` or
    /// `fsGroup`, whatever the Tenant sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,

    /// Security context of this pool's RustFS container, laid over the Tenant's
    /// `containerSecurityContext` (and the defaults) field by field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_security_context: Option<SecurityContext>,

    /// Labels added to this pool's pods, over the Tenant's `podLabels`. The operator's own
    /// keys are refused, as there.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("maxProperties" = 64))]
    #[x_kube(validation = Rule::new(RESERVED_LABELS_RULE).message(RESERVED_LABELS_MESSAGE))]
    pub pod_labels: BTreeMap<String, String>,

    /// Annotations added to this pool's pods, over the Tenant's `podAnnotations`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("maxProperties" = 64))]
    pub pod_annotations: BTreeMap<String, String>,

    /// RuntimeClass of this pool's pods; overrides the Tenant's `runtimeClassName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub runtime_class_name: Option<String>,

    /// Grace period of this pool's pods; overrides the Tenant's
    /// `terminationGracePeriodSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 86400))]
    pub termination_grace_period_seconds: Option<i64>,

    /// Scheduling of this pool's pods (flat in YAML: `nodeSelector`, `affinity`,
    /// `tolerations`, `resources`, `topologySpreadConstraints`, `priorityClassName`).
    #[serde(flatten)]
    pub scheduling: SchedulingConfig,
}

/// Where and with which resources a pool's pods run. Flattened into [`Pool`] in YAML.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SchedulingConfig {
    /// Node labels the pool's pods must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,

    /// Node and pod (anti-)affinity of the pool's pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,

    /// Taints the pool's pods tolerate (for example dedicated or spot nodes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Toleration>>,

    /// CPU and memory requests and limits of the RustFS container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,

    /// How the pool's pods spread over zones, nodes or other topology domains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology_spread_constraints: Option<Vec<TopologySpreadConstraint>>,

    /// PriorityClass for this pool's pods; overrides the Tenant's `priorityClassName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub priority_class_name: Option<String>,
}

/// The volumes of every server of a pool.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
#[x_kube(
    validation = Rule::new("(has(self.volumeClaimTemplate) && has(self.volumeClaimTemplate.storageClassName) ? self.volumeClaimTemplate.storageClassName : '') == (has(oldSelf.volumeClaimTemplate) && has(oldSelf.volumeClaimTemplate.storageClassName) ? oldSelf.volumeClaimTemplate.storageClassName : '')")
        .message("spec.pools[].persistence.volumeClaimTemplate.storageClassName is immutable: existing volumes keep their class; restore the previous value or add a pool with the new class")
        .reason(kube::core::Reason::FieldValueForbidden),
)]
pub struct Persistence {
    /// Volumes (PersistentVolumeClaims) per server; every server of the pool gets the same
    /// number. Immutable after creation. With 1 server the count needs a factor from 2 to 16
    /// (17, 19, 23 ... cannot be split into erasure sets), or is 1 for a single-drive Tenant:
    /// allowed only as the Tenant's only pool, which then can never add a pool.
    #[schemars(range(min = 1, max = 256))]
    pub volumes_per_server: i32,

    /// Template of each volume's claim. Defaults to ReadWriteOnce, 10Gi, the cluster's
    /// default StorageClass. The StatefulSet cannot change it after creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_claim_template: Option<PersistentVolumeClaimSpec>,

    /// Directory under which the volumes are mounted, as `<path>/rustfs0`, `<path>/rustfs1`,
    /// ... When unset, the Tenant's `mountPath`, else `/data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 2, max = 200))]
    #[x_kube(validation = Rule::new("self.startsWith('/') && !self.endsWith('/')")
        .message("spec.pools[].persistence.path must be an absolute path without a trailing '/', such as /data"))]
    #[x_kube(validation = Rule::new("!self.contains(' ') && !self.contains('{') && !self.contains('}') && !self.contains('...')")
        .message("spec.pools[].persistence.path must not contain spaces, '{', '}' or '...': RUSTFS_VOLUMES uses them as separators and ellipsis; choose a plain path such as /data"))]
    pub path: Option<String>,

    /// Labels added to every volume claim of the pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,

    /// Annotations added to every volume claim of the pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

impl Default for Persistence {
    fn default() -> Self {
        Self {
            volumes_per_server: 4,
            volume_claim_template: None,
            path: None,
            labels: None,
            annotations: None,
        }
    }
}

/// Where volumes are mounted when neither the pool nor the Tenant names a path.
pub const DEFAULT_MOUNT_PATH: &str = "/data";

impl Pool {
    /// The directory this pool mounts its volumes under: its own `persistence.path`, else the
    /// Tenant's `mountPath`, else [`DEFAULT_MOUNT_PATH`].
    pub fn mount_root<'a>(&'a self, tenant_mount_path: Option<&'a str>) -> &'a str {
        self.persistence
            .path
            .as_deref()
            .or(tenant_mount_path)
            .unwrap_or(DEFAULT_MOUNT_PATH)
    }
}

/// True when `pools` is one pool of 1 server x 1 volume: RustFS's single-node single-drive
/// mode, rendered as a plain path, never expandable.
pub fn is_single_drive(pools: &[Pool]) -> bool {
    matches!(pools, [only] if only.servers == 1 && only.persistence.volumes_per_server == 1)
}

/// Pools whose decommission completed (as the status records it): they have left the
/// RustFS cluster, so nothing renders them and their StatefulSet goes. Only the status can
/// say so: RustFS stops reporting a pool once it is off the command line.
pub fn retired_pools(status: Option<&super::TenantStatus>) -> Vec<String> {
    status
        .map(|s| {
            s.pools
                .iter()
                .filter(|p| {
                    p.decommission.as_ref().map(|d| d.state)
                        == Some(super::DecommissionState::Complete)
                })
                .map(|p| p.name.clone())
                .collect()
        })
        .unwrap_or_default()
}
