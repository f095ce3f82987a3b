// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The status a reconcile writes: a pure function of the stored status and what happened.

use chrono::{DateTime, Utc};
use machine::{ConditionRecord, Timestamp, Transition};

use crate::api::v1alpha1::{PoolState, Tenant, TenantStatus, TransitionRecord};
use crate::vocabulary::{condition, condition_record};

use super::observe::Observation;

/// How many phase changes `status.transitions` keeps.
pub const HISTORY: usize = 10;

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
    let merged = machine::merge_conditions(&stored, &produced, stamp);
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
    }
}
