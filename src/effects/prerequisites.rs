// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! What must exist before the servers' Secrets can be checked: the generated internode
//! secret (created once, never overwritten) and, in TLS mode `certManager`, the Certificate
//! that makes cert-manager write the TLS Secret. Runs in the CredentialsCheck step, which a
//! Tenant passes on creation, on a spec change and when a Secret it reads changes: never on
//! an idle resync.

use k8s_openapi::api::core::v1::Secret;
use kube::Resource;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::PartialObjectMeta;
use kube::runtime::events::{Event, EventType};
use kube::runtime::reflector::ObjectRef;
use ring::rand::SecureRandom;
use tracing::{Instrument, info, info_span, warn};

use super::FIELD_MANAGER;
use crate::api::v1alpha1::Tenant;
use crate::context::Context;
use crate::resources::{Owner, datapath, names};
use crate::validate::secrets::SecretProblem;

/// Random bytes in a generated internode secret (hex-encoded: twice as many characters).
pub const RPC_SECRET_BYTES: usize = 32;

/// Creates the internode secret when the Tenant uses a generated one and it does not exist,
/// and applies the Certificate in mode `certManager`. `was_running`: the Tenant's servers
/// ran before, so a missing generated secret was deleted (a Warning: the servers must
/// restart together). A problem the user must fix comes back as `Ok(Some(..))`.
pub async fn ensure(
    ctx: &Context,
    tenant: &Tenant,
    was_running: bool,
) -> Result<Option<SecretProblem>, kube::Error> {
    let Ok(owner) = Owner::new(tenant) else {
        return Ok(None);
    };
    if tenant.spec.rpc_secret.is_none() {
        ensure_rpc_secret(ctx, &owner, was_running).await?;
    }
    if let Some(certificate) = datapath::certificate(&owner, &ctx.config.build) {
        return apply_certificate(ctx, tenant, certificate).await;
    }
    Ok(None)
}

async fn ensure_rpc_secret(
    ctx: &Context,
    owner: &Owner<'_>,
    was_running: bool,
) -> Result<(), kube::Error> {
    let name = names::rpc_secret(owner.name());
    let key = ObjectRef::<PartialObjectMeta<Secret>>::new(&name).within(owner.namespace());
    if ctx.stores.secrets.get(&key).is_some() {
        return Ok(());
    }
    let api: Api<Secret> = Api::namespaced(ctx.client.clone(), owner.namespace());
    let span = info_span!("create", otel.name = format!("create Secret/{name}"), name = %name);
    async {
        // The cache may lag behind a Secret created a moment ago: ask before creating.
        if api.get_metadata_opt(&name).await?.is_some() {
            return Ok(());
        }
        let secret = datapath::rpc_secret(owner, random_hex(RPC_SECRET_BYTES));
        match api.create(&PostParams::default(), &secret).await {
            Ok(_) => {}
            // Another reconcile (or replica) created it first: keep theirs.
            Err(kube::Error::Api(s)) if s.code == 409 => return Ok(()),
            Err(e) => return Err(e),
        }
        info!(secret = %name, "generated the internode secret");
        let (type_, reason, note) = if was_running {
            (
                EventType::Warning,
                "RpcSecretRecreated",
                format!(
                    "Secret {name} (the internode secret) was deleted and has been generated again with a new value; servers started before hold the old one and cannot talk to new ones: restart every server of the Tenant together (kubectl delete pod -n {ns} -l rustfs.com/tenant={t})",
                    ns = owner.namespace(),
                    t = owner.name()
                ),
            )
        } else {
            (
                EventType::Normal,
                "RpcSecretCreated",
                format!("generated the internode secret in Secret {name}; it is never rotated by the operator"),
            )
        };
        publish(ctx, owner.tenant(), type_, reason, note).await;
        Ok(())
    }
    .instrument(span)
    .await
}

async fn apply_certificate(
    ctx: &Context,
    tenant: &Tenant,
    certificate: DynamicObject,
) -> Result<Option<SecretProblem>, kube::Error> {
    let name = certificate.metadata.name.clone().unwrap_or_default();
    let api: Api<DynamicObject> = Api::namespaced_with(
        ctx.client.clone(),
        tenant.namespace_or_default(),
        &datapath::certificate_api_resource(),
    );
    let span = info_span!("apply", otel.name = format!("apply Certificate/{name}"), name = %name);
    let params = PatchParams::apply(FIELD_MANAGER).force();
    match api
        .patch(&name, &params, &Patch::Apply(&certificate))
        .instrument(span)
        .await
    {
        Ok(_) => Ok(None),
        // No Certificate API: cert-manager is not installed. A retry will not help until it is.
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(Some(SecretProblem::Invalid {
            secret: name,
            key: "tls.crt".into(),
            problem: "spec.tls.mode is 'certManager' but the cluster has no cert-manager.io/v1 Certificate API: install cert-manager, or use mode 'secret' with a Secret you provide".into(),
        })),
        Err(kube::Error::Api(s)) if matches!(s.code, 400 | 422) => {
            Ok(Some(SecretProblem::Invalid {
                secret: name,
                key: "tls.crt".into(),
                problem: format!("cert-manager refused the Certificate: {}: fix spec.tls.certManager", s.message),
            }))
        }
        Err(e) => Err(e),
    }
}

async fn publish(ctx: &Context, tenant: &Tenant, type_: EventType, reason: &str, note: String) {
    let event = Event {
        type_,
        reason: reason.to_owned(),
        note: Some(note),
        action: "Reconcile".into(),
        secondary: None,
    };
    if let Err(e) = super::events::publish(ctx, &event, &tenant.object_ref(&())).await {
        warn!(error = %e, reason, "cannot record event");
    }
}

/// `bytes` random bytes from the system's secure generator, hex-encoded.
fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    ring::rand::SystemRandom::new()
        .fill(&mut buf)
        .expect("the system random generator works");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_long_hex_and_differ() {
        let a = random_hex(RPC_SECRET_BYTES);
        let b = random_hex(RPC_SECRET_BYTES);
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(a.len() >= crate::validate::secrets::MIN_RPC_SECRET_LEN);
    }
}
