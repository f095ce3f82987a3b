// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! One test row per edge of the table, written out by hand (not derived from TABLE), so a
//! change to the table that is not also made here fails.

mod common;

use common::{config, desired, sample};
use machine::{
    Effect, EventKind, Fact, Next, Phase, Reason, Requeue, TABLE, Unexpected, accepted, step,
};
use strum::IntoEnumIterator;

use EventKind::{Normal, Warning};
use Phase::*;

const C: Next = Next::Continue;
const fn w(requeue: Requeue) -> Next {
    Next::Wait(requeue)
}

struct Row {
    from: Phase,
    on: Fact,
    to: Phase,
    next: Next,
    reason: Reason,
    apply: bool,
    event: Option<EventKind>,
}

const fn row(from: Phase, on: Fact, to: Phase, next: Next, reason: Reason) -> Row {
    Row {
        from,
        on,
        to,
        next,
        reason,
        apply: false,
        event: None,
    }
}

impl Row {
    const fn apply(mut self) -> Row {
        self.apply = true;
        self
    }
    const fn event(mut self, kind: EventKind) -> Row {
        self.event = Some(kind);
        self
    }
}

fn expected() -> Vec<Row> {
    use Fact as F;
    use Reason as R;
    use Requeue::*;
    let mut rows = Vec::new();
    for from in Phase::iter() {
        rows.push(row(
            from,
            F::GenerationChanged,
            Validating,
            C,
            R::GenerationChanged,
        ));
    }
    rows.extend([
        row(Validating, F::Resumed, Validating, C, R::Resumed),
        row(
            CredentialsCheck,
            F::Resumed,
            CredentialsCheck,
            C,
            R::Resumed,
        ),
        row(Provisioning, F::Resumed, Provisioning, C, R::Resumed).apply(),
        row(RollingOut, F::Resumed, RollingOut, C, R::Resumed),
        row(Ready, F::Resumed, Ready, C, R::Resumed),
        row(Degraded, F::Resumed, Degraded, C, R::Resumed),
        row(Failed, F::Resumed, Validating, C, R::Retrying),
        row(Validating, F::Drifted, Validating, C, R::Resumed),
        row(
            CredentialsCheck,
            F::Drifted,
            CredentialsCheck,
            C,
            R::Resumed,
        ),
        row(
            Provisioning,
            F::Drifted,
            Provisioning,
            C,
            R::ResourcesDrifted,
        )
        .apply()
        .event(Normal),
        row(RollingOut, F::Drifted, Provisioning, C, R::ResourcesDrifted)
            .apply()
            .event(Normal),
        row(Ready, F::Drifted, Provisioning, C, R::ResourcesDrifted)
            .apply()
            .event(Normal),
        row(Degraded, F::Drifted, Provisioning, C, R::ResourcesDrifted)
            .apply()
            .event(Normal),
        row(Failed, F::Drifted, Validating, C, R::Retrying),
    ]);
    for from in [
        Validating,
        CredentialsCheck,
        Provisioning,
        RollingOut,
        Ready,
        Degraded,
    ] {
        rows.push(row(
            from,
            F::TransientError,
            from,
            w(Transient),
            R::TransientError,
        ));
    }
    rows.extend([
        row(Validating, F::SpecValid, CredentialsCheck, C, R::SpecValid),
        row(
            Validating,
            F::SpecInvalid,
            Failed,
            w(Validation),
            R::SpecInvalid,
        )
        .event(Warning),
        row(
            CredentialsCheck,
            F::CredentialsOk,
            Provisioning,
            C,
            R::CredentialsValid,
        )
        .apply(),
        row(
            CredentialsCheck,
            F::CredentialsNotConfigured,
            Provisioning,
            C,
            R::NoCredentialsSecret,
        )
        .apply(),
        row(
            CredentialsCheck,
            F::CredentialsMissing,
            CredentialsCheck,
            w(Credentials),
            R::CredentialsSecretMissing,
        )
        .event(Warning),
        row(
            CredentialsCheck,
            F::CredentialsInvalid,
            Failed,
            w(Credentials),
            R::CredentialsInvalid,
        )
        .event(Warning),
        row(Provisioning, F::Applied, RollingOut, C, R::ResourcesApplied).event(Normal),
        row(
            Provisioning,
            F::ChangeRefused,
            Failed,
            w(Validation),
            R::ChangeRefused,
        )
        .event(Warning),
        row(
            Provisioning,
            F::ApplyRejected,
            Failed,
            w(Validation),
            R::ApplyRejected,
        )
        .event(Warning),
        row(
            RollingOut,
            F::RolloutComplete,
            Ready,
            w(Resync),
            R::AllPoolsReady,
        )
        .event(Normal),
        row(
            RollingOut,
            F::RolloutProgressing,
            RollingOut,
            w(Rollout),
            R::RolloutInProgress,
        ),
        row(
            RollingOut,
            F::RolloutStalled,
            Degraded,
            w(Rollout),
            R::RolloutStalled,
        )
        .event(Warning),
        row(
            Ready,
            F::RolloutComplete,
            Ready,
            w(Resync),
            R::AllPoolsReady,
        ),
        row(
            Ready,
            F::RolloutProgressing,
            Degraded,
            w(Rollout),
            R::ReadinessLost,
        )
        .event(Warning),
        row(
            Ready,
            F::RolloutStalled,
            Degraded,
            w(Rollout),
            R::ReadinessLost,
        )
        .event(Warning),
        row(Degraded, F::RolloutComplete, Ready, w(Resync), R::Recovered).event(Normal),
        row(
            Degraded,
            F::RolloutProgressing,
            Degraded,
            w(Rollout),
            R::PodsNotReady,
        ),
        row(
            Degraded,
            F::RolloutStalled,
            Degraded,
            w(Rollout),
            R::RolloutStalled,
        ),
        // Volume growth: the pods run, the PVCs grow.
        row(
            RollingOut,
            F::VolumesResizing,
            RollingOut,
            w(Rollout),
            R::VolumesResizing,
        ),
        row(
            Ready,
            F::VolumesResizing,
            RollingOut,
            w(Rollout),
            R::VolumesResizing,
        )
        .event(Normal),
        row(
            Degraded,
            F::VolumesResizing,
            RollingOut,
            w(Rollout),
            R::VolumesResizing,
        )
        .event(Normal),
        row(
            RollingOut,
            F::DrivesOffline,
            Degraded,
            w(Rollout),
            R::DrivesOffline,
        )
        .event(Warning),
        row(
            Ready,
            F::DrivesOffline,
            Degraded,
            w(Rollout),
            R::DrivesOffline,
        )
        .event(Warning),
        row(
            Degraded,
            F::DrivesOffline,
            Degraded,
            w(Rollout),
            R::DrivesOffline,
        ),
        row(
            RollingOut,
            F::QuorumLost,
            Degraded,
            w(Rollout),
            R::QuorumLost,
        )
        .event(Warning),
        row(Ready, F::QuorumLost, Degraded, w(Rollout), R::QuorumLost).event(Warning),
        row(Degraded, F::QuorumLost, Degraded, w(Rollout), R::QuorumLost).event(Warning),
    ]);
    for from in [RollingOut, Ready, Degraded] {
        rows.extend([
            row(
                from,
                F::DecommissionRequested,
                Ready,
                w(Rollout),
                R::DecommissionStarted,
            )
            .event(Normal),
            row(
                from,
                F::DecommissionRunning,
                Ready,
                w(Rollout),
                R::Decommissioning,
            ),
            row(
                from,
                F::DecommissionComplete,
                Ready,
                w(Rollout),
                R::PoolDecommissioned,
            )
            .event(Normal),
            row(
                from,
                F::DecommissionFailed,
                Degraded,
                w(Rollout),
                R::DecommissionFailed,
            )
            .event(Warning),
            row(
                from,
                F::DecommissionCancelRequested,
                Ready,
                w(Rollout),
                R::DecommissionCanceled,
            )
            .event(Normal),
        ]);
    }
    rows
}

#[test]
fn volume_growth_shows_pvc_resizing_and_its_condition() {
    use Fact as F;
    use Reason as R;
    let (config, desired) = (config(), desired());
    let t = step(&config, &desired, RollingOut, &sample(F::VolumesResizing)).unwrap();
    assert!(t.message.starts_with("PVC resizing: "), "{}", t.message);
    assert!(
        t.message
            .contains("pool-a 4/4 ready, 4/4 updated, PVC resizing: 8 volume(s)"),
        "{}",
        t.message
    );
    assert!(
        t.message
            .contains("2 waiting for the kubelet to grow the filesystem"),
        "{}",
        t.message
    );
    let resizing = t
        .conditions
        .iter()
        .find(|c| c.type_ == machine::ConditionType::VolumesResizing)
        .expect("VolumesResizing condition");
    assert_eq!(resizing.status, machine::ConditionStatus::True);
    assert_eq!(resizing.reason, R::VolumesResizing);
    // Once grown: Ready, and the condition turns False.
    let done = step(&config, &desired, RollingOut, &sample(F::RolloutComplete)).unwrap();
    assert_eq!(done.to, Ready);
    let resizing = done
        .conditions
        .iter()
        .find(|c| c.type_ == machine::ConditionType::VolumesResizing)
        .unwrap();
    assert_eq!(resizing.status, machine::ConditionStatus::False);
}

#[test]
fn every_edge_behaves_as_written_here() {
    let (config, desired) = (config(), desired());
    // A retired pool's StatefulSet goes with every apply.
    let retiring = desired.clone().with_retired(["pool-z"]);
    let t = step(
        &config,
        &retiring,
        Phase::Provisioning,
        &sample(Fact::Resumed),
    )
    .unwrap();
    assert_eq!(
        t.effects.last(),
        Some(&Effect::RetirePool {
            pool: "pool-z".into()
        })
    );
    for row in expected() {
        let input = sample(row.on);
        assert_eq!(
            input.fact(&config, &desired),
            row.on,
            "sample for {}",
            row.on
        );
        let t = step(&config, &desired, row.from, &input)
            .unwrap_or_else(|e| panic!("{} + {}: {e}", row.from, row.on));
        let at = format!("{} + {}", row.from, row.on);
        assert_eq!(t.from, row.from, "{at}");
        assert_eq!(t.to, row.to, "{at}: to");
        assert_eq!(t.next, row.next, "{at}: next");
        assert_eq!(t.reason, row.reason, "{at}: reason");
        assert_eq!(t.fact, row.on, "{at}: fact");

        let mut want = Vec::new();
        if row.apply {
            want.push(Effect::ApplyRbac);
            want.push(Effect::ApplyServices);
            want.push(Effect::ApplyStatefulSet {
                pool: "pool-a".into(),
            });
            want.push(Effect::ApplyStatefulSet {
                pool: "pool-b".into(),
            });
        }
        // The decommission requests to RustFS come with their facts.
        match row.on {
            Fact::DecommissionRequested => want.push(Effect::StartDecommission {
                pool: "pool-a".into(),
            }),
            Fact::DecommissionCancelRequested => want.push(Effect::CancelDecommission {
                pool: "pool-a".into(),
            }),
            _ => {}
        }
        if let Some(kind) = row.event {
            want.push(Effect::RecordEvent {
                kind,
                reason: row.reason,
                message: t.message.clone(),
            });
        }
        assert_eq!(t.effects, want, "{at}: effects");
    }
}

#[test]
fn the_table_has_exactly_the_rows_written_here() {
    let rows = expected();
    let mut table_pairs: Vec<(Phase, Fact)> = Phase::iter()
        .flat_map(|p| accepted(p).map(move |f| (p, f)))
        .collect();
    let mut written: Vec<(Phase, Fact)> = rows.iter().map(|r| (r.from, r.on)).collect();
    table_pairs.sort();
    written.sort();
    assert_eq!(table_pairs, written);
    // No (phase, fact) pair has two rows.
    table_pairs.dedup();
    assert_eq!(table_pairs.len(), written.len());
    assert!(!TABLE.is_empty());
}

#[test]
fn pairs_outside_the_table_are_unexpected() {
    let (config, desired) = (config(), desired());
    for phase in Phase::iter() {
        for fact in Fact::iter() {
            if accepted(phase).any(|f| f == fact) {
                continue;
            }
            let err = step(&config, &desired, phase, &sample(fact)).unwrap_err();
            assert_eq!(err, Unexpected { phase, fact });
            assert!(err.to_string().contains(phase.as_ref()));
        }
    }
}

#[test]
fn messages_name_the_cause() {
    let (config, desired) = (config(), desired());
    let message = |phase, fact| {
        step(&config, &desired, phase, &sample(fact))
            .unwrap()
            .message
    };
    assert_eq!(
        message(Validating, Fact::SpecInvalid),
        "spec validation failed: the spec is invalid: spec.pools[0].servers: must be at least 1"
    );
    assert_eq!(
        message(CredentialsCheck, Fact::CredentialsInvalid),
        "credentials check failed: Secret t-creds, key secretkey: shorter than 8 characters"
    );
    assert!(
        message(CredentialsCheck, Fact::CredentialsMissing).contains("Secret t-creds not found")
    );
    assert_eq!(
        message(Provisioning, Fact::ChangeRefused),
        "apply failed: change refused, nothing applied: pool pool-a servers: 4 -> 2: scale-down loses data"
    );
    assert!(message(Provisioning, Fact::ApplyRejected).contains("statefulsets.apps is forbidden"));
    assert_eq!(
        message(Ready, Fact::TransientError),
        "transient API error, retrying in 5s: connection reset"
    );
    assert_eq!(
        message(RollingOut, Fact::RolloutStalled),
        "no rollout progress for 600s or more: pool-a 3/4 ready, 4/4 updated; pool-b 2/2 ready, 2/2 updated"
    );
    assert_eq!(
        message(RollingOut, Fact::RolloutComplete),
        "all 2 pool(s) ready: pool-a 4/4 ready, 4/4 updated; pool-b 2/2 ready, 2/2 updated"
    );
    assert!(message(Ready, Fact::RolloutProgressing).starts_with("readiness lost: pool-a 3/4"));
    assert!(message(Ready, Fact::Drifted).contains("Service t-io"));
    assert!(
        message(Ready, Fact::DrivesOffline)
            .contains("RustFS reports pool-a: 2 of 16 drives offline (t-pool-a-3: /data/rustfs0")
    );
    assert!(message(Degraded, Fact::QuorumLost).contains("set 1: 7 of 16 drives online"));
    assert!(
        message(Ready, Fact::DecommissionRunning)
            .contains("pool pool-a: RustFS is draining it: 120 objects")
    );
    assert!(message(Ready, Fact::DecommissionComplete).contains("PersistentVolumeClaims stay"));
}
