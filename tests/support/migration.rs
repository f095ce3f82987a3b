// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! rustfs/operator's example Tenants (`tests/fixtures/rustfs-operator/`) and what this
//! operator makes of them: the one list the pure, API-server and end-to-end migration tests
//! share, and that docs/migration.md describes.

use std::path::PathBuf;

use rustfs_operator::api::v1alpha1::Tenant;
use serde::Deserialize;
use serde_json::Value;

/// Tenants (`file:name`) accepted as they are: parsed with no field left over, valid, accepted
/// by the API server under strict field validation, and Ready on the kwok tier.
pub const MIGRATED: [&str; 13] = [
    "cluster-expansion-tenant.yaml:expanding-storage",
    "custom-rbac-tenant.yaml:cloud-identity-tenant",
    "custom-rbac-tenant.yaml:custom-rbac-tenant",
    "geographic-pools-tenant.yaml:global-storage",
    "hardware-pools-tenant.yaml:multi-disk-config",
    "minimal-dev-tenant.yaml:dev-minimal",
    "multi-pool-tenant.yaml:multi-pool-tenant",
    "openshift-tenant.yaml:rustfs-openshift",
    "production-ha-tenant.yaml:production-storage",
    "secret-credentials-tenant.yaml:secure-tenant",
    "simple-tenant.yaml:example-tenant",
    "spot-instance-tenant.yaml:cost-optimized",
    "tenant-4nodes.yaml:example-tenant",
];

/// Tenants kept out, the fields that keep them out, and the issue that builds them.
pub const KEPT_OUT: [(&str, &[&str], &str); 3] = [
    (
        "cert-manager-ca-trust-tenant.yaml:cert-manager-ca-trust",
        &[
            ".spec.tls.certManager.caTrust",
            ".spec.tls.certManager.certificateName",
            ".spec.tls.certManager.dnsNames",
            ".spec.tls.certManager.includeGeneratedDnsNames",
            ".spec.tls.certManager.manageCertificate",
            ".spec.tls.certManager.secretName",
            ".spec.tls.certManager.usages",
            ".spec.tls.enableInternodeHttps",
            ".spec.tls.mountPath",
            ".spec.tls.requireSanMatch",
            ".spec.tls.rotationStrategy",
        ],
        "TLS settings beyond one Secret or one operator-made Certificate",
    ),
    (
        "multi-cert-tls-tenant.yaml:multi-cert-tls",
        &[
            ".spec.tls.caTrust",
            ".spec.tls.certificates",
            ".spec.tls.enableInternodeHttps",
            ".spec.tls.mountPath",
            ".spec.tls.requireSanMatch",
            ".spec.tls.rotationStrategy",
        ],
        "TLS with several certificates chosen by SNI",
    ),
    (
        "provisioning-tenant.yaml:provisioning-demo",
        &[".spec.buckets", ".spec.policies", ".spec.users"],
        "users, buckets and policies provisioned by the operator",
    ),
];

/// The fixture files, sorted.
pub fn fixture_files() -> Vec<PathBuf> {
    let dir = super::repo_path("tests/fixtures/rustfs-operator");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

/// Every document of every fixture file, as JSON, with its file name.
pub fn fixture_docs() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for file in fixture_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for de in serde_yaml::Deserializer::from_str(&text) {
            let doc: Value = Value::deserialize(de).unwrap();
            if !doc.is_null() {
                out.push((name.clone(), doc));
            }
        }
    }
    out
}

/// The Tenants among [`fixture_docs`].
pub fn fixture_tenants() -> Vec<(String, Value)> {
    fixture_docs()
        .into_iter()
        .filter(|(_, d)| d["kind"] == "Tenant")
        .collect()
}

/// The first fields of `tenant` (JSON) that our `Tenant` type does not keep on a round
/// trip, at most one per field path: unknown to us, or changed on parsing.
pub fn unknown_fields(tenant: &Value) -> Vec<String> {
    let Ok(parsed) = serde_json::from_value::<Tenant>(tenant.clone()) else {
        return vec!["<does not parse>".into()];
    };
    let back = serde_json::to_value(&parsed).unwrap();
    let mut out = Vec::new();
    missing(tenant, &back, String::new(), &mut out);
    out
}

fn missing(orig: &Value, back: &Value, path: String, out: &mut Vec<String>) {
    match (orig, back) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let sub = format!("{path}.{k}");
                match b.get(k) {
                    Some(w) => missing(v, w, sub, out),
                    None => out.push(sub),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                missing(v, w, format!("{path}[{i}]"), out);
            }
        }
        (a, b) if a == b => {}
        _ => out.push(path),
    }
}
