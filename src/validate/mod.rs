// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Pure checks the operator runs before it touches the cluster.
//!
//! - [`layout`]: the pool shapes RustFS 1.0.1 accepts and the erasure sets it makes of them.
//! - [`spec`]: the Tenant's own semantics. It repeats the CRD's rules (the CRD installed in a
//!   cluster may be older than the operator, or applied without its schema) and adds what the
//!   schema cannot say: generated-name lengths, the TLS and logging rules, env
//!   overrides, volume claim sizes.
//! - `platform`: pod metadata, Services, extra volumes and containers beside the operator's.
//! - [`credentials`]: the Secret named by `spec.credsSecret`.
//! - [`secrets`]: the internode secret and the TLS certificate with its CA.
//! - [`changes`]: changes to existing StatefulSets that Kubernetes would reject or that would
//!   lose data, found by comparing the desired objects with the ones in the cluster.
//!
//! Every check returns all it finds at once, each problem with the field to edit and the fix.

pub mod changes;
pub mod credentials;
pub mod layout;
mod platform;
pub mod quantity;
pub mod secrets;
pub mod spec;

use std::fmt;

pub use changes::{
    GrowthBlocked, RefusedChange, Review, VolumeGrowth, refused_changes, review_changes,
};
pub use credentials::{CredentialsProblem, check_credentials_secret};
pub use quantity::{QuantityError, QuantityValue, parse_quantity};
pub use spec::{spec_problems, validate_spec};

/// The value of `key` in a Secret: `stringData` wins over `data`, as when the API server
/// stores it, so a Secret built locally and one read back are judged the same.
pub(crate) fn secret_value<'a>(
    secret: &'a k8s_openapi::api::core::v1::Secret,
    key: &str,
) -> Option<&'a [u8]> {
    secret
        .string_data
        .as_ref()
        .and_then(|m| m.get(key))
        .map(|s| s.as_bytes())
        .or_else(|| {
            secret
                .data
                .as_ref()
                .and_then(|m| m.get(key))
                .map(|b| b.0.as_slice())
        })
}

/// One thing wrong with a Tenant, pinned to the field to edit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    /// Path of the field in the Tenant, as `kubectl explain` spells it, with list indices:
    /// `spec.pools[1].persistence.volumesPerServer`.
    pub field: String,
    /// What is wrong and how to fix it. Never contains a credential value.
    pub message: String,
}

impl Problem {
    /// A problem at `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Joins problems into one line for a status message or an event: `a: x; b: y`.
pub fn summarize(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_displays_field_then_message() {
        let p = Problem::new("spec.pools[0].servers", "must be at least 1: raise it");
        assert_eq!(
            p.to_string(),
            "spec.pools[0].servers: must be at least 1: raise it"
        );
        let q = Problem::new("metadata.name", "too long: shorten it");
        assert_eq!(
            summarize(&[p, q]),
            "spec.pools[0].servers: must be at least 1: raise it; metadata.name: too long: shorten it"
        );
        assert_eq!(summarize(&[]), "");
    }
}
