// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Server-side apply of one owned object.

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use tracing::{Instrument, debug, info_span, warn};

use crate::context::Context;
use crate::owned::OwnedObject;
use crate::telemetry::set_span_error;

/// The field manager of every apply.
pub const FIELD_MANAGER: &str = "rustfs-operator";

/// Server-side apply of one object, skipped when the checks found it already in place.
/// Returns the object as stored after an apply, `None` when skipped.
pub(super) async fn apply(
    ctx: &Context,
    desired: &dyn OwnedObject,
    in_place: bool,
) -> Result<Option<DynamicObject>, kube::Error> {
    let kind = desired.kind();
    let name = desired.name();
    let span = info_span!(
        "apply",
        otel.name = format!("apply {kind}/{name}"),
        kind = %kind,
        name = %name,
        skipped = tracing::field::Empty,
    );
    async {
        if in_place {
            tracing::Span::current().record("skipped", true);
            debug!("already in place");
            return Ok(None);
        }
        tracing::Span::current().record("skipped", false);
        let body = desired.to_json().map_err(kube::Error::SerdeError)?;
        let api: Api<DynamicObject> = Api::namespaced_with(
            ctx.client.clone(),
            &desired.namespace(),
            &desired.api_resource(),
        );
        let params = PatchParams::apply(FIELD_MANAGER).force();
        match api.patch(&name, &params, &Patch::Apply(&body)).await {
            Ok(o) => {
                remember_pod_spec(ctx, desired, &o);
                Ok(Some(o))
            }
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

/// After a StatefulSet's apply: which pod spec was sent and which one was stored, so the
/// drift check can judge the pod spec from the cache's digest (`reconcile::checks`).
fn remember_pod_spec(ctx: &Context, desired: &dyn OwnedObject, stored: &DynamicObject) {
    let Some(digest) = desired.pod_spec_digest() else {
        return;
    };
    let spec = stored
        .data
        .pointer("/spec/template/spec")
        .cloned()
        .map(serde_json::from_value::<k8s_openapi::api::core::v1::PodSpec>);
    match spec {
        Some(Ok(spec)) => {
            ctx.remember_pod_spec(desired, digest, crate::owned::pod_spec_digest(Some(&spec)))
        }
        // Not remembered: the next check reads the StatefulSet back.
        _ => debug!("the stored StatefulSet carries no readable pod spec"),
    }
}
