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

//! rustfs-operator: runs RustFS, an S3-compatible erasure-coded object store, on Kubernetes
//! from a `Tenant` custom resource.
//!
//! The deciding part is the pure state machine in the `machine` crate; this crate holds the
//! API types, the pure builders and checks, and the thin shell that talks to the API server.

pub mod api;
pub mod controller;
pub mod crd;
pub mod effects;
pub mod http;
pub mod metrics;
pub mod reconcile;
pub mod resources;
pub mod status;
pub mod telemetry;
pub mod tls;
pub mod validate;
