// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! A mock API server for the shell tests: a `tower-test` service the kube `Client` talks to.
//! Each request is recorded, then answered by the test's rule or, when the rule has no
//! opinion, by [`usual`]: applies and status writes succeed, events are accepted, reads find
//! nothing. Caches are filled directly through reflector writers.

use std::sync::{Arc, Mutex};

use http::{Request, Response};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Secret, Service, ServiceAccount};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::client::Body;
use kube::core::PartialObjectMeta;
use kube::runtime::events::Reporter;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher;
use kube::{Client, Resource};
use serde_json::{Value, json};

use crate::api::v1alpha1::Tenant;
use crate::context::{Context, OperatorConfig, Stores};
use crate::metrics::Metrics;
use crate::owned::{OwnedObject, OwnedStores};
use crate::resources::TenantObjects;

/// One request the operator made.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub body: Value,
}

impl Seen {
    /// A request that changes the cluster (anything but a read).
    pub fn is_write(&self) -> bool {
        self.method != "GET"
    }

    pub fn is_status_write(&self) -> bool {
        self.method == "PUT" && self.path.ends_with("/status")
    }

    pub fn is_apply(&self) -> bool {
        self.method == "PATCH" && !self.path.contains("/events")
    }
}

/// An answer: HTTP status code and JSON body.
pub type Reply = (u16, Value);

/// The usual answer: applies are stored (a StatefulSet as fully rolled out), status writes
/// succeed with a new resourceVersion, events are created, reads find nothing.
pub fn usual(seen: &Seen) -> Reply {
    match seen.method.as_str() {
        "PATCH" => (200, rolled_out(seen.body.clone())),
        "PUT" => {
            let mut stored = seen.body.clone();
            stored["metadata"]["resourceVersion"] = json!("2");
            (200, stored)
        }
        "POST" => (201, seen.body.clone()),
        _ => failure(404, "NotFound"),
    }
}

/// A GET of an object an earlier POST created answers with it, as stored.
fn created(seen: &Seen, earlier: &[Seen]) -> Option<Reply> {
    if seen.method != "GET" {
        return None;
    }
    let (collection, name) = seen.path.rsplit_once('/')?;
    earlier
        .iter()
        .rev()
        .find(|e| e.method == "POST" && e.path == collection && e.body["metadata"]["name"] == name)
        .map(|e| {
            let mut stored = e.body.clone();
            stored["metadata"]["resourceVersion"] = json!("1");
            (200, stored)
        })
}

/// A generated internode secret as the cache would hold it, so a reconcile of a Tenant
/// created before does not create one.
pub fn rpc_secret_meta(tenant: &str, namespace: &str) -> PartialObjectMeta<Secret> {
    let mut meta = PartialObjectMeta::<Secret>::default();
    meta.metadata.name = Some(crate::resources::names::rpc_secret(tenant));
    meta.metadata.namespace = Some(namespace.to_owned());
    meta.metadata.resource_version = Some("1".to_owned());
    meta
}

/// A Kubernetes `Status` error answer.
pub fn failure(code: u16, reason: &str) -> Reply {
    (
        code,
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
               "message": format!("mock says {reason}"), "reason": reason, "code": code}),
    )
}

/// An applied object as the API server stores it; a StatefulSet with every replica ready.
fn rolled_out(mut object: Value) -> Value {
    if object["kind"] == "StatefulSet" {
        let replicas = object["spec"]["replicas"].as_i64().unwrap_or(1);
        object["metadata"]["generation"] = json!(1);
        object["status"] = json!({
            "replicas": replicas, "readyReplicas": replicas, "updatedReplicas": replicas,
            "currentRevision": "r1", "updateRevision": "r1", "observedGeneration": 1,
        });
    }
    object
}

/// The mock API server: what it was asked, in order.
pub struct ApiServer {
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl ApiServer {
    /// Starts a server answering with `rule` first and [`usual`] where `rule` gives `None`.
    pub fn start(
        rule: impl Fn(&Seen, &[Seen]) -> Option<Reply> + Send + 'static,
    ) -> (Client, ApiServer) {
        let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            let mut handle = std::pin::pin!(handle);
            while let Some((request, respond)) = handle.next_request().await {
                let method = request.method().to_string();
                let path = request.uri().path().to_owned();
                let bytes = request
                    .into_body()
                    .collect_bytes()
                    .await
                    .unwrap_or_default();
                let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                let now = Seen { method, path, body };
                let earlier = log.lock().unwrap().clone();
                let (code, answer) = rule(&now, &earlier)
                    .or_else(|| created(&now, &earlier))
                    .unwrap_or_else(|| usual(&now));
                log.lock().unwrap().push(now);
                let response = Response::builder()
                    .status(code)
                    .header("content-type", "application/json")
                    .body(Body::from(serde_json::to_vec(&answer).unwrap()))
                    .unwrap();
                respond.send_response(response);
            }
        });
        (Client::new(service, "default"), ApiServer { seen })
    }

    /// Every request so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The status bodies written, in order.
    pub fn statuses(&self) -> Vec<Value> {
        self.seen()
            .into_iter()
            .filter(Seen::is_status_write)
            .map(|s| s.body["status"].clone())
            .collect()
    }
}

/// Caches as the reflectors would hold them, filled by hand.
pub struct Caches {
    tenants: Writer<Tenant>,
    stateful_sets: Writer<StatefulSet>,
    disruption_budgets: Writer<PodDisruptionBudget>,
    services: Writer<Service>,
    service_accounts: Writer<ServiceAccount>,
    roles: Writer<Role>,
    role_bindings: Writer<RoleBinding>,
    secrets: Writer<PartialObjectMeta<Secret>>,
    /// StatefulSets filled by [`Caches::all`], as this process would have applied them:
    /// the StatefulSet sent, and the digest of the pod spec stored.
    applied: Vec<(StatefulSet, String)>,
}

/// Stores `object` as the operator's watch would: prepared for the cache first.
fn put<K: Resource + Clone + 'static>(writer: &mut Writer<K>, mut object: K)
where
    K::DynamicType: Clone + Eq + std::hash::Hash,
{
    crate::watch::strip_for_cache(&mut object);
    writer.apply_watcher_event(&watcher::Event::Apply(object));
}

impl Caches {
    pub fn empty() -> Self {
        Self {
            tenants: Writer::new(()),
            stateful_sets: Writer::new(()),
            disruption_budgets: Writer::new(()),
            services: Writer::new(()),
            service_accounts: Writer::new(()),
            roles: Writer::new(()),
            role_bindings: Writer::new(()),
            secrets: Writer::new(()),
            applied: Vec::new(),
        }
    }

    pub fn secret_meta(&mut self, meta: PartialObjectMeta<Secret>) {
        put(&mut self.secrets, meta);
    }

    pub fn stateful_set(&mut self, sts: StatefulSet) {
        put(&mut self.stateful_sets, sts);
    }

    /// Every object of `objects`, as `stored` turns each into what the API server holds.
    pub fn all(&mut self, objects: &TenantObjects, stored: impl Fn(Value) -> Value) {
        fn back<K: serde::de::DeserializeOwned + serde::Serialize>(
            o: &K,
            stored: &impl Fn(Value) -> Value,
        ) -> K {
            serde_json::from_value(stored(serde_json::to_value(o).unwrap())).unwrap()
        }
        let TenantObjects {
            service_account,
            role,
            role_binding,
            services,
            stateful_sets,
            ignored_env: _,
            retired: _,
        } = objects;
        if let Some(o) = service_account {
            put(&mut self.service_accounts, back(o, &stored));
        }
        if let Some(o) = role {
            put(&mut self.roles, back(o, &stored));
        }
        if let Some(o) = role_binding {
            put(&mut self.role_bindings, back(o, &stored));
        }
        for o in services {
            put(&mut self.services, back(o, &stored));
        }
        for p in stateful_sets {
            let kept = back(&p.stateful_set, &stored);
            self.applied.push((
                p.stateful_set.clone(),
                OwnedObject::pod_spec_digest(&kept).unwrap(),
            ));
            put(&mut self.stateful_sets, kept);
            put(
                &mut self.disruption_budgets,
                back(&p.disruption_budget, &stored),
            );
        }
    }

    /// As after an operator restart: the caches are full, but this process applied nothing.
    pub fn forget_applied(&mut self) {
        self.applied.clear();
    }

    /// The shared context over these caches, talking to `client`.
    pub fn context(&mut self, client: Client) -> Context {
        let stores = Stores {
            tenants: self.tenants.as_reader(),
            owned: OwnedStores {
                stateful_sets: self.stateful_sets.as_reader(),
                disruption_budgets: self.disruption_budgets.as_reader(),
                services: self.services.as_reader(),
                service_accounts: self.service_accounts.as_reader(),
                roles: self.roles.as_reader(),
                role_bindings: self.role_bindings.as_reader(),
            },
            secrets: self.secrets.as_reader(),
            nodes: crate::context::NodeCache {
                store: kube::runtime::reflector::store::<k8s_openapi::api::core::v1::Node>().0,
                synced: Default::default(),
            },
        };
        let (_, synced) = tokio::sync::watch::channel(true);
        let reporter = Reporter::from("rustfs-operator");
        let ctx = Context::new(
            client,
            OperatorConfig::default(),
            stores,
            reporter,
            Metrics::new(),
            synced,
        );
        for (sts, served) in &self.applied {
            let desired = OwnedObject::pod_spec_digest(sts).unwrap();
            ctx.remember_pod_spec(sts, desired, served.clone());
        }
        ctx
    }
}

/// How the usual answer stores an applied object (for filling caches "as applied").
pub fn as_stored(object: Value) -> Value {
    rolled_out(object)
}
