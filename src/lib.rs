// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! rustfs-operator: runs RustFS, an S3-compatible erasure-coded object store, on Kubernetes
//! from a `Tenant` custom resource.
//!
//! The deciding part is the pure state machine in the `machine` crate; this crate holds the
//! API types, the pure builders and checks, and the thin shell that talks to the API server.

pub mod admin;
pub mod api;
pub mod console;
pub mod context;
pub mod controller;
pub mod crd;
pub mod effects;
pub mod http;
pub mod leader;
pub mod metrics;
pub mod nodes;
pub mod owned;
pub mod reconcile;
pub mod resources;
pub mod storage;
pub mod telemetry;
pub mod tls;
pub mod validate;
pub mod vocabulary;
pub mod watch;
