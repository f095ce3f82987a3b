// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Every manifest under `examples/` parses into the operator's own types, with no field the
//! types do not know, and passes (or, under `examples/invalid/`, fails) the operator's
//! validation exactly as its header says.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use rustfs_operator::api::v1alpha1::Tenant;
use rustfs_operator::crd::tenant_crd;
use rustfs_operator::validate::{check_credentials_secret, summarize, validate_spec};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_yaml::Value;

/// The examples users are promised (SPEC section 10, plus the single-drive and TLS ones of
/// issue 11 and the platform-fit one of issue 12), as `examples/<name>-tenant.yaml`.
const REQUIRED: [&str; 13] = [
    "minimal-dev",
    "single-drive-dev",
    "simple",
    "secret-credentials",
    "multi-pool",
    "production-ha",
    "cluster-expansion",
    "hardware-pools",
    "geographic-pools",
    "spot-instance",
    "custom-rbac",
    "tls-cert-manager",
    "platform-fit",
];

const LICENSE: &str =
    "# Copyright 2026 The rustfs-operator Authors.\n# SPDX-License-Identifier: Apache-2.0\n";

/// Messages the API server produces itself (not from our CEL rules).
const APISERVER_BUILTIN: [&str; 1] = ["Duplicate value"];

#[derive(Debug)]
enum Doc {
    Tenant(Box<Tenant>),
    Secret(Box<Secret>),
    ServiceAccount(Box<ServiceAccount>),
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    files
}

/// Deserializes `value` as `T` and checks that serializing it back keeps every field the
/// file had: serde ignores unknown fields, so a misspelt field would otherwise pass unseen.
fn typed<T: DeserializeOwned + serde::Serialize>(value: &Value, file: &Path) -> T {
    let parsed: T = serde_yaml::from_value(value.clone())
        .unwrap_or_else(|e| panic!("{}: does not parse: {e}", file.display()));
    let back = serde_yaml::to_value(&parsed).unwrap();
    if let Err(path) = contained_in(value, &back, String::new()) {
        panic!(
            "{}: field `{path}` is unknown or changed on parsing",
            file.display()
        );
    }
    parsed
}

/// Whether everything in `orig` is present, equal, in `back`. Err names the first path that
/// is not.
fn contained_in(orig: &Value, back: &Value, path: String) -> Result<(), String> {
    match (orig, back) {
        (Value::Mapping(a), Value::Mapping(b)) => {
            for (k, v) in a {
                let key = k.as_str().unwrap_or("?");
                let sub = format!("{path}.{key}");
                let Some(w) = b.get(k) else { return Err(sub) };
                contained_in(v, w, sub)?;
            }
            Ok(())
        }
        (Value::Sequence(a), Value::Sequence(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .try_for_each(|(i, (v, w))| contained_in(v, w, format!("{path}[{i}]"))),
        (a, b) if a == b => Ok(()),
        _ => Err(path),
    }
}

fn parse_docs(file: &Path) -> Vec<Doc> {
    let text = fs::read_to_string(file).unwrap();
    let mut docs = Vec::new();
    for (i, de) in serde_yaml::Deserializer::from_str(&text).enumerate() {
        let value = Value::deserialize(de)
            .unwrap_or_else(|e| panic!("{} doc {i}: not YAML: {e}", file.display()));
        if value.is_null() {
            continue;
        }
        let api_version = value["apiVersion"].as_str().unwrap_or_default();
        let kind = value["kind"].as_str().unwrap_or_default();
        docs.push(match (api_version, kind) {
            ("rustfs.com/v1alpha1", "Tenant") => Doc::Tenant(Box::new(typed(&value, file))),
            ("v1", "Secret") => Doc::Secret(Box::new(typed(&value, file))),
            ("v1", "ServiceAccount") => Doc::ServiceAccount(Box::new(typed(&value, file))),
            _ => panic!(
                "{} doc {i}: unexpected {api_version}/{kind}; examples hold Tenants, Secrets and ServiceAccounts",
                file.display()
            ),
        });
    }
    assert!(!docs.is_empty(), "{}: no documents", file.display());
    docs
}

/// The comment lines of the header, after the license lines.
fn header(file: &Path) -> Vec<String> {
    let text = fs::read_to_string(file).unwrap();
    assert!(
        text.starts_with(LICENSE),
        "{}: must start with the license header",
        file.display()
    );
    text[LICENSE.len()..]
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim().to_owned())
        .collect()
}

fn header_value(file: &Path, key: &str) -> String {
    let prefix = format!("{key}:");
    header(file)
        .iter()
        .find_map(|l| l.strip_prefix(&prefix).map(|v| v.trim().to_owned()))
        .unwrap_or_else(|| panic!("{}: header lacks `# {key}: ...`", file.display()))
}

fn tenants(docs: &[Doc]) -> Vec<&Tenant> {
    docs.iter()
        .filter_map(|d| match d {
            Doc::Tenant(t) => Some(&**t),
            _ => None,
        })
        .collect()
}

#[test]
fn the_required_examples_exist_and_nothing_else() {
    let names: BTreeSet<String> = yaml_files(&examples_dir())
        .iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_str().unwrap();
            stem.strip_suffix("-tenant")
                .unwrap_or_else(|| panic!("{}: name examples `<name>-tenant.yaml`", p.display()))
                .to_owned()
        })
        .collect();
    let required: BTreeSet<String> = REQUIRED.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(names, required);
}

#[test]
fn every_example_is_commented_with_what_it_shows_and_how_to_verify() {
    for file in yaml_files(&examples_dir()) {
        let lines = header(&file);
        let prose = lines.iter().filter(|l| !l.is_empty()).count();
        assert!(
            prose >= 8,
            "{}: header comment too thin ({prose} lines)",
            file.display()
        );
        let text = lines.join("\n");
        assert!(
            text.contains("What it shows") || text.contains("What a pool is"),
            "{}",
            file.display()
        );
        assert!(
            text.contains("kubectl apply -f examples/"),
            "{}: no apply command",
            file.display()
        );
        assert!(
            text.contains("kubectl get tenant"),
            "{}: no verification command",
            file.display()
        );

        let docs = parse_docs(&file);
        for t in tenants(&docs) {
            if t.spec.pools.len() > 1 {
                assert!(
                    text.contains("ONE RustFS cluster"),
                    "{}: multi-pool example must explain that its pools form ONE RustFS cluster",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn every_example_parses_and_passes_validation() {
    for file in yaml_files(&examples_dir()) {
        let docs = parse_docs(&file);
        let ts = tenants(&docs);
        assert_eq!(ts.len(), 1, "{}: one Tenant per example", file.display());
        let t = ts[0];
        if let Err(problems) = validate_spec(t) {
            panic!("{}: {}", file.display(), summarize(&problems));
        }
        // A referenced Secret ships in the same file and holds usable credentials.
        if let Some(creds) = &t.spec.creds_secret {
            let secret = docs.iter().find_map(|d| match d {
                Doc::Secret(s) if s.metadata.name.as_deref() == Some(creds.name.as_str()) => {
                    Some(&**s)
                }
                _ => None,
            });
            assert!(
                secret.is_some(),
                "{}: Secret {} not in the file",
                file.display(),
                creds.name
            );
            if let Err(e) = check_credentials_secret(secret, &creds.name) {
                panic!("{}: {e}", file.display());
            }
        }
        // A user-supplied ServiceAccount ships in the same file.
        if let Some(sa) = &t.spec.service_account_name {
            assert!(
                docs.iter().any(|d| matches!(d, Doc::ServiceAccount(s) if s.metadata.name.as_deref() == Some(sa.as_str()))),
                "{}: ServiceAccount {sa} not in the file",
                file.display()
            );
        }
        // Examples apply to whatever namespace the user picks, Secret and Tenant together.
        for d in &docs {
            let ns = match d {
                Doc::Tenant(x) => &x.metadata.namespace,
                Doc::Secret(x) => &x.metadata.namespace,
                Doc::ServiceAccount(x) => &x.metadata.namespace,
            };
            assert!(
                ns.is_none(),
                "{}: leave metadata.namespace unset",
                file.display()
            );
        }
    }
}

#[test]
fn minimal_dev_is_one_small_server_without_credentials() {
    let file = examples_dir().join("minimal-dev-tenant.yaml");
    let docs = parse_docs(&file);
    assert_eq!(docs.len(), 1, "minimal-dev is a single Tenant");
    let t = tenants(&docs)[0];
    assert_eq!(t.spec.pools.len(), 1);
    let pool = &t.spec.pools[0];
    assert_eq!((pool.servers, pool.persistence.volumes_per_server), (1, 4));
    assert!(t.spec.creds_secret.is_none());
    let storage = pool
        .persistence
        .volume_claim_template
        .as_ref()
        .and_then(|v| v.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .map(|q| q.0.as_str());
    assert_eq!(storage, Some("1Gi"));
}

#[test]
fn single_drive_dev_is_one_server_with_one_volume_rendered_as_a_plain_path() {
    let file = examples_dir().join("single-drive-dev-tenant.yaml");
    let docs = parse_docs(&file);
    let t = tenants(&docs)[0];
    assert_eq!(t.spec.pools.len(), 1);
    let pool = &t.spec.pools[0];
    assert_eq!((pool.servers, pool.persistence.volumes_per_server), (1, 1));
    let volumes = rustfs_operator::resources::env::rustfs_volumes(
        "solo",
        "demo",
        "cluster.local",
        &t.spec.pools,
        "http",
    );
    assert_eq!(volumes, "/data/rustfs0");
    assert!(
        header(&file)
            .join("\n")
            .contains("RUSTFS_VOLUMES=/data/rustfs0"),
        "the header shows what RustFS is given"
    );
}

#[test]
fn every_invalid_example_is_rejected_where_its_header_says() {
    let dir = examples_dir().join("invalid");
    let files = yaml_files(&dir);
    assert!(
        files.len() >= 10,
        "expected the negative examples, found {}",
        files.len()
    );
    let crd = serde_json::to_string(&tenant_crd()).unwrap();
    let mut by = BTreeSet::new();
    for file in files {
        let expect = header_value(&file, "expect");
        let rejected_by = header_value(&file, "rejected-by");
        by.insert(rejected_by.clone());
        let docs = parse_docs(&file);
        let ts = tenants(&docs);
        assert_eq!(
            ts.len(),
            1,
            "{}: one Tenant per negative example",
            file.display()
        );
        let problems =
            validate_spec(ts[0]).expect_err(&format!("{}: passes validate_spec", file.display()));
        let all = summarize(&problems);
        match rejected_by.as_str() {
            "operator" => assert!(
                all.contains(&expect),
                "{}: expected '{expect}' in: {all}",
                file.display()
            ),
            "apiserver" => assert!(
                crd.contains(&expect) || APISERVER_BUILTIN.contains(&expect.as_str()),
                "{}: '{expect}' is no message of the CRD's rules",
                file.display()
            ),
            other => panic!(
                "{}: rejected-by must be apiserver or operator, not {other}",
                file.display()
            ),
        }
    }
    assert_eq!(
        by,
        BTreeSet::from(["apiserver".to_owned(), "operator".to_owned()])
    );
}

#[test]
fn the_unknown_field_check_catches_typos() {
    let typo: Value = serde_yaml::from_str(
        "apiVersion: rustfs.com/v1alpha1\nkind: Tenant\nmetadata: {name: t}\nspec:\n  pools:\n    - name: p\n      servers: 1\n      persistence: {volumesPerSever: 4}\n",
    )
    .unwrap();
    // volumesPerServer is required, so the typo fails to parse outright...
    assert!(serde_yaml::from_value::<Tenant>(typo).is_err());
    // ...and an optional field misspelt parses, but is caught by the round trip.
    let typo: Value = serde_yaml::from_str(
        "apiVersion: rustfs.com/v1alpha1\nkind: Tenant\nmetadata: {name: t}\nspec:\n  pools:\n    - name: p\n      servers: 1\n      nodeSelecter: {a: b}\n      persistence: {volumesPerServer: 4}\n",
    )
    .unwrap();
    let parsed: Tenant = serde_yaml::from_value(typo.clone()).unwrap();
    let back = serde_yaml::to_value(&parsed).unwrap();
    assert_eq!(
        contained_in(&typo, &back, String::new()),
        Err(".spec.pools[0].nodeSelecter".to_owned())
    );
}
