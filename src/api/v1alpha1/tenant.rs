// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The `Tenant` custom resource and its spec: pools, image, credentials Secret, pod settings,
//! with the CEL rules and printer columns the CRD carries.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, EnvVar, Lifecycle, LocalObjectReference, PodSecurityContext, SecurityContext,
    Volume, VolumeMount,
};
use kube::CustomResource;
use kube::KubeSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::platform::{RESERVED_LABELS_MESSAGE, RESERVED_LABELS_RULE};
use super::{
    LoggingSpec, PodDeletionPolicy, Pool, SecretKeyRef, TenantServices, TenantStatus, TlsSpec,
};

/// The RustFS image used when neither the Tenant nor the operator's `--default-image` names one.
pub const DEFAULT_IMAGE: &str = "rustfs/rustfs:1.0.1";

/// A RustFS object-storage cluster: one or more pools of servers that together form ONE
/// erasure-coded cluster.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[kube(
    group = "rustfs.com",
    version = "v1alpha1",
    kind = "Tenant",
    plural = "tenants",
    singular = "tenant",
    shortname = "tenant",
    category = "rustfs",
    namespaced,
    status = "TenantStatus",
    derive = "PartialEq",
    derive = "Default",
    printcolumn(name = "Phase", type_ = "string", json_path = ".status.phase", description = "Lifecycle phase"),
    printcolumn(name = "Ready", type_ = "string", json_path = ".status.ready", description = "Ready servers / desired servers"),
    printcolumn(name = "Age", type_ = "date", json_path = ".metadata.creationTimestamp"),
    printcolumn(name = "Reason", type_ = "string", json_path = ".status.reason", priority = 1, description = "Why the tenant is in its phase"),
    printcolumn(name = "Pools", type_ = "string", json_path = ".status.poolsReady", priority = 1, description = "Ready pools / pools"),
    printcolumn(name = "Image", type_ = "string", json_path = ".status.image", priority = 1, description = "RustFS image in use"),
    printcolumn(name = "Drives", type_ = "string", json_path = ".status.storage.drives", priority = 1, description = "Drives online / drives, as RustFS reports them"),
    printcolumn(name = "Observed", type_ = "integer", json_path = ".status.observedGeneration", priority = 1, description = "Last generation the operator acted on"),
    validation = Rule::new("self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')")
        .message("metadata.name must start with a lowercase letter and contain only lowercase letters, digits and '-' (it names Services): rename the Tenant"),
    validation = Rule::new("size(self.metadata.name) <= 55")
        .message("metadata.name must be at most 55 characters so the generated Service '<name>-console' stays a valid DNS label: shorten the Tenant name"),
    validation = Rule::new("self.spec.pools.all(p, size(self.metadata.name) + size(p.name) <= 51)")
        .message("metadata.name and spec.pools[].name together must be at most 51 characters so StatefulSet '<tenant>-<pool>' and its pods keep valid names: shorten the Tenant or pool name"),
)]
#[serde(rename_all = "camelCase")]
#[x_kube(
    validation = Rule::new("oldSelf.pools.all(p, self.pools.exists(q, q.name == p.name) || (has(p.decommission) && p.decommission))")
        .message("spec.pools: a pool cannot be removed or renamed while its volumes hold erasure-coded data: restore the pool; to shrink, set spec.pools[].decommission: true first and remove the pool after status.pools[].decommission.state is Complete")
        .reason(kube::core::Reason::FieldValueForbidden),
    validation = Rule::new("size(self.pools) == 1 || self.pools.all(p, p.servers * p.persistence.volumesPerServer >= 2)")
        .message("spec.pools[]: a pool of 1 server x 1 volume is a single drive, which RustFS runs only as a Tenant's only pool (single-node single-drive); with several pools every pool needs at least 2 drives: raise that pool's volumesPerServer or servers"),
    validation = Rule::new("!(size(oldSelf.pools) == 1 && oldSelf.pools[0].servers == 1 && oldSelf.pools[0].persistence.volumesPerServer == 1) || size(self.pools) == 1")
        .message("spec.pools: this Tenant is a single drive (one pool of 1 server x 1 volume, RustFS's single-node single-drive mode), which RustFS can never expand: remove the added pool; to grow, create a new Tenant with at least 2 drives per pool and copy the objects over S3")
        .reason(kube::core::Reason::FieldValueForbidden),
)]
pub struct TenantSpec {
    /// Server pools. All pools of one Tenant form ONE RustFS cluster: erasure coding stripes
    /// across the volumes of every pool, and the cluster runs at the speed of its slowest
    /// pool. Use several pools to grow capacity, move to new hardware or spread over zones;
    /// use separate Tenants for separate clusters (there is no hot/cold tiering between pools).
    /// A single pool of 1 server x 1 volume is a single-drive Tenant (no erasure coding, for
    /// development): it can never add a pool, and no pool of a multi-pool Tenant may be a
    /// single drive.
    #[schemars(length(min = 1, max = 16))]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["name".into()]))]
    pub pools: Vec<Pool>,

    /// RustFS container image. Defaults to the operator's default image
    /// (`rustfs/rustfs:1.0.1` unless the operator was started with `--default-image`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 512))]
    pub image: Option<String>,

    /// Extra environment variables for the RustFS container. An entry with the same name as an
    /// operator-managed variable replaces it, except `RUSTFS_VOLUMES`, `RUSTFS_ADDRESS` and
    /// `RUSTFS_CONSOLE_ADDRESS`, which the cluster layout depends on (and the credential
    /// variables when `credsSecret` is set, since the Secret wins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 256))]
    pub env: Vec<EnvVar>,

    /// Name of the Kubernetes scheduler for the pods (`spec.schedulerName` of each pod).
    /// Empty means the default scheduler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub scheduler: Option<String>,

    /// When the kubelet pulls the image: `Always`, `IfNotPresent` or `Never`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<ImagePullPolicy>,

    /// Secrets holding registry credentials for pulling the image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<LocalObjectReference>,

    /// One Secret holding registry credentials: the field name rustfs/operator uses, added
    /// to `imagePullSecrets` (prefer that list in new manifests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secret: Option<LocalObjectReference>,

    /// Directory under which every pool mounts its volumes, for pools that set no
    /// `persistence.path` (the field name rustfs/operator uses). `/data` when neither is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 2, max = 200))]
    #[x_kube(validation = Rule::new("self.startsWith('/') && !self.endsWith('/')")
        .message("spec.mountPath must be an absolute path without a trailing '/', such as /data"))]
    #[x_kube(validation = Rule::new("!self.contains(' ') && !self.contains('{') && !self.contains('}') && !self.contains('...')")
        .message("spec.mountPath must not contain spaces, '{', '}' or '...': RUSTFS_VOLUMES uses them as separators and ellipsis; choose a plain path such as /data"))]
    pub mount_path: Option<String>,

    /// Labels added to every RustFS pod (a pool's `podLabels` win on the same key). The
    /// operator's own keys (`app.kubernetes.io/name`, `instance`, `managed-by`, `component`,
    /// `rustfs.com/tenant`, `rustfs.com/pool`) are refused: its selectors use them. Changing
    /// them rolls the pods.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("maxProperties" = 64))]
    #[x_kube(validation = Rule::new(RESERVED_LABELS_RULE).message(RESERVED_LABELS_MESSAGE))]
    pub pod_labels: BTreeMap<String, String>,

    /// Annotations added to every RustFS pod (a pool's `podAnnotations` win on the same
    /// key). Changing them rolls the pods.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("maxProperties" = 64))]
    pub pod_annotations: BTreeMap<String, String>,

    /// RuntimeClass of the pods (`spec.runtimeClassName`), for example a sandboxed runtime; a
    /// pool's own `runtimeClassName` overrides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub runtime_class_name: Option<String>,

    /// Seconds a server gets between SIGTERM and SIGKILL (Kubernetes' default is 30); a pool's
    /// own value overrides it. Raise it when `lifecycle.preStop` waits for clients to drain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 86400))]
    pub termination_grace_period_seconds: Option<i64>,

    /// Type, annotations, labels and load balancer settings of the S3 (`io`) and `console`
    /// Services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<TenantServices>,

    /// Extra volumes of every RustFS pod, such as a ConfigMap with a custom CA bundle. Names
    /// `tmp`, `tls` and `vol-<n>` (any name starting with `vol-`) are the operator's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 32))]
    #[x_kube(validation = Rule::new("self.all(v, !(v.name in ['tmp', 'tls']) && !v.name.startsWith('vol-'))")
        .message("spec.volumes[].name: tmp, tls and vol-<n> name the operator's own volumes: choose another name"))]
    pub volumes: Vec<Volume>,

    /// Where the RustFS container mounts `volumes`. A mount path may not be, contain or lie
    /// inside one of the operator's mounts (`/tmp`, `/opt/rustfs/tls`, the drives under each
    /// pool's path).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 32))]
    pub volume_mounts: Vec<VolumeMount>,

    /// Containers run to completion before RustFS starts in every pod (or, with
    /// `restartPolicy: Always`, native sidecars). The name `rustfs` is the operator's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 8))]
    #[x_kube(validation = Rule::new("self.all(c, c.name != 'rustfs')")
        .message("spec.initContainers[].name: 'rustfs' is the operator's container: choose another name"))]
    pub init_containers: Vec<Container>,

    /// Containers run beside RustFS in every pod, such as a log shipper. The name `rustfs`
    /// and the ports 9000 and 9001 are RustFS's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 8))]
    #[x_kube(validation = Rule::new("self.all(c, c.name != 'rustfs')")
        .message("spec.sidecars[].name: 'rustfs' is the operator's container: choose another name"))]
    pub sidecars: Vec<Container>,

    /// How the pods of each pool start: `Parallel` (default; RustFS waits for its peers
    /// itself) or `OrderedReady`. Changing it after creation is refused by Kubernetes.
    #[serde(default)]
    pub pod_management_policy: PodManagementPolicy,

    /// Secret in the Tenant's namespace holding the admin credentials under the keys
    /// `accesskey` and `secretkey` (each at least 8 characters). Recommended for every
    /// Tenant: without it (or credentials in `env`) RustFS runs with its well-known default
    /// credentials, and the status carries a `DefaultCredentials` warning. Changing it rolls
    /// the pods; the cluster stays formed, since the internode secret does not depend on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creds_secret: Option<CredsSecretRef>,

    /// Secret key holding the internode (RPC) secret all servers share
    /// (`RUSTFS_RPC_SECRET`): at least 32 characters of UTF-8 text, not `rustfsadmin`. When
    /// unset, the operator generates a random one once, in the Secret `<tenant>-rpc-secret`
    /// (key `rpcsecret`, owned by the Tenant), and never rotates it. Changing it restarts
    /// every server: they must all agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpc_secret: Option<SecretKeyRef>,

    /// TLS for S3, the console and internode traffic. Disabled when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsSpec>,

    /// RustFS's own logs (JSON on stdout) and OTLP export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<LoggingSpec>,

    /// ServiceAccount the pods run as. When unset, the operator creates `<tenant>-sa` with a
    /// Role and RoleBinding. When set, the account must exist (see `createServiceAccountRbac`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub service_account_name: Option<String>,

    /// With `serviceAccountName` set: also create the Role and RoleBinding for that account.
    /// Ignored when the operator creates the ServiceAccount itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_service_account_rbac: Option<bool>,

    /// What the operator does with this Tenant's pods on a Node that has been NotReady or
    /// unreachable for longer than its `--node-down-grace` (default 5 minutes): `DoNothing`
    /// (the default), `Delete` (a normal delete), or `ForceDelete` (grace period 0, only once
    /// the Node is deleted or tainted `node.kubernetes.io/out-of-service`). Each action is an
    /// Event on the Tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_deletion_policy_when_node_is_down: Option<PodDeletionPolicy>,

    /// PriorityClass for the pods; a pool's own `priorityClassName` overrides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub priority_class_name: Option<String>,

    /// Lifecycle hooks (postStart, preStop) for the RustFS container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,

    /// Pod-level security context, laid over the defaults field by field: non-root uid/gid
    /// 10001 (the RustFS image's user), fsGroup 10001 so the volumes are writable,
    /// fsGroupChangePolicy OnRootMismatch and the RuntimeDefault seccomp profile. A pool's
    /// own `securityContext` is laid over this one. Set both this and
    /// `containerSecurityContext` to `{}` to let the platform choose the uid, gid and fsGroup
    /// (OpenShift's SCCs): the pods then carry no `runAsUser`, `runAsGroup` or `fsGroup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,

    /// Container-level security context for the RustFS container, laid over the defaults
    /// field by field: no privilege escalation, all capabilities dropped, non-root, a
    /// read-only root filesystem and the RuntimeDefault seccomp profile. A pool's own
    /// `containerSecurityContext` is laid over this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_security_context: Option<SecurityContext>,
}

/// Reference to the Secret with the admin credentials.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CredsSecretRef {
    /// Name of a Secret in the Tenant's namespace with keys `accesskey` and `secretkey`.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
}

/// Image pull policy of the RustFS container.
#[derive(
    JsonSchema,
    Serialize,
    Deserialize,
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    strum::Display,
    strum::AsRefStr,
    strum::EnumString,
)]
pub enum ImagePullPolicy {
    /// Pull on every pod start.
    Always,
    /// Pull only when the image is not on the node.
    IfNotPresent,
    /// Never pull; the image must already be on the node.
    Never,
}

/// StatefulSet pod management policy of every pool.
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
    strum::EnumString,
)]
pub enum PodManagementPolicy {
    /// Start and stop pods one at a time, in order.
    OrderedReady,
    /// Start and stop all pods at once (RustFS waits for its peers).
    #[default]
    Parallel,
}

impl Tenant {
    /// The namespace of this Tenant; Tenants are namespaced, so it is always present for
    /// objects read from the API server.
    pub fn namespace_or_default(&self) -> &str {
        self.metadata.namespace.as_deref().unwrap_or("default")
    }

    /// The Tenant's name.
    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or_default()
    }
}
