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

use crate::api::v1alpha1::TenantSpec;

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
