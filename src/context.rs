// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! What every reconcile shares: the client, the operator's settings, the caches, the event
//! recorder, the metrics, and what was last learned about each credentials Secret.
//!
//! It sits below both [`crate::reconcile`] (which reads) and [`crate::effects`] (which
//! writes), so neither imports the other for it. Nothing here writes to the API server.

use std::collections::HashMap;
use std::sync::Mutex;

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::core::PartialObjectMeta;
use kube::runtime::events::Recorder;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Client, Resource};
use machine::{Credentials, Reason};

use crate::api::v1alpha1::Tenant;
use crate::metrics::Metrics;
use crate::owned::OwnedStores;
use crate::resources::BuildContext;
use crate::validate;

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
}

/// Reflector caches the reconciler reads instead of issuing GETs.
#[derive(Clone)]
pub struct Stores {
    pub tenants: Store<Tenant>,
    /// One per owned kind (see [`crate::owned`]).
    pub owned: OwnedStores,
    /// Metadata only: credential values are never cached.
    pub secrets: Store<PartialObjectMeta<Secret>>,
}

/// The last verdict on one Secret, keyed by the resourceVersion it was made for.
struct SecretVerdict {
    resource_version: String,
    credentials: Credentials,
}

/// Shared by every reconcile.
pub struct Context {
    pub client: Client,
    pub config: OperatorConfig,
    pub stores: Stores,
    pub recorder: Recorder,
    pub metrics: Metrics,
    synced: tokio::sync::watch::Receiver<bool>,
    secrets_checked: Mutex<HashMap<ObjectRef<Secret>, SecretVerdict>>,
    last_event: Mutex<HashMap<ObjectRef<Tenant>, (Reason, String)>>,
    written: Mutex<HashMap<String, OwnWrite>>,
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
        recorder: Recorder,
        metrics: Metrics,
        synced: tokio::sync::watch::Receiver<bool>,
    ) -> Self {
        Self {
            client,
            config,
            stores,
            recorder,
            metrics,
            synced,
            secrets_checked: Mutex::default(),
            last_event: Mutex::default(),
            written: Mutex::default(),
        }
    }

    /// Resolves once every cache holds its first full list. The controller itself only
    /// waits for the Tenant cache; judging drift from a half-filled cache of owned objects
    /// would re-apply objects that exist (after every operator restart).
    pub async fn caches_synced(&self) {
        let mut synced = self.synced.clone();
        // Err means the sender is gone, which only happens on shutdown.
        let _ = synced.wait_for(|s| *s).await;
    }

    /// The Tenant's credentials Secret changed (or appeared, or went away) since its last
    /// verdict, judged from the metadata cache alone. `false` without a `credsSecret`.
    pub fn credentials_changed(&self, tenant: &Tenant) -> bool {
        let Some(reference) = &tenant.spec.creds_secret else {
            return false;
        };
        let ns = tenant.namespace_or_default();
        let meta_key = ObjectRef::<PartialObjectMeta<Secret>>::new(&reference.name).within(ns);
        let current = self
            .stores
            .secrets
            .get(&meta_key)
            .and_then(|m| m.meta().resource_version.clone());
        let key = ObjectRef::<Secret>::new(&reference.name).within(ns);
        let checked = self
            .secrets_checked
            .lock()
            .expect("lock")
            .get(&key)
            .map(|v| v.resource_version.clone());
        current != checked
    }

    /// Checks the Tenant's credentials Secret.
    ///
    /// Existence comes from the metadata cache. The values are read (one GET) only when the
    /// Secret's resourceVersion differs from the one last checked, and only the verdict is
    /// kept, never the values.
    pub async fn credentials(&self, tenant: &Tenant) -> Result<Credentials, kube::Error> {
        let Some(reference) = &tenant.spec.creds_secret else {
            return Ok(Credentials::NotConfigured);
        };
        let ns = tenant.namespace_or_default();
        let key = ObjectRef::<Secret>::new(&reference.name).within(ns);
        let meta_key = ObjectRef::<PartialObjectMeta<Secret>>::new(&reference.name).within(ns);
        let cached = self.stores.secrets.get(&meta_key);
        let Some(rv) = cached
            .as_ref()
            .and_then(|m| m.meta().resource_version.clone())
        else {
            // Not in the cache: it may have been created a moment ago, so ask once.
            return self.read_secret(ns, &reference.name, key).await;
        };
        if let Some(v) = self.secrets_checked.lock().expect("lock").get(&key)
            && v.resource_version == rv
        {
            return Ok(v.credentials.clone());
        }
        self.read_secret(ns, &reference.name, key).await
    }

    async fn read_secret(
        &self,
        ns: &str,
        name: &str,
        key: ObjectRef<Secret>,
    ) -> Result<Credentials, kube::Error> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), ns);
        let secret = api.get_opt(name).await?;
        // Judge, then keep only the verdict: the values go out of scope right here.
        let credentials = validate::check_credentials_secret(secret.as_ref(), name).map_or_else(
            Credentials::from,
            |()| Credentials::Ok {
                secret: name.to_owned(),
            },
        );
        if let Some(rv) = secret.and_then(|s| s.metadata.resource_version) {
            self.secrets_checked.lock().expect("lock").insert(
                key,
                SecretVerdict {
                    resource_version: rv,
                    credentials: credentials.clone(),
                },
            );
        }
        Ok(credentials)
    }

    /// Remembers a status write: until the cache catches up, a Tenant still at
    /// `replaced` is read as `stored`.
    pub fn remember_write(&self, replaced: &Tenant, stored: Tenant) {
        let (Some(uid), Some(rv)) = (&replaced.metadata.uid, &replaced.metadata.resource_version)
        else {
            return;
        };
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
        let written = self.written.lock().expect("lock");
        let w = written.get(uid)?;
        (tenant.metadata.resource_version.as_ref() == Some(&w.replaced)).then(|| w.stored.clone())
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
            .filter_map(|t| {
                let name = &t.spec.creds_secret.as_ref()?.name;
                Some(ObjectRef::new(name).within(t.namespace_or_default()))
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
        self.written
            .lock()
            .expect("lock")
            .retain(|uid, _| uids.contains(uid));
        self.secrets_checked
            .lock()
            .expect("lock")
            .retain(|k, _| referenced.contains(k));
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
