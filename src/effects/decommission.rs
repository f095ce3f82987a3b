// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The writes of a pool decommission: asking RustFS to start or cancel it (admin API), and
//! deleting a drained pool's StatefulSet and PodDisruptionBudget. Never a
//! PersistentVolumeClaim: the StatefulSet's claims are not owned by it, and the operator
//! deletes none.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{Api, DeleteParams};
use machine::Effect;
use tracing::info;

use crate::admin::{pools, tenant};
use crate::api::v1alpha1::Tenant;
use crate::context::Context;
use crate::resources::names;

/// Runs one decommission effect; other effects are not this module's and do nothing.
pub async fn run(ctx: &Context, t: &Tenant, effect: &Effect) -> Result<(), String> {
    match effect {
        Effect::RetirePool { pool } => retire(ctx, t, pool).await,
        Effect::StartDecommission { pool } => ask(ctx, t, pool, true).await,
        Effect::CancelDecommission { pool } => ask(ctx, t, pool, false).await,
        _ => Ok(()),
    }
}

async fn ask(ctx: &Context, t: &Tenant, pool: &str, start: bool) -> Result<(), String> {
    let Some(spec) = t.spec.pools.iter().find(|p| p.name == pool) else {
        return Err(format!("pool {pool} is not in spec.pools"));
    };
    let argument = pools::argument(t, spec, &ctx.config.build.cluster_domain);
    let (client, credentials) = tenant::connect(
        &ctx.client,
        t,
        &ctx.config.build.cluster_domain,
        ctx.config.storage.client.clone(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let result = if start {
        pools::start(&client, &credentials, &argument).await
    } else {
        pools::cancel(&client, &credentials, &argument).await
    };
    result.map_err(|e| e.to_string())?;
    info!(
        pool,
        start,
        "asked RustFS to {} the pool's decommission",
        if start { "start" } else { "cancel" }
    );
    Ok(())
}

/// Deletes the pool's StatefulSet (its pods go; their claims stay) and its
/// PodDisruptionBudget. Already gone is fine.
async fn retire(ctx: &Context, t: &Tenant, pool: &str) -> Result<(), String> {
    let ns = t.metadata.namespace.as_deref().unwrap_or("default");
    let name = names::stateful_set(t.metadata.name.as_deref().unwrap_or_default(), pool);
    let gone = |r: Result<_, kube::Error>| match r {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(e)) if e.code == 404 => Ok(()),
        Err(e) => Err(format!(
            "cannot delete {name} of decommissioned pool {pool}: {e}"
        )),
    };
    let sets: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), ns);
    if ctx
        .stores
        .owned
        .stateful_sets
        .get(&kube::runtime::reflector::ObjectRef::new(&name).within(ns))
        .is_some()
    {
        gone(
            sets.delete(&name, &DeleteParams::background())
                .await
                .map(drop),
        )?;
        info!(pool, statefulset = %name, "deleted the StatefulSet of a decommissioned pool; its PersistentVolumeClaims stay");
    }
    let budgets: Api<PodDisruptionBudget> = Api::namespaced(ctx.client.clone(), ns);
    gone(
        budgets
            .delete(&name, &DeleteParams::background())
            .await
            .map(drop),
    )
}
