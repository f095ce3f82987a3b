// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! One full reconcile decision without I/O, for a Tenant of four pools: render every owned
//! object, validate the spec, check each object for drift against a cache copy of itself,
//! and drive the state machine from Validating to Ready. Each part is measured alone, then
//! all of them together as one reconcile does them.
//!
//! `cargo bench --bench decision` (criterion; medians in target/criterion/decision/*/new/
//! estimates.json). Not a test: it asserts only that the decision is the expected one.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use machine::{
    Applied, Await, Config, Credentials, Desired, Input, Next, Phase, PoolRollout, Requeue,
    Rollout, SpecProblem, Timestamp,
};
use rustfs_operator::api::v1alpha1::Tenant;
use rustfs_operator::reconcile::checks::contains as drift;
use rustfs_operator::resources::{BuildContext, TenantObjects, desired_objects};
use rustfs_operator::validate::validate_spec;
use serde_json::{Value, json};

const POOLS: [&str; 4] = ["gen1", "gen2", "gen3", "gen4"];
const SERVERS: u32 = 4;

/// A Tenant as the API server would hand it over: four pools of 4 servers x 4 volumes, each
/// pinned to its hardware with its own resources, credentials from a Secret.
fn tenant() -> Tenant {
    let pools: Vec<Value> = POOLS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "name": name,
                "servers": SERVERS,
                "nodeSelector": {"example.com/hardware": name},
                "resources": {"requests": {"cpu": (i + 1).to_string(), "memory": format!("{}Gi", 4 << i)}},
                "persistence": {
                    "volumesPerServer": 4,
                    "volumeClaimTemplate": {
                        "accessModes": ["ReadWriteOnce"],
                        "storageClassName": "local-ssd",
                        "resources": {"requests": {"storage": format!("{}Ti", i + 1)}}
                    }
                }
            })
        })
        .collect();
    serde_json::from_value(json!({
        "apiVersion": "rustfs.com/v1alpha1",
        "kind": "Tenant",
        "metadata": {
            "name": "hardware",
            "namespace": "demo",
            "uid": "00000000-0000-0000-0000-000000000001",
            "generation": 1
        },
        "spec": {"credsSecret": {"name": "hardware-creds"}, "pools": pools}
    }))
    .expect("the bench Tenant parses")
}

/// Every owned object serialized as the drift check sees it.
fn to_values(objects: &TenantObjects) -> Vec<Value> {
    let mut out = Vec::new();
    let mut push = |v: Result<Value, serde_json::Error>| out.push(v.expect("serializes"));
    if let Some(o) = &objects.service_account {
        push(serde_json::to_value(o));
    }
    if let Some(o) = &objects.role {
        push(serde_json::to_value(o));
    }
    if let Some(o) = &objects.role_binding {
        push(serde_json::to_value(o));
    }
    for o in &objects.services {
        push(serde_json::to_value(o));
    }
    for o in &objects.stateful_sets {
        push(serde_json::to_value(&o.stateful_set));
    }
    out
}

/// Drift of every desired object against the cached copy: serialize what we would apply and
/// compare, as the shell does on a resync. True when nothing drifted.
fn in_place(objects: &TenantObjects, observed: &[Value]) -> bool {
    let desired = to_values(objects);
    desired.len() == observed.len()
        && observed
            .iter()
            .zip(&desired)
            .all(|(o, d)| drift::contains(o, d))
}

fn desired_of(tenant: &Tenant) -> Desired {
    Desired::new(
        tenant
            .spec
            .pools
            .iter()
            .map(|p| (p.name.clone(), p.servers.max(0) as u32)),
    )
}

/// Validating to Ready as a new Tenant takes it: begin, then step and feed each awaited fact.
fn decide(
    config: &Config,
    desired: &Desired,
    spec: Result<(), Vec<SpecProblem>>,
    observed: &Rollout,
) -> (Phase, Requeue, usize) {
    let (mut phase, mut input) = machine::begin(None, true, Vec::new());
    let mut spec = Some(spec);
    let mut steps = 0;
    loop {
        let t = machine::step(config, desired, phase, &input).expect("an awaited fact");
        steps += 1;
        phase = t.to;
        if let Next::Wait(requeue) = t.next {
            break (phase, requeue, steps);
        }
        input = match phase
            .awaits()
            .expect("a phase reached by Continue awaits a fact")
        {
            Await::SpecCheck => Input::SpecChecked(spec.take().expect("checked once")),
            Await::CredentialsCheck => Input::CredentialsChecked(Credentials::NotConfigured),
            Await::ApplyOutcome => Input::Applied(Applied::Ok),
            Await::Rollout => Input::Observed(observed.clone()),
        };
    }
}

/// The spec check's outcome as the shell hands it to the machine.
fn spec_result(tenant: &Tenant) -> Result<(), Vec<SpecProblem>> {
    validate_spec(tenant).map_err(|problems| {
        problems
            .into_iter()
            .map(|p| SpecProblem {
                field: p.field,
                message: p.message,
            })
            .collect()
    })
}

fn bench(c: &mut Criterion) {
    let tenant = tenant();
    let ctx = BuildContext::default();
    let config = Config::default();
    let now = Timestamp(1_700_000_000);
    let observed_rollout = Rollout {
        pools: POOLS
            .iter()
            .map(|p| PoolRollout::settled(*p, SERVERS, "rev-1"))
            .collect(),
        now,
        last_progress: now,
        storage: machine::Storage::Healthy,
        decommission: machine::Decommission::None,
    };
    let objects = desired_objects(&tenant, &ctx).expect("renders");
    let observed = to_values(&objects);
    let desired_values = to_values(&objects);
    assert_eq!(observed.len(), 3 + 3 + POOLS.len(), "objects rendered");
    assert!(
        in_place(&objects, &observed),
        "an object drifted from itself"
    );
    assert_eq!(spec_result(&tenant), Ok(()), "the bench Tenant is valid");
    let (phase, requeue, steps) = decide(
        &config,
        &desired_of(&tenant),
        spec_result(&tenant),
        &observed_rollout,
    );
    assert_eq!((phase, requeue.after().as_secs()), (Phase::Ready, 300));
    assert_eq!(
        steps, 5,
        "Validating, CredentialsCheck, Provisioning, RollingOut, Ready"
    );

    let mut g = c.benchmark_group("decision");
    g.bench_function("render desired_objects (4 pools)", |b| {
        b.iter(|| desired_objects(black_box(&tenant), &ctx).unwrap())
    });
    g.bench_function("validate_spec", |b| {
        b.iter(|| validate_spec(black_box(&tenant)))
    });
    g.bench_function("drift: contains only (10 objects)", |b| {
        b.iter(|| {
            black_box(&observed)
                .iter()
                .zip(&desired_values)
                .all(|(o, d)| drift::contains(o, d))
        })
    });
    g.bench_function("drift: to_value + contains (10 objects)", |b| {
        b.iter(|| in_place(black_box(&objects), &observed))
    });
    g.bench_function("machine: Validating to Ready (5 steps)", |b| {
        b.iter(|| {
            decide(
                &config,
                &desired_of(black_box(&tenant)),
                Ok(()),
                &observed_rollout,
            )
        })
    });
    g.bench_function("full decision", |b| {
        b.iter(|| {
            let tenant = black_box(&tenant);
            let objects = desired_objects(tenant, &ctx).unwrap();
            let spec = spec_result(tenant);
            let clean = in_place(&objects, &observed);
            let decision = decide(&config, &desired_of(tenant), spec, &observed_rollout);
            (clean, decision)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
