// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Migration from rustfs/operator: its example Tenants (kept as data under
//! `tests/fixtures/rustfs-operator/`, see docs/migration.md) against our types and checks.
//!
//! Every Tenant there must either parse into our `Tenant` with no field left over and pass
//! `validate_spec`, or be one of [`KEPT_OUT`], refused only for a feature another issue
//! builds. The count is pinned: a regression (or a newly accepted example) fails here, and the
//! same list drives the strict-validation test in `tests/apiserver.rs` and the Ready test in
//! `tests/e2e.rs`.

mod support;

use std::collections::BTreeMap;

use rustfs_operator::api::v1alpha1::Tenant;
use rustfs_operator::validate::{summarize, validate_spec};

use support::migration::{KEPT_OUT, MIGRATED, fixture_tenants, unknown_fields};

#[test]
fn every_rustfs_operator_example_is_accepted_or_kept_out_for_a_listed_feature() {
    let mut accepted = Vec::new();
    let mut refused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (file, value) in fixture_tenants() {
        let name = format!("{file}:{}", value["metadata"]["name"].as_str().unwrap());
        let unknown = unknown_fields(&value);
        if !unknown.is_empty() {
            refused.insert(name, unknown);
            continue;
        }
        let tenant: Tenant = serde_json::from_value(value).unwrap();
        match validate_spec(&tenant) {
            Ok(()) => accepted.push(name),
            Err(problems) => panic!(
                "{file}: Tenant {name} parses but fails validation: {}",
                summarize(&problems)
            ),
        }
    }
    accepted.sort();
    assert_eq!(accepted, MIGRATED, "Tenants accepted as they are");
    let kept_out: BTreeMap<String, Vec<String>> = KEPT_OUT
        .iter()
        .map(|(name, fields, _)| {
            (
                (*name).to_owned(),
                fields.iter().map(|f| (*f).to_owned()).collect(),
            )
        })
        .collect();
    assert_eq!(
        refused, kept_out,
        "Tenants kept out, with the fields that keep them out"
    );
    assert_eq!(
        MIGRATED.len() + KEPT_OUT.len(),
        16,
        "16 example Tenants in 15 files"
    );
}

#[test]
fn only_features_of_other_issues_keep_an_example_out() {
    for (name, fields, why) in KEPT_OUT {
        for field in fields.iter() {
            let other_issue = field.starts_with(".spec.tls.")
                || [".spec.users", ".spec.buckets", ".spec.policies"].contains(field);
            assert!(
                other_issue,
                "{name}: {field} is not a field another issue builds ({why})"
            );
        }
    }
}

#[test]
fn the_openshift_example_renders_no_fixed_ids() {
    let (_, value) = fixture_tenants()
        .into_iter()
        .find(|(_, v)| v["metadata"]["name"] == "rustfs-openshift")
        .expect("openshift-tenant.yaml");
    let mut tenant: Tenant = serde_json::from_value(value).unwrap();
    tenant.metadata.uid = Some("00000000-0000-0000-0000-000000000002".into());
    let objects =
        rustfs_operator::resources::desired_objects(&tenant, &Default::default()).unwrap();
    let yaml = objects.to_yaml().unwrap();
    for key in ["runAsUser", "runAsGroup", "fsGroup:"] {
        assert!(
            !yaml.contains(key),
            "{key} rendered for the OpenShift example:\n{yaml}"
        );
    }
    assert!(yaml.contains("fsGroupChangePolicy: OnRootMismatch"));
    assert!(yaml.contains("runAsNonRoot: true"));
}
