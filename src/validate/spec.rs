// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Semantic checks of a Tenant's spec (see the module docs of [`crate::validate`]).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::EnvVar;

use super::Problem;
use super::layout::{
    MIN_ERASURE_DRIVES, RUSTFS_ERASURE_SET_DRIVE_COUNT, erasure_set_sizes, is_single_drive,
};
use super::quantity::parse_quantity;
use crate::api::v1alpha1::{Pool, Tenant};

/// Most pools a Tenant may have (same bound as the CRD).
pub const MAX_POOLS: usize = 16;
/// Longest pool name (same bound as the CRD).
pub const MAX_POOL_NAME_LEN: usize = 50;
/// Longest Tenant name: the longest generated Service name, `<tenant>-console`, must stay a
/// 63-character DNS label.
pub const MAX_TENANT_NAME_LEN: usize = 63 - LONGEST_SERVICE_SUFFIX.len();
/// Longest StatefulSet name. The StatefulSet controller labels each revision
/// `controller-revision-hash=<statefulset>-<hash>` (a hash of up to 10 characters) and that
/// label value must fit in 63 characters, so Kubernetes itself caps the name at 52.
pub const MAX_STATEFULSET_NAME_LEN: usize = 52;
/// Bounds of `servers` and `persistence.volumesPerServer` (same as the CRD).
pub use crate::resources::names::{MAX_SERVERS, MAX_VOLUMES_PER_SERVER};
/// Minimum length of RustFS credentials.
pub const MIN_CREDENTIAL_LEN: usize = super::credentials::MIN_CREDENTIAL_LEN;

/// The suffix of the longest Service name the operator derives from the Tenant name.
const LONGEST_SERVICE_SUFFIX: &str = "-console";

/// Environment variable names live with the builders that set them.
pub use crate::resources::env::{
    PROTECTED_ENV, RUSTFS_ACCESS_KEY as ENV_ACCESS_KEY, RUSTFS_SECRET_KEY as ENV_SECRET_KEY,
};
/// RustFS's built-in credentials, used when none are configured.
const RUSTFS_DEFAULT_CREDENTIAL: &str = "rustfsadmin";

/// Checks everything about a Tenant that can be checked without the cluster.
/// Returns every problem found, in field order.
pub fn validate_spec(tenant: &Tenant) -> Result<(), Vec<Problem>> {
    let problems = spec_problems(tenant);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Like [`validate_spec`], as a plain list (empty when the Tenant is valid).
pub fn spec_problems(tenant: &Tenant) -> Vec<Problem> {
    let mut out = Vec::new();
    check_tenant_name(tenant, &mut out);
    check_pools(tenant, &mut out);
    check_env(tenant, &mut out);
    check_set_drive_count(tenant, &mut out);
    check_credentials_configured(tenant, &mut out);
    check_data_path(tenant, &mut out);
    super::platform::check_platform(tenant, &mut out);
    check_decommission(tenant, &mut out);
    out
}

/// `spec.pools[].decommission`: one pool at a time, never the last, never a single drive,
/// and a drained pool cannot come back.
fn check_decommission(tenant: &Tenant, out: &mut Vec<Problem>) {
    let retired = crate::api::v1alpha1::retired_pools(tenant.status.as_ref());
    let pools = &tenant.spec.pools;
    let marked: Vec<(usize, &str)> = pools
        .iter()
        .enumerate()
        .filter(|(_, p)| p.decommission && !retired.contains(&p.name))
        .map(|(i, p)| (i, p.name.as_str()))
        .collect();
    for (i, pool) in pools.iter().enumerate() {
        if retired.contains(&pool.name) && !pool.decommission {
            out.push(Problem::new(
                format!("spec.pools[{i}].decommission"),
                format!(
                    "pool '{}' was drained and has left the cluster; it cannot return: set it back to true, or remove the pool from spec.pools (its PersistentVolumeClaims stay until you delete them); add a new pool to grow",
                    pool.name
                ),
            ));
        }
    }
    let Some(&(first, name)) = marked.first() else {
        return;
    };
    if crate::api::v1alpha1::is_single_drive(pools) {
        out.push(Problem::new(
            format!("spec.pools[{first}].decommission"),
            "a single-drive Tenant has no other pool to move its objects to: set decommission to false",
        ));
        return;
    }
    let serving = pools.iter().filter(|p| !retired.contains(&p.name)).count();
    if marked.len() == serving {
        out.push(Problem::new(
            format!("spec.pools[{first}].decommission"),
            "the last pool cannot be decommissioned: its objects would have nowhere to go; add a pool first, or set decommission to false",
        ));
        return;
    }
    for &(i, other) in &marked[1..] {
        out.push(Problem::new(
            format!("spec.pools[{i}].decommission"),
            format!(
                "one decommission at a time: pool '{name}' is being drained; set decommission on '{other}' after status.pools[].decommission.state of '{name}' is Complete"
            ),
        ));
    }
}

/// `spec.tls` and `spec.logging`: the CRD's rules, repeated.
fn check_data_path(tenant: &Tenant, out: &mut Vec<Problem>) {
    use crate::api::v1alpha1::TlsMode;
    if let Some(tls) = &tenant.spec.tls {
        let secret_mode = tls.mode == TlsMode::Secret;
        let cm_mode = tls.mode == TlsMode::CertManager;
        match (secret_mode, tls.secret_name.is_some()) {
            (true, false) => out.push(Problem::new(
                "spec.tls.secretName",
                "required with mode 'secret': name a kubernetes.io/tls Secret in the Tenant's namespace",
            )),
            (false, true) => out.push(Problem::new(
                "spec.tls.secretName",
                "only used with mode 'secret': remove it, or set mode to 'secret'",
            )),
            _ => {}
        }
        match (cm_mode, tls.cert_manager.is_some()) {
            (true, false) => out.push(Problem::new(
                "spec.tls.certManager",
                "required with mode 'certManager': give at least certManager.issuerRef.name",
            )),
            (false, true) => out.push(Problem::new(
                "spec.tls.certManager",
                "only used with mode 'certManager': remove it, or set mode to 'certManager'",
            )),
            _ => {}
        }
        if let Some(kind) = tls
            .cert_manager
            .as_ref()
            .and_then(|c| c.issuer_ref.kind.as_deref())
            && tls
                .cert_manager
                .as_ref()
                .and_then(|c| c.issuer_ref.group.as_deref())
                .is_none_or(|g| g == "cert-manager.io")
            && kind != "Issuer"
            && kind != "ClusterIssuer"
        {
            out.push(Problem::new(
                "spec.tls.certManager.issuerRef.kind",
                format!("'{kind}' is not a cert-manager issuer kind: use 'Issuer' or 'ClusterIssuer' (or set issuerRef.group for an external issuer)"),
            ));
        }
    }
    if let Some(endpoint) = tenant
        .spec
        .logging
        .as_ref()
        .and_then(|l| l.otlp_endpoint.as_deref())
    {
        let rest = endpoint
            .strip_prefix("http://")
            .or_else(|| endpoint.strip_prefix("https://"));
        let host = rest.map(|r| r.split('/').next().unwrap_or_default());
        if host.is_none_or(str::is_empty) || endpoint.chars().any(char::is_whitespace) {
            out.push(Problem::new(
                "spec.logging.otlpEndpoint",
                format!("'{endpoint}' is not an http:// or https:// URL: use one such as 'http://jaeger-collector.observability:4318'"),
            ));
        }
    }
}

fn check_tenant_name(tenant: &Tenant, out: &mut Vec<Problem>) {
    let field = "metadata.name";
    let name = tenant.metadata.name.as_deref().unwrap_or_default();
    if name.is_empty() {
        out.push(Problem::new(
            field,
            "the Tenant has no name: set metadata.name",
        ));
        return;
    }
    if !is_dns1035_label(name) {
        out.push(Problem::new(
            field,
            format!(
                "'{name}' is not a valid Tenant name: it names Services, so it must start with a lowercase letter, contain only lowercase letters, digits and '-', and end with a letter or digit; rename the Tenant"
            ),
        ));
    }
    if name.len() > MAX_TENANT_NAME_LEN {
        out.push(Problem::new(
            field,
            format!(
                "'{name}' is {} characters; at most {MAX_TENANT_NAME_LEN} are allowed so the generated Service '<name>{LONGEST_SERVICE_SUFFIX}' stays a valid 63-character DNS name: shorten the Tenant name",
                name.len()
            ),
        ));
    }
}

fn check_pools(tenant: &Tenant, out: &mut Vec<Problem>) {
    let pools = &tenant.spec.pools;
    if pools.is_empty() {
        out.push(Problem::new(
            "spec.pools",
            "a Tenant needs at least one pool: add an entry with name, servers and persistence.volumesPerServer",
        ));
        return;
    }
    if pools.len() > MAX_POOLS {
        out.push(Problem::new(
            "spec.pools",
            format!(
                "{} pools given, at most {MAX_POOLS} are supported: merge pools or split the data into several Tenants",
                pools.len()
            ),
        ));
    }
    let tenant_name = tenant.metadata.name.as_deref().unwrap_or_default();
    let mut first_index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, pool) in pools.iter().enumerate() {
        let base = format!("spec.pools[{i}]");
        check_pool_name(tenant_name, pool, i, &base, &mut first_index, out);
        check_pool_size(pool, &base, pools.len(), out);
        check_persistence(pool, &base, out);
    }
    if let Some(path) = tenant.spec.mount_path.as_deref() {
        check_mount_root(path, "spec.mountPath", out);
    }
}

fn check_pool_name<'a>(
    tenant_name: &str,
    pool: &'a Pool,
    index: usize,
    base: &str,
    first_index: &mut BTreeMap<&'a str, usize>,
    out: &mut Vec<Problem>,
) {
    let field = format!("{base}.name");
    let name = pool.name.as_str();
    if name.is_empty() {
        out.push(Problem::new(
            field,
            "the pool has no name: give it a short DNS label such as 'pool-0'",
        ));
        return;
    }
    if !is_dns1123_label(name) {
        out.push(Problem::new(
            &field,
            format!(
                "'{name}' is not a DNS label: use lowercase letters, digits and '-', starting and ending with a letter or digit"
            ),
        ));
    }
    if name.len() > MAX_POOL_NAME_LEN {
        out.push(Problem::new(
            &field,
            format!(
                "'{name}' is {} characters, at most {MAX_POOL_NAME_LEN} are allowed: shorten the pool name",
                name.len()
            ),
        ));
    }
    let sts_len = tenant_name.len() + 1 + name.len();
    if !tenant_name.is_empty() && sts_len > MAX_STATEFULSET_NAME_LEN {
        out.push(Problem::new(
            &field,
            format!(
                "the StatefulSet name '{tenant_name}-{name}' would be {sts_len} characters; Kubernetes allows at most {MAX_STATEFULSET_NAME_LEN} (its revision label appends a hash): shorten the Tenant or pool name so they total at most {} characters",
                MAX_STATEFULSET_NAME_LEN - 1
            ),
        ));
    }
    if let Some(first) = first_index.get(name) {
        out.push(Problem::new(
            field,
            format!(
                "pool name '{name}' is already used by spec.pools[{first}]: pool names must be unique within a Tenant; rename one of them"
            ),
        ));
    } else {
        first_index.insert(name, index);
    }
}

fn check_pool_size(pool: &Pool, base: &str, pool_count: usize, out: &mut Vec<Problem>) {
    let servers = pool.servers;
    let volumes = pool.persistence.volumes_per_server;
    let mut in_range = true;
    if !(1..=MAX_SERVERS).contains(&servers) {
        in_range = false;
        out.push(Problem::new(
            format!("{base}.servers"),
            format!("{servers} servers: must be between 1 and {MAX_SERVERS}; set a value in range"),
        ));
    }
    if !(1..=MAX_VOLUMES_PER_SERVER).contains(&volumes) {
        in_range = false;
        out.push(Problem::new(
            format!("{base}.persistence.volumesPerServer"),
            format!(
                "{volumes} volumes per server: must be between 1 and {MAX_VOLUMES_PER_SERVER}; set a value in range"
            ),
        ));
    }
    if !in_range {
        return;
    }
    let (s, v) = (i64::from(servers), i64::from(volumes));
    if s * v == 1 {
        if pool_count > 1 {
            out.push(Problem::new(
                format!("{base}.persistence.volumesPerServer"),
                format!(
                    "pool '{}' is 1 server x 1 volume, a single drive: RustFS runs a single drive only as a Tenant's only pool (single-node single-drive), and in a Tenant with several pools every pool needs at least {MIN_ERASURE_DRIVES} drives: set volumesPerServer (or servers) to {MIN_ERASURE_DRIVES} or more. A Tenant created as a single drive can never add a pool: remove the added pools and create a new Tenant to grow",
                    pool.name
                ),
            ));
        }
        return;
    }
    if !erasure_set_sizes(s, v).is_empty() {
        return;
    }
    if s > 1 {
        // Only a server count above 16 without a factor in 2..=16 gets here; its neighbours
        // are even, so both work whatever the volumes.
        out.push(Problem::new(
            format!("{base}.servers"),
            format!(
                "{s} servers x {v} volumes: RustFS spreads every erasure set evenly over a pool's servers, so it needs a set size from 2 to 16 that divides the {} drives and divides the server count or is a multiple of it, and {s} has no factor from 2 to 16: use {} or {} servers",
                s * v,
                s - 1,
                s + 1
            ),
        ));
    } else {
        out.push(Problem::new(
            format!("{base}.persistence.volumesPerServer"),
            format!(
                "1 server x {v} volumes = {v} drives cannot be split into equal erasure sets of 2 to 16 drives ({v} has no factor from 2 to 16): use {} or {} volumes per server",
                v - 1,
                v + 1
            ),
        ));
    }
}

/// A literal `RUSTFS_ERASURE_SET_DRIVE_COUNT` in `spec.env` (the last entry wins) must be a
/// number RustFS parses, and a forced size must fit every erasure-coded pool.
fn check_set_drive_count(tenant: &Tenant, out: &mut Vec<Problem>) {
    let Some((index, entry)) = tenant
        .spec
        .env
        .iter()
        .enumerate()
        .rev()
        .find(|(_, e)| e.name == RUSTFS_ERASURE_SET_DRIVE_COUNT)
    else {
        return;
    };
    if entry.value_from.is_some() && entry.value.is_none() {
        return; // from a Secret or ConfigMap: unknown here
    }
    let field = format!("spec.env[{index}].value");
    let raw = entry.value.as_deref().unwrap_or_default();
    // RustFS parses it with `str::parse::<usize>`, untrimmed (disks_layout.rs:126-130).
    let Ok(forced) = raw.parse::<usize>() else {
        out.push(Problem::new(
            field,
            format!(
                "{RUSTFS_ERASURE_SET_DRIVE_COUNT} is '{raw}', not a whole number, and RustFS refuses to start: set an erasure-set size from 2 to 16 that fits every pool, or remove the entry to let RustFS choose"
            ),
        ));
        return;
    };
    if forced == 0 || is_single_drive(&tenant.spec.pools) {
        return;
    }
    let forced = i64::try_from(forced).unwrap_or(i64::MAX);
    for (i, pool) in tenant.spec.pools.iter().enumerate() {
        let (s, v) = (
            i64::from(pool.servers),
            i64::from(pool.persistence.volumes_per_server),
        );
        let sizes = erasure_set_sizes(s, v);
        if sizes.is_empty() || sizes.contains(&forced) {
            continue; // an unusable pool is reported at the pool
        }
        out.push(Problem::new(
            &field,
            format!(
                "{RUSTFS_ERASURE_SET_DRIVE_COUNT}={forced} does not fit spec.pools[{i}] ({s} servers x {v} volumes = {} drives), where RustFS accepts erasure sets of {}: set a size every pool accepts, or remove the entry to let RustFS choose",
                s * v,
                sizes
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
}

fn check_persistence(pool: &Pool, base: &str, out: &mut Vec<Problem>) {
    if let Some(path) = pool.persistence.path.as_deref() {
        check_mount_root(path, &format!("{base}.persistence.path"), out);
    }
    check_claim_template(pool, base, out);
}

/// A directory the drives are mounted under: `persistence.path` or `spec.mountPath`.
fn check_mount_root(path: &str, field: &str, out: &mut Vec<Problem>) {
    let field = field.to_owned();
    if !path.starts_with('/') || path.len() < 2 || path.ends_with('/') {
        out.push(Problem::new(
            &field,
            format!("'{path}' must be an absolute directory without a trailing '/', such as /data"),
        ));
    } else if path.contains(char::is_whitespace)
        || path.contains(['{', '}'])
        || path.contains("...")
    {
        out.push(Problem::new(
            &field,
            format!(
                "'{path}' must not contain spaces, '{{', '}}' or '...': RUSTFS_VOLUMES uses them as separators and ellipsis; choose a plain path such as /data"
            ),
        ));
    } else if path.len() > 200 {
        out.push(Problem::new(
            &field,
            format!(
                "{} characters, at most 200 allowed: use a shorter mount path",
                path.len()
            ),
        ));
    }
}

fn check_claim_template(pool: &Pool, base: &str, out: &mut Vec<Problem>) {
    let Some(vct) = pool.persistence.volume_claim_template.as_ref() else {
        return;
    };
    let vct_base = format!("{base}.persistence.volumeClaimTemplate");
    if let Some(modes) = vct.access_modes.as_ref()
        && modes.is_empty()
    {
        out.push(Problem::new(
            format!("{vct_base}.accessModes"),
            "an empty list gives volumes no access mode: list at least one (ReadWriteOnce for RustFS) or omit the field for the default",
        ));
    }
    let storage = vct
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"));
    if let Some(storage) = storage {
        let field = format!("{vct_base}.resources.requests.storage");
        match parse_quantity(&storage.0) {
            Err(e) => out.push(Problem::new(
                field,
                format!("{e}: write a size such as 10Gi"),
            )),
            Ok(size) if !size.is_positive() => out.push(Problem::new(
                field,
                format!(
                    "'{}' is not a usable volume size: request more than 0, such as 10Gi",
                    storage.0
                ),
            )),
            Ok(_) => {}
        }
    }
}

/// What `spec.env` says about one credential variable (the last entry wins, as in a pod).
enum EnvCredential {
    Absent,
    /// Set from a Secret or ConfigMap: present, but the value is unknown here.
    Referenced,
    /// A literal value (an entry without value and valueFrom is the empty string).
    Literal {
        index: usize,
        len: usize,
        is_default: bool,
    },
}

fn env_credential(env: &[EnvVar], name: &str) -> EnvCredential {
    match env.iter().enumerate().rev().find(|(_, e)| e.name == name) {
        None => EnvCredential::Absent,
        Some((_, e)) if e.value_from.is_some() && e.value.is_none() => EnvCredential::Referenced,
        Some((index, e)) => {
            let value = e.value.as_deref().unwrap_or_default();
            EnvCredential::Literal {
                index,
                len: value.chars().count(),
                is_default: value == RUSTFS_DEFAULT_CREDENTIAL,
            }
        }
    }
}

fn check_env(tenant: &Tenant, out: &mut Vec<Problem>) {
    for (i, entry) in tenant.spec.env.iter().enumerate() {
        if PROTECTED_ENV.contains(&entry.name.as_str()) {
            out.push(Problem::new(
                format!("spec.env[{i}].name"),
                format!(
                    "{} is set by the operator from the Tenant's pools and ports, and overriding it would break the cluster: remove this entry",
                    entry.name
                ),
            ));
        }
    }
    for name in [ENV_ACCESS_KEY, ENV_SECRET_KEY] {
        if let EnvCredential::Literal { index, len, .. } = env_credential(&tenant.spec.env, name)
            && len < MIN_CREDENTIAL_LEN
        {
            out.push(Problem::new(
                format!("spec.env[{index}].value"),
                format!(
                    "{name} is shorter than {MIN_CREDENTIAL_LEN} characters: set a longer value, or better, move the credentials to a Secret referenced by spec.credsSecret"
                ),
            ));
        }
    }
}

fn check_credentials_configured(tenant: &Tenant, out: &mut Vec<Problem>) {
    if tenant.spec.creds_secret.is_some() {
        // The Secret wins over env; its content is checked against the cluster.
        return;
    }
    let access = env_credential(&tenant.spec.env, ENV_ACCESS_KEY);
    let secret = env_credential(&tenant.spec.env, ENV_SECRET_KEY);
    let is_absent = |c: &EnvCredential| matches!(c, EnvCredential::Absent);
    if is_absent(&access) != is_absent(&secret) {
        let (set, missing) = if is_absent(&secret) {
            (ENV_ACCESS_KEY, ENV_SECRET_KEY)
        } else {
            (ENV_SECRET_KEY, ENV_ACCESS_KEY)
        };
        out.push(Problem::new(
            "spec.env",
            format!(
                "{set} is set without {missing}: set both, or use spec.credsSecret (a Secret with keys 'accesskey' and 'secretkey')"
            ),
        ));
    }
}

/// RustFS will run with its well-known default credentials: no `credsSecret`, and `spec.env`
/// sets neither key or sets both to the default. Not an error (a dev Tenant may want it, and
/// the internode secret no longer depends on them), but the status warns with the
/// `DefaultCredentials` condition.
pub fn uses_default_credentials(spec: &crate::api::v1alpha1::TenantSpec) -> bool {
    if spec.creds_secret.is_some() {
        return false;
    }
    let access = env_credential(&spec.env, ENV_ACCESS_KEY);
    let secret = env_credential(&spec.env, ENV_SECRET_KEY);
    let default = |c: &EnvCredential| {
        matches!(
            c,
            EnvCredential::Absent
                | EnvCredential::Literal {
                    is_default: true,
                    ..
                }
        )
    };
    default(&access) && default(&secret)
}

/// RFC 1035 label: what Service names must be.
fn is_dns1035_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[b.len() - 1] != b'-'
}

/// RFC 1123 label: what most object names and label values built from names must be.
fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{
        EnvVarSource, PersistentVolumeClaimSpec, SecretKeySelector, VolumeResourceRequirements,
    };
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

    use super::*;
    use crate::api::v1alpha1::{CredsSecretRef, Persistence, TenantSpec};

    fn pool(name: &str, servers: i32, volumes: i32) -> Pool {
        Pool {
            name: name.into(),
            servers,
            persistence: Persistence {
                volumes_per_server: volumes,
                ..Persistence::default()
            },
            ..Pool::default()
        }
    }

    /// A valid base: 4 servers x 4 volumes with a credentials Secret.
    fn base() -> Tenant {
        Tenant::new(
            "demo",
            TenantSpec {
                pools: vec![pool("pool-0", 4, 4)],
                creds_secret: Some(CredsSecretRef {
                    name: "demo-creds".into(),
                }),
                ..TenantSpec::default()
            },
        )
    }

    fn env(name: &str, value: &str) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: Some(value.into()),
            value_from: None,
        }
    }

    fn env_from_secret(name: &str) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: None,
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: "creds".into(),
                    key: name.to_lowercase(),
                    optional: None,
                }),
                ..EnvVarSource::default()
            }),
        }
    }

    fn storage(t: &mut Tenant, size: &str) {
        t.spec.pools[0].persistence.volume_claim_template = Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".into(), Quantity(size.into()))])),
                limits: None,
            }),
            ..PersistentVolumeClaimSpec::default()
        });
    }

    fn no_creds(t: &mut Tenant) {
        t.spec.creds_secret = None;
    }

    type Mutate = fn(&mut Tenant);

    /// (case, mutation of the valid base, expected field, words the message must contain)
    const INVALID: &[(&str, Mutate, &str, &[&str])] = &[
        (
            "no pools",
            |t| t.spec.pools.clear(),
            "spec.pools",
            &["at least one pool", "add an entry"],
        ),
        (
            "too many pools",
            |t| t.spec.pools = (0..17).map(|i| pool(&format!("p{i}"), 4, 1)).collect(),
            "spec.pools",
            &["17 pools", "at most 16"],
        ),
        (
            "empty pool name",
            |t| t.spec.pools[0].name.clear(),
            "spec.pools[0].name",
            &["no name", "DNS label"],
        ),
        (
            "pool name not a DNS label",
            |t| t.spec.pools[0].name = "Pool_A".into(),
            "spec.pools[0].name",
            &["'Pool_A' is not a DNS label", "lowercase"],
        ),
        (
            "pool name ends with dash",
            |t| t.spec.pools[0].name = "pool-".into(),
            "spec.pools[0].name",
            &["not a DNS label"],
        ),
        (
            "pool name too long",
            |t| {
                t.metadata.name = Some("a".into());
                t.spec.pools[0].name = "p".repeat(51)
            },
            "spec.pools[0].name",
            &["51 characters", "at most 50", "shorten"],
        ),
        (
            "duplicate pool names",
            |t| t.spec.pools.push(pool("pool-0", 4, 4)),
            "spec.pools[1].name",
            &["already used by spec.pools[0]", "unique", "rename"],
        ),
        (
            "tenant name uppercase",
            |t| t.metadata.name = Some("Demo".into()),
            "metadata.name",
            &["'Demo' is not a valid Tenant name", "rename the Tenant"],
        ),
        (
            "tenant name starts with digit",
            |t| t.metadata.name = Some("1demo".into()),
            "metadata.name",
            &["start with a lowercase letter"],
        ),
        (
            "tenant name missing",
            |t| t.metadata.name = None,
            "metadata.name",
            &["set metadata.name"],
        ),
        (
            "tenant name too long",
            |t| t.metadata.name = Some("t".repeat(56)),
            "metadata.name",
            &["56 characters", "at most 55", "-console", "shorten"],
        ),
        (
            "statefulset name too long",
            |t| {
                t.metadata.name = Some("t".repeat(40));
                t.spec.pools[0].name = "p".repeat(12)
            },
            "spec.pools[0].name",
            &["53 characters", "at most 52", "total at most 51"],
        ),
        (
            "zero servers",
            |t| t.spec.pools[0].servers = 0,
            "spec.pools[0].servers",
            &["between 1 and 1024"],
        ),
        (
            "too many servers",
            |t| t.spec.pools[0].servers = 1025,
            "spec.pools[0].servers",
            &["between 1 and 1024"],
        ),
        (
            "zero volumes per server",
            |t| t.spec.pools[0].persistence.volumes_per_server = 0,
            "spec.pools[0].persistence.volumesPerServer",
            &["between 1 and 256"],
        ),
        (
            "a single drive beside another pool",
            |t| t.spec.pools.push(pool("pool-1", 1, 1)),
            "spec.pools[1].persistence.volumesPerServer",
            &[
                "pool 'pool-1' is 1 server x 1 volume, a single drive",
                "only as a Tenant's only pool",
                "at least 2 drives",
                "set volumesPerServer (or servers) to 2 or more",
                "can never add a pool",
            ],
        ),
        (
            "a single-drive Tenant given a second pool",
            |t| t.spec.pools = vec![pool("pool-0", 1, 1), pool("pool-1", 4, 4)],
            "spec.pools[0].persistence.volumesPerServer",
            &["a single drive", "create a new Tenant to grow"],
        ),
        (
            "17 servers x 1 volume",
            |t| t.spec.pools[0] = pool("pool-0", 17, 1),
            "spec.pools[0].servers",
            &[
                "17 servers x 1 volumes",
                "divides the 17 drives",
                "17 has no factor from 2 to 16",
                "use 16 or 18 servers",
            ],
        ),
        (
            "17 servers x 2 volumes (34 drives, sets of 2 not spread evenly)",
            |t| t.spec.pools[0] = pool("pool-0", 17, 2),
            "spec.pools[0].servers",
            &["spreads every erasure set evenly", "use 16 or 18 servers"],
        ),
        (
            "19 servers x 16 volumes",
            |t| t.spec.pools[0] = pool("pool-0", 19, 16),
            "spec.pools[0].servers",
            &["304 drives", "use 18 or 20 servers"],
        ),
        (
            "1 server x 17 volumes",
            |t| t.spec.pools[0] = pool("pool-0", 1, 17),
            "spec.pools[0].persistence.volumesPerServer",
            &[
                "17 drives cannot be split into equal erasure sets of 2 to 16",
                "use 16 or 18 volumes per server",
            ],
        ),
        (
            "error in second pool",
            |t| t.spec.pools.push(pool("pool-1", 23, 1)),
            "spec.pools[1].servers",
            &["use 22 or 24 servers"],
        ),
        (
            "set drive count not a number",
            |t| t.spec.env = vec![env("RUSTFS_ERASURE_SET_DRIVE_COUNT", " 8")],
            "spec.env[0].value",
            &[
                "RUSTFS_ERASURE_SET_DRIVE_COUNT is ' 8', not a whole number",
                "remove the entry",
            ],
        ),
        (
            "set drive count that fits no pool",
            |t| t.spec.env = vec![env("RUSTFS_ERASURE_SET_DRIVE_COUNT", "5")],
            "spec.env[0].value",
            &[
                "RUSTFS_ERASURE_SET_DRIVE_COUNT=5 does not fit spec.pools[0]",
                "4 servers x 4 volumes = 16 drives",
                "erasure sets of 2, 4, 8, 16",
            ],
        ),
        (
            "set drive count that fits one pool of two",
            |t| {
                t.spec.pools.push(pool("pool-1", 3, 2));
                t.spec.env = vec![
                    env("RUSTFS_ERASURE_SET_DRIVE_COUNT", "3"),
                    env("RUSTFS_ERASURE_SET_DRIVE_COUNT", "4"),
                ]
            },
            "spec.env[1].value",
            &["=4 does not fit spec.pools[1]", "erasure sets of 3, 6"],
        ),
        (
            "set drive count wider than the pool",
            |t| {
                t.spec.pools[0] = pool("pool-0", 2, 1);
                t.spec.env = vec![env("RUSTFS_ERASURE_SET_DRIVE_COUNT", "16")]
            },
            "spec.env[0].value",
            &["(2 servers x 1 volumes = 2 drives)", "erasure sets of 2:"],
        ),
        (
            "relative path",
            |t| t.spec.pools[0].persistence.path = Some("data".into()),
            "spec.pools[0].persistence.path",
            &["absolute", "such as /data"],
        ),
        (
            "trailing slash path",
            |t| t.spec.pools[0].persistence.path = Some("/data/".into()),
            "spec.pools[0].persistence.path",
            &["without a trailing '/'"],
        ),
        (
            "root path",
            |t| t.spec.pools[0].persistence.path = Some("/".into()),
            "spec.pools[0].persistence.path",
            &["absolute directory"],
        ),
        (
            "path with a space",
            |t| t.spec.pools[0].persistence.path = Some("/my data".into()),
            "spec.pools[0].persistence.path",
            &["must not contain spaces", "plain path"],
        ),
        (
            "path with an ellipsis",
            |t| t.spec.pools[0].persistence.path = Some("/data{0...3}".into()),
            "spec.pools[0].persistence.path",
            &["'...'"],
        ),
        (
            "overlong path",
            |t| t.spec.pools[0].persistence.path = Some(format!("/{}", "d".repeat(200))),
            "spec.pools[0].persistence.path",
            &["at most 200"],
        ),
        (
            "RUSTFS_VOLUMES in env",
            |t| t.spec.env = vec![env("RUSTFS_VOLUMES", "/x")],
            "spec.env[0].name",
            &["RUSTFS_VOLUMES is set by the operator", "remove this entry"],
        ),
        (
            "RUSTFS_ADDRESS in env",
            |t| t.spec.env = vec![env("TZ", "UTC"), env("RUSTFS_ADDRESS", ":1")],
            "spec.env[1].name",
            &["RUSTFS_ADDRESS", "remove this entry"],
        ),
        (
            "RUSTFS_CONSOLE_ADDRESS in env",
            |t| t.spec.env = vec![env("RUSTFS_CONSOLE_ADDRESS", ":1")],
            "spec.env[0].name",
            &["RUSTFS_CONSOLE_ADDRESS", "remove this entry"],
        ),
        (
            "short access key in env",
            |t| {
                no_creds(t);
                t.spec.env = vec![
                    env("RUSTFS_ACCESS_KEY", "Zq7"),
                    env("RUSTFS_SECRET_KEY", "long-enough-secret"),
                ]
            },
            "spec.env[0].value",
            &["RUSTFS_ACCESS_KEY is shorter than 8", "spec.credsSecret"],
        ),
        (
            "empty secret key in env",
            |t| {
                no_creds(t);
                t.spec.env = vec![
                    env("RUSTFS_ACCESS_KEY", "long-enough"),
                    EnvVar {
                        name: "RUSTFS_SECRET_KEY".into(),
                        ..EnvVar::default()
                    },
                ]
            },
            "spec.env[1].value",
            &["RUSTFS_SECRET_KEY is shorter than 8"],
        ),
        (
            "short env key even with a Secret",
            |t| t.spec.env = vec![env("RUSTFS_SECRET_KEY", "Zq7")],
            "spec.env[0].value",
            &["RUSTFS_SECRET_KEY is shorter"],
        ),
        (
            "only access key in env",
            |t| {
                no_creds(t);
                t.spec.env = vec![env("RUSTFS_ACCESS_KEY", "long-enough")]
            },
            "spec.env",
            &[
                "RUSTFS_ACCESS_KEY is set without RUSTFS_SECRET_KEY",
                "set both",
            ],
        ),
        (
            "only secret key in env",
            |t| {
                no_creds(t);
                t.spec.pools[0] = pool("pool-0", 1, 4);
                t.spec.env = vec![env_from_secret("RUSTFS_SECRET_KEY")]
            },
            "spec.env",
            &["RUSTFS_SECRET_KEY is set without RUSTFS_ACCESS_KEY"],
        ),
        (
            "tls mode secret without secretName",
            |t| {
                t.spec.tls = Some(crate::api::v1alpha1::TlsSpec {
                    mode: crate::api::v1alpha1::TlsMode::Secret,
                    ..Default::default()
                })
            },
            "spec.tls.secretName",
            &["required with mode 'secret'"],
        ),
        (
            "tls mode certManager without certManager",
            |t| {
                t.spec.tls = Some(crate::api::v1alpha1::TlsSpec {
                    mode: crate::api::v1alpha1::TlsMode::CertManager,
                    ..Default::default()
                })
            },
            "spec.tls.certManager",
            &["required with mode 'certManager'", "issuerRef.name"],
        ),
        (
            "tls secretName with mode disabled",
            |t| {
                t.spec.tls = Some(crate::api::v1alpha1::TlsSpec {
                    secret_name: Some("certs".into()),
                    ..Default::default()
                })
            },
            "spec.tls.secretName",
            &["only used with mode 'secret'"],
        ),
        (
            "unknown cert-manager issuer kind",
            |t| {
                t.spec.tls = Some(crate::api::v1alpha1::TlsSpec {
                    mode: crate::api::v1alpha1::TlsMode::CertManager,
                    cert_manager: Some(crate::api::v1alpha1::CertManagerTls {
                        issuer_ref: crate::api::v1alpha1::IssuerRef {
                            name: "ca".into(),
                            kind: Some("Isuer".into()),
                            group: None,
                        },
                        ..Default::default()
                    }),
                    ..Default::default()
                })
            },
            "spec.tls.certManager.issuerRef.kind",
            &[
                "'Isuer' is not a cert-manager issuer kind",
                "'ClusterIssuer'",
            ],
        ),
        (
            "otlp endpoint without a scheme",
            |t| {
                t.spec.logging = Some(crate::api::v1alpha1::LoggingSpec {
                    level: None,
                    otlp_endpoint: Some("jaeger:4318".into()),
                })
            },
            "spec.logging.otlpEndpoint",
            &["is not an http:// or https:// URL"],
        ),
        (
            "unparseable storage",
            |t| storage(t, "10GB"),
            "spec.pools[0].persistence.volumeClaimTemplate.resources.requests.storage",
            &["'10GB' is not a Kubernetes quantity", "such as 10Gi"],
        ),
        (
            "zero storage",
            |t| storage(t, "0Gi"),
            "spec.pools[0].persistence.volumeClaimTemplate.resources.requests.storage",
            &["'0Gi' is not a usable volume size", "more than 0"],
        ),
        (
            "negative storage",
            |t| storage(t, "-1Gi"),
            "spec.pools[0].persistence.volumeClaimTemplate.resources.requests.storage",
            &["more than 0"],
        ),
        (
            "empty access modes",
            |t| {
                storage(t, "1Gi");
                t.spec.pools[0]
                    .persistence
                    .volume_claim_template
                    .as_mut()
                    .unwrap()
                    .access_modes = Some(vec![])
            },
            "spec.pools[0].persistence.volumeClaimTemplate.accessModes",
            &["list at least one", "ReadWriteOnce"],
        ),
    ];

    const VALID: &[(&str, Mutate)] = &[
        ("base", |_| {}),
        ("single server with default credentials", |t| {
            no_creds(t);
            t.spec.pools[0] = pool("pool-0", 1, 4)
        }),
        // The internode secret no longer derives from the credentials, so a cluster forms
        // with the defaults (the status warns with DefaultCredentials).
        ("multi-server without credentials", no_creds),
        (
            "multi-server over two single-server pools, no credentials",
            |t| {
                no_creds(t);
                t.spec.pools = vec![pool("a", 1, 4), pool("b", 1, 4)]
            },
        ),
        ("default credentials in env, multi-server", |t| {
            no_creds(t);
            t.spec.env = vec![
                env("RUSTFS_ACCESS_KEY", "rustfsadmin"),
                env("RUSTFS_SECRET_KEY", "rustfsadmin"),
            ]
        }),
        ("tls from a secret", |t| {
            t.spec.tls = Some(crate::api::v1alpha1::TlsSpec {
                mode: crate::api::v1alpha1::TlsMode::Secret,
                secret_name: Some("certs".into()),
                ..Default::default()
            })
        }),
        ("tls from cert-manager with an external issuer", |t| {
            t.spec.tls = Some(crate::api::v1alpha1::TlsSpec {
                mode: crate::api::v1alpha1::TlsMode::CertManager,
                cert_manager: Some(crate::api::v1alpha1::CertManagerTls {
                    issuer_ref: crate::api::v1alpha1::IssuerRef {
                        name: "vault".into(),
                        kind: Some("VaultIssuer".into()),
                        group: Some("example.com".into()),
                    },
                    ..Default::default()
                }),
                ..Default::default()
            })
        }),
        ("otlp over https", |t| {
            t.spec.logging = Some(crate::api::v1alpha1::LoggingSpec {
                level: Some(crate::api::v1alpha1::LogLevel::Warn),
                otlp_endpoint: Some("https://otel.example:4318/base".into()),
            })
        }),
        ("2 servers x 2 volumes", |t| {
            t.spec.pools[0] = pool("pool-0", 2, 2)
        }),
        ("3 servers x 2 volumes", |t| {
            t.spec.pools[0] = pool("pool-0", 3, 2)
        }),
        ("16 servers x 1 volume", |t| {
            t.spec.pools[0] = pool("pool-0", 16, 1)
        }),
        ("single drive (1 x 1) as the only pool", |t| {
            no_creds(t);
            t.spec.pools[0] = pool("pool-0", 1, 1)
        }),
        ("1 server x 2 volumes", |t| {
            t.spec.pools[0] = pool("pool-0", 1, 2)
        }),
        ("2 servers x 1 volume", |t| {
            t.spec.pools[0] = pool("pool-0", 2, 1)
        }),
        ("3 servers x 1 volume", |t| {
            t.spec.pools[0] = pool("pool-0", 3, 1)
        }),
        ("1 server x 2 volumes beside a 2 x 1 pool", |t| {
            t.spec.pools = vec![pool("a", 1, 2), pool("b", 2, 1)]
        }),
        ("34 servers x 1 volume (sets of 2)", |t| {
            t.spec.pools[0] = pool("pool-0", 34, 1)
        }),
        ("1 server x 34 volumes (sets of 2)", |t| {
            t.spec.pools[0] = pool("pool-0", 1, 34)
        }),
        ("set drive count that fits", |t| {
            t.spec.env = vec![env("RUSTFS_ERASURE_SET_DRIVE_COUNT", "8")]
        }),
        ("set drive count 0 (RustFS chooses)", |t| {
            t.spec.pools[0] = pool("pool-0", 3, 1);
            t.spec.env = vec![env("RUSTFS_ERASURE_SET_DRIVE_COUNT", "0")]
        }),
        ("set drive count on a single drive", |t| {
            t.spec.pools[0] = pool("pool-0", 1, 1);
            t.spec.env = vec![env("RUSTFS_ERASURE_SET_DRIVE_COUNT", "4")]
        }),
        ("set drive count from a Secret", |t| {
            t.spec.env = vec![env_from_secret("RUSTFS_ERASURE_SET_DRIVE_COUNT")]
        }),
        ("1024 servers x 256 volumes", |t| {
            t.spec.pools[0] = pool("pool-0", 1024, 256)
        }),
        ("16 distinct pools", |t| {
            t.spec.pools = (0..16).map(|i| pool(&format!("p{i}"), 4, 1)).collect()
        }),
        ("pool name starting with a digit", |t| {
            t.spec.pools[0].name = "0pool".into()
        }),
        ("longest names", |t| {
            t.metadata.name = Some("t".repeat(50));
            t.spec.pools[0].name = "p".into()
        }),
        ("longest pool name", |t| {
            t.metadata.name = Some("t".into());
            t.spec.pools[0].name = "p".repeat(50)
        }),
        ("custom mount path", |t| {
            t.spec.pools[0].persistence.path = Some("/mnt/disks".into())
        }),
        ("multi-server with env credentials", |t| {
            no_creds(t);
            t.spec.env = vec![
                env("RUSTFS_ACCESS_KEY", "admin-user"),
                env("RUSTFS_SECRET_KEY", "12345678"),
            ]
        }),
        ("multi-server with env credentials from a Secret", |t| {
            no_creds(t);
            t.spec.env = vec![
                env_from_secret("RUSTFS_ACCESS_KEY"),
                env_from_secret("RUSTFS_SECRET_KEY"),
            ]
        }),
        ("last env entry wins", |t| {
            no_creds(t);
            t.spec.env = vec![
                env("RUSTFS_ACCESS_KEY", "x"),
                env("RUSTFS_ACCESS_KEY", "admin-user"),
                env("RUSTFS_SECRET_KEY", "12345678"),
            ]
        }),
        ("other env overrides allowed", |t| {
            t.spec.env = vec![
                env("RUSTFS_CONSOLE_ENABLE", "false"),
                env("RUST_LOG", "debug"),
            ]
        }),
        ("small storage", |t| storage(t, "1Gi")),
        ("decimal storage", |t| storage(t, "500M")),
        ("template without storage request", |t| {
            t.spec.pools[0].persistence.volume_claim_template =
                Some(PersistentVolumeClaimSpec::default())
        }),
    ];

    #[test]
    fn every_invalid_case_is_reported_at_its_field_with_the_fix() {
        for (case, mutate, field, words) in INVALID {
            let mut t = base();
            mutate(&mut t);
            let problems = validate_spec(&t).expect_err(case);
            let hit = problems
                .iter()
                .find(|p| p.field == *field)
                .unwrap_or_else(|| panic!("{case}: no problem at {field}; got {problems:#?}"));
            for w in *words {
                assert!(hit.message.contains(w), "{case}: '{w}' not in '{hit}'");
            }
        }
    }

    #[test]
    fn every_valid_case_passes() {
        for (case, mutate) in VALID {
            let mut t = base();
            mutate(&mut t);
            assert_eq!(validate_spec(&t), Ok(()), "{case}");
        }
    }

    #[test]
    fn all_problems_are_returned_at_once() {
        let mut t = base();
        t.metadata.name = Some("Bad".into());
        t.spec.creds_secret = None;
        t.spec.pools = vec![pool("a", 1, 1), pool("a", 17, 1)];
        t.spec.env = vec![env("RUSTFS_VOLUMES", "x")];
        t.spec.logging = Some(crate::api::v1alpha1::LoggingSpec {
            level: None,
            otlp_endpoint: Some("jaeger:4318".into()),
        });
        let fields: Vec<String> = validate_spec(&t)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "metadata.name",
                "spec.pools[0].persistence.volumesPerServer",
                "spec.pools[1].name",
                "spec.pools[1].servers",
                "spec.env[0].name",
                "spec.logging.otlpEndpoint",
            ]
        );
    }

    #[test]
    fn env_credential_values_never_appear_in_messages() {
        let mut t = base();
        no_creds(&mut t);
        t.spec.env = vec![
            env("RUSTFS_ACCESS_KEY", "Qx#7"),
            env("RUSTFS_SECRET_KEY", "Wv#9k"),
        ];
        let text = super::super::summarize(&validate_spec(&t).unwrap_err());
        assert!(!text.contains("Qx#7") && !text.contains("Wv#9k"), "{text}");
        assert_eq!(text.matches("shorter than 8").count(), 2, "{text}");
    }

    #[test]
    fn name_limits_match_kubernetes() {
        assert_eq!(MAX_TENANT_NAME_LEN, 55);
        assert!(is_dns1035_label("a-1") && !is_dns1035_label("1a") && !is_dns1035_label("a-"));
        assert!(is_dns1123_label("1a") && !is_dns1123_label("-a") && !is_dns1123_label("a.b"));
        assert!(!is_dns1123_label(&"a".repeat(64)));
    }

    fn retired(t: &mut Tenant, pool: &str) {
        use crate::api::v1alpha1::{
            DecommissionState, DecommissionStatus, PoolStatus, TenantStatus,
        };
        t.status
            .get_or_insert_with(TenantStatus::default)
            .pools
            .push(PoolStatus {
                name: pool.into(),
                decommission: Some(DecommissionStatus {
                    state: DecommissionState::Complete,
                    ..DecommissionStatus::default()
                }),
                ..PoolStatus::default()
            });
    }

    #[test]
    fn decommission_keeps_one_pool_one_drain_at_a_time_and_no_return() {
        use crate::resources::fixtures::TenantBuilder;
        let two = || {
            TenantBuilder::new("t")
                .pool("a", 4, 1)
                .pool("b", 4, 1)
                .creds("t-creds")
                .build()
        };
        let fields = |t: &Tenant| -> Vec<String> {
            spec_problems(t)
                .into_iter()
                .filter(|p| p.field.ends_with(".decommission"))
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect()
        };
        let mut t = two();
        t.spec.pools[0].decommission = true;
        assert_eq!(fields(&t), Vec::<String>::new(), "one of two pools drains");

        t.spec.pools[1].decommission = true;
        let got = fields(&t);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with("spec.pools[0].decommission: the last pool"),
            "{got:?}"
        );

        let mut t = TenantBuilder::new("t")
            .pool("a", 4, 1)
            .pool("b", 4, 1)
            .pool("c", 4, 1)
            .creds("t-creds")
            .build();
        t.spec.pools[0].decommission = true;
        t.spec.pools[2].decommission = true;
        let got = fields(&t);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with("spec.pools[2].decommission: one decommission at a time: pool 'a'"),
            "{got:?}"
        );
        // Once 'a' completed, 'c' may drain; 'b' must stay.
        retired(&mut t, "a");
        assert_eq!(fields(&t), Vec::<String>::new());
        t.spec.pools[1].decommission = true;
        assert!(fields(&t)[0].contains("the last pool"));

        // A drained pool cannot come back.
        let mut t = two();
        retired(&mut t, "a");
        let got = fields(&t);
        assert!(
            got[0].starts_with("spec.pools[0].decommission: pool 'a' was drained"),
            "{got:?}"
        );

        // A single drive has nowhere to go.
        let mut t = TenantBuilder::new("t")
            .pool("a", 1, 1)
            .creds("t-creds")
            .build();
        t.spec.pools[0].decommission = true;
        assert!(fields(&t)[0].contains("single-drive"));
    }
}
