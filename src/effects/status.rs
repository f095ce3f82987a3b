// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Writing `Tenant.status`: skip writes that change nothing, and retry conflicts with
//! exponential backoff against a fresh copy of the Tenant.

use std::time::Duration;

use backoff::ExponentialBackoff;
use backoff::backoff::Backoff;
use kube::api::{Api, PostParams};
use tracing::debug;

use crate::api::v1alpha1::{Tenant, TenantStatus};

/// What [`write`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// The status already said exactly this: no request was made.
    Unchanged,
    /// The status was replaced; the Tenant as stored now.
    Updated(Box<Tenant>),
    /// The Tenant changed generation (or was deleted) meanwhile: the watch has queued a new
    /// reconcile that will write the status for the new spec, so this one is dropped.
    Superseded,
}

/// The retry policy for status conflicts: fast first retries, bounded in total.
pub fn conflict_backoff() -> ExponentialBackoff {
    ExponentialBackoff {
        initial_interval: Duration::from_millis(50),
        max_interval: Duration::from_secs(2),
        max_elapsed_time: Some(Duration::from_secs(15)),
        ..ExponentialBackoff::default()
    }
}

/// Writes the status that `compute` derives from a Tenant.
///
/// `compute` is called with the Tenant this reconcile saw and, after a conflict, with a fresh
/// copy, so conditions merge against what is really stored (their `lastTransitionTime` only
/// moves when their status flips). The write replaces the status subresource carrying the
/// Tenant's resourceVersion: optimistic concurrency, never a blind overwrite.
pub async fn write(
    api: &Api<Tenant>,
    tenant: &Tenant,
    compute: impl Fn(&Tenant) -> TenantStatus,
) -> Result<Written, kube::Error> {
    let name = tenant.metadata.name.clone().unwrap_or_default();
    let mut backoff = conflict_backoff();
    let mut current = tenant.clone();
    loop {
        let status = compute(&current);
        if current.status.as_ref() == Some(&status) {
            return Ok(Written::Unchanged);
        }
        let mut body = current.clone();
        body.status = Some(status);
        body.metadata.managed_fields = None;
        let err = match api
            .replace_status(&name, &PostParams::default(), &body)
            .await
        {
            Ok(stored) => return Ok(Written::Updated(Box::new(stored))),
            Err(kube::Error::Api(e)) if e.code == 409 => kube::Error::Api(e),
            Err(e) => return Err(e),
        };
        let Some(wait) = backoff.next_backoff() else {
            return Err(err);
        };
        debug!(tenant = %name, ?wait, "status write conflicted; retrying on a fresh copy");
        tokio::time::sleep(wait).await;
        match api.get_opt(&name).await? {
            Some(fresh) if fresh.metadata.generation == tenant.metadata.generation => {
                current = fresh;
            }
            _ => return Ok(Written::Superseded),
        }
    }
}
