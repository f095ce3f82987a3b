// Copyright 2026 The rustfs-operator Authors.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

//! Effects: the only code that writes to the API server (apart from the status writer).
//!
//! Each [`machine::Effect`] maps to one function here. Applies are server-side applies with
//! field manager `rustfs-operator`: we send only the fields we own, so fields other managers
//! set are left alone. An object whose cached copy already holds everything we would send
//! is not applied at all, which keeps an idle resync at zero writes.

pub mod drift;

use std::collections::BTreeMap;

use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::{Event, EventType};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Resource, ResourceExt};
use machine::{Effect, EventKind, RefusedChange};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::{Instrument, debug, info_span, warn};

use crate::api::v1alpha1::Tenant;
use crate::reconcile::{Context, Stores};
use crate::resources::TenantObjects;
use crate::telemetry::set_span_error;
use crate::validate;

/// The field manager of every apply.
pub const FIELD_MANAGER: &str = "rustfs-operator";

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

/// StatefulSets as the API server returned them from this reconcile's applies: fresher than
/// the cache for the rollout observation that follows.
#[derive(Debug, Default)]
pub struct Applied {
    stateful_sets: BTreeMap<String, StatefulSet>,
}

impl Applied {
    /// The StatefulSet applied in this reconcile under `name`, if any.
    pub fn stateful_set(&self, name: &str) -> Option<&StatefulSet> {
        self.stateful_sets.get(name)
    }
}

/// Owned objects that are missing from the caches or differ from what we would apply, as
/// `Kind/name`.
pub fn drifted(stores: &Stores, objects: &TenantObjects) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(o) = &objects.service_account {
        check(&stores.service_accounts, o, &mut out);
    }
    if let Some(o) = &objects.role {
        check(&stores.roles, o, &mut out);
    }
    if let Some(o) = &objects.role_binding {
        check(&stores.role_bindings, o, &mut out);
    }
    for o in &objects.services {
        check(&stores.services, o, &mut out);
    }
    for o in &objects.stateful_sets {
        check(&stores.stateful_sets, &o.stateful_set, &mut out);
        check(&stores.disruption_budgets, &o.disruption_budget, &mut out);
    }
    out
}

fn check<K>(store: &Store<K>, desired: &K, out: &mut Vec<String>)
where
    K: Resource<DynamicType = ()> + Clone + Serialize,
{
    if !in_place(store, desired) {
        out.push(format!("{}/{}", K::kind(&()), desired.name_any()));
    }
}

/// The cached copy holds every field of `desired`.
fn in_place<K>(store: &Store<K>, desired: &K) -> bool
where
    K: Resource<DynamicType = ()> + Clone + Serialize,
{
    let key = ObjectRef::from_obj(desired);
    let Some(observed) = store.get(&key) else {
        return false;
    };
    match (
        serde_json::to_value(&*observed),
        serde_json::to_value(desired),
    ) {
        (Ok(o), Ok(d)) => drift::contains(&o, &d),
        _ => false,
    }
}

/// Runs a transition's effects in order. Apply effects first check the whole change for
/// refused parts, so a refused change applies nothing at all.
pub async fn run(
    ctx: &Context,
    tenant: &Tenant,
    objects: &TenantObjects,
    effects: &[Effect],
    applied: &mut Applied,
) -> ApplyOutcome {
    let applies = effects
        .iter()
        .any(|e| !matches!(e, Effect::RecordEvent { .. }));
    if applies {
        match refused(ctx, tenant, objects).await {
            Ok(refused) if refused.is_empty() => {}
            Ok(refused) => {
                // Events of this transition still go out; no object is touched.
                record_events(ctx, tenant, effects).await;
                return ApplyOutcome::Refused(refused);
            }
            Err(e) => return classify(&e),
        }
    }
    let mut outcome = ApplyOutcome::Applied;
    for effect in effects {
        let result = match effect {
            Effect::ApplyRbac => apply_rbac(ctx, objects).await,
            Effect::ApplyServices => apply_services(ctx, objects).await,
            Effect::ApplyStatefulSet { pool } => {
                apply_stateful_set(ctx, objects, pool, applied).await
            }
            Effect::RecordEvent { .. } => Ok(()),
        };
        if let Err(e) = result {
            outcome = classify(&e);
            break;
        }
    }
    record_events(ctx, tenant, effects).await;
    outcome
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
    let s = &ctx.stores;
    let mut found = Vec::new();
    if let Some(o) = &objects.service_account {
        found.extend(foreign_owner(ctx, &s.service_accounts, o, tenant).await?);
    }
    if let Some(o) = &objects.role {
        found.extend(foreign_owner(ctx, &s.roles, o, tenant).await?);
    }
    if let Some(o) = &objects.role_binding {
        found.extend(foreign_owner(ctx, &s.role_bindings, o, tenant).await?);
    }
    for o in &objects.services {
        found.extend(foreign_owner(ctx, &s.services, o, tenant).await?);
    }
    for o in &objects.stateful_sets {
        found.extend(foreign_owner(ctx, &s.stateful_sets, &o.stateful_set, tenant).await?);
        found
            .extend(foreign_owner(ctx, &s.disruption_budgets, &o.disruption_budget, tenant).await?);
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
async fn foreign_owner<K>(
    ctx: &Context,
    store: &Store<K>,
    desired: &K,
    tenant: &Tenant,
) -> Result<Option<String>, kube::Error>
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>,
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    let meta = match store.get(&ObjectRef::from_obj(desired)) {
        Some(cached) => cached.meta().clone(),
        None => {
            let ns = desired.namespace().unwrap_or_default();
            let api: Api<K> = Api::namespaced(ctx.client.clone(), &ns);
            match api.get_metadata_opt(&desired.name_any()).await? {
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
        K::kind(&()),
        desired.name_any()
    )))
}

/// Data-losing or API-rejected changes between the desired StatefulSets and the existing
/// ones (from the cache), and objects that belong to someone else.
async fn refused(
    ctx: &Context,
    tenant: &Tenant,
    objects: &TenantObjects,
) -> Result<Vec<RefusedChange>, kube::Error> {
    let foreign = foreign_owners(ctx, tenant, objects).await?;
    if !foreign.is_empty() {
        return Ok(foreign);
    }
    let ns = tenant.namespace_or_default();
    let existing: Vec<StatefulSet> = ctx
        .stores
        .stateful_sets
        .state()
        .iter()
        .filter(|s| s.metadata.namespace.as_deref() == Some(ns))
        .map(|s| (**s).clone())
        .collect();
    let desired: Vec<StatefulSet> = objects
        .stateful_sets
        .iter()
        .map(|p| p.stateful_set.clone())
        .collect();
    Ok(validate::refused_changes(tenant, &existing, &desired)
        .into_iter()
        .map(|c| RefusedChange {
            pool: pool_of(tenant, &c.field),
            field: c.field,
            detail: c.message,
        })
        .collect())
}

/// The pool a field path such as `spec.pools[2].servers` points at, by name; `*` when the
/// change concerns the pool list itself.
fn pool_of(tenant: &Tenant, field: &str) -> String {
    field
        .split_once("pools[")
        .and_then(|(_, rest)| rest.split_once(']'))
        .and_then(|(index, _)| index.parse::<usize>().ok())
        .and_then(|i| tenant.spec.pools.get(i))
        .map_or_else(|| "*".to_owned(), |p| p.name.clone())
}

async fn apply_rbac(ctx: &Context, objects: &TenantObjects) -> Result<(), kube::Error> {
    if let Some(o) = &objects.service_account {
        apply(ctx, &ctx.stores.service_accounts, o).await?;
    }
    if let Some(o) = &objects.role {
        apply(ctx, &ctx.stores.roles, o).await?;
    }
    if let Some(o) = &objects.role_binding {
        apply(ctx, &ctx.stores.role_bindings, o).await?;
    }
    Ok(())
}

async fn apply_services(ctx: &Context, objects: &TenantObjects) -> Result<(), kube::Error> {
    for o in &objects.services {
        apply(ctx, &ctx.stores.services, o).await?;
    }
    Ok(())
}

async fn apply_stateful_set(
    ctx: &Context,
    objects: &TenantObjects,
    pool: &str,
    applied: &mut Applied,
) -> Result<(), kube::Error> {
    let Some(o) = objects.stateful_sets.iter().find(|s| s.pool == pool) else {
        return Ok(());
    };
    if let Some(sts) = apply(ctx, &ctx.stores.stateful_sets, &o.stateful_set).await? {
        applied.stateful_sets.insert(sts.name_any(), sts);
    }
    apply(ctx, &ctx.stores.disruption_budgets, &o.disruption_budget).await?;
    Ok(())
}

/// Server-side apply of one object, skipped when the cache shows it already in place.
/// Returns the object as stored after an apply, `None` when skipped.
async fn apply<K>(ctx: &Context, store: &Store<K>, desired: &K) -> Result<Option<K>, kube::Error>
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>,
    K: Clone + Serialize + DeserializeOwned + std::fmt::Debug,
{
    let kind = K::kind(&());
    let name = desired.name_any();
    let span = info_span!(
        "apply",
        otel.name = format!("apply {kind}/{name}"),
        kind = %kind,
        name = %name,
        skipped = tracing::field::Empty,
    );
    async {
        if in_place(store, desired) {
            tracing::Span::current().record("skipped", true);
            debug!("already in place");
            return Ok(None);
        }
        tracing::Span::current().record("skipped", false);
        let ns = desired.namespace().unwrap_or_default();
        let api: Api<K> = Api::namespaced(ctx.client.clone(), &ns);
        let params = PatchParams::apply(FIELD_MANAGER).force();
        match api.patch(&name, &params, &Patch::Apply(desired)).await {
            Ok(o) => Ok(Some(o)),
            Err(e) => {
                set_span_error(&tracing::Span::current(), e.to_string());
                warn!(error = %e, "apply failed");
                Err(e)
            }
        }
    }
    .instrument(span)
    .await
}

/// Retryable failures (network, timeouts, conflicts, throttling, server errors) versus
/// refusals a retry cannot fix (bad request, forbidden, invalid).
fn classify(e: &kube::Error) -> ApplyOutcome {
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

/// Publishes the transition's events, skipping one identical to the Tenant's last event.
async fn record_events(ctx: &Context, tenant: &Tenant, effects: &[Effect]) {
    for effect in effects {
        let Effect::RecordEvent {
            kind,
            reason,
            message,
        } = effect
        else {
            continue;
        };
        if !ctx.is_new_event(tenant, *reason, message) {
            continue;
        }
        let event = Event {
            type_: match kind {
                EventKind::Normal => EventType::Normal,
                EventKind::Warning => EventType::Warning,
            },
            reason: reason.to_string(),
            note: Some(truncate(message, 1000)),
            action: "Reconcile".into(),
            secondary: None,
        };
        let reference = tenant.object_ref(&());
        let span = info_span!("event", otel.name = format!("event {reason}"), reason = %reason);
        if let Err(e) = ctx
            .recorder
            .publish(&event, &reference)
            .instrument(span)
            .await
        {
            warn!(error = %e, %reason, "cannot record event");
        }
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}
