// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! One full reconcile decision: from a new Tenant (Validating) to Ready, every step.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use machine::{
    Applied, Await, Config, Credentials, Desired, Input, Phase, PoolRollout, Rollout, Timestamp,
};

fn full_decision(c: &mut Criterion) {
    let config = Config::default();
    let desired = Desired::new([("pool-0", 4), ("pool-1", 4)]);
    let now = Timestamp(1_700_000_000);
    let observed = Rollout {
        pools: vec![
            PoolRollout::settled("pool-0", 4, "rev-1"),
            PoolRollout::settled("pool-1", 4, "rev-1"),
        ],
        now,
        last_progress: now,
        storage: machine::Storage::Healthy,
        decommission: machine::Decommission::None,
    };
    let gather = |awaited: Await, _: &machine::Transition| match awaited {
        Await::SpecCheck => Input::SpecChecked(Ok(())),
        Await::CredentialsCheck => Input::CredentialsChecked(Credentials::Ok {
            secret: "tenant-creds".into(),
        }),
        Await::ApplyOutcome => Input::Applied(Applied::Ok),
        Await::Rollout => Input::Observed(observed.clone()),
    };

    c.bench_function("reconcile Validating -> Ready (5 steps + merge)", |b| {
        b.iter(|| {
            let transitions = machine::drive(
                &config,
                black_box(&desired),
                Phase::Validating,
                Input::GenerationChanged,
                gather,
            )
            .expect("valid path");
            let conditions: Vec<_> = transitions
                .iter()
                .flat_map(|t| t.conditions.iter().cloned())
                .collect();
            let status = machine::merge_conditions(&[], &conditions, now);
            assert_eq!(transitions.last().map(|t| t.to), Some(Phase::Ready));
            black_box(status)
        })
    });
}

criterion_group!(benches, full_decision);
criterion_main!(benches);
