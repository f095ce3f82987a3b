// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The foundation against a real kube-apiserver: the generated CRD installs, prints and
//! explains well, every example is accepted, every invalid example is rejected with the
//! expected message, the CEL transition rules refuse data-losing edits, and the objects the
//! builders render are accepted by server-side apply.

mod support;

use std::time::Duration;

use futures::StreamExt;

use k8s_openapi::NamespaceResourceScope;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::{Resource, ResourceExt};
use local_cluster::{ControlPlane, Options};
use rustfs_operator::api::v1alpha1::{Tenant, TenantStatus};
use rustfs_operator::resources::{BuildContext, desired_objects};
use rustfs_operator::validate::validate_spec;
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
            "NAME", "PHASE", "READY", "AGE", "REASON", "POOLS", "IMAGE", "DRIVES", "OBSERVED"
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
    // Right after the CRD is installed, discovery may not list it yet.
    let pools = support::eventually(
        Duration::from_secs(20),
        "kubectl explain finds the Tenant kind",
        || async {
            cp.kubectl_ok(["explain", "tenant.spec.pools"])
                .map_err(|e| e.to_string())
        },
    )
    .await;
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
    // The layout rules RustFS 1.0.1 imposes are explained where they bite.
    assert!(pools.contains("single-drive Tenant"), "{pools}");
    assert!(pools.contains("can never add a pool"), "{pools}");
    let servers = cp
        .kubectl_ok(["explain", "tenant.spec.pools.servers"])
        .unwrap();
    assert!(servers.contains("factor from"), "{servers}");
    assert!(servers.contains("17, 19, 23"), "{servers}");
    let volumes = cp
        .kubectl_ok(["explain", "tenant.spec.pools.persistence.volumesPerServer"])
        .unwrap();
    assert!(volumes.contains("With 1 server"), "{volumes}");
    assert!(volumes.contains("single-drive Tenant"), "{volumes}");
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
        (
            "tenant.spec.podDeletionPolicyWhenNodeIsDown",
            &[
                "DoNothing",
                "ForceDelete",
                "node.kubernetes.io/out-of-service",
                "--node-down-grace",
            ][..],
        ),
        (
            "tenant.spec.pools.decommission",
            &["RUSTFS_VOLUMES", "PersistentVolumeClaims", "cancels it"][..],
        ),
        (
            "tenant.status.pools.decommission",
            &["objectsMoved", "bytesMoved", "Complete"][..],
        ),
        (
            "tenant.status.storage",
            &[
                "drivesOffline",
                "rawCapacityBytes",
                "offlineDrives",
                "quorum",
                "lastChecked",
            ][..],
        ),
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
        "cannot be removed or renamed while its volumes hold",
    )
    .await;
    // A pool marked for decommission may leave the spec (the operator refuses until the
    // decommission completed: see the real-node tier).
    let mut t = api.get("edits").await.unwrap();
    let mut second = t.spec.pools[0].clone();
    second.name = "drained".into();
    second.decommission = true;
    t.spec.pools.push(second);
    let t = api
        .replace("edits", &PostParams::default(), &t)
        .await
        .unwrap();
    let mut gone = t.clone();
    gone.spec.pools.retain(|p| p.name != "drained");
    api.replace("edits", &PostParams::default(), &gone)
        .await
        .expect("a pool marked decommission: true may leave spec.pools");

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
    assert_eq!(updated.metadata.generation, Some(4));
}

/// A Tenant with a credentials Secret reference and pools of (servers, volumesPerServer).
fn tenant_with_pools(name: &str, pools: &[(i32, i32)]) -> Tenant {
    let pools: Vec<serde_json::Value> = pools
        .iter()
        .enumerate()
        .map(|(i, (servers, volumes))| {
            serde_json::json!({
                "name": format!("pool-{i}"),
                "servers": servers,
                "persistence": {"volumesPerServer": volumes}
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({
        "apiVersion": "rustfs.com/v1alpha1",
        "kind": "Tenant",
        "metadata": {"name": name},
        "spec": {"credsSecret": {"name": "creds"}, "pools": pools}
    }))
    .unwrap()
}

/// The API server's verdict on creating `t`: Ok, or the refusal's text.
async fn create_dry_run(api: &Api<Tenant>, t: &Tenant) -> Result<(), String> {
    api.create(
        &PostParams {
            dry_run: true,
            ..PostParams::default()
        },
        t,
    )
    .await
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// The message of the pool-shape rule and of the single-drive-among-pools rule.
const ERASURE_RULE: &str = "erasure sets of one size from 2 to 16";
const SINGLE_DRIVE_RULE: &str = "with several pools every pool needs at least 2 drives";

#[tokio::test]
async fn cel_layout_rules_accept_exactly_what_the_operator_and_rustfs_accept() {
    let cp = cp();
    let ns = cp.new_namespace("layouts").unwrap();
    let api: Api<Tenant> = Api::namespaced(admin_client(cp).await, &ns);

    // Every one-pool shape up to 40 servers x 20 volumes (covering 17, 19, 23, 29, 31, 37
    // servers and volumes), plus the extremes: the CEL rules and the operator's validation
    // (the mirror of RustFS 1.0.1's layout code, checked against it in validate::layout)
    // give the same verdict on each.
    let mut shapes: Vec<(i32, i32)> = (1..=40)
        .flat_map(|s| (1..=20).map(move |v| (s, v)))
        .collect();
    shapes.extend([
        (1, 256),
        (1, 251),
        (1024, 256),
        (1021, 1),
        (289, 3),
        (34, 1),
        (1, 34),
    ]);
    let started = std::time::Instant::now();
    let verdicts: Vec<_> = futures::stream::iter(shapes.iter().map(|&(s, v)| {
        let api = api.clone();
        async move {
            let t = tenant_with_pools(&format!("l-{s}-{v}"), &[(s, v)]);
            (s, v, create_dry_run(&api, &t).await, t)
        }
    }))
    .buffer_unordered(8)
    .collect()
    .await;
    eprintln!(
        "METRIC apiserver.layout_dry_runs {} in {:.1}s",
        verdicts.len(),
        started.elapsed().as_secs_f64()
    );
    let mut accepted = 0;
    for (s, v, apiserver, t) in verdicts {
        let operator = validate_spec(&t);
        match (&apiserver, &operator) {
            (Ok(()), Ok(())) => accepted += 1,
            (Err(msg), Err(problems)) => {
                assert!(msg.contains(ERASURE_RULE), "{s} x {v}: {msg}");
                assert!(
                    problems
                        .iter()
                        .all(|p| p.field.starts_with("spec.pools[0]"))
                );
            }
            _ => panic!("{s} x {v}: API server {apiserver:?}, operator {operator:?}"),
        }
    }
    // 1 x 17, 1 x 19, and 17, 19, 23, 29, 31, 37 servers with any volumes are refused.
    assert_eq!(accepted, 40 * 20 - 2 - 6 * 20 + 7 - 3, "accepted shapes");

    // A single drive is a Tenant's only pool or nothing.
    assert_eq!(
        create_dry_run(&api, &tenant_with_pools("solo", &[(1, 1)])).await,
        Ok(())
    );
    for pools in [
        vec![(4, 1), (1, 1)],
        vec![(1, 1), (1, 1)],
        vec![(1, 1), (2, 1)],
    ] {
        let t = tenant_with_pools("several", &pools);
        let err = create_dry_run(&api, &t).await.expect_err("refused");
        assert!(err.contains(SINGLE_DRIVE_RULE), "{pools:?}: {err}");
        assert!(validate_spec(&t).is_err(), "{pools:?}");
    }
    // One-server pools of 2 or more volumes may sit beside others.
    for pools in [vec![(1, 2), (2, 1)], vec![(4, 4), (1, 3), (3, 1)]] {
        let t = tenant_with_pools("several", &pools);
        assert_eq!(create_dry_run(&api, &t).await, Ok(()), "{pools:?}");
        assert_eq!(validate_spec(&t), Ok(()), "{pools:?}");
    }
}

#[tokio::test]
async fn a_single_drive_tenant_can_never_add_a_pool() {
    let cp = cp();
    let ns = cp.new_namespace("single-drive").unwrap();
    let api: Api<Tenant> = Api::namespaced(admin_client(cp).await, &ns);
    api.create(
        &PostParams::default(),
        &tenant_with_pools("solo", &[(1, 1)]),
    )
    .await
    .unwrap();
    for added in [(4, 4), (1, 2)] {
        refused_update(
            &api,
            "solo",
            |t| {
                let mut more = tenant_with_pools("x", &[(1, 1), added]).spec.pools;
                t.spec.pools.push(more.remove(1));
            },
            "which RustFS can never expand: remove the added pool",
        )
        .await;
    }
    // The single drive stays what it is: no second volume either.
    refused_update(
        &api,
        "solo",
        |t| t.spec.pools[0].persistence.volumes_per_server = 2,
        "volumesPerServer is immutable",
    )
    .await;

    // A one-server pool of two volumes is erasure-coded and may get a second pool.
    api.create(
        &PostParams::default(),
        &tenant_with_pools("pair", &[(1, 2)]),
    )
    .await
    .unwrap();
    let mut t = api.get("pair").await.unwrap();
    t.spec.pools.push(
        tenant_with_pools("x", &[(1, 2), (2, 1)])
            .spec
            .pools
            .remove(1),
    );
    api.replace("pair", &PostParams::default(), &t)
        .await
        .expect("a second pool beside 1 x 2");
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

#[tokio::test]
async fn kubectl_explain_reads_the_platform_fields() {
    let cp = cp();
    for (path, words) in [
        (
            "tenant.spec.podLabels",
            &["selectors", "rolls the pods"][..],
        ),
        ("tenant.spec.pools.podAnnotations", &["podAnnotations"][..]),
        (
            "tenant.spec.pools.securityContext",
            &["OpenShift", "runAsUser"][..],
        ),
        ("tenant.spec.securityContext", &["{}", "fsGroup"][..]),
        ("tenant.spec.runtimeClassName", &["RuntimeClass"][..]),
        (
            "tenant.spec.terminationGracePeriodSeconds",
            &["SIGKILL"][..],
        ),
        (
            "tenant.spec.services.io",
            &[
                "LoadBalancer",
                "loadBalancerClass",
                "loadBalancerSourceRanges",
            ][..],
        ),
        ("tenant.spec.volumes", &["vol-<n>"][..]),
        ("tenant.spec.volumeMounts", &["/opt/rustfs/tls"][..]),
        ("tenant.spec.initContainers", &["restartPolicy"][..]),
        ("tenant.spec.sidecars", &["9001"][..]),
        ("tenant.spec.imagePullSecret", &["rustfs/operator"][..]),
        ("tenant.spec.mountPath", &["persistence.path"][..]),
        (
            "tenant.status.pools",
            &[
                "volumesResizing",
                "filesystemResizePending",
                "FileSystemResizePending",
            ][..],
        ),
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
async fn platform_rules_accept_the_valid_and_name_the_fix_for_the_invalid() {
    let cp = cp();
    let ns = cp.new_namespace("platform").unwrap();
    let api: Api<Tenant> = Api::namespaced(admin_client(cp).await, &ns);
    let dry = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let body = |name: &str, spec: &serde_json::Value| -> serde_json::Value {
        let mut body = serde_json::to_value(minimal_tenant(name)).unwrap();
        for (k, v) in spec.as_object().unwrap() {
            body["spec"][k] = v.clone();
        }
        body
    };
    let lb = serde_json::json!({"type": "LoadBalancer", "loadBalancerClass": "x/lb",
                                "loadBalancerSourceRanges": ["10.0.0.0/8"],
                                "labels": {"exposure": "public"}, "annotations": {"a": "b"}});
    let valid = [
        serde_json::json!({"podLabels": {"team": "a", "app.kubernetes.io/part-of": "s"},
                           "podAnnotations": {"x": "y"}}),
        serde_json::json!({"services": {"io": lb, "console": {"type": "NodePort"}}}),
        serde_json::json!({"runtimeClassName": "gvisor", "terminationGracePeriodSeconds": 0}),
        serde_json::json!({"volumes": [{"name": "ca", "configMap": {"name": "ca"}}],
                           "volumeMounts": [{"name": "ca", "mountPath": "/etc/ssl/ca"}],
                           "initContainers": [{"name": "init", "image": "busybox"}],
                           "sidecars": [{"name": "logs", "image": "busybox"}]}),
        serde_json::json!({"imagePullSecret": {"name": "reg"}, "mountPath": "/mnt/rustfs"}),
        serde_json::json!({"securityContext": {}, "containerSecurityContext": {}}),
    ];
    for (i, spec) in valid.iter().enumerate() {
        let t: Tenant = serde_json::from_value(body(&format!("ok-{i}"), spec)).unwrap();
        api.create(&dry, &t)
            .await
            .unwrap_or_else(|e| panic!("{spec} refused: {e}"));
    }
    let reserved = "are the operator's (its selectors use them)";
    let invalid = [
        (
            serde_json::json!({"podLabels": {"rustfs.com/tenant": "x"}}),
            reserved,
        ),
        (
            serde_json::json!({"services": {"console": {"labels": {"app.kubernetes.io/managed-by": "me"}}}}),
            reserved,
        ),
        (
            serde_json::json!({"services": {"io": {"loadBalancerClass": "x/lb"}}}),
            "loadBalancerClass is only used with type LoadBalancer",
        ),
        (
            serde_json::json!({"services": {"io": {"type": "NodePort", "loadBalancerSourceRanges": ["10.0.0.0/8"]}}}),
            "loadBalancerSourceRanges is only used with type LoadBalancer",
        ),
        (
            serde_json::json!({"services": {"io": {"type": "ExternalName"}}}),
            "Unsupported value: \"ExternalName\"",
        ),
        (
            serde_json::json!({"sidecars": [{"name": "rustfs", "image": "x"}]}),
            "spec.sidecars[].name: 'rustfs' is the operator's container",
        ),
        (
            serde_json::json!({"initContainers": [{"name": "rustfs", "image": "x"}]}),
            "spec.initContainers[].name: 'rustfs' is the operator's container",
        ),
        (
            serde_json::json!({"volumes": [{"name": "vol-0", "emptyDir": {}}]}),
            "tmp, tls and vol-<n> name the operator's own volumes",
        ),
        (
            serde_json::json!({"mountPath": "data/"}),
            "spec.mountPath must be an absolute path",
        ),
        (
            serde_json::json!({"terminationGracePeriodSeconds": -1}),
            "spec.terminationGracePeriodSeconds",
        ),
    ];
    for (i, (spec, want)) in invalid.iter().enumerate() {
        let out = cp
            .kubectl_stdin(
                ["create", "--dry-run=server", "-n", &ns, "-f", "-"],
                &serde_json::to_string(&body(&format!("bad-{i}"), spec)).unwrap(),
            )
            .expect_err(&format!("{spec} accepted"));
        let msg = out.to_string();
        assert!(msg.contains(want), "{spec}: expected {want:?} in {msg}");
    }
    // Pool level: reserved label keys.
    let mut pool_labels = body("bad-pool", &serde_json::json!({}));
    pool_labels["spec"]["pools"][0]["podLabels"] = serde_json::json!({"rustfs.com/pool": "x"});
    let out = cp
        .kubectl_stdin(
            ["create", "--dry-run=server", "-n", &ns, "-f", "-"],
            &serde_json::to_string(&pool_labels).unwrap(),
        )
        .expect_err("a pool's reserved pod label accepted");
    assert!(out.to_string().contains(reserved), "{out}");
}

/// rustfs/operator's example Tenants under `fieldValidation=Strict`: exactly the migrated ones
/// are accepted, and each kept-out one is refused for the fields docs/migration.md lists.
#[tokio::test]
async fn rustfs_operator_examples_under_strict_field_validation() {
    use support::migration::{KEPT_OUT, MIGRATED, fixture_tenants};
    let cp = cp();
    let ns = cp.new_namespace("migration").unwrap();
    let mut accepted = Vec::new();
    for (file, mut doc) in fixture_tenants() {
        let key = format!("{file}:{}", doc["metadata"]["name"].as_str().unwrap());
        doc["metadata"].as_object_mut().unwrap().remove("namespace");
        let out = cp.kubectl_stdin(
            [
                "create",
                "--dry-run=server",
                "--validate=strict",
                "-n",
                &ns,
                "-f",
                "-",
            ],
            &serde_json::to_string(&doc).unwrap(),
        );
        match out {
            Ok(_) => accepted.push(key),
            Err(e) => {
                let (_, fields, _) = KEPT_OUT
                    .iter()
                    .find(|(k, ..)| *k == key)
                    .unwrap_or_else(|| panic!("{key} refused by the API server: {e}"));
                let msg = e.to_string();
                assert!(msg.contains("unknown field"), "{key}: {msg}");
                let first = fields[0].trim_start_matches('.');
                assert!(msg.contains(first), "{key}: {first} not named in {msg}");
            }
        }
    }
    accepted.sort();
    assert_eq!(accepted, MIGRATED);
    assert_eq!(
        accepted.len(),
        13,
        "13 of rustfs/operator's 16 example Tenants"
    );
}

fn lease_config(ns: &str, identity: &str) -> rustfs_operator::leader::LeaseConfig {
    rustfs_operator::leader::LeaseConfig {
        name: "rustfs-operator".into(),
        namespace: ns.to_owned(),
        identity: identity.to_owned(),
        duration: 3,
        renew_deadline: 2,
        retry_period: 1,
    }
}

async fn lease_holder(api: &Api<k8s_openapi::api::coordination::v1::Lease>) -> Option<String> {
    api.get("rustfs-operator").await.ok()?.spec?.holder_identity
}

#[tokio::test]
async fn two_electors_on_one_lease_have_one_leader_and_the_standby_takes_over() {
    use rustfs_operator::leader::{Elector, Lost};
    use std::time::Instant;
    let cp = cp();
    let ns = cp.new_namespace("lease").unwrap();
    let client = admin_client(cp).await;
    let leases: Api<k8s_openapi::api::coordination::v1::Lease> =
        Api::namespaced(client.clone(), &ns);

    // The first elector runs on a runtime of its own: shutting that runtime down stops its
    // renewals without a release, as a crash (or a frozen process) would.
    let first_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let kubeconfig = cp.kubeconfig_yaml().to_owned();
    let first_ns = ns.clone();
    let (acquired_tx, acquired_rx) = tokio::sync::oneshot::channel();
    first_runtime.spawn(async move {
        let client = support::client_from_yaml(&kubeconfig).await;
        let mut first = Elector::start(client, lease_config(&first_ns, "first"))
            .await
            .unwrap();
        first.acquired().await.unwrap();
        let _ = acquired_tx.send(());
        // Hold on: a lost leadership here would be a bug the test sees as a panic below.
        let lost = first.lost().await;
        panic!("the first elector lost while renewing: {lost}");
    });
    tokio::time::timeout(Duration::from_secs(10), acquired_rx)
        .await
        .expect("the first elector leads within 10 s")
        .unwrap();

    let mut second = Elector::start(client.clone(), lease_config(&ns, "second"))
        .await
        .unwrap();
    // For more than two lease durations the holder renews, and the second stays a standby.
    let renewed_before = leases
        .get("rustfs-operator")
        .await
        .unwrap()
        .spec
        .unwrap()
        .renew_time
        .unwrap();
    let standby = tokio::time::timeout(Duration::from_secs(7), second.acquired()).await;
    assert!(standby.is_err(), "two leaders at once");
    let lease = leases.get("rustfs-operator").await.unwrap().spec.unwrap();
    assert_eq!(lease.holder_identity.as_deref(), Some("first"));
    assert!(
        lease.renew_time.unwrap().0 > renewed_before.0,
        "the holder renews"
    );
    assert_eq!(lease.lease_duration_seconds, Some(3));

    // The holder stops renewing: the standby takes over once the Lease has expired.
    let stopped = Instant::now();
    first_runtime.shutdown_background();
    tokio::time::timeout(Duration::from_secs(10), second.acquired())
        .await
        .expect("the standby takes over within 10 s")
        .unwrap();
    let takeover = stopped.elapsed();
    eprintln!(
        "METRIC lease takeover after the holder stopped: {:.1} s (duration 3 s)",
        takeover.as_secs_f64()
    );
    assert!(takeover <= Duration::from_secs(5), "took {takeover:?}");
    assert_eq!(lease_holder(&leases).await.as_deref(), Some("second"));

    // Someone else takes the Lease: the leader learns it at once, from its watch.
    let watching = tokio::spawn(async move {
        let lost = second.lost().await;
        (lost, Instant::now())
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let taken = Instant::now();
    leases
        .patch(
            "rustfs-operator",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"spec": {
                "holderIdentity": "intruder",
                "renewTime": k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime(
                    k8s_openapi::jiff::Timestamp::now()
                ),
            }})),
        )
        .await
        .unwrap();
    let (lost, at) = tokio::time::timeout(Duration::from_secs(5), watching)
        .await
        .expect("the leader notices within 5 s")
        .unwrap();
    eprintln!(
        "METRIC leader stepped down {} ms after its Lease was taken ({lost})",
        at.duration_since(taken).as_millis()
    );
    assert!(
        matches!(&lost, Lost::TakenOver { holder, .. } if holder == "intruder")
            || matches!(lost, Lost::Vacated { .. }),
        "{lost:?}"
    );
}

#[tokio::test]
async fn node_down_policy_takes_only_its_three_values() {
    let cp = cp();
    let ns = cp.new_namespace("nodedown").unwrap();
    let manifest = |policy: &str| {
        format!(
            "apiVersion: rustfs.com/v1alpha1\nkind: Tenant\nmetadata:\n  name: t\n  namespace: {ns}\n\
             spec:\n  podDeletionPolicyWhenNodeIsDown: {policy}\n  pools:\n    - name: pool-0\n      servers: 1\n\
             \x20     persistence:\n        volumesPerServer: 4\n"
        )
    };
    for policy in ["DoNothing", "Delete", "ForceDelete"] {
        cp.kubectl_stdin(["apply", "--dry-run=server", "-f", "-"], &manifest(policy))
            .unwrap_or_else(|e| panic!("{policy} is accepted: {e}"));
    }
    let err = cp
        .kubectl_stdin(["apply", "--dry-run=server", "-f", "-"], &manifest("Force"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("spec.podDeletionPolicyWhenNodeIsDown")
            && err.contains(r#"Unsupported value: "Force""#)
            && err.contains(r#""ForceDelete""#),
        "{err}"
    );
}
