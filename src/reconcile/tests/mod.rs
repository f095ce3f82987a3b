// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The shell against a mock API server: what one reconcile asks of the cluster on each path,
//! and how it requeues. No cluster is needed; the control-plane tiers (`tests/apiserver.rs`,
//! `tests/e2e.rs`) check the same against a real API server.

mod mock;

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::runtime::controller::Action;
use machine::ErrorClass;
use serde_json::{Value, json};

use super::{Error, error_policy, reconcile};
use crate::api::v1alpha1::Tenant;
use crate::resources::fixtures::TenantBuilder;
use crate::resources::{BuildContext, desired_objects};
use mock::{ApiServer, Caches, Reply, Seen, as_stored, failure};

/// A valid Tenant without a credentials Secret: one server, four volumes.
fn tenant() -> Tenant {
    TenantBuilder::new("t").pool("p0", 1, 4).build()
}

/// One reconcile of `tenant` over `caches`, the API server answering by `rule`.
async fn run(
    tenant: Tenant,
    mut caches: Caches,
    rule: impl Fn(&Seen, &[Seen]) -> Option<Reply> + Send + 'static,
) -> (Result<Action, Error>, Arc<Tenant>, ApiServer) {
    let (client, server) = ApiServer::start(rule);
    let ctx = Arc::new(caches.context(client));
    let tenant = Arc::new(tenant);
    let result = reconcile(tenant.clone(), ctx).await;
    (result, tenant, server)
}

fn no_rule(_: &Seen, _: &[Seen]) -> Option<Reply> {
    None
}

/// The one status written, with its phase and reason.
fn written(server: &ApiServer) -> Value {
    let statuses = server.statuses();
    assert_eq!(statuses.len(), 1, "one status write: {:?}", server.seen());
    statuses.into_iter().next().unwrap()
}

fn assert_failed(result: &Result<Action, Error>, class: ErrorClass) {
    match result {
        Err(e) => assert_eq!(e.class(), class, "{e}"),
        Ok(a) => panic!("expected a {class} error, got {a:?}"),
    }
}

/// What the controller does next: the `Ok` action, or `error_policy`'s for an error.
fn requeue(result: Result<Action, Error>, tenant: Arc<Tenant>) -> Action {
    let (client, _) = ApiServer::start(no_rule);
    let ctx = Arc::new(Caches::empty().context(client));
    match result {
        Ok(action) => action,
        Err(e) => error_policy(tenant, &e, ctx),
    }
}

fn secret(access: &str, secret: &str) -> Value {
    let data = |v: &str| serde_json::to_value(ByteString(v.as_bytes().to_vec())).unwrap();
    json!({"apiVersion": "v1", "kind": "Secret",
           "metadata": {"name": "s", "namespace": "ns", "resourceVersion": "7"},
           "data": {"accesskey": data(access), "secretkey": data(secret)}})
}

#[tokio::test]
async fn a_new_tenant_is_applied_and_its_status_written_once() {
    let (result, tenant, server) = run(tenant(), Caches::empty(), no_rule).await;
    let action = requeue(result, tenant);
    let status = written(&server);
    assert_eq!(status["phase"], "Ready", "{status}");
    let applied: Vec<String> = server
        .seen()
        .iter()
        .filter(|s| s.is_apply())
        .map(|s| s.path.rsplit('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        applied,
        [
            "t-sa",
            "t-role",
            "t-rolebinding",
            "t-io",
            "t-console",
            "t-hl",
            "t-p0",
            "t-p0"
        ]
    );
    assert_eq!(action, Action::requeue(Duration::from_secs(300)));
}

#[tokio::test]
async fn a_no_op_reconcile_writes_nothing() {
    // First reconcile: learn the status and objects as stored.
    let (result, _, server) = run(tenant(), Caches::empty(), no_rule).await;
    result.expect("first reconcile");
    let mut ready = tenant();
    ready.status = Some(serde_json::from_value(written(&server)).unwrap());

    let mut caches = Caches::empty();
    let objects = desired_objects(&ready, &BuildContext::default()).unwrap();
    caches.all(&objects, as_stored);
    let (result, _, server) = run(ready, caches, no_rule).await;
    assert_eq!(
        result.expect("idle reconcile"),
        Action::requeue(Duration::from_secs(300))
    );
    let writes: Vec<Seen> = server.seen().into_iter().filter(Seen::is_write).collect();
    assert!(writes.is_empty(), "an idle reconcile wrote: {writes:?}");
    assert!(
        server.seen().is_empty(),
        "and read nothing either: {:?}",
        server.seen()
    );
}

#[tokio::test]
async fn an_invalid_spec_writes_failed_and_requeues_as_validation() {
    let invalid = TenantBuilder::new("t").pool("p0", 17, 1).build();
    let (result, tenant, server) = run(invalid, Caches::empty(), no_rule).await;
    assert_failed(&result, ErrorClass::Validation);
    let status = written(&server);
    assert_eq!(
        (status["phase"].as_str(), status["reason"].as_str()),
        (Some("Failed"), Some("SpecInvalid"))
    );
    assert!(!server.seen().iter().any(Seen::is_apply), "nothing applied");
    assert_eq!(
        requeue(result, tenant),
        Action::requeue(Duration::from_secs(15))
    );
}

#[tokio::test]
async fn a_missing_secret_writes_the_wait_and_requeues_as_credentials() {
    let with_secret = TenantBuilder::new("t").pool("p0", 1, 4).creds("s").build();
    let (result, tenant, server) = run(with_secret, Caches::empty(), no_rule).await;
    assert_failed(&result, ErrorClass::Credentials);
    let status = written(&server);
    assert_eq!(status["phase"], "CredentialsCheck");
    assert_eq!(status["reason"], "CredentialsSecretMissing");
    assert!(!server.seen().iter().any(Seen::is_apply), "nothing applied");
    assert_eq!(
        requeue(result, tenant),
        Action::requeue(Duration::from_secs(60))
    );
}

#[tokio::test]
async fn an_unusable_secret_writes_failed_without_its_value() {
    let with_secret = TenantBuilder::new("t").pool("p0", 1, 4).creds("s").build();
    let rule = |s: &Seen, _: &[Seen]| {
        (s.method == "GET" && s.path.ends_with("/secrets/s"))
            .then(|| (200, secret("short", "long-enough-secret")))
    };
    let (result, _, server) = run(with_secret, Caches::empty(), rule).await;
    assert_failed(&result, ErrorClass::Credentials);
    let status = written(&server);
    assert_eq!(
        (status["phase"].as_str(), status["reason"].as_str()),
        (Some("Failed"), Some("CredentialsInvalid"))
    );
    let text =
        serde_json::to_string(&server.seen().iter().map(|s| &s.body).collect::<Vec<_>>()).unwrap();
    assert!(
        !text.contains("long-enough-secret") && !text.contains("\"short\""),
        "a value left the operator: {text}"
    );
}

#[tokio::test]
async fn an_object_of_another_owner_refuses_the_change_and_applies_nothing() {
    let mut caches = Caches::empty();
    let objects = desired_objects(&tenant(), &BuildContext::default()).unwrap();
    let mut theirs: StatefulSet = objects.stateful_sets[0].stateful_set.clone();
    theirs.metadata.owner_references = Some(vec![OwnerReference {
        kind: "Tenant".into(),
        name: "other".into(),
        uid: "uid-other".into(),
        controller: Some(true),
        ..OwnerReference::default()
    }]);
    caches.stateful_set(theirs);
    let (result, tenant, server) = run(tenant(), caches, no_rule).await;
    assert_failed(&result, ErrorClass::Validation);
    let status = written(&server);
    assert_eq!(
        (status["phase"].as_str(), status["reason"].as_str()),
        (Some("Failed"), Some("ChangeRefused"))
    );
    assert!(
        status["message"].as_str().unwrap().contains("Tenant other"),
        "{status}"
    );
    assert!(
        !server.seen().iter().any(Seen::is_apply),
        "a refused change applies nothing: {:?}",
        server.seen()
    );
    assert_eq!(
        requeue(result, tenant),
        Action::requeue(Duration::from_secs(15))
    );
}

#[tokio::test]
async fn a_data_losing_change_applies_nothing() {
    // The StatefulSet exists with 2 servers; the spec now says 1.
    let mut caches = Caches::empty();
    let before = TenantBuilder::new("t").pool("p0", 2, 4).build();
    let objects = desired_objects(&before, &BuildContext::default()).unwrap();
    caches.all(&objects, as_stored);
    let (result, _, server) = run(tenant(), caches, no_rule).await;
    assert_failed(&result, ErrorClass::Validation);
    assert_eq!(written(&server)["reason"], "ChangeRefused");
    assert!(
        !server.seen().iter().any(Seen::is_apply),
        "{:?}",
        server.seen()
    );
}

#[tokio::test]
async fn a_rejected_apply_fails_as_validation() {
    let rule = |s: &Seen, _: &[Seen]| s.is_apply().then(|| failure(422, "Invalid"));
    let (result, _, server) = run(tenant(), Caches::empty(), rule).await;
    assert_failed(&result, ErrorClass::Validation);
    let status = written(&server);
    assert_eq!(
        (status["phase"].as_str(), status["reason"].as_str()),
        (Some("Failed"), Some("ApplyRejected"))
    );
    assert_eq!(
        server.seen().iter().filter(|s| s.is_apply()).count(),
        1,
        "the first refusal stops the applies"
    );
}

#[tokio::test]
async fn a_server_error_on_apply_is_transient() {
    let rule = |s: &Seen, _: &[Seen]| s.is_apply().then(|| failure(500, "InternalError"));
    let (result, tenant, server) = run(tenant(), Caches::empty(), rule).await;
    assert_failed(&result, ErrorClass::Transient);
    assert_eq!(written(&server)["reason"], "TransientError");
    assert_eq!(
        requeue(result, tenant),
        Action::requeue(Duration::from_secs(5))
    );
}

#[tokio::test]
async fn a_failed_status_write_is_transient() {
    let rule = |s: &Seen, _: &[Seen]| s.is_status_write().then(|| failure(500, "InternalError"));
    let (result, tenant, _) = run(tenant(), Caches::empty(), rule).await;
    assert!(
        matches!(result, Err(Error::WriteStatus { .. })),
        "{result:?}"
    );
    assert_eq!(
        requeue(result, tenant),
        Action::requeue(Duration::from_secs(5))
    );
}

#[tokio::test]
async fn a_status_conflict_is_retried_on_a_fresh_copy() {
    let rule = |s: &Seen, earlier: &[Seen]| {
        let first_put = !earlier.iter().any(Seen::is_status_write);
        if s.is_status_write() && first_put {
            return Some(failure(409, "Conflict"));
        }
        (s.method == "GET" && s.path.ends_with("/tenants/t"))
            .then(|| (200, serde_json::to_value(tenant()).unwrap()))
    };
    let started = std::time::Instant::now();
    let (result, _, server) = run(tenant(), Caches::empty(), rule).await;
    result.expect("the retry succeeds");
    let tail: Vec<String> = server
        .seen()
        .iter()
        .filter(|s| s.path.contains("/tenants/t"))
        .map(|s| s.method.clone())
        .collect();
    assert_eq!(tail, ["PUT", "GET", "PUT"], "conflict, fresh read, retry");
    assert!(
        started.elapsed() >= Duration::from_millis(25),
        "the retry waited for its backoff"
    );
}

#[tokio::test]
async fn a_status_conflict_with_a_new_generation_is_left_to_the_next_reconcile() {
    let rule = |s: &Seen, _: &[Seen]| {
        if s.is_status_write() {
            return Some(failure(409, "Conflict"));
        }
        (s.method == "GET" && s.path.ends_with("/tenants/t")).then(|| {
            let mut newer = tenant();
            newer.metadata.generation = Some(2);
            (200, serde_json::to_value(newer).unwrap())
        })
    };
    let (result, _, server) = run(tenant(), Caches::empty(), rule).await;
    result.expect("superseded is not an error");
    assert_eq!(
        server.statuses().len(),
        1,
        "no write for the old spec after the conflict"
    );
}

/// The POSTs that created Secrets, by name.
fn created_secrets(server: &ApiServer) -> Vec<Value> {
    server
        .seen()
        .into_iter()
        .filter(|s| s.method == "POST" && s.path.ends_with("/secrets"))
        .map(|s| s.body)
        .collect()
}

fn events(server: &ApiServer) -> Vec<Value> {
    server
        .seen()
        .into_iter()
        .filter(|s| s.method == "POST" && s.path.contains("/events"))
        .map(|s| s.body)
        .collect()
}

#[tokio::test]
async fn a_new_tenant_gets_a_generated_internode_secret_whose_value_goes_nowhere_else() {
    let (result, _, server) = run(tenant(), Caches::empty(), no_rule).await;
    result.expect("reconcile");
    let created = created_secrets(&server);
    assert_eq!(created.len(), 1, "{created:?}");
    let value = created[0]["stringData"]["rpcsecret"]
        .as_str()
        .expect("value under rpcsecret")
        .to_owned();
    assert_eq!(value.len(), 64);
    assert_eq!(created[0]["metadata"]["name"], "t-rpc-secret");
    assert_eq!(
        created[0]["metadata"]["ownerReferences"][0]["controller"],
        true
    );
    assert_eq!(written(&server)["phase"], "Ready");
    // The value appears in that one request and nowhere else: not in the status, events,
    // applies or any other body.
    let others: Vec<Value> = server
        .seen()
        .into_iter()
        .filter(|s| !(s.method == "POST" && s.path.ends_with("/secrets")))
        .map(|s| s.body)
        .collect();
    let text = serde_json::to_string(&others).unwrap();
    assert!(!text.contains(&value), "the internode secret leaked");
    // Every pod reads it by reference.
    assert!(text.contains("\"name\":\"RUSTFS_RPC_SECRET\",\"valueFrom\":{\"secretKeyRef\":{\"key\":\"rpcsecret\",\"name\":\"t-rpc-secret\""));
    let normal: Vec<Value> = events(&server)
        .into_iter()
        .filter(|e| e["reason"] == "RpcSecretCreated")
        .collect();
    assert_eq!(normal.len(), 1);
    assert_eq!(normal[0]["type"], "Normal");
}

#[tokio::test]
async fn an_existing_internode_secret_is_never_overwritten() {
    let mut caches = Caches::empty();
    caches.secret_meta(mock::rpc_secret_meta("t", "default"));
    let rule = |s: &Seen, _: &[Seen]| {
        (s.method == "GET" && s.path.ends_with("/secrets/t-rpc-secret")).then(|| {
            (
                200,
                json!({"apiVersion": "v1", "kind": "Secret",
                       "metadata": {"name": "t-rpc-secret", "namespace": "default", "resourceVersion": "1"},
                       "stringData": {"rpcsecret": "k".repeat(40)}}),
            )
        })
    };
    let (result, _, server) = run(tenant(), caches, rule).await;
    result.expect("reconcile");
    assert!(created_secrets(&server).is_empty());
    assert!(
        !server
            .seen()
            .iter()
            .any(|s| s.path.contains("/secrets/t-rpc-secret") && s.is_write()),
        "the operator wrote to an existing internode secret"
    );
    assert_eq!(written(&server)["phase"], "Ready");
}

#[tokio::test]
async fn a_deleted_internode_secret_of_a_running_tenant_is_recreated_with_a_warning() {
    // Ready before, with a new generation so the reconcile passes the checks.
    let mut running = tenant();
    running.status = Some(crate::api::v1alpha1::TenantStatus {
        phase: Some(machine::Phase::Ready),
        observed_generation: Some(1),
        ..Default::default()
    });
    running.metadata.generation = Some(2);
    let (result, _, server) = run(running, Caches::empty(), no_rule).await;
    result.expect("reconcile");
    assert_eq!(created_secrets(&server).len(), 1);
    let warning = events(&server)
        .into_iter()
        .find(|e| e["reason"] == "RpcSecretRecreated")
        .expect("a warning event");
    assert_eq!(warning["type"], "Warning");
    let note = warning["note"].as_str().unwrap();
    assert!(note.contains("restart every server"), "{note}");
}

#[tokio::test]
async fn a_short_user_internode_secret_fails_naming_the_secret_and_key() {
    let mut t = tenant();
    t.spec.rpc_secret = Some(crate::api::v1alpha1::SecretKeyRef {
        name: "mine".into(),
        key: "rpc".into(),
    });
    let rule = |s: &Seen, _: &[Seen]| {
        (s.method == "GET" && s.path.ends_with("/secrets/mine")).then(|| {
            (
                200,
                json!({"apiVersion": "v1", "kind": "Secret",
                       "metadata": {"name": "mine", "namespace": "default", "resourceVersion": "3"},
                       "stringData": {"rpc": "tiny-value"}}),
            )
        })
    };
    let (result, _, server) = run(t, Caches::empty(), rule).await;
    assert_failed(&result, ErrorClass::Credentials);
    assert!(
        created_secrets(&server).is_empty(),
        "no generated secret with spec.rpcSecret"
    );
    let status = written(&server);
    assert_eq!(status["reason"], "CredentialsInvalid");
    let message = status["message"].as_str().unwrap();
    assert!(
        message.contains("'mine'") || message.contains("mine"),
        "{message}"
    );
    assert!(
        message.contains("rpc") && message.contains("shorter than 32"),
        "{message}"
    );
    assert!(
        !serde_json::to_string(&server.seen().iter().map(|s| &s.body).collect::<Vec<_>>())
            .unwrap()
            .contains("tiny-value")
    );
}

/// A Tenant copy at resourceVersion `rv`, with a marker in its status.
fn at_version(rv: &str, reason: &str) -> Tenant {
    let mut t = tenant();
    t.metadata.uid = Some("uid-1".into());
    t.metadata.resource_version = Some(rv.into());
    t.metadata.managed_fields = Some(vec![Default::default()]);
    t.status = Some(crate::api::v1alpha1::TenantStatus {
        reason: Some(reason.into()),
        ..Default::default()
    });
    t
}

#[tokio::test]
async fn a_remembered_write_lives_only_until_the_cache_catches_up() {
    let (client, _server) = ApiServer::start(no_rule);
    let ctx = Caches::empty().context(client);
    let cached = at_version("1", "old");
    ctx.remember_write(&cached, at_version("2", "new"));

    // The cache still shows the replaced version: the write is read back, without the
    // managedFields of the API server's answer.
    let fresher = ctx
        .read_your_writes(&cached)
        .expect("the write is read back");
    assert_eq!(fresher.status.unwrap().reason.as_deref(), Some("new"));
    assert_eq!(fresher.metadata.managed_fields, None);

    // The cache holds the write itself: the copy is dropped.
    assert!(ctx.read_your_writes(&at_version("2", "new")).is_none());
    assert!(
        ctx.read_your_writes(&cached).is_none(),
        "dropped once the cache held the write"
    );

    // A cache that moved on past the write lets the periodic prune drop it too.
    ctx.remember_write(&cached, at_version("2", "new"));
    ctx.prune(&[Arc::new(at_version("3", "later"))]);
    assert!(ctx.read_your_writes(&cached).is_none(), "pruned");

    // While the cache still shows the replaced version, the prune keeps it.
    ctx.remember_write(&cached, at_version("2", "new"));
    ctx.prune(&[Arc::new(cached.clone())]);
    assert!(ctx.read_your_writes(&cached).is_some(), "kept by the prune");
}

#[tokio::test]
async fn events_are_created_each_time_and_none_is_kept_for_a_series() {
    // A long-lived kube-runtime Recorder keeps every event for 6 minutes and turns a
    // repeat into a PATCH of the first; the operator's publisher keeps nothing.
    let (client, server) = ApiServer::start(no_rule);
    let ctx = Caches::empty().context(client);
    let mut tenant = tenant();
    tenant.metadata.namespace = Some("ns".into());
    let event = kube::runtime::events::Event {
        type_: kube::runtime::events::EventType::Normal,
        reason: "Provisioning".into(),
        note: Some("same note".into()),
        action: "Reconcile".into(),
        secondary: None,
    };
    let reference = kube::Resource::object_ref(&tenant, &());
    for _ in 0..2 {
        crate::effects::events::publish(&ctx, &event, &reference)
            .await
            .unwrap();
    }
    let writes: Vec<(String, String)> = server
        .seen()
        .into_iter()
        .map(|s| (s.method, s.path))
        .collect();
    let create = (
        "POST".to_owned(),
        "/apis/events.k8s.io/v1/namespaces/ns/events".to_owned(),
    );
    assert_eq!(
        writes,
        [create.clone(), create],
        "two creates, no series patch"
    );
}

/// A Ready Tenant, its objects, and caches holding them as stored.
async fn ready_with_caches() -> (Tenant, crate::resources::TenantObjects, Caches) {
    let (result, _, server) = run(tenant(), Caches::empty(), no_rule).await;
    result.expect("first reconcile");
    let mut ready = tenant();
    ready.status = Some(serde_json::from_value(written(&server)).unwrap());
    let objects = desired_objects(&ready, &BuildContext::default()).unwrap();
    let mut caches = Caches::empty();
    caches.all(&objects, as_stored);
    (ready, objects, caches)
}

fn stateful_set_path(sts: &StatefulSet) -> String {
    format!(
        "/apis/apps/v1/namespaces/{}/statefulsets/{}",
        sts.metadata.namespace.as_deref().unwrap(),
        sts.metadata.name.as_deref().unwrap()
    )
}

/// The StatefulSet with another image, as the API server would store it.
fn edited(sts: &StatefulSet) -> Value {
    let mut edited = as_stored(serde_json::to_value(sts).unwrap());
    edited["spec"]["template"]["spec"]["containers"][0]["image"] = json!("someone/else:1");
    edited
}

#[tokio::test]
async fn a_pod_spec_changed_by_someone_else_is_drift_and_is_applied_back() {
    // The cache keeps a digest of the pod spec, not the spec: the change is seen from it.
    let (ready, objects, mut caches) = ready_with_caches().await;
    let sts = &objects.stateful_sets[0].stateful_set;
    caches.stateful_set(serde_json::from_value(edited(sts)).unwrap());
    let (result, _, server) = run(ready, caches, no_rule).await;
    result.expect("reconcile");
    let applied: Vec<Seen> = server
        .seen()
        .into_iter()
        .filter(|s| s.is_apply() && s.path == stateful_set_path(sts))
        .collect();
    assert_eq!(applied.len(), 1, "{:?}", server.seen());
    assert_eq!(
        applied[0].body["spec"]["template"]["spec"]["containers"][0]["image"],
        json!(crate::api::v1alpha1::DEFAULT_IMAGE),
        "the operator's pod spec is sent back"
    );
}

#[tokio::test]
async fn after_a_restart_a_stateful_set_is_read_back_once_then_judged_from_the_cache() {
    let (ready, objects, mut caches) = ready_with_caches().await;
    caches.forget_applied();
    let sts = &objects.stateful_sets[0].stateful_set;
    let path = stateful_set_path(sts);
    let stored = as_stored(serde_json::to_value(sts).unwrap());
    let answer = path.clone();
    let (client, server) = ApiServer::start(move |seen, _| {
        (seen.method == "GET" && seen.path == answer).then(|| (200, stored.clone()))
    });
    let ctx = Arc::new(caches.context(client));
    let ready = Arc::new(ready);
    reconcile(ready.clone(), ctx.clone()).await.expect("first");
    let seen: Vec<(String, String)> = server
        .seen()
        .into_iter()
        .map(|s| (s.method, s.path))
        .collect();
    assert_eq!(seen, [("GET".to_owned(), path)], "one read, no write");
    reconcile(ready, ctx).await.expect("second");
    assert_eq!(
        server.seen().len(),
        1,
        "the second reconcile judges from the cache alone: {:?}",
        server.seen()
    );
}

#[tokio::test]
async fn after_a_restart_a_pod_spec_changed_meanwhile_is_applied_back() {
    let (ready, objects, mut caches) = ready_with_caches().await;
    caches.forget_applied();
    let sts = &objects.stateful_sets[0].stateful_set;
    // Edited while the operator was down: the cache and the read both show the edit.
    caches.stateful_set(serde_json::from_value(edited(sts)).unwrap());
    let path = stateful_set_path(sts);
    let answer = path.clone();
    let stored = edited(sts);
    let (result, _, server) = run(ready, caches, move |seen, _| {
        (seen.method == "GET" && seen.path == answer).then(|| (200, stored.clone()))
    })
    .await;
    result.expect("reconcile");
    let on_it: Vec<String> = server
        .seen()
        .into_iter()
        .filter(|s| s.path == path)
        .map(|s| s.method)
        .collect();
    assert!(
        on_it.first().map(String::as_str) == Some("GET") && on_it.contains(&"PATCH".to_owned()),
        "read back, then applied: {on_it:?}"
    );
}
