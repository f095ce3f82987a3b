// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The kinds a Tenant owns, declared once: [`owned_kinds!`] below is the only list.
//!
//! From that list come the caches ([`OwnedStores`]), the watches that fill them and wake the
//! owning Tenant ([`OwnedStores::watch`]), the per-kind trait [`Owned`], and the cache table
//! of `docs/architecture.md` ([`cache_table`], checked by `tests/architecture.rs`). The checks and the applier
//! see owned objects through [`OwnedObject`], with the kind erased, so they hold no per-kind
//! code. Adding a kind is one line here, a field of `resources::TenantObjects`, and the
//! places the compiler then names: `TenantObjects::all` and `effects::objects_for`
//! destructure it without `..`, so each asks where the new object goes.

use std::fmt::Debug;

use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Service, ServiceAccount};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::core::{ApiResource, Resource, ResourceExt};
use kube::runtime::reflector::{ObjectRef, Store};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A kind of object a Tenant owns: namespaced, watched by our label, applied server-side.
pub trait Owned:
    Resource<DynamicType = (), Scope = NamespaceResourceScope>
    + k8s_openapi::Resource
    + Clone
    + Serialize
    + DeserializeOwned
    + Debug
    + Send
    + Sync
    + 'static
{
    /// Why the operator caches this kind (a row of the cache table).
    const WHY: &'static str;
    /// This kind's cache.
    fn cache(stores: &OwnedStores) -> &Store<Self>;
}

/// Builds the cache of one owned kind and wires its watch (see `controller::run`).
pub trait WatchOwned {
    fn watch<K: Owned>(&mut self) -> Store<K>;
}

/// One row of the cache table: a kind and why it is cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnedKind {
    pub kind: &'static str,
    pub why: &'static str,
}

macro_rules! owned_kinds {
    ($( $field:ident: $Kind:ty => $why:literal, )+) => {
        /// One reflector cache per owned kind, filled by a watch on the managed-by label.
        #[derive(Clone)]
        pub struct OwnedStores {
            $( pub $field: Store<$Kind>, )+
        }

        impl OwnedStores {
            /// Every owned kind's cache, each built (and its watch wired) by `watch`.
            pub fn watch(watch: &mut impl WatchOwned) -> Self {
                Self { $( $field: watch.watch::<$Kind>(), )+ }
            }
        }

        $(
            impl Owned for $Kind {
                const WHY: &'static str = $why;
                fn cache(stores: &OwnedStores) -> &Store<Self> {
                    &stores.$field
                }
            }
        )+

        /// Every owned kind, in declaration order.
        pub const OWNED_KINDS: &[OwnedKind] = &[
            $( OwnedKind { kind: <$Kind as k8s_openapi::Resource>::KIND, why: $why }, )+
        ];
    };
}

owned_kinds! {
    stateful_sets: StatefulSet => "rollout state, drift (the pod spec as a digest, ADR 0014), refused changes, wake on pod changes",
    disruption_budgets: PodDisruptionBudget => "drift",
    services: Service => "drift; wake when someone edits or deletes one",
    service_accounts: ServiceAccount => "drift",
    roles: Role => "drift",
    role_bindings: RoleBinding => "drift",
}

/// How many caches the controller fills: Tenants, Secret metadata, and one per owned kind.
pub const CACHES: usize = 2 + OWNED_KINDS.len();

/// The cache table of `docs/architecture.md`, as Markdown: the Tenant cache, one row per
/// owned kind, the Secret metadata cache.
pub fn cache_table() -> String {
    let mut rows = vec![
        "| cache | filter | why |".to_owned(),
        "|---|---|---|".to_owned(),
        "| Tenants | none | the objects reconciled; also used to map a Secret to its Tenants |"
            .to_owned(),
    ];
    for (i, k) in OWNED_KINDS.iter().enumerate() {
        let filter = if i == 0 {
            "`app.kubernetes.io/managed-by=rustfs-operator`"
        } else {
            "same label"
        };
        rows.push(format!("| {}s | {filter} | {} |", k.kind, k.why));
    }
    rows.push(
        "| Secrets | none, **metadata only** | notice a credentials Secret appear or change |"
            .to_owned(),
    );
    rows.join("\n") + "\n"
}

/// An owned object of any kind, as the checks and the applier see it.
pub trait OwnedObject: Send + Sync {
    /// `Kind/name`: how drift and refusals name an object.
    fn key(&self) -> String;
    fn kind(&self) -> &'static str;
    fn name(&self) -> String;
    fn namespace(&self) -> String;
    /// The kind's API coordinates, for a request about this object.
    fn api_resource(&self) -> ApiResource;
    /// The object as JSON, as it is sent.
    fn to_json(&self) -> serde_json::Result<Value>;
    /// The object as one YAML document.
    fn to_yaml(&self) -> Result<String, serde_yaml::Error>;
    /// Metadata of the cached copy of this object, if the cache holds one.
    fn cached_meta(&self, stores: &OwnedStores) -> Option<ObjectMeta>;
    /// The cached copy of this object as JSON (`None` when absent or not serializable).
    fn cached_json(&self, stores: &OwnedStores) -> Option<Value>;
    /// For a StatefulSet, the digest of its pod spec ([`pod_spec_digest`]), which is all the
    /// cache keeps of it ([`strip_pod_spec`]); `None` for the other kinds.
    fn pod_spec_digest(&self) -> Option<String>;
}

impl<K: Owned> OwnedObject for K {
    fn key(&self) -> String {
        format!("{}/{}", K::KIND, self.name_any())
    }
    fn kind(&self) -> &'static str {
        K::KIND
    }
    fn name(&self) -> String {
        self.name_any()
    }
    fn namespace(&self) -> String {
        ResourceExt::namespace(self).unwrap_or_default()
    }
    fn api_resource(&self) -> ApiResource {
        ApiResource::erase::<K>(&())
    }
    fn to_json(&self) -> serde_json::Result<Value> {
        serde_json::to_value(self)
    }
    fn to_yaml(&self) -> Result<String, serde_yaml::Error> {
        serde_yaml::to_string(self)
    }
    fn cached_meta(&self, stores: &OwnedStores) -> Option<ObjectMeta> {
        let cached = K::cache(stores).get(&ObjectRef::from_obj(self))?;
        Some(cached.meta().clone())
    }
    fn cached_json(&self, stores: &OwnedStores) -> Option<Value> {
        let cached = K::cache(stores).get(&ObjectRef::from_obj(self))?;
        serde_json::to_value(&*cached).ok()
    }
    fn pod_spec_digest(&self) -> Option<String> {
        let sts = (self as &dyn std::any::Any).downcast_ref::<StatefulSet>()?;
        Some(pod_spec_digest(sts.spec.as_ref()?.template.spec.as_ref()))
    }
}

/// The annotation under which a cached StatefulSet keeps the digest of the pod spec the
/// cache dropped. It lives only in the operator's memory; nothing sends it to the API server.
pub const POD_SPEC_DIGEST: &str = "rustfs-operator.internal/pod-spec-sha256";

/// SHA-256 (hex) of a pod spec as the Kubernetes types serialize it: fields in the types'
/// order, maps sorted, so equal specs give equal digests whichever way they were read.
pub fn pod_spec_digest(spec: Option<&k8s_openapi::api::core::v1::PodSpec>) -> String {
    let bytes = serde_json::to_vec(&spec).unwrap_or_default();
    ring::digest::digest(&ring::digest::SHA256, &bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the StatefulSet cache keeps of a pod template: its metadata and the digest of its
/// spec, under [`POD_SPEC_DIGEST`]. The pod spec (containers, probes, env, volumes) was most
/// of a cached StatefulSet and of the operator's memory at scale; drift of the pod spec is
/// judged from the digest (`reconcile::checks`, ADR 0014).
pub fn strip_pod_spec(sts: &mut StatefulSet) {
    let Some(spec) = sts.spec.as_mut() else {
        return;
    };
    let digest = pod_spec_digest(spec.template.spec.as_ref());
    spec.template.spec = None;
    sts.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(POD_SPEC_DIGEST.to_owned(), digest);
}

/// The digest a cached (stripped) StatefulSet keeps.
pub fn cached_pod_spec_digest(cached: &Value) -> Option<&str> {
    cached["metadata"]["annotations"][POD_SPEC_DIGEST].as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_stateful_set_keeps_a_digest_of_its_pod_spec_not_the_spec() {
        let spec: k8s_openapi::api::core::v1::PodSpec = serde_json::from_value(
            serde_json::json!({"containers": [{"name": "rustfs", "image": "a:1",
                "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}],
                "nodeSelector": {"z": "1", "a": "2"}}),
        )
        .unwrap();
        // The same spec read with its keys in another order: the same digest.
        let reordered: k8s_openapi::api::core::v1::PodSpec =
            serde_json::from_value(serde_json::json!({"nodeSelector": {"a": "2", "z": "1"},
                "containers": [{"env": [{"value": "2", "name": "B"}, {"name": "A", "value": "1"}],
                "image": "a:1", "name": "rustfs"}]}))
            .unwrap();
        assert_eq!(
            pod_spec_digest(Some(&spec)),
            pod_spec_digest(Some(&reordered))
        );
        let mut other = spec.clone();
        other.containers[0].image = Some("a:2".into());
        assert_ne!(pod_spec_digest(Some(&spec)), pod_spec_digest(Some(&other)));

        let mut sts = StatefulSet {
            spec: Some(k8s_openapi::api::apps::v1::StatefulSetSpec {
                replicas: Some(2),
                template: k8s_openapi::api::core::v1::PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some([("app".to_owned(), "x".to_owned())].into()),
                        ..ObjectMeta::default()
                    }),
                    spec: Some(spec.clone()),
                },
                ..Default::default()
            }),
            ..StatefulSet::default()
        };
        let desired = OwnedObject::pod_spec_digest(&sts).unwrap();
        assert_eq!(desired, pod_spec_digest(Some(&spec)));
        crate::watch::strip_for_cache(&mut sts);
        let kept = sts.spec.as_ref().unwrap();
        assert_eq!(kept.template.spec, None, "the pod spec is not kept");
        assert_eq!(kept.replicas, Some(2), "the rest of the spec is");
        assert!(
            kept.template.metadata.is_some(),
            "and the template's metadata"
        );
        let json = serde_json::to_value(&sts).unwrap();
        assert_eq!(cached_pod_spec_digest(&json), Some(desired.as_str()));
        let service = Service::default();
        assert_eq!(OwnedObject::pod_spec_digest(&service), None);
    }

    #[test]
    fn every_owned_kind_is_listed_once() {
        let mut kinds: Vec<_> = OWNED_KINDS.iter().map(|k| k.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), OWNED_KINDS.len());
        assert_eq!(CACHES, 8);
    }
}
