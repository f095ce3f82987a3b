// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The Tenant API, one module per version.

pub mod v1alpha1;
