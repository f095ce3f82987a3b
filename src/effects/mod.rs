// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Effects: every write the operator makes to the API server lives in this folder.
//!
//! - [`run`] runs a transition's [`machine::Effect`]s: server-side applies ([`apply`]) and
//!   events ([`events`]);
//! - [`status`] writes `Tenant.status`, once per reconcile;
//! - [`pods`] deletes a Tenant's pods on a down Node, as `podDeletionPolicyWhenNodeIsDown`
//!   and `nodes::plan` say (the operator's only delete);
//! - [`console`] holds the console's writes, made with the caller's own token.
//!
//! The read-only checks that decide what may be applied (drift, foreign owners, refused
//! changes) run before, in `reconcile::checks`, and arrive here as a [`Plan`]. Applies are
//! server-side applies with field manager `rustfs-operator`: we send only the fields we
//! own, so fields other managers set are left alone.

mod apply;
pub mod console;
mod decommission;
pub mod events;
pub mod pods;
pub mod prerequisites;
mod resize;
pub mod status;

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::DynamicObject;
use machine::{Effect, RefusedChange};

use crate::api::v1alpha1::Tenant;
use crate::context::Context;
use crate::owned::OwnedObject;
use crate::resources::TenantObjects;

pub use apply::FIELD_MANAGER;

/// How a transition's apply effects went; becomes the machine's next input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// Everything applied (or already in place).
    Applied,
    /// Nothing applied: these changes would lose data or be rejected by Kubernetes.
    Refused(Vec<RefusedChange>),
    /// The API server refused an object for a reason a retry cannot fix.
    Rejected(String),
    /// An API call failed in a way that may pass on retry.
    Transient(String),
}

/// A pool whose volumes grow, found by the checks with a StorageClass that allows expansion:
/// its claims are patched to `size` and its StatefulSet replaced (orphaning, never deleting,
/// its pods) so the claim templates carry the new size too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Growth {
    /// Pool name.
    pub pool: String,
    /// The pool's StatefulSet.
    pub stateful_set: String,
    /// The new size of every volume, as the spec writes it.
    pub size: String,
    /// Claims still smaller than `size`.
    pub claims: Vec<String>,
}

/// What the checks before applying found, for one transition.
#[derive(Debug)]
pub enum Plan {
    /// Apply; skip the objects named here (`Kind/name`), which the caches show in place; grow
    /// the volumes of these pools first.
    Apply {
        in_place: BTreeSet<String>,
        grow: Vec<Growth>,
    },
    /// Apply nothing: these changes are refused.
    Refuse(Vec<RefusedChange>),
    /// The checks could not be made (an API read failed).
    Unchecked(kube::Error),
}

/// StatefulSets as the API server stored them in this reconcile's applies: fresher than the
/// cache for the rollout observation that follows.
#[derive(Debug, Default)]
pub struct StoredStatefulSets {
    by_name: BTreeMap<String, StatefulSet>,
    grown: BTreeSet<String>,
}

impl StoredStatefulSets {
    /// Pools whose volumes this reconcile started growing.
    pub fn grown(&self) -> impl Iterator<Item = &str> {
        self.grown.iter().map(String::as_str)
    }

    /// The StatefulSet stored in this reconcile under `name`, if any.
    pub fn get(&self, name: &str) -> Option<&StatefulSet> {
        self.by_name.get(name)
    }

    /// Keeps the stored copy if it is a StatefulSet.
    fn keep(&mut self, stored: DynamicObject) {
        let is_sts = stored
            .types
            .as_ref()
            .is_some_and(|t| t.kind == <StatefulSet as k8s_openapi::Resource>::KIND);
        if let Some(name) = stored.metadata.name.clone()
            && is_sts
            && let Ok(sts) = stored.try_parse::<StatefulSet>()
        {
            self.by_name.insert(name, sts);
        }
    }
}

/// True when a transition's effects include a request to RustFS's admin API.
pub fn asks_rustfs(effects: &[Effect]) -> bool {
    effects.iter().any(|e| {
        matches!(
            e,
            Effect::StartDecommission { .. } | Effect::CancelDecommission { .. }
        )
    })
}

/// True when a transition's effects apply objects (and so need a [`Plan`] from the checks).
pub fn applies(effects: &[Effect]) -> bool {
    effects.iter().any(|e| {
        !matches!(
            e,
            Effect::RecordEvent { .. }
                | Effect::StartDecommission { .. }
                | Effect::CancelDecommission { .. }
        )
    })
}

/// Runs a transition's effects in order, as `plan` allows: a refused change applies nothing
/// at all, though the transition's events still go out.
pub async fn run(
    ctx: &Context,
    tenant: &Tenant,
    objects: &TenantObjects,
    effects: &[Effect],
    plan: Plan,
    stored: &mut StoredStatefulSets,
) -> ApplyOutcome {
    let (in_place, grow) = match plan {
        Plan::Apply { in_place, grow } => (in_place, grow),
        Plan::Refuse(refused) => {
            events::record(ctx, tenant, effects).await;
            return ApplyOutcome::Refused(refused);
        }
        Plan::Unchecked(e) => return classify(&e),
    };
    let mut outcome = ApplyOutcome::Applied;
    'effects: for effect in effects {
        if let Err(message) = decommission::run(ctx, tenant, effect).await {
            tracing::warn!(error = %message, "decommission step failed; retrying on the next reconcile");
            // The transition's event would claim what did not happen.
            return ApplyOutcome::Transient(message);
        }
        if let Effect::ApplyStatefulSet { pool } = effect
            && let Some(growth) = grow.iter().find(|g| &g.pool == pool)
        {
            match resize::grow(ctx, tenant.namespace_or_default(), growth).await {
                Ok(()) => {
                    stored.grown.insert(pool.clone());
                }
                Err(failed) => {
                    outcome = failed;
                    break 'effects;
                }
            }
        }
        for object in objects_for(effect, objects) {
            match apply::apply(ctx, object, in_place.contains(&object.key())).await {
                Ok(Some(o)) => stored.keep(o),
                Ok(None) => {}
                Err(e) => {
                    outcome = classify(&e);
                    break 'effects;
                }
            }
        }
    }
    events::record(ctx, tenant, effects).await;
    outcome
}

/// The objects an effect applies, in order. `TenantObjects` is destructured without `..`:
/// a new owned object does not compile until it is given to an effect here.
fn objects_for<'a>(effect: &Effect, objects: &'a TenantObjects) -> Vec<&'a dyn OwnedObject> {
    let TenantObjects {
        service_account,
        role,
        role_binding,
        services,
        stateful_sets,
        ignored_env: _,
        retired: _,
    } = objects;
    let mut out: Vec<&dyn OwnedObject> = Vec::new();
    match effect {
        Effect::ApplyRbac => {
            out.extend(service_account.iter().map(|o| o as &dyn OwnedObject));
            out.extend(role.iter().map(|o| o as &dyn OwnedObject));
            out.extend(role_binding.iter().map(|o| o as &dyn OwnedObject));
        }
        Effect::ApplyServices => out.extend(services.iter().map(|o| o as &dyn OwnedObject)),
        Effect::ApplyStatefulSet { pool } => {
            for p in stateful_sets.iter().filter(|p| &p.pool == pool) {
                out.push(&p.stateful_set);
                out.push(&p.disruption_budget);
            }
        }
        // Not applies: see `decommission`.
        Effect::RecordEvent { .. }
        | Effect::RetirePool { .. }
        | Effect::StartDecommission { .. }
        | Effect::CancelDecommission { .. } => {}
    }
    out
}

/// Retryable failures (network, timeouts, conflicts, throttling, server errors) versus
/// refusals a retry cannot fix (bad request, forbidden, invalid).
pub(crate) fn classify(e: &kube::Error) -> ApplyOutcome {
    match e {
        kube::Error::Api(status) if matches!(status.code, 400 | 403 | 404 | 422) => {
            ApplyOutcome::Rejected(format!(
                "the API server refused an object: {}",
                status.message
            ))
        }
        other => ApplyOutcome::Transient(other.to_string()),
    }
}
