// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The Tenant lifecycle state machine: pure, no I/O, no clock.
//!
//! The operator's reconcile shell observes the world, turns what it saw into typed
//! [`Input`]s, and asks [`step`] what to do. Every decision comes from one declared
//! transition table, [`TABLE`]; [`step`] looks the edge up there and fills in the details
//! (effects, conditions, message) from the input. The same table feeds the diagram
//! generators (the `diagrams` binary of this crate, outside the library) and the property
//! tests.
//!
//! A reconcile drives the machine like this (see `docs/state-machine.md`):
//!
//! ```
//! use machine::{Applied, Await, Config, Credentials, Desired, Input, Next, Rollout, PoolRollout, Timestamp};
//!
//! let config = Config::default();
//! let desired = Desired::new([("pool-0", 4)]);
//! let now = Timestamp(1_000);
//! // A new Tenant: no stored phase yet.
//! let (mut phase, mut input) = machine::begin(None, true, Vec::new());
//! let mut transitions = Vec::new();
//! let requeue = loop {
//!     let t = machine::step(&config, &desired, phase, &input).expect("the shell feeds what the phase awaits");
//!     // ... run t.effects here, inside one span per transition ...
//!     phase = t.to;
//!     let next = t.next;
//!     transitions.push(t);
//!     match next {
//!         Next::Wait(requeue) => break requeue,
//!         Next::Continue => {}
//!     }
//!     input = match phase.awaits().expect("a phase reached by Continue awaits a fact") {
//!         Await::SpecCheck => Input::SpecChecked(Ok(())),
//!         Await::CredentialsCheck => Input::CredentialsChecked(Credentials::NotConfigured),
//!         Await::ApplyOutcome => Input::Applied(Applied::Ok),
//!         Await::Rollout => Input::Observed(Rollout {
//!             pools: vec![PoolRollout::settled("pool-0", 4, "rev-1")],
//!             now,
//!             last_progress: now,
//!             storage: machine::Storage::Healthy,
//!             decommission: machine::Decommission::None,
//!         }),
//!     };
//! };
//! assert_eq!(phase, machine::Phase::Ready);
//! assert_eq!(requeue.after().as_secs(), 300);
//! let conditions: Vec<_> = transitions.iter().flat_map(|t| t.conditions.clone()).collect();
//! let status = machine::merge_conditions(&[], &conditions, now);
//! assert!(status.iter().any(|c| c.type_ == "Ready" && c.status == machine::ConditionStatus::True));
//! ```

mod condition;
mod input;
mod phase;
mod step;
mod table;

pub use condition::{
    Condition, ConditionRecord, ConditionStatus, ConditionType, Timestamp, merge_conditions,
};
pub use input::{
    Applied, Config, Credentials, Decommission, Desired, DesiredPool, Fact, Input, InputKind,
    PoolRollout, PoolState, RefusedChange, Rollout, SpecProblem, Storage, last_progress,
};
pub use phase::{Await, Phase, Step};
pub use step::{
    Effect, ErrorClass, EventKind, MAX_STEPS, Next, Reason, Requeue, Transition, Unexpected, begin,
    drive, step,
};
pub use table::{ALL, Edge, TABLE, Target, accepted, edge_for};
