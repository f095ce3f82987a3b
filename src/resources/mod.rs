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

//! Pure builders: a Tenant in, the Kubernetes objects it needs out.
//!
//! Nothing here talks to the API server. [`desired_objects`] renders everything a Tenant
//! owns; the per-kind builders in [`rbac`], [`services`] and [`statefulset`] render one object
//! each, for effects that apply one thing at a time. Every object carries the Tenant's
//! namespace, the standard [`labels`], and a controller owner reference to the Tenant.

pub mod datapath;
pub mod disruption;
pub mod env;
pub mod labels;
pub mod names;
pub mod rbac;
pub mod security;
pub mod services;
pub mod statefulset;

#[cfg(test)]
pub(crate) mod fixtures;

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Service, ServiceAccount};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::Resource;
use snafu::{OptionExt, Snafu};

use crate::api::v1alpha1::{DEFAULT_IMAGE, Pool, Tenant};
use crate::owned::OwnedObject;

pub use env::{EnvMerge, IgnoredEnv, IgnoredReason, PROTECTED_ENV};

/// Cluster DNS domain used in `RUSTFS_VOLUMES` unless configured otherwise.
pub const DEFAULT_CLUSTER_DOMAIN: &str = "cluster.local";

/// Operator-wide settings the builders need besides the Tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildContext {
    /// DNS domain of the cluster (`cluster.local` by default), used in pod addresses.
    pub cluster_domain: String,
    /// Image for Tenants without `spec.image`.
    pub default_image: String,
}

impl Default for BuildContext {
    fn default() -> Self {
        Self {
            cluster_domain: DEFAULT_CLUSTER_DOMAIN.to_owned(),
            default_image: DEFAULT_IMAGE.to_owned(),
        }
    }
}

/// Why objects cannot be built for a Tenant. Only Tenants that did not come from the API
/// server (no uid or namespace) or a pool name that is not in the spec cause these.
#[derive(Debug, Snafu, PartialEq, Eq)]
pub enum Error {
    /// The Tenant has no `metadata.name`.
    #[snafu(display("the Tenant has no metadata.name"))]
    MissingName,

    /// The Tenant has no `metadata.namespace`; pod addresses in `RUSTFS_VOLUMES` need it.
    #[snafu(display("Tenant {name} has no metadata.namespace"))]
    MissingNamespace {
        /// Tenant name.
        name: String,
    },

    /// The Tenant has no `metadata.uid`, so no owner reference can point at it.
    #[snafu(display(
        "Tenant {namespace}/{name} has no metadata.uid, so owned objects cannot reference it; build from an object read from the API server"
    ))]
    MissingUid {
        /// Tenant name.
        name: String,
        /// Tenant namespace.
        namespace: String,
    },

    /// No pool of that name in `spec.pools`.
    #[snafu(display("Tenant {namespace}/{name} has no pool named {pool:?}"))]
    UnknownPool {
        /// Tenant name.
        name: String,
        /// Tenant namespace.
        namespace: String,
        /// The pool asked for.
        pool: String,
    },
}

/// The Tenant as owner of generated objects: its name, namespace and owner reference,
/// checked once so the builders cannot fail.
#[derive(Clone, Debug)]
pub struct Owner<'a> {
    tenant: &'a Tenant,
    name: &'a str,
    namespace: &'a str,
    reference: OwnerReference,
}

impl<'a> Owner<'a> {
    /// Check that the Tenant has what owned objects need: name, namespace and uid.
    pub fn new(tenant: &'a Tenant) -> Result<Self, Error> {
        let name = tenant.metadata.name.as_deref().context(MissingNameSnafu)?;
        let namespace = tenant
            .metadata
            .namespace
            .as_deref()
            .context(MissingNamespaceSnafu { name })?;
        let mut reference = tenant
            .controller_owner_ref(&())
            .context(MissingUidSnafu { name, namespace })?;
        // Foreground deletion of the Tenant waits for its objects.
        reference.block_owner_deletion = Some(true);
        Ok(Self {
            tenant,
            name,
            namespace,
            reference,
        })
    }

    /// The Tenant.
    pub fn tenant(&self) -> &'a Tenant {
        self.tenant
    }

    /// The Tenant's name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The Tenant's namespace, which is every owned object's namespace.
    pub fn namespace(&self) -> &'a str {
        self.namespace
    }

    /// Controller owner reference to the Tenant (`controller` and `blockOwnerDeletion` set).
    pub fn reference(&self) -> &OwnerReference {
        &self.reference
    }

    /// The pool named `pool`.
    pub fn pool(&self, pool: &str) -> Result<&'a Pool, Error> {
        self.tenant
            .spec
            .pools
            .iter()
            .find(|p| p.name == pool)
            .context(UnknownPoolSnafu {
                name: self.name,
                namespace: self.namespace,
                pool,
            })
    }

    /// Metadata of an owned object.
    pub(crate) fn meta(&self, name: String, labels: BTreeMap<String, String>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name),
            namespace: Some(self.namespace.to_owned()),
            labels: Some(labels),
            owner_references: Some(vec![self.reference.clone()]),
            ..ObjectMeta::default()
        }
    }
}

/// A pool's StatefulSet and PodDisruptionBudget, with the pool they were built for.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolStatefulSet {
    /// Pool name (`spec.pools[].name`).
    pub pool: String,
    /// Its StatefulSet, `<tenant>-<pool>`.
    pub stateful_set: StatefulSet,
    /// Its PodDisruptionBudget, `<tenant>-<pool>`: one server at a time.
    pub disruption_budget: PodDisruptionBudget,
}

/// Everything a Tenant owns, as it should be.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantObjects {
    /// `<tenant>-sa`; `None` when the user brings `serviceAccountName`.
    pub service_account: Option<ServiceAccount>,
    /// `<tenant>-role`; `None` when the user brings a ServiceAccount without
    /// `createServiceAccountRbac: true`.
    pub role: Option<Role>,
    /// `<tenant>-rolebinding`; present exactly when `role` is.
    pub role_binding: Option<RoleBinding>,
    /// IO, console and headless Services, in that order.
    pub services: Vec<Service>,
    /// One StatefulSet per pool, in `spec.pools` order.
    pub stateful_sets: Vec<PoolStatefulSet>,
    /// `spec.env` entries that were not applied (see [`mod@env`]), for warnings.
    pub ignored_env: Vec<IgnoredEnv>,
    /// Pools whose decommission completed: their StatefulSet and PodDisruptionBudget are
    /// deleted, never applied (their PVCs stay).
    pub retired: Vec<String>,
}

impl TenantObjects {
    /// Every owned object, in apply order: ServiceAccount, Role, RoleBinding, the Services,
    /// then each pool's StatefulSet and PodDisruptionBudget. Destructured without `..`: a new
    /// field does not compile until it is listed here.
    pub fn all(&self) -> Vec<&dyn OwnedObject> {
        let TenantObjects {
            service_account,
            role,
            role_binding,
            services,
            stateful_sets,
            ignored_env: _,
            retired: _,
        } = self;
        let mut out: Vec<&dyn OwnedObject> = Vec::new();
        out.extend(service_account.iter().map(|o| o as &dyn OwnedObject));
        out.extend(role.iter().map(|o| o as &dyn OwnedObject));
        out.extend(role_binding.iter().map(|o| o as &dyn OwnedObject));
        out.extend(services.iter().map(|o| o as &dyn OwnedObject));
        for p in stateful_sets {
            out.push(&p.stateful_set);
            out.push(&p.disruption_budget);
        }
        out
    }

    /// All objects as one multi-document YAML stream (for golden files and `--dry-run` output).
    pub fn to_yaml(&self) -> Result<String, serde_yaml::Error> {
        let docs = self
            .all()
            .into_iter()
            .map(|o| o.to_yaml())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(docs.join("---\n"))
    }
}

/// Render every object the Tenant owns.
pub fn desired_objects(tenant: &Tenant, ctx: &BuildContext) -> Result<TenantObjects, Error> {
    let owner = Owner::new(tenant)?;
    let env = statefulset::env_for(&owner, ctx);
    let retired = crate::api::v1alpha1::retired_pools(tenant.status.as_ref());
    Ok(TenantObjects {
        service_account: rbac::service_account(&owner),
        role: rbac::role(&owner),
        role_binding: rbac::role_binding(&owner),
        services: services::services(&owner),
        stateful_sets: tenant
            .spec
            .pools
            .iter()
            .filter(|pool| !retired.contains(&pool.name))
            .map(|pool| PoolStatefulSet {
                pool: pool.name.clone(),
                stateful_set: statefulset::build(&owner, pool, ctx, &env.env),
                disruption_budget: disruption::pod_disruption_budget(&owner, pool),
            })
            .collect(),
        ignored_env: env.ignored,
        retired,
    })
}

/// Render the StatefulSet of one pool (for an `ApplyStatefulSet { pool }` effect).
pub fn stateful_set_for_pool(
    tenant: &Tenant,
    pool: &str,
    ctx: &BuildContext,
) -> Result<StatefulSet, Error> {
    let owner = Owner::new(tenant)?;
    let pool = owner.pool(pool)?;
    Ok(statefulset::stateful_set(&owner, pool, ctx))
}

#[cfg(test)]
mod tests {
    use super::fixtures::TenantBuilder;
    use super::*;
    use serde::Deserialize;

    fn assert_owned(meta: &ObjectMeta, tenant: &Tenant) {
        let what = meta.name.as_deref().unwrap_or("?");
        assert_eq!(
            meta.namespace, tenant.metadata.namespace,
            "{what}: namespace"
        );
        let refs = meta.owner_references.as_deref().unwrap_or_default();
        assert_eq!(refs.len(), 1, "{what}: one owner reference");
        let r = &refs[0];
        assert_eq!(r.api_version, "rustfs.com/v1alpha1", "{what}");
        assert_eq!(r.kind, "Tenant", "{what}");
        assert_eq!(Some(&r.name), tenant.metadata.name.as_ref(), "{what}");
        assert_eq!(Some(&r.uid), tenant.metadata.uid.as_ref(), "{what}");
        assert_eq!(r.controller, Some(true), "{what}: controller");
        assert_eq!(
            r.block_owner_deletion,
            Some(true),
            "{what}: blockOwnerDeletion"
        );
    }

    #[test]
    fn every_object_is_owned_by_the_tenant_and_namespaced() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .pool("p1", 2, 2)
            .build();
        let objs = desired_objects(&t, &BuildContext::default()).unwrap();
        let mut metas = vec![
            &objs.service_account.as_ref().unwrap().metadata,
            &objs.role.as_ref().unwrap().metadata,
            &objs.role_binding.as_ref().unwrap().metadata,
        ];
        metas.extend(objs.services.iter().map(|s| &s.metadata));
        metas.extend(objs.stateful_sets.iter().map(|s| &s.stateful_set.metadata));
        assert_eq!(metas.len(), 8);
        for meta in metas {
            assert_owned(meta, &t);
        }
    }

    #[test]
    fn object_names_follow_the_names_module() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .pool("p1", 2, 2)
            .build();
        let objs = desired_objects(&t, &BuildContext::default()).unwrap();
        let name = |m: &ObjectMeta| m.name.clone().unwrap();
        assert_eq!(name(&objs.service_account.unwrap().metadata), "t-sa");
        assert_eq!(name(&objs.role.unwrap().metadata), "t-role");
        assert_eq!(name(&objs.role_binding.unwrap().metadata), "t-rolebinding");
        let services: Vec<_> = objs.services.iter().map(|s| name(&s.metadata)).collect();
        assert_eq!(services, ["t-io", "t-console", "t-hl"]);
        let sts: Vec<_> = objs
            .stateful_sets
            .iter()
            .map(|s| (s.pool.as_str(), name(&s.stateful_set.metadata)))
            .collect();
        assert_eq!(sts, [("p0", "t-p0".to_owned()), ("p1", "t-p1".to_owned())]);
    }

    #[test]
    fn tenants_not_from_the_api_server_are_refused() {
        let mut t = TenantBuilder::new("t").pool("p0", 4, 4).build();
        t.metadata.uid = None;
        let err = desired_objects(&t, &BuildContext::default()).unwrap_err();
        assert!(matches!(err, Error::MissingUid { .. }), "{err}");
        assert!(err.to_string().contains("ns/t"), "{err}");

        t.metadata.namespace = None;
        assert_eq!(
            desired_objects(&t, &BuildContext::default()).unwrap_err(),
            Error::MissingNamespace { name: "t".into() }
        );
        t.metadata.name = None;
        assert_eq!(
            desired_objects(&t, &BuildContext::default()).unwrap_err(),
            Error::MissingName
        );
    }

    #[test]
    fn one_pool_can_be_rendered_alone_and_matches_the_full_render() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .pool("p1", 2, 2)
            .build();
        let ctx = BuildContext::default();
        let all = desired_objects(&t, &ctx).unwrap();
        let p1 = stateful_set_for_pool(&t, "p1", &ctx).unwrap();
        assert_eq!(p1, all.stateful_sets[1].stateful_set);
        let err = stateful_set_for_pool(&t, "nope", &ctx).unwrap_err();
        assert_eq!(err.to_string(), "Tenant ns/t has no pool named \"nope\"");
    }

    #[test]
    fn ignored_env_is_reported_with_the_objects() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .env("RUSTFS_VOLUMES", "/data")
            .build();
        let objs = desired_objects(&t, &BuildContext::default()).unwrap();
        assert_eq!(objs.ignored_env.len(), 1);
        assert_eq!(objs.ignored_env[0].field_path(), "spec.env[0]");
    }

    /// A golden-ish check: an example-shaped Tenant rendered to YAML, parsed back, key
    /// fields asserted (no snapshot file to drift).
    #[test]
    fn example_tenant_renders_to_the_expected_yaml() {
        let yaml_in = r#"
apiVersion: rustfs.com/v1alpha1
kind: Tenant
metadata:
  name: store
  namespace: storage
  uid: 0b7d3c1e-0000-4000-8000-000000000001
spec:
  image: rustfs/rustfs:1.0.1
  credsSecret:
    name: store-creds
  env:
    - name: RUSTFS_UNSAFE_BYPASS_DISK_CHECK
      value: "true"
  pools:
    - name: pool-0
      servers: 4
      persistence:
        volumesPerServer: 2
        volumeClaimTemplate:
          storageClassName: fast
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 50Gi
        labels:
          backup: nightly
      resources:
        requests:
          cpu: "1"
          memory: 2Gi
"#;
        let tenant: Tenant = serde_yaml::from_str(yaml_in).unwrap();
        let ctx = BuildContext {
            cluster_domain: "k8s.internal".into(),
            default_image: "unused".into(),
        };
        let out = desired_objects(&tenant, &ctx).unwrap().to_yaml().unwrap();
        let docs: Vec<serde_json::Value> = serde_yaml::Deserializer::from_str(&out)
            .map(|d| serde_json::to_value(serde_yaml::Value::deserialize(d).unwrap()).unwrap())
            .collect();
        let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "ServiceAccount",
                "Role",
                "RoleBinding",
                "Service",
                "Service",
                "Service",
                "StatefulSet",
                "PodDisruptionBudget"
            ]
        );

        let sts = &docs[6];
        assert_eq!(sts["apiVersion"], "apps/v1");
        assert_eq!(sts["metadata"]["name"], "store-pool-0");
        assert_eq!(sts["metadata"]["namespace"], "storage");
        assert_eq!(sts["spec"]["replicas"], 4);
        assert_eq!(sts["spec"]["serviceName"], "store-hl");
        assert_eq!(sts["spec"]["podManagementPolicy"], "Parallel");
        assert_eq!(
            sts["spec"]["selector"]["matchLabels"],
            serde_json::json!({"rustfs.com/pool": "pool-0", "rustfs.com/tenant": "store"})
        );
        let pod = &sts["spec"]["template"]["spec"];
        assert_eq!(pod["serviceAccountName"], "store-sa");
        let c = &pod["containers"][0];
        assert_eq!(c["image"], "rustfs/rustfs:1.0.1");
        assert_eq!(c["env"][0]["name"], "RUSTFS_VOLUMES");
        assert_eq!(
            c["env"][0]["value"],
            "http://store-pool-0-{0...3}.store-hl.storage.svc.k8s.internal:9000/data/rustfs{0...1}"
        );
        assert_eq!(
            c["env"][4]["valueFrom"]["secretKeyRef"]["name"],
            "store-rpc-secret"
        );
        assert_eq!(
            c["env"][6]["valueFrom"]["secretKeyRef"]["name"],
            "store-creds"
        );
        assert_eq!(c["env"][8]["name"], "RUSTFS_UNSAFE_BYPASS_DISK_CHECK");
        assert_eq!(c["resources"]["requests"]["memory"], "2Gi");
        assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/health/ready");
        assert_eq!(c["volumeMounts"][1]["mountPath"], "/data/rustfs1");
        let claims = sts["spec"]["volumeClaimTemplates"].as_array().unwrap();
        assert_eq!(claims.len(), 2);
        assert_eq!(claims[0]["metadata"]["name"], "vol-0");
        assert_eq!(claims[0]["metadata"]["labels"]["backup"], "nightly");
        assert_eq!(claims[0]["spec"]["storageClassName"], "fast");
        assert_eq!(
            claims[0]["spec"]["resources"]["requests"]["storage"],
            "50Gi"
        );
        assert_eq!(
            sts["spec"]["persistentVolumeClaimRetentionPolicy"],
            serde_json::json!({"whenDeleted": "Retain", "whenScaled": "Retain"})
        );

        let hl = &docs[5];
        assert_eq!(hl["metadata"]["name"], "store-hl");
        assert_eq!(hl["spec"]["clusterIP"], "None");
        assert_eq!(hl["spec"]["publishNotReadyAddresses"], true);
        // No secret material anywhere in the rendering.
        assert!(!out.contains("rustfsadmin"));
    }

    #[test]
    fn a_drained_pool_leaves_rustfs_volumes_and_has_no_statefulset() {
        use crate::api::v1alpha1::{
            DecommissionState, DecommissionStatus, PoolStatus, TenantStatus,
        };
        let mut t = TenantBuilder::new("t")
            .pool("a", 4, 1)
            .pool("b", 4, 1)
            .build();
        let volumes = |t: &Tenant| {
            let objects = desired_objects(t, &BuildContext::default()).unwrap();
            let sts = &objects.stateful_sets.last().unwrap().stateful_set;
            let env = sts
                .spec
                .as_ref()
                .unwrap()
                .template
                .spec
                .as_ref()
                .unwrap()
                .containers[0]
                .env
                .clone()
                .unwrap();
            let v = env
                .iter()
                .find(|e| e.name == "RUSTFS_VOLUMES")
                .unwrap()
                .value
                .clone()
                .unwrap();
            (objects.stateful_sets.len(), v, objects.retired)
        };
        let (n, v, retired) = volumes(&t);
        assert_eq!((n, retired.len()), (2, 0));
        assert!(
            v.contains("t-a-{0...3}") && v.contains("t-b-{0...3}"),
            "{v}"
        );
        // Draining changes nothing yet.
        t.spec.pools[0].decommission = true;
        assert_eq!(volumes(&t).1, v);
        // Complete: out of the list, no StatefulSet, listed for deletion.
        t.status = Some(TenantStatus {
            pools: vec![PoolStatus {
                name: "a".into(),
                decommission: Some(DecommissionStatus {
                    state: DecommissionState::Complete,
                    ..DecommissionStatus::default()
                }),
                ..PoolStatus::default()
            }],
            ..TenantStatus::default()
        });
        let (n, v, retired) = volumes(&t);
        assert_eq!(n, 1);
        assert!(!v.contains("t-a-") && v.contains("t-b-{0...3}"), "{v}");
        assert_eq!(retired, ["a"]);
    }
}
