// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Controller wiring: which objects are watched, which caches the reconciler reads, and how
//! the process shuts down. The per-Tenant logic lives in [`crate::reconcile`].

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::{Node, Secret};
use kube::api::{Api, ListParams};
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{self, Controller};
use kube::runtime::events::Reporter;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;
use snafu::{ResultExt, Snafu};
use tracing::{debug, info, warn};

use crate::api::v1alpha1::{PodDeletionPolicy, Tenant};
use crate::context::{Context, NodeCache, OperatorConfig, Stores};
use crate::http::Readiness;
use crate::metrics::Metrics;
use crate::owned::{CACHES, Owned, OwnedStores, WatchOwned};
use crate::reconcile::{error_policy, reconcile};
use crate::resources::labels::{MANAGED_BY, MANAGED_BY_VALUE};

/// Why the controller could not start.
#[derive(Debug, Snafu)]
pub enum StartError {
    /// The API server could not be reached, or refused our credentials.
    #[snafu(display(
        "cannot reach the Kubernetes API server: {source}. Check KUBECONFIG or the in-cluster service account"
    ))]
    Unreachable { source: kube::Error },
    /// The Tenant CRD is missing.
    #[snafu(display(
        "the Tenant CRD (tenants.rustfs.com) is not installed: install it with `rustfs-operator crd | kubectl apply -f -` (or kubectl apply -f deploy/crd/tenant.yaml)"
    ))]
    CrdMissing,
    /// The CRD exists but we may not list Tenants.
    #[snafu(display(
        "cannot list Tenants: {source}. Check the operator's RBAC (deploy/rbac.yaml)"
    ))]
    CannotList { source: kube::Error },
}

/// Checks, before any watch starts, that the cluster answers and the CRD is there, so a
/// misconfigured deployment exits with a clear message instead of retrying forever.
pub async fn preflight(client: &Client, namespace: Option<&str>) -> Result<(), StartError> {
    client.apiserver_version().await.context(UnreachableSnafu)?;
    let tenants: Api<Tenant> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    match tenants.list(&ListParams::default().limit(1)).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(e)) if e.code == 404 => CrdMissingSnafu.fail(),
        Err(source) => Err(StartError::CannotList { source }),
    }
}

fn api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// Counts the caches that have not received their first full list yet, and marks the
/// operator ready when none is left. (Awaiting `Store::wait_until_ready` from a second task
/// is unreliable: its one-shot wakes only the last poller, which can starve the controller.)
#[derive(Clone)]
struct SyncTracker {
    pending: Arc<AtomicUsize>,
    readiness: Readiness,
    synced: Arc<tokio::sync::watch::Sender<bool>>,
}

impl SyncTracker {
    fn new(caches: usize, readiness: Readiness) -> Self {
        Self {
            pending: Arc::new(AtomicUsize::new(caches)),
            readiness,
            synced: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }

    /// Passes a watch stream through, counting its first `InitDone`.
    fn track<K: Send + 'static>(
        &self,
        kind: String,
        stream: impl Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send + 'static,
    ) -> impl Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send + 'static {
        let tracker = self.clone();
        let mut synced = false;
        stream.inspect(move |event| {
            if !synced && matches!(event, Ok(watcher::Event::InitDone)) {
                synced = true;
                debug!(%kind, "cache synced");
                if tracker.pending.fetch_sub(1, Ordering::AcqRel) == 1 {
                    info!("all caches synced; operator ready");
                    tracker.synced.send_replace(true);
                    tracker.readiness.set_ready();
                }
            }
        })
    }
}

/// A cache of one kind of object plus the watch stream that feeds it.
fn cached<K>(
    client: &Client,
    namespace: Option<&str>,
    config: watcher::Config,
    sync: &SyncTracker,
) -> (
    Store<K>,
    impl Stream<Item = Result<K, watcher::Error>> + Send + 'static,
)
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
    K: Clone + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
{
    let (reader, writer) = reflector::store();
    let events = sync.track(
        K::kind(&()).into_owned(),
        watcher(api::<K>(client, namespace), config)
            .backoff(crate::watch::WatchBackoff::default())
            .modify(crate::watch::strip_for_cache),
    );
    let kind = K::kind(&()).into_owned();
    let stream = crate::watch::settled(kind, reader.clone(), reflector::reflector(writer, events));
    (reader, stream)
}

/// Wires the watch of each owned kind: a cache filtered on our managed-by label (watching
/// only those keeps the caches small), whose events wake the Tenant that owns the object.
struct Owning<'a> {
    client: &'a Client,
    namespace: Option<&'a str>,
    sync: &'a SyncTracker,
    controller: Option<Controller<Tenant>>,
}

impl WatchOwned for Owning<'_> {
    fn watch<K: Owned>(&mut self) -> Store<K> {
        let labels = watcher::Config::default().labels(&format!("{MANAGED_BY}={MANAGED_BY_VALUE}"));
        let (store, stream) = cached::<K>(self.client, self.namespace, labels, self.sync);
        self.controller = self.controller.take().map(|c| c.owns_stream(stream));
        store
    }
}

/// Runs the Tenant controller until SIGTERM/SIGINT, then lets running reconciles finish.
pub async fn run(
    client: Client,
    config: OperatorConfig,
    metrics: Metrics,
    readiness: Readiness,
) -> Result<(), StartError> {
    let ns = config.namespace.clone();
    let ns = ns.as_deref();
    preflight(&client, ns).await?;

    // Tenants, Secret metadata, and one cache per owned kind (see crate::owned).
    let readiness_on_stop = readiness.clone();
    let sync = SyncTracker::new(CACHES, readiness);
    let (tenants, tenant_stream) = cached::<Tenant>(&client, ns, watcher::Config::default(), &sync);

    // Secrets: metadata only. The operator never keeps credential values in memory; it reads
    // a referenced Secret when its resourceVersion changes (see Context::credentials).
    let (secrets, secrets_writer) = reflector::store::<PartialObjectMeta<Secret>>();
    let secret_events = sync.track(
        "Secret".to_owned(),
        watcher(
            api::<PartialObjectMeta<Secret>>(&client, ns),
            watcher::Config::default(),
        )
        .backoff(crate::watch::WatchBackoff::default())
        .modify(crate::watch::strip_secret_metadata),
    );
    let secret_stream = crate::watch::settled(
        "Secret",
        secrets.clone(),
        reflector::reflector(secrets_writer, secret_events),
    );

    // Nodes, stripped: a Node going down wakes the Tenants whose policy acts on it. Not
    // counted for readiness (see NodeCache).
    let (node_store, node_writer) = reflector::store::<Node>();
    let nodes = NodeCache {
        store: node_store,
        synced: Arc::default(),
    };
    let node_stream = crate::watch::settled(
        "Node",
        nodes.store.clone(),
        reflector::reflector(node_writer, node_events(&client, nodes.synced.clone())),
    );

    let controller = Controller::for_stream(tenant_stream, tenants.clone())
        .with_config(controller::Config::default().concurrency(config.concurrency))
        // The watches retry on their own and their errors stop in watch::settled; should one
        // still arrive, it must not hold every watch back for long.
        .trigger_backoff(crate::watch::WatchBackoff::default());
    let mut owning = Owning {
        client: &client,
        namespace: ns,
        sync: &sync,
        controller: Some(controller),
    };
    let owned = OwnedStores::watch(&mut owning);
    let controller = owning.controller.expect("the controller is handed back");

    let stores = Stores {
        tenants: tenants.clone(),
        owned,
        secrets,
        nodes,
    };
    let reporter = Reporter::from("rustfs-operator");
    let ctx = Arc::new(Context::new(
        client,
        config,
        stores,
        reporter,
        metrics.clone(),
        sync.synced.subscribe(),
    ));

    // Storage health: the poller wakes a Tenant when RustFS reports something new.
    let (wake, woken) = futures::channel::mpsc::channel(1024);
    tokio::spawn(crate::storage::run(ctx.clone(), wake));

    // Housekeeping that follows the Tenant cache: the phase gauge (so deleted Tenants leave
    // it) and the per-Tenant memory of the context.
    tokio::spawn({
        let tenants = tenants.clone();
        let ctx = ctx.clone();
        async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(15));
            loop {
                tick.tick().await;
                let phases: Vec<(String, String)> = tenants
                    .state()
                    .iter()
                    .filter_map(|t| {
                        let phase = t.status.as_ref()?.phase?;
                        Some((
                            format!("{}/{}", t.namespace_or_default(), t.name()),
                            phase.to_string(),
                        ))
                    })
                    .collect();
                metrics.set_tenant_phases(phases.iter().map(|(k, p)| (k.as_str(), p.as_str())));
                ctx.prune(&tenants.state());
            }
        }
    });

    let tenants_of_nodes = tenants.clone();
    controller
        .watches_stream(secret_stream, move |secret| {
            tenants_referencing(&tenants, &secret)
        })
        .reconcile_on(woken)
        .watches_stream(node_stream, move |node| {
            tenants_acting_on(&tenants_of_nodes, &node)
        })
        .graceful_shutdown_on(shutdown_signal(readiness_on_stop))
        .run(reconcile, error_policy, ctx)
        .for_each(|result| async move {
            if let Err(e) = result {
                // Reconcile errors are already in status, metrics and the reconcile span.
                warn!(error = %e, "reconcile did not complete");
            }
        })
        .await;
    info!("controller stopped");
    Ok(())
}

/// The watch of every Node, each stripped to what the dead-node check reads. Marks `synced`
/// at the first full list; a watch that fails (no right to list Nodes) logs and retries,
/// and the check stays off meanwhile.
fn node_events(
    client: &Client,
    synced: Arc<std::sync::atomic::AtomicBool>,
) -> impl Stream<Item = Result<watcher::Event<Node>, watcher::Error>> + Send + 'static {
    let mut warned = false;
    watcher(Api::<Node>::all(client.clone()), watcher::Config::default())
        .backoff(crate::watch::WatchBackoff::default())
        .modify(crate::nodes::strip)
        .inspect(move |event| match event {
            Ok(watcher::Event::InitDone) if !synced.swap(true, Ordering::AcqRel) => {
                debug!("node cache synced");
            }
            Err(e) if !warned => {
                warned = true;
                warn!(error = %e, "cannot watch Nodes: podDeletionPolicyWhenNodeIsDown stays inactive until this works (RBAC: nodes list, watch)");
            }
            _ => {}
        })
}

/// Tenants that act on pods of a down Node: a Node event only wakes anyone while the Node
/// is not Ready, and only Tenants whose policy is not `DoNothing`.
fn tenants_acting_on(tenants: &Store<Tenant>, node: &Node) -> Vec<ObjectRef<Tenant>> {
    if crate::nodes::NodeHealth::of(node).down_since.is_none() {
        return Vec::new();
    }
    tenants
        .state()
        .iter()
        .filter(|t| {
            t.spec
                .pod_deletion_policy_when_node_is_down
                .is_some_and(|p| p != PodDeletionPolicy::DoNothing)
        })
        .map(|t| ObjectRef::from_obj(t.as_ref()))
        .collect()
}

/// Tenants in the Secret's namespace that read it (credentials, internode secret, TLS
/// certificate or CA): a Secret created or changed after its Tenant wakes that Tenant at
/// once, so a renewed certificate or a deleted internode secret is seen at once.
fn tenants_referencing(
    tenants: &Store<Tenant>,
    secret: &PartialObjectMeta<Secret>,
) -> Vec<ObjectRef<Tenant>> {
    let (Some(name), Some(ns)) = (&secret.metadata.name, &secret.metadata.namespace) else {
        return Vec::new();
    };
    tenants
        .state()
        .iter()
        .filter(|t| t.metadata.namespace.as_ref() == Some(ns))
        .filter(|t| crate::resources::names::referenced_secrets(t.name(), &t.spec).contains(name))
        .map(|t| ObjectRef::from_obj(t.as_ref()))
        .collect()
}

/// Resolves on SIGTERM or SIGINT, after marking the operator not ready so no new traffic
/// (or rollout of a new replica) counts on it while running reconciles finish.
pub async fn shutdown_signal(readiness: Readiness) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    info!("shutdown requested; finishing running reconciles");
    readiness.set_not_ready();
}
