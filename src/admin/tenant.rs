// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! A client of one Tenant's admin API: its io Service's address (https with the Tenant's CA
//! when TLS is on) and its root credentials, read now.

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;

use super::credentials::{self, RootCredentials};
use super::{AdminClient, Settings};
use crate::api::v1alpha1::{Tenant, TlsMode};
use crate::resources::names;

/// Why no client could be made for a Tenant. Names Secrets and keys, never values.
#[derive(Debug)]
pub enum ConnectError {
    Credentials(credentials::CredentialsError),
    Ca(String),
    Client(super::Error),
}

impl ConnectError {
    /// For metrics: `credentials`, or the admin client's error class.
    pub fn class(&self) -> &'static str {
        match self {
            ConnectError::Credentials(_) | ConnectError::Ca(_) => "credentials",
            ConnectError::Client(e) => e.class(),
        }
    }
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::Credentials(e) => write!(f, "cannot read the root credentials: {e}"),
            ConnectError::Ca(e) => write!(f, "cannot read the Tenant's CA: {e}"),
            ConnectError::Client(e) => e.fmt(f),
        }
    }
}

/// `http(s)://<tenant>-io.<ns>.svc.<domain>:9000`.
pub fn endpoint(tenant: &Tenant, cluster_domain: &str) -> String {
    let ns = tenant.metadata.namespace.as_deref().unwrap_or("default");
    let name = tenant.metadata.name.as_deref().unwrap_or_default();
    let scheme = if tls_on(tenant) { "https" } else { "http" };
    format!(
        "{scheme}://{}.{ns}.svc.{}:{}",
        names::io_service(name),
        cluster_domain.trim_end_matches('.'),
        names::S3_PORT
    )
}

fn tls_on(tenant: &Tenant) -> bool {
    let name = tenant.metadata.name.as_deref().unwrap_or_default();
    tenant
        .spec
        .tls
        .as_ref()
        .is_some_and(|t| t.mode != TlsMode::Disabled)
        && names::tls_secrets(name, &tenant.spec).is_some()
}

/// A client of the Tenant's admin API and its root credentials, both for one use.
pub async fn connect(
    client: &kube::Client,
    tenant: &Tenant,
    cluster_domain: &str,
    settings: Settings,
) -> Result<(AdminClient, RootCredentials), ConnectError> {
    let credentials = credentials::read(client, tenant)
        .await
        .map_err(ConnectError::Credentials)?;
    let ca = if tls_on(tenant) {
        Some(ca_pem(client, tenant).await?)
    } else {
        None
    };
    let admin = AdminClient::new(&endpoint(tenant, cluster_domain), ca.as_deref(), settings)
        .map_err(ConnectError::Client)?;
    Ok((admin, credentials))
}

/// The CA the servers' certificate chains to (the same one the pods get as `ca.crt`).
async fn ca_pem(client: &kube::Client, tenant: &Tenant) -> Result<Vec<u8>, ConnectError> {
    let name = tenant.metadata.name.as_deref().unwrap_or_default();
    let ns = tenant.metadata.namespace.as_deref().unwrap_or("default");
    let Some((_, ca)) = names::tls_secrets(name, &tenant.spec) else {
        return Err(ConnectError::Ca("TLS is off".into()));
    };
    let api: Api<Secret> = Api::namespaced(client.clone(), ns);
    let secret = api
        .get_opt(&ca.name)
        .await
        .map_err(|e| ConnectError::Ca(format!("Secret {}: {e}", ca.name)))?
        .ok_or_else(|| ConnectError::Ca(format!("Secret {} not found", ca.name)))?;
    secret
        .data
        .as_ref()
        .and_then(|d| d.get(&ca.key))
        .map(|b| b.0.clone())
        .ok_or_else(|| ConnectError::Ca(format!("Secret {} has no key {}", ca.name, ca.key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::fixtures::TenantBuilder;

    #[test]
    fn the_io_service_is_the_address() {
        let t = TenantBuilder::new("t").pool("p0", 4, 2).build();
        assert_eq!(
            endpoint(&t, "cluster.local."),
            format!(
                "http://t-io.{}.svc.cluster.local:9000",
                t.metadata.namespace.as_deref().unwrap()
            )
        );
    }
}
