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

//! Test builders that read like sentences:
//! `TenantBuilder::new("t").pool("p0", 4, 4).creds("s").build()`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{EnvVar, PersistentVolumeClaimSpec};

use crate::api::v1alpha1::{CredsSecretRef, Persistence, Pool, Tenant, TenantSpec};

/// A Tenant as read from the API server: namespace `ns` and a uid unless changed.
pub(crate) struct TenantBuilder {
    tenant: Tenant,
}

impl TenantBuilder {
    pub(crate) fn new(name: &str) -> Self {
        let mut tenant = Tenant::new(name, TenantSpec::default());
        tenant.metadata.namespace = Some("ns".to_owned());
        tenant.metadata.uid = Some(format!("uid-{name}"));
        Self { tenant }
    }

    pub(crate) fn namespace(mut self, namespace: &str) -> Self {
        self.tenant.metadata.namespace = Some(namespace.to_owned());
        self
    }

    /// Add a pool of `servers` servers with `volumes` volumes each (path `/data`).
    pub(crate) fn pool(mut self, name: &str, servers: i32, volumes: i32) -> Self {
        self.tenant.spec.pools.push(Pool {
            name: name.to_owned(),
            servers,
            persistence: Persistence {
                volumes_per_server: volumes,
                ..Persistence::default()
            },
            ..Pool::default()
        });
        self
    }

    /// Change the last pool added.
    pub(crate) fn with_pool(mut self, change: impl FnOnce(&mut Pool)) -> Self {
        change(
            self.tenant
                .spec
                .pools
                .last_mut()
                .expect("add a pool before changing it"),
        );
        self
    }

    /// Mount base of the last pool.
    pub(crate) fn path(self, path: &str) -> Self {
        self.with_pool(|p| p.persistence.path = Some(path.to_owned()))
    }

    /// Volume claim template of the last pool.
    pub(crate) fn claim_template(self, spec: PersistentVolumeClaimSpec) -> Self {
        self.with_pool(|p| p.persistence.volume_claim_template = Some(spec))
    }

    /// Labels and annotations for the last pool's volume claims.
    pub(crate) fn claim_metadata(
        self,
        labels: &[(&str, &str)],
        annotations: &[(&str, &str)],
    ) -> Self {
        let map = |kv: &[(&str, &str)]| {
            kv.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>()
        };
        self.with_pool(|p| {
            p.persistence.labels = Some(map(labels));
            p.persistence.annotations = Some(map(annotations));
        })
    }

    pub(crate) fn creds(mut self, secret: &str) -> Self {
        self.tenant.spec.creds_secret = Some(CredsSecretRef {
            name: secret.to_owned(),
        });
        self
    }

    pub(crate) fn env(mut self, name: &str, value: &str) -> Self {
        self.tenant.spec.env.push(EnvVar {
            name: name.to_owned(),
            value: Some(value.to_owned()),
            value_from: None,
        });
        self
    }

    pub(crate) fn image(mut self, image: &str) -> Self {
        self.tenant.spec.image = Some(image.to_owned());
        self
    }

    /// The user brings their own ServiceAccount.
    pub(crate) fn service_account(mut self, name: &str) -> Self {
        self.tenant.spec.service_account_name = Some(name.to_owned());
        self
    }

    pub(crate) fn create_rbac(mut self, create: bool) -> Self {
        self.tenant.spec.create_service_account_rbac = Some(create);
        self
    }

    /// Change the spec directly, for fields without a dedicated verb.
    pub(crate) fn spec(mut self, change: impl FnOnce(&mut TenantSpec)) -> Self {
        change(&mut self.tenant.spec);
        self
    }

    pub(crate) fn build(self) -> Tenant {
        self.tenant
    }
}
