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

//! The Tenant's Services: S3 API (`<tenant>-io`), console (`<tenant>-console`) and the
//! headless Service (`<tenant>-hl`) that gives every pod the DNS name `RUSTFS_VOLUMES` uses.
//!
//! All three select every pool's pods: the pools form one cluster, any server answers any
//! request. `spec.services` sets the type, metadata and load balancer settings of the first
//! two; the operator's labels and selector stay its own.

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::labels::{self, Component};
use super::{Owner, names};
use crate::api::v1alpha1::{ServiceSettings, TenantServices};

/// IO, console and headless Services, in that order.
pub fn services(owner: &Owner) -> Vec<Service> {
    vec![
        io_service(owner),
        console_service(owner),
        headless_service(owner),
    ]
}

/// `<tenant>-io`: the Service for the S3 API on port 9000 (ClusterIP unless
/// `spec.services.io` says otherwise).
pub fn io_service(owner: &Owner) -> Service {
    exposed(
        owner,
        names::io_service(owner.name()),
        port(names::S3_PORT_NAME, names::S3_PORT),
        settings(owner, |s| s.io.as_ref()),
    )
}

/// `<tenant>-console`: the Service for the web console on port 9001 (ClusterIP unless
/// `spec.services.console` says otherwise).
pub fn console_service(owner: &Owner) -> Service {
    exposed(
        owner,
        names::console_service(owner.name()),
        port(names::CONSOLE_PORT_NAME, names::CONSOLE_PORT),
        settings(owner, |s| s.console.as_ref()),
    )
}

fn settings<'a>(
    owner: &Owner<'a>,
    pick: impl Fn(&'a TenantServices) -> Option<&'a ServiceSettings>,
) -> Option<&'a ServiceSettings> {
    owner.tenant().spec.services.as_ref().and_then(pick)
}

/// `<tenant>-hl`: headless Service, the StatefulSets' `serviceName`. Publishes pods before they
/// are ready: RustFS servers must reach each other to become ready at all.
pub fn headless_service(owner: &Owner) -> Service {
    Service {
        metadata: owner.meta(
            names::headless_service(owner.name()),
            labels::tenant_labels(owner.name(), Component::Server),
        ),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_owned()),
            cluster_ip: Some("None".to_owned()),
            publish_not_ready_addresses: Some(true),
            selector: Some(labels::tenant_selector_labels(owner.name())),
            ports: Some(vec![port(names::S3_PORT_NAME, names::S3_PORT)]),
            ..ServiceSpec::default()
        }),
        status: None,
    }
}

fn exposed(
    owner: &Owner,
    name: String,
    port: ServicePort,
    settings: Option<&ServiceSettings>,
) -> Service {
    let default = ServiceSettings::default();
    let settings = settings.unwrap_or(&default);
    // The user's labels first, so the operator's keys always win.
    let mut service_labels = settings.labels.clone();
    service_labels.extend(labels::tenant_labels(owner.name(), Component::Server));
    let mut metadata = owner.meta(name, service_labels);
    metadata.annotations = (!settings.annotations.is_empty()).then(|| settings.annotations.clone());
    Service {
        metadata,
        spec: Some(ServiceSpec {
            type_: Some(settings.type_.unwrap_or_default().to_string()),
            selector: Some(labels::tenant_selector_labels(owner.name())),
            ports: Some(vec![port]),
            load_balancer_class: settings.load_balancer_class.clone(),
            load_balancer_source_ranges: (!settings.load_balancer_source_ranges.is_empty())
                .then(|| settings.load_balancer_source_ranges.clone()),
            ..ServiceSpec::default()
        }),
        status: None,
    }
}

fn port(name: &str, number: i32) -> ServicePort {
    ServicePort {
        name: Some(name.to_owned()),
        port: number,
        target_port: Some(IntOrString::Int(number)),
        // Explicit: protocol is part of the port list's merge key in server-side apply.
        protocol: Some("TCP".to_owned()),
        app_protocol: Some("http".to_owned()),
        ..ServicePort::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::fixtures::TenantBuilder;
    use std::collections::BTreeMap;

    fn spec(s: &Service) -> &ServiceSpec {
        s.spec.as_ref().unwrap()
    }

    fn only_port(s: &Service) -> &ServicePort {
        let ports = spec(s).ports.as_deref().unwrap();
        assert_eq!(ports.len(), 1);
        &ports[0]
    }

    #[test]
    fn io_service_serves_s3_from_every_pool() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .pool("p1", 4, 4)
            .build();
        let io = io_service(&Owner::new(&t).unwrap());
        assert_eq!(io.metadata.name.as_deref(), Some("t-io"));
        assert_eq!(spec(&io).type_.as_deref(), Some("ClusterIP"));
        assert_eq!(spec(&io).cluster_ip, None);
        let p = only_port(&io);
        assert_eq!((p.name.as_deref(), p.port), (Some("s3"), 9000));
        assert_eq!(p.target_port, Some(IntOrString::Int(9000)));
        assert_eq!(
            spec(&io).selector,
            Some(BTreeMap::from([(
                "rustfs.com/tenant".to_owned(),
                "t".to_owned()
            )]))
        );
    }

    #[test]
    fn console_service_on_9001() {
        let t = TenantBuilder::new("t").pool("p0", 4, 4).build();
        let c = console_service(&Owner::new(&t).unwrap());
        assert_eq!(c.metadata.name.as_deref(), Some("t-console"));
        let p = only_port(&c);
        assert_eq!((p.name.as_deref(), p.port), (Some("console"), 9001));
        assert_eq!(p.target_port, Some(IntOrString::Int(9001)));
    }

    #[test]
    fn headless_service_publishes_unready_pods() {
        let t = TenantBuilder::new("t").pool("p0", 4, 4).build();
        let hl = headless_service(&Owner::new(&t).unwrap());
        assert_eq!(hl.metadata.name.as_deref(), Some("t-hl"));
        assert_eq!(spec(&hl).cluster_ip.as_deref(), Some("None"));
        assert_eq!(spec(&hl).publish_not_ready_addresses, Some(true));
        assert_eq!(only_port(&hl).port, 9000);
        assert_eq!(
            spec(&hl).selector,
            spec(&io_service(&Owner::new(&t).unwrap())).selector
        );
    }

    #[test]
    fn service_labels_are_standard() {
        let t = TenantBuilder::new("t").pool("p0", 4, 4).build();
        for s in services(&Owner::new(&t).unwrap()) {
            let l = s.metadata.labels.unwrap();
            assert_eq!(l["app.kubernetes.io/name"], "rustfs");
            assert_eq!(l["app.kubernetes.io/instance"], "t");
            assert_eq!(l["app.kubernetes.io/managed-by"], "rustfs-operator");
            assert_eq!(l["app.kubernetes.io/component"], "server");
            assert_eq!(l["rustfs.com/tenant"], "t");
        }
    }

    #[test]
    fn io_and_console_take_their_own_type_metadata_and_load_balancer_settings() {
        use crate::api::v1alpha1::ServiceType;
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .spec(|s| {
                s.services = Some(TenantServices {
                    io: Some(ServiceSettings {
                        type_: Some(ServiceType::LoadBalancer),
                        annotations: BTreeMap::from([(
                            "external-dns.alpha.kubernetes.io/hostname".into(),
                            "s3.example.com".into(),
                        )]),
                        labels: BTreeMap::from([
                            ("expose".into(), "public".into()),
                            ("rustfs.com/tenant".into(), "spoofed".into()),
                        ]),
                        load_balancer_class: Some("example.com/lb".into()),
                        load_balancer_source_ranges: vec!["10.0.0.0/8".into()],
                    }),
                    console: Some(ServiceSettings {
                        type_: Some(ServiceType::NodePort),
                        ..ServiceSettings::default()
                    }),
                });
            })
            .build();
        let owner = Owner::new(&t).unwrap();
        let io = io_service(&owner);
        assert_eq!(spec(&io).type_.as_deref(), Some("LoadBalancer"));
        assert_eq!(
            spec(&io).load_balancer_class.as_deref(),
            Some("example.com/lb")
        );
        assert_eq!(
            spec(&io).load_balancer_source_ranges,
            Some(vec!["10.0.0.0/8".to_owned()])
        );
        let labels = io.metadata.labels.clone().unwrap();
        assert_eq!(labels["expose"], "public");
        assert_eq!(
            labels["rustfs.com/tenant"], "t",
            "the operator's labels win"
        );
        assert_eq!(
            io.metadata.annotations.clone().unwrap()["external-dns.alpha.kubernetes.io/hostname"],
            "s3.example.com"
        );
        assert_eq!(
            spec(&io).selector,
            Some(labels::tenant_selector_labels("t")),
            "the selector is the operator's"
        );
        let console = console_service(&owner);
        assert_eq!(spec(&console).type_.as_deref(), Some("NodePort"));
        assert_eq!(console.metadata.annotations, None);
        assert_eq!(spec(&console).load_balancer_class, None);
        // The headless Service is not configurable.
        let hl = headless_service(&owner);
        assert_eq!(spec(&hl).type_.as_deref(), Some("ClusterIP"));
        assert_eq!(hl.metadata.annotations, None);
    }
}
