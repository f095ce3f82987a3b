// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Changes to a Tenant's existing StatefulSets that must not be applied.
//!
//! Kubernetes only lets a StatefulSet's `replicas`, `template`, `updateStrategy`, `ordinals`,
//! `minReadySeconds` and PVC retention policy change; everything else (`selector`,
//! `serviceName`, `podManagementPolicy`, `volumeClaimTemplates`) is fixed at creation, and an
//! apply that touches it fails. Some allowed changes still lose data in RustFS: fewer servers
//! or a removed pool take drives holding erasure-coded shards with them. This module finds
//! both kinds by comparing the desired StatefulSets with the ones in the cluster, so the
//! operator can refuse the whole change with a reason instead of applying half of it.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::quantity::parse_quantity;
use crate::api::v1alpha1::Tenant;

/// A change the operator refuses to apply, pinned to the Tenant field that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RefusedChange {
    /// Tenant field to restore, such as `spec.pools[0].servers`.
    pub field: String,
    /// What would change, why it cannot, and how to get back to a state the operator applies.
    pub message: String,
}

impl fmt::Display for RefusedChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A raised volume size in a pool's claim template. Kubernetes cannot change the template of
/// an existing StatefulSet, but the operator can grow the volumes themselves when their
/// StorageClass allows expansion (see [`VolumeGrowth::refused`] for when it does not).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VolumeGrowth {
    /// Tenant field, `spec.pools[i].persistence.volumeClaimTemplate.resources.requests.storage`.
    pub field: String,
    /// Pool name.
    pub pool: String,
    /// The pool's StatefulSet.
    pub stateful_set: String,
    /// Size in the existing StatefulSet's claim templates.
    pub from: String,
    /// Size asked for.
    pub to: String,
    /// `storageClassName` of the claim template (`None`: the cluster's default class at the
    /// time the volumes were made; the claims themselves name it).
    pub storage_class: Option<String>,
}

/// Why a [`VolumeGrowth`] cannot be carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrowthBlocked {
    /// The class does not exist (any more).
    ClassMissing(String),
    /// The class exists without `allowVolumeExpansion: true`.
    NotExpandable(String),
    /// Neither the template nor any claim names a class.
    NoClass,
    /// These claims are not bound yet; Kubernetes grows bound claims only.
    ClaimsNotBound(Vec<String>),
}

impl VolumeGrowth {
    /// The refusal to report when the growth cannot be carried out.
    pub fn refused(&self, why: &GrowthBlocked) -> RefusedChange {
        let (from, to) = (&self.from, &self.to);
        let message = match why {
            GrowthBlocked::ClassMissing(class) => format!(
                "volume size would grow from {from} to {to}, but StorageClass '{class}' of the pool's volumes does not exist, so nothing can expand them: set the size back to {from}, or create StorageClass '{class}' with allowVolumeExpansion: true, or add a pool with bigger volumes"
            ),
            GrowthBlocked::NotExpandable(class) => format!(
                "volume size would grow from {from} to {to}, but StorageClass '{class}' does not allow volume expansion (allowVolumeExpansion is not true): set the size back to {from}; or, if the class's provisioner can expand volumes, run `kubectl patch storageclass {class} -p '{{\"allowVolumeExpansion\":true}}'` and the operator grows every volume of the pool; or add a pool with bigger volumes"
            ),
            GrowthBlocked::ClaimsNotBound(claims) => {
                let mut named = claims
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if claims.len() > 5 {
                    named.push_str(&format!(" and {} more", claims.len() - 5));
                }
                format!(
                    "volume size would grow from {from} to {to}, but the claims {named} are not bound yet and Kubernetes grows bound claims only: wait until they are bound (the operator retries every 15 s), or set the size back to {from}"
                )
            }
            GrowthBlocked::NoClass => format!(
                "volume size would grow from {from} to {to}, but neither the claim template nor the pool's claims name a StorageClass, so expansion cannot be checked: set the size back to {from}, or add a pool with bigger volumes"
            ),
        };
        RefusedChange {
            field: self.field.clone(),
            message,
        }
    }
}

/// What a change to existing StatefulSets amounts to: the refused parts, and the volume
/// growths that may go ahead once their StorageClass is known to allow expansion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    /// Changes never applied.
    pub refused: Vec<RefusedChange>,
    /// Volume growths, one per pool.
    pub growth: Vec<VolumeGrowth>,
}

/// Like [`review_changes`], with every volume growth refused as if its class did not allow
/// expansion: for callers that cannot look at StorageClasses.
pub fn refused_changes(
    tenant: &Tenant,
    existing: &[StatefulSet],
    desired: &[StatefulSet],
) -> Vec<RefusedChange> {
    let review = review_changes(tenant, existing, desired);
    let mut out = review.refused;
    out.extend(review.growth.iter().map(|g| {
        let class = g
            .storage_class
            .clone()
            .unwrap_or_else(|| "<cluster default>".into());
        g.refused(&GrowthBlocked::NotExpandable(class))
    }));
    out
}

/// Compares the StatefulSets the operator wants (`desired`, one per pool, as the builders
/// render them from `tenant`) with those in the cluster (`existing`: the StatefulSets of the
/// Tenant's namespace; those without an owner reference to this Tenant are ignored). The
/// caller may hand in shared cache entries (`Arc<StatefulSet>`) as they are: nothing is
/// copied.
///
/// Returns every refused change (none means applying `desired` is safe) and every volume
/// growth. StatefulSets that do not exist yet are new pools and are always fine.
pub fn review_changes<S: Borrow<StatefulSet>>(
    tenant: &Tenant,
    existing: &[S],
    desired: &[StatefulSet],
) -> Review {
    let mut growth = Vec::new();
    let tenant_name = tenant.metadata.name.as_deref().unwrap_or_default();
    let desired_by_name: BTreeMap<&str, &StatefulSet> =
        desired.iter().map(|s| (name_of(s), s)).collect();
    let mut out = Vec::new();

    let pool_of = |sts: &'_ str| -> String {
        sts.strip_prefix(tenant_name)
            .and_then(|rest| rest.strip_prefix('-'))
            .unwrap_or(sts)
            .to_owned()
    };

    // A pool whose decommission completed left the cluster: its StatefulSet is deleted, not
    // compared.
    let retired: Vec<String> = crate::api::v1alpha1::retired_pools(tenant.status.as_ref())
        .iter()
        .map(|pool| crate::resources::names::stateful_set(tenant_name, pool))
        .collect();
    let mut owned: Vec<&StatefulSet> = existing
        .iter()
        .map(Borrow::borrow)
        .filter(|s| owned_by(s, tenant) && !retired.iter().any(|r| r == name_of(s)))
        .collect();
    owned.sort_by_key(|s| name_of(s));
    if let [only] = owned.as_slice()
        && is_single_drive(only)
    {
        let added: Vec<String> = desired
            .iter()
            .map(name_of)
            .filter(|name| *name != name_of(only))
            .map(|name| format!("'{}'", pool_of(name)))
            .collect();
        if !added.is_empty() {
            out.push(RefusedChange {
                field: "spec.pools".into(),
                message: format!(
                    "this Tenant runs as a single drive (pool '{}', StatefulSet '{}': 1 server x 1 volume), which RustFS formatted in its single-node single-drive mode and can never expand: remove the added pool {} from spec.pools; to grow, create a new Tenant with at least 2 drives per pool and copy the objects over S3",
                    pool_of(name_of(only)),
                    name_of(only),
                    added.join(", ")
                ),
            });
        }
    }
    for current in owned {
        let sts = name_of(current);
        let pool = pool_of(sts);
        let Some(wanted) = desired_by_name.get(sts) else {
            out.push(RefusedChange {
                field: "spec.pools".into(),
                message: format!(
                    "pool '{pool}' (StatefulSet '{sts}') is no longer in spec.pools; removing or renaming a pool would drop its volumes, which hold erasure-coded data of the whole cluster: add the pool back under the name '{pool}' (rename means remove + add, which is refused too)"
                ),
            });
            continue;
        };
        let base = match tenant.spec.pools.iter().position(|p| p.name == pool) {
            Some(i) => format!("spec.pools[{i}]"),
            None => "spec.pools".into(),
        };
        if let Some(g) = compare_statefulset(&base, sts, current, wanted, &mut out) {
            growth.push(VolumeGrowth {
                pool: pool.clone(),
                ..g
            });
        }
    }
    Review {
        refused: out,
        growth,
    }
}

fn compare_statefulset(
    base: &str,
    sts: &str,
    current: &StatefulSet,
    wanted: &StatefulSet,
    out: &mut Vec<RefusedChange>,
) -> Option<VolumeGrowth> {
    let (Some(cur), Some(want)) = (current.spec.as_ref(), wanted.spec.as_ref()) else {
        return None;
    };
    let mut refuse = |field: String, message: String| out.push(RefusedChange { field, message });

    if !same_selector(&cur.selector, &want.selector) {
        refuse(
            base.to_owned(),
            format!(
                "StatefulSet '{sts}' selects its pods by {{{}}} and would need {{{}}}; Kubernetes never lets a StatefulSet's selector change (this follows an operator upgrade that changed labels): delete the StatefulSet with `kubectl delete statefulset {sts} --cascade=orphan` so pods and volumes stay and the operator recreates it",
                selector_text(&cur.selector),
                selector_text(&want.selector)
            ),
        );
    }

    if cur.service_name != want.service_name {
        refuse(
            base.to_owned(),
            format!(
                "StatefulSet '{sts}' uses service '{}' and would need '{}'; Kubernetes does not let serviceName change and the pods' DNS names depend on it: delete the StatefulSet with `kubectl delete statefulset {sts} --cascade=orphan` so the operator recreates it",
                cur.service_name.as_deref().unwrap_or_default(),
                want.service_name.as_deref().unwrap_or_default()
            ),
        );
    }

    // The API server defaults an unset policy to OrderedReady.
    let policy = |p: &Option<String>| p.clone().unwrap_or_else(|| "OrderedReady".into());
    let (cur_policy, want_policy) = (
        policy(&cur.pod_management_policy),
        policy(&want.pod_management_policy),
    );
    if cur_policy != want_policy {
        refuse(
            "spec.podManagementPolicy".into(),
            format!(
                "StatefulSet '{sts}' was created with podManagementPolicy {cur_policy} and Kubernetes does not allow changing it: set spec.podManagementPolicy back to {cur_policy}"
            ),
        );
    }

    let (cur_replicas, want_replicas) = (cur.replicas.unwrap_or(1), want.replicas.unwrap_or(1));
    // RustFS fixes a pool's erasure layout when it formats the drives: fewer servers lose
    // drives holding data, more servers do not fit the layout. Pools grow by adding pools.
    if want_replicas < cur_replicas {
        refuse(
            format!("{base}.servers"),
            format!(
                "servers lowered from {cur_replicas} to {want_replicas}; removing servers removes drives holding erasure-coded data: set servers back to {cur_replicas} (add a pool to grow)"
            ),
        );
    } else if want_replicas > cur_replicas {
        refuse(
            format!("{base}.servers"),
            format!(
                "servers raised from {cur_replicas} to {want_replicas}; RustFS fixes a pool's erasure layout when it formats the drives, so a pool cannot grow in place: set servers back to {cur_replicas} and add a new pool to grow"
            ),
        );
    }

    let empty = Vec::new();
    let cur_vcts = cur.volume_claim_templates.as_ref().unwrap_or(&empty);
    let want_vcts = want.volume_claim_templates.as_ref().unwrap_or(&empty);
    if cur_vcts.len() != want_vcts.len() {
        refuse(
            format!("{base}.persistence.volumesPerServer"),
            format!(
                "StatefulSet '{sts}' has {} volume claim templates and would need {}; Kubernetes does not let a StatefulSet's volumeClaimTemplates change, and the existing volumes hold data: set volumesPerServer back to {} (add a pool for more drives)",
                cur_vcts.len(),
                want_vcts.len(),
                cur_vcts.len()
            ),
        );
        return None;
    }
    let mut reported = BTreeSet::new();
    let mut growth = None;
    for (c, w) in cur_vcts.iter().zip(want_vcts) {
        let (changes, grows) = template_changes(base, sts, c, w);
        for change in changes {
            if reported.insert(change.field.clone()) {
                out.push(change);
            }
        }
        growth = growth.or(grows);
    }
    growth
}

/// Why every volume claim template change is refused, appended to each message.
const VCT_IMMUTABLE: &str =
    "Kubernetes does not let a StatefulSet's volumeClaimTemplates change after creation";

fn template_changes(
    base: &str,
    sts: &str,
    cur: &PersistentVolumeClaim,
    want: &PersistentVolumeClaim,
) -> (Vec<RefusedChange>, Option<VolumeGrowth>) {
    let mut growth = None;
    let p = format!("{base}.persistence");
    let t = format!("{p}.volumeClaimTemplate");
    let mut out = Vec::new();
    let mut refuse = |field: String, message: String| out.push(RefusedChange { field, message });

    let (cur_name, want_name) = (
        cur.metadata.name.as_deref().unwrap_or_default(),
        want.metadata.name.as_deref().unwrap_or_default(),
    );
    if cur_name != want_name {
        refuse(
            p.clone(),
            format!(
                "StatefulSet '{sts}' volume claim template '{cur_name}' would be renamed to '{want_name}'; {VCT_IMMUTABLE} and the volumes are found by name: keep the operator version that created the pool, or recreate the StatefulSet with --cascade=orphan"
            ),
        );
    }
    if cur.metadata.labels.clone().unwrap_or_default()
        != want.metadata.labels.clone().unwrap_or_default()
    {
        refuse(
            format!("{p}.labels"),
            format!(
                "labels of the volumes of StatefulSet '{sts}' would change; {VCT_IMMUTABLE}: restore the previous labels (label existing PVCs with kubectl label instead)"
            ),
        );
    }
    if cur.metadata.annotations.clone().unwrap_or_default()
        != want.metadata.annotations.clone().unwrap_or_default()
    {
        refuse(
            format!("{p}.annotations"),
            format!(
                "annotations of the volumes of StatefulSet '{sts}' would change; {VCT_IMMUTABLE}: restore the previous annotations (annotate existing PVCs with kubectl annotate instead)"
            ),
        );
    }

    let default_spec = Default::default();
    let cs = cur.spec.as_ref().unwrap_or(&default_spec);
    let ws = want.spec.as_ref().unwrap_or(&default_spec);

    if cs.storage_class_name != ws.storage_class_name {
        refuse(
            format!("{t}.storageClassName"),
            format!(
                "storage class would change from '{}' to '{}'; {VCT_IMMUTABLE} and existing volumes keep their class: set it back to '{}' (add a pool to use another class)",
                cs.storage_class_name
                    .as_deref()
                    .unwrap_or("<cluster default>"),
                ws.storage_class_name
                    .as_deref()
                    .unwrap_or("<cluster default>"),
                cs.storage_class_name.as_deref().unwrap_or("<unset>")
            ),
        );
    }

    if cs.access_modes.clone().unwrap_or_default() != ws.access_modes.clone().unwrap_or_default() {
        refuse(
            format!("{t}.accessModes"),
            format!(
                "access modes would change from {:?} to {:?}; {VCT_IMMUTABLE}: set them back",
                cs.access_modes.clone().unwrap_or_default(),
                ws.access_modes.clone().unwrap_or_default()
            ),
        );
    }

    // The API server defaults volumeMode; only a mode the operator asks for is compared.
    if let Some(mode) = ws.volume_mode.as_deref() {
        let current = cs.volume_mode.as_deref().unwrap_or("Filesystem");
        if current != mode {
            refuse(
                format!("{t}.volumeMode"),
                format!(
                    "volume mode would change from {current} to {mode}; {VCT_IMMUTABLE}: set it back to {current}"
                ),
            );
        }
    }

    let storage_text = |s: &k8s_openapi::api::core::v1::PersistentVolumeClaimSpec| {
        s.resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .map(|q| q.0.clone())
    };
    let (cur_size, want_size) = (storage_text(cs), storage_text(ws));
    let field = format!("{t}.resources.requests.storage");
    let shown = |s: &Option<String>| s.clone().unwrap_or_else(|| "<unset>".into());
    let parsed = |s: &Option<String>| s.as_deref().map(parse_quantity);
    match (parsed(&cur_size), parsed(&want_size)) {
        (Some(Ok(c)), Some(Ok(w))) if c == w => {}
        (Some(Ok(c)), Some(Ok(w))) if w < c => refuse(
            field,
            format!(
                "volume size would shrink from {} to {}; a volume can never shrink and {VCT_IMMUTABLE}: set it back to {}",
                shown(&cur_size),
                shown(&want_size),
                shown(&cur_size)
            ),
        ),
        (Some(Ok(_)), Some(Ok(_))) => {
            growth = Some(VolumeGrowth {
                field,
                pool: String::new(),
                stateful_set: sts.to_owned(),
                from: shown(&cur_size),
                to: shown(&want_size),
                storage_class: ws.storage_class_name.clone(),
            })
        }
        (None, None) => {}
        _ if cur_size == want_size => {}
        _ => refuse(
            field,
            format!(
                "volume size would change from {} to {}; {VCT_IMMUTABLE}: set it back to {}",
                shown(&cur_size),
                shown(&want_size),
                shown(&cur_size)
            ),
        ),
    }
    (out, growth)
}

/// A StatefulSet of 1 replica with 1 volume claim template: the pool of a single-drive
/// Tenant when it is the Tenant's only one.
fn is_single_drive(s: &StatefulSet) -> bool {
    s.spec.as_ref().is_some_and(|spec| {
        spec.replicas.unwrap_or(1) == 1
            && spec
                .volume_claim_templates
                .as_ref()
                .is_some_and(|v| v.len() == 1)
    })
}

fn name_of(s: &StatefulSet) -> &str {
    s.metadata.name.as_deref().unwrap_or_default()
}

fn owned_by(s: &StatefulSet, tenant: &Tenant) -> bool {
    let name = tenant.metadata.name.as_deref();
    s.metadata.owner_references.iter().flatten().any(|o| {
        o.kind == "Tenant"
            && Some(o.name.as_str()) == name
            && match tenant.metadata.uid.as_deref() {
                Some(uid) => o.uid == uid,
                None => true,
            }
    })
}

fn same_selector(a: &LabelSelector, b: &LabelSelector) -> bool {
    a.match_labels.clone().unwrap_or_default() == b.match_labels.clone().unwrap_or_default()
        && a.match_expressions.clone().unwrap_or_default()
            == b.match_expressions.clone().unwrap_or_default()
}

fn selector_text(s: &LabelSelector) -> String {
    let mut parts: Vec<String> = s
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    parts.extend(s.match_expressions.iter().flatten().map(|e| {
        format!(
            "{} {} ({})",
            e.key,
            e.operator,
            e.values.clone().unwrap_or_default().join(",")
        )
    }));
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::apps::v1::StatefulSetSpec;
    use k8s_openapi::api::core::v1::{PersistentVolumeClaimSpec, VolumeResourceRequirements};
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

    use super::*;
    use crate::api::v1alpha1::{Persistence, Pool, TenantSpec};

    const UID: &str = "0b9c7a52-0000-4000-8000-000000000001";

    fn tenant(pools: &[&str]) -> Tenant {
        let mut t = Tenant::new(
            "demo",
            TenantSpec {
                pools: pools
                    .iter()
                    .map(|p| Pool {
                        name: (*p).into(),
                        servers: 4,
                        persistence: Persistence::default(),
                        ..Pool::default()
                    })
                    .collect(),
                ..TenantSpec::default()
            },
        );
        t.metadata.uid = Some(UID.into());
        t
    }

    fn vct(i: usize, size: &str) -> PersistentVolumeClaim {
        PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some(format!("data{i}")),
                labels: Some(BTreeMap::from([(
                    "rustfs.com/tenant".into(),
                    "demo".into(),
                )])),
                ..ObjectMeta::default()
            },
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(vec!["ReadWriteOnce".into()]),
                storage_class_name: Some("fast".into()),
                resources: Some(VolumeResourceRequirements {
                    requests: Some(BTreeMap::from([("storage".into(), Quantity(size.into()))])),
                    limits: None,
                }),
                ..PersistentVolumeClaimSpec::default()
            }),
            status: None,
        }
    }

    /// What the builders would render for pool `pool` of tenant "demo": 4 servers x 4 x 10Gi.
    fn sts(pool: &str) -> StatefulSet {
        let labels = BTreeMap::from([
            ("rustfs.com/tenant".to_owned(), "demo".to_owned()),
            ("rustfs.com/pool".to_owned(), pool.to_owned()),
        ]);
        StatefulSet {
            metadata: ObjectMeta {
                name: Some(format!("demo-{pool}")),
                namespace: Some("ns".into()),
                owner_references: Some(vec![OwnerReference {
                    api_version: "rustfs.com/v1alpha1".into(),
                    kind: "Tenant".into(),
                    name: "demo".into(),
                    uid: UID.into(),
                    controller: Some(true),
                    block_owner_deletion: Some(true),
                }]),
                ..ObjectMeta::default()
            },
            spec: Some(StatefulSetSpec {
                replicas: Some(4),
                selector: LabelSelector {
                    match_labels: Some(labels),
                    match_expressions: None,
                },
                service_name: Some("demo-hl".into()),
                pod_management_policy: Some("Parallel".into()),
                volume_claim_templates: Some((0..4).map(|i| vct(i, "10Gi")).collect()),
                ..StatefulSetSpec::default()
            }),
            status: None,
        }
    }

    fn spec(s: &mut StatefulSet) -> &mut StatefulSetSpec {
        s.spec.as_mut().unwrap()
    }

    fn vct_spec(s: &mut StatefulSet, i: usize) -> &mut PersistentVolumeClaimSpec {
        spec(s).volume_claim_templates.as_mut().unwrap()[i]
            .spec
            .as_mut()
            .unwrap()
    }

    fn all_vct_specs(s: &mut StatefulSet, f: impl Fn(&mut PersistentVolumeClaimSpec)) {
        for v in spec(s).volume_claim_templates.as_mut().unwrap() {
            f(v.spec.as_mut().unwrap());
        }
    }

    fn set_size(s: &mut StatefulSet, size: &str) {
        all_vct_specs(s, |v| {
            v.resources
                .as_mut()
                .unwrap()
                .requests
                .as_mut()
                .unwrap()
                .insert("storage".into(), Quantity(size.into()));
        });
    }

    type Mutate = fn(&mut StatefulSet);

    /// (case, change to the desired StatefulSet of pool "pool-0", field, message words)
    const REFUSED: &[(&str, Mutate, &str, &[&str])] = &[
        (
            "selector changed",
            |s| {
                spec(s)
                    .selector
                    .match_labels
                    .as_mut()
                    .unwrap()
                    .insert("app.kubernetes.io/name".into(), "rustfs".into());
            },
            "spec.pools[0]",
            &[
                "selector",
                "app.kubernetes.io/name=rustfs",
                "--cascade=orphan",
            ],
        ),
        (
            "serviceName changed",
            |s| spec(s).service_name = Some("demo-headless".into()),
            "spec.pools[0]",
            &[
                "'demo-hl'",
                "'demo-headless'",
                "serviceName",
                "--cascade=orphan",
            ],
        ),
        (
            "podManagementPolicy changed",
            |s| spec(s).pod_management_policy = Some("OrderedReady".into()),
            "spec.podManagementPolicy",
            &[
                "created with podManagementPolicy Parallel",
                "set spec.podManagementPolicy back to Parallel",
            ],
        ),
        (
            "servers lowered",
            |s| spec(s).replicas = Some(2),
            "spec.pools[0].servers",
            &["lowered from 4 to 2", "set servers back to 4"],
        ),
        (
            "servers raised",
            |s| spec(s).replicas = Some(8),
            "spec.pools[0].servers",
            &["raised from 4 to 8", "add a new pool"],
        ),
        (
            "fewer volumes",
            |s| {
                spec(s).volume_claim_templates.as_mut().unwrap().truncate(2);
            },
            "spec.pools[0].persistence.volumesPerServer",
            &[
                "has 4 volume claim templates and would need 2",
                "set volumesPerServer back to 4",
            ],
        ),
        (
            "more volumes",
            |s| {
                spec(s)
                    .volume_claim_templates
                    .as_mut()
                    .unwrap()
                    .push(vct(4, "10Gi"))
            },
            "spec.pools[0].persistence.volumesPerServer",
            &["would need 5", "add a pool"],
        ),
        (
            "storage class changed",
            |s| all_vct_specs(s, |v| v.storage_class_name = Some("slow".into())),
            "spec.pools[0].persistence.volumeClaimTemplate.storageClassName",
            &[
                "from 'fast' to 'slow'",
                "set it back to 'fast'",
                "volumeClaimTemplates change",
            ],
        ),
        (
            "storage class removed",
            |s| all_vct_specs(s, |v| v.storage_class_name = None),
            "spec.pools[0].persistence.volumeClaimTemplate.storageClassName",
            &["to '<cluster default>'"],
        ),
        (
            "storage shrank",
            |s| set_size(s, "5Gi"),
            "spec.pools[0].persistence.volumeClaimTemplate.resources.requests.storage",
            &[
                "shrink from 10Gi to 5Gi",
                "never shrink",
                "set it back to 10Gi",
            ],
        ),
        (
            "storage shrank by unit",
            |s| set_size(s, "10G"),
            "spec.pools[0].persistence.volumeClaimTemplate.resources.requests.storage",
            &["shrink from 10Gi to 10G"],
        ),
        (
            "storage grew",
            |s| set_size(s, "20Gi"),
            "spec.pools[0].persistence.volumeClaimTemplate.resources.requests.storage",
            &[
                "grow from 10Gi to 20Gi",
                "StorageClass 'fast' does not allow volume expansion",
                "kubectl patch storageclass fast",
                "set the size back to 10Gi",
            ],
        ),
        (
            "storage request dropped",
            |s| all_vct_specs(s, |v| v.resources = None),
            "spec.pools[0].persistence.volumeClaimTemplate.resources.requests.storage",
            &["from 10Gi to <unset>"],
        ),
        (
            "access modes changed",
            |s| {
                all_vct_specs(s, |v| {
                    v.access_modes = Some(vec!["ReadWriteOncePod".into()])
                })
            },
            "spec.pools[0].persistence.volumeClaimTemplate.accessModes",
            &["ReadWriteOncePod", "set them back"],
        ),
        (
            "volume mode changed",
            |s| vct_spec(s, 0).volume_mode = Some("Block".into()),
            "spec.pools[0].persistence.volumeClaimTemplate.volumeMode",
            &["from Filesystem to Block"],
        ),
        (
            "volume labels changed",
            |s| {
                spec(s).volume_claim_templates.as_mut().unwrap()[1]
                    .metadata
                    .labels = None;
            },
            "spec.pools[0].persistence.labels",
            &["labels of the volumes", "kubectl label"],
        ),
        (
            "volume annotations changed",
            |s| {
                spec(s).volume_claim_templates.as_mut().unwrap()[0]
                    .metadata
                    .annotations = Some(BTreeMap::from([("a".into(), "b".into())]))
            },
            "spec.pools[0].persistence.annotations",
            &["annotations of the volumes"],
        ),
        (
            "volume renamed",
            |s| {
                spec(s).volume_claim_templates.as_mut().unwrap()[3]
                    .metadata
                    .name = Some("vol3".into())
            },
            "spec.pools[0].persistence",
            &["'data3' would be renamed to 'vol3'"],
        ),
    ];

    /// Changes Kubernetes allows and RustFS survives, plus server-side defaults.
    const ALLOWED: &[(&str, Mutate)] = &[
        ("identical", |_| {}),
        ("same size in other units", |s| set_size(s, "10240Mi")),
        ("pod template changed", |s| {
            spec(s).template.metadata = Some(ObjectMeta {
                annotations: Some(BTreeMap::from([("x".into(), "y".into())])),
                ..ObjectMeta::default()
            })
        }),
        ("volume mode left to the server default", |s| {
            vct_spec(s, 0).volume_mode = None
        }),
    ];

    #[test]
    fn every_refused_change_is_named_with_its_fix() {
        let t = tenant(&["pool-0"]);
        for (case, mutate, field, words) in REFUSED {
            let mut desired = sts("pool-0");
            mutate(&mut desired);
            let got = refused_changes(&t, &[sts("pool-0")], &[desired]);
            assert_eq!(got.len(), 1, "{case}: {got:#?}");
            assert_eq!(got[0].field, *field, "{case}");
            for w in *words {
                assert!(
                    got[0].message.contains(w),
                    "{case}: '{w}' not in '{}'",
                    got[0]
                );
            }
        }
    }

    #[test]
    fn a_volume_growth_is_reviewed_apart_from_the_refused_changes() {
        let t = tenant(&["pool-0"]);
        let mut desired = sts("pool-0");
        set_size(&mut desired, "20Gi");
        let review = review_changes(&t, &[sts("pool-0")], std::slice::from_ref(&desired));
        assert_eq!(review.refused, []);
        let growth = VolumeGrowth {
            field: "spec.pools[0].persistence.volumeClaimTemplate.resources.requests.storage"
                .into(),
            pool: "pool-0".into(),
            stateful_set: "demo-pool-0".into(),
            from: "10Gi".into(),
            to: "20Gi".into(),
            storage_class: Some("fast".into()),
        };
        assert_eq!(review.growth, std::slice::from_ref(&growth));
        // Another change in the same edit is still refused on its own.
        spec(&mut desired).replicas = Some(2);
        let review = review_changes(&t, &[sts("pool-0")], &[desired]);
        assert_eq!(review.refused.len(), 1, "{review:#?}");
        assert_eq!(review.refused[0].field, "spec.pools[0].servers");
        assert_eq!(review.growth, std::slice::from_ref(&growth));
        // Each reason a growth cannot go ahead names the class and the fix.
        let missing = growth.refused(&GrowthBlocked::ClassMissing("fast".into()));
        assert_eq!(missing.field, growth.field);
        assert!(
            missing
                .message
                .contains("StorageClass 'fast' of the pool's volumes does not exist")
        );
        assert!(missing.message.contains("set the size back to 10Gi"));
        let pending = growth.refused(&GrowthBlocked::ClaimsNotBound(vec![
            "vol-0-demo-pool-0-0".into(),
        ]));
        assert!(
            pending
                .message
                .contains("claims vol-0-demo-pool-0-0 are not bound yet")
        );
        let none = growth.refused(&GrowthBlocked::NoClass);
        assert!(none.message.contains("name a StorageClass"));
    }

    #[test]
    fn allowed_changes_pass() {
        let t = tenant(&["pool-0"]);
        for (case, mutate) in ALLOWED {
            let mut desired = sts("pool-0");
            mutate(&mut desired);
            let got = refused_changes(&t, &[sts("pool-0")], &[desired]);
            assert!(got.is_empty(), "{case}: {got:#?}");
        }
    }

    #[test]
    fn server_side_defaults_on_the_existing_object_are_not_changes() {
        let t = tenant(&["pool-0"]);
        let mut existing = sts("pool-0");
        all_vct_specs(&mut existing, |v| v.volume_mode = Some("Filesystem".into()));
        existing.metadata.resource_version = Some("42".into());
        let mut desired = sts("pool-0");
        // An unset policy on our side is OrderedReady, which is what the server stored.
        spec(&mut desired).pod_management_policy = None;
        spec(&mut existing).pod_management_policy = Some("OrderedReady".into());
        assert_eq!(refused_changes(&t, &[existing], &[desired]), []);
    }

    #[test]
    fn removed_or_renamed_pool_is_refused_at_spec_pools() {
        let t = tenant(&["pool-0", "pool-2"]);
        let got = refused_changes(
            &t,
            &[sts("pool-0"), sts("pool-1")],
            &[sts("pool-0"), sts("pool-2")],
        );
        assert_eq!(got.len(), 1, "{got:#?}");
        assert_eq!(got[0].field, "spec.pools");
        assert!(
            got[0]
                .message
                .contains("pool 'pool-1' (StatefulSet 'demo-pool-1')"),
            "{}",
            got[0]
        );
        assert!(
            got[0]
                .message
                .contains("add the pool back under the name 'pool-1'"),
            "{}",
            got[0]
        );
    }

    #[test]
    fn new_pools_and_foreign_statefulsets_are_ignored() {
        let t = tenant(&["pool-0", "pool-1"]);
        let mut foreign = sts("other");
        foreign.metadata.owner_references = None;
        let mut same_name_other_uid = sts("old");
        same_name_other_uid
            .metadata
            .owner_references
            .as_mut()
            .unwrap()[0]
            .uid = "another".into();
        let got = refused_changes(
            &t,
            &[sts("pool-0"), foreign, same_name_other_uid],
            &[sts("pool-0"), sts("pool-1")],
        );
        assert_eq!(got, []);
    }

    /// The StatefulSet of a 1 server x 1 volume pool.
    fn single_drive(pool: &str) -> StatefulSet {
        let mut s = sts(pool);
        spec(&mut s).replicas = Some(1);
        spec(&mut s)
            .volume_claim_templates
            .as_mut()
            .unwrap()
            .truncate(1);
        s
    }

    #[test]
    fn a_pool_added_to_a_single_drive_tenant_is_refused() {
        let t = tenant(&["solo", "more", "most"]);
        let got = refused_changes(
            &t,
            &[single_drive("solo")],
            &[single_drive("solo"), sts("more"), sts("most")],
        );
        assert_eq!(got.len(), 1, "{got:#?}");
        assert_eq!(got[0].field, "spec.pools");
        for w in [
            "runs as a single drive (pool 'solo', StatefulSet 'demo-solo': 1 server x 1 volume)",
            "can never expand",
            "remove the added pool 'more', 'most' from spec.pools",
            "create a new Tenant with at least 2 drives per pool",
        ] {
            assert!(got[0].message.contains(w), "'{w}' not in '{}'", got[0]);
        }
    }

    #[test]
    fn a_single_drive_tenant_unchanged_and_one_server_pools_that_grow_are_not_refused() {
        let t = tenant(&["solo"]);
        let same = refused_changes(&t, &[single_drive("solo")], &[single_drive("solo")]);
        assert_eq!(same, []);
        // One server with two volumes is erasure-coded: it may get a second pool.
        let mut two_volumes = single_drive("a");
        spec(&mut two_volumes)
            .volume_claim_templates
            .as_mut()
            .unwrap()
            .push(vct(1, "10Gi"));
        let t = tenant(&["a", "b"]);
        let got = refused_changes(
            &t,
            std::slice::from_ref(&two_volumes),
            &[two_volumes.clone(), sts("b")],
        );
        assert_eq!(got, []);
        // A 1 x 1 StatefulSet beside another existing one is not a single-drive Tenant here
        // (spec validation refuses that shape on its own).
        let got = refused_changes(
            &t,
            &[single_drive("a"), sts("b")],
            &[single_drive("a"), sts("b")],
        );
        assert_eq!(got, []);
    }

    #[test]
    fn field_points_at_the_pool_index_and_every_pool_is_checked() {
        let t = tenant(&["a", "b"]);
        let mut b = sts("b");
        spec(&mut b).replicas = Some(1);
        let mut a = sts("a");
        set_size(&mut a, "1Gi");
        let got = refused_changes(&t, &[sts("a"), sts("b")], &[a, b]);
        let fields: Vec<&str> = got.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "spec.pools[0].persistence.volumeClaimTemplate.resources.requests.storage",
                "spec.pools[1].servers"
            ]
        );
        assert_eq!(
            got[1].to_string(),
            format!("spec.pools[1].servers: {}", got[1].message)
        );
    }

    #[test]
    fn several_changes_in_one_pool_are_all_reported_once_each() {
        let t = tenant(&["pool-0"]);
        let mut d = sts("pool-0");
        spec(&mut d).replicas = Some(3);
        spec(&mut d).service_name = Some("x".into());
        all_vct_specs(&mut d, |v| v.storage_class_name = Some("slow".into()));
        set_size(&mut d, "1Gi");
        let got = refused_changes(&t, &[sts("pool-0")], &[d]);
        let fields: Vec<&str> = got.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "spec.pools[0]",
                "spec.pools[0].servers",
                "spec.pools[0].persistence.volumeClaimTemplate.storageClassName",
                "spec.pools[0].persistence.volumeClaimTemplate.resources.requests.storage",
            ]
        );
    }
}
