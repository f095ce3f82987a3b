// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! `spec.podDeletionPolicyWhenNodeIsDown`: what the operator does with a Tenant's pods on a
//! Node that stopped reporting (see docs/operations.md, "Pods on a dead node").

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the operator does with the Tenant's pods on a Node that has been NotReady or
/// unreachable for longer than its `--node-down-grace` (default 5 minutes): `DoNothing`
/// (the default), `Delete` (a normal delete, once), or `ForceDelete` (grace period 0, only
/// once the Node is deleted or tainted `node.kubernetes.io/out-of-service`; until then a
/// Warning event says what to do). Each action is an Event on the Tenant.
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
pub enum PodDeletionPolicy {
    /// Leave them: Kubernetes' own eviction applies, and a pod stuck terminating stays so
    /// until the node returns or an admin acts.
    #[default]
    DoNothing,
    /// Delete each such pod normally (with its grace period), once. On a node that is really
    /// gone the pod then waits, terminating, until the Node is deleted or marked
    /// out-of-service.
    Delete,
    /// Delete each such pod at once (grace period 0), but only when its Node object is gone
    /// or carries the `node.kubernetes.io/out-of-service` taint, i.e. an admin confirmed the
    /// machine is off; otherwise a Warning event says what to do. Never without that: a pod
    /// still running on a partitioned node would write its volumes next to its replacement.
    ForceDelete,
}
