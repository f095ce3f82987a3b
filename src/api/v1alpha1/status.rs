// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! `Tenant.status`: the phase and its reason, conditions, one entry per pool, and the last
//! phase transitions with their trace ids. Written only by `effects::status`.

use chrono::{DateTime, Utc};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use machine::Phase;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the operator last observed and decided for a Tenant. Written on every reconcile,
/// failures included.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TenantStatus {
    /// Lifecycle phase: Validating, CredentialsCheck, Provisioning, RollingOut, Ready,
    /// Degraded or Failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,

    /// CamelCase reason for the phase, such as `AllPoolsReady` or `CredentialsSecretMissing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,

    /// Human-readable explanation of the phase, naming the field to fix when one is wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,

    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,

    /// Ready servers over desired servers, such as `4/4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<String>,

    /// Ready pools over pools, such as `2/2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pools_ready: Option<String>,

    /// The RustFS image the StatefulSets are set to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,

    /// Ready RustFS servers over all pools.
    #[serde(default)]
    pub available_replicas: i32,

    /// Standard conditions: `Ready`, `Progressing`, `Degraded`, and the step conditions
    /// `SpecValid`, `CredentialsValid`, `ResourcesApplied`; `TlsReady` when TLS is on, and
    /// the warning `DefaultCredentials` (True while RustFS runs with its well-known default
    /// credentials).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Vec<Condition>,

    /// When the current rollout last made progress (more pods ready or updated); a rollout
    /// without progress for the operator's `--rollout-stall-after` becomes Degraded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_progress_time: Option<DateTime<Utc>>,

    /// Per-pool state read from the pool's StatefulSet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<PoolStatus>,

    /// The most recent phase transitions, newest last, with the trace id of each so a
    /// transition leads straight to its trace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<TransitionRecord>,

    /// The serving certificate last checked, when TLS is on (condition `TlsReady`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsStatus>,

    /// The drives and capacity as RustFS's admin API reports them, polled while the Tenant
    /// is Ready or Degraded (operator flag `--storage-poll-interval`). Written only when
    /// something changed: capacity figures only when one moved by 1% of the raw capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageStatus>,
}

/// What RustFS reports about its drives (`GET /rustfs/admin/v3/info`).
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StorageStatus {
    /// Online drives over all drives, such as `7/8`.
    pub drives: String,
    /// Drives answering with state `ok`.
    pub drives_online: i32,
    /// Drives that are unreachable or failing (any state but `ok`).
    pub drives_offline: i32,
    /// Online drives being healed.
    #[serde(default)]
    pub drives_healing: i32,
    /// Raw capacity of the online drives in bytes, before erasure coding (usable capacity
    /// is about raw x (drivesPerSet - parity) / drivesPerSet). Drives that share one
    /// filesystem each count it whole.
    pub raw_capacity_bytes: i64,
    /// Raw bytes used on the online drives' filesystems.
    pub raw_used_bytes: i64,
    /// Raw bytes available on the online drives' filesystems.
    pub raw_available_bytes: i64,
    /// Parity drives per erasure set of the standard storage class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parity: Option<i32>,
    /// Per pool: erasure sets, drives per set, and drive states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<StoragePoolStatus>,
    /// The offline drives (at most 16 listed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offline_drives: Vec<OfflineDrive>,
    /// `Healthy`, `WriteLost` (an erasure set cannot take writes) or `ReadLost` (an erasure
    /// set cannot serve reads either).
    pub quorum: StorageQuorum,
    /// When the operator last found something new in RustFS's report (checks in between
    /// that found the same are not written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_checked: Option<DateTime<Utc>>,
}

/// One pool as RustFS reports it.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StoragePoolStatus {
    /// Pool name (`spec.pools[].name`).
    pub name: String,
    /// Erasure sets in the pool.
    pub sets: i32,
    /// Drives per erasure set.
    pub drives_per_set: i32,
    pub drives_online: i32,
    pub drives_offline: i32,
    #[serde(default)]
    pub drives_healing: i32,
}

/// A drive RustFS reports as not `ok`.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OfflineDrive {
    /// Pool name.
    pub pool: String,
    /// The server (pod) the drive belongs to.
    pub server: String,
    /// The drive's path in the pod.
    pub path: String,
    /// RustFS's state string, such as `offline`, `unknown` or an I/O error.
    pub state: String,
}

/// Whether every erasure set has the drives it needs.
#[derive(
    JsonSchema,
    Serialize,
    Deserialize,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    strum::Display,
    strum::AsRefStr,
)]
pub enum StorageQuorum {
    /// Every set has read and write quorum.
    #[default]
    Healthy,
    /// A set has read quorum but not write quorum: its objects can be read, not written.
    WriteLost,
    /// A set has lost read quorum: its objects cannot be read until drives come back.
    ReadLost,
}

/// The servers' certificate as last checked. Public facts only: never key material.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TlsStatus {
    /// The Secret the certificate was read from.
    pub secret: String,
    /// End of the certificate's validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<DateTime<Utc>>,
    /// DNS names the certificate covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_names: Vec<String>,
}

/// State of one pool, from its StatefulSet.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PoolStatus {
    /// Pool name.
    pub name: String,
    /// Name of the pool's StatefulSet.
    pub stateful_set: String,
    /// Desired servers.
    pub replicas: i32,
    /// Servers whose pod is ready.
    pub ready_replicas: i32,
    /// Servers already running the current pod template.
    pub updated_replicas: i32,
    /// StatefulSet revision of the running pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<String>,
    /// StatefulSet revision being rolled out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_revision: Option<String>,
    /// The StatefulSet controller has seen the latest spec the operator applied.
    #[serde(default)]
    pub observed: bool,
    /// Summary of the pool.
    pub state: PoolState,
    /// Volumes (PVCs) still growing to the size the spec raised them to (`PVC resizing`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub volumes_resizing: i32,
    /// Of those, the ones whose claim says `FileSystemResizePending`: the volume has grown and
    /// the kubelet still has to grow its filesystem.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub filesystem_resize_pending: i32,
    /// The pool's decommission, when one was asked for (`spec.pools[].decommission`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decommission: Option<DecommissionStatus>,
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// A pool's decommission as RustFS reports it (`/rustfs/admin/v3/pools/status`).
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DecommissionStatus {
    /// `Queued`, `Running`, `Complete`, `Failed` or `Canceled`. `Complete` is final: the
    /// pool has left the cluster.
    pub state: DecommissionState,
    /// Objects moved to the other pools.
    #[serde(default)]
    pub objects_moved: i64,
    /// Bytes moved to the other pools.
    #[serde(default)]
    pub bytes_moved: i64,
    /// Objects RustFS could not move.
    #[serde(default)]
    pub objects_failed: i64,
    /// Bytes RustFS could not move.
    #[serde(default)]
    pub bytes_failed: i64,
    /// When RustFS started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
}

/// The state of a pool's decommission.
#[derive(
    JsonSchema,
    Serialize,
    Deserialize,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    strum::Display,
    strum::AsRefStr,
)]
pub enum DecommissionState {
    /// Asked for; RustFS has not started it yet.
    #[default]
    Queued,
    Running,
    /// Every object moved; the pool has left the cluster (final).
    Complete,
    Failed,
    Canceled,
}

/// Summary state of one pool.
#[derive(
    JsonSchema,
    Serialize,
    Deserialize,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    strum::Display,
    strum::AsRefStr,
)]
pub enum PoolState {
    /// The StatefulSet does not exist yet.
    #[default]
    NotCreated,
    /// Pods are being created or replaced at a new revision.
    Updating,
    /// Pods run the right revision but not all of them are ready.
    NotReady,
    /// Every server is ready and up to date.
    Ready,
    /// Drained by a decommission and taken out of the cluster; its volumes are kept.
    Decommissioned,
}

/// One phase transition, kept in a short bounded history.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TransitionRecord {
    /// Phase before.
    pub from: Phase,
    /// Phase after.
    pub to: Phase,
    /// CamelCase reason of the transition.
    pub reason: String,
    /// When it happened.
    pub time: DateTime<Utc>,
    /// OpenTelemetry trace id of the reconcile that made the transition (empty when tracing
    /// is off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}
