// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Observing a pool decommission: what the spec asks, and what RustFS says it is doing
//! (`GET /rustfs/admin/v3/pools/status`). Read only; the requests that start or cancel one
//! are effects (`crate::effects`).

use machine::Decommission;
use tracing::warn;

use crate::admin::{pools, tenant};
use crate::api::v1alpha1::{DecommissionState, DecommissionStatus, Tenant, retired_pools};
use crate::context::Context;

/// One observation: the machine's fact, and the status of the pool it is about.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    pub fact: Decommission,
    /// The pool and its `status.pools[].decommission`.
    pub status: Option<(String, DecommissionStatus)>,
}

/// The pool a decommission concerns, and whether the spec wants it: the first pool marked
/// and not yet retired, else a pool RustFS was draining that the spec no longer marks.
fn target(tenant: &Tenant) -> Option<(String, bool)> {
    let retired = retired_pools(tenant.status.as_ref());
    if let Some(p) = tenant
        .spec
        .pools
        .iter()
        .find(|p| p.decommission && !retired.contains(&p.name))
    {
        return Some((p.name.clone(), true));
    }
    let status = tenant.status.as_ref()?;
    status
        .pools
        .iter()
        .filter(|p| {
            matches!(
                p.decommission.as_ref().map(|d| d.state),
                Some(DecommissionState::Queued | DecommissionState::Running)
            )
        })
        .find(|p| tenant.spec.pools.iter().any(|s| s.name == p.name))
        .map(|p| (p.name.clone(), false))
}

/// Asks RustFS about the pool a decommission concerns, if any. An error names the pool and
/// what failed; the caller feeds it to the machine as a transient error (retried in 5 s,
/// the phase unchanged).
pub async fn observe(ctx: &Context, t: &Tenant) -> Result<Observed, String> {
    let Some((pool, wanted)) = target(t) else {
        return Ok(Observed::default());
    };
    let Some(spec) = t.spec.pools.iter().find(|p| p.name == pool) else {
        return Ok(Observed::default());
    };
    let domain = &ctx.config.build.cluster_domain;
    let answer = async {
        let (client, credentials) =
            tenant::connect(&ctx.client, t, domain, ctx.config.storage.client.clone())
                .await
                .map_err(|e| e.to_string())?;
        pools::status(&client, &credentials, &pools::argument(t, spec, domain))
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    let answer = answer.map_err(|e| {
        warn!(error = %e, pool, "cannot read the pool's decommission status");
        format!("cannot read the decommission status of pool {pool} from RustFS: {e}")
    })?;
    Ok(judge(&pool, wanted, answer.pool.to_status()))
}

/// The fact and status for what RustFS reported (pure).
fn judge(pool: &str, wanted: bool, reported: Option<DecommissionStatus>) -> Observed {
    let pool_s = pool.to_owned();
    let detail = |s: &DecommissionStatus| pools::progress(s);
    let (fact, status) = match (reported, wanted) {
        (None, true) => (
            Decommission::Requested { pool: pool_s },
            Some(DecommissionStatus::default()),
        ),
        (None, false) => (Decommission::None, None),
        (Some(s), _) if s.state == DecommissionState::Complete => (
            Decommission::Complete {
                pool: pool_s,
                detail: detail(&s),
            },
            Some(s),
        ),
        (Some(s), true) => match s.state {
            DecommissionState::Queued | DecommissionState::Running => (
                Decommission::Running {
                    pool: pool_s,
                    detail: detail(&s),
                },
                Some(s),
            ),
            DecommissionState::Failed => (
                Decommission::Failed {
                    pool: pool_s,
                    detail: format!(
                        "{}; {} objects ({} bytes) could not be moved",
                        detail(&s),
                        s.objects_failed,
                        s.bytes_failed
                    ),
                },
                Some(s),
            ),
            // Canceled earlier and asked for again: start it again.
            _ => (Decommission::Requested { pool: pool_s }, Some(s)),
        },
        (Some(s), false) => match s.state {
            DecommissionState::Queued | DecommissionState::Running => {
                (Decommission::CancelRequested { pool: pool_s }, Some(s))
            }
            _ => (Decommission::None, Some(s)),
        },
    };
    Observed {
        fact,
        status: status.map(|s| (pool.to_owned(), s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reported(state: DecommissionState) -> Option<DecommissionStatus> {
        Some(DecommissionStatus {
            state,
            objects_moved: 10,
            ..DecommissionStatus::default()
        })
    }

    #[test]
    fn rustfs_state_and_the_spec_decide_the_fact() {
        use DecommissionState::*;
        let fact = |r, wanted| judge("p0", wanted, r).fact;
        assert!(matches!(fact(None, true), Decommission::Requested { .. }));
        assert_eq!(fact(None, false), Decommission::None);
        assert!(matches!(
            fact(reported(Running), true),
            Decommission::Running { .. }
        ));
        assert!(matches!(
            fact(reported(Queued), true),
            Decommission::Running { .. }
        ));
        assert!(matches!(
            fact(reported(Running), false),
            Decommission::CancelRequested { .. }
        ));
        assert!(matches!(
            fact(reported(Complete), true),
            Decommission::Complete { .. }
        ));
        assert!(matches!(
            fact(reported(Complete), false),
            Decommission::Complete { .. }
        ));
        assert!(matches!(
            fact(reported(Failed), true),
            Decommission::Failed { .. }
        ));
        assert_eq!(fact(reported(Failed), false), Decommission::None);
        assert!(matches!(
            fact(reported(Canceled), true),
            Decommission::Requested { .. }
        ));
        assert_eq!(fact(reported(Canceled), false), Decommission::None);
        // Requested shows Queued in the status before RustFS starts.
        let o = judge("p0", true, None);
        assert_eq!(o.status.unwrap().1.state, Queued);
    }
}
