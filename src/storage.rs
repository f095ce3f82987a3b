// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Storage health: asks each Ready or Degraded Tenant's RustFS for `/rustfs/admin/v3/info`
//! on an interval and wakes the Tenant's reconcile when the answer says something new.
//!
//! The poller writes nothing itself. It remembers each answer in the [`Context`]
//! ([`Context::record_storage_check`]) and sends the Tenant to the controller; the reconcile
//! feeds the report to the machine (drives offline or quorum lost make the Tenant Degraded)
//! and puts it in `status.storage`. A Tenant is woken only when the report differs from
//! what its status shows, or its verdict for the machine changed, so an idle Tenant costs one
//! admin call per interval and no API write.
//!
//! - **Interval**: `--storage-poll-interval` (0 turns polling off), each round jittered by
//!   up to a tenth either way so many operators do not poll in step.
//! - **Concurrency**: at most `--storage-poll-concurrency` Tenants at once.
//! - **Confirmation**: a report with drives offline that were online at the previous check
//!   is confirmed by a second call [`CONFIRM_AFTER`] later; only that one is kept. A server
//!   restarting for a moment does not make the Tenant Degraded.
//! - **Credentials** are read from their Secret for each check and dropped after it.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use futures::channel::mpsc;
use kube::runtime::reflector::ObjectRef;
use machine::Phase;
use rand::Rng;
use tracing::{Instrument, debug, info_span, warn};

use crate::admin::info::{self, InfoResponse, StorageCheck, StorageReport};
use crate::api::v1alpha1::Tenant;
use crate::context::{Context, StoragePolling as PollSettings};

/// How long to wait before confirming newly offline drives.
pub const CONFIRM_AFTER: Duration = Duration::from_secs(5);

/// Why a check produced no report.
type CheckError = crate::admin::tenant::ConnectError;

/// Polls until the process stops. `wake` reaches the controller's reconcile queue.
pub async fn run(ctx: Arc<Context>, wake: mpsc::Sender<ObjectRef<Tenant>>) {
    let settings = ctx.config.storage.clone();
    if settings.interval.is_zero() {
        debug!("storage polling is off");
        return;
    }
    ctx.caches_synced().await;
    loop {
        tokio::time::sleep(jittered(settings.interval)).await;
        let due: Vec<Arc<Tenant>> = ctx
            .stores
            .tenants
            .state()
            .into_iter()
            .filter(|t| is_polled(t))
            .collect();
        futures::stream::iter(due)
            .for_each_concurrent(settings.concurrency.max(1), |tenant| {
                let ctx = ctx.clone();
                let mut wake = wake.clone();
                let settings = settings.clone();
                async move {
                    if check(&ctx, &tenant, &settings).await {
                        // A full queue only delays the wake to the next round.
                        let _ = wake.try_send(ObjectRef::from_obj(tenant.as_ref()));
                    }
                }
            })
            .await;
    }
}

/// Ready and Degraded Tenants, not being deleted.
fn is_polled(tenant: &Tenant) -> bool {
    tenant.metadata.deletion_timestamp.is_none()
        && matches!(
            tenant.status.as_ref().and_then(|s| s.phase),
            Some(Phase::Ready | Phase::Degraded)
        )
}

fn jittered(interval: Duration) -> Duration {
    let tenth = interval.as_millis() as u64 / 10;
    let offset = rand::rng().random_range(0..=2 * tenth);
    Duration::from_millis(interval.as_millis() as u64 - tenth + offset)
}

/// Checks one Tenant; true when its reconcile should run.
async fn check(ctx: &Context, tenant: &Tenant, settings: &PollSettings) -> bool {
    let span = info_span!(
        "storage check",
        tenant = tenant.name(),
        namespace = tenant.namespace_or_default(),
    );
    async {
        let key = format!("{}/{}", tenant.namespace_or_default(), tenant.name());
        let previous = ctx.storage_check(tenant);
        let mut report = match ask(ctx, tenant, settings).await {
            Ok(r) => r,
            Err(e) => {
                ctx.metrics.record_storage_check(e.class());
                debug!(error = %e, "storage check failed");
                return false;
            }
        };
        if newly_offline(previous.as_ref().map(|c| &c.report), &report) {
            tokio::time::sleep(CONFIRM_AFTER).await;
            match ask(ctx, tenant, settings).await {
                Ok(again) => report = again,
                Err(e) => {
                    ctx.metrics.record_storage_check(e.class());
                    debug!(error = %e, "storage check (confirmation) failed");
                    return false;
                }
            }
        }
        ctx.metrics.record_storage_check("ok");
        ctx.metrics.set_tenant_storage(
            &key,
            [report.online, report.offline, report.healing],
            [report.raw_total, report.raw_used, report.raw_available],
        );
        let now = Utc::now();
        let stored = tenant.status.as_ref().and_then(|s| s.storage.as_ref());
        let shows_new = stored != Some(&report.to_status(stored, now));
        let verdict_moved =
            previous.as_ref().map(|c| c.report.to_machine()) != Some(report.to_machine());
        if report.offline > 0 && verdict_moved {
            warn!(
                offline = report.offline,
                "RustFS reports drives offline: {}",
                report.offline_summary()
            );
        }
        ctx.record_storage_check(
            tenant,
            StorageCheck {
                checked_at: now,
                report,
            },
        );
        shows_new || verdict_moved
    }
    .instrument(span)
    .await
}

/// Drives offline now that were not at the previous check (or no previous check).
fn newly_offline(previous: Option<&StorageReport>, now: &StorageReport) -> bool {
    now.offline_drives.iter().any(|d| {
        previous.is_none_or(|p| {
            !p.offline_drives
                .iter()
                .any(|o| o.server == d.server && o.path == d.path)
        })
    })
}

/// One call to `/info`, credentials and CA read for it.
async fn ask(
    ctx: &Context,
    tenant: &Tenant,
    settings: &PollSettings,
) -> Result<StorageReport, CheckError> {
    let (client, credentials) = crate::admin::tenant::connect(
        &ctx.client,
        tenant,
        &ctx.config.build.cluster_domain,
        settings.client.clone(),
    )
    .await?;
    let answer: InfoResponse = client
        .get_json(&credentials, info::ROUTE)
        .await
        .map_err(CheckError::Client)?;
    // RustFS numbers pools by their place in RUSTFS_VOLUMES, which leaves out retired ones.
    let retired = crate::api::v1alpha1::retired_pools(tenant.status.as_ref());
    let pools: Vec<String> = tenant
        .spec
        .pools
        .iter()
        .filter(|p| !retired.contains(&p.name))
        .map(|p| p.name.clone())
        .collect();
    Ok(StorageReport::from_info(&answer.info, &pools))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v1alpha1::{OfflineDrive, TenantStatus};

    fn with_offline(drives: &[(&str, &str)]) -> StorageReport {
        StorageReport {
            offline: drives.len() as u32,
            offline_drives: drives
                .iter()
                .map(|(server, path)| OfflineDrive {
                    pool: "p".into(),
                    server: (*server).into(),
                    path: (*path).into(),
                    state: "unknown".into(),
                })
                .collect(),
            ..StorageReport::default()
        }
    }

    #[test]
    fn only_drives_not_offline_before_need_confirming() {
        let a = with_offline(&[("s-0", "/data/rustfs0")]);
        let ab = with_offline(&[("s-0", "/data/rustfs0"), ("s-1", "/data/rustfs0")]);
        assert!(newly_offline(None, &a));
        assert!(newly_offline(Some(&a), &ab));
        assert!(!newly_offline(Some(&ab), &a));
        assert!(!newly_offline(Some(&a), &a));
        assert!(!newly_offline(None, &StorageReport::default()));
    }

    #[test]
    fn only_ready_and_degraded_tenants_are_polled() {
        let mut t = Tenant::default();
        assert!(!is_polled(&t));
        for (phase, polled) in [
            (Phase::Ready, true),
            (Phase::Degraded, true),
            (Phase::RollingOut, false),
            (Phase::Failed, false),
        ] {
            t.status = Some(TenantStatus {
                phase: Some(phase),
                ..TenantStatus::default()
            });
            assert_eq!(is_polled(&t), polled, "{phase}");
        }
        t.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            k8s_openapi::jiff::Timestamp::UNIX_EPOCH,
        ));
        assert!(!is_polled(&t));
    }

    #[test]
    fn rounds_are_jittered_within_a_tenth() {
        let base = Duration::from_secs(30);
        for _ in 0..200 {
            let d = jittered(base);
            assert!(
                d >= Duration::from_secs(27) && d <= Duration::from_secs(33),
                "{d:?}"
            );
        }
    }
}
