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
    stateful_sets: StatefulSet => "rollout state, drift, refused changes, wake on pod changes",
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_owned_kind_is_listed_once() {
        let mut kinds: Vec<_> = OWNED_KINDS.iter().map(|k| k.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), OWNED_KINDS.len());
        assert_eq!(CACHES, 8);
    }
}
