// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Volume growth: patch every claim of a pool to the new size, then replace the pool's
//! StatefulSet so its claim templates say the same.
//!
//! Kubernetes refuses any change to a StatefulSet's `volumeClaimTemplates`, so the StatefulSet
//! is deleted with `propagationPolicy: Orphan` (its pods keep running, its claims stay) and
//! the apply that follows creates it again with the new template. The new StatefulSet adopts
//! the running pods by its unchanged selector; their pod template is unchanged too, so its
//! revision is the one they run and none is restarted. See ADR 0011.

use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PropagationPolicy};
use tracing::{Instrument, info, info_span};

use super::apply::FIELD_MANAGER;
use super::{ApplyOutcome, Growth, classify};
use crate::context::Context;
use crate::telemetry::set_span_error;

/// How long to wait for the garbage collector to orphan the pods and let the StatefulSet
/// go, before leaving the rest to the next reconcile.
const DELETION_WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(250);

/// Grows the claims of `growth`, then deletes its StatefulSet (orphaning the pods) and waits
/// until it is gone, so the apply after this creates it with the new claim templates.
pub(super) async fn grow(
    ctx: &Context,
    namespace: &str,
    growth: &Growth,
) -> Result<(), ApplyOutcome> {
    let span = info_span!(
        "grow volumes",
        otel.name = format!("grow volumes of {}", growth.stateful_set),
        pool = %growth.pool,
        size = %growth.size,
        claims = growth.claims.len(),
    );
    async {
        let result = run(ctx, namespace, growth).await;
        if let Err(outcome) = &result {
            set_span_error(&tracing::Span::current(), format!("{outcome:?}"));
        }
        result
    }
    .instrument(span)
    .await
}

async fn run(ctx: &Context, namespace: &str, growth: &Growth) -> Result<(), ApplyOutcome> {
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), namespace);
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_owned()),
        ..PatchParams::default()
    };
    let body = serde_json::json!({
        "spec": {"resources": {"requests": {"storage": growth.size}}}
    });
    for claim in &growth.claims {
        claims
            .patch(claim, &params, &Patch::Merge(&body))
            .await
            .map_err(|e| classify(&e))?;
    }
    info!(claims = growth.claims.len(), size = %growth.size, "claims patched; replacing the StatefulSet, orphaning its pods");

    let sets: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), namespace);
    let orphan = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Orphan),
        ..DeleteParams::default()
    };
    match sets.delete(&growth.stateful_set, &orphan).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 404 => {}
        Err(e) => return Err(classify(&e)),
    }
    let deadline = tokio::time::Instant::now() + DELETION_WAIT;
    while tokio::time::Instant::now() < deadline {
        match sets.get_opt(&growth.stateful_set).await {
            Ok(None) => return Ok(()),
            Ok(Some(_)) => tokio::time::sleep(POLL).await,
            Err(e) => return Err(classify(&e)),
        }
    }
    Err(ApplyOutcome::Transient(format!(
        "StatefulSet {} is still being deleted (orphan deletion: its pods and volumes stay) so it can be created with {} volumes; retrying",
        growth.stateful_set, growth.size
    )))
}
