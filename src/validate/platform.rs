// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The platform-fit fields of a Tenant: what may sit beside the operator's own labels,
//! volumes, mounts and containers without taking their place.
//!
//! The CRD refuses the simple collisions itself (reserved label keys, `rustfs` as a container
//! name, `tmp`/`tls`/`vol-<n>` as volume names); this repeats them for older CRDs and adds
//! what depends on the pools: mount paths over the drives, mounts of undeclared volumes,
//! names used twice, sidecar ports RustFS listens on.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Container;

use super::Problem;
use crate::api::v1alpha1::{RESERVED_LABEL_KEYS, ServiceSettings, ServiceType, Tenant};
use crate::resources::names;

/// Every problem of the platform-fit fields.
pub(super) fn check_platform(tenant: &Tenant, out: &mut Vec<Problem>) {
    let spec = &tenant.spec;
    check_labels("spec.podLabels", spec.pod_labels.keys(), out);
    for (i, pool) in spec.pools.iter().enumerate() {
        check_labels(
            &format!("spec.pools[{i}].podLabels"),
            pool.pod_labels.keys(),
            out,
        );
    }
    if let Some(services) = &spec.services {
        for (field, settings) in [
            ("spec.services.io", &services.io),
            ("spec.services.console", &services.console),
        ] {
            if let Some(settings) = settings {
                check_service(field, settings, out);
            }
        }
    }
    check_volumes(tenant, out);
    check_containers(tenant, out);
}

fn check_labels<'a>(field: &str, keys: impl Iterator<Item = &'a String>, out: &mut Vec<Problem>) {
    let reserved: Vec<&str> = keys
        .filter(|k| RESERVED_LABEL_KEYS.contains(&k.as_str()))
        .map(String::as_str)
        .collect();
    if !reserved.is_empty() {
        out.push(Problem::new(
            field,
            format!(
                "{} belong(s) to the operator, whose selectors use them: remove them or choose another key",
                reserved.join(", ")
            ),
        ));
    }
}

fn check_service(field: &str, settings: &ServiceSettings, out: &mut Vec<Problem>) {
    check_labels(&format!("{field}.labels"), settings.labels.keys(), out);
    let load_balancer = settings.type_ == Some(ServiceType::LoadBalancer);
    if settings.load_balancer_class.is_some() && !load_balancer {
        out.push(Problem::new(
            format!("{field}.loadBalancerClass"),
            "only used with type LoadBalancer: set type to LoadBalancer or remove loadBalancerClass",
        ));
    }
    if !settings.load_balancer_source_ranges.is_empty() && !load_balancer {
        out.push(Problem::new(
            format!("{field}.loadBalancerSourceRanges"),
            "only used with type LoadBalancer: set type to LoadBalancer or remove loadBalancerSourceRanges",
        ));
    }
}

/// A volume name the operator gives its own volumes: `tmp`, `tls`, `vol-<n>` (the whole
/// `vol-` prefix, as the CRD's rule has it: a regular expression costs too much there).
fn is_operator_volume(name: &str) -> bool {
    name == names::TMP_VOLUME
        || name == names::TLS_VOLUME
        || name.starts_with(&format!("{}-", names::VOLUME_PREFIX))
}

/// Where the operator mounts something in the RustFS container, with what it is.
fn operator_mounts(tenant: &Tenant) -> Vec<(String, String)> {
    let spec = &tenant.spec;
    let mut mounts = vec![
        ("/tmp".to_owned(), "the writable /tmp".to_owned()),
        (
            names::TLS_MOUNT_PATH.to_owned(),
            "the TLS certificates".to_owned(),
        ),
    ];
    for pool in &spec.pools {
        let root = pool.mount_root(spec.mount_path.as_deref());
        for i in 0..pool.persistence.volumes_per_server.clamp(0, 256) {
            mounts.push((
                names::volume_mount_path(root, i),
                format!("drive {i} of pool '{}'", pool.name),
            ));
        }
    }
    mounts
}

/// `a` and `b` are the same directory or one lies inside the other.
fn overlaps(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim_end_matches('/'), b.trim_end_matches('/'));
    let inside = |x: &str, y: &str| y.is_empty() || x == y || x.starts_with(&format!("{y}/"));
    inside(a, b) || inside(b, a)
}

fn check_volumes(tenant: &Tenant, out: &mut Vec<Problem>) {
    let spec = &tenant.spec;
    let mut declared = BTreeSet::new();
    for (i, volume) in spec.volumes.iter().enumerate() {
        let field = format!("spec.volumes[{i}].name");
        if is_operator_volume(&volume.name) {
            out.push(Problem::new(
                field,
                format!(
                    "'{}' names one of the operator's own volumes (tmp, tls, vol-<n>): choose another name",
                    volume.name
                ),
            ));
        } else if !declared.insert(volume.name.as_str()) {
            out.push(Problem::new(
                field,
                format!(
                    "'{}' is declared twice: give each volume its own name",
                    volume.name
                ),
            ));
        }
    }
    let operator = operator_mounts(tenant);
    let mut paths = BTreeSet::new();
    for (i, mount) in spec.volume_mounts.iter().enumerate() {
        let base = format!("spec.volumeMounts[{i}]");
        if !declared.contains(mount.name.as_str()) {
            out.push(Problem::new(
                format!("{base}.name"),
                format!(
                    "'{}' is not in spec.volumes: declare the volume there, or mount one that is",
                    mount.name
                ),
            ));
        }
        let path = mount.mount_path.as_str();
        if !path.starts_with('/') {
            out.push(Problem::new(
                format!("{base}.mountPath"),
                format!("'{path}' must be an absolute path, such as /etc/ssl/custom"),
            ));
            continue;
        }
        if let Some((theirs, what)) = operator.iter().find(|(p, _)| overlaps(path, p)) {
            out.push(Problem::new(
                format!("{base}.mountPath"),
                format!(
                    "'{path}' collides with the operator's mount of {what} at {theirs} (a mount may not be, contain or lie inside it): mount somewhere else, such as /etc/rustfs-extra"
                ),
            ));
        }
        if !paths.insert(path.trim_end_matches('/')) {
            out.push(Problem::new(
                format!("{base}.mountPath"),
                format!("'{path}' is mounted twice: give each mount its own path"),
            ));
        }
    }
}

fn check_containers(tenant: &Tenant, out: &mut Vec<Problem>) {
    let spec = &tenant.spec;
    let mut seen = BTreeSet::new();
    let lists: [(&str, &[Container]); 2] = [
        ("spec.initContainers", &spec.init_containers),
        ("spec.sidecars", &spec.sidecars),
    ];
    for (list, containers) in lists {
        for (i, c) in containers.iter().enumerate() {
            let field = format!("{list}[{i}].name");
            if c.name == names::CONTAINER {
                out.push(Problem::new(
                    field,
                    "'rustfs' is the operator's container: choose another name",
                ));
            } else if !seen.insert(c.name.as_str()) {
                out.push(Problem::new(
                    field,
                    format!(
                        "'{}' is used by another init container or sidecar: names must be unique in the pod",
                        c.name
                    ),
                ));
            }
        }
    }
    for (i, c) in spec.sidecars.iter().enumerate() {
        for (j, port) in c.ports.iter().flatten().enumerate() {
            if [names::S3_PORT, names::CONSOLE_PORT].contains(&port.container_port) {
                out.push(Problem::new(
                    format!("spec.sidecars[{i}].ports[{j}].containerPort"),
                    format!(
                        "{} is a port RustFS listens on (the containers of a pod share its network): choose another port",
                        port.container_port
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v1alpha1::TenantServices;
    use crate::resources::fixtures::TenantBuilder;
    use k8s_openapi::api::core::v1::{ContainerPort, EmptyDirVolumeSource, Volume, VolumeMount};
    use std::collections::BTreeMap;

    fn problems(change: impl FnOnce(&mut crate::api::v1alpha1::TenantSpec)) -> Vec<Problem> {
        let t = TenantBuilder::new("t")
            .pool("p0", 2, 2)
            .path("/data")
            .spec(change)
            .build();
        let mut out = Vec::new();
        check_platform(&t, &mut out);
        out
    }

    fn fields(p: &[Problem]) -> Vec<&str> {
        p.iter().map(|p| p.field.as_str()).collect()
    }

    fn volume(name: &str) -> Volume {
        Volume {
            name: name.into(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        }
    }

    fn mount(name: &str, path: &str) -> VolumeMount {
        VolumeMount {
            name: name.into(),
            mount_path: path.into(),
            ..VolumeMount::default()
        }
    }

    fn container(name: &str) -> Container {
        Container {
            name: name.into(),
            image: Some("busybox".into()),
            ..Container::default()
        }
    }

    #[test]
    fn a_spec_using_every_field_well_has_no_problem() {
        let p = problems(|s| {
            s.pod_labels = BTreeMap::from([("team".into(), "a".into())]);
            s.pools[0].pod_labels =
                BTreeMap::from([("app.kubernetes.io/part-of".into(), "x".into())]);
            s.volumes = vec![volume("ca")];
            s.volume_mounts = vec![mount("ca", "/etc/ssl/corp")];
            s.init_containers = vec![container("init")];
            s.sidecars = vec![container("logs")];
        });
        assert_eq!(p, []);
    }

    #[test]
    fn the_operators_label_keys_are_refused_everywhere() {
        let p = problems(|s| {
            s.pod_labels = BTreeMap::from([("rustfs.com/tenant".into(), "x".into())]);
            s.pools[0].pod_labels =
                BTreeMap::from([("app.kubernetes.io/managed-by".into(), "me".into())]);
            s.services = Some(TenantServices {
                console: Some(ServiceSettings {
                    labels: BTreeMap::from([("rustfs.com/pool".into(), "x".into())]),
                    ..ServiceSettings::default()
                }),
                ..TenantServices::default()
            });
        });
        assert_eq!(
            fields(&p),
            [
                "spec.podLabels",
                "spec.pools[0].podLabels",
                "spec.services.console.labels"
            ]
        );
        assert!(
            p[0].message
                .contains("rustfs.com/tenant belong(s) to the operator"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn load_balancer_settings_need_type_load_balancer() {
        let p = problems(|s| {
            s.services = Some(TenantServices {
                io: Some(ServiceSettings {
                    type_: Some(ServiceType::NodePort),
                    load_balancer_class: Some("x".into()),
                    load_balancer_source_ranges: vec!["10.0.0.0/8".into()],
                    ..ServiceSettings::default()
                }),
                ..TenantServices::default()
            });
        });
        assert_eq!(
            fields(&p),
            [
                "spec.services.io.loadBalancerClass",
                "spec.services.io.loadBalancerSourceRanges"
            ]
        );
        assert!(p[0].message.contains("set type to LoadBalancer"));
    }

    #[test]
    fn operator_volume_names_and_duplicates_are_refused() {
        let p = problems(|s| {
            s.volumes = vec![
                volume("tmp"),
                volume("tls"),
                volume("vol-3"),
                volume("a"),
                volume("a"),
            ];
        });
        assert_eq!(
            fields(&p),
            [
                "spec.volumes[0].name",
                "spec.volumes[1].name",
                "spec.volumes[2].name",
                "spec.volumes[4].name"
            ]
        );
        assert!(p[0].message.contains("choose another name"));
        assert!(p[3].message.contains("declared twice"));
        assert!(is_operator_volume("vol-data"));
        assert!(!is_operator_volume("volume-1"));
    }

    #[test]
    fn mounts_over_under_or_at_the_operators_are_refused() {
        let p = problems(|s| {
            s.volumes = vec![volume("x")];
            s.volume_mounts = vec![
                mount("x", "/tmp"),
                mount("x", "/tmp/cache"),
                mount("x", "/data"),
                mount("x", "/data/rustfs1/inner"),
                mount("x", "/opt/rustfs/tls"),
                mount("x", "/"),
                mount("x", "/data2"),
            ];
        });
        assert_eq!(
            fields(&p),
            [
                "spec.volumeMounts[0].mountPath",
                "spec.volumeMounts[1].mountPath",
                "spec.volumeMounts[2].mountPath",
                "spec.volumeMounts[3].mountPath",
                "spec.volumeMounts[4].mountPath",
                "spec.volumeMounts[5].mountPath",
            ],
            "/data2 is a sibling, not a collision"
        );
        assert!(
            p[2].message
                .contains("drive 0 of pool 'p0' at /data/rustfs0"),
            "{}",
            p[2]
        );
        assert!(p[2].message.contains("mount somewhere else"), "{}", p[2]);
    }

    #[test]
    fn the_tenant_mount_path_moves_the_drives_the_mounts_are_checked_against() {
        let p = problems(|s| {
            s.mount_path = Some("/srv".into());
            s.pools[0].persistence.path = None;
            s.volumes = vec![volume("x")];
            s.volume_mounts = vec![mount("x", "/data"), mount("x", "/srv/rustfs0")];
        });
        assert_eq!(fields(&p), ["spec.volumeMounts[1].mountPath"]);
    }

    #[test]
    fn mounts_need_a_declared_volume_an_absolute_path_and_their_own_path() {
        let p = problems(|s| {
            s.volumes = vec![volume("x")];
            s.volume_mounts = vec![
                mount("y", "/etc/a"),
                mount("x", "relative"),
                mount("x", "/etc/a/"),
            ];
        });
        assert_eq!(
            fields(&p),
            [
                "spec.volumeMounts[0].name",
                "spec.volumeMounts[1].mountPath",
                "spec.volumeMounts[2].mountPath"
            ]
        );
        assert!(p[0].message.contains("not in spec.volumes"));
        assert!(p[2].message.contains("mounted twice"));
    }

    #[test]
    fn container_names_and_sidecar_ports_may_not_collide() {
        let mut busy = container("proxy");
        busy.ports = Some(vec![ContainerPort {
            container_port: 9001,
            ..ContainerPort::default()
        }]);
        let p = problems(|s| {
            s.init_containers = vec![container("rustfs"), container("a")];
            s.sidecars = vec![container("a"), busy];
        });
        assert_eq!(
            fields(&p),
            [
                "spec.initContainers[0].name",
                "spec.sidecars[0].name",
                "spec.sidecars[1].ports[0].containerPort"
            ]
        );
        assert!(
            p[0].message
                .contains("'rustfs' is the operator's container")
        );
        assert!(p[2].message.contains("9001 is a port RustFS listens on"));
    }
}
