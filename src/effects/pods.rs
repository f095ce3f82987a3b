// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Pods on a down Node: the deletes `nodes::plan` decided, each with an Event on the Tenant.
//! The only place the operator deletes anything.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::Resource;
use kube::api::{Api, DeleteParams, Preconditions};
use kube::runtime::events::{Event, EventType};
use tracing::{info, warn};

use crate::api::v1alpha1::Tenant;
use crate::context::Context;
use crate::nodes::PodAction;

/// Carries out `actions` for the Tenant's pods. Each delete is conditional on the pod's uid,
/// so a replacement created under the same name in the meantime is never touched. A pod
/// already gone counts as done. Returns how many actions failed.
pub async fn run(ctx: &Context, tenant: &Tenant, actions: &[PodAction]) -> usize {
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), tenant.namespace_or_default());
    let grace = ctx.config.node_down_grace;
    let mut failed = 0;
    for action in actions {
        let params = |force: bool| {
            let p = DeleteParams::default().preconditions(Preconditions {
                uid: Some(action.uid().to_owned()),
                resource_version: None,
            });
            if force { p.grace_period(0) } else { p }
        };
        let result = match action {
            PodAction::Delete { .. } => api.delete(action.pod(), &params(false)).await,
            PodAction::ForceDelete { .. } => api.delete(action.pod(), &params(true)).await,
            PodAction::Explain { .. } => {
                if ctx.first_explanation(action.uid()) {
                    event(ctx, tenant, action, grace, EventType::Warning).await;
                }
                continue;
            }
        };
        match result {
            Ok(_) => {
                info!(
                    pod = action.pod(),
                    reason = action.reason(),
                    "pod on a down node deleted"
                );
                event(ctx, tenant, action, grace, EventType::Normal).await;
            }
            // Gone already (404), or replaced since it was listed (409 on the uid).
            Err(kube::Error::Api(e)) if e.code == 404 || e.code == 409 => {}
            Err(e) => {
                failed += 1;
                warn!(pod = action.pod(), error = %e, "cannot delete a pod on a down node");
            }
        }
    }
    failed
}

async fn event(
    ctx: &Context,
    tenant: &Tenant,
    action: &PodAction,
    grace: Duration,
    kind: EventType,
) {
    let event = Event {
        type_: kind,
        reason: action.reason().to_owned(),
        note: Some(action.message(grace)),
        action: "DeletePod".into(),
        secondary: None,
    };
    if let Err(e) = super::events::publish(ctx, &event, &tenant.object_ref(&())).await {
        warn!(error = %e, reason = action.reason(), "cannot record event");
    }
}
