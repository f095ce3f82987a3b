// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The console's reads, each with the caller's client (shared by the JSON API and the pages),
//! and the live streams behind its server-sent events.

use std::convert::Infallible;

use axum::response::sse::Event as SseEvent;
use futures::{Stream, StreamExt as _, future};
use k8s_openapi::api::core::v1::{Event, Namespace, PersistentVolumeClaim, Pod};
use kube::api::{Api, ListParams, LogParams};
use kube::runtime::watcher;
use kube::{ResourceExt as _, runtime::WatchStreamExt as _};

use super::state::{ApiError, Console};
use super::trace::{TraceError, Waterfall, layout, valid_id};
use super::view::{self, EventRow, PodRow};
use crate::api::v1alpha1::{Tenant, TransitionRecord};
use crate::resources::labels;

/// Tenants in `namespace`, or in every namespace.
pub async fn tenants(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Vec<Tenant>, kube::Error> {
    let api: Api<Tenant> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    Ok(api.list(&ListParams::default()).await?.items)
}

pub async fn tenant(client: &kube::Client, ns: &str, name: &str) -> Result<Tenant, kube::Error> {
    Api::<Tenant>::namespaced(client.clone(), ns)
        .get(name)
        .await
}

fn tenant_selector(name: &str) -> ListParams {
    ListParams::default().labels(&format!("{}={name}", labels::TENANT))
}

/// The Tenant's pods (by its label), as rows.
pub async fn pods(client: &kube::Client, ns: &str, name: &str) -> Result<Vec<PodRow>, kube::Error> {
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    let now = chrono::Utc::now();
    let mut rows: Vec<PodRow> = api
        .list(&tenant_selector(name))
        .await?
        .items
        .iter()
        .map(|p| view::pod_row(p, now))
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

/// A pod of the Tenant: `NotFound` when the pod does not carry the Tenant's label, so the
/// console's pod routes cannot reach other pods (RBAC still decides about those).
pub async fn tenant_pod(
    client: &kube::Client,
    ns: &str,
    tenant: &str,
    pod: &str,
) -> Result<Pod, ApiError> {
    let p = Api::<Pod>::namespaced(client.clone(), ns).get(pod).await?;
    if p.labels().get(labels::TENANT).map(String::as_str) != Some(tenant) {
        return Err(ApiError::not_found(format!(
            "pod {pod} does not belong to Tenant {tenant}"
        )));
    }
    Ok(p)
}

/// The last `tail` lines of a pod's log (its RustFS container unless `container` names one).
pub async fn logs(
    client: &kube::Client,
    ns: &str,
    pod: &str,
    container: Option<String>,
    tail: i64,
) -> Result<String, kube::Error> {
    let params = LogParams {
        container,
        tail_lines: Some(tail),
        ..LogParams::default()
    };
    Api::<Pod>::namespaced(client.clone(), ns)
        .logs(pod, &params)
        .await
}

/// The events about the Tenant and its objects, newest first.
pub async fn events(
    client: &kube::Client,
    ns: &str,
    tenant: &str,
) -> Result<Vec<EventRow>, kube::Error> {
    let api: Api<Event> = Api::namespaced(client.clone(), ns);
    let mut rows: Vec<EventRow> = api
        .list(&ListParams::default())
        .await?
        .items
        .iter()
        .filter(|e| view::event_concerns(e, tenant))
        .map(view::event_row)
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.last_seen));
    Ok(rows)
}

/// Names of the Tenant's claims (kept when it is deleted); `None` when the caller may not
/// list claims.
pub async fn claims(client: &kube::Client, ns: &str, tenant: &str) -> Option<Vec<String>> {
    let api: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), ns);
    let list = api.list(&tenant_selector(tenant)).await.ok()?;
    Some(list.items.iter().map(|c| c.name_any()).collect())
}

/// Names of the namespaces the caller may list.
pub async fn namespaces(client: &kube::Client) -> Result<Vec<String>, kube::Error> {
    let api: Api<Namespace> = Api::all(client.clone());
    let mut names: Vec<String> = api
        .list(&ListParams::default())
        .await?
        .items
        .iter()
        .map(|n| n.name_any())
        .collect();
    names.sort();
    Ok(names)
}

/// A transition's trace: the caller must be able to read the Tenant, and the trace must be
/// one of its transitions' (so the console never serves other traces from Jaeger).
pub async fn transition_trace(
    console: &Console,
    client: &kube::Client,
    ns: &str,
    name: &str,
    trace_id: &str,
) -> Result<(TransitionRecord, Result<Waterfall, String>), ApiError> {
    if !valid_id(trace_id) {
        return Err(ApiError::bad_request(TraceError::BadId.to_string()));
    }
    let t = tenant(client, ns, name).await?;
    let record = t
        .status
        .as_ref()
        .and_then(|s| {
            s.transitions
                .iter()
                .find(|r| r.trace_id.as_deref() == Some(trace_id))
        })
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no transition of Tenant {ns}/{name} has trace {trace_id}"
            ))
        })?;
    let waterfall = console
        .jaeger
        .trace(trace_id)
        .await
        .map(|t| layout(&t))
        .map_err(|e| e.to_string());
    Ok((record, waterfall))
}

/// An SSE event that tells the page Kubernetes refused the watch, then the stream ends.
fn refused(e: &watcher::Error) -> Option<SseEvent> {
    let (watcher::Error::WatchFailed(kube::Error::Api(status))
    | watcher::Error::InitialListFailed(kube::Error::Api(status))
    | watcher::Error::WatchStartFailed(kube::Error::Api(status))) = e
    else {
        return None;
    };
    (status.code == 403 || status.code == 401).then(|| {
        SseEvent::default().event("refused").data(format!(
            "Refused by Kubernetes ({} {}): {}",
            status.code, status.reason, status.message
        ))
    })
}

/// Ends a stream after the first item marked last (a refusal).
fn until_refused(
    s: impl Stream<Item = Option<(SseEvent, bool)>> + Send + 'static,
) -> impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static {
    s.scan(false, |done, item| {
        if *done {
            return future::ready(None);
        }
        if let Some((_, last)) = &item {
            *done = *last;
        }
        future::ready(Some(item))
    })
    .filter_map(|item| future::ready(item.map(|(ev, _)| Ok(ev))))
}

/// Changes to Tenants (one namespace or all; one Tenant when `name` is given): one message
/// per change, carrying the Tenant's row (or `{"deleted": ...}`), and one when the first list
/// is complete.
pub fn watch_tenants(
    client: kube::Client,
    namespace: Option<String>,
    name: Option<String>,
) -> impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static {
    let api: Api<Tenant> = match &namespace {
        Some(ns) => Api::namespaced(client, ns),
        None => Api::all(client),
    };
    let mut config = watcher::Config::default();
    if let Some(name) = &name {
        config = config.fields(&format!("metadata.name={name}"));
    }
    let stream = watcher(api, config).default_backoff().map(|ev| match ev {
        Ok(watcher::Event::Apply(t)) => SseEvent::default()
            .json_data(view::tenant_row(&t, chrono::Utc::now()))
            .ok()
            .map(|e| (e, false)),
        Ok(watcher::Event::Delete(t)) => SseEvent::default()
            .json_data(serde_json::json!({"deleted": t.name_any()}))
            .ok()
            .map(|e| (e, false)),
        Ok(watcher::Event::InitDone) => {
            Some((SseEvent::default().data("{\"synced\":true}"), false))
        }
        Ok(_) => None,
        Err(e) => refused(&e).map(|e| (e, true)),
    });
    until_refused(stream)
}

/// Events about a Tenant and its objects (or every event of the namespace), as they happen:
/// a `reset` when the first list starts, then one message per event, carrying its row.
pub fn watch_events(
    client: kube::Client,
    namespace: String,
    tenant: Option<String>,
) -> impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static {
    let api: Api<Event> = Api::namespaced(client, &namespace);
    let stream = watcher(api, watcher::Config::default())
        .default_backoff()
        .map(move |ev| match ev {
            Ok(watcher::Event::Init) => {
                Some((SseEvent::default().event("reset").data("{}"), false))
            }
            Ok(watcher::Event::Apply(e) | watcher::Event::InitApply(e)) => {
                if tenant
                    .as_deref()
                    .is_none_or(|t| view::event_concerns(&e, t))
                {
                    SseEvent::default()
                        .json_data(view::event_row(&e))
                        .ok()
                        .map(|e| (e, false))
                } else {
                    None
                }
            }
            Ok(_) => None,
            Err(e) => refused(&e).map(|e| (e, true)),
        });
    until_refused(stream)
}
