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

//! Every name the operator generates, in one place.
//!
//! The CRD bounds the Tenant name to 55 characters and Tenant + pool to 51, so every name
//! below stays a valid DNS label (63 characters) — see `src/api/v1alpha1/tenant.rs`.

use crate::api::v1alpha1::{SecretKeyRef, TenantSpec, TlsMode};

/// S3 API port of RustFS (`RUSTFS_ADDRESS`).
pub const S3_PORT: i32 = 9000;
/// Web console port of RustFS (`RUSTFS_CONSOLE_ADDRESS`).
pub const CONSOLE_PORT: i32 = 9001;
/// Name of the S3 port on the container and on the Services.
pub const S3_PORT_NAME: &str = "s3";
/// Name of the console port on the container and on the console Service.
pub const CONSOLE_PORT_NAME: &str = "console";
/// Name of the RustFS container in every pod.
pub const CONTAINER: &str = "rustfs";
/// Prefix of the volume claim templates: `vol-0`, `vol-1`, ...
pub const VOLUME_PREFIX: &str = "vol";
/// Directory name prefix of each volume under the pool's `path`: `rustfs0`, `rustfs1`, ...
pub const VOLUME_DIR_PREFIX: &str = "rustfs";

/// ServiceAccount the operator creates when the Tenant brings none: `<tenant>-sa`.
pub fn service_account(tenant: &str) -> String {
    format!("{tenant}-sa")
}

/// Role for the pods' ServiceAccount: `<tenant>-role`.
pub fn role(tenant: &str) -> String {
    format!("{tenant}-role")
}

/// RoleBinding of [`role`] to the pods' ServiceAccount: `<tenant>-rolebinding`.
pub fn role_binding(tenant: &str) -> String {
    format!("{tenant}-rolebinding")
}

/// S3 API Service (port 9000, every pool): `<tenant>-io`.
pub fn io_service(tenant: &str) -> String {
    format!("{tenant}-io")
}

/// Console Service (port 9001): `<tenant>-console`.
pub fn console_service(tenant: &str) -> String {
    format!("{tenant}-console")
}

/// Headless Service that gives every pod a stable DNS name: `<tenant>-hl`.
pub fn headless_service(tenant: &str) -> String {
    format!("{tenant}-hl")
}

/// StatefulSet of one pool: `<tenant>-<pool>`.
pub fn stateful_set(tenant: &str, pool: &str) -> String {
    format!("{tenant}-{pool}")
}

/// Pod `ordinal` of a pool, as the StatefulSet controller names it: `<tenant>-<pool>-<n>`.
pub fn pod(tenant: &str, pool: &str, ordinal: i32) -> String {
    format!("{}-{ordinal}", stateful_set(tenant, pool))
}

/// Volume claim template (and pod volume) `index` of a pool: `vol-<index>`.
pub fn volume(index: i32) -> String {
    format!("{VOLUME_PREFIX}-{index}")
}

/// The PersistentVolumeClaim the StatefulSet controller creates for volume `index` of pod
/// `ordinal`: `vol-<index>-<tenant>-<pool>-<ordinal>`. PVCs are kept when a Tenant is deleted.
pub fn volume_claim(tenant: &str, pool: &str, ordinal: i32, index: i32) -> String {
    format!("{}-{}", volume(index), pod(tenant, pool, ordinal))
}

/// Where volume `index` is mounted: `<path>/rustfs<index>`.
pub fn volume_mount_path(path: &str, index: i32) -> String {
    format!("{path}/{VOLUME_DIR_PREFIX}{index}")
}

/// Secret the operator generates with the internode secret when `spec.rpcSecret` is unset:
/// `<tenant>-rpc-secret`.
pub fn rpc_secret(tenant: &str) -> String {
    format!("{tenant}-rpc-secret")
}

/// Key of the internode secret in [`rpc_secret`].
pub const RPC_SECRET_KEY: &str = "rpcsecret";

/// The Secret key the servers read the internode secret from: `spec.rpcSecret`, or the
/// generated [`rpc_secret`].
pub fn rpc_secret_ref(tenant: &str, spec: &TenantSpec) -> SecretKeyRef {
    spec.rpc_secret.clone().unwrap_or_else(|| SecretKeyRef {
        name: rpc_secret(tenant),
        key: RPC_SECRET_KEY.to_owned(),
    })
}

/// cert-manager Certificate of mode `certManager`, and the Secret it fills: `<tenant>-tls`.
pub fn certificate(tenant: &str) -> String {
    format!("{tenant}-tls")
}

/// Where the servers' certificate, key and CA are mounted (`RUSTFS_TLS_PATH`).
pub const TLS_MOUNT_PATH: &str = "/opt/rustfs/tls";
/// Pod volume of the certificate files.
pub const TLS_VOLUME: &str = "tls";
/// Pod volume of the writable `/tmp`.
pub const TMP_VOLUME: &str = "tmp";

/// The TLS Secret and the CA key the servers use, when TLS is on: `(secret, ca)`.
pub fn tls_secrets(tenant: &str, spec: &TenantSpec) -> Option<(String, SecretKeyRef)> {
    let tls = spec.tls.as_ref()?;
    let secret = match tls.mode {
        TlsMode::Disabled => return None,
        TlsMode::Secret => tls.secret_name.clone()?,
        TlsMode::CertManager => certificate(tenant),
    };
    let ca = tls.ca_secret.clone().unwrap_or_else(|| SecretKeyRef {
        name: secret.clone(),
        key: "ca.crt".to_owned(),
    });
    Some((secret, ca))
}

/// Every Secret a Tenant's pods read, by name: credentials, internode secret, TLS and CA.
/// A change to any of them is re-checked at once.
pub fn referenced_secrets(tenant: &str, spec: &TenantSpec) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = &spec.creds_secret {
        out.push(c.name.clone());
    }
    out.push(rpc_secret_ref(tenant, spec).name);
    if let Some((secret, ca)) = tls_secrets(tenant, spec) {
        out.push(secret);
        out.push(ca.name);
    }
    out.sort();
    out.dedup();
    out
}

/// Every DNS name a client or peer may use to reach the servers, for the certificate:
/// the per-pod headless names (as wildcards, so a new pool needs no new certificate), the
/// io and console Services, each short and fully qualified.
pub fn tls_dns_names(tenant: &str, namespace: &str, cluster_domain: &str) -> Vec<String> {
    let domain = cluster_domain.trim_end_matches('.');
    let mut out = Vec::new();
    for service in [io_service(tenant), console_service(tenant)] {
        out.push(service.clone());
        out.push(format!("{service}.{namespace}"));
        out.push(format!("{service}.{namespace}.svc"));
        out.push(format!("{service}.{namespace}.svc.{domain}"));
    }
    let headless = headless_service(tenant);
    out.push(format!("*.{headless}.{namespace}.svc.{domain}"));
    out.push(format!("*.{headless}.{namespace}.svc"));
    out.push(format!("*.{headless}.{namespace}"));
    out.push(format!("*.{headless}"));
    out
}

/// The CRD's bounds of `servers` and `persistence.volumesPerServer`, which
/// `validate::spec` holds every Tenant to. The builders run before validation, and a Tenant
/// stored under an older or schema-less CRD may carry any i32: they never count past these.
pub const MAX_SERVERS: i32 = 1024;
/// See [`MAX_SERVERS`].
pub const MAX_VOLUMES_PER_SERVER: i32 = 256;

/// The names a certificate must cover for the operator and the servers to work: each
/// server's headless name, as in `RUSTFS_VOLUMES`, and the io Service's FQDN.
pub fn tls_required_names(
    tenant: &str,
    namespace: &str,
    cluster_domain: &str,
    pools: &[crate::api::v1alpha1::Pool],
) -> Vec<String> {
    let domain = cluster_domain.trim_end_matches('.');
    let headless = headless_service(tenant);
    let mut out = vec![format!("{}.{namespace}.svc.{domain}", io_service(tenant))];
    for pool in pools {
        for ordinal in 0..pool.servers.clamp(0, MAX_SERVERS) {
            out.push(format!(
                "{}.{headless}.{namespace}.svc.{domain}",
                pod(tenant, &pool.name, ordinal)
            ));
        }
    }
    out
}

/// The ServiceAccount the pods run as: the user's `serviceAccountName`, or [`service_account`].
pub fn pod_service_account(tenant: &str, spec: &TenantSpec) -> String {
    spec.service_account_name
        .clone()
        .unwrap_or_else(|| service_account(tenant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names() {
        assert_eq!(service_account("t"), "t-sa");
        assert_eq!(role("t"), "t-role");
        assert_eq!(role_binding("t"), "t-rolebinding");
        assert_eq!(io_service("t"), "t-io");
        assert_eq!(console_service("t"), "t-console");
        assert_eq!(headless_service("t"), "t-hl");
        assert_eq!(stateful_set("t", "p0"), "t-p0");
        assert_eq!(pod("t", "p0", 3), "t-p0-3");
        assert_eq!(volume(0), "vol-0");
        assert_eq!(volume_claim("t", "p0", 2, 1), "vol-1-t-p0-2");
        assert_eq!(volume_mount_path("/data", 7), "/data/rustfs7");
    }

    #[test]
    fn pods_use_the_users_account_when_given() {
        let mut spec = TenantSpec::default();
        assert_eq!(pod_service_account("t", &spec), "t-sa");
        spec.service_account_name = Some("mine".into());
        assert_eq!(pod_service_account("t", &spec), "mine");
    }

    #[test]
    fn longest_allowed_names_stay_dns_labels() {
        // The CRD allows a 55-character Tenant and Tenant + pool <= 51 characters.
        let tenant = "t".repeat(55);
        assert!(console_service(&tenant).len() <= 63);
        assert!(io_service(&tenant).len() <= 63);
        assert!(headless_service(&tenant).len() <= 63);
        let (tenant, pool) = ("t".repeat(26), "p".repeat(25));
        // Pod names are DNS labels; ordinals up to 1023 (servers <= 1024 in the CRD).
        assert!(pod(&tenant, &pool, 1023).len() <= 63);
    }
}
