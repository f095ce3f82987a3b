// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! proptest strategies for whole Tenants: every field of the spec, with the values that
//! break things (huge and negative numbers, odd quantities, unicode, empty and very long
//! strings, optionals absent and present). Weighted so that a fair share of the specs is
//! valid: a generator that only makes garbage never reaches the builders' deeper paths.
//!
//! The structs are built without `..Default::default()`, so a new field in the spec is a
//! compile error here until the generator covers it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, Container, EnvVar, EnvVarSource, ExecAction, Lifecycle, LifecycleHandler,
    LocalObjectReference, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    PersistentVolumeClaimSpec, PodSecurityContext, ResourceRequirements, SecretKeySelector,
    SecurityContext, Toleration, TopologySpreadConstraint, Volume, VolumeMount,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use rustfs_operator::api::v1alpha1::{
    CertManagerTls, CredsSecretRef, ImagePullPolicy, IssuerRef, LogLevel, LoggingSpec, Persistence,
    PodDeletionPolicy, PodManagementPolicy, Pool, SchedulingConfig, SecretKeyRef, ServiceSettings,
    ServiceType, Tenant, TenantServices, TenantSpec, TlsMode, TlsSpec,
};

/// Quantities a user could type, valid or not.
const ODD_QUANTITIES: &[&str] = &[
    "1.5Gi",
    "0",
    "-1Gi",
    "1e3",
    "10Ki",
    "1Gi",
    "10Gi",
    "500m",
    "0.5",
    "1E",
    "8Ei",
    "9223372036854775807",
    "99999999999999999999999Ti",
    "",
    " ",
    "abc",
    "1gi",
    "1GiB",
    "+1Gi",
    " 1Gi",
    "1Gi ",
    "0x10",
    "1.",
    ".5Gi",
    "1e-3",
    "1..5Gi",
    "１Gi",
    "NaN",
    "Infinity",
    "1Gi1Gi",
];

/// Any string: empty, short, plain, unicode, control characters, very long.
pub fn weird_string() -> BoxedStrategy<String> {
    prop_oneof![
        2 => Just(String::new()),
        6 => "[a-z][a-z0-9-]{0,12}",
        2 => "[A-Za-z0-9._/:@-]{1,30}",
        2 => "\\PC{1,16}",
        1 => "[\\x00-\\x1f ]{1,4}",
        1 => (200usize..600).prop_map(|n| "a".repeat(n)),
        1 => (1usize..4).prop_map(|n| "é".repeat(n * 1000)),
    ]
    .boxed()
}

/// A name: mostly a DNS label, sometimes anything.
fn name(prefix: &'static str) -> BoxedStrategy<String> {
    prop_oneof![
        16 => "[a-z0-9]{0,6}".prop_map(move |s| format!("{prefix}{s}")),
        2 => "[a-z]([a-z0-9-]{0,60}[a-z0-9])?",
        1 => weird_string(),
    ]
    .boxed()
}

/// A quantity string: the odd list, or a generated number with a suffix.
pub fn quantity() -> BoxedStrategy<Quantity> {
    prop_oneof![
        3 => proptest::sample::select(ODD_QUANTITIES).prop_map(str::to_owned),
        3 => "-?[0-9]{1,22}(\\.[0-9]{1,4})?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|e[0-9]{1,3}|E[0-9]{1,2})?",
        1 => weird_string(),
    ]
    .prop_map(Quantity)
    .boxed()
}

/// An i32 that is usually a sane size and sometimes an extreme.
fn count() -> BoxedStrategy<i32> {
    prop_oneof![
        40 => 1..=16i32,
        2 => 17..=1100i32,
        1 => Just(0),
        1 => Just(-1),
        1 => Just(i32::MAX),
        1 => Just(i32::MIN),
        1 => any::<i32>(),
    ]
    .boxed()
}

/// An i64 field (uids, seconds): sane or extreme.
fn big_i64() -> BoxedStrategy<i64> {
    prop_oneof![
        3 => 0..=65535i64,
        1 => Just(-1i64),
        1 => Just(i64::MAX),
        1 => Just(i64::MIN),
        1 => any::<i64>(),
    ]
    .boxed()
}

fn string_map() -> BoxedStrategy<BTreeMap<String, String>> {
    btree_map(weird_string(), weird_string(), 0..4).boxed()
}

fn resources_map() -> BoxedStrategy<BTreeMap<String, Quantity>> {
    btree_map(
        prop_oneof![
            4 => Just("storage".to_owned()),
            1 => weird_string()
        ],
        quantity(),
        0..3,
    )
    .boxed()
}

fn volume_claim_template() -> BoxedStrategy<PersistentVolumeClaimSpec> {
    (
        option::of(vec(
            prop_oneof![
                4 => Just("ReadWriteOnce".to_owned()),
                1 => weird_string()
            ],
            0..3,
        )),
        option::of((option::of(resources_map()), option::of(resources_map()))),
        option::of(prop_oneof![3 => Just("local-fake".to_owned()), 1 => weird_string()]),
    )
        .prop_map(
            |(access_modes, resources, storage_class_name)| PersistentVolumeClaimSpec {
                access_modes,
                resources: resources
                    .map(|(requests, limits)| VolumeResourceRequirements { requests, limits }),
                storage_class_name,
                ..PersistentVolumeClaimSpec::default()
            },
        )
        .boxed()
}

fn persistence() -> BoxedStrategy<Persistence> {
    (
        count(),
        option::of(volume_claim_template()),
        prop_oneof![
            6 => Just("/data".to_owned()),
            2 => "/[a-z]{1,12}(/[a-z0-9]{1,8})?",
            2 => weird_string(),
        ],
        option::of(string_map()),
        option::of(string_map()),
    )
        .prop_map(
            |(volumes_per_server, volume_claim_template, path, labels, annotations)| Persistence {
                volumes_per_server,
                volume_claim_template,
                // "/data" is the default; leaving it unset exercises the fallback.
                path: Some(path).filter(|p: &String| p != "/data"),
                labels,
                annotations,
            },
        )
        .boxed()
}

fn affinity() -> BoxedStrategy<Affinity> {
    (
        weird_string(),
        prop_oneof![
            Just("In".to_owned()),
            Just("Exists".to_owned()),
            weird_string()
        ],
        vec(weird_string(), 0..3),
    )
        .prop_map(|(key, operator, values)| Affinity {
            node_affinity: Some(NodeAffinity {
                required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                    node_selector_terms: vec![NodeSelectorTerm {
                        match_expressions: Some(vec![NodeSelectorRequirement {
                            key,
                            operator,
                            values: Some(values),
                        }]),
                        match_fields: None,
                    }],
                }),
                preferred_during_scheduling_ignored_during_execution: None,
            }),
            ..Affinity::default()
        })
        .boxed()
}

fn toleration() -> BoxedStrategy<Toleration> {
    (
        option::of(weird_string()),
        option::of(prop_oneof![Just("Exists".to_owned()), weird_string()]),
        option::of(weird_string()),
        option::of(prop_oneof![Just("NoSchedule".to_owned()), weird_string()]),
        option::of(big_i64()),
    )
        .prop_map(
            |(key, operator, value, effect, toleration_seconds)| Toleration {
                key,
                operator,
                value,
                effect,
                toleration_seconds,
            },
        )
        .boxed()
}

fn spread() -> BoxedStrategy<TopologySpreadConstraint> {
    (
        count(),
        prop_oneof![Just("kubernetes.io/hostname".to_owned()), weird_string()],
        prop_oneof![Just("DoNotSchedule".to_owned()), weird_string()],
        option::of(count()),
    )
        .prop_map(
            |(max_skew, topology_key, when_unsatisfiable, min_domains)| TopologySpreadConstraint {
                max_skew,
                topology_key,
                when_unsatisfiable,
                min_domains,
                ..TopologySpreadConstraint::default()
            },
        )
        .boxed()
}

fn container_resources() -> BoxedStrategy<ResourceRequirements> {
    let map = btree_map(
        prop_oneof![
            Just("cpu".to_owned()),
            Just("memory".to_owned()),
            weird_string()
        ],
        quantity(),
        0..3,
    );
    (option::of(map.clone()), option::of(map))
        .prop_map(|(requests, limits)| ResourceRequirements {
            requests,
            limits,
            claims: None,
        })
        .boxed()
}

fn scheduling() -> BoxedStrategy<SchedulingConfig> {
    (
        option::of(string_map()),
        option::of(affinity()),
        option::of(vec(toleration(), 0..3)),
        option::of(container_resources()),
        option::of(vec(spread(), 0..2)),
        option::of(weird_string()),
    )
        .prop_map(
            |(
                node_selector,
                affinity,
                tolerations,
                resources,
                topology_spread_constraints,
                priority_class_name,
            )| SchedulingConfig {
                node_selector,
                affinity,
                tolerations,
                resources,
                topology_spread_constraints,
                priority_class_name,
            },
        )
        .boxed()
}

fn pool() -> BoxedStrategy<Pool> {
    (
        name("pool-"),
        count(),
        persistence(),
        prop_oneof![9 => Just(false), 1 => Just(true)],
        prop_oneof![3 => Just(None), 1 => scheduling().prop_map(Some)],
        pod_platform(),
    )
        .prop_map(
            |(name, servers, persistence, decommission, scheduling, platform)| Pool {
                name,
                servers,
                persistence,
                decommission,
                security_context: platform.0,
                container_security_context: platform.1,
                pod_labels: platform.2,
                pod_annotations: platform.3,
                runtime_class_name: platform.4,
                termination_grace_period_seconds: platform.5,
                scheduling: scheduling.unwrap_or_default(),
            },
        )
        .boxed()
}

/// Pod-level settings shared by the Tenant and its pools.
type PodPlatform = (
    Option<PodSecurityContext>,
    Option<SecurityContext>,
    BTreeMap<String, String>,
    BTreeMap<String, String>,
    Option<String>,
    Option<i64>,
);

fn pod_platform() -> BoxedStrategy<PodPlatform> {
    (
        option::of(pod_security()),
        option::of(container_security()),
        prop_oneof![3 => Just(BTreeMap::new()), 1 => string_map()],
        prop_oneof![3 => Just(BTreeMap::new()), 1 => string_map()],
        option::of(weird_string()),
        option::of(prop_oneof![3 => 0i64..600, 1 => any::<i64>()]),
    )
        .boxed()
}

fn service_settings() -> BoxedStrategy<ServiceSettings> {
    (
        option::of(prop_oneof![
            Just(ServiceType::ClusterIP),
            Just(ServiceType::NodePort),
            Just(ServiceType::LoadBalancer)
        ]),
        string_map(),
        string_map(),
        option::of(weird_string()),
        vec(
            prop_oneof![Just("10.0.0.0/8".to_owned()), weird_string()],
            0..3,
        ),
    )
        .prop_map(
            |(type_, annotations, labels, load_balancer_class, load_balancer_source_ranges)| {
                ServiceSettings {
                    type_,
                    annotations,
                    labels,
                    load_balancer_class,
                    load_balancer_source_ranges,
                }
            },
        )
        .boxed()
}

/// Extra volumes, mounts, init containers and sidecars: mostly none, sometimes ones that
/// collide with the operator's own names and paths.
type Extras = (
    Vec<Volume>,
    Vec<VolumeMount>,
    Vec<Container>,
    Vec<Container>,
);

fn extras() -> BoxedStrategy<Extras> {
    let volume_name = prop_oneof![
        Just("tmp".to_owned()),
        Just("vol-0".to_owned()),
        Just("extra".to_owned()),
        weird_string()
    ];
    let volumes = vec(
        volume_name.clone().prop_map(|name| Volume {
            name,
            empty_dir: Some(Default::default()),
            ..Volume::default()
        }),
        0..3,
    );
    let mounts = vec(
        (
            volume_name,
            prop_oneof![
                Just("/tmp".to_owned()),
                Just("/data/rustfs0".to_owned()),
                Just("/extra".to_owned()),
                weird_string()
            ],
        )
            .prop_map(|(name, mount_path)| VolumeMount {
                name,
                mount_path,
                ..VolumeMount::default()
            }),
        0..3,
    );
    let container = prop_oneof![
        Just("rustfs".to_owned()),
        Just("helper".to_owned()),
        weird_string()
    ]
    .prop_map(|name| Container {
        name,
        image: Some("busybox".to_owned()),
        ..Container::default()
    });
    (
        prop_oneof![3 => Just(Vec::new()), 1 => volumes],
        prop_oneof![3 => Just(Vec::new()), 1 => mounts],
        prop_oneof![4 => Just(Vec::new()), 1 => vec(container.clone(), 0..2)],
        prop_oneof![4 => Just(Vec::new()), 1 => vec(container, 0..2)],
    )
        .boxed()
}

/// Env names the operator or RustFS reads.
const KNOWN_ENV: &[&str] = &[
    "RUSTFS_ACCESS_KEY",
    "RUSTFS_SECRET_KEY",
    "RUSTFS_ERASURE_SET_DRIVE_COUNT",
    "RUSTFS_VOLUMES",
    "RUSTFS_ADDRESS",
    "RUSTFS_CONSOLE_ADDRESS",
    "RUSTFS_RPC_SECRET",
    "RUSTFS_OBS_LOGGER_LEVEL",
];

/// Env names that mean something to the operator or RustFS, and anything else.
fn env_name() -> BoxedStrategy<String> {
    prop_oneof![
        2 => proptest::sample::select(KNOWN_ENV)
        .prop_map(str::to_owned),
        2 => "[A-Z_]{1,20}",
        1 => weird_string(),
    ]
    .boxed()
}

fn env_var() -> BoxedStrategy<EnvVar> {
    (
        env_name(),
        option::of(prop_oneof![
            2 => weird_string(),
            1 => "[0-9]{1,3}",
            1 => Just("rustfsadmin".to_owned())
        ]),
        option::of((weird_string(), weird_string())),
    )
        .prop_map(|(name, value, from)| EnvVar {
            name,
            value,
            value_from: from.map(|(name, key)| EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name,
                    key,
                    optional: None,
                }),
                ..EnvVarSource::default()
            }),
        })
        .boxed()
}

fn secret_key_ref() -> BoxedStrategy<SecretKeyRef> {
    (name("secret-"), name("key"))
        .prop_map(|(name, key)| SecretKeyRef { name, key })
        .boxed()
}

fn go_duration() -> BoxedStrategy<String> {
    prop_oneof![
        2 => "[0-9]{1,5}(h|m|s|ms)([0-9]{1,2}m)?",
        1 => weird_string(),
    ]
    .boxed()
}

fn tls() -> BoxedStrategy<TlsSpec> {
    let mode = prop_oneof![
        Just(TlsMode::Disabled),
        Just(TlsMode::Secret),
        Just(TlsMode::CertManager)
    ];
    let issuer = (
        name("issuer-"),
        option::of(prop_oneof![
            2 => Just("Issuer".to_owned()),
            2 => Just("ClusterIssuer".to_owned()),
            1 => weird_string()
        ]),
        option::of(prop_oneof![
            Just("cert-manager.io".to_owned()),
            weird_string()
        ]),
    )
        .prop_map(|(name, kind, group)| IssuerRef { name, kind, group });
    let cert_manager = (issuer, option::of(go_duration()), option::of(go_duration())).prop_map(
        |(issuer_ref, duration, renew_before)| CertManagerTls {
            issuer_ref,
            duration,
            renew_before,
        },
    );
    (
        mode,
        option::of(name("tls-")),
        option::of(secret_key_ref()),
        option::of(cert_manager),
    )
        .prop_map(|(mode, secret_name, ca_secret, cert_manager)| TlsSpec {
            mode,
            secret_name,
            ca_secret,
            cert_manager,
        })
        .boxed()
}

fn logging() -> BoxedStrategy<LoggingSpec> {
    let level = prop_oneof![
        Just(LogLevel::Error),
        Just(LogLevel::Warn),
        Just(LogLevel::Info),
        Just(LogLevel::Debug),
        Just(LogLevel::Trace),
    ];
    let endpoint = prop_oneof![
        2 => "https?://[a-z0-9.-]{1,20}(:[0-9]{1,5})?(/[a-z]{0,8})?",
        1 => weird_string(),
    ];
    (option::of(level), option::of(endpoint))
        .prop_map(|(level, otlp_endpoint)| LoggingSpec {
            level,
            otlp_endpoint,
        })
        .boxed()
}

fn lifecycle() -> BoxedStrategy<Lifecycle> {
    vec(weird_string(), 0..3)
        .prop_map(|command| Lifecycle {
            pre_stop: Some(LifecycleHandler {
                exec: Some(ExecAction {
                    command: Some(command),
                }),
                ..LifecycleHandler::default()
            }),
            ..Lifecycle::default()
        })
        .boxed()
}

fn pod_security() -> BoxedStrategy<PodSecurityContext> {
    (
        option::of(big_i64()),
        option::of(big_i64()),
        option::of(big_i64()),
        option::of(any::<bool>()),
    )
        .prop_map(
            |(run_as_user, run_as_group, fs_group, run_as_non_root)| PodSecurityContext {
                run_as_user,
                run_as_group,
                fs_group,
                run_as_non_root,
                ..PodSecurityContext::default()
            },
        )
        .boxed()
}

fn container_security() -> BoxedStrategy<SecurityContext> {
    (
        option::of(big_i64()),
        option::of(any::<bool>()),
        option::of(any::<bool>()),
        option::of(any::<bool>()),
    )
        .prop_map(
            |(run_as_user, privileged, read_only_root_filesystem, allow_privilege_escalation)| {
                SecurityContext {
                    run_as_user,
                    privileged,
                    read_only_root_filesystem,
                    allow_privilege_escalation,
                    ..SecurityContext::default()
                }
            },
        )
        .boxed()
}

fn pools() -> BoxedStrategy<Vec<Pool>> {
    prop_oneof![
        12 => vec(pool(), 1..=2),
        2 => vec(pool(), 3..=5),
        1 => Just(Vec::new()),
        1 => vec(pool(), 15..=18),
    ]
    .prop_map(|mut pools| {
        // Generated names are often alike; number the plain ones so that duplicates stay
        // the exception, not the rule.
        for (i, p) in pools.iter_mut().enumerate() {
            if p.name == "pool-" {
                p.name = format!("pool-{i}");
            }
        }
        pools
    })
    .boxed()
}

/// Every field of the spec.
pub fn spec() -> BoxedStrategy<TenantSpec> {
    let images = option::of(prop_oneof![
        3 => Just("rustfs/rustfs:1.0.1".to_owned()),
        1 => weird_string(),
    ]);
    let image_pull_policy = option::of(prop_oneof![
        Just(ImagePullPolicy::Always),
        Just(ImagePullPolicy::IfNotPresent),
        Just(ImagePullPolicy::Never),
    ]);
    let pod_management_policy = prop_oneof![
        Just(PodManagementPolicy::Parallel),
        Just(PodManagementPolicy::OrderedReady)
    ];
    let node_down = option::of(prop_oneof![
        Just(PodDeletionPolicy::DoNothing),
        Just(PodDeletionPolicy::Delete),
        Just(PodDeletionPolicy::ForceDelete),
    ]);
    let env = prop_oneof![
        12 => Just(Vec::new()),
        6 => vec(env_var(), 1..4),
        1 => vec(env_var(), 250..260),
    ];
    let first = (
        pools(),
        images,
        env,
        option::of(weird_string()),
        image_pull_policy,
        vec(
            option::of(weird_string()).prop_map(|name| LocalObjectReference {
                name: name.unwrap_or_default(),
            }),
            0..2,
        ),
        pod_management_policy,
        option::of(name("creds-").prop_map(|name| CredsSecretRef { name })),
        option::of(secret_key_ref()),
    );
    let second = (
        prop_oneof![3 => Just(None), 1 => tls().prop_map(Some)],
        prop_oneof![3 => Just(None), 1 => logging().prop_map(Some)],
        option::of(name("sa-")),
        option::of(any::<bool>()),
        node_down,
        option::of(weird_string()),
        option::of(lifecycle()),
        option::of(pod_security()),
        option::of(container_security()),
    );
    let third = (
        prop_oneof![
            6 => Just(None),
            1 => name("pull-").prop_map(|name| Some(LocalObjectReference { name }))
        ],
        prop_oneof![
            6 => Just(None),
            1 => prop_oneof![Just("/data".to_owned()), Just("/mnt/x".to_owned()), weird_string()]
                .prop_map(Some)
        ],
        pod_platform(),
        prop_oneof![
            8 => Just(None),
            1 => (option::of(service_settings()), option::of(service_settings()))
                .prop_map(|(io, console)| Some(TenantServices { io, console }))
        ],
        extras(),
    );
    (first, second, third)
        .prop_map(
            |(
                (
                    pools,
                    image,
                    env,
                    scheduler,
                    image_pull_policy,
                    image_pull_secrets,
                    pod_management_policy,
                    creds_secret,
                    rpc_secret,
                ),
                (
                    tls,
                    logging,
                    service_account_name,
                    create_service_account_rbac,
                    pod_deletion_policy_when_node_is_down,
                    priority_class_name,
                    lifecycle,
                    security_context,
                    container_security_context,
                ),
                (image_pull_secret, mount_path, platform, services, extras),
            )| TenantSpec {
                pools,
                image,
                env,
                scheduler,
                image_pull_policy,
                image_pull_secrets,
                pod_management_policy,
                creds_secret,
                rpc_secret,
                tls,
                logging,
                service_account_name,
                create_service_account_rbac,
                pod_deletion_policy_when_node_is_down,
                priority_class_name,
                lifecycle,
                security_context,
                container_security_context,
                image_pull_secret,
                mount_path,
                pod_labels: platform.2,
                pod_annotations: platform.3,
                runtime_class_name: platform.4,
                termination_grace_period_seconds: platform.5,
                services,
                volumes: extras.0,
                volume_mounts: extras.1,
                init_containers: extras.2,
                sidecars: extras.3,
            },
        )
        .boxed()
}

/// A whole Tenant: a generated name (mostly valid) and spec.
pub fn tenant() -> BoxedStrategy<Tenant> {
    (name("t-"), spec())
        .prop_map(|(name, spec)| Tenant::new(&name, spec))
        .boxed()
}
