// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The foundation against a real kube-apiserver: the generated CRD installs, prints and
//! explains well, every example is accepted, every invalid example is rejected with the
//! expected message, the CEL transition rules refuse data-losing edits, and the objects the
//! builders render are accepted by server-side apply.

mod support;

use std::time::Duration;

use k8s_openapi::NamespaceResourceScope;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::{Resource, ResourceExt};
use local_cluster::{ControlPlane, Options};
use rustfs_operator::api::v1alpha1::{Tenant, TenantStatus};
use rustfs_operator::resources::{BuildContext, desired_objects};
use serde::Serialize;
use serde::de::DeserializeOwned;

use support::{admin_client, header, invalid_example_files, read};

fn cp() -> &'static ControlPlane {
    support::cluster(Options::apiserver_only())
}

fn minimal_tenant(name: &str) -> Tenant {
    let mut t: Tenant = serde_yaml::from_str(&read("examples/minimal-dev-tenant.yaml"))
        .expect("minimal-dev example parses");
    t.metadata.name = Some(name.to_owned());
    t.metadata.namespace = None;
    t
}

#[tokio::test]
async fn printer_columns_show_phase_and_wide_details() {
    let cp = cp();
    let ns = cp.new_namespace("columns").unwrap();
    let client = admin_client(cp).await;
    let api: Api<Tenant> = Api::namespaced(client, &ns);
    let created = api
        .create(&PostParams::default(), &minimal_tenant("cols"))
        .await
        .unwrap();
    let mut with_status = created.clone();
    with_status.status = Some(TenantStatus {
        phase: Some(machine::Phase::RollingOut),
        reason: Some("RolloutInProgress".into()),
        ready: Some("0/1".into()),
        pools_ready: Some("0/1".into()),
        image: Some("rustfs/rustfs:test".into()),
        observed_generation: Some(1),
        ..TenantStatus::default()
    });
    api.replace_status("cols", &PostParams::default(), &with_status)
        .await
        .unwrap();

    let plain = cp.kubectl_ok(["get", "tenant", "-n", &ns]).unwrap();
    let head: Vec<&str> = plain.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(head, ["NAME", "PHASE", "READY", "AGE"], "{plain}");
    assert!(
        plain.contains("RollingOut") && plain.contains("0/1"),
        "{plain}"
    );

    let wide = cp
        .kubectl_ok(["get", "tenant", "-n", &ns, "-o", "wide"])
        .unwrap();
    let head: Vec<&str> = wide.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        head,
        [
            "NAME", "PHASE", "READY", "AGE", "REASON", "POOLS", "IMAGE", "OBSERVED"
        ],
        "{wide}"
    );
    for want in ["RolloutInProgress", "rustfs/rustfs:test"] {
        assert!(wide.contains(want), "{want} missing from:\n{wide}");
    }
    // The short name works too.
    let short = cp.kubectl_ok(["get", "tenant/cols", "-n", &ns]).unwrap();
    assert!(short.contains("cols"));
}

#[tokio::test]
async fn kubectl_explain_reads_the_field_docs() {
    let cp = cp();
    let pools = cp.kubectl_ok(["explain", "tenant.spec.pools"]).unwrap();
    assert!(pools.contains("ONE RustFS cluster"), "{pools}");
    for field in ["servers", "persistence", "nodeSelector", "tolerations"] {
        assert!(pools.contains(field), "{field} missing from:\n{pools}");
    }
    let persistence = cp
        .kubectl_ok(["explain", "tenant.spec.pools.persistence"])
        .unwrap();
    assert!(persistence.contains("volumesPerServer"), "{persistence}");
    assert!(persistence.contains("Immutable"), "{persistence}");
    let status = cp
        .kubectl_ok(["explain", "tenant.status.transitions"])
        .unwrap();
    assert!(status.contains("traceId"), "{status}");
    // The data path's fields.
    for (path, words) in [
        ("tenant.spec.rpcSecret", &["internode", "never rotates"][..]),
        (
            "tenant.spec.tls",
            &["certManager", "secretName", "caSecret"][..],
        ),
        (
            "tenant.spec.tls.certManager.issuerRef",
            &["ClusterIssuer"][..],
        ),
        ("tenant.spec.logging", &["otlpEndpoint", "stdout"][..]),
        ("tenant.status.tls", &["notAfter", "dnsNames"][..]),
    ] {
        let text = cp.kubectl_ok(["explain", path]).unwrap();
        for w in words {
            assert!(
                text.contains(w),
                "{w} missing from `kubectl explain {path}`:\n{text}"
            );
        }
    }
}

#[tokio::test]
async fn data_path_rules_accept_the_valid_and_name_the_fix_for_the_invalid() {
    let cp = cp();
    let ns = cp.new_namespace("datapath").unwrap();
    let api: Api<Tenant> = Api::namespaced(admin_client(cp).await, &ns);
    let dry = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let with = |name: &str, spec: serde_json::Value| -> Tenant {
        let mut t = minimal_tenant(name);
        let mut value = serde_json::to_value(&t.spec).unwrap();
        for (k, v) in spec.as_object().unwrap() {
            value[k] = v.clone();
        }
        t.spec = serde_json::from_value(value).unwrap();
        t
    };
    let valid = [
        serde_json::json!({"tls": {"mode": "disabled"}}),
        serde_json::json!({"tls": {"mode": "secret", "secretName": "certs"}}),
        serde_json::json!({"tls": {"mode": "secret", "secretName": "certs",
                                   "caSecret": {"name": "certs", "key": "tls.crt"}}}),
        serde_json::json!({"tls": {"mode": "certManager", "certManager": {
            "issuerRef": {"name": "ca", "kind": "ClusterIssuer"},
            "duration": "2160h", "renewBefore": "360h30m"}}}),
        serde_json::json!({"logging": {"level": "debug", "otlpEndpoint": "http://jaeger:4318"}}),
        serde_json::json!({"rpcSecret": {"name": "rpc", "key": "value"}}),
    ];
    for (i, spec) in valid.iter().enumerate() {
        api.create(&dry, &with(&format!("ok-{i}"), spec.clone()))
            .await
            .unwrap_or_else(|e| panic!("{spec} refused: {e}"));
    }
    let invalid = [
        (
            serde_json::json!({"tls": {"mode": "secret"}}),
            "spec.tls.secretName is required with mode 'secret'",
        ),
        (
            serde_json::json!({"tls": {"mode": "certManager"}}),
            "spec.tls.certManager is required with mode 'certManager'",
        ),
        (
            serde_json::json!({"tls": {"mode": "disabled", "secretName": "certs"}}),
            "spec.tls.secretName is only used with mode 'secret'",
        ),
        (
            serde_json::json!({"tls": {"mode": "secret", "secretName": "c",
                                       "certManager": {"issuerRef": {"name": "ca"}}}}),
            "spec.tls.certManager is only used with mode 'certManager'",
        ),
        (
            serde_json::json!({"tls": {"mode": "certManager", "certManager": {
                "issuerRef": {"name": "ca"}, "duration": "90 days"}}}),
            "spec.tls.certManager.duration must be a Go duration",
        ),
        (
            serde_json::json!({"tls": {"mode": "certManager", "certManager": {
                "issuerRef": {"name": "ca"}, "renewBefore": "1d"}}}),
            "spec.tls.certManager.renewBefore must be a Go duration",
        ),
        (
            serde_json::json!({"logging": {"otlpEndpoint": "jaeger:4318"}}),
            "spec.logging.otlpEndpoint must be an http:// or https:// URL",
        ),
        (
            serde_json::json!({"logging": {"level": "verbose"}}),
            "Unsupported value: \"verbose\"",
        ),
        (
            serde_json::json!({"rpcSecret": {"name": "rpc", "key": ""}}),
            "spec.rpcSecret.key",
        ),
    ];
    for (i, (spec, want)) in invalid.iter().enumerate() {
        // Sent as JSON so that values the Rust types cannot hold (a bad enum) reach the API.
        let mut body = serde_json::to_value(minimal_tenant(&format!("bad-{i}"))).unwrap();
        for (k, v) in spec.as_object().unwrap() {
            body["spec"][k] = v.clone();
        }
        let out = cp
            .kubectl_stdin(
                ["create", "--dry-run=server", "-n", &ns, "-f", "-"],
                &serde_json::to_string(&body).unwrap(),
            )
            .expect_err(&format!("{spec} accepted"));
        let msg = out.to_string();
        assert!(msg.contains(want), "{spec}: expected {want:?} in {msg}");
    }
}

#[tokio::test]
async fn every_example_is_accepted_by_server_side_dry_run() {
    let cp = cp();
    let ns = cp.new_namespace("examples").unwrap();
    let files = support::example_files();
    assert!(
        files.len() >= 10,
        "expected the 10 examples, found {files:?}"
    );
    for file in files {
        let out = cp
            .kubectl([
                "apply",
                "--server-side",
                "--dry-run=server",
                "-n",
                &ns,
                "-f",
                file.to_str().unwrap(),
            ])
            .unwrap();
        assert!(
            out.status.success(),
            "{} was rejected: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn invalid_examples_are_rejected_where_they_say() {
    let cp = cp();
    let ns = cp.new_namespace("invalid").unwrap();
    let mut by_apiserver = 0;
    for file in invalid_example_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let expect = header(&text, "expect").expect("invalid example has # expect:");
        let rejected_by = header(&text, "rejected-by").expect("# rejected-by:");
        // `kubectl create`, as a user would first submit it.
        let out = cp
            .kubectl([
                "create",
                "--dry-run=server",
                "-n",
                &ns,
                "-f",
                file.to_str().unwrap(),
            ])
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match rejected_by.as_str() {
            "apiserver" => {
                by_apiserver += 1;
                assert!(
                    !out.status.success(),
                    "{} was accepted by the API server",
                    file.display()
                );
                assert!(
                    stderr.contains(&expect),
                    "{}: expected {expect:?} in:\n{stderr}",
                    file.display()
                );
            }
            // The CRD cannot express these; the operator's validation catches them (the
            // end-to-end tests show the Failed status), so the API server must accept them.
            "operator" => assert!(
                out.status.success(),
                "{} should pass the API server and fail in the operator, but: {stderr}",
                file.display()
            ),
            other => panic!("{}: unknown rejected-by {other}", file.display()),
        }
    }
    assert!(by_apiserver >= 5, "too few API-server negative cases");
}

/// Creates a Tenant, then tries `edit` on it and expects the update rejected with `want`.
async fn refused_update(api: &Api<Tenant>, name: &str, edit: impl Fn(&mut Tenant), want: &str) {
    let mut t = api.get(name).await.unwrap();
    edit(&mut t);
    let err = api
        .replace(name, &PostParams::default(), &t)
        .await
        .expect_err("the API server must refuse this update");
    let msg = err.to_string();
    assert!(msg.contains(want), "expected {want:?} in {msg}");
}

#[tokio::test]
async fn cel_transition_rules_refuse_data_losing_edits() {
    let cp = cp();
    let ns = cp.new_namespace("transitions").unwrap();
    let api: Api<Tenant> = Api::namespaced(admin_client(cp).await, &ns);
    let mut t = minimal_tenant("edits");
    t.spec.pools[0].persistence.volume_claim_template = Some(
        serde_json::from_value(serde_json::json!({
            "storageClassName": "fast",
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}}
        }))
        .unwrap(),
    );
    api.create(&PostParams::default(), &t).await.unwrap();

    refused_update(
        &api,
        "edits",
        |t| t.spec.pools[0].persistence.volumes_per_server = 8,
        "volumesPerServer is immutable",
    )
    .await;
    refused_update(
        &api,
        "edits",
        |t| t.spec.pools[0].servers = 2,
        "servers is immutable",
    )
    .await;
    refused_update(
        &api,
        "edits",
        |t| {
            t.spec.pools[0]
                .persistence
                .volume_claim_template
                .as_mut()
                .unwrap()
                .storage_class_name = Some("slow".into())
        },
        "storageClassName is immutable",
    )
    .await;
    refused_update(
        &api,
        "edits",
        |t| {
            let mut renamed = t.spec.pools[0].clone();
            renamed.name = "renamed".into();
            t.spec.pools = vec![renamed];
        },
        "cannot be removed or renamed",
    )
    .await;

    // Allowed: a new image, and a new pool next to the old one.
    let mut t = api.get("edits").await.unwrap();
    t.spec.image = Some("rustfs/rustfs:other".into());
    let mut second = t.spec.pools[0].clone();
    second.name = "pool-1".into();
    t.spec.pools.push(second);
    let updated = api
        .replace("edits", &PostParams::default(), &t)
        .await
        .unwrap();
    assert_eq!(updated.spec.pools.len(), 2);
    assert_eq!(updated.metadata.generation, Some(2));
}

async fn dry_run_apply<K>(client: &kube::Client, obj: &K)
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>,
    K: Clone + Serialize + DeserializeOwned + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(client.clone(), &obj.namespace().unwrap());
    let params = PatchParams::apply("rustfs-operator").dry_run();
    if let Err(e) = api
        .patch(&obj.name_any(), &params, &Patch::Apply(obj))
        .await
    {
        panic!("{} {} rejected: {e}", K::kind(&()), obj.name_any());
    }
}

#[tokio::test]
async fn rendered_objects_of_every_example_apply_cleanly() {
    let cp = cp();
    let ns = cp.new_namespace("render").unwrap();
    let client = admin_client(cp).await;
    let tenants: Api<Tenant> = Api::namespaced(client.clone(), &ns);
    let mut rendered = 0;
    for file in support::example_files() {
        for doc in serde_yaml::Deserializer::from_str(&read(&file)) {
            let value = serde_yaml::Value::deserialize(doc).unwrap();
            if value["kind"].as_str() != Some("Tenant") {
                continue;
            }
            let mut t: Tenant = serde_yaml::from_value(value).unwrap();
            t.metadata.namespace = None;
            // Created for real so owner references carry a real uid.
            let t = tenants.create(&PostParams::default(), &t).await.unwrap();
            let objs = desired_objects(&t, &BuildContext::default()).unwrap();
            if let Some(o) = &objs.service_account {
                dry_run_apply(&client, o).await;
            }
            if let Some(o) = &objs.role {
                dry_run_apply(&client, o).await;
            }
            if let Some(o) = &objs.role_binding {
                dry_run_apply(&client, o).await;
            }
            for o in &objs.services {
                dry_run_apply(&client, o).await;
            }
            for o in &objs.stateful_sets {
                dry_run_apply(&client, &o.stateful_set).await;
                dry_run_apply(&client, &o.disruption_budget).await;
            }
            rendered += 1;
        }
    }
    assert!(rendered >= 10, "rendered {rendered} tenants");
    let _ = Duration::ZERO;
}

use serde::Deserialize;
