// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! What every reconcile shares: the client, the operator's settings, the caches, the event
//! reporter, the metrics, and what was last learned about each credentials Secret.
//!
//! It sits below both [`crate::reconcile`] (which reads) and [`crate::effects`] (which
//! writes), so neither imports the other for it. Nothing here writes to the API server.

use std::collections::HashMap;
use std::sync::Mutex;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Node, Secret};
use kube::api::Api;
use kube::core::PartialObjectMeta;
use kube::runtime::events::Reporter;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Client, Resource};
use machine::{Credentials, Reason};

use chrono::Utc;

use crate::admin::info::StorageCheck;
use crate::api::v1alpha1::{Tenant, TlsMode, TlsStatus};
use crate::metrics::Metrics;
use crate::owned::{OwnedObject, OwnedStores};
use crate::resources::BuildContext;
use crate::resources::names;
use crate::validate;
use crate::validate::secrets::SecretProblem;

/// Operator-wide settings (from the `server` flags).
#[derive(Clone, Debug, Default)]
pub struct OperatorConfig {
    /// Watch only this namespace; all namespaces when `None`.
    pub namespace: Option<String>,
    /// Cluster domain and default image for the builders.
    pub build: BuildContext,
    /// Tunables of the state machine.
    pub machine: machine::Config,
    /// How many Tenants reconcile at once.
    pub concurrency: u16,
    /// Storage health polling through RustFS's admin API (see [`crate::storage`]).
    pub storage: StoragePolling,
    /// How long a Node must be down before `podDeletionPolicyWhenNodeIsDown` acts.
    pub node_down_grace: std::time::Duration,
}

/// Settings of the storage health poller (from the `server` flags).
#[derive(Clone, Debug)]
pub struct StoragePolling {
    /// Between two rounds; zero turns polling off.
    pub interval: std::time::Duration,
    /// Tenants checked at once.
    pub concurrency: usize,
    /// Timeouts and retries of each admin call.
    pub client: crate::admin::Settings,
}

impl Default for StoragePolling {
    fn default() -> Self {
        StoragePolling {
            interval: std::time::Duration::from_secs(30),
            concurrency: 4,
            client: crate::admin::Settings::default(),
        }
    }
}

/// Reflector caches the reconciler reads instead of issuing GETs.
#[derive(Clone)]
pub struct Stores {
    pub tenants: Store<Tenant>,
    /// One per owned kind (see [`crate::owned`]).
    pub owned: OwnedStores,
    /// Metadata only: credential values are never cached.
    pub secrets: Store<PartialObjectMeta<Secret>>,
    /// Every Node, stripped to its name, taints and Ready condition (`nodes::strip`).
    pub nodes: NodeCache,
}

/// The Node cache, and whether it holds its first full list. It does not gate readiness: an
/// operator without the right to list Nodes (one namespace, RoleBinding only) runs, with
/// `podDeletionPolicyWhenNodeIsDown` inactive.
#[derive(Clone)]
pub struct NodeCache {
    pub store: Store<Node>,
    pub synced: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl NodeCache {
    /// The health of Node `name`, `None` when it does not exist. Only meaningful once
    /// [`NodeCache::is_synced`]: before that every Node looks gone.
    pub fn health(&self, name: &str) -> Option<crate::nodes::NodeHealth> {
        self.store
            .get(&ObjectRef::new(name))
            .map(|n| crate::nodes::NodeHealth::of(&n))
    }

    pub fn is_synced(&self) -> bool {
        self.synced.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Some Node is not Ready.
    pub fn any_down(&self) -> bool {
        let health: Vec<_> = self
            .store
            .state()
            .iter()
            .map(|n| crate::nodes::NodeHealth::of(n))
            .collect();
        crate::nodes::any_down(&health)
    }
}

/// What one check reads: a Secret, in a role.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct CheckKey {
    secret: ObjectRef<Secret>,
    role: Role,
}

/// The role a Secret plays for a Tenant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Role {
    /// `spec.credsSecret`.
    Credentials,
    /// The internode secret, under this key.
    Rpc(String),
    /// The TLS Secret, with the CA's Secret and key.
    Tls(String, String),
}

/// A verdict, never a value.
#[derive(Clone, Debug)]
enum Verdict {
    Credentials(Credentials),
    Rpc(Option<SecretProblem>),
    Tls(Result<TlsStatus, SecretProblem>),
}

/// The last verdict of one check, keyed by the resourceVersions it was made for.
struct SecretVerdict {
    version: String,
    verdict: Verdict,
}

/// What the check of a Tenant's Secrets found.
#[derive(Clone, Debug)]
pub struct SecretsVerdict {
    /// For the machine: the first problem, else the credentials' state.
    pub credentials: Credentials,
    /// The TLS certificate's public facts, or its problem; `None` with TLS off.
    pub tls: Option<Result<TlsStatus, SecretProblem>>,
}

/// A certificate judged valid earlier may have expired since.
fn still_valid(status: TlsStatus, now: chrono::DateTime<Utc>) -> Result<TlsStatus, SecretProblem> {
    match status.not_after {
        Some(t) if t < now => Err(SecretProblem::Invalid {
            secret: status.secret.clone(),
            key: validate::secrets::TLS_CERT_KEY.to_owned(),
            problem: format!("the certificate expired at {t}: renew it"),
        }),
        _ => Ok(status),
    }
}

/// Shared by every reconcile.
pub struct Context {
    pub client: Client,
    pub config: OperatorConfig,
    pub stores: Stores,
    /// Who the operator's Events say they come from (`effects::events::publish`).
    pub reporter: Reporter,
    pub metrics: Metrics,
    synced: tokio::sync::watch::Receiver<bool>,
    secrets_checked: Mutex<HashMap<CheckKey, SecretVerdict>>,
    last_event: Mutex<HashMap<ObjectRef<Tenant>, (Reason, String)>>,
    written: Mutex<HashMap<String, OwnWrite>>,
    /// The last storage check of each Tenant (by uid): a report, never a credential.
    storage: Mutex<HashMap<String, StorageCheck>>,
    /// Pods (by uid) whose "not forced" explanation was already recorded.
    explained: Mutex<std::collections::HashSet<String>>,
    /// StatefulSet -> the pod spec last applied or read back.
    pod_specs: Mutex<HashMap<ObjectRef<StatefulSet>, AppliedPodSpec>>,
}

/// A pod spec this operator applied (or read back and found in place): the digest of the
/// spec it would send, and of the spec the API server stored (defaults filled in).
#[derive(Clone, Debug, PartialEq, Eq)]
struct AppliedPodSpec {
    desired: String,
    served: String,
}

/// The cache key of an owned object that is a StatefulSet.
fn stateful_set_ref(sts: &dyn OwnedObject) -> ObjectRef<StatefulSet> {
    ObjectRef::new(&sts.name()).within(&sts.namespace())
}

/// A status this operator wrote: the resourceVersion it replaced and the Tenant stored.
struct OwnWrite {
    replaced: String,
    stored: Tenant,
}

impl Context {
    pub fn new(
        client: Client,
        config: OperatorConfig,
        stores: Stores,
        reporter: Reporter,
        metrics: Metrics,
        synced: tokio::sync::watch::Receiver<bool>,
    ) -> Self {
        Self {
            client,
            config,
            stores,
            reporter,
            metrics,
            synced,
            secrets_checked: Mutex::default(),
            last_event: Mutex::default(),
            written: Mutex::default(),
            storage: Mutex::default(),
            explained: Mutex::default(),
            pod_specs: Mutex::default(),
        }
    }

    /// Remembers that StatefulSet `sts`, applied with the pod spec of digest `desired`, is
    /// stored with the pod spec of digest `served`.
    pub fn remember_pod_spec(&self, sts: &dyn OwnedObject, desired: String, served: String) {
        self.pod_specs
            .lock()
            .expect("lock")
            .insert(stateful_set_ref(sts), AppliedPodSpec { desired, served });
    }

    /// Whether StatefulSet `sts` holds the pod spec we would apply (digest `desired`), its
    /// cached copy showing a stored spec of digest `served`: `Some(true)` when this process
    /// applied (or read back) that very spec and the stored one has not changed since,
    /// `Some(false)` when either changed, `None` when this process never applied or read it
    /// (after a restart: `reconcile::checks` then reads the StatefulSet once).
    pub fn pod_spec_in_place(
        &self,
        sts: &dyn OwnedObject,
        desired: &str,
        served: Option<&str>,
    ) -> Option<bool> {
        let pod_specs = self.pod_specs.lock().expect("lock");
        let known = pod_specs.get(&stateful_set_ref(sts))?;
        Some(known.desired == desired && Some(known.served.as_str()) == served)
    }

    /// Resolves once every cache holds its first full list. The controller itself only
    /// waits for the Tenant cache; judging drift from a half-filled cache of owned objects
    /// would re-apply objects that exist (after every operator restart).
    pub async fn caches_synced(&self) {
        let mut synced = self.synced.clone();
        // Err means the sender is gone, which only happens on shutdown.
        let _ = synced.wait_for(|s| *s).await;
    }

    /// A Secret the Tenant's pods read (credentials, internode secret, TLS certificate or
    /// CA) changed, appeared or went away since its last verdict, judged from the metadata
    /// cache alone.
    pub fn credentials_changed(&self, tenant: &Tenant) -> bool {
        let checked = self.secrets_checked.lock().expect("lock");
        self.checks(tenant).into_iter().any(|(key, version)| {
            checked.get(&key).map(|v| v.version.as_str()) != version.as_deref()
        })
    }

    /// The checks a Tenant needs, each with the version of what it reads (the Secrets'
    /// resourceVersions from the metadata cache, `None` when one is absent).
    fn checks(&self, tenant: &Tenant) -> Vec<(CheckKey, Option<String>)> {
        let ns = tenant.namespace_or_default();
        let version = |names: &[&str]| -> Option<String> {
            names
                .iter()
                .map(|n| {
                    let key = ObjectRef::<PartialObjectMeta<Secret>>::new(n).within(ns);
                    self.stores
                        .secrets
                        .get(&key)
                        .and_then(|m| m.meta().resource_version.clone())
                })
                .collect::<Option<Vec<_>>>()
                .map(|v| v.join("/"))
        };
        let key = |name: &str, role| CheckKey {
            secret: ObjectRef::new(name).within(ns),
            role,
        };
        let mut out = Vec::new();
        if let Some(c) = &tenant.spec.creds_secret {
            out.push((key(&c.name, Role::Credentials), version(&[&c.name])));
        }
        let rpc = names::rpc_secret_ref(tenant.name(), &tenant.spec);
        out.push((
            key(&rpc.name, Role::Rpc(rpc.key.clone())),
            version(&[&rpc.name]),
        ));
        if let Some((secret, ca)) = names::tls_secrets(tenant.name(), &tenant.spec) {
            // The names a certificate must cover follow the pools: a spec change re-checks.
            let generation = tenant.metadata.generation.unwrap_or_default();
            out.push((
                key(&secret, Role::Tls(ca.name.clone(), ca.key.clone())),
                version(&[&secret, &ca.name]).map(|v| format!("{v}/{generation}")),
            ));
        }
        out
    }

    /// Checks every Secret the Tenant's pods read; the first problem wins, in the order
    /// credentials, internode secret, TLS.
    ///
    /// Existence comes from the metadata cache. Values are read (one GET per Secret) only
    /// when a version differs from the one last judged, and only the verdict is kept, never
    /// a value.
    pub async fn credentials(&self, tenant: &Tenant) -> Result<SecretsVerdict, kube::Error> {
        let mut credentials = Credentials::NotConfigured;
        let mut tls = None;
        for (key, version) in self.checks(tenant) {
            let cached = self
                .secrets_checked
                .lock()
                .expect("lock")
                .get(&key)
                .filter(|v| version.as_deref() == Some(v.version.as_str()))
                .map(|v| v.verdict.clone());
            let verdict = match cached {
                Some(v) => v,
                None => self.judge(tenant, &key).await?,
            };
            match verdict {
                Verdict::Credentials(c) => credentials = c,
                Verdict::Rpc(Some(problem)) => {
                    if !matches!(
                        credentials,
                        Credentials::Missing { .. } | Credentials::Invalid { .. }
                    ) {
                        credentials = problem.into();
                    }
                }
                Verdict::Rpc(None) => {}
                Verdict::Tls(result) => {
                    let result = result.and_then(|s| still_valid(s, Utc::now()));
                    match result {
                        Ok(status) => tls = Some(Ok(status)),
                        Err(problem) => {
                            tls = Some(Err(problem.clone()));
                            if !matches!(
                                credentials,
                                Credentials::Missing { .. } | Credentials::Invalid { .. }
                            ) {
                                credentials = problem.into();
                            }
                        }
                    }
                }
            }
        }
        Ok(SecretsVerdict { credentials, tls })
    }

    /// The last TLS verdict for the Tenant, without reading anything.
    pub fn tls_verdict(&self, tenant: &Tenant) -> Option<Result<TlsStatus, SecretProblem>> {
        let checked = self.secrets_checked.lock().expect("lock");
        self.checks(tenant)
            .into_iter()
            .find_map(|(key, _)| match &key.role {
                Role::Tls(..) => match checked.get(&key).map(|v| &v.verdict) {
                    Some(Verdict::Tls(r)) => Some(r.clone()),
                    _ => None,
                },
                _ => None,
            })
    }

    /// Reads the Secrets of one check and judges them; the verdict is remembered with the
    /// resourceVersions it was made for.
    async fn judge(&self, tenant: &Tenant, key: &CheckKey) -> Result<Verdict, kube::Error> {
        let ns = tenant.namespace_or_default();
        let api: Api<Secret> = Api::namespaced(self.client.clone(), ns);
        let name = key.secret.name.clone();
        let secret = api.get_opt(&name).await?;
        let rv = |s: &Option<Secret>| s.as_ref().and_then(|s| s.metadata.resource_version.clone());
        // Judge, then keep only the verdict: the values go out of scope right here.
        let (verdict, version) = match &key.role {
            Role::Credentials => (
                Verdict::Credentials(
                    validate::check_credentials_secret(secret.as_ref(), &name).map_or_else(
                        Credentials::from,
                        |()| Credentials::Ok {
                            secret: name.clone(),
                        },
                    ),
                ),
                rv(&secret),
            ),
            Role::Rpc(k) => (
                Verdict::Rpc(
                    validate::secrets::check_rpc_secret(
                        secret.as_ref(),
                        &name,
                        k,
                        tenant.spec.rpc_secret.is_none(),
                    )
                    .err(),
                ),
                rv(&secret),
            ),
            Role::Tls(ca_name, ca_key) => {
                let ca = if *ca_name == name {
                    secret.clone()
                } else {
                    api.get_opt(ca_name).await?
                };
                let required = names::tls_required_names(
                    tenant.name(),
                    ns,
                    &self.config.build.cluster_domain,
                    &tenant.spec.pools,
                );
                let fix = match tenant.spec.tls.as_ref().map(|t| t.mode) {
                    Some(TlsMode::CertManager) => format!(
                        "cert-manager has not issued Certificate {name} yet; see `kubectl describe certificate {name}` and its issuer"
                    ),
                    _ => "create a kubernetes.io/tls Secret with 'tls.crt', 'tls.key' and 'ca.crt', or point spec.tls.secretName at one".to_owned(),
                };
                let verdict = validate::secrets::check_tls(
                    secret.as_ref(),
                    &name,
                    ca.as_ref(),
                    ca_name,
                    ca_key,
                    &required,
                    Utc::now(),
                    &fix,
                );
                let version = rv(&secret).zip(rv(&ca)).map(|(a, b)| {
                    format!("{a}/{b}/{}", tenant.metadata.generation.unwrap_or_default())
                });
                (Verdict::Tls(verdict), version)
            }
        };
        if let Some(version) = version {
            self.secrets_checked.lock().expect("lock").insert(
                key.clone(),
                SecretVerdict {
                    version,
                    verdict: verdict.clone(),
                },
            );
        }
        Ok(verdict)
    }

    /// Remembers a status write: until the cache catches up, a Tenant still at
    /// `replaced` is read as `stored`.
    pub fn remember_write(&self, replaced: &Tenant, mut stored: Tenant) {
        let (Some(uid), Some(rv)) = (&replaced.metadata.uid, &replaced.metadata.resource_version)
        else {
            return;
        };
        // As the caches do: the write's answer carries managedFields, which nothing reads.
        stored.metadata.managed_fields = None;
        self.written.lock().expect("lock").insert(
            uid.clone(),
            OwnWrite {
                replaced: rv.clone(),
                stored,
            },
        );
    }

    /// The Tenant as this operator last stored it, when the cached copy is the one that
    /// write replaced (the watch has not delivered the write yet). Without this, a reconcile
    /// woken by an owned object's event in that window would start from the old status:
    /// run the pipeline again and collide with its own write.
    pub fn read_your_writes(&self, tenant: &Tenant) -> Option<Tenant> {
        let uid = tenant.metadata.uid.as_ref()?;
        let mut written = self.written.lock().expect("lock");
        let w = written.get(uid)?;
        let cached = tenant.metadata.resource_version.as_ref();
        if cached == Some(&w.replaced) {
            return Some(w.stored.clone());
        }
        // The cache holds the write itself: the copy is of no more use. Dropping it here (and
        // in `prune`) keeps one Tenant copy per write in flight, not one per Tenant.
        if cached.is_some() && cached == w.stored.metadata.resource_version.as_ref() {
            written.remove(uid);
        }
        None
    }

    /// Drops what is remembered about Tenants that no longer exist and Secrets no Tenant
    /// references, so the maps stay as large as the set of live Tenants.
    pub fn prune(&self, tenants: &[std::sync::Arc<Tenant>]) {
        let live: std::collections::HashSet<ObjectRef<Tenant>> = tenants
            .iter()
            .map(|t| ObjectRef::from_obj(t.as_ref()))
            .collect();
        let referenced: std::collections::HashSet<ObjectRef<Secret>> = tenants
            .iter()
            .flat_map(|t| {
                names::referenced_secrets(t.name(), &t.spec)
                    .into_iter()
                    .map(|name| ObjectRef::new(&name).within(t.namespace_or_default()))
            })
            .collect();
        self.last_event
            .lock()
            .expect("lock")
            .retain(|k, _| live.contains(k));
        let uids: std::collections::HashSet<&String> = tenants
            .iter()
            .filter_map(|t| t.metadata.uid.as_ref())
            .collect();
        let versions: HashMap<&String, Option<&String>> = tenants
            .iter()
            .filter_map(|t| {
                Some((
                    t.metadata.uid.as_ref()?,
                    t.metadata.resource_version.as_ref(),
                ))
            })
            .collect();
        self.storage
            .lock()
            .expect("lock")
            .retain(|uid, _| uids.contains(uid));
        // A write is remembered only while the cache still shows the version it replaced: a
        // cache that moved on (the watch delivered the write, or a later one) has no use for
        // it. Should the watch lag a chain of two writes by a whole prune period, the next
        // reconcile reads the older status and its write gets a conflict, retried: no harm.
        self.written
            .lock()
            .expect("lock")
            .retain(|uid, w| versions.get(uid) == Some(&Some(&w.replaced)));
        self.secrets_checked
            .lock()
            .expect("lock")
            .retain(|k, _| referenced.contains(&k.secret));
        let stateful_sets = &self.stores.owned.stateful_sets;
        self.pod_specs
            .lock()
            .expect("lock")
            .retain(|sts, _| stateful_sets.get(sts).is_some());
    }

    /// The Tenant's last storage check, if any since the operator started.
    pub fn storage_check(&self, tenant: &Tenant) -> Option<StorageCheck> {
        let uid = tenant.metadata.uid.as_ref()?;
        self.storage.lock().expect("lock").get(uid).cloned()
    }

    /// Remembers a storage check; returns the one it replaces.
    pub fn record_storage_check(
        &self,
        tenant: &Tenant,
        check: StorageCheck,
    ) -> Option<StorageCheck> {
        let uid = tenant.metadata.uid.clone()?;
        self.storage.lock().expect("lock").insert(uid, check)
    }

    /// True the first time it is asked about a pod: an explanation of why a pod on a down
    /// node is not force-deleted is recorded once per pod, not once per reconcile. Bounded:
    /// forgotten wholesale past 10,000 pods.
    pub fn first_explanation(&self, pod_uid: &str) -> bool {
        let mut explained = self.explained.lock().expect("lock");
        if explained.len() > 10_000 {
            explained.clear();
        }
        explained.insert(pod_uid.to_owned())
    }

    /// True when this event differs from the last one recorded for the Tenant, and remembers
    /// it: a Tenant waiting for a Secret gets one event, not one per retry.
    pub fn is_new_event(&self, tenant: &Tenant, reason: Reason, message: &str) -> bool {
        let key = ObjectRef::from_obj(tenant);
        let mut last = self.last_event.lock().expect("lock");
        let entry = (reason, message.to_owned());
        if last.get(&key) == Some(&entry) {
            return false;
        }
        last.insert(key, entry);
        true
    }
}
