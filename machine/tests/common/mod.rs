// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Shared fixtures: a sample input for every fact, and proptest strategies.

#![allow(dead_code)]

use std::time::Duration;

use machine::{
    Applied, Config, Credentials, Decommission, Desired, Fact, Input, Phase, PoolRollout,
    RefusedChange, Rollout, SpecProblem, Storage, Timestamp,
};
use proptest::prelude::*;
use strum::IntoEnumIterator;

pub const STALL: Duration = Duration::from_secs(600);

pub fn config() -> Config {
    Config {
        rollout_stall_after: STALL,
    }
}

pub fn desired() -> Desired {
    Desired::new([("pool-a", 4), ("pool-b", 2)])
}

fn rollout(ready_a: u32, now: u64, last_progress: u64) -> Input {
    with_storage(ready_a, now, last_progress, Storage::Healthy)
}

fn with_storage(ready_a: u32, now: u64, last_progress: u64, storage: Storage) -> Input {
    with_both(ready_a, now, last_progress, storage, Decommission::None)
}

fn draining(decommission: Decommission) -> Input {
    with_both(4, 1_000, 900, Storage::Healthy, decommission)
}

fn with_both(
    ready_a: u32,
    now: u64,
    last_progress: u64,
    storage: Storage,
    decommission: Decommission,
) -> Input {
    Input::Observed(Rollout {
        pools: vec![
            PoolRollout {
                ready: ready_a,
                ..PoolRollout::settled("pool-a", 4, "rev-1")
            },
            PoolRollout::settled("pool-b", 2, "rev-1"),
        ],
        now: Timestamp(now),
        last_progress: Timestamp(last_progress),
        storage,
        decommission,
    })
}

/// One concrete input per fact, matching [`desired`] and [`config`].
pub fn sample(fact: Fact) -> Input {
    match fact {
        Fact::GenerationChanged => Input::GenerationChanged,
        Fact::Resumed => Input::Resumed {
            drifted: Vec::new(),
        },
        Fact::Drifted => Input::Resumed {
            drifted: vec!["Service t-io".into()],
        },
        Fact::SpecValid => Input::SpecChecked(Ok(())),
        Fact::SpecInvalid => Input::SpecChecked(Err(vec![SpecProblem {
            field: "spec.pools[0].servers".into(),
            message: "must be at least 1".into(),
        }])),
        Fact::CredentialsOk => Input::CredentialsChecked(Credentials::Ok {
            secret: "t-creds".into(),
        }),
        Fact::CredentialsNotConfigured => Input::CredentialsChecked(Credentials::NotConfigured),
        Fact::CredentialsMissing => Input::CredentialsChecked(Credentials::Missing {
            secret: "t-creds".into(),
            fix: "create it with keys accesskey and secretkey".into(),
        }),
        Fact::CredentialsInvalid => Input::CredentialsChecked(Credentials::Invalid {
            secret: "t-creds".into(),
            key: "secretkey".into(),
            problem: "shorter than 8 characters".into(),
        }),
        Fact::Applied => Input::Applied(Applied::Ok),
        Fact::ChangeRefused => Input::Applied(Applied::Refused {
            changes: vec![RefusedChange {
                pool: "pool-a".into(),
                field: "servers".into(),
                detail: "4 -> 2: scale-down loses data".into(),
            }],
        }),
        Fact::ApplyRejected => Input::Applied(Applied::Rejected {
            message: "statefulsets.apps is forbidden".into(),
        }),
        Fact::TransientError => Input::TransientError {
            message: "connection reset".into(),
        },
        Fact::RolloutComplete => rollout(4, 1_000, 900),
        Fact::RolloutProgressing => rollout(3, 1_000, 900),
        Fact::RolloutStalled => rollout(3, 1_000 + STALL.as_secs(), 1_000),
        Fact::VolumesResizing => {
            let Input::Observed(mut growing) = rollout(4, 1_000, 900) else {
                unreachable!("rollout() gives an observation")
            };
            growing.pools[0].resizing = 8;
            growing.pools[0].filesystem_pending = 2;
            Input::Observed(growing)
        }
        Fact::DrivesOffline => with_storage(
            4,
            1_000,
            900,
            Storage::DrivesOffline {
                detail: "pool-a: 2 of 16 drives offline (t-pool-a-3: /data/rustfs0, /data/rustfs1)"
                    .into(),
            },
        ),
        Fact::QuorumLost => with_storage(
            2,
            1_000,
            900,
            Storage::QuorumLost {
                detail: "pool-a set 1: 7 of 16 drives online, write quorum lost".into(),
            },
        ),
        Fact::DecommissionRequested => draining(Decommission::Requested {
            pool: "pool-a".into(),
        }),
        Fact::DecommissionRunning => draining(Decommission::Running {
            pool: "pool-a".into(),
            detail: "120 objects (3.1 MiB) moved, 0 failed".into(),
        }),
        Fact::DecommissionComplete => draining(Decommission::Complete {
            pool: "pool-a".into(),
            detail: "240 objects (6.0 MiB) moved, 0 failed".into(),
        }),
        Fact::DecommissionFailed => draining(Decommission::Failed {
            pool: "pool-a".into(),
            detail: "3 objects could not be moved".into(),
        }),
        Fact::DecommissionCancelRequested => draining(Decommission::CancelRequested {
            pool: "pool-a".into(),
        }),
    }
}

pub fn arb_phase() -> impl Strategy<Value = Phase> {
    prop::sample::select(Phase::iter().collect::<Vec<_>>())
}

pub fn arb_config() -> impl Strategy<Value = Config> {
    (1u64..3_000).prop_map(|secs| Config {
        rollout_stall_after: Duration::from_secs(secs),
    })
}

pub fn arb_desired() -> impl Strategy<Value = Desired> {
    prop::collection::vec(1u32..9, 1..4).prop_map(|servers| {
        Desired::new(
            servers
                .into_iter()
                .enumerate()
                .map(|(i, s)| (format!("pool-{i}"), s)),
        )
    })
}

fn arb_text() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,11}"
}

fn arb_pool(i: usize) -> impl Strategy<Value = PoolRollout> {
    (
        0u32..9,
        0u32..9,
        0u32..9,
        any::<bool>(),
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            move |(desired, ready, updated, observed, same_rev, resizing)| PoolRollout {
                name: format!("pool-{i}"),
                desired,
                ready: ready.min(desired),
                updated: updated.min(desired),
                observed,
                current_revision: "rev-1".into(),
                update_revision: if same_rev { "rev-1" } else { "rev-2" }.into(),
                resizing: if resizing { desired } else { 0 },
                filesystem_pending: 0,
            },
        )
}

pub fn arb_rollout() -> impl Strategy<Value = Rollout> {
    (
        prop::collection::vec(any::<u8>(), 0..4),
        0u64..10_000,
        0u64..10_000,
    )
        .prop_flat_map(|(pools, now, last)| {
            let pools: Vec<_> = (0..pools.len()).map(arb_pool).collect();
            (pools, Just(now), Just(last))
        })
        .prop_flat_map(|(pools, now, last)| {
            (
                Just(pools),
                Just(now),
                Just(last),
                arb_storage(),
                arb_decommission(),
            )
        })
        .prop_map(|(pools, now, last, storage, decommission)| Rollout {
            pools,
            now: Timestamp(now),
            last_progress: Timestamp(last),
            storage,
            decommission,
        })
}

pub fn arb_decommission() -> impl Strategy<Value = Decommission> {
    prop_oneof![
        3 => Just(Decommission::None),
        1 => arb_text().prop_map(|pool| Decommission::Requested { pool }),
        1 => (arb_text(), arb_text()).prop_map(|(pool, detail)| Decommission::Running { pool, detail }),
        1 => (arb_text(), arb_text()).prop_map(|(pool, detail)| Decommission::Complete { pool, detail }),
        1 => (arb_text(), arb_text()).prop_map(|(pool, detail)| Decommission::Failed { pool, detail }),
        1 => arb_text().prop_map(|pool| Decommission::CancelRequested { pool }),
    ]
}

pub fn arb_storage() -> impl Strategy<Value = Storage> {
    prop_oneof![
        Just(Storage::Unknown),
        Just(Storage::Healthy),
        arb_text().prop_map(|detail| Storage::DrivesOffline { detail }),
        arb_text().prop_map(|detail| Storage::QuorumLost { detail }),
    ]
}

pub fn arb_credentials() -> impl Strategy<Value = Credentials> {
    prop_oneof![
        arb_text().prop_map(|secret| Credentials::Ok { secret }),
        Just(Credentials::NotConfigured),
        (arb_text(), arb_text()).prop_map(|(secret, fix)| Credentials::Missing { secret, fix }),
        (
            arb_text(),
            prop::sample::select(vec!["accesskey", "secretkey"]),
            arb_text()
        )
            .prop_map(|(secret, key, problem)| Credentials::Invalid {
                secret,
                key: key.into(),
                problem,
            }),
    ]
}

pub fn arb_applied() -> impl Strategy<Value = Applied> {
    prop_oneof![
        Just(Applied::Ok),
        prop::collection::vec((arb_text(), arb_text(), arb_text()), 1..3).prop_map(|changes| {
            Applied::Refused {
                changes: changes
                    .into_iter()
                    .map(|(pool, field, detail)| RefusedChange {
                        pool,
                        field,
                        detail,
                    })
                    .collect(),
            }
        }),
        arb_text().prop_map(|message| Applied::Rejected { message }),
    ]
}

pub fn arb_input() -> impl Strategy<Value = Input> {
    prop_oneof![
        Just(Input::GenerationChanged),
        prop::collection::vec(arb_text(), 0..3).prop_map(|drifted| Input::Resumed { drifted }),
        Just(Input::SpecChecked(Ok(()))),
        prop::collection::vec((arb_text(), arb_text()), 1..3).prop_map(|problems| {
            Input::SpecChecked(Err(problems
                .into_iter()
                .map(|(field, message)| SpecProblem { field, message })
                .collect()))
        }),
        arb_credentials().prop_map(Input::CredentialsChecked),
        arb_applied().prop_map(Input::Applied),
        arb_text().prop_map(|message| Input::TransientError { message }),
        arb_rollout().prop_map(Input::Observed),
    ]
}
