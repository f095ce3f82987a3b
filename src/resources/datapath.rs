// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Objects the data path needs before the servers start: the generated internode secret and,
//! in TLS mode `certManager`, the cert-manager Certificate. Neither is an owned kind with a
//! cache: the Secret is created once and never applied again (its value is random), and the
//! Certificate's API may not be installed at all.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::json;

use super::labels::{self, Component};
use super::{BuildContext, Owner, names};
use crate::api::v1alpha1::TlsMode;

/// The cert-manager Certificate API.
pub fn certificate_api_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("cert-manager.io", "v1", "Certificate"),
        "certificates",
    )
}

/// The generated internode secret holding `value`, owned by the Tenant.
pub fn rpc_secret(owner: &Owner, value: String) -> Secret {
    Secret {
        metadata: owner.meta(
            names::rpc_secret(owner.name()),
            labels::tenant_labels(owner.name(), Component::Server),
        ),
        type_: Some("Opaque".to_owned()),
        string_data: Some(BTreeMap::from([(names::RPC_SECRET_KEY.to_owned(), value)])),
        ..Secret::default()
    }
}

/// The Certificate `<tenant>-tls` of TLS mode `certManager`, or `None` in other modes. Its
/// DNS names cover every name the operator generates (see [`names::tls_dns_names`]).
pub fn certificate(owner: &Owner, ctx: &BuildContext) -> Option<DynamicObject> {
    let tls = owner.tenant().spec.tls.as_ref()?;
    if tls.mode != TlsMode::CertManager {
        return None;
    }
    let cm = tls.cert_manager.as_ref()?;
    let name = names::certificate(owner.name());
    let mut issuer = json!({ "name": cm.issuer_ref.name });
    if let Some(kind) = &cm.issuer_ref.kind {
        issuer["kind"] = json!(kind);
    }
    if let Some(group) = &cm.issuer_ref.group {
        issuer["group"] = json!(group);
    }
    let mut spec = json!({
        "secretName": name,
        "issuerRef": issuer,
        "commonName": names::io_service(owner.name()),
        "dnsNames": names::tls_dns_names(owner.name(), owner.namespace(), &ctx.cluster_domain),
        "privateKey": { "algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always" },
        "usages": ["server auth", "client auth", "digital signature", "key encipherment"],
        "secretTemplate": { "labels": labels::tenant_labels(owner.name(), Component::Server) },
    });
    if let Some(d) = &cm.duration {
        spec["duration"] = json!(d);
    }
    if let Some(r) = &cm.renew_before {
        spec["renewBefore"] = json!(r);
    }
    let mut object = DynamicObject::new(&name, &certificate_api_resource())
        .within(owner.namespace())
        .data(json!({ "spec": spec }));
    object.metadata = owner.meta(name, labels::tenant_labels(owner.name(), Component::Server));
    Some(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v1alpha1::{CertManagerTls, IssuerRef, TlsSpec};
    use crate::resources::fixtures::TenantBuilder;

    fn cert_manager_tenant() -> crate::api::v1alpha1::Tenant {
        let mut t = TenantBuilder::new("store")
            .namespace("prod")
            .pool("p0", 4, 1)
            .build();
        t.spec.tls = Some(TlsSpec {
            mode: TlsMode::CertManager,
            cert_manager: Some(CertManagerTls {
                issuer_ref: IssuerRef {
                    name: "local-ca".into(),
                    kind: Some("ClusterIssuer".into()),
                    group: None,
                },
                duration: Some("2160h".into()),
                renew_before: None,
            }),
            ..TlsSpec::default()
        });
        t
    }

    #[test]
    fn certificate_covers_every_generated_name() {
        let t = cert_manager_tenant();
        let owner = Owner::new(&t).unwrap();
        let c = certificate(&owner, &BuildContext::default()).unwrap();
        assert_eq!(c.metadata.name.as_deref(), Some("store-tls"));
        let spec = &c.data["spec"];
        assert_eq!(spec["secretName"], "store-tls");
        assert_eq!(spec["issuerRef"]["kind"], "ClusterIssuer");
        assert_eq!(spec["duration"], "2160h");
        assert!(spec.get("renewBefore").is_none());
        let dns: Vec<String> = serde_json::from_value(spec["dnsNames"].clone()).unwrap();
        for name in [
            "store-io",
            "store-io.prod.svc.cluster.local",
            "store-console.prod",
            "*.store-hl.prod.svc.cluster.local",
        ] {
            assert!(dns.iter().any(|d| d == name), "{name} not in {dns:?}");
        }
        // Every name the servers and the operator must reach is covered.
        let required = names::tls_required_names("store", "prod", "cluster.local", &t.spec.pools);
        assert_eq!(
            crate::tls::missing_names(&dns, &required),
            Vec::<String>::new()
        );
        assert_eq!(
            c.metadata.owner_references.unwrap()[0].name,
            "store",
            "owned by the Tenant"
        );
    }

    #[test]
    fn no_certificate_outside_cert_manager_mode() {
        let mut t = cert_manager_tenant();
        t.spec.tls.as_mut().unwrap().mode = TlsMode::Disabled;
        let owner = Owner::new(&t).unwrap();
        assert!(certificate(&owner, &BuildContext::default()).is_none());
        t.spec.tls = None;
        let owner = Owner::new(&t).unwrap();
        assert!(certificate(&owner, &BuildContext::default()).is_none());
    }

    #[test]
    fn rpc_secret_is_owned_and_holds_the_value_under_its_key() {
        let t = cert_manager_tenant();
        let owner = Owner::new(&t).unwrap();
        let s = rpc_secret(&owner, "x".repeat(64));
        assert_eq!(s.metadata.name.as_deref(), Some("store-rpc-secret"));
        assert_eq!(s.string_data.unwrap()["rpcsecret"].len(), 64);
        assert_eq!(
            s.metadata.owner_references.unwrap()[0].controller,
            Some(true)
        );
    }
}
