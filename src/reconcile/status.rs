// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The status a reconcile writes: a pure function of the stored status and what happened.

use chrono::{DateTime, Utc};
use machine::{ConditionRecord, ConditionStatus, Timestamp, Transition};

use crate::api::v1alpha1::{PoolState, Tenant, TenantStatus, TlsMode, TlsStatus, TransitionRecord};
use crate::validate::secrets::{self, SecretProblem};
use crate::vocabulary::{condition, condition_record};

use super::observe::Observation;

/// How many phase changes `status.transitions` keeps.
pub const HISTORY: usize = 10;

/// How long before its expiry a certificate makes `TlsReady` warn.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// What the status says about the data path, beyond the machine's conditions.
#[derive(Clone, Debug, Default)]
pub struct DataPath {
    /// The TLS verdict (this reconcile's, or the last one); `None` with TLS off or not
    /// judged since the operator started.
    pub tls: Option<Result<TlsStatus, SecretProblem>>,
    /// RustFS runs with its default credentials.
    pub default_credentials: bool,
}

/// The new status of `current` after `transitions`.
///
/// Deterministic for identical inputs apart from `now`, which only lands in fields that
/// record a change (a condition flip, a phase change), so an idle resync yields the stored
/// status unchanged and no write.
pub fn compute(
    current: &Tenant,
    transitions: &[Transition],
    observed: &Observation,
    image: &str,
    data_path: &DataPath,
    now: DateTime<Utc>,
    trace_id: Option<&str>,
) -> TenantStatus {
    let old = current.status.clone().unwrap_or_default();
    let stamp = Timestamp(now.timestamp().max(0) as u64);
    let generation = current.metadata.generation;
    let Some(last) = transitions.last() else {
        return old;
    };

    let stored: Vec<ConditionRecord> = old.conditions.iter().map(condition_record).collect();
    let produced: Vec<machine::Condition> = transitions
        .iter()
        .flat_map(|t| t.conditions.iter().cloned())
        .collect();
    let mut merged = machine::merge_conditions(&stored, &produced, stamp);
    let tls_on = current
        .spec
        .tls
        .as_ref()
        .is_some_and(|t| t.mode != TlsMode::Disabled);
    let tls = match (&data_path.tls, tls_on) {
        (_, false) => {
            set(&mut merged, TLS_READY, None, stamp);
            None
        }
        (None, true) => old.tls.clone(),
        (Some(Ok(status)), true) => {
            let soon =
                secrets::expires_soon(status, now, chrono::Duration::days(EXPIRY_WARNING_DAYS));
            let until = status
                .not_after
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default();
            let (reason, message) = if soon {
                (
                    "CertificateExpiresSoon",
                    format!(
                        "the certificate in Secret {} expires at {until}: renew it (cert-manager renews at renewBefore by itself)",
                        status.secret
                    ),
                )
            } else {
                (
                    "CertificateValid",
                    format!(
                        "the certificate in Secret {} is valid until {until} and covers every server",
                        status.secret
                    ),
                )
            };
            set(
                &mut merged,
                TLS_READY,
                Some((ConditionStatus::True, reason, message)),
                stamp,
            );
            Some(status.clone())
        }
        (Some(Err(problem)), true) => {
            let reason = match problem {
                SecretProblem::Missing { .. } => "CertificateMissing",
                _ => "CertificateInvalid",
            };
            set(
                &mut merged,
                TLS_READY,
                Some((ConditionStatus::False, reason, problem.to_string())),
                stamp,
            );
            None
        }
    };
    set(
        &mut merged,
        DEFAULT_CREDENTIALS,
        data_path.default_credentials.then(|| {
            (
                ConditionStatus::True,
                "DefaultCredentials",
                "RustFS runs with its well-known default credentials, so anyone who reaches the io Service has full access: set spec.credsSecret to a Secret with your own 'accesskey' and 'secretkey'".to_owned(),
            )
        }),
        stamp,
    );
    let conditions = merged.iter().map(|r| condition(r, generation)).collect();

    // A reconcile that ends in the phase it started from with the same spec (a Failed
    // Tenant retrying, a drift repaired) changed nothing a reader of the history cares
    // about; recording it would also make every retry a status write, and every write
    // wakes the next reconcile.
    let round_trip = old.phase == Some(last.to) && old.observed_generation == generation;
    let mut history = old.transitions.clone();
    history.extend(
        transitions
            .iter()
            .filter(|t| t.from != t.to && !round_trip)
            .map(|t| TransitionRecord {
                from: t.from,
                to: t.to,
                reason: t.reason.to_string(),
                time: now,
                trace_id: trace_id.map(str::to_owned),
            }),
    );
    if history.len() > HISTORY {
        history.drain(..history.len() - HISTORY);
    }

    let desired: i32 = observed.pools.iter().map(|p| p.replicas).sum();
    let ready: i32 = observed.pools.iter().map(|p| p.ready_replicas).sum();
    let pools_ready = observed
        .pools
        .iter()
        .filter(|p| p.state == PoolState::Ready)
        .count();

    TenantStatus {
        phase: Some(last.to),
        reason: Some(last.reason.to_string()),
        message: Some(last.message.clone()),
        observed_generation: generation,
        ready: Some(format!("{ready}/{desired}")),
        pools_ready: Some(format!("{pools_ready}/{}", observed.pools.len())),
        image: Some(image.to_owned()),
        available_replicas: ready,
        conditions,
        last_progress_time: observed.last_progress_time(),
        pools: observed.pools.clone(),
        transitions: history,
        tls,
        storage: observed
            .storage
            .as_ref()
            .map(|c| c.report.to_status(old.storage.as_ref(), c.checked_at))
            .or(old.storage),
    }
}

/// Condition type of the certificate's state.
pub const TLS_READY: &str = "TlsReady";
/// Condition type of the default-credentials warning.
pub const DEFAULT_CREDENTIALS: &str = "DefaultCredentials";

/// Sets (or with `None` removes) a condition the machine does not produce, keeping its
/// transition time while its status stays the same.
fn set(
    records: &mut Vec<ConditionRecord>,
    type_: &str,
    value: Option<(ConditionStatus, &str, String)>,
    now: Timestamp,
) {
    let existing = records.iter().position(|r| r.type_ == type_);
    match (value, existing) {
        (None, Some(i)) => {
            records.remove(i);
        }
        (None, None) => {}
        (Some((status, reason, message)), i) => {
            let last_transition_time = match i.map(|i| &records[i]) {
                Some(r) if r.status == status => r.last_transition_time,
                _ => now,
            };
            let record = ConditionRecord {
                type_: type_.to_owned(),
                status,
                reason: reason.to_owned(),
                message,
                last_transition_time,
            };
            match i {
                Some(i) => records[i] = record,
                None => records.push(record),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use machine::{
        Condition as MachineCondition, ConditionStatus, ConditionType, Fact, Next, Phase,
        PoolRollout, Reason, Requeue, Rollout,
    };

    use super::*;
    use crate::api::v1alpha1::PoolStatus;
    use crate::resources::fixtures::TenantBuilder;

    fn at(second: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(second, 0).unwrap()
    }

    fn transition(from: Phase, to: Phase, reason: Reason, ready: ConditionStatus) -> Transition {
        Transition {
            from,
            to,
            fact: Fact::RolloutComplete,
            reason,
            message: format!("{reason} message"),
            effects: Vec::new(),
            conditions: vec![MachineCondition {
                type_: ConditionType::Ready,
                status: ready,
                reason,
                message: format!("{reason} message"),
            }],
            next: Next::Wait(Requeue::Resync),
            failed_step: None,
        }
    }

    /// One pool `p0` with `ready` of 4 servers ready.
    fn observed(ready: i32) -> Observation {
        let state = if ready == 4 {
            PoolState::Ready
        } else {
            PoolState::NotReady
        };
        Observation {
            rollout: Rollout {
                pools: vec![PoolRollout::settled("p0", 4, "r1")],
                now: Timestamp(100),
                last_progress: Timestamp(100),
                storage: machine::Storage::Unknown,
                decommission: machine::Decommission::None,
            },
            pools: vec![PoolStatus {
                name: "p0".into(),
                stateful_set: "t-p0".into(),
                replicas: 4,
                ready_replicas: ready,
                updated_replicas: 4,
                state,
                ..PoolStatus::default()
            }],
            storage: None,
        }
    }

    fn tenant_with(status: Option<TenantStatus>) -> Tenant {
        let mut t = TenantBuilder::new("t").pool("p0", 4, 4).build();
        t.metadata.generation = Some(3);
        t.status = status;
        t
    }

    #[test]
    fn without_transitions_the_stored_status_stays() {
        let stored = TenantStatus {
            phase: Some(Phase::Ready),
            message: Some("kept".into()),
            ..TenantStatus::default()
        };
        let t = tenant_with(Some(stored.clone()));
        assert_eq!(
            compute(
                &t,
                &[],
                &observed(4),
                "img",
                &DataPath::default(),
                at(5),
                None
            ),
            stored
        );
    }

    #[test]
    fn the_last_transition_and_the_observation_make_the_status() {
        let t = tenant_with(None);
        let steps = [
            transition(
                Phase::Provisioning,
                Phase::RollingOut,
                Reason::ResourcesApplied,
                ConditionStatus::False,
            ),
            transition(
                Phase::RollingOut,
                Phase::Ready,
                Reason::AllPoolsReady,
                ConditionStatus::True,
            ),
        ];
        let s = compute(
            &t,
            &steps,
            &observed(4),
            "img:1",
            &DataPath::default(),
            at(1_000),
            Some("trace"),
        );
        assert_eq!(s.phase, Some(Phase::Ready));
        assert_eq!(s.reason.as_deref(), Some("AllPoolsReady"));
        assert_eq!(s.message.as_deref(), Some("AllPoolsReady message"));
        assert_eq!(s.observed_generation, Some(3));
        assert_eq!(s.ready.as_deref(), Some("4/4"));
        assert_eq!(s.pools_ready.as_deref(), Some("1/1"));
        assert_eq!(s.image.as_deref(), Some("img:1"));
        assert_eq!(s.available_replicas, 4);
        assert_eq!(s.last_progress_time, Some(at(100)));
        let history: Vec<_> = s.transitions.iter().map(|r| (r.from, r.to)).collect();
        assert_eq!(
            history,
            [
                (Phase::Provisioning, Phase::RollingOut),
                (Phase::RollingOut, Phase::Ready)
            ]
        );
        assert!(
            s.transitions
                .iter()
                .all(|r| r.time == at(1_000) && r.trace_id.as_deref() == Some("trace"))
        );
        let ready = s.conditions.iter().find(|c| c.type_ == "Ready").unwrap();
        assert_eq!(
            (ready.status.as_str(), ready.observed_generation),
            ("True", Some(3))
        );
    }

    #[test]
    fn a_round_trip_adds_no_history_and_an_idle_resync_changes_nothing() {
        let t = tenant_with(None);
        let reach = [transition(
            Phase::RollingOut,
            Phase::Ready,
            Reason::AllPoolsReady,
            ConditionStatus::True,
        )];
        let first = compute(
            &t,
            &reach,
            &observed(4),
            "img",
            &DataPath::default(),
            at(1_000),
            None,
        );
        let t = tenant_with(Some(first.clone()));
        // Later, a resync that leaves and comes back to Ready (a drift repaired).
        let round = [
            transition(
                Phase::Ready,
                Phase::Provisioning,
                Reason::ResourcesDrifted,
                ConditionStatus::True,
            ),
            transition(
                Phase::Provisioning,
                Phase::Ready,
                Reason::AllPoolsReady,
                ConditionStatus::True,
            ),
        ];
        let again = compute(
            &t,
            &round,
            &observed(4),
            "img",
            &DataPath::default(),
            at(9_000),
            None,
        );
        assert_eq!(
            again, first,
            "same facts, later clock: the same status, so no write"
        );
    }

    #[test]
    fn a_condition_keeps_its_time_until_it_flips() {
        let t = tenant_with(None);
        let ready = [transition(
            Phase::RollingOut,
            Phase::Ready,
            Reason::AllPoolsReady,
            ConditionStatus::True,
        )];
        let first = compute(
            &t,
            &ready,
            &observed(4),
            "img",
            &DataPath::default(),
            at(1_000),
            None,
        );
        let t = tenant_with(Some(first));
        let lost = [transition(
            Phase::Ready,
            Phase::Degraded,
            Reason::ReadinessLost,
            ConditionStatus::False,
        )];
        let s = compute(
            &t,
            &lost,
            &observed(3),
            "img",
            &DataPath::default(),
            at(2_000),
            None,
        );
        let c = s.conditions.iter().find(|c| c.type_ == "Ready").unwrap();
        assert_eq!(c.status, "False");
        assert_eq!(
            c.last_transition_time.0.as_second(),
            2_000,
            "moved on the flip"
        );
        assert_eq!(s.ready.as_deref(), Some("3/4"));
        assert_eq!(s.pools_ready.as_deref(), Some("0/1"));
        let t = tenant_with(Some(s));
        let still = compute(
            &t,
            &lost,
            &observed(3),
            "img",
            &DataPath::default(),
            at(3_000),
            None,
        );
        let c = still
            .conditions
            .iter()
            .find(|c| c.type_ == "Ready")
            .unwrap();
        assert_eq!(
            c.last_transition_time.0.as_second(),
            2_000,
            "kept while it holds"
        );
    }

    #[test]
    fn the_history_keeps_the_last_ten_changes() {
        let mut t = tenant_with(None);
        for i in 0..(HISTORY + 3) {
            let (from, to) = if i % 2 == 0 {
                (Phase::Ready, Phase::Degraded)
            } else {
                (Phase::Degraded, Phase::Ready)
            };
            let step = [transition(
                from,
                to,
                Reason::ReadinessLost,
                ConditionStatus::False,
            )];
            let s = compute(
                &t,
                &step,
                &observed(4),
                "img",
                &DataPath::default(),
                at(i as i64),
                None,
            );
            t = tenant_with(Some(s));
        }
        let history = &t.status.as_ref().unwrap().transitions;
        assert_eq!(history.len(), HISTORY);
        assert_eq!(
            history.last().unwrap().time,
            at((HISTORY + 2) as i64),
            "the newest is kept"
        );
    }

    fn ready_step() -> Vec<Transition> {
        vec![transition(
            Phase::RollingOut,
            Phase::Ready,
            Reason::AllPoolsReady,
            ConditionStatus::True,
        )]
    }

    fn find<'a>(
        s: &'a TenantStatus,
        type_: &str,
    ) -> Option<&'a k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition> {
        s.conditions.iter().find(|c| c.type_ == type_)
    }

    fn tls_tenant() -> Tenant {
        let mut t = tenant_with(None);
        t.spec.tls = Some(crate::api::v1alpha1::TlsSpec {
            mode: TlsMode::Secret,
            secret_name: Some("certs".into()),
            ..Default::default()
        });
        t
    }

    #[test]
    fn default_credentials_warn_until_a_secret_is_set() {
        let t = tenant_with(None);
        let warn = DataPath {
            default_credentials: true,
            ..DataPath::default()
        };
        let s = compute(&t, &ready_step(), &observed(4), "img", &warn, at(10), None);
        let c = find(&s, DEFAULT_CREDENTIALS).expect("warning condition");
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("True", "DefaultCredentials")
        );
        assert!(c.message.contains("set spec.credsSecret"), "{}", c.message);
        // Stable while nothing changes: same time, so no write on an idle resync.
        let t2 = tenant_with(Some(s.clone()));
        let again = compute(&t2, &ready_step(), &observed(4), "img", &warn, at(99), None);
        assert_eq!(
            find(&again, DEFAULT_CREDENTIALS),
            find(&s, DEFAULT_CREDENTIALS)
        );
        // Gone once credentials are configured.
        let fixed = compute(
            &t2,
            &ready_step(),
            &observed(4),
            "img",
            &DataPath::default(),
            at(100),
            None,
        );
        assert!(find(&fixed, DEFAULT_CREDENTIALS).is_none());
    }

    #[test]
    fn tls_ready_reports_the_certificate_and_warns_before_expiry() {
        let t = tls_tenant();
        let status = TlsStatus {
            secret: "certs".into(),
            not_after: Some(at(100 * 86_400)),
            dns_names: vec!["*.t-hl.default.svc.cluster.local".into()],
        };
        let ok = DataPath {
            tls: Some(Ok(status.clone())),
            ..DataPath::default()
        };
        let s = compute(&t, &ready_step(), &observed(4), "img", &ok, at(0), None);
        let c = find(&s, TLS_READY).unwrap();
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("True", "CertificateValid")
        );
        assert_eq!(s.tls.as_ref(), Some(&status));
        // 10 days before expiry: still True, with the warning reason.
        let late = compute(
            &t,
            &ready_step(),
            &observed(4),
            "img",
            &ok,
            at(90 * 86_400),
            None,
        );
        let c = find(&late, TLS_READY).unwrap();
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("True", "CertificateExpiresSoon")
        );
        assert!(c.message.contains("renew"), "{}", c.message);
    }

    #[test]
    fn tls_problems_name_the_secret_and_tls_off_removes_the_condition() {
        let t = tls_tenant();
        let bad = DataPath {
            tls: Some(Err(SecretProblem::Invalid {
                secret: "certs".into(),
                key: "tls.crt".into(),
                problem: "the certificate does not cover t-io.default.svc.cluster.local".into(),
            })),
            ..DataPath::default()
        };
        let s = compute(&t, &ready_step(), &observed(4), "img", &bad, at(0), None);
        let c = find(&s, TLS_READY).unwrap();
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("False", "CertificateInvalid")
        );
        assert!(c.message.contains("'certs'") && c.message.contains("does not cover"));
        assert!(s.tls.is_none());
        let mut off = tenant_with(Some(s));
        off.spec.tls = None;
        let s = compute(&off, &ready_step(), &observed(4), "img", &bad, at(1), None);
        assert!(find(&s, TLS_READY).is_none());
    }

    #[test]
    fn without_a_new_verdict_the_stored_tls_status_stays() {
        let mut t = tls_tenant();
        let stored = TlsStatus {
            secret: "certs".into(),
            not_after: Some(at(1_000_000)),
            dns_names: vec![],
        };
        t.status = Some(TenantStatus {
            tls: Some(stored.clone()),
            ..TenantStatus::default()
        });
        let s = compute(
            &t,
            &ready_step(),
            &observed(4),
            "img",
            &DataPath::default(),
            at(0),
            None,
        );
        assert_eq!(s.tls, Some(stored));
    }
}
