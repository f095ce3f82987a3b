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

//! The pods' identity: ServiceAccount, Role and RoleBinding.
//!
//! Least privilege: RustFS never calls the Kubernetes API. Its credentials reach it through
//! the kubelet (`secretKeyRef`), its peers through the headless Service's DNS. So the Role
//! grants nothing, and the ServiceAccount the operator makes for the pods does not even mount
//! an API token. The
//! Role and RoleBinding still exist as operator-owned objects so that what the pods may do is
//! explicit and auditable, and stays so: an edit to them is reverted on the next reconcile.
//!
//! Skip rules:
//! - no `serviceAccountName`: create `<tenant>-sa`, the Role and the RoleBinding;
//! - `serviceAccountName` set: create nothing, unless `createServiceAccountRbac: true`, then
//!   create the Role and a RoleBinding for the user's account.

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding, RoleRef, Subject};

use super::labels::{self, Component};
use super::{Owner, names};

/// `<tenant>-sa`, unless the Tenant names its own ServiceAccount.
pub fn service_account(owner: &Owner) -> Option<ServiceAccount> {
    if owner.tenant().spec.service_account_name.is_some() {
        return None;
    }
    Some(ServiceAccount {
        metadata: owner.meta(names::service_account(owner.name()), rbac_labels(owner)),
        // RustFS does not talk to the API server; no token in its pods.
        automount_service_account_token: Some(false),
        ..ServiceAccount::default()
    })
}

/// Whether the Role and RoleBinding are created (see the module docs).
pub fn creates_rbac(owner: &Owner) -> bool {
    let spec = &owner.tenant().spec;
    spec.service_account_name.is_none() || spec.create_service_account_rbac == Some(true)
}

/// `<tenant>-role`: grants nothing (see the module docs).
pub fn role(owner: &Owner) -> Option<Role> {
    creates_rbac(owner).then(|| Role {
        metadata: owner.meta(names::role(owner.name()), rbac_labels(owner)),
        rules: Some(Vec::new()),
    })
}

/// `<tenant>-rolebinding`: binds [`role`] to the ServiceAccount the pods run as.
pub fn role_binding(owner: &Owner) -> Option<RoleBinding> {
    creates_rbac(owner).then(|| RoleBinding {
        metadata: owner.meta(names::role_binding(owner.name()), rbac_labels(owner)),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".to_owned(),
            kind: "Role".to_owned(),
            name: names::role(owner.name()),
        },
        subjects: Some(vec![Subject {
            api_group: None,
            kind: "ServiceAccount".to_owned(),
            name: names::pod_service_account(owner.name(), &owner.tenant().spec),
            namespace: Some(owner.namespace().to_owned()),
        }]),
    })
}

fn rbac_labels(owner: &Owner) -> std::collections::BTreeMap<String, String> {
    labels::tenant_labels(owner.name(), Component::Rbac)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::fixtures::TenantBuilder;

    #[test]
    fn operator_creates_account_role_and_binding_by_default() {
        let t = TenantBuilder::new("t").pool("p0", 4, 4).build();
        let owner = Owner::new(&t).unwrap();
        let sa = service_account(&owner).expect("operator-made account");
        assert_eq!(sa.metadata.name.as_deref(), Some("t-sa"));
        assert_eq!(sa.automount_service_account_token, Some(false));
        assert_eq!(
            sa.metadata.labels.unwrap()["app.kubernetes.io/component"],
            "rbac"
        );

        let role = role(&owner).expect("role");
        assert_eq!(role.metadata.name.as_deref(), Some("t-role"));
        assert_eq!(
            role.rules,
            Some(vec![]),
            "least privilege: RustFS needs no API access"
        );

        let rb = role_binding(&owner).expect("binding");
        assert_eq!(rb.metadata.name.as_deref(), Some("t-rolebinding"));
        assert_eq!(rb.role_ref.kind, "Role");
        assert_eq!(rb.role_ref.name, "t-role");
        assert_eq!(rb.role_ref.api_group, "rbac.authorization.k8s.io");
        let subjects = rb.subjects.unwrap();
        assert_eq!(subjects.len(), 1);
        assert_eq!(subjects[0].kind, "ServiceAccount");
        assert_eq!(subjects[0].name, "t-sa");
        assert_eq!(subjects[0].namespace.as_deref(), Some("ns"));
    }

    #[test]
    fn user_account_skips_everything_by_default() {
        for rbac in [None, Some(false)] {
            let mut b = TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .service_account("mine");
            if let Some(rbac) = rbac {
                b = b.create_rbac(rbac);
            }
            let t = b.build();
            let owner = Owner::new(&t).unwrap();
            assert!(service_account(&owner).is_none(), "{rbac:?}");
            assert!(role(&owner).is_none(), "{rbac:?}");
            assert!(role_binding(&owner).is_none(), "{rbac:?}");
        }
    }

    #[test]
    fn user_account_gets_rbac_when_asked() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .service_account("mine")
            .create_rbac(true)
            .build();
        let owner = Owner::new(&t).unwrap();
        assert!(service_account(&owner).is_none());
        assert!(role(&owner).is_some());
        let rb = role_binding(&owner).unwrap();
        assert_eq!(rb.subjects.unwrap()[0].name, "mine");
    }

    #[test]
    fn create_rbac_is_irrelevant_without_a_user_account() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .create_rbac(false)
            .build();
        let owner = Owner::new(&t).unwrap();
        assert!(service_account(&owner).is_some());
        assert!(role(&owner).is_some());
        assert!(role_binding(&owner).is_some());
    }
}
