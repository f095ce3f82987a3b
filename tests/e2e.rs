// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! End to end on the full local control plane (kube-apiserver, kube-controller-manager,
//! kube-scheduler, kwok fake nodes, Jaeger): the operator runs as its own process under the
//! ServiceAccount and RBAC from `deploy/`, one operator and one namespace per test.

mod support;

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Secret, Service};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use local_cluster::{ControlPlane, Options};
use machine::Phase;
use rustfs_operator::api::v1alpha1::Tenant;
use serde_json::json;

use support::operator::{Operator, OperatorOptions};
use support::{admin_client, eventually};

fn cp() -> &'static ControlPlane {
    support::cluster(Options::full())
}

/// What every test starts from: its own namespace on the shared control plane, an admin
/// client, and an operator watching only that namespace.
struct Scene {
    cp: &'static ControlPlane,
    ns: String,
    client: kube::Client,
    op: Operator,
    api: Api<Tenant>,
}

impl Scene {
    async fn start(prefix: &str, options: OperatorOptions) -> Scene {
        let cp = cp();
        let ns = cp.new_namespace(prefix).unwrap();
        let client = admin_client(cp).await;
        let op = Operator::start(cp, &ns, options);
        let api = Api::namespaced(client.clone(), &ns);
        Scene {
            cp,
            ns,
            client,
            op,
            api,
        }
    }
}

const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// A Tenant of `servers` servers x 4 volumes, with credentials when `secret` is given.
fn tenant(name: &str, servers: i32, secret: Option<&str>) -> Tenant {
    let mut spec = json!({
        "pools": [{
            "name": "pool-0",
            "servers": servers,
            "persistence": {
                "volumesPerServer": 4,
                "volumeClaimTemplate": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}
                }
            }
        }]
    });
    if let Some(s) = secret {
        spec["credsSecret"] = json!({"name": s});
    }
    serde_json::from_value(json!({
        "apiVersion": "rustfs.com/v1alpha1",
        "kind": "Tenant",
        "metadata": {"name": name},
        "spec": spec,
    }))
    .unwrap()
}

fn creds_secret(name: &str) -> Secret {
    serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name},
        "stringData": {"accesskey": "e2e-admin-user", "secretkey": "e2e-admin-password"}
    }))
    .unwrap()
}

async fn wait_phase(api: &Api<Tenant>, name: &str, phase: Phase, timeout: Duration) -> Tenant {
    eventually(
        timeout,
        &format!("Tenant {name} in phase {phase}"),
        || async {
            let t = api.get(name).await.map_err(|e| e.to_string())?;
            let status = t.status.clone().unwrap_or_default();
            if status.phase == Some(phase) && status.observed_generation == t.metadata.generation {
                Ok(t)
            } else {
                Err(format!(
                    "phase {:?} reason {:?} message {:?} observed {:?} generation {:?}",
                    status.phase,
                    status.reason,
                    status.message,
                    status.observed_generation,
                    t.metadata.generation
                ))
            }
        },
    )
    .await
}

fn condition<'a>(
    t: &'a Tenant,
    type_: &str,
) -> Option<&'a k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition> {
    t.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
}

fn phases_seen(t: &Tenant) -> Vec<(Phase, Phase)> {
    t.status
        .as_ref()
        .map(|s| s.transitions.iter().map(|r| (r.from, r.to)).collect())
        .unwrap_or_default()
}

async fn events_for(client: &kube::Client, ns: &str, name: &str) -> Vec<(String, String)> {
    let api: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(client.clone(), ns);
    api.list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name))
        .map(|e| (e.reason.unwrap_or_default(), e.note.unwrap_or_default()))
        .collect()
}

async fn event_reasons(client: &kube::Client, ns: &str, name: &str) -> Vec<String> {
    events_for(client, ns, name)
        .await
        .into_iter()
        .map(|(reason, _)| reason)
        .collect()
}

#[tokio::test]
async fn tenant_goes_from_validating_to_ready() {
    let Scene {
        cp,
        ns,
        client,
        op: _op,
        api,
    } = Scene::start("ready", OperatorOptions::default()).await;

    let started = Instant::now();
    api.create(&PostParams::default(), &tenant("t", 1, None))
        .await
        .unwrap();
    let t = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    eprintln!(
        "METRIC apply-to-Ready seconds: {:.1}",
        started.elapsed().as_secs_f64()
    );

    assert_eq!(
        phases_seen(&t),
        [
            (Phase::Validating, Phase::CredentialsCheck),
            (Phase::CredentialsCheck, Phase::Provisioning),
            (Phase::Provisioning, Phase::RollingOut),
            (Phase::RollingOut, Phase::Ready),
        ]
    );
    let status = t.status.clone().unwrap();
    assert_eq!(status.ready.as_deref(), Some("1/1"));
    assert_eq!(status.available_replicas, 1);
    assert_eq!(
        status.pools[0].state,
        rustfs_operator::api::v1alpha1::PoolState::Ready
    );
    for (type_, want) in [
        ("Ready", "True"),
        ("Progressing", "False"),
        ("Degraded", "False"),
        ("SpecValid", "True"),
        ("ResourcesApplied", "True"),
    ] {
        let c = condition(&t, type_).unwrap_or_else(|| panic!("condition {type_} missing"));
        assert_eq!(c.status, want, "condition {type_}: {c:?}");
        assert_eq!(c.observed_generation, t.metadata.generation);
    }

    // What the operator made: owned by the Tenant, one of each.
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let all = sts.list(&ListParams::default()).await.unwrap().items;
    assert_eq!(all.len(), 1);
    let owner = &all[0].metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!((owner.kind.as_str(), owner.name.as_str()), ("Tenant", "t"));
    let svcs: Api<Service> = Api::namespaced(client.clone(), &ns);
    let mut names: Vec<String> = svcs
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|s| s.metadata.name)
        .collect();
    names.sort();
    assert_eq!(names, ["t-console", "t-hl", "t-io"]);
    let pdbs: Api<k8s_openapi::api::policy::v1::PodDisruptionBudget> =
        Api::namespaced(client.clone(), &ns);
    let pdb = pdbs
        .get("t-pool-0")
        .await
        .expect("the pool's PodDisruptionBudget");
    let pdb_spec = pdb.spec.unwrap();
    assert_eq!(
        pdb_spec.max_unavailable,
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(1))
    );

    let wide = cp
        .kubectl_ok(["get", "tenant", "t", "-n", &ns, "-o", "wide"])
        .unwrap();
    let row: Vec<&str> = wide.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(row[1], "Ready", "{wide}");
    assert_eq!(row[2], "1/1", "{wide}");

    let reasons = event_reasons(&client, &ns, "t").await;
    assert!(
        reasons.iter().any(|r| r == "AllPoolsReady"),
        "events: {reasons:?}"
    );
}

#[tokio::test]
async fn invalid_spec_fails_naming_the_field_then_recovers_when_fixed() {
    let Scene {
        cp,
        ns,
        client,
        op,
        api,
    } = Scene::start("invalid", OperatorOptions::default()).await;

    // An access key in env without its secret key: the CRD cannot see this, the operator
    // must.
    let mut half = tenant("t", 2, None);
    half.spec.env = vec![
        serde_json::from_value(json!({"name": "RUSTFS_ACCESS_KEY", "value": "half-set-admin"}))
            .unwrap(),
    ];
    api.create(&PostParams::default(), &half).await.unwrap();
    let t = wait_phase(&api, "t", Phase::Failed, Duration::from_secs(60)).await;
    let spec_valid = condition(&t, "SpecValid").expect("SpecValid condition");
    assert_eq!(spec_valid.status, "False");
    assert!(
        spec_valid.message.contains("spec.env")
            && spec_valid
                .message
                .contains("RUSTFS_ACCESS_KEY is set without RUSTFS_SECRET_KEY"),
        "{spec_valid:?}"
    );
    let status = t.status.clone().unwrap();
    assert!(status.message.unwrap().contains("spec validation failed"));
    let ready = condition(&t, "Ready").unwrap();
    assert_eq!(ready.status, "False");
    // Failed waits for the user: no retry storm of reconciles, status writes or events.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let writes = support::audited_writes(cp, support::OPERATOR_USER, &ns).len();
    let reconciles = support::metric_sum(&op.metrics(), "rustfs_operator_reconciles_total", &[]);
    tokio::time::sleep(Duration::from_secs(6)).await;
    let more =
        support::metric_sum(&op.metrics(), "rustfs_operator_reconciles_total", &[]) - reconciles;
    assert!(more <= 2.0, "{more} reconciles in 6 s while Failed");
    let new_writes = &support::audited_writes(cp, support::OPERATOR_USER, &ns)[writes..];
    assert!(new_writes.is_empty(), "writes while Failed: {new_writes:?}");
    // Nothing was created for an invalid spec.
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    assert!(
        sts.list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );

    // The fix: a Secret and a reference to it (the Secret wins over env).
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    secrets
        .create(&PostParams::default(), &creds_secret("creds"))
        .await
        .unwrap();
    api.patch(
        "t",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"credsSecret": {"name": "creds"}}})),
    )
    .await
    .unwrap();
    let t = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    assert_eq!(condition(&t, "SpecValid").unwrap().status, "True");
    assert_eq!(t.status.unwrap().ready.as_deref(), Some("2/2"));
}

#[tokio::test]
async fn missing_secret_waits_and_a_new_secret_moves_on_at_once() {
    let Scene {
        cp: _,
        ns,
        client,
        op: _op,
        api,
    } = Scene::start("secret", OperatorOptions::default()).await;

    api.create(&PostParams::default(), &tenant("t", 2, Some("creds")))
        .await
        .unwrap();
    let t = wait_phase(&api, "t", Phase::CredentialsCheck, Duration::from_secs(60)).await;
    let status = t.status.clone().unwrap();
    assert_eq!(status.reason.as_deref(), Some("CredentialsSecretMissing"));
    assert!(status.message.unwrap().contains("creds"));
    let c = condition(&t, "CredentialsValid").unwrap();
    assert_eq!(c.status, "False");

    // The credentials class requeues after 60 s; the Secret watch must not wait for that.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let created = Instant::now();
    secrets
        .create(&PostParams::default(), &creds_secret("creds"))
        .await
        .unwrap();
    let t = eventually(
        Duration::from_secs(50),
        "leaving CredentialsCheck",
        || async {
            let t = api.get("t").await.map_err(|e| e.to_string())?;
            match t.status.as_ref().and_then(|s| s.phase) {
                Some(Phase::CredentialsCheck) | None => Err("still waiting".into()),
                Some(_) => Ok(t),
            }
        },
    )
    .await;
    let reacted = created.elapsed();
    eprintln!(
        "METRIC secret-created-to-progress seconds: {:.1}",
        reacted.as_secs_f64()
    );
    assert!(
        reacted < Duration::from_secs(30),
        "took {reacted:?}: the Secret watch did not wake the Tenant"
    );
    assert_eq!(condition(&t, "CredentialsValid").unwrap().status, "True");
    wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;

    // The Secret deleted under a running Tenant: the next pod start would fail, so the
    // status says so at once (the pods keep running); a new Secret brings it back.
    secrets
        .delete("creds", &DeleteParams::default())
        .await
        .unwrap();
    let t = wait_phase(&api, "t", Phase::CredentialsCheck, Duration::from_secs(30)).await;
    assert_eq!(
        t.status.as_ref().unwrap().reason.as_deref(),
        Some("CredentialsSecretMissing")
    );
    assert_eq!(condition(&t, "CredentialsValid").unwrap().status, "False");
    secrets
        .create(&PostParams::default(), &creds_secret("creds"))
        .await
        .unwrap();
    let t = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    assert_eq!(condition(&t, "CredentialsValid").unwrap().status, "True");

    // An unusable Secret is reported without its value.
    let events = events_for(&client, &ns, "t").await;
    assert!(
        events
            .iter()
            .all(|(_, note)| !note.contains("e2e-admin-password"))
    );
}

#[tokio::test]
async fn lost_pod_degrades_then_recovers() {
    let Scene {
        cp,
        ns,
        client,
        op: _op,
        api,
    } = Scene::start("degraded", OperatorOptions::default()).await;
    // The Tenant lives on one node of its own (by label), so cordoning that node keeps a
    // lost pod from coming back until the test says so: the Degraded phase lasts long
    // enough to be seen, whatever the machine's speed. Other tests' pods use the other nodes.
    let node = cp.nodes().last().expect("kwok nodes").clone();
    cp.kubectl_ok([
        "label",
        "node",
        &node,
        "--overwrite",
        &format!("e2e-degraded={ns}"),
    ])
    .unwrap();
    Api::<Secret>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &creds_secret("creds"))
        .await
        .unwrap();
    let mut t = tenant("t", 2, Some("creds"));
    t.spec.pools[0].scheduling.node_selector =
        Some([("e2e-degraded".to_owned(), ns.clone())].into());
    // Both servers on the one node: no spreading preference may get in the way.
    t.spec.pools[0].scheduling.affinity = Some(Default::default());
    api.create(&PostParams::default(), &t).await.unwrap();
    wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;

    cp.kubectl_ok(["cordon", &node]).unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    pods.delete("t-pool-0-1", &DeleteParams::default().grace_period(0))
        .await
        .unwrap();
    let degraded = wait_phase(&api, "t", Phase::Degraded, Duration::from_secs(60)).await;
    let status = degraded.status.clone().unwrap();
    assert_eq!(status.ready.as_deref(), Some("1/2"));
    assert_eq!(condition(&degraded, "Degraded").unwrap().status, "True");
    assert_eq!(condition(&degraded, "Ready").unwrap().status, "False");

    cp.kubectl_ok(["uncordon", &node]).unwrap();
    let t = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    let seen = phases_seen(&t);
    assert!(
        seen.ends_with(&[
            (Phase::Ready, Phase::Degraded),
            (Phase::Degraded, Phase::Ready)
        ]),
        "{seen:?}"
    );
    let reasons = event_reasons(&client, &ns, "t").await;
    assert!(
        reasons.iter().any(|r| r == "ReadinessLost"),
        "events: {reasons:?}"
    );
    assert_eq!(t.status.unwrap().ready.as_deref(), Some("2/2"));
}

#[tokio::test]
async fn image_change_rolls_out_and_a_data_losing_change_is_refused() {
    let Scene {
        cp: _,
        ns,
        client,
        op: _op,
        api,
    } = Scene::start("rollout", OperatorOptions::default()).await;
    api.create(&PostParams::default(), &tenant("t", 1, None))
        .await
        .unwrap();
    wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;

    api.patch(
        "t",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"image": "rustfs/rustfs:1.0.0-rc.4"}})),
    )
    .await
    .unwrap();
    let t = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    let seen = phases_seen(&t);
    assert!(
        seen.ends_with(&[
            (Phase::Ready, Phase::Validating),
            (Phase::Validating, Phase::CredentialsCheck),
            (Phase::CredentialsCheck, Phase::Provisioning),
            (Phase::Provisioning, Phase::RollingOut),
            (Phase::RollingOut, Phase::Ready),
        ]),
        "{seen:?}"
    );
    let sts_api: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let sts = sts_api.get("t-pool-0").await.unwrap();
    let image = rustfs_container(&sts).image.clone();
    assert_eq!(image.as_deref(), Some("rustfs/rustfs:1.0.0-rc.4"));
    assert_eq!(
        t.status.unwrap().image.as_deref(),
        Some("rustfs/rustfs:1.0.0-rc.4")
    );

    // Shrinking the volumes passes the CRD (sizes are not compared there) but would lose
    // data: refused, nothing applied, not even the image change that came with it.
    let before = sts_api.get("t-pool-0").await.unwrap();
    api.patch(
        "t",
        &PatchParams::default(),
        &Patch::Merge(
            json!({"spec": {"image": "rustfs/rustfs:1.0.0-rc.5", "pools": [{
                "name": "pool-0", "servers": 1,
                "persistence": {"volumesPerServer": 4, "volumeClaimTemplate": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "512Mi"}}}}
            }]}}),
        ),
    )
    .await
    .unwrap();
    let t = wait_phase(&api, "t", Phase::Failed, Duration::from_secs(60)).await;
    let status = t.status.clone().unwrap();
    assert_eq!(status.reason.as_deref(), Some("ChangeRefused"));
    assert!(
        status
            .message
            .as_deref()
            .unwrap()
            .contains("volume size would shrink from 1Gi to 512Mi"),
        "{status:?}"
    );
    let applied = condition(&t, "ResourcesApplied").unwrap();
    assert_eq!(applied.status, "False");
    let after = sts_api.get("t-pool-0").await.unwrap();
    assert_eq!(
        after.metadata.resource_version, before.metadata.resource_version,
        "StatefulSet was touched"
    );
    let reasons = event_reasons(&client, &ns, "t").await;
    assert!(
        reasons.iter().any(|r| r == "ChangeRefused"),
        "events: {reasons:?}"
    );

    // Putting the size back (keeping the new image) rolls out again.
    api.patch(
        "t",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"pools": [{
            "name": "pool-0", "servers": 1,
            "persistence": {"volumesPerServer": 4, "volumeClaimTemplate": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}}}}
        }]}})),
    )
    .await
    .unwrap();
    wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
}

#[tokio::test]
async fn operator_killed_mid_rollout_converges_without_duplicates() {
    let Scene {
        cp: _,
        ns,
        client,
        mut op,
        api,
    } = Scene::start("restart", OperatorOptions::default()).await;
    Api::<Secret>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &creds_secret("creds"))
        .await
        .unwrap();
    api.create(&PostParams::default(), &tenant("t", 4, Some("creds")))
        .await
        .unwrap();
    let sts_api: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    eventually(Duration::from_secs(60), "the StatefulSet", || async {
        sts_api
            .get("t-pool-0")
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await;
    op.kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    op.restart();
    let t = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    assert_eq!(
        sts_api
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let svcs: Api<Service> = Api::namespaced(client.clone(), &ns);
    assert_eq!(
        svcs.list(&ListParams::default()).await.unwrap().items.len(),
        3
    );
    let ready_count = phases_seen(&t)
        .iter()
        .filter(|p| p.1 == Phase::Ready)
        .count();
    assert_eq!(ready_count, 1, "{:?}", phases_seen(&t));
    assert_eq!(t.status.unwrap().ready.as_deref(), Some("4/4"));
}

/// The lease duration the test harness gives every operator (`support::operator::LEASE_ENV`).
const LEASE_DURATION: Duration = Duration::from_secs(6);

#[tokio::test]
async fn a_standby_takes_over_when_the_leader_is_killed_mid_rollout_and_they_never_both_write() {
    let Scene {
        cp,
        ns,
        client,
        op: mut leader,
        api,
    } = Scene::start("ha", OperatorOptions::default()).await;
    let standby = Operator::start_standby(cp, &ns, OperatorOptions::default());
    let (leader_id, leads) = leader.leadership().expect("the leader's gauge");
    let (standby_id, standby_leads) = standby.leadership().expect("the standby's gauge");
    assert!(
        leads && !standby_leads,
        "{leader_id}: {leads}, {standby_id}: {standby_leads}"
    );
    assert_ne!(leader_id, standby_id);
    // The standby is live and ready to take over, and says it is a standby.
    let (code, body) = support::http_get(&standby.http, "/readyz").unwrap();
    assert_eq!(code, 200);
    assert!(body.starts_with("standby"), "{body}");
    assert_eq!(support::http_get(&standby.http, "/healthz").unwrap().0, 200);
    let lease: Api<k8s_openapi::api::coordination::v1::Lease> =
        Api::namespaced(client.clone(), "rustfs-system");
    let holder = |l: k8s_openapi::api::coordination::v1::Lease| {
        l.spec.and_then(|s| s.holder_identity).unwrap_or_default()
    };
    let lease_name = format!("rustfs-operator-{ns}");
    assert_eq!(holder(lease.get(&lease_name).await.unwrap()), leader_id);

    Api::<Secret>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &creds_secret("creds"))
        .await
        .unwrap();
    api.create(&PostParams::default(), &tenant("t", 4, Some("creds")))
        .await
        .unwrap();
    let sts_api: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    eventually(Duration::from_secs(60), "the StatefulSet", || async {
        sts_api
            .get("t-pool-0")
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await;
    // Mid-rollout: the StatefulSet is there, its pods are not all ready yet.
    let ready = sts_api
        .get("t-pool-0")
        .await
        .unwrap()
        .status
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    assert!(ready < 4, "the rollout was over before the kill");

    let killed_at = chrono::Utc::now();
    let killed = Instant::now();
    leader.kill();
    let takeover = eventually(
        LEASE_DURATION * 3,
        "the standby to become the leader",
        || async {
            match standby.leadership() {
                Some((_, true)) => Ok(killed.elapsed()),
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;
    eprintln!(
        "METRIC leader takeover after SIGKILL: {:.1} s (lease duration {} s)",
        takeover.as_secs_f64(),
        LEASE_DURATION.as_secs()
    );
    // The Lease expires at most one duration after the last renewal; the crate then waits
    // up to 1 s before taking it, and the gauge is scraped every 250 ms.
    assert!(
        takeover <= LEASE_DURATION + Duration::from_secs(2),
        "takeover took {takeover:?}"
    );
    assert_eq!(holder(lease.get(&lease_name).await.unwrap()), standby_id);

    let t = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    assert_eq!(t.status.clone().unwrap().ready.as_deref(), Some("4/4"));
    assert_eq!(
        sts_api
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let (code, body) = support::http_get(&standby.http, "/readyz").unwrap();
    assert_eq!((code, body.as_str()), (200, "ready\n"));

    // The audit log: each process's writes, told apart by the identity in the User-Agent.
    let first: Vec<_> = support::audited_writes_by_agent(cp, &leader_id);
    let second: Vec<_> = support::audited_writes_by_agent(cp, &standby_id);
    let in_ns = |w: &[support::AuditedWrite]| -> Vec<support::AuditedWrite> {
        w.iter().filter(|w| w.namespace == ns).cloned().collect()
    };
    let (first_ns, second_ns) = (in_ns(&first), in_ns(&second));
    assert!(
        !first_ns.is_empty() && !second_ns.is_empty(),
        "both wrote: {first_ns:?} / {second_ns:?}"
    );
    assert!(
        first_ns
            .iter()
            .any(|w| w.what.starts_with("patch statefulsets")),
        "the first leader started the rollout: {first_ns:?}"
    );
    let last_of_first = first.iter().map(|w| w.at).max().unwrap();
    let first_of_second = second.iter().map(|w| w.at).min().unwrap();
    eprintln!(
        "METRIC writes: first leader {} (last at {last_of_first}), second {} (first at {first_of_second}, {} ms after the kill)",
        first.len(),
        second.len(),
        (first_of_second - killed_at).num_milliseconds()
    );
    assert!(
        last_of_first < first_of_second,
        "the writes overlap: the first leader wrote at {last_of_first}, the second began at {first_of_second}"
    );
    // As a standby the second process wrote nothing at all, not even to the Lease.
    assert!(
        first_of_second >= killed_at,
        "the standby wrote before the leader died: {:?}",
        second
            .iter()
            .filter(|w| w.at < killed_at)
            .collect::<Vec<_>>()
    );
    assert!(
        second[0].user_agent.starts_with("rustfs-operator/"),
        "{}",
        second[0].user_agent
    );
}

/// The reasons of the Events `podDeletionPolicyWhenNodeIsDown` records.
const NODE_DOWN_REASONS: [&str; 3] = [
    "PodOnDownNodeDeleted",
    "PodOnDownNodeForceDeleted",
    "PodOnDownNodeNotForced",
];

#[tokio::test]
async fn pods_on_a_dead_node_are_deleted_as_each_tenants_policy_says() {
    use k8s_openapi::api::core::v1::{Node, Toleration};
    use rustfs_operator::api::v1alpha1::PodDeletionPolicy;

    let Scene {
        cp: _,
        ns,
        client,
        op: _op,
        api,
    } = Scene::start("deadnode", OperatorOptions::default()).await;
    // A kwok node of this test's own, tainted so that only this test's pods land there.
    let node_name = format!("dead-{ns}");
    let taint_key = "e2e.rustfs.com/dead-node";
    let nodes: Api<Node> = Api::all(client.clone());
    let node: Node = serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node_name,
            "annotations": {local_cluster::KWOK_NODE_ANNOTATION: "fake"},
            "labels": {"kubernetes.io/hostname": node_name, "kubernetes.io/os": "linux"},
        },
        "spec": {"taints": [{"key": taint_key, "value": ns, "effect": "NoSchedule"}]},
        "status": {
            "allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"},
            "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110"},
        },
    }))
    .unwrap();
    nodes.create(&PostParams::default(), &node).await.unwrap();
    let ready = |n: &Node| {
        n.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
            .map(|c| c.status.clone())
    };
    eventually(Duration::from_secs(60), "the node to be Ready", || async {
        let n = nodes.get(&node_name).await.map_err(|e| e.to_string())?;
        (ready(&n).as_deref() == Some("True"))
            .then_some(())
            .ok_or(format!("{:?}", ready(&n)))
    })
    .await;

    let policies = [
        ("keep", PodDeletionPolicy::DoNothing),
        ("del", PodDeletionPolicy::Delete),
        ("force", PodDeletionPolicy::ForceDelete),
    ];
    for (name, policy) in policies {
        let mut t = tenant(name, 1, None);
        t.spec.pod_deletion_policy_when_node_is_down = Some(policy);
        let scheduling = &mut t.spec.pools[0].scheduling;
        scheduling.node_selector =
            Some([("kubernetes.io/hostname".to_owned(), node_name.clone())].into());
        // The out-of-service toleration keeps Kubernetes' own taint eviction out of the way,
        // so whatever happens to these pods below is the operator's doing.
        scheduling.tolerations = Some(vec![
            Toleration {
                key: Some(taint_key.into()),
                operator: Some("Exists".into()),
                ..Toleration::default()
            },
            Toleration {
                key: Some("node.kubernetes.io/out-of-service".into()),
                operator: Some("Exists".into()),
                ..Toleration::default()
            },
        ]);
        api.create(&PostParams::default(), &t).await.unwrap();
    }
    for (name, _) in policies {
        wait_phase(&api, name, Phase::Ready, READY_TIMEOUT).await;
    }
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let uid_of = |p: &Pod| p.metadata.uid.clone().unwrap_or_default();
    let mut uids = std::collections::BTreeMap::new();
    for (name, _) in policies {
        let p = pods.get(&format!("{name}-pool-0-0")).await.unwrap();
        assert_eq!(
            p.spec.as_ref().and_then(|s| s.node_name.as_deref()),
            Some(node_name.as_str())
        );
        uids.insert(name, uid_of(&p));
    }

    // The node dies: kwok stops managing it (no heartbeat, no kubelet), it is cordoned,
    // and its Ready condition has been Unknown for ten minutes, past the 5 minute grace.
    nodes
        .patch(
            &node_name,
            &PatchParams::default(),
            &Patch::Merge(json!({
                "metadata": {"annotations": {local_cluster::KWOK_NODE_ANNOTATION: null}},
                "spec": {"unschedulable": true},
            })),
        )
        .await
        .unwrap();
    let since = k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        k8s_openapi::jiff::Timestamp::now() - std::time::Duration::from_secs(600),
    );
    nodes
        .patch_status(
            &node_name,
            &PatchParams::default(),
            &Patch::Strategic(json!({"status": {"conditions": [{
                "type": "Ready",
                "status": "Unknown",
                "reason": "NodeStatusUnknown",
                "message": "e2e: the kubelet stopped posting node status",
                "lastTransitionTime": since,
                "lastHeartbeatTime": since,
            }]}})),
        )
        .await
        .unwrap();

    // Delete: a normal delete, once. With a real dead kubelet the pod would stay
    // terminating; kwok may still finish the delete, and the StatefulSet replaces the pod.
    eventually(
        Duration::from_secs(60),
        "the Delete Tenant's pod to be deleted",
        || async {
            match pods
                .get_opt("del-pool-0-0")
                .await
                .map_err(|e| e.to_string())?
            {
                Some(p) if uid_of(&p) == uids["del"] && p.metadata.deletion_timestamp.is_none() => {
                    Err("not deleted".to_owned())
                }
                _ => Ok(()),
            }
        },
    )
    .await;
    // ForceDelete without the out-of-service taint: nothing but a Warning saying what to do.
    let explained = eventually(
        Duration::from_secs(60),
        "the ForceDelete Tenant's explanation",
        || async {
            let events = events_for(&client, &ns, "force").await;
            events
                .into_iter()
                .find(|(r, _)| r == "PodOnDownNodeNotForced")
                .map(|(_, note)| note)
                .ok_or("no event yet".to_owned())
        },
    )
    .await;
    assert!(
        explained.contains(&format!(
            "kubectl taint node {node_name} node.kubernetes.io/out-of-service=nodeshutdown:NoExecute"
        )),
        "{explained}"
    );
    let del_events = events_for(&client, &ns, "del").await;
    assert!(
        del_events
            .iter()
            .any(|(r, n)| r == "PodOnDownNodeDeleted" && n.contains("del-pool-0-0")),
        "{del_events:?}"
    );
    // Give the operator a few more reconciles: DoNothing and the unforced pod stay as they are.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for name in ["keep", "force"] {
        let p = pods.get(&format!("{name}-pool-0-0")).await.unwrap();
        assert_eq!(uid_of(&p), uids[name], "{name}'s pod was replaced");
        assert!(
            p.metadata.deletion_timestamp.is_none(),
            "{name}'s pod is terminating"
        );
    }

    // The admin confirms the machine is off: now ForceDelete removes the pod at once.
    nodes
        .patch(
            &node_name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"taints": [
                {"key": taint_key, "value": ns, "effect": "NoSchedule"},
                {"key": "node.kubernetes.io/out-of-service", "value": "nodeshutdown", "effect": "NoExecute"},
            ]}})),
        )
        .await
        .unwrap();
    let tainted = Instant::now();
    eventually(
        Duration::from_secs(30),
        "the ForceDelete Tenant's pod to be force-deleted",
        || async {
            match pods
                .get_opt("force-pool-0-0")
                .await
                .map_err(|e| e.to_string())?
            {
                Some(p) if uid_of(&p) == uids["force"] => Err(format!(
                    "still there, terminating: {}",
                    p.metadata.deletion_timestamp.is_some()
                )),
                _ => Ok(()),
            }
        },
    )
    .await;
    eprintln!(
        "METRIC force delete {:.1} s after the out-of-service taint",
        tainted.elapsed().as_secs_f64()
    );
    let force_events = events_for(&client, &ns, "force").await;
    assert!(
        force_events
            .iter()
            .any(|(r, n)| r == "PodOnDownNodeForceDeleted"
                && n.contains("node.kubernetes.io/out-of-service")),
        "{force_events:?}"
    );
    // One explanation, not one per reconcile.
    assert_eq!(
        force_events
            .iter()
            .filter(|(r, _)| r == "PodOnDownNodeNotForced")
            .count(),
        1,
        "{force_events:?}"
    );

    // DoNothing: the pod is untouched, and no such event was recorded.
    let keep = pods.get("keep-pool-0-0").await.unwrap();
    assert_eq!(uid_of(&keep), uids["keep"]);
    assert!(keep.metadata.deletion_timestamp.is_none());
    let keep_events = event_reasons(&client, &ns, "keep").await;
    assert!(
        keep_events
            .iter()
            .all(|r| !NODE_DOWN_REASONS.contains(&r.as_str())),
        "{keep_events:?}"
    );
    nodes
        .delete(&node_name, &DeleteParams::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn sigterm_stops_the_operator_cleanly() {
    let Scene { mut op, .. } = Scene::start("sigterm", OperatorOptions::default()).await;
    let status = op.terminate();
    assert!(
        status.success(),
        "exit status {status}:\n{}",
        op.log_tail(20)
    );
    let log = op.log();
    let requested = log.find("shutdown requested").expect("the signal was seen");
    let stopped = log
        .find("controller stopped")
        .expect("the controller stopped");
    assert!(requested < stopped, "{}", op.log_tail(20));
}

#[tokio::test]
async fn idle_resyncs_make_zero_api_writes() {
    let Scene {
        cp,
        ns,
        client: _,
        op,
        api,
    } = Scene::start("idle", OperatorOptions::default()).await;
    // Quantities the API server stores in another form (0.5 -> 500m, 1024Mi -> 1Gi) must
    // not look like drift.
    let mut t = tenant("t", 1, None);
    t.spec.pools[0].scheduling.resources = Some(
        serde_json::from_value(json!({"requests": {"cpu": "0.5", "memory": "1024Mi"}})).unwrap(),
    );
    api.create(&PostParams::default(), &t).await.unwrap();
    wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    // Let the last watch events of the rollout settle.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let creation = support::audited_writes(cp, support::OPERATOR_USER, &ns);
    eprintln!(
        "METRIC API writes for one tenant creation: {} ({creation:?})",
        creation.len()
    );
    assert!(
        !creation.is_empty(),
        "the audit log shows no operator writes at all"
    );

    // Each annotation wakes a reconcile without changing the spec (no new generation).
    let before = support::metric_sum(&op.metrics(), "rustfs_operator_reconciles_total", &[]);
    const RESYNCS: usize = 5;
    for i in 0..RESYNCS {
        api.patch(
            "t",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"annotations": {"e2e/poke": i.to_string()}}})),
        )
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    let reconciled = eventually(
        Duration::from_secs(30),
        "the pokes to be reconciled",
        || async {
            let n = support::metric_sum(&op.metrics(), "rustfs_operator_reconciles_total", &[]);
            if n - before >= RESYNCS as f64 {
                Ok(n - before)
            } else {
                Err(format!("{} reconciles since the first poke", n - before))
            }
        },
    )
    .await;
    let after = support::audited_writes(cp, support::OPERATOR_USER, &ns);
    let idle: Vec<&String> = after[creation.len()..].iter().collect();
    eprintln!(
        "METRIC API writes over {reconciled} idle reconciles: {}",
        idle.len()
    );
    assert!(idle.is_empty(), "idle reconciles wrote: {idle:?}");
}

/// The operator's writes in `ns` to objects and status: not its Lease, not Events (a
/// restarted operator checks each Tenant's Secrets again, and that pass records its
/// transitions as Events).
fn object_writes(cp: &ControlPlane, ns: &str) -> Vec<String> {
    support::audited_writes(cp, support::OPERATOR_USER, ns)
        .into_iter()
        .filter(|w| !w.contains(" leases/") && !w.contains(" events/"))
        .collect()
}

/// The image of the StatefulSet's first container, and its labels.
async fn image_and_labels(
    sts: &Api<StatefulSet>,
    name: &str,
) -> (String, std::collections::BTreeMap<String, String>) {
    let s = sts.get(name).await.unwrap();
    let image = rustfs_container(&s).image.clone().unwrap();
    (image, s.metadata.labels.unwrap_or_default())
}

/// The RustFS container of a StatefulSet's pod template.
fn rustfs_container(sts: &StatefulSet) -> &k8s_openapi::api::core::v1::Container {
    &sts.spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap()
        .containers[0]
}

#[tokio::test]
async fn a_hand_edit_of_the_pod_spec_is_taken_back_and_a_restart_writes_nothing() {
    // The StatefulSet cache keeps a digest of the pod spec, not the spec (ADR 0014): a
    // change to it must still be seen, and a restarted operator (which applied nothing in
    // this process) must read each StatefulSet back rather than re-apply it.
    let Scene {
        cp,
        ns,
        client,
        mut op,
        api,
    } = Scene::start("handedit", OperatorOptions::default()).await;
    api.create(&PostParams::default(), &tenant("t", 1, None))
        .await
        .unwrap();
    wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let (image, _) = image_and_labels(&sts, "t-pool-0").await;

    // 1. A restart, nothing edited: the new process reads back and writes nothing.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let settled = object_writes(cp, &ns);
    op.restart();
    eventually(
        Duration::from_secs(60),
        "the restarted operator to lead and reconcile",
        || async {
            let leads = op.leadership().is_some_and(|(_, l)| l);
            let n = support::metric_sum(&op.metrics(), "rustfs_operator_reconciles_total", &[]);
            if leads && n >= 1.0 {
                Ok(())
            } else {
                Err(format!("leads: {leads}, reconciles: {n}"))
            }
        },
    )
    .await;
    api.patch(
        "t",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"annotations": {"e2e/poke": "1"}}})),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = object_writes(cp, &ns);
    assert_eq!(
        &after[settled.len()..],
        &[] as &[String],
        "a restarted operator re-applied or rewrote:\n{}",
        op.log_tail(30)
    );

    // 2. Someone changes the pod spec (and adds a label of their own).
    let edit = json!({
        "metadata": {"labels": {"team": "storage"}},
        "spec": {"template": {"spec": {"containers": [{"name": "rustfs", "image": "someone/else:1"}]}}}
    });
    sts.patch(
        "t-pool-0",
        &PatchParams::default(),
        &Patch::Strategic(&edit),
    )
    .await
    .unwrap();
    eventually(
        Duration::from_secs(60),
        "the operator's image back",
        || async {
            match image_and_labels(&sts, "t-pool-0").await {
                (i, labels) if i == image && labels.get("team").is_some_and(|v| v == "storage") => {
                    Ok(())
                }
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;
    let reasons = event_reasons(&client, &ns, "t").await;
    assert!(
        reasons.iter().any(|r| r == "ResourcesDrifted"),
        "events: {reasons:?}"
    );

    // 3. The same while the operator is down: seen by the read-back after the restart.
    op.kill();
    sts.patch(
        "t-pool-0",
        &PatchParams::default(),
        &Patch::Strategic(&edit),
    )
    .await
    .unwrap();
    assert_eq!(image_and_labels(&sts, "t-pool-0").await.0, "someone/else:1");
    op.restart();
    eventually(
        Duration::from_secs(60),
        "the operator's image back after the restart",
        || async {
            match image_and_labels(&sts, "t-pool-0").await {
                (i, _) if i == image => Ok(()),
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;
    wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
}

fn tag<'a>(span: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    span["tags"]
        .as_array()?
        .iter()
        .find(|t| t["key"] == key)
        .map(|t| &t["value"])
}

fn parent_of(span: &serde_json::Value) -> Option<&str> {
    span["references"]
        .as_array()?
        .iter()
        .find(|r| r["refType"] == "CHILD_OF")
        .and_then(|r| r["spanID"].as_str())
}

#[tokio::test]
async fn transitions_are_spans_in_jaeger_and_metrics_move() {
    let options = OperatorOptions {
        otlp_http: cp().jaeger_otlp_http_endpoint().map(str::to_owned),
        ..OperatorOptions::default()
    };
    let Scene {
        cp, mut op, api, ..
    } = Scene::start("traces", options).await;
    api.create(&PostParams::default(), &tenant("t", 1, None))
        .await
        .unwrap();
    let ready = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    // A failure path too: an invalid spec the operator refuses.
    let mut bad = tenant("bad", 2, None);
    bad.spec.env = vec![
        serde_json::from_value(json!({"name": "RUSTFS_SECRET_KEY", "value": "half-set-secret"}))
            .unwrap(),
    ];
    api.create(&PostParams::default(), &bad).await.unwrap();
    wait_phase(&api, "bad", Phase::Failed, Duration::from_secs(60)).await;

    // Metrics first, while the operator runs.
    let metrics = op.metrics();
    assert!(
        support::metric_sum(
            &metrics,
            "rustfs_operator_reconciles_total",
            &["result=\"ok\""]
        ) >= 2.0,
        "{metrics}"
    );
    assert!(
        support::metric_sum(
            &metrics,
            "rustfs_operator_reconcile_errors_total",
            &["class=\"validation\""]
        ) >= 1.0,
        "{metrics}"
    );
    assert!(
        support::metric_sum(
            &metrics,
            "rustfs_operator_transitions_total",
            &["from=\"RollingOut\"", "to=\"Ready\""]
        ) >= 1.0,
        "{metrics}"
    );
    assert_eq!(
        support::metric_sum(&metrics, "rustfs_operator_tenants", &["phase=\"Ready\""]),
        1.0,
        "{metrics}"
    );
    assert_eq!(
        support::metric_sum(&metrics, "rustfs_operator_tenants", &["phase=\"Failed\""]),
        1.0,
        "{metrics}"
    );
    assert!(
        metrics.contains("trace_id=\""),
        "no exemplar with a trace id:\n{metrics}"
    );

    // SIGTERM flushes the spans still buffered: none may be lost.
    assert!(op.terminate().success());
    let service = op.service_name.clone();
    let spans = eventually(Duration::from_secs(30), "spans in Jaeger", || async {
        let spans = support::jaeger_spans(cp, &service, None)?;
        let names: Vec<&str> = spans
            .iter()
            .filter_map(|s| s["operationName"].as_str())
            .collect();
        if names.contains(&"RollingOut -> Ready") && names.contains(&"Validating -> Failed") {
            Ok(spans)
        } else {
            Err(format!("{} spans: {names:?}", spans.len()))
        }
    })
    .await;

    // The transitions of Tenant t, in time order, are the lifecycle.
    let mut transitions: Vec<(&str, u64)> = spans
        .iter()
        .filter(|s| {
            s["operationName"]
                .as_str()
                .is_some_and(|n| n.contains(" -> "))
        })
        .filter(|s| {
            let parent = parent_of(s);
            spans.iter().any(|p| {
                Some(p["spanID"].as_str().unwrap_or_default()) == parent
                    && p["operationName"] == "reconcile"
                    && tag(p, "tenant").and_then(|v| v.as_str()) == Some("t")
            })
        })
        .map(|s| {
            (
                s["operationName"].as_str().unwrap(),
                s["startTime"].as_u64().unwrap(),
            )
        })
        .collect();
    transitions.sort_by_key(|t| t.1);
    let lifecycle: Vec<&str> = transitions
        .iter()
        .map(|t| t.0)
        // Self-loops (the first step of a reconcile, rollout polls) are spans too; the
        // lifecycle is the phase changes.
        .filter(|n| n.split_once(" -> ").is_some_and(|(from, to)| from != to))
        .collect();
    // In this order, and ending in Ready. Checked as an ordered subsequence: a retry after
    // a transient error may repeat steps, and that is not what this test is about.
    let expected = [
        "Validating -> CredentialsCheck",
        "CredentialsCheck -> Provisioning",
        "Provisioning -> RollingOut",
        "RollingOut -> Ready",
    ];
    let mut rest = lifecycle.iter();
    for step in expected {
        assert!(
            rest.any(|n| *n == step),
            "{step} missing or out of order in {lifecycle:?}"
        );
    }
    assert_eq!(
        lifecycle.last(),
        Some(&"RollingOut -> Ready"),
        "{lifecycle:?}"
    );

    // The applies are children of the transition that ran them.
    let provisioning = spans
        .iter()
        .find(|s| s["operationName"] == "CredentialsCheck -> Provisioning")
        .unwrap();
    let id = provisioning["spanID"].as_str().unwrap();
    let applies: Vec<&str> = spans
        .iter()
        .filter(|s| parent_of(s) == Some(id))
        .filter_map(|s| s["operationName"].as_str())
        .filter(|n| n.starts_with("apply "))
        .collect();
    for want in [
        "apply StatefulSet/t-pool-0",
        "apply Service/t-hl",
        "apply ServiceAccount/t-sa",
    ] {
        assert!(
            applies.contains(&want),
            "{want} not under the transition: {applies:?}"
        );
    }
    let sts = spans
        .iter()
        .find(|s| s["operationName"] == "apply StatefulSet/t-pool-0")
        .unwrap();
    assert_eq!(
        tag(sts, "kind").and_then(|v| v.as_str()),
        Some("StatefulSet")
    );

    // The failure is an error span carrying the class and the reason.
    let failed = spans
        .iter()
        .find(|s| s["operationName"] == "Validating -> Failed")
        .unwrap();
    assert_eq!(
        tag(failed, "error").and_then(|v| v.as_bool()),
        Some(true),
        "{failed}"
    );
    assert_eq!(
        tag(failed, "error.class").and_then(|v| v.as_str()),
        Some("Validation")
    );
    assert_eq!(
        tag(failed, "reason").and_then(|v| v.as_str()),
        Some("SpecInvalid")
    );

    // The status leads to the trace: the RollingOut -> Ready record carries its trace id.
    let record = ready
        .status
        .unwrap()
        .transitions
        .into_iter()
        .find(|r| r.to == Phase::Ready)
        .unwrap();
    let trace_id = record.trace_id.expect("a trace id in status.transitions");
    let ready_span = spans
        .iter()
        .find(|s| s["operationName"] == "RollingOut -> Ready")
        .unwrap();
    assert_eq!(ready_span["traceID"].as_str(), Some(trace_id.as_str()));
}

#[tokio::test]
async fn an_object_made_by_hand_is_never_taken_over() {
    let Scene {
        ns,
        client,
        op: _op,
        api,
        ..
    } = Scene::start("foreign", OperatorOptions::default()).await;
    let svcs: Api<Service> = Api::namespaced(client.clone(), &ns);
    let mine: Service = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "t-io"},
        "spec": {"selector": {"app": "mine"}, "ports": [{"port": 80}]}
    }))
    .unwrap();
    svcs.create(&PostParams::default(), &mine).await.unwrap();

    api.create(&PostParams::default(), &tenant("t", 1, None))
        .await
        .unwrap();
    let t = wait_phase(&api, "t", Phase::Failed, Duration::from_secs(60)).await;
    let status = t.status.unwrap();
    assert_eq!(status.reason.as_deref(), Some("ChangeRefused"));
    assert!(
        status
            .message
            .as_deref()
            .unwrap()
            .contains("Service t-io already exists"),
        "{status:?}"
    );
    assert_eq!(status.ready.as_deref(), Some("0/1"));
    let after = svcs.get("t-io").await.unwrap();
    assert!(
        after.metadata.owner_references.is_none(),
        "the Service was taken over"
    );
    assert_eq!(
        after
            .spec
            .unwrap()
            .selector
            .unwrap()
            .get("app")
            .map(String::as_str),
        Some("mine")
    );
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    assert!(
        sts.list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty(),
        "nothing applied"
    );
}

/// The Secret's value under `key`, read back as the API server stores it.
async fn secret_value(client: &kube::Client, ns: &str, name: &str, key: &str) -> String {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let s = secrets.get(name).await.unwrap();
    String::from_utf8(s.data.unwrap()[key].0.clone()).unwrap()
}

/// Everything a user or a log reader can see of the Tenant: its status, its events, the
/// operator's log, and the StatefulSets.
async fn visible(
    scene_client: &kube::Client,
    ns: &str,
    op: &Operator,
    api: &Api<Tenant>,
) -> String {
    let t = api.get("t").await.unwrap();
    let sts: Api<StatefulSet> = Api::namespaced(scene_client.clone(), ns);
    format!(
        "{}\n{:?}\n{}\n{}",
        serde_json::to_string(&t.status).unwrap(),
        events_for(scene_client, ns, "t").await,
        op.log(),
        serde_json::to_string(&sts.list(&ListParams::default()).await.unwrap().items).unwrap()
    )
}

/// [`visible`], then the operator's spans in Jaeger: the operator is stopped with SIGTERM,
/// which flushes the spans still buffered.
async fn visible_with_traces(
    cp: &ControlPlane,
    client: &kube::Client,
    ns: &str,
    op: &mut Operator,
    api: &Api<Tenant>,
) -> String {
    let mut seen = visible(client, ns, op, api).await;
    let service = op.service_name.clone();
    assert!(op.terminate().success());
    let spans = eventually(Duration::from_secs(20), "the operator's spans", || async {
        let spans = support::jaeger_spans(cp, &service, None)?;
        if spans.is_empty() {
            Err("none yet".to_owned())
        } else {
            Ok(spans)
        }
    })
    .await;
    seen.push_str(&serde_json::to_string(&spans).unwrap());
    seen
}

#[tokio::test]
async fn a_multi_server_tenant_without_credentials_forms_with_a_generated_internode_secret() {
    let options = OperatorOptions {
        otlp_http: cp().jaeger_otlp_http_endpoint().map(str::to_owned),
        ..OperatorOptions::default()
    };
    let Scene {
        cp,
        ns,
        client,
        mut op,
        api,
    } = Scene::start("rpc", options).await;

    api.create(&PostParams::default(), &tenant("t", 4, None))
        .await
        .unwrap();
    let t = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    let warning = condition(&t, "DefaultCredentials").expect("DefaultCredentials condition");
    assert_eq!(warning.status, "True");
    assert!(warning.message.contains("spec.credsSecret"));

    // The generated Secret: owned by the Tenant, long and random, read by every pod.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let generated = secrets.get("t-rpc-secret").await.unwrap();
    let owner = &generated.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!((owner.kind.as_str(), owner.name.as_str()), ("Tenant", "t"));
    let value = secret_value(&client, &ns, "t-rpc-secret", "rpcsecret").await;
    assert_eq!(value.len(), 64);
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let s = sts.get("t-pool-0").await.unwrap();
    let env = s.spec.unwrap().template.spec.unwrap().containers[0]
        .env
        .clone()
        .unwrap();
    let rpc = env.iter().find(|e| e.name == "RUSTFS_RPC_SECRET").unwrap();
    let from = rpc
        .value_from
        .as_ref()
        .unwrap()
        .secret_key_ref
        .as_ref()
        .unwrap();
    assert_eq!(
        (from.name.as_str(), from.key.as_str()),
        ("t-rpc-secret", "rpcsecret")
    );
    assert!(
        event_reasons(&client, &ns, "t")
            .await
            .contains(&"RpcSecretCreated".to_owned())
    );

    // Never overwritten: a new generation leaves the value alone.
    api.patch(
        "t",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"env": [{"name": "X_MARK", "value": "1"}]}})),
    )
    .await
    .unwrap();
    wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    assert_eq!(
        secret_value(&client, &ns, "t-rpc-secret", "rpcsecret").await,
        value
    );

    // Deleted: generated again at once, with a Warning telling to restart the servers.
    secrets
        .delete("t-rpc-secret", &DeleteParams::default())
        .await
        .unwrap();
    let again = eventually(
        Duration::from_secs(30),
        "the internode secret back",
        || async {
            secrets
                .get_opt("t-rpc-secret")
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| "not yet".to_owned())
        },
    )
    .await;
    assert_ne!(again.metadata.uid, generated.metadata.uid);
    let renewed = secret_value(&client, &ns, "t-rpc-secret", "rpcsecret").await;
    assert_ne!(renewed, value);
    let events = eventually(Duration::from_secs(30), "RpcSecretRecreated", || async {
        let events = events_for(&client, &ns, "t").await;
        if events.iter().any(|(r, _)| r == "RpcSecretRecreated") {
            Ok(events)
        } else {
            Err(format!("{events:?}"))
        }
    })
    .await;
    let (_, note) = events
        .iter()
        .find(|(r, _)| r == "RpcSecretRecreated")
        .unwrap();
    assert!(note.contains("restart every server"), "{note}");

    // Neither value is anywhere a user or a log reader looks, traces included.
    let seen = visible_with_traces(cp, &client, &ns, &mut op, &api).await;
    assert!(!seen.contains(&value) && !seen.contains(&renewed));
}

/// A CA and a leaf certificate for `names`, as PEM: (leaf, key, ca).
fn pki(names: &[String]) -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "e2e test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(names.to_vec())
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    (leaf.pem(), key.serialize_pem(), ca.pem())
}

fn tls_secret(name: &str, (cert, key, ca): &(String, String, String)) -> Secret {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": {"name": name},
        "stringData": {"tls.crt": cert, "tls.key": key, "ca.crt": ca}
    }))
    .unwrap()
}

#[tokio::test]
async fn tls_from_a_secret_is_checked_mounted_and_rechecked_when_it_changes() {
    let options = OperatorOptions {
        otlp_http: cp().jaeger_otlp_http_endpoint().map(str::to_owned),
        ..OperatorOptions::default()
    };
    let Scene {
        cp,
        ns,
        client,
        mut op,
        api,
    } = Scene::start("tls", options).await;
    let domain = "cluster.local";
    let good_names = vec![
        format!("t-io.{ns}.svc.{domain}"),
        format!("*.t-hl.{ns}.svc.{domain}"),
    ];
    let good = pki(&good_names);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    secrets
        .create(&PostParams::default(), &tls_secret("certs", &good))
        .await
        .unwrap();
    let mut t = tenant("t", 2, None);
    t.spec.tls =
        Some(serde_json::from_value(json!({"mode": "secret", "secretName": "certs"})).unwrap());
    api.create(&PostParams::default(), &t).await.unwrap();
    let t = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    let ready = condition(&t, "TlsReady").expect("TlsReady");
    assert_eq!(
        (ready.status.as_str(), ready.reason.as_str()),
        ("True", "CertificateValid")
    );
    let tls = t.status.as_ref().unwrap().tls.clone().expect("status.tls");
    assert_eq!(tls.secret, "certs");
    assert_eq!(tls.dns_names, good_names);
    assert!(tls.not_after.is_some());

    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let pod = sts
        .get("t-pool-0")
        .await
        .unwrap()
        .spec
        .unwrap()
        .template
        .spec
        .unwrap();
    let c = &pod.containers[0];
    let volumes = c
        .env
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.name == "RUSTFS_VOLUMES")
        .unwrap();
    assert!(volumes.value.as_deref().unwrap().starts_with("https://"));
    assert_eq!(
        c.readiness_probe
            .as_ref()
            .unwrap()
            .http_get
            .as_ref()
            .unwrap()
            .scheme
            .as_deref(),
        Some("HTTPS")
    );

    // A certificate that misses the servers' names replaces it: re-checked at once, the
    // status lists what is missing.
    let bad = pki(&[format!("t-io.{ns}.svc.{domain}")]);
    secrets
        .replace("certs", &PostParams::default(), &tls_secret("certs", &bad))
        .await
        .unwrap();
    let t = eventually(Duration::from_secs(30), "TlsReady False", || async {
        let t = api.get("t").await.map_err(|e| e.to_string())?;
        match condition(&t, "TlsReady") {
            Some(c) if c.status == "False" => Ok(t),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    let c = condition(&t, "TlsReady").unwrap();
    assert_eq!(c.reason, "CertificateInvalid");
    assert!(
        c.message
            .contains(&format!("t-pool-0-0.t-hl.{ns}.svc.{domain}")),
        "{}",
        c.message
    );
    assert_eq!(t.status.as_ref().unwrap().phase, Some(Phase::Failed));

    // Fixed again: back to Ready.
    secrets
        .replace("certs", &PostParams::default(), &tls_secret("certs", &good))
        .await
        .unwrap();
    let t = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;
    assert_eq!(condition(&t, "TlsReady").unwrap().status, "True");

    // No key material anywhere a user or a log reader looks: status, events, the
    // operator's log, the StatefulSets, and its traces in Jaeger (flushed by SIGTERM).
    let seen = visible_with_traces(cp, &client, &ns, &mut op, &api).await;
    for secret in [&good.1, &bad.1] {
        let body = secret.lines().nth(1).unwrap();
        assert!(!seen.contains(body), "key material leaked");
    }
    assert!(!seen.contains("PRIVATE KEY"));
}

#[tokio::test]
async fn tls_from_cert_manager_is_issued_checked_and_ready() {
    let Scene {
        cp,
        ns,
        client,
        op: _op,
        api,
    } = Scene::start("certmgr", OperatorOptions::default()).await;
    let mut t = tenant("t", 2, None);
    t.spec.tls = Some(
        serde_json::from_value(json!({
            "mode": "certManager",
            "certManager": {
                "issuerRef": {"name": local_cluster::CERT_MANAGER_CA_ISSUER, "kind": "ClusterIssuer"},
                "duration": "2160h",
                "renewBefore": "360h"
            }
        }))
        .unwrap(),
    );
    api.create(&PostParams::default(), &t).await.unwrap();
    let t = wait_phase(&api, "t", Phase::Ready, READY_TIMEOUT).await;

    // The operator applied the Certificate; cert-manager (built from its Go module) issued it
    // from the local CA; the operator checked it and mounts it.
    let certificate = cp
        .kubectl_ok(["get", "certificate", "t-tls", "-n", &ns, "-o", "json"])
        .unwrap();
    let certificate: serde_json::Value = serde_json::from_str(&certificate).unwrap();
    assert_eq!(certificate["spec"]["secretName"], "t-tls");
    assert_eq!(certificate["metadata"]["ownerReferences"][0]["name"], "t");
    let ready = certificate["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["type"] == "Ready" && c["status"] == "True");
    assert!(ready, "{certificate}");
    let tls = condition(&t, "TlsReady").expect("TlsReady");
    assert_eq!(
        (tls.status.as_str(), tls.reason.as_str()),
        ("True", "CertificateValid")
    );
    let status = t.status.clone().unwrap().tls.expect("status.tls");
    assert_eq!(status.secret, "t-tls");
    assert!(
        status
            .dns_names
            .contains(&format!("*.t-hl.{ns}.svc.cluster.local"))
    );
    // ~90 days, as asked.
    let days = (status.not_after.unwrap() - chrono::Utc::now()).num_days();
    assert!((88..=90).contains(&days), "{days} days");
    // The issued Secret's CA is the local CA, shipped to the servers as ca.crt.
    let ca = secret_value(&client, &ns, "t-tls", "ca.crt").await;
    assert_eq!(ca.trim(), cp.cert_manager_ca_pem().unwrap().trim());
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let pod = sts
        .get("t-pool-0")
        .await
        .unwrap()
        .spec
        .unwrap()
        .template
        .spec
        .unwrap();
    let projected = pod
        .volumes
        .unwrap()
        .into_iter()
        .find(|v| v.name == "tls")
        .and_then(|v| v.projected)
        .expect("the tls volume");
    let source = projected.sources.unwrap()[0].secret.clone().unwrap();
    assert_eq!(source.name, "t-tls");
}

/// The size asked of a claim, and its capacity.
fn claim_sizes(pvc: &k8s_openapi::api::core::v1::PersistentVolumeClaim) -> (String, String) {
    let request = pvc
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .map(|q| q.0.clone())
        .unwrap_or_default();
    let capacity = pvc
        .status
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .map(|q| q.0.clone())
        .unwrap_or_default();
    (request, capacity)
}

fn grow_to(size: &str, class: Option<&str>) -> serde_json::Value {
    let mut template = json!({
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": size}}
    });
    if let Some(class) = class {
        template["storageClassName"] = json!(class);
    }
    json!({"spec": {"pools": [{
        "name": "pool-0", "servers": 2,
        "persistence": {"volumesPerServer": 4, "volumeClaimTemplate": template}
    }]}})
}

/// Volume growth on a class that allows expansion (kwok's `local-fake`): every claim is
/// patched, the StatefulSet replaced by orphan deletion, the pods keep their uids (never
/// restarted), the status says `PVC resizing` until the claims have grown (the test plays
/// the external resizer), then Ready. On a class without expansion: ChangeRefused naming the
/// class, nothing touched; enabling expansion on the class lets the retry grow them.
#[tokio::test]
async fn volumes_grow_in_place_without_restarting_pods_when_the_class_allows_it() {
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;
    use k8s_openapi::api::storage::v1::StorageClass;
    let Scene {
        cp: _,
        ns,
        client,
        op: _op,
        api,
    } = Scene::start("grow", OperatorOptions::default()).await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    secrets
        .create(&PostParams::default(), &creds_secret("creds"))
        .await
        .unwrap();
    api.create(&PostParams::default(), &tenant("g", 2, Some("creds")))
        .await
        .unwrap();
    wait_phase(&api, "g", Phase::Ready, READY_TIMEOUT).await;

    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &ns);
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let of_pool = ListParams::default().labels("rustfs.com/tenant=g,rustfs.com/pool=pool-0");
    let uids = |items: Vec<Pod>| -> Vec<(String, String)> {
        let mut v: Vec<_> = items
            .into_iter()
            .map(|p| (p.metadata.name.unwrap(), p.metadata.uid.unwrap()))
            .collect();
        v.sort();
        v
    };
    let pods_before = uids(pods.list(&of_pool).await.unwrap().items);
    assert_eq!(pods_before.len(), 2);
    let claims_before = claims.list(&of_pool).await.unwrap().items;
    assert_eq!(claims_before.len(), 8);
    let set_before = sets.get("g-pool-0").await.unwrap();

    api.patch(
        "g",
        &PatchParams::default(),
        &Patch::Merge(grow_to("2Gi", None)),
    )
    .await
    .unwrap();
    // The claims are patched and the StatefulSet is a new object with the new template.
    eventually(Duration::from_secs(60), "claims asking for 2Gi", || async {
        let sizes: Vec<_> = claims
            .list(&of_pool)
            .await
            .map_err(|e| e.to_string())?
            .items
            .iter()
            .map(claim_sizes)
            .collect();
        if sizes.iter().all(|(request, _)| request == "2Gi") {
            Ok(())
        } else {
            Err(format!("{sizes:?}"))
        }
    })
    .await;
    let set_after = eventually(Duration::from_secs(60), "a new StatefulSet", || async {
        match sets.get_opt("g-pool-0").await.map_err(|e| e.to_string())? {
            Some(s) if s.metadata.uid != set_before.metadata.uid => Ok(s),
            other => Err(format!("{:?}", other.map(|s| s.metadata.uid))),
        }
    })
    .await;
    let template = &set_after
        .spec
        .as_ref()
        .unwrap()
        .volume_claim_templates
        .as_ref()
        .unwrap()[0];
    assert_eq!(
        claim_sizes(template).0,
        "2Gi",
        "the claim templates carry the new size"
    );
    // kwok has no resizer: the claims wait at their old capacity, and the status says so.
    let t = eventually(
        Duration::from_secs(60),
        "PVC resizing in the status",
        || async {
            let t = api.get("g").await.map_err(|e| e.to_string())?;
            let s = t.status.clone().unwrap_or_default();
            if s.reason.as_deref() == Some("VolumesResizing")
                && s.observed_generation == t.metadata.generation
            {
                Ok(t)
            } else {
                Err(format!("{:?} {:?} {:?}", s.phase, s.reason, s.message))
            }
        },
    )
    .await;
    let status = t.status.clone().unwrap();
    assert_eq!(status.phase, Some(Phase::RollingOut));
    assert!(
        status
            .message
            .as_deref()
            .unwrap()
            .starts_with("PVC resizing:"),
        "{:?}",
        status.message
    );
    assert_eq!(status.pools[0].volumes_resizing, 8, "{:?}", status.pools);
    assert_eq!(condition(&t, "VolumesResizing").unwrap().status, "True");

    // The external resizer's part: the claims reach their new capacity.
    for claim in claims.list(&of_pool).await.unwrap().items {
        claims
            .patch_status(
                claim.metadata.name.as_deref().unwrap(),
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"capacity": {"storage": "2Gi"}}})),
            )
            .await
            .unwrap();
    }
    let t = wait_phase(&api, "g", Phase::Ready, READY_TIMEOUT).await;
    assert_eq!(condition(&t, "VolumesResizing").unwrap().status, "False");
    assert_eq!(t.status.as_ref().unwrap().pools[0].volumes_resizing, 0);

    // No pod was restarted or replaced, and the new StatefulSet adopted them.
    let pods_after = pods.list(&of_pool).await.unwrap().items;
    for pod in &pods_after {
        let owner = pod.metadata.owner_references.as_ref().unwrap();
        assert_eq!(
            owner[0].uid,
            set_after.metadata.uid.clone().unwrap(),
            "adopted"
        );
    }
    assert_eq!(uids(pods_after), pods_before, "pods untouched");
    let claim_uids = |items: &[PersistentVolumeClaim]| {
        let mut v: Vec<_> = items
            .iter()
            .map(|c| c.metadata.uid.clone().unwrap())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        claim_uids(&claims.list(&of_pool).await.unwrap().items),
        claim_uids(&claims_before),
        "the same claims, grown"
    );

    // A class without expansion refuses, names the class, and touches nothing.
    let class_name = format!("{ns}-fixed");
    let classes: Api<StorageClass> = Api::all(client.clone());
    classes
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({
                "apiVersion": "storage.k8s.io/v1",
                "kind": "StorageClass",
                "metadata": {"name": class_name},
                "provisioner": "kwok.x-k8s.io/volume",
                "allowVolumeExpansion": false,
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let mut fixed = tenant("f", 2, Some("creds"));
    fixed.spec.pools[0]
        .persistence
        .volume_claim_template
        .as_mut()
        .unwrap()
        .storage_class_name = Some(class_name.clone());
    api.create(&PostParams::default(), &fixed).await.unwrap();
    // Its claims stay Pending (kwok provisions local-fake only), which is no matter here.
    wait_phase(&api, "f", Phase::RollingOut, READY_TIMEOUT).await;
    let f_set = sets.get("f-pool-0").await.unwrap();
    api.patch(
        "f",
        &PatchParams::default(),
        &Patch::Merge(grow_to("3Gi", Some(&class_name))),
    )
    .await
    .unwrap();
    let t = wait_phase(&api, "f", Phase::Failed, Duration::from_secs(60)).await;
    let status = t.status.unwrap();
    assert_eq!(status.reason.as_deref(), Some("ChangeRefused"));
    let message = status.message.unwrap();
    for want in [
        format!("StorageClass '{class_name}' does not allow volume expansion"),
        format!("kubectl patch storageclass {class_name}"),
        "set the size back to 1Gi".to_owned(),
    ] {
        assert!(message.contains(&want), "{want:?} not in {message}");
    }
    let f_claims = ListParams::default().labels("rustfs.com/tenant=f,rustfs.com/pool=pool-0");
    for c in claims.list(&f_claims).await.unwrap().items {
        assert_eq!(
            claim_sizes(&c).0,
            "1Gi",
            "claim {:?} touched",
            c.metadata.name
        );
    }
    assert_eq!(
        sets.get("f-pool-0").await.unwrap().metadata.uid,
        f_set.metadata.uid,
        "StatefulSet replaced despite the refusal"
    );
    // With expansion enabled on the class, the retry gets past the class; these claims were
    // never bound (kwok provisions local-fake only) and Kubernetes grows bound claims only,
    // so it says that instead.
    classes
        .patch(
            &class_name,
            &PatchParams::default(),
            &Patch::Merge(json!({"allowVolumeExpansion": true})),
        )
        .await
        .unwrap();
    eventually(
        Duration::from_secs(60),
        "the refusal names the unbound claims",
        || async {
            let s = api
                .get("f")
                .await
                .map_err(|e| e.to_string())?
                .status
                .unwrap_or_default();
            let message = s.message.unwrap_or_default();
            if message.contains("not bound yet") && message.contains("vol-0-f-pool-0-0") {
                Ok(())
            } else {
                Err(message)
            }
        },
    )
    .await;
    classes
        .delete(&class_name, &DeleteParams::default())
        .await
        .unwrap();
}

/// The platform-fit example on kwok: pods carry the Tenant's and each pool's labels,
/// annotations and security context, the init container and the sidecar; the io Service is a
/// LoadBalancer with its class, ranges and annotation. A pool's new pod label rolls that
/// pool's pods (and only its).
#[tokio::test]
async fn the_platform_fit_example_runs_with_its_pod_metadata_services_and_sidecars() {
    let Scene {
        cp,
        ns,
        client,
        op: _op,
        api,
    } = Scene::start("platform", OperatorOptions::default()).await;
    let file = support::repo_path("examples/platform-fit-tenant.yaml");
    cp.kubectl_ok(["apply", "-n", &ns, "-f", file.to_str().unwrap()])
        .unwrap();
    wait_phase(&api, "platform-fit", Phase::Ready, READY_TIMEOUT).await;

    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let of = |pool: &str| {
        ListParams::default().labels(&format!(
            "rustfs.com/tenant=platform-fit,rustfs.com/pool={pool}"
        ))
    };
    let fast = pods.list(&of("fast")).await.unwrap().items;
    let bulk = pods.list(&of("bulk")).await.unwrap().items;
    assert_eq!((fast.len(), bulk.len()), (2, 2));
    for pod in &fast {
        let labels = pod.metadata.labels.clone().unwrap();
        assert_eq!(labels["team"], "storage");
        assert_eq!(labels["storage-tier"], "fast", "the pool's label wins");
        let annotations = pod.metadata.annotations.clone().unwrap();
        assert_eq!(annotations["prometheus.io/scrape"], "true");
        let spec = pod.spec.clone().unwrap();
        assert_eq!(spec.termination_grace_period_seconds, Some(120));
        let sc = spec.security_context.clone().unwrap();
        assert_eq!((sc.run_as_user, sc.fs_group), (Some(20001), Some(20001)));
        let names: Vec<_> = spec.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["rustfs", "log-shipper"]);
        let init: Vec<_> = spec
            .init_containers
            .iter()
            .flatten()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(init, ["announce"]);
        let mounts = spec.containers[0].volume_mounts.clone().unwrap();
        assert!(
            mounts.iter().any(|m| m.mount_path == "/etc/ssl/corp"),
            "{mounts:?}"
        );
    }
    for pod in &bulk {
        let labels = pod.metadata.labels.clone().unwrap();
        assert_eq!(labels["storage-tier"], "standard");
        let annotations = pod.metadata.annotations.clone().unwrap();
        assert_eq!(annotations["backup.example.com/schedule"], "nightly");
        let spec = pod.spec.clone().unwrap();
        assert_eq!(spec.termination_grace_period_seconds, Some(60));
        assert_eq!(spec.security_context.unwrap().run_as_user, Some(10001));
    }
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    let io = services.get("platform-fit-io").await.unwrap();
    let io_spec = io.spec.clone().unwrap();
    assert_eq!(io_spec.type_.as_deref(), Some("LoadBalancer"));
    assert_eq!(
        io_spec.load_balancer_class.as_deref(),
        Some("example.com/internal-lb")
    );
    assert_eq!(
        io_spec.load_balancer_source_ranges,
        Some(vec!["10.0.0.0/8".to_owned()])
    );
    assert_eq!(
        io.metadata.annotations.unwrap()["external-dns.alpha.kubernetes.io/hostname"],
        "s3.example.com"
    );
    assert_eq!(io.metadata.labels.unwrap()["exposure"], "public");
    let console = services.get("platform-fit-console").await.unwrap();
    assert_eq!(console.spec.unwrap().type_.as_deref(), Some("ClusterIP"));

    // A new label on pool "bulk" rolls its pods, not those of "fast".
    let uid_set = |items: &[Pod]| -> Vec<String> {
        let mut v: Vec<_> = items
            .iter()
            .map(|p| p.metadata.uid.clone().unwrap())
            .collect();
        v.sort();
        v
    };
    let mut t = api.get("platform-fit").await.unwrap();
    t.metadata.managed_fields = None;
    t.status = None;
    t.spec.pools[1]
        .pod_labels
        .insert("storage-tier".into(), "cold".into());
    api.replace("platform-fit", &PostParams::default(), &t)
        .await
        .unwrap();
    wait_phase(&api, "platform-fit", Phase::Ready, READY_TIMEOUT).await;
    let bulk_after = eventually(Duration::from_secs(60), "bulk pods relabelled", || async {
        let items = pods
            .list(&of("bulk"))
            .await
            .map_err(|e| e.to_string())?
            .items;
        let cold = items
            .iter()
            .filter(|p| p.metadata.labels.as_ref().unwrap()["storage-tier"] == "cold")
            .count();
        if cold == 2 {
            Ok(items)
        } else {
            Err(format!("{cold} of {} cold", items.len()))
        }
    })
    .await;
    assert_ne!(uid_set(&bulk_after), uid_set(&bulk), "bulk rolled");
    assert_eq!(
        uid_set(&pods.list(&of("fast")).await.unwrap().items),
        uid_set(&fast),
        "fast untouched"
    );

    // Back to ClusterIP: the API server drops the load balancer fields with the type, so the
    // apply that no longer sends them goes through.
    api.patch(
        "platform-fit",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"services": {"io": null}}})),
    )
    .await
    .unwrap();
    wait_phase(&api, "platform-fit", Phase::Ready, READY_TIMEOUT).await;
    let io = services.get("platform-fit-io").await.unwrap();
    let io_spec = io.spec.unwrap();
    assert_eq!(io_spec.type_.as_deref(), Some("ClusterIP"));
    assert_eq!(io_spec.load_balancer_class, None);
    assert!(
        !io.metadata
            .annotations
            .unwrap_or_default()
            .contains_key("external-dns.alpha.kubernetes.io/hostname")
    );
}

/// rustfs/operator's example Tenants that our CRD accepts ([`support::migration::MIGRATED`])
/// all reach Ready on kwok, applied with the other objects of their files. Two things are
/// adapted to this tier, not to the operator: every storage class becomes kwok's
/// provisioned `local-fake`, three big fake nodes carry the labels the examples' node
/// selectors and affinities ask for (regions, disk configs, spot/on-demand, generations),
/// and the PriorityClass `high-priority` one of them names exists.
#[tokio::test]
async fn rustfs_operator_examples_reach_ready() {
    use k8s_openapi::api::core::v1::Node;
    use support::migration::{KEPT_OUT, MIGRATED, fixture_docs};
    let Scene {
        cp,
        ns,
        client,
        op: _op,
        api,
    } = Scene::start("migration", OperatorOptions::default()).await;
    let nodes: Api<Node> = Api::all(client.clone());
    let node_labels = [
        ("large-disks", "on-demand", "us-east-1", "v1"),
        ("medium-disks", "spot", "eu-west-1", "v2"),
        ("many-small-disks", "spot", "ap-southeast-1", "v2"),
    ];
    for (i, (disks, lifecycle, region, generation)) in node_labels.iter().enumerate() {
        let name = format!("migration-{i}");
        let node: Node = serde_json::from_value(json!({
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "annotations": {local_cluster::KWOK_NODE_ANNOTATION: "fake",
                                "node.alpha.kubernetes.io/ttl": "0"},
                "labels": {
                    local_cluster::KWOK_NODE_LABEL: "true",
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "topology.kubernetes.io/zone": format!("zone-{i}"),
                    "topology.kubernetes.io/region": region,
                    "disk-config": disks,
                    "instance-lifecycle": lifecycle,
                    "pool-generation": generation,
                    "rustfs-storage": "true",
                }
            },
            "status": {
                "allocatable": {"cpu": "512", "memory": "4Ti", "pods": "500"},
                "capacity": {"cpu": "512", "memory": "4Ti", "pods": "500"}
            }
        }))
        .unwrap();
        if nodes.get_opt(&name).await.unwrap().is_none() {
            nodes.create(&PostParams::default(), &node).await.unwrap();
        }
    }

    // cluster-expansion's pool-v2 names a PriorityClass the example expects the cluster to have.
    let priority: Api<k8s_openapi::api::scheduling::v1::PriorityClass> = Api::all(client.clone());
    if priority.get_opt("high-priority").await.unwrap().is_none() {
        priority
            .create(
                &PostParams::default(),
                &serde_json::from_value(json!({
                    "apiVersion": "scheduling.k8s.io/v1",
                    "kind": "PriorityClass",
                    "metadata": {"name": "high-priority"},
                    "value": 100000,
                }))
                .unwrap(),
            )
            .await
            .unwrap();
    }

    let mut expected = Vec::new();
    let mut seen_names = std::collections::BTreeSet::new();
    for (file, mut doc) in fixture_docs() {
        if let Some(meta) = doc["metadata"].as_object_mut() {
            meta.remove("namespace");
        }
        if doc["kind"] == "Tenant" {
            let key = format!("{file}:{}", doc["metadata"]["name"].as_str().unwrap());
            if KEPT_OUT.iter().any(|(k, ..)| *k == key) {
                continue;
            }
            // Two files name their Tenant example-tenant; one namespace holds both.
            let mut name = doc["metadata"]["name"].as_str().unwrap().to_owned();
            if !seen_names.insert(name.clone()) {
                name = format!("{name}-{}", file.trim_end_matches(".yaml"));
                doc["metadata"]["name"] = json!(name);
            }
            for pool in doc["spec"]["pools"].as_array_mut().unwrap() {
                if let Some(t) = pool["persistence"]["volumeClaimTemplate"].as_object_mut() {
                    t.insert(
                        "storageClassName".into(),
                        json!(local_cluster::STORAGE_CLASS),
                    );
                }
            }
            expected.push((key, name));
        }
        cp.kubectl_stdin(
            ["apply", "-n", &ns, "-f", "-"],
            &serde_json::to_string(&doc).unwrap(),
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let mut ready = Vec::new();
    for (key, name) in &expected {
        wait_phase(&api, name, Phase::Ready, Duration::from_secs(300)).await;
        ready.push(key.clone());
    }
    ready.sort();
    assert_eq!(ready, MIGRATED);
    assert_eq!(
        ready.len(),
        13,
        "13 of rustfs/operator's 16 example Tenants reach Ready"
    );
}
