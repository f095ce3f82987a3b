// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The read-only checks before applying: which owned objects drifted, which belong to
//! someone else, which changes are refused. They read the caches (and, for an object the
//! caches do not hold, its metadata once); they never write. What they find goes to
//! [`crate::effects::run`] as an [`effects::Plan`].

pub mod contains;

use std::collections::BTreeSet;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, DynamicObject, ListParams};
use machine::RefusedChange;
use serde_json::Value;

use crate::api::v1alpha1::Tenant;
use crate::context::Context;
use crate::effects;
use crate::owned::{self, OwnedObject};
use crate::resources::{TenantObjects, labels};
use crate::validate::{self, GrowthBlocked, VolumeGrowth, parse_quantity};
use crate::vocabulary::refused_change;

/// Owned objects that are missing from the caches or differ from what we would apply, as
/// `Kind/name`.
pub async fn drifted(ctx: &Context, objects: &TenantObjects) -> Vec<String> {
    let mut out = Vec::new();
    for o in objects.all() {
        if !in_place(ctx, o).await {
            out.push(o.key());
        }
    }
    out
}

/// The cached copy holds every field of `desired`.
///
/// A cached StatefulSet keeps of its pod spec only a digest (`owned::strip_pod_spec`), so
/// the pod spec is judged apart: in place when this process last applied (or read back) the
/// same desired spec and the stored spec has not changed since. A StatefulSet this process
/// never applied (after a restart, or a standby taking over) is read once with a GET and
/// compared whole, as the other kinds are.
async fn in_place(ctx: &Context, desired: &dyn OwnedObject) -> bool {
    let (Some(observed), Ok(mut want)) =
        (desired.cached_json(&ctx.stores.owned), desired.to_json())
    else {
        return false;
    };
    let Some(digest) = desired.pod_spec_digest() else {
        return contains::contains(&observed, &want);
    };
    if let Some(template) = want
        .pointer_mut("/spec/template")
        .and_then(Value::as_object_mut)
    {
        template.remove("spec");
    }
    if !contains::contains(&observed, &want) {
        return false;
    }
    match ctx.pod_spec_in_place(desired, &digest, owned::cached_pod_spec_digest(&observed)) {
        Some(known) => known,
        None => read_back(ctx, desired, digest).await,
    }
}

/// Reads a StatefulSet whole and compares it with `desired`; a match is remembered, so the
/// next reconciles judge its pod spec from the cache's digest alone. A failed read counts as
/// drift: the apply that follows reports the API server's answer.
async fn read_back(ctx: &Context, desired: &dyn OwnedObject, digest: String) -> bool {
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &desired.namespace());
    let Ok(Some(stored)) = api.get_opt(&desired.name()).await else {
        return false;
    };
    let holds = match (serde_json::to_value(&stored), desired.to_json()) {
        (Ok(observed), Ok(want)) => contains::contains(&observed, &want),
        _ => false,
    };
    if holds {
        let served =
            owned::pod_spec_digest(stored.spec.as_ref().and_then(|s| s.template.spec.as_ref()));
        ctx.remember_pod_spec(desired, digest, served);
    }
    holds
}

/// What a transition that applies may do: nothing when a change is refused, else grow the
/// volumes that may grow and apply every object that is not already in place.
pub async fn plan(ctx: &Context, tenant: &Tenant, objects: &TenantObjects) -> effects::Plan {
    match refused(ctx, tenant, objects).await {
        Err(e) => effects::Plan::Unchecked(e),
        Ok((refused, _)) if !refused.is_empty() => effects::Plan::Refuse(refused),
        Ok((_, grow)) => {
            let drifted = drifted(ctx, objects).await;
            effects::Plan::Apply {
                in_place: objects
                    .all()
                    .into_iter()
                    .map(|o| o.key())
                    .filter(|k| !drifted.contains(k))
                    .collect::<BTreeSet<_>>(),
                grow,
            }
        }
    }
}

/// Data-losing or API-rejected changes between the desired StatefulSets and the existing
/// ones (from the cache), objects that belong to someone else, and the volume growths whose
/// StorageClass allows expansion.
async fn refused(
    ctx: &Context,
    tenant: &Tenant,
    objects: &TenantObjects,
) -> Result<(Vec<RefusedChange>, Vec<effects::Growth>), kube::Error> {
    let foreign = foreign_owners(ctx, tenant, objects).await?;
    if !foreign.is_empty() {
        return Ok((foreign, Vec::new()));
    }
    let ns = tenant.namespace_or_default();
    // Shared cache entries, never deep copies: a copy of every StatefulSet of the namespace
    // on each reconcile was most of the operator's memory at scale (docs/performance.md).
    let existing: Vec<Arc<StatefulSet>> = ctx
        .stores
        .owned
        .stateful_sets
        .state()
        .into_iter()
        .filter(|s| s.metadata.namespace.as_deref() == Some(ns))
        .collect();
    let desired: Vec<StatefulSet> = objects
        .stateful_sets
        .iter()
        .map(|p| p.stateful_set.clone())
        .collect();
    let review = validate::review_changes(tenant, &existing, &desired);
    let mut refused: Vec<RefusedChange> = review
        .refused
        .into_iter()
        .map(|c| refused_change(tenant, c))
        .collect();
    let mut grow = Vec::new();
    for growth in &review.growth {
        match growth_check(ctx, tenant, growth).await? {
            Ok(g) => grow.push(g),
            Err(why) => refused.push(refused_change(tenant, growth.refused(&why))),
        }
    }
    Ok((refused, grow))
}

/// Whether a pool's volumes may grow: their StorageClass (the template's, else the one the
/// claims were made with) must exist and allow expansion. Reads the pool's claims and the
/// class; writes nothing.
async fn growth_check(
    ctx: &Context,
    tenant: &Tenant,
    growth: &VolumeGrowth,
) -> Result<Result<effects::Growth, GrowthBlocked>, kube::Error> {
    let claims: Api<PersistentVolumeClaim> =
        Api::namespaced(ctx.client.clone(), tenant.namespace_or_default());
    let selector =
        labels::selector_string(&labels::pool_selector_labels(tenant.name(), &growth.pool));
    let claims = claims
        .list(&ListParams::default().labels(&selector))
        .await?
        .items;
    let class = growth.storage_class.clone().or_else(|| {
        claims
            .iter()
            .find_map(|c| c.spec.as_ref()?.storage_class_name.clone())
    });
    let blocked = match class {
        // No volume made yet: the new StatefulSet makes them at the new size.
        None if claims.is_empty() => None,
        None => Some(GrowthBlocked::NoClass),
        Some(class) => {
            let classes: Api<StorageClass> = Api::all(ctx.client.clone());
            match classes.get_opt(&class).await? {
                None => Some(GrowthBlocked::ClassMissing(class)),
                Some(sc) if sc.allow_volume_expansion == Some(true) => None,
                Some(_) => Some(GrowthBlocked::NotExpandable(class)),
            }
        }
    };
    if let Some(why) = blocked {
        return Ok(Err(why));
    }
    let unbound: Vec<String> = claims
        .iter()
        .filter(|c| c.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Bound"))
        .filter_map(|c| c.metadata.name.clone())
        .collect();
    if !unbound.is_empty() {
        return Ok(Err(GrowthBlocked::ClaimsNotBound(unbound)));
    }
    let target = parse_quantity(&growth.to).ok();
    let smaller = |c: &PersistentVolumeClaim| {
        let requested = c
            .spec
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .and_then(|q| parse_quantity(&q.0).ok());
        matches!((requested, target), (Some(r), Some(t)) if r < t)
    };
    Ok(Ok(effects::Growth {
        pool: growth.pool.clone(),
        stateful_set: growth.stateful_set.clone(),
        size: growth.to.clone(),
        claims: claims
            .iter()
            .filter(|c| smaller(c))
            .filter_map(|c| c.metadata.name.clone())
            .collect(),
    }))
}

/// Objects we would apply that already exist under another controller (another Tenant
/// whose generated names collide, or something made by hand): taking them over would hand
/// one Tenant's objects to another, so the whole apply is refused.
///
/// The caches hold only objects with our managed-by label; an object missing from them is
/// looked up once with a GET, which only happens when it is created or was deleted.
async fn foreign_owners(
    ctx: &Context,
    tenant: &Tenant,
    objects: &TenantObjects,
) -> Result<Vec<RefusedChange>, kube::Error> {
    let mut found = Vec::new();
    for o in objects.all() {
        found.extend(foreign_owner(ctx, o, tenant).await?);
    }
    Ok(found
        .into_iter()
        .map(|detail| RefusedChange {
            pool: "*".into(),
            field: "metadata.name".into(),
            detail,
        })
        .collect())
}

/// Why `desired` may not be applied for `tenant`: an object of that name exists and its
/// controller is not this Tenant.
async fn foreign_owner(
    ctx: &Context,
    desired: &dyn OwnedObject,
    tenant: &Tenant,
) -> Result<Option<String>, kube::Error> {
    let meta = match desired.cached_meta(&ctx.stores.owned) {
        Some(cached) => cached,
        None => {
            let api: Api<DynamicObject> = Api::namespaced_with(
                ctx.client.clone(),
                &desired.namespace(),
                &desired.api_resource(),
            );
            match api.get_metadata_opt(&desired.name()).await? {
                Some(found) => found.metadata,
                None => return Ok(None),
            }
        }
    };
    let controller = meta
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true));
    let owner = match controller {
        Some(r) if Some(&r.uid) == tenant.metadata.uid.as_ref() => return Ok(None),
        Some(r) => format!("{} {}", r.kind, r.name),
        None => "no controller (made by hand?)".to_owned(),
    };
    Ok(Some(format!(
        "{} {} already exists and belongs to {owner}: rename this Tenant or its pool so the generated names do not collide, or remove that object",
        desired.kind(),
        desired.name()
    )))
}
