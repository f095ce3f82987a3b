// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! What the console shows of Kubernetes objects, as plain data: a Tenant's row (phase, ready,
//! reason, pools, age), the counts per phase, a pod's row, an event's row. Pure functions of
//! the objects and the time, shared by the JSON API and the pages.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::ResourceExt as _;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::v1alpha1::Tenant;

/// Phase shown for a Tenant the operator has not written a status for yet.
pub const NO_PHASE: &str = "Pending";

/// One Tenant in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantRow {
    pub namespace: String,
    pub name: String,
    /// `status.phase`, or `Pending` before the operator has seen the Tenant.
    pub phase: String,
    /// Ready servers of all servers, e.g. `3/4`.
    pub ready: String,
    /// Why the Tenant is in its phase (CamelCase), empty when all is well.
    pub reason: String,
    pub message: String,
    /// Number of pools in the spec.
    pub pools: usize,
    /// Age like kubectl prints it: `42s`, `5m`, `3h`, `2d`.
    pub age: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created: Option<DateTime<Utc>>,
}

/// A list of Tenants with how many are in each phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TenantList {
    pub items: Vec<TenantRow>,
    /// Phase to number of Tenants.
    pub counts: BTreeMap<String, usize>,
}

/// One pod of a Tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodRow {
    pub name: String,
    pub uid: String,
    pub pool: String,
    pub phase: String,
    /// Ready containers of all containers.
    pub ready: String,
    pub restarts: i32,
    pub node: String,
    pub age: String,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventRow {
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub type_: String,
    pub reason: String,
    pub message: String,
    /// `Kind/name` of the object the event is about.
    pub object: String,
    pub count: i32,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_seen: Option<DateTime<Utc>>,
}

/// A Kubernetes time as chrono's.
pub fn time(t: &k8s_openapi::jiff::Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp(t.as_second(), t.subsec_nanosecond().max(0) as u32).unwrap_or_default()
}

/// kubectl's short age.
pub fn age(created: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(created) = created else {
        return "-".to_owned();
    };
    let secs = (now - created).num_seconds().max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 2 * 3600 => format!("{}m", s / 60),
        s if s < 2 * 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// A Tenant's row.
pub fn tenant_row(t: &Tenant, now: DateTime<Utc>) -> TenantRow {
    let status = t.status.clone().unwrap_or_default();
    let created = t.metadata.creation_timestamp.as_ref().map(|c| time(&c.0));
    let servers: i32 = t.spec.pools.iter().map(|p| p.servers).sum();
    TenantRow {
        namespace: t.namespace().unwrap_or_default(),
        name: t.name_any(),
        phase: status
            .phase
            .map_or_else(|| NO_PHASE.to_owned(), |p| p.to_string()),
        ready: status.ready.unwrap_or_else(|| format!("0/{servers}")),
        reason: status.reason.unwrap_or_default(),
        message: status.message.unwrap_or_default(),
        pools: t.spec.pools.len(),
        age: age(created, now),
        created,
    }
}

/// Rows of `tenants`, sorted by namespace and name, with the counts per phase.
pub fn tenant_list(tenants: &[Tenant], now: DateTime<Utc>) -> TenantList {
    let mut items: Vec<TenantRow> = tenants.iter().map(|t| tenant_row(t, now)).collect();
    items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    let mut counts = BTreeMap::new();
    for row in &items {
        *counts.entry(row.phase.clone()).or_insert(0) += 1;
    }
    TenantList { items, counts }
}

/// A pod's row.
pub fn pod_row(p: &Pod, now: DateTime<Utc>) -> PodRow {
    let status = p.status.clone().unwrap_or_default();
    let containers = status.container_statuses.unwrap_or_default();
    let ready = containers.iter().filter(|c| c.ready).count();
    let total = p
        .spec
        .as_ref()
        .map_or(containers.len(), |s| s.containers.len());
    PodRow {
        name: p.name_any(),
        uid: p.metadata.uid.clone().unwrap_or_default(),
        pool: p
            .labels()
            .get(crate::resources::labels::POOL)
            .cloned()
            .unwrap_or_default(),
        phase: if p.metadata.deletion_timestamp.is_some() {
            "Terminating".to_owned()
        } else {
            status.phase.unwrap_or_else(|| "Unknown".to_owned())
        },
        ready: format!("{ready}/{total}"),
        restarts: containers.iter().map(|c| c.restart_count).sum(),
        node: p
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_default(),
        age: age(
            p.metadata.creation_timestamp.as_ref().map(|c| time(&c.0)),
            now,
        ),
    }
}

/// An event's row (core/v1 shape: the operator's events.k8s.io events read the same way).
pub fn event_row(e: &Event) -> EventRow {
    let last_seen = e
        .last_timestamp
        .as_ref()
        .map(|t| time(&t.0))
        .or_else(|| e.event_time.as_ref().map(|t| time(&t.0)))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| time(&t.0)));
    EventRow {
        type_: e.type_.clone().unwrap_or_default(),
        reason: e.reason.clone().unwrap_or_default(),
        message: e.message.clone().unwrap_or_default(),
        object: format!(
            "{}/{}",
            e.involved_object.kind.clone().unwrap_or_default(),
            e.involved_object.name.clone().unwrap_or_default()
        ),
        count: e
            .count
            .or_else(|| e.series.as_ref().and_then(|s| s.count))
            .unwrap_or(1),
        last_seen,
    }
}

/// True when an event is about the Tenant `tenant` or one of its objects (their names start
/// with the Tenant's name and a dash: `<tenant>-<pool>-0`, `<tenant>-io`).
pub fn event_concerns(e: &Event, tenant: &str) -> bool {
    e.involved_object
        .name
        .as_deref()
        .is_some_and(|n| n == tenant || n.strip_prefix(tenant).is_some_and(|r| r.starts_with('-')))
}

/// A Tenant as YAML for reading: without `managedFields`, which only add noise.
pub fn tenant_yaml(t: &Tenant) -> String {
    let mut t = t.clone();
    t.metadata.managed_fields = None;
    serde_yaml::to_string(&t).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use serde_json::json;

    fn tenant(ns: &str, name: &str, status: serde_json::Value) -> Tenant {
        serde_json::from_value(json!({
            "apiVersion": "rustfs.com/v1alpha1",
            "kind": "Tenant",
            "metadata": {"name": name, "namespace": ns,
                         "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"pools": [
                {"name": "p0", "servers": 2, "persistence": {"volumesPerServer": 2}},
                {"name": "p1", "servers": 2, "persistence": {"volumesPerServer": 2}}
            ]},
            "status": status,
        }))
        .unwrap()
    }

    #[test]
    fn rows_and_counts() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 3, 0, 0).unwrap();
        let list = tenant_list(
            &[
                tenant("b", "z", json!({"phase": "Ready", "ready": "4/4"})),
                tenant(
                    "a",
                    "y",
                    json!({"phase": "Degraded", "ready": "3/4",
                    "reason": "PodsNotReady", "message": "1 of 4 servers not ready"}),
                ),
                tenant("a", "x", json!(null)),
            ],
            now,
        );
        let names: Vec<&str> = list.items.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["x", "y", "z"]);
        assert_eq!(list.items[0].phase, "Pending");
        assert_eq!(list.items[0].ready, "0/4");
        assert_eq!(list.items[1].reason, "PodsNotReady");
        assert_eq!(list.items[2].pools, 2);
        assert_eq!(list.items[2].age, "3h");
        assert_eq!(
            list.counts,
            BTreeMap::from([
                ("Degraded".to_owned(), 1),
                ("Pending".to_owned(), 1),
                ("Ready".to_owned(), 1)
            ])
        );
    }

    #[test]
    fn ages_read_like_kubectl() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let at = |s: i64| age(Some(t0), t0 + chrono::Duration::seconds(s));
        assert_eq!(at(5), "5s");
        assert_eq!(at(119), "119s");
        assert_eq!(at(600), "10m");
        assert_eq!(at(3 * 3600), "3h");
        assert_eq!(at(5 * 86_400), "5d");
        assert_eq!(at(-5), "0s");
        assert_eq!(age(None, t0), "-");
    }

    #[test]
    fn events_of_a_tenant_include_its_objects_only() {
        let event = |name: &str| -> Event {
            serde_json::from_value(json!({
                "metadata": {"name": "e"},
                "involvedObject": {"kind": "Pod", "name": name},
                "reason": "Started", "type": "Normal", "count": 2
            }))
            .unwrap()
        };
        assert!(event_concerns(&event("store"), "store"));
        assert!(event_concerns(&event("store-pool-0-0"), "store"));
        assert!(!event_concerns(&event("storeroom"), "store"));
        assert!(!event_concerns(&event("other"), "store"));
        let row = event_row(&event("store-pool-0-0"));
        assert_eq!(row.object, "Pod/store-pool-0-0");
        assert_eq!(row.count, 2);
    }
}
