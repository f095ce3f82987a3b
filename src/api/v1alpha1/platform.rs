// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Platform fit: the settings that let a Tenant follow the cluster's conventions without
//! changing what RustFS runs: pod metadata, the client-facing Services, and what sits beside
//! the RustFS container (extra volumes, init containers, sidecars).

use std::collections::BTreeMap;

use kube::KubeSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Label keys the operator sets on its pods and Services and selects them by. A Tenant can
/// never set them: a pod relabelled under a selector would leave its StatefulSet or Service.
pub const RESERVED_LABEL_KEYS: [&str; 6] = [
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/component",
    "rustfs.com/tenant",
    "rustfs.com/pool",
];

/// CEL rule on a label map: none of [`RESERVED_LABEL_KEYS`].
pub const RESERVED_LABELS_RULE: &str = "self.all(k, !(k in ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/component', 'rustfs.com/tenant', 'rustfs.com/pool']))";
/// Message of [`RESERVED_LABELS_RULE`].
pub const RESERVED_LABELS_MESSAGE: &str = "the label keys app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/managed-by, app.kubernetes.io/component, rustfs.com/tenant and rustfs.com/pool are the operator's (its selectors use them): remove them or choose another key";

/// The client-facing Services, `<tenant>-io` (S3) and `<tenant>-console`. The headless
/// Service the servers use to find each other is not configurable.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TenantServices {
    /// The S3 API Service `<tenant>-io` (port 9000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<ServiceSettings>,

    /// The console Service `<tenant>-console` (port 9001).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console: Option<ServiceSettings>,
}

/// How one Service is exposed.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
#[x_kube(
    validation = Rule::new("!has(self.loadBalancerClass) || (has(self.type) && self.type == 'LoadBalancer')")
        .message("loadBalancerClass is only used with type LoadBalancer: set type to LoadBalancer or remove loadBalancerClass"),
    validation = Rule::new("!has(self.loadBalancerSourceRanges) || size(self.loadBalancerSourceRanges) == 0 || (has(self.type) && self.type == 'LoadBalancer')")
        .message("loadBalancerSourceRanges is only used with type LoadBalancer: set type to LoadBalancer or remove loadBalancerSourceRanges"),
)]
pub struct ServiceSettings {
    /// `ClusterIP` (the default), `NodePort` or `LoadBalancer`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<ServiceType>,

    /// Annotations of the Service, for example for external-dns or a cloud load balancer.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("maxProperties" = 64))]
    pub annotations: BTreeMap<String, String>,

    /// Labels of the Service. The operator's own keys (`app.kubernetes.io/name`, `instance`,
    /// `managed-by`, `component`, `rustfs.com/tenant`, `rustfs.com/pool`) are refused.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("maxProperties" = 64))]
    #[x_kube(validation = Rule::new(RESERVED_LABELS_RULE).message(RESERVED_LABELS_MESSAGE))]
    pub labels: BTreeMap<String, String>,

    /// With type `LoadBalancer`: the load balancer implementation to use
    /// (`spec.loadBalancerClass` of the Service). Kubernetes does not let it change once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub load_balancer_class: Option<String>,

    /// With type `LoadBalancer`: the client CIDRs allowed through the load balancer, such as
    /// `10.0.0.0/8` (where the cloud provider supports it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64))]
    pub load_balancer_source_ranges: Vec<String>,
}

/// Service type of an exposed Service.
#[derive(
    JsonSchema,
    Serialize,
    Deserialize,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    strum::Display,
    strum::AsRefStr,
)]
pub enum ServiceType {
    /// Reachable inside the cluster only.
    #[default]
    ClusterIP,
    /// Also on a port of every node.
    NodePort,
    /// Also through an external load balancer of the cluster's provider.
    LoadBalancer,
}
