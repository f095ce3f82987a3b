// Copyright 2026 The rustfs-operator Authors.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

//! One StatefulSet per pool: `servers` pods, each with `volumesPerServer` volumes.
//!
//! Safety choices:
//! - the selector is [`labels::pool_selector`], fixed for the pool's life;
//! - volume claims are kept when the StatefulSet is deleted or scaled down
//!   (`persistentVolumeClaimRetentionPolicy` Retain/Retain): they hold erasure-coded data;
//! - non-root by default (uid/gid 10001, the RustFS image's user; fsGroup so the volumes are
//!   writable), no privilege escalation, no capabilities, RuntimeDefault seccomp; the Tenant's
//!   and the pool's security contexts are laid over these defaults (see [`security`]);
//! - the user's pod labels never replace the operator's: the selectors depend on them.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec,
    StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::{
    Affinity, Container, ContainerPort, EmptyDirVolumeSource, EnvVar, HTTPGetAction, KeyToPath,
    LocalObjectReference, PersistentVolumeClaim, PersistentVolumeClaimSpec, PodAffinityTerm,
    PodAntiAffinity, PodSpec, PodTemplateSpec, Probe, ProjectedVolumeSource, SecretProjection,
    SecurityContext, Volume, VolumeMount, VolumeProjection, VolumeResourceRequirements,
    WeightedPodAffinityTerm,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::env::{self, EnvMerge};
use super::security::{self, PoolSecurity};
use super::{BuildContext, Owner, labels, names};
use crate::api::v1alpha1::Pool;

/// Liveness endpoint of RustFS: the process serves HTTP.
pub const LIVENESS_PATH: &str = "/health";
/// Readiness endpoint of RustFS: storage, IAM and peers ready (503 otherwise).
pub const READINESS_PATH: &str = "/health/ready";
/// Size limit of the writable `/tmp` (RustFS writes temporary files during integrity checks
/// and admin downloads); the root filesystem itself is read-only.
pub const TMP_SIZE_LIMIT: &str = "1Gi";
pub use security::RUSTFS_UID;
/// Size of each volume when the Tenant gives no claim template (or no storage request).
pub const DEFAULT_VOLUME_SIZE: &str = "10Gi";
/// Access mode of each volume when the claim template names none.
pub const DEFAULT_ACCESS_MODE: &str = "ReadWriteOnce";

/// The StatefulSet of `pool`.
pub fn stateful_set(owner: &Owner, pool: &Pool, ctx: &BuildContext) -> StatefulSet {
    build(owner, pool, ctx, &env_for(owner, ctx).env)
}

/// The container env shared by every pool of the Tenant. Pools whose decommission
/// completed are out of `RUSTFS_VOLUMES`: they have left the RustFS cluster.
pub(crate) fn env_for(owner: &Owner, ctx: &BuildContext) -> EnvMerge {
    let tenant = owner.tenant();
    let retired = crate::api::v1alpha1::retired_pools(tenant.status.as_ref());
    let mut spec = tenant.spec.clone();
    spec.pools.retain(|p| !retired.contains(&p.name));
    env::container_env(owner.name(), owner.namespace(), &spec, &ctx.cluster_domain)
}

pub(crate) fn build(owner: &Owner, pool: &Pool, ctx: &BuildContext, env: &[EnvVar]) -> StatefulSet {
    let tenant = owner.name();
    let pod_labels = labels::pool_labels(tenant, &pool.name);
    StatefulSet {
        metadata: owner.meta(names::stateful_set(tenant, &pool.name), pod_labels.clone()),
        spec: Some(StatefulSetSpec {
            replicas: Some(pool.servers),
            service_name: Some(names::headless_service(tenant)),
            pod_management_policy: Some(owner.tenant().spec.pod_management_policy.to_string()),
            selector: labels::pool_selector(tenant, &pool.name),
            template: PodTemplateSpec {
                metadata: Some(pod_metadata(owner, pool, pod_labels)),
                spec: Some(pod_spec(owner, pool, ctx, env)),
            },
            volume_claim_templates: Some(volume_claim_templates(tenant, pool)),
            persistent_volume_claim_retention_policy: Some(
                StatefulSetPersistentVolumeClaimRetentionPolicy {
                    when_deleted: Some("Retain".to_owned()),
                    when_scaled: Some("Retain".to_owned()),
                },
            ),
            update_strategy: Some(StatefulSetUpdateStrategy {
                type_: Some("RollingUpdate".to_owned()),
                rolling_update: None,
            }),
            ..StatefulSetSpec::default()
        }),
        status: None,
    }
}

/// The pod template's metadata: the user's labels (the pool's over the Tenant's) under the
/// operator's, which always win; the user's annotations (the pool's over the Tenant's).
fn pod_metadata(
    owner: &Owner,
    pool: &Pool,
    operator_labels: BTreeMap<String, String>,
) -> ObjectMeta {
    let spec = &owner.tenant().spec;
    let mut labels = spec.pod_labels.clone();
    labels.extend(pool.pod_labels.clone());
    labels.extend(operator_labels);
    let mut annotations = spec.pod_annotations.clone();
    annotations.extend(pool.pod_annotations.clone());
    ObjectMeta {
        labels: Some(labels),
        annotations: (!annotations.is_empty()).then_some(annotations),
        ..ObjectMeta::default()
    }
}

/// `imagePullSecrets` and the single `imagePullSecret`, each name once.
fn image_pull_secrets(
    spec: &crate::api::v1alpha1::TenantSpec,
) -> Option<Vec<LocalObjectReference>> {
    let mut out: Vec<LocalObjectReference> = Vec::new();
    for secret in spec
        .image_pull_secrets
        .iter()
        .chain(&spec.image_pull_secret)
    {
        if !out.iter().any(|s| s.name == secret.name) {
            out.push(secret.clone());
        }
    }
    (!out.is_empty()).then_some(out)
}

fn pod_spec(owner: &Owner, pool: &Pool, ctx: &BuildContext, env: &[EnvVar]) -> PodSpec {
    let spec = &owner.tenant().spec;
    let scheduling = &pool.scheduling;
    let PoolSecurity {
        pod: pod_security,
        container: container_security,
    } = security::pool_security(spec, pool);
    let mut containers = vec![container(owner, pool, ctx, env, container_security)];
    containers.extend(spec.sidecars.iter().cloned());
    let mut volumes = pod_volumes(owner);
    volumes.extend(spec.volumes.iter().cloned());
    PodSpec {
        service_account_name: Some(names::pod_service_account(owner.name(), spec)),
        scheduler_name: spec.scheduler.clone(),
        priority_class_name: scheduling
            .priority_class_name
            .clone()
            .or_else(|| spec.priority_class_name.clone()),
        image_pull_secrets: image_pull_secrets(spec),
        runtime_class_name: pool
            .runtime_class_name
            .clone()
            .or_else(|| spec.runtime_class_name.clone()),
        termination_grace_period_seconds: pool
            .termination_grace_period_seconds
            .or(spec.termination_grace_period_seconds),
        node_selector: scheduling.node_selector.clone(),
        affinity: Some(
            scheduling
                .affinity
                .clone()
                .unwrap_or_else(|| spread_over_nodes(owner.name())),
        ),
        tolerations: scheduling.tolerations.clone(),
        topology_spread_constraints: scheduling.topology_spread_constraints.clone(),
        security_context: Some(pod_security),
        // Service links would inject `<SERVICE>_PORT=tcp://...` variables; for a Tenant
        // named `rustfs` those collide with the RUSTFS_ prefix RustFS reads its settings from.
        enable_service_links: Some(false),
        init_containers: (!spec.init_containers.is_empty()).then(|| spec.init_containers.clone()),
        containers,
        volumes: Some(volumes),
        ..PodSpec::default()
    }
}

/// The pod's own volumes (the drives come from the claim templates): a size-limited `/tmp`,
/// and with TLS on the certificate files under the names RustFS looks for.
fn pod_volumes(owner: &Owner) -> Vec<Volume> {
    let mut volumes = vec![Volume {
        name: names::TMP_VOLUME.to_owned(),
        empty_dir: Some(EmptyDirVolumeSource {
            medium: None,
            size_limit: Some(Quantity(TMP_SIZE_LIMIT.to_owned())),
        }),
        ..Volume::default()
    }];
    if let Some((secret, ca)) = names::tls_secrets(owner.name(), &owner.tenant().spec) {
        let item = |key: &str, path: &str| KeyToPath {
            key: key.to_owned(),
            path: path.to_owned(),
            mode: None,
        };
        let project = |name: &str, items: Vec<KeyToPath>| VolumeProjection {
            secret: Some(SecretProjection {
                name: name.to_owned(),
                items: Some(items),
                optional: Some(false),
            }),
            ..VolumeProjection::default()
        };
        // RustFS reads rustfs_cert.pem / rustfs_key.pem, and trusts ca.crt for its peers;
        // it does not know the Secret's tls.crt / tls.key names.
        let mut sources = vec![project(
            &secret,
            vec![
                item("tls.crt", "rustfs_cert.pem"),
                item("tls.key", "rustfs_key.pem"),
            ],
        )];
        if ca.name == secret {
            sources[0]
                .secret
                .as_mut()
                .and_then(|s| s.items.as_mut())
                .expect("items set above")
                .push(item(&ca.key, "ca.crt"));
        } else {
            sources.push(project(&ca.name, vec![item(&ca.key, "ca.crt")]));
        }
        volumes.push(Volume {
            name: names::TLS_VOLUME.to_owned(),
            projected: Some(ProjectedVolumeSource {
                // Readable by the RustFS user only (through fsGroup).
                default_mode: Some(0o440),
                sources: Some(sources),
            }),
            ..Volume::default()
        });
    }
    volumes
}

/// Where the pod volumes are mounted in the RustFS container.
fn pod_volume_mounts(owner: &Owner) -> Vec<VolumeMount> {
    let mut mounts = vec![VolumeMount {
        name: names::TMP_VOLUME.to_owned(),
        mount_path: "/tmp".to_owned(),
        ..VolumeMount::default()
    }];
    if names::tls_secrets(owner.name(), &owner.tenant().spec).is_some() {
        mounts.push(VolumeMount {
            name: names::TLS_VOLUME.to_owned(),
            mount_path: names::TLS_MOUNT_PATH.to_owned(),
            read_only: Some(true),
            ..VolumeMount::default()
        });
    }
    mounts
}

fn container(
    owner: &Owner,
    pool: &Pool,
    ctx: &BuildContext,
    env: &[EnvVar],
    security_context: SecurityContext,
) -> Container {
    let spec = &owner.tenant().spec;
    let scheme = if names::tls_secrets(owner.name(), spec).is_some() {
        "HTTPS"
    } else {
        "HTTP"
    };
    Container {
        name: names::CONTAINER.to_owned(),
        image: Some(
            spec.image
                .clone()
                .unwrap_or_else(|| ctx.default_image.clone()),
        ),
        image_pull_policy: spec.image_pull_policy.map(|p| p.to_string()),
        ports: Some(vec![
            container_port(names::S3_PORT_NAME, names::S3_PORT),
            container_port(names::CONSOLE_PORT_NAME, names::CONSOLE_PORT),
        ]),
        env: Some(env.to_vec()),
        resources: pool.scheduling.resources.clone(),
        volume_mounts: Some(
            (0..pool
                .persistence
                .volumes_per_server
                .min(names::MAX_VOLUMES_PER_SERVER))
                .map(|i| VolumeMount {
                    name: names::volume(i),
                    mount_path: names::volume_mount_path(
                        pool.mount_root(spec.mount_path.as_deref()),
                        i,
                    ),
                    ..VolumeMount::default()
                })
                .chain(pod_volume_mounts(owner))
                .chain(spec.volume_mounts.iter().cloned())
                .collect(),
        ),
        startup_probe: Some(with_scheme(startup_probe(), scheme)),
        liveness_probe: Some(with_scheme(liveness_probe(), scheme)),
        readiness_probe: Some(with_scheme(readiness_probe(), scheme)),
        lifecycle: spec.lifecycle.clone(),
        security_context: Some(security_context),
        ..Container::default()
    }
}

fn container_port(name: &str, number: i32) -> ContainerPort {
    ContainerPort {
        name: Some(name.to_owned()),
        container_port: number,
        // Explicit: protocol is part of the port list's merge key in server-side apply.
        protocol: Some("TCP".to_owned()),
        ..ContainerPort::default()
    }
}

fn http_probe(path: &str) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.to_owned()),
            port: IntOrString::Int(names::S3_PORT),
            scheme: Some("HTTP".to_owned()),
            ..HTTPGetAction::default()
        }),
        ..Probe::default()
    }
}

/// The probe over `scheme` (`HTTPS` when TLS is on; the kubelet does not verify the
/// certificate).
fn with_scheme(mut probe: Probe, scheme: &str) -> Probe {
    if let Some(get) = probe.http_get.as_mut() {
        get.scheme = Some(scheme.to_owned());
    }
    probe
}

/// Up to 5 minutes for the first `/health`: a fresh server may format its drives and wait for
/// peers whose volumes are still being provisioned. Liveness only starts after it succeeds.
pub fn startup_probe() -> Probe {
    Probe {
        period_seconds: Some(5),
        timeout_seconds: Some(3),
        failure_threshold: Some(60),
        ..http_probe(LIVENESS_PATH)
    }
}

/// `/health` every 10 s; restarted after 30 s without an answer.
pub fn liveness_probe() -> Probe {
    Probe {
        period_seconds: Some(10),
        timeout_seconds: Some(5),
        failure_threshold: Some(3),
        ..http_probe(LIVENESS_PATH)
    }
}

/// `/health/ready` every 5 s; out of the IO Service after 15 s of 503s.
pub fn readiness_probe() -> Probe {
    Probe {
        period_seconds: Some(5),
        timeout_seconds: Some(3),
        failure_threshold: Some(3),
        success_threshold: Some(1),
        ..http_probe(READINESS_PATH)
    }
}

/// Without an affinity in the pool: prefer to put the Tenant's pods on different nodes, so one
/// node failure takes as few drives of an erasure set as possible. Only preferred, so small
/// clusters still schedule everything.
fn spread_over_nodes(tenant: &str) -> Affinity {
    Affinity {
        pod_anti_affinity: Some(PodAntiAffinity {
            preferred_during_scheduling_ignored_during_execution: Some(vec![
                WeightedPodAffinityTerm {
                    weight: 100,
                    pod_affinity_term: PodAffinityTerm {
                        label_selector: Some(LabelSelector {
                            match_labels: Some(labels::tenant_selector_labels(tenant)),
                            match_expressions: None,
                        }),
                        topology_key: "kubernetes.io/hostname".to_owned(),
                        ..PodAffinityTerm::default()
                    },
                },
            ]),
            required_during_scheduling_ignored_during_execution: None,
        }),
        ..Affinity::default()
    }
}

/// One claim template per volume, `vol-0` ... `vol-{V-1}`.
///
/// Labels: the pool's labels (the operator's keys win over `persistence.labels`, so claims
/// can always be found by Tenant and pool); annotations: `persistence.annotations`.
pub fn volume_claim_templates(tenant: &str, pool: &Pool) -> Vec<PersistentVolumeClaim> {
    let persistence = &pool.persistence;
    let mut claim_labels = persistence.labels.clone().unwrap_or_default();
    claim_labels.extend(labels::pool_labels(tenant, &pool.name));
    let spec = claim_spec(persistence.volume_claim_template.as_ref());
    (0..persistence
        .volumes_per_server
        .min(names::MAX_VOLUMES_PER_SERVER))
        .map(|i| PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some(names::volume(i)),
                labels: Some(claim_labels.clone()),
                annotations: persistence.annotations.clone(),
                ..ObjectMeta::default()
            },
            spec: Some(spec.clone()),
            status: None,
        })
        .collect()
}

/// The user's claim template, with ReadWriteOnce and 10Gi filled in where it names no access
/// mode or no storage request (a claim without them is rejected by the API server).
pub fn claim_spec(user: Option<&PersistentVolumeClaimSpec>) -> PersistentVolumeClaimSpec {
    let mut spec = user.cloned().unwrap_or_default();
    if spec.access_modes.as_ref().is_none_or(Vec::is_empty) {
        spec.access_modes = Some(vec![DEFAULT_ACCESS_MODE.to_owned()]);
    }
    let resources = spec
        .resources
        .get_or_insert_with(VolumeResourceRequirements::default);
    resources
        .requests
        .get_or_insert_with(BTreeMap::new)
        .entry("storage".to_owned())
        .or_insert_with(|| Quantity(DEFAULT_VOLUME_SIZE.to_owned()));
    spec
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v1alpha1::{ImagePullPolicy, PodManagementPolicy, Tenant};
    use crate::resources::fixtures::TenantBuilder;
    use k8s_openapi::api::core::v1::{
        ConfigMapVolumeSource, Lifecycle, LifecycleHandler, NodeAffinity, PodSecurityContext,
        ResourceRequirements, SleepAction, Toleration, TopologySpreadConstraint,
    };

    fn render(t: &Tenant) -> StatefulSet {
        render_with(t, &BuildContext::default())
    }

    fn render_with(t: &Tenant, ctx: &BuildContext) -> StatefulSet {
        let owner = Owner::new(t).unwrap();
        stateful_set(&owner, &t.spec.pools[0], ctx)
    }

    /// Found by the fault suite's generated specs (tests/faults.rs): the reconcile renders
    /// before it validates, and a Tenant stored without the CRD's bounds once made the
    /// builders allocate i32::MAX volume mounts and claim templates (the operator ran out of
    /// memory). They stop at the CRD's bound; validation refuses such a Tenant anyway.
    #[test]
    fn out_of_bounds_sizes_render_at_most_the_crd_bound() {
        let t = TenantBuilder::new("t")
            .namespace("ns")
            .pool("p0", i32::MAX, i32::MAX)
            .build();
        let s = render(&t);
        let bound = names::MAX_VOLUMES_PER_SERVER as usize;
        assert_eq!(
            spec(&s).volume_claim_templates.as_ref().unwrap().len(),
            bound
        );
        let mounts = rustfs(&s).volume_mounts.as_ref().unwrap();
        assert!(
            mounts.len() >= bound && mounts.len() < bound + 8,
            "{}",
            mounts.len()
        );
        let names = names::tls_required_names("t", "ns", "cluster.local", &t.spec.pools);
        assert_eq!(names.len(), 1 + names::MAX_SERVERS as usize);
    }

    fn spec(s: &StatefulSet) -> &StatefulSetSpec {
        s.spec.as_ref().unwrap()
    }

    fn pod(s: &StatefulSet) -> &PodSpec {
        spec(s).template.spec.as_ref().unwrap()
    }

    fn rustfs(s: &StatefulSet) -> &Container {
        let containers = &pod(s).containers;
        assert_eq!(containers.len(), 1);
        &containers[0]
    }

    fn pod_labels(s: &StatefulSet) -> &BTreeMap<String, String> {
        spec(s)
            .template
            .metadata
            .as_ref()
            .unwrap()
            .labels
            .as_ref()
            .unwrap()
    }

    fn q(s: &str) -> Quantity {
        Quantity(s.to_owned())
    }

    #[test]
    fn replicas_service_and_policies() {
        let sts = render(&TenantBuilder::new("t").pool("p0", 4, 4).build());
        assert_eq!(sts.metadata.name.as_deref(), Some("t-p0"));
        let s = spec(&sts);
        assert_eq!(s.replicas, Some(4));
        assert_eq!(s.service_name.as_deref(), Some("t-hl"));
        assert_eq!(s.pod_management_policy.as_deref(), Some("Parallel"));
        assert_eq!(
            s.update_strategy.as_ref().unwrap().type_.as_deref(),
            Some("RollingUpdate")
        );
        let ordered = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .spec(|s| s.pod_management_policy = PodManagementPolicy::OrderedReady)
                .build(),
        );
        assert_eq!(
            spec(&ordered).pod_management_policy.as_deref(),
            Some("OrderedReady")
        );
    }

    #[test]
    fn claims_are_never_deleted() {
        let sts = render(&TenantBuilder::new("t").pool("p0", 4, 4).build());
        let policy = spec(&sts)
            .persistent_volume_claim_retention_policy
            .as_ref()
            .unwrap();
        assert_eq!(policy.when_deleted.as_deref(), Some("Retain"));
        assert_eq!(policy.when_scaled.as_deref(), Some("Retain"));
    }

    #[test]
    fn selector_is_a_stable_subset_of_the_pod_labels() {
        let plain = render(&TenantBuilder::new("t").pool("p0", 4, 4).build());
        let selector = spec(&plain).selector.match_labels.clone().unwrap();
        assert_eq!(
            selector,
            BTreeMap::from([
                ("rustfs.com/tenant".to_owned(), "t".to_owned()),
                ("rustfs.com/pool".to_owned(), "p0".to_owned()),
            ])
        );
        assert!(spec(&plain).selector.match_expressions.is_none());
        for (k, v) in &selector {
            assert_eq!(pod_labels(&plain).get(k), Some(v), "selector key {k}");
        }
        assert_eq!(sts_labels(&plain), pod_labels(&plain));

        // Everything else that can change leaves the selector (and pod labels) alone.
        let changed = render(
            &TenantBuilder::new("t")
                .pool("p0", 8, 4)
                .with_pool(|p| {
                    p.scheduling.resources = Some(ResourceRequirements::default());
                    p.scheduling.priority_class_name = Some("high".into());
                })
                .image("rustfs/rustfs:9.9.9")
                .env("X", "1")
                .creds("s")
                .service_account("mine")
                .spec(|s| s.scheduler = Some("other".into()))
                .build(),
        );
        assert_eq!(spec(&changed).selector, spec(&plain).selector);
        assert_eq!(pod_labels(&changed), pod_labels(&plain));
    }

    fn sts_labels(s: &StatefulSet) -> &BTreeMap<String, String> {
        s.metadata.labels.as_ref().unwrap()
    }

    #[test]
    fn image_from_tenant_or_operator_default() {
        let ctx = BuildContext {
            default_image: "registry.local/rustfs:pinned".into(),
            ..BuildContext::default()
        };
        let default = render_with(&TenantBuilder::new("t").pool("p0", 4, 4).build(), &ctx);
        assert_eq!(
            rustfs(&default).image.as_deref(),
            Some("registry.local/rustfs:pinned")
        );
        assert_eq!(rustfs(&default).image_pull_policy, None);
        assert_eq!(
            rustfs(&render(&TenantBuilder::new("t").pool("p0", 4, 4).build()))
                .image
                .as_deref(),
            Some("rustfs/rustfs:1.0.1")
        );

        let own = render_with(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .image("mine:1")
                .spec(|s| {
                    s.image_pull_policy = Some(ImagePullPolicy::Always);
                    s.image_pull_secrets = vec![LocalObjectReference { name: "reg".into() }];
                })
                .build(),
            &ctx,
        );
        assert_eq!(rustfs(&own).image.as_deref(), Some("mine:1"));
        assert_eq!(rustfs(&own).image_pull_policy.as_deref(), Some("Always"));
        assert_eq!(
            pod(&own).image_pull_secrets,
            Some(vec![LocalObjectReference { name: "reg".into() }])
        );
        assert_eq!(pod(&default).image_pull_secrets, None);
    }

    #[test]
    fn pod_identity_and_scheduler() {
        let default = render(&TenantBuilder::new("t").pool("p0", 4, 4).build());
        assert_eq!(pod(&default).service_account_name.as_deref(), Some("t-sa"));
        assert_eq!(pod(&default).scheduler_name, None);
        let own = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .service_account("mine")
                .spec(|s| s.scheduler = Some("batch".into()))
                .build(),
        );
        assert_eq!(pod(&own).service_account_name.as_deref(), Some("mine"));
        assert_eq!(pod(&own).scheduler_name.as_deref(), Some("batch"));
    }

    #[test]
    fn pool_priority_class_overrides_the_tenants() {
        let tenant_only = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .spec(|s| s.priority_class_name = Some("tenant-prio".into()));
        assert_eq!(
            pod(&render(&tenant_only.build()))
                .priority_class_name
                .as_deref(),
            Some("tenant-prio")
        );
        let both = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .with_pool(|p| p.scheduling.priority_class_name = Some("pool-prio".into()))
            .spec(|s| s.priority_class_name = Some("tenant-prio".into()));
        assert_eq!(
            pod(&render(&both.build())).priority_class_name.as_deref(),
            Some("pool-prio")
        );
        let neither = render(&TenantBuilder::new("t").pool("p0", 4, 4).build());
        assert_eq!(pod(&neither).priority_class_name, None);
    }

    #[test]
    fn pool_scheduling_is_copied_to_its_pods() {
        let affinity = Affinity {
            node_affinity: Some(NodeAffinity::default()),
            ..Affinity::default()
        };
        let toleration = Toleration {
            key: Some("spot".into()),
            operator: Some("Exists".into()),
            ..Toleration::default()
        };
        let spread = TopologySpreadConstraint {
            max_skew: 1,
            topology_key: "topology.kubernetes.io/zone".into(),
            when_unsatisfiable: "DoNotSchedule".into(),
            ..TopologySpreadConstraint::default()
        };
        let resources = ResourceRequirements {
            requests: Some(BTreeMap::from([("cpu".to_owned(), q("2"))])),
            ..ResourceRequirements::default()
        };
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .with_pool(|p| {
                p.scheduling.node_selector = Some(BTreeMap::from([("disk".into(), "ssd".into())]));
                p.scheduling.affinity = Some(affinity.clone());
                p.scheduling.tolerations = Some(vec![toleration.clone()]);
                p.scheduling.topology_spread_constraints = Some(vec![spread.clone()]);
                p.scheduling.resources = Some(resources.clone());
            })
            .build();
        let sts = render(&t);
        let p = pod(&sts);
        assert_eq!(p.node_selector.as_ref().unwrap()["disk"], "ssd");
        assert_eq!(
            p.affinity,
            Some(affinity),
            "the user's affinity replaces the default"
        );
        assert_eq!(p.tolerations, Some(vec![toleration]));
        assert_eq!(p.topology_spread_constraints, Some(vec![spread]));
        assert_eq!(rustfs(&sts).resources, Some(resources));
    }

    #[test]
    fn pods_prefer_distinct_nodes_without_a_user_affinity() {
        let sts = render(&TenantBuilder::new("t").pool("p0", 4, 4).build());
        let anti = pod(&sts)
            .affinity
            .as_ref()
            .unwrap()
            .pod_anti_affinity
            .as_ref()
            .unwrap();
        assert!(
            anti.required_during_scheduling_ignored_during_execution
                .is_none()
        );
        let terms = anti
            .preferred_during_scheduling_ignored_during_execution
            .as_ref()
            .unwrap();
        assert_eq!(terms.len(), 1);
        assert_eq!(
            terms[0].pod_affinity_term.topology_key,
            "kubernetes.io/hostname"
        );
        assert_eq!(
            terms[0]
                .pod_affinity_term
                .label_selector
                .as_ref()
                .unwrap()
                .match_labels,
            Some(labels::tenant_selector_labels("t"))
        );
    }

    #[test]
    fn ports_and_probes_hit_rustfs_endpoints() {
        let sts = render(&TenantBuilder::new("t").pool("p0", 4, 4).build());
        let c = rustfs(&sts);
        assert_eq!(c.name, "rustfs");
        let ports: Vec<_> = c
            .ports
            .as_ref()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p.name.as_deref().unwrap(),
                    p.container_port,
                    p.protocol.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            ports,
            [("s3", 9000, Some("TCP")), ("console", 9001, Some("TCP"))]
        );

        let get = |p: &Option<Probe>| {
            let h = p.as_ref().unwrap().http_get.clone().unwrap();
            (h.path.unwrap(), h.port)
        };
        assert_eq!(
            get(&c.liveness_probe),
            ("/health".into(), IntOrString::Int(9000))
        );
        assert_eq!(
            get(&c.readiness_probe),
            ("/health/ready".into(), IntOrString::Int(9000))
        );
        assert_eq!(
            get(&c.startup_probe),
            ("/health".into(), IntOrString::Int(9000))
        );
        // The startup budget covers slow drive provisioning; liveness stays quick after it.
        let startup = c.startup_probe.as_ref().unwrap();
        let budget = startup.period_seconds.unwrap() * startup.failure_threshold.unwrap();
        assert!(budget >= 300, "startup budget {budget}s");
        let live = c.liveness_probe.as_ref().unwrap();
        assert!(live.period_seconds.unwrap() * live.failure_threshold.unwrap() <= 60);
    }

    #[test]
    fn security_defaults_are_non_root_and_locked_down() {
        let sts = render(&TenantBuilder::new("t").pool("p0", 4, 4).build());
        let p = pod(&sts).security_context.clone().unwrap();
        assert_eq!(p.run_as_user, Some(10001));
        assert_eq!(p.run_as_group, Some(10001));
        assert_eq!(p.fs_group, Some(10001));
        assert_eq!(p.run_as_non_root, Some(true));
        assert_eq!(p.fs_group_change_policy.as_deref(), Some("OnRootMismatch"));
        assert_eq!(p.seccomp_profile.unwrap().type_, "RuntimeDefault");
        let c = rustfs(&sts).security_context.clone().unwrap();
        assert_eq!(c.allow_privilege_escalation, Some(false));
        assert_eq!(c.capabilities.unwrap().drop, Some(vec!["ALL".to_owned()]));
        assert_eq!(c.privileged, None);
        assert_eq!(c.seccomp_profile.unwrap().type_, "RuntimeDefault");
    }

    #[test]
    fn user_security_contexts_are_laid_over_the_defaults() {
        let pod_sc = PodSecurityContext {
            run_as_user: Some(2000),
            ..PodSecurityContext::default()
        };
        let container_sc = SecurityContext {
            read_only_root_filesystem: Some(true),
            ..SecurityContext::default()
        };
        let sts = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .spec(|s| {
                    s.security_context = Some(pod_sc.clone());
                    s.container_security_context = Some(container_sc.clone());
                })
                .build(),
        );
        let p = pod(&sts).security_context.clone().unwrap();
        assert_eq!(p.run_as_user, Some(2000), "the user's field wins");
        assert_eq!(p.fs_group_change_policy.as_deref(), Some("OnRootMismatch"));
        assert_eq!(p.seccomp_profile.unwrap().type_, "RuntimeDefault");
        let c = rustfs(&sts).security_context.clone().unwrap();
        assert_eq!(
            c.read_only_root_filesystem,
            Some(true),
            "the user's field wins"
        );
        assert_eq!(c.allow_privilege_escalation, Some(false));
        assert_eq!(c.capabilities.unwrap().drop, Some(vec!["ALL".to_owned()]));
        assert_eq!(pod(&sts).enable_service_links, Some(false));
    }

    #[test]
    fn lifecycle_is_passed_through() {
        let lifecycle = Lifecycle {
            pre_stop: Some(LifecycleHandler {
                sleep: Some(SleepAction { seconds: 5 }),
                ..LifecycleHandler::default()
            }),
            ..Lifecycle::default()
        };
        let sts = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .spec(|s| s.lifecycle = Some(lifecycle.clone()))
                .build(),
        );
        assert_eq!(rustfs(&sts).lifecycle, Some(lifecycle));
    }

    #[test]
    fn one_mount_per_volume_under_the_pool_path() {
        let sts = render(
            &TenantBuilder::new("t")
                .pool("p0", 2, 3)
                .path("/mnt/d")
                .build(),
        );
        let mounts: Vec<_> = rustfs(&sts)
            .volume_mounts
            .as_ref()
            .unwrap()
            .iter()
            .map(|m| (m.name.as_str(), m.mount_path.as_str()))
            .collect();
        assert_eq!(
            mounts,
            [
                ("vol-0", "/mnt/d/rustfs0"),
                ("vol-1", "/mnt/d/rustfs1"),
                ("vol-2", "/mnt/d/rustfs2"),
                ("tmp", "/tmp")
            ]
        );
        let claims: Vec<_> = spec(&sts)
            .volume_claim_templates
            .as_ref()
            .unwrap()
            .iter()
            .map(|c| c.metadata.name.clone().unwrap())
            .collect();
        assert_eq!(claims, ["vol-0", "vol-1", "vol-2"]);
        // The drives come from the claim templates; the pod declares only /tmp.
        let volumes: Vec<&str> = pod(&sts)
            .volumes
            .iter()
            .flatten()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(volumes, ["tmp"]);
    }

    #[test]
    fn env_is_the_tenants_merged_env() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .creds("s")
            .env("X", "1")
            .build();
        let sts = render(&t);
        let expected = env::container_env("t", "ns", &t.spec, "cluster.local").env;
        assert_eq!(rustfs(&sts).env, Some(expected));
    }

    #[test]
    fn default_claim_is_rwo_10gi() {
        let sts = render(&TenantBuilder::new("t").pool("p0", 4, 2).build());
        let claims = spec(&sts).volume_claim_templates.clone().unwrap();
        assert_eq!(claims.len(), 2);
        for c in claims {
            let s = c.spec.unwrap();
            assert_eq!(s.access_modes, Some(vec!["ReadWriteOnce".to_owned()]));
            assert_eq!(s.resources.unwrap().requests.unwrap()["storage"], q("10Gi"));
            assert_eq!(s.storage_class_name, None);
            assert_eq!(c.metadata.annotations, None);
            let l = c.metadata.labels.unwrap();
            assert_eq!(l["rustfs.com/tenant"], "t");
            assert_eq!(l["rustfs.com/pool"], "p0");
            assert_eq!(l["app.kubernetes.io/managed-by"], "rustfs-operator");
        }
    }

    #[test]
    fn user_claim_template_is_kept() {
        let user = PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOncePod".into()]),
            storage_class_name: Some("nvme".into()),
            volume_mode: Some("Filesystem".into()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_owned(), q("1Ti"))])),
                limits: None,
            }),
            ..PersistentVolumeClaimSpec::default()
        };
        let sts = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .claim_template(user.clone())
                .build(),
        );
        for c in spec(&sts).volume_claim_templates.clone().unwrap() {
            assert_eq!(c.spec, Some(user.clone()));
        }
    }

    #[test]
    fn partial_claim_template_gets_the_missing_defaults() {
        let user = PersistentVolumeClaimSpec {
            storage_class_name: Some("local-path".into()),
            ..PersistentVolumeClaimSpec::default()
        };
        let s = claim_spec(Some(&user));
        assert_eq!(s.storage_class_name.as_deref(), Some("local-path"));
        assert_eq!(s.access_modes, Some(vec!["ReadWriteOnce".to_owned()]));
        assert_eq!(s.resources.unwrap().requests.unwrap()["storage"], q("10Gi"));

        let empty_modes = PersistentVolumeClaimSpec {
            access_modes: Some(vec![]),
            ..PersistentVolumeClaimSpec::default()
        };
        assert_eq!(
            claim_spec(Some(&empty_modes)).access_modes,
            Some(vec!["ReadWriteOnce".to_owned()])
        );
    }

    #[test]
    fn claim_labels_and_annotations_from_persistence() {
        let sts = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 2)
                .claim_metadata(
                    &[("backup", "daily"), ("rustfs.com/tenant", "spoofed")],
                    &[("snapshot.example/policy", "gold")],
                )
                .build(),
        );
        for c in spec(&sts).volume_claim_templates.clone().unwrap() {
            let l = c.metadata.labels.unwrap();
            assert_eq!(l["backup"], "daily");
            assert_eq!(l["rustfs.com/tenant"], "t", "operator labels win");
            assert_eq!(l["app.kubernetes.io/name"], "rustfs");
            assert_eq!(
                c.metadata.annotations.unwrap()["snapshot.example/policy"],
                "gold"
            );
        }
    }

    #[test]
    fn each_pool_gets_its_own_names_and_sizes() {
        let t = TenantBuilder::new("t")
            .pool("a", 4, 4)
            .pool("b", 2, 8)
            .build();
        let owner = Owner::new(&t).unwrap();
        let ctx = BuildContext::default();
        let b = stateful_set(&owner, &t.spec.pools[1], &ctx);
        assert_eq!(b.metadata.name.as_deref(), Some("t-b"));
        assert_eq!(spec(&b).replicas, Some(2));
        assert_eq!(spec(&b).volume_claim_templates.as_ref().unwrap().len(), 8);
        assert_eq!(pod_labels(&b)["rustfs.com/pool"], "b");
        // Both pools carry the whole cluster in RUSTFS_VOLUMES.
        let a = stateful_set(&owner, &t.spec.pools[0], &ctx);
        assert_eq!(rustfs(&a).env, rustfs(&b).env);
    }

    #[test]
    fn the_root_filesystem_is_read_only_with_a_bounded_writable_tmp() {
        let sts = render(&TenantBuilder::new("t").pool("p0", 1, 1).build());
        let c = rustfs(&sts);
        assert_eq!(
            c.security_context
                .as_ref()
                .unwrap()
                .read_only_root_filesystem,
            Some(true)
        );
        let tmp = pod(&sts)
            .volumes
            .as_ref()
            .unwrap()
            .iter()
            .find(|v| v.name == "tmp")
            .expect("tmp volume");
        let dir = tmp.empty_dir.as_ref().expect("emptyDir");
        assert_eq!(
            dir.size_limit.as_ref().map(|q| q.0.as_str()),
            Some(TMP_SIZE_LIMIT)
        );
        // A user may still turn it off field by field.
        let mut t = TenantBuilder::new("t").pool("p0", 1, 1).build();
        t.spec.container_security_context = Some(SecurityContext {
            read_only_root_filesystem: Some(false),
            ..SecurityContext::default()
        });
        let sts = render(&t);
        let sc = rustfs(&sts).security_context.clone().unwrap();
        assert_eq!(sc.read_only_root_filesystem, Some(false));
        assert_eq!(
            sc.allow_privilege_escalation,
            Some(false),
            "other defaults kept"
        );
    }

    #[test]
    fn tls_mounts_the_secret_under_rustfs_names_and_probes_use_https() {
        use crate::api::v1alpha1::{SecretKeyRef, TlsMode, TlsSpec};
        let mut t = TenantBuilder::new("t").pool("p0", 2, 1).build();
        t.spec.tls = Some(TlsSpec {
            mode: TlsMode::Secret,
            secret_name: Some("certs".into()),
            ..TlsSpec::default()
        });
        let sts = render(&t);
        let volume = pod(&sts)
            .volumes
            .as_ref()
            .unwrap()
            .iter()
            .find(|v| v.name == names::TLS_VOLUME)
            .cloned()
            .expect("tls volume");
        let items = |v: &Volume| -> Vec<(String, String, String)> {
            v.projected
                .as_ref()
                .unwrap()
                .sources
                .as_ref()
                .unwrap()
                .iter()
                .flat_map(|s| {
                    let s = s.secret.as_ref().unwrap();
                    s.items
                        .as_ref()
                        .unwrap()
                        .iter()
                        .map(|i| (s.name.clone(), i.key.clone(), i.path.clone()))
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        let own = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
        assert_eq!(
            items(&volume),
            [
                own("certs", "tls.crt", "rustfs_cert.pem"),
                own("certs", "tls.key", "rustfs_key.pem"),
                own("certs", "ca.crt", "ca.crt"),
            ]
        );
        let c = rustfs(&sts);
        assert!(
            c.volume_mounts
                .as_ref()
                .unwrap()
                .iter()
                .any(|m| m.name == names::TLS_VOLUME
                    && m.mount_path == names::TLS_MOUNT_PATH
                    && m.read_only == Some(true))
        );
        for probe in [&c.liveness_probe, &c.readiness_probe, &c.startup_probe] {
            let get = probe.as_ref().unwrap().http_get.as_ref().unwrap();
            assert_eq!(get.scheme.as_deref(), Some("HTTPS"));
        }
        // A CA from another Secret is shipped as ca.crt too.
        t.spec.tls.as_mut().unwrap().ca_secret = Some(SecretKeyRef {
            name: "corp-ca".into(),
            key: "root.pem".into(),
        });
        let sts = render(&t);
        let volume = pod(&sts)
            .volumes
            .as_ref()
            .unwrap()
            .iter()
            .find(|v| v.name == names::TLS_VOLUME)
            .cloned()
            .unwrap();
        assert_eq!(items(&volume)[2..], [own("corp-ca", "root.pem", "ca.crt")]);
        // Without TLS, plain HTTP probes and no TLS volume.
        t.spec.tls = None;
        let sts = render(&t);
        assert!(
            pod(&sts)
                .volumes
                .as_ref()
                .unwrap()
                .iter()
                .all(|v| v.name != names::TLS_VOLUME)
        );
        let get = rustfs(&sts)
            .readiness_probe
            .as_ref()
            .unwrap()
            .http_get
            .clone()
            .unwrap();
        assert_eq!(get.scheme.as_deref(), Some("HTTP"));
    }

    #[test]
    fn pod_labels_and_annotations_merge_pool_over_tenant_under_the_operators() {
        let sts = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .spec(|s| {
                    s.pod_labels = BTreeMap::from([
                        ("team".into(), "storage".into()),
                        ("tier".into(), "tenant".into()),
                        ("rustfs.com/pool".into(), "spoofed".into()),
                    ]);
                    s.pod_annotations = BTreeMap::from([
                        ("a".into(), "tenant".into()),
                        ("b".into(), "tenant".into()),
                    ]);
                    s.pools[0].pod_labels = BTreeMap::from([("tier".into(), "pool".into())]);
                    s.pools[0].pod_annotations = BTreeMap::from([("b".into(), "pool".into())]);
                })
                .build(),
        );
        let l = pod_labels(&sts);
        assert_eq!(l["team"], "storage");
        assert_eq!(l["tier"], "pool", "the pool wins");
        assert_eq!(l["rustfs.com/pool"], "p0", "the operator's labels win");
        assert_eq!(l["rustfs.com/tenant"], "t");
        let a = spec(&sts)
            .template
            .metadata
            .as_ref()
            .unwrap()
            .annotations
            .clone()
            .unwrap();
        assert_eq!(a["a"], "tenant");
        assert_eq!(a["b"], "pool");
        // The StatefulSet's own labels and selector ignore the user's.
        assert!(!sts_labels(&sts).contains_key("team"));
        let plain = render(&TenantBuilder::new("t").pool("p0", 4, 4).build());
        assert_eq!(spec(&sts).selector, spec(&plain).selector);
        assert_eq!(
            spec(&plain).template.metadata.as_ref().unwrap().annotations,
            None
        );
    }

    #[test]
    fn runtime_class_and_grace_period_pool_over_tenant() {
        let tenant_only = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .spec(|s| {
                    s.runtime_class_name = Some("gvisor".into());
                    s.termination_grace_period_seconds = Some(120);
                })
                .build(),
        );
        assert_eq!(
            pod(&tenant_only).runtime_class_name.as_deref(),
            Some("gvisor")
        );
        assert_eq!(
            pod(&tenant_only).termination_grace_period_seconds,
            Some(120)
        );
        let both = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .spec(|s| {
                    s.runtime_class_name = Some("gvisor".into());
                    s.termination_grace_period_seconds = Some(120);
                    s.pools[0].runtime_class_name = Some("kata".into());
                    s.pools[0].termination_grace_period_seconds = Some(0);
                })
                .build(),
        );
        assert_eq!(pod(&both).runtime_class_name.as_deref(), Some("kata"));
        assert_eq!(pod(&both).termination_grace_period_seconds, Some(0));
        let neither = render(&TenantBuilder::new("t").pool("p0", 4, 4).build());
        assert_eq!(pod(&neither).runtime_class_name, None);
        assert_eq!(pod(&neither).termination_grace_period_seconds, None);
    }

    #[test]
    fn the_single_image_pull_secret_joins_the_list_once() {
        let reg = |n: &str| LocalObjectReference { name: n.into() };
        let sts = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .spec(|s| {
                    s.image_pull_secrets = vec![reg("a"), reg("b")];
                    s.image_pull_secret = Some(reg("c"));
                })
                .build(),
        );
        assert_eq!(
            pod(&sts).image_pull_secrets,
            Some(vec![reg("a"), reg("b"), reg("c")])
        );
        let dup = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .spec(|s| {
                    s.image_pull_secrets = vec![reg("a")];
                    s.image_pull_secret = Some(reg("a"));
                })
                .build(),
        );
        assert_eq!(pod(&dup).image_pull_secrets, Some(vec![reg("a")]));
        let only = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 4)
                .spec(|s| s.image_pull_secret = Some(reg("c")))
                .build(),
        );
        assert_eq!(pod(&only).image_pull_secrets, Some(vec![reg("c")]));
    }

    #[test]
    fn extra_volumes_mounts_init_containers_and_sidecars_join_the_operators() {
        let ca = Volume {
            name: "corp-ca".into(),
            config_map: Some(ConfigMapVolumeSource {
                name: "corp-ca".into(),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        };
        let mount = VolumeMount {
            name: "corp-ca".into(),
            mount_path: "/etc/ssl/corp".into(),
            read_only: Some(true),
            ..VolumeMount::default()
        };
        let init = Container {
            name: "wait".into(),
            image: Some("busybox".into()),
            ..Container::default()
        };
        let sidecar = Container {
            name: "logs".into(),
            image: Some("fluent-bit".into()),
            ..Container::default()
        };
        let sts = render(
            &TenantBuilder::new("t")
                .pool("p0", 2, 2)
                .spec(|s| {
                    s.volumes = vec![ca.clone()];
                    s.volume_mounts = vec![mount.clone()];
                    s.init_containers = vec![init.clone()];
                    s.sidecars = vec![sidecar.clone()];
                })
                .build(),
        );
        let p = pod(&sts);
        let names: Vec<&str> = p.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["rustfs", "logs"], "RustFS first, then the sidecars");
        assert_eq!(p.containers[1], sidecar);
        assert_eq!(p.init_containers, Some(vec![init]));
        let volumes: Vec<&str> = p
            .volumes
            .iter()
            .flatten()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(volumes, ["tmp", "corp-ca"]);
        let mounts = p.containers[0].volume_mounts.clone().unwrap();
        assert_eq!(mounts.last(), Some(&mount));
        assert_eq!(mounts.len(), 4, "2 drives, /tmp, the extra one");
        let plain = render(&TenantBuilder::new("t").pool("p0", 2, 2).build());
        assert_eq!(pod(&plain).init_containers, None);
    }

    #[test]
    fn the_tenant_mount_path_applies_to_pools_without_their_own() {
        let t = TenantBuilder::new("t")
            .pool("a", 2, 2)
            .pool("b", 2, 2)
            .spec(|s| {
                s.mount_path = Some("/mnt/rustfs".into());
                s.pools[1].persistence.path = Some("/own".into());
            })
            .build();
        let owner = Owner::new(&t).unwrap();
        let ctx = BuildContext::default();
        let first_mount = |pool: usize| {
            let sts = stateful_set(&owner, &t.spec.pools[pool], &ctx);
            rustfs(&sts).volume_mounts.clone().unwrap()[0]
                .mount_path
                .clone()
        };
        assert_eq!(first_mount(0), "/mnt/rustfs/rustfs0");
        assert_eq!(first_mount(1), "/own/rustfs0");
        let volumes = env::container_env("t", "ns", &t.spec, "cluster.local")
            .env
            .into_iter()
            .find(|e| e.name == "RUSTFS_VOLUMES")
            .and_then(|e| e.value)
            .unwrap();
        assert!(
            volumes.contains(":9000/mnt/rustfs/rustfs{0...1}"),
            "{volumes}"
        );
        assert!(volumes.contains(":9000/own/rustfs{0...1}"), "{volumes}");
    }

    #[test]
    fn an_empty_security_context_pair_renders_no_ids() {
        let sts = render(
            &TenantBuilder::new("t")
                .pool("p0", 4, 2)
                .with_pool(|p| {
                    p.security_context = Some(PodSecurityContext::default());
                    p.container_security_context = Some(SecurityContext::default());
                })
                .build(),
        );
        let p = pod(&sts).security_context.clone().unwrap();
        assert_eq!(
            (p.run_as_user, p.run_as_group, p.fs_group),
            (None, None, None)
        );
        let c = rustfs(&sts).security_context.clone().unwrap();
        assert_eq!((c.run_as_user, c.run_as_group), (None, None));
        let yaml = serde_yaml::to_string(&sts).unwrap();
        assert!(!yaml.contains("runAsUser"), "{yaml}");
    }
}
