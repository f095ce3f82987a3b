// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! `rustfs.com/v1alpha1`: the Tenant custom resource.
//!
//! Field names follow the YAML other RustFS operators use, so users can bring their
//! manifests. Everything the API server can check on its own is put into the schema
//! (OpenAPI bounds and CEL rules); the rest lives in [`crate::validate`].

mod datapath;
mod node_down;
mod platform;
mod pool;
mod status;
mod tenant;

pub use datapath::{
    CertManagerTls, IssuerRef, LogLevel, LoggingSpec, SecretKeyRef, TlsMode, TlsSpec,
};
pub use node_down::PodDeletionPolicy;
pub use platform::{
    RESERVED_LABEL_KEYS, RESERVED_LABELS_MESSAGE, RESERVED_LABELS_RULE, ServiceSettings,
    ServiceType, TenantServices,
};
pub use pool::{
    DEFAULT_MOUNT_PATH, Persistence, Pool, SchedulingConfig, is_single_drive, retired_pools,
};
pub use status::{
    DecommissionState, DecommissionStatus, OfflineDrive, PoolState, PoolStatus, StoragePoolStatus,
    StorageQuorum, StorageStatus, TenantStatus, TlsStatus, TransitionRecord,
};
pub use tenant::{
    CredsSecretRef, DEFAULT_IMAGE, ImagePullPolicy, PodManagementPolicy, Tenant, TenantSpec,
};
