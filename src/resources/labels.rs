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

//! Labels and selectors of every generated object.
//!
//! Selectors use only [`TENANT`] and [`POOL`]: the two values that are fixed for the life of
//! an object (a Tenant cannot be renamed; the CRD refuses pool renames). A StatefulSet's
//! selector is immutable in Kubernetes, so nothing that may change later — image, version,
//! env, user labels — may ever enter a selector.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// `app.kubernetes.io/name`: always [`APP_NAME`].
pub const NAME: &str = "app.kubernetes.io/name";
/// `app.kubernetes.io/instance`: the Tenant's name.
pub const INSTANCE: &str = "app.kubernetes.io/instance";
/// `app.kubernetes.io/managed-by`: always [`MANAGED_BY_VALUE`].
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// `app.kubernetes.io/component`: [`Component`].
pub const COMPONENT: &str = "app.kubernetes.io/component";
/// The Tenant an object belongs to. Part of every selector.
pub const TENANT: &str = "rustfs.com/tenant";
/// The pool a StatefulSet, pod or volume belongs to. Part of the StatefulSet selectors.
pub const POOL: &str = "rustfs.com/pool";

/// Value of [`NAME`].
pub const APP_NAME: &str = "rustfs";
/// Value of [`MANAGED_BY`].
pub const MANAGED_BY_VALUE: &str = "rustfs-operator";

/// Value of [`COMPONENT`]: which part of a Tenant an object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::Display, strum::AsRefStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Component {
    /// RustFS servers: StatefulSets, pods, volumes and the Services in front of them.
    Server,
    /// The pods' identity: ServiceAccount, Role, RoleBinding.
    Rbac,
}

/// Standard labels of an object of the Tenant that is not tied to one pool.
pub fn tenant_labels(tenant: &str, component: Component) -> BTreeMap<String, String> {
    BTreeMap::from([
        (NAME.to_owned(), APP_NAME.to_owned()),
        (INSTANCE.to_owned(), tenant.to_owned()),
        (MANAGED_BY.to_owned(), MANAGED_BY_VALUE.to_owned()),
        (COMPONENT.to_owned(), component.to_string()),
        (TENANT.to_owned(), tenant.to_owned()),
    ])
}

/// Standard labels of a pool's StatefulSet, pods and volume claims.
pub fn pool_labels(tenant: &str, pool: &str) -> BTreeMap<String, String> {
    let mut labels = tenant_labels(tenant, Component::Server);
    labels.insert(POOL.to_owned(), pool.to_owned());
    labels
}

/// Selector labels of every RustFS pod of a Tenant (all pools): used by the Services.
pub fn tenant_selector_labels(tenant: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(TENANT.to_owned(), tenant.to_owned())])
}

/// Selector labels of one pool's pods: used by its StatefulSet.
pub fn pool_selector_labels(tenant: &str, pool: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (TENANT.to_owned(), tenant.to_owned()),
        (POOL.to_owned(), pool.to_owned()),
    ])
}

/// [`pool_selector_labels`] as a StatefulSet selector.
pub fn pool_selector(tenant: &str, pool: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(pool_selector_labels(tenant, pool)),
        match_expressions: None,
    }
}

/// A label selector string (`k=v,k=v`) for listing, e.g. the pods of one pool.
pub fn selector_string(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_subset(small: &BTreeMap<String, String>, big: &BTreeMap<String, String>) -> bool {
        small.iter().all(|(k, v)| big.get(k) == Some(v))
    }

    #[test]
    fn standard_labels() {
        let l = pool_labels("t", "p0");
        assert_eq!(l[NAME], "rustfs");
        assert_eq!(l[INSTANCE], "t");
        assert_eq!(l[MANAGED_BY], "rustfs-operator");
        assert_eq!(l[COMPONENT], "server");
        assert_eq!(l[TENANT], "t");
        assert_eq!(l[POOL], "p0");
        assert_eq!(tenant_labels("t", Component::Rbac)[COMPONENT], "rbac");
        assert!(!tenant_labels("t", Component::Server).contains_key(POOL));
    }

    #[test]
    fn selectors_are_subsets_of_pod_labels() {
        let pod = pool_labels("t", "p0");
        assert!(is_subset(&pool_selector_labels("t", "p0"), &pod));
        assert!(is_subset(&tenant_selector_labels("t"), &pod));
        // One pool's selector does not match another pool's pods.
        assert!(!is_subset(&pool_selector_labels("t", "p1"), &pod));
        // Nor another Tenant's.
        assert!(!is_subset(&tenant_selector_labels("u"), &pod));
    }

    #[test]
    fn selector_string_is_sorted_and_joined() {
        assert_eq!(
            selector_string(&pool_selector_labels("t", "p0")),
            "rustfs.com/pool=p0,rustfs.com/tenant=t"
        );
    }
}
