// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! How the operator's watches recover from an API server outage.
//!
//! - [`WatchBackoff`]: every watch retries after an error exponentially from 0.5 s, capped
//!   at 5 s, jittered, never giving up, reset by the first event that follows.
//! - [`settled`]: a cache's events wake reconciles only once the cache holds what they
//!   announce, including after a relist.
//!
//! kube-runtime's default (`default_backoff`, client-go's reflector numbers: 0.8 s doubling
//! to 30 s, reset after 2 minutes) is kind to a struggling API server but slow to come back
//! from a short outage: an API server restart fails each watch a few times in a row
//! (connection refused, then `403` while its RBAC cache fills, then `410 Expired` for the old
//! resource version), so the relist that brings a cache up to date waited up to 30 s, and a
//! reconcile in that window read the cache from before the outage (found by
//! `tests/faults.rs`, docs/reliability.md). With at most a dozen watches per process, a
//! retry every 5 s at worst is no load on an API server.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use backoff::backoff::Backoff as _;
use futures::stream::{self, BoxStream};
use futures::{Stream, StreamExt};
use kube::Resource;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher;
use tracing::warn;

/// The retry policy of a watch stream (`WatchStreamExt::backoff(WatchBackoff::default())`).
pub struct WatchBackoff(backoff::ExponentialBackoff);

/// First wait after an error.
pub const INITIAL: Duration = Duration::from_millis(500);
/// Longest wait between two attempts.
pub const MAX: Duration = Duration::from_secs(5);

impl Default for WatchBackoff {
    fn default() -> Self {
        Self(backoff::ExponentialBackoff {
            initial_interval: INITIAL,
            current_interval: INITIAL,
            max_interval: MAX,
            multiplier: 2.0,
            randomization_factor: 0.2,
            max_elapsed_time: None,
            ..backoff::ExponentialBackoff::default()
        })
    }
}

impl Iterator for WatchBackoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        self.0.next_backoff()
    }
}

impl kube::runtime::utils::Backoff for WatchBackoff {
    fn reset(&mut self) {
        self.0.reset();
    }
}

/// Drops `metadata.managedFields` before an object is cached: the operator never reads them
/// (drift is "the cached object holds every field we apply", `reconcile::checks`), and they
/// are often the largest part of an object's metadata, kept once per cached object.
pub fn strip_managed_fields<K: Resource>(obj: &mut K) {
    obj.meta_mut().managed_fields = None;
}

/// Prepares an object for its cache: [`strip_managed_fields`], and a StatefulSet keeps of its
/// pod spec only a digest ([`crate::owned::strip_pod_spec`]).
pub fn strip_for_cache<K: Resource + 'static>(obj: &mut K) {
    strip_managed_fields(obj);
    if let Some(sts) =
        (obj as &mut dyn std::any::Any).downcast_mut::<k8s_openapi::api::apps::v1::StatefulSet>()
    {
        crate::owned::strip_pod_spec(sts);
    }
}

/// Keeps of a Secret's metadata only what the operator reads: its name, namespace and
/// resourceVersion (which Tenants reference it, and whether it changed since it was last
/// checked, `Context::credentials`). The Secrets cache holds every Secret of the watched
/// namespaces, most of them not the operator's; their labels, annotations (a client-side
/// `kubectl apply` puts the whole Secret, values included, in one), owners and managed
/// fields are never read, and are not kept.
pub fn strip_secret_metadata(
    secret: &mut kube::core::PartialObjectMeta<k8s_openapi::api::core::v1::Secret>,
) {
    let meta = &mut secret.metadata;
    meta.labels = None;
    meta.annotations = None;
    meta.managed_fields = None;
    meta.owner_references = None;
    meta.finalizers = None;
    meta.generate_name = None;
}

/// The objects a reflector's events touched, for waking their reconciles, emitted only once
/// the cache they feed holds them.
///
/// kube-runtime's `touched_objects()` passes each object of a (re)list on as it arrives,
/// but the reflector swaps the listed objects into its store only at the end of the list.
/// After an API server outage, a reconcile woken by a relisted StatefulSet therefore read
/// the StatefulSet from before the outage, and a Tenant created during the outage was not
/// in the Tenant cache yet when its wake-up came (the controller skips what its cache does
/// not hold). Here the objects of a list are emitted when the list is complete and stored,
/// together with the objects the list no longer holds (deleted during the outage), so the
/// owners of those wake too. Live events (`Apply`, `Delete`) pass at once, as before.
///
/// Errors are logged here and go no further. The controller merges every watch into one
/// trigger stream and backs that whole stream off after any error (kube-runtime's
/// `trigger_backoff`, 0.8 s doubling past 30 s): while it waited, no watch was polled, so
/// every cache stayed as it was before an outage for up to a minute after it (what
/// `tests/faults.rs` found). Each watch already retries on its own ([`WatchBackoff`]).
///
/// `store` must be the store the events were applied to (the reader of the reflector
/// upstream); `kind` names the watch in the log.
pub fn settled<K, S>(
    kind: impl Into<String>,
    store: Store<K>,
    events: S,
) -> impl Stream<Item = Result<K, watcher::Error>>
where
    K: Resource + Clone + Send + Sync + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone,
    S: Stream<Item = Result<watcher::Event<K>, watcher::Error>>,
{
    let kind = kind.into();
    // The store's objects when a list began: those the list does not bring back are gone.
    let mut before: Vec<Arc<K>> = Vec::new();
    events.flat_map(
        move |event| -> BoxStream<'static, Result<K, watcher::Error>> {
            match event {
                Ok(watcher::Event::Apply(obj) | watcher::Event::Delete(obj)) => {
                    stream::iter([Ok(obj)]).boxed()
                }
                Ok(watcher::Event::Init) => {
                    before = store.state();
                    stream::empty().boxed()
                }
                Ok(watcher::Event::InitApply(_)) => stream::empty().boxed(),
                Ok(watcher::Event::InitDone) => {
                    let now = store.state();
                    let listed: HashSet<ObjectRef<K>> = now
                        .iter()
                        .map(|o| ObjectRef::from_obj(o.as_ref()))
                        .collect();
                    let gone: Vec<Arc<K>> = std::mem::take(&mut before)
                        .into_iter()
                        .filter(|o| !listed.contains(&ObjectRef::from_obj(o.as_ref())))
                        .collect();
                    // Cloned one at a time as the controller takes them.
                    stream::iter(now.into_iter().chain(gone).map(|o| Ok(K::clone(&o)))).boxed()
                }
                Err(e) => {
                    warn!(%kind, error = %e, "watch failed; retrying");
                    stream::empty().boxed()
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_never_gives_up_and_resets() {
        let mut b = WatchBackoff::default();
        let waits: Vec<Duration> = (&mut b).take(50).collect();
        assert_eq!(waits.len(), 50, "never gives up");
        assert!(waits[0] <= INITIAL.mul_f64(1.2) && waits[0] >= INITIAL.mul_f64(0.8));
        assert!(waits.iter().all(|w| *w <= MAX.mul_f64(1.2)), "{waits:?}");
        assert!(waits[10] >= MAX.mul_f64(0.8), "reaches the cap: {waits:?}");
        kube::runtime::utils::Backoff::reset(&mut b);
        assert!(
            b.next().unwrap() <= INITIAL.mul_f64(1.2),
            "starts over after a reset"
        );
    }

    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::runtime::reflector;

    fn cm(name: &str, version: &str) -> ConfigMap {
        let mut c = ConfigMap::default();
        c.metadata.name = Some(name.to_owned());
        c.metadata.namespace = Some("ns".to_owned());
        c.metadata.resource_version = Some(version.to_owned());
        c
    }

    /// What each emitted object is, and what the store held for it when it was emitted.
    async fn run(events: Vec<watcher::Event<ConfigMap>>) -> Vec<(String, String, Option<String>)> {
        let (reader, writer) = reflector::store::<ConfigMap>();
        let upstream = reflector::reflector(writer, stream::iter(events.into_iter().map(Ok)));
        let store = reader.clone();
        settled("ConfigMap", reader, upstream)
            .map(|o| {
                let o = o.expect("no errors fed in");
                let stored = store
                    .get(&ObjectRef::from_obj(&o))
                    .and_then(|s| s.metadata.resource_version.clone());
                (
                    o.metadata.name.clone().unwrap(),
                    o.metadata.resource_version.clone().unwrap(),
                    stored,
                )
            })
            .collect()
            .await
    }

    fn seen(name: &str, version: &str, stored: Option<&str>) -> (String, String, Option<String>) {
        (name.into(), version.into(), stored.map(Into::into))
    }

    #[test]
    fn cached_copies_keep_what_the_operator_reads() {
        use k8s_openapi::api::core::v1::Secret;
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ManagedFieldsEntry, ObjectMeta};
        let meta = ObjectMeta {
            name: Some("creds".into()),
            namespace: Some("ns".into()),
            resource_version: Some("7".into()),
            annotations: Some(
                [(
                    "kubectl.kubernetes.io/last-applied-configuration".to_owned(),
                    "{\"data\":{\"secretkey\":\"c2VjcmV0\"}}".to_owned(),
                )]
                .into(),
            ),
            labels: Some([("a".to_owned(), "b".to_owned())].into()),
            managed_fields: Some(vec![ManagedFieldsEntry::default()]),
            ..ObjectMeta::default()
        };
        let mut secret = kube::core::PartialObjectMeta::<Secret> {
            types: None,
            metadata: meta.clone(),
            _phantom: std::marker::PhantomData,
        };
        strip_secret_metadata(&mut secret);
        assert_eq!(
            secret.metadata,
            ObjectMeta {
                name: Some("creds".into()),
                namespace: Some("ns".into()),
                resource_version: Some("7".into()),
                ..ObjectMeta::default()
            }
        );
        let mut cm = ConfigMap {
            metadata: meta,
            ..ConfigMap::default()
        };
        strip_managed_fields(&mut cm);
        assert_eq!(cm.metadata.managed_fields, None);
        assert!(cm.metadata.labels.is_some(), "only the managed fields go");
    }

    #[tokio::test]
    async fn a_list_wakes_only_once_stored_and_a_relist_wakes_the_owners_of_what_went() {
        use watcher::Event::*;
        let out = run(vec![
            Init,
            InitApply(cm("a", "1")),
            InitApply(cm("b", "1")),
            InitDone,
            Apply(cm("a", "2")),
            // An outage: the relist brings a newer `a` and no `b` (deleted meanwhile).
            Init,
            InitApply(cm("a", "3")),
            InitDone,
            Delete(cm("a", "4")),
        ])
        .await;
        let mut first: Vec<_> = out[..2].to_vec();
        first.sort();
        assert_eq!(
            first,
            [seen("a", "1", Some("1")), seen("b", "1", Some("1"))],
            "the first list: each object emitted once the store holds it"
        );
        assert_eq!(
            out[2],
            seen("a", "2", Some("2")),
            "a live event passes at once"
        );
        assert_eq!(
            out[3],
            seen("a", "3", Some("3")),
            "the relisted object: emitted when the store holds the relisted version, not 2"
        );
        assert_eq!(
            out[4],
            seen("b", "1", None),
            "the object the relist no longer holds wakes its owners too"
        );
        assert_eq!(out[5], seen("a", "4", None), "a live delete passes");
        assert_eq!(out.len(), 6);
    }
}
