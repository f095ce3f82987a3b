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

//! The RustFS container's environment: `RUSTFS_VOLUMES`, listen addresses, credentials, and
//! the rules for merging the user's `spec.env` into them.
//!
//! Merge rules (also in the `spec.env` field docs):
//! - a user entry with the name of an operator-managed variable replaces it in place;
//! - except the names in [`PROTECTED_ENV`] (the cluster layout and the ports the Services and
//!   probes point at depend on them), and [`CREDENTIAL_ENV`] when `credsSecret` is set (the
//!   Secret wins over env): such user entries are ignored and reported;
//! - a name the user sets twice keeps the last entry (as the kubelet would); the earlier one
//!   is reported as ignored;
//! - order is deterministic: operator variables first in a fixed order, then the remaining
//!   user entries in the user's order.

use std::fmt;

use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, SecretKeySelector};

use super::names;
use crate::api::v1alpha1::{Pool, TenantSpec, is_single_drive};

/// All drives of the cluster, one space-separated entry per pool.
pub const RUSTFS_VOLUMES: &str = "RUSTFS_VOLUMES";
/// S3 API listen address.
pub const RUSTFS_ADDRESS: &str = "RUSTFS_ADDRESS";
/// Console listen address.
pub const RUSTFS_CONSOLE_ADDRESS: &str = "RUSTFS_CONSOLE_ADDRESS";
/// Whether the console is served.
pub const RUSTFS_CONSOLE_ENABLE: &str = "RUSTFS_CONSOLE_ENABLE";
/// Admin access key.
pub const RUSTFS_ACCESS_KEY: &str = "RUSTFS_ACCESS_KEY";
/// Admin secret key.
pub const RUSTFS_SECRET_KEY: &str = "RUSTFS_SECRET_KEY";

/// Internode (RPC) secret, shared by every server.
pub const RUSTFS_RPC_SECRET: &str = "RUSTFS_RPC_SECRET";
/// Directory holding the TLS certificate, key and CA; HTTPS when set.
pub const RUSTFS_TLS_PATH: &str = "RUSTFS_TLS_PATH";
/// Re-read the certificate when it changes on disk.
pub const RUSTFS_TLS_RELOAD_ENABLE: &str = "RUSTFS_TLS_RELOAD_ENABLE";
/// RustFS's log level.
pub const RUSTFS_OBS_LOGGER_LEVEL: &str = "RUSTFS_OBS_LOGGER_LEVEL";
/// OTLP/HTTP endpoint for RustFS's own telemetry.
pub const RUSTFS_OBS_ENDPOINT: &str = "RUSTFS_OBS_ENDPOINT";
/// Keep logging to stdout when OTLP export is on.
pub const RUSTFS_OBS_USE_STDOUT: &str = "RUSTFS_OBS_USE_STDOUT";

/// Key of the access key in the `credsSecret` Secret.
pub const CREDS_ACCESS_KEY: &str = "accesskey";
/// Key of the secret key in the `credsSecret` Secret.
pub const CREDS_SECRET_KEY: &str = "secretkey";

/// Variables a user entry in `spec.env` can never override.
/// The internode secret and the TLS directory are protected too: every server must agree on
/// them, and `spec.rpcSecret` / `spec.tls` set them.
pub const PROTECTED_ENV: &[&str] = &[
    RUSTFS_VOLUMES,
    RUSTFS_ADDRESS,
    RUSTFS_CONSOLE_ADDRESS,
    RUSTFS_RPC_SECRET,
    RUSTFS_TLS_PATH,
];
/// Credential variables; protected as well when `spec.credsSecret` is set.
pub const CREDENTIAL_ENV: &[&str] = &[RUSTFS_ACCESS_KEY, RUSTFS_SECRET_KEY];

/// `RUSTFS_VOLUMES`: one entry per pool, space-separated, with RustFS's three-dot ellipsis:
/// `http://{tenant}-{pool}-{0...S-1}.{tenant}-hl.{ns}.svc.{domain}:9000{path}/rustfs{0...V-1}`
/// (`https://` when TLS is on: internode traffic follows the scheme).
///
/// RustFS splits the value on spaces only and treats each entry as one pool, so every pool of
/// the Tenant — one erasure-coded cluster — appears here, in `spec.pools` order.
///
/// A single-drive Tenant (one pool of 1 server x 1 volume) is the plain path of its one
/// volume mount, `{path}/rustfs0`: RustFS 1.0.1 runs one drive only as one local path without
/// ellipsis (a URL is refused with "use path style endpoint for single node setup", an
/// ellipsis over one drive with "an erasure pool requires at least 2 drive endpoints"; see
/// [`crate::validate::layout`]).
pub fn rustfs_volumes(
    tenant: &str,
    namespace: &str,
    cluster_domain: &str,
    pools: &[Pool],
    scheme: &str,
) -> String {
    if let [only] = pools
        && is_single_drive(pools)
    {
        return names::volume_mount_path(only.mount_root(None), 0);
    }
    let domain = cluster_domain.trim_end_matches('.');
    let headless = names::headless_service(tenant);
    pools
        .iter()
        .map(|pool| {
            format!(
                "{scheme}://{sts}-{{0...{last_server}}}.{headless}.{namespace}.svc.{domain}:{port}{path}/{dir}{{0...{last_volume}}}",
                sts = names::stateful_set(tenant, &pool.name),
                // i64: the reconcile renders before it validates, and a Tenant stored under
                // an older CRD may carry any i32 (i32::MIN - 1 overflowed here).
                last_server = i64::from(pool.servers) - 1,
                port = names::S3_PORT,
                path = pool.mount_root(None),
                dir = names::VOLUME_DIR_PREFIX,
                last_volume = i64::from(pool.persistence.volumes_per_server) - 1,
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The names a user entry may not override for this spec: [`PROTECTED_ENV`], plus
/// [`CREDENTIAL_ENV`] when `credsSecret` is set.
pub fn protected_env_names(spec: &TenantSpec) -> Vec<&'static str> {
    let mut names = PROTECTED_ENV.to_vec();
    if spec.creds_secret.is_some() {
        names.extend_from_slice(CREDENTIAL_ENV);
    }
    names
}

/// The Tenant's pools with each one's mount directory spelt out (the pool's own path, else the
/// Tenant's `mountPath`, else `/data`).
pub fn with_mount_paths(spec: &TenantSpec) -> Vec<Pool> {
    spec.pools
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p.persistence.path = Some(p.mount_root(spec.mount_path.as_deref()).to_owned());
            p
        })
        .collect()
}

/// The variables the operator sets, in their fixed order, before user entries are merged.
pub fn operator_env(
    tenant: &str,
    namespace: &str,
    spec: &TenantSpec,
    cluster_domain: &str,
) -> Vec<EnvVar> {
    let tls = names::tls_secrets(tenant, spec).is_some();
    let scheme = if tls { "https" } else { "http" };
    // `:PORT` binds every address, IPv6 and IPv4, and falls back to IPv4 alone where the
    // pod has no IPv6; `0.0.0.0:PORT` would be IPv4 only.
    let mut env = vec![
        value(
            RUSTFS_VOLUMES,
            rustfs_volumes(
                tenant,
                namespace,
                cluster_domain,
                &with_mount_paths(spec),
                scheme,
            ),
        ),
        value(RUSTFS_ADDRESS, format!(":{}", names::S3_PORT)),
        value(RUSTFS_CONSOLE_ADDRESS, format!(":{}", names::CONSOLE_PORT)),
        value(RUSTFS_CONSOLE_ENABLE, "true".to_owned()),
    ];
    // Never derived from the credentials: a credentials change must not split the cluster.
    let rpc = names::rpc_secret_ref(tenant, spec);
    env.push(from_secret(RUSTFS_RPC_SECRET, &rpc.name, &rpc.key));
    if tls {
        env.push(value(RUSTFS_TLS_PATH, names::TLS_MOUNT_PATH.to_owned()));
        env.push(value(RUSTFS_TLS_RELOAD_ENABLE, "true".to_owned()));
    }
    let logging = spec.logging.clone().unwrap_or_default();
    env.push(value(
        RUSTFS_OBS_LOGGER_LEVEL,
        logging.level.unwrap_or_default().to_string(),
    ));
    if let Some(endpoint) = logging.otlp_endpoint {
        env.push(value(RUSTFS_OBS_ENDPOINT, endpoint));
        env.push(value(RUSTFS_OBS_USE_STDOUT, "true".to_owned()));
    }
    if let Some(secret) = &spec.creds_secret {
        // Values never pass through the operator: the kubelet resolves them.
        env.push(from_secret(
            RUSTFS_ACCESS_KEY,
            &secret.name,
            CREDS_ACCESS_KEY,
        ));
        env.push(from_secret(
            RUSTFS_SECRET_KEY,
            &secret.name,
            CREDS_SECRET_KEY,
        ));
    }
    env
}

/// The container's final env for this Tenant, and the user entries that were ignored.
pub fn container_env(
    tenant: &str,
    namespace: &str,
    spec: &TenantSpec,
    cluster_domain: &str,
) -> EnvMerge {
    merge_env(
        operator_env(tenant, namespace, spec, cluster_domain),
        &spec.env,
        &protected_env_names(spec),
    )
}

/// The user entries of `spec.env` that [`container_env`] ignores, for validation and status
/// warnings. Depends on the spec only.
pub fn ignored_user_env(spec: &TenantSpec) -> Vec<IgnoredEnv> {
    classify(&spec.env, &protected_env_names(spec)).1
}

/// Merge `user` entries into the `operator` ones (see the module docs for the rules).
pub fn merge_env(operator: Vec<EnvVar>, user: &[EnvVar], protected: &[&str]) -> EnvMerge {
    let (kept, ignored) = classify(user, protected);
    let mut used = vec![false; kept.len()];
    let mut env: Vec<EnvVar> = operator
        .into_iter()
        .map(|op| match kept.iter().position(|u| u.name == op.name) {
            Some(i) => {
                used[i] = true;
                kept[i].clone()
            }
            None => op,
        })
        .collect();
    env.extend(
        kept.iter()
            .zip(&used)
            .filter(|(_, used)| !**used)
            .map(|(u, _)| (*u).clone()),
    );
    EnvMerge { env, ignored }
}

/// Split user entries into those that take effect (in order) and those that are ignored.
fn classify<'a>(user: &'a [EnvVar], protected: &[&str]) -> (Vec<&'a EnvVar>, Vec<IgnoredEnv>) {
    let mut kept = Vec::new();
    let mut ignored = Vec::new();
    for (index, entry) in user.iter().enumerate() {
        let name = entry.name.as_str();
        let reason = if protected.contains(&name) {
            Some(if CREDENTIAL_ENV.contains(&name) {
                IgnoredReason::CredentialsFromSecret
            } else {
                IgnoredReason::Protected
            })
        } else {
            user.iter()
                .rposition(|later| later.name == entry.name)
                .filter(|&last| last > index)
                .map(|kept_index| IgnoredReason::Duplicate { kept_index })
        };
        match reason {
            Some(reason) => ignored.push(IgnoredEnv {
                index,
                name: entry.name.clone(),
                reason,
            }),
            None => kept.push(entry),
        }
    }
    (kept, ignored)
}

fn value(name: &str, value: String) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value: Some(value),
        value_from: None,
    }
}

fn from_secret(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value: None,
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.to_owned(),
                key: key.to_owned(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
    }
}

/// Result of merging the user's env into the operator's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EnvMerge {
    /// The container's env, in its final order.
    pub env: Vec<EnvVar>,
    /// User entries that were ignored, in `spec.env` order.
    pub ignored: Vec<IgnoredEnv>,
}

/// One `spec.env` entry the operator ignored. Carries the name only, never the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoredEnv {
    /// Position in `spec.env`.
    pub index: usize,
    /// The variable's name.
    pub name: String,
    /// Why it was ignored.
    pub reason: IgnoredReason,
}

/// Why a `spec.env` entry was ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IgnoredReason {
    /// The name is in [`PROTECTED_ENV`].
    Protected,
    /// A credential variable while `credsSecret` is set: the Secret wins.
    CredentialsFromSecret,
    /// The same name appears later in `spec.env`; the later entry wins.
    Duplicate {
        /// Index of the entry that wins.
        kept_index: usize,
    },
}

impl IgnoredEnv {
    /// Field path of the ignored entry, e.g. `spec.env[2]`.
    pub fn field_path(&self) -> String {
        format!("spec.env[{}]", self.index)
    }
}

impl fmt::Display for IgnoredEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, name) = (self.field_path(), &self.name);
        match self.reason {
            IgnoredReason::Protected => write!(
                f,
                "{path} ({name}) is ignored: the operator sets {name} because the cluster layout depends on it; remove the entry"
            ),
            IgnoredReason::CredentialsFromSecret => write!(
                f,
                "{path} ({name}) is ignored: spec.credsSecret is set and the Secret's credentials win; remove the entry or spec.credsSecret"
            ),
            IgnoredReason::Duplicate { kept_index } => write!(
                f,
                "{path} ({name}) is ignored: spec.env[{kept_index}] sets {name} again and wins; remove one of them"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::fixtures::TenantBuilder;

    fn var(name: &str, v: &str) -> EnvVar {
        value(name, v.to_owned())
    }

    fn get<'a>(env: &'a [EnvVar], name: &str) -> &'a EnvVar {
        env.iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} not in env"))
    }

    fn names(env: &[EnvVar]) -> Vec<&str> {
        env.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn volumes_one_pool() {
        let t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", 4, 4)
            .build();
        assert_eq!(
            rustfs_volumes("t", "ns", "cluster.local", &t.spec.pools, "http"),
            "http://t-p0-{0...3}.t-hl.ns.svc.cluster.local:9000/data/rustfs{0...3}"
        );
    }

    /// Found by the fault suite's generated specs (tests/faults.rs): the builders run
    /// before validation, so out-of-range sizes must render (into a Tenant validation then
    /// refuses), not overflow.
    #[test]
    fn volumes_with_extreme_sizes_render_without_overflow() {
        let t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", i32::MIN, i32::MIN)
            .build();
        assert_eq!(
            rustfs_volumes("t", "ns", "cluster.local", &t.spec.pools, "http"),
            "http://t-p0-{0...-2147483649}.t-hl.ns.svc.cluster.local:9000/data/rustfs{0...-2147483649}"
        );
    }

    #[test]
    fn volumes_two_pools_are_space_separated_in_spec_order() {
        let t = TenantBuilder::new("store")
            .namespace("prod")
            .pool("fast", 4, 2)
            .pool("big", 8, 16)
            .build();
        assert_eq!(
            rustfs_volumes("store", "prod", "cluster.local", &t.spec.pools, "http"),
            "http://store-fast-{0...3}.store-hl.prod.svc.cluster.local:9000/data/rustfs{0...1} \
             http://store-big-{0...7}.store-hl.prod.svc.cluster.local:9000/data/rustfs{0...15}"
        );
    }

    #[test]
    fn volumes_custom_cluster_domain_and_path() {
        let t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", 2, 2)
            .path("/mnt/disks")
            .build();
        assert_eq!(
            rustfs_volumes("t", "ns", "corp.example", &t.spec.pools, "http"),
            "http://t-p0-{0...1}.t-hl.ns.svc.corp.example:9000/mnt/disks/rustfs{0...1}"
        );
        // A trailing dot (absolute DNS name) does not leak into the URL before the port.
        assert_eq!(
            rustfs_volumes("t", "ns", "corp.example.", &t.spec.pools, "http"),
            rustfs_volumes("t", "ns", "corp.example", &t.spec.pools, "http")
        );
    }

    #[test]
    fn volumes_single_server_keeps_the_ellipsis() {
        let t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", 1, 4)
            .build();
        let v = rustfs_volumes("t", "ns", "cluster.local", &t.spec.pools, "http");
        assert_eq!(
            v,
            "http://t-p0-{0...0}.t-hl.ns.svc.cluster.local:9000/data/rustfs{0...3}"
        );
        assert_eq!(v.matches("...").count(), 2);
        assert!(!v.contains("...."));
    }

    #[test]
    fn volumes_single_drive_is_the_plain_mount_path() {
        let t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", 1, 1)
            .path("/mnt/disk")
            .build();
        assert_eq!(
            rustfs_volumes("t", "ns", "cluster.local", &t.spec.pools, "http"),
            "/mnt/disk/rustfs0"
        );
        assert_eq!(
            names::volume_mount_path(t.spec.pools[0].mount_root(None), 0),
            "/mnt/disk/rustfs0",
            "the path is the volume's mount"
        );
    }

    #[test]
    fn volumes_one_server_one_volume_beside_another_pool_keeps_urls() {
        // Refused by validation (RustFS needs 2 drives per pool once there are several), but
        // never rendered as a plain path: RustFS wants an ellipsis in every pool's entry.
        let t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", 1, 1)
            .pool("p1", 2, 1)
            .build();
        assert_eq!(
            rustfs_volumes("t", "ns", "cluster.local", &t.spec.pools, "http"),
            "http://t-p0-{0...0}.t-hl.ns.svc.cluster.local:9000/data/rustfs{0...0} \
             http://t-p1-{0...1}.t-hl.ns.svc.cluster.local:9000/data/rustfs{0...0}"
        );
    }

    #[test]
    fn volumes_one_server_two_volumes_keeps_the_ellipsis() {
        let t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", 1, 2)
            .build();
        assert_eq!(
            rustfs_volumes("t", "ns", "cluster.local", &t.spec.pools, "http"),
            "http://t-p0-{0...0}.t-hl.ns.svc.cluster.local:9000/data/rustfs{0...1}"
        );
    }

    #[test]
    fn operator_env_without_credentials() {
        let t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", 1, 4)
            .build();
        let merged = container_env("t", "ns", &t.spec, "cluster.local");
        assert_eq!(
            names(&merged.env),
            [
                RUSTFS_VOLUMES,
                RUSTFS_ADDRESS,
                RUSTFS_CONSOLE_ADDRESS,
                RUSTFS_CONSOLE_ENABLE,
                RUSTFS_RPC_SECRET,
                RUSTFS_OBS_LOGGER_LEVEL
            ]
        );
        assert_eq!(
            get(&merged.env, RUSTFS_ADDRESS).value.as_deref(),
            Some(":9000")
        );
        assert_eq!(
            get(&merged.env, RUSTFS_CONSOLE_ADDRESS).value.as_deref(),
            Some(":9001")
        );
        assert_eq!(
            get(&merged.env, RUSTFS_CONSOLE_ENABLE).value.as_deref(),
            Some("true")
        );
        assert!(merged.ignored.is_empty());
    }

    #[test]
    fn credentials_come_from_the_secret_by_reference() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .creds("admin-creds")
            .build();
        let merged = container_env("t", "ns", &t.spec, "cluster.local");
        for (name, key) in [
            (RUSTFS_ACCESS_KEY, "accesskey"),
            (RUSTFS_SECRET_KEY, "secretkey"),
        ] {
            let e = get(&merged.env, name);
            assert_eq!(e.value, None, "{name} must not carry a literal value");
            let r = e
                .value_from
                .as_ref()
                .unwrap()
                .secret_key_ref
                .as_ref()
                .unwrap();
            assert_eq!(r.name, "admin-creds");
            assert_eq!(r.key, key);
            assert_eq!(r.optional, Some(false));
        }
    }

    #[test]
    fn user_env_overrides_unprotected_operator_vars_in_place_and_appends_the_rest() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .env("RUSTFS_UNSAFE_BYPASS_DISK_CHECK", "true")
            .env(RUSTFS_CONSOLE_ENABLE, "false")
            .env("A_LAST", "1")
            .build();
        let merged = container_env("t", "ns", &t.spec, "cluster.local");
        assert_eq!(
            names(&merged.env),
            [
                RUSTFS_VOLUMES,
                RUSTFS_ADDRESS,
                RUSTFS_CONSOLE_ADDRESS,
                RUSTFS_CONSOLE_ENABLE,
                RUSTFS_RPC_SECRET,
                RUSTFS_OBS_LOGGER_LEVEL,
                "RUSTFS_UNSAFE_BYPASS_DISK_CHECK",
                "A_LAST"
            ]
        );
        assert_eq!(
            get(&merged.env, RUSTFS_CONSOLE_ENABLE).value.as_deref(),
            Some("false")
        );
        assert!(merged.ignored.is_empty());
    }

    #[test]
    fn protected_user_entries_are_ignored_and_reported() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .env(RUSTFS_VOLUMES, "/data")
            .env("KEEP", "1")
            .env(RUSTFS_ADDRESS, ":80")
            .env(RUSTFS_CONSOLE_ADDRESS, ":81")
            .build();
        let merged = container_env("t", "ns", &t.spec, "cluster.local");
        assert!(
            get(&merged.env, RUSTFS_VOLUMES)
                .value
                .as_deref()
                .unwrap()
                .starts_with("http://t-p0-")
        );
        assert_eq!(
            get(&merged.env, RUSTFS_ADDRESS).value.as_deref(),
            Some(":9000")
        );
        assert_eq!(
            get(&merged.env, RUSTFS_CONSOLE_ADDRESS).value.as_deref(),
            Some(":9001")
        );
        assert_eq!(get(&merged.env, "KEEP").value.as_deref(), Some("1"));
        let ignored: Vec<_> = merged
            .ignored
            .iter()
            .map(|i| (i.index, i.name.as_str(), i.reason))
            .collect();
        assert_eq!(
            ignored,
            [
                (0, RUSTFS_VOLUMES, IgnoredReason::Protected),
                (2, RUSTFS_ADDRESS, IgnoredReason::Protected),
                (3, RUSTFS_CONSOLE_ADDRESS, IgnoredReason::Protected),
            ]
        );
        assert_eq!(ignored_user_env(&t.spec), merged.ignored);
        let msg = merged.ignored[0].to_string();
        assert!(
            msg.starts_with("spec.env[0] (RUSTFS_VOLUMES) is ignored"),
            "{msg}"
        );
    }

    #[test]
    fn user_credentials_apply_only_without_a_secret() {
        let without = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .env(RUSTFS_ACCESS_KEY, "user-access")
            .env(RUSTFS_SECRET_KEY, "user-secret")
            .build();
        let merged = container_env("t", "ns", &without.spec, "cluster.local");
        assert_eq!(
            get(&merged.env, RUSTFS_ACCESS_KEY).value.as_deref(),
            Some("user-access")
        );
        assert!(merged.ignored.is_empty());

        let with = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .env(RUSTFS_ACCESS_KEY, "user-access")
            .env(RUSTFS_SECRET_KEY, "user-secret")
            .creds("s")
            .build();
        let merged = container_env("t", "ns", &with.spec, "cluster.local");
        let access = get(&merged.env, RUSTFS_ACCESS_KEY);
        assert_eq!(access.value, None);
        assert!(access.value_from.is_some());
        assert_eq!(
            merged
                .env
                .iter()
                .filter(|e| e.name == RUSTFS_ACCESS_KEY)
                .count(),
            1
        );
        assert_eq!(
            merged.ignored.iter().map(|i| i.reason).collect::<Vec<_>>(),
            [IgnoredReason::CredentialsFromSecret; 2]
        );
        // Messages name the variable, never its value.
        for i in &merged.ignored {
            let msg = i.to_string();
            assert!(
                !msg.contains("user-access") && !msg.contains("user-secret"),
                "{msg}"
            );
        }
    }

    #[test]
    fn duplicate_user_names_keep_the_last_entry() {
        let user = [var("X", "1"), var("Y", "y"), var("X", "2"), var("X", "3")];
        let merged = merge_env(vec![], &user, PROTECTED_ENV);
        assert_eq!(names(&merged.env), ["Y", "X"]);
        assert_eq!(get(&merged.env, "X").value.as_deref(), Some("3"));
        assert_eq!(
            merged.ignored,
            [
                IgnoredEnv {
                    index: 0,
                    name: "X".into(),
                    reason: IgnoredReason::Duplicate { kept_index: 3 }
                },
                IgnoredEnv {
                    index: 2,
                    name: "X".into(),
                    reason: IgnoredReason::Duplicate { kept_index: 3 }
                },
            ]
        );
    }

    #[test]
    fn merge_is_deterministic() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .env("B", "1")
            .env("A", "2")
            .creds("s")
            .build();
        let a = container_env("t", "ns", &t.spec, "cluster.local");
        let b = container_env("t", "ns", &t.spec, "cluster.local");
        assert_eq!(a, b);
        assert_eq!(
            names(&a.env),
            [
                RUSTFS_VOLUMES,
                RUSTFS_ADDRESS,
                RUSTFS_CONSOLE_ADDRESS,
                RUSTFS_CONSOLE_ENABLE,
                RUSTFS_RPC_SECRET,
                RUSTFS_OBS_LOGGER_LEVEL,
                RUSTFS_ACCESS_KEY,
                RUSTFS_SECRET_KEY,
                "B",
                "A"
            ]
        );
    }

    fn secret_ref(e: &EnvVar) -> (&str, &str) {
        let r = e
            .value_from
            .as_ref()
            .and_then(|v| v.secret_key_ref.as_ref())
            .expect("from a Secret");
        (r.name.as_str(), r.key.as_str())
    }

    #[test]
    fn the_internode_secret_comes_from_the_generated_secret_or_spec_rpc_secret() {
        let mut t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", 4, 1)
            .build();
        let env = container_env("t", "ns", &t.spec, "cluster.local").env;
        assert_eq!(
            secret_ref(get(&env, RUSTFS_RPC_SECRET)),
            ("t-rpc-secret", "rpcsecret")
        );
        t.spec.rpc_secret = Some(crate::api::v1alpha1::SecretKeyRef {
            name: "mine".into(),
            key: "rpc".into(),
        });
        // A user entry cannot override it: every server must agree.
        t.spec.env = vec![EnvVar {
            name: RUSTFS_RPC_SECRET.into(),
            value: Some("literal".into()),
            value_from: None,
        }];
        let merged = container_env("t", "ns", &t.spec, "cluster.local");
        assert_eq!(
            secret_ref(get(&merged.env, RUSTFS_RPC_SECRET)),
            ("mine", "rpc")
        );
        assert_eq!(merged.ignored.len(), 1);
        assert_eq!(merged.ignored[0].reason, IgnoredReason::Protected);
        // Changing the credentials Secret leaves it alone.
        t.spec.creds_secret = Some(crate::api::v1alpha1::CredsSecretRef { name: "c2".into() });
        let env = container_env("t", "ns", &t.spec, "cluster.local").env;
        assert_eq!(secret_ref(get(&env, RUSTFS_RPC_SECRET)), ("mine", "rpc"));
    }

    #[test]
    fn tls_switches_volumes_to_https_and_turns_on_reload() {
        use crate::api::v1alpha1::{TlsMode, TlsSpec};
        let mut t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", 4, 1)
            .build();
        let plain = container_env("t", "ns", &t.spec, "cluster.local").env;
        assert!(
            get(&plain, RUSTFS_VOLUMES)
                .value
                .as_deref()
                .unwrap()
                .starts_with("http://")
        );
        assert!(!names(&plain).contains(&RUSTFS_TLS_PATH));
        t.spec.tls = Some(TlsSpec {
            mode: TlsMode::Secret,
            secret_name: Some("certs".into()),
            ..TlsSpec::default()
        });
        let env = container_env("t", "ns", &t.spec, "cluster.local").env;
        assert_eq!(
            get(&env, RUSTFS_VOLUMES).value.as_deref(),
            Some("https://t-p0-{0...3}.t-hl.ns.svc.cluster.local:9000/data/rustfs{0...0}")
        );
        assert_eq!(
            get(&env, RUSTFS_TLS_PATH).value.as_deref(),
            Some(names::TLS_MOUNT_PATH)
        );
        assert_eq!(
            get(&env, RUSTFS_TLS_RELOAD_ENABLE).value.as_deref(),
            Some("true")
        );
        // Mode disabled is plain HTTP even with a Secret named.
        t.spec.tls.as_mut().unwrap().mode = TlsMode::Disabled;
        let env = container_env("t", "ns", &t.spec, "cluster.local").env;
        assert!(
            get(&env, RUSTFS_VOLUMES)
                .value
                .as_deref()
                .unwrap()
                .starts_with("http://")
        );
    }

    #[test]
    fn logging_defaults_to_info_and_otlp_keeps_stdout() {
        use crate::api::v1alpha1::{LogLevel, LoggingSpec};
        let mut t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", 1, 1)
            .build();
        let env = container_env("t", "ns", &t.spec, "cluster.local").env;
        assert_eq!(
            get(&env, RUSTFS_OBS_LOGGER_LEVEL).value.as_deref(),
            Some("info")
        );
        assert!(!names(&env).contains(&RUSTFS_OBS_ENDPOINT));
        t.spec.logging = Some(LoggingSpec {
            level: Some(LogLevel::Debug),
            otlp_endpoint: Some("http://jaeger:4318".into()),
        });
        let env = container_env("t", "ns", &t.spec, "cluster.local").env;
        assert_eq!(
            get(&env, RUSTFS_OBS_LOGGER_LEVEL).value.as_deref(),
            Some("debug")
        );
        assert_eq!(
            get(&env, RUSTFS_OBS_ENDPOINT).value.as_deref(),
            Some("http://jaeger:4318")
        );
        assert_eq!(
            get(&env, RUSTFS_OBS_USE_STDOUT).value.as_deref(),
            Some("true")
        );
        // No log directory: logs go to stdout only.
        assert!(!names(&env).iter().any(|n| n.contains("LOG_DIRECTORY")));
    }
}
